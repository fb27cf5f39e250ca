// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// Tests against the in-process simulator of the v1 API.

const (
	simProject = "1a5"
	simAccess  = "testaccess"
	simSecret  = "testsecret-DO-NOT-LOG"
)

// newSim starts a simulator with the test project and key, and opts, and
// returns it with a client of the test key.
func newSim(t *testing.T, opts ranchersim.Options) (*ranchersim.Server, *Client) {
	t.Helper()
	sim, _, c := newSimAt(t, opts)
	return sim, c
}

// newSimAt is newSim that also returns the simulator's URL, for clients of
// other keys.
func newSimAt(t *testing.T, opts ranchersim.Options) (*ranchersim.Server, string, *Client) {
	t.Helper()
	opts.ProjectID, opts.AccessKey, opts.SecretKey = simProject, simAccess, simSecret
	sim, base := ranchersim.NewTestServer(t, opts)
	return sim, base, newSimClient(t, base, simAccess, simSecret, 4)
}

func newSimClient(t *testing.T, base, access, secret string, retries int) *Client {
	t.Helper()
	c, err := NewClient(Config{
		URL:          base,
		AccessKey:    access,
		SecretKey:    secret,
		MaxRetries:   retries,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr(s string) *string { return &s }

// tenAtATime runs f(0) … f(n-1), ten at a time (Terraform's default
// parallelism), and returns when all have.
func tenAtATime(n int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustRegistry(t *testing.T, sim *ranchersim.Server, address string) string {
	t.Helper()
	id, err := sim.CreateRegistry(simProject, address)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func mustCredential(t *testing.T, c *Client, regID, name string) *RegistryCredential {
	t.Helper()
	ctx := testCtx(t)
	cred, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{
		RegistryID: regID, Email: "me@example.com", Name: ptr(name), PublicValue: ptr("me"), SecretValue: ptr("pw-" + name),
	})
	if err != nil {
		t.Fatal(err)
	}
	if cred, err = c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive); err != nil {
		t.Fatal(err)
	}
	return cred
}

func TestSimCredentialLifecycle(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{TransitionDelay: 5 * time.Millisecond})
	ctx := testCtx(t)
	reg := mustRegistry(t, sim, "registry.example.com")

	created, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{
		RegistryID: reg, Email: "me@example.com", Name: ptr("hub"), PublicValue: ptr("me"), SecretValue: ptr("s3cret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if created.State != StateRegistering || deref(created.SecretValue) != "s3cret" || created.ProjectID != simProject || created.RegistryID != reg {
		t.Fatalf("create answer %+v", created)
	}
	active, err := c.WaitRegistryCredential(ctx, simProject, created.ID, StateActive)
	if err != nil {
		t.Fatal(err)
	}
	if active.State != StateActive || active.Transitioning != "no" || active.SecretValue != nil || active.Created.IsZero() {
		t.Fatalf("after wait %+v", active)
	}

	got, err := c.GetRegistryCredential(ctx, simProject, created.ID)
	if err != nil || got.Email != "me@example.com" || deref(got.Name) != "hub" || got.Description != nil {
		t.Fatalf("get %+v %v", got, err)
	}

	mustCredential(t, c, reg, "other")
	list, err := c.ListRegistryCredentials(ctx, simProject, RegistryCredentialFilter{RegistryID: reg, Name: "hub"})
	if err != nil || len(list) != 1 || list[0].ID != created.ID {
		t.Fatalf("filtered list %v %v", list, err)
	}
	if list, err = c.ListRegistryCredentials(ctx, simProject, RegistryCredentialFilter{}); err != nil || len(list) != 2 {
		t.Fatalf("list %v %v", list, err)
	}

	updated, err := c.UpdateRegistryCredential(ctx, simProject, created.ID, RegistryCredentialUpdate{
		Email: SetField(ptr("you@example.com")), Description: SetField(ptr("d")), SecretValue: SetField(ptr("n3w")), Name: SetField(nil),
	})
	if err != nil || updated.Email != "you@example.com" || deref(updated.Description) != "d" || updated.Name != nil || updated.State != StateActive {
		t.Fatalf("update %+v %v", updated, err)
	}
	if s, _ := sim.Credential(created.ID); deref(s.SecretValue) != "n3w" || deref(s.PublicValue) != "me" {
		t.Fatalf("sim after update: %+v", s)
	}

	inactive, err := credentialOf(c.setActive(ctx, credentialKind, simProject, created.ID, false))
	if err != nil || inactive.State != StateInactive {
		t.Fatalf("deactivate %+v %v", inactive, err)
	}
	// Already there: no action is sent.
	sim.ResetStats()
	if again, err := credentialOf(c.setActive(ctx, credentialKind, simProject, created.ID, false)); err != nil || again.State != StateInactive || sim.Stats().Total != 1 {
		t.Fatalf("second deactivate %+v %v, %d requests", again, err, sim.Stats().Total)
	}
	if back, err := credentialOf(c.setActive(ctx, credentialKind, simProject, created.ID, true)); err != nil || back.State != StateActive {
		t.Fatalf("activate %+v %v", back, err)
	}

	if err := c.RemoveRegistryCredential(ctx, simProject, created.ID, ""); err != nil {
		t.Fatal(err)
	}
	// Remove ends once the credential is removing: gone for Terraform, and
	// removed by Cattle on its own.
	gone, err := c.GetRegistryCredential(ctx, simProject, created.ID)
	if err != nil || !gone.Gone() {
		t.Fatalf("after remove %+v %v", gone, err)
	}
	if gone, err = credentialOf(c.wait(ctx, credentialKind, simProject, created.ID, []string{StateRemoved})); err != nil || gone.Removed == nil {
		t.Fatalf("after remove, then removed %+v %v", gone, err)
	}
	if list, _ = c.ListRegistryCredentials(ctx, simProject, RegistryCredentialFilter{}); len(list) != 1 {
		t.Fatalf("removed credential listed: %d", len(list))
	}
	if list, _ = c.ListRegistryCredentials(ctx, simProject, RegistryCredentialFilter{IncludeRemoved: true}); len(list) != 2 {
		t.Fatalf("IncludeRemoved: %d", len(list))
	}
}

func TestSimRegistryLifecycle(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{TransitionDelay: 5 * time.Millisecond})
	ctx := testCtx(t)
	reg, err := c.CreateRegistry(ctx, simProject, RegistryCreate{ServerAddress: "Quay.io", Name: ptr("quay")})
	if err != nil {
		t.Fatal(err)
	}
	if reg, err = registryOf(c.wait(ctx, registryKind, simProject, reg.ID, []string{StateActive})); err != nil || reg.ServerAddress != "Quay.io" || deref(reg.Name) != "quay" {
		t.Fatalf("%+v %v", reg, err)
	}
	_, err = c.CreateRegistry(ctx, simProject, RegistryCreate{ServerAddress: "quay.io"})
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "ServerAddressUsed" {
		t.Fatalf("duplicate address: %v", err)
	}
	if regs, err := c.ListRegistries(ctx, simProject, RegistryFilter{ServerAddress: "Quay.io"}); err != nil || len(regs) != 1 {
		t.Fatalf("list %v %v", regs, err)
	}
	if got, err := c.GetRegistry(ctx, simProject, reg.ID); err != nil || got.ID != reg.ID {
		t.Fatalf("get %v %v", got, err)
	}
	if up, err := c.UpdateRegistry(ctx, simProject, reg.ID, RegistryUpdate{Description: SetField(ptr("mirror"))}); err != nil || deref(up.Description) != "mirror" {
		t.Fatalf("update %+v %v", up, err)
	}
	if r, err := registryOf(c.setActive(ctx, registryKind, simProject, reg.ID, false)); err != nil || r.State != StateInactive {
		t.Fatalf("deactivate %+v %v", r, err)
	}
	if err := c.RemoveRegistry(ctx, simProject, reg.ID, ""); err != nil {
		t.Fatal(err)
	}
	// Removing: gone, though its address is still taken in Cattle until it
	// is purged; create purges it, so its address is free again at once.
	if s, _ := sim.Registry(reg.ID); s.State != StateRemoving && s.State != StateRemoved {
		t.Fatalf("state %q, want removing or removed", s.State)
	}
	again, err := c.CreateRegistry(ctx, simProject, RegistryCreate{ServerAddress: "quay.io"})
	if err != nil {
		t.Fatalf("re-creating at a removed registry's address at once: %v", err)
	}
	if s, _ := sim.Registry(reg.ID); s.State != StatePurged {
		t.Fatalf("the registry that held the address is %q, want purged", s.State)
	}

	// Removed outside the client and not purged yet: the address is still
	// taken in Cattle, so create purges the removed registry first.
	for _, action := range []string{"deactivate", "remove"} {
		if err := sim.Act(again.ID, action); err != nil {
			t.Fatal(err)
		}
		if _, err := registryOf(c.wait(ctx, registryKind, simProject, again.ID, nil)); err != nil {
			t.Fatal(err)
		}
	}
	third, err := c.CreateRegistry(ctx, simProject, RegistryCreate{ServerAddress: "QUAY.io"})
	if err != nil {
		t.Fatalf("creating at a removed registry's address: %v", err)
	}
	if s, _ := sim.Registry(again.ID); s.State != StatePurged || third.ID == again.ID {
		t.Fatalf("removed registry %s is %q, new one %s", again.ID, s.State, third.ID)
	}
}

func TestSimErrors(t *testing.T) {
	sim, base, c := newSimAt(t, ranchersim.Options{})
	ctx := testCtx(t)
	reg := mustRegistry(t, sim, "r.example.com")
	cred := mustCredential(t, c, reg, "x")

	check := func(name string, err error, status int, code, field string) {
		t.Helper()
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			t.Fatalf("%s: want *Error, got %T %v", name, err, err)
		}
		if apiErr.Status != status || apiErr.Code != code || apiErr.FieldName != field {
			t.Fatalf("%s: got %d %q field %q, want %d %q field %q", name, apiErr.Status, apiErr.Code, apiErr.FieldName, status, code, field)
		}
		if strings.Contains(err.Error(), simSecret) {
			t.Fatalf("%s: error text holds the secret key", name)
		}
	}

	bad := newSimClient(t, base, simAccess, "wrong", 4)
	_, err := bad.GetRegistryCredential(ctx, simProject, cred.ID)
	check("401", err, 401, "Unauthorized", "")
	if !IsUnauthorized(err) {
		t.Fatal("IsUnauthorized false")
	}

	sim.AddProject("1a9", "other")
	_, err = c.ListRegistryCredentials(ctx, "1a9", RegistryCredentialFilter{})
	check("403", err, 403, "Forbidden", "")
	if !IsForbidden(err) {
		t.Fatal("IsForbidden false")
	}

	_, err = c.GetRegistryCredential(ctx, simProject, "1c999")
	check("404", err, 404, "Not Found", "")
	if !IsNotFound(err) {
		t.Fatal("IsNotFound false")
	}

	err = c.delete(ctx, credentialKind, simProject, cred.ID)
	check("405", err, 405, "Method not allowed", "")

	_, err = c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{RegistryID: reg, Email: ""})
	check("422 email", err, 422, "MinLengthExceeded", "email")
	_, err = c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{RegistryID: "1sp999", Email: "e"})
	check("422 registry", err, 422, "InvalidReference", "registryId")
	_, err = c.UpdateRegistryCredential(ctx, simProject, cred.ID, RegistryCredentialUpdate{Email: SetField(nil)})
	check("422 null email", err, 422, "NotNullable", "email")
	err = c.action(ctx, credentialKind, simProject, cred.ID, "activate")
	check("422 action", err, 422, "ActionNotAvailable", "action")
}

func TestSimProjects(t *testing.T) {
	sim, base, c := newSimAt(t, ranchersim.Options{})
	ctx := testCtx(t)
	if pid, err := c.DiscoverProject(ctx); err != nil || pid != simProject {
		t.Fatalf("environment key: %q %v", pid, err)
	}
	p, err := c.GetProject(ctx, simProject)
	if err != nil || p.ID != simProject || p.Name != "Default" || p.State != "active" {
		t.Fatalf("project %+v %v", p, err)
	}

	sim.AddAccountKey("useraccess", "usersecret", false, map[string]string{simProject: "owner"})
	user := newSimClient(t, base, "useraccess", "usersecret", 4)
	if _, err := user.DiscoverProject(ctx); err == nil || !strings.Contains(err.Error(), "set project_id") {
		t.Fatalf("account key: %v", err)
	}
	// An account key works once the project is named.
	if _, err := user.ListRegistryCredentials(ctx, simProject, RegistryCredentialFilter{}); err != nil {
		t.Fatal(err)
	}

	bad := newSimClient(t, base, simAccess, "wrong", 4)
	if _, err := bad.DiscoverProject(ctx); !IsUnauthorized(err) {
		t.Fatalf("bad key: %v", err)
	}
}

func TestSimWait(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{TransitionDelay: 10 * time.Millisecond})
	reg := mustRegistry(t, sim, "r.example.com")
	in := RegistryCredentialCreate{RegistryID: reg, Email: "e"}

	t.Run("success", func(t *testing.T) {
		ctx := testCtx(t)
		cred, err := c.CreateRegistryCredential(ctx, simProject, in)
		if err != nil {
			t.Fatal(err)
		}
		if cred, err = c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive); err != nil || cred.State != StateActive {
			t.Fatalf("%+v %v", cred, err)
		}
		// No targets: any settled state.
		if cred, err = c.WaitRegistryCredential(ctx, simProject, cred.ID); err != nil || cred.State != StateActive {
			t.Fatalf("%+v %v", cred, err)
		}
	})

	t.Run("error transition", func(t *testing.T) {
		ctx := testCtx(t)
		sim.FailNextTransition("", "pull secret rejected")
		cred, err := c.CreateRegistryCredential(ctx, simProject, in)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive)
		var te *TransitionError
		if !errors.As(err, &te) || te.ID != cred.ID || te.Message != "pull secret rejected" || !strings.Contains(err.Error(), "pull secret rejected") {
			t.Fatalf("err %v", err)
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("error transition took %v to notice", time.Since(start))
		}
		// The failed object can still be removed.
		if err := c.RemoveRegistryCredential(ctx, simProject, cred.ID, ""); err != nil {
			t.Fatalf("remove failed object: %v", err)
		}
		if s, _ := sim.Credential(cred.ID); !isGoneState(s.State) {
			t.Fatalf("failed object: state %q after remove", s.State)
		}
	})

	t.Run("deadline", func(t *testing.T) {
		sim.HangNextTransition("")
		cred, err := c.CreateRegistryCredential(testCtx(t), simProject, in)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		_, err = c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive)
		var we *WaitError
		if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) || we.LastState != StateRegistering {
			t.Fatalf("err %v", err)
		}
		for _, want := range []string{"timed out", cred.ID, "active", `"registering"`} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("%q lacks %q", err, want)
			}
		}
	})

	t.Run("cancellation", func(t *testing.T) {
		sim.HangNextTransition("")
		cred, err := c.CreateRegistryCredential(testCtx(t), simProject, in)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err = c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive)
		if !errors.Is(err, context.Canceled) || time.Since(start) > time.Second {
			t.Fatalf("err %v after %v", err, time.Since(start))
		}
	})

	t.Run("other stable state", func(t *testing.T) {
		ctx := testCtx(t)
		cred := mustCredential(t, c, reg, "stable")
		_, err := c.WaitRegistryCredential(ctx, simProject, cred.ID, StateInactive)
		var we *WaitError
		if !errors.As(err, &we) || we.Err != nil || !strings.Contains(err.Error(), `reached state "active" while waiting for inactive`) {
			t.Fatalf("err %v", err)
		}
	})

	t.Run("not found", func(t *testing.T) {
		if _, err := c.WaitRegistryCredential(testCtx(t), simProject, "1c999", StateActive); !IsNotFound(err) {
			t.Fatalf("err %v", err)
		}
	})
}

func TestSimRemoveFromAnyState(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{TransitionDelay: 5 * time.Millisecond})
	reg := mustRegistry(t, sim, "r.example.com")
	settle := func(id, state string) {
		t.Helper()
		if _, err := c.WaitRegistryCredential(testCtx(t), simProject, id, state); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		prepare func(id string)
	}{
		{"active", func(string) {}},
		{"inactive", func(id string) { _ = sim.Act(id, "deactivate"); settle(id, StateInactive) }},
		{"deactivating", func(id string) { _ = sim.Act(id, "deactivate") }},
		{"removed", func(id string) {
			_ = sim.Act(id, "deactivate")
			settle(id, StateInactive)
			_ = sim.Act(id, "remove")
			settle(id, StateRemoved)
		}},
		{"purged", func(id string) {
			_ = sim.Act(id, "deactivate")
			settle(id, StateInactive)
			_ = sim.Act(id, "remove")
			settle(id, StateRemoved)
			_ = sim.Act(id, "purge")
			settle(id, StatePurged)
		}},
		{"404", func(id string) { _ = sim.Delete(id) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := mustCredential(t, c, reg, tc.name)
			tc.prepare(cred.ID)
			if err := c.RemoveRegistryCredential(testCtx(t), simProject, cred.ID, ""); err != nil {
				t.Fatal(err)
			}
			if s, ok := sim.Credential(cred.ID); ok && !isGoneState(s.State) {
				t.Fatalf("state %q after remove", s.State)
			}
		})
	}

	t.Run("registering", func(t *testing.T) {
		cred, err := c.CreateRegistryCredential(testCtx(t), simProject, RegistryCredentialCreate{RegistryID: reg, Email: "e"})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.RemoveRegistryCredential(testCtx(t), simProject, cred.ID, ""); err != nil {
			t.Fatal(err)
		}
		if s, _ := sim.Credential(cred.ID); !isGoneState(s.State) {
			t.Fatalf("state %q", s.State)
		}
	})
}

// isGoneState says whether a state is one where an object no longer exists
// for Terraform: where remove may leave it.
func isGoneState(state string) bool { return (Status{State: state}).Gone() }

func TestSimSetActiveSettlesTransition(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{TransitionDelay: 20 * time.Millisecond})
	reg := mustRegistry(t, sim, "r.example.com")
	cred := mustCredential(t, c, reg, "x")
	if err := sim.Act(cred.ID, "deactivate"); err != nil {
		t.Fatal(err)
	}
	// Mid-deactivation, ask for active: the deactivation finishes, then
	// activate runs.
	got, err := credentialOf(c.setActive(testCtx(t), credentialKind, simProject, cred.ID, true))
	if err != nil || got.State != StateActive {
		t.Fatalf("%+v %v", got, err)
	}
	// Freshly created (registering) and asked for inactive: deactivate is
	// offered in registering, so it runs at once.
	created, err := c.CreateRegistryCredential(testCtx(t), simProject, RegistryCredentialCreate{RegistryID: reg, Email: "e"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = credentialOf(c.setActive(testCtx(t), credentialKind, simProject, created.ID, false)); err != nil || got.State != StateInactive {
		t.Fatalf("%+v %v", got, err)
	}
	// A removed object cannot be activated.
	if err := c.RemoveRegistryCredential(testCtx(t), simProject, created.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := credentialOf(c.setActive(testCtx(t), credentialKind, simProject, created.ID, true)); err == nil || !strings.Contains(err.Error(), "remov") {
		t.Fatalf("activate removed: %v", err)
	}
}

// With 30% of requests failing (seeded), every call still succeeds and no
// create is duplicated.
func TestSimFaults(t *testing.T) {
	const n = 40
	sim, base := ranchersim.NewTestServer(t, ranchersim.Options{
		ProjectID: simProject, AccessKey: simAccess, SecretKey: simSecret,
		TransitionDelay: 5 * time.Millisecond, Seed: 42,
	})
	// Thirty percent faults mean a call fails all of 4 retries once in
	// 400; 12 retries make that once in two million.
	c := newSimClient(t, base, simAccess, simSecret, 12)
	reg := mustRegistry(t, sim, "r.example.com")
	sim.SetFaultRate(0.3)
	ctx := testCtx(t)

	regOut, err := c.CreateRegistry(ctx, simProject, RegistryCreate{ServerAddress: "faulty.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("cred-%d", i%10) // twins on purpose: 4 of each
			cred, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{
				RegistryID: reg, Email: "e@x", Name: ptr(name), PublicValue: ptr("u"), SecretValue: ptr("p"),
			})
			if err != nil {
				errs <- fmt.Errorf("create %d: %w", i, err)
				return
			}
			ids[i] = cred.ID
			steps := []func() error{
				func() error { _, err := c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive); return err },
				func() error { _, err := c.GetRegistryCredential(ctx, simProject, cred.ID); return err },
				func() error {
					_, err := c.UpdateRegistryCredential(ctx, simProject, cred.ID, RegistryCredentialUpdate{Description: SetField(ptr("d"))})
					return err
				},
				func() error {
					_, err := credentialOf(c.setActive(ctx, credentialKind, simProject, cred.ID, false))
					return err
				},
				func() error {
					_, err := credentialOf(c.setActive(ctx, credentialKind, simProject, cred.ID, true))
					return err
				},
			}
			if i%2 == 0 {
				steps = append(steps, func() error { return c.RemoveRegistryCredential(ctx, simProject, cred.ID, "") })
			}
			for j, step := range steps {
				if err := step(); err != nil {
					errs <- fmt.Errorf("credential %d step %d: %w", i, j, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, err := c.ListRegistryCredentials(ctx, simProject, RegistryCredentialFilter{RegistryID: reg}); err != nil {
		t.Error(err)
	}
	if _, err := registryOf(c.setActive(ctx, registryKind, simProject, regOut.ID, true)); err != nil {
		t.Error(err)
	}
	sim.SetFaultRate(0)

	all := sim.Credentials(simProject)
	if len(all) != n {
		t.Fatalf("the simulator holds %d credentials for %d creates", len(all), n)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("id %s returned twice", id)
		}
		seen[id] = true
	}
	for i, s := range all {
		want := StateActive
		if idx := indexOf(ids, s.ID); idx >= 0 && idx%2 == 0 {
			want = StateRemoved
		}
		if (s.State != want && (want != StateRemoved || s.State != StateRemoving)) || (want == StateActive && deref(s.Description) != "d") {
			t.Errorf("credential %d (%s): state %q description %v, want %q", i, s.ID, s.State, deref(s.Description), want)
		}
	}
	if regs := sim.Registries(simProject); len(regs) != 2 {
		t.Fatalf("%d registries, want 2", len(regs))
	}
	lookups := 0
	for _, r := range sim.Received() {
		if r.Method == "GET" && strings.Contains(r.RawQuery, "created_gte") {
			lookups++
		}
	}
	if lookups == 0 {
		t.Fatal("no create needed a lookup: the ambiguous-failure path went untested")
	}
	t.Logf("%d requests for %d credentials under 30%% faults, %d lookups after ambiguous creates", len(sim.Received()), n, lookups)
}

func indexOf(ids []string, id string) int {
	for i, x := range ids {
		if x == id {
			return i
		}
	}
	return -1
}

// Logs carry method, path and status, and never a secret.
func TestSimLogsHoldNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	sim, base := ranchersim.NewTestServer(t, ranchersim.Options{
		ProjectID: simProject, AccessKey: simAccess, SecretKey: simSecret, TransitionDelay: 2 * time.Millisecond, Seed: 7,
	})
	c := newSimClient(t, base, simAccess, simSecret, 12)
	reg := mustRegistry(t, sim, "r.example.com")
	sim.SetFaultRate(0.3)

	const secretValue = "hunter2-registry-password"
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cred, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{
				RegistryID: reg, Email: "e", Name: ptr(fmt.Sprint("n", i)), SecretValue: ptr(secretValue),
			})
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := c.UpdateRegistryCredential(ctx, simProject, cred.ID, RegistryCredentialUpdate{SecretValue: SetField(ptr(secretValue + "-2"))}); err != nil {
				t.Error(err)
			}
			if err := c.RemoveRegistryCredential(ctx, simProject, cred.ID, ""); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	sim.SetFaultRate(0)
	bad := newSimClient(t, base, simAccess, "wrong-"+simSecret, 0)
	if _, err := bad.GetRegistryCredential(ctx, simProject, "1c1"); !IsUnauthorized(err) {
		t.Fatal(err)
	}

	out := buf.String()
	for _, secret := range []string{
		secretValue, simSecret,
		base64.StdEncoding.EncodeToString([]byte(simAccess + ":" + simSecret)),
		"Basic ",
	} {
		if strings.Contains(out, secret) {
			t.Fatalf("logs contain %q", secret)
		}
	}
	entries, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var requests, retries int
	for _, e := range entries {
		switch e["@message"] {
		case "Rancher API request":
			requests++
			if e["method"] == nil || e["path"] == nil || (e["status"] == nil && e["error"] == nil) || e["duration_ms"] == nil {
				t.Fatalf("incomplete request line %v", e)
			}
		case "Retrying Rancher API request":
			retries++
		}
	}
	if requests < 20 || retries == 0 {
		t.Fatalf("%d request lines, %d retry lines", requests, retries)
	}
}

// With 50 ms transitions a create and its wait for active take few requests.
func TestSimRequestsPerCreatedCredential(t *testing.T) {
	const n = 30
	sim, c := newSim(t, ranchersim.Options{TransitionDelay: 50 * time.Millisecond})
	reg := mustRegistry(t, sim, "r.example.com")
	ctx := testCtx(t)
	sim.ResetStats()
	var mu sync.Mutex
	var spent time.Duration
	tenAtATime(n, func(i int) {
		start := time.Now()
		defer func() { mu.Lock(); spent += time.Since(start); mu.Unlock() }()
		cred, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{RegistryID: reg, Email: "e", Name: ptr(fmt.Sprint("c", i))})
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive); err != nil {
			t.Error(err)
		}
	})
	total := sim.Stats().Total
	perCred := float64(total) / n
	t.Logf("%d requests for %d credentials: %.2f per created credential, %v per create and wait (routes %v)",
		total, n, perCred, (spent / n).Round(time.Millisecond), sim.Stats().Routes)
	if perCred > 3 {
		t.Fatalf("%.2f requests per created credential, want at most 3", perCred)
	}
}

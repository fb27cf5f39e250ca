// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
	"github.com/cattle-ops/terraform-provider-rancher/internal/testutil"
)

// Tests of the lists that serve a refresh's Reads, against the simulator.

// refreshData is provider data on a test simulator, for reading as Read does.
func refreshData(t *testing.T, e *testEnv) *providerData {
	t.Helper()
	client, err := rancher.NewClient(rancher.Config{URL: e.url, AccessKey: testAccessKey, SecretKey: testSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	return &providerData{client: client, projectID: testProject}
}

// listAndGetRequests counts the simulator's credential list requests and
// reads by id.
func (e *testEnv) listAndGetRequests() (lists, gets int) {
	routes := e.sim.Stats().Routes
	return routes["GET /v1/projects/{pid}/registrycredentials"], routes["GET /v1/projects/{pid}/registrycredentials/{id}"]
}

func TestRefreshLists_concurrentReadsShareOneList(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, hubAddress)
	var ids []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		ids = append(ids, e.credential(t, testProject, reg, named(name)))
	}
	d := refreshData(t, e)
	e.sim.ResetStats()
	done := make(chan struct{})
	for _, id := range ids {
		go func() {
			defer func() { done <- struct{}{} }()
			cred, list, gone, err := d.readCredential(context.Background(), testProject, reg, id)
			if err != nil || gone || cred.ID != id || list == nil {
				t.Errorf("read %s: %+v, list %t, gone %t, %v", id, cred, list != nil, gone, err)
			}
		}()
	}
	for range ids {
		<-done
	}
	if lists, gets := e.listAndGetRequests(); lists != 1 || gets != 0 {
		t.Fatalf("5 concurrent reads made %d list requests and %d reads by id, want 1 and 0", lists, gets)
	}
}

// listedCredential makes a credential named name on a registry and reads
// it once, as a Read does: from a new list.
func listedCredential(t *testing.T, name string) (e *testEnv, d *providerData, reg, id string) {
	t.Helper()
	e = newTestEnv(t)
	reg = e.registry(t, testProject, hubAddress)
	id = e.credential(t, testProject, reg, named(name))
	d = refreshData(t, e)
	if cred, list, _, err := d.readCredential(context.Background(), testProject, reg, id); err != nil || list == nil || derefString(cred.Name) != name {
		t.Fatalf("first read: %+v, list %t, %v", cred, list != nil, err)
	}
	return e, d, reg, id
}

func TestRefreshLists_neverDropOnTheListsWord(t *testing.T) {
	e, d, reg, listed := listedCredential(t, "listed")

	// Made after the list: the list lacks it, the read by id finds it.
	later := e.credential(t, testProject, reg, named("later"))
	e.sim.ResetStats()
	cred, _, gone, err := d.readCredential(context.Background(), testProject, reg, later)
	if err != nil || gone || cred.ID != later {
		t.Fatalf("a credential the list lacks: %+v, gone %t, %v", cred, gone, err)
	}
	if _, gets := e.listAndGetRequests(); gets != 1 {
		t.Fatalf("a credential the list lacks took %d reads by id, want 1", gets)
	}

	// Removed after the list: the list still shows it live, and a list
	// never says an object is gone; the next plan's Read sees the removal.
	e.removeOutOfBand(t, listed)
	if _, _, gone, err := d.readCredential(context.Background(), testProject, reg, listed); gone || err != nil {
		t.Fatalf("a credential removed after the list: gone %t, %v; the list's word alone dropped it", gone, err)
	}
	// A list that shows it removing, or lacks it, leads to the read by id
	// that finds it gone.
	fresh := refreshData(t, e)
	if _, _, gone, err := fresh.readCredential(context.Background(), testProject, reg, listed); !gone || err != nil {
		t.Fatalf("a removed credential on a new list: gone %t, %v", gone, err)
	}
}

func TestRefreshLists_aWriteIsNeverHidden(t *testing.T) {
	_, d, reg, id := listedCredential(t, "before")
	c := d.client
	ctx := context.Background()

	end := d.writing(credentialsScope(testProject, reg))
	after := "after"
	if _, err := c.UpdateRegistryCredential(ctx, testProject, id, rancher.RegistryCredentialUpdate{Name: rancher.SetField(&after)}); err != nil {
		t.Fatal(err)
	}
	end()
	cred, list, _, err := d.readCredential(ctx, testProject, reg, id)
	if err != nil || derefString(cred.Name) != "after" {
		t.Fatalf("the read after this process's write: name %q, %v; a list read before the write hid it", derefString(cred.Name), err)
	}
	if list == nil {
		t.Fatal("the read after the write did not use a new list")
	}
}

func TestRefreshLists_aFailingListFallsBackToReads(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, hubAddress)
	id := e.credential(t, testProject, reg, named("a"))

	// Every list of credentials fails; reads by id pass through.
	front := &testutil.Middlebox{
		Next: e.sim,
		Select: func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/registrycredentials")
		},
		Answer: func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"type":"error","status":500,"code":"InternalServerError"}`))
		},
	}
	proxy := httptest.NewServer(front)
	t.Cleanup(proxy.Close)
	client, err := rancher.NewClient(rancher.Config{URL: proxy.URL, AccessKey: testAccessKey, SecretKey: testSecretKey, MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := &providerData{client: client, projectID: testProject}
	cred, list, gone, err := d.readCredential(context.Background(), testProject, reg, id)
	if err != nil || gone || cred.ID != id || list != nil {
		t.Fatalf("read with a failing list: %+v, list %t, gone %t, %v", cred, list != nil, gone, err)
	}
	if _, faults := front.Counts(); faults == 0 {
		t.Fatal("no list was tried")
	}
}

func TestPulledWith(t *testing.T) {
	cred := func(id, state string) *rancher.RegistryCredential {
		return &rancher.RegistryCredential{ID: id, Status: rancher.Status{State: state}}
	}
	list := &refreshList[rancher.RegistryCredential]{byID: map[string]*rancher.RegistryCredential{
		"1c14": cred("1c14", "active"),
		"1c9":  cred("1c9", "active"),
		"1c3":  cred("1c3", "inactive"),
		"1c10": cred("1c10", "active"),
	}}
	if got := pulledWith(list); got == nil || got.ID != "1c9" {
		t.Fatalf("pulledWith = %+v, want 1c9: the active credential of lowest id", got)
	}
	if got := pulledWith(nil); got != nil {
		t.Fatalf("pulledWith(nil) = %+v", got)
	}
}

// TestAccRefresh_inLists refreshes 150 credentials in three registries: the
// refresh reads lists, at most R + ⌈N/100⌉ requests for what they hold and
// one read by id for each credential they lack, and sees every change made
// outside Terraform just before the plan.
func TestAccRefresh_inLists(t *testing.T) {
	e := newTestEnv(t)
	sizes := map[string]int{"a.example.com": 105, "b.example.com": 40, "c.example.com": 5}
	config := cliRequiredProviders + e.providerBlock()
	regs := map[string]string{}
	for address, n := range sizes {
		regs[address] = e.registry(t, testProject, address)
		name := strings.Split(address, ".")[0]
		config += fmt.Sprintf(`
resource "rancher_registry_credential" %q {
  count        = %d
  registry_id  = %q
  name         = "%s-${count.index}"
  email        = "%s${count.index}@example.com"
  public_value = "%s${count.index}"
}
`, name, n, regs[address], name, name, name)
	}
	w := newCLIWorkdir(t).initWith(config)
	w.run("apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=20")
	ids := map[string]string{}
	for _, o := range w.state() {
		ids[o.Address] = o.ID()
	}

	// Changes made outside Terraform just before the plan.
	c := refreshData(t, e).client
	renamed := "renamed"
	if _, err := c.UpdateRegistryCredential(context.Background(), testProject, ids["rancher_registry_credential.a[7]"],
		rancher.RegistryCredentialUpdate{Name: rancher.SetField(&renamed)}); err != nil {
		t.Fatal(err)
	}
	e.act(t, ids["rancher_registry_credential.b[3]"], "deactivate", "inactive")
	e.removeOutOfBand(t, ids["rancher_registry_credential.c[1]"])
	if err := e.sim.Delete(ids["rancher_registry_credential.a[100]"]); err != nil { // DELETE of an active credential: 405
		e.removeOutOfBand(t, ids["rancher_registry_credential.a[100]"])
	}

	e.sim.ResetStats()
	_, _, out, err := w.planJSON("-refresh-only")
	if err != nil {
		t.Fatalf("plan -refresh-only: %v\n%s", err, out)
	}
	stats := e.sim.Stats()
	lists, gets := e.listAndGetRequests()
	n, r := 150, 3
	t.Logf("refresh of %d credentials in %d registries: %d requests (%d lists, %d reads by id)", n, r, stats.Total, lists, gets)
	if bound := r + (n+99)/100 + 2; stats.Total > bound || gets > 2 {
		t.Errorf("the refresh made %d requests (%d reads by id): want at most %d, and a read by id only for the 2 credentials removed: %v", stats.Total, gets, bound, stats.Routes)
	}

	_, actions, out, err := w.planJSON()
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	want := map[string]string{
		"rancher_registry_credential.a[7]":   "update", // renamed back
		"rancher_registry_credential.b[3]":   "update", // activated again
		"rancher_registry_credential.c[1]":   "create", // removed: made again
		"rancher_registry_credential.a[100]": "create",
	}
	for addr, action := range want {
		if a := actions[addr]; len(a) != 1 || a[0] != action {
			t.Errorf("%s is planned %v, want %s", addr, a, action)
		}
	}
	if len(actions) != len(want) {
		t.Errorf("the plan changes %d resources, want %d: %v", len(actions), len(want), actions)
	}
}

// TestAccRefresh_shadowedCredential: a managed credential that is not the
// registry's active credential of lowest id gets a warning at every
// refresh, naming the one Rancher pulls with; none once that one is
// deactivated.
func TestAccRefresh_shadowedCredential(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, hubAddress)
	w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), reg, 1, ""))
	w.run("apply", "-input=false", "-no-color", "-auto-approve")
	// Made by hand after the managed one: newer, so Rancher pulls with the managed one.
	newer := e.credential(t, testProject, reg, named("newer"))

	if found := w.shadowWarnings(); len(found) != 0 {
		t.Fatalf("the managed credential is the oldest (%s is newer), yet the plan warns: %+v", newer, found)
	}

	// Replaced, the managed credential is the newest of three: the plan
	// names the lowest id of the others, then the next once that one is
	// deactivated, then none.
	second := e.credential(t, testProject, reg, named("second"))
	w.run("apply", "-input=false", "-no-color", "-auto-approve", "-replace=rancher_registry_credential.many[0]")
	for _, step := range []struct{ named, deactivate string }{{newer, newer}, {second, second}, {"", ""}} {
		found := w.shadowWarnings()
		if step.named == "" {
			if len(found) != 0 {
				t.Fatalf("plan with no other active credential warns: %+v", found)
			}
			break
		}
		name := map[string]string{newer: "newer", second: "second"}[step.named]
		if len(found) != 1 || found[0].Address != "rancher_registry_credential.many[0]" ||
			!strings.Contains(found[0].Detail, fmt.Sprintf("active credential %s (user %q, name %q)", step.named, name, name)) ||
			!strings.Contains(found[0].Detail, "lowest id") {
			t.Fatalf("plan: %+v; want one warning naming %s, the active credential of lowest id", found, step.named)
		}
		e.act(t, step.deactivate, "deactivate", "inactive")
	}
}

// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
	"github.com/cattle-ops/terraform-provider-rancher/internal/testutil"
)

// Tests of the client behind a proxy that misbehaves in one way at a time,
// one per row of issue 22: each applies a registry and three credentials as
// Terraform would, and reports the requests it took.

// middleboxRun is one such apply.
type middleboxRun struct {
	sim         *ranchersim.Server
	box         *testutil.Middlebox
	url         string // the middlebox's
	registry    string
	credentials []string
	err         error // the first failure, which ends the run
}

// applyThroughMiddlebox makes a registry and three credentials, waits for
// each to be active and reads each credential twice more (refreshes),
// through box in front of the simulator, with the default max_retries.
// Whatever happens, the logs must not hold a secret.
func applyThroughMiddlebox(t *testing.T, box *testutil.Middlebox, requestTimeout time.Duration) *middleboxRun {
	t.Helper()
	run := &middleboxRun{box: box}
	run.sim = ranchersim.New(ranchersim.Options{
		ProjectID: simProject, AccessKey: simAccess, SecretKey: simSecret, TransitionDelay: 20 * time.Millisecond,
	})
	box.Next = run.sim
	srv := httptest.NewServer(box)
	t.Cleanup(srv.Close)
	run.url = srv.URL
	c, err := NewClient(Config{
		URL: srv.URL, AccessKey: simAccess, SecretKey: simSecret,
		RequestTimeout: requestTimeout, MaxRetries: DefaultMaxRetries,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	var logs testutil.SyncBuffer
	ctx, cancel := context.WithTimeout(tflogtest.RootLogger(context.Background(), &logs), 30*time.Second)
	defer cancel()
	const secretPrefix = "registry-password-"
	defer func() {
		for _, secret := range []string{simSecret, secretPrefix, base64.StdEncoding.EncodeToString([]byte(simAccess + ":" + simSecret))} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the logs hold the secret %q", secret)
			}
		}
	}()

	reg, err := c.CreateRegistry(ctx, simProject, RegistryCreate{ServerAddress: "registry.example.com"})
	if err == nil {
		run.registry = reg.ID
		_, err = c.SettleCreatedRegistry(ctx, simProject, reg.ID, true)
	}
	for i := 0; i < 3 && err == nil; i++ {
		var cred *RegistryCredential
		cred, err = c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{
			RegistryID: reg.ID, Email: "me@example.com", Name: ptr(fmt.Sprint("cred-", i)),
			PublicValue: ptr("me"), SecretValue: ptr(fmt.Sprint(secretPrefix, i)),
		})
		if err != nil {
			break
		}
		run.credentials = append(run.credentials, cred.ID)
		_, err = c.SettleCreatedRegistryCredential(ctx, simProject, cred.ID, true)
		for range 2 {
			if err == nil {
				_, err = c.GetRegistryCredential(ctx, simProject, cred.ID)
			}
		}
	}
	run.err = err
	return run
}

// report logs the requests the run took.
func (run *middleboxRun) report(t *testing.T) (requests, faults int) {
	t.Helper()
	requests, faults = run.box.Counts()
	t.Logf("%s: %d requests reached the middlebox, %d of them answered by its fault", t.Name(), requests, faults)
	return requests, faults
}

// converged asserts the run succeeded with exactly what it asked for: one
// active registry and three active credentials, none made twice.
func (run *middleboxRun) converged(t *testing.T) {
	t.Helper()
	requests, faults := run.report(t)
	if run.err != nil {
		t.Fatalf("the apply failed: %v", run.err)
	}
	if faults == 0 {
		t.Fatalf("the middlebox never misbehaved in %d requests: the test tests nothing", requests)
	}
	if regs := run.sim.Registries(simProject); len(regs) != 1 || regs[0].ID != run.registry || regs[0].State != StateActive {
		t.Fatalf("registries %+v, want only %s, active", regs, run.registry)
	}
	creds := run.sim.Credentials(simProject)
	if len(creds) != 3 {
		t.Fatalf("the API holds %d credentials for 3 created: duplicates", len(creds))
	}
	for i, cred := range creds {
		if cred.ID != run.credentials[i] || cred.State != StateActive {
			t.Fatalf("credential %d is %s in state %s, want %s active", i, cred.ID, cred.State, run.credentials[i])
		}
	}
}

func TestMiddleboxBadGatewayPageEveryThirdRequest(t *testing.T) {
	run := applyThroughMiddlebox(t, &testutil.Middlebox{Every: 3, Answer: testutil.BadGatewayPage}, DefaultRequestTimeout)
	run.converged(t)
}

func TestMiddleboxStallEveryFifthRequest(t *testing.T) {
	run := applyThroughMiddlebox(t, &testutil.Middlebox{Every: 5, Answer: testutil.Stall(40 * time.Second)}, 250*time.Millisecond)
	run.converged(t)
}

func TestMiddleboxCreateAnsweredWithCollection(t *testing.T) {
	run := applyThroughMiddlebox(t, &testutil.Middlebox{Select: testutil.CreatePOST, Answer: testutil.CollectionInsteadOfObject}, DefaultRequestTimeout)
	run.converged(t)
}

func TestMiddleboxCredentialReadCutShort(t *testing.T) {
	run := applyThroughMiddlebox(t, &testutil.Middlebox{Select: testutil.CredentialGET, Every: 4, Answer: testutil.HalfBodyThenClose}, DefaultRequestTimeout)
	run.converged(t)
}

func TestMiddleboxCredentialJSONCutInHalf(t *testing.T) {
	run := applyThroughMiddlebox(t, &testutil.Middlebox{Select: testutil.CredentialGET, Every: 4, Answer: testutil.JSONCutInHalf}, DefaultRequestTimeout)
	run.converged(t)

	// Cut every time, a read is retried a bounded number of times, then
	// fails with the error of the answer.
	box := &testutil.Middlebox{Next: run.sim, Select: testutil.CredentialGET, Answer: testutil.JSONCutInHalf}
	srv := httptest.NewServer(box)
	t.Cleanup(srv.Close)
	c := newSimClient(t, srv.URL, simAccess, simSecret, DefaultMaxRetries)
	_, err := c.GetRegistryCredential(testCtx(t), simProject, run.credentials[0])
	requests, _ := box.Counts()
	var bad *BadAnswerError
	if !errors.As(err, &bad) || !strings.Contains(err.Error(), "is not the JSON expected: unexpected end of JSON input") {
		t.Fatalf("a read cut every time: %v", err)
	}
	if requests != DefaultMaxRetries+1 {
		t.Fatalf("a read cut every time took %d requests, want %d", requests, DefaultMaxRetries+1)
	}
	t.Logf("a read cut every time: %d requests, then %q", requests, err)
}

func TestMiddleboxRedirectToHTTPS(t *testing.T) {
	run := applyThroughMiddlebox(t, &testutil.Middlebox{Answer: testutil.RedirectTo(http.StatusMovedPermanently, testutil.SameHostHTTPS)}, DefaultRequestTimeout)
	requests, _ := run.report(t)
	https := "https://" + strings.TrimPrefix(run.url, "http://")
	want := "Rancher API returned 301 Moved Permanently for POST /v1/projects/1a5/registries: it redirects to " +
		https + "/v1/projects/1a5/registries; set api_url to the https URL, " + https + "/v1" +
		" (the provider never follows redirects, so that the API keys are never sent elsewhere)"
	if run.err == nil || run.err.Error() != want {
		t.Fatalf("error\n%v\nwant\n%s", run.err, want)
	}
	if requests != 1 {
		t.Fatalf("%d requests, want 1: a redirect is final and never followed", requests)
	}
}

func TestMiddleboxRedirectToLoginPage(t *testing.T) {
	var loginRequests atomic.Int32
	login := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { loginRequests.Add(1) }))
	t.Cleanup(login.Close)
	loginURL := strings.Replace(login.URL, "127.0.0.1", "localhost", 1) // another host
	run := applyThroughMiddlebox(t, &testutil.Middlebox{Answer: testutil.RedirectTo(http.StatusFound, testutil.LoginPage(loginURL))}, DefaultRequestTimeout)
	requests, _ := run.report(t)
	var apiErr *Error
	if !errors.As(run.err, &apiErr) || apiErr.Status != http.StatusFound {
		t.Fatalf("error %v, want a 302", run.err)
	}
	for _, want := range []string{
		"302 Found for POST /v1/projects/1a5/registries",
		"it redirects to a page on localhost: a proxy or single sign-on page answered instead of Rancher's API",
		"never follows redirects",
	} {
		if !strings.Contains(run.err.Error(), want) {
			t.Errorf("error %q lacks %q", run.err, want)
		}
	}
	if strings.Contains(run.err.Error(), "opaque-proxy-state") {
		t.Errorf("error %q repeats the login page's query", run.err)
	}
	if requests != 1 || loginRequests.Load() != 0 {
		t.Fatalf("%d requests to Rancher's address and %d to the login page, want 1 and 0", requests, loginRequests.Load())
	}
}

// A wait outlasts reads that fail after their own retries, until its
// timeout, which then names the last failure.
func TestWaitOutlastsFailedReads(t *testing.T) {
	sim := ranchersim.New(ranchersim.Options{ProjectID: simProject, AccessKey: simAccess, SecretKey: simSecret})
	var cutLeft atomic.Int32
	box := &testutil.Middlebox{
		Next:   sim,
		Select: func(r *http.Request) bool { return testutil.CredentialGET(r) && cutLeft.Add(-1) >= 0 },
		Answer: testutil.HalfBodyThenClose,
	}
	srv := httptest.NewServer(box)
	t.Cleanup(srv.Close)
	c := newSimClient(t, srv.URL, simAccess, simSecret, 1) // two requests a read
	cred := mustCredential(t, c, mustRegistry(t, sim, "registry.example.com"), "x")

	cutLeft.Store(4) // the next two reads fail
	before, _ := box.Counts()
	if _, err := c.WaitRegistryCredential(testCtx(t), simProject, cred.ID, StateActive); err != nil {
		t.Fatalf("a wait whose first two reads fail: %v", err)
	}
	after, _ := box.Counts()
	t.Logf("a wait whose first two reads failed took %d requests", after-before)
	if after-before != 5 {
		t.Fatalf("%d requests, want 5: two failed reads of two requests each, then one", after-before)
	}

	cutLeft.Store(1 << 20) // every read fails
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := c.WaitRegistryCredential(ctx, simProject, cred.ID, StateActive)
	var waitErr *WaitError
	if !errors.As(err, &waitErr) || !errors.Is(err, context.DeadlineExceeded) ||
		!strings.Contains(err.Error(), "the last read failed: cannot reach Rancher at") {
		t.Fatalf("a wait whose reads all fail: %v", err)
	}
}

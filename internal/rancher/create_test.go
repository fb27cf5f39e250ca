// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// A deadline that passes while the POST is on the wire must not abandon
// it: the object is made either way, and the caller must learn its id.
func TestCreateSeesSentPostThrough(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{Latency: 150 * time.Millisecond})
	reg := mustRegistry(t, sim, "registry.example.com")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	cred, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{RegistryID: reg, Email: "me@example.com"})
	if err != nil {
		t.Fatalf("create with a deadline passing mid-request: %v", err)
	}
	if got := sim.Credentials(simProject); len(got) != 1 || got[0].ID != cred.ID {
		t.Fatalf("the API holds %d credentials, want exactly the one returned (%s)", len(got), cred.ID)
	}

	// A create that has not started when the context is already done is not sent.
	if _, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{RegistryID: reg, Email: "me@example.com"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("create after the deadline: got %v, want a deadline error", err)
	}
	if n := len(sim.Credentials(simProject)); n != 1 {
		t.Fatalf("the API holds %d credentials after a create that should not have been sent", n)
	}
}

// A create the server accepted but whose answer is not readable (a proxy
// page, a cut body) is ambiguous: the client finds and adopts what it made.
func TestCreateAdoptsAfterUnreadableAnswer(t *testing.T) {
	sim := ranchersim.New(ranchersim.Options{ProjectID: simProject, AccessKey: simAccess, SecretKey: simSecret})
	var corrupted atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Query().Get("action") == "" && corrupted.Add(1) == 1 {
			// Let the server act, then answer with something else.
			sim.ServeHTTP(httptest.NewRecorder(), r)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte("<html>proxy</html>"))
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c := newSimClient(t, srv.URL, simAccess, simSecret, 4)
	reg := mustRegistry(t, sim, "registry.example.com")

	cred, err := c.CreateRegistryCredential(testCtx(t), simProject, RegistryCredentialCreate{RegistryID: reg, Email: "me@example.com", Name: ptr("x")})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got := sim.Credentials(simProject); len(got) != 1 || got[0].ID != cred.ID {
		t.Fatalf("the API holds %d credentials, want exactly the adopted one (%s)", len(got), cred.ID)
	}
}

package rancher

import (
	"context"
	"errors"
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

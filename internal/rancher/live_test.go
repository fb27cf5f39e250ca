// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"testing"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// ReadLive* report gone only for an object that no longer exists for
// Terraform; a refused key is an error, never gone.
func TestReadLiveGoneOnlyWhenGone(t *testing.T) {
	sim, base, c := newSimAt(t, ranchersim.Options{})
	ctx := testCtx(t)
	reg := mustRegistry(t, sim, "live.example.com")
	cred := mustCredential(t, c, reg, "live")

	got, gone, err := c.ReadLiveRegistryCredential(ctx, simProject, cred.ID)
	if err != nil || gone || got.ID != cred.ID || got.ProjectID != simProject {
		t.Fatalf("live credential: got %+v gone %v err %v", got, gone, err)
	}
	if p, gone, err := c.RegistryCredentialProject(ctx, "", simProject, cred.ID); err != nil || gone || p != simProject {
		t.Fatalf("project of live credential: %q gone %v err %v", p, gone, err)
	}
	if p, _, err := c.RegistryCredentialProject(ctx, "1a99", simProject, cred.ID); err != nil || p != "1a99" {
		t.Fatalf("a known project is kept: %q err %v", p, err)
	}

	bad := newSimClient(t, base, simAccess, "wrong", 0)
	if _, gone, err := bad.ReadLiveRegistryCredential(ctx, simProject, cred.ID); gone || !IsUnauthorized(err) {
		t.Fatalf("401: gone %v err %v; want an error and not gone", gone, err)
	}

	if err := c.RemoveRegistryCredential(ctx, simProject, cred.ID); err != nil {
		t.Fatal(err)
	}
	if got, gone, err := c.ReadLiveRegistryCredential(ctx, simProject, cred.ID); err != nil || !gone || got != nil {
		t.Fatalf("removed credential: got %+v gone %v err %v; want gone", got, gone, err)
	}
	if _, gone, err := c.ReadLiveRegistryCredential(ctx, simProject, "1c999"); err != nil || !gone {
		t.Fatalf("missing credential: gone %v err %v; want gone", gone, err)
	}
	if _, gone, err := c.RegistryProject(ctx, "", simProject, "1sp999"); err != nil || !gone {
		t.Fatalf("missing registry: gone %v err %v; want gone", gone, err)
	}
}

func TestSettleCreatedAndUpdated(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{})
	ctx := testCtx(t)
	regID := mustRegistry(t, sim, "settle.example.com")

	reg, err := c.SettleCreatedRegistry(ctx, simProject, regID, false)
	if err != nil || reg.State != StateInactive {
		t.Fatalf("settle created inactive: %+v %v", reg, err)
	}
	// Planned active, state says inactive: activate.
	reg, err = c.SettleUpdatedRegistry(ctx, simProject, regID, nil, ActiveGoal{Want: true, Was: false, WasState: StateInactive})
	if err != nil || reg.State != StateActive {
		t.Fatalf("settle updated to active: %+v %v", reg, err)
	}
	// Nothing to do: the updated object comes back as it is, unread.
	updated := &Registry{ID: regID, ServerAddress: "as-updated"}
	reg, err = c.SettleUpdatedRegistry(ctx, simProject, regID, updated, ActiveGoal{Want: true, Was: true, WasState: StateActive})
	if err != nil || reg != updated {
		t.Fatalf("settle with nothing to do: %+v %v", reg, err)
	}
	// Nothing updated and nothing to do: read.
	reg, err = c.SettleUpdatedRegistry(ctx, simProject, regID, nil, ActiveGoal{Want: true, Was: true, WasState: StateActive})
	if err != nil || reg.State != StateActive || reg.ServerAddress != "settle.example.com" {
		t.Fatalf("settle reads: %+v %v", reg, err)
	}
}

func TestIsActiveState(t *testing.T) {
	for state, want := range map[string]bool{
		StateActive: true, StateActivating: true, StateRegistering: true, StateUpdatingActive: true, StateRequested: true,
		StateInactive: false, StateDeactivating: false, StateUpdatingInactive: false,
		StateRemoving: false, StateRemoved: false, StatePurging: false, StatePurged: false,
	} {
		if got := IsActiveState(state); got != want {
			t.Errorf("IsActiveState(%q) = %v, want %v", state, got, want)
		}
	}
}

// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"testing"
	"time"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

func TestSettleLearning(t *testing.T) {
	const ms = time.Millisecond
	hit := func(c *Client, done time.Duration) {
		c.learn(credentialKind, StateRegistering, settleObservation{firstHit: true, done: done})
	}
	miss := func(c *Client, pending, done time.Duration) {
		c.learn(credentialKind, StateRegistering, settleObservation{pending: pending, done: done})
	}
	est := func(c *Client) time.Duration { return c.estimate(credentialKind, StateRegistering) }

	t.Run("nothing learnt: the default schedule", func(t *testing.T) {
		first, repoll := (&Client{}).pollSchedule(credentialKind, StateRegistering)
		if first != pollFirst || repoll != pollFirst {
			t.Fatalf("schedule %v, %v; want %v, %v", first, repoll, pollFirst, pollFirst)
		}
	})

	t.Run("the first wait sets the estimate to when it saw the transition done", func(t *testing.T) {
		c := &Client{}
		miss(c, 50*ms, 107*ms)
		if got := est(c); got != 107*ms {
			t.Fatalf("estimate %v, want 107ms", got)
		}
		first, repoll := c.pollSchedule(credentialKind, StateRegistering)
		if first != 107*ms || repoll != 107*ms/settleRepoll {
			t.Fatalf("schedule %v, %v", first, repoll)
		}
		if other := c.estimate(credentialKind, StateDeactivating); other != 0 {
			t.Fatalf("another transition learnt %v", other)
		}
	})

	t.Run("first reads that find it done probe lower, faster while they keep doing so", func(t *testing.T) {
		c := &Client{}
		hit(c, 800*ms)
		hit(c, 800*ms)
		after1 := est(c)
		if after1 >= 800*ms || after1 < 799*ms {
			t.Fatalf("one hit: %v, want just under 800ms", after1)
		}
		for range 60 {
			hit(c, 800*ms)
		}
		if got := est(c); got > 450*ms {
			t.Fatalf("after 60 more hits the estimate is still %v: a coarse estimate comes down too slowly", got)
		}
	})

	t.Run("a read too early raises the estimate to the middle of the span, once", func(t *testing.T) {
		c := &Client{}
		hit(c, 100*ms)
		for range 10 { // a batch of waits that all read too early at 100ms
			miss(c, 100*ms, 108*ms)
		}
		if got := est(c); got != 104*ms {
			t.Fatalf("estimate %v, want 104ms", got)
		}
		// The probe starts small again after a miss.
		hit(c, 104*ms)
		if got := est(c); got < 103*ms {
			t.Fatalf("estimate %v after one hit, want a small step down from 104ms", got)
		}
	})

	t.Run("one slow answer raises the estimate by at most an eighth", func(t *testing.T) {
		c := &Client{}
		hit(c, 100*ms)
		miss(c, 100*ms, 1100*ms) // a read retried after a 503
		if got, limit := est(c), time.Duration(float64(100*ms)*(1+settleMaxRise)); got != limit {
			t.Fatalf("estimate %v, want %v", got, limit)
		}
	})

	t.Run("bounds", func(t *testing.T) {
		c := &Client{}
		hit(c, time.Millisecond)
		first, repoll := c.pollSchedule(credentialKind, StateRegistering)
		if first != settleMinFirst || repoll != settleRepollMin {
			t.Fatalf("schedule %v, %v; want %v, %v", first, repoll, settleMinFirst, settleRepollMin)
		}
		c = &Client{}
		hit(c, time.Minute)
		if first, _ := c.pollSchedule(credentialKind, StateRegistering); first != pollMax {
			t.Fatalf("first read after %v, want at most %v", first, pollMax)
		}
	})
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

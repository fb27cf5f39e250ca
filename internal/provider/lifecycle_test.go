// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// limit is a timeouts block's value: always d.
func limit(d time.Duration) func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) {
	return func(context.Context, time.Duration) (time.Duration, diag.Diagnostics) { return d, nil }
}

func TestBeginOperation_stopBeforeSendsNothing(t *testing.T) {
	request, stop := context.WithCancel(context.Background())
	stop()
	var diags diag.Diagnostics
	if _, end, ok := beginOperation(request, limit(time.Minute), "create the registry", &diags); ok {
		end()
		t.Fatal("an operation asked to stop before it began was started")
	}
	if !diags.HasError() || diags[0].Summary() != "Cannot create the registry" {
		t.Fatalf("diagnostics: %v", diags)
	}
}

func TestBeginOperation_stopWaitsForTheGracePeriod(t *testing.T) {
	t.Setenv(stopGracePeriodEnv, "200ms")
	request, stop := context.WithCancel(context.Background())
	var diags diag.Diagnostics
	op, end, ok := beginOperation(request, limit(time.Minute), "create the registry", &diags)
	defer end()
	if !ok {
		t.Fatal(diags)
	}
	stopped := time.Now()
	stop()
	select {
	case <-op.Done():
		t.Fatal("the operation ended with the stop")
	case <-time.After(100 * time.Millisecond):
	}
	<-op.Done()
	if waited := time.Since(stopped); waited < 200*time.Millisecond {
		t.Fatalf("the operation ended %s after the stop, before its grace period", waited)
	}
	if !stoppedOut(op) || !errors.Is(graceOverError(op, op.Err()), errStopGraceOver) {
		t.Fatalf("cause %v: not a grace period that ran out", context.Cause(op))
	}
}

func TestBeginOperation_timeoutStillApplies(t *testing.T) {
	var diags diag.Diagnostics
	op, end, ok := beginOperation(context.Background(), limit(50*time.Millisecond), "create the registry", &diags)
	defer end()
	if !ok {
		t.Fatal(diags)
	}
	<-op.Done()
	if !errors.Is(op.Err(), context.DeadlineExceeded) || stoppedOut(op) {
		t.Fatalf("op ended with %v (cause %v), want the timeout", op.Err(), context.Cause(op))
	}
}

func TestKeepsFailedCreates(t *testing.T) {
	for version, keeps := range map[string]bool{
		"1.8.5": true, "1.14.9": true, "1.15.8": true, "1.16.0": false, "1.16.4": false, "1.17.0-alpha1": false, "": true,
	} {
		if got := (&providerData{terraformVersion: version}).keepsFailedCreates(); got != keeps {
			t.Errorf("Terraform %q: keepsFailedCreates %t, want %t", version, got, keeps)
		}
	}
}

// TestAccDestroy_requests destroys a registry and 20 credentials, active,
// inactive and deactivated outside Terraform: at most 4 requests an object,
// the destroy's refresh included.
func TestAccDestroy_requests(t *testing.T) {
	e := newTestEnv(t, func(o *ranchersim.Options) { o.TransitionDelay = 20 * time.Millisecond })
	w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), "", 20, "  active       = count.index % 5 != 0\n"))
	w.run("apply", "-input=false", "-no-color", "-auto-approve")
	var deactivated string
	for _, o := range w.state() {
		if o.Address == "rancher_registry_credential.many[1]" {
			deactivated = o.ID()
		}
	}
	e.act(t, deactivated, "deactivate", "inactive")

	e.sim.ResetStats()
	w.run("destroy", "-input=false", "-no-color", "-auto-approve")
	stats := e.sim.Stats()
	objects := 21
	t.Logf("destroy of %d objects: %d requests, %.2f each: %v", objects, stats.Total, float64(stats.Total)/float64(objects), stats.Routes)
	if stats.Total > 4*objects {
		t.Fatalf("destroy of %d objects made %d requests, more than 4 each: %v", objects, stats.Total, stats.Routes)
	}
	if err := e.checkDestroyed(credentials | registries)(nil); err != nil {
		t.Fatal(err)
	}
}

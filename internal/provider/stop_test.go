// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
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

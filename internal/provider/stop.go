package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// defaultStopGracePeriod is how long an operation that Rancher has already
// accepted is still waited for after Terraform asks the provider to stop
// (Ctrl-C, a cancelled Terraform Cloud run). Credentials and registries
// settle in well under a second on a healthy server; half a minute leaves
// room for a busy one and stays well inside the time Terraform Cloud gives a
// cancelled run before it kills it.
const defaultStopGracePeriod = 30 * time.Second

// stopGracePeriodEnv overrides defaultStopGracePeriod (a Go duration such as
// "10s"), for CI systems that kill a cancelled run sooner.
const stopGracePeriodEnv = "RANCHER_STOP_GRACE_PERIOD"

// errStopGraceOver ends an operation whose grace period ran out.
var errStopGraceOver = errors.New("the operation did not finish within the grace period after Terraform asked the provider to stop")

// stopGracePeriod is the grace period in force: the environment's, else the default.
func stopGracePeriod() time.Duration {
	if v := os.Getenv(stopGracePeriodEnv); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d >= 0 {
			return d
		}
	}
	return defaultStopGracePeriod
}

// beginOperation starts a create, update or delete, bounded by the
// timeouts block's value for it (timeouts.Value.Create, .Update or .Delete).
//
// Terraform asks a provider to stop by cancelling the context of every
// request in flight; aborting there would leave what Rancher already
// accepted half done, and Terraform would taint it and replace it on the
// next apply. So the returned context is not cancelled by a stop: it ends at
// the timeout, or when the grace period after a stop runs out, with
// errStopGraceOver as its cause. An operation asked to stop before it began
// sends nothing: ok is false and diags say so.
func beginOperation(ctx context.Context, limit func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), what string, diags *diag.Diagnostics) (op context.Context, end func(), ok bool) {
	timeout, d := limit(ctx, defaultTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	if ctx.Err() != nil {
		diags.AddError("Cannot "+what, "Terraform asked the provider to stop before the request was sent: nothing was changed in Rancher.")
		return ctx, func() {}, false
	}
	op, cancelTimeout := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	op, cancel := context.WithCancelCause(op)
	grace := stopGracePeriod()
	stopWatch := context.AfterFunc(ctx, func() {
		select {
		case <-time.After(grace):
			cancel(errStopGraceOver)
		case <-op.Done():
		}
	})
	return op, func() {
		stopWatch()
		cancel(nil)
		cancelTimeout()
	}, true
}

// stoppedOut reports whether an operation ended because its grace period
// after a stop ran out.
func stoppedOut(op context.Context) bool {
	return errors.Is(context.Cause(op), errStopGraceOver)
}

// graceOverError is the error of an operation whose grace period ran out.
func graceOverError(op context.Context, err error) error {
	if stoppedOut(op) {
		return fmt.Errorf("%w (%s, set by %s): %v", errStopGraceOver, stopGracePeriod(), stopGracePeriodEnv, err)
	}
	return err
}

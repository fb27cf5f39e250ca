package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// withTimeout bounds an operation by the timeouts block's value for it
// (timeouts.Value.Create, .Update or .Delete).
func withTimeout(ctx context.Context, limit func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), diags *diag.Diagnostics) (context.Context, context.CancelFunc, bool) {
	timeout, d := limit(ctx, defaultTimeout)
	diags.Append(d...)
	if diags.HasError() {
		return ctx, func() {}, false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, true
}

// activeGoal is what Update must leave the object's active state at: the
// planned value, against what Rancher reported at refresh (in state).
func activeGoal(planned, prior types.Bool, priorState types.String) rancher.ActiveGoal {
	return rancher.ActiveGoal{Want: planned.ValueBool(), Was: prior.ValueBool(), WasState: priorState.ValueString()}
}

// orGone is err or, when there is none because the object was found gone,
// an error that says so.
func orGone(err error, what, id string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s %s no longer exists in any project the API key reaches; run terraform refresh (or plan) to take it out of state", what, id)
}

// nullTimeouts is the timeouts block of a resource built from what Rancher
// reports, such as a list result: no block, so the defaults apply.
func nullTimeouts() timeouts.Value {
	return timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
		"create": types.StringType,
		"update": types.StringType,
		"delete": types.StringType,
	})}
}

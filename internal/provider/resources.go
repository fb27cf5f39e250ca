package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// The attributes both resources have, with the resource's own description.

// idAttribute is the Rancher id, known once the object is created.
func idAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// projectIDAttribute is the object's project, the provider's unless set.
// Rancher cannot move an object to another project: a change replaces it.
func projectIDAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Computed:            true,
		PlanModifiers: []planmodifier.String{
			stringplanmodifier.UseStateForUnknown(),
			stringplanmodifier.RequiresReplace(),
		},
		Validators: []validator.String{projectIDValidator()},
	}
}

// nameAttribute and descriptionAttribute are optional, within Rancher's
// length limits.
func nameAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Validators:          []validator.String{stringvalidator.LengthAtMost(255)},
	}
}

func descriptionAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Validators:          []validator.String{stringvalidator.LengthAtMost(1024)},
	}
}

// activeAttribute is whether the object is active, true unless set. It is
// computed too, from the state Rancher reports, so that drift shows in plan.
func activeAttribute(description string) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Computed:            true,
		Default:             booldefault.StaticBool(true),
	}
}

// stateAttribute is the Cattle state Rancher reports.
func stateAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
	}
}

// timeoutsBlock bounds create, update and delete.
func timeoutsBlock(ctx context.Context) schema.Block {
	return timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})
}

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

// removal is how Delete removes one kind of object.
type removal struct {
	what    string // "registry credential", in messages
	project func(c *rancher.Client, ctx context.Context, known, first, id string) (projectID string, gone bool, err error)
	remove  func(c *rancher.Client, ctx context.Context, projectID, id string) error
}

var (
	registryRemoval   = removal{"registry", (*rancher.Client).RegistryProject, (*rancher.Client).RemoveRegistry}
	credentialRemoval = removal{"registry credential", (*rancher.Client).RegistryCredentialProject, (*rancher.Client).RemoveRegistryCredential}
)

// deleteObject removes the object a resource's state names, within the
// delete timeout. Its project is found first when the state holds none (a
// state upgraded from the archived provider); an object that is already
// gone is a success.
func (d *providerData) deleteObject(ctx context.Context, k removal, projectID, id types.String, limits timeouts.Value, diags *diag.Diagnostics) {
	if !d.ready(diags) {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, limits.Delete, diags)
	defer cancel()
	if !ok {
		return
	}
	project, gone, err := k.project(d.client, ctx, projectID.ValueString(), d.firstProject(ctx, ""), id.ValueString())
	if gone {
		return
	}
	if err == nil {
		err = k.remove(d.client, ctx, project, id.ValueString())
	}
	if err != nil {
		addAPIError(diags, "Cannot delete the "+k.what, err, project, fieldAttribute)
	}
}

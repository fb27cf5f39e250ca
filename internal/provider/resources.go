package provider

import (
	"context"
	"fmt"
	"strings"
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

// createFailed reports a create that Rancher accepted but whose object did
// not become ready: its wait failed, timed out, or ran out of grace after a
// stop. save puts the object, as far as it got, in the response.
//
// Terraform before 1.16 keeps such an object as tainted, and the next apply
// replaces it. Terraform 1.16 and later crash when several creates fail that
// way at the same time, and can leave an empty state file behind (a race in
// Terraform core, see the README's troubleshooting): there nothing is
// returned, and the object is removed, as its replacement would have done.
// An object whose grace period ran out, or that cannot be removed, is left
// in Rancher for the next plan to name, with the import block that adopts it.
func (d *providerData) createFailed(op context.Context, k removal, projectID, id string, err error, save func() diag.Diagnostics, diags *diag.Diagnostics) {
	summary := fmt.Sprintf("%s %s did not become ready", capitalized(k.what), id)
	addAPIError(diags, summary, graceOverError(op, err), projectID, fieldAttribute)
	if d.keepsFailedCreates() {
		diags.Append(save()...)
		return
	}
	object := fmt.Sprintf("%s %s/%s", k.what, projectID, id)
	why := "Terraform " + d.terraformVersion + " cannot keep an object whose create failed as tainted without risking its state file when several creates fail at once"
	if !stoppedOut(op) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(op), failedCreateCleanupTimeout)
		defer cancel()
		removeErr := k.remove(d.client, ctx, projectID, id)
		if removeErr == nil {
			diags.AddWarning(fmt.Sprintf("%s removed", capitalized(object)),
				why+", so the provider removed it from Rancher, as replacing it would have done. The next apply creates it again.")
			return
		}
		why += fmt.Sprintf(", and removing it failed (%s)", removeErr)
	}
	diags.AddWarning(fmt.Sprintf("%s left in Rancher", capitalized(object)),
		why+". It is left in Rancher as it is, and not in the state: the next plan names it on this resource, "+
			"with the import block that adopts it.")
}

// failedCreateCleanupTimeout bounds the removal of an object whose create failed.
const failedCreateCleanupTimeout = time.Minute

// capitalized is s with its first letter upper case: "Registry credential".
func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// deleteObject removes the object a resource's state names, within the
// delete timeout. Its project is found first when the state holds none (a
// state upgraded from the archived provider); an object that is already
// gone is a success.
func (d *providerData) deleteObject(ctx context.Context, k removal, projectID, id types.String, limits timeouts.Value, diags *diag.Diagnostics) {
	if !d.ready(diags) {
		return
	}
	op, end, ok := beginOperation(ctx, limits.Delete, "delete the "+k.what, diags)
	defer end()
	if !ok {
		return
	}
	project, gone, err := k.project(d.client, op, projectID.ValueString(), d.firstProject(op, ""), id.ValueString())
	if gone {
		return
	}
	if err == nil {
		err = k.remove(d.client, op, project, id.ValueString())
	}
	if err != nil {
		addAPIError(diags, "Cannot delete the "+k.what, graceOverError(op, err), project, fieldAttribute)
	}
}

package provider

import (
	"context"
	"fmt"
	"iter"
	"maps"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// What the list resources of credentials and registries share.

// startList reads a list resource's configuration into cfg and picks the
// project to list: *projectID when the configuration sets it, else the
// provider's. An error leaves the project "".
func (d *providerData) startList(ctx context.Context, config tfsdk.Config, cfg any, projectID *types.String) (context.Context, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	diags.Append(config.Get(ctx, cfg)...)
	if diags.HasError() || !d.ready(&diags) {
		return ctx, "", diags
	}
	ctx = d.logContext(ctx)
	project := d.project(ctx, projectID.ValueString(), &diags)
	return ctx, project, diags
}

// listEntry is what a list result says of one object.
type listEntry struct {
	projectID, id string
	displayName   string
	status        rancher.Status
	model         any // the resource's model, for include_resource
}

// listResults turns a scan into list results, skipping objects that are
// gone or on the other side of active than asked, and stopping after
// req.Limit results (the scan then reads no further page). An error of the
// scan ends the results with a diagnostic: summary, in projectID.
func listResults[T any](ctx context.Context, req list.ListRequest, scan iter.Seq2[*T, error], active types.Bool, entry func(*T) listEntry, summary, projectID string) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		var found int64
		for obj, err := range scan {
			if err != nil {
				var diags diag.Diagnostics
				addAPIError(&diags, summary, err, projectID, fieldAttribute)
				push(list.ListResult{Diagnostics: diags})
				return
			}
			e := entry(obj)
			if e.status.Gone() || !active.IsNull() && rancher.IsActiveState(e.status.State) != active.ValueBool() {
				continue
			}
			result := req.NewListResult(ctx)
			result.DisplayName = e.displayName
			result.Diagnostics.Append(setIdentity(ctx, result.Identity, types.StringValue(e.projectID), types.StringValue(e.id))...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, e.model)...)
			}
			if !push(result) {
				return
			}
			if found++; req.Limit > 0 && found >= req.Limit {
				return
			}
		}
	}
}

// listableStateValidator accepts the states an object that exists can be in.
func listableStateValidator() validator.String {
	return stringvalidator.OneOf(
		rancher.StateRequested, rancher.StateRegistering, rancher.StateActivating, rancher.StateActive,
		rancher.StateDeactivating, rancher.StateInactive, rancher.StateUpdatingActive, rancher.StateUpdatingInactive,
	)
}

// listFilterAttributes are the filters of both list resources (what is
// "credentials" or "registries"), with the attributes of one kind added.
func listFilterAttributes(what string, kindOwn map[string]schema.Attribute) map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"project_id": schema.StringAttribute{
			MarkdownDescription: "Project (environment) to list, such as `1a5`. Defaults to the provider's project.",
			Optional:            true,
			Validators:          []validator.String{projectIDValidator()},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("Only the %s of exactly this name.", what),
			Optional:            true,
		},
		"state": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("Only the %s in this Rancher state, such as `active` or `inactive`.", what),
			Optional:            true,
			Validators:          []validator.String{listableStateValidator()},
		},
		"active": schema.BoolAttribute{
			MarkdownDescription: fmt.Sprintf("Only the active %[1]s (`true`) or only the inactive ones (`false`). "+
				"Those on their way to a state count as in it, as the resource's `active` does.", what),
			Optional: true,
		},
	}
	maps.Copy(attrs, kindOwn)
	return attrs
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// objectList is the list resource of one kind of object (T, a
// rancher.RegistryCredential or a rancher.Registry), for `terraform query`:
// the two kinds differ only in the filter of their own, how they are
// scanned and what a result says of each object.
type objectList[T any] struct {
	configuredResource

	typeName    string // after the provider's: "_registry_credential"
	what        string // "credentials", in descriptions
	description string // of the list resource
	// ownFilter names the filter of this kind's own (registry_id,
	// server_address), described by ownAttribute.
	ownFilter    string
	ownAttribute schema.StringAttribute
	// scan starts the scan of projectID that filters asks for, and says how
	// to describe each object it yields.
	scan func(ctx context.Context, c *rancher.Client, projectID string, filters listFilters) (iter.Seq2[*T, error], func(*T) listEntry, error)
}

// listFilters are the filters of a list resource's configuration; own is
// the value of the kind's own filter.
type listFilters struct {
	ProjectID, Name, State, Own types.String
	Active                      types.Bool
}

// listEntry is what a list result says of one object.
type listEntry struct {
	projectID, id string
	displayName   string
	status        rancher.Status
	model         any // the resource's model, for include_resource
}

func (l *objectList[T]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + l.typeName
}

func (l *objectList[T]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: l.description,
		Attributes: map[string]schema.Attribute{
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Project (environment) to list, such as `1a5`. Defaults to the provider's project.",
				Optional:            true,
				Validators:          []validator.String{projectIDValidator()},
			},
			l.ownFilter: l.ownAttribute,
			"name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Only the %s of exactly this name.", l.what),
				Optional:            true,
			},
			"state": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Only the %s in this Rancher state, such as `active` or `inactive`.", l.what),
				Optional:            true,
				Validators: []validator.String{stringvalidator.OneOf(
					rancher.StateRequested, rancher.StateRegistering, rancher.StateActivating, rancher.StateActive,
					rancher.StateDeactivating, rancher.StateInactive, rancher.StateUpdatingActive, rancher.StateUpdatingInactive,
				)},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: fmt.Sprintf("Only the active %[1]s (`true`) or only the inactive ones (`false`). "+
					"Those on their way to a state count as in it, as the resource's `active` does.", l.what),
				Optional: true,
			},
		},
	}
}

// List streams a result for each object of the scan, skipping objects that
// are gone (Cattle lists objects being removed) or on the other side of
// active than asked, and stopping after req.Limit results: the scan then
// reads no further page. An error of the scan ends the results with a
// diagnostic.
func (l *objectList[T]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var f listFilters
	var diags diag.Diagnostics
	for name, target := range map[string]any{"project_id": &f.ProjectID, "name": &f.Name, "state": &f.State, "active": &f.Active, l.ownFilter: &f.Own} {
		diags.Append(req.Config.GetAttribute(ctx, path.Root(name), target)...)
	}
	if diags.HasError() || !l.data.ready(&diags) {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	ctx = l.data.logContext(ctx)
	summary := "Cannot list the " + l.what
	projectID := l.data.project(ctx, f.ProjectID.ValueString(), &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	scan, entry, err := l.scan(ctx, l.data.client, projectID, f)
	if err != nil {
		addAPIError(&diags, summary, err, projectID, fieldAttribute)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}

	stream.Results = func(push func(list.ListResult) bool) {
		var found int64
		for obj, err := range scan {
			if err != nil {
				var diags diag.Diagnostics
				addAPIError(&diags, summary, err, projectID, fieldAttribute)
				push(list.ListResult{Diagnostics: diags})
				return
			}
			e := entry(obj)
			if e.status.Gone() || !f.Active.IsNull() && rancher.IsActiveState(e.status.State) != f.Active.ValueBool() {
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

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

var (
	_ resource.Resource                 = (*registryResource)(nil)
	_ resource.ResourceWithConfigure    = (*registryResource)(nil)
	_ resource.ResourceWithImportState  = (*registryResource)(nil)
	_ resource.ResourceWithUpgradeState = (*registryResource)(nil)
	_ resource.ResourceWithMoveState    = (*registryResource)(nil)
	_ resource.ResourceWithIdentity     = (*registryResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*registryResource)(nil)
)

// NewRegistryResource is the constructor of rancher_registry.
func NewRegistryResource() resource.Resource {
	return &registryResource{}
}

type registryResource struct {
	configuredResource
}

type registryModel struct {
	ID            types.String   `tfsdk:"id"`
	ProjectID     types.String   `tfsdk:"project_id"`
	ServerAddress types.String   `tfsdk:"server_address"`
	Name          types.String   `tfsdk:"name"`
	Description   types.String   `tfsdk:"description"`
	Active        types.Bool     `tfsdk:"active"`
	State         types.String   `tfsdk:"state"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

func (r *registryResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry"
}

func (r *registryResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: schemaVersion,
		MarkdownDescription: "A private image registry known to a Rancher 1.x environment, such as `registry.example.com`. " +
			"Containers of the environment pull from it with the registry's credentials (`rancher_registry_credential`). " +
			"Destroying it removes and then purges it in Rancher, which frees its server address at once " +
			"(Rancher keeps the address of a removed registry taken until it is purged) and removes any credentials left on it.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("Rancher id of the registry, such as `1sp3`."),
			"project_id": projectIDAttribute("Project (environment) of the registry, such as `1a5`. " +
				"Defaults to the provider's project. Changing it replaces the registry."),
			"server_address": schema.StringAttribute{
				MarkdownDescription: "Host (and optional port) of the registry, such as `registry.example.com` or `index.docker.io`. " +
					"Unique within a project, compared without regard to case. Rancher cannot change it, so changing it replaces the registry.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 255)},
			},
			"name":        nameAttribute("Name of the registry."),
			"description": descriptionAttribute("Description of the registry."),
			"active": activeAttribute("Whether the registry is active. Defaults to `true`. If someone deactivates it outside Terraform, " +
				"the next plan shows it and apply activates it again."),
			"state": stateAttribute("State of the registry in Rancher, such as `active` or `inactive`."),
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

// IdentitySchema is the identity Terraform 1.12 and later record for each
// registry: its project and id.
func (r *registryResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = objectIdentitySchema("registry", "1sp3")
}

// UpgradeState upgrades version-0 states, such as those of the archived
// hashicorp/rancher provider after `terraform state replace-provider`.
func (r *registryResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	return upgradeFromV0(schemaOf(ctx, r))
}

// MoveState takes over a rancher_registry of the archived provider named in a
// `moved` block.
func (r *registryResource) MoveState(ctx context.Context) []resource.StateMover {
	return moveFromLegacy("rancher_registry", schemaOf(ctx, r))
}

func (r *registryResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan registryModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = r.data.logContext(ctx)
	op, end, ok := beginOperation(ctx, plan.Timeouts.Create, "create the registry", &resp.Diagnostics)
	defer end()
	if !ok {
		return
	}

	projectID := r.data.project(op, plan.ProjectID.ValueString(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	defer r.data.writing(registriesScope(projectID))()
	client := r.data.client
	address := plan.ServerAddress.ValueString()
	reg, err := client.CreateRegistry(op, projectID, rancher.RegistryCreate{
		ServerAddress: address,
		Name:          plan.Name.ValueStringPointer(),
		Description:   plan.Description.ValueStringPointer(),
	})
	if err != nil {
		r.data.addCreateRegistryError(op, &resp.Diagnostics, graceOverError(op, err), projectID, address)
		return
	}
	tflog.Info(op, "created registry", map[string]any{"id": reg.ID, "project_id": projectID})

	wantActive := plan.Active.ValueBool()
	plan.ProjectID = types.StringValue(projectID)
	plan.applyAPI(reg)
	reg, err = client.SettleCreatedRegistry(op, projectID, reg.ID, wantActive)
	if err == nil {
		plan.applyAPI(reg)
	}
	r.data.saveCreated(ctx, op, registryRemoval, resp, &plan, plan.ProjectID, plan.ID, err)
}

// addCreateRegistryError reports a failed create; when Rancher says the
// server address is used, it names the registry that holds it.
func (d *providerData) addCreateRegistryError(ctx context.Context, diags *diag.Diagnostics, err error, projectID, address string) {
	const summary = "Cannot create the registry"
	var apiErr *rancher.Error
	if errors.As(err, &apiErr) && apiErr.Code == "ServerAddressUsed" {
		registries, listErr := d.client.ListRegistries(ctx, projectID, rancher.RegistryFilter{ServerAddress: address})
		if holder := serverAddressHolder(liveOnly(registries, func(r rancher.Registry) bool { return r.Gone() }), address, nil); listErr == nil && holder != nil {
			addServerAddressUsed(diags, summary, projectID, address, holder)
			return
		}
	}
	addAPIError(diags, summary, err, projectID, fieldAttribute)
}

// ModifyPlan fails the plan of a new registry whose server address a live
// registry of the project already holds (see checkServerAddressFree).
func (r *registryResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.data.checkServerAddressFree(ctx, req, resp)
}

func (r *registryResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state registryModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = r.data.logContext(ctx)
	projectID := r.data.project(ctx, state.ProjectID.ValueString(), nil)
	reg, gone, err := r.data.readRegistry(ctx, state.ProjectID.ValueString(), state.ID.ValueString())
	if gone {
		forgetGone(ctx, resp, state.ProjectID, state.ID)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot read the registry", err, projectID, fieldAttribute)
		return
	}
	state.applyAPI(reg)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(recordObject(ctx, resp.Identity, resp.Private, state.ProjectID, state.ID)...)
}

func (r *registryResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state registryModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = r.data.logContext(ctx)
	op, end, ok := beginOperation(ctx, plan.Timeouts.Update, "update the registry", &resp.Diagnostics)
	defer end()
	if !ok {
		return
	}

	client := r.data.client
	id := state.ID.ValueString()
	projectID, gone, err := client.RegistryProject(op, state.ProjectID.ValueString(), r.data.project(op, "", nil), id)
	if err != nil || gone {
		addAPIError(&resp.Diagnostics, "Cannot update the registry", orGone(err, "registry", id), projectID, fieldAttribute)
		return
	}
	defer r.data.writing(registriesScope(projectID))()
	var u rancher.RegistryUpdate
	changed := false
	if !plan.Name.Equal(state.Name) {
		u.Name, changed = rancher.SetField(plan.Name.ValueStringPointer()), true
	}
	if !plan.Description.Equal(state.Description) {
		u.Description, changed = rancher.SetField(plan.Description.ValueStringPointer()), true
	}

	var reg *rancher.Registry
	if changed {
		if reg, err = client.UpdateRegistry(op, projectID, id, u); err != nil {
			addAPIError(&resp.Diagnostics, "Cannot update the registry", graceOverError(op, err), projectID, fieldAttribute)
			return
		}
	}
	reg, err = client.SettleUpdatedRegistry(op, projectID, id, reg, activeGoal(plan.Active, state.Active, state.State))
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot update the registry", graceOverError(op, err), projectID, fieldAttribute)
		return
	}
	plan.ID, plan.ProjectID = state.ID, types.StringValue(projectID)
	plan.applyAPI(reg)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.ProjectID, plan.ID)...)
}

func (r *registryResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state registryModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Removing a registry purges its credentials too.
	defer r.data.writing(registriesScope(state.ProjectID.ValueString()), credentialsScope(state.ProjectID.ValueString(), state.ID.ValueString()))()
	r.data.deleteObject(r.data.logContext(ctx), registryRemoval, state.ProjectID, state.ID, state.State, state.Timeouts, &resp.Diagnostics)
}

// ImportState takes "<project_id>/<id>" (the archived provider's
// "<environment_id>/<id>") or "<id>", found in whichever project the key
// reaches, the provider's first.
func (r *registryResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID, ok := importIDFromIdentity(ctx, req, registryIDPattern, "1sp3", &resp.Diagnostics)
	if !ok {
		return
	}
	projectID, id, ok := splitImportID(importID, registryIDPattern, projectIDPattern)
	if !ok {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("Expected \"<project_id>/<id>\" such as \"1a5/1sp3\", or \"<id>\" such as \"1sp3\"; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	if projectID != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("project_id"), projectID)...)
	}
}

func (m *registryModel) applyAPI(reg *rancher.Registry) {
	m.ID = types.StringValue(reg.ID)
	if reg.ProjectID != "" {
		m.ProjectID = types.StringValue(reg.ProjectID)
	}
	m.ServerAddress = types.StringValue(reg.ServerAddress)
	m.Name = types.StringPointerValue(reg.Name)
	m.Description = types.StringPointerValue(reg.Description)
	m.State = types.StringValue(reg.State)
	m.Active = types.BoolValue(rancher.IsActiveState(reg.State))
}

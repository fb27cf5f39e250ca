// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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

// defaultTimeout bounds create, update and delete when the timeouts block
// does not say otherwise. Credentials settle in well under a second on a
// healthy server; the margin is for busy ones.
const defaultTimeout = 10 * time.Minute

var (
	_ resource.Resource                 = (*registryCredentialResource)(nil)
	_ resource.ResourceWithConfigure    = (*registryCredentialResource)(nil)
	_ resource.ResourceWithImportState  = (*registryCredentialResource)(nil)
	_ resource.ResourceWithUpgradeState = (*registryCredentialResource)(nil)
	_ resource.ResourceWithMoveState    = (*registryCredentialResource)(nil)
	_ resource.ResourceWithIdentity     = (*registryCredentialResource)(nil)
	_ resource.ResourceWithModifyPlan   = (*registryCredentialResource)(nil)
)

// NewRegistryCredentialResource is the constructor of rancher_registry_credential.
func NewRegistryCredentialResource() resource.Resource {
	return &registryCredentialResource{}
}

type registryCredentialResource struct {
	configuredResource
}

type registryCredentialModel struct {
	ID                   types.String   `tfsdk:"id"`
	ProjectID            types.String   `tfsdk:"project_id"`
	RegistryID           types.String   `tfsdk:"registry_id"`
	Email                types.String   `tfsdk:"email"`
	PublicValue          types.String   `tfsdk:"public_value"`
	SecretValue          types.String   `tfsdk:"secret_value"`
	SecretValueWO        types.String   `tfsdk:"secret_value_wo"`
	SecretValueWOVersion types.Int64    `tfsdk:"secret_value_wo_version"`
	Name                 types.String   `tfsdk:"name"`
	Description          types.String   `tfsdk:"description"`
	Active               types.Bool     `tfsdk:"active"`
	State                types.String   `tfsdk:"state"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

func (r *registryCredentialResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry_credential"
}

func (r *registryCredentialResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Version: schemaVersion,
		MarkdownDescription: "A registry credential: the user name and password a Rancher 1.x environment uses to pull images " +
			"from a private registry. Rancher never returns the password to environment API keys, so Terraform keeps the value " +
			"it last set (`secret_value`), or never stores it at all (`secret_value_wo`).",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("Rancher id of the credential, such as `1c7`."),
			"project_id": projectIDAttribute("Project (environment) of the credential, such as `1a5`. " +
				"Defaults to the provider's project. Changing it replaces the credential."),
			"registry_id": schema.StringAttribute{
				MarkdownDescription: "Id of the registry the credential is for, such as `1sp3` (for example `rancher_registry.x.id`). " +
					"Rancher cannot move a credential to another registry, so changing it replaces the credential.",
				Required:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{registryIDValidator()},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "E-mail address of the registry account. The Rancher 1.x v1 API requires it; any non-empty text is accepted.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"public_value": schema.StringAttribute{
				MarkdownDescription: "User name of the registry account.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtMost(4096)},
			},
			"secret_value": schema.StringAttribute{
				MarkdownDescription: "Password (or token) of the registry account. Stored in Terraform state, marked sensitive. " +
					"Changing it updates the credential in place. Prefer `secret_value_wo` on Terraform 1.11 and later.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthAtMost(4096),
					stringvalidator.ConflictsWith(path.MatchRoot("secret_value_wo")),
				},
			},
			"secret_value_wo": schema.StringAttribute{
				MarkdownDescription: "Password (or token) of the registry account, never stored in plan or state. " +
					"It is sent when the credential is created, and again whenever `secret_value_wo_version` changes.",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthAtMost(4096)},
			},
			"secret_value_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Version of `secret_value_wo`. Change it (for example, increment it) to send a new `secret_value_wo`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("secret_value_wo"))},
			},
			"name":        nameAttribute("Name of the credential."),
			"description": descriptionAttribute("Description of the credential."),
			"active": activeAttribute("Whether the credential is active: Rancher uses only active credentials to pull images. " +
				"Defaults to `true`. If someone deactivates the credential outside Terraform, the next plan shows it and apply activates it again."),
			"state": stateAttribute("State of the credential in Rancher, such as `active` or `inactive`."),
		},
		Blocks: map[string]schema.Block{"timeouts": timeoutsBlock(ctx)},
	}
}

// IdentitySchema is the identity Terraform 1.12 and later record for each
// registry credential: its project and id.
func (r *registryCredentialResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = objectIdentitySchema("registry credential", "1c7")
}

// UpgradeState upgrades version-0 states, such as those of the archived
// hashicorp/rancher provider after `terraform state replace-provider`.
func (r *registryCredentialResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	return upgradeFromV0(schemaOf(ctx, r))
}

// MoveState takes over a rancher_registry_credential of the archived provider named in a
// `moved` block.
func (r *registryCredentialResource) MoveState(ctx context.Context) []resource.StateMover {
	return moveFromLegacy("rancher_registry_credential", schemaOf(ctx, r))
}

func (r *registryCredentialResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan registryCredentialModel
	var secretWO types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_value_wo"), &secretWO)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = r.data.logContext(ctx, plan.SecretValue.ValueString(), secretWO.ValueString())
	op, end, ok := beginOperation(ctx, plan.Timeouts.Create, "create the registry credential", &resp.Diagnostics)
	defer end()
	if !ok {
		return
	}

	projectID := r.data.project(op, plan.ProjectID.ValueString(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	defer r.data.writing(credentialsScope(projectID, plan.RegistryID.ValueString()))()
	secret := plan.SecretValue.ValueStringPointer()
	if !secretWO.IsNull() {
		secret = secretWO.ValueStringPointer()
	}
	client := r.data.client
	cred, err := client.CreateRegistryCredential(op, projectID, rancher.RegistryCredentialCreate{
		RegistryID:  plan.RegistryID.ValueString(),
		Email:       plan.Email.ValueString(),
		Name:        plan.Name.ValueStringPointer(),
		Description: plan.Description.ValueStringPointer(),
		PublicValue: plan.PublicValue.ValueStringPointer(),
		SecretValue: secret,
	})
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot create the registry credential", graceOverError(op, err), projectID, credentialAttribute(secretWO))
		return
	}
	tflog.Info(op, "created registry credential", map[string]any{"id": cred.ID, "project_id": projectID})

	wantActive := plan.Active.ValueBool()
	plan.ProjectID = types.StringValue(projectID)
	plan.applyAPI(cred)
	cred, err = client.SettleCreatedRegistryCredential(op, projectID, cred.ID, wantActive)
	if err == nil {
		plan.applyAPI(cred)
	}
	r.data.saveCreated(ctx, op, credentialRemoval, resp, &plan, plan.ProjectID, plan.ID, err)
}

// ModifyPlan looks, before a credential is created, at what its registry
// already holds (see warnAboutExistingCredentials).
func (r *registryCredentialResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.data.warnAboutExistingCredentials(ctx, req, resp)
}

func (r *registryCredentialResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state registryCredentialModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = r.data.logContext(ctx, state.SecretValue.ValueString())

	projectID := r.data.project(ctx, state.ProjectID.ValueString(), nil)
	cred, list, gone, err := r.data.readCredential(ctx, state.ProjectID.ValueString(), state.RegistryID.ValueString(), state.ID.ValueString())
	if gone {
		forgetGone(ctx, resp, state.ProjectID, state.ID)
		return
	}
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot read the registry credential", err, projectID, fieldAttribute)
		return
	}
	state.applyAPI(cred)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(recordObject(ctx, resp.Identity, resp.Private, state.ProjectID, state.ID)...)
	// The registry's list, when it served this Read, also tells which of its
	// credentials Rancher pulls with.
	if used := pulledWith(list); list != nil && cred.State == rancher.StateActive && used != nil && used.ID != cred.ID {
		addShadowedWarning(&resp.Diagnostics, "this resource manages", cred.RegistryID, *used)
	}
}

func (r *registryCredentialResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state registryCredentialModel
	var secretWO types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_value_wo"), &secretWO)...)
	if resp.Diagnostics.HasError() || !r.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = r.data.logContext(ctx, plan.SecretValue.ValueString(), state.SecretValue.ValueString(), secretWO.ValueString())
	op, end, ok := beginOperation(ctx, plan.Timeouts.Update, "update the registry credential", &resp.Diagnostics)
	defer end()
	if !ok {
		return
	}

	client := r.data.client
	id := state.ID.ValueString()
	projectID, gone, err := client.RegistryCredentialProject(op, state.ProjectID.ValueString(), r.data.project(op, "", nil), id)
	if err != nil || gone {
		addAPIError(&resp.Diagnostics, "Cannot update the registry credential", orGone(err, "registry credential", id), projectID, fieldAttribute)
		return
	}
	defer r.data.writing(credentialsScope(projectID, state.RegistryID.ValueString()))()
	changes, changed := credentialChanges(plan, state, secretWO)

	var cred *rancher.RegistryCredential
	if changed {
		cred, err = client.UpdateRegistryCredential(op, projectID, id, changes)
		if err != nil {
			addAPIError(&resp.Diagnostics, "Cannot update the registry credential", graceOverError(op, err), projectID, credentialAttribute(secretWO))
			return
		}
	}
	cred, err = client.SettleUpdatedRegistryCredential(op, projectID, id, cred, activeGoal(plan.Active, state.Active, state.State))
	if err != nil {
		addAPIError(&resp.Diagnostics, "Cannot update the registry credential", graceOverError(op, err), projectID, credentialAttribute(secretWO))
		return
	}
	plan.ID, plan.ProjectID = state.ID, types.StringValue(projectID)
	plan.applyAPI(cred)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.ProjectID, plan.ID)...)
}

// credentialChanges lists the updatable fields whose planned value differs
// from state; only these are sent.
func credentialChanges(plan, state registryCredentialModel, secretWO types.String) (rancher.RegistryCredentialUpdate, bool) {
	var u rancher.RegistryCredentialUpdate
	changed := false
	set := func(field *rancher.Field, planned, prior types.String) {
		if !planned.Equal(prior) {
			*field = rancher.SetField(planned.ValueStringPointer())
			changed = true
		}
	}
	set(&u.Email, plan.Email, state.Email)
	set(&u.Name, plan.Name, state.Name)
	set(&u.Description, plan.Description, state.Description)
	set(&u.PublicValue, plan.PublicValue, state.PublicValue)
	switch {
	case !secretWO.IsNull() && !plan.SecretValueWOVersion.Equal(state.SecretValueWOVersion):
		u.SecretValue = rancher.SetField(secretWO.ValueStringPointer())
		changed = true
	case !secretWO.IsNull():
		// The write-only value is sent only when its version changes.
	default:
		set(&u.SecretValue, plan.SecretValue, state.SecretValue)
	}
	return u, changed
}

func (r *registryCredentialResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state registryCredentialModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = r.data.logContext(ctx, state.SecretValue.ValueString())
	defer r.data.writing(credentialsScope(state.ProjectID.ValueString(), state.RegistryID.ValueString()))()
	r.data.deleteObject(ctx, credentialRemoval, state.ProjectID, state.ID, state.State, state.Timeouts, &resp.Diagnostics)
}

// ImportState takes "<project_id>/<id>", "<id>" (found in whichever project
// the key reaches, the provider's first) and the archived provider's
// "<registry_id>/<id>".
func (r *registryCredentialResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importID, ok := importIDFromIdentity(ctx, req, credentialIDPattern, "1c7", &resp.Diagnostics)
	if !ok {
		return
	}
	scope, id, ok := splitImportID(importID, credentialIDPattern, projectIDPattern, registryIDPattern)
	if !ok {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("Expected \"<project_id>/<id>\" such as \"1a5/1c7\", \"<id>\" such as \"1c7\", "+
				"or the hashicorp/rancher provider's \"<registry_id>/<id>\" such as \"1sp3/1c7\"; got %q.", importID))
		return
	}
	if registryIDPattern.MatchString(scope) {
		// The legacy form names the registry, not the project: find the
		// credential and check that it belongs to that registry.
		if !r.data.ready(&resp.Diagnostics) {
			return
		}
		cred, gone, err := r.data.client.ReadLiveRegistryCredential(ctx, r.data.project(ctx, "", nil), id)
		if err != nil || gone {
			addAPIError(&resp.Diagnostics, "Cannot import the registry credential", orGone(err, "registry credential", id), "", fieldAttribute)
			return
		}
		if cred.RegistryID != scope {
			resp.Diagnostics.AddError("Cannot import the registry credential",
				fmt.Sprintf("Registry credential %s belongs to registry %s, not %s. Import it as %q.", id, cred.RegistryID, scope, cred.RegistryID+"/"+id))
			return
		}
		scope = cred.ProjectID
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	if scope != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("project_id"), scope)...)
	}
}

// credentialAttribute maps an API field to this resource's attribute; an error on
// the secret is shown on whichever secret attribute the configuration uses.
func credentialAttribute(secretWO types.String) func(string) (path.Path, bool) {
	return func(field string) (path.Path, bool) {
		if field == "secretValue" && !secretWO.IsNull() {
			return path.Root("secret_value_wo"), true
		}
		return fieldAttribute(field)
	}
}

// applyAPI copies what Rancher reports into the model. The secret is kept
// from the model, since Rancher returns it only to some keys; when it does
// return it, the returned value wins so that a change made outside Terraform
// shows in plan.
func (m *registryCredentialModel) applyAPI(c *rancher.RegistryCredential) {
	m.ID = types.StringValue(c.ID)
	if c.ProjectID != "" {
		m.ProjectID = types.StringValue(c.ProjectID)
	}
	m.RegistryID = types.StringValue(c.RegistryID)
	m.Email = types.StringValue(c.Email)
	m.Name = types.StringPointerValue(c.Name)
	m.Description = types.StringPointerValue(c.Description)
	m.PublicValue = types.StringPointerValue(c.PublicValue)
	if c.SecretValue != nil && !m.SecretValue.IsNull() {
		m.SecretValue = types.StringPointerValue(c.SecretValue)
	}
	m.State = types.StringValue(c.State)
	m.Active = types.BoolValue(rancher.IsActiveState(c.State))
}

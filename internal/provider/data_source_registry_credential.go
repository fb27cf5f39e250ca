// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

var (
	_ datasource.DataSource                     = (*registryCredentialDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*registryCredentialDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*registryCredentialDataSource)(nil)
)

// NewRegistryCredentialDataSource is the constructor of the
// rancher_registry_credential data source.
func NewRegistryCredentialDataSource() datasource.DataSource {
	return &registryCredentialDataSource{}
}

type registryCredentialDataSource struct {
	configuredDataSource
}

type registryCredentialDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	ProjectID   types.String `tfsdk:"project_id"`
	RegistryID  types.String `tfsdk:"registry_id"`
	Name        types.String `tfsdk:"name"`
	Email       types.String `tfsdk:"email"`
	PublicValue types.String `tfsdk:"public_value"`
	Description types.String `tfsdk:"description"`
	Active      types.Bool   `tfsdk:"active"`
	State       types.String `tfsdk:"state"`
}

func (d *registryCredentialDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry_credential"
}

func (d *registryCredentialDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a registry credential of a Rancher 1.x environment, either by `id`, or by `registry_id` and `name`. " +
			"Exactly one credential must match: no match, several matches and a removed credential are errors. " +
			"The password is never exposed: Rancher does not return it to environment API keys.",
		Attributes: map[string]schema.Attribute{
			"id": lookupAttribute("Rancher id of the credential, such as `1c7`. Set it to look the credential up by id; "+
				"otherwise set `registry_id` and `name`.",
				credentialIDValidator()),
			"project_id": lookupAttribute("Project (environment) to look in, such as `1a5`. Defaults to the provider's project.",
				projectIDValidator()),
			"registry_id": lookupAttribute("Id of the credential's registry, such as `1sp3`. Set it together with `name` to look the credential up by name.",
				registryIDValidator()),
			"name": lookupAttribute("Name of the credential, compared exactly. Set it together with `registry_id` to look the credential up by name; "+
				"Rancher does not require names to be unique, so several credentials of the same name on one registry are an error.",
				stringvalidator.LengthBetween(1, 255)),
			"email":        readString("E-mail address of the registry account."),
			"public_value": readString("User name of the registry account."),
			"description":  readString("Description of the credential."),
			"active":       readBool("Whether the credential is active (or becoming active): Rancher uses only active credentials to pull images."),
			"state":        readString("State of the credential in Rancher, such as `active` or `inactive`."),
		},
	}
}

func (d *registryCredentialDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("registry_id")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("registry_id"), path.MatchRoot("name")),
		datasourcevalidator.Conflicting(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *registryCredentialDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg registryCredentialDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = d.data.logContext(ctx)
	projectID := d.data.project(ctx, cfg.ProjectID.ValueString(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	var cred *rancher.RegistryCredential
	if id := cfg.ID.ValueString(); id != "" {
		cred = d.byID(ctx, projectID, id, &resp.Diagnostics)
	} else {
		cred = d.byName(ctx, projectID, cfg.RegistryID.ValueString(), cfg.Name.ValueString(), &resp.Diagnostics)
	}
	if cred == nil {
		return
	}
	tflog.Debug(ctx, "read registry credential", map[string]any{"id": cred.ID, "project_id": projectID})

	state := registryCredentialDataSourceModel{
		ID:          types.StringValue(cred.ID),
		ProjectID:   types.StringValue(projectID),
		RegistryID:  types.StringValue(cred.RegistryID),
		Name:        types.StringPointerValue(cred.Name),
		Email:       types.StringValue(cred.Email),
		PublicValue: types.StringPointerValue(cred.PublicValue),
		Description: types.StringPointerValue(cred.Description),
		Active:      types.BoolValue(rancher.IsActiveState(cred.State)),
		State:       types.StringValue(cred.State),
	}
	if cred.ProjectID != "" {
		state.ProjectID = types.StringValue(cred.ProjectID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// byID reads one credential; a missing or removed one is an error.
func (d *registryCredentialDataSource) byID(ctx context.Context, projectID, id string, diags *diag.Diagnostics) *rancher.RegistryCredential {
	cred, err := d.data.client.GetRegistryCredential(ctx, projectID, id)
	if !foundByID(diags, "registry credential", projectID, id, err, func() rancher.Status { return cred.Status }) {
		return nil
	}
	return cred
}

// byName finds the one credential of a registry with the given name.
func (d *registryCredentialDataSource) byName(ctx context.Context, projectID, registryID, name string, diags *diag.Diagnostics) *rancher.RegistryCredential {
	list, err := d.data.client.ListRegistryCredentials(ctx, projectID, rancher.RegistryCredentialFilter{RegistryID: registryID, Name: name})
	if err != nil {
		addAPIError(diags, "Cannot list registry credentials", err, projectID, fieldAttribute)
		return nil
	}
	// The API filters exactly already; check again, and drop credentials
	// being removed, which Rancher still lists.
	var found []rancher.RegistryCredential
	for _, c := range list {
		if c.RegistryID == registryID && c.Name != nil && *c.Name == name && !c.Gone() {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		diags.AddError("Registry credential not found",
			fmt.Sprintf("There is no registry credential named %q on registry %s in project %s.", name, registryID, projectID))
		return nil
	case 1:
		return &found[0]
	}
	ids := make([]string, len(found))
	for i, c := range found {
		ids[i] = c.ID
	}
	diags.AddError("Several registry credentials match",
		fmt.Sprintf("There are %d registry credentials named %q on registry %s in project %s: %s. "+
			"Rancher does not require names to be unique; look the credential up by id instead.",
			len(found), name, registryID, projectID, strings.Join(ids, ", ")))
	return nil
}

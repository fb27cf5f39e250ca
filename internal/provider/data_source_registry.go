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
	_ datasource.DataSource                     = (*registryDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*registryDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*registryDataSource)(nil)
)

// NewRegistryDataSource is the constructor of the rancher_registry data source.
func NewRegistryDataSource() datasource.DataSource {
	return &registryDataSource{}
}

type registryDataSource struct {
	configuredDataSource
}

type registryDataSourceModel struct {
	ID            types.String `tfsdk:"id"`
	ProjectID     types.String `tfsdk:"project_id"`
	ServerAddress types.String `tfsdk:"server_address"`
	Name          types.String `tfsdk:"name"`
	Description   types.String `tfsdk:"description"`
	Active        types.Bool   `tfsdk:"active"`
	State         types.String `tfsdk:"state"`
}

func (d *registryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry"
}

func (d *registryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a private image registry of a Rancher 1.x environment, either by `id` or by `server_address`. " +
			"Exactly one registry must match: no match and a removed registry are errors.",
		Attributes: map[string]schema.Attribute{
			"id": lookupAttribute("Rancher id of the registry, such as `1sp3`. Set either `id` or `server_address`.",
				registryIDValidator()),
			"project_id": lookupAttribute("Project (environment) to look in, such as `1a5`. Defaults to the provider's project.",
				projectIDValidator()),
			"server_address": lookupAttribute("Host (and optional port) of the registry, such as `registry.example.com`. Set either `id` or `server_address`. "+
				"Compared without regard to case, as Rancher does when it keeps addresses unique within a project; "+
				"the attribute then holds the address as Rancher stores it.",
				stringvalidator.LengthBetween(1, 255)),
			"name":        readString("Name of the registry."),
			"description": readString("Description of the registry."),
			"active":      readBool("Whether the registry is active (or becoming active)."),
			"state":       readString("State of the registry in Rancher, such as `active` or `inactive`."),
		},
	}
}

func (d *registryDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("server_address")),
	}
}

func (d *registryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg registryDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = d.data.logContext(ctx)
	projectID := d.data.project(ctx, cfg.ProjectID.ValueString(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	var reg *rancher.Registry
	if id := cfg.ID.ValueString(); id != "" {
		reg = d.byID(ctx, projectID, id, &resp.Diagnostics)
	} else {
		reg = d.byServerAddress(ctx, projectID, cfg.ServerAddress.ValueString(), &resp.Diagnostics)
	}
	if reg == nil {
		return
	}
	tflog.Debug(ctx, "read registry", map[string]any{"id": reg.ID, "project_id": projectID})

	state := registryDataSourceModel{
		ID:            types.StringValue(reg.ID),
		ProjectID:     types.StringValue(projectID),
		ServerAddress: types.StringValue(reg.ServerAddress),
		Name:          types.StringPointerValue(reg.Name),
		Description:   types.StringPointerValue(reg.Description),
		Active:        types.BoolValue(rancher.IsActiveState(reg.State)),
		State:         types.StringValue(reg.State),
	}
	if reg.ProjectID != "" {
		state.ProjectID = types.StringValue(reg.ProjectID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// byID reads one registry; a missing or removed one is an error.
func (d *registryDataSource) byID(ctx context.Context, projectID, id string, diags *diag.Diagnostics) *rancher.Registry {
	reg, err := d.data.client.GetRegistry(ctx, projectID, id)
	if !foundByID(diags, "registry", projectID, id, err, func() rancher.Status { return reg.Status }) {
		return nil
	}
	return reg
}

// byServerAddress finds the registry with the given address. Rancher keeps
// addresses unique within a project without regard to case, while its
// collection filter compares exactly; so the project's registries are listed
// (a project has few) and compared here without regard to case.
func (d *registryDataSource) byServerAddress(ctx context.Context, projectID, address string, diags *diag.Diagnostics) *rancher.Registry {
	list, err := d.data.client.ListRegistries(ctx, projectID, rancher.RegistryFilter{})
	if err != nil {
		addAPIError(diags, "Cannot list registries", err, projectID, fieldAttribute)
		return nil
	}
	var found []rancher.Registry
	for _, r := range list {
		// Registries being removed are still listed; they do not count.
		if strings.EqualFold(r.ServerAddress, address) && !r.Gone() {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		diags.AddAttributeError(path.Root("server_address"), "Registry not found",
			fmt.Sprintf("There is no registry with server address %q in project %s.", address, projectID))
		return nil
	case 1:
		return &found[0]
	}
	// Rancher refuses duplicate addresses, so this takes a server that did not.
	ids := make([]string, len(found))
	for i, r := range found {
		ids[i] = r.ID
	}
	diags.AddAttributeError(path.Root("server_address"), "Several registries match",
		fmt.Sprintf("There are %d registries with server address %q in project %s: %s. Look the registry up by id instead.",
			len(found), address, projectID, strings.Join(ids, ", ")))
	return nil
}

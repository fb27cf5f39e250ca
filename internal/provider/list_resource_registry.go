package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

var (
	_ list.ListResource              = (*registryListResource)(nil)
	_ list.ListResourceWithConfigure = (*registryListResource)(nil)
)

// NewRegistryListResource is the constructor of the rancher_registry list
// resource, for `terraform query`.
func NewRegistryListResource() list.ListResource {
	return &registryListResource{}
}

type registryListResource struct {
	configuredResource
}

type registryListModel struct {
	ProjectID     types.String `tfsdk:"project_id"`
	ServerAddress types.String `tfsdk:"server_address"`
	Name          types.String `tfsdk:"name"`
	State         types.String `tfsdk:"state"`
	Active        types.Bool   `tfsdk:"active"`
}

func (r *registryListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry"
}

func (r *registryListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the registries of a Rancher 1.x environment, for `terraform query`: with " +
			"`-generate-config-out`, Terraform writes a `resource` and an `import` block for each one found.",
		Attributes: listFilterAttributes("registries", map[string]schema.Attribute{
			"server_address": schema.StringAttribute{
				MarkdownDescription: "Only the registry of exactly this server address, such as `registry.example.com`.",
				Optional:            true,
			},
		}),
	}
}

func (r *registryListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg registryListModel
	ctx, projectID, diags := r.data.startList(ctx, req.Config, &cfg, &cfg.ProjectID)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	scan := r.data.client.ScanRegistries(ctx, projectID, rancher.RegistryFilter{
		ServerAddress: cfg.ServerAddress.ValueString(),
		Name:          cfg.Name.ValueString(),
		State:         cfg.State.ValueString(),
	})
	stream.Results = listResults(ctx, req, scan, cfg.Active, func(reg *rancher.Registry) listEntry {
		m := &registryModel{Timeouts: nullTimeouts()}
		m.applyAPI(reg)
		return listEntry{projectID: reg.ProjectID, id: reg.ID, displayName: registryDisplayName(reg), status: reg.Status, model: m}
	}, "Cannot list the registries", projectID)
}

// registryDisplayName is what `terraform query` shows for a registry: its
// name (or id), server address and state, such as
// "internal: registry.example.com (active)".
func registryDisplayName(r *rancher.Registry) string {
	name := r.ID
	if r.Name != nil && *r.Name != "" {
		name = *r.Name
	}
	return fmt.Sprintf("%s: %s (%s)", name, r.ServerAddress, r.State)
}

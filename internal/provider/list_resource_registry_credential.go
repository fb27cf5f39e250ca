package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

var (
	_ list.ListResource              = (*registryCredentialListResource)(nil)
	_ list.ListResourceWithConfigure = (*registryCredentialListResource)(nil)
)

// NewRegistryCredentialListResource is the constructor of the
// rancher_registry_credential list resource, for `terraform query`.
func NewRegistryCredentialListResource() list.ListResource {
	return &registryCredentialListResource{}
}

type registryCredentialListResource struct {
	configuredResource
}

type registryCredentialListModel struct {
	ProjectID  types.String `tfsdk:"project_id"`
	RegistryID types.String `tfsdk:"registry_id"`
	Name       types.String `tfsdk:"name"`
	State      types.String `tfsdk:"state"`
	Active     types.Bool   `tfsdk:"active"`
}

func (r *registryCredentialListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_registry_credential"
}

func (r *registryCredentialListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the registry credentials of a Rancher 1.x environment, for `terraform query`: with " +
			"`-generate-config-out`, Terraform writes a `resource` and an `import` block for each one found.",
		Attributes: listFilterAttributes("credentials", map[string]schema.Attribute{
			"registry_id": schema.StringAttribute{
				MarkdownDescription: "Only the credentials of this registry, such as `1sp3`.",
				Optional:            true,
				Validators:          []validator.String{registryIDValidator()},
			},
		}),
	}
}

func (r *registryCredentialListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	const summary = "Cannot list the registry credentials"
	var cfg registryCredentialListModel
	ctx, projectID, diags := r.data.startList(ctx, req.Config, &cfg, &cfg.ProjectID)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	// One request names every registry in the display names: a person
	// recognises a credential by its registry's address, not its id.
	addresses, err := r.data.client.RegistryAddresses(ctx, projectID, cfg.RegistryID.ValueString())
	if err != nil {
		addAPIError(&diags, summary, err, projectID, fieldAttribute)
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	scan := r.data.client.ScanRegistryCredentials(ctx, projectID, rancher.RegistryCredentialFilter{
		RegistryID: cfg.RegistryID.ValueString(),
		Name:       cfg.Name.ValueString(),
		State:      cfg.State.ValueString(),
	})
	stream.Results = listResults(ctx, req, scan, cfg.Active, func(c *rancher.RegistryCredential) listEntry {
		m := &registryCredentialModel{Timeouts: nullTimeouts()}
		m.applyAPI(c)
		return listEntry{projectID: c.ProjectID, id: c.ID, displayName: credentialDisplayName(c, addresses), status: c.Status, model: m}
	}, summary, projectID)
}

// credentialDisplayName is what `terraform query` shows for a credential:
// its name (or id), user name and registry address, and its state, such as
// "ci-pull: ci-bot at registry.example.com (active)".
func credentialDisplayName(c *rancher.RegistryCredential, addresses map[string]string) string {
	name := c.ID
	if c.Name != nil && *c.Name != "" {
		name = *c.Name
	}
	registry := addresses[c.RegistryID]
	if registry == "" {
		registry = "registry " + c.RegistryID
	}
	if c.PublicValue != nil && *c.PublicValue != "" {
		registry = *c.PublicValue + " at " + registry
	}
	return fmt.Sprintf("%s: %s (%s)", name, registry, c.State)
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

var _ list.ListResourceWithConfigure = (*objectList[rancher.Registry])(nil)

// NewRegistryListResource is the constructor of the rancher_registry list
// resource, for `terraform query`.
func NewRegistryListResource() list.ListResource {
	return &objectList[rancher.Registry]{
		typeName: "_registry",
		what:     "registries",
		description: "Lists the registries of a Rancher 1.x environment, for `terraform query`: with " +
			"`-generate-config-out`, Terraform writes a `resource` and an `import` block for each one found.",
		ownFilter: "server_address",
		ownAttribute: schema.StringAttribute{
			MarkdownDescription: "Only the registry of exactly this server address, such as `registry.example.com`.",
			Optional:            true,
		},
		scan: scanRegistries,
	}
}

func scanRegistries(ctx context.Context, c *rancher.Client, projectID string, f listFilters) (iter.Seq2[*rancher.Registry, error], func(*rancher.Registry) listEntry, error) {
	scan := c.ScanRegistries(ctx, projectID, rancher.RegistryFilter{
		ServerAddress: f.Own.ValueString(),
		Name:          f.Name.ValueString(),
		State:         f.State.ValueString(),
	})
	return scan, func(reg *rancher.Registry) listEntry {
		m := &registryModel{Timeouts: nullTimeouts()}
		m.applyAPI(reg)
		return listEntry{projectID: reg.ProjectID, id: reg.ID, displayName: registryDisplayName(reg), status: reg.Status, model: m}
	}, nil
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

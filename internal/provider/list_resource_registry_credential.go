// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

var _ list.ListResourceWithConfigure = (*objectList[rancher.RegistryCredential])(nil)

// NewRegistryCredentialListResource is the constructor of the
// rancher_registry_credential list resource, for `terraform query`.
func NewRegistryCredentialListResource() list.ListResource {
	return &objectList[rancher.RegistryCredential]{
		typeName: "_registry_credential",
		what:     "credentials",
		description: "Lists the registry credentials of a Rancher 1.x environment, for `terraform query`: with " +
			"`-generate-config-out`, Terraform writes a `resource` and an `import` block for each one found.",
		ownFilter: "registry_id",
		ownAttribute: schema.StringAttribute{
			MarkdownDescription: "Only the credentials of this registry, such as `1sp3`.",
			Optional:            true,
			Validators:          []validator.String{registryIDValidator()},
		},
		scan: scanCredentials,
	}
}

func scanCredentials(ctx context.Context, c *rancher.Client, projectID string, f listFilters) (iter.Seq2[*rancher.RegistryCredential, error], func(*rancher.RegistryCredential) listEntry, error) {
	// One request names every registry in the display names: a person
	// recognises a credential by its registry's address, not its id.
	addresses, err := c.RegistryAddresses(ctx, projectID, f.Own.ValueString())
	if err != nil {
		return nil, nil, err
	}
	scan := c.ScanRegistryCredentials(ctx, projectID, rancher.RegistryCredentialFilter{
		RegistryID: f.Own.ValueString(),
		Name:       f.Name.ValueString(),
		State:      f.State.ValueString(),
	})
	return scan, func(cred *rancher.RegistryCredential) listEntry {
		m := &registryCredentialModel{Timeouts: nullTimeouts()}
		m.applyAPI(cred)
		return listEntry{projectID: cred.ProjectID, id: cred.ID, displayName: credentialDisplayName(cred, addresses), status: cred.Status, model: m}
	}, nil
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

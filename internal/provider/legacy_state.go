// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// schemaVersion is the state schema version of both resources. Version 0 was
// written by the archived hashicorp/rancher provider (SDKv1), whose users
// switch to this one, and by this provider's own pre-releases; both upgrade
// from their raw JSON.
const schemaVersion = 1

// legacyProvider is the archived provider for the same API, in
// NAMESPACE/TYPE form: its states can be moved with `moved` blocks.
const legacyProvider = "hashicorp/rancher"

// legacyRenames maps attributes of the archived provider's schema to this
// provider's; attributes this provider does not know are dropped.
var legacyRenames = map[string]string{"environment_id": "project_id"}

// stateFromV0 builds a state of the current schema from a version-0 state:
// it keeps the attributes the schema knows (the plain legacy secret_value
// becomes the sensitive one), renames the legacy ones and leaves what the
// old state lacks (email, active, state, timeouts, a credential's project)
// null for the next read to fill.
func stateFromV0(ctx context.Context, s schema.Schema, raw []byte) (tftypes.Value, error) {
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &attrs); err != nil {
		return tftypes.Value{}, fmt.Errorf("the state is not a JSON object: %w", err)
	}
	for from, to := range legacyRenames {
		v, ok := attrs[from]
		if !ok {
			continue
		}
		delete(attrs, from)
		if prior, ok := attrs[to]; !ok || string(prior) == "null" {
			attrs[to] = v
		}
	}
	for name, a := range s.Attributes {
		if a.IsWriteOnly() {
			delete(attrs, name)
		}
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return tftypes.Value{}, err
	}
	return tftypes.ValueFromJSONWithOpts(b, s.Type().TerraformType(ctx),
		tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true})
}

// upgradeFromV0 is the UpgradeState of both resources.
func upgradeFromV0(s schema.Schema) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: func(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
			if req.RawState == nil {
				resp.Diagnostics.AddError("Cannot upgrade the state", "The version-0 state has no data. This is a bug in the provider; please report it.")
				return
			}
			v, err := stateFromV0(ctx, s, req.RawState.JSON)
			if err != nil {
				resp.Diagnostics.AddError("Cannot upgrade the state",
					fmt.Sprintf("The version-0 state (written by hashicorp/rancher or a pre-release of this provider) cannot be read: %s", err))
				return
			}
			resp.State.Raw = v
		}},
	}
}

// moveFromLegacy is the MoveState of both resources: a `moved` block from a
// resource of the archived provider with the same type name carries its
// state over, the secret included, as the version-0 upgrade does.
func moveFromLegacy(typeName string, s schema.Schema) []resource.StateMover {
	return []resource.StateMover{{
		StateMover: func(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
			if req.SourceTypeName != typeName || !isLegacyProvider(req.SourceProviderAddress) {
				return
			}
			if req.SourceSchemaVersion != 0 || req.SourceRawState == nil {
				resp.Diagnostics.AddError("Cannot move the state",
					fmt.Sprintf("%s of %s has schema version %d; only version 0 (v1.5.0 and earlier) is known.",
						typeName, req.SourceProviderAddress, req.SourceSchemaVersion))
				return
			}
			v, err := stateFromV0(ctx, s, req.SourceRawState.JSON)
			if err != nil {
				resp.Diagnostics.AddError("Cannot move the state",
					fmt.Sprintf("The state of %s from %s cannot be read: %s", typeName, req.SourceProviderAddress, err))
				return
			}
			resp.TargetState.Raw = v
		},
	}}
}

// isLegacyProvider reports whether a provider address ("HOST/NAMESPACE/TYPE")
// is the archived provider, whichever registry host it was installed from.
func isLegacyProvider(address string) bool {
	parts := strings.Split(address, "/")
	return len(parts) == 3 && strings.EqualFold(parts[1]+"/"+parts[2], legacyProvider)
}

// schemaOf returns a resource's schema, for its state upgraders and movers.
func schemaOf(ctx context.Context, r resource.Resource) schema.Schema {
	var resp resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &resp)
	return resp.Schema
}

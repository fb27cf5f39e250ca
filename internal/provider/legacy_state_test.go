// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// legacyStateFile is a terraform.tfstate written by hashicorp/rancher
// v1.5.0: one registry and two credentials (the passwords are fake).
const legacyStateFile = "testdata/legacy-v1.5.0-state.json"

// legacyInstances returns the raw attributes of each instance of a resource
// type in the legacy state, by resource name.
func legacyInstances(t *testing.T, typeName string) map[string]json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(legacyStateFile)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				SchemaVersion int64           `json:"schema_version"`
				Attributes    json.RawMessage `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	out := map[string]json.RawMessage{}
	for _, r := range st.Resources {
		if r.Type != typeName {
			continue
		}
		for _, in := range r.Instances {
			if in.SchemaVersion != 0 {
				t.Fatalf("%s.%s has schema version %d, want 0", r.Type, r.Name, in.SchemaVersion)
			}
			out[r.Name] = in.Attributes
		}
	}
	return out
}

// upgrade runs a resource's version-0 upgrader on raw state JSON and reads
// the result into model.
func upgrade(t *testing.T, r resource.ResourceWithUpgradeState, raw []byte, model any) {
	t.Helper()
	ctx := context.Background()
	up, ok := r.UpgradeState(ctx)[0]
	if !ok {
		t.Fatal("no upgrader from version 0")
	}
	if up.PriorSchema != nil {
		t.Fatal("the version-0 upgrader must read raw JSON: the legacy and pre-release schemas differ")
	}
	resp := resource.UpgradeStateResponse{State: tfsdk.State{Schema: schemaOf(ctx, r)}}
	up.StateUpgrader(ctx, resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: raw}}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("upgrade: %v", resp.Diagnostics)
	}
	if d := resp.State.Get(ctx, model); d.HasError() {
		t.Fatalf("upgraded state does not fit the schema: %v", d)
	}
}

func TestUpgradeLegacyRegistryCredential(t *testing.T) {
	legacy := legacyInstances(t, "rancher_registry_credential")
	if len(legacy) != 2 {
		t.Fatalf("legacy state has %d credentials, want 2", len(legacy))
	}
	want := map[string]registryCredentialModel{
		"ci": {ID: types.StringValue("1c1"), RegistryID: types.StringValue("1sp1"), Name: types.StringValue("ci-pull"),
			Description: types.StringValue("Pulls images built by CI"), PublicValue: types.StringValue("ci-bot"),
			SecretValue: types.StringValue("FAKE-ci-password-not-a-secret")},
		"deploy": {ID: types.StringValue("1c2"), RegistryID: types.StringValue("1sp1"), Name: types.StringValue("deploy-pull"),
			Description: types.StringValue(""), PublicValue: types.StringValue("deploy-bot"),
			SecretValue: types.StringValue("FAKE-deploy-token-not-a-secret")},
	}
	for name, raw := range legacy {
		t.Run(name, func(t *testing.T) {
			var got registryCredentialModel
			upgrade(t, &registryCredentialResource{}, raw, &got)
			w := want[name]
			// What the legacy state lacks stays null for the next read:
			// the project (legacy credentials never recorded one), email
			// (never sent), active, state and timeouts.
			w.ProjectID, w.Email, w.Active, w.State = types.StringNull(), types.StringNull(), types.BoolNull(), types.StringNull()
			w.SecretValueWO, w.SecretValueWOVersion = types.StringNull(), types.Int64Null()
			w.Timeouts = got.Timeouts
			if !got.Timeouts.IsNull() {
				t.Errorf("timeouts = %v, want null", got.Timeouts)
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("upgraded\n got %+v\nwant %+v", got, w)
			}
		})
	}
}

func TestUpgradeLegacyRegistry(t *testing.T) {
	legacy := legacyInstances(t, "rancher_registry")
	raw, ok := legacy["internal"]
	if !ok || len(legacy) != 1 {
		t.Fatalf("legacy state registries: %v", legacy)
	}
	var got registryModel
	upgrade(t, &registryResource{}, raw, &got)
	want := registryModel{ID: types.StringValue("1sp1"), ProjectID: types.StringValue("1a5"),
		ServerAddress: types.StringValue("registry.example.com"), Name: types.StringValue("internal"),
		Description: types.StringValue("Images built by CI"), Active: types.BoolNull(), State: types.StringNull(), Timeouts: got.Timeouts}
	if !got.Timeouts.IsNull() {
		t.Errorf("timeouts = %v, want null", got.Timeouts)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("upgraded\n got %+v\nwant %+v", got, want)
	}
}

// A version-0 state of this provider's pre-releases keeps every value.
func TestUpgradePreReleaseStates(t *testing.T) {
	t.Run("credential", func(t *testing.T) {
		raw := `{"id":"1c7","project_id":"1a7","registry_id":"1sp3","email":"me@example.com","public_value":"me",
			"secret_value":null,"secret_value_wo":null,"secret_value_wo_version":2,"name":"n","description":null,
			"active":false,"state":"inactive","timeouts":{"create":"1m","update":null,"delete":"3m"}}`
		var got registryCredentialModel
		upgrade(t, &registryCredentialResource{}, []byte(raw), &got)
		if got.ID.ValueString() != "1c7" || got.ProjectID.ValueString() != "1a7" || got.Email.ValueString() != "me@example.com" ||
			got.SecretValueWOVersion.ValueInt64() != 2 || !got.SecretValue.IsNull() || !got.Description.IsNull() ||
			got.Active.ValueBool() || got.State.ValueString() != "inactive" {
			t.Errorf("upgraded %+v", got)
		}
		if d, _ := got.Timeouts.Create(context.Background(), 0); d.String() != "1m0s" {
			t.Errorf("timeouts.create = %s, want 1m0s", d)
		}
		if d, _ := got.Timeouts.Delete(context.Background(), 0); d.String() != "3m0s" {
			t.Errorf("timeouts.delete = %s, want 3m0s", d)
		}
	})
	t.Run("registry", func(t *testing.T) {
		raw := `{"id":"1sp3","project_id":"1a7","server_address":"r.example.com","name":null,"description":"d",
			"active":true,"state":"active","timeouts":null}`
		var got registryModel
		upgrade(t, &registryResource{}, []byte(raw), &got)
		if got.ID.ValueString() != "1sp3" || got.ProjectID.ValueString() != "1a7" || got.ServerAddress.ValueString() != "r.example.com" ||
			!got.Name.IsNull() || got.Description.ValueString() != "d" || !got.Active.ValueBool() || got.State.ValueString() != "active" {
			t.Errorf("upgraded %+v", got)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		ctx := context.Background()
		r := &registryResource{}
		resp := resource.UpgradeStateResponse{State: tfsdk.State{Schema: schemaOf(ctx, r)}}
		r.UpgradeState(ctx)[0].StateUpgrader(ctx, resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(`[1]`)}}, &resp)
		if !resp.Diagnostics.HasError() {
			t.Fatal("a state that is not an object upgraded without error")
		}
	})
}

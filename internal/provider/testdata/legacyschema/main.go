// SPDX-License-Identifier: MPL-2.0

// Command legacyschema stands in for the archived hashicorp/rancher
// provider (v1.5.0) in the migration tests, which cannot download it: a
// protocol-5 provider with that provider's arguments and the version-0
// schemas of rancher_registry and rancher_registry_credential, as that
// provider's source defines them.
//
// Terraform needs the provider that wrote a state to be installed, and reads
// its schemas, even when every one of its resources is moved to or imported
// by another provider. That is all this stand-in is for: it reads state back
// as it is and refuses to create, change or delete anything, so a test in
// which Terraform asks it to act on a resource fails.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func main() {
	if err := providerserver.Serve(context.Background(), func() provider.Provider { return legacyProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/hashicorp/rancher", ProtocolVersion: 5}); err != nil {
		log.Fatal(err)
	}
}

type legacyProvider struct{}

func (legacyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rancher"
	resp.Version = "1.5.0"
}

func (legacyProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"api_url":                pschema.StringAttribute{Optional: true},
		"access_key":             pschema.StringAttribute{Optional: true},
		"secret_key":             pschema.StringAttribute{Optional: true},
		"config":                 pschema.StringAttribute{Optional: true},
		"skip_config_validation": pschema.BoolAttribute{Optional: true},
	}}
}

func (legacyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (legacyProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource {
			return legacyResource{name: "registry", attrs: map[string]schema.Attribute{
				"id":             schema.StringAttribute{Computed: true},
				"name":           schema.StringAttribute{Required: true},
				"description":    schema.StringAttribute{Optional: true},
				"server_address": schema.StringAttribute{Required: true},
				"environment_id": schema.StringAttribute{Required: true},
			}}
		},
		func() resource.Resource {
			return legacyResource{name: "registry_credential", attrs: map[string]schema.Attribute{
				"id":           schema.StringAttribute{Computed: true},
				"name":         schema.StringAttribute{Required: true},
				"description":  schema.StringAttribute{Optional: true},
				"registry_id":  schema.StringAttribute{Required: true},
				"email":        schema.StringAttribute{Optional: true, DeprecationMessage: "The email parameter is not used anymore"},
				"public_value": schema.StringAttribute{Required: true},
				"secret_value": schema.StringAttribute{Required: true},
			}}
		},
	}
}

func (legacyProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type legacyResource struct {
	name  string
	attrs map[string]schema.Attribute
}

func (r legacyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.name
}

func (r legacyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{Version: 0, Attributes: r.attrs}
}

func (r legacyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw
}

func (r legacyResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("legacy stand-in", "the stand-in of hashicorp/rancher creates nothing")
}

func (r legacyResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("legacy stand-in", "the stand-in of hashicorp/rancher changes nothing")
}

func (r legacyResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddError("legacy stand-in", "the stand-in of hashicorp/rancher deletes nothing")
}

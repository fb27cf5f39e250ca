// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

func TestResolveSettings(t *testing.T) {
	dir := t.TempDir()
	cliJSON := filepath.Join(dir, "cli.json")
	if err := os.WriteFile(cliJSON, []byte(`{"url":"http://file:8080/v1","accessKey":"fileAK","secretKey":"fileSK","environment":"1a9"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	// The Rancher CLI 1.x writes its URL in this form.
	cliJSONV2Beta := filepath.Join(dir, "cli-v2-beta.json")
	if err := os.WriteFile(cliJSONV2Beta, []byte(`{"url":"http://file:8080/v2-beta/schemas","accessKey":"fileAK","secretKey":"fileSK"}`), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name        string
		cfg         providerModel
		env         map[string]string
		want        settings
		wantErr     string
		wantWarning string // substring of the one warning expected; "" means none
	}{
		{
			name: "attributes",
			cfg:  providerModel{APIURL: types.StringValue("http://attr:8080/"), AccessKey: types.StringValue("ak"), SecretKey: types.StringValue("sk")},
			want: settings{url: "http://attr:8080/v1", accessKey: "ak", secretKey: "sk"},
		},
		{
			name: "environment variables",
			env:  map[string]string{envURL: "http://env:8080/v1", envAccessKey: "envAK", envSecretKey: "envSK", envProjectID: "1a7"},
			want: settings{url: "http://env:8080/v1", accessKey: "envAK", secretKey: "envSK", projectID: "1a7"},
		},
		{
			name: "attribute over environment over file",
			cfg:  providerModel{AccessKey: types.StringValue("attrAK"), Config: types.StringValue(cliJSON)},
			env:  map[string]string{envSecretKey: "envSK"},
			want: settings{url: "http://file:8080/v1", accessKey: "attrAK", secretKey: "envSK", projectID: "1a9"},
		},
		{
			name: "cli.json named by environment variable",
			env:  map[string]string{envClientConfig: cliJSON},
			want: settings{url: "http://file:8080/v1", accessKey: "fileAK", secretKey: "fileSK", projectID: "1a9"},
		},
		{
			name: "project from the URL",
			cfg:  providerModel{APIURL: types.StringValue("http://h:8080/v1/projects/1a12/"), AccessKey: types.StringValue("ak"), SecretKey: types.StringValue("sk")},
			want: settings{url: "http://h:8080/v1", accessKey: "ak", secretKey: "sk", projectID: "1a12"},
		},
		{
			name: "project attribute over the URL's",
			cfg: providerModel{APIURL: types.StringValue("http://h:8080/v1/projects/1a12"), AccessKey: types.StringValue("ak"),
				SecretKey: types.StringValue("sk"), ProjectID: types.StringValue("1a3")},
			want: settings{url: "http://h:8080/v1", accessKey: "ak", secretKey: "sk", projectID: "1a3"},
		},
		{
			name:        "v2-beta URL of the archived provider is the same server's v1, with a warning",
			cfg:         providerModel{APIURL: types.StringValue("http://h:8080/v2-beta"), AccessKey: types.StringValue("ak"), SecretKey: types.StringValue("sk")},
			want:        settings{url: "http://h:8080/v1", accessKey: "ak", secretKey: "sk"},
			wantWarning: "so it uses http://h:8080/v1",
		},
		{
			name:        "v2-beta URL in RANCHER_URL warns too",
			env:         map[string]string{envURL: "http://h:8080/v2-beta/projects/1a7", envAccessKey: "ak", envSecretKey: "sk"},
			want:        settings{url: "http://h:8080/v1", accessKey: "ak", secretKey: "sk", projectID: "1a7"},
			wantWarning: "Set api_url (or RANCHER_URL) to that URL",
		},
		{
			name: "v2-beta URL written by the Rancher CLI into cli.json: no warning",
			cfg:  providerModel{Config: types.StringValue(cliJSONV2Beta)},
			want: settings{url: "http://file:8080/v1", accessKey: "fileAK", secretKey: "fileSK"},
		},
		{
			name:    "missing secret key names attribute and variable",
			cfg:     providerModel{APIURL: types.StringValue("http://h:8080"), AccessKey: types.StringValue("ak")},
			wantErr: "secret_key (or RANCHER_SECRET_KEY)",
		},
		{
			name:    "everything missing in one diagnostic",
			wantErr: "api_url (or RANCHER_URL), access_key (or RANCHER_ACCESS_KEY) and secret_key (or RANCHER_SECRET_KEY)",
		},
		{
			name:    "config file that does not exist",
			cfg:     providerModel{Config: types.StringValue(filepath.Join(dir, "nope.json"))},
			wantErr: "does not exist",
		},
		{
			name: "request timeout and retries",
			cfg: providerModel{APIURL: types.StringValue("http://h:8080"), AccessKey: types.StringValue("ak"), SecretKey: types.StringValue("sk"),
				RequestTimeout: timetypes.NewGoDurationValueFromStringMust("2m"), MaxRetries: types.Int64Value(0)},
			want: settings{url: "http://h:8080/v1", accessKey: "ak", secretKey: "sk", requestTimeout: 2 * time.Minute, maxRetries: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Zero values of the framework's types are null, as unset attributes are.
			got, diags := resolveSettings(tt.cfg, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if !diags.HasError() {
					t.Fatalf("expected an error containing %q, got none", tt.wantErr)
				}
				text := fmt.Sprint(diags)
				if !strings.Contains(text, tt.wantErr) {
					t.Fatalf("error %s does not contain %q", text, tt.wantErr)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("unexpected error: %v", diags)
			}
			switch warnings := diags.Warnings(); {
			case tt.wantWarning == "" && len(warnings) > 0:
				t.Fatalf("unexpected warnings: %v", warnings)
			case tt.wantWarning != "" && (len(warnings) != 1 || !strings.Contains(warnings[0].Detail(), tt.wantWarning)):
				t.Fatalf("warnings %v; want one containing %q", warnings, tt.wantWarning)
			}
			want := tt.want
			if want.requestTimeout == 0 {
				want.requestTimeout = rancher.DefaultRequestTimeout
			}
			if tt.cfg.MaxRetries.IsNull() {
				want.maxRetries = rancher.DefaultMaxRetries
			}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestProviderSchemaIsValid(t *testing.T) {
	ctx := context.Background()
	var resp provider.SchemaResponse
	New("test")().Schema(ctx, provider.SchemaRequest{}, &resp)
	if diags := resp.Schema.ValidateImplementation(ctx); diags.HasError() {
		t.Fatalf("provider schema: %v", diags)
	}
}

func TestAccProvider_unknownConfigurationDoesNotFailPlan(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	// The URL comes from another resource, so it is unknown during plan.
	config := fmt.Sprintf(`
resource "terraform_data" "rancher" {
  input = %q
}
`, e.url) + providerConfig{accessKey: testAccessKey, secretKey: testSecretKey}.with("api_url = terraform_data.rancher.output").String() + fmt.Sprintf(`
resource "rancher_registry_credential" "test" {
  registry_id = %q
  email       = "x@example.com"
}
`, reg)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_4_0)},
		Steps: []resource.TestStep{{
			Config:           config,
			ConfigPlanChecks: planAction("rancher_registry_credential.test", plancheck.ResourceActionCreate),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValue("rancher_registry_credential.test", "state", knownvalue.StringExact("active")),
			},
		}},
	})
}

// An api_url that names a project (a trailing slash included) selects it.
func TestAccProvider_projectFromURL(t *testing.T) {
	testCredentialInTestProject(t, "/v1/projects/"+testProject+"/", "")
}

// A provider block as the archived hashicorp/rancher provider's users wrote
// it: a /v2-beta URL and skip_config_validation. The same server's v1 API is
// used, so the credential lands in the key's project.
func TestAccProvider_legacyConfiguration(t *testing.T) {
	testCredentialInTestProject(t, "/v2-beta", "skip_config_validation = true")
}

// testCredentialInTestProject applies a credential with a provider block
// whose api_url is the simulator's URL followed by urlPath, with the extra
// argument, and expects the credential active in the test project.
func testCredentialInTestProject(t *testing.T, urlPath, extra string) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: providerConfig{url: e.url + urlPath, accessKey: testAccessKey, secretKey: testSecretKey}.with(extra).String() + fmt.Sprintf(`
resource "rancher_registry_credential" "test" {
  registry_id = %q
  email       = "x@example.com"
}
`, reg),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValue(credentialAddr, "project_id", knownvalue.StringExact(testProject)),
				stateValue(credentialAddr, "state", knownvalue.StringExact("active")),
			},
		}},
		CheckDestroy: e.checkDestroyed(credentials),
	})
}

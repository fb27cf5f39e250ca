// SPDX-License-Identifier: MPL-2.0

// Package provider is the Terraform side of the Rancher 1.x provider: the
// provider configuration, its resources and data sources.
package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// Environment variables read when the matching attribute is not set.
const (
	envURL          = "RANCHER_URL"
	envAccessKey    = "RANCHER_ACCESS_KEY"
	envSecretKey    = "RANCHER_SECRET_KEY"
	envProjectID    = "RANCHER_PROJECT_ID"
	envClientConfig = "RANCHER_CLIENT_CONFIG"
)

var (
	_ provider.Provider                  = (*rancherProvider)(nil)
	_ provider.ProviderWithListResources = (*rancherProvider)(nil)
)

type rancherProvider struct {
	version string
	inState *stateObjects // filled by the protocol wrapper (NewProtocol6Server); nil without it
}

// New returns a constructor of the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &rancherProvider{version: version}
	}
}

type providerModel struct {
	APIURL         types.String         `tfsdk:"api_url"`
	AccessKey      types.String         `tfsdk:"access_key"`
	SecretKey      types.String         `tfsdk:"secret_key"`
	ProjectID      types.String         `tfsdk:"project_id"`
	Config         types.String         `tfsdk:"config"`
	Insecure       types.Bool           `tfsdk:"insecure"`
	CACerts        types.String         `tfsdk:"ca_certs"`
	RequestTimeout timetypes.GoDuration `tfsdk:"request_timeout"`
	MaxRetries     types.Int64          `tfsdk:"max_retries"`

	SkipConfigValidation types.Bool `tfsdk:"skip_config_validation"`
}

func (p *rancherProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "rancher"
	resp.Version = p.version
}

func (p *rancherProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Rancher provider manages objects of a **Rancher 1.x** server (Cattle, Rancher 1.2–1.6) " +
			"through its `v1` API: private registries and the credentials an environment uses to pull images from them.",
		Attributes: map[string]schema.Attribute{
			"api_url": schema.StringAttribute{
				MarkdownDescription: "URL of the Rancher server, such as `http://rancher.example.com:8080`. A `/v1` suffix is optional; " +
					"`…/v1/projects/1a5` also selects the project. A URL ending in `/v2-beta` (the other API of Rancher 1.5 and 1.6, which the " +
					"archived `hashicorp/rancher` provider used) is taken as the same server's `/v1`, with a warning. Rancher 2 URLs (`/v3`) are refused. " +
					"Can be set with `RANCHER_URL`.",
				Optional: true,
			},
			"access_key": schema.StringAttribute{
				MarkdownDescription: "API access key: an environment key, or an account key together with `project_id`. Can be set with `RANCHER_ACCESS_KEY`.",
				Optional:            true,
			},
			"secret_key": schema.StringAttribute{
				MarkdownDescription: "API secret key that goes with `access_key`. Can be set with `RANCHER_SECRET_KEY`.",
				Optional:            true,
				Sensitive:           true,
			},
			"project_id": schema.StringAttribute{
				MarkdownDescription: "Default project (\"environment\") of every resource, such as `1a5`. When unset and the key is an " +
					"environment key, the provider finds the key's project by itself. Can be set with `RANCHER_PROJECT_ID`.",
				Optional:   true,
				Validators: []validator.String{projectIDValidator()},
			},
			"config": schema.StringAttribute{
				MarkdownDescription: "Path to a Rancher CLI `cli.json` file (keys `url`, `accessKey`, `secretKey`, `environment`). " +
					"Its values are used for settings given neither as attributes nor as environment variables. " +
					"A path to a file that does not exist is an error. Can be set with `RANCHER_CLIENT_CONFIG`.",
				Optional: true,
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip verification of the server's TLS certificate. Only for testing.",
				Optional:            true,
			},
			"ca_certs": schema.StringAttribute{
				MarkdownDescription: "PEM-encoded CA certificates to trust, in addition to the system's, when verifying the server's certificate.",
				Optional:            true,
			},
			"request_timeout": schema.StringAttribute{
				CustomType:          timetypes.GoDurationType{},
				MarkdownDescription: "Time limit of one API request, as a Go duration such as `30s` or `2m`. Defaults to `30s`.",
				Optional:            true,
				Validators:          []validator.String{positiveDuration{}},
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request that failed in a retryable way (connection error, 429, 502, 503, 504, 409) is retried. Defaults to `4`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(0, 20)},
			},
			"skip_config_validation": schema.BoolAttribute{
				MarkdownDescription: "Accepted for configurations written for the archived `hashicorp/rancher` provider, and ignored: " +
					"this provider makes no request while it is configured, so there is nothing to skip.",
				Optional:           true,
				DeprecationMessage: skipConfigValidationDeprecation,
			},
		},
	}
}

const skipConfigValidationDeprecation = "skip_config_validation has no effect: this provider contacts Rancher only when a resource " +
	"or data source needs it, so configuring it makes no request to skip. Remove the argument from the provider block."

// cliConfig is the part of the Rancher CLI's cli.json that the provider reads.
type cliConfig struct {
	URL         string `json:"url"`
	AccessKey   string `json:"accessKey"`
	SecretKey   string `json:"secretKey"`
	Environment string `json:"environment"`
}

func (p *rancherProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Values that come from other resources are unknown during plan. The
	// provider is then configured on apply; failing here would fail plan.
	for name, v := range map[string]interface{ IsUnknown() bool }{
		"api_url": cfg.APIURL, "access_key": cfg.AccessKey, "secret_key": cfg.SecretKey,
		"project_id": cfg.ProjectID, "config": cfg.Config, "insecure": cfg.Insecure,
		"ca_certs": cfg.CACerts, "request_timeout": cfg.RequestTimeout, "max_retries": cfg.MaxRetries,
	} {
		if v.IsUnknown() {
			tflog.Debug(ctx, "provider configuration has an unknown value; configuration is deferred", map[string]any{"attribute": name})
			resp.ResourceData = &providerData{} // no client: ready reports it
			resp.DataSourceData = resp.ResourceData
			resp.ListResourceData = resp.ResourceData
			return
		}
	}

	settings, diags := resolveSettings(cfg, os.Getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = maskSecrets(ctx, settings.secretKey)
	client, err := rancher.NewClient(rancher.Config{
		URL:            settings.url,
		AccessKey:      settings.accessKey,
		SecretKey:      settings.secretKey,
		Insecure:       settings.insecure,
		CACertsPEM:     []byte(settings.caCerts),
		RequestTimeout: settings.requestTimeout,
		MaxRetries:     settings.maxRetries,
		UserAgent:      fmt.Sprintf("terraform-provider-rancher/%s (+https://registry.terraform.io/providers/cattle-ops/rancher)", p.version),
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("api_url"), "Invalid Rancher configuration", err.Error())
		return
	}
	tflog.Debug(ctx, "configured Rancher API client", map[string]any{"api_url": client.BaseURL(), "project_id": settings.projectID})

	data := &providerData{client: client, secretKey: settings.secretKey, projectID: settings.projectID, terraformVersion: req.TerraformVersion, inState: p.inState}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
}

// settings are the provider configuration after attributes, environment
// variables and cli.json have been merged.
type settings struct {
	url, accessKey, secretKey, projectID, caCerts string
	insecure                                      bool
	requestTimeout                                time.Duration
	maxRetries                                    int
}

// resolveSettings merges the configuration: attribute, then environment
// variable, then cli.json. It reports every missing setting in one diagnostic.
func resolveSettings(cfg providerModel, getenv func(string) string) (settings, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := settings{
		insecure:       cfg.Insecure.ValueBool(),
		caCerts:        cfg.CACerts.ValueString(),
		requestTimeout: rancher.DefaultRequestTimeout,
		maxRetries:     rancher.DefaultMaxRetries,
	}
	if !cfg.RequestTimeout.IsNull() {
		d, ds := cfg.RequestTimeout.ValueGoDuration()
		diags.Append(ds...)
		s.requestTimeout = d
	}
	if !cfg.MaxRetries.IsNull() {
		s.maxRetries = int(cfg.MaxRetries.ValueInt64())
	}

	var file cliConfig
	if configPath := firstNonEmpty(cfg.Config.ValueString(), getenv(envClientConfig)); configPath != "" {
		f, err := readCLIConfig(configPath)
		if err != nil {
			diags.AddAttributeError(path.Root("config"), "Cannot read the Rancher CLI configuration",
				fmt.Sprintf("The file named by config (or %s) could not be used: %s", envClientConfig, err))
			return s, diags
		}
		file = f
	}

	rawURL := firstNonEmpty(cfg.APIURL.ValueString(), getenv(envURL), file.URL)
	s.accessKey = firstNonEmpty(cfg.AccessKey.ValueString(), getenv(envAccessKey), file.AccessKey)
	s.secretKey = firstNonEmpty(cfg.SecretKey.ValueString(), getenv(envSecretKey), file.SecretKey)
	explicitProject := firstNonEmpty(cfg.ProjectID.ValueString(), getenv(envProjectID))

	var missing []string
	if rawURL == "" {
		missing = append(missing, fmt.Sprintf("api_url (or %s)", envURL))
	}
	if s.accessKey == "" {
		missing = append(missing, fmt.Sprintf("access_key (or %s)", envAccessKey))
	}
	if s.secretKey == "" {
		missing = append(missing, fmt.Sprintf("secret_key (or %s)", envSecretKey))
	}
	if len(missing) > 0 {
		diags.AddError("Missing Rancher provider configuration",
			"The provider needs these settings, given as provider attributes, as environment variables or in the cli.json file named by config: "+
				joinWords(missing)+".")
		return s, diags
	}

	apiURL, err := rancher.NormalizeURL(rawURL)
	if err != nil {
		diags.AddAttributeError(path.Root("api_url"), "Invalid api_url", err.Error())
		return s, diags
	}
	// The Rancher CLI writes its own URL as …/v2-beta/schemas; only a URL
	// the user wrote in api_url or RANCHER_URL is worth a warning.
	if apiURL.FromV2Beta && rawURL != file.URL {
		diags.AddAttributeWarning(path.Root("api_url"), "api_url names the v2-beta API; using v1",
			fmt.Sprintf("%q ends in /v2-beta, the API the archived hashicorp/rancher provider used. Rancher 1.5 and 1.6 serve the v1 API beside it, "+
				"and this provider speaks v1, so it uses %s. Set api_url (or %s) to that URL to silence this warning.", rawURL, apiURL.Base, envURL))
	}
	s.url = apiURL.Base
	s.projectID = firstNonEmpty(explicitProject, apiURL.ProjectID, file.Environment)
	if s.projectID != "" && !projectIDPattern.MatchString(s.projectID) {
		diags.AddAttributeError(path.Root("project_id"), "Invalid project_id",
			fmt.Sprintf("%q is not a Rancher project id; project ids look like \"1a5\".", s.projectID))
	}
	return s, diags
}

func readCLIConfig(name string) (cliConfig, error) {
	var c cliConfig
	b, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return c, fmt.Errorf("%s does not exist", name)
		}
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("%s is not valid JSON: %w", name, err)
	}
	return c, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func joinWords(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	out := ""
	for i, w := range words {
		switch {
		case i == 0:
			out = w
		case i == len(words)-1:
			out += " and " + w
		default:
			out += ", " + w
		}
	}
	return out
}

func (p *rancherProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewRegistryCredentialResource,
		NewRegistryResource,
	}
}

func (p *rancherProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewRegistryCredentialListResource,
		NewRegistryListResource,
	}
}

func (p *rancherProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewRegistryCredentialDataSource,
		NewRegistryDataSource,
		NewEnvironmentDataSource,
	}
}

// positiveDuration rejects a request_timeout of zero or less. The value's
// type, timetypes.GoDuration, already rejects what is not a Go duration.
type positiveDuration struct{}

func (positiveDuration) Description(context.Context) string {
	return "must be a positive duration"
}

func (v positiveDuration) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (positiveDuration) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	if err == nil && d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+attrName(req.Path),
			fmt.Sprintf("%s must be a positive duration such as \"30s\", got %q.", attrName(req.Path), req.ConfigValue.ValueString()))
	}
}

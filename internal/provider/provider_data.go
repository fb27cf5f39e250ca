// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"
	"sync"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	client    *rancher.Client // nil while the configuration is not known yet
	secretKey string

	// terraformVersion is the CLI's version, as ConfigureProvider tells it
	// ("1.16.4"; OpenTofu gives its own).
	terraformVersion string

	mu        sync.Mutex
	projectID string // the provider's default project; discovered on first use when empty

	// existing holds what plans look up in Rancher: one list per registry
	// or project, shared by every resource of a plan.
	existing existingObjects
	// inState holds the ids of the objects the state holds.
	inState *stateObjects
	// refresh holds the lists that serve a refresh's Reads.
	refresh refreshLists
}

// taintRaceSince is the first Terraform release whose core can crash, and
// empty the state file, when several creates fail with a partial state at
// the same time (README, troubleshooting). Later releases are taken to have
// it too until one is known not to.
var taintRaceSince = goversion.Must(goversion.NewVersion("1.16.0"))

// keepsFailedCreates reports whether the CLI keeps an object whose create
// failed as tainted without that race: before 1.16, or a version it did
// not tell.
func (d *providerData) keepsFailedCreates() bool {
	v, err := goversion.NewVersion(d.terraformVersion)
	return err != nil || v.Core().LessThan(taintRaceSince)
}

// configureData takes the provider data in a resource's or data source's
// Configure. It returns nil while the provider itself is not configured yet.
func configureData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", raw))
		return nil
	}
	return data
}

// configuredResource, embedded in a resource or a list resource, is its
// Configure: it keeps the provider data for its other methods.
type configuredResource struct {
	data *providerData
}

func (r *configuredResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// configuredDataSource is configuredResource for data sources.
type configuredDataSource struct {
	data *providerData
}

func (d *configuredDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configureData(req.ProviderData, &resp.Diagnostics)
}

// ready reports whether the provider is configured; when it is not (its
// configuration was not known yet), it adds a diagnostic that says so.
func (d *providerData) ready(diags *diag.Diagnostics) bool {
	if d == nil || d.client == nil {
		diags.AddError("Provider not configured",
			"The Rancher provider configuration was not known when this operation ran (it depends on values known only after apply). "+
				"Apply the resources it depends on first, for example with -target.")
		return false
	}
	return true
}

// project is the project an object goes to, or is looked for in first: the
// one given (the resource's own project_id, or the one in state) when set,
// else the provider's, discovered on first use for an environment key.
// With diags, a project that cannot be determined is an error naming
// project_id. Without (nil), it is "": the client then looks wherever the key
// reaches, since an account key with no project_id has no default, and that
// is no reason not to find an object.
func (d *providerData) project(ctx context.Context, given string, diags *diag.Diagnostics) string {
	if given != "" {
		return given
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.projectID != "" {
		return d.projectID
	}
	id, err := d.client.DiscoverProject(ctx)
	var apiErr *rancher.Error
	var connErr *rancher.ConnectionError
	switch {
	case err == nil:
		tflog.Debug(ctx, "discovered the project of the API key", map[string]any{"project_id": id})
		d.projectID = id
	case diags == nil:
		tflog.Debug(ctx, "no default project to look in first", map[string]any{"error": err.Error()})
	case errors.As(err, &apiErr) || errors.As(err, &connErr):
		addAPIError(diags, "Cannot determine the Rancher project", err, "", fieldAttribute)
	default:
		diags.AddAttributeError(path.Root("project_id"), "Cannot determine the Rancher project",
			fmt.Sprintf("No project_id is set on the resource or the provider (RANCHER_PROJECT_ID), and the project of the API key could not be found: %s", err))
	}
	if err != nil {
		return ""
	}
	return id
}

// logContext masks secrets in every log line written with the returned context.
func (d *providerData) logContext(ctx context.Context, secrets ...string) context.Context {
	if d == nil {
		return ctx
	}
	return maskSecrets(ctx, append(secrets, d.secretKey)...)
}

// maskSecrets makes tflog hide the given strings and the fields that can hold
// a secret, whichever logger the context carries.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	var values []string
	for _, s := range secrets {
		if s != "" {
			values = append(values, s)
		}
	}
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "secret_key", "secret_value", "secret_value_wo", "secretValue", "Authorization", "authorization")
	if len(values) > 0 {
		ctx = tflog.MaskMessageStrings(ctx, values...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, values...)
	}
	return ctx
}

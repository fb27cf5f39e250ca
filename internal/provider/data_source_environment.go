// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

var (
	_ datasource.DataSource                     = (*environmentDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*environmentDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*environmentDataSource)(nil)
)

// maxListedEnvironments bounds how many environments an error message names.
const maxListedEnvironments = 20

// NewEnvironmentDataSource is the constructor of the rancher_environment
// data source.
func NewEnvironmentDataSource() datasource.DataSource {
	return &environmentDataSource{}
}

type environmentDataSource struct {
	configuredDataSource
}

type environmentDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Description types.String `tfsdk:"description"`
	State       types.String `tfsdk:"state"`
}

func (d *environmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_environment"
}

func (d *environmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads a Rancher 1.x environment, which the API calls a project, either by `id` or by `name`, " +
			"among the environments the provider's API keys reach. Its `id` is what `project_id` takes, " +
			"in the provider and in every resource and data source. " +
			"Exactly one environment must match: no match, several matches and a removed environment are errors.",
		Attributes: map[string]schema.Attribute{
			"id": lookupAttribute("Rancher id of the environment (project), such as `1a5`: the value `project_id` takes. "+
				"Set either `id` or `name`.",
				projectIDValidator()),
			"name": lookupAttribute("Name of the environment, such as `Default`, compared exactly (case included). Set either `id` or `name`. "+
				"Rancher does not require names to be unique, so several environments of the name among those the keys reach are an error.",
				stringvalidator.LengthBetween(1, 255)),
			"description": readString("Description of the environment."),
			"state":       readString("State of the environment in Rancher, such as `active` or `inactive`."),
		},
	}
}

func (d *environmentDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *environmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg environmentDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !d.data.ready(&resp.Diagnostics) {
		return
	}
	ctx = d.data.logContext(ctx)

	var env *rancher.Project
	if id := cfg.ID.ValueString(); id != "" {
		env = d.byID(ctx, id, &resp.Diagnostics)
	} else {
		env = d.byName(ctx, cfg.Name.ValueString(), &resp.Diagnostics)
	}
	if env == nil {
		return
	}
	tflog.Debug(ctx, "read environment", map[string]any{"id": env.ID})

	state := environmentDataSourceModel{
		ID:          types.StringValue(env.ID),
		Name:        types.StringValue(env.Name),
		Description: types.StringPointerValue(env.Description),
		State:       types.StringValue(env.State),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// byID reads one environment; a missing or removed one is an error.
func (d *environmentDataSource) byID(ctx context.Context, id string, diags *diag.Diagnostics) *rancher.Project {
	env, err := d.data.client.GetProject(ctx, id)
	if err != nil {
		addEnvironmentError(diags, path.Root("id"), fmt.Sprintf("Cannot read environment %s", id), "environment "+id, err)
		return nil
	}
	if env.Gone() {
		diags.AddAttributeError(path.Root("id"), "Environment is removed",
			fmt.Sprintf("Environment %s (%q) is removed (state %q): it no longer exists for Rancher.", id, env.Name, env.State))
		return nil
	}
	return env
}

// byName finds the one environment of the name among those the key reaches.
func (d *environmentDataSource) byName(ctx context.Context, name string, diags *diag.Diagnostics) *rancher.Project {
	list, err := d.data.client.ListProjects(ctx, name)
	if err != nil {
		addEnvironmentError(diags, path.Root("name"), "Cannot list environments", fmt.Sprintf("environment named %q", name), err)
		return nil
	}
	var found []rancher.Project
	for _, p := range list {
		// A project being removed may still be listed; it does not count.
		if !p.Gone() {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 0:
		diags.AddAttributeError(path.Root("name"), "Environment not found",
			fmt.Sprintf("There is no environment named %q among those these API keys reach: %s. "+
				"Names are compared exactly, case included; an environment API key reaches only its own environment, "+
				"an account API key the environments it is a member of.", name, d.reachable(ctx)))
		return nil
	case 1:
		return &found[0]
	}
	ids := make([]string, len(found))
	for i, p := range found {
		ids[i] = p.ID
	}
	diags.AddAttributeError(path.Root("name"), "Several environments match",
		fmt.Sprintf("There are %d environments named %q among those these API keys reach: %s. "+
			"Rancher does not require names to be unique; look the environment up by id instead.",
			len(found), name, strings.Join(ids, ", ")))
	return nil
}

// reachable names the environments the key reaches, for an error message.
func (d *environmentDataSource) reachable(ctx context.Context) string {
	list, err := d.data.client.ListProjects(ctx, "")
	if err != nil {
		tflog.Debug(ctx, "cannot list the environments the key reaches", map[string]any{"error": err.Error()})
		return "(they could not be listed: " + err.Error() + ")"
	}
	var names []string
	for _, p := range list {
		if p.Gone() {
			continue
		}
		if len(names) == maxListedEnvironments {
			names = append(names, "…")
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", p.Name, p.ID))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// addEnvironmentError reports a failed read of environments. Cattle answers
// 404 for a project the key does not reach, and 403 to every request of an
// environment key whose own environment is removed or deactivated; both
// mean the environment cannot be reached with these keys.
func addEnvironmentError(diags *diag.Diagnostics, attr path.Path, summary, what string, err error) {
	switch {
	case rancher.IsNotFound(err):
		diags.AddAttributeError(attr, "Environment not found", fmt.Sprintf(
			"There is no %s that these API keys can reach (Rancher answered 404 Not Found). "+
				"An environment API key reaches only its own environment; an account API key the environments it is a member of.", what))
	case rancher.IsForbidden(err):
		diags.AddAttributeError(attr, summary, fmt.Sprintf(
			"There is no %s that these API keys can reach: Rancher refused the request (403 Forbidden). "+
				"An environment API key whose own environment was removed or deactivated gets this answer to every request.", what))
	default:
		addAPIError(diags, summary, err, "", fieldAttribute)
	}
}

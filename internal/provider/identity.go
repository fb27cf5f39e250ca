// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// objectIdentity is the resource identity of a credential and of a
// registry: the project that holds the object and its id. Neither changes
// during the object's life (a new project_id replaces the object).
type objectIdentity struct {
	ProjectID types.String `tfsdk:"project_id"`
	ID        types.String `tfsdk:"id"`
}

// objectIdentitySchema describes objectIdentity for a kind of object (what,
// such as "registry credential", with an example id such as "1c7"). Identity
// attributes have a single description, which may hold Markdown.
func objectIdentitySchema(what, example string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"project_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description: fmt.Sprintf("Project (environment) of the %s, such as `1a5`. When omitted in an import block, "+
					"the %s is looked for in the provider's project first, then in every project the API key reaches.", what, what),
			},
			"id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       fmt.Sprintf("Rancher id of the %s, such as `%s`.", what, example),
			},
		},
	}
}

// importIDFromIdentity turns an import by identity into the import id that
// names the same object: "<project_id>/<id>", or "<id>" without a project,
// so that both ways of importing go through the same lookup. An import by
// id is returned as it is. ok is false, with a diagnostic, when an identity
// attribute is not an id of its kind (idPattern for id, example its example).
func importIDFromIdentity(ctx context.Context, req resource.ImportStateRequest, idPattern *regexp.Regexp, example string, diags *diag.Diagnostics) (string, bool) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, true
	}
	var ident objectIdentity
	diags.Append(req.Identity.Get(ctx, &ident)...)
	if diags.HasError() {
		return "", false
	}
	projectID, id := ident.ProjectID.ValueString(), ident.ID.ValueString()
	if !idPattern.MatchString(id) {
		diags.AddError("Invalid import identity", fmt.Sprintf("identity.id must be an id such as %q; got %q.", example, id))
		return "", false
	}
	if projectID == "" {
		return id, true
	}
	if !projectIDPattern.MatchString(projectID) {
		diags.AddError("Invalid import identity", fmt.Sprintf("identity.project_id must be a Rancher project id such as \"1a5\"; got %q.", projectID))
		return "", false
	}
	return projectID + "/" + id, true
}

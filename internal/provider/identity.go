package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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

// setIdentity records the object's identity. Terraform before 1.12 has no
// identities, and the framework then hands no identity to set.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, projectID, id types.String) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	return identity.Set(ctx, objectIdentity{ProjectID: projectID, ID: id})
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

// privateKeyObject is the private state key that holds the object's id,
// for the plans that replace it (see replacedObjectID).
const privateKeyObject = "object"

// privateState is the framework's provider private state of a response.
type privateState interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// recordObject records which object a resource's state holds: its identity,
// and its id in private state, which Terraform passes on to the plan that
// replaces the object even before 1.12, where there are no identities.
func recordObject(ctx context.Context, identity *tfsdk.ResourceIdentity, private privateState, projectID, id types.String) diag.Diagnostics {
	diags := setIdentity(ctx, identity, projectID, id)
	value, err := json.Marshal(map[string]string{"project_id": projectID.ValueString(), "id": id.ValueString()})
	if err != nil {
		diags.AddError("Cannot record the object in private state", err.Error())
		return diags
	}
	diags.Append(private.SetKey(ctx, privateKeyObject, value)...)
	return diags
}

// knownToState says whether an object Rancher holds is one a state knows,
// and so not left behind: the object a planned create replaces, or any
// object of the state (stateObjects).
//
// When Terraform replaces an object for a change that requires it
// (-replace, a new project_id), it plans the new one with no prior state but
// with the prior identity and private state (replacedObjectID). A tainted
// object is planned with neither, but it is in the state.
func (d *providerData) knownToState(ctx context.Context, req resource.ModifyPlanRequest) func(id string) bool {
	replaced := replacedObjectID(ctx, req)
	return func(id string) bool {
		return id == replaced || d.inState.has(id)
	}
}

// replacedObjectID is the id of the object a planned create replaces, from
// its prior identity or private state; "" for a plain create.
func replacedObjectID(ctx context.Context, req resource.ModifyPlanRequest) string {
	if req.Identity != nil && !req.Identity.Raw.IsNull() {
		var ident objectIdentity
		if diags := req.Identity.Get(ctx, &ident); !diags.HasError() && ident.ID.ValueString() != "" {
			return ident.ID.ValueString()
		}
	}
	if req.Private == nil {
		return ""
	}
	raw, diags := req.Private.GetKey(ctx, privateKeyObject)
	if diags.HasError() || raw == nil {
		return ""
	}
	var object struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &object) != nil {
		return ""
	}
	return object.ID
}

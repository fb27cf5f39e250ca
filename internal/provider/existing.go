// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// Before planning a create, a resource looks at what Rancher already holds
// where the new object will go. An apply that was killed, or whose state
// file was lost, leaves objects in Rancher that no state knows; a registry
// can then not be created again (Rancher allows one per server address), and
// a credential would be made a second time. The plan names such objects,
// with the import block that adopts them. It also says when Rancher will not
// pull with a new credential: for a container that names none, Rancher uses
// the registry's active credential of lowest id, and a new one has the
// highest.

// existingObjects holds the lists plans look at, each read once per
// provider process (a plan, or an apply) on first need and shared by every
// resource: the live registries of a project, the live credentials of a
// registry. Only planned creates read them.
type existingObjects struct {
	mu    sync.Mutex
	lists map[string]any // "registries <project>" or "credentials <project> <registry>" → *onceList[T]
}

type onceList[T any] struct {
	once  sync.Once
	items []T
	err   error
}

// cachedList returns the list under key, loading it on first need.
func cachedList[T any](e *existingObjects, key string, load func() ([]T, error)) ([]T, error) {
	e.mu.Lock()
	if e.lists == nil {
		e.lists = map[string]any{}
	}
	l, ok := e.lists[key].(*onceList[T])
	if !ok {
		l = &onceList[T]{}
		e.lists[key] = l
	}
	e.mu.Unlock()
	l.once.Do(func() { l.items, l.err = load() })
	return l.items, l.err
}

// liveRegistries are the registries of a project that exist for Terraform.
func (d *providerData) liveRegistries(ctx context.Context, projectID string) ([]rancher.Registry, error) {
	return cachedList(&d.existing, "registries "+projectID, func() ([]rancher.Registry, error) {
		all, err := d.client.ListRegistries(ctx, projectID, rancher.RegistryFilter{})
		return liveOnly(all, func(r rancher.Registry) bool { return r.Gone() }), err
	})
}

// liveCredentials are the credentials of a registry that exist for Terraform.
func (d *providerData) liveCredentials(ctx context.Context, projectID, registryID string) ([]rancher.RegistryCredential, error) {
	return cachedList(&d.existing, "credentials "+projectID+" "+registryID, func() ([]rancher.RegistryCredential, error) {
		all, err := d.client.ListRegistryCredentials(ctx, projectID, rancher.RegistryCredentialFilter{RegistryID: registryID})
		return liveOnly(all, func(c rancher.RegistryCredential) bool { return c.Gone() }), err
	})
}

func liveOnly[T any](all []T, gone func(T) bool) []T {
	var live []T
	for _, o := range all {
		if !gone(o) {
			live = append(live, o)
		}
	}
	return live
}

// plannedCreateProject is the project a planned create goes to: its own
// project_id, else the provider's. ok is false when that is not known yet,
// or is not a create (nothing to look up).
func (d *providerData) plannedCreateProject(ctx context.Context, req resource.ModifyPlanRequest) (string, bool) {
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() || d == nil || d.client == nil {
		return "", false
	}
	var configured types.String
	if diags := req.Config.GetAttribute(ctx, path.Root("project_id"), &configured); diags.HasError() || configured.IsUnknown() {
		return "", false
	}
	id := d.project(ctx, configured.ValueString(), nil)
	return id, id != ""
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

// importBlock is the import block that adopts an object into the resource
// whose plan shows it.
func importBlock(projectID, id string) string {
	return fmt.Sprintf("import {\n  to = <this resource's address>\n  id = %q\n}", projectID+"/"+id)
}

// describe is how a message names an object: "1a5/1sp3 (active, created 2026-12-07T08:00:00Z)".
func describe(projectID, id string, s rancher.Status) string {
	return fmt.Sprintf("%s/%s (%s, created %s)", projectID, id, s.State, s.Created.UTC().Format(time.RFC3339))
}

// serverAddressHolder finds the live registry of a project that holds a
// server address, other than those known (nil: none).
func serverAddressHolder(registries []rancher.Registry, address string, known func(id string) bool) *rancher.Registry {
	for i, r := range registries {
		if (known == nil || !known(r.ID)) && strings.EqualFold(r.ServerAddress, address) {
			return &registries[i]
		}
	}
	return nil
}

// addServerAddressUsed says which registry already holds the address, and
// how to adopt it.
func addServerAddressUsed(diags *diag.Diagnostics, summary, projectID, address string, holder *rancher.Registry) {
	diags.AddAttributeError(path.Root("server_address"), summary, fmt.Sprintf(
		"Registry %s already holds the server address %q in project %s, and Rancher allows one registry per address. "+
			"It was probably made by an apply that was interrupted before Terraform could save it. "+
			"To manage it with this resource, adopt it with an import block:\n\n%s\n\nor delete it in Rancher.",
		describe(projectID, holder.ID, holder.Status), address, projectID, importBlock(projectID, holder.ID)))
}

// checkServerAddressFree fails the plan of a new registry whose server
// address a live registry of the project already holds.
func (d *providerData) checkServerAddressFree(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	projectID, ok := d.plannedCreateProject(ctx, req)
	if !ok {
		return
	}
	var address types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("server_address"), &address)...)
	if address.IsUnknown() || address.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	registries, err := d.liveRegistries(ctx, projectID)
	if err != nil {
		tflog.Debug(ctx, "cannot list the project's registries; the create will tell", map[string]any{"error": err.Error()})
		return
	}
	if holder := serverAddressHolder(registries, address.ValueString(), d.knownToState(ctx, req)); holder != nil {
		addServerAddressUsed(&resp.Diagnostics, "Registry already exists in Rancher", projectID, address.ValueString(), holder)
	}
}

// warnAboutExistingCredentials warns on the plan of a new credential when
// its registry already holds one with the same name, user name and e-mail
// (probably left by an interrupted apply), and when Rancher will keep
// pulling with an older active credential of the registry.
func (d *providerData) warnAboutExistingCredentials(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	projectID, ok := d.plannedCreateProject(ctx, req)
	if !ok {
		return
	}
	var plan registryCredentialModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.RegistryID.IsUnknown() {
		return // a registry made in the same apply holds nothing yet
	}
	registryID := plan.RegistryID.ValueString()
	creds, err := d.liveCredentials(ctx, projectID, registryID)
	if err != nil {
		tflog.Debug(ctx, "cannot list the registry's credentials", map[string]any{"error": err.Error()})
		return
	}
	known, replaced := d.knownToState(ctx, req), replacedObjectID(ctx, req)
	var lowestActive *rancher.RegistryCredential
	for i, c := range creds {
		same := sameCredential(plan, c)
		if c.ID == replaced || (same && known(c.ID)) {
			continue // this resource's own object, which the plan replaces
		}
		if c.State == rancher.StateActive && (lowestActive == nil || idLess(c.ID, lowestActive.ID)) {
			lowestActive = &creds[i]
		}
		if same {
			resp.Diagnostics.AddWarning("A registry credential like this one already exists in Rancher", fmt.Sprintf(
				"Registry credential %s of registry %s has the same name, user name and e-mail as this one. "+
					"It was probably left by an apply that was interrupted before Terraform could save it, and creating this one makes a second. "+
					"To manage the existing one instead, adopt it with an import block:\n\n%s\n\nor delete it in Rancher.",
				describe(projectID, c.ID, c.Status), registryID, importBlock(projectID, c.ID)))
		}
	}
	if lowestActive != nil && !sameCredential(plan, *lowestActive) {
		addShadowedWarning(&resp.Diagnostics, "this plan creates", registryID, *lowestActive)
	}
}

// addShadowedWarning says that Rancher pulls with another credential of the
// registry than this one (which, in the detail: "this plan creates").
func addShadowedWarning(diags *diag.Diagnostics, which, registryID string, used rancher.RegistryCredential) {
	diags.AddWarning("Rancher will not pull with this credential", fmt.Sprintf(
		"Registry %s already holds the active credential %s (user %q, name %q). For a container that names no credential, "+
			"Rancher pulls with the registry's active credential of lowest id, so it keeps using %s rather than the one %s. "+
			"Deactivate or delete %s in Rancher, or import it and manage it instead:\n\n%s",
		registryID, used.ID, derefString(used.PublicValue), derefString(used.Name), used.ID, which, used.ID,
		importBlock(used.ProjectID, used.ID)))
}

// sameCredential reports whether an existing credential has the planned
// name, user name and e-mail (unknown values match nothing).
func sameCredential(plan registryCredentialModel, c rancher.RegistryCredential) bool {
	same := func(planned types.String, existing *string) bool {
		return !planned.IsUnknown() && planned.ValueString() == derefString(existing)
	}
	return same(plan.Name, c.Name) && same(plan.PublicValue, c.PublicValue) && same(plan.Email, &c.Email)
}

// idLess orders Cattle ids of one kind ("1c9" < "1c14") as Rancher does:
// by the number after the kind's prefix.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func derefString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

func projectIDs(ps []Project) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// TestSimListProjects: ListProjects lists what each kind of key reaches,
// asks the server to filter by name, and matches names exactly.
func TestSimListProjects(t *testing.T) {
	sim, base := ranchersim.NewTestServer(t, ranchersim.Options{ProjectID: simProject, AccessKey: simAccess, SecretKey: simSecret})
	sim.AddProject("1a6", "Staging")
	sim.AddProject("1a7", "Staging")
	sim.AddProject("1a9", "Elsewhere")
	sim.AddAccountKey("acct", "acct-secret", false, map[string]string{simProject: "owner", "1a6": "owner", "1a7": "member"})
	sim.AddAccountKey("admin", "admin-secret", true, nil)
	env := newSimClient(t, base, simAccess, simSecret, 0)
	account := newSimClient(t, base, "acct", "acct-secret", 0)
	admin := newSimClient(t, base, "admin", "admin-secret", 0)
	ctx := testCtx(t)

	tests := []struct {
		name   string
		client *Client
		filter string
		want   []string
	}{
		{"environment key, all", env, "", []string{simProject}},
		{"environment key, its own", env, "Default", []string{simProject}},
		{"environment key, another's", env, "Staging", []string{}},
		{"names are exact", env, "default", []string{}},
		{"account key, all", account, "", []string{simProject, "1a6", "1a7"}},
		{"account key, two of a name", account, "Staging", []string{"1a6", "1a7"}},
		{"account key, not a member", account, "Elsewhere", []string{}},
		{"admin key, any project", admin, "Elsewhere", []string{"1a9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.ResetReceived()
			got, err := tt.client.ListProjects(ctx, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if ids := projectIDs(got); !slices.Equal(ids, tt.want) {
				t.Fatalf("ListProjects(%q) = %v, want %v", tt.filter, ids, tt.want)
			}
			for _, p := range got {
				if p.State != StateActive || p.Description != nil || (tt.filter != "" && p.Name != tt.filter) {
					t.Fatalf("project %+v", p)
				}
			}
			recv := sim.Received()
			if len(recv) != 1 || recv[0].Method != http.MethodGet || recv[0].Path != "/v1/projects" {
				t.Fatalf("requests %+v, want one GET /v1/projects", recv)
			}
			q, err := url.ParseQuery(recv[0].RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			if _, has := q["name"]; has != (tt.filter != "") || q.Get("name") != tt.filter {
				t.Fatalf("query %q: want the name filter %q", recv[0].RawQuery, tt.filter)
			}
		})
	}

	// A removed project is no longer listed, but still read by id.
	sim.RemoveProject("1a7")
	got, err := account.ListProjects(ctx, "Staging")
	if err != nil || !slices.Equal(projectIDs(got), []string{"1a6"}) {
		t.Fatalf("after removing 1a7: %v %v", projectIDs(got), err)
	}
	p, err := account.GetProject(ctx, "1a7")
	if err != nil || p.Name != "Staging" || p.State != StateRemoved || !p.Gone() {
		t.Fatalf("removed project: %+v %v", p, err)
	}
	if p, err := account.GetProject(ctx, "1a6"); err != nil || p.Gone() || p.Name != "Staging" {
		t.Fatalf("project 1a6: %+v %v", p, err)
	}
	// A project the key is no member of is not found.
	if _, err := account.GetProject(ctx, "1a9"); !IsNotFound(err) {
		t.Fatalf("project of others: %v", err)
	}
	if _, err := env.GetProject(ctx, "1a6"); !IsNotFound(err) {
		t.Fatalf("environment key, another project: %v", err)
	}
}

// TestProjectFields: GetProject and ListProjects read the description, and a
// server that compares names without regard to case does not widen the
// match.
func TestProjectFields(t *testing.T) {
	project := func(id, name string, description any) map[string]any {
		return map[string]any{"id": id, "type": "project", "name": name, "description": description,
			"state": "active", "transitioning": "no"}
	}
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/projects/1a5":
			writeJSON(w, 200, project("1a5", "Default", "Where it all runs"))
		case "/v1/projects":
			if r.URL.Query().Get("name") != "Default" {
				t.Errorf("query %q: want name=Default", r.URL.RawQuery)
			}
			writeJSON(w, 200, map[string]any{"type": "collection", "data": []any{
				project("1a5", "Default", "Where it all runs"), project("1a8", "DEFAULT", nil),
			}})
		default:
			writeJSON(w, 404, map[string]any{"type": "error", "status": 404, "code": "Not Found"})
		}
	}))
	ctx := testCtx(t)
	p, err := c.GetProject(ctx, "1a5")
	if err != nil || p.ID != "1a5" || p.Name != "Default" || p.Description == nil || *p.Description != "Where it all runs" || p.State != StateActive {
		t.Fatalf("GetProject: %+v %v", p, err)
	}
	list, err := c.ListProjects(ctx, "Default")
	if err != nil || !slices.Equal(projectIDs(list), []string{"1a5"}) || list[0].Description == nil || *list[0].Description != "Where it all runs" {
		t.Fatalf("ListProjects: %+v %v", list, err)
	}
	if _, err := c.GetProject(ctx, "1a6"); !IsNotFound(err) {
		t.Fatalf("GetProject of a missing project: %v", err)
	}
	if _, err := c.GetProject(ctx, "../registries"); err == nil {
		t.Fatal("GetProject accepted a malformed id")
	}
}

// locateWorld is a server with three environments: 1a5 (the default
// environment key's), 1a7 and 1a8. An account key is a member of 1a5 and
// 1a7, not of 1a8; there is an admin key and an environment key of 1a7.
// A registry and a credential live in 1a7, another credential in 1a8.
type locateWorld struct {
	sim                 *ranchersim.Server
	base                string
	cred7, reg7, cred8  string
	account, admin, env *Client // account key, admin key, environment key of 1a5
	env7                *Client // environment key of 1a7
}

func newLocateWorld(t *testing.T) *locateWorld {
	t.Helper()
	w := &locateWorld{}
	w.sim, w.base = ranchersim.NewTestServer(t, ranchersim.Options{ProjectID: simProject, AccessKey: simAccess, SecretKey: simSecret})
	w.sim.AddProject("1a7", "Staging")
	w.sim.AddProject("1a8", "Other team")
	w.sim.AddEnvironmentKey("1a7", "env7", "env7-secret")
	w.sim.AddEnvironmentKey("1a8", "env8", "env8-secret")
	w.sim.AddAccountKey("acct", "acct-secret", false, map[string]string{"1a5": "owner", "1a7": "member"})
	w.sim.AddAccountKey("admin", "admin-secret", true, nil)
	w.env = newSimClient(t, w.base, simAccess, simSecret, 0)
	w.env7 = newSimClient(t, w.base, "env7", "env7-secret", 0)
	w.account = newSimClient(t, w.base, "acct", "acct-secret", 0)
	w.admin = newSimClient(t, w.base, "admin", "admin-secret", 0)

	ctx := testCtx(t)
	mk := func(c *Client, project, address string) (string, string) {
		reg, err := w.sim.CreateRegistry(project, address)
		if err != nil {
			t.Fatal(err)
		}
		cred, err := c.CreateRegistryCredential(ctx, project, RegistryCredentialCreate{RegistryID: reg, Email: "me@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		return reg, cred.ID
	}
	w.reg7, w.cred7 = mk(w.env7, "1a7", "registry.example.com")
	_, w.cred8 = mk(newSimClient(t, w.base, "env8", "env8-secret", 0), "1a8", "registry.example.com")
	w.sim.ResetReceived()
	return w
}

// requests lists the requests received since the last call, as "GET /path".
func (w *locateWorld) requests() []string {
	var out []string
	for _, r := range w.sim.Received() {
		out = append(out, r.Method+" "+r.Path)
	}
	w.sim.ResetReceived()
	return out
}

func TestLocateFindsObjectsWhereverTheKeyReaches(t *testing.T) {
	w := newLocateWorld(t)
	ctx := testCtx(t)
	type locateCase struct {
		name      string
		client    *Client
		first, id string
		wantProj  string   // "" means not found
		wantReqs  []string // the requests, in order
	}
	cases := []locateCase{
		{
			name: "account key: not in the first project, found in another of its projects", client: w.account, first: "1a5", id: w.cred7, wantProj: "1a7",
			wantReqs: []string{"GET /v1/projects/1a5/registrycredentials/" + w.cred7, "GET /v1", "GET /v1/projects", "GET /v1/projects/1a7/registrycredentials/" + w.cred7},
		},
		{
			name: "account key: where it is recorded: one request", client: w.account, first: "1a7", id: w.cred7, wantProj: "1a7",
			wantReqs: []string{"GET /v1/projects/1a7/registrycredentials/" + w.cred7},
		},
		{
			name: "account key: no project known (legacy credential state); the key's account is known by now", client: w.account, id: w.cred7, wantProj: "1a7",
			wantReqs: []string{"GET /v1/projects/1a5/registrycredentials/" + w.cred7, "GET /v1/projects/1a7/registrycredentials/" + w.cred7},
		},
		{
			name: "account key: in a project it is no member of, so gone for it", client: w.account, first: "1a5", id: w.cred8,
			wantReqs: []string{"GET /v1/projects/1a5/registrycredentials/" + w.cred8, "GET /v1/projects/1a7/registrycredentials/" + w.cred8},
		},
		{
			name: "admin key: one read by id without a project", client: w.admin, first: "1a5", id: w.cred8, wantProj: "1a8",
			wantReqs: []string{"GET /v1/projects/1a5/registrycredentials/" + w.cred8, "GET /v1", "GET /v1/registrycredentials/" + w.cred8},
		},
		{
			name: "admin key: no such credential", client: w.admin, id: "1c999",
			wantReqs: []string{"GET /v1/registrycredentials/1c999"},
		},
		{
			name: "environment key: sees its own project only", client: w.env, first: "1a5", id: w.cred7,
			wantReqs: []string{"GET /v1/projects/1a5/registrycredentials/" + w.cred7, "GET /v1"},
		},
		{
			name: "environment key: no project known: its own", client: w.env7, id: w.cred7, wantProj: "1a7",
			wantReqs: []string{"GET /v1", "GET /v1/projects/1a7/registrycredentials/" + w.cred7},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cred, err := credentialOf(tc.client.locate(ctx, credentialKind, tc.first, tc.id))
			switch {
			case tc.wantProj == "" && !IsNotFound(err):
				t.Fatalf("got %+v, %v; want not found", cred, err)
			case tc.wantProj != "" && err != nil:
				t.Fatal(err)
			case tc.wantProj != "" && (cred.ID != tc.id || cred.ProjectID != tc.wantProj):
				t.Fatalf("got %s in %s, want %s in %s", cred.ID, cred.ProjectID, tc.id, tc.wantProj)
			}
			if got := w.requests(); !slices.Equal(got, tc.wantReqs) {
				t.Fatalf("requests\n got %q\nwant %q", got, tc.wantReqs)
			}
		})
	}

	reg, err := registryOf(w.account.locate(ctx, registryKind, "", w.reg7))
	if err != nil || reg.ProjectID != "1a7" || reg.ServerAddress != "registry.example.com" {
		t.Fatalf("locate registry: %+v, %v", reg, err)
	}
}

// A refusal is never taken for "gone": the search stops with the error.
func TestLocateRefusalIsAnError(t *testing.T) {
	w := newLocateWorld(t)
	ctx := testCtx(t)
	if _, err := credentialOf(w.account.locate(ctx, credentialKind, "1a8", w.cred8)); !IsForbidden(err) {
		t.Fatalf("a project the key cannot reach: %v, want 403", err)
	}
	bad := newSimClient(t, w.base, "acct", "wrong-secret", 0)
	if _, err := credentialOf(bad.locate(ctx, credentialKind, "", w.cred7)); !IsUnauthorized(err) {
		t.Fatalf("wrong secret: %v, want 401", err)
	}
	w.sim.RemoveProject("1a7")
	if _, err := credentialOf(w.account.locate(ctx, credentialKind, "1a7", w.cred7)); IsNotFound(err) || err == nil {
		t.Fatalf("recorded project removed: %v, want an error other than 404", err)
	}
}

// ReadLive* report gone only for an object that no longer exists for
// Terraform; a refused key is an error, never gone.
func TestReadLiveGoneOnlyWhenGone(t *testing.T) {
	sim, base, c := newSimAt(t, ranchersim.Options{})
	ctx := testCtx(t)
	reg := mustRegistry(t, sim, "live.example.com")
	cred := mustCredential(t, c, reg, "live")

	got, gone, err := c.ReadLiveRegistryCredential(ctx, simProject, cred.ID)
	if err != nil || gone || got.ID != cred.ID || got.ProjectID != simProject {
		t.Fatalf("live credential: got %+v gone %v err %v", got, gone, err)
	}
	if p, gone, err := c.RegistryCredentialProject(ctx, "", simProject, cred.ID); err != nil || gone || p != simProject {
		t.Fatalf("project of live credential: %q gone %v err %v", p, gone, err)
	}
	if p, _, err := c.RegistryCredentialProject(ctx, "1a99", simProject, cred.ID); err != nil || p != "1a99" {
		t.Fatalf("a known project is kept: %q err %v", p, err)
	}

	bad := newSimClient(t, base, simAccess, "wrong", 0)
	if _, gone, err := bad.ReadLiveRegistryCredential(ctx, simProject, cred.ID); gone || !IsUnauthorized(err) {
		t.Fatalf("401: gone %v err %v; want an error and not gone", gone, err)
	}

	if err := c.RemoveRegistryCredential(ctx, simProject, cred.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, gone, err := c.ReadLiveRegistryCredential(ctx, simProject, cred.ID); err != nil || !gone || got != nil {
		t.Fatalf("removed credential: got %+v gone %v err %v; want gone", got, gone, err)
	}
	if _, gone, err := c.ReadLiveRegistryCredential(ctx, simProject, "1c999"); err != nil || !gone {
		t.Fatalf("missing credential: gone %v err %v; want gone", gone, err)
	}
	if _, gone, err := c.RegistryProject(ctx, "", simProject, "1sp999"); err != nil || !gone {
		t.Fatalf("missing registry: gone %v err %v; want gone", gone, err)
	}
}

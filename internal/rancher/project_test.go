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

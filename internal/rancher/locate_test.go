package rancher

import (
	"slices"
	"testing"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

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

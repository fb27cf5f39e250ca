// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"reflect"
	"testing"
)

// keysFixture is a server with projects 1a5 (environment key
// simaccesskey), 1a7 (environment key otherkey) and 1a9 (no key), a
// registry and an active credential in 1a5 and in 1a7, an account key
// "acct" that owns 1a5 and a new project 1a8, and an admin key "adm".
type keysFixture struct {
	s               *Server
	c               *apiClient
	env5, env7      *apiClient
	acct, adm       *apiClient
	reg5, reg7      string
	cred5, cred7    string
	acctID, adminID string
	creds           string // the unscoped credentials collection
}

func newKeysFixture(t *testing.T, opts Options) *keysFixture {
	t.Helper()
	s, c := fixture(t, opts)
	f := &keysFixture{s: s, c: c, env5: c, reg5: "1sp1", creds: "/v1/registrycredentials"}
	s.AddEnvironmentKey("1a7", "otherkey", "othersecret")
	s.AddProject("1a9", "Nobody's")
	f.env7 = c.as("otherkey", "othersecret")
	var err error
	if f.reg7, err = s.CreateRegistry("1a7", "registry.example.com"); err != nil {
		t.Fatal(err)
	}
	s.AddAccountKey("acct", "acct-secret", false, map[string]string{"1a5": "owner", "1A8": "owner"})
	s.AddAccountKey("adm", "adm-secret", true, nil)
	f.acct, f.adm = c.as("acct", "acct-secret"), c.as("adm", "adm-secret")
	f.cred5 = newCred(t, s, c, "")
	r := f.env7.mustStatus(f.env7.post(f.creds, `{"registryId":"`+f.reg7+`","email":"x"}`), 201)
	f.cred7 = r.body["id"].(string)
	waitState(t, s, f.cred7, "active")
	f.acctID = f.acct.mustStatus(f.acct.get("/v1"), 200).header.Get("X-API-User-Id")
	f.adminID = f.adm.mustStatus(f.adm.get("/v1"), 200).header.Get("X-API-User-Id")
	return f
}

// expectAccount checks the account headers of an authenticated reply.
func expectAccount(t *testing.T, r reply, kind, account, user string) {
	t.Helper()
	if r.header.Get("X-API-Account-Kind") != kind || r.header.Get("X-API-Account-Id") != account ||
		r.header.Get("X-API-User-Id") != user {
		t.Fatalf("account headers kind %q account %q user %q, want %q %q %q; body %s",
			r.header.Get("X-API-Account-Kind"), r.header.Get("X-API-Account-Id"), r.header.Get("X-API-User-Id"),
			kind, account, user, r.raw)
	}
}

func TestAccountKeys(t *testing.T) {
	f := newKeysFixture(t, Options{})

	t.Run("member projects are made if new; the user account is none of them", func(t *testing.T) {
		r := f.acct.get("/v1/projects/1a8")
		expectStatus(t, r, 200)
		if r.body["type"] != "project" || r.body["state"] != "active" || r.body["name"] != "1a8" {
			t.Fatalf("%s", r.raw)
		}
		for _, pid := range []string{"1a1", "1a5", "1a7", "1a8", "1a9"} {
			if f.acctID == pid || f.adminID == pid {
				t.Fatalf("user account ids %s, %s collide with %s", f.acctID, f.adminID, pid)
			}
		}
		if accountNum(f.acctID) < 0 || f.acctID == f.adminID {
			t.Fatalf("user account ids %q %q", f.acctID, f.adminID)
		}
	})
	t.Run("without a project it is its own user account: empty lists, 404 by id", func(t *testing.T) {
		for _, path := range []string{f.creds, "/v1/registries"} {
			r := f.acct.get(path)
			expectStatus(t, r, 200)
			expectAccount(t, r, "user", f.acctID, f.acctID)
			if n := len(dataOf(t, r)); n != 0 {
				t.Fatalf("%s lists %d objects", path, n)
			}
		}
		expectError(t, f.acct.get(f.creds+"/"+f.cred5), 404, "Not Found", "")
		expectError(t, f.acct.get("/v1/registries/"+f.reg5), 404, "Not Found", "")
	})
	t.Run("without a project creates give 405, and the user schema is read-only", func(t *testing.T) {
		expectError(t, f.acct.post(f.creds, `{"registryId":"1sp1","email":"x"}`), 405, "Method not allowed", "")
		expectError(t, f.acct.post("/v1/registries", `{"serverAddress":"u.example.com"}`), 405, "Method not allowed", "")
		if n := len(f.s.Credentials(f.acctID)) + len(f.s.Registries(f.acctID)); n != 0 {
			t.Fatalf("%d objects made in the user account", n)
		}
		sc := f.acct.get("/v1/schemas/registrycredential")
		expectStatus(t, sc, 200)
		if !reflect.DeepEqual(sc.body["collectionMethods"], []any{"GET"}) ||
			obj(t, obj(t, sc.body["resourceFields"])["email"])["create"] != false {
			t.Fatalf("%s", sc.raw)
		}
	})
	t.Run("with a member project by path, header or query it acts in it", func(t *testing.T) {
		for _, pid := range []string{"1a5", "1a8"} {
			reg, err := f.s.CreateRegistry(pid, "acct.example.com")
			if err != nil {
				t.Fatal(err)
			}
			r := f.acct.post("/v1/projects/"+pid+"/registrycredentials", `{"registryId":"`+reg+`","email":"x"}`)
			expectStatus(t, r, 201)
			expectAccount(t, r, "user", pid, f.acctID)
			if r.body["accountId"] != pid {
				t.Fatalf("accountId %v, want %s", r.body["accountId"], pid)
			}
			id := r.body["id"].(string)
			waitState(t, f.s, id, "active")
			want := idsOf(t, f.adm.get("/v1/projects/"+pid+"/registrycredentials"))
			for _, r := range []reply{
				f.acct.get("/v1/projects/" + pid + "/registrycredentials"),
				f.acct.with("X-API-Project-Id", pid).get(f.creds),
				f.acct.get(f.creds + "?projectId=" + pid),
			} {
				expectStatus(t, r, 200)
				expectAccount(t, r, "user", pid, f.acctID)
				if got := idsOf(t, r); !reflect.DeepEqual(got, want) || len(got) == 0 {
					t.Fatalf("lists %v, want %v", got, want)
				}
			}
			expectStatus(t, f.acct.with("X-API-Project-Id", pid).action(f.creds+"/"+id, "deactivate"), 202)
			waitState(t, f.s, id, "inactive")
			expectStatus(t, f.acct.get(f.creds+"/"+id+"?projectId="+pid), 200)
		}
		// the credential of another project is not found through a member project
		expectError(t, f.acct.get(cred+"/"+f.cred7), 404, "Not Found", "")
	})
	t.Run("a project it is not a member of is 403", func(t *testing.T) {
		for _, pid := range []string{"1a7", "1a9", "1a99"} {
			expectError(t, f.acct.get("/v1/projects/"+pid+"/registrycredentials"), 403, "Forbidden", "")
			expectError(t, f.acct.with("X-API-Project-Id", pid).get(f.creds), 403, "Forbidden", "")
			expectError(t, f.acct.get(f.creds+"?projectId="+pid), 403, "Forbidden", "")
			expectError(t, f.acct.post("/v1/projects/"+pid+"/registrycredentials", `{"registryId":"1sp1","email":"x"}`),
				403, "Forbidden", "")
		}
	})
	t.Run("GET /v1/projects lists exactly its projects", func(t *testing.T) {
		if got := idsOf(t, f.acct.get("/v1/projects")); !reflect.DeepEqual(got, []string{"1a5", "1a8"}) {
			t.Fatalf("projects %v", got)
		}
		expectError(t, f.acct.get("/v1/projects/1a7"), 404, "Not Found", "")
		// an environment key sees its own project only
		if got := idsOf(t, f.env7.get("/v1/projects")); !reflect.DeepEqual(got, []string{"1a7"}) {
			t.Fatalf("environment key's projects %v", got)
		}
	})
}

func TestAdminKeys(t *testing.T) {
	f := newKeysFixture(t, Options{})

	t.Run("without a project it reads any object by id across projects", func(t *testing.T) {
		for _, id := range []string{f.cred5, f.cred7} {
			r := f.adm.get(f.creds + "/" + id)
			expectStatus(t, r, 200)
			expectAccount(t, r, "admin", f.adminID, f.adminID)
			if r.body["id"] != id || r.body["secretValue"] != nil {
				t.Fatalf("%s", r.raw)
			}
		}
		for _, id := range []string{f.reg5, f.reg7} {
			if r := f.adm.get("/v1/registries/" + id); r.status != 200 || r.body["id"] != id {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		}
		if got := idsOf(t, f.adm.get(f.creds)); !reflect.DeepEqual(got, []string{f.cred5, f.cred7}) {
			t.Fatalf("lists %v", got)
		}
	})
	t.Run("without a project it cannot create, update, delete or act", func(t *testing.T) {
		expectError(t, f.adm.post(f.creds, `{"registryId":"1sp1","email":"x"}`), 405, "Method not allowed", "")
		expectError(t, f.adm.post("/v1/registries", `{"serverAddress":"a.example.com"}`), 405, "Method not allowed", "")
		expectError(t, f.adm.put(f.creds+"/"+f.cred5, `{"name":"x"}`), 405, "Method not allowed", "")
		expectError(t, f.adm.del(f.creds+"/"+f.cred5), 405, "Method not allowed", "")
		expectError(t, f.adm.action(f.creds+"/"+f.cred5, "deactivate"), 422, "InvalidAction", "action")
		if c, _ := f.s.Credential(f.cred5); c.State != "active" || c.Name != nil {
			t.Fatalf("credential changed: %+v", c)
		}
		if n := len(f.s.Credentials("1a5")) + len(f.s.Credentials("1a7")); n != 2 {
			t.Fatalf("%d credentials", n)
		}
	})
	t.Run("with any project it acts in that project", func(t *testing.T) {
		reg9, err := f.s.CreateRegistry("1a9", "nine.example.com")
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			pid, reg string
			c        *apiClient
			path     string
		}{
			{"1a5", f.reg5, f.adm, cred},
			{"1a7", f.reg7, f.adm.with("X-API-Project-Id", "1a7"), f.creds},
			{"1a9", reg9, f.adm, f.creds + "?projectId=1a9"},
		}
		for _, tc := range cases {
			r := tc.c.post(tc.path, `{"registryId":"`+tc.reg+`","email":"x"}`)
			expectStatus(t, r, 201)
			expectAccount(t, r, "admin", tc.pid, f.adminID)
			id := r.body["id"].(string)
			if r.body["accountId"] != tc.pid {
				t.Fatalf("accountId %v, want %s", r.body["accountId"], tc.pid)
			}
			waitState(t, f.s, id, "active")
			self := "/v1/projects/" + tc.pid + "/registrycredentials/" + id
			expectStatus(t, f.adm.put(self, `{"name":"by-admin"}`), 200)
			expectStatus(t, f.adm.action(self, "deactivate"), 202)
			waitState(t, f.s, id, "inactive")
			expectStatus(t, f.adm.del(self), 200)
			waitState(t, f.s, id, "removed")
			if c, _ := f.s.Credential(id); !strPtrEqual(c.Name, "by-admin") || c.ProjectID != tc.pid {
				t.Fatalf("%+v", c)
			}
		}
		// in a project, objects of other projects are not found
		expectError(t, f.adm.get(cred+"/"+f.cred7), 404, "Not Found", "")
		expectError(t, f.adm.get("/v1/projects/1a99/registrycredentials"), 403, "Forbidden", "")
	})
	t.Run("GET /v1/projects lists every project", func(t *testing.T) {
		if got := idsOf(t, f.adm.get("/v1/projects")); !reflect.DeepEqual(got, []string{"1a5", "1a7", "1a8", "1a9"}) {
			t.Fatalf("projects %v", got)
		}
		for _, pid := range []string{"1a7", "1a9"} {
			expectStatus(t, f.adm.get("/v1/projects/"+pid), 200)
		}
	})
}

func strPtrEqual(p *string, want string) bool { return p != nil && *p == want }

func TestNoAuthKeepsValidKeys(t *testing.T) {
	f := newKeysFixture(t, Options{AccessControlOff: true})

	t.Run("an environment key acts as its project, not as admin", func(t *testing.T) {
		r := f.env5.get(f.creds)
		expectStatus(t, r, 200)
		expectAccount(t, r, "project", "1a5", "1a5")
		if got := idsOf(t, r); !reflect.DeepEqual(got, []string{f.cred5}) {
			t.Fatalf("lists %v", got)
		}
		expectError(t, f.env5.get("/v1/projects/1a7/registrycredentials"), 403, "Forbidden", "")
		expectError(t, f.env5.get(f.creds+"/"+f.cred7), 404, "Not Found", "")
		if got := idsOf(t, f.env5.get("/v1/projects")); !reflect.DeepEqual(got, []string{"1a5"}) {
			t.Fatalf("projects %v", got)
		}
	})
	t.Run("an account key acts as its user account", func(t *testing.T) {
		r := f.acct.get(f.creds)
		expectStatus(t, r, 200)
		expectAccount(t, r, "user", f.acctID, f.acctID)
		if n := len(dataOf(t, r)); n != 0 {
			t.Fatalf("lists %d", n)
		}
		expectError(t, f.acct.post(f.creds, `{"registryId":"1sp1","email":"x"}`), 405, "Method not allowed", "")
		expectError(t, f.acct.get("/v1/projects/1a7/registrycredentials"), 403, "Forbidden", "")
		expectAccount(t, f.acct.mustStatus(f.acct.get(cred), 200), "user", "1a5", f.acctID)
	})
	t.Run("an admin key is its own admin account", func(t *testing.T) {
		expectAccount(t, f.adm.mustStatus(f.adm.get("/v1"), 200), "admin", f.adminID, f.adminID)
		if f.adminID == AdminAccountID {
			t.Fatalf("admin key is the fallback admin account %s", f.adminID)
		}
	})
	t.Run("no key, an unknown key or a wrong secret is the admin account", func(t *testing.T) {
		for name, cl := range map[string]*apiClient{
			"no key": f.c.anonymous(), "unknown key": f.c.as("nokey", "x"), "wrong secret": f.c.as(DefaultAccessKey, "wrong"),
		} {
			r := cl.get("/v1/projects/1a7/registrycredentials")
			expectStatus(t, r, 200)
			expectAccount(t, r, "admin", "1a7", AdminAccountID)
			if got := idsOf(t, r); !reflect.DeepEqual(got, []string{f.cred7}) {
				t.Fatalf("%s: lists %v", name, got)
			}
			if got := idsOf(t, cl.get("/v1/projects")); !reflect.DeepEqual(got, []string{"1a5", "1a7", "1a8", "1a9"}) {
				t.Fatalf("%s: projects %v", name, got)
			}
		}
	})
	t.Run("X-ENFORCE-AUTHENTICATION: a valid key works, no key is 401", func(t *testing.T) {
		r := f.env5.with("X-ENFORCE-AUTHENTICATION", "true").get(f.creds)
		expectStatus(t, r, 200)
		expectAccount(t, r, "project", "1a5", "1a5")
		expectError(t, f.c.anonymous().with("X-ENFORCE-AUTHENTICATION", "true").get(f.creds), 401, "Unauthorized", "")
		expectError(t, f.c.as(DefaultAccessKey, "wrong").with("X-ENFORCE-AUTHENTICATION", "true").get(f.creds),
			401, "Unauthorized", "")
	})
	t.Run("access control on: the same requests without a valid key are 401", func(t *testing.T) {
		on := newKeysFixture(t, Options{})
		for _, cl := range []*apiClient{on.c.anonymous(), on.c.as("nokey", "x"), on.c.as(DefaultAccessKey, "wrong")} {
			expectError(t, cl.get(f.creds), 401, "Unauthorized", "")
		}
		expectAccount(t, on.env5.mustStatus(on.env5.get(f.creds), 200), "project", "1a5", "1a5")
	})
}

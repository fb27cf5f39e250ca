// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"reflect"
	"testing"
)

func TestAuthAndScope(t *testing.T) {
	s, c := fixture(t, Options{})
	s.AddEnvironmentKey("1a7", "otherkey", "othersecret")
	if _, err := s.CreateRegistry("1a7", "registry.example.com"); err != nil {
		t.Fatal(err)
	}
	other := c.as("otherkey", "othersecret")
	s.AddAccountKey("member", "ms", false, map[string]string{"1a5": "member"})
	s.AddAccountKey("admin", "as", true, nil)
	id := newCred(t, s, c, "")

	t.Run("§10/basic auth with environment and account keys", func(t *testing.T) {
		expectStatus(t, c.get(cred), 200)
		expectStatus(t, other.get("/v1/registrycredentials"), 200)
		expectStatus(t, c.as("member", "ms").get(cred), 200)
		expectStatus(t, c.as("admin", "as").get(cred), 200)
	})
	t.Run("§10/401 with WWW-Authenticate", func(t *testing.T) {
		for _, cl := range []*apiClient{c.anonymous(), c.as(DefaultAccessKey, "wrong"), c.as("nokey", "x")} {
			r := cl.get(cred)
			expectError(t, r, 401, "Unauthorized", "")
			if got := r.header.Get("WWW-Authenticate"); got != `Basic realm="Enter API access key and secret key as username and password"` {
				t.Fatalf("WWW-Authenticate %q", got)
			}
		}
		r := c.anonymous().with("X-API-No-Challenge", "true").get(cred)
		expectError(t, r, 401, "Unauthorized", "")
		if r.header.Get("WWW-Authenticate") != "" {
			t.Fatal("challenge despite X-API-No-Challenge")
		}
	})
	t.Run("§10/access control off makes requests without a valid key admin", func(t *testing.T) {
		s2, base := NewTestServer(t, Options{AccessControlOff: true})
		if _, err := s2.CreateRegistry("1a5", "r.example.com"); err != nil {
			t.Fatal(err)
		}
		c2 := newClient(t, base).anonymous()
		r := c2.get("/v1")
		expectStatus(t, r, 200)
		if r.header.Get("X-API-Account-Kind") != "admin" || r.header.Get("X-API-Account-Id") != AdminAccountID {
			t.Fatalf("headers %v", r.header)
		}
		r = c2.post(cred, `{"registryId":"1sp1","email":"x"}`)
		expectStatus(t, r, 201)
		if r.header.Get("X-API-Account-Id") != "1a5" {
			t.Fatalf("headers %v", r.header)
		}
		expectStatus(t, c2.as("bad", "keys").get(cred), 200)
		expectError(t, c2.with("X-ENFORCE-AUTHENTICATION", "true").get(cred), 401, "Unauthorized", "")
	})
	t.Run("§10/project from path, header, query", func(t *testing.T) {
		m := c.as("member", "ms")
		for _, r := range []reply{
			m.get(cred),
			m.with("X-API-Project-Id", "1a5").get("/v1/registrycredentials"),
			m.get("/v1/registrycredentials?projectId=1a5"),
		} {
			expectStatus(t, r, 200)
			if r.header.Get("X-API-Account-Id") != "1a5" || len(dataOf(t, r)) != 1 {
				t.Fatalf("%v %s", r.header, r.raw)
			}
		}
		// the path wins over the header
		r := m.with("X-API-Project-Id", "1a7").get(cred)
		expectStatus(t, r, 200)
		// an account key without a project: its own account, nothing listed
		r = m.get("/v1/registrycredentials")
		expectStatus(t, r, 200)
		if len(dataOf(t, r)) != 0 || r.header.Get("X-API-Account-Id") == "1a5" {
			t.Fatalf("%s", r.raw)
		}
		// an environment key without a project: its own
		r = c.get("/v1/registrycredentials")
		if len(dataOf(t, r)) != 1 || r.header.Get("X-API-Account-Id") != "1a5" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("§10/403 for projects out of reach", func(t *testing.T) {
		cases := []struct {
			name string
			r    reply
		}{
			{"environment key, other project by path", other.get(cred)},
			{"environment key, other project by header", other.with("X-API-Project-Id", "1a5").get("/v1/registrycredentials")},
			{"environment key, other project by query", other.get("/v1/registrycredentials?projectId=1a5")},
			{"account key, not a member", c.as("member", "ms").get("/v1/projects/1a7/registrycredentials")},
			{"unknown project", c.as("admin", "as").get("/v1/projects/1a99/registrycredentials")},
			{"malformed project", c.as("admin", "as").get("/v1/projects/abc/registrycredentials")},
			{"empty header", c.with("X-API-Project-Id", "").get("/v1/registrycredentials")},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { expectError(t, tc.r, 403, "Forbidden", "") })
		}
	})
	t.Run("§10/another project's credential is 404; accountId is forced", func(t *testing.T) {
		expectError(t, other.get("/v1/registrycredentials/"+id), 404, "Not Found", "")
		expectError(t, other.put("/v1/registrycredentials/"+id, `{"name":"x"}`), 404, "Not Found", "")
		expectError(t, other.del("/v1/registrycredentials/"+id), 404, "Not Found", "")
		expectError(t, other.action("/v1/registrycredentials/"+id, "deactivate"), 404, "Not Found", "")
		r := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x","accountId":"1a7"}`), 201)
		if r.body["accountId"] != "1a5" {
			t.Fatalf("accountId %v", r.body["accountId"])
		}
		if len(dataOf(t, other.get("/v1/registrycredentials"))) != 0 {
			t.Fatal("other project lists our credentials")
		}
	})
	t.Run("§10/removed project gives 403", func(t *testing.T) {
		s.AddEnvironmentKey("1a8", "k8", "s8")
		s.AddAccountKey("m8", "s8", false, map[string]string{"1a8": "owner"})
		expectStatus(t, c.as("k8", "s8").get("/v1/registrycredentials"), 200)
		s.RemoveProject("1a8")
		expectError(t, c.as("k8", "s8").get("/v1/registrycredentials"), 403, "Forbidden", "")
		expectError(t, c.as("m8", "s8").get("/v1/projects/1a8/registrycredentials"), 403, "Forbidden", "")
	})
}

func TestRoles(t *testing.T) {
	s, c := fixture(t, Options{})
	s.AddEnvironmentKey("1a7", "otherkey", "othersecret")
	reg7, _ := s.CreateRegistry("1a7", "r7")
	s.AddAccountKey("padmin", "ps", false, map[string]string{"1a5": "projectadmin"})
	s.AddAccountKey("ro", "rs", false, map[string]string{"1a5": "readonly"})
	s.AddAccountKey("owner", "os", false, map[string]string{"1a5": "owner"})
	s.AddAccountKey("admin", "as", true, nil)
	id := newCred(t, s, c, `{"registryId":"1sp1","email":"x","secretValue":"hidden"}`)
	other := c.as("otherkey", "othersecret")
	oid := other.mustStatus(other.post("/v1/registrycredentials", `{"registryId":"`+reg7+`","email":"x"}`), 201).body["id"].(string)

	t.Run("§11/projectadmin sees secretValue everywhere", func(t *testing.T) {
		pa := c.as("padmin", "ps")
		if r := pa.get(cred + "/" + id); r.body["secretValue"] != "hidden" {
			t.Fatalf("%s", r.raw)
		}
		if d := dataOf(t, pa.get(cred)); d[0]["secretValue"] != "hidden" {
			t.Fatalf("%v", d[0])
		}
		if r := pa.put(cred+"/"+id, `{"name":"x"}`); r.body["secretValue"] != "hidden" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("§11/owner does not see secretValue on GET", func(t *testing.T) {
		if r := c.as("owner", "os").get(cred + "/" + id); r.status != 200 || r.body["secretValue"] != nil {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("§11/readonly member: 405 on writes, no actions", func(t *testing.T) {
		ro := c.as("ro", "rs")
		r := ro.get(cred + "/" + id)
		expectStatus(t, r, 200)
		expectKeys(t, obj(t, r.body["actions"]))
		expectError(t, ro.post(cred, `{"registryId":"1sp1","email":"x"}`), 405, "Method not allowed", "")
		expectError(t, ro.put(cred+"/"+id, `{"name":"x"}`), 405, "Method not allowed", "")
		expectError(t, ro.del(cred+"/"+id), 405, "Method not allowed", "")
		expectError(t, ro.action(cred+"/"+id, "deactivate"), 422, "InvalidAction", "action")
		sc := ro.get("/v1/projects/1a5/schemas/registrycredential")
		if !reflect.DeepEqual(sc.body["collectionMethods"], []any{"GET"}) || len(obj(t, sc.body["resourceActions"])) != 0 {
			t.Fatalf("%s", sc.raw)
		}
	})
	t.Run("§11/admin key without a project reads across projects, cannot create", func(t *testing.T) {
		ad := c.as("admin", "as")
		expectStatus(t, ad.get("/v1/registrycredentials/"+id), 200)
		expectStatus(t, ad.get("/v1/registrycredentials/"+oid), 200)
		if n := len(dataOf(t, ad.get("/v1/registrycredentials"))); n != 2 {
			t.Fatalf("admin lists %d", n)
		}
		expectError(t, ad.post("/v1/registrycredentials", `{"registryId":"1sp1","email":"x"}`), 405, "Method not allowed", "")
		// with a project it acts in it
		expectStatus(t, ad.post(cred, `{"registryId":"1sp1","email":"x"}`), 201)
		if got := idsOf(t, ad.get("/v1/projects")); !reflect.DeepEqual(got, []string{"1a5", "1a7"}) {
			t.Fatalf("projects %v", got)
		}
	})
	t.Run("§10/account key lists its member projects", func(t *testing.T) {
		if got := idsOf(t, c.as("owner", "os").get("/v1/projects")); !reflect.DeepEqual(got, []string{"1a5"}) {
			t.Fatalf("projects %v", got)
		}
		expectError(t, c.as("owner", "os").get("/v1/projects/1a7"), 404, "Not Found", "")
		expectError(t, c.get("/v1/projects/1a7"), 404, "Not Found", "")
	})
}

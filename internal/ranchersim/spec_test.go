package ranchersim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The spec tests check README.md section by section; each subtest is named
// "§N/<behaviour>" after the section it checks.

var credentialKeys = []string{"id", "type", "links", "actions", "baseType", "name", "state",
	"accountId", "created", "createdTS", "description", "email", "kind", "publicValue", "registryId",
	"removed", "secretValue", "transitioning", "transitioningMessage", "transitioningProgress", "uuid"}

func TestRoutingAndEnvelope(t *testing.T) {
	s, c := fixture(t, Options{})
	id := newCred(t, s, c, "")

	t.Run("§2/type names resolve case-insensitively, singular and plural", func(t *testing.T) {
		for _, p := range []string{
			"/v1/projects/1a5/registryCredentials", "/v1/projects/1a5/registrycredentials",
			"/v1/projects/1a5/registryCredential", "/v1/projects/1a5/REGISTRYCREDENTIALS",
			"/v1/registrycredentials", "/v1/registryCredentials",
		} {
			r := c.get(p)
			expectStatus(t, r, 200)
			if r.body["resourceType"] != "registryCredential" {
				t.Fatalf("%s: resourceType %v", p, r.body["resourceType"])
			}
		}
		for _, p := range []string{"/v1/projects/1a5/registries", "/v1/projects/1a5/registry", "/v1/Registries"} {
			r := c.get(p)
			expectStatus(t, r, 200)
			if r.body["resourceType"] != "registry" {
				t.Fatalf("%s: resourceType %v", p, r.body["resourceType"])
			}
		}
		for _, p := range []string{"/v1/schemas", "/v1/Schemas", "/v1/projects/1a5/schemas", "/v1/schema"} {
			expectStatus(t, c.get(p), 200)
		}
		expectStatus(t, c.get("/v1/projects/1a5/registryCredentials/"+id), 200)
	})
	t.Run("§2/actions at /{id}?action=x and /{id}/?action=x", func(t *testing.T) {
		r := c.post(cred+"/"+id+"?action=deactivate", "")
		expectStatus(t, r, 202)
		waitState(t, s, id, "inactive")
		r = c.post(cred+"/"+id+"/?action=activate", "")
		expectStatus(t, r, 202)
		waitState(t, s, id, "active")
	})
	t.Run("§2/X-API-Schemas, Content-Type and account headers", func(t *testing.T) {
		cases := []struct {
			path, schemas string
		}{
			{cred, c.base + "/v1/projects/1a5/schemas"},
			{"/v1/registrycredentials", c.base + "/v1/schemas"},
			{"/v1", c.base + "/v1/schemas"},
			{"/v1/projects/1a5", c.base + "/v1/schemas"},
			{"/v1/projects/1a5/schemas", c.base + "/v1/projects/1a5/schemas"},
		}
		for _, tc := range cases {
			r := c.get(tc.path)
			expectStatus(t, r, 200)
			if got := r.header.Get("X-API-Schemas"); got != tc.schemas {
				t.Fatalf("%s: X-API-Schemas %q, want %q", tc.path, got, tc.schemas)
			}
			if got := r.header.Get("Content-Type"); got != "application/json; charset=utf-8" {
				t.Fatalf("Content-Type %q", got)
			}
			if r.header.Get("X-API-Account-Id") != "1a5" || r.header.Get("X-API-User-Id") != "1a5" ||
				r.header.Get("X-API-Account-Kind") != "project" {
				t.Fatalf("%s: account headers %v", tc.path, r.header)
			}
		}
		// errors carry them too, authenticated or not
		r := c.anonymous().get(cred)
		if r.header.Get("X-API-Schemas") != c.base+"/v1/projects/1a5/schemas" ||
			r.header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("401 headers %v", r.header)
		}
		r = c.get(cred + "/1c999")
		if r.header.Get("X-API-Schemas") == "" || r.header.Get("X-API-Account-Id") != "1a5" {
			t.Fatalf("404 headers %v", r.header)
		}
	})
	t.Run("§2/account kinds user and admin", func(t *testing.T) {
		s.AddAccountKey("userkey", "usersecret", false, map[string]string{"1a5": "owner"})
		s.AddAccountKey("adminkey", "adminsecret", true, nil)
		r := c.as("userkey", "usersecret").get(cred)
		expectStatus(t, r, 200)
		if r.header.Get("X-API-Account-Kind") != "user" || r.header.Get("X-API-Account-Id") != "1a5" ||
			!strings.HasPrefix(r.header.Get("X-API-User-Id"), "1a") || r.header.Get("X-API-User-Id") == "1a5" {
			t.Fatalf("user key headers %v", r.header)
		}
		r = c.as("adminkey", "adminsecret").get("/v1")
		if r.header.Get("X-API-Account-Kind") != "admin" {
			t.Fatalf("admin key headers %v", r.header)
		}
	})
	t.Run("§2/GET /v1 is the apiVersion", func(t *testing.T) {
		r := c.get("/v1")
		expectStatus(t, r, 200)
		if r.body["type"] != "apiVersion" || r.body["id"] != "v1" {
			t.Fatalf("%s", r.raw)
		}
		links := obj(t, r.body["links"])
		want := map[string]string{"self": c.base + "/v1", "registryCredentials": c.base + "/v1/registrycredentials",
			"registries": c.base + "/v1/registries", "schemas": c.base + "/v1/schemas", "projects": c.base + "/v1/projects"}
		for k, v := range want {
			if links[k] != v {
				t.Fatalf("links[%s] = %v, want %s", k, links[k], v)
			}
		}
		r = c.get("/v1/projects/1a5/")
		expectStatus(t, r, 200)
		if r.body["type"] != "project" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("§2/GET /v1/projects/{pid} is the project itself", func(t *testing.T) {
		r := c.get("/v1/projects/1a5")
		expectStatus(t, r, 200)
		if r.body["type"] != "project" || r.body["id"] != "1a5" || r.body["name"] != "Default" || r.body["state"] != "active" {
			t.Fatalf("%s", r.raw)
		}
		if r.header.Get("X-API-Schemas") != c.base+"/v1/schemas" {
			t.Fatalf("X-API-Schemas %q", r.header.Get("X-API-Schemas"))
		}
		r = c.get("/v1/projects")
		expectStatus(t, r, 200)
		if got := idsOf(t, r); !reflect.DeepEqual(got, []string{"1a5"}) {
			t.Fatalf("projects %v", got)
		}
	})
	t.Run("§12/schema documents", func(t *testing.T) {
		for _, scope := range []string{"", "/projects/1a5"} {
			r := c.get("/v1" + scope + "/schemas")
			expectStatus(t, r, 200)
			if r.body["type"] != "collection" || r.body["resourceType"] != "schema" {
				t.Fatalf("%s", r.raw)
			}
			found := map[string]map[string]any{}
			for _, d := range dataOf(t, r) {
				found[d["id"].(string)] = d
			}
			for _, id := range []string{"registryCredential", "registry", "project"} {
				d, ok := found[id]
				if !ok {
					t.Fatalf("no schema %s", id)
				}
				for _, k := range []string{"pluralName", "resourceMethods", "collectionMethods", "resourceFields", "resourceActions", "collectionFilters"} {
					if _, ok := d[k]; !ok {
						t.Fatalf("schema %s lacks %s", id, k)
					}
				}
				if d["type"] != "schema" {
					t.Fatalf("type %v", d["type"])
				}
			}
			rc := found["registryCredential"]
			links := obj(t, rc["links"])
			if links["collection"] != c.base+"/v1"+scope+"/registrycredentials" ||
				links["self"] != c.base+"/v1"+scope+"/schemas/registrycredential" {
				t.Fatalf("links %v", links)
			}
			if rc["pluralName"] != "registryCredentials" ||
				!reflect.DeepEqual(rc["resourceMethods"], []any{"GET", "PUT", "DELETE"}) ||
				!reflect.DeepEqual(rc["collectionMethods"], []any{"GET", "POST"}) {
				t.Fatalf("%v", rc)
			}
			fields := obj(t, rc["resourceFields"])
			email := obj(t, fields["email"])
			if _, nullable := email["nullable"]; email["required"] != true || nullable || email["minLength"] != float64(1) ||
				email["create"] != true || email["update"] != true {
				t.Fatalf("email %v", email)
			}
			reg := obj(t, fields["registryId"])
			if reg["type"] != "reference[registry]" || reg["update"] != false || reg["required"] != true {
				t.Fatalf("registryId %v", reg)
			}
			if obj(t, fields["secretValue"])["type"] != "password" {
				t.Fatalf("secretValue %v", fields["secretValue"])
			}
			if got := len(obj(t, rc["collectionFilters"])); got != 13 {
				t.Fatalf("%d collectionFilters", got)
			}
			if _, ok := obj(t, rc["resourceActions"])["restore"]; ok {
				t.Fatal("restore in resourceActions")
			}
		}
		r := c.get("/v1/projects/1a5/schemas/registryCredential")
		expectStatus(t, r, 200)
		if r.body["id"] != "registryCredential" {
			t.Fatalf("%s", r.raw)
		}
		expectError(t, c.get("/v1/schemas/nope"), 404, "Not Found", "")
	})
	t.Run("§3/ids, lower-cased URLs, links and action URLs", func(t *testing.T) {
		r := c.get("/v1/projects/1A5/registryCredentials/" + id)
		expectStatus(t, r, 200)
		if !strings.HasPrefix(id, "1c") {
			t.Fatalf("id %s", id)
		}
		self := c.base + "/v1/projects/1a5/registrycredentials/" + id
		links := obj(t, r.body["links"])
		want := map[string]any{"self": self, "account": self + "/account", "images": self + "/images",
			"instances": self + "/instances", "registry": self + "/registry"}
		if !reflect.DeepEqual(links, want) {
			t.Fatalf("links %v, want %v", links, want)
		}
		actions := obj(t, r.body["actions"])
		if actions["deactivate"] != self+"/?action=deactivate" || actions["update"] != self+"/?action=update" {
			t.Fatalf("actions %v", actions)
		}
		// without the project in the URL, no subContext
		r = c.get("/v1/registrycredentials/" + id)
		if obj(t, r.body["links"])["self"] != c.base+"/v1/registrycredentials/"+id {
			t.Fatalf("links %v", r.body["links"])
		}
		// counters are monotonic per type
		r2 := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201)
		if r2.body["id"] == id {
			t.Fatal("id reused")
		}
		rr := c.mustStatus(c.post("/v1/projects/1a5/registries", `{"serverAddress":"other.example.com"}`), 201)
		if rr.body["id"] != "1sp2" {
			t.Fatalf("registry id %v", rr.body["id"])
		}
		// links work
		expectStatus(t, c.get(self+"/registry"), 200)
		expectStatus(t, c.get(self+"/account"), 200)
		r = c.get(self + "/images")
		expectStatus(t, r, 200)
		if r.body["type"] != "collection" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("§3/resource JSON has every key, in order, unset ones null", func(t *testing.T) {
		r := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"e@x"}`), 201)
		if got := topKeys(t, r.raw); !reflect.DeepEqual(got, credentialKeys) {
			t.Fatalf("keys %v\nwant %v", got, credentialKeys)
		}
		for _, k := range []string{"name", "description", "publicValue", "secretValue", "removed", "transitioningProgress"} {
			if v, ok := r.body[k]; !ok || v != nil {
				t.Fatalf("%s = %v, want null", k, v)
			}
		}
		if r.body["type"] != "registryCredential" || r.body["baseType"] != "credential" || r.body["kind"] != "registryCredential" ||
			r.body["accountId"] != "1a5" || r.body["registryId"] != "1sp1" || r.body["email"] != "e@x" {
			t.Fatalf("%s", r.raw)
		}
		created, err := time.Parse("2006-01-02T15:04:05Z", r.body["created"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if int64(r.body["createdTS"].(float64)) != created.UnixMilli() {
			t.Fatalf("createdTS %v vs created %v", r.body["createdTS"], r.body["created"])
		}
		if _, ok := r.body["removedTS"]; ok {
			t.Fatal("removedTS without removed")
		}
		if len(r.body["uuid"].(string)) != 36 {
			t.Fatalf("uuid %v", r.body["uuid"])
		}
	})
	t.Run("§3/removedTS appears with removed", func(t *testing.T) {
		x := newCred(t, s, c, "")
		c.mustStatus(c.action(cred+"/"+x, "deactivate"), 202)
		waitState(t, s, x, "inactive")
		c.mustStatus(c.del(cred+"/"+x), 200)
		waitState(t, s, x, "removed")
		r := c.get(cred + "/" + x)
		removed, err := time.Parse("2006-01-02T15:04:05Z", r.body["removed"].(string))
		if err != nil {
			t.Fatalf("removed %v", r.body["removed"])
		}
		if int64(r.body["removedTS"].(float64)) != removed.UnixMilli() {
			t.Fatalf("removedTS %v", r.body["removedTS"])
		}
		keys := topKeys(t, r.raw)
		if keys[16] != "removedTS" {
			t.Fatalf("keys %v", keys)
		}
	})
	t.Run("§3/transitioning fields", func(t *testing.T) {
		x := newCred(t, s, c, "")
		r := c.get(cred + "/" + x)
		if r.body["transitioning"] != "no" || r.body["transitioningMessage"] != nil || r.body["transitioningProgress"] != nil {
			t.Fatalf("%s", r.raw)
		}
		s.HangNextTransition(x)
		r = c.action(cred+"/"+x, "deactivate")
		if r.body["state"] != "deactivating" || r.body["transitioning"] != "yes" ||
			r.body["transitioningMessage"] != "In Progress" || r.body["transitioningProgress"] != nil {
			t.Fatalf("%s", r.raw)
		}
		time.Sleep(5 * time.Millisecond)
		r = c.get(cred + "/" + x)
		if r.body["state"] != "deactivating" || r.body["transitioning"] != "yes" {
			t.Fatalf("hung transition moved: %s", r.raw)
		}
	})
}

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

func TestCreate(t *testing.T) {
	s, c := fixture(t, Options{})
	s.AddEnvironmentKey("1a7", "otherkey", "othersecret")
	otherReg, _ := s.CreateRegistry("1a7", "registry.example.com")
	long := func(n int) string { return strings.Repeat("x", n) }

	t.Run("§6/invalid JSON is 400 InvalidBodyContent", func(t *testing.T) {
		for _, body := range []string{`{`, `not json`, `[1,2]`, `"str"`, `{"email":"x"} trailing`} {
			expectError(t, c.post(cred, body), 400, "InvalidBodyContent", "")
		}
	})
	t.Run("§6/unknown and read-only keys are ignored", func(t *testing.T) {
		r := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x","id":"1c999","state":"active","kind":"foo","accountId":"1a7","uuid":"u","created":"x","bogus":1}`), 201)
		if r.body["id"] == "1c999" || r.body["state"] != "registering" || r.body["kind"] != "registryCredential" ||
			r.body["accountId"] != "1a5" || r.body["uuid"] == "u" {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("§6/validation order", func(t *testing.T) {
		cases := []struct {
			name, body, code, field string
		}{
			{"NotNullable registryId", `{"registryId":null,"email":"x"}`, "NotNullable", "registryId"},
			{"NotNullable email", `{"registryId":"1sp1","email":null}`, "NotNullable", "email"},
			{"NotNullable before InvalidReference", `{"registryId":"1sp999","email":null}`, "NotNullable", "email"},
			{"NotNullable before MissingRequired", `{"email":null}`, "NotNullable", "email"},
			{"InvalidReference unknown registry", `{"registryId":"1sp999","email":"x"}`, "InvalidReference", "registryId"},
			{"InvalidReference other project's registry", `{"registryId":"` + otherReg + `","email":"x"}`, "InvalidReference", "registryId"},
			{"InvalidReference malformed id", `{"registryId":"abc","email":"x"}`, "InvalidReference", "registryId"},
			{"InvalidReference before MinLengthExceeded", `{"registryId":"1sp999","email":""}`, "InvalidReference", "registryId"},
			{"InvalidReference before MissingRequired", `{"registryId":"1sp999"}`, "InvalidReference", "registryId"},
			{"MinLengthExceeded email", `{"registryId":"1sp1","email":""}`, "MinLengthExceeded", "email"},
			{"MinLengthExceeded before MaxLengthExceeded", `{"registryId":"1sp1","email":"","name":"` + long(256) + `"}`, "MinLengthExceeded", "email"},
			{"MaxLengthExceeded name", `{"registryId":"1sp1","email":"x","name":"` + long(256) + `"}`, "MaxLengthExceeded", "name"},
			{"MaxLengthExceeded description", `{"registryId":"1sp1","email":"x","description":"` + long(1025) + `"}`, "MaxLengthExceeded", "description"},
			{"MaxLengthExceeded publicValue", `{"registryId":"1sp1","email":"x","publicValue":"` + long(4097) + `"}`, "MaxLengthExceeded", "publicValue"},
			{"MaxLengthExceeded secretValue", `{"registryId":"1sp1","email":"x","secretValue":"` + long(4097) + `"}`, "MaxLengthExceeded", "secretValue"},
			{"MaxLengthExceeded before MissingRequired", `{"registryId":"1sp1","name":"` + long(256) + `"}`, "MaxLengthExceeded", "name"},
			{"MissingRequired registryId first", `{}`, "MissingRequired", "registryId"},
			{"MissingRequired registryId, empty body", ``, "MissingRequired", "registryId"},
			{"MissingRequired email", `{"registryId":"1sp1"}`, "MissingRequired", "email"},
			{"MissingRequired registryId with email", `{"email":"x"}`, "MissingRequired", "registryId"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { expectError(t, c.post(cred, tc.body), 422, tc.code, tc.field) })
		}
	})
	t.Run("§6/limits themselves are accepted", func(t *testing.T) {
		body := fmt.Sprintf(`{"registryId":"1sp1","email":"x","name":%q,"description":%q,"publicValue":%q,"secretValue":%q}`,
			long(255), long(1024), long(4096), long(4096))
		expectStatus(t, c.post(cred, body), 201)
	})
	t.Run("§6/registryId resolves in any registry state and by bare number", func(t *testing.T) {
		rid, _ := s.CreateRegistry("1a5", "removed.example.com")
		for _, a := range []string{"deactivate", "remove"} {
			if err := s.Act(rid, a); err != nil {
				t.Fatal(err)
			}
		}
		waitState(t, s, rid, "removed")
		expectStatus(t, c.post(cred, `{"registryId":"`+rid+`","email":"x"}`), 201)
		r := c.mustStatus(c.post(cred, `{"registryId":1,"email":"x"}`), 201)
		if r.body["registryId"] != "1sp1" {
			t.Fatalf("registryId %v", r.body["registryId"])
		}
	})
	t.Run("§6/no uniqueness", func(t *testing.T) {
		body := `{"registryId":"1sp1","email":"dup@x","name":"dup","publicValue":"dup"}`
		a := c.mustStatus(c.post(cred, body), 201)
		b := c.mustStatus(c.post(cred, body), 201)
		if a.body["id"] == b.body["id"] {
			t.Fatal("same id")
		}
	})
	t.Run("§6/201 body in registering with the secret echoed", func(t *testing.T) {
		r := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"me@x","secretValue":"s3cret","name":"n"}`), 201)
		b := r.body
		if b["state"] != "registering" || b["transitioning"] != "yes" || b["transitioningMessage"] != "In Progress" ||
			b["secretValue"] != "s3cret" || b["email"] != "me@x" || b["kind"] != "registryCredential" ||
			b["removed"] != nil || b["uuid"] == nil || b["created"] == nil {
			t.Fatalf("%s", r.raw)
		}
		expectKeys(t, obj(t, b["actions"]), "activate", "deactivate", "remove")
	})
	t.Run("§4/registering → activating → active, never inactive", func(t *testing.T) {
		s.SetTransitionDelay(60 * time.Millisecond)
		defer s.SetTransitionDelay(0)
		r := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201)
		id := r.body["id"].(string)
		seen := []string{"registering"}
		waitFor(t, "active", func() bool {
			g := c.get(cred + "/" + id)
			st := g.body["state"].(string)
			if st != seen[len(seen)-1] {
				seen = append(seen, st)
			}
			if st == "activating" {
				expectKeys(t, obj(t, g.body["actions"]), "deactivate")
				if g.body["transitioning"] != "yes" {
					t.Fatalf("%s", g.raw)
				}
			}
			return st == "active"
		})
		if !reflect.DeepEqual(seen, []string{"registering", "activating", "active"}) {
			t.Fatalf("states %v", seen)
		}
	})
	t.Run("§4/delay 0 completes right after the response", func(t *testing.T) {
		r := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201)
		waitState(t, s, r.body["id"].(string), "active")
	})
}

func TestReadAndList(t *testing.T) {
	s, c := fixture(t, Options{})
	reg2, _ := s.CreateRegistry("1a5", "two.example.com")
	var ids []string
	for i := 0; i < 5; i++ {
		body := fmt.Sprintf(`{"registryId":"1sp1","email":"e%d@x","name":"cred-%d","publicValue":"user%d","secretValue":"pw%d"}`, i, i, i%2, i)
		if i == 4 {
			body = `{"registryId":"` + reg2 + `","email":"e4@x","publicValue":"user0","description":"the hub"}`
		}
		ids = append(ids, newCred(t, s, c, body))
	}
	// ids[3] removed, ids[2] inactive
	for _, a := range []string{"deactivate", "remove"} {
		if err := s.Act(ids[3], a); err != nil {
			t.Fatal(err)
		}
	}
	waitState(t, s, ids[3], "removed")
	if err := s.Act(ids[2], "deactivate"); err != nil {
		t.Fatal(err)
	}
	waitState(t, s, ids[2], "inactive")

	t.Run("§7/GET in any state, secretValue null", func(t *testing.T) {
		for i, id := range ids {
			r := c.get(cred + "/" + id)
			expectStatus(t, r, 200)
			if v, ok := r.body["secretValue"]; !ok || v != nil {
				t.Fatalf("secretValue %v", v)
			}
			want := map[int]string{2: "inactive", 3: "removed"}[i]
			if want == "" {
				want = "active"
			}
			if r.body["state"] != want {
				t.Fatalf("%s state %v, want %s", id, r.body["state"], want)
			}
		}
		r := c.get(cred + "/" + ids[3])
		expectKeys(t, obj(t, r.body["actions"]), "purge")
		r = c.get(cred + "/" + ids[2])
		expectKeys(t, obj(t, r.body["actions"]), "update", "activate", "remove")
		x := newCred(t, s, c, "")
		for _, a := range []string{"deactivate", "remove", "purge"} {
			if err := s.Act(x, a); err != nil {
				t.Fatal(err)
			}
		}
		waitState(t, s, x, "purged")
		r = c.get(cred + "/" + x)
		expectStatus(t, r, 200)
		if r.body["state"] != "purged" || r.body["removed"] == nil {
			t.Fatalf("%s", r.raw)
		}
		expectKeys(t, obj(t, r.body["actions"]))
		if err := s.Delete(x); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("§8/collection shape, removed hidden", func(t *testing.T) {
		r := c.get(cred)
		expectStatus(t, r, 200)
		wantTop := []string{"type", "resourceType", "links", "createTypes", "actions", "data", "sortLinks",
			"pagination", "sort", "filters", "createDefaults"}
		if got := topKeys(t, r.raw); !reflect.DeepEqual(got, wantTop) {
			t.Fatalf("keys %v", got)
		}
		b := r.body
		if b["type"] != "collection" || b["resourceType"] != "registryCredential" || b["sort"] != nil ||
			len(obj(t, b["createTypes"])) != 0 || len(obj(t, b["actions"])) != 0 || len(obj(t, b["createDefaults"])) != 0 {
			t.Fatalf("%s", r.raw)
		}
		if obj(t, b["links"])["self"] != c.base+cred {
			t.Fatalf("links %v", b["links"])
		}
		filters := obj(t, b["filters"])
		expectKeys(t, filters, "accountId", "created", "description", "id", "kind", "name", "publicValue",
			"registryId", "removeTime", "removed", "secretValue", "state", "uuid")
		for k, v := range filters {
			if v != nil {
				t.Fatalf("filter %s = %v", k, v)
			}
		}
		expectKeys(t, obj(t, b["sortLinks"]), keysOf(filters)...)
		if obj(t, b["sortLinks"])["name"] != c.base+cred+"?sort=name" {
			t.Fatalf("sortLinks %v", b["sortLinks"])
		}
		p := obj(t, b["pagination"])
		want := map[string]any{"first": nil, "previous": nil, "next": nil, "limit": float64(100), "total": nil, "partial": false}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("pagination %v", p)
		}
		if got, want := idsOf(t, r), []string{ids[0], ids[1], ids[2], ids[4]}; !reflect.DeepEqual(got, want) {
			t.Fatalf("ids %v, want %v", got, want)
		}
		for _, d := range dataOf(t, r) {
			if v, ok := d["secretValue"]; !ok || v != nil {
				t.Fatalf("secretValue %v", v)
			}
		}
		r = c.get(cred + "?_removed=true")
		if got := idsOf(t, r); !reflect.DeepEqual(got, ids) {
			t.Fatalf("_removed ids %v", got)
		}
		if len(dataOf(t, c.get(cred+"?state=removed"))) != 0 {
			t.Fatal("state=removed without _removed lists something")
		}
		if got := idsOf(t, c.get(cred+"?state=removed&_removed")); !reflect.DeepEqual(got, []string{ids[3]}) {
			t.Fatalf("%v", got)
		}
	})
	t.Run("§8/filters", func(t *testing.T) {
		created := c.get(cred + "/" + ids[0]).body["created"].(string)
		createdTS := int64(c.get(cred + "/" + ids[0]).body["createdTS"].(float64))
		cases := []struct {
			name, query string
			want        []string
		}{
			{"eq", "name=cred-1", []string{ids[1]}},
			{"ne", "name_ne=cred-1", []string{ids[0], ids[2]}}, // null names do not match ne
			{"ne repeated ANDs", "name_ne=cred-1&name_ne=cred-0", []string{ids[2]}},
			{"prefix", "name_prefix=cred-", []string{ids[0], ids[1], ids[2]}},
			{"like %", "name_like=%25-2", []string{ids[2]}},
			{"like _", "name_like=cred-_", []string{ids[0], ids[1], ids[2]}},
			{"notlike", "name_notlike=%25-0", []string{ids[1], ids[2]}},
			{"null ignores value", "name_null=whatever", []string{ids[4]}},
			{"notnull", "description_notnull", []string{ids[4]}},
			{"registryId", "registryId=" + reg2, []string{ids[4]}},
			{"registryId ne", "registryId_ne=1sp1", []string{ids[4]}},
			{"registryId unparsable", "registryId=zzz", nil},
			{"state", "state=inactive", []string{ids[2]}},
			{"state ne", "state_ne=active", []string{ids[2]}},
			{"different fields AND", "publicValue=user0&registryId=1sp1", []string{ids[0], ids[2]}},
			{"id gt", "id_gt=" + ids[1], []string{ids[2], ids[4]}},
			{"id lte", "id_lte=" + ids[1], []string{ids[0], ids[1]}},
			{"created_gte date", "created_gte=" + created, []string{ids[0], ids[1], ids[2], ids[4]}},
			{"created_gte epoch ms", fmt.Sprintf("created_gte=%d", createdTS+3600_000), nil},
			{"created_lt", fmt.Sprintf("created_lt=%d", createdTS+3600_000), []string{ids[0], ids[1], ids[2], ids[4]}},
			{"accountId", "accountId=1a5", []string{ids[0], ids[1], ids[2], ids[4]}},
			{"secretValue quirk", "secretValue=pw1", []string{ids[1]}},
			{"unknown field ignored", "bogus=1", []string{ids[0], ids[1], ids[2], ids[4]}},
			{"unsupported modifier ignored", "state_like=x", []string{ids[0], ids[1], ids[2], ids[4]}},
			{"email not filterable", "email=e1@x", []string{ids[0], ids[1], ids[2], ids[4]}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := c.get(cred + "?" + tc.query)
				expectStatus(t, r, 200)
				if got := idsOf(t, r); !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("ids %v, want %v", got, tc.want)
				}
			})
		}
		r := c.get(cred + "?name_ne=a&name_ne=b&state=active&description_null=&email=x")
		f := obj(t, r.body["filters"])
		wantName := []any{map[string]any{"modifier": "ne", "value": "a"}, map[string]any{"modifier": "ne", "value": "b"}}
		if !reflect.DeepEqual(f["name"], wantName) ||
			!reflect.DeepEqual(f["state"], []any{map[string]any{"modifier": "eq", "value": "active"}}) ||
			!reflect.DeepEqual(f["description"], []any{map[string]any{"modifier": "null", "value": nil}}) {
			t.Fatalf("filters %v", f)
		}
		if _, ok := f["email"]; ok {
			t.Fatal("email in filters")
		}
	})
	t.Run("§8/sort", func(t *testing.T) {
		r := c.get(cred + "?sort=name&order=desc")
		if got, want := idsOf(t, r), []string{ids[2], ids[1], ids[0], ids[4]}; !reflect.DeepEqual(got, want) {
			t.Fatalf("ids %v, want %v", got, want)
		}
		so := obj(t, r.body["sort"])
		if so["name"] != "name" || so["order"] != "desc" || so["reverse"] != c.base+cred+"?sort=name&order=asc" {
			t.Fatalf("sort %v", so)
		}
		r = c.get(cred + "?sort=publicValue")
		if got, want := idsOf(t, r), []string{ids[0], ids[2], ids[4], ids[1]}; !reflect.DeepEqual(got, want) {
			t.Fatalf("tie-break asc: %v, want %v", got, want)
		}
		r = c.get(cred + "?sort=publicValue&order=desc")
		if got, want := idsOf(t, r), []string{ids[1], ids[4], ids[2], ids[0]}; !reflect.DeepEqual(got, want) {
			t.Fatalf("tie-break desc: %v, want %v", got, want)
		}
		r = c.get(cred + "?sort=email")
		if r.body["sort"] != nil || !reflect.DeepEqual(idsOf(t, r), []string{ids[0], ids[1], ids[2], ids[4]}) {
			t.Fatalf("unsortable field: %s", r.raw)
		}
	})
	t.Run("§8/pagination", func(t *testing.T) {
		r := c.get(cred + "?limit=2&name_prefix=cred")
		p := obj(t, r.body["pagination"])
		next := c.base + cred + "?limit=2&name_prefix=cred&marker=m2"
		if p["partial"] != true || p["next"] != next || p["limit"] != float64(2) || !reflect.DeepEqual(idsOf(t, r), ids[:2]) {
			t.Fatalf("page 1: %v %v", p, idsOf(t, r))
		}
		r = c.get(next)
		p = obj(t, r.body["pagination"])
		if p["partial"] != false || p["next"] != nil || !reflect.DeepEqual(idsOf(t, r), []string{ids[2]}) {
			t.Fatalf("page 2: %v %v", p, idsOf(t, r))
		}
		for q, want := range map[string]float64{"limit=0": 3000, "limit=-5": 3000, "limit=5000": 3000, "limit=abc": 100, "": 100} {
			if got := obj(t, c.get(cred + "?" + q).body["pagination"])["limit"]; got != want {
				t.Fatalf("%s: limit %v, want %v", q, got, want)
			}
		}
	})
	t.Run("§8/default limit 100 and max 3000 over many rows", func(t *testing.T) {
		s3, base := NewTestServer(t, Options{})
		reg, _ := s3.CreateRegistry("1a5", "r")
		c3 := newClient(t, base)
		for i := 0; i < 105; i++ {
			c3.mustStatus(c3.post(cred, `{"registryId":"`+reg+`","email":"x"}`), 201)
		}
		r := c3.get(cred)
		if len(dataOf(t, r)) != 100 || obj(t, r.body["pagination"])["partial"] != true {
			t.Fatalf("default page has %d rows", len(dataOf(t, r)))
		}
		r = c3.get(obj(t, r.body["pagination"])["next"].(string))
		if len(dataOf(t, r)) != 5 || obj(t, r.body["pagination"])["partial"] != false {
			t.Fatalf("second page has %d rows", len(dataOf(t, r)))
		}
		if n := len(dataOf(t, c3.get(cred+"?limit=0"))); n != 105 {
			t.Fatalf("limit=0 gives %d rows", n)
		}
	})
}

func TestUpdateActionsDelete(t *testing.T) {
	s, c := fixture(t, Options{})

	t.Run("§7/updatable fields; registryId and others ignored", func(t *testing.T) {
		id := newCred(t, s, c, "")
		reg2, _ := s.CreateRegistry("1a5", "two")
		r := c.put(cred+"/"+id, `{"name":"n","description":"d","email":"new@x","publicValue":"pv","secretValue":"sv",
			"registryId":"`+reg2+`","state":"inactive","id":"1c999","kind":"k","accountId":"1a7"}`)
		expectStatus(t, r, 200)
		b := r.body
		if b["name"] != "n" || b["description"] != "d" || b["email"] != "new@x" || b["publicValue"] != "pv" ||
			b["registryId"] != "1sp1" || b["state"] != "active" || b["id"] != id || b["accountId"] != "1a5" || b["kind"] != "registryCredential" {
			t.Fatalf("%s", r.raw)
		}
		if v, ok := b["secretValue"]; !ok || v != nil {
			t.Fatalf("secretValue %v in PUT response", v)
		}
		got, _ := s.Credential(id)
		if got.SecretValue == nil || *got.SecretValue != "sv" || got.RegistryID != "1sp1" {
			t.Fatalf("%+v", got)
		}
		// null clears a nullable field
		r = c.put(cred+"/"+id, `{"name":null}`)
		if v, ok := r.body["name"]; !ok || v != nil {
			t.Fatalf("name %v", v)
		}
		cases := []struct{ name, body, code, field string }{
			{"email null", `{"email":null}`, "NotNullable", "email"},
			{"email empty", `{"email":""}`, "MinLengthExceeded", "email"},
			{"name too long", `{"name":"` + strings.Repeat("x", 256) + `"}`, "MaxLengthExceeded", "name"},
			{"description too long", `{"description":"` + strings.Repeat("x", 1025) + `"}`, "MaxLengthExceeded", "description"},
			{"publicValue too long", `{"publicValue":"` + strings.Repeat("x", 4097) + `"}`, "MaxLengthExceeded", "publicValue"},
			{"secretValue too long", `{"secretValue":"` + strings.Repeat("x", 4097) + `"}`, "MaxLengthExceeded", "secretValue"},
			{"object value", `{"name":{"a":1}}`, "InvalidFormat", "name"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { expectError(t, c.put(cred+"/"+id, tc.body), 422, tc.code, tc.field) })
		}
		expectError(t, c.put(cred+"/1c999", `{"name":"x"}`), 404, "Not Found", "")
		expectError(t, c.put(cred+"/"+id, `{`), 400, "InvalidBodyContent", "")
	})
	t.Run("§7/PUT in every state, state unchanged", func(t *testing.T) {
		states := []struct {
			state   string
			prepare func(id string)
		}{
			{"active", func(string) {}},
			{"registering", nil},
			{"activating", func(id string) {
				_ = s.Act(id, "deactivate")
				waitState(t, s, id, "inactive")
				s.HangNextTransition(id)
				_ = s.Act(id, "activate")
			}},
			{"deactivating", func(id string) { s.HangNextTransition(id); _ = s.Act(id, "deactivate") }},
			{"inactive", func(id string) { _ = s.Act(id, "deactivate") }},
			{"updating-active", func(id string) { s.HangNextTransition(id); _ = s.Act(id, "update") }},
			{"removing", func(id string) {
				_ = s.Act(id, "deactivate")
				waitState(t, s, id, "inactive")
				s.HangNextTransition(id)
				_ = s.Act(id, "remove")
			}},
			{"removed", func(id string) { _ = s.Act(id, "deactivate"); _ = s.Act(id, "remove") }},
			{"purged", func(id string) { _ = s.Act(id, "deactivate"); _ = s.Act(id, "remove"); _ = s.Act(id, "purge") }},
		}
		for _, st := range states {
			t.Run(st.state, func(t *testing.T) {
				var id string
				if st.prepare == nil {
					s.HangNextTransition("")
					id = c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201).body["id"].(string)
				} else {
					id = newCred(t, s, c, "")
					st.prepare(id)
				}
				before := c.get(cred + "/" + id).body
				if before["state"] != st.state {
					t.Fatalf("state %v, want %s", before["state"], st.state)
				}
				r := c.put(cred+"/"+id, `{"name":"renamed","secretValue":"new"}`)
				expectStatus(t, r, 200)
				if r.body["state"] != st.state || r.body["transitioning"] != before["transitioning"] ||
					r.body["name"] != "renamed" || r.body["secretValue"] != nil {
					t.Fatalf("%s", r.raw)
				}
			})
		}
	})
	t.Run("§5/InvalidAction, 404, ActionNotAvailable", func(t *testing.T) {
		id := newCred(t, s, c, "")
		expectError(t, c.action(cred+"/"+id, "restore"), 422, "InvalidAction", "action")
		expectError(t, c.action(cred+"/"+id, "bogus"), 422, "InvalidAction", "action")
		expectError(t, c.action(cred+"/1c999", "bogus"), 422, "InvalidAction", "action")
		expectError(t, c.action(cred+"/1c999", "deactivate"), 404, "Not Found", "")
		expectError(t, c.action(cred+"/"+id, "activate"), 422, "ActionNotAvailable", "action")
		expectError(t, c.action(cred+"/"+id, "remove"), 422, "ActionNotAvailable", "action")
		expectError(t, c.action(cred+"/"+id, "purge"), 422, "ActionNotAvailable", "action")
		expectError(t, c.action(cred+"/"+id, "create"), 422, "ActionNotAvailable", "action")
		c.mustStatus(c.action(cred+"/"+id, "deactivate"), 202)
		waitState(t, s, id, "inactive")
		expectError(t, c.action(cred+"/"+id, "deactivate"), 422, "ActionNotAvailable", "action")
	})
	t.Run("§5/transitions return 202 with the secret echoed", func(t *testing.T) {
		id := newCred(t, s, c, `{"registryId":"1sp1","email":"x","secretValue":"topsecret"}`)
		steps := []struct{ action, through, done string }{
			{"update", "updating-active", "active"},
			{"deactivate", "deactivating", "inactive"},
			{"update", "updating-inactive", "inactive"},
			{"activate", "activating", "active"},
			{"deactivate", "deactivating", "inactive"},
			{"remove", "removing", "removed"},
			{"purge", "purging", "purged"},
		}
		for _, st := range steps {
			r := c.action(cred+"/"+id, st.action)
			expectStatus(t, r, 202)
			if r.body["state"] != st.through || r.body["transitioning"] != "yes" || r.body["secretValue"] != "topsecret" {
				t.Fatalf("%s: %s", st.action, r.raw)
			}
			waitState(t, s, id, st.done)
		}
		got, _ := s.Credential(id)
		if got.Removed == nil {
			t.Fatal("removed not set")
		}
	})
	t.Run("§4/deactivate from registering and activating; remove from registering", func(t *testing.T) {
		s.HangNextTransition("")
		id := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201).body["id"].(string)
		r := c.action(cred+"/"+id, "deactivate")
		expectStatus(t, r, 202)
		waitState(t, s, id, "inactive")
		s.HangNextTransition(id)
		c.mustStatus(c.action(cred+"/"+id, "activate"), 202)
		r = c.action(cred+"/"+id, "deactivate")
		if r.status != 202 || r.body["state"] != "deactivating" {
			t.Fatalf("%s", r.raw)
		}
		waitState(t, s, id, "inactive")
		s.HangNextTransition("")
		id2 := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201).body["id"].(string)
		c.mustStatus(c.action(cred+"/"+id2, "remove"), 202)
		waitState(t, s, id2, "removed")
	})
	t.Run("§7/DELETE from registering, inactive, updating-* → 200 removing → removed", func(t *testing.T) {
		mk := map[string]func() string{
			"registering": func() string {
				s.HangNextTransition("")
				return c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201).body["id"].(string)
			},
			"inactive": func() string {
				id := newCred(t, s, c, "")
				_ = s.Act(id, "deactivate")
				return id
			},
			"updating-inactive": func() string {
				id := newCred(t, s, c, "")
				_ = s.Act(id, "deactivate")
				s.HangNextTransition(id)
				_ = s.Act(id, "update")
				return id
			},
		}
		for state, f := range mk {
			t.Run(state, func(t *testing.T) {
				id := f()
				if got, _ := s.Credential(id); got.State != state {
					t.Fatalf("state %s", got.State)
				}
				r := c.del(cred + "/" + id)
				expectStatus(t, r, 200)
				if r.body["state"] != "removing" || r.body["secretValue"] != nil || r.body["transitioning"] != "yes" {
					t.Fatalf("%s", r.raw)
				}
				waitState(t, s, id, "removed")
				if got := c.get(cred + "/" + id); got.body["removed"] == nil || got.body["removedTS"] == nil {
					t.Fatalf("%s", got.raw)
				}
			})
		}
	})
	t.Run("§7/DELETE of removed or removing is 200", func(t *testing.T) {
		id := newCred(t, s, c, "")
		_ = s.Act(id, "deactivate")
		s.HangNextTransition(id)
		_ = s.Act(id, "remove")
		r := c.del(cred + "/" + id)
		if r.status != 200 || r.body["state"] != "removing" {
			t.Fatalf("%s", r.raw)
		}
		id2 := newCred(t, s, c, "")
		_ = s.Act(id2, "deactivate")
		_ = s.Act(id2, "remove")
		before := c.get(cred + "/" + id2)
		r = c.del(cred + "/" + id2)
		if r.status != 200 || r.body["state"] != "removed" || r.body["removed"] != before.body["removed"] {
			t.Fatalf("%s", r.raw)
		}
	})
	t.Run("§7/DELETE in active, activating, deactivating, purging, purged → 405", func(t *testing.T) {
		prep := map[string]func(id string){
			"active":       func(string) {},
			"activating":   func(id string) { _ = s.Act(id, "deactivate"); s.HangNextTransition(id); _ = s.Act(id, "activate") },
			"deactivating": func(id string) { s.HangNextTransition(id); _ = s.Act(id, "deactivate") },
			"purging": func(id string) {
				_ = s.Act(id, "deactivate")
				_ = s.Act(id, "remove")
				s.HangNextTransition(id)
				_ = s.Act(id, "purge")
			},
			"purged": func(id string) { _ = s.Act(id, "deactivate"); _ = s.Act(id, "remove"); _ = s.Act(id, "purge") },
		}
		for state, f := range prep {
			t.Run(state, func(t *testing.T) {
				id := newCred(t, s, c, "")
				f(id)
				if got, _ := s.Credential(id); got.State != state {
					t.Fatalf("state %s", got.State)
				}
				expectError(t, c.del(cred+"/"+id), 405, "Method not allowed", "")
				if got, _ := s.Credential(id); got.State != state {
					t.Fatalf("state changed to %s", got.State)
				}
			})
		}
	})
	t.Run("§16/no 409: actions during a transition follow the table", func(t *testing.T) {
		s.HangNextTransition("")
		id := c.mustStatus(c.post(cred, `{"registryId":"1sp1","email":"x"}`), 201).body["id"].(string)
		expectStatus(t, c.action(cred+"/"+id, "deactivate"), 202)
		waitState(t, s, id, "inactive")
	})
	t.Run("§16/no auto-purge: removed credentials are not purged by themselves", func(t *testing.T) {
		id := newCred(t, s, c, "")
		_ = s.Act(id, "deactivate")
		_ = s.Act(id, "remove")
		time.Sleep(20 * time.Millisecond)
		if got, _ := s.Credential(id); got.State != "removed" {
			t.Fatalf("state %s", got.State)
		}
	})
	t.Run("§2/methods on collections and resources, unknown types", func(t *testing.T) {
		id := newCred(t, s, c, "")
		expectError(t, c.put(cred, `{}`), 405, "Method not allowed", "")
		expectError(t, c.del(cred), 405, "Method not allowed", "")
		expectError(t, c.post(cred+"/"+id, `{}`), 405, "Method not allowed", "")
		expectError(t, c.do("PATCH", cred+"/"+id, `{}`), 405, "Method not allowed", "")
		expectError(t, c.get("/v1/projects/1a5/widgets"), 404, "Not Found", "")
		expectError(t, c.get("/v1/widgets/1"), 404, "Not Found", "")
		expectError(t, c.get("/v2-beta"), 404, "Not Found", "")
		expectError(t, c.post(cred+"?action=deactivate", ""), 422, "InvalidAction", "action")
		expectError(t, c.get(cred+"/1c999"), 404, "Not Found", "")
		expectError(t, c.get(cred+"/abc"), 404, "Not Found", "")
		expectError(t, c.get(cred+"/1sp1"), 404, "Not Found", "")
		expectError(t, c.post("/v1/projects/1a5/schemas", `{}`), 405, "Method not allowed", "")
		expectError(t, c.post("/v1/projects", `{}`), 405, "Method not allowed", "")
	})
}

func TestRegistries(t *testing.T) {
	s, c := fixture(t, Options{})
	regs := "/v1/projects/1a5/registries"
	s.AddEnvironmentKey("1a7", "otherkey", "othersecret")

	t.Run("§13/registry shape", func(t *testing.T) {
		r := c.mustStatus(c.post(regs, `{"serverAddress":"Quay.io","name":"quay","description":"d"}`), 201)
		b := r.body
		want := []string{"id", "type", "links", "actions", "baseType", "name", "state", "accountId", "blockDevicePath",
			"created", "createdTS", "description", "driverName", "externalId", "kind", "removed", "serverAddress",
			"transitioning", "transitioningMessage", "transitioningProgress", "uuid", "volumeAccessMode", "volumeCapabilities"}
		if got := topKeys(t, r.raw); !reflect.DeepEqual(got, want) {
			t.Fatalf("keys %v", got)
		}
		id := b["id"].(string)
		if !strings.HasPrefix(id, "1sp") || b["type"] != "registry" || b["baseType"] != "storagePool" || b["kind"] != "registry" ||
			b["state"] != "registering" || b["serverAddress"] != "Quay.io" {
			t.Fatalf("%s", r.raw)
		}
		self := c.base + regs + "/" + id
		links := obj(t, b["links"])
		if links["self"] != self || links["credentials"] != self+"/credentials" {
			t.Fatalf("links %v", links)
		}
		waitState(t, s, id, "active")
		cid := newCred(t, s, c, `{"registryId":"`+id+`","email":"x"}`)
		l := c.get(self + "/credentials")
		if got := idsOf(t, l); !reflect.DeepEqual(got, []string{cid}) {
			t.Fatalf("credentials link %v", got)
		}
		r = c.get(regs + "?serverAddress=Quay.io")
		if got := idsOf(t, r); !reflect.DeepEqual(got, []string{id}) {
			t.Fatalf("filter %v", got)
		}
	})
	t.Run("§13/serverAddress validation", func(t *testing.T) {
		expectError(t, c.post(regs, `{}`), 422, "MissingRequired", "serverAddress")
		expectError(t, c.post(regs, `{"serverAddress":null}`), 422, "NotNullable", "serverAddress")
		expectError(t, c.post(regs, `{"serverAddress":""}`), 422, "MinLengthExceeded", "serverAddress")
		expectError(t, c.post(regs, `{"serverAddress":"x","name":"`+strings.Repeat("n", 256)+`"}`), 422, "MaxLengthExceeded", "name")
	})
	t.Run("§13/duplicate serverAddress, case-insensitive, per project, until purged", func(t *testing.T) {
		id := c.mustStatus(c.post(regs, `{"serverAddress":"dup.example.com"}`), 201).body["id"].(string)
		expectError(t, c.post(regs, `{"serverAddress":"DUP.example.com"}`), 400, "ServerAddressUsed", "")
		if _, err := s.CreateRegistry("1a5", "dup.EXAMPLE.com"); err == nil {
			t.Fatal("CreateRegistry accepted a duplicate")
		}
		expectStatus(t, c.as("otherkey", "othersecret").post("/v1/registries", `{"serverAddress":"dup.example.com"}`), 201)
		waitState(t, s, id, "active")
		for _, a := range []string{"deactivate", "remove"} {
			if err := s.Act(id, a); err != nil {
				t.Fatal(err)
			}
		}
		expectError(t, c.post(regs, `{"serverAddress":"dup.example.com"}`), 400, "ServerAddressUsed", "")
		_ = s.Act(id, "purge")
		waitState(t, s, id, "purged")
		expectStatus(t, c.post(regs, `{"serverAddress":"dup.example.com"}`), 201)
	})
	t.Run("§13/registry lifecycle like credentials", func(t *testing.T) {
		id := c.mustStatus(c.post(regs, `{"serverAddress":"life.example.com"}`), 201).body["id"].(string)
		waitState(t, s, id, "active")
		expectError(t, c.del(regs+"/"+id), 405, "Method not allowed", "")
		r := c.put(regs+"/"+id, `{"name":"renamed","serverAddress":"changed"}`)
		if r.status != 200 || r.body["name"] != "renamed" || r.body["serverAddress"] != "life.example.com" {
			t.Fatalf("%s", r.raw)
		}
		c.mustStatus(c.action(regs+"/"+id, "deactivate"), 202)
		waitState(t, s, id, "inactive")
		r = c.del(regs + "/" + id)
		if r.status != 200 || r.body["state"] != "removing" {
			t.Fatalf("%s", r.raw)
		}
		waitState(t, s, id, "removed")
		c.mustStatus(c.action(regs+"/"+id, "purge"), 202)
		waitState(t, s, id, "purged")
	})
	t.Run("§13/purging a registry removes its credentials", func(t *testing.T) {
		s.SetTransitionDelay(2 * time.Millisecond)
		defer s.SetTransitionDelay(0)
		rid := c.mustStatus(c.post(regs, `{"serverAddress":"cascade.example.com"}`), 201).body["id"].(string)
		waitState(t, s, rid, "active")
		active := newCred(t, s, c, `{"registryId":"`+rid+`","email":"x"}`)
		inactive := newCred(t, s, c, `{"registryId":"`+rid+`","email":"x"}`)
		_ = s.Act(inactive, "deactivate")
		waitState(t, s, inactive, "inactive")
		other := newCred(t, s, c, `{"registryId":"1sp1","email":"x"}`)
		_ = s.Act(rid, "deactivate")
		waitState(t, s, rid, "inactive")
		_ = s.Act(rid, "remove")
		waitState(t, s, rid, "removed")
		if got, _ := s.Credential(active); got.State != "active" {
			t.Fatalf("remove alone cascaded: %s", got.State)
		}
		_ = s.Act(rid, "purge")
		waitState(t, s, rid, "purged")
		waitState(t, s, active, "removed")
		waitState(t, s, inactive, "removed")
		if got, _ := s.Credential(other); got.State != "active" {
			t.Fatalf("other registry's credential is %s", got.State)
		}
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

// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// The spec_*_test.go files check README.md section by section: each subtest
// is named "§N/<behaviour>" after the section it checks.

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

// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

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

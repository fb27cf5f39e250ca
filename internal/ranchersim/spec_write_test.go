// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"strings"
	"testing"
	"time"
)

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

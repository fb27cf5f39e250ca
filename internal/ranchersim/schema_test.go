// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"reflect"
	"testing"
)

// fieldKeys are every key a serialised gdapi Field may have here.
var fieldKeys = map[string]bool{"type": true, "description": true, "create": true, "update": true,
	"readOnCreateOnly": true, "nullable": true, "unique": true, "required": true, "default": true,
	"minLength": true, "maxLength": true, "options": true}

// checkFieldShape checks one resourceFields entry against the way Cattle
// serialises gdapi's Field: create, update and readOnCreateOnly always, as
// booleans; description always, null; required, unique and nullable only
// when true; default only when set; lengths only when positive.
func checkFieldShape(t *testing.T, where string, f map[string]any) {
	t.Helper()
	for k := range f {
		if !fieldKeys[k] {
			t.Fatalf("%s: unexpected key %q in %v", where, k, f)
		}
	}
	if _, ok := f["type"].(string); !ok {
		t.Fatalf("%s: type %v", where, f["type"])
	}
	if d, ok := f["description"]; !ok || d != nil {
		t.Fatalf("%s: description %v (present %v), want null", where, d, ok)
	}
	for _, k := range []string{"create", "update", "readOnCreateOnly"} {
		if _, ok := f[k].(bool); !ok {
			t.Fatalf("%s: %s is %v, want a boolean", where, k, f[k])
		}
	}
	for _, k := range []string{"required", "unique", "nullable"} {
		if v, ok := f[k]; ok && v != true {
			t.Fatalf("%s: %s is %v; it may only appear as true", where, k, v)
		}
	}
	if v, ok := f["default"]; ok && v == nil {
		t.Fatalf("%s: default null; it may only appear when set", where)
	}
	for _, k := range []string{"minLength", "maxLength"} {
		if v, ok := f[k]; ok {
			if n, isNum := v.(float64); !isNum || n <= 0 {
				t.Fatalf("%s: %s %v", where, k, v)
			}
		}
	}
}

// schemasByID fetches a schema collection and indexes it by id.
func schemasByID(t *testing.T, c *apiClient, path string) map[string]map[string]any {
	t.Helper()
	r := c.get(path)
	expectStatus(t, r, 200)
	out := map[string]map[string]any{}
	for _, d := range dataOf(t, r) {
		out[d["id"].(string)] = d
	}
	return out
}

func fieldsOf(t *testing.T, schema map[string]any) map[string]any {
	t.Helper()
	return obj(t, schema["resourceFields"])
}

func TestSchemaFields(t *testing.T) {
	s, c := fixture(t, Options{})
	s.AddAccountKey("owner", "os", false, map[string]string{"1a5": "owner"})
	s.AddAccountKey("padmin", "ps", false, map[string]string{"1a5": "projectadmin"})
	s.AddAccountKey("ro", "rs", false, map[string]string{"1a5": "readonly"})
	s.AddAccountKey("admin", "as", true, nil)
	_, offBase := NewTestServer(t, Options{AccessControlOff: true})
	off := newClient(t, offBase).anonymous()

	roles := []struct {
		name     string
		c        *apiClient
		scope    string // "" or "/projects/1a5"
		admin    bool   // admin role: data and removeTime are there, nothing is writable
		write    bool
		readOnce bool // readOnCreateOnly of secretValue
	}{
		{"environment key (project)", c, "/projects/1a5", false, true, true},
		{"environment key, unscoped (project)", c, "", false, true, true},
		{"account key in a project (owner)", c.as("owner", "os"), "/projects/1a5", false, true, true},
		{"account key without a project (user)", c.as("owner", "os"), "", false, false, true},
		{"projectadmin", c.as("padmin", "ps"), "/projects/1a5", false, true, false},
		{"readonly", c.as("ro", "rs"), "/projects/1a5", false, false, true},
		{"admin key without a project (admin)", c.as("admin", "as"), "", true, false, true},
		{"admin key in a project (owner)", c.as("admin", "as"), "/projects/1a5", false, true, true},
		{"access control off, no key (admin)", off, "", true, false, true},
	}
	for _, role := range roles {
		t.Run(role.name, func(t *testing.T) {
			all := schemasByID(t, role.c, "/v1"+role.scope+"/schemas")
			readOnce := 0
			for id, sc := range all {
				for name, f := range fieldsOf(t, sc) {
					fm := obj(t, f)
					checkFieldShape(t, id+"."+name, fm)
					if fm["readOnCreateOnly"] == true {
						readOnce++
						if id != typeCredential || name != "secretValue" {
							t.Fatalf("%s.%s is readOnCreateOnly", id, name)
						}
					}
					if !role.write && (fm["create"] == true || fm["update"] == true) {
						t.Fatalf("%s.%s is writable for a read-only role: %v", id, name, fm)
					}
				}
			}
			if want := map[bool]int{true: 1, false: 0}[role.readOnce]; readOnce != want {
				t.Fatalf("%d readOnCreateOnly fields, want %d", readOnce, want)
			}
			rc := fieldsOf(t, all[typeCredential])
			wantSecret := map[string]any{"type": "password", "description": nil, "create": role.write, "update": role.write,
				"nullable": true, "readOnCreateOnly": role.readOnce, "maxLength": float64(4096)}
			if got := obj(t, rc["secretValue"]); !reflect.DeepEqual(got, wantSecret) {
				t.Fatalf("secretValue %v, want %v", got, wantSecret)
			}
			for _, id := range []string{typeCredential, typeRegistry} {
				f := fieldsOf(t, all[id])
				for _, name := range []string{"data", "removeTime"} {
					got, ok := f[name]
					if ok != role.admin {
						t.Fatalf("%s.%s present %v, want %v", id, name, ok, role.admin)
					}
					if !ok {
						continue
					}
					typ := map[string]string{"data": "map[json]", "removeTime": "date"}[name]
					want := map[string]any{"type": typ, "description": nil, "create": false, "update": false,
						"nullable": true, "readOnCreateOnly": false}
					if !reflect.DeepEqual(obj(t, got), want) {
						t.Fatalf("%s.%s %v, want %v", id, name, got, want)
					}
				}
			}
			if _, ok := fieldsOf(t, all[typeProject])["data"]; ok {
				t.Fatal("project schema has data")
			}
			// the schema by id is the same document
			one := role.c.get("/v1" + role.scope + "/schemas/registrycredential")
			expectStatus(t, one, 200)
			if !reflect.DeepEqual(one.body["resourceFields"], all[typeCredential]["resourceFields"]) {
				t.Fatalf("by id %v, in the collection %v", one.body["resourceFields"], all[typeCredential]["resourceFields"])
			}
		})
	}

	t.Run("fields of registryCredential and registry, key for key", func(t *testing.T) {
		all := schemasByID(t, c, "/v1/projects/1a5/schemas")
		want := map[string]map[string]map[string]any{
			typeCredential: {
				"email": {"type": "string", "description": nil, "create": true, "update": true, "required": true,
					"readOnCreateOnly": false, "minLength": float64(1)},
				"registryId": {"type": "reference[registry]", "description": nil, "create": true, "update": false,
					"required": true, "readOnCreateOnly": false, "maxLength": float64(255)},
				"name": {"type": "string", "description": nil, "create": true, "update": true, "nullable": true,
					"readOnCreateOnly": false, "maxLength": float64(255)},
				"accountId": {"type": "reference[account]", "description": nil, "create": false, "update": false,
					"nullable": true, "readOnCreateOnly": false, "maxLength": float64(255)},
				"id": {"type": "int", "description": nil, "create": false, "update": false, "readOnCreateOnly": false},
				"transitioning": {"type": "enum", "description": nil, "create": false, "update": false,
					"readOnCreateOnly": false, "options": []any{"yes", "no", "error"}},
			},
			typeRegistry: {
				"serverAddress": {"type": "string", "description": nil, "create": true, "update": false, "required": true,
					"readOnCreateOnly": false, "minLength": float64(1)},
				"description": {"type": "string", "description": nil, "create": true, "update": true, "nullable": true,
					"readOnCreateOnly": false, "maxLength": float64(1024)},
			},
		}
		for id, fields := range want {
			got := fieldsOf(t, all[id])
			for name, w := range fields {
				if g := obj(t, got[name]); !reflect.DeepEqual(g, w) {
					t.Fatalf("%s.%s %v, want %v", id, name, g, w)
				}
			}
		}
		// the credential schema has the fields of README §12, no more
		expectKeys(t, fieldsOf(t, all[typeCredential]), "accountId", "created", "description", "email", "id", "kind", "name",
			"publicValue", "registryId", "removed", "secretValue", "state", "transitioning", "transitioningMessage",
			"transitioningProgress", "uuid")
	})

	t.Run("§12/nullable, required, unique and default only when set", func(t *testing.T) {
		v := view{role: "project"}
		without := v.renderField(&fieldDef{name: "x", typ: "string"}, true)
		for _, e := range without {
			if e.k == "default" || e.k == "nullable" || e.k == "required" || e.k == "unique" {
				t.Fatalf("%q in %v", e.k, without)
			}
		}
	})
}

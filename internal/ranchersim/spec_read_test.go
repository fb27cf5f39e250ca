// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"fmt"
	"reflect"
	"testing"
)

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

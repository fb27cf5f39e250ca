// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

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

// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// makeCredentials creates n active credentials named prefix0…, on reg,
// ten at a time.
func makeCredentials(t *testing.T, c *Client, reg, prefix string, n int) {
	t.Helper()
	ctx := testCtx(t)
	tenAtATime(n, func(i int) {
		if _, err := c.CreateRegistryCredential(ctx, simProject, RegistryCredentialCreate{
			RegistryID: reg, Email: "e@example.com", Name: ptr(fmt.Sprint(prefix, i)),
		}); err != nil {
			t.Error(err)
		}
	})
}

// scanRequests counts the list requests the simulator received after its
// first since ones, and checks that each asked for a page of scanPageSize.
func scanRequests(t *testing.T, sim *ranchersim.Server, since int, collection string) int {
	t.Helper()
	n := 0
	for _, r := range sim.Received()[since:] {
		if r.Method != "GET" || !strings.HasSuffix(r.Path, "/"+collection) {
			t.Errorf("scan made %s %s", r.Method, r.Path)
			continue
		}
		if !strings.Contains(r.RawQuery, fmt.Sprintf("limit=%d", scanPageSize)) {
			t.Errorf("scan page without limit=%d: %s", scanPageSize, r.RawQuery)
		}
		n++
	}
	return n
}

func TestScanRegistryCredentials(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{})
	ctx := testCtx(t)
	hub := mustRegistry(t, sim, "hub.example.com")
	internal := mustRegistry(t, sim, "internal.example.com")
	makeCredentials(t, c, hub, "hub", 230)
	makeCredentials(t, c, internal, "internal", 20)

	t.Run("every page, in id order", func(t *testing.T) {
		since := len(sim.Received())
		var ids []string
		for cred, err := range c.ScanRegistryCredentials(ctx, simProject, RegistryCredentialFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, cred.ID)
		}
		if len(ids) != 250 {
			t.Fatalf("scanned %d credentials, want 250", len(ids))
		}
		for i := 1; i < len(ids); i++ {
			if idNumber(ids[i]) <= idNumber(ids[i-1]) {
				t.Fatalf("not in id order: %s after %s", ids[i], ids[i-1])
			}
		}
		if n := scanRequests(t, sim, since, "registrycredentials"); n != 3 {
			t.Errorf("%d list requests for 250 credentials, want 3 pages of %d", n, scanPageSize)
		}
	})

	t.Run("stopping early reads no further page", func(t *testing.T) {
		since := len(sim.Received())
		seen := 0
		for _, err := range c.ScanRegistryCredentials(ctx, simProject, RegistryCredentialFilter{}) {
			if err != nil {
				t.Fatal(err)
			}
			if seen++; seen == 150 {
				break
			}
		}
		if n := scanRequests(t, sim, since, "registrycredentials"); n != 2 {
			t.Errorf("%d list requests to yield 150 credentials, want 2", n)
		}
	})

	t.Run("filters are the server's", func(t *testing.T) {
		first := ""
		for cred, err := range c.ScanRegistryCredentials(ctx, simProject, RegistryCredentialFilter{RegistryID: internal}) {
			if err != nil {
				t.Fatal(err)
			}
			if first == "" {
				first = cred.ID
			}
		}
		if _, err := credentialOf(c.setActive(ctx, credentialKind, simProject, first, false)); err != nil {
			t.Fatal(err)
		}
		since := len(sim.Received())
		var got []string
		for cred, err := range c.ScanRegistryCredentials(ctx, simProject, RegistryCredentialFilter{RegistryID: internal, State: StateInactive}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, cred.ID+" "+cred.RegistryID+" "+cred.State)
		}
		if want := first + " " + internal + " inactive"; len(got) != 1 || got[0] != want {
			t.Errorf("scan of inactive credentials of %s gave %v, want [%s]", internal, got, want)
		}
		if q := sim.Received()[since].RawQuery; !strings.Contains(q, "registryId="+internal) || !strings.Contains(q, "state=inactive") {
			t.Errorf("filters not sent to the server: %s", q)
		}
	})

	t.Run("an error ends the scan", func(t *testing.T) {
		n := 0
		for _, err := range c.ScanRegistryCredentials(ctx, "1a999", RegistryCredentialFilter{}) {
			n++
			if err == nil || !IsNotFound(err) && !IsForbidden(err) {
				t.Errorf("scan of an unknown project: %v", err)
			}
		}
		if n != 1 {
			t.Errorf("scan of an unknown project yielded %d times, want one error", n)
		}
	})
}

func TestScanRegistries(t *testing.T) {
	sim, c := newSim(t, ranchersim.Options{})
	ctx := testCtx(t)
	for i := range 105 {
		mustRegistry(t, sim, fmt.Sprintf("r%d.example.com", i))
	}
	since := len(sim.Received())
	n := 0
	for reg, err := range c.ScanRegistries(ctx, simProject, RegistryFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(reg.ServerAddress, ".example.com") || reg.ProjectID != simProject {
			t.Errorf("scanned %+v", reg)
		}
		n++
	}
	if n != 105 {
		t.Errorf("scanned %d registries, want 105", n)
	}
	if got := scanRequests(t, sim, since, "registries"); got != 2 {
		t.Errorf("%d list requests for 105 registries, want 2", got)
	}
	matches := 0
	for reg, err := range c.ScanRegistries(ctx, simProject, RegistryFilter{ServerAddress: "r7.example.com"}) {
		if err != nil || reg.ServerAddress != "r7.example.com" {
			t.Errorf("scan by server address: %+v %v", reg, err)
		}
		matches++
	}
	if matches != 1 {
		t.Errorf("scan by server address found %d registries, want 1", matches)
	}
}

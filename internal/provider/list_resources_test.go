// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// queryWorld is a Rancher holding what a team adopts: registries hub and
// internal in the default environment, with three and two credentials (one
// of hub's deactivated), and one registry with a credential in a staging
// environment that an account key also reaches.
type queryWorld struct {
	providerBlock             string
	e                         *testEnv
	hub, internal, staging    string // registry ids
	hubCreds, internalCreds   []string
	inactiveCred, stagingCred string
}

func newQueryWorld(t *testing.T) *queryWorld {
	t.Helper()
	e := newTestEnv(t)
	w := &queryWorld{e: e, providerBlock: e.stagingAccount(keysAccountKey, keysAccountSK),
		hub: e.registry(t, testProject, "hub.example.com"), internal: e.registry(t, testProject, "internal.example.com"),
		staging: e.registry(t, keysStaging, "staging.example.com")}
	for i := range 3 {
		w.hubCreds = append(w.hubCreds, e.credential(t, testProject, w.hub, named(fmt.Sprint("hub-", i))))
	}
	for i := range 2 {
		w.internalCreds = append(w.internalCreds, e.credential(t, testProject, w.internal, named(fmt.Sprint("internal-", i))))
	}
	w.inactiveCred = w.hubCreds[2]
	e.act(t, w.inactiveCred, "deactivate", "inactive")
	w.stagingCred = e.credential(t, keysStaging, w.staging, named("staging"))
	return w
}

// queryTest runs query steps. The first step writes the provider block;
// each query step adds its list blocks beside it.
func (w *queryWorld) queryTest(t *testing.T, steps ...resource.TestStep) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testProviderFactories,
		Steps:                    append([]resource.TestStep{{Config: w.providerBlock}}, steps...),
	})
}

func TestAccRegistryCredentialList_query(t *testing.T) {
	w := newQueryWorld(t)
	w.queryTest(t,
		resource.TestStep{
			Query: true,
			Config: fmt.Sprintf(`
list "rancher_registry_credential" "all" {
  provider = rancher
}

list "rancher_registry_credential" "hub" {
  provider = rancher
  config {
    registry_id = %[1]q
  }
}

list "rancher_registry_credential" "inactive" {
  provider = rancher
  config {
    active = false
  }
}

list "rancher_registry_credential" "active_by_state" {
  provider = rancher
  config {
    state = "active"
  }
}

list "rancher_registry_credential" "by_name" {
  provider         = rancher
  include_resource = true
  config {
    name = "internal-1"
  }
}

list "rancher_registry_credential" "staging" {
  provider = rancher
  config {
    project_id = %[2]q
  }
}

list "rancher_registry_credential" "first_two" {
  provider = rancher
  limit    = 2
}
`, w.hub, keysStaging),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("rancher_registry_credential.all", 5),
				querycheck.ExpectIdentity("rancher_registry_credential.all", identityOf(testProject, w.hubCreds[0])),
				querycheck.ExpectIdentity("rancher_registry_credential.all", identityOf(testProject, w.internalCreds[1])),
				querycheck.ExpectResourceDisplayName("rancher_registry_credential.all",
					queryfilter.ByResourceIdentity(identityOf(testProject, w.hubCreds[0])),
					knownvalue.StringExact("hub-0: hub-0 at hub.example.com (active)")),
				querycheck.ExpectResourceDisplayName("rancher_registry_credential.all",
					queryfilter.ByResourceIdentity(identityOf(testProject, w.inactiveCred)),
					knownvalue.StringExact("hub-2: hub-2 at hub.example.com (inactive)")),

				querycheck.ExpectLength("rancher_registry_credential.hub", 3),
				querycheck.ExpectIdentity("rancher_registry_credential.hub", identityOf(testProject, w.hubCreds[1])),

				querycheck.ExpectLength("rancher_registry_credential.inactive", 1),
				querycheck.ExpectIdentity("rancher_registry_credential.inactive", identityOf(testProject, w.inactiveCred)),
				querycheck.ExpectLength("rancher_registry_credential.active_by_state", 4),

				querycheck.ExpectLength("rancher_registry_credential.by_name", 1),
				querycheck.ExpectResourceKnownValues("rancher_registry_credential.by_name",
					queryfilter.ByResourceIdentity(identityOf(testProject, w.internalCreds[1])),
					[]querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(w.internalCreds[1])},
						{Path: tfjsonpath.New("project_id"), KnownValue: knownvalue.StringExact(testProject)},
						{Path: tfjsonpath.New("registry_id"), KnownValue: knownvalue.StringExact(w.internal)},
						{Path: tfjsonpath.New("email"), KnownValue: knownvalue.StringExact("internal-1@example.com")},
						{Path: tfjsonpath.New("public_value"), KnownValue: knownvalue.StringExact("internal-1")},
						{Path: tfjsonpath.New("active"), KnownValue: knownvalue.Bool(true)},
						{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("active")},
						// Rancher does not return the password: never a guess.
						{Path: tfjsonpath.New("secret_value"), KnownValue: knownvalue.Null()},
					}),

				querycheck.ExpectLength("rancher_registry_credential.staging", 1),
				querycheck.ExpectIdentity("rancher_registry_credential.staging", identityOf(keysStaging, w.stagingCred)),
				querycheck.ExpectResourceDisplayName("rancher_registry_credential.staging",
					queryfilter.ByResourceIdentity(identityOf(keysStaging, w.stagingCred)),
					knownvalue.StringExact("staging: staging at staging.example.com (active)")),

				querycheck.ExpectLength("rancher_registry_credential.first_two", 2),
			},
		},
	)
}

func TestAccRegistryList_query(t *testing.T) {
	w := newQueryWorld(t)
	w.e.act(t, w.internal, "deactivate", "inactive")
	w.queryTest(t,
		resource.TestStep{
			Query: true,
			Config: fmt.Sprintf(`
list "rancher_registry" "all" {
  provider         = rancher
  include_resource = true
}

list "rancher_registry" "by_address" {
  provider = rancher
  config {
    server_address = "hub.example.com"
  }
}

list "rancher_registry" "active" {
  provider = rancher
  config {
    active = true
  }
}

list "rancher_registry" "inactive_by_state" {
  provider = rancher
  config {
    state = "inactive"
  }
}

list "rancher_registry" "staging" {
  provider = rancher
  config {
    project_id = %q
  }
}
`, keysStaging),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("rancher_registry.all", 2),
				querycheck.ExpectResourceDisplayName("rancher_registry.all",
					queryfilter.ByResourceIdentity(identityOf(testProject, w.hub)),
					knownvalue.StringExact(w.hub+": hub.example.com (active)")),
				querycheck.ExpectResourceKnownValues("rancher_registry.all",
					queryfilter.ByResourceIdentity(identityOf(testProject, w.internal)),
					[]querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(w.internal)},
						{Path: tfjsonpath.New("project_id"), KnownValue: knownvalue.StringExact(testProject)},
						{Path: tfjsonpath.New("server_address"), KnownValue: knownvalue.StringExact("internal.example.com")},
						{Path: tfjsonpath.New("active"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("inactive")},
					}),
				querycheck.ExpectLength("rancher_registry.by_address", 1),
				querycheck.ExpectIdentity("rancher_registry.by_address", identityOf(testProject, w.hub)),
				querycheck.ExpectLength("rancher_registry.active", 1),
				querycheck.ExpectIdentity("rancher_registry.active", identityOf(testProject, w.hub)),
				querycheck.ExpectLength("rancher_registry.inactive_by_state", 1),
				querycheck.ExpectIdentity("rancher_registry.inactive_by_state", identityOf(testProject, w.internal)),
				querycheck.ExpectLength("rancher_registry.staging", 1),
				querycheck.ExpectIdentity("rancher_registry.staging", identityOf(keysStaging, w.staging)),
			},
		},
	)
}

// TestAccRegistryCredentialList_errors: a project the key cannot reach, and
// a filter value that is not valid, are errors that say what to fix.
func TestAccRegistryCredentialList_errors(t *testing.T) {
	w := newQueryWorld(t)
	query := func(config string) string {
		return fmt.Sprintf(`
list "rancher_registry_credential" "test" {
  provider = rancher
  config {
    %s
  }
}
`, config)
	}
	w.queryTest(t,
		resource.TestStep{
			Query:       true,
			Config:      query(`project_id = "1a9"`),
			ExpectError: messageRegexp("cannot reach project 1a9"),
		},
		resource.TestStep{
			Query:       true,
			Config:      query(`registry_id = "hub"`),
			ExpectError: messageRegexp(`must be a Rancher registry id such as "1sp3"`),
		},
		resource.TestStep{
			Query:       true,
			Config:      query(`state = "removed"`),
			ExpectError: messageRegexp(`value must be one of`),
		},
	)
}

// TestAccQuery_adoptEnvironment is the adoption flow of the README: `terraform
// query -generate-config-out` over an environment with existing registries
// and credentials writes a configuration whose plan imports every one with
// no change, and whose apply leaves the next plan empty. terraform-plugin-
// testing cannot apply a generated configuration, so this test runs the
// terraform CLI itself.
func TestAccQuery_adoptEnvironment(t *testing.T) {
	w := newCLIWorkdir(t)
	w.skipBelow("1.14.0", "terraform query")
	world := newQueryWorld(t)
	w.write("adopt.tfquery.hcl", `
list "rancher_registry" "all" {
  provider = rancher
  limit    = 1000
}

list "rancher_registry_credential" "all" {
  provider = rancher
  limit    = 1000
}
`)
	w.initWith(cliRequiredProviders + world.providerBlock)
	w.run("query", "-no-color", "-generate-config-out=generated.tf")
	b, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	generated := string(b)
	t.Logf("generated configuration:\n%s", generated)
	for what, want := range map[string]int{
		`resource "rancher_registry" `:            2,
		`resource "rancher_registry_credential" `: 5,
		`import {`:                             7,
		`identity = {`:                         7,
		`project_id\s+= "` + testProject + `"`: 14, // in each resource and each identity
		`secret_value\s+= null # sensitive`:    5,  // never a guess
	} {
		if got := len(regexp.MustCompile(what).FindAllString(generated, -1)); got != want {
			t.Errorf("generated configuration has %q %d times, want %d", what, got, want)
		}
	}
	for _, id := range append(append([]string{world.hub, world.internal}, world.hubCreds...), world.internalCreds...) {
		if !strings.Contains(generated, `id         = "`+id+`"`) {
			t.Errorf("generated configuration does not import %s", id)
		}
	}
	if strings.Contains(generated, world.stagingCred) {
		t.Errorf("generated configuration adopts %s, of another environment than the one listed", world.stagingCred)
	}

	changes := w.plan()
	want := map[string][]string{}
	for _, c := range changes {
		want[c.Address] = []string{"no-op"}
	}
	checkPlan(t, changes, want, 7)
	if len(changes) != 7 {
		t.Fatalf("plan has %d changes, want the 7 imports: %v", len(changes), changes)
	}
	w.run("apply", "-input=false", "-no-color", "tfplan")
	w.expectNoChanges()
	w.checkIdentitiesMatchState()
	if n := len(world.e.sim.Credentials(testProject)); n != 5 {
		t.Errorf("%d credentials in Rancher after adoption, want the same 5", n)
	}
	if c, _ := world.e.sim.Credential(world.inactiveCred); c.State != "inactive" {
		t.Errorf("the adopted inactive credential is %s, want it left inactive", c.State)
	}
}

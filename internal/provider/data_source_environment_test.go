// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

const (
	environmentDataAddr = "data.rancher_environment.test"

	envDSAccountKey = "ACCOUNTKEY00000000E01"
	envDSAccountSK  = "account-secret-env-01"
	envDSAdminKey   = "ADMINKEY000000000E02"
	envDSAdminSK    = "admin-secret-env-02"
	envDSRetiredKey = "RETIREDKEY0000000E03"
	envDSRetiredSK  = "retired-secret-env-03"
)

// environmentDataChecks checks every attribute of the data source, for an
// active environment (the simulator has no other live state of projects).
func environmentDataChecks(addr, id, name string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		stateValue(addr, "id", knownvalue.StringExact(id)),
		stateValue(addr, "name", knownvalue.StringExact(name)),
		// The simulator's projects have no description: null, not "".
		stateValue(addr, "description", knownvalue.Null()),
		stateValue(addr, "state", knownvalue.StringExact("active")),
	}
}

// environmentLookup is a provider block and one rancher_environment data
// source with the given body.
func environmentLookup(provider, body string) string {
	return block(provider, "data", "rancher_environment", body)
}

func TestAccDataSourceEnvironment_byID(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            environmentLookup(e.providerBlock(), `  id = "1a5"`),
				ConfigStateChecks: environmentDataChecks(environmentDataAddr, testProject, "Default"),
			},
		},
	})
}

func TestAccDataSourceEnvironment_byName(t *testing.T) {
	e := newTestEnv(t)
	// Another environment, which the environment key does not reach.
	e.sim.AddProject("1a6", "Staging")
	config := e.providerBlock() + `
data "rancher_environment" "test" {
  name = "Default"
}

data "rancher_environment" "by_id" {
  id = data.rancher_environment.test.id
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(environmentDataChecks(environmentDataAddr, testProject, "Default"),
					statecheck.CompareValuePairs(environmentDataAddr, tfjsonpath.New("name"),
						"data.rancher_environment.by_id", tfjsonpath.New("name"), compare.ValuesSame()),
				),
			},
		},
	})
}

// TestAccDataSourceEnvironment_accountKeyTwoEnvironments: an account key
// that is a member of two environments, with no project_id anywhere in the
// provider, finds each by name, and the id of one places a registry there.
func TestAccDataSourceEnvironment_accountKeyTwoEnvironments(t *testing.T) {
	e := newTestEnv(t)
	e.sim.AddProject("1a6", "Staging")
	e.sim.AddProject("1a9", "Elsewhere")
	e.sim.AddAccountKey(envDSAccountKey, envDSAccountSK, false, map[string]string{testProject: "owner", "1a6": "owner"})
	provider := e.provider().withKey(envDSAccountKey, envDSAccountSK).String()
	config := provider + `
data "rancher_environment" "test" {
  name = "Staging"
}

data "rancher_environment" "default" {
  name = "Default"
}

resource "rancher_registry" "staging" {
  project_id     = data.rancher_environment.test.id
  server_address = "registry.example.com"
}
`
	registryInStaging := e.checkRegistryAPI("rancher_registry.staging", func(r ranchersim.Registry) error {
		if r.ProjectID != "1a6" || r.State != "active" {
			return fmt.Errorf("registry %s is %s in project %s, want active in 1a6", r.ID, r.State, r.ProjectID)
		}
		if n := len(e.sim.Registries(testProject)); n != 0 {
			return fmt.Errorf("%d registries in project %s, want none", n, testProject)
		}
		return nil
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries, "1a6"),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("rancher_registry.staging", plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: append(append(
					environmentDataChecks(environmentDataAddr, "1a6", "Staging"),
					environmentDataChecks("data.rancher_environment.default", testProject, "Default")...),
					stateValue("rancher_registry.staging", "project_id", knownvalue.StringExact("1a6")),
					statecheck.CompareValuePairs(environmentDataAddr, tfjsonpath.New("id"),
						"rancher_registry.staging", tfjsonpath.New("project_id"), compare.ValuesSame()),
				),
				Check: registryInStaging,
			},
			{
				// An environment the key is no member of: not found by name,
				// and the message names those it reaches.
				Config: environmentLookup(provider, `  name = "Elsewhere"`),
				ExpectError: messageRegexp(`There is no environment named "Elsewhere" among those these API keys reach: ` +
					`Default (1a5), Staging (1a6).`),
			},
			{
				Config:      environmentLookup(provider, `  id = "1a9"`),
				ExpectError: messageRegexp(`There is no environment 1a9 that these API keys can reach (Rancher answered 404 Not Found).`),
			},
		},
	})
}

// TestAccDataSourceEnvironment_ambiguousName: two environments of one name
// among those the key reaches are an error that lists both; each is still
// found by id.
func TestAccDataSourceEnvironment_ambiguousName(t *testing.T) {
	e := newTestEnv(t)
	e.sim.AddProject("1a6", "Staging")
	e.sim.AddProject("1a7", "Staging")
	e.sim.AddAccountKey(envDSAccountKey, envDSAccountSK, false, map[string]string{testProject: "owner", "1a6": "owner", "1a7": "member"})
	provider := e.provider().withKey(envDSAccountKey, envDSAccountSK).withProject(testProject).String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: environmentLookup(provider, `  name = "Staging"`),
				ExpectError: messageRegexp(`There are 2 environments named "Staging" among those these API keys reach: 1a6, 1a7. ` +
					`Rancher does not require names to be unique; look the environment up by id instead.`),
			},
			{
				Config:            environmentLookup(provider, `  id = "1a7"`),
				ConfigStateChecks: environmentDataChecks(environmentDataAddr, "1a7", "Staging"),
			},
		},
	})
}

// TestAccDataSourceEnvironment_removed: a removed environment is an error by
// id and is not found by name; an environment key of a removed environment
// gets a 403 for everything, reported as unreachable.
func TestAccDataSourceEnvironment_removed(t *testing.T) {
	e := newTestEnv(t)
	e.sim.AddProject("1a8", "Retired")
	e.sim.AddEnvironmentKey("1a8", envDSRetiredKey, envDSRetiredSK)
	e.sim.RemoveProject("1a8")
	e.sim.AddAccountKey(envDSAdminKey, envDSAdminSK, true, nil)
	admin := e.provider().withKey(envDSAdminKey, envDSAdminSK).String()
	retired := e.provider().withKey(envDSRetiredKey, envDSRetiredSK).String()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      environmentLookup(admin, `  id = "1a8"`),
				ExpectError: messageRegexp(`Environment 1a8 ("Retired") is removed (state "removed"): it no longer exists for Rancher.`),
			},
			{
				Config:      environmentLookup(admin, `  name = "Retired"`),
				ExpectError: messageRegexp(`There is no environment named "Retired" among those these API keys reach: Default (1a5).`),
			},
			{
				// The admin key reaches every live environment by name.
				Config:            environmentLookup(admin, `  name = "Default"`),
				ConfigStateChecks: environmentDataChecks(environmentDataAddr, testProject, "Default"),
			},
			{
				Config: environmentLookup(retired, `  id = "1a8"`),
				ExpectError: messageRegexp(`There is no environment 1a8 that these API keys can reach: ` +
					`Rancher refused the request (403 Forbidden).`),
			},
			{
				Config: environmentLookup(retired, `  name = "Retired"`),
				ExpectError: messageRegexp(`There is no environment named "Retired" that these API keys can reach: ` +
					`Rancher refused the request (403 Forbidden).`),
			},
		},
	})
}

func TestAccDataSourceEnvironment_errors(t *testing.T) {
	e := newTestEnv(t)
	// An environment the environment key does not reach.
	e.sim.AddProject("1a6", "Staging")
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{Config: environmentLookup(e.providerBlock(), body), ExpectError: messageRegexp(want)}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			step(`  name = "Nowhere"`,
				`There is no environment named "Nowhere" among those these API keys reach: Default (1a5).`),
			// Names are compared exactly, as Cattle's filter does.
			step(`  name = "default"`,
				`There is no environment named "default" among those these API keys reach: Default (1a5).`),
			step(`  name = "Staging"`,
				`There is no environment named "Staging" among those these API keys reach: Default (1a5).`),
			step(`  id = "1a999"`,
				`There is no environment 1a999 that these API keys can reach (Rancher answered 404 Not Found).`),
			step(`  id = "1a6"`,
				`There is no environment 1a6 that these API keys can reach (Rancher answered 404 Not Found).`),
			step(``, `Exactly one of these attributes must be configured: [id,name]`),
			step(`  id   = "1a5"
  name = "Default"`, `Exactly one of these attributes must be configured: [id,name]`),
			step(`  id = "Default"`, `Attribute id must be a Rancher project id such as "1a5"`),
			step(`  name = ""`, `Attribute name string length must be between 1 and 255`),
		},
	})
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// The provider with the two other kinds of Rancher API keys: an account
// key that is a member of several environments, and an admin key.

// twoEnvironmentsConfig is a registry and a credential on it in each of two
// projects. prodProject is written as the resources' project_id unless it
// is empty (then the provider's project applies); suffix goes into every
// name, so that a change of it is an in-place update.
func twoEnvironmentsConfig(provider, prodProject, stagingProject, suffix string) string {
	prod := ""
	if prodProject != "" {
		prod = fmt.Sprintf("\n  project_id     = %q", prodProject)
	}
	return provider + fmt.Sprintf(`
resource "rancher_registry" "prod" {%[1]s
  server_address = "registry.example.com"
  name           = "prod-%[3]s"
}

resource "rancher_registry_credential" "prod" {%[1]s
  registry_id  = rancher_registry.prod.id
  email        = "ops@example.com"
  name         = "prod-%[3]s"
  public_value = "ops"
  secret_value = "pw-prod"
}

resource "rancher_registry" "staging" {
  project_id     = %[2]q
  server_address = "registry.example.com"
  name           = "staging-%[3]s"
}

resource "rancher_registry_credential" "staging" {
  project_id   = %[2]q
  registry_id  = rancher_registry.staging.id
  email        = "ops@example.com"
  name         = "staging-%[3]s"
  public_value = "ops"
  secret_value = "pw-staging"
}

data "rancher_registry_credential" "staging" {
  project_id  = %[2]q
  registry_id = rancher_registry.staging.id
  name        = rancher_registry_credential.staging.name
}

data "rancher_registry" "staging" {
  project_id     = %[2]q
  server_address = rancher_registry.staging.server_address
}
`, prod, stagingProject, suffix)
}

// checkInProject asserts, in the simulator, that the credential and the
// registry at the given addresses are active in project and carry name, and
// that the credential holds secret.
func (e *testEnv) checkInProject(credAddr, regAddr, project, name, secret string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		regID, err := stateID(s, regAddr)
		if err != nil {
			return err
		}
		r, ok := e.sim.Registry(regID)
		if !ok {
			return fmt.Errorf("registry %s is not in the API", regID)
		}
		if r.ProjectID != project || r.State != "active" || !strPtrEq(r.Name, name) {
			return fmt.Errorf("registry %s is %s in project %s named %s; want active in %s named %q",
				r.ID, r.State, r.ProjectID, quoted(r.Name), project, name)
		}
		return checkInAPI(credAddr, "credential", e.sim.Credential, func(c ranchersim.Credential) error {
			if c.ProjectID != project || c.State != "active" || c.RegistryID != r.ID || !strPtrEq(c.Name, name) {
				return fmt.Errorf("credential %s is %s in project %s on registry %s named %s; want active in %s on %s named %q",
					c.ID, c.State, c.ProjectID, c.RegistryID, quoted(c.Name), project, r.ID, name)
			}
			if !strPtrEq(c.SecretValue, secret) {
				return fmt.Errorf("credential %s has not the configured secret", c.ID)
			}
			return nil
		})(s)
	}
}

// twoEnvironmentsSteps are the steps both key kinds go through: one apply
// makes a registry and a credential in each project, a second one renames
// all four in place, then each staging object is imported as
// "<project_id>/<id>".
func (e *testEnv) twoEnvironmentsSteps(provider, prodProject, prodConfigProject string) []resource.TestStep {
	config := func(suffix string) string {
		return twoEnvironmentsConfig(provider, prodConfigProject, keysStaging, suffix)
	}
	all := []string{"rancher_registry.prod", "rancher_registry_credential.prod", "rancher_registry.staging",
		"rancher_registry_credential.staging"}
	expectAll := func(action plancheck.ResourceActionType) []plancheck.PlanCheck {
		var out []plancheck.PlanCheck
		for _, addr := range all {
			out = append(out, plancheck.ExpectResourceAction(addr, action))
		}
		return out
	}
	projectChecks := []statecheck.StateCheck{
		stateValue("rancher_registry.prod", "project_id", knownvalue.StringExact(prodProject)),
		stateValue("rancher_registry_credential.prod", "project_id", knownvalue.StringExact(prodProject)),
		stateValue("rancher_registry.staging", "project_id", knownvalue.StringExact(keysStaging)),
		stateValue("rancher_registry_credential.staging", "project_id", knownvalue.StringExact(keysStaging)),
		stateValue("data.rancher_registry_credential.staging", "project_id", knownvalue.StringExact(keysStaging)),
		stateValue("data.rancher_registry.staging", "project_id", knownvalue.StringExact(keysStaging)),
	}
	// apply applies the configuration named with suffix: every object is
	// planned for action, lands in its project, and then plans no change.
	apply := func(suffix string, action plancheck.ResourceActionType, checks ...resource.TestCheckFunc) resource.TestStep {
		return resource.TestStep{
			Config: config(suffix),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             expectAll(action),
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: projectChecks,
			Check: resource.ComposeAggregateTestCheckFunc(append(checks,
				e.checkInProject("rancher_registry_credential.prod", "rancher_registry.prod", prodProject, "prod-"+suffix, "pw-prod"),
				e.checkInProject("rancher_registry_credential.staging", "rancher_registry.staging", keysStaging, "staging-"+suffix, "pw-staging"),
			)...),
		}
	}
	return []resource.TestStep{
		apply("one", plancheck.ResourceActionCreate,
			resource.TestCheckResourceAttrPair("data.rancher_registry_credential.staging", "id",
				"rancher_registry_credential.staging", "id"),
			resource.TestCheckResourceAttrPair("data.rancher_registry.staging", "id", "rancher_registry.staging", "id"),
			resource.TestCheckResourceAttr("rancher_registry_credential.staging", "state", "active"),
		),
		apply("two", plancheck.ResourceActionUpdate),
		{
			ResourceName:            "rancher_registry_credential.staging",
			ImportState:             true,
			ImportStateIdFunc:       importID("rancher_registry_credential.staging", true),
			ImportStateVerify:       true,
			ImportStateVerifyIgnore: []string{"secret_value"},
		},
		{
			ResourceName:      "rancher_registry.staging",
			ImportState:       true,
			ImportStateIdFunc: importID("rancher_registry.staging", true),
			ImportStateVerify: true,
		},
	}
}

// TestAccKeys_accountKeyTwoEnvironments: an account key that is an owner of
// two environments manages objects in both in one apply, the provider's
// project for one, an explicit project_id for the other.
func TestAccKeys_accountKeyTwoEnvironments(t *testing.T) {
	e := newTestEnv(t)
	// 1a6 is made by the simulator for the membership; 1a9 is a project the
	// key is no member of.
	e.sim.AddAccountKey(keysAccountKey, keysAccountSK, false, map[string]string{testProject: "owner", keysStaging: "owner"})
	e.sim.AddProject(keysOwnedByNone, "Elsewhere")
	provider := e.provider().withKey(keysAccountKey, keysAccountSK).withProject(testProject).String()
	steps := e.twoEnvironmentsSteps(provider, testProject, "")
	steps = append(steps, resource.TestStep{
		// a project the key is not a member of: Cattle answers 403
		Config: provider + fmt.Sprintf(`
resource "rancher_registry" "elsewhere" {
  project_id     = %q
  server_address = "registry.example.com"
}
`, keysOwnedByNone),
		ExpectError: messageRegexp("cannot reach project " + keysOwnedByNone),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			e.checkDestroyed(credentials|registries, testProject, keysStaging),
			func(*terraform.State) error {
				if n := len(e.sim.Registries(keysOwnedByNone)); n != 0 {
					return fmt.Errorf("%d registries made in project %s, which the key cannot reach", n, keysOwnedByNone)
				}
				return nil
			},
		),
		Steps: steps,
	})
}

// TestAccKeys_adminKey: an admin key, with no default project, manages
// objects in two environments named by project_id; a resource without one
// cannot be placed.
func TestAccKeys_adminKey(t *testing.T) {
	e := newTestEnv(t)
	e.sim.AddProject(keysStaging, "Staging")
	e.sim.AddAccountKey(keysAdminKey, keysAdminSK, true, nil)
	provider := e.provider().withKey(keysAdminKey, keysAdminSK).String()
	steps := []resource.TestStep{{
		// no project anywhere: the admin key is no environment's own key
		Config: provider + `
resource "rancher_registry" "nowhere" {
  server_address = "registry.example.com"
}
`,
		ExpectError: messageRegexp(`belongs to a "admin" account, not to one environment; set project_id`),
	}}
	steps = append(steps, e.twoEnvironmentsSteps(provider, testProject, testProject)...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials|registries, testProject, keysStaging),
		Steps:                    steps,
	})
}

// TestAccKeys_adminKeyDefaultProject: an admin key with a default project
// acts in it like an environment key of that project.
func TestAccKeys_adminKeyDefaultProject(t *testing.T) {
	e := newTestEnv(t)
	e.sim.AddProject(keysStaging, "Staging")
	e.sim.AddAccountKey(keysAdminKey, keysAdminSK, true, nil)
	config := e.provider().withKey(keysAdminKey, keysAdminSK).withProject(keysStaging).String() + `
resource "rancher_registry" "test" {
  server_address = "registry.example.com"
}

resource "rancher_registry_credential" "test" {
  registry_id  = rancher_registry.test.id
  email        = "ops@example.com"
  public_value = "ops"
  secret_value = "pw"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials|registries, keysStaging),
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				stateValue(credentialAddr, "project_id", knownvalue.StringExact(keysStaging)),
				stateValue(registryAddr, "project_id", knownvalue.StringExact(keysStaging)),
			},
			Check: e.checkCredentialAPI(func(c ranchersim.Credential) error {
				if c.ProjectID != keysStaging || c.State != "active" {
					return fmt.Errorf("credential %s is %s in project %s", c.ID, c.State, c.ProjectID)
				}
				return nil
			}),
		}},
	})
}

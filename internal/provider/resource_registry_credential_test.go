// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

func TestAccRegistryCredential_basic(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				Config: e.credentialConfig(fmt.Sprintf(`
  project_id   = %q
  registry_id  = %q
  email        = "ci@example.com"
  name         = "ci"
  description  = "pulls for CI"
  public_value = "ci-bot"
  secret_value = "s3cret-basic"
  active       = true
  timeouts {
    create = "2m"
  }
`, testProject, reg)),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(credentialAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateValue(credentialAddr, "id", knownvalue.StringRegexp(regexp.MustCompile(`^1c[0-9]+$`))),
					stateValue(credentialAddr, "project_id", knownvalue.StringExact(testProject)),
					stateValue(credentialAddr, "registry_id", knownvalue.StringExact(reg)),
					stateValue(credentialAddr, "email", knownvalue.StringExact("ci@example.com")),
					stateValue(credentialAddr, "name", knownvalue.StringExact("ci")),
					stateValue(credentialAddr, "description", knownvalue.StringExact("pulls for CI")),
					stateValue(credentialAddr, "public_value", knownvalue.StringExact("ci-bot")),
					stateValue(credentialAddr, "secret_value", knownvalue.StringExact("s3cret-basic")),
					statecheck.ExpectSensitiveValue(credentialAddr, tfjsonpath.New("secret_value")),
					stateValue(credentialAddr, "active", knownvalue.Bool(true)),
					stateValue(credentialAddr, "state", knownvalue.StringExact("active")),
				},
				Check: e.checkCredentialAPI(func(c ranchersim.Credential) error {
					if c.State != "active" || c.RegistryID != reg || c.Email != "ci@example.com" || c.ProjectID != testProject ||
						!strPtrEq(c.Name, "ci") || !strPtrEq(c.Description, "pulls for CI") ||
						!strPtrEq(c.PublicValue, "ci-bot") || !strPtrEq(c.SecretValue, "s3cret-basic") {
						return fmt.Errorf("API holds %+v", c)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccRegistryCredential_updateInPlace(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	config := func(email, name, description, user, secret string) string {
		return e.credentialConfig(fmt.Sprintf(`
  registry_id  = %q
  email        = %q
  name         = %s
  description  = %s
  public_value = %q
  secret_value = %q
`, reg, email, name, description, user, secret))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				Config:            config("a@example.com", `"one"`, `"first"`, "user1", "pass1"),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(credentialAddr, tfjsonpath.New("id"))},
			},
			{
				Config:            config("b@example.com", `"one"`, `"first"`, "user1", "pass1"),
				ConfigPlanChecks:  planUpdate(credentialAddr, "email", knownvalue.StringExact("b@example.com")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(credentialAddr, tfjsonpath.New("id"))},
				Check:             e.checkCredentialAPI(apiField("email", func(c ranchersim.Credential) *string { return &c.Email }, "b@example.com")),
			},
			{
				Config:            config("b@example.com", `"two"`, `"first"`, "user1", "pass1"),
				ConfigPlanChecks:  planUpdate(credentialAddr, "name", knownvalue.StringExact("two")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(credentialAddr, tfjsonpath.New("id"))},
				Check:             e.checkCredentialAPI(apiField("name", func(c ranchersim.Credential) *string { return c.Name }, "two")),
			},
			{
				Config:            config("b@example.com", `"two"`, `"second"`, "user1", "pass1"),
				ConfigPlanChecks:  planUpdate(credentialAddr, "description", knownvalue.StringExact("second")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(credentialAddr, tfjsonpath.New("id"))},
				Check:             e.checkCredentialAPI(apiField("description", func(c ranchersim.Credential) *string { return c.Description }, "second")),
			},
			{
				Config:            config("b@example.com", `"two"`, `"second"`, "user2", "pass1"),
				ConfigPlanChecks:  planUpdate(credentialAddr, "public_value", knownvalue.StringExact("user2")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(credentialAddr, tfjsonpath.New("id"))},
				Check:             e.checkCredentialAPI(apiField("publicValue", func(c ranchersim.Credential) *string { return c.PublicValue }, "user2")),
			},
			{
				// The password changes in place: the legacy provider replaced the credential here.
				Config:            config("b@example.com", `"two"`, `"second"`, "user2", "pass2"),
				ConfigPlanChecks:  planUpdate(credentialAddr, "secret_value", knownvalue.StringExact("pass2")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(credentialAddr, tfjsonpath.New("id"))},
				Check:             e.checkCredentialAPI(apiField("secretValue", func(c ranchersim.Credential) *string { return c.SecretValue }, "pass2")),
			},
			{
				// Removing optional attributes clears them in Rancher.
				Config:           config("b@example.com", "null", "null", "user2", "pass2"),
				ConfigPlanChecks: planUpdate(credentialAddr, "description", knownvalue.Null()),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(credentialAddr, tfjsonpath.New("id")),
					stateValue(credentialAddr, "name", knownvalue.Null()),
				},
				Check: e.checkCredentialAPI(func(c ranchersim.Credential) error {
					if c.Name != nil || c.Description != nil {
						return fmt.Errorf("name %v and description %v are still set in the API", c.Name, c.Description)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccRegistryCredential_replace(t *testing.T) {
	e := newTestEnv(t)
	// An account key that is a member of two projects, so project_id can move.
	provider := e.stagingAccount("ACCOUNTKEY0000000001", "account-secret-1")
	regA := e.registry(t, testProject, "a.example.com")
	regB := e.registry(t, testProject, "b.example.com")
	regStaging := e.registry(t, keysStaging, "a.example.com")
	config := func(project, registry string) string {
		return provider + fmt.Sprintf(`
resource "rancher_registry_credential" "test" {
  project_id   = %q
  registry_id  = %q
  email        = "ops@example.com"
  public_value = "ops"
  secret_value = "pw"
}
`, project, registry)
	}
	var id string
	// replacedBy is a step whose plan replaces the credential with one on
	// registry in project: the old one removed, the new one active.
	replacedBy := func(project, registry string) resource.TestStep {
		return resource.TestStep{
			Config:           config(project, registry),
			ConfigPlanChecks: planAction(credentialAddr, plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValue(credentialAddr, "project_id", knownvalue.StringExact(project)),
				stateValue(credentialAddr, "registry_id", knownvalue.StringExact(registry)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				e.checkReplaced(credentialAddr, &id),
				e.checkCredentialAPI(func(c ranchersim.Credential) error {
					if c.ProjectID != project || c.RegistryID != registry || c.State != "active" {
						return fmt.Errorf("new credential is %s on registry %s in project %s, want active on %s in %s",
							c.State, c.RegistryID, c.ProjectID, registry, project)
					}
					return nil
				}),
			),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(testProject, regA), Check: captureID(credentialAddr, &id)},
			replacedBy(testProject, regB),
			replacedBy("1a6", regStaging),
		},
	})
}

func TestAccRegistryCredential_active(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	config := func(active string) string {
		return e.credentialConfig(fmt.Sprintf(`
  registry_id = %q
  email       = "x@example.com"
  %s
`, reg, active))
	}
	var id string
	apiState := func(want string) resource.TestCheckFunc {
		return e.checkCredentialAPI(func(c ranchersim.Credential) error {
			if c.State != want {
				return fmt.Errorf("API state %s, want %s", c.State, want)
			}
			return nil
		})
	}
	updateTo := func(active bool) resource.ConfigPlanChecks {
		return planUpdate(credentialAddr, "active", knownvalue.Bool(active))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				Config: config("active = false"),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValue(credentialAddr, "active", knownvalue.Bool(false)),
					stateValue(credentialAddr, "state", knownvalue.StringExact("inactive")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(captureID(credentialAddr, &id), apiState("inactive")),
			},
			{Config: config("active = true"), ConfigPlanChecks: updateTo(true), Check: apiState("active")},
			{Config: config("active = false"), ConfigPlanChecks: updateTo(false), Check: apiState("inactive")},
			{
				// Leaving active out means active.
				Config: config(""), ConfigPlanChecks: updateTo(true), Check: apiState("active"),
			},
			{
				// Someone deactivates it in the Rancher UI: plan shows it, apply repairs it.
				PreConfig:        func() { e.act(t, id, "deactivate", "inactive") },
				Config:           config(""),
				ConfigPlanChecks: updateTo(true),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValue(credentialAddr, "state", knownvalue.StringExact("active")),
				},
				Check: apiState("active"),
			},
		},
	})
}

func TestAccRegistryCredential_disappears(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	config := e.credentialConfig(fmt.Sprintf(`
  registry_id  = %q
  email        = "x@example.com"
  secret_value = "pw"
`, reg))
	var id string
	recreated := planAction(credentialAddr, plancheck.ResourceActionCreate)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(credentialAddr, &id)},
			{
				// Removed in Rancher: still readable by id, but gone.
				PreConfig:        func() { e.removeOutOfBand(t, id) },
				Config:           config,
				ConfigPlanChecks: recreated,
				Check:            captureID(credentialAddr, &id),
			},
			{
				// Purged long ago and deleted from the database: 404.
				PreConfig: func() {
					if err := e.sim.Delete(id); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config,
				ConfigPlanChecks: recreated,
				ConfigStateChecks: []statecheck.StateCheck{
					stateValue(credentialAddr, "state", knownvalue.StringExact("active")),
				},
			},
		},
	})
}

func TestAccRegistryCredential_import(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	config := e.credentialConfig(fmt.Sprintf(`
  registry_id  = %q
  email        = "x@example.com"
  name         = "imported"
  public_value = "me"
  secret_value = "pw-import"
`, reg))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:            credentialAddr,
				ImportState:             true,
				ImportStateIdFunc:       importID(credentialAddr, true),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_value"},
			},
			{
				ResourceName:            credentialAddr,
				ImportState:             true,
				ImportStateIdFunc:       importID(credentialAddr, false),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_value"},
			},
			{
				// An import {} block with the secret in configuration: the
				// secret is unknown after import, so the plan updates it in
				// place; it never replaces the credential.
				Config:             config,
				ResourceName:       credentialAddr,
				ImportState:        true,
				ImportStateKind:    resource.ImportBlockWithID,
				ImportStateIdFunc:  importID(credentialAddr, true),
				ExpectNonEmptyPlan: true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(credentialAddr, plancheck.ResourceActionUpdate),
				}},
			},
			{
				ResourceName:  credentialAddr,
				ImportState:   true,
				ImportStateId: "1a5/registry",
				ExpectError:   regexp.MustCompile(`Invalid import id`),
			},
		},
	})
}

func TestAccRegistryCredential_writeOnlySecret(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	config := func(secret string, version int) string {
		return e.credentialConfig(fmt.Sprintf(`
  registry_id             = %q
  email                   = "x@example.com"
  public_value            = "me"
  secret_value_wo         = %q
  secret_value_wo_version = %d
`, reg, secret, version))
	}
	secretInAPI := func(want string) resource.TestCheckFunc {
		return e.checkCredentialAPI(apiField("secretValue", func(c ranchersim.Credential) *string { return c.SecretValue }, want))
	}
	noSecretInState := []statecheck.StateCheck{
		stateValue(credentialAddr, "secret_value_wo", knownvalue.Null()),
		stateValue(credentialAddr, "secret_value", knownvalue.Null()),
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				Config: config("wo-first", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(credentialAddr, tfjsonpath.New("secret_value_wo"), knownvalue.Null()),
				}},
				ConfigStateChecks: noSecretInState,
				Check:             secretInAPI("wo-first"),
			},
			{
				// A new value without a new version is not sent.
				Config:            config("wo-second", 1),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: noSecretInState,
				Check:             secretInAPI("wo-first"),
			},
			{
				Config:           config("wo-second", 2),
				ConfigPlanChecks: planUpdate(credentialAddr, "secret_value_wo", knownvalue.Null()),
				ConfigStateChecks: append(noSecretInState,
					stateValue(credentialAddr, "secret_value_wo_version", knownvalue.Int64Exact(2))),
				Check: secretInAPI("wo-second"),
			},
		},
	})
}

func TestAccRegistryCredential_failedTransition(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	config := e.credentialConfig(fmt.Sprintf(`
  registry_id = %q
  email       = "x@example.com"
`, reg))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { e.sim.FailNextTransition("", "agent could not store the credential") },
				Config:      config,
				ExpectError: regexp.MustCompile(`agent could not\s+store the credential`),
			},
			{
				// The failed credential was kept, tainted, and plan replaces
				// it; from Terraform 1.16 on it was removed, and plan
				// creates it again.
				Config:           config,
				ConfigPlanChecks: planAction(credentialAddr, failedCreateReplanned(t)),
				Check: func(*terraform.State) error {
					if n := len(e.sim.Credentials(testProject)); n != 2 {
						return fmt.Errorf("API has %d credentials, want the failed one and its replacement", n)
					}
					return nil
				},
			},
		},
	})
}

func TestAccRegistryCredential_timeout(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		// The credential whose create never finished is still removed by destroy.
		CheckDestroy: e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { e.sim.HangNextTransition("") },
				Config: e.credentialConfig(fmt.Sprintf(`
  registry_id = %q
  email       = "x@example.com"
  timeouts {
    create = "2s"
  }
`, reg)),
				ExpectError: regexp.MustCompile(`(?s)did not finish in time.*timeouts`),
			},
		},
	})
}

func TestAccRegistryCredential_destroyFromEveryState(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	config := e.providerBlock() + fmt.Sprintf(`
resource "rancher_registry_credential" "active" {
  registry_id = %[1]q
  email       = "a@example.com"
}
resource "rancher_registry_credential" "inactive" {
  registry_id = %[1]q
  email       = "b@example.com"
  active      = false
}
resource "rancher_registry_credential" "deactivated" {
  registry_id = %[1]q
  email       = "c@example.com"
}
resource "rancher_registry_credential" "removed" {
  registry_id = %[1]q
  email       = "d@example.com"
}
`, reg)
	var deactivatedID, removedID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureID("rancher_registry_credential.deactivated", &deactivatedID),
					captureID("rancher_registry_credential.removed", &removedID),
				),
			},
			{
				// Destroy with one credential active, one inactive by
				// configuration, one deactivated and one removed outside
				// Terraform. (Delete of a credential that is already
				// removed when Delete runs is covered by the client's
				// TestSimRemoveFromAnyState.)
				PreConfig: func() {
					e.act(t, deactivatedID, "deactivate", "inactive")
					e.removeOutOfBand(t, removedID)
				},
				Config:  config,
				Destroy: true,
			},
		},
	})
}

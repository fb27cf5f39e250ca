// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

func TestAccRegistry_basic(t *testing.T) {
	e := newTestEnv(t)
	config := e.registryConfig(fmt.Sprintf(`
  project_id     = %q
  server_address = "registry.example.com:5000"
  name           = "internal"
  description    = "Images built by CI"
  active         = true
  timeouts {
    create = "2m"
    update = "2m"
    delete = "2m"
  }
`, testProject))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(registryAddr, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateValue(registryAddr, "id", knownvalue.StringRegexp(regexp.MustCompile(`^1sp[0-9]+$`))),
					stateValue(registryAddr, "project_id", knownvalue.StringExact(testProject)),
					stateValue(registryAddr, "server_address", knownvalue.StringExact("registry.example.com:5000")),
					stateValue(registryAddr, "name", knownvalue.StringExact("internal")),
					stateValue(registryAddr, "description", knownvalue.StringExact("Images built by CI")),
					stateValue(registryAddr, "active", knownvalue.Bool(true)),
					stateValue(registryAddr, "state", knownvalue.StringExact("active")),
				},
				Check: e.checkRegistryAPI(registryAddr, func(r ranchersim.Registry) error {
					if r.State != "active" || r.ProjectID != testProject || r.ServerAddress != "registry.example.com:5000" ||
						!strPtrEq(r.Name, "internal") || !strPtrEq(r.Description, "Images built by CI") {
						return fmt.Errorf("API holds %+v", r)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccRegistry_minimal(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{
				// Only the required attribute: project from the provider, active by default.
				Config: e.registryConfig(`  server_address = "index.docker.io"`),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValue(registryAddr, "project_id", knownvalue.StringExact(testProject)),
					stateValue(registryAddr, "name", knownvalue.Null()),
					stateValue(registryAddr, "description", knownvalue.Null()),
					stateValue(registryAddr, "active", knownvalue.Bool(true)),
					stateValue(registryAddr, "state", knownvalue.StringExact("active")),
				},
				Check: e.checkRegistryAPI(registryAddr, func(r ranchersim.Registry) error {
					if r.Name != nil || r.Description != nil || r.ServerAddress != "index.docker.io" {
						return fmt.Errorf("API holds %+v", r)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccRegistry_updateInPlace(t *testing.T) {
	e := newTestEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	config := func(name, description string) string {
		return e.registryConfig(fmt.Sprintf(`
  server_address = "registry.example.com"
  name           = %s
  description    = %s
`, name, description))
	}
	registryField := func(name string, get func(ranchersim.Registry) *string, want string) resource.TestCheckFunc {
		return e.checkRegistryAPI(registryAddr, func(r ranchersim.Registry) error {
			if got := get(r); !strPtrEq(got, want) {
				return fmt.Errorf("API %s = %v, want %q", name, quoted(got), want)
			}
			if r.State != "active" {
				return fmt.Errorf("registry is %s after an update, want active", r.State)
			}
			return nil
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{
				Config:            config(`"one"`, `"first"`),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(registryAddr, tfjsonpath.New("id"))},
			},
			{
				Config:            config(`"two"`, `"first"`),
				ConfigPlanChecks:  planUpdate(registryAddr, "name", knownvalue.StringExact("two")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(registryAddr, tfjsonpath.New("id"))},
				Check:             registryField("name", func(r ranchersim.Registry) *string { return r.Name }, "two"),
			},
			{
				Config:            config(`"two"`, `"second"`),
				ConfigPlanChecks:  planUpdate(registryAddr, "description", knownvalue.StringExact("second")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(registryAddr, tfjsonpath.New("id"))},
				Check:             registryField("description", func(r ranchersim.Registry) *string { return r.Description }, "second"),
			},
			{
				// Removing optional attributes clears them in Rancher.
				Config:           config("null", "null"),
				ConfigPlanChecks: planUpdate(registryAddr, "name", knownvalue.Null()),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(registryAddr, tfjsonpath.New("id")),
					stateValue(registryAddr, "name", knownvalue.Null()),
					stateValue(registryAddr, "description", knownvalue.Null()),
				},
				Check: e.checkRegistryAPI(registryAddr, func(r ranchersim.Registry) error {
					if r.Name != nil || r.Description != nil {
						return fmt.Errorf("name %v and description %v are still set in the API", quoted(r.Name), quoted(r.Description))
					}
					return nil
				}),
			},
			{
				// And setting them again from nothing.
				Config:            config(`"three"`, `"third"`),
				ConfigPlanChecks:  planUpdate(registryAddr, "description", knownvalue.StringExact("third")),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(registryAddr, tfjsonpath.New("id"))},
				Check:             registryField("name", func(r ranchersim.Registry) *string { return r.Name }, "three"),
			},
		},
	})
}

func TestAccRegistry_replace(t *testing.T) {
	e := newTestEnv(t)
	// An account key that is a member of two projects, so project_id can move.
	provider := e.stagingAccount("ACCOUNTKEY0000000002", "account-secret-2")
	config := func(project, address string) string {
		return provider + fmt.Sprintf(`
resource "rancher_registry" "test" {
  project_id     = %q
  server_address = %q
  name           = "moving"
}
`, project, address)
	}
	var id string
	// replacedBy is a step whose plan replaces the registry with one at
	// address in project: the old one purged, the new one active.
	replacedBy := func(project, address string) resource.TestStep {
		return resource.TestStep{
			Config:           config(project, address),
			ConfigPlanChecks: planAction(registryAddr, plancheck.ResourceActionReplace),
			ConfigStateChecks: []statecheck.StateCheck{
				stateValue(registryAddr, "project_id", knownvalue.StringExact(project)),
				stateValue(registryAddr, "server_address", knownvalue.StringExact(address)),
			},
			Check: resource.ComposeAggregateTestCheckFunc(
				e.checkReplaced(registryAddr, &id),
				e.checkRegistryAPI(registryAddr, func(r ranchersim.Registry) error {
					if r.ProjectID != project || r.ServerAddress != address || r.State != "active" {
						return fmt.Errorf("replacement is %+v, want active in project %s at %s", r, project, address)
					}
					return nil
				}),
			),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries, testProject, keysStaging),
		Steps: []resource.TestStep{
			{Config: config(testProject, "a.example.com"), Check: captureID(registryAddr, &id)},
			replacedBy(testProject, "b.example.com"),
			// The same address in another project is a different registry.
			replacedBy("1a6", "b.example.com"),
		},
	})
}

func TestAccRegistry_active(t *testing.T) {
	e := newTestEnv(t)
	config := func(active string) string {
		return e.registryConfig(fmt.Sprintf(`
  server_address = "registry.example.com"
  %s
`, active))
	}
	var id string
	updateTo := func(active bool) resource.ConfigPlanChecks {
		return planUpdate(registryAddr, "active", knownvalue.Bool(active))
	}
	stateIs := func(state string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			stateValue(registryAddr, "active", knownvalue.Bool(state == "active")),
			stateValue(registryAddr, "state", knownvalue.StringExact(state)),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{
				Config:            config("active = false"),
				ConfigStateChecks: stateIs("inactive"),
				Check:             resource.ComposeAggregateTestCheckFunc(captureID(registryAddr, &id), e.registryAPIState(registryAddr, "inactive")),
			},
			{Config: config("active = true"), ConfigPlanChecks: updateTo(true), ConfigStateChecks: stateIs("active"), Check: e.registryAPIState(registryAddr, "active")},
			{Config: config("active = false"), ConfigPlanChecks: updateTo(false), ConfigStateChecks: stateIs("inactive"), Check: e.registryAPIState(registryAddr, "inactive")},
			{
				// Leaving active out means active.
				Config: config(""), ConfigPlanChecks: updateTo(true), ConfigStateChecks: stateIs("active"), Check: e.registryAPIState(registryAddr, "active"),
			},
			{
				// Someone deactivates it in the Rancher UI: plan shows it, apply repairs it.
				PreConfig:        func() { e.act(t, id, "deactivate", "inactive") },
				Config:           config(""),
				ConfigPlanChecks: updateTo(true),
				ConfigStateChecks: append(stateIs("active"), stateValue(registryAddr, "id", knownvalue.StringFunc(func(v string) error {
					if v != id {
						return fmt.Errorf("id changed from %s to %s", id, v)
					}
					return nil
				}))),
				Check: e.registryAPIState(registryAddr, "active"),
			},
		},
	})
}

func TestAccRegistry_disappears(t *testing.T) {
	e := newTestEnv(t)
	config := e.registryConfig(`  server_address = "registry.example.com"`)
	var id string
	recreated := planAction(registryAddr, plancheck.ResourceActionCreate)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{Config: config, Check: captureID(registryAddr, &id)},
			{
				// Removed in Rancher: still readable by id, but gone, so
				// the refreshed plan creates it again.
				PreConfig: func() { e.removeOutOfBand(t, id) },
				Config:    config,
				PlanOnly:  true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(registryAddr, plancheck.ResourceActionCreate),
				}},
				ExpectNonEmptyPlan: true,
			},
			{
				// Rancher purges a removed registry by itself within minutes,
				// and only then frees its address; the simulator is told to.
				PreConfig:        func() { e.act(t, id, "purge", "purged") },
				Config:           config,
				ConfigPlanChecks: recreated,
				Check: resource.ComposeAggregateTestCheckFunc(
					func(*terraform.State) error {
						if r, _ := e.sim.Registry(id); r.State != "purged" {
							return fmt.Errorf("the old registry %s is %s, want purged", id, r.State)
						}
						return nil
					},
					captureID(registryAddr, &id),
				),
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
					stateValue(registryAddr, "state", knownvalue.StringExact("active")),
				},
				Check: e.registryAPIState(registryAddr, "active"),
			},
		},
	})
}

func TestAccRegistry_import(t *testing.T) {
	e := newTestEnv(t)
	config := e.registryConfig(`
  server_address = "registry.example.com"
  name           = "imported"
  description    = "made before Terraform"
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{Config: config},
			{
				ResourceName:      registryAddr,
				ImportState:       true,
				ImportStateIdFunc: importID(registryAddr, true),
				ImportStateVerify: true,
			},
			{
				ResourceName:      registryAddr,
				ImportState:       true,
				ImportStateIdFunc: importID(registryAddr, false),
				ImportStateVerify: true,
			},
			{
				// An import {} block: the imported registry matches the
				// configuration, so the plan changes nothing.
				Config:            config,
				ResourceName:      registryAddr,
				ImportState:       true,
				ImportStateKind:   resource.ImportBlockWithID,
				ImportStateIdFunc: importID(registryAddr, true),
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(registryAddr, plancheck.ResourceActionNoop),
				}},
			},
			{
				ResourceName:  registryAddr,
				ImportState:   true,
				ImportStateId: "1a5/registry.example.com",
				ExpectError:   regexp.MustCompile(`(?s)Invalid import id.*"1a5/1sp3"`),
			},
			{
				// A credential id is not a registry id.
				ResourceName:  registryAddr,
				ImportState:   true,
				ImportStateId: "1c7",
				ExpectError:   regexp.MustCompile(`Invalid import id`),
			},
		},
	})
}

func TestAccRegistry_badInput(t *testing.T) {
	e := newTestEnv(t)
	step := func(body, want string) resource.TestStep {
		return resource.TestStep{
			Config:      e.registryConfig(body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if n := len(e.sim.Registries(testProject)); n != 0 {
				return fmt.Errorf("bad input created %d registries", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			step(`server_address = ""`, `(?s)Attribute server_address string length must be between 1 and 255`),
			step(fmt.Sprintf(`server_address = %q`, strings.Repeat("r", 256)), `(?s)Attribute server_address string length must be between 1 and 255`),
			step(fmt.Sprintf(`server_address = "registry.example.com"
  name = %q`, strings.Repeat("n", 256)), `(?s)Attribute name string length must be at most 255`),
			step(fmt.Sprintf(`server_address = "registry.example.com"
  description = %q`, strings.Repeat("d", 1025)), `(?s)Attribute description string length must be at most 1024`),
			step(`server_address = "registry.example.com"
  project_id = "default"`, `(?s)Attribute project_id must be a Rancher project id such as "1a5"`),
			step(`name = "no address"`, `(?s)The argument "server_address" is required`),
		},
	})
}

func TestAccRegistry_duplicateServerAddress(t *testing.T) {
	e := newTestEnv(t)
	// Made outside Terraform; Cattle compares addresses without regard to case.
	existing := e.registry(t, testProject, "REGISTRY.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			regs := e.sim.Registries(testProject)
			if len(regs) != 1 || regs[0].ID != existing || regs[0].State != "active" {
				return fmt.Errorf("API holds %+v, want only the existing registry %s, untouched", regs, existing)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: e.registryConfig(`  server_address = "registry.example.com"`),
				// The plan fails on server_address, naming the registry
				// that holds it and the import block that adopts it.
				ExpectError: regexp.MustCompile(`(?s)Registry already exists in Rancher.*with rancher_registry\.test,.*server_address = "registry\.example\.com".*` +
					`Registry 1a5/` + existing + ` \(active, created [-0-9T:Z]+\) already holds the\s+server address "registry\.example\.com" in project 1a5.*` +
					`import \{\s+to = <this resource's address>\s+id = "1a5/` + existing + `"\s+\}`),
			},
		},
	})
}

func TestAccRegistry_destroyFromEveryState(t *testing.T) {
	e := newTestEnv(t)
	config := e.providerBlock() + `
resource "rancher_registry" "active" {
  server_address = "active.example.com"
}
resource "rancher_registry" "inactive" {
  server_address = "inactive.example.com"
  active         = false
}
resource "rancher_registry" "deactivated" {
  server_address = "deactivated.example.com"
}
`
	var deactivatedID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					captureID("rancher_registry.deactivated", &deactivatedID),
					e.registryAPIState("rancher_registry.active", "active"),
					e.registryAPIState("rancher_registry.inactive", "inactive"),
				),
			},
			{
				// Deactivated out of band before destroy: destroy removes all three.
				PreConfig: func() { e.act(t, deactivatedID, "deactivate", "inactive") },
				Config:    config,
				Destroy:   true,
			},
		},
	})
}

func TestAccRegistry_failedTransition(t *testing.T) {
	e := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { e.sim.FailNextTransition("", "storage pool agent refused the registry") },
				Config:      e.registryConfig(`  server_address = "registry.example.com"`),
				ExpectError: regexp.MustCompile(`storage\s+pool\s+agent\s+refused\s+the\s+registry`),
			},
			{
				// The failed registry was kept in state, tainted: plan replaces
				// it, and destroy removes it (CheckDestroy). From Terraform
				// 1.16 on it was removed, and plan creates it again.
				Config:   e.registryConfig(`  server_address = "registry.example.com"`),
				PlanOnly: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPreRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(registryAddr, failedCreateReplanned(t)),
				}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccRegistry_recreateSameAddress destroys a registry and creates one
// with the same server address again, as a replacement of a tainted
// registry or "terraform destroy" followed by "terraform apply" does.
// Cattle keeps a removed registry's address taken until it is purged, so
// this passes only because destroy purges.
func TestAccRegistry_recreateSameAddress(t *testing.T) {
	e := newTestEnv(t)
	config := e.registryConfig(`  server_address = "registry.example.com"`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{Config: config},
			{Config: config, Destroy: true},
			{
				Config:           config,
				ConfigPlanChecks: planAction(registryAddr, plancheck.ResourceActionCreate),
				Check:            e.registryAPIState(registryAddr, "active"),
			},
		},
	})
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccDataSourceRegistry_byID(t *testing.T) {
	e := newTestEnv(t)
	config := e.providerBlock() + `
resource "rancher_registry" "test" {
  server_address = "registry.example.com"
  name           = "internal"
  description    = "Images built by CI"
}

resource "rancher_registry" "inactive" {
  server_address = "old.example.com"
  active         = false
}

data "rancher_registry" "test" {
  id = rancher_registry.test.id
}

data "rancher_registry" "inactive" {
  id         = rancher_registry.inactive.id
  project_id = "1a5"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(registries),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(dataSourceChecks(NewRegistryDataSource(), registryDataAddr, map[string]knownvalue.Check{
					"id":             knownvalue.StringRegexp(regexp.MustCompile(`^1sp[0-9]+$`)),
					"project_id":     knownvalue.StringExact(testProject),
					"server_address": knownvalue.StringExact("registry.example.com"),
					"name":           knownvalue.StringExact("internal"),
					"description":    knownvalue.StringExact("Images built by CI"),
					"active":         knownvalue.Bool(true),
					"state":          knownvalue.StringExact("active"),
				}),
					statecheck.CompareValuePairs(registryDataAddr, tfjsonpath.New("id"), "rancher_registry.test", tfjsonpath.New("id"), compare.ValuesSame()),
				),
			},
			{
				Config: config,
				ConfigStateChecks: dataSourceChecks(NewRegistryDataSource(), "data.rancher_registry.inactive", map[string]knownvalue.Check{
					"id":             knownvalue.StringRegexp(regexp.MustCompile(`^1sp[0-9]+$`)),
					"project_id":     knownvalue.StringExact(testProject),
					"server_address": knownvalue.StringExact("old.example.com"),
					"name":           knownvalue.Null(),
					"description":    knownvalue.Null(),
					"active":         knownvalue.Bool(false),
					"state":          knownvalue.StringExact("inactive"),
				}),
			},
		},
	})
}

func TestAccDataSourceRegistry_byServerAddress(t *testing.T) {
	e := newTestEnv(t)
	// Made outside Terraform, with its address in capitals.
	outside := e.registry(t, testProject, "REGISTRY.example.com")
	config := e.providerBlock() + `
resource "rancher_registry" "test" {
  server_address = "mirror.example.com:5000"
  name           = "mirror"
}

data "rancher_registry" "test" {
  server_address = rancher_registry.test.server_address
}

# Rancher compares addresses without regard to case, and so does the lookup.
data "rancher_registry" "outside" {
  server_address = "registry.EXAMPLE.com"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			for _, r := range e.sim.Registries(testProject) {
				if r.ID != outside && r.State != "purged" {
					return fmt.Errorf("registry %s is %s after destroy, want purged", r.ID, r.State)
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(dataSourceChecks(NewRegistryDataSource(), registryDataAddr, map[string]knownvalue.Check{
					"id":             knownvalue.StringRegexp(regexp.MustCompile(`^1sp[0-9]+$`)),
					"project_id":     knownvalue.StringExact(testProject),
					"server_address": knownvalue.StringExact("mirror.example.com:5000"),
					"name":           knownvalue.StringExact("mirror"),
					"description":    knownvalue.Null(),
					"active":         knownvalue.Bool(true),
					"state":          knownvalue.StringExact("active"),
				}),
					statecheck.CompareValuePairs(registryDataAddr, tfjsonpath.New("id"), "rancher_registry.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.ExpectKnownValue("data.rancher_registry.outside", tfjsonpath.New("id"), knownvalue.StringExact(outside)),
					// The address as Rancher stores it.
					statecheck.ExpectKnownValue("data.rancher_registry.outside", tfjsonpath.New("server_address"), knownvalue.StringExact("REGISTRY.example.com")),
					statecheck.ExpectKnownValue("data.rancher_registry.outside", tfjsonpath.New("state"), knownvalue.StringExact("active")),
				),
			},
		},
	})
}

func TestAccDataSourceRegistry_otherProject(t *testing.T) {
	e := newTestEnv(t)
	provider := e.stagingAccount("ACCOUNTKEY0000000004", "account-secret-4")
	here := e.registry(t, testProject, "registry.example.com")
	there := e.registry(t, keysStaging, "registry.example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				// The same address in two projects: project_id picks one.
				Config: provider + fmt.Sprintf(`
data "rancher_registry" "test" {
  project_id     = "1a6"
  server_address = "registry.example.com"
}

data "rancher_registry" "default_project" {
  server_address = "registry.example.com"
}

data "rancher_registry" "by_id" {
  project_id = "1a6"
  id         = %q
}
`, there),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(registryDataAddr, tfjsonpath.New("id"), knownvalue.StringExact(there)),
					statecheck.ExpectKnownValue(registryDataAddr, tfjsonpath.New("project_id"), knownvalue.StringExact("1a6")),
					statecheck.ExpectKnownValue("data.rancher_registry.default_project", tfjsonpath.New("id"), knownvalue.StringExact(here)),
					statecheck.ExpectKnownValue("data.rancher_registry.default_project", tfjsonpath.New("project_id"), knownvalue.StringExact(testProject)),
					statecheck.ExpectKnownValue("data.rancher_registry.by_id", tfjsonpath.New("id"), knownvalue.StringExact(there)),
					statecheck.ExpectKnownValue("data.rancher_registry.by_id", tfjsonpath.New("project_id"), knownvalue.StringExact("1a6")),
				},
			},
		},
	})
}

func TestAccDataSourceRegistry_errors(t *testing.T) {
	e := newTestEnv(t)
	e.sim.AddProject("1a6", "Staging")
	removed := e.registry(t, testProject, "removed.example.com")
	e.removeOutOfBand(t, removed)
	step := func(body string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{Config: block(e.providerBlock(), "data", "rancher_registry", body), ExpectError: want}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			step(`  server_address = "nowhere.example.com"`,
				messageRegexp(`There is no registry with server address "nowhere.example.com" in project 1a5.`)),
			step(fmt.Sprintf(`  id = %q`, removed),
				messageRegexp(fmt.Sprintf(`Registry %s in project 1a5 is removed (state "removed"): it no longer exists for Rancher.`, removed))),
			// A removed registry is not found by its address either.
			step(`  server_address = "removed.example.com"`,
				messageRegexp(`There is no registry with server address "removed.example.com" in project 1a5.`)),
			step(`  id = "1sp999"`,
				messageRegexp(`There is no registry with id 1sp999 in project 1a5 (Rancher answered 404 Not Found).`)),
			step(`  id         = "1sp1"
  project_id = "1a6"`,
				messageRegexp(`These API keys cannot reach project 1a6 (403 Forbidden).`)),
			step(``, messageRegexp(`Exactly one of these attributes must be configured: [id,server_address]`)),
			step(`  id             = "1sp1"
  server_address = "registry.example.com"`, messageRegexp(`Exactly one of these attributes must be configured: [id,server_address]`)),
			step(`  id = "registry.example.com"`, messageRegexp(`Attribute id must be a Rancher registry id such as "1sp3"`)),
			step(`  server_address = ""`, messageRegexp(`Attribute server_address string length must be between 1 and 255`)),
			step(`  server_address = "registry.example.com"
  project_id     = "default"`, messageRegexp(`Attribute project_id must be a Rancher project id such as "1a5"`)),
		},
	})
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// dataSourceChecks checks every attribute of the data source ds at addr:
// want holds a check for each attribute of its schema.
func dataSourceChecks(ds datasource.DataSource, addr string, want map[string]knownvalue.Check) []statecheck.StateCheck {
	var resp datasource.SchemaResponse
	ds.Schema(context.Background(), datasource.SchemaRequest{}, &resp)
	var checks []statecheck.StateCheck
	for _, attr := range slices.Sorted(maps.Keys(resp.Schema.Attributes)) {
		check, ok := want[attr]
		if !ok {
			panic("no check for " + attr)
		}
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), check))
	}
	return checks
}

func TestAccDataSourceRegistryCredential_byID(t *testing.T) {
	e := newTestEnv(t)
	config := e.providerBlock() + `
resource "rancher_registry" "test" {
  server_address = "registry.example.com"
}

resource "rancher_registry_credential" "test" {
  registry_id  = rancher_registry.test.id
  email        = "ci@example.com"
  name         = "ci"
  description  = "pulls for CI"
  public_value = "ci-bot"
  secret_value = "s3cret-ds"
}

data "rancher_registry_credential" "test" {
  id = rancher_registry_credential.test.id
}

data "rancher_registry_credential" "explicit_project" {
  id         = rancher_registry_credential.test.id
  project_id = "1a5"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(dataSourceChecks(NewRegistryCredentialDataSource(), credentialDataAddr, map[string]knownvalue.Check{
					"id":           knownvalue.StringRegexp(regexp.MustCompile(`^1c[0-9]+$`)),
					"project_id":   knownvalue.StringExact(testProject),
					"registry_id":  knownvalue.StringRegexp(regexp.MustCompile(`^1sp[0-9]+$`)),
					"name":         knownvalue.StringExact("ci"),
					"email":        knownvalue.StringExact("ci@example.com"),
					"public_value": knownvalue.StringExact("ci-bot"),
					"description":  knownvalue.StringExact("pulls for CI"),
					"active":       knownvalue.Bool(true),
					"state":        knownvalue.StringExact("active"),
				}),
					statecheck.CompareValuePairs(credentialDataAddr, tfjsonpath.New("id"), credentialAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(credentialDataAddr, tfjsonpath.New("registry_id"), "rancher_registry.test", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.rancher_registry_credential.explicit_project", tfjsonpath.New("id"), credentialAddr, tfjsonpath.New("id"), compare.ValuesSame()),
					stateValue("data.rancher_registry_credential.explicit_project", "project_id", knownvalue.StringExact(testProject)),
				),
			},
		},
	})
}

func TestAccDataSourceRegistryCredential_byName(t *testing.T) {
	e := newTestEnv(t)
	config := e.providerBlock() + `
resource "rancher_registry" "a" {
  server_address = "a.example.com"
}

resource "rancher_registry" "b" {
  server_address = "b.example.com"
}

resource "rancher_registry_credential" "a_ci" {
  registry_id = rancher_registry.a.id
  email       = "a-ci@example.com"
  name        = "ci"
}

resource "rancher_registry_credential" "a_deploy" {
  registry_id = rancher_registry.a.id
  email       = "a-deploy@example.com"
  name        = "deploy"
}

resource "rancher_registry_credential" "b_ci" {
  registry_id = rancher_registry.b.id
  email       = "b-ci@example.com"
  name        = "ci"
  active      = false
}

data "rancher_registry_credential" "test" {
  registry_id = rancher_registry.a.id
  name        = "ci"
  depends_on  = [rancher_registry_credential.a_ci, rancher_registry_credential.a_deploy, rancher_registry_credential.b_ci]
}

data "rancher_registry_credential" "b" {
  registry_id = rancher_registry.b.id
  name        = "ci"
  depends_on  = [rancher_registry_credential.a_ci, rancher_registry_credential.a_deploy, rancher_registry_credential.b_ci]
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: append(dataSourceChecks(NewRegistryCredentialDataSource(), credentialDataAddr, map[string]knownvalue.Check{
					"id":           knownvalue.StringRegexp(regexp.MustCompile(`^1c[0-9]+$`)),
					"project_id":   knownvalue.StringExact(testProject),
					"registry_id":  knownvalue.StringRegexp(regexp.MustCompile(`^1sp[0-9]+$`)),
					"name":         knownvalue.StringExact("ci"),
					"email":        knownvalue.StringExact("a-ci@example.com"),
					"public_value": knownvalue.Null(),
					"description":  knownvalue.Null(),
					"active":       knownvalue.Bool(true),
					"state":        knownvalue.StringExact("active"),
				}),
					statecheck.CompareValuePairs(credentialDataAddr, tfjsonpath.New("id"), "rancher_registry_credential.a_ci", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs(credentialDataAddr, tfjsonpath.New("registry_id"), "rancher_registry.a", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.rancher_registry_credential.b", tfjsonpath.New("id"), "rancher_registry_credential.b_ci", tfjsonpath.New("id"), compare.ValuesSame()),
					stateValue("data.rancher_registry_credential.b", "email", knownvalue.StringExact("b-ci@example.com")),
					stateValue("data.rancher_registry_credential.b", "active", knownvalue.Bool(false)),
					stateValue("data.rancher_registry_credential.b", "state", knownvalue.StringExact("inactive")),
				),
			},
		},
	})
}

func TestAccDataSourceRegistryCredential_otherProject(t *testing.T) {
	e := newTestEnv(t)
	// An account key that is a member of two projects; the provider's
	// project is 1a5, the credential lives in 1a6.
	provider := e.stagingAccount("ACCOUNTKEY0000000003", "account-secret-3")
	reg := e.registry(t, keysStaging, "registry.example.com")
	id := e.credential(t, keysStaging, reg, named("staging"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider + fmt.Sprintf(`
data "rancher_registry_credential" "test" {
  project_id = "1a6"
  id         = %q
}

data "rancher_registry_credential" "by_name" {
  project_id  = "1a6"
  registry_id = %q
  name        = "staging"
}
`, id, reg),
				ConfigStateChecks: append(dataSourceChecks(NewRegistryCredentialDataSource(), credentialDataAddr, map[string]knownvalue.Check{
					"id":           knownvalue.StringExact(id),
					"project_id":   knownvalue.StringExact("1a6"),
					"registry_id":  knownvalue.StringExact(reg),
					"name":         knownvalue.StringExact("staging"),
					"email":        knownvalue.StringExact("staging@example.com"),
					"public_value": knownvalue.StringExact("staging"),
					"description":  knownvalue.Null(),
					"active":       knownvalue.Bool(true),
					"state":        knownvalue.StringExact("active"),
				}),
					stateValue("data.rancher_registry_credential.by_name", "id", knownvalue.StringExact(id)),
					stateValue("data.rancher_registry_credential.by_name", "project_id", knownvalue.StringExact("1a6")),
				),
			},
			{
				// Not in the provider's project.
				Config: provider + fmt.Sprintf(`
data "rancher_registry_credential" "test" {
  registry_id = %q
  name        = "staging"
}
`, reg),
				ExpectError: messageRegexp(fmt.Sprintf(`There is no registry credential named "staging" on registry %s in project 1a5.`, reg)),
			},
		},
	})
}

func TestAccDataSourceRegistryCredential_errors(t *testing.T) {
	e := newTestEnv(t)
	e.sim.AddProject("1a6", "Staging")
	reg := e.registry(t, testProject, "registry.example.com")
	dup1 := e.credential(t, testProject, reg, named("dup"))
	dup2 := e.credential(t, testProject, reg, named("dup"))
	removed := e.credential(t, testProject, reg, named("gone"))
	e.removeOutOfBand(t, removed)
	step := func(body string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{Config: block(e.providerBlock(), "data", "rancher_registry_credential", body), ExpectError: want}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{
			// No match, several matches, a removed credential, a 404.
			step(fmt.Sprintf(`  registry_id = %q
  name        = "nobody"`, reg),
				messageRegexp(fmt.Sprintf(`There is no registry credential named "nobody" on registry %s in project 1a5.`, reg))),
			step(fmt.Sprintf(`  registry_id = %q
  name        = "dup"`, reg),
				messageRegexp(fmt.Sprintf(`There are 2 registry credentials named "dup" on registry %s in project 1a5: %s, %s. `+
					`Rancher does not require names to be unique; look the credential up by id instead.`, reg, dup1, dup2))),
			step(fmt.Sprintf(`  id = %q`, removed),
				messageRegexp(fmt.Sprintf(`Registry credential %s in project 1a5 is removed (state "removed"): it no longer exists for Rancher.`, removed))),
			step(`  id = "1c999"`,
				messageRegexp(`There is no registry credential with id 1c999 in project 1a5 (Rancher answered 404 Not Found).`)),
			// A removed credential is not found by name either.
			step(fmt.Sprintf(`  registry_id = %q
  name        = "gone"`, reg),
				messageRegexp(fmt.Sprintf(`There is no registry credential named "gone" on registry %s in project 1a5.`, reg))),
			// A project these keys cannot reach.
			step(`  id         = "1c1"
  project_id = "1a6"`,
				messageRegexp(`These API keys cannot reach project 1a6 (403 Forbidden).`)),
			// Lookups that are not exactly one of the two forms.
			step(``, messageRegexp(`Exactly one of these attributes must be configured: [id,registry_id]`)),
			step(`  id = "1c1"
  registry_id = "1sp1"`, messageRegexp(`Exactly one of these attributes must be configured: [id,registry_id]`)),
			step(`  id   = "1c1"
  name = "ci"`, messageRegexp(`These attributes cannot be configured together: [id,name]`)),
			step(`  registry_id = "1sp1"`, messageRegexp(`These attributes must be configured together: [registry_id,name]`)),
			step(`  name = "ci"`, messageRegexp(`Exactly one of these attributes must be configured: [id,registry_id]`)),
			// Malformed values.
			step(`  id = "credential-1"`, messageRegexp(`Attribute id must be a Rancher registry credential id such as "1c7"`)),
			step(`  registry_id = "registry-1"
  name        = "ci"`, messageRegexp(`Attribute registry_id must be a Rancher registry id such as "1sp3"`)),
			step(`  registry_id = "1sp1"
  name        = ""`, messageRegexp(`Attribute name string length must be between 1 and 255`)),
			step(`  id         = "1c1"
  project_id = "default"`, messageRegexp(`Attribute project_id must be a Rancher project id such as "1a5"`)),
		},
	})
}

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
				if r.ID != outside && !isGone(r.State) {
					return fmt.Errorf("registry %s is %s after destroy, want it gone", r.ID, r.State)
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
					stateValue("data.rancher_registry.outside", "id", knownvalue.StringExact(outside)),
					// The address as Rancher stores it.
					stateValue("data.rancher_registry.outside", "server_address", knownvalue.StringExact("REGISTRY.example.com")),
					stateValue("data.rancher_registry.outside", "state", knownvalue.StringExact("active")),
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
					stateValue(registryDataAddr, "id", knownvalue.StringExact(there)),
					stateValue(registryDataAddr, "project_id", knownvalue.StringExact("1a6")),
					stateValue("data.rancher_registry.default_project", "id", knownvalue.StringExact(here)),
					stateValue("data.rancher_registry.default_project", "project_id", knownvalue.StringExact(testProject)),
					stateValue("data.rancher_registry.by_id", "id", knownvalue.StringExact(there)),
					stateValue("data.rancher_registry.by_id", "project_id", knownvalue.StringExact("1a6")),
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

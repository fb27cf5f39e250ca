// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Resource identity (Terraform 1.12 and later): {project_id, id} on both
// resources, set on create, read and import, and import blocks that name an
// object by identity.

// expectIdentity checks addr's identity: the test project, and an id of
// the pattern that is the one in state.
func expectIdentity(addr string, id *regexp.Regexp) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
			"project_id": knownvalue.StringExact(testProject),
			"id":         knownvalue.StringRegexp(id),
		}),
		statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("id")),
		statecheck.ExpectIdentityValueMatchesState(addr, tfjsonpath.New("project_id")),
	}
}

// TestAccIdentity_createAndImport: both resources get their identity on
// create, keep it through an update, and import by it with no change.
func TestAccIdentity_createAndImport(t *testing.T) {
	e := newTestEnv(t)
	config := func(name string) string {
		return e.providerBlock() + fmt.Sprintf(`
resource "rancher_registry" "test" {
  server_address = "registry.example.com"
  name           = %[1]q
}

resource "rancher_registry_credential" "test" {
  registry_id     = rancher_registry.test.id
  email           = "ci@example.com"
  name            = %[1]q
  public_value    = "ci-bot"
  secret_value_wo = "pw-identity"
}
`, name)
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials | registries),
		Steps: []resource.TestStep{
			{
				Config:            config("one"),
				ConfigStateChecks: append(expectIdentity(credentialAddr, credentialIDPattern), expectIdentity(registryAddr, registryIDPattern)...),
			},
			{
				// An in-place update keeps the identity (the framework
				// fails an update whose identity changes).
				Config: config("two"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(credentialAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectResourceAction(registryAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: append(expectIdentity(credentialAddr, credentialIDPattern), expectIdentity(registryAddr, registryIDPattern)...),
			},
			{
				ResourceName:    credentialAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				ResourceName:    registryAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}

// TestAccIdentity_importByID: `import { identity = { id = … } }` finds an
// object in the provider's project, and one in another project the key
// reaches, with or without project_id; the state records where it is.
func TestAccIdentity_importByID(t *testing.T) {
	e := newTestEnv(t)
	provider := e.stagingAccount(keysAccountKey, keysAccountSK)
	prodRegistry := e.registry(t, testProject, "registry.example.com")
	stagingRegistry := e.registry(t, keysStaging, "staging.example.com")
	prodCred := e.credential(t, testProject, prodRegistry, named("prod"))
	stagingCred := e.credential(t, keysStaging, stagingRegistry, named("staging"))

	config := provider + fmt.Sprintf(`
import {
  to       = rancher_registry.prod
  identity = { id = %[1]q }
}

import {
  to       = rancher_registry_credential.prod
  identity = { id = %[2]q }
}

import {
  to       = rancher_registry.staging
  identity = { id = %[3]q, project_id = %[5]q }
}

import {
  to       = rancher_registry_credential.staging
  identity = { id = %[4]q }
}
`, prodRegistry, prodCred, stagingRegistry, stagingCred, keysStaging) +
		registryWithNamedCredential("prod", "registry.example.com", "") +
		registryWithNamedCredential("staging", "staging.example.com", fmt.Sprintf("\n  project_id = %q", keysStaging))

	noOp := func(addr string) plancheck.PlanCheck {
		return plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop)
	}
	checks := []statecheck.StateCheck{
		statecheck.ExpectIdentity("rancher_registry.prod", identityOf(testProject, prodRegistry)),
		statecheck.ExpectIdentity("rancher_registry_credential.prod", identityOf(testProject, prodCred)),
		statecheck.ExpectIdentity("rancher_registry.staging", identityOf(keysStaging, stagingRegistry)),
		statecheck.ExpectIdentity("rancher_registry_credential.staging", identityOf(keysStaging, stagingCred)),
		stateValue("rancher_registry_credential.staging", "project_id", knownvalue.StringExact(keysStaging)),
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials|registries, testProject, keysStaging),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					noOp("rancher_registry.prod"), noOp("rancher_registry_credential.prod"),
					noOp("rancher_registry.staging"), noOp("rancher_registry_credential.staging"),
				}},
				ConfigStateChecks: checks,
			},
		},
	})
}

// TestAccIdentity_badIdentity: an identity whose values are not ids of the
// resource's kind is refused before anything is read, naming the value.
func TestAccIdentity_badIdentity(t *testing.T) {
	e := newTestEnv(t)
	importConfig := func(to, identity string) string {
		return e.providerBlock() + fmt.Sprintf(`
import {
  to       = %s
  identity = %s
}

resource "rancher_registry" "test" {
  server_address = "registry.example.com"
}

resource "rancher_registry_credential" "test" {
  registry_id = "1sp1"
  email       = "ci@example.com"
}
`, to, identity)
	}
	steps := []resource.TestStep{}
	for _, c := range []struct{ to, identity, want string }{
		{credentialAddr, `{ id = "1sp3" }`, `identity.id must be an id such as "1c7"; got "1sp3"`},
		{credentialAddr, `{ id = "1c7", project_id = "1sp3" }`, `identity.project_id must be a Rancher project id such as "1a5"; got "1sp3"`},
		{registryAddr, `{ id = "1c7" }`, `identity.id must be an id such as "1sp3"; got "1c7"`},
	} {
		steps = append(steps, resource.TestStep{
			Config:      importConfig(c.to, c.identity),
			PlanOnly:    true,
			ExpectError: messageRegexp(c.want),
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkDestroyed(credentials | registries),
		Steps:                    steps,
	})
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// Switching from the archived hashicorp/rancher provider: a state it wrote,
// with a registry in a second environment and credentials that never
// recorded their environment, must switch with nothing lost or replaced.
// These tests run the terraform CLI themselves: terraform-plugin-testing
// cannot start from a state written by another provider.

const (
	migrationAccessKey = "MIGRATIONACCOUNTKEY1"
	migrationSecretKey = "migration-account-secret-1"
	migrationStaging   = "1a7"
)

// legacyWorld is a Rancher with what the archived provider made: registry
// "internal" in the staging environment with two credentials, registry "hub"
// in the default one with one credential. An account key reaches both
// environments, as the keys of multi-environment users do.
type legacyWorld struct {
	e                           *testEnv
	internal, hub               string // registry ids
	ciCred, deployCred, hubCred string
}

func newLegacyWorld(t *testing.T) *legacyWorld {
	t.Helper()
	e := newTestEnv(t)
	e.sim.AddAccountKey(migrationAccessKey, migrationSecretKey, false,
		map[string]string{testProject: "owner", migrationStaging: "owner"})
	w := &legacyWorld{e: e,
		internal: e.registry(t, migrationStaging, "registry.example.com", ranchersim.RegistryFields{Name: "internal", Description: "Images built by CI"}),
		hub:      e.registry(t, testProject, "hub.example.com", ranchersim.RegistryFields{Name: "hub"})}
	legacy := func(name, description, user, secret string) ranchersim.CredentialFields {
		return ranchersim.CredentialFields{Email: "ci@example.com", Name: name, Description: description, PublicValue: user, SecretValue: secret}
	}
	w.ciCred = e.credential(t, migrationStaging, w.internal, legacy("ci-pull", "Pulls images built by CI", "ci-bot", "FAKE-ci-password"))
	w.deployCred = e.credential(t, migrationStaging, w.internal, legacy("deploy-pull", "", "deploy-bot", "FAKE-deploy-token"))
	w.hubCred = e.credential(t, testProject, w.hub, legacy("hub-pull", "", "hub-bot", "FAKE-hub-token"))
	return w
}

// writeLegacyState writes the state hashicorp/rancher v1.5.0 keeps for this
// world: the shipped state file of that provider, with this world's ids,
// the registry in the staging environment, and a second registry and
// credential in the default one.
func (w *legacyWorld) writeLegacyState(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(legacyStateFile)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	byName := map[string]map[string]any{}
	for _, r := range st["resources"].([]any) {
		r := r.(map[string]any)
		byName[r["type"].(string)+"."+r["name"].(string)] = r
	}
	set := func(addr string, attrs map[string]any) {
		in := byName[addr]["instances"].([]any)[0].(map[string]any)
		for k, v := range attrs {
			in["attributes"].(map[string]any)[k] = v
		}
	}
	set("rancher_registry.internal", map[string]any{"id": w.internal, "environment_id": migrationStaging})
	set("rancher_registry_credential.ci", map[string]any{"id": w.ciCred, "registry_id": w.internal, "secret_value": "FAKE-ci-password"})
	set("rancher_registry_credential.deploy", map[string]any{"id": w.deployCred, "registry_id": w.internal, "secret_value": "FAKE-deploy-token"})

	copyResource := func(from, name string, attrs map[string]any) {
		var r map[string]any
		b, _ := json.Marshal(byName[from])
		_ = json.Unmarshal(b, &r)
		r["name"] = name
		r["instances"].([]any)[0].(map[string]any)["attributes"] = attrs
		st["resources"] = append(st["resources"].([]any), r)
	}
	copyResource("rancher_registry.internal", "hub", map[string]any{
		"id": w.hub, "environment_id": testProject, "name": "hub", "description": "", "server_address": "hub.example.com"})
	copyResource("rancher_registry_credential.deploy", "hub", map[string]any{
		"id": w.hubCred, "registry_id": w.hub, "name": "hub-pull", "description": "", "email": nil,
		"public_value": "hub-bot", "secret_value": "FAKE-hub-token"})
	out, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(out))
}

// resources is the configuration of this world's objects, rewritten as the
// migration guide says: environment_id is project_id, email is set, and the
// credentials of another environment than the provider's take their
// registry's project. Each address is name+suffix; extra goes into every
// block (a provider meta-argument).
func (w *legacyWorld) resources(suffix, extra string) string {
	return fmt.Sprintf(`
resource "rancher_registry" "internal%[1]s" {%[2]s
  name           = "internal"
  description    = "Images built by CI"
  server_address = "registry.example.com"
  project_id     = %[3]q
}

resource "rancher_registry_credential" "ci%[1]s" {%[2]s
  name         = "ci-pull"
  description  = "Pulls images built by CI"
  registry_id  = rancher_registry.internal%[1]s.id
  project_id   = rancher_registry.internal%[1]s.project_id
  email        = "ci@example.com"
  public_value = "ci-bot"
  secret_value = "FAKE-ci-password"
}

resource "rancher_registry_credential" "deploy%[1]s" {%[2]s
  name         = "deploy-pull"
  registry_id  = rancher_registry.internal%[1]s.id
  email        = "ci@example.com"
  public_value = "deploy-bot"
  secret_value = "FAKE-deploy-token"
}

resource "rancher_registry" "hub%[1]s" {%[2]s
  name           = "hub"
  server_address = "hub.example.com"
}

resource "rancher_registry_credential" "hub%[1]s" {%[2]s
  name         = "hub-pull"
  registry_id  = rancher_registry.hub%[1]s.id
  email        = "ci@example.com"
  public_value = "hub-bot"
  secret_value = "FAKE-hub-token"
}
`, suffix, extra, migrationStaging)
}

// providerBlock configures this provider as a migrated configuration would:
// the legacy /v2-beta URL, an account key and a default project.
func (w *legacyWorld) providerBlock(localName string) string {
	return providerConfig{name: localName, url: w.e.url + "/v2-beta", accessKey: migrationAccessKey, secretKey: migrationSecretKey,
		projectID: testProject}.String()
}

// checkNothingLost asserts that every object of the world is still there,
// and active, in its own environment.
func (w *legacyWorld) checkNothingLost(t *testing.T) {
	t.Helper()
	for id, project := range map[string]string{w.ciCred: migrationStaging, w.deployCred: migrationStaging, w.hubCred: testProject} {
		c, ok := w.e.sim.Credential(id)
		if !ok || c.State != "active" || c.ProjectID != project {
			t.Errorf("credential %s: %+v, want active in %s", id, c, project)
		}
	}
	for id, project := range map[string]string{w.internal: migrationStaging, w.hub: testProject} {
		r, ok := w.e.sim.Registry(id)
		if !ok || r.State != "active" || r.ProjectID != project {
			t.Errorf("registry %s: %+v, want active in %s", id, r, project)
		}
	}
	if n := len(w.e.sim.Credentials(testProject)) + len(w.e.sim.Credentials(migrationStaging)); n != 3 {
		t.Errorf("%d credentials in Rancher, want the 3 the legacy provider made", n)
	}
}

// applyPlan applies the plan saved in w; then nothing may be lost, no
// change left to plan, and every object must have its identity.
func (w *legacyWorld) applyPlan(t *testing.T, cli *cliWorkdir) {
	t.Helper()
	cli.run("apply", "-input=false", "-no-color", "tfplan")
	w.checkNothingLost(t)
	cli.expectNoChanges()
	cli.checkIdentitiesMatchState()
}

// destroy destroys everything in w; then every object must be removed.
func (w *legacyWorld) destroy(t *testing.T, cli *cliWorkdir) {
	t.Helper()
	cli.run("destroy", "-auto-approve", "-input=false", "-no-color")
	if err := w.e.checkDestroyed(credentials|registries, testProject, migrationStaging)(nil); err != nil {
		t.Error(err)
	}
}

// newLegacyCLIWorkdir is a CLI working directory where a stand-in of
// hashicorp/rancher 1.5.0 is installable from the filesystem mirror.
func newLegacyCLIWorkdir(t *testing.T) *cliWorkdir {
	t.Helper()
	skipUnlessAcceptance(t)
	return newCLIWorkdir(t, mirroredProvider{source: "hashicorp/rancher", version: "1.5.0", binary: goBinary(t, "./testdata/legacyschema")})
}

// replaceProvider switches the legacy state in cli's directory to this
// provider with terraform state replace-provider, writes the rewritten
// configuration and runs init.
func (w *legacyWorld) replaceProvider(t *testing.T, cli *cliWorkdir) {
	t.Helper()
	host := "registry.terraform.io"
	if h := os.Getenv("TF_ACC_PROVIDER_HOST"); h != "" {
		host = h
	}
	cli.run("state", "replace-provider", "-auto-approve", "registry.terraform.io/hashicorp/rancher", host+"/cattle-ops/rancher")
	cli.initWith(cliRequiredProviders + w.providerBlock("rancher") + w.resources("", ""))
}

// The whole switch: terraform state replace-provider, then the rewritten
// configuration. The first plan adds, destroys and replaces nothing; apply
// and destroy then work.
func TestAccMigration_replaceProvider(t *testing.T) {
	w := newLegacyCLIWorkdir(t)
	world := newLegacyWorld(t)
	state := filepath.Join(w.dir, "terraform.tfstate")
	world.writeLegacyState(t, state)

	world.replaceProvider(t, w)

	noop := []string{"no-op"}
	checkPlan(t, w.plan(), map[string][]string{
		"rancher_registry.internal": noop, "rancher_registry.hub": noop,
		"rancher_registry_credential.ci": noop, "rancher_registry_credential.deploy": noop, "rancher_registry_credential.hub": noop,
	}, 0)
	world.applyPlan(t, w)
	// The first refresh recorded each credential's environment.
	st := w.run("show", "-json")
	for _, want := range []string{`"project_id":"` + migrationStaging + `"`, `"secret_value":"FAKE-ci-password"`} {
		if !strings.Contains(st, want) {
			t.Errorf("state after apply lacks %s:\n%s", want, st)
		}
	}
	world.destroy(t, w)
}

// sideBySideProviders keeps hashicorp/rancher as "rancher" for the types it
// still manages and adds this provider as "cattle".
func (w *legacyWorld) sideBySideProviders() string {
	return `
terraform {
  required_providers {
    rancher = {
      source  = "hashicorp/rancher"
      version = "1.5.0"
    }
    cattle = {
      source = "cattle-ops/rancher"
    }
  }
}
` + providerConfig{url: w.e.url + "/v2-beta", accessKey: migrationAccessKey, secretKey: migrationSecretKey}.String() +
		w.providerBlock("cattle")
}

var legacyAddresses = []string{
	"rancher_registry.internal", "rancher_registry.hub",
	"rancher_registry_credential.ci", "rancher_registry_credential.deploy", "rancher_registry_credential.hub",
}

// Side by side, with moved blocks (Terraform 1.8+): the provider takes each
// object's state over from the archived provider, the password included, so
// nothing is even updated.
func TestAccMigration_sideBySideMoved(t *testing.T) {
	w := newLegacyCLIWorkdir(t)
	w.skipBelow("1.8.0", "moving a resource between providers")
	world := newLegacyWorld(t)
	world.writeLegacyState(t, filepath.Join(w.dir, "terraform.tfstate"))

	moved := ""
	want := map[string][]string{}
	for _, addr := range legacyAddresses {
		moved += fmt.Sprintf("\nmoved {\n  from = %s\n  to   = %s_v1\n}\n", addr, addr)
		want[addr+"_v1"] = []string{"no-op"}
	}
	w.initWith(world.sideBySideProviders() + world.resources("_v1", "\n  provider = cattle\n") + moved)
	checkPlan(t, w.plan(), want, 0)
	world.applyPlan(t, w)
	world.destroy(t, w)
}

// Side by side, with removed and import blocks (Terraform 1.7+), by the
// archived provider's import ids: one apply forgets the legacy entries and
// imports every object. Rancher never returns a password, so each
// credential's secret_value is an in-place update; nothing is replaced.
func TestAccMigration_sideBySideRemovedAndImported(t *testing.T) {
	w := newLegacyCLIWorkdir(t)
	w.skipBelow("1.7.0", "removed blocks")
	world := newLegacyWorld(t)
	world.writeLegacyState(t, filepath.Join(w.dir, "terraform.tfstate"))

	blocks := ""
	for _, addr := range legacyAddresses {
		blocks += fmt.Sprintf("\nremoved {\n  from = %s\n  lifecycle {\n    destroy = false\n  }\n}\n", addr)
	}
	// The ids the archived provider documented: <environment_id>/<registry_id>
	// and <registry_id>/<credential_id>; and a bare id, found wherever the
	// key reaches.
	for addr, id := range map[string]string{
		"rancher_registry.internal_v1":          migrationStaging + "/" + world.internal,
		"rancher_registry.hub_v1":               world.hub,
		"rancher_registry_credential.ci_v1":     world.internal + "/" + world.ciCred,
		"rancher_registry_credential.deploy_v1": world.deployCred,
		"rancher_registry_credential.hub_v1":    world.hub + "/" + world.hubCred,
	} {
		blocks += fmt.Sprintf("\nimport {\n  provider = cattle\n  to       = %s\n  id       = %q\n}\n", addr, id)
	}
	w.initWith(world.sideBySideProviders() + world.resources("_v1", "\n  provider = cattle\n") + blocks)

	forget, noop, update := []string{"forget"}, []string{"no-op"}, []string{"update"}
	want := map[string][]string{
		"rancher_registry.internal_v1": noop, "rancher_registry.hub_v1": noop,
		"rancher_registry_credential.ci_v1": update, "rancher_registry_credential.deploy_v1": update, "rancher_registry_credential.hub_v1": update,
	}
	for _, addr := range legacyAddresses {
		want[addr] = forget
	}
	checkPlan(t, w.plan(), want, 5)
	world.applyPlan(t, w)
	world.destroy(t, w)
}

// adoptionConfig is a registry and a credential in the staging environment,
// managed with the account key while the provider's project is the default.
func (w *legacyWorld) adoptionConfig(accessKey, secretKey, serverAddress string) string {
	e := w.e
	return e.provider().withKey(accessKey, secretKey).withProject(testProject).String() + fmt.Sprintf(`
resource "rancher_registry" "internal" {
  project_id     = %q
  server_address = %q
  name           = "internal"
  description    = "Images built by CI"
}

resource "rancher_registry_credential" "ci" {
  project_id   = rancher_registry.internal.project_id
  registry_id  = rancher_registry.internal.id
  name         = "ci-pull"
  description  = "Pulls images built by CI"
  email        = "ci@example.com"
  public_value = "ci-bot"
  secret_value = "FAKE-ci-password"
}
`, migrationStaging, serverAddress)
}

// Import by every id form the archived provider documented, and by bare
// ids, of objects outside the provider's project: each is found where it
// is, with its project recorded, and the plan after it replaces nothing.
func TestAccMigration_importLegacyIDs(t *testing.T) {
	w := newLegacyWorld(t)
	config := w.adoptionConfig(migrationAccessKey, migrationSecretKey, "registry.example.com")
	importBlock := func(to, id string) string { return fmt.Sprintf("\nimport {\n  to = %s\n  id = %q\n}\n", to, id) }
	stateIs := func(addr, id string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			stateValue(addr, "id", knownvalue.StringExact(id)),
			stateValue(addr, "project_id", knownvalue.StringExact(migrationStaging)),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_5_0)},
		Steps: []resource.TestStep{
			{
				// The archived provider's forms: <environment_id>/<registry_id>
				// and <registry_id>/<credential_id>. The credential's password
				// is unknown after import: an in-place update, no replacement.
				Config: config + importBlock("rancher_registry.internal", migrationStaging+"/"+w.internal) +
					importBlock("rancher_registry_credential.ci", w.internal+"/"+w.ciCred),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("rancher_registry.internal", plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction("rancher_registry_credential.ci", plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: append(stateIs("rancher_registry.internal", w.internal), stateIs("rancher_registry_credential.ci", w.ciCred)...),
			},
			{
				// Bare ids: not in the provider's project (1a5), found in staging.
				ResourceName:            "rancher_registry_credential.ci",
				ImportState:             true,
				ImportStateId:           w.ciCred,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_value"},
			},
			{
				ResourceName:      "rancher_registry.internal",
				ImportState:       true,
				ImportStateId:     w.internal,
				ImportStateVerify: true,
			},
			{
				ResourceName:            "rancher_registry_credential.ci",
				ImportState:             true,
				ImportStateId:           w.internal + "/" + w.ciCred,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_value"},
			},
			{
				// The legacy form with a registry the credential is not on.
				ResourceName:  "rancher_registry_credential.ci",
				ImportState:   true,
				ImportStateId: w.hub + "/" + w.ciCred,
				ExpectError:   messageRegexp(fmt.Sprintf("Registry credential %s belongs to registry %s, not %s", w.ciCred, w.internal, w.hub)),
			},
			{
				ResourceName:  "rancher_registry_credential.ci",
				ImportState:   true,
				ImportStateId: w.internal + "/1c999",
				ExpectError:   messageRegexp("registry credential 1c999 no longer exists in any project the API key reaches"),
			},
		},
	})
}

// A key that cannot reach an object's environment is an error at refresh,
// never "gone": the object stays in state, and the next plan with a key
// that reaches it again is empty.
func TestAccMigration_refusalNeverForgets(t *testing.T) {
	w := newLegacyWorld(t)
	const otherKey, otherSecret = "DEFAULTONLYACCOUNTKEY", "default-only-secret"
	w.e.sim.AddAccountKey(otherKey, otherSecret, false, map[string]string{testProject: "owner"})
	config := w.adoptionConfig(migrationAccessKey, migrationSecretKey, "new.example.com")
	var regID, credID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if r, _ := w.e.sim.Registry(regID); !isGone(r.State) {
				return fmt.Errorf("registry %s is %s after destroy, want it gone", regID, r.State)
			}
			return w.e.expectRemoved(credID)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(
					captureID("rancher_registry.internal", &regID),
					captureID("rancher_registry_credential.ci", &credID),
				),
			},
			{
				Config:      w.adoptionConfig(otherKey, otherSecret, "new.example.com"),
				ExpectError: messageRegexp("cannot reach project " + migrationStaging),
			},
			{
				Config:      w.adoptionConfig(testAccessKey, testSecretKey, "new.example.com"),
				PlanOnly:    true,
				ExpectError: messageRegexp("cannot reach project " + migrationStaging),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: func(*terraform.State) error {
					// Still the objects made in the first step.
					if c, ok := w.e.sim.Credential(credID); !ok || c.State != "active" {
						return fmt.Errorf("credential %s: %+v", credID, c)
					}
					if r, ok := w.e.sim.Registry(regID); !ok || r.State != "active" {
						return fmt.Errorf("registry %s: %+v", regID, r)
					}
					return nil
				},
			},
		},
	})
}

// A legacy entry whose object was deleted in Rancher leaves state at the
// first refresh, and the plan creates it again: on Terraform 1.12 and
// later too, where the entry has no identity to carry over yet.
func TestAccMigration_deletedObjectLeavesState(t *testing.T) {
	w := newLegacyCLIWorkdir(t)
	world := newLegacyWorld(t)
	world.writeLegacyState(t, filepath.Join(w.dir, "terraform.tfstate"))
	world.e.removeOutOfBand(t, world.deployCred)

	world.replaceProvider(t, w)
	got := map[string][]string{}
	for _, c := range w.plan() {
		got[c.Address] = c.Actions
	}
	noop := []string{"no-op"}
	want := map[string][]string{
		"rancher_registry.internal": noop, "rancher_registry.hub": noop,
		"rancher_registry_credential.ci": noop, "rancher_registry_credential.hub": noop,
		"rancher_registry_credential.deploy": {"create"},
	}
	if !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("plan %v, want %v", got, want)
	}
}

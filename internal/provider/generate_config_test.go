package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// TestAccRegistryCredential_generateConfig imports an existing credential
// with an import {} block and `terraform plan -generate-config-out`, as a
// user adopting hand-made credentials would. The written configuration
// must be valid and, applied as it is, plan nothing but the import.
//
// terraform-plugin-testing cannot drive -generate-config-out before
// Terraform 1.14, so this test runs the CLI itself against the provider
// binary built from this checkout.
func TestAccRegistryCredential_generateConfig(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
	tf := terraformPath(t)

	e := newTestEnv(t)
	reg := e.registry(t, "registry.example.com")
	secret := "pw-generated"
	cred := createCredentialOutOfBand(t, e, reg, secret)

	dir := t.TempDir()
	cliConfig := devOverridesConfig(t, dir)
	work := filepath.Join(dir, "work")
	writeFile(t, filepath.Join(work, "main.tf"), cliRequiredProviders+e.providerBlock()+fmt.Sprintf(`
import {
  to = rancher_registry_credential.adopted
  id = "%s/%s"
}
`, testProject, cred))

	run := func(args ...string) (string, error) {
		cmd := exec.Command(tf, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("init", "-input=false", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	if out, err := run("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf"); err != nil {
		t.Fatalf("terraform plan -generate-config-out: %v\n%s", err, out)
	}
	generated, err := os.ReadFile(filepath.Join(work, "generated.tf"))
	if err != nil {
		t.Fatalf("no configuration generated: %v", err)
	}
	for _, want := range []string{`resource "rancher_registry_credential" "adopted"`, `registry_id`, reg, `email`, `"ci@example.com"`, `"ci-bot"`} {
		if !strings.Contains(string(generated), want) {
			t.Errorf("generated configuration lacks %q:\n%s", want, generated)
		}
	}
	t.Logf("generated configuration:\n%s", generated)
	if strings.Contains(string(generated), secret) {
		t.Errorf("generated configuration holds the secret:\n%s", generated)
	}
	if out, err := run("validate", "-no-color"); err != nil {
		t.Fatalf("generated configuration is not valid: %v\n%s", err, out)
	}

	// Planned with the generated configuration: an import and no change.
	if out, err := run("plan", "-input=false", "-no-color", "-out=tfplan"); err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
	out, err := run("show", "-json", "tfplan")
	if err != nil {
		t.Fatalf("terraform show: %v\n%s", err, out)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	if len(plan.ResourceChanges) != 1 {
		t.Fatalf("plan has %d resource changes, want the one import:\n%s", len(plan.ResourceChanges), out)
	}
	rc := plan.ResourceChanges[0]
	if rc.Address != "rancher_registry_credential.adopted" || len(rc.Change.Importing) == 0 ||
		len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "no-op" {
		t.Fatalf("plan of %s: actions %v, importing %s; want an import with no change", rc.Address, rc.Change.Actions, rc.Change.Importing)
	}
}

// createCredentialOutOfBand makes a credential the way someone would in the
// Rancher UI, through the API, and returns its id once active.
func createCredentialOutOfBand(t *testing.T, e *testEnv, registryID, secret string) string {
	t.Helper()
	client, err := rancher.NewClient(rancher.Config{URL: e.url, AccessKey: testAccessKey, SecretKey: testSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	name, user := "ci", "ci-bot"
	cred, err := client.CreateRegistryCredential(context.Background(), testProject, rancher.RegistryCredentialCreate{
		RegistryID: registryID, Email: "ci@example.com", Name: &name, PublicValue: &user, SecretValue: &secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.waitState(t, cred.ID, "active")
	return cred.ID
}

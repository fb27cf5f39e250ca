// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
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
	w := newCLIWorkdir(t)
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")
	secret := "pw-generated"
	cred := e.credential(t, testProject, reg, ranchersim.CredentialFields{Email: "ci@example.com", Name: "ci", PublicValue: "ci-bot", SecretValue: secret})

	w.initWith(cliRequiredProviders + e.providerBlock() + fmt.Sprintf(`
import {
  to = rancher_registry_credential.adopted
  id = "%s/%s"
}
`, testProject, cred))
	w.run("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(w.dir, "generated.tf"))
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
	w.run("validate", "-no-color")

	// Planned with the generated configuration: an import and no change.
	changes := w.plan()
	if len(changes) != 1 {
		t.Fatalf("plan has %d resource changes, want the one import: %+v", len(changes), changes)
	}
	if c := changes[0]; c.Address != "rancher_registry_credential.adopted" || !c.Import || !slices.Equal(c.Actions, []string{"no-op"}) {
		t.Fatalf("plan of %s: actions %v, importing %v; want an import with no change", c.Address, c.Actions, c.Import)
	}
}

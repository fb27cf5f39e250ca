package provider

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// TestAccRegistryCredential_secretsNotLogged applies, updates, imports and
// destroys a credential with trace logging on, then reads every log line
// Terraform and the provider wrote: neither the credential's password nor the
// provider's secret_key may appear.
//
// It sets process-wide logging variables, so it does not run in parallel.
func TestAccRegistryCredential_secretsNotLogged(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logFile)

	const first, second = "pw-leak-check-A1b2C3", "pw-leak-check-D4e5F6"
	e := newTestEnv(t)
	reg := e.registry(t, "registry.example.com")
	// The secrets reach Terraform the way they do in CI, through the
	// environment: the test framework itself logs configuration text.
	t.Setenv(envURL, e.url)
	t.Setenv(envAccessKey, testAccessKey)
	t.Setenv(envSecretKey, testSecretKey)
	t.Setenv("TF_VAR_registry_password", first)
	config := func() string {
		return fmt.Sprintf(`
provider "rancher" {}

variable "registry_password" {
  type      = string
  sensitive = true
}

resource "rancher_registry_credential" "test" {
  registry_id  = %q
  email        = "x@example.com"
  public_value = "me"
  secret_value = var.registry_password
}
`, reg)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy:             e.checkAllRemoved,
		Steps: []resource.TestStep{
			{Config: config()},
			{
				PreConfig: func() { t.Setenv("TF_VAR_registry_password", second) },
				Config:    config(),
				Check:     e.checkAPI(credentialAddr, apiField("secretValue", func(c ranchersim.Credential) *string { return c.SecretValue }, second)),
			},
			{
				ResourceName:            credentialAddr,
				ImportState:             true,
				ImportStateIdFunc:       importID(credentialAddr, true),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"secret_value"},
			},
			{
				Config: config(),
				Check: func(*terraform.State) error {
					// The secret reached the server, so the test really had it to leak.
					if got := e.sim.Received(); len(got) == 0 {
						return fmt.Errorf("the simulator received no requests")
					}
					return nil
				},
			},
		},
	})

	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatalf("reading the trace log: %v", err)
	}
	logs := string(b)
	// The log must really hold the provider's own trace output, or the
	// absence of secrets would prove nothing.
	for _, want := range []string{"created registry credential", "rancher_registry_credential"} {
		if !strings.Contains(logs, want) {
			t.Fatalf("trace log (%d bytes) does not contain %q: logging was not captured", len(logs), want)
		}
	}
	basicAuth := base64.StdEncoding.EncodeToString([]byte(testAccessKey + ":" + testSecretKey))
	for name, secret := range map[string]string{
		"first secret_value": first, "second secret_value": second,
		"secret_key": testSecretKey, "Authorization header": basicAuth,
	} {
		if i := strings.Index(logs, secret); i >= 0 {
			start := max(0, i-200)
			t.Errorf("the trace log contains the %s: …%s…", name, logs[start:min(len(logs), i+len(secret)+50)])
		}
	}
}

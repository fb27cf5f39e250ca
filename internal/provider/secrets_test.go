// SPDX-License-Identifier: MPL-2.0

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
	reg := e.registry(t, testProject, "registry.example.com")
	// The secrets reach Terraform the way they do in CI, through the
	// environment: the test framework itself logs configuration text.
	t.Setenv(envURL, e.url)
	t.Setenv(envAccessKey, testAccessKey)
	t.Setenv(envSecretKey, testSecretKey)
	t.Setenv("TF_VAR_registry_password", first)
	config := func() string {
		return providerConfig{}.String() + fmt.Sprintf(`
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
		CheckDestroy:             e.checkDestroyed(credentials),
		Steps: []resource.TestStep{
			{Config: config()},
			{
				PreConfig: func() { t.Setenv("TF_VAR_registry_password", second) },
				Config:    config(),
				Check:     e.checkCredentialAPI(apiField("secretValue", func(c ranchersim.Credential) *string { return c.SecretValue }, second)),
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

// TestAccRegistryCredential_writeOnlySecretNowhere drives the terraform CLI
// itself with TF_LOG=trace through apply, plan, an update of the secret,
// import and destroy, with the password given only to secret_value_wo and
// the keys only through the environment. The CLI's output, its trace log
// (provider lines included) and the state file must hold neither the
// password nor the secret key.
func TestAccRegistryCredential_writeOnlySecretNowhere(t *testing.T) {
	w := newCLIWorkdir(t)
	w.skipBelow("1.11.0", "write-only attributes (and ephemeral variables)")
	const first, second = "wo-nowhere-Q1w2E3", "wo-nowhere-R4t5Y6"
	e := newTestEnv(t)
	reg := e.registry(t, testProject, "registry.example.com")

	config := func(version int) string {
		return cliRequiredProviders + providerConfig{}.String() + fmt.Sprintf(`
variable "password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "rancher_registry_credential" "test" {
  registry_id             = %q
  email                   = "x@example.com"
  public_value            = "me"
  secret_value_wo         = var.password
  secret_value_wo_version = %d
}
`, reg, version)
	}
	var output strings.Builder
	logFile := filepath.Join(t.TempDir(), "trace.log")
	w.env = append(w.env, "TF_LOG=trace", "TF_LOG_PATH="+logFile,
		envURL+"="+e.url, envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey)
	run := func(password string, args ...string) {
		t.Helper()
		w.env = append(w.env, "TF_VAR_password="+password)
		output.WriteString(w.run(args...))
	}
	w.write("main.tf", config(1))
	run(first, "init", "-input=false", "-no-color")
	run(first, "apply", "-input=false", "-no-color", "-auto-approve")
	run(first, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	w.write("main.tf", config(2))
	run(second, "apply", "-input=false", "-no-color", "-auto-approve")
	c := e.sim.Credentials(testProject)
	if len(c) != 1 || !strPtrEq(c[0].SecretValue, second) {
		t.Fatalf("the API does not hold the updated password: %+v", c)
	}
	run(second, "state", "rm", "rancher_registry_credential.test")
	run(second, "import", "-input=false", "-no-color", "rancher_registry_credential.test", testProject+"/"+c[0].ID)
	state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	run(second, "destroy", "-input=false", "-no-color", "-auto-approve")

	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	// With TF_LOG set the provider logs in full: its own lines and the SDK's
	// (it turns them off only when Terraform would drop them).
	for _, line := range []string{"created registry credential", "Received request"} {
		if !strings.Contains(string(logs), line) {
			t.Fatalf("the trace log (%d bytes) lacks %q: the provider's logging was not captured", len(logs), line)
		}
	}
	basicAuth := base64.StdEncoding.EncodeToString([]byte(testAccessKey + ":" + testSecretKey))
	for where, text := range map[string]string{"CLI output": output.String(), "trace log": string(logs), "state file": string(state)} {
		for name, secret := range map[string]string{"first password": first, "second password": second, "secret_key": testSecretKey, "Authorization header": basicAuth} {
			if strings.Contains(text, secret) {
				t.Errorf("the %s contains the %s", where, name)
			}
		}
	}
}

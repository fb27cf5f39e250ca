// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
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
		CheckDestroy:             e.checkCredentialsRemoved(),
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
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
	tf := terraformPath(t)
	if out, err := exec.Command(tf, "version").Output(); err != nil || !writeOnlySupported(string(out)) {
		t.Skipf("write-only attributes need Terraform or OpenTofu 1.11 or later (%s)", strings.TrimSpace(string(out)))
	}
	const first, second = "wo-nowhere-Q1w2E3", "wo-nowhere-R4t5Y6"
	e := newTestEnv(t)
	reg := e.registry(t, "registry.example.com")

	dir := t.TempDir()
	cliConfig := devOverridesConfig(t, dir)
	work := filepath.Join(dir, "work")
	config := func(version int) string {
		return cliRequiredProviders + fmt.Sprintf(`
provider "rancher" {}

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
	logFile := filepath.Join(dir, "trace.log")
	run := func(password string, args ...string) {
		t.Helper()
		cmd := exec.Command(tf, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
			"TF_LOG=trace", "TF_LOG_PATH="+logFile,
			envURL+"="+e.url, envAccessKey+"="+testAccessKey, envSecretKey+"="+testSecretKey, "TF_VAR_password="+password)
		out, err := cmd.CombinedOutput()
		output.Write(out)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	writeFile(t, filepath.Join(work, "main.tf"), config(1))
	run(first, "init", "-input=false", "-no-color")
	run(first, "apply", "-input=false", "-no-color", "-auto-approve")
	run(first, "plan", "-input=false", "-no-color", "-detailed-exitcode")
	writeFile(t, filepath.Join(work, "main.tf"), config(2))
	run(second, "apply", "-input=false", "-no-color", "-auto-approve")
	c := e.sim.Credentials(testProject)
	if len(c) != 1 || !strPtrEq(c[0].SecretValue, second) {
		t.Fatalf("the API does not hold the updated password: %+v", c)
	}
	run(second, "state", "rm", "rancher_registry_credential.test")
	run(second, "import", "-input=false", "-no-color", "rancher_registry_credential.test", testProject+"/"+c[0].ID)
	state, err := os.ReadFile(filepath.Join(work, "terraform.tfstate"))
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

// writeOnlySupported reads `terraform version` (or `tofu version`) output:
// write-only attributes (and ephemeral variables) need Terraform 1.11 or
// OpenTofu 1.11 or later. OpenTofu may print warnings about its CLI
// configuration before the version line.
func writeOnlySupported(version string) bool {
	for _, line := range strings.Split(version, "\n") {
		for _, name := range []string{"Terraform v", "OpenTofu v"} {
			if rest, ok := strings.CutPrefix(line, name); ok {
				var major, minor int
				if _, err := fmt.Sscanf(rest, "%d.%d", &major, &minor); err != nil {
					return false
				}
				return major > 1 || (major == 1 && minor >= 11)
			}
		}
	}
	return false
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
	"github.com/cattle-ops/terraform-provider-rancher/internal/testutil"
)

// Helpers shared by the provider's tests: the simulator environment, checks
// of what the API holds, and the terraform CLI runs.

const (
	testProject   = "1a5"
	testAccessKey = "TESTACCESSKEY0000001"
	testSecretKey = "test-secret-key-9f3c2a7e"
)

// testProviderFactories serve the provider in-process to the terraform CLI.
var testProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"rancher": func() (tfprotov6.ProviderServer, error) { return NewProtocol6Server("test")(), nil },
}

// testEnv is one simulator and the provider block that points at it.
type testEnv struct {
	sim *ranchersim.Server
	url string
}

// testSimOptions are the simulator's options in every test: the test
// project and keys, and short transitions so that waiting is exercised
// without slowing the suite down.
func testSimOptions() ranchersim.Options {
	return ranchersim.Options{
		ProjectID:       testProject,
		AccessKey:       testAccessKey,
		SecretKey:       testSecretKey,
		TransitionDelay: 5 * time.Millisecond,
	}
}

// newTestEnv starts a simulator for one test with testSimOptions, changed
// by opts.
func newTestEnv(t *testing.T, opts ...func(*ranchersim.Options)) *testEnv {
	t.Helper()
	o := testSimOptions()
	for _, f := range opts {
		f(&o)
	}
	sim, url := ranchersim.NewTestServer(t, o)
	return &testEnv{sim: sim, url: url}
}

// providerBlock configures the provider for this simulator.
func (e *testEnv) providerBlock() string {
	return e.providerBlockFor(testAccessKey, testSecretKey, "")
}

// providerBlockFor configures the provider for this simulator with the
// given key and, when not empty, a default project.
func (e *testEnv) providerBlockFor(accessKey, secretKey, projectID string) string {
	project := ""
	if projectID != "" {
		project = fmt.Sprintf("\n  project_id = %q", projectID)
	}
	return fmt.Sprintf(`
provider "rancher" {
  api_url    = %q
  access_key = %q
  secret_key = %q%s
}
`, e.url, accessKey, secretKey, project)
}

// stagingAccount adds project 1a6 ("Staging") and an account key that owns
// it and the test project, and returns a provider block with that key and
// the test project as default: for objects in another project.
func (e *testEnv) stagingAccount(accessKey, secretKey string) string {
	e.sim.AddProject("1a6", "Staging")
	e.sim.AddAccountKey(accessKey, secretKey, false, map[string]string{testProject: "owner", "1a6": "owner"})
	return e.providerBlockFor(accessKey, secretKey, testProject)
}

// registry makes an active registry out of band and returns its id.
func (e *testEnv) registry(t *testing.T, serverAddress string) string {
	t.Helper()
	id, err := e.sim.CreateRegistry(testProject, serverAddress)
	if err != nil {
		t.Fatalf("creating registry %s: %v", serverAddress, err)
	}
	return id
}

// apiClient is a client of this test's simulator, for making objects
// outside Terraform.
func (e *testEnv) apiClient(t *testing.T, accessKey, secretKey string) *rancher.Client {
	t.Helper()
	c, err := rancher.NewClient(rancher.Config{URL: e.url, AccessKey: accessKey, SecretKey: secretKey})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// makeCredential creates an active credential outside Terraform and returns its id.
func makeCredential(t *testing.T, c *rancher.Client, projectID, registryID, name string) string {
	t.Helper()
	ctx := context.Background()
	cred, err := c.CreateRegistryCredential(ctx, projectID, rancher.RegistryCredentialCreate{
		RegistryID:  registryID,
		Email:       name + "@example.com",
		Name:        &name,
		PublicValue: &name,
	})
	if err != nil {
		t.Fatalf("creating credential %s: %v", name, err)
	}
	if _, err := c.WaitRegistryCredential(ctx, projectID, cred.ID, rancher.StateActive); err != nil {
		t.Fatalf("waiting for credential %s: %v", cred.ID, err)
	}
	return cred.ID
}

// captureID records the credential's id from state into *id.
func captureID(addr string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) (err error) {
		*id, err = stateID(s, addr)
		return err
	}
}

// stateID is the id of the resource addr in state.
func stateID(s *terraform.State, addr string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s not in state", addr)
	}
	return rs.Primary.ID, nil
}

// checkInAPI asserts on the object of the resource addr as the simulator
// holds it; find is the simulator's lookup of that kind (what, in messages).
func checkInAPI[T any](addr, what string, find func(id string) (T, bool), check func(T) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		obj, ok := find(id)
		if !ok {
			return fmt.Errorf("%s %s is not in the API", what, id)
		}
		return check(obj)
	}
}

// checkCredentialAPI asserts on the credential rancher_registry_credential.test as
// the simulator holds it.
func (e *testEnv) checkCredentialAPI(check func(ranchersim.Credential) error) resource.TestCheckFunc {
	return checkInAPI(credentialAddr, "credential", e.sim.Credential, check)
}

// checkRegistryAPI asserts on the registry as the simulator holds it.
func (e *testEnv) checkRegistryAPI(addr string, check func(ranchersim.Registry) error) resource.TestCheckFunc {
	return checkInAPI(addr, "registry", e.sim.Registry, check)
}

// registryAPIState checks the registry's state in the API.
func (e *testEnv) registryAPIState(addr, want string) resource.TestCheckFunc {
	return e.checkRegistryAPI(addr, func(r ranchersim.Registry) error {
		if r.State != want {
			return fmt.Errorf("API state of registry %s is %s, want %s", r.ID, r.State, want)
		}
		return nil
	})
}

// checkAllRemoved is a CheckDestroy: every object list gives for the
// projects (the test project when none is given) is removed or purged;
// describe names an object and gives its state.
func checkAllRemoved[T any](projects []string, list func(projectID string) []T, describe func(T) (name, state string)) resource.TestCheckFunc {
	if len(projects) == 0 {
		projects = []string{testProject}
	}
	return func(*terraform.State) error {
		for _, p := range projects {
			for _, obj := range list(p) {
				if name, state := describe(obj); state != "removed" && state != "purged" {
					return fmt.Errorf("%s in project %s is %s after destroy, want removed", name, p, state)
				}
			}
		}
		return nil
	}
}

// checkCredentialsRemoved is a CheckDestroy: every credential of the given
// projects (the test project when none is given) is removed.
func (e *testEnv) checkCredentialsRemoved(projects ...string) resource.TestCheckFunc {
	return checkAllRemoved(projects, e.sim.Credentials, func(c ranchersim.Credential) (string, string) {
		return "credential " + c.ID, c.State
	})
}

// checkRegistriesRemoved is checkCredentialsRemoved for registries.
func (e *testEnv) checkRegistriesRemoved(projects ...string) resource.TestCheckFunc {
	return checkAllRemoved(projects, e.sim.Registries, func(r ranchersim.Registry) (string, string) {
		return fmt.Sprintf("registry %s (%s)", r.ID, r.ServerAddress), r.State
	})
}

// apiState is the state of the credential or registry id in the simulator.
func (e *testEnv) apiState(id string) (string, bool) {
	if c, ok := e.sim.Credential(id); ok {
		return c.State, true
	}
	r, ok := e.sim.Registry(id)
	return r.State, ok
}

// expectRemoved checks that an object Terraform replaced or destroyed is
// still in the API in state want (not deleted for good, not left behind):
// removed for a credential; purged for a registry, its address free again.
func (e *testEnv) expectRemoved(id, want string) error {
	state, ok := e.apiState(id)
	if !ok {
		return fmt.Errorf("%s vanished from the API instead of being removed", id)
	}
	if state != want {
		return fmt.Errorf("%s is %s, want %s", id, state, want)
	}
	return nil
}

// checkReplaced checks that the object at addr is a new one and that the
// one *id named is still in the API in state removed (see expectRemoved);
// *id becomes the new id.
func (e *testEnv) checkReplaced(addr string, id *string, removed string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		newID, err := stateID(s, addr)
		if err != nil {
			return err
		}
		if newID == *id {
			return fmt.Errorf("%s is still %s, want a replacement", addr, newID)
		}
		if err := e.expectRemoved(*id, removed); err != nil {
			return err
		}
		*id = newID
		return nil
	}
}

// waitState waits, out of band, until the simulator shows the credential
// or registry id in state.
func (e *testEnv) waitState(t *testing.T, id, state string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got, ok := e.apiState(id); ok && got == state {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	got, _ := e.apiState(id)
	t.Fatalf("%s is %q, want %q", id, got, state)
}

func strPtrEq(p *string, want string) bool { return p != nil && *p == want }

func deref(p *string) string {
	if p == nil {
		return "<null>"
	}
	return fmt.Sprintf("%q", *p)
}

// act runs action on the credential or registry id out of band, as someone
// in the Rancher UI would, and waits until it is in state.
func (e *testEnv) act(t *testing.T, id, action, state string) {
	t.Helper()
	if err := e.sim.Act(id, action); err != nil {
		t.Fatal(err)
	}
	e.waitState(t, id, state)
}

// removeOutOfBand deactivates and removes the credential or registry id out
// of band: still readable by id, but gone.
func (e *testEnv) removeOutOfBand(t *testing.T, id string) {
	t.Helper()
	e.act(t, id, "deactivate", "inactive")
	e.act(t, id, "remove", "removed")
}

// planAction expects addr to be planned for action, and checks to pass,
// before apply.
func planAction(addr string, action plancheck.ResourceActionType, checks ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: append([]plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, action)}, checks...)}
}

// planUpdate expects addr to be updated in place, attr to want.
func planUpdate(addr, attr string, want knownvalue.Check) resource.ConfigPlanChecks {
	return planAction(addr, plancheck.ResourceActionUpdate, plancheck.ExpectKnownValue(addr, tfjsonpath.New(attr), want))
}

// checkAllRemovedIn is a CheckDestroy: at least one credential was made in
// the projects, and every credential and registry of them is removed
// (credentials) or purged (registries).
func (e *testEnv) checkAllRemovedIn(projects ...string) resource.TestCheckFunc {
	credentialsGone, registriesGone := e.checkCredentialsRemoved(projects...), e.checkRegistriesRemoved(projects...)
	return func(s *terraform.State) error {
		n := 0
		for _, p := range projects {
			n += len(e.sim.Credentials(p))
		}
		if n == 0 {
			return fmt.Errorf("no credential was ever made in %v", projects)
		}
		if err := credentialsGone(s); err != nil {
			return err
		}
		return registriesGone(s)
	}
}

// Helpers of the data source tests.

// dataSourceConfig is a provider block and one data source "test" of type
// typ with the given body.
func dataSourceConfig(provider, typ, body string) string {
	return provider + fmt.Sprintf(`
data %q "test" {
%s
}
`, typ, body)
}

// Helpers of the tests that run the terraform CLI themselves, for what
// terraform-plugin-testing cannot drive (-generate-config-out, SIGINT).

// terraformPath is the CLI the acceptance tests use.
func terraformPath(t *testing.T) string {
	t.Helper()
	if tf := os.Getenv("TF_ACC_TERRAFORM_PATH"); tf != "" {
		return tf
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("no terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
	}
	return tf
}

// cliRequiredProviders is the terraform block of a configuration run by
// the terraform CLI with devOverridesConfig: this provider, from this checkout.
const cliRequiredProviders = `
terraform {
  required_providers {
    rancher = {
      source = "cattle-ops/rancher"
    }
  }
}
`

// devOverridesConfig builds the provider from this checkout and writes a
// CLI configuration that makes Terraform use it with no network: a
// dev_overrides entry, and a filesystem mirror for init, which also holds
// the extra providers.
func devOverridesConfig(t *testing.T, dir string, extra ...mirroredProvider) string {
	t.Helper()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-rancher"), "github.com/cattle-ops/terraform-provider-rancher")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	provider, err := os.ReadFile(filepath.Join(bin, "terraform-provider-rancher"))
	if err != nil {
		t.Fatal(err)
	}
	// Terraform looks for cattle-ops/rancher under registry.terraform.io,
	// OpenTofu under registry.opentofu.org.
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		mirrored := filepath.Join(dir, "mirror", host, "cattle-ops", "rancher", "0.0.1", runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-rancher_v0.0.1")
		writeFile(t, mirrored, string(provider))
		if err := os.Chmod(mirrored, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	include := `"cattle-ops/rancher"`
	for _, m := range extra {
		m.install(t, filepath.Join(dir, "mirror"))
		include += fmt.Sprintf(", %q", m.source)
	}
	config := filepath.Join(dir, "terraformrc")
	writeFile(t, config, fmt.Sprintf(`
provider_installation {
  dev_overrides {
    "cattle-ops/rancher" = %q
  }
  filesystem_mirror {
    path    = %q
    include = [%s]
  }
}
`, bin, filepath.Join(dir, "mirror"), include))
	return config
}

// cliWorkdir runs the terraform CLI in a working directory.
type cliWorkdir struct {
	t       *testing.T
	tf, dir string
	env     []string
	version *goversion.Version
}

// newCLIWorkdir is a working directory where the terraform CLI runs with
// this provider (dev_overrides) and the extra providers, installable from a
// filesystem mirror.
func newCLIWorkdir(t *testing.T, extra ...mirroredProvider) *cliWorkdir {
	t.Helper()
	skipUnlessAcceptance(t)
	dir := t.TempDir()
	config := devOverridesConfig(t, dir, extra...)
	w := &cliWorkdir{t: t, tf: terraformPath(t), dir: filepath.Join(dir, "work"),
		env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+config, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(w.run("version", "-json")), &v); err != nil {
		t.Fatal(err)
	}
	ver, err := goversion.NewVersion(v.Version)
	if err != nil {
		t.Fatal(err)
	}
	w.version = ver.Core()
	return w
}

// skipUnlessAcceptance skips a test that runs the CLI itself unless
// acceptance tests are asked for.
func skipUnlessAcceptance(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
}

// skipBelow skips the test on a CLI older than min, saying why.
func (w *cliWorkdir) skipBelow(minimum, why string) {
	w.t.Helper()
	if w.version.LessThan(goversion.Must(goversion.NewVersion(minimum))) {
		w.t.Skipf("%s needs Terraform %s or later; this CLI is %s", why, minimum, w.version)
	}
}

func (w *cliWorkdir) exec(args ...string) (string, error) {
	cmd := exec.Command(w.tf, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// run runs a command that must succeed and returns its output.
func (w *cliWorkdir) run(args ...string) string {
	w.t.Helper()
	out, err := w.exec(args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// plannedChange is one resource change of a saved plan.
type plannedChange struct {
	Address string
	Actions []string
	Import  bool
}

// plan saves a plan and returns its resource changes.
func (w *cliWorkdir) plan() []plannedChange {
	w.t.Helper()
	w.run("plan", "-input=false", "-no-color", "-out=tfplan")
	var p struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions   []string        `json:"actions"`
				Importing json.RawMessage `json:"importing"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(w.run("show", "-json", "tfplan")), &p); err != nil {
		w.t.Fatal(err)
	}
	var out []plannedChange
	for _, rc := range p.ResourceChanges {
		out = append(out, plannedChange{Address: rc.Address, Actions: rc.Change.Actions,
			Import: len(rc.Change.Importing) > 0 && string(rc.Change.Importing) != "null"})
	}
	return out
}

// expectNoChanges asserts that a plan is empty (exit code 0 of
// -detailed-exitcode).
func (w *cliWorkdir) expectNoChanges() {
	w.t.Helper()
	if out, err := w.exec("plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		w.t.Fatalf("plan after apply is not empty: %v\n%s", err, out)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// start starts a terraform command in its own process group, as a shell
// runs a job: signals sent to the group reach terraform and its providers,
// as Ctrl-C does, and kill can end them all at once.
func (w *cliWorkdir) start(args ...string) (*exec.Cmd, *testutil.SyncBuffer) {
	w.t.Helper()
	cmd := exec.Command(w.tf, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out testutil.SyncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	return cmd, &out
}

// signalGroup sends sig to the process group of a command begun by start.
func signalGroup(t *testing.T, cmd *exec.Cmd, sig syscall.Signal) {
	t.Helper()
	if err := syscall.Kill(-cmd.Process.Pid, sig); err != nil {
		t.Fatal(err)
	}
}

// cliDiagnostic is a diagnostic of a terraform command run with -json.
type cliDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// planJSON runs terraform plan -json and returns its diagnostics and the
// actions it plans for each resource address; err is the command's.
func (w *cliWorkdir) planJSON(args ...string) ([]cliDiagnostic, map[string][]string, string, error) {
	w.t.Helper()
	out, err := w.exec(append([]string{"plan", "-json", "-input=false"}, args...)...)
	var diags []cliDiagnostic
	actions := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		var msg struct {
			Type       string        `json:"type"`
			Diagnostic cliDiagnostic `json:"diagnostic"`
			Change     struct {
				Resource struct {
					Addr string `json:"addr"`
				} `json:"resource"`
				Action string `json:"action"`
			} `json:"change"`
		}
		if json.Unmarshal([]byte(line), &msg) != nil {
			continue
		}
		switch msg.Type {
		case "diagnostic":
			diags = append(diags, msg.Diagnostic)
		case "planned_change":
			actions[msg.Change.Resource.Addr] = append(actions[msg.Change.Resource.Addr], msg.Change.Action)
		}
	}
	return diags, actions, out, err
}

// keepsFailedCreates reports whether the acceptance tests' CLI keeps an
// object whose create failed as tainted (before Terraform 1.16), as
// providerData.keepsFailedCreates decides from the version it is told.
func keepsFailedCreates(t *testing.T) bool {
	t.Helper()
	out, err := exec.Command(terraformPath(t), "version", "-json").Output()
	if err != nil {
		t.Fatalf("terraform version: %v", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("terraform version -json: %v\n%s", err, out)
	}
	return (&providerData{terraformVersion: v.Version}).keepsFailedCreates()
}

// failedCreateReplanned is the action the plan after a failed create takes:
// replace the tainted object, or, from Terraform 1.16 on, where the
// provider removes it, create it again.
func failedCreateReplanned(t *testing.T) plancheck.ResourceActionType {
	if keepsFailedCreates(t) {
		return plancheck.ResourceActionReplace
	}
	return plancheck.ResourceActionCreate
}

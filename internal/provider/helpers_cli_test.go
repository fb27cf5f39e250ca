// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/cattle-ops/terraform-provider-rancher/internal/testutil"
)

// Helpers of the tests that run the terraform CLI themselves, for what
// terraform-plugin-testing cannot drive (-generate-config-out, SIGINT, a
// state written by another provider), and the tests' CLI version.

// TestMain makes the directory of the binaries built for the CLI tests,
// and removes it after the run.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "provider-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	builds.dir, builds.bins = dir, map[string]string{}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

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

var versionOnce struct {
	sync.Once
	version *goversion.Version
	err     error
}

// cliVersion is the version of the acceptance tests' CLI (terraform or
// tofu, which answer `version -json` alike), asked once per run.
func cliVersion(t *testing.T) *goversion.Version {
	t.Helper()
	tf := terraformPath(t)
	versionOnce.Do(func() {
		out, err := exec.Command(tf, "version", "-json").Output()
		if err != nil {
			versionOnce.err = fmt.Errorf("%s version -json: %w", tf, err)
			return
		}
		// OpenTofu may print warnings about its CLI configuration first.
		var v struct {
			Version string `json:"terraform_version"`
		}
		if i := bytes.IndexByte(out, '{'); i < 0 || json.Unmarshal(out[i:], &v) != nil {
			versionOnce.err = fmt.Errorf("%s version -json: %s", tf, out)
			return
		}
		ver, err := goversion.NewVersion(v.Version)
		if err != nil {
			versionOnce.err = err
			return
		}
		versionOnce.version = ver.Core()
	})
	if versionOnce.err != nil {
		t.Fatal(versionOnce.err)
	}
	return versionOnce.version
}

// cliAtLeast reports whether the tests' CLI is minimum or later.
func cliAtLeast(t *testing.T, minimum string) bool {
	t.Helper()
	return !cliVersion(t).LessThan(goversion.Must(goversion.NewVersion(minimum)))
}

// failedCreateReplanned is the action the plan after a failed create takes:
// replace the tainted object (before Terraform 1.16, as
// providerData.keepsFailedCreates decides from the version it is told), or
// create it again, where the provider removes it.
func failedCreateReplanned(t *testing.T) plancheck.ResourceActionType {
	t.Helper()
	if (&providerData{terraformVersion: cliVersion(t).String()}).keepsFailedCreates() {
		return plancheck.ResourceActionReplace
	}
	return plancheck.ResourceActionCreate
}

// builds are the binaries built for the CLI tests, each once per run, in
// the directory TestMain makes.
var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string // by package
}

// goBinary builds the Go package pkg (a path relative to this package's
// directory) the first time it is asked for and returns the binary.
func goBinary(t *testing.T, pkg string) string {
	t.Helper()
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[pkg]; ok {
		return bin
	}
	bin := filepath.Join(builds.dir, fmt.Sprint(len(builds.bins)), "terraform-provider-rancher")
	if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, out)
	}
	builds.bins[pkg] = bin
	return bin
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

// mirroredProvider is a provider binary for the filesystem mirror.
type mirroredProvider struct {
	source, version, binary string // source is NAMESPACE/TYPE
}

// install puts the binary into the mirror, under the hosts Terraform
// (registry.terraform.io) and OpenTofu (registry.opentofu.org) look in.
func (m mirroredProvider) install(t *testing.T, mirror string) {
	t.Helper()
	name := "terraform-provider-" + m.source[strings.LastIndex(m.source, "/")+1:] + "_v" + m.version
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		p := filepath.Join(mirror, host, m.source, m.version, runtime.GOOS+"_"+runtime.GOARCH, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if os.Link(m.binary, p) != nil {
			copyFile(t, m.binary, p)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err == nil {
		_, err = io.Copy(out, in)
		err = errors.Join(err, out.Close())
	}
	if err != nil {
		t.Fatal(err)
	}
}

// devOverridesConfig writes a CLI configuration that makes Terraform use
// the provider built from this checkout with no network: a dev_overrides
// entry, and a filesystem mirror for init, which also holds the extra
// providers.
func devOverridesConfig(t *testing.T, dir string, extra ...mirroredProvider) string {
	t.Helper()
	bin := goBinary(t, "github.com/cattle-ops/terraform-provider-rancher")
	mirror := filepath.Join(dir, "mirror")
	include := []string{`"cattle-ops/rancher"`}
	mirroredProvider{source: "cattle-ops/rancher", version: "0.0.1", binary: bin}.install(t, mirror)
	for _, m := range extra {
		m.install(t, mirror)
		include = append(include, fmt.Sprintf("%q", m.source))
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
`, filepath.Dir(bin), mirror, strings.Join(include, ", ")))
	return config
}

// skipUnlessAcceptance skips a test that runs the CLI itself unless
// acceptance tests are asked for.
func skipUnlessAcceptance(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1 to run it", resource.EnvTfAcc)
	}
}

// cliWorkdir runs the terraform CLI in a working directory.
type cliWorkdir struct {
	t       *testing.T
	tf, dir string
	env     []string // later entries win
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
	w := &cliWorkdir{t: t, tf: terraformPath(t), dir: filepath.Join(dir, "work"), version: cliVersion(t),
		env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+config, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")}
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// initWith writes config as main.tf and runs terraform init.
func (w *cliWorkdir) initWith(config string) *cliWorkdir {
	w.t.Helper()
	w.write("main.tf", config)
	w.run("init", "-input=false", "-no-color")
	return w
}

// write writes a file of the working directory.
func (w *cliWorkdir) write(name, content string) {
	w.t.Helper()
	writeFile(w.t, filepath.Join(w.dir, name), content)
}

// skipBelow skips the test on a CLI older than minimum, saying why.
func (w *cliWorkdir) skipBelow(minimum, why string) {
	w.t.Helper()
	if !cliAtLeast(w.t, minimum) {
		w.t.Skipf("%s needs Terraform %s or later; this CLI is %s", why, minimum, w.version)
	}
}

func (w *cliWorkdir) command(args ...string) *exec.Cmd {
	cmd := exec.Command(w.tf, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	return cmd
}

func (w *cliWorkdir) exec(args ...string) (string, error) {
	out, err := w.command(args...).CombinedOutput()
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

// apply runs terraform apply -auto-approve with args, which must succeed.
func (w *cliWorkdir) apply(args ...string) string {
	w.t.Helper()
	return w.run(append([]string{"apply", "-input=false", "-no-color", "-auto-approve"}, args...)...)
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

// checkPlan asserts that no change creates, deletes or replaces anything,
// that each address has the actions wanted of it, and that imports objects
// are imported.
func checkPlan(t *testing.T, changes []plannedChange, want map[string][]string, imports int) {
	t.Helper()
	got := map[string][]string{}
	n := 0
	for _, c := range changes {
		got[c.Address] = c.Actions
		if slices.Contains(c.Actions, "create") || slices.Contains(c.Actions, "delete") {
			t.Errorf("%s is planned %v: nothing may be created, destroyed or replaced", c.Address, c.Actions)
		}
		if c.Import {
			n++
		}
	}
	for addr, actions := range want {
		if !slices.Equal(got[addr], actions) {
			t.Errorf("%s: planned %v, want %v", addr, got[addr], actions)
		}
	}
	if len(got) != len(want) {
		t.Errorf("plan has changes for %d addresses, want %d: %v", len(got), len(want), got)
	}
	if n != imports {
		t.Errorf("plan imports %d objects, want %d", n, imports)
	}
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
	cmd := w.command(args...)
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

// stateResource is one resource instance of `terraform show -json`.
type stateResource struct {
	Address  string            `json:"address"`
	Tainted  bool              `json:"tainted"`
	Values   map[string]any    `json:"values"`
	Identity map[string]string `json:"identity"`
}

// ID is the resource's id attribute.
func (r stateResource) ID() string { return fmt.Sprint(r.Values["id"]) }

// state reads the working directory's state with terraform show -json; it
// fails the test when terraform cannot read it.
func (w *cliWorkdir) state() []stateResource {
	w.t.Helper()
	var show struct {
		Values struct {
			RootModule struct {
				Resources []stateResource `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	out := w.run("show", "-json")
	if err := json.Unmarshal([]byte(out), &show); err != nil {
		w.t.Fatalf("terraform show -json: %v\n%s", err, out)
	}
	return show.Values.RootModule.Resources
}

// checkIdentitiesMatchState asserts, on Terraform 1.12 and later, that every
// resource in state has the identity {project_id, id} of its own values:
// states upgraded from the archived provider, which had no identity, get
// theirs at the first refresh.
func (w *cliWorkdir) checkIdentitiesMatchState() {
	w.t.Helper()
	if !cliAtLeast(w.t, "1.12.0") {
		w.t.Logf("identities not checked: resource identity needs Terraform 1.12 or later; this CLI is %s", w.version)
		return
	}
	resources := w.state()
	for _, r := range resources {
		want := map[string]string{"project_id": fmt.Sprint(r.Values["project_id"]), "id": r.ID()}
		if !maps.Equal(r.Identity, want) {
			w.t.Errorf("%s: identity %v, want %v", r.Address, r.Identity, want)
		}
	}
	if len(resources) == 0 {
		w.t.Error("no resources in state")
	}
}

// shadowWarnings plans and returns the plan's warnings that Rancher will not
// pull with a credential; the plan must succeed.
func (w *cliWorkdir) shadowWarnings() []cliDiagnostic {
	w.t.Helper()
	diags, _, out, err := w.planJSON()
	if err != nil {
		w.t.Fatalf("plan: %v\n%s", err, out)
	}
	var found []cliDiagnostic
	for _, d := range diags {
		if d.Summary == shadowedCredential {
			found = append(found, d)
		}
	}
	return found
}

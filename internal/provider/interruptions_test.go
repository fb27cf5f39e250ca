// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// Tests of applies cut short: interrupted (Ctrl-C), killed, or failing many
// creates at once. They run the terraform CLI themselves, in its own process
// group, with the provider built from this checkout.

const (
	interruptedCredentials = 20
	hubAddress             = "hub.example.com"
	// Summaries of the plan diagnostics that name an object left behind.
	registryLeftBehind   = "Registry already exists in Rancher"
	credentialLeftBehind = "A registry credential like this one already exists in Rancher"
	shadowedCredential   = "Rancher will not pull with this credential"
	// The warning of every run with dev_overrides.
	devOverridesWarning = "Provider development overrides are in effect"
)

// credentialsConfig is n credentials (see manyCredentials) on a registry:
// rancher_registry.hub, made by the same configuration, when registryID is
// empty. extra goes into each credential's block.
func credentialsConfig(provider, registryID string, n int, extra string) string {
	registry := fmt.Sprintf("%q", registryID)
	config := cliRequiredProviders + provider
	if registryID == "" {
		registry = "rancher_registry.hub.id"
		config += fmt.Sprintf(`
resource "rancher_registry" "hub" {
  server_address = %q
}
`, hubAddress)
	}
	return config + manyCredentials(registry, n, extra)
}

// waitFor polls cond until it holds, failing the test after 60 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// liveCredentials are the credentials of the test project that are not removed.
func (e *testEnv) liveCredentials() []ranchersim.Credential {
	var live []ranchersim.Credential
	for _, c := range e.sim.Credentials(testProject) {
		if !isGone(c.State) {
			live = append(live, c)
		}
	}
	return live
}

// expectNoCrash fails the test when a terraform run crashed, or left a
// state file that is not a state. A kill, though, can land while the local
// backend rewrites the file in place (it truncates it, then writes): the
// file is then empty, which Terraform reads as no state, or cut short,
// which it cannot read; the test then empties it, as a user without a
// backup would, and goes on as from a lost state.
func (w *cliWorkdir) expectNoCrash(out string, killed bool) {
	w.t.Helper()
	if strings.Contains(out, "panic:") || strings.Contains(out, "Terraform crashed") {
		w.t.Fatalf("terraform crashed:\n%s", out)
	}
	raw, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil && !os.IsNotExist(err) {
		w.t.Fatal(err)
	}
	if err != nil || len(raw) == 0 || json.Valid(raw) {
		return
	}
	if !killed {
		w.t.Fatalf("terraform.tfstate is not a state (%d bytes) after:\n%s", len(raw), out)
	}
	w.t.Logf("the kill cut terraform's own write of terraform.tfstate short (%d bytes); emptied", len(raw))
	w.write("terraform.tfstate", "")
}

var importIDInDetail = regexp.MustCompile(`id = "([0-9a-z]+/[0-9a-z]+)"`)

// adoptLeftovers plans, and for each object the plan names as left behind
// writes the import block it shows, until a plan names none; it returns
// the ids adopted, and fails the test if that takes more than two rounds.
func (w *cliWorkdir) adoptLeftovers() []string {
	w.t.Helper()
	var adopted []string
	var imports strings.Builder
	for round := 1; ; round++ {
		diags, _, out, _ := w.planJSON()
		found := 0
		for _, d := range diags {
			if d.Summary != registryLeftBehind && d.Summary != credentialLeftBehind {
				continue
			}
			m := importIDInDetail.FindStringSubmatch(d.Detail)
			if m == nil || d.Address == "" {
				w.t.Fatalf("plan names an object left behind without an import block or an address: %+v", d)
			}
			if !strings.Contains(d.Detail, "import {\n  to = <this resource's address>") {
				w.t.Fatalf("the import block is not shown as such: %q", d.Detail)
			}
			fmt.Fprintf(&imports, "import {\n  to = %s\n  id = %q\n}\n", d.Address, m[1])
			adopted = append(adopted, m[1][strings.Index(m[1], "/")+1:])
			found++
		}
		if found == 0 {
			if round > 3 {
				w.t.Fatalf("adopting what was left behind took %d rounds of plan, want at most 2 (then a clean one)", round-1)
			}
			if strings.Contains(out, `"severity":"error"`) {
				w.t.Fatalf("plan fails after adopting %v:\n%s", adopted, out)
			}
			return adopted
		}
		w.t.Logf("plan round %d names %d objects left behind", round, found)
		w.write("imports.tf", imports.String())
	}
}

// expectConverged applies, then asserts that the project holds exactly the
// configured credentials (none twice, every one active as configured), that
// a plan is empty, and that destroy leaves nothing (the registry included,
// when the configuration makes it).
func (e *testEnv) expectConverged(t *testing.T, w *cliWorkdir, n int, registryManaged bool) {
	t.Helper()
	w.apply()
	live := map[string]string{}
	for _, c := range e.liveCredentials() {
		name := derefString(c.Name)
		if prior, dup := live[name]; dup {
			t.Fatalf("credential %s exists twice: %s and %s", name, prior, c.ID)
		}
		if c.State != "active" || !strPtrEq(c.SecretValue, "pw-"+strings.TrimPrefix(name, "cred-")) {
			t.Fatalf("credential %s (%s) is %s, with the password %s: not as configured", c.ID, name, c.State, quoted(c.SecretValue))
		}
		live[name] = c.ID
	}
	if len(live) != n {
		t.Fatalf("%d live credentials, want %d: %v", len(live), n, live)
	}
	w.expectNoChanges()
	w.run("destroy", "-input=false", "-no-color", "-auto-approve")
	if left := e.liveCredentials(); len(left) > 0 {
		t.Fatalf("after destroy, %d credentials are left in Rancher: %v", len(left), left)
	}
	for _, r := range e.sim.Registries(testProject) {
		if registryManaged && r.ServerAddress == hubAddress && !isGone(r.State) {
			t.Fatalf("after destroy, registry %s is %s", r.ID, r.State)
		}
	}
}

// TestAccInterrupt_ctrlC interrupts an apply of 20 credentials with SIGINT
// to terraform's process group, as Ctrl-C does, while at least 10 creates
// are in flight: each create Rancher accepted is finished and saved, so the
// next apply replaces nothing and creates only the rest, and no credential
// exists twice.
func TestAccInterrupt_ctrlC(t *testing.T) {
	e := newTestEnv(t, func(o *ranchersim.Options) { o.TransitionDelay = 400 * time.Millisecond })
	reg := e.registry(t, testProject, hubAddress)
	w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), reg, interruptedCredentials, ""))

	apply, out := w.start("apply", "-input=false", "-no-color", "-auto-approve")
	waitFor(t, "10 creates in flight", func() bool { return len(e.sim.Credentials(testProject)) >= 10 })
	atSignal, inFlight := len(e.sim.Credentials(testProject)), 0
	for _, c := range e.sim.Credentials(testProject) {
		if c.State != "active" {
			inFlight++
		}
	}
	signalGroup(t, apply, syscall.SIGINT)
	_ = apply.Wait()
	sent := len(e.sim.Credentials(testProject))
	t.Logf("SIGINT with %d credentials sent, %d of them in flight; %d sent in all", atSignal, inFlight, sent)
	w.expectNoCrash(out.String(), false)
	if sent >= interruptedCredentials {
		t.Fatalf("the apply made all %d credentials before it was interrupted:\n%s", sent, out)
	}

	saved := w.state()
	for _, o := range saved {
		if o.Tainted {
			t.Errorf("%s (%s) is tainted after the interrupt", o.Address, o.ID())
		}
	}
	if len(saved) != sent {
		t.Errorf("the state holds %d credentials, Rancher %d: every create Rancher accepted must be saved", len(saved), sent)
	}
	diags, actions, planOut, err := w.planJSON("-no-color")
	if err != nil {
		t.Fatalf("plan after the interrupt: %v\n%s", err, planOut)
	}
	for addr, a := range actions {
		if !slices.Equal(a, []string{"create"}) {
			t.Errorf("plan after the interrupt: %s %v, want only creates", addr, a)
		}
	}
	if len(actions) != interruptedCredentials-sent {
		t.Errorf("plan after the interrupt creates %d credentials, want %d", len(actions), interruptedCredentials-sent)
	}
	for _, d := range diags {
		if d.Summary == credentialLeftBehind {
			t.Errorf("plan after the interrupt names a credential left behind: %s", d.Detail)
		}
	}
	e.expectConverged(t, w, interruptedCredentials, false)
	if all := len(e.sim.Credentials(testProject)); all != interruptedCredentials {
		t.Fatalf("Rancher made %d credentials for %d configured", all, interruptedCredentials)
	}
}

// TestAccInterrupt_graceRunsOut interrupts a create whose transition never
// ends: after the grace period the apply stops. Before Terraform 1.16 the
// credential is saved tainted; from 1.16 on (whose core can crash on
// tainted creates) it is left in Rancher, and the next plan names it.
func TestAccInterrupt_graceRunsOut(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, hubAddress)
	w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), reg, 1, ""))
	w.env = append(w.env, stopGracePeriodEnv+"=1s")
	e.sim.HangNextTransition("")

	apply, out := w.start("apply", "-input=false", "-no-color", "-auto-approve")
	waitFor(t, "the create", func() bool { return len(e.sim.Credentials(testProject)) == 1 })
	start := time.Now()
	signalGroup(t, apply, syscall.SIGINT)
	if err := apply.Wait(); err == nil {
		t.Fatalf("the apply succeeded although its create never finished:\n%s", out)
	}
	t.Logf("the apply stopped %s after SIGINT", time.Since(start).Round(time.Millisecond))
	w.expectNoCrash(out.String(), false)
	id := e.sim.Credentials(testProject)[0].ID
	saved := w.state()

	if !cliAtLeast(t, "1.16.0") {
		if len(saved) != 1 || !saved[0].Tainted || saved[0].ID() != id {
			t.Fatalf("state after the grace period: %+v, want %s tainted", saved, id)
		}
		return
	}
	if len(saved) != 0 {
		t.Fatalf("state after the grace period: %+v, want nothing (Terraform %s)", saved, w.version)
	}
	if !strings.Contains(out.String(), "left in Rancher") {
		t.Errorf("the apply does not say the credential is left in Rancher:\n%s", out)
	}
	diags, _, planOut, _ := w.planJSON()
	named := false
	for _, d := range diags {
		named = named || (d.Summary == credentialLeftBehind && d.Address == "rancher_registry_credential.many[0]" && strings.Contains(d.Detail, testProject+"/"+id))
	}
	if !named {
		t.Fatalf("the next plan does not name %s on rancher_registry_credential.many[0]:\n%s", id, planOut)
	}
}

// TestAccInterrupt_killed kills terraform and the provider (SIGKILL to the
// process group) while credentials are being created, then plans: each
// credential Rancher made but no state holds is named on its resource,
// with the import block that adopts it; following them, apply converges
// with no duplicate, and destroy leaves nothing. The same with the state
// file emptied after the kill, where the registry is named first and its
// credentials in the second round.
func TestAccInterrupt_killed(t *testing.T) {
	for _, emptied := range []bool{false, true} {
		t.Run(fmt.Sprintf("state emptied %t", emptied), func(t *testing.T) {
			e := newTestEnv(t, func(o *ranchersim.Options) { o.TransitionDelay = 400 * time.Millisecond })
			w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), "", interruptedCredentials, ""))

			apply, out := w.start("apply", "-input=false", "-no-color", "-auto-approve")
			waitFor(t, "credentials in flight", func() bool { return len(e.sim.Credentials(testProject)) >= 12 })
			signalGroup(t, apply, syscall.SIGKILL)
			_ = apply.Wait()
			w.expectNoCrash(out.String(), true)
			if emptied {
				w.write("terraform.tfstate", "")
			}
			inState := map[string]bool{}
			for _, o := range w.state() {
				inState[o.ID()] = true
			}
			var leftBehind []string
			for _, c := range e.liveCredentials() {
				if !inState[c.ID] {
					leftBehind = append(leftBehind, c.ID)
				}
			}
			t.Logf("killed with %d credentials in Rancher, %d of them in no state", len(e.sim.Credentials(testProject)), len(leftBehind))
			if len(leftBehind) == 0 {
				t.Fatal("the kill left nothing behind: the test does not test anything")
			}

			adopted := w.adoptLeftovers()
			for _, id := range leftBehind {
				if !slices.Contains(adopted, id) {
					t.Errorf("credential %s, left behind by the kill, is not named by the plan (named: %v)", id, adopted)
				}
			}
			if emptied && !slices.Contains(adopted, e.sim.Registries(testProject)[0].ID) {
				t.Errorf("the registry is not named by the plan after the state was emptied (named: %v)", adopted)
			}
			e.expectConverged(t, w, interruptedCredentials, true)
		})
	}
}

// TestAccInterrupt_killedAfterRegistryPOST kills the apply right after
// Rancher accepted its registry: the next plan fails on that resource,
// naming the registry and the import block, and following it converges.
func TestAccInterrupt_killedAfterRegistryPOST(t *testing.T) {
	e := newTestEnv(t, func(o *ranchersim.Options) { o.TransitionDelay = time.Second })
	w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), "", 3, ""))

	apply, out := w.start("apply", "-input=false", "-no-color", "-auto-approve")
	waitFor(t, "the registry's create", func() bool { return len(e.sim.Registries(testProject)) == 1 })
	signalGroup(t, apply, syscall.SIGKILL)
	_ = apply.Wait()
	w.expectNoCrash(out.String(), true)
	reg := e.sim.Registries(testProject)[0].ID

	diags, _, planOut, err := w.planJSON()
	if err == nil {
		t.Fatalf("the plan succeeds although registry %s holds the address:\n%s", reg, planOut)
	}
	named := false
	for _, d := range diags {
		named = named || (d.Severity == "error" && d.Summary == registryLeftBehind && d.Address == "rancher_registry.hub" &&
			strings.Contains(d.Detail, testProject+"/"+reg))
	}
	if !named {
		t.Fatalf("the plan does not name registry %s on rancher_registry.hub:\n%s", reg, planOut)
	}
	if adopted := w.adoptLeftovers(); !slices.Equal(adopted, []string{reg}) {
		t.Fatalf("adopted %v, want the registry %s alone", adopted, reg)
	}
	e.expectConverged(t, w, 3, true)
}

// TestAccInterrupt_manyCreatesFail makes 20 creates fail together, by a
// failed transition or by the create timeout: Terraform must not crash or
// lose its state, and the next plan must create again (or replace) every
// credential that failed, with nothing left behind in Rancher unnamed.
func TestAccInterrupt_manyCreatesFail(t *testing.T) {
	for _, how := range []string{"transition error", "create timeout"} {
		t.Run(how, func(t *testing.T) {
			e := newTestEnv(t, func(o *ranchersim.Options) { o.TransitionDelay = 300 * time.Millisecond })
			reg := e.registry(t, testProject, hubAddress)
			extra := ""
			if how == "create timeout" {
				e.sim.SetTransitionDelay(3 * time.Second)
				extra = "  timeouts {\n    create = \"1s\"\n  }\n"
			} else {
				for range interruptedCredentials {
					e.sim.FailNextTransition("", "registry unreachable")
				}
			}
			w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), reg, interruptedCredentials, extra))
			out, err := w.exec("apply", "-input=false", "-no-color", "-auto-approve")
			if err == nil {
				t.Fatalf("the apply succeeded:\n%s", out)
			}
			w.expectNoCrash(out, false)
			e.sim.SetTransitionDelay(5 * time.Millisecond)

			saved := w.state()
			_, actions, planOut, err := w.planJSON()
			if err != nil {
				t.Fatalf("plan after the failures: %v\n%s", err, planOut)
			}
			replaced := 0
			for i := range interruptedCredentials {
				a := actions[fmt.Sprintf("rancher_registry_credential.many[%d]", i)]
				if slices.Equal(a, []string{"create"}) || slices.Equal(a, []string{"replace"}) || slices.Equal(a, []string{"delete", "create"}) {
					replaced++
				}
			}
			if replaced != interruptedCredentials {
				t.Fatalf("the plan creates or replaces %d of the %d failed credentials: %v\n%s", replaced, interruptedCredentials, actions, planOut)
			}
			tainted := 0
			for _, o := range saved {
				if o.Tainted {
					tainted++
				}
			}
			t.Logf("Terraform %s: %d failed credentials kept tainted, %d live in Rancher", w.version, tainted, len(e.liveCredentials()))
			if tainted == 0 && len(e.liveCredentials()) > 0 {
				t.Fatalf("%d failed credentials are in Rancher and in no state", len(e.liveCredentials()))
			}
			e.expectConverged(t, w, interruptedCredentials, false)
		})
	}
}

// TestAccInterrupt_replacingIsNotLeftBehind replaces a tainted registry, a
// tainted credential and a credential given to -replace: the object being
// replaced is never named as left behind, nor as shadowing its successor.
func TestAccInterrupt_replacingIsNotLeftBehind(t *testing.T) {
	e := newTestEnv(t)
	w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), "", 1, ""))
	w.apply()

	for _, step := range []struct {
		taint   string
		replace string
	}{
		{taint: "rancher_registry.hub"},
		{taint: "rancher_registry_credential.many[0]"},
		{replace: "rancher_registry_credential.many[0]"},
		{replace: "rancher_registry.hub"},
	} {
		var args []string
		if step.taint != "" {
			w.run("taint", "-no-color", step.taint)
		} else {
			args = append(args, "-replace="+step.replace)
		}
		// Without refresh too: the object being replaced is known from
		// the state alone.
		for _, refresh := range []string{"-refresh=true", "-refresh=false"} {
			diags, _, out, err := w.planJSON(append(args, refresh)...)
			if err != nil {
				t.Fatalf("plan %s replacing %s%s: %v\n%s", refresh, step.taint, step.replace, err, out)
			}
			for _, d := range diags {
				if d.Summary != devOverridesWarning {
					t.Errorf("plan %s replacing %s%s: %s: %s: %s", refresh, step.taint, step.replace, d.Severity, d.Summary, d.Detail)
				}
			}
		}
		_, actions, _, _ := w.planJSON(args...)
		if a := actions["rancher_registry_credential.many[0]"]; len(a) == 0 || a[0] != "replace" {
			t.Errorf("plan replacing %s%s: the credential is planned %v, want replace", step.taint, step.replace, a)
		}
		out := w.apply(args...)
		if strings.Count(out, "Warning:") > strings.Count(out, "Warning: "+devOverridesWarning) {
			t.Errorf("apply replacing %s%s warns:\n%s", step.taint, step.replace, out)
		}
	}
	e.expectConverged(t, w, 1, true)
}

// TestAccInterrupt_shadowedCredential plans a credential on a registry that
// already holds an older active one: the plan warns that Rancher keeps
// pulling with that one, and stops warning once it is deactivated.
func TestAccInterrupt_shadowedCredential(t *testing.T) {
	e := newTestEnv(t)
	reg := e.registry(t, testProject, hubAddress)
	older := e.credential(t, testProject, reg, named("by-hand"))
	w := newCLIWorkdir(t).initWith(credentialsConfig(e.providerBlock(), reg, 1, ""))

	found := w.shadowWarnings()
	if len(found) != 1 || found[0].Severity != "warning" || found[0].Address != "rancher_registry_credential.many[0]" ||
		!strings.Contains(found[0].Detail, "active credential "+older+" (user \"by-hand\", name \"by-hand\")") ||
		!strings.Contains(found[0].Detail, "lowest id") {
		t.Fatalf("plan with an older active credential %s: %+v", older, found)
	}
	e.act(t, older, "deactivate", "inactive")
	if found := w.shadowWarnings(); len(found) != 0 {
		t.Fatalf("plan once %s is inactive still warns: %+v", older, found)
	}
}

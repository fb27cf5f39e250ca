// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

// Helpers shared by the provider's tests: the simulator environment, the
// configurations written for it, objects made outside Terraform, and checks
// of what the API holds. The helpers of the tests that run the terraform CLI
// themselves are in helpers_cli_test.go.

const (
	testProject   = "1a5"
	testAccessKey = "TESTACCESSKEY0000001"
	testSecretKey = "test-secret-key-9f3c2a7e"

	// A second project, and the account and admin keys of the tests that
	// use more than one project.
	keysStaging     = "1a6"
	keysAccountKey  = "ACCOUNTKEY00000000K01"
	keysAccountSK   = "account-secret-keys-01"
	keysAdminKey    = "ADMINKEY000000000K02"
	keysAdminSK     = "admin-secret-keys-02"
	keysOwnedByNone = "1a9"

	credentialAddr     = "rancher_registry_credential.test"
	registryAddr       = "rancher_registry.test"
	credentialDataAddr = "data.rancher_registry_credential.test"
	registryDataAddr   = "data.rancher_registry.test"
)

// testProviderFactories serve the provider in-process to the terraform CLI.
var testProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"rancher": func() (tfprotov6.ProviderServer, error) { return NewProtocol6Server("test")(), nil },
}

// testEnv is one simulator and the URL the provider reaches it at.
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
	return newTestEnvBehind(t, nil, opts...)
}

// newTestEnvBehind is newTestEnv with the simulator served behind what
// front makes of it (a proxy that can answer in its stead); nil front
// serves the simulator itself.
func newTestEnvBehind(t *testing.T, front func(sim http.Handler) http.Handler, opts ...func(*ranchersim.Options)) *testEnv {
	t.Helper()
	o := testSimOptions()
	for _, f := range opts {
		f(&o)
	}
	sim := ranchersim.New(o)
	var h http.Handler = sim
	if front != nil {
		h = front(sim)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &testEnv{sim: sim, url: srv.URL}
}

// providerConfig is a provider block of this provider; each setting is
// written only when not empty.
type providerConfig struct {
	name                      string // local name: "rancher" when empty
	url, accessKey, secretKey string
	projectID                 string
	extra                     []string // more arguments, one HCL line each
}

// provider is the provider block for this simulator with the test keys.
func (e *testEnv) provider() providerConfig {
	return providerConfig{url: e.url, accessKey: testAccessKey, secretKey: testSecretKey}
}

// providerBlock is e.provider() written out.
func (e *testEnv) providerBlock() string { return e.provider().String() }

// withKey uses another API key.
func (p providerConfig) withKey(accessKey, secretKey string) providerConfig {
	p.accessKey, p.secretKey = accessKey, secretKey
	return p
}

// withProject sets the default project.
func (p providerConfig) withProject(projectID string) providerConfig {
	p.projectID = projectID
	return p
}

// with adds arguments, one HCL line each ("" adds none).
func (p providerConfig) with(lines ...string) providerConfig {
	extra := append([]string(nil), p.extra...)
	for _, line := range lines {
		if line != "" {
			extra = append(extra, line)
		}
	}
	p.extra = extra
	return p
}

func (p providerConfig) String() string {
	name := p.name
	if name == "" {
		name = "rancher"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nprovider %q {\n", name)
	for _, a := range [][2]string{{"api_url", p.url}, {"access_key", p.accessKey}, {"secret_key", p.secretKey}, {"project_id", p.projectID}} {
		if a[1] != "" {
			fmt.Fprintf(&b, "  %-10s = %q\n", a[0], a[1])
		}
	}
	for _, line := range p.extra {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	b.WriteString("}\n")
	return b.String()
}

// stagingAccount adds project keysStaging ("Staging") and an account key
// that owns it and the test project, and returns a provider block with that
// key and the test project as default: for objects in another project.
func (e *testEnv) stagingAccount(accessKey, secretKey string) string {
	e.sim.AddProject(keysStaging, "Staging")
	e.sim.AddAccountKey(accessKey, secretKey, false, map[string]string{testProject: "owner", keysStaging: "owner"})
	return e.provider().withKey(accessKey, secretKey).withProject(testProject).String()
}

// block is a configuration: provider, then one block of kind ("resource"
// or "data") and type typ named "test", with body.
func block(provider, kind, typ, body string) string {
	return provider + fmt.Sprintf(`
%s %q "test" {
%s
}
`, kind, typ, body)
}

// credentialConfig is a configuration with one credential whose body is given.
func (e *testEnv) credentialConfig(body string) string {
	return block(e.providerBlock(), "resource", "rancher_registry_credential", body)
}

// registryConfig is a configuration with one registry whose body is given.
func (e *testEnv) registryConfig(body string) string {
	return block(e.providerBlock(), "resource", "rancher_registry", body)
}

// registryWithNamedCredential is a registry at address and a credential on
// it, both called name, the credential with the fields of named(name);
// extra goes into both blocks (such as a project_id line).
func registryWithNamedCredential(name, address, extra string) string {
	return fmt.Sprintf(`
resource "rancher_registry" %[1]q {%[3]s
  server_address = %[2]q
}

resource "rancher_registry_credential" %[1]q {%[3]s
  registry_id  = rancher_registry.%[1]s.id
  email        = "%[1]s@example.com"
  name         = %[1]q
  public_value = %[1]q
}
`, name, address, extra)
}

// manyCredentials is n credentials "many" on the registry that the HCL
// expression registry names, each with its own name (cred-<index>), e-mail,
// user and password (pw-<index>); extra goes into the block.
func manyCredentials(registry string, n int, extra string) string {
	return fmt.Sprintf(`
resource "rancher_registry_credential" "many" {
  count        = %d
  registry_id  = %s
  name         = "cred-${count.index}"
  email        = "user${count.index}@example.com"
  public_value = "user${count.index}"
  secret_value = "pw-${count.index}"
%s}
`, n, registry, extra)
}

// Objects made outside Terraform, as someone in the Rancher UI would.

// registry makes an active registry in the project out of band and
// returns its id; fields, at most one, name and describe it.
func (e *testEnv) registry(t *testing.T, projectID, serverAddress string, fields ...ranchersim.RegistryFields) string {
	t.Helper()
	id, err := e.sim.CreateRegistry(projectID, serverAddress, fields...)
	if err != nil {
		t.Fatalf("creating registry %s: %v", serverAddress, err)
	}
	return id
}

// credential makes an active credential on a registry of the project out
// of band and returns its id.
func (e *testEnv) credential(t *testing.T, projectID, registryID string, f ranchersim.CredentialFields) string {
	t.Helper()
	id, err := e.sim.CreateCredential(projectID, registryID, f)
	if err != nil {
		t.Fatalf("creating credential %+v: %v", f, err)
	}
	return id
}

// named are the fields of a credential named name, with name as its user
// name and name@example.com as its e-mail.
func named(name string) ranchersim.CredentialFields {
	return ranchersim.CredentialFields{Email: name + "@example.com", Name: name, PublicValue: name}
}

// act runs action on the credential or registry id out of band and waits
// until it is in state.
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

// apiState is the state of the credential or registry id in the simulator.
func (e *testEnv) apiState(id string) (string, bool) {
	if c, ok := e.sim.Credential(id); ok {
		return c.State, true
	}
	r, ok := e.sim.Registry(id)
	return r.State, ok
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

// Terraform's state.

// stateID is the id of the resource addr in state.
func stateID(s *terraform.State, addr string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok {
		return "", fmt.Errorf("%s not in state", addr)
	}
	return rs.Primary.ID, nil
}

// captureID records the id of the resource addr from state into *id.
func captureID(addr string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) (err error) {
		*id, err = stateID(s, addr)
		return err
	}
}

// importID builds "<project_id>/<id>" or "<id>" from state.
func importID(addr string, withProject bool) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		id, err := stateID(s, addr)
		if err != nil || !withProject {
			return id, err
		}
		return s.RootModule().Resources[addr].Primary.Attributes["project_id"] + "/" + id, nil
	}
}

// identityOf is the resource identity {project_id, id}.
func identityOf(projectID, id string) map[string]knownvalue.Check {
	return map[string]knownvalue.Check{"project_id": knownvalue.StringExact(projectID), "id": knownvalue.StringExact(id)}
}

// What the API holds.

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

// apiField checks one nullable field of an object in the API: get reads
// it, name is its API name.
func apiField[T any](name string, get func(T) *string, want string) func(T) error {
	return func(obj T) error {
		if got := get(obj); !strPtrEq(got, want) {
			return fmt.Errorf("API %s = %s, want %q", name, quoted(got), want)
		}
		return nil
	}
}

// objectKinds says which kinds of object checkDestroyed looks at.
type objectKinds int

const (
	credentials objectKinds = 1 << iota
	registries
)

// checkDestroyed is a CheckDestroy: in the projects (the test project when
// none is given), every object of the kinds asked for is gone (see isGone).
func (e *testEnv) checkDestroyed(kinds objectKinds, projects ...string) resource.TestCheckFunc {
	if len(projects) == 0 {
		projects = []string{testProject}
	}
	return func(*terraform.State) error {
		for _, p := range projects {
			if kinds&credentials != 0 {
				for _, c := range e.sim.Credentials(p) {
					if !isGone(c.State) {
						return fmt.Errorf("credential %s in project %s is %s after destroy, want it gone", c.ID, p, c.State)
					}
				}
			}
			if kinds&registries != 0 {
				for _, r := range e.sim.Registries(p) {
					if !isGone(r.State) {
						return fmt.Errorf("registry %s (%s) in project %s is %s after destroy, want it gone", r.ID, r.ServerAddress, p, r.State)
					}
				}
			}
		}
		return nil
	}
}

// isGone says whether an object in this state no longer exists for
// Terraform: removing, removed or purged. A destroy ends once the object is
// removing; Cattle finishes the removal by itself.
func isGone(state string) bool {
	return state == "removing" || state == "removed" || state == "purged"
}

// expectRemoved checks that an object Terraform replaced or destroyed is
// still in the API, gone (not deleted for good, not left behind).
func (e *testEnv) expectRemoved(id string) error {
	state, ok := e.apiState(id)
	if !ok {
		return fmt.Errorf("%s vanished from the API instead of being removed", id)
	}
	if !isGone(state) {
		return fmt.Errorf("%s is %s, want it removing, removed or purged", id, state)
	}
	return nil
}

// checkReplaced checks that the object at addr is a new one and that the
// one *id named is still in the API, gone (see expectRemoved); *id becomes
// the new id.
func (e *testEnv) checkReplaced(addr string, id *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		newID, err := stateID(s, addr)
		if err != nil {
			return err
		}
		if newID == *id {
			return fmt.Errorf("%s is still %s, want a replacement", addr, newID)
		}
		if err := e.expectRemoved(*id); err != nil {
			return err
		}
		*id = newID
		return nil
	}
}

func strPtrEq(p *string, want string) bool { return p != nil && *p == want }

// quoted is *p quoted, or <null>, for messages.
func quoted(p *string) string {
	if p == nil {
		return "<null>"
	}
	return fmt.Sprintf("%q", *p)
}

// Plans and messages.

// stateValue checks the value of attr of addr in state.
func stateValue(addr, attr string, want knownvalue.Check) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), want)
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

// messageRegexp matches text as Terraform prints it: literally, except that
// Terraform wraps long lines, so any run of spaces may be a line break.
func messageRegexp(text string) *regexp.Regexp {
	return regexp.MustCompile(strings.Join(strings.Fields(regexp.QuoteMeta(text)), `\s+`))
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
	"github.com/cattle-ops/terraform-provider-rancher/internal/testutil"
)

const faultCredentials = 30

// checkExactlyAsConfigured asserts that the live (not removed) credentials
// are exactly the configured ones: one per name, none missing, none twice.
func (e *testEnv) checkExactlyAsConfigured() error {
	live := map[string]ranchersim.Credential{}
	for _, c := range e.sim.Credentials(testProject) {
		if isGone(c.State) {
			continue
		}
		var name string
		if c.Name != nil {
			name = *c.Name
		}
		if prior, dup := live[name]; dup {
			return fmt.Errorf("duplicate credential %s: %s and %s", name, prior.ID, c.ID)
		}
		live[name] = c
	}
	if len(live) != faultCredentials {
		return fmt.Errorf("%d live credentials in the API, want %d", len(live), faultCredentials)
	}
	for i := range faultCredentials {
		c, ok := live[fmt.Sprintf("cred-%d", i)]
		if !ok {
			return fmt.Errorf("credential cred-%d is missing", i)
		}
		if c.State != "active" || c.Email != fmt.Sprintf("user%d@example.com", i) ||
			!strPtrEq(c.PublicValue, fmt.Sprintf("user%d", i)) || !strPtrEq(c.SecretValue, fmt.Sprintf("pw-%d", i)) {
			return fmt.Errorf("credential cred-%d is not as configured: state %s, email %s, user %s", i, c.State, c.Email, quoted(c.PublicValue))
		}
	}
	return nil
}

// TestAccRegistryCredential_faults applies, plans and destroys 30
// credentials while a quarter of all requests fail (502, 503, 429 with
// Retry-After, dropped connections; 502 and drops after the server acted).
func TestAccRegistryCredential_faults(t *testing.T) {
	e := newTestEnv(t, func(o *ranchersim.Options) {
		o.Latency = 2 * time.Millisecond
		o.Seed = 7
	})
	reg := e.registry(t, testProject, "registry.example.com")
	e.sim.SetFaultRate(0.25)
	// More retries than the default: at this fault rate, five failures in
	// a row on one of the ~500 requests would otherwise be likely.
	config := e.provider().with("max_retries = 10").String() + manyCredentials(fmt.Sprintf("%q", reg), faultCredentials, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			all := e.sim.Credentials(testProject)
			if len(all) != faultCredentials {
				return fmt.Errorf("the API made %d credentials for %d configured: duplicates", len(all), faultCredentials)
			}
			return e.checkDestroyed(credentials)(nil)
		},
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(*terraform.State) error {
					if err := e.checkExactlyAsConfigured(); err != nil {
						return err
					}
					if n := len(e.sim.Credentials(testProject)); n != faultCredentials {
						return fmt.Errorf("the API made %d credentials for %d configured", n, faultCredentials)
					}
					return nil
				},
			},
		},
	})
	if e.sim.Stats().Total < 3*faultCredentials {
		t.Fatalf("only %d requests reached the simulator", e.sim.Stats().Total)
	}
}

// TestAccRegistryCredential_cutShortAnswers applies a registry and three
// credentials through a proxy that cuts every 4th read of a credential
// short, in turn by closing the connection half-way through the body and by
// a complete answer whose JSON is cut in half (issue 22): the reads are
// retried, the waits go on, nothing is made twice and nothing is tainted.
func TestAccRegistryCredential_cutShortAnswers(t *testing.T) {
	box := &testutil.Middlebox{
		Select: testutil.CredentialGET,
		Every:  4,
		Answer: testutil.Alternate(testutil.HalfBodyThenClose, testutil.JSONCutInHalf),
	}
	front := func(sim http.Handler) http.Handler { box.Next = sim; return box }
	// Transitions long enough for each wait to read its credential more
	// than once, so that the proxy has reads to cut.
	e := newTestEnvBehind(t, front, func(o *ranchersim.Options) { o.TransitionDelay = 150 * time.Millisecond })
	sim := e.sim
	config := e.provider().with(`request_timeout = "5s"`).String() + `
resource "rancher_registry" "r" {
  server_address = "registry.example.com"
}
` + manyCredentials("rancher_registry.r.id", 3, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					for addr, rs := range s.RootModule().Resources {
						if rs.Primary != nil && rs.Primary.Tainted {
							return fmt.Errorf("%s is tainted", addr)
						}
					}
					return nil
				},
				func(*terraform.State) error {
					if regs := sim.Registries(testProject); len(regs) != 1 || regs[0].State != "active" {
						return fmt.Errorf("registries %+v, want one, active", regs)
					}
					creds := sim.Credentials(testProject)
					if len(creds) != 3 {
						return fmt.Errorf("the API holds %d credentials for 3 configured: duplicates", len(creds))
					}
					for _, c := range creds {
						if c.State != "active" {
							return fmt.Errorf("credential %s is %s", c.ID, c.State)
						}
					}
					return nil
				},
			),
		}},
	})
	requests, faults := box.Counts()
	t.Logf("%d requests reached the proxy, %d credential reads of them cut short", requests, faults)
	if faults == 0 {
		t.Fatal("the proxy cut no read short: the test tests nothing")
	}
}

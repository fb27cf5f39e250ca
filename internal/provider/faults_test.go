package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cattle-ops/terraform-provider-rancher/internal/ranchersim"
)

const faultCredentials = 30

// manyCredentialsConfig is faultCredentials credentials on one registry,
// each with its own name, e-mail, user and password.
func manyCredentialsConfig(provider, registryID string) string {
	return provider + fmt.Sprintf(`
resource "rancher_registry_credential" "many" {
  count        = %d
  registry_id  = %q
  name         = "cred-${count.index}"
  email        = "user${count.index}@example.com"
  public_value = "user${count.index}"
  secret_value = "pw-${count.index}"
}
`, faultCredentials, registryID)
}

// checkExactlyAsConfigured asserts that the live (not removed) credentials
// are exactly the configured ones: one per name, none missing, none twice.
func (e *testEnv) checkExactlyAsConfigured() error {
	live := map[string]ranchersim.Credential{}
	for _, c := range e.sim.Credentials(testProject) {
		if c.State == "removed" || c.State == "purged" {
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
			return fmt.Errorf("credential cred-%d is not as configured: state %s, email %s, user %s", i, c.State, c.Email, deref(c.PublicValue))
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
	reg := e.registry(t, "registry.example.com")
	e.sim.SetFaultRate(0.25)
	// More retries than the default: at this fault rate, five failures in
	// a row on one of the ~500 requests would otherwise be likely.
	provider := fmt.Sprintf(`
provider "rancher" {
  api_url     = %q
  access_key  = %q
  secret_key  = %q
  max_retries = 10
}
`, e.url, testAccessKey, testSecretKey)
	config := manyCredentialsConfig(provider, reg)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			all := e.sim.Credentials(testProject)
			if len(all) != faultCredentials {
				return fmt.Errorf("the API made %d credentials for %d configured: duplicates", len(all), faultCredentials)
			}
			return e.checkCredentialsRemoved()(nil)
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

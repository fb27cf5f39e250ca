// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccRegistryList_query(t *testing.T) {
	w := newQueryWorld(t)
	w.e.act(t, w.internal, "deactivate", "inactive")
	w.queryTest(t,
		resource.TestStep{
			Query: true,
			Config: fmt.Sprintf(`
list "rancher_registry" "all" {
  provider         = rancher
  include_resource = true
}

list "rancher_registry" "by_address" {
  provider = rancher
  config {
    server_address = "hub.example.com"
  }
}

list "rancher_registry" "active" {
  provider = rancher
  config {
    active = true
  }
}

list "rancher_registry" "inactive_by_state" {
  provider = rancher
  config {
    state = "inactive"
  }
}

list "rancher_registry" "staging" {
  provider = rancher
  config {
    project_id = %q
  }
}
`, keysStaging),
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("rancher_registry.all", 2),
				querycheck.ExpectResourceDisplayName("rancher_registry.all",
					queryfilter.ByResourceIdentity(identityOf(testProject, w.hub)),
					knownvalue.StringExact(w.hub+": hub.example.com (active)")),
				querycheck.ExpectResourceKnownValues("rancher_registry.all",
					queryfilter.ByResourceIdentity(identityOf(testProject, w.internal)),
					[]querycheck.KnownValueCheck{
						{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(w.internal)},
						{Path: tfjsonpath.New("project_id"), KnownValue: knownvalue.StringExact(testProject)},
						{Path: tfjsonpath.New("server_address"), KnownValue: knownvalue.StringExact("internal.example.com")},
						{Path: tfjsonpath.New("active"), KnownValue: knownvalue.Bool(false)},
						{Path: tfjsonpath.New("state"), KnownValue: knownvalue.StringExact("inactive")},
					}),
				querycheck.ExpectLength("rancher_registry.by_address", 1),
				querycheck.ExpectIdentity("rancher_registry.by_address", identityOf(testProject, w.hub)),
				querycheck.ExpectLength("rancher_registry.active", 1),
				querycheck.ExpectIdentity("rancher_registry.active", identityOf(testProject, w.hub)),
				querycheck.ExpectLength("rancher_registry.inactive_by_state", 1),
				querycheck.ExpectIdentity("rancher_registry.inactive_by_state", identityOf(testProject, w.internal)),
				querycheck.ExpectLength("rancher_registry.staging", 1),
				querycheck.ExpectIdentity("rancher_registry.staging", identityOf(keysStaging, w.staging)),
			},
		},
	)
}

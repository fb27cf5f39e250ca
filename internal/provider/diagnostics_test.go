// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// A 401 that a single sign-on proxy answered with its page is not blamed
// on the API keys: the diagnostic says what answered.
func TestProxyPageIsNotBlamedOnTheKeys(t *testing.T) {
	var diags diag.Diagnostics
	err := &rancher.Error{Status: 401, Code: "Unauthorized", Method: "GET", Path: "/v1/projects/1a5/registries",
		Hint: `an HTML page ("Sign in") answered instead of Rancher's API`}
	addAPIError(&diags, "Cannot read the registry", err, "1a5", fieldAttribute)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), `an HTML page ("Sign in")`) || strings.Contains(diags[0].Detail(), "access_key") {
		t.Fatalf("diagnostics %v", diags)
	}
}

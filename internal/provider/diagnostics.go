// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// apiFieldAttributes maps the API's field names, as Cattle reports them in
// an error's fieldName, to the attributes that set them.
var apiFieldAttributes = map[string]string{
	"registryId":    "registry_id",
	"email":         "email",
	"name":          "name",
	"description":   "description",
	"publicValue":   "public_value",
	"secretValue":   "secret_value",
	"serverAddress": "server_address",
}

// validationReasons explains Cattle's validation codes in a user's words.
var validationReasons = map[string]string{
	"MissingRequired":   "is required by Rancher",
	"NotNullable":       "cannot be null",
	"MinLengthExceeded": "is too short (it must not be empty)",
	"MaxLengthExceeded": "is too long",
	"InvalidReference":  "does not name an object of the right kind in this project",
	"InvalidFormat":     "has an invalid format",
	"InvalidOption":     "is not one of the allowed values",
	"InvalidCharacters": "contains characters Rancher does not accept",
	"NotUnique":         "is already used by another object",
	"ServerAddressUsed": "is already used by another registry in this project",
}

// addAPIError turns an error from the API client into a diagnostic that says
// what failed and what to do, on the attribute the API blamed when it named one.
// attrFor maps the API field Cattle names to the attribute it lands on
// (fieldAttribute, or a resource's own mapping such as the credential's, which
// puts an error on secretValue on whichever of secret_value/secret_value_wo is used).
func addAPIError(diags *diag.Diagnostics, summary string, err error, projectID string, attrFor func(field string) (path.Path, bool)) {
	var apiErr *rancher.Error
	var connErr *rancher.ConnectionError
	var transErr *rancher.TransitionError
	switch {
	case errors.As(err, &transErr):
		diags.AddError(summary, fmt.Sprintf("Rancher reported an error while %s moved to its next state: %s", transErr.ID, transErr.Message))
	case errors.As(err, &connErr):
		diags.AddError(summary, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		diags.AddError(summary, fmt.Sprintf("The operation did not finish in time: %s. "+
			"If Rancher is slow, raise the limit in the resource's timeouts block.", err))
	case errors.Is(err, context.Canceled):
		diags.AddError(summary, fmt.Sprintf("The operation was cancelled: %s", err))
	case errors.As(err, &apiErr):
		addRancherError(diags, summary, apiErr, projectID, attrFor)
	default:
		diags.AddError(summary, err.Error())
	}
}

func addRancherError(diags *diag.Diagnostics, summary string, e *rancher.Error, projectID string, attrFor func(string) (path.Path, bool)) {
	if e.Hint != "" {
		// Not Cattle's answer (a redirect, a proxy's page): a 401 or 403
		// from a single sign-on proxy says nothing of the API keys.
		diags.AddError(summary, e.Error())
		return
	}
	switch e.Status {
	case 401:
		diags.AddError(summary, "Rancher did not accept the API keys (401 Unauthorized): check access_key and secret_key "+
			"(RANCHER_ACCESS_KEY and RANCHER_SECRET_KEY), and that the key is active.")
		return
	case 403:
		project := "project " + projectID
		if projectID == "" {
			project = "their project (it may have been removed or deactivated)"
		}
		diags.AddAttributeError(path.Root("project_id"), summary, fmt.Sprintf(
			"These API keys cannot reach %s (403 Forbidden). An environment key works only in its own environment; "+
				"an account key needs membership of the project.", project))
		return
	}
	field := e.FieldName
	if field == "" && e.Code == "ServerAddressUsed" {
		// Cattle reports this 400 without a fieldName.
		field = "serverAddress"
	}
	if field != "" {
		if attr, ok := attrFor(field); ok {
			reason, known := validationReasons[e.Code]
			if !known {
				reason = "was rejected"
			}
			detail := fmt.Sprintf("Rancher rejected %s: it %s (%d %s).", attrName(attr), reason, e.Status, e.Code)
			if e.Message != "" && e.Message != e.Code {
				detail += " " + e.Message
			}
			diags.AddAttributeError(attr, summary, detail)
			return
		}
	}
	diags.AddError(summary, e.Error())
}

// attrName renders a path for a message: "registry_id".
func attrName(p path.Path) string {
	return strings.TrimSpace(p.String())
}

// fieldAttribute is the usual attrFor: the API field's attribute at the root.
func fieldAttribute(field string) (path.Path, bool) {
	attr, ok := apiFieldAttributes[field]
	if !ok {
		return path.Empty(), false
	}
	return path.Root(attr), true
}

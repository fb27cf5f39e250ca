// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cattle-ops/terraform-provider-rancher/internal/rancher"
)

// lookupAttribute is an attribute a data source looks the object up by (or
// a project to look in): set in the configuration, or else read.
func lookupAttribute(description string, v validator.String) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{v},
	}
}

// readString and readBool are the attributes a data source only reads.
func readString(description string) schema.StringAttribute {
	return schema.StringAttribute{MarkdownDescription: description, Computed: true}
}

func readBool(description string) schema.BoolAttribute {
	return schema.BoolAttribute{MarkdownDescription: description, Computed: true}
}

// foundByID reports whether a data source's read of what (a "registry" or a
// "registry credential") by id found it; a missing or removed one is an
// error on id. status is the object's, read only when err is nil.
func foundByID(diags *diag.Diagnostics, what, projectID, id string, err error, status func() rancher.Status) bool {
	what1 := strings.ToUpper(what[:1]) + what[1:]
	switch {
	case rancher.IsNotFound(err):
		diags.AddAttributeError(path.Root("id"), what1+" not found",
			fmt.Sprintf("There is no %s with id %s in project %s (Rancher answered 404 Not Found).", what, id, projectID))
		return false
	case err != nil:
		addAPIError(diags, fmt.Sprintf("Cannot read %s %s", what, id), err, projectID, fieldAttribute)
		return false
	case status().Gone():
		diags.AddAttributeError(path.Root("id"), what1+" is removed",
			fmt.Sprintf("%s %s in project %s is removed (state %q): it no longer exists for Rancher.", what1, id, projectID, status().State))
		return false
	}
	return true
}

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Cattle ids: a project (environment) 1a5, a registry 1sp3, a registry
// credential 1c7.
var (
	projectIDPattern    = regexp.MustCompile(`^1a[0-9]+$`)
	registryIDPattern   = regexp.MustCompile(`^1sp[0-9]+$`)
	credentialIDPattern = regexp.MustCompile(`^1c[0-9]+$`)
)

func projectIDValidator() validator.String {
	return stringvalidator.RegexMatches(projectIDPattern, `must be a Rancher project id such as "1a5"`)
}

func registryIDValidator() validator.String {
	return stringvalidator.RegexMatches(registryIDPattern, `must be a Rancher registry id such as "1sp3"`)
}

func credentialIDValidator() validator.String {
	return stringvalidator.RegexMatches(credentialIDPattern, `must be a Rancher registry credential id such as "1c7"`)
}

// splitImportID parses "<scope>/<id>" or "<id>" (scope ""). ok is false
// when id does not match idPattern or scope matches none of scopes.
func splitImportID(raw string, idPattern *regexp.Regexp, scopes ...*regexp.Regexp) (scope, id string, ok bool) {
	parts := strings.Split(strings.TrimSpace(raw), "/")
	switch len(parts) {
	case 1:
		id = parts[0]
	case 2:
		scope, id = parts[0], parts[1]
		if !slices.ContainsFunc(scopes, func(p *regexp.Regexp) bool { return p.MatchString(scope) }) {
			return "", "", false
		}
	default:
		return "", "", false
	}
	return scope, id, idPattern.MatchString(id)
}

// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"fmt"
	"net/url"
	"strings"
)

// APIURL is an api_url after NormalizeURL.
type APIURL struct {
	// Base is the v1 API root; it always ends in "/v1".
	Base string
	// ProjectID is the project the URL names ("…/v1/projects/1a5"), or "".
	ProjectID string
	// FromV2Beta is set when the URL named the v2-beta API, which Rancher
	// 1.5 and 1.6 serve beside v1 and the archived hashicorp/rancher
	// provider used; Base is then the same server's v1 API.
	FromV2Beta bool
}

// NormalizeURL turns the api_url a user wrote into the v1 API root and, when
// the URL names a project ("…/v1/projects/1a5"), that project's id.
//
// Accepted forms: "http://host:8080", "http://host:8080/v1" and
// "http://host:8080/v1/projects/1a5", optionally below a path prefix of a
// reverse proxy ("https://host/rancher/v1"), and the same with "v2-beta" in
// place of "v1". A trailing "/" or "/schemas" (as the Rancher CLI writes
// the URL in cli.json) is ignored. Rancher 2 URLs ("/v3") are refused.
func NormalizeURL(raw string) (APIURL, error) {
	var none APIURL
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return none, fmt.Errorf("the Rancher API URL is empty; set it to the server's address, e.g. http://rancher.example.com:8080")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return none, fmt.Errorf("the Rancher API URL is not a valid URL: %w", redactURLError(err))
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return none, fmt.Errorf("the Rancher API URL %q has no scheme; write it as http://host:8080 or https://host", u.Redacted())
	default:
		return none, fmt.Errorf("the Rancher API URL %q has scheme %q; only http and https are supported", u.Redacted(), u.Scheme)
	}
	if u.Host == "" {
		return none, fmt.Errorf("the Rancher API URL %q has no host; write it as http://host:8080", u.Redacted())
	}
	if u.User != nil {
		// Keys belong in access_key/secret_key, and echoing them back in an
		// error would leak them.
		return none, fmt.Errorf("the Rancher API URL must not contain credentials; set access_key and secret_key instead")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return none, fmt.Errorf("the Rancher API URL %q must not have a query or fragment", u.Redacted())
	}

	segments := splitPath(u.Path)
	for _, s := range segments {
		if strings.EqualFold(s, "v3") {
			return none, fmt.Errorf("the Rancher API URL %q points at the Rancher 2 (v3) API; this provider speaks the Rancher 1.x v1 API: "+
				"the URL should end in /v1 or have no path", u.Redacted())
		}
	}
	if n := len(segments); n > 0 && strings.EqualFold(segments[n-1], "schemas") {
		segments = segments[:n-1]
	}

	var out APIURL
	isVersion := func(s string) bool {
		if strings.EqualFold(s, "v2-beta") {
			out.FromV2Beta = true
			return true
		}
		return strings.EqualFold(s, "v1")
	}
	var prefix []string
	switch n := len(segments); {
	case n == 0:
	case isVersion(segments[n-1]):
		prefix = segments[:n-1]
	case n >= 3 && strings.EqualFold(segments[n-2], "projects") && isVersion(segments[n-3]):
		prefix = segments[:n-3]
		out.ProjectID = segments[n-1]
		if !validID(out.ProjectID) {
			return none, fmt.Errorf("the Rancher API URL %q names an invalid project id %q; a project id looks like 1a5", u.Redacted(), out.ProjectID)
		}
	default:
		return none, fmt.Errorf("the Rancher API URL %q has an unexpected path %q; it should end in /v1, /v1/projects/<project id>, or have no path", u.Redacted(), u.Path)
	}

	base := url.URL{Scheme: u.Scheme, Host: u.Host}
	base.Path = "/" + strings.Join(append(prefix, "v1"), "/")
	out.Base = base.String()
	return out, nil
}

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// validID reports whether s can be used as one path segment of an object URL.
// Cattle ids are short alphanumeric strings such as "1a5", "1c7" or "1sp3".
func validID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !idRune(r) {
			return false
		}
	}
	return true
}

// idRune reports whether r may appear in an object id.
func idRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// redactURLError drops the URL from a *url.Error so that a URL holding
// credentials is not repeated in a message.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

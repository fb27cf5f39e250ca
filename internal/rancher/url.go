package rancher

import (
	"fmt"
	"net/url"
	"strings"
)

// NormalizeURL turns the api_url a user wrote into the v1 API root and, when
// the URL names a project ("…/v1/projects/1a5"), that project's id.
//
// Accepted forms: "http://host:8080", "http://host:8080/v1" and
// "http://host:8080/v1/projects/1a5", optionally below a path prefix of a
// reverse proxy ("https://host/rancher/v1"). A trailing "/" is ignored. The
// returned base URL always ends in "/v1".
func NormalizeURL(raw string) (baseURL, projectID string, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", fmt.Errorf("the Rancher API URL is empty; set it to the server's address, e.g. http://rancher.example.com:8080")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("the Rancher API URL is not a valid URL: %w", redactURLError(err))
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return "", "", fmt.Errorf("the Rancher API URL %q has no scheme; write it as http://host:8080 or https://host", u.Redacted())
	default:
		return "", "", fmt.Errorf("the Rancher API URL %q has scheme %q; only http and https are supported", u.Redacted(), u.Scheme)
	}
	if u.Host == "" {
		return "", "", fmt.Errorf("the Rancher API URL %q has no host; write it as http://host:8080", u.Redacted())
	}
	if u.User != nil {
		// Keys belong in access_key/secret_key, and echoing them back in an
		// error would leak them.
		return "", "", fmt.Errorf("the Rancher API URL must not contain credentials; set access_key and secret_key instead")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("the Rancher API URL %q must not have a query or fragment", u.Redacted())
	}

	segments := splitPath(u.Path)
	for _, s := range segments {
		switch strings.ToLower(s) {
		case "v2-beta", "v3", "v2":
			return "", "", fmt.Errorf("the Rancher API URL %q points at the %s API; this provider speaks the Rancher 1.x v1 API: the URL should end in /v1 or have no path", u.Redacted(), s)
		}
	}

	var prefix []string
	switch n := len(segments); {
	case n == 0:
	case strings.EqualFold(segments[n-1], "v1"):
		prefix = segments[:n-1]
	case n >= 3 && strings.EqualFold(segments[n-3], "v1") && strings.EqualFold(segments[n-2], "projects"):
		prefix = segments[:n-3]
		projectID = segments[n-1]
		if !validID(projectID) {
			return "", "", fmt.Errorf("the Rancher API URL %q names an invalid project id %q; a project id looks like 1a5", u.Redacted(), projectID)
		}
	default:
		return "", "", fmt.Errorf("the Rancher API URL %q has an unexpected path %q; it should end in /v1, /v1/projects/<project id>, or have no path", u.Redacted(), u.Path)
	}

	base := url.URL{Scheme: u.Scheme, Host: u.Host}
	base.Path = "/" + strings.Join(append(prefix, "v1"), "/")
	return base.String(), projectID, nil
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

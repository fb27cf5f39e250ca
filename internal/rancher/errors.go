// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Error is an error answer of the Rancher API, parsed from Cattle's error
// JSON ({"type":"error","status":422,"code":"MissingRequired","fieldName":"email",…}).
type Error struct {
	Status    int    // HTTP status
	Code      string // Cattle code, e.g. "MissingRequired", "Not Found", "ActionNotAvailable"
	FieldName string // the offending field of a validation error, e.g. "email"
	Message   string
	Detail    string
	Method    string // the request that failed
	Path      string // its URL path, without the query
	// Hint says what to fix when the answer was not Cattle's: where a
	// redirect points, or what an HTML page means.
	Hint string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Rancher API returned %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Method != "" || e.Path != "" {
		fmt.Fprintf(&b, " for %s %s", e.Method, e.Path)
	}
	if e.FieldName != "" {
		fmt.Fprintf(&b, " (field %q)", e.FieldName)
	}
	// Cattle repeats the code as the message for status-only errors.
	if e.Message != "" && e.Message != e.Code {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", e.Detail)
	}
	if e.Hint != "" {
		fmt.Fprintf(&b, ": %s", e.Hint)
	}
	return b.String()
}

// IsNotFound reports whether err is (or wraps) a 404 answer of the API.
func IsNotFound(err error) bool {
	return hasStatus(err, http.StatusNotFound)
}

// IsForbidden reports whether err is a 403 answer: the keys cannot reach the
// project named in the request.
func IsForbidden(err error) bool {
	return hasStatus(err, http.StatusForbidden)
}

func hasStatus(err error, status int) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.Status == status
}

func isActionNotAvailable(err error) bool {
	var apiErr *Error
	return errors.As(err, &apiErr) && apiErr.Status == http.StatusUnprocessableEntity && apiErr.Code == "ActionNotAvailable"
}

// TransitionError reports an object whose last transition failed on the
// server (transitioning is "error"). Message is the server's
// transitioningMessage.
type TransitionError struct {
	Kind    string // "registry credential" or "registry"
	ID      string
	State   string
	Message string
}

func (e *TransitionError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "object"
	}
	msg := e.Message
	if msg == "" {
		msg = "no message from the server"
	}
	return fmt.Sprintf("%s %s failed in state %q: %s", kind, e.ID, e.State, msg)
}

// ConnectionError reports that no answer came from the server: connection
// refused, DNS, TLS or timeouts, after the retries were spent.
type ConnectionError struct {
	URL string // the API base URL
	Err error
}

func (e *ConnectionError) Error() string {
	return fmt.Sprintf("cannot reach Rancher at %s: %v", e.URL, e.Err)
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// WaitError reports a wait that did not reach its target: either the object
// settled in another state (Err is nil), or the context ended (Err wraps
// ctx.Err()).
type WaitError struct {
	Kind      string
	ID        string
	Targets   []string
	LastState string // "" when the object was never read
	Err       error
	LastErr   error // the failure of the last read, when it failed
}

func (e *WaitError) Error() string {
	want := strings.Join(e.Targets, " or ")
	if e.Err == nil {
		return fmt.Sprintf("%s %s reached state %q while waiting for %s", e.Kind, e.ID, e.LastState, want)
	}
	last := "never read"
	if e.LastState != "" {
		last = fmt.Sprintf("last state seen %q", e.LastState)
	}
	verb := "stopped"
	if errors.Is(e.Err, context.DeadlineExceeded) {
		verb = "timed out"
	}
	msg := fmt.Sprintf("%s waiting for %s %s to become %s (%s): %v", verb, e.Kind, e.ID, want, last, e.Err)
	if e.LastErr != nil {
		msg += "; the last read failed: " + e.LastErr.Error()
	}
	return msg
}

func (e *WaitError) Unwrap() error { return e.Err }

// wireError is Cattle's error JSON.
type wireError struct {
	Type      string  `json:"type"`
	Status    int     `json:"status"`
	Code      string  `json:"code"`
	Message   *string `json:"message"`
	Detail    *string `json:"detail"`
	FieldName *string `json:"fieldName"`
}

// parseError builds an *Error from an error response. A body that is not
// Cattle's error JSON (a proxy's HTML page, say) still gives the status, and
// a redirect or an HTML page says what to fix.
func parseError(method, baseURL string, req *url.URL, r *http.Response, body []byte) *Error {
	status, contentType := r.StatusCode, r.Header.Get("Content-Type")
	e := &Error{Status: status, Method: method, Path: req.Path}
	var w wireError
	if json.Unmarshal(body, &w) == nil && (w.Type == "error" || w.Code != "" || w.Status != 0) {
		e.Code = w.Code
		e.Message = deref(w.Message)
		e.Detail = deref(w.Detail)
		e.FieldName = deref(w.FieldName)
	} else {
		e.Code = http.StatusText(status)
		if strings.HasPrefix(contentType, "text/plain") {
			e.Message = snippet(body)
		}
		if title, ok := htmlPage(contentType, body); ok {
			e.Hint = htmlHint(status, title)
		}
	}
	if status >= 300 && status <= 399 {
		e.Hint = redirectHint(baseURL, req, r.Header.Get("Location"))
	}
	if e.Code == "" {
		e.Code = http.StatusText(status)
	}
	return e
}

// neverFollowed ends every redirect message: following one would send the
// basic-auth header wherever the redirect points.
const neverFollowed = " (the provider never follows redirects, so that the API keys are never sent elsewhere)"

// redirectHint says where a redirect points and what to set api_url to.
// Only the scheme, host and path of the target are named: a login page's
// query holds the proxy's state, ours the filter values.
func redirectHint(baseURL string, req *url.URL, location string) string {
	to, err := req.Parse(location)
	if location == "" || err != nil {
		return "it redirects without saying where; set api_url to the address where Rancher's API answers" + neverFollowed
	}
	to.RawQuery, to.Fragment, to.User = "", "", nil
	// The same API path at another address (a load balancer forcing TLS, a
	// moved server): that address is the api_url to set.
	if base, err := url.Parse(baseURL); err == nil {
		rest := strings.TrimPrefix(req.Path, base.Path)
		if rest != req.Path && strings.HasSuffix(to.Path, rest) {
			apiURL := to.Scheme + "://" + to.Host + strings.TrimSuffix(to.Path, rest)
			what := "the URL"
			if to.Scheme == "https" && req.Scheme == "http" {
				what = "the https URL"
			}
			return fmt.Sprintf("it redirects to %s; set api_url to %s, %s%s", to, what, apiURL, neverFollowed)
		}
	}
	where := "a page on " + to.Hostname()
	if to.Hostname() == req.Hostname() {
		where = to.Path + " on the same host"
	}
	return fmt.Sprintf("it redirects to %s: a proxy or single sign-on page answered instead of Rancher's API; "+
		"set api_url to an address where Rancher's API answers API keys without a login page%s", where, neverFollowed)
}

// htmlTitle finds an HTML page's title.
var htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// htmlPage reports whether body is an HTML page, and its title.
func htmlPage(contentType string, body []byte) (title string, ok bool) {
	trimmed := bytes.TrimSpace(body)
	if !strings.HasPrefix(contentType, "text/html") && !bytes.HasPrefix(trimmed, []byte("<")) {
		return "", false
	}
	if m := htmlTitle.FindSubmatch(trimmed); m != nil {
		title = snippet(bytes.Join(bytes.Fields(m[1]), []byte(" ")))
	}
	return title, true
}

// htmlHint says what an HTML answer means: Cattle answers only JSON, so
// something in front of it wrote the page.
func htmlHint(status int, title string) string {
	page := "an HTML page"
	if title != "" {
		page = fmt.Sprintf("an HTML page (%q)", title)
	}
	if status >= 500 {
		return page + " from a proxy in front of Rancher: Rancher did not answer it; check that Rancher is running and that the proxy reaches it"
	}
	return page + " answered instead of Rancher's API: a proxy or single sign-on page is in the way; " +
		"set api_url to an address where Rancher's API answers API keys directly (it ends in /v1)"
}

// snippet keeps the first line of a plain-text body, short enough for a
// diagnostic.
func snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	const maxLen = 200
	if len(s) > maxLen {
		s = s[:maxLen]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// BadAnswerError is a success status whose body is not the JSON expected
// (a proxy's page, a truncated body). The server may have acted on the
// request all the same.
type BadAnswerError struct {
	Method, Path string
	Status       int
	Err          error
	Hint         string // what an HTML page means, as for Error
}

// badAnswer builds the error for a success whose body is not JSON.
func badAnswer(method, path string, status int, contentType string, body []byte) *BadAnswerError {
	e := &BadAnswerError{Method: method, Path: path, Status: status, Err: json.Unmarshal(body, new(any))}
	if title, ok := htmlPage(contentType, body); ok {
		e.Hint = htmlHint(status, title)
	}
	return e
}

func (e *BadAnswerError) Error() string {
	msg := fmt.Sprintf("%s %s: Rancher's answer (status %d) is not the JSON expected: %v", e.Method, e.Path, e.Status, e.Err)
	if e.Hint != "" {
		msg += "; it is " + e.Hint
	}
	return msg
}

func (e *BadAnswerError) Unwrap() error { return e.Err }

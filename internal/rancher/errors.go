package rancher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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
	return fmt.Sprintf("%s waiting for %s %s to become %s (%s): %v", verb, e.Kind, e.ID, want, last, e.Err)
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
// Cattle's error JSON (a proxy's HTML page, say) still gives the status.
func parseError(method, path string, status int, contentType string, body []byte) *Error {
	e := &Error{Status: status, Method: method, Path: path}
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
	}
	if e.Code == "" {
		e.Code = http.StatusText(status)
	}
	return e
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// BadAnswerError is a success status whose body is not the JSON expected
// (a proxy's page, a truncated body). The server may have acted on the
// request all the same.
type BadAnswerError struct {
	Method, Path string
	Status       int
	Err          error
}

func (e *BadAnswerError) Error() string {
	return fmt.Sprintf("%s %s: Rancher's answer (status %d) is not the JSON expected: %v", e.Method, e.Path, e.Status, e.Err)
}

func (e *BadAnswerError) Unwrap() error { return e.Err }

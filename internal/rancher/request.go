// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// maxResponseBytes bounds what is read of one response.
const maxResponseBytes = 32 << 20

// policy says which failures of a request may be retried.
type policy int

const (
	// idempotent requests (GET, PUT, DELETE, actions) retry every
	// transient failure.
	idempotent policy = iota
	// create requests (POST to a collection) retry only failures after
	// which the server cannot have acted.
	create
)

// response is a read and closed HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends one API call, with retries, and decodes a 2xx JSON answer into
// out (when out is not nil). Failures come back as *Error, *ConnectionError
// or a wrapped ctx.Err().
func (c *Client) do(ctx context.Context, method, rawURL string, in any, pol policy, out any) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("building request URL: %w", err)
	}
	path := u.Path
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}

	var body any
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("encoding %s %s: %w", method, path, err)
		}
		body = b
	}

	st := &callState{method: method, path: path, action: u.Query().Get("action"), policy: pol}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, callStateKey{}, st), method, rawURL, body)
	if err != nil {
		return nil, fmt.Errorf("building %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.accessKey != "" || c.secretKey != "" {
		req.SetBasicAuth(c.accessKey, c.secretKey)
	}

	// The body is read inside the attempt, so that an answer cut short (or a
	// success that is not JSON) is retried under the same rule and backoff
	// as a dropped connection.
	var (
		data []byte
		read *http.Response // the answer data was read from
	)
	req.SetResponseHandler(func(r *http.Response) (err error) {
		read = r
		data, err = readAnswer(r, method, path, out != nil)
		return err
	})

	httpResp, err := c.http.Do(req)
	if httpResp != nil {
		defer drain(httpResp.Body)
	}
	if err == nil && httpResp != read {
		// The retries were spent on a retryable status: the handler, which
		// runs only on answers that end the retries, did not read this one.
		data, err = readAnswer(httpResp, method, path, out != nil)
	}
	var bad *BadAnswerError
	switch {
	case errors.As(err, &bad):
		return &response{status: httpResp.StatusCode, header: httpResp.Header, body: data}, bad
	case err != nil:
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("%s %s: %w", method, path, ctxErr)
		}
		return nil, &ConnectionError{URL: c.baseURL, Err: fmt.Errorf("%s %s: %w", method, path, unwrapURLError(err))}
	}

	c.noteServerDate(httpResp.Header.Get("Date"))
	resp := &response{status: httpResp.StatusCode, header: httpResp.Header, body: data}
	if httpResp.StatusCode < 200 || httpResp.StatusCode > 299 {
		return resp, parseError(method, c.baseURL, u, httpResp, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, &BadAnswerError{Method: method, Path: path, Status: httpResp.StatusCode, Err: err}
		}
	}
	return resp, nil
}

// readAnswer reads a response to its end. A body cut short, or a success
// whose body is not JSON (a truncated document, a proxy's page; an empty
// one too when an object is expected), is an error, for the retry rule to
// judge.
func readAnswer(r *http.Response, method, path string, wantBody bool) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes))
	_ = r.Body.Close()
	r.Body = http.NoBody
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	success, empty := r.StatusCode >= 200 && r.StatusCode <= 299, len(bytes.TrimSpace(data)) == 0
	if success && (wantBody || !empty) && !json.Valid(data) {
		return data, badAnswer(method, path, r.StatusCode, r.Header.Get("Content-Type"), data)
	}
	return data, nil
}

func (c *Client) noteServerDate(date string) {
	if date == "" {
		return
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	// The header has whole seconds; half a second centres the error.
	c.clockOffset.Store(int64(time.Until(t.Add(500 * time.Millisecond))))
}

// serverNow estimates the server's clock from the Date headers seen so far.
func (c *Client) serverNow() time.Time {
	return time.Now().Add(time.Duration(c.clockOffset.Load()))
}

func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 1<<20))
	_ = body.Close()
}

// unwrapURLError drops net/http's `Get "url": ` prefix, which repeats the
// query (filter values) of the request.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() && !strings.Contains(ue.Err.Error(), "timeout") && !strings.Contains(ue.Err.Error(), "deadline") {
			return fmt.Errorf("timeout: %w", ue.Err)
		}
		return ue.Err
	}
	return err
}

// kind describes one type of object; the lifecycle code is shared.
type kind struct {
	name       string // for messages: "registry credential"
	collection string // URL segment, lower-case as the server emits it
}

var (
	credentialKind = kind{name: "registry credential", collection: "registrycredentials"}
	registryKind   = kind{name: "registry", collection: "registries"}
)

func (c *Client) collectionURL(k kind, projectID string) (string, error) {
	if !validID(projectID) {
		return "", fmt.Errorf("invalid project id %q: a project id looks like 1a5", projectID)
	}
	return c.baseURL + "/projects/" + projectID + "/" + k.collection, nil
}

func objectKey(k kind, projectID, id string) string {
	return k.collection + "/" + projectID + "/" + id
}

func urlPath(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}

// wireObject is the JSON of either kind of object; each kind reads its fields.
// A field is a pointer only where JSON null must stay apart from "": the
// optional fields a user sets. For the others null reads as "".
type wireObject struct {
	ID                   string            `json:"id"`
	Type                 string            `json:"type"`
	Actions              map[string]string `json:"actions"`
	AccountID            string            `json:"accountId"`
	State                string            `json:"state"`
	Transitioning        string            `json:"transitioning"`
	TransitioningMessage string            `json:"transitioningMessage"`
	Created              string            `json:"created"`
	CreatedTS            *int64            `json:"createdTS"`
	Removed              string            `json:"removed"`
	RemovedTS            *int64            `json:"removedTS"`

	Name        *string `json:"name"`
	Description *string `json:"description"`

	RegistryID  string  `json:"registryId"`
	Email       string  `json:"email"`
	PublicValue *string `json:"publicValue"`
	SecretValue *string `json:"secretValue"`

	ServerAddress string `json:"serverAddress"`
}

func (w *wireObject) status() Status {
	s := Status{
		State:                w.State,
		Transitioning:        w.Transitioning,
		TransitioningMessage: w.TransitioningMessage,
		Actions:              w.Actions,
	}
	s.Created, _ = parseDate(w.Created, w.CreatedTS)
	if t, ok := parseDate(w.Removed, w.RemovedTS); ok {
		s.Removed = &t
	}
	return s
}

// parseDate reads a Cattle date ("2017-02-01T10:11:12Z"), falling back to the
// epoch-milliseconds twin field.
func parseDate(s string, ms *int64) (time.Time, bool) {
	if s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC(), true
		}
	}
	if ms != nil {
		return time.UnixMilli(*ms).UTC(), true
	}
	return time.Time{}, false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Tests of wire-level details against small hand-written handlers.

func newWireClient(t *testing.T, handler http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	c, err := NewClient(Config{
		URL:          srv.URL,
		AccessKey:    "wireaccess",
		SecretKey:    "wiresecret",
		MaxRetries:   3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func credentialJSON(id, state string) map[string]any {
	return map[string]any{
		"id": id, "type": "registryCredential", "baseType": "credential",
		"name": "hub", "state": state, "accountId": "1a5", "registryId": "1sp1",
		"email": "me@example.com", "publicValue": "me", "secretValue": nil, "description": nil,
		"created": "2017-02-01T10:11:12Z", "createdTS": 1485943872000, "removed": nil,
		"transitioning": "no", "transitioningMessage": nil,
		"actions": map[string]string{"deactivate": "x"},
	}
}

func TestRequestHeadersAndDecoding(t *testing.T) {
	var got http.Header
	var gotPath string
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, gotPath = r.Header.Clone(), r.URL.Path
		writeJSON(w, 200, credentialJSON("1c7", "active"))
	}))
	cred, err := c.GetRegistryCredential(context.Background(), "1a5", "1c7")
	if err != nil {
		t.Fatal(err)
	}
	if gotPath != "/v1/projects/1a5/registrycredentials/1c7" {
		t.Errorf("path %q", gotPath)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte("wireaccess:wiresecret")); got.Get("Authorization") != want {
		t.Errorf("Authorization %q", got.Get("Authorization"))
	}
	if got.Get("Accept") != "application/json" || got.Get("User-Agent") != defaultUserAgent {
		t.Errorf("Accept %q User-Agent %q", got.Get("Accept"), got.Get("User-Agent"))
	}
	if cred.ID != "1c7" || cred.ProjectID != "1a5" || cred.RegistryID != "1sp1" || cred.Email != "me@example.com" ||
		deref(cred.Name) != "hub" || cred.Description != nil || cred.SecretValue != nil || cred.State != "active" ||
		!cred.Created.Equal(time.Date(2017, 2, 1, 10, 11, 12, 0, time.UTC)) || cred.Removed != nil ||
		!cred.hasAction("deactivate") || cred.hasAction("activate") || cred.Gone() {
		t.Errorf("decoded %+v", cred)
	}
}

func TestErrorParsing(t *testing.T) {
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/projects/1a5/registrycredentials/1c1":
			writeJSON(w, 422, map[string]any{"id": "x", "type": "error", "baseType": "error", "status": 422,
				"code": "MissingRequired", "message": nil, "detail": nil, "fieldName": "email"})
		case "/v1/projects/1a5/registrycredentials/1c2":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, "<html>oops</html>")
		case "/v1/projects/1a5/registrycredentials/1c3":
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(400)
			_, _ = io.WriteString(w, "bad thing happened\nsecond line")
		default:
			writeJSON(w, 404, map[string]any{"type": "error", "status": 404, "code": "Not Found", "message": "Not Found", "detail": nil})
		}
	}))
	ctx := context.Background()

	_, err := c.UpdateRegistryCredential(ctx, "1a5", "1c1", RegistryCredentialUpdate{Email: SetField(nil)})
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != 422 || apiErr.Code != "MissingRequired" || apiErr.FieldName != "email" ||
		apiErr.Method != "PUT" || apiErr.Path != "/v1/projects/1a5/registrycredentials/1c1" {
		t.Fatalf("422: %#v", err)
	}
	if want := `Rancher API returned 422 MissingRequired for PUT /v1/projects/1a5/registrycredentials/1c1 (field "email")`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}

	_, err = c.GetRegistryCredential(ctx, "1a5", "1c2")
	if !errors.As(err, &apiErr) || apiErr.Status != 500 || apiErr.Code != "Internal Server Error" || apiErr.Message != "" {
		t.Fatalf("html 500: %#v", err)
	}
	_, err = c.GetRegistryCredential(ctx, "1a5", "1c3")
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Message != "bad thing happened" {
		t.Fatalf("text 400: %#v", err)
	}
	_, err = c.GetRegistryCredential(ctx, "1a5", "1c9")
	if !IsNotFound(err) || err.Error() != "Rancher API returned 404 Not Found for GET /v1/projects/1a5/registrycredentials/1c9" {
		t.Fatalf("404: %v", err)
	}
	if _, err := c.GetRegistryCredential(ctx, "1a5", "../x"); err == nil || !strings.Contains(err.Error(), "invalid") {
		t.Fatalf("bad id: %v", err)
	}
}

func TestRetriesIdempotentFailures(t *testing.T) {
	for _, status := range []int{409, 429, 502, 503, 504} {
		var n atomic.Int32
		c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) <= 2 {
				if status == 429 {
					w.Header().Set("Retry-After", "0")
				}
				writeJSON(w, status, map[string]any{"type": "error", "status": status, "code": http.StatusText(status)})
				return
			}
			writeJSON(w, 200, credentialJSON("1c7", "active"))
		}))
		if _, err := c.GetRegistryCredential(context.Background(), "1a5", "1c7"); err != nil {
			t.Fatalf("status %d: %v", status, err)
		}
		if n.Load() != 3 {
			t.Fatalf("status %d: %d requests, want 3", status, n.Load())
		}
	}

	// Retries are bounded by MaxRetries, and the last answer is returned.
	var n atomic.Int32
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 503, map[string]any{"type": "error", "status": 503, "code": "Service Unavailable"})
	}))
	_, err := c.GetRegistryCredential(context.Background(), "1a5", "1c7")
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Status != 503 || n.Load() != 4 {
		t.Fatalf("err %v after %d requests", err, n.Load())
	}

	// 400, 404, 500 are final.
	n.Store(0)
	c = newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeJSON(w, 500, map[string]any{"type": "error", "status": 500, "code": "Internal Server Error"})
	}))
	if _, err := c.GetRegistryCredential(context.Background(), "1a5", "1c7"); err == nil || n.Load() != 1 {
		t.Fatalf("500: err %v after %d requests", err, n.Load())
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	if d, ok := retryAfter("2"); !ok || d != 2*time.Second {
		t.Fatalf("retryAfter(2) = %v %v", d, ok)
	}
	if d, ok := retryAfter(time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)); !ok || d != maxRetryAfter {
		t.Fatalf("retryAfter(date) = %v %v", d, ok)
	}
	if _, ok := retryAfter("soon"); ok {
		t.Fatal("retryAfter(soon) parsed")
	}
	resp := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"1"}}}
	if d := backoff(time.Millisecond, 2*time.Millisecond, 0, resp); d != time.Second {
		t.Fatalf("backoff with Retry-After 1 = %v", d)
	}
	for attempt := 0; attempt < 10; attempt++ {
		d := jitter(100*time.Millisecond, time.Second, attempt)
		hi := min(100*time.Millisecond<<attempt, time.Second)
		if d < hi/2 || d > hi {
			t.Fatalf("jitter attempt %d = %v, want in [%v, %v]", attempt, d, hi/2, hi)
		}
	}
}

func TestConnectionError(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := NewClient(Config{URL: "http://" + addr, MaxRetries: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRegistryCredential(context.Background(), "1a5", "1c1")
	var connErr *ConnectionError
	if !errors.As(err, &connErr) || !strings.HasPrefix(err.Error(), "cannot reach Rancher at http://"+addr+"/v1: ") {
		t.Fatalf("err = %v", err)
	}
	// A refused create is safe to retry and reports the same way.
	_, err = c.CreateRegistryCredential(context.Background(), "1a5", RegistryCredentialCreate{RegistryID: "1sp1", Email: "e"})
	if !errors.As(err, &connErr) {
		t.Fatalf("create err = %v", err)
	}
}

func TestRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	c, err := NewClient(Config{URL: srv.URL, RequestTimeout: 30 * time.Millisecond, MaxRetries: 1, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRegistryCredential(context.Background(), "1a5", "1c1")
	var connErr *ConnectionError
	if !errors.As(err, &connErr) || n.Load() != 2 {
		t.Fatalf("err = %v after %d requests", err, n.Load())
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		writeJSON(w, 429, map[string]any{"type": "error", "status": 429, "code": "Too Many Requests"})
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetRegistryCredential(ctx, "1a5", "1c1")
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func TestUpdateSendsOnlySetFields(t *testing.T) {
	var body map[string]any
	var method string
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method = r.Method
		body = nil
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 200, credentialJSON("1c7", "active"))
	}))
	name := "new"
	_, err := c.UpdateRegistryCredential(context.Background(), "1a5", "1c7", RegistryCredentialUpdate{
		Name:        SetField(&name),
		Description: SetField(nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	if method != "PUT" || len(body) != 2 || body["name"] != "new" || body["description"] != nil {
		t.Fatalf("%s %v", method, body)
	}
	if _, ok := body["description"]; !ok {
		t.Fatal("description: want explicit null")
	}
	// Nothing to change: a read, not an empty PUT.
	if _, err := c.UpdateRegistryCredential(context.Background(), "1a5", "1c7", RegistryCredentialUpdate{}); err != nil || method != "GET" {
		t.Fatalf("empty update: %s %v", method, err)
	}
}

func TestCreateBodyOmitsNil(t *testing.T) {
	var body map[string]any
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 201, credentialJSON("1c7", "registering"))
	}))
	pv := "me"
	_, err := c.CreateRegistryCredential(context.Background(), "1a5", RegistryCredentialCreate{RegistryID: "1sp1", Email: "e@x", PublicValue: &pv})
	if err != nil {
		t.Fatal(err)
	}
	if len(body) != 3 || body["registryId"] != "1sp1" || body["email"] != "e@x" || body["publicValue"] != "me" {
		t.Fatalf("body %v", body)
	}
}

// A create whose answer is lost after the server acted must adopt what it
// made, and one the server never saw must be sent again.
func TestCreateReconciles(t *testing.T) {
	type rec struct {
		id      string
		created string
	}
	for _, tc := range []struct {
		name      string
		fail      func(w http.ResponseWriter) // how the first POST fails
		acts      bool                        // whether the server made the object before failing
		wantPosts int
	}{
		{"dropped after acting", hijackClose, true, 1},
		{"502 after acting", func(w http.ResponseWriter) { writeJSON(w, 502, map[string]any{}) }, true, 1},
		{"504 without acting", func(w http.ResponseWriter) { writeJSON(w, 504, map[string]any{}) }, false, 2},
		{"dropped without acting", hijackClose, false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var made []rec
			posts, lists := 0, 0
			var lookupQuery string
			c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case r.Method == "POST":
					posts++
					if posts == 1 && tc.acts {
						made = append(made, rec{"1c1", time.Now().UTC().Format(cattleDate)})
					}
					if posts == 1 {
						tc.fail(w)
						return
					}
					id := "1c" + string(rune('1'+len(made)))
					made = append(made, rec{id, time.Now().UTC().Format(cattleDate)})
					writeJSON(w, 201, credentialJSON(id, "registering"))
				case r.Method == "GET" && r.URL.Path == "/v1/projects/1a5/registrycredentials":
					lists++
					lookupQuery = r.URL.RawQuery
					var data []any
					// An older twin, made before the create began: never adopted.
					old := credentialJSON("1c0", "active")
					old["created"] = time.Now().Add(-time.Hour).UTC().Format(cattleDate)
					data = append(data, old)
					for _, m := range made {
						o := credentialJSON(m.id, "registering")
						o["created"] = m.created
						data = append(data, o)
					}
					writeJSON(w, 200, map[string]any{"type": "collection", "data": data, "pagination": map[string]any{"next": nil}})
				default:
					writeJSON(w, 404, map[string]any{"type": "error", "status": 404, "code": "Not Found"})
				}
			}))
			name, pv := "hub", "me"
			cred, err := c.CreateRegistryCredential(context.Background(), "1a5", RegistryCredentialCreate{
				RegistryID: "1sp1", Email: "me@example.com", Name: &name, PublicValue: &pv,
			})
			if err != nil {
				t.Fatal(err)
			}
			if posts != tc.wantPosts || lists != 1 || len(made) != 1 || cred.ID != made[0].id {
				t.Fatalf("posts %d lists %d made %v adopted %s", posts, lists, made, cred.ID)
			}
			for _, want := range []string{"registryId=1sp1", "name=hub", "publicValue=me", "created_gte="} {
				if !strings.Contains(lookupQuery, want) {
					t.Errorf("lookup query %q lacks %q", lookupQuery, want)
				}
			}
		})
	}
}

func TestCreateNotRetriedOnFinalError(t *testing.T) {
	var posts atomic.Int32
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		writeJSON(w, 409, map[string]any{"type": "error", "status": 409, "code": "Conflict"})
	}))
	_, err := c.CreateRegistryCredential(context.Background(), "1a5", RegistryCredentialCreate{RegistryID: "1sp1", Email: "e"})
	if err == nil || posts.Load() != 1 {
		t.Fatalf("err %v after %d POSTs", err, posts.Load())
	}
}

func hijackClose(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("the test server's ResponseWriter cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestListFollowsPagination(t *testing.T) {
	var queries []string
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		page := map[string]any{"type": "collection", "pagination": map[string]any{"next": nil, "partial": false}}
		switch r.URL.Query().Get("marker") {
		case "":
			page["data"] = []any{credentialJSON("1c1", "active"), credentialJSON("1c2", "active")}
			// The server may name itself differently from our URL.
			page["pagination"] = map[string]any{"next": "http://elsewhere:8080/v1/projects/1a5/registrycredentials?name=hub&limit=2&marker=m2", "partial": true}
		case "m2":
			page["data"] = []any{credentialJSON("1c3", "active")}
		}
		writeJSON(w, 200, page)
	}))
	creds, err := c.ListRegistryCredentials(context.Background(), "1a5", RegistryCredentialFilter{Name: "hub", IncludeRemoved: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 3 || creds[2].ID != "1c3" || len(queries) != 2 {
		t.Fatalf("creds %d queries %v", len(creds), queries)
	}
	if !strings.Contains(queries[0], "name=hub") || !strings.Contains(queries[0], "_removed=true") {
		t.Fatalf("first query %q", queries[0])
	}
}

func TestDiscoverProjectHeaders(t *testing.T) {
	client := func(kind string, requests *int) *Client {
		return newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			*requests++
			w.Header().Set("X-API-Account-Kind", kind)
			w.Header().Set("X-API-Account-Id", "1a9")
			writeJSON(w, 200, map[string]any{"type": "apiVersion", "id": "v1"})
		}))
	}
	var requests int
	c := client("project", &requests)
	for range 2 {
		if pid, err := c.DiscoverProject(context.Background()); err != nil || pid != "1a9" {
			t.Fatalf("pid %q err %v", pid, err)
		}
	}
	if requests != 1 {
		t.Fatalf("%d requests to learn the key's account twice, want 1", requests)
	}
	if _, err := client("user", &requests).DiscoverProject(context.Background()); err == nil || !strings.Contains(err.Error(), "project_id") {
		t.Fatalf("user key: %v", err)
	}
}

// A DELETE answered 204 with no body (as a proxy may) is accepted: the
// removal then waits for the object to be removed.
func TestRemoveAcceptsEmptyDeleteAnswer(t *testing.T) {
	var mu sync.Mutex
	deleted := false
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodDelete:
			deleted = true
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodGet && deleted:
			writeJSON(w, http.StatusOK, credentialJSON("1c1", StateRemoved))
		case r.Method == http.MethodGet:
			writeJSON(w, http.StatusOK, credentialJSON("1c1", StateInactive))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	if err := c.RemoveRegistryCredential(context.Background(), "1a5", "1c1", ""); err != nil {
		t.Fatalf("remove after a 204 DELETE: %v", err)
	}
	if !deleted {
		t.Fatal("no DELETE was sent")
	}
}

// A success that is an HTML page (an authenticating proxy's sign-in page)
// is retried like any answer that is not JSON, then says what it is.
func TestHTMLSuccessNamesTheProxy(t *testing.T) {
	var n atomic.Int32
	c := newWireClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>\n  Sign in - Example SSO\n</title></head><body>…</body></html>")
	}))
	_, err := c.GetRegistryCredential(context.Background(), "1a5", "1c7")
	var bad *BadAnswerError
	if !errors.As(err, &bad) || n.Load() != 4 {
		t.Fatalf("err %v after %d requests, want a bad answer after 4", err, n.Load())
	}
	if want := `it is an HTML page ("Sign in - Example SSO") answered instead of Rancher's API: a proxy or single sign-on page is in the way`; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q lacks %q", err, want)
	}
}

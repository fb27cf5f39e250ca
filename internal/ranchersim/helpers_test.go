// SPDX-License-Identifier: MPL-2.0

package ranchersim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// apiClient talks to a test server with one key.
type apiClient struct {
	t          testing.TB
	base       string
	user, pass string
	noAuth     bool
	header     http.Header
}

type reply struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func newClient(t testing.TB, base string) *apiClient {
	return &apiClient{t: t, base: base, user: DefaultAccessKey, pass: DefaultSecretKey}
}

func (c *apiClient) as(user, pass string) *apiClient {
	cc := *c
	cc.user, cc.pass, cc.noAuth = user, pass, false
	return &cc
}

func (c *apiClient) anonymous() *apiClient {
	cc := *c
	cc.noAuth = true
	return &cc
}

func (c *apiClient) with(k, v string) *apiClient {
	cc := *c
	cc.header = c.header.Clone()
	if cc.header == nil {
		cc.header = http.Header{}
	}
	cc.header.Set(k, v)
	return &cc
}

func (c *apiClient) do(method, path, body string) reply {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = c.base + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if !c.noAuth {
		req.SetBasicAuth(c.user, c.pass)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := reply{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q: %v", method, path, raw, err)
		}
	}
	return r
}

func (c *apiClient) get(path string) reply        { c.t.Helper(); return c.do("GET", path, "") }
func (c *apiClient) post(path, body string) reply { c.t.Helper(); return c.do("POST", path, body) }
func (c *apiClient) put(path, body string) reply  { c.t.Helper(); return c.do("PUT", path, body) }
func (c *apiClient) del(path string) reply        { c.t.Helper(); return c.do("DELETE", path, "") }
func (c *apiClient) action(path, action string) reply {
	c.t.Helper()
	return c.do("POST", path+"?action="+action, "")
}
func (c *apiClient) mustStatus(r reply, want int) reply {
	c.t.Helper()
	expectStatus(c.t, r, want)
	return r
}

func expectStatus(t testing.TB, r reply, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.raw)
	}
}

// expectError checks an error reply: status, code and (for 422) fieldName,
// and the shape of README §9.
func expectError(t testing.TB, r reply, status int, code, fieldName string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	b := r.body
	if b["type"] != "error" || b["baseType"] != "error" || b["code"] != code || b["status"] != float64(status) {
		t.Fatalf("error body %s, want type error, status %d, code %q", r.raw, status, code)
	}
	for _, k := range []string{"id", "links", "actions", "message", "detail"} {
		if _, ok := b[k]; !ok {
			t.Fatalf("error body %s lacks %q", r.raw, k)
		}
	}
	if b["detail"] != nil {
		t.Fatalf("detail = %v, want null", b["detail"])
	}
	if status == 422 {
		if b["fieldName"] != fieldName || b["message"] != nil {
			t.Fatalf("error body %s, want fieldName %q and message null", r.raw, fieldName)
		}
	} else {
		if _, ok := b["fieldName"]; ok {
			t.Fatalf("error body %s has fieldName", r.raw)
		}
		if b["message"] != code {
			t.Fatalf("message = %v, want %q", b["message"], code)
		}
	}
}

// topKeys returns the keys of a JSON object in document order.
func topKeys(t testing.TB, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func expectKeys(t testing.TB, m map[string]any, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := keysOf(m); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
}

func obj(t testing.TB, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an object", v)
	}
	return m
}

func dataOf(t testing.TB, r reply) []map[string]any {
	t.Helper()
	list, ok := r.body["data"].([]any)
	if !ok {
		t.Fatalf("no data in %s", r.raw)
	}
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = obj(t, x)
	}
	return out
}

func idsOf(t testing.TB, r reply) []string {
	t.Helper()
	var out []string
	for _, d := range dataOf(t, r) {
		out = append(out, d["id"].(string))
	}
	return out
}

// waitFor polls cond until it holds or a 5 s deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitState(t testing.TB, s *Server, id, state string) {
	t.Helper()
	waitFor(t, id+" "+state, func() bool {
		if strings.HasPrefix(id, "1sp") {
			r, ok := s.Registry(id)
			return ok && r.State == state && r.Transitioning != "yes"
		}
		c, ok := s.Credential(id)
		return ok && c.State == state && c.Transitioning != "yes"
	})
}

const cred = "/v1/projects/1a5/registrycredentials"

// fixture starts a server with a 0 transition delay and one active
// registry 1sp1 in project 1a5.
func fixture(t testing.TB, opts Options) (*Server, *apiClient) {
	t.Helper()
	s, base := NewTestServer(t, opts)
	if _, err := s.CreateRegistry("1a5", "registry.example.com"); err != nil {
		t.Fatal(err)
	}
	return s, newClient(t, base)
}

// newCred creates a credential over the API and waits until it is active.
func newCred(t testing.TB, s *Server, c *apiClient, body string) string {
	t.Helper()
	if body == "" {
		body = `{"registryId":"1sp1","email":"me@example.com","publicValue":"me","secretValue":"pw"}`
	}
	r := c.mustStatus(c.post(cred, body), 201)
	id := r.body["id"].(string)
	waitState(t, s, id, "active")
	return id
}

func ptr(s string) *string { return &s }

// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// badInputRow is one bad configuration or bad server answer, and the exact
// diagnostic it must produce. Plan-time rows keep one of each kind of
// validator (the others use the same validators, whose wording is the
// library's) and every message the provider writes; every input that
// reaches the server has its row.
type badInputRow struct {
	name string
	// body of the credential resource; provider overrides the provider block.
	body, provider string
	// misbehave, when set, is how the server answers during this row.
	misbehave func(w http.ResponseWriter, r *http.Request, sim http.Handler) bool
	setup     func(t *testing.T, e *testEnv)
	want      string
}

// misbehavingEnv is a simulator behind a front that can answer in ways the
// real server never should (a proxy's page, a broken body, a server error
// that never ends), to check what the provider says then.
type misbehavingEnv struct {
	*testEnv
	mode atomic.Pointer[func(http.ResponseWriter, *http.Request, http.Handler) bool]
}

func newMisbehavingEnv(t *testing.T) *misbehavingEnv {
	t.Helper()
	m := &misbehavingEnv{}
	m.testEnv = newTestEnvBehind(t, func(sim http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if f := m.mode.Load(); f != nil && (*f)(w, r, sim) {
				return
			}
			sim.ServeHTTP(w, r)
		})
	})
	return m
}

func isCredentialGet(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/registrycredentials/")
}

func isCredentialCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/registrycredentials") && r.URL.Query().Get("action") == ""
}

// badInputRows is the table, for one environment: its provider blocks and
// ids point at that environment's simulator.
func badInputRows(e *misbehavingEnv, reg, otherReg string) []badInputRow {
	var unexpectedOnce atomic.Bool
	valid := fmt.Sprintf("registry_id = %q\n  email = \"x@example.com\"", reg)
	provider := func(extra string) string { return e.provider().with(extra).String() }
	rows := []badInputRow{
		// Configuration, refused at plan time: one row per kind of
		// validator, and every message the provider writes itself.
		{name: "empty email", body: fmt.Sprintf("registry_id = %q\n  email = \"\"", reg), want: `Attribute email string length must be at least 1, got: 0`},
		{name: "registry id of the wrong kind", body: `registry_id = "1c5"
  email = "x@example.com"`, want: `Attribute registry_id must be a Rancher registry id such as "1sp3", got: 1c5`},
		{name: "both secrets", body: valid + "\n  secret_value = \"a\"\n  secret_value_wo = \"b\"", want: `Attribute "secret_value_wo" cannot be specified when "secret_value" is\s+specified|Write-only Attribute Not Allowed`},
		{name: "timeout not a duration", body: valid + "\n  timeouts {\n    create = \"soon\"\n  }", want: `(?s)Invalid Attribute Value Time Duration.*"soon" must be a string containing a sequence of decimal numbers`},
		{name: "provider max_retries negative", body: valid, provider: provider("max_retries = -1"), want: `Attribute max_retries value must be between 0 and 20, got: -1`},
		{name: "provider request_timeout not positive", body: valid, provider: provider(`request_timeout = "0s"`), want: `(?s)Invalid request_timeout.*request_timeout must be a positive duration such as "30s", got "0s"`},
		{name: "provider v3 URL", body: valid, provider: providerConfig{url: e.url + "/v3", accessKey: "a", secretKey: "b"}.String(), want: `(?s)Invalid api_url.*Rancher 2 \(v3\) API.*v1`},
		{name: "provider URL without scheme", body: valid, provider: providerConfig{url: "rancher.example.com:8080", accessKey: "a", secretKey: "b"}.String(), want: `(?s)Invalid api_url`},
		{name: "provider cli.json missing", body: valid, provider: providerConfig{}.with(`config = "/nonexistent/cli.json"`).String(), want: `(?s)Cannot read the Rancher CLI configuration.*/nonexistent/cli.json does\s+not\s+exist`},

		// Answers of a faithful server that the configuration provokes.
		{name: "registry of another project", body: fmt.Sprintf("registry_id = %q\n  email = \"x@example.com\"", otherReg), want: `(?s)registry_id.*Rancher rejected registry_id: it does not name an object of the\s+right kind in this project \(422 InvalidReference\)`},
		{name: "registry that does not exist", body: "registry_id = \"1sp999\"\n  email = \"x@example.com\"", want: `(?s)registry_id.*\(422\s+InvalidReference\)`},
		{name: "wrong secret key", body: valid, provider: e.provider().withKey(testAccessKey, "nope").String(), want: `(?s)401 Unauthorized.*check access_key\s+and\s+secret_key.*RANCHER_SECRET_KEY`},
		{name: "project the key cannot reach", body: valid + "\n  project_id = \"1a6\"", want: `(?s)cannot\s+reach\s+project\s+1a6\s+\(403\s+Forbidden\)`},
		// A port that was free a moment ago: nothing answers there.
		{name: "Rancher unreachable", body: valid, provider: providerConfig{url: "http://127.0.0.1:1", accessKey: testAccessKey, secretKey: testSecretKey}.String(),
			want: `(?s)cannot\s+reach\s+Rancher\s+at\s+http://127.0.0.1:1`},

		// Answers a healthy server never gives.
		{
			name: "server error that never stops", body: valid,
			misbehave: func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
				if !isCredentialCreate(r) {
					return false
				}
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte("<html><body>Internal error</body></html>"))
				return true
			},
			want: `(?s)Cannot create the registry credential.*500`,
		},
		{
			name: "unavailable until retries run out", body: valid,
			misbehave: func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			},
			want: `(?s)503`,
		},
		{
			name: "unexpected state", body: valid,
			misbehave: func(w http.ResponseWriter, r *http.Request, _ http.Handler) bool {
				if !isCredentialGet(r) || !unexpectedOnce.CompareAndSwap(false, true) {
					return false
				}
				id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
				w.Header().Set("Content-Type", "application/json")
				_, _ = fmt.Fprintf(w, `{"id":%q,"type":"registryCredential","state":"exploded","transitioning":"no","accountId":%q,"registryId":%q,"email":"x@example.com","actions":{}}`, id, testProject, reg)
				return true
			},
			want: `(?s)did not become ready.*exploded`,
		},
		{
			name: "project removed under us", body: valid + "\n  project_id = \"1a5\"",
			setup: func(t *testing.T, e *testEnv) { e.sim.RemoveProject(testProject) },
			want:  `(?s)cannot reach project 1a5 \(403 Forbidden\)`,
		},
	}

	return rows
}

// TestAccRegistryCredential_badInputTable runs every row against its own
// simulator: each must fail with its diagnostic, and nothing may be left in
// Rancher that Terraform does not know (CheckDestroy: any credential a row
// made was kept in state and removed by destroy).
func TestAccRegistryCredential_badInputTable(t *testing.T) {
	setup := func(t *testing.T) (*misbehavingEnv, string, string) {
		e := newMisbehavingEnv(t)
		e.sim.AddProject("1a6", "Other")
		return e, e.registry(t, testProject, "registry.example.com"), e.registry(t, "1a6", "other.example.com")
	}
	e, reg, otherReg := setup(t)
	count := len(badInputRows(e, reg, otherReg))
	for i := range count {
		e, reg, otherReg := setup(t)
		row := badInputRows(e, reg, otherReg)[i]
		t.Run(row.name, func(t *testing.T) {
			if row.misbehave != nil {
				e.mode.Store(&row.misbehave)
			}
			if row.setup != nil {
				row.setup(t, e.testEnv)
			}
			p := row.provider
			if p == "" {
				p = e.providerBlock()
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					// Configuration the provider or a faithful server refuses
					// makes nothing, in either project.
					if n := len(e.sim.Credentials(testProject)) + len(e.sim.Credentials("1a6")); row.misbehave == nil && row.setup == nil && n != 0 {
						return fmt.Errorf("bad input created %d credentials", n)
					}
					for _, c := range e.sim.Credentials(testProject) {
						if !isGone(c.State) {
							return fmt.Errorf("credential %s is %s: a failed apply lost track of it", c.ID, c.State)
						}
					}
					return nil
				},
				Steps: []resource.TestStep{{
					Config: p + fmt.Sprintf("\nresource \"rancher_registry_credential\" \"test\" {\n  %s\n}\n", row.body),
					// Terraform wraps long messages: any space may be a line break.
					ExpectError: regexp.MustCompile(strings.ReplaceAll(row.want, " ", `\s+`)),
				}},
			})
		})
	}
}

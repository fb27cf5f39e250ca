// SPDX-License-Identifier: MPL-2.0

package rancher

import (
	"strings"
	"testing"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		in          string
		wantBase    string
		wantProject string
		wantV2Beta  bool
		wantErr     string // substring; "" means success
	}{
		{in: "http://rancher:8080", wantBase: "http://rancher:8080/v1"},
		{in: "http://rancher:8080/", wantBase: "http://rancher:8080/v1"},
		{in: "http://rancher:8080/v1", wantBase: "http://rancher:8080/v1"},
		{in: "http://rancher:8080/v1/", wantBase: "http://rancher:8080/v1"},
		{in: "https://rancher.example.com/V1", wantBase: "https://rancher.example.com/v1"},
		{in: "  http://rancher:8080/v1  ", wantBase: "http://rancher:8080/v1"},
		{in: "http://rancher:8080/v1/projects/1a5", wantBase: "http://rancher:8080/v1", wantProject: "1a5"},
		{in: "http://rancher:8080/v1/projects/1a5/", wantBase: "http://rancher:8080/v1", wantProject: "1a5"},
		{in: "https://example.com/rancher/v1", wantBase: "https://example.com/rancher/v1"},
		{in: "https://example.com/rancher/v1/projects/1a12", wantBase: "https://example.com/rancher/v1", wantProject: "1a12"},
		{in: "http://rancher:8080/v1/schemas", wantBase: "http://rancher:8080/v1"},
		{in: "http://rancher:8080/v1/projects/1a5/schemas", wantBase: "http://rancher:8080/v1", wantProject: "1a5"},
		{in: "http://rancher:8080/v2-beta", wantBase: "http://rancher:8080/v1", wantV2Beta: true},
		{in: "http://rancher:8080/V2-BETA/", wantBase: "http://rancher:8080/v1", wantV2Beta: true},
		{in: "http://rancher:8080/v2-beta/schemas", wantBase: "http://rancher:8080/v1", wantV2Beta: true},
		{in: "https://example.com/rancher/v2-beta/projects/1a7", wantBase: "https://example.com/rancher/v1", wantProject: "1a7", wantV2Beta: true},
		{in: "http://rancher:8080/v2-beta/registries", wantErr: "unexpected path"},
		{in: "http://rancher:8080/v2", wantErr: "unexpected path"},
		{in: "https://rancher/v3", wantErr: "Rancher 2 (v3) API"},
		{in: "https://rancher/v3/clusters/c-1", wantErr: "v1 API"},
		{in: "http://rancher:8080/api", wantErr: "unexpected path"},
		{in: "http://rancher:8080/v1/projects", wantErr: "unexpected path"},
		{in: "http://rancher:8080/v1/registrycredentials", wantErr: "unexpected path"},
		{in: "http://rancher:8080/v1/projects/..", wantErr: "invalid project id"},
		{in: "rancher:8080", wantErr: "scheme"},
		{in: "rancher.example.com", wantErr: "no scheme"},
		{in: "ftp://rancher", wantErr: "only http and https"},
		{in: "http://", wantErr: "no host"},
		{in: "http:///v1", wantErr: "no host"},
		{in: "", wantErr: "empty"},
		{in: "http://ak:sk@rancher:8080", wantErr: "must not contain credentials"},
		{in: "http://rancher:8080/v1?x=1", wantErr: "query"},
		{in: "http://ran cher", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeURL(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("NormalizeURL(%q) = %+v; want an error containing %q", tt.in, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormalizeURL(%q) error = %q; want it to contain %q", tt.in, err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "sk@") {
					t.Fatalf("error repeats the credentials: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeURL(%q): %v", tt.in, err)
			}
			want := APIURL{Base: tt.wantBase, ProjectID: tt.wantProject, FromV2Beta: tt.wantV2Beta}
			if got != want {
				t.Fatalf("NormalizeURL(%q) = %+v; want %+v", tt.in, got, want)
			}
		})
	}
}

func TestNewClientConfig(t *testing.T) {
	if _, err := NewClient(Config{URL: "http://h", MaxRetries: -1}); err == nil || !strings.Contains(err.Error(), "max_retries") {
		t.Fatalf("negative MaxRetries: err = %v", err)
	}
	if _, err := NewClient(Config{URL: "http://h", CACertsPEM: []byte("not a pem")}); err == nil || !strings.Contains(err.Error(), "ca_certs") {
		t.Fatalf("bad CA PEM: err = %v", err)
	}
	if _, err := NewClient(Config{URL: "http://h/v3"}); err == nil {
		t.Fatal("v3 URL accepted")
	}
	c, err := NewClient(Config{URL: "http://h:8080/v1/projects/1a7/"})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "http://h:8080/v1" {
		t.Fatalf("BaseURL %q", c.BaseURL())
	}
}

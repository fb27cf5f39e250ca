// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"maps"
	"testing"
)

func TestLogsOffUnlessKept(t *testing.T) {
	off := map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER": "OFF"}
	for _, tc := range []struct {
		name    string
		environ []string
		want    map[string]string
	}{
		{"no log variable: Terraform drops the logs", []string{"HOME=/root", "TF_PLUGIN_MAGIC_COOKIE=d602bf8f"}, off},
		{"empty TF_LOG is unset", []string{"TF_LOG="}, off},
		{"TF_LOG", []string{"TF_LOG=trace"}, nil},
		{"TF_LOG_PROVIDER", []string{"TF_LOG_PROVIDER=debug"}, nil},
		{"OpenTofu's own variable", []string{"TOFU_LOG=trace"}, nil},
		// Terraform reads only TF_LOG and TF_LOG_PROVIDER to decide whether
		// it keeps a provider's lines; these alone leave them dropped.
		{"core logs only", []string{"TF_LOG_CORE=trace", "TF_LOG_PATH=/tmp/tf.log"}, off},
		{"an SDK level alone", []string{"TF_LOG_SDK_PROTO=trace", "TF_LOG_PROVIDER_RANCHER=trace"}, off},
		{"a variable that only looks alike", []string{"MY_TF_LOG=trace"}, off},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := logsOffUnlessKept(tc.environ); !maps.Equal(got, tc.want) {
				t.Fatalf("logsOffUnlessKept(%q) = %v, want %v", tc.environ, got, tc.want)
			}
		})
	}
}

func TestTuneGC(t *testing.T) {
	for _, tc := range []struct {
		environ []string
		want    bool
	}{
		{[]string{"HOME=/root"}, true},
		{[]string{"GOGC=100"}, false},
		{[]string{"GOMEMLIMIT=1GiB"}, false},
		{[]string{"GOGC="}, true}, // empty is unset, for Go too
		{[]string{"MY_GOGC=1"}, true},
	} {
		if got := tuneGC(tc.environ); got != tc.want {
			t.Errorf("tuneGC(%q) = %v, want %v", tc.environ, got, tc.want)
		}
	}
}

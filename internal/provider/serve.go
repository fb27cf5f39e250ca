// SPDX-License-Identifier: MPL-2.0

package provider

import (
	"os"
	rtdebug "runtime/debug"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// Serve serves the provider to Terraform (or, with debug, to a debugger
// such as delve), as providerserver.Serve does, with the provider's own
// protocol server (NewProtocol6Server) and its garbage collector and log
// settings.
func Serve(version string, debug bool) error {
	if tuneGC(os.Environ()) {
		rtdebug.SetGCPercent(gcPercent)
		rtdebug.SetMemoryLimit(gcMemoryLimit)
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		for name, value := range logsOffUnlessKept(os.Environ()) {
			if err := os.Setenv(name, value); err != nil {
				return err
			}
		}
	}
	return tf6server.Serve("registry.terraform.io/cattle-ops/rancher", NewProtocol6Server(version), opts...)
}

// The provider's live heap stays at about 4 MiB whatever the number of
// resources (each request's context is released when it returns, see
// NewProtocol6Server), while the framework allocates a great deal
// per call: at Go's default the collector ran 684 times in an apply of 1000
// credentials. Collecting at 400 % of the live heap, with a soft limit of
// 24 MiB, takes about 40 % off the provider's CPU time in a plan or apply of
// 1000 credentials, for a peak of about 39 MiB instead of 32.
const (
	gcPercent     = 400
	gcMemoryLimit = 24 << 20
)

// tuneGC says whether to use gcPercent and gcMemoryLimit: unless the user
// set GOGC or GOMEMLIMIT.
func tuneGC(environ []string) bool {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value != "" && (name == "GOGC" || name == "GOMEMLIMIT") {
			return false
		}
	}
	return true
}

// logsOffUnlessKept returns the variables that turn the provider's and the
// SDK's logs off when the Terraform (or OpenTofu) that started the provider
// drops them: it keeps a provider's log lines only when TF_LOG or
// TF_LOG_PROVIDER is set, and reads and discards them otherwise. The SDK
// would still format every trace line of every call, about a fifth of the
// provider's CPU time in a large plan. With either set, or any TOFU_LOG*
// variable, nothing changes.
func logsOffUnlessKept(environ []string) map[string]string {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if value != "" && (name == "TF_LOG" || name == "TF_LOG_PROVIDER" || strings.HasPrefix(name, "TOFU_LOG")) {
			return nil
		}
	}
	// The subsystems too: with no level of their own they would check each
	// line against their logger rather than skip it at once.
	return map[string]string{"TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF", "TF_LOG_PROVIDER": "OFF"}
}

// Command terraform-provider-rancher is the Terraform provider for the
// Rancher 1.x ("Cattle") v1 API.
package main

import (
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/cattle-ops/terraform-provider-rancher/internal/provider"
)

// version is set by the release build (goreleaser ldflags).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		for name, value := range logsOffUnlessKept(os.Environ()) {
			if err := os.Setenv(name, value); err != nil {
				log.Fatal(err)
			}
		}
	}
	// tf6server.Serve with the provider's own server, rather than
	// providerserver.Serve: see provider.NewProtocol6Server.
	if err := tf6server.Serve("registry.terraform.io/cattle-ops/rancher", provider.NewProtocol6Server(version), opts...); err != nil {
		log.Fatal(err)
	}
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

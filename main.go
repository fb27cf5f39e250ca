// SPDX-License-Identifier: MPL-2.0

// Command terraform-provider-rancher is the Terraform provider for the
// Rancher 1.x ("Cattle") v1 API.
package main

import (
	"flag"
	"log"

	"github.com/cattle-ops/terraform-provider-rancher/internal/provider"
)

// version is set by the release build (goreleaser ldflags).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if err := provider.Serve(version, debug); err != nil {
		log.Fatal(err)
	}
}

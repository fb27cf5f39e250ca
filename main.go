// Command terraform-provider-rancher is the Terraform provider for the
// Rancher 1.x ("Cattle") v1 API.
package main

import (
	"flag"
	"log"

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
	}
	// tf6server.Serve with the provider's own server, rather than
	// providerserver.Serve: see provider.NewProtocol6Server.
	if err := tf6server.Serve("registry.terraform.io/cattle-ops/rancher", provider.NewProtocol6Server(version), opts...); err != nil {
		log.Fatal(err)
	}
}

// Command terraform-provider-synapse serves the synapse Terraform provider.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/provider"
)

// Generate the docs: terraform on PATH, run from the repository root.
//go:generate go tool tfplugindocs generate --provider-name synapse

var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/synapse-fleet/synapse",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

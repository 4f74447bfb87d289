// Command terraform-provider-synapse serves the synapse Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/adopt"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/provider"
)

// Generate the docs: terraform on PATH, run from the repository root.
//go:generate go tool tfplugindocs generate --provider-name synapse

var version = "dev"

// sdkLogLevelVars are the variables that set the SDK loggers' levels (terraform-plugin-go's
// root and protocol loggers, terraform-plugin-framework's subsystem).
var sdkLogLevelVars = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// quietSDKLogging returns the variables to set so the SDK loggers are off, or nil when the user
// set any TF_LOG* variable (then every logger follows it, as usual).
//
// Without any TF_LOG* variable, the SDK loggers still write every TRACE line as JSON to stderr
// and Terraform parses and drops each one (terraform-plugin-framework issue #1269): at 500
// workers that is over a hundred thousand lines and about a quarter of the provider's CPU per
// plan. Turning them off changes nothing the user sees.
func quietSDKLogging(environ []string) []string {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "TF_LOG") {
			return nil
		}
	}
	return sdkLogLevelVars
}

func main() {
	// `terraform-provider-synapse adopt ...` turns an existing fleet into HCL (internal/adopt).
	if len(os.Args) > 1 && os.Args[1] == "adopt" {
		os.Exit(adopt.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	for _, name := range quietSDKLogging(os.Environ()) {
		if err := os.Setenv(name, "OFF"); err != nil {
			log.Fatal(err.Error())
		}
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/synapse-fleet/synapse",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

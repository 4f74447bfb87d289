// Command terraform-provider-synapse serves the synapse Terraform provider.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	rdebug "runtime/debug"
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

// gcSettings are the garbage collector settings for a plan, unless the user set GOGC or
// GOMEMLIMIT (then Go's own apply): collect when the heap has grown by 400% instead of 100%,
// with a soft limit of 1 GiB. A plan is a short burst that allocates heavily in the framework's
// value walks and keeps little; with Go's default, garbage collection is about a quarter of the
// provider's CPU. Measured on a 500-worker plan: 7.7 s to 6.1 s wall, 12.3 s to 9.2 s CPU, the
// provider's peak resident memory 120 MB to 204 MB (400 MB at 1,000 workers; docs/benchmarks.md).
func gcSettings(environ []string) (percent int, limit int64, ok bool) {
	for _, kv := range environ {
		if strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "GOMEMLIMIT=") {
			return 0, 0, false
		}
	}
	return 400, 1 << 30, true
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

	if percent, limit, ok := gcSettings(os.Environ()); ok {
		rdebug.SetGCPercent(percent)
		rdebug.SetMemoryLimit(limit)
	}

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/synapse-fleet/synapse",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

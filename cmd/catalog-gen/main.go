// Command catalog-gen writes internal/catalog/data/generated.json from a Synapse git tree
// (a checkout or a bare git directory): `make catalog SYNAPSE=<path>`. It prints what needs a
// reviewer's eye: handlers workers serve that Synapse's docs do not list, and registrations it
// could not read.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog/gen"
)

func main() {
	synapse := flag.String("synapse", "", "path of a Synapse git checkout or bare git directory")
	out := flag.String("out", "internal/catalog/data/generated.json", "file to write")
	flag.Parse()
	if *synapse == "" {
		fmt.Fprintln(os.Stderr, "catalog-gen: -synapse <path of a Synapse git tree> is required")
		os.Exit(2)
	}
	src := &gen.GitSource{Dir: *synapse}
	o, err := gen.Generate(src)
	_ = src.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "catalog-gen:", err)
		os.Exit(1)
	}
	b, err := gen.Marshal(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "catalog-gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "catalog-gen:", err)
		os.Exit(1)
	}
	fmt.Print(gen.Report(o))
}

package provider

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParseImportID: any import ID parses without a panic; an accepted one names an absolute
// path and only options the resource takes (a "host." prefix takes any longer key).
func FuzzParseImportID(f *testing.F) {
	f.Add("/etc/matrix-synapse/workers/sync1.yaml?host=10.0.0.2&roles=synchrotron,client_reader")
	f.Add("rel/w.yaml?host.sync1=a&synapse_version=1.146")
	f.Add("?roles=x")
	f.Add("/a?%zz")
	f.Add("/a?host.=x&host.sync1=y")
	allowed := []string{"host", "roles", "synapse_version", "host."}
	f.Fuzz(func(t *testing.T, id string) {
		got, err := parseImportID(id, "PATH[?host=...]", allowed...)
		if err != nil {
			return
		}
		if !filepath.IsAbs(got.path) {
			t.Fatalf("%q: accepted with a relative path %q", id, got.path)
		}
		for k := range got.opts {
			if !slices.Contains(allowed, k) && (!strings.HasPrefix(k, "host.") || len(k) <= len("host.")) {
				t.Fatalf("%q: accepted option %q", id, k)
			}
		}
		_, _ = got.list("roles")
	})
}

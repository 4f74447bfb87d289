package routing

import "net/url"

func pathUnescape(p string) (string, error) { return url.PathUnescape(p) }

// testVersions are the releases the heavier routing tests compile for (their test fleets use
// streams of 1.135 and later; the catalogue holds 74 releases and compiling every fleet for
// each would take minutes). TestCompileEveryRelease compiles one fleet for every release.
// TestPortableRegex and the catalogue tests also cover every release.
func testVersions() []string {
	return []string{"1.146", "1.157"}
}

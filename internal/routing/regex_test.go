package routing

import (
	"regexp"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

func TestPortableRegex(t *testing.T) {
	for _, v := range catalog.Versions() {
		for _, e := range catalog.MustFor(v).Endpoints {
			if err := PortableRegex(e.Pattern); err != nil {
				t.Errorf("catalogue %s pattern %s: %v", v, e.Pattern, err)
			}
		}
	}
	ok := []string{
		`^/_matrix/client/(?:api/v1|r0|v3|unstable)/rooms/([^/]+)`,
		`^/a{2,3}b{1}c{4,}$`,
		`^/[[:alnum:]_-]+\.json$`,
		`^/x[]a]`,
		`^/x\d+\/\w*\s?\S`,
		`^/a*?b+?`,
	}
	for _, p := range ok {
		if err := PortableRegex(p); err != nil {
			t.Errorf("%s rejected: %v", p, err)
		}
	}
	bad := map[string]string{
		"":                "empty",
		`(?i)^/sync`:      "flag",
		`^/(?i:sync)`:     "scoped flag",
		`^/(?P<n>x)`:      "named group",
		`^/(?<n>x)`:       "named group (PCRE form)",
		`^/(?=x)`:         "lookahead",
		`^/(?!x)`:         "negative lookahead",
		`^/(?<=x)y`:       "lookbehind",
		`^/(x)\1`:         "backreference",
		`^/\Qa.b\E`:       "quoted literal",
		`^/é`:             "non-ASCII",
		`^/\p{L}`:         "unicode class",
		`^/\x41`:          "hex escape",
		`^/a\z`:           "\\z",
		`^/a b`:           "space",
		`^/a"b`:           "quote",
		"^/a\tb":          "tab",
		`^/a*+`:           "possessive",
		`^/(a`:            "unbalanced",
		`^/a\`:            "trailing backslash",
		`^/[(?i)]x(?i)y`:  "flag after a class",
		`^/\((?P<n>x)\)`:  "named group after escaped paren",
		`^/x[\]](?i)abc`:  "flag after a class with an escaped bracket",
		`^/x[^]](?i)abc`:  "flag after a negated class starting with ]",
		`^/x[[:a:]](?i)y`: "flag after a POSIX class",
	}
	for p, why := range bad {
		if err := PortableRegex(p); err == nil {
			t.Errorf("%q (%s) accepted", p, why)
		}
	}
	if err := PortableRegex(`^/x[(?i)]y`); err != nil {
		t.Errorf("(?i) inside a class is literal: %v", err)
	}
}

func TestWitnesses(t *testing.T) {
	cases := map[string][]string{
		`^/_matrix/client/(api/v1|r0|v3|unstable)/rooms/.*/send`: {
			"/_matrix/client/api/v1/rooms//send", "/_matrix/client/unstable/rooms/!room:example.org/send",
		},
		`^/_matrix/federation/(v1|v2)/send_join/`: {"/_matrix/federation/v1/send_join/", "/_matrix/federation/v2/send_join/x"},
		`^/_matrix/client/(api/v1|r0|v3|unstable)/devices(/|$)`: {
			"/_matrix/client/api/v1/devices", "/_matrix/client/unstable/devices/",
		},
		`^/_synapse/admin/v1/rooms/[^/]+$`: {"/_synapse/admin/v1/rooms/x", "/_synapse/admin/v1/rooms/!room:example.org"},
	}
	for p, must := range cases {
		ws := Witnesses(p)
		re := regexp.MustCompile(p)
		for _, w := range ws {
			if !re.MatchString(w) {
				t.Errorf("%s: witness %q does not match", p, w)
			}
		}
		for _, m := range must {
			if !contains(ws, m) {
				t.Errorf("%s: witnesses %q lack %q", p, ws, m)
			}
		}
	}
	for _, p := range []string{`^/a$b`, `[^\x00-\x{10FFFF}]`, `^\bx\b\B`} {
		if ws := Witnesses(p); len(ws) != 0 {
			t.Errorf("%s: witnesses %q for an unsatisfiable pattern", p, ws)
		}
	}
	for _, e := range catalog.MustFor(catalog.Latest()).Endpoints {
		if n := len(Witnesses(e.Pattern)); n < 1 || n > maxWitnesses {
			t.Errorf("%s: %d witnesses", e.Pattern, n)
		}
	}
}

// TestWitnessesBounded: deep nestings of stars and alternations stay small and fast.
func TestWitnessesBounded(t *testing.T) {
	for _, p := range []string{
		strings.Repeat("(", 40) + "a*" + strings.Repeat(")*", 40),
		strings.Repeat("(a|b|c|d|e|f|g|h)", 30),
		strings.Repeat("(x+|y?)*", 20),
	} {
		ws := Witnesses(p)
		if len(ws) > maxWitnesses {
			t.Errorf("%.30s...: %d witnesses", p, len(ws))
		}
		for _, w := range ws {
			if len(w) > 1<<16 {
				t.Errorf("%.30s...: witness of %d bytes", p, len(w))
			}
		}
	}
}

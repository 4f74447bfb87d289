package fleet

import (
	"reflect"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

func TestCommonProblems(t *testing.T) {
	a := Problem{Path: "roles", Summary: "Unknown Worker Role", Detail: "x"}
	b := Problem{Path: "name", Summary: "Invalid Worker Name", Detail: "y"}
	bWarn := Problem{Path: "name", Summary: "Invalid Worker Name", Detail: "y", Warning: true}
	c := Problem{Path: "roles", Summary: "Unknown Worker Role", Detail: "x, other text"}
	aNoted := Problem{Path: "roles", Summary: "Unknown Worker Role", Detail: "x (noted)"}
	d := Problem{Path: "host", Summary: "Unknown Worker Role", Detail: "x"}
	for _, tc := range []struct {
		name string
		sets []Problems
		want Problems
	}{
		{"none", nil, nil},
		{"one set is itself", []Problems{{a, b}}, Problems{a, b}},
		{"in every set, first set's order", []Problems{{a, b}, {b, a}}, Problems{a, b}},
		{"text differs by release: kept with the note", []Problems{{a, b}, {c, b}}, Problems{aNoted, b}},
		{"another path: dropped", []Problems{{a, b}, {d, b}}, Problems{b}},
		{"warning vs error: dropped", []Problems{{b}, {bWarn}}, nil},
		{"missing in one of three", []Problems{{a, b}, {a, b}, {b}}, Problems{b}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CommonProblems("(noted)", tc.sets...); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("CommonProblems = %v, want %v", got, tc.want)
			}
		})
	}
}

// A stream that exists only in the newer release is refused by the older catalogue alone: the
// common problems across releases must not hold it, while an unknown stream (refused in every
// release) stays.
func TestCommonProblemsAcrossReleases(t *testing.T) {
	vs := catalog.Versions()
	if len(vs) < 2 {
		t.Fatal("the catalogue must know two releases for this test")
	}
	old, latest := catalog.MustFor(vs[0]), catalog.MustFor(vs[len(vs)-1])
	var newStream string
	for _, s := range latest.Streams {
		if old.Stream(s.Key) == nil {
			newStream = s.Key
		}
	}
	if newStream == "" {
		t.Fatalf("no stream of %s is missing from %s: pick another version-dependent fact", latest.Version, old.Version)
	}
	if !ValidateStreamKey(old, newStream).HasErrors() || ValidateStreamKey(latest, newStream).HasErrors() {
		t.Fatalf("test premise: %s refuses %q and %s accepts it", old.Version, newStream, latest.Version)
	}
	if got := CommonProblems("", ValidateStreamKey(latest, newStream), ValidateStreamKey(old, newStream)); len(got) != 0 {
		t.Errorf("stream %q is valid in %s but the common problems refuse it: %v", newStream, latest.Version, got)
	}
	if got := CommonProblems("", ValidateStreamKey(latest, "no_such_stream"), ValidateStreamKey(old, "no_such_stream")); !got.HasErrors() {
		t.Errorf("an unknown stream is refused by every release but not by the common problems: %v", got)
	}
}

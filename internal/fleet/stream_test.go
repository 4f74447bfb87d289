package fleet

import (
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

var c146 = catalog.MustFor("1.146")

func TestRenderStreamAssignmentGolden(t *testing.T) {
	cases := []struct {
		name string
		s    StreamAssignment
	}{
		{"events_two_persisters", StreamAssignment{Stream: "events", Writers: []string{"persister1", "persister2"}}},
		{"events_main_and_worker", StreamAssignment{Stream: "events", Writers: []string{"main", "persister1"}}},
		{"typing_single", StreamAssignment{Stream: "typing", Writers: []string{"stream1"}}},
		{"device_lists", StreamAssignment{Stream: "device_lists", Writers: []string{"devices1", "devices2"}}},
		{"quarantined_media_changes", StreamAssignment{Stream: "quarantined_media_changes", Writers: []string{"main", "media1"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, ps := RenderStreamAssignment(c157, tc.s)
			if ps.HasErrors() {
				t.Fatal(ps)
			}
			var b strings.Builder
			b.WriteString("# instance_names: " + strings.Join(a.InstanceNames, ", ") + "\n")
			for _, e := range a.Endpoints {
				b.WriteString("# endpoint: " + e.Pattern + "\n")
			}
			for _, p := range ps {
				b.WriteString("# " + p.String() + "\n")
			}
			b.WriteString(a.ConfigYAML)
			checkGolden(t, filepath.Join("testdata", "stream", tc.name+".golden"), b.String())

			var parsed map[string][]string
			if err := yaml.Unmarshal([]byte(a.ConfigYAML), &parsed); err != nil {
				t.Fatal(err)
			}
			if len(parsed) != 1 || strings.Join(parsed[tc.s.Stream], ",") != strings.Join(a.InstanceNames, ",") {
				t.Errorf("parsed %v, want %s: %v", parsed, tc.s.Stream, a.InstanceNames)
			}
		})
	}
}

func TestRenderStreamAssignmentFacts(t *testing.T) {
	a, ps := RenderStreamAssignment(c157, StreamAssignment{Stream: "events", Writers: []string{"p1", "main"}})
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	if a.ConfigYAML != "events:\n  - p1\n  - master\n" {
		t.Errorf("config = %q", a.ConfigYAML)
	}
	// The restart rules live in the rollout plan of synapse_shared_config, which sees the
	// prior state: rendering one assignment warns about nothing.
	if len(ps) != 0 {
		t.Errorf("want no problems, got:\n%s", ps)
	}
	// A single writer is still a list.
	a, ps = RenderStreamAssignment(c157, StreamAssignment{Stream: "typing", Writers: []string{"main"}})
	if a.ConfigYAML != "typing:\n  - master\n" || len(ps) != 0 {
		t.Errorf("typing: %q\n%s", a.ConfigYAML, ps)
	}
	if len(a.Endpoints) != 1 || !strings.Contains(a.Endpoints[0].Pattern, "typing") {
		t.Errorf("typing endpoints = %+v", a.Endpoints)
	}
}

func TestValidateStreamAssignmentRules(t *testing.T) {
	cases := []struct {
		name   string
		c      *catalog.Catalog
		s      StreamAssignment
		path   string
		detail string
	}{
		{"unknown stream lists valid", c157, StreamAssignment{Stream: "federation", Writers: []string{"w1"}}, "stream", `"events", "typing"`},
		{"push hint", c157, StreamAssignment{Stream: "push", Writers: []string{"w1"}}, "stream", `write "push_rules"`},
		{"quarantined_media hint", c157, StreamAssignment{Stream: "quarantined_media", Writers: []string{"w1"}}, "stream", `write "quarantined_media_changes"`},
		{"stream missing in 1.146", c146, StreamAssignment{Stream: "quarantined_media_changes", Writers: []string{"w1"}}, "stream", "Synapse 1.146"},
		{"quarantine without main (1.152-1.157)", c157, StreamAssignment{Stream: "quarantined_media_changes", Writers: []string{"media1"}}, "writers", `/sync stuck (element-hq/synapse#20080`},
		{"quarantine without main names the fix", catalog.MustFor("1.152"), StreamAssignment{Stream: "quarantined_media_changes", Writers: []string{"m1", "m2"}}, "writers", `Write writers = ["main", "m1", "m2"]`},
		{"empty writers", c157, StreamAssignment{Stream: "events"}, "writers", "at least one"},
		{"empty writers for min 0 stream", c157, StreamAssignment{Stream: "thread_subscriptions", Writers: []string{}}, "writers", "nobody could write"},
		{"single writer stream", c157, StreamAssignment{Stream: "typing", Writers: []string{"a", "b"}}, "writers", "exactly one writer"},
		{"push_rules single", c157, StreamAssignment{Stream: "push_rules", Writers: []string{"a", "b"}}, "writers", "exactly one writer"},
		{"duplicate writer", c157, StreamAssignment{Stream: "events", Writers: []string{"a", "b", "a"}}, "writers[2]", "both \"a\""},
		{"master", c157, StreamAssignment{Stream: "events", Writers: []string{"master"}}, "writers[0]", `write "main"`},
		{"Main capitalised", c157, StreamAssignment{Stream: "events", Writers: []string{"Main"}}, "writers[0]", `write "main" (lower case)`},
		{"invalid name", c157, StreamAssignment{Stream: "events", Writers: []string{"p1", "p 2"}}, "writers[1]", "may only contain"},
		{"injection name", c157, StreamAssignment{Stream: "events", Writers: []string{"p1\n  - p2"}}, "writers[0]", "may only contain"},
		{"empty name", c157, StreamAssignment{Stream: "events", Writers: []string{""}}, "writers[0]", "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps := ValidateStreamAssignment(tc.c, tc.s)
			found := false
			for _, p := range ps {
				found = found || (p.Path == tc.path && !p.Warning && strings.Contains(p.Detail, tc.detail))
			}
			if !found {
				t.Errorf("want an error at %q containing %q; got:\n%s", tc.path, tc.detail, ps)
			}
			if _, rps := RenderStreamAssignment(tc.c, tc.s); !rps.HasErrors() {
				t.Error("RenderStreamAssignment rendered an invalid assignment")
			}
		})
	}
}

func TestStreamWritersNode(t *testing.T) {
	got := encodeYAML(StreamWritersNode(c157, []StreamAssignment{
		{Stream: "typing", Writers: []string{"main"}}, {Stream: "events", Writers: []string{"p1", "p2"}},
	}))
	if got != "typing:\n  - master\nevents:\n  - p1\n  - p2\n" {
		t.Errorf("got %q", got)
	}
}

func TestRenderStreamAssignmentDeterministic(t *testing.T) {
	s := StreamAssignment{Stream: "receipts", Writers: []string{"r1", "main", "r2"}}
	a1, _ := RenderStreamAssignment(c157, s)
	a2, _ := RenderStreamAssignment(c157, s)
	if a1.ConfigYAML != a2.ConfigYAML || a1.ConfigYAML != "receipts:\n  - r1\n  - master\n  - r2\n" {
		t.Errorf("%q vs %q", a1.ConfigYAML, a2.ConfigYAML)
	}
}

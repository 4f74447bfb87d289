package catalog

import (
	"slices"
	"strings"
	"testing"
)

// TestDiff135To157 checks the upgrade view against the facts read from Synapse's tree.
func TestDiff135To157(t *testing.T) {
	u := Diff(MustFor("1.135"), MustFor("1.157.1"))
	if !slices.Contains(u.StreamRules, "quarantined_media_changes: the main process must be among the writers") {
		t.Errorf("stream rules %v lack the main process writing quarantined_media_changes (1.152-1.157)", u.StreamRules)
	}
	if !slices.Equal(u.StreamsAdded, []string{"quarantined_media_changes"}) || len(u.StreamsRemoved) != 0 {
		t.Errorf("streams added %v removed %v", u.StreamsAdded, u.StreamsRemoved)
	}
	if len(u.OptionsAdded) != 0 || len(u.NowRefused) != 0 {
		t.Errorf("options added %v, now refused %v: no worker option changed between 1.135 and 1.157", u.OptionsAdded, u.NowRefused)
	}
	var versions []string
	for _, n := range u.Notes {
		versions = append(versions, n.Version)
		if !strings.HasPrefix(n.Link, "https://element-hq.github.io/synapse/latest/upgrade.html#") {
			t.Errorf("note %+v has no upgrade.md link", n)
		}
	}
	if !slices.Contains(versions, "1.152") || slices.Contains(versions, "1.135") || !slices.IsSortedFunc(versions, compareVersions) {
		t.Errorf("notes are for %v: want the releases after 1.135 up to 1.157 (1.152 among them), oldest first", versions)
	}
	added := strings.Join(u.EndpointsAdded, "\n")
	for _, want := range []string{"^/_synapse/admin/v1/quarantine_media/.*$ -> writers of quarantined_media_changes", "msc4308/thread_subscriptions", "^/_matrix/client/v1/room_summary/.*$",
		"^/_synapse/admin/v1/media/.*$ -> media_repository (only processes writing quarantined_media_changes)"} {
		if !strings.Contains(added, want) {
			t.Errorf("endpoints added lack %q:\n%s", want, added)
		}
	}
	if u.Empty() {
		t.Error("a diff with changes reports Empty")
	}
}

func TestDiffOlderReleases(t *testing.T) {
	u := Diff(MustFor("1.87"), MustFor("1.96"))
	for _, want := range []string{"worker_replication_host", "worker_replication_http_port", "worker_replication_http_tls"} {
		if !slices.Contains(u.NowRefused, want) {
			t.Errorf("1.87 -> 1.96: %s is not reported refused: %v", want, u.NowRefused)
		}
	}
	if !slices.Contains(u.OptionsAdded, "outbound_federation_restricted_to") {
		t.Errorf("options added %v lack outbound_federation_restricted_to", u.OptionsAdded)
	}
	if !slices.Contains(u.StreamRules, "receipts: now takes several writers") {
		t.Errorf("stream rules %v lack receipts becoming multi-writer", u.StreamRules)
	}
	if d := Diff(MustFor("1.157"), MustFor("1.157.1")); !d.Empty() {
		t.Errorf("a release against itself: %+v", d)
	}
	back := Diff(MustFor("1.157"), MustFor("1.135"))
	if !slices.Equal(back.StreamsRemoved, []string{"quarantined_media_changes"}) || len(back.Notes) != 0 {
		t.Errorf("a downgrade: removed %v, notes %v", back.StreamsRemoved, back.Notes)
	}
}

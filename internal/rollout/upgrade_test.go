package rollout

import (
	"slices"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// TestUpgradeLines: a fleet's upgrade from 1.135 to 1.157 names the routes that move, the new
// stream and its writer rule, and the upgrade notes, and the plan's text carries them.
func TestUpgradeLines(t *testing.T) {
	from, to := catalog.MustFor("1.135"), catalog.MustFor("1.157")
	moves := []routing.Move{{Pattern: "^/_matrix/client/v1/room_summary/.*$", ToPool: "client_reader", ToMembers: []string{"client-1"}}}
	lines := UpgradeLines(catalog.Diff(from, to), moves)
	for _, want := range []string{
		"route ^/_matrix/client/v1/room_summary/.*$: (no route) -> client_reader [client-1]",
		"streams added: quarantined_media_changes",
		"stream rule quarantined_media_changes: the main process must be among the writers",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("lines lack %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	notes := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "read the 1.") && strings.Contains(l, "https://") {
			notes++
		}
	}
	if notes != 2 { // 1.144 (MSC4140 /restart) and 1.152 (quarantine writers)
		t.Errorf("%d upgrade notes, want 2:\n%s", notes, strings.Join(lines, "\n"))
	}
	if got := UpgradeLines(catalog.Diff(to, to), nil); len(got) != 0 {
		t.Errorf("no release change, yet lines %q", got)
	}

	prev, next := base(), base()
	prev.SynapseVersion, next.SynapseVersion = "1.135", "1.157"
	p := Compute(catalog.Rollout(), prev, next)
	p.Upgrade = lines
	if text := p.Text(); !strings.Contains(text, "What the new release changes in this fleet:\n- route ^/_matrix/client/v1/room_summary/") {
		t.Errorf("the plan's text does not carry the upgrade lines:\n%s", text)
	}
	if p.Level != Coordinated {
		t.Errorf("an upgrade is %s, want %s", p.Level, Coordinated)
	}
}

package rollout

import (
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// UpgradeLines says, one line each, what a change of Synapse release moves in one fleet: the
// routes whose pool (or pool members) change, from moves (routing.Moves of the fleet's table
// compiled for both releases), then the catalogue's differences that concern every fleet
// (streams, writer rules, options refused, added or removed) and the worker-related upgrade
// notes to read before upgrading. Endpoints the catalogue adds or removes are left to moves:
// only those that change where this fleet's requests go are worth a line.
func UpgradeLines(u catalog.Upgrade, moves []routing.Move) []string {
	var out []string
	for _, m := range moves {
		out = append(out, "route "+m.String())
	}
	list := func(label string, xs []string) {
		if len(xs) > 0 {
			out = append(out, label+": "+strings.Join(xs, ", "))
		}
	}
	list("streams added", u.StreamsAdded)
	list("streams removed (drop them from stream_writers first)", u.StreamsRemoved)
	for _, r := range u.StreamRules {
		out = append(out, "stream rule "+r)
	}
	list("options Synapse now refuses to start with (remove them before the upgrade)", u.NowRefused)
	list("options added", u.OptionsAdded)
	list("options removed", u.OptionsRemoved)
	for _, n := range u.Notes {
		out = append(out, "read the "+n.Version+" upgrade note \""+n.Title+"\": "+n.Link)
	}
	return out
}

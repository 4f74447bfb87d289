package routing

import (
	"strings"
	"testing"
)

// TestMovesAcrossReleases compiles the one-per-role fleet for 1.109 and 1.157 and checks what
// moves: sliding sync arrives on the sync pool, account data writes leave the client readers
// (GET-only from 1.122), and nothing is reported between a release and itself.
func TestMovesAcrossReleases(t *testing.T) {
	before, after := compileFleet(t, "1.109", "one_per_role"), compileFleet(t, "1.157", "one_per_role")
	ms := Moves(before, after)
	var lines []string
	for _, m := range ms {
		lines = append(lines, m.String())
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		`^/_matrix/client/unstable/org\.matrix\.simplified_msc3575/sync$: (no route) -> synchrotron [sync1]`,
		`GET,HEAD ^/_matrix/client/(r0|v3|unstable)/.*/account_data: (no route) -> client_reader [reader1]`,
		`^/_matrix/client/(r0|v3|unstable)/.*/account_data: client_reader -> (no route)`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("moves lack %q:\n%s", want, all)
		}
	}
	if got := Moves(after, after); len(got) != 0 {
		t.Errorf("a table against itself moves %v", got)
	}
	// Same routes, other members: reported.
	changed := compileFleet(t, "1.157", "pools")
	found := false
	for _, m := range Moves(after, changed) {
		if m.FromPool == m.ToPool && m.ToPool == "synchrotron" {
			found = true
		}
	}
	if !found {
		t.Error("a pool whose members change is not reported")
	}
}

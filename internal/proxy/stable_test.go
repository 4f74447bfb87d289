package proxy

import (
	"slices"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// removedLines returns the lines of before that a line diff to after removes or changes: those
// outside a longest common subsequence of the two line lists.
func removedLines(before, after string) []string {
	a, b := strings.Split(before, "\n"), strings.Split(after, "\n")
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var removed []string
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			removed = append(removed, a[i])
			i++
		default:
			j++
		}
	}
	return append(removed, a[i:]...)
}

func TestRemovedLines(t *testing.T) {
	for _, c := range []struct {
		before, after string
		want          []string
	}{
		{"a\nb\nc", "a\nx\nb\nc\ny", nil},
		{"a\nb\nc", "a\nB\nc", []string{"b"}},
		{"a\nb\nc", "b\na\nc", []string{"a"}},
		{"m0\nm1", "m0\nm1\nm2", nil},
		{"x m1\ny m2", "x m2\nz m1\ny m3", []string{"x m1", "y m2"}},
	} {
		if got := removedLines(c.before, c.after); !slices.Equal(got, c.want) {
			t.Errorf("removedLines(%q, %q) = %q, want %q", c.before, c.after, got, c.want)
		}
	}
}

// TestAddingARouteOnlyAddsLines adds a route to a table, at its front (where user routes go)
// and in its middle, and checks that every line of each rendered file survives unchanged and in
// order, except the lines that depend on what the route changes: no generated name may derive
// from a position. Most of the routes bring a new condition class (a method no route named, a
// query parameter no route tested), which must only add lines; nginx's one line listing the
// query parameters changes with a new one. A route only GET takes changes where GET (and not
// HEAD) requests go: nginx may change the lines of the GET classes and nothing else.
func TestAddingARouteOnlyAddsLines(t *testing.T) {
	nothing := func(Proxy, string) bool { return false }
	newParam := func(p Proxy, l string) bool { return p == Nginx && strings.HasPrefix(l, `map "$mx_m`) }
	added := map[string]struct {
		route   routing.Route
		changes func(p Proxy, line string) bool
	}{
		// DELETE sorts before GET and HEAD, PUT after them: neither may renumber anything.
		"DELETE": {routing.Route{Pattern: `^/_synapse/client/delete_only/`, Methods: []string{"DELETE"}, Pool: "client_reader", Group: "extra route delete"}, nothing},
		"PUT":    {routing.Route{Pattern: `^/_synapse/client/put_only/`, Methods: []string{"PUT"}, Pool: "client_reader", Group: "extra route put"}, nothing},
		"POST, PUT": {routing.Route{Pattern: `^/_synapse/client/write/`, Methods: []string{"POST", "PUT"}, Pool: "client_reader",
			Group: "extra route write"}, nothing},
		// "from" sorts before "since", "to" after it.
		"from set": {routing.Route{Pattern: `^/_matrix/client/v3/rooms/[^/]+/messages$`, Query: &routing.QueryCondition{Param: "from", Present: true},
			Pool: "client_reader", Group: "messages with from"}, newParam},
		"GET to set": {routing.Route{Pattern: `^/_matrix/client/v3/rooms/[^/]+/messages$`, Methods: []string{"GET"}, Query: &routing.QueryCondition{Param: "to", Present: true},
			Pool: "client_reader", Group: "messages with to"}, newParam},
		"unconditional": {routing.Route{Pattern: `^/_synapse/client/anything/`, Pool: "client_reader", Group: "extra route anything"}, nothing},
		"GET only": {routing.Route{Pattern: `^/_synapse/client/get_only/`, Methods: []string{"GET"}, Pool: "client_reader", Group: "extra route get"},
			func(p Proxy, l string) bool { return p == Nginx && strings.HasPrefix(l, `"GET`) }},
	}
	tables := map[string]routing.Table{"sample": sampleTable(), "compiled": compiledTable(t)}
	for tname, table := range tables {
		for aname, a := range added {
			for _, at := range []int{0, len(table.Routes) / 2} {
				grown := table
				grown.Routes = slices.Insert(slices.Clone(table.Routes), at, a.route)
				for _, p := range Proxies {
					before, err := renderers[p](table, goldenOptions)
					if err != nil {
						t.Fatal(err)
					}
					after, err := renderers[p](grown, goldenOptions)
					if err != nil {
						t.Fatal(err)
					}
					files := map[string][2]string{"full": {before.Full, after.Full}, "snippet": {before.Snippet, after.Snippet}, "http": {before.HTTPSnippet, after.HTTPSnippet}}
					for k, v := range before.Files {
						files[k] = [2]string{v, after.Files[k]}
					}
					for fname, f := range files {
						if f[0] == f[1] {
							// Pool files and nginx's location snippet hold no routes; every other file must show the new one.
							if fname == "full" || fname == EntryFile(p) || (fname == "snippet" && p != Nginx) || (fname == "http" && p == Nginx) {
								t.Errorf("%s/%s/%s: adding route %q at %d left the file unchanged", tname, p, fname, aname, at)
							}
							continue
						}
						removed := slices.DeleteFunc(removedLines(f[0], f[1]), func(l string) bool { return a.changes(p, strings.TrimSpace(l)) })
						if len(removed) > 0 {
							t.Errorf("%s/%s/%s: adding route %q at %d changed or removed %d lines, e.g.\n%s",
								tname, p, fname, aname, at, len(removed), strings.Join(removed[:min(len(removed), 8)], "\n"))
						}
					}
				}
			}
		}
	}
}

package routing

import (
	"sort"
	"strings"
)

// Move is one route whose pool differs between two tables (typically the same fleet compiled
// for two Synapse releases): FromPool is "" when the route is new (its requests went to the
// main process or to an earlier, broader route), ToPool "" when it is gone (they now go to
// main or to a later route). FromMembers and ToMembers name the pools' workers.
type Move struct {
	Pattern     string   `json:"pattern"`
	Methods     []string `json:"methods,omitempty"`
	Query       string   `json:"query,omitempty"`
	Group       string   `json:"group"`
	FromPool    string   `json:"from_pool"`
	ToPool      string   `json:"to_pool"`
	FromMembers []string `json:"from_members"`
	ToMembers   []string `json:"to_members"`
}

// String is one line for a plan: `POST ^/…/sync: main -> synchrotron [sync1 sync2]`.
func (m Move) String() string {
	var b strings.Builder
	if len(m.Methods) > 0 {
		b.WriteString(strings.Join(m.Methods, ",") + " ")
	}
	b.WriteString(m.Pattern)
	if m.Query != "" {
		b.WriteString(" (" + m.Query + ")")
	}
	from, to := m.FromPool, m.ToPool
	if from == "" {
		from = "(no route)"
	}
	if to == "" {
		to = "(no route)"
	}
	b.WriteString(": " + from + " -> " + to)
	if len(m.ToMembers) > 0 {
		b.WriteString(" [" + strings.Join(m.ToMembers, " ") + "]")
	}
	return b.String()
}

// Moves lists the routes of before and after whose pool, or whose pool's members, differ, in a
// stable order (after's route order, then before's removed routes). A day-2 rollout plan calls
// it with the table compiled for the running release and for the target release.
func Moves(before, after Table) []Move {
	key := func(r Route) string {
		q := ""
		if r.Query != nil {
			q = r.Query.Param
			if r.Query.Present {
				q += "=present"
			} else {
				q += "=absent"
			}
		}
		return r.Pattern + "\x00" + strings.Join(r.Methods, ",") + "\x00" + q
	}
	members := func(t Table, pool string) []string {
		for _, p := range t.Pools {
			if p.Name == pool {
				out := make([]string, len(p.Members))
				for i, m := range p.Members {
					out[i] = m.Name
				}
				return out
			}
		}
		return nil
	}
	query := func(r Route) string {
		if r.Query == nil {
			return ""
		}
		if r.Query.Present {
			return r.Query.Param + " present"
		}
		return r.Query.Param + " absent"
	}
	old := map[string]Route{}
	for _, r := range before.Routes {
		old[key(r)] = r
	}
	seen := map[string]bool{}
	var out []Move
	for _, r := range after.Routes {
		k := key(r)
		seen[k] = true
		o, had := old[k]
		tm := members(after, r.Pool)
		if had && o.Pool == r.Pool && strings.Join(members(before, o.Pool), " ") == strings.Join(tm, " ") {
			continue
		}
		m := Move{Pattern: r.Pattern, Methods: r.Methods, Query: query(r), Group: r.Group, ToPool: r.Pool, ToMembers: tm}
		if had {
			m.FromPool, m.FromMembers = o.Pool, members(before, o.Pool)
		}
		out = append(out, m)
	}
	var gone []Move
	for _, r := range before.Routes {
		if seen[key(r)] {
			continue
		}
		gone = append(gone, Move{Pattern: r.Pattern, Methods: r.Methods, Query: query(r), Group: r.Group,
			FromPool: r.Pool, FromMembers: members(before, r.Pool)})
	}
	sort.SliceStable(gone, func(i, j int) bool { return gone[i].Pattern < gone[j].Pattern })
	return append(out, gone...)
}

// Package rollout turns a change to a Synapse worker fleet into a rollout plan: what each
// process needs (nothing, a proxy reload, a restart of that process alone, or a place in a
// group stopped and started together) and the ordered steps.
//
// It compares two Snapshots, the fleet as it was (from Terraform's prior state) and as it will
// be (from the plan), facet by facet, and applies the restart rules of the catalogue
// (internal/catalog/data/rollout.json): the first rule whose facet, key and kind of change
// match decides. Nothing about Synapse is written here; a new rule is a data change.
//
// This package is pure: it never imports terraform-plugin-framework.
package rollout

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// Level is what a change needs from a process, from least to most disruptive.
type Level string

// The levels, in increasing order.
const (
	None        Level = "none"
	ProxyReload Level = "proxy_reload"
	Rolling     Level = "rolling_restart"
	Coordinated Level = "coordinated_restart"
)

// Levels lists every level, least disruptive first.
var Levels = []Level{None, ProxyReload, Rolling, Coordinated}

func (l Level) rank() int { return slices.Index(Levels, l) }

// Max returns the more disruptive level.
func Max(a, b Level) Level {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Main is the fleet name of the main process.
const Main = "main"

// Snapshot is a fleet as the rollout sees it. Empty strings and nil maps mean "not known"
// (state written by an older provider): such a facet is never reported as changed.
type Snapshot struct {
	// SynapseVersion is the release the fleet runs.
	SynapseVersion string
	// Workers maps every worker name to a digest of its own files ("" when not known).
	Workers map[string]string
	// StreamWriters maps a stream to its writers (fleet names; "main" is the main process). An
	// absent stream is written by the main process alone, Synapse's default.
	StreamWriters map[string][]string
	// InstanceMap maps a process to its replication address.
	InstanceMap map[string]string
	// Duties maps a duty option to the processes doing it, as Synapse resolves it.
	Duties map[string][]string
	// Redis, ReplicationSecret, SharedFile, SecretFile and Proxy are opaque values (settings or
	// digests) compared for equality; secrets must be passed as digests.
	Redis             string
	ReplicationSecret string
	SharedFile        string
	SecretFile        string
	Proxy             string
}

// Change is one detected change and the rule that classified it.
type Change struct {
	Rule  string
	Facet string
	Key   string
	// Kind is value, added, removed, membership or order.
	Kind      string
	Level     Level
	Detail    string
	Why       string
	Source    string
	Processes []string
}

// Step is one ordered operation of the rollout.
type Step struct {
	// Action is stop, deploy, start, restart or reload_proxy.
	Action    string
	Processes []string
	Detail    string
}

// Plan is the rollout of one change to the fleet.
type Plan struct {
	Level     Level
	Summary   string
	Changes   []Change
	Processes map[string]Level
	Steps     []Step
	// Upgrade says what a change of Synapse release moves in the fleet (UpgradeLines); empty
	// when the release stays.
	Upgrade []string
}

// Initial is the plan of a fleet's first deployment: nothing runs yet, so nothing restarts.
func Initial(next Snapshot) Plan {
	workers := sortedKeys(next.Workers)
	p := Plan{Level: None, Processes: map[string]Level{},
		Summary: "first deployment: nothing is running yet, so nothing restarts; start the main process first, then the workers"}
	p.Steps = append(p.Steps, Step{Action: "deploy", Detail: "write every file on every host"})
	p.Steps = append(p.Steps, Step{Action: "start", Processes: []string{Main}, Detail: "the main process first: it prepares the database schema"})
	if len(workers) > 0 {
		p.Steps = append(p.Steps, Step{Action: "start", Processes: workers, Detail: "the workers"})
	}
	if next.Proxy != "" {
		p.Steps = append(p.Steps, Step{Action: "reload_proxy", Detail: "start the reverse proxy once the processes answer"})
	}
	return p
}

// raw is one facet value: a scalar or a list; present says whether it exists.
type raw struct {
	present bool
	list    bool
	scalar  string
	items   []string
}

// facetChange is a detected change before classification.
type facetChange struct {
	facet, key, kind string
	old, new         raw
}

// showValues lists the facets whose values may appear in details (never secrets or digests).
var showValues = map[string]bool{"synapse_version": true, "redis": true, "stream_writers": true, "duty": true, "instance_map": true}

// diff lists every change between two snapshots: version, redis, secret, stream writers, duties,
// instance_map, workers, shared file, secret file, proxy; keys sorted within each.
func diff(prev, next Snapshot) []facetChange {
	var out []facetChange
	scalar := func(facet, key, a, b string, aPresent, bPresent bool) {
		switch {
		case aPresent && bPresent && a != b && a != "" && b != "":
			out = append(out, facetChange{facet, key, "value", raw{present: true, scalar: a}, raw{present: true, scalar: b}})
		case aPresent && !bPresent:
			out = append(out, facetChange{facet, key, "removed", raw{present: true, scalar: a}, raw{}})
		case !aPresent && bPresent:
			out = append(out, facetChange{facet, key, "added", raw{}, raw{present: true, scalar: b}})
		}
	}
	// A blank opaque value is "none" for secrets and redis (added/removed), "unknown" for the
	// version (never reported).
	optional := func(facet, a, b string) { scalar(facet, "", a, b, a != "", b != "") }
	scalar("synapse_version", "", prev.SynapseVersion, next.SynapseVersion, true, true)
	optional("redis", prev.Redis, next.Redis)
	optional("replication_secret", prev.ReplicationSecret, next.ReplicationSecret)
	list := func(facet string, a, b map[string][]string, dflt []string) {
		for _, k := range unionKeys(a, b) {
			x, okA := a[k]
			y, okB := b[k]
			if !okA {
				x = dflt
			}
			if !okB {
				y = dflt
			}
			if x == nil && y == nil {
				continue
			}
			kind := ""
			switch {
			case !sameSet(x, y):
				kind = "membership"
			case !slices.Equal(x, y):
				kind = "order"
			}
			if kind != "" {
				out = append(out, facetChange{facet, k, kind, raw{present: okA, list: true, items: x}, raw{present: okB, list: true, items: y}})
			}
		}
	}
	list("stream_writers", prev.StreamWriters, next.StreamWriters, []string{Main})
	list("duty", prev.Duties, next.Duties, nil)
	for _, k := range unionKeys(prev.InstanceMap, next.InstanceMap) {
		a, okA := prev.InstanceMap[k]
		b, okB := next.InstanceMap[k]
		scalar("instance_map", k, a, b, okA, okB)
	}
	if prev.Workers != nil && next.Workers != nil {
		for _, k := range unionKeys(prev.Workers, next.Workers) {
			a, okA := prev.Workers[k]
			b, okB := next.Workers[k]
			scalar("worker", k, a, b, okA, okB)
		}
	}
	scalar("shared_file", "", prev.SharedFile, next.SharedFile, true, true)
	optional("secret_file", prev.SecretFile, next.SecretFile)
	if prev.Proxy != "" || next.Proxy != "" {
		// A proxy digest that appears (state from a provider that did not track it) is a reload.
		scalar("proxy", "", prev.Proxy, next.Proxy, prev.Proxy != "", next.Proxy != "")
	}
	return out
}

// match returns the first rule for a change, or nil.
func match(rules []catalog.RolloutRule, c facetChange) *catalog.RolloutRule {
	for i := range rules {
		r := &rules[i]
		if r.Facet != c.facet || !slices.Contains(r.Changes, c.kind) {
			continue
		}
		if len(r.Keys) > 0 && !slices.Contains(r.Keys, c.key) {
			continue
		}
		return r
	}
	return nil
}

// Compute classifies every change from prev to next with the rules and orders the steps.
func Compute(rules catalog.RolloutRules, prev, next Snapshot) Plan {
	all := map[string]bool{Main: true}
	for w := range prev.Workers {
		all[w] = true
	}
	for w := range next.Workers {
		all[w] = true
	}
	removed, added := map[string]bool{}, map[string]bool{}
	if prev.Workers != nil && next.Workers != nil {
		for w := range prev.Workers {
			if _, ok := next.Workers[w]; !ok {
				removed[w] = true
			}
		}
		for w := range next.Workers {
			if _, ok := prev.Workers[w]; !ok {
				added[w] = true
			}
		}
	}
	p := Plan{Level: None, Processes: map[string]Level{}}
	coord := map[string]bool{}
	rolling := map[string]bool{}
	proxy := false
	for _, fc := range diff(prev, next) {
		r := match(rules.Rules, fc)
		if r == nil {
			continue // no rule: the change needs nothing from the processes
		}
		lvl := Level(r.Level)
		var who []string
		switch r.Group {
		case "all":
			who = sortedSet(all)
		case "members", "members_and_main":
			set := map[string]bool{}
			for _, n := range append(append([]string(nil), fc.old.items...), fc.new.items...) {
				set[n] = true
			}
			if r.Group == "members_and_main" {
				set[Main] = true
			}
			who = sortedSet(set)
		case "subject":
			if fc.key != "" {
				who = []string{fc.key}
			}
		}
		ch := Change{Rule: r.ID, Facet: fc.facet, Key: fc.key, Kind: fc.kind, Level: lvl,
			Detail: detail(rules, fc), Why: r.Why, Source: r.Source, Processes: who}
		p.Changes = append(p.Changes, ch)
		p.Level = Max(p.Level, lvl)
		switch lvl {
		case Coordinated:
			for _, n := range who {
				coord[n] = true
			}
		case Rolling:
			for _, n := range who {
				rolling[n] = true
			}
		case ProxyReload:
			proxy = true
		}
		for _, n := range who {
			if lvl != None {
				p.Processes[n] = Max(p.Processes[n], lvl)
			}
		}
	}
	p.Steps = steps(coord, rolling, added, removed, proxy, len(p.Changes) > 0)
	p.Summary = summary(p, coord, rolling, added, removed, proxy)
	return p
}

// steps orders the operations: the coordinated group stops, files are deployed, the main
// process starts before the group's workers, the other affected processes restart one at a
// time (main first), new workers start, the proxy reloads (so it sends traffic only to
// started workers and none to the ones about to stop), and removed workers stop.
func steps(coord, rolling, added, removed map[string]bool, proxy, changed bool) []Step {
	var out []Step
	if !changed {
		return out
	}
	if len(coord) > 0 {
		if running := without(coord, added); len(running) > 0 {
			out = append(out, Step{Action: "stop", Processes: mainFirstList(running), Detail: "stop these processes together, before any new file is in place"})
		}
	}
	out = append(out, Step{Action: "deploy", Detail: "write the new files on every host"})
	if coord[Main] {
		out = append(out, Step{Action: "start", Processes: []string{Main}, Detail: "the main process first"})
	}
	if rest := without(coord, removed, map[string]bool{Main: true}); len(rest) > 0 {
		out = append(out, Step{Action: "start", Processes: rest, Detail: "then the rest of the group"})
	}
	if r := without(rolling, coord, added, removed); len(r) > 0 {
		out = append(out, Step{Action: "restart", Processes: mainFirstList(r), Detail: "one at a time (rolling), waiting for each to answer /health"})
	}
	if a := without(added, coord); len(a) > 0 {
		out = append(out, Step{Action: "start", Processes: a, Detail: "the new workers"})
	}
	if proxy {
		out = append(out, Step{Action: "reload_proxy", Detail: "graceful reload of the reverse proxy"})
	}
	if r := without(removed, coord); len(r) > 0 {
		out = append(out, Step{Action: "stop", Processes: r, Detail: "the removed workers, once the proxy no longer sends them traffic"})
	}
	return out
}

func summary(p Plan, coord, rolling, added, removed map[string]bool, proxy bool) string {
	if len(p.Changes) == 0 {
		return "no change reaches a running process"
	}
	var parts []string
	if len(coord) > 0 {
		var why []string
		for _, c := range p.Changes {
			if c.Level == Coordinated && !slices.Contains(why, c.Detail) {
				why = append(why, c.Detail)
			}
		}
		parts = append(parts, fmt.Sprintf("stop %s together, deploy, then start them (main first) because %s", strings.Join(mainFirstList(without(coord, added)), ", "), strings.Join(why, "; ")))
	}
	if r := without(rolling, coord, added, removed); len(r) > 0 {
		parts = append(parts, fmt.Sprintf("restart %s one at a time", strings.Join(mainFirstList(r), ", ")))
	}
	if a := without(added, coord); len(a) > 0 {
		parts = append(parts, "start "+strings.Join(a, ", "))
	}
	if proxy {
		parts = append(parts, "reload the reverse proxy")
	}
	if r := without(removed, coord); len(r) > 0 {
		parts = append(parts, "then stop "+strings.Join(r, ", "))
	}
	if len(parts) == 0 {
		return "no running process needs anything"
	}
	return string(p.Level) + ": " + strings.Join(parts, "; ")
}

// Text is the plan in a few lines, for a diagnostic.
func (p Plan) Text() string {
	var b strings.Builder
	b.WriteString(p.Summary)
	b.WriteString(".\n\nWhy:")
	for _, c := range p.Changes {
		if c.Level == None {
			continue
		}
		fmt.Fprintf(&b, "\n- %s (%s): %s. Source: %s.", c.Detail, c.Level, c.Why, c.Source)
	}
	if len(p.Upgrade) > 0 {
		b.WriteString("\n\nWhat the new release changes in this fleet:")
		for _, l := range p.Upgrade {
			b.WriteString("\n- " + l)
		}
	}
	b.WriteString("\n\nSteps:")
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "\n%d. %s", i+1, s.Action)
		if len(s.Processes) > 0 {
			fmt.Fprintf(&b, " %s", strings.Join(s.Processes, ", "))
		}
		if s.Detail != "" {
			fmt.Fprintf(&b, ": %s", s.Detail)
		}
	}
	return b.String()
}

func detail(rules catalog.RolloutRules, c facetChange) string {
	label := rules.Facets[c.facet]
	if label == "" {
		label = c.facet
	}
	subject := label
	if c.key != "" {
		subject += " " + c.key
	}
	if !showValues[c.facet] {
		switch c.kind {
		case "added":
			return subject + " is added"
		case "removed":
			return subject + " is removed"
		}
		return subject + " changes"
	}
	show := func(r raw) string {
		if !r.present && !r.list {
			return "(none)"
		}
		if r.list {
			if len(r.items) == 0 {
				return "[]"
			}
			return "[" + strings.Join(r.items, ", ") + "]"
		}
		return r.scalar
	}
	return fmt.Sprintf("%s: %s -> %s", subject, show(c.old), show(c.new))
}

func mainFirstList(names []string) []string {
	out := make([]string, 0, len(names))
	if slices.Contains(names, Main) {
		out = append(out, Main)
	}
	for _, n := range names {
		if n != Main {
			out = append(out, n)
		}
	}
	return out
}

// without lists the elements of set that are in none of the others, sorted.
func without(set map[string]bool, others ...map[string]bool) []string {
	var out []string
	for n := range set {
		skip := false
		for _, o := range others {
			skip = skip || o[n]
		}
		if !skip {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	return sortedSet(set)
}

func sameSet(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

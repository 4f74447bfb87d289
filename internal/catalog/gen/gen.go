// Package gen derives the generated part of the catalogue (internal/catalog/data/generated.json)
// from a Synapse git tree: for every release tag from v1.84.0 on it reads docs/workers.md,
// synapse/config/workers.py, synapse/config/redis.py and the servlet registrations, and writes
// the facts with the releases they hold for. It reads Synapse's text and derives facts; it
// never imports, runs or copies Synapse's code. The hand-kept facts (roles, stickiness, notes)
// live in data/overlay.json, which the catalogue merges at load time.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// FirstMinor is the oldest Synapse minor release the catalogue covers.
const FirstMinor = 84

// Release is one Synapse minor release and the tag its facts were read from (its newest
// patch release: patch releases never change worker configuration, except 1.84.0 whose
// instance_map regression 1.84.1 fixed).
type Release struct {
	Version string `json:"version"`
	Tag     string `json:"tag"`
}

// Span is the releases a fact holds for: from Since (inclusive) to Until (exclusive); an
// empty bound is open.
type Span struct {
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
}

// Endpoint is a docs pattern with its span.
type Endpoint struct {
	DocEndpoint
	Span
}

// Stream is a stream rule with its span.
type Stream struct {
	StreamRule
	Span
}

// Option is a worker configuration option with its span.
type Option struct {
	Key string `json:"key"`
	Span
}

// MainInstanceMap is Synapse's rule for finding the main process, with its span.
type MainInstanceMap struct {
	Rule string `json:"rule"`
	Span
}

// CodeOnly is a handler a generic worker registers whose paths no docs pattern of the same
// release covers: reported, and carried into the catalogue only through a reviewed overlay entry.
type CodeOnly struct {
	Servlet
	// Uncovered are example paths of the pattern that no docs pattern matches.
	Uncovered []string `json:"uncovered"`
	Span
}

// UnparsedSpan is an unparsed registration with its span.
type UnparsedSpan struct {
	Unparsed
	Span
}

// Output is the generated catalogue data.
type Output struct {
	Comment         string            `json:"comment"`
	Source          string            `json:"source"`
	Releases        []Release         `json:"releases"`
	Endpoints       []Endpoint        `json:"endpoints"`
	Streams         []Stream          `json:"streams"`
	Options         []Option          `json:"options"`
	RefusedOptions  []Option          `json:"refused_options"`
	MainInstanceMap []MainInstanceMap `json:"main_instance_map"`
	CodeOnly        []CodeOnly        `json:"code_only_endpoints"`
	Unparsed        []UnparsedSpan    `json:"unparsed_registrations"`
	// UpgradeNotes are the worker-related sections of the newest release's docs/upgrade.md
	// for releases after the first one covered.
	UpgradeNotes []UpgradeNote `json:"upgrade_notes"`
}

// Source is a Synapse tree at its tags.
type Source interface {
	Reader
	Tags() ([]string, error)
}

var releaseTag = regexp.MustCompile(`^v1\.(\d+)\.(\d+)$`)

// Releases picks, per minor release from FirstMinor on, the newest patch tag (no rc tags).
func Releases(tags []string) []Release {
	best := map[int]int{}
	for _, t := range tags {
		m := releaseTag.FindStringSubmatch(t)
		if m == nil {
			continue
		}
		mi, _ := strconv.Atoi(m[1])
		pa, _ := strconv.Atoi(m[2])
		if mi < FirstMinor {
			continue
		}
		if p, ok := best[mi]; !ok || pa > p {
			best[mi] = pa
		}
	}
	minors := make([]int, 0, len(best))
	for mi := range best {
		minors = append(minors, mi)
	}
	sort.Ints(minors)
	out := make([]Release, len(minors))
	for i, mi := range minors {
		out[i] = Release{Version: fmt.Sprintf("1.%d", mi), Tag: fmt.Sprintf("v1.%d.%d", mi, best[mi])}
	}
	return out
}

// Generate reads every release of src.
func Generate(src Source) (*Output, error) {
	tags, err := src.Tags()
	if err != nil {
		return nil, err
	}
	rels := Releases(tags)
	if len(rels) == 0 {
		return nil, fmt.Errorf("no release tag v1.%d.x or newer found", FirstMinor)
	}
	var (
		eps      [][]DocEndpoint
		streams  [][]StreamRule
		opts     [][]Option
		refused  [][]Option
		mains    [][]MainInstanceMap
		codeOnly [][]CodeOnly
		unparsed [][]UnparsedSpan
	)
	for _, rel := range rels {
		doc, ok, err := src.Read(rel.Tag, "docs/workers.md")
		if err != nil || !ok {
			return nil, fmt.Errorf("%s: docs/workers.md: %v", rel.Tag, orMissing(err))
		}
		de, err := ParseWorkersDoc(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel.Tag, err)
		}
		wp, ok, err := src.Read(rel.Tag, "synapse/config/workers.py")
		if err != nil || !ok {
			return nil, fmt.Errorf("%s: synapse/config/workers.py: %v", rel.Tag, orMissing(err))
		}
		rp, _, err := src.Read(rel.Tag, "synapse/config/redis.py")
		if err != nil {
			return nil, err
		}
		cf, err := ParseWorkersConfig(wp, rp)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel.Tag, err)
		}
		sv, bad, err := ScanServlets(src, rel.Tag)
		if err != nil {
			return nil, err
		}
		eps = append(eps, de)
		streams = append(streams, cf.Streams)
		var o, rf []Option
		for _, k := range cf.Options {
			o = append(o, Option{Key: k})
		}
		for _, k := range cf.Refused {
			rf = append(rf, Option{Key: k})
		}
		opts, refused = append(opts, o), append(refused, rf)
		mains = append(mains, []MainInstanceMap{{Rule: cf.MainInstanceMap}})
		codeOnly = append(codeOnly, uncovered(sv, de))
		var us []UnparsedSpan
		for _, u := range bad {
			us = append(us, UnparsedSpan{Unparsed: u})
		}
		unparsed = append(unparsed, us)
	}
	out := &Output{
		Comment:  "Generated by `make catalog SYNAPSE=<synapse git tree>` (internal/catalog/gen). Do not edit: facts of our own go in overlay.json.",
		Source:   "element-hq/synapse " + rels[0].Tag + " ... " + rels[len(rels)-1].Tag + ": docs/workers.md, synapse/config/workers.py, synapse/config/redis.py, servlet registrations (facts only; no Synapse code is copied)",
		Releases: rels,
	}
	vs := make([]string, len(rels))
	for i, r := range rels {
		vs[i] = r.Version
	}
	for _, e := range spans(vs, eps) {
		out.Endpoints = append(out.Endpoints, Endpoint{DocEndpoint: e.item, Span: e.span})
	}
	for _, e := range spans(vs, streams) {
		out.Streams = append(out.Streams, Stream{StreamRule: e.item, Span: e.span})
	}
	for _, e := range spans(vs, opts) {
		out.Options = append(out.Options, Option{Key: e.item.Key, Span: e.span})
	}
	for _, e := range spans(vs, refused) {
		out.RefusedOptions = append(out.RefusedOptions, Option{Key: e.item.Key, Span: e.span})
	}
	for _, e := range spans(vs, mains) {
		out.MainInstanceMap = append(out.MainInstanceMap, MainInstanceMap{Rule: e.item.Rule, Span: e.span})
	}
	for _, e := range spans(vs, codeOnly) {
		c := e.item
		c.Span = e.span
		out.CodeOnly = append(out.CodeOnly, c)
	}
	for _, e := range spans(vs, unparsed) {
		u := e.item
		u.Span = e.span
		out.Unparsed = append(out.Unparsed, u)
	}
	up, ok, err := src.Read(rels[len(rels)-1].Tag, "docs/upgrade.md")
	if err != nil {
		return nil, err
	}
	if ok {
		known := map[string]bool{}
		for _, v := range vs[1:] {
			known[v] = true
		}
		for _, n := range ParseUpgradeNotes(up) {
			if known[n.Version] {
				out.UpgradeNotes = append(out.UpgradeNotes, n)
			}
		}
	}
	return out, nil
}

// uncovered keeps the servlets some of whose example paths no docs pattern matches.
func uncovered(sv []Servlet, docs []DocEndpoint) []CodeOnly {
	res := make([]*regexp.Regexp, len(docs))
	for i, d := range docs {
		if !d.Invalid {
			res[i] = regexp.MustCompile(d.Pattern)
		}
	}
	seen := map[string]bool{}
	var out []CodeOnly
	for _, s := range sv {
		ex, err := Samples(s.Pattern, 64)
		if err != nil {
			// Python syntax Go cannot read: report the whole pattern.
			ex = []string{s.Pattern}
		}
		var miss []string
		for _, p := range ex {
			covered := false
			for i, re := range res {
				if re == nil || !re.MatchString(p) {
					continue
				}
				if docs[i].GetOnly && len(s.Methods) > 0 && !contains(s.Methods, "GET") {
					continue
				}
				covered = true
				break
			}
			if !covered {
				miss = append(miss, p)
			}
		}
		if len(miss) == 0 {
			continue
		}
		key := s.Pattern + "\x00" + s.Source + "\x00" + s.Condition
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, CodeOnly{Servlet: s, Uncovered: miss})
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

type spanned[T any] struct {
	item T
	span Span
}

// spans turns per-release lists into one list of distinct items, each with the contiguous
// runs of releases it appears in. The order is the newest release's, with items of older
// releases placed after the item that preceded them there.
func spans[T any](versions []string, per [][]T) []spanned[T] {
	key := func(t T) string {
		b, _ := json.Marshal(t)
		return string(b)
	}
	present := make([]map[string]bool, len(per))
	items := map[string]T{}
	for i, l := range per {
		present[i] = map[string]bool{}
		for _, t := range l {
			k := key(t)
			present[i][k] = true
			items[k] = t
		}
	}
	var order []string
	placed := map[string]bool{}
	for i := len(per) - 1; i >= 0; i-- {
		prev := ""
		for _, t := range per[i] {
			k := key(t)
			if !placed[k] {
				at := 0
				if prev != "" {
					for j, o := range order {
						if o == prev {
							at = j + 1
						}
					}
				}
				order = append(order[:at], append([]string{k}, order[at:]...)...)
				placed[k] = true
			}
			prev = k
		}
	}
	var out []spanned[T]
	for _, k := range order {
		for i := 0; i < len(per); {
			if !present[i][k] {
				i++
				continue
			}
			j := i
			for j < len(per) && present[j][k] {
				j++
			}
			var s Span
			if i > 0 {
				s.Since = versions[i]
			}
			if j < len(per) {
				s.Until = versions[j]
			}
			out = append(out, spanned[T]{item: items[k], span: s})
			i = j
		}
	}
	return out
}

// Marshal encodes the output with a trailing newline; the same input gives the same bytes.
func Marshal(o *Output) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Report is the human summary of what needs review: the code-only endpoints of the newest
// release and the registrations the generator could not read.
func Report(o *Output) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d releases (%s ... %s), %d docs endpoint spans, %d stream spans\n", len(o.Releases), o.Releases[0].Tag, o.Releases[len(o.Releases)-1].Tag, len(o.Endpoints), len(o.Streams))
	fmt.Fprintf(&b, "handlers a generic worker registers that no docs pattern covers (%d spans):\n", len(o.CodeOnly))
	for _, c := range o.CodeOnly {
		cond := ""
		if c.Condition != "" {
			cond = " if " + c.Condition
		}
		fmt.Fprintf(&b, "  %-70s %-18s %s%s [%s..%s)\n", c.Pattern, strings.Join(c.Methods, ","), c.Source, cond, c.Since, c.Until)
	}
	if len(o.Unparsed) > 0 {
		fmt.Fprintf(&b, "registrations not read (%d spans):\n", len(o.Unparsed))
		for _, u := range o.Unparsed {
			fmt.Fprintf(&b, "  %s: %s [%s..%s)\n", u.Source, u.Reason, u.Since, u.Until)
		}
	}
	return b.String()
}

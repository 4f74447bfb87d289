package catalog

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// UpgradeNote is a worker-related section of Synapse's docs/upgrade.md (its heading and link).
type UpgradeNote struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	Link    string `json:"link"`
}

// Upgrade is what changes for workers between two releases, from the catalogue alone (the
// routing package adds what moves between a fleet's pools).
type Upgrade struct {
	From, To string
	// StreamsAdded and StreamsRemoved are stream_writers keys.
	StreamsAdded, StreamsRemoved []string
	// StreamRules describe writer-rule changes of streams present in both ("receipts: takes several writers").
	StreamRules []string
	// OptionsAdded and OptionsRemoved are options Synapse reads in To but not From, or the reverse.
	OptionsAdded, OptionsRemoved []string
	// NowRefused are options Synapse refuses to start with in To but accepted in From.
	NowRefused []string
	// EndpointsAdded and EndpointsRemoved are routable endpoints (pattern, methods, target).
	EndpointsAdded, EndpointsRemoved []string
	// Notes are the worker-related upgrade notes of the releases after From up to To.
	Notes []UpgradeNote
}

// Empty reports whether nothing changes.
func (u Upgrade) Empty() bool {
	return len(u.StreamsAdded)+len(u.StreamsRemoved)+len(u.StreamRules)+len(u.OptionsAdded)+len(u.OptionsRemoved)+
		len(u.NowRefused)+len(u.EndpointsAdded)+len(u.EndpointsRemoved)+len(u.Notes) == 0
}

// Diff compares two releases' catalogues. It is pure: same inputs, same output, sorted.
func Diff(from, to *Catalog) Upgrade {
	u := Upgrade{From: from.Version, To: to.Version}
	fk, tk := from.StreamKeys(), to.StreamKeys()
	u.StreamsAdded, u.StreamsRemoved = minus(tk, fk), minus(fk, tk)
	for _, s := range to.Streams {
		o := from.Stream(s.Key)
		if o == nil {
			if s.MainMustWrite != "" {
				u.StreamRules = append(u.StreamRules, s.Key+": the main process must be among the writers")
			}
			continue
		}
		if o.MultiWriter != s.MultiWriter {
			if s.MultiWriter {
				u.StreamRules = append(u.StreamRules, s.Key+": now takes several writers")
			} else {
				u.StreamRules = append(u.StreamRules, s.Key+": now takes exactly one writer")
			}
		}
		if o.MinWriters != s.MinWriters {
			u.StreamRules = append(u.StreamRules, fmt.Sprintf("%s: at least %d writer(s), was %d", s.Key, s.MinWriters, o.MinWriters))
		}
		if (o.MainMustWrite == "") != (s.MainMustWrite == "") {
			if s.MainMustWrite != "" {
				u.StreamRules = append(u.StreamRules, s.Key+": the main process must stay a writer")
			} else {
				u.StreamRules = append(u.StreamRules, s.Key+": the main process no longer has to be a writer")
			}
		}
	}
	fo, to2 := from.Options(), to.Options()
	u.OptionsAdded, u.OptionsRemoved = minus(to2, fo), minus(fo, to2)
	for _, s := range doc.Refused {
		if to.RefusesOption(s.Key) && !from.RefusesOption(s.Key) && !slices.Contains(u.NowRefused, s.Key) {
			u.NowRefused = append(u.NowRefused, s.Key)
		}
	}
	sort.Strings(u.NowRefused)
	fe, te := endpointKeys(from), endpointKeys(to)
	u.EndpointsAdded, u.EndpointsRemoved = minus(te, fe), minus(fe, te)
	for _, n := range doc.UpgradeNotes {
		if compareVersions(n.Version, from.Version) > 0 && compareVersions(n.Version, to.Version) <= 0 {
			u.Notes = append(u.Notes, n)
		}
	}
	sort.SliceStable(u.Notes, func(i, j int) bool { return compareVersions(u.Notes[i].Version, u.Notes[j].Version) < 0 })
	return u
}

// endpointKeys names each endpoint with what decides where it goes.
func endpointKeys(c *Catalog) []string {
	var out []string
	for _, e := range c.Endpoints {
		k := e.Pattern
		if len(e.Methods) > 0 {
			k += " [" + strings.Join(e.Methods, ",") + "]"
		}
		if e.Stream != "" {
			k += " -> writers of " + e.Stream
		} else {
			k += " -> " + strings.Join(e.Roles, "/")
		}
		if e.RequiresStream != "" {
			k += " (only processes writing " + e.RequiresStream + ")"
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// minus returns the sorted elements of a not in b.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

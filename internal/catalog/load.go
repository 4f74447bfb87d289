package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Release is a Synapse minor release the catalogue covers and the tag its facts come from.
type Release struct {
	Version string `json:"version"`
	Tag     string `json:"tag"`
}

type span struct {
	Key   string `json:"key"`
	Rule  string `json:"rule"`
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
}

// generated mirrors what package gen writes (data/generated.json).
type generated struct {
	Source    string    `json:"source"`
	Releases  []Release `json:"releases"`
	Endpoints []struct {
		Pattern string `json:"pattern"`
		GetOnly bool   `json:"get_only"`
		Group   string `json:"group"`
		Section string `json:"section"`
		Stream  string `json:"stream"`
		Invalid bool   `json:"invalid"`
		Since   string `json:"since"`
		Until   string `json:"until"`
	} `json:"endpoints"`
	Streams []struct {
		Key                string `json:"key"`
		MultiWriter        bool   `json:"multi_writer"`
		MinWriters         int    `json:"min_writers"`
		InstanceMapChecked bool   `json:"instance_map_checked"`
		Since              string `json:"since"`
		Until              string `json:"until"`
	} `json:"streams"`
	Options         []span        `json:"options"`
	RefusedOptions  []span        `json:"refused_options"`
	MainInstanceMap []span        `json:"main_instance_map"`
	UpgradeNotes    []UpgradeNote `json:"upgrade_notes"`
}

// overlay mirrors data/overlay.json, the hand-kept facts.
type overlay struct {
	Groups map[string]struct {
		Group    string     `json:"group"`
		Roles    []string   `json:"roles"`
		Resource string     `json:"resource"`
		Sticky   Stickiness `json:"sticky"`
		Skip     bool       `json:"skip"`
		Note     string     `json:"note"`
	} `json:"groups"`
	StreamGroup struct {
		Resource string     `json:"resource"`
		Sticky   Stickiness `json:"sticky"`
	} `json:"stream_group"`
	Overrides []struct {
		Pattern        string      `json:"pattern"`
		Stream         string      `json:"stream"`
		Section        string      `json:"section"`
		Sticky         Stickiness  `json:"sticky"`
		Resource       string      `json:"resource"`
		Note           string      `json:"note"`
		RequiresStream string      `json:"requires_stream"`
		InitialSplit   *QuerySplit `json:"initial_split"`
		ReplaceWith    string      `json:"replace_with"`
		Roles          []string    `json:"roles"`
		Skip           bool        `json:"skip"`
	} `json:"endpoint_overrides"`
	PatternFixes map[string]string `json:"pattern_fixes"`
	Streams      map[string]struct {
		ReplicationStreams []string `json:"replication_streams"`
		MainMayWrite       bool     `json:"main_may_write"`
		OrderMatters       string   `json:"order_matters"`
		Restart            string   `json:"restart"`
		SynapseErrorName   string   `json:"synapse_error_name"`
		MainMustWrite      string   `json:"main_must_write"`
	} `json:"streams"`
	CodeEndpoints []Endpoint `json:"code_endpoints"`
}

// load merges the generated facts with the overlay. Every generated docs group and stream
// must be known to the overlay: a new one is an error naming what to add.
func load(genRaw, ovRaw []byte) (document, error) {
	var d document
	if err := json.Unmarshal(ovRaw, &d); err != nil {
		return d, fmt.Errorf("overlay.json: %w", err)
	}
	var ov overlay
	if err := json.Unmarshal(ovRaw, &ov); err != nil {
		return d, fmt.Errorf("overlay.json: %w", err)
	}
	var g generated
	if err := json.Unmarshal(genRaw, &g); err != nil {
		return d, fmt.Errorf("generated.json: %w", err)
	}
	if len(g.Releases) == 0 {
		return d, fmt.Errorf("generated.json lists no release")
	}
	d.Source = g.Source
	d.Releases = g.Releases
	for _, r := range g.Releases {
		d.Versions = append(d.Versions, r.Version)
	}
	d.Options, d.Refused, d.MainRules, d.UpgradeNotes = g.Options, g.RefusedOptions, g.MainInstanceMap, g.UpgradeNotes

	for _, s := range g.Streams {
		o, ok := ov.Streams[s.Key]
		if !ok {
			return d, fmt.Errorf("stream %q (generated) has no entry under overlay.json streams: add its replication streams and notes", s.Key)
		}
		d.Streams = append(d.Streams, Stream{
			Key: s.Key, ReplicationStreams: o.ReplicationStreams, MultiWriter: s.MultiWriter, MainMayWrite: o.MainMayWrite,
			MinWriters: s.MinWriters, InstanceMapCheckedBySynapse: s.InstanceMapChecked, OrderMatters: o.OrderMatters,
			Restart: o.Restart, SynapseErrorName: o.SynapseErrorName, MainMustWrite: o.MainMustWrite, Since: s.Since, Until: s.Until,
		})
	}

	for _, ge := range g.Endpoints {
		e := Endpoint{Pattern: ge.Pattern, Since: ge.Since, Until: ge.Until}
		if ge.Invalid {
			fix, ok := ov.PatternFixes[ge.Pattern]
			if !ok {
				return d, fmt.Errorf("docs pattern %q does not compile and overlay.json pattern_fixes has no correction for it", ge.Pattern)
			}
			e.Pattern = fix
		}
		if ge.GetOnly {
			e.Methods = []string{"GET", "HEAD"}
		}
		if ge.Stream != "" {
			e.Stream, e.Group, e.Resource, e.Sticky = ge.Stream, ge.Group, ov.StreamGroup.Resource, ov.StreamGroup.Sticky
		} else {
			gr, ok := ov.Groups[ge.Group]
			if !ok {
				return d, fmt.Errorf("docs group %q (pattern %q) has no entry under overlay.json groups: map it to roles, resource and stickiness", ge.Group, ge.Pattern)
			}
			if gr.Skip {
				continue
			}
			e.Group, e.Roles, e.Resource, e.Sticky = ge.Group, gr.Roles, gr.Resource, gr.Sticky
			if gr.Group != "" {
				e.Group = gr.Group
			}
		}
		skip := false
		for _, o := range ov.Overrides {
			if o.Pattern != ge.Pattern || (o.Stream != "" && o.Stream != ge.Stream) || (o.Section != "" && o.Section != ge.Section) {
				continue
			}
			if o.Stream == "" && ge.Stream != "" {
				continue
			}
			if o.Sticky != "" {
				e.Sticky = o.Sticky
			}
			if o.Resource != "" {
				e.Resource = o.Resource
			}
			if o.Note != "" {
				e.Note = o.Note
			}
			if o.RequiresStream != "" {
				e.RequiresStream = o.RequiresStream
			}
			if o.InitialSplit != nil {
				e.InitialSplit = o.InitialSplit
			}
			if o.Roles != nil {
				e.Roles = o.Roles
			}
			if o.ReplaceWith != "" {
				e.Pattern = o.ReplaceWith
			}
			skip = skip || o.Skip
		}
		if !skip {
			d.Endpoints = append(d.Endpoints, e)
		}
	}
	for _, e := range ov.CodeEndpoints {
		e.CodeOnly = true
		d.Endpoints = append(d.Endpoints, e)
	}
	return d, nil
}

// dedupe merges endpoints of one version with the same pattern, methods and stream (a docs
// pattern listed in two application sections), keeping the first and the union of roles.
func dedupe(eps []Endpoint) []Endpoint {
	idx := map[string]int{}
	var out []Endpoint
	for _, e := range eps {
		k := fmt.Sprint(e.Pattern, "\x00", e.Methods, "\x00", e.Stream)
		i, ok := idx[k]
		if !ok {
			idx[k] = len(out)
			out = append(out, e)
			continue
		}
		roles := append([]string(nil), out[i].Roles...)
		for _, r := range e.Roles {
			if !contains(roles, r) {
				roles = append(roles, r)
			}
		}
		out[i].Roles = roles
	}
	return out
}

// Releases lists the Synapse releases the catalogue covers and the tag each was read from.
func Releases() []Release { return append([]Release(nil), doc.Releases...) }

// HasOption reports whether Synapse's worker configuration reads that option in this release
// (top-level keys, and `redis.X` for the keys of the redis block).
func (c *Catalog) HasOption(key string) bool { return spanHolds(doc.Options, c.Version, key) }

// OptionSince returns the first release that reads the option, or "" when every release does
// (or none does).
func OptionSince(key string) string {
	for _, s := range doc.Options {
		if s.Key == key {
			return s.Since
		}
	}
	return ""
}

// RefusesOption reports whether Synapse refuses to start with that option set in this release.
func (c *Catalog) RefusesOption(key string) bool { return spanHolds(doc.Refused, c.Version, key) }

// MainInstanceMapRule is how this release finds the main process: "required" (instance_map.main
// or refuse to start) or "required_or_legacy" (instance_map.main, else the deprecated
// worker_replication_host/worker_replication_http_port of each worker file).
func (c *Catalog) MainInstanceMapRule() string {
	for _, s := range doc.MainRules {
		if holds(c.Version, s.Since, s.Until) {
			return s.Rule
		}
	}
	return ""
}

// Options lists the options this release reads, sorted.
func (c *Catalog) Options() []string {
	var out []string
	for _, s := range doc.Options {
		if holds(c.Version, s.Since, s.Until) {
			out = append(out, s.Key)
		}
	}
	sort.Strings(out)
	return out
}

func spanHolds(spans []span, v, key string) bool {
	for _, s := range spans {
		if s.Key == key && holds(v, s.Since, s.Until) {
			return true
		}
	}
	return false
}

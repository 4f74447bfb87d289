package fleet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// MainWriter is how a synapse_stream_writer names the main process in writers. It is
// rendered as the catalogue's MainInstanceName ("master"), the name Synapse uses.
const MainWriter = "main"

// Problem summaries of stream assignment validation.
const (
	sumStream     = "Unknown Stream"
	sumWriters    = "Invalid Stream Writers"
	sumWriterName = "Invalid Stream Writer Name"
	// sumMainMustWrite: a stream whose writers must include the main process in this release.
	sumMainMustWrite = "Main Process Must Write Stream"
)

// StreamArtifacts is what is rendered for one stream_writers entry.
type StreamArtifacts struct {
	// ConfigYAML is the entry, e.g. "events:\n  - p1\n  - p2\n", always a list.
	ConfigYAML string
	// InstanceNames are the writers as Synapse names them (main → master), in order.
	InstanceNames []string
	// Endpoints must be routed to the writers.
	Endpoints []catalog.Endpoint
}

// ValidateStreamAssignment returns every problem of a stream_writers entry.
func ValidateStreamAssignment(c *catalog.Catalog, s StreamAssignment) Problems {
	ps := ValidateStreamKey(c, s.Stream)
	st := c.Stream(s.Stream)
	switch {
	case len(s.Writers) == 0:
		ps.Add("writers", sumWriters, "writers is empty: nobody could write the %q stream, so Synapse refuses to start or fails "+
			"every write; list at least one worker, or \"main\" for the main process.", s.Stream)
	case st != nil && !st.MultiWriter && len(s.Writers) > 1:
		ps.Add("writers", sumWriters, "The %q stream has exactly one writer in Synapse %s, but writers lists %d (%s); keep one.",
			s.Stream, c.Version, len(s.Writers), quoted(s.Writers))
	case st != nil && st.MainMustWrite != "" && !slices.Contains(s.Writers, MainWriter):
		ps.Add("writers", sumMainMustWrite, "writers is [%s], without the main process, and Synapse %s needs it among the writers of %q: %s "+
			"Write writers = [%s].", quoted(s.Writers), c.Version, s.Stream, st.MainMustWrite, quoted(append([]string{MainWriter}, s.Writers...)))
	}
	seen := map[string]int{}
	for i, w := range s.Writers {
		p := Index("writers", i)
		if j, dup := seen[w]; dup {
			ps.Add(p, sumWriters, "writers[%d] and writers[%d] are both %q; list each writer once.", j, i, w)
			continue
		}
		seen[w] = i
		switch w {
		case MainWriter:
			if st != nil && !st.MainMayWrite {
				ps.Add(p, sumWriterName, "writers[%d] is \"main\", but the main process cannot write the %q stream; name a worker.", i, s.Stream)
			}
		case c.MainInstanceName:
			ps.Add(p, sumWriterName, "writers[%d] is %q; write \"main\" for the main process (the provider renders it as %q where Synapse expects that).",
				i, w, c.MainInstanceName)
		default:
			for _, q := range ValidateWorkerName(p, w) {
				q.Summary = sumWriterName
				q.Detail = "writers[" + strconv.Itoa(i) + "]: " + q.Detail
				if strings.EqualFold(w, MainWriter) || strings.EqualFold(w, c.MainInstanceName) {
					q.Detail = "writers[" + strconv.Itoa(i) + "] is \"" + w + "\"; write \"main\" (lower case) for the main process."
				}
				ps = append(ps, q)
			}
		}
	}
	return ps
}

// ValidateStreamKey checks that a stream_writers key exists in the catalogue's Synapse version.
func ValidateStreamKey(c *catalog.Catalog, stream string) Problems {
	var ps Problems
	if c.Stream(stream) != nil {
		return ps
	}
	hint := ""
	if h := c.StreamHint(stream); h != "" {
		hint = fmt.Sprintf(" %q is how Synapse's replication or its error messages name the stream, but the stream_writers key is %q; write %q.", stream, h, h)
	}
	ps.Add("stream", sumStream, "The stream %q is not a stream_writers key of Synapse %s; use one of %s.%s",
		stream, c.Version, quoted(c.StreamKeys()), hint)
	return ps
}

// InstanceName is how Synapse names a writer: the main process is "master".
func InstanceName(c *catalog.Catalog, writer string) string {
	if writer == MainWriter {
		return c.MainInstanceName
	}
	return writer
}

// RenderStreamAssignment validates and renders a stream_writers entry.
func RenderStreamAssignment(c *catalog.Catalog, s StreamAssignment) (StreamArtifacts, Problems) {
	ps := ValidateStreamAssignment(c, s)
	if ps.HasErrors() {
		return StreamArtifacts{}, ps
	}
	a := StreamArtifacts{Endpoints: c.EndpointsForStream(s.Stream)}
	for _, w := range s.Writers {
		a.InstanceNames = append(a.InstanceNames, InstanceName(c, w))
	}
	a.ConfigYAML = encodeYAML(yamlMap(s.Stream, yamlStrSeq(a.InstanceNames)))
	// What a change of writers needs from the running fleet (the catalogue's restart and order
	// rules) is the rollout plan's business: synapse_shared_config sees the prior state and
	// reports it once per plan, and never on a fleet's first create.
	return a, ps
}

// StreamWritersNode renders assignments as the stream_writers mapping, in the given order.
func StreamWritersNode(c *catalog.Catalog, ss []StreamAssignment) *yaml.Node {
	m := yamlMap()
	for _, s := range ss {
		names := make([]string, len(s.Writers))
		for i, w := range s.Writers {
			names[i] = InstanceName(c, w)
		}
		yamlAppend(m, s.Stream, yamlStrSeq(names))
	}
	return m
}

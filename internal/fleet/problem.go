// Package fleet is the pure domain of a Synapse worker fleet: workers, their listeners,
// stream writer assignments and the shared configuration; validation that returns every
// Problem at once; and deterministic rendering of worker, shared and log YAML.
//
// It never imports terraform-plugin-framework: internal/provider converts Terraform values
// to these types, calls the functions here and maps each Problem to an attribute diagnostic.
//
// # Rendered YAML
//
// YAML is built as gopkg.in/yaml.v3 nodes with 2-space indentation; user values only become
// scalar values, so no input can add a key. The same input always gives the same bytes.
//
// A worker file (RenderWorker) has its keys in this order:
//
//  1. worker_app: always synapse.app.generic_worker (roles decide what it serves)
//  2. worker_name
//  3. worker_listeners: the listeners override, or the generated http (roles' resources,
//     x_forwarded: true), replication and metrics listeners, in that order
//  4. worker_log_config
//  5. enable_media_repo: true, only when a role has enable_media_repo in the catalogue
//  6. the extra_config keys, sorted
//
// Each listener has its keys in the order type, port or path, bind_addresses, tls,
// x_forwarded, resources; resources are rendered as one `- names: [...]` entry with
// compress: false.
//
// A log config (Python logging dictConfig) has the keys version, formatters, filters,
// handlers, loggers, root, disable_existing_loggers.
//
// A stream_writers entry (RenderStreamAssignment) is always a block list, even with one
// writer, and names the main process "master".
package fleet

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an input, found by validation.
type Problem struct {
	// Path is the attribute at fault, relative to the resource, in Terraform's dotted form:
	// "name", "listeners[1].port", "writers[0]". Empty means the resource as a whole.
	Path string
	// Summary is a short Title Case phrase, the same for the same kind of problem.
	Summary string
	// Detail names the bad value, the rule and the fix, in full sentences.
	Detail string
	// Warning marks a problem that does not stop the plan (e.g. a coordinated restart).
	Warning bool
}

func (p Problem) String() string {
	kind := "error"
	if p.Warning {
		kind = "warning"
	}
	return fmt.Sprintf("%s at %q: %s: %s", kind, p.Path, p.Summary, p.Detail)
}

// Problems is a list of problems with helpers to build it.
type Problems []Problem

// Add appends an error.
func (ps *Problems) Add(path, summary, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}

// Warn appends a warning.
func (ps *Problems) Warn(path, summary, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Summary: summary, Detail: fmt.Sprintf(format, args...), Warning: true})
}

// HasErrors reports whether any problem is an error rather than a warning.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if !p.Warning {
			return true
		}
	}
	return false
}

// Errors returns only the errors.
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

func (ps Problems) String() string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

// Index builds "parent[i]" or "parent[i].child" paths.
func Index(parent string, i int, child ...string) string {
	p := fmt.Sprintf("%s[%d]", parent, i)
	for _, c := range child {
		p += "." + c
	}
	return p
}

// CommonProblems keeps the problems of the first set that every other set holds too (the same
// path, summary and severity), in the first set's order. Validation against every supported
// Synapse release, reduced this way, gives what is wrong whatever the release: what `terraform
// validate` can report before the release is known. Where the other sets word the problem
// differently (e.g. a list of the valid values of their release), note is appended to the
// first set's detail.
func CommonProblems(note string, sets ...Problems) Problems {
	if len(sets) == 0 {
		return nil
	}
	var out Problems
	for _, p := range sets[0] {
		inAll, sameText := true, true
		for _, s := range sets[1:] {
			found, same := false, false
			for _, q := range s {
				if q.Path == p.Path && q.Summary == p.Summary && q.Warning == p.Warning {
					found = true
					same = same || q.Detail == p.Detail
				}
			}
			inAll = inAll && found
			sameText = sameText && same
		}
		if !inAll {
			continue
		}
		if !sameText && note != "" {
			p.Detail += " " + note
		}
		out = append(out, p)
	}
	return out
}

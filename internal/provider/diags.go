package provider

// Shared glue that maps the pure core's problems to Terraform diagnostics.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// problemPath converts a fleet problem path ("name", "listeners[1].port",
// "writers[0]", `instance_map["sync1"].port`) to a framework path. ok is false for an empty or
// malformed path.
func problemPath(p string) (out path.Path, ok bool) {
	if p == "" {
		return path.Empty(), false
	}
	rest := p
	first := true
	for rest != "" {
		// An attribute name runs up to the next '.' or '['.
		end := strings.IndexAny(rest, ".[")
		name := rest
		if end >= 0 {
			name = rest[:end]
		}
		if name == "" {
			return path.Empty(), false
		}
		if first {
			out = path.Root(name)
			first = false
		} else {
			out = out.AtName(name)
		}
		rest = rest[len(name):]
		for strings.HasPrefix(rest, "[") {
			closeAt := strings.Index(rest, "]")
			if closeAt < 0 {
				return path.Empty(), false
			}
			key := rest[1:closeAt]
			if strings.HasPrefix(key, `"`) {
				// A map key may itself hold "]": take the closing `"]`.
				q := strings.Index(rest[2:], `"]`)
				if q < 0 {
					return path.Empty(), false
				}
				unq, err := strconv.Unquote(rest[1 : q+3])
				if err != nil {
					return path.Empty(), false
				}
				out = out.AtMapKey(unq)
				rest = rest[q+4:]
				continue
			}
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 {
				return path.Empty(), false
			}
			out = out.AtListIndex(i)
			rest = rest[closeAt+1:]
		}
		if strings.HasPrefix(rest, ".") {
			rest = rest[1:]
			if rest == "" {
				return path.Empty(), false
			}
		} else if rest != "" {
			return path.Empty(), false
		}
	}
	return out, true
}

// problemOptions select which problems addProblems reports.
type problemOptions struct {
	// skipWarnings drops warnings (reported elsewhere, e.g. only when a value changes).
	skipWarnings bool
}

// addProblems appends problems as attribute diagnostics. Terraform shows a diagnostic on a
// nested attribute against the resource's first line, so the detail of a nested problem
// always names the element (`listeners[1].port: ...`).
func addProblems(diags *diag.Diagnostics, ps fleet.Problems, opts problemOptions) {
	for _, p := range ps {
		if p.Warning && opts.skipWarnings {
			continue
		}
		detail := p.Detail
		if strings.ContainsAny(p.Path, ".[") && !strings.Contains(detail, p.Path) {
			detail = p.Path + ": " + detail
		}
		at, ok := problemPath(p.Path)
		switch {
		case !ok && p.Path != "":
			// Only a core bug can produce a malformed path: say so, and keep the message.
			diags.AddError(p.Summary, fmt.Sprintf("%s (at %q; the provider could not map this path to an attribute, which is a provider bug.)", detail, p.Path))
		case !ok && p.Warning:
			diags.AddWarning(p.Summary, detail)
		case !ok:
			diags.AddError(p.Summary, detail)
		case p.Warning:
			diags.AddAttributeWarning(at, p.Summary, detail)
		default:
			diags.AddAttributeError(at, p.Summary, detail)
		}
	}
}

package gen

import (
	"fmt"
	"regexp"
	"strings"
)

// DocEndpoint is one URL pattern listed in docs/workers.md.
type DocEndpoint struct {
	Pattern string `json:"pattern"`
	// GetOnly marks patterns the docs allow for GET requests only.
	GetOnly bool `json:"get_only,omitempty"`
	// Group is the comment line heading the pattern in its code block, or a label for the
	// paragraph that introduces an uncommented block ("Pagination requests", "GET requests").
	Group string `json:"group"`
	// Section is the worker application (`synapse.app.generic_worker`) or, for stream
	// sections, empty with Stream set.
	Section string `json:"section,omitempty"`
	Stream  string `json:"stream,omitempty"`
	// Invalid marks a pattern that does not compile as printed in the docs (a typo there);
	// the overlay carries the reviewed correction.
	Invalid bool `json:"invalid,omitempty"`
}

var (
	appHeading    = regexp.MustCompile("^###\\s+`(synapse\\.app\\.[a-z_]+)`")
	streamHeading = regexp.MustCompile("^#####\\s+The\\s+`([a-z_]+)`\\s+stream")
	anyHeading    = regexp.MustCompile(`^(#+)\s`)
	msc           = regexp.MustCompile(`\bwhen MSC\d+`)
)

// sectionGroups labels an uncommented code block by the application section it stands in.
var sectionGroups = map[string]string{
	"synapse.app.media_repository": "Media repository requests",
	"synapse.app.user_dir":         "User directory search requests",
}

// ParseWorkersDoc reads the endpoint lists of docs/workers.md: the patterns in indented code
// blocks under an application heading (### `synapse.app.X`) or a stream heading
// (##### The `K` stream). Fenced code blocks (nginx and YAML examples) are skipped. A block
// introduced by "... can be handled for GET requests" is GET-only.
func ParseWorkersDoc(text string) ([]DocEndpoint, error) {
	var (
		out       []DocEndpoint
		section   string
		stream    string
		fenced    bool
		paragraph string // the last prose paragraph's first line
		group     string
		sub       string // the heading of a level-4/5 subsection of an application section
		inBlock   bool
		getOnly   bool
		blank     = true // the previous line was blank or not prose
	)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for n, line := range lines {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if m := anyHeading.FindStringSubmatch(line); m != nil {
			inBlock = false
			switch {
			case appHeading.MatchString(line):
				section, stream = appHeading.FindStringSubmatch(line)[1], ""
			case streamHeading.MatchString(line):
				section, stream = "", streamHeading.FindStringSubmatch(line)[1]
			case len(m[1]) <= 3:
				// A new top-level or application-level heading ends the lists.
				section, stream = "", ""
			default:
				stream = ""
			}
			sub = strings.TrimSpace(strings.TrimLeft(line, "#"))
			paragraph = ""
			continue
		}
		indented := strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t")
		if trim == "" {
			blank = true
			continue
		}
		if !indented {
			if blank || inBlock {
				paragraph = trim
			} else if len(paragraph) < 400 {
				paragraph += " " + trim
			}
			inBlock, blank = false, false
			continue
		}
		blank = true
		if section == "" && stream == "" {
			continue
		}
		if !inBlock {
			inBlock, group = true, ""
			getOnly = strings.Contains(paragraph, "for GET requests")
		}
		switch {
		case strings.HasPrefix(trim, "#"):
			c := strings.TrimSuffix(strings.TrimSpace(strings.TrimLeft(trim, "#")), ".")
			if strings.Contains(strings.ToLower(c), "only the get method") {
				getOnly = true
				continue
			}
			group = c
		case strings.HasPrefix(trim, "^/") || strings.HasPrefix(trim, "/"):
			pat := trim
			if !strings.HasPrefix(pat, "^") {
				// The media section lists plain prefixes ("/_matrix/media/").
				pat = "^" + regexp.QuoteMeta(pat)
			}
			_, err := regexp.Compile(pat)
			g := group
			if g == "" {
				g = blockLabel(section, stream, sub, paragraph, getOnly)
			}
			if g == "" {
				return nil, fmt.Errorf("docs/workers.md line %d: pattern %q stands in a block with no comment and no known introduction (%q); teach blockLabel about it", n+1, trim, paragraph)
			}
			out = append(out, DocEndpoint{Pattern: pat, GetOnly: getOnly, Group: g, Section: section, Stream: stream, Invalid: err != nil})
		}
	}
	return out, nil
}

// blockLabel names an uncommented code block.
func blockLabel(section, stream, sub, paragraph string, getOnly bool) string {
	switch {
	case stream != "":
		return "The " + stream + " stream"
	case getOnly:
		return "GET requests"
	case strings.HasPrefix(paragraph, "Pagination requests"):
		return "Pagination requests"
	case msc.MatchString(paragraph):
		return strings.TrimPrefix(msc.FindString(paragraph), "when ") + " requests"
	}
	if g := sectionGroups[section]; g != "" {
		return g
	}
	if strings.HasPrefix(sub, "`") {
		return ""
	}
	return sub
}

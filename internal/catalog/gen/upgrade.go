package gen

import (
	"regexp"
	"strings"
	"unicode"
)

// UpgradeNote is a section of docs/upgrade.md that concerns workers: the release it is for
// and its heading (only the heading and a link are kept, never the text).
type UpgradeNote struct {
	Version string `json:"version"`
	Title   string `json:"title"`
	Link    string `json:"link"`
}

var (
	upgradeHeading = regexp.MustCompile(`^# Upgrading to v(\d+)\.(\d+)\.\d+\s*$`)
	noteHeading    = regexp.MustCompile(`^## (.+?)\s*$`)
	// workerWords mark a section as one about workers.
	workerWords = []string{"worker", "stream_writers", "stream writer", "instance_map", "replication", "redis"}
)

// UpgradeDocsURL is where Synapse publishes docs/upgrade.md.
const UpgradeDocsURL = "https://element-hq.github.io/synapse/latest/upgrade.html"

// ParseUpgradeNotes lists the worker-related sections of docs/upgrade.md, newest first as the
// file has them. Fenced code blocks are skipped (shell comments look like headings).
func ParseUpgradeNotes(text string) []UpgradeNote {
	var (
		out     []UpgradeNote
		version string
		cur     *UpgradeNote
		body    strings.Builder
		fenced  bool
	)
	flush := func() {
		if cur != nil {
			b := strings.ToLower(cur.Title + "\n" + body.String())
			for _, w := range workerWords {
				if strings.Contains(b, w) {
					out = append(out, *cur)
					break
				}
			}
		}
		cur = nil
		body.Reset()
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		if m := upgradeHeading.FindStringSubmatch(line); m != nil {
			flush()
			version = m[1] + "." + m[2]
			continue
		}
		if strings.HasPrefix(line, "# ") {
			flush()
			version = ""
			continue
		}
		if m := noteHeading.FindStringSubmatch(line); m != nil && version != "" {
			flush()
			cur = &UpgradeNote{Version: version, Title: m[1], Link: UpgradeDocsURL + "#" + slug(m[1])}
			continue
		}
		if cur != nil {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	flush()
	return out
}

// slug is mdBook's heading id: lower case, spaces to dashes, only letters, digits, - and _.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		}
	}
	return b.String()
}

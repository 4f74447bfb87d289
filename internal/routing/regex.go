package routing

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
)

// PortableRegex checks that a route pattern means the same on every proxy: nginx and HAProxy
// (PCRE2), Caddy (Go's RE2) and Apache (PCRE2). It accepts the common subset:
//
//   - printable ASCII only, and no whitespace, quotes or backticks (config-file syntax);
//   - it must parse as RE2 (which already rejects lookaround, backreferences, possessive
//     quantifiers and atomic groups);
//   - groups are plain `(...)` or non-capturing `(?:...)`: no named groups (`(?P<n>`,
//     `(?<n>`), no inline flags (`(?i)`, `(?s:...)`);
//   - escapes are `\` followed by ASCII punctuation or one of `d D w W s S`; no `\Q...\E`,
//     `\p{...}`, `\x..`, `\z`, `\A`, `\b` or other letter escapes, whose meaning differs or
//     which some engine lacks;
//   - counted repetition `{n}`, `{n,}`, `{n,m}` is fine (renderers quote patterns containing
//     `{`).
//
// Known difference it cannot remove: PCRE's `$` also matches before a final newline, RE2's
// does not; a decoded path ending in "\n" (%0A) can therefore differ. Synapse never serves
// such a path.
func PortableRegex(p string) error {
	if p == "" {
		return errors.New("the pattern is empty")
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c < 0x21 || c > 0x7e:
			return fmt.Errorf("byte %d (%q) is not printable ASCII", i, c)
		case c == '"' || c == '\'' || c == '`':
			return fmt.Errorf("byte %d is a quote (%q), which proxy config files cannot carry unescaped", i, c)
		}
	}
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' {
			if i+1 >= len(p) {
				return errors.New("the pattern ends with a lone backslash")
			}
			e := p[i+1]
			if isLetterOrDigit(e) && !strings.ContainsRune("dDwWsS", rune(e)) {
				return fmt.Errorf("escape \\%c at byte %d is not portable; use a character class or an escaped punctuation character", e, i)
			}
			i++
			continue
		}
		if inClass {
			if c == ']' {
				inClass = false
			} else if c == '[' && i+1 < len(p) && p[i+1] == ':' {
				// POSIX class [:alpha:]: skip to its closing ":]".
				if end := strings.Index(p[i+2:], ":]"); end >= 0 {
					i += end + 3
				}
			}
			continue
		}
		switch c {
		case '[':
			inClass = true
			// A ']' right after '[' or '[^' is a literal member.
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++
			}
		case '(':
			if i+1 < len(p) && p[i+1] == '?' {
				if i+2 >= len(p) || p[i+2] != ':' {
					return fmt.Errorf("group at byte %d uses `(?` syntax other than `(?:` (named group, flag or lookaround), which not every proxy supports", i)
				}
			}
		}
	}
	if _, err := syntax.Parse(p, syntax.Perl); err != nil {
		return fmt.Errorf("it does not parse as RE2 (Caddy): %w", err)
	}
	return nil
}

func isLetterOrDigit(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// Sample segments that stand for "any text" in witness paths: a plain word, a room ID, a
// user ID, a room alias and an event ID, the shapes Synapse URLs carry.
var sampleSegments = []string{"x", "!room:example.org", "@user:example.org", "#alias:example.org", "$event"}

// maxWitnesses bounds the witnesses of one pattern.
const maxWitnesses = 96

// Witnesses returns sample paths the pattern matches: at least one per alternative of every
// alternation, with each wildcard instantiated as empty, one segment, several sample segments
// (see sampleSegments) and several path components, plus a trailing extension when the
// pattern is not anchored at the end. Every returned path matches the pattern; none means the
// generator found no match (an unsatisfiable pattern such as `a^b` or `[^\x00-\x{10FFFF}]`).
func Witnesses(pattern string) []string {
	if v, ok := witnessCache.Load(pattern); ok {
		ws, _ := v.([]string)
		return slices.Clone(ws)
	}
	ws := witnesses(pattern)
	witnessCache.Store(pattern, ws)
	return slices.Clone(ws)
}

var witnessCache sync.Map // pattern -> []string

func witnesses(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	cre := compile(pattern)
	if cre == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(w string) {
		if !seen[w] && len(out) < maxWitnesses && cre.MatchString(w) {
			seen[w] = true
			out = append(out, w)
		}
	}
	base := gen(re.Simplify())
	for _, w := range base {
		add(w)
	}
	for _, sfx := range []string{"x", "/x/y", "!room:example.org/x"} {
		for _, w := range base {
			add(w + sfx)
		}
	}
	return out
}

// Bounds that keep generation linear on any pattern (fuzzed nestings of stars and
// alternations): samples per node and length of a doubled sample.
const (
	maxSamples   = 256
	maxDoubleLen = 256
)

// gen returns sample strings for a syntax tree; empty-width assertions produce "" and the
// caller filters by really matching.
func gen(re *syntax.Regexp) []string {
	out := genNode(re)
	if len(out) > maxSamples {
		out = out[:maxSamples]
	}
	return out
}

func genNode(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpNoMatch:
		return nil
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []string{""}
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		return classSamples(re.Rune)
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return []string{"x", "/"}
	case syntax.OpCapture:
		return gen(re.Sub[0])
	case syntax.OpStar:
		return repeatSamples(re.Sub[0], true)
	case syntax.OpPlus:
		return repeatSamples(re.Sub[0], false)
	case syntax.OpQuest:
		return append([]string{""}, gen(re.Sub[0])...)
	case syntax.OpRepeat: // Simplify leaves only small counted repeats of literals; be safe anyway
		one := gen(re.Sub[0])
		if len(one) == 0 {
			if re.Min == 0 {
				return []string{""}
			}
			return nil
		}
		s := strings.Repeat(one[0], re.Min)
		return []string{s, s + one[len(one)-1]}
	case syntax.OpConcat:
		parts := make([][]string, len(re.Sub))
		width := 1
		for i, sub := range re.Sub {
			parts[i] = gen(sub)
			if len(parts[i]) == 0 {
				return nil
			}
			width = max(width, len(parts[i]))
		}
		return combine(parts)
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, gen(sub)...)
		}
		return out
	}
	return nil
}

// maxProduct bounds the full cartesian product of a concatenation's parts.
const maxProduct = 64

// combine concatenates one alternative of every part: all combinations when there are at most
// maxProduct, else a diagonal (witness k takes alternative k mod n of every part), so every
// alternative of every part still appears at least once without a combinatorial blow-up.
func combine(parts [][]string) []string {
	total, width := 1, 1
	for _, p := range parts {
		total = min(total*len(p), maxProduct+1)
		width = max(width, len(p))
	}
	if total <= maxProduct {
		out := []string{""}
		for _, p := range parts {
			next := make([]string, 0, len(out)*len(p))
			for _, prefix := range out {
				for _, x := range p {
					next = append(next, prefix+x)
				}
			}
			out = next
		}
		return out
	}
	out := make([]string, width)
	for k := range width {
		var sb strings.Builder
		for _, p := range parts {
			sb.WriteString(p[k%len(p)])
		}
		out[k] = sb.String()
	}
	return out
}

// repeatSamples instantiates sub* (orEmpty) or sub+.
func repeatSamples(sub *syntax.Regexp, orEmpty bool) []string {
	var out []string
	if orEmpty {
		out = append(out, "")
	}
	one := gen(sub)
	out = append(out, one...)
	// Wildcards (., [^/], [^?], ...) stand for segments: also try the sample segments and, when
	// the class admits '/', several components.
	if sub.Op == syntax.OpAnyCharNotNL || sub.Op == syntax.OpAnyChar || sub.Op == syntax.OpCharClass {
		for _, s := range sampleSegments {
			if allIn(sub, s) {
				out = append(out, s)
			}
		}
		if allIn(sub, "a/b") {
			out = append(out, "a/b", "!room:example.org/x/y")
		}
	}
	for _, s := range one {
		if len(s) <= maxDoubleLen {
			out = append(out, s+s)
		}
	}
	return out
}

// allIn reports whether every rune of s is matched by the single-character node sub.
func allIn(sub *syntax.Regexp, s string) bool {
	for _, r := range s {
		switch sub.Op {
		case syntax.OpAnyChar:
		case syntax.OpAnyCharNotNL:
			if r == '\n' {
				return false
			}
		case syntax.OpCharClass:
			if !inRanges(sub.Rune, r) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func inRanges(ranges []rune, r rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if r >= ranges[i] && r <= ranges[i+1] {
			return true
		}
	}
	return false
}

// classSamples picks representative characters of a class: preferred URL characters it
// holds, then the ends of each range (so [12] yields both), at most four.
func classSamples(ranges []rune) []string {
	var out []string
	add := func(c rune) {
		if len(out) < 4 && c >= 0x20 && c < 0x7f && !slices.Contains(out, string(c)) {
			out = append(out, string(c))
		}
	}
	for _, c := range "xa0/" {
		if inRanges(ranges, c) {
			add(c)
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		add(ranges[i])
		add(ranges[i+1])
	}
	if len(out) == 0 && len(ranges) >= 2 {
		out = append(out, string(ranges[0]))
	}
	return out
}

package gen

import (
	"regexp"
	"strings"
)

// This file reads just enough of Python source text to find, in a function body, which calls
// happen under which `if` conditions. It never runs or imports Synapse.

type pyCall struct {
	Match []string // the submatches of the call pattern
	Conds []string // enclosing conditions, outermost first
}

var (
	pyIf   = regexp.MustCompile(`^\s*(?:el)?if (.+):\s*(?:#.*)?$`)
	pyElse = regexp.MustCompile(`^\s*else:\s*(?:#.*)?$`)
)

type pyFrame struct {
	indent int
	cond   string
	guard  bool // a "not (C)" left by `if C: ... return`: holds until the enclosing block ends
}

func indentOf(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }

// funcBody returns the lines of `def name(` (module level or method), without the def line.
func funcBody(src, name string) []string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if !strings.HasPrefix(t, "def "+name+"(") && !strings.HasPrefix(t, "async def "+name+"(") {
			continue
		}
		ind := indentOf(l)
		j := i + 1
		// Skip the rest of a multi-line signature.
		for j < len(lines) && !strings.HasSuffix(strings.TrimSpace(lines[j-1]), ":") {
			j++
		}
		var body []string
		for ; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) != "" && indentOf(lines[j]) <= ind {
				break
			}
			body = append(body, lines[j])
		}
		return body
	}
	return nil
}

// callsUnder lists the lines of body matching call, with their enclosing conditions.
func callsUnder(body []string, call *regexp.Regexp) []pyCall {
	var (
		stack  []pyFrame
		lastIf = map[int]string{}
		out    []pyCall
	)
	for _, l := range body {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		ind := indentOf(l)
		var closed *pyFrame
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			if (top.guard && ind < top.indent) || (!top.guard && ind <= top.indent) {
				if !top.guard {
					c := top
					closed = &c
				}
				stack = stack[:len(stack)-1]
				continue
			}
			break
		}
		_ = closed
		if m := pyIf.FindStringSubmatch(l); m != nil {
			cond := strings.TrimSpace(m[1])
			if strings.HasPrefix(t, "elif ") {
				cond = "not (" + lastIf[ind] + ") and " + cond
			}
			lastIf[ind] = cond
			stack = append(stack, pyFrame{indent: ind, cond: cond})
			continue
		}
		if pyElse.MatchString(l) {
			stack = append(stack, pyFrame{indent: ind, cond: "not (" + lastIf[ind] + ")"})
			continue
		}
		if t == "return" && len(stack) > 0 && !stack[len(stack)-1].guard {
			top := stack[len(stack)-1]
			// Lines after this if-block (at its level) run only when its condition is false.
			stack = append(stack[:len(stack)-1], pyFrame{indent: top.indent, cond: "not (" + top.cond + ")", guard: true})
			continue
		}
		if m := call.FindStringSubmatch(l); m != nil {
			var conds []string
			for _, f := range stack {
				conds = append(conds, f.cond)
			}
			out = append(out, pyCall{Match: m, Conds: conds})
		}
	}
	return out
}

// mainOnlyCond reports whether a condition holds on the main process only
// (`hs.config.worker.worker_app is None`, `is_main_process`, or a negation of the worker form).
func mainOnlyCond(c string) bool {
	neg := false
	for {
		switch {
		case strings.HasPrefix(c, "not (") && strings.HasSuffix(c, ")") && !strings.Contains(c, ") and "):
			neg, c = !neg, c[5:len(c)-1]
			continue
		case strings.HasPrefix(c, "not "):
			neg, c = !neg, c[4:]
			continue
		}
		break
	}
	switch {
	case strings.Contains(c, " and ") || strings.Contains(c, " or "):
		return false
	case strings.HasSuffix(c, "worker_app is None"), c == "is_main_process":
		return !neg
	case strings.HasSuffix(c, "worker_app is not None"):
		return neg
	}
	return false
}

// workerCond reports whether a condition only says "on a worker" (no config condition).
func workerCond(c string) bool {
	return strings.Contains(c, "worker_app is not None") || strings.Contains(c, "worker_app is None") || strings.Contains(c, "is_main_process")
}

// pyStrings returns the string literals of a Python expression, concatenated in order, and
// whether the expression holds nothing but plain string literals (no f-strings, names or %).
func pyStrings(expr string) (string, bool) {
	var b strings.Builder
	ok := true
	i := 0
	for i < len(expr) {
		c := expr[i]
		switch {
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			i++
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(expr) && expr[j] != c {
				if expr[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(expr) {
				return b.String(), false
			}
			b.WriteString(unescapePy(expr[i+1 : j]))
			i = j + 1
		case c == 'r' && i+1 < len(expr) && (expr[i+1] == '"' || expr[i+1] == '\''):
			i++
		default:
			ok = false
			i++
		}
	}
	return b.String(), ok
}

func unescapePy(s string) string {
	// Synapse's patterns use only \\ escapes that mean themselves in a regex; keep them.
	return s
}

// splitArgs splits a call's argument text at top-level commas.
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// callArgs returns the argument text of the first call `name(` at or after from in src.
func callArgs(src, name string) (string, bool) {
	i := strings.Index(src, name+"(")
	if i < 0 {
		return "", false
	}
	i += len(name) + 1
	depth := 1
	var quote byte
	for j := i; j < len(src); j++ {
		c := src[j]
		switch {
		case quote != 0:
			switch c {
			case '\\':
				j++
			case quote:
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return src[i:j], true
			}
		}
	}
	return "", false
}

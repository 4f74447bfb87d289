package gen

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
)

// Servlet is one URL handler a generic worker registers, as read from Synapse's source.
type Servlet struct {
	// Pattern is the full regular expression the handler answers (prefix included).
	Pattern string `json:"pattern"`
	// Methods are the HTTP methods the class implements (on_GET, on_POST, ...).
	Methods []string `json:"methods,omitempty"`
	// Source names where it is registered: "rest/client/sync.py SlidingSyncRestServlet",
	// "rest/synapse/client /_synapse/mas".
	Source string `json:"source"`
	// Condition is the configuration the registration depends on, if any
	// ("hs.config.experimental.msc3575_enabled").
	Condition string `json:"condition,omitempty"`
}

// Unparsed is a registration the generator could not turn into a pattern.
type Unparsed struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Reader reads one file of a Synapse tree at a tag.
type Reader interface {
	// Read returns the file's text, or ok=false when the file does not exist at the tag.
	Read(tag, path string) (string, bool, error)
	// List returns the file names (not paths) directly under dir at the tag.
	List(tag, dir string) ([]string, error)
}

var (
	servletCall   = regexp.MustCompile(`^\s*([A-Z][A-Za-z0-9_]*)\(hs[^)]*\)\.register\(\s*http_server\s*\)`)
	moduleFunc    = regexp.MustCompile(`\b([a-z_]+)\.(register_[a-z_]*servlets[a-z_]*)\b`)
	moduleFuncCal = regexp.MustCompile(`^\s*([a-z_]+)\.(register_[a-z_]*servlets[a-z_]*)\(hs, client_resource\)`)
	methodDef     = regexp.MustCompile(`^\s+(?:async )?def on_(GET|POST|PUT|DELETE|PATCH)\(`)
	resourceKey   = regexp.MustCompile(`"(/_synapse/[^"]+|/_matrix/[^"]+)":\s*[A-Za-z_]+\(`)
	resourceSet   = regexp.MustCompile(`^\s*resources\["(/[^"]+)"\]\s*=`)
)

// workerModules lists the client servlet modules (and register functions) a generic worker
// registers, from synapse/rest/__init__.py.
func workerModules(initPy string) ([][2]string, error) {
	var all [][2]string
	mainOnly := map[string]bool{}
	if strings.Contains(initPy, "CLIENT_SERVLET_FUNCTIONS") {
		tuple, ok := callArgsAfter(initPy, "CLIENT_SERVLET_FUNCTIONS", "(")
		if !ok {
			return nil, fmt.Errorf("rest/__init__.py: CLIENT_SERVLET_FUNCTIONS has no tuple")
		}
		for _, m := range moduleFunc.FindAllStringSubmatch(tuple, -1) {
			all = append(all, [2]string{m[1], m[2]})
		}
		list, ok := callArgsAfter(initPy, "and servletfunc in", "[")
		if !ok {
			return nil, fmt.Errorf("rest/__init__.py: no list of main-process-only servlet functions")
		}
		for _, m := range moduleFunc.FindAllStringSubmatch(list, -1) {
			mainOnly[m[1]+"."+m[2]] = true
		}
	} else {
		body := funcBody(initPy, "register_servlets")
		for _, c := range callsUnder(body, moduleFuncCal) {
			all = append(all, [2]string{c.Match[1], c.Match[2]})
			for _, cond := range c.Conds {
				if mainOnlyCond(cond) {
					mainOnly[c.Match[1]+"."+c.Match[2]] = true
				}
			}
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("rest/__init__.py: no client servlet registrations found")
	}
	var out [][2]string
	for _, m := range all {
		if !mainOnly[m[0]+"."+m[1]] {
			out = append(out, m)
		}
	}
	return out, nil
}

// callArgsAfter returns the bracketed text opened by the first `open` after marker.
func callArgsAfter(src, marker, open string) (string, bool) {
	i := strings.Index(src, marker)
	if i < 0 {
		return "", false
	}
	j := strings.Index(src[i:], open)
	if j < 0 {
		return "", false
	}
	closeCh := map[string]byte{"(": ')', "[": ']'}[open]
	start := i + j + 1
	depth := 1
	for k := start; k < len(src); k++ {
		switch src[k] {
		case open[0]:
			depth++
		case closeCh:
			depth--
			if depth == 0 {
				return src[start:k], true
			}
		}
	}
	return "", false
}

// classBody returns the text of `class name(` up to the next top-level statement.
func classBody(src, name string) (string, bool) {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "class "+name+"(") && !strings.HasPrefix(l, "class "+name+":") {
			continue
		}
		var b strings.Builder
		for j := i + 1; j < len(lines); j++ {
			if t := lines[j]; t != "" && indentOf(t) == 0 && !strings.HasPrefix(t, ")") {
				break
			}
			b.WriteString(lines[j])
			b.WriteByte('\n')
		}
		return b.String(), true
	}
	return "", false
}

// servletPatterns turns a class's PATTERNS into full regular expressions: the union of the
// client_patterns(...), admin_patterns(...) and re.compile(...) calls of its expression.
func servletPatterns(body string) ([]string, error) {
	i := strings.Index(body, "PATTERNS = ")
	if i < 0 {
		return nil, fmt.Errorf("no PATTERNS")
	}
	expr := statement(body[i+len("PATTERNS = "):])
	var out []string
	for _, c := range topCalls(expr) {
		p, err := evalPatternCall(c[0], c[1])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("PATTERNS holds no pattern call (the class builds its own paths): %.40q", expr)
	}
	return out, nil
}

// statement returns a Python statement's text up to its end (a newline at bracket depth 0),
// with comments removed.
func statement(src string) string {
	var b strings.Builder
	depth := 0
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(src) {
				b.WriteByte(c)
				i++
				c = src[i]
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			if depth == 0 {
				return b.String()
			}
			b.WriteByte('\n')
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == '\n' && depth <= 0:
			return b.String()
		}
		b.WriteByte(c)
	}
	return b.String()
}

var patternCall = regexp.MustCompile(`\b(client_patterns|admin_patterns|re\.compile)\(`)

// topCalls finds the pattern calls in an expression, with their argument text.
func topCalls(expr string) [][2]string {
	var out [][2]string
	for len(expr) > 0 {
		loc := patternCall.FindStringSubmatchIndex(expr)
		if loc == nil {
			break
		}
		name := expr[loc[2]:loc[3]]
		args, ok := callArgs(expr[loc[2]:], name)
		if !ok {
			break
		}
		out = append(out, [2]string{name, args})
		expr = expr[loc[3]+1+len(args):]
	}
	return out
}

func evalPatternCall(name, args string) (string, error) {
	parts := splitArgs(args)
	if len(parts) == 0 {
		return "", fmt.Errorf("%s() without arguments", name)
	}
	path, ok := pyStrings(parts[0])
	if !ok {
		return "", fmt.Errorf("%s path is not a plain string: %s", name, parts[0])
	}
	switch name {
	case "re.compile":
		return path, nil
	case "admin_patterns":
		version := "v1"
		for i, p := range parts[1:] {
			k, v, kw := strings.Cut(p, "=")
			if !kw && i == 0 {
				v = k
			} else if strings.TrimSpace(k) != "version" {
				return "", fmt.Errorf("admin_patterns argument %q is not understood", p)
			}
			if version, ok = pyStrings(v); !ok {
				return "", fmt.Errorf("admin_patterns version is not a plain string")
			}
		}
		return "^/_synapse/admin/" + version + path, nil
	}
	releases := []string{"r0", "v3"}
	unstable, v1 := true, false
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "releases":
			releases = nil
			for _, q := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(v, -1) {
				releases = append(releases, q[1])
			}
		case "unstable":
			unstable = v == "True"
		case "v1":
			v1 = v == "True"
		default:
			return "", fmt.Errorf("client_patterns argument %q is not understood", p)
		}
	}
	var vs []string
	if v1 {
		vs = append(vs, "api/v1")
	}
	vs = append(vs, releases...)
	if unstable {
		vs = append(vs, "unstable")
	}
	if len(vs) == 0 {
		return "", fmt.Errorf("client_patterns with no version")
	}
	prefix := vs[0]
	if len(vs) > 1 {
		prefix = "(" + strings.Join(vs, "|") + ")"
	}
	return "^/_matrix/client/" + prefix + path, nil
}

func classMethods(body string) []string {
	set := map[string]bool{}
	for _, l := range strings.Split(body, "\n") {
		if m := methodDef.FindStringSubmatch(l); m != nil {
			set[m[1]] = true
		}
	}
	var out []string
	for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH"} {
		if set[m] {
			out = append(out, m)
		}
	}
	return out
}

// configConds keeps the conditions that are configuration, not "is this a worker".
func configConds(conds []string) string {
	var out []string
	for _, c := range conds {
		if !workerCond(c) {
			out = append(out, c)
		}
	}
	return strings.Join(out, " and ")
}

// ScanServlets lists the handlers a generic worker with a `client` listener registers at tag:
// client servlets (synapse/rest/__init__.py and each module's register function), the admin
// servlets workers register, and the /_synapse resources of the client resource tree.
func ScanServlets(r Reader, tag string) ([]Servlet, []Unparsed, error) {
	var (
		out  []Servlet
		bad  []Unparsed
		srcs = map[string]string{}
	)
	read := func(path string) (string, bool, error) {
		if s, ok := srcs[path]; ok {
			return s, true, nil
		}
		s, ok, err := r.Read(tag, path)
		if ok {
			srcs[path] = s
		}
		return s, ok, err
	}
	initPy, ok, err := read("synapse/rest/__init__.py")
	if err != nil || !ok {
		return nil, nil, fmt.Errorf("%s: synapse/rest/__init__.py: %v", tag, orMissing(err))
	}
	mods, err := workerModules(initPy)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", tag, err)
	}
	addClasses := func(src, file, fn string, classDir []string) error {
		body := funcBody(src, fn)
		if body == nil {
			bad = append(bad, Unparsed{Source: file + " " + fn, Reason: "register function not found"})
			return nil
		}
		for _, c := range callsUnder(body, servletCall) {
			main := false
			for _, cond := range c.Conds {
				if mainOnlyCond(cond) {
					main = true
				}
			}
			if main {
				continue
			}
			name := c.Match[1]
			where := file + " " + name
			cb, found := classBody(src, name)
			for _, d := range classDir {
				if found {
					break
				}
				names, err := r.List(tag, d)
				if err != nil {
					return err
				}
				for _, n := range names {
					if !strings.HasSuffix(n, ".py") {
						continue
					}
					s, _, err := read(d + "/" + n)
					if err != nil {
						return err
					}
					if cb, found = classBody(s, name); found {
						break
					}
				}
			}
			if !found {
				bad = append(bad, Unparsed{Source: where, Reason: "class not found"})
				continue
			}
			pats, err := servletPatterns(cb)
			if err != nil {
				bad = append(bad, Unparsed{Source: where, Reason: err.Error()})
				continue
			}
			for _, p := range pats {
				out = append(out, Servlet{Pattern: p, Methods: classMethods(cb), Source: where, Condition: configConds(c.Conds)})
			}
		}
		return nil
	}
	for _, m := range mods {
		if m[0] == "admin" {
			continue
		}
		file := "synapse/rest/client/" + m[0] + ".py"
		src, ok, err := read(file)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			bad = append(bad, Unparsed{Source: file, Reason: "module file not found"})
			continue
		}
		if err := addClasses(src, strings.TrimPrefix(file, "synapse/"), m[1], nil); err != nil {
			return nil, nil, err
		}
	}
	// Admin servlets: registered on the worker's admin resource by admin.register_servlets.
	if src, ok, err := read("synapse/rest/admin/__init__.py"); err != nil {
		return nil, nil, err
	} else if ok {
		if err := addClasses(src, "rest/admin/__init__.py", "register_servlets", []string{"synapse/rest/admin"}); err != nil {
			return nil, nil, err
		}
	}
	// The /_synapse resources of the client resource tree.
	if src, ok, err := read("synapse/rest/synapse/client/__init__.py"); err != nil {
		return nil, nil, err
	} else if ok {
		body := funcBody(src, "build_synapse_client_resource_tree")
		for _, l := range body {
			if m := resourceKey.FindStringSubmatch(l); m != nil {
				out = append(out, Servlet{Pattern: "^" + regexp.QuoteMeta(m[1]), Source: "rest/synapse/client " + m[1]})
			}
		}
		for _, c := range callsUnder(body, resourceSet) {
			out = append(out, Servlet{Pattern: "^" + regexp.QuoteMeta(c.Match[1]), Source: "rest/synapse/client " + c.Match[1], Condition: configConds(c.Conds)})
		}
	}
	return out, bad, nil
}

func orMissing(err error) error {
	if err == nil {
		return fmt.Errorf("missing")
	}
	return err
}

// Samples returns example paths a regular expression matches: every alternative of its
// alternations, optional parts with and without, one character per class; at most limit.
func Samples(pattern string, limit int) ([]string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	out := samples(re.Simplify(), limit)
	sort.Strings(out)
	return out, nil
}

func samples(re *syntax.Regexp, limit int) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{string(re.Rune)}
	case syntax.OpCharClass:
		r := re.Rune
		for i := 0; i+1 < len(r); i += 2 {
			if r[i] <= 'x' && 'x' <= r[i+1] {
				return []string{"x"}
			}
		}
		for i := 0; i+1 < len(r); i += 2 {
			for c := r[i]; c <= r[i+1] && c < 128; c++ {
				if c != '/' && c > ' ' {
					return []string{string(c)}
				}
			}
		}
		if len(r) > 0 {
			return []string{string(r[0])}
		}
		return []string{""}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"x"}
	case syntax.OpCapture:
		return samples(re.Sub[0], limit)
	case syntax.OpStar, syntax.OpPlus:
		return samples(re.Sub[0], limit)
	case syntax.OpQuest:
		return capped(append([]string{""}, samples(re.Sub[0], limit)...), limit)
	case syntax.OpRepeat:
		s := samples(re.Sub[0], limit)
		n := re.Min
		if n == 0 {
			n = 1
		}
		var out []string
		for _, x := range s {
			out = append(out, strings.Repeat(x, n))
		}
		return out
	case syntax.OpConcat:
		acc := []string{""}
		for _, sub := range re.Sub {
			var next []string
			for _, a := range acc {
				for _, b := range samples(sub, limit) {
					next = append(next, a+b)
				}
			}
			acc = capped(next, limit)
		}
		return acc
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			out = append(out, samples(sub, limit)...)
		}
		return capped(out, limit)
	}
	return []string{""}
}

func capped(s []string, limit int) []string {
	if len(s) > limit {
		return s[:limit]
	}
	return s
}

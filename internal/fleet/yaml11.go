package fleet

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Synapse reads every config file with PyYAML's yaml.safe_load (synapse/config/_base.py
// read_config_files; synapse/config/logger.py _load_logging_config), which types plain scalars
// by the YAML 1.1 type repository (yaml.org/type). gopkg.in/yaml.v3 types them by YAML 1.2,
// so a value yaml.v3 emits unquoted can read back in Synapse as another type: `yes`, `on` and
// `off` become booleans, `0777` and `1_000` integers, `2024-01-01` a date, and `=` or `<<` make
// safe_load fail. These are the YAML 1.1 implicit types as PyYAML's resolver applies them (it
// leaves out y/Y/n/N, which the spec lists as booleans; yaml11NeedsQuotes quotes them anyway).
var yaml11Implicit = []struct {
	tag string
	re  *regexp.Regexp
}{
	{"!!bool", regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)},
	{"!!float", regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)},
	{"!!int", regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)},
	{"!!merge", regexp.MustCompile(`^<<$`)},
	{"!!null", regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)},
	{"!!timestamp", regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{"!!value", regexp.MustCompile(`^=$`)},
}

// yaml11Tag is the tag a YAML 1.1 loader (PyYAML, as Synapse uses it) gives a plain scalar.
func yaml11Tag(plain string) string {
	for _, t := range yaml11Implicit {
		if t.re.MatchString(plain) {
			return t.tag
		}
	}
	return "!!str"
}

// yaml11NeedsQuotes reports whether the string s, written as a plain scalar, would not read
// back as the string s in a YAML 1.1 loader.
func yaml11NeedsQuotes(s string) bool {
	switch s {
	case "y", "Y", "n", "N":
		return true
	}
	return yaml11Tag(s) != "!!str"
}

// quoteForYAML11 double-quotes, in place, every plain string scalar of the tree that a YAML 1.1
// loader would read as something other than that string. Only for nodes the provider builds:
// a user's own file keeps its scalars as written (Synapse reads them as the user wrote them).
func quoteForYAML11(n *yaml.Node) {
	if n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!merge" {
		n.Tag = "!!str" // yaml.v3 encodes the Go string "<<" as a merge key
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && n.Style == 0 && yaml11NeedsQuotes(n.Value) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteForYAML11(c)
	}
}

// yaml11Mismatch returns the first plain scalar of src that yaml.v3 (YAML 1.2) and a YAML 1.1
// loader type differently (e.g. `yes`: a string to yaml.v3, a boolean to Synapse), with both
// tags; ok is false when there is none or src does not parse.
func yaml11Mismatch(src string) (value, v12, v11 string, ok bool) {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(src), &doc) != nil {
		return "", "", "", false
	}
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if n.Kind == yaml.ScalarNode && n.Style == 0 {
			if t11, t12 := yaml11Tag(n.Value), n.ShortTag(); t11 != t12 {
				value, v12, v11 = n.Value, t12, t11
				return true
			}
		}
		for _, c := range n.Content {
			if walk(c) {
				return true
			}
		}
		return false
	}
	ok = walk(&doc)
	return value, v12, v11, ok
}

// yamlTypeName names a YAML tag for messages.
func yamlTypeName(tag string) string {
	switch tag {
	case "!!str":
		return "a string"
	case "!!bool":
		return "a boolean"
	case "!!int":
		return "an integer"
	case "!!float":
		return "a number"
	case "!!null":
		return "null"
	case "!!timestamp":
		return "a date"
	case "!!merge", "!!value":
		return "a YAML 1.1 " + tag[2:] + " key it cannot load"
	}
	return tag
}

// yaml11Date is how decodeYAML11 represents a YAML 1.1 timestamp (PyYAML gives a datetime).
type yaml11Date string

// decodeYAML11 decodes YAML the way Synapse sees it: PyYAML's safe_load types plain scalars by
// the YAML 1.1 implicit types (yaml11Tag), not by YAML 1.2 as yaml.v3 does. Mappings become
// map[string]any when every key is a string, else map[any]any (as in Python, a dict key can
// be a bool or an int). It emulates the loader's typing only; it is not PyYAML.
func decodeYAML11(src string) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return yaml11Value(doc.Content[0])
}

func yaml11Value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return yaml11Value(n.Alias)
	case yaml.SequenceNode:
		out := []any{}
		for _, c := range n.Content {
			v, err := yaml11Value(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		keys, vals := []any{}, []any{}
		allStr := true
		var merged []*yaml.Node // YAML 1.1 merge keys (<<), which PyYAML applies
		for i := 0; i+1 < len(n.Content); i += 2 {
			if kn := n.Content[i]; kn.Kind == yaml.ScalarNode && kn.Style == 0 && kn.Value == "<<" {
				merged = append(merged, n.Content[i+1])
				continue
			}
			k, err := yaml11Value(n.Content[i])
			if err != nil {
				return nil, err
			}
			v, err := yaml11Value(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			_, isStr := k.(string)
			allStr = allStr && isStr
			keys, vals = append(keys, k), append(vals, v)
		}
		for _, mn := range merged {
			src := []*yaml.Node{mn}
			if mn.Kind == yaml.SequenceNode {
				src = mn.Content
			}
			for _, one := range src {
				v, err := yaml11Value(one)
				if err != nil {
					return nil, err
				}
				mm, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("line %d: a merge key needs a mapping", mn.Line)
				}
				for k, x := range mm {
					if !containsAny(keys, k) {
						keys, vals = append(keys, k), append(vals, x)
					}
				}
			}
		}
		if allStr {
			m := map[string]any{}
			for i, k := range keys {
				if ks, isStr := k.(string); isStr {
					m[ks] = vals[i]
				}
			}
			return m, nil
		}
		m := map[any]any{}
		for i, k := range keys {
			m[k] = vals[i]
		}
		return m, nil
	case yaml.ScalarNode:
		tag := "!!str"
		switch {
		case n.Style&yaml.TaggedStyle != 0:
			tag = n.Tag
		case n.Style == 0:
			tag = yaml11Tag(n.Value)
		}
		switch tag {
		case "!!str":
			return n.Value, nil
		case "!!bool":
			switch strings.ToLower(n.Value) {
			case "yes", "true", "on":
				return true, nil
			}
			return false, nil
		case "!!null":
			return nil, nil
		case "!!int":
			// A sexagesimal (1:30) or out-of-range value does not parse here but is still an
			// int to PyYAML: what matters to the callers is the type, so 0 stands in for it.
			i, _ := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
			return i, nil
		case "!!float":
			f, _ := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
			return f, nil
		case "!!timestamp":
			return yaml11Date(n.Value), nil
		default:
			return nil, fmt.Errorf("line %d: %q resolves to %s, which yaml.safe_load cannot construct", n.Line, n.Value, tag)
		}
	}
	return nil, fmt.Errorf("line %d: unexpected node kind %d", n.Line, n.Kind)
}

func containsAny(list []any, x any) bool {
	for _, e := range list {
		if e == x {
			return true
		}
	}
	return false
}

package fleet

// Helpers to build YAML as gopkg.in/yaml.v3 nodes. User values only ever become scalar node
// values, which the encoder quotes as needed, so no input can add a key or change the
// document's structure.

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlStr is a string scalar; the !!str tag makes the encoder quote values such as "true",
// "123" or "a: b" that would otherwise read back as something else, and yaml11NeedsQuotes
// adds the values only a YAML 1.1 loader such as Synapse's reads as another type ("yes",
// "on", "0777", "2024-01-01").
func yamlStr(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if yaml11NeedsQuotes(s) {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

func yamlInt(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func yamlBool(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

// yamlMap builds a mapping from alternating keys and value nodes, in the given order.
func yamlMap(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		k, okKey := kv[i].(string)
		v, okValue := kv[i+1].(*yaml.Node)
		if !okKey || !okValue {
			// Only the package's own rendering code calls yamlMap, with literal keys.
			panic("fleet: yamlMap takes alternating string keys and *yaml.Node values")
		}
		n.Content = append(n.Content, yamlStr(k), v)
	}
	return n
}

// yamlAppend adds a key and value to a mapping node.
func yamlAppend(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, yamlStr(key), value)
}

// yamlStrSeq is a block sequence of strings.
func yamlStrSeq(items []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for _, s := range items {
		n.Content = append(n.Content, yamlStr(s))
	}
	return n
}

// yamlFlowStrSeq is a flow sequence of strings: [a, b].
func yamlFlowStrSeq(items []string) *yaml.Node {
	n := yamlStrSeq(items)
	n.Style = yaml.FlowStyle
	return n
}

// encodeYAML renders a node as a document with 2-space indentation.
func encodeYAML(n *yaml.Node) string {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		// Only nodes built by this package reach here; a failure is a provider bug.
		panic(fmt.Sprintf("fleet: encoding YAML failed (provider bug): %v", err))
	}
	if err := enc.Close(); err != nil {
		panic(fmt.Sprintf("fleet: encoding YAML failed (provider bug): %v", err))
	}
	return b.String()
}

// parseYAMLMapping parses a YAML mapping with string keys (such as extra_config). Aliases and
// merge keys are resolved, so re-encoding the values in another key order stays valid. An
// empty document, `null` and `{}` give an empty map.
func parseYAMLMapping(src string) (map[string]any, error) {
	var raw any
	if err := yaml.Unmarshal([]byte(src), &raw); err != nil {
		return nil, err
	}
	switch m := raw.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return m, nil
	default:
		return nil, fmt.Errorf("it is a %s, not a mapping of option names to values", yamlKind(raw))
	}
}

func yamlKind(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case int, int64, uint64, float64:
		return "number"
	case bool:
		return "boolean"
	case map[any]any, map[string]any:
		return "mapping with non-string keys"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// sortedKeys returns a map's keys in byte order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// valueNode converts a decoded YAML value back to a node, with its strings quoted where a
// YAML 1.1 loader would read them as another type.
func valueNode(v any) (*yaml.Node, error) {
	switch x := v.(type) {
	case float64:
		// yaml.v3 encodes a whole float such as 2.0 as the integer 2; keep it a float.
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			s := strconv.FormatFloat(x, 'g', -1, 64)
			if !strings.ContainsAny(s, ".e") {
				s += ".0"
			}
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}, nil
		}
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range sortedKeys(x) {
			c, err := valueNode(x[k])
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, yamlStr(k), c)
		}
		return n, nil
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			c, err := valueNode(e)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		return n, nil
	}
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil, err
	}
	quoteForYAML11(&n)
	return &n, nil
}

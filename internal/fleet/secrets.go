package fleet

// Secrets in homeserver_yaml. Synapse options that hold a secret inline (the catalogue's
// data/secrets.json, from Synapse's configuration documentation) never reach config_yaml or
// merged_yaml: the top-level key holding one moves, whole, into the secret file
// (SecretConfigYAML), which every process loads as one more --config-path after the shared
// file. Synapse merges config files shallowly, so a moved `database` section replaces nothing
// but itself. A key the fleet owns (`redis`) is replaced by the fleet's value anyway, so an
// inline secret under it is dropped, and the warning says to use the file form.

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// InlineSecret is one secret option found set in homeserver_yaml.
type InlineSecret struct {
	// Path is the catalogue path (`database.args.password`); TopKey the top-level key moved.
	Path   string
	TopKey string
	// PathOption is Synapse's file form of the option ("" when there is none).
	PathOption string
	// Dropped means the fleet owns TopKey, so the value is replaced rather than moved.
	Dropped bool
}

// findInlineSecrets lists the secret options set (to a non-empty value) in a parsed
// homeserver.yaml, in catalogue order.
func findInlineSecrets(user map[string]any, owned func(string) bool) []InlineSecret {
	var out []InlineSecret
	for _, s := range catalog.SecretOptions() {
		if !secretSet(user, splitSecretPath(s.Path)) {
			continue
		}
		out = append(out, InlineSecret{Path: s.Path, TopKey: s.TopKey(), PathOption: s.PathOption, Dropped: owned(s.TopKey())})
	}
	return out
}

// splitSecretPath splits `a.b[].c` into a, b, [], c.
func splitSecretPath(p string) []string {
	var out []string
	for _, part := range strings.Split(p, ".") {
		if name, ok := strings.CutSuffix(part, "[]"); ok {
			out = append(out, name, "[]")
			continue
		}
		out = append(out, part)
	}
	return out
}

// secretSet reports whether the path holds a value that is not null or empty.
func secretSet(v any, path []string) bool {
	if len(path) == 0 {
		switch x := v.(type) {
		case nil:
			return false
		case string:
			return x != ""
		}
		return true
	}
	switch seg := path[0]; seg {
	case "[]":
		list, _ := v.([]any)
		for _, e := range list {
			if secretSet(e, path[1:]) {
				return true
			}
		}
	case "*":
		m, _ := v.(map[string]any)
		for _, e := range m {
			if secretSet(e, path[1:]) {
				return true
			}
		}
	default:
		m, _ := v.(map[string]any)
		if e, ok := m[seg]; ok {
			return secretSet(e, path[1:])
		}
	}
	return false
}

// SecretTopKeys lists the top-level homeserver.yaml keys that move into the secret file (no
// duplicates, in catalogue order). It needs no catalogue version: the secret options hold for
// every release. The fleet's own keys (never moved) are left out.
func SecretTopKeys(c *catalog.Catalog, homeserverYAML string) []string {
	s := newSharedView(c, SharedConfig{HomeserverYAML: homeserverYAML})
	var out []string
	for _, sec := range findInlineSecrets(s.userValue, s.ownsKey) {
		if !sec.Dropped && !containsString(out, sec.TopKey) {
			out = append(out, sec.TopKey)
		}
	}
	return out
}

// ownsKey reports whether the fragment renders the top-level key (it then replaces the user's).
func (s *sharedView) ownsKey(key string) bool {
	frag := s.fragment()
	for i := 0; i+1 < len(frag.Content); i += 2 {
		if frag.Content[i].Value == key && key != "listeners" {
			return true
		}
	}
	return false
}

// splitSecrets removes the top-level keys holding secrets from the merged mapping and returns
// them, in the file's order, as a mapping of their own (nil when there is none).
func splitSecrets(merged *yaml.Node, keys []string) *yaml.Node {
	if len(keys) == 0 {
		return nil
	}
	secret := yamlMap()
	kept := merged.Content[:0:0]
	for i := 0; i+1 < len(merged.Content); i += 2 {
		k, v := merged.Content[i], merged.Content[i+1]
		if containsString(keys, k.Value) {
			secret.Content = append(secret.Content, k, v)
			continue
		}
		kept = append(kept, k, v)
	}
	merged.Content = kept
	return secret
}

// InlineSecretsWarning is the one warning about the secrets of homeserver_yaml: where each went
// and the file form Synapse reads instead. Values never appear, only option names.
func InlineSecretsWarning(found []InlineSecret) *Problem {
	if len(found) == 0 {
		return nil
	}
	var moved, dropped []string
	for _, s := range found {
		fix := fmt.Sprintf("`%s` (Synapse has no file form of it)", s.Path)
		if s.PathOption != "" {
			fix = fmt.Sprintf("`%s` (better: set `%s` to a file holding it)", s.Path, s.PathOption)
		}
		if s.Dropped {
			dropped = append(dropped, fix)
		} else {
			moved = append(moved, fix)
		}
	}
	var b strings.Builder
	if len(moved) > 0 {
		fmt.Fprintf(&b, "homeserver_yaml holds secrets inline: %s. They are kept out of config_yaml and merged_yaml; the top-level keys holding them move, whole, into the sensitive secret_config_yaml "+
			"(Synapse merges config files shallowly), which every process must load as one more --config-path after the shared file (modules/fleet does this). "+
			"A secret inside a rendered file is stored in Terraform state: the file forms keep it out.", strings.Join(moved, ", "))
	}
	if len(dropped) > 0 {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "homeserver_yaml sets %s under a section this fleet renders itself, so the value is replaced and not used: set the file form on this resource instead.", strings.Join(dropped, ", "))
	}
	return &Problem{Path: "homeserver_yaml", Summary: "Inline Secret In Homeserver YAML", Detail: b.String(), Warning: true}
}

// MainLogConfigPath is homeserver.yaml's log_config ("" when unset or not a string).
func MainLogConfigPath(homeserverYAML string) string {
	var v struct {
		LogConfig any `yaml:"log_config"`
	}
	if yaml.Unmarshal([]byte(homeserverYAML), &v) != nil {
		return ""
	}
	p, _ := v.LogConfig.(string)
	return p
}

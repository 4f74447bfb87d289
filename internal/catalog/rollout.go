package catalog

// Restart rules and secret options: Synapse facts that are not per-version endpoint data, kept
// as data beside synapse.json (data/rollout.json, data/secrets.json) and read by the pure
// packages internal/rollout and internal/fleet.

import (
	_ "embed"
	"encoding/json"
	"strings"
)

//go:embed data/rollout.json
var rawRollout []byte

//go:embed data/secrets.json
var rawSecrets []byte

// RolloutRule says what a kind of change to a fleet needs from the running processes. The
// first rule (in file order) whose facet, key and change match a change applies.
type RolloutRule struct {
	ID string `json:"id"`
	// Facet is what changed: synapse_version, redis, replication_secret, stream_writers (keyed
	// by stream), instance_map (keyed by process), duty (keyed by option), worker (keyed by
	// name), shared_file, secret_file, proxy.
	Facet string `json:"facet"`
	// Keys restricts the rule to these facet keys; empty matches every key.
	Keys []string `json:"keys,omitempty"`
	// Changes are the kinds of change matched: value, added, removed, membership (a list's set
	// of elements), order (the same elements in another order).
	Changes []string `json:"changes"`
	// Level is none, proxy_reload, rolling_restart or coordinated_restart.
	Level string `json:"level"`
	// Group is who the rule touches: all (every process), members (every old and new element
	// of the changed list), members_and_main, subject (the keyed process), none.
	Group string `json:"group"`
	// Why is the reason in one sentence; Source cites the Synapse docs or code it comes from.
	Why    string `json:"why"`
	Source string `json:"source"`
}

// RolloutRules are the restart rules, in match order.
type RolloutRules struct {
	Source string            `json:"source"`
	Levels []string          `json:"levels"`
	Facets map[string]string `json:"facets"`
	Rules  []RolloutRule     `json:"rules"`
}

// SecretOption is a homeserver.yaml option that holds a secret inline.
type SecretOption struct {
	// Path locates it: `a.b` nests mappings, `[]` is every list element, `*` every mapping value.
	Path string `json:"path"`
	// PathOption is the option that reads the secret from a file instead ("" when Synapse has none).
	PathOption string `json:"path_option,omitempty"`
}

// TopKey is the top-level homeserver.yaml key the option lives under.
func (s SecretOption) TopKey() string {
	k := s.Path
	if i := strings.IndexAny(k, ".["); i >= 0 {
		k = k[:i]
	}
	return k
}

var (
	rolloutDoc = mustDecode[RolloutRules](rawRollout, "data/rollout.json")
	secretsDoc = mustDecode[struct {
		Source  string         `json:"source"`
		Secrets []SecretOption `json:"secrets"`
	}](rawSecrets, "data/secrets.json")
)

func mustDecode[T any](raw []byte, name string) T {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		panic("catalog: embedded " + name + " does not parse: " + err.Error())
	}
	return v
}

// Rollout returns the restart rules (they hold for every version the catalogue knows).
func Rollout() RolloutRules { return rolloutDoc }

// SecretOptions lists the homeserver.yaml options that hold a secret inline.
func SecretOptions() []SecretOption { return append([]SecretOption(nil), secretsDoc.Secrets...) }

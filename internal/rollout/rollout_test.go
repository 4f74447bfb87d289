package rollout

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// base is a small live fleet: two event persisters, a typing writer, two federation senders,
// a background worker and two synchrotrons.
func base() Snapshot {
	return Snapshot{
		SynapseVersion: "1.157",
		Workers: map[string]string{
			"persister-1": "p1", "persister-2": "p2", "typing-1": "t1", "sender-1": "s1", "sender-2": "s2",
			"background-1": "b1", "sync-1": "y1", "sync-2": "y2",
		},
		StreamWriters: map[string][]string{"events": {"persister-1", "persister-2"}, "typing": {"typing-1"}},
		InstanceMap: map[string]string{
			"main": "10.0.0.1:9093", "persister-1": "10.0.0.2:9101", "persister-2": "10.0.0.3:9101", "typing-1": "10.0.0.2:9102",
		},
		Duties: map[string][]string{
			"federation_sender_instances": {"sender-1", "sender-2"}, "pusher_instances": {"main"},
			"run_background_tasks_on": {"background-1"}, "update_user_directory_from_worker": {"main"},
		},
		Redis: "host=10.0.0.1 port=6379", ReplicationSecret: "path=/etc/synapse/replication.secret",
		SharedFile: "shared-v1", SecretFile: "", Proxy: "proxy-v1",
	}
}

func clone(s Snapshot) Snapshot {
	s.Workers = maps.Clone(s.Workers)
	s.StreamWriters = maps.Clone(s.StreamWriters)
	s.InstanceMap = maps.Clone(s.InstanceMap)
	s.Duties = maps.Clone(s.Duties)
	return s
}

func rules() catalog.RolloutRules { return catalog.Rollout() }

func ruleIDs(p Plan) []string {
	var out []string
	for _, c := range p.Changes {
		out = append(out, c.Rule)
	}
	return out
}

func stepText(p Plan) string {
	var lines []string
	for _, s := range p.Steps {
		lines = append(lines, s.Action+" "+strings.Join(s.Processes, ","))
	}
	return strings.Join(lines, " | ")
}

func TestCompute(t *testing.T) {
	everyone := "main,background-1,persister-1,persister-2,sender-1,sender-2,sync-1,sync-2,typing-1"
	cases := map[string]struct {
		mutate    func(s *Snapshot)
		level     Level
		rules     []string
		steps     string
		processes map[string]Level // checked entries only
	}{
		"nothing": {
			mutate: func(*Snapshot) {}, level: None, rules: nil, steps: "",
		},
		"routing only": {
			mutate: func(s *Snapshot) { s.Proxy = "proxy-v2" },
			level:  ProxyReload, rules: []string{"proxy_changed"},
			steps: "deploy  | reload_proxy ",
		},
		"one worker's file": {
			mutate: func(s *Snapshot) { s.Workers["sync-1"] = "y1b" },
			level:  Rolling, rules: []string{"worker_files_changed"},
			steps:     "deploy  | restart sync-1",
			processes: map[string]Level{"sync-1": Rolling, "sync-2": ""},
		},
		"stateless worker added": {
			mutate: func(s *Snapshot) { s.Workers["sync-3"] = "y3"; s.Proxy = "proxy-v2" },
			level:  Rolling, rules: []string{"worker_added", "proxy_changed"},
			steps: "deploy  | start sync-3 | reload_proxy ",
		},
		"stateless worker removed": {
			mutate: func(s *Snapshot) { delete(s.Workers, "sync-2"); s.Proxy = "proxy-v2" },
			level:  Rolling, rules: []string{"worker_removed", "proxy_changed"},
			steps: "deploy  | reload_proxy  | stop sync-2",
		},
		"events writer added": {
			mutate: func(s *Snapshot) {
				s.Workers["persister-3"] = "p3"
				s.StreamWriters["events"] = []string{"persister-1", "persister-2", "persister-3"}
				s.InstanceMap["persister-3"] = "10.0.0.4:9101"
				s.SharedFile = "shared-v2"
			},
			level: Coordinated, rules: []string{"events_writers_changed", "instance_map_entry_added_or_removed", "worker_added", "shared_file_changed"},
			steps: "stop " + everyone + " | deploy  | start main | start background-1,persister-1,persister-2,persister-3,sender-1,sender-2,sync-1,sync-2,typing-1",
		},
		"events writers reordered": {
			mutate: func(s *Snapshot) {
				s.StreamWriters["events"] = []string{"persister-2", "persister-1"}
				s.SharedFile = "shared-v2"
			},
			level: Coordinated, rules: []string{"events_writers_changed", "shared_file_changed"},
			steps: "stop " + everyone + " | deploy  | start main | start background-1,persister-1,persister-2,sender-1,sender-2,sync-1,sync-2,typing-1",
		},
		"typing writer moved": {
			mutate: func(s *Snapshot) {
				s.StreamWriters["typing"] = []string{"persister-1"}
				delete(s.InstanceMap, "typing-1")
				s.SharedFile = "shared-v2"
			},
			level: Coordinated, rules: []string{"stream_writers_changed", "instance_map_entry_added_or_removed", "shared_file_changed"},
			steps:     "stop persister-1,typing-1 | deploy  | start persister-1,typing-1 | restart main,background-1,persister-2,sender-1,sender-2,sync-1,sync-2",
			processes: map[string]Level{"typing-1": Coordinated, "persister-1": Coordinated, "sync-1": Rolling},
		},
		"typing writer resource destroyed (stream falls back to main)": {
			mutate: func(s *Snapshot) {
				delete(s.StreamWriters, "typing")
				delete(s.Workers, "typing-1")
				delete(s.InstanceMap, "typing-1")
				s.SharedFile = "shared-v2"
				s.Proxy = "proxy-v2"
			},
			level: Coordinated,
			rules: []string{"stream_writers_changed", "instance_map_entry_added_or_removed", "worker_removed", "shared_file_changed", "proxy_changed"},
			steps: "stop main,typing-1 | deploy  | start main | restart background-1,persister-1,persister-2,sender-1,sender-2,sync-1,sync-2 | reload_proxy ",
		},
		"instance_map port moved": {
			mutate: func(s *Snapshot) {
				s.InstanceMap["persister-2"] = "10.0.0.3:9102"
				s.Workers["persister-2"] = "p2b"
				s.SharedFile = "shared-v2"
			},
			level: Coordinated, rules: []string{"instance_map_moved", "worker_files_changed", "shared_file_changed"},
		},
		"federation sender added": {
			mutate: func(s *Snapshot) {
				s.Workers["sender-3"] = "s3"
				s.Duties["federation_sender_instances"] = []string{"sender-1", "sender-2", "sender-3"}
				s.SharedFile = "shared-v2"
			},
			level: Coordinated, rules: []string{"federation_senders_changed", "worker_added", "shared_file_changed"},
			steps: "stop sender-1,sender-2 | deploy  | start sender-1,sender-2,sender-3 | restart main,background-1,persister-1,persister-2,sync-1,sync-2,typing-1",
		},
		"pushers moved off main": {
			mutate: func(s *Snapshot) {
				s.Workers["pusher-1"] = "u1"
				s.Duties["pusher_instances"] = []string{"pusher-1"}
				s.SharedFile = "shared-v2"
			},
			level: Coordinated, rules: []string{"pushers_changed", "worker_added", "shared_file_changed"},
			steps: "stop main | deploy  | start main | start pusher-1 | restart background-1,persister-1,persister-2,sender-1,sender-2,sync-1,sync-2,typing-1",
		},
		"background tasks moved": {
			mutate: func(s *Snapshot) {
				s.Duties["run_background_tasks_on"] = []string{"sync-1"}
				s.SharedFile = "shared-v2"
			},
			level: Coordinated, rules: []string{"single_duty_moved", "shared_file_changed"},
			steps: "stop main,background-1,sync-1 | deploy  | start main | start background-1,sync-1 | restart persister-1,persister-2,sender-1,sender-2,sync-2,typing-1",
		},
		"redis moved": {
			mutate: func(s *Snapshot) { s.Redis = "host=10.0.0.9 port=6379"; s.SharedFile = "shared-v2" },
			level:  Coordinated, rules: []string{"redis_changed", "shared_file_changed"},
			steps: "stop " + everyone + " | deploy  | start main | start background-1,persister-1,persister-2,sender-1,sender-2,sync-1,sync-2,typing-1",
		},
		"replication secret rotated": {
			mutate: func(s *Snapshot) { s.ReplicationSecret = "sha256:other" },
			level:  Coordinated, rules: []string{"replication_secret_changed"},
		},
		"synapse upgrade": {
			mutate: func(s *Snapshot) { s.SynapseVersion = "1.158" },
			level:  Coordinated, rules: []string{"synapse_upgrade"},
			steps: "stop " + everyone + " | deploy  | start main | start background-1,persister-1,persister-2,sender-1,sender-2,sync-1,sync-2,typing-1",
		},
		"homeserver.yaml edit": {
			mutate: func(s *Snapshot) { s.SharedFile = "shared-v2" },
			level:  Rolling, rules: []string{"shared_file_changed"},
			steps: "deploy  | restart " + everyone,
		},
		"inline secret added": {
			mutate: func(s *Snapshot) { s.SecretFile = "secret-v1" },
			level:  Rolling, rules: []string{"secret_file_changed"},
		},
		"unknown digests from older state are not changes": {
			mutate: func(s *Snapshot) { s.Workers["sync-1"] = "" },
			level:  None, rules: nil,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			next := clone(base())
			tc.mutate(&next)
			p := Compute(rules(), base(), next)
			if p.Level != tc.level {
				t.Errorf("level = %s, want %s (%s)", p.Level, tc.level, p.Summary)
			}
			if got := ruleIDs(p); !slices.Equal(got, tc.rules) {
				t.Errorf("rules = %v, want %v", got, tc.rules)
			}
			if tc.steps != "" || tc.level == None {
				if got := stepText(p); got != tc.steps {
					t.Errorf("steps:\n got %s\nwant %s", got, tc.steps)
				}
			}
			for n, want := range tc.processes {
				if got := p.Processes[n]; got != want {
					t.Errorf("process %s = %q, want %q", n, got, want)
				}
			}
			for _, c := range p.Changes {
				if c.Source == "" || c.Why == "" {
					t.Errorf("change %s has no source or reason", c.Rule)
				}
			}
		})
	}
}

// TestSecretsNeverInDetails: facets holding secrets or digests never show their values.
func TestSecretsNeverInDetails(t *testing.T) {
	prev, next := base(), clone(base())
	prev.ReplicationSecret, next.ReplicationSecret = "MARKER-OLD", "MARKER-NEW"
	prev.SecretFile, next.SecretFile = "MARKER-A", "MARKER-B"
	next.SharedFile = "MARKER-C"
	next.Workers["sync-1"] = "MARKER-D"
	p := Compute(rules(), prev, next)
	if strings.Contains(p.Text(), "MARKER") {
		t.Fatalf("a secret or digest value leaked into the plan text:\n%s", p.Text())
	}
}

func TestInitial(t *testing.T) {
	p := Initial(base())
	if p.Level != None || len(p.Changes) != 0 {
		t.Fatalf("first deployment: level %s, %d changes; want none, 0", p.Level, len(p.Changes))
	}
	if got := stepText(p); got != "deploy  | start main | start background-1,persister-1,persister-2,sender-1,sender-2,sync-1,sync-2,typing-1 | reload_proxy " {
		t.Fatalf("steps: %s", got)
	}
}

// TestEveryRuleIsReachable: each rule of the data matches at least one case above, and every
// rule names a known level and group.
func TestRulesData(t *testing.T) {
	r := rules()
	for _, rule := range r.Rules {
		if !slices.Contains(Levels, Level(rule.Level)) {
			t.Errorf("rule %s: unknown level %q", rule.ID, rule.Level)
		}
		if !slices.Contains([]string{"all", "members", "members_and_main", "subject", "none"}, rule.Group) {
			t.Errorf("rule %s: unknown group %q", rule.ID, rule.Group)
		}
		if _, ok := r.Facets[rule.Facet]; !ok {
			t.Errorf("rule %s: unknown facet %q", rule.ID, rule.Facet)
		}
		if rule.Source == "" || rule.Why == "" {
			t.Errorf("rule %s: no source or reason", rule.ID)
		}
	}
}

// TestDetailSentences: each facet's detail reads as a sentence whose subject agrees with its
// verb ("the configuration of worker sync-1 changes", not "the files ... changes").
func TestDetailSentences(t *testing.T) {
	prev, next := base(), clone(base())
	next.Workers["sync-1"] = "y1b"
	next.SharedFile = "shared-v2"
	p := Compute(rules(), prev, next)
	var got []string
	for _, c := range p.Changes {
		got = append(got, c.Detail)
	}
	for _, want := range []string{"the configuration of worker sync-1 changes", "the shared homeserver.yaml changes"} {
		if !slices.Contains(got, want) {
			t.Errorf("details %q lack %q", got, want)
		}
	}
}

package gen

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// StreamRule is what synapse/config/workers.py enforces for one stream_writers key.
type StreamRule struct {
	Key string `json:"key"`
	// MultiWriter is false for streams Synapse requires exactly one writer for.
	MultiWriter bool `json:"multi_writer"`
	// MinWriters is 1 when Synapse refuses an empty writer list, else 0.
	MinWriters int `json:"min_writers"`
	// InstanceMapChecked: Synapse refuses a writer of this stream missing from instance_map.
	InstanceMapChecked bool `json:"instance_map_checked"`
}

// ConfigFacts are the worker configuration facts of one release.
type ConfigFacts struct {
	Streams []StreamRule
	// Options are the top-level options workers.py reads, and `redis.X` for the keys of the
	// redis block that redis.py reads.
	Options []string
	// Refused are options whose presence makes Synapse refuse to start (a ConfigError raised
	// when the option is set).
	Refused []string
	// MainInstanceMap is how Synapse finds the main process: "required" (instance_map.main or
	// refuse to start), "required_or_legacy" (instance_map.main, else the worker_replication_*
	// options).
	MainInstanceMap string
}

var (
	writerField      = regexp.MustCompile(`^\s+([a-z_]+): (?:List|list)\[str\] = attr\.ib\(`)
	lenCheck         = regexp.MustCompile(`len\(self\.writers\.([a-z_]+)\) (!=|==) ([01])`)
	configGet        = regexp.MustCompile(`\bconfig\.get\(\s*"([a-z0-9_]+)"`)
	inConfig         = regexp.MustCompile(`"([a-z0-9_]+)" in config\b`)
	redisGet         = regexp.MustCompile(`\bredis_config\.get\(\s*"([a-z0-9_]+)"`)
	assignGet        = regexp.MustCompile(`^\s*([a-z_]+)\s*=\s*config\.get\(\s*"([a-z0-9_]+)"`)
	ifVar            = regexp.MustCompile(`^\s*if ([a-z_]+):\s*$`)
	ifInConfig       = regexp.MustCompile(`^\s*if "([a-z0-9_]+)" in config:\s*$`)
	quoted           = regexp.MustCompile(`"([a-z0-9_]+)"`)
	missingMainRaise = regexp.MustCompile(`_MISSING_MAIN_PROCESS_INSTANCE_MAP_DATA\s*%`)
)

// ParseWorkersConfig reads synapse/config/workers.py (and synapse/config/redis.py for the
// redis keys).
func ParseWorkersConfig(workersPy, redisPy string) (ConfigFacts, error) {
	var f ConfigFacts
	lines := strings.Split(workersPy, "\n")

	// Streams: the fields of class WriterLocations, in order.
	in := false
	for _, l := range lines {
		if strings.HasPrefix(l, "class ") {
			in = strings.HasPrefix(l, "class WriterLocations")
			continue
		}
		if in {
			if m := writerField.FindStringSubmatch(l); m != nil {
				f.Streams = append(f.Streams, StreamRule{Key: m[1], MultiWriter: true})
			}
		}
	}
	if len(f.Streams) == 0 {
		return f, fmt.Errorf("workers.py: no stream fields found in class WriterLocations")
	}
	idx := map[string]int{}
	for i, s := range f.Streams {
		idx[s.Key] = i
	}
	for _, m := range lenCheck.FindAllStringSubmatch(workersPy, -1) {
		i, ok := idx[m[1]]
		if !ok {
			return f, fmt.Errorf("workers.py: a writer count check names %q, which is no WriterLocations field", m[1])
		}
		switch {
		case m[2] == "!=" && m[3] == "1":
			f.Streams[i].MultiWriter, f.Streams[i].MinWriters = false, 1
		case m[2] == "==" && m[3] == "0":
			f.Streams[i].MinWriters = 1
		}
	}
	// The streams whose writers must be in instance_map: the tuple of the loop that raises
	// "... but does not appear in `instance_map` config".
	if checked, ok := instanceMapLoop(lines); ok {
		for _, k := range checked {
			if i, ok := idx[k]; ok {
				f.Streams[i].InstanceMapChecked = true
			}
		}
	}

	opts := map[string]bool{}
	for _, m := range configGet.FindAllStringSubmatch(workersPy, -1) {
		opts[m[1]] = true
	}
	for _, m := range inConfig.FindAllStringSubmatch(workersPy, -1) {
		opts[m[1]] = true
	}
	for _, m := range redisGet.FindAllStringSubmatch(redisPy, -1) {
		opts["redis."+m[1]] = true
	}
	f.Options = sortedKeys(opts)

	// Refused options: `if "X" in config:` or `if v:` (v = config.get("X")) whose next
	// statement raises a ConfigError naming "X".
	vars := map[string]string{}
	refused := map[string]bool{}
	for i, l := range lines {
		if m := assignGet.FindStringSubmatch(l); m != nil {
			vars[m[1]] = m[2]
		}
		var opt string
		if m := ifInConfig.FindStringSubmatch(l); m != nil {
			opt = m[1]
		} else if m := ifVar.FindStringSubmatch(l); m != nil {
			opt = vars[m[1]]
		}
		if opt == "" {
			continue
		}
		stmt := nextStatement(lines, i+1)
		if !strings.HasPrefix(strings.TrimSpace(stmt), "raise ConfigError(") {
			continue
		}
		for _, q := range quoted.FindAllStringSubmatch(stmt, -1) {
			if q[1] == opt {
				refused[opt] = true
			}
		}
	}
	f.Refused = sortedKeys(refused)

	switch {
	case !missingMainRaise.MatchString(workersPy):
		f.MainInstanceMap = "optional"
	case strings.Contains(workersPy, "elif main_host is not None and main_port is not None"):
		f.MainInstanceMap = "required_or_legacy"
	default:
		f.MainInstanceMap = "required"
	}
	return f, nil
}

// instanceMapLoop finds `for stream in ( "a", "b", ... ):` whose body raises the
// instance_map error, and returns the quoted names.
func instanceMapLoop(lines []string) ([]string, bool) {
	for i, l := range lines {
		if !strings.Contains(l, "for stream in (") {
			continue
		}
		var names []string
		j := i
		for ; j < len(lines); j++ {
			for _, q := range quoted.FindAllStringSubmatch(lines[j], -1) {
				names = append(names, q[1])
			}
			if strings.Contains(lines[j], "):") {
				break
			}
		}
		body := strings.Join(lines[j:min(j+15, len(lines))], "\n")
		if strings.Contains(body, "does not appear in `instance_map`") {
			return names, true
		}
	}
	return nil, false
}

// nextStatement returns the statement starting at the first non-blank line from i, joined
// until its parentheses balance.
func nextStatement(lines []string, i int) string {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	var b strings.Builder
	depth := 0
	for ; i < len(lines); i++ {
		b.WriteString(lines[i])
		b.WriteByte('\n')
		depth += strings.Count(lines[i], "(") - strings.Count(lines[i], ")")
		if depth <= 0 {
			break
		}
	}
	return b.String()
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

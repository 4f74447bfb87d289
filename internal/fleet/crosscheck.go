package fleet

// Checks of mistakes Synapse accepts in silence (issue #12): each one loads, and then a request,
// a metric or a credential goes missing at run time. They compare what the user wrote in one
// place (homeserver_yaml, extra_config, a worker's listeners) with what the fleet renders
// elsewhere, so they live apart from the single-attribute checks.

import (
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
)

// Problem summaries of the cross checks.
const (
	sumMainClient      = "Main Client Listener Mismatch"
	sumRedisPassword   = "Inline Redis Password Dropped"
	sumSecondRepl      = "Second Replication Listener"
	sumHostCase        = "Hosts Differ Only In Case"
	sumMetricsDisabled = "Metrics Listener Without enable_metrics"
	sumMergeReplaces   = "Extra Config Replaces A Shared Mapping"
)

// fileListener is one entry of homeserver_yaml's listeners, as Synapse's YAML 1.1 loader reads it.
type fileListener struct {
	index     int
	typ       string
	port      int // 0 when not a whole number or absent
	path      string
	resources []string
}

// userListeners reads homeserver_yaml's listeners (nil when absent or not a list).
func (s *sharedView) userListeners() []fileListener {
	list, _ := s.userValue["listeners"].([]any)
	var out []fileListener
	for i, l := range list {
		m, _ := l.(map[string]any)
		if m == nil {
			continue
		}
		fl := fileListener{index: i}
		fl.typ, _ = m["type"].(string)
		fl.path, _ = m["path"].(string)
		switch p := m["port"].(type) {
		case int:
			fl.port = p
		case int64:
			fl.port = int(p)
		}
		res, _ := m["resources"].([]any)
		for _, r := range res {
			rm, _ := r.(map[string]any)
			names, _ := rm["names"].([]any)
			for _, n := range names {
				if ns, ok := n.(string); ok {
					fl.resources = append(fl.resources, ns)
				}
			}
		}
		out = append(out, fl)
	}
	return out
}

// checkMainClientListener: the routing table sends every request no worker serves to the main
// process at main.http_port (the routing table's main.port), so homeserver_yaml must have an
// http listener serving `client` there. Only checked when homeserver_yaml is given.
func (s *sharedView) checkMainClientListener(ps *Problems) {
	if s.user == nil {
		return
	}
	var ports []string
	var portIdx []int
	for _, l := range s.userListeners() {
		if l.typ != "http" || !containsString(l.resources, "client") {
			continue
		}
		if l.path != "" {
			return // a unix socket: the proxy reaches it by path, there is no port to compare
		}
		if l.port == s.cfg.Main.HTTPPort || s.cfg.Main.HTTPPort == 0 {
			return
		}
		ports = append(ports, strconv.Itoa(l.port))
		portIdx = append(portIdx, l.index)
	}
	if len(ports) == 0 {
		want := "8008"
		if s.cfg.Main.HTTPPort != 0 {
			want = strconv.Itoa(s.cfg.Main.HTTPPort)
		}
		ps.Add("homeserver_yaml", sumMainClient, "homeserver_yaml has no http listener serving the `client` resource, so the main process serves no client API, "+
			"yet the routing table sends it every request no worker serves (login, room creation, admin APIs, ...); they would hit a closed port. "+
			"Add a listener such as {port: %s, type: http, x_forwarded: true, resources: [{names: [client, federation]}]} to homeserver_yaml.", want)
		return
	}
	ps.Add("main.http_port", sumMainClient, "main.http_port is %d, but homeserver_yaml's client listener (listeners[%d]) is on port %s, so every request "+
		"the routing table sends to the main process (main.port there) would hit a closed port. Set main.http_port, and the routing table's main.port, to %s, "+
		"or move that listener to port %d.", s.cfg.Main.HTTPPort, portIdx[0], strings.Join(ports, ", "), ports[0], s.cfg.Main.HTTPPort)
}

// checkRedisPassword: the fleet's redis block replaces homeserver_yaml's whole redis mapping, so
// an inline password there is dropped and Synapse connects without one.
func (s *sharedView) checkRedisPassword(ps *Problems) {
	r, _ := s.userValue["redis"].(map[string]any)
	if s.cfg.Redis == nil || r == nil || s.cfg.Redis.PasswordPath != "" {
		return
	}
	if pw, ok := r["password"]; ok && pw != nil && pw != "" {
		ps.Add("redis.password_path", sumRedisPassword, "homeserver_yaml sets redis.password, but this resource renders the whole redis block "+
			"(Synapse merges the top-level key as one), so the password would be dropped and Synapse could not authenticate to Redis. "+
			"Write the password to a file, set redis.password_path to it here, and remove redis from homeserver_yaml.")
	}
}

// checkSecondReplicationListener: a replication listener already in homeserver_yaml on another
// port or socket than main.replication_port/replication_path would stay, and the merge would
// add a second one.
func (s *sharedView) checkSecondReplicationListener(ps *Problems) {
	m := s.cfg.Main
	if s.user == nil || (m.ReplicationPort == 0 && m.ReplicationPath == "") {
		return
	}
	for _, l := range s.userListeners() {
		if l.typ != "http" || !containsString(l.resources, "replication") {
			continue
		}
		if (m.ReplicationPath != "" && l.path == m.ReplicationPath) || (m.ReplicationPath == "" && l.path == "" && l.port == m.ReplicationPort) {
			continue // the same listener: kept as it is
		}
		where, attr, fix := fmt.Sprintf("port %d", l.port), "main.replication_port", fmt.Sprintf("set main.replication_port = %d", l.port)
		if l.path != "" {
			where, fix = fmt.Sprintf("the unix socket %q", l.path), fmt.Sprintf("set main.replication_path = %q", l.path)
		}
		if m.ReplicationPath != "" {
			attr = "main.replication_path"
		}
		ps.Add(attr, sumSecondRepl, "homeserver_yaml already has a replication listener (listeners[%d], %s), and %s names another one, so merged_yaml "+
			"would give the main process two replication listeners while instance_map sends the workers to only one. %s, or remove that listener from homeserver_yaml.",
			l.index, where, attr, fix)
		return
	}
}

// checkHostCase: host names are case-insensitive, so "Worker1.internal" and "worker1.internal"
// are one host; written two ways they defeat the address clash checks and split one host's
// files in the deploy modules.
func (s *sharedView) checkHostCase(ps *Problems) {
	seen := map[string][2]string{} // lower-case host -> first spelling, its path
	note := func(p, host string) {
		if host == "" {
			return
		}
		k := strings.ToLower(host)
		first, ok := seen[k]
		if !ok {
			seen[k] = [2]string{host, p}
			return
		}
		if first[0] != host {
			ps.Warn(p, sumHostCase, "%s is %q and %s is %q: host names are case-insensitive, so this is one host written two ways, "+
				"which hides port clashes between them and splits the host's files. Write it the same way everywhere (lower case).", p, host, first[1], first[0])
		}
	}
	note("main.host", s.cfg.Main.Host)
	for i, w := range s.cfg.Workers {
		note(Index("workers", i, "host"), w.Host)
	}
}

// checkMetricsEnabled: Synapse starts metrics listeners only with enable_metrics: true (in the
// shared file or the worker's own); without it the listener is skipped with one log line.
// Only checked when homeserver_yaml is given, since the shared file is otherwise unknown.
func (s *sharedView) checkMetricsEnabled(ps *Problems) {
	if s.user == nil || pyTruthy(s.userValue["enable_metrics"]) {
		return
	}
	if m := s.cfg.Main.MetricsPort; m != 0 {
		ps.Warn("main.metrics_port", sumMetricsDisabled, "main.metrics_port adds a metrics listener on port %d, but homeserver_yaml does not set "+
			"enable_metrics: true, so Synapse skips the listener and nothing answers there. Add enable_metrics: true to homeserver_yaml.", m)
	}
	for i, w := range s.cfg.Workers {
		if w.EnableMetrics {
			continue
		}
		for _, l := range w.Listeners {
			if l.Type != "metrics" {
				continue
			}
			ps.Warn(Index("workers", i, "name"), sumMetricsDisabled, "workers[%d] (%q) has a metrics listener (port %d), but neither homeserver_yaml "+
				"nor the worker's extra_config sets enable_metrics: true, so Synapse skips the listener and nothing answers there. "+
				"Add enable_metrics: true to homeserver_yaml.", i, w.Name, l.Port)
			break
		}
	}
}

// listenerUses are the worker's TCP listeners beyond its upstream and replication listener
// (metrics, manhole, more http), for the address clash check.
func listenerUses(i int, w WorkerRef) []addrUse {
	var out []addrUse
	for _, l := range w.Listeners {
		if l.Port == 0 || l.Path != "" || !validPort(l.Port) {
			continue
		}
		what := l.Type + " listener"
		out = append(out, addrUse{"tcp " + net.JoinHostPort(strings.ToLower(w.Host), strconv.Itoa(l.Port)), w.Name, Index("workers", i, "name"), what})
	}
	return out
}

// validateExtraConfigMerge: the worker file is loaded after the shared one, and Synapse merges
// config files only at the top level, so a mapping in extra_config replaces the shared
// mapping of that key whole. For `database` that drops the shared credentials: without a
// `name` the worker falls back to SQLite.
func validateExtraConfigMerge(m map[string]any) Problems {
	var ps Problems
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		sub, isMap := m[k].(map[string]any)
		if !isMap {
			continue
		}
		if k == "database" {
			if _, named := sub["name"]; !named {
				ps.Add(attrExtraConfig, sumMergeReplaces, "extra_config sets database without database.name; Synapse merges config files only at the top level, "+
					"so this replaces the shared database block whole and the worker would fall back to SQLite without the shared credentials. "+
					"Remove database from extra_config, or repeat the complete block (name, args with user, password, database, host).")
				continue
			}
		}
		ps.Warn(attrExtraConfig, sumMergeReplaces, "extra_config sets %s, a mapping: Synapse merges config files only at the top level, so it replaces "+
			"the shared configuration's whole %s for this worker, dropping every sub-key not repeated here. Repeat the complete %s, or set it only in the shared configuration.",
			k, k, k)
	}
	return ps
}

// EnablesMetrics reports whether a worker's extra_config sets enable_metrics to a true value.
func EnablesMetrics(extraConfig string) bool {
	m, err := parseYAMLMapping(extraConfig)
	return err == nil && pyTruthy(m["enable_metrics"])
}

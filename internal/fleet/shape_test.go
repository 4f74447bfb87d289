package fleet

// Shape tests: every golden file, read as Synapse 1.157.1's loader types it (decodeYAML11),
// has the keys, types and shapes Synapse's config classes accept. The rules, and where
// Synapse states them:
//   - synapse/config/server.py parse_listener_def / HttpResourceConfig: a listener is a
//     mapping with `type`; `port` an int or `path` a str, not both; resources entries hold only
//     `names` (a list of known resources) and `compress` (a bool); tls, x_forwarded bools;
//     `bind_addresses` a list.
//   - synapse/app/generic_worker.py GenericWorkerServer._listen_http: the media-only client
//     and federation resources are chosen per resources entry, so one listener has one entry.
//   - synapse/config/workers.py WorkerConfig.read_config: worker_app one of the accepted apps,
//     worker_log_config a str, instance_map values InstanceTcpLocationConfig {host: StrictStr,
//     port: StrictInt, tls: StrictBool} or InstanceUnixLocationConfig {path: StrictStr} with
//     `main` present for workers, stream_writers keys the WriterLocations fields,
//     outbound_federation_restricted_to names instance_map keys.
//   - synapse/config/redis.py RedisConfig.read_config: the redis keys (types as the
//     replication client uses them: port and dbid ints, use_tls a bool).
//   - synapse/config/logger.py _load_logging_config and
//     synapse/logging/context.py LoggingContextFilter(request: str = ""): a dictConfig.
// This emulates the loader's type rules; it does not run Synapse.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// reporter is the part of *testing.T the checker uses; recorder lets a test check the checker.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

type shapeChecker struct {
	t    reporter
	file string
}

func (s shapeChecker) errorf(format string, args ...any) {
	s.t.Helper()
	s.t.Errorf(s.file+": "+format, args...)
}

func (s shapeChecker) str(where string, v any) (string, bool) {
	s.t.Helper()
	x, ok := v.(string)
	if !ok {
		s.errorf("%s is %#v (%T); Synapse needs a string", where, v, v)
	}
	return x, ok
}

func (s shapeChecker) integer(where string, v any) {
	s.t.Helper()
	if _, ok := v.(int64); !ok {
		s.errorf("%s is %#v (%T); Synapse needs an int", where, v, v)
	}
}

func (s shapeChecker) boolean(where string, v any) {
	s.t.Helper()
	if _, ok := v.(bool); !ok {
		s.errorf("%s is %#v (%T); Synapse needs a bool", where, v, v)
	}
}

func (s shapeChecker) strList(where string, v any) []string {
	s.t.Helper()
	l, ok := v.([]any)
	if !ok {
		s.errorf("%s is %#v (%T); Synapse needs a list of strings", where, v, v)
		return nil
	}
	var out []string
	for _, e := range l {
		if x, ok := s.str(where+"[]", e); ok {
			out = append(out, x)
		}
	}
	return out
}

func (s shapeChecker) mapping(where string, v any) map[string]any {
	s.t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		s.errorf("%s is %#v (%T); Synapse needs a mapping with string keys", where, v, v)
	}
	return m
}

func (s shapeChecker) onlyKeys(where string, m map[string]any, allowed ...string) {
	s.t.Helper()
	for k := range m {
		if !containsString(allowed, k) {
			s.errorf("%s has key %q; expected only %v", where, k, allowed)
		}
	}
}

func (s shapeChecker) listeners(where string, v any) {
	s.t.Helper()
	ls, ok := v.([]any)
	if !ok {
		s.errorf("%s is %#v; Synapse needs a list", where, v)
		return
	}
	for i, raw := range ls {
		at := Index(where, i)
		l := s.mapping(at, raw)
		if l == nil {
			continue
		}
		s.onlyKeys(at, l, "type", "port", "path", "bind_addresses", "tls", "x_forwarded", "resources")
		typ, _ := s.str(at+".type", l["type"])
		if !latest.IsListenerType(typ) {
			s.errorf("%s.type is %q; Synapse accepts %v", at, typ, latest.ListenerTypes)
		}
		port, hasPort := l["port"]
		path, hasPath := l["path"]
		switch {
		case hasPort == hasPath:
			s.errorf("%s needs exactly one of port and path", at)
		case hasPort:
			s.integer(at+".port", port)
		default:
			s.str(at+".path", path)
			if !latest.CanListenOnUnixSocket(typ) {
				s.errorf("%s: a %s listener cannot be a unix socket", at, typ)
			}
			if _, ok := l["bind_addresses"]; ok {
				s.errorf("%s: bind_addresses on a unix socket", at)
			}
		}
		if b, ok := l["bind_addresses"]; ok {
			s.strList(at+".bind_addresses", b)
		}
		for _, k := range []string{"tls", "x_forwarded"} {
			if b, ok := l[k]; ok {
				s.boolean(at+"."+k, b)
			}
		}
		res, ok := l["resources"]
		if !ok {
			continue
		}
		if typ != "http" {
			s.errorf("%s: resources on a %s listener", at, typ)
		}
		entries, _ := res.([]any)
		if len(entries) != 1 {
			s.errorf("%s.resources has %d entries; render one entry with every name", at, len(entries))
		}
		for j, e := range entries {
			ep := Index(at+".resources", j)
			m := s.mapping(ep, e)
			s.onlyKeys(ep, m, "names", "compress")
			names := s.strList(ep+".names", m["names"])
			if len(names) == 0 {
				s.errorf("%s.names is empty", ep)
			}
			for _, n := range names {
				if !latest.IsListenerResource(n) {
					s.errorf("%s.names holds %q; Synapse knows %v", ep, n, latest.ListenerResources)
				}
			}
			if c, ok := m["compress"]; ok {
				s.boolean(ep+".compress", c)
			}
		}
	}
}

func (s shapeChecker) instanceMap(v any) map[string]any {
	s.t.Helper()
	im := s.mapping("instance_map", v)
	if _, ok := im["main"]; !ok {
		s.errorf("instance_map has no main entry; every worker needs it")
	}
	for k, raw := range im {
		at := "instance_map." + k
		e := s.mapping(at, raw)
		if _, unix := e["path"]; unix {
			s.onlyKeys(at, e, "path")
			s.str(at+".path", e["path"])
			continue
		}
		s.onlyKeys(at, e, "host", "port", "tls")
		s.str(at+".host", e["host"])
		s.integer(at+".port", e["port"])
		if tls, ok := e["tls"]; ok {
			s.boolean(at+".tls", tls)
		}
	}
	return im
}

func (s shapeChecker) shared(doc map[string]any) {
	s.t.Helper()
	var im map[string]any
	for _, k := range sortedKeys(doc) {
		v := doc[k]
		switch k {
		case "listeners":
			s.listeners(k, v)
		case "redis":
			r := s.mapping(k, v)
			s.onlyKeys(k, r, "enabled", "host", "port", "path", "dbid", "use_tls", "password_path")
			if r["enabled"] != true {
				s.errorf("redis.enabled is %#v; workers need true", r["enabled"])
			}
			for _, sk := range []string{"host", "path", "password_path"} {
				if x, ok := r[sk]; ok {
					s.str("redis."+sk, x)
				}
			}
			for _, ik := range []string{"port", "dbid"} {
				if x, ok := r[ik]; ok {
					s.integer("redis."+ik, x)
				}
			}
			if x, ok := r["use_tls"]; ok {
				s.boolean("redis.use_tls", x)
			}
		case "instance_map":
			im = s.instanceMap(v)
		case "stream_writers":
			for st, ws := range s.mapping(k, v) {
				if latest.Stream(st) == nil {
					s.errorf("stream_writers.%s is not a stream_writers key of Synapse; keys: %v", st, latest.StreamKeys())
				}
				for _, w := range s.strList("stream_writers."+st, ws) {
					if w == latest.MainInstanceMapKey {
						s.errorf("stream_writers.%s names %q; the main process is %q there", st, w, latest.MainInstanceName)
					}
				}
			}
		case "outbound_federation_restricted_to":
			for _, w := range s.strList(k, v) {
				if _, ok := im[w]; !ok && im != nil {
					s.errorf("%s names %q, which is not in instance_map", k, w)
				}
			}
		case "enable_media_repo":
			s.boolean(k, v)
		case "worker_replication_secret_path", "worker_replication_secret":
			s.str(k, v)
		default:
			switch dutyKind(latest, k) {
			case "list":
				s.strList(k, v)
			case "single":
				if x, ok := s.str(k, v); ok && x == latest.MainInstanceMapKey {
					s.errorf("%s is %q; Synapse calls the main process %q there", k, x, latest.MainInstanceName)
				}
			default:
				s.errorf("unexpected key %q in a rendered shared fragment", k)
			}
		}
	}
}

func (s shapeChecker) worker(doc map[string]any) {
	s.t.Helper()
	app, _ := s.str("worker_app", doc["worker_app"])
	if !latest.IsWorkerApp(app) {
		s.errorf("worker_app %q is not accepted by synapse.app.generic_worker", app)
	}
	if name, ok := s.str("worker_name", doc["worker_name"]); ok && (name == latest.MainInstanceName || name == latest.MainInstanceMapKey) {
		s.errorf("worker_name %q is the main process's name", name)
	}
	s.listeners("worker_listeners", doc["worker_listeners"])
	if lc, ok := s.str("worker_log_config", doc["worker_log_config"]); ok && !strings.HasPrefix(lc, "/") {
		s.errorf("worker_log_config %q is relative", lc)
	}
	if v, ok := doc["enable_media_repo"]; ok {
		s.boolean("enable_media_repo", v)
	}
}

func (s shapeChecker) logConfig(doc map[string]any) {
	s.t.Helper()
	s.onlyKeys("log config", doc, "version", "formatters", "filters", "handlers", "loggers", "root", "disable_existing_loggers")
	if doc["version"] != int64(1) {
		s.errorf("version is %#v; dictConfig needs 1", doc["version"])
	}
	formatters := s.mapping("formatters", doc["formatters"])
	filters := s.mapping("filters", doc["filters"])
	for name, raw := range filters {
		f := s.mapping("filters."+name, raw)
		s.onlyKeys("filters."+name, f, "()", "request")
		if f["()"] != "synapse.logging.context.LoggingContextFilter" {
			s.errorf("filters.%s.() is %#v", name, f["()"])
		}
	}
	handlers := s.mapping("handlers", doc["handlers"])
	for name, raw := range handlers {
		at := "handlers." + name
		h := s.mapping(at, raw)
		s.str(at+".class", h["class"])
		if f, ok := h["formatter"]; ok {
			if x, _ := s.str(at+".formatter", f); formatters[x] == nil {
				s.errorf("%s.formatter %q is not defined", at, x)
			}
		}
		if fs, ok := h["filters"]; ok {
			for _, x := range s.strList(at+".filters", fs) {
				if filters[x] == nil {
					s.errorf("%s.filters names undefined filter %q", at, x)
				}
			}
		}
	}
	for name, raw := range s.mapping("loggers", doc["loggers"]) {
		l := s.mapping("loggers."+name, raw)
		if lvl, _ := s.str("loggers."+name+".level", l["level"]); !latest.IsLogLevel(lvl) {
			s.errorf("loggers.%s.level %q", name, lvl)
		}
	}
	root := s.mapping("root", doc["root"])
	if lvl, _ := s.str("root.level", root["level"]); !latest.IsLogLevel(lvl) {
		s.errorf("root.level %q", lvl)
	}
	for _, h := range s.strList("root.handlers", root["handlers"]) {
		if handlers[h] == nil {
			s.errorf("root.handlers names undefined handler %q", h)
		}
	}
	s.boolean("disable_existing_loggers", doc["disable_existing_loggers"])
}

// TestGoldenFilesHaveSynapseShapes reads every golden file as Synapse's YAML 1.1 loader types it
// and checks the shapes above.
func TestGoldenFilesHaveSynapseShapes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	seen := map[string]int{}
	for _, f := range files {
		dir := filepath.Base(filepath.Dir(f))
		if dir == "fuzz" || dir == "adopt" { // fuzz corpora; adoption inputs (existing fleets), not golden files
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := decodeYAML11(string(b))
		if err != nil {
			t.Errorf("%s: does not load: %v", f, err)
			continue
		}
		s := shapeChecker{t: t, file: f}
		doc := s.mapping("the document", v)
		if doc == nil {
			continue
		}
		switch {
		case dir == "worker" && filepath.Base(f) == "log_config.golden":
			s.logConfig(doc)
		case dir == "worker":
			s.worker(doc)
		case dir == "shared" && strings.HasSuffix(f, ".merged.yaml"):
			// A user's homeserver.yaml with the fragment merged in: only the fragment's keys.
			frag := map[string]any{}
			for _, k := range []string{"redis", "instance_map", "stream_writers", "outbound_federation_restricted_to"} {
				if x, ok := doc[k]; ok {
					frag[k] = x
				}
			}
			s.shared(frag)
			s.listeners("listeners", doc["listeners"])
		case dir == "shared":
			s.shared(doc)
		case dir == "stream":
			if len(doc) != 1 {
				s.errorf("a stream entry has one key, got %d", len(doc))
			}
			s.shared(map[string]any{"stream_writers": doc})
		default:
			t.Errorf("%s: no shape rules for testdata/%s", f, dir)
		}
		seen[dir]++
	}
	for _, dir := range []string{"worker", "shared", "stream"} {
		if seen[dir] == 0 {
			t.Errorf("no golden files checked in testdata/%s", dir)
		}
	}
	t.Logf("checked %v golden files", seen)
}

// TestShapeCheckerCatchesWrongShapes: the shape rules fail on what Synapse rejects.
func TestShapeCheckerCatchesWrongShapes(t *testing.T) {
	for name, tc := range map[string]struct {
		src   string
		check func(shapeChecker, map[string]any)
	}{
		"string port":  {"worker_app: synapse.app.generic_worker\nworker_name: w\nworker_log_config: /l\nworker_listeners:\n  - {type: http, port: \"8080\", resources: [{names: [client]}]}\n", shapeChecker.worker},
		"names string": {"worker_app: synapse.app.generic_worker\nworker_name: w\nworker_log_config: /l\nworker_listeners:\n  - {type: http, port: 8080, resources: [{names: client}]}\n", shapeChecker.worker},
		"yes worker":   {"worker_app: synapse.app.generic_worker\nworker_name: yes\nworker_log_config: /l\nworker_listeners: []\n", shapeChecker.worker},
		"two entries":  {"worker_app: synapse.app.generic_worker\nworker_name: w\nworker_log_config: /l\nworker_listeners:\n  - {type: http, port: 1, resources: [{names: [client]}, {names: [media]}]}\n", shapeChecker.worker},
		"tls string":   {"instance_map:\n  main: {host: h, port: 1, tls: \"true\"}\n", shapeChecker.shared},
		"on host":      {"instance_map:\n  main: {host: on, port: 1}\n", shapeChecker.shared},
		"no main":      {"instance_map:\n  w: {path: /s}\n", shapeChecker.shared},
		"push stream":  {"stream_writers:\n  push: [w]\n", shapeChecker.shared},
		"main writer":  {"stream_writers:\n  events: [main]\n", shapeChecker.shared},
		"duty string":  {"pusher_instances: p1\n", shapeChecker.shared},
		"redis port":   {"redis: {enabled: true, port: \"6379\"}\n", shapeChecker.shared},
		"filter arg":   {"version: 1\nformatters: {}\nfilters: {context: {(): synapse.logging.context.LoggingContextFilter, bogus: 1}}\nhandlers: {}\nloggers: {}\nroot: {level: INFO, handlers: []}\ndisable_existing_loggers: false\n", shapeChecker.logConfig},
	} {
		rec := &recorder{}
		v, err := decodeYAML11(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tc.check(shapeChecker{t: rec, file: name}, v.(map[string]any))
		if len(rec.errors) == 0 {
			t.Errorf("%s: the shape rules accept it", name)
		}
	}
}

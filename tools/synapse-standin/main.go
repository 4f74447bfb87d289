// Command synapse-standin is a STAND-IN for a Synapse process in the Docker tests. It is NOT
// Synapse and implements none of Matrix: Synapse itself cannot be installed on the test machines
// (no PyPI for its Python dependencies, no crates.io for its Rust extension), so the docker-host
// tests run this small program in its place, installed in the test image as `python`.
//
// It takes the same command line as the real image's processes,
//
//	python -m synapse.app.generic_worker --config-path <shared> --config-path <worker>
//	python -m synapse.app.homeserver --config-path <homeserver.yaml>
//
// and checks what the deployment must get right before Synapse would even start:
//   - every --config-path file exists, is readable and is a YAML mapping (merged shallowly in
//     order, as Synapse does); the log config (worker_log_config / log_config) and the
//     replication secret file (worker_replication_secret_path) it names are read too;
//   - a worker has worker_name and worker_listeners, and the merged config has instance_map.main;
//   - Redis answers PING at the configured redis host/port when redis.enabled is true.
//
// Any failure is printed to stderr naming the file or setting and exits with status 1.
// Once loaded it serves every TCP listener of the process (worker_listeners for a worker,
// listeners for main): GET /health answers "OK" (503 while Redis does not answer), and every
// response, on any path, carries the header X-Synapse-Worker with the process name (the
// worker's name, "main" for the main process), so a test can see where a request landed.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"gopkg.in/yaml.v3"
)

// WorkerHeader names the process that answered a request.
const WorkerHeader = "X-Synapse-Worker"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "synapse-standin: FATAL: %v\n", err)
		os.Exit(1)
	}
}

// invocation is the parsed command line.
type invocation struct {
	app     string
	configs []string
}

func parseArgs(args []string) (invocation, error) {
	var inv invocation
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", a)
			}
			i++
			return args[i], nil
		}
		switch {
		case a == "-m":
			v, err := next()
			if err != nil {
				return inv, err
			}
			inv.app = v
		case a == "--config-path" || a == "-c":
			v, err := next()
			if err != nil {
				return inv, err
			}
			inv.configs = append(inv.configs, v)
		case strings.HasPrefix(a, "--config-path="):
			inv.configs = append(inv.configs, strings.TrimPrefix(a, "--config-path="))
		default:
			return inv, fmt.Errorf("unexpected argument %q (usage: python -m synapse.app.generic_worker|synapse.app.homeserver --config-path FILE...)", a)
		}
	}
	switch inv.app {
	case "synapse.app.generic_worker", "synapse.app.homeserver":
	default:
		return inv, fmt.Errorf("-m %q: the stand-in runs synapse.app.generic_worker or synapse.app.homeserver", inv.app)
	}
	if len(inv.configs) == 0 {
		return inv, errors.New("no --config-path given")
	}
	return inv, nil
}

// loadYAMLMapping reads one config file; what names it says where it came from.
func loadYAMLMapping(path, what string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s %s is not valid YAML: %w", what, path, err)
	}
	if m == nil {
		return nil, fmt.Errorf("%s %s is empty or not a YAML mapping", what, path)
	}
	return m, nil
}

// process is the loaded configuration of one process.
type process struct {
	name      string
	listeners []listener
	redis     string // host:port, "" when redis is not enabled
}

type listener struct {
	typ   string
	port  int
	binds []string
}

func load(inv invocation) (process, error) {
	merged := map[string]any{}
	for _, p := range inv.configs {
		m, err := loadYAMLMapping(p, "config file")
		if err != nil {
			return process{}, err
		}
		for k, v := range m { // Synapse merges config files shallowly, later files win
			merged[k] = v
		}
		fmt.Fprintf(os.Stderr, "synapse-standin: loaded %s (%d keys)\n", p, len(m))
	}
	var pr process
	listenersKey, logKey := "listeners", "log_config"
	if inv.app == "synapse.app.generic_worker" {
		listenersKey, logKey = "worker_listeners", "worker_log_config"
		name, _ := merged["worker_name"].(string)
		if name == "" {
			return pr, errors.New("worker_name is missing from the worker's config")
		}
		pr.name = name
		im, _ := merged["instance_map"].(map[string]any)
		if _, ok := im["main"]; !ok {
			return pr, errors.New("instance_map.main is missing: workers need it to reach the main process")
		}
	} else {
		pr.name = "main"
	}
	if lc, ok := merged[logKey].(string); ok && lc != "" {
		if _, err := loadYAMLMapping(lc, logKey); err != nil {
			return pr, err
		}
	}
	if sp, ok := merged["worker_replication_secret_path"].(string); ok && sp != "" {
		b, err := os.ReadFile(sp)
		if err != nil {
			return pr, fmt.Errorf("worker_replication_secret_path: %w", err)
		}
		if strings.TrimSpace(string(b)) == "" {
			return pr, fmt.Errorf("worker_replication_secret_path %s is empty", sp)
		}
	}
	raw, ok := merged[listenersKey].([]any)
	if !ok || len(raw) == 0 {
		return pr, fmt.Errorf("%s is missing or empty", listenersKey)
	}
	for i, r := range raw {
		lm, ok := r.(map[string]any)
		if !ok {
			return pr, fmt.Errorf("%s[%d] is not a mapping", listenersKey, i)
		}
		l := listener{}
		l.typ, _ = lm["type"].(string)
		if _, isSocket := lm["path"]; isSocket {
			continue // unix sockets are not served by the stand-in
		}
		port, ok := lm["port"].(int)
		if !ok || port < 1 || port > 65535 {
			return pr, fmt.Errorf("%s[%d].port is missing or not a port: %v", listenersKey, i, lm["port"])
		}
		l.port = port
		if ba, ok := lm["bind_addresses"].([]any); ok {
			for _, b := range ba {
				if s, ok := b.(string); ok {
					l.binds = append(l.binds, s)
				}
			}
		} else if b, ok := lm["bind_address"].(string); ok {
			l.binds = []string{b}
		}
		pr.listeners = append(pr.listeners, l)
	}
	if rm, ok := merged["redis"].(map[string]any); ok && rm["enabled"] == true {
		host, port := "localhost", 6379
		if h, ok := rm["host"].(string); ok && h != "" {
			host = h
		}
		if p, ok := rm["port"].(int); ok {
			port = p
		}
		pr.redis = net.JoinHostPort(host, strconv.Itoa(port))
	}
	return pr, nil
}

// redisPing sends PING over RESP and expects +PONG.
func redisPing(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("unexpected reply %q", strings.TrimSpace(line))
	}
	return nil
}

func run(args []string) error {
	inv, err := parseArgs(args)
	if err != nil {
		return err
	}
	pr, err := load(inv)
	if err != nil {
		return err
	}
	var redisOK atomic.Bool
	redisOK.Store(pr.redis == "")
	if pr.redis != "" {
		// Synapse keeps retrying Redis; the stand-in gives it 60 s at start-up, then fails loudly.
		deadline := time.Now().Add(60 * time.Second)
		for {
			err := redisPing(pr.redis)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("redis at %s does not answer PING: %w", pr.redis, err)
			}
			time.Sleep(time.Second)
		}
		redisOK.Store(true)
		fmt.Fprintf(os.Stderr, "synapse-standin: %s: redis at %s answers\n", pr.name, pr.redis)
		go func() {
			for range time.Tick(10 * time.Second) {
				err := redisPing(pr.redis)
				redisOK.Store(err == nil)
				if err != nil {
					fmt.Fprintf(os.Stderr, "synapse-standin: %s: redis at %s: %v\n", pr.name, pr.redis, err)
				}
			}
		}()
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(WorkerHeader, pr.name)
		if r.URL.Path == "/health" {
			if !redisOK.Load() {
				http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
				return
			}
			_, _ = w.Write([]byte("OK"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"standin_worker\":%q,\"method\":%q,\"path\":%q}\n", pr.name, r.Method, r.URL.Path)
	})
	errs := make(chan error, 1)
	for _, l := range pr.listeners {
		binds := l.binds
		if len(binds) == 0 {
			binds = []string{""} // Synapse's default is every interface
		}
		for _, b := range binds {
			addr := net.JoinHostPort(b, strconv.Itoa(l.port))
			if b == "::" || b == "0.0.0.0" {
				addr = ":" + strconv.Itoa(l.port)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				if b == "0.0.0.0" && errors.Is(err, syscall.EADDRINUSE) {
					continue // "::" already took the port for both families
				}
				return fmt.Errorf("%s listener on %s: %w", l.typ, addr, err)
			}
			fmt.Fprintf(os.Stderr, "synapse-standin: %s: %s listener on %s\n", pr.name, l.typ, addr)
			go func() { errs <- (&http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}).Serve(ln) }()
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case s := <-sig:
		fmt.Fprintf(os.Stderr, "synapse-standin: %s: %v, exiting\n", pr.name, s)
		return nil
	case err := <-errs:
		return err
	}
}

// Package adopt is the `adopt` command of the provider binary: it reads an existing fleet
// (homeserver.yaml, or the shared config every process loads, and a directory of worker files;
// optionally Synapse docker's SYNAPSE_WORKER_TYPES) and writes the HCL of the provider's
// resources that render the same files, keeping every worker's name, ports and streams:
//
//	terraform-provider-synapse adopt --homeserver /etc/matrix-synapse/homeserver.yaml \
//	    [--workers DIR] [--worker-types STR] [--synapse-version 1.157] [--role NAME=ROLE,ROLE]... \
//	    [--host NAME=HOST]... [--default-host HOST] [--shared-config-path PATH] [--out FILE] [--no-import]
//
// The reading and checking is internal/fleet's Adopt (the same as the resources' import); this
// package only reads files and writes HCL. Every problem goes to stderr; errors exit 1.
package adopt

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// ReadFleetFiles reads a homeserver.yaml and the worker files of a directory (default: the
// workers/ directory next to it) into an AdoptInput.
func ReadFleetFiles(homeserverPath, workersDir string) (fleet.AdoptInput, error) {
	in := fleet.AdoptInput{HomeserverPath: homeserverPath, WorkerFiles: map[string]string{}}
	b, err := os.ReadFile(homeserverPath)
	if err != nil {
		return in, fmt.Errorf("%s cannot be read: %v. Give the path of the existing homeserver.yaml (or shared config) on the machine running Terraform", homeserverPath, err)
	}
	in.HomeserverSrc = string(b)
	if workersDir == "" {
		workersDir = filepath.Join(filepath.Dir(homeserverPath), "workers")
	}
	entries, err := os.ReadDir(workersDir)
	if err != nil {
		return in, fmt.Errorf("the worker directory %s cannot be read: %v. Name it with the workers option", workersDir, err)
	}
	for _, e := range entries {
		p := filepath.Join(workersDir, e.Name())
		if e.IsDir() || !fleet.IsWorkerFileName(e.Name()) || p == homeserverPath {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return in, fmt.Errorf("%s cannot be read: %v", p, err)
		}
		in.WorkerFiles[p] = string(b)
	}
	if len(in.WorkerFiles) == 0 {
		return in, fmt.Errorf("%s holds no worker files (*.yaml)", workersDir)
	}
	return in, nil
}

// pairs is a repeatable NAME=VALUE flag.
type pairs map[string]string

func (p pairs) String() string { return fmt.Sprint(map[string]string(p)) }
func (p pairs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q is not NAME=VALUE", s)
	}
	p[k] = v
	return nil
}

// Main runs the command with args (after "adopt") and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("adopt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	homeserver := fs.String("homeserver", "", "path of the existing homeserver.yaml, or of the shared config every process loads (required)")
	workers := fs.String("workers", "", "directory of the worker files (default: workers/ next to --homeserver)")
	types := fs.String("worker-types", "", "Synapse docker's SYNAPSE_WORKER_TYPES, for the workers' roles")
	version := fs.String("synapse-version", catalog.Latest(), "Synapse release of the fleet: "+strings.Join(catalog.Versions(), ", "))
	defaultHost := fs.String("default-host", "", "host of the workers instance_map and their bind addresses do not name")
	sharedPath := fs.String("shared-config-path", "", "the file the workers load first (default: --homeserver)")
	out := fs.String("out", "", "write the HCL to this file (default: stdout)")
	noImport := fs.Bool("no-import", false, "write no import {} blocks (the first plan then creates the logical resources instead of importing them)")
	roles, hosts := pairs{}, pairs{}
	fs.Var(roles, "role", "NAME=ROLE,ROLE: a worker's roles (repeatable; default: inferred)")
	fs.Var(hosts, "host", "NAME=HOST: a worker's host (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *homeserver == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "adopt: --homeserver is required and no other arguments are taken; see -h")
		return 2
	}
	c, err := catalog.For(*version)
	if err != nil {
		fmt.Fprintf(stderr, "adopt: --synapse-version: %v\n", err)
		return 2
	}
	hsPath, err := filepath.Abs(*homeserver)
	if err != nil {
		fmt.Fprintf(stderr, "adopt: %v\n", err)
		return 1
	}
	in, err := ReadFleetFiles(hsPath, *workers)
	if err != nil {
		fmt.Fprintf(stderr, "adopt: %v.\n", err)
		return 1
	}
	in.SharedConfigPath, in.DefaultHost, in.Hosts, in.Roles = *sharedPath, *defaultHost, hosts, map[string][]string{}
	if *types != "" {
		wt, err := fleet.ParseWorkerTypes(*types)
		if err != nil {
			fmt.Fprintf(stderr, "adopt: --worker-types: %v.\n", err)
			return 2
		}
		for name, ts := range wt {
			r, unknown := fleet.RolesFromTypes(c, ts)
			if len(unknown) > 0 {
				fmt.Fprintf(stderr, "adopt: warning: --worker-types gives %s the types %s, neither roles nor streams of Synapse %s; ignored.\n", name, strings.Join(unknown, ", "), c.Version)
			}
			in.Roles[name] = r
		}
	}
	for name, v := range roles {
		in.Roles[name] = []string{}
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				in.Roles[name] = append(in.Roles[name], r)
			}
		}
	}
	a, ps := fleet.Adopt(c, in)
	for _, p := range ps {
		kind := "error"
		if p.Warning {
			kind = "warning"
		}
		fmt.Fprintf(stderr, "adopt: %s: %s: %s\n", kind, p.Summary, p.Detail)
	}
	if ps.HasErrors() {
		return 1
	}
	opt := Options{SharedConfigPath: *sharedPath, Import: !*noImport}
	if *workers != "" {
		if opt.WorkersDir, err = filepath.Abs(*workers); err != nil {
			fmt.Fprintf(stderr, "adopt: %v\n", err)
			return 1
		}
	}
	if strings.Contains(hsPath, "?") || strings.Contains(opt.WorkersDir, "?") {
		fmt.Fprintf(stderr, "adopt: error: %s: a path holding '?' cannot be named in an import ID; rename the directory or use --no-import.\n", hsPath)
		return 1
	}
	text := HCL(c, a, hsPath, opt)
	if *out == "" {
		_, _ = io.WriteString(stdout, text)
		return 0
	}
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil { //nolint:gosec // HCL for the user to read and commit
		fmt.Fprintf(stderr, "adopt: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "adopt: wrote %s: %d workers, %d stream writers, the shared config and the routing table\n", *out, len(a.Workers), len(a.Streams))
	return 0
}

// Options are what the adopt run was given beyond the files, repeated in the import IDs so that
// an import reads the fleet exactly as the run did.
type Options struct {
	// WorkersDir is the directory of worker files ("" = workers/ next to the homeserver file).
	WorkersDir string
	// SharedConfigPath is the file the workers load first ("" = the homeserver file).
	SharedConfigPath string
	// Import writes an `import {}` block for every resource, so that the first plan reads
	// "N to import, 0 to add, 0 to change, 0 to destroy" rather than N creations.
	Import bool
}

// HCL writes the adopted fleet as resources: one synapse_worker per worker, one
// synapse_stream_writer per stream_writers entry, synapse_shared_config (homeserver_yaml read
// with file() from the original, so no secret of it is ever written here) and
// synapse_routing_table, wired by references; with opt.Import, an `import {}` block for each,
// whose ID names every inferred value explicitly.
func HCL(c *catalog.Catalog, a fleet.Adopted, homeserverPath string, opt Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Adopted by `terraform-provider-synapse adopt` from %s.\n", homeserverPath)
	b.WriteString("# Every config_yaml, and merged_yaml with secret_config_yaml, equals the original file after YAML\n" +
		"# parsing. These resources are logical (nothing is contacted): deploy the rendered files with your\n" +
		"# own tooling once you change something.\n\n")
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    synapse = {\n      source = \"synapse-fleet/synapse\"\n    }\n  }\n}\n\n")
	fmt.Fprintf(&b, "provider \"synapse\" {\n  synapse_version = %s\n}\n", str(c.Version))
	labels := labeler{}
	workerLabels := map[string]string{}
	var workerRefs, streamRefs [][2]string
	fleetOpts := []string{"synapse_version=" + queryEscape(c.Version)}
	if opt.WorkersDir != "" {
		fleetOpts = append(fleetOpts, "workers="+queryEscape(opt.WorkersDir))
	}
	if opt.SharedConfigPath != "" {
		fleetOpts = append(fleetOpts, "shared_config_path="+queryEscape(opt.SharedConfigPath))
	}
	sharedPath := opt.SharedConfigPath
	if sharedPath == "" {
		sharedPath = homeserverPath
	}
	for _, w := range a.Workers {
		addr := labels.next("synapse_worker", w.Name)
		workerLabels[w.Name] = addr
		workerRefs = append(workerRefs, [2]string{str(w.Name), "synapse_worker." + addr})
		fleetOpts = append(fleetOpts, "host."+queryEscape(w.Name)+"="+queryEscape(w.Host), "roles."+queryEscape(w.Name)+"="+queryEscape(strings.Join(w.Roles, ",")))
		if opt.Import {
			id := a.Sources[w.Name] + "?host=" + queryEscape(w.Host) + "&roles=" + queryEscape(strings.Join(w.Roles, ",")) +
				"&shared_config_path=" + queryEscape(sharedPath) + "&synapse_version=" + queryEscape(c.Version)
			if w.LogLevel != "" {
				id += "&log_level=" + queryEscape(w.LogLevel)
			}
			writeImport(&b, "synapse_worker."+addr, id)
		}
		fmt.Fprintf(&b, "\n# %s\nresource \"synapse_worker\" %s {\n", a.Sources[w.Name], str(addr))
		attrs := [][2]string{{"name", str(w.Name)}, {"host", str(w.Host)}}
		if len(w.Roles) > 0 {
			attrs = append(attrs, [2]string{"roles", strList(w.Roles)})
		}
		for _, p := range []struct {
			k string
			v int
		}{{"http_port", w.HTTPPort}, {"replication_port", w.ReplicationPort}, {"metrics_port", w.MetricsPort}} {
			if p.v != 0 {
				attrs = append(attrs, [2]string{p.k, strconv.Itoa(p.v)})
			}
		}
		if len(w.BindAddresses) > 0 {
			attrs = append(attrs, [2]string{"bind_addresses", strList(w.BindAddresses)})
		}
		if len(w.Listeners) > 0 {
			attrs = append(attrs, [2]string{"listeners", listeners(w.Listeners)})
		}
		// Unset means the default, as the import leaves them.
		for _, kv := range [][2]string{{"config_dir", w.ConfigDir}, {"shared_config_path", w.SharedConfigPath}} {
			if kv[1] != "" {
				attrs = append(attrs, [2]string{kv[0], str(kv[1])})
			}
		}
		attrs = append(attrs, [2]string{"log_config_path", str(w.WithDefaults().LogConfigPath)})
		if w.LogLevel != "" {
			attrs = append(attrs, [2]string{"log_level", str(w.LogLevel)})
		}
		if w.ExtraConfig != "" {
			attrs = append(attrs, [2]string{"extra_config", str(w.ExtraConfig)})
		}
		writeAttrs(&b, attrs)
		b.WriteString("}\n")
	}
	for _, s := range a.Streams {
		addr := labels.next("synapse_stream_writer", s.Stream)
		streamRefs = append(streamRefs, [2]string{str(s.Stream), "synapse_stream_writer." + addr})
		if opt.Import {
			writeImport(&b, "synapse_stream_writer."+addr, homeserverPath+"?stream="+queryEscape(s.Stream)+"&synapse_version="+queryEscape(c.Version))
		}
		fmt.Fprintf(&b, "\nresource \"synapse_stream_writer\" %s {\n", str(addr))
		writeAttrs(&b, [][2]string{{"stream", str(s.Stream)}, {"writers", strList(s.Writers)}})
		b.WriteString("}\n")
	}
	fleetID := homeserverPath + "?" + strings.Join(fleetOpts, "&")
	sh := a.Shared
	if opt.Import {
		writeImport(&b, "synapse_shared_config.fleet", fleetID)
	}
	b.WriteString("\nresource \"synapse_shared_config\" \"fleet\" {\n")
	var mainAttrs [][2]string
	if sh.Main.Host != "" {
		mainAttrs = append(mainAttrs, [2]string{"host", str(sh.Main.Host)})
	}
	if sh.Main.ReplicationPort != 0 {
		mainAttrs = append(mainAttrs, [2]string{"replication_port", strconv.Itoa(sh.Main.ReplicationPort)})
	}
	if sh.Main.ReplicationPath != "" {
		mainAttrs = append(mainAttrs, [2]string{"replication_path", str(sh.Main.ReplicationPath)})
	}
	if sh.Main.HTTPPort != 0 {
		mainAttrs = append(mainAttrs, [2]string{"http_port", strconv.Itoa(sh.Main.HTTPPort)})
	}
	if len(sh.Main.BindAddresses) > 0 {
		mainAttrs = append(mainAttrs, [2]string{"bind_addresses", strList(sh.Main.BindAddresses)})
	}
	attrs := [][2]string{{"main", object(mainAttrs)}, {"workers", refMap(workerRefs)}, {"stream_writers", refMap(streamRefs)}}
	if r := sh.Redis; r != nil {
		var ra [][2]string
		for _, kv := range [][2]string{{"host", r.Host}, {"path", r.Path}, {"password_path", r.PasswordPath}} {
			if kv[1] != "" {
				ra = append(ra, [2]string{kv[0], str(kv[1])})
			}
		}
		if r.Port != 0 {
			ra = append(ra, [2]string{"port", strconv.Itoa(r.Port)})
		}
		if r.DBID != nil {
			ra = append(ra, [2]string{"dbid", strconv.Itoa(*r.DBID)})
		}
		if r.UseTLS {
			ra = append(ra, [2]string{"use_tls", "true"})
		}
		attrs = append(attrs, [2]string{"redis", object(ra)})
	}
	if sh.ReplicationSecretPath != "" {
		attrs = append(attrs, [2]string{"replication_secret_path", str(sh.ReplicationSecretPath)})
	}
	duties := make([]string, 0, len(sh.Duties))
	for k := range sh.Duties {
		duties = append(duties, k)
	}
	sort.Strings(duties)
	for _, k := range duties {
		v := str(sh.Duties[k][0])
		for _, r := range c.Roles {
			if r.Duty == k && r.DutyKind == "list" {
				v = strList(sh.Duties[k])
			}
		}
		attrs = append(attrs, [2]string{k, v})
	}
	if len(sh.OutboundFederationRestrictedTo) > 0 {
		attrs = append(attrs, [2]string{"outbound_federation_restricted_to", strList(sh.OutboundFederationRestrictedTo)})
	}
	if sh.DatabaseEngine != "" {
		attrs = append(attrs, [2]string{"database_engine", str(sh.DatabaseEngine)})
	}
	attrs = append(attrs, [2]string{"homeserver_yaml", "file(" + str(homeserverPath) + ")"})
	writeAttrs(&b, attrs)
	b.WriteString("}\n")
	if hs := a.Homeserver; hs.Main.HTTPPort != 0 && hs.MainHTTPHost != "" {
		if opt.Import {
			writeImport(&b, "synapse_routing_table.fleet", fleetID)
		}
		b.WriteString("\nresource \"synapse_routing_table\" \"fleet\" {\n")
		writeAttrs(&b, [][2]string{
			{"main", object([][2]string{{"host", str(hs.MainHTTPHost)}, {"port", strconv.Itoa(hs.Main.HTTPPort)}})},
			{"workers", refMap(workerRefs)}, {"stream_writers", refMap(streamRefs)},
		})
		b.WriteString("}\n")
	} else {
		b.WriteString("\n# No synapse_routing_table: the file has no client listener with a port for the main process.\n")
	}
	return b.String()
}

// writeImport writes an `import {}` block.
func writeImport(b *strings.Builder, to, id string) {
	fmt.Fprintf(b, "\nimport {\n  to = %s\n  id = %s\n}\n", to, str(id))
}

// queryEscape escapes an import ID option value: what url.ParseQuery would read differently
// ('&', '=', '+', '%', '#', '?', spaces and the rest) is percent-encoded, while paths, names,
// versions and commas stay readable.
func queryEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', strings.IndexByte("/._-,:@~", ch) >= 0:
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// labeler hands out resource labels: unique per resource type, even when two names differ
// only in characters a label cannot hold (sync-1 and sync_1).
type labeler map[string]bool

func (l labeler) next(typ, name string) string {
	base := label(name)
	out := base
	for n := 2; l[typ+"."+out]; n++ {
		out = fmt.Sprintf("%s_%d", base, n)
	}
	l[typ+"."+out] = true
	return out
}

var labelUnsafe = regexp.MustCompile(`[^A-Za-z0-9_]`)

// label is a resource name for a worker or stream name: '-' and other characters become '_',
// and a leading digit gets a prefix.
func label(name string) string {
	l := labelUnsafe.ReplaceAllString(name, "_")
	if l == "" || l[0] >= '0' && l[0] <= '9' {
		l = "w_" + l
	}
	return l
}

// str is an HCL string literal: quotes, backslashes, control characters and template
// sequences escaped, so no value can change the HCL's structure.
func str(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '"':
			b.WriteString(`\"`)
		case ch == '\\':
			b.WriteString(`\\`)
		case ch == '\n':
			b.WriteString(`\n`)
		case ch == '\r':
			b.WriteString(`\r`)
		case ch == '\t':
			b.WriteString(`\t`)
		case ch < 0x20 || ch == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, ch)
		case (ch == '$' || ch == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte(ch)
			b.WriteByte(ch)
		default:
			b.WriteByte(ch)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func strList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = str(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// refMap is a map of references keyed by name (each pair: quoted key, reference).
func refMap(refs [][2]string) string {
	if len(refs) == 0 {
		return "{}"
	}
	var b strings.Builder
	b.WriteString("{\n")
	for _, r := range refs {
		fmt.Fprintf(&b, "    %s = %s\n", r[0], r[1])
	}
	b.WriteString("  }")
	return b.String()
}

func object(attrs [][2]string) string {
	parts := make([]string, len(attrs))
	for i, kv := range attrs {
		parts[i] = kv[0] + " = " + kv[1]
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

func listeners(ls []fleet.Listener) string {
	var items []string
	for _, l := range ls {
		attrs := [][2]string{{"type", str(l.Type)}}
		if l.Path != "" {
			attrs = append(attrs, [2]string{"path", str(l.Path)})
		} else {
			attrs = append(attrs, [2]string{"port", strconv.Itoa(l.Port)})
		}
		if len(l.BindAddresses) > 0 {
			attrs = append(attrs, [2]string{"bind_addresses", strList(l.BindAddresses)})
		}
		if len(l.Resources) > 0 {
			attrs = append(attrs, [2]string{"resources", strList(l.Resources)})
		}
		if l.XForwarded != nil {
			attrs = append(attrs, [2]string{"x_forwarded", strconv.FormatBool(*l.XForwarded)})
		}
		if l.TLS {
			attrs = append(attrs, [2]string{"tls", "true"})
		}
		items = append(items, object(attrs))
	}
	return "[\n    " + strings.Join(items, ",\n    ") + ",\n  ]"
}

func writeAttrs(b *strings.Builder, attrs [][2]string) {
	for _, kv := range attrs {
		fmt.Fprintf(b, "  %s = %s\n", kv[0], kv[1])
	}
}

package provider

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/proxy"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

var (
	_ resource.Resource                   = (*routingTableResource)(nil)
	_ resource.ResourceWithConfigure      = (*routingTableResource)(nil)
	_ resource.ResourceWithValidateConfig = (*routingTableResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*routingTableResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*routingTableResource)(nil)
)

// NewRoutingTableResource is the synapse_routing_table resource factory.
func NewRoutingTableResource() resource.Resource { return &routingTableResource{} }

type routingTableResource struct {
	withCatalog
}

type routingTableModel struct {
	ID               types.String `tfsdk:"id"`
	SynapseVersion   types.String `tfsdk:"synapse_version"`
	Main             types.Object `tfsdk:"main"`
	Workers          types.Map    `tfsdk:"workers"`
	StreamWriters    types.Map    `tfsdk:"stream_writers"`
	Strategies       types.Map    `tfsdk:"strategies"`
	Listen           types.Object `tfsdk:"listen"`
	Proxies          types.Set    `tfsdk:"proxies"`
	Forms            types.Set    `tfsdk:"forms"`
	Routes           types.Map    `tfsdk:"routes"`
	Pools            types.Map    `tfsdk:"pools"`
	NginxConfig      types.String `tfsdk:"nginx_config"`
	NginxSnippet     types.String `tfsdk:"nginx_snippet"`
	NginxHTTPSnippet types.String `tfsdk:"nginx_http_snippet"`
	HAProxyConfig    types.String `tfsdk:"haproxy_config"`
	HAProxySnippet   types.String `tfsdk:"haproxy_snippet"`
	CaddyConfig      types.String `tfsdk:"caddy_config"`
	CaddySnippet     types.String `tfsdk:"caddy_snippet"`
	ApacheConfig     types.String `tfsdk:"apache_config"`
	ApacheSnippet    types.String `tfsdk:"apache_snippet"`
	// User routes and proxy options: routing_table_extras.go.
	ExtraRoutes       types.Map    `tfsdk:"extra_routes"`
	FallbackToMain    types.Bool   `tfsdk:"fallback_to_main"`
	ClientMaxBodySize types.String `tfsdk:"client_max_body_size"`
	MaxUploadSize     types.String `tfsdk:"max_upload_size"`
	ConfigDir         types.String `tfsdk:"config_dir"`
	NginxFiles        types.Map    `tfsdk:"nginx_files"`
	HAProxyFiles      types.Map    `tfsdk:"haproxy_files"`
	CaddyFiles        types.Map    `tfsdk:"caddy_files"`
	ApacheFiles       types.Map    `tfsdk:"apache_files"`
}

type mainModel struct {
	Host types.String `tfsdk:"host"`
	Port types.Number `tfsdk:"port"`
}

type listenModel struct {
	Address            types.String `tfsdk:"address"`
	Port               types.Number `tfsdk:"port"`
	AdditionalPorts    types.List   `tfsdk:"additional_ports"`
	ServerName         types.String `tfsdk:"server_name"`
	TLSCertificatePath types.String `tfsdk:"tls_certificate_path"`
	TLSKeyPath         types.String `tfsdk:"tls_key_path"`
}

// listenAttributes maps proxy.Options fields to the `listen` attributes that set them, with the
// diagnostic summary of an invalid value.
var listenAttributes = map[string]struct{ name, summary string }{
	"ListenAddress":      {"address", "Invalid Listen Address"},
	"ListenPort":         {"port", "Invalid Port"},
	"AdditionalPorts":    {"additional_ports", "Invalid Port"},
	"ServerName":         {"server_name", "Invalid Server Name"},
	"TLSCertificatePath": {"tls_certificate_path", "Invalid TLS Setting"},
	"TLSKeyPath":         {"tls_key_path", "Invalid TLS Setting"},
}

// routeAttrTypes is the shape of one `routes` element, which match_route takes back.
var routeAttrTypes = map[string]attr.Type{
	"order":         types.Int64Type,
	"pattern":       types.StringType,
	"methods":       types.ListType{ElemType: types.StringType},
	"query_param":   types.StringType,
	"query_present": types.BoolType,
	"pool":          types.StringType,
	"group":         types.StringType,
	"strategy":      types.StringType,
}

var poolAttrTypes = map[string]attr.Type{
	"strategy": types.StringType,
	"members":  types.MapType{ElemType: types.StringType},
}

// The forms of a rendered proxy configuration `forms` selects.
const (
	formConfig  = "config"
	formSnippet = "snippet"
	formFiles   = "files"
)

var formNames = []string{formConfig, formSnippet, formFiles}

// fileOutputs lists the `files` form's attributes: the standalone configuration of a proxy
// split into files (proxy.Config.Files).
var fileOutputs = []struct {
	name  string
	proxy proxy.Proxy
	start string
}{
	{"nginx_files", proxy.Nginx, "`nginx -c <config_dir>/nginx.conf`"},
	{"haproxy_files", proxy.HAProxy, "`haproxy -f <config_dir>/haproxy.cfg -f <config_dir>/pools` (HAProxy has no include; a directory's `.cfg` files load in name order)"},
	{"caddy_files", proxy.Caddy, "`caddy run --config <config_dir>/Caddyfile --adapter caddyfile`"},
	{"apache_files", proxy.Apache, "`apache2 -f <config_dir>/apache2.conf` (with the same harmless `AH00111` warning as `apache_config`)"},
}

// files is the value of one `files` form attribute.
func (m *routingTableModel) files(name string) *types.Map {
	switch name {
	case "nginx_files":
		return &m.NginxFiles
	case "haproxy_files":
		return &m.HAProxyFiles
	case "caddy_files":
		return &m.CaddyFiles
	case "apache_files":
		return &m.ApacheFiles
	}
	panic("unknown routing table output " + name) // a provider bug: fileOutputs names every field
}

// proxyOutputs lists the rendered configuration attributes: the proxy and form that select
// each, and its description.
var proxyOutputs = []struct {
	name  string
	proxy proxy.Proxy
	form  string
	desc  string
}{
	{"nginx_config", proxy.Nginx, formConfig, "A complete nginx configuration (nginx 1.22+): `nginx -c` runs it as is."},
	{"nginx_snippet", proxy.Nginx, formSnippet, "The nginx `location` blocks, to include inside your own `server {}` block; it needs `nginx_http_snippet` in the `http {}` context."},
	{"nginx_http_snippet", proxy.Nginx, formSnippet, "The nginx `map` and `upstream` blocks `nginx_snippet` refers to, to include in the `http {}` context."},
	{"haproxy_config", proxy.HAProxy, formConfig, "A complete HAProxy configuration (2.6+): `haproxy -f` runs it as is."},
	{"haproxy_snippet", proxy.HAProxy, formSnippet, "The HAProxy frontend rules followed by the backend sections, to merge into your own configuration."},
	{"caddy_config", proxy.Caddy, formConfig, "A complete Caddyfile (Caddy 2.6+): `caddy run --adapter caddyfile` runs it as is."},
	{"caddy_snippet", proxy.Caddy, formSnippet, "The Caddy directives to put inside your own site block."},
	{"apache_config", proxy.Apache, formConfig, "A complete Apache httpd configuration (2.4, mod_rewrite + mod_proxy): `apache2 -f` runs it as is. " +
		"Loading it, Apache logs `AH00111: Config variable ${MX_BALANCER} is not defined`: expected and harmless. " +
		"`${MX_BALANCER}` is not a startup variable but the per-request environment variable the rewrite rules set, which " +
		"`ProxyPass ... interpolate` substitutes; Apache's loader only warns that it cannot resolve it at startup."},
	{"apache_snippet", proxy.Apache, formSnippet, "The Apache directives to put inside your own `<VirtualHost>` (Apache logs the same harmless `AH00111` warning about `${MX_BALANCER}` as for `apache_config`)."},
}

// output is the value of one rendered configuration attribute.
func (m *routingTableModel) output(name string) *types.String {
	switch name {
	case "nginx_config":
		return &m.NginxConfig
	case "nginx_snippet":
		return &m.NginxSnippet
	case "nginx_http_snippet":
		return &m.NginxHTTPSnippet
	case "haproxy_config":
		return &m.HAProxyConfig
	case "haproxy_snippet":
		return &m.HAProxySnippet
	case "caddy_config":
		return &m.CaddyConfig
	case "caddy_snippet":
		return &m.CaddySnippet
	case "apache_config":
		return &m.ApacheConfig
	case "apache_snippet":
		return &m.ApacheSnippet
	}
	panic("unknown routing table output " + name) // a provider bug: proxyOutputs names every field
}

func proxyNames() []string {
	out := make([]string, len(proxy.Proxies))
	for i, p := range proxy.Proxies {
		out[i] = string(p)
	}
	return out
}

func (r *routingTableResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_routing_table"
}

func (r *routingTableResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = routingTableSchemaV1()
}

func strategyNames() []string {
	out := make([]string, len(routing.Strategies))
	for i, s := range routing.Strategies {
		out[i] = string(s)
	}
	return out
}

// routingTableSchemaV1 is version 1 of the synapse_routing_table schema (release 0.2.0: ports
// are Number attributes; `synapse_version`, also on the `workers` and `stream_writers` elements;
// `workers` a map, `routes` and `pools` maps keyed by identity, `proxies` and `forms` select
// what is rendered). UpgradeState moves version 0 (0.1.0) states to it.
func routingTableSchemaV1() schema.Schema {
	attrs := map[string]schema.Attribute{
		"id":              schema.StringAttribute{Computed: true, MarkdownDescription: "The listen address and port, `address:port`."},
		"synapse_version": synapseVersionAttribute("the routing table (which endpoints exist and which role serves them)"),
		"main": schema.SingleNestedAttribute{Required: true,
			MarkdownDescription: "The main process's HTTP listener: where every request no worker serves goes (pool `main`).",
			Attributes: map[string]schema.Attribute{
				"host": schema.StringAttribute{Required: true, MarkdownDescription: "Host name or IP address of the main process."},
				"port": schema.NumberAttribute{Required: true, MarkdownDescription: "Port of the main process's client/federation HTTP listener (1-65535)."},
			}},
		"workers": workerRefsAttribute("a worker's `roles` decide which endpoints it serves, its `upstream` and "+
			"`http_resources` where and what it listens for.", "name", "roles", "upstream", "http_resources", "synapse_version"),
		"stream_writers": streamWriterRefsAttribute("Endpoints of a stream assigned to workers are routed to its writers, " +
			"ahead of every other route; `main` as a writer is the main process."),
		"strategies": schema.MapAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Per-pool override of how a member is picked, keyed by pool name (see `pools`). Strategies: " +
				backticked(strategyNames()) + ". Defaults come from Synapse's load-balancing advice: `user` for sync, " +
				"`room` for event sending and pagination, `source_ip` for inbound federation transactions, `single` for SSO, " +
				"`round_robin` elsewhere. Overriding a sticky default (`user`, `room`, `source_ip`) with another strategy is a warning. The pools of `extra_routes` (`extra_<name>`) take the route's own `strategy` instead."},
		"listen": schema.SingleNestedAttribute{Optional: true,
			MarkdownDescription: "Where the standalone proxy configurations listen, and whether they terminate TLS. " +
				"The snippets are unaffected: they go inside your own (TLS) server.",
			Attributes: map[string]schema.Attribute{
				"address": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Address to bind. Defaults to `" + proxy.DefaultListenAddress + "`."},
				"port": schema.NumberAttribute{Optional: true,
					MarkdownDescription: "Port to bind (1-65535). Defaults to `" + strconv.Itoa(proxy.DefaultListenPort) + "`. " +
						"Any port may be plain HTTP or TLS: for plain HTTP on 443 (or TLS on 80) the Caddyfile moves Caddy's " +
						"`https_port` (`http_port`) option out of the way, since Caddy otherwise rejects `http://` on 443."},
				"additional_ports": schema.ListAttribute{Optional: true, ElementType: types.NumberType,
					MarkdownDescription: "More ports to bind on `address`, with the same routing and TLS setting as `port`, " +
						"e.g. `[8448]` for Matrix federation next to `port = 443` for clients. Each port (1-65535) once. Defaults to none."},
				"server_name": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Virtual host name. Defaults to none (nginx: `_`)."},
				"tls_certificate_path": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Absolute path of the PEM certificate (with its chain) the proxy presents; with `tls_key_path` " +
						"(set both or neither) every port terminates TLS: nginx `listen ... ssl`, HAProxy `bind ... ssl crt`, " +
						"Caddy `https://` sites with `tls`, Apache `mod_ssl`. Letters, digits, `.`, `_`, `-` and `/` only. " +
						"Defaults to none: plain HTTP."},
				"tls_key_path": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Absolute path of the PEM private key of `tls_certificate_path`; may be the same file when it " +
						"holds certificate and key. HAProxy 2.6 reads the key only from the certificate file itself, from " +
						"`<certificate>.key`, or from the certificate's name with its extension replaced by `.key` (e.g. " +
						"`matrix.crt` and `matrix.key`); any other name renders with a warning, and `haproxy_config` then needs " +
						"certificate and key concatenated into one file. Defaults to none."},
			}},
		"proxies": schema.SetAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "The proxies to render: " + backticked(proxyNames()) + ", e.g. `[\"nginx\"]`. The " +
				"outputs of the others are null, and only the selected proxies' limits are checked (e.g. HAProxy's key " +
				"file naming). Unset means all four, as in 0.1.0: set it to the proxy you deploy for a smaller plan and state."},
		"forms": schema.SetAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "The forms to render for each selected proxy: `" + formConfig + "` (the standalone " +
				"configuration as one string, `<proxy>_config`), `" + formFiles + "` (the same configuration split into one file " +
				"per pool, `<proxy>_files`: a plan then shows a changed pool, not the whole configuration) and `" + formSnippet +
				"` (`<proxy>_snippet`, and `nginx_http_snippet`). Unset means `" + formConfig + "` and `" + formSnippet + "`, as in 0.1.0."},
		"config_dir": schema.StringAttribute{Optional: true,
			MarkdownDescription: "The absolute directory the `<proxy>_files` are written to: the entry file includes the pool " +
				"files by absolute path under it. Letters, digits, `.`, `_`, `-` and `/` only. Defaults to `" + proxy.DefaultConfigDir + "`."},
		"routes": schema.MapNestedAttribute{Computed: true,
			MarkdownDescription: "The first-match routing table, keyed by route identity (methods, pattern and query " +
				"condition, e.g. `GET,HEAD ^/_matrix/client/(r0|v3)/sync$ ?since`); `order` gives the order routes are " +
				"tried in, and requests no route takes go to pool `main`. Keyed so that a plan shows a changed route, not " +
				"every later one. Pass it to `provider::synapse::match_route` to see where a request goes.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"order":   schema.Int64Attribute{Computed: true, MarkdownDescription: "Position in the first-match order, from 0."},
				"pattern": schema.StringAttribute{Computed: true, MarkdownDescription: "Regular expression on the %-decoded path (the subset nginx, HAProxy, Caddy and Apache share)."},
				"methods": schema.ListAttribute{Computed: true, ElementType: types.StringType,
					MarkdownDescription: "HTTP methods the route takes (exact; `HEAD` is listed where meant); empty means every method."},
				"query_param":   schema.StringAttribute{Computed: true, MarkdownDescription: "Query parameter the route tests, or null."},
				"query_present": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether `query_param` must have a non-empty value (true) or be absent or empty (false); null without `query_param`."},
				"pool":          schema.StringAttribute{Computed: true, MarkdownDescription: "The pool serving the route."},
				"group":         schema.StringAttribute{Computed: true, MarkdownDescription: "Where the route comes from (the heading in Synapse's worker documentation)."},
				"strategy":      schema.StringAttribute{Computed: true, MarkdownDescription: "The pool's strategy (copied here so `match_route` needs only the routes)."},
			}}},
		"pools": schema.MapNestedAttribute{Computed: true,
			MarkdownDescription: "The pools, keyed by name: `main`, the serving role (`synchrotron`, `client_reader`, ...), " +
				"`<role>_<strategy>` when an endpoint needs another strategy than most of the role's (`client_reader_room`), " +
				"and `<stream>_writers` for stream writers.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"strategy": schema.StringAttribute{Computed: true, MarkdownDescription: "How a member is picked: " + backticked(strategyNames()) + "."},
				"members": schema.MapAttribute{Computed: true, ElementType: types.StringType,
					MarkdownDescription: "The processes of the pool: worker name (`main` for the main process) => `host:port` or `unix:/path` of its HTTP listener."},
			}}},
	}
	for k, a := range routingTableExtraAttributes() {
		attrs[k] = a
	}
	for _, o := range proxyOutputs {
		attrs[o.name] = schema.StringAttribute{Computed: true, MarkdownDescription: o.desc +
			" Null unless `proxies` and `forms` select it."}
	}
	for _, o := range fileOutputs {
		attrs[o.name] = schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The standalone " +
			string(o.proxy) + " configuration split into files, keyed by path relative to `config_dir`: `" + proxy.EntryFile(o.proxy) +
			"`, which includes the others, and one file per pool, `" + proxy.PoolFile(o.proxy, "<pool>") + "`, so that a plan changing " +
			"one pool shows only that file. Write every file under `config_dir` and start " + o.start + ". Null unless `proxies` selects " +
			string(o.proxy) + " and `forms` selects `" + formFiles + "`."}
	}
	return schema.Schema{
		Version: 1,
		MarkdownDescription: "Compiles the fleet's reverse-proxy routing: an ordered, first-match table of routes " +
			"(path regex, methods, query condition) to pools of workers with a member-selection strategy, and renders it " +
			"for the proxies `proxies` selects (nginx, HAProxy, Caddy, Apache). Stream writers' endpoints come first; each Synapse endpoint then goes " +
			"to the workers of its most specialised role present; initial syncs (no `since`) go to `initial_synchrotron` " +
			"workers when there are any; GET-only endpoints send other methods on to the writer or the main process. " +
			"Every table is checked statically (no route shadowed by an earlier one, every pattern portable across the four " +
			"proxies). Logical: nothing is contacted; everything is known at plan time when the inputs are.",
		Attributes: attrs,
	}
}

func (r *routingTableResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m routingTableModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	_ = r.validationCatalogs(m.SynapseVersion, &resp.Diagnostics) // the release's rules apply at plan (Compile)
	_, _, _ = workerRefs(ctx, "workers", m.Workers, &resp.Diagnostics)
	_, _, _ = streamWriterRefs(ctx, "stream_writers", m.StreamWriters, &resp.Diagnostics)
	main, mOK := m.mainMember(ctx, &resp.Diagnostics)
	opts, lOK := m.options(ctx, &resp.Diagnostics)
	if host, port, err := net.SplitHostPort(main.Upstream); mOK && lOK && err == nil {
		mainPort, _ := strconv.Atoi(port)
		if p, loops := proxy.BindsMain(proxy.OptionsWithDefaults(proxy.Nginx, opts), host, mainPort); loops {
			resp.Diagnostics.AddAttributeError(path.Root("listen"), "Proxy Listens On Main",
				fmt.Sprintf("listen binds %s port %d, which is the main process's own address (main = %s:%d): the proxy and the main process "+
					"cannot both listen there, and requests no worker serves would loop back to the proxy. Give listen another port "+
					"(e.g. 443 or 8080) or address, or correct main.host and main.port.", opts.ListenAddress, p, host, mainPort))
		}
	}
	_, _ = m.selection(ctx, &resp.Diagnostics)
	if !m.Strategies.IsNull() && !m.Strategies.IsUnknown() {
		elems := m.Strategies.Elements()
		for _, k := range sortedStringKeys(elems) {
			s, ok := elems[k].(types.String)
			if !ok || s.IsUnknown() || s.IsNull() {
				continue
			}
			if !routing.IsStrategy(routing.Strategy(s.ValueString())) {
				resp.Diagnostics.AddAttributeError(path.Root("strategies").AtMapKey(k), "Invalid Strategy",
					fmt.Sprintf("strategies[%q] is %q; use one of: %s.", k, s.ValueString(), strings.Join(strategyNames(), ", ")))
			}
		}
	}
}

// mainMember reads `main`; ok is false while a value is unknown.
func (m routingTableModel) mainMember(ctx context.Context, diags *diag.Diagnostics) (routing.Member, bool) {
	if m.Main.IsUnknown() {
		return routing.Member{}, false
	}
	var mm mainModel
	diags.Append(m.Main.As(ctx, &mm, objectAsOptions)...)
	if mm.Host.IsUnknown() || mm.Port.IsUnknown() {
		return routing.Member{}, false
	}
	host := mm.Host.ValueString()
	if host == "" {
		diags.AddAttributeError(path.Root("main").AtName("host"), "Missing Main Host",
			"main.host is empty; set the host name or address of the main process.")
	}
	port, whole := portValue(mm.Port, path.Root("main").AtName("port"), "main.port", diags)
	if whole && (port < 1 || port > 65535) {
		diags.AddAttributeError(path.Root("main").AtName("port"), "Invalid Port",
			fmt.Sprintf("main.port is %d; use the port of the main process's HTTP listener, 1-65535.", port))
	}
	return routing.Member{Name: routing.MainPool, Upstream: net.JoinHostPort(host, strconv.Itoa(port))}, true
}

// options reads `listen`; ok is false while a value is unknown.
func (m routingTableModel) options(ctx context.Context, diags *diag.Diagnostics) (proxy.Options, bool) {
	o := proxy.Options{ListenAddress: proxy.DefaultListenAddress, ListenPort: proxy.DefaultListenPort, ConfigDir: proxy.DefaultConfigDir}
	if m.Listen.IsUnknown() || m.ConfigDir.IsUnknown() {
		return o, false
	}
	if !m.ConfigDir.IsNull() {
		o.ConfigDir = m.ConfigDir.ValueString()
		for _, e := range proxy.ValidateOptions(proxy.OptionsWithDefaults(proxy.Nginx, proxy.Options{ConfigDir: o.ConfigDir})) {
			if e.Field == "ConfigDir" {
				diags.AddAttributeError(path.Root("config_dir"), "Invalid Config Dir", fmt.Sprintf("config_dir: %s.", e.Message))
			}
		}
	}
	if m.Listen.IsNull() {
		return o, true
	}
	var l listenModel
	diags.Append(m.Listen.As(ctx, &l, objectAsOptions)...)
	if l.Address.IsUnknown() || l.Port.IsUnknown() || l.ServerName.IsUnknown() || l.AdditionalPorts.IsUnknown() ||
		l.TLSCertificatePath.IsUnknown() || l.TLSKeyPath.IsUnknown() {
		return o, false
	}
	if !l.Address.IsNull() {
		o.ListenAddress = l.Address.ValueString()
	}
	listenPort, whole := portValue(l.Port, path.Root("listen").AtName("port"), "listen.port", diags)
	if !l.Port.IsNull() {
		o.ListenPort = listenPort
		if !whole || listenPort < 1 || listenPort > 65535 {
			o.ListenPort = -1 // reported (not whole) or reported below (out of range)
		}
	}
	for i, v := range l.AdditionalPorts.Elements() {
		p, ok := v.(types.Number)
		if !ok || p.IsUnknown() {
			return o, false
		}
		if p.IsNull() {
			diags.AddAttributeError(path.Root("listen").AtName("additional_ports"), "Invalid Port",
				"listen.additional_ports has a null element; list port numbers (1-65535).")
			continue
		}
		n, whole := portValue(p, path.Root("listen").AtName("additional_ports").AtListIndex(i),
			fmt.Sprintf("listen.additional_ports[%d]", i), diags)
		if !whole {
			continue // reported
		}
		o.AdditionalPorts = append(o.AdditionalPorts, min(max(n, -1), 1<<20))
	}
	o.ServerName = l.ServerName.ValueString()
	o.TLSCertificatePath = l.TLSCertificatePath.ValueString()
	o.TLSKeyPath = l.TLSKeyPath.ValueString()
	for _, e := range proxy.ValidateOptions(proxy.OptionsWithDefaults(proxy.Nginx, o)) {
		if e.Field == "ConfigDir" {
			continue // reported above
		}
		a, ok := listenAttributes[e.Field]
		if !ok {
			diags.AddError("Invalid Listen Option", fmt.Sprintf("%s. This is a provider bug: please report it.", e.Message))
			continue
		}
		detail := fmt.Sprintf("listen.%s: %s.", a.name, e.Message)
		if e.Field == "ListenPort" {
			if !whole {
				continue // reported by portValue
			}
			detail = fmt.Sprintf("listen.port is %d; use 1-65535.", listenPort)
		}
		diags.AddAttributeError(path.Root("listen").AtName(a.name), a.summary, detail)
	}
	return o, true
}

// strategies reads `strategies`; ok is false while a value is unknown.
func (m routingTableModel) strategies() (map[string]routing.Strategy, bool) {
	if m.Strategies.IsUnknown() {
		return nil, false
	}
	out := map[string]routing.Strategy{}
	for k, v := range m.Strategies.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() {
			return nil, false
		}
		out[k] = routing.Strategy(s.ValueString())
	}
	return out, true
}

func (r *routingTableResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: nothing to render
	}
	var plan, config routingTableModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.SynapseVersion = r.effectiveVersion(config.SynapseVersion)
	plan.Workers = fillRefVersionsMap(ctx, config.Workers, plan.Workers, plan.SynapseVersion, &resp.Diagnostics)
	plan.StreamWriters = fillRefVersionsMap(ctx, config.StreamWriters, plan.StreamWriters, plan.SynapseVersion, &resp.Diagnostics)
	if !plan.SynapseVersion.IsUnknown() {
		checkRefVersions("synapse_routing_table", plan.SynapseVersion.ValueString(), plan.Workers, plan.StreamWriters, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	warnings := r.render(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// Warnings matter when the table or the listen settings change, not on every plan.
	changed := req.State.Raw.IsNull()
	if !changed {
		var prior routingTableModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		changed = !prior.Routes.Equal(plan.Routes) || !prior.Pools.Equal(plan.Pools) || !prior.Listen.Equal(plan.Listen) || !prior.ConfigDir.Equal(plan.ConfigDir)
	}
	if changed {
		addProblems(&resp.Diagnostics, warnings, problemOptions{})
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// selection is what `proxies` and `forms` ask to render.
type selection struct {
	proxies map[proxy.Proxy]bool
	forms   map[string]bool
}

// wants says whether the output attribute o is rendered.
func (s selection) wants(p proxy.Proxy, form string) bool { return s.proxies[p] && s.forms[form] }

// selection reads `proxies` and `forms` (null: what 0.1.0 rendered, every proxy as config and
// snippet); ok is false while a value is unknown. Unknown names are reported on the attribute.
func (m routingTableModel) selection(ctx context.Context, diags *diag.Diagnostics) (selection, bool) {
	sel := selection{proxies: map[proxy.Proxy]bool{}, forms: map[string]bool{}}
	ok := true
	read := func(attrName string, v types.Set, all, unset []string, add func(string)) {
		if v.IsUnknown() || hasUnknownElement(v) {
			ok = false
			return
		}
		if v.IsNull() {
			for _, n := range unset {
				add(n)
			}
			return
		}
		for _, n := range stringsOf(ctx, v, diags) {
			if !slices.Contains(all, n) {
				diags.AddAttributeError(path.Root(attrName), "Invalid "+map[string]string{"proxies": "Proxy", "forms": "Form"}[attrName],
					fmt.Sprintf("%s contains %q; use any of: %s.", attrName, n, strings.Join(all, ", ")))
				continue
			}
			add(n)
		}
	}
	read("proxies", m.Proxies, proxyNames(), proxyNames(), func(n string) { sel.proxies[proxy.Proxy(n)] = true })
	read("forms", m.Forms, formNames, []string{formConfig, formSnippet}, func(n string) { sel.forms[n] = true })
	return sel, ok
}

// render fills the computed attributes when every input is known, else leaves them unknown.
// Errors go to diags; warnings are returned for the caller to report.
func (r *routingTableResource) render(ctx context.Context, m *routingTableModel, diags *diag.Diagnostics) fleet.Problems {
	workers, wkeys, wOK := workerRefs(ctx, "workers", m.Workers, diags)
	writers, skeys, sOK := streamWriterRefs(ctx, "stream_writers", m.StreamWriters, diags)
	main, mOK := m.mainMember(ctx, diags)
	opts, lOK := m.options(ctx, diags)
	overrides, oOK := m.strategies()
	sel, pOK := m.selection(ctx, diags)
	extras, eOK := m.extraRoutes(ctx, diags)
	xOK := m.proxyOptions(&opts, diags)
	if diags.HasError() {
		return nil
	}
	m.ID = types.StringValue(net.JoinHostPort(opts.ListenAddress, strconv.Itoa(opts.ListenPort)))
	if !lOK {
		m.ID = types.StringUnknown()
	}
	if !wOK || !sOK || !mOK || !lOK || !oOK || !pOK || !eOK || !xOK || m.SynapseVersion.IsUnknown() {
		m.setUnknown(sel, pOK)
		return nil
	}
	c := r.catalogOf(m.SynapseVersion, diags)
	if c == nil || !defaultBodyLimit(c, &opts, diags) {
		return nil
	}
	t, ps := routing.Compile(c, main, workers, writers, overrides)
	ps = refKeys{workers: wkeys, streams: skeys}.rekey(ps)
	addProblems(diags, ps.Errors(), problemOptions{})
	if ps.HasErrors() {
		return nil
	}
	t, xs := routing.AddExtraRoutes(t, workers, extras)
	addProblems(diags, xs.Errors(), problemOptions{})
	if xs.HasErrors() {
		return nil
	}
	ps = append(ps, xs...)
	var warnings fleet.Problems
	for _, p := range ps {
		if p.Warning {
			warnings = append(warnings, p)
		}
	}
	m.Routes = routesValue(t, diags)
	m.Pools = poolsValue(t, diags)
	// Only the proxies rendered have a say. A strategy one cannot express is the user's choice
	// (an override) or a provider bug (a default); say which.
	for _, pool := range t.Pools {
		for _, p := range proxy.Proxies {
			if !sel.proxies[p] {
				continue
			}
			err := proxy.Supports(p, pool.Strategy)
			if err == nil {
				continue
			}
			if _, overridden := overrides[pool.Name]; overridden {
				diags.AddAttributeError(path.Root("strategies").AtMapKey(pool.Name), "Strategy Not Supported By Proxy",
					fmt.Sprintf("strategies[%q] is %q: %s. Choose another strategy for this pool.", pool.Name, pool.Strategy, err))
			} else {
				diags.AddError("Strategy Not Supported By Proxy",
					fmt.Sprintf("pool %q has the default strategy %q: %s. This is a provider bug: please report it.", pool.Name, pool.Strategy, err))
			}
		}
	}
	if sel.wants(proxy.HAProxy, formConfig) || sel.wants(proxy.HAProxy, formFiles) {
		if problem := proxy.HAProxyTLSKeyProblem(opts); problem != "" {
			diags.AddAttributeError(path.Root("listen").AtName("tls_key_path"), "Invalid TLS Setting",
				fmt.Sprintf("listen.tls_key_path: %s. Or leave haproxy out of proxies (or its config out of forms).", problem))
		}
	}
	if diags.HasError() {
		return nil
	}
	for _, o := range proxyOutputs {
		*m.output(o.name) = types.StringNull()
	}
	for _, o := range fileOutputs {
		*m.files(o.name) = types.MapNull(types.StringType)
	}
	for _, p := range proxy.Proxies {
		if !sel.proxies[p] || (!sel.forms[formConfig] && !sel.forms[formSnippet] && !sel.forms[formFiles]) {
			continue
		}
		cfg, err := proxy.Render(p, t, opts)
		if err != nil {
			diags.AddAttributeError(path.Root("listen"), "Proxy Configuration Not Rendered",
				fmt.Sprintf("the %s configuration cannot be rendered: %s. Check listen and the workers' upstreams; if they are valid, this is a provider bug.", p, err))
			continue
		}
		if p != proxy.HAProxy { // HAProxy's one warning is the key file, an error above when it matters
			for _, w := range cfg.Warnings {
				warnings.Warn("", "Proxy Configuration Warning", "%s: %s", p, w)
			}
		}
		for _, o := range proxyOutputs {
			if o.proxy != p || !sel.forms[o.form] {
				continue
			}
			v := cfg.Full
			switch o.name {
			case "nginx_http_snippet":
				v = cfg.HTTPSnippet
			case string(p) + "_snippet":
				v = cfg.Snippet
			}
			*m.output(o.name) = types.StringValue(v)
		}
		for _, o := range fileOutputs {
			if o.proxy == p && sel.forms[formFiles] {
				files := make(map[string]attr.Value, len(cfg.Files))
				for k, v := range cfg.Files {
					files[k] = types.StringValue(v)
				}
				mv, d := types.MapValue(types.StringType, files)
				diags.Append(d...)
				*m.files(o.name) = mv
			}
		}
	}
	if diags.HasError() {
		return nil
	}
	return warnings
}

// setUnknown marks the computed attributes unknown; outputs the selection leaves out stay null
// when the selection is known.
func (m *routingTableModel) setUnknown(sel selection, selKnown bool) {
	m.Routes = types.MapUnknown(types.ObjectType{AttrTypes: routeAttrTypes})
	m.Pools = types.MapUnknown(types.ObjectType{AttrTypes: poolAttrTypes})
	for _, o := range proxyOutputs {
		if selKnown && !sel.wants(o.proxy, o.form) {
			*m.output(o.name) = types.StringNull()
		} else {
			*m.output(o.name) = types.StringUnknown()
		}
	}
	for _, o := range fileOutputs {
		if selKnown && !sel.wants(o.proxy, formFiles) {
			*m.files(o.name) = types.MapNull(types.StringType)
		} else {
			*m.files(o.name) = types.MapUnknown(types.StringType)
		}
	}
}

// routesValue is `routes`: keyed by routing.RouteKeys, built without reflection.
func routesValue(t routing.Table, diags *diag.Diagnostics) types.Map {
	strategy := map[string]string{}
	for _, p := range t.Pools {
		strategy[p.Name] = string(p.Strategy)
	}
	keys := routing.RouteKeys(t.Routes)
	elems := make(map[string]attr.Value, len(t.Routes))
	for i, rt := range t.Routes {
		qp, qpr := types.StringNull(), types.BoolNull()
		if rt.Query != nil {
			qp, qpr = types.StringValue(rt.Query.Param), types.BoolValue(rt.Query.Present)
		}
		elems[keys[i]] = objectValue(routeAttrTypes, map[string]attr.Value{
			"order": types.Int64Value(int64(i)), "pattern": types.StringValue(rt.Pattern), "methods": stringListValue(rt.Methods),
			"query_param": qp, "query_present": qpr, "pool": types.StringValue(rt.Pool),
			"group": types.StringValue(rt.Group), "strategy": types.StringValue(strategy[rt.Pool]),
		}, diags)
	}
	return mapValue(routeAttrTypes, elems, diags)
}

// poolsValue is `pools`: keyed by pool name, members keyed by worker name.
func poolsValue(t routing.Table, diags *diag.Diagnostics) types.Map {
	elems := make(map[string]attr.Value, len(t.Pools))
	for _, p := range t.Pools {
		members := make(map[string]attr.Value, len(p.Members))
		for _, mb := range p.Members {
			members[mb.Name] = types.StringValue(mb.Upstream)
		}
		mv, d := types.MapValue(types.StringType, members)
		diags.Append(d...)
		elems[p.Name] = objectValue(poolAttrTypes, map[string]attr.Value{"strategy": types.StringValue(string(p.Strategy)), "members": mv}, diags)
	}
	return mapValue(poolAttrTypes, elems, diags)
}

// UpgradeState upgrades version-0 state (provider 0.1.x) to version 1: synapse_version is
// the provider's; `workers` becomes a map keyed by name; `routes` and `pools`, now maps, are
// computed again by the next plan.
func (r *routingTableResource) UpgradeState(_ context.Context) map[int64]resource.StateUpgrader {
	return upgradeFromV0(r.setSynapseVersion, r.setRefVersions("workers", "stream_writers"), workersByName, r.compactWorkerLists, streamWritersByStream, dropComputed("routes", "pools"))
}

func (r *routingTableResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, r.renderOnly)
}

// renderOnly is render for Create/Update: errors go to diags; warnings were shown at plan time.
func (r *routingTableResource) renderOnly(ctx context.Context, m *routingTableModel, diags *diag.Diagnostics) {
	r.render(ctx, m, diags)
}

// Read keeps the state: the resource is logical, there is nothing remote to refresh.
func (r *routingTableResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {
}

func (r *routingTableResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	planToState(ctx, req.Plan, &resp.State, &resp.Diagnostics, r.renderOnly)
}

// Delete does nothing: the resource is logical, and the framework drops it from the state.
func (r *routingTableResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}

// sortedStringKeys lists a map's keys in order (stable diagnostics).
func sortedStringKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package provider

// synapse_routing_table's user routes (`extra_routes`) and proxy options (`fallback_to_main`,
// `client_max_body_size` checked against `max_upload_size`): schema, reading, checks. The
// placement and shadow analysis are routing.AddExtraRoutes; the rendering is internal/proxy.

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/proxy"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

// extraRouteModel is one element of `extra_routes`.
type extraRouteModel struct {
	Pattern  types.String `tfsdk:"pattern"`
	Methods  types.List   `tfsdk:"methods"`
	Order    types.Int64  `tfsdk:"order"`
	Pool     types.String `tfsdk:"pool"`
	Role     types.String `tfsdk:"role"`
	Worker   types.String `tfsdk:"worker"`
	Strategy types.String `tfsdk:"strategy"`
}

// routingTableExtraAttributes are the user-route and proxy-option attributes of the schema.
func routingTableExtraAttributes() map[string]schema.Attribute {
	upload := catalog.MustFor(catalog.Latest()).DefaultMaxUploadSize
	return map[string]schema.Attribute{
		"extra_routes": schema.MapNestedAttribute{Optional: true,
			MarkdownDescription: "Routes the catalogue does not know, keyed by a name (lowercase letters, digits, `_` and `-`): " +
				"a Synapse module's resources, an application service's paths, an MSC newer than the catalogue. They come " +
				"before every catalogue route, in `order` (then name), and `routes`, `match_route` and every rendered proxy " +
				"honour them. The table is checked as a whole: an extra route that earlier extra routes shadow, or that takes " +
				"every request of a catalogue route, is an error on that route; one taking only some of a catalogue route's " +
				"requests is a warning. Defaults to none.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"pattern": schema.StringAttribute{Required: true,
					MarkdownDescription: "Regular expression on the %-decoded path, unanchored unless it anchors itself, e.g. " +
						"`^/_synapse/client/my_module/`. Only the syntax all four proxies read alike: printable ASCII without " +
						"spaces, quotes, braces, `#` or `;`; groups `(...)` and `(?:...)`; escapes of punctuation and `\\d \\w \\s`."},
				"methods": schema.ListAttribute{Optional: true, ElementType: types.StringType,
					MarkdownDescription: "Upper-case HTTP methods the route takes, each once (`HEAD` is not implied by `GET`: list both). " +
						"Defaults to every method."},
				"order": schema.Int64Attribute{Optional: true,
					MarkdownDescription: "Where the route stands among the extra routes: lower first, ties by name. Defaults to 0."},
				"pool": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Send the route to this pool of the table (a key of `pools`, e.g. `main` or `synchrotron`). " +
						"Set exactly one of `pool`, `role` and `worker`."},
				"role": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Send the route to every worker in `workers` holding this role (pool `" + routing.ExtraPoolPrefix + "<name>`)."},
				"worker": schema.StringAttribute{Optional: true,
					MarkdownDescription: "Send the route to this one worker (its `name`; `main` is the main process), pool `" + routing.ExtraPoolPrefix + "<name>`."},
				"strategy": schema.StringAttribute{Optional: true,
					MarkdownDescription: "How a member is picked: " + backticked(strategyNames()) + ". Defaults to the pool's strategy " +
						"(`pool`), `round_robin` (`role`) or `single` (`worker`). With `pool`, another strategy than the pool's " +
						"gives the route its own pool `" + routing.ExtraPoolPrefix + "<name>` with the same members."},
			}}},
		"fallback_to_main": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Send a request to the main process when every member of its pool is down, instead of " +
				"answering 502/503 (like the ESS Helm chart's HAProxy): nginx retries 502s of its own on the main process, " +
				"HAProxy has the main process as a `backup` server (after its health checks mark the members down, 3 x 2 s), " +
				"Caddy answers from the main process once its passive health check marks the members down (the request that " +
				"finds them down still gets 502 if it carries a body, which Caddy cannot replay), Apache keeps the main process " +
				"in each balancer as `lbset=1`. Only for endpoints the main process can serve: most worker endpoints it can, " +
				"stream writer endpoints it cannot while it is not a writer. Defaults to `false`."},
		"client_max_body_size": schema.StringAttribute{Optional: true,
			MarkdownDescription: "The largest request body the proxy passes on, in Synapse's size syntax: bytes, or a number " +
				"followed by `K` or `M` (powers of 1024), e.g. `\"100M\"`; larger bodies get 413 from the proxy. At least " +
				"`max_upload_size`, at most `2047M` (the most Apache takes). Defaults to `max_upload_size`, else `\"" + upload + "\"` " +
				"(Synapse's default `max_upload_size`)."},
		"max_upload_size": schema.StringAttribute{Optional: true,
			MarkdownDescription: "The `max_upload_size` of the homeserver's configuration (`homeserver_yaml` of " +
				"`synapse_shared_config`), in Synapse's size syntax, e.g. `\"100M\"`. A `client_max_body_size` below it is an " +
				"error: the proxy would refuse uploads Synapse accepts. Defaults to none (Synapse's own default, `\"" + upload + "\"`)."},
	}
}

// extraRoutes reads `extra_routes`; ok is false while a value is unknown. Patterns outside
// what every proxy's configuration can quote are reported here, on the pattern.
func (m routingTableModel) extraRoutes(ctx context.Context, diags *diag.Diagnostics) ([]routing.ExtraRoute, bool) {
	if m.ExtraRoutes.IsUnknown() {
		return nil, false
	}
	if m.ExtraRoutes.IsNull() {
		return nil, true
	}
	var models map[string]extraRouteModel
	diags.Append(m.ExtraRoutes.ElementsAs(ctx, &models, true)...)
	if diags.HasError() {
		return nil, true
	}
	var out []routing.ExtraRoute
	ok := true
	for _, name := range sortedStringKeys(models) {
		em := models[name]
		if em.Pattern.IsUnknown() || em.Methods.IsUnknown() || hasUnknownElement(em.Methods) || em.Order.IsUnknown() ||
			em.Pool.IsUnknown() || em.Role.IsUnknown() || em.Worker.IsUnknown() || em.Strategy.IsUnknown() {
			ok = false
			continue
		}
		e := routing.ExtraRoute{
			Name: name, Order: em.Order.ValueInt64(), Pattern: em.Pattern.ValueString(), Methods: stringsOf(ctx, em.Methods, diags),
			Pool: em.Pool.ValueString(), Role: em.Role.ValueString(), Worker: em.Worker.ValueString(), Strategy: routing.Strategy(em.Strategy.ValueString()),
		}
		if err := routing.PortableRegex(e.Pattern); err == nil {
			// PortableRegex (checked with the rest by AddExtraRoutes) allows what some proxy
			// file cannot carry unquoted; say so on the pattern, not at render time.
			if err := proxy.ValidatePattern(e.Pattern); err != nil {
				diags.AddAttributeError(path.Root("extra_routes").AtMapKey(name).AtName("pattern"), "Invalid Extra Route Pattern",
					fmt.Sprintf("extra_routes[%q].pattern: %s. Use a character class or an escaped character instead.", name, err))
			}
		}
		out = append(out, e)
	}
	return out, ok
}

// defaultBodyLimit sets the proxies' body limit, when neither client_max_body_size nor
// max_upload_size set it, to Synapse's own default max_upload_size (a catalogue fact).
func defaultBodyLimit(c *catalog.Catalog, o *proxy.Options, diags *diag.Diagnostics) bool {
	if o.MaxBodyBytes != 0 {
		return true
	}
	n, err := fleet.ParseSize(c.DefaultMaxUploadSize)
	if err != nil {
		diags.AddError("Invalid Catalogue Default", fmt.Sprintf("The catalogue's default max_upload_size for Synapse %s does not parse: %s. This is a provider bug, please report it.", c.Version, err))
		return false
	}
	o.MaxBodyBytes = n
	return true
}

// proxyOptions reads `fallback_to_main`, `client_max_body_size` and `max_upload_size` into
// o; ok is false while a value is unknown.
func (m routingTableModel) proxyOptions(o *proxy.Options, diags *diag.Diagnostics) bool {
	if m.FallbackToMain.IsUnknown() || m.ClientMaxBodySize.IsUnknown() || m.MaxUploadSize.IsUnknown() {
		return false
	}
	o.FallbackToMain = m.FallbackToMain.ValueBool()
	size := func(attr string, v types.String) (int64, bool) {
		if v.IsNull() {
			return 0, false
		}
		n, err := fleet.ParseSize(v.ValueString())
		if err != nil {
			diags.AddAttributeError(path.Root(attr), "Invalid Size", fmt.Sprintf("%s: %s.", attr, err))
			return 0, false
		}
		return n, true
	}
	upload, uploadSet := size("max_upload_size", m.MaxUploadSize)
	limit, limitSet := size("client_max_body_size", m.ClientMaxBodySize)
	maxSize := fleet.FormatSize(proxy.MaxMaxBodyBytes &^ (1<<20 - 1))
	switch {
	case limitSet && limit > proxy.MaxMaxBodyBytes:
		diags.AddAttributeError(path.Root("client_max_body_size"), "Invalid Size",
			fmt.Sprintf("client_max_body_size is %q (%d bytes), more than Apache's LimitRequestBody can express (%d bytes); use at most %q.",
				m.ClientMaxBodySize.ValueString(), limit, int64(proxy.MaxMaxBodyBytes), maxSize))
	case limitSet && uploadSet && limit < upload:
		diags.AddAttributeError(path.Root("client_max_body_size"), "Body Size Below Upload Size",
			fmt.Sprintf("client_max_body_size is %q (%d bytes), below max_upload_size %q (%d bytes): the proxy would answer 413 to "+
				"uploads Synapse accepts. Raise client_max_body_size to at least %q, or leave it unset to follow max_upload_size.",
				m.ClientMaxBodySize.ValueString(), limit, m.MaxUploadSize.ValueString(), upload, m.MaxUploadSize.ValueString()))
	case limitSet:
		o.MaxBodyBytes = limit
	case uploadSet && upload > proxy.MaxMaxBodyBytes:
		diags.AddAttributeError(path.Root("max_upload_size"), "Upload Size Beyond Proxy Limit",
			fmt.Sprintf("max_upload_size is %q (%d bytes), more than a proxy body limit can be (%d bytes, Apache's LimitRequestBody): "+
				"uploads that large cannot pass the proxy. Lower max_upload_size to at most %q.",
				m.MaxUploadSize.ValueString(), upload, int64(proxy.MaxMaxBodyBytes), maxSize))
	case uploadSet:
		o.MaxBodyBytes = upload
	}
	return true
}

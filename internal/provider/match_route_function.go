package provider

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/routing"
)

var _ function.Function = (*matchRouteFunction)(nil)

// NewMatchRouteFunction is the match_route function factory.
func NewMatchRouteFunction() function.Function { return &matchRouteFunction{} }

type matchRouteFunction struct{}

var matchResultAttrTypes = map[string]attr.Type{
	"pool":     types.StringType,
	"key":      types.StringType,
	"route":    types.Int64Type,
	"strategy": types.StringType,
}

func (f *matchRouteFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "match_route"
}

func (f *matchRouteFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Where a request goes in a synapse_routing_table.",
		MarkdownDescription: "Applies the reference semantics every rendered proxy configuration follows to one request: " +
			"the first route (by `order`) whose pattern matches the %-decoded path, whose methods include the method (exactly; `HEAD` is " +
			"listed where meant) and whose query condition holds; else pool `main`. Returns the pool, the route's `order` " +
			"(`-1` for the fallback), the pool's strategy and the member-selection key: for `user`, the access token of " +
			"`Authorization: Bearer <token>` (else the `" + routing.AccessTokenParam + "` query parameter), reduced to its " +
			"localpart part for `syt_` tokens; for `room`, the room ID or alias in the path; for `source_ip`, the first " +
			"address of the `" + routing.ForwardedForHeader + "` header; empty otherwise (an empty key means the proxy picks " +
			"round robin). It takes no `synapse_version`: the routes already hold what the table's release decided, so the " +
			"same function serves tables of every release.",
		Parameters: []function.Parameter{
			function.MapParameter{Name: "routes", ElementType: types.ObjectType{AttrTypes: routeAttrTypes},
				MarkdownDescription: "The `routes` attribute of a `synapse_routing_table` (a map keyed by route identity; each route's `order` says where it stands in the first-match order)."},
			function.StringParameter{Name: "method", MarkdownDescription: "The HTTP method, e.g. `GET`."},
			function.StringParameter{Name: "path",
				MarkdownDescription: "The request target as sent: a %-encoded path, optionally followed by `?` and the query string."},
			function.MapParameter{Name: "headers", ElementType: types.StringType, AllowNullValue: true,
				MarkdownDescription: "Request headers (names case-insensitive), e.g. `{ Authorization = \"Bearer syt_...\" }`; may be null."},
		},
		Return: function.ObjectReturn{AttributeTypes: matchResultAttrTypes},
	}
}

func (f *matchRouteFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var (
		routes  map[string]routeModel
		method  string
		target  string
		headers map[string]string
	)
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &routes, &method, &target, &headers))
	if resp.Error != nil {
		return
	}
	t, err := tableFromRoutes(routes)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	r, err := requestFrom(method, target, headers)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(2, err.Error())
		return
	}
	res := routing.Match(t, r)
	out, diags := types.ObjectValue(matchResultAttrTypes, map[string]attr.Value{
		"pool": types.StringValue(res.Pool), "key": types.StringValue(res.Key),
		"route": types.Int64Value(int64(res.Route)), "strategy": types.StringValue(string(res.Strategy)),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Error, resp.Result.Set(ctx, out))
}

// routeModel is one element of a `routes` value.
type routeModel struct {
	Order        types.Int64  `tfsdk:"order"`
	Pattern      types.String `tfsdk:"pattern"`
	Methods      []string     `tfsdk:"methods"`
	QueryParam   types.String `tfsdk:"query_param"`
	QueryPresent types.Bool   `tfsdk:"query_present"`
	Pool         types.String `tfsdk:"pool"`
	Group        types.String `tfsdk:"group"`
	Strategy     types.String `tfsdk:"strategy"`
}

// tableFromRoutes rebuilds a routing table from `routes`, in `order`: the pools' strategies ride
// on the routes; the main pool (the fallback) has strategy single. The orders must be 0..n-1,
// each once, as synapse_routing_table writes them.
func tableFromRoutes(routes map[string]routeModel) (routing.Table, error) {
	t := routing.Table{Pools: []routing.Pool{{Name: routing.MainPool, Strategy: routing.Single}}}
	keys := make([]string, len(routes))
	for k, rm := range routes {
		o := rm.Order.ValueInt64()
		if rm.Order.IsNull() || o < 0 || o >= int64(len(routes)) || keys[o] != "" {
			return t, fmt.Errorf("routes[%q].order is %s; the orders of %d routes must be 0 to %d, each once: pass the routes attribute of a synapse_routing_table",
				k, rm.Order.String(), len(routes), len(routes)-1)
		}
		keys[o] = k
	}
	seen := map[string]routing.Strategy{routing.MainPool: routing.Single}
	for _, k := range keys {
		rm := routes[k]
		rt := routing.Route{Pattern: rm.Pattern.ValueString(), Methods: rm.Methods, Pool: rm.Pool.ValueString(), Group: rm.Group.ValueString()}
		if rt.Pool == "" {
			return t, fmt.Errorf("routes[%q].pool is empty; pass the routes attribute of a synapse_routing_table", k)
		}
		if !rm.QueryParam.IsNull() && rm.QueryParam.ValueString() != "" {
			rt.Query = &routing.QueryCondition{Param: rm.QueryParam.ValueString(), Present: rm.QueryPresent.ValueBool()}
		}
		s := routing.Strategy(rm.Strategy.ValueString())
		if s == "" {
			s = routing.RoundRobin
		}
		if !routing.IsStrategy(s) {
			return t, fmt.Errorf("routes[%q].strategy is %q; use one of: %s", k, s, strings.Join(strategyNames(), ", "))
		}
		if prev, ok := seen[rt.Pool]; ok && prev != s && rt.Pool != routing.MainPool {
			return t, fmt.Errorf("routes[%q] gives pool %q strategy %q, an earlier route %q; one pool has one strategy", k, rt.Pool, s, prev)
		}
		if _, ok := seen[rt.Pool]; !ok {
			seen[rt.Pool] = s
			t.Pools = append(t.Pools, routing.Pool{Name: rt.Pool, Strategy: s})
		}
		t.Routes = append(t.Routes, rt)
	}
	return t, nil
}

// requestFrom splits the request target into the decoded path and the raw query, and takes
// the client address from the first entry of X-Forwarded-For.
func requestFrom(method, target string, headers map[string]string) (routing.Request, error) {
	rawPath, rawQuery, _ := strings.Cut(target, "?")
	p, err := url.PathUnescape(rawPath)
	if err != nil {
		return routing.Request{}, fmt.Errorf("path %q is not validly %%-encoded: %v", rawPath, err)
	}
	r := routing.Request{Method: method, Path: p, RawQuery: rawQuery, Headers: headers}
	for k, v := range headers {
		if strings.EqualFold(k, routing.ForwardedForHeader) {
			first, _, _ := strings.Cut(v, ",")
			r.SourceIP = strings.TrimSpace(first)
		}
	}
	return r, nil
}

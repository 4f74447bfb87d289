package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
	"github.com/synapse-fleet/terraform-provider-synapse/internal/fleet"
)

// withCatalog gives a resource its Synapse release: the resource's own `synapse_version` when
// set, else the provider's. Embed it to get Configure.
//
// Which check carries the version rule (issue 12 item 14): ValidateConfig runs twice, once in
// `terraform validate` (the provider is not configured, so a resource without its own
// synapse_version cannot know the release) and again during plan (configured). When the release
// is known, ValidateConfig checks against that catalogue. When it is not, it reports only the
// problems every supported catalogue reports word for word (fleet.CommonProblems): those hold
// whatever the release turns out to be, and nothing valid in the chosen release is refused.
// The plan-time checks (ValidateConfig again, then ModifyPlan) always use the effective release
// and carry the whole rule.
type withCatalog struct {
	// data is nil until the provider is configured (`terraform validate` never configures it).
	data *providerData
}

func (w *withCatalog) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	if d, ok := req.ProviderData.(*providerData); ok && d != nil {
		w.data = d
	}
}

// providerVersion is the provider's synapse_version as written, or the newest release the
// catalogue knows when it is unset (or before Configure).
func (w *withCatalog) providerVersion() string {
	if w.data != nil && w.data.Version != "" {
		return w.data.Version
	}
	return catalog.Latest()
}

// effectiveVersion is the resource's synapse_version when set in the configuration, else the
// provider's; unknown while the configured value is unknown.
func (w *withCatalog) effectiveVersion(configured types.String) types.String {
	if configured.IsUnknown() {
		return types.StringUnknown()
	}
	if configured.IsNull() {
		return types.StringValue(w.providerVersion())
	}
	return configured
}

// catalogOf is the catalogue of a known effective version; an unsupported one is an error on
// synapse_version (the provider's own setting is checked by the provider).
func (w *withCatalog) catalogOf(version types.String, diags *diag.Diagnostics) *catalog.Catalog {
	c, err := catalog.For(version.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("synapse_version"), "Unsupported Synapse Version",
			fmt.Sprintf("synapse_version is %q: %s. Set one of them, or leave synapse_version unset to use the provider's.", version.ValueString(), err))
		return nil
	}
	return c
}

// validationCatalogs are the catalogues ValidateConfig checks against: the one release when it
// is known (set on the resource, or the provider is configured), else every supported release
// (see withCatalog). nil when the resource's own value is unsupported (reported) or unknown.
func (w *withCatalog) validationCatalogs(configured types.String, diags *diag.Diagnostics) []*catalog.Catalog {
	switch {
	case configured.IsUnknown():
		return allCatalogs()
	case !configured.IsNull():
		if c := w.catalogOf(configured, diags); c != nil {
			return []*catalog.Catalog{c}
		}
		return nil
	case w.data != nil:
		c, err := catalog.For(w.providerVersion())
		if err != nil {
			return nil // reported on the provider's synapse_version
		}
		return []*catalog.Catalog{c}
	default:
		return allCatalogs()
	}
}

// allCatalogs is every supported release, newest first.
func allCatalogs() []*catalog.Catalog {
	vs := catalog.Versions()
	out := make([]*catalog.Catalog, 0, len(vs))
	for i := len(vs) - 1; i >= 0; i-- {
		out = append(out, catalog.MustFor(vs[i]))
	}
	return out
}

// problemsFor runs check against each catalogue and keeps what holds in all of them; no
// catalogue (an unsupported synapse_version, reported already) checks nothing.
func problemsFor(cats []*catalog.Catalog, check func(*catalog.Catalog) fleet.Problems) fleet.Problems {
	if len(cats) == 0 {
		return nil
	}
	sets := make([]fleet.Problems, len(cats))
	for i, c := range cats {
		sets[i] = check(c)
	}
	return fleet.CommonProblems(fmt.Sprintf("(synapse_version is not known yet, as in `terraform validate`: this holds in "+
		"every supported release; the values named are those of Synapse %s, the newest.)", cats[0].Version), sets...)
}

// synapseVersionAttribute is the per-resource `synapse_version` of every resource that depends
// on the release.
func synapseVersionAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Computed: true,
		MarkdownDescription: fmt.Sprintf("The Synapse release %s is validated and rendered for (minor version, e.g. `%s`; a "+
			"patch level such as `%s.1` is accepted). Supported: %s. Overrides the provider's `synapse_version`; unset, it "+
			"takes the provider's, and the computed value shows the effective release. Every resource of one fleet must be "+
			"on the same release: passing workers or stream writers of another release to `synapse_shared_config` or "+
			"`synapse_routing_table` is a plan error naming both.",
			what, catalog.Latest(), catalog.Latest(), supportedReleases())}
}

// supportedReleases names the releases the catalogue holds, for descriptions.
func supportedReleases() string {
	return "every minor release from `" + catalog.Versions()[0] + "` to `" + catalog.Latest() + "`"
}

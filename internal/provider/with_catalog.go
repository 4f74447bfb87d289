package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// withCatalog gives a resource the catalogue of the provider's synapse_version: embed it to
// get Configure, and call cat() for the catalogue.
type withCatalog struct {
	catalog *catalog.Catalog
}

func (w *withCatalog) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	w.catalog = catalogFrom(req.ProviderData)
}

// cat is the configured catalogue; before Configure (validation) it is the newest one.
func (w *withCatalog) cat() *catalog.Catalog {
	if w.catalog == nil {
		return catalogFrom(nil)
	}
	return w.catalog
}

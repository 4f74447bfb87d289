package provider

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// testProviders serves the provider in-process to the local terraform binary.
var testProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"synapse": providerserver.NewProtocol6WithError(New("test")()),
}

func TestMain(m *testing.M) {
	// Never reach out for Terraform versions or checkpoints: the machine is offline.
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")
	os.Exit(m.Run())
}

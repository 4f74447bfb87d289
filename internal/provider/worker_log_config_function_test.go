package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"gopkg.in/yaml.v3"
)

func TestWorkerLogConfigFunction(t *testing.T) {
	logConfig := func(name, level string) knownvalue.Check {
		return knownvalue.StringFunc(func(v string) error {
			var lc struct {
				Formatters struct{ Precise struct{ Format string } }
				Root       struct{ Level string }
			}
			if err := yaml.Unmarshal([]byte(v), &lc); err != nil {
				return err
			}
			if lc.Root.Level != level {
				return fmt.Errorf("root level %q, want %q", lc.Root.Level, level)
			}
			if want := "%(asctime)s - " + name + " - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s"; lc.Formatters.Precise.Format != want {
				return fmt.Errorf("format %q, want %q", lc.Formatters.Precise.Format, want)
			}
			return nil
		})
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testProviders,
		Steps: []resource.TestStep{
			{
				Config:      `output "x" { value = provider::synapse::worker_log_config("main", "INFO") }`,
				ExpectError: expectErr("Invalid function argument", "main"),
			},
			{
				Config:      `output "x" { value = provider::synapse::worker_log_config("sync1", "verbose") }`,
				ExpectError: expectErr("Invalid function argument", "verbose"),
			},
			{
				// The same text for a worker as its log_config_path expects, at its log_level.
				Config: `
resource "synapse_worker" "w" {
  name      = "sync1"
  roles     = ["synchrotron"]
  host      = "10.0.0.5"
  http_port = 8083
  log_level = "DEBUG"
}
output "log_config" {
  value = provider::synapse::worker_log_config(synapse_worker.w.name, synapse_worker.w.log_level)
}
output "plain" {
  value = provider::synapse::worker_log_config("fed1", "WARNING")
}
# A worker that leaves log_level unset has a null log_level: the function takes it as INFO.
resource "synapse_worker" "d" {
  name      = "sync2"
  roles     = ["synchrotron"]
  host      = "10.0.0.5"
  http_port = 8084
}
output "default_level" {
  value = provider::synapse::worker_log_config(synapse_worker.d.name, synapse_worker.d.log_level)
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("log_config", logConfig("sync1", "DEBUG")),
					statecheck.ExpectKnownOutputValue("plain", logConfig("fed1", "WARNING")),
					statecheck.ExpectKnownValue("synapse_worker.d", tfjsonpath.New("log_level"), knownvalue.Null()),
					statecheck.ExpectKnownOutputValue("default_level", logConfig("sync2", "INFO")),
				},
			},
			{Config: `output "x" { value = 1 }`},
		},
	})
}

package provider

// An end-to-end proof that an inline replication secret leaks nowhere but the sensitive
// secret_config_yaml, and that with replication_secret_path no secret reaches Terraform at
// all. It builds the provider binary and drives the real terraform CLI (plan, apply, output,
// show) through a dev_overrides CLI config, with TF_LOG=trace written to a file.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type tfRunner struct {
	t   *testing.T
	dir string
	env []string
}

func newTFRunner(t *testing.T, bin, dir, logPath string) *tfRunner {
	t.Helper()
	cli := filepath.Join(dir, "dev.tfrc")
	writeFile(t, cli, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/synapse-fleet/synapse" = %q
  }
  direct {}
}
`, bin))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") {
			env = append(env, kv)
		}
	}
	env = append(env, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0",
		"TF_CLI_CONFIG_FILE="+cli, "TF_LOG=trace", "TF_LOG_PATH="+logPath)
	return &tfRunner{t: t, dir: dir, env: env}
}

// run runs terraform and returns stdout and stderr together; it fails the test on error.
func (r *tfRunner) run(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("terraform", args...)
	cmd.Dir = r.dir
	cmd.Env = r.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func buildProvider(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("terraform"); err != nil {
		t.Fatalf("terraform must be on PATH for this test: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "bin")
	cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-synapse"), "github.com/synapse-fleet/terraform-provider-synapse")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	return bin
}

const secretTestConfig = `
terraform {
  required_providers {
    synapse = { source = "synapse-fleet/synapse" }
  }
}

resource "synapse_shared_config" "this" {
  main           = { host = "10.0.0.1", replication_port = 9093, http_port = 8008, bind_addresses = ["10.0.0.1"] }
  workers        = { persister1 = { host = "10.0.0.2", instance_map_entry = { host = "10.0.0.2", port = 9101 }, replication_bind_addresses = ["10.0.0.2"] } }
  stream_writers = { events = { writers = ["persister1"] } }
  redis          = { host = "10.0.0.3" }
  outbound_federation_restricted_to = ["persister1"]
  %s
}

output "config_yaml" {
  value = synapse_shared_config.this.config_yaml
}

output "merged_yaml" {
  value = synapse_shared_config.this.merged_yaml
}

output "instance_map" {
  value = synapse_shared_config.this.instance_map
}
`

func TestSharedConfigSecretNeverLeaks(t *testing.T) {
	bin := buildProvider(t)

	t.Run("inline replication_secret", func(t *testing.T) {
		marker := fmt.Sprintf("inline-secret-%d-marker", time.Now().UnixNano())
		dir := t.TempDir()
		logPath := filepath.Join(dir, "terraform.log")
		writeFile(t, filepath.Join(dir, "main.tf"), fmt.Sprintf(secretTestConfig, fmt.Sprintf("replication_secret = %q", marker)))
		tf := newTFRunner(t, bin, dir, logPath)

		outputs := map[string]string{
			"plan":         tf.run("plan", "-no-color"),
			"apply":        tf.run("apply", "-auto-approve", "-no-color"),
			"output":       tf.run("output", "-no-color"),
			"output -json": tf.run("output", "-json"),
		}
		logBytes, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		// Positive controls: the log really is at trace level and the plan rendered the YAML.
		if !strings.Contains(string(logBytes), "[TRACE]") || !strings.Contains(outputs["plan"], "instance_map:") {
			t.Fatalf("the trace log or the plan is not what this test expects to search")
		}
		outputs["TF_LOG=trace log"] = string(logBytes)
		for what, text := range outputs {
			if strings.Contains(text, marker) {
				t.Errorf("the inline secret appears in %s", what)
			}
		}

		show := tf.run("show", "-json")
		var doc struct {
			Values struct {
				RootModule struct {
					Resources []struct {
						Address         string                     `json:"address"`
						Values          map[string]json.RawMessage `json:"values"`
						SensitiveValues map[string]json.RawMessage `json:"sensitive_values"`
					} `json:"resources"`
				} `json:"root_module"`
			} `json:"values"`
		}
		if err := json.Unmarshal([]byte(show), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Values.RootModule.Resources) != 1 {
			t.Fatalf("show -json has %d resources, want 1", len(doc.Values.RootModule.Resources))
		}
		res := doc.Values.RootModule.Resources[0]
		allowed := map[string]bool{"replication_secret": true, "secret_config_yaml": true}
		for attr, raw := range res.Values {
			if allowed[attr] {
				if string(res.SensitiveValues[attr]) != "true" {
					t.Errorf("%s holds the secret but is not marked sensitive (sensitive_values: %s)", attr, res.SensitiveValues[attr])
				}
				continue
			}
			if strings.Contains(string(raw), marker) {
				t.Errorf("non-sensitive attribute %s holds the inline secret", attr)
			}
		}
		// Positive control: the secret is where it belongs.
		var secretYAML string
		if err := json.Unmarshal(res.Values["secret_config_yaml"], &secretYAML); err != nil || secretYAML != "worker_replication_secret: "+marker+"\n" {
			t.Errorf("secret_config_yaml = %q (%v), want the one-key secret file", secretYAML, err)
		}
	})

	t.Run("replication_secret_path", func(t *testing.T) {
		marker := fmt.Sprintf("file-secret-%d-marker", time.Now().UnixNano())
		dir := t.TempDir()
		secretFile := filepath.Join(dir, "replication.secret")
		writeFile(t, secretFile, marker+"\n")
		logPath := filepath.Join(dir, "terraform.log")
		writeFile(t, filepath.Join(dir, "main.tf"), fmt.Sprintf(secretTestConfig, fmt.Sprintf("replication_secret_path = %q", secretFile)))
		tf := newTFRunner(t, bin, dir, logPath)

		texts := map[string]string{
			"plan":   tf.run("plan", "-no-color"),
			"apply":  tf.run("apply", "-auto-approve", "-no-color"),
			"output": tf.run("output", "-json"),
			"show":   tf.run("show", "-json"),
		}
		state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
		if err != nil {
			t.Fatal(err)
		}
		logBytes, err := os.ReadFile(logPath)
		if err != nil {
			t.Fatal(err)
		}
		texts["terraform.tfstate"] = string(state)
		texts["TF_LOG=trace log"] = string(logBytes)
		// Positive control: the state holds the path, so we are reading the right file.
		if !strings.Contains(string(state), "worker_replication_secret_path: "+secretFile) {
			t.Fatalf("terraform.tfstate does not hold the rendered secret path; the test reads the wrong file")
		}
		for what, text := range texts {
			if strings.Contains(text, marker) {
				t.Errorf("the secret file's content appears in %s", what)
			}
		}
		if strings.Contains(string(state), `"secret_config_yaml": "worker`) {
			t.Errorf("secret_config_yaml must be empty with replication_secret_path")
		}
	})
}

package provider

// An operator's day 2 on a live fleet, with the real terraform CLI and modules/fleet: a 3-host
// fleet rendering nginx, with inline secrets in homeserver_yaml passed through sensitive(),
// handed to a for_each over files_by_host (as the deploy modules do). Each step plans, applies
// and plans again: the first plan has no restart warning, a coordinated change says so once,
// every second plan is empty, and no secret marker appears in any plan, apply, output, or the
// TF_LOG=trace log.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const day2Config = `
terraform {
  required_providers {
    synapse = { source = "synapse-fleet/synapse" }
  }
}

module "fleet" {
  source = %q
  hosts = { hs1 = "10.0.0.1", hs2 = "10.0.0.2", hs3 = "10.0.0.3" }
  main  = { host = "hs1", http_port = 8008, replication_port = 9093 }
  redis = { host = "hs1" }
  preset = "small"
  synapse_version = %q
  workers = %s
  replication_secret_path = "/etc/matrix-synapse/replication.secret"
  proxy = { kind = "nginx", host = "hs1", listen = { port = 80 } }
  homeserver_yaml = sensitive(<<-EOT
    server_name: example.org
    report_stats: false
    signing_key_path: /etc/matrix-synapse/example.org.signing.key
    log_config: /etc/matrix-synapse/log.yaml
    listeners:
      - {port: 8008, type: http, x_forwarded: true, resources: [{names: [client, federation]}]}
    macaroon_secret_key: %s-macaroon
    registration_shared_secret: %s-registration
    form_secret: %s-form
    database:
      name: psycopg2
      args:
        user: synapse
        password: %s-database
        host: 10.0.0.9
    max_upload_size: 100M
    email:
      smtp_host: mail.example.org
      smtp_pass: %s-smtp
  EOT
  )
}

# The deploy modules' hand-off: one resource per file. (Its input is the digest: Terraform core
# writes terraform_data's own state, a dynamic value, into the trace log when it upgrades it.)
resource "terraform_data" "file" {
  for_each = merge([for h, files in module.fleet.files_by_host : { for p, c in files : "${h}:${p}" => c }]...)
  input    = sha256(each.value)
}

output "rollout" {
  value = module.fleet.rollout
}

output "instance_map" {
  value = module.fleet.instance_map
}

# The proxy's body limit follows max_upload_size, read from the sensitive homeserver_yaml.
output "body_limit_100m" {
  value = strcontains(module.fleet.proxy_files[module.fleet.proxy.config_path], "client_max_body_size 100M;")
}

output "paths" {
  value = { for h, files in module.fleet.files_by_host : h => keys(files) }
}
`

func TestDay2FleetModule(t *testing.T) {
	bin := buildProvider(t)
	_, self, _, _ := runtime.Caller(0)
	module := filepath.Join(filepath.Dir(self), "..", "..", "modules", "fleet")
	marker := fmt.Sprintf("MARKER%d", time.Now().UnixNano())
	dir := t.TempDir()
	logPath := filepath.Join(dir, "terraform.log")
	tf := newTFRunner(t, bin, dir, logPath)
	texts := map[string]string{}
	// The fleet runs 1.146 until the last step upgrades it to 1.157.
	version := "1.146"
	write := func(workers string) {
		writeFile(t, filepath.Join(dir, "main.tf"), fmt.Sprintf(day2Config, module, version, workers, marker, marker, marker, marker, marker))
	}
	var rollout struct {
		Level   string `json:"level"`
		Summary string `json:"summary"`
		Changes []struct {
			Rule string `json:"rule"`
		} `json:"changes"`
		Upgrade []string `json:"upgrade"`
	}
	step := func(name, workers string, wantCoordinated bool, wantRules ...string) {
		t.Helper()
		write(workers)
		plan := tf.run("plan", "-no-color", "-out=tfplan")
		texts[name+" plan"] = plan
		upgrading := strings.Contains(plan, "What the new release changes in this fleet:")
		if upgrading != strings.HasPrefix(name, "upgrade") {
			t.Errorf("%s: the plan says what the new release changes: %v, want %v:\n%s", name, upgrading, !upgrading, plan)
		}
		if n := strings.Count(plan, "Coordinated Restart Needed"); (n == 1) != wantCoordinated || n > 1 {
			t.Errorf("%s: %d coordinated restart warnings, want %v:\n%s", name, n, wantCoordinated, plan)
		}
		if strings.Count(plan, "Warning:")-strings.Count(plan, "Warning: Provider development overrides") > 1 {
			t.Errorf("%s: more than one warning in the plan:\n%s", name, plan)
		}
		texts[name+" apply"] = tf.run("apply", "-no-color", "tfplan")
		again := tf.run("plan", "-no-color", "-detailed-exitcode")
		texts[name+" second plan"] = again
		if !strings.Contains(again, "No changes.") {
			t.Errorf("%s: the second plan is not empty:\n%s", name, again)
		}
		out := tf.run("output", "-json", "rollout")
		texts[name+" output"] = out
		if err := json.Unmarshal([]byte(out), &rollout); err != nil {
			t.Fatalf("%s: rollout output: %v\n%s", name, err, out)
		}
		for _, r := range wantRules {
			found := false
			for _, c := range rollout.Changes {
				found = found || c.Rule == r
			}
			if !found {
				t.Errorf("%s: rollout has no %s change: %s", name, r, rollout.Summary)
			}
		}
	}

	write("{}")
	tf.run("get", "-no-color")
	step("create", "{}", false)
	if rollout.Level != "none" {
		t.Errorf("first deployment: rollout level %q, want none", rollout.Level)
	}
	if got := strings.TrimSpace(tf.run("output", "-raw", "body_limit_100m")); got != "true" {
		t.Errorf("the nginx configuration does not take homeserver_yaml's max_upload_size 100M as its body limit (%s)", got)
	}
	paths := tf.run("output", "-json", "paths")
	if !strings.Contains(paths, "/etc/matrix-synapse/homeserver-secrets.yaml") {
		t.Errorf("files_by_host has no secret config file: %s", paths)
	}
	step("grow federation senders", `{ sender = { count = 2 } }`, true, "federation_senders_changed")
	step("remove the persister pool", `{ sender = { count = 2 }, persister = { count = 0 } }`, true, "events_writers_changed")
	if len(rollout.Upgrade) != 0 {
		t.Errorf("no release change, yet rollout.upgrade is %q", rollout.Upgrade)
	}
	// An upgrade is a coordinated change whose one warning, and rollout.upgrade, say what moves:
	// 1.152 adds quarantined_media_changes, which the media worker writes beside main, so the
	// quarantine admin API moves from the media pool to the stream's writers, and room_summary
	// (1.156) moves from main to the client readers.
	version = "1.157"
	step("upgrade to 1.157", `{ sender = { count = 2 }, persister = { count = 0 } }`, true, "synapse_upgrade")
	for _, want := range []string{
		"route ^/_synapse/admin/v1/quarantine_media/.*$: media_repository -> quarantined_media_changes_writers [media-1]",
		"streams added: quarantined_media_changes",
		"upgrade note \"Workers which quarantine media must be stream writers\"",
	} {
		found := false
		for _, l := range rollout.Upgrade {
			found = found || strings.Contains(l, want)
		}
		if !found {
			t.Errorf("upgrade to 1.157: rollout.upgrade lacks %q:\n%s", want, strings.Join(rollout.Upgrade, "\n"))
		}
	}
	if !strings.Contains(texts["upgrade to 1.157 plan"], "room_summary") {
		t.Errorf("upgrade to 1.157: the warning does not name the room_summary route:\n%s", texts["upgrade to 1.157 plan"])
	}

	logBytes, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logBytes), "[TRACE]") {
		t.Fatal("the log is not at trace level; the test would search the wrong thing")
	}
	texts["TF_LOG=trace log"] = string(logBytes)
	texts["output -json"] = tf.run("output", "-json")
	for what, text := range texts {
		if strings.Contains(text, marker) {
			t.Errorf("a secret marker appears in %s", what)
			for _, line := range strings.Split(text, "\n") {
				if i := strings.Index(line, marker); i >= 0 {
					t.Logf("  ...%s", line[max(0, i-300):min(len(line), i+100)])
					break
				}
			}
		}
	}
	// Positive control: the secrets are in the state, in the sensitive secret file only.
	state, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(state), marker+"-database") {
		t.Fatal("the state holds no secret marker: the test does not render what it searches for")
	}
}

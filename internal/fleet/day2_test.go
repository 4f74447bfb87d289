package fleet

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// marker secrets: none of them may appear outside SecretConfigYAML.
const inlineSecrets = `server_name: example.org
report_stats: false
signing_key_path: /etc/matrix-synapse/example.org.signing.key
macaroon_secret_key: MARKER-MACAROON
registration_shared_secret: MARKER-REGISTRATION
form_secret: MARKER-FORM
database:
  name: psycopg2
  args:
    user: synapse
    password: MARKER-DB
    host: db.example.org
email:
  smtp_host: mail.example.org
  smtp_pass: MARKER-SMTP
oidc_providers:
  - idp_id: google
    client_id: abc
    client_secret: MARKER-OIDC
redis:
  enabled: true
  password: MARKER-REDIS
turn_shared_secret: ""
# keep this comment
max_upload_size: 50M
`

func TestInlineSecretsMoveToTheSecretFile(t *testing.T) {
	cfg := fullFleet()
	cfg.HomeserverYAML = inlineSecrets
	cfg.ReplicationSecretPath = ""
	cfg.ReplicationSecret = "MARKER-REPLICATION"
	out, err := RenderShared(latest, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{out.ConfigYAML, out.MergedYAML} {
		if strings.Contains(f, "MARKER") {
			t.Fatalf("a secret is in a non-sensitive file:\n%s", f)
		}
	}
	for _, m := range []string{"MARKER-MACAROON", "MARKER-REGISTRATION", "MARKER-FORM", "MARKER-DB", "MARKER-SMTP", "MARKER-OIDC", "MARKER-REPLICATION"} {
		if !strings.Contains(out.SecretConfigYAML, m) {
			t.Errorf("%s is not in the secret file:\n%s", m, out.SecretConfigYAML)
		}
	}
	// redis is the fleet's own section: the inline password is replaced, not moved.
	if strings.Contains(out.SecretConfigYAML, "MARKER-REDIS") {
		t.Errorf("the fleet renders redis; the inline password must be dropped:\n%s", out.SecretConfigYAML)
	}
	want := []string{"macaroon_secret_key", "registration_shared_secret", "form_secret", "database", "email", "oidc_providers", "worker_replication_secret"}
	if strings.Join(out.SecretConfigKeys, ",") != strings.Join(want, ",") {
		t.Errorf("secret keys = %v, want %v", out.SecretConfigKeys, want)
	}
	// What stays keeps its place and comments; an empty secret option is not a secret.
	for _, k := range []string{"# keep this comment", "max_upload_size: 50M", "turn_shared_secret: \"\"", "server_name: example.org"} {
		if !strings.Contains(out.MergedYAML, k) {
			t.Errorf("merged_yaml lost %q:\n%s", k, out.MergedYAML)
		}
	}
	w := InlineSecretsWarning(out.InlineSecrets)
	if w == nil || !w.Warning || strings.Contains(w.Detail, "MARKER") {
		t.Fatalf("warning: %+v", w)
	}
	for _, k := range []string{"macaroon_secret_key_path", "registration_shared_secret_path", "form_secret_path", "oidc_providers[].client_secret_path", "redis.password_path", "`database.args.password` (Synapse has no file form of it)"} {
		if !strings.Contains(w.Detail, k) {
			t.Errorf("the warning does not name %q:\n%s", k, w.Detail)
		}
	}
	// Validation messages never echo a secret either.
	for _, p := range ValidateShared(latest, cfg) {
		if strings.Contains(p.Detail, "MARKER") {
			t.Errorf("a problem echoes a secret: %s", p)
		}
	}
}

func TestNoSecretsNoSecretFile(t *testing.T) {
	cfg := fullFleet()
	cfg.HomeserverYAML = "server_name: example.org\nreport_stats: false\nsigning_key_path: /k\nlog_config: /etc/matrix-synapse/log.yaml\n"
	out, err := RenderShared(latest, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if out.SecretConfigYAML != "" || len(out.SecretConfigKeys) != 0 || InlineSecretsWarning(out.InlineSecrets) != nil {
		t.Fatalf("no secret, yet: %q %v", out.SecretConfigYAML, out.SecretConfigKeys)
	}
	if out.MainLogConfigPath != "/etc/matrix-synapse/log.yaml" || MainLogConfigPath(cfg.HomeserverYAML) != out.MainLogConfigPath {
		t.Fatalf("log config path = %q", out.MainLogConfigPath)
	}
}

func TestIdleWorkers(t *testing.T) {
	cfg := fullFleet()
	cfg.Workers = append(cfg.Workers,
		wk("bg2", "10.0.0.7", 0, 0, "background_worker"),
		wk("sso1", "10.0.0.7", 8091, 0, "sso"),
		wk("sso2", "10.0.0.8", 8091, 0, "sso"),
	)
	var idle []string
	for _, p := range ValidateShared(latest, cfg) {
		if p.Summary == "Idle Worker" {
			if !p.Warning {
				t.Errorf("an idle worker is a warning: %s", p)
			}
			idle = append(idle, p.Detail)
		}
	}
	joined := strings.Join(idle, "\n")
	if len(idle) != 2 || !strings.Contains(joined, `"bg2"`) || !strings.Contains(joined, "run_background_tasks_on") ||
		!strings.Contains(joined, `"sso2" is only a backup member`) {
		t.Fatalf("idle workers:\n%s", joined)
	}
	// Naming the duty explicitly makes the choice: the existing warning names the option then.
	cfg.Duties = map[string][]string{"run_background_tasks_on": {"bg2"}}
	for _, p := range ValidateShared(latest, cfg) {
		if p.Summary == "Idle Worker" && strings.Contains(p.Detail, "bg1") {
			t.Errorf("explicit duty still reported as idle by default: %s", p)
		}
	}
}

// FuzzSharedSecrets: whatever homeserver_yaml holds, rendering never panics, and no secret
// option keeps a value in merged_yaml (except under the fleet's own redis section, which the
// fleet replaces).
func FuzzSharedSecrets(f *testing.F) {
	f.Add(inlineSecrets)
	f.Add("macaroon_secret_key: x\n")
	f.Add("database: {args: {password: [1, 2]}}\n")
	f.Add("oidc_providers: [{client_secret: s}, null, 3]\ndatabases: {a: {args: {password: p}}}\n")
	f.Add("a: &x {password: p}\ndatabase: {args: *x}\n")
	f.Fuzz(func(t *testing.T, hs string) {
		cfg := fullFleet()
		cfg.HomeserverYAML = hs
		out, err := RenderShared(latest, cfg)
		if err != nil {
			return
		}
		var doc yaml.Node
		if yaml.Unmarshal([]byte(out.MergedYAML), &doc) != nil || len(doc.Content) != 1 {
			return
		}
		v, err := yaml11Value(doc.Content[0])
		if err != nil {
			return
		}
		merged, _ := v.(map[string]any)
		for _, s := range catalog.SecretOptions() {
			if s.TopKey() == "redis" {
				continue
			}
			if secretSet(merged, splitSecretPath(s.Path)) {
				t.Fatalf("%s keeps a value in merged_yaml:\n%s", s.Path, out.MergedYAML)
			}
		}
	})
}

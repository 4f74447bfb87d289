package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSharedConfigExamples plans the committed examples with the real terraform CLI, so they
// stay runnable: the resource example and the homeserver.yaml merge example.
func TestSharedConfigExamples(t *testing.T) {
	bin := buildProvider(t)
	for dir, wants := range map[string][]string{
		"../../examples/resources/synapse_shared_config": {"worker_replication_secret_path: /etc/matrix-synapse/replication.secret", "persister1:", "password_path: /etc/matrix-synapse/redis.password"},
		"../../examples/shared-config-merge": {
			"# Client and federation traffic, behind the reverse proxy.", // the user's comments survive
			"- names: [replication]",                                     // the replication listener is appended
			"federation_sender_instances:\n          - federation_sender1",
		},
	} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			work := t.TempDir()
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				// import-by-string-id.tf documents import from files of a real fleet, not here.
				if e.IsDir() || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "import") {
					continue
				}
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(work, e.Name()), string(b))
			}
			tf := newTFRunner(t, bin, work, filepath.Join(work, "terraform.log"))
			plan := tf.run("plan", "-no-color")
			for _, w := range wants {
				if !strings.Contains(plan, w) {
					t.Errorf("plan of %s lacks %q:\n%s", dir, w, plan)
				}
			}
		})
	}
}

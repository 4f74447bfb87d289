package fleet

// What the rollout plan (internal/rollout) compares between the prior and the planned fleet:
// the resolved stream writers and duties, the redis settings and an identity of the
// replication secret. Secrets only ever leave here as digests.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/synapse-fleet/terraform-provider-synapse/internal/catalog"
)

// Facets is the part of a fleet's shared configuration a rollout compares.
type Facets struct {
	// StreamWriters maps each assigned stream to its writers ("main" for the main process).
	StreamWriters map[string][]string
	// Duties maps each duty option to the processes doing it, defaults resolved.
	Duties map[string][]string
	// Redis is the redis settings in one line ("" without redis).
	Redis string
	// ReplicationSecret identifies the replication secret: a digest of an inline one, or its
	// path ("" without one).
	ReplicationSecret string
}

// SharedFacets resolves the facets of a shared configuration.
func SharedFacets(c *catalog.Catalog, cfg SharedConfig) Facets {
	s := newSharedView(c, cfg)
	f := Facets{StreamWriters: map[string][]string{}, Duties: map[string][]string{}}
	for _, a := range cfg.StreamWriters {
		if _, dup := f.StreamWriters[a.Stream]; dup || a.Stream == "" {
			continue
		}
		ws := make([]string, len(a.Writers))
		for i, w := range a.Writers {
			if w == c.MainInstanceName {
				w = MainWriter
			}
			ws[i] = w
		}
		f.StreamWriters[a.Stream] = ws
	}
	for _, d := range s.duties {
		f.Duties[d.option] = append([]string{}, d.targets...)
	}
	if r := cfg.Redis; r != nil {
		dbid := ""
		if r.DBID != nil {
			dbid = strconv.Itoa(*r.DBID)
		}
		f.Redis = fmt.Sprintf("host=%s port=%d path=%s dbid=%s tls=%t password_path=%s", r.Host, r.Port, r.Path, dbid, r.UseTLS, r.PasswordPath)
	} else if userRedisEnabled(s.userValue) {
		// homeserver_yaml's own redis section may hold a password: only its digest is kept.
		f.Redis = "homeserver_yaml " + Digest(fmt.Sprintf("%v", s.userValue["redis"]))
	}
	switch {
	case cfg.ReplicationSecret != "":
		f.ReplicationSecret = Digest(cfg.ReplicationSecret)
	case cfg.ReplicationSecretPath != "":
		f.ReplicationSecret = "path:" + cfg.ReplicationSecretPath
	default:
		if v, ok := s.userValue["worker_replication_secret"].(string); ok && v != "" {
			f.ReplicationSecret = Digest(v)
		} else if p, ok := s.userValue["worker_replication_secret_path"].(string); ok && p != "" {
			f.ReplicationSecret = "path:" + p
		}
	}
	return f
}

// Digest is the SHA-256 of the parts (each length-prefixed, so parts cannot run together),
// as "sha256:<hex>".
func Digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:", len(p))
		h.Write([]byte(p))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

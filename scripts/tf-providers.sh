#!/usr/bin/env bash
# Builds the providers the demo, the examples, the modules and your own configurations need,
# with no registry access, and writes the repository's one Terraform CLI config for them:
#   - synapse (this repo) -> $BIN_DIR, used through dev_overrides (every run uses the fresh
#     build), and placed once in the filesystem mirror as version $SYNAPSE_VERSION (the top of
#     CHANGELOG.md) so that `terraform init` finds it;
#   - kreuzwerker/docker and hashicorp/local from the Go module proxy -> the filesystem mirror
#     at $MIRROR (unpacked layout), cached across runs (rebuilt only when missing).
#     TF_PROVIDERS lists which to build (default "docker local"; the demo needs only "local").
# The CLI config ($TF_CLI_CONFIG_FILE, default .cache/terraformrc) uses only these:
# dev_overrides for synapse, the filesystem mirror for the rest, no direct installation, so
# `terraform init` and `plan` work offline in any directory:
#   export TF_CLI_CONFIG_FILE=$PWD/.cache/terraformrc
#
# Source it (`. scripts/tf-providers.sh`) to get the exported variables, or run it.
#
# kreuzwerker/docker: the module proxy serves only a 2026 pseudo-version, and that version's
# go.mod still names the old github.com/terraform-providers/terraform-provider-docker path, so it
# is built through a tiny wrapper module with a `replace`. Its CHANGELOG says v4.6.0; it is
# installed in the mirror as 4.6.0. hashicorp/local's latest pseudo-version is 2.9.0 (CHANGELOG).
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
CACHE="${CACHE:-$REPO/.cache}"
MIRROR="${MIRROR:-$CACHE/tf-mirror}"
BIN_DIR="${BIN_DIR:-$CACHE/bin}"
export CHECKPOINT_DISABLE=1
export TF_CLI_CONFIG_FILE="${TF_CLI_CONFIG_FILE_OVERRIDE:-$CACHE/terraformrc}"
export TF_PLUGIN_CACHE_DIR=""
unset TF_PLUGIN_CACHE_DIR

DOCKER_MOD="github.com/kreuzwerker/terraform-provider-docker"
DOCKER_OLD="github.com/terraform-providers/terraform-provider-docker"
DOCKER_PSEUDO="${DOCKER_PSEUDO:-v0.0.0-20260916201441-96d331c98ff4}"
DOCKER_VERSION="4.6.0"
LOCAL_MOD="github.com/terraform-providers/terraform-provider-local"
LOCAL_PSEUDO="${LOCAL_PSEUDO:-v1.4.1-0.20260513075820-3561e410f9fe}"
LOCAL_VERSION="2.9.0"
PLATFORM="$(go env GOOS)_$(go env GOARCH)"
TF_PROVIDERS="${TF_PROVIDERS:-docker local}"
# The release being built: the first "## X.Y.Z" heading of CHANGELOG.md.
SYNAPSE_VERSION="${SYNAPSE_VERSION:-$(sed -n 's/^## \([0-9][0-9.]*\).*/\1/p' "$REPO/CHANGELOG.md" | head -1)}"
SYNAPSE_VERSION="${SYNAPSE_VERSION:-0.0.1}"

mkdir -p "$MIRROR" "$BIN_DIR" "$CACHE/gobuild"

log() { echo "tf-providers: $*" >&2; }

# Synapse provider: always rebuilt (go build is incremental, so this is fast when unchanged;
# the first build compiles the Terraform plugin libraries, about a minute).
# SYNAPSE_PROVIDER_SRC builds it from another checkout (default: this repository).
log "building the synapse provider -> $BIN_DIR"
(cd "${SYNAPSE_PROVIDER_SRC:-$REPO}" && go build -o "$BIN_DIR/terraform-provider-synapse" .)

# build_third_party NAMESPACE/TYPE VERSION MODULE PSEUDO [REPLACE_FROM]
build_third_party() {
	local addr="$1" version="$2" mod="$3" pseudo="$4" replace_from="${5:-}"
	local type="${addr#*/}"
	local dir="$MIRROR/registry.terraform.io/$addr/$version/$PLATFORM"
	local bin="$dir/terraform-provider-${type}_v$version"
	if [[ -x "$bin" ]]; then
		return 0
	fi
	log "building $addr $version from $mod@$pseudo (first run only, about a minute; cached in $MIRROR)"
	local w="$CACHE/gobuild/${type}"
	rm -rf "$w" && mkdir -p "$w" "$dir"
	local path="$mod"
	if [[ -n "$replace_from" ]]; then
		path="$replace_from"
		cat >"$w/go.mod" <<GOMOD
module wrapper/$type

go 1.25.8

require $replace_from $pseudo

replace $replace_from => $mod $pseudo
GOMOD
	else
		cat >"$w/go.mod" <<GOMOD
module wrapper/$type

go 1.25.8

require $mod $pseudo
GOMOD
	fi
	printf 'package main\n' >"$w/doc.go"
	(cd "$w" && GOFLAGS=-mod=mod go build -o "$bin" "$path")
}

# `terraform init` looks synapse up in the installation methods even with dev_overrides (and
# fails when none has it), so the build is also placed in the mirror as $SYNAPSE_VERSION; at run
# time dev_overrides wins. It is placed only once per version: a copy that changed with every
# build would no longer match the checksum `terraform init` wrote into .terraform.lock.hcl.
syn_dir="$MIRROR/registry.terraform.io/synapse-fleet/synapse/$SYNAPSE_VERSION/$PLATFORM"
if [[ ! -x "$syn_dir/terraform-provider-synapse_v$SYNAPSE_VERSION" ]]; then
	mkdir -p "$syn_dir"
	cp -f "$BIN_DIR/terraform-provider-synapse" "$syn_dir/terraform-provider-synapse_v$SYNAPSE_VERSION"
fi

for p in $TF_PROVIDERS; do
	case "$p" in
	docker) build_third_party kreuzwerker/docker "$DOCKER_VERSION" "$DOCKER_MOD" "$DOCKER_PSEUDO" "$DOCKER_OLD" ;;
	local) build_third_party hashicorp/local "$LOCAL_VERSION" "$LOCAL_MOD" "$LOCAL_PSEUDO" ;;
	*) log "unknown provider in TF_PROVIDERS: $p (known: docker local)" && exit 1 ;;
	esac
done

cat >"$TF_CLI_CONFIG_FILE" <<CFG
# Written by scripts/tf-providers.sh (make install, make demo, make test): the synapse provider
# built from $REPO through dev_overrides, and every provider from the local mirror.
disable_checkpoint = true

provider_installation {
  dev_overrides {
    "registry.terraform.io/synapse-fleet/synapse" = "$BIN_DIR"
  }
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/synapse-fleet/synapse", "registry.terraform.io/kreuzwerker/docker", "registry.terraform.io/hashicorp/local"]
  }
  # Any other provider your configuration names comes from the registry, when it is reachable.
  direct {
    exclude = ["registry.terraform.io/synapse-fleet/synapse", "registry.terraform.io/kreuzwerker/docker", "registry.terraform.io/hashicorp/local"]
  }
}
CFG
export REPO CACHE MIRROR BIN_DIR TF_CLI_CONFIG_FILE SYNAPSE_VERSION
log "providers ready: synapse=$BIN_DIR (dev_overrides), mirror=$MIRROR, TF_CLI_CONFIG_FILE=$TF_CLI_CONFIG_FILE"

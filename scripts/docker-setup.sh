#!/usr/bin/env bash
# Brings up a local Docker engine and builds the images the Docker tests use, with no registry:
#   1. installs docker.io and debootstrap with apt when missing;
#   2. starts dockerd (overlay2) as root when no daemon answers, and waits for /var/run/docker.sock;
#   3. builds, each only when its tag is missing (tags are content hashes, so a changed recipe or
#      source builds a new image and an unchanged one costs nothing):
#        synapse-test/base:<h>      Debian bookworm minbase from debootstrap, `docker import`ed;
#        synapse-test/runtime:<h>   base + curl, redis-server, nginx, haproxy, caddy, apache2 (apt);
#        synapse-test/redis:<h>     runtime running redis-server in the foreground;
#        synapse-test/synapse-standin:<h>  runtime + tools/synapse-standin installed as `python`:
#                                   a STAND-IN for matrixdotorg/synapse, not Synapse (see its doc);
#   4. writes the tags to $CACHE/docker-images.env (SYNAPSE_TEST_*_IMAGE=...) for the tests.
# Idempotent; safe to run before every test run. Run as root (or with sudo available).
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
CACHE="${CACHE:-$REPO/.cache}"
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR_URL="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$CACHE/docker"
log() { echo "docker-setup: $*" >&2; }
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

# --- 1. packages ---------------------------------------------------------------------------------
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ] && [ "${SETUP:-1}" = 0 ]; then
	log "SETUP=0 but ${need[*]} missing: install them yourself"
	exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	# Keep apt from starting dockerd itself: this script starts it with known options.
	policy=/usr/sbin/policy-rc.d
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
		$sudo chmod +x "$policy"
		trap '$sudo rm -f "$policy"' EXIT
	fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi

# --- 2. daemon -----------------------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
	log "starting dockerd (overlay2); log in $CACHE/docker/dockerd.log"
	$sudo setsid dockerd --storage-driver=overlay2 >"$CACHE/docker/dockerd.log" 2>&1 </dev/null &
	for _ in $(seq 1 60); do
		[ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1 && break
		sleep 1
	done
	docker info >/dev/null 2>&1 || { tail -20 "$CACHE/docker/dockerd.log" >&2; log "dockerd did not come up"; exit 1; }
fi
log "docker engine $(docker version --format '{{.Server.Version}}') ($(docker info --format '{{.Driver}}'))"

have() { docker image inspect "$1" >/dev/null 2>&1; }
hash_of() { sha256sum | cut -c1-16; }

# --- 3. images -----------------------------------------------------------------------------------
base_tag="synapse-test/base:$(printf 'debootstrap --variant=minbase %s %s\n' "$SUITE" "$MIRROR_URL" | hash_of)"
if ! have "$base_tag"; then
	root="$(mktemp -d "$CACHE/docker/rootfs.XXXXXX")"
	log "debootstrap --variant=minbase $SUITE (about a minute) -> $base_tag"
	$sudo debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR_URL" >"$CACHE/docker/debootstrap.log" 2>&1 \
		|| { tail -20 "$CACHE/docker/debootstrap.log" >&2; $sudo rm -rf "$root"; exit 1; }
	$sudo rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
	$sudo tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$base_tag" >/dev/null
	$sudo rm -rf "$root"
fi

# build NAME DOCKERFILE CONTEXT_DIR HASH_INPUT BUILD_ARGS...: builds synapse-test/NAME:<hash>
# unless present; prints the tag.
build() {
	local name="$1" file="$2" ctx="$3" input="$4"
	shift 4
	local tag
	tag="synapse-test/$name:$( { printf '%s\n' "$input" "$@"; cat "$file"; } | hash_of)"
	if ! have "$tag"; then
		log "docker build $tag"
		# Host networking for apt during the build only; the test containers use their own networks.
		docker build --network host -q -f "$file" "${@/#/--build-arg=}" -t "$tag" "$ctx" >/dev/null
	fi
	echo "$tag"
}

runtime_tag="$(build runtime "$REPO/scripts/docker/runtime.Dockerfile" "$REPO/scripts/docker" "" "BASE=$base_tag")"
redis_tag="$(build redis "$REPO/scripts/docker/redis.Dockerfile" "$REPO/scripts/docker" "" "RUNTIME=$runtime_tag")"

# The stand-in, built static from this repository's source (its hash covers the source and go.sum).
ctx="$CACHE/docker/standin-context"
mkdir -p "$ctx"
(cd "$REPO" && CGO_ENABLED=0 go build -trimpath -o "$ctx/synapse-standin" ./tools/synapse-standin)
src_hash="$(cat "$REPO"/tools/synapse-standin/*.go "$REPO/go.sum" | hash_of)"
cp "$REPO/scripts/docker/synapse-standin.Dockerfile" "$ctx/Dockerfile"
standin_tag="$(build synapse-standin "$ctx/Dockerfile" "$ctx" "$src_hash" "RUNTIME=$runtime_tag")"

cat >"$CACHE/docker-images.env" <<ENV
SYNAPSE_TEST_BASE_IMAGE=$base_tag
SYNAPSE_TEST_RUNTIME_IMAGE=$runtime_tag
SYNAPSE_TEST_REDIS_IMAGE=$redis_tag
SYNAPSE_TEST_STANDIN_IMAGE=$standin_tag
ENV
log "images ready ($CACHE/docker-images.env):"
sed 's/^/  /' "$CACHE/docker-images.env" >&2

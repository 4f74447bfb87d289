#!/usr/bin/env bash
# The Docker deployment for real (a step of `make test`):
#   1. scripts/docker-setup.sh: installs docker.io when missing, starts dockerd, builds the test
#      images locally (no registry), the Synapse one being a STAND-IN (tools/synapse-standin);
#   2. scripts/tf-providers.sh: the synapse provider and kreuzwerker/docker built from source;
#   3. the Go test TestDockerHostFleet (build tag dockerengine, internal/proxy/conformance), which
#      applies examples/docker-local (two hosts = two Docker networks on this engine), checks
#      health, uploaded files and their owners, routes >= 100 requests through the proxy's
#      loopback port against routing.Match, changes one worker's file, plans again (empty) and
#      destroys, checking nothing is left.
# Prints "N passed, N failed" (N = the test and its checks: 1 test here).
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
start=$SECONDS
if ! bash scripts/docker-setup.sh; then
	echo "test-docker: the Docker engine or the images could not be set up"
	echo "0 passed, 1 failed"
	exit 1
fi
set -a
# shellcheck source=/dev/null
. .cache/docker-images.env
set +a
# shellcheck source=scripts/tf-providers.sh
. scripts/tf-providers.sh || { echo "test-docker: could not build providers"; echo "0 passed, 1 failed"; exit 1; }
set +e
echo "test-docker: setup took $((SECONDS - start))s"
go test -tags dockerengine -count=1 -v -timeout 25m -run '^TestDockerHostFleet$' ./internal/proxy/conformance/
rc=$?
echo "test-docker: took $((SECONDS - start))s"
if [ $rc -eq 0 ]; then echo "1 passed, 0 failed"; else echo "0 passed, 1 failed"; fi
exit $rc

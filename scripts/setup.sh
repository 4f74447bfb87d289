#!/usr/bin/env bash
# Installs the Debian packages the checks need, so `make test` (and .ci/run) pass on a fresh
# machine by themselves. Both run this script first; it is idempotent: when every package is
# already installed it only says so (no apt-get, no root needed).
#
# What it installs, and why:
#   nginx haproxy caddy apache2   the real proxies: the conformance suite serves traffic through
#                                 them, and each rendered config goes through the proxy's own check
#   cloud-init                    `cloud-init schema` on the vm-cloud-init user_data
#   systemd                       `systemd-analyze verify` on the rendered units
#   python3-yaml openssl          the module loader check, throwaway TLS certificates
#   wrk hyperfine                 `make bench`
#   make                          if the image lacks it
# Services are not started (a policy-rc.d denies it while apt runs) and are stopped and disabled
# if they did start: the tests start their own on loopback ports.
#
# Needs Debian/Ubuntu with apt-get, and root or sudo. SETUP=0 skips it (e.g. on another OS, where
# you install the same tools yourself).
set -euo pipefail

packages=(nginx haproxy caddy apache2 cloud-init systemd python3-yaml openssl wrk hyperfine)
services=(nginx haproxy caddy apache2)
command -v make >/dev/null || packages+=(make)

if [[ "${SETUP:-1}" == 0 ]]; then
	echo "setup: SETUP=0, not checking system packages (${packages[*]})"
	exit 0
fi

missing=()
if command -v dpkg-query >/dev/null; then
	for p in "${packages[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
else
	echo "setup: no dpkg-query: this is not a Debian system. Install these yourself, then run with SETUP=0:" >&2
	echo "  ${packages[*]}" >&2
	exit 1
fi

if [[ ${#missing[@]} -eq 0 ]]; then
	echo "setup: system packages already installed (${packages[*]})"
	exit 0
fi

echo "setup: installing ${missing[*]} with apt-get (about 1-2 minutes on a fresh machine)"
sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
	command -v sudo >/dev/null || {
		echo "setup: not root and no sudo: run as root, or install ${missing[*]} yourself" >&2
		exit 1
	}
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

# Keep apt from starting the services it installs.
policy=/usr/sbin/policy-rc.d
if [[ ! -e "$policy" ]]; then
	printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
	"${sudo[@]}" chmod +x "$policy"
	trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q "${missing[@]}"
# Belt and braces: whatever did start is stopped and disabled, so its ports are free.
for s in "${services[@]}"; do
	if [[ -d /run/systemd/system ]]; then
		"${sudo[@]}" systemctl disable --now "$s" >/dev/null 2>&1 || true
	else
		"${sudo[@]}" service "$s" stop >/dev/null 2>&1 || true
	fi
done
echo "setup: installed ${missing[*]}"

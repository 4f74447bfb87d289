#!/usr/bin/env bash
# Tests of the HCL modules, offline:
#   1. builds the synapse provider (dev_overrides) and kreuzwerker/docker + hashicorp/local (Go
#      module proxy -> filesystem mirror in $REPO/.cache/tf-mirror, cached across runs);
#   2. `terraform init` + `terraform test` in every modules/*/ with a tests/ directory;
#   3. renders examples/vm-fleet's user_data at plan time (as is, and once per proxy kind) and
#      runs `cloud-init schema --config-file` on each host's file;
#   4. runs `systemd-analyze verify` on the rendered systemd units of each rendering (with this
#      machine's python3 as the interpreter, since verify needs ExecStart to exist), failing on
#      any diagnostic it prints;
#   4b. renders examples/vm-fleet with proxy_tls (TLS on 443 + 8448, a throwaway self-signed
#      certificate made with openssl) for every proxy kind and runs each proxy's own check on it,
#      cloud-init schema, and systemd-analyze verify on synapse-proxy.service;
#   5. plans examples/{fleet-with-proxy,docker-hosts,vm-fleet,quickstart} and, for every host
#      (every container for docker-hosts), runs scripts/loader-check.py on the files that host
#      really receives (write_files of its user_data, the container's uploads, the per-host
#      out/ tree, quickstart's install paths) and the processes its commands start. That check is
#      OUR EMULATION of Synapse 1.157.1's config loader rules, not Synapse itself: Synapse cannot
#      be installed here (no PyPI; Debian's pydantic is 1.x), so `python -m
#      synapse.app.generic_worker --config-path <shared> --config-path <worker>` is not run. It
#      parses each --config-path file with yaml.safe_load, shallow-merges them in order like
#      Synapse, and asserts the keys the loader needs at load time with their types (server_name
#      str, report_stats bool, database.name psycopg2, instance_map.main {host str, port int},
#      worker_app, worker_name, worker_listeners list, worker_log_config / log_config and
#      worker_replication_secret_path among the host's files; see the script's docstring);
#   5b. applies a copy of examples/quickstart (as `make demo` does): the second plan is empty,
#      every proxy's files under out/proxy/<proxy>/ pass that proxy's own check, and moving one
#      worker to another port plans exactly the resources that depend on it (by address);
#   6. plans examples/many-homeservers (one release per homeserver, a cross-fleet port clash);
#   7. writes the README's "Use it in your own configuration" snippet to a fresh directory and
#      runs terraform init and plan on it with the CLI config make install prints;
#   8. prints "N passed, N failed" (terraform test runs + checks).
# A check whose tool is missing (cloud-init, systemd-analyze, a proxy binary) is reported as
# SKIP and makes the run fail, since a check that did not run is not a pass; set ALLOW_SKIP=1
# to accept skips. scripts/setup.sh (run by `make test` and .ci/run) installs them all. CI needs: cloud-init, systemd (systemd-analyze), nginx, haproxy, caddy,
# apache2, python3, and the Go module proxy on the first run (providers are cached afterwards).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/tf-providers.sh
. "$REPO/scripts/tf-providers.sh" || { echo "test-modules: could not build providers" >&2; exit 1; }
set +e # tf-providers.sh sets -e for itself; here every failure is counted instead
export TF_IN_AUTOMATION=1
# The examples' fleets span hosts, so they take a replication secret: a test-only value.
# Set only for the example plans (the module tests' inputs must not see it).
example_secret="test-only-replication-secret"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
skipped=0
failures=()
pass() { echo "PASS  $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failed=$((failed + 1)); failures+=("$*"); }

# --- 1. terraform test per module ---------------------------------------------------------------
for mod in "$REPO"/modules/*/; do
	mod="${mod%/}"
	name="$(basename "$mod")"
	[[ -d "$mod/tests" ]] || continue
	export TF_DATA_DIR="$work/data-$name"
	log="$work/test-$name.log"
	had_lock=0
	[[ -f "$mod/.terraform.lock.hcl" ]] && had_lock=1
	if ! (cd "$mod" && terraform init -input=false -backend=false -no-color >"$log" 2>&1); then
		fail "modules/$name: terraform init"
		tail -20 "$log"
		continue
	fi
	(cd "$mod" && terraform test -no-color >>"$log" 2>&1)
	rc=$?
	if [[ $had_lock -eq 0 ]]; then rm -f "$mod/.terraform.lock.hcl"; fi
	# Count individual runs: lines `  run "name"... pass|fail|skip`.
	p=$(grep -cE '^  run ".*"\.\.\. pass' "$log" || true)
	f=$(grep -cE '^  run ".*"\.\.\. fail' "$log" || true)
	s=$(grep -cE '^  run ".*"\.\.\. skip' "$log" || true)
	echo "modules/$name: terraform test: $p passed, $f failed, $s skipped (exit $rc)"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [[ $rc -ne 0 || $f -gt 0 || $s -gt 0 ]]; then
		[[ $f -eq 0 && $s -eq 0 ]] && fail "modules/$name: terraform test exited $rc"
		# The failing runs and their Error blocks (not the provider's warnings).
		awk '/^  run ".*"\.\.\. (fail|skip)/{print; next} /^  run /{p=0} /^Error:/{p=1} /^Warning:/{p=0} p' "$log" | head -60
		for r in $(grep -oE '^  run "[^"]+"\.\.\. (fail|skip)' "$log" | sed -E 's/^  run "([^"]+)".*/\1/'); do failures+=("modules/$name: $r"); done
	fi
done
unset TF_DATA_DIR

# --- 2. render the vm-fleet user_data ------------------------------------------------------------
# plan_example NAME OUT_DIR [terraform -var flags]: plan examples/NAME into OUT_DIR/plan.json.
plan_example() {
	local name="$1" out="$2"
	shift 2
	mkdir -p "$out"
	export TF_DATA_DIR="$work/data-$name"
	local ex="$REPO/examples/$name" had_lock=0
	[[ -f "$ex/.terraform.lock.hcl" ]] && had_lock=1
	(cd "$ex" && terraform init -input=false -backend=false -no-color >"$out/init.log" 2>&1 &&
		TF_VAR_replication_secret="$example_secret" terraform plan -input=false -lock=false -refresh=false -no-color -out="$out/plan" "$@" >"$out/plan.log" 2>&1 &&
		terraform show -json "$out/plan" >"$out/plan.json")
	local rc=$?
	if [[ $had_lock -eq 0 ]]; then rm -f "$ex/.terraform.lock.hcl"; fi
	unset TF_DATA_DIR
	[[ $rc -eq 0 ]] || {
		tail -n 30 "$out/init.log" "$out/plan.log"
		return 1
	}
}

render_vm_fleet() { # $1 = output dir, extra args = terraform -var flags
	local out="$1"
	shift
	plan_example vm-fleet "$out" "$@" || return 1
	python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
plan = json.load(open(os.path.join(out, "plan.json")))
ud = plan["planned_values"]["outputs"]["user_data"]["value"]
for host, text in ud.items():
    with open(os.path.join(out, f"{host}.user-data"), "w") as f:
        f.write(text)
PY
}

schema_check() { # $1 = dir of *.user-data files, $2 = label
	local f h out
	for f in "$1"/*.user-data; do
		h="$(basename "$f" .user-data)"
		if out="$(cloud-init schema --config-file "$f" 2>&1)" && grep -q "^Valid cloud-config" <<<"$out"; then
			pass "cloud-init schema: $2 $h"
		else
			fail "cloud-init schema: $2 $h"
			echo "$out" | sed 's/^/      /'
		fi
	done
}

# The proxy configuration the edge VM gets, checked by the real proxy binary. The configuration
# names its runtime directory (/run/nginx, /run/haproxy, /var/lib/caddy, /run/apache2), which
# synapse-proxy.service creates; for the check it is pointed at a temporary directory instead.
declare -A proxy_bins=([nginx]=nginx [haproxy]=haproxy [caddy]=caddy [apache]=apache2)
proxy_installed() { # $1 = kind
	command -v "${proxy_bins[$1]}" >/dev/null || [[ -x "/usr/sbin/${proxy_bins[$1]}" ]]
}
# proxy_check DIR KIND [LABEL] [FILES_JSON]: the proxy's files, {absolute path: content} in
# FILES_JSON (default: the proxy_files output of DIR/plan.json), checked by the real binary.
proxy_check() {
	local dir="$1" kind="$2" label="${3:-$2}" files_json="${4:-}" conf rt run out rc
	local -n bins=proxy_bins
	declare -A rts=([nginx]=/run/nginx [haproxy]=/run/haproxy [caddy]=/var/lib/caddy [apache]=/run/apache2)
	if ! proxy_installed "$kind"; then
		echo "SKIP  proxy config check ($label): ${bins[$kind]} is not installed (bash scripts/setup.sh installs it)"
		skipped=$((skipped + 1))
		return
	fi
	run="$dir/proxy-run"
	mkdir -p "$run"
	# The files (entry file and pools/*) go under $dir/proxy-conf, the paths they name with them.
	conf="$(python3 - "$dir/plan.json" "$dir/proxy-conf" "${rts[$kind]}" "$run" "$files_json" <<'PY'
import json, os, sys
dest, rt, run, files_json = sys.argv[2:6]
if files_json:
    files = json.load(open(files_json))
else:
    files = json.load(open(sys.argv[1]))["planned_values"]["outputs"]["proxy_files"]["value"]
entry = [p for p in files if "/pools/" not in p][0]
src = os.path.dirname(entry)
for p, content in files.items():
    out = dest + p[len(src):]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(content.replace(src + "/", dest + "/").replace(rt, run))
print(dest + entry[len(src):])
PY
)"
	case "$kind" in
	nginx) out="$(PATH="$PATH:/usr/sbin" nginx -t -q -p "$run" -e stderr -c "$conf" 2>&1)" ;;
	haproxy) out="$(PATH="$PATH:/usr/sbin" haproxy -c -q -f "$conf" -f "$dir/proxy-conf/pools" 2>&1)" ;;
	caddy) out="$(caddy validate --config "$conf" --adapter caddyfile 2>&1)" ;;
	apache) out="$(PATH="$PATH:/usr/sbin" apache2 -t -f "$conf" 2>&1)" ;;
	esac
	rc=$?
	if [[ $rc -eq 0 ]]; then
		pass "proxy config check ($label): passes ${bins[$kind]}'s own check"
	else
		fail "proxy config check ($label)"
		echo "$out" | tail -n 15 | sed 's/^/      /'
	fi
}

have_cloud_init=1
if ! command -v cloud-init >/dev/null; then
	have_cloud_init=0
	echo "SKIP  cloud-init schema: cloud-init is not installed (bash scripts/setup.sh installs it)"
	skipped=$((skipped + 1))
fi

# 3a. The example as it is (nginx, the Debian package's interpreter).
ud_dir="$work/user-data"
if render_vm_fleet "$ud_dir"; then
	pass "examples/vm-fleet: user_data rendered at plan time ($(ls "$ud_dir"/*.user-data | wc -l) hosts)"
	[[ $have_cloud_init -eq 1 ]] && schema_check "$ud_dir" "vm-fleet (nginx)"
else
	fail "examples/vm-fleet: could not render user_data"
fi

# --- 4. systemd-analyze verify, for every proxy kind ---------------------------------------------
# verify checks that each ExecStart/ExecStartPre binary exists: the Synapse units name the Debian
# package's interpreter, absent here, so these renderings use this machine's python3 in its
# place; the proxy units name /usr/sbin/nginx, haproxy, apache2 and /usr/bin/caddy (installed
# here, as in CI). The user_data of every rendering also goes through cloud-init schema.
py3="$(command -v python3 || true)"
have_verify=1
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP  systemd-analyze verify: systemd-analyze is not installed (bash scripts/setup.sh installs it)"
	skipped=$((skipped + 1))
	have_verify=0
elif [[ -z "$py3" ]]; then
	echo "SKIP  systemd-analyze verify: no python3 to stand in for Synapse's interpreter"
	skipped=$((skipped + 1))
	have_verify=0
fi
for kind in nginx haproxy caddy apache; do
	dir="$work/verify-$kind"
	if ! render_vm_fleet "$dir" -var "python=${py3:-/usr/bin/python3}" -var "proxy_kind=$kind"; then
		fail "examples/vm-fleet: could not render with proxy_kind=$kind"
		continue
	fi
	[[ $have_cloud_init -eq 1 ]] && schema_check "$dir" "vm-fleet ($kind)"
	proxy_check "$dir" "$kind" "vm-fleet edge VM, $kind"
	[[ $have_verify -eq 1 ]] || continue
	# verify fails on a unit whose ExecStart binary is missing: a missing proxy is the same SKIP
	# as in proxy_check, not a failure of the rendered units.
	if ! proxy_installed "$kind"; then
		echo "SKIP  systemd-analyze verify ($kind): ${proxy_bins[$kind]} is not installed (bash scripts/setup.sh installs it)"
		skipped=$((skipped + 1))
		continue
	fi
	units="$dir/units"
	python3 - "$dir" "$units" <<'PY'
import json, os, sys
out, d = sys.argv[1], sys.argv[2]
outputs = json.load(open(os.path.join(out, "plan.json")))["planned_values"]["outputs"]
units, workers_by_host = outputs["units"]["value"], outputs["workers_by_host"]["value"]
os.makedirs(d, exist_ok=True)
for name, content in units.items():
    if name != "matrix-synapse-worker@.service":
        open(os.path.join(d, name), "w").write(content)
open(os.path.join(d, "synapse-proxy.service"), "w").write(outputs["proxy_unit"]["value"])
# Instantiate the worker template for every worker of the fleet.
for workers in workers_by_host.values():
    for w in workers:
        open(os.path.join(d, "matrix-synapse-worker@%s.service" % w), "w").write(units["matrix-synapse-worker@.service"])
PY
	files=("$units"/*)
	# verify exits 0 on warnings such as unknown keys: any output counts as a failure.
	if out="$(cd "$units" && systemd-analyze verify --man=no "${files[@]}" 2>&1)" && [[ -z "$out" ]]; then
		pass "systemd-analyze verify ($kind): ${#files[@]} units (target, main, one instance per worker, synapse-proxy)"
	else
		fail "systemd-analyze verify ($kind)"
		echo "$out" | sed 's/^/      /'
	fi
done

# --- 4b. TLS on 443 + 8448, checked by every proxy binary -------------------------------------------
# vm-fleet with proxy_tls: the edge VM's configuration terminates TLS on 443 and 8448 with a
# throwaway self-signed certificate (HAProxy gets certificate and key in one file, as it needs),
# and each proxy's own check loads it, certificate and key included.
tls="$work/tls"
mkdir -p "$tls"
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=matrix.example.org" \
	-keyout "$tls/privkey.pem" -out "$tls/fullchain.pem" >"$tls/openssl.log" 2>&1; then
	cat "$tls/fullchain.pem" "$tls/privkey.pem" >"$tls/combined.pem"
	for kind in nginx haproxy caddy apache; do
		dir="$work/tls-$kind"
		cert="$tls/fullchain.pem" key="$tls/privkey.pem"
		[[ $kind == haproxy ]] && cert="$tls/combined.pem" key="$tls/combined.pem"
		if ! render_vm_fleet "$dir" -var "proxy_kind=$kind" -var "proxy_tls={certificate_path=\"$cert\",key_path=\"$key\"}"; then
			fail "examples/vm-fleet: could not render with proxy_kind=$kind and proxy_tls"
			continue
		fi
		conf="$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["planned_values"]["outputs"]["proxy_files"]["value"]; print([c for p, c in v.items() if "/pools/" not in p][0])' "$dir/plan.json")"
		if grep -qF "$key" <<<"$conf" && grep -q ':443' <<<"$conf" && grep -q ':8448' <<<"$conf"; then
			pass "examples/vm-fleet ($kind, TLS): the edge VM's config names the key and binds 443 and 8448"
		else
			fail "examples/vm-fleet ($kind, TLS): the config does not name the key or bind 443 and 8448"
		fi
		proxy_check "$dir" "$kind" "vm-fleet edge VM, $kind, TLS on 443 + 8448"
		[[ $have_cloud_init -eq 1 ]] && schema_check "$dir" "vm-fleet ($kind, TLS)"
		# synapse-proxy.service with its AssertPathExists= lines for the certificate and key.
		[[ $have_verify -eq 1 ]] || continue
		if ! proxy_installed "$kind"; then
			echo "SKIP  systemd-analyze verify ($kind, TLS): ${proxy_bins[$kind]} is not installed (bash scripts/setup.sh installs it)"
			skipped=$((skipped + 1))
			continue
		fi
		mkdir -p "$dir/units"
		python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["planned_values"]["outputs"]["proxy_unit"]["value"], end="")' "$dir/plan.json" >"$dir/units/synapse-proxy.service"
		if grep -qF "AssertPathExists=$key" "$dir/units/synapse-proxy.service" &&
			out="$(cd "$dir/units" && systemd-analyze verify --man=no synapse-proxy.service 2>&1)" && [[ -z "$out" ]]; then
			pass "systemd-analyze verify ($kind, TLS): synapse-proxy.service asserts the key file"
		else
			fail "systemd-analyze verify ($kind, TLS): synapse-proxy.service"
			echo "${out:-no AssertPathExists=$key}" | sed 's/^/      /'
		fi
	done
else
	fail "TLS checks: openssl could not make a test certificate"
	tail -5 "$tls/openssl.log"
fi

# --- 5. the files each host receives load (emulation of Synapse's loader rules) -------------------
for ex in fleet-with-proxy docker-hosts vm-fleet quickstart; do
	dir="$work/loader-$ex"
	if ! plan_example "$ex" "$dir"; then
		fail "examples/$ex: terraform plan"
		continue
	fi
	TF_VAR_replication_secret="$example_secret" python3 "$REPO/scripts/loader-check.py" "$ex" "$dir/plan.json" >"$dir/loader.log" 2>&1
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		"PASS  "*) pass "${line#PASS  }" ;;
		"FAIL  "*) fail "${line#FAIL  }" ;;
		*) echo "$line" ;;
		esac
	done <"$dir/loader.log"
	# A crash (no FAIL line printed, yet a non-zero exit) is a failure too.
	if [[ $rc -ne 0 ]] && ! grep -q '^FAIL  ' "$dir/loader.log"; then fail "loader emulation: $ex: scripts/loader-check.py exited $rc"; fi
done

# --- 5b. the quickstart applied, as `make demo` does it ----------------------------------------------
# A copy of examples/quickstart is applied for real (hashicorp/local writes its out/ tree); the
# second plan must be empty, every proxy's files under out/proxy/<proxy>/ must pass that proxy's
# own check (relocated from config_dir to a temporary directory), and moving one worker to another
# port must plan changes of exactly what depends on that worker: the worker and its file, the
# routing table and the one pool file per proxy, and the shared config's rollout; no entry file,
# no other pool's file, no other worker.
qs="$work/quickstart-apply"
mkdir -p "$qs/src"
cp "$REPO/examples/quickstart/main.tf" "$REPO/examples/quickstart/homeserver.yaml" "$qs/src/"
export TF_DATA_DIR="$qs/data"
if (cd "$qs/src" && terraform init -input=false -no-color >"$qs/init.log" 2>&1 &&
	terraform apply -input=false -auto-approve -no-color >"$qs/apply.log" 2>&1); then
	pass "examples/quickstart: terraform apply ($(grep -oE '[0-9]+ added' "$qs/apply.log"))"
	(cd "$qs/src" && terraform plan -input=false -no-color -detailed-exitcode -out="$qs/noop.plan" >"$qs/noop.log" 2>&1)
	rc=$?
	if [[ $rc -eq 0 ]]; then
		pass "examples/quickstart: the second plan is empty"
	else
		fail "examples/quickstart: the second plan is not empty (exit $rc)"
		grep -E '^  # |^Error|^Plan' "$qs/noop.log" | head -20
	fi
	config_dir="$(cd "$qs/src" && terraform show -json "$qs/noop.plan" | python3 -c 'import json,sys; print([r for r in json.load(sys.stdin)["prior_state"]["values"]["root_module"]["resources"] if r["address"] == "synapse_routing_table.fleet"][0]["values"]["config_dir"])')"
	for kind in nginx haproxy caddy apache; do
		if [[ ! -d "$qs/src/out/proxy/$kind" ]]; then
			fail "examples/quickstart: apply wrote no out/proxy/$kind/"
			continue
		fi
		# The files as written, placed at config_dir as the proxy host would have them.
		python3 - "$qs/src/out/proxy/$kind" "$config_dir" "$qs/files-$kind.json" <<'PY'
import json, os, sys
src, config_dir, out = sys.argv[1:4]
files = {}
for root, _, names in os.walk(src):
    for n in names:
        p = os.path.join(root, n)
        files[config_dir.rstrip("/") + "/" + os.path.relpath(p, src)] = open(p).read()
json.dump(files, open(out, "w"))
PY
		mkdir -p "$qs/check-$kind"
		proxy_check "$qs/check-$kind" "$kind" "quickstart out/proxy/$kind, $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$qs/files-$kind.json") files" "$qs/files-$kind.json"
	done
	# synchrotron2 on another port: the variable's value from the plan, one port changed.
	(cd "$qs/src" && terraform show -json "$qs/noop.plan") | python3 -c '
import json, sys
w = json.load(sys.stdin)["variables"]["workers"]["value"]
w["synchrotron2"]["http_port"] += 10
json.dump({"workers": w}, open(sys.argv[1], "w"))' "$qs/port.tfvars.json"
	if (cd "$qs/src" && terraform plan -input=false -no-color -var-file="$qs/port.tfvars.json" -out="$qs/port.plan" >"$qs/port.log" 2>&1 &&
		terraform show -json "$qs/port.plan" >"$qs/port.json"); then
		if out="$(python3 - "$qs/port.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
got = {r["address"]: "+".join(r["change"]["actions"]) for r in plan["resource_changes"] if r["change"]["actions"] not in (["no-op"], ["read"])}
want = {
    'synapse_worker.all["synchrotron2"]': "update",
    'local_file.worker["synchrotron2"]': "delete+create",
    "synapse_shared_config.fleet": "update",
    "synapse_routing_table.fleet": "update",
    'local_file.proxy["nginx/pools/synchrotron.conf"]': "delete+create",
    'local_file.proxy["haproxy/pools/synchrotron.cfg"]': "delete+create",
    'local_file.proxy["caddy/pools/synchrotron.caddy"]': "delete+create",
    'local_file.proxy["apache/pools/synchrotron.conf"]': "delete+create",
}
if got != want:
    for a in sorted(set(got) | set(want)):
        if got.get(a) != want.get(a):
            print(f"{a}: planned {got.get(a, 'nothing')}, expected {want.get(a, 'nothing')}")
    sys.exit(1)
PY
)"; then
			pass "examples/quickstart: synchrotron2 on another port plans only its worker, its pool's file per proxy, the routing table and the rollout ($(wc -l <"$qs/port.log") plan lines)"
		else
			fail "examples/quickstart: a one-worker port change plans more (or less) than what depends on it"
			echo "$out" | sed 's/^/      /'
		fi
	else
		fail "examples/quickstart: terraform plan with synchrotron2 on another port"
		tail -n 20 "$qs/port.log"
	fi
else
	fail "examples/quickstart: terraform init + apply"
	tail -n 30 "$qs/init.log" "$qs/apply.log" 2>/dev/null
fi
unset TF_DATA_DIR

# --- 6. many homeservers from one for_each map, and the cross-fleet port check -------------------
mh="$work/many-homeservers"
if plan_example many-homeservers "$mh"; then
	if python3 - "$mh/plan.json" <<'PY'; then
import json, sys
outs = json.load(open(sys.argv[1]))["planned_values"]["outputs"]
releases = outs["releases"]["value"]
assert releases == {"alpha": "1.157", "beta": "1.146", "gamma": "1.157.1"}, releases
# Each fleet follows its own release: quarantined_media_changes (1.152+) only outside beta.
for hs, by_host in outs["files_by_homeserver"]["value"].items():
    shared = [c for files in by_host.values() for p, c in files.items() if p.endswith("/homeserver.yaml")]
    assert shared, hs
    assert ("quarantined_media_changes" in shared[0]) == (hs != "beta"), hs
PY
		pass "examples/many-homeservers: 3 homeservers from one for_each map plan, each on its own release"
	else
		fail "examples/many-homeservers: releases or streams per homeserver"
	fi
else
	fail "examples/many-homeservers: terraform plan"
fi
# beta's proxy on alpha's edge port (the defaults with one port changed): the plan must fail,
# naming both owners.
[[ -f "$mh/plan.json" ]] && python3 - "$mh/plan.json" "$mh/collision.tfvars.json" <<'PY'
import json, sys
hs = json.load(open(sys.argv[1]))["variables"]["homeservers"]["value"]
hs["beta"]["proxy"]["port"] = hs["alpha"]["proxy"]["port"]
json.dump({"homeservers": hs}, open(sys.argv[2], "w"))
PY
if [[ -s "$mh/collision.tfvars.json" ]] && ! plan_example many-homeservers "$mh/collision" -var-file="$mh/collision.tfvars.json" >"$mh/collision.out" 2>&1; then
	if tr -s ' \n' ' ' <"$mh/collision/plan.log" 2>/dev/null | grep -q "Two homeservers listen on the same port of one machine: 10.0.0.5:8443 (alpha proxy nginx, beta proxy haproxy)"; then
		pass "examples/many-homeservers: the same edge port claimed by two homeservers fails the plan naming both"
	else
		fail "examples/many-homeservers: the collision plan failed without naming both owners"
		tail -20 "$mh/collision.out"
	fi
else
	fail "examples/many-homeservers: two homeservers on one edge port must fail the plan"
fi

# --- 7. the README's "Use it in your own configuration" snippet --------------------------------------
# Written to a fresh directory as a user would, with the CLI config `make install` prints.
readme_dir="$work/readme-config"
mkdir -p "$readme_dir"
python3 - "$REPO/README.md" "$readme_dir/main.tf" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index("## Use it in your own configuration")
j = s.index("```hcl", i) + len("```hcl\n")
open(sys.argv[2], "w").write(s[j:s.index("```", j)])
PY
if (cd "$readme_dir" && unset TF_DATA_DIR && terraform init -input=false -no-color >init.log 2>&1 &&
	terraform plan -input=false -no-color >plan.log 2>&1) && grep -q "^Plan: 2 to add" "$readme_dir/plan.log"; then
	pass "README: the own-configuration snippet runs terraform init and plan with $TF_CLI_CONFIG_FILE"
else
	fail "README: the own-configuration snippet does not init and plan"
	tail -n 20 "$readme_dir/init.log" "$readme_dir/plan.log" 2>/dev/null
fi

echo
echo "test-modules: $passed passed, $failed failed, $skipped skipped"
if [[ ${#failures[@]} -gt 0 ]]; then
	printf '  failed: %s\n' "${failures[@]}"
fi
[[ $failed -eq 0 && ($skipped -eq 0 || "${ALLOW_SKIP:-0}" == 1) ]]

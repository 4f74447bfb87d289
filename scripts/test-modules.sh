#!/usr/bin/env bash
# Tests of the HCL modules, offline:
#   1. builds the synapse provider (dev_overrides) and kreuzwerker/docker + hashicorp/local (Go
#      module proxy -> filesystem mirror in $REPO/.cache/tf-mirror, cached across runs);
#   2. `terraform init` + `terraform test` in every modules/*/ with a tests/ directory;
#   3. renders examples/vm-fleet's user_data at plan time and runs `cloud-init schema
#      --config-file` on each host's file;
#   4. runs `systemd-analyze verify` on the rendered systemd units (rendered with this machine's
#      python3 as the interpreter, since the units' ExecStart must exist for verify), failing on
#      any diagnostic it prints;
#   5. prints "N passed, N failed" (terraform test runs + checks).
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/tf-providers.sh
. "$REPO/scripts/tf-providers.sh" || { echo "test-modules: could not build providers" >&2; exit 1; }
set +e # tf-providers.sh sets -e for itself; here every failure is counted instead
export TF_IN_AUTOMATION=1

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
render_vm_fleet() { # $1 = output dir, extra args = terraform -var flags
	local out="$1"
	shift
	mkdir -p "$out"
	export TF_DATA_DIR="$work/data-vm-fleet"
	local ex="$REPO/examples/vm-fleet" had_lock=0
	[[ -f "$ex/.terraform.lock.hcl" ]] && had_lock=1
	(cd "$ex" && terraform init -input=false -backend=false -no-color >"$out/init.log" 2>&1 &&
		terraform plan -input=false -lock=false -refresh=false -no-color -out="$out/plan" "$@" >"$out/plan.log" 2>&1 &&
		terraform show -json "$out/plan" >"$out/plan.json")
	local rc=$?
	if [[ $had_lock -eq 0 ]]; then rm -f "$ex/.terraform.lock.hcl"; fi
	unset TF_DATA_DIR
	[[ $rc -eq 0 ]] || {
		tail -n 30 "$out/init.log" "$out/plan.log"
		return 1
	}
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

ud_dir="$work/user-data"
if render_vm_fleet "$ud_dir"; then
	pass "examples/vm-fleet: user_data rendered at plan time ($(ls "$ud_dir"/*.user-data | wc -l) hosts)"
	# --- 3. cloud-init schema ---------------------------------------------------------------------
	if command -v cloud-init >/dev/null; then
		for f in "$ud_dir"/*.user-data; do
			h="$(basename "$f" .user-data)"
			if out="$(cloud-init schema --config-file "$f" 2>&1)" && grep -q "^Valid cloud-config" <<<"$out"; then
				pass "cloud-init schema: $h ($out)"
			else
				fail "cloud-init schema: $h"
				echo "$out" | sed 's/^/      /'
			fi
		done
	else
		echo "SKIP  cloud-init schema: cloud-init is not installed (apt-get install cloud-init)"
		skipped=$((skipped + 1))
	fi
else
	fail "examples/vm-fleet: could not render user_data"
fi

# --- 4. systemd-analyze verify --------------------------------------------------------------------
# The units name the Debian package's interpreter, absent here; verify checks that ExecStart is
# executable, so render once more with this machine's python3 and verify those units.
py3="$(command -v python3 || true)"
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP  systemd-analyze verify: systemd-analyze is not installed"
	skipped=$((skipped + 1))
elif [[ -z "$py3" ]]; then
	echo "SKIP  systemd-analyze verify: no python3 to stand in for Synapse's interpreter"
	skipped=$((skipped + 1))
elif render_vm_fleet "$work/verify" -var "python=$py3"; then
	units="$work/verify/units"
	python3 - "$work/verify" "$units" <<'PY'
import json, os, sys
out, d = sys.argv[1], sys.argv[2]
outputs = json.load(open(os.path.join(out, "plan.json")))["planned_values"]["outputs"]
units, workers_by_host = outputs["units"]["value"], outputs["workers_by_host"]["value"]
os.makedirs(d, exist_ok=True)
for name, content in units.items():
    if name != "matrix-synapse-worker@.service":
        open(os.path.join(d, name), "w").write(content)
# Instantiate the worker template for every worker of the fleet.
for workers in workers_by_host.values():
    for w in workers:
        open(os.path.join(d, "matrix-synapse-worker@%s.service" % w), "w").write(units["matrix-synapse-worker@.service"])
PY
	files=("$units"/*)
	# verify exits 0 on warnings such as unknown keys: any output counts as a failure.
	if out="$(cd "$units" && systemd-analyze verify --man=no "${files[@]}" 2>&1)" && [[ -z "$out" ]]; then
		pass "systemd-analyze verify: ${#files[@]} units (target, main, one instance per worker)"
	else
		fail "systemd-analyze verify"
		echo "$out" | sed 's/^/      /'
	fi
else
	fail "systemd-analyze verify: could not render units"
fi

echo
echo "test-modules: $passed passed, $failed failed, $skipped skipped"
if [[ ${#failures[@]} -gt 0 ]]; then
	printf '  failed: %s\n' "${failures[@]}"
fi
[[ $failed -eq 0 && $skipped -eq 0 ]]

#!/usr/bin/env bash
# Runs `terraform init` (offline: synapse through dev_overrides, other providers from the
# filesystem mirror built by scripts/tf-providers.sh) and `terraform validate` in every example
# directory (every directory under examples/ holding *.tf files). Prints "N passed, N failed".
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/tf-providers.sh
. "$REPO/scripts/tf-providers.sh" || { echo "validate-examples: could not build providers" >&2; exit 1; }
set +e # tf-providers.sh sets -e for itself; here every failure is counted instead
export TF_IN_AUTOMATION=1

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()
while IFS= read -r dir; do
	rel="${dir#"$REPO"/}"
	# Keep .terraform out of the tree: a data dir per example in the temp dir.
	export TF_DATA_DIR="$work/$(echo "$rel" | tr '/' '_')"
	log="$TF_DATA_DIR.log"
	run_dir="$dir"
	if ! grep -qs 'required_providers' "$dir"/*.tf; then
		# tfplugindocs snippets (examples/resources/<type>/resource.tf) name no source, so
		# Terraform would look for hashicorp/synapse: validate a copy that declares ours.
		run_dir="$TF_DATA_DIR.src"
		mkdir -p "$run_dir"
		cp "$dir"/*.tf "$run_dir"/
		printf 'terraform {\n  required_providers {\n    synapse = {\n      source = "synapse-fleet/synapse"\n    }\n  }\n}\n' >"$run_dir/zz_required_providers.tf"
	fi
	had_lock=0
	[[ -f "$dir/.terraform.lock.hcl" ]] && had_lock=1
	if (cd "$run_dir" && terraform init -input=false -backend=false -no-color >"$log" 2>&1 &&
		terraform validate -no-color >>"$log" 2>&1); then
		echo "ok    $rel"
		passed=$((passed + 1))
	else
		echo "FAIL  $rel"
		sed 's/^/      /' "$log" | grep -v "^\s*$" | tail -25
		failed=$((failed + 1))
		failures+=("$rel")
	fi
	# The lock file records mirror hashes of locally built providers: do not leave one behind.
	if [[ $had_lock -eq 0 ]]; then rm -f "$dir/.terraform.lock.hcl"; fi
done < <(find "$REPO/examples" -name '*.tf' -not -path '*/.terraform/*' -not -path '*/out/*' -printf '%h\n' | sort -u)
unset TF_DATA_DIR

echo "validate-examples: $passed passed, $failed failed"
[[ $failed -eq 0 ]]

#!/usr/bin/env bash
# Every check CI runs, in order (`make test`). Each step is run even when an earlier one failed,
# so one run reports everything; the script exits non-zero if any step failed and closes with
# `N passed, N failed`, where N counts Go tests (each test and subtest, fuzz seed corpora
# included), the runs and checks of scripts that print their own "N passed, N failed" (module
# tests, example validation), and one for each other check.
set -uo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
# The environment may name a CLI config file that does not exist; use the repository's.
if [ -z "${TF_CLI_CONFIG_FILE:-}" ] || [ ! -f "$TF_CLI_CONFIG_FILE" ]; then
	export TF_CLI_CONFIG_FILE="$PWD/.ci/terraformrc"
fi

log_dir=.cache/test-logs
mkdir -p "$log_dir"
passed=0 failed=0
go_passed=0 go_failed=0
results=()

# step NAME COMMAND... runs one check, prints its output, and records the result.
step() {
	local name=$1
	shift
	echo
	echo "==> $name: $*"
	local start=$SECONDS rc=0
	"$@" 2>&1 | tee "$log_dir/$name.log" || rc=$?
	local took=$((SECONDS - start))
	if [ "$rc" -eq 0 ]; then
		results+=("ok    $name (${took}s)")
	else
		results+=("FAIL  $name (${took}s, exit $rc)")
	fi
	# A step whose output closes with "N passed, N failed" (testsummary's "go test: ..." line,
	# scripts/test-modules.sh, scripts/validate-examples.sh) adds those counts; any other step
	# counts as one check.
	local p f
	read -r p f < <(awk 'match($0, /(^|: )[0-9]+ passed, [0-9]+ failed/) {
		s = substr($0, RSTART, RLENGTH); sub(/^: /, "", s); split(s, a, /[ ,]+/); p = a[1]; f = a[3]; seen = 1 }
		END { if (seen) print p, f; else print "-", "-" }' "$log_dir/$name.log")
	if [ "$p" = - ]; then
		if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	else
		passed=$((passed + p))
		failed=$((failed + f))
		# A step that failed without a counted failure (e.g. nothing compiled) still fails.
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
		if [ "$name" = go-test ]; then go_passed=$p go_failed=$f; fi
	fi
}

go_test() {
	go build -o .cache/tools/testsummary ./scripts/testsummary || return 1
	go test -json -count=1 -timeout=20m ./... | .cache/tools/testsummary
}

terraform_fmt() {
	local dirs=()
	for d in examples modules; do [ -d "$d" ] && dirs+=("$d"); done
	if [ ${#dirs[@]} -eq 0 ]; then echo "no Terraform directories"; return 0; fi
	terraform fmt -check -recursive -diff "${dirs[@]}"
}

step go-build go build ./...
step go-vet go vet ./...
step lint make lint
step go-test go_test
step docs make docs-check
step terraform-fmt terraform_fmt
step terraform-validate make validate
if [ -f scripts/test-modules.sh ]; then
	step modules bash scripts/test-modules.sh
else
	results+=("none  modules (scripts/test-modules.sh not present)")
fi
# The docker-host module applied for real on a local Docker engine (installed, started and its
# images built by scripts/docker-setup.sh; about 3 minutes once the images are cached).
step docker bash scripts/test-docker.sh

echo
echo "==> summary"
printf '  %s\n' "${results[@]}"
echo "  go tests: $go_passed passed, $go_failed failed"
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

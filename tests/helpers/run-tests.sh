#!/usr/bin/env bash
# run-tests.sh UNIT-TEST-BINARY...: the body of `make test` once
# everything is built. Runs every C unit test given, every make target in
# $TEST_TARGETS (other components' checks, run with $MAKE) and every bats
# suite (tests/*.bats), all of them even after failures, then prints
#   N passed, M failed, K skipped
# as the last line (CI reads it), summing them all. Exit status 1 if
# anything failed.
#
# Each unit test binary and each make target counts as one test (their
# own check counts, printed above, would dwarf everything else): passed
# if it exits 0, failed otherwise.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

passed=0 failed=0 skipped=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_counted NAME CMD...: runs CMD, one test.
run_counted() {
	local name=$1 rc
	shift
	echo "== $name"
	"$@" 2>&1
	rc=$?
	if ((rc == 0)); then
		passed=$((passed + 1))
	else
		echo "== $name: FAILED (exit status $rc)"
		failed=$((failed + 1))
	fi
}

# run_bats: every suite in TAP form; counts ok / not ok / skip lines, and
# tests that never reported (bats aborted) as failures.
run_bats() {
	local plan n_ok n_skip n_fail n_run
	echo "== bats tests/*.bats"
	bats --formatter tap tests/*.bats 2>&1 | tee "$log"
	plan=$(grep -Eo '^1\.\.[0-9]+' "$log" | head -n 1 | cut -d. -f3)
	n_skip=$(grep -Ec '^ok [0-9]+ .* # skip' "$log")
	n_ok=$(($(grep -Ec '^ok [0-9]+' "$log") - n_skip))
	n_fail=$(grep -Ec '^not ok [0-9]+' "$log")
	n_run=$((n_ok + n_skip + n_fail))
	if ((${plan:-0} > n_run)); then
		echo "== bats: $((plan - n_run)) tests did not run"
		n_fail=$((n_fail + plan - n_run))
	elif [[ -z $plan ]]; then
		echo "== bats did not run"
		n_fail=$((n_fail + 1))
	fi
	echo "bats: $((n_ok + n_skip + n_fail)) tests, $n_fail failures, $n_skip skipped"
	passed=$((passed + n_ok)) failed=$((failed + n_fail))
	skipped=$((skipped + n_skip))
}

for t in "$@"; do
	run_counted "unit: $t" "$t"
done
for t in ${TEST_TARGETS:-}; do
	run_counted "make $t" "${MAKE:-make}" --no-print-directory "$t"
done
run_bats
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))

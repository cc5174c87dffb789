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

# SANITIZE=1 (make test SANITIZE=1, programs from build/san): every
# sanitizer report ends the program that made it (halt_on_error, and
# abort_on_error so the status is SIGABRT's, never one a test expects)
# and goes to a file under $san_dir as well, so that a report from a
# program whose stderr a test ignores still fails the run (checked at
# the end). LeakSanitizer (detect_leaks=1) stops the process with
# ptrace at exit to scan it; that works for ember-vmm even while it
# traces a process-backend guest (LSan's tracer is a child of the
# monitor, not of the guest), but not for a program that runs under a
# tracer itself (gdb, strace): set ASAN_OPTIONS=detect_leaks=0 there.
san_dir=
if [[ ${SANITIZE:-} == 1 ]]; then
	san_dir=${EMBER_BUILD:-build}/sanitizer-logs
	rm -rf "$san_dir"
	mkdir -p "$san_dir"
	san_dir=$(cd "$san_dir" && pwd)
	common=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_exe_name=1
	export ASAN_OPTIONS="$common:detect_leaks=1:log_path=$san_dir/asan:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1"
	export UBSAN_OPTIONS="$common:log_path=$san_dir/ubsan"
	export LSAN_OPTIONS="print_suppressions=0"
fi

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
if [[ -n $san_dir ]]; then
	# One test per report file: a sanitizer finding is a failure even
	# when the program's status and output were what a test expected.
	for f in "$san_dir"/*; do
		[[ -e $f ]] || continue
		echo "== sanitizer report $f: FAILED"
		cat "$f"
		failed=$((failed + 1))
	done
fi
echo "$passed passed, $failed failed, $skipped skipped"
((failed == 0))

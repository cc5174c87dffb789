# shellcheck shell=bash disable=SC2034,SC2154
# (SC2034: the variables are for the suites; SC2154: bats sets $stderr...)
#
# Shared set-up for the bats suites: paths, the backend under test, and
# assertions for ember-vmm's documented behaviour.
# Load with `load helpers/common` from a tests/*.bats file.

# `run --separate-stderr` and `run -N` need bats-core 1.5 or later.
bats_require_minimum_version 1.5.0

# bats-support and bats-assert as Debian installs them (packages
# bats-support, bats-assert); BATS_LIB_DIR overrides.
BATS_LIB_DIR=${BATS_LIB_DIR:-/usr/lib/bats}
load "$BATS_LIB_DIR/bats-support/load"
load "$BATS_LIB_DIR/bats-assert/load"

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# The build tree under test: build/, or build/san for make test
# SANITIZE=1 (make test passes EMBER_BUILD, relative to the root).
BUILD=${EMBER_BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
VMM=$BUILD/bin/ember-vmm
EMBER_CC=$BUILD/bin/ember-cc
INSPECT=$BUILD/bin/ember-inspect
APPS=$BUILD/apps
MKBAD=$BUILD/tests/mkbad

# Documented exit statuses of ember-vmm (unikernel-rt/include/ember/abi.h).
EXIT_TIMEOUT=124
EXIT_ERROR=125
EXIT_CRASH=126

# No single run of the monitor in these tests takes more than a few
# seconds; this guard only turns a hang into a failure instead of a stuck
# suite. SIGKILL makes `timeout` exit 137, distinct from every status of
# ember-vmm (124 is the monitor's own timeout status).
VMM_GUARD_SEC=${VMM_GUARD_SEC:-60}

kvm_usable() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# The backend for suites that are not per-backend (cli, images,
# toolchain): the product (kvm) where it can run, else process.
# EMBER_BACKEND overrides.
default_backend() {
	if [ -n "${EMBER_BACKEND:-}" ]; then
		echo "$EMBER_BACKEND"
	elif kvm_usable; then
		echo kvm
	else
		echo process
	fi
}
BACKEND=${BACKEND:-$(default_backend)}

# Skip, loudly and with the reason, when the backend cannot run here.
require_backend() {
	if [ "$BACKEND" = kvm ] && ! kvm_usable; then
		if [ -e /dev/kvm ]; then
			skip "/dev/kvm is not readable and writable by $(id -un): KVM backend not tested"
		fi
		skip "no /dev/kvm on this host: KVM backend not tested"
	fi
}

# require_file PATH...: fail (not skip) when a build product is missing:
# `make test` builds everything first, so a missing file is a defect.
require_file() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || fail "missing $f: run 'make' first (or it failed to build)"
	done
}

# run_vmm [OPTIONS...] IMAGE [-- ARGS...]: run ember-vmm on the backend
# under test with bats' `run --separate-stderr` ($status, $output,
# $lines, $stderr, $stderr_lines).
run_vmm() {
	run --separate-stderr timeout -s KILL "$VMM_GUARD_SEC" \
		"$VMM" --backend="$BACKEND" "$@"
}

# run_raw ARGS...: ember-vmm exactly as given (no --backend added).
run_raw() {
	run --separate-stderr timeout -s KILL "$VMM_GUARD_SEC" "$VMM" "$@"
}

# assert_one_line_error PREFIX REGEX: stderr is exactly one line that
# starts with PREFIX ("ember-vmm: ") and matches the extended REGEX
# (case-insensitive), and nothing went to stdout.
assert_one_line_error() {
	local prefix=$1 regex=$2
	if [ "${#stderr_lines[@]}" -ne 1 ]; then
		fail "expected exactly one line on stderr, got ${#stderr_lines[@]}:
$stderr"
	fi
	local line=${stderr_lines[0]}
	[[ "$line" == "$prefix"* ]] ||
		fail "stderr does not start with '$prefix': $line"
	shopt -s nocasematch
	local ok=0
	[[ "$line" =~ $regex ]] && ok=1
	shopt -u nocasematch
	[ "$ok" -eq 1 ] || fail "stderr does not match /$regex/: $line"
	[ -z "$output" ] || fail "expected no stdout, got: $output"
}

# assert_vmm_error REGEX: exit status 125 and one "ember-vmm: " line
# matching REGEX.
assert_vmm_error() {
	assert_equal "$status" "$EXIT_ERROR"
	assert_one_line_error "ember-vmm: " "$1"
}

# assert_stderr_matches REGEX: some stderr line matches (case-insensitive).
assert_stderr_matches() {
	local regex=$1 line
	shopt -s nocasematch
	for line in "${stderr_lines[@]}"; do
		if [[ "$line" =~ $regex ]]; then
			shopt -u nocasematch
			return 0
		fi
	done
	shopt -u nocasematch
	fail "no stderr line matches /$regex/; stderr was:
$stderr"
}

# assert_no_process_with PATTERN: no process's command line contains
# PATTERN (a unique path used only by this test).
assert_no_process_with() {
	local left
	left=$(pgrep -af -- "$1" | grep -v "pgrep" || true)
	[ -z "$left" ] || fail "processes left behind:
$left"
}

# kill_child PID: SIGKILL PID and reap it, if it is still a child of
# this shell: once waited for, its number may be someone else's.
kill_child() {
	local ppid
	ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null) ||
		return 0
	[ "$ppid" = "$BASHPID" ] || return 0
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# ember_cc ARGS...: build an image with ember-cc; fails the test with the
# compiler's output if it does not build.
ember_cc() {
	run "$EMBER_CC" "$@"
	[ "$status" -eq 0 ] || fail "ember-cc $* failed ($status): $output"
}

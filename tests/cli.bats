#!/usr/bin/env bats
# ember-vmm's command line: every flag, and every bad value gets one
# "ember-vmm: " line on stderr and exit status 125.

load helpers/common

setup() {
	require_file "$VMM"
}

HELLO() { echo "$APPS/hello.ember"; }

@test "--help: exit 0, usage on stdout naming every flag and exit status" {
	run_raw --help
	assert_success
	assert_line --index 0 --partial "usage: ember-vmm"
	local flag
	for flag in --mem --env --timeout --stats --quiet --backend \
		--version --help; do
		assert_output --partial -- "$flag"
	done
	local code
	for code in 124 125 126; do
		assert_output --partial "$code"
	done
	assert_equal "$stderr" ""
}

@test "--version: one line with the version and the ABI, exit 0" {
	run_raw --version
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^ember-vmm [0-9]+\.[0-9]+.*ABI 1'
}

@test "an unknown flag: one line naming it, exit 125" {
	run_raw --bogus "$(HELLO)"
	assert_vmm_error "'--bogus'.*--help"
	run_raw -x "$(HELLO)"
	assert_vmm_error "'-x'"
}

@test "no IMAGE: one line, exit 125" {
	run_raw
	assert_vmm_error "missing image"
	run_raw --backend=process --mem 64M
	assert_vmm_error "missing image"
}

@test "a flag without its value: one line naming the flag, exit 125" {
	local flag
	for flag in --mem --env --timeout --backend; do
		run_raw "$flag"
		assert_vmm_error "$flag"
	done
}

@test "options after IMAGE are refused (they go before IMAGE)" {
	run_vmm "$(HELLO)" --mem 64M
	assert_vmm_error "after image"
}

@test "a nonexistent image: one line naming the file, exit 125" {
	run_vmm "$BATS_TEST_TMPDIR/no-such.ember"
	assert_vmm_error "no-such\.ember.*(no such file|not found)"
}

@test "--mem: sizes in bytes and with K/M/G suffixes boot" {
	require_file "$(HELLO)"
	local m
	for m in 67108864 65536K 64M 64m 1G; do
		run_vmm --mem "$m" "$(HELLO)"
		assert_success
		assert_output "Hello from Ember!"
	done
	run_vmm --mem=32M "$(HELLO)"
	assert_success
}

@test "--mem: not a number, exit 125" {
	local m
	for m in abc 64X 64MB "" -1 0x100000 " 64M"; do
		run_vmm --mem "$m" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --mem: .*not a size"
	done
}

@test "--mem: too small (below 4M), exit 125" {
	local m
	for m in 0 1M 4095K; do
		run_vmm --mem "$m" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --mem: .*too small"
	done
}

@test "--mem: too big (above 8G) or overflowing, exit 125" {
	local m
	for m in 9G 8193M 99999999999G 18446744073709551616; do
		run_vmm --mem "$m" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --mem: .*too large"
	done
}

@test "--mem: not a multiple of the page size, exit 125" {
	run_vmm --mem 4097K "$(HELLO)"
	assert_vmm_error "^ember-vmm: --mem: .*multiple"
	run_vmm --mem 67108865 "$(HELLO)"
	assert_vmm_error "^ember-vmm: --mem: .*multiple"
}

@test "--env without '=' or without a name, exit 125" {
	run_vmm --env NOEQUALS "$(HELLO)"
	assert_vmm_error "^ember-vmm: --env: .*KEY=VALUE"
	run_vmm --env =value "$(HELLO)"
	assert_vmm_error "^ember-vmm: --env: .*KEY=VALUE"
}

@test "--timeout: not a positive number of seconds, exit 125" {
	local t
	for t in abc 0 -1 1s "" nan inf 1e300; do
		run_vmm --timeout "$t" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --timeout: "
	done
}

@test "--backend bogus: one line naming the backends, exit 125" {
	run_raw --backend=bogus "$(HELLO)"
	assert_vmm_error "'bogus'.*kvm.*process"
}

@test "without /dev/kvm the default (kvm) backend says so and what to do" {
	if kvm_usable; then
		skip "/dev/kvm is usable here: nothing to report"
	fi
	require_file "$(HELLO)"
	run_raw "$(HELLO)"
	assert_vmm_error "/dev/kvm"
}

@test "--stats=FILE writes valid JSON and leaves stdout to the guest" {
	require_file "$(HELLO)"
	local f=$BATS_TEST_TMPDIR/s.json
	run_vmm --stats="$f" "$(HELLO)"
	assert_success
	assert_output "Hello from Ember!"
	run jq -e . "$f"
	assert_success
}

@test "--stats alone writes the JSON to stderr" {
	require_file "$(HELLO)"
	run_vmm --quiet --stats "$(HELLO)"
	assert_success
	assert_output "Hello from Ember!"
	# With --quiet, the JSON is all there is on stderr.
	printf '%s\n' "$stderr" >"$BATS_TEST_TMPDIR/err.json"
	run jq -e '.timeline_us | type == "object"' "$BATS_TEST_TMPDIR/err.json"
	assert_success
}

@test "--stats to a file that cannot be written: one line, exit 125" {
	require_file "$(HELLO)"
	run_vmm --stats="$BATS_TEST_TMPDIR/no/such/dir/s.json" "$(HELLO)"
	assert_equal "$status" "$EXIT_ERROR"
	assert_stderr_matches '^ember-vmm: .*s\.json'
}

@test "--quiet: no lines from ember-vmm on success" {
	require_file "$(HELLO)"
	run_vmm --quiet "$(HELLO)"
	assert_success
	assert_equal "$stderr" ""
}

@test "--quiet does not hide errors" {
	run_vmm --quiet "$BATS_TEST_TMPDIR/missing.ember"
	assert_vmm_error "missing\.ember"
}

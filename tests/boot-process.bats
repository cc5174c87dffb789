#!/usr/bin/env bats
# Booting the example apps: output, exit statuses, arguments and
# environment, crash reports, timeouts, memory exhaustion, --stats, and
# that nothing is left running afterwards.
#
# Written once, run once per backend: tests/boot-kvm.bats is a symlink to
# this file, and the backend is taken from the file name (boot-NAME.bats).
# The KVM run skips every test, loudly, on hosts without /dev/kvm.

load helpers/common

BACKEND=$(basename "$BATS_TEST_FILENAME" .bats)
BACKEND=${BACKEND#boot-}

setup_file() {
	# An image with default arguments in its manifest, for the tests
	# of manifest arguments. Built once per suite.
	if [ -x "$EMBER_CC" ]; then
		"$EMBER_CC" -O2 -ember-arg=alpha -ember-arg="beta gamma" \
			-o "$BATS_FILE_TMPDIR/args.ember" "$ROOT/apps/hello.c" \
			>"$BATS_FILE_TMPDIR/args.log" 2>&1 || true
	fi
}

setup() {
	require_backend
	require_file "$VMM" "$APPS/hello.ember"
}

@test "[$BACKEND] hello prints its greeting and exits 0" {
	run_vmm "$APPS/hello.ember"
	assert_success
	assert_output "Hello from Ember!"
}

@test "[$BACKEND] --quiet: hello's output only, nothing from the monitor" {
	run_vmm --quiet "$APPS/hello.ember"
	assert_success
	assert_output "Hello from Ember!"
	assert_equal "$stderr" ""
}

@test "[$BACKEND] the guest's exit status is ember-vmm's" {
	local code
	for code in 0 1 42 255; do
		run_vmm "$APPS/exitcode.ember" -- "$code"
		assert_equal "$status" "$code"
	done
}

@test "[$BACKEND] exit statuses are taken modulo 256, like on Linux" {
	run_vmm "$APPS/exitcode.ember" -- 256
	assert_equal "$status" 0
	run_vmm "$APPS/exitcode.ember" -- -1
	assert_equal "$status" 255
}

@test "[$BACKEND] arguments after -- reach main(), including spaces and empty ones" {
	run_vmm "$APPS/hello.ember" -- one "two words" "" 'q"uote'
	assert_success
	assert_equal "${lines[0]}" "Hello from Ember!"
	assert_equal "${lines[1]}" "arg 1: one"
	assert_equal "${lines[2]}" "arg 2: two words"
	assert_equal "${lines[3]}" "arg 3: "
	assert_equal "${lines[4]}" 'arg 4: q"uote'
	assert_equal "${#lines[@]}" 5
}

@test "[$BACKEND] argv[0] is the image's name and argc counts the arguments" {
	run_vmm "$APPS/libc-tour.ember" -- a b
	assert_success
	assert_line "libc-tour: argc=3"
	assert_line "libc-tour: argv[0]=libc-tour.ember"
	assert_line "libc-tour: argv[1]=a"
	assert_line "libc-tour: argv[2]=b"
}

@test "[$BACKEND] --env variables reach the guest's environment" {
	run_vmm --env FOO=bar --env "WITH_SPACE=a b" --env EMPTY= \
		--env EQ=x=y "$APPS/libc-tour.ember"
	assert_success
	assert_line "libc-tour: env FOO=bar"
	assert_line "libc-tour: env WITH_SPACE=a b"
	assert_line "libc-tour: env EMPTY="
	assert_line "libc-tour: env EQ=x=y"
}

@test "[$BACKEND] the host's environment does not leak into the guest" {
	SECRET_HOST_VAR=leak run_vmm "$APPS/libc-tour.ember"
	assert_success
	refute_line --partial "SECRET_HOST_VAR"
}

@test "[$BACKEND] default arguments from the manifest (-ember-arg)" {
	require_file "$BATS_FILE_TMPDIR/args.ember"
	run_vmm "$BATS_FILE_TMPDIR/args.ember"
	assert_success
	assert_output "Hello from Ember!
arg 1: alpha
arg 2: beta gamma"
}

@test "[$BACKEND] arguments after -- replace the manifest's defaults" {
	require_file "$BATS_FILE_TMPDIR/args.ember"
	run_vmm "$BATS_FILE_TMPDIR/args.ember" -- override
	assert_success
	assert_output "Hello from Ember!
arg 1: override"
	# A bare "--" means: no arguments at all.
	run_vmm "$BATS_FILE_TMPDIR/args.ember" --
	assert_success
	assert_output "Hello from Ember!"
}

@test "[$BACKEND] libc-tour passes all of its own checks" {
	run_vmm "$APPS/libc-tour.ember"
	assert_success
	refute_line --partial "FAIL"
	assert_line --regexp '^libc-tour: [0-9]+ checks passed$'
	# atexit handlers run, after main returned, and stdout is flushed.
	assert_equal "${lines[-1]}" "libc-tour: atexit handler ran"
}

@test "[$BACKEND] guest stderr goes to stderr, stdout to stdout" {
	run_vmm "$APPS/crash.ember"
	refute_output --partial "crash: dereferencing"
	assert_stderr_matches '^crash: dereferencing a NULL struct pointer$'
}

@test "[$BACKEND] NULL dereference: crash report names crash_here and the address, exit 126" {
	run_vmm "$APPS/crash.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches 'crash_here'
	# The field read is at offset 0x28 from NULL.
	assert_stderr_matches '0x0*28([^0-9a-f]|$)'
	# The backtrace reaches the caller.
	assert_stderr_matches '\bmain\b'
}

@test "[$BACKEND] unbounded recursion is reported as a stack overflow, exit 126" {
	run_vmm "$APPS/overflow.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches 'stack overflow'
	assert_stderr_matches 'recurse'
}

@test "[$BACKEND] abort() is reported as an abort, exit 126" {
	run_vmm "$APPS/abort.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches 'abort'
}

@test "[$BACKEND] --timeout ends a guest that never exits, exit 124" {
	run_vmm --timeout 1 "$APPS/spin.ember"
	assert_equal "$status" "$EXIT_TIMEOUT"
	assert_stderr_matches '^ember-vmm: .*(timeout|timed out)'
}

@test "[$BACKEND] --timeout accepts fractions of a second" {
	run_vmm --timeout 0.2 "$APPS/spin.ember"
	assert_equal "$status" "$EXIT_TIMEOUT"
}

@test "[$BACKEND] --timeout does not affect a guest that exits in time" {
	run_vmm --timeout 30 "$APPS/exitcode.ember" -- 7
	assert_equal "$status" 7
}

@test "[$BACKEND] memory exhaustion is handled inside the app (--mem 16M)" {
	run_vmm --mem 16M "$APPS/oom.ember"
	assert_success
	assert_output --regexp '^oom: malloc failed after [0-9]+ MiB, handled$'
	local mib=${output#oom: malloc failed after }
	mib=${mib%% *}
	# Less than the guest's memory, but most of what is left.
	[ "$mib" -ge 4 ] && [ "$mib" -lt 16 ] ||
		fail "allocated $mib MiB in a 16 MiB guest"
}

@test "[$BACKEND] --mem sets the guest's memory: more memory, more allocated" {
	run_vmm --mem 64M "$APPS/oom.ember"
	assert_success
	local mib=${output#oom: malloc failed after }
	mib=${mib%% *}
	[ "$mib" -ge 32 ] && [ "$mib" -lt 64 ] ||
		fail "allocated $mib MiB in a 64 MiB guest: $output"
}

@test "[$BACKEND] --stats=FILE writes a JSON boot timeline and exit counts" {
	local f=$BATS_TEST_TMPDIR/stats.json
	run_vmm --stats="$f" "$APPS/hello.ember"
	assert_success
	assert_output "Hello from Ember!"
	require_file "$f"
	run jq -e . "$f"
	assert_success
	check_stats_json "$f"
}

@test "[$BACKEND] a crash still writes --stats" {
	local f=$BATS_TEST_TMPDIR/stats.json
	run_vmm --stats="$f" "$APPS/crash.ember"
	assert_equal "$status" "$EXIT_CRASH"
	run jq -r '.exit_reason + " " + (.exit_status | tostring)' "$f"
	assert_success
	assert_output "crash 126"
}

@test "[$BACKEND] nothing is left running after exit, crash or timeout" {
	# A unique image path marks every process started for this test
	# (the monitor and, on the process backend, its guest child).
	local d=$BATS_TEST_TMPDIR/leftover-$$-$RANDOM app
	mkdir -p "$d"
	for app in hello crash spin; do
		cp "$APPS/$app.ember" "$d/$app.ember"
	done
	run_vmm "$d/hello.ember"
	assert_success
	run_vmm "$d/crash.ember"
	assert_equal "$status" "$EXIT_CRASH"
	run_vmm --timeout 0.3 "$d/spin.ember"
	assert_equal "$status" "$EXIT_TIMEOUT"
	assert_no_process_with "$d/"
}

@test "[$BACKEND] SIGTERM stops the monitor and its guest" {
	local d=$BATS_TEST_TMPDIR/term-$$-$RANDOM
	mkdir -p "$d"
	cp "$APPS/spin.ember" "$d/spin.ember"
	"$VMM" --backend="$BACKEND" --timeout 30 "$d/spin.ember" \
		>"$d/out" 2>"$d/err" &
	local pid=$!
	wait_for_guest "$pid"
	kill -TERM "$pid"
	local st=0
	wait "$pid" || st=$?
	# vm.h: a stop signal ends the VM with 128 + the signal number.
	assert_equal "$st" 143
	assert_no_process_with "$d/"
}

@test "[$BACKEND] SIGKILL of the monitor leaves no guest behind" {
	local d=$BATS_TEST_TMPDIR/kill-$$-$RANDOM
	mkdir -p "$d"
	cp "$APPS/spin.ember" "$d/spin.ember"
	"$VMM" --backend="$BACKEND" --timeout 30 "$d/spin.ember" \
		>/dev/null 2>&1 &
	local pid=$!
	wait_for_guest "$pid"
	kill -KILL "$pid"
	wait "$pid" || true
	# Nobody can reap the guest synchronously here: the kernel kills
	# it when its tracer dies; give it a moment.
	local i
	for i in $(seq 50); do
		pgrep -f -- "$d/" >/dev/null || break
		sleep 0.1
	done
	assert_no_process_with "$d/"
}

# wait_for_guest PID: wait until the monitor PID has been running for a
# moment (and, on the process backend, has started its guest child), so
# a signal hits a running VM rather than start-up.
wait_for_guest() {
	local pid=$1 i
	for i in $(seq 100); do
		if [ "$BACKEND" = process ]; then
			pgrep -P "$pid" >/dev/null && break
		else
			[ "$i" -ge 5 ] && break
		fi
		sleep 0.05
	done
	sleep 0.2
	kill -0 "$pid" || fail "the monitor exited early"
}

# check_stats_json FILE: the --stats document of a hello run: the backend,
# how it ended, a complete boot timeline in order, and counts of exits
# and hypercalls by kind.
check_stats_json() {
	local f=$1
	run jq -r '.backend + " " + .exit_reason + " " + (.exit_status | tostring)' "$f"
	assert_output "$BACKEND exit 0"
	run jq -e '.timeline_us | [.start, .vm_created, .image_loaded,
		.first_instruction, .main, .exit] | all(type == "number")' "$f"
	assert_success
	run jq -e '.timeline_us | .start <= .vm_created and
		.vm_created <= .image_loaded and
		.image_loaded <= .first_instruction and
		.first_instruction <= .main and .main <= .exit' "$f"
	assert_success
	# hello wrote to the console and exited: one exit hypercall, and
	# every hypercall counted as an exit of kind "hypercall".
	run jq -e '.hypercalls.console >= 1 and .hypercalls.exit == 1' "$f"
	assert_success
	run jq -e '.exits.hypercall == ([.hypercalls[]] | add)' "$f"
	assert_success
	run jq -e '.console_bytes == ("Hello from Ember!\n" | length)' "$f"
	assert_success
}

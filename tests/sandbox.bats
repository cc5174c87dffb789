#!/usr/bin/env bats
# The monitor's sandbox (issue #4, item 1): a running ember-vmm has a
# seccomp filter (mode 2, one filter) and no_new_privs; descriptors it
# inherited do not reach the run loop; --user drops it (and the process
# backend's guest process) to an unprivileged user that cannot get root
# back, with one line and exit 125 for every misuse. That the filter
# kills a forbidden call is tests/unit/test_sandbox.c; that it allows
# everything the monitor legitimately does is every other suite, which
# all run with it.

load helpers/common

setup() {
	require_backend
	require_file "$VMM" "$APPS/hello.ember" "$APPS/spin.ember"
	BG=
	NS=
	TMPD=
}

teardown() {
	[ -z "${BG:-}" ] || kill_child "$BG"
	if [ -n "${NS:-}" ]; then
		ip netns del "$NS" 2>/dev/null || true
	fi
	if [ -n "${TMPD:-}" ]; then
		rm -rf "$TMPD"
	fi
}

# start_vmm [PREFIX...] -- ARGS...: ember-vmm in the background (PREFIX:
# e.g. ip netns exec NS, which execs it); pid in $BG. bats' fd 3 is
# closed so that it does not wait for the monitor.
start_vmm() {
	local pre=()
	while [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	"${pre[@]}" "$VMM" --backend="$BACKEND" "$@" \
		>"$BATS_TEST_TMPDIR/bg.out" 2>"$BATS_TEST_TMPDIR/bg.err" 3>&- &
	BG=$!
}

# status_field PID NAME: the value of NAME: in /proc/PID/status.
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null
}

# wait_sandboxed PID: until the monitor has its filter (it installs it
# just before the guest runs); fails after 10 s.
wait_sandboxed() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(status_field "$1" Seccomp)" = 2 ] && return 0
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	fail "ember-vmm (pid $1) never showed Seccomp: 2; stderr:
$(cat "$BATS_TEST_TMPDIR/bg.err")"
}

# The guest process of monitor PID (process backend), if any.
guest_of() {
	pgrep -P "$1" -x ember-guest | head -1
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "not root: --user needs root"
	getent passwd 65534 >/dev/null || skip "no user 65534 on this host"
}

@test "a running monitor has a seccomp filter and no_new_privs" {
	start_vmm -- --timeout 20 "$APPS/spin.ember"
	wait_sandboxed "$BG"
	assert_equal "$(status_field "$BG" Seccomp)" 2
	assert_equal "$(status_field "$BG" Seccomp_filters)" 1
	assert_equal "$(status_field "$BG" NoNewPrivs)" 1
}

@test "descriptors ember-vmm inherits are closed before the guest runs" {
	local d=$BATS_TEST_TMPDIR
	echo secret >"$d/inherited"
	"$VMM" --backend="$BACKEND" --timeout 20 "$APPS/spin.ember" \
		>"$d/bg.out" 2>"$d/bg.err" 3>&- 5<"$d/inherited" \
		7<>"$d/inherited" 9</etc/passwd &
	BG=$!
	wait_sandboxed "$BG"
	run ls -l "/proc/$BG/fd"
	assert_success
	refute_output --partial "$d/inherited"
	refute_output --partial /etc/passwd
	# What is left: stdio and what the backend holds (process: the
	# guest memfd and the guest's pidfd; KVM: /dev/kvm, VM and vCPU).
	run bash -c "ls /proc/$BG/fd | wc -l"
	[ "$output" -le 6 ] || fail "too many fds: $(ls -l "/proc/$BG/fd")"
}

@test "--no-sandbox runs the guest without a filter (debugging)" {
	start_vmm -- --no-sandbox --timeout 20 "$APPS/spin.ember"
	sleep 0.5
	assert_equal "$(status_field "$BG" Seccomp)" 0
	run_vmm --no-sandbox "$APPS/hello.ember"
	assert_success
	assert_output "Hello from Ember!"
}

@test "the sandboxed monitor writes --stats FILE and leaves no temporary" {
	local d=$BATS_TEST_TMPDIR/st
	mkdir "$d"
	run_vmm --stats="$d/s.json" "$APPS/hello.ember"
	assert_success
	run jq -e '.exit_reason == "exit" and .exits.hypercall > 0' "$d/s.json"
	assert_success
	run ls "$d"
	assert_output "s.json"
}

@test "the sandboxed monitor still dies by SIGTERM cleanly (143)" {
	start_vmm -- --timeout 20 "$APPS/spin.ember"
	wait_sandboxed "$BG"
	kill -TERM "$BG"
	local st=0
	wait "$BG" || st=$?
	BG=
	assert_equal "$st" 143
}

@test "--user 65534:65534 runs hello" {
	require_root
	run_vmm --user 65534:65534 "$APPS/hello.ember"
	assert_success
	assert_output "Hello from Ember!"
	assert_equal "$stderr" ""
}

@test "--user: the monitor (and the guest process) run as that user, without root" {
	require_root
	start_vmm -- --user 65534:65534 --timeout 20 "$APPS/spin.ember"
	wait_sandboxed "$BG"
	assert_equal "$(status_field "$BG" Uid)" "65534	65534	65534	65534"
	assert_equal "$(status_field "$BG" Gid)" "65534	65534	65534	65534"
	assert_equal "$(status_field "$BG" Groups)" ""
	assert_equal "$(status_field "$BG" CapEff)" 0000000000000000
	assert_equal "$(status_field "$BG" CapPrm)" 0000000000000000
	if [ "$BACKEND" = process ]; then
		local g
		g=$(guest_of "$BG")
		[ -n "$g" ] || fail "no guest process under $BG"
		assert_equal "$(status_field "$g" Uid)" "65534	65534	65534	65534"
		assert_equal "$(status_field "$g" CapEff)" 0000000000000000
	fi
}

@test "--user: the guest is still stopped by --timeout and crashes are still reported" {
	require_root
	run_vmm --user 65534 --timeout 0.5 "$APPS/spin.ember"
	assert_equal "$status" "$EXIT_TIMEOUT"
	run_vmm --user 65534 "$APPS/crash.ember"
	assert_equal "$status" "$EXIT_CRASH"
	assert_stderr_matches "NULL pointer dereference"
}

@test "--user with --stats FILE: written by that user" {
	require_root
	# Where 65534 may rename files: not under bats' private tmpdir.
	local d
	d=$(mktemp -d /tmp/ember-sandbox-XXXXXX)
	TMPD=$d
	chown 65534:65534 "$d"
	run_vmm --user 65534:65534 --stats="$d/s.json" "$APPS/hello.ember"
	assert_success
	run jq -e '.exit_reason == "exit"' "$d/s.json"
	assert_success
	assert_equal "$(stat -c %u:%g "$d/s.json")" 65534:65534
	run ls "$d"
	assert_output "s.json"
}

@test "--user: bad values are one line and 125" {
	local v
	for v in abc 65534: :65534 -1 4294967295 99999999999 "65534:x" 0 0:0 65534:0; do
		run_raw --user "$v" "$APPS/hello.ember"
		assert_vmm_error "--user: '$v'"
	done
	run_raw --user
	assert_vmm_error "--user needs a value"
}

@test "--user without root is one line and 125" {
	[ "$(id -u)" -eq 0 ] || {
		run_vmm --user 65534 "$APPS/hello.ember"
		assert_vmm_error "--user needs root"
		return
	}
	command -v setpriv >/dev/null || skip "no setpriv (util-linux) to drop root"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$VMM" --backend="$BACKEND" --user 65534 \
		"$APPS/hello.ember"
	assert_vmm_error "--user needs root: ember-vmm runs as uid 65534"
}

@test "--user with --net: httpd serves from a tap it created, which goes away" {
	require_root
	[ -c /dev/net/tun ] || skip "no /dev/net/tun on this host"
	command -v ip >/dev/null || skip "no ip command (iproute2)"
	command -v curl >/dev/null || skip "no curl"
	require_file "$APPS/httpd.ember"
	NS=ember-sandbox-$$
	ip netns add "$NS" || { NS= && skip "cannot create a network namespace"; }
	start_vmm ip netns exec "$NS" -- --user 65534:65534 --timeout 30 \
		--net embsb0 --ip 10.9.7.2/24 "$APPS/httpd.ember"
	wait_sandboxed "$BG"
	ip netns exec "$NS" ip addr add 10.9.7.1/24 dev embsb0
	run ip netns exec "$NS" curl -sf --max-time 10 --retry 20 \
		--retry-connrefused --retry-delay 0 http://10.9.7.2:8080/json
	assert_success
	assert_output --partial '"server":"ember-httpd"'
	assert_equal "$(status_field "$BG" Uid)" "65534	65534	65534	65534"
	kill -TERM "$BG"
	wait "$BG" || true
	BG=
	run ip netns exec "$NS" ip link show embsb0
	assert_failure
}

#!/usr/bin/env bats
# ember-vmm's network options and its tap handling (issue #3): every bad
# --net/--mac/--ip/--gw/--dns value and every tap problem (missing and no
# permission to create it, busy, not a tap) is one "ember-vmm: " line and
# exit 125; a tap ember-vmm creates is removed when it exits, however it
# exits (normal exit, --timeout, guest crash, SIGTERM, SIGKILL); a tap it
# did not create is left alone; an image that needs a network device
# does not boot without one.
#
# The tap tests run as root in a network namespace each test creates and
# deletes; without root (or /dev/net/tun, or ip) they skip, saying why.
# Guest-side networking (the runtime's driver) is tested in net.bats.

load helpers/common

setup_file() {
	# An image whose manifest says it needs a network device.
	if [ -x "$EMBER_CC" ]; then
		"$EMBER_CC" -O2 -ember-net -o "$BATS_FILE_TMPDIR/netreq.ember" \
			"$ROOT/apps/hello.c" >"$BATS_FILE_TMPDIR/netreq.log" 2>&1 ||
			true
	fi
}

setup() {
	require_backend
	require_file "$VMM" "$APPS/hello.ember" "$APPS/spin.ember"
	NS=
	BG=
}

teardown() {
	[ -z "${BG:-}" ] || kill_child "$BG"
	if [ -n "${NS:-}" ]; then
		ip netns del "$NS" 2>/dev/null || true
	fi
}

HELLO() { echo "$APPS/hello.ember"; }

# Root, /dev/net/tun and a fresh network namespace $NS, or skip loudly.
require_netns() {
	[ "$(id -u)" -eq 0 ] ||
		skip "not root: tap tests need a network namespace (run as root)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun on this host: no tap support"
	command -v ip >/dev/null || skip "no ip command (iproute2)"
	NS=ember-netcli-$$-$BATS_TEST_NUMBER
	ip netns add "$NS" || { NS= && skip "cannot create a network namespace"; }
}

in_ns() {
	ip netns exec "$NS" "$@"
}

# run_vmm_ns ARGS...: ember-vmm in the namespace (ip netns exec execs it,
# so $status is ember-vmm's).
run_vmm_ns() {
	run --separate-stderr timeout -s KILL "$VMM_GUARD_SEC" \
		ip netns exec "$NS" "$VMM" --backend="$BACKEND" "$@"
}

# start_vmm_ns ARGS...: ember-vmm in the background in the namespace;
# its pid in $BG, its stderr in $BATS_TEST_TMPDIR/bg.err.
start_vmm_ns() {
	ip netns exec "$NS" "$VMM" --backend="$BACKEND" "$@" \
		>"$BATS_TEST_TMPDIR/bg.out" 2>"$BATS_TEST_TMPDIR/bg.err" &
	BG=$!
}

link_exists() {
	in_ns ip link show "$1" >/dev/null 2>&1
}

# wait_for COMMAND...: up to 5 s for COMMAND to succeed.
wait_for() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

link_gone() {
	! link_exists "$1"
}

# The tap has a reader attached (carrier on; the tap must be up).
tap_attached() {
	[ "$(in_ns cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]
}

# ---- option values (no root needed) --------------------------------

@test "--help lists the network options" {
	run_raw --help
	assert_success
	local flag
	for flag in --net --mac --ip --gw --dns; do
		assert_output --partial -- "$flag"
	done
}

@test "--ip/--gw/--dns/--mac without --net: one line, exit 125" {
	run_vmm --ip 10.0.0.2/24 "$(HELLO)"
	assert_vmm_error "--ip needs a network device.*--net TAP"
	run_vmm --mac 02:00:00:00:00:01 "$(HELLO)"
	assert_vmm_error "--mac needs a network device"
	run_vmm --dns 10.0.0.1 "$(HELLO)"
	assert_vmm_error "--dns needs a network device"
	run_vmm --gw 10.0.0.1 "$(HELLO)"
	assert_vmm_error "--gw needs a network device"
}

@test "--ip: bad values, one line naming the value, exit 125" {
	local v
	for v in 10.0.0.2 10.0.0.2/ 10.0.0.2/33 10.0.0.2/0 10.0.0.2/24x \
		300.0.0.1/24 10.0.0/24 /24 abc 224.0.0.1/24 0.0.0.0/8 \
		127.0.0.1/8 255.255.255.255/32; do
		run_vmm --net tap0 --ip "$v" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --ip: '$v'"
	done
}

@test "--mac: bad values, one line naming the value, exit 125" {
	local v
	for v in 02:00:00:00:00 02:00:00:00:00:01:02 02-00-00-00-00-01 \
		0g:00:00:00:00:01 2:0:0:0:0:1 020000000001 '' \
		01:00:5e:00:00:01 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff; do
		run_vmm --net tap0 --mac "$v" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --mac: '$v'"
	done
}

@test "--gw and --dns: bad values, one line, exit 125" {
	local v
	for v in 10.0.0 1.2.3.4.5 x 0.0.0.0 239.1.1.1; do
		run_vmm --net tap0 --dns "$v" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --dns: '$v' is not a unicast"
		run_vmm --net tap0 --ip 10.0.0.2/24 --gw "$v" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --gw: '$v' is not a unicast"
	done
	run_vmm --net tap0 --ip 10.0.0.2/24 --gw 10.0.1.1 "$(HELLO)"
	assert_vmm_error "--gw: 10\.0\.1\.1 is outside the --ip subnet"
	run_vmm --net tap0 --ip 10.0.0.2/24 --gw 10.0.0.2 "$(HELLO)"
	assert_vmm_error "--gw: 10\.0\.0\.2 is the guest's own"
	run_vmm --net tap0 --gw 10.0.0.1 "$(HELLO)"
	assert_vmm_error "--gw needs --ip"
	run_vmm --net tap0 --dns 10.0.0.1 --dns 10.0.0.2 --dns 10.0.0.3 \
		--dns 10.0.0.4 --dns 10.0.0.5 "$(HELLO)"
	assert_vmm_error "--dns: at most 4"
}

@test "--net: a bad name or a second --net, one line, exit 125" {
	local v
	for v in '' tap/0 'tap 0' 0123456789abcdef tap%d . .. 'a:b'; do
		run_vmm --net "$v" "$(HELLO)"
		assert_vmm_error "^ember-vmm: --net: '$v' is not a tap"
	done
	run_vmm --net tap0 --net tap1 "$(HELLO)"
	assert_vmm_error "--net given twice"
	run_vmm --net
	assert_vmm_error "--net needs a value"
}

@test "an image that needs a network device does not boot without --net" {
	require_file "$BATS_FILE_TMPDIR/netreq.ember"
	run_vmm "$BATS_FILE_TMPDIR/netreq.ember"
	assert_vmm_error "netreq\.ember needs a network device: run with --net TAP"
}

# ---- taps (root, in a network namespace) ----------------------------

@test "--net: creates a missing tap, boots, and removes the tap at exit" {
	require_netns
	local f=$BATS_TEST_TMPDIR/stats.json
	run_vmm_ns --net embt0 --ip 10.9.0.2/24 --gw 10.9.0.1 \
		--dns 10.9.0.1 --stats="$f" "$(HELLO)"
	assert_success
	assert_output "Hello from Ember!"
	assert_equal "$stderr" ""
	link_gone embt0 || fail "tap embt0 was left behind"
	run jq -e '.net.tx_packets == 0 and .net.rx_dropped == 0 and
		(.exits | has("notify") and has("mmio"))' "$f"
	assert_success
}

@test "the image that needs a network device boots with --net" {
	require_netns
	require_file "$BATS_FILE_TMPDIR/netreq.ember"
	run_vmm_ns --net embt0 "$BATS_FILE_TMPDIR/netreq.ember"
	assert_success
	assert_output "Hello from Ember!"
}

@test "a created tap is up while the guest runs and gone after SIGTERM" {
	require_netns
	start_vmm_ns --net embt1 "$APPS/spin.ember"
	wait_for link_exists embt1 || fail "tap embt1 never appeared"
	run in_ns ip link show embt1
	assert_output --partial "UP"
	kill -TERM "$BG"
	local st=0
	wait "$BG" || st=$?
	BG=
	assert_equal "$st" 143
	wait_for link_gone embt1 || fail "tap embt1 left after SIGTERM"
}

@test "a created tap is removed after --timeout, a guest crash, SIGKILL" {
	require_netns
	run_vmm_ns --net embt2 --timeout 0.3 "$APPS/spin.ember"
	assert_equal "$status" "$EXIT_TIMEOUT"
	link_gone embt2 || fail "tap embt2 left after --timeout"
	run_vmm_ns --net embt2 "$APPS/crash.ember"
	assert_equal "$status" "$EXIT_CRASH"
	link_gone embt2 || fail "tap embt2 left after a guest crash"
	start_vmm_ns --net embt2 "$APPS/spin.ember"
	wait_for link_exists embt2 || fail "tap embt2 never appeared"
	kill -KILL "$BG"
	wait "$BG" || true
	BG=
	wait_for link_gone embt2 || fail "tap embt2 left after SIGKILL"
}

@test "an existing tap is attached to and left in place" {
	require_netns
	in_ns ip tuntap add dev embp0 mode tap
	run_vmm_ns --net embp0 "$(HELLO)"
	assert_success
	assert_output "Hello from Ember!"
	link_exists embp0 || fail "ember-vmm removed a tap it did not create"
}

@test "a busy tap: one line naming it, exit 125" {
	require_netns
	in_ns ip tuntap add dev embb0 mode tap
	in_ns ip link set embb0 up
	start_vmm_ns --net embb0 --timeout 30 "$APPS/spin.ember"
	wait_for tap_attached embb0 || fail "the first ember-vmm never attached"
	run_vmm_ns --net embb0 "$(HELLO)"
	assert_vmm_error "tap embb0 is busy"
}

@test "a missing tap without permission to create it: one line, exit 125" {
	require_netns
	command -v capsh >/dev/null ||
		skip "no capsh (libcap2-bin): cannot drop CAP_NET_ADMIN"
	run --separate-stderr timeout -s KILL "$VMM_GUARD_SEC" \
		ip netns exec "$NS" capsh --drop=cap_net_admin -- -c \
		'exec "$0" --backend="$1" --net embm0 "$2"' \
		"$VMM" "$BACKEND" "$(HELLO)"
	assert_vmm_error "tap embm0 does not exist and ember-vmm may not create it.*CAP_NET_ADMIN"
	link_gone embm0 || fail "a tap was created without CAP_NET_ADMIN"
}

@test "not a single-queue tap (a multi-queue tap, lo): one line, exit 125" {
	require_netns
	in_ns ip tuntap add dev embq0 mode tap multi_queue
	run_vmm_ns --net embq0 "$(HELLO)"
	assert_vmm_error "embq0 is not a single-queue tap"
	run_vmm_ns --net lo "$(HELLO)"
	assert_vmm_error "lo is not a single-queue tap"
}

#!/usr/bin/env bats
# Bad network input: one httpd guest (build/apps/httpd.ember under
# ember-vmm on a tap in a namespace this suite makes) takes batches of
# hostile frames from the host side of its tap (build/tests/inject,
# tests/helpers/inject*.c: an AF_PACKET socket on the tap): malformed
# Ethernet, ARP, IPv4, TCP, UDP and ICMP, fragments, SYN floods, RST/FIN
# storms, zero-window connections, jumbo frames, random and mutated
# frames. After every batch the same guest must still answer correct
# HTTP (GET / and a 64 KiB POST /echo compared by SHA-256) and ember-vmm
# must still run; at the end it stops on SIGTERM as documented, its
# network device never stopped, and it counted the jumbo frames as
# dropped. The tests run in order on that one guest (bats runs a file's
# tests in order); after the first crash the rest fail too.
# Backend: EMBER_BACKEND, else kvm when /dev/kvm is usable, else
# process. Root, /dev/net/tun and `ip netns` are needed; without them
# every test skips and says why. The random frames come from a seed
# printed by inject (INJECT_SEED to replay one).

load helpers/common
NET_GUEST=unikernel
NET_SUBNET=10.214.6.0/24
load helpers/net

INJECT=$BUILD/tests/inject
GUEST_MAC=02:00:00:00:06:02

setup_file() {
	net_setup_file
	[ -z "$NET_SKIP" ] && [ -z "$NET_BROKEN" ] || return 0
	export HOSTILE_DIR=$BATS_FILE_TMPDIR HOSTILE_PID INJECT_SEED
	INJECT_SEED=${INJECT_SEED:-$(date +%s)}
	eval "$("$NET_TOOL" env "$NETNS")"
	head -c 65536 /dev/urandom >"$HOSTILE_DIR/body"
	# One guest for the whole file, run by a shell that records its
	# exit status (it is not the tests' child); fd 3 closed so that
	# bats does not wait for it.
	bash -c '"$@" & echo $! >"$HOSTILE_DIR/pid"; wait $!; echo $? >"$HOSTILE_DIR/status"' \
		guest ip netns exec "$NETNS" "$VMM" --backend="$BACKEND" \
		--net tap0 --mac "$GUEST_MAC" \
		--ip "$EMBER_GUEST_IP/$EMBER_PREFIX" --gw "$EMBER_GW" \
		--stats="$HOSTILE_DIR/stats.json" "$APPS/httpd.ember" \
		-- -p "$NET_PORT" >"$HOSTILE_DIR/httpd.out" \
		2>"$HOSTILE_DIR/httpd.err" 3>&- &
	local i
	for ((i = 0; i < 200; i++)); do
		[ -s "$HOSTILE_DIR/pid" ] && HOSTILE_PID=$(cat "$HOSTILE_DIR/pid")
		[ -n "${HOSTILE_PID:-}" ] &&
			grep -q "listening on" "$HOSTILE_DIR/httpd.out" && return 0
		sleep 0.05
	done
}

teardown_file() {
	if [ -n "${HOSTILE_PID:-}" ] && kill -0 "$HOSTILE_PID" 2>/dev/null; then
		kill -KILL "$HOSTILE_PID" 2>/dev/null || true
	fi
	net_teardown_file
}

setup() {
	net_setup
	require_backend
	require_file "$INJECT"
	[ -n "${HOSTILE_PID:-}" ] || fail "the guest was not started"
}

# inject [-n COUNT] KIND...: a batch from the host side of tap0.
inject() {
	local n=3000
	if [ "$1" = -n ]; then
		n=$2
		shift 2
	fi
	run in_ns "$INJECT" -i tap0 -m "$GUEST_MAC" -a "$EMBER_GUEST_IP" \
		-g "$EMBER_HOST_IP" -p "$NET_PORT" -n "$n" -s "$INJECT_SEED" "$@"
	assert_success
	local k
	for k in "$@"; do
		assert_line --regexp "^inject: $k: [1-9][0-9]* frames sent"
	done
}

# The guest still runs and answers correctly.
assert_healthy() {
	alive "$HOSTILE_PID" || fail "ember-vmm is gone; stderr:
$(cat "$HOSTILE_DIR/httpd.err")"
	local url=http://$EMBER_GUEST_IP:$NET_PORT
	run in_ns curl -sS --max-time 10 -w '\n%{http_code}\n' "$url/"
	assert_success
	assert_output --partial "<h1>Hello from Ember!</h1>"
	assert_line --index -1 200
	local want got
	want=$(sha256sum <"$HOSTILE_DIR/body" | cut -d' ' -f1)
	got=$(in_ns curl -sS --max-time 10 --data-binary "@$HOSTILE_DIR/body" \
		"$url/echo" | sha256sum | cut -d' ' -f1)
	assert_equal "$got" "$want"
}

@test "the guest serves before any bad input" {
	assert_healthy
}

@test "Ethernet: runts, unknown EtherTypes, VLAN tags, broadcast garbage, own MAC" {
	inject eth
	assert_healthy
}

@test "ARP: bad types and lengths, truncated, odd opcodes, cache churn, address conflict" {
	inject arp
	assert_healthy
}

@test "ARP spoofing of the gateway: the guest survives, and a real announcement repairs it" {
	inject arp-spoof
	alive "$HOSTILE_PID" || fail "ember-vmm is gone"
	inject arp-restore
	assert_healthy
}

@test "IPv4: bad version, IHL, total length, checksum, protocol, addresses, options" {
	inject ip
	assert_healthy
}

@test "IPv4 options on valid SYNs and pings (NOP, RR, TS, LSRR, bad lengths)" {
	inject -n 2000 ip-options
	assert_healthy
}

@test "fragments: overlapping, duplicated, tiny, past 64 KiB, never completed; reassembly still works" {
	inject frag
	assert_healthy
	# A 3000-byte ping is fragmented by the host and reassembled by
	# the guest (and its answer by the host).
	run in_ns ping -c 2 -i 0.2 -W 2 -s 3000 "$EMBER_GUEST_IP"
	assert_success
	assert_output --partial "2 received"
}

@test "TCP: bad data offsets and checksums, every flag combination, bad options" {
	inject tcp
	assert_healthy
}

@test "SYN flood: 5000 SYNs from random addresses; new connections are served right after" {
	inject -n 5000 syn-flood
	assert_healthy
}

@test "RST and FIN storms at random sequence numbers" {
	inject rst-fin
	assert_healthy
}

@test "UDP: length over and under the datagram, bad and absent checksums" {
	inject udp
	assert_healthy
}

@test "ICMP: unknown types, redirects, truncated, bad checksums" {
	inject -n 2000 icmp
	assert_healthy
}

@test "jumbo frames (1515 to 9014 bytes) are dropped by the device" {
	ip -n "$EMBER_NETNS" link set tap0 mtu 9000
	inject -n 300 jumbo
	ip -n "$EMBER_NETNS" link set tap0 mtu 1500
	assert_healthy
}

@test "random frames and mutated valid frames" {
	inject -n 5000 random mutate
	assert_healthy
}

@test "50 zero-window connections holding requests" {
	inject -n 50 zero-window
	assert_healthy
}

@test "hostile frames while 50 clients do keep-alive requests" {
	in_ns "$INJECT" -i tap0 -m "$GUEST_MAC" -a "$EMBER_GUEST_IP" \
		-g "$EMBER_HOST_IP" -p "$NET_PORT" -n 4000 -r 10000 \
		-s "$INJECT_SEED" tcp rst-fin syn-flood mutate random \
		>"$BATS_TEST_TMPDIR/inject.out" 2>&1 &
	local inj=$!
	GUEST_PIDS+=("$inj")
	run in_ns "$CONNS" -r 20 "$EMBER_GUEST_IP" "$NET_PORT" 50
	assert_success
	assert_output "conns: 50 connections x 20 rounds: 1000 responses 200"
	wait "$inj" || fail "inject failed: $(cat "$BATS_TEST_TMPDIR/inject.out")"
	assert_healthy
}

@test "after all of it: SIGTERM stops ember-vmm (143); the device never stopped; jumbo frames counted as dropped" {
	assert_healthy
	kill -TERM "$HOSTILE_PID"
	local i
	for ((i = 0; i < 50; i++)); do
		alive "$HOSTILE_PID" || break
		sleep 0.1
	done
	alive "$HOSTILE_PID" && fail "ember-vmm still runs 5 s after SIGTERM"
	for ((i = 0; i < 20; i++)); do
		[ -s "$HOSTILE_DIR/status" ] && break
		sleep 0.05
	done
	run cat "$HOSTILE_DIR/status"
	assert_output 143
	# One line from ember-vmm: no "network device stopped", no crash.
	run cat "$HOSTILE_DIR/httpd.err"
	assert_output "ember-vmm: stopped by SIGTERM; the VM was shut down"
	run jq -e '.net.rx_dropped > 0 and .net.rx_packets > 30000' \
		"$HOSTILE_DIR/stats.json"
	assert_success
}

#!/usr/bin/env bats
# Networking end to end: the apps as unikernel images (build/apps/httpd,
# udp-echo, fetch .ember) under ember-vmm with a virtio-net device on a
# tap in a network namespace this suite makes and removes
# (tools/ember-net), reached by ordinary Linux clients (ping, curl, wrk,
# nc) in that namespace. The same tests run against the native build in
# net-native.bats. Backend: EMBER_BACKEND, else kvm when /dev/kvm is
# usable, else process. Root, /dev/net/tun and `ip netns` are needed;
# without them every test skips and says why.
# (A missing or busy tap is tests/net-cli.bats' subject.)

load helpers/common
NET_GUEST=unikernel
NET_SUBNET=10.214.1.0/24
load helpers/net

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
setup() {
	net_setup
	require_backend
}
teardown() {
	net_teardown
	if [ -n "${NAT_NS:-}" ]; then
		"$NET_TOOL" down "$NAT_NS" --force >/dev/null
	fi
}

@test "ping the guest" { body_ping; }
@test "httpd: GET /, /json, 404, keep-alive" { body_get; }
@test "httpd: pipelined requests, chunked upload 411, bad request 400" { body_http_edge_cases; }
@test "httpd: POST /echo of 1 MiB, compared by SHA-256" { body_echo 1; }
@test "httpd: POST /echo of 16 MiB, compared by SHA-256" { body_echo 16; }
@test "httpd: 200 concurrent keep-alive connections all answered" { body_concurrent; }
@test "guest as client: fetch by address: body on 200, status 5 on 404, 3 when refused" { body_fetch_by_address; }
@test "guest as client: fetch by name through dnsmasq in the namespace (--dns)" { body_fetch_by_name; }
@test "udp-echo returns each datagram" { body_udp_echo; }
@test "httpd -n: the guest exits with its own status while connections are open" { body_app_exits_with_open_connections; }
@test "httpd -m: connections past the memory limit are closed, the others served" { body_memory_limit; }

# Voluntary context switches of ember-vmm: on either backend it sleeps
# in the kernel while its guest is blocked and wakes with it.
wakeups() {
	awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$1/status"
}

@test "an idle guest sleeps: no wake-ups once the network is quiet, idle keep-alive connections open" {
	start_guest httpd -p "$NET_PORT"
	run in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://$EMBER_GUEST_IP:$NET_PORT/"
	assert_output 200
	# Five clients keep their connections open, idle, after a request.
	ip netns exec "$EMBER_NETNS" "$CONNS" -H 15000 "$EMBER_GUEST_IP" \
		"$NET_PORT" 5 >"$BATS_TEST_TMPDIR/held" 2>&1 &
	GUEST_PIDS+=("$!")
	wait_for_line "$BATS_TEST_TMPDIR/held" "^conns: 5 connections"
	# lwIP's ARP and reassembly tick stops at the first second without
	# traffic, and its TCP timer is slept past while every connection is
	# idle (unikernel-rt/lwip/on_demand_timers.c).
	sleep 3
	local before after
	before=$(wakeups "$GUEST_PID")
	sleep 5
	after=$(wakeups "$GUEST_PID")
	# With lwIP's timers always on it woke ~5 times a second, ~9 with
	# connections open.
	((after - before <= 2)) ||
		fail "the idle VM woke $((after - before)) times in 5 s"
	# And it still answers at once.
	run in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://$EMBER_GUEST_IP:$NET_PORT/"
	assert_output 200
}

@test "DHCP: without --ip the guest takes an address from dnsmasq and answers on it" {
	local lease_ip=${EMBER_GUEST_IP%.*}.77
	local leases=$BATS_TEST_TMPDIR/leases
	dns_in_ns --dhcp-range="$lease_ip,$lease_ip,255.255.255.0,2m" \
		--dhcp-leasefile="$leases" --interface="$EMBER_TAP" --no-ping
	NO_IP=1 start_guest httpd -p "$NET_PORT"
	# dnsmasq's lease file: "EXPIRY MAC IP HOSTNAME CLIENT-ID".
	wait_for_line "$leases" " ${lease_ip//./\\.} "
	run in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://$lease_ip:$NET_PORT/"
	assert_output 200
}

@test "SIGTERM stops ember-vmm (143) with connections open; an existing tap stays, a created one goes" {
	start_guest httpd -p "$NET_PORT"
	ip netns exec "$EMBER_NETNS" "$CONNS" -H 10000 "$EMBER_GUEST_IP" \
		"$NET_PORT" 5 >"$BATS_TEST_TMPDIR/held" 2>&1 &
	GUEST_PIDS+=("$!")
	wait_for_line "$BATS_TEST_TMPDIR/held" "^conns: 5 connections"
	kill -TERM "$GUEST_PID"
	wait_exit "$GUEST_PID" 5
	assert_equal "$GUEST_STATUS" 143
	run ip -n "$EMBER_NETNS" link show "$EMBER_TAP"
	assert_success # made by ember-net, not by ember-vmm: kept
	run head -n 1 "$BATS_TEST_TMPDIR/held"
	assert_output "conns: 5 connections x 1 rounds: 5 responses 200"

	# A tap ember-vmm creates itself is removed when it is stopped.
	ip netns exec "$EMBER_NETNS" "$VMM" --backend="$BACKEND" \
		--net etap9 --ip "$EMBER_GUEST_IP/$EMBER_PREFIX" \
		"$APPS/httpd.ember" -- -p "$NET_PORT" \
		>"$BATS_TEST_TMPDIR/vmm2.out" 2>&1 &
	local vmm=$!
	GUEST_PIDS+=("$vmm")
	wait_for_line "$BATS_TEST_TMPDIR/vmm2.out" "listening"
	run ip -n "$EMBER_NETNS" link show etap9
	assert_success
	kill -TERM "$vmm"
	wait_exit "$vmm" 5
	assert_equal "$GUEST_STATUS" 143
	run ip -n "$EMBER_NETNS" link show etap9
	assert_failure
}

@test "--timeout stops a serving guest (124) with connections open" {
	VMM_EXTRA=(--timeout 1)
	start_guest httpd -p "$NET_PORT"
	ip netns exec "$EMBER_NETNS" "$CONNS" -H 10000 "$EMBER_GUEST_IP" \
		"$NET_PORT" 5 >/dev/null 2>&1 &
	GUEST_PIDS+=("$!")
	wait_exit "$GUEST_PID" 5
	assert_equal "$GUEST_STATUS" "$EXIT_TIMEOUT"
}

@test "--stats counts the network device's packets and bytes" {
	VMM_EXTRA=(--stats="$BATS_TEST_TMPDIR/stats.json")
	start_guest httpd -p "$NET_PORT" -n 1
	run in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://$EMBER_GUEST_IP:$NET_PORT/"
	assert_output 200
	wait_exit "$GUEST_PID" 5
	assert_equal "$GUEST_STATUS" 0
	run jq -e '.net.rx_packets > 0 and .net.tx_packets > 0 and
		.net.rx_bytes > 0 and .net.tx_bytes > 0' \
		"$BATS_TEST_TMPDIR/stats.json"
	assert_success
}

@test "ember-net --nat: the guest reaches the host through the bridge, by its gateway and by a route" {
	local ns=emt-$$-nat
	NAT_NS=$ns
	"$NET_TOOL" up "$ns" --nat --subnet 10.214.9.0/24 >/dev/null
	local out=$BATS_TEST_TMPDIR/host-httpd.out
	"$BUILD/native/httpd" -p 0 >"$out" 2>&1 &
	GUEST_PIDS+=("$!")
	wait_for_line "$out" "listening on :[0-9]+"
	local port
	port=$(sed -n 's/.*listening on :\([0-9]*\).*/\1/p' "$out")
	local vmm=(ip netns exec "$ns" "$VMM" --backend="$BACKEND" --net tap0
		--ip 10.214.9.2/24 --gw 10.214.9.254 "$APPS/fetch.ember" --)
	run --separate-stderr timeout -s KILL 30 "${vmm[@]}" "http://10.214.9.254:$port/json"
	assert_success
	assert_output --partial '"server":"ember-httpd"'
	# Another address of the host: not on the subnet, so through the
	# gateway (the default route).
	local other
	other=$(ip -4 -o addr show scope global | awk '{ sub("/.*", "", $4); print $4 }' |
		grep -v '^10\.214\.9\.' | head -n 1 || true)
	[ -n "$other" ] || skip "the host has no other global IPv4 address to route to"
	run --separate-stderr timeout -s KILL 30 "${vmm[@]}" "http://$other:$port/json"
	[ "$status" -eq 0 ] || fail "status $status, stderr: $stderr"
	assert_output --partial '"server":"ember-httpd"'
}

#!/usr/bin/env bats
# The network apps built natively with gcc (build/native/httpd, udp-echo,
# fetch): the benchmark baseline, in a network namespace behind a veth
# pair at the same addresses the unikernel suite (net.bats) uses, with
# the same tests. Root, /dev/net/tun and `ip netns` are needed; without
# them every test skips and says why.

load helpers/common
NET_GUEST=native
NET_SUBNET=10.214.2.0/24
load helpers/net

setup_file() { net_setup_file; }
teardown_file() { net_teardown_file; }
setup() { net_setup; }
teardown() { net_teardown; }

@test "native: ping the guest address" { body_ping; }
@test "native: httpd: GET /, /json, 404, keep-alive" { body_get; }
@test "native: httpd: POST /echo of 1 MiB, compared by SHA-256" { body_echo 1; }
@test "native: httpd: POST /echo of 16 MiB, compared by SHA-256" { body_echo 16; }
@test "native: httpd: 200 concurrent keep-alive connections all answered" { body_concurrent; }
@test "native: fetch by address: body on 200, status 5 on 404, 3 when refused" { body_fetch_by_address; }
@test "native: fetch by name through dnsmasq in the namespace" { body_fetch_by_name; }
@test "native: udp-echo returns each datagram" { body_udp_echo; }
@test "native: httpd -n exits with its own status while connections are open" { body_app_exits_with_open_connections; }
@test "native: httpd -m: connections past the memory limit are closed, the others served" { body_memory_limit; }

@test "native: httpd: pipelined requests, chunked upload 411, bad request 400" { body_http_edge_cases; }

@test "native: httpd stops with status 0 on SIGTERM" {
	start_guest httpd -p "$NET_PORT"
	ip netns exec "$EMBER_NETNS" "$CONNS" -H 10000 "$EMBER_GUEST_IP" \
		"$NET_PORT" 3 >"$BATS_TEST_TMPDIR/held" 2>&1 &
	GUEST_PIDS+=("$!")
	wait_for_line "$BATS_TEST_TMPDIR/held" "^conns: 3 connections"
	kill -TERM "$GUEST_PID"
	wait_exit "$GUEST_PID" 5
	assert_equal "$GUEST_STATUS" 0
}

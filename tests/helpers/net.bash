# shellcheck shell=bash disable=SC2034,SC2154
# (SC2034: the variables are for the suites; SC2154: bats sets $status...)
#
# The network suites' shared part: one network namespace per suite file
# (made with tools/ember-net in setup_file, removed in teardown_file even
# when tests fail), a "guest" to run the apps in, clients in the
# namespace, and the test bodies both suites run.
#
# Two kinds of guest, chosen by the suite with NET_GUEST before loading:
#   unikernel  build/apps/APP.ember under ember-vmm (EMBER_BACKEND, else
#              kvm when /dev/kvm is usable, else process) on the
#              namespace's tap, at the guest address
#   native     build/native/APP (the same source built with gcc) in a
#              second namespace behind a veth pair, at the same address:
#              the benchmark baseline, checked by the same tests
# Load after helpers/common.

NET_TOOL=$ROOT/tools/ember-net
CONNS=$BUILD/tests/conns
NET_PORT=8080

# Why this host cannot run network namespace tests ("" if it can).
net_unavailable() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root: the network suites need root to create network namespaces and taps"
	elif [ ! -c /dev/net/tun ]; then
		echo "/dev/net/tun is missing (modprobe tun): no tap devices"
	elif ! command -v ip >/dev/null; then
		echo "the ip command is missing (make deps installs iproute2)"
	elif ! ip netns list >/dev/null 2>&1; then
		echo "'ip netns' does not work here: no network namespaces"
	fi
}

# setup_file of a suite: the namespace, or NET_SKIP with the reason
# (bats cannot skip from setup_file: setup() skips each test with it).
net_setup_file() {
	export NET_SKIP NET_BROKEN NETNS
	NET_SKIP=$(net_unavailable)
	[ -z "$NET_SKIP" ] || return 0
	# Networking is part of Ember: its absence is a failure, not a skip.
	NET_BROKEN=""
	if [ "$NET_GUEST" = unikernel ]; then
		NET_BROKEN=$(unikernel_net_missing)
		[ -z "$NET_BROKEN" ] || return 0
	fi
	NETNS="emt-$$-${NET_GUEST:0:3}"
	local flags=()
	[ "$NET_GUEST" = native ] && flags=(--veth)
	"$NET_TOOL" down "$NETNS" --force >/dev/null 2>&1 || true
	"$NET_TOOL" up "$NETNS" --subnet "$NET_SUBNET" "${flags[@]}" >/dev/null
}

net_teardown_file() {
	[ -n "${NETNS:-}" ] || return 0
	"$NET_TOOL" down "$NETNS" --force >/dev/null
	rm -rf "/etc/netns/$NETNS-g"
}

# What the build lacks for the unikernel suite ("" if nothing).
unikernel_net_missing() {
	if ! "$VMM" --help 2>/dev/null | grep -- '--net' >/dev/null; then
		echo "ember-vmm has no --net: the monitor was built without its network device"
	elif ! nm "$APPS/httpd.ember" 2>/dev/null | grep ' ember_net_syscall$' >/dev/null; then
		echo "httpd.ember links no network stack (no ember_net_syscall)"
	fi
}

# setup of every test: skip with the suite's reason, load the addresses.
net_setup() {
	[ -z "${NET_SKIP:-}" ] || skip "$NET_SKIP"
	[ -z "${NET_BROKEN:-}" ] || fail "$NET_BROKEN"
	eval "$("$NET_TOOL" env "$NETNS")"
	GUEST_PIDS=()
	VMM_EXTRA=()
	NO_IP=0
	require_file "$CONNS"
	if [ "$NET_GUEST" = unikernel ]; then
		require_file "$VMM" "$APPS/httpd.ember"
	else
		require_file "$BUILD/native/httpd"
	fi
}

# alive PID: PID runs (a zombie, exited but not yet waited for, does not).
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]
}

# teardown of every test: stop whatever the test started.
net_teardown() {
	local pid i
	for pid in "${GUEST_PIDS[@]}"; do
		alive "$pid" || continue
		kill -TERM "$pid" 2>/dev/null || continue
		for ((i = 0; i < 30; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
	GUEST_PIDS=()
}

# in_ns CMD...: run CMD in the namespace (the host side of the link).
in_ns() {
	ip netns exec "$EMBER_NETNS" "$@"
}

# guest_cmd_argv APP [ARGS...]: sets GUEST_ARGV to the command that runs
# APP as the guest. VMM_EXTRA (array) adds ember-vmm options; NO_IP=1
# leaves out --ip/--gw (DHCP).
guest_argv() {
	local app=$1
	shift
	if [ "$NET_GUEST" = unikernel ]; then
		local net=(--net "$EMBER_TAP")
		[ "${NO_IP:-0}" = 1 ] ||
			net+=(--ip "$EMBER_GUEST_IP/$EMBER_PREFIX" --gw "$EMBER_GW")
		GUEST_ARGV=(ip netns exec "$EMBER_NETNS" "$VMM"
			--backend="$BACKEND" "${net[@]}" "${VMM_EXTRA[@]}"
			"$APPS/$app.ember" -- "$@")
	else
		GUEST_ARGV=(ip netns exec "$EMBER_GUEST_NETNS"
			"$BUILD/native/$app" "$@")
	fi
}

# start_guest APP [ARGS...]: starts APP as the guest in the background
# (stdout/stderr in $BATS_TEST_TMPDIR/APP.out/.err), waits for its
# "APP: listening on" line; GUEST_PID is its pid.
start_guest() {
	local app=$1 out=$BATS_TEST_TMPDIR/$1.out err=$BATS_TEST_TMPDIR/$1.err
	local i
	guest_argv "$@"
	"${GUEST_ARGV[@]}" >"$out" 2>"$err" &
	GUEST_PID=$!
	GUEST_PIDS+=("$GUEST_PID")
	for ((i = 0; i < 200; i++)); do
		grep -q "^$app: listening on" "$out" && return 0
		alive "$GUEST_PID" || break
		sleep 0.05
	done
	fail "$app did not start listening within 10 s: ${GUEST_ARGV[*]}
stdout: $(cat "$out")
stderr: $(cat "$err")"
}

# run_guest APP [ARGS...]: runs APP as the guest in the foreground with
# bats' run --separate-stderr.
run_guest() {
	guest_argv "$@"
	run --separate-stderr timeout -s KILL 30 "${GUEST_ARGV[@]}"
}

# wait_exit PID SECONDS: waits for PID to end; GUEST_STATUS = its status.
wait_exit() {
	local pid=$1 i
	for ((i = 0; i < $2 * 20; i++)); do
		alive "$pid" || break
		sleep 0.05
	done
	alive "$pid" && fail "pid $pid still runs after $2 s"
	GUEST_STATUS=0
	wait "$pid" || GUEST_STATUS=$?
}

# wait_for_line FILE REGEX [SECONDS]: until a line of FILE matches.
wait_for_line() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no line matching /$2/ in $1 after ${3:-10} s: $(cat "$1" 2>/dev/null)"
}

# server_in_ns PORT: the native httpd on the namespace side (the guest's
# peer), for the guest-as-client tests.
server_in_ns() {
	local out=$BATS_TEST_TMPDIR/ns-httpd.out i
	# Not through in_ns: $! must be the server itself.
	ip netns exec "$EMBER_NETNS" "$BUILD/native/httpd" -p "$1" >"$out" 2>&1 &
	GUEST_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		grep -q "listening" "$out" && return 0
		sleep 0.05
	done
	fail "the namespace's httpd did not start: $(cat "$out")"
}

# dns_in_ns [DNSMASQ ARGS...]: dnsmasq on the namespace's address,
# answering www.test.ember with the namespace's address; no upstream.
# --local: with no upstream, dnsmasq would answer the AAAA query
# (getaddrinfo asks for A and AAAA) with REFUSED, which musl's resolver
# ignores and waits out; for a local domain it says "no such data".
# shellcheck disable=SC2120 # callers may pass none
dns_in_ns() {
	local pidf=$BATS_TEST_TMPDIR/dnsmasq.pid
	in_ns dnsmasq --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$EMBER_HOST_IP" --except-interface=lo \
		--host-record="www.test.ember,$EMBER_HOST_IP" --local=/test.ember/ \
		--pid-file="$pidf" \
		--log-facility=- "$@" >"$BATS_TEST_TMPDIR/dnsmasq.log" 2>&1 ||
		fail "dnsmasq did not start: $(cat "$BATS_TEST_TMPDIR/dnsmasq.log")"
	GUEST_PIDS+=("$(cat "$pidf")")
}

# ---- test bodies (both suites) ----------------------------------------

body_ping() {
	start_guest httpd -p "$NET_PORT"
	run in_ns ping -c 3 -i 0.2 -W 2 "$EMBER_GUEST_IP"
	assert_success
	assert_output --partial "3 received"
}

body_get() {
	start_guest httpd -p "$NET_PORT"
	local url=http://$EMBER_GUEST_IP:$NET_PORT
	run in_ns curl -sS --max-time 10 -w '\n%{http_code}\n' "$url/"
	assert_success
	assert_output --partial "<h1>Hello from Ember!</h1>"
	assert_line --index -1 200
	run in_ns curl -sS --max-time 10 "$url/json"
	assert_success
	run jq -e '.server == "ember-httpd" and .requests == 2 and
		(.uptime_ms | type) == "number"' <<<"$output"
	assert_success
	run in_ns curl -sS --max-time 10 -I "$url/"
	assert_line --regexp '^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT'
	assert_line --regexp '^Content-Length: [0-9]+'
	run in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"$url/no/such/page"
	assert_output 404
	# Keep-alive: curl reuses one connection for both URLs.
	run in_ns curl -sS --max-time 10 -o /dev/null -o /dev/null \
		-w '%{http_code} %{num_connects}\n' "$url/" "$url/json"
	assert_line --index 0 "200 1"
	assert_line --index 1 "200 0"
}

body_http_edge_cases() {
	start_guest httpd -p "$NET_PORT"
	run in_ns bash -c "printf 'GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /json HTTP/1.1\r\nHost: a\r\n\r\nGET /x HTTP/1.1\r\nConnection: close\r\n\r\n' |
		nc -N -w 5 $EMBER_GUEST_IP $NET_PORT | grep -a '^HTTP/'"
	assert_success
	assert_equal "${lines[*]}" $'HTTP/1.1 200 OK\r HTTP/1.1 200 OK\r HTTP/1.1 404 Not Found\r'
	run in_ns curl -sS -o /dev/null -w '%{http_code}' -H 'Transfer-Encoding: chunked' \
		--data-binary abc "http://$EMBER_GUEST_IP:$NET_PORT/echo"
	assert_output 411
	run in_ns bash -c "printf 'NONSENSE\r\n\r\n' | nc -N -w 5 $EMBER_GUEST_IP $NET_PORT | head -n 1"
	assert_output $'HTTP/1.1 400 Bad Request\r'
}

# body_echo MIB: POST MIB MiB to /echo, compare the answer by SHA-256.
body_echo() {
	local mib=$1 in=$BATS_FILE_TMPDIR/body-$1M
	[ -f "$in" ] || head -c "$((mib << 20))" /dev/urandom >"$in"
	start_guest httpd -p "$NET_PORT"
	local want got
	want=$(sha256sum <"$in" | cut -d' ' -f1)
	got=$(in_ns curl -sS --max-time 60 --data-binary "@$in" \
		-H 'Content-Type: application/octet-stream' \
		"http://$EMBER_GUEST_IP:$NET_PORT/echo" | sha256sum | cut -d' ' -f1)
	assert_equal "$got" "$want"
}

body_concurrent() {
	start_guest httpd -p "$NET_PORT"
	# 200 connections open at once, 3 requests on each (keep-alive).
	run in_ns "$CONNS" -r 3 "$EMBER_GUEST_IP" "$NET_PORT" 200
	assert_success
	assert_output "conns: 200 connections x 3 rounds: 600 responses 200"
	# And under load: every response 2xx, no socket errors.
	run in_ns wrk -t2 -c200 -d1s "http://$EMBER_GUEST_IP:$NET_PORT/"
	assert_success
	refute_output --partial "Non-2xx"
	refute_output --partial "Socket errors"
	assert_output --regexp '[1-9][0-9]* requests in'
}

body_fetch_by_address() {
	server_in_ns 8081
	run_guest fetch "http://$EMBER_HOST_IP:8081/json"
	assert_success
	run jq -e '.server == "ember-httpd"' <<<"$output"
	assert_success
	run_guest fetch "http://$EMBER_HOST_IP:8081/missing"
	assert_equal "$status" 5
	assert_equal "$stderr" "fetch: http://$EMBER_HOST_IP:8081/missing: the server answered 404"
	run_guest fetch "http://$EMBER_HOST_IP:8089/"
	assert_equal "$status" 3
	assert_output ""
}

body_fetch_by_name() {
	server_in_ns 8081
	dns_in_ns
	if [ "$NET_GUEST" = native ]; then
		# ip netns exec bind-mounts /etc/netns/NS/resolv.conf.
		mkdir -p "/etc/netns/$EMBER_GUEST_NETNS"
		echo "nameserver $EMBER_HOST_IP" >"/etc/netns/$EMBER_GUEST_NETNS/resolv.conf"
	else
		VMM_EXTRA=(--dns "$EMBER_HOST_IP")
	fi
	run_guest fetch "http://www.test.ember:8081/json"
	assert_success
	run jq -e '.server == "ember-httpd"' <<<"$output"
	assert_success
	run_guest fetch "http://no-such-name.test.ember:8081/"
	assert_equal "$status" 2
	assert_output ""
}

body_udp_echo() {
	start_guest udp-echo -p 7777
	local msg big
	msg="hello over udp $$"
	# -W 1: done at the first datagram back (-w 5: or after 5 s).
	run in_ns nc -u -W 1 -w 5 "$EMBER_GUEST_IP" 7777 <<<"$msg"
	assert_output "$msg"
	big=$(head -c 1000 /dev/urandom | base64 -w0)
	run in_ns nc -u -W 1 -w 5 "$EMBER_GUEST_IP" 7777 <<<"$big"
	assert_output "$big"
}

# The app itself ends (httpd -n 3) while other connections are open:
# its own status, promptly; the open connections see the end.
body_app_exits_with_open_connections() {
	start_guest httpd -p "$NET_PORT" -n 3
	ip netns exec "$EMBER_NETNS" "$CONNS" -H 10000 "$EMBER_GUEST_IP" \
		"$NET_PORT" 2 >"$BATS_TEST_TMPDIR/held" 2>&1 &
	local held=$!
	GUEST_PIDS+=("$held")
	# The two held connections are served first (requests 1 and 2).
	wait_for_line "$BATS_TEST_TMPDIR/held" "^conns: 2 connections"
	run in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
		"http://$EMBER_GUEST_IP:$NET_PORT/"
	assert_output 200
	wait_exit "$GUEST_PID" 5
	assert_equal "$GUEST_STATUS" 0
	run head -n 1 "$BATS_TEST_TMPDIR/held"
	assert_output "conns: 2 connections x 1 rounds: 2 responses 200"
	# A Linux process's sockets are closed by the kernel when it exits;
	# a VM that is gone just stops answering (its clients time out).
	if [ "$NET_GUEST" = native ]; then
		wait_exit "$held" 5
		run cat "$BATS_TEST_TMPDIR/held"
		assert_line --index 1 "conns: 2 connections closed by the server while held"
	fi
}

# httpd -m: connections past its buffer memory are closed at once; the
# ones it has keep being served.
body_memory_limit() {
	# -b 4096 -m 8192: room for one connection's two buffers.
	start_guest httpd -p "$NET_PORT" -b 4096 -m 8192
	ip netns exec "$EMBER_NETNS" "$CONNS" -H 10000 "$EMBER_GUEST_IP" \
		"$NET_PORT" 1 >"$BATS_TEST_TMPDIR/held" 2>&1 &
	GUEST_PIDS+=("$!")
	wait_for_line "$BATS_TEST_TMPDIR/held" "^conns: 1 connections"
	run in_ns curl -sS --max-time 10 "http://$EMBER_GUEST_IP:$NET_PORT/"
	assert_failure
	assert_output --regexp "curl: \((52|56)\)" # empty reply / reset
	# The held connection ends; its buffers serve the next one.
	kill -TERM "${GUEST_PIDS[-1]}"
	local i
	for ((i = 0; i < 50; i++)); do
		run in_ns curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
			"http://$EMBER_GUEST_IP:$NET_PORT/"
		[ "$output" = 200 ] && break
		sleep 0.1
	done
	assert_output 200
}

#!/usr/bin/env bash
# bench-net.sh: network benchmark for `make bench` (run after the boot
# benchmark; make builds everything it needs first). Measures and
# reports, never passes or fails on a number.
#
# In the same run, with the same addressing (guest .2, host side .1 of a
# /24, clients in a network namespace made with tools/ember-net):
#   unikernel  build/apps/httpd.ember under ember-vmm (EMBER_BACKEND, else
#              kvm when /dev/kvm is usable, else process) on a tap
#   native     build/native/httpd (same source, gcc) as a Linux process
#              in a second namespace behind a veth pair
# it measures:
#   - wrk -t2 -c32 (keep-alive) for BENCH_NET_SECONDS (default 10) s
#     against GET /: requests/s, p50 and p99 latency, non-2xx responses
#     and socket errors; the unikernel/native ratio of requests/s
#   - exits per request (unikernel): ember-vmm's --stats exits of a run
#     under wrk minus those of a run that boots and answers one request,
#     divided by wrk's requests
#   - boot-to-first-response: exec of the server to the first HTTP 200
#     seen by a polling client (build/bench/first-response), median over
#     BENCH_NET_BOOTS (default 20) boots
# Writes build/bench/net.json and prints a table. Skips (exit 0, saying
# why) when not root, without /dev/net/tun, `ip netns` or wrk; the
# unikernel rows say "not measured" with the reason while the network
# device or the guest network stack is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/bench
JSON=$OUT/net.json
SECONDS_WRK=${BENCH_NET_SECONDS:-10}
BOOTS=${BENCH_NET_BOOTS:-20}
CONNS=32
PORT=8080
VMM=build/bin/ember-vmm
IMAGE=build/apps/httpd.ember
NATIVE=build/native/httpd
POLLER=$OUT/first-response
NET=tools/ember-net
MAC=02:00:00:00:be:02
NS_U=embench-$$-u
NS_N=embench-$$-n

mkdir -p "$OUT"

note() {
	echo "bench-net: $*"
}

skip_all() {
	note "skipped: $*"
	jq -n --arg why "$*" '{skipped: $why}' >"$JSON"
	exit 0
}

die() {
	echo "bench-net: $*" >&2
	exit 1
}

for f in "$VMM" "$IMAGE" "$NATIVE" "$POLLER"; do
	[[ -e $f ]] || die "missing $f: run 'make bench' (it builds it)"
done
command -v jq >/dev/null || die "jq not found: run 'make deps'"
[[ $EUID -eq 0 ]] || skip_all "not root: the network benchmark needs network namespaces and taps"
[[ -c /dev/net/tun ]] || skip_all "/dev/net/tun is missing (modprobe tun)"
command -v wrk >/dev/null || skip_all "wrk not found: run 'make deps'"
ip netns list >/dev/null 2>&1 || skip_all "'ip netns' does not work here"

if [[ -n ${EMBER_BACKEND:-} ]]; then
	BACKEND=$EMBER_BACKEND
elif [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then
	BACKEND=kvm
else
	BACKEND=process
fi

uni_missing=""
if ! "$VMM" --help 2>/dev/null | grep -- '--net' >/dev/null; then
	uni_missing="ember-vmm has no --net yet"
elif ! nm "$IMAGE" 2>/dev/null | grep ' ember_net_syscall$' >/dev/null; then
	uni_missing="$IMAGE does not link a network stack yet"
fi

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	"$NET" down "$NS_U" --force >/dev/null 2>&1 || true
	"$NET" down "$NS_N" --force >/dev/null 2>&1 || true
}
trap cleanup EXIT

# wait_listening FILE PID: until FILE has the "listening" line.
wait_listening() {
	local i
	for ((i = 0; i < 400; i++)); do
		grep -q "listening on" "$1" && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.025
	done
	die "the server did not start: $(tr '\n' ' ' <"$1")"
}

# stop PID: SIGTERM and wait (its status is not the benchmark's).
stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# wrk_json NETNS URL OUTFILE: runs wrk, writes its figures as JSON.
wrk_json() {
	local ns=$1 url=$2 txt=$3.txt
	ip netns exec "$ns" wrk -t2 -c"$CONNS" -d"${SECONDS_WRK}s" --latency \
		"$url" >"$txt" 2>&1 || die "wrk failed: $(tail -n 1 "$txt")"
	awk '
		function ms(v) {
			if (v ~ /us$/) return v * 1 / 1000
			if (v ~ /ms$/) return v * 1
			if (v ~ /m$/) return v * 60000
			if (v ~ /s$/) return v * 1000
			return v
		}
		/^ +50% / { p50 = ms($2) }
		/^ +99% / { p99 = ms($2) }
		/ requests in / { req = $1 }
		/^Requests\/sec:/ { rps = $2 }
		/Non-2xx or 3xx responses:/ { non2xx = $NF }
		/Socket errors:/ {
			gsub(/,/, ""); errs = $4 + $6 + $8 + $10
		}
		END {
			printf "{\"req_per_s\": %s, \"requests\": %s, \"p50_ms\": %s, \"p99_ms\": %s, \"non_2xx\": %d, \"socket_errors\": %d}\n",
				rps + 0, req + 0, p50 + 0, p99 + 0, non2xx + 0, errs + 0
		}' "$txt" >"$3"
}

sum_exits() {
	jq '[.exits[]] | add' "$1" 2>/dev/null || echo null
}

note "wrk -t2 -c$CONNS -d${SECONDS_WRK}s and $BOOTS boots each; backend $BACKEND ($(nproc) CPUs)..."

# ---- native: httpd in NS_N-g, clients in NS_N ------------------------
"$NET" up "$NS_N" --veth --subnet 10.215.2.0/24 >/dev/null
eval "$("$NET" env "$NS_N")"
N_IP=$EMBER_GUEST_IP N_GNS=$EMBER_GUEST_NETNS
ip netns exec "$N_GNS" "$NATIVE" -p "$PORT" >"$OUT/net-native.out" 2>&1 &
npid=$!
pids+=("$npid")
wait_listening "$OUT/net-native.out" "$npid"
wrk_json "$NS_N" "http://$N_IP:$PORT/" "$OUT/net-wrk-native.json"
stop "$npid"
ip netns exec "$NS_N" "$POLLER" -n "$BOOTS" -a "$N_IP" -p "$PORT" \
	-l "native httpd" -N "$N_GNS" -o "$OUT/net-first-native.json" \
	-- "$NATIVE" -p "$PORT" >/dev/null

# ---- unikernel: ember-vmm in NS_U on tap0 ----------------------------
if [[ -z $uni_missing ]]; then
	"$NET" up "$NS_U" --subnet 10.215.1.0/24 >/dev/null
	eval "$("$NET" env "$NS_U")"
	U_IP=$EMBER_GUEST_IP
	# A permanent neighbour entry: no ARP exchange in any measurement.
	ip -n "$NS_U" neigh replace "$U_IP" lladdr "$MAC" dev tap0 nud permanent
	vmm=(ip netns exec "$NS_U" "$VMM" --backend="$BACKEND" --quiet
		--net tap0 --mac "$MAC" --ip "$U_IP/$EMBER_PREFIX" --gw "$EMBER_GW")

	# Boot + one request: the exits that are not the load's.
	"${vmm[@]}" --stats="$OUT/net-stats-idle.json" "$IMAGE" -- -p "$PORT" \
		>"$OUT/net-uni.out" 2>&1 &
	upid=$!
	pids+=("$upid")
	wait_listening "$OUT/net-uni.out" "$upid"
	ip netns exec "$NS_U" curl -s -o /dev/null --max-time 10 "http://$U_IP:$PORT/" ||
		die "the unikernel httpd does not answer: $(tr '\n' ' ' <"$OUT/net-uni.out")"
	stop "$upid"

	"${vmm[@]}" --stats="$OUT/net-stats-load.json" "$IMAGE" -- -p "$PORT" \
		>"$OUT/net-uni.out" 2>&1 &
	upid=$!
	pids+=("$upid")
	wait_listening "$OUT/net-uni.out" "$upid"
	ip netns exec "$NS_U" curl -s -o /dev/null --max-time 10 "http://$U_IP:$PORT/" ||
		die "the unikernel httpd does not answer: $(tr '\n' ' ' <"$OUT/net-uni.out")"
	wrk_json "$NS_U" "http://$U_IP:$PORT/" "$OUT/net-wrk-uni.json"
	stop "$upid"
	ip netns exec "$NS_U" "$POLLER" -n "$BOOTS" -a "$U_IP" -p "$PORT" \
		-l "unikernel httpd" -o "$OUT/net-first-uni.json" \
		-- "$VMM" --backend="$BACKEND" --quiet --net tap0 --mac "$MAC" \
		--ip "$U_IP/$EMBER_PREFIX" --gw "$EMBER_GW" "$IMAGE" -- -p "$PORT" \
		>/dev/null
	exits_idle=$(sum_exits "$OUT/net-stats-idle.json")
	exits_load=$(sum_exits "$OUT/net-stats-load.json")
	uni=$(jq -n --slurpfile w "$OUT/net-wrk-uni.json" \
		--slurpfile f "$OUT/net-first-uni.json" \
		--argjson ei "${exits_idle:-null}" --argjson el "${exits_load:-null}" \
		--slurpfile s "$OUT/net-stats-load.json" '
		$w[0] + {
			exits_boot_and_one_request: $ei,
			exits_under_load: $el,
			exits_per_request: (if $ei != null and $el != null and $w[0].requests > 0
				then (($el - $ei) / $w[0].requests) else null end),
			exits_by_kind: $s[0].exits,
			net: $s[0].net,
			first_response: $f[0]
		}')
else
	uni=$(jq -n --arg why "$uni_missing" '{not_measured: $why}')
fi

jq -n --slurpfile nw "$OUT/net-wrk-native.json" \
	--slurpfile nf "$OUT/net-first-native.json" --argjson uni "$uni" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host "$(uname -srm)" \
	--argjson cpus "$(nproc)" --arg backend "$BACKEND" \
	--argjson secs "$SECONDS_WRK" --argjson conns "$CONNS" '
	{
		date: $date, host: $host, cpus: $cpus, backend: $backend,
		wrk: {threads: 2, connections: $conns, seconds: $secs, path: "/"},
		native: ($nw[0] + {first_response: $nf[0]}),
		unikernel: $uni,
		ratio_req_per_s_unikernel_to_native:
			(if $uni.req_per_s then $uni.req_per_s / $nw[0].req_per_s
			 else null end)
	}' >"$JSON"

# The table.
echo
printf '%-26s %12s %9s %9s %8s %10s %13s\n' "httpd ($CONNS conns, GET /)" \
	req/s p50_ms p99_ms non2xx exits/req first_resp_ms
jq -r '
	def f($x; $n): if $x == null then "-" else ($x * $n | round / $n | tostring) end;
	(["native", .native], ["unikernel (" + .backend + ")", .unikernel])
	| .[0] as $l | .[1] as $r
	| if $r.not_measured then [$l, "not measured: " + $r.not_measured]
	  else [$l, f($r.req_per_s; 1), f($r.p50_ms; 1000), f($r.p99_ms; 1000),
		($r.non_2xx + $r.socket_errors | tostring),
		f($r.exits_per_request; 100), f($r.first_response.median_ms; 100)]
	  end | @tsv' "$JSON" |
	while IFS=$'\t' read -r l a b c d e g; do
		if [[ -z $b ]]; then
			printf '%-26s %s\n' "$l" "$a"
		else
			printf '%-26s %12s %9s %9s %8s %10s %13s\n' "$l" "$a" "$b" "$c" "$d" "$e" "$g"
		fi
	done
ratio=$(jq -r '.ratio_req_per_s_unikernel_to_native // empty' "$JSON")
[[ -n $ratio ]] && printf 'req/s unikernel / native: %.3f\n' "$ratio"
echo "non2xx: non-2xx responses + socket errors; first_resp_ms: median exec-to-first-200 over $BOOTS boots"
echo "results: $JSON"

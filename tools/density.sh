#!/usr/bin/env bash
# density.sh: many httpd VMs at once on one host. Used by
# tests/density.bats (10 VMs, correctness only) and tools/bench-soak.sh
# (make bench: 100 VMs, the figures).
#
#   tools/density.sh [-n N] [--idle SECONDS] [--json FILE]
#
# Makes a network namespace with a bridge br0 (10.216.0.1/16) and N taps
# on it, boots N build/apps/httpd.ember VMs at once, one per tap (guest
# i at 10.216.1.i), waits until every one listens and fetches GET / from
# each (all must answer 200). Then, with all of them idle, measures for
# SECONDS (default 5; 0: not measured):
#   - host CPU: time on a CPU (/proc/PID/schedstat, ns) of every ember-vmm and its
#     guest process (the process backend's child), summed, over the
#     interval, as a percentage of one CPU; and their voluntary context
#     switches per VM per second (a guest that wakes up from its block
#     hypercall costs 2-3 of them on the process backend)
#   - memory per VM: PSS (/proc/PID/smaps_rollup) of the monitor plus its
#     guest process, averaged over the VMs. PSS divides each shared page
#     among the processes that map it, so the guest memory (a memfd the
#     monitor and the guest both map) counts once and the monitor's code
#     is split across all N monitors: summed, it is what the N VMs cost.
#     RSS (which counts shared pages in full for each process) and the
#     drop of MemAvailable per VM (which also sees kernel memory: page
#     tables, taps, sockets) are reported next to it.
# Finally stops every VM with SIGTERM; each must exit 143 and leave no
# process in the namespace, which is then removed (with its taps).
#
# Prints a table; exits 0 when all N answered and exited as documented,
# 1 otherwise, 2 on bad usage or a missing build product, 3 when the host
# cannot do it (not root, no /dev/net/tun): it says why.
# EMBER_BACKEND picks the backend (default: kvm if usable, else process).
set -euo pipefail
trap 'echo "density: line $LINENO failed: $BASH_COMMAND" >&2' ERR
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${EMBER_BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
VMM=$BUILD/bin/ember-vmm
IMAGE=$BUILD/apps/httpd.ember
PORT=8080

n=100 idle=5 json=""
while (($#)); do
	case $1 in
	-n) n=$2 && shift 2 ;;
	--idle) idle=$2 && shift 2 ;;
	--json) json=$2 && shift 2 ;;
	*)
		echo "density: unknown argument '$1'" >&2
		exit 2
		;;
	esac
done
if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > 250)); then
	echo "density: -n takes 1 to 250" >&2
	exit 2
fi
[[ $idle =~ ^[0-9]+$ ]] || {
	echo "density: --idle takes whole seconds" >&2
	exit 2
}
for f in "$VMM" "$IMAGE"; do
	[[ -e $f ]] || {
		echo "density: missing $f: run make" >&2
		exit 2
	}
done
if [[ $EUID -ne 0 ]]; then
	echo "density: not root: it needs a network namespace and taps" >&2
	exit 3
elif [[ ! -c /dev/net/tun ]]; then
	echo "density: /dev/net/tun is missing (modprobe tun)" >&2
	exit 3
fi
if [[ -n ${EMBER_BACKEND:-} ]]; then
	backend=$EMBER_BACKEND
elif [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then
	backend=kvm
else
	backend=process
fi

NS=emdens-$$
dir=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM # through cleanup: no VM or namespace left

meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# The namespace: br0 and N taps on it, in one ip -batch.
ip netns add "$NS"
# No IPv6 on the host side: its link-local chatter (router solicitations,
# MLD reports, DAD), flooded by the bridge to every tap, would wake all
# the guests; they only speak IPv4.
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1
{
	echo "link set lo up"
	echo "link add br0 type bridge"
	echo "addr add 10.216.0.1/16 dev br0"
	echo "link set br0 up"
	for ((i = 1; i <= n; i++)); do
		echo "tuntap add dev dtap$i mode tap vnet_hdr"
		echo "link set dtap$i master br0"
		echo "link set dtap$i up"
	done
} >"$dir/batch"
ip -n "$NS" -batch "$dir/batch"

avail0=$(meminfo MemAvailable)
t0=$(date +%s.%N)
for ((i = 1; i <= n; i++)); do
	ip netns exec "$NS" "$VMM" --backend="$backend" --quiet \
		--net "dtap$i" --mac "$(printf '02:00:00:dd:00:%02x' "$i")" \
		--ip "10.216.1.$i/16" --gw 10.216.0.1 "$IMAGE" -- -p "$PORT" \
		>"$dir/vm$i.out" 2>&1 &
	pids+=($!)
done

# Every VM listening (60 s at most).
for ((w = 0; w < 600; w++)); do
	up=$(cat "$dir"/vm*.out | grep -c "listening on" || true)
	((up == n)) && break
	sleep 0.1
done
t1=$(date +%s.%N)
answered=0
bad=()
for ((i = 1; i <= n; i++)); do
	code=$(ip netns exec "$NS" curl -sS --max-time 5 -o /dev/null \
		-w '%{http_code}' "http://10.216.1.$i:$PORT/" 2>&1) || true
	if [[ $code == 200 ]]; then
		answered=$((answered + 1))
	else
		bad+=("vm$i: $code $(tr '\n' ' ' <"$dir/vm$i.out")")
	fi
done
echo "density: $n httpd VMs (backend $backend): listening after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; $answered of $n answered GET / with 200"
for b in "${bad[@]}"; do
	echo "density: no answer from $b"
done

# The processes of each VM: the monitor and its children (the guest).
vm_procs() {
	local p=$1
	echo "$p"
	cat "/proc/$p/task/"*/children 2>/dev/null | tr ' ' '\n' | grep . || true
}
all_procs() {
	local p
	for p in "${pids[@]}"; do
		vm_procs "$p"
	done
}
# CPU time in ns (/proc/PID/schedstat: time on a CPU, ns; both processes
# are single-threaded) and voluntary context switches, summed.
cpu_ns() {
	local p s=0 c=0 t
	for p in $(all_procs); do
		read -r t _ <"/proc/$p/schedstat" 2>/dev/null || continue
		s=$((s + t))
		c=$((c + $(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$p/status" 2>/dev/null || echo 0)))
	done
	echo "$s $c"
}

cpu_pct=null wakeups=null pss_kib=null rss_kib=null avail_kib=null
if ((idle > 0)); then
	sleep 3 # the ARP tick parks within 2 s of the last frame
	read -r ns0 cs0 < <(cpu_ns)
	sleep "$idle"
	read -r ns1 cs1 < <(cpu_ns)
	cpu_pct=$(awk -v d=$((ns1 - ns0)) -v s="$idle" \
		'BEGIN { printf "%.3f", d / 1e9 / s * 100 }')
	wakeups=$(awk -v d=$((cs1 - cs0)) -v n="$n" -v s="$idle" \
		'BEGIN { printf "%.2f", d / n / s }')
	pss=0 rss=0
	for p in $(all_procs); do
		read -r a b < <(awk '/^Pss:/ { p = $2 } /^Rss:/ { r = $2 }
			END { print p + 0, r + 0 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo "0 0")
		pss=$((pss + a)) rss=$((rss + b))
	done
	pss_kib=$((pss / n)) rss_kib=$((rss / n))
	avail_kib=$(((avail0 - $(meminfo MemAvailable)) / n))
	nprocs=$(all_procs | wc -l)
	echo "density: idle for $idle s: host CPU of all $n VMs ($nprocs processes: monitors + guest processes) ${cpu_pct}% of one CPU; $wakeups context switches per VM per second"
	echo "density: memory per VM: PSS $((pss_kib)) KiB (monitor + guest process), RSS $rss_kib KiB, MemAvailable drop $avail_kib KiB"
fi

# Stop them all: SIGTERM, each exits 143.
for p in "${pids[@]}"; do
	kill -TERM "$p" 2>/dev/null || true
done
clean=0
for p in "${pids[@]}"; do
	s=0
	wait "$p" || s=$?
	((s == 143)) && clean=$((clean + 1))
done
pids=()
sleep 0.2
left=$(ip netns pids "$NS" 2>/dev/null | wc -l)
echo "density: $clean of $n exited with 143 on SIGTERM; processes left in the namespace: $left"

if [[ -n $json ]]; then
	jq -n --arg date "$(date -u +%FT%TZ)" --arg backend "$backend" \
		--argjson cpus "$(nproc)" --argjson n "$n" \
		--argjson answered "$answered" --argjson clean "$clean" \
		--argjson left "$left" --argjson idle "$idle" \
		--argjson cpu "$cpu_pct" --argjson wakeups "$wakeups" \
		--argjson pss "$pss_kib" --argjson rss "$rss_kib" \
		--argjson avail "$avail_kib" \
		--argjson boot_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" '
		{date: $date, backend: $backend, cpus: $cpus, vms: $n,
		 answered: $answered, all_listening_after_s: $boot_s,
		 exited_143: $clean, processes_left: $left,
		 idle_seconds: $idle,
		 idle_cpu_percent_of_one_cpu: $cpu,
		 idle_context_switches_per_vm_per_s: $wakeups,
		 pss_kib_per_vm: $pss, rss_kib_per_vm: $rss,
		 memavailable_drop_kib_per_vm: $avail}' >"$json"
fi
((answered == n && clean == n && left == 0))

#!/usr/bin/env bash
# soak.sh: sequential boots leave nothing behind. Used by
# tests/soak.bats (short) and tools/bench-soak.sh (make bench, long).
#
#   tools/soak.sh [--hello N] [--httpd M] [--json FILE]
#
# Boots build/apps/hello.ember N times (default 100), one after the
# other, each must print its line and exit 0; then, as root with
# /dev/net/tun, boots build/apps/httpd.ember M times (default 0) with
# --net on a tap that ember-vmm creates itself, gives the tap's host side
# an address, fetches one page (httpd -n 1 then exits 0) and checks that
# the tap is gone. Before and after, it takes stock of what a leak would
# leave: processes, the descriptors of this shell, network links, files
# in /dev/shm and /tmp, Shmem and MemAvailable (/proc/meminfo). As root
# it runs in its own PID, network and mount namespaces (unshare) with a
# private tmpfs on /tmp and /dev/shm, so that every count is exact even
# while other programs run on the host; otherwise it counts the
# processes named ember-vmm/ember-guest, the host's links and ember*
# files in /tmp.
#
# Prints the boots/s of each part and "leftovers: none" or what was left
# ("leftovers: ..."), writes the figures to FILE as JSON, and exits 0
# when nothing was left and every boot succeeded, 1 otherwise (2: bad
# usage or missing build products). Memory is reported, and counts as a
# leftover only past 64 MiB per 100 boots of Shmem growth (a leaked
# guest memfd is the guest's whole memory).
# EMBER_BACKEND picks the backend (default: kvm if usable, else process).
set -euo pipefail
trap 'echo "soak: line $LINENO failed: $BASH_COMMAND" >&2' ERR
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${EMBER_BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
VMM=$BUILD/bin/ember-vmm
APPS=$BUILD/apps

hello=100 httpd=0 json=""
while (($#)); do
	case $1 in
	--hello) hello=$2 && shift 2 ;;
	--httpd) httpd=$2 && shift 2 ;;
	--json) json=$2 && shift 2 ;;
	--inside) inside=1 && shift ;;
	*)
		echo "soak: unknown argument '$1'" >&2
		exit 2
		;;
	esac
done
[[ $hello =~ ^[0-9]+$ && $httpd =~ ^[0-9]+$ ]] || {
	echo "soak: counts must be numbers" >&2
	exit 2
}
for f in "$VMM" "$APPS/hello.ember" "$APPS/httpd.ember"; do
	[[ -e $f ]] || {
		echo "soak: missing $f: run make" >&2
		exit 2
	}
done

# As root: again inside fresh PID + network namespaces (/proc remounted
# for the new PID namespace), so that the counts are ours alone.
if [[ $EUID -eq 0 && -z ${inside:-} ]] && command -v unshare >/dev/null; then
	args=(--hello "$hello" --httpd "$httpd" --inside)
	[[ -n $json ]] && args+=(--json "$json")
	# --kill-child: if unshare is killed (a timeout), so is everything
	# in the namespace.
	exec unshare --pid --net --mount --fork --mount-proc --kill-child \
		bash "$0" "${args[@]}"
fi

if [[ -n ${EMBER_BACKEND:-} ]]; then
	backend=$EMBER_BACKEND
elif [[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]; then
	backend=kvm
else
	backend=process
fi
isolated=${inside:-0}
# The JSON file, opened before /tmp may be covered below.
[[ -n $json ]] && exec 9>"$json"
private_tmp=0
if [[ $isolated == 1 ]]; then
	ip link set lo up
	# Private /dev/shm and /tmp: whatever appears there is ours. Not /tmp
	# when the build lives under it (a checkout in /tmp): covering it
	# would hide ember-vmm and the images.
	mount -t tmpfs soak-shm /dev/shm
	case "$(realpath "$BUILD")/" in
	/tmp/*) ;;
	*)
		mount -t tmpfs soak-tmp /tmp
		private_tmp=1
		;;
	esac
fi

meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# What a leak would leave, one "name value" line each.
stock() {
	if [[ $isolated == 1 ]]; then
		echo "processes $(ps -e --no-headers | wc -l)"
	else
		echo "processes $({ pgrep -x ember-vmm || true; pgrep -x ember-guest || true; } | wc -l)"
	fi
	echo "shell_fds $(find /proc/$$/fd -mindepth 1 -maxdepth 1 | wc -l)"
	echo "links $(ip -o link show | wc -l)"
	echo "shm_files $(find /dev/shm -mindepth 1 | wc -l)"
	if [[ $private_tmp == 1 ]]; then
		echo "tmp_files $(find /tmp -mindepth 1 | wc -l)"
	else
		echo "tmp_ember_files $(find /tmp -maxdepth 1 -name '*ember*' | wc -l)"
	fi
}

failures=0
fail_note=""
boot_fail() {
	failures=$((failures + 1))
	[[ -n $fail_note ]] || fail_note=$1
}

before=$(stock)
shm0=$(meminfo Shmem) avail0=$(meminfo MemAvailable)

# hello, N times.
t0=$(date +%s.%N)
for ((i = 0; i < hello; i++)); do
	out=$("$VMM" --backend="$backend" --quiet "$APPS/hello.ember" 2>&1) ||
		boot_fail "hello boot $i: exit status $?: $out"
	[[ $out == "Hello from Ember!" ]] ||
		boot_fail "hello boot $i printed: $out"
done
t1=$(date +%s.%N)

# httpd on a tap ember-vmm creates, M times.
httpd_note=""
if ((httpd > 0)); then
	if [[ $EUID -ne 0 || ! -c /dev/net/tun ]]; then
		httpd_note="skipped: needs root and /dev/net/tun"
		httpd=0
	fi
fi
tmp=$(mktemp -d)
for ((i = 0; i < httpd; i++)); do
	tap=soak$((i % 4))
	"$VMM" --backend="$backend" --quiet --net "$tap" \
		--ip 10.217.0.2/24 "$APPS/httpd.ember" -- -n 1 \
		>"$tmp/out" 2>&1 &
	pid=$!
	# Up to 20 s: a loaded host can be slow to boot it.
	for ((w = 0; w < 2000; w++)); do
		grep -q "listening on" "$tmp/out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	if ! grep -q "listening on" "$tmp/out"; then
		kill -TERM "$pid" 2>/dev/null || true
		status=0
		wait "$pid" || status=$?
		boot_fail "httpd boot $i: not listening after $((w / 100)) s (exit status $status): $(cat "$tmp/out")"
	elif ! err=$(ip addr add 10.217.0.1/24 dev "$tap" 2>&1); then
		boot_fail "httpd boot $i: ip addr add on $tap: $err"
		kill -TERM "$pid" 2>/dev/null || true
	else
		code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' \
			http://10.217.0.2:8080/ 2>&1) || true
		if [[ $code != 200 ]]; then
			boot_fail "httpd boot $i: curl: $code"
			kill -TERM "$pid" 2>/dev/null || true # it waits for a request
		fi
	fi
	status=0
	wait "$pid" || status=$?
	((status == 0 || status == 143)) ||
		boot_fail "httpd boot $i: exit status $status: $(cat "$tmp/out")"
	ip link show "$tap" >/dev/null 2>&1 &&
		boot_fail "httpd boot $i: tap $tap still exists after exit"
done
rm -rf "$tmp"
t2=$(date +%s.%N)

# Stragglers (a guest child) get a moment to be reaped.
sleep 0.2
after=$(stock)
shm1=$(meminfo Shmem) avail1=$(meminfo MemAvailable)

leftovers=()
while read -r name v0; do
	v1=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$after")
	((v1 > v0)) && leftovers+=("$name +$((v1 - v0))")
done <<<"$before"
boots=$((hello + httpd))
shm_growth=$(((shm1 - shm0) / 1024))
if ((boots > 0 && shm_growth * 100 / boots > 64)); then
	leftovers+=("Shmem +${shm_growth} MiB")
fi

hello_rate=$(awk -v n="$hello" -v a="$t0" -v b="$t1" \
	'BEGIN { printf "%.1f", (b > a && n) ? n / (b - a) : 0 }')
httpd_rate=$(awk -v n="$httpd" -v a="$t1" -v b="$t2" \
	'BEGIN { printf "%.1f", (b > a && n) ? n / (b - a) : 0 }')
echo "soak: backend $backend, $([[ $isolated == 1 ]] && echo "own PID and network namespaces" || echo "host namespaces")"
echo "soak: hello: $hello boots in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s ($hello_rate boots/s)"
if [[ -n $httpd_note ]]; then
	echo "soak: httpd with a tap: $httpd_note"
else
	echo "soak: httpd with a created tap, one request each: $httpd boots ($httpd_rate boots/s)"
fi
echo "soak: Shmem $(((shm1 - shm0) / 1024)) MiB, MemAvailable $(((avail1 - avail0) / 1024)) MiB (after - before; other programs on the host move these too)"
echo "soak: failed boots: $failures${fail_note:+ (first: $fail_note)}"
if ((${#leftovers[@]})); then
	echo "leftovers: ${leftovers[*]}"
else
	echo "leftovers: none"
fi

if [[ -n $json ]]; then
	jq -n --arg backend "$backend" --argjson isolated "$isolated" \
		--argjson hello "$hello" --argjson hello_rate "$hello_rate" \
		--argjson httpd "$httpd" --argjson httpd_rate "$httpd_rate" \
		--arg httpd_note "$httpd_note" --argjson failures "$failures" \
		--arg before "$before" --arg after "$after" \
		--argjson shm_kib "$((shm1 - shm0))" \
		--argjson avail_kib "$((avail1 - avail0))" \
		--arg leftovers "${leftovers[*]}" --arg date "$(date -u +%FT%TZ)" '
		def kv: split("\n") | map(split(" ") | {(.[0]): (.[1] | tonumber)}) | add;
		{date: $date, backend: $backend, own_namespaces: ($isolated == 1),
		 hello: {boots: $hello, boots_per_s: $hello_rate},
		 httpd_tap: {boots: $httpd, boots_per_s: $httpd_rate,
			note: $httpd_note},
		 failed_boots: $failures,
		 before: ($before | kv), after: ($after | kv),
		 shmem_delta_kib: $shm_kib, memavailable_delta_kib: $avail_kib,
		 leftovers: (if $leftovers == "" then "none" else $leftovers end)}' \
		>&9
fi
((failures == 0 && ${#leftovers[@]} == 0))

#!/usr/bin/env bash
# bench-soak.sh: soak and density figures for `make bench` (after the
# network benchmark). Measures and reports; fails only when the soak
# left something behind or a VM did not answer (then the figures would
# describe a broken run).
#
#   soak      tools/soak.sh: BENCH_SOAK_BOOTS (default 1000) sequential
#             boots of hello, then BENCH_SOAK_HTTPD (default 100) boots
#             of httpd on a tap ember-vmm creates (root only), one
#             request each: boots/s and the leftovers check.
#             -> build/bench/soak.json
#   density   tools/density.sh: BENCH_DENSITY_VMS (default 100) httpd
#             VMs at once, one tap each, all answering; then idle for
#             BENCH_DENSITY_IDLE (default 5) s: host CPU of all of them,
#             wakeups, PSS/RSS per VM. Root only (skipped, saying why).
#             -> build/bench/density.json
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/bench
BOOTS=${BENCH_SOAK_BOOTS:-1000}
HTTPD=${BENCH_SOAK_HTTPD:-100}
VMS=${BENCH_DENSITY_VMS:-100}
IDLE=${BENCH_DENSITY_IDLE:-5}
mkdir -p "$OUT"
command -v jq >/dev/null || {
	echo "bench-soak: jq not found: run 'make deps'" >&2
	exit 1
}

echo "bench-soak: $BOOTS boots of hello, $HTTPD of httpd on a tap, then $VMS httpd VMs at once ($(nproc) CPUs)..."
status=0
tools/soak.sh --hello "$BOOTS" --httpd "$HTTPD" --json "$OUT/soak.json" ||
	status=1

echo
rc=0
tools/density.sh -n "$VMS" --idle "$IDLE" --json "$OUT/density.json" || rc=$?
if ((rc == 3)); then
	jq -n '{skipped: "not root or no /dev/net/tun"}' >"$OUT/density.json"
	echo "bench-soak: density skipped (above)"
elif ((rc != 0)); then
	status=1
fi

echo
printf '%-44s %s\n' measure value
jq -r '
	["soak: hello boots/s (sequential)", (.hello.boots_per_s | tostring) + " over " + (.hello.boots | tostring) + " boots"],
	["soak: httpd on a created tap, boots/s", if .httpd_tap.note != "" then .httpd_tap.note else (.httpd_tap.boots_per_s | tostring) + " over " + (.httpd_tap.boots | tostring) + " boots" end],
	["soak: failed boots", (.failed_boots | tostring)],
	["soak: leftovers", .leftovers]
	| @tsv' "$OUT/soak.json" | while IFS=$'\t' read -r k v; do
	printf '%-44s %s\n' "$k" "$v"
done
jq -r '
	if .skipped then ["density", "skipped: " + .skipped] | @tsv
	else
	["density: VMs answering / running", "\(.answered) / \(.vms) (all listening after \(.all_listening_after_s) s)"],
	["density: idle host CPU, all VMs", "\(.idle_cpu_percent_of_one_cpu)% of one CPU over \(.idle_seconds) s"],
	["density: idle context switches per VM", "\(.idle_context_switches_per_vm_per_s) per s"],
	["density: memory per VM (PSS)", "\(.pss_kib_per_vm) KiB"],
	["density: memory per VM (RSS)", "\(.rss_kib_per_vm) KiB"],
	["density: MemAvailable drop per VM", "\(.memavailable_drop_kib_per_vm) KiB"],
	["density: exited 143 on SIGTERM", "\(.exited_143) / \(.vms)"]
	| @tsv end' "$OUT/density.json" | while IFS=$'\t' read -r k v; do
	printf '%-44s %s\n' "$k" "$v"
done
echo "results: $OUT/soak.json $OUT/density.json"
exit $status

#!/usr/bin/env bash
# bench.sh: boot-time benchmark for `make bench` (which builds everything
# it needs first). No pass/fail on times: it measures and reports.
#
# Exec-to-exit wall time of, interleaved in the same run (bench-run):
#   hello (kvm)       ember-vmm --backend=kvm build/apps/hello.ember
#   floor (kvm)       build/bin/ember-floor: creates a VM and a vCPU,
#                     runs one `out`, exits (tools/floor.c)
#   hello (process)   ember-vmm --backend=process build/apps/hello.ember
#   floor (process)   exec of an empty static program (tools/bench_empty.c)
# The kvm rows need a usable /dev/kvm and are skipped (and said so)
# without one. Prints a table (median, p90, ratio to the floor, peak RSS)
# and writes build/bench/boot.json.
#
# BENCH_RUNS (default 50) sets the number of measured runs per command.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${BENCH_RUNS:-50}
OUT_DIR=build/bench
RAW=$OUT_DIR/boot-samples.json
JSON=$OUT_DIR/boot.json
VMM=build/bin/ember-vmm
HELLO=build/apps/hello.ember
FLOOR=build/bin/ember-floor
EMPTY=$OUT_DIR/empty
RUNNER=$OUT_DIR/bench-run

die() {
	echo "bench: $*" >&2
	exit 1
}

for f in "$VMM" "$HELLO" "$EMPTY" "$RUNNER"; do
	[[ -e $f ]] || die "missing $f: run 'make bench' (it builds it)"
done
command -v jq >/dev/null || die "jq not found: run 'make deps'"

kvm_usable() {
	[[ -c /dev/kvm && -r /dev/kvm && -w /dev/kvm ]]
}

cmds=()
kvm_note=""
if kvm_usable; then
	[[ -x $FLOOR ]] || die "missing $FLOOR: run 'make bench'"
	cmds+=(--cmd "hello (kvm)" "$VMM" --backend=kvm "$HELLO")
	cmds+=(--cmd "floor (kvm)" "$FLOOR")
else
	kvm_note="no /dev/kvm on this host"
fi
cmds+=(--cmd "hello (process)" "$VMM" --backend=process "$HELLO")
cmds+=(--cmd "floor (process)" "$EMPTY")

# A benchmark of a broken command would measure its error path.
"$VMM" --backend=process --quiet "$HELLO" >/dev/null ||
	die "ember-vmm --backend=process $HELLO fails; fix that first"
if [[ -z $kvm_note ]]; then
	"$VMM" --backend=kvm --quiet "$HELLO" >/dev/null ||
		die "ember-vmm --backend=kvm $HELLO fails; fix that first"
	"$FLOOR" >/dev/null || die "$FLOOR fails; fix that first"
fi

echo "bench: $RUNS runs of each command, interleaved ($(nproc) CPUs)..."
"$RUNNER" -n "$RUNS" -o "$RAW" "${cmds[@]}"

image_bytes=$(stat -c %s "$HELLO")

# boot.json: the raw results plus ratios, image size and context.
jq --argjson image_bytes "$image_bytes" --arg kvm_note "$kvm_note" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg host "$(uname -srm)" --argjson cpus "$(nproc)" '
	def row($l): .commands[] | select(.label == $l);
	def ratio($a; $b):
		if ([.commands[].label] | index($a)) != null and
		   ([.commands[].label] | index($b)) != null
		then (row($a).median_ms / row($b).median_ms) else null end;
	{
		date: $date, host: $host, cpus: $cpus, runs: .runs,
		hello_image_bytes: $image_bytes,
		kvm: (if $kvm_note == "" then "measured"
		      else "skipped: " + $kvm_note end),
		ratio_hello_kvm_to_floor: ratio("hello (kvm)"; "floor (kvm)"),
		ratio_hello_process_to_floor:
			ratio("hello (process)"; "floor (process)"),
		commands: .commands
	}' "$RAW" >"$JSON"

# The table.
printf '\n%-18s %10s %10s %10s %14s %8s\n' command median_ms p90_ms \
	x_floor peak_rss_KiB failed
jq -r '
	. as $r
	| .commands[]
	| . as $c
	| ($c.label | sub(" \\(.*"; "")) as $what
	| ($c.label | capture("\\((?<b>[a-z]+)\\)").b) as $be
	| (if $what == "hello" then
		($r.commands[] | select(.label == "floor (" + $be + ")")
		 | $c.median_ms / .median_ms | tostring | .[0:5])
	   else "-" end) as $x
	| [$c.label, ($c.median_ms | tostring | .[0:8]),
	   ($c.p90_ms | tostring | .[0:8]), $x,
	   ($c.peak_rss_kib | tostring), ($c.failed_runs | tostring)]
	| @tsv' "$JSON" |
	while IFS=$'\t' read -r label med p90 x rss failed; do
		printf '%-18s %10s %10s %10s %14s %8s\n' "$label" "$med" "$p90" \
			"$x" "$rss" "$failed"
	done
if [[ -n $kvm_note ]]; then
	echo "hello (kvm): skipped ($kvm_note)"
	echo "floor: skipped (no /dev/kvm)"
fi
echo
echo "hello image: $image_bytes bytes ($HELLO)"
echo "peak RSS: wait4()'s maximum resident set of the process and its"
echo "  waited-for descendants; it includes pages inherited from the runner"
echo "  at spawn (the floor rows show that baseline)"
echo "results: $JSON (all samples in every row)"

failed=$(jq '[.commands[].failed_runs] | add' "$JSON")
((failed == 0)) || echo "bench: WARNING: $failed runs did not exit 0" >&2

#!/usr/bin/env bash
# run-fuzz.sh: the fuzzing targets of tests/fuzz/fuzz.mk.
#
#   run-fuzz.sh check CC            clang and its libFuzzer runtime exist
#   run-fuzz.sh fuzz SECONDS NAME...     each harness for SECONDS from its
#       committed corpus; new inputs in build/fuzz/NAME/corpus, crashes in
#       build/fuzz/NAME/run-DATE/; up to $FUZZ_JOBS harnesses at once.
#       Fails naming every crash file.
#   run-fuzz.sh merge 0 NAME...     minimise tests/fuzz/corpus/NAME plus
#       build/fuzz/NAME/corpus and build/fuzz/seeds/NAME into
#       tests/fuzz/corpus/NAME
#   run-fuzz.sh replay SECONDS NAME...   every committed input once, then
#       a SECONDS smoke run of each harness (make test)
#
# The harnesses keep the monitor's own messages off the terminal
# (-close_fd_mask=3, see fuzz_input.h); libFuzzer's output goes to a log
# per harness, shown when something fails.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2

FUZZ_DIR=build/fuzz
CORPUS=tests/fuzz/corpus

die() {
	echo "fuzz: $*" >&2
	exit 1
}

check() {
	local cc=$1 rt
	command -v "$cc" >/dev/null 2>&1 ||
		die "$cc is not installed: run 'make deps' (clang, libclang-rt-14-dev)"
	rt="$("$cc" -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-x86_64.a"
	[[ -f $rt ]] ||
		die "clang's libFuzzer runtime is missing ($rt): run 'make deps' (installs libclang-rt-14-dev)"
}

# The numbers of a finished run from its log: runs, runs/s, coverage.
summary() {
	local log=$1 runs rate cov
	runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" |
		awk '{ print $2 }' | tail -n 1)
	rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" |
		awk '{ print $2 }' | tail -n 1)
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
	echo "${runs:-?} runs, ${rate:-?} runs/s, ${cov:-no coverage line}"
}

# Crash, leak, timeout and out-of-memory inputs libFuzzer saved in dir.
artifacts() {
	find "$1" -maxdepth 1 -type f \
		\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
		-o -name 'oom-*' \) 2>/dev/null | sort
}

# fuzz_one SECONDS NAME: one long run; prints one result line.
fuzz_one() {
	local secs=$1 name=$2 out run bin found
	bin=$FUZZ_DIR/fuzz_$name
	out=$FUZZ_DIR/$name
	run=$out/run-$(date +%Y%m%d-%H%M%S)
	mkdir -p "$out/corpus" "$run" "$CORPUS/$name"
	"$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$run/" "$out/corpus" "$CORPUS/$name" \
		>"$run/log" 2>&1
	found=$(artifacts "$run")
	if [[ -n $found ]]; then
		echo "fuzz: $name: FOUND A PROBLEM (log $run/log):"
		sed 's/^/  /' <<<"$found"
		return 1
	fi
	echo "fuzz: $name: $(summary "$run/log"), no crash ($run/log)"
}

fuzz() {
	local secs=$1 jobs=${FUZZ_JOBS:-1} name pid status=0
	local -a pids=()
	shift
	for name in "$@"; do
		while (($(jobs -rp | wc -l) >= jobs)); do
			sleep 1
		done
		fuzz_one "$secs" "$name" &
		pids+=($!)
	done
	# bash keeps the status of a job that ended before its wait.
	for pid in "${pids[@]}"; do
		wait "$pid" || status=1
	done
	return $status
}

merge() {
	local name tmp bin
	shift # no time limit
	for name in "$@"; do
		bin=$FUZZ_DIR/fuzz_$name
		tmp=$(mktemp -d)
		mkdir -p "$FUZZ_DIR/$name/corpus" "$CORPUS/$name"
		mkdir -p "$FUZZ_DIR/seeds/$name"
		# -use_counters=0: keep one input per edge, not per hit-count
		# bucket; a third of the size, for a corpus that is committed.
		if ! "$bin" -merge=1 -use_counters=0 "$tmp" "$CORPUS/$name" \
			"$FUZZ_DIR/$name/corpus" "$FUZZ_DIR/seeds/$name" \
			>"$FUZZ_DIR/$name/merge.log" 2>&1; then
			rm -rf "$tmp"
			die "$name: merge failed, see $FUZZ_DIR/$name/merge.log"
		fi
		find "$CORPUS/$name" -maxdepth 1 -type f -delete
		cp "$tmp"/* "$CORPUS/$name/" 2>/dev/null
		rm -rf "$tmp"
		echo "fuzz: $name: $(find "$CORPUS/$name" -type f | wc -l) inputs," \
			"$(cat "$CORPUS/$name"/* | wc -c) bytes in $CORPUS/$name"
	done
}

# replay_one SECONDS NAME: the committed corpus, then a short run.
replay_one() {
	local secs=$1 name=$2 bin dir files found
	bin=$FUZZ_DIR/fuzz_$name
	dir=$FUZZ_DIR/smoke/$name
	rm -rf "$dir"
	mkdir -p "$dir/corpus"
	mapfile -t files < <(find "$CORPUS/$name" -maxdepth 1 -type f | sort)
	((${#files[@]})) || {
		echo "fuzz: $name: no committed corpus in $CORPUS/$name"
		return 1
	}
	if ! "$bin" "${files[@]}" >"$dir/replay.log" 2>&1; then
		echo "fuzz: $name: a committed input fails:"
		tail -n 40 "$dir/replay.log"
		return 1
	fi
	"$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/" "$dir/corpus" "$CORPUS/$name" \
		>"$dir/smoke.log" 2>&1
	found=$(artifacts "$dir")
	if [[ -n $found ]]; then
		echo "fuzz: $name: the ${secs}s smoke run found a problem:"
		tail -n 40 "$dir/smoke.log"
		sed 's/^/  /' <<<"$found"
		return 1
	fi
	echo "fuzz: $name: ${#files[@]} committed inputs pass;" \
		"smoke ${secs}s: $(summary "$dir/smoke.log")"
}

replay() {
	local secs=$1 name status=0
	shift
	for name in "$@"; do
		replay_one "$secs" "$name" || status=1
	done
	return $status
}

mode=${1:-}
shift || true
case $mode in
check) check "$@" ;;
fuzz | merge | replay)
	secs=${1:?seconds}
	shift
	"$mode" "$secs" "$@"
	;;
*) die "usage: run-fuzz.sh check CC | fuzz|merge|replay SECONDS NAME..." ;;
esac

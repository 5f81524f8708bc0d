#!/usr/bin/env bash
# json.sh - `make bench-json`: how much `fivefifty parse --json` costs over
# `fivefifty parse --count` on the same corpus (issue 17: --json at least
# 60% of the speed of --count, so writing the output must not dominate).
#
# usage: bench/json.sh        (make bench-json builds ./fivefifty and mkcorpus)
#
# Environment:
#   BENCH_MB  size of the corpus in MiB (default 100)
#   RUNS      runs of each, interleaved, the best one counts (default 3)
#   SHARED    the shared tree holding corpus/ (default ../shared)
#   OLD       another fivefifty binary to time the same way in the same run
#             (e.g. one built from the previous commit), for a before/after
#
# The corpus is bench/out/corpus.log (bench/corpus.sh, as for bench/run.sh).
# --json goes to /dev/null, so the pipe or disk costs nothing; both runs are
# pinned to one core when taskset works. Prints each run's wall-clock
# seconds and, per binary, json speed / count speed (count secs / json secs).
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

. bench/prelude.sh

pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
	pin=(taskset -c 0)
fi

# secs BIN MODE - wall-clock seconds of one `BIN parse MODE CORPUS`
secs() {
	local t0 t1
	t0=$EPOCHREALTIME
	${pin[@]+"${pin[@]}"} "$1" parse "$2" "$CORPUS" >/dev/null \
	    2>"$OUT/json-bench.err" || die "$1 parse $2 failed; see $OUT/json-bench.err"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# min A B - the smaller of two decimals
min() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'
}

bins=(./fivefifty)
[ -n "$OLD" ] && bins+=("$OLD")
declare -A best
cat "$CORPUS" >/dev/null	# page cache
echo "bench: parse --count and --json on $CORPUS ($(stat -c %s \
    "$CORPUS") bytes), $RUNS runs each, interleaved" >&2
for ((i = 1; i <= RUNS; i++)); do
	for b in "${bins[@]}"; do
		for m in --count --json; do
			s=$(secs "$b" "$m")
			printf '  run %d  %-28s %-8s %6s s\n' "$i" "$b" "$m" "$s"
			best[$b$m]=$(min "$s" "${best[$b$m]:-}")
		done
	done
done
mb=$(awk -v b="$(stat -c %s "$CORPUS")" 'BEGIN { print b / 1048576 }')
for b in "${bins[@]}"; do
	awk -v n="$b" -v c="${best[$b--count]}" -v j="${best[$b--json]}" \
	    -v mb="$mb" 'BEGIN {
		printf "%s: best --count %.3f s (%.0f MiB/s), --json %.3f s " \
		    "(%.0f MiB/s): json/count speed %.0f%%\n", n, c, mb / c, \
		    j, mb / j, 100 * c / j
	}'
done

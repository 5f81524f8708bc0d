#!/usr/bin/env bash
# parse1.sh - `make bench-parse1`: `fivefifty parse --count` on one core
# next to `grep -c ': reject: '` on the same file (issue 17: parsing on one
# core within 4x the time of grep -c).
#
# usage: bench/parse1.sh      (make bench-parse1 builds ./fivefifty and mkcorpus)
#
# Environment:
#   BENCH_MB  size of the corpus in MiB (default 100)
#   RUNS      runs of each, interleaved, the best one counts (default 3)
#   SHARED    the shared tree holding corpus/ (default ../shared)
#   OLD       another fivefifty binary to time the same way in the same run
#             (e.g. one built from the previous commit), for a before/after
#
# The corpus is bench/out/corpus.log (bench/corpus.sh, as for bench/run.sh).
# Every run is pinned to CPU 0 with taskset (the script says so when it
# cannot pin). Prints each run's wall-clock seconds, then per binary the
# best time, MiB/s, the ratio to grep's best time and the target (<= 4x).
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

TARGET=4
. bench/prelude.sh

pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
	pin=(taskset -c 0)
else
	echo "bench: taskset cannot pin to CPU 0: runs are not pinned" >&2
fi

# secs CMD... - "WALL CPU": wall-clock and CPU (user + system) seconds of
# one run of CMD, from bash's time (milliseconds). The output goes to a
# file: GNU grep stops at the first match when its output is /dev/null.
secs() {
	local TIMEFORMAT='%3R %3U %3S' t
	t=$( { time ${pin[@]+"${pin[@]}"} "$@" >"$OUT/parse1-bench.out" \
	    2>"$OUT/parse1-bench.err"; } 2>&1 ) ||
	    [ "$1" = grep ] || die "$* failed; see $OUT/parse1-bench.err"
	awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"${t##*$'\n'}"
}

# min A B - the smaller of two decimals
min() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'
}

# one KEY LABEL CMD... - time one run, keep the best wall and CPU of KEY
one() {
	local key=$1 label=$2 w c
	shift 2
	read -r w c < <(secs "$@")
	printf '  run %d  %-40s %6s s wall %6s s cpu\n' "$i" "$label" "$w" "$c"
	best[$key]=$(min "$w" "${best[$key]:-}")
	bcpu[$key]=$(min "$c" "${bcpu[$key]:-}")
}

bins=(./fivefifty)
[ -n "$OLD" ] && bins+=("$OLD")
declare -A best bcpu
cat "$CORPUS" >/dev/null	# page cache
echo "bench: parse --count against grep -c ': reject: ' on $CORPUS" \
    "($(stat -c %s "$CORPUS") bytes), $RUNS runs each, interleaved," \
    "${pin[*]:-not pinned}" >&2
for ((i = 1; i <= RUNS; i++)); do
	one grep "grep -c ': reject: '" grep -c ': reject: ' "$CORPUS"
	for b in "${bins[@]}"; do
		one "$b" "$b parse --count" "$b" parse --count "$CORPUS"
	done
done
mb=$(awk -v b="$(stat -c %s "$CORPUS")" 'BEGIN { print b / 1048576 }')
awk -v g="${best[grep]}" -v gc="${bcpu[grep]}" -v mb="$mb" 'BEGIN {
	printf "grep -c: best %.3f s wall (%.0f MiB/s), %.3f s cpu\n", g, \
	    mb / g, gc
}'
for b in "${bins[@]}"; do
	awk -v n="$b" -v c="${best[$b]}" -v g="${best[grep]}" -v mb="$mb" \
	    -v cc="${bcpu[$b]}" -v gc="${bcpu[grep]}" -v t="$TARGET" 'BEGIN {
		r = c / g
		printf "%s parse --count: best %.3f s wall (%.0f MiB/s), " \
		    "%.3f s cpu: %.2fx the wall time of grep -c, %.2fx its " \
		    "cpu (target <= %dx: %s)\n", n, c, mb / c, cc, r, \
		    (gc > 0 ? cc / gc : 0), t, (r <= t ? "met" : "NOT met")
	}'
done

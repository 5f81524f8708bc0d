#!/usr/bin/env bash
# par.sh - `make bench-par`: parsing on every core (issue 17). scan
# --dry-run, scan with a state, parse --count and report summary from the
# log, each with --threads 1 on one core, --threads 2 on two and --threads
# nproc on all, side by side in one run: MiB/s, the speed-up over one
# core, and the issue's targets on 2 cores (scan --dry-run >= 250 MB/s,
# scan with its state >= 200 MB/s; judged in MiB/s, the stricter).
#
# usage: bench/par.sh        (make bench-par builds ./fivefifty and mkcorpus)
#
# Environment:
#   BENCH_MB  size of the corpus in MiB (default 100)
#   RUNS      runs of each, interleaved, the best one counts (default 3)
#   SHARED    the shared tree holding corpus/ (default ../shared)
#
# The corpus is bench/out/corpus.log (bench/corpus.sh). N threads run on
# CPUs 0..N-1 (taskset, when it works), so "2" is two cores even on a
# bigger machine. The state is SQLite, bench/out/par.db, made afresh for
# each run of scan (firewall = off, no access map: nothing is enforced);
# the dry run has no state. Output goes to /dev/null; each run's standard
# error to bench/out/par-bench.err. Nothing outside bench/out is written.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

. bench/prelude.sh

NPROC=$(nproc)
threads=(1 2)
[ "$NPROC" -gt 2 ] && threads+=("$NPROC")
CONF=$OUT/par.conf
DB=$PWD/$OUT/par.db
# clock_tolerance = 0: the corpus is many days of lines from logs of
# different years, interleaved; with the default (1d) most of them would be
# refused by the clock guard and not scored, and scan would seem fast.
printf 'state_db = %s\nfirewall = off\naccess_map =\ncontrol_group =\nclock_tolerance = 0\n' \
    "$DB" >"$CONF"

taskset_ok=0
command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null && taskset_ok=1

# cmd MODE N - the command line of MODE with N threads
cmd() {
	local pin=()
	[ "$taskset_ok" = 1 ] && pin=(taskset -c "0-$(($2 - 1))")
	case $1 in
	dry) echo "${pin[*]} ./fivefifty scan -c $CONF --dry-run --threads $2 $CORPUS" ;;
	state) echo "${pin[*]} ./fivefifty scan -c $CONF --no-enforce --threads $2 $CORPUS" ;;
	count) echo "${pin[*]} ./fivefifty parse --count --threads $2 $CORPUS" ;;
	report) echo "${pin[*]} ./fivefifty report summary -c $CONF --threads $2 $CORPUS" ;;
	esac
}

# secs MODE N - wall-clock seconds of one run
secs() {
	local t0 t1
	rm -f "$DB" "$DB-wal" "$DB-shm"
	t0=$EPOCHREALTIME
	# shellcheck disable=SC2046
	$(cmd "$1" "$2") >/dev/null 2>"$OUT/par-bench.err" ||
	    die "$(cmd "$1" "$2") failed; see $OUT/par-bench.err"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# min A B - the smaller of two decimals
min() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a < b) ? a : b }'
}

modes=(dry state count report)
declare -A best
cat "$CORPUS" >/dev/null	# page cache
bytes=$(stat -c %s "$CORPUS")
echo "bench: $CORPUS ($bytes bytes), threads ${threads[*]} (nproc $NPROC)," \
    "$RUNS runs each, interleaved" >&2
for ((i = 1; i <= RUNS; i++)); do
	for m in "${modes[@]}"; do
		for n in "${threads[@]}"; do
			s=$(secs "$m" "$n")
			printf '  run %d  %-7s --threads %-3s %7s s\n' "$i" "$m" \
			    "$n" "$s" >&2
			best[$m.$n]=$(min "$s" "${best[$m.$n]:-}")
		done
	done
done
rm -f "$DB" "$DB-wal" "$DB-shm"

# The table: MiB/s per thread count, speed-up over one thread.
{
	printf '%-26s' "MiB/s (speed-up)"
	for n in "${threads[@]}"; do
		printf ' %18s' "$n thread(s)"
	done
	printf '\n'
	for m in "${modes[@]}"; do
		case $m in
		dry) label="scan --dry-run" ;;
		state) label="scan (SQLite state)" ;;
		count) label="parse --count" ;;
		report) label="report summary FILE" ;;
		esac
		printf '%-26s' "$label"
		for n in "${threads[@]}"; do
			awk -v b="$bytes" -v s="${best[$m.$n]}" \
			    -v s1="${best[$m.1]}" 'BEGIN {
				printf " %10.0f (%4.2fx)", b / 1048576 / s, s1 / s
			}'
		done
		printf '\n'
	done
	awk -v b="$bytes" -v d="${best[dry.2]}" -v s="${best[state.2]}" 'BEGIN {
		d = b / 1048576 / d; s = b / 1048576 / s
		printf "targets on 2 threads: scan --dry-run %.0f MiB/s (>= 250: %s), " \
		    "scan with state %.0f MiB/s (>= 200: %s)\n", d,
		    (d >= 250 ? "met" : "NOT met"), s, (s >= 200 ? "met" : "NOT met")
	}'
} | tee "$OUT/par.md"

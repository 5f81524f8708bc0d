#!/usr/bin/env bash
# run.sh - `make bench`: time `fivefifty parse --count` against grep -c,
# fail2ban-regex (postfix filter) and pflogsumm on one scaled-up corpus.
#
# usage: bench/run.sh          (make bench builds ./fivefifty and mkcorpus)
#
# Environment:
#   BENCH_MB  size of the corpus in MiB (default 512)
#   SLOW_MB   size of the prefix slice fail2ban-regex and pflogsumm read,
#             in MiB (default 50; at least BENCH_MB means the whole corpus)
#   RUNS      runs of each fast tool, the best one counts (default 3)
#   SHARED    the shared tree holding corpus/ (default ../shared)
#   TAIL_LINES lines the tailer throughput run appends (default 1000000)
#   LAT_LINES  lines of the latency run, one per ms (default 2000)
#
# The corpus goes to bench/out/corpus.log (built by build/rel/bench/mkcorpus
# from $SHARED/corpus/{realworld,lab}/*.log, nothing copied into the tree);
# logs of each tool and results.md go to bench/out/ as well. Nothing
# outside the project is written. MB below means MiB (2^20 bytes).
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared}
BENCH_MB=${BENCH_MB:-512}
SLOW_MB=${SLOW_MB:-50}
RUNS=${RUNS:-3}
OUT=bench/out
MKCORPUS=build/rel/bench/mkcorpus
TAILBENCH=build/rel/bench/tailbench
TAIL_LINES=${TAIL_LINES:-1000000}
LAT_LINES=${LAT_LINES:-2000}
FIVEFIFTY=./fivefifty
F2B_FILTER=/etc/fail2ban/filter.d/postfix.conf
PATTERN=': reject: '
MIB=1048576

die() {
	echo "bench: $*" >&2
	exit 1
}

for v in BENCH_MB SLOW_MB RUNS TAIL_LINES LAT_LINES; do
	case ${!v} in
	'' | *[!0-9]* | 0*) die "$v must be a positive integer" ;;
	esac
done
[ -x "$FIVEFIFTY" ] || die "$FIVEFIFTY missing; run make fivefifty"
[ -x "$MKCORPUS" ] || die "$MKCORPUS missing; run make $MKCORPUS"
[ -x "$TAILBENCH" ] || die "$TAILBENCH missing; run make $TAILBENCH"
for t in grep fail2ban-regex pflogsumm; do
	command -v "$t" >/dev/null || die "$t not found (scripts/deps.sh bench)"
done
[ -r "$F2B_FILTER" ] || die "$F2B_FILTER not readable"

. bench/corpus.sh

pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
	pin=(taskset -c 0)
fi
gnutime=0
[ -x /usr/bin/time ] && gnutime=1

# now - wall clock in seconds with microseconds
now() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		echo "$EPOCHREALTIME"
	else
		date +%s.%N
	fi
}

# timed ALLOW STDOUT STDERR CMD... - run CMD pinned; sets SECS and RSS (KiB)
timed() {
	local allow=$1 o=$2 e=$3 t0 t1 rc=0
	shift 3
	t0=$(now)
	if [ "$gnutime" = 1 ]; then
		/usr/bin/time -f '%M' -o "$OUT/time.tmp" \
		    ${pin[@]+"${pin[@]}"} "$@" >"$o" 2>"$e" || rc=$?
	else
		${pin[@]+"${pin[@]}"} "$@" >"$o" 2>"$e" || rc=$?
	fi
	t1=$(now)
	if [ "$rc" -gt "$allow" ]; then
		echo "bench: $* exited $rc; see $e" >&2
		exit 1
	fi
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	RSS=-
	[ "$gnutime" = 1 ] && RSS=$(tail -n 1 "$OUT/time.tmp")
	return 0
}

# best ALLOW STDOUT STDERR CMD... - the fastest of RUNS runs in SECS, RSS
best() {
	local b="" r="" i
	for ((i = 0; i < RUNS; i++)); do
		timed "$@"
		if [ -z "$b" ] || awk -v x="$SECS" -v y="$b" \
		    'BEGIN { exit !(x < y) }'; then
			b=$SECS
			r=$RSS
		fi
	done
	SECS=$b
	RSS=$r
}

rows=()
# row NAME FILE LINES SECS RSS REF_SECS FOUND - one table line
row() {
	local bytes
	bytes=$(stat -c %s "$2")
	rows+=("$(awk -v n="$1" -v b="$bytes" -v l="$3" -v s="$4" -v m="$5" \
	    -v r="$6" -v f="$7" 'BEGIN {
		mb = b / 1048576
		rss = m == "-" ? "-" : sprintf("%.0f", m / 1024)
		ls = l / s
		ls = ls >= 1e6 ? sprintf("%.2f M", ls / 1e6) : \
		    sprintf("%.0f k", ls / 1e3)
		printf "| %s | %.1f | %.3f | %.1f | %s | %.2f× | %s | %s |", \
		    n, mb, s, mb / s, ls, s / r, rss, f
	}')")
}

slice_note=""
[ "$SLICE" != "$CORPUS" ] && slice_note=" (first $SLOW_MB MB slice)"

corpus_lines=$(wc -l <"$CORPUS")
slice_lines=$(wc -l <"$SLICE")

# Page cache: every tool reads from memory, not disk.
cat "$CORPUS" "$SLICE" >/dev/null

echo "bench: fivefifty parse --count on $CORPUS, best of $RUNS" >&2
best 0 /dev/null "$OUT/fivefifty.txt" "$FIVEFIFTY" parse --count "$CORPUS"
ff_secs=$SECS ff_rss=$RSS
ff_found=$(grep -o ' reject=[0-9]*' "$OUT/fivefifty.txt" | head -n 1 |
    tr -d ' ' || true)

echo "bench: grep -c on $CORPUS, best of $RUNS" >&2
best 1 "$OUT/grep.txt" /dev/null grep -c -- "$PATTERN" "$CORPUS"
gr_secs=$SECS gr_rss=$RSS
gr_found="$(cat "$OUT/grep.txt") lines"

cat "$SLICE" >/dev/null
echo "bench: fivefifty parse --count on $SLICE, best of $RUNS" >&2
best 0 /dev/null "$OUT/fivefifty-slice.txt" "$FIVEFIFTY" parse --count \
    "$SLICE"
ffs_secs=$SECS ffs_rss=$RSS
ffs_found=$(grep -o ' reject=[0-9]*' "$OUT/fivefifty-slice.txt" |
    head -n 1 | tr -d ' ' || true)

echo "bench: grep -c on $SLICE, best of $RUNS" >&2
best 1 "$OUT/grep-slice.txt" /dev/null grep -c -- "$PATTERN" "$SLICE"
grs_secs=$SECS grs_rss=$RSS
grs_found="$(cat "$OUT/grep-slice.txt") lines"

echo "bench: fail2ban-regex on $SLICE (once; slow)" >&2
timed 0 "$OUT/fail2ban.txt" "$OUT/fail2ban.err" fail2ban-regex -r \
    --print-no-missed --print-no-ignored "$SLICE" "$F2B_FILTER"
fb_secs=$SECS fb_rss=$RSS
fb_found=$(sed -n 's/^Lines: .*, \([0-9]*\) matched.*/matched=\1/p' \
    "$OUT/fail2ban.txt")

echo "bench: pflogsumm on $SLICE (once)" >&2
timed 0 "$OUT/pflogsumm.txt" "$OUT/pflogsumm.err" pflogsumm "$SLICE"
pl_secs=$SECS pl_rss=$RSS
pl_found=$(awk '$2 == "rejected" { print "rejected=" $1; exit }' \
    "$OUT/pflogsumm.txt")

# The scorer: fivefifty scan of the whole corpus, with its state database
# (fresh each run) and as a dry run; once each (it takes seconds). Not
# pinned: scan stores its state from a second thread, on the second core.
echo "bench: fivefifty scan on $CORPUS (state in $OUT/scan.db)" >&2
rm -f "$OUT/scan.db" "$OUT/scan.db-wal" "$OUT/scan.db-shm"
saved_pin=(${pin[@]+"${pin[@]}"})
pin=()
# The corpus's bans ended long ago; --no-enforce keeps the host's
# firewall and /etc/postfix out of it all the same (bench/fw.sh measures
# banning, in a namespace of its own).
# clock_tolerance = 0: the corpus interleaves days and years; with the
# default (1d) the clock guard would leave most lines unscored.
printf 'clock_tolerance = 0\n' >"$OUT/scan.conf"
timed 0 /dev/null "$OUT/scan.txt" "$FIVEFIFTY" scan -c "$OUT/scan.conf" \
    --no-enforce --db "$OUT/scan.db" "$CORPUS"
pin=(${saved_pin[@]+"${saved_pin[@]}"})
sc_secs=$SECS sc_rss=$RSS
sc_found=$(grep -o '[0-9]* new bans' "$OUT/scan.txt" | head -n 1 || true)
rm -f "$OUT/none.db"
timed 0 /dev/null "$OUT/scan-dry.txt" "$FIVEFIFTY" scan -c "$OUT/scan.conf" \
    --dry-run --db "$OUT/none.db" "$CORPUS"
sd_secs=$SECS sd_rss=$RSS
sd_found=$(grep -o '[0-9]* new bans' "$OUT/scan-dry.txt" | head -n 1 ||
    true)

row "\`fivefifty parse --count\`" "$CORPUS" "$corpus_lines" "$ff_secs" \
    "$ff_rss" "$ff_secs" "$ff_found"
row "\`grep -c '$PATTERN'\`" "$CORPUS" "$corpus_lines" "$gr_secs" \
    "$gr_rss" "$ff_secs" "$gr_found"
row "\`fivefifty parse --count\`$slice_note" "$SLICE" "$slice_lines" \
    "$ffs_secs" "$ffs_rss" "$ffs_secs" "$ffs_found"
row "\`grep -c '$PATTERN'\`$slice_note" "$SLICE" "$slice_lines" \
    "$grs_secs" "$grs_rss" "$ffs_secs" "$grs_found"
row "\`fail2ban-regex\` postfix.conf$slice_note" "$SLICE" "$slice_lines" \
    "$fb_secs" "$fb_rss" "$ffs_secs" "$fb_found"
row "\`pflogsumm\`$slice_note" "$SLICE" "$slice_lines" "$pl_secs" \
    "$pl_rss" "$ffs_secs" "$pl_found"
row "\`fivefifty scan\` (scoring + SQLite state; 2 cores)" "$CORPUS" \
    "$corpus_lines" \
    "$sc_secs" "$sc_rss" "$ff_secs" "$sc_found"
row "\`fivefifty scan --dry-run\` (scoring only)" "$CORPUS" \
    "$corpus_lines" "$sd_secs" "$sd_rss" "$ff_secs" "$sd_found"

# The tailer: lines/s on a file a writer appends to flat out, and the
# write-to-delivery latency of single lines (bench/tailbench.c).
echo "bench: tailer throughput ($TAIL_LINES lines) and latency" \
    "($LAT_LINES lines)" >&2
mkdir -p "$OUT/tail"
"$TAILBENCH" "$OUT/tail" "$TAIL_LINES" "$LAT_LINES" >"$OUT/tailbench.txt"
tb() { sed -n "s/^$1=//p" "$OUT/tailbench.txt"; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
pinned="not pinned (no taskset)"
[ ${#pin[@]} -gt 0 ] && pinned="pinned to CPU 0 with \`taskset -c 0\`"
ff_mbs=$(awk -v b="$(stat -c %s "$CORPUS")" -v s="$ff_secs" \
    'BEGIN { printf "%.1f", b / 1048576 / s }')
ff_grep=$(awk -v a="$ff_secs" -v b="$gr_secs" 'BEGIN { printf "%.2f", a / b }')
verdict() {
	awk -v x="$1" -v lim="$2" -v dir="$3" 'BEGIN {
		ok = dir == "ge" ? x >= lim : x <= lim
		print ok ? "met" : "NOT met"
	}'
}

{
	echo "## fivefifty benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $cpu, Linux $(uname -r); every run" \
	    "$pinned"
	echo "- command: \`BENCH_MB=$BENCH_MB SLOW_MB=$SLOW_MB RUNS=$RUNS" \
	    "make bench\`"
	echo "- corpus: $CORPUS, $corpus_lines lines, built by mkcorpus" \
	    "from $SHARED/corpus/{realworld,lab}/*.log; fail2ban-regex and" \
	    "pflogsumm read its first $(stat -c %s "$SLICE") bytes" \
	    "($slice_lines lines)"
	echo "- tools: $(grep --version | head -n 1)," \
	    "$(fail2ban-regex --version 2>&1 | head -n 1) with" \
	    "$F2B_FILTER as installed (mode = more), pflogsumm" \
	    "$(pflogsumm --version 2>&1 | awk '{ print $NF; exit }')" \
	    "(default report)"
	echo "- seconds: wall clock; fivefifty and grep best of $RUNS," \
	    "fail2ban-regex and pflogsumm one run; page cache warm;" \
	    "LC_ALL=C; MB = 2^20 bytes"
	echo
	echo "| tool | input MB | seconds | MB/s | lines/s |" \
	    "time ÷ fivefifty's (same input) | max RSS MB | count reported |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "- fivefifty: $ff_mbs MB/s on one core — target ≥ 200 MB/s:" \
	    "$(verdict "$ff_mbs" 200 ge)"
	echo "- fivefifty ÷ grep -c (time): ${ff_grep}× — aim ≤ 3×:" \
	    "$(verdict "$ff_grep" 3 le)"
	sc_mbs=$(awk -v b="$(stat -c %s "$CORPUS")" -v s="$sc_secs" \
	    'BEGIN { printf "%.1f", b / 1048576 / s }')
	echo "- fivefifty scan with state: $sc_mbs MB/s, max RSS" \
	    "$((sc_rss / 1024)) MB — target ≥ 100 MB/s:" \
	    "$(verdict "$sc_mbs" 100 ge)"
	echo
	echo "### Tailer (inotify follower, \`tailer/follow.c\`)"
	echo
	echo "A child process appends lines (one write(2) each, as fast as" \
	    "it can; writer on CPU 1, tailer on CPU 0) while the tailer" \
	    "follows the file; then single lines one per millisecond, each" \
	    "stamped with its write time (\`build/rel/bench/tailbench\`)."
	echo
	echo "| measure | value |"
	echo "|---|---:|"
	echo "| lines through the tailer | $(tb throughput_lines) in" \
	    "$(tb throughput_secs) s |"
	echo "| lines/s | $(tb lines_per_sec) |"
	echo "| MB/s | $(tb mb_per_sec) |"
	echo "| latency p50 (µs), $(tb latency_lines) lines | $(tb p50_us) |"
	echo "| latency p99 (µs) | $(tb p99_us) |"
	echo "| latency max (µs) | $(tb max_us) |"
} >"$OUT/results.md"
cat "$OUT/results.md"
rm -f "$OUT/time.tmp"

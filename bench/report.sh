#!/usr/bin/env bash
# report.sh - `make bench-report`: how fast `fivefifty report` is, from
# the logs (against pflogsumm) and from a state database scanned from a
# million events.
#
# usage: bench/report.sh   (make bench-report builds ./fivefifty and
#                           mkcorpus; make bench runs it after run.sh)
#
# Environment:
#   BENCH_MB     size of the corpus in MiB (default 512; the corpus of
#                bench/run.sh, reused when it is current)
#   SLOW_MB      size of the prefix slice pflogsumm reads, in MiB (default
#                50; at least BENCH_MB means the whole corpus)
#   RUNS         runs of each fivefifty command, the best one counts
#                (default 3)
#   STATE_EVENTS parser events each state database is scanned from: the
#                shortest run of whole lines (first of the corpus, first
#                of its RFC 3339 lines) holding at least this many
#                (default 1000000)
#   SHARED       the shared tree holding corpus/ (default ../shared)
#
# From the logs: `report summary --log` and `report helo --log` on the
# whole corpus, each on both CPUs and pinned to one (`taskset -c 0`), and
# pflogsumm (its default report, pinned, one run) on SLICE; fivefifty's
# summary runs on SLICE too, so the ratio compares times on the same
# input. From the state, twice: `fivefifty scan --no-enforce` of the
# shortest run of whole lines holding STATE_EVENTS events into
# bench/out/report-NAME.db (fresh each run), "prefix" the corpus's first
# lines, "rfc3339" the first of its lines stamped in RFC 3339 (a state
# keeps 30 days of log time, and the corpus's other dates jump years);
# then `report summary`, `report helo` (both with --from/--until covering
# all the data) and `report fivefifties`, each on both CPUs and pinned.
#
# The corpus is bench/out/corpus.log, as bench/run.sh builds it (with
# build/rel/bench/mkcorpus from $SHARED/corpus/{realworld,lab}/*.log,
# nothing copied into the tree). The reports go to bench/out/report-*.txt,
# the table to bench/out/report.md, which is printed. Nothing outside the
# project is written: the scan is --no-enforce (no nftables, no access
# map). MB below means MiB (2^20 bytes).
# shellcheck disable=SC2154 # both() sets NAME_1, NAME_2... by printf -v
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared}
BENCH_MB=${BENCH_MB:-512}
SLOW_MB=${SLOW_MB:-50}
RUNS=${RUNS:-3}
STATE_EVENTS=${STATE_EVENTS:-1000000}
OUT=bench/out
MKCORPUS=build/rel/bench/mkcorpus
FIVEFIFTY=./fivefifty
# The runs use a copy: the tree is shared, and ./fivefifty may be rebuilt
# while this runs.
FF=$OUT/report-fivefifty
MIB=1048576

die() {
	echo "bench/report.sh: $*" >&2
	exit 1
}

for v in BENCH_MB SLOW_MB RUNS STATE_EVENTS; do
	case ${!v} in
	'' | *[!0-9]* | 0*) die "$v must be a positive integer" ;;
	esac
done
[ -x "$FIVEFIFTY" ] || die "$FIVEFIFTY missing; run make fivefifty"
[ -x "$MKCORPUS" ] || die "$MKCORPUS missing; run make $MKCORPUS"
for t in pflogsumm sqlite3; do
	command -v "$t" >/dev/null || die "$t not found (scripts/deps.sh bench)"
done

. bench/corpus.sh

one=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
	one=(taskset -c 0)
fi
pin=()
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

# timed STDOUT STDERR CMD... - run CMD (pinned when pin is set); sets
# SECS and RSS (KiB); a non-zero exit ends the benchmark
timed() {
	local o=$1 e=$2 t0 t1 rc=0
	shift 2
	t0=$(now)
	if [ "$gnutime" = 1 ]; then
		/usr/bin/time -f '%M' -o "$OUT/report-time.tmp" \
		    ${pin[@]+"${pin[@]}"} "$@" >"$o" 2>"$e" || rc=$?
	else
		${pin[@]+"${pin[@]}"} "$@" >"$o" 2>"$e" || rc=$?
	fi
	t1=$(now)
	if [ "$rc" -ne 0 ]; then
		echo "bench: $* exited $rc; see $e" >&2
		exit 1
	fi
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	RSS=-
	[ "$gnutime" = 1 ] && RSS=$(tail -n 1 "$OUT/report-time.tmp")
	return 0
}

# best STDOUT STDERR CMD... - the fastest of RUNS runs in SECS, RSS
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

# both NAME CMD... - best of RUNS on both CPUs, then pinned to CPU 0;
# sets NAME_2, NAME_1 (seconds), NAME_2rss, NAME_1rss (KiB); the report
# goes to $OUT/report-NAME.txt
both() {
	local n=$1
	shift
	pin=()
	best "$OUT/report-$n.txt" "$OUT/report-$n.err" "$@"
	printf -v "${n}_2" %s "$SECS"
	printf -v "${n}_2rss" %s "$RSS"
	pin=(${one[@]+"${one[@]}"})
	best "$OUT/report-$n.txt" "$OUT/report-$n.err" "$@"
	printf -v "${n}_1" %s "$SECS"
	printf -v "${n}_1rss" %s "$RSS"
	pin=()
}

mbs() {
	awk -v b="$(stat -c %s "$1")" -v s="$2" \
	    'BEGIN { printf "%.1f", b / 1048576 / s }'
}
verdict() {
	awk -v x="$1" -v lim="$2" -v dir="$3" 'BEGIN {
		ok = dir == "ge" ? x >= lim : x < lim
		print ok ? "met" : "**NOT met**"
	}'
}
# rejects FILE - the summary's total of rejects (this period's column)
rejects() {
	awk '$1 == "rejects" { print "rejects=" $2; exit }' "$1"
}
# tophelo FILE - the first row of report helo: name=rejects
tophelo() {
	awk 'h && n != "" { print n "=" $1; exit }
	    h && NF == 1 { n = $1; next }
	    h && NF >= 8 { print $1 "=" $2; exit }
	    $1 == "helo" && $2 == "rejects" { h = 1 }' "$1"
}

rows=()
# row NAME FILE LINES CPUS SECS RSS REF1 REF2 FOUND - one line of the logs
# table; REF1, REF2: report summary's seconds on FILE, pinned and not
row() {
	local bytes
	bytes=$(stat -c %s "$2")
	rows+=("$(awk -v n="$1" -v b="$bytes" -v l="$3" -v c="$4" -v s="$5" \
	    -v m="$6" -v r1="$7" -v r2="$8" -v f="$9" 'BEGIN {
		mb = b / 1048576
		rss = m == "-" ? "-" : sprintf("%.0f", m / 1024)
		ls = l / s
		ls = ls >= 1e6 ? sprintf("%.2f M", ls / 1e6) : \
		    sprintf("%.0f k", ls / 1e3)
		printf "| %s | %.1f | %s | %.3f | %.1f | %s | %.2f× | %.2f× |" \
		    " %s | %s |", n, mb, c, s, mb / s, ls, s / r1, s / r2, \
		    rss, f
	}')")
}

trap 'rm -f "$FF" "$OUT/report-time.tmp"' EXIT
cp -p "$FIVEFIFTY" "$FF"
ff_stamp=$(stat -c %Y "$FF")
ff_sum=$(sha256sum "$FF" | cut -c 1-12)
rev=$(git describe --always --dirty 2>/dev/null || echo "no git")
corpus_lines=$(wc -l <"$CORPUS")
slice_lines=$(wc -l <"$SLICE")
slice_note=""
[ "$SLICE" != "$CORPUS" ] && slice_note=" (first $SLOW_MB MB slice)"

# Page cache: every run reads from memory, not disk.
cat "$CORPUS" "$SLICE" >/dev/null

# 1. From the logs.
echo "bench: report summary --log $CORPUS, best of $RUNS, 2 CPUs" \
    "then pinned" >&2
both sum "$FF" report summary --log "$CORPUS"
echo "bench: report helo --log $CORPUS, best of $RUNS, 2 CPUs then" \
    "pinned" >&2
both helo "$FF" report helo --log "$CORPUS"
if [ "$SLICE" != "$CORPUS" ]; then
	cat "$SLICE" >/dev/null
	echo "bench: report summary --log $SLICE, best of $RUNS, 2 CPUs" \
	    "then pinned" >&2
	both ssum "$FF" report summary --log "$SLICE"
else
	ssum_1=$sum_1 ssum_2=$sum_2 ssum_1rss=$sum_1rss ssum_2rss=$sum_2rss
	cp "$OUT/report-sum.txt" "$OUT/report-ssum.txt"
fi
echo "bench: pflogsumm on $SLICE (once, pinned; slow)" >&2
pin=(${one[@]+"${one[@]}"})
timed "$OUT/report-pflogsumm.txt" "$OUT/report-pflogsumm.err" pflogsumm \
    "$SLICE"
pin=()
pl_secs=$SECS pl_rss=$RSS
pl_found=$(awk '$2 == "rejected" { print "rejected=" $1; exit }' \
    "$OUT/report-pflogsumm.txt")

row "\`report summary --log\`" "$CORPUS" "$corpus_lines" 2 "$sum_2" \
    "$sum_2rss" "$sum_1" "$sum_2" "$(rejects "$OUT/report-sum.txt")"
row "\`report summary --log\`" "$CORPUS" "$corpus_lines" 1 "$sum_1" \
    "$sum_1rss" "$sum_1" "$sum_2" "$(rejects "$OUT/report-sum.txt")"
row "\`report helo --log\`" "$CORPUS" "$corpus_lines" 2 "$helo_2" \
    "$helo_2rss" "$sum_1" "$sum_2" "$(tophelo "$OUT/report-helo.txt")"
row "\`report helo --log\`" "$CORPUS" "$corpus_lines" 1 "$helo_1" \
    "$helo_1rss" "$sum_1" "$sum_2" "$(tophelo "$OUT/report-helo.txt")"
if [ "$SLICE" != "$CORPUS" ]; then
	row "\`report summary --log\`$slice_note" "$SLICE" "$slice_lines" 2 \
	    "$ssum_2" "$ssum_2rss" "$ssum_1" "$ssum_2" \
	    "$(rejects "$OUT/report-ssum.txt")"
	row "\`report summary --log\`$slice_note" "$SLICE" "$slice_lines" 1 \
	    "$ssum_1" "$ssum_1rss" "$ssum_1" "$ssum_2" \
	    "$(rejects "$OUT/report-ssum.txt")"
fi
row "\`pflogsumm\`$slice_note" "$SLICE" "$slice_lines" 1 "$pl_secs" \
    "$pl_rss" "$ssum_1" "$ssum_2" "$pl_found"

# 2. From the state. A state keeps 30 days of log time before its last
# line (state_prune); the corpus's year-less dates move on a year at a
# time, so its state keeps only the last few days of what was scanned.
# Two states, each scanned from the shortest run of whole lines holding
# STATE_EVENTS events: "prefix", the corpus's first lines, and "rfc3339",
# the first of its lines with RFC 3339 stamps (the pixelpark log's, moved
# on a day a pass: a few weeks, all kept).
utc() { date -u -d "@$1" '+%Y-%m-%d %H:%M'; }
v() { printf '%s' "${!1}"; }
# lines_of FILTER N - the first N lines of FILTER's output on the corpus
lines_of() { { "$1" <"$CORPUS" || true; } | head -n "$2"; }
prefix() { cat; }
rfc3339() { grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'; }
srows=() sinfo=() slowest=0 slowest_what=""
# srow NAME STATE FILE SECS2 SECS1 RSS2 RSS1 FOUND - a line of the state
# table
srow() {
	local x
	srows+=("$(awk -v n="$1" -v st="$2" -v s2="$4" -v s1="$5" -v m2="$6" \
	    -v m1="$7" -v f="$8" -v l="$(wc -l <"$3")" 'BEGIN {
		m = m1 > m2 ? m1 : m2
		rss = m == "-" ? "-" : sprintf("%.0f", m / 1024)
		printf "| %s | %s | %.3f | %.3f | %s | %d | %s |", st, n, s2, \
		    s1, rss, l, f
	}')")
	x=$(awk -v a="$4" -v b="$5" 'BEGIN { print (a > b ? a : b) }')
	if awk -v x="$x" -v w="$slowest" 'BEGIN { exit !(x > w) }'; then
		slowest=$x
		slowest_what="$1, $2"
	fi
}
# state NAME DESC - scan the first lines of NAME's filter of the corpus
# holding STATE_EVENTS events into $OUT/report-NAME.db and time the three
# reports from it; DESC shows the filter in the table (none: the corpus)
state() {
	local name=$1 desc=$2 db=$OUT/report-$1.db total_lines total_events
	local prefix events enough=1 t0 t1 secs span from until n info
	local t=$OUT/report-$1
	echo "bench: state $name: fivefifty parse --count (events per line)" >&2
	"$name" <"$CORPUS" | "$FF" parse --count - 2>"$t-parse.txt"
	total_lines=$(sed -n \
	    's/^fivefifty parse: \([0-9]*\) lines read.*/\1/p' "$t-parse.txt")
	total_events=$(awk '$2 == "events," { print $1; exit }' \
	    "$t-parse.txt")
	if [ -z "$total_lines" ] || [ -z "$total_events" ]; then
		die "no counts in $t-parse.txt"
	fi
	if [ "$total_events" -lt "$STATE_EVENTS" ]; then
		prefix=$total_lines
	else
		prefix=$(awk -v e="$STATE_EVENTS" -v t="$total_events" \
		    -v l="$total_lines" \
		    'BEGIN { p = int(e * l / t * 1.01) + 1
			print p < l ? p : l }')
	fi
	while :; do
		echo "bench: state $name: fivefifty scan --no-enforce of" \
		    "$prefix lines into $db" >&2
		rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
		t0=$(now)
		lines_of "$name" "$prefix" | "$FF" scan --no-enforce \
		    --db "$db" - >"$t-scan.txt" 2>"$t-scan.err" ||
		    die "scan failed; see $t-scan.err"
		t1=$(now)
		events=$(sed -n 's/.* lines, \([0-9]*\) events,.*/\1/p' \
		    "$t-scan.err" | tail -n 1)
		[ -n "$events" ] || die "no event count in $t-scan.err"
		if [ "$events" -ge "$STATE_EVENTS" ] ||
		    [ "$prefix" -ge "$total_lines" ]; then
			break
		fi
		prefix=$(awk -v p="$prefix" -v l="$total_lines" \
		    'BEGIN { p = int(p * 1.05) + 1; print p < l ? p : l }')
	done
	[ "$events" -ge "$STATE_EVENTS" ] || enough=0
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# The period: every hour of activity, every five-fifty and every ban.
	span=$(sqlite3 "$db" 'SELECT min(a), max(b) FROM (
		SELECT min(hour) * 3600 AS a, (max(hour) + 1) * 3600 AS b
		    FROM activity
		UNION ALL SELECT min(first_t), max(last_seen) + 1
		    FROM fivefifties
		UNION ALL SELECT min(at), max(at) + 1 FROM bans)')
	from=${span%|*} until=${span#*|}
	if [ -z "$from" ] || [ -z "$until" ]; then
		die "the state $db holds no data"
	fi
	n="**fewer than $STATE_EVENTS: the corpus is too small** (BENCH_MB)"
	[ "$enough" = 0 ] || n="at least $STATE_EVENTS"
	q() { sqlite3 "$db" "$1"; }
	if [ -n "$desc" ]; then
		info="- $name: \`$desc | head -n $prefix |"
	else
		info="- $name: \`head -n $prefix $CORPUS |"
	fi
	info+=" fivefifty scan"
	info+=" --no-enforce --db $db -\` ($secs s): $prefix lines,"
	info+=" $(lines_of "$name" "$prefix" | wc -c |
	    awk '{ printf "%.1f", $1 / 1048576 }') MB, $events parser events"
	info+=" ($n); $(awk -v b="$(stat -c %s "$db")" \
	    'BEGIN { printf "%.1f", b / 1048576 }') MB of state. Rows:"
	info+=" activity $(q 'SELECT count(*) FROM activity') (hours"
	info+=" $(q "SELECT strftime('%Y-%m-%d %H:00', min(hour) * 3600,
	    'unixepoch') || ' to ' || strftime('%Y-%m-%d %H:00',
	    (max(hour) + 1) * 3600, 'unixepoch') FROM activity") UTC),"
	for n in fivefifties clients evidence bans sessions; do
		info+=" $n $(q "SELECT count(*) FROM $n"),"
	done
	info="${info%,}. Period of summary and helo: \`--from @$from"
	info+=" --until @$until\` ($(utc "$from") to $(utc "$until") UTC)."
	sinfo+=("$info")
	echo "bench: state $name: reports, best of $RUNS, 2 CPUs then" \
	    "pinned" >&2
	both "${name}_sum" "$FF" report summary --db "$db" \
	    --from "@$from" --until "@$until"
	both "${name}_helo" "$FF" report helo --db "$db" \
	    --from "@$from" --until "@$until"
	both "${name}_ff" "$FF" report fivefifties --db "$db"
	srow "\`report summary --db --from --until\`" "$name" "${t}_sum.txt" \
	    "$(v "${name}_sum_2")" "$(v "${name}_sum_1")" \
	    "$(v "${name}_sum_2rss")" "$(v "${name}_sum_1rss")" \
	    "$(rejects "${t}_sum.txt")"
	srow "\`report helo --db --from --until\`" "$name" "${t}_helo.txt" \
	    "$(v "${name}_helo_2")" "$(v "${name}_helo_1")" \
	    "$(v "${name}_helo_2rss")" "$(v "${name}_helo_1rss")" \
	    "$(tophelo "${t}_helo.txt")"
	srow "\`report fivefifties --db\`" "$name" "${t}_ff.txt" \
	    "$(v "${name}_ff_2")" "$(v "${name}_ff_1")" \
	    "$(v "${name}_ff_2rss")" "$(v "${name}_ff_1rss")" \
	    "$(awk '/^  [0-9a-fA-F:.]+ +[0-9]+ +[0-9]+ /' "${t}_ff.txt" |
	    wc -l) clients listed"
}
state prefix ""
state rfc3339 "grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' $CORPUS"

# make runs it as make bench-report (or make bench)
invoked="bench/report.sh" via=""
if [ -n "${MAKELEVEL:-}" ]; then
	invoked="make bench-report" via=" (bench/report.sh)"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
built=$(date -u -d "@$ff_stamp" '+%Y-%m-%d %H:%M:%S UTC')
pinned="pinned to CPU 0 with \`taskset -c 0\`"
[ ${#one[@]} -gt 0 ] ||
    pinned="not pinned (no taskset): the \"1 CPU\" rows ran unpinned"
sum2_mbs=$(mbs "$CORPUS" "$sum_2") sum1_mbs=$(mbs "$CORPUS" "$sum_1")
helo2_mbs=$(mbs "$CORPUS" "$helo_2") helo1_mbs=$(mbs "$CORPUS" "$helo_1")
pl_mbs=$(mbs "$SLICE" "$pl_secs")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
slow_in="the whole corpus"
[ "$SLICE" != "$CORPUS" ] && slow_in="the first $SLOW_MB MB"

{
	echo "## fivefifty report: from the logs and from the state"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $cpu, Linux $(uname -r); \"1 CPU\"" \
	    "runs $pinned, \"2 CPUs\" runs unpinned; pflogsumm pinned"
	echo "- command: \`BENCH_MB=$BENCH_MB SLOW_MB=$SLOW_MB RUNS=$RUNS" \
	    "STATE_EVENTS=$STATE_EVENTS $invoked\`$via"
	echo "- fivefifty: $FIVEFIFTY built $built (sha256 $ff_sum...);" \
	    "tree $rev when the run began; every run used a copy of it" \
	    "taken then"
	echo "- corpus: $CORPUS, $corpus_lines lines, built by mkcorpus" \
	    "from $SHARED/corpus/{realworld,lab}/*.log; pflogsumm" \
	    "$(pflogsumm --version 2>&1 | awk '{ print $NF; exit }')" \
	    "(default report) reads $slow_in ($(stat -c %s "$SLICE") bytes," \
	    "$slice_lines lines)"
	echo "- seconds: wall clock; fivefifty best of $RUNS, pflogsumm one" \
	    "run; page cache warm; LC_ALL=C; MB = 2^20 bytes"
	echo
	echo "### From the logs (\`--log FILE\`, all the data)"
	echo
	echo "| command | input MB | CPUs | seconds | MB/s | lines/s |" \
	    "time ÷ \`summary --log\`'s, 1 CPU (same input) | ÷ 2 CPUs |" \
	    "max RSS MB | count reported |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "- \`report summary --log\`: $sum2_mbs MB/s on 2 CPUs," \
	    "$sum1_mbs MB/s on 1 — target ≥ 100 MB/s: 2 CPUs" \
	    "$(verdict "$sum2_mbs" 100 ge), 1 CPU" \
	    "$(verdict "$sum1_mbs" 100 ge)"
	echo "- \`report helo --log\`: $helo2_mbs MB/s on 2 CPUs," \
	    "$helo1_mbs MB/s on 1 — target ≥ 100 MB/s: 2 CPUs" \
	    "$(verdict "$helo2_mbs" 100 ge), 1 CPU" \
	    "$(verdict "$helo1_mbs" 100 ge)"
	echo "- pflogsumm: $pl_mbs MB/s on $slow_in; on that input it takes" \
	    "$(ratio "$pl_secs" "$ssum_1")× as long as \`report summary" \
	    "--log\` on 1 CPU, $(ratio "$pl_secs" "$ssum_2")× as long as on" \
	    "2. MB/s, \`summary --log\` on the whole corpus ÷ pflogsumm:" \
	    "$(ratio "$sum1_mbs" "$pl_mbs")× on 1 CPU," \
	    "$(ratio "$sum2_mbs" "$pl_mbs")× on 2"
	echo
	echo "### From the state (\`--db FILE\`)"
	echo
	echo "Each state is scanned from the shortest run of whole lines of" \
	    "the corpus holding $STATE_EVENTS parser events (as \`scan\`" \
	    "counts them): \"prefix\" its first lines, \"rfc3339\" the first" \
	    "of its lines stamped in RFC 3339 (the pixelpark log's). A state" \
	    "keeps 30 days of log time before its last line; summary and" \
	    "helo cover every hour of activity, every five-fifty and every" \
	    "ban; fivefifties runs as it is (all the data)."
	echo
	printf '%s\n' "${sinfo[@]}"
	echo
	echo "| state | command | seconds, 2 CPUs | seconds, 1 CPU |" \
	    "max RSS MB | output lines | count reported |"
	echo "|---|---|---:|---:|---:|---:|---|"
	printf '%s\n' "${srows[@]}"
	echo
	echo "- target: each under one second: the slowest, $slowest s" \
	    "($slowest_what), $(verdict "$slowest" 1 lt)"
} >"$OUT/report.md"
cat "$OUT/report.md"

#!/usr/bin/env bash
# journal.sh - the systemd journal as fivefifty's log: entries a second of
# `fivefifty scan --journal` against the chain a postmaster would use
# today (`journalctl -o short-iso | fivefifty scan -`), and the ban latency
# of `fivefifty run` (log_source = journal) from an entry's write to the
# kernel set.
#
# usage: bench/journal.sh   (root; make bench-journal builds and runs it)
#
#   ENTRIES    journal entries of the throughput part (default 300000)
#   RUNS       runs of each command, the best counts (default 3)
#   OFFENDERS  offenders of the latency part (default 50)
#   SHARED     the shared tree holding corpus/ (default ../shared)
#
# 1. Throughput. The lab corpus ($SHARED/corpus/lab/postfix37-lab.log,
#    6,080 lines over 16 seconds of Nov 21, year-less) is written over
#    and over, each copy one day later than the one before, the last two
#    days before today (so every date is in the past and the text log's
#    year-less stamps get the journal's years), cut at ENTRIES lines:
#    the text log. tests/log2export.py and systemd-journal-remote turn it
#    into journal files of CHUNK entries each, in one directory (not
#    timed). Then, best of RUNS each, page cache warm, not pinned (a
#    pipe's two ends run on two CPUs, as they would for the postmaster):
#      (a) fivefifty scan --dry-run --db /nonexistent/x.db --journal
#          --journal-directory DIR
#      (b) journalctl --directory DIR -o short-iso |
#          fivefifty scan --dry-run --db /nonexistent/x.db -
#      (c) fivefifty scan --dry-run --db /nonexistent/x.db TEXT-LOG
#      (d) journalctl --directory DIR -o cat >/dev/null (the floor:
#          sd-journal reading the entries, no match, no parsing)
#    all with -c a configuration that lets the corpus's 127.x clients be
#    banned (loopback = 127.0.0.1/32), so the scorer does its full work.
#    The lines, events and new bans that scan counts must be the same for
#    (a) and (b) (journalctl's short-iso stamps, +0000 with no colon, are
#    parsed), and (c) must read as many lines: else the script fails.
#    /nonexistent must not exist before or after (--dry-run writes no
#    database).
# 2. Latency. Re-runs itself in a private network namespace (unshare -n),
#    so the host's ruleset is never touched. `fivefifty run` (a copy of
#    ./fivefifty, as root, log_source = journal on a journal directory
#    of its own, its own table inet fivefifty, no access map) is started;
#    once `status` answers, build/rel/bench/jlatency (bench/jlatency.c)
#    writes OFFENDERS offenders (six five-fifty sessions each, stamped
#    now) into the journal through log2export.py and journal-remote, one
#    after another, and takes the kernel's notification that each
#    address is in the set, and the moment its own sd-journal reader of
#    the directory has read the session that bans.
#
# Writes bench/out/journal.md and prints it; the temporary directory (the
# journal files, the text log, the daemon's state) is removed at the end.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

ENTRIES=${ENTRIES:-300000}
RUNS=${RUNS:-3}
OFFENDERS=${OFFENDERS:-50}
SHARED=${SHARED:-../shared}
CHUNK=40000			# entries a journal file (journal-remote
				# renames a file past about 64 MB)
OUT=bench/out
JLATENCY=build/rel/bench/jlatency
REMOTE=/lib/systemd/systemd-journal-remote
LOG2EXPORT=tests/log2export.py
NODB=/nonexistent/x.db

die() {
	echo "bench/journal.sh: $*" >&2
	exit 1
}

for v in ENTRIES RUNS OFFENDERS; do
	case ${!v} in
	'' | *[!0-9]* | 0*) die "$v must be a positive integer" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace, nftables)"
[ -x ./fivefifty ] || die "./fivefifty missing; run make fivefifty"
[ -x "$JLATENCY" ] || die "$JLATENCY missing; run make $JLATENCY"
[ -x "$REMOTE" ] ||
    die "$REMOTE missing (scripts/deps.sh bench: systemd-journal-remote)"
for t in journalctl python3 /usr/bin/time; do
	command -v "$t" >/dev/null || die "$t not found (scripts/deps.sh bench)"
done
lab=$SHARED/corpus/lab/postfix37-lab.log
[ -r "$lab" ] || die "$lab not readable (set SHARED to the shared tree)"

if [ -z "${FIVEFIFTY_JOURNAL_NS:-}" ]; then
	command -v unshare >/dev/null || die "unshare (util-linux) missing"
	FIVEFIFTY_JOURNAL_NS=1 exec unshare -n "$0" "$@"
fi

mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/fivefifty-journal.XXXXXX)
pid=""
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The tree may be shared: the binary measured is a copy taken now.
BIN=$tmp/fivefifty
cp ./fivefifty "$BIN"
bin_sum=$(sha256sum "$BIN" | cut -c1-12)
bin_built=$(date -u -r ./fivefifty '+%Y-%m-%d %H:%M UTC')

# now - wall clock in seconds with microseconds
now() {
	echo "$EPOCHREALTIME"
}

# num N - with thousands separators
num() {
	printf "%s" "$1" |
	    sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'
}

# no_db - the database path given to --dry-run must not exist
no_db() {
	[ ! -e "${NODB%/*}" ] ||
	    die "${NODB%/*} exists $1: --dry-run must write no database there"
}

########################################################################
# 1. Throughput

echo "bench: $ENTRIES entries from $lab" >&2
mkdir -p "$tmp/chunks" "$tmp/journal"
text=$tmp/replica.log
# The text log, and the same lines in chunks of one year each for
# log2export.py (its --year): "FILE YEAR FIRST-ENTRY" a line.
python3 - "$lab" "$ENTRIES" "$text" "$tmp/chunks" "$CHUNK" \
    >"$tmp/chunks.txt" <<'EOF'
import datetime, sys
lab, entries, text, chunks, chunk = sys.argv[1:6]
entries, chunk = int(entries), int(chunk)
lines = open(lab, 'rb').read().splitlines(keepends=True)
for n, l in enumerate(lines, 1):
    if not l.startswith(b'Nov 21 '):
        sys.exit('%s:%d: not stamped "Nov 21": the copies would be '
                 'out of order' % (lab, n))
copies = -(-entries // len(lines))
last = datetime.date.today() - datetime.timedelta(days=2)
day = last - datetime.timedelta(days=copies - 1)
out = open(text, 'wb')
cf, cyear, cn, done = None, None, 0, 0
while done < entries:
    stamp = day.strftime('%b ').encode() + b'%2d ' % day.day
    for l in lines[:entries - done]:
        if cf is None or cn == chunk or cyear != day.year:
            if cf is not None:
                cf.close()
            name = '%s/%06d.log' % (chunks, done)
            cf, cyear, cn = open(name, 'wb'), day.year, 0
            print(name, day.year, done + 1)
        l = stamp + l[7:]
        out.write(l)
        cf.write(l)
        cn += 1
        done += 1
    day += datetime.timedelta(days=1)
cf.close()
out.close()
EOF
t0=$(now)
while read -r f year first; do
	j=$tmp/journal/$(basename "$f" .log).journal
	"$LOG2EXPORT" --year "$year" --seq-start "$first" <"$f" |
	    "$REMOTE" -o "$j" - 2>"$tmp/remote.err" ||
	    die "$LOG2EXPORT | $REMOTE -o $j failed: $(cat "$tmp/remote.err")"
	rm -f "$f"
done <"$tmp/chunks.txt"
conv_secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
nfiles=$(find "$tmp/journal" -type f | wc -l)
jbytes=$(du -sb "$tmp/journal" | cut -f1)
tbytes=$(stat -c %s "$text")
first_day=$(head -c 6 "$text")
last_day=$(tail -n 1 "$text" | head -c 6)

conf=$tmp/scan.conf
cat >"$conf" <<EOF
loopback = 127.0.0.1/32
protect_mynetworks = no
access_map =
EOF
scan=("$BIN" scan -c "$conf" --dry-run --db "$NODB")

# counts FILE - "lines events bans" of scan's summary line in FILE
counts() {
	sed -n 's/^fivefifty scan: \([0-9]*\) lines, \([0-9]*\) events,'\
'.*, \([0-9]*\) new bans.*/\1 \2 \3/p' "$1" | tail -n 1
}

# best NAME - run the command of NAME RUNS times; the best wall time
# (WALL_NAME), its CPU seconds (CPU_NAME: user + system of every process),
# the counts of its scan (COUNTS_NAME)
best() {
	local name=$1 i t0 t1 wall cpu bw="" bc=""
	for ((i = 0; i < RUNS; i++)); do
		no_db "before $name"
		rm -f "$tmp/t1" "$tmp/t2"
		t0=$(now)
		case $name in
		a)	/usr/bin/time -f '%U %S' -o "$tmp/t1" "${scan[@]}" \
			    --journal --journal-directory "$tmp/journal" \
			    >"$tmp/out.a" 2>"$tmp/err.a" ;;
		b)	/usr/bin/time -f '%U %S' -o "$tmp/t2" journalctl \
			    --directory "$tmp/journal" -o short-iso \
			    2>"$tmp/jerr.b" |
			    /usr/bin/time -f '%U %S' -o "$tmp/t1" \
			    "${scan[@]}" - >"$tmp/out.b" 2>"$tmp/err.b" ;;
		c)	/usr/bin/time -f '%U %S' -o "$tmp/t1" "${scan[@]}" \
			    "$text" >"$tmp/out.c" 2>"$tmp/err.c" ;;
		d)	/usr/bin/time -f '%U %S' -o "$tmp/t1" journalctl \
			    --directory "$tmp/journal" -o cat >/dev/null \
			    2>"$tmp/err.d" ;;
		esac || die "($name) failed: $(cat "$tmp/err.$name"
		    "$tmp/jerr.b" 2>/dev/null)"
		t1=$(now)
		no_db "after $name"
		wall=$(awk -v a="$t0" -v b="$t1" \
		    'BEGIN { printf "%.3f", b - a }')
		cpu=$(cat "$tmp/t1" "$tmp/t2" 2>/dev/null | awk \
		    '{ s += $1 + $2 } END { printf "%.2f", s }') || true
		if [ -z "$bw" ] || awk -v x="$wall" -v y="$bw" \
		    'BEGIN { exit !(x < y) }'; then
			bw=$wall
			bc=$cpu
		fi
		echo "bench: ($name) run $((i + 1)): $wall s, CPU $cpu s" >&2
	done
	printf -v "WALL_$name" %s "$bw"
	printf -v "CPU_$name" %s "$bc"
	[ "$name" = d ] ||
	    printf -v "COUNTS_$name" %s "$(counts "$tmp/err.$name")"
}

no_db "at the start"
cat "$text" >/dev/null
cat "$tmp"/journal/* >/dev/null
best a
best b
best c
best d
# (best sets WALL_x, CPU_x and COUNTS_x with printf -v)
# shellcheck disable=SC2154
read -r lines_a events_a bans_a <<<"$COUNTS_a"
# shellcheck disable=SC2154
read -r _ _ bans_b <<<"$COUNTS_b"
# shellcheck disable=SC2154
read -r lines_c events_c bans_c <<<"$COUNTS_c"
[ -n "${bans_a:-}" ] || die "(a) printed no summary: $(cat "$tmp/err.a")"
[ -n "${bans_b:-}" ] || die "(b) printed no summary: $(cat "$tmp/err.b")"
[ -n "${bans_c:-}" ] || die "(c) printed no summary: $(cat "$tmp/err.c")"
[ "$lines_a" -eq "$ENTRIES" ] ||
    die "(a) read $lines_a entries of $ENTRIES: $(cat "$tmp/err.a")"
[ "$COUNTS_a" = "$COUNTS_b" ] ||
    die "(a) and (b) differ: lines, events, bans $COUNTS_a against" \
    "$COUNTS_b: journalctl's short-iso lines are not parsed as the" \
    "journal's entries are: $(cat "$tmp/err.b")"
[ "$lines_c" -eq "$ENTRIES" ] ||
    die "(c) read $lines_c lines of $ENTRIES: $(cat "$tmp/err.c")"
grep -q 'dry run: nothing written' "$tmp/err.a" ||
    die "(a) did not say it wrote nothing: $(cat "$tmp/err.a")"

# rate WALL - entries a second
rate() {
	awk -v n="$ENTRIES" -v s="$1" 'BEGIN { printf "%.0f", n / s }'
}
# ratio X Y - X / Y, two decimals ("-" when Y is 0: too few entries)
ratio() {
	awk -v x="$1" -v y="$2" \
	    'BEGIN { if (y > 0) printf "%.2f", x / y; else printf "-" }'
}
# shellcheck disable=SC2154
rate_a=$(rate "$WALL_a")
# shellcheck disable=SC2154
rate_b=$(rate "$WALL_b")
# shellcheck disable=SC2154
rate_c=$(rate "$WALL_c")
# shellcheck disable=SC2154
rate_d=$(rate "$WALL_d")
# per_cpu CPU - entries a CPU second
per_cpu() {
	awk -v n="$ENTRIES" -v s="$1" \
	    'BEGIN { if (s > 0) printf "%.0f", n / s; else printf "-" }'
}

########################################################################
# 2. Latency

lat=$tmp/lat
mkdir -p "$lat/journal"
lconf=$lat/ff.conf
cat >"$lconf" <<EOF
state_db = $lat/ff.db
log_source = journal
journal_directory = $lat/journal
mail_log = $lat/mail.log
user =
control_socket = $lat/ctl.sock
control_group =
loopback = 127.0.0.1/32
protect_mynetworks = no
access_map =
firewall = table
firewall_required = yes
EOF

echo "bench: fivefifty run (log_source = journal) in a private network" \
    "namespace; $OFFENDERS offenders" >&2
"$BIN" -c "$lconf" run 2>"$lat/daemon.log" &
pid=$!
i=0
until "$BIN" -c "$lconf" status >/dev/null 2>&1; do
	kill -0 "$pid" 2>/dev/null ||
	    die "the daemon exited: $(cat "$lat/daemon.log")"
	i=$((i + 1))
	[ "$i" -lt 1000 ] || die "the daemon did not answer in 10 s"
	sleep 0.01
done
"$JLATENCY" -n "$OFFENDERS" "$LOG2EXPORT" "$REMOTE" \
    "$lat/journal/remote.journal" "$lat" >"$OUT/journal-latency.txt" ||
    die "$JLATENCY failed; the daemon said:
$(tail -n 20 "$lat/daemon.log")"
# The kernel's notifications said so; the set says so too.
last=$((OFFENDERS * 2 + 1))	# offender i is 127.1.0.1 + 2i
for a in 127.1.0.3 "127.1.$((last / 256)).$((last % 256))"; do
	nft get element inet fivefifty offenders4 "{ $a }" >/dev/null 2>&1 ||
	    die "$a is not in inet fivefifty offenders4 after the run"
done
"$BIN" -c "$lconf" status >"$OUT/journal-status.txt" 2>&1 ||
    die "status failed after the run"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || die "the daemon exited $rc on SIGTERM"

lv() { sed -n "s/^$1=//p" "$OUT/journal-latency.txt"; }
ms() {
	awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }' |
	    sed 's/^-0\.00$/0.00/'
}
# lrow LABEL KEY - a latency row
lrow() {
	echo "| $1 | $(ms "$(lv "$2"_p50_us)") | $(ms "$(lv "$2"_p95_us)") |" \
	    "$(ms "$(lv "$2"_max_us)") | $(ms "$(lv "$2"_min_us)") |"
}

########################################################################
# The report

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
load=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC2154
{
	echo "## The journal source: throughput and ban latency"
	echo
	echo "- command: \`ENTRIES=$ENTRIES RUNS=$RUNS OFFENDERS=$OFFENDERS" \
	    "make bench-journal\` (bench/journal.sh, build/rel/bench/jlatency)"
	echo "- machine: $(nproc) CPUs (${cpu_model:-unknown}), Linux" \
	    "$(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC'); shared with" \
	    "another engineer's test runs (load average $load at the end):" \
	    "figures vary from run to run"
	echo "- fivefifty: built $bin_built, sha256 $bin_sum...;" \
	    "$(journalctl --version | head -n 1)"
	echo "- input: $lab copied over and over, one day later a copy" \
	    "($first_day to $last_day), cut at $(num "$ENTRIES") lines" \
	    "($(awk -v b="$tbytes" 'BEGIN { printf "%.1f", b / 1048576 }')" \
	    "MB of text); as journal entries: $nfiles files of up to" \
	    "$(num "$CHUNK") entries in one directory," \
	    "$(awk -v b="$jbytes" 'BEGIN { printf "%.0f", b / 1048576 }') MB" \
	    "(written in $conv_secs s by log2export.py and" \
	    "systemd-journal-remote, not timed)"
	echo
	echo "### Entries per second"
	echo
	echo "Best of $RUNS, page cache warm, not pinned. CPU: user + system" \
	    "seconds of every process of the command (/usr/bin/time)." \
	    "Every command ran \`fivefifty scan -c SCAN.CONF --dry-run --db" \
	    "$NODB\` (SCAN.CONF: \`loopback = 127.0.0.1/32\`," \
	    "\`protect_mynetworks = no\`, \`access_map =\`, so the corpus's" \
	    "127.x clients are scored and banned as any others); $NODB" \
	    "was never created. Each read $(num "$lines_a") entries:" \
	    "$(num "$events_a") events and $(num "$bans_a") new bans for" \
	    "(a) and (b) alike, $(num "$events_c") and $(num "$bans_c") for" \
	    "(c)."
	echo
	echo "| | command | seconds | entries/s | CPU s |" \
	    "entries per CPU s |"
	echo "|---|---|---:|---:|---:|---:|"
	echo "| (a) | \`fivefifty scan ... --journal" \
	    "--journal-directory DIR\` | $WALL_a | $(num "$rate_a") |" \
	    "$CPU_a | $(num "$(per_cpu "$CPU_a")") |"
	echo "| (b) | \`journalctl --directory DIR -o short-iso \\|" \
	    "fivefifty scan ... -\` | $WALL_b | $(num "$rate_b") | $CPU_b |" \
	    "$(num "$(per_cpu "$CPU_b")") |"
	echo "| (c) | \`fivefifty scan ... TEXT.LOG\` (the same lines as" \
	    "text) | $WALL_c | $(num "$rate_c") | $CPU_c |" \
	    "$(num "$(per_cpu "$CPU_c")") |"
	echo "| (d) | \`journalctl --directory DIR -o cat >/dev/null\`" \
	    "(sd-journal's floor: every entry, MESSAGE only, no match) |" \
	    "$WALL_d | $(num "$rate_d") | $CPU_d |" \
	    "$(num "$(per_cpu "$CPU_d")") |"
	echo
	echo "(a)/(b): $(ratio "$rate_a" "$rate_b")× the entries a second" \
	    "of the journalctl pipe, for $(ratio "$CPU_a" "$CPU_b")× its CPU" \
	    "seconds. (a)/(c): $(ratio "$rate_a" "$rate_c")× the speed of" \
	    "the text log, $(ratio "$CPU_a" "$CPU_c")× its CPU seconds." \
	    "(a)/(d): $(ratio "$CPU_a" "$CPU_d")× the CPU seconds of" \
	    "reading the entries alone. Where seconds exceed CPU seconds," \
	    "the command waited for a CPU: the machine was shared (see the" \
	    "load above)."
	echo
	echo "### Ban latency from a journal write"
	echo
	echo "\`fivefifty run\` as root in a private network namespace," \
	    "\`log_source = journal\`, \`journal_directory\` a directory of" \
	    "its own, default scoring, \`firewall = table\`, no access map." \
	    "$(lv offenders) offenders one after another (after one not" \
	    "counted, to warm up), each six five-fifty sessions (18 lines" \
	    "stamped now, RFC 3339) from 127.1.x.y, made into the export" \
	    "format by tests/log2export.py beforehand. t0: just before" \
	    "\`systemd-journal-remote -o DIR/remote.journal -\` starts on" \
	    "them; t1: it has exited (the entries are on disk); t_set: the" \
	    "kernel's NEWSETELEM notification for the address, read on a" \
	    "netlink socket in the nf_tables group (as \`nft monitor\`;" \
	    "no polling, sub-millisecond). $(lv early) of" \
	    "$(lv offenders) bans came before journal-remote had exited" \
	    "(negative t_set − t1): it tells readers of each entry as it" \
	    "writes. t_read: when a second sd-journal reader of the same" \
	    "directory (in jlatency, woken as the daemon is) has read the" \
	    "end of the fourth session, the one that bans. Netlink" \
	    "overruns: $(lv netlink_overruns)."
	echo
	echo "| ms | p50 | p95 | max | min |"
	echo "|---|---:|---:|---:|---:|"
	lrow "t_set − t1 (from the entries on disk)" after
	lrow "t_set − t0 (from the start of the write)" write
	lrow "t_set − t_read (fivefifty's own share)" own
	lrow "t1 − t0 (journal-remote's run)" remote
} >"$OUT/journal.md"
cat "$OUT/journal.md"

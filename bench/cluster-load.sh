#!/bin/sh
# cluster-load.sh - three nodes on one PostgreSQL state, each following a
# log written at RATE lines/s: do they keep up, what do they and the
# server spend, what does the database get, and does every node end with
# every ban.
#
# usage: bench/cluster-load.sh   (root; make bench-cluster-load builds
#                                 and runs it)
#
#   RATE      lines a second into each node's log (default 2000)
#   SECS      seconds of traffic (default 60)
#   PROBE_MS  a ban made on n1 every PROBE_MS, timed into n2's and n3's
#             sets (default 200)
#   OFF_MS    a new cross-node five-fifty offender every OFF_MS (default
#             200)
#   DICT_MS   a new cross-node dictionary attacker every DICT_MS (default
#             500)
#   SHARED    the shared tree holding corpus/ (default ../shared)
#   FIVEFIFTY the binary (default ./fivefifty)
#
# A private PostgreSQL server (tests/pg-cluster.sh, in a temporary
# directory, unix socket only) and three `fivefifty run` daemons, n1, n2,
# n3 (node_name, each its own state_directory, log, control socket, map
# and table inet fivefifty_nN), re-run in a private network namespace
# (unshare -n): the host's ruleset and its PostgreSQL are never touched.
# bench/cluster-load.py writes the logs (the corpus's real lines stamped
# now, each node a third further in, and offenders only the cluster can
# ban: see there), polls every node's status each second, times the
# probes, and checks every node's set at the end. Before and after: the
# rows of observations, evidence, bans and ban_events, the tables'
# inserts/updates/deletes (pg_stat_user_tables), the database's commits
# (pg_stat_database.xact_commit) and size. The daemons are stopped
# (TERM) before the "after" figures, so their sessions' statistics are
# flushed. Writes bench/out/cluster-load.md and prints it.
set -eu
export LC_ALL=C

cd "$(dirname "$0")/.."

RATE=${RATE:-2000}
SECS=${SECS:-60}
PROBE_MS=${PROBE_MS:-200}
OFF_MS=${OFF_MS:-200}
DICT_MS=${DICT_MS:-500}
SHARED=${SHARED:-../shared}
FIVEFIFTY=${FIVEFIFTY:-./fivefifty}
OUT=bench/out
NODES="n1 n2 n3"
TABLES="observations evidence bans ban_events clients sessions positions \
fivefifties activity_rows"

die() {
	echo "bench/cluster-load.sh: $*" >&2
	exit 1
}

for v in RATE SECS PROBE_MS OFF_MS DICT_MS; do
	val=$(eval "echo \"\$$v\"")
	case $val in
	'' | *[!0-9]* | 0) die "$v must be a whole number above 0" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, nftables, PostgreSQL)"
[ -x "$FIVEFIFTY" ] || die "$FIVEFIFTY missing; run make fivefifty"
command -v python3 >/dev/null || die "python3 missing"
command -v nft >/dev/null || die "nft missing (nftables)"

if [ -z "${FIVEFIFTY_CLUSTER_NS:-}" ]; then
	command -v unshare >/dev/null || die "unshare (util-linux) missing"
	FIVEFIFTY_CLUSTER_NS=1 exec unshare -n "$0" "$@"
fi

corpus=""
for f in "$SHARED"/corpus/lab/*.log "$SHARED"/corpus/realworld/*.log; do
	[ -r "$f" ] && corpus="$corpus $f"
done
[ -n "$corpus" ] || die "no corpus under $SHARED/corpus"

FIVEFIFTY=$(cd "$(dirname "$FIVEFIFTY")" && pwd)/$(basename "$FIVEFIFTY")
mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/fivefifty-cload.XXXXXX)
chmod 0755 "$tmp"
pids=""
cleanup() {
	for p in $pids; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	tests/pg-cluster.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

uri=$(tests/pg-cluster.sh start "$tmp/pg") || die "PostgreSQL did not start"
master=$(head -n 1 "$tmp/pg/data/postmaster.pid")

for n in $NODES; do
	mkdir -p "$tmp/$n/lib"
	: >"$tmp/$n/mail.log"
	cat >"$tmp/$n/ff.conf" <<EOF
state_db = $uri
node_name = $n
state_directory = $tmp/$n/lib
log_source = file
mail_log = $tmp/$n/mail.log
user =
control_socket = $tmp/$n/ctl.sock
control_group =
loopback = 127.0.0.1/32
protect_mynetworks = no
access_map = texthash:$tmp/$n/access
firewall_table = inet fivefifty_$n
firewall_required = yes
ban_rate_limit = 0
EOF
done

# sql Q - one query's rows, unaligned
sql() {
	psql -X -At -q -d "$uri" -v ON_ERROR_STOP=1 -c "$1"
}

# snapshot FILE - the database's figures: "key value" lines
snapshot() {
	{
		for t in $TABLES; do
			echo "rows_$t $(sql "SELECT count(*) FROM $t")"
			echo "bytes_$t $(sql "SELECT
			    pg_total_relation_size('$t')")"
		done
		sql "SELECT 'tup_' || relname || ' ' || n_tup_ins || ' ' ||
		    n_tup_upd || ' ' || n_tup_del FROM pg_stat_user_tables"
		sql "SELECT 'xact_commit ' || xact_commit FROM pg_stat_database
		    WHERE datname = current_database()"
		sql "SELECT 'db_bytes ' || pg_database_size(current_database())"
		sql "SELECT 'wal_bytes ' || pg_wal_lsn_diff(pg_current_wal_lsn(),
		    '0/0')::bigint"
		sql "SELECT 'autovac_' || relname || ' ' || autovacuum_count ||
		    ' ' || n_dead_tup FROM pg_stat_user_tables"
	} >"$1"
}

echo "bench: PostgreSQL and n1, n2, n3 in a private namespace" >&2
for n in $NODES; do
	"$FIVEFIFTY" -c "$tmp/$n/ff.conf" run 2>>"$tmp/$n/daemon.log" &
	echo $! >"$tmp/$n/daemon.pid"
	pids="$pids $!"
done
for n in $NODES; do
	i=0
	until "$FIVEFIFTY" -c "$tmp/$n/ff.conf" status >/dev/null 2>&1; do
		kill -0 "$(cat "$tmp/$n/daemon.pid")" 2>/dev/null ||
		    die "$n exited: $(tail -n 5 "$tmp/$n/daemon.log")"
		i=$((i + 1))
		[ "$i" -lt 3000 ] || die "$n did not answer in 30 s"
		sleep 0.01
	done
done
sleep 2		# the daemons' first commits and stats out of the way
snapshot "$tmp/before"

echo "bench: $RATE lines/s into each of 3 logs for $SECS s" >&2
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# shellcheck disable=SC2086
python3 bench/cluster-load.py "$SECS" "$RATE" "$PROBE_MS" "$OFF_MS" \
    "$DICT_MS" "$FIVEFIFTY" "$master" "$tmp" -- $corpus \
    >"$OUT/cluster-load.txt" || die "bench/cluster-load.py failed"

for p in $pids; do
	kill -TERM "$p"
	wait "$p" || die "a daemon exited non-zero on TERM"
done
pids=""
snapshot "$tmp/after"
errs=$(cat "$tmp"/n?/daemon.log | grep -ci 'error' || true)

lv() { sed -n "s/^$1=//p" "$OUT/cluster-load.txt"; }
b4() { awk -v k="$1" '$1 == k { print $2; exit }' "$tmp/before"; }
af() { awk -v k="$1" '$1 == k { print $2; exit }' "$tmp/after"; }
# tup T FIELD - the delta of pg_stat_user_tables' field (2 ins, 3 upd,
# 4 del) of table T
tup() {
	x=$(awk -v k="tup_$1" -v f="$2" '$1 == k { print $f }' "$tmp/before")
	y=$(awk -v k="tup_$1" -v f="$2" '$1 == k { print $f }' "$tmp/after")
	echo $((${y:-0} - ${x:-0}))
}
num() {
	printf "%s" "$1" |
	    sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
secs=$(lv secs)
commits=$(($(af xact_commit) - $(b4 xact_commit)))
{
	echo "## Three nodes at $(num "$RATE") lines/s each (bench/cluster-load.sh)"
	echo
	echo "- command: \`RATE=$RATE SECS=$SECS PROBE_MS=$PROBE_MS" \
	    "OFF_MS=$OFF_MS DICT_MS=$DICT_MS make bench-cluster-load\`"
	echo "- machine: $(nproc) CPUs (shared with other work), Linux" \
	    "$(uname -r), PostgreSQL $(sql 'SHOW server_version')" \
	    "(tests/pg-cluster.sh: fsync=off, unix socket), $start"
	echo "- traffic: $secs s; per node the corpus's real lines stamped" \
	    "now, each node a third further into it; among them" \
	    "$(lv truth_fivefifty) five-fifty offenders (4 sessions over 3" \
	    "nodes) and $(lv truth_dictionary) dictionary attackers (4" \
	    "unknown recipients on each of 3 nodes): $(lv injected_sessions)" \
	    "sessions; one \`ban\` on n1 every $PROBE_MS ms." \
	    "The generator took $(lv gen_cpu_pct) % of a core."
	echo
	echo "| node | lines written (injected) | lines read | lag at end (bytes) |" \
	    "max lag (bytes) | CPU, % of a core | RSS MB: peak | end |" \
	    "bans decided | bans in force | remote bans |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in $NODES; do
		echo "| $n | $(num "$(lv "${n}_written")")" \
		    "($(num "$(lv "${n}_injected")")) |" \
		    "$(num "$(lv "${n}_lines_end")") |" \
		    "$(num "$(lv "${n}_lag_end")") |" \
		    "$(num "$(lv "${n}_lag_max")") | $(lv "${n}_cpu_pct") |" \
		    "$(mb "$(lv "${n}_rss_peak_kb")") |" \
		    "$(mb "$(lv "${n}_rss_kb")") |" \
		    "$(num "$(lv "${n}_bans_decided")") |" \
		    "$(num "$(lv "${n}_bans_in_force")") |" \
		    "$(num "$(lv "${n}_remote_bans")") |"
	done
	echo
	echo "(\"lines read\" and the lags: \`fivefifty status\` polled" \
	    "every second, and once more the moment the traffic stopped" \
	    "(\"at end\"); the lag is the file's size minus the daemon's" \
	    "offset. CPU: utime + stime of /proc/PID/stat over the $secs s. Every node then read its" \
	    "whole log $(lv drain_secs) s after the traffic stopped." \
	    "Lines read in all: $(num "$(lv n1_lines)")," \
	    "$(num "$(lv n2_lines)"), $(num "$(lv n3_lines)").)"
	echo
	echo "PostgreSQL over the $secs s: $(lv pg_cpu_pct) % of a core" \
	    "($(lv pg_procs) processes: the postmaster, its reaped and live" \
	    "children). Over the whole run (traffic, catching up, stop):" \
	    "$(num "$commits") transactions committed" \
	    "($(awk -v c="$commits" -v s="$secs" 'BEGIN { printf "%.0f", c / s }')/s" \
	    "over the $secs s), the database grew from" \
	    "$(mb $(($(b4 db_bytes) / 1024))) MB to" \
	    "$(mb $(($(af db_bytes) / 1024))) MB, and wrote" \
	    "$(mb $((($(af wal_bytes) - $(b4 wal_bytes)) / 1024))) MB of WAL." \
	    "Autovacuum runs on sessions:" \
	    "$(awk '$1 == "autovac_sessions" { print $2 }' "$tmp/after")," \
	    "its dead rows at the end:" \
	    "$(num "$(awk '$1 == "autovac_sessions" { print $3 }' "$tmp/after")")."
	echo
	echo "| table | rows before | rows after | inserted | updated |" \
	    "deleted | MB before | MB after |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	for t in $TABLES; do
		echo "| $t | $(num "$(b4 "rows_$t")") | $(num "$(af "rows_$t")") |" \
		    "$(num "$(tup "$t" 2)") | $(num "$(tup "$t" 3)") |" \
		    "$(num "$(tup "$t" 4)") |" \
		    "$(mb $(($(b4 "bytes_$t") / 1024))) |" \
		    "$(mb $(($(af "bytes_$t") / 1024))) |"
	done
	echo
	echo "Every node's set at the end ($(lv converge_secs) s after the" \
	    "logs were read): every injected offender and every probe ban" \
	    "missing from n1, n2, n3: $(lv n1_missing), $(lv n2_missing)," \
	    "$(lv n3_missing) (e.g. $(lv n1_missing_sample)" \
	    "$(lv n2_missing_sample) $(lv n3_missing_sample)); the three" \
	    "sets equal (as networks): $(lv sets_equal) (differing:" \
	    "$(lv sets_diff)); ranges in the set:" \
	    "$(lv n1_kernel_ranges), $(lv n2_kernel_ranges)," \
	    "$(lv n3_kernel_ranges). State errors: $(lv n1_state_errors)," \
	    "$(lv n2_state_errors), $(lv n3_state_errors); lines with" \
	    "\"error\" in the daemons' logs: $errs."
	echo
	echo "| a ban on n1 to the element in | bans | seen | p50 ms |" \
	    "p90 ms | p99 ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for n in n2 n3; do
		echo "| $n's set | $(lv "${n}_probes") |" \
		    "$(lv "${n}_probes_seen") | $(lv "${n}_p50_ms") |" \
		    "$(lv "${n}_p90_ms") | $(lv "${n}_p99_ms") |" \
		    "$(lv "${n}_max_ms") |"
	done
	echo
	echo "Bans decided by the cluster: from the write of an injected" \
	    "offender's last session to its element in the first node's set" \
	    "(the cluster has decided: that node's own read, or the" \
	    "observations of the others, fetched once a second) and in the" \
	    "last node's (every node enforces it); $(lv decided_unseen)" \
	    "offenders not seen in every set by the monitor."
	echo
	echo "| last session to | offenders | p50 ms | p90 ms | p99 ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|"
	for k in first all; do
		case $k in
		first) w="the first node's set" ;;
		*) w="every node's set" ;;
		esac
		echo "| $w | $(lv dec_${k}_n) | $(lv dec_${k}_p50_ms) |" \
		    "$(lv dec_${k}_p90_ms) | $(lv dec_${k}_p99_ms) |" \
		    "$(lv dec_${k}_max_ms) |"
	done
} >"$OUT/cluster-load.md"
cat "$OUT/cluster-load.md"

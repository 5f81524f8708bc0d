#!/bin/sh
# fwscale.sh - the enforcer at scale, side by side with issue 17's
# targets: ban latency with 0, 10,000 and 100,000 bans in force; a burst
# of new bans (time until all are in the kernel, peak RSS); a restart
# with 100,000 bans until ready.
#
# usage: bench/fwscale.sh   (root; make bench-fwscale builds and runs it)
#
#   FWS_INFORCE  bans in force for the latency rows (default
#                "0 10000 100000"; the largest is also the restart)
#   FWS_BANS     bans one after another per row (default 300)
#   FWS_BURST    offenders written at once (default 50000)
#   SHARED       the shared tree holding corpus/ (default ../shared)
#   FIVEFIFTY    the binary (default ./fivefifty)
#
# Re-runs itself in a private network namespace (unshare -n). For each
# count N of FWS_INFORCE, a state database is given N running bans of
# distinct addresses of 10.0.0.0/8 (sqlite3, into the bans table of a
# database the daemon made), then the daemon (./fivefifty run, own table
# inet fivefifty, no map, ban_rate_limit = 0) is started, stopped, and
# started again over the table it left (a restart), each timed from its
# exec until `status` answers with kernel_ranges >= N (its bans read from
# the state and one batch: ready and reconciled); build/rel/bench/latency
# then bans FWS_BANS offenders one
# after another (a line written to the log, to the kernel's NEWSETELEM
# notification). Last, a fresh daemon gets FWS_BURST offenders written
# at once (four sessions each) and latency's load phase says when all
# are in the set and the daemon's peak RSS meanwhile. Writes
# bench/out/fwscale.md and prints it, with the number of netlink sockets
# of other processes (any namespace) in the nf_tables notification group
# before the run: the kernel's listener mask is one for the whole host, so
# while any is subscribed every commit builds a notification per element
# (most of a large batch's cost); the figures are idle ones only at 0.
# The burst's line also gives the daemon's CPU seconds in the phase (all
# threads): the same work costs more of it when the host is slow.
set -eu
export LC_ALL=C

cd "$(dirname "$0")/.."

FWS_INFORCE=${FWS_INFORCE:-"0 10000 100000"}
FWS_BANS=${FWS_BANS:-300}
FWS_BURST=${FWS_BURST:-50000}
SHARED=${SHARED:-../shared}
OUT=bench/out
LATENCY=build/rel/bench/latency
FIVEFIFTY=${FIVEFIFTY:-./fivefifty}

die() {
	echo "bench/fwscale.sh: $*" >&2
	exit 1
}

for v in $FWS_INFORCE $FWS_BANS $FWS_BURST; do
	case $v in
	'' | *[!0-9]*) die "FWS_INFORCE, FWS_BANS, FWS_BURST: whole numbers" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace, nftables)"
[ -x "$FIVEFIFTY" ] || die "$FIVEFIFTY missing; run make fivefifty"
[ -x "$LATENCY" ] || die "$LATENCY missing; run make $LATENCY"
command -v sqlite3 >/dev/null || die "sqlite3 missing (make deps-bench)"

if [ -z "${FIVEFIFTY_FWSCALE_NS:-}" ]; then
	command -v unshare >/dev/null || die "unshare (util-linux) missing"
	FIVEFIFTY_FWSCALE_NS=1 exec unshare -n "$0" "$@"
fi

corpus=""
for f in "$SHARED"/corpus/lab/*.log "$SHARED"/corpus/realworld/*.log; do
	[ -r "$f" ] && corpus="$corpus $f"
done
[ -n "$corpus" ] || die "no corpus under $SHARED/corpus"

mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/fivefifty-fwscale.XXXXXX)
pid=""
stop() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	pid=""
}
cleanup() {
	stop
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

conf=$tmp/ff.conf
cat >"$conf" <<EOF
state_db = $tmp/ff.db
log_source = file
mail_log = $tmp/mail.log
user =
control_socket = $tmp/ctl.sock
control_group =
loopback = 127.0.0.1/32
protect_mynetworks = no
access_map =
firewall = table
firewall_required = yes
ban_rate_limit = 0
EOF

now_ms() { date +%s%3N; }
# listeners - netfilter netlink sockets in group 7 (NFNLGRP_NFTABLES,
# mask 0x40) seen through every process's namespace
listeners() {
	cat /proc/[0-9]*/net/netlink 2>/dev/null |
	    awk '$2 == 12 && substr($4, 7, 1) ~ /[4-7c-f]/ { print $1 }' |
	    sort -u | wc -l
}
others=$(listeners)
# ranges - the daemon's kernel_ranges, or nothing while it does not answer
ranges() {
	"$FIVEFIFTY" -c "$conf" status 2>/dev/null |
	    awk '$1 == "kernel_ranges" { print $2; exit }'
}
# start N - the daemon started; $ready: the ms until it holds N ranges
start() {
	t0=$(now_ms)
	"$FIVEFIFTY" -c "$conf" run </dev/null >/dev/null \
	    2>>"$tmp/daemon.log" &
	pid=$!
	while :; do
		r=$(ranges)
		[ -n "$r" ] && [ "$r" -ge "$1" ] && break
		kill -0 "$pid" 2>/dev/null ||
		    die "the daemon exited: $(tail -n 5 "$tmp/daemon.log")"
		[ $(($(now_ms) - t0)) -lt 120000 ] ||
		    die "not ready with $1 ranges in 120 s"
		sleep 0.005
	done
	ready=$(($(now_ms) - t0))
}
# fresh - a new state and log, the kernel's table gone
fresh() {
	stop
	rm -f "$tmp"/ff.db* "$tmp/mail.log"
	: >"$tmp/mail.log"
	nft flush ruleset
}
# seed N - N running bans in the state (a database the daemon made)
seed() {
	fresh
	start 0
	stop
	nft flush ruleset
	[ "$1" -gt 0 ] || return 0
	now=$(date +%s)
	sqlite3 "$tmp/ff.db" "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL
	    SELECT i + 1 FROM c WHERE i + 1 < $1) INSERT INTO bans (addr,
	    prefix_len, family, at, until, n, score, reason) SELECT
	    printf('10.%d.%d.%d', i >> 15, (i >> 7) & 255, (i & 127) * 2), 32,
	    4, $now, $now + 86400, 1, 10.0, 'bench' FROM c;"
}

: >"$OUT/fwscale.txt"
for n in $FWS_INFORCE; do
	echo "bench: $n bans in force: restart, then $FWS_BANS bans" >&2
	seed "$n"
	start "$n"		# the first start: the kernel empty
	echo "inforce_${n}_first_ms=$ready" >>"$OUT/fwscale.txt"
	stop
	start "$n"		# a restart: the table the last run left
	echo "inforce_${n}_ready_ms=$ready" >>"$OUT/fwscale.txt"
	# shellcheck disable=SC2086
	"$LATENCY" -i 0 -n "$FWS_BANS" -r 0 -R 0 -k 0 "$pid" "$tmp/mail.log" \
	    $corpus >"$tmp/lat.txt" || die "$LATENCY failed: $(tail -n 5 \
	    "$tmp/daemon.log")"
	sed -n "s/^lat_/inforce_${n}_/p" "$tmp/lat.txt" >>"$OUT/fwscale.txt"
	stop
done

echo "bench: $FWS_BURST offenders at once" >&2
fresh
start 0
# shellcheck disable=SC2086
"$LATENCY" -i 0 -n 0 -r 0 -R 0 -k "$FWS_BURST" -m 0 -L 0 "$pid" \
    "$tmp/mail.log" $corpus >"$tmp/burst.txt" || die "$LATENCY failed: \
$(tail -n 5 "$tmp/daemon.log")"
sed -n 's/^load_/burst_/p; s/^rss_hwm_kb=/burst_rss_hwm_kb=/p' \
    "$tmp/burst.txt" >>"$OUT/fwscale.txt"
stop

v() { sed -n "s/^$1=//p" "$OUT/fwscale.txt"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
# ratio MEASURED TARGET - measured / target, "-" without a measure
ratio() {
	[ -n "$1" ] || { echo "-"; return; }
	awk -v m="$1" -v t="$2" 'BEGIN { printf "%.2f", m / t }'
}
last=""
for n in $FWS_INFORCE; do last=$n; done
{
	echo "## The enforcer at scale (issue 17)"
	echo
	echo "- command: \`FWS_INFORCE=\"$FWS_INFORCE\" FWS_BANS=$FWS_BANS" \
	    "FWS_BURST=$FWS_BURST make bench-fwscale\` (bench/fwscale.sh)"
	echo "- machine: $(nproc) CPUs, Linux $(uname -r), $(date -u +%Y-%m-%d)"
	echo "- nf_tables listeners of other processes before the run:" \
	    "$others (0 for idle figures: any makes every commit build a" \
	    "notification per element)"
	echo
	echo "Ban latency: a line written to the log, to the kernel's" \
	    "NEWSETELEM notification; first start (the kernel empty) and" \
	    "restart (over the table the first left): from the daemon's" \
	    "exec until \`status\` says the kernel holds every ban in force."
	echo
	echo "| bans in force | first start ms | restart ms | bans |" \
	    "p50 ms | p99 ms | max ms | p99 / 2 ms |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	for n in $FWS_INFORCE; do
		echo "| $n | $(v "inforce_${n}_first_ms") |" \
		    "$(v "inforce_${n}_ready_ms") |" \
		    "$(v "inforce_${n}_bans") |" \
		    "$(ms "$(v "inforce_${n}_p50_us")") |" \
		    "$(ms "$(v "inforce_${n}_p99_us")") |" \
		    "$(ms "$(v "inforce_${n}_max_us")") |" \
		    "$(ratio "$(v "inforce_${n}_p99_us")" 2000) |"
	done
	echo
	echo "| measure | value | target | ratio |"
	echo "|---|---:|---:|---:|"
	echo "| ban latency p99, $last in force | $(ms "$(v \
	    "inforce_${last}_p99_us")") ms | 2 ms | $(ratio "$(v \
	    "inforce_${last}_p99_us")" 2000) |"
	echo "| restart with $last bans, until ready | $(v \
	    "inforce_${last}_ready_ms") ms | 500 ms | $(ratio "$(v \
	    "inforce_${last}_ready_ms")" 500) |"
	echo "| $FWS_BURST offenders at once, all in the kernel |" \
	    "$(ms "$(v burst_wall_us)" | awk '{ printf "%.2f", $1 / 1000 }')" \
	    "s | 1 s | $(ratio "$(v burst_wall_us)" 1000000) |"
	echo "| peak RSS of that burst | $(awk -v k="$(v burst_rss_peak_kb)" \
	    'BEGIN { printf "%.1f", k / 1024 }') MB | 64 MB |" \
	    "$(ratio "$(v burst_rss_peak_kb)" 65536) |"
	echo
	echo "(A ratio above 1 misses the target. The burst's time runs from" \
	    "the first write of its $((FWS_BURST * 12)) lines to the ban of an" \
	    "offender written after them: it holds the parsing and the" \
	    "scoring too, and the bench's own writes of the lines, which took" \
	    "$(ms "$(v burst_write_us)") ms of it. The daemon's threads used" \
	    "$(awk -v c="$(v burst_cpu_ms)" 'BEGIN { printf "%.2f", c / 1000 }')" \
	    "s of CPU in the phase, on $(nproc) CPUs: the same work takes" \
	    "more CPU time in a slow moment of a virtual machine's host.)"
} >"$OUT/fwscale.md"
cat "$OUT/fwscale.md"

#!/bin/sh
# latency.sh - ban latency of `fivefifty run` (an offending line written
# to the log, to the address in the kernel set), and the daemon's CPU and
# memory while idle and while following a busy log.
#
# usage: bench/latency.sh   (root; make bench-latency builds and runs it)
#
#   LAT_BANS    offenders banned one after another (default 300)
#   IDLE_SECS   seconds of an idle log (default 20)
#   BUSY_RATE   corpus lines a second of the busy log (default 1000)
#   BUSY_SECS   its seconds (default 30)
#   FAST_RATE   lines a second of the busier log (default 10000; 0: none)
#   FAST_SECS   its seconds (default 10)
#   LOAD_BANS   offenders written at once, then in force for the last
#               two phases (default 10000; 0: skip those phases)
#   LOADED_BANS bans one after another with them in force (default 100)
#   LOADED_SECS seconds of the BUSY_RATE log with them in force (default 10)
#   SHARED      the shared tree holding corpus/ (default ../shared)
#   FIVEFIFTY   the binary (default ./fivefifty; another revision's, to
#               compare)
#
# Re-runs itself in a private network namespace (unshare -n), so the
# host's ruleset is never touched. The daemon (./fivefifty, as root, its
# own table inet fivefifty, no access map: the kernel path alone) keeps
# its configuration, log, state and socket in a temporary directory that
# is removed at the end. build/rel/bench/latency drives the log and
# watches the set (see bench/latency.c). Writes bench/out/latency.md and
# prints it.
set -eu
export LC_ALL=C

cd "$(dirname "$0")/.."

LAT_BANS=${LAT_BANS:-300}
IDLE_SECS=${IDLE_SECS:-20}
BUSY_RATE=${BUSY_RATE:-1000}
BUSY_SECS=${BUSY_SECS:-30}
FAST_RATE=${FAST_RATE:-10000}
FAST_SECS=${FAST_SECS:-10}
LOAD_BANS=${LOAD_BANS:-10000}
LOADED_BANS=${LOADED_BANS:-100}
LOADED_SECS=${LOADED_SECS:-10}
SHARED=${SHARED:-../shared}
OUT=bench/out
LATENCY=build/rel/bench/latency
FIVEFIFTY=${FIVEFIFTY:-./fivefifty}

die() {
	echo "bench/latency.sh: $*" >&2
	exit 1
}

for v in LAT_BANS IDLE_SECS BUSY_RATE BUSY_SECS FAST_RATE FAST_SECS \
    LOAD_BANS LOADED_BANS LOADED_SECS; do
	val=$(eval "echo \"\$$v\"")
	case $val in
	'' | *[!0-9]*) die "$v must be a whole number" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace, nftables)"
[ -x "$FIVEFIFTY" ] || die "$FIVEFIFTY missing; run make fivefifty"
[ -x "$LATENCY" ] || die "$LATENCY missing; run make $LATENCY"

if [ -z "${FIVEFIFTY_LATENCY_NS:-}" ]; then
	command -v unshare >/dev/null || die "unshare (util-linux) missing"
	FIVEFIFTY_LATENCY_NS=1 exec unshare -n "$0" "$@"
fi

# The corpus: the lab log first (its offenders are banned during the
# busy phase too), then the real-world logs; the same files mkcorpus uses.
corpus=""
for f in "$SHARED"/corpus/lab/*.log "$SHARED"/corpus/realworld/*.log; do
	[ -r "$f" ] && corpus="$corpus $f"
done
[ -n "$corpus" ] || die "no corpus under $SHARED/corpus"

mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/fivefifty-latency.XXXXXX)
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
# The phases ban thousands of offenders within a minute on purpose: the
# circuit breaker (ban_rate_limit) would hold them, and what is measured
# here is the path from a line to the set.
ban_rate_limit = 0
EOF
: >"$tmp/mail.log"

echo "bench: fivefifty run in a private network namespace" >&2
"$FIVEFIFTY" -c "$conf" run 2>"$tmp/daemon.log" &
pid=$!
i=0
until "$FIVEFIFTY" -c "$conf" status >/dev/null 2>&1; do
	kill -0 "$pid" 2>/dev/null ||
	    die "the daemon exited: $(cat "$tmp/daemon.log")"
	i=$((i + 1))
	[ "$i" -lt 500 ] || die "the daemon did not answer in 5 s"
	sleep 0.01
done

echo "bench: idle $IDLE_SECS s; $LAT_BANS bans one after another;" \
    "$BUSY_RATE lines/s for $BUSY_SECS s; $FAST_RATE lines/s for" \
    "$FAST_SECS s; $LOAD_BANS offenders at once, then $LOADED_BANS bans" \
    "and $BUSY_RATE lines/s for $LOADED_SECS s with them in force" >&2
start=$(date +%s)
# shellcheck disable=SC2086
"$LATENCY" -i "$IDLE_SECS" -n "$LAT_BANS" -r "$BUSY_RATE" -b "$BUSY_SECS" \
    -R "$FAST_RATE" -B "$FAST_SECS" -k "$LOAD_BANS" -m "$LOADED_BANS" \
    -L "$LOADED_SECS" "$pid" "$tmp/mail.log" $corpus \
    >"$OUT/latency.txt" || die "$LATENCY failed; the daemon said:
$(tail -n 20 "$tmp/daemon.log")"
"$FIVEFIFTY" -c "$conf" status >"$OUT/latency-status.txt" 2>&1 ||
    die "status failed after the run"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || die "the daemon exited $rc on SIGTERM"
secs=$(($(date +%s) - start))

lv() { sed -n "s/^$1=//p" "$OUT/latency.txt"; }
sv() { awk -v k="$1" '$1 == k { print $2; exit }' "$OUT/latency-status.txt"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# num N - with thousands separators
num() {
	printf "%s" "$1" |
	    sed -e :a -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/; ta'
}
# lat LOG PHASE - a latency row, when the phase ran
lat() {
	[ -n "$(lv "$2"_bans)" ] || return 0
	echo "| $1 | $(num "$(lv "$2"_in_set)") | $(lv "$2"_bans) |" \
	    "$(ms "$(lv "$2"_p50_us)") |" \
	    "$(ms "$(lv "$2"_p90_us)") | $(ms "$(lv "$2"_p99_us)") |" \
	    "$(ms "$(lv "$2"_max_us)") |"
}
# row LOG PHASE - a footprint row, when the phase ran
row() {
	[ -n "$(lv "$2"_secs)" ] || return 0
	echo "| $1 | $(lv "$2"_secs) | $(lv "$2"_cpu_pct) |" \
	    "$(lv "$2"_wakeups_per_sec) | $(mb "$(lv "$2"_rss_start_kb)") |" \
	    "$(mb "$(lv "$2"_rss_peak_kb)") | $(mb "$(lv "$2"_rss_end_kb)") |"
}
p99=$(lv lat_p99_us)
aim="met"
[ "$p99" -lt 10000 ] || aim="**not met**"
busy="$(num "$BUSY_RATE") lines/s"
fast="$(num "$FAST_RATE") lines/s"
loaded="after $(num "$LOAD_BANS") at once"
{
	echo "## Ban latency and the daemon's footprint"
	echo
	echo "- command: \`LAT_BANS=$LAT_BANS IDLE_SECS=$IDLE_SECS" \
	    "BUSY_RATE=$BUSY_RATE BUSY_SECS=$BUSY_SECS FAST_RATE=$FAST_RATE" \
	    "FAST_SECS=$FAST_SECS LOAD_BANS=$LOAD_BANS" \
	    "LOADED_BANS=$LOADED_BANS LOADED_SECS=$LOADED_SECS make" \
	    "bench-latency\` (bench/latency.sh, build/rel/bench/latency)"
	echo "- machine: $(nproc) CPUs, Linux $(uname -r), $(date -u +%Y-%m-%d)"
	echo "- daemon: \`./fivefifty run\` as root in a private network" \
	    "namespace; default scoring; firewall = table; no access map (the" \
	    "kernel path alone). It read $(num "$(sv lines)") lines and" \
	    "decided $(num "$(sv bans_decided)") bans; $(num "$(sv bans_in_force)")" \
	    "were in force at the end."
	echo "- the run took $secs s; netlink overruns: $(lv netlink_overruns)"
	echo
	echo "Ban latency: from the write(2) of the session that tips the ban" \
	    "(the third retry after a 554) to the kernel's NEWSETELEM" \
	    "notification for the address, seen on a netlink socket in the" \
	    "nf_tables group. Busy logs are the corpus's real lines stamped" \
	    "with the time of their write, one write(2) each, with an" \
	    "offender every 250 ms among them."
	echo
	echo "| log | in the set | bans | p50 ms | p90 ms | p99 ms | max ms |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	lat "idle, one ban after another" lat
	lat "$busy" busy
	lat "$fast" fast
	lat "idle, one ban after another, $loaded" loaded
	lat "$busy, $loaded" loadbusy
	echo
	if [ -n "$(lv load_secs)" ]; then
		echo "$(num "$LOAD_BANS") offenders written at once (4 sessions" \
		    "each, $(num $((LOAD_BANS * 12))) lines) were all in the set" \
		    "$(lv load_secs) s after the write began" \
		    "($(lv load_cpu_pct) % of a CPU meanwhile)."
		echo
	fi
	echo "(\"in the set\": the ranges in offenders4 when the phase began," \
	    "about one per ban in force.)"
	echo
	echo "Footprint: CPU is the daemon's CPU clock (all its threads) over" \
	    "the phase, in % of one CPU; wake-ups are its threads' context" \
	    "switches a second; memory is VmRSS (the peak sampled every" \
	    "100 ms)."
	echo
	echo "| log | seconds | CPU % | wake-ups/s | RSS MB at start |" \
	    "RSS MB peak | RSS MB at end |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	row "idle (nothing written)" idle
	row "$LAT_BANS bans one after another" lat
	row "$busy" busy
	row "$fast" fast
	row "$(num "$LOAD_BANS") offenders at once" load
	row "$LOADED_BANS bans one after another, $loaded" loaded
	row "$busy, $loaded" loadbusy
	echo
	echo "Peak RSS over the run (VmHWM): $(mb "$(lv rss_hwm_kb)") MB."
	echo "Aim: an offending line is a kernel ban in well under 10 ms on" \
	    "an idle system: p99 $(ms "$p99") ms, $aim."
} >"$OUT/latency.md"
cat "$OUT/latency.md"

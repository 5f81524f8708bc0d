#!/bin/sh
# flood.sh - the flood shapes of bench/flood.c against scan --dry-run and
# the daemon: peak RSS, lines/s, status latency and SIGTERM time.
#   bench/flood.sh [LINES [DAEMON_LINES]]   (1000000 and 200000 by default;
#   make bench-flood; DAEMON_ONLY=1 skips the scans)
# Needs ./fivefifty and build/rel/bench/flood; writes under bench/out/flood.
set -eu
N=${1:-1000000}
DN=${2:-200000}
BIN=${FIVEFIFTY:-./fivefifty}
GEN=build/rel/bench/flood
OUT=bench/out/flood
mkdir -p "$OUT"
rm -f "$OUT"/*.log "$OUT"/*.db*
printf 'firewall = off\naccess_map =\n' > "$OUT/scan.conf"
now_ms() { date +%s%3N; }

[ -z "${DAEMON_ONLY:-}" ] && {
echo "| shape | lines | scan --dry-run s | CPU s | lines per CPU s | peak RSS MB |"
echo "|---|---|---|---|---|---|"
}
for s in reject connect postscreen dictionary fivefifty long; do
	if [ -n "${DAEMON_ONLY:-}" ]; then
		case $s in reject|long) "$GEN" "$s" "$DN" 1 > "$OUT/$s.log";; esac
		continue
	fi
	"$GEN" "$s" "$N" 1 > "$OUT/$s.log"
	t0=$(now_ms)
	/usr/bin/time -f "%M %U %S" -o "$OUT/time.txt" "$BIN" scan -c "$OUT/scan.conf" \
	    --dry-run --db "$OUT/none.db" "$OUT/$s.log" >/dev/null 2>&1
	t1=$(now_ms)
	tail -1 "$OUT/time.txt" | awk -v s="$s" -v n="$N" -v ms=$((t1 - t0)) '{
	    cpu = $2 + $3; printf "| %s | %d | %.1f | %.1f | %.0f | %.1f |\n",
	    s, n, ms / 1000, cpu, n / cpu, $1 / 1024 }'
	[ "$s" = long ] || [ "$s" = reject ] || rm -f "$OUT/$s.log"
done

# The daemon: the reject flood written into its log at once.
echo
echo "| daemon, shape | lines | read in s | lines/s | peak RSS MB | status ms (max) | SIGTERM ms |"
echo "|---|---|---|---|---|---|---|"
for s in reject long; do
	d="$OUT/d-$s"
	rm -rf "$d"; mkdir -p "$d"; : > "$d/mail.log"
	cat > "$d/ff.conf" <<CONF
state_db = $PWD/$d/ff.db
log_source = file
mail_log = $PWD/$d/mail.log
user =
control_socket = $PWD/$d/ctl.sock
control_group =
firewall = off
access_map =
CONF
	"$BIN" run -c "$d/ff.conf" 2> "$d/daemon.err" &
	pid=$!
	i=0
	until "$BIN" status -c "$d/ff.conf" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 500 ] || { echo "no daemon"; exit 1; }
		sleep 0.02
	done
	head -n "$DN" "$OUT/$s.log" > "$OUT/d.log"
	t0=$(now_ms)
	cat "$OUT/d.log" >> "$d/mail.log"
	worst=0
	while :; do
		a=$(now_ms)
		lines=$("$BIN" status -c "$d/ff.conf" | awk '$1 == "lines" { print $2 }')
		b=$(now_ms)
		[ $((b - a)) -gt $worst ] && worst=$((b - a))
		[ "${lines:-0}" -ge "$DN" ] && break
		sleep 0.5
	done
	t1=$(now_ms)
	hwm=$(awk '/VmHWM/ { print $2 }' /proc/$pid/status)
	# SIGTERM in the middle of a second flood
	cat "$OUT/d.log" >> "$d/mail.log"
	sleep 1
	a=$(now_ms); kill -TERM $pid; wait $pid || true; b=$(now_ms)
	awk -v s="$s" -v n="$DN" -v ms=$((t1 - t0)) -v kb="$hwm" -v w=$worst \
	    -v term=$((b - a)) 'BEGIN { printf "| %s | %d | %.1f | %.0f | %.1f | %d | %d |\n",
	    s, n, ms / 1000, n / (ms / 1000), kb / 1024, w, term }'
done

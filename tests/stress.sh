#!/bin/sh
# stress.sh - `make stress`: what `make test` cannot afford to run.
#
# usage: tests/stress.sh [kill|valgrind|flood]...   (default: all three)
#
#   kill      fivefifty run, killed with SIGKILL at random moments
#             (STRESS_KILLS, default 60; also while starting) while the
#             lab log is written in random chunks and rotated by rename
#             and by copytruncate, also while the daemon is down (twice
#             in a row at times); then the state must equal that of one
#             uninterrupted `fivefifty scan` of the same lines, last_seen
#             included.
#   valgrind  the release build's `fivefifty run` under valgrind
#             --leak-check=full, in a private network namespace with the
#             firewall on: log lines, bans, control requests, SIGHUP,
#             SIGTERM; no leak and no error.
#   flood     the flood shapes of bench/flood.sh with their peak RSS
#             and time (when bench/flood.sh is there).
#
# Environment: FIVEFIFTY_BIN (the binary to kill; default the sanitizer
# build), FIVEFIFTY_REL (the release build for valgrind, ./fivefifty),
# SHARED (the shared corpus, ../shared), STRESS_SEED (random seed).
# Prints one line per check and the counts; exits 1 when a check failed.
set -u

BIN=${FIVEFIFTY_BIN:-build/san/fivefifty}
REL=${FIVEFIFTY_REL:-./fivefifty}
SHARED=${SHARED:-../shared}
KILLS=${STRESS_KILLS:-60}
SEED=${STRESS_SEED:-$(date +%s)}
RS=$SEED
LAB=$SHARED/corpus/lab/postfix37-lab.log
checks=0
fails=0
W=$(mktemp -d /tmp/fivefifty-stress-XXXXXX)

ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

# rnd N - R = a pseudo-random number in [0, N) (seeded: replayable)
rnd() {
	RS=$(( (RS * 1103515245 + 12345) % 2147483648 ))
	R=$(( (RS / 65536) % $1 ))
}

# conf DIR EXTRA - a daemon configuration in DIR
conf() {
	cat > "$1/ff.conf" <<EOF
state_db = $1/ff.db
log_source = file
mail_log = $1/mail.log
user =
control_socket = $1/ctl.sock
control_group =
loopback = 127.0.0.1/32
protect_mynetworks = no
access_map = texthash:$1/access
$2
EOF
}

# start DIR BIN - fivefifty run in the background; $pid
start() {
	"$2" run -c "$1/ff.conf" >/dev/null 2>>"$1/daemon.log" &
	pid=$!
}

# ready DIR BIN - wait until the control socket answers (30 s)
ready() {
	i=0
	while [ $i -lt 600 ]; do
		"$2" status -c "$1/ff.conf" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# caught_up DIR BIN - wait until the daemon has read all of mail.log
caught_up() {
	i=0
	while [ $i -lt 1200 ]; do
		"$2" status -c "$1/ff.conf" 2>/dev/null | grep -q ' lag 0$' &&
		    return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# shift_rotated DIR - mail.log.N -> mail.log.N+1, oldest first
shift_rotated() {
	n=$(ls "$1" | sed -n 's/^mail\.log\.\([0-9]*\)$/\1/p' | sort -n |
	    tail -1)
	while [ -n "$n" ] && [ "$n" -ge 1 ]; do
		mv "$1/mail.log.$n" "$1/mail.log.$((n + 1))"
		n=$((n - 1))
	done
}

# rotate DIR - logrotate's create or copytruncate, at random
rotate() {
	shift_rotated "$1"
	rnd 2
	if [ $R -eq 0 ]; then
		mv "$1/mail.log" "$1/mail.log.1"
		: > "$1/mail.log"
		renames=$((renames + 1))
		echo "rotate rename" >> "$1/actions"
	else
		cp "$1/mail.log" "$1/mail.log.1"
		: > "$1/mail.log"
		copies=$((copies + 1))
		echo "rotate copytruncate" >> "$1/actions"
	fi
}

# dump DB - what the state says, in a stable order
dump() {
	sqlite3 "$1" "SELECT addr, score, bans, banned_until, last_seen FROM
	    clients ORDER BY addr; SELECT addr, t, weight, rule, detail FROM
	    evidence ORDER BY addr, t, rule, detail, weight; SELECT addr,
	    prefix_len, at, until, n, reason FROM bans ORDER BY addr, at;
	    SELECT kind, hour, value, client, class, code, sum(n), min(first),
	    max(last) FROM activity_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY
	    1, 2, 3, 4, 5, 6; SELECT * FROM fivefifties ORDER BY addr"
}

# stress_kill - SIGKILLs and rotations under traffic: state == scan
stress_kill() {
	d=$W/kill
	mkdir -p "$d"
	: > "$d/mail.log"
	: > "$d/all.log"
	conf "$d" "firewall = off"
	total=$(wc -l < "$LAB")
	chunk=$(( total / (KILLS * 2) + 1 ))
	kills=0 renames=0 copies=0 down=0 line=1
	echo "kill: seed $SEED, $total lines in chunks of up to" \
	    "$((chunk * 2)), $KILLS kills at least"
	# The first start reads from the end of the log (no position yet):
	# it must have committed its start before the first line comes, and
	# on a file with something in it (a position taken on an empty file
	# has no fingerprint: a copytruncate while down would go unnoticed,
	# the tailer's documented limit). Those lines are before its time.
	echo "Nov 21 13:33:00 mx postfix/master[1]: daemon started" \
	    > "$d/mail.log"
	start "$d" "$BIN"
	ready "$d" "$BIN" || bad "kill: the daemon did not start"
	while [ $line -le "$total" ] || [ $kills -lt "$KILLS" ]; do
		if [ $line -le "$total" ]; then
			rnd $((chunk * 2))
			n=$((R + 1))
			sed -n "${line},$((line + n - 1))p" "$LAB" |
			    tee -a "$d/all.log" >> "$d/mail.log"
			line=$((line + n))
		fi
		rnd 10
		case $R in
		0|1|2|3|4|5)	# kill -9: sometimes before it is even ready
			rnd 3
			[ $R -eq 0 ] || ready "$d" "$BIN" ||
			    bad "kill: the daemon did not start" \
			    "($(tail -3 "$d/daemon.log"))"
			rnd 300
			sleep "$(printf '0.%03d' $R)"
			kill -KILL "$pid"
			wait "$pid" 2>/dev/null
			kills=$((kills + 1))
			echo "kill at line $line" >> "$d/actions"
			# Rotated while it is down: none, once, or twice.
			rnd 4
			r=$R
			[ $r -ge 2 ] && { rotate "$d"; down=$((down + 1)); }
			[ $r -eq 3 ] && { rotate "$d"; down=$((down + 1)); }
			start "$d" "$BIN"
			;;
		6)	rotate "$d" ;;
		*)	rnd 100
			sleep "$(printf '0.%03d' $R)" ;;
		esac
	done
	if ready "$d" "$BIN" && caught_up "$d" "$BIN"; then
		sleep 1.5	# one state flush period, and a little
		kill -TERM "$pid"
		wait "$pid"
		st=$?
		[ $st -eq 0 ] && ok "kill: the daemon stops cleanly" ||
		    bad "kill: the daemon exited $st at SIGTERM"
	else
		bad "kill: the daemon never caught up with its log"
		kill -KILL "$pid" 2>/dev/null
	fi
	echo "kill: $kills kills, $renames rename and $copies copytruncate" \
	    "rotations ($down while the daemon was down)"
	[ $kills -ge "$KILLS" ] && ok "kill: $kills SIGKILLs ($KILLS at least)" ||
	    bad "kill: only $kills SIGKILLs"
	"$BIN" scan -c "$d/ff.conf" --no-enforce --db "$d/scan.db" \
	    "$d/all.log" >/dev/null 2>"$d/scan.err" ||
	    bad "kill: scan failed: $(cat "$d/scan.err")"
	dump "$d/ff.db" > "$d/daemon.dump"
	dump "$d/scan.db" > "$d/scan.dump"
	if [ "$(wc -c < "$d/scan.dump")" -lt 1000 ]; then
		bad "kill: the scan's state is nearly empty"
	elif cmp -s "$d/daemon.dump" "$d/scan.dump"; then
		ok "kill: the state equals one scan's ($(wc -l < \
		    "$d/scan.dump") rows, last_seen included)"
	else
		bad "kill: the state differs from one scan's (seed $SEED):" \
		    "diff $d/daemon.dump $d/scan.dump"
		diff "$d/daemon.dump" "$d/scan.dump" | head -20
		keep=1
	fi
}

# stress_valgrind - a daemon run under valgrind: no leak, no error
stress_valgrind() {
	d=$W/vg
	mkdir -p "$d"
	: > "$d/mail.log"
	if ! command -v valgrind >/dev/null; then
		bad "valgrind: not installed (apt-get install valgrind)"
		return
	fi
	if [ ! -x "$REL" ]; then
		bad "valgrind: no release build $REL (make fivefifty)"
		return
	fi
	conf "$d" "firewall_table = inet fivefifty_vg"
	unshare -n sh -c '
		ip link set lo up
		valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
		    --errors-for-leak-kinds=definite,indirect \
		    --error-exitcode=99 --log-file="$1/valgrind.log" \
		    "$2" run -c "$1/ff.conf" 2>"$1/daemon.log" &
		vpid=$!
		i=0
		until "$2" status -c "$1/ff.conf" >/dev/null 2>&1; do
			i=$((i + 1)); [ $i -gt 600 ] && break; sleep 0.1
		done
		head -n 3000 "$3" >> "$1/mail.log"
		sleep 3
		"$2" ban -c "$1/ff.conf" 192.0.2.77 >/dev/null
		"$2" unban -c "$1/ff.conf" 192.0.2.77 >/dev/null
		"$2" status -c "$1/ff.conf" --json >/dev/null
		kill -HUP $vpid; sleep 1
		tail -n +3001 "$3" >> "$1/mail.log"
		sleep 3
		kill -TERM $vpid
		wait $vpid
		echo $? > "$1/status"
	' sh "$d" "$REL" "$LAB"
	st=$(cat "$d/status" 2>/dev/null || echo none)
	bans=$(grep -c ': ban [0-9]' "$d/daemon.log")
	[ "$bans" -gt 0 ] && ok "valgrind: the daemon worked ($bans bans" \
	    "decided from the lab log)" ||
	    bad "valgrind: the daemon decided no ban: $(tail -3 "$d/daemon.log")"
	if [ "$st" = 0 ] && [ ! -s "$d/valgrind.log" ]; then
		ok "valgrind: fivefifty run: no leak, no error (lines, bans," \
		    "control requests, SIGHUP, SIGTERM)"
	else
		bad "valgrind: exit $st; $d/valgrind.log:"
		head -40 "$d/valgrind.log"
		keep=1
	fi
}

# stress_flood - the flood shapes (bench/flood.sh measures them): peak
# RSS under 64 MB for every shape, scan and daemon; times are reported
stress_flood() {
	if [ ! -x bench/flood.sh ] || [ ! -x build/rel/bench/flood ]; then
		bad "flood: bench/flood.sh or build/rel/bench/flood is missing" \
		    "(make build/rel/bench/flood)"
		return
	fi
	FIVEFIFTY=$REL bench/flood.sh "${STRESS_FLOOD_LINES:-1000000}" \
	    "${STRESS_DAEMON_LINES:-200000}" | tee "$W/flood.md"
	# Rows: "| shape | lines | ... | peak RSS MB |" (scan: 7th field)
	# and "| shape | lines | s | lines/s | peak RSS MB | ..." (daemon: 6th).
	awk -F'|' '
	    /^\| daemon/ { daemon = 1; next }
	    /^\| shape/ || /^\|---/ || !/^\|/ { next }
	    { rss = daemon ? $6 : $7; rows++
	      if (rss + 0 >= 64) { print "over 64 MB:" $0 > "/dev/stderr"
	      over++ } }
	    END { printf "%d %d\n", rows, over }' "$W/flood.md" \
	    > "$W/flood.sum" 2> "$W/flood.over"
	read -r rows over < "$W/flood.sum"
	if [ "$rows" -ge 8 ] && [ "$over" -eq 0 ]; then
		ok "flood: $rows shapes (scan and daemon), peak RSS under 64 MB"
	else
		bad "flood: $over of $rows shapes at 64 MB or over" \
		    "(or a shape missing): $(cat "$W/flood.over")"
	fi
}

keep=0
[ -r "$LAB" ] || { echo "stress: $LAB is missing (SHARED=DIR)" >&2; exit 1; }
parts=${*:-kill valgrind flood}
for p in $parts; do
	case $p in
	kill) stress_kill ;;
	valgrind) stress_valgrind ;;
	flood) stress_flood ;;
	*) echo "usage: $0 [kill|valgrind|flood]..." >&2; exit 64 ;;
	esac
done
echo "stress: $checks checks, $((checks - fails)) passed, $fails failed"
[ $keep -eq 1 ] && echo "stress: kept $W for a look" || rm -rf "$W"
[ $fails -eq 0 ]

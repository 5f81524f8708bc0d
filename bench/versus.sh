#!/bin/bash
# versus.sh - fivefifty against fail2ban, side by side, on the same traffic
# of a real Postfix: who is banned, by class of client; ban latency; CPU;
# memory; bans missing from the kernel across a restart.
#
# usage: bench/versus.sh   (root; make bench-versus builds and runs it)
#
#   SMALL        1: fewer clients, a shorter run, 200 preloaded bans
#                (a few minutes in all)
#   SEED         the clients' mix, addresses and schedule (default 1)
#   SECS         seconds of traffic (default 60; SMALL 25)
#   PRELOAD      bans added before the second restart (default 2000;
#                SMALL 200)
#   RESTART_MAX  seconds a restart is watched at most (default 300;
#                SMALL 120)
#   TOOLS        the runs, in order (default: fivefifty f2b-more-pyinotify
#                f2b-more-polling f2b-aggressive-pyinotify
#                f2b-aggressive-polling); f2b-MODE-BACKEND is fail2ban's
#                postfix jail with that mode (more is the default mode)
#   F2B_PRELOAD  the fail2ban run that gets the PRELOAD restart too
#                (default f2b-more-pyinotify: a restart does not depend
#                on the filter's mode or the backend)
#   FIVEFIFTY    the binary (default ./fivefifty; a copy is run)
#
# One private Postfix (tests/postfix-instance.sh: its own main.cf, queue
# and maillog_file, in a temporary directory) in a private network
# namespace; bench/versus.py's SMTP clients of known kinds talk to it on
# a schedule drawn from SEED, each from its own 127.x.y.z, and the log
# lines are recorded with the time each appeared. Postfix is then
# stopped and each tool, alone, in the same namespace, its own nftables
# table, is given the recorded lines again at their recorded times, each
# stamped with the time of its write: fivefifty run with its defaults
# (but for its paths, and loopback = 127.0.0.1/32 so that the clients
# are external), and Debian's fail2ban-server with its postfix jail
# (banaction nftables-multiport, maxretry 5, its own configuration
# directory, socket, pid file and sqlite database in the temporary
# directory). See bench/versus.py for what is measured. Writes
# bench/out/versus.md and prints it. The system's Postfix, /etc/postfix,
# /etc/fail2ban (only copied) and the host's ruleset are never touched.
# shellcheck disable=SC2154	# dir, ns and NX: set by pf_init, pf_netns
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

SMALL=${SMALL:-0}
SEED=${SEED:-1}
if [ "$SMALL" = 1 ]; then
	SECS=${SECS:-25} PRELOAD=${PRELOAD:-200} RESTART_MAX=${RESTART_MAX:-120}
else
	SECS=${SECS:-60} PRELOAD=${PRELOAD:-2000} RESTART_MAX=${RESTART_MAX:-300}
fi
TOOLS=${TOOLS:-fivefifty f2b-more-pyinotify f2b-more-polling \
f2b-aggressive-pyinotify f2b-aggressive-polling}
F2B_PRELOAD=${F2B_PRELOAD:-f2b-more-pyinotify}
FIVEFIFTY=${FIVEFIFTY:-./fivefifty}
OUT=bench/out
# Debian's python3, the one fail2ban runs on (a python3 earlier in PATH,
# pyenv's say, lacks pyinotify)
PY=/usr/bin/python3

die() {
	echo "bench/versus.sh: $*" >&2
	exit 1
}

for v in SEED SECS PRELOAD RESTART_MAX; do
	case ${!v} in
	'' | *[!0-9]*) die "$v must be a whole number" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace, nftables)"
[ -x "$PY" ] || die "$PY missing; run scripts/deps.sh bench"
[ -x "$FIVEFIFTY" ] || die "$FIVEFIFTY missing; run make fivefifty"
for t in nft fail2ban-server fail2ban-client fail2ban-regex \
    postfix postmap; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
	    die "$t missing; run scripts/deps.sh bench"
done
"$PY" -c 'import pyinotify' 2>/dev/null ||
    die "python3-pyinotify missing (fail2ban's pyinotify backend);" \
	"run scripts/deps.sh bench"

mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/fivefifty-versus.XXXXXX)
chmod 755 "$tmp"	# Postfix's own processes traverse it
mkdir "$tmp/bin"
cp "$FIVEFIFTY" "$tmp/bin/fivefifty"
ff=$tmp/bin/fivefifty

# shellcheck source=tests/postfix-instance.sh
. tests/postfix-instance.sh
pf_init bench/versus.sh "$tmp/pf" "ffvs$$"
# shellcheck disable=SC2064	# $tmp is set now
if [ "${KEEP:-0}" = 1 ]; then
	trap 'pf_cleanup; echo "bench/versus.sh: kept $tmp" >&2' EXIT
else
	trap "pf_cleanup; rm -rf '$tmp'" EXIT
fi
trap 'exit 130' INT TERM

pf_main_cf >"$dir/main.cf"
pf_site_cf >>"$dir/main.cf"
cat >>"$dir/main.cf" <<EOF
smtpd_helo_required = yes
smtpd_helo_restrictions = reject_non_fqdn_helo_hostname,
	check_helo_access hash:$dir/helos
smtpd_sender_restrictions = reject_non_fqdn_sender,
	check_sender_access hash:$dir/senders
smtpd_recipient_restrictions = reject_unauth_destination,
	check_recipient_access hash:$dir/greylist
smtpd_soft_error_limit = 5
smtpd_hard_error_limit = 12
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
smtpd_banner = \$myhostname ESMTP
biff = no
EOF
pf_master
{
	for u in alice bob carol dave erin frank grace heidi ivan judy mallory \
	    niaj olivia peggy rupert sybil trent victor walter postmaster; do
		echo "$u@example.test OK"
	done
	for i in $(seq 0 99); do
		echo "grey$i@example.test OK"
	done
} >"$dir/recipients"
echo 'mx.example.test REJECT You are not me' >"$dir/helos"
echo 'x@spammer.example REJECT Access denied' >"$dir/senders"
: >"$dir/greylist"
touch -d '-1 min' "$dir/main.cf" "$dir/master.cf"
pf_netns
pf_postmap recipients helos senders greylist
pf_start

start=$(date +%s)
echo "bench/versus.sh: Postfix $(postconf -d -h mail_version) in network" \
    "namespace $ns; $SECS s of traffic (seed $SEED)" >&2
$NX "$PY" bench/versus.py gen "$dir" "$SEED" "$SMALL" "$SECS"
$NX postfix -c "$dir" stop >/dev/null 2>&1 || true
cut -f2- "$dir/record.tsv" >"$tmp/record.log"

# What fail2ban's filter matches, in each mode (its triggering lines).
f2b_matches() {
	local filter=/etc/fail2ban/filter.d/postfix.conf
	[ "$1" = more ] || filter="postfix[mode=$1]"
	(cd /etc/fail2ban/filter.d && fail2ban-regex --print-all-matched \
	    --print-no-missed --print-no-ignored "$tmp/record.log" "$filter") \
	    >"$tmp/regex-$1.txt" ||
	    die "fail2ban-regex failed: $(tail -n 5 "$tmp/regex-$1.txt")"
	# the matched lines follow "|- Matched line(s):", each after "|  "
	awk '/^\|- Matched line/ { on = 1; next }
	    on && /^\|  / { print substr($0, 4); next } { on = 0 }' \
	    "$tmp/regex-$1.txt" >"$tmp/matches-$1.txt"
}

jsons=""
for t in $TOOLS; do
	pre=0
	case $t in
	fivefifty)
		pre=$PRELOAD
		args=(--kind fivefifty --ff "$ff") ;;
	f2b-*-*)
		mode=${t#f2b-} mode=${mode%-*} backend=${t##*-}
		[ "$t" = "$F2B_PRELOAD" ] && pre=$PRELOAD
		[ -e "$tmp/matches-$mode.txt" ] || f2b_matches "$mode"
		args=(--kind fail2ban --mode "$mode" --backend "$backend"
		    --matches "$tmp/matches-$mode.txt") ;;
	*) die "unknown tool $t (fivefifty or f2b-MODE-BACKEND)" ;;
	esac
	$NX "$PY" bench/versus.py tool --name "$t" --dir "$tmp/$t" \
	    --record "$dir/record.tsv" --truth "$dir/truth.tsv" \
	    --preload "$pre" --restart-max "$RESTART_MAX" \
	    --out "$tmp/$t.json" "${args[@]}" ||
	    die "the $t run failed (its files: $tmp/$t, kept until exit)"
	jsons="$jsons $tmp/$t.json"
done

command="SEED=$SEED SECS=$SECS PRELOAD=$PRELOAD RESTART_MAX=$RESTART_MAX"
[ "$SMALL" = 1 ] && command="SMALL=1 $command"
command="$command make bench-versus"
counts=$(cut -f2 "$dir/truth.tsv" | sort | uniq -c |
    awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')
info=$("$PY" -c 'import json, sys; print(json.dumps(dict(zip(
    ["date", "machine", "postfix", "nft", "kernel", "traffic", "seed",
     "preload"], sys.argv[1:]))))' \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" \
    "$(postconf -d -h mail_version)" "$(nft --version)" "$(uname -r)" \
    "$(wc -l <"$dir/truth.tsv") clients ($counts), $(wc -l <"$dir/record.tsv") log lines over $SECS s" \
    "$SEED" "$PRELOAD")
# shellcheck disable=SC2086	# the list of files
"$PY" bench/versus.py table "$OUT/versus.md" "$command" "$info" $jsons
echo "bench/versus.sh: $(($(date +%s) - start)) s" >&2

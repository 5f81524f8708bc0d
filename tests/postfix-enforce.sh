#!/bin/bash
# postfix-enforce.sh - fivefifty's bans enforced on a real Postfix: by the
# access map (554 from check_client_access) and by the nftables set (the
# TCP connection to port 25 dropped), in a private network namespace.
#
# usage: tests/postfix-enforce.sh DIR FIVEFIFTY
#
# An offender (127.0.5.5) comes back five times, in separate sessions,
# with a mail Postfix rejected with a 5xx (a five-fifty); a legitimate
# client (127.0.6.6) delivers. `fivefifty scan` of the log, with the
# firewall off and a hash map that main.cf consults, bans the offender:
# its next session must get the map's 554 while the legitimate client is
# still accepted. A second scan with the firewall on (own table) puts the
# running ban into the kernel: the offender's TCP connection must fail
# while the legitimate client's still opens. Prints one "CHECK NAME
# ok|FAIL detail" line per check; exits 0 when the run itself worked.
# The system's Postfix, /etc/postfix and the host's ruleset are never
# touched; the namespace goes at the end.
set -euo pipefail

dir=$1
ff=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ns="ffenf$$"
bad=127.0.5.5
good=127.0.6.6

. "$(dirname "$0")/postfix-instance.sh"
pf_init postfix-enforce "$dir" "$ns"

pf_main_cf >"$dir/main.cf"
pf_site_cf >>"$dir/main.cf"
cat >>"$dir/main.cf" <<EOF
smtpd_client_restrictions = check_client_access hash:$dir/fivefifty_access
smtpd_sender_restrictions = check_sender_access hash:$dir/senders
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
smtpd_banner = \$myhostname ESMTP
biff = no
EOF
pf_master
printf 'alice@example.test OK\n' >"$dir/recipients"
printf 'x@spammer.example REJECT Access denied\n' >"$dir/senders"
: >"$dir/fivefifty_access"

pf_netns
pf_postmap recipients senders fivefifty_access
pf_start

# send FROM-ADDR SENDER - one SMTP session; swaks's transcript
send() {
	$NX swaks --server 127.0.0.1 --port 25 --local-interface "$1" \
	    --helo "mail.example.org" --from "$2" --to alice@example.test \
	    --body test --timeout 10 2>&1 || true
}

# check NAME CONDITION-COMMAND... - one result line
check() {
	local name=$1
	shift
	if "$@"; then echo "CHECK $name ok"; else echo "CHECK $name FAIL"; fi
}

# connects FROM-ADDR - does a TCP connection to port 25 open within 3 s
# (swaks exits 2 when it cannot connect)
connects() {
	local rc=0
	$NX swaks --server 127.0.0.1 --port 25 --local-interface "$1" \
	    --quit-after connect --timeout 3 >/dev/null 2>&1 || rc=$?
	[ "$rc" -ne 2 ]
}

send "$good" news@example.org >"$dir/good-before.txt"
for _ in 1 2 3 4 5; do
	send "$bad" x@spammer.example >>"$dir/bad-before.txt"
done
sleep 1		# postlogd writes asynchronously

cat >"$dir/off.conf" <<EOF
loopback = 127.0.0.1/32
firewall = off
access_map = hash:$dir/fivefifty_access
postfix_config_directory = $dir
EOF
$NX "$ff" scan -c "$dir/off.conf" --db "$dir/ff.db" "$dir/mail.log" \
    >"$dir/scan-off.txt" 2>&1 || { cat "$dir/scan-off.txt" >&2; exit 1; }
cat "$dir/scan-off.txt"
$NX postmap -c "$dir" -q "$bad" "hash:$dir/fivefifty_access" \
    >"$dir/query.txt" || true
echo "map entry: $(cat "$dir/query.txt")"

send "$bad" nice@example.org >"$dir/bad-after.txt"
send "$good" news@example.org >"$dir/good-after.txt"
check map-has-offender grep -q '^554 5.7.1 .*fivefifty' "$dir/query.txt"
check map-rejects-offender grep -Eq '<(\*\*|-) +554 5\.7\.1 .*fivefifty' \
    "$dir/bad-after.txt"
check map-accepts-legit grep -Eq '<- +250 2\.0\.0 Ok: queued' \
    "$dir/good-after.txt"
check legit-was-accepted grep -Eq '<- +250 2\.0\.0 Ok: queued' \
    "$dir/good-before.txt"

# The firewall on: the running ban goes into the kernel at the start of
# the next scan (reconcile from the state).
cat >"$dir/on.conf" <<EOF
loopback = 127.0.0.1/32
firewall = table
access_map = hash:$dir/fivefifty_access
postfix_config_directory = $dir
EOF
$NX "$ff" scan -c "$dir/on.conf" --db "$dir/ff.db" "$dir/mail.log" \
    >"$dir/scan-on.txt" 2>&1 || { cat "$dir/scan-on.txt" >&2; exit 1; }
cat "$dir/scan-on.txt"
$NX nft list set inet fivefifty offenders4 >"$dir/set.txt"
check set-has-offender grep -q "elements = { $bad " "$dir/set.txt"
check firewall-drops-offender eval '! connects "$bad"'
check firewall-lets-legit-in connects "$good"
send "$good" news@example.org >"$dir/good-fw.txt"
check firewall-legit-delivers grep -Eq '<- +250 2\.0\.0 Ok: queued' \
    "$dir/good-fw.txt"
$NX nft list counter inet fivefifty dropped >"$dir/counter.txt"
check firewall-counts-drops grep -Eq 'packets [1-9]' "$dir/counter.txt"
exit 0

#!/bin/bash
# postfix-ff.sh - the five-fifty rule's raw material from a real Postfix:
# sessions whose lines tests/test_fivefifty.c re-stamps into days.
#
# usage: tests/postfix-ff.sh DIR
#
# DIR gets the instance and DIR/mail.log (through postlogd) with, from
# clients of their own addresses:
#   127.10.0.1 (cron)      a server: one session with accepted mail, one
#                          from root@cronhost (reject_non_fqdn_sender:
#                          504 5.5.2 ... need fully-qualified address)
#   127.10.0.2 (retrier)   ten sessions one after the other, each the
#                          same mail to an unknown recipient (550 5.1.1)
#   127.10.0.3 (parallel)  four connections opened at once (all greeted
#                          before the first RCPT), each the same mail to
#                          an unknown recipient, as a Postfix client with
#                          several deliveries to one destination does
# The system's Postfix and /etc/postfix are never touched; the namespace,
# and with it the instance, is removed at the end.
set -euo pipefail

dir=$1
ns="ffrule$$"

. "$(dirname "$0")/postfix-instance.sh"
pf_init postfix-ff "$dir" "$ns"

pf_main_cf >"$dir/main.cf"
cat >>"$dir/main.cf" <<EOF
myhostname = mx.example.test
mydomain = example.test
myorigin = \$mydomain
mydestination = example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
local_recipient_maps = hash:$dir/recipients
local_transport = discard:
default_transport = discard:
smtpd_helo_required = yes
smtpd_sender_restrictions = reject_non_fqdn_sender
smtpd_recipient_restrictions = reject_unauth_destination
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
smtpd_banner = \$myhostname ESMTP
biff = no
EOF
pf_master
printf 'alice@example.test OK\nbob@example.test OK\n' >"$dir/recipients"
pf_netns
pf_postmap recipients
pf_start

# send FROM-ADDR HELO SENDER RCPT - one SMTP session (swaks)
send() {
	$NX swaks --server 127.0.0.1 --port 25 --local-interface "$1" \
	    --helo "$2" --from "$3" --to "$4" --body "test" --timeout 10 \
	    --silent 2 >/dev/null 2>&1 || true
}

send 127.10.0.1 cronhost.example.net info@example.net alice@example.test
send 127.10.0.1 cronhost.example.net root@cronhost bob@example.test
for _ in $(seq 10); do
	send 127.10.0.2 mail.retrier.example x@retrier.example nosuch@example.test
done
# Four connections, all greeted before any RCPT is sent: so they are
# parallel whatever the timing.
$NX python3 - <<'EOF'
import socket
def cmd(f, s, line):
    s.sendall(line.encode() + b"\r\n")
    while True:
        r = f.readline()
        if not r or r[3:4] != b"-":
            return r
conns = []
for i in range(4):
    s = socket.socket()
    s.bind(("127.10.0.3", 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", 25))
    f = s.makefile("rb")
    f.readline()
    conns.append((s, f))
for s, f in conns:
    cmd(f, s, "EHLO mail.parallel.example")
for s, f in conns:
    cmd(f, s, "MAIL FROM:<x@parallel.example>")
    cmd(f, s, "RCPT TO:<nosuch@example.test>")
for s, f in conns:
    cmd(f, s, "QUIT")
    s.close()
EOF

sleep 1		# postlogd writes the last lines
$NX postfix -c "$dir" stop >/dev/null 2>&1 || true
sleep 1
[ -s "$dir/mail.log" ] || { echo "postfix-ff: no log written" >&2; exit 1; }
echo "postfix-ff: $(wc -l <"$dir/mail.log") log lines"

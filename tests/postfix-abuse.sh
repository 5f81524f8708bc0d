#!/bin/bash
# postfix-abuse.sh - the log shapes of the slow-abuse rules, written by a
# real Postfix in a private network namespace.
#
# usage: tests/postfix-abuse.sh DIR
#
# DIR gets the instance and DIR/mail.log (through postlogd). The clients
# (addresses in 127.0.0.0/8, never 127.0.0.1) are:
#   127.77.0.1  talks before postscreen's greeting, three times (PREGREET)
#   127.77.0.2  sends AUTH to an smtpd that does not offer it and hangs up at the 503 ("lost connection after AUTH",
#               auth=0/1)
#   127.77.0.3  fails AUTH (Cyrus SASL, no user database) on an smtpd that
#               offers it: twice with QUIT, twice hanging up after the
#               failure (a SASL line and auth=0/1 for the same failure)
#   127.77.0.4  four sessions of four recipients refused (sender "Access
#               denied"; a new sender each session): 16 permanent rejects
#   127.77.0.5  mail accepted, then the same refused mail as 127.77.0.4
# Ports: 25 postscreen then smtpd; 2525 smtpd without AUTH; 587 smtpd with
# AUTH. Timing varies (the test re-times the lines it needs days apart);
# the shapes do not. The system's Postfix and /etc/postfix are never
# touched.
set -euo pipefail

ns="ffabuse$$"
. "$(dirname "$0")/postfix-instance.sh"
pf_init postfix-abuse "$1" "$ns"

pf_main_cf >"$dir/main.cf"
pf_site_cf >>"$dir/main.cf"
cat >>"$dir/main.cf" <<EOF
smtpd_sender_restrictions = check_sender_access hash:$dir/senders
smtpd_recipient_restrictions = reject_unauth_destination
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
postscreen_greet_action = enforce
postscreen_greet_wait = 1s
postscreen_access_list = permit_mynetworks
postscreen_dnsbl_sites =
cyrus_sasl_config_path = $dir/sasl
smtpd_sasl_path = smtpd
smtpd_sasl_type = cyrus
smtpd_tls_auth_only = no
biff = no
EOF
pf_master
# Port 25: postscreen, then smtpd; 2525 without AUTH; 587 with it.
sed -i -e 's/^smtp      inet.*smtpd$/smtp      inet  n       -       y       -       1       postscreen/' \
    -e 's/^#smtpd     pass/smtpd     pass/' -e 's/^#dnsblog/dnsblog/' \
    -e 's/^#tlsproxy/tlsproxy/' "$dir/master.cf"
cat >>"$dir/master.cf" <<EOF
127.0.0.1:2525 inet n  -       y       -       -       smtpd
127.0.0.1:587 inet n   -       y       -       -       smtpd
  -o smtpd_sasl_auth_enable=yes
EOF
mkdir -p "$dir/sasl"
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s\nmech_list: PLAIN LOGIN\n' \
    "$dir/sasl/none.db" >"$dir/sasl/smtpd.conf"
printf 'alice@example.test OK\nbob@example.test OK\n' >"$dir/recipients"
printf 'spammer.example REJECT Access denied\n' >"$dir/senders"
pf_netns
pf_postmap recipients senders
pf_start

# smtp SRC PORT STEPS... - a raw SMTP client from SRC: each step is a
# command to send (after reading the server's reply), "PRE:text" to send
# text before the greeting, or "HANGUP" to close without QUIT
smtp() {
	$NX python3 - "$@" <<'PY'
import socket, sys, time
src, port, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
s = socket.socket()
s.settimeout(10)
s.bind((src, 0))
s.connect(("127.0.0.1", port))
def reply():
	data = b""
	while True:
		chunk = s.recv(4096)
		if not chunk:
			return data
		data += chunk
		lines = data.split(b"\r\n")
		if len(lines) >= 2 and len(lines[-2]) >= 4 and lines[-2][3:4] == b" ":
			return data
try:
	if steps and steps[0].startswith("PRE:"):
		s.sendall(steps.pop(0)[4:].encode() + b"\r\n")
		time.sleep(1.5)	# past postscreen_greet_wait
	reply()
	for st in steps:
		if st == "HANGUP":
			break
		s.sendall(st.encode() + b"\r\n")
		reply()
except OSError:
	pass
s.close()
PY
}

for _ in 1 2 3; do
	smtp 127.77.0.1 25 "PRE:EHLO bot.example" "QUIT" || true
done
for _ in $(seq 12); do
	smtp 127.77.0.2 2525 "EHLO guess.example" "AUTH LOGIN" HANGUP || true
done
for i in 1 2 3 4; do
	last=QUIT
	[ "$i" -gt 2 ] && last=HANGUP
	# "AUTH PLAIN" with "\0user\0password", base64
	smtp 127.77.0.3 587 "EHLO guess.example" \
	    "AUTH PLAIN AGFkbWluAHNlY3JldA==" "$last" || true
done
burst() {
	smtp "$1" 2525 "EHLO mail.spammer.example" "MAIL FROM:<x$2@spammer.example>" \
	    "RCPT TO:<alice@example.test>" "RCPT TO:<bob@example.test>" \
	    "RCPT TO:<nosuch1@example.test>" "RCPT TO:<nosuch2@example.test>" \
	    QUIT || true
}
for i in 1 2 3 4; do
	burst 127.77.0.4 "$i"
done
smtp 127.77.0.5 2525 "EHLO mail.friend.example" "MAIL FROM:<a@friend.example>" \
    "RCPT TO:<alice@example.test>" DATA "Subject: hi

hello
." QUIT || true
for i in 1 2 3 4; do
	burst 127.77.0.5 "$i"
done

# Let postlogd write the last lines.
sleep 1
$NX postfix -c "$dir" stop >/dev/null 2>&1 || true
sleep 1
[ -s "$dir/mail.log" ] || { echo "postfix-abuse: no log written" >&2; exit 1; }
echo "postfix-abuse: $(wc -l <"$dir/mail.log") log lines"

#!/bin/bash
# postfix-reject-stages.sh - a real Postfix made to reject at every stage
# it can (CONNECT, HELO/EHLO, MAIL, RCPT, DATA, END-OF-MESSAGE, VRFY, ETRN,
# postscreen), by clients that put hostile words in their recipients,
# senders, HELO names and command arguments; writes its log and the truth.
#
# usage: tests/postfix-reject-stages.sh DIR
#
# DIR gets the instance (config, queue, DIR/mail.log through postlogd) and
# DIR/truth.tsv: "ADDRESS TAB STAGE TAB CLASS TAB WHAT", one line per
# client (one client, one case). CLASS is what Postfix's own words say:
# the restriction the case is built to trip, chosen here, never read from
# fivefifty. Every case comes from its own 127.x address, so a reject line
# is tied to its case by the client address Postfix logs.
#
# Port 25 keeps Postfix's default smtpd_delay_reject=yes (client, HELO and
# sender restrictions answer at RCPT); port 2525 is the same smtpd with
# smtpd_delay_reject=no (they answer at CONNECT, EHLO, MAIL); port 2526 is
# postscreen with a deny list. A DNSBL needs DNS, which the namespace has
# not: the DNSBL cases are a check_client_access map whose text is
# Postfix's default DNSBL reply ("Service unavailable; Client host [A]
# blocked using ZONE"), which is what a DNSBL hit writes.
# The system's Postfix and /etc/postfix are never touched; the namespace,
# and with it the instance, is removed at the end.
set -euo pipefail

dir=$1
ns="ffstage$$"

. "$(dirname "$0")/postfix-instance.sh"
pf_init postfix-reject-stages "$dir" "$ns"
command -v python3 >/dev/null ||
    { echo "postfix-reject-stages: python3 is missing" >&2; exit 1; }

pf_main_cf >"$dir/main.cf"
cat >>"$dir/main.cf" <<EOF
myhostname = mx.example.test
mydomain = example.test
myorigin = \$mydomain
mydestination = example.test, later.example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
local_recipient_maps = hash:$dir/recipients
local_transport = discard:
default_transport = discard:
disable_vrfy_command = no
smtpd_helo_required = yes
smtpd_client_restrictions = check_client_access cidr:$dir/clients
smtpd_helo_restrictions = reject_invalid_helo_hostname,
	reject_non_fqdn_helo_hostname
smtpd_sender_restrictions = reject_non_fqdn_sender,
	check_sender_access hash:$dir/senders
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access hash:$dir/rcpts
smtpd_data_restrictions = reject_multi_recipient_bounce
smtpd_end_of_data_restrictions = check_sender_access hash:$dir/eod
smtpd_etrn_restrictions = reject
smtpd_soft_error_limit = 50
smtpd_hard_error_limit = 100
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
postscreen_access_list = cidr:$dir/ps_access
postscreen_denylist_action = enforce
postscreen_greet_action = ignore
postscreen_greet_wait = 1s
smtpd_banner = \$myhostname ESMTP
biff = no
EOF
pf_master
cat >>"$dir/master.cf" <<EOF
2525      inet  n       -       y       -       -       smtpd
  -o smtpd_delay_reject=no
  -o smtpd_relay_restrictions=permit_mynetworks,defer_unauth_destination
2526      inet  n       -       y       -       1       postscreen
smtpd     pass  -       -       y       -       -       smtpd
EOF

: >"$dir/recipients"
for u in alice bob carol postmaster; do
	printf '%s@example.test OK\n' "$u" >>"$dir/recipients"
done
# 127.0.3.0/24 is refused as a client, 127.0.4.0/24 as a DNSBL would.
{
	printf '127.0.3.0/24 REJECT\n'
	for i in $(seq 1 60); do
		printf '127.0.4.%d 554 5.7.1 Service unavailable; Client host [127.0.4.%d] blocked using zen.example\n' "$i" "$i"
	done
} >"$dir/clients"
printf 'spam.example REJECT\n' >"$dir/senders"
printf 'later.example.test DEFER Greylisted, try again later\n' >"$dir/rcpts"
printf 'eod.example REJECT Message content rejected\n' >"$dir/eod"
printf '127.0.9.0/24 reject\n' >"$dir/ps_access"
pf_netns
pf_postmap recipients senders rcpts eod
pf_start
# postscreen's port too.
for _ in $(seq 50); do
	$NX bash -c 'exec 3<>/dev/tcp/127.0.0.1/2526' 2>/dev/null && break
	sleep 0.1
done

$NX python3 - "$dir/truth.tsv" <<'EOF'
# One SMTP session per case, from its own source address; the commands
# are sent one at a time and every reply is read, whatever it says.
import socket, sys

HOSTILE = [
    "x blocked using y",
    "Relay access denied",
    "Helo command rejected",
    "User unknown",
    "Sender address rejected",
    "Client host rejected",
    "Service currently unavailable",
    "Temporary lookup failure",
    "Improper use of SMTP command pipelining",
    "a>: Relay access denied",
    "b>: Service unavailable; client [1.2.3.4] blocked using zen",
    "c; from=<d@e.example> to=<f@g.example> proto=SMTP helo=<h>",
    "i>: Service currently unavailable; from=<j> to=<k> proto=SMTP helo=<l",
    "m blocked using zen; from=<n> to=<o> proto=SMTP helo=<p",
    "q blocked using zen; from=<r>, to=<s>, proto=SMTP, helo=<t",
]
# HELO names: several words, so reject_invalid_helo_hostname refuses them.
HELOS = [h for h in HOSTILE]
truth = open(sys.argv[1], "w")
nxt = {"net": 1, "host": 1}

def addr(net=None):
    """a fresh 127.x.y.z (net: 127.0.NET.z for the access maps)"""
    if net is not None:
        nxt.setdefault(net, 1)
        a = "127.0.%d.%d" % (net, nxt[net])
        nxt[net] += 1
        return a
    n = nxt["host"]
    nxt["host"] += 1
    return "127.1.%d.%d" % (n // 250, n % 250 + 1)

def q(local, domain):
    """an address with a quoted local part"""
    return '"%s"@%s' % (local.replace("\\", "\\\\").replace('"', '\\"'),
                        domain)

class Session:
    def __init__(self, src, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10,
                                          source_address=(src, 0))
        self.f = self.s.makefile("rb")
        self.reply()

    def reply(self):
        code = None
        while True:
            line = self.f.readline()
            if not line:
                return None
            code = line[:3]
            if line[3:4] != b"-":
                return code

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.cmd("QUIT")
        except OSError:
            pass
        self.s.close()

def case(stage, cls, what, port=25, net=None, helo="mail.sender.example",
         sender="news@sender.example", rcpts=("alice@example.test",),
         data=False, extra=()):
    src = addr(net)
    truth.write("%s\t%s\t%s\t%s\n" % (src, stage, cls, what))
    try:
        s = Session(src, port)
        s.cmd("EHLO " + helo)
        for e in extra:
            s.cmd(e)
        if sender is not None:
            s.cmd("MAIL FROM:<%s>" % sender)
            ok = 0
            for r in rcpts:
                ok += s.cmd("RCPT TO:<%s>" % r) == b"250"
            if data and ok > 0 and s.cmd("DATA") == b"354":
                s.s.sendall(b"Subject: test\r\n\r\ntest\r\n.\r\n")
                s.reply()
        s.close()
    except OSError:
        pass

for w in HOSTILE:
    # RCPT (smtpd_delay_reject=yes): recipient, relay, sender, HELO, client.
    case("RCPT", "unknown_recipient", "unknown local part",
         rcpts=(q(w, "example.test"),))
    case("RCPT", "relay_denied", "relay, hostile local part",
         rcpts=(q(w, "elsewhere.example"),))
    case("RCPT", "sender", "sender access map, hostile sender",
         sender=q(w, "spam.example"),
         rcpts=(q(w, "example.test"), "bob@example.test"))
    case("RCPT", "sender", "sender not fully qualified",
         sender=q(w, "localhost"), rcpts=(q(w, "example.test"),))
    case("RCPT", "helo", "invalid HELO, hostile words",
         helo=w, sender=q(w, "sender.example"),
         rcpts=(q(w, "example.test"), q(w, "elsewhere.example")))
    case("RCPT", "client_host", "client access map",
         net=3, helo=w, sender=q(w, "sender.example"),
         rcpts=(q(w, "example.test"),))
    case("RCPT", "dnsbl", "DNSBL reply, hostile envelope",
         net=4, helo=w, sender=q(w, "sender.example"),
         rcpts=(q(w, "example.test"),))
    case("RCPT", "policy", "greylisted recipient domain",
         sender=q(w, "sender.example"), rcpts=(q(w, "later.example.test"),))
    # smtpd_delay_reject=no: each restriction at its own stage.
    case("CONNECT", "client_host", "client access map at connect",
         port=2525, net=3, helo=w, sender=q(w, "sender.example"),
         rcpts=(q(w, "example.test"),))
    case("CONNECT", "dnsbl", "DNSBL reply at connect",
         port=2525, net=4, helo=w, sender=q(w, "sender.example"),
         rcpts=(q(w, "example.test"),))
    case("EHLO", "helo", "invalid HELO at EHLO",
         port=2525, helo=w, sender=None)
    case("RCPT", "relay_denied", "relay deferred (454), hostile local part",
         port=2525, rcpts=(q(w, "elsewhere.example"),))
    case("MAIL", "sender", "sender access map at MAIL",
         port=2525, sender=q(w, "spam.example"))
    # Other stages.
    case("DATA", "other", "multi-recipient bounce",
         sender="", rcpts=("alice@example.test", "bob@example.test"),
         helo="mail.x-blocked-using-y.example", data=True)
    case("END-OF-MESSAGE", "sender", "end-of-data sender access",
         sender=q(w, "eod.example"), data=True)
    case("VRFY", "unknown_recipient", "VRFY of an unknown local part",
         sender=None, extra=("VRFY " + q(w, "example.test"),
                             "VRFY <%s>" % q(w, "example.test")))
    case("ETRN", "other", "ETRN refused",
         sender=None, extra=("ETRN example.test",))
    # postscreen: deny-listed, then the smtpd-like reject at RCPT.
    case("RCPT", "policy", "postscreen deny list",
         port=2526, net=9, helo=w, sender=q(w, "sender.example"),
         rcpts=(q(w, "example.test"),))
truth.close()
EOF

# Let postlogd write the last lines.
sleep 1
$NX postfix -c "$dir" stop >/dev/null 2>&1 || true
sleep 1
[ -s "$dir/mail.log" ] ||
    { echo "postfix-reject-stages: no log written" >&2; exit 1; }
echo "postfix-reject-stages: $(wc -l <"$dir/truth.tsv") cases," \
    "$(grep -c ': reject: ' "$dir/mail.log") reject lines"

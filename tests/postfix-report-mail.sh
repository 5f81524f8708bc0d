#!/bin/bash
# postfix-report-mail.sh - the summary mail delivered by a real Postfix and
# read back: MIME structure, headers and escaping of hostile log text.
#
# usage: tests/postfix-report-mail.sh DIR FIVEFIFTY
#
# DIR (made if missing, removed at the end with everything in it; kept
# when FIVEFIFTY_KEEP is set) gets a Postfix instance in a private network
# namespace whose virtual(8) agent delivers mail for example.test into the
# Maildir DIR/mail/example.test/postmaster/ (as nobody). A log fixture
# DIR/fixture.log holds rejects whose HELO names and senders a client
# chose: "<script>x</script>", "<img src=x onerror=alert(1)>", one with
# a CR, bytes 0x80-0xff, an invalid UTF-8 sequence and an ESC, a sender
# "evil@x>\rBcc: victim@example.org", an encoded-word sender, a recipient
# with a right-to-left override (U+202E), and a line split by a LF in the
# middle of its sender and recipient.
# `FIVEFIFTY -c DIR/ff.conf report summary --log DIR/fixture.log --from
# ... --until ... --mail-to postmaster@example.test --host mx.test` runs
# with MAIL_CONFIG=DIR and sendmail_path the instance's sendmail; the
# delivered message (polled for, 20 s at most) is parsed with python3's
# email package (policy default) and checked: multipart/alternative with
# exactly a text/plain and a text/html part, both UTF-8 that decodes
# strictly; Date, From, To, Subject (host and period), Message-ID,
# Auto-Submitted, MIME-Version and Content-Type once each, and no other
# header but those Postfix adds on delivery; no header holding text of the
# log (no Bcc, no victim@example.org); no CR, ESC or C1 control in either
# part; the HELO, the sender and the recipient escaped in the text part,
# "&lt;script&gt;" and no "<script" or "<img" (only the report's own tags
# and attributes) in the HTML part. Then failed submissions:
# sendmail_path = /bin/false, a path that does not exist, and a sendmail
# whose MAIL_CONFIG names no Postfix: each must exit 69 with the reason on
# stderr.
#
# Prints one "CHECK NAME ok|FAIL detail" line per check; exits 0 when the
# run itself could be made (the checks say whether fivefifty did right),
# 1 otherwise. Needs root (postdrop and virtual(8) work as root here). The
# system's Postfix and /etc/postfix are never touched (master.cf is only
# read); the instance, the namespace and DIR go at exit.
set -euo pipefail

dir=$1
ff=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ns="ffrmail$$"
domain=example.test
rcpt=postmaster@$domain
host=mx.test
from='2026-03-14 00:00'
until='2026-03-15 00:00'
export TZ=UTC		# --from/--until and the report's times are local

# The Debian python3 (its email package is in libpython3-stdlib; a
# python3-minimal alone lacks it), else the first on PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) ||
    { echo "postfix-report-mail: python3 is missing" >&2; exit 1; }
"$py" -c 'import email.policy, html.parser' ||
    { echo "postfix-report-mail: $py has no email package" >&2; exit 1; }

. "$(dirname "$0")/postfix-instance.sh"
pf_init postfix-report-mail "$dir" "$ns"

# rm_cleanup - the instance and namespace, then DIR
rm_cleanup() {
	pf_cleanup
	if [ -n "${FIVEFIFTY_KEEP:-}" ]; then
		echo "postfix-report-mail: kept $dir" >&2
	else
		rm -rf "${dir:?}"
	fi
}
trap rm_cleanup EXIT

# check NAME CONDITION-COMMAND... - one result line
check() {
	local name=$1
	shift
	if "$@"; then echo "CHECK $name ok"; else echo "CHECK $name FAIL"; fi
}

# virtual(8) runs as nobody: DIR must be searchable, the base writable.
chmod 755 "$dir"
mkdir -p "$dir/mail"
chown nobody:nogroup "$dir/mail"
pf_main_cf >"$dir/main.cf"
cat >>"$dir/main.cf" <<EOF
myhostname = mx.$domain
mydomain = $domain
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
append_dot_mydomain = no
virtual_mailbox_domains = $domain
virtual_mailbox_base = $dir/mail
virtual_mailbox_maps = hash:$dir/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
virtual_minimum_uid = 1
default_transport = discard:
relay_transport = discard:
biff = no
EOF
pf_master
printf '%s %s/postmaster/\n' "$rcpt" "$domain" >"$dir/vmailbox"

# The fixture: RFC 3339 stamps, so no year is guessed.
# rej SECOND ADDR TEXT FROM TO HELO - a RCPT reject; the escapes of
# printf's %b (\r, \n, \xHH) in TEXT, FROM, TO and HELO become bytes
rej() {
	printf '2026-03-14T06:00:%s+00:00 mx postfix/smtpd[4242]: NOQUEUE: ' \
	    "$1"
	printf 'reject: RCPT from unknown[%s]: %b; from=<%b> to=<%b> ' \
	    "$2" "$3" "$4" "$5"
	printf 'proto=ESMTP helo=<%b>\n' "$6"
}
relay='554 5.7.1 <a@b.example>: Relay access denied'
# unknown RCPT - the text of an unknown recipient's reject
unknown() {
	printf '550 5.1.1 <%s>: Recipient address rejected: User unknown' "$1"
}
{
	printf '2026-03-14T06:00:01+00:00 mx postfix/smtpd[4242]: connect '
	printf 'from unknown[192.0.2.10]\n'
	rej 02 192.0.2.10 "$relay" x@y.example a@b.example \
	    '<script>x</script>'
	rej 03 192.0.2.11 "$relay" 'evil@x>\rBcc: victim@example.org' \
	    a@b.example 'cr\rhelo\x80\x9f\xc3\xa9\xff\x1b[31m'
	# a LF inside: the rest is a line of its own, which nothing reads
	rej 04 192.0.2.12 \
	    "$(unknown 'victim@example.org\r\nBcc: x@y')" \
	    'evil@x>\r\nBcc: victim@example.org' \
	    'victim@example.org\r\nBcc: x@y' h
	rej 05 192.0.2.13 "$(unknown '\xe2\x80\xae@example.test')" \
	    '=?utf-8?q?x?=@y' '\xe2\x80\xae@example.test' \
	    '<img src=x onerror=alert(1)>'
} >"$dir/fixture.log"

pf_netns
pf_postmap vmailbox
pf_start

cat >"$dir/ff.conf" <<EOF
sendmail_path = $(postconf -c "$dir" -h sendmail_path)
EOF

# summary CONF [MAIL_CONFIG] - report summary with --mail-to; stdout and
# stderr into DIR/out.txt and DIR/err.txt, the exit status into $rc
summary() {
	rc=0
	$NX env MAIL_CONFIG="${2:-$dir}" "$ff" -c "$1" report summary \
	    --log "$dir/fixture.log" --from "$from" --until "$until" \
	    --mail-to "$rcpt" --host "$host" >"$dir/out.txt" \
	    2>"$dir/err.txt" || rc=$?
}

t0=$(date +%s)
summary "$dir/ff.conf"
check submit-exits-0 [ "$rc" -eq 0 ]
check submit-quiet eval '[ ! -s "$dir/out.txt" ] && [ ! -s "$dir/err.txt" ]'
[ -s "$dir/err.txt" ] && sed 's/^/  stderr: /' "$dir/err.txt"

box=$dir/mail/$domain/postmaster/new
msg=
for _ in $(seq 200); do
	for f in "$box"/*; do
		[ -f "$f" ] && { msg=$f; break; }
	done
	[ -n "$msg" ] && break
	sleep 0.1
done
if [ -z "$msg" ]; then
	echo "CHECK delivered FAIL nothing in $box after 20 s; mail.log:"
	tail -n 20 "$dir/mail.log" 2>/dev/null | sed 's/^/  /'
else
	echo "CHECK delivered ok"
	echo "delivered in $(($(date +%s) - t0)) s: $msg"
	# The message as Postfix delivered it, and as it parses.
	"$py" - "$msg" "$host" "$from" "$until" "$rcpt" <<'EOF'
import datetime, email, email.policy, email.utils, html.parser, re, sys

path, host, pfrom, puntil, rcpt = sys.argv[1:6]
raw = open(path, 'rb').read()

def check(name, ok, detail=''):
    print('CHECK %s %s%s' % (name, 'ok' if ok else 'FAIL',
        '' if ok or not detail else ' ' + ascii(detail)[:300]))

head, sep, _ = raw.partition(b'\n\n')
check('raw-header-ascii', all(b == 9 or 32 <= b < 127 or b == 10
    for b in head), [b for b in head if not (32 <= b < 127 or b in (9, 10))])
check('raw-no-cr', b'\r' not in raw, raw.count(b'\r'))
m = email.message_from_bytes(raw, policy=email.policy.default)

names = [k.lower() for k in m.keys()]
ours = ['date', 'from', 'to', 'subject', 'message-id', 'auto-submitted',
    'mime-version', 'content-type']
postfix = ['return-path', 'x-original-to', 'delivered-to', 'received']
check('headers-once', all(names.count(n) == 1 for n in ours),
    [n for n in ours if names.count(n) != 1])
check('headers-no-other', all(n in ours + postfix for n in names),
    [n for n in names if n not in ours + postfix])
check('no-bcc', 'bcc' not in names and
    not re.search(rb'(?im)^bcc:', raw), names)
# 'bcc:', not 'bcc': Postfix's queue ids in Received: and Message-ID's
# random part are hex, and held "bcc" by chance (1 loaded run in 20).
logtext = ['victim', 'evil', 'script', 'bcc:', '192.0.2.', 'x0d', 'helo',
    'onerror', 'b.example', 'y.example', '=?']
hv = '\n'.join('%s: %s' % (k, v) for k, v in m.items()).lower()
check('headers-no-log-text', not any(s in hv for s in logtext),
    [s for s in logtext if s in hv])
check('headers-no-defects', not m.defects and all(not v.defects
    for v in m.values()), [(k, v.defects) for k, v in m.items() if v.defects]
    + list(m.defects))

try:
    d = email.utils.parsedate_to_datetime(m['Date'])
    age = abs((datetime.datetime.now(datetime.timezone.utc) - d)
        .total_seconds())
    check('date', d.tzinfo is not None and age < 600, (m['Date'], age))
except (TypeError, ValueError) as e:
    check('date', False, (m['Date'], str(e)))
mid = str(m['Message-ID'] or '')
check('message-id', re.fullmatch(r"<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@"
    r"[A-Za-z0-9.-]+>", mid) is not None and '..' not in mid, mid)
check('message-id-host', mid.endswith('@' + host + '>'), mid)
subj = str(m['Subject'] or '')
check('subject', subj == 'fivefifty summary for %s, %s to %s' %
    (host, pfrom, puntil), subj)
check('auto-submitted', str(m['Auto-Submitted']) == 'auto-generated',
    m['Auto-Submitted'])
to = m['To'].addresses if m['To'] is not None else ()
check('to', len(to) == 1 and to[0].addr_spec == rcpt, m['To'])
fr = m['From'].addresses if m['From'] is not None else ()
check('from', len(fr) == 1 and '@' in fr[0].addr_spec and
    not m['From'].defects, m['From'])
check('mime-version', str(m['MIME-Version']) == '1.0', m['MIME-Version'])

check('multipart-alternative', m.get_content_type() ==
    'multipart/alternative' and m.is_multipart(), m.get_content_type())
parts = list(m.iter_parts()) if m.is_multipart() else []
check('two-parts', [p.get_content_type() for p in parts] ==
    ['text/plain', 'text/html'], [p.get_content_type() for p in parts])
check('parts-utf8', len(parts) == 2 and all(p.get_content_charset() ==
    'utf-8' and not p.is_multipart() for p in parts),
    [p.get_content_charset() for p in parts])
check('parts-no-defects', all(not p.defects for p in parts),
    [p.defects for p in parts])
dec = []
for p in parts:
    try:
        dec.append(p.get_payload(decode=True).decode('utf-8'))
    except (AttributeError, UnicodeDecodeError):
        dec.append(None)
check('parts-decode', len(dec) == 2 and None not in dec,
    'strict UTF-8' if None in dec else len(dec))
text, htm = (dec + ['', ''])[:2]
text = text or ''
htm = htm or ''

def clean(s):
    """no CR, ESC, other C0 but tab and LF, DEL, C1, U+FFFD, bidi"""
    return [hex(ord(c)) for c in s if (ord(c) < 32 and c not in '\t\n')
        or 0x7f <= ord(c) < 0xa0 or c in '\ufffd\u202e']

check('text-clean', not clean(text), clean(text)[:10])
check('text-head', ('fivefifty summary for ' + host) in text and pfrom in
    text and puntil in text, text[:200])
check('text-helo-escaped',
    r'cr\x0dhelo\x80\x9f\xc3\xa9\xff\x1b[31m' in text, None)
check('text-sender-escaped', r'evil@x>\x0dBcc: victim@example.org' in text,
    None)
check('text-script-as-text', '<script>x</script>' in text, None)
check('text-bidi-escaped', r'\xe2\x80\xae@example.test' in text, None)
check('html-clean', not clean(htm), clean(htm)[:10])
check('html-script-escaped', '&lt;script&gt;x&lt;/script&gt;' in htm, None)
check('html-no-script', re.search(r'<\s*script', htm, re.I) is None,
    re.findall(r'.{0,40}<\s*script.{0,40}', htm, re.I))
check('html-no-img', re.search(r'<\s*img', htm, re.I) is None and
    '&lt;img src=x onerror=alert(1)&gt;' in htm, None)
check('html-helo-escaped',
    r'cr\x0dhelo\x80\x9f\xc3\xa9\xff\x1b[31m' in htm, None)
check('html-sender-escaped',
    r'evil@x&gt;\x0dBcc: victim@example.org' in htm, None)
check('html-bidi-escaped', r'\xe2\x80\xae@example.test' in htm, None)

class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = set(), set()
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs.update(a for a, _ in attrs)
t = Tags()
t.feed(htm)
t.close()
alltags = {'html', 'head', 'meta', 'title', 'body', 'h2', 'h3', 'p',
    'table', 'tr', 'th', 'td', 'span'}
check('html-only-own-tags', t.tags <= alltags and t.attrs <= {'style',
    'charset'}, (sorted(t.tags - alltags), sorted(t.attrs)))
check('html-head', ('fivefifty summary for ' + host) in htm, None)
EOF
fi

# Failed submissions: 69 and the reason.
printf 'sendmail_path = /bin/false\n' >"$dir/false.conf"
summary "$dir/false.conf"
check fail-false-69 [ "$rc" -eq 69 ]
check fail-false-reason grep -q \
    'not sent: /bin/false -t -oi exited with status 1' "$dir/err.txt"
sed 's/^/  stderr: /' "$dir/err.txt"
printf 'sendmail_path = %s/no/such/sendmail\n' "$dir" >"$dir/missing.conf"
summary "$dir/missing.conf"
check fail-missing-69 [ "$rc" -eq 69 ]
check fail-missing-reason grep -q \
    "not sent: cannot run $dir/no/such/sendmail" "$dir/err.txt"
sed 's/^/  stderr: /' "$dir/err.txt"
# Postfix's sendmail itself refuses: MAIL_CONFIG names no configuration.
summary "$dir/ff.conf" "$dir/no-such-config"
check fail-postfix-69 [ "$rc" -eq 69 ]
check fail-postfix-reason grep -q \
    'not sent: .*sendmail -t -oi exited with status [1-9]' "$dir/err.txt"
sed 's/^/  stderr: /' "$dir/err.txt"
echo "run took $(($(date +%s) - t0)) s after Postfix started"
exit 0

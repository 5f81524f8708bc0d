#!/bin/bash
# postfix-lab.sh - a real Postfix in a private network namespace, talked to
# by scripted SMTP clients (swaks) of known kinds; writes its log and the
# truth about every client.
#
# usage: tests/postfix-lab.sh DIR SEED
#
# DIR gets the instance (config, queue, DIR/mail.log through postlogd) and
# DIR/truth.tsv: "ADDRESS TAB KIND TAB ban|keep|either". SEED varies the
# mix: how many clients of each kind, how often they retry, which
# recipients they use. The system's Postfix and /etc/postfix are never
# touched; the namespace, and with it the instance, is removed at the end.
#
# Kinds: legit (accepted mail, now and then a mistyped recipient), legit4xx
# (meets a temporary 450 and retries until accepted), listserver (every post
# to many subscribers, the same two dead ones each time), fivefifty (comes
# back again and again with a 5xx-rejected mail), dictionary (random local
# parts until Postfix hangs up), oneoff (one rejected attempt), whitelisted
# (an offender in the test's whitelist 127.253.0.0/16), fivefifty6 (an IPv6
# five-fifty), rotator6 (a five-fifty that takes a new address in its /64 for
# every try).
set -euo pipefail

dir=$1
seed=${2:-1}
ns="fflab$$"
RANDOM=$seed

. "$(dirname "$0")/postfix-instance.sh"
pf_init postfix-lab "$dir" "$ns"

pf_main_cf >"$dir/main.cf"
cat >>"$dir/main.cf" <<EOF
myhostname = mx.example.test
mydomain = example.test
myorigin = \$mydomain
mydestination = example.test
inet_interfaces = 127.0.0.1, [2001:db8:25::25]
inet_protocols = all
mynetworks = 127.0.0.1/32, [::1]/128
local_recipient_maps = hash:$dir/recipients
local_transport = discard:
default_transport = discard:
smtpd_helo_required = yes
smtpd_helo_restrictions = check_helo_access hash:$dir/helos
smtpd_sender_restrictions = check_sender_access hash:$dir/senders
smtpd_recipient_restrictions = reject_unauth_destination,
	check_recipient_access hash:$dir/greylist
smtpd_soft_error_limit = 5
smtpd_hard_error_limit = 12
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
anvil_rate_time_unit = 60s
smtpd_banner = \$myhostname ESMTP
biff = no
EOF
pf_master

: >"$dir/recipients"
for u in alice bob carol dave erin frank grace heidi ivan judy \
    mallory niaj olivia peggy rupert sybil trent victor walter postmaster; do
	printf '%s@example.test OK\n' "$u" >>"$dir/recipients"
done
printf 'friend REJECT Service unavailable\n' >"$dir/helos"
printf 'x@spammer.example REJECT Access denied\n' >"$dir/senders"
# Mail to "later" is greylisted: 450 until the third try (see below).
printf 'later@example.test DEFER_IF_PERMIT Greylisted, try again\n' \
    >"$dir/greylist"
pf_netns
# IPv6: the server's address, and clients' addresses added as they come.
$NX ip -6 addr add 2001:db8:25::25/128 dev lo nodad
pf_postmap recipients helos senders greylist
pf_start

users=(alice bob carol dave erin frank grace heidi ivan judy mallory niaj
    olivia peggy rupert sybil trent victor walter)
used=" "
: >"$dir/truth.tsv"

# addr - a fresh 127.x.y.z (never 127.0.0.1)
addr() {
	local a
	while :; do
		a="127.$((RANDOM % 250 + 2)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
		case $used in *" $a "*) ;; *) used="$used$a "; echo "$a"; return ;; esac
	done
}

# addr6 PREFIX - a fresh address in PREFIX::/64, put on lo to bind from
addr6() {
	local a
	a="$1:$(printf %x $((RANDOM % 65000 + 16))):$(printf %x $((RANDOM % 65000 + 1)))"
	$NX ip -6 addr add "$a/128" dev lo nodad
	echo "$a"
}

# send FROM-ADDR HELO SENDER RCPTS [swaks options] - one SMTP session
send() {
	local src=$1 helo=$2 from=$3 to=$4 server=127.0.0.1
	shift 4
	case $src in *:*) server=2001:db8:25::25 ;; esac
	$NX swaks --server "$server" --port 25 \
	    --local-interface "$src" --helo "$helo" --from "$from" --to "$to" \
	    --body "test" --timeout 10 --silent 2 "$@" >/dev/null 2>&1 || true
}

# word - a random lower-case word of 4 to 9 letters (from SEED)
word() {
	local w="" i letters=abcdefghijklmnopqrstuvwxyz
	for ((i = 0; i < RANDOM % 6 + 4; i++)); do
		w="$w${letters:RANDOM % 26:1}"
	done
	echo "$w"
}

n_legit=$((6 + RANDOM % 6)) n_legit4xx=$((2 + RANDOM % 2))
n_list=$((2 + RANDOM % 2)) n_five=$((3 + RANDOM % 3))
n_dict=$((2 + RANDOM % 2)) n_one=$((3 + RANDOM % 3))

for _ in $(seq "$n_legit"); do
	a=$(addr); d="$(word).example"
	printf '%s\tlegit\tkeep\n' "$a" >>"$dir/truth.tsv"
	for i in $(seq $((3 + RANDOM % 5))); do
		to="${users[RANDOM % ${#users[@]}]}@example.test"
		[ $((RANDOM % 10)) -eq 0 ] && to="$to,jhon$RANDOM@example.test"
		send "$a" "mail.$d" "news@$d" "$to"
	done
done
for _ in $(seq "$n_legit4xx"); do
	a=$(addr); d="$(word).example"
	printf '%s\tlegit4xx\tkeep\n' "$a" >>"$dir/truth.tsv"
	for i in 1 2 3 4; do
		send "$a" "mail.$d" "info@$d" "later@example.test"
	done
done
for _ in $(seq "$n_list"); do
	a=$(addr); d="lists.$(word).example"
	printf '%s\tlistserver\tkeep\n' "$a" >>"$dir/truth.tsv"
	for _ in $(seq $((5 + RANDOM % 6))); do
		rcpts=$(printf '%s@example.test,' "${users[@]:0:12}")
		send "$a" "$d" "bounce@$d" "${rcpts}gone1@example.test,gone2@example.test"
	done
done
for _ in $(seq "$n_five"); do
	a=$(addr)
	printf '%s\tfivefifty\tban\n' "$a" >>"$dir/truth.tsv"
	case $((RANDOM % 3)) in
	0) helo=friend from="spam@$(word).example" to="alice@example.test" ;;
	1) helo="mail.$(word).example" from="x@spammer.example" to="bob@example.test" ;;
	*) helo="mail.$(word).example" from="spam@$(word).example" to="nosuch$RANDOM@example.test" ;;
	esac
	for i in $(seq $((4 + RANDOM % 5))); do
		send "$a" "$helo" "$from" "$to"
	done
done
for _ in $(seq "$n_dict"); do
	a=$(addr); d="$(word).example"
	printf '%s\tdictionary\tban\n' "$a" >>"$dir/truth.tsv"
	rcpts=""
	for i in $(seq $((15 + RANDOM % 20))); do
		rcpts="$rcpts$(word)@example.test,"
	done
	send "$a" "mail.$d" "promo@$d" "${rcpts%,}"
done
# A whitelisted offender (127.253.0.0/16 is the test's whitelist).
a="127.253.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
printf '%s\twhitelisted\tkeep\n' "$a" >>"$dir/truth.tsv"
for i in $(seq 6); do
	send "$a" friend "spam@$(word).example" "alice@example.test"
done
# An IPv6 five-fifty, and a rotator that changes address inside its /64
# for every try (only the /64 can be banned).
a=$(addr6 2001:db8:66:1:0:0)
printf '%s\tfivefifty6\tban\n' "$a" >>"$dir/truth.tsv"
for i in $(seq 5); do
	send "$a" "mail.$(word).example" "x@spammer.example" "dave@example.test"
done
for i in $(seq 6); do
	a=$(addr6 2001:db8:66:2:0:0)
	printf '%s\trotator6\tban\n' "$a" >>"$dir/truth.tsv"
	send "$a" "mail.$(word).example" "x@spammer.example" "erin@example.test"
	send "$a" "mail.$(word).example" "x@spammer.example" "erin@example.test"
done

for _ in $(seq "$n_one"); do
	a=$(addr)
	printf '%s\toneoff\tkeep\n' "$a" >>"$dir/truth.tsv"
	send "$a" "mail.$(word).example" "x@spammer.example" "carol@example.test"
done

# Let postlogd write the last lines.
sleep 1
$NX postfix -c "$dir" stop >/dev/null 2>&1 || true
sleep 1
[ -s "$dir/mail.log" ] || { echo "postfix-lab: no log written" >&2; exit 1; }
echo "postfix-lab: $(wc -l <"$dir/truth.tsv") clients, $(wc -l <"$dir/mail.log") log lines"

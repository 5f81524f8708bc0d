#!/bin/bash
# postfix-cluster.sh - three mail servers, one memory: three real Postfix
# instances, each with its own `fivefifty run` and nftables table in its
# own network namespace, sharing one private PostgreSQL state.
#
# usage: tests/postfix-cluster.sh DIR FIVEFIFTY SEED
#
# DIR gets the PostgreSQL server (DIR/pg, tests/pg-cluster.sh: unix socket
# only), and per node mxN (N = 1, 2, 3) DIR/mxN: its Postfix instance
# (main.cf, queue, DIR/mxN/mail.log), fivefifty's configuration ff.conf
# (state_db = the server's URI, node_name = mxN, its own table inet
# fivefifty in its namespace, map, control socket, local state directory)
# and its daemon's stderr in daemon.log. SEED ($RANDOM) picks the clients'
# addresses, how many of each kind, and which node each session goes to.
#
# The traffic is spread so that no node alone sees enough of an offender
# (fivefifty_retries = 3, dictionary_threshold = 8):
#   fivefifty    the same 5xx-refused mail in 6 sessions, each to the next
#                node (every node sees 2 sessions, one retry: only the
#                cluster's count of 5 retries bans it)
#   dictionary   3 sessions of 4 unknown recipients, one per node (4 per
#                node, 12 in the cluster)
#   legit        accepted mail to random nodes, now and then a mistyped
#                recipient
#   listserver   each post to every node: 12 users and the same two dead
#                addresses (two 550s per session, the post accepted)
#   oneoff       one refused attempt
#   whitelisted  a five-fifty in the whitelist 127.253.0.0/16, on all nodes
# The timeline: rounds 1 and 2; kill -9 of mx2's daemon, round 3 while it
# is down, restart; PostgreSQL stopped for 30 s while round 4 goes on (the
# nodes go on alone and spool), started again; round 5; then every node
# must catch up and have the cluster link back.
#
# Checks (one line each, "CHECK NAME ok" or "CHECK NAME FAIL detail"):
# every offender in every node's kernel set and map; no legitimate client
# in any; every node read its whole log, its link is ok with nothing
# spooled; each daemon stops on TERM with exit 0; no daemon logged an
# error. Exits 0 when the run could be made (the checks say whether
# fivefifty did right), 1 otherwise, 77 when PostgreSQL is not there. The
# system's Postfix, /etc/postfix, the host's ruleset and the system's
# PostgreSQL are never touched; the namespaces, instances, daemons and
# the server go at the end however the script exits.
set -euo pipefail

top=$1
ff=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
seed=$3
here=$(cd "$(dirname "$0")" && pwd)
RANDOM=$seed
export LC_ALL=C
NODES="1 2 3"

. "$here/postfix-instance.sh"
[ "$(id -u)" -eq 0 ] || { echo "postfix-cluster: needs root" >&2; exit 1; }
mkdir -p "$top"
top=$(cd "$top" && pwd)
rm -rf "${top:?}"/*
pg_up=0
declare -A dpid wpid

# node N - make node N the current one: dir, ns, NX, pf_name (for the
# postfix-instance.sh functions)
node() {
	dir=$top/mx$1
	ns=ffcl$$n$1
	NX="nsenter --net=/run/netns/$ns"
	pf_name=postfix-cluster-mx$1
}

# cleanup - daemons, instances, namespaces, the server
cleanup() {
	local n
	for n in $NODES; do
		node "$n"
		[ -n "${dpid[$n]:-}" ] && kill -9 "${dpid[$n]}" 2>/dev/null
		[ -d "/run/netns/$ns" ] && pf_cleanup
	done
	[ "$pg_up" -eq 1 ] && "$here/pg-cluster.sh" stop "$top/pg" \
	    >/dev/null 2>&1
	return 0
}
trap cleanup EXIT

# --- output -------------------------------------------------------------------

now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	NOW=$((10#$t / 1000))
}
now_ms
T0=$NOW

# say TEXT... - narration with the time since the start
say() {
	local el
	now_ms
	el=$((NOW - T0))
	printf '[%3d.%ds] %s\n' $((el / 1000)) $((el % 1000 / 100)) "$*"
}

# result NAME OK DETAIL... - one check
result() {
	if [ "$2" -eq 1 ]; then
		echo "CHECK $1 ok"
	else
		echo "CHECK $1 FAIL $(printf '%s' "${*:3}" | tr '\n' ';')"
	fi
}

# --- PostgreSQL and the nodes -------------------------------------------------

rc=0
uri=$("$here/pg-cluster.sh" start "$top/pg") || rc=$?
[ "$rc" -eq 77 ] && exit 77
[ "$rc" -eq 0 ] || { echo "postfix-cluster: no PostgreSQL" >&2; exit 1; }
pg_up=1
say "PostgreSQL at $uri"

users=(alice bob carol dave erin frank grace heidi ivan judy mallory niaj
    olivia peggy rupert sybil trent victor walter)

# setup_node N - instance, configuration and namespace of node N
setup_node() {
	node "$1"
	mkdir -p "$dir/queue" "$dir/data" "$dir/fivefifty" "$dir/lib"
	chown postfix:postfix "$dir/data"
	pf_main_cf >"$dir/main.cf"
	cat >>"$dir/main.cf" <<EOF
myhostname = mx$1.example.test
mydomain = example.test
mydestination = example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
local_recipient_maps = hash:$dir/recipients
local_transport = discard:
default_transport = discard:
smtpd_client_restrictions = check_client_access hash:$dir/fivefifty/access
smtpd_sender_restrictions = check_sender_access hash:$dir/senders
smtpd_helo_required = yes
smtpd_helo_restrictions = check_helo_access hash:$dir/helos
smtpd_error_sleep_time = 0
smtpd_client_connection_rate_limit = 0
smtpd_banner = \$myhostname ESMTP
biff = no
EOF
	pf_master
	: >"$dir/recipients"
	for u in "${users[@]}" postmaster; do
		printf '%s@example.test OK\n' "$u" >>"$dir/recipients"
	done
	printf 'x@spammer.example REJECT Access denied\n' >"$dir/senders"
	printf 'friend REJECT Service unavailable\n' >"$dir/helos"
	: >"$dir/fivefifty/access"
	: >"$dir/mail.log"
	cat >"$dir/ff.conf" <<EOF
# fivefifty node mx$1 of tests/postfix-cluster.sh
state_db = $uri
node_name = mx$1
state_directory = $dir/lib
log_source = file
mail_log = $dir/mail.log
user =
control_socket = $dir/ctl.sock
control_group =
loopback = 127.0.0.1/32
whitelist = 127.253.0.0/16
access_map = hash:$dir/fivefifty/access
postfix_config_directory = $dir
firewall = table
firewall_required = yes
fivefifty_retries = 3
dictionary_threshold = 8
EOF
	touch -d '-1 min' "$dir/main.cf" "$dir/master.cf"
	pf_netns
	pf_postmap recipients senders helos fivefifty/access
	pf_start
}

# start_daemon N - fivefifty run of node N in the background; wait until
# its status answers
start_daemon() {
	local n=$1
	node "$n"
	rm -f "$dir/daemon.pid" "$dir/daemon.rc"
	(
		$NX "$ff" -c "$dir/ff.conf" run >/dev/null 2>>"$dir/daemon.log" &
		echo $! >"$dir/daemon.pid"
		r=0
		wait $! || r=$?
		echo "$r" >"$dir/daemon.rc"
	) 2>/dev/null &
	wpid[$n]=$!
	for _ in $(seq 1000); do
		if [ -s "$dir/daemon.pid" ] && dpid[$n]=$(cat "$dir/daemon.pid") &&
		    $NX "$ff" -c "$dir/ff.conf" status >/dev/null 2>&1; then
			return 0
		fi
		if [ -e "$dir/daemon.rc" ]; then
			echo "postfix-cluster: mx$n: fivefifty run exited" \
			    "$(cat "$dir/daemon.rc"):" >&2
			cat "$dir/daemon.log" >&2
			dpid[$n]=""
			return 1
		fi
		sleep 0.01
	done
	echo "postfix-cluster: mx$n: fivefifty run did not answer in 10 s" >&2
	return 1
}

# stop_daemon N SIGNAL - signal node N's daemon and wait; status in DRC
stop_daemon() {
	node "$1"
	kill "-$2" "${dpid[$1]}" 2>/dev/null || true
	wait "${wpid[$1]}" || true
	DRC=$(cat "$dir/daemon.rc" 2>/dev/null || echo "?")
	dpid[$1]=""
}

# ffc N ARGS - a fivefifty command of node N
ffc() {
	local n=$1
	shift
	node "$n"
	$NX "$ff" -c "$dir/ff.conf" "$@"
}

# caught_up N - node N's daemon has read all of its mail.log
caught_up() {
	local st
	node "$1"
	st=$(ffc "$1" status 2>/dev/null | awk -v p="$dir/mail.log" \
	    '$1 == "file" && $2 == p { print $4, $6, $8 }') || return 1
	# shellcheck disable=SC2086	# three words
	set -- $st
	[ $# -eq 3 ] && [ "$1" = "$2" ] && [ "$3" = 0 ]
}

# link_ok N - node N's status says its cluster link is ok
link_ok() {
	local st
	st=$(ffc "$1" status 2>/dev/null) || return 1
	# Both connections: the writer's (cluster link) and the watch's
	# (cluster_bans), which reconnects on its own backoff (up to 10 s).
	printf '%s\n' "$st" | grep -q '^ *cluster link: ok$' &&
	    printf '%s\n' "$st" | grep -Eq '^ *cluster_bans +ok$'
}

# offenders_missing - the truth's bans not yet in some node's set or map
# (sets missing and mapmiss)
offenders_missing() {
	local a kind want n
	missing="" mapmiss=""
	while IFS=$'\t' read -r a kind want; do
		[ "$want" = ban ] || continue
		for n in $NODES; do
			in_set "$n" "$a" || missing="$missing $a($kind)@mx$n"
			in_map "$n" "$a" || mapmiss="$mapmiss $a($kind)@mx$n"
		done
	done <"$top/truth.tsv"
	[ -n "$missing$mapmiss" ]
}

# said_of ADDR... - what each node's daemon logged of these addresses
# (the diagnosis of a ban missing somewhere; capped)
said_of() {
	local a n
	for a in "$@"; do
		a=${a%%(*}
		for n in $NODES; do
			node "$n"
			grep -F -- "$a" "$dir/daemon.log" 2>/dev/null | tail -n 8 |
			    sed "s/^/    mx$n daemon.log: /"
			ffc "$n" explain "$a" 2>&1 | head -n 20 |
			    sed "s/^/    mx$n explain: /"
		done
	done
}

# in_set N ADDR - is ADDR in node N's IPv4 set
in_set() {
	node "$1"
	$NX nft get element inet fivefifty offenders4 "{ $2 }" >/dev/null 2>&1
}

# in_map N ADDR - does node N's access map have ADDR
in_map() {
	node "$1"
	[ -n "$($NX postmap -c "$dir" -q "$2" "hash:$dir/fivefifty/access" \
	    2>/dev/null || true)" ]
}

for n in $NODES; do
	setup_node "$n"
done
say "three Postfix instances up (Postfix $(postconf -d -h mail_version))"
for n in $NODES; do
	start_daemon "$n" || exit 1
done
result daemons-ready 1
say "three daemons running on the shared state"

# --- the clients --------------------------------------------------------------

used=" "
: >"$top/truth.tsv"

# addr - a fresh 127.x.y.z (not 127.0.0.1, not the whitelist's 127.253)
addr() {
	local a
	while :; do
		a="127.$((RANDOM % 250 + 2)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
		case $a in 127.253.*) continue ;; esac
		case $used in *" $a "*) ;; *) used="$used$a "; echo "$a"; return ;; esac
	done
}

# word - a random lower-case word
word() {
	local w="" i letters=abcdefghijklmnopqrstuvwxyz
	for ((i = 0; i < RANDOM % 6 + 4; i++)); do
		w="$w${letters:RANDOM % 26:1}"
	done
	echo "$w"
}

# send N FROM-ADDR HELO SENDER RCPTS - one SMTP session with node N
# (an offender's connection may be dropped once it is banned: short
# timeout, failure ignored)
send() {
	node "$1"
	$NX swaks --server 127.0.0.1 --port 25 --local-interface "$2" \
	    --helo "$3" --from "$4" --to "$5" --body test --timeout 3 \
	    --silent 2 >/dev/null 2>&1 || true
}

n_legit=$((4 + RANDOM % 3)) n_list=2 n_five=$((2 + RANDOM % 2))
n_dict=2 n_one=$((2 + RANDOM % 2))
declare -a L_addr L_dom F_addr F_helo F_from F_to F_node D_addr D_dom D_node
for i in $(seq 0 $((n_legit - 1))); do
	L_addr[i]=$(addr); L_dom[i]="$(word).example"
	printf '%s\tlegit\tkeep\n' "${L_addr[i]}" >>"$top/truth.tsv"
done
for i in $(seq 0 $((n_five - 1))); do
	F_addr[i]=$(addr); F_node[i]=$((RANDOM % 3))
	printf '%s\tfivefifty\tban\n' "${F_addr[i]}" >>"$top/truth.tsv"
	if [ $((RANDOM % 2)) -eq 0 ]; then
		F_helo[i]="mail.$(word).example" F_from[i]="x@spammer.example"
		F_to[i]="bob@example.test"
	else
		F_helo[i]="mail.$(word).example" F_from[i]="spam@$(word).example"
		F_to[i]="nosuch$RANDOM@example.test"
	fi
done
for i in $(seq 0 $((n_dict - 1))); do
	D_addr[i]=$(addr); D_dom[i]="$(word).example"; D_node[i]=$((RANDOM % 3))
	printf '%s\tdictionary\tban\n' "${D_addr[i]}" >>"$top/truth.tsv"
done
lists=()
for i in $(seq 0 $((n_list - 1))); do
	lists[i]=$(addr)
	printf '%s\tlistserver\tkeep\n' "${lists[i]}" >>"$top/truth.tsv"
done
white="127.253.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
printf '%s\twhitelisted\tkeep\n' "$white" >>"$top/truth.tsv"

# round R - one session of every client still active in round R (1..6):
# the five-fifties' R-th session goes to the node after the last one's
round() {
	local r=$1 i k to rcpts
	for i in $(seq 0 $((n_legit - 1))); do
		to="${users[RANDOM % ${#users[@]}]}@example.test"
		[ $((RANDOM % 5)) -eq 0 ] && to="$to,jhon$RANDOM@example.test"
		send $((RANDOM % 3 + 1)) "${L_addr[i]}" "mail.${L_dom[i]}" \
		    "news@${L_dom[i]}" "$to"
	done
	for i in $(seq 0 $((n_list - 1))); do
		rcpts=$(printf '%s@example.test,' "${users[@]:0:12}")
		send $(((r + i) % 3 + 1)) "${lists[i]}" "lists.example" \
		    "bounce@lists.example" "${rcpts}gone1@example.test,gone2@example.test"
	done
	for i in $(seq 0 $((n_five - 1))); do
		send $(((F_node[i] + r) % 3 + 1)) "${F_addr[i]}" "${F_helo[i]}" \
		    "${F_from[i]}" "${F_to[i]}"
	done
	if [ "$r" -le 3 ]; then
		for i in $(seq 0 $((n_dict - 1))); do
			rcpts=""
			for k in 1 2 3 4; do
				rcpts="$rcpts$(word)$r$k@example.test,"
			done
			send $(((D_node[i] + r) % 3 + 1)) "${D_addr[i]}" \
			    "mail.${D_dom[i]}" "promo@${D_dom[i]}" "${rcpts%,}"
		done
	fi
	if [ "$r" -eq 1 ]; then
		for i in $(seq "$n_one"); do
			a=$(addr)
			printf '%s\toneoff\tkeep\n' "$a" >>"$top/truth.tsv"
			send $((RANDOM % 3 + 1)) "$a" "mail.$(word).example" \
			    "x@spammer.example" "carol@example.test"
		done
	fi
	send $((r % 3 + 1)) "$white" friend "spam@example.net" \
	    "alice@example.test"
}

round 1
sleep 1.5
round 2
say "rounds 1 and 2 sent; kill -9 of mx2's daemon"
kill -9 "${dpid[2]}" 2>/dev/null || true
wait "${wpid[2]}" 2>/dev/null || true
dpid[2]=""
round 3
say "round 3 sent while mx2's daemon was down; restarting it"
start_daemon 2 || exit 1
result kill9-restart 1
sleep 1.5
say "PostgreSQL stopped for 30 s under traffic"
node 1
"$here/pg-cluster.sh" down "$top/pg"
t_stop=$SECONDS
round 4
# Each node gets a session of its own (round 4 spreads the clients at
# random), so that each has writes to spool; each must show its link
# down with spooled writes while the server is away. The server stays
# away 30 s, and longer while a node has not shown it yet, up to 90 s
# after the sends: on a loaded machine the rounds alone can take 30 s.
for n in $NODES; do
	send "$n" "${L_addr[0]}" "mail.${L_dom[0]}" "news@${L_dom[0]}" \
	    "alice@example.test"
done
t_sent=$SECONDS
seen=" "
while :; do
	for n in $NODES; do
		case $seen in *" $n "*) continue ;; esac
		ffc "$n" status 2>/dev/null |
		    grep -q '^ *cluster link: down since .*, [1-9][0-9]* spooled' &&
		    seen="$seen$n "
	done
	down=$(echo $seen | wc -w)
	[ "$down" -eq 3 ] && [ $((SECONDS - t_stop)) -ge 30 ] && break
	[ $((SECONDS - t_sent)) -ge 90 ] && break
	sleep 1
done
result link-down-shown "$([ "$down" -eq 3 ] && echo 1 || echo 0)" \
    "$down of 3 nodes showed the link down with spooled writes (server" \
    "away $((SECONDS - t_stop)) s)"
"$here/pg-cluster.sh" up "$top/pg"
say "PostgreSQL started again"
round 5
round 6

# --- the checks ---------------------------------------------------------------

ok=0
for _ in $(seq 600); do
	ok=1
	for n in $NODES; do
		if ! caught_up "$n" || ! link_ok "$n"; then
			ok=0
			break
		fi
	done
	[ "$ok" -eq 1 ] && break
	sleep 0.1
done
result caught-up-linked "$ok" "a node did not read its whole log or" \
    "get its cluster link back in 60 s: $(for n in $NODES; do ffc "$n" \
    status 2>&1 | grep -E '^ *(file|cluster)'; done)"
linked=$(for n in $NODES; do ffc "$n" status 2>/dev/null |
    grep '^ *cluster link'; done)
result nothing-spooled "$([ "$(printf '%s\n' "$linked" |
    grep -c '^ *cluster link: ok$')" -eq 3 ] && echo 1 || echo 0)" \
    "the nodes' links: $linked"

# Bans travel between nodes in well under a second; evidence with the
# nodes' flushes (once a second), and the spooled writes replayed after
# the outage may make a decision only now: wait for every offender on
# every node, up to 60 s, then look at the legitimate clients.
sleep 3
t_check=$SECONDS
while offenders_missing && [ $((SECONDS - t_check)) -lt 60 ]; do
	sleep 1
done
[ -z "$missing$mapmiss" ] ||
    said_of $(printf '%s\n' $missing $mapmiss | sed 's/(.*//' | sort -u) >&2
wrong="" mapwrong=""
while IFS=$'\t' read -r a kind want; do
	[ "$want" = ban ] && continue
	for n in $NODES; do
		in_set "$n" "$a" && wrong="$wrong $a($kind)@mx$n"
		in_map "$n" "$a" && mapwrong="$mapwrong $a($kind)@mx$n"
	done
done <"$top/truth.tsv"
result offenders-banned-everywhere "$([ -z "$missing" ] && echo 1 || echo 0)" \
    "not in the set:$missing"
result offenders-in-every-map "$([ -z "$mapmiss" ] && echo 1 || echo 0)" \
    "not in the map:$mapmiss"
result legit-not-banned "$([ -z "$wrong" ] && echo 1 || echo 0)" \
    "banned:$wrong"
result legit-not-in-map "$([ -z "$mapwrong" ] && echo 1 || echo 0)" \
    "in the map:$mapwrong"

bad=""
for n in $NODES; do
	stop_daemon "$n" TERM
	[ "$DRC" = 0 ] || bad="$bad mx$n:exit $DRC"
done
result daemons-stop-cleanly "$([ -z "$bad" ] && echo 1 || echo 0)" "$bad"
errs=$(for n in $NODES; do node "$n"; grep -iE 'fatal|panic|error' \
    "$dir/daemon.log" | grep -viE 'cluster link|postgres|connect' |
    sed "s/^/mx$n: /"; done || true)
result daemon-logs-clean "$([ -z "$errs" ] && echo 1 || echo 0)" "$errs"
say "done: $(wc -l <"$top/truth.tsv") clients," \
    "$(cat "$top"/mx*/mail.log | wc -l) log lines on three nodes"
exit 0

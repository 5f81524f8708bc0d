#!/bin/sh
# demo.sh - fivefifty at work, in under a minute: a real Postfix in a
# private network namespace, scripted SMTP clients (legitimate servers,
# list servers, five-fifties, dictionary attackers), `fivefifty run`
# following its log, bans appearing in the nftables set and the
# offenders' connections dropped. `make demo` builds ./fivefifty and runs
# this.
#
# usage: scripts/demo.sh [SEED]
#
# It is tests/postfix-daemon.sh (the end-to-end test of `make test`) with
# --demo: the same run, told for a newcomer. Needs root (a network
# namespace, nftables, a Postfix instance of its own) and postfix, swaks,
# nftables and iproute2 (make deps-test). The host's Postfix, /etc/postfix
# and firewall are not touched; the namespace goes at the end, the files
# stay in $DEMO_DIR (default /tmp/fivefifty-demo).
set -eu

cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (it makes a network namespace with its own" \
	    "Postfix and nftables table; the host's are not touched)" >&2
	exit 1
fi
[ -x ./fivefifty ] || { echo "demo: build ./fivefifty first (make)" >&2; exit 1; }
seed=${1:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
exec bash tests/postfix-daemon.sh "${DEMO_DIR:-/tmp/fivefifty-demo}" \
    ./fivefifty "$seed" --demo

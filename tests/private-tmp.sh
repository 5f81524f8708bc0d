#!/bin/sh
# private-tmp.sh - run a command with a /tmp of its own
#
# usage: tests/private-tmp.sh CMD [ARG...]
#
# The tests keep their files under fixed names in /tmp (/tmp/fivefifty-
# daemon, /tmp/fivefifty-e2e ...), so two runs on one machine at the same
# time (two checkouts, CI next to a developer) would trample each other.
# As root, this runs CMD in a private mount namespace whose /tmp is a
# fresh directory (bind-mounted from /tmp/fivefifty-tmp.XXXXXX, removed
# afterwards): every run has its own. Where that cannot be done (not
# root, no unshare, a container that refuses mount namespaces) it says so
# and runs CMD with the shared /tmp. Exits with CMD's status.
set -u
[ $# -ge 1 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 64; }
if [ -n "${FIVEFIFTY_PRIVATE_TMP:-}" ] || [ "$(id -u)" -ne 0 ] ||
    ! command -v unshare >/dev/null ||
    ! unshare --mount --propagation private true 2>/dev/null; then
	[ -n "${FIVEFIFTY_PRIVATE_TMP:-}" ] ||
	    echo "tests: no private /tmp here (needs root and mount" \
		"namespaces); sharing /tmp" >&2
	exec "$@"
fi
base=$(mktemp -d /tmp/fivefifty-tmp.XXXXXX) || exit 1
chmod 1777 "$base"
FIVEFIFTY_PRIVATE_TMP=$base unshare --mount --propagation private \
    sh -c 'mount --bind "$FIVEFIFTY_PRIVATE_TMP" /tmp || {
	echo "tests: cannot mount a private /tmp; sharing /tmp" >&2; }
	exec "$@"' sh "$@"
rc=$?
rm -rf "$base"
exit $rc

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
# afterwards): every run has its own; and in a private pid namespace, so
# that nothing a test started outlives the run. Where that cannot be done (not
# root, no unshare, a container that refuses mount namespaces) it says so
# and runs CMD with the shared /tmp. Exits with CMD's status.
set -u
[ $# -ge 1 ] || { echo "usage: $0 CMD [ARG...]" >&2; exit 64; }
if [ -n "${FIVEFIFTY_PRIVATE_TMP:-}" ] || [ "$(id -u)" -ne 0 ] ||
    ! command -v unshare >/dev/null ||
    ! unshare --mount --propagation private --pid --fork --kill-child \
	--mount-proc true 2>/dev/null; then
	[ -n "${FIVEFIFTY_PRIVATE_TMP:-}" ] ||
	    echo "tests: no private /tmp here (needs root and mount" \
		"namespaces); sharing /tmp" >&2
	exec "$@"
fi
base=$(mktemp -d /tmp/fivefifty-tmp.XXXXXX) || exit 1
chmod 1777 "$base"
trap 'rm -rf "$base"' EXIT
# A pid namespace too: whatever a test leaves running (a daemon, a
# Postfix) ends with the run instead of outliving it in a /tmp no one
# else can see. And a /run/netns of its own: the scripts name their
# network namespaces after their pid ($$), which is no longer unique
# across runs once each run has its own pids. sh stays its first process (it reaps orphans; CMD is
# its child); /proc is the namespace's own, as the sanitizers read it.
# In the background, so that a signal to this script ends the run at
# once: the namespace dies with unshare (--kill-child).
FIVEFIFTY_PRIVATE_TMP=$base unshare --mount --propagation private \
    --pid --fork --kill-child --mount-proc \
    sh -c 'mount --bind "$FIVEFIFTY_PRIVATE_TMP" /tmp || {
	echo "tests: cannot mount a private /tmp; sharing /tmp" >&2; }
	mkdir -p /run/netns && mount -t tmpfs -o size=1m,mode=0755 \
	    fivefifty-netns /run/netns || {
		echo "tests: cannot mount a private /run/netns" >&2; }
	"$@"' sh "$@" <&0 &
child=$!
# SIGKILL: the namespace's first process ignores SIGTERM.
sig=
trap 'sig=130; kill -KILL $child 2>/dev/null' INT
trap 'sig=143; kill -KILL $child 2>/dev/null' TERM HUP
rc=0
wait $child || rc=$?
while kill -0 $child 2>/dev/null; do	# woken by a signal: its end
	rc=0
	wait $child || rc=$?
done
exit ${sig:-$rc}

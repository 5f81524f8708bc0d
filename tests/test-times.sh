#!/bin/sh
# test-times.sh - how long each test takes in make test, as run_tests.c's
# slow[] lines
#
# usage: tests/test-times.sh N CMD [ARG...]   (make test-times)
#
# Runs CMD (make test's: tests/private-tmp.sh build/san/run_tests) as the
# N shards of make test, side by side, each output line stamped with the
# time it was read, then prints, longest first, every test that took 2 s
# or more as a line of run_tests.c's slow[] (tenths of a second), and
# each shard's seconds: the shares run_tests planned, as they ran. Paste
# the lines into slow[] when a test was added or its time changed much.
# When a shard fails, or a test has no end line (a crash), no lines are
# printed (such times are not the usual ones): what failed is said and
# the shards' output kept, its directory named. A skipped test is left
# out (its time is not a run's).
#
# Exit status: 0 when every shard exited 0, else 1.
set -u
[ $# -ge 2 ] || { echo "usage: $0 N CMD [ARG...]" >&2; exit 64; }
n=$1
shift
case $n in
'' | *[!0-9]*) echo "tests/test-times.sh: N=$n: a number" >&2; exit 64 ;;
esac
[ "$n" -ge 1 ] && [ "$n" -le 64 ] ||
    { echo "tests/test-times.sh: N=$n: 1 to 64" >&2; exit 64; }
command -v perl >/dev/null ||
    { echo "tests/test-times.sh: needs perl (Time::HiRes)" >&2; exit 1; }
dir=$(mktemp -d /tmp/fivefifty-times.XXXXXX) || exit 1
pids=""
keep=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null	# private-tmp.sh ends its namespace
	done
	[ -n "$keep" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# stamp - each line with the time it was read, in seconds
stamp() {
	perl -MTime::HiRes=time -ne '$| = 1; printf "%.2f %s", time, $_'
}
i=0
while [ "$i" -lt "$n" ]; do
	# The command's own pid first, so that cleanup() can stop it.
	( { FIVEFIFTY_SHARD="$i/$n" sh -c 'echo $$ >"$0"; exec "$@"' \
	    "$dir/$i.pid" "$@" 2>&1; echo $? 2>/dev/null >"$dir/$i.rc"; } |
	    stamp >"$dir/$i.log" ) &
	i=$((i + 1))
done
i=0
while [ "$i" -lt "$n" ]; do	# a moment for each to write its pid
	j=0
	while [ ! -s "$dir/$i.pid" ] && [ "$j" -lt 100 ]; do
		sleep 0.05
		j=$((j + 1))
	done
	pids="$pids $(cat "$dir/$i.pid" 2>/dev/null)"
	i=$((i + 1))
done
wait
pids=""
status=0
i=0
while [ "$i" -lt "$n" ]; do
	rc=$(cat "$dir/$i.rc" 2>/dev/null || echo "none")
	[ "$rc" = 0 ] || { echo "shard $i exited $rc" >&2; status=1; }
	i=$((i + 1))
done
# The time from a test's RUN line to its OK, FAILED or SKIPPED line; a
# RUN line without one (a crash, or a child's unfinished line glued to
# it) is said.
awk '/\[ RUN      \] / { if (name != "") { print "no end: " name \
	>"/dev/stderr"; bad = 1 } t0 = $1; name = $NF; next }
    name != "" && $NF == name && /\[       OK \]|\[  FAILED  \]|\[  SKIPPED \]/ {
	if (/SKIPPED/)
		print "skipped: " name >"/dev/stderr"
	else if (/FAILED/) {
		print "failed: " name >"/dev/stderr"
		bad = 1
	} else
		printf "%d %s\n", ($1 - t0) * 10 + 0.5, name
	name = ""
    }
    END { if (name != "") { print "no end: " name >"/dev/stderr"; bad = 1 }
	exit bad }' "$dir"/*.log >"$dir/times" || status=1
if [ "$status" -eq 0 ]; then
	sort -k1,1nr -k2 "$dir/times" |
	    awk '$1 >= 20 { printf "\t{ \"%s\", %d },\n", $2, $1 }'
else
	keep=1
	echo "tests/test-times.sh: not the usual times (see above): no lines" \
	    "for slow[]; the shards' output is in $dir" >&2
fi
for f in "$dir"/*.log; do
	awk -v f="$(basename "$f" .log)" 'NR == 1 { t0 = $1 } { t = $1 }
	    END { printf "shard %s: %.0f s\n", f, t - t0 }' "$f"
done
exit $status

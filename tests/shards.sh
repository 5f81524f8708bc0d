#!/bin/sh
# shards.sh - run the tests as N processes side by side, then one total
#
# usage: tests/shards.sh N CMD [ARG...]
#
# CMD (make test: tests/private-tmp.sh build/san/run_tests, so each shard
# has its own /tmp, /run/netns and PID namespace) runs N times at once,
# with FIVEFIFTY_SHARD=I/N for I = 0 .. N-1: run_tests then runs the Ith
# of N shares planned to take the same time (its slow[]), so each test
# runs once. Shard 0's output streams as
# it comes; the others' are kept in files and printed, whole, after it.
# Then one line per shard and the total in cmocka's words (the shards' own
# totals in their output are marked "in shard I of N"): passed, failed
# with their names, and the exit status of a shard that gave no counts (a
# crash) is said and fails the run.
# The tests mostly wait (daemons, Postfix, PostgreSQL): two shards on two
# CPUs take about two thirds of the time of one process.
#
# Exit status: 0 when every shard exited 0, else 1.
set -u
[ $# -ge 2 ] || { echo "usage: $0 N CMD [ARG...]" >&2; exit 64; }
n=$1
shift
case $n in
'' | *[!0-9]*) echo "tests/shards.sh: N=$n: a number" >&2; exit 64 ;;
esac
[ "$n" -ge 1 ] && [ "$n" -le 64 ] ||
    { echo "tests/shards.sh: N=$n: 1 to 64" >&2; exit 64; }
dir=$(mktemp -d /tmp/fivefifty-shards.XXXXXX) || exit 1
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

i=1
while [ "$i" -lt "$n" ]; do
	( FIVEFIFTY_SHARD="$i/$n" "$@" >"$dir/$i.log" 2>&1
	  echo $? >"$dir/$i.rc" ) &
	pids="$pids $!"
	i=$((i + 1))
done
# mark - a shard's own totals named as its, so that the last lines, in
# cmocka's words, are the one total of every shard
mark() {
	sed -u "s/^\(\[==========\] [0-9]* test(s)\) run\./\1 run in shard $1 of $n./
	    s/^\(\[  PASSED  \] [0-9]* test(s)\)\./\1 in shard $1 of $n./
	    s/^\(\[  FAILED  \] [0-9]* test(s)\), listed below:/\1 in shard $1 of $n, listed below:/
	    s/^\(\[  SKIPPED \] [0-9]* test(s)\), listed below:/\1 in shard $1 of $n, listed below:/"
}
{ FIVEFIFTY_SHARD="0/$n" "$@"; echo $? >"$dir/0.rc"; } 2>&1 |
    tee "$dir/0.log" | mark 0
for p in $pids; do
	wait "$p"
done
pids=""

i=1
while [ "$i" -lt "$n" ]; do
	echo "=== shard $i of $n (FIVEFIFTY_SHARD=$i/$n)"
	mark "$i" <"$dir/$i.log"
	i=$((i + 1))
done

status=0
total_pass=0
total_fail=0
total_skip=0
echo "=== make test: $n shards"
i=0
while [ "$i" -lt "$n" ]; do
	rc=$(cat "$dir/$i.rc" 2>/dev/null || echo "none")
	pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\..*/\1/p' \
	    "$dir/$i.log" | tail -n 1)
	fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below.*/\1/p' \
	    "$dir/$i.log" | tail -n 1)
	skip=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below.*/\1/p' \
	    "$dir/$i.log" | tail -n 1)
	if [ -z "$pass" ] && [ -z "$fail" ]; then
		echo "shard $i: no counts: it exited $rc before cmocka's total" \
		    "(see its output above)"
		status=1
	else
		echo "shard $i: ${pass:-0} passed, ${fail:-0} failed," \
		    "${skip:-0} skipped, exit $rc"
		total_pass=$((total_pass + ${pass:-0}))
		total_fail=$((total_fail + ${fail:-0}))
		total_skip=$((total_skip + ${skip:-0}))
	fi
	[ "$rc" = 0 ] || status=1
	i=$((i + 1))
done
grep -h 'SKIPPED, not passed' "$dir"/*.log
# The total, as one cmocka run would say it.
echo "[==========] $((total_pass + total_fail + total_skip)) test(s) run."
echo "[  PASSED  ] $total_pass test(s)."
if [ "$total_skip" -gt 0 ]; then
	echo "[  SKIPPED ] $total_skip test(s), listed below:"
	grep -h '^\[  SKIPPED \] [a-z_0-9]*$' "$dir"/*.log
fi
if [ "$total_fail" -gt 0 ]; then
	echo "[  FAILED  ] $total_fail test(s), listed below:"
	grep -h '^\[  FAILED  \] [a-z_0-9]*$' "$dir"/*.log
fi
exit $status

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
# A failed test is timed too, and said: its time is not its usual one.
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
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM HUP

# stamp - each line with the time it was read, in seconds
stamp() {
	perl -MTime::HiRes=time -ne '$| = 1; printf "%.2f %s", time, $_'
}
i=0
while [ "$i" -lt "$n" ]; do
	( { FIVEFIFTY_SHARD="$i/$n" "$@" 2>&1; echo $? >"$dir/$i.rc"; } |
	    stamp >"$dir/$i.log" ) &
	i=$((i + 1))
done
wait
status=0
i=0
while [ "$i" -lt "$n" ]; do
	rc=$(cat "$dir/$i.rc" 2>/dev/null || echo "none")
	[ "$rc" = 0 ] || { echo "shard $i exited $rc" >&2; status=1; }
	i=$((i + 1))
done
# The time from a test's RUN line to its OK, FAILED or SKIPPED line.
awk '$2 == "[" && $3 == "RUN" { t0 = $1; name = $NF; next }
    $NF == name && /\[       OK \]|\[  FAILED  \]|\[  SKIPPED \]/ {
	if (!/OK/)
		printf "%s: %s\n", name, $3 >"/dev/stderr"
	printf "%d %s\n", ($1 - t0) * 10 + 0.5, name
	name = ""
    }' "$dir"/*.log | sort -k1,1nr -k2 |
    awk '$1 >= 20 { printf "\t{ \"%s\", %d },\n", $2, $1 }'
for f in "$dir"/*.log; do
	awk -v f="$(basename "$f" .log)" 'NR == 1 { t0 = $1 } { t = $1 }
	    END { printf "shard %s: %.0f s\n", f, t - t0 }' "$f"
done
exit $status

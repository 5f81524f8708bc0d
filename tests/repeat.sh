#!/bin/sh
# repeat.sh - run some tests many times in a row under CPU load, as the
# rule for a landing asks ("no flaky tests").
#
# usage: tests/repeat.sh GLOB [RUNS]     (make repeat TESTS=GLOB RUNS=50)
#
# GLOB is cmocka's test filter (FIVEFIFTY_TESTS), e.g. 'test_kill_restart*'.
# stress-ng --cpu 2 loads the machine while the runs go on (when it is
# installed; REPEAT_LOAD=N: N workers, 0: none, when the caller loads the
# machine itself, e.g. several series side by side under one stress-ng). Prints one line per run; a failed run's output is kept in
# /tmp/fivefifty-repeat.PID.N.log. Exits 1 when any run failed or
# skipped a test, 2 when GLOB matches no test.
set -u
glob=${1:?usage: $0 GLOB [RUNS]}
runs=${2:-50}
load=
workers=${REPEAT_LOAD:-2}
case $workers in
'' | *[!0-9]*) echo "repeat: REPEAT_LOAD=$workers: a number of workers" >&2
	exit 64 ;;
esac
if [ "$workers" -gt 0 ] && command -v stress-ng >/dev/null; then
	stress-ng --cpu "$workers" --timeout 86400s >/dev/null 2>&1 &
	load=$!
	trap 'kill $load 2>/dev/null' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
fi
pass=0
fail=0
skip=0
i=1
while [ $i -le "$runs" ]; do
	log=/tmp/fivefifty-repeat.$$.$i.log
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    FIVEFIFTY_BIN=build/san/fivefifty \
	    FIVEFIFTY_PROBE=build/san/probe_tailer \
	    FIVEFIFTY_SHARED=${SHARED:-../shared} FIVEFIFTY_TESTS="$glob" \
	    CMOCKA_MESSAGE_OUTPUT=stdout tests/private-tmp.sh build/san/run_tests >"$log" 2>&1; then
		# A run of nothing, or of skipped tests, is not a pass: the
		# glob matched no test (cmocka's filter knows * and ? only),
		# or what the test needs was missing.
		if grep -q 'Running 0 test(s)' "$log"; then
			echo "repeat: '$glob' matches no test (cmocka's filter" \
			    "knows * and ?, not [...])" >&2
			exit 2
		elif grep -q '^\[  SKIPPED \]' "$log"; then
			skip=$((skip + 1))
			echo "run $i SKIPPED a test: $log"
		else
			pass=$((pass + 1))
			rm -f "$log"
		fi
	else
		fail=$((fail + 1))
		echo "run $i FAILED: $log"
	fi
	echo "run $i: $pass passed, $fail failed, $skip skipped"
	i=$((i + 1))
done
echo "repeat: '$glob' $runs runs${load:+ under stress-ng --cpu $workers}:" \
    "$pass passed, $fail failed, $skip with a test skipped"
[ $fail -eq 0 ] && [ $skip -eq 0 ]

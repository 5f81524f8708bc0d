#!/usr/bin/env bash
# revs.sh - `make bench-revs REV=...`: this tree's fivefifty against the one
# of an older revision, side by side on the same corpus, the runs
# interleaved, so that a refactoring shows whether it made anything slower.
#
# usage: bench/revs.sh REV      (make bench-revs REV=124170c)
#
# Builds REV's release binary in a temporary git worktree (removed at
# the end), then times, for each binary, RUNS runs (default 5) of:
#   parse --count, parse --json, scan --dry-run, scan with a new state,
#   report summary --log, report fivefifties from that state
# on the benchmark corpus (bench/corpus.sh: BENCH_MB MiB, default 100),
# the two binaries alternating run by run. Prints a Markdown table: the
# median elapsed seconds of each and the ratio new/old (under 1: this
# tree is faster), and whether the outputs were byte for byte the same
# (parse, scan --dry-run and report; the state's reports). Also written
# to bench/out/revs.md. Nothing outside bench/out and the temporary
# worktree is written; clock_tolerance = 0 in a private configuration,
# because the corpus repeats its days.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "$0")/.."

REV=${1:?usage: bench/revs.sh REV}
SHARED=${SHARED:-../shared}
BENCH_MB=${BENCH_MB:-100}
SLOW_MB=$BENCH_MB
RUNS=${RUNS:-5}
OUT=bench/out
MKCORPUS=build/rel/bench/mkcorpus
MIB=1048576
NEW=./fivefifty

die() { echo "bench-revs: $*" >&2; exit 1; }

[ -x "$NEW" ] || die "$NEW missing: make fivefifty first"
[ -x "$MKCORPUS" ] || die "$MKCORPUS missing: make $MKCORPUS first"
sha=$(git rev-parse --verify --quiet "$REV^{commit}") ||
    die "$REV: not a revision of this repository"
. bench/corpus.sh

tmp=$(mktemp -d /tmp/fivefifty-revs.XXXXXX)
cleanup() {
	git worktree remove --force "$tmp/tree" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
echo "bench-revs: building $REV ($sha) in $tmp/tree" >&2
git worktree add -q --detach "$tmp/tree" "$sha"
make -s -C "$tmp/tree" -j2 fivefifty >"$tmp/build.log" 2>&1 ||
    { cat "$tmp/build.log" >&2; die "$REV does not build"; }
OLD=$tmp/tree/fivefifty

conf=$tmp/ff.conf
printf 'clock_tolerance = 0\nlog_source = file\n' >"$conf"

# one BIN NAME RUN - run one command of the table with binary BIN; its
# output to $tmp/NAME.BINTAG.out
one() {
	local bin=$1 name=$2 tag=$3 db=$tmp/$tag.db
	case $name in
	parse-count) "$bin" -c "$conf" parse --count "$CORPUS" ;;
	parse-json) "$bin" -c "$conf" parse --json "$CORPUS" ;;
	scan-dry) "$bin" -c "$conf" scan --dry-run --no-enforce \
	    "$CORPUS" 2>&1 ;;
	scan-state) rm -f "$db" "$db-wal" "$db-shm"
	    "$bin" -c "$conf" scan --db "$db" --no-enforce "$CORPUS" 2>&1 ;;
	report-log) "$bin" -c "$conf" report summary --since 3650d \
	    --log "$CORPUS" ;;
	report-state) "$bin" -c "$conf" report fivefifties --all \
	    --db "$db" ;;
	esac
}

names="parse-count parse-json scan-dry scan-state report-log report-state"
declare -A told tnew
for name in $names; do
	told[$name]="" tnew[$name]=""
done
for ((r = 1; r <= RUNS; r++)); do
	for name in $names; do
		for tag in old new; do
			bin=$OLD
			[ $tag = new ] && bin=$NEW
			s=$(date +%s.%N)
			one "$bin" $name $tag >"$tmp/$name.$tag.out" ||
			    die "$tag $name failed: $(tail -3 "$tmp/$name.$tag.out")"
			e=$(date +%s.%N)
			t=$(echo "$e - $s" | bc)
			if [ $tag = old ]; then told[$name]+="$t "
			else tnew[$name]+="$t "; fi
		done
	done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1}
    END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

{
	echo "fivefifty $REV ($(git log -1 --format=%h "$sha")) against this tree" \
	    "($(git describe --always --dirty)), $(date -u +%Y-%m-%d)," \
	    "$(nproc) cores; corpus $(( $(stat -c %s "$CORPUS") / MIB )) MiB," \
	    "median of $RUNS interleaved runs (bench/revs.sh $REV)"
	echo
	echo "| command | $REV (s) | this tree (s) | new/old | same output |"
	echo "|---|---|---|---|---|"
	for name in $names; do
		mo=$(echo "${told[$name]}" | median)
		mn=$(echo "${tnew[$name]}" | median)
		ratio=$(echo "scale=2; $mn / $mo" | bc)
		same=no
		# scan prints its own timing: compare without it
		if cmp -s <(grep -v ' s,\| lines/s\|MB/s' "$tmp/$name.old.out") \
		    <(grep -v ' s,\| lines/s\|MB/s' "$tmp/$name.new.out"); then
			same=yes
		fi
		printf '| %s | %.3f | %.3f | %s | %s |\n' "$name" "$mo" "$mn" \
		    "$ratio" "$same"
	done
} | tee "$OUT/revs.md"

#!/bin/sh
# fuzz-seed.sh - seed the fuzzer's corpus with real lines, one per file.
#
# usage: tests/fuzz-seed.sh SHARED_DIR OUT_DIR
# Takes every line of the parser's case files and up to 3000 lines spread
# over the shared corpus; existing seeds (and what the fuzzer found) stay.
set -eu
shared=$1
out=$2
mkdir -p "$out"
[ -e "$out/.seeded" ] && exit 0
{
	sed -n 's/^L //p' tests/cases/*.txt
	for f in "$shared"/corpus/realworld/*.log "$shared"/corpus/lab/*.log; do
		awk 'NR % 40 == 1' "$f" | head -n 400
	done
} | split -l 1 -a 5 - "$out/seed-"
touch "$out/.seeded"
echo "fuzz-seed: $(find "$out" -type f -name "seed-*" | wc -l) seeds in $out"

# corpus.sh - the benchmark corpus, shared by bench/run.sh and
# bench/report.sh (sourced from the project's top directory).
#
# Needs SHARED, OUT, MKCORPUS, MIB, BENCH_MB, SLOW_MB and die(); sets
# CORPUS (BENCH_MB MiB, built by mkcorpus from $SHARED/corpus/{realworld,
# lab}/*.log unless a current one is there) and SLICE (its first SLOW_MB
# MiB, or CORPUS itself when SLOW_MB >= BENCH_MB).

shopt -s nullglob
src=("$SHARED"/corpus/realworld/*.log "$SHARED"/corpus/lab/*.log)
[ ${#src[@]} -gt 0 ] || die "no corpus under $SHARED/corpus"
# Postfix's maillog_file writes "Nov 01"; the lab logs come from it.
zopt=()
for f in "$SHARED"/corpus/lab/*.log; do
	zopt+=(-z "$f")
done
mkdir -p "$OUT"

# build FILE MB - (re)make FILE with mkcorpus unless it is current (the
# stamp file says from what it was made)
build() {
	local file=$1 mb=$2 want have=""
	want="mkcorpus ${zopt[*]} $mb ${src[*]}"
	[ -r "$file.stamp" ] && have=$(cat "$file.stamp")
	if [ -s "$file" ] && [ "$have" = "$want" ] &&
	    [ ! "$MKCORPUS" -nt "$file" ] &&
	    [ "$(stat -c %s "$file")" -ge $((mb * MIB)) ]; then
		echo "bench: reusing $file ($mb MB)" >&2
		return
	fi
	echo "bench: building $file ($mb MB)" >&2
	rm -f "$file.stamp"
	"$MKCORPUS" "${zopt[@]}" "$file" "$mb" "${src[@]}"
	printf '%s\n' "$want" >"$file.stamp"
}

CORPUS=$OUT/corpus.log
build "$CORPUS" "$BENCH_MB"
if [ "$SLOW_MB" -ge "$BENCH_MB" ]; then
	SLICE=$CORPUS
else
	# mkcorpus is deterministic: a smaller target is a prefix.
	SLICE=$OUT/slice.log
	build "$SLICE" "$SLOW_MB"
	cmp -s -n "$(stat -c %s "$SLICE")" "$SLICE" "$CORPUS" ||
	    die "$SLICE is not a prefix of $CORPUS"
fi


# prelude.sh - the common start of the benchmarks on one corpus
# (bench/json.sh, bench/parse1.sh, bench/par.sh), sourced from the
# project's top directory: the settings (SHARED, BENCH_MB default 100,
# RUNS default 3, OLD), die(), their checks, then bench/corpus.sh, which
# sets CORPUS.

SHARED=${SHARED:-../shared}
BENCH_MB=${BENCH_MB:-100}
SLOW_MB=$BENCH_MB
RUNS=${RUNS:-3}
OUT=bench/out
MKCORPUS=build/rel/bench/mkcorpus
MIB=1048576
OLD=${OLD:-}

die() {
	echo "bench: $*" >&2
	exit 1
}

for v in BENCH_MB RUNS; do
	case ${!v} in
	'' | *[!0-9]* | 0*) die "$v must be a positive integer" ;;
	esac
done
[ -x ./fivefifty ] || die "./fivefifty missing; run make fivefifty"
[ -x "$MKCORPUS" ] || die "$MKCORPUS missing; run make $MKCORPUS"
[ -z "$OLD" ] || [ -x "$OLD" ] || die "OLD=$OLD is not an executable"

. bench/corpus.sh

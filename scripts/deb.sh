#!/bin/sh
# deb.sh - build the Debian package from this tree, and lint it.
#
# usage: scripts/deb.sh OUTDIR          (make deb: OUTDIR is build/deb)
#
# Copies the tree (what git would track: not build/, ./fivefifty, bench/out
# nor the fuzzers' corpora) to OUTDIR/fivefifty-VERSION, runs
# `dpkg-buildpackage -us -uc -b` there (its `make clean` must not empty
# this tree's build/), then lintian on the result. The package is
# OUTDIR/fivefifty_VERSION_ARCH.deb; lintian's output is
# OUTDIR/lintian.txt, the build's OUTDIR/build.log. Exits 1 when the build
# fails, 2 when lintian reports an error or a warning, 3 when
# debian/changelog's version is not the program's (cmd/cmd.h), 69 when a
# tool is missing (scripts/deps.sh deb installs them).
set -u
out=${1:?usage: $0 OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$top" || exit 1

for t in dpkg-buildpackage dpkg-parsechangelog dh lintian; do
	command -v $t >/dev/null || {
		echo "deb.sh: $t is missing: scripts/deps.sh deb (as root)" \
		    "installs what building the package needs" >&2
		exit 69
	}
done
version=$(dpkg-parsechangelog -l debian/changelog -S Version) || exit 1
prog=$(sed -n 's/^#define FIVEFIFTY_VERSION[[:space:]]*"\(.*\)"$/\1/p' \
    cmd/cmd.h)
if [ "$version" != "$prog" ]; then
	echo "deb.sh: debian/changelog says $version, cmd/cmd.h's" \
	    "FIVEFIFTY_VERSION $prog: add a debian/changelog entry" \
	    "(dch -v $prog)" >&2
	exit 3
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH) || exit 1

mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd) || exit 1
src=$out/fivefifty-$version
rm -rf "$src" "$out"/fivefifty_"$version"_* "$out"/fivefifty-dbgsym_* \
    "$out/lintian.txt" "$out/build.log"
mkdir -p "$src" || exit 1
# The exclusions are .gitignore's, and the output directory itself when
# it is inside the tree.
tar -C "$top" --exclude-vcs --exclude=./build --exclude=./fivefifty \
    --exclude=./bench/out --exclude='./fuzz-corpus*' \
    --exclude='crash-*' --exclude='leak-*' --exclude='timeout-*' \
    --exclude="./${out#"$top"/}" -cf - . | tar -C "$src" -xf - || exit 1

# Every core unless the caller says otherwise (DEB_BUILD_OPTIONS).
: "${DEB_BUILD_OPTIONS:=parallel=$(nproc)}"
export DEB_BUILD_OPTIONS
echo "deb.sh: dpkg-buildpackage -us -uc -b in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1
then
	tail -n 30 "$out/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed; the whole log is" \
	    "$out/build.log" >&2
	exit 1
fi
deb=$out/fivefifty_${version}_$arch.deb
[ -f "$deb" ] || { echo "deb.sh: no $deb after the build" >&2; exit 1; }
rm -rf "$src"

echo "deb.sh: lintian $out/fivefifty_${version}_$arch.changes"
lintian --fail-on error,warning --display-info --display-experimental \
    "$out/fivefifty_${version}_$arch.changes" >"$out/lintian.txt" 2>&1
rc=$?
cat "$out/lintian.txt"
if [ $rc -ne 0 ]; then
	echo "deb.sh: lintian reports an error or a warning (above)" >&2
	exit 2
fi
echo "deb.sh: $deb"

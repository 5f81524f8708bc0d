#!/bin/sh
# fuzz-seed.sh - seed a fuzzer's corpus, one input per file.
#
# usage: tests/fuzz-seed.sh SHARED_DIR OUT_DIR [parse|conf|control]
# parse (the default): every line of the parser's case files and up to 3000
# lines spread over the shared corpus. conf: conf/fivefifty.conf and every
# configuration text of tests/test_conf.c (C string literals, adjacent ones
# joined, that hold a "="). control: the requests the tests send (string
# literals of tests/test_control.c that start with a verb) and a few more.
# Existing seeds (and what the fuzzer found) stay.
set -eu
shared=$1
out=$2
target=${3:-parse}
mkdir -p "$out"
[ -e "$out/.seeded" ] && exit 0

# literals FILE - the C string literals of FILE, adjacent ones joined and
# unescaped, each ended by a NUL byte
literals() {
	perl -0777 -ne '
		my %esc = (n => "\n", t => "\t", r => "\r", 0 => "\0",
		    "\"" => "\"", "\\" => "\\");
		s{/\*.*?\*/}{}gs;
		while (/((?:"(?:[^"\\\n]|\\.)*"\s*)+)/g) {
			my ($all, $t) = ($1, "");
			$t .= $1 while $all =~ /"((?:[^"\\\n]|\\.)*)"/g;
			$t =~ s/\\x([0-9a-fA-F]{2})/chr(hex($1))/ge;
			$t =~ s/\\(.)/exists $esc{$1} ? $esc{$1} : $1/ge;
			print $t, "\0";
		}' "$1"
}

# split0 PREFIX - NUL-separated inputs on stdin into OUT/PREFIX-N files
split0() {
	OUT=$out PFX=$1 perl -0 -ne 'chomp; next if $_ eq "";
	    my $p = sprintf("%s/%s-%05d", $ENV{OUT}, $ENV{PFX}, ++$n);
	    open(my $f, ">", $p) or die "$p: $!"; print $f $_; close $f;'
}

case $target in
parse)
	{
		sed -n 's/^L //p' tests/cases/*.txt
		for f in "$shared"/corpus/realworld/*.log \
		    "$shared"/corpus/lab/*.log; do
			awk 'NR % 40 == 1' "$f" | head -n 400
		done
	} | split -l 1 -a 5 - "$out/seed-"
	;;
conf)
	cp conf/fivefifty.conf "$out/seed-sample"
	literals tests/test_conf.c | perl -0 -ne 'print if /=/' | split0 seed
	;;
control)
	{
		printf 'status\0unban 192.0.2.50\0ban 198.51.100.7 7200 by hand\0'
		printf 'ban 2001:db8::/64 315360000 dictionary attack\0'
		printf 'ban 192.0.2.1 9223372036854775807 x\0ban 192.0.2.1 0\0'
		printf 'unban\0ban  192.0.2.9   60   two  spaces \0'
		[ -f tests/test_control.c ] && literals tests/test_control.c |
		    perl -0 -ne 'print if /^(ban|unban|status)( |\0)/'
	} | split0 seed
	;;
*)
	echo "usage: $0 SHARED_DIR OUT_DIR [parse|conf|control]" >&2
	exit 64
	;;
esac
touch "$out/.seeded"
echo "fuzz-seed: $(find "$out" -type f -name "seed-*" | wc -l) seeds in $out"

#!/bin/bash
# accuracy.sh - who fivefifty bans on real logs, and the facts that say
# whether each ban was deserved.
#
# usage: bench/accuracy.sh [--no-postfix] [--seed N] [OUTDIR]
#
# Run from the project's top directory after `make fivefifty`. For every
# log of ../shared/corpus/realworld and the lab corpus ../shared/corpus/lab
# (and, unless --no-postfix or not root, one fresh run of a real Postfix by
# tests/postfix-lab.sh with seed N, default 1007), `fivefifty scan` scores
# the log into a fresh state database with a small configuration
# (firewall = off, access_map =, protect_mynetworks = no; for the lab runs
# loopback = 127.0.0.1/32 and the test suite's whitelist 127.253.0.0/16,
# because the lab's clients are 127.x.y.z). Then, for every banned client
# (every ban `scan` printed, expired or not), the facts that decide a
# judgement are gathered from the state (`fivefifty explain`) and from the
# log itself:
#
#   bans     how many bans, and the rules that tipped them
#   evidence the rules of its evidence rows, with counts (explain)
#   name     the most frequent Postfix-verified name of its connect or
#            client= lines ("unknown" = never verified, "-" = no smtpd
#            line: postscreen only)
#   acc      mail accepted: queue id lines "QUEUEID: client=name[addr]"
#   5xx      permanent rejects by class (dnsbl, user = unknown user, relay,
#            helo, sender, client, access, other), classed on Postfix's
#            own words after the echoed <object>: and before "; from="
#   4xx      temporary rejects (never scored by fivefifty)
#   dnsbl    postscreen "DNSBL rank" and dnsblog "listed by" lines
#   sasl     SASL authentication failures and "lost connection after AUTH"
#   ps       postscreen protocol violations (PREGREET, HANGUP, COMMAND
#            PIPELINING, NON-SMTP COMMAND, BARE NEWLINE)
#   auto     a first judgement from those facts (justified / questionable
#            and why); questionable bans are then read by hand, see
#            bench/accuracy.md.
#
# Log lines are data only: they are read by awk on fixed fields and never
# reach a shell command line except as an address that matched
# ^[0-9A-Fa-f.:]+$ (taken from scan's own output).
#
# Output: one TAB-separated line per banned client on standard output
# (also OUTDIR/bans.tsv), a summary per log (OUTDIR/summary.tsv and on
# standard error), the lab verdicts against the truth file
# (OUTDIR/lab-*.tsv). OUTDIR defaults to a new directory under /tmp.
set -euo pipefail
shopt -s nullglob

top=$(pwd)
bin=$top/fivefifty
shared=${FIVEFIFTY_SHARED:-$top/../shared}
postfix=1
seed=1007
while [ $# -gt 0 ]; do
	case $1 in
	--no-postfix) postfix=0; shift ;;
	--seed) seed=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "accuracy.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
	*) break ;;
	esac
done
out=${1:-$(mktemp -d /tmp/fivefifty-accuracy.XXXXXX)}
mkdir -p "$out"

die() { echo "accuracy.sh: $*" >&2; exit 1; }
[ -x "$bin" ] || die "$bin is missing: run 'make fivefifty' first"
[ -d "$shared/corpus/realworld" ] ||
    die "no corpus at $shared/corpus/realworld (set FIVEFIFTY_SHARED)"

# The facts gathered for the banned clients of one log, by one awk pass.
# Arguments: -v banned=FILE (one address or ADDR/LEN per line); the log.
# Prints addr TAB name TAB acc TAB 5xx-by-class TAB n5xx TAB n4xx TAB dnsbl
# TAB sasl TAB ps TAB sessions.
facts_awk='
function v4(a,   p, n) {
	n = split(a, p, ".")
	if (n != 4) return -1
	return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4]
}
function v6full(a,   n, h, i, j, k, left, right, nl, nr, out) {
	# eight 4-digit groups, lower case, no "::"
	a = tolower(a)
	if (index(a, "::") > 0) {
		left = substr(a, 1, index(a, "::") - 1)
		right = substr(a, index(a, "::") + 2)
		nl = left == "" ? 0 : split(left, L, ":")
		nr = right == "" ? 0 : split(right, R, ":")
		k = 0
		for (i = 1; i <= nl; i++) h[++k] = L[i]
		for (i = 0; i < 8 - nl - nr; i++) h[++k] = "0"
		for (i = 1; i <= nr; i++) h[++k] = R[i]
	} else {
		k = split(a, h, ":")
	}
	out = ""
	for (i = 1; i <= 8; i++) {
		j = h[i]
		while (length(j) < 4) j = "0" j
		out = out (i > 1 ? ":" : "") j
	}
	return out
}
# owner - the banned entry (address or prefix) an address belongs to, or ""
function owner(a,   i, x, l, m) {
	if (a in exact) return exact[a]
	if (index(a, ":") > 0 && (v6full(a) in exact6)) return exact6[v6full(a)]
	for (i = 1; i <= np; i++) {
		l = plen[i]
		if (index(a, ":") > 0 && index(pnet[i], ":") > 0) {
			# /64 and other multiples of 16 bits only
			if (substr(v6full(a), 1, l / 16 * 5 - 1) == \
			    substr(v6full(pnet[i]), 1, l / 16 * 5 - 1))
				return pfx[i]
		} else if (index(a, ":") == 0 && index(pnet[i], ":") == 0) {
			m = 2 ^ (32 - l)
			x = v4(a)
			if (x >= 0 && int(x / m) == int(v4(pnet[i]) / m))
				return pfx[i]
		}
	}
	return ""
}
BEGIN {
	while ((getline b < banned) > 0) {
		order[++nb] = b
		if (index(b, "/") > 0) {
			pfx[++np] = b
			pnet[np] = substr(b, 1, index(b, "/") - 1)
			plen[np] = substr(b, index(b, "/") + 1) + 0
		} else {
			exact[b] = b
			if (index(b, ":") > 0) exact6[v6full(b)] = b
		}
	}
}
{
	line = $0
	# The message: after the first "]: " (program[pid]: ), less a
	# Solaris "[ID n facility]" tag.
	i = index(line, "]: ")
	if (i == 0) next
	msg = substr(line, i + 3)
	if (substr(msg, 1, 4) == "[ID " && index(msg, "] ") > 0)
		msg = substr(msg, index(msg, "] ") + 2)
	prog = substr(line, 1, i)
	sub(/\[[0-9]*\]$/, "", prog)
	sub(/.* /, "", prog)
	sub(/.*\//, "", prog)
	# The client: the first [address] of the message.
	if (!match(msg, /\[[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]*\]/)) {
		# dnsblog: "addr listed by domain"
		if (prog == "dnsblog" && match(msg, /^[0-9A-Fa-f.:]+ listed by /)) {
			a = substr(msg, 1, index(msg, " ") - 1)
			if ((o = owner(a)) != "") dnsbl[o]++
		}
		next
	}
	a = substr(msg, RSTART + 1, RLENGTH - 2)
	sub(/^[Ii][Pp][Vv]6:/, "", a)
	if ((o = owner(a)) == "") next
	pre = substr(msg, 1, RSTART - 1)
	post = substr(msg, RSTART + RLENGTH)
	nm = pre
	sub(/.*[ =]/, "", nm)		# the name just before [addr]
	if (prog == "smtpd" && substr(msg, 1, 13) == "connect from ") {
		sess[o]++
		if (nm != "unknown" && nm != "") names[o, nm]++
		else seenunk[o] = 1
		next
	}
	if (prog == "smtpd" && msg ~ /^[0-9A-Za-z]+: client=/) {
		acc[o]++
		if (nm != "unknown" && nm != "") names[o, nm]++
		next
	}
	if (prog == "postscreen") sub(/^:[0-9]+/, "", post)	# [addr]:port
	if (msg ~ /(^|: )(reject|milter-reject): / && substr(post, 1, 2) == ": ") {
		r = substr(post, 3)
		code = substr(r, 1, 1)
		# Postfix own words: after the last ">: " of the echoed object
		# and before the "; from=<" tail.
		t = r
		j = index(t, "; from=<")
		if (j > 0) t = substr(t, 1, j - 1)
		while ((j = index(t, ">: ")) > 0) t = substr(t, j + 3)
		c = "other"
		if (t ~ /blocked using/) c = "dnsbl"
		else if (t ~ /User unknown|undeliverable address|[Uu]nknown user|verification failed/) c = "user"
		else if (t ~ /Relay access denied/) c = "relay"
		else if (t ~ /Helo command rejected/) c = "helo"
		else if (t ~ /Sender address rejected/) c = "sender"
		else if (t ~ /Client host rejected/) c = "client"
		else if (t ~ /Access denied/) c = "access"
		if ((j = index(r, ", helo=<")) > 0) {
			h = substr(r, j + 8)
			sub(/>.*/, "", h)
			gsub(/[^A-Za-z0-9._:\[\]-]/, "?", h)	# data, not markup
			helos[o, substr(h, 1, 48)]++
		}
		if (code == "5") { n5[o]++; cls[o, c]++; clsseen[c] = 1 }
		else if (code == "4") n4[o]++
		next
	}
	if (msg ~ /SASL [A-Za-z0-9_-]+ authentication failed/ || msg ~ /^lost connection after AUTH /) {
		sasl[o]++
		next
	}
	if (prog == "postscreen") {
		if (msg ~ /^(PREGREET|HANGUP|COMMAND PIPELINING|NON-SMTP COMMAND|BARE NEWLINE) /) ps[o]++
		else if (msg ~ /^DNSBL rank /) dnsbl[o]++
		next
	}
	if (msg ~ /^too many errors after /) tme[o]++
}
END {
	for (k = 1; k <= nb; k++) {
		o = order[k]
		best = ""; bn = 0
		for (key in names) {
			split(key, kk, SUBSEP)
			if (kk[1] == o && names[key] > bn) { bn = names[key]; best = kk[2] }
		}
		if (best == "") best = (o in seenunk) || (o in acc) ? "unknown" : "-"
		if (best == "unknown" || best == "-") {
			hb = ""; bn = 0
			for (key in helos) {
				split(key, kk, SUBSEP)
				if (kk[1] == o && helos[key] > bn) { bn = helos[key]; hb = kk[2] }
			}
			if (hb != "") best = best " (helo " hb ")"
		}
		s = ""
		for (c in clsseen)
			if ((o, c) in cls) s = s (s == "" ? "" : ",") c "=" cls[o, c]
		if (s == "") s = "-"
		printf "%s\t%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", o, best, \
		    acc[o], s, n5[o], n4[o], dnsbl[o], sasl[o], ps[o], tme[o], sess[o]
	}
}'

# A first judgement from the facts (column numbers of the bans.tsv line).
judge_awk='
BEGIN { FS = OFS = "\t" }
{
	name = $6; acc = $7; cls = $8; n5 = $9; dn = $11; sasl = $12; ps = $13
	tme = $14; ev = $5
	big = name ~ /(google|gmail|outlook|hotmail|yahoo|gmx|web\.de|aol|amazonses|sendgrid|mailchimp|mcsv|mandrill|sparkpost|mailgun|icloud|apple|facebook|linkedin|protection\.outlook)\./ || \
	    name ~ /(^|[.( ])(lists?|mailman|listserv|majordomo|mout[a-z-]*|mail-[a-z0-9-]+)[0-9]*\./
	user = 0
	if (match(cls, /user=[0-9]+/)) user = substr(cls, RSTART + 5, RLENGTH - 5) + 0
	if (acc > 0) { j = "questionable"; why = "mail accepted from it (" acc ")" }
	else if (big) { j = "questionable"; why = "a big provider or list server by its verified name or HELO" }
	else if (ps >= 1) { j = "justified"; why = "postscreen protocol violations (" ps "), nothing accepted" }
	else if (sasl >= 10) { j = "justified"; why = "SASL guessing (" sasl " failures), nothing accepted" }
	else if (user >= 8 || tme >= 1 && n5 >= 5) { j = "justified"; why = "dictionary attack (" n5 " rejects, " user " unknown users), nothing accepted" }
	else if (n5 >= 2 && cls ~ /dnsbl/ && cls !~ /,/) { j = "justified"; why = "DNSBL-listed, " n5 " DNSBL rejects, nothing accepted" }
	else if (n5 >= 2) { j = "justified"; why = n5 " permanent rejects (" cls "), nothing accepted" }
	else if (dn >= 1 && n5 >= 1) { j = "justified"; why = "DNSBL-listed and rejected, nothing accepted" }
	else if (ev ~ /silent session|non-SMTP command/ && $15 >= 5) { j = "justified"; why = "a scanner: " $15 " sessions without mail (" ev "), nothing accepted" }
	else { j = "questionable"; why = "little evidence: " n5 " 5xx, " sasl " SASL, " ps " postscreen" }
	print $0, j, why
}'

# scan_one NAME LOG CONF - score LOG into a fresh database; bans and facts
scan_one() {
	local name=$1 log=$2 conf=$3 d lines clients
	d=$out/$name
	mkdir -p "$d"
	cp "$conf" "$d/fivefifty.conf"
	rm -f "$d/state.db" "$d/state.db-wal" "$d/state.db-shm"
	"$bin" -c "$d/fivefifty.conf" scan --db "$d/state.db" "$log" \
	    >"$d/scan.out" 2>"$d/scan.err" ||
	    die "fivefifty scan $log failed: $(cat "$d/scan.err")"
	lines=$(wc -l <"$log")
	clients=$(sed -n 's/.* events, \([0-9]*\) clients watched.*/\1/p' \
	    "$d/scan.err")
	# "ban ADDR at T until T (ban N, score S): RULE"
	awk '$1 == "ban" && $2 ~ /^[0-9A-Fa-f.:]+(\/[0-9]+)?$/ {
		rule = $0; sub(/^[^)]*\): /, "", rule)
		if (!($2 in n)) order[++k] = $2
		n[$2]++; r[$2, rule]++
		if (!(($2, rule) in seen)) { seen[$2, rule] = 1; rl[$2] = rl[$2] (rl[$2] == "" ? "" : ",") rule }
	}
	END {
		for (i = 1; i <= k; i++) {
			a = order[i]; s = ""
			split(rl[a], rr, ",")
			for (j = 1; j in rr; j++) s = s (j > 1 ? ", " : "") rr[j] " x" r[a, rr[j]]
			printf "%s\t%d\t%s\n", a, n[a], s
		}
	}' "$d/scan.out" >"$d/bans"
	cut -f1 "$d/bans" >"$d/banned"
	awk -v banned="$d/banned" "$facts_awk" "$log" >"$d/facts"
	# Evidence rules from explain (the address is scan's, checked above).
	: >"$d/evidence"
	while IFS= read -r a; do
		"$bin" -c "$d/fivefifty.conf" explain --db "$d/state.db" \
		    "${a%/*}" >"$d/explain.$(echo "$a" | tr '/:' '_-')" 2>&1 || true
		awk -v a="$a" '
		/^  evidence/ { on = 1; next }
		/^    score now/ || /^  bans:/ { on = 0 }
		on && $1 ~ /^[0-9][0-9][0-9][0-9]-/ {
			rule = $0; sub(/^ *[^ ]+ +[^ ]+ +[^ ]+ +/, "", rule)
			sub(/:.*/, "", rule)
			if (!(rule in c)) o[++k] = rule
			c[rule]++
		}
		END {
			s = ""
			for (i = 1; i <= k; i++) s = s (i > 1 ? ", " : "") o[i] " " c[o[i]]
			printf "%s\t%s\n", a, s == "" ? "-" : s
		}' "$d/explain.$(echo "$a" | tr '/:' '_-')" >>"$d/evidence"
	done <"$d/banned"
	# join bans, evidence, facts on the address (same order: banned)
	paste "$d/bans" <(cut -f2 "$d/evidence") <(cut -f2- "$d/facts") |
	    awk -v lg="$name" 'BEGIN { FS = OFS = "\t" } { print lg, $0 }' |
	    awk "$judge_awk" >"$d/bans.tsv"
	cat "$d/bans.tsv"
	cat "$d/bans.tsv" >>"$out/bans.tsv"
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$lines" "${clients:-?}" \
	    "$(wc -l <"$d/banned")/$(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$d/bans")" \
	    "$(grep -c '	justified	' "$d/bans.tsv" || true)" \
	    "$(grep -c '	questionable	' "$d/bans.tsv" || true)" \
	    >>"$out/summary.tsv"
}

# lab_truth NAME TRUTH - offenders banned, legitimate clients banned
lab_truth() {
	local name=$1 truth=$2 d
	d=$out/$name
	awk -v banned="$d/banned" '
	'"$(printf '%s\n' "$facts_awk" | sed -n '/^function v4/,/^BEGIN {/p' | sed '$d')"'
	BEGIN {
		while ((getline b < banned) > 0) {
			if (index(b, "/") > 0) {
				pfx[++np] = b
				pnet[np] = substr(b, 1, index(b, "/") - 1)
				plen[np] = substr(b, index(b, "/") + 1) + 0
			} else {
				exact[b] = b
				if (index(b, ":") > 0) exact6[v6full(b)] = b
			}
		}
		FS = "\t"
	}
	NF >= 3 {
		was = owner($1) != ""
		tot[$2 "\t" $3]++
		if (was) hit[$2 "\t" $3]++
		if ($3 == "ban") { nban++; if (was) okban++; else miss = miss " " $1 "(" $2 ")" }
		if ($3 == "keep") { nkeep++; if (was) { badkeep++; wrong = wrong " " $1 "(" $2 ")" } }
	}
	END {
		for (k in tot) printf "%s\t%s\t%d\t%d\n", name, k, tot[k], hit[k] > detail
		printf "%s\t%d/%d\t%d/%d\t%s\t%s\n", name, okban, nban, badkeep + 0, nkeep, \
		    miss == "" ? "-" : "missed:" miss, wrong == "" ? "-" : "wrongly banned:" wrong
	}' name="$name" detail="$out/lab-$name.tsv" "$truth" >>"$out/lab.tsv"
}

conf="$out/realworld.conf"
printf '%s\n' 'firewall = off' 'access_map =' 'protect_mynetworks = no' >"$conf"
labconf="$out/lab.conf"
cat "$conf" >"$labconf"
printf '%s\n' 'loopback = 127.0.0.1/32' 'whitelist = 127.253.0.0/16' >>"$labconf"

: >"$out/bans.tsv"
: >"$out/summary.tsv"
: >"$out/lab.tsv"
printf '# log\taddr\tbans\ttipped by\tevidence\tname\taccepted\t5xx by class\t5xx\t4xx\tdnsbl listings\tsasl failures\tpostscreen violations\ttoo many errors\tsessions\tjudgement\twhy\n'
for log in "$shared"/corpus/realworld/*.log; do
	name=$(basename "$log" .log)
	if grep -q '^%(day)s' "$log"; then
		# the modoboa template: its day placeholder made a date
		sed 's/^%(day)s/Jan 11/' "$log" >"$out/$name.log"
		log=$out/$name.log
	fi
	scan_one "$name" "$log" "$conf"
done
for log in "$shared"/corpus/lab/*.log; do
	name=$(basename "$log" .log)
	scan_one "$name" "$log" "$labconf"
	lab_truth "$name" "${log%.log}.truth.tsv"
done
if [ "$postfix" = 1 ] && [ "$(id -u)" = 0 ] &&
    { command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ]; }; then
	echo "accuracy.sh: a real Postfix run (tests/postfix-lab.sh, seed $seed)..." >&2
	rm -rf "$out/pflab"
	if bash "$top/tests/postfix-lab.sh" "$out/pflab" "$seed" >"$out/pflab.out" 2>&1; then
		scan_one "postfix-lab-seed$seed" "$out/pflab/mail.log" "$labconf"
		lab_truth "postfix-lab-seed$seed" "$out/pflab/truth.tsv"
	else
		echo "accuracy.sh: tests/postfix-lab.sh failed (see $out/pflab.out); no real Postfix row" >&2
	fi
else
	echo "accuracy.sh: no real Postfix run (--no-postfix, not root or no Postfix)" >&2
fi

# One markdown table per log (bench/accuracy.md is made from it).
awk -F'\t' '
function md(s) { gsub(/\|/, "\\|", s); return s }
$1 != cur {
	cur = $1
	printf "\n### %s\n\n", cur
	print "| address | name | bans | tipped by | evidence | accepted | 5xx (class) | 4xx | DNSBL | SASL | postscreen | judgement | reason |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
}
{
	printf "| %s | %s | %s | %s | %s | %s | %s %s | %s | %s | %s | %s | %s | %s |\n", \
	    $2, md($6), $3, $4, $5, $7, $9, ($8 == "-" ? "" : "(" $8 ")"), $10, $11, $12, $13, $16, $17
}' "$out/bans.tsv" >"$out/accuracy-tables.md"

{
	echo "fivefifty $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$top" diff --quiet HEAD -- . 2>/dev/null || echo '+changes'), bench/accuracy.sh, results in $out"
	printf '%-34s %8s %8s %12s %10s %13s\n' log lines clients banned/bans justified questionable
	awk -F'\t' '{ printf "%-34s %8s %8s %12s %10s %13s\n", $1, $2, $3, $4, $5, $6 }' "$out/summary.tsv"
	if [ -s "$out/lab.tsv" ]; then
		echo
		printf '%-34s %18s %18s\n' "lab run" "offenders banned" "legitimate banned"
		awk -F'\t' '{ printf "%-34s %18s %18s  %s %s\n", $1, $2, $3, $4 == "-" ? "" : $4, $5 == "-" ? "" : $5 }' "$out/lab.tsv"
	fi
} | tee "$out/summary.txt" >&2

#!/bin/sh
# fw.sh - banning speed: fivefifty's one netlink batch against `nft add
# element`, one address per process (how fail2ban and sshguard ban).
#
# usage: bench/fw.sh        (root; make bench-fw builds and runs it)
#
#   FW_BANS   addresses fivefifty bans in one flush (default 100000)
#   NFT_BANS  addresses added with one `nft add element` each (default
#             2000; the per-address time is what matters, and 100 000
#             processes would take minutes)
#
# Both run in private network namespaces (unshare -n): the host's ruleset
# is never touched. Writes bench/out/fw.md and prints it.
set -eu

FW_BANS=${FW_BANS:-100000}
NFT_BANS=${NFT_BANS:-2000}
OUT=bench/out
FWBENCH=build/rel/bench/fwbench
mkdir -p "$OUT"
[ "$(id -u)" -eq 0 ] || { echo "bench/fw.sh: needs root" >&2; exit 1; }
command -v nft >/dev/null || { echo "bench/fw.sh: nft is missing" >&2; exit 1; }

echo "bench: fivefifty bans $FW_BANS addresses in one flush" >&2
unshare -n "$FWBENCH" "$FW_BANS" >"$OUT/fwbench.txt"
fb() { sed -n "s/^$1=//p" "$OUT/fwbench.txt"; }

echo "bench: nft add element, $NFT_BANS processes" >&2
unshare -n sh -c '
	nft add table inet b
	nft add set inet b s "{ type ipv4_addr; flags timeout, interval; }"
	n=$1
	start=$(date +%s.%N)
	i=0
	while [ "$i" -lt "$n" ]; do
		nft add element inet b s "{ 10.$((i >> 15)).$(((i >> 7) & 255)).$(((i & 127) * 2)) timeout 1h }"
		i=$((i + 1))
	done
	end=$(date +%s.%N)
	echo "nft_s=$(echo "$end - $start" | bc -l)"
	echo "nft_count=$(nft -j list set inet b s | python3 -c "import json,sys; print(sum(len(o[\"set\"].get(\"elem\", [])) for o in json.load(sys.stdin)[\"nftables\"] if \"set\" in o))")"
' sh "$NFT_BANS" >"$OUT/nftbench.txt"
nb() { sed -n "s/^$1=//p" "$OUT/nftbench.txt"; }

ff_rate=$(fb rate)
nft_rate=$(echo "$NFT_BANS / $(nb nft_s)" | bc -l)
{
	echo "## Banning: one netlink batch vs one nft process per address"
	echo
	echo "- command: \`FW_BANS=$FW_BANS NFT_BANS=$NFT_BANS make bench-fw\`"
	echo "- machine: $(nproc) CPUs, Linux $(uname -r), $(nft --version)"
	echo
	echo "| method | addresses | seconds | addresses/s |"
	echo "|---|---:|---:|---:|"
	printf '| fivefifty, one flush (%s batch) | %s | %.3f | %.0f |\n' \
	    "$(fb batches)" "$(fb bans)" "$(fb flush_s)" "$ff_rate"
	printf '| `nft add element`, one process each | %s | %.3f | %.0f |\n' \
	    "$(nb nft_count)" "$(nb nft_s)" "$nft_rate"
	echo
	printf 'fivefifty is %.0fx faster per address; %s addresses would take\n' \
	    "$(echo "$ff_rate / $nft_rate" | bc -l)" "$FW_BANS"
	printf 'about %.0f s one process each. The kernel held %s of %s after\n' \
	    "$(echo "$FW_BANS / $nft_rate" | bc -l)" "$(fb read_back)" "$(fb bans)"
	printf 'the flush (read back by a dump in %.3f s). Aim: at least 100000\n' \
	    "$(fb read_s)"
	echo "addresses/s."
} >"$OUT/fw.md"
cat "$OUT/fw.md"

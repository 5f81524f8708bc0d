#!/bin/sh
# cluster.sh - bans shared between nodes on one PostgreSQL state: how soon
# a ban made on one node is in another node's kernel set, and how long a
# node takes to start with 100,000 bans in force.
#
# usage: bench/cluster.sh   (root; make bench-cluster builds and runs it)
#
#   PROP_BANS   bans made on node A one after another (default 300)
#   RECON_BANS  bans in force when node B starts (default 100000)
#
# A private PostgreSQL server (tests/pg-cluster.sh, in a temporary
# directory) and two daemons, node-a and node-b (each its own host name:
# a UTS namespace; its own table inet fivefifty_a / _b), re-run in a
# private network namespace (unshare -n): the host's ruleset and its
# PostgreSQL are never touched.
# 1. Propagation: a `ban ADDR SECONDS` request is sent to A's control
#    socket; the time is taken from just before it is sent to the moment
#    the element appears in B's set (an `nft monitor` of this namespace,
#    each line stamped as it comes). That is A's ban, its state write and
#    commit (the NOTIFY goes out at the commit), B's fetch of the event,
#    and B's netlink batch. p50, p90, p99, max.
# 2. Reconcile: RECON_BANS bans of another node are inserted into the
#    state (SQL), then B is started: the time from its start to READY
#    (its control socket answers), with every ban in its set.
# Writes bench/out/cluster.md and prints it.
set -eu
export LC_ALL=C

cd "$(dirname "$0")/.."

PROP_BANS=${PROP_BANS:-300}
RECON_BANS=${RECON_BANS:-100000}
FIVEFIFTY=${FIVEFIFTY:-./fivefifty}
OUT=bench/out

die() {
	echo "bench/cluster.sh: $*" >&2
	exit 1
}

for v in PROP_BANS RECON_BANS; do
	val=$(eval "echo \"\$$v\"")
	case $val in
	'' | *[!0-9]*) die "$v must be a whole number" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "needs root (namespaces, nftables, PostgreSQL)"
[ -x "$FIVEFIFTY" ] || die "$FIVEFIFTY missing; run make fivefifty"
command -v python3 >/dev/null || die "python3 missing"
command -v nft >/dev/null || die "nft missing (nftables)"

if [ -z "${FIVEFIFTY_CLUSTER_NS:-}" ]; then
	command -v unshare >/dev/null || die "unshare (util-linux) missing"
	FIVEFIFTY_CLUSTER_NS=1 exec unshare -n "$0" "$@"
fi

FIVEFIFTY=$(cd "$(dirname "$FIVEFIFTY")" && pwd)/$(basename "$FIVEFIFTY")
mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/fivefifty-cluster.XXXXXX)
chmod 0755 "$tmp"
pida=""
pidb=""
cleanup() {
	for p in $pida $pidb; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	tests/pg-cluster.sh stop "$tmp/pg" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

uri=$(tests/pg-cluster.sh start "$tmp/pg") || die "PostgreSQL did not start"
# The socket directory percent-encoded: until the daemon keeps its files
# apart from a PostgreSQL state_db, it makes them after the URI's last '/'
# (in its working directory).
enc=$(printf '%s' "$tmp/pg/sock" | sed 's|/|%2F|g')
node_uri="postgresql:///fivefifty?user=fivefifty&host=$enc"

for n in a b; do
	mkdir -p "$tmp/$n"
	: >"$tmp/$n/mail.log"
	cat >"$tmp/$n/ff.conf" <<EOF
state_db = $node_uri
log_source = file
mail_log = $tmp/$n/mail.log
user =
control_socket = $tmp/$n/ctl.sock
control_group =
loopback = 127.0.0.1/32
protect_mynetworks = no
access_map = texthash:$tmp/$n/access
firewall_table = inet fivefifty_$n
firewall_required = yes
ban_rate_limit = 0
EOF
done

# start_node N - the daemon of node-N as its own host, in the background;
# its pid in $started
start_node() {
	unshare --uts sh -c "hostname node-$1 && cd $tmp/$1 && exec \
	    $FIVEFIFTY run -c ff.conf" 2>>"$tmp/$1/daemon.log" &
	started=$!
}

# ready N PID - until node-N's control socket answers
ready() {
	i=0
	until "$FIVEFIFTY" -c "$tmp/$1/ff.conf" status >/dev/null 2>&1; do
		kill -0 "$2" 2>/dev/null ||
		    die "node-$1 exited: $(tail -n 5 "$tmp/$1/daemon.log")"
		i=$((i + 1))
		[ "$i" -lt 60000 ] || die "node-$1 did not answer in 10 min"
		sleep 0.005
	done
}

echo "bench: PostgreSQL, node-a and node-b in a private namespace" >&2
start_node a
pida=$started
start_node b
pidb=$started
ready a "$pida"
ready b "$pidb"

echo "bench: $PROP_BANS bans on node-a, watched in node-b's set" >&2
python3 - "$tmp/a/ctl.sock" "$PROP_BANS" >"$OUT/cluster-prop.txt" <<'EOF'
import socket, subprocess, sys, threading, time
sock, n = sys.argv[1], int(sys.argv[2])
seen = {}
ev = threading.Event()
mon = subprocess.Popen(["nft", "monitor", "new", "elements"],
    stdout=subprocess.PIPE, text=True, bufsize=1)
def watch():
    for line in mon.stdout:
        t = time.monotonic()
        if "fivefifty_b" in line:
            for w in line.replace("{", " ").replace("}", " ").split():
                if w.startswith("10.77.") and w not in seen:
                    seen[w] = t
            ev.set()
threading.Thread(target=watch, daemon=True).start()
time.sleep(0.5)    # the monitor subscribed
lat = []
for i in range(n):
    addr = "10.77.%d.%d" % (i // 250, i % 250 + 1)
    ev.clear()
    t0 = time.monotonic()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    s.sendall(("ban %s 3600 bench\n" % addr).encode())
    reply = b""
    while not reply.endswith(b"ok\n") and b"error" not in reply:
        d = s.recv(4096)
        if not d:
            break
        reply += d
    s.close()
    end = time.monotonic() + 10
    while addr not in seen and time.monotonic() < end:
        ev.wait(0.05)
        ev.clear()
    if addr not in seen:
        sys.exit("%s not in node-b's set within 10 s" % addr)
    lat.append((seen[addr] - t0) * 1000)
mon.kill()
lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(len(lat) * p / 100))]
print("bans %d p50 %.1f p90 %.1f p99 %.1f max %.1f" % (len(lat), pct(50),
    pct(90), pct(99), lat[-1]))
EOF
prop=$(cat "$OUT/cluster-prop.txt")

echo "bench: $RECON_BANS bans of another node, then node-b started" >&2
kill -TERM "$pidb"
wait "$pidb" || true
pidb=""
nft delete table inet fivefifty_b 2>/dev/null || true
psql -X -q -d "$uri" -v ON_ERROR_STOP=1 >/dev/null <<EOF
INSERT INTO bans (addr, prefix_len, family, at, until, n, score, reason,
    manual, node)
SELECT host('10.0.0.0'::inet + i), 32, 4, extract(epoch FROM now())::bigint,
    extract(epoch FROM now())::bigint + 7200, 1, 10, 'bench', 0, 'node-x'
FROM generate_series(1, $RECON_BANS) i;
EOF
t0=$(date +%s.%N)
start_node b
pidb=$started
ready b "$pidb"
t1=$(date +%s.%N)
elems=$(nft list set inet fivefifty_b offenders4 | tr ',' '\n' |
    grep -c 'expires' || true)
recon=$(echo "$t1 - $t0" | bc -l)

{
	echo "# Shared bans between nodes (bench/cluster.sh)"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs," \
	    "$(psql -X -At -d "$uri" -c 'SHOW server_version'), one machine"
	echo
	echo "| what | figure |"
	echo "|---|---|"
	set -- $prop
	echo "| ban on node-a to element in node-b's set, $2 bans (ms) |" \
	    "p50 $4, p90 $6, p99 $8, max ${10} |"
	printf '| node-b start to READY with %s bans in force (s) | %.2f |\n' \
	    "$RECON_BANS" "$recon"
	echo "| elements in node-b's set at READY | $elems |"
} >"$OUT/cluster.md"
cat "$OUT/cluster.md"

# postfix-instance.sh - a private Postfix instance in its own network
# namespace, for the test scripts (sourced, not run).
#
#   pf_init NAME DIR NS   check root and tools, make DIR (emptied) with its
#                         queue and data directories; sets $dir (absolute),
#                         $ns, and $NX (":" until the namespace exists);
#                         stops the instance and removes the namespace at
#                         exit
#   pf_master             DIR/master.cf: Debian's, with a postlog service
#                         (maillog_file without syslog)
#   pf_netns              the namespace, lo up; $NX runs a command in it
#   pf_postmap MAP...     postmap -c DIR hash:DIR/MAP in the namespace
#                         (postmap checks inet_interfaces)
#   pf_start              postfix check and start, then wait (5 s at most)
#                         for 127.0.0.1:25
#
# The caller writes DIR/main.cf between pf_init and pf_start (pf_main_cf
# gives the lines every instance needs, pf_site_cf those of the usual
# one-domain site). The system's
# Postfix and /etc/postfix are never touched (master.cf is only read).

# pf_init NAME DIR NS - see above
pf_init() {
	local t
	pf_name=$1
	ns=$3
	NX=":"
	[ "$(id -u)" -eq 0 ] || { echo "$pf_name: needs root" >&2; exit 1; }
	for t in postfix swaks ip postmap nsenter; do
		command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] ||
		    { echo "$pf_name: $t is missing" >&2; exit 1; }
	done
	mkdir -p "$2"
	dir=$(cd "$2" && pwd)
	rm -rf "${dir:?}"/*
	mkdir -p "$dir/queue" "$dir/data"
	chown postfix:postfix "$dir/data"
	trap pf_cleanup EXIT
}

# pf_main_cf - the main.cf lines every instance has (its own queue and
# log file, no DNS lookups of clients, no aliases); the caller appends the
# rest:  pf_main_cf >"$dir/main.cf"; cat >>"$dir/main.cf" <<EOF ...
pf_main_cf() {
	cat <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/mail.log
maillog_file_prefixes = $dir
smtpd_peername_lookup = no
alias_maps =
alias_database =
EOF
}

# pf_site_cf - the main.cf lines of the one-domain site most scripts run
# (mx.example.test on 127.0.0.1, IPv4, only 127.0.0.1 in mynetworks so
# that every other 127.x.y.z is a stranger; recipients from
# DIR/recipients; mail discarded); after pf_main_cf, before the caller's
# restrictions
pf_site_cf() {
	cat <<EOF
myhostname = mx.example.test
mydomain = example.test
mydestination = example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
local_recipient_maps = hash:$dir/recipients
local_transport = discard:
default_transport = discard:
EOF
}

# pf_cleanup - stop the instance, kill what is left, drop the namespace
pf_cleanup() {
	$NX postfix -c "$dir" stop >/dev/null 2>&1 || true
	sleep 0.5
	ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
}

# pf_master - master.cf with postlogd
pf_master() {
	cp /etc/postfix/master.cf "$dir/master.cf"
	grep -q '^postlog' "$dir/master.cf" ||
	    echo 'postlog   unix-dgram n  -       n       -       1       postlogd' \
		>>"$dir/master.cf"
}

# pf_netns - the namespace; nsenter switches only the network namespace
# and, unlike "ip netns exec", also works where / is not a mount point (a
# chroot, some containers)
pf_netns() {
	ip netns add "$ns"
	NX="nsenter --net=/run/netns/$ns"
	$NX ip link set lo up
}

# pf_postmap MAP... - build hash maps of DIR
pf_postmap() {
	local m
	for m in "$@"; do
		$NX postmap -c "$dir" "hash:$dir/$m"
	done
}

# pf_start - start the instance and wait for its port
pf_start() {
	$NX postfix -c "$dir" check
	$NX postfix -c "$dir" start
	for _ in $(seq 50); do
		$NX bash -c 'exec 3<>/dev/tcp/127.0.0.1/25' 2>/dev/null &&
		    return 0
		sleep 0.1
	done
	echo "$pf_name: Postfix did not open 127.0.0.1:25" >&2
	exit 1
}

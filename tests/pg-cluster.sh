#!/bin/sh
# pg-cluster.sh - a private PostgreSQL server for the tests
#
# usage: tests/pg-cluster.sh start DIR    prints the connection URI
#        tests/pg-cluster.sh stop DIR     stops it and removes DIR
#        tests/pg-cluster.sh down DIR     stops it, keeping DIR (an outage)
#        tests/pg-cluster.sh up DIR       starts it again after down
#
# As root: a cluster of Debian's postgresql package (version 15) is
# initdb'd in DIR/data, owned by the postgres user, and started with
# pg_ctl listening on a unix socket in DIR/sock only (no TCP). A role
# fivefifty (LOGIN, no superuser, no CREATEDB) and its database fivefifty
# are made, and a role fivefifty_postfix (for Postfix's pgsql: table);
# the URI printed is the libpq connection URI of the role fivefifty and
# its database. The system cluster (/var/lib/postgresql, /run/postgresql) is
# never touched. stop stops the server (fast, then immediate) and removes
# DIR. Exits 77 (skip) when not root or PostgreSQL is not installed, 1
# with the server's log on any other failure.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ $# -eq 2 ] || { echo "usage: $0 start|stop|down|up DIR" >&2; exit 64; }
cmd=$1
dir=$2
as_pg() { runuser -u postgres -- "$@"; }

# pg_up - the server of DIR started, on its own socket only (never the
# system's /run/postgresql, never TCP)
pg_up() {
	if ! as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	    -t 60 -o "-k $dir/sock -c listen_addresses='' -c fsync=off" \
	    start >/dev/null 2>&1; then
		cat "$dir/server.log" >&2 || true
		echo "pg-cluster: pg_ctl start $dir/data failed (above)" >&2
		exit 1
	fi
}

case "$cmd" in
start)
	if [ "$(id -u)" -ne 0 ]; then
		echo "pg-cluster: needs root (initdb runs as postgres)" >&2
		exit 77
	fi
	if [ ! -x "$PGBIN/initdb" ] || ! getent passwd postgres >/dev/null
	then
		echo "pg-cluster: $PGBIN/initdb or the postgres user missing:" \
		    "apt-get install postgresql (make deps-test)" >&2
		exit 77
	fi
	mkdir -p "$dir/sock"
	chown -R postgres: "$dir"
	chmod 0755 "$dir" "$dir/sock"
	if ! as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -E UTF8 \
	    --locale=C --auth-local=trust --auth-host=reject \
	    >"$dir/initdb.log" 2>&1; then
		cat "$dir/initdb.log" >&2
		echo "pg-cluster: initdb $dir/data failed (above)" >&2
		exit 1
	fi
	pg_up
	as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" \
	    -U postgres -d postgres >/dev/null <<SQL
CREATE ROLE fivefifty LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE fivefifty_postfix LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE fivefifty OWNER fivefifty;
CREATE DATABASE fivefifty_b OWNER fivefifty;
SQL
	echo "postgresql:///fivefifty?host=$dir/sock&user=fivefifty"
	;;
stop)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop \
		    >/dev/null 2>&1 ||
		as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop \
		    >/dev/null 2>&1 || true
	fi
	# Only a directory this script made: its data has PG_VERSION.
	if [ -f "$dir/data/PG_VERSION" ] || [ -d "$dir/sock" ]; then
		rm -rf "$dir"
	fi
	;;
down)
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
	;;
up)
	[ -f "$dir/data/PG_VERSION" ] || { echo "pg-cluster: $dir: no" \
	    "server made by this script" >&2; exit 1; }
	pg_up
	;;
*)	echo "usage: $0 start|stop|down|up DIR" >&2; exit 64 ;;
esac

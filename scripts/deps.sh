#!/bin/sh
# deps.sh - install the Debian packages a make target needs, when missing.
#
# usage: scripts/deps.sh build|test|fuzz|clang|bench|stress|deb
#
# Quiet when everything is installed. As root it runs apt-get (update
# once, then install --no-install-recommends); as anyone else it prints
# the exact command and fails, so nothing is installed behind your back.
set -eu

build="gcc make pkg-config libc6-dev libpcre2-dev zlib1g-dev libsqlite3-dev
    libnftnl-dev libmnl-dev libsystemd-dev libcap-ng-dev libpq-dev"
# The Debian package (make deb): dpkg-buildpackage with debhelper, and
# lintian; its test (tests/deb.sh, in make test) also debootstraps a
# throwaway root.
deb="build-essential dpkg-dev debhelper lintian"
case "${1:-}" in
build)	want="$build" ;;
deb)	want="$build $deb" ;;
test)	want="$build libcmocka-dev jq logrotate gzip postfix swaks
	    libio-socket-inet6-perl iproute2 nftables sqlite3 postfix-lmdb postfix-cdb
	    mandoc python3 systemd-journal-remote postgresql libpq-dev
	    postfix-pgsql chromium" ;;
fuzz)	want="$build clang libclang-rt-dev" ;;
clang)	want="$build clang libcmocka-dev" ;;
stress)	want="$build libcmocka-dev sqlite3 valgrind iproute2 nftables
	    logrotate gzip stress-ng" ;;
bench)	want="$build fail2ban python3-pyinotify pflogsumm python3 nftables bc
	    sqlite3 systemd-journal-remote systemd util-linux time" ;;
*)	echo "usage: $0 build|test|fuzz|clang|bench|stress|deb" >&2; exit 64 ;;
esac
[ "$1" = test ] && want="$want $deb debootstrap"

missing=""
for pkg in $want; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*" installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "fivefifty: missing Debian packages:$missing" >&2
	echo "fivefifty: as root, run: apt-get update && $cmd" >&2
	exit 1
fi
echo "fivefifty: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# Postfix is installed for the tests' own instances only: no system
# configuration is made ("No configuration"), nothing is started.
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections 2>/dev/null || true
# apt's chatter is kept and shown only when a step fails.
log=$(mktemp)
quiet() {
	if ! "$@" >"$log" 2>&1; then
		cat "$log" >&2
		echo "fivefifty: failed: $*" >&2
		rm -f "$log"
		exit 1
	fi
}
quiet apt-get update -q
# fail2ban's postinst would start the service; tests and benchmarks only
# need fail2ban-regex, so keep services from starting here.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d "$log"' EXIT
else
	trap 'rm -f "$log"' EXIT
fi
# shellcheck disable=SC2086
quiet apt-get install -y -q --no-install-recommends $missing

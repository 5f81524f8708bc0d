#!/bin/bash
# deb.sh - the Debian package: built, linted, then installed, removed and
# purged in a throwaway root.
#
# usage: tests/deb.sh build DIR     build and lint the package, check the .deb
#        tests/deb.sh root DIR      install, remove, purge it in a chroot
#
# build: scripts/deb.sh DIR/out (a copy of the tree, dpkg-buildpackage -us
# -uc -b, lintian), then the .deb read back with dpkg-deb: the binary,
# both manuals, the unit (ExecStart=/usr/sbin/fivefifty run, not enabled:
# no [Install] symlink in the package), the cron file (its command checks
# the binary is there), the configuration, both /etc files the only
# conffiles, no /etc/postfix and no .sample, the Depends that dpkg-shlibdeps
# found plus adduser, debian/changelog's version the program's.
#
# root: the package (DIR/out's, built first when missing) installed with
# dpkg in a Debian minbase chroot. The chroot comes from a tarball cached
# in /var/cache/fivefifty-tests (FIVEFIFTY_DEB_CACHE), named after the
# suite and the package's run-time dependencies; when it is missing,
# debootstrap makes it from the mirror (FIVEFIFTY_DEB_MIRROR, default
# http://deb.debian.org/debian; a few minutes, once). The group
# systemd-journal is made in it first (as systemd would). Checked: after
# install (twice: an upgrade to the same version must be idempotent) the
# files, the conffiles, the binary running in the chroot, the system user
# (home, shell, groups adm and systemd-journal), the state and map
# directories owned by it, the unit neither enabled nor started; after
# remove the program gone and the configuration (changed by the test),
# cron file, state, map, user kept; after purge all of them gone, and
# /etc/postfix too (postinst made it); then once more with a main.cf that
# names the map: purge keeps the map's directory and says why.
#
# Prints one "CHECK NAME ok|FAIL detail" line per check. Exits 0 when the
# checks could be made (they say whether the package is right), 77 with a
# "SKIP: why" line when they cannot be made here (not root, no chroot, no
# cached root and no mirror), 1 otherwise.
#
# SECURITY: nothing is installed on the host: dpkg runs only inside the
# chroot (its own database and /etc); the host's own fivefifty paths, user
# and package state are compared before and after (CHECK host-untouched).
set -u

mode=${1:?usage: $0 build|root DIR}
dir=${2:?usage: $0 build|root DIR}
top=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$top" || exit 1
mkdir -p "$dir" || exit 1
dir=$(cd "$dir" && pwd) || exit 1
out=$dir/out

# check NAME COND-STATUS DETAIL - print the CHECK line for a status
check() {
	if [ "$2" -eq 0 ]; then
		echo "CHECK $1 ok"
	else
		echo "CHECK $1 FAIL $3"
	fi
}

# expect NAME DETAIL CMD... - CHECK NAME ok when CMD succeeds
expect() {
	local name=$1 detail=$2
	shift 2
	"$@" >/dev/null 2>&1
	check "$name" $? "$detail"
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# build - DIR/out/fivefifty_VERSION_ARCH.deb, or exit
build() {
	local rc
	DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
	    scripts/deb.sh "$out" >"$dir/deb.out" 2>&1
	rc=$?
	case $rc in
	0|2)	;;	# 2: lintian's findings, a check below
	69)	cat "$dir/deb.out" >&2
		[ "$(id -u)" -eq 0 ] ||
		    skip "the packaging tools are missing and only root" \
			"can install them (scripts/deps.sh test)"
		echo "deb.sh: packaging tools missing although make test" \
		    "installs them (scripts/deps.sh test)" >&2
		exit 1 ;;
	*)	cat "$dir/deb.out" >&2
		echo "deb.sh: scripts/deb.sh $out failed: exit $rc" >&2
		exit 1 ;;
	esac
	lintian_rc=$rc
}

version=$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
arch=$(dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
deb=$out/fivefifty_${version}_$arch.deb

if [ "$mode" = build ]; then
	build
	check lintian-clean "$lintian_rc" \
	    "lintian reports an error or a warning: $(tr '\n' ' ' \
	    <"$out/lintian.txt")"
	prog=$(sed -n 's/^#define FIVEFIFTY_VERSION[[:space:]]*"\(.*\)"$/\1/p' \
	    cmd/cmd.h)
	expect version-is-programs "changelog $version, program $prog" \
	    test "$version" = "$prog"
	list=$(dpkg-deb -c "$deb" | awk '{ print $1, $NF }')
	# has MODE PATH - the .deb holds PATH with MODE
	has() { grep -qxF -- "$1 ./$2" <<<"$list"; }
	expect deb-binary "no -rwxr-xr-x ./usr/sbin/fivefifty" \
	    has -rwxr-xr-x usr/sbin/fivefifty
	expect deb-manuals "fivefifty.8.gz or fivefifty.conf.5.gz missing" \
	    eval 'has -rw-r--r-- usr/share/man/man8/fivefifty.8.gz &&
	    has -rw-r--r-- usr/share/man/man5/fivefifty.conf.5.gz'
	expect deb-unit "no lib/systemd/system/fivefifty.service" \
	    has -rw-r--r-- lib/systemd/system/fivefifty.service
	expect deb-cron "no etc/cron.d/fivefifty" \
	    has -rw-r--r-- etc/cron.d/fivefifty
	expect deb-conf "no etc/fivefifty/fivefifty.conf" \
	    has -rw-r--r-- etc/fivefifty/fivefifty.conf
	expect deb-readme-debian "no README.Debian" \
	    has -rw-r--r-- usr/share/doc/fivefifty/README.Debian
	expect deb-nothing-else "etc/postfix or a .sample in the package" \
	    eval '! grep -qE "etc/postfix|\.sample" <<<"$list"'
	rm -rf "$dir/ctl" "$dir/fs"
	dpkg-deb -e "$deb" "$dir/ctl" && dpkg-deb -x "$deb" "$dir/fs" ||
	    exit 1
	expect deb-conffiles "conffiles: $(tr '\n' ' ' <"$dir/ctl/conffiles")" \
	    test "$(sort "$dir/ctl/conffiles")" = "$(printf '%s\n' \
	    /etc/cron.d/fivefifty /etc/fivefifty/fivefifty.conf)"
	unit=$dir/fs/lib/systemd/system/fivefifty.service
	expect unit-execstart "ExecStart is not /usr/sbin/fivefifty run" \
	    grep -qx 'ExecStart=/usr/sbin/fivefifty run' "$unit"
	expect unit-user "User=fivefifty or its groups missing" \
	    eval "grep -qx User=fivefifty '$unit' &&
	    grep -qx 'SupplementaryGroups=adm systemd-journal' '$unit'"
	cronl=$(grep -v '^#' "$dir/fs/etc/cron.d/fivefifty" | grep root)
	# conf/fivefifty.cron's line, its command behind test -x.
	want=$(grep -v '^#' conf/fivefifty.cron | grep ' root @SBINDIR@/' |
	    sed 's|root @SBINDIR@/fivefifty |root test -x /usr/sbin/fivefifty \&\& /usr/sbin/fivefifty |')
	cron_ok() {
		[ "$cronl" = "$want" ] && grep -q " root test -x \
/usr/sbin/fivefifty && /usr/sbin/fivefifty report summary " <<<"$cronl"
	}
	expect cron-guarded "cron line: $cronl" cron_ok
	expect conf-is-sample "etc/fivefifty/fivefifty.conf differs from" \
	    cmp "$dir/fs/etc/fivefifty/fivefifty.conf" conf/fivefifty.conf
	depends=$(dpkg-deb -f "$deb" Depends)
	expect deb-depends "Depends: $depends" eval '
	    for p in adduser libc6 libcap-ng0 libmnl0 libnftnl11 \
		libpcre2-8-0 libpq5 libsqlite3-0 libsystemd0 zlib1g; do
		grep -qE "(^|, )$p( |,|$)" <<<"$depends" || exit 1
	    done'
	rm -rf "$dir/ctl" "$dir/fs"
	exit 0
fi

[ "$mode" = root ] || { echo "usage: $0 build|root DIR" >&2; exit 64; }
[ "$(id -u)" -eq 0 ] || skip "a chroot needs root"
command -v chroot >/dev/null || skip "no chroot command"
[ -f "$deb" ] || build

# The host, before: its fivefifty paths, user and package state.
host_state() {
	for p in /usr/sbin/fivefifty /etc/fivefifty /etc/cron.d/fivefifty \
	    /lib/systemd/system/fivefifty.service /var/lib/fivefifty \
	    /etc/postfix/fivefifty; do
		stat -c '%n %a %U %s %Y' "$p" 2>/dev/null || echo "$p -"
	done
	getent passwd fivefifty || echo "no user"
	getent group fivefifty || echo "no group"
	dpkg-query -W -f='${Status}\n' fivefifty 2>/dev/null || echo "no pkg"
}
host_before=$(host_state)

# The run-time dependencies (first alternative, no versions): the cached
# root has them, so dpkg -i needs no mirror.
deps=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/|.*//;
    s/(.*)//; s/[[:space:]]//g' | grep . | sort -u | tr '\n' ',')
deps=${deps%,}
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || skip "no VERSION_CODENAME in /etc/os-release"
cache=${FIVEFIFTY_DEB_CACHE:-/var/cache/fivefifty-tests}
key=$(printf '%s %s %s' "$suite" "$arch" "$deps" | sha256sum | cut -c1-12)
tarball=$cache/debootstrap-$suite-$arch-minbase-$key.tar.gz
mirror=${FIVEFIFTY_DEB_MIRROR:-http://deb.debian.org/debian}
root=$dir/root
rm -rf "$root"
mkdir -p "$root"
if [ -f "$tarball" ]; then
	tar -C "$root" -xzf "$tarball" || exit 1
	echo "root: $tarball (cached)"
else
	command -v debootstrap >/dev/null ||
	    skip "no cached root ($tarball) and no debootstrap to make one" \
		"(scripts/deps.sh test installs it)"
	echo "root: debootstrap --variant=minbase --include=$deps $suite" \
	    "$mirror (once; cached as $tarball)"
	if ! timeout 1200 debootstrap --variant=minbase --include="$deps" \
	    "$suite" "$root" "$mirror" >"$dir/debootstrap.log" 2>&1; then
		tail -n 5 "$dir/debootstrap.log"
		rm -rf "$root"
		skip "no cached root ($tarball) and debootstrap of $suite" \
		    "from $mirror failed (the mirror unreachable? its last" \
		    "lines above; FIVEFIFTY_DEB_MIRROR names another)"
	fi
	rm -rf "$root"/var/cache/apt/archives/*.deb
	if ! { mkdir -p "$cache" && tar -C "$root" -czf "$tarball.$$" . &&
	    mv "$tarball.$$" "$tarball"; }; then
		rm -f "$tarball.$$"
		echo "root: could not cache it in $cache"
	fi
fi

# in_root CMD... - CMD in the chroot, with a plain environment
in_root() {
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
	    DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"
}
# Nothing may start in there (no systemd runs in a chroot anyway).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
in_root groupadd --system systemd-journal || exit 1
cp "$deb" "$root/tmp/fivefifty.deb" || exit 1

# dpkg_step NAME ARGS... - dpkg in the root, its output kept for the checks
dpkg_step() {
	local name=$1 rc
	shift
	in_root dpkg "$@" >"$dir/$name.log" 2>&1
	rc=$?
	check "$name" $rc "dpkg $* exit $rc: $(tr '\n' ' ' <"$dir/$name.log")"
}
# gone PATH... - none of the paths exists in the root
gone() {
	local p
	for p; do [ -e "$root$p" ] && return 1; done
	return 0
}
there() {
	local p
	for p; do [ -e "$root$p" ] || return 1; done
	return 0
}
status() { in_root dpkg-query -W -f='${Status}' fivefifty 2>/dev/null; }

# installed_checks TAG - the checks of an installed package (TAG: a
# suffix to their names)
installed_checks() {
	local t=$1 pw
	expect "installed-files$t" "binary, manuals, unit, cron or conf missing" \
	    there /usr/sbin/fivefifty /usr/share/man/man8/fivefifty.8.gz \
	    /usr/share/man/man5/fivefifty.conf.5.gz \
	    /lib/systemd/system/fivefifty.service /etc/cron.d/fivefifty \
	    /etc/fivefifty/fivefifty.conf \
	    /usr/share/doc/fivefifty/README.Debian
	v=$(in_root /usr/sbin/fivefifty --version 2>&1)
	expect "binary-runs$t" "fivefifty --version in the root: $v" \
	    test "$v" = "fivefifty $version"
	expect "conffiles-registered$t" "dpkg-query lists no conffiles" \
	    eval "in_root dpkg-query -W -f='\${Conffiles}' fivefifty |
	    grep -q ' /etc/fivefifty/fivefifty.conf ' &&
	    in_root dpkg-query -W -f='\${Conffiles}' fivefifty |
	    grep -q ' /etc/cron.d/fivefifty '"
	pw=$(in_root getent passwd fivefifty)
	expect "user$t" "passwd entry: $pw" eval "awk -F: '\$3 < 1000 &&
	    \$6 == \"/var/lib/fivefifty\" && \$7 == \"/usr/sbin/nologin\"
	    { ok = 1 } END { exit !ok }' <<<'$pw'"
	expect "user-groups$t" "id -nG: $(in_root id -nG fivefifty)" \
	    eval "in_root id -nG fivefifty | tr ' ' '\n' | sort |
	    tr '\n' ' ' | grep -qx 'adm fivefifty systemd-journal '"
	# Numeric: the host's names for the root's ids are not the root's.
	ids="$(in_root id -u fivefifty):$(in_root getent group fivefifty |
	    cut -d: -f3)"
	st=$(stat -c '%a %u:%g' "$root/var/lib/fivefifty" 2>&1)
	expect "state-dir$t" "/var/lib/fivefifty: $st, not 750 $ids" \
	    test "$st" = "750 $ids"
	st=$(stat -c '%u:%g' "$root/etc/postfix/fivefifty" 2>&1)
	expect "map-dir$t" "/etc/postfix/fivefifty: $st, not $ids" \
	    test "$st" = "$ids"
	expect "not-enabled$t" "a wants/ link to fivefifty.service" \
	    eval "! find '$root/etc/systemd/system' -name fivefifty.service \
	    2>/dev/null | grep -q ."
}

dpkg_step install -i /tmp/fivefifty.deb
installed_checks ""
dpkg_step reinstall -i /tmp/fivefifty.deb
installed_checks "-again"

# What a postmaster and a running daemon leave behind.
echo "# the postmaster's line" >>"$root/etc/fivefifty/fivefifty.conf"
echo "state" >"$root/var/lib/fivefifty/fivefifty.db"
echo "192.0.2.1 554 banned" >"$root/etc/postfix/fivefifty/access"

dpkg_step remove -r fivefifty
expect removed-program "binary, manuals or unit left after remove" \
    gone /usr/sbin/fivefifty /usr/share/man/man8/fivefifty.8.gz \
    /usr/share/man/man5/fivefifty.conf.5.gz \
    /lib/systemd/system/fivefifty.service
expect remove-keeps-conf "the changed configuration is gone" \
    grep -qx "# the postmaster's line" "$root/etc/fivefifty/fivefifty.conf"
expect remove-keeps-cron "the cron file is gone" there /etc/cron.d/fivefifty
expect remove-keeps-state "the state or the map is gone" \
    there /var/lib/fivefifty/fivefifty.db /etc/postfix/fivefifty/access
expect remove-keeps-user "the user is gone" in_root getent passwd fivefifty
expect remove-status "status $(status)" \
    test "$(status)" = "deinstall ok config-files"

dpkg_step purge -P fivefifty
expect purge-removes-conf "configuration or cron file left" \
    gone /etc/fivefifty /etc/cron.d/fivefifty
expect purge-removes-state "/var/lib/fivefifty left" gone /var/lib/fivefifty
expect purge-removes-map "/etc/postfix/fivefifty or /etc/postfix left" \
    gone /etc/postfix/fivefifty /etc/postfix
expect purge-removes-user "the user or group fivefifty left" \
    eval '! in_root getent passwd fivefifty &&
    ! in_root getent group fivefifty'
expect purge-keeps-groups "adm or systemd-journal gone" \
    eval 'in_root getent group adm && in_root getent group systemd-journal'
expect purge-status "status $(status)" eval '[ -z "$(status)" ] ||
    [ "$(status)" = "unknown ok not-installed" ]'

# Once more, with a main.cf that uses the map: purge must keep it.
dpkg_step install-main-cf -i /tmp/fivefifty.deb
printf 'smtpd_client_restrictions = check_client_access hash:%s\n' \
    /etc/postfix/fivefifty/access >"$root/etc/postfix/main.cf"
echo "192.0.2.1 554 banned" >"$root/etc/postfix/fivefifty/access"
dpkg_step purge-main-cf -P fivefifty
expect purge-keeps-named-map "the map main.cf names was removed" \
    there /etc/postfix/fivefifty/access
expect purge-says-why "purge did not say why the map stays" \
    grep -q "kept /etc/postfix/fivefifty: Postfix's main.cf" \
    "$dir/purge-main-cf.log"
expect purge-main-cf-user "the user fivefifty left" \
    eval '! in_root getent passwd fivefifty'

expect host-untouched "the host's fivefifty paths, user or package changed" \
    test "$(host_state)" = "$host_before"
rm -rf "$root"
exit 0

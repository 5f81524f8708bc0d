/*	$fivefifty: test_deb.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_deb 3 - the Debian package: built, linted, installed, removed,
 *	purged
 * DESCRIPTION
 *	test_deb_build runs `tests/deb.sh build DEB_DIR`: scripts/deb.sh
 *	builds the package from a copy of the tree with dpkg-buildpackage
 *	-us -uc -b and lints it; the script reads the .deb back (files,
 *	modes, conffiles, the unit, the cron line, Depends). test_deb_root
 *	runs `tests/deb.sh root DEB_DIR`: the same package installed,
 *	installed again, removed and purged with dpkg in a Debian minbase
 *	chroot (a tarball cached under /var/cache/fivefifty-tests, made by
 *	debootstrap the first time), the files, the user and its groups,
 *	the state and the map checked at each step; then purged again with
 *	a main.cf that names the map.
 *	Each script prints one "CHECK NAME ok|FAIL detail" line per check;
 *	a test fails on a FAIL and on a check of its list that is missing.
 *	Exit 77 from the script (not root; no cached root and no mirror)
 *	skips the test with the script's reason, which is printed: skipped,
 *	never passed. The build is made once a run (test_deb_root uses
 *	test_deb_build's package, or builds it). DEB_DIR is in the run's
 *	private /tmp.
 * SECURITY
 *	dpkg runs only inside the chroot; the script compares the host's
 *	fivefifty paths, user and package state before and after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

#define DEB_DIR	"/tmp/fivefifty-deb"

static const char *const build_checks[] = {
	"lintian-clean", "version-is-programs", "deb-binary", "deb-manuals",
	"deb-unit", "deb-cron", "deb-conf", "deb-readme-debian",
	"deb-nothing-else", "deb-conffiles", "unit-execstart", "unit-user",
	"cron-guarded", "conf-is-sample", "deb-depends",
};

static const char *const root_checks[] = {
	"install", "installed-files", "binary-runs", "conffiles-registered",
	"user", "user-groups", "state-dir", "map-dir", "not-enabled",
	"reinstall", "installed-files-again", "binary-runs-again",
	"user-again", "user-groups-again", "not-enabled-again",
	"remove", "removed-program", "remove-keeps-conf", "remove-keeps-cron",
	"remove-keeps-state", "remove-keeps-user", "remove-status",
	"purge", "purge-removes-conf", "purge-removes-state",
	"purge-removes-map", "purge-removes-user", "purge-keeps-groups",
	"purge-status", "install-main-cf", "purge-main-cf",
	"purge-keeps-named-map", "purge-says-why", "purge-main-cf-user",
	"host-untouched",
};

/* deb_script - tests/deb.sh MODE DEB_DIR; its checks against expected */
static void
deb_script(const char *mode, const char *const *expected, size_t n)
{
	char		*argv[] = { "/bin/bash", "tests/deb.sh", (char *)mode,
	    DEB_DIR, NULL };
	struct run_result r;
	struct timespec	 t0, t1;
	const char	*p, *v;
	size_t		 i, len;
	int		 failed = 0, missing = 0, st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r.status == 77) {
		/* The "SKIP: why" line, and how the root was to be made. */
		print_message("      skipped: ");
		print_lines(r.out);
		run_free(&r);
		skip();
	}
	if (r.status != 0) {
		print_lines(r.out);
		print_lines(r.err);
		st = r.status;
		run_free(&r);
		fail_msg("tests/deb.sh %s %s could not run: exit %d (its "
		    "output above; the build's log is %s/out/build.log)", mode,
		    DEB_DIR, st, DEB_DIR);
	}
	for (i = 0; i < n; i++) {
		if ((v = check_line(r.out, expected[i], &len)) == NULL) {
			print_error("check %s is missing\n", expected[i]);
			missing++;
		} else if (!check_ok(v, len))
			failed++;
	}
	for (p = r.out; *p != '\0'; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		if (strncmp(p, "CHECK ", 6) == 0 && !check_ok(p, len))
			print_error("%.*s\n", (int)(len < 900 ? len : 900), p);
		else if (strncmp(p, "root: ", 6) == 0)
			print_message("      %.*s\n", (int)len, p);
	}
	print_message("      %zu of %zu checks ok; %.1f s\n", n -
	    (size_t)failed - (size_t)missing, n, (double)(t1.tv_sec -
	    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	run_free(&r);
	if (failed > 0 || missing > 0)
		fail_msg("tests/deb.sh %s: %d checks failed, %d missing (the "
		    "failed ones above)", mode, failed, missing);
}

/* test_deb_build - dpkg-buildpackage, lintian, the .deb read back */
static void
test_deb_build(void **state)
{
	(void)state;
	deb_script("build", build_checks, sizeof(build_checks) /
	    sizeof(build_checks[0]));
}

/* test_deb_root - install, reinstall, remove, purge in a chroot */
static void
test_deb_root(void **state)
{
	(void)state;
	deb_script("root", root_checks, sizeof(root_checks) /
	    sizeof(root_checks[0]));
	free(sh("rm -rf " DEB_DIR, NULL));
}

const struct CMUnitTest deb_tests[] = {
	cmocka_unit_test(test_deb_build),
	cmocka_unit_test(test_deb_root),
};
const size_t deb_tests_count = sizeof(deb_tests) / sizeof(deb_tests[0]);

/*	$fivefifty: test_e2e.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_e2e 3 - fivefifty run against a real Postfix, end to end
 * DESCRIPTION
 *	test_e2e_postfix runs tests/postfix-daemon.sh: a real Postfix and
 *	`fivefifty run` (the binary under test, with its own table, map,
 *	state and socket) in a private network namespace, and scripted SMTP
 *	clients (legitimate servers, list servers, five-fifties, dictionary
 *	attackers) whose mix comes from a random seed, printed so that a
 *	failure can be replayed (FIVEFIFTY_E2E_SEED=N). The script checks
 *	that every offender is in the kernel set within a second of the
 *	session that earned its ban and no legitimate client is banned; that
 *	a banned client's next TCP connection to port 25 fails while the
 *	legitimate ones still deliver; that kill -9 in the middle of the
 *	traffic and right after a ban, and a `postfix logrotate` during it,
 *	leave the same state as a scan of the whole log (nothing lost,
 *	nothing counted twice); and that `fivefifty ban` and `unban` take
 *	effect in the set and the map while it runs. It prints one "CHECK
 *	NAME ok|FAIL detail" line per check and "DELAY ADDR KIND SESSION MS"
 *	per ban; this test fails on any FAIL and on any check of
 *	expected_checks[] that is missing, and prints the ban delays.
 *	Nothing of the host is touched (the script's promise; the host test
 *	at the end of the run checks it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define E2E_DIR	"/tmp/fivefifty-e2e"

static const char *const expected_checks[] = {
	"daemon-ready", "kill9-restart", "offenders-banned", "ban-within-1s",
	"ban-at-expected-session", "kill9-ban-restored", "logrotate-followed",
	"legit-accepted", "offenders-dropped", "drops-counted",
	"map-has-offenders", "legit-delivers-after-bans", "legit-not-banned",
	"manual-ban-set", "manual-ban-map", "manual-ban-dropped",
	"manual-unban-set", "manual-unban-map", "manual-unban-connects",
	"status-reports", "daemon-stops-cleanly", "daemon-log-clean",
	"same-state-as-scan", "one-ban-per-offender",
};
#define NEXPECTED	(sizeof(expected_checks) / sizeof(expected_checks[0]))

/* test_e2e_postfix - tests/postfix-daemon.sh with a random seed */
static void
test_e2e_postfix(void **state)
{
	char		 seedtext[32], *argv[] = { "/bin/bash",
	    "tests/postfix-daemon.sh", E2E_DIR, (char *)bin_path(), seedtext,
	    NULL };
	struct run_result r;
	struct timespec	 t0, t1;
	const char	*p, *v, *env;
	unsigned	 seed;
	size_t		 i, len;
	long		 ms, d, maxd = -1, nbans = 0;
	int		 failed = 0, missing = 0, st;

	(void)state;
	env = getenv("FIVEFIFTY_E2E_SEED");
	seed = env != NULL ? (unsigned)strtoul(env, NULL, 10) :
	    (unsigned)(time(NULL) ^ getpid()) % 1000000;
	snprintf(seedtext, sizeof(seedtext), "%u", seed);
	print_message("      seed %u (FIVEFIFTY_E2E_SEED=%u replays these "
	    "clients)\n", seed, seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	if (r.status != 0) {
		print_lines(r.out);
		print_lines(r.err);
		st = r.status;
		run_free(&r);
		fail_msg("postfix-daemon.sh (seed %u) could not run: exit %d "
		    "(its output above)", seed, st);
	}
	for (i = 0; i < NEXPECTED; i++) {
		if ((v = check_line(r.out, expected_checks[i], &len)) ==
		    NULL) {
			print_error("check %s is missing\n",
			    expected_checks[i]);
			missing++;
		} else if (!check_ok(v, len))
			failed++;
	}
	for (p = r.out; *p != '\0'; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		if (strncmp(p, "CHECK ", 6) == 0 && !check_ok(p, len))
			print_error("%.*s\n", (int)len, p);
		/* DELAY ADDR KIND SESSION MS */
		if (strncmp(p, "DELAY ", 6) == 0 &&
		    sscanf(p + 6, "%*s %*s %*d %ld", &d) == 1) {
			nbans++;
			if (d > maxd)
				maxd = d;
		}
	}
	print_message("      %ld bans, each in the kernel set at most %ld ms "
	    "after the session that earned it ended (1000 allowed); %zu of "
	    "%zu checks ok; %.1f s\n", nbans, maxd, NEXPECTED - (size_t)failed -
	    (size_t)missing, NEXPECTED, (double)ms / 1000);
	if (failed > 0 || missing > 0) {
		print_error("the whole run:\n");
		print_lines(r.out);
		run_free(&r);
		fail_msg("seed %u: %d checks failed, %d missing; %s is kept "
		    "for inspection (daemon.log, mail.log*, *.dump)", seed,
		    failed, missing, E2E_DIR);
	}
	run_free(&r);
	free(sh("rm -rf " E2E_DIR, NULL));
}

const struct CMUnitTest e2e_tests[] = {
	cmocka_unit_test(test_e2e_postfix),
};
const size_t e2e_tests_count = sizeof(e2e_tests) / sizeof(e2e_tests[0]);

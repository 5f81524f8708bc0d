/*	$fivefifty: test_cluster.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_cluster 3 - three mail servers on one PostgreSQL state
 * DESCRIPTION
 *	test_cluster_postfix runs tests/postfix-cluster.sh: three real
 *	Postfix instances, each with `fivefifty run` (the binary under test)
 *	and its own nftables table in its own network namespace, sharing a
 *	private PostgreSQL server (tests/pg-cluster.sh). Lab traffic whose mix
 *	comes from a random seed (printed; FIVEFIFTY_CLUSTER_SEED=N replays
 *	it) is spread over the nodes so that no node alone sees enough of an
 *	offender: a five-fifty retries on the other nodes, a dictionary
 *	attack is split in three. One node's daemon is killed with -9 and
 *	restarted, PostgreSQL is stopped for 30 s under traffic. The script
 *	checks that every offender ends up in every node's kernel set and
 *	map, no legitimate client in any, every node read its whole log and
 *	got its cluster link back with nothing spooled, and the daemons stop
 *	cleanly. This test fails on any FAIL and on any check of
 *	expected_checks[] that is missing; it is skipped (and counted so)
 *	when PostgreSQL is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define CLUSTER_DIR	"/tmp/fivefifty-cluster"

static const char *const expected_checks[] = {
	"daemons-ready", "kill9-restart", "link-down-shown",
	"caught-up-linked", "nothing-spooled", "offenders-banned-everywhere",
	"offenders-in-every-map", "legit-not-banned", "legit-not-in-map",
	"daemons-stop-cleanly", "daemon-logs-clean",
};
#define NEXPECTED	(sizeof(expected_checks) / sizeof(expected_checks[0]))

/* test_cluster_postfix - tests/postfix-cluster.sh with a random seed */
static void
test_cluster_postfix(void **state)
{
	char		 seedtext[32], *argv[] = { "/bin/bash",
	    "tests/postfix-cluster.sh", CLUSTER_DIR, (char *)bin_path(),
	    seedtext, NULL };
	struct run_result r;
	const char	*p, *v, *env;
	unsigned	 seed;
	size_t		 i, len;
	int		 failed = 0, missing = 0, st;

	(void)state;
	env = getenv("FIVEFIFTY_CLUSTER_SEED");
	seed = env != NULL ? (unsigned)strtoul(env, NULL, 10) :
	    (unsigned)(time(NULL) ^ getpid()) % 1000000;
	snprintf(seedtext, sizeof(seedtext), "%u", seed);
	print_message("      seed %u (FIVEFIFTY_CLUSTER_SEED=%u replays "
	    "these clients)\n", seed, seed);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status == 77) {
		run_free(&r);
		skip();
	}
	if (r.status != 0) {
		print_lines(r.out);
		print_lines(r.err);
		st = r.status;
		run_free(&r);
		fail_msg("postfix-cluster.sh (seed %u) could not run: exit %d "
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
	}
	print_message("      %zu of %zu checks ok\n", NEXPECTED -
	    (size_t)failed - (size_t)missing, NEXPECTED);
	if (failed > 0 || missing > 0) {
		print_error("the whole run:\n");
		print_lines(r.out);
		print_lines(r.err);
		run_free(&r);
		fail_msg("seed %u: %d checks failed, %d missing; %s is kept "
		    "for inspection (mx*/daemon.log, mx*/mail.log)", seed,
		    failed, missing, CLUSTER_DIR);
	}
	run_free(&r);
	free(sh("rm -rf " CLUSTER_DIR, NULL));
}

const struct CMUnitTest cluster_tests[] = {
	cmocka_unit_test(test_cluster_postfix),
};
const size_t cluster_tests_count = sizeof(cluster_tests) /
    sizeof(cluster_tests[0]);

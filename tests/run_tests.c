/*	$fivefifty: run_tests.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	run_tests 1 - every fivefifty test, as one cmocka group
 * DESCRIPTION
 *	Collects the tests of every file into one array so that cmocka
 *	prints one total at the end, then a line for the tests skipped
 *	because the shared corpus is missing (need_corpus()). Exit status:
 *	the number of failures; a skipped test is not one, and is not
 *	counted as passed either (cmocka lists it as SKIPPED).
 *
 *	FIVEFIFTY_SHARD=I/N runs every Nth test from the Ith (0 <= I < N), so
 *	that N processes side by side run each test once (tests/shards.sh,
 *	make test); the tests wait on daemons, Postfix and PostgreSQL more
 *	than they compute.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define ADD(name)	{ name, &name##_count }

/* shard - FIVEFIFTY_SHARD "I/N" into *i and *n (0 and 1 without it); -1
 * when it is not that */
static int
shard(size_t *i, size_t *n)
{
	const char	*v = getenv("FIVEFIFTY_SHARD");
	char		*end;
	unsigned long	 a, b;

	*i = 0;
	*n = 1;
	if (v == NULL || *v == '\0')
		return (0);
	a = strtoul(v, &end, 10);
	if (end == v || *end != '/')
		return (-1);
	v = end + 1;
	b = strtoul(v, &end, 10);
	if (end == v || *end != '\0' || b == 0 || b > 64 || a >= b)
		return (-1);
	*i = a;
	*n = b;
	return (0);
}

/* main - run every test file's tests as one group */
int
main(void)
{
	static const struct {
		const struct CMUnitTest	*tests;
		const size_t		*n;
	} groups[] = {
		ADD(lines_tests), ADD(tailer_tests), ADD(time_tests),
		ADD(score_tests), ADD(share_tests), ADD(abuse_tests),
		ADD(state_tests), ADD(wal_tests), ADD(pgsql_tests),
		ADD(pgsql_cmds_tests),
		ADD(pgbans_tests), ADD(pgrun_tests), ADD(conf_tests),
		ADD(case_tests),
		ADD(grok_tests), ADD(corpus_tests), ADD(fast_tests),
		ADD(adversarial_tests),
		ADD(cli_tests), ADD(par_tests), ADD(report_tests), ADD(map_tests),
		ADD(report_html_tests),
		ADD(firewall_tests), ADD(fwstart_tests), ADD(fwresume_tests),
		ADD(fwincr_tests),
		ADD(fwaction_tests),
		ADD(daemon_tests), ADD(metrics_tests),
		ADD(e2e_tests),
		ADD(cluster_tests),
		ADD(control_tests), ADD(bounds_tests), ADD(outage_tests),
		ADD(report_mail_tests), ADD(install_tests), ADD(deb_tests),
		ADD(guard_tests), ADD(report_answers_tests),
		ADD(stage_tests), ADD(host_tests), ADD(mynetworks_tests),
		ADD(journal_tests), ADD(fivefifty_tests), ADD(journal_run_tests),
		ADD(contracts_tests),
		ADD(spawn_tests), ADD(obuf_tests), ADD(xmalloc_tests),
		ADD(log_tests),
	};
	struct CMUnitTest *all;
	size_t		 i, n = 0, k = 0, si, sn;

	/* Line-buffered: cmocka's counts reach a pipe (CI) before
	 * LeakSanitizer, which aborts at exit after a failed test left its
	 * buffers behind, can take the unflushed tail with it. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (shard(&si, &sn) == -1) {
		fprintf(stderr, "run_tests: FIVEFIFTY_SHARD=%s: expected I/N, "
		    "0 <= I < N <= 64\n", getenv("FIVEFIFTY_SHARD"));
		return (64);
	}
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		n += *groups[i].n;
	if ((all = calloc(n, sizeof(*all))) == NULL)
		return (1);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		memcpy(all + k, groups[i].tests, *groups[i].n * sizeof(*all));
		k += *groups[i].n;
	}
	/* This shard's: every sn-th from si, in order. */
	for (i = k = 0; i < n; i++)
		if (i % sn == si)
			all[k++] = all[i];
	n = k;
	/* What the host's firewall and /etc/postfix look like now: the last
	 * test checks that no test changed them. */
	host_before = host_snapshot();
	/* FIVEFIFTY_TESTS=glob runs only the matching tests (development). */
	if (getenv("FIVEFIFTY_TESTS") != NULL)
		cmocka_set_test_filter(getenv("FIVEFIFTY_TESTS"));
	i = (size_t)_cmocka_run_group_tests("fivefifty", all, n, NULL, NULL);
	free(all);
	/* Said once more after cmocka's counts: skipped is not passed. */
	if (corpus_skipped > 0)
		fprintf(stderr, "fivefifty: %d test(s) SKIPPED, not passed: "
		    "they read the shared corpus, which is not at %s/corpus; "
		    "make test SHARED=DIR runs them (README.md, Tests)\n",
		    corpus_skipped, shared_base());
	return ((int)i);
}

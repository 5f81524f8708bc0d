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
 *	FIVEFIFTY_SHARD=I/N (0 <= I < N) runs the Ith of N shares of the
 *	tests, so that N processes side by side run each test once
 *	(tests/shards.sh, make test); the tests wait on daemons, Postfix and
 *	PostgreSQL more than they compute. The shares are planned to take
 *	the same time: the longest test first, each to the share with the
 *	least time so far (slow[] below, measured; any other test counts as
 *	DEFAULT_TENTHS). Each share runs its tests in the array's order, the
 *	same ones every run. A stale slow[] only makes one share end later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define ADD(name)	{ name, &name##_count }

/*
 * The tests that took 2 s or more in make test, in tenths of a second:
 * the mean of two runs of make test-times on 2 CPUs (tests/test-times.sh
 * prints these lines; refresh them when a test is added or its time
 * changes much). A test's time moves by a third from run to run with
 * what the other shard runs beside it.
 */
static const struct {
	const char	*name;
	int		 tenths;
} slow[] = {
	{ "test_cluster_postfix", 554 },
	{ "test_pgrun_outage", 429 },
	{ "test_daemon_state_coalesce", 375 },
	{ "test_postfix_runs", 299 },
	{ "test_reject_stages", 222 },
	{ "test_deb_build", 199 },
	{ "test_outage_map", 177 },
	{ "test_e2e_postfix", 172 },
	{ "test_abuse_live_shapes", 148 },
	{ "test_deb_root", 148 },
	{ "test_journal_run_kill9", 129 },
	{ "test_daemon_kill9", 120 },
	{ "test_pgrun_kill9", 117 },
	{ "test_daemon_same_decisions", 100 },
	{ "test_pgrun_locked", 100 },	/* new: one run alone, 10 s */
	{ "test_obuf_escape_corpus", 105 },	/* three fields a line */
	{ "test_pgsql_crash", 94 },
	{ "test_fw_incr_burst", 86 },
	{ "test_fw_postfix", 86 },
	{ "test_abuse_sasl_week", 79 },
	{ "test_fw_resume_ended", 76 },
	{ "test_obuf_json_roundtrip", 74 },
	{ "test_fivefifty_daily_cron", 71 },
	{ "test_fivefifty_parallel", 71 },
	{ "test_pgsql_cmds_equal", 71 },
	{ "test_abuse_pregreet", 69 },
	{ "test_metrics_daemon", 64 },
	{ "test_fast_corpus", 58 },
	{ "test_pgsql_cluster_bans", 58 },
	{ "test_fw_incr_expiry", 50 },
	{ "test_pgrun_equal", 50 },
	{ "test_kill_restart", 48 },
	{ "test_daemon_state_kill", 47 },
	{ "test_kill_restart_gzip", 47 },
	{ "test_daemon_answers", 45 },
	{ "test_outage_fw_refused", 44 },
	{ "test_par_parse_corpus", 43 },
	{ "test_scan_crash", 43 },
	{ "test_fw_resume_expiry", 42 },
	{ "test_mynetworks_scan", 41 },
	{ "test_pgsql_password", 40 },
	{ "test_obuf_escape_synthetic", 39 },	/* alone, 12-05 */
	{ "test_report_helo_count", 37 },
	{ "test_par_scan", 36 },
	{ "test_pgsql_postfix_view", 36 },
	{ "test_daemon_state_full", 33 },
	{ "test_report_mail_postfix", 33 },
	{ "test_fw_expire", 31 },
	{ "test_pgsql_nodes", 31 },
	{ "test_report_parse_back", 31 },
	{ "test_pgsql_scan_equal", 28 },
	{ "test_bounds_daemon", 26 },
	{ "test_daemon_manual_kill", 26 },
	{ "test_daemon_notify_unread", 26 },
	{ "test_daemon_forged", 25 },
	{ "test_daemon_no_postfix", 24 },
	{ "test_daemon_state_locked", 24 },
	{ "test_share_pg_spool_error", 24 },
	{ "test_pgsql_copy", 23 },
	{ "test_pgsql_schema", 23 },
	{ "test_par_report", 22 },
	{ "test_pgsql_roles", 22 },
	{ "test_logrotate_copytruncate", 20 },
	{ "test_spawn_timeout", 20 },
	{ "test_tail_idle_cpu", 20 },
};
#define DEFAULT_TENTHS	3	/* any other test: 0.27 s on average */

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

/* tenths - a test's planned time */
static int
tenths(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(slow) / sizeof(slow[0]); i++)
		if (strcmp(slow[i].name, name) == 0)
			return (slow[i].tenths);
	return (DEFAULT_TENTHS);
}

/* share - keep in all[] only shard si's of sn shares, in their order:
 * each test, the longest first (ties in the array's order), goes to the
 * share with the least planned time (the lowest on a tie); the count */
static size_t
share(struct CMUnitTest *all, size_t n, size_t si, size_t sn)
{
	long	 load[64] = { 0 };
	int	*w;
	size_t	*owner, *order, i, j, k, best, t;

	if (sn == 1)
		return (n);
	w = calloc(n, sizeof(*w));
	owner = calloc(n, sizeof(*owner));
	order = calloc(n, sizeof(*order));
	if (w == NULL || owner == NULL || order == NULL) {
		fprintf(stderr, "run_tests: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++) {
		w[i] = tenths(all[i].name);
		order[i] = i;
	}
	/* Insertion sort, stable: a few hundred tests. */
	for (i = 1; i < n; i++) {
		t = order[i];
		for (j = i; j > 0 && w[order[j - 1]] < w[t]; j--)
			order[j] = order[j - 1];
		order[j] = t;
	}
	for (i = 0; i < n; i++) {
		for (best = 0, k = 1; k < sn; k++)
			if (load[k] < load[best])
				best = k;
		owner[order[i]] = best;
		load[best] += w[order[i]];
	}
	for (i = k = 0; i < n; i++)
		if (owner[i] == si)
			all[k++] = all[i];
	free(w);
	free(owner);
	free(order);
	return (k);
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
	n = share(all, n, si, sn);
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

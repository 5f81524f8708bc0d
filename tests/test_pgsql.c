/*	$fivefifty: test_pgsql.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_pgsql 3 - the state in PostgreSQL, against the SQLite one
 * DESCRIPTION
 *	A private PostgreSQL server (tests/pg-cluster.sh: Debian's
 *	postgresql 15, a unix socket in a temporary directory, a role
 *	without superuser) and the built binary, with --db a libpq URI:
 *	- the same logs scanned into PostgreSQL and into a SQLite file give
 *	  the same output of list, list --json, explain and the reports;
 *	  scanning them again reads nothing new;
 *	- killed with SIGKILL at random points and run again until it
 *	  finishes, the scan ends with exactly the tables of a run that was
 *	  never interrupted: each line counted once;
 *	- the schema is stamped (schema_version 1) by a role that is no
 *	  superuser; a state of a newer schema is refused by scan and list,
 *	  and so is, by list, a database without the schema, each naming the
 *	  URI and what to do; a server that is not there is said likewise.
 *	Skipped where PostgreSQL cannot run (not root, not installed).
 */
#include <sys/wait.h>

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

extern char **environ;

#define NLOGS	3

/* logs - the three kdent logs of the shared corpus */
static void
logs(char p[NLOGS][512], char **files)
{
	char	rel[64];
	int	i;

	for (i = 0; i < NLOGS; i++) {
		snprintf(rel, sizeof(rel), "corpus/realworld/kdent-2015-%d.log",
		    i + 1);
		shared_path(rel, p[i], sizeof(p[i]));
		files[i] = p[i];
	}
}

/* ff - run the binary with args (NULL-terminated, at most 12); its
 * result */
static void
ff(struct run_result *r, const char *a0, ...)
{
	char		*argv[16];
	const char	*a;
	va_list		 ap;
	int		 n = 0;

	argv[n++] = (char *)bin_path();
	va_start(ap, a0);
	for (a = a0; a != NULL && n < 15; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
}

/* scan - fivefifty scan --no-enforce --db db of the logs */
static int
scan(const char *db, char **files, struct run_result *r)
{
	ff(r, "scan", "--no-enforce", "--db", db, files[0], files[1], files[2],
	    NULL);
	return (r->status);
}

/* same - the command's output (and status) equal on both states */
static void
same(const char *uri, const char *file, const char *cmd, const char *arg)
{
	struct run_result a, b;

	ff(&a, cmd, "--db", uri, arg, NULL);
	ff(&b, cmd, "--db", file, arg, NULL);
	if (a.status != b.status || strcmp(a.out, b.out) != 0) {
		print_message("PostgreSQL (exit %d):\n", a.status);
		print_lines(a.out);
		print_lines(a.err);
		print_message("SQLite (exit %d):\n", b.status);
		print_lines(b.out);
		fail_msg("%s %s: the two states answer differently", cmd,
		    arg != NULL ? arg : "");
	}
	assert_int_equal(a.status, 0);
	assert_true(a.outlen > 0);
	run_free(&a);
	run_free(&b);
}

/* test_pgsql_scan_equal - one scan into each backend: same answers */
static void
test_pgsql_scan_equal(void **state)
{
	static const char *const reports[] = { "summary", "fivefifties",
	    "helo" };
	struct pg_server pg;
	struct run_result r;
	char		 p[NLOGS][512], *files[NLOGS], db[128], *rows, *addr;
	size_t		 i;
	int		 n;

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	logs(p, files);
	snprintf(db, sizeof(db), "/tmp/fivefifty-pgeq-%d.db", (int)getpid());
	unlink(db);
	assert_int_equal(scan(pg.uri, files, &r), 0);
	assert_non_null(strstr(r.err, " new bans"));
	run_free(&r);
	assert_int_equal(scan(db, files, &r), 0);
	run_free(&r);
	same(pg.uri, db, "list", NULL);
	same(pg.uri, db, "list", "--json");
	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
		char	cmd[] = "report";
		struct run_result a, b;

		ff(&a, cmd, reports[i], "--db", pg.uri, NULL);
		ff(&b, cmd, reports[i], "--db", db, NULL);
		if (strcmp(a.out, b.out) != 0) {
			print_lines(a.out);
			print_lines(a.err);
			fail_msg("report %s: the two states differ",
			    reports[i]);
		}
		assert_int_equal(a.status, 0);
		assert_int_equal(b.status, 0);
		run_free(&a);
		run_free(&b);
	}
	/* explain of the five clients banned most. */
	rows = pg_sql(pg.uri, "SELECT addr FROM clients WHERE bans > 0 "
	    "ORDER BY bans DESC, addr LIMIT 5");
	for (n = 0, addr = strtok(rows, "\n"); addr != NULL;
	    addr = strtok(NULL, "\n"), n++)
		same(pg.uri, db, "explain", addr);
	assert_int_equal(n, 5);
	free(rows);
	/* Again: nothing new. */
	assert_int_equal(scan(pg.uri, files, &r), 0);
	assert_non_null(strstr(r.err, "scan: 0 lines"));
	run_free(&r);
	print_message("pgsql: list, list --json, 3 reports and 5 explains "
	    "equal to SQLite's\n");
	unlink(db);
	pg_stop(&pg);
}

/* dump - every table of a PostgreSQL state as text (no row ids: a
 * rolled-back transaction spends them) */
static char *
dump(const char *uri)
{
	return (pg_sql(uri,
	    "SELECT addr, family, prefix_len, score, score_t, first_seen, "
	    "last_seen, bans, banned_until, last_ban, encode(memory, 'hex') "
	    "FROM clients ORDER BY addr;"
	    "SELECT addr, prefix_len, at, until, n, score, reason, held FROM "
	    "bans ORDER BY id;"
	    "SELECT addr, t, weight, rule, detail FROM evidence ORDER BY id;"
	    "SELECT key, encode(data, 'hex') FROM sessions ORDER BY key;"
	    "SELECT path, dev, ino, off, fp_len, fp FROM positions ORDER BY "
	    "path;"
	    "SELECT key, value FROM meta ORDER BY key;"
	    "SELECT hour, kind, value, client, class, code, n, first, last "
	    "FROM activity_rows ORDER BY id;"
	    "SELECT * FROM fivefifties ORDER BY addr"));
}

/* test_pgsql_crash - SIGKILL at random points, restart: same tables */
static void
test_pgsql_crash(void **state)
{
	struct pg_server pg;
	struct run_result r;
	char		 p[NLOGS][512], *files[NLOGS], *argv[10], *a, *b;
	unsigned	 seed = 5505;
	struct timespec	 t0, t1;
	long		 whole_us;
	int		 st, kills = 0, done, round;
	pid_t		 pid;

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	logs(p, files);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(scan(pg.uri, files, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run_free(&r);
	whole_us = (t1.tv_sec - t0.tv_sec) * 1000000L +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	if (whole_us < 20000)
		whole_us = 20000;
	a = dump(pg.uri);
	assert_true(strlen(a) > 10000);
	argv[0] = (char *)bin_path();
	argv[1] = "scan";
	argv[2] = "--no-enforce";
	argv[3] = "--db";
	argv[4] = pg.uri_b;
	argv[5] = files[0];
	argv[6] = files[1];
	argv[7] = files[2];
	argv[8] = NULL;
	for (round = 0; round < 3; round++) {
		int first = 1;

		pg_reset(pg.uri_b);
		for (done = 0; !done; first = 0) {
			posix_spawn_file_actions_t fa;

			posix_spawn_file_actions_init(&fa);
			posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
			    1, 0);
			posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
			    1, 0);
			assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL,
			    argv, environ), 0);
			posix_spawn_file_actions_destroy(&fa);
			seed = seed * 1103515245 + 12345;
			usleep((useconds_t)(2000 + (seed >> 8) %
			    (unsigned)(first ? whole_us / 2 : whole_us)));
			if (waitpid(pid, &st, WNOHANG) == pid)
				done = WIFEXITED(st) && WEXITSTATUS(st) == 0;
			else {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				kills++;
			}
			assert_true(kills < 300);
		}
		b = dump(pg.uri_b);
		if (strcmp(a, b) != 0) {
			size_t k;
			for (k = 0; a[k] == b[k]; k++)
				continue;
			fail_msg("states differ at byte %zu: ...%.120s... vs "
			    "...%.120s...", k, a + (k > 40 ? k - 40 : 0),
			    b + (k > 40 ? k - 40 : 0));
		}
		free(b);
	}
	print_message("pgsql scan: killed %d times in 3 runs; each ended with "
	    "the tables of the uninterrupted run\n", kills);
	assert_true(kills >= 3);
	free(a);
	pg_stop(&pg);
}

/* test_pgsql_schema - stamped, no superuser needed, newer refused */
static void
test_pgsql_schema(void **state)
{
	struct pg_server pg;
	struct run_result r;
	char		 p[NLOGS][512], *files[NLOGS], *out, bad[512];

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	logs(p, files);
	/* Not a state yet: list refuses it, naming the URI. */
	ff(&r, "list", "--db", pg.uri, NULL);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, pg.uri));
	assert_non_null(strstr(r.err, "no schema"));
	run_free(&r);
	assert_int_equal(scan(pg.uri, files, &r), 0);
	run_free(&r);
	out = pg_sql(pg.uri, "SELECT version FROM schema_version; SELECT "
	    "rolsuper FROM pg_roles WHERE rolname = current_user");
	assert_string_equal(out, "1\nf\n");
	free(out);
	/* A newer fivefifty's state: refused, nothing written. */
	free(pg_sql(pg.uri, "UPDATE schema_version SET version = 99"));
	assert_int_equal(scan(pg.uri, files, &r), 74);	/* EX_IOERR */
	assert_non_null(strstr(r.err, "newer than this fivefifty"));
	assert_non_null(strstr(r.err, pg.uri));
	run_free(&r);
	ff(&r, "list", "--db", pg.uri, NULL);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "newer than this fivefifty"));
	run_free(&r);
	out = pg_sql(pg.uri, "SELECT version FROM schema_version");
	assert_string_equal(out, "99\n");
	free(out);
	/* No server there: said, with the URI and what to check. */
	snprintf(bad, sizeof(bad), "postgresql:///fivefifty?host=%s/none",
	    pg.dir);
	ff(&r, "list", "--db", bad, NULL);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, bad));
	assert_non_null(strstr(r.err, "that PostgreSQL runs"));
	run_free(&r);
	pg_stop(&pg);
}

const struct CMUnitTest pgsql_tests[] = {
	cmocka_unit_test(test_pgsql_scan_equal),
	cmocka_unit_test(test_pgsql_crash),
	cmocka_unit_test(test_pgsql_schema),
};
const size_t pgsql_tests_count = sizeof(pgsql_tests) / sizeof(pgsql_tests[0]);

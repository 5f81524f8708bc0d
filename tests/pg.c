/*	$fivefifty: pg.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pg 3 - a private PostgreSQL server for a test
 * SYNOPSIS
 *	int	pg_start(struct pg_server *pg);
 *	void	pg_stop(struct pg_server *pg);
 *	char	*pg_sql(const char *uri, const char *sql);
 *	void	pg_reset(const char *uri);
 * DESCRIPTION
 *	pg_start() runs tests/pg-cluster.sh start in a fresh directory under
 *	/tmp: a cluster of Debian's postgresql (15) owned by the postgres
 *	user, on a unix socket in that directory only, with the role
 *	fivefifty (no superuser) and its databases fivefifty (pg->uri) and
 *	fivefifty_b (pg->uri_b); never the system cluster. 0, or -1 when it
 *	cannot run here (not root, PostgreSQL not installed: the caller
 *	skips); any other failure fails the test with the server's words.
 *	pg_stop() stops the server and removes its directory.
 *
 *	pg_sql() runs SQL as the role with psql (unaligned, tuples only,
 *	stopping at the first error: the test fails) and returns its output
 *	(malloc'd). pg_reset() empties a database (its public schema
 *	dropped and made again), for a state made anew.
 * SECURITY
 *	The SQL is the test's own text; psql gets it as one argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

/* pg_start - a private server; -1: cannot run here (skip) */
int
pg_start(struct pg_server *pg)
{
	char		*argv[] = { "tests/pg-cluster.sh", "start", pg->dir,
	    NULL };
	struct run_result r;
	char		*q;

	snprintf(pg->dir, sizeof(pg->dir), "/tmp/fivefifty-pg.XXXXXX");
	assert_non_null(mkdtemp(pg->dir));
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status == 77) {
		print_message("%s", r.err);
		run_free(&r);
		rmdir(pg->dir);
		return (-1);
	}
	if (r.status != 0)
		fail_msg("tests/pg-cluster.sh start %s: exit %d: %s", pg->dir,
		    r.status, r.err);
	r.out[strcspn(r.out, "\n")] = '\0';
	snprintf(pg->uri, sizeof(pg->uri), "%s", r.out);
	run_free(&r);
	/* The second database: the same URI with fivefifty_b. */
	q = strstr(pg->uri, "/fivefifty?");
	assert_non_null(q);
	snprintf(pg->uri_b, sizeof(pg->uri_b), "%.*s/fivefifty_b%s",
	    (int)(q - pg->uri), pg->uri, q + 10);
	return (0);
}

/* pg_stop - stop the server, remove its directory */
void
pg_stop(struct pg_server *pg)
{
	char		*argv[] = { "tests/pg-cluster.sh", "stop", pg->dir,
	    NULL };
	struct run_result r;

	if (run_cmd(argv, NULL, 0, &r) == 0 && r.status != 0)
		print_message("tests/pg-cluster.sh stop %s: exit %d: %s\n",
		    pg->dir, r.status, r.err);
	run_free(&r);
}

/* pg_sql - SQL as the role; its rows, unaligned (malloc'd) */
char *
pg_sql(const char *uri, const char *sql)
{
	char		*argv[] = { "/usr/bin/psql", "-X", "-q", "-A", "-t",
	    "-v", "ON_ERROR_STOP=1", "-d", (char *)uri, "-c", (char *)sql,
	    NULL };
	struct run_result r;
	char		*out;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("psql %s -c '%s': exit %d: %s", uri, sql, r.status,
		    r.err);
	out = r.out;
	r.out = NULL;
	run_free(&r);
	return (out);
}

/* pg_reset - an empty database again */
void
pg_reset(const char *uri)
{
	free(pg_sql(uri, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"));
}

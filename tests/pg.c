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
 *	int	pg_strip_nodes(char *summary);
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
 *	dropped and made again), for a state made anew. pg_strip_nodes()
 *	removes from a summary (text, HTML, JSON or CSV) its nodes section,
 *	which a PostgreSQL state adds to what SQLite's says: 1 when it was
 *	there.
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

/* pg_server_ctl - the private server stopped (0) or started again (1),
 * its data kept (tests/pg-cluster.sh down, up) */
void
pg_server_ctl(struct pg_server *pg, int up)
{
	char		*argv[] = { "tests/pg-cluster.sh", up ? "up" : "down",
	    pg->dir, NULL };
	struct run_result r;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("tests/pg-cluster.sh %s %s: exit %d: %s", argv[1],
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

/* cut - remove [from, to) of a string */
static void
cut(char *from, char *to)
{
	memmove(from, to, strlen(to) + 1);
}

/* pg_strip_nodes - a summary without its nodes section (the one part
 * a shared state adds to it), in any format; 1 when there was one */
int
pg_strip_nodes(char *s)
{
	char	*p, *q;
	int	 found = 0;

	if ((p = strstr(s, "\nNodes (")) != NULL &&
	    (q = strstr(p + 1, "\n\n")) != NULL) {		/* text */
		cut(p, q + 1);
		found = 1;
	}
	if ((p = strstr(s, "<h3>Nodes (")) != NULL &&
	    (q = strstr(p, "</table>\n")) != NULL) {		/* HTML */
		cut(p, q + 9);
		found = 1;
	}
	if ((p = strstr(s, ",\"nodes\":[")) != NULL &&
	    (q = strchr(p, ']')) != NULL) {			/* JSON */
		cut(p, q + 1);
		found = 1;
	}
	while ((p = strstr(s, "\nnode,")) != NULL &&
	    (q = strstr(p + 1, "\r\n")) != NULL) {		/* CSV */
		cut(p + 1, q + 2);
		found = 1;
	}
	return (found);
}

/*	$fivefifty: test_state.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_state 3 - `fivefifty scan` and its SQLite state
 * DESCRIPTION
 *	The built binary scans real logs into a real SQLite file:
 *	- scanning the same files again reads nothing new; lines appended
 *	  since are read once;
 *	- killed with SIGKILL at random points and run again until it
 *	  finishes, the scan ends with exactly the database of a run that
 *	  was never interrupted (every table, row by row);
 *	- the schema is migrated and stamped with user_version; a database
 *	  from a newer fivefifty is refused with a clear error;
 *	- a damaged database is refused by state_open(), run, list and
 *	  explain with its path, the reason and what to do;
 *	- scan --dry-run reads a state's stored positions; a last line
 *	  without a newline is scanned; a session whose end was never
 *	  logged is judged as of its last line (last_seen).
 */
#include <sys/wait.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "score/score.h"
#include "tests.h"

extern char **environ;

/* dump - every table of a state database as one sorted text */
static char *
dump(const char *db)
{
	static const char *const queries[] = {
		"SELECT addr, family, prefix_len, score, score_t, first_seen, "
		"last_seen, bans, banned_until, last_ban, hex(memory) FROM "
		"clients ORDER BY addr",
		"SELECT addr, prefix_len, at, until, n, score, reason FROM bans "
		"ORDER BY id",
		"SELECT addr, t, weight, rule, detail FROM evidence ORDER BY id",
		"SELECT key, hex(data) FROM sessions ORDER BY key",
		"SELECT path, dev, ino, off, fp_len, fp FROM positions ORDER BY "
		"path",
		"SELECT key, value FROM meta ORDER BY key",
	};
	sqlite3		*h;
	sqlite3_stmt	*q;
	char		*out = NULL;
	size_t		 len = 0;
	FILE		*fp;
	size_t		 i;
	int		 c;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	fp = open_memstream(&out, &len);
	assert_non_null(fp);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		assert_int_equal(sqlite3_prepare_v2(h, queries[i], -1, &q,
		    NULL), SQLITE_OK);
		fprintf(fp, "-- %zu\n", i);
		while (sqlite3_step(q) == SQLITE_ROW) {
			for (c = 0; c < sqlite3_column_count(q); c++)
				fprintf(fp, "%s|", (const char *)
				    sqlite3_column_text(q, c));
			fputc('\n', fp);
		}
		sqlite3_finalize(q);
	}
	fclose(fp);
	sqlite3_close(h);
	return (out);
}

/* scan_conf - run fivefifty scan [-c conf] --db db files...; its exit
 * status */
static int
scan_conf(const char *conf, const char *db, char *const *files, int n,
    struct run_result *r)
{
	char	*argv[18];
	int	 i, k = 0;

	argv[k++] = (char *)bin_path();
	argv[k++] = "scan";
	if (conf != NULL) {
		argv[k++] = "-c";
		argv[k++] = (char *)conf;
	}
	argv[k++] = "--no-enforce";	/* never the host's firewall */
	argv[k++] = "--db";
	argv[k++] = (char *)db;
	for (i = 0; i < n && k < 15; i++)
		argv[k++] = files[i];
	argv[k] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
	return (r->status);
}

/* scan - run fivefifty scan --db db files...; its exit status */
static int
scan(const char *db, char *const *files, int n, struct run_result *r)
{
	return (scan_conf(NULL, db, files, n, r));
}

/* test_scan_resume - a second scan reads only what was appended */
static void
test_scan_resume(void **state)
{
	char		 db[256], log[300], src[512], *files[1];
	struct run_result r;
	size_t		 len;
	char		*text;
	FILE		*fp;

	(void)state;
	need_corpus();
	tmp_db(db, sizeof(db), "resume");
	snprintf(log, sizeof(log), "%s.log", db);
	text = read_file(shared_path("corpus/realworld/kdent-2015-3.log", src,
	    sizeof(src)), &len);
	assert_non_null(text);
	fp = fopen(log, "w");
	assert_non_null(fp);
	fwrite(text, 1, len / 2, fp);	/* the first half, cut at a line */
	fclose(fp);
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	assert_non_null(strstr(r.err, " lines, "));
	run_free(&r);
	assert_int_equal(scan(db, files, 1, &r), 0);
	assert_non_null(strstr(r.err, "scan: 0 lines"));
	run_free(&r);
	/* The rest arrives: read once, the first half not again. */
	fp = fopen(log, "a");
	fwrite(text + len / 2, 1, len - len / 2, fp);
	fclose(fp);
	assert_int_equal(scan(db, files, 1, &r), 0);
	assert_null(strstr(r.err, "scan: 0 lines"));
	run_free(&r);
	assert_int_equal(scan(db, files, 1, &r), 0);
	assert_non_null(strstr(r.err, "scan: 0 lines"));
	run_free(&r);
	free(text);
	unlink(log);
	rm_db(db);
}

/* test_scan_crash - SIGKILL at random points, restart: same database */
static void
test_scan_crash(void **state)
{
	char		 one[256], two[256], p[3][512], *files[3], *a, *b;
	char		*argv[10];
	struct run_result r;
	unsigned	 seed = 4242;
	struct timespec	 t0, t1;
	long		 whole_us;
	int		 i, kills = 0, round;

	(void)state;
	need_corpus();
	for (i = 0; i < 3; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "corpus/realworld/kdent-2015-%d.log",
		    i + 1);
		shared_path(rel, p[i], sizeof(p[i]));
		files[i] = p[i];
	}
	tmp_db(one, sizeof(one), "whole");
	tmp_db(two, sizeof(two), "killed");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(scan(one, files, 3, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run_free(&r);
	/* Kill within the time a whole run takes, at random. */
	whole_us = (t1.tv_sec - t0.tv_sec) * 1000000L +
	    (t1.tv_nsec - t0.tv_nsec) / 1000;
	if (whole_us < 20000)
		whole_us = 20000;

	a = dump(one);
	assert_true(strlen(a) > 10000);	/* it did hold something */
	argv[0] = (char *)bin_path();
	argv[1] = "scan";
	argv[2] = "--no-enforce";	/* never the host's firewall */
	argv[3] = "--db";
	argv[4] = two;
	argv[5] = files[0];
	argv[6] = files[1];
	argv[7] = files[2];
	argv[8] = NULL;
	for (round = 0; round < 4; round++) {
		rm_db(two);
		/* The first try of a round is always killed before it
		 * could finish; later ones at random. */
		kill_until_done(argv, whole_us, &seed, &kills, 400);
		b = dump(two);
		if (strcmp(a, b) != 0) {
			size_t k;
			for (k = 0; a[k] == b[k]; k++)
				continue;
			fail_msg("databases differ at byte %zu: ...%.120s... "
			    "vs ...%.120s...", k, a + (k > 40 ? k - 40 : 0),
			    b + (k > 40 ? k - 40 : 0));
		}
		free(b);
	}
	print_message("scan: killed %d times in 4 runs; each ended with the "
	    "database of the uninterrupted run\n", kills);
	assert_true(kills >= 4);
	free(a);
	rm_db(one);
	rm_db(two);
}

/* user_version - the schema version of an open database */
static int
user_version(sqlite3 *h)
{
	sqlite3_stmt	*q;
	int		 v;

	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &q,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return (v);
}

/* test_state_schema - user_version, and a newer schema refused */
static void
test_state_schema(void **state)
{
	char		 db[256], *files[1], log[512];
	struct run_result r;
	sqlite3		*h;
	sqlite3_stmt	*q;

	(void)state;
	need_corpus();
	tmp_db(db, sizeof(db), "schema");
	shared_path("corpus/realworld/shlomif-3.5.log", log, sizeof(log));
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(user_version(h), 5);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &q,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(scan(db, files, 1, &r), 74);
	assert_non_null(strstr(r.err, "newer than this fivefifty"));
	run_free(&r);
	rm_db(db);
}

/* test_state_migrate - a schema 1 state (day counts in reject_counts)
 * becomes schema 2: its counts are in activity at the day's first hour */
static void
test_state_migrate(void **state)
{
	char		 db[256], *files[1], log[512];
	struct run_result r;
	sqlite3		*h;
	sqlite3_stmt	*q;

	(void)state;
	need_corpus();
	tmp_db(db, sizeof(db), "migrate");
	shared_path("corpus/realworld/shlomif-3.5.log", log, sizeof(log));
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	/* Back to schema 1's shape, with one day count. */
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP VIEW activity_rows; "
	    "DROP TABLE activity; DROP TABLE fivefifties; "
	    "CREATE TABLE reject_counts (kind TEXT NOT NULL, value TEXT NOT "
	    "NULL, day INTEGER NOT NULL, client TEXT NOT NULL, class TEXT NOT "
	    "NULL, rejects INTEGER NOT NULL, first INTEGER NOT NULL, last "
	    "INTEGER NOT NULL, PRIMARY KEY (kind, value, day, client, class)) "
	    "WITHOUT ROWID; INSERT INTO reject_counts VALUES ('helo', "
	    "'old.example', 20000, '192.0.2.1', 'helo', 7, 1728000100, "
	    "1728000200); ALTER TABLE bans DROP COLUMN held; "
	    "ALTER TABLE bans DROP COLUMN lifted; "
	    "ALTER TABLE positions DROP COLUMN cursor; "
	    "PRAGMA user_version = 1", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	/* Read as it is (list does not migrate): no held, no lifted. */
	{
		char *argv[] = { (char *)bin_path(), "list", "--db", db,
		    NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		if (r.status != 0 || strstr(r.out, "ADDRESS") == NULL)
			fail_msg("list of schema 1: %d: %s%s", r.status,
			    r.out, r.err);
		run_free(&r);
	}
	assert_int_equal(scan(db, files, 1, &r), 0);	/* migrates */
	run_free(&r);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT hour, value, client, "
	    "class, n, first, last FROM activity_rows WHERE kind = 'helo' AND "
	    "value = 'old.example'", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), 20000 * 24);
	assert_string_equal((const char *)sqlite3_column_text(q, 2),
	    "192.0.2.1");
	assert_string_equal((const char *)sqlite3_column_text(q, 3), "helo");
	assert_int_equal(sqlite3_column_int64(q, 4), 7);
	assert_int_equal(sqlite3_column_int64(q, 5), 1728000100);
	assert_int_equal(sqlite3_column_int64(q, 6), 1728000200);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	assert_int_equal(user_version(h), 5);
	sqlite3_close(h);
	rm_db(db);
}

/* test_list_explain - a known offender, listed and explained */
static void
test_list_explain(void **state)
{
	char		 db[256], log[300], *files[1];
	char		*jq[] = { "/usr/bin/jq", "-e", "-r",
	    "map(select(.banned)) | .[0].addr", NULL };
	const char	*s;
	struct run_result r, j;
	FILE		*fp;
	int		 i;

	(void)state;
	tmp_db(db, sizeof(db), "list");
	snprintf(log, sizeof(log), "%s.log", db);
	fp = fopen(log, "w");
	assert_non_null(fp);
	for (i = 0; i < 4; i++) {
		fprintf(fp, "Nov 21 10:%02d:00 mx postfix/smtpd[%d]: connect "
		    "from unknown[198.51.100.77]\n", i * 10, 100 + i);
		fprintf(fp, "Nov 21 10:%02d:01 mx postfix/smtpd[%d]: NOQUEUE: "
		    "reject: RCPT from unknown[198.51.100.77]: 554 5.7.1 "
		    "<abuse@ours>: Sender address rejected: Access denied; "
		    "from=<x@spammer.example> to=<abuse@ours> proto=ESMTP "
		    "helo=<mail.spammer.example>\n", i * 10, 100 + i);
		fprintf(fp, "Nov 21 10:%02d:02 mx postfix/smtpd[%d]: disconnect "
		    "from unknown[198.51.100.77] ehlo=1 mail=1 rcpt=0/1 quit=1 "
		    "commands=3/4\n", i * 10, 100 + i);
	}
	fclose(fp);
	files[0] = log;

	/* --dry-run decides and prints, and writes nothing. */
	{
		char *argv[] = { (char *)bin_path(), "scan", "--dry-run",
		    "--db", db, log, NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "ban 198.51.100.77 at "));
		assert_non_null(strstr(r.out, "five-fifty"));
		assert_non_null(strstr(r.err, "dry run"));
		assert_int_equal(access(db, F_OK), -1);
		/* The summary, on stderr: standard output stays one line
		 * per ban. */
		if (strstr(r.err, "fivefifty scan: dry run: 1 bans of 1 "
		    "clients\n  bans by rule:\n           1  five-fifty\n"
		    "  top offenders (address, bans, highest score at a ban, "
		    "the rule of that ban):\n    198.51.100.77  1  ") == NULL)
			fail_msg("summary: %s", r.err);
		for (s = r.out; *s != '\0'; s = strchr(s, '\n') + 1)
			assert_int_equal(strncmp(s, "ban ", 4), 0);
		assert_null(strstr(r.out, "top offenders"));
		run_free(&r);
	}
	assert_int_equal(scan(db, files, 1, &r), 0);
	assert_non_null(strstr(r.out, "ban 198.51.100.77 at "));
	run_free(&r);
	{
		char *argv[] = { (char *)bin_path(), "list", "--db", db, NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "198.51.100.77"));
		assert_non_null(strstr(r.out, "banned until"));
		assert_non_null(strstr(r.out, "five-fifty x"));
		run_free(&r);
	}
	{
		char *argv[] = { (char *)bin_path(), "list", "--json", "--db",
		    db, NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(run_cmd(jq, r.out, r.outlen, &j), 0);
		assert_int_equal(j.status, 0);
		assert_string_equal(j.out, "198.51.100.77\n");
		run_free(&j);
		run_free(&r);
	}
	{
		char *argv[] = { (char *)bin_path(), "explain", "--db", db,
		    "198.51.100.77", NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "five-fifty: came back after a "
		    "554"));
		assert_non_null(strstr(r.out, "ban 1 at "));
		assert_non_null(strstr(r.out, "tipped by five-fifty"));
		run_free(&r);
	}
	{
		char *argv[] = { (char *)bin_path(), "explain", "--db", db,
		    "192.0.2.1", NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 1);
		run_free(&r);
	}
	{
		char *argv[] = { (char *)bin_path(), "explain", "--db", db,
		    "not-an-address", NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 64);
		run_free(&r);
	}
	unlink(log);
	rm_db(db);
}

/* test_reject_counts - the HELO counts for reports equal an independent
 * count over the same lines (': reject: ' lines, their helo=<...>) */
static void
test_reject_counts(void **state)
{
	char		 db[256], log[512], *files[1], *text, *s, *nl, *h, *e;
	struct run_result r;
	sqlite3		*hd;
	sqlite3_stmt	*q;
	size_t		 len;
	long		 want_friend = 0, want_total = 0, got_total = 0;
	long		 got_friend = 0;

	(void)state;
	need_corpus();
	tmp_db(db, sizeof(db), "counts");
	shared_path("corpus/lab/postfix37-lab.log", log, sizeof(log));
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	text = read_file(log, &len);
	assert_non_null(text);
	for (s = text; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		*nl = '\0';
		if (strstr(s, ": reject: ") == NULL ||
		    (h = strstr(s, " helo=<")) == NULL ||
		    (e = strchr(h + 7, '>')) == NULL)
			continue;
		want_total++;
		if (e - (h + 7) == 6 && strncmp(h + 7, "friend", 6) == 0)
			want_friend++;
	}
	free(text);
	assert_int_equal(sqlite3_open(db, &hd), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(hd, "SELECT value, sum(n) "
	    "FROM activity_rows WHERE kind = 'helo' GROUP BY value", -1, &q,
	    NULL), SQLITE_OK);
	while (sqlite3_step(q) == SQLITE_ROW) {
		got_total += sqlite3_column_int64(q, 1);
		if (strcmp((const char *)sqlite3_column_text(q, 0), "friend") ==
		    0)
			got_friend = sqlite3_column_int64(q, 1);
	}
	sqlite3_finalize(q);
	sqlite3_close(hd);
	print_message("HELO counts: %ld rejects (%ld friend), independent "
	    "count %ld (%ld)\n", got_total, got_friend, want_total,
	    want_friend);
	assert_true(want_total > 1000);
	assert_int_equal(got_total, want_total);
	assert_int_equal(got_friend, want_friend);
	rm_db(db);
}

/* test_prune - evidence older than the retention (30 days of log time)
 * goes; newer evidence and the bans stay */
static void
test_prune(void **state)
{
	char		 db[256], log[300], *files[1];
	struct run_result r;
	sqlite3		*h;
	sqlite3_stmt	*q;
	FILE		*fp;
	int		 i;

	(void)state;
	tmp_db(db, sizeof(db), "prune");
	snprintf(log, sizeof(log), "%s.log", db);
	fp = fopen(log, "w");
	assert_non_null(fp);
	for (i = 0; i < 12; i++)	/* 1 September and 20 October */
		fprintf(fp, "%s 10:00:%02d mx postfix/smtpd[7]: warning: "
		    "unknown[198.51.100.%d]: SASL LOGIN authentication failed: "
		    "x\n", "Sep  1", i, 1 + i % 2);
	for (i = 0; i < 3; i++)
		fprintf(fp, "Oct 20 10:00:%02d mx postfix/smtpd[7]: warning: "
		    "unknown[198.51.100.9]: SASL LOGIN authentication failed: "
		    "x\n", i);
	fclose(fp);
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*), min(t) >= "
	    "(SELECT value FROM meta WHERE key = 'log_time') - 30 * 86400 "
	    "FROM evidence", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 3);	/* October only */
	assert_int_equal(sqlite3_column_int(q, 1), 1);
	sqlite3_finalize(q);
	sqlite3_close(h);
	unlink(log);
	rm_db(db);
}

/* count_of - the first column of the first row of sql on db */
static long long
count_of(const char *db, const char *sql)
{
	sqlite3		*h;
	sqlite3_stmt	*q;
	long long	 n;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &q, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return (n);
}

/* A state_prune_later() call on a thread of its own. */
struct prune_call {
	struct state	*st;
	long long	 now;
	int		 r;
};

/* prune_call - state_prune_later(), its answer kept */
static void *
prune_call(void *arg)
{
	struct prune_call *c = arg;

	c->r = state_prune_later(c->st, c->now);
	return (NULL);
}

/* test_prune_later - the daemon's prune is the writer's: asked for while
 * the writer may not start a batch, it returns at once (state_prune()
 * would wait for the queue, here for ever), nothing is removed while the
 * writer may not run, and state_close() returns once the batch and the
 * prune are done: the old evidence gone, the new kept */
static void
test_prune_later(void **state)
{
	char		 db[256], err[512];
	struct state	*st;
	struct prune_call c;
	struct timespec	 until;
	pthread_t	 t;
	long long	 now = 1760000000;	/* October 2025 */

	(void)state;
	tmp_db(db, sizeof(db), "prunelater");
	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", db, err);
	state_put_evidence(st, "198.51.100.1", now - 40 * 86400);
	state_put_evidence(st, "198.51.100.2", now - 86400);
	assert_int_equal(state_sync(st), 0);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence"), 2);

	state_pause(st, 1);
	state_put_evidence(st, "198.51.100.3", now);
	/* On a thread, so that a call that waits for the paused writer
	 * fails the test instead of hanging the run. */
	c.st = st;
	c.now = now;
	c.r = -2;
	assert_int_equal(pthread_create(&t, NULL, prune_call, &c), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 30;
	if (pthread_timedjoin_np(t, NULL, &until) != 0) {
		state_pause(st, 0);
		pthread_join(t, NULL);
		fail_msg("state_prune_later() waited for the paused writer");
	}
	assert_int_equal(c.r, 0);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence"), 2);
	assert_int_equal(count_of(db, "SELECT count(*) FROM meta WHERE key = "
	    "'pruned_day'"), 0);
	state_pause(st, 0);

	/* The close waits for the batch, then the prune. */
	assert_int_equal(state_sync(st), 0);
	state_close(st);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence"), 2);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence WHERE "
	    "addr = '198.51.100.1'"), 0);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence WHERE "
	    "addr = '198.51.100.3'"), 1);
	assert_int_equal(count_of(db, "SELECT value FROM meta WHERE key = "
	    "'pruned_day'"), now / 86400);
	rm_db(db);
}

/* test_prune_patience - a prune asked for while batches keep coming (a
 * flood: the queue does not empty) runs between them once 16 were
 * stored: the old evidence of the batches after it is still there (the
 * prune runs once a log day); had it waited for an empty queue, after
 * the last batch, none would be (checked: with a patience of 1,000 the
 * test fails) */
static void
test_prune_patience(void **state)
{
	char		 db[256], err[512], addr[32];
	struct state	*st;
	struct state_batch *b;
	struct state_evidence e = { .weight = 1, .rule = "sasl_fail",
	    .detail = "" };
	long long	 now = 1760000000, old;
	int		 i, k;

	(void)state;
	tmp_db(db, sizeof(db), "prunepat");
	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", db, err);
	for (i = 0; i < 40; i++) {
		/* One old row, and 300 new ones that keep the writer busier
		 * than this loop: the queue stays full. */
		b = state_batch_new();
		assert_non_null(b);
		snprintf(addr, sizeof(addr), "198.51.100.%d", 10 + i);
		e.addr = addr;
		for (k = 0; k <= 300; k++) {
			e.t = k == 0 ? now - 40 * 86400 : now - k;
			assert_int_equal(state_batch_evidence(b, &e), 0);
		}
		assert_int_equal(state_batch_meta(b, "log_time", now), 0);
		assert_int_equal(state_write(st, b), 0);
		if (i == 0)
			assert_int_equal(state_prune_later(st, now), 0);
	}
	state_close(st);
	old = count_of(db, "SELECT count(*) FROM evidence WHERE t < 1760000000 "
	    "- 30 * 86400");
	print_message("old evidence left: %lld of 40\n", old);
	/* Asked for after the first batch was handed over: run after at
	 * most 17 stored, so the last 23 at least come after it. */
	assert_true(old >= 23 && old < 40);
	assert_int_equal(count_of(db, "SELECT value FROM meta WHERE key = "
	    "'pruned_day'"), now / 86400);
	rm_db(db);
}

/* test_prune_retry - a prune that fails (another connection holds the
 * write lock past the writer's wait) is not dropped: nothing is removed
 * meanwhile, and it runs once the next batch is stored (checked: a prune
 * dropped on failure leaves the old row, and the test fails) */
static void
test_prune_retry(void **state)
{
	char		 db[256], err[512], errlog[300], *text;
	struct state	*st;
	struct pollfd	 p;
	sqlite3		*lock;
	long long	 now = 1760000000;
	size_t		 len;
	int		 saved, rc, n;

	(void)state;
	tmp_db(db, sizeof(db), "pruneretry");
	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", db, err);
	state_retry(st, 1);	/* the daemon's: a lock waited for 1 s */
	state_put_evidence(st, "198.51.100.1", now - 40 * 86400);
	assert_int_equal(state_sync(st), 0);

	assert_int_equal(sqlite3_open(db, &lock), SQLITE_OK);
	assert_int_equal(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL), SQLITE_OK);
	p.fd = state_wake_fd(st);
	p.events = POLLIN;
	assert_true(p.fd >= 0);
	state_woken(st);
	snprintf(errlog, sizeof(errlog), "%s.stderr", db);
	saved = stderr_to(errlog);
	rc = state_prune_later(st, now);
	/* Its end (failed: the lock) is the writer's only news. */
	n = poll(&p, 1, 30000);
	stderr_back(saved);	/* before any assertion can end the test */
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1);
	assert_int_equal(state_pruning(st), 0);
	/* Said once: the file, what failed, why, what happens next. */
	assert_non_null(text = read_file(errlog, &len));
	print_message("%s", text);
	assert_non_null(strstr(text, db));
	assert_non_null(strstr(text, "cannot remove the rows older than 30 "
	    "days: database is locked; tried again later"));
	assert_null(strstr(strstr(text, "locked") + 1, "locked"));
	free(text);
	unlink(errlog);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence WHERE "
	    "addr = '198.51.100.1'"), 1);
	assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(lock);
	/* Not tried again at once: after the next batch. */
	usleep(300000);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence WHERE "
	    "addr = '198.51.100.1'"), 1);

	state_put_evidence(st, "198.51.100.2", now);
	assert_int_equal(state_sync(st), 0);
	state_close(st);	/* waits for the prune the batch let run */
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence WHERE "
	    "addr = '198.51.100.1'"), 0);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence WHERE "
	    "addr = '198.51.100.2'"), 1);
	assert_int_equal(count_of(db, "SELECT value FROM meta WHERE key = "
	    "'pruned_day'"), now / 86400);
	rm_db(db);
}

/* test_prune_said_once - a prune that fails alone (a trigger refuses
 * the DELETE; the writes are stored) is tried after each batch: the
 * failure is said once with its reason, not once a try (checked:
 * without prune_said(), three warnings); once another process has
 * pruned (pruned_day today), the end of the failure is said once */
static void
test_prune_said_once(void **state)
{
	char		 db[256], err[512], errlog[300], *said;
	struct state	*st;
	sqlite3		*other;
	long long	 now = 1760000000;

	(void)state;
	tmp_db(db, sizeof(db), "prunesaid");
	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", db, err);
	state_put_evidence(st, "198.51.100.1", now - 40 * 86400);
	assert_int_equal(state_sync(st), 0);
	assert_int_equal(sqlite3_open(db, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "CREATE TRIGGER keep BEFORE "
	    "DELETE ON evidence BEGIN SELECT RAISE(ABORT, 'kept by the "
	    "test'); END", NULL, NULL, NULL), SQLITE_OK);
	snprintf(errlog, sizeof(errlog), "%s.stderr", db);
	said = prunes_refused(st, now, errlog, "kept by the test");
	assert_non_null(strstr(said, "cannot remove the rows older than 30 "
	    "days: prune: kept by the test; tried again later"));
	free(said);
	/* Another process prunes, as scan does: today's is done. */
	assert_int_equal(sqlite3_exec(other, "DROP TRIGGER keep; DELETE FROM "
	    "evidence WHERE t < 1760000000 - 30 * 86400; INSERT OR REPLACE "
	    "INTO meta (key, value) VALUES ('pruned_day', 1760000000 / "
	    "86400)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	prune_said_again(st, now, errlog);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence WHERE "
	    "addr = '198.51.100.2'"), 3);	/* the writes, stored */
	state_close(st);
	rm_db(db);
}

/* test_wake_fd - the writer's wake descriptor: quiet until a batch is
 * stored, readable once it is (before state_sync() returns), quiet again
 * once state_woken() emptied it */
static void
test_wake_fd(void **state)
{
	char		 db[256], err[512];
	struct state	*st;
	struct pollfd	 p;

	(void)state;
	tmp_db(db, sizeof(db), "wakefd");
	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", db, err);
	p.fd = state_wake_fd(st);
	p.events = POLLIN;
	assert_true(p.fd >= 0);
	state_woken(st);
	assert_int_equal(poll(&p, 1, 0), 0);
	state_put_evidence(st, "198.51.100.4", 1760000000);
	assert_int_equal(state_sync(st), 0);
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_true(p.revents & POLLIN);
	state_woken(st);
	assert_int_equal(poll(&p, 1, 0), 0);
	state_close(st);
	rm_db(db);
}

/* old_session - a session of addr on "MON DD" with a 554 reject and five
 * SASL failures */
static void
old_session(FILE *fp, const char *day, int addr)
{
	int	i;

	fprintf(fp, "%s 10:00:00 mx postfix/smtpd[7]: connect from "
	    "unknown[198.51.100.%d]\n", day, addr);
	fprintf(fp, "%s 10:00:01 mx postfix/smtpd[7]: NOQUEUE: reject: RCPT "
	    "from unknown[198.51.100.%d]: 554 5.7.1 <x@example.net>: Relay "
	    "access denied; from=<a@example.org> to=<x@example.net> "
	    "proto=ESMTP helo=<old%d>\n", day, addr, addr);
	for (i = 0; i < 5; i++)
		fprintf(fp, "%s 10:00:%02d mx postfix/smtpd[7]: warning: "
		    "unknown[198.51.100.%d]: SASL LOGIN authentication "
		    "failed: x\n", day, 2 + i, addr);
	fprintf(fp, "%s 10:00:09 mx postfix/smtpd[7]: disconnect from "
	    "unknown[198.51.100.%d] ehlo=1 rcpt=0/1 quit=1 commands=2/3\n",
	    day, addr);
}

/* test_retention_unwritten - lines older than the retention before the
 * log time already reached are scored (clock_tolerance = 0 lets them in)
 * but never stored: no evidence, activity or five-fifty row, even when
 * no prune runs after them (the second scan ends on the day the first
 * one pruned) */
static void
test_retention_unwritten(void **state)
{
	static const char old_ev[] = "SELECT count(*) FROM evidence WHERE t < "
	    "(SELECT value FROM meta WHERE key = 'log_time') - 30 * 86400";
	static const char old_act[] = "SELECT count(*) FROM activity WHERE "
	    "hour < ((SELECT value FROM meta WHERE key = 'log_time') - "
	    "30 * 86400) / 3600";
	static const char old_ff[] = "SELECT count(*) FROM fivefifties WHERE "
	    "last_seen < (SELECT value FROM meta WHERE key = 'log_time') - "
	    "30 * 86400";
	char		 db[256], log1[300], log2[300], conf[300], *files[1];
	struct run_result r;
	FILE		*fp;

	(void)state;
	tmp_db(db, sizeof(db), "retain");
	snprintf(log1, sizeof(log1), "%s.1.log", db);
	snprintf(log2, sizeof(log2), "%s.2.log", db);
	snprintf(conf, sizeof(conf), "%s.conf", db);
	fp = fopen(conf, "w");
	assert_non_null(fp);
	fprintf(fp, "state_db = %s\nfirewall = off\naccess_map =\n"
	    "control_group =\nclock_tolerance = 0\n", db);
	fclose(fp);
	/* First scan: 20 October, then pruned on that day. */
	fp = fopen(log1, "w");
	assert_non_null(fp);
	old_session(fp, "Oct 20", 9);
	fclose(fp);
	files[0] = log1;
	assert_int_equal(scan_conf(conf, db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence"), 7);
	assert_true(count_of(db, "SELECT count(*) FROM activity") > 0);
	assert_int_equal(count_of(db, "SELECT count(*) FROM fivefifties"), 1);
	/* Second: two sessions of 1 September (past the retention), then
	 * 20 October again: no prune runs at its end (same day). */
	fp = fopen(log2, "w");
	assert_non_null(fp);
	old_session(fp, "Sep  1", 1);
	old_session(fp, "Sep  1", 2);
	old_session(fp, "Oct 20", 3);
	fclose(fp);
	files[0] = log2;
	assert_int_equal(scan_conf(conf, db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(count_of(db, old_ev), 0);
	assert_int_equal(count_of(db, old_act), 0);
	assert_int_equal(count_of(db, old_ff), 0);
	/* The recent session of each scan is stored whole. */
	assert_int_equal(count_of(db, "SELECT count(*) FROM evidence"), 14);
	assert_int_equal(count_of(db, "SELECT count(*) FROM fivefifties"), 2);
	assert_int_equal(count_of(db, "SELECT count(*) FROM activity_rows "
	    "WHERE client = '198.51.100.3' AND kind = 'helo'"), 1);
	/* The old ones were scored all the same. */
	assert_int_equal(count_of(db, "SELECT count(*) FROM clients WHERE "
	    "addr IN ('198.51.100.1', '198.51.100.2')"), 2);
	unlink(log1);
	unlink(log2);
	unlink(conf);
	rm_db(db);
}

/* reject_session - a session of 198.51.100.ADDR at 2026-10-20THH:MM:SSZ
 * with a 554 reject under HELO bot.example (UTC: hours are hours in any
 * zone) */
static void
reject_session(FILE *fp, const char *hms, int addr)
{
	fprintf(fp, "2026-10-20T%sZ mx postfix/smtpd[7]: connect from "
	    "unknown[198.51.100.%d]\n", hms, addr);
	fprintf(fp, "2026-10-20T%sZ mx postfix/smtpd[7]: NOQUEUE: reject: RCPT "
	    "from unknown[198.51.100.%d]: 554 5.7.1 <x@example.net>: Relay "
	    "access denied; from=<a@example.org> to=<x@example.net> "
	    "proto=ESMTP helo=<bot.example>\n", hms, addr);
	fprintf(fp, "2026-10-20T%sZ mx postfix/smtpd[7]: disconnect from "
	    "unknown[198.51.100.%d] ehlo=1 rcpt=0/1 quit=1 commands=2/3\n",
	    hms, addr);
}

/* helo_of - what (an aggregate of activity_rows) over the HELO
 * bot.example facts of 198.51.100.ADDR in the first hour of activity
 * plus HOUR */
static long long
helo_of(const char *db, int addr, int hour, const char *what)
{
	char	sql[512];

	snprintf(sql, sizeof(sql), "SELECT %s FROM activity_rows WHERE "
	    "kind = 'helo' AND value = 'bot.example' AND client = "
	    "'198.51.100.%d' AND hour = (SELECT min(hour) FROM activity) + %d",
	    what, addr, hour);
	return (count_of(db, sql));
}

/* test_facts_repeated - the same facts one after another (a client's
 * sessions, another's between them, the next hour) are counted as often
 * as they happened, with their first and last times, in the state's
 * activity rows */
static void
test_facts_repeated(void **state)
{
	char		 db[256], log[300], *files[1];
	struct run_result r;
	FILE		*fp;

	(void)state;
	tmp_db(db, sizeof(db), "facts");
	snprintf(log, sizeof(log), "%s.log", db);
	fp = fopen(log, "w");
	assert_non_null(fp);
	reject_session(fp, "10:00:01", 5);
	reject_session(fp, "10:00:02", 5);
	reject_session(fp, "10:00:03", 6);	/* another between */
	reject_session(fp, "10:00:04", 5);
	reject_session(fp, "10:59:59", 5);
	reject_session(fp, "11:00:00", 5);	/* the next hour */
	fclose(fp);
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(helo_of(db, 5, 0, "sum(n)"), 4);
	assert_int_equal(helo_of(db, 5, 0, "min(first) % 3600"), 1);
	assert_int_equal(helo_of(db, 5, 0, "max(last) % 3600"), 3599);
	assert_int_equal(helo_of(db, 6, 0, "sum(n)"), 1);
	assert_int_equal(helo_of(db, 5, 1, "sum(n)"), 1);
	assert_int_equal(helo_of(db, 5, 1, "min(first) % 3600"), 0);
	assert_int_equal(count_of(db, "SELECT sum(n) FROM activity_rows "
	    "WHERE kind = 'session' AND client = '198.51.100.5'"), 5);
	assert_int_equal(count_of(db, "SELECT sum(n) FROM activity_rows "
	    "WHERE kind = 'reject' AND client = '198.51.100.5'"), 5);
	unlink(log);
	rm_db(db);
}

/* write_file - a file with this text */
static void
write_file(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* bin - run the binary with up to six arguments; its exit status */
static int
bin(const char *a1, const char *a2, const char *a3, const char *a4,
    const char *a5, const char *a6, struct run_result *r)
{
	char	*argv[8] = { (char *)bin_path(), (char *)a1, (char *)a2,
	    (char *)a3, (char *)a4, (char *)a5, (char *)a6, NULL };

	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
	return (r->status);
}

/* test_state_newer_readers - list, explain and report refuse a state of
 * a newer schema, naming the file and what to do */
static void
test_state_newer_readers(void **state)
{
	/* the command, then its arguments before --db FILE */
	static const char *const cmds[][2] = {
		{ "list", NULL },
		{ "explain", "192.0.2.1" },
		{ "report", "summary" },
	};
	char		 db[256], *files[1], log[512];
	struct run_result r;
	sqlite3		*h;
	size_t		 i;

	(void)state;
	need_corpus();
	tmp_db(db, sizeof(db), "newer");
	shared_path("corpus/realworld/shlomif-3.5.log", log, sizeof(log));
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (cmds[i][1] != NULL)
			(void)bin(cmds[i][0], cmds[i][1], "--db", db, NULL,
			    NULL, &r);
		else
			(void)bin(cmds[i][0], "--db", db, NULL, NULL, NULL,
			    &r);
		if (r.status == 0 || strstr(r.err, db) == NULL ||
		    strstr(r.err, "newer than this fivefifty") == NULL ||
		    strstr(r.err, "a newer fivefifty wrote it") == NULL)
			fail_msg("%s: status %d: %s", cmds[i][0], r.status,
			    r.err);
		run_free(&r);
	}
	rm_db(db);
}

/* test_state_open_err - state_open() says the path, the reason and what
 * to do, in a buffer the caller did not clear, read-only or not */
static void
test_state_open_err(void **state)
{
	char		 db[256], err[512];
	struct state	*st;
	int		 ro;

	(void)state;
	tmp_db(db, sizeof(db), "garbage");
	write_file(db, "this is not a database, it is what a disk failure "
	    "left in its place, long enough to fill a page header\n");
	for (ro = 0; ro < 2; ro++) {
		memset(err, 'X', sizeof(err) - 1);	/* stack garbage */
		err[sizeof(err) - 1] = '\0';
		st = state_open(db, ro, err, sizeof(err));
		if (st != NULL)
			state_close(st);
		assert_null(st);
		if (strncmp(err, db, strlen(db)) != 0 ||
		    strstr(err, "not a database") == NULL ||
		    strstr(err, "fivefifty scan") == NULL)
			fail_msg("read-only %d: err is \"%.80s\"", ro, err);
	}
	rm_db(db);
}

/* line_has - a line of text with a and, after it, b */
static int
line_has(const char *text, const char *a, const char *b)
{
	const char	*p, *q, *nl;

	for (p = text; (p = strstr(p, a)) != NULL; p++) {
		nl = strchr(p, '\n');
		if ((q = strstr(p, b)) != NULL && (nl == NULL || q < nl))
			return (1);
	}
	return (0);
}

/* test_state_errors_cli - a damaged state: run, list and explain name
 * the file and the reason, as errors, and exit 74 */
static void
test_state_errors_cli(void **state)
{
	char		 db[256], conf[300], text[1024], line[600];
	struct run_result r;
	const char	*cmds[3][3] = {
		{ "run", NULL, NULL }, { "list", NULL },
		{ "explain", "192.0.2.1" },
	};
	int		 i, ok;

	(void)state;
	tmp_db(db, sizeof(db), "damaged");
	snprintf(conf, sizeof(conf), "%s.conf", db);
	write_file(db, "this is not a database, it is what a disk failure "
	    "left in its place, long enough to fill a page header\n");
	snprintf(text, sizeof(text), "state_db = %s\nlog_source = file\n"
	    "mail_log = %s.log\n"
	    "user =\ncontrol_socket = %s.sock\nfirewall = off\n"
	    "access_map =\n", db, db, db);
	write_file(conf, text);
	snprintf(line, sizeof(line), "state database %s: ", db);
	for (i = 0; i < 3; i++) {
		assert_int_equal(bin(cmds[i][0], "-c", conf, cmds[i][1], NULL,
		    NULL, &r), 74);
		ok = line_has(r.err, line, "not a database") &&
		    strstr(r.err, "warning: state") == NULL && (i > 0 || strstr(r.err,
		    "fivefifty: error: ") != NULL);
		if (!ok)
			print_message("%s: %s\n", cmds[i][0], r.err);
		run_free(&r);
		assert_true(ok);
	}
	snprintf(line, sizeof(line), "%s.log", db);
	unlink(line);
	snprintf(line, sizeof(line), "%s.sock", db);
	unlink(line);
	unlink(conf);
	rm_db(db);
}

/* test_scan_dry_run_stored - scan --dry-run on a state that holds the
 * log's position: from there, nothing written */
static void
test_scan_dry_run_stored(void **state)
{
	char		 db[256], log[512], *files[1];
	struct run_result r;

	(void)state;
	need_corpus();
	tmp_db(db, sizeof(db), "dry");
	shared_path("corpus/realworld/shlomif-3.5.log", log, sizeof(log));
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(bin("scan", "--dry-run", "--db", db, log, NULL, &r),
	    0);
	if (strstr(r.err, "scan: 0 lines") == NULL)
		fail_msg("%s", r.err);
	run_free(&r);
	rm_db(db);
}

/* test_scan_last_line - a last line without its newline is scanned,
 * as parse counts it, and not again by the next scan */
static void
test_scan_last_line(void **state)
{
	char		 db[256], log[300], *files[1];
	struct run_result r;
	FILE		*fp;

	(void)state;
	tmp_db(db, sizeof(db), "lastline");
	snprintf(log, sizeof(log), "%s.log", db);
	assert_non_null(fp = fopen(log, "w"));
	fputs("2026-11-01T10:00:00.000000+00:00 mx postfix/smtpd[100]: "
	    "connect from mail.example.org[192.0.2.44]\n"
	    "2026-11-01T10:00:01.000000+00:00 mx postfix/smtpd[100]: "
	    "disconnect from mail.example.org[192.0.2.44] ehlo=1 quit=1 "
	    "commands=2", fp);
	fclose(fp);
	assert_int_equal(bin("parse", log, NULL, NULL, NULL, NULL, &r), 0);
	assert_non_null(strstr(r.err, "parse: 2 lines"));
	run_free(&r);
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	if (strstr(r.err, "scan: 2 lines, 2 events") == NULL)
		fail_msg("%s", r.err);
	run_free(&r);
	assert_int_equal(scan(db, files, 1, &r), 0);
	assert_non_null(strstr(r.err, "scan: 0 lines"));
	run_free(&r);
	unlink(log);
	rm_db(db);
}

/* test_state_last_seen - a session whose end was never logged is judged
 * when the log passes its last line by session_timeout: last_seen is
 * still the client's last line, whenever the flush comes (the daemon's
 * differ from scan's) */
static void
test_state_last_seen(void **state)
{
	char		 db[256], log[300], *files[1];
	struct run_result r;
	sqlite3		*h;
	sqlite3_stmt	*q;
	FILE		*fp;

	(void)state;
	tmp_db(db, sizeof(db), "lastseen");
	snprintf(log, sizeof(log), "%s.log", db);
	assert_non_null(fp = fopen(log, "w"));
	fputs("2026-11-01T10:00:00.000000+00:00 mx postfix/smtpd[100]: "
	    "connect from mail.example.org[192.0.2.44]\n"
	    "2026-11-01T10:00:00.000000+00:00 mx postfix/smtpd[100]: NOQUEUE: "
	    "reject: RCPT from mail.example.org[192.0.2.44]: 554 5.7.1 "
	    "<x@spammer.example>: Sender address rejected: Access denied; "
	    "from=<x@spammer.example> to=<alice@example.test> proto=ESMTP "
	    "helo=<mail.example.org>\n"
	    "2026-11-01T12:00:00.000000+00:00 mx postfix/smtpd[101]: "
	    "connect from other.example.org[192.0.2.45]\n"
	    "2026-11-01T12:00:01.000000+00:00 mx postfix/smtpd[101]: "
	    "disconnect from other.example.org[192.0.2.45] ehlo=1 quit=1 "
	    "commands=2\n", fp);
	fclose(fp);
	files[0] = log;
	assert_int_equal(scan(db, files, 1, &r), 0);
	run_free(&r);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT first_seen, last_seen "
	    "FROM clients WHERE addr = '192.0.2.44'", -1, &q, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	/* 2026-11-01T10:00:00Z */
	assert_int_equal(sqlite3_column_int64(q, 0), 1793527200);
	assert_int_equal(sqlite3_column_int64(q, 1), 1793527200);
	sqlite3_finalize(q);
	sqlite3_close(h);
	unlink(log);
	rm_db(db);
}

const struct CMUnitTest state_tests[] = {
	cmocka_unit_test(test_scan_resume),
	cmocka_unit_test(test_scan_crash),
	cmocka_unit_test(test_state_schema),
	cmocka_unit_test(test_state_newer_readers),
	cmocka_unit_test(test_state_migrate),
	cmocka_unit_test(test_list_explain),
	cmocka_unit_test(test_reject_counts),
	cmocka_unit_test(test_prune),
	cmocka_unit_test(test_prune_later),
	cmocka_unit_test(test_prune_patience),
	cmocka_unit_test(test_prune_retry),
	cmocka_unit_test(test_prune_said_once),
	cmocka_unit_test(test_wake_fd),
	cmocka_unit_test(test_retention_unwritten),
	cmocka_unit_test(test_facts_repeated),
	cmocka_unit_test(test_state_open_err),
	cmocka_unit_test(test_state_errors_cli),
	cmocka_unit_test(test_scan_dry_run_stored),
	cmocka_unit_test(test_scan_last_line),
	cmocka_unit_test(test_state_last_seen),
};
const size_t state_tests_count = sizeof(state_tests) / sizeof(state_tests[0]);

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
 *	  the same output of list, list --json, explain and the reports (the
 *	  summary of PostgreSQL has its nodes section more);
 *	  scanning them again reads nothing new;
 *	- killed with SIGKILL at random points and run again until it
 *	  finishes, the scan ends with exactly the tables of a run that was
 *	  never interrupted: each line counted once;
 *	- the same batches written through state.h into both backends give
 *	  the same answer to every reading call (clients in both orders,
 *	  sessions, facts, five-fifties, evidence, rules, rejects, bans and
 *	  the breaker's notes, positions, journal cursors, meta);
 *	- state copy moves a SQLite state into an empty PostgreSQL one
 *	  (and refuses one that is not empty): it answers as the file, and
 *	  a scan of the logs goes on where the file left off; the global
 *	  --db takes a URI;
 *	- the schema is stamped (schema_version: the migrations run) by a
 *	  role that is no superuser; a state of a newer schema is refused
 *	  by scan and list, and so is, by list, a database without the
 *	  schema, each naming the URI and what to do; a server that is not
 *	  there is said likewise.
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

#include "state/state.h"
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
	need_corpus();
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
		/* the summary of PostgreSQL: its nodes section more */
		assert_int_equal(pg_strip_nodes(a.out), i == 0);
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
 * rolled-back transaction spends them). The report facts are summed per
 * key, as the reports read them: a flush writes a row per key it
 * counted, and where a flush falls depends on time as well as lines
 * (scan's FLUSH_MS), so a loaded run splits them otherwise. */
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
	    "SELECT hour, kind, value, client, class, code, sum(n), "
	    "min(first), max(last) FROM activity_rows GROUP BY 1, 2, 3, 4, "
	    "5, 6 ORDER BY 1, 2, 3, 4, 5, 6;"
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
	int		 kills = 0, round;

	(void)state;
	need_corpus();
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
		pg_reset(pg.uri_b);
		kill_until_done(argv, whole_us, &seed, &kills, 300);
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

/* The text of every reading call, to compare the backends. */
struct out {
	FILE		*fp;
	char		*text;
	size_t		 len;
};

/* hexs - bytes as hex into fp */
static void
hexs(FILE *fp, const void *p, size_t len)
{
	const unsigned char *c = p;
	size_t		 i;

	for (i = 0; c != NULL && i < len; i++)
		fprintf(fp, "%02x", c[i]);
}

/* o_client - a client row */
static int
o_client(void *a, const struct state_client *c)
{
	FILE	*fp = ((struct out *)a)->fp;

	fprintf(fp, "client %s %d %d %.17g %lld %lld %lld %d %lld %lld %d ",
	    c->addr, c->family, c->prefix_len, c->score, c->score_t,
	    c->first_seen, c->last_seen, c->bans, c->banned_until, c->last_ban,
	    c->held);
	hexs(fp, c->memory, c->memlen);
	fprintf(fp, " %zu\n", c->memlen);
	return (0);
}

/* o_ev - an evidence row */
static int
o_ev(void *a, const struct state_evidence *e)
{
	fprintf(((struct out *)a)->fp, "ev %s %lld %.17g %s [%s]\n", e->addr,
	    e->t, e->weight, e->rule, e->detail);
	return (0);
}

/* o_ban - a ban row */
static int
o_ban(void *a, const struct state_ban *d)
{
	fprintf(((struct out *)a)->fp, "ban %d %s/%d %d %lld %lld %d %.17g "
	    "[%s] %d %d\n", d->op, d->addr, d->prefix_len, d->family, d->at,
	    d->until, d->n, d->score, d->reason != NULL ? d->reason : "-",
	    d->manual, d->held);
	return (0);
}

/* o_session - a session */
static int
o_session(void *a, const struct state_session *ss)
{
	FILE	*fp = ((struct out *)a)->fp;

	fprintf(fp, "session %llu ", ss->key);
	hexs(fp, ss->data, ss->len);
	fprintf(fp, "\n");
	return (0);
}

/* o_fact - a fact */
static int
o_fact(void *a, const struct state_fact *f)
{
	fprintf(((struct out *)a)->fp, "fact %s [%s] %s [%s] %lld %d %ld %lld "
	    "%lld\n", f->kind, f->value, f->client, f->class, f->hour, f->code,
	    f->n, f->first, f->last);
	return (0);
}

/* o_ff - a five-fifty */
static int
o_ff(void *a, const struct state_ff *f)
{
	fprintf(((struct out *)a)->fp, "ff %s [%s] [%s] [%s] %lld %d %ld %lld "
	    "%lld\n", f->addr, f->name, f->class, f->reason, f->first_t,
	    f->code, f->retries, f->last_retry, f->last_seen);
	return (0);
}

/* o_rule - a rule and its count */
static int
o_rule(void *a, const char *rule, long n)
{
	fprintf(((struct out *)a)->fp, "rule %s %ld\n", rule, n);
	return (0);
}

/* count - the test's fact logs are arrays of struct state_fact */
static int
count(void *const *logs, const size_t *lens, int n, state_fact_fn *fn,
    void *arg)
{
	const struct state_fact *f;
	size_t		 i;
	int		 k;

	for (k = 0; k < n; k++)
		for (f = logs[k], i = 0; i < lens[k] / sizeof(*f); i++)
			if (fn(arg, &f[i]) != 0)
				return (0);
	return (0);
}

/* facts_log - n facts of two hours and kinds, as a fact log */
static void *
facts_log(int n, int base, size_t *len)
{
	static const char *const vals[] = { "a\"b", "back\\slash", "",
	    "caf\xc3\xa9", "x'; DROP TABLE clients; --" };
	struct state_fact *f = calloc((size_t)n, sizeof(*f));
	int		 i;

	assert_non_null(f);
	for (i = 0; i < n; i++) {
		f[i].kind = i < n / 2 ? "reject" : "helo";
		f[i].value = vals[i % 5];
		f[i].client = i % 3 ? "192.0.2.7" : "2001:db8::1";
		f[i].class = i % 2 ? "dnsbl" : "";
		f[i].hour = 480000 + (i < n / 2 ? 0 : 1);
		f[i].code = i % 4 == 0 ? 450 : 554;
		f[i].n = base + i;
		f[i].first = 1728000000 + i;
		f[i].last = 1728000100 + i;
	}
	*len = (size_t)n * sizeof(*f);
	return (f);
}

/* batch_one - clients, evidence, bans and notes, sessions, facts,
 * five-fifties, positions, meta: the first write */
static struct state_batch *
batch_one(void)
{
	static const unsigned char mem[] = { 0, 1, 2, 0xff, 0, 'x' };
	static const unsigned char sdata[] = { 9, 0, 8, 0, 7 };
	struct state_batch *b = state_batch_new();
	struct state_client c;
	struct state_evidence e;
	struct state_ban d;
	struct state_session ss;
	struct state_ff f;
	struct state_pos p;
	char		 detail[64];
	void		*log;
	size_t		 len;
	int		 i;

	assert_non_null(b);
	memset(&c, 0, sizeof(c));
	c = (struct state_client){ "192.0.2.7", 4, 32, 7.25, 1000, 900, 1000,
	    1, 2000, 1000, mem, sizeof(mem), 0, 0, NULL };
	assert_int_equal(state_batch_client(b, &c), 0);
	c = (struct state_client){ "198.51.100.0/24", 4, 24, 1.0 / 3, 1001,
	    901, 1001, 2, 5000, 1001, NULL, 0, 0, 0, NULL };
	assert_int_equal(state_batch_client(b, &c), 0);
	c = (struct state_client){ "2001:db8::1", 6, 128, -0.5, 1002, 902,
	    1002, 0, 0, 0, sdata, sizeof(sdata), 0, 0, NULL };
	assert_int_equal(state_batch_client(b, &c), 0);
	/* 40 rows: a multi-row statement and single ones. */
	for (i = 0; i < 40; i++) {
		snprintf(detail, sizeof(detail), "d%d 'q' \"dq\" \\ %s", i,
		    i % 7 == 0 ? "caf\xc3\xa9" : "");
		e = (struct state_evidence){ i % 2 ? "192.0.2.7" :
		    "2001:db8::1", 950 + i / 3, 0.1 * i, i % 3 ? "dnsbl" :
		    "five_fifty_retry", detail };
		assert_int_equal(state_batch_evidence(b, &e), 0);
	}
	memset(&d, 0, sizeof(d));
	d = (struct state_ban){ STATE_OP_BAN, "192.0.2.7", 32, 4, 1000, 2000,
	    1, 7.25, "DNSBL reject", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_BAN, "198.51.100.0", 24, 4, 1001,
	    5000, 2, 9.5, "prefix several offenders", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_BAN, "2001:db8::1", 128, 6, 1002,
	    3000, 1, 0, "manual", 1, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_HOLD, "198.51.100.0", 24, 4, 1001,
	    5000, 2, 9.5, "", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_MANUAL, "", 0, 0, 7, 0, 0, 0, "",
	    0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	ss = (struct state_session){ 1, sdata, sizeof(sdata) };
	assert_int_equal(state_batch_session(b, &ss), 0);
	ss = (struct state_session){ (1ULL << 63) + 5, mem, sizeof(mem) };
	assert_int_equal(state_batch_session(b, &ss), 0);
	log = facts_log(40, 1, &len);
	assert_int_equal(state_batch_facts(b, log, len, count), 0);
	f = (struct state_ff){ "192.0.2.7", "mx.example", "dnsbl",
	    "blocked using \"zen\"", 950, 554, 3, 990, 1000 };
	assert_int_equal(state_batch_ff(b, &f), 0);
	f = (struct state_ff){ "2001:db8::1", "", "", "", 951, 550, 0, 0,
	    1002 };
	assert_int_equal(state_batch_ff(b, &f), 0);
	p = (struct state_pos){ "/var/log/mail.log", { (1ULL << 63) + 3, 77,
	    123456, 64, 0xfedcba9876543210ULL }, NULL };
	assert_int_equal(state_batch_pos(b, &p), 0);
	p = (struct state_pos){ "journal:", { 0, 0, 1728000000123456ULL, 0,
	    0 }, "s=abc;i=1f;b=0123;m=4;t=5;x=6" };
	assert_int_equal(state_batch_pos(b, &p), 0);
	assert_int_equal(state_batch_meta(b, "log_time", 1002), 0);
	return (b);
}

/* batch_two - what changes next: releases, a lift, drops, replaced
 * sessions and rows, more facts */
static struct state_batch *
batch_two(void)
{
	struct state_batch *b = state_batch_new();
	struct state_client c;
	struct state_ban d;
	struct state_session ss;
	struct state_ff f;
	struct state_pos p;
	void		*log;
	size_t		 len;

	assert_non_null(b);
	c = (struct state_client){ "192.0.2.7", 4, 32, 9.0, 1100, 1, 1100, 2,
	    2100, 1100, NULL, 0, 0, 0, NULL };
	assert_int_equal(state_batch_client(b, &c), 0);
	memset(&d, 0, sizeof(d));
	d = (struct state_ban){ STATE_OP_RELEASE, "198.51.100.0", 24, 4, 0,
	    5000, 0, 0, "", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_LIFT, "192.0.2.7", 32, 4, 1050, 0,
	    0, 0, "", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_BAN, "192.0.2.7", 32, 4, 1100, 2100,
	    2, 9.0, "retry", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_HOLD, "192.0.2.7", 32, 4, 0, 2100,
	    0, 0, "", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_BAN, "203.0.113.9", 32, 4, 1101,
	    2101, 1, 5, "x", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	d = (struct state_ban){ STATE_OP_DROP, "203.0.113.9", 32, 4, 0, 2101,
	    0, 0, "", 0, 0, NULL, 0 };
	assert_int_equal(state_batch_ban(b, &d), 0);
	ss = (struct state_session){ 42, "z", 1 };
	assert_int_equal(state_batch_session(b, &ss), 0);
	log = facts_log(7, 100, &len);
	assert_int_equal(state_batch_facts(b, log, len, count), 0);
	f = (struct state_ff){ "192.0.2.7", "mx.example", "dnsbl", "again",
	    950, 554, 4, 1100, 1100 };
	assert_int_equal(state_batch_ff(b, &f), 0);
	p = (struct state_pos){ "/var/log/mail.log", { 1, 78, 999, 0, 0 },
	    NULL };
	assert_int_equal(state_batch_pos(b, &p), 0);
	assert_int_equal(state_batch_meta(b, "log_time", 1101), 0);
	return (b);
}

/* answers - every reading call's answer, as text */
static char *
answers(const char *db)
{
	static const char *const addrs[] = { "192.0.2.7", "198.51.100.0",
	    "2001:db8::1", "203.0.113.9" };
	struct state	*st;
	struct out	 o;
	struct state_filepos fp;
	struct state_cursor cur;
	long long	 t4, t5;
	char		 err[1024];
	size_t		 i;

	st = state_open(db, 1, err, sizeof(err));
	if (st == NULL)
		fail_msg("%s", err);
	memset(&o, 0, sizeof(o));
	o.fp = open_memstream(&o.text, &o.len);
	assert_non_null(o.fp);
	assert_int_equal(state_snapshot(st, 1), 0);
	fprintf(o.fp, "n %d\n", state_clients(st, STATE_BY_LAST_SEEN,
	    o_client, &o));
	fprintf(o.fp, "n %d\n", state_clients(st, STATE_BY_BAN, o_client,
	    &o));
	fprintf(o.fp, "n %d\n", state_clients_of(st, "192.0.2.7",
	    "198.51.100.0/24", o_client, &o));
	fprintf(o.fp, "n %d\n", state_sessions(st, o_session, &o));
	fprintf(o.fp, "n %d\n", state_ffs(st, o_ff, &o));
	fprintf(o.fp, "n %d\n", state_facts(st, 0, 1LL << 40, o_fact, &o));
	fprintf(o.fp, "n %d\n", state_facts(st, 480001, 480002, o_fact, &o));
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		fprintf(o.fp, "n %d\n", state_evidence(st, addrs[i], o_ev,
		    &o));
		fprintf(o.fp, "n %d\n", state_evidence_rules(st, addrs[i],
		    o_rule, &o));
		fprintf(o.fp, "n %d\n", state_bans_of(st, addrs[i], o_ban,
		    &o));
		assert_int_equal(state_rejects(st, addrs[i], &t4, &t5), 0);
		fprintf(o.fp, "rejects %lld %lld\n", t4, t5);
	}
	fprintf(o.fp, "n %d\n", state_bans_enforced(st, o_ban, &o));
	fprintf(o.fp, "n %d\n", state_bans_running(st, 1000, o_ban, &o));
	fprintf(o.fp, "n %d\n", state_bans_running(st, 2050, o_ban, &o));
	fprintf(o.fp, "n %d\n", state_held(st, 0, o_ban, &o));
	memset(&fp, 0, sizeof(fp));
	fprintf(o.fp, "pos %d ", state_position(st, "/var/log/mail.log",
	    &fp));
	fprintf(o.fp, "%llu %llu %llu %u %llu\n", fp.dev, fp.ino, fp.off,
	    fp.fp_len, fp.fp);
	fprintf(o.fp, "pos %d\n", state_position(st, "/none", &fp));
	fprintf(o.fp, "jpos %d ", state_journal_position(st, "journal:",
	    &cur));
	fprintf(o.fp, "%s %llu\n", cur.cursor, cur.realtime);
	fprintf(o.fp, "now %lld manual %lld meta %lld\n", state_now(st),
	    state_manual_seq(st), state_meta(st, "nothing", -7));
	assert_int_equal(state_snapshot(st, 0), 0);
	state_close(st);
	fclose(o.fp);
	return (o.text);
}

/* write2 - the two batches into db, in two writes */
static void
write2(const char *db)
{
	struct state	*st;
	char		 err[1024];

	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	assert_int_equal(state_write(st, batch_one()), 0);
	assert_int_equal(state_sync(st), 0);
	assert_int_equal(state_write(st, batch_two()), 0);
	assert_int_equal(state_sync(st), 0);
	state_close(st);
}

/* test_pgsql_ops_equal - the same batches, every reading call: the same
 * answers from both backends */
static void
test_pgsql_ops_equal(void **state)
{
	struct pg_server pg;
	char		 db[128], *a, *b;

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	snprintf(db, sizeof(db), "/tmp/fivefifty-pgops-%d.db", (int)getpid());
	unlink(db);
	write2(pg.uri);
	write2(db);
	a = answers(pg.uri);
	b = answers(db);
	if (strcmp(a, b) != 0) {
		print_message("PostgreSQL:\n");
		print_lines(a);
		print_message("SQLite:\n");
		print_lines(b);
		fail_msg("the backends answer differently");
	}
	/* It did answer: the ban held, then released, and the one held
	 * by the second write (held 1) are there. */
	assert_non_null(strstr(a, "[prefix several offenders] 0 0\n"));
	assert_non_null(strstr(a, "[retry] 0 1\nn 1\n"));
	assert_non_null(strstr(a, "now 1101 manual 7 meta -7\n"));
	free(a);
	free(b);
	unlink(db);
	pg_stop(&pg);
}

/* test_pgsql_prune_said_once - a prune that fails alone (a trigger
 * refuses the DELETE with a DETAIL that changes at each try, as a
 * deadlock's process ids do; the writes are stored) is said once with
 * its reason, not once a try, and its end once, when it removes the
 * rows */
static void
test_pgsql_prune_said_once(void **state)
{
	struct pg_server pg;
	struct state	*st;
	char		 err[1024], errlog[128], *said, *text;
	long long	 now = 1760000000;

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	if ((st = state_open(pg.uri, 0, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	state_put_evidence(st, "198.51.100.1", now - 40 * 86400);
	assert_int_equal(state_sync(st), 0);
	free(pg_sql(pg.uri, "CREATE FUNCTION keep() RETURNS trigger "
	    "LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'kept by the test' "
	    "USING DETAIL = 'try ' || clock_timestamp(); END$$; CREATE "
	    "TRIGGER keep BEFORE DELETE ON evidence FOR EACH ROW EXECUTE "
	    "FUNCTION keep()"));
	snprintf(errlog, sizeof(errlog), "/tmp/fivefifty-pgprune-%d.stderr",
	    (int)getpid());
	said = prunes_refused(st, now, errlog, "kept by the test");
	assert_non_null(strstr(said, "cannot remove the rows older than 30 "
	    "days"));
	assert_non_null(strstr(said, "DETAIL:  try "));
	free(said);
	free(pg_sql(pg.uri, "DROP TRIGGER keep ON evidence"));
	prune_said_again(st, now, errlog);
	text = pg_sql(pg.uri, "SELECT count(*) FROM evidence WHERE addr = "
	    "'198.51.100.1'");
	assert_string_equal(text, "0\n");
	free(text);
	text = pg_sql(pg.uri, "SELECT count(*) FROM evidence WHERE addr = "
	    "'198.51.100.2'");
	assert_string_equal(text, "3\n");	/* the writes, stored */
	free(text);
	state_close(st);
	pg_stop(&pg);
}

/* lines_read - the "scan: N lines" of a scan's summary, as text */
static void
lines_read(const struct run_result *r, char *buf, size_t len)
{
	const char	*p = strstr(r->err, "scan: ");

	assert_non_null(p);
	snprintf(buf, len, "%.*s", (int)strcspn(p, ","), p);
}

/* test_pgsql_copy - state copy: a SQLite state into PostgreSQL, which
 * then answers as the file and goes on where it left off */
static void
test_pgsql_copy(void **state)
{
	struct pg_server pg;
	struct run_result r, a, b;
	char		 p[NLOGS][512], *files[NLOGS], db[128], la[64], lb[64];
	char		 conf[160];
	FILE		*fp;

	(void)state;
	need_corpus();
	if (pg_start(&pg) == -1)
		skip();
	logs(p, files);
	snprintf(db, sizeof(db), "/tmp/fivefifty-pgcopy-%d.db", (int)getpid());
	unlink(db);
	/* The first two logs into the file, copied. */
	ff(&r, "scan", "--no-enforce", "--db", db, files[0], files[1], NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	ff(&r, "state", "copy", "--from", db, "--to", pg.uri, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, " rows from "));
	run_free(&r);
	same(pg.uri, db, "list", "--json");
	ff(&a, "report", "summary", "--db", pg.uri, NULL);
	ff(&b, "report", "summary", "--db", db, NULL);
	assert_int_equal(a.status, 0);
	assert_int_equal(pg_strip_nodes(a.out), 1);
	assert_string_equal(a.out, b.out);
	run_free(&a);
	run_free(&b);
	/* Again: refused, the copy is untouched. */
	ff(&r, "state", "copy", "--from", db, "--to", pg.uri, NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, "already holds a state"));
	assert_non_null(strstr(r.err, pg.uri));
	run_free(&r);
	/* All three logs into each: both read only the third, the same. */
	assert_int_equal(scan(pg.uri, files, &a), 0);
	assert_int_equal(scan(db, files, &b), 0);
	lines_read(&a, la, sizeof(la));
	lines_read(&b, lb, sizeof(lb));
	assert_string_equal(la, lb);
	assert_string_not_equal(la, "scan: 0 lines");
	run_free(&a);
	run_free(&b);
	same(pg.uri, db, "list", NULL);
	/* The global --db takes the URI as it is, and so does state_db. */
	ff(&a, "--db", pg.uri, "list", NULL);
	ff(&b, "--db", db, "list", NULL);
	assert_int_equal(a.status, 0);
	assert_string_equal(a.out, b.out);
	run_free(&a);
	snprintf(conf, sizeof(conf), "%s.conf", db);
	assert_non_null(fp = fopen(conf, "w"));
	fprintf(fp, "state_db = %s\n", pg.uri);
	fclose(fp);
	ff(&a, "-c", conf, "list", NULL);
	assert_int_equal(a.status, 0);
	assert_string_equal(a.out, b.out);
	run_free(&a);
	run_free(&b);
	unlink(conf);
	unlink(db);
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
	need_corpus();
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
	/* Stamped with every migration (5), by a role that is no superuser;
	 * evidence, facts and five-fifties carry their node. */
	out = pg_sql(pg.uri, "SELECT version FROM schema_version; "
	    "SELECT count(*) FROM information_schema.columns WHERE "
	    "column_name = 'node' AND table_name IN ('evidence', "
	    "'activity_rows', 'fivefifties'); SELECT rolsuper FROM pg_roles "
	    "WHERE rolname = current_user");
	assert_string_equal(out, "5\n3\nf\n");
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
	/* A password in the URI is not repeated. */
	snprintf(bad, sizeof(bad), "postgresql://fivefifty:s3cret@/fivefifty"
	    "?host=%s/none&password=pw", pg.dir);
	ff(&r, "list", "--db", bad, NULL);
	assert_int_not_equal(r.status, 0);
	assert_null(strstr(r.err, "s3cret"));
	assert_null(strstr(r.err, "password=pw"));
	assert_non_null(strstr(r.err, "postgresql://fivefifty@/fivefifty"));
	run_free(&r);
	pg_stop(&pg);
}

const struct CMUnitTest pgsql_tests[] = {
	cmocka_unit_test(test_pgsql_scan_equal),
	cmocka_unit_test(test_pgsql_crash),
	cmocka_unit_test(test_pgsql_schema),
	cmocka_unit_test(test_pgsql_ops_equal),
	cmocka_unit_test(test_pgsql_copy),
	cmocka_unit_test(test_pgsql_prune_said_once),
};
const size_t pgsql_tests_count = sizeof(pgsql_tests) / sizeof(pgsql_tests[0]);

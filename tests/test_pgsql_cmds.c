/*	$fivefifty: test_pgsql_cmds.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_pgsql_cmds 3 - every reading command on both backends, the
 *	nodes of a shared state, and the URI's password
 * DESCRIPTION
 *	A private PostgreSQL server (tests/pg-cluster.sh) and the built
 *	binary:
 *	- a SQLite state and its `state copy` into PostgreSQL answer list,
 *	  list --json, explain (of known and unknown clients) and every
 *	  report (helo, fivefifties with --all and --format postfix,
 *	  summary) in every format, open and bounded periods, byte for byte
 *	  the same; the summary of PostgreSQL has one section more, its
 *	  nodes, whose counts are the totals'; the default 24 hours, empty,
 *	  name the same first and last hour with data;
 *	- two hosts (two UTS namespaces: mx1 and mx2) scan a log each into
 *	  one PostgreSQL state: the reports of --node NAME equal those of a
 *	  SQLite file of that host's log alone, the five-fifties of a node
 *	  are its own, the summary shows both nodes adding up to the
 *	  totals, any host (a node or not) reads the same cluster, at the
 *	  latest of its nodes' log times; list --node keeps the node's
 *	  clients; an unknown node is
 *	  said with the state's nodes, --node on a SQLite state is refused;
 *	  the nodes' bans are "-" until the bans carry a node, then counted;
 *	- a URI with a password (in its authority, as a parameter, even
 *	  with its name percent-encoded) works, and the password is in no
 *	  output nor message of any command, on success or failure (a
 *	  server that is not there, a database without the schema, an
 *	  unknown node, a URI libpq cannot parse and repeats); a failing
 *	  read gives PostgreSQL's advice, never SQLite's;
 *	- the README's SQL for the roles, as written: a read-only role for
 *	  the reports answers as the owner and cannot write; in a database
 *	  of another owner, the role needs (and needs only) its two grants;
 *	- a host without libpq (its file hidden in a private mount
 *	  namespace, so dlopen(3) really fails): a SQLite state is read as
 *	  always, a PostgreSQL one fails with the library named and what to
 *	  install (libpq is loaded only for a PostgreSQL state).
 *	Skipped where PostgreSQL cannot run (not root, not installed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/state.h"
#include "tests.h"

#define NLOGS	3
#define MAXARGS	24

/* log_path - the i-th (1..3) kdent log of the shared corpus */
static void
log_path(int i, char *buf, size_t len)
{
	char	rel[64];

	snprintf(rel, sizeof(rel), "corpus/realworld/kdent-2015-%d.log", i);
	shared_path(rel, buf, len);
}

/* run - the binary with args (NULL-terminated): "@DB" is db; as host
 * (NULL: this one) in a UTS namespace of its own */
static void
run(struct run_result *r, const char *host, const char *db, char **args)
{
	char	*argv[MAXARGS + 8];
	int	 n = 0, i;

	if (host != NULL) {
		/* unshare(1): a namespace whose host name is host */
		argv[n++] = "/usr/bin/unshare";
		argv[n++] = "--uts";
		argv[n++] = "/bin/sh";
		argv[n++] = "-c";
		argv[n++] = "hostname \"$0\" && exec \"$@\"";
		argv[n++] = (char *)host;
	}
	argv[n++] = (char *)bin_path();
	for (i = 0; args[i] != NULL && i < MAXARGS; i++)
		argv[n++] = strcmp(args[i], "@DB") == 0 ? (char *)db : args[i];
	argv[n] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
}

/* equal - args on both states: the same status and output; the summary
 * of PostgreSQL with its nodes section, removed to compare */
static void
equal(const char *pg, const char *file, char **args, int nodes)
{
	struct run_result a, b;
	char	 line[256];
	int	 i, n = 0;

	run(&a, NULL, pg, args);
	run(&b, NULL, file, args);
	if (nodes && pg_strip_nodes(a.out) != 1)
		fail_msg("the summary from PostgreSQL has no nodes section");
	if (a.status != b.status || strcmp(a.out, b.out) != 0) {
		for (i = 0; args[i] != NULL; i++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s",
			    args[i]);
		print_message("PostgreSQL (exit %d):\n", a.status);
		print_lines(a.out);
		print_lines(a.err);
		print_message("SQLite (exit %d):\n", b.status);
		print_lines(b.out);
		fail_msg("%s: the two states answer differently", line);
	}
	assert_true(a.status == 0 || a.status == 1);
	assert_true(a.outlen > 0);
	run_free(&a);
	run_free(&b);
}

/* json_num - the number after key in s, or -1 */
static long
json_num(const char *s, const char *key)
{
	const char	*p = strstr(s, key);

	return (p != NULL ? strtol(p + strlen(key), NULL, 10) : -1);
}

/* test_pgsql_no_libpq - without libpq.so.5: SQLite as always, PostgreSQL
 * refused with the library named and what to install */
static void
test_pgsql_no_libpq(void **state)
{
	char		 cmd[1024], db[64], err[512], *out;
	struct state	*st;
	int		 status;

	(void)state;
	if (getuid() != 0 || system("command -v unshare >/dev/null") != 0)
		skip();
	snprintf(db, sizeof(db), "/tmp/fivefifty-nolibpq-%d.db",
	    (int)getpid());
	unlink(db);
	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", db, err);
	state_close(st);
	/* unshare -m makes the namespace's mounts private: the host keeps
	 * its libpq. */
	snprintf(cmd, sizeof(cmd), "lib=$(readlink -f "
	    "\"$(ldconfig -p | awk '/libpq\\.so\\.5 .*x86-64|libpq\\.so\\.5 /"
	    " { print $NF; exit }')\") && [ -f \"$lib\" ] || exit 77; "
	    "exec unshare -m sh -c 'mount --bind /dev/null \"$0\" && "
	    "%s list --db %s >/dev/null 2>&1 && echo SQLITE-OK; "
	    "%s list --db \"postgresql:///fivefifty?host=/nonexistent\" 2>&1; "
	    "echo \"rc=$?\"' \"$lib\"", bin_path(), db, bin_path());
	out = sh(cmd, &status);
	if (status == 77) {
		free(out);
		skip();		/* no libpq.so.5 known to ld.so here */
	}
	if (strstr(out, "SQLITE-OK") == NULL ||
	    strstr(out, "cannot load libpq.so.5") == NULL ||
	    strstr(out, "apt install libpq5") == NULL ||
	    strstr(out, "rc=0") != NULL)
		fail_msg("without libpq: %s", out);
	free(out);
	unlink(db);
	/* The host's libpq was not touched: outside the namespace, the same
	 * command gets as far as connecting. */
	snprintf(cmd, sizeof(cmd), "%s list --db \"postgresql:///fivefifty?"
	    "host=/nonexistent\" 2>&1; true", bin_path());
	out = sh(cmd, NULL);
	if (strstr(out, "cannot load") != NULL || strstr(out, "/nonexistent")
	    == NULL)
		fail_msg("the host's libpq: %s", out);
	free(out);
}

/* test_pgsql_cmds_equal - a SQLite state and its copy in PostgreSQL:
 * every reading command, every report and format, the same bytes */
static void
test_pgsql_cmds_equal(void **state)
{
	static const char *const fmts[] = { "text", "csv", "json", "html" };
	static const char *const reps[] = { "helo", "fivefifties",
	    "summary" };
	struct pg_server pg;
	struct run_result r;
	char		 p[NLOGS][512], db[128], from[32], until[32], host[256];
	char		*rows, *addr, *save = NULL, *args[MAXARGS];
	long long	 lo, hi;
	size_t		 i, k, per;
	int		 n, cmds = 0;

	(void)state;
	need_corpus();
	if (pg_start(&pg) == -1)
		skip();
	for (n = 0; n < NLOGS; n++)
		log_path(n + 1, p[n], sizeof(p[n]));
	snprintf(db, sizeof(db), "/tmp/fivefifty-pgcmds-%d.db", (int)getpid());
	unlink(db);
	run(&r, NULL, db, (char *[]){ "scan", "--no-enforce", "--db", "@DB",
	    p[0], p[1], p[2], NULL });
	assert_int_equal(r.status, 0);
	run_free(&r);
	run(&r, NULL, db, (char *[]){ "state", "copy", "--from", "@DB", "--to",
	    pg.uri, NULL });
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* list, list --json */
	equal(pg.uri, db, (char *[]){ "list", "--db", "@DB", NULL }, 0);
	equal(pg.uri, db, (char *[]){ "list", "--json", "--db", "@DB", NULL },
	    0);
	cmds += 2;
	/* explain: the ten clients banned most, a client of no evidence */
	rows = pg_sql(pg.uri, "SELECT addr FROM clients WHERE bans > 0 AND "
	    "prefix_len IN (32, 128) ORDER BY bans DESC, addr LIMIT 10");
	for (n = 0, addr = strtok_r(rows, "\n", &save); addr != NULL;
	    addr = strtok_r(NULL, "\n", &save), n++)
		equal(pg.uri, db, (char *[]){ "explain", "--db", "@DB", addr,
		    NULL }, 0);
	assert_int_equal(n, 10);
	free(rows);
	equal(pg.uri, db, (char *[]){ "explain", "--db", "@DB", "192.0.2.1",
	    NULL }, 0);
	cmds += 11;
	/* A bounded period inside the data (its previous period too), and
	 * the open one. */
	rows = pg_sql(pg.uri, "SELECT min(hour), max(hour) FROM "
	    "activity_rows");
	assert_int_equal(sscanf(rows, "%lld|%lld", &lo, &hi), 2);
	free(rows);
	assert_true(hi - lo > 48);
	snprintf(from, sizeof(from), "@%lld", (lo + (hi - lo) / 2) * 3600);
	snprintf(until, sizeof(until), "@%lld", (hi + 1) * 3600);
	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++)
		for (k = 0; k < sizeof(fmts) / sizeof(fmts[0]); k++)
			for (per = 0; per < 2; per++) {
				n = 0;
				args[n++] = "report";
				args[n++] = (char *)reps[i];
				args[n++] = "--db";
				args[n++] = "@DB";
				args[n++] = "--format";
				args[n++] = (char *)fmts[k];
				args[n++] = "--from";
				args[n++] = per ? from : "@0";
				if (per) {
					args[n++] = "--until";
					args[n++] = until;
				}
				args[n++] = "--top";
				args[n++] = per ? "5" : "0";
				args[n] = NULL;
				equal(pg.uri, db, args, i == 2);
				cmds++;
			}
	equal(pg.uri, db, (char *[]){ "report", "fivefifties", "--all", "--db",
	    "@DB", "--format", "csv", NULL }, 0);
	equal(pg.uri, db, (char *[]){ "report", "fivefifties", "--db", "@DB",
	    "--format", "postfix", NULL }, 0);
	equal(pg.uri, db, (char *[]){ "report", "summary", "--db", "@DB",
	    NULL }, 1);
	/* The default 24 hours hold nothing (logs of years ago): both
	 * states name the same first and last hour with data. */
	equal(pg.uri, db, (char *[]){ "report", "summary", "--db", "@DB",
	    "--format", "json", NULL }, 1);
	run(&r, NULL, pg.uri, (char *[]){ "report", "summary", "--db", "@DB",
	    "--format", "json", NULL });
	assert_non_null(strstr(r.out, ",\"no_data\":{\"first_hour\":\"2"));
	assert_non_null(strstr(r.out, "\"last_hour\":\"2"));
	run_free(&r);
	cmds += 4;
	/* The nodes section: this host alone, counting the totals. */
	run(&r, NULL, pg.uri, (char *[]){ "report", "summary", "--db", "@DB",
	    "--from", "@0", "--format", "json", NULL });
	assert_int_equal(r.status, 0);
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	rows = strstr(r.out, ",\"nodes\":[{\"node\":\"");
	assert_non_null(rows);
	assert_memory_equal(rows + 19, host, strlen(host));
	assert_true(json_num(r.out, "\"connections\":") > 0);
	assert_int_equal(json_num(rows, "\"connections\":"),
	    json_num(r.out, "\"connections\":"));
	assert_int_equal(json_num(rows, "\"rejects\":"),
	    json_num(strstr(r.out, "\"totals\""), "\"rejects\":"));
	assert_int_equal(json_num(rows, "\"new_bans\":"),
	    json_num(r.out, "\"new_bans\":"));
	assert_null(strstr(rows + 11, "{\"node\":"));	/* one node */
	run_free(&r);
	print_message("pgsql: %d commands (list, explain, 3 reports x 4 "
	    "formats x 2 periods, --all, postfix) equal to SQLite's\n", cmds);
	unlink(db);
	pg_stop(&pg);
}

/* o_ff - a five-fifty, a line */
static int
o_ff(void *arg, const struct state_ff *f)
{
	fprintf(arg, "%s %s %s %s %lld %d %ld %lld %lld\n", f->addr, f->name,
	    f->class, f->reason, f->first_t, f->code, f->retries, f->last_retry,
	    f->last_seen);
	return (0);
}

/* node_ffs - a state's five-fifties (one node's: node not NULL) */
static char *
node_ffs(const char *db, const char *node)
{
	struct state	*st;
	char		 err[1024], *text = NULL;
	size_t		 len = 0;
	FILE		*fp;

	if ((st = state_open(db, 1, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	if (state_only_node(st, node, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_non_null(fp = open_memstream(&text, &len));
	assert_true(state_ffs(st, o_ff, fp) > 0);
	fclose(fp);
	state_close(st);
	return (text);
}

/* same_out - two runs' outputs equal, and both succeeded */
static void
same_out(struct run_result *a, struct run_result *b, const char *what)
{
	if (a->status != 0 || b->status != 0 || strcmp(a->out, b->out) != 0) {
		print_lines(a->out);
		print_lines(a->err);
		print_message("--\n");
		print_lines(b->out);
		print_lines(b->err);
		fail_msg("%s: differ (exit %d, %d)", what, a->status,
		    b->status);
	}
	run_free(a);
	run_free(b);
}

/* test_pgsql_nodes - two hosts, one PostgreSQL state: --node NAME is
 * each host's, the summary shows both */
static void
test_pgsql_nodes(void **state)
{
	static const char *const hosts[] = { "mx1", "mx2" };
	struct pg_server pg;
	struct run_result r, a, b;
	char		 p[2][512], db[2][128], *t, *u, *sum, line[128];
	long		 c[2], rej[2];
	int		 i;

	(void)state;
	need_corpus();
	if (pg_start(&pg) == -1)
		skip();
	for (i = 0; i < 2; i++) {
		log_path(i + 1, p[i], sizeof(p[i]));
		snprintf(db[i], sizeof(db[i]), "/tmp/fivefifty-pgnode%d-%d.db",
		    i, (int)getpid());
		unlink(db[i]);
		/* Each host's log into the shared state, as that host, and
		 * into a file of its own. */
		run(&r, hosts[i], pg.uri, (char *[]){ "scan", "--no-enforce",
		    "--db", "@DB", p[i], NULL });
		assert_int_equal(r.status, 0);
		run_free(&r);
		run(&r, hosts[i], db[i], (char *[]){ "scan", "--no-enforce",
		    "--db", "@DB", p[i], NULL });
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	t = pg_sql(pg.uri, "SELECT DISTINCT node FROM evidence ORDER BY 1; "
	    "SELECT DISTINCT node FROM activity_rows ORDER BY 1; SELECT "
	    "DISTINCT node FROM fivefifties ORDER BY 1");
	assert_string_equal(t, "mx1\nmx2\nmx1\nmx2\nmx1\nmx2\n");
	free(t);
	for (i = 0; i < 2; i++) {
		/* What a node saw: its facts, as its own file has them. */
		run(&a, NULL, pg.uri, (char *[]){ "report", "helo", "--db",
		    "@DB", "--node", (char *)hosts[i], "--top", "0", NULL });
		run(&b, NULL, db[i], (char *[]){ "report", "helo", "--db",
		    "@DB", "--top", "0", NULL });
		same_out(&a, &b, "report helo --node");
		run(&a, NULL, pg.uri, (char *[]){ "report", "helo", "--db",
		    "@DB", "--node", (char *)hosts[i], "--format", "json",
		    NULL });
		run(&b, NULL, db[i], (char *[]){ "report", "helo", "--db",
		    "@DB", "--format", "json", NULL });
		same_out(&a, &b, "report helo --node --format json");
		/* Its five-fifties: its own, not the other's. */
		t = node_ffs(pg.uri, hosts[i]);
		u = node_ffs(db[i], NULL);
		assert_string_equal(t, u);
		free(t);
		free(u);
		/* The summary of one node: its name, its row alone. */
		run(&r, NULL, pg.uri, (char *[]){ "report", "summary", "--db",
		    "@DB", "--node", (char *)hosts[i], "--from", "@0", NULL });
		assert_int_equal(r.status, 0);
		snprintf(line, sizeof(line), "fivefifty summary for %s\n",
		    hosts[i]);
		assert_non_null(strstr(r.out, line));
		assert_non_null(strstr(r.out, "\nNodes (1)\n"));
		run_free(&r);
	}
	/* The cluster's summary: both nodes, adding up to the totals. */
	run(&r, NULL, pg.uri, (char *[]){ "report", "summary", "--db", "@DB",
	    "--from", "@0", "--format", "json", NULL });
	assert_int_equal(r.status, 0);
	sum = strstr(r.out, ",\"nodes\":[");
	assert_non_null(sum);
	for (i = 0; i < 2; i++) {
		snprintf(line, sizeof(line), "{\"node\":\"%s\"", hosts[i]);
		assert_non_null(t = strstr(sum, line));
		c[i] = json_num(t, "\"connections\":");
		rej[i] = json_num(t, "\"rejects\":");
		assert_true(c[i] > 0 && rej[i] > 0);
		assert_non_null(strstr(t, "\"last_log_time\":\"20"));
	}
	assert_int_equal(c[0] + c[1], json_num(r.out, "\"connections\":"));
	assert_int_equal(rej[0] + rej[1], json_num(strstr(r.out,
	    "\"totals\""), "\"rejects\":"));
	run_free(&r);
	run(&r, NULL, pg.uri, (char *[]){ "report", "summary", "--db", "@DB",
	    "--from", "@0", NULL });
	assert_non_null(t = strstr(r.out, "\nNodes (2)\n"));
	assert_non_null(u = strstr(t + 1, "\n\n"));
	u[1] = '\0';			/* the section alone */
	print_lines(t + 1);
	run_free(&r);
	/* Each node's new bans are counted (bans.node): here mx1 made
	 * them all (set so, whichever node's log gave which). */
	free(pg_sql(pg.uri, "UPDATE bans SET node = 'mx1'"));
	run(&r, NULL, pg.uri, (char *[]){ "report", "summary", "--db", "@DB",
	    "--from", "@0", "--format", "json", NULL });
	assert_int_equal(r.status, 0);
	sum = strstr(r.out, ",\"nodes\":[");
	assert_non_null(sum);
	assert_int_equal(json_num(strstr(sum, "{\"node\":\"mx1\""),
	    "\"new_bans\":"), json_num(r.out, "\"new_bans\":"));
	assert_true(json_num(r.out, "\"new_bans\":") > 0);
	assert_int_equal(json_num(strstr(sum, "{\"node\":\"mx2\""),
	    "\"new_bans\":"), 0);
	run_free(&r);
	/* Read from any host (a node or not), the cluster is the same:
	 * statuses are taken at the latest of the nodes' log times. */
	run(&a, "admin", pg.uri, (char *[]){ "list", "--db", "@DB", NULL });
	run(&b, "mx1", pg.uri, (char *[]){ "list", "--db", "@DB", NULL });
	assert_non_null(strstr(a.out, "banned until"));
	same_out(&a, &b, "list from another host");
	run(&a, "admin", pg.uri, (char *[]){ "report", "fivefifties", "--db",
	    "@DB", "--format", "csv", NULL });
	run(&b, "mx2", pg.uri, (char *[]){ "report", "fivefifties", "--db",
	    "@DB", "--format", "csv", NULL });
	same_out(&a, &b, "report fivefifties from another host");
	/* list --node: the clients with that node's evidence only: a
	 * client listed for the cluster that only mx2 saw is not mx1's. */
	run(&a, NULL, pg.uri, (char *[]){ "list", "--db", "@DB", "--node",
	    "mx1", "--json", NULL });
	run(&b, NULL, pg.uri, (char *[]){ "list", "--db", "@DB", "--json",
	    NULL });
	assert_int_equal(a.status, 0);
	assert_int_equal(b.status, 0);
	assert_true(a.outlen >= 3 && a.outlen < b.outlen);
	t = pg_sql(pg.uri, "SELECT e.addr FROM evidence e JOIN clients c ON "
	    "c.addr = e.addr GROUP BY e.addr HAVING bool_and(e.node = 'mx2') "
	    "ORDER BY max(c.banned_until) DESC, e.addr LIMIT 1");
	t[strcspn(t, "\n")] = '\0';
	snprintf(line, sizeof(line), "{\"addr\":\"%s\"", t);
	assert_non_null(strstr(b.out, line));
	assert_null(strstr(a.out, line));
	free(t);
	run_free(&a);
	run_free(&b);
	/* An unknown node: said, with the nodes there are. */
	run(&r, NULL, pg.uri, (char *[]){ "report", "summary", "--db", "@DB",
	    "--node", "mx3", NULL });
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, "no node mx3"));
	assert_non_null(strstr(r.err, "(its nodes: mx1, mx2)"));
	run_free(&r);
	run(&r, NULL, pg.uri, (char *[]){ "list", "--db", "@DB", "--node",
	    "mx3", NULL });
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, "(its nodes: mx1, mx2)"));
	run_free(&r);
	/* A SQLite state is one host's: --node is refused, saying why. */
	run(&r, NULL, db[0], (char *[]){ "report", "helo", "--db", "@DB",
	    "--node", "mx1", NULL });
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "SQLite state, one host's"));
	run_free(&r);
	run(&r, NULL, db[0], (char *[]){ "list", "--db", "@DB", "--node",
	    "mx1", NULL });
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "SQLite state, one host's"));
	run_free(&r);
	/* ... and its summary has no nodes section. */
	run(&r, NULL, db[0], (char *[]){ "report", "summary", "--db", "@DB",
	    "--from", "@0", NULL });
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "Nodes ("));
	run_free(&r);
	for (i = 0; i < 2; i++)
		unlink(db[i]);
	pg_stop(&pg);
}

/* secret_free - no output nor message of r shows a password */
static void
secret_free(struct run_result *r, const char *what)
{
	static const char *const secrets[] = { "s3cret", "pw2sec",
	    "enc0ded", "zzsecret" };
	size_t		 i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (strstr(r->out, secrets[i]) != NULL ||
		    strstr(r->err, secrets[i]) != NULL) {
			print_lines(r->out);
			print_lines(r->err);
			fail_msg("%s: shows the password %s", what,
			    secrets[i]);
		}
}

/* test_pgsql_password - a URI's password is never shown, and a failure
 * gives PostgreSQL's advice */
static void
test_pgsql_password(void **state)
{
	struct pg_server pg;
	struct run_result r;
	char		 p[512], db[128], u[5][512], *q, conf[160], *host;
	char		*cmds[][10] = {
		{ "list", "--db", "@DB", NULL },
		{ "list", "--json", "--db", "@DB", NULL },
		{ "explain", "--db", "@DB", "192.0.2.1", NULL },
		{ "report", "summary", "--db", "@DB", "--from", "@0", NULL },
		{ "report", "helo", "--db", "@DB", NULL },
		{ "report", "fivefifties", "--db", "@DB", NULL },
		{ "report", "summary", "--db", "@DB", "--node", "nosuch",
		    NULL },
		{ "list", "--db", "@DB", "--node", "nosuch", NULL },
		{ "--db", "@DB", "check", NULL },
		{ "scan", "--no-enforce", "--db", "@DB", p, NULL },
	};
	FILE		*fp;
	size_t		 i, k;

	(void)state;
	need_corpus();
	if (pg_start(&pg) == -1)
		skip();
	log_path(3, p, sizeof(p));
	snprintf(db, sizeof(db), "/tmp/fivefifty-pgpw-%d.db", (int)getpid());
	unlink(db);
	/* The role logs in without a password here (trust): libpq is
	 * given one anyway, in each place a URI may hold it. */
	q = strstr(pg.uri, "?");
	host = q + 1;
	snprintf(u[0], sizeof(u[0]), "postgresql://fivefifty:s3cret@/"
	    "fivefifty?%s", host);
	snprintf(u[1], sizeof(u[1]), "%s&password=pw2sec", pg.uri);
	snprintf(u[2], sizeof(u[2]), "%s&pass%%77ord=enc0ded", pg.uri);
	/* no server there; a URI libpq cannot parse (it repeats it) */
	snprintf(u[3], sizeof(u[3]), "postgresql://fivefifty:s3cret@[::1/"
	    "fivefifty?password=pw2sec");
	snprintf(u[4], sizeof(u[4]), "postgresql://fivefifty:%%zzsecret@/"
	    "fivefifty?%s", host);	/* libpq repeats the bad token */
	run(&r, NULL, db, (char *[]){ "scan", "--no-enforce", "--db", "@DB", p,
	    NULL });
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* A state copy, then every command on it, with each URI. */
	run(&r, NULL, u[0], (char *[]){ "state", "copy", "--from", db, "--to",
	    "@DB", NULL });
	assert_int_equal(r.status, 0);
	secret_free(&r, "state copy");
	run_free(&r);
	run(&r, NULL, u[1], (char *[]){ "state", "copy", "--from", db, "--to",
	    "@DB", NULL });
	assert_int_equal(r.status, 74);			/* not empty */
	assert_non_null(strstr(r.err, "already holds a state"));
	assert_non_null(strstr(r.err, "password=***"));
	secret_free(&r, "state copy again");
	run_free(&r);
	run(&r, NULL, u[2], (char *[]){ "state", "copy", "--from", u[2],
	    "--to", "@DB", NULL });
	assert_int_equal(r.status, 74);			/* from a URI */
	secret_free(&r, "state copy --from URI");
	run_free(&r);
	for (k = 0; k < 5; k++)
		for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			run(&r, NULL, u[k], cmds[i]);
			secret_free(&r, cmds[i][0]);
			if (k < 3 && i < 6)
				assert_true(r.status == 0 || r.status == 1);
			if (k >= 3 && strcmp(cmds[i][2], "check") != 0)
				assert_int_not_equal(r.status, 0);
			run_free(&r);
		}
	/* state_db in a file: check prints it with *** */
	snprintf(conf, sizeof(conf), "%s.conf", db);
	assert_non_null(fp = fopen(conf, "w"));
	fprintf(fp, "state_db = %s\n", u[1]);
	fclose(fp);
	run(&r, NULL, db, (char *[]){ "-c", conf, "check", NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "&password=***\n"));
	secret_free(&r, "check");
	run_free(&r);
	run(&r, NULL, db, (char *[]){ "-c", conf, "list", NULL });
	assert_int_equal(r.status, 0);
	secret_free(&r, "list with state_db");
	run_free(&r);
	unlink(conf);
	/* A read that fails: PostgreSQL's advice, the URI hidden. */
	free(pg_sql(pg.uri, "ALTER TABLE clients RENAME TO gone; ALTER TABLE "
	    "activity_rows RENAME TO gone2"));
	run(&r, NULL, u[0], (char *[]){ "list", "--db", "@DB", NULL });
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, "postgresql://fivefifty@/fivefifty"));
	assert_non_null(strstr(r.err, "PostgreSQL runs"));
	assert_non_null(strstr(r.err, "its role may read"));
	assert_null(strstr(r.err, "sqlite"));
	assert_null(strstr(r.err, "PRAGMA"));
	secret_free(&r, "list, failing");
	run_free(&r);
	run(&r, NULL, u[1], (char *[]){ "report", "helo", "--db", "@DB", NULL });
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, "PostgreSQL runs"));
	assert_null(strstr(r.err, "sqlite"));
	secret_free(&r, "report, failing");
	run_free(&r);
	unlink(db);
	pg_stop(&pg);
}

/* as_user - the URI of db (NULL: the server's fivefifty) as user */
static void
as_user(const struct pg_server *pg, const char *db, const char *user,
    char *buf, size_t len)
{
	const char	*q = strstr(pg->uri, "&user=");

	assert_non_null(q);
	snprintf(buf, len, "postgresql:///%s?host=%s/sock&user=%s",
	    db != NULL ? db : "fivefifty", pg->dir, user);
}

/* sql_as - SQL as the superuser postgres (trust on the socket) */
static void
sql_as(const struct pg_server *pg, const char *db, const char *sql)
{
	char	uri[512];

	as_user(pg, db, "postgres", uri, sizeof(uri));
	free(pg_sql(uri, sql));
}

/* test_pgsql_roles - the README's SQL for the roles, as written: the
 * owner, a read-only role for reports, grants in another's database */
static void
test_pgsql_roles(void **state)
{
	struct pg_server pg;
	struct run_result a, b;
	char		 p[512], ro[512], c[512];
	char		*cmds[][10] = {
		{ "list", "--db", "@DB", NULL },
		{ "report", "summary", "--db", "@DB", "--from", "@0", NULL },
		{ "report", "fivefifties", "--db", "@DB", "--format", "json",
		    NULL },
	};
	size_t		 i;

	(void)state;
	need_corpus();
	if (pg_start(&pg) == -1)
		skip();
	log_path(3, p, sizeof(p));
	/* The read-only role, made before the tables (default privileges
	 * reach those the owner makes later). */
	sql_as(&pg, NULL, "CREATE ROLE fivefifty_report LOGIN; "
	    "GRANT CONNECT ON DATABASE fivefifty TO fivefifty_report; "
	    "GRANT USAGE ON SCHEMA public TO fivefifty_report; "
	    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO fivefifty_report; "
	    "ALTER DEFAULT PRIVILEGES FOR ROLE fivefifty IN SCHEMA public "
	    "GRANT SELECT ON TABLES TO fivefifty_report");
	run(&a, NULL, pg.uri, (char *[]){ "scan", "--no-enforce", "--db",
	    "@DB", p, NULL });
	assert_int_equal(a.status, 0);
	run_free(&a);
	as_user(&pg, NULL, "fivefifty_report", ro, sizeof(ro));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		run(&a, NULL, ro, cmds[i]);
		run(&b, NULL, pg.uri, cmds[i]);
		same_out(&a, &b, cmds[i][0]);
	}
	/* It cannot write: scan fails, naming the server's refusal. */
	run(&a, NULL, ro, (char *[]){ "scan", "--no-enforce", "--db", "@DB", p,
	    NULL });
	assert_int_not_equal(a.status, 0);
	assert_non_null(strstr(a.err, "permission denied"));
	assert_null(strstr(a.err, "sqlite"));
	run_free(&a);
	/* A database of another owner: the role's scan fails until it has
	 * the two grants, then works. */
	sql_as(&pg, NULL, "CREATE DATABASE fivefifty_c OWNER postgres");
	as_user(&pg, "fivefifty_c", "fivefifty", c, sizeof(c));
	run(&a, NULL, c, (char *[]){ "scan", "--no-enforce", "--db", "@DB", p,
	    NULL });
	assert_int_equal(a.status, 74);
	assert_non_null(strstr(a.err, "permission denied for schema public"));
	assert_non_null(strstr(a.err, "may create tables"));
	run_free(&a);
	sql_as(&pg, "fivefifty_c", "GRANT CONNECT ON DATABASE fivefifty_c TO "
	    "fivefifty; GRANT USAGE, CREATE ON SCHEMA public TO fivefifty");
	run(&a, NULL, c, (char *[]){ "scan", "--no-enforce", "--db", "@DB", p,
	    NULL });
	assert_int_equal(a.status, 0);
	run_free(&a);
	run(&a, NULL, c, cmds[1]);
	run(&b, NULL, pg.uri, cmds[1]);
	same_out(&a, &b, "summary of the other database");
	pg_stop(&pg);
}

const struct CMUnitTest pgsql_cmds_tests[] = {
	cmocka_unit_test(test_pgsql_no_libpq),
	cmocka_unit_test(test_pgsql_cmds_equal),
	cmocka_unit_test(test_pgsql_nodes),
	cmocka_unit_test(test_pgsql_password),
	cmocka_unit_test(test_pgsql_roles),
};
const size_t pgsql_cmds_tests_count = sizeof(pgsql_cmds_tests) /
    sizeof(pgsql_cmds_tests[0]);

/*	$fivefifty: test_pgbans.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_pgbans 3 - bans shared by the nodes of one PostgreSQL state
 * DESCRIPTION
 *	A private PostgreSQL server (tests/pg-cluster.sh) and the built
 *	binary:
 *	- Postfix's pgsql: table (postfix-pgsql, postmap -q) over the view
 *	  fivefifty_postfix_access answers, for each client address, the
 *	  keys check_client_access looks up (the address, then cut at its
 *	  last "." or ":" again and again: access(5)) as the map would: a
 *	  single address, an IPv4 /24, IPv6 /64s (one whose printed
 *	  addresses compress its zero groups too); nothing for an ended, a
 *	  held or another address; the role fivefifty_postfix reads the view
 *	  and nothing else; bans.node names the node;
 *	- two daemons (node-a, node-b: each its own host name, its own
 *	  nftables table, in one private network namespace) on one state: a
 *	  ban decided on A from its log and a manual ban on A are in B's
 *	  kernel set with a timeout of their remaining time and in B's map,
 *	  and are not written again by B; an unban on A lifts them on B; a
 *	  ban of a network B protects (its whitelist) is not enforced on B
 *	  and said once; B's link to the other nodes' bans, cut
 *	  (pg_terminate_backend), comes back and catches up what was
 *	  committed meanwhile; B stopped, a ban on A, B started: B has it
 *	  from the start.
 *	Skipped where PostgreSQL cannot run (not root, not installed).
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state/state.h"
#include "tests.h"

#define DIR	"/tmp/fivefifty-pgbans"
#define WAIT_MS	15000	/* a deadline for a hang, not a timing */

extern char **environ;

/* pgb_write - a file with this text */
static void
pgb_write(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* ban_row - one ban (op STATE_OP_BAN) or note into the state */
static void
ban_row(struct state *st, int op, const char *addr, int len, long long until,
    const char *reason)
{
	struct state_batch *b = state_batch_new();
	struct state_ban d;

	assert_non_null(b);
	memset(&d, 0, sizeof(d));
	d.op = op;
	d.addr = addr;
	d.prefix_len = len;
	d.family = strchr(addr, ':') != NULL ? 6 : 4;
	d.at = time(NULL) - 10;
	d.until = until;
	d.n = 1;
	d.score = 10;
	d.reason = reason;
	assert_int_equal(state_batch_ban(b, &d), 0);
	assert_int_equal(state_write(st, b), 0);
	assert_int_equal(state_sync(st), 0);
}

/* lookup - what check_client_access finds for a client address: the
 * address, then cut at its last '.' (IPv4) or ':' (IPv6) until a key
 * answers (access(5)); the reply of the first key answering ("" when
 * none) and that key in key */
static char *
lookup(const char *map, const char *addr, char *key, size_t keylen)
{
	char		 in[1024], k[128], *argv[] = { "/usr/sbin/postmap", "-c",
	    DIR "/postfix", "-q", "-", (char *)map, NULL };
	struct run_result r;
	char		*res, *line, *tab, *save = NULL, *cut;
	size_t		 n = 0;
	int		 delim = strchr(addr, ':') != NULL ? ':' : '.';

	snprintf(k, sizeof(k), "%s", addr);
	in[0] = '\0';
	do {
		n += (size_t)snprintf(in + n, sizeof(in) - n, "%s\n", k);
		if ((cut = strrchr(k, delim)) != NULL)
			*cut = '\0';
	} while (cut != NULL);
	assert_int_equal(run_cmd(argv, in, strlen(in), &r), 0);
	/* postmap -q - prints "key<TAB>value" for each key found, in the
	 * order read; 1 when none is */
	if (r.status != 0 && r.status != 1)
		fail_msg("postmap -q - %s: exit %d: %s", map, r.status, r.err);
	key[0] = '\0';
	res = strdup("");
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if ((tab = strchr(line, '\t')) != NULL) {
			*tab = '\0';
			snprintf(key, keylen, "%s", line);
			free(res);
			res = strdup(tab + 1);
			break;
		}
	run_free(&r);
	assert_non_null(res);
	return (res);
}

/* expect - the client finds key (NULL: nothing) with addr in the reply */
static void
expect(const char *map, const char *client, const char *key,
    const char *banned)
{
	char	 got[128], *res = lookup(map, client, got, sizeof(got));

	if (key == NULL) {
		if (res[0] != '\0')
			fail_msg("%s: key %s answers \"%s\"", client, got, res);
	} else {
		if (strcmp(got, key) != 0)
			fail_msg("%s: key \"%s\" answers, not %s (\"%s\")",
			    client, got, key, res);
		if (strncmp(res, "554 5.7.1 ", 10) != 0 || strstr(res,
		    banned) == NULL)
			fail_msg("%s: reply \"%s\"", client, res);
	}
	free(res);
}

/* test_pgsql_postfix_view - Postfix's pgsql: table over the view */
static void
test_pgsql_postfix_view(void **state)
{
	struct pg_server pg;
	struct run_result r;
	struct state	*st;
	char		 err[512], cf[1024], map[256], *out;
	char		*argv[] = { "/usr/bin/psql", "-X", "-At", "-d", NULL,
	    "-c", "SELECT count(*) FROM bans", NULL };
	long long	 now = time(NULL);

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	if (access("/usr/lib/postfix/postfix-pgsql.so", F_OK) != 0)
		fail_msg("postfix-pgsql is not installed (make deps-test)");
	free(sh("rm -rf " DIR " && mkdir -p " DIR "/postfix", NULL));
	pgb_write(DIR "/postfix/main.cf", "compatibility_level = 3.6\n");
	st = state_open(pg.uri, 0, err, sizeof(err));
	if (st == NULL)
		fail_msg("%s", err);
	ban_row(st, STATE_OP_BAN, "192.0.2.7", 32, now + 3600, "five-fifty");
	ban_row(st, STATE_OP_BAN, "198.51.100.0/24", 24, now + 3600,
	    "manual: by <hand>");
	ban_row(st, STATE_OP_BAN, "2001:db8:1::/64", 64, now + 3600,
	    "dictionary");
	ban_row(st, STATE_OP_BAN, "2001:db8:5:6::/64", 64, now + 3600,
	    "prefix");
	ban_row(st, STATE_OP_BAN, "203.0.113.0/24", 24, now - 5, "ended");
	ban_row(st, STATE_OP_BAN, "192.0.2.99", 32, now + 3600, "held");
	ban_row(st, STATE_OP_HOLD, "192.0.2.99", 32, now + 3600, "held");
	state_close(st);
	free(pg_sql(pg.uri, "GRANT SELECT ON fivefifty_postfix_access TO "
	    "fivefifty_postfix"));
	out = pg_sql(pg.uri, "SELECT count(*) FROM bans WHERE node = '' OR "
	    "node IS NULL");
	assert_string_equal(out, "0\n");
	free(out);

	snprintf(cf, sizeof(cf), "hosts = unix:%s/sock\ndbname = fivefifty\n"
	    "user = fivefifty_postfix\nquery = SELECT action FROM "
	    "fivefifty_postfix_access WHERE client = '%%s'\n", pg.dir);
	pgb_write(DIR "/postfix/fivefifty-pgsql.cf", cf);
	snprintf(map, sizeof(map), "pgsql:" DIR "/postfix/fivefifty-pgsql.cf");
	expect(map, "192.0.2.7", "192.0.2.7", "[192.0.2.7] blocked by "
	    "fivefifty (five-fifty) until ");
	expect(map, "192.0.2.8", NULL, NULL);
	expect(map, "198.51.100.77", "198.51.100", "[198.51.100.0/24] "
	    "blocked by fivefifty (manual_ by _hand_)");
	expect(map, "198.51.101.1", NULL, NULL);
	/* 2001:db8:1::/64: printed compressed, cut at the "::"; or not */
	expect(map, "2001:db8:1::5", "2001:db8:1:", "[2001:db8:1::/64]");
	expect(map, "2001:db8:1:0:1:2:3:4", "2001:db8:1:0",
	    "[2001:db8:1::/64]");
	expect(map, "2001:db8:2::5", NULL, NULL);
	expect(map, "2001:db8:5:6:a:b:c:d", "2001:db8:5:6",
	    "[2001:db8:5:6::/64]");
	expect(map, "2001:db8:5:6::1", "2001:db8:5:6", "[2001:db8:5:6::/64]");
	expect(map, "2001:db8:5:7::1", NULL, NULL);
	expect(map, "203.0.113.5", NULL, NULL);		/* ended */
	expect(map, "192.0.2.99", NULL, NULL);		/* held */
	expect(map, "x' OR 'a' = 'a", NULL, NULL);	/* quoted by Postfix */

	/* The role reads the view, not the tables. */
	argv[4] = cf;
	snprintf(cf, sizeof(cf), "postgresql:///fivefifty?host=%s/sock&user="
	    "fivefifty_postfix", pg.dir);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_not_equal(r.status, 0);
	assert_non_null(strstr(r.err, "permission denied"));
	run_free(&r);
	pg_stop(&pg);
}

/* The two nodes of the cluster tests. */
struct node {
	const char	*name;		/* node-a */
	const char	*table;		/* fivefifty_a */
	char		 dir[128];
	char		 conf[160];
	pid_t		 pid;
};
static struct node	 nodes[2];	/* the teardown kills what runs */

/* enc_uri - the test server's URI with its socket directory
 * percent-encoded (a URI as a postmaster may write it) */
static void
enc_uri(const struct pg_server *pg, char *out, size_t len)
{
	size_t	 n;
	char	 sock[300];
	const char *p;

	snprintf(sock, sizeof(sock), "%s/sock", pg->dir);
	n = (size_t)snprintf(out, len, "postgresql:///fivefifty?user="
	    "fivefifty&host=");
	for (p = sock; *p != '\0' && n + 4 < len; p++)
		n += (size_t)(*p == '/' ? snprintf(out + n, len - n, "%%2F") :
		    snprintf(out + n, len - n, "%c", *p));
}

/* node_setup - a node's directory and configuration */
static void
node_setup(struct node *nd, const char *name, const char *table,
    const char *uri, const char *extra)
{
	char	 text[2048], cmd[512];

	nd->name = name;
	nd->table = table;
	nd->pid = -1;
	snprintf(nd->dir, sizeof(nd->dir), DIR "/%s", name);
	snprintf(nd->conf, sizeof(nd->conf), "%s/ff.conf", nd->dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && : > %s/mail.log",
	    nd->dir, nd->dir);
	free(sh(cmd, NULL));
	/* state_directory: each node's own outbox, cache and spool, never
	 * the host's /var/lib/fivefifty (the default). */
	snprintf(text, sizeof(text), "state_db = %s\n"
	    "state_directory = %s/local\n"
	    "log_source = file\nmail_log = %s/mail.log\nuser =\n"
	    "control_socket = %s/ctl.sock\ncontrol_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map = texthash:%s/access\n"
	    "firewall_table = inet %s\n%s", uri, nd->dir, nd->dir, nd->dir,
	    nd->dir, table, extra);
	snprintf(cmd, sizeof(cmd), "%s", nd->conf);
	pgb_write(cmd, text);
}

/* node_cli - a command against a node; its output (malloc'd) */
static char *
node_cli(const struct node *nd, const char *a1, const char *a2,
    const char *a3, const char *a4, int *status)
{
	char		*argv[] = { (char *)bin_path(), (char *)a1, "-c",
	    (char *)nd->conf, (char *)a2, (char *)a3, (char *)a4, NULL };
	struct run_result r;
	char		*out;
	size_t		 n;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	*status = r.status;
	n = r.outlen + r.errlen + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%s%s", r.out, r.err);
	run_free(&r);
	return (out);
}

/* status_value - a status line's value ("" when missing) */
static void
status_value(const struct node *nd, const char *key, char *buf, size_t len)
{
	char	*out, *p, *e;
	int	 st;

	buf[0] = '\0';
	out = node_cli(nd, "status", NULL, NULL, NULL, &st);
	if (st == 0 && (p = strstr(out, key)) != NULL) {
		p += strlen(key);
		p += strspn(p, " ");
		e = p + strcspn(p, "\n");
		snprintf(buf, len, "%.*s", (int)(e - p), p);
	}
	free(out);
}

/* node_start - the daemon as its own host (a UTS namespace of its own),
 * in this network namespace; until its socket answers and it follows
 * the other nodes */
static void
node_start(struct node *nd)
{
	char		 bin[512], log[256], v[64];
	char		*argv[] = { "/usr/bin/unshare", "--uts", "/bin/sh", "-c",
	    "hostname \"$1\" && cd \"$2\" && exec \"$3\" run -c ff.conf",
	    "sh", (char *)nd->name, nd->dir, bin, NULL };
	posix_spawn_file_actions_t fa;
	int		 i, st;

	snprintf(bin, sizeof(bin), "%s", bin_path());
	if (bin[0] != '/') {
		char	 cwd[256];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		snprintf(bin, sizeof(bin), "%s/%s", cwd, bin_path());
	}
	snprintf(log, sizeof(log), "%s/daemon.log", nd->dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT |
	    O_APPEND, 0644);
	assert_int_equal(posix_spawn(&nd->pid, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < WAIT_MS / 20; i++) {
		status_value(nd, "cluster_bans", v, sizeof(v));
		if (strcmp(v, "ok") == 0)
			return;
		if (waitpid(nd->pid, &st, WNOHANG) == nd->pid) {
			char *text = read_file(log, &(size_t){ 0 });

			nd->pid = -1;
			fail_msg("%s exited %d: %s", nd->name, WEXITSTATUS(st),
			    text != NULL ? text : "");
		}
		usleep(20000);
	}
	fail_msg("%s: not following the other nodes' bans within %d ms",
	    nd->name, WAIT_MS);
}

/* node_stop - SIGTERM; exit 0 expected */
static void
node_stop(struct node *nd)
{
	int	st, i;

	if (nd->pid <= 0)
		return;
	assert_int_equal(kill(nd->pid, SIGTERM), 0);
	for (i = 0; i < 3000 && waitpid(nd->pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 3000) {
		kill(nd->pid, SIGKILL);
		waitpid(nd->pid, &st, 0);
		fail_msg("%s did not exit within 30 s of SIGTERM", nd->name);
	}
	nd->pid = -1;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* set_expires - the expiry (seconds) of elem in a node's IPv4 sets; -1
 * when it is not there */
static long
set_expires(const struct node *nd, const char *elem)
{
	char	 cmd[256], *out, *p;
	long	 v = -1;
	int	 st;

	/* Addresses are in the hash set, networks in the interval one. */
	snprintf(cmd, sizeof(cmd), "nft list set inet %s %s 2>/dev/null",
	    nd->table, strchr(elem, '/') != NULL ? "offenders4_nets" :
	    "offenders4");
	out = sh(cmd, &st);
	/* "192.0.2.10 timeout 1h expires 59m58s" */
	if (st == 0 && (p = strstr(out, elem)) != NULL && (p[strlen(elem)] ==
	    ' ' || p[strlen(elem)] == ',')) {
		long	 h = 0, m = 0, s = 0;
		char	*e = strstr(p, "expires ");

		if (e != NULL) {
			e += 8;
			for (;;) {
				long	 x = strtol(e, &e, 10);

				if (*e == 'd')
					h += 24 * x;
				else if (*e == 'h')
					h += x;
				else if (*e == 'm' && e[1] != 's')
					m = x;
				else if (*e == 's')
					s = x;
				else
					break;
				e++;
				if (*e == 's')	/* the "ms" of milliseconds */
					e++;
				if (*e < '0' || *e > '9')
					break;
			}
			v = h * 3600 + m * 60 + s;
		}
	}
	free(out);
	return (v);
}

/* wait_elem - until elem is (want) or is not in the node's set */
static void
wait_elem(const struct node *nd, const char *elem, int want)
{
	int	i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if ((set_expires(nd, elem) >= 0) == want)
			return;
		usleep(10000);
	}
	fail_msg("%s: %s %s the set %s within %d ms", nd->name, elem, want ?
	    "not in" : "still in", nd->table, WAIT_MS);
}

/* in_map - whether a node's map has a line for key */
static int
in_map(const struct node *nd, const char *key)
{
	char	 path[256], *text, *p;
	size_t	 n, len = strlen(key);
	int	 found = 0;

	snprintf(path, sizeof(path), "%s/access", nd->dir);
	if ((text = read_file(path, &n)) == NULL)
		return (0);
	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			found = 1;
	free(text);
	return (found);
}

/* wait_map - until a node's map has (want) or has not a line for key
 * (it is rewritten at most once per map_delay) */
static void
wait_map(const struct node *nd, const char *key, int want)
{
	int	i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if (in_map(nd, key) == want)
			return;
		usleep(10000);
	}
	fail_msg("%s: %s %s its map within %d ms", nd->name, key, want ?
	    "not in" : "still in", WAIT_MS);
}

/* five_fifty - sessions of addr retrying a rejected mail in a node's
 * log: a five-fifty ban */
static void
five_fifty(const struct node *nd, const char *addr, int n)
{
	char		 path[256], ts[64];
	time_t		 t = time(NULL);
	FILE		*fp;
	int		 i, pid;

	snprintf(path, sizeof(path), "%s/mail.log", nd->dir);
	assert_non_null(fp = fopen(path, "a"));
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000000+00:00",
	    gmtime(&t));
	for (i = 0; i < n; i++) {
		pid = 1000 + (int)(random() % 30000);
		fprintf(fp, "%s mx postfix/smtpd[%d]: connect from "
		    "mail.example.org[%s]\n", ts, pid, addr);
		fprintf(fp, "%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT "
		    "from mail.example.org[%s]: 554 5.7.1 <x@spammer.example>: "
		    "Sender address rejected: Access denied; "
		    "from=<x@spammer.example> to=<alice@example.test> "
		    "proto=ESMTP helo=<mail.example.org>\n", ts, pid, addr);
		fprintf(fp, "%s mx postfix/smtpd[%d]: disconnect from "
		    "mail.example.org[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 "
		    "commands=3/4\n", ts, pid, addr);
	}
	fclose(fp);
}

/* wait_log - until a node's log has text */
static void
wait_log(const struct node *nd, const char *text)
{
	char	 path[256], *log;
	int	 i, found;

	snprintf(path, sizeof(path), "%s/daemon.log", nd->dir);
	for (i = 0; i < WAIT_MS / 10; i++) {
		log = read_file(path, &(size_t){ 0 });
		found = log != NULL && strstr(log, text) != NULL;
		free(log);
		if (found)
			return;
		usleep(10000);
	}
	fail_msg("%s: \"%s\" not logged within %d ms", nd->name, text,
	    WAIT_MS);
}

/* count - a number psql answers */
static long
count(const char *uri, const char *sql)
{
	char	*out = pg_sql(uri, sql);
	long	 n = strtol(out, NULL, 10);

	free(out);
	return (n);
}

/* near - the element's expiry is the ban's remaining time (seconds,
 * give or take what the test's own steps take) */
static void
near(const struct node *nd, const char *elem, long remaining)
{
	long	 e = set_expires(nd, elem);

	if (e < remaining - 60 || e > remaining + 1)
		fail_msg("%s: %s expires in %ld s, the ban in %ld s", nd->name,
		    elem, e, remaining);
}

/* test_pgsql_cluster_bans - two daemons on one state share their bans */
static void
test_pgsql_cluster_bans(void **state)
{
	struct pg_server pg;
	struct node	*a = &nodes[0], *b = &nodes[1];
	char		 uri[512], *out, v[64];
	long long	 until;
	int		 st;

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	free(sh("rm -rf " DIR " && mkdir -p " DIR, NULL));
	enc_uri(&pg, uri, sizeof(uri));
	node_setup(a, "node-a", "fivefifty_a", uri, "");
	node_setup(b, "node-b", "fivefifty_b", uri,
	    "whitelist = 192.0.2.200/32\n");
	node_start(a);
	node_start(b);

	/* Decided on A from its log: in B's set and map, its remaining
	 * time; B wrote no ban nor event. */
	five_fifty(a, "192.0.2.10", 5);
	wait_elem(b, "192.0.2.10", 1);
	until = count(pg.uri, "SELECT max(until) FROM bans WHERE addr = "
	    "'192.0.2.10'");
	near(b, "192.0.2.10", (long)(until - time(NULL)));
	wait_map(b, "192.0.2.10", 1);
	/* A made by hand, a network: likewise. */
	out = node_cli(a, "ban", "198.51.100.0/24", "--for", "2h", &st);
	assert_int_equal(st, 0);
	free(out);
	wait_elem(b, "198.51.100.0/24", 1);
	near(b, "198.51.100.0/24", 7200);
	wait_map(b, "198.51.100", 1);
	/* A network B protects: not enforced there, said once. */
	out = node_cli(a, "ban", "192.0.2.200", "--for", "1h", &st);
	assert_int_equal(st, 0);
	free(out);
	wait_elem(a, "192.0.2.200", 1);
	wait_log(b, "ban of 192.0.2.200 by node node-a not enforced here");
	status_value(b, "remote_bans", v, sizeof(v));
	assert_string_equal(v, "2");
	assert_int_equal(set_expires(b, "192.0.2.200"), -1);
	wait_map(b, "192.0.2.200", 0);
	out = sh("grep -c 'ban of 192.0.2.200 by node node-a not enforced "
	    "here' " DIR "/node-b/daemon.log", NULL);
	assert_string_equal(out, "1\n");
	free(out);
	assert_int_equal(count(pg.uri, "SELECT count(*) FROM bans WHERE node "
	    "= 'node-b'"), 0);
	assert_int_equal(count(pg.uri, "SELECT count(*) FROM ban_events "
	    "WHERE node = 'node-b'"), 0);
	assert_int_equal(count(pg.uri, "SELECT count(*) FROM bans WHERE addr "
	    "= '192.0.2.10'"), 1);

	/* Unbans on A: lifted on B. */
	free(node_cli(a, "unban", "192.0.2.10", NULL, NULL, &st));
	assert_int_equal(st, 0);
	free(node_cli(a, "unban", "198.51.100.0/24", NULL, NULL, &st));
	assert_int_equal(st, 0);
	wait_elem(b, "192.0.2.10", 0);
	wait_elem(b, "198.51.100.0/24", 0);
	wait_map(b, "192.0.2.10", 0);
	wait_map(b, "198.51.100", 0);

	/* B's link cut: it comes back and catches up what was committed
	 * meanwhile (by id, not from the notification). */
	free(pg_sql(pg.uri, "SELECT pg_terminate_backend(pid) FROM "
	    "pg_stat_activity WHERE application_name = 'fivefifty watch' "
	    "AND pid <> pg_backend_pid()"));
	out = node_cli(a, "ban", "203.0.113.0/24", "--for", "3h", &st);
	assert_int_equal(st, 0);
	free(out);
	wait_elem(b, "203.0.113.0/24", 1);
	near(b, "203.0.113.0/24", 3 * 3600);

	/* B stopped; a ban on A; B started: it has it from the start. */
	node_stop(b);
	out = node_cli(a, "ban", "198.51.100.9", "--for", "90m", &st);
	assert_int_equal(st, 0);
	free(out);
	free(sh("nft delete table inet fivefifty_b", NULL));
	node_start(b);
	wait_elem(b, "198.51.100.9", 1);
	near(b, "198.51.100.9", 90 * 60);
	wait_map(b, "198.51.100.9", 1);
	assert_true(set_expires(b, "203.0.113.0/24") > 0);
	assert_int_equal(set_expires(b, "192.0.2.10"), -1);

	node_stop(a);
	node_stop(b);
	pg_stop(&pg);
}

/* cluster_teardown - the nodes a failed test left running, killed;
 * their tables go with the namespace */
static int
cluster_teardown(void **state)
{
	int	i;

	for (i = 0; i < 2; i++)
		if (nodes[i].pid > 0) {
			kill(nodes[i].pid, SIGKILL);
			waitpid(nodes[i].pid, NULL, 0);
			nodes[i].pid = -1;
		}
	return (netns_leave(state));
}

const struct CMUnitTest pgbans_tests[] = {
	cmocka_unit_test(test_pgsql_postfix_view),
	cmocka_unit_test_setup_teardown(test_pgsql_cluster_bans, netns_enter,
	    cluster_teardown),
};
const size_t pgbans_tests_count = sizeof(pgbans_tests) /
    sizeof(pgbans_tests[0]);

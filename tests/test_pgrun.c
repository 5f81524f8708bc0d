/*	$fivefifty: test_pgrun.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_pgrun 3 - fivefifty run on PostgreSQL, and PostgreSQL away
 * DESCRIPTION
 *	A private PostgreSQL server (tests/pg-cluster.sh) and the real
 *	daemon in a private network namespace (its own nftables table),
 *	state_db a URI, its local files (state_directory) under DIR. The
 *	input is three parts of today's traffic (five-fifties of many
 *	addresses, some banned, and accepted mail), written once to
 *	DIR/input-N.log and appended to the daemon's log part by part; the reference is a scan of the
 *	same lines into a SQLite file (test_daemon shows the daemon's state
 *	equals a scan's):
 *	- pgrun_equal: PostgreSQL up all along: list, list --json and the
 *	  evidence equal the reference's; node_name names the positions'
 *	  rows;
 *	- pgrun_outage: PostgreSQL stopped (pg_ctl stop) for 30 s while the
 *	  second part is appended: status says "cluster link: down since
 *	  ..., N spooled writes" with N > 0 and the bans decided meanwhile
 *	  are in the kernel set; started again: the link is ok, the outbox
 *	  empty, and list, list --json and the evidence equal the
 *	  reference's (nothing lost, nothing counted twice);
 *	- pgrun_kill9: PostgreSQL stopped, the second part read and spooled,
 *	  the daemon killed with SIGKILL and its table deleted, started
 *	  again while PostgreSQL is still away: it says it runs on its
 *	  cache, the kernel set has every ban of before (read with nft);
 *	  PostgreSQL started: the outbox is replayed, and the evidence per
 *	  address equals the reference's (no double count);
 *	- pgrun_locked: another session holds the clients table (LOCK TABLE
 *	  ... ACCESS EXCLUSIVE, as ALTER TABLE or VACUUM FULL do) while the
 *	  second part, a flood of offenders past the memory a flush may
 *	  wait with (memory_limit = 4), and the third are appended: the
 *	  daemon reads the whole log and bans the third part's offender
 *	  meanwhile (its writes wait for the lock a while, then go to the
 *	  outbox), and once the lock is let go the state is the
 *	  reference's.
 *	Waits for what must happen eventually have generous deadlines;
 *	nothing is timed. Skipped where PostgreSQL cannot run.
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

#include "tests.h"

#define DIR	"/tmp/fivefifty-pgrun"
#define CONF	DIR "/ff.conf"
#define LOG	DIR "/daemon.log"
#define WAIT_MS	90000	/* for what must happen eventually */

extern char **environ;

static struct pg_server pg;
static int	 pg_up;
static pid_t	 daemon_pid = -1;
static pid_t	 locker = -1;		/* psql holding a lock */
static const char *conf_extra = "";	/* a test's own keys */

static const char *const bad[] = { "192.0.2.50", "192.0.2.51",
    "192.0.2.52" };

/* write_text - a file with this text */
static void
write_text(const char *path, const char *text, const char *mode)
{
	FILE	*fp = fopen(path, mode);

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* conf_text - the daemon on the server's URI */
static void
conf_text(void)
{
	char	buf[4096];

	snprintf(buf, sizeof(buf),
	    "state_db = %s\n"
	    "node_name = mx-test.1\n"
	    "state_directory = " DIR "/local\n"
	    "log_source = file\nmail_log = " DIR "/mail.log\n"
	    "user =\n"
	    "control_socket = " DIR "/ctl.sock\n"
	    "control_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map =\n%s", pg.uri, conf_extra);
	write_text(CONF, buf, "w");
}

/* cli - a fivefifty command against CONF; its status and output */
static int
cli(const char *a1, const char *a2, const char *a3, const char *a4,
    char **out)
{
	char		*argv[8] = { (char *)bin_path(), (char *)a1, "-c",
	    CONF, (char *)a2, (char *)a3, (char *)a4, NULL };
	struct run_result r;
	int		 st;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	st = r.status;
	if (out != NULL) {
		size_t	n = r.outlen + r.errlen + 1;

		*out = malloc(n);
		assert_non_null(*out);
		snprintf(*out, n, "%s%s", r.out, r.err);
	}
	run_free(&r);
	return (st);
}

/* dump_log - the daemon's log, for a failure */
static void
dump_log(void)
{
	char	*log = read_file(LOG, &(size_t){ 0 });

	print_lines(log != NULL ? log : "");
	free(log);
}

/* start - fivefifty run in the background, once its socket answers */
static void
start(void)
{
	char		*argv[] = { (char *)bin_path(), "run", "-c", CONF,
	    NULL };
	posix_spawn_file_actions_t fa;
	int		 i, st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, LOG, O_WRONLY | O_CREAT |
	    O_APPEND, 0644);
	assert_int_equal(posix_spawn(&daemon_pid, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < 3000; i++) {
		if (cli("status", NULL, NULL, NULL, NULL) == 0)
			return;
		if (waitpid(daemon_pid, &st, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			dump_log();
			fail_msg("the daemon exited %d", WEXITSTATUS(st));
		}
		usleep(10000);
	}
	fail_msg("the daemon did not answer in 30 s");
}

/* stop - SIGTERM (or SIGKILL); its exit status */
static int
stop(int sig)
{
	int	st;

	assert_int_equal(kill(daemon_pid, sig), 0);
	assert_int_equal(waitpid(daemon_pid, &st, 0), daemon_pid);
	daemon_pid = -1;
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* pg_ctl - the private server stopped or started again */
static void
pg_ctl(int up)
{
	pg_server_ctl(&pg, up);
	pg_up = up;
}

/* status_has - whether status holds every string of want (NULL-ended) */
static int
status_has(const char *const *want, char **out)
{
	char	*s;
	int	 i;

	if (cli("status", NULL, NULL, NULL, &s) != 0) {
		free(s);
		return (0);
	}
	for (i = 0; want[i] != NULL; i++)
		if (strstr(s, want[i]) == NULL)
			break;
	if (out != NULL)
		*out = s;
	else
		free(s);
	return (want[i] == NULL);
}

/* wait_status - until status holds want; its text (malloc'd) */
static char *
wait_status(const char *const *want, const char *what)
{
	struct timespec	t0, t1;
	char		*s = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		free(s);
		s = NULL;
		if (status_has(want, &s))
			return (s);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if ((t1.tv_sec - t0.tv_sec) * 1000 > WAIT_MS) {
			print_lines(s != NULL ? s : "");
			dump_log();
			fail_msg("status never said %s", what);
		}
		usleep(50000);
	}
}

/* spooled - N of "cluster link: down since T, N spooled writes" (-1:
 * not down) */
static long
spooled(const char *status)
{
	const char	*p = strstr(status, "cluster link: down since ");

	if (p == NULL || (p = strchr(p, ',')) == NULL)
		return (-1);
	return (strtol(p + 1, NULL, 10));
}

/* settled - the log read to its end, every flush handed over and
 * nothing more to flush: status's lag 0 and state_pending 0, the same
 * three times in a row (the flush after the last line is in) */
static void
settled(void)
{
	static const char *const want[] = { " lag 0\n", NULL };
	char		*s, last[256] = "", now[256];
	const char	*p;
	int		 same = 0, i;

	for (i = 0; i < 1800 && same < 3; i++) {
		s = wait_status(want, "lag 0");
		p = strstr(s, "cluster link:");
		snprintf(now, sizeof(now), "%.*s", p != NULL ? (int)strcspn(p,
		    "\n") : 0, p != NULL ? p : "");
		same = strstr(s, "state_pending      0") != NULL &&
		    strcmp(now, last) == 0 ? same + 1 : 0;
		snprintf(last, sizeof(last), "%s", now);
		free(s);
		usleep(700000);	/* a flush period and some */
	}
	assert_int_equal(same, 3);
}


/* inputs - three parts of today's traffic: in each, five-fifties of
 * ten addresses (1 to 5 sessions: some banned, some not, bad[k] among
 * the banned) and accepted mail of ten; all.log has them all. One
 * stamp for all: the scores do not decay between the parts, so the
 * answers do not depend on which log time a reader takes (list on a
 * shared state reads the host name's, not node_name's: see the report
 * of wt-pgrun). */
static void
inputs(void)
{
	char	path[128], addr[64];
	time_t	t = time(NULL);
	int	k, i;

	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), DIR "/input-%d.log", k + 1);
		for (i = 0; i < 10; i++) {
			snprintf(addr, sizeof(addr), "203.0.113.%d", k * 10 +
			    i + 1);
			log_sessions(path, addr, 1 + i % 5, 0, t);
			snprintf(addr, sizeof(addr), "198.51.100.%d", k * 10 +
			    i + 1);
			log_sessions(path, addr, 2, 1, t);
		}
		log_sessions(path, bad[k], 5, 0, t);
	}
	free(sh("cat " DIR "/input-1.log " DIR "/input-2.log " DIR
	    "/input-3.log > " DIR "/all.log", NULL));
}

/* feed - part n appended to the daemon's log */
static void
feed(int n)
{
	char	cmd[256];

	snprintf(cmd, sizeof(cmd), "cat " DIR "/input-%d.log >> " DIR
	    "/mail.log", n);
	free(sh(cmd, NULL));
}

/* wait_in_set - until addr is in the set; fails after WAIT_MS */
static void
wait_in_set(const char *addr)
{
	char	*st = NULL, *nft;
	int	 i;

	for (i = 0; i < WAIT_MS / 20; i++) {
		if (nft_in_set4(addr))
			return;		/* seen once: that is the proof */
		usleep(20000);
	}
	/* What the daemon and the kernel hold, to tell a ban never pushed
	 * from an element gone or a lookup that missed. */
	(void)cli("status", NULL, NULL, NULL, &st);
	print_lines(st != NULL ? st : "");
	free(st);
	nft = sh("nft list table inet fivefifty 2>&1; nft get element inet "
	    "fivefifty offenders4 '{ 192.0.2.50, 192.0.2.51, 192.0.2.52 }' "
	    "2>&1", NULL);
	print_lines(nft);
	free(nft);
	dump_log();
	fail_msg("%s never in the kernel set", addr);
}

/* reference - a scan of all.log into a SQLite file */
static void
reference(void)
{
	char		*argv[] = { (char *)bin_path(), "scan", "-c", CONF,
	    "--no-enforce", "--db", DIR "/ref.db", DIR "/all.log", NULL };
	struct run_result r;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("scan: %s", r.err);
	run_free(&r);
}

/* same - a command's output on the server's state and the reference */
static void
same(const char *cmd, const char *arg)
{
	char		*a0[6], *a1[6];
	struct run_result a, b;
	int		 n = 0;

	a0[n] = a1[n] = (char *)bin_path(), n++;
	a0[n] = a1[n] = (char *)cmd, n++;
	if (arg != NULL)
		a0[n] = a1[n] = (char *)arg, n++;
	a0[n] = a1[n] = "--db", n++;
	a0[n] = pg.uri;
	a1[n++] = DIR "/ref.db";
	a0[n] = a1[n] = NULL;

	assert_int_equal(run_cmd(a0, NULL, 0, &a), 0);
	assert_int_equal(run_cmd(a1, NULL, 0, &b), 0);
	if (a.status != b.status || strcmp(a.out, b.out) != 0) {
		print_message("PostgreSQL (exit %d):\n", a.status);
		print_lines(a.out);
		print_lines(a.err);
		print_message("reference (exit %d):\n", b.status);
		print_lines(b.out);
		fail_msg("%s %s: the daemon's state on PostgreSQL differs from "
		    "the reference", cmd, arg != NULL ? arg : "");
	}
	assert_int_equal(a.status, 0);
	assert_true(a.outlen > 0);
	run_free(&a);
	run_free(&b);
}

/* evidence_same - the evidence per address equals the reference's */
static void
evidence_same(void)
{
	static const char q[] = "SELECT addr || ' ' || rule || ' ' || "
	    "count(*) FROM evidence GROUP BY addr, rule ORDER BY addr, rule";
	char		 cmd[512], *a, *b;
	int		 st;

	a = pg_sql(pg.uri, q);
	snprintf(cmd, sizeof(cmd), "sqlite3 " DIR "/ref.db \"%s\"", q);
	b = sh(cmd, &st);
	assert_int_equal(st, 0);
	assert_true(strlen(b) > 10);
	if (strcmp(a, b) != 0) {
		write_text(DIR "/pg.ev", a, "w");
		write_text(DIR "/ref.ev", b, "w");
		fail_msg("the evidence differs from the reference (see "
		    DIR "/pg.ev and ref.ev)");
	}
	free(a);
	free(b);
}

/* pgrun_enter - setup: a private netns, DIR, the server, the inputs */
static int
pgrun_enter(void **state)
{
	if (netns_enter(state) == -1)
		return (-1);
	free(sh("rm -rf " DIR " && mkdir -p " DIR "/local && : > " DIR
	    "/mail.log", NULL));
	pg.dir[0] = '\0';
	return (0);
}

/* pgrun_leave - teardown: the daemon, the server, DIR */
static int
pgrun_leave(void **state)
{
	int	st;

	if (daemon_pid > 0) {
		(void)kill(daemon_pid, SIGKILL);
		(void)waitpid(daemon_pid, &st, 0);
		daemon_pid = -1;
	}
	if (locker > 0) {
		(void)kill(locker, SIGKILL);
		(void)waitpid(locker, &st, 0);
		locker = -1;
	}
	conf_extra = "";
	if (pg.dir[0] != '\0')
		pg_stop(&pg);
	pg.dir[0] = '\0';
	free(sh("rm -rf " DIR, NULL));
	return (netns_leave(state));
}

/* begin - the server, the configuration, the inputs and the daemon;
 * 0, or -1 to skip */
static int
begin(void)
{
	if (pg_start(&pg) == -1) {
		pg.dir[0] = '\0';
		return (-1);
	}
	pg_up = 1;
	conf_text();
	inputs();
	start();
	return (0);
}

/* test_pgrun_equal - the daemon on PostgreSQL: the reference's state */
static void
test_pgrun_equal(void **state)
{
	static const char *const ok[] = { "cluster link: ok", NULL };
	char	*rows;
	int	 i;

	(void)state;
	if (begin() == -1)
		skip();
	free(wait_status(ok, "cluster link: ok"));
	for (i = 1; i <= 3; i++)
		feed(i);
	for (i = 0; i < 3; i++)
		wait_in_set(bad[i]);
	settled();
	assert_int_equal(stop(SIGTERM), 0);
	reference();
	same("list", NULL);
	same("list", "--json");
	evidence_same();
	rows = pg_sql(pg.uri, "SELECT node || ' ' || path FROM positions");
	assert_string_equal(rows, "mx-test.1 " DIR "/mail.log\n");
	free(rows);
}

/* test_pgrun_outage - PostgreSQL away for 30 s under traffic: spooled,
 * enforced, replayed; the reference's state in the end */
static void
test_pgrun_outage(void **state)
{
	static const char *const down[] = { "cluster link: down since ",
	    " spooled writes", NULL };
	static const char *const ok[] = { "cluster link: ok\n", NULL };
	struct timespec	 t0, t1;
	char		*s;
	long		 n = 0;

	(void)state;
	if (begin() == -1)
		skip();
	feed(1);
	wait_in_set(bad[0]);
	settled();
	pg_ctl(0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	feed(2);
	wait_in_set(bad[1]);		/* enforced while the server is away */
	/* The link down with writes spooled, for as long as it is. */
	do {
		s = wait_status(down, "the link down");
		if (spooled(s) > n)
			n = spooled(s);
		free(s);
		usleep(500000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (t1.tv_sec - t0.tv_sec < 30);
	if (n <= 0)
		fail_msg("status never counted a spooled write");
	pg_ctl(1);
	feed(3);
	wait_in_set(bad[2]);
	free(wait_status(ok, "the link ok again"));
	settled();
	assert_int_equal(stop(SIGTERM), 0);
	free(sh("ls " DIR "/local/outbox | wc -l > " DIR "/left", NULL));
	s = read_file(DIR "/left", &(size_t){ 0 });
	assert_string_equal(s, "0\n");
	free(s);
	reference();
	same("list", "--json");
	evidence_same();
}

/* test_pgrun_kill9 - killed while PostgreSQL is away, started again
 * while it still is: the bans from the cache; then replayed once */
static void
test_pgrun_kill9(void **state)
{
	static const char *const down[] = { "cluster link: down since ",
	    NULL };
	static const char *const cached[] = { "cluster link: down since ",
	    ", on the cache", NULL };
	static const char *const ok[] = { "cluster link: ok\n", NULL };
	char	*log;
	int	 i;

	(void)state;
	if (begin() == -1)
		skip();
	feed(1);
	wait_in_set(bad[0]);
	settled();
	pg_ctl(0);
	feed(2);
	wait_in_set(bad[1]);
	free(wait_status(down, "the link down"));
	settled();			/* read, and spooled */
	assert_int_equal(stop(SIGKILL), 128 + SIGKILL);
	free(sh("nft delete table inet fivefifty", NULL));
	assert_false(nft_in_set4(bad[0]));
	start();			/* PostgreSQL still away */
	free(wait_status(cached, "on the cache"));
	for (i = 0; i < 2; i++)		/* reconciled from the cache */
		assert_true(nft_in_set4(bad[i]));
	log = read_file(LOG, &(size_t){ 0 });
	assert_non_null(strstr(log, "starting on the cache"));
	free(log);
	pg_ctl(1);
	feed(3);
	wait_in_set(bad[2]);
	free(wait_status(ok, "the link ok again"));
	settled();
	assert_int_equal(stop(SIGTERM), 0);
	reference();
	evidence_same();
}

/* clients_locked - whether the locker holds the clients table */
static int
clients_locked(void)
{
	char	*n;
	int	 held;

	n = pg_sql(pg.uri, "SELECT count(*) FROM pg_locks l JOIN "
	    "pg_stat_activity a USING (pid) WHERE a.application_name = "
	    "'locker' AND l.mode = 'AccessExclusiveLock' AND l.granted");
	held = strcmp(n, "1\n") == 0;
	free(n);
	return (held);
}

/* lock_clients - another session holds the clients table (ACCESS
 * EXCLUSIVE: no read, no write) until unlock_clients(), at most 300 s */
static void
lock_clients(void)
{
	char		 uri[512];
	char		*argv[] = { "/usr/bin/psql", "-X", "-q", "-d", uri, "-c",
	    "BEGIN; LOCK TABLE clients IN ACCESS EXCLUSIVE MODE; "
	    "SELECT pg_sleep(300); COMMIT", NULL };
	posix_spawn_file_actions_t fa;
	int		 i, held = 0;

	snprintf(uri, sizeof(uri), "%s&application_name=locker", pg.uri);
	/* Its end is the server's doing: psql's words about it are noise. */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	assert_int_equal(posix_spawn(&locker, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < 600 && !(held = clients_locked()); i++)	/* 30 s */
		usleep(50000);
	assert_true(held);
}

/* unlock_clients - the locking session ended by the server; fails if
 * the lock was gone already (pg_sleep ended: what was checked before
 * was not under the lock) */
static void
unlock_clients(void)
{
	if (!clients_locked())
		fail_msg("the clients table was no longer locked");
	free(pg_sql(pg.uri, "SELECT pg_terminate_backend(pid) FROM "
	    "pg_stat_activity WHERE application_name = 'locker'"));
	assert_int_equal(waitpid(locker, NULL, 0), locker);
	locker = -1;
}

/* flood - n five-fifties of addresses of their own, in DIR/flood.log */
static void
flood(int n)
{
	char	addr[64];
	time_t	t = time(NULL);
	int	i;

	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "10.9.%d.%d", i / 250, i % 250 + 1);
		log_sessions(DIR "/flood.log", addr, 1, 0, t);
	}
}

/* test_pgrun_locked - the clients table locked by another session
 * under a flood: the log read and enforced on, the state the
 * reference's once the lock is gone */
static void
test_pgrun_locked(void **state)
{
	static const char *const caught_up[] = { " lag 0\n", NULL };
	static const char *const spooling[] = { "cluster link: down since ",
	    " spooled writes", NULL };
	char		*log, *p;

	(void)state;
	conf_extra = "memory_limit = 4\n";
	if (begin() == -1)
		skip();
	flood(4000);
	free(sh("cat " DIR "/input-1.log " DIR "/input-2.log " DIR
	    "/flood.log " DIR "/input-3.log > " DIR "/all.log", NULL));
	feed(1);
	wait_in_set(bad[0]);
	settled();
	lock_clients();
	feed(2);
	free(sh("cat " DIR "/flood.log >> " DIR "/mail.log", NULL));
	feed(3);
	wait_in_set(bad[2]);		/* read past the flood, enforced */
	free(wait_status(caught_up, "lag 0 while the table is locked"));
	free(wait_status(spooling, "the writes spooled"));
	log = read_file(LOG, &(size_t){ 0 });
	assert_non_null(log);
	if ((p = strstr(log, "lock timeout")) == NULL) {
		dump_log();
		fail_msg("the daemon's log does not say why it spools");
	}
	while (p > log && p[-1] != '\n')
		p--;
	print_message("      %.*s\n", (int)strcspn(p, "\n"), p);
	free(log);
	unlock_clients();
	settled();
	assert_int_equal(stop(SIGTERM), 0);
	reference();
	same("list", "--json");
	evidence_same();
}

const struct CMUnitTest pgrun_tests[] = {
	cmocka_unit_test_setup_teardown(test_pgrun_equal, pgrun_enter,
	    pgrun_leave),
	cmocka_unit_test_setup_teardown(test_pgrun_kill9, pgrun_enter,
	    pgrun_leave),
	cmocka_unit_test_setup_teardown(test_pgrun_outage, pgrun_enter,
	    pgrun_leave),
	cmocka_unit_test_setup_teardown(test_pgrun_locked, pgrun_enter,
	    pgrun_leave),
};
const size_t pgrun_tests_count = sizeof(pgrun_tests) /
    sizeof(pgrun_tests[0]);

/*	$fivefifty: test_journal_run.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_journal_run 3 - fivefifty run, scan and report on real journal
 *	files
 * DESCRIPTION
 *	There is no journald on the build machines: the journal files are
 *	made by the real tool, systemd-journal-remote, from Postfix log lines
 *	turned into the journal export format (tests/log2export.py), and
 *	appended to while fivefifty reads them. Each daemon test runs the
 *	real binary in a private network namespace with its own table,
 *	state and socket under /tmp:
 *	- entries are followed live: a five-fifty written to the journal is
 *	  in the kernel set, a legitimate client is not; status says the
 *	  journal and why;
 *	- kill -9 at random moments and clean restarts while the lab
 *	  corpus is appended entry by entry: the final state equals that of
 *	  `fivefifty scan` over the same lines as a text log (nothing lost,
 *	  nothing counted twice, the same decisions);
 *	- a vacuumed cursor: the file that held the stored entry is gone;
 *	  the daemon says so and reads the entries after its time;
 *	- a second Postfix instance (postfix-out, postfix@out.service) is
 *	  read without a setting; a program of another facility and unit is
 *	  not;
 *	- a reload to a journal that cannot be read keeps the one read, a
 *	  reload to log_source = file switches to the files;
 *	- log_source = auto chooses the files when one was written lately,
 *	  else the journal, and check and status say why;
 *	- scan --journal and report --journal decide what scan and report
 *	  decide on the text log of the same lines (the lab corpus), and a
 *	  journal scanned again is resumed after its cursor;
 *	- run refuses a FIFO as mail_log, and --log -.
 */
#include <sys/stat.h>
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

#define JD	"/tmp/fivefifty-jrun"
#define JDIR	JD "/journal"
#define REMOTE	"/lib/systemd/systemd-journal-remote"

extern char **environ;

static pid_t	started;

/* put - a file with this text */
static void
put(const char *path, const char *text, const char *mode)
{
	FILE	*fp = fopen(path, mode);

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* conf - the daemon's configuration in JD, with extra keys */
static void
conf(const char *extra)
{
	char	buf[4096];

	snprintf(buf, sizeof(buf),
	    "state_db = " JD "/ff.db\n"
	    "mail_log = " JD "/mail.log\n"
	    "journal_directory = " JDIR "\n"
	    "user =\n"
	    "control_socket = " JD "/ctl.sock\n"
	    "control_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map =\n"
	    "%s", extra);
	put(JD "/ff.conf", buf, "w");
}

/* fresh - an empty JD with an empty journal directory */
static void
fresh(void)
{
	free(sh("rm -rf " JD " && mkdir -p " JDIR, NULL));
}

/* append - log lines (text) into the journal file name of JDIR, through
 * the export format and systemd-journal-remote; args for log2export */
static void
append(const char *name, const char *lines, const char *args)
{
	char	 cmd[1024], *out;
	int	 st;

	put(JD "/append.log", lines, "w");
	snprintf(cmd, sizeof(cmd), "tests/log2export.py %s < " JD "/append.log "
	    "| " REMOTE " -o " JDIR "/%s.journal - 2>&1", args, name);
	out = sh(cmd, &st);
	if (st != 0)
		fail_msg("%s: %s", cmd, out);
	free(out);
}

/* now_stamp - now as an RFC 3339 stamp, for lines of the present */
static void
now_stamp(char *buf, size_t len)
{
	time_t	t = time(NULL);

	strftime(buf, len, "%Y-%m-%dT%H:%M:%S+00:00", gmtime(&t));
}

/* sessions - n five-fifty sessions of addr (or n accepted mails), as
 * Postfix of syslog_name ident logs them */
static char *
sessions(const char *ident, const char *addr, int n, int good)
{
	char	 ts[64], *buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);
	int	 i;

	assert_non_null(fp);
	now_stamp(ts, sizeof(ts));
	for (i = 0; i < n; i++) {
		int pid = 1000 + i;

		fprintf(fp, "%s mx %s/smtpd[%d]: connect from "
		    "mail.example.org[%s]\n", ts, ident, pid, addr);
		if (good)
			fprintf(fp, "%s mx %s/smtpd[%d]: 4B2C31A2B3: "
			    "client=mail.example.org[%s]\n", ts, ident, pid,
			    addr);
		else
			fprintf(fp, "%s mx %s/smtpd[%d]: NOQUEUE: reject: "
			    "RCPT from mail.example.org[%s]: 554 5.7.1 "
			    "<x@spammer.example>: Sender address rejected: "
			    "Access denied; from=<x@spammer.example> "
			    "to=<alice@example.test> proto=ESMTP "
			    "helo=<mail.example.org>\n", ts, ident, pid, addr);
		fprintf(fp, "%s mx %s/smtpd[%d]: disconnect from "
		    "mail.example.org[%s] ehlo=1 mail=1 rcpt=%s quit=1 "
		    "commands=%s\n", ts, ident, pid, addr, good ? "1 data=1" :
		    "0/1", good ? "5" : "3/4");
	}
	fclose(fp);
	return (buf);
}

/* append_sessions - six five-fifty sessions of addr (or six accepted
 * mails, good), as Postfix of syslog_name ident logs them, appended to
 * the journal file name with log2export's args */
static void
append_sessions(const char *name, const char *ident, const char *addr,
    int good, const char *args)
{
	char	*text = sessions(ident, addr, 6, good);

	append(name, text, args);
	free(text);
}

/* start - fivefifty run in the background, ready; its pid */
static pid_t
start(void)
{
	char		*argv[] = { (char *)bin_path(), "run", "-c",
	    JD "/ff.conf", NULL };
	posix_spawn_file_actions_t fa;
	pid_t		 pid;
	int		 i, st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, JD "/daemon.log",
	    O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	started = pid;
	for (i = 0; i < 1000; i++) {	/* the socket answers: ready */
		char	*sargv[] = { (char *)bin_path(), "status", "-c",
		    JD "/ff.conf", NULL };
		struct run_result r;

		assert_int_equal(run_cmd(sargv, NULL, 0, &r), 0);
		st = r.status;
		run_free(&r);
		if (st == 0)
			return (pid);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			char *log = read_file(JD "/daemon.log",
			    &(size_t){ 0 });
			fail_msg("the daemon exited %d: %s", WEXITSTATUS(st),
			    log != NULL ? log : "");
		}
		usleep(10000);
	}
	fail_msg("the daemon did not answer in 10 s");
	return (-1);
}

/* stop - SIGTERM, and its exit status (SIGKILL after 30 s: a hang) */
static int
stop(pid_t pid)
{
	int	st, i;

	assert_int_equal(kill(pid, SIGTERM), 0);
	for (i = 0; i < 3000 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 3000) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fail_msg("the daemon did not exit within 30 s of SIGTERM");
	}
	started = 0;
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* cli - fivefifty CMD -c JD/ff.conf ARGS...; status, output in *out */
static int
cli(char **out, const char *cmd, ...)
{
	char		*argv[16] = { (char *)bin_path(), "-c", JD "/ff.conf",
	    (char *)cmd };
	struct run_result r;
	va_list		 ap;
	int		 n = 4, st;

	va_start(ap, cmd);
	while (n < 15 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	st = r.status;
	if (out != NULL) {
		size_t	len = r.outlen + r.errlen + 1;

		*out = malloc(len);
		assert_non_null(*out);
		snprintf(*out, len, "%s%s", r.out, r.err);
	}
	run_free(&r);
	return (st);
}

/* wait_for - until status holds what (1), or 20 s pass (0); a deadline
 * for a hang, not a timing */
static int
wait_for(const char *what)
{
	char	*out;
	int	 i, found = 0;

	for (i = 0; i < 400 && !found; i++) {
		(void)cli(&out, "status", "--json", NULL);
		found = strstr(out, what) != NULL;
		free(out);
		if (!found)
			usleep(50000);
	}
	return (found);
}

/* wait_set - until addr is in the set (1), or 20 s pass (0) */
static int
wait_set(const char *addr)
{
	int	i;

	for (i = 0; i < 2000; i++) {
		if (nft_in_set4(addr))
			return (1);
		usleep(10000);
	}
	return (0);
}

/* query - one number from a state database */
static long long
query(const char *db, const char *sql)
{
	char		 cmd[1024], *out;
	long long	 v;
	int		 st;

	snprintf(cmd, sizeof(cmd), SQLITE3 "%s \"%s\" 2>&1", db, sql);
	out = sh(cmd, &st);
	if (st != 0)
		fail_msg("%s: %s", cmd, out);
	v = atoll(out);
	free(out);
	return (v);
}

/* same_dump - the two states decide the same, or the test fails with
 * where to look */
static void
same_dump(const char *a_db, const char *b_db, const char *what)
{
	char	*a = state_dump(a_db), *b = state_dump(b_db);

	assert_true(strlen(b) > 1000);
	if (strcmp(a, b) != 0) {
		put(JD "/a.dump", a, "w");
		put(JD "/b.dump", b, "w");
		fail_msg("%s: the states differ: diff " JD "/a.dump " JD
		    "/b.dump", what);
	}
	free(a);
	free(b);
}

/* teardown - a daemon a failed test left running is killed */
static int
teardown(void **state)
{
	if (started > 0 && waitpid(started, NULL, WNOHANG) == 0) {
		kill(started, SIGKILL);
		waitpid(started, NULL, 0);
	}
	started = 0;
	return (netns_leave(state));
}

/* test_journal_run_follow - entries followed live: a five-fifty is
 * banned, a good client is not, a second instance is read, another
 * program is not; status says the journal and why */
static void
test_journal_run_follow(void **state)
{
	pid_t	 pid;

	(void)state;
	fresh();
	conf("log_source = journal\n");
	pid = start();
	assert_true(wait_for("\"log_source\":\"journal\""));
	assert_true(wait_for("\"log_source_reason\":\"log_source = journal\""));
	append_sessions("remote", "postfix", "127.0.0.9", 0, "");
	append_sessions("remote", "postfix", "127.0.0.10", 1, "");
	assert_true(wait_set("127.0.0.9"));
	/* A second instance: another syslog_name and unit, no setting. */
	append_sessions("remote", "postfix-out", "127.0.0.11", 0,
	    "--unit postfix@out.service --facility 2");
	assert_true(wait_set("127.0.0.11"));
	/* postmulti's instance on another facility: its unit's slice. */
	append_sessions("remote", "postfix-two", "127.0.0.12", 0,
	    "--unit postfix@two.service --facility 16");
	assert_true(wait_set("127.0.0.12"));
	/* Another program, another facility and unit, forging Postfix's
	 * words: not among the entries read. */
	append_sessions("remote", "postfix", "127.0.0.13", 0,
	    "--unit user@1000.service --facility 1");
	/* A marker after it. */
	append_sessions("remote", "postfix", "127.0.0.14", 0, "");
	assert_true(wait_set("127.0.0.14"));
	assert_false(nft_in_set4("127.0.0.13"));
	assert_false(nft_in_set4("127.0.0.10"));
	assert_true(wait_for("\"journal\":\"directory " JDIR "\""));
	assert_true(wait_for("\"journal_entries\":90,"));	/* 5 x 18 */
	assert_true(wait_for("\"journal_cursor_lost\":\"no\""));
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " JD, NULL));
}

/* last_usec - the stored realtime of the journal's position */
static long long
last_usec(void)
{
	return (query(JD "/ff.db", "SELECT coalesce(max(off), 0) FROM "
	    "positions WHERE path = 'journal:" JDIR "'"));
}

/* test_journal_run_kill9 - the lab corpus appended to the journal in
 * chunks, the daemon killed (-9) or stopped at random moments: its state
 * equals scan's of the same lines as a text log */
static void
test_journal_run_kill9(void **state)
{
	char		 lab[512], *text, *p, *end, save;
	size_t		 len, chunk;
	unsigned	 seed = (unsigned)time(NULL);
	long long	 want;
	pid_t		 pid;
	int		 kills = 0, stops = 0, i;
	FILE		*all;

	(void)state;
	need_corpus();
	fresh();
	/* Old log times: no ban is still running, nothing to enforce. */
	conf("log_source = journal\nfirewall = off\n");
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	assert_non_null(text = read_file(lab, &len));
	srandom(seed);
	print_message("      seed %u\n", seed);
	assert_non_null(all = fopen(JD "/all.log", "w"));
	pid = start();		/* an empty journal: all that comes is new */
	for (p = text; p < text + len; p = end) {
		chunk = (size_t)(random() % 30000) + 1000;
		end = p + chunk < text + len ? p + chunk : text + len;
		while (end < text + len && end[-1] != '\n')
			end++;
		fwrite(p, 1, (size_t)(end - p), all);
		save = *end;
		*end = '\0';
		append("remote", p, "--year 2026");
		*end = save;
		usleep((useconds_t)(random() % 150000));
		switch (random() % 4) {
		case 0:		/* kill -9 and start again */
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			kills++;
			pid = start();
			break;
		case 1:		/* a clean restart */
			assert_int_equal(stop(pid), 0);
			stops++;
			pid = start();
			break;
		default:
			break;
		}
	}
	/* A last line of a known time: read and stored means all was. */
	put(JD "/last.log", "Nov 21 23:59:59 mx postfix/anvil[1]: statistics: "
	    "max connection rate 1/60s for (smtp:127.0.0.1) at Nov 21 "
	    "23:59:59\n", "w");
	{
		char *l = read_file(JD "/last.log", &(size_t){ 0 });

		fputs(l, all);
		append("remote", l, "--year 2026");
		free(l);
	}
	fclose(all);
	{
		struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 21,
		    .tm_hour = 23, .tm_min = 59, .tm_sec = 59, .tm_isdst = -1 };

		want = (long long)mktime(&tm) * 1000000;
	}
	for (i = 0; i < 400 && last_usec() != want; i++)
		usleep(50000);
	assert_int_equal(last_usec(), want);
	assert_int_equal(stop(pid), 0);
	print_message("      %d kills, %d clean restarts\n", kills, stops);
	{
		char *argv[] = { (char *)bin_path(), "scan", "-c",
		    JD "/ff.conf", "--no-enforce", "--db", JD "/scan.db",
		    JD "/all.log", NULL };
		struct run_result r;

		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	same_dump(JD "/ff.db", JD "/scan.db", "daemon (journal, killed) and "
	    "scan (text)");
	free(text);
	free(sh("rm -rf " JD, NULL));
}

/* test_journal_run_vacuumed - the entry of the stored cursor is gone:
 * said, and reading resumes at the entries after its time */
static void
test_journal_run_vacuumed(void **state)
{
	char	*out;
	pid_t	 pid;

	(void)state;
	fresh();
	conf("log_source = journal\n");
	pid = start();
	append_sessions("old", "postfix", "127.0.0.20", 0, "");
	assert_true(wait_set("127.0.0.20"));
	assert_true(wait_for("\"journal_entries\":18,"));
	assert_int_equal(stop(pid), 0);
	assert_true(last_usec() > 0);
	/* journalctl --vacuum-files: the file of the cursor is removed; a
	 * newer one holds what came since. */
	sleep(1);	/* entries of a later second than the cursor's */
	assert_int_equal(unlink(JDIR "/old.journal"), 0);
	append_sessions("new", "postfix", "127.0.0.21", 0,
	    "--boot-id fedcba9876543210fedcba9876543210");
	pid = start();
	assert_true(wait_set("127.0.0.21"));
	assert_true(wait_for("\"journal_cursor_lost\":\"yes\""));
	out = read_file(JD "/daemon.log", &(size_t){ 0 });
	assert_non_null(out);
	if (strstr(out, "is no longer there") == NULL)
		fail_msg("the lost cursor is not said: %s", out);
	free(out);
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " JD, NULL));
}

/* test_journal_run_auto - log_source = auto: the files when written
 * lately, else the journal; check, status and run say which and why */
static void
test_journal_run_auto(void **state)
{
	char	*out;
	pid_t	 pid;

	(void)state;
	fresh();
	conf("log_source = auto\n");
	/* No mail.log: the journal. */
	assert_int_equal(cli(&out, "check", NULL), 0);
	if (strstr(out, "# run reads the journal of journal_directory: "
	    "log_source = auto: " JD "/mail.log does not exist") == NULL)
		fail_msg("check: %s", out);
	free(out);
	/* A mail.log written now: the files. */
	put(JD "/mail.log", "", "w");
	assert_int_equal(cli(&out, "check", NULL), 0);
	if (strstr(out, "# run reads the mail_log files: log_source = auto: "
	    JD "/mail.log was written") == NULL)
		fail_msg("check: %s", out);
	free(out);
	pid = start();
	assert_true(wait_for("\"log_source\":\"file\""));
	assert_true(wait_for("\"path\":\"" JD "/mail.log\""));
	assert_int_equal(stop(pid), 0);
	/* Written three days ago (rsyslog removed since): the journal. */
	free(sh("touch -d '3 days ago' " JD "/mail.log", NULL));
	assert_int_equal(cli(&out, "check", NULL), 0);
	if (strstr(out, "# run reads the journal of journal_directory: "
	    "log_source = auto: " JD "/mail.log was last written 3 days "
	    "ago") == NULL)
		fail_msg("check: %s", out);
	free(out);
	pid = start();
	assert_true(wait_for("\"log_source\":\"journal\""));
	assert_true(wait_for("\"log_source_reason\":\"log_source = auto: "
	    JD "/mail.log was last written 3 days ago, and there is a "
	    "journal (" JDIR ")\""));
	assert_int_equal(stop(pid), 0);
	out = read_file(JD "/daemon.log", &(size_t){ 0 });
	assert_non_null(out);
	if (strstr(out, "reading the journal (log_source = auto") == NULL)
		fail_msg("run does not say which log: %s", out);
	free(out);
	free(sh("rm -rf " JD, NULL));
}

/* test_journal_run_reload - SIGHUP to a journal that cannot be read
 * keeps the one being read; to log_source = file switches */
static void
test_journal_run_reload(void **state)
{
	char	*text;
	pid_t	 pid;

	(void)state;
	fresh();
	conf("log_source = journal\n");
	pid = start();
	append_sessions("remote", "postfix", "127.0.0.30", 0, "");
	assert_true(wait_set("127.0.0.30"));
	/* A directory that does not exist: said, and reading goes on. */
	put(JD "/ff.conf", "state_db = " JD "/ff.db\n"
	    "log_source = journal\njournal_directory = " JD "/missing\n"
	    "user =\ncontrol_socket = " JD "/ctl.sock\ncontrol_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map =\n", "w");
	assert_int_equal(kill(pid, SIGHUP), 0);
	assert_true(wait_for("\"journal\":\"directory " JDIR "\""));
	append_sessions("remote", "postfix", "127.0.0.31", 0, "");
	assert_true(wait_set("127.0.0.31"));
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);	/* alive */
	{
		char *log = read_file(JD "/daemon.log", &(size_t){ 0 });

		assert_non_null(log);
		if (strstr(log, "reading on as before") == NULL)
			fail_msg("the failed reload is not said: %s", log);
		free(log);
	}
	/* To the files: status says so, and a line of the file bans. */
	put(JD "/mail.log", "", "w");
	conf("log_source = file\n");
	assert_int_equal(kill(pid, SIGHUP), 0);
	assert_true(wait_for("\"log_source\":\"file\""));
	text = sessions("postfix", "127.0.0.32", 6, 0);
	put(JD "/mail.log", text, "a");
	free(text);
	assert_true(wait_set("127.0.0.32"));
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " JD, NULL));
}

/* lab_journal - the lab corpus as a journal file, and as a text log
 * whose year-less stamps read as 2026 */
static void
lab_journal(void)
{
	char	lab[512], cmd[2048], *out;
	int	st;

	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	snprintf(cmd, sizeof(cmd), "cp %s " JD "/lab.log && touch -d "
	    "2026-12-01 " JD "/lab.log && tests/log2export.py --year 2026 < "
	    "%s | " REMOTE " -o " JDIR "/lab.journal - 2>&1", lab, lab);
	out = sh(cmd, &st);
	if (st != 0)
		fail_msg("%s: %s", cmd, out);
	free(out);
}

/* test_journal_scan_same - scan --journal decides what scan decides on
 * the text log; scanned again, nothing is counted twice */
static void
test_journal_scan_same(void **state)
{
	char	*out, *before, *after;

	(void)state;
	need_corpus();
	fresh();
	conf("firewall = off\n");
	lab_journal();
	assert_int_equal(cli(&out, "scan", "--no-enforce", "--db",
	    JD "/text.db", JD "/lab.log", NULL), 0);
	free(out);
	assert_int_equal(cli(&out, "scan", "--no-enforce", "--db",
	    JD "/journal.db", "--journal-file", JDIR "/lab.journal", NULL), 0);
	free(out);
	same_dump(JD "/journal.db", JD "/text.db", "scan --journal-file and "
	    "scan of the text log");
	/* The same file scanned again: resumed after its cursor, nothing
	 * read, nothing changed. */
	before = state_dump(JD "/journal.db");
	assert_int_equal(cli(&out, "scan", "--no-enforce", "--db",
	    JD "/journal.db", "--journal-file", JDIR "/lab.journal", NULL), 0);
	if (strstr(out, "resuming after the entry read last") == NULL ||
	    strstr(out, " 0 lines,") == NULL)
		fail_msg("a journal scanned again is not resumed: %s", out);
	free(out);
	after = state_dump(JD "/journal.db");
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* --since: the first time only from then on. */
	assert_int_equal(cli(&out, "scan", "--dry-run", "--db",
	    JD "/none.db", "--journal-directory", JDIR, "--since",
	    "2026-11-21 13:33:30", NULL), 0);
	if (strstr(out, " 0 lines,") != NULL || strstr(out, "6080 lines") !=
	    NULL)
		fail_msg("--since read all or nothing: %s", out);
	free(out);
	free(sh("rm -rf " JD, NULL));
}

/* test_journal_report_same - report --journal-file writes the report
 * report --log writes on the text log of the same lines */
static void
test_journal_report_same(void **state)
{
	static const char *const what[] = { "summary", "helo",
	    "fivefifties" };
	char	*a, *b;
	size_t	 i;

	(void)state;
	need_corpus();
	fresh();
	conf("");
	lab_journal();
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		assert_int_equal(cli(&a, "report", (char *)what[i],
		    "--from", "2026-11-21", "--until", "2026-11-22",
		    "--format", "json", "--host", "mx", "--log",
		    JD "/lab.log", NULL), 0);
		assert_int_equal(cli(&b, "report", (char *)what[i],
		    "--from", "2026-11-21", "--until", "2026-11-22",
		    "--format", "json", "--host", "mx", "--journal-file",
		    JDIR "/lab.journal", NULL), 0);
		assert_true(strlen(a) > 200);
		/* The same but for the source it names. */
		if (strstr(b, "\"source\":\"journal\"") != NULL) {
			char *s = strstr(b, "\"source\":\"journal\"");

			memmove(s + strlen("\"source\":\"logs\""), s +
			    strlen("\"source\":\"journal\""), strlen(s +
			    strlen("\"source\":\"journal\"")) + 1);
			memcpy(s, "\"source\":\"logs\"", strlen("\"source\":"
			    "\"logs\""));
		}
		if (strcmp(a, b) != 0) {
			put(JD "/a.json", a, "w");
			put(JD "/b.json", b, "w");
			fail_msg("report %s: --journal-file and --log differ: "
			    "diff " JD "/a.json " JD "/b.json", what[i]);
		}
		free(a);
		free(b);
	}
	free(sh("rm -rf " JD, NULL));
}

/* test_journal_run_refuses - a FIFO as mail_log, and --log -: refused
 * with what to do instead */
static void
test_journal_run_refuses(void **state)
{
	char	*out;

	(void)state;
	fresh();
	/* Refused before anything is touched: no table, no socket. */
	conf("log_source = file\nfirewall = off\n");
	assert_int_equal(mkfifo(JD "/mail.log", 0600), 0);
	assert_int_equal(cli(&out, "run", NULL), 66);
	if (strstr(out, "mail_log " JD "/mail.log is a FIFO") == NULL ||
	    strstr(out, "log_source = journal") == NULL ||
	    strstr(out, "scan -") == NULL)
		fail_msg("run on a FIFO: %s", out);
	free(out);
	{
		char	 cmd[512];
		int	 st;

		/* Under timeout: a regression would follow a file named "-"
		 * for ever. */
		snprintf(cmd, sizeof(cmd), "timeout 30 %s --log - run -c " JD
		    "/ff.conf 2>&1", bin_path());
		out = sh(cmd, &st);
		assert_int_equal(st, 64);
		if (strstr(out, "scan -") == NULL ||
		    strstr(out, "log_source = journal") == NULL)
			fail_msg("--log -: %s", out);
		free(out);
	}
	free(sh("rm -rf " JD, NULL));
}

#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    teardown)

const struct CMUnitTest journal_run_tests[] = {
	NS_TEST(test_journal_run_follow),
	NS_TEST(test_journal_run_kill9),
	NS_TEST(test_journal_run_vacuumed),
	NS_TEST(test_journal_run_auto),
	NS_TEST(test_journal_run_reload),
	cmocka_unit_test(test_journal_scan_same),
	cmocka_unit_test(test_journal_report_same),
	NS_TEST(test_journal_run_refuses),
};
const size_t journal_run_tests_count = sizeof(journal_run_tests) /
    sizeof(journal_run_tests[0]);

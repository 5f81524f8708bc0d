/*	$fivefifty: test_bounds.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_bounds 3 - floods of hostile lines: memory stays bounded,
 *	offenders are still caught, the daemon still answers
 * DESCRIPTION
 *	The flood shapes of bench/flood.c, scaled down, with small caps:
 *	- sessions never closed (smtpd connects, postscreen CONNECTs from
 *	  distinct [addr]:port) stay within their share of memory_limit;
 *	- rejects from distinct addresses keep the client table within
 *	  max_clients and within memory_limit; a client close to a ban is
 *	  not evicted for one-shot clients; a real five-fifty offender in
 *	  the middle of a flood is banned;
 *	- many distinct five-fifties stay within their share, and so do a
 *	  report's counts;
 *	- `fivefifty scan --dry-run --threads 2` over a flood of 150,000
 *	  rejects peaks under 64 MB (the child's VmHWM in /proc, read until
 *	  it exits);
 *	- `fivefifty run` fed a flood in its log answers `status` and exits
 *	  on SIGTERM (deadlines of 10 s; the times are printed, not checked).
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
#include "score/score.h"

#define DIR	"/tmp/fivefifty-bounds"

extern char **environ;

static long	proc_kb(pid_t, const char *);

/* flood_line - line i of a flood shape, RFC 3339 stamped, 1000 a second
 * of log time from 2026-01-01 */
static int
flood_line(char *buf, size_t len, const char *shape, unsigned long i)
{
	time_t		 t = 1767225600 + (time_t)(i / 1000);
	struct tm	 tm;
	char		 ts[64], a6[64];

	gmtime_r(&t, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06lu+00:00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (i % 1000) * 1000);
	snprintf(a6, sizeof(a6), "2001:db8:%lx:%lx::%lx", (i * 7919) & 0xffff,
	    (i >> 4) & 0xffff, i & 0xffff);
	if (strcmp(shape, "connect") == 0)
		return (snprintf(buf, len, "%s mx postfix/smtpd[%lu]: connect "
		    "from unknown[%s]", ts, 1000 + i, a6));
	if (strcmp(shape, "postscreen") == 0)
		return (snprintf(buf, len, "%s mx postfix/postscreen[7]: "
		    "CONNECT from [%s]:%lu to [192.0.2.25]:25", ts, a6,
		    1024 + i % 60000));
	if (strcmp(shape, "fivefifty") == 0)
		return (snprintf(buf, len, "%s mx postfix/smtpd[%lu]: NOQUEUE: "
		    "reject: RCPT from unknown[10.%lu.%lu.%lu]: 554 5.7.1 "
		    "<x%lu@example.org>: Relay access denied; "
		    "from=<s%lu@spam.example> to=<x%lu@example.org> "
		    "proto=ESMTP helo=<h.example>", ts, 1000 + i,
		    (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff, i, i, i));
	return (snprintf(buf, len, "%s mx postfix/smtpd[%lu]: NOQUEUE: "
	    "reject: RCPT from unknown[%s]: 550 5.1.1 <u%lu@example.org>: "
	    "Recipient address rejected: User unknown in local recipient "
	    "table; from=<a@b.example> to=<u%lu@example.org> proto=ESMTP "
	    "helo=<h.example>", ts, 1000 + i, a6, i, i));
}

/* feed - one line into the scorer (parsed); 0, or -1 if it is no event */
static int
feed(struct pf_parser *p, struct scorer *s, const char *line)
{
	struct pf_event	ev;

	if (pf_parse_line(p, line, strlen(line), &ev) != PF_EVENT)
		return (-1);
	scorer_event(s, &ev, pf_event_epoch(&ev));
	return (0);
}

/* flood - n lines of shape from line `from` on; lines that did not parse */
static int
flood(struct pf_parser *p, struct scorer *s, const char *shape,
    unsigned long from, unsigned long n)
{
	char		buf[1024];
	unsigned long	i;
	int		bad = 0;

	for (i = from; i < from + n; i++) {
		flood_line(buf, sizeof(buf), shape, i);
		bad += feed(p, s, buf) == -1;
	}
	return (bad);
}

/* small - the defaults with memory_limit MiB and max_clients */
static void
small(struct score_conf *c, size_t mib, size_t clients)
{
	score_conf_defaults(c);
	c->memory_limit = mib << 20;
	c->max_clients = clients;
}

/* test_bounds_sessions - never-closed sessions stay within their share */
static void
test_bounds_sessions(void **state)
{
	static const char *const shapes[] = { "connect", "postscreen" };
	struct score_conf c;
	struct pf_parser *p;
	struct scorer	*s;
	size_t		 k, most;

	(void)state;
	small(&c, 4, 100000);
	/* 1/16 of 4 MiB at about 1 KiB a session */
	most = (4 << 20) / 16 / 1024;
	for (k = 0; k < 2; k++) {
		p = parser_or_fail();
		s = scorer_new(&c);
		assert_non_null(s);
		assert_int_equal(flood(p, s, shapes[k], 0, 20000), 0);
		print_message("%s: 20000 sessions opened, %zu kept (at most "
		    "%zu)\n", shapes[k], scorer_nsessions(s), most);
		assert_true(scorer_nsessions(s) > 0);
		assert_true(scorer_nsessions(s) <= most);
		scorer_free(s);
		pf_parser_free(p);
	}
}

/* test_bounds_clients - rejects from distinct addresses: the table within
 * max_clients, and within memory_limit when that is the smaller bound */
static void
test_bounds_clients(void **state)
{
	struct score_conf c;
	struct pf_parser *p = parser_or_fail();
	struct scorer	*s;

	(void)state;
	small(&c, 64, 500);
	s = scorer_new(&c);
	assert_non_null(s);
	assert_int_equal(flood(p, s, "reject", 0, 20000), 0);
	print_message("max_clients 500: %zu clients\n", scorer_nclients(s));
	assert_true(scorer_nclients(s) <= 500);
	scorer_free(s);
	/* 3/4 of 4 MiB: a client with a remembered reject is about 1 KiB */
	small(&c, 4, 1000000);
	s = scorer_new(&c);
	assert_non_null(s);
	assert_int_equal(flood(p, s, "reject", 0, 20000), 0);
	print_message("memory_limit 4 MiB: %zu clients\n", scorer_nclients(s));
	assert_true(scorer_nclients(s) > 100);
	assert_true(scorer_nclients(s) <= 3 * 1024);
	scorer_free(s);
	pf_parser_free(p);
}

/* relay - a relay attempt of ip in its own session, at second sec */
static void
relay(struct pf_parser *p, struct scorer *s, const char *ip, int pid,
    int sec)
{
	char	buf[1024];

	/* a recipient of its own: no retry of the same attempt */
	snprintf(buf, sizeof(buf), "2026-01-01T00:00:%02d.000000+00:00 mx "
	    "postfix/smtpd[%d]: NOQUEUE: reject: RCPT from unknown[%s]: 554 "
	    "5.7.1 <x%d@elsewhere.example>: Relay access denied; "
	    "from=<a@b.example> to=<x%d@elsewhere.example> proto=ESMTP "
	    "helo=<h.example>", sec, pid, ip, pid, pid);
	assert_int_equal(feed(p, s, buf), 0);
}

/* test_bounds_stake - a client close to a ban outlives a flood of
 * one-shot clients */
static void
test_bounds_stake(void **state)
{
	struct score_conf c;
	struct pf_parser *p = parser_or_fail();
	struct scorer	*s;
	double		 before, after;

	(void)state;
	small(&c, 64, 500);
	s = scorer_new(&c);
	assert_non_null(s);
	relay(p, s, "192.0.2.77", 90001, 0);
	relay(p, s, "192.0.2.77", 90002, 0);
	relay(p, s, "192.0.2.77", 90003, 0);
	before = scorer_score(s, "192.0.2.77", 1767225600);
	assert_true(before > 5 && before < c.ban_threshold);
	assert_int_equal(flood(p, s, "reject", 0, 20000), 0);
	after = scorer_score(s, "192.0.2.77", 1767225600 + 20);
	print_message("score %.2f before 20000 one-shot clients, %.2f after "
	    "(%zu clients, %zu sessions kept)\n", before, after,
	    scorer_nclients(s), scorer_nsessions(s));
	/* the flood was bounded (its sessions ended early, its clients
	 * evicted), and not at the cost of the client at stake */
	assert_true(scorer_nsessions(s) <= (64 << 20) / 16 / 1024);
	assert_true(scorer_nclients(s) <= 500);
	assert_true(after > 5);
	assert_false(scorer_banned(s, "192.0.2.77", 1767225620));
	scorer_free(s);
	pf_parser_free(p);
}

/* offender - a whole five-fifty session of the offender at line i */
static void
offender(struct pf_parser *p, struct scorer *s, unsigned long i, int pid,
    int part)
{
	char		 buf[1024], ts[64];
	time_t		 t = 1767225600 + (time_t)(i / 1000);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000000+00:00", &tm);
	if (part == 0)
		snprintf(buf, sizeof(buf), "%s mx postfix/smtpd[%d]: connect "
		    "from unknown[203.0.113.9]", ts, pid);
	else if (part == 1)
		snprintf(buf, sizeof(buf), "%s mx postfix/smtpd[%d]: NOQUEUE: "
		    "reject: RCPT from unknown[203.0.113.9]: 550 5.1.1 "
		    "<nobody@example.org>: Recipient address rejected: User "
		    "unknown in local recipient table; from=<spam@spam.example> "
		    "to=<nobody@example.org> proto=ESMTP helo=<spam.example>",
		    ts, pid);
	else
		snprintf(buf, sizeof(buf), "%s mx postfix/smtpd[%d]: "
		    "disconnect from unknown[203.0.113.9] ehlo=1 mail=1 "
		    "rcpt=0/1 quit=1 commands=3/4", ts, pid);
	assert_int_equal(feed(p, s, buf), 0);
}

/* test_bounds_offender - a five-fifty offender in the middle of floods of
 * open sessions and one-shot clients is banned */
static void
test_bounds_offender(void **state)
{
	static const char *const shapes[] = { "connect", "reject" };
	struct score_conf c;
	struct score_decision d;
	struct pf_parser *p;
	struct scorer	*s;
	unsigned long	 i = 0;
	size_t		 k;
	int		 n, part, found;

	(void)state;
	for (k = 0; k < 2; k++) {
		p = parser_or_fail();
		small(&c, 4, 5000);
		s = scorer_new(&c);
		assert_non_null(s);
		found = 0;
		/* Four sessions, each line 600 flood lines apart: more than
		 * the sessions kept (each is ended early, its rest is a
		 * continuation), fewer than the clients kept. */
		for (n = 0; n < 4; n++)
			for (part = 0; part < 3; part++) {
				offender(p, s, i, 50000 + n, part);
				assert_int_equal(flood(p, s, shapes[k], i,
				    600), 0);
				i += 600;
				while (scorer_decision(s, &d) == 1)
					found += strcmp(d.addr,
					    "203.0.113.9") == 0;
			}
		print_message("%s flood: offender banned %d time(s), %zu "
		    "sessions, %zu clients\n", shapes[k], found,
		    scorer_nsessions(s), scorer_nclients(s));
		assert_true(scorer_nsessions(s) <= (4 << 20) / 16 / 1024);
		assert_int_equal(found, 1);
		assert_true(scorer_banned(s, "203.0.113.9", 1767225600 +
		    (long long)(i / 1000)));
		scorer_free(s);
		pf_parser_free(p);
	}
}

/* test_bounds_fivefifties - distinct five-fifties stay within their share
 * (reports' memory) */
static void
test_bounds_fivefifties(void **state)
{
	struct score_conf c;
	struct pf_parser *p = parser_or_fail();
	struct scorer	*s;

	(void)state;
	small(&c, 4, 1000000);
	s = scorer_new(&c);
	assert_non_null(s);
	scorer_facts(s, 0, 1LL << 40);	/* as a report from logs */
	assert_int_equal(flood(p, s, "fivefifty", 0, 20000), 0);
	scorer_flush(s, 1767225600 + 7200);	/* sessions end */
	print_message("20000 five-fifties, %zu kept\n", scorer_nffs(s));
	assert_true(scorer_nffs(s) > 0);
	/* 1/16 of 4 MiB at more than 100 bytes an entry */
	assert_true(scorer_nffs(s) <= (4 << 20) / 16 / 100);
	scorer_free(s);
	pf_parser_free(p);
}

/* count_fact - scorer_each_fact's callback: count them */
static void
count_fact(void *arg, const struct score_fact *f)
{
	(void)f;
	(*(size_t *)arg)++;
}

/* test_bounds_report_counts - a report's counts of a flood of distinct
 * clients, recipients and HELOs stay within half of memory_limit */
static void
test_bounds_report_counts(void **state)
{
	struct score_conf c;
	struct pf_parser *p = parser_or_fail();
	struct scorer	*s;
	size_t		 n = 0;

	(void)state;
	small(&c, 4, 1000000);
	s = scorer_new(&c);
	assert_non_null(s);
	scorer_facts(s, 0, 1LL << 40);	/* as a report from logs */
	assert_int_equal(flood(p, s, "reject", 0, 20000), 0);
	scorer_each_fact(s, count_fact, &n);
	print_message("20000 rejects (80000 distinct counts): %zu kept, %llu "
	    "occurrences left out\n", n, scorer_facts_dropped(s));
	assert_true(n > 0);
	/* half of 4 MiB, at more than 100 bytes a count */
	assert_true(n <= (2 << 20) / 100);
	assert_true(scorer_facts_dropped(s) > 0);
	scorer_free(s);
	pf_parser_free(p);
}

/* write_flood - a file of n lines of shape */
static void
write_flood(const char *path, const char *shape, unsigned long from,
    unsigned long n, const char *mode)
{
	FILE		*fp = fopen(path, mode);
	char		 buf[1024];
	unsigned long	 i;

	assert_non_null(fp);
	for (i = from; i < from + n; i++) {
		flood_line(buf, sizeof(buf), shape, i);
		fprintf(fp, "%s\n", buf);
	}
	assert_int_equal(fclose(fp), 0);
}

/* spawn - argv in the background, output to path; its pid */
static pid_t
spawn(char *const argv[], const char *out)
{
	posix_spawn_file_actions_t fa;
	pid_t		 pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, out, O_WRONLY | O_CREAT |
	    O_APPEND, 0644);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	return (pid);
}

/* ms_now - the monotonic clock in ms */
static long
ms_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* test_bounds_scan_rss - scan --dry-run over a flood peaks under 64 MB */
static void
test_bounds_scan_rss(void **state)
{
	/* Two parsing threads whatever the machine: each thread's parser
	 * and chunks are memory of their own (parse/par.c), bounded too. */
	char		*argv[] = { (char *)bin_path(), "scan", "-c",
	    DIR "/ff.conf", "--dry-run", "--db", DIR "/none.db",
	    "--threads", "2", DIR "/flood.log", NULL };
	const char	*old = getenv("ASAN_OPTIONS");
	char		 asan[512];
	pid_t		 pid;
	long		 t0, kb, hwm = 0;
	int		 st;
	FILE		*fp;

	(void)state;
	free(sh("rm -rf " DIR " && mkdir -p " DIR, NULL));
	assert_non_null(fp = fopen(DIR "/ff.conf", "w"));
	/* The sanitizers' redzones double small allocations: a smaller
	 * limit than the default keeps the test about the program's own
	 * bound (the full-size release figures are in the README). */
	fputs("memory_limit = 12\nfirewall = off\naccess_map =\n", fp);
	fclose(fp);
	write_flood(DIR "/flood.log", "reject", 0, 150000, "w");
	/* Freed memory is not held in ASan's quarantine for this child. */
	snprintf(asan, sizeof(asan), "%s%squarantine_size_mb=1",
	    old != NULL ? old : "", old != NULL ? ":" : "");
	setenv("ASAN_OPTIONS", asan, 1);
	t0 = ms_now();
	pid = spawn(argv, DIR "/scan.err");
	if (old != NULL)
		setenv("ASAN_OPTIONS", old, 1);
	else
		unsetenv("ASAN_OPTIONS");
	assert_true(pid > 0);
	/* VmHWM only grows: its last reading before the exit is the peak
	 * (give or take the last 10 ms; the end of a scan frees, it does
	 * not grow). rusage would not do: a spawned child's ru_maxrss
	 * counts the parent's memory it started from. */
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if ((kb = proc_kb(pid, "VmHWM:")) > hwm)
			hwm = kb;
		usleep(10000);
	}
	print_message("scan --dry-run, 150000 rejects from distinct pids and "
	    "IPv6 addresses: %.1f s, peak RSS (VmHWM) %.1f MB\n",
	    (double)(ms_now() - t0) / 1000, (double)hwm / 1024);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(hwm > 0);
	assert_true(hwm < 64 * 1024);
	free(sh("rm -rf " DIR, NULL));
}

/* status_ok - `fivefifty status` answers (0) within the deadline; ms */
static long
status_ok(long deadline_ms, char **out)
{
	char		*argv[] = { (char *)bin_path(), "status", "-c",
	    DIR "/ff.conf", NULL };
	struct run_result r;
	long		 t0 = ms_now();

	*out = NULL;
	if (run_cmd(argv, NULL, 0, &r) != 0)
		return (-1);
	if (r.status == 0 && ms_now() - t0 <= deadline_ms)
		*out = strdup(r.out);
	run_free(&r);
	return (*out != NULL ? ms_now() - t0 : -1);
}

/* proc_kb - a "Vm...: N kB" field of /proc/PID/status */
static long
proc_kb(pid_t pid, const char *field)
{
	char	 path[64], line[256];
	long	 v = -1;
	FILE	*fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(fp);
	return (v);
}

/* test_bounds_daemon - a flood in the followed log: status answers,
 * SIGTERM ends the daemon */
static void
test_bounds_daemon(void **state)
{
	char		*argv[] = { (char *)bin_path(), "run", "-c",
	    DIR "/ff.conf", NULL };
	char		*out = NULL, *lines;
	const char	*old = getenv("ASAN_OPTIONS");
	char		 asan[512];
	long		 ms = -1, t0, hwm;
	pid_t		 pid;
	int		 i, st = 0, done = 0;
	FILE		*fp;

	(void)state;
	free(sh("rm -rf " DIR " && mkdir -p " DIR " && : > " DIR "/mail.log",
	    NULL));
	assert_non_null(fp = fopen(DIR "/ff.conf", "w"));
	fputs("state_db = " DIR "/ff.db\nlog_source = file\n"
	    "mail_log = " DIR "/mail.log\n"
	    "user =\ncontrol_socket = " DIR "/ctl.sock\ncontrol_group =\n"
	    "firewall = off\naccess_map =\nmemory_limit = 12\n", fp);
	fclose(fp);
	snprintf(asan, sizeof(asan), "%s%squarantine_size_mb=1",
	    old != NULL ? old : "", old != NULL ? ":" : "");
	setenv("ASAN_OPTIONS", asan, 1);
	pid = spawn(argv, DIR "/daemon.log");
	if (old != NULL)
		setenv("ASAN_OPTIONS", old, 1);
	else
		unsetenv("ASAN_OPTIONS");
	assert_true(pid > 0);
	for (i = 0; i < 1000 && status_ok(10000, &out) == -1; i++)
		usleep(10000);
	assert_non_null(out);	/* ready */
	free(out);
	/* The flood: open sessions and one-shot clients, all at once. */
	write_flood(DIR "/mail.log", "reject", 0, 200000, "a");
	write_flood(DIR "/mail.log", "connect", 200000, 100000, "a");
	usleep(300000);
	ms = status_ok(10000, &out);
	lines = out != NULL ? strstr(out, "lines ") : NULL;
	hwm = proc_kb(pid, "VmHWM:");
	print_message("during the flood: status answered in %ld ms (%.*s "
	    "of 300000 read), VmHWM %ld kB\n", ms, lines != NULL ?
	    (int)strcspn(lines, "\n") : 1, lines != NULL ? lines : "?", hwm);
	free(out);
	t0 = ms_now();
	assert_int_equal(kill(pid, SIGTERM), 0);
	while (ms_now() - t0 < 10000)
		if (waitpid(pid, &st, WNOHANG) == pid) {
			done = 1;
			break;
		} else
			usleep(10000);
	print_message("SIGTERM during the flood: %s after %ld ms\n", done ?
	    "exited" : "still running", ms_now() - t0);
	if (!done) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	assert_true(ms >= 0);
	assert_true(done);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(sh("rm -rf " DIR, NULL));
}

const struct CMUnitTest bounds_tests[] = {
	cmocka_unit_test(test_bounds_sessions),
	cmocka_unit_test(test_bounds_clients),
	cmocka_unit_test(test_bounds_stake),
	cmocka_unit_test(test_bounds_offender),
	cmocka_unit_test(test_bounds_fivefifties),
	cmocka_unit_test(test_bounds_report_counts),
	cmocka_unit_test(test_bounds_scan_rss),
	cmocka_unit_test(test_bounds_daemon),
};
const size_t bounds_tests_count = sizeof(bounds_tests) /
    sizeof(bounds_tests[0]);

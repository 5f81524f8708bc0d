/*	$fivefifty: test_journal.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_journal 3 - the journal source on real journal files
 * DESCRIPTION
 *	The journal files are written by the real systemd-journal-remote
 *	(journal_append(), helpers.c) and read through tailer/journal.c:
 *	the line's shape (host, identifier, pid, _COMM and _PID, the stamp
 *	with its offset, messages with line ends, NUL bytes, over the cap,
 *	without MESSAGE) and what the parser makes of it; the default match
 *	and a custom one with "+", the match syntax; placement (from the
 *	start, at the end, since a time, after a stored cursor across
 *	restarts, after a cursor whose file was deleted); following entries
 *	appended to the file and written to a new file of the directory
 *	(woken by poll(2) on journal_fd(), with a generous deadline: no
 *	sleeps); the file renamed away as journald rotates it, and deleted
 *	under the reader, the position unmoved; the read budget; and the
 *	errors (missing, unreadable as nobody, not a journal, the system
 *	journal absent), each naming its object.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "tailer/tailer.h"

#define T0	(1795000000ULL * 1000000)	/* 2026-11-18, usec */
#define SEC	1000000ULL
#define WAIT_MS	20000				/* a generous deadline */

struct got {
	struct journal	*j;
	char		**line;
	size_t		*len;
	struct journal_pos *pos;	/* journal_position() in the callback */
	int		 n, cap;
	int		 fail_at;	/* cb fails at this entry (0: never) */
};

/* collect - a tail_cb keeping copies of the lines and their positions */
static int
collect(void *arg, const struct tail_line *tl)
{
	struct got	*g = arg;

	assert_string_equal(tl->path, "journal");
	assert_int_equal(tl->file, 7);
	assert_int_equal(tl->pos.off, 0);
	if (g->n == g->cap) {
		g->cap = g->cap * 2 + 16;
		g->line = realloc(g->line, (size_t)g->cap * sizeof(*g->line));
		g->len = realloc(g->len, (size_t)g->cap * sizeof(*g->len));
		g->pos = realloc(g->pos, (size_t)g->cap * sizeof(*g->pos));
		assert_non_null(g->line);
		assert_non_null(g->len);
		assert_non_null(g->pos);
	}
	g->line[g->n] = malloc(tl->len + 1);
	assert_non_null(g->line[g->n]);
	memcpy(g->line[g->n], tl->line, tl->len);
	g->line[g->n][tl->len] = '\0';
	g->len[g->n] = tl->len;
	assert_int_equal(journal_position(g->j, &g->pos[g->n]), 1);
	g->n++;
	return (g->fail_at == g->n ? -1 : 0);
}

/* got_free - release collected lines */
static void
got_free(struct got *g)
{
	int		i;

	for (i = 0; i < g->n; i++)
		free(g->line[i]);
	free(g->line);
	free(g->len);
	free(g->pos);
	memset(g, 0, sizeof(*g));
}

/* expect_n - g holds n lines, or the test fails showing what it holds */
static void
expect_n(const struct got *g, int n)
{
	int		i;

	if (g->n == n)
		return;
	for (i = 0; i < g->n; i++)
		print_error("line %d: %.200s\n", i, g->line[i]);
	fail_msg("%d lines, not %d", g->n, n);
}

/* ms_since - milliseconds since t0 */
static int
ms_since(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((int)((now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000));
}

/* pump - poll journal_fd() and read until g holds want lines, or the
 * deadline passes; how many times poll said the descriptor was ready */
static int
pump(struct journal *j, struct got *g, int want)
{
	struct pollfd	pfd = { journal_fd(j), POLLIN, 0 };
	struct timespec	t0;
	int		timeout, woken = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (g->n < want) {
		if ((timeout = WAIT_MS - ms_since(&t0)) <= 0)
			break;
		if (journal_timeout(j) >= 0 && journal_timeout(j) < timeout)
			timeout = journal_timeout(j);
		if (poll(&pfd, 1, timeout) == 1)
			woken++;
		assert_true(journal_read(j, collect, g, 0) >= 0);
	}
	return (woken);
}

/* tmpdir - a fresh directory */
static void
tmpdir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/fivefifty-journal-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

/* rmtree - remove a test directory */
static void
rmtree(const char *dir)
{
	char	*argv[] = { "/bin/rm", "-rf", (char *)dir, NULL };
	struct run_result r;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	run_free(&r);
}

/* open_or_fail - journal_open() that fails the test with its reason */
static struct journal *
open_or_fail(const struct journal_opts *o)
{
	struct journal	*j;
	char		 err[1024];

	if ((j = journal_open(o, err, sizeof(err))) == NULL)
		fail_msg("journal_open: %s", err);
	return (j);
}

/* file_opts - options reading the one file f from the start */
static struct journal_opts
file_opts(const char **f)
{
	struct journal_opts o;

	memset(&o, 0, sizeof(o));
	o.files = f;
	o.nfiles = 1;
	o.from_start = 1;
	o.file = 7;
	return (o);
}

/* stamp - what the line's stamp must be: strftime's view of usec */
static void
stamp(unsigned long long usec, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)(usec / SEC);
	char		z[8], d[32];

	assert_non_null(localtime_r(&t, &tm));
	strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(z, sizeof(z), "%z", &tm);		/* +0530 */
	snprintf(buf, len, "%s.%06llu%.3s:%s", d, usec % SEC, z, z + 3);
}

/* n_entries - n mail entries "msg I" at T0 + base + I seconds */
static void
n_entries(const char *file, int base, int n)
{
	struct jentry	*e;
	char		(*msg)[32];
	int		 i;

	e = calloc((size_t)n, sizeof(*e));
	msg = calloc((size_t)n, sizeof(*msg));
	assert_non_null(e);
	assert_non_null(msg);
	for (i = 0; i < n; i++) {
		snprintf(msg[i], sizeof(msg[i]), "msg %d", base + i);
		e[i].realtime = T0 + (unsigned long long)(base + i) * SEC;
		e[i].host = "mx";
		e[i].ident = "postfix/smtpd";
		e[i].pid = 1000 + base + i;
		e[i].message = msg[i];
		e[i].fields[0] = JENTRY_MAIL;
	}
	assert_int_equal(journal_append(file, e, n), 0);
	free(e);
	free(msg);
}

/* msg_of - the "msg I" number at the end of a line, -1 if none */
static int
msg_of(const char *line)
{
	const char	*p = strstr(line, ": msg ");

	return (p == NULL ? -1 : atoi(p + 6));
}

/* append_read - n entries "msg base.." appended to file while g.j
 * follows it: all of them read, in order */
static void
append_read(struct got *g, const char *file, int base, int n)
{
	int	i;

	n_entries(file, base, n);
	pump(g->j, g, n);
	expect_n(g, n);
	for (i = 0; i < n; i++)
		assert_int_equal(msg_of(g->line[i]), base + i);
}

/* test_journal_line - the line: stamp, host, ident, pid, message bytes */
static void
test_journal_line(void **state)
{
	static char	 huge[100000];
	const char	*tz = getenv("TZ"), *files[1];
	char		 dir[64], file[128], want[256], st[64], *old_tz;
	struct journal_opts o;
	struct journal_stats js;
	struct pf_parser *p;
	struct pf_event	 ev;
	struct got	 g;
	size_t		 i, pre;
	struct jentry	 e[] = {
		{ .realtime = T0 + 123456, .host = "mx1",
		  .ident = "postfix/smtpd", .pid = 42,
		  .message = "connect from a.example[192.0.2.1]",
		  .fields = { JENTRY_MAIL } },
		{ .realtime = T0 + SEC, .host = "mx1",
		  .ident = "postfix/postscreen",
		  .message = "CONNECT from [192.0.2.2]:4321 to [192.0.2.9]:25",
		  .fields = { JENTRY_MAIL } },
		{ .realtime = T0 + 2 * SEC, .host = "mx1",
		  .message = "from _COMM and _PID",
		  .fields = { JENTRY_MAIL, "_COMM=smtpd", "_PID=77" } },
		{ .realtime = T0 + 3 * SEC, .host = "mx1",
		  .ident = "postfix/smtpd", .pid = 43,
		  .message = "two\nlines\r\nand a\0NUL", .msglen = 21,
		  .fields = { JENTRY_MAIL } },
		{ .realtime = T0 + 4 * SEC, .host = "mx1",
		  .ident = "postfix/smtpd", .pid = 44, .message = huge,
		  .msglen = sizeof(huge), .fields = { JENTRY_MAIL } },
		{ .realtime = T0 + 5 * SEC, .host = "mx1",
		  .ident = "postfix/smtpd", .pid = 45,
		  .fields = { JENTRY_MAIL } },		/* no MESSAGE */
		{ .realtime = T0 + 6 * SEC, .host = "bad host",
		  .ident = "post\tfix", .message = "",
		  .fields = { JENTRY_MAIL, "SYSLOG_PID=4x" } },
		{ .realtime = T0 + 7 * SEC,
		  .message = "no host, no ident", .fields = { JENTRY_MAIL } },
	};

	(void)state;
	for (i = 0; i < sizeof(huge); i++)
		huge[i] = (char)('a' + i % 26);
	/* A zone with a half-hour offset, east of UTC: +05:30. */
	old_tz = tz != NULL ? strdup(tz) : NULL;
	setenv("TZ", "XST-5:30", 1);
	tzset();
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	assert_int_equal(journal_append(file, e, 8), 0);
	files[0] = file;
	o = file_opts(files);
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	journal_read(g.j, collect, &g, 0);
	expect_n(&g, 7);
	journal_stats(g.j, &js);
	assert_int_equal(js.entries, 7);
	assert_int_equal(js.skipped, 1);
	assert_int_equal(js.cut, 1);
	assert_int_equal(js.cursor_lost, 0);
	snprintf(want, sizeof(want), "file %s", file);
	assert_string_equal(js.source, want);

	stamp(T0 + 123456, st, sizeof(st));
	assert_non_null(strstr(st, ".123456+05:30"));
	snprintf(want, sizeof(want), "%s mx1 postfix/smtpd[42]: connect from "
	    "a.example[192.0.2.1]", st);
	assert_string_equal(g.line[0], want);
	stamp(T0 + SEC, st, sizeof(st));
	snprintf(want, sizeof(want), "%s mx1 postfix/postscreen: CONNECT from "
	    "[192.0.2.2]:4321 to [192.0.2.9]:25", st);
	assert_string_equal(g.line[1], want);
	stamp(T0 + 2 * SEC, st, sizeof(st));
	snprintf(want, sizeof(want), "%s mx1 smtpd[77]: from _COMM and _PID",
	    st);
	assert_string_equal(g.line[2], want);
	/* Line ends become spaces; the NUL is data, delivered with it. */
	stamp(T0 + 3 * SEC, st, sizeof(st));
	pre = (size_t)snprintf(want, sizeof(want), "%s mx1 postfix/smtpd[43]: ",
	    st);
	assert_int_equal(g.len[3], pre + 21);
	assert_memory_equal(g.line[3], want, pre);
	assert_memory_equal(g.line[3] + pre, "two lines  and a\0NUL", 21);
	/* Cut at the cap, the bytes it keeps are the message's first. */
	stamp(T0 + 4 * SEC, st, sizeof(st));
	pre = (size_t)snprintf(want, sizeof(want), "%s mx1 postfix/smtpd[44]: ",
	    st);
	assert_int_equal(g.len[4], pre + LINES_MAX_DEFAULT);
	assert_memory_equal(g.line[4] + pre, huge, LINES_MAX_DEFAULT);
	/* Words stay words; a pid that is no number is none. */
	stamp(T0 + 6 * SEC, st, sizeof(st));
	snprintf(want, sizeof(want), "%s bad_host post_fix: ", st);
	assert_string_equal(g.line[5], want);
	stamp(T0 + 7 * SEC, st, sizeof(st));
	snprintf(want, sizeof(want), "%s - -: no host, no ident", st);
	assert_string_equal(g.line[6], want);

	/* The parser reads the lines: stamp with its offset, host, pid. */
	p = parser_or_fail();
	assert_int_equal(pf_parse_line(p, g.line[0], g.len[0], &ev), PF_EVENT);
	assert_int_equal(ev.kind, PF_EV_CONNECT);
	assert_string_equal(ev.client_ip, "192.0.2.1");
	assert_true(pf_span_eq(ev.host, "mx1"));
	assert_true(pf_span_eq(ev.program, "smtpd"));
	assert_int_equal(ev.pid, 42);
	assert_int_equal(ev.time.usec, 123456);
	assert_int_equal(ev.time.has_offset, 1);
	assert_int_equal(ev.time.offset_min, 5 * 60 + 30);
	assert_int_equal(pf_event_epoch(&ev), (long long)(T0 / SEC));
	assert_int_equal(pf_parse_line(p, g.line[1], g.len[1], &ev), PF_EVENT);
	assert_string_equal(ev.client_ip, "192.0.2.2");
	assert_int_equal(ev.pid, -1);
	assert_int_equal(pf_event_epoch(&ev), (long long)(T0 / SEC) + 1);
	pf_parser_free(p);

	journal_free(g.j);
	got_free(&g);
	rmtree(dir);
	if (old_tz != NULL)
		setenv("TZ", old_tz, 1);
	else
		unsetenv("TZ");
	free(old_tz);
	tzset();
}

/* test_journal_default_match - every Postfix instance, nothing else */
static void
test_journal_default_match(void **state)
{
	const char	*files[1];
	char		 dir[64], file[128];
	struct journal_opts o;
	struct journal_stats js;
	struct got	 g;
	struct jentry	 e[] = {
		{ .realtime = T0 + 1, .host = "mx", .ident = "postfix-out/smtp",
		  .pid = 1, .message = "msg 1", .fields = { JENTRY_MAIL } },
		{ .realtime = T0 + 2, .host = "mx", .ident = "sshd", .pid = 2,
		  .message = "not mail", .fields = { "SYSLOG_FACILITY=4",
		  "_SYSTEMD_UNIT=ssh.service",
		  "_SYSTEMD_SLICE=system.slice" } },
		{ .realtime = T0 + 3, .host = "mx", .ident = "postfix/smtpd",
		  .pid = 3, .message = "msg 3",
		  .fields = { "SYSLOG_FACILITY=3",
		  "_SYSTEMD_UNIT=postfix@out.service",
		  "_SYSTEMD_SLICE=system-postfix.slice" } },
		{ .realtime = T0 + 4, .host = "mx", .ident = "CRON", .pid = 4,
		  .message = "not mail either",
		  .fields = { "SYSLOG_FACILITY=9" } },
		{ .realtime = T0 + 5, .host = "mx", .ident = "postfix/master",
		  .pid = 5, .message = "msg 5", .fields = { "SYSLOG_FACILITY=3",
		  "_SYSTEMD_UNIT=postfix.service" } },
		{ .realtime = T0 + 6, .host = "mx", .ident = "postfix/qmgr",
		  .pid = 6, .message = "msg 6", .fields = { JENTRY_MAIL,
		  "_SYSTEMD_UNIT=postfix@-.service" } },
	};

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	assert_int_equal(journal_append(file, e, 6), 0);
	files[0] = file;
	o = file_opts(files);
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 4);
	assert_int_equal(msg_of(g.line[0]), 1);
	assert_non_null(strstr(g.line[0], " postfix-out/smtp[1]: "));
	assert_int_equal(msg_of(g.line[1]), 3);
	assert_int_equal(msg_of(g.line[2]), 5);
	assert_int_equal(msg_of(g.line[3]), 6);
	journal_stats(g.j, &js);
	assert_int_equal(js.entries, 4);
	assert_int_equal(js.skipped, 0);	/* unmatched is not skipped */
	journal_free(g.j);
	got_free(&g);
	rmtree(dir);
}

/* test_journal_custom_match - terms ANDed, "+" between alternatives */
static void
test_journal_custom_match(void **state)
{
	const char	*files[1];
	char		 dir[64], file[128], err[256];
	struct journal_opts o;
	struct got	 g;
	struct jentry	 e[] = {
		{ .realtime = T0 + 1, .host = "mx", .ident = "x",
		  .message = "msg 1", .fields = { "_SYSTEMD_UNIT=a.service" } },
		{ .realtime = T0 + 2, .host = "mx", .ident = "y",
		  .message = "msg 2", .fields = { "_SYSTEMD_UNIT=a.service" } },
		{ .realtime = T0 + 3, .host = "mx", .ident = "z",
		  .message = "msg 3", .fields = { "_SYSTEMD_UNIT=b.service" } },
		{ .realtime = T0 + 4, .host = "mx", .ident = "x",
		  .message = "msg 4", .fields = { "_SYSTEMD_UNIT=c.service" } },
		{ .realtime = T0 + 5, .host = "mx", .ident = "w",
		  .message = "msg 5", .fields = { "_SYSTEMD_UNIT=a.service" } },
		{ .realtime = T0 + 6, .host = "mx", .ident = "postfix/smtpd",
		  .message = "msg 6", .fields = { JENTRY_MAIL } },
	};

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	assert_int_equal(journal_append(file, e, 6), 0);
	files[0] = file;
	o = file_opts(files);
	/* Two terms of one field in one alternative: either will do. */
	o.match = "  _SYSTEMD_UNIT=a.service\tSYSLOG_IDENTIFIER=x "
	    "SYSLOG_IDENTIFIER=w +  _SYSTEMD_UNIT=b.service ";
	assert_int_equal(journal_match_check(o.match, err, sizeof(err)), 0);
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 3);
	assert_int_equal(msg_of(g.line[0]), 1);
	assert_int_equal(msg_of(g.line[1]), 3);
	assert_int_equal(msg_of(g.line[2]), 5);
	journal_free(g.j);
	got_free(&g);

	/* "" is the default match: the mail entry only. */
	o.match = "";
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 1);
	assert_int_equal(msg_of(g.line[0]), 6);
	journal_free(g.j);
	got_free(&g);

	/* A bad match: no journal, and the term named. */
	o.match = "SYSLOG_FACILITY=2 + unit=postfix.service";
	assert_null(journal_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "\"unit=postfix.service\""));
	rmtree(dir);
}

/* test_journal_match_check - the syntax, without a journal */
static void
test_journal_match_check(void **state)
{
	static const char *const good[] = {
		"", "   ", JOURNAL_MATCH_DEFAULT, "A=b", "MESSAGE=",
		"_PID=1 + _UID=0", "FOO=a=b", "X_1=y+z", "_SYSTEMD_UNIT=a B=",
	};
	static const struct {
		const char *match, *named;
	} bad[] = {
		{ "foo=bar", "\"foo=bar\"" },
		{ "A=1 Foo=2", "\"Foo=2\"" },
		{ "1A=x", "\"1A=x\"" },
		{ "__CURSOR=x", "\"__CURSOR=x\"" },
		{ "NOEQUALS", "\"NOEQUALS\"" },
		{ "=x", "\"=x\"" },
		{ "A-B=x", "\"A-B=x\"" },
		{ "+ A=b", "\"+\" with no term before" },
		{ "A=b +", "\"+\" with no term after" },
		{ "A=b + + C=d", "\"+\" with no term before" },
		{ "A=b+ C=d", NULL },		/* "+" glued: a value */
	};
	char		 err[256], big[JOURNAL_MATCH_MAX + 8], name[80];
	size_t		 i;

	(void)state;
	assert_int_equal(journal_match_check(NULL, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (journal_match_check(good[i], err, sizeof(err)) != 0)
			fail_msg("\"%s\" refused: %s", good[i], err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (bad[i].named == NULL) {
			assert_int_equal(journal_match_check(bad[i].match, err,
			    sizeof(err)), 0);
			continue;
		}
		if (journal_match_check(bad[i].match, err, sizeof(err)) != -1)
			fail_msg("\"%s\" accepted", bad[i].match);
		if (strstr(err, bad[i].named) == NULL)
			fail_msg("\"%s\": %s (does not name %s)", bad[i].match,
			    err, bad[i].named);
	}
	/* A field name of 64 bytes is the journal's longest. */
	memset(name, 'A', 64);
	memcpy(name + 64, "=x", 3);
	assert_int_equal(journal_match_check(name, err, sizeof(err)), 0);
	memcpy(name + 64, "A=x", 4);
	assert_int_equal(journal_match_check(name, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than 64"));
	memset(big, 'A', sizeof(big) - 3);
	memcpy(big + sizeof(big) - 3, "=x", 3);
	big[1] = '=';
	assert_int_equal(journal_match_check(big, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
}

/* test_journal_placement - from the start, since a time, at the end */
static void
test_journal_placement(void **state)
{
	const char	*files[1];
	char		 dir[64], file[128];
	struct journal_opts o;
	struct journal_pos pos;
	struct got	 g;
	struct jentry	 other[] = {
		{ .realtime = T0 + 100 * SEC, .host = "mx", .ident = "sshd",
		  .message = "not mail", .fields = { "SYSLOG_FACILITY=4" } },
	};
	int		 i;

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	n_entries(file, 1, 5);			/* msg 1..5 */
	files[0] = file;
	o = file_opts(files);

	/* from_start: all of them; nothing is placed before them. */
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_position(g.j, &pos), 0);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(msg_of(g.line[i]), i + 1);
		assert_int_equal(g.pos[i].realtime, T0 + (unsigned)(i + 1) *
		    SEC);
	}
	journal_free(g.j);
	got_free(&g);

	/* since_usec: at or after it. */
	o.since_usec = T0 + 3 * SEC;
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_position(g.j, &pos), 0);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 3);
	assert_int_equal(msg_of(g.line[0]), 3);
	assert_int_equal(msg_of(g.line[2]), 5);
	journal_free(g.j);
	got_free(&g);

	/* At the end: nothing now, the newest is the position, and what
	 * comes is read. */
	o.since_usec = 0;
	o.from_start = 0;
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_position(g.j, &pos), 1);
	assert_int_equal(pos.realtime, T0 + 5 * SEC);
	assert_true(pos.cursor[0] != '\0');
	assert_int_equal(journal_read(g.j, collect, &g, 0), 0);
	append_read(&g, file, 6, 3);
	journal_free(g.j);
	got_free(&g);
	rmtree(dir);

	/* At the end of a journal with no matching entry yet: every entry
	 * that comes is read, the first of them too. */
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	assert_int_equal(journal_append(file, other, 1), 0);
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_position(g.j, &pos), 0);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 0);
	append_read(&g, file, 101, 3);
	journal_free(g.j);
	got_free(&g);
	rmtree(dir);

	/* At the end of an empty directory: the first file's entries, all
	 * of them. */
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	memset(&o, 0, sizeof(o));
	o.directory = dir;
	o.file = 7;
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_position(g.j, &pos), 0);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 0);
	append_read(&g, file, 201, 3);
	journal_free(g.j);
	got_free(&g);
	rmtree(dir);
}

/* test_journal_resume - a stored cursor: restarts, nothing lost or
 * repeated; the position after the last read (sd_journal_next() found
 * nothing more) is still the last entry delivered */
static void
test_journal_resume(void **state)
{
	const char	*files[1];
	char		 dir[64], file[128];
	struct journal_opts o;
	struct journal_stats js;
	struct journal_pos pos, stored;
	struct got	 g;
	int		 next = 1, last = 6, run, i, r;

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	n_entries(file, 1, last);
	files[0] = file;
	memset(&stored, 0, sizeof(stored));
	for (run = 0; run < 9; run++) {
		o = file_opts(files);
		o.stored = run == 0 ? NULL : &stored;
		memset(&g, 0, sizeof(g));
		g.j = open_or_fail(&o);
		journal_stats(g.j, &js);
		assert_int_equal(js.cursor_lost, 0);
		if (run > 0) {
			/* Before reading: the stored entry itself. */
			assert_int_equal(journal_position(g.j, &pos), 1);
			assert_string_equal(pos.cursor, stored.cursor);
			assert_int_equal(pos.realtime, stored.realtime);
		}
		/* Two at a time, or all that is there. */
		r = journal_read(g.j, collect, &g, run % 3 == 2 ? 0 : 2);
		assert_int_equal(r, g.n);
		for (i = 0; i < g.n; i++) {
			assert_int_equal(msg_of(g.line[i]), next);
			assert_int_equal(g.pos[i].realtime, T0 +
			    (unsigned)next * SEC);
			next++;
		}
		if (g.n > 0) {
			assert_int_equal(journal_position(g.j, &pos), 1);
			assert_string_equal(pos.cursor, g.pos[g.n - 1].cursor);
			assert_int_equal(pos.realtime, g.pos[g.n - 1].realtime);
		}
		if (run % 3 == 2) {
			/* Read to the end: sd_journal_next() found nothing
			 * more, and the position is the last delivered. */
			assert_int_equal(journal_pending(g.j), 0);
			assert_int_equal(journal_read(g.j, collect, &g, 0), 0);
			if (g.n > 0) {
				assert_int_equal(journal_position(g.j, &pos),
				    1);
				assert_string_equal(pos.cursor,
				    g.pos[g.n - 1].cursor);
			}
		}
		assert_int_equal(journal_position(g.j, &stored), 1);
		journal_free(g.j);
		got_free(&g);
		if (run % 2 == 1) {
			n_entries(file, last + 1, 3);
			last += 3;
		}
	}
	assert_int_equal(next, last + 1);
	assert_int_equal(last, 18);
	rmtree(dir);
}

/* test_journal_cursor_lost - the stored entry's file is gone: reading
 * goes on at the first entry after its time, and says so */
static void
test_journal_cursor_lost(void **state)
{
	char		 dir[64], a[128], b[128];
	struct journal_opts o;
	struct journal_stats js;
	struct journal_pos stored, pos;
	struct got	 g;
	/* a holds 10, 20, 30; b 15, 25, 40 (seconds after T0). */
	struct jentry	 ea[3], eb[3];
	static const int ta[] = { 10, 20, 30 }, tb[] = { 15, 25, 40 };
	char		 ma[3][16], mb[3][16];
	int		 i;

	(void)state;
	memset(ea, 0, sizeof(ea));
	memset(eb, 0, sizeof(eb));
	for (i = 0; i < 3; i++) {
		snprintf(ma[i], sizeof(ma[i]), "msg %d", ta[i]);
		snprintf(mb[i], sizeof(mb[i]), "msg %d", tb[i]);
		ea[i] = (struct jentry){ .realtime = T0 + (unsigned)ta[i] * SEC,
		    .host = "mx", .ident = "postfix/smtpd", .pid = ta[i],
		    .message = ma[i], .fields = { JENTRY_MAIL } };
		eb[i] = (struct jentry){ .realtime = T0 + (unsigned)tb[i] * SEC,
		    .host = "mx", .ident = "postfix/smtpd", .pid = tb[i],
		    .message = mb[i], .fields = { JENTRY_MAIL } };
	}
	tmpdir(dir, sizeof(dir));
	snprintf(a, sizeof(a), "%s/a.journal", dir);
	snprintf(b, sizeof(b), "%s/b.journal", dir);
	assert_int_equal(journal_append(a, ea, 3), 0);
	assert_int_equal(journal_append(b, eb, 3), 0);

	/* The directory in time order; stop after 20 (in a). */
	memset(&o, 0, sizeof(o));
	o.directory = dir;
	o.from_start = 1;
	o.file = 7;
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 3), 3);
	assert_int_equal(msg_of(g.line[0]), 10);
	assert_int_equal(msg_of(g.line[1]), 15);
	assert_int_equal(msg_of(g.line[2]), 20);
	assert_int_equal(journal_position(g.j, &stored), 1);
	assert_int_equal(stored.realtime, T0 + 20 * SEC);
	journal_stats(g.j, &js);
	assert_non_null(strstr(js.source, "directory "));
	journal_free(g.j);
	got_free(&g);

	/* Still there: on after it. */
	o.stored = &stored;
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 3);
	assert_int_equal(msg_of(g.line[0]), 25);
	journal_stats(g.j, &js);
	assert_int_equal(js.cursor_lost, 0);
	journal_free(g.j);
	got_free(&g);

	/* Vacuumed: a is gone, b stays. */
	assert_int_equal(unlink(a), 0);
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	journal_stats(g.j, &js);
	assert_int_equal(js.cursor_lost, 1);
	/* Before reading, the position is the stored one still. */
	assert_int_equal(journal_position(g.j, &pos), 1);
	assert_string_equal(pos.cursor, stored.cursor);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 2);
	assert_int_equal(msg_of(g.line[0]), 25);
	assert_int_equal(msg_of(g.line[1]), 40);
	journal_free(g.j);
	got_free(&g);
	rmtree(dir);
}

/* test_journal_follow - entries appended to the file, and a new file in
 * the directory, are read after poll(2) wakes on journal_fd() */
static void
test_journal_follow(void **state)
{
	const char	*files[1];
	char		 dir[64], file[128], file2[128];
	struct journal_opts o;
	struct journal_pos stored;
	struct got	 g;
	int		 i, k;

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	snprintf(file2, sizeof(file2), "%s/y.journal", dir);
	n_entries(file, 1, 2);
	files[0] = file;
	for (k = 0; k < 2; k++) {
		/* k = 0: the file; k = 1: the directory. */
		o = file_opts(files);
		if (k == 1) {
			o.files = NULL;
			o.nfiles = 0;
			o.directory = dir;
		}
		memset(&g, 0, sizeof(g));
		g.j = open_or_fail(&o);
		assert_true(journal_fd(g.j) >= 0);
		assert_int_equal(journal_read(g.j, collect, &g, 0),
		    k == 0 ? 2 : 8);
		/* Three more runs of journal-remote on the same file. */
		for (i = 0; i < 3; i++) {
			n_entries(file, 3 + k * 6 + i * 2, 2);
			assert_true(pump(g.j, &g, g.n + 2) > 0);
		}
		assert_int_equal(g.n, k == 0 ? 8 : 14);
		for (i = 0; i < g.n; i++)
			assert_int_equal(msg_of(g.line[i]), i + 1);
		if (k == 1) {
			/* A new file in the directory. */
			n_entries(file2, 15, 3);
			assert_true(pump(g.j, &g, 17) > 0);
			assert_int_equal(g.n, 17);
			for (i = 14; i < 17; i++)
				assert_int_equal(msg_of(g.line[i]), i + 1);
		}
		journal_free(g.j);
		got_free(&g);
	}

	/* Placed after the newest by a stored cursor, and by a time after
	 * every entry: nothing now, then each entry that comes. */
	o = file_opts(files);
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 14);
	assert_int_equal(journal_position(g.j, &stored), 1);
	journal_free(g.j);
	got_free(&g);
	for (k = 0; k < 2; k++) {
		o = file_opts(files);
		if (k == 0)
			o.stored = &stored;
		else
			o.since_usec = T0 + 1000 * SEC;
		memset(&g, 0, sizeof(g));
		g.j = open_or_fail(&o);
		assert_int_equal(journal_read(g.j, collect, &g, 0), 0);
		n_entries(file, k == 0 ? 15 : 1001, 2);
		assert_true(pump(g.j, &g, 2) > 0);
		expect_n(&g, 2);
		assert_int_equal(msg_of(g.line[0]), k == 0 ? 15 : 1001);
		assert_int_equal(msg_of(g.line[1]), k == 0 ? 16 : 1002);
		journal_free(g.j);
		got_free(&g);
	}
	rmtree(dir);
}

/* test_journal_rotate - the file renamed away as journald rotates it,
 * and a new one in its place: the position stays the last entry read,
 * and the new file's entries follow, none lost, none twice */
static void
test_journal_rotate(void **state)
{
	char		 dir[64], file[128], old[160];
	struct journal_opts o;
	struct journal_pos pos, before;
	struct pollfd	 pfd;
	struct got	 g;
	int		 i, round;

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/system.journal", dir);
	n_entries(file, 1, 3);
	memset(&o, 0, sizeof(o));
	o.directory = dir;
	o.from_start = 1;
	o.file = 7;
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 3);
	for (round = 0; round < 3; round++) {
		assert_int_equal(journal_position(g.j, &before), 1);
		snprintf(old, sizeof(old), "%s/system@%d.journal", dir, round);
		assert_int_equal(rename(file, old), 0);
		/* The rename is taken in; nothing new yet. */
		pfd.fd = journal_fd(g.j);
		pfd.events = POLLIN;
		assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
		assert_int_equal(journal_read(g.j, collect, &g, 0), 0);
		assert_int_equal(journal_position(g.j, &pos), 1);
		assert_string_equal(pos.cursor, before.cursor);
		assert_int_equal(pos.realtime, before.realtime);
		n_entries(file, 4 + round * 2, 2);
		pump(g.j, &g, 5 + round * 2);
		expect_n(&g, 5 + round * 2);
	}
	for (i = 0; i < g.n; i++)
		assert_int_equal(msg_of(g.line[i]), i + 1);

	/* The file of the last entry read deleted (vacuumed): sd-journal
	 * has no current entry any more, the position is still that one. */
	assert_int_equal(journal_position(g.j, &before), 1);
	assert_int_equal(unlink(file), 0);
	assert_int_equal(poll(&pfd, 1, WAIT_MS), 1);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 0);
	assert_int_equal(journal_position(g.j, &pos), 1);
	assert_string_equal(pos.cursor, before.cursor);
	assert_int_equal(pos.realtime, T0 + 9 * SEC);
	/* And what comes next follows it. */
	n_entries(file, 10, 2);
	pump(g.j, &g, 11);
	expect_n(&g, 11);
	assert_int_equal(msg_of(g.line[9]), 10);
	journal_free(g.j);
	got_free(&g);
	rmtree(dir);
}

/* test_journal_budget - max, journal_pending(), a failing callback */
static void
test_journal_budget(void **state)
{
	const char	*files[1];
	char		 dir[64], file[128];
	struct journal_opts o;
	struct journal_pos pos;
	struct got	 g;

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	n_entries(file, 1, 7);
	files[0] = file;
	o = file_opts(files);
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	/* Just opened: what is there is ready without an event. */
	assert_int_equal(journal_pending(g.j), 1);
	assert_int_equal(journal_read(g.j, collect, &g, 3), 3);
	assert_int_equal(journal_pending(g.j), 1);
	assert_int_equal(journal_read(g.j, collect, &g, 3), 3);
	assert_int_equal(journal_pending(g.j), 1);
	assert_int_equal(journal_read(g.j, collect, &g, 3), 1);
	assert_int_equal(journal_pending(g.j), 0);
	assert_int_equal(g.n, 7);
	assert_int_equal(msg_of(g.line[6]), 7);
	journal_free(g.j);
	got_free(&g);

	/* The callback fails at the second entry: -1, and the position is
	 * that entry (handed out, not committed by the consumer). */
	memset(&g, 0, sizeof(g));
	g.fail_at = 2;
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), -1);
	assert_int_equal(journal_position(g.j, &pos), 1);
	assert_int_equal(pos.realtime, T0 + 2 * SEC);
	journal_free(g.j);
	got_free(&g);
	rmtree(dir);
}

/* as_nobody - journal_open(o) as nobody in a child: its err ("" when it
 * opened) followed by what it logged */
static void
as_nobody(const struct journal_opts *o, char *err, size_t errlen)
{
	struct journal	*j;
	struct passwd	*pw;
	char		 why[1024];
	int		 fd[2], st;
	size_t		 got = 0;
	ssize_t		 n;
	pid_t		 pid;

	assert_non_null(pw = getpwnam("nobody"));
	assert_int_equal(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		close(fd[0]);
		dup2(fd[1], STDERR_FILENO);
		why[0] = '\0';
		if (setgroups(0, NULL) == -1 || setgid(pw->pw_gid) == -1 ||
		    setuid(pw->pw_uid) == -1)
			snprintf(why, sizeof(why), "cannot become nobody");
		else if ((j = journal_open(o, why, sizeof(why))) != NULL)
			why[0] = '\0';
		(void)write(fd[1], why, strlen(why));
		_exit(0);
	}
	assert_true(pid > 0);
	close(fd[1]);
	while (got < errlen - 1 &&
	    (n = read(fd[0], err + got, errlen - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(fd[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* test_journal_errors - each names its object and what to do */
static void
test_journal_errors(void **state)
{
	const char	*files[2];
	char		 dir[64], file[128], junk[128], sub[128], err[1024];
	struct journal_opts o;
	struct journal	*j;
	struct got	 g;
	int		 fd;

	(void)state;
	tmpdir(dir, sizeof(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(file, sizeof(file), "%s/x.journal", dir);
	snprintf(junk, sizeof(junk), "%s/junk.journal", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	n_entries(file, 1, 1);

	memset(&o, 0, sizeof(o));
	o.directory = sub;
	assert_null(journal_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, sub));
	assert_non_null(strstr(err, "does not exist"));

	files[0] = sub;
	o = file_opts(files);
	assert_null(journal_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, sub));
	assert_non_null(strstr(err, "does not exist"));

	/* Not a journal file, second of two: it is the one named. */
	fd = open(junk, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a journal\n", 14), 14);
	close(fd);
	files[0] = file;
	files[1] = junk;
	o.nfiles = 2;
	assert_null(journal_open(&o, err, sizeof(err)));
	assert_non_null(strstr(err, junk));
	assert_null(strstr(err, file));
	assert_int_equal(unlink(junk), 0);

	/* journal-remote's files are 0640 root: nobody cannot read them. */
	if (geteuid() == 0 && getpwnam("nobody") != NULL) {
		o = file_opts(files);
		as_nobody(&o, err, sizeof(err));
		assert_non_null(strstr(err, file));
		assert_non_null(strstr(err, "systemd-journal or adm group"));

		memset(&o, 0, sizeof(o));
		o.directory = dir;
		as_nobody(&o, err, sizeof(err));
		assert_non_null(strstr(err, file));
		assert_non_null(strstr(err, "systemd-journal or adm group"));

		assert_int_equal(mkdir(sub, 0700), 0);
		o.directory = sub;
		as_nobody(&o, err, sizeof(err));
		assert_non_null(strstr(err, sub));
		assert_non_null(strstr(err, "systemd-journal or adm group"));

		/* One readable file and one not: it opens, and says which
		 * it cannot read. */
		assert_int_equal(chmod(file, 0644), 0);
		snprintf(junk, sizeof(junk), "%s/y.journal", dir);
		n_entries(junk, 2, 1);
		o.directory = dir;
		as_nobody(&o, err, sizeof(err));
		assert_non_null(strstr(err, "warning: cannot read the journal "
		    "file "));
		assert_non_null(strstr(err, junk));
		assert_null(strstr(err, file));
		assert_int_equal(unlink(junk), 0);
		as_nobody(&o, err, sizeof(err));
		assert_string_equal(err, "");
	}

	/* A machine's subdirectory, as in /var/log/journal: read, and
	 * checked. */
	snprintf(sub, sizeof(sub), "%s/m", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/m/%s", dir, JOURNAL_TEST_BOOT);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(file, sizeof(file), "%s/m/%s/x.journal", dir,
	    JOURNAL_TEST_BOOT);
	n_entries(file, 1, 2);
	snprintf(sub, sizeof(sub), "%s/m", dir);
	memset(&o, 0, sizeof(o));
	o.directory = sub;
	o.from_start = 1;
	o.file = 7;
	memset(&g, 0, sizeof(g));
	g.j = open_or_fail(&o);
	assert_int_equal(journal_read(g.j, collect, &g, 0), 2);
	journal_free(g.j);
	got_free(&g);
	if (geteuid() == 0 && getpwnam("nobody") != NULL) {
		as_nobody(&o, err, sizeof(err));
		assert_non_null(strstr(err, file));
		assert_non_null(strstr(err, "systemd-journal or adm group"));
	}

	/* The system journal: here without journald it has no files, and
	 * says so; with one, it opens. */
	memset(&o, 0, sizeof(o));
	if ((j = journal_open(&o, err, sizeof(err))) != NULL)
		journal_free(j);
	else
		assert_non_null(strstr(err, "the system journal"));
	rmtree(dir);
}

const struct CMUnitTest journal_tests[] = {
	cmocka_unit_test(test_journal_line),
	cmocka_unit_test(test_journal_default_match),
	cmocka_unit_test(test_journal_custom_match),
	cmocka_unit_test(test_journal_match_check),
	cmocka_unit_test(test_journal_placement),
	cmocka_unit_test(test_journal_resume),
	cmocka_unit_test(test_journal_cursor_lost),
	cmocka_unit_test(test_journal_follow),
	cmocka_unit_test(test_journal_rotate),
	cmocka_unit_test(test_journal_budget),
	cmocka_unit_test(test_journal_errors),
};
const size_t journal_tests_count = sizeof(journal_tests) /
    sizeof(journal_tests[0]);

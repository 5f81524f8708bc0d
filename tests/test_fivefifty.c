/*	$fivefifty: test_fivefifty.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_fivefifty 3 - the five-fifty rule on a real Postfix's sessions
 * DESCRIPTION
 *	tests/postfix-ff.sh runs a real Postfix once (the log is made once
 *	for all the tests here) with a server whose cron job sends from
 *	root@cronhost (504 5.5.2, need fully-qualified address) besides its
 *	accepted mail, a retrier sending the same dead-recipient mail ten
 *	times, and a client opening four connections at once with that mail.
 *	Its lines are re-stamped (each session's lines keep their offsets)
 *	to spread them over days, as no live Postfix can:
 *	- the cron server, its accepted mail and its 504 once a day for a
 *	  week, is never banned; the same 504 with nothing accepted is (a
 *	  slow retry-bot); the cron server coming back every ten minutes is;
 *	- the four parallel connections, replayed as logged, are no retries;
 *	  a connection opened after their 5xx is one;
 *	- rejected on day 1, back on day 11 to retry nine times: banned
 *	  (the day-1 memory is past fivefifty_window and starts over).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"
#include "score/score.h"

#define LAB	"/tmp/fivefifty-ff"
#define MAXL	512
#define DAY	86400LL

struct lline {
	long long	 off;		/* seconds from the log's first line */
	int		 pid;
	int		 session;	/* index into sess, -1 for none */
	char		*text;		/* after the time stamp */
};

struct lsess {
	char		 ip[64];
	long long	 start;		/* offset of its connect line */
};

static struct lline lines[MAXL];
static struct lsess sess[MAXL];
static int	nlines, nsess;

/* lab_read - run the lab once and split its smtpd lines into sessions */
static int
lab_read(void **state)
{
	char		*argv[] = { "/bin/bash", "tests/postfix-ff.sh", LAB, NULL };
	struct run_result r;
	char		*text, *p, *nl;
	int		 open[65536], hh, mm, ss, last = -1, wrap = 0;
	size_t		 len;

	(void)state;
	if (nlines > 0)
		return (0);
	memset(open, -1, sizeof(open));
	if (run_cmd(argv, NULL, 0, &r) != 0 || r.status != 0) {
		print_error("postfix-ff.sh: %s\n", r.err != NULL ? r.err : "");
		run_free(&r);
		return (-1);
	}
	run_free(&r);
	if ((text = read_file(LAB "/mail.log", &len)) == NULL)
		return (-1);
	for (p = text; *p != '\0' && nlines < MAXL; p = nl + 1) {
		struct lline *l = &lines[nlines];
		char *tag, *c;
		int pid;

		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if (strlen(p) < 17 || sscanf(p + 7, "%d:%d:%d", &hh, &mm,
		    &ss) != 3 || (tag = strstr(p, " postfix/smtpd[")) == NULL ||
		    sscanf(tag + 15, "%d", &pid) != 1 || pid < 0 || pid > 65535)
			continue;
		if (hh * 3600 + mm * 60 + ss < last)
			wrap += 86400;	/* midnight */
		last = hh * 3600 + mm * 60 + ss;
		l->off = wrap + last;
		l->pid = pid;
		l->text = p + 16;
		if ((c = strstr(p, ": connect from ")) != NULL &&
		    nsess < MAXL) {
			char *b = strchr(c, '['), *e = strchr(c, ']');
			if (b == NULL || e == NULL || e - b > 60)
				continue;
			snprintf(sess[nsess].ip, sizeof(sess[nsess].ip), "%.*s",
			    (int)(e - b - 1), b + 1);
			sess[nsess].start = l->off;
			open[pid] = nsess++;
		}
		l->session = open[pid];
		if (strstr(p, ": disconnect from ") != NULL)
			open[pid] = -1;
		nlines++;
	}
	/* The text stays: lines point into it (freed at exit). */
	return (nsess >= 16 ? 0 : -1);
}

struct feeder {
	struct pf_parser *p;
	struct scorer	*s;
	struct score_conf conf;
	long long	 t;
};

/* feed_init - a parser and a scorer with the default configuration */
static void
feed_init(struct feeder *f)
{
	memset(f, 0, sizeof(*f));
	f->p = parser_or_fail();
	pf_parser_set_reference(f->p, time(NULL));
	score_conf_defaults(&f->conf);
	f->conf.clock_tolerance = 0;	/* days jump: not what is tested */
	/* The lab's clients are 127.10.0.x: only 127.0.0.1 is loopback. */
	assert_int_equal(net_parse("127.0.0.1/32", &f->conf.loopback4),
	    0);
	f->s = scorer_new(&f->conf);
	assert_non_null(f->s);
}

/* feed_done - release */
static void
feed_done(struct feeder *f)
{
	scorer_free(f->s);
	pf_parser_free(f->p);
}

/* emit - one lab line at log time t */
static void
emit(struct feeder *f, const struct lline *l, long long t)
{
	char		 buf[1024], when[32];
	time_t		 tt = (time_t)t;
	struct pf_event	 ev;
	struct tm	 tm;
	int		 n;

	localtime_r(&tt, &tm);
	strftime(when, sizeof(when), "%b %d %H:%M:%S", &tm);
	n = snprintf(buf, sizeof(buf), "%s %s", when, l->text);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(pf_parse_line(f->p, buf, (size_t)n, &ev), PF_EVENT);
	f->t = pf_event_epoch(&ev);
	scorer_event(f->s, &ev, f->t);
}

/* nth - the index of ip's k-th session (0-based) in the lab */
static int
nth(const char *ip, int k)
{
	int	i;

	for (i = 0; i < nsess; i++)
		if (strcmp(sess[i].ip, ip) == 0 && k-- == 0)
			return (i);
	fail_msg("the lab log has no session %d of %s", k, ip);
	return (-1);
}

/* play - session si's lines, its connect at log time t */
static void
play(struct feeder *f, int si, long long t)
{
	int	i;

	for (i = 0; i < nlines; i++)
		if (lines[i].session == si)
			emit(f, &lines[i], t + lines[i].off - sess[si].start);
}

/* play_all - every session of ip, interleaved as logged, the first
 * connect at log time t */
static void
play_all(struct feeder *f, const char *ip, long long t)
{
	long long	 first = -1;
	int		 i;

	for (i = 0; i < nlines; i++) {
		if (lines[i].session < 0 ||
		    strcmp(sess[lines[i].session].ip, ip) != 0)
			continue;
		if (first == -1)
			first = lines[i].off;
		emit(f, &lines[i], t + lines[i].off - first);
	}
}

/* base - midnight (UTC) 11 days ago */
static long long
base(void)
{
	long long	 now = (long long)time(NULL);

	return (now - now % DAY - 11 * DAY);
}

/* test_fivefifty_daily_cron - one misconfigured cron job of a server
 * with accepted mail: a week of it bans nothing */
static void
test_fivefifty_daily_cron(void **state)
{
	struct feeder	 f;
	int		 d, ok = nth("127.10.0.1", 0), cron = nth("127.10.0.1", 1);

	(void)state;
	feed_init(&f);
	for (d = 0; d < 7; d++) {
		play(&f, ok, base() + d * DAY + 8 * 3600);
		play(&f, cron, base() + d * DAY + 12 * 3600);
		play(&f, ok, base() + d * DAY + 16 * 3600);
		if (scorer_banned(f.s, "127.10.0.1", f.t))
			fail_msg("the cron server was banned on day %d", d + 1);
	}
	/* Its 504s were retries all the same (weighed, then decayed). */
	play(&f, cron, base() + 7 * DAY + 12 * 3600);
	assert_true(scorer_score(f.s, "127.10.0.1", f.t) > 0);
	assert_false(scorer_banned(f.s, "127.10.0.1", f.t));
	feed_done(&f);

	/* The same 504 once a day with nothing accepted: a slow
	 * retry-bot, banned by the count of its retries. */
	feed_init(&f);
	for (d = 0; d < 7 && !scorer_banned(f.s, "127.10.0.1", f.t); d++)
		play(&f, cron, base() + d * DAY + 12 * 3600);
	assert_true(scorer_banned(f.s, "127.10.0.1", f.t));
	assert_int_equal(d, 4);		/* the first 5xx, three retries */
	feed_done(&f);

	/* The cron server coming back again and again: banned. */
	feed_init(&f);
	play(&f, ok, base() + 8 * 3600);
	for (d = 0; d < 6 && !scorer_banned(f.s, "127.10.0.1", f.t); d++)
		play(&f, cron, base() + 12 * 3600 + d * 600);
	assert_true(scorer_banned(f.s, "127.10.0.1", f.t));
	feed_done(&f);
}

/* test_fivefifty_parallel - connections opened before the 5xx are no
 * retries of it */
static void
test_fivefifty_parallel(void **state)
{
	struct feeder	 f;
	int		 i, n = 0;

	(void)state;
	for (i = 0; i < nsess; i++)
		n += strcmp(sess[i].ip, "127.10.0.3") == 0;
	assert_int_equal(n, 4);
	feed_init(&f);
	play_all(&f, "127.10.0.3", base());
	/* No retry: nothing weighs (the rejects are no evidence alone). */
	assert_true(scorer_score(f.s, "127.10.0.3", f.t) == 0);
	assert_false(scorer_banned(f.s, "127.10.0.3", f.t));
	/* One connection opened after the 5xx: a retry. */
	play(&f, nth("127.10.0.3", 0), base() + 600);
	assert_true(scorer_score(f.s, "127.10.0.3", f.t) > 3);
	feed_done(&f);
}

/* test_fivefifty_window_renewed - a 5xx remembered past fivefifty_window
 * gives way to the next one */
static void
test_fivefifty_window_renewed(void **state)
{
	struct feeder	 f;
	int		 i;

	(void)state;
	feed_init(&f);
	play(&f, nth("127.10.0.2", 0), base() + 9 * 3600);
	for (i = 1; i < 10 && !scorer_banned(f.s, "127.10.0.2", f.t); i++)
		play(&f, nth("127.10.0.2", i), base() + 10 * DAY + 9 * 3600 +
		    (i - 1) * 3 * 3600);
	if (!scorer_banned(f.s, "127.10.0.2", f.t))
		fail_msg("back on day 11 and nine tries three hours apart: "
		    "not banned");
	/* Day 11's first try is its new first 5xx, the fourth bans. */
	assert_int_equal(i, 5);
	feed_done(&f);
}

const struct CMUnitTest fivefifty_tests[] = {
	cmocka_unit_test_setup(test_fivefifty_daily_cron, lab_read),
	cmocka_unit_test_setup(test_fivefifty_parallel, lab_read),
	cmocka_unit_test_setup(test_fivefifty_window_renewed, lab_read),
};
const size_t fivefifty_tests_count = sizeof(fivefifty_tests) /
    sizeof(fivefifty_tests[0]);

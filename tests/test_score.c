/*	$fivefifty: test_score.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_score 3 - the scoring rules, one by one and on the lab run
 * DESCRIPTION
 *	Each rule is driven with log lines built in the test (through the
 *	real parser) and checked for the decision it must and must not
 *	take: five-fifty retries, a list server re-sending to dead
 *	subscribers, a 4xx retry, dictionary runs against a typo, relay
 *	probes, SASL brute force, postscreen violations, decay, escalation,
 *	the whitelist (loopback, CIDR, verified names only), IPv6 /64
 *	aggregation and eviction under an address spray.
 *
 *	The lab run of ../shared/corpus/lab (a real Postfix 3.7.11 with
 *	scripted clients) must ban every client its truth file marks "ban"
 *	and none it marks "keep".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "score/score.h"

struct feeder {
	struct pf_parser *p;
	struct scorer	*s;
	struct score_conf conf;
	int		 pid;
	long long	 t;	/* log time of the last line */
};

/* feed_init - a parser and a scorer with the defaults, tuned by the test */
static void
feed_init(struct feeder *f)
{
	memset(f, 0, sizeof(*f));
	f->p = parser_or_fail();
	pf_parser_set_reference(f->p, 1795000000);
	score_conf_defaults(&f->conf);
	snprintf(f->conf.myhostname, sizeof(f->conf.myhostname),
	    "mx.example.test");
	f->pid = 100;
}

/* feed_start - the scorer, once the test has set its configuration */
static void
feed_start(struct feeder *f)
{
	f->s = scorer_new(&f->conf);
	assert_non_null(f->s);
}

/* line - parse one log line and give it to the scorer */
static void __attribute__((format(printf, 2, 3)))
line(struct feeder *f, const char *fmt, ...)
{
	char		 buf[2048];
	struct pf_event	 ev;
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_int_equal(pf_parse_line(f->p, buf, (size_t)n, &ev), PF_EVENT);
	f->t = pf_event_epoch(&ev);
	scorer_event(f->s, &ev, f->t);
}

/* stamp - "Nov 21 HH:MM:SS" for minute m of the day (wraps at 24 h) */
static const char *
stamp(int minute, int sec)
{
	static char	buf[32];

	snprintf(buf, sizeof(buf), "Nov 21 %02d:%02d:%02d", minute / 60 % 24,
	    minute % 60, sec);
	return (buf);
}

/* session - one smtpd session: connect, some lines, disconnect */
static void
session(struct feeder *f, int minute, const char *ip, const char *name,
    const char *body, const char *counters)
{
	int	pid = ++f->pid;

	line(f, "%s mx postfix/smtpd[%d]: connect from %s[%s]",
	    stamp(minute, 0), pid, name, ip);
	if (body != NULL && body[0] != '\0')
		line(f, "%s mx postfix/smtpd[%d]: %s", stamp(minute, 1), pid,
		    body);
	line(f, "%s mx postfix/smtpd[%d]: disconnect from %s[%s] %s",
	    stamp(minute, 2), pid, name, ip, counters);
}

#define REJECT550(ip, from, to) \
	"NOQUEUE: reject: RCPT from unknown[" ip "]: 550 5.1.1 <" to ">: " \
	"Recipient address rejected: User unknown in local recipient table; " \
	"from=<" from "> to=<" to "> proto=ESMTP helo=<mail.sender.example>"

/* banned - is ip banned now, by the scorer */
static int
banned(struct feeder *f, const char *ip)
{
	return (scorer_banned(f->s, ip, f->t));
}

/* feed_done - release */
static void
feed_done(struct feeder *f)
{
	scorer_free(f->s);
	pf_parser_free(f->p);
}

/* test_fivefifty_retry - the same rejected mail, again and again */
static void
test_fivefifty_retry(void **state)
{
	struct feeder	f;
	struct score_decision d;
	int		i;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	for (i = 0; i < 3; i++) {
		session(&f, 60 + i * 10, "198.51.100.7", "unknown",
		    REJECT550("198.51.100.7", "x@spam.example", "nobody@ours"),
		    "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
		assert_false(banned(&f, "198.51.100.7"));
	}
	/* The third retry session (fourth attempt) tips it. */
	session(&f, 95, "198.51.100.7", "unknown",
	    REJECT550("198.51.100.7", "x@spam.example", "nobody@ours"),
	    "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
	assert_true(banned(&f, "198.51.100.7"));
	assert_int_equal(scorer_decision(f.s, &d), 1);
	assert_string_equal(d.addr, "198.51.100.7");
	assert_string_equal(d.reason, "five-fifty");
	assert_int_equal(d.ban_count, 1);
	assert_int_equal(d.until - d.at, 3600);
	feed_done(&f);
}

/* test_fivefifty_slow - one retry a day: decay forgets, the count does
 * not; a 4xx retrier over days is still left alone */
static void
test_fivefifty_slow(void **state)
{
	struct feeder	f;
	int		day, pid;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	for (day = 0; day < 4; day++) {
		pid = ++f.pid;
		line(&f, "Nov %2d 10:00:00 mx postfix/smtpd[%d]: connect from "
		    "unknown[198.51.100.9]", 10 + day, pid);
		line(&f, "Nov %2d 10:00:01 mx postfix/smtpd[%d]: NOQUEUE: "
		    "reject: RCPT from unknown[198.51.100.9]: 554 5.7.1 "
		    "<x@spam.example>: Sender address rejected: Access denied; "
		    "from=<x@spam.example> to=<bob@ours> proto=ESMTP "
		    "helo=<mail.spam.example>", 10 + day, pid);
		line(&f, "Nov %2d 10:00:02 mx postfix/smtpd[%d]: disconnect "
		    "from unknown[198.51.100.9] ehlo=1 mail=1 rcpt=0/1 quit=1 "
		    "commands=3/4", 10 + day, pid);
		assert_int_equal(banned(&f, "198.51.100.9"), day == 3);
		pid = ++f.pid;
		line(&f, "Nov %2d 11:00:00 mx postfix/smtpd[%d]: connect from "
		    "mx.legit.example[192.0.2.60]", 10 + day, pid);
		line(&f, "Nov %2d 11:00:01 mx postfix/smtpd[%d]: NOQUEUE: "
		    "reject: RCPT from mx.legit.example[192.0.2.60]: 450 4.7.1 "
		    "<u@ours>: Recipient address rejected: Greylisted; "
		    "from=<a@legit.example> to=<u@ours> proto=ESMTP "
		    "helo=<mx.legit.example>", 10 + day, pid);
		line(&f, "Nov %2d 11:00:02 mx postfix/smtpd[%d]: disconnect "
		    "from mx.legit.example[192.0.2.60] ehlo=1 mail=1 rcpt=0/1 "
		    "quit=1 commands=3/4", 10 + day, pid);
		assert_false(banned(&f, "192.0.2.60"));
	}
	feed_done(&f);
}

/* test_fivefifty_not_in_one_session - many rejected recipients in one
 * session are no retries */
static void
test_fivefifty_not_in_one_session(void **state)
{
	struct feeder	f;
	int		i, pid;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	pid = ++f.pid;
	line(&f, "%s mx postfix/smtpd[%d]: connect from a.example[192.0.2.8]",
	    stamp(60, 0), pid);
	for (i = 0; i < 6; i++)
		line(&f, "%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from "
		    "a.example[192.0.2.8]: 554 5.7.1 <x@y.example>: Sender "
		    "address rejected: Access denied; from=<x@y.example> "
		    "to=<u%d@ours> proto=ESMTP helo=<a.example>",
		    stamp(60, 1), pid, i);
	line(&f, "%s mx postfix/smtpd[%d]: disconnect from a.example[192.0.2.8]"
	    " ehlo=1 mail=1 rcpt=0/6 quit=1 commands=3/9", stamp(60, 2), pid);
	assert_false(banned(&f, "192.0.2.8"));
	assert_true(scorer_score(f.s, "192.0.2.8", f.t) < 1);
	feed_done(&f);
}

/* test_fourxx_retry - retrying after a 4xx is correct behaviour */
static void
test_fourxx_retry(void **state)
{
	struct feeder	f;
	int		i;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	for (i = 0; i < 12; i++)
		session(&f, 60 + i * 5, "192.0.2.9", "mx.legit.example",
		    "NOQUEUE: reject: RCPT from mx.legit.example[192.0.2.9]: "
		    "450 4.7.1 <u@ours>: Recipient address rejected: "
		    "Greylisted; from=<a@legit.example> to=<u@ours> "
		    "proto=ESMTP helo=<mx.legit.example>",
		    "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
	assert_false(banned(&f, "192.0.2.9"));
	assert_true(scorer_score(f.s, "192.0.2.9", f.t) < 1);
	feed_done(&f);
}

/* Reject lines of every class, as Postfix writes them, with the client
 * ($A), the code's and the DSN's first digit ($D) and a recipient number
 * ($N) to fill in: each comes in a 4xx form (Postfix's default for
 * several) and a 5xx. */
static const char *const temporary_rejects[] = {
	/* reject_unknown_helo_hostname: 450 4.7.1 by default */
	"NOQUEUE: reject: RCPT from unknown[$A]: $D50 $D.7.1 "
	"<mail.nx.example>: Helo command rejected: Host not found; "
	"from=<a@nx.example> to=<u$N@ours.example> proto=ESMTP "
	"helo=<mail.nx.example>",
	"NOQUEUE: reject: RCPT from unknown[$A]: $D54 $D.7.1 Service "
	"unavailable; Client host [192.0.2.1] blocked using zen.example; "
	"from=<a@nx.example> to=<u$N@ours.example> proto=ESMTP "
	"helo=<mail.nx.example>",
	/* defer_unauth_destination */
	"NOQUEUE: reject: RCPT from unknown[$A]: $D54 $D.7.1 "
	"<u$N@else.example>: Relay access denied; from=<a@nx.example> "
	"to=<u@else.example> proto=ESMTP helo=<mail.nx.example>",
	/* a new recipient each time: dictionary, had it been 5xx */
	"NOQUEUE: reject: RCPT from unknown[$A]: $D50 $D.1.1 "
	"<u$N@ours.example>: Recipient address rejected: User unknown in "
	"local recipient table; from=<a@nx.example> to=<u@ours.example> "
	"proto=ESMTP helo=<mail.nx.example>",
	"NOQUEUE: reject: RCPT from unknown[$A]: $D50 $D.7.1 Client host "
	"rejected: cannot find your hostname, [192.0.2.1]; "
	"from=<a@nx.example> to=<u$N@ours.example> proto=ESMTP "
	"helo=<mail.nx.example>",
	"NOQUEUE: reject: RCPT from unknown[$A]: $D50 $D.1.8 "
	"<a@nx.example>: Sender address rejected: Domain not found; "
	"from=<a@nx.example> to=<u$N@ours.example> proto=ESMTP "
	"helo=<mail.nx.example>",
	"NOQUEUE: reject: DATA from unknown[$A]: $D03 $D.5.0 <DATA>: Data "
	"command rejected: Improper use of SMTP command pipelining; "
	"from=<a@nx.example> to=<u$N@ours.example> proto=ESMTP "
	"helo=<mail.nx.example>",
	/* a HELO that is abuse in itself, on a temporary reject */
	"NOQUEUE: reject: RCPT from unknown[$A]: $D50 $D.7.1 "
	"<u$N@ours.example>: Recipient address rejected: Greylisted; "
	"from=<a@nx.example> to=<u@ours.example> proto=ESMTP "
	"helo=<localhost>",
};
#define NTEMPORARY (sizeof(temporary_rejects) / sizeof(temporary_rejects[0]))

/* fill - a template with $A, $D and $N replaced */
static void
fill(char *out, size_t len, const char *tpl, const char *ip, int digit,
    int n)
{
	size_t		w = 0;
	int		k;

	for (; *tpl != '\0' && w + 1 < len; tpl++) {
		k = 0;
		if (tpl[0] == '$' && tpl[1] == 'A')
			k = snprintf(out + w, len - w, "%s", ip);
		else if (tpl[0] == '$' && tpl[1] == 'D')
			k = snprintf(out + w, len - w, "%d", digit);
		else if (tpl[0] == '$' && tpl[1] == 'N')
			k = snprintf(out + w, len - w, "%d", n);
		else
			out[w++] = *tpl;
		if (k > 0) {
			w += (size_t)k;
			tpl++;
		}
	}
	assert_true(w + 1 < len);
	out[w] = '\0';
}

/* retry_days - class k's reject from ip every 15 minutes for three days
 * (digit: the code's first digit; warn: as reject_warning); whether it
 * was banned at any time */
static int
retry_days(size_t k, const char *ip, int digit, int warn)
{
	struct feeder	f;
	char		body[1100], tmp[1024];
	int		i, pid, ever = 0;

	feed_init(&f);
	feed_start(&f);
	for (i = 0; i < 3 * 24 * 4; i++) {
		fill(tmp, sizeof(tmp), temporary_rejects[k], ip, digit,
		    k == 3 ? i : 0);
		/* "NOQUEUE: reject: ..." or "NOQUEUE: reject_warning: ..." */
		snprintf(body, sizeof(body), "NOQUEUE: %s: %s",
		    warn ? "reject_warning" : "reject", tmp + 17);
		pid = 1000 + i;
		line(&f, "Nov %02d %02d:%02d:00 mx postfix/smtpd[%d]: connect "
		    "from unknown[%s]", 21 + i / 96, i % 96 / 4, i % 4 * 15,
		    pid, ip);
		line(&f, "Nov %02d %02d:%02d:01 mx postfix/smtpd[%d]: %s",
		    21 + i / 96, i % 96 / 4, i % 4 * 15, pid, body);
		line(&f, "Nov %02d %02d:%02d:02 mx postfix/smtpd[%d]: "
		    "disconnect from unknown[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 "
		    "commands=3/4", 21 + i / 96, i % 96 / 4, i % 4 * 15, pid,
		    ip);
		ever |= banned(&f, ip);
		if (digit == 4 && scorer_score(f.s, ip, f.t) > 0)
			fail_msg("rule %zu: a 4xx weighed %.2f after %d tries",
			    k, scorer_score(f.s, ip, f.t), i + 1);
	}
	feed_done(&f);
	return (ever);
}

/* test_temporary_never_scores - a 4xx (or a reject_warning) of any class
 * every 15 minutes for days never weighs; the same as 5xx bans */
static void
test_temporary_never_scores(void **state)
{
	size_t		k;

	(void)state;
	for (k = 0; k < NTEMPORARY; k++) {
		if (retry_days(k, "198.51.100.40", 4, 0))
			fail_msg("4xx of rule %zu banned", k);
		if (retry_days(k, "198.51.100.41", 5, 1))
			fail_msg("reject_warning of rule %zu banned", k);
		if (!retry_days(k, "198.51.100.42", 5, 0))
			fail_msg("5xx of rule %zu never banned", k);
	}
}

/* test_list_server - stale subscribers rejected in every post, the rest
 * of each post accepted: never a five-fifty, never a dictionary */
static void
test_list_server(void **state)
{
	struct feeder	f;
	int		post, pid;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	for (post = 0; post < 40; post++) {
		pid = ++f.pid;
		line(&f, "%s mx postfix/smtpd[%d]: connect from "
		    "lists.example[192.0.2.10]", stamp(60 + post * 3, 0), pid);
		line(&f, "%s mx postfix/smtpd[%d]: 4F5C64474F: client="
		    "lists.example[192.0.2.10]", stamp(60 + post * 3, 1), pid);
		line(&f, "%s mx postfix/smtpd[%d]: 4F5C64474F: reject: RCPT "
		    "from lists.example[192.0.2.10]: 550 5.1.1 <gone1@ours>: "
		    "Recipient address rejected: User unknown in local "
		    "recipient table; from=<bounce@lists.example> "
		    "to=<gone1@ours> proto=ESMTP helo=<lists.example>",
		    stamp(60 + post * 3, 1), pid);
		line(&f, "%s mx postfix/smtpd[%d]: 4F5C64474F: reject: RCPT "
		    "from lists.example[192.0.2.10]: 550 5.1.1 <gone2@ours>: "
		    "Recipient address rejected: User unknown in local "
		    "recipient table; from=<bounce@lists.example> "
		    "to=<gone2@ours> proto=ESMTP helo=<lists.example>",
		    stamp(60 + post * 3, 1), pid);
		line(&f, "%s mx postfix/smtpd[%d]: disconnect from "
		    "lists.example[192.0.2.10] ehlo=1 mail=1 rcpt=40/42 data=1 "
		    "quit=1 commands=44/46", stamp(60 + post * 3, 2), pid);
	}
	assert_false(banned(&f, "192.0.2.10"));
	assert_true(scorer_score(f.s, "192.0.2.10", f.t) < 1);
	feed_done(&f);
}

/* test_dictionary - a run of unknown recipients bans; a typo does not */
static void
test_dictionary(void **state)
{
	struct feeder	f;
	struct score_decision d;
	char		body[512];
	int		i, pid;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	pid = ++f.pid;
	line(&f, "%s mx postfix/smtpd[%d]: connect from unknown[203.0.113.66]",
	    stamp(60, 0), pid);
	for (i = 0; i < 20; i++) {
		snprintf(body, sizeof(body), "%s mx postfix/smtpd[%d]: NOQUEUE: "
		    "reject: RCPT from unknown[203.0.113.66]: 550 5.1.1 "
		    "<r%d@ours>: Recipient address rejected: User unknown in "
		    "local recipient table; from=<promo@x.example> "
		    "to=<r%d@ours> proto=ESMTP helo=<x.example>",
		    stamp(60, 1), pid, i, i);
		line(&f, "%s", body);
	}
	line(&f, "%s mx postfix/smtpd[%d]: too many errors after RCPT from "
	    "unknown[203.0.113.66]", stamp(60, 2), pid);
	line(&f, "%s mx postfix/smtpd[%d]: disconnect from "
	    "unknown[203.0.113.66] ehlo=1 mail=1 rcpt=0/20 commands=2/22",
	    stamp(60, 2), pid);
	assert_true(banned(&f, "203.0.113.66"));
	assert_int_equal(scorer_decision(f.s, &d), 1);
	assert_string_equal(d.reason, "dictionary");

	/* A sender's typo between accepted mail: nothing. */
	for (i = 0; i < 10; i++)
		session(&f, 120 + i, "192.0.2.20", "mx.friend.example",
		    i == 5 ? "NOQUEUE: reject: RCPT from mx.friend.example"
		    "[192.0.2.20]: 550 5.1.1 <jhon@ours>: Recipient address "
		    "rejected: User unknown in local recipient table; "
		    "from=<a@friend.example> to=<jhon@ours> proto=ESMTP "
		    "helo=<mx.friend.example>" : "",
		    i == 5 ? "ehlo=1 mail=1 rcpt=1/2 data=1 quit=1 commands=5/6" :
		    "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5");
	assert_false(banned(&f, "192.0.2.20"));
	feed_done(&f);
}

/* test_signals - relay probes, SASL brute force, postscreen, pipelining */
static void
test_signals(void **state)
{
	struct feeder	f;
	int		i;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	for (i = 0; i < 4; i++)
		session(&f, 60 + i, "203.0.113.70", "unknown",
		    "NOQUEUE: reject: RCPT from unknown[203.0.113.70]: 554 "
		    "5.7.1 <v@else.example>: Relay access denied; "
		    "from=<x@y.example> to=<v@else.example> proto=SMTP "
		    "helo=<y.example>",
		    "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4");
	assert_true(banned(&f, "203.0.113.70"));

	for (i = 0; i < 9; i++)
		line(&f, "%s mx postfix/submission/smtpd[77]: warning: "
		    "unknown[203.0.113.71]: SASL LOGIN authentication failed: "
		    "UGFzc3dvcmQ6", stamp(60, i));
	assert_false(banned(&f, "203.0.113.71"));
	for (i = 0; i < 2; i++)
		line(&f, "%s mx postfix/submission/smtpd[77]: warning: "
		    "unknown[203.0.113.71]: SASL LOGIN authentication failed: "
		    "UGFzc3dvcmQ6", stamp(60, 30 + i));
	assert_true(banned(&f, "203.0.113.71"));

	line(&f, "%s mx postfix/postscreen[5]: PREGREET 11 after 0.2 from "
	    "[203.0.113.72]:4000: EHLO x\\r\\n", stamp(61, 0));
	assert_false(banned(&f, "203.0.113.72"));
	line(&f, "%s mx postfix/postscreen[5]: NON-SMTP COMMAND from "
	    "[203.0.113.72]:4001 after CONNECT: GET / HTTP/1.1", stamp(61, 5));
	assert_true(banned(&f, "203.0.113.72"));
	feed_done(&f);
}

/* test_decay_escalation - scores halve; the n-th ban lasts longer */
static void
test_decay_escalation(void **state)
{
	struct feeder	f;
	struct score_decision d;
	int		round, i;
	long long	len[3];

	(void)state;
	feed_init(&f);
	feed_start(&f);
	/* 9 SASL failures, an hour apart in pairs: decay keeps it under. */
	for (i = 0; i < 9; i++)
		line(&f, "%s mx postfix/smtpd[7]: warning: unknown[192.0.2.30]:"
		    " SASL LOGIN authentication failed: x", stamp(60 * i, 0));
	assert_false(banned(&f, "192.0.2.30"));
	assert_true(scorer_score(f.s, "192.0.2.30", f.t) < 2.5);

	/* Three bans in a row: 1 h, 4 h, 16 h. */
	for (round = 0; round < 3; round++) {
		int m = 600 + round * 300;	/* 10:00, 15:00, 20:00 */
		for (i = 0; i < 12; i++)
			line(&f, "%s mx postfix/smtpd[7]: warning: unknown"
			    "[192.0.2.31]: SASL LOGIN authentication failed: x",
			    stamp(m, i));
		while (scorer_decision(f.s, &d) == 1)
			if (strcmp(d.addr, "192.0.2.31") == 0)
				len[round] = d.until - d.at;
	}
	assert_int_equal(len[0], 3600);
	assert_int_equal(len[1], 4 * 3600);
	assert_int_equal(len[2], 16 * 3600);
	feed_done(&f);
}

/* test_whitelist - loopback, CIDR, verified names; never banned */
static void
test_whitelist(void **state)
{
	struct feeder	f;
	int		i;

	(void)state;
	feed_init(&f);
	assert_int_equal(net_parse("192.0.2.0/28",
	    &f.conf.whitelist[f.conf.nwhitelist++]), 0);
	f.conf.whitelist_names[f.conf.nwhitelist_names++] = ".google.com";
	feed_start(&f);
	for (i = 0; i < 30; i++) {
		line(&f, "%s mx postfix/smtpd[7]: warning: unknown[127.0.0.1]: "
		    "SASL LOGIN authentication failed: x", stamp(60, i));
		line(&f, "%s mx postfix/smtpd[7]: warning: unknown[::1]: "
		    "SASL LOGIN authentication failed: x", stamp(60, i));
		line(&f, "%s mx postfix/smtpd[7]: warning: unknown[192.0.2.5]: "
		    "SASL LOGIN authentication failed: x", stamp(60, i));
		line(&f, "%s mx postfix/smtpd[7]: warning: mail-a.google.com"
		    "[192.0.2.40]: SASL LOGIN authentication failed: x",
		    stamp(60, i));
		/* "unknown" never matches a name suffix. */
		line(&f, "%s mx postfix/smtpd[7]: warning: unknown[192.0.2.41]:"
		    " SASL LOGIN authentication failed: x", stamp(60, i));
	}
	assert_false(banned(&f, "127.0.0.1"));
	assert_false(banned(&f, "::1"));
	assert_false(banned(&f, "192.0.2.5"));
	assert_false(banned(&f, "192.0.2.40"));
	assert_true(banned(&f, "192.0.2.41"));
	/* Evidence is still kept for explain. */
	assert_true(scorer_score(f.s, "192.0.2.5", f.t) > 10);
	feed_done(&f);
}

/* test_ipv6_prefix - rotating inside a /64 bans the /64 */
static void
test_ipv6_prefix(void **state)
{
	struct feeder	f;
	struct score_decision d;
	int		i, prefix = 0, single = 0;

	(void)state;
	feed_init(&f);
	feed_start(&f);
	for (i = 0; i < 6; i++)
		line(&f, "%s mx postfix/postscreen[5]: PREGREET 11 after 0.2 "
		    "from [2001:db8:1:2::%x]:4000: EHLO x", stamp(60, i),
		    0x100 + i);
	/* No single address reached 10, the /64 did: the whole /64 is
	 * banned, a neighbouring /64 is not. */
	assert_true(banned(&f, "2001:db8:1:2::ffff"));
	assert_false(banned(&f, "2001:db8:1:3::1"));
	while (scorer_decision(f.s, &d) == 1) {
		if (strcmp(d.addr, "2001:db8:1:2::/64") == 0 &&
		    d.prefix_len == 64)
			prefix++;
		else
			single++;
	}
	assert_int_equal(prefix, 1);
	assert_int_equal(single, 0);
	feed_done(&f);
}

/* test_ipv4_prefix - /24 aggregation: off by default, on when asked */
static void
test_ipv4_prefix(void **state)
{
	struct feeder	f;
	int		i, on;

	(void)state;
	for (on = 0; on < 2; on++) {
		feed_init(&f);
		if (on)
			f.conf.v4_prefix = 24;
		feed_start(&f);
		for (i = 0; i < 8; i++)
			line(&f, "%s mx postfix/postscreen[5]: PREGREET 11 after "
			    "0.2 from [203.0.113.%d]:4000: EHLO x", stamp(60, i),
			    10 + i);
		/* 8 addresses with 5 each: 40 on the /24, none at 10. */
		assert_int_equal(banned(&f, "203.0.113.200"), on);
		assert_false(banned(&f, "203.0.114.1"));
		feed_done(&f);
	}
}

/* test_eviction - a spray of addresses cannot push out an offender */
static void
test_eviction(void **state)
{
	struct feeder	f;
	int		i;

	(void)state;
	feed_init(&f);
	f.conf.max_clients = 1000;
	feed_start(&f);
	for (i = 0; i < 8; i++)
		line(&f, "%s mx postfix/smtpd[7]: warning: unknown[192.0.2.50]:"
		    " SASL LOGIN authentication failed: x", stamp(60, i));
	for (i = 0; i < 20000; i++)
		line(&f, "%s mx postfix/postscreen[5]: PREGREET 11 after 0.2 "
		    "from [2001:db8:%x:%x::1]:4000: EHLO x", stamp(61, 0),
		    i >> 8, i & 0xff);
	assert_true(scorer_nclients(f.s) <= 1000);
	/* Its score survived the spray (spray entries weigh 5 each, it 8);
	 * three more failures ban it. */
	assert_true(scorer_score(f.s, "192.0.2.50", f.t) > 7.5);
	for (i = 0; i < 3; i++)
		line(&f, "%s mx postfix/smtpd[7]: warning: unknown[192.0.2.50]:"
		    " SASL LOGIN authentication failed: x", stamp(62, i));
	assert_true(banned(&f, "192.0.2.50"));
	feed_done(&f);
}

/* check_truth - score a log, then every "ban" must have been banned (by
 * address or prefix, at any time) and no "keep"; returns the number of
 * wrong verdicts */
static int
check_truth(const char *logpath, const char *truthpath, const char *what)
{
	struct feeder	f;
	struct pf_event	ev;
	struct score_decision d;
	struct net_prefix *bans = NULL;
	char		*text, *s, *nl, ip[64], cls[32], want[16], net[96];
	size_t		len;
	int		bad = 0, nban = 0, nkeep = 0, was, nbans = 0, i;

	feed_init(&f);
	/* The lab's clients are 127.x.y.z; only 127.0.0.1 is the server.
	 * postfix-lab.sh puts one offender in 127.253.0.0/16: whitelisted. */
	assert_int_equal(net_parse("127.0.0.1/32", &f.conf.loopback4),
	    0);
	assert_int_equal(net_parse("127.253.0.0/16",
	    &f.conf.whitelist[f.conf.nwhitelist++]), 0);
	feed_start(&f);
	text = read_file(logpath, &len);
	assert_non_null(text);
	for (s = text; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		if (pf_parse_line(f.p, s, (size_t)(nl - s), &ev) == PF_EVENT) {
			f.t = pf_event_epoch(&ev);
			scorer_event(f.s, &ev, f.t);
		}
	free(text);
	scorer_flush(f.s, f.t + 86400);
	/* Every ban ever decided (a slow offender's may have expired). */
	while (scorer_decision(f.s, &d) == 1) {
		bans = realloc(bans, (size_t)(nbans + 1) * sizeof(*bans));
		assert_non_null(bans);
		snprintf(net, sizeof(net), "%s", d.addr);	/* a/len or a */
		assert_int_equal(net_parse(net, &bans[nbans]), 0);
		nbans++;
	}
	text = read_file(truthpath, &len);
	assert_non_null(text);
	for (s = text; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		if (sscanf(s, "%63s %31s %15s", ip, cls, want) != 3)
			continue;
		for (was = 0, i = 0; i < nbans && !was; i++)
			was = net_contains_text(&bans[i], ip);
		if (strcmp(want, "ban") == 0) {
			nban++;
			if (!was && bad++ < 10)
				print_error("%s: %s (%s) not banned\n", what,
				    ip, cls);
		} else if (strcmp(want, "keep") == 0) {
			nkeep++;
			if (was && bad++ < 10)
				print_error("%s: %s (%s) banned\n", what, ip,
				    cls);
		}
	}
	free(text);
	free(bans);
	print_message("%s: %d offenders, %d legitimate clients, %d wrong\n",
	    what, nban, nkeep, bad);
	assert_true(nban > 0 && nkeep > 0);
	feed_done(&f);
	return (bad);
}

/* test_lab_truth - the shared lab run (real Postfix 3.7.11) */
static void
test_lab_truth(void **state)
{
	char		log[512], truth[512];

	(void)state;
	need_corpus();
	shared_path("corpus/lab/postfix37-lab.log", log, sizeof(log));
	shared_path("corpus/lab/postfix37-lab.truth.tsv", truth,
	    sizeof(truth));
	assert_int_equal(check_truth(log, truth, "lab"), 0);
}

struct slow_line {
	long long	 t;		/* new log time */
	int		 seq;		/* original order, for a stable sort */
	char		*text;		/* the line without its stamp */
};

/* slow_cmp - by new time, then original order */
static int
slow_cmp(const void *a, const void *b)
{
	const struct slow_line *x = a, *y = b;

	if (x->t != y->t)
		return (x->t < y->t ? -1 : 1);
	return (x->seq - y->seq);
}

/* make_slow - the same real log with every client's n-th SMTP session
 * moved n days later (lines of other programs stay), sorted by time: the
 * offenders now retry once a day */
static void
make_slow(const char *in, const char *out)
{
	struct pf_parser *p = parser_or_fail();
	struct pf_event	 ev;
	struct slow_line *v;
	char		*text, *s, *nl, ip[PF_ADDR_MAX], when[32];
	char		 seen_ip[256][PF_ADDR_MAX];
	int		 seen_n[256], nseen = 0, pid_day[65536], n = 0, i, day;
	size_t		 len;
	FILE		*fp;

	memset(pid_day, 0, sizeof(pid_day));
	text = read_file(in, &len);
	assert_non_null(text);
	v = calloc(len / 20 + 16, sizeof(*v));
	assert_non_null(v);
	pf_parser_set_reference(p, 1795000000);
	for (s = text; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		*nl = '\0';
		if (pf_parse_line(p, s, (size_t)(nl - s), &ev) == PF_NOT_POSTFIX)
			continue;
		day = 0;
		if (ev.pid >= 0 && ev.pid < 65536 && ev.program.len == 5 &&
		    memcmp(ev.program.p, "smtpd", 5) == 0) {
			if (ev.kind == PF_EV_CONNECT) {
				snprintf(ip, sizeof(ip), "%s", ev.client_ip);
				for (i = 0; i < nseen; i++)
					if (strcmp(seen_ip[i], ip) == 0)
						break;
				if (i == nseen && nseen < 256) {
					snprintf(seen_ip[nseen], sizeof(ip),
					    "%s", ip);
					seen_n[nseen++] = 0;
				}
				pid_day[ev.pid] = i < 256 ? seen_n[i]++ : 0;
			}
			day = pid_day[ev.pid];
		}
		v[n].t = pf_event_epoch(&ev) + day * 86400LL;
		v[n].seq = n;
		v[n].text = s + 16;	/* after "Nov 21 13:16:01 " */
		n++;
	}
	qsort(v, (size_t)n, sizeof(*v), slow_cmp);
	fp = fopen(out, "w");
	assert_non_null(fp);
	for (i = 0; i < n; i++) {
		time_t tt = (time_t)v[i].t;
		struct tm tm;
		localtime_r(&tt, &tm);
		strftime(when, sizeof(when), "%b %d %H:%M:%S", &tm);
		fprintf(fp, "%s %s\n", when, v[i].text);
	}
	fclose(fp);
	free(v);
	free(text);
	pf_parser_free(p);
}

/* test_postfix_runs - our own runs of a real Postfix, other mixes */
static void
test_postfix_runs(void **state)
{
	char		 dir[64], log[128], truth[128], seed[16], what[32];
	struct run_result r;
	int		 i, bad = 0;

	(void)state;
	for (i = 1; i <= 2; i++) {
		char *argv[] = { "/bin/bash", "tests/postfix-lab.sh", dir,
		    seed, NULL };
		snprintf(dir, sizeof(dir), "/tmp/fivefifty-pflab-%d", i);
		snprintf(seed, sizeof(seed), "%d", 1000 + i * 7);
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		print_message("%s", r.out);
		if (r.status != 0) {
			print_error("postfix-lab.sh: %s\n", r.err);
			run_free(&r);
			fail();
		}
		run_free(&r);
		snprintf(log, sizeof(log), "%s/mail.log", dir);
		snprintf(truth, sizeof(truth), "%s/truth.tsv", dir);
		snprintf(what, sizeof(what), "postfix run %d", i);
		bad += check_truth(log, truth, what);
		if (i == 1) {
			/* Slow offenders: the same real lines, each client's
			 * sessions a day apart. A rotator that takes a new
			 * address once a day is out of reach ("either"). */
			char slow[160], slowtruth[160], *t, *line, *save;
			size_t tlen;
			FILE *fp;
			snprintf(slow, sizeof(slow), "%s/slow.log", dir);
			snprintf(slowtruth, sizeof(slowtruth), "%s/slow.tsv",
			    dir);
			make_slow(log, slow);
			t = read_file(truth, &tlen);
			assert_non_null(t);
			fp = fopen(slowtruth, "w");
			assert_non_null(fp);
			for (line = strtok_r(t, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save)) {
				char a[64], k[32], w[16];
				if (sscanf(line, "%63s %31s %15s", a, k, w) != 3)
					continue;
				fprintf(fp, "%s\t%s\t%s\n", a, k,
				    strcmp(k, "rotator6") == 0 ? "either" : w);
			}
			fclose(fp);
			free(t);
			bad += check_truth(slow, slowtruth,
			    "postfix run 1, a day between sessions");
		}
		{
			char *rm[] = { "/bin/rm", "-rf", dir, NULL };
			assert_int_equal(run_cmd(rm, NULL, 0, &r), 0);
			run_free(&r);
		}
	}
	assert_int_equal(bad, 0);
}

const struct CMUnitTest score_tests[] = {
	cmocka_unit_test(test_fivefifty_retry),
	cmocka_unit_test(test_fivefifty_slow),
	cmocka_unit_test(test_fivefifty_not_in_one_session),
	cmocka_unit_test(test_fourxx_retry),
	cmocka_unit_test(test_temporary_never_scores),
	cmocka_unit_test(test_list_server),
	cmocka_unit_test(test_dictionary),
	cmocka_unit_test(test_signals),
	cmocka_unit_test(test_decay_escalation),
	cmocka_unit_test(test_whitelist),
	cmocka_unit_test(test_ipv6_prefix),
	cmocka_unit_test(test_ipv4_prefix),
	cmocka_unit_test(test_eviction),
	cmocka_unit_test(test_lab_truth),
	cmocka_unit_test(test_postfix_runs),
};
const size_t score_tests_count = sizeof(score_tests) / sizeof(score_tests[0]);

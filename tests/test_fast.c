/*	$fivefifty: test_fast.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_fast 3 - the fast paths of the parser give PCRE2's events
 * DESCRIPTION
 *	parse/fast.c reads the most frequent line shapes by hand and says it
 *	gives what the PCRE2 patterns give, and smtpd.c skips the reject
 *	pattern for lines that cannot match it. Here two parsers, one with the
 *	fast paths (the default) and one without (pf_parser_set_fast(p, 0):
 *	PCRE2 alone, the parser of record), read every line of every log of
 *	../shared/corpus (realworld/ and lab/), and every field of the two
 *	events must be equal: the result, the kind, every span (same bytes
 *	of the same line), every number, the addresses and the counters.
 *
 *	Then the lines of each event kind (the first MUTANTS of each) are
 *	bent where a fast path makes its decisions: cut at every length,
 *	given a trailing newline (which "$" accepts), and each byte in turn
 *	replaced by one of the bytes a field's class stops at (space, tab,
 *	VT, CR, LF (\s holds them all), '[', ']', ':', '/', '%', '-', '.', a
 *	digit, a letter, NUL, 0xff). The
 *	two parsers must still agree on every one.
 *
 *	classify() remembers the class of the reasons it met lately (not
 *	without the fast paths, so the corpus comparison above covers it): a
 *	parser that meets 400 reasons three times over gives each the class
 *	the rules alone give.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define MUTANTS	60	/* lines of each kind bent byte by byte */

struct fast_tally {
	unsigned long	 lines, events, mutants, differ;
	unsigned long	 kind[PF_EV_COUNT];
	unsigned long	 bent[PF_EV_COUNT];
};

/* span_same - two spans are the same bytes of the same line */
static int
span_same(struct pf_span a, struct pf_span b)
{
	return (a.p == b.p && a.len == b.len);
}

/* ev_same - every field a parse sets is equal; the name of the first
 * that differs, or NULL */
static const char *
ev_same(const struct pf_event *a, const struct pf_event *b)
{
	static const struct {
		const char *name;
		size_t off;
	} spans[] = {
#define S(f) { #f, offsetof(struct pf_event, f) }
		S(host), S(tag), S(program), S(message), S(client_name),
		S(queue_id), S(action), S(stage), S(dsn), S(object), S(reason),
		S(from), S(to), S(proto), S(helo), S(sasl_method),
		S(sasl_username), S(sasl_sender), S(notes), S(end), S(data),
		S(seconds), S(detail), S(command), S(service), S(ptr_name),
		S(zone), S(answer), S(orig_queue_id), S(orig_client_name),
#undef S
	};
	size_t		 i;

	if (a->kind != b->kind)
		return ("kind");
	if (memcmp(&a->time, &b->time, sizeof(a->time)) != 0)
		return ("time");
	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++)
		if (!span_same(*(const struct pf_span *)((const char *)a +
		    spans[i].off), *(const struct pf_span *)((const char *)b +
		    spans[i].off)))
			return (spans[i].name);
	if (a->pid != b->pid || a->severity != b->severity)
		return ("pid/severity");
	if (strcmp(a->client_ip, b->client_ip) != 0 ||
	    memcmp(&a->client_net, &b->client_net, sizeof(a->client_net)) !=
	    0 || a->client_family != b->client_family ||
	    a->client_port != b->client_port)
		return ("client");
	if (a->enforced != b->enforced || a->code != b->code ||
	    a->class != b->class)
		return ("enforced/code/class");
	if (a->bytes != b->bytes || a->count != b->count ||
	    a->server_port != b->server_port)
		return ("bytes/count/server_port");
	if (strcmp(a->server_ip, b->server_ip) != 0 ||
	    strcmp(a->orig_client_ip, b->orig_client_ip) != 0)
		return ("server_ip/orig_client_ip");
	if (memcmp(a->counters, b->counters, sizeof(a->counters)) != 0)
		return ("counters");
	return (NULL);
}

/* both - parse line both ways and compare; the kind of the event */
static enum pf_kind
both(struct pf_parser *fast, struct pf_parser *slow, const char *line,
    size_t len, struct fast_tally *t, const char *where)
{
	static struct pf_event a, b;
	enum pf_result	 ra, rb;
	const char	*what = NULL;

	/* Both start alike: the counters are set for disconnects only. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = pf_parse_line(fast, line, len, &a);
	rb = pf_parse_line(slow, line, len, &b);
	if (ra != rb)
		what = "result";
	else if ((what = ev_same(&a, &b)) == NULL)
		return (ra == PF_EVENT ? a.kind : PF_EV_NONE);
	t->differ++;
	if (t->differ <= 20)
		print_error("%s: fast and PCRE2 differ in %s (%s / %s): "
		    "%.*s\n", where, what, pf_result_name(ra),
		    pf_result_name(rb), (int)len, line);
	return (PF_EV_NONE);
}

/* bend - the line cut, newline-ended and changed byte by byte */
static void
bend(struct pf_parser *fast, struct pf_parser *slow, const char *line,
    size_t len, struct fast_tally *t, const char *where)
{
	static const char subst[] = { ' ', '\t', '\v', '\r', '\n', '[', ']',
	    ':', '/', '%', '-', '.', '7', 'x', '\0', (char)0xff };
	char		*buf;
	size_t		 i, k;

	if ((buf = malloc(len + 1)) == NULL)
		fail_msg("out of memory");
	memcpy(buf, line, len);
	buf[len] = '\n';
	both(fast, slow, buf, len + 1, t, where);
	for (i = 0; i < len; i++) {
		both(fast, slow, buf, i, t, where);
		for (k = 0; k < sizeof(subst); k++) {
			if (line[i] == subst[k])
				continue;
			buf[i] = subst[k];
			both(fast, slow, buf, len, t, where);
			t->mutants++;
		}
		buf[i] = line[i];
	}
	free(buf);
}

/* check_file - every line of one log, both ways */
static void
check_file(struct pf_parser *fast, struct pf_parser *slow, const char *path,
    struct fast_tally *t)
{
	char		*text, *line, *nl, fixed[70000];
	size_t		 len, n;
	enum pf_kind	 k;

	text = read_file(path, &len);
	assert_non_null(text);
	/* Each file is its own log: its own year state, the same in both. */
	pf_parser_set_reference(fast, 1700000000);
	pf_parser_set_reference(slow, 1700000000);
	for (line = text; line < text + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (nl == NULL)
			nl = text + len;
		n = (size_t)(nl - line);
		if (n >= 7 && strncmp(line, "%(day)s", 7) == 0 &&
		    n < sizeof(fixed) - 8) {
			n = (size_t)snprintf(fixed, sizeof(fixed), "Jan 11%.*s",
			    (int)(n - 7), line + 7);
			line = fixed;
		}
		t->lines++;
		/* nl stays in text: the loop steps on from there. */
		if ((k = both(fast, slow, line, n, t, path)) == PF_EV_NONE)
			continue;
		t->events++;
		t->kind[k]++;
		if (t->bent[k] < MUTANTS) {
			t->bent[k]++;
			/* Bent stamps move the year state of both parsers
			 * alike; start both afresh after them. */
			bend(fast, slow, line, n, t, path);
			pf_parser_set_reference(fast, 1700000000);
			pf_parser_set_reference(slow, 1700000000);
		}
	}
	free(text);
}

/* check_dir - every *.log of one corpus directory */
static void
check_dir(const char *rel, struct fast_tally *t)
{
	struct pf_parser *fast = parser_or_fail(), *slow = parser_or_fail();
	struct dirent	**names;
	char		 dir[512], path[1024];
	int		 n, i, files = 0;

	pf_parser_set_fast(slow, 0);
	shared_path(rel, dir, sizeof(dir));
	n = scandir(dir, &names, NULL, alphasort);
	if (n <= 0)
		fail_msg("%s: no corpus here (make test SHARED=DIR)", dir);
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		if (l > 4 && strcmp(names[i]->d_name + l - 4, ".log") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			check_file(fast, slow, path, t);
			files++;
		}
		free(names[i]);
	}
	free(names);
	pf_parser_free(fast);
	pf_parser_free(slow);
	assert_true(files > 0);
}

/* test_fast_corpus - fast paths and PCRE2 agree on the whole corpus */
static void
test_fast_corpus(void **state)
{
	struct fast_tally t;
	int		 k;

	(void)state;
	need_corpus();
	memset(&t, 0, sizeof(t));
	check_dir("corpus/realworld", &t);
	check_dir("corpus/lab", &t);
	print_message("fast/PCRE2: %lu lines, %lu events, %lu bent lines; "
	    "%lu differ\n", t.lines, t.events, t.mutants, t.differ);
	assert_int_equal(t.differ, 0);
	/* Every shape fast.c reads is in the corpus, and was bent. */
	for (k = PF_EV_CONNECT; k <= PF_EV_DNSBL_LISTED; k++)
		if (k == PF_EV_CONNECT || k == PF_EV_DISCONNECT ||
		    k == PF_EV_PS_CONNECT || k == PF_EV_PREGREET ||
		    k == PF_EV_HANGUP || k == PF_EV_DNSBL_RANK ||
		    k == PF_EV_PS_PASS || k == PF_EV_PS_DISCONNECT ||
		    k == PF_EV_QUEUED ||
		    k == PF_EV_DNSBL_LISTED)
			assert_true(t.bent[k] > 0);
	assert_true(t.lines > 100000);
}

/* rep - n copies of byte c at b (NUL-terminated) */
static char *
rep(char *b, char c, size_t n)
{
	memset(b, c, n);
	b[n] = '\0';
	return (b);
}

/* edges - each length a pattern bounds, at the bound and one past it */
static void
edges(struct pf_parser *fast, struct pf_parser *slow, struct fast_tally *t)
{
	static const char head[] = "Nov  1 02:11:18 mx postfix/";
	char		 a[512], line[2048], toks[1024];
	size_t		 d, n, k;
	int		 len;

	for (d = 0; d < 3; d++) {
#define TRY(...) do {							\
		len = snprintf(line, sizeof(line), __VA_ARGS__);	\
		both(fast, slow, line, (size_t)len, t, "edges");	\
		t->mutants++;						\
	} while (0)
		n = 255 + d - 1;	/* 254, 255, 256 */
		TRY("%ssmtpd[1]: connect from %s[1.2.3.4]", head,
		    rep(a, 'n', n));
		TRY("%sdnsblog[1]: addr 1.2.3.4 listed by domain %s as 1",
		    head, rep(a, 'z', n));
		n = 64 + d - 1;
		TRY("%sdnsblog[1]: addr 1.2.3.4 listed by domain z as %s",
		    head, rep(a, '1', n));
		n = 45 + d - 1;
		TRY("%ssmtpd[1]: connect from x[%s]", head, rep(a, '1', n));
		TRY("%spostscreen[1]: PASS NEW [%s]:1", head, rep(a, ':', n));
		n = 5 + d - 1;
		TRY("%ssmtpd[1]: connect from x[1.2.3.4]:%s", head,
		    rep(a, '2', n));
		TRY("%spostscreen[1]: DISCONNECT [1.2.3.4]:%s", head,
		    rep(a, '2', n));
		TRY("%spostscreen[1]: CONNECT from [1.2.3.4]:1 to [::1]:%s",
		    head, rep(a, '2', n));
		n = 80 + d - 1;
		TRY("%ssmtpd[1]: disconnect from x[1.2.3.4] notes=%s", head,
		    rep(a, 'b', n));
		n = 12 + d - 1;
		TRY("%ssmtpd[1]: disconnect from x[1.2.3.4] %s=1", head,
		    rep(a, 'q', n));
		n = 19 + d - 1;
		TRY("%ssmtpd[1]: disconnect from x[1.2.3.4] rcpt=%s", head,
		    rep(a, '3', n));
		TRY("%ssmtpd[1]: disconnect from x[1.2.3.4] rcpt=1/%s", head,
		    rep(a, '3', n));
		TRY("%spostscreen[1]: PREGREET %s after 1 from [1.2.3.4]:1: x",
		    head, rep(a, '4', n));
		n = 10 + d - 1;
		TRY("%spostscreen[1]: HANGUP after %s from [1.2.3.4]:1 in x",
		    head, rep(a, '5', n));
		n = 9 + d - 1;
		TRY("%spostscreen[1]: HANGUP after 1.%s from [1.2.3.4]:1 in x",
		    head, rep(a, '5', n));
		TRY("%spostscreen[1]: DNSBL rank %s for [1.2.3.4]:1", head,
		    rep(a, '6', n));
		TRY("%spostscreen[1]: DNSBL rank -%s for [1.2.3.4]:1", head,
		    rep(a, '6', n));
		n = 100 + d - 1;
		TRY("%spostscreen[1]: HANGUP after 1 from [1.2.3.4]:1 in %s",
		    head, rep(a, 'h', n));
		n = 40 + d - 1;
		toks[0] = '\0';
		for (k = 0; k < n; k++)
			strcat(toks, " a=1");
		TRY("%ssmtpd[1]: disconnect from x[1.2.3.4]%s", head, toks);
		TRY("%ssmtpd[1]: disconnect from x[1.2.3.4]%s notes=x", head,
		    toks);
		TRY("%ssmtpd[1]: disconnect from x[1.2.3.4]%s notes=1", head,
		    toks);
#undef TRY
	}
}

/* test_fast_shapes - hand-made lines at the edges of each fast path */
static void
test_fast_shapes(void **state)
{
	static const char *const lines[] = {
	    "connect from a[1.2.3.4]",
	    "connect from [1.2.3.4]",
	    "connect from unknown[unknown]",
	    "connect from a[fe80::1%eth0]",
	    "connect from a[1.2.3.4]:25",
	    "connect from a[1.2.3.4]:123456",
	    "connect from a[1.2.3.4]:",
	    "connect from a b[1.2.3.4]",
	    "connect from a[1.2.3.4] ",
	    "connect from a[1.2.3.4]\n",
	    "connect from a[unknownx]",
	    "connect from a[999.2.3.4]",
	    "connect from a[1.2.3.4]x",
	    "disconnect from a[1.2.3.4]",
	    "disconnect from a[1.2.3.4] ehlo=1 mail=1 rcpt=0/1 commands=2/3",
	    "disconnect from a[1.2.3.4] ehlo=1 notes=bare_lf",
	    "disconnect from a[1.2.3.4] notes=12",
	    "disconnect from a[1.2.3.4] notes=12x",
	    "disconnect from a[1.2.3.4] ehlo=1/",
	    "disconnect from a[1.2.3.4] ehlo=1x",
	    "disconnect from a[1.2.3.4] abcdefghijklm=1",
	    "disconnect from a[1.2.3.4] ehlo=12345678901234567890",
	    "disconnect from a[1.2.3.4] ehlo=1  mail=1",
	    "disconnect from a[1.2.3.4] notes=",
	    "disconnect from a[1.2.3.4]:25 ehlo=1",
	    "NOQUEUE: reject: RCPT from a[1.2.3.4]: 550 5.1.1 <u@x>: Recipient"
	    " address rejected: User unknown; from=<s@y> to=<u@x> proto=ESMTP"
	    " helo=<h>",
	    "ABCDE: reject_warning: RCPT from a[1.2.3.4]: 450 x; from=<>",
	    "reject: CONNECT from a[1.2.3.4]: 554 5.7.1 no",
	    "ABCDE: milter-reject: END-OF-MESSAGE from a[1.2.3.4]: 5.7.1 x",
	    "ABCDE: hangup: DATA from a[1.2.3.4]: x",
	    "warn: RCPT from a[1.2.3.4]: x",
	    "AB-DE: reject: RCPT from a[1.2.3.4]: 550 x",
	    "ABCDE:reject: RCPT from a[1.2.3.4]: 550 x",
	    "ABCDE: client=a[1.2.3.4]",
	    "ABCD: client=a[1.2.3.4]",
	    "ABCDEF0123456789ABCD: client=a[1.2.3.4]:25",
	    "ABCDEF0123456789ABCDE: client=a[1.2.3.4]",
	    "NOQUEUE: client=a[1.2.3.4]",
	    "4Xbcdfg5hj: client=a[1.2.3.4]",
	    "4Xbcdfg5h: client=a[1.2.3.4]",
	    "4Xbcdfg5ha: client=a[1.2.3.4]",
	    "abcde: client=a[1.2.3.4]",
	    "ABCDE: client=a[1.2.3.4], sasl_method=PLAIN",
	    "ABCDE: client=a[1.2.3.4],",
	    "ABCDE: client=a[1.2.3.4], orig_queue_id=ABCDEF, orig_client=b[::1]",
	    "CONNECT from [1.2.3.4]:5 to [5.6.7.8]:25",
	    "CONNECT from [1.2.3.4]:5 to [5.6.7.8]:",
	    "CONNECT from [1.2.3.4]:5",
	    "CONNECT from [1.2.3.4]",
	    "PASS NEW [1.2.3.4]:5",
	    "PASS OLD [::1]:5",
	    "PASS MID [1.2.3.4]:5",
	    "DISCONNECT [1.2.3.4]:5",
	    "DNSBL rank -3 for [1.2.3.4]:5",
	    "DNSBL rank 1234567890 for [1.2.3.4]:5",
	    "DNSBL rank - for [1.2.3.4]:5",
	    "PREGREET 11 after 0.12 from [1.2.3.4]:5: EHLO [6.6.6.6]:25:",
	    "PREGREET 11 after 0. from [1.2.3.4]:5: x",
	    "PREGREET 11 after 0.12 from [1.2.3.4]:5: ",
	    "HANGUP after 1.5 from [1.2.3.4]:5 in tests after SMTP handshake",
	    "HANGUP after 1.5 from [1.2.3.4]:5 in ",
	    "addr 1.2.3.4 listed by domain zen.example as 127.0.0.2",
	    "addr 1.2.3.4 listed by domain zen.example as 127.0.0.2 ",
	    "addr unknown listed by domain z as 1",
	    "addr 1.2.3.4 listed by domain z\tq as 1",
	};
	static const char *const acts[] = { "reject", "reject_warning",
	    "milter-reject", "milter-hold", "milter-discard", "hold",
	    "discard", "filter", "redirect", "bcc", "warn", "info", "hangup",
	    "delay", "permit", "rejected", "rejec" };
	static const char *const heads[] = {
	    "Nov  1 02:11:18 mx postfix/smtpd[1]: ",
	    "Nov  1 02:11:18 mx postfix/postscreen[1]: ",
	    "Nov  1 02:11:18 mx postfix/dnsblog[1]: ",
	};
	struct pf_parser *fast = parser_or_fail(), *slow = parser_or_fail();
	struct fast_tally t;
	char		 buf[512];
	size_t		 i, h;
	int		 n;

	(void)state;
	memset(&t, 0, sizeof(t));
	pf_parser_set_fast(slow, 0);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
			n = snprintf(buf, sizeof(buf), "%s%s", heads[h],
			    lines[i]);
			both(fast, slow, buf, (size_t)n, &t, "shapes");
			bend(fast, slow, buf, (size_t)n, &t, "shapes");
		}
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		n = snprintf(buf, sizeof(buf), "%sABCDE: %s: RCPT from "
		    "a[1.2.3.4]: 550 5.1.1 x; from=<a> to=<b>", heads[0],
		    acts[i]);
		both(fast, slow, buf, (size_t)n, &t, "actions");
		bend(fast, slow, buf, (size_t)n, &t, "actions");
		n = snprintf(buf, sizeof(buf), "%s%s: RCPT from a[1.2.3.4]: "
		    "x", heads[0], acts[i]);
		both(fast, slow, buf, (size_t)n, &t, "actions");
	}
	edges(fast, slow, &t);
	pf_parser_free(fast);
	pf_parser_free(slow);
	print_message("fast/PCRE2: %lu hand-made and bent lines; %lu "
	    "differ\n", t.mutants, t.differ);
	assert_int_equal(t.differ, 0);
}

#define MEMO_REASONS	400	/* distinct reasons: past the memo's slots */

/* memo_reason - the i-th reason: Postfix's words of every class, the
 * same with a client's address in them, cut, padded across the
 * longest reason the memo keeps, or in other case */
static void
memo_reason(size_t i, char *b, size_t len)
{
	static const char *const base[] = {
		"Recipient address rejected: User unknown in virtual "
		    "mailbox table",
		"Recipient address rejected: undeliverable address: host "
		    "h[192.0.2.9] said: 550 5.1.1 user unknown",
		"Sender address rejected: Domain not found",
		"Sender address rejected: Access denied",
		"Client host rejected: cannot find your hostname",
		"Service unavailable; Client host blocked using "
		    "zen.spamhaus.org",
		"Relay access denied",
		"Helo command rejected: Host not found",
		"Improper use of SMTP command pipelining",
		"Recipient address rejected: Greylisted, try again later",
		"Temporary lookup failure",
		"Access denied",
		"",
	};
	const char	*t = base[i % (sizeof(base) / sizeof(base[0]))];
	size_t		 k, n, v = i / (sizeof(base) / sizeof(base[0]));

	switch (v % 4) {
	case 0:		/* as Postfix writes it */
		snprintf(b, len, "%s", t);
		break;
	case 1:		/* with an address: a new text each time */
		snprintf(b, len, "%s, [10.%zu.%zu.1]", t, v / 256, v % 256);
		break;
	case 2:		/* cut: a prefix of another reason */
		n = strlen(t);
		snprintf(b, len, "%.*s", (int)(n - n / (v % 7 + 2)), t);
		break;
	default:	/* padded about the memo's longest, or upper case */
		n = (size_t)snprintf(b, len, "%s ", t);
		for (k = n; k < 110 + v % 20 && k + 1 < len; k++)
			b[k] = (char)('a' + k % 26);
		b[k] = '\0';
		if (v % 8 == 7)
			for (k = 0; b[k] != '\0'; k++)
				if (b[k] >= 'a' && b[k] <= 'z')
					b[k] = (char)(b[k] - 'a' + 'A');
		break;
	}
}

/* memo_class - the class a parser gives the reject of reason r */
static enum pf_class
memo_class(struct pf_parser *p, const char *r)
{
	struct pf_event	 ev;
	char		 line[512];
	int		 n;

	n = snprintf(line, sizeof(line), "Nov  1 02:11:18 mx postfix/smtpd"
	    "[7]: NOQUEUE: reject: RCPT from a[192.0.2.1]: 550 5.7.1 "
	    "<b@c.example>: %s; from=<s@d.example> to=<b@c.example> "
	    "proto=ESMTP helo=<h>", r);
	assert_true(pf_parse_line(p, line, (size_t)n, &ev) == PF_EVENT);
	assert_int_equal(ev.kind, PF_EV_REJECT);
	return (ev.class);
}

/* test_class_memo - a reason's remembered class is the rules' class:
 * 400 reasons (every slot of the memo taken by several, some texts the
 * prefix of others, lengths about its longest) in three orders, each
 * against the rules alone (a parser without its fast paths) */
static void
test_class_memo(void **state)
{
	static enum pf_class ref[MEMO_REASONS];
	struct pf_parser *rules = parser_or_fail(), *p = parser_or_fail();
	char		 r[256];
	size_t		 i, j, round, kinds = 0;
	int		 seen[PF_CLASS_COUNT] = { 0 };

	(void)state;
	pf_parser_set_fast(rules, 0);	/* the rules alone, no memory */
	for (i = 0; i < MEMO_REASONS; i++) {
		memo_reason(i, r, sizeof(r));
		ref[i] = memo_class(rules, r);
		if (!seen[ref[i]]++)
			kinds++;
	}
	for (round = 0; round < 3; round++)
		for (j = 0; j < MEMO_REASONS; j++) {
			i = round == 0 ? j : round == 1 ? MEMO_REASONS - 1 - j :
			    (j * 7) % MEMO_REASONS;
			memo_reason(i, r, sizeof(r));
			if (memo_class(p, r) != ref[i])
				fail_msg("reason %zu \"%s\": class %d, the rules "
				    "say %d", i, r, (int)memo_class(p, r),
				    (int)ref[i]);
		}
	pf_parser_free(rules);
	pf_parser_free(p);
	assert_true(kinds >= 8);
}

const struct CMUnitTest fast_tests[] = {
	cmocka_unit_test(test_fast_corpus),
	cmocka_unit_test(test_fast_shapes),
	cmocka_unit_test(test_class_memo),
};
const size_t fast_tests_count = sizeof(fast_tests) / sizeof(fast_tests[0]);

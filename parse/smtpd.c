/*	$fivefifty: smtpd.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	smtpd 3 - the shapes of smtpd(8) and cleanup(8) lines
 * SYNOPSIS
 *	enum pf_result smtpd_parse(struct pf_parser *p, struct pf_event *ev);
 *	enum pf_result cleanup_parse(struct pf_parser *p, struct pf_event *ev);
 * DESCRIPTION
 *	smtpd_parse() picks the one pattern a message can match from its
 *	first words (after an optional "QID: "), so a line costs one or two
 *	pattern runs: rejects (2), session lines, abnormal ends, pipelining,
 *	bare newlines (3.9+),
 *	non-SMTP commands, illegal address syntax, SASL failures, anvil
 *	limits and FCrDNS warnings (4). Known lines that carry no client
 *	evidence (TLS, proxy-accept, configuration warnings) are PF_OTHER.
 *
 *	A cheap test (may_reject()) skips the reject pattern for lines it
 *	cannot match.
 *
 *	cleanup_parse() recognises cleanup's milter-reject, -hold and -discard
 *	(the client at its fixed place right after the stage). Header and
 *	body check actions, milter header actions included,
 *	print up to 200 bytes of the message before the client, so the
 *	client cannot be told apart from text the sender wrote: they are
 *	PF_OTHER, by design.
 */
#include <string.h>

#include "parse_int.h"

static enum pf_result	take_counters(struct pf_parser *, struct pf_event *);

/* starts - does the span start with the string s */
static int
starts(const char *p, size_t len, const char *s)
{
	size_t		n = strlen(s);

	return (len >= n && memcmp(p, s, n) == 0);
}

/* qid_len - length of a "QID: " or "NOQUEUE: " prefix, or 0 */
static size_t
qid_len(const char *p, size_t len)
{
	size_t		i;

	for (i = 0; i < len && i <= 20; i++) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z')))
			break;
	}
	if (i < 5 || i > 20 || i + 1 >= len || p[i] != ':' || p[i + 1] != ' ')
		return (0);
	return (i + 2);
}

/* may_reject - can RX_REJECT match m at all: it needs an action word and
 * ": " at the start, or after the "QID: " (every id is alphanumeric, so
 * the id is the whole alphanumeric run before its ':'). A necessary
 * condition only: most smtpd lines that reach the pattern are TLS and
 * warning chatter, which this tells without a pcre2_match() call. Off
 * with the fast paths (pf_parser_set_fast()), so the tests compare it
 * with the pattern alone. */
static int
may_reject(const char *m, size_t len)
{
#define ACT(s)	{ s, sizeof(s) - 1 }
	static const struct {
		const char	*s;
		size_t		 n;
	} acts[] = { ACT("reject"), ACT("reject_warning"),
	    ACT("milter-reject"), ACT("milter-hold"), ACT("milter-discard"),
	    ACT("hold"), ACT("discard"), ACT("filter"), ACT("redirect"),
	    ACT("bcc"), ACT("warn"), ACT("info"), ACT("hangup"), ACT("delay"),
	    ACT("permit") };
#undef ACT
	size_t		 at[2], i, k, n;
	int		 npos = 1;

	at[0] = 0;
	for (i = 0; i < len && ((m[i] >= '0' && m[i] <= '9') ||
	    (m[i] >= 'A' && m[i] <= 'Z') || (m[i] >= 'a' && m[i] <= 'z')); i++)
		continue;
	if (i + 1 < len && m[i] == ':' && m[i + 1] == ' ')
		at[npos++] = i + 2;
	for (k = 0; k < (size_t)npos; k++)
		for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
			n = acts[i].n;
			if (len - at[k] >= n + 2 && m[at[k]] == acts[i].s[0] &&
			    memcmp(m + at[k], acts[i].s, n) == 0 &&
			    m[at[k] + n] == ':' && m[at[k] + n + 1] == ' ')
				return (1);
		}
	return (0);
}

/* simple - a matched line whose event is just the client and a few spans */
static enum pf_result
simple(struct pf_parser *p, enum rx i, enum pf_kind kind, struct pf_event *ev)
{
	const char	*msg = ev->message.p;

	if (client_take(p, i, msg, ev) == -1)
		return (PF_UNRECOGNISED);
	ev->kind = kind;
	ev->queue_id = rx_span(p, i, G_QID, msg);
	ev->stage = rx_span(p, i, G_STAGE, msg);
	ev->data = rx_span(p, i, G_DATA, msg);
	ev->detail = rx_span(p, i, G_DETAIL, msg);
	ev->command = rx_span(p, i, G_CMD, msg);
	ev->sasl_method = rx_span(p, i, G_SM, msg);
	ev->sasl_username = rx_span(p, i, G_SU, msg);
	ev->sasl_sender = rx_span(p, i, G_SS, msg);
	ev->reason = rx_span(p, i, G_ERR, msg);
	ev->ptr_name = rx_span(p, i, G_PTR, msg);
	ev->count = span_long(rx_span(p, i, G_COUNT, msg), ev->count);
	ev->service = rx_span(p, i, G_SERVICE, msg);
	return (PF_EVENT);
}

/* take_counters - "ehlo=1 mail=1 rcpt=0/5 ... commands=3/7" */
static enum pf_result
take_counters(struct pf_parser *p, struct pf_event *ev)
{
	struct pf_span	 st = rx_span(p, RX_DISCONNECT, G_STATS, ev->message.p);
	const char	*s, *e, *eq, *sl, *tok;
	struct pf_span	 name, num;
	int		 c;

	/* Not a constant length: see pf_parse_line() (rep stosq). */
	memset(ev->counters, 0, p->ctr_clear);
	ev->notes = rx_span(p, RX_DISCONNECT, G_NOTES, ev->message.p);
	if (st.p == NULL)
		return (PF_EVENT);
	s = st.p;
	e = st.p + st.len;
	while (s < e) {
		tok = ++s;			/* skip the space */
		while (s < e && *s != ' ')
			s++;
		eq = memchr(tok, '=', (size_t)(s - tok));
		name.p = tok;
		name.len = (size_t)(eq - tok);
		for (c = 0; c < PF_CMD_COUNT; c++)
			if (name.len > 0 && pf_cmd_name(c)[0] == name.p[0] &&
			    pf_span_eq(name, pf_cmd_name(c)))
				break;
		if (c == PF_CMD_COUNT)
			continue;		/* a counter of a later Postfix */
		sl = memchr(eq, '/', (size_t)(s - eq));
		num.p = eq + 1;
		num.len = (size_t)((sl != NULL ? sl : s) - num.p);
		ev->counters[c].present = 1;
		ev->counters[c].ok = (unsigned long)span_long(num, 0);
		ev->counters[c].total = ev->counters[c].ok;
		if (sl != NULL) {
			num.p = sl + 1;
			num.len = (size_t)(s - num.p);
			ev->counters[c].total = (unsigned long)span_long(num,
			    0);
		}
	}
	return (PF_EVENT);
}

/* smtpd_parse - one smtpd message */
enum pf_result
smtpd_parse(struct pf_parser *p, struct pf_event *ev)
{
	const char	*m = ev->message.p, *r;
	size_t		 len = ev->message.len, q, rlen;
	enum pf_result	 res;

	q = qid_len(m, len);
	r = m + q;
	rlen = len - q;
	if (q == 0 && starts(m, len, "connect from ")) {
		if (rx_match(p, RX_CONNECT, m, len))
			return (simple(p, RX_CONNECT, PF_EV_CONNECT, ev));
	} else if (q == 0 && starts(m, len, "disconnect from ")) {
		if (rx_match(p, RX_DISCONNECT, m, len)) {
			if ((res = simple(p, RX_DISCONNECT, PF_EV_DISCONNECT,
			    ev)) != PF_EVENT)
				return (res);
			return (take_counters(p, ev));
		}
	} else if (q != 0 && starts(r, rlen, "client=")) {
		if (rx_match(p, RX_QUEUED, m, len)) {
			if ((res = simple(p, RX_QUEUED, PF_EV_QUEUED, ev)) !=
			    PF_EVENT)
				return (res);
			ev->orig_queue_id = rx_span(p, RX_QUEUED, G_OQID, m);
			ev->orig_client_name = rx_span(p, RX_QUEUED, G_ONAME, m);
			if (ev->orig_client_name.p != NULL) {
				struct net_prefix on;
				if (addr_normalise(rx_span(p, RX_QUEUED, G_OADDR,
				    m), ev->orig_client_ip,
				    sizeof(ev->orig_client_ip), &on) == -1)
					return (PF_UNRECOGNISED);
			}
			return (PF_EVENT);
		}
	} else if (starts(r, rlen, "lost connection after ") ||
	    starts(r, rlen, "timeout after ") ||
	    starts(r, rlen, "too many errors after ")) {
		if (rx_match(p, RX_ABORT, m, len)) {
			if ((res = simple(p, RX_ABORT, PF_EV_ABORT, ev)) !=
			    PF_EVENT)
				return (res);
			ev->end = rx_span(p, RX_ABORT, G_END, m);
			ev->bytes = span_long(rx_span(p, RX_ABORT, G_BYTES, m),
			    -1);
			return (PF_EVENT);
		}
	} else if (q == 0 && starts(m, len, "improper command pipelining ")) {
		if (rx_match(p, RX_PIPELINING, m, len))
			return (simple(p, RX_PIPELINING, PF_EV_PIPELINING, ev));
	} else if (q == 0 && starts(m, len, "bare <LF> received after ")) {
		if (rx_match(p, RX_BARE_NEWLINE, m, len))
			return (simple(p, RX_BARE_NEWLINE, PF_EV_BARE_NEWLINE,
			    ev));
	} else if (q == 0 && starts(m, len, "non-SMTP command from ")) {
		if (rx_match(p, RX_NON_SMTP, m, len))
			return (simple(p, RX_NON_SMTP, PF_EV_NON_SMTP, ev));
	} else if (q == 0 && starts(m, len, "Illegal address syntax from ")) {
		if (rx_match(p, RX_ILLEGAL, m, len))
			return (simple(p, RX_ILLEGAL, PF_EV_ILLEGAL_ADDRESS,
			    ev));
	} else if (q == 0 && starts(m, len, "hostname ")) {
		if (rx_match(p, RX_FCRDNS, m, len))
			return (simple(p, RX_FCRDNS, PF_EV_FCRDNS, ev));
	} else if ((!p->fast || may_reject(m, len)) &&
	    rx_match(p, RX_REJECT, m, len)) {
		return (reject_take(p, RX_REJECT, ev));
	} else if (q == 0 && rx_match(p, RX_SMTPD_OTHER, m, len)) {
		return (PF_OTHER);	/* TLS chatter is common: test it early */
	} else if (q == 0 && memmem(m, len, ": SASL ", 7) != NULL &&
	    rx_match(p, RX_SASL, m, len)) {
		return (simple(p, RX_SASL, PF_EV_SASL_FAILURE, ev));
	} else if (q == 0 && memmem(m, len, " limit exceeded: ", 17) != NULL &&
	    rx_match(p, RX_RATE, m, len)) {
		return (simple(p, RX_RATE, PF_EV_RATE_LIMIT, ev));
	} else if (q == 0 && memmem(m, len, " sent non-SMTP command: ", 24) !=
	    NULL && rx_match(p, RX_NON_SMTP_OLD, m, len)) {
		return (simple(p, RX_NON_SMTP_OLD, PF_EV_NON_SMTP, ev));
	} else if (q == 0 && rx_match(p, RX_FCRDNS_NOT_LISTED, m, len)) {
		return (simple(p, RX_FCRDNS_NOT_LISTED, PF_EV_FCRDNS, ev));
	} else if (q == 0 && rx_match(p, RX_FCRDNS_VERIFY, m, len)) {
		return (simple(p, RX_FCRDNS_VERIFY, PF_EV_FCRDNS, ev));
	}
	if (rx_match(p, RX_SMTPD_OTHER, m, len))
		return (PF_OTHER);
	return (PF_UNRECOGNISED);
}

/* cleanup_parse - cleanup's milter rejects; everything else is other */
enum pf_result
cleanup_parse(struct pf_parser *p, struct pf_event *ev)
{
	const char	*m = ev->message.p;
	size_t		 len = ev->message.len, q;

	q = qid_len(m, len);
	if (q == 0 || !(starts(m + q, len - q, "milter-reject: ") ||
	    starts(m + q, len - q, "milter-hold: ") ||
	    starts(m + q, len - q, "milter-discard: ")))
		return (PF_OTHER);
	if (rx_match(p, RX_REJECT, m, len))
		return (reject_take(p, RX_REJECT, ev));
	return (PF_UNRECOGNISED);
}

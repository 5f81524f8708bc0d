/*	$fivefifty: reject.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	reject 3 - the reject family: action, stage, code, DSN, object, tail
 * SYNOPSIS
 *	enum pf_result reject_take(struct pf_parser *p, enum rx i,
 *		    struct pf_event *ev);
 * DESCRIPTION
 *	reject_take() reads a match of RX_REJECT or RX_PS_REJECT: queue id,
 *	action, stage, client, and the "; from=<> to=<> proto= helo=<>" tail
 *	(peeled off by the pattern), then splits the text into SMTP code,
 *	enhanced status code, <object> and reason, and classifies the reason.
 *	Cleanup milter rejects carry no 3-digit code; filter, hold, and
 *	postscreen's overload rejects carry no code at all.
 *
 *	An action is enforced when the client was refused: reject,
 *	milter-reject and hangup. reject_warning (warn_if_reject), hold,
 *	discard, filter, redirect, bcc, warn, info, delay and permit are
 *	recognised and marked not enforced.
 * DIAGNOSTICS
 *	PF_UNRECOGNISED when the client address does not validate.
 */
#include <string.h>

#include "parse_int.h"

static void	text_split(struct pf_span, struct pf_event *);

/* isdig - an ASCII digit (never locale-dependent) */
static int
isdig(char c)
{
	return (c >= '0' && c <= '9');
}

/* text_split - CODE SP DSN SP [<OBJECT>: ]REASON */
static void
text_split(struct pf_span t, struct pf_event *ev)
{
	const char	*s = t.p, *e = t.p + t.len, *q;
	size_t		 n;

	if (e - s >= 4 && s[0] >= '2' && s[0] <= '5' && isdig(s[1]) &&
	    isdig(s[2]) && s[3] == ' ') {
		ev->code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + s[2] - '0';
		s += 4;
	}
	/* DSN: class.subject.detail, 1-3 digits each. */
	for (q = s, n = 0; q < e && q - s < 9 && (isdig(*q) || *q == '.'); q++)
		n += *q == '.';
	if (n == 2 && q < e && *q == ' ' && q - s >= 5 && s[0] >= '2' &&
	    s[0] <= '5' && s[1] == '.' && q[-1] != '.') {
		ev->dsn.p = s;
		ev->dsn.len = (size_t)(q - s);
		s = q + 1;
	}
	/* <OBJECT>: the first ">: " closes it (the object is peer text). */
	if (s < e && *s == '<') {
		for (q = s + 1; q + 1 < e; q++)
			if (q[0] == '>' && q[1] == ':')
				break;
		if (q + 1 < e) {
			ev->object.p = s + 1;
			ev->object.len = (size_t)(q - s - 1);
			s = q + 2;
			if (s < e && *s == ' ')
				s++;
		}
	}
	ev->reason.p = s;
	ev->reason.len = (size_t)(e - s);
}

/* reject_take - fill a reject event from a reject-pattern match */
enum pf_result
reject_take(struct pf_parser *p, enum rx i, struct pf_event *ev)
{
	const char	*msg = ev->message.p;
	struct pf_span	 act, text;

	if (client_take(p, i, msg, ev) == -1)
		return (PF_UNRECOGNISED);
	ev->kind = PF_EV_REJECT;
	ev->queue_id = rx_span(p, i, G_QID, msg);
	act = ev->action = rx_span(p, i, G_ACT, msg);
	ev->stage = rx_span(p, i, G_STAGE, msg);
	ev->from = rx_span(p, i, G_FROM, msg);
	ev->to = rx_span(p, i, G_TO, msg);
	ev->proto = rx_span(p, i, G_PROTO, msg);
	ev->helo = rx_span(p, i, G_HELO, msg);
	ev->sasl_method = rx_span(p, i, G_SM, msg);
	ev->sasl_username = rx_span(p, i, G_SU, msg);
	ev->sasl_sender = rx_span(p, i, G_SS, msg);
	text = rx_span(p, i, G_TEXT, msg);
	ev->enforced = pf_span_eq(act, "reject") ||
	    pf_span_eq(act, "milter-reject") || pf_span_eq(act, "hangup");
	text_split(text, ev);
	/* The whole text: a reason like "Service unavailable; Client host
	 * [a] blocked using z" names its class after the first ';'. */
	ev->class = classify(p, text);
	return (PF_EVENT);
}

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
 *	(postscreen's peeled off by its pattern, smtpd's by tail_split()),
 *	then splits the text into SMTP code, enhanced status code, <object>
 *	and reason, and classifies the reason alone: Postfix's own words.
 *	Cleanup milter rejects carry no 3-digit code; filter, hold, and
 *	postscreen's overload rejects carry no code at all.
 * SECURITY
 *	The object and the tail are the client's words (its recipient,
 *	sender, HELO), and can hold ">: ", ";" and a whole fake tail. Their
 *	ends are found by what Postfix logs twice: the object is the tail's
 *	to=, from= or helo= (or the client's name[addr]). Where nothing
 *	tells (several ">: ", no tail that the object echoes), the class is
 *	the one every reading gives, else "other". Logs before Postfix 3.5
 *	do not quote recipients in the tail; there a recipient that carries
 *	a whole fake tail, and an object end that this fake tail echoes, can
 *	still mislead the split.
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

static const char *text_split(struct pf_span, struct pf_event *,
		    struct pf_span, int *, int *);

/* isdig - an ASCII digit (never locale-dependent) */
static int
isdig(char c)
{
	return (c >= '0' && c <= '9');
}

/* bare - the next character of an address that is not a quote or a
 * backslash (the internal and the external form differ only in those),
 * or NULL at e */
static const char *
bare(const char *q, const char *e)
{
	while (q < e && (*q == '"' || *q == '\\'))
		q++;
	return (q < e ? q : NULL);
}

/* same_addr - the object [o, oe) is the logged address v, quotes and
 * backslashes aside, case aside (Postfix echoes the internal form in
 * its reply and logs the external form in the tail since 3.5) */
static int
same_addr(const char *o, const char *oe, struct pf_span v)
{
	const char	*q = v.p, *qe = v.p + v.len;
	char		 a, b;

	if (v.p == NULL)
		return (0);
	/* Most replies echo the address byte for byte: no walk then. */
	if (v.len == (size_t)(oe - o) && memcmp(o, v.p, v.len) == 0)
		return (1);
	for (;;) {
		o = bare(o, oe);
		q = bare(q, qe);
		if (o == NULL || q == NULL)
			return (o == NULL && q == NULL);
		a = *o++;
		b = *q++;
		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return (0);
	}
}

/* object_end - the first place in [q, e) where an echoed <object> can
 * end: ">:" then a space or the end of the text; NULL when none */
static const char *
object_end(const char *q, const char *e)
{
	for (; q + 1 < e && (q = memchr(q, '>', (size_t)(e - q - 1))) !=
	    NULL; q++)
		if (q[1] == ':' && (q + 2 == e || q[2] == ' '))
			return (q);
	return (NULL);
}

/* text_split - CODE SP DSN SP [<OBJECT>: ]REASON; returns where the
 * object ends when the text starts with '<' and more than one ">: " could
 * end it without the tail telling which (*ambiguous set), else NULL.
 *
 * The object is the client's recipient, sender or HELO, echoed by Postfix
 * (3.7 echoes RCPT TO:<"a>: b"@x> as <a>: b@x>), so ">: " can occur in
 * it: the end of the object is the ">: " after which the object equals
 * the tail's to=, from= or helo= (or the client's name[addr]); the
 * longest such. Without one, a single ">: " is the end; several leave it
 * ambiguous (reject_take()). */
static const char *
text_split(struct pf_span t, struct pf_event *ev, struct pf_span namaddr,
    int *ambiguous, int *found)
{
	const char	*s = t.p, *e = t.p + t.len, *q, *first = NULL;
	const char	*match = NULL, *end;
	size_t		 n;
	int		 ncand = 0;

	*ambiguous = *found = 0;
	ev->code = 0;
	ev->dsn.p = ev->object.p = NULL;
	ev->dsn.len = ev->object.len = 0;
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
	if (e - s >= 2 && s[0] == ':' && s[1] == ' ')
		s += 2;		/* an object lost in a copy: "550 5.1.1 : ..." */
	else if (s < e && *s == '<') {
		for (q = s + 1; (q = object_end(q, e)) != NULL; q++) {
			ncand++;
			if (first == NULL)
				first = q;
			if (same_addr(s + 1, q, ev->to) ||
			    same_addr(s + 1, q, ev->from) ||
			    same_addr(s + 1, q, ev->helo) ||
			    same_addr(s + 1, q, namaddr))
				match = q;
		}
		*found = match != NULL || first == NULL ? 1 : 0;
		end = match != NULL ? match : first;
		if (end != NULL) {
			ev->object.p = s + 1;
			ev->object.len = (size_t)(end - s - 1);
			s = end + 2;
			if (s < e && *s == ' ')
				s++;
		}
		if (match == NULL && ncand > 1) {
			*ambiguous = 1;
			return (first);
		}
	} else
		*found = -1;	/* no object */
	ev->reason.p = s;
	ev->reason.len = (size_t)(e - s);
	return (NULL);
}

/* tail_take - the tail fields of a match of pattern i at q */
static void
tail_take(struct pf_parser *p, enum rx i, const char *q, struct pf_event *ev)
{
	ev->from = rx_span(p, i, G_FROM, q);
	ev->to = rx_span(p, i, G_TO, q);
	ev->proto = rx_span(p, i, G_PROTO, q);
	ev->helo = rx_span(p, i, G_HELO, q);
	ev->sasl_method = rx_span(p, i, G_SM, q);
	ev->sasl_username = rx_span(p, i, G_SU, q);
	ev->sasl_sender = rx_span(p, i, G_SS, q);
}

/* tail_split - where Postfix's text ends and its "; from=<> to=<> proto=
 * helo=<>" tail begins, the tail taken into ev; returns the text.
 *
 * Every field of the tail but proto is the client's, and the HELO is
 * logged as sent, so a client can write a whole fake tail: several ';'
 * can each start a tail that reads to the end. Quoted recipients and
 * senders (3.5+) cannot (QVAL). A text without an object takes the first
 * (nothing of the client's comes before the tail). A text with an object
 * takes the last tail that the object echoes (the object is the to=,
 * from= or helo= of the true tail), from the right; when none does, the
 * last tail. */
static struct pf_span
tail_split(struct pf_parser *p, struct pf_span all, struct pf_event *ev,
    struct pf_span namaddr)
{
	struct pf_span	 t;
	size_t		 j, pick = 0;
	enum rx		 i = RX_TAIL;
	int		 ambiguous, found, have = 0;

again:
	for (j = all.len; j-- > 0; ) {
		if (all.p[j] != ';' ||
		    !rx_match(p, i, all.p + j, all.len - j))
			continue;
		tail_take(p, i, all.p + j, ev);
		t.p = all.p;
		t.len = j;
		(void)text_split(t, ev, namaddr, &ambiguous, &found);
		if (!have || found == -1)
			pick = j;	/* the last, or the first of no object */
		have = 1;
		if (found == 1)
			return (t);
	}
	if (!have && i == RX_TAIL) {
		i = RX_TAIL_LOOSE;	/* a raw value with a lone quote */
		goto again;
	}
	if (!have) {
		memset(&ev->from, 0, sizeof(ev->from));
		ev->to = ev->proto = ev->helo = ev->from;
		ev->sasl_method = ev->sasl_username = ev->sasl_sender = ev->from;
		return (all);
	}
	if (rx_match(p, i, all.p + pick, all.len - pick))
		tail_take(p, i, all.p + pick, ev);
	t.p = all.p;
	t.len = pick;
	return (t);
}

/* class_ambiguous - the class when Postfix's words cannot be told from
 * the object's: the one every possible end of the object gives, else
 * "other" (a reject, never one of the named abuse classes, whose words
 * the client could have written) */
static enum pf_class
class_ambiguous(struct pf_parser *p, const char *q, const char *e)
{
	struct pf_span	 r;
	enum pf_class	 c = PF_CLASS_COUNT, k;

	for (; (q = object_end(q, e)) != NULL; q++) {
		r.p = q + 2 + (q + 2 < e);
		r.len = (size_t)(e - r.p);
		k = classify(p, r);
		if (c != PF_CLASS_COUNT && k != c)
			return (PF_CLASS_OTHER);
		c = k;
	}
	return (c == PF_CLASS_COUNT ? PF_CLASS_OTHER : c);
}

/* reject_take - fill a reject event from a reject-pattern match */
enum pf_result
reject_take(struct pf_parser *p, enum rx i, struct pf_event *ev)
{
	const char	*msg = ev->message.p;
	struct pf_span	 act, text, namaddr, addr, all;
	const char	*amb;
	int		 ambiguous, found;

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
	namaddr.p = ev->client_name.p;
	namaddr.len = 0;
	if (namaddr.p != NULL && (addr = rx_span(p, i, G_ADDR, msg)).p != NULL)
		namaddr.len = (size_t)(addr.p + addr.len + 1 - namaddr.p);
	if (i == RX_REJECT && text.p != NULL) {
		all.p = text.p;
		all.len = (size_t)(msg + ev->message.len - text.p);
		text = tail_split(p, all, ev, namaddr);
	}
	amb = text_split(text, ev, namaddr, &ambiguous, &found);
	/* Postfix's words only: the reason, after the object the client
	 * chose and before the tail (a reason like "Service unavailable;
	 * Client host [a] blocked using z" names its class after its ';'). */
	ev->class = ambiguous ? class_ambiguous(p, amb, text.p + text.len) :
	    classify(p, ev->reason);
	return (PF_EVENT);
}

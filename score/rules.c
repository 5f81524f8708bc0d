/*	$fivefifty: rules.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	rules 3 - what counts as abuse, and how much it weighs
 * SYNOPSIS
 *	void	rules_event(struct scorer *s, struct session *ss,
 *		    const struct pf_event *ev, long long t);
 *	void	rules_session_end(struct scorer *s, struct session *ss,
 *		    const struct who *who, long long t);
 *	void	rules_accepted(struct client_mem *m, long n, long long t);
 *	void	rules_unknowns(struct scorer *s, const struct who *who,
 *		    struct client_mem *m, const uint64_t *h, int nh,
 *		    long extra, uint64_t seed, long long t);
 *	void	rules_sasl(struct scorer *s, const struct who *who,
 *		    long long t, int n, int auth_ok);
 * DESCRIPTION
 *	rules_event() notes in the session what a line shows and adds the
 *	evidence that needs no session context: relay attempts, DNSBL and
 *	HELO abuse (once a session each), improper pipelining, non-SMTP
 *	commands, bare newlines, SASL failures, postscreen's violations.
 *	Of the rejects only the enforced 5xx ones count, for every rule
 *	(refused_5xx()): a 4xx or a reject_warning is never evidence.
 *
 *	rules_session_end() judges the session as a whole, against who (its
 *	client, parsed once by session_end()):
 *
 *	five-fifty. A session's enforced 5xx rejects (not the policy or
 *	server-trouble classes; reject_warning and 4xx never) are remembered
 *	per client as attempts: a hash of (sender, recipient), or "any
 *	attempt" when the reject was about the client itself (client host,
 *	HELO, DNSBL), for fivefifty_window from the first 5xx (a 5xx of a
 *	forgotten attempt starts it over). A later session of the same
 *	client that began after the 5xx was given (not a parallel
 *	connection opened before it), repeats a remembered attempt, and in
 *	which nothing was accepted (no queued message, no accepted
 *	recipient) is a retry after a five-fifty and weighs w_fivefifty,
 *	once per session. The fivefifty_retries-th retry of the same attempt
 *	within fivefifty_window bans however slowly it came (decay alone
 *	would forget a client that retries once a day), unless the client
 *	had mail accepted in that window: a server whose one cron job fails
 *	the same way every day is no retry-bot, and is banned only when it
 *	comes back again and again (the weights adding up faster than they
 *	decay). A session with accepted mail never counts: mailing-list
 *	servers re-send each post to the same dead subscribers, but the
 *	rest of each post is accepted.
 *
 *	dictionary. The distinct unknown (or unverified) recipients of the
 *	client in the last dict_window, minus the recipients it got
 *	accepted in that window; rcpt=0/N on the disconnect line counts
 *	its N refused recipients when fewer were logged. When that excess
 *	reaches dict_threshold, the session weighs w_dictionary. "too many
 *	errors" and a silent session (commands=0/0) add their own weights.
 *
 *	When the scorer shares evidence with other nodes (share.c), the
 *	five-fifty rule is share.c's (the same rule, symmetric in time:
 *	a 5xx that arrives after its retry still finds it), and the
 *	dictionary and SASL counts are unions that do not depend on the
 *	order their parts arrive in: rules_accepted() keeps the accepted
 *	mail by time, rules_unknowns() adds unknown recipients (h, and
 *	extra refused ones named from seed) at the latest time each was
 *	seen and judges the set at its newest time, rules_sasl() adds a
 *	session's n SASL failures (and a success) and judges the whole
 *	window. Without sharing, nothing changes: one log read by one node
 *	decides as it always did.
 * SECURITY
 *	Peer text is hashed for matching; evidence details keep it escaped
 *	and capped (peer_text()).
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "score_int.h"
#include "util/str.h"
#include "util/util.h"

/* span_hash - hash of a span (absent and empty differ) */
static uint64_t
span_hash(struct pf_span sp, uint64_t seed)
{
	if (sp.p == NULL)
		return (hash64("\1absent", 7, seed));
	return (hash64(sp.p, sp.len, seed));
}

/* peer_text - label, then peer text escaped (control bytes, backslash and
 * non-ASCII as \xNN) and capped at cap input bytes ("..." when cut) */
void
peer_text(char *out, size_t len, const char *label, struct pf_span sp,
    size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t		w, i;

	/* By hand: snprintf() was most of the scoring thread's time here. */
	str_copy(out, len, label);
	w = strlen(out);
	for (i = 0; sp.p != NULL && i < sp.len && w + 5 < len && i < cap; i++) {
		unsigned char c = (unsigned char)sp.p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[w++] = (char)c;
		else {
			out[w++] = '\\';
			out[w++] = 'x';
			out[w++] = hex[c >> 4];
			out[w++] = hex[c & 15];
		}
	}
	if (sp.p != NULL && sp.len > cap && w + 4 < len) {
		memcpy(out + w, "...", 3);
		w += 3;
	}
	out[w < len ? w : len - 1] = '\0';
}

/* refused_5xx - an enforced permanent (5xx) reject: the only reject that
 * weighs. A 4xx asks the client to come back (greylisting, a HELO that
 * does not resolve yet, defer_unauth_destination's 454), and a
 * reject_warning refused nothing: neither ever adds score. */
static int
refused_5xx(const struct pf_event *ev)
{
	int		first = ev->code / 100;

	if (ev->code == 0 && ev->dsn.p != NULL && ev->dsn.len > 0)
		first = ev->dsn.p[0] - '0';	/* cleanup milter: no code */
	return (ev->enforced && first == 5);
}

/* permanent - an enforced 5xx reject that can make a five-fifty */
int
permanent(const struct pf_event *ev)
{
	return (refused_5xx(ev) && ev->class != PF_CLASS_POLICY &&
	    ev->class != PF_CLASS_SERVER_TROUBLE);
}

/* attempt_key - what a retry must repeat */
static uint64_t
attempt_key(const struct pf_event *ev)
{
	if (ev->class == PF_CLASS_CLIENT_HOST || ev->class == PF_CLASS_HELO ||
	    ev->class == PF_CLASS_DNSBL)
		return (ANY_ATTEMPT);
	return (span_hash(ev->to, span_hash(ev->from, 0x550)) | 2);
}

/* helo_abuse - why a HELO name is abusive, or NULL */
static const char *
helo_abuse(struct pf_span h, const char *myhostname)
{
	size_t		i;
	int		dot = 0;

	if (h.p == NULL)
		return (NULL);
	if (h.len == 0)
		return ("empty HELO");
	if (h.p[0] == '[')
		return (NULL);		/* an address literal */
	if ((h.len == 6 && strncasecmp(h.p, "friend", 6) == 0))
		return ("HELO friend");
	if ((h.len == 9 && strncasecmp(h.p, "localhost", 9) == 0) ||
	    (h.len == 21 && strncasecmp(h.p, "localhost.localdomain", 21) == 0))
		return ("HELO localhost");
	if (myhostname[0] != '\0' && strlen(myhostname) == h.len &&
	    strncasecmp(h.p, myhostname, h.len) == 0)
		return ("HELO with our own name");
	for (i = 0; i < h.len; i++) {
		unsigned char c = (unsigned char)h.p[i];
		if (c == '.')
			dot = 1;
		else if (!isalnum(c) && c != '-' && c != '_')
			return ("invalid HELO");
	}
	return (dot ? NULL : "HELO not fully qualified");
}

/* ev_name - the client's verified name: the session's, or the event's
 * (into buf); "" when unknown */
static const char *
ev_name(const struct session *ss, const struct pf_event *ev, char *buf,
    size_t len)
{
	if (ss != NULL && ss->name[0] != '\0')
		return (ss->name);
	if (ev->client_name.p != NULL && ev->client_name.len < len &&
	    !(ev->client_name.len == 7 &&
	    memcmp(ev->client_name.p, "unknown", 7) == 0)) {
		memcpy(buf, ev->client_name.p, ev->client_name.len);
		buf[ev->client_name.len] = '\0';
		return (buf);
	}
	return ("");
}

/* ev_who - the event's client as the parser parsed it, with the
 * session's (or the event's, into buf) verified name */
static void
ev_who(const struct session *ss, const struct pf_event *ev, char *buf,
    size_t len, struct who *who)
{
	who->net = ev->client_net;
	who->addr = ev->client_ip;
	who->name = ev_name(ss, ev, buf, len);
}

/* evidence - add weight against the session's (or event's) client */
static void
evidence(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t, double w, const char *rule, const char *detail)
{
	char		 vname[256];
	struct who	 who;

	if (w <= 0 || ev->client_ip[0] == '\0')
		return;
	ev_who(ss, ev, vname, sizeof(vname), &who);
	add_evidence(s, &who, t, w, rule, detail);
}

/* within - log time u is within w seconds before t */
static int
within(long long u, long long t, double w)
{
	return ((double)(t - u) <= w);
}

/* tally_width - the seconds of one slot of a window of w seconds */
static int32_t
tally_width(double w)
{
	double	 s = floor(w / TALLY_SLOTS);

	return (s < 1 ? 1 : s > INT32_MAX ? INT32_MAX : (int32_t)s);
}

/* tally_add - n events at log time t, in a window of w seconds (a new
 * window length starts the count over) */
static void
tally_add(struct tally *tl, long long t, double w, int n)
{
	int32_t		 width = tally_width(w);
	long long	 slot = t / width, k;
	long		 v;

	if (tl->width != width) {
		memset(tl, 0, sizeof(*tl));
		tl->width = width;
		tl->slot = slot;
	}
	if (slot > tl->slot) {
		k = slot - tl->slot;
		if (k >= TALLY_SLOTS)
			memset(tl->n, 0, sizeof(tl->n));
		else {
			memmove(tl->n + k, tl->n, (size_t)(TALLY_SLOTS - k) *
			    sizeof(tl->n[0]));
			memset(tl->n, 0, (size_t)k * sizeof(tl->n[0]));
		}
		tl->slot = slot;
	}
	k = tl->slot - slot;	/* a line a little out of order */
	if (k < TALLY_SLOTS) {
		v = (long)tl->n[k] + n;
		tl->n[k] = (uint16_t)(v > UINT16_MAX ? UINT16_MAX : v);
	}
}

/* tally_sum - the events in the window of w seconds that ends at t */
static long
tally_sum(const struct tally *tl, long long t, double w)
{
	int32_t		 width = tally_width(w);
	long long	 d, i;
	long		 sum = 0;

	if (tl->width != width)
		return (0);
	d = tl->slot - t / width;	/* slot t is in: n[d] */
	for (i = d < 0 ? 0 : d; i < TALLY_SLOTS && i < d + TALLY_SLOTS; i++)
		sum += tl->n[i];
	return (sum);
}

/* last_accept - when the client last had mail accepted (0: never) */
static long long
last_accept(const struct client_mem *m)
{
	long long	 last = 0;
	int		 i;

	for (i = 0; i < ACCEPT_KEEP; i++)
		if (m->accept_n[i] > 0 && m->accept_t[i] > last)
			last = m->accept_t[i];
	return (last);
}

/* slow_mem - the rules' memory of who for the slow-abuse counts, the
 * entry pinned (pin[0]: the caller saved it); NULL when out of memory */
static struct client_mem *
slow_mem(struct scorer *s, const struct who *who, long long t)
{
	struct client	*cl;

	if ((cl = client_at(s, &who->net, who->addr, t)) == NULL)
		return (NULL);
	s->pin[0] = cl;		/* the evidence may make other entries */
	client_touch(s, cl);	/* its memory changes */
	return (client_mem(s, cl));
}

/* sasl_count - n SASL failures of who at t: sasl_failures_day of them
 * within sasl_failures_window, and no successful AUTH in it, ban */
static void
sasl_count(struct scorer *s, const struct who *who, long long t, int n)
{
	const struct score_conf *c = &s->conf;
	struct client	*keep = s->pin[0];
	struct client_mem *m;
	char		 d[96];
	long		 sum;

	if (n <= 0 || c->sasl_failures_day <= 0 ||
	    (m = slow_mem(s, who, t)) == NULL) {
		s->pin[0] = keep;
		return;
	}
	tally_add(&m->sasl, t, c->sasl_window, n);
	/* Shared: the whole window as of its newest slot, whatever came
	 * late (the count is a union, arriving in any order). */
	if (s->share && m->sasl.slot * m->sasl.width > t)
		t = m->sasl.slot * m->sasl.width;
	sum = tally_sum(&m->sasl, t, c->sasl_window);
	if (sum >= c->sasl_failures_day && !(m->auth_ok_t != 0 &&
	    within(m->auth_ok_t, t, c->sasl_window))) {
		snprintf(d, sizeof(d), "%ld failures in %.0f s, no AUTH "
		    "succeeded", sum, c->sasl_window);
		/* However slow: decay would forget a failure an hour. */
		add_evidence(s, who, t, c->ban_threshold,
		    "SASL failures in a day", d);
	}
	s->pin[0] = keep;
}

/* auth_success - who authenticated at t: no SASL ban for a while */
static void
auth_success(struct scorer *s, const struct who *who, long long t)
{
	struct client	*keep = s->pin[0];
	struct client_mem *m;

	if (s->conf.sasl_failures_day > 0 &&
	    (m = slow_mem(s, who, t)) != NULL && t > m->auth_ok_t)
		m->auth_ok_t = t;
	s->pin[0] = keep;
}

/* count_in - "N in W s", as snprintf()'s "%ld in %.0f s" writes it; by
 * hand for a whole W (a postscreen violation past the day's count
 * writes it each time) */
static void
count_in(char *out, size_t len, long n, double w)
{
	char		 tmp[48];
	unsigned long long u;
	size_t		 k = sizeof(tmp), l;
	int		 neg = n < 0;

	if (!(w >= 0 && w < 1e15 && w == (double)(long long)w) ||
	    len < sizeof(tmp)) {
		snprintf(out, len, "%ld in %.0f s", n, w);
		return;
	}
	tmp[--k] = '\0';
	tmp[--k] = 's';
	tmp[--k] = ' ';
	u = (unsigned long long)w;
	do
		tmp[--k] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	k -= 4;
	memcpy(tmp + k, " in ", 4);
	u = neg ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	do
		tmp[--k] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (neg)
		tmp[--k] = '-';
	l = sizeof(tmp) - k;
	memcpy(out, tmp + k, l);
}

/* ps_count - a postscreen protocol violation of addr at t: the
 * postscreen_violations_day-th within its window bans */
static void
ps_count(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t)
{
	const struct score_conf *c = &s->conf;
	struct client	*keep = s->pin[0];
	struct client_mem *m;
	char		 d[96], vname[256];
	struct who	 who;
	long		 sum;

	ev_who(ss, ev, vname, sizeof(vname), &who);
	if (c->ps_violations_day <= 0 ||
	    (m = slow_mem(s, &who, t)) == NULL) {
		s->pin[0] = keep;
		return;
	}
	tally_add(&m->psv, t, c->ps_window, 1);
	sum = tally_sum(&m->psv, t, c->ps_window);
	if (sum >= c->ps_violations_day) {
		count_in(d, sizeof(d), sum, c->ps_window);
		/* Legitimate MTAs never talk first: whatever the decay. */
		add_evidence(s, &who, t, c->ban_threshold,
		    "postscreen violations in a day", d);
	}
	s->pin[0] = keep;
}

/* listed_may_weigh - whether a DNSBL reject of who at t may weigh: not
 * when the client had mail accepted within accepted_window (a DNSBL's
 * verdict on a server we take mail from is not ours to enforce); makes
 * the entry's memory, where a DNSBL ban is counted (scorer.c) */
static int
listed_may_weigh(struct scorer *s, const struct who *who, long long t)
{
	struct client	*keep = s->pin[0];
	struct client_mem *m;
	long long	 last;
	int		 ok = 1;

	if ((m = slow_mem(s, who, t)) != NULL &&
	    (last = last_accept(m)) != 0 &&
	    within(last, t, s->conf.accepted_window))
		ok = 0;
	s->pin[0] = keep;
	return (ok);
}

/* remember_unknown - a distinct unknown recipient of this session */
static void
remember_unknown(struct session *ss, uint64_t h)
{
	int		i;

	for (i = 0; i < ss->nunknown; i++)
		if (ss->unknown[i] == h)
			return;
	if (ss->nunknown < UNKNOWN_KEEP)
		ss->unknown[ss->nunknown++] = h;
}

/* reject_attempt - a permanent 5xx of the session: an attempt a later
 * session may retry (five-fifty), and an unknown recipient */
static void
reject_attempt(struct scorer *s, struct session *ss,
    const struct pf_event *ev, long long t)
{
	uint64_t	 k;
	int		 i;

	ss->any_attempt = 1;
	if (permanent(ev)) {
		ss->nperm++;
		ss->nperm_own += ev->class != PF_CLASS_DNSBL;
	}
	/* A DNSBL listing is someone else's verdict: its rejects weigh as
	 * DNSBL rejects only, never as five-fifty attempts (a listed
	 * relay's separate messages and bounces are no retries). */
	if (permanent(ev) && ev->class != PF_CLASS_DNSBL) {
		k = attempt_key(ev);
		for (i = 0; i < ss->nrejects; i++)
			if (ss->rejects[i].key == k)
				break;
		if (i == ss->nrejects && i < SESSION_REJECTS) {
			ss->rejects[i].key = k;
			ss->rejects[i].t = t;
			ss->rejects[i].code = (int16_t)ev->code;
			ss->rejects[i].retries = 0;
			/* The newest session when the 5xx was logged: only
			 * those made after it (in log order, not by the
			 * second) can be retries of it. */
			ss->rejects[i].session = s->next_session;
			ss->nrejects++;
		}
	}
	if (ev->enforced && (ev->class == PF_CLASS_UNKNOWN_RECIPIENT ||
	    ev->class == PF_CLASS_UNVERIFIED_RECIPIENT))
		remember_unknown(ss, span_hash(ev->to, 0xd1c7));
}

/* reject_event - a reject line: the session's attempts, and the
 * evidence of relay attempts, DNSBL listings and HELO abuse (once a
 * session each), rejected pipelining; 5xx only */
static void
reject_event(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t)
{
	const struct score_conf *c = &s->conf;
	const char	*why;
	char		 d[96], vname[256];
	struct who	 who;

	if (ss != NULL && pf_span_eq(ev->stage, "RCPT"))
		ss->rcpt_rejects++;	/* logged, 4xx or not */
	if (!refused_5xx(ev))
		return;		/* every signal below: 5xx only */
	if (ss != NULL)
		reject_attempt(s, ss, ev, t);
	if (ev->class == PF_CLASS_RELAY_DENIED && ev->enforced) {
		peer_text(d, sizeof(d), "relay to ", ev->to, DETAIL_CAP);
		evidence(s, ss, ev, t, c->w_relay, "relay attempt", d);
	}
	if (ev->class == PF_CLASS_DNSBL && ev->enforced &&
	    (ss == NULL || !ss->helo_abuse_dnsbl)) {
		if (ss != NULL)
			ss->helo_abuse_dnsbl = 1;
		peer_text(d, sizeof(d), "", ev->reason, DETAIL_CAP);
		ev_who(ss, ev, vname, sizeof(vname), &who);
		if (listed_may_weigh(s, &who, t))
			evidence(s, ss, ev, t, c->w_dnsbl, RULE_DNSBL, d);
	}
	why = ev->class == PF_CLASS_HELO && ev->enforced ?
	    "HELO rejected" : helo_abuse(ev->helo, c->myhostname);
	if (why != NULL && (ss == NULL || !ss->helo_abuse)) {
		if (ss != NULL)
			ss->helo_abuse = 1;
		peer_text(d, sizeof(d), "HELO ", ev->helo, DETAIL_CAP);
		evidence(s, ss, ev, t, c->w_helo, why, d);
	}
	if (ev->class == PF_CLASS_PIPELINING && ev->enforced)
		evidence(s, ss, ev, t, c->w_pipelining, "protocol violation",
		    "rejected");
}

/* disconnect_event - the disconnect line's counters, for the session's
 * judgement: accepted and refused recipients, silence, AUTH */
static void
disconnect_event(struct session *ss, const struct pf_event *ev)
{
	const struct pf_counter *a = &ev->counters[PF_CMD_AUTH];

	if (ev->counters[PF_CMD_RCPT].present) {
		ss->have_counters = 1;
		ss->rcpt_ok = (long)ev->counters[PF_CMD_RCPT].ok;
		ss->rcpt_total = (long)ev->counters[PF_CMD_RCPT].total;
	}
	if (ev->counters[PF_CMD_COMMANDS].present &&
	    ev->counters[PF_CMD_COMMANDS].total == 0)
		ss->silent = 1;
	if (a->present) {
		if (a->ok > 0)
			ss->auth_ok = 1;
		if (a->total > a->ok)
			ss->auth_failed = a->total - a->ok > INT_MAX ?
			    INT_MAX : (int)(a->total - a->ok);
	}
}

/* abort_event - "too many errors", and an AUTH that did not succeed:
 * AUTH where it is not offered (no SASL line), or a guesser that hangs
 * up */
static void
abort_event(struct session *ss, const struct pf_event *ev)
{
	if (pf_span_eq(ev->end, "too many errors"))
		ss->too_many_errors = 1;
	if (pf_span_eq(ev->stage, "AUTH") &&
	    (pf_span_eq(ev->end, "lost connection") ||
	    pf_span_eq(ev->end, "timeout")))
		ss->auth_lost = 1;
}

/* sasl_event - a SASL failure line: its weight, and the count of the
 * slow rule */
static void
sasl_event(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t)
{
	char		 d[96], vname[256];
	struct who	 who;

	peer_text(d, sizeof(d), "user ", ev->sasl_username, DETAIL_CAP);
	evidence(s, ss, ev, t, s->conf.w_sasl, "SASL failure", d);
	if (ss != NULL)
		ss->sasl_lines++;	/* auth=0/N counts it too */
	ev_who(ss, ev, vname, sizeof(vname), &who);
	sasl_count(s, &who, t, 1);
}

/* ps_violation_event - postscreen's protocol violations; BARE NEWLINE
 * and the limits are not counted for the slow rule: real MTAs do send
 * bare newlines, and meet the limits on slow links */
static void
ps_violation_event(struct scorer *s, struct session *ss,
    const struct pf_event *ev, long long t)
{
	const struct score_conf *c = &s->conf;

	if (pf_span_eq(ev->detail, "COMMAND PIPELINING")) {
		evidence(s, ss, ev, t, c->w_ps_pipelining,
		    "COMMAND PIPELINING", "");
		ps_count(s, ss, ev, t);
	} else if (pf_span_eq(ev->detail, "NON-SMTP COMMAND")) {
		evidence(s, ss, ev, t, c->w_ps_non_smtp, "NON-SMTP COMMAND",
		    "");
		ps_count(s, ss, ev, t);
	} else if (pf_span_eq(ev->detail, "BARE NEWLINE"))
		evidence(s, ss, ev, t, c->w_ps_bare_newline, "BARE NEWLINE",
		    "");
	else
		evidence(s, ss, ev, t, c->w_ps_limit, "postscreen limit", "");
}

/* rules_event - what one line shows */
void
rules_event(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t)
{
	const struct score_conf *c = &s->conf;
	char		 d[96], vname[256];
	struct who	 who;

	switch (ev->kind) {
	case PF_EV_REJECT:
		reject_event(s, ss, ev, t);
		break;
	case PF_EV_QUEUED:
		if (ss != NULL)
			ss->queued++;
		if (ev->sasl_username.p != NULL && ev->sasl_username.len > 0) {
			if (ss != NULL)
				ss->auth_ok = 1;
			ev_who(ss, ev, vname, sizeof(vname), &who);
			auth_success(s, &who, t);
		}
		break;
	case PF_EV_DISCONNECT:
		if (ss != NULL)
			disconnect_event(ss, ev);
		break;
	case PF_EV_ABORT:
		if (ss != NULL)
			abort_event(ss, ev);
		break;
	case PF_EV_PIPELINING:
		evidence(s, ss, ev, t, c->w_pipelining, "improper pipelining",
		    "");
		break;
	case PF_EV_BARE_NEWLINE:
		evidence(s, ss, ev, t, c->w_ps_bare_newline, "bare newline",
		    "");
		break;
	case PF_EV_NON_SMTP:
		peer_text(d, sizeof(d), "sent ", ev->data, DETAIL_CAP);
		evidence(s, ss, ev, t, c->w_non_smtp, "non-SMTP command", d);
		break;
	case PF_EV_SASL_FAILURE:
		sasl_event(s, ss, ev, t);
		break;
	case PF_EV_PREGREET:
		evidence(s, ss, ev, t, c->w_pregreet, "PREGREET", "");
		ps_count(s, ss, ev, t);
		break;
	case PF_EV_PS_VIOLATION:
		ps_violation_event(s, ss, ev, t);
		break;
	default:
		break;
	}
}

/* slow_session_end - the session's AUTH failures that no SASL line told
 * (auth=0/N, an AUTH where none is offered), and its permanent rejects
 * for the reject burst */
static void
slow_session_end(struct scorer *s, struct session *ss, const struct who *who,
    long long t, int accepted)
{
	const struct score_conf *c = &s->conf;
	struct client	*keep = s->pin[0];
	struct client_mem *m;
	char		 d[96];
	double		 win = c->reject_burst_window;
	long long	 last;
	long		 sum;
	int		 failed, extra, listed;

	/* One session's failures once: the SASL lines were counted as
	 * they came; auth=0/N and a lost AUTH tell the same failures. */
	failed = ss->auth_failed;
	if (failed < 1 && ss->auth_lost && !ss->auth_ok)
		failed = 1;
	extra = failed - ss->sasl_lines;
	if (extra > 0) {
		snprintf(d, sizeof(d), "%s", ss->auth_failed > 0 ?
		    "auth=N/M: failed AUTH commands" :
		    "lost connection after AUTH");
		add_evidence(s, who, t, c->w_sasl * extra, "SASL failure", d);
		sasl_count(s, who, t, extra);
	}
	if (ss->auth_ok)
		auth_success(s, who, t);

	/* The burst: reject_burst permanent rejects in its window, nothing
	 * accepted then nor within accepted_window. */
	if (ss->nperm == 0 || c->reject_burst <= 0 ||
	    (m = slow_mem(s, who, t)) == NULL) {
		s->pin[0] = keep;
		return;
	}
	tally_add(&m->burst, t, win, ss->nperm);
	if (ss->nperm_own > 0 && t > m->own_5xx_t)
		m->own_5xx_t = t;
	sum = tally_sum(&m->burst, t, win);
	last = last_accept(m);
	if (!accepted && sum >= c->reject_burst && (last == 0 ||
	    !within(last, t, fmax(win, c->accepted_window)))) {
		/* Nothing but a DNSBL's rejects: its verdict, not ours. */
		listed = m->own_5xx_t == 0 || !within(m->own_5xx_t, t, win);
		snprintf(d, sizeof(d), "%ld permanent rejects in %.0f s, "
		    "nothing accepted", sum, win);
		add_evidence(s, who, t, c->ban_threshold,
		    listed ? RULE_DNSBL_BURST : "reject burst", d);
	}
	s->pin[0] = keep;
}

/* note_accepted - the session had mail accepted: remembered by time */
static void
note_accepted(struct client_mem *m, const struct session *ss, long long t)
{
	memmove(m->accept_t + 1, m->accept_t,
	    sizeof(m->accept_t) - sizeof(m->accept_t[0]));
	memmove(m->accept_n + 1, m->accept_n,
	    sizeof(m->accept_n) - sizeof(m->accept_n[0]));
	m->accept_t[0] = t;
	m->accept_n[0] = ss->rcpt_ok > 0 ? (int)ss->rcpt_ok : ss->queued;
}

/* retried - the remembered attempt this session retries, or -1: a
 * session that began before the 5xx was logged (its own, or a parallel
 * connection of the same client) did not come back after it (session
 * ids are given in log order) */
static int
retried(const struct scorer *s, const struct session *ss,
    const struct client_mem *m, long long t)
{
	int		 i, j;

	for (i = 0; i < m->nattempts; i++) {
		const struct attempt *a = &m->attempts[i];
		if (ss->id <= a->session ||
		    !within(a->t, t, s->conf.fivefifty_window))
			continue;
		if (a->key == ANY_ATTEMPT)
			return (i);
		for (j = 0; j < ss->nrejects; j++)
			if (ss->rejects[j].key == a->key)
				return (i);
	}
	return (-1);
}

/* fivefifty - the session retried remembered attempt a, with nothing
 * accepted: its weight, or a ban at the fivefifty_retries-th retry */
static void
fivefifty(struct scorer *s, const struct who *who, struct client_mem *m,
    struct attempt *a, long long t)
{
	const struct score_conf *c = &s->conf;
	char		 when[32], d[96];
	int		 mail = m->accept_n[0] > 0 &&
	    within(m->accept_t[0], t, c->fivefifty_window);

	if (utc_format(a->t, when, sizeof(when)) == -1)
		snprintf(when, sizeof(when), "?");
	if (a->retries < INT16_MAX)
		a->retries++;
	snprintf(d, sizeof(d), "came back after a %d %s (retry %d%s)",
	    a->code, when, a->retries, mail ? ", has mail accepted" : "");
	/* Decay forgets a retrier that waits a day between tries; the count
	 * of retries within fivefifty_window does not. A client that had
	 * mail accepted in the window is no retry-bot: one job of it
	 * failing the same way every day is not banned, only coming back
	 * again and again (the weights adding up before they decay). */
	add_evidence(s, who, t, c->fivefifty_retries > 0 && !mail &&
	    a->retries >= c->fivefifty_retries ?
	    fmax(c->w_fivefifty, c->ban_threshold) : c->w_fivefifty,
	    "five-fifty", d);
}

/* remember_attempts - the session's 5xx attempts into the client's
 * memory, for fivefifty_window from the first (a forgotten one starts
 * over) */
static void
remember_attempts(const struct scorer *s, const struct session *ss,
    struct client_mem *m, long long t)
{
	int		 i, j;

	for (j = 0; j < ss->nrejects; j++) {
		for (i = 0; i < m->nattempts; i++)
			if (m->attempts[i].key == ss->rejects[j].key)
				break;
		if (i < m->nattempts && within(m->attempts[i].t, t,
		    s->conf.fivefifty_window))
			continue;	/* keep the first time */
		if (i < m->nattempts)	/* forgotten: this 5xx starts over */
			m->attempts[i] = ss->rejects[j];
		else if (m->nattempts < ATTEMPTS_KEEP)
			m->attempts[m->nattempts++] = ss->rejects[j];
		else {
			memmove(m->attempts, m->attempts + 1,
			    sizeof(m->attempts) - sizeof(m->attempts[0]));
			m->attempts[ATTEMPTS_KEEP - 1] = ss->rejects[j];
		}
	}
}

/* remember_unknowns - the session's distinct unknown recipients, and
 * the extra refused ones no reject line told about, into the client's
 * memory */
static void
remember_unknowns(const struct session *ss, struct client_mem *m,
    long extra, long long t)
{
	uint64_t	 h;
	int		 i, j;

	for (i = 0; i < ss->nunknown + (extra > 0 ? extra : 0); i++) {
		h = i < ss->nunknown ? ss->unknown[i] :
		    hash64((const char *)&i, sizeof(i), ss->id);
		for (j = 0; j < m->nunknown; j++)
			if (m->unknown[j] == h)
				break;
		if (j < m->nunknown) {
			m->unknown_t[j] = t;
			continue;
		}
		if (m->nunknown == UNKNOWN_KEEP) {
			memmove(m->unknown, m->unknown + 1,
			    sizeof(m->unknown) - sizeof(uint64_t));
			memmove(m->unknown_t, m->unknown_t + 1,
			    sizeof(m->unknown_t) - sizeof(long long));
			m->nunknown--;
		}
		m->unknown[m->nunknown] = h;
		m->unknown_t[m->nunknown++] = t;
	}
}

/* dictionary - distinct unknown recipients in dict_window against the
 * recipients accepted in it */
static void
dictionary(struct scorer *s, const struct who *who,
    const struct client_mem *m, long long t)
{
	const struct score_conf *c = &s->conf;
	char		 d[96];
	int		 j, distinct = 0, acc = 0;

	for (j = 0; j < m->nunknown; j++)
		distinct += within(m->unknown_t[j], t, c->dict_window);
	for (j = 0; j < ACCEPT_KEEP; j++)
		if (m->accept_n[j] > 0 &&
		    within(m->accept_t[j], t, c->dict_window))
			acc += m->accept_n[j];
	if (distinct - acc >= c->dict_threshold) {
		snprintf(d, sizeof(d), "%d unknown recipients, %d accepted, "
		    "in %.0f s", distinct, acc, c->dict_window);
		add_evidence(s, who, t, c->w_dictionary, "dictionary", d);
	}
}

/* rules_accepted - n recipients accepted at t, kept newest first
 * whatever order the sessions of the nodes arrive in */
void
rules_accepted(struct client_mem *m, long n, long long t)
{
	int		 i;

	if (n <= 0)
		return;
	for (i = 0; i < ACCEPT_KEEP && m->accept_n[i] > 0 &&
	    m->accept_t[i] > t; i++)
		continue;
	if (i == ACCEPT_KEEP)
		return;		/* older than all kept */
	memmove(m->accept_t + i + 1, m->accept_t + i,
	    (size_t)(ACCEPT_KEEP - i - 1) * sizeof(m->accept_t[0]));
	memmove(m->accept_n + i + 1, m->accept_n + i,
	    (size_t)(ACCEPT_KEEP - i - 1) * sizeof(m->accept_n[0]));
	m->accept_t[i] = t;
	m->accept_n[i] = n > INT_MAX ? INT_MAX : (int)n;
}

/* unknown_put - one unknown recipient seen at t: its latest time kept;
 * when the set is full, the one seen the longest ago goes (the set is
 * the same whatever order its parts came in) */
static void
unknown_put(struct client_mem *m, uint64_t h, long long t)
{
	int		 j, old = 0;

	for (j = 0; j < m->nunknown; j++)
		if (m->unknown[j] == h) {
			if (t > m->unknown_t[j])
				m->unknown_t[j] = t;
			return;
		}
	if (m->nunknown < UNKNOWN_KEEP) {
		m->unknown[m->nunknown] = h;
		m->unknown_t[m->nunknown++] = t;
		return;
	}
	for (j = 1; j < m->nunknown; j++)
		if (m->unknown_t[j] < m->unknown_t[old] ||
		    (m->unknown_t[j] == m->unknown_t[old] &&
		    m->unknown[j] < m->unknown[old]))
			old = j;
	if (m->unknown_t[old] > t)
		return;		/* older than every one kept */
	m->unknown[old] = h;
	m->unknown_t[old] = t;
}

/* rules_unknowns - a session's unknown recipients (h) and its extra
 * refused ones (named from seed) at t, into the union of every node's;
 * the dictionary judged as of the newest of them */
void
rules_unknowns(struct scorer *s, const struct who *who, struct client_mem *m,
    const uint64_t *h, int nh, long extra, uint64_t seed, long long t)
{
	long long	 newest = t;
	int		 i;

	if (nh <= 0 && extra <= 0)
		return;
	for (i = 0; i < nh; i++)
		unknown_put(m, h[i], t);
	for (i = 0; i < extra && i < UNKNOWN_KEEP; i++)
		unknown_put(m, hash64((const char *)&i, sizeof(i), seed), t);
	for (i = 0; i < m->nunknown; i++)
		if (m->unknown_t[i] > newest)
			newest = m->unknown_t[i];
	dictionary(s, who, m, newest);
}

/* rules_sasl - another node's session: n SASL failures at t, and
 * whether AUTH succeeded */
void
rules_sasl(struct scorer *s, const struct who *who, long long t, int n,
    int auth_ok)
{
	if (auth_ok)
		auth_success(s, who, t);
	sasl_count(s, who, t, n);
}

/* rules_session_end - five-fifty and dictionary, judged per session */
void
rules_session_end(struct scorer *s, struct session *ss, const struct who *who,
    long long t)
{
	const struct score_conf *c = &s->conf;
	struct client	*cl;
	struct client_mem *m;
	int		 accepted, retry = -1;
	long		 extra;

	if (ss->addr[0] == '\0' || who->addr[0] == '\0')
		return;
	accepted = ss->queued > 0 || ss->rcpt_ok > 0;
	/* Refused recipients that no reject line told about (syntax errors
	 * and the like): rcpt=0/N minus the logged RCPT rejects. */
	extra = ss->have_counters && ss->rcpt_ok == 0 ?
	    ss->rcpt_total - ss->rcpt_rejects : 0;
	/* A session with nothing to remember makes no entry: most clients
	 * (postscreen passes, clean deliveries) never need one. */
	if (!accepted && ss->nrejects == 0 && ss->nunknown == 0 &&
	    extra <= 0 && !ss->too_many_errors && !ss->silent &&
	    client_lookup(s, &who->net) == NULL) {
		slow_session_end(s, ss, who, t, accepted);
		return;
	}
	if ((cl = client_at(s, &who->net, who->addr, t)) == NULL ||
	    (m = client_mem(s, cl)) == NULL)
		return;
	s->pin[0] = cl;	/* the evidence below makes other entries */
	if (s->share) {
		/* Shared: the rules of every node's sessions (share.c). */
		if (accepted)
			rules_accepted(m, ss->rcpt_ok > 0 ? ss->rcpt_ok :
			    ss->queued, t);
		share_session_end(s, ss, who, m, t, extra);
		rules_unknowns(s, who, m, ss->unknown, ss->nunknown, extra,
		    ss->id, t);
		goto judged;
	}
	if (accepted)
		note_accepted(m, ss, t);
	/* five-fifty: a retry of a remembered 5xx, nothing accepted. */
	if (!accepted && (ss->nrejects > 0 || ss->any_attempt))
		retry = retried(s, ss, m, t);
	if (retry != -1)
		fivefifty(s, who, m, &m->attempts[retry], t);
	remember_attempts(s, ss, m, t);
	/* dictionary: distinct unknown recipients against accepted ones. */
	remember_unknowns(ss, m, extra, t);
	if (ss->nunknown > 0 || extra > 0)
		dictionary(s, who, m, t);
judged:
	client_touch(s, cl);	/* its memory changed */
	s->pin[0] = NULL;
	if (ss->too_many_errors)
		add_evidence(s, who, t, c->w_too_many_errors,
		    "too many errors", "");
	if (ss->silent)
		add_evidence(s, who, t, c->w_silent, "silent session",
		    "commands=0/0");
	slow_session_end(s, ss, who, t, accepted);	/* after the rules
							 * above: they tip a
							 * ban first */
}

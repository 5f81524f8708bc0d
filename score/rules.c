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
 *		    long long t);
 *	uint64_t hash64(const char *p, size_t n, uint64_t seed);
 * DESCRIPTION
 *	rules_event() notes in the session what a line shows and adds the
 *	evidence that needs no session context: relay attempts, DNSBL and
 *	HELO abuse (once a session each), improper pipelining, non-SMTP
 *	commands, bare newlines, SASL failures, postscreen's violations.
 *	Of the rejects only the enforced 5xx ones count, for every rule
 *	(refused_5xx()): a 4xx or a reject_warning is never evidence.
 *
 *	rules_session_end() judges the session as a whole:
 *
 *	five-fifty. A session's enforced 5xx rejects (not the policy or
 *	server-trouble classes; reject_warning and 4xx never) are remembered
 *	per client as attempts: a hash of (sender, recipient), or "any
 *	attempt" when the reject was about the client itself (client host,
 *	HELO, DNSBL). A later session of the same client that repeats a
 *	remembered attempt and in which nothing was accepted (no queued
 *	message, no accepted recipient) is a retry after a five-fifty and
 *	weighs w_fivefifty, once per session; the fivefifty_retries-th retry
 *	of the same attempt within fivefifty_window bans however slowly it
 *	came (decay alone would forget a client that retries once a day). A
 *	session with accepted mail
 *	never counts: mailing-list servers re-send each post to the same
 *	dead subscribers, but the rest of each post is accepted.
 *
 *	dictionary. The distinct unknown (or unverified) recipients of the
 *	client in the last dict_window, minus the recipients it got
 *	accepted in that window; rcpt=0/N on the disconnect line counts
 *	its N refused recipients when fewer were logged. When that excess
 *	reaches dict_threshold, the session weighs w_dictionary. "too many
 *	errors" and a silent session (commands=0/0) add their own weights.
 * SECURITY
 *	Peer text is hashed for matching; evidence details keep it escaped
 *	and capped (peer_text()).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "score_int.h"

/* hash64 - FNV-1a, seeded */
uint64_t
hash64(const char *p, size_t n, uint64_t seed)
{
	uint64_t	h = 0xcbf29ce484222325ULL ^ seed;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return (h);
}

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
	size_t		w, i;

	w = (size_t)snprintf(out, len, "%s", label);
	for (i = 0; sp.p != NULL && i < sp.len && w + 5 < len && i < cap; i++) {
		unsigned char c = (unsigned char)sp.p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[w++] = (char)c;
		else
			w += (size_t)snprintf(out + w, len - w, "\\x%02x", c);
	}
	if (sp.p != NULL && sp.len > cap && w + 4 < len)
		w += (size_t)snprintf(out + w, len - w, "...");
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

/* evidence - add weight against the session's (or event's) client */
static void
evidence(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t, double w, const char *rule, const char *detail)
{
	const char	*name = ss != NULL ? ss->name : "";
	char		 vname[256];

	if (w <= 0 || ev->client_ip[0] == '\0')
		return;
	if (name[0] == '\0' && ev->client_name.p != NULL &&
	    ev->client_name.len < sizeof(vname) &&
	    !(ev->client_name.len == 7 &&
	    memcmp(ev->client_name.p, "unknown", 7) == 0)) {
		memcpy(vname, ev->client_name.p, ev->client_name.len);
		vname[ev->client_name.len] = '\0';
		name = vname;
	}
	add_evidence(s, ev->client_ip, name, t, w, rule, detail);
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

/* rules_event - what one line shows */
void
rules_event(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t)
{
	const struct score_conf *c = &s->conf;
	const char	*why;
	char		 d[96];
	int		 i;

	switch (ev->kind) {
	case PF_EV_REJECT:
		if (ss != NULL && pf_span_eq(ev->stage, "RCPT"))
			ss->rcpt_rejects++;	/* logged, 4xx or not */
		if (!refused_5xx(ev))
			break;		/* every signal below: 5xx only */
		if (ss != NULL)
			ss->any_attempt = 1;
		if (ss != NULL && permanent(ev)) {
			uint64_t k = attempt_key(ev);
			for (i = 0; i < ss->nrejects; i++)
				if (ss->rejects[i].key == k)
					break;
			if (i == ss->nrejects && i < SESSION_REJECTS) {
				ss->rejects[i].key = k;
				ss->rejects[i].t = t;
				ss->rejects[i].code = (int16_t)ev->code;
				ss->rejects[i].retries = 0;
				ss->rejects[i].session = ss->id;
				ss->nrejects++;
			}
		}
		if (ss != NULL && ev->enforced &&
		    (ev->class == PF_CLASS_UNKNOWN_RECIPIENT ||
		    ev->class == PF_CLASS_UNVERIFIED_RECIPIENT))
			remember_unknown(ss, span_hash(ev->to, 0xd1c7));
		if (ev->class == PF_CLASS_RELAY_DENIED && ev->enforced) {
			peer_text(d, sizeof(d), "relay to ", ev->to, DETAIL_CAP);
			evidence(s, ss, ev, t, c->w_relay, "relay attempt", d);
		}
		if (ev->class == PF_CLASS_DNSBL && ev->enforced &&
		    (ss == NULL || !ss->helo_abuse_dnsbl)) {
			if (ss != NULL)
				ss->helo_abuse_dnsbl = 1;
			peer_text(d, sizeof(d), "", ev->reason, DETAIL_CAP);
			evidence(s, ss, ev, t, c->w_dnsbl, "DNSBL reject", d);
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
			evidence(s, ss, ev, t, c->w_pipelining,
			    "protocol violation", "rejected");
		break;
	case PF_EV_QUEUED:
		if (ss != NULL)
			ss->queued++;
		break;
	case PF_EV_DISCONNECT:
		if (ss != NULL && ev->counters[PF_CMD_RCPT].present) {
			ss->have_counters = 1;
			ss->rcpt_ok = (long)ev->counters[PF_CMD_RCPT].ok;
			ss->rcpt_total = (long)ev->counters[PF_CMD_RCPT].total;
		}
		if (ss != NULL && ev->counters[PF_CMD_COMMANDS].present &&
		    ev->counters[PF_CMD_COMMANDS].total == 0)
			ss->silent = 1;
		break;
	case PF_EV_ABORT:
		if (ss != NULL && pf_span_eq(ev->end, "too many errors"))
			ss->too_many_errors = 1;
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
		peer_text(d, sizeof(d), "user ", ev->sasl_username, DETAIL_CAP);
		evidence(s, ss, ev, t, c->w_sasl, "SASL failure", d);
		break;
	case PF_EV_PREGREET:
		evidence(s, ss, ev, t, c->w_pregreet, "PREGREET", "");
		break;
	case PF_EV_PS_VIOLATION:
		if (pf_span_eq(ev->detail, "COMMAND PIPELINING"))
			evidence(s, ss, ev, t, c->w_ps_pipelining,
			    "COMMAND PIPELINING", "");
		else if (pf_span_eq(ev->detail, "NON-SMTP COMMAND"))
			evidence(s, ss, ev, t, c->w_ps_non_smtp,
			    "NON-SMTP COMMAND", "");
		else if (pf_span_eq(ev->detail, "BARE NEWLINE"))
			evidence(s, ss, ev, t, c->w_ps_bare_newline,
			    "BARE NEWLINE", "");
		else
			evidence(s, ss, ev, t, c->w_ps_limit,
			    "postscreen limit", "");
		break;
	default:
		break;
	}
}

/* within - log time u is within w seconds before t */
static int
within(long long u, long long t, double w)
{
	return ((double)(t - u) <= w);
}

/* rules_session_end - five-fifty and dictionary, judged per session */
void
rules_session_end(struct scorer *s, struct session *ss, long long t)
{
	const struct score_conf *c = &s->conf;
	struct client	*cl;
	struct client_mem *m;
	char		 d[96];
	int		 accepted, i, j, retry = -1, distinct = 0, acc = 0;
	long		 extra;

	if (ss->addr[0] == '\0')
		return;
	accepted = ss->queued > 0 || ss->rcpt_ok > 0;
	extra = ss->have_counters && ss->rcpt_ok == 0 ?
	    ss->rcpt_total - ss->rcpt_rejects : 0;
	/* A session with nothing to remember makes no entry: most clients
	 * (postscreen passes, clean deliveries) never need one. */
	if (!accepted && ss->nrejects == 0 && ss->nunknown == 0 &&
	    extra <= 0 && !ss->too_many_errors && !ss->silent &&
	    client_find(s, ss->addr, -1) == NULL)
		return;
	if ((cl = client_get(s, ss->addr, -1, t)) == NULL ||
	    (m = client_mem(s, cl)) == NULL)
		return;
	s->pin[0] = cl;		/* the evidence below makes other entries */
	if (accepted) {
		memmove(m->accept_t + 1, m->accept_t,
		    sizeof(m->accept_t) - sizeof(m->accept_t[0]));
		memmove(m->accept_n + 1, m->accept_n,
		    sizeof(m->accept_n) - sizeof(m->accept_n[0]));
		m->accept_t[0] = t;
		m->accept_n[0] = ss->rcpt_ok > 0 ? (int)ss->rcpt_ok :
		    ss->queued;
	}

	/* five-fifty: a retry of a remembered 5xx, nothing accepted. */
	if (!accepted && (ss->nrejects > 0 || ss->any_attempt))
		for (i = 0; retry == -1 && i < m->nattempts; i++) {
			struct attempt *a = &m->attempts[i];
			if (a->session == ss->id ||
			    !within(a->t, t, c->fivefifty_window))
				continue;
			if (a->key == ANY_ATTEMPT)
				retry = i;
			for (j = 0; retry == -1 && j < ss->nrejects; j++)
				if (ss->rejects[j].key == a->key)
					retry = i;
		}
	if (retry != -1) {
		struct attempt *a = &m->attempts[retry];
		time_t first = (time_t)a->t;
		struct tm tm;
		char when[32] = "?";
		if (gmtime_r(&first, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (a->retries < INT16_MAX)
			a->retries++;
		snprintf(d, sizeof(d), "came back after a %d %s (retry %d)",
		    a->code, when, a->retries);
		/* Decay forgets a retrier that waits a day between tries;
		 * the count of retries within fivefifty_window does not. */
		add_evidence(s, ss->addr, ss->name, t,
		    c->fivefifty_retries > 0 &&
		    a->retries >= c->fivefifty_retries ?
		    fmax(c->w_fivefifty, c->ban_threshold) : c->w_fivefifty,
		    "five-fifty", d);
	}
	for (j = 0; j < ss->nrejects; j++) {
		for (i = 0; i < m->nattempts; i++)
			if (m->attempts[i].key == ss->rejects[j].key)
				break;
		if (i < m->nattempts)
			continue;	/* keep the first time */
		if (m->nattempts < ATTEMPTS_KEEP)
			m->attempts[m->nattempts++] = ss->rejects[j];
		else {
			memmove(m->attempts, m->attempts + 1,
			    sizeof(m->attempts) - sizeof(m->attempts[0]));
			m->attempts[ATTEMPTS_KEEP - 1] = ss->rejects[j];
		}
	}

	/* dictionary: distinct unknown recipients against accepted ones. */
	/* Refused recipients that no reject line told about (syntax
	 * errors and the like): rcpt=0/N minus the logged RCPT rejects,
	 * computed above as extra. */
	for (i = 0; i < ss->nunknown + (extra > 0 ? extra : 0); i++) {
		uint64_t h = i < ss->nunknown ? ss->unknown[i] :
		    hash64((const char *)&i, sizeof(i), ss->id);
		for (j = 0; j < m->nunknown; j++)
			if (m->unknown[j] == h)
				break;
		if (j == m->nunknown) {
			if (m->nunknown == UNKNOWN_KEEP) {
				memmove(m->unknown, m->unknown + 1,
				    sizeof(m->unknown) - sizeof(uint64_t));
				memmove(m->unknown_t, m->unknown_t + 1,
				    sizeof(m->unknown_t) - sizeof(long long));
				m->nunknown--;
			}
			m->unknown[m->nunknown] = h;
			m->unknown_t[m->nunknown++] = t;
		} else
			m->unknown_t[j] = t;
	}
	if (ss->nunknown > 0 || extra > 0) {
		for (j = 0; j < m->nunknown; j++)
			distinct += within(m->unknown_t[j], t, c->dict_window);
		for (j = 0; j < ACCEPT_KEEP; j++)
			if (m->accept_n[j] > 0 &&
			    within(m->accept_t[j], t, c->dict_window))
				acc += m->accept_n[j];
		if (distinct - acc >= c->dict_threshold) {
			snprintf(d, sizeof(d), "%d unknown recipients, %d "
			    "accepted, in %.0f s", distinct, acc,
			    c->dict_window);
			add_evidence(s, ss->addr, ss->name, t,
			    c->w_dictionary, "dictionary", d);
		}
	}
	client_touch(s, cl);	/* its memory changed */
	s->pin[0] = NULL;
	if (ss->too_many_errors)
		add_evidence(s, ss->addr, ss->name, t, c->w_too_many_errors,
		    "too many errors", "");
	if (ss->silent)
		add_evidence(s, ss->addr, ss->name, t, c->w_silent,
		    "silent session", "commands=0/0");
}

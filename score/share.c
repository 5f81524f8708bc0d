/*	$fivefifty: share.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	share 3 - shared evidence: what a node tells the others, and what
 *	it makes of what they tell
 * SYNOPSIS
 *	void	scorer_share(struct scorer *s, const char *node);
 *	int	scorer_observe(struct scorer *s, const char *node,
 *		    const void *rec, size_t len);
 *	int	scorer_shared(struct scorer *s, int (*fn)(void *,
 *		    const char *, long long, const void *, size_t),
 *		    void *arg);
 *	unsigned long long scorer_observe_refused(const struct scorer *s);
 *	void	share_evidence(struct scorer *s, const struct who *who,
 *		    long long t, double w, const char *rule);
 *	void	share_decision(struct scorer *s,
 *		    const struct score_decision *d);
 *	void	share_session_end(struct scorer *s, struct session *ss,
 *		    const struct who *who, struct client_mem *m,
 *		    long long t, long extra);
 *	void	share_free(struct scorer *s, struct client_mem *m);
 *	size_t	share_pack(const struct client_share *sh,
 *		    unsigned char *blob);
 *	int	share_unpack(struct scorer *s, struct client_mem *m,
 *		    const unsigned char **r, const unsigned char *end);
 * DESCRIPTION
 *	Nodes exchange observations, not log lines. scorer_share() makes a
 *	scorer share as node: from then on it keeps, for the other nodes,
 *	a record of
 *	- each session it judged that the cross-session rules need (one
 *	  that tried something, had mail accepted, or failed AUTH): the
 *	  client, its start and end, how much was accepted, its 5xx
 *	  attempts (the hashes rules.c makes: fixed seeds, the same on
 *	  every node) with their times, its unknown recipients' hashes and
 *	  its refused recipients that no line told, its SASL failures;
 *	- each piece of evidence a single session or line gives (a relay
 *	  attempt, a HELO, a SASL failure, postscreen's verdicts...), by
 *	  rule and weight; never what the cross-session rules derive from
 *	  the union (five-fifty, dictionary, SASL failures in a day: each
 *	  node derives those itself);
 *	- each ban and unban it made, so that every node counts a client's
 *	  bans alike (ban_count n: the n-th ban).
 *	No record holds peer text: addresses, the client's verified name
 *	(for the whitelist) and hashes. scorer_shared() hands the records
 *	out (fn: the client, the log time, the bytes), oldest first, and
 *	keeps them (fn NULL: forgets them all): the state stores them with
 *	the batch of the lines that made them, in one transaction, and
 *	they are forgotten once the batch is made.
 *
 *	scorer_observe() applies another node's record. Its evidence counts
 *	in the score (decayed from its own time: add_weight() makes the sum
 *	commutative) but is not stored again nor shared again (its node
 *	stored it). Sessions feed the rules:
 *	- five-fifty, symmetric in time. Attempts are kept per (key, node)
 *	  from their first 5xx, and so are the recent sessions that tried
 *	  something with nothing accepted. A session of node B is a retry
 *	  of an attempt of node A when it repeats it (or the attempt was
 *	  about the client itself), began after the 5xx (on one node: after
 *	  the session that was newest then, as rules.c says; across nodes:
 *	  by log time, the same second counting) and ended within
 *	  fivefifty_window of it. Whichever of the two arrives second finds
 *	  the pair, so the retries counted do not depend on the order: a
 *	  5xx that arrives after its retry was judged still makes it one
 *	  (dated at the retry's end). A session is one retry at most; the
 *	  fivefifty_retries-th retry of a key (all its attempts together)
 *	  bans unless mail was accepted in the window.
 *	- dictionary and SASL: unions (rules.c).
 *	A record that does not decode is refused (-1) and counted
 *	(scorer_observe_refused()).
 *
 *	share_evidence(), share_decision() and share_session_end() are
 *	the scorer's hooks (scorer.c, rules.c); with sharing on, a local
 *	session's five-fifty is judged here too, so that every node runs
 *	one rule. share_pack() and share_unpack() store the shared memory
 *	in a client's blob (persist.c); share_free() drops it.
 * SECURITY
 *	A record comes from the shared state (another node, or anyone who
 *	may write there): every length is checked against the record before
 *	it is read, an address is parsed, a name is kept only for the
 *	whitelist (capped, never output nor stored).
 */
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"
#include "util/util.h"

#define OBS_VERSION	1
#define OBS_SESSION	1
#define OBS_EVIDENCE	2
#define OBS_BAN		3
#define OBS_LIFT	4
#define OBS_MAX		1024	/* bytes of a record, at most */
#define OBS_OTHER	255	/* a rule this node does not know */

/* The rules whose evidence is shared, by their number in a record. */
static const char *const rules[] = {
	"SASL failure", "relay attempt", RULE_DNSBL, "HELO rejected",
	"empty HELO", "HELO friend", "HELO localhost",
	"HELO with our own name", "invalid HELO", "HELO not fully qualified",
	"protocol violation", "improper pipelining", "bare newline",
	"non-SMTP command", "PREGREET", "COMMAND PIPELINING",
	"NON-SMTP COMMAND", "BARE NEWLINE", "postscreen limit",
	"postscreen violations in a day", "too many errors", "silent session",
	"reject burst", RULE_DNSBL_BURST,
};
#define NRULES	((int)(sizeof(rules) / sizeof(rules[0])))

/* Rules every node derives from the union itself: never shared. */
static const char *const derived[] = {
	"five-fifty", "dictionary", "SASL failures in a day",
};

/* A record being written or read. */
struct rec {
	unsigned char	*w;		/* writing */
	const unsigned char *r, *end;	/* reading */
	int		 bad;
};

/* put - n bytes of v, little-endian */
static void
put(struct rec *o, unsigned long long v, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		*o->w++ = (unsigned char)(v >> (8 * i));
}

/* get - n bytes, little-endian; 0 (and bad set) past the end */
static unsigned long long
get(struct rec *o, int n)
{
	unsigned long long v = 0;
	int		 i;

	if (o->bad || o->end - o->r < n) {
		o->bad = 1;
		return (0);
	}
	for (i = 0; i < n; i++)
		v |= (unsigned long long)*o->r++ << (8 * i);
	return (v);
}

/* put_str - a short string: its length, then its bytes (capped) */
static void
put_str(struct rec *o, const char *str, size_t cap)
{
	size_t	n = strlen(str);

	if (n > cap)
		n = cap;
	*o->w++ = (unsigned char)n;
	memcpy(o->w, str, n);
	o->w += n;
}

/* get_str - a short string into buf (len > 255); "" and bad when it
 * does not fit the record */
static void
get_str(struct rec *o, char *buf, size_t len)
{
	size_t	n = (size_t)get(o, 1);

	if (o->bad || (size_t)(o->end - o->r) < n || n >= len) {
		o->bad = 1;
		buf[0] = '\0';
		return;
	}
	memcpy(buf, o->r, n);
	buf[n] = '\0';
	o->r += n;
}

/* node_id - a node's number in the rules' memory: never 0 */
static uint32_t
node_id(const char *node)
{
	uint64_t	h = hash64(node, strlen(node), 0x40de);

	return ((uint32_t)(h ^ h >> 32) | 1);
}

/* scorer_share - share evidence with the other nodes, as node */
void
scorer_share(struct scorer *s, const char *node)
{
	s->share = 1;
	s->node_id = node_id(node);
}

/* scorer_observe_refused - records scorer_observe() refused */
unsigned long long
scorer_observe_refused(const struct scorer *s)
{
	return (s->obs_bad);
}

/* out_begin - room for one record (OBS_MAX bytes) in the outbox, its
 * header written; NULL when memory runs out (the record is lost: the
 * other nodes see less, this node decides as before) */
static unsigned char *
out_begin(struct scorer *s, struct rec *o, int kind, long long t,
    const char *addr, const char *name)
{
	unsigned char	*p;
	size_t		 cap;

	if (s->outlen + OBS_MAX + 4 > s->outcap) {
		cap = s->outcap ? s->outcap * 2 : 65536;
		if ((p = realloc(s->out, cap)) == NULL)
			return (NULL);
		s->out = p;
		s->outcap = cap;
	}
	o->w = s->out + s->outlen + 4;	/* after its length */
	put(o, OBS_VERSION, 1);
	put(o, (unsigned)kind, 1);
	put(o, (unsigned long long)t, 8);
	put_str(o, addr, PF_ADDR_MAX - 1);
	put_str(o, name != NULL ? name : "", 255);
	return (s->out + s->outlen);
}

/* out_end - the record is complete: its length before it */
static void
out_end(struct scorer *s, struct rec *o, unsigned char *start)
{
	size_t		 n = (size_t)(o->w - start) - 4;
	struct rec	 l = { .w = start };

	put(&l, n, 4);
	s->outlen += n + 4;
}

/* share_evidence - a single session's (or line's) evidence, for the
 * other nodes */
void
share_evidence(struct scorer *s, const struct who *who, long long t,
    double w, const char *rule)
{
	struct rec	 o;
	unsigned char	*p;
	uint64_t	 bits;
	size_t		 i;
	int		 k;

	if (!s->share || s->remote)
		return;
	for (i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (strcmp(rule, derived[i]) == 0)
			return;
	for (k = 0; k < NRULES && strcmp(rule, rules[k]) != 0; k++)
		continue;
	if ((p = out_begin(s, &o, OBS_EVIDENCE, t, who->addr,
	    who->name)) == NULL)
		return;
	put(&o, k < NRULES ? (unsigned)k : OBS_OTHER, 1);
	memcpy(&bits, &w, sizeof(bits));
	put(&o, bits, 8);
	out_end(s, &o, p);
}

/* share_decision - a ban or an unban, for the other nodes */
void
share_decision(struct scorer *s, const struct score_decision *d)
{
	struct rec	 o;
	unsigned char	*p;

	if (!s->share)
		return;		/* this node's, even when another's record
				 * tipped it */
	if ((p = out_begin(s, &o, d->lift ? OBS_LIFT : OBS_BAN, d->at,
	    d->addr, "")) == NULL)
		return;
	if (!d->lift) {
		put(&o, (unsigned long long)d->until, 8);
		put(&o, (unsigned)d->ban_count, 4);
		put(&o, (unsigned)d->manual, 1);
	}
	out_end(s, &o, p);
}

/* within - log time u is within w seconds before t */
static int
within(long long u, long long t, double w)
{
	return ((double)(t - u) <= w);
}

/* sh_mem - the shared memory of m, made if needed; NULL when out of
 * memory */
static struct client_share *
sh_mem(struct scorer *s, struct client_mem *m)
{
	if (m->sh == NULL && (m->sh = calloc(1, sizeof(*m->sh))) != NULL)
		s->client_bytes += sizeof(*m->sh) + 16;
	return (m->sh);
}

/* share_free - drop m's shared memory */
void
share_free(struct scorer *s, struct client_mem *m)
{
	if (m == NULL || m->sh == NULL)
		return;
	free(m->sh);
	m->sh = NULL;
	s->client_bytes -= sizeof(struct client_share) + 16;
}

/* is_retry - session e repeats attempt a after it (see DESCRIPTION) */
static int
is_retry(const struct scorer *s, const struct sh_attempt *a,
    const struct sh_session *e)
{
	int	 i, same = a->key == ANY_ATTEMPT;

	for (i = 0; i < e->nkeys && !same; i++)
		same = e->keys[i] == a->key;
	if (!same || e->end < a->t ||
	    !within(a->t, e->end, s->conf.fivefifty_window))
		return (0);
	if (a->node == e->node)		/* one node: its session order */
		return (e->sid > a->marker);
	return (e->start >= a->t);
}

/* key_retries - the retries of key, all its attempts together */
static int
key_retries(const struct client_share *sh, uint64_t key)
{
	int	 i, n = 0;

	for (i = 0; i < sh->natt; i++)
		if (sh->att[i].key == key)
			n += sh->att[i].retries;
	return (n);
}

/* retry - session e is a retry of attempt a: its weight at e's end, or
 * a ban at the fivefifty_retries-th retry of the key, unless the client
 * had mail accepted in the window; stored here only when e is this
 * node's session (its node stores it otherwise) */
static void
retry(struct scorer *s, const struct who *who, struct client_mem *m,
    struct sh_attempt *a, struct sh_session *e)
{
	const struct score_conf *c = &s->conf;
	char		 when[32], d[96];
	int		 n, mail, keep = s->remote;

	e->counted = 1;
	if (a->retries < INT32_MAX)
		a->retries++;
	n = key_retries(m->sh, a->key);
	mail = m->accept_n[0] > 0 && within(m->accept_t[0], e->end,
	    c->fivefifty_window);
	if (utc_format(a->t, when, sizeof(when)) == -1)
		snprintf(when, sizeof(when), "?");
	snprintf(d, sizeof(d), "came back after a %d %s (retry %d%s%s)",
	    a->code, when, n, mail ? ", has mail accepted" : "",
	    a->node != e->node ? ", another node" : "");
	s->remote = !e->local;
	add_evidence(s, who, e->end, c->fivefifty_retries > 0 && !mail &&
	    n >= c->fivefifty_retries ? fmax(c->w_fivefifty,
	    c->ban_threshold) : c->w_fivefifty, "five-fifty", d);
	s->remote = keep;
}

/* att_put - a 5xx of key at t on node (its newest session then: marker):
 * kept per (key, node) from the first within the window (a forgotten
 * one starts over); the entry when it is new or earlier now, else -1 */
static int
att_put(struct scorer *s, struct client_share *sh, const struct attempt *r,
    uint32_t node)
{
	struct sh_attempt *a;
	int		 i, old = 0;

	for (i = 0; i < sh->natt; i++) {
		a = &sh->att[i];
		if (a->key != r->key || a->node != node)
			continue;
		if (r->t >= a->t && within(a->t, r->t,
		    s->conf.fivefifty_window))
			return (-1);	/* the first is kept */
		if (r->t < a->t && within(r->t, a->t,
		    s->conf.fivefifty_window)) {
			a->t = r->t;	/* an earlier one came late */
			a->marker = r->session;
			a->code = r->code;
			return (i);
		}
		break;			/* forgotten: it starts over */
	}
	if (i == sh->natt && sh->natt < SHARE_ATTEMPTS)
		sh->natt++;
	else if (i == sh->natt) {
		for (i = 1, old = 0; i < sh->natt; i++)
			if (sh->att[i].t < sh->att[old].t)
				old = i;
		i = old;
	}
	a = &sh->att[i];
	a->key = r->key;
	a->t = r->t;
	a->node = node;
	a->marker = r->session;
	a->code = r->code;
	a->retries = 0;
	return (i);
}

/* ses_put - a session that tried something with nothing accepted, kept
 * for the 5xx that may come late (the oldest goes when full) */
static void
ses_put(struct client_share *sh, const struct sh_session *e)
{
	int	 i, old = 0;

	if (sh->nses < SHARE_SESSIONS) {
		sh->ses[sh->nses++] = *e;
		return;
	}
	for (i = 1; i < sh->nses; i++)
		if (sh->ses[i].end < sh->ses[old].end)
			old = i;
	if (sh->ses[old].end <= e->end)
		sh->ses[old] = *e;
}

/* fivefifty - session e (its 5xx attempts r) against every node's
 * attempts and sessions, in either order */
static void
fivefifty(struct scorer *s, const struct who *who, struct client_mem *m,
    struct sh_session *e, const struct attempt *r, int nr, int accepted)
{
	struct client_share *sh;
	struct sh_attempt *best = NULL, *a;
	int		 i, j, k, tries = !accepted && (e->nkeys > 0 || e->any);

	if ((sh = sh_mem(s, m)) == NULL)
		return;
	/* Prune what the window forgot. */
	for (i = 0; i < sh->nses; i++)
		if (!within(sh->ses[i].end, e->end, s->conf.fivefifty_window))
			sh->ses[i--] = sh->ses[--sh->nses];
	/* This session, a retry of an attempt known: the earliest. */
	for (i = 0; tries && i < sh->natt; i++) {
		a = &sh->att[i];
		if (is_retry(s, a, e) && (best == NULL || a->t < best->t ||
		    (a->t == best->t && a->key < best->key)))
			best = a;
	}
	if (best != NULL)
		retry(s, who, m, best, e);
	/* Its attempts: the sessions known that retried them. */
	for (j = 0; j < nr; j++) {
		if ((k = att_put(s, sh, &r[j], e->node)) == -1)
			continue;
		for (i = 0; i < sh->nses; i++)
			if (!sh->ses[i].counted && is_retry(s, &sh->att[k],
			    &sh->ses[i]))
				retry(s, who, m, &sh->att[k], &sh->ses[i]);
	}
	if (tries)
		ses_put(sh, e);
}

/* sh_session - the shared view of a session */
static void
sh_session(struct sh_session *e, long long start, long long end,
    uint32_t node, uint32_t sid, const struct attempt *r, int nr, int any)
{
	int	i;

	memset(e, 0, sizeof(*e));
	e->start = start;
	e->end = end;
	e->node = node;
	e->sid = sid;
	e->any = any != 0;
	for (i = 0; i < nr && i < SESSION_REJECTS; i++)
		e->keys[e->nkeys++] = r[i].key;
}

/* sasl_failures - a session's SASL failures, each once (as rules.c
 * counts them) */
static int
sasl_failures(const struct session *ss)
{
	int	failed = ss->auth_failed;

	if (failed < 1 && ss->auth_lost && !ss->auth_ok)
		failed = 1;
	return (ss->sasl_lines + (failed > ss->sasl_lines ? failed -
	    ss->sasl_lines : 0));
}

/* share_session_end - this node's session judged (five-fifty), and its
 * record for the others */
void
share_session_end(struct scorer *s, struct session *ss, const struct who *who,
    struct client_mem *m, long long t, long extra)
{
	struct sh_session e;
	struct rec	 o;
	unsigned char	*p;
	long		 acc = ss->rcpt_ok > 0 ? ss->rcpt_ok : ss->queued;
	int		 i, sasl = sasl_failures(ss);

	sh_session(&e, ss->start, t, s->node_id, ss->id, ss->rejects,
	    ss->nrejects, ss->any_attempt);
	e.local = 1;
	fivefifty(s, who, m, &e, ss->rejects, ss->nrejects, acc > 0);
	if (acc <= 0 && ss->nrejects == 0 && !ss->any_attempt &&
	    ss->nunknown == 0 && extra <= 0 && sasl == 0 && !ss->auth_ok)
		return;		/* nothing the others need */
	if ((p = out_begin(s, &o, OBS_SESSION, t, who->addr,
	    who->name)) == NULL)
		return;
	put(&o, (unsigned long long)ss->start, 8);
	put(&o, ss->id, 4);
	put(&o, (unsigned long long)(acc > INT32_MAX ? INT32_MAX : acc), 4);
	put(&o, ss->any_attempt != 0, 1);
	put(&o, (unsigned)ss->nrejects, 1);
	for (i = 0; i < ss->nrejects; i++) {
		put(&o, ss->rejects[i].key, 8);
		put(&o, (unsigned long long)ss->rejects[i].t, 8);
		put(&o, ss->rejects[i].session, 4);
		put(&o, (unsigned)(uint16_t)ss->rejects[i].code, 2);
	}
	put(&o, (unsigned)ss->nunknown, 1);
	for (i = 0; i < ss->nunknown; i++)
		put(&o, ss->unknown[i], 8);
	put(&o, (unsigned long long)(extra > 0 ? (extra > INT32_MAX ?
	    INT32_MAX : extra) : 0), 4);
	put(&o, (unsigned)sasl, 4);
	put(&o, ss->auth_ok != 0, 1);
	out_end(s, &o, p);
}

/* obs_session - another node's session: the rules of the union */
static int
obs_session(struct scorer *s, struct rec *o, const struct who *who,
    uint32_t node, long long t)
{
	struct attempt	 r[SESSION_REJECTS];
	uint64_t	 unk[UNKNOWN_KEEP];
	struct sh_session e;
	struct client	*cl;
	struct client_mem *m;
	long long	 start;
	long		 acc, extra;
	uint32_t	 sid;
	int		 i, nr, nu, any, sasl, auth_ok;

	start = (long long)get(o, 8);
	sid = (uint32_t)get(o, 4);
	acc = (long)get(o, 4);
	any = (int)get(o, 1);
	nr = (int)get(o, 1);
	if (nr > SESSION_REJECTS)
		return (-1);
	memset(r, 0, sizeof(r));
	for (i = 0; i < nr; i++) {
		r[i].key = get(o, 8);
		r[i].t = (long long)get(o, 8);
		r[i].session = (uint32_t)get(o, 4);
		r[i].code = (int16_t)get(o, 2);
	}
	if ((nu = (int)get(o, 1)) > UNKNOWN_KEEP)
		return (-1);
	for (i = 0; i < nu; i++)
		unk[i] = get(o, 8);
	extra = (long)get(o, 4);
	sasl = (int)get(o, 4);
	auth_ok = (int)get(o, 1);
	if (o->bad || o->r != o->end || acc < 0 || extra < 0 || sasl < 0 ||
	    start > t)
		return (-1);
	if ((cl = client_at(s, &who->net, who->addr, t)) == NULL ||
	    (m = client_mem(s, cl)) == NULL)
		return (0);	/* out of memory: as eviction would */
	s->pin[0] = cl;
	if (acc > 0)
		rules_accepted(m, acc, t);
	sh_session(&e, start, t, node, sid, r, nr, any);
	fivefifty(s, who, m, &e, r, nr, acc > 0);
	rules_unknowns(s, who, m, unk, nu, extra, sid ^ (uint64_t)node << 32,
	    t);
	client_touch(s, cl);
	s->pin[0] = NULL;
	if (sasl > 0 || auth_ok)
		rules_sasl(s, who, t, sasl, auth_ok);
	return (0);
}

/* obs_evidence - another node's evidence: in the score */
static int
obs_evidence(struct scorer *s, struct rec *o, const struct who *who,
    long long t)
{
	uint64_t	 bits;
	double		 w;
	int		 k;

	k = (int)get(o, 1);
	bits = get(o, 8);
	memcpy(&w, &bits, sizeof(w));
	if (o->bad || o->r != o->end || !isfinite(w) || w <= 0 ||
	    w > 1e6 || (k >= NRULES && k != OBS_OTHER))
		return (-1);
	add_evidence(s, who, t, w, k < NRULES ? rules[k] :
	    "evidence of another node", "");
	return (0);
}

/* obs_ban - another node's ban or unban: the client's bans counted
 * alike, its ban known (its node's enforcer and the shared bans
 * enforce it) */
static int
obs_ban(struct scorer *s, struct rec *o, int kind, const char *addr,
    long long t)
{
	struct net_prefix n;
	struct client	*c;
	long long	 until = 0;
	int		 count = 0;

	if (kind == OBS_BAN) {
		until = (long long)get(o, 8);
		count = (int)get(o, 4);
		(void)get(o, 1);
	}
	if (o->bad || o->r != o->end || net_parse(addr, &n) == -1 ||
	    count < 0)
		return (-1);
	if ((c = client_lookup(s, &n)) == NULL) {
		if (kind == OBS_LIFT)
			return (0);	/* nothing to forget */
		if ((c = client_at(s, &n, n.len == net_full_len(n.family) &&
		    strchr(addr, '/') == NULL ? addr : NULL, t)) == NULL)
			return (0);
	}
	if (kind == OBS_LIFT) {
		if (t < c->last_ban)
			return (0);	/* a later ban stands */
		if (c->banned_until > t)
			c->banned_until = t;
		c->score = 0;
		c->score_t = t > c->score_t ? t : c->score_t;
		client_forget(s, c);
	} else {
		if (count > c->bans)
			c->bans = count;
		if (until > c->banned_until)
			c->banned_until = until;
		if (t > c->last_ban)
			c->last_ban = t;
	}
	client_touch(s, c);
	return (0);
}

/* scorer_observe - another node's record; 0, or -1 when it does not
 * decode (counted) */
int
scorer_observe(struct scorer *s, const char *node, const void *rec,
    size_t len)
{
	struct rec	 o = { .r = rec, .end = (const unsigned char *)rec +
	    len };
	char		 addr[PF_ADDR_MAX], name[256];
	struct who	 who;
	long long	 t;
	int		 kind, rc = -1;

	if (len > OBS_MAX || get(&o, 1) != OBS_VERSION)
		goto out;
	kind = (int)get(&o, 1);
	t = (long long)get(&o, 8);
	get_str(&o, addr, sizeof(addr));
	get_str(&o, name, sizeof(name));
	if (o.bad || addr[0] == '\0')
		goto out;
	s->remote = 1;
	if (kind == OBS_BAN || kind == OBS_LIFT)
		rc = obs_ban(s, &o, kind, addr, t);
	else if (net_host(addr, &who.net) == 0) {
		who.addr = addr;
		who.name = name;
		if (kind == OBS_SESSION)
			rc = obs_session(s, &o, &who, node_id(node), t);
		else if (kind == OBS_EVIDENCE)
			rc = obs_evidence(s, &o, &who, t);
	}
	s->remote = 0;
out:
	if (rc == -1)
		s->obs_bad++;
	return (rc);
}

/* scorer_shared - the records for the other nodes to fn, oldest first
 * (kept); fn NULL: forget them; how many, or -1 when fn failed */
int
scorer_shared(struct scorer *s, int (*fn)(void *, const char *, long long,
    const void *, size_t), void *arg)
{
	struct rec	 o;
	char		 addr[PF_ADDR_MAX];
	size_t		 off = 0, n;
	long long	 t;
	int		 k = 0;

	while (fn != NULL && off + 4 <= s->outlen) {
		o = (struct rec){ .r = s->out + off, .end = s->out +
		    s->outlen };
		n = (size_t)get(&o, 4);
		o.end = o.r + n;
		(void)get(&o, 2);
		t = (long long)get(&o, 8);
		get_str(&o, addr, sizeof(addr));
		if (fn(arg, addr, t, s->out + off + 4, n) != 0)
			return (-1);
		off += n + 4;
		k++;
	}
	if (fn != NULL)
		return (k);
	s->outlen = 0;
	if (s->outcap > (1 << 20)) {	/* a burst's room given back */
		free(s->out);
		s->out = NULL;
		s->outcap = 0;
	}
	return (k);
}

/* share_pack - the shared memory into a client's blob */
size_t
share_pack(const struct client_share *sh, unsigned char *blob)
{
	unsigned char	*w = blob;

	*w++ = (unsigned char)sh->natt;
	memcpy(w, sh->att, (size_t)sh->natt * sizeof(sh->att[0]));
	w += (size_t)sh->natt * sizeof(sh->att[0]);
	*w++ = (unsigned char)sh->nses;
	memcpy(w, sh->ses, (size_t)sh->nses * sizeof(sh->ses[0]));
	w += (size_t)sh->nses * sizeof(sh->ses[0]);
	return ((size_t)(w - blob));
}

/* share_unpack - the reverse, into m; -1 for bytes that do not fit */
int
share_unpack(struct scorer *s, struct client_mem *m, const unsigned char **r,
    const unsigned char *end)
{
	struct client_share *sh;
	size_t		 n;
	int		 na, ns, k;

	if (end - *r < 1 || (na = **r) > SHARE_ATTEMPTS)
		return (-1);
	n = (size_t)na * sizeof(sh->att[0]);
	if ((size_t)(end - *r) < 2 + n || (ns = (*r)[1 + n]) >
	    SHARE_SESSIONS || (size_t)(end - *r) < 2 + n +
	    (size_t)ns * sizeof(sh->ses[0]))
		return (-1);
	for (k = 0; k < ns; k++)
		if ((*r)[2 + n + (size_t)k * sizeof(sh->ses[0]) +
		    offsetof(struct sh_session, nkeys)] > SESSION_REJECTS)
			return (-1);
	if ((sh = sh_mem(s, m)) == NULL)
		return (-1);
	sh->natt = na;
	memcpy(sh->att, *r + 1, n);
	sh->nses = ns;
	memcpy(sh->ses, *r + 2 + n, (size_t)ns * sizeof(sh->ses[0]));
	*r += 2 + n + (size_t)ns * sizeof(sh->ses[0]);
	return (0);
}

/*	$fivefifty: scorer.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	scorer 3 - decaying scores, whitelist, bans and their escalation
 * SYNOPSIS
 *	See score.h; add_evidence() and decayed() for the other files.
 * DESCRIPTION
 *	add_evidence() records one piece of evidence against a client (kept
 *	for explain), adds its weight to the client's decayed score, and to
 *	its IPv6 /64 (and, when configured, IPv4 /24) aggregate, then decides
 *	a ban when a score reaches its threshold and the client is not
 *	whitelisted and not banned already. A prefix is banned only when
 *	enough distinct offenders inside it built up its score.
 *
 *	Score s at log time t decays to s * 2^-(u - t) / half_life at u.
 *	Evidence dated before the client's score time (a line out of order)
 *	is added decayed to that time (it weighs there what it would have
 *	weighed had it come in order), and a ban is decided at the score
 *	time, never before what decided it was read.
 *	Before each event, the sessions idle for session_timeout at the
 *	log's time are judged (at their last line plus session_timeout).
 *	The n-th ban within history_keep lasts ban_base * ban_factor^(n-1)
 *	seconds, at most ban_max; a ban a DNSBL listing tipped (RULE_DNSBL,
 *	RULE_DNSBL_BURST) lasts ban_base and is not counted in n. A score
 *	reaches a threshold when it does as printed, to one decimal
 *	(score_reaches()): what explain shows is what was decided.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "score_int.h"
#include "util/str.h"

/* scorer_new - an empty scorer with a copy of the configuration */
struct scorer *
scorer_new(const struct score_conf *conf)
{
	struct scorer	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	s->conf = *conf;
	bounds_set(s);
	s->nbuckets = 1024;	/* doubles with the clients (table.c) */
	s->rng = 0x853c49e6748fea9bULL;
	s->facts_from = LLONG_MIN;
	s->facts_until = LLONG_MAX;
	if ((s->buckets = calloc(s->nbuckets, sizeof(*s->buckets))) == NULL) {
		free(s);
		return (NULL);
	}
	return (s);
}

/* scorer_set_conf - a new configuration (SIGHUP); the caller keeps c's
 * name lists alive */
void
scorer_set_conf(struct scorer *s, const struct score_conf *c)
{
	s->conf = *c;
	bounds_set(s);
}

/* score_shown - a score as every command prints it (one decimal) */
double
score_shown(double score)
{
	return (round(score * 10) / 10);
}

/* score_reaches - whether a score reaches a threshold, as shown: a score
 * printed "10.0" is never one that did not ban at 10 */
int
score_reaches(double score, double threshold)
{
	return (score_shown(score) >= threshold);
}

/* score_decay - a score given at score_t, at log time t */
double
score_decay(double score, long long score_t, long long t, double half_life)
{
	if (t <= score_t || half_life <= 0)
		return (score);
	return (score * pow(0.5, (double)(t - score_t) / half_life));
}

/* decayed - a client's score at log time t */
double
decayed(const struct scorer *s, const struct client *c, long long t)
{
	return (score_decay(c->score, c->score_t, t, s->conf.half_life));
}

/* add_weight - w dated t onto c's score; evidence dated before the score
 * time (a line out of order, a session judged late) is decayed to it,
 * so that the order evidence comes in never changes the score */
static void
add_weight(const struct scorer *s, struct client *c, long long t, double w)
{
	if (t >= c->score_t) {
		c->score = decayed(s, c, t) + w;
		c->score_t = t;
	} else if (s->conf.half_life > 0)
		c->score += w * pow(0.5, (double)(c->score_t - t) /
		    s->conf.half_life);
	else
		c->score += w;
}

/* whitelisted - loopback, whitelist networks, verified name suffixes */
static int
whitelisted(const struct scorer *s, const struct net_prefix *addr,
    const char *name)
{
	static const struct net_prefix lo4 = { 4, { 127, 0, 0, 1 }, 32 };
	static const struct net_prefix lo6 = { 6, { [15] = 1 }, 128 };
	const struct score_conf *c = &s->conf;
	size_t		 n, l;
	int		 i;

	if (net_contains(&lo4, addr) || net_contains(&lo6, addr) ||
	    (c->loopback4.family != 0 && net_contains(&c->loopback4, addr)))
		return (1);
	for (i = 0; i < c->nwhitelist; i++)
		if (net_contains(&c->whitelist[i], addr))
			return (1);
	/* Names: only those Postfix verified (never "unknown"). */
	if (name == NULL || name[0] == '\0' || strcmp(name, "unknown") == 0)
		return (0);
	n = strlen(name);
	for (i = 0; i < c->nwhitelist_names; i++) {
		const char *suf = c->whitelist_names[i];
		l = strlen(suf);
		if (l == 0)
			continue;
		if (suf[0] == '.' ? (n > l && strcasecmp(name + n - l,
		    suf) == 0) || strcasecmp(name, suf + 1) == 0 :
		    strcasecmp(name, suf) == 0)
			return (1);
	}
	return (0);
}

/* queue - a decision about c for the state and the enforcer */
static struct score_decision *
queue(struct scorer *s, struct client *c, long long t)
{
	struct score_decision *d, *nd;

	if (s->ndecisions == s->decisions_cap) {
		size_t cap = s->decisions_cap * 2 + 64;
		if ((nd = reallocarray(s->decisions, cap, sizeof(*nd))) ==
		    NULL)
			return (NULL);
		s->decisions = nd;
		s->decisions_cap = cap;
	}
	d = &s->decisions[s->ndecisions++];
	memset(d, 0, sizeof(*d));
	str_copy(d->addr, sizeof(d->addr), c->addr);
	if (c->family == 6 && strchr(d->addr, '/') == NULL && strchr(d->addr,
	    '%') != NULL)
		*strchr(d->addr, '%') = '\0';	/* a zone is no ban key */
	client_net(c, &d->net);
	d->family = c->family;
	d->prefix_len = c->prefix_len;
	d->at = t;
	d->until = c->banned_until;
	d->ban_count = c->bans;
	d->score = decayed(s, c, t);
	return (d);
}

/* decide - ban c at t for what tipped it */
static void
decide(struct scorer *s, struct client *c, long long t, const char *rule)
{
	const struct score_conf *conf = &s->conf;
	struct score_decision *d;
	struct net_prefix net;
	double		 len;
	int		 listed, n;

	client_net(c, &net);
	if (guard_protected(s, &net))
		return;		/* the enforcer would refuse it */
	if (c->last_ban != 0 && (double)(t - c->last_ban) >
	    conf->history_keep) {
		c->bans = 0;
		if (c->m != NULL)
			c->m->listed_bans = 0;
	}
	c->bans++;
	/* A DNSBL's verdict (rules.c makes the entry's memory first) bans
	 * for ban_time, and does not make our own bans longer. */
	listed = strcmp(rule, RULE_DNSBL) == 0 ||
	    strcmp(rule, RULE_DNSBL_BURST) == 0;
	if (listed && c->m != NULL)
		c->m->listed_bans++;
	n = listed ? 1 : c->bans - (c->m != NULL ? c->m->listed_bans : 0);
	len = conf->ban_base * pow(conf->ban_factor, n > 1 ? n - 1 : 0);
	if (len > conf->ban_max)
		len = conf->ban_max;
	c->banned_until = t + (long long)len;
	c->last_ban = t;
	client_touch(s, c);
	if ((d = queue(s, c, t)) != NULL) {
		str_copy(d->reason, sizeof(d->reason), rule);
		share_decision(s, d);
	}
}

/* net_entry - the client entry of "addr" or "addr/len" (a full-length
 * prefix is the address itself) */
static struct client *
net_entry(struct scorer *s, const char *net, long long t, int make)
{
	struct net_prefix n;
	char		 addr[PF_ADDR_MAX];

	if (net_parse(net, &n) == -1)
		return (NULL);
	str_copy(addr, sizeof(addr), net);
	if (strchr(addr, '/') != NULL)
		*strchr(addr, '/') = '\0';
	if (!make)
		return (client_lookup(s, &n));
	return (client_at(s, &n, n.len == net_full_len(n.family) ? addr :
	    NULL, t));
}

/* scorer_manual_ban - an administrator's ban of net until until: the
 * scorer bans it no further meanwhile; 0, or -1 for a bad network */
int
scorer_manual_ban(struct scorer *s, const char *net, long long t,
    long long until, const char *reason)
{
	struct score_decision *d;
	struct client	*c;

	if ((c = net_entry(s, net, t, 1)) == NULL)
		return (-1);
	c->bans++;
	c->banned_until = until;
	c->last_ban = t;
	client_touch(s, c);
	if ((d = queue(s, c, t)) == NULL)
		return (-1);
	d->manual = 1;
	snprintf(d->reason, sizeof(d->reason), "manual: %s", reason);
	share_decision(s, d);
	return (0);
}

/* scorer_remote_ban - a ban of net another node put in force (until >
 * t; its n-th), or lifted at t (until <= t: the score and memory are
 * forgotten, as scorer_unban() does): known here so that this scorer
 * does not decide it again; nothing is queued nor written (the state
 * has it). 0, or -1 for a bad network. */
int
scorer_remote_ban(struct scorer *s, const char *net, long long t,
    long long until, int n)
{
	struct client	*c;

	if ((c = net_entry(s, net, t, until > t)) == NULL)
		return (until > t ? -1 : 0);
	if (until <= t) {
		c->banned_until = t;
		c->score = 0;
		c->score_t = t;
		client_forget(s, c);
		return (0);
	}
	if (until > c->banned_until)
		c->banned_until = until;
	if (n > c->bans)
		c->bans = n;
	if (t > c->last_ban)
		c->last_ban = t;
	return (0);
}

/* scorer_unban_replayed - an unban at t that the state never stored,
 * applied again at start, before the log lines since the last stored
 * position are read again: the lift is queued whatever the scorer
 * knows, and what those lines show up to t is forgiven (it led to the
 * ban); the client's memory is forgotten at its first event after t, as
 * the unban did when it was made. 0, or -1 for a bad network. */
int
scorer_unban_replayed(struct scorer *s, const char *net, long long t)
{
	struct client	*c;

	if ((c = net_entry(s, net, t, 1)) == NULL)
		return (-1);
	(void)scorer_unban(s, net, t);
	if (c->forgive_t == 0)
		s->nforgiven++;
	c->forgive_t = t;
	return (0);
}

/* forgive_end - the first event of addr after its replayed unban: what
 * came before is forgotten now (memory and score), as the unban did */
static void
forgive_end(struct scorer *s, const struct net_prefix *addr, long long t)
{
	struct client	*c;

	if (s->nforgiven == 0 || (c = client_lookup(s, addr)) == NULL ||
	    c->forgive_t == 0 || t <= c->forgive_t)
		return;
	c->forgive_t = 0;
	s->nforgiven--;
	c->score = 0;
	c->score_t = t;
	client_forget(s, c);
	client_touch(s, c);
}

/* scorer_unban - lift the ban on net and forget the evidence that led to
 * it (score, five-fifty memory, unknown recipients), so the next event
 * does not ban it again; 0, or -1 when net is not banned */
int
scorer_unban(struct scorer *s, const char *net, long long t)
{
	struct score_decision *d;
	struct client	*c;
	int		 was = 0;

	if ((c = net_entry(s, net, t, 0)) == NULL)
		return (-1);
	was = c->banned_until > t;
	c->banned_until = t;
	c->score = 0;
	c->score_t = t;
	client_forget(s, c);
	client_touch(s, c);
	if ((d = queue(s, c, t)) == NULL)
		return (-1);
	d->lift = 1;
	d->until = t;
	snprintf(d->reason, sizeof(d->reason), "unban");
	share_decision(s, d);
	return (was ? 0 : -1);
}

/* client_touch - the client changed: write it at the next flush */
void
client_touch(struct scorer *s, struct client *c)
{
	if (!s->track || c->dirty)
		return;
	c->dirty = 1;
	c->dirty_next = s->dirty;
	s->dirty = c;
	s->ndirty++;
}

/* push_evidence - queue evidence for the state database (explain reads
 * it there) */
static void
push_evidence(struct scorer *s, struct client *c, long long t, double w,
    const char *rule, const char *detail)
{
	struct pending_ev *np, *e;

	client_touch(s, c);
	if (!s->track || s->remote)
		return;		/* another node's: its node stores it */
	if (past_retention(s, t))
		return;		/* the state's next prune would remove it */
	if (s->npev == s->pev_cap) {
		size_t cap = s->pev_cap * 2 + 256;
		if ((np = reallocarray(s->pev, cap, sizeof(*np))) == NULL)
			return;
		s->pev = np;
		s->pev_cap = cap;
	}
	e = &s->pev[s->npev++];
	str_copy(e->addr, sizeof(e->addr), c->addr);
	e->e.t = t;
	e->e.weight = w;
	e->e.rule = rule;
	str_copy(e->e.detail, sizeof(e->e.detail), detail);
}

/* aggregate - add weight to the prefix of who; ban the prefix when
 * enough distinct offenders built it up */
static void
aggregate(struct scorer *s, const struct who *who, int prefix,
    double threshold, int min_clients, long long t, double w,
    const char *rule, const char *detail)
{
	struct net_prefix net = who->net;
	struct client	*p;
	struct client_mem *m;
	uint64_t	 h;
	int		 i;

	if (prefix <= 0)
		return;
	net_mask(&net, prefix);
	if ((p = client_at(s, &net, NULL, t)) == NULL ||
	    (m = client_mem(s, p)) == NULL)
		return;
	/* Members by the hash of their text, as the state keeps them. */
	h = hash64(who->addr, strlen(who->addr), 0xa99);
	add_weight(s, p, t, w);
	push_evidence(s, p, t, w, rule, detail);
	for (i = 0; i < m->nmembers; i++)
		if (m->members[i] == h)
			break;
	if (i == m->nmembers && m->nmembers < PREFIX_MEMBERS)
		m->members[m->nmembers++] = h;
	if (score_reaches(p->score, threshold) && m->nmembers >= min_clients &&
	    p->banned_until <= p->score_t)
		decide(s, p, p->score_t, "prefix: several offenders");
}

/* add_evidence - weight against who at t; a ban when it is enough */
void
add_evidence(struct scorer *s, const struct who *who, long long t, double w,
    const char *rule, const char *detail)
{
	const struct score_conf *conf = &s->conf;
	struct client	*c;

	if (w <= 0 || (c = client_at(s, &who->net, who->addr, t)) == NULL)
		return;
	if (t <= c->forgive_t)
		return;		/* before an unban replayed from the spool */
	share_evidence(s, who, t, w, rule);	/* for the other nodes */
	add_weight(s, c, t, w);
	push_evidence(s, c, t, w, rule, detail);
	if (whitelisted(s, &who->net, who->name))
		return;		/* evidence kept, never a ban */
	/* The score is as of score_t (a line out of order does not rewind
	 * it): so is the ban. */
	if (score_reaches(c->score, conf->ban_threshold) &&
	    c->banned_until <= c->score_t)
		decide(s, c, c->score_t, rule);
	s->pin[1] = c;		/* the prefix's entry evicts another */
	if (c->family == 6)
		aggregate(s, who, conf->v6_prefix, conf->v6_prefix_threshold,
		    conf->v6_prefix_min_clients, t, w, rule, detail);
	else
		aggregate(s, who, conf->v4_prefix, conf->v4_prefix_threshold,
		    conf->v4_prefix_min_clients, t, w, rule, detail);
	s->pin[1] = NULL;
}

/* scorer_event - one parser event at log time t */
void
scorer_event(struct scorer *s, const struct pf_event *ev, long long t)
{
	struct session	*ss = NULL;
	int		 ends;

	if (score_clock_suspect(t, s->now, (long long)time(NULL),
	    s->conf.clock_tolerance)) {
		s->clock_rejects++;	/* not scored; the clock stays */
		s->clock_last = t;
		return;
	}
	if (t > s->now)
		s->now = t;
	/* Sessions whose end was never logged are judged here, in log
	 * order, whoever reads the log and however often it flushes. */
	scorer_flush(s, s->now);
	if (ev->client_ip[0] == '\0')
		return;		/* "unknown[unknown]": nobody to blame */
	forgive_end(s, &ev->client_net, t);
	switch (ev->kind) {
	case PF_EV_CONNECT: case PF_EV_DISCONNECT: case PF_EV_QUEUED:
	case PF_EV_ABORT: case PF_EV_REJECT: case PF_EV_PIPELINING:
	case PF_EV_BARE_NEWLINE: case PF_EV_NON_SMTP:
	case PF_EV_SASL_FAILURE: case PF_EV_PS_CONNECT: case PF_EV_PREGREET:
	case PF_EV_PS_VIOLATION: case PF_EV_HANGUP: case PF_EV_PS_PASS:
	case PF_EV_PS_DISCONNECT:
		ss = session_for(s, ev, t, 1);
		break;
	default:
		break;
	}
	rules_event(s, ss, ev, t);
	facts_event(s, ss, ev, t);
	ends = ev->kind == PF_EV_DISCONNECT || ev->kind == PF_EV_HANGUP ||
	    ev->kind == PF_EV_PS_PASS || ev->kind == PF_EV_PS_DISCONNECT;
	if (ss != NULL && ends)
		session_end(s, ss, t);
}

/* timed_out - the log time a session without its end is judged at: its
 * last line plus session_timeout */
static long long
timed_out(const struct scorer *s, const struct session *ss)
{
	double		 end = (double)ss->last + s->conf.session_timeout;

	return (end >= (double)LLONG_MAX / 2 ? LLONG_MAX / 2 : (long long)end);
}

/* scorer_flush - end the sessions idle for more than session_timeout at
 * log time t (LLONG_MAX: all), from the one idle the longest; each is
 * judged at its last line plus session_timeout, whenever the flush comes,
 * so scan, the daemon and the reports decide the same */
void
scorer_flush(struct scorer *s, long long t)
{
	struct session	*ss;

	while ((ss = s->oldest) != NULL && (t == LLONG_MAX ||
	    (double)(t - ss->last) > s->conf.session_timeout))
		session_end(s, ss, timed_out(s, ss));
}

/* scorer_mark - a note for the state about a decision (SCORE_MARK_*) */
int
scorer_mark(struct scorer *s, const struct score_decision *d, int mark)
{
	struct score_decision *nd;

	if (!s->track)
		return (0);	/* no state to tell */
	if (s->ndecisions == s->decisions_cap) {
		size_t cap = s->decisions_cap * 2 + 64;
		if ((nd = reallocarray(s->decisions, cap, sizeof(*nd))) ==
		    NULL)
			return (-1);
		s->decisions = nd;
		s->decisions_cap = cap;
	}
	nd = &s->decisions[s->ndecisions++];
	*nd = *d;
	nd->mark = mark;
	nd->lift = 0;
	return (0);
}

/* scorer_decision - the next decision not handed out yet */
int
scorer_decision(struct scorer *s, struct score_decision *d)
{
	while (s->decisions_out < s->ndecisions &&
	    s->decisions[s->decisions_out].mark != 0)
		s->decisions_out++;	/* notes are for the state only */
	if (s->decisions_out == s->ndecisions) {
		/* All handed out (and saved, when a state is open): the
		 * queue starts over, so it never grows with the log. */
		if (!s->track || s->decisions_saved == s->ndecisions)
			s->ndecisions = s->decisions_out =
			    s->decisions_saved = 0;
		return (0);
	}
	*d = s->decisions[s->decisions_out++];
	return (1);
}

/* scorer_score - a client's decayed score at t (0 if unknown) */
double
scorer_score(struct scorer *s, const char *addr, long long t)
{
	struct client	*c = client_find(s, addr, -1);

	return (c != NULL ? decayed(s, c, t) : 0);
}

/* scorer_banned - is addr (or its prefix) banned at t */
int
scorer_banned(struct scorer *s, const char *addr, long long t)
{
	struct client	*c = client_find(s, addr, -1);

	if (c != NULL && c->banned_until > t)
		return (1);
	if (s->conf.v6_prefix > 0 && (c = client_find(s, addr,
	    s->conf.v6_prefix)) != NULL && c->family == 6 &&
	    c->banned_until > t)
		return (1);
	if (s->conf.v4_prefix > 0 && (c = client_find(s, addr,
	    s->conf.v4_prefix)) != NULL && c->family == 4 &&
	    c->banned_until > t)
		return (1);
	return (0);
}

/* scorer_now - the log time of the last event */
long long
scorer_now(const struct scorer *s)
{
	return (s->now);
}

/* scorer_nclients - entries in the client table */
size_t
scorer_nclients(const struct scorer *s)
{
	return (s->nclients);
}

/* scorer_free - forget everything */
void
scorer_free(struct scorer *s)
{
	struct session	*ss;

	if (s == NULL)
		return;
	/* Open sessions go unjudged: nobody reads decisions now, and what
	 * deciding calls (the enforcer's protection check) may be freed. */
	while ((ss = s->oldest) != NULL) {
		session_unlink(s, ss);
		free(ss);	/* a struct session_held, from its start */
	}
	session_spares_free(s);
	client_free_all(s);
	free(s->buckets);
	free(s->sbuckets);
	free(s->decisions);
	free(s->pev);
	free(s->out);
	facts_clear(s);
	ff_free_all(s);
	free(s);
}

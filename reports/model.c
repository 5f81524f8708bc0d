/*	$fivefifty: model.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	model 3 - the facts of a period, aggregated for the reports
 * SYNOPSIS
 *	See reports.h.
 * DESCRIPTION
 *	rp_fact() adds one fact row (score/facts.c) to the current period or
 *	to the one before it: totals, the tables by HELO name, sender,
 *	unknown recipient, client and hour, and distinct clients (a set of
 *	64-bit hashes). rp_ff() keeps the five-fifty entries that touch the
 *	period; rp_ban() every ban; rp_node() the nodes of a shared state
 *	with their counts. rp_done() sorts the tables by count
 *	(then by value, so that equal counts always print in one order) and
 *	joins sessions and bans to the five-fifties.
 * DIAGNOSTICS
 *	Out of memory is fatal (the report could not be right): util's
 *	x-allocators exit with EX_OSERR.
 */
#include <stdlib.h>
#include <string.h>

#include "rp_int.h"
#include "util/util.h"

/* fnv - FNV-1a of a string, seeded */
static uint64_t
fnv(const char *s, uint64_t h)
{
	h ^= 0xcbf29ce484222325ULL;
	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return (h);
}

/* text_copy - a copy of s ("" for NULL) */
static char *
text_copy(const char *s)
{
	return (xstrdup(s != NULL ? s : ""));
}

/* set_add - add a hash; 1 when it was new */
static int
set_add(struct rp_set *s, uint64_t v)
{
	size_t		 i, j;
	uint64_t	*old;

	if (v == 0)
		v = 1;		/* 0 marks a free slot */
	if ((s->n + 1) * 2 > s->cap) {
		old = s->v;
		j = s->cap;
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = xcalloc(s->cap, sizeof(*s->v));
		s->n = 0;
		for (i = 0; i < j; i++)
			if (old[i] != 0)
				(void)set_add(s, old[i]);
		free(old);
	}
	for (i = v & (s->cap - 1); s->v[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == v)
			return (0);
	s->v[i] = v;
	s->n++;
	return (1);
}

/* rp_tab_find - the item of key, or NULL */
struct rp_item *
rp_tab_find(const struct rp_tab *t, const char *key)
{
	struct rp_item	*it;
	uint64_t	 h = fnv(key, 0);

	if (t->nb == 0)
		return (NULL);
	for (it = t->b[h & (t->nb - 1)]; it != NULL; it = it->next)
		if (it->h == h && strcmp(it->key, key) == 0)
			return (it);
	return (NULL);
}

/* rp_tab_get - the item of key, made when new */
struct rp_item *
rp_tab_get(struct rp_tab *t, const char *key)
{
	struct rp_item	*it, *next, **nb;
	uint64_t	 h = fnv(key, 0);
	size_t		 i, len;

	if ((it = rp_tab_find(t, key)) != NULL)
		return (it);
	if (t->n >= t->nb) {
		size_t n = t->nb ? t->nb * 2 : 256;
		nb = xcalloc(n, sizeof(*nb));
		for (i = 0; i < t->nb; i++)
			for (it = t->b[i]; it != NULL; it = next) {
				next = it->next;
				it->next = nb[it->h & (n - 1)];
				nb[it->h & (n - 1)] = it;
			}
		free(t->b);
		t->b = nb;
		t->nb = n;
	}
	len = strlen(key);
	it = xcalloc(1, sizeof(*it) + len + 1);
	memcpy(it->key, key, len + 1);
	it->h = h;
	it->next = t->b[h & (t->nb - 1)];
	t->b[h & (t->nb - 1)] = it;
	t->n++;
	return (it);
}

/* tab_free - release a table */
static void
tab_free(struct rp_tab *t)
{
	struct rp_item	*it, *next;
	size_t		 i;

	for (i = 0; i < t->nb; i++)
		for (it = t->b[i]; it != NULL; it = next) {
			next = it->next;
			free(it);
		}
	free(t->b);
	free(t->sorted);
	memset(t, 0, sizeof(*t));
}

/* rp_new - an empty report of [from, until) */
struct rp *
rp_new(long long from, long long until)
{
	struct rp	*rp = xcalloc(1, sizeof(*rp));

	rp->from = from;
	rp->until = until;
	rp->bounded = from != RP_OPEN_FROM && until != RP_OPEN_UNTIL;
	rp->prev_from = rp->bounded ? from - (until - from) : from;
	rp->data_first = LLONG_MAX;
	rp->data_last = LLONG_MIN;
	return (rp);
}

/* rp_in_period - log time t is in the current period */
int
rp_in_period(const struct rp *rp, long long t)
{
	return ((rp->from == RP_OPEN_FROM || t >= rp->from) &&
	    (rp->until == RP_OPEN_UNTIL || t < rp->until));
}

enum kind { K_SESSION, K_MESSAGE, K_REJECT, K_HELO, K_SENDER,
    K_RECIPIENT, K_OTHER };

/* kind_of - a fact's kind (by its first letters: the kinds are few) */
static enum kind
kind_of(const char *k)
{
	switch (k[0]) {
	case 'h':
		return (strcmp(k, "helo") == 0 ? K_HELO : K_OTHER);
	case 'm':
		return (strcmp(k, "message") == 0 ? K_MESSAGE : K_OTHER);
	case 'r':
		return (strcmp(k, "reject") == 0 ? K_REJECT :
		    strcmp(k, "recipient") == 0 ? K_RECIPIENT : K_OTHER);
	case 's':
		return (strcmp(k, "session") == 0 ? K_SESSION :
		    strcmp(k, "sender") == 0 ? K_SENDER : K_OTHER);
	default:
		return (K_OTHER);
	}
}

/* totals_add - a fact into a period's totals */
static void
totals_add(struct rp_totals *tot, const struct score_fact *f, enum kind k,
    int ci)
{
	switch (k) {
	case K_SESSION:		/* an smtpd session is a connection */
		tot->sessions += f->n;
		if (strcmp(f->class, "smtpd") == 0)
			tot->connects += f->n;
		break;
	case K_MESSAGE:
		tot->messages += f->n;
		break;
	case K_REJECT:
		tot->rejects += f->n;
		tot->class_n[ci] += f->n;
		if (f->code >= 0 && f->code < 1000)
			tot->code_n[f->code] += f->n;
		break;
	default:
		return;
	}
	(void)set_add(&tot->clients, fnv(f->client, 0xc1));
}

/* value_add - a reject under a HELO name, sender or recipient */
static void
value_add(struct rp *rp, struct rp_tab *t, uint64_t seed,
    const struct score_fact *f, int ci)
{
	struct rp_item	*it = rp_tab_get(t, f->value);

	if (it->n == 0 || f->first < it->first)
		it->first = f->first;
	if (f->last > it->last)
		it->last = f->last;
	it->n += f->n;
	it->class_n[ci] += f->n;
	if (set_add(&rp->pairs, fnv(f->client, fnv(f->value, seed))))
		it->clients++;
}

/* count - a client or hour item's share of a fact */
static void
count(struct rp_item *it, const struct score_fact *f, enum kind k, int ci)
{
	switch (k) {
	case K_SESSION:
		it->sessions += f->n;
		if (strcmp(f->class, "smtpd") == 0)
			it->connects += f->n;
		break;
	case K_MESSAGE:
		it->messages += f->n;
		break;
	case K_REJECT:
		it->n += f->n;
		it->class_n[ci] += f->n;
		break;
	default:
		break;
	}
}

/* rp_fact - one fact row (a scorer_each_fact() callback) */
void
rp_fact(void *arg, const struct score_fact *f)
{
	struct rp	*rp = arg;
	struct rp_item	*it;
	long long	 t = f->hour * 3600;
	char		 key[32];
	enum kind	 k = kind_of(f->kind);
	int		 ci = pf_class_by_name(f->class);

	if (!rp_in_period(rp, t)) {
		if (rp->bounded && t >= rp->prev_from && t < rp->from)
			totals_add(&rp->prev, f, k, ci);
		return;
	}
	if (f->first < rp->data_first)
		rp->data_first = f->first;
	if (f->last > rp->data_last)
		rp->data_last = f->last;
	totals_add(&rp->cur, f, k, ci);
	switch (k) {
	case K_HELO:
		value_add(rp, &rp->helo, 0x4e, f, ci);
		return;
	case K_SENDER:
		value_add(rp, &rp->sender, 0x5e, f, ci);
		return;
	case K_RECIPIENT:
		value_add(rp, &rp->recipient, 0x7e, f, ci);
		return;
	case K_OTHER:
		return;
	default:
		break;
	}
	it = rp_tab_get(&rp->clients, f->client);
	count(it, f, k, ci);
	if (it->first == 0 || f->first < it->first)
		it->first = f->first;
	if (f->last > it->last)
		it->last = f->last;
	if (rp->last_hour == NULL || rp->last_hour->hour != f->hour) {
		snprintf(key, sizeof(key), "%lld", f->hour);
		rp->last_hour = rp_tab_get(&rp->hours, key);
		rp->last_hour->hour = f->hour;
	}
	count(rp->last_hour, f, k, ci);
}

/* rp_ff - one five-fifty entry (a scorer_each_ff() callback) */
void
rp_ff(void *arg, const struct score_ff *r)
{
	struct rp	*rp = arg;
	struct rp_ffrow	*w;

	if ((rp->until != RP_OPEN_UNTIL && r->first_t >= rp->until) ||
	    (rp->from != RP_OPEN_FROM && r->last_seen < rp->from))
		return;
	if (rp->nff == rp->ff_cap) {
		rp->ff_cap = rp->ff_cap ? rp->ff_cap * 2 : 256;
		rp->ff = xreallocarray(rp->ff, rp->ff_cap, sizeof(*rp->ff));
	}
	w = &rp->ff[rp->nff++];
	memset(w, 0, sizeof(*w));
	w->addr = text_copy(r->addr);
	w->name = text_copy(r->name);
	w->reason = text_copy(r->reason);
	w->class = pf_class_by_name(r->class);
	w->first_t = r->first_t;
	w->code = r->code;
	w->retries = r->retries;
	w->last_retry = r->last_retry;
	w->last_seen = r->last_seen;
}

/* rp_ban - one decision of the scorer or one row of the bans table */
void
rp_ban(struct rp *rp, const struct score_decision *d)
{
	struct rp_banrow *w;

	if (d->lift)
		return;
	if (rp->nbans == rp->bans_cap) {
		rp->bans_cap = rp->bans_cap ? rp->bans_cap * 2 : 256;
		rp->bans = xreallocarray(rp->bans, rp->bans_cap,
		    sizeof(*rp->bans));
	}
	w = &rp->bans[rp->nbans++];
	memset(w, 0, sizeof(*w));
	w->addr = text_copy(d->addr);
	w->reason = text_copy(d->reason);
	w->prefix_len = d->prefix_len;
	w->n = d->ban_count;
	w->manual = d->manual;
	w->at = d->at;
	w->until = d->until;
	w->score = d->score;
	if (rp_in_period(rp, d->at))
		rp->cur.bans++;
	else if (rp->bounded && d->at >= rp->prev_from && d->at < rp->from)
		rp->prev.bans++;
}

/* by_count - items by count descending, then key */
static int
by_count(const void *a, const void *b)
{
	const struct rp_item *x = *(struct rp_item *const *)a;
	const struct rp_item *y = *(struct rp_item *const *)b;

	if (x->n != y->n)
		return (x->n > y->n ? -1 : 1);
	return (strcmp(x->key, y->key));
}

/* by_hour - hour items in time order */
static int
by_hour(const void *a, const void *b)
{
	const struct rp_item *x = *(struct rp_item *const *)a;
	const struct rp_item *y = *(struct rp_item *const *)b;

	return (x->hour < y->hour ? -1 : x->hour > y->hour);
}

/* by_retries - five-fifties by retries descending, then first, addr */
static int
by_retries(const void *a, const void *b)
{
	const struct rp_ffrow *x = a, *y = b;

	if (x->retries != y->retries)
		return (x->retries > y->retries ? -1 : 1);
	if (x->first_t != y->first_t)
		return (x->first_t < y->first_t ? -1 : 1);
	return (strcmp(x->addr, y->addr));
}

/* by_at - bans in time order, then address */
static int
by_at(const void *a, const void *b)
{
	const struct rp_banrow *x = a, *y = b;

	if (x->at != y->at)
		return (x->at < y->at ? -1 : 1);
	return (strcmp(x->addr, y->addr));
}

/* tab_sort - the sorted array of a table */
static void
tab_sort(struct rp_tab *t, int (*cmp)(const void *, const void *))
{
	struct rp_item	*it;
	size_t		 i, k = 0;

	t->sorted = xcalloc(t->n + 1, sizeof(*t->sorted));
	for (i = 0; i < t->nb; i++)
		for (it = t->b[i]; it != NULL; it = it->next)
			t->sorted[k++] = it;
	qsort(t->sorted, t->n, sizeof(*t->sorted), cmp);
}

/* rp_latest_ban - the latest ban of addr, and how many it had (after
 * rp_done()) */
const struct rp_banrow *
rp_latest_ban(const struct rp *rp, const char *addr, int *count)
{
	const struct rp_item *it = rp_tab_find(&rp->banidx, addr);

	*count = it != NULL ? (int)it->n : 0;
	return (it != NULL ? &rp->bans[it->hour] : NULL);
}

/* rp_done - sort everything and join the five-fifties to their sessions
 * and bans */
void
rp_done(struct rp *rp)
{
	const struct rp_banrow *b;
	struct rp_item	*it;
	size_t		 i;
	int		 n;

	tab_sort(&rp->helo, by_count);
	tab_sort(&rp->sender, by_count);
	tab_sort(&rp->recipient, by_count);
	tab_sort(&rp->clients, by_count);
	tab_sort(&rp->hours, by_hour);
	if (rp->nbans > 0)	/* rp->bans is NULL when there are none */
		qsort(rp->bans, rp->nbans, sizeof(*rp->bans), by_at);
	/* bans by address: n counts them, hour holds the latest's index */
	for (i = 0; i < rp->nbans; i++) {
		it = rp_tab_get(&rp->banidx, rp->bans[i].addr);
		it->n++;
		it->hour = (long long)i;	/* in time order: the last wins */
	}
	for (i = 0; i < rp->nff; i++) {
		struct rp_ffrow *w = &rp->ff[i];
		if ((it = rp_tab_find(&rp->clients, w->addr)) != NULL)
			w->sessions = it->sessions;
		if ((b = rp_latest_ban(rp, w->addr, &n)) != NULL) {
			w->bans = n;
			w->banned_until = b->until;
		}
	}
	if (rp->nff > 0)
		qsort(rp->ff, rp->nff, sizeof(*rp->ff), by_retries);
}

/* rp_last_time - the log time of the last fact of the period, or 0 */
long long
rp_last_time(const struct rp *rp)
{
	return (rp->data_last == LLONG_MIN ? 0 : rp->data_last);
}

/* rp_free - release a report */
void
rp_free(struct rp *rp)
{
	size_t	i;

	if (rp == NULL)
		return;
	tab_free(&rp->helo);
	tab_free(&rp->sender);
	tab_free(&rp->recipient);
	tab_free(&rp->clients);
	tab_free(&rp->hours);
	tab_free(&rp->banidx);
	free(rp->pairs.v);
	free(rp->cur.clients.v);
	free(rp->prev.clients.v);
	for (i = 0; i < rp->nff; i++) {
		free(rp->ff[i].addr);
		free(rp->ff[i].name);
		free(rp->ff[i].reason);
	}
	free(rp->ff);
	for (i = 0; i < rp->nbans; i++) {
		free(rp->bans[i].addr);
		free(rp->bans[i].reason);
	}
	free(rp->bans);
	for (i = 0; i < rp->nnodes; i++)
		free(rp->nodes[i].name);
	free(rp->nodes);
	free(rp);
}

/* rp_node - a node of a shared state, with its counts (copied) */
void
rp_node(struct rp *rp, const struct rp_noderow *n)
{
	if (rp->nnodes == rp->nodes_cap) {
		rp->nodes_cap = rp->nodes_cap ? rp->nodes_cap * 2 : 8;
		rp->nodes = xreallocarray(rp->nodes, rp->nodes_cap,
		    sizeof(*rp->nodes));
	}
	rp->nodes[rp->nnodes] = *n;
	rp->nodes[rp->nnodes++].name = text_copy(n->name);
}

/*	$fivefifty: batch.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	batch 3 - what one write of the state stores, as copies
 * SYNOPSIS
 *	struct state_batch *state_batch_new(void);
 *	int	state_batch_client(struct state_batch *b,
 *		    const struct state_client *c);
 *	int	state_batch_evidence(struct state_batch *b,
 *		    const struct state_evidence *e);
 *	int	state_batch_ban(struct state_batch *b,
 *		    const struct state_ban *d);
 *	int	state_batch_session(struct state_batch *b,
 *		    const struct state_session *ss);
 *	int	state_batch_ff(struct state_batch *b, const struct state_ff *f);
 *	int	state_batch_pos(struct state_batch *b,
 *		    const struct state_pos *p);
 *	int	state_batch_meta(struct state_batch *b, const char *key,
 *		    long long v);
 *	int	state_batch_facts(struct state_batch *b, void *log, size_t len,
 *		    state_facts_count *count);
 *	int	state_batch_obs(struct state_batch *b, const char *addr,
 *		    long long t, const void *data, size_t len);
 *	void	state_batch_free(struct state_batch *b);
 *	int	batch_merge_obs(struct state_batch *a, struct state_batch *b);
 *	int	batch_merge(struct state_batch *a, struct state_batch *b,
 *		    unsigned long long *dropped_ev,
 *		    unsigned long long *dropped_facts);
 *	void	batch_ev(const struct state_batch *b, size_t i,
 *		    struct state_evidence *e);
 *	void	batch_ban(const struct state_batch *b, size_t i,
 *		    struct state_ban *d);
 *	void	batch_session(const struct state_batch *b, size_t i,
 *		    struct state_session *ss);
 * DESCRIPTION
 *	The state_batch_*() calls copy one row into the batch (texts cut to
 *	the STATE_*_MAX bytes a row keeps); state_batch_facts() takes the
 *	log (malloc()ed) and the function that counts it. A meta value or a
 *	position given twice keeps the last. batch_ev(), batch_ban() and
 *	batch_session() give a backend the i-th row as the public struct.
 *
 *	batch_merge() folds b (newer) into a, keeping what a restart needs:
 *	every ban and note in order, each client and five-fifty once (b's
 *	row), b's sessions, positions and meta values, a's and b's evidence
 *	up to STATE_PENDING_EV rows (the oldest dropped) and fact logs up to
 *	STATE_PENDING_FACTS bytes (b's dropped beyond), counting what it
 *	drops, and every observation of both (never dropped: another node
 *	would miss it; batch_merge_obs() moves them first, all or none);
 *	b is freed. -1 when memory runs out: then a holds what was
 *	merged so far (clients move first) and b the rest, both still to
 *	be written, in order, so nothing is lost.
 * DIAGNOSTICS
 *	-1 when memory runs out; the batch is as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_int.h"
#include "util/str.h"

/* grow - room for one more of *n elements of size sz in *v */
static int
grow(void *vp, size_t *cap, size_t n, size_t sz)
{
	void	**v = vp;
	void	 *p;
	size_t	  c;

	if (n < *cap)
		return (0);
	c = *cap ? *cap * 2 : 16;
	if ((p = realloc(*v, c * sz)) == NULL)
		return (-1);
	*v = p;
	*cap = c;
	return (0);
}

/* state_batch_new - an empty batch, or NULL */
struct state_batch *
state_batch_new(void)
{
	return (calloc(1, sizeof(struct state_batch)));
}

/* state_batch_client - a client's row, replacing the stored one */
int
state_batch_client(struct state_batch *b, const struct state_client *c)
{
	struct sb_client *r;
	size_t		 al = strlen(c->addr) + 1;
	char		*own;

	if (grow(&b->clients, &b->capclients, b->nclients,
	    sizeof(*b->clients)) == -1 || (own = malloc(al + c->memlen +
	    1)) == NULL)
		return (-1);
	r = &b->clients[b->nclients++];
	r->r = *c;
	r->own = own;
	memcpy(own, c->addr, al);
	r->r.addr = own;
	if (c->memory != NULL)
		memcpy(own + al, c->memory, c->memlen);
	r->r.memory = c->memory != NULL ? own + al : NULL;
	return (0);
}

/* state_batch_evidence - a piece of evidence, appended */
int
state_batch_evidence(struct state_batch *b, const struct state_evidence *e)
{
	struct sb_ev	*r;

	if (grow(&b->ev, &b->capev, b->nev, sizeof(*b->ev)) == -1)
		return (-1);
	r = &b->ev[b->nev++];
	str_copy(r->addr, sizeof(r->addr), e->addr);
	r->t = e->t;
	r->weight = e->weight;
	str_copy(r->rule, sizeof(r->rule), e->rule);
	str_copy(r->detail, sizeof(r->detail), e->detail);
	return (0);
}

/* state_batch_ban - a ban or a note about bans, in order */
int
state_batch_ban(struct state_batch *b, const struct state_ban *d)
{
	struct sb_ban	*r;

	if (grow(&b->bans, &b->capbans, b->nbans, sizeof(*b->bans)) == -1)
		return (-1);
	r = &b->bans[b->nbans++];
	r->op = d->op;
	str_copy(r->addr, sizeof(r->addr), d->addr != NULL ? d->addr :
	    "");
	r->prefix_len = d->prefix_len;
	r->family = d->family;
	r->n = d->n;
	r->manual = d->manual;
	r->at = d->at;
	r->until = d->until;
	r->score = d->score;
	str_copy(r->reason, sizeof(r->reason), d->reason != NULL ?
	    d->reason : "");
	return (0);
}

/* state_batch_session - an open session's bytes */
int
state_batch_session(struct state_batch *b, const struct state_session *ss)
{
	unsigned char	*p;
	size_t		 cap;

	if (grow(&b->sessions, &b->capsessions, b->nsessions,
	    sizeof(*b->sessions)) == -1)
		return (-1);
	if (b->sblen + ss->len > b->sbcap) {
		for (cap = b->sbcap ? b->sbcap : 65536; cap < b->sblen +
		    ss->len; cap *= 2)
			continue;
		if ((p = realloc(b->sbytes, cap)) == NULL)
			return (-1);
		b->sbytes = p;
		b->sbcap = cap;
	}
	memcpy(b->sbytes + b->sblen, ss->data, ss->len);
	b->sessions[b->nsessions].key = ss->key;
	b->sessions[b->nsessions].off = b->sblen;
	b->sessions[b->nsessions++].len = ss->len;
	b->sblen += ss->len;
	return (0);
}

/* state_batch_ff - a five-fifty's row, replacing the stored one */
int
state_batch_ff(struct state_batch *b, const struct state_ff *f)
{
	struct sb_ff	*r;
	size_t		 la = strlen(f->addr) + 1, ln = strlen(f->name) + 1;
	size_t		 lc = strlen(f->class) + 1, lr = strlen(f->reason) + 1;
	char		*own;

	if (grow(&b->ffs, &b->capffs, b->nffs, sizeof(*b->ffs)) == -1 ||
	    (own = malloc(la + ln + lc + lr)) == NULL)
		return (-1);
	r = &b->ffs[b->nffs++];
	r->r = *f;
	r->own = own;
	r->r.addr = memcpy(own, f->addr, la);
	r->r.name = memcpy(own + la, f->name, ln);
	r->r.class = memcpy(own + la + ln, f->class, lc);
	r->r.reason = memcpy(own + la + ln + lc, f->reason, lr);
	return (0);
}

/* state_batch_pos - where a log was read up to */
int
state_batch_pos(struct state_batch *b, const struct state_pos *p)
{
	size_t		 pl = strlen(p->path) + 1;
	size_t		 cl = p->cursor != NULL ? strlen(p->cursor) + 1 : 0;
	size_t		 cap = (size_t)b->cappos;
	char		*own;

	if (grow(&b->pos, &cap, (size_t)b->npos, sizeof(*b->pos)) == -1)
		return (-1);
	b->cappos = (int)cap;
	/* The path and the cursor, one allocation. */
	if ((own = malloc(pl + cl)) == NULL)
		return (-1);
	memcpy(own, p->path, pl);
	if (cl > 0)
		memcpy(own + pl, p->cursor, cl);
	b->pos[b->npos] = *p;
	b->pos[b->npos].path = own;
	b->pos[b->npos++].cursor = cl > 0 ? own + pl : NULL;
	return (0);
}

/* state_batch_meta - a meta number; the last given for key is kept */
int
state_batch_meta(struct state_batch *b, const char *key, long long v)
{
	int	i;

	for (i = 0; i < b->nmeta; i++)
		if (strcmp(b->meta[i].key, key) == 0)
			break;
	if (i == STATE_META_MAX || strlen(key) >= sizeof(b->meta[i].key))
		return (-1);
	if (i == b->nmeta) {
		str_copy(b->meta[i].key, sizeof(b->meta[i].key), key);
		b->nmeta++;
	}
	b->meta[i].v = v;
	return (0);
}

/* state_batch_facts - a fact log to count on the writer's thread: the
 * batch takes log (freed with it) */
int
state_batch_facts(struct state_batch *b, void *log, size_t len,
    state_facts_count *count)
{
	size_t	cap = (size_t)b->capflogs, cap2 = (size_t)b->capflogs;

	if (log == NULL || len == 0) {
		free(log);
		return (0);
	}
	if (grow(&b->flogs, &cap, (size_t)b->nflogs, sizeof(*b->flogs)) ==
	    -1 || grow(&b->flens, &cap2, (size_t)b->nflogs,
	    sizeof(*b->flens)) == -1)
		return (-1);
	b->capflogs = (int)(cap < cap2 ? cap : cap2);
	b->flogs[b->nflogs] = log;
	b->flens[b->nflogs++] = len;
	b->fbytes += len;
	b->count = count;
	return (0);
}

/* obs_room - room for len more observation bytes in b */
static int
obs_room(struct state_batch *b, size_t len)
{
	unsigned char	*p;
	size_t		 cap;

	if (b->oblen + len <= b->obcap)
		return (0);
	for (cap = b->obcap ? b->obcap : 65536; cap < b->oblen + len;
	    cap *= 2)
		continue;
	if ((p = realloc(b->obytes, cap)) == NULL)
		return (-1);
	b->obytes = p;
	b->obcap = cap;
	return (0);
}

/* state_batch_obs - an observation for the other nodes, appended */
int
state_batch_obs(struct state_batch *b, const char *addr, long long t,
    const void *data, size_t len)
{
	struct sb_obs	*r;

	if (grow(&b->obs, &b->capobs, b->nobs, sizeof(*b->obs)) == -1 ||
	    obs_room(b, len) == -1)
		return (-1);
	r = &b->obs[b->nobs++];
	str_copy(r->addr, sizeof(r->addr), addr);
	r->t = t;
	r->off = b->oblen;
	r->len = len;
	memcpy(b->obytes + b->oblen, data, len);
	b->oblen += len;
	return (0);
}

/* batch_merge_obs - b's observations after a's: all, or none and -1 */
int
batch_merge_obs(struct state_batch *a, struct state_batch *b)
{
	struct sb_obs	*v;
	size_t		 i;

	if (b->nobs == 0)
		return (0);
	if ((v = realloc(a->obs, (a->nobs + b->nobs) * sizeof(*v))) == NULL)
		return (-1);
	a->obs = v;
	a->capobs = a->nobs + b->nobs;
	if (obs_room(a, b->oblen) == -1)
		return (-1);
	for (i = 0; i < b->nobs; i++) {
		a->obs[a->nobs] = b->obs[i];
		a->obs[a->nobs++].off = a->oblen + b->obs[i].off;
	}
	memcpy(a->obytes + a->oblen, b->obytes, b->oblen);
	a->oblen += b->oblen;
	b->nobs = b->oblen = 0;
	return (0);
}

/* free_pos - a batch's positions */
static void
free_pos(struct state_batch *b)
{
	int	k;

	for (k = 0; k < b->npos; k++)
		free((char *)b->pos[k].path);
	free(b->pos);
	b->pos = NULL;
	b->npos = b->cappos = 0;
}

/* state_batch_free - release a batch */
void
state_batch_free(struct state_batch *b)
{
	size_t	n;
	int	k;

	if (b == NULL)
		return;
	for (n = 0; n < b->nclients; n++)
		free(b->clients[n].own);
	for (n = 0; n < b->nffs; n++)
		free(b->ffs[n].own);
	for (k = 0; k < b->nflogs; k++)
		free(b->flogs[k]);
	free_pos(b);
	free(b->clients);
	free(b->ffs);
	free(b->ev);
	free(b->bans);
	free(b->sessions);
	free(b->sbytes);
	free(b->flogs);
	free(b->flens);
	free(b->obs);
	free(b->obytes);
	free(b);
}

/* batch_ev - the i-th evidence row */
void
batch_ev(const struct state_batch *b, size_t i, struct state_evidence *e)
{
	e->addr = b->ev[i].addr;
	e->t = b->ev[i].t;
	e->weight = b->ev[i].weight;
	e->rule = b->ev[i].rule;
	e->detail = b->ev[i].detail;
}

/* batch_ban - the i-th ban or note */
void
batch_ban(const struct state_batch *b, size_t i, struct state_ban *d)
{
	const struct sb_ban *r = &b->bans[i];

	memset(d, 0, sizeof(*d));
	d->op = r->op;
	d->addr = r->addr;
	d->prefix_len = r->prefix_len;
	d->family = r->family;
	d->at = r->at;
	d->until = r->until;
	d->n = r->n;
	d->score = r->score;
	d->reason = r->reason;
	d->manual = r->manual;
}

/* batch_session - the i-th session */
void
batch_session(const struct state_batch *b, size_t i, struct state_session *ss)
{
	ss->key = b->sessions[i].key;
	ss->data = b->sbytes + b->sessions[i].off;
	ss->len = b->sessions[i].len;
}

/* by_addr - client or five-fifty rows' addresses, sorted */
static int
by_addr(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* in_sorted - is addr among the n sorted addresses */
static int
in_sorted(const char **v, size_t n, const char *addr)
{
	return (n > 0 && bsearch(&addr, v, n, sizeof(*v), by_addr) != NULL);
}

/* merge_clients - each client once, b's row where both have one; the
 * rows left are b's or a's own */
static int
merge_clients(struct state_batch *a, struct state_batch *b)
{
	const char	**keys;
	struct sb_client *cl;
	size_t		 i, n;

	if ((keys = calloc(b->nclients + 1, sizeof(*keys))) == NULL ||
	    (cl = calloc(a->nclients + b->nclients + 1, sizeof(*cl))) ==
	    NULL) {
		free(keys);
		return (-1);
	}
	for (i = 0; i < b->nclients; i++)
		keys[i] = b->clients[i].r.addr;
	qsort(keys, b->nclients, sizeof(*keys), by_addr);
	for (i = 0, n = 0; i < a->nclients; i++) {
		if (!in_sorted(keys, b->nclients, a->clients[i].r.addr))
			cl[n++] = a->clients[i];
		else
			free(a->clients[i].own);	/* b's replaces it */
	}
	if (b->nclients > 0)
		memcpy(cl + n, b->clients, b->nclients * sizeof(*cl));
	free(a->clients);
	a->clients = cl;
	a->nclients = a->capclients = n + b->nclients;
	a->capclients++;
	b->nclients = 0;		/* its rows now belong to a */
	free(keys);
	return (0);
}

/* merge_ffs - each five-fifty once, likewise */
static int
merge_ffs(struct state_batch *a, struct state_batch *b)
{
	const char	**keys;
	struct sb_ff	*ffs;
	size_t		 i, n;

	if ((keys = calloc(b->nffs + 1, sizeof(*keys))) == NULL ||
	    (ffs = calloc(a->nffs + b->nffs + 1, sizeof(*ffs))) == NULL) {
		free(keys);
		return (-1);
	}
	for (i = 0; i < b->nffs; i++)
		keys[i] = b->ffs[i].r.addr;
	qsort(keys, b->nffs, sizeof(*keys), by_addr);
	for (i = 0, n = 0; i < a->nffs; i++) {
		if (!in_sorted(keys, b->nffs, a->ffs[i].r.addr))
			ffs[n++] = a->ffs[i];
		else
			free(a->ffs[i].own);
	}
	if (b->nffs > 0)
		memcpy(ffs + n, b->ffs, b->nffs * sizeof(*ffs));
	free(a->ffs);
	a->ffs = ffs;
	a->nffs = n + b->nffs;
	a->capffs = a->nffs + 1;
	b->nffs = 0;
	free(keys);
	return (0);
}

/* merge_ev - evidence appended, the oldest dropped beyond the cap */
static void
merge_ev(struct state_batch *a, struct state_batch *b,
    unsigned long long *dropped)
{
	struct sb_ev	*ev;
	size_t		 drop;

	if (a->nev + b->nev > 0 && (ev = realloc(a->ev, (a->nev + b->nev) *
	    sizeof(*ev))) != NULL) {
		a->ev = ev;
		if (b->nev > 0)
			memcpy(a->ev + a->nev, b->ev, b->nev * sizeof(*ev));
		a->nev += b->nev;
		a->capev = a->nev;
	} else
		*dropped += b->nev;
	if (a->nev > STATE_PENDING_EV) {
		drop = a->nev - STATE_PENDING_EV;
		memmove(a->ev, a->ev + drop, STATE_PENDING_EV * sizeof(*a->ev));
		a->nev = STATE_PENDING_EV;
		*dropped += drop;
	}
}

/* merge_facts - b's fact logs after a's, up to the cap (beyond it b's
 * are dropped, and freed with b) */
static void
merge_facts(struct state_batch *a, struct state_batch *b,
    unsigned long long *dropped)
{
	int	k;

	if (a->fbytes + b->fbytes > STATE_PENDING_FACTS) {
		*dropped += b->fbytes;
		return;
	}
	for (k = 0; k < b->nflogs; k++) {
		if (state_batch_facts(a, b->flogs[k], b->flens[k], b->count) ==
		    -1) {
			*dropped += b->flens[k];
			continue;
		}
		b->flogs[k] = NULL;	/* a's now */
	}
}

/* batch_merge - fold b (newer) into a; see DESCRIPTION */
int
batch_merge(struct state_batch *a, struct state_batch *b,
    unsigned long long *dropped_ev, unsigned long long *dropped_facts)
{
	struct sb_ban	*bans;
	int		 k;

	if (batch_merge_obs(a, b) == -1)
		return (-1);	/* nothing moved yet */
	if ((bans = realloc(a->bans, (a->nbans + b->nbans + 1) *
	    sizeof(*bans))) == NULL)
		return (-1);
	a->bans = bans;
	a->capbans = a->nbans + b->nbans + 1;
	if (merge_clients(a, b) == -1)
		return (-1);
	if (merge_ffs(a, b) == -1)
		return (-1);	/* a's clients are merged: harmless */
	/* Every ban and unban, in order. */
	if (b->nbans > 0)
		memcpy(a->bans + a->nbans, b->bans, b->nbans * sizeof(*bans));
	a->nbans += b->nbans;
	merge_ev(a, b, dropped_ev);
	merge_facts(a, b, dropped_facts);
	/* The latest of the rest: sessions, positions, meta. */
	free(a->sessions);
	free(a->sbytes);
	a->sessions = b->sessions;
	a->nsessions = b->nsessions;
	a->capsessions = b->capsessions;
	a->sbytes = b->sbytes;
	a->sblen = b->sblen;
	a->sbcap = b->sbcap;
	b->sessions = NULL;
	b->sbytes = NULL;
	b->nsessions = 0;
	free_pos(a);
	a->pos = b->pos;
	a->npos = b->npos;
	a->cappos = b->cappos;
	b->pos = NULL;
	b->npos = b->cappos = 0;
	for (k = 0; k < b->nmeta; k++)
		(void)state_batch_meta(a, b->meta[k].key, b->meta[k].v);
	state_batch_free(b);
	return (0);
}

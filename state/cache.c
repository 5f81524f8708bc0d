/*	$fivefifty: cache.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	cache 3 - what a node needs to start while PostgreSQL is away
 * SYNOPSIS
 *	struct cache *cache_open(const char *dir, char *err, size_t errlen);
 *	int	cache_exists(const struct cache *c);
 *	void	cache_seed(struct cache *c, const struct state_ops *ops,
 *		    void *be, long long now);
 *	void	cache_apply(struct cache *c, const struct state_batch *b);
 *	void	cache_save(struct cache *c);
 *	int	cache_position(struct cache *c, const char *path,
 *		    struct state_filepos *p);
 *	int	cache_journal_position(struct cache *c, const char *key,
 *		    struct state_cursor *p);
 *	long long cache_meta(struct cache *c, const char *key, long long dflt);
 *	int	cache_bans_running(struct cache *c, long long now,
 *		    state_ban_fn *fn, void *arg);
 *	void	cache_close(struct cache *c);
 * DESCRIPTION
 *	The daemon on PostgreSQL keeps, in DIR/cache, the bans running as
 *	far as it knows (the state's at its start, then its own bans and
 *	unbans and the breaker's notes), where each of its logs was read up
 *	to (positions and journal cursors) and its meta numbers (the log
 *	time, the number of the last batch, the last manual action): enough
 *	to reconcile the kernel set and the map and to go on reading its
 *	logs where it stopped when it starts while PostgreSQL cannot be
 *	reached. The clients, their evidence and the open sessions are not
 *	in it: a node started on its cache scores from nothing until it is
 *	restarted with PostgreSQL there.
 *
 *	cache_open() reads DIR/cache when it is there (a file that cannot be
 *	read is said and ignored); NULL only when memory runs out.
 *	cache_exists() says whether it was there. cache_seed() replaces the
 *	bans with the state's running ones at now (the backend's, at open).
 *	cache_apply() applies a batch once it is durable (committed, or in
 *	the outbox): positions and meta values replace theirs, a ban
 *	extends its network's, an unban ends it, the breaker's notes hold or
 *	release it, STATE_OP_MANUAL raises manual_seq. cache_save() writes
 *	the file anew (synced, renamed into place: a kill leaves the old or
 *	the new); a failure is logged, not fatal: the outbox still has
 *	everything. The readers answer as the state's calls of the same
 *	name. The calls are thread-safe (the writer thread applies, the
 *	daemon reads).
 * SECURITY
 *	The file is the daemon's own, in its directory, read through
 *	batch_unpack()'s checks.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state_int.h"
#include "util/util.h"

struct c_pos {
	char		*path;
	struct state_filepos pos;
	char		*cursor;	/* NULL: a file's */
};

struct c_ban {
	char		 addr[STATE_ADDR_MAX];
	int		 prefix_len, family, held;
	long long	 until;
	char		 reason[STATE_REASON_MAX];
};

struct cache {
	pthread_mutex_t	 mtx;
	char		 path[PATH_MAX];
	int		 exists;
	struct c_pos	*pos;
	size_t		 npos;
	struct sb_meta	 meta[STATE_META_MAX];
	int		 nmeta;
	struct c_ban	*bans;
	size_t		 nbans, capbans;
};

/* set_pos - a position replaces its path's */
static void
set_pos(struct cache *c, const struct state_pos *p)
{
	struct c_pos	*np;
	size_t		 i;
	char		*cur = NULL;

	for (i = 0; i < c->npos; i++)
		if (strcmp(c->pos[i].path, p->path) == 0)
			break;
	if (p->cursor != NULL && (cur = strdup(p->cursor)) == NULL)
		return;
	if (i == c->npos) {
		if ((np = reallocarray(c->pos, c->npos + 1, sizeof(*np))) ==
		    NULL || (np[i].path = strdup(p->path)) == NULL) {
			if (np != NULL)
				c->pos = np;
			free(cur);
			return;
		}
		c->pos = np;
		c->pos[i].cursor = NULL;
		c->npos++;
	}
	c->pos[i].pos = p->pos;
	free(c->pos[i].cursor);
	c->pos[i].cursor = cur;
}

/* set_meta - a meta value replaces its key's */
static void
set_meta(struct cache *c, const char *key, long long v)
{
	int	i;

	for (i = 0; i < c->nmeta; i++)
		if (strcmp(c->meta[i].key, key) == 0)
			break;
	if (i == STATE_META_MAX)
		return;
	if (i == c->nmeta) {
		snprintf(c->meta[i].key, sizeof(c->meta[i].key), "%s", key);
		c->nmeta++;
	}
	c->meta[i].v = v;
}

/* find_ban - the running ban of a network, or NULL */
static struct c_ban *
find_ban(struct cache *c, const char *addr, int prefix_len)
{
	size_t	i;

	for (i = 0; i < c->nbans; i++)
		if (c->bans[i].prefix_len == prefix_len &&
		    strcmp(c->bans[i].addr, addr) == 0)
			return (&c->bans[i]);
	return (NULL);
}

/* add_ban - a ban; it extends the network's (it replaces one ending
 * sooner) */
static void
add_ban(struct cache *c, const struct state_ban *d)
{
	struct c_ban	*x, *nb;
	size_t		 cap;

	if ((x = find_ban(c, d->addr, d->prefix_len)) != NULL) {
		if (d->until < x->until && x->held == 0)
			return;
	} else {
		if (c->nbans == c->capbans) {
			cap = c->capbans == 0 ? 64 : c->capbans * 2;
			if ((nb = reallocarray(c->bans, cap, sizeof(*nb))) ==
			    NULL)
				return;
			c->bans = nb;
			c->capbans = cap;
		}
		x = &c->bans[c->nbans++];
		snprintf(x->addr, sizeof(x->addr), "%s", d->addr);
		x->prefix_len = d->prefix_len;
	}
	x->family = d->family;
	x->until = d->until;
	x->held = d->held;
	snprintf(x->reason, sizeof(x->reason), "%s", d->reason != NULL ?
	    d->reason : "");
}

/* note_ban - an unban or a note of the breaker about a ban */
static void
note_ban(struct cache *c, const struct state_ban *d)
{
	struct c_ban	*x;

	if ((x = find_ban(c, d->addr, d->prefix_len)) == NULL)
		return;
	switch (d->op) {
	case STATE_OP_LIFT:
		*x = c->bans[--c->nbans];
		break;
	case STATE_OP_HOLD:
		if (x->until == d->until && x->held == 0)
			x->held = 1;
		break;
	case STATE_OP_RELEASE:
		if (x->until == d->until && x->held == 1)
			x->held = 0;
		break;
	case STATE_OP_DROP:
		if (x->until == d->until)
			x->held = 2;
		break;
	case STATE_OP_FORGET:
		if (x->held == 1)
			x->held = 2;
		break;
	}
}

/* meta_of - a meta value, or dflt; with the lock */
static long long
meta_of(struct cache *c, const char *key, long long dflt)
{
	int	i;

	for (i = 0; i < c->nmeta; i++)
		if (strcmp(c->meta[i].key, key) == 0)
			return (c->meta[i].v);
	return (dflt);
}

/* apply - a batch's positions, meta values and bans; with the lock */
static void
apply(struct cache *c, const struct state_batch *b)
{
	struct state_ban d;
	size_t		 i;
	int		 k;

	for (k = 0; k < b->npos; k++)
		set_pos(c, &b->pos[k]);
	for (k = 0; k < b->nmeta; k++)
		set_meta(c, b->meta[k].key, b->meta[k].v);
	for (i = 0; i < b->nbans; i++) {
		batch_ban(b, i, &d);
		if (d.op == STATE_OP_BAN)
			add_ban(c, &d);
		else if (d.op == STATE_OP_MANUAL) {
			if (d.at > meta_of(c, "manual_seq", 0))
				set_meta(c, "manual_seq", d.at);
		} else
			note_ban(c, &d);
	}
}

/* cache_open - DIR/cache, read when it is there */
struct cache *
cache_open(const char *dir, char *err, size_t errlen)
{
	struct cache	*c;
	struct state_batch *b;
	unsigned char	*buf;
	size_t		 len;
	char		 why[128];

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "cache: out of memory");
		return (NULL);
	}
	pthread_mutex_init(&c->mtx, NULL);
	snprintf(c->path, sizeof(c->path), "%s/cache", dir);
	if ((buf = outbox_file_read(c->path, &len)) == NULL)
		return (c);
	if ((b = batch_unpack(buf, len, why, sizeof(why))) == NULL)
		log_warnx("cache %s: %s: ignored (it is written anew with the "
		    "next batch stored)", c->path, why);
	else {
		apply(c, b);
		state_batch_free(b);
		c->exists = 1;
	}
	free(buf);
	return (c);
}

/* cache_exists - whether there was a cache at open */
int
cache_exists(const struct cache *c)
{
	return (c->exists);
}

/* seed_ban - one running ban of the state into the cache */
static int
seed_ban(void *arg, const struct state_ban *d)
{
	struct state_ban x = *d;

	x.held = 0;
	add_ban(arg, &x);
	return (0);
}

/* cache_seed - the state's running bans replace the cache's */
void
cache_seed(struct cache *c, const struct state_ops *ops, void *be,
    long long now)
{
	struct c_ban	*old;
	size_t		 nold, capold;

	pthread_mutex_lock(&c->mtx);
	old = c->bans;
	nold = c->nbans;
	capold = c->capbans;
	c->bans = NULL;
	c->nbans = c->capbans = 0;
	if (ops->bans_running(be, now, seed_ban, c) == -1) {
		/* The cache's stay: better than none. */
		log_warnx("cache %s: the running bans cannot be read: %s",
		    c->path, ops->error(be));
		free(c->bans);
		c->bans = old;
		c->nbans = nold;
		c->capbans = capold;
	} else
		free(old);
	pthread_mutex_unlock(&c->mtx);
}

/* cache_apply - a durable batch's positions, meta values and bans */
void
cache_apply(struct cache *c, const struct state_batch *b)
{
	pthread_mutex_lock(&c->mtx);
	apply(c, b);
	pthread_mutex_unlock(&c->mtx);
}

/* snapshot - the cache as a batch (its running bans, positions, meta);
 * NULL when memory runs out; with the lock */
static struct state_batch *
snapshot(struct cache *c, long long now)
{
	struct state_batch *b;
	struct state_ban d;
	struct state_pos p;
	size_t		 i;
	int		 k, rc = 0;

	if ((b = state_batch_new()) == NULL)
		return (NULL);
	for (i = 0; i < c->nbans && rc == 0; i++) {
		if (c->bans[i].until <= now)
			continue;
		memset(&d, 0, sizeof(d));
		d.op = STATE_OP_BAN;
		d.addr = c->bans[i].addr;
		d.prefix_len = c->bans[i].prefix_len;
		d.family = c->bans[i].family;
		d.until = c->bans[i].until;
		d.reason = c->bans[i].reason;
		rc = state_batch_ban(b, &d);
		/* The breaker's hold: a note after it, as it came. */
		if (rc == 0 && c->bans[i].held != 0) {
			d.op = c->bans[i].held == 1 ? STATE_OP_HOLD :
			    STATE_OP_DROP;
			rc = state_batch_ban(b, &d);
		}
	}
	for (i = 0; i < c->npos && rc == 0; i++) {
		p.path = c->pos[i].path;
		p.pos = c->pos[i].pos;
		p.cursor = c->pos[i].cursor;
		rc = state_batch_pos(b, &p);
	}
	for (k = 0; k < c->nmeta && rc == 0; k++)
		rc = state_batch_meta(b, c->meta[k].key, c->meta[k].v);
	if (rc != 0) {
		state_batch_free(b);
		return (NULL);
	}
	return (b);
}

/* cache_save - the file written anew */
void
cache_save(struct cache *c)
{
	struct state_batch *b;
	unsigned char	*buf = NULL;
	size_t		 len;
	int		 rc = -1;

	pthread_mutex_lock(&c->mtx);
	if ((b = snapshot(c, (long long)time(NULL))) != NULL &&
	    batch_pack(b, &buf, &len) == 0)
		rc = outbox_file_write(c->path, buf, len);
	pthread_mutex_unlock(&c->mtx);
	state_batch_free(b);
	free(buf);
	if (rc == -1)
		log_warn("cache %s: cannot write it", c->path);
}

/* cache_position - a file's cached position: 1, or 0 */
int
cache_position(struct cache *c, const char *path, struct state_filepos *p)
{
	size_t	i;
	int	found = 0;

	pthread_mutex_lock(&c->mtx);
	for (i = 0; i < c->npos && !found; i++)
		if (c->pos[i].cursor == NULL && strcmp(c->pos[i].path,
		    path) == 0) {
			*p = c->pos[i].pos;
			found = 1;
		}
	pthread_mutex_unlock(&c->mtx);
	return (found);
}

/* cache_journal_position - a journal's cached cursor: 1, or 0 */
int
cache_journal_position(struct cache *c, const char *key,
    struct state_cursor *p)
{
	size_t	i;
	int	found = 0;

	memset(p, 0, sizeof(*p));
	pthread_mutex_lock(&c->mtx);
	for (i = 0; i < c->npos && !found; i++)
		if (c->pos[i].cursor != NULL && strcmp(c->pos[i].path,
		    key) == 0 && strlen(c->pos[i].cursor) < sizeof(p->cursor)) {
			snprintf(p->cursor, sizeof(p->cursor), "%s",
			    c->pos[i].cursor);
			p->realtime = c->pos[i].pos.off;
			found = 1;
		}
	pthread_mutex_unlock(&c->mtx);
	return (found);
}

/* cache_meta - a cached meta value, or dflt */
long long
cache_meta(struct cache *c, const char *key, long long dflt)
{
	long long	v;

	pthread_mutex_lock(&c->mtx);
	v = meta_of(c, key, dflt);
	pthread_mutex_unlock(&c->mtx);
	return (v);
}

/* cache_bans_running - the cached bans running at now, to fn */
int
cache_bans_running(struct cache *c, long long now, state_ban_fn *fn,
    void *arg)
{
	struct state_batch *b;
	struct state_ban d;
	size_t		 i;
	int		 n = 0;

	/* A copy: fn may take time (the kernel), the writer goes on. */
	pthread_mutex_lock(&c->mtx);
	b = snapshot(c, now);
	pthread_mutex_unlock(&c->mtx);
	if (b == NULL)
		return (-1);
	for (i = 0; i < b->nbans; i++) {
		batch_ban(b, i, &d);
		if (d.op != STATE_OP_BAN || (i + 1 < b->nbans &&
		    b->bans[i + 1].op != STATE_OP_BAN))
			continue;	/* a note, or a held ban */
		n++;
		if (fn(arg, &d) != 0)
			break;
	}
	state_batch_free(b);
	return (n);
}

/* cache_close - forget it (the file stays) */
void
cache_close(struct cache *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->npos; i++) {
		free(c->pos[i].path);
		free(c->pos[i].cursor);
	}
	free(c->pos);
	free(c->bans);
	pthread_mutex_destroy(&c->mtx);
	free(c);
}

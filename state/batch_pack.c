/*	$fivefifty: batch_pack.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	batch_pack 3 - a state batch as bytes on disk, and back
 * SYNOPSIS
 *	int	batch_pack(const struct state_batch *b, unsigned char **buf,
 *		    size_t *len);
 *	struct state_batch *batch_unpack(const unsigned char *buf,
 *		    size_t len, char *why, size_t whylen);
 * DESCRIPTION
 *	The outbox (outbox.c) keeps each batch PostgreSQL could not take as
 *	a file, and the cache (cache.c) keeps its view as one: batch_pack()
 *	writes every row of b into a malloc()ed buffer: a header (magic,
 *	version), the clients, evidence, bans and notes in order, sessions,
 *	five-fifties, positions, meta values, the observations for the
 *	other nodes (score/share.c's bytes) and the facts, then a 64-bit
 *	FNV-1a sum of all that. The facts are counted here (b->count, on the
 *	writer's thread) and kept as rows: the batch read back carries them
 *	as one log of rows with a count function that hands them on as they
 *	are, so that the backend stores the very rows it would have stored.
 *	0, or -1 when memory runs out.
 *
 *	batch_unpack() is the batch in buf, or NULL with why (a file cut
 *	short, a sum that does not match, a count beyond what the buffer
 *	holds, a version this fivefifty does not know).
 * SECURITY
 *	The bytes come from a file of the daemon's own, in its directory;
 *	still every length is checked against what is left before it is
 *	read, and texts end at their length.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_int.h"

#define PACK_MAGIC	"FFBATCH2"	/* 8 bytes, the version in it */
#define PACK_NULL	0xffffffffu	/* a blob that is NULL */

/* A growing buffer; failed: memory ran out. */
struct wbuf {
	unsigned char	*p;
	size_t		 len, cap;
	int		 failed;
};

/* A buffer being read; bad: something did not fit. */
struct rbuf {
	const unsigned char *p;
	size_t		 left;
	int		 bad;
};

/* put - n bytes into w */
static void
put(struct wbuf *w, const void *v, size_t n)
{
	unsigned char	*np;
	size_t		 cap;

	if (w->failed)
		return;
	if (w->len + n > w->cap) {
		cap = w->cap == 0 ? 4096 : w->cap;
		while (cap < w->len + n)
			cap *= 2;
		if ((np = realloc(w->p, cap)) == NULL) {
			w->failed = 1;
			return;
		}
		w->p = np;
		w->cap = cap;
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

/* put_u32 - a 32-bit number */
static void
put_u32(struct wbuf *w, uint32_t v)
{
	put(w, &v, sizeof(v));
}

/* put_i64 - a 64-bit number */
static void
put_i64(struct wbuf *w, long long v)
{
	int64_t	x = v;

	put(w, &x, sizeof(x));
}

/* put_dbl - a double, its bits */
static void
put_dbl(struct wbuf *w, double v)
{
	put(w, &v, sizeof(v));
}

/* put_blob - a length and bytes (NULL: PACK_NULL) */
static void
put_blob(struct wbuf *w, const void *v, size_t n)
{
	if (v == NULL) {
		put_u32(w, PACK_NULL);
		return;
	}
	put_u32(w, (uint32_t)n);
	put(w, v, n);
}

/* put_str - a text (NULL as "") */
static void
put_str(struct wbuf *w, const char *s)
{
	put_blob(w, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* get - n bytes from r (zeros when they are not there) */
static void
get(struct rbuf *r, void *v, size_t n)
{
	if (r->bad || n > r->left) {
		r->bad = 1;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p, n);
	r->p += n;
	r->left -= n;
}

/* get_u32 - a 32-bit number */
static uint32_t
get_u32(struct rbuf *r)
{
	uint32_t	v;

	get(r, &v, sizeof(v));
	return (v);
}

/* get_i64 - a 64-bit number */
static long long
get_i64(struct rbuf *r)
{
	int64_t		v;

	get(r, &v, sizeof(v));
	return ((long long)v);
}

/* get_dbl - a double */
static double
get_dbl(struct rbuf *r)
{
	double		v;

	get(r, &v, sizeof(v));
	return (v);
}

/* get_blob - a blob: points into the buffer (NULL: a NULL blob, or bad) */
static const unsigned char *
get_blob(struct rbuf *r, size_t *n)
{
	const unsigned char *p;
	uint32_t	 len = get_u32(r);

	*n = 0;
	if (r->bad || len == PACK_NULL)
		return (NULL);
	if (len > r->left) {
		r->bad = 1;
		return (NULL);
	}
	p = r->p;
	r->p += len;
	r->left -= len;
	*n = len;
	return (p);
}

/* get_str - a text into a malloc()ed string ("" when bad); NULL only
 * when memory runs out (then r is bad) */
static char *
get_str(struct rbuf *r)
{
	const unsigned char *p;
	size_t		 n;
	char		*s;

	p = get_blob(r, &n);
	if ((s = malloc(n + 1)) == NULL) {
		r->bad = 1;
		return (NULL);
	}
	if (p != NULL)
		memcpy(s, p, n);
	s[n] = '\0';
	return (s);
}

/* fnv - the 64-bit FNV-1a sum of n bytes */
static uint64_t
fnv(const unsigned char *p, size_t n)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	while (n-- > 0) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* The facts being packed: their rows, and how many. */
struct factpack {
	struct wbuf	 w;
	uint32_t	 n;
};

/* pack_fact - one counted fact, a row */
static int
pack_fact(void *arg, const struct state_fact *f)
{
	struct factpack	*fp = arg;

	put_str(&fp->w, f->kind);
	put_str(&fp->w, f->value);
	put_str(&fp->w, f->client);
	put_str(&fp->w, f->class);
	put_i64(&fp->w, f->hour);
	put_i64(&fp->w, f->code);
	put_i64(&fp->w, f->n);
	put_i64(&fp->w, f->first);
	put_i64(&fp->w, f->last);
	fp->n++;
	return (fp->w.failed ? 1 : 0);
}

/* pack_facts - the batch's facts counted, as rows: a count and rows */
static int
pack_facts(struct wbuf *w, const struct state_batch *b)
{
	struct factpack	 fp;

	memset(&fp, 0, sizeof(fp));
	if (b->nflogs > 0 && b->count != NULL && b->count(b->flogs,
	    b->flens, b->nflogs, pack_fact, &fp) == -1)
		fp.w.failed = 1;
	put_u32(w, fp.n);
	if (fp.w.len > 0)
		put(w, fp.w.p, fp.w.len);
	if (fp.w.failed)
		w->failed = 1;
	free(fp.w.p);
	return (w->failed ? -1 : 0);
}

/* pack_rows - the rows of b but the facts */
static void
pack_rows(struct wbuf *w, const struct state_batch *b)
{
	struct state_evidence e;
	struct state_ban d;
	struct state_session ss;
	size_t		 i;
	int		 k;

	put_u32(w, (uint32_t)b->nclients);
	for (i = 0; i < b->nclients; i++) {
		const struct state_client *c = &b->clients[i].r;

		put_str(w, c->addr);
		put_i64(w, c->family);
		put_i64(w, c->prefix_len);
		put_dbl(w, c->score);
		put_i64(w, c->score_t);
		put_i64(w, c->first_seen);
		put_i64(w, c->last_seen);
		put_i64(w, c->bans);
		put_i64(w, c->banned_until);
		put_i64(w, c->last_ban);
		put_blob(w, c->memory, c->memlen);
	}
	put_u32(w, (uint32_t)b->nev);
	for (i = 0; i < b->nev; i++) {
		batch_ev(b, i, &e);
		put_str(w, e.addr);
		put_i64(w, e.t);
		put_dbl(w, e.weight);
		put_str(w, e.rule);
		put_str(w, e.detail);
	}
	put_u32(w, (uint32_t)b->nbans);
	for (i = 0; i < b->nbans; i++) {
		batch_ban(b, i, &d);
		put_i64(w, d.op);
		put_str(w, d.addr);
		put_i64(w, d.prefix_len);
		put_i64(w, d.family);
		put_i64(w, d.at);
		put_i64(w, d.until);
		put_i64(w, d.n);
		put_dbl(w, d.score);
		put_str(w, d.reason);
		put_i64(w, d.manual);
	}
	put_u32(w, (uint32_t)b->nsessions);
	for (i = 0; i < b->nsessions; i++) {
		batch_session(b, i, &ss);
		put_i64(w, (long long)ss.key);
		put_blob(w, ss.data, ss.len);
	}
	put_u32(w, (uint32_t)b->nffs);
	for (i = 0; i < b->nffs; i++) {
		const struct state_ff *f = &b->ffs[i].r;

		put_str(w, f->addr);
		put_str(w, f->name);
		put_str(w, f->class);
		put_str(w, f->reason);
		put_i64(w, f->first_t);
		put_i64(w, f->code);
		put_i64(w, f->retries);
		put_i64(w, f->last_retry);
		put_i64(w, f->last_seen);
	}
	put_u32(w, (uint32_t)b->npos);
	for (k = 0; k < b->npos; k++) {
		const struct state_pos *p = &b->pos[k];

		put_str(w, p->path);
		put_i64(w, (long long)p->pos.dev);
		put_i64(w, (long long)p->pos.ino);
		put_i64(w, (long long)p->pos.off);
		put_i64(w, p->pos.fp_len);
		put_i64(w, (long long)p->pos.fp);
		put_blob(w, p->cursor, p->cursor != NULL ? strlen(p->cursor) :
		    0);
	}
	put_u32(w, (uint32_t)b->nmeta);
	for (k = 0; k < b->nmeta; k++) {
		put_str(w, b->meta[k].key);
		put_i64(w, b->meta[k].v);
	}
	put_u32(w, (uint32_t)b->nobs);
	for (i = 0; i < b->nobs; i++) {
		put_str(w, b->obs[i].addr);
		put_i64(w, b->obs[i].t);
		put_blob(w, b->obytes + b->obs[i].off, b->obs[i].len);
	}
}

/* batch_pack - b as bytes (malloc()ed); 0, or -1 */
int
batch_pack(const struct state_batch *b, unsigned char **buf, size_t *len)
{
	struct wbuf	 w;
	uint64_t	 sum;

	memset(&w, 0, sizeof(w));
	put(&w, PACK_MAGIC, 8);
	pack_rows(&w, b);
	if (pack_facts(&w, b) == -1 || w.failed) {
		free(w.p);
		return (-1);
	}
	sum = fnv(w.p, w.len);
	put(&w, &sum, sizeof(sum));
	if (w.failed) {
		free(w.p);
		return (-1);
	}
	*buf = w.p;
	*len = w.len;
	return (0);
}

/* count_rows - a state_facts_count for facts packed as rows: each row
 * to emit as it is */
static int
count_rows(void *const *logs, const size_t *lens, int n, state_fact_fn *emit,
    void *arg)
{
	struct state_fact f;
	struct rbuf	 r;
	uint32_t	 rows, i;
	char		*kind, *value, *client, *class;
	int		 k, rc = 0;

	for (k = 0; k < n && rc == 0; k++) {
		r = (struct rbuf){ logs[k], lens[k], 0 };
		rows = get_u32(&r);
		for (i = 0; i < rows && !r.bad && rc == 0; i++) {
			kind = get_str(&r);
			value = get_str(&r);
			client = get_str(&r);
			class = get_str(&r);
			memset(&f, 0, sizeof(f));
			f.hour = get_i64(&r);
			f.code = (int)get_i64(&r);
			f.n = (long)get_i64(&r);
			f.first = get_i64(&r);
			f.last = get_i64(&r);
			if (!r.bad) {
				f.kind = kind;
				f.value = value;
				f.client = client;
				f.class = class;
				if (emit(arg, &f) != 0)
					rc = 1;
			}
			free(kind);
			free(value);
			free(client);
			free(class);
		}
		if (r.bad)
			return (-1);
	}
	return (0);
}

/* unpack_clients - the clients and the evidence into b */
static void
unpack_clients(struct rbuf *r, struct state_batch *b)
{
	struct state_client c;
	struct state_evidence e;
	uint32_t	 n, i;
	char		*addr, *rule, *detail;
	size_t		 len;

	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		memset(&c, 0, sizeof(c));
		addr = get_str(r);
		c.family = (int)get_i64(r);
		c.prefix_len = (int)get_i64(r);
		c.score = get_dbl(r);
		c.score_t = get_i64(r);
		c.first_seen = get_i64(r);
		c.last_seen = get_i64(r);
		c.bans = (int)get_i64(r);
		c.banned_until = get_i64(r);
		c.last_ban = get_i64(r);
		c.memory = get_blob(r, &len);
		c.memlen = len;
		c.addr = addr;
		if (!r->bad && state_batch_client(b, &c) == -1)
			r->bad = 1;
		free(addr);
	}
	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		memset(&e, 0, sizeof(e));
		addr = get_str(r);
		e.t = get_i64(r);
		e.weight = get_dbl(r);
		rule = get_str(r);
		detail = get_str(r);
		e.addr = addr;
		e.rule = rule;
		e.detail = detail;
		if (!r->bad && state_batch_evidence(b, &e) == -1)
			r->bad = 1;
		free(addr);
		free(rule);
		free(detail);
	}
}

/* unpack_bans - the bans and notes, then the sessions, into b */
static void
unpack_bans(struct rbuf *r, struct state_batch *b)
{
	struct state_ban d;
	struct state_session ss;
	uint32_t	 n, i;
	char		*addr, *reason;
	size_t		 len;

	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		memset(&d, 0, sizeof(d));
		d.op = (int)get_i64(r);
		addr = get_str(r);
		d.prefix_len = (int)get_i64(r);
		d.family = (int)get_i64(r);
		d.at = get_i64(r);
		d.until = get_i64(r);
		d.n = (int)get_i64(r);
		d.score = get_dbl(r);
		reason = get_str(r);
		d.manual = (int)get_i64(r);
		d.addr = addr;
		d.reason = reason;
		if (!r->bad && (d.op < STATE_OP_BAN || d.op > STATE_OP_MANUAL ||
		    state_batch_ban(b, &d) == -1))
			r->bad = 1;
		free(addr);
		free(reason);
	}
	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		ss.key = (unsigned long long)get_i64(r);
		ss.data = get_blob(r, &len);
		ss.len = len;
		if (!r->bad && state_batch_session(b, &ss) == -1)
			r->bad = 1;
	}
}

/* unpack_rest - the five-fifties, positions and meta values into b */
static void
unpack_rest(struct rbuf *r, struct state_batch *b)
{
	struct state_ff	 f;
	struct state_pos p;
	const unsigned char *cur;
	uint32_t	 n, i;
	char		*s[4], *path, cursor[STATE_CURSOR_MAX];
	size_t		 len;
	int		 k;

	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		memset(&f, 0, sizeof(f));
		for (k = 0; k < 4; k++)
			s[k] = get_str(r);
		f.first_t = get_i64(r);
		f.code = (int)get_i64(r);
		f.retries = (long)get_i64(r);
		f.last_retry = get_i64(r);
		f.last_seen = get_i64(r);
		f.addr = s[0];
		f.name = s[1];
		f.class = s[2];
		f.reason = s[3];
		if (!r->bad && state_batch_ff(b, &f) == -1)
			r->bad = 1;
		for (k = 0; k < 4; k++)
			free(s[k]);
	}
	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		memset(&p, 0, sizeof(p));
		path = get_str(r);
		p.pos.dev = (unsigned long long)get_i64(r);
		p.pos.ino = (unsigned long long)get_i64(r);
		p.pos.off = (unsigned long long)get_i64(r);
		p.pos.fp_len = (unsigned)get_i64(r);
		p.pos.fp = (unsigned long long)get_i64(r);
		if ((cur = get_blob(r, &len)) != NULL) {
			if (len >= sizeof(cursor))
				r->bad = 1;
			else {
				memcpy(cursor, cur, len);
				cursor[len] = '\0';
				p.cursor = cursor;
			}
		}
		p.path = path;
		if (!r->bad && state_batch_pos(b, &p) == -1)
			r->bad = 1;
		free(path);
	}
	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		path = get_str(r);
		len = (size_t)get_i64(r);
		if (!r->bad && state_batch_meta(b, path, (long long)len) == -1)
			r->bad = 1;
		free(path);
	}
	n = get_u32(r);
	for (i = 0; i < n && !r->bad; i++) {
		long long	 t;

		path = get_str(r);
		t = get_i64(r);
		cur = get_blob(r, &len);
		if (!r->bad && (cur == NULL || state_batch_obs(b, path, t, cur,
		    len) == -1))
			r->bad = 1;
		free(path);
	}
}

/* batch_unpack - the batch in buf, or NULL with why */
struct state_batch *
batch_unpack(const unsigned char *buf, size_t len, char *why, size_t whylen)
{
	struct state_batch *b;
	struct rbuf	 r;
	uint64_t	 sum;
	void		*facts;
	size_t		 flen;

	if (len < 16 || memcmp(buf, PACK_MAGIC, 8) != 0) {
		snprintf(why, whylen, "not a batch of this fivefifty (its "
		    "header)");
		return (NULL);
	}
	memcpy(&sum, buf + len - sizeof(sum), sizeof(sum));
	if (fnv(buf, len - sizeof(sum)) != sum) {
		snprintf(why, whylen, "its sum does not match (damaged)");
		return (NULL);
	}
	if ((b = state_batch_new()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return (NULL);
	}
	r = (struct rbuf){ buf + 8, len - 8 - sizeof(sum), 0 };
	unpack_clients(&r, b);
	unpack_bans(&r, b);
	unpack_rest(&r, b);
	/* What is left is the facts: a count and rows. */
	if (!r.bad && r.left >= 4) {
		flen = r.left;
		if ((facts = malloc(flen)) == NULL)
			r.bad = 1;
		else {
			memcpy(facts, r.p, flen);
			if (state_batch_facts(b, facts, flen, count_rows) ==
			    -1) {
				free(facts);	/* not taken */
				r.bad = 1;
			}
		}
	} else
		r.bad = 1;
	if (r.bad) {
		snprintf(why, whylen, "cut short or damaged");
		state_batch_free(b);
		return (NULL);
	}
	return (b);
}

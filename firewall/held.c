/*	$fivefifty: held.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	held 3 - the ranges the kernel holds, updated where bans changed
 * SYNOPSIS
 *	void	held_init(struct fw_held *h);
 *	void	held_free(struct fw_held *h);
 *	void	held_ban(struct fw_held *h, const struct net_prefix *n,
 *		    long long until);
 *	void	held_unban(struct fw_held *h, const struct net_prefix *n);
 *	void	held_set(struct fw_held *h, int v6, const struct fw_range *r,
 *		    size_t n);
 *	int	held_local(const struct fw_held *h);
 *	void	held_diff(const struct fw_range *have, size_t nh,
 *		    const struct fw_range *want, size_t nw, long long now,
 *		    int readd, struct fw_range **add, size_t *nadd,
 *		    size_t *capadd, struct fw_range **del, size_t *ndel,
 *		    size_t *capdel);
 *	void	held_plan(struct fw_held *h, const int has[2], long long now,
 *		    int readd, struct fw_range **add, size_t *nadd,
 *		    size_t *capadd, struct fw_range **del, size_t *ndel,
 *		    size_t *capdel);
 *	void	held_commit(struct fw_held *h);
 *	void	held_full(struct fw_held *h, struct fw_range *want[2],
 *		    const size_t nwant[2], const struct fw_ban *b, size_t n);
 *	int	held_check(const struct fw_held *h, const struct fw_ban *b,
 *		    size_t n, const int has[2], long long now, char *err,
 *		    size_t errlen);
 * DESCRIPTION
 *	What the kernel holds is a function of the bans, one outermost ban
 *	at a time: bans are CIDR blocks, disjoint or nested, and the sweep
 *	(ranges.c) cuts each outermost ban into its ranges without looking
 *	beyond it. So a flush needs to recompute only the outermost bans
 *	around what changed, not every ban in force.
 *
 *	held_ban() and held_unban() are told of every ban added, moved
 *	(its end) or gone; they keep the bans' blocks in address order
 *	(order, an olist), a count of bans per prefix length, and the
 *	blocks that changed since the last push (dirty). held_plan() turns
 *	each changed block into its region, the outermost ban in force that
 *	contains it (found with one look-up per prefix length in use that is
 *	shorter), or the block itself when none does (a ban lifted with
 *	nothing around it); nested regions fold into the outer one. For
 *	each region, the bans inside it (contiguous in order) are swept into
 *	the ranges wanted there, the ranges held there are read off the
 *	ranges list, and held_diff() says what to send, exactly as the full
 *	sweep's diff would for that stretch. held_commit(), after the batch
 *	worked, puts the regions' ranges in place of the old: the ranges
 *	list is again what the full sweep would give.
 *
 *	held_local() says whether the next push may be local: the ranges
 *	list is the sweep of the bans at the last push (held_full() after a
 *	full push), and every change since is known. Too many changes at
 *	once (more than a quarter of the bans, and DIRTY_MIN) are not
 *	tracked: that push is a full sweep, and held_full() rebuilds the
 *	order from the bans. held_set() puts what a reconcile read back in
 *	the list; it is no sweep, so the next push is full too.
 *
 *	held_diff() is the diff of two sorted range lists: held ranges no
 *	longer wanted are deleted unless they end within EXPIRY_SLACK (the
 *	kernel may have dropped them: deleting a missing element fails the
 *	batch), wanted ones not held added, and ones whose end moved by more
 *	than UNTIL_SLACK re-added (with readd 0, before Linux 6.12, deleted
 *	first in the same batch). *add and *del grow as needed (xreallocarray).
 *
 *	held_check() compares the ranges list with a full sweep of b (the
 *	tests' proof that local updates give the same ranges); 0, or -1 with
 *	the first difference in err.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_int.h"
#include "util/util.h"

#define DIRTY_MIN	1024	/* changes always tracked one by one */

/* A ban's block, in address order. */
struct oban {
	int		 family, len;
	unsigned char	 lo[16], hi[16];
	long long	 until;
};

/* A region recomputed by a push: its ranges in h->want[start..]. */
struct region {
	int		 family;
	unsigned char	 lo[16], hi[16];
	size_t		 start, n;
};

/* span_cmp - by family, start, then the larger block first */
static int
span_cmp(int fx, const unsigned char *lx, const unsigned char *hx, int fy,
    const unsigned char *ly, const unsigned char *hy)
{
	int		 c;

	if (fx != fy)
		return (fx - fy);
	if ((c = memcmp(lx, ly, 16)) != 0)
		return (c);
	return (-memcmp(hx, hy, 16));
}

/* oban_cmp - span_cmp() of two bans */
static int
oban_cmp(const void *a, const void *b)
{
	const struct oban *x = a, *y = b;

	return (span_cmp(x->family, x->lo, x->hi, y->family, y->lo, y->hi));
}

/* region_cmp - span_cmp() of two regions */
static int
region_cmp(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return (span_cmp(x->family, x->lo, x->hi, y->family, y->lo, y->hi));
}

/* block_of - the block [lo, hi] of addr/len (family 4: 4 key bytes) */
static void
block_of(int family, const unsigned char *addr, int len, struct oban *o)
{
	int		i, bits = len, klen = family == 6 ? 16 : 4;

	memset(o, 0, sizeof(*o));
	o->family = family;
	o->len = len;
	for (i = 0; i < klen; i++) {
		int	keep = bits >= 8 ? 8 : bits > 0 ? bits : 0;
		unsigned char m = (unsigned char)(keep == 0 ? 0 :
		    0xff << (8 - keep));

		o->lo[i] = addr[i] & m;
		o->hi[i] = (unsigned char)(o->lo[i] | (unsigned char)~m);
		bits -= 8;
	}
}

/* held_init - nothing held, nothing banned */
void
held_init(struct fw_held *h)
{
	memset(h, 0, sizeof(*h));
	olist_init(&h->ranges[0], sizeof(struct fw_range), range_cmp);
	olist_init(&h->ranges[1], sizeof(struct fw_range), range_cmp);
	olist_init(&h->order, sizeof(struct oban), oban_cmp);
	h->order_ok = 1;
}

/* held_free - its memory */
void
held_free(struct fw_held *h)
{
	olist_clear(&h->ranges[0]);
	olist_clear(&h->ranges[1]);
	olist_clear(&h->order);
	free(h->dirty);
	free(h->want);
	free(h->regions);
	memset(h, 0, sizeof(*h));
}

/* untrack - too many changes: the next push is a full sweep */
static void
untrack(struct fw_held *h)
{
	h->order_ok = 0;
	olist_clear(&h->order);
	free(h->dirty);
	h->dirty = NULL;
	h->ndirty = h->capdirty = 0;
	memset(h->lens, 0, sizeof(h->lens));
}

/* mark - a block changed */
static void
mark(struct fw_held *h, const struct oban *o)
{
	size_t		most = h->order.n / 4;

	if (h->ndirty >= DIRTY_MIN && h->ndirty >= most) {
		untrack(h);
		return;
	}
	if (h->ndirty == h->capdirty) {
		h->capdirty = h->capdirty ? h->capdirty * 2 : 64;
		h->dirty = xreallocarray(h->dirty, h->capdirty,
		    sizeof(*h->dirty));
	}
	h->dirty[h->ndirty++] = *o;
}

/* find_oban - the ban of exactly this block, or NULL */
static struct oban *
find_oban(const struct fw_held *h, const struct oban *key)
{
	struct oban	*o = olist_get(&h->order, olist_lower(&h->order, key));

	if (o == NULL || o->family != key->family || memcmp(o->lo, key->lo,
	    16) != 0 || memcmp(o->hi, key->hi, 16) != 0)
		return (NULL);
	return (o);
}

/* held_ban - a ban in force on n until then (new, or its end moved) */
void
held_ban(struct fw_held *h, const struct net_prefix *n, long long until)
{
	struct oban	 key, *o;

	if (!h->order_ok)
		return;
	block_of(n->family, n->addr, n->len, &key);
	key.until = until;
	if ((o = find_oban(h, &key)) != NULL)
		o->until = until;
	else {
		olist_insert(&h->order, &key);
		h->lens[n->family == 6][n->len]++;
	}
	mark(h, &key);
}

/* held_unban - the ban on n is gone */
void
held_unban(struct fw_held *h, const struct net_prefix *n)
{
	struct oban	 key;
	struct olist_pos p;

	if (!h->order_ok)
		return;
	block_of(n->family, n->addr, n->len, &key);
	if (find_oban(h, &key) == NULL)
		return;
	p = olist_lower(&h->order, &key);
	(void)olist_erase(&h->order, p);
	h->lens[n->family == 6][n->len]--;
	mark(h, &key);
}

/* held_set - the ranges a reconcile read back (sorted): no sweep */
void
held_set(struct fw_held *h, int v6, const struct fw_range *r, size_t n)
{
	olist_load(&h->ranges[v6], r, n);
	h->valid = 0;
}

/* held_local - may the next push recompute only what changed */
int
held_local(const struct fw_held *h)
{
	return (h->valid && h->order_ok);
}

/* grow - room for one more range in *a (of *cap) */
static void
grow(struct fw_range **a, size_t n, size_t *cap)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 64;
	*a = xreallocarray(*a, *cap, sizeof(**a));
}

/* held_diff - what to send so that the ranges held become want's */
void
held_diff(const struct fw_range *have, size_t nh, const struct fw_range *want,
    size_t nw, long long now, int readd, struct fw_range **add, size_t *nadd,
    size_t *capadd, struct fw_range **del, size_t *ndel, size_t *capdel)
{
	size_t		i = 0, j = 0;
	int		c;

	while (i < nh || j < nw) {
		if (i == nh)
			c = 1;
		else if (j == nw)
			c = -1;
		else
			c = range_cmp(&have[i], &want[j]);
		if (c < 0) {		/* held, no longer wanted */
			if (have[i].until > now + EXPIRY_SLACK) {
				grow(del, *ndel, capdel);
				(*del)[(*ndel)++] = have[i];
			}
			i++;
		} else if (c > 0) {	/* wanted, not held */
			grow(add, *nadd, capadd);
			(*add)[(*nadd)++] = want[j++];
		} else {
			long long d = have[i].until - want[j].until;

			if (d > UNTIL_SLACK || d < -UNTIL_SLACK) {
				/* An end that moved: re-add (refresh); before
				 * 6.12 delete it first in the same batch (one
				 * the kernel just dropped fails the batch, and
				 * the reconcile that follows adds it anew). */
				if (!readd) {
					grow(del, *ndel, capdel);
					(*del)[(*ndel)++] = have[i];
				}
				grow(add, *nadd, capadd);
				(*add)[(*nadd)++] = want[j];
			}
			i++;
			j++;
		}
	}
}

/* outermost - the outermost ban in force containing d, or d itself */
static void
outermost(const struct fw_held *h, const struct oban *d, struct region *r)
{
	struct oban	 key;
	int		 l, v6 = d->family == 6;

	memset(r, 0, sizeof(*r));
	r->family = d->family;
	memcpy(r->lo, d->lo, 16);
	memcpy(r->hi, d->hi, 16);
	for (l = 0; l < d->len; l++) {
		if (h->lens[v6][l] == 0)
			continue;
		block_of(d->family, d->lo, l, &key);
		if (find_oban(h, &key) != NULL) {
			memcpy(r->lo, key.lo, 16);
			memcpy(r->hi, key.hi, 16);
			return;
		}
	}
}

/* region_bans - the bans inside r, as fw_bans; how many */
static size_t
region_bans(const struct fw_held *h, const struct region *r,
    struct fw_ban **b, size_t *cap)
{
	struct oban	 key, *o;
	struct olist_pos p;
	size_t		 n = 0;

	memset(&key, 0, sizeof(key));
	key.family = r->family;
	memcpy(key.lo, r->lo, 16);
	memcpy(key.hi, r->hi, 16);
	for (p = olist_lower(&h->order, &key); (o = olist_get(&h->order,
	    p)) != NULL && o->family == r->family && memcmp(o->lo, r->hi,
	    16) <= 0; p = olist_next(&h->order, p)) {
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*b = xreallocarray(*b, *cap, sizeof(**b));
		}
		memset(&(*b)[n], 0, sizeof(**b));
		(*b)[n].net.family = o->family;
		memcpy((*b)[n].net.addr, o->lo, 16);
		(*b)[n].net.len = o->len;
		(*b)[n].until = o->until;
		n++;
	}
	return (n);
}

/* region_held - the ranges held inside r, copied; how many */
static size_t
region_held(const struct fw_held *h, const struct region *r,
    struct fw_range **a, size_t *cap)
{
	const struct olist *l = &h->ranges[r->family == 6];
	struct fw_range	 key, *x;
	struct olist_pos p;
	size_t		 n = 0;

	memset(&key, 0, sizeof(key));
	key.family = r->family;
	memcpy(key.lo, r->lo, 16);
	for (p = olist_lower(l, &key); (x = olist_get(l, p)) != NULL &&
	    x->family == r->family && memcmp(x->lo, r->hi, 16) <= 0;
	    p = olist_next(l, p)) {
		grow(a, n, cap);
		(*a)[n++] = *x;
	}
	return (n);
}

/* held_plan - the regions around what changed, and what to send there */
void
held_plan(struct fw_held *h, const int has[2], long long now, int readd,
    struct fw_range **add, size_t *nadd, size_t *capadd,
    struct fw_range **del, size_t *ndel, size_t *capdel)
{
	struct fw_ban	*b = NULL;
	struct fw_range	*have = NULL;
	size_t		 i, k, nb, nh, capb = 0, caph = 0;

	h->nregions = h->nwant = 0;
	if (h->ndirty > h->capregions) {
		h->capregions = h->ndirty;
		h->regions = xreallocarray(h->regions, h->capregions,
		    sizeof(*h->regions));
	}
	for (i = 0; i < h->ndirty; i++)
		if (has[h->dirty[i].family == 6])
			outermost(h, &h->dirty[i], &h->regions[h->nregions++]);
	if (h->nregions > 1)
		qsort(h->regions, h->nregions, sizeof(*h->regions),
		    region_cmp);
	/* Nested regions fold into the outer (it comes first). */
	for (i = k = 0; i < h->nregions; i++)
		if (k == 0 || h->regions[k - 1].family !=
		    h->regions[i].family || memcmp(h->regions[i].lo,
		    h->regions[k - 1].hi, 16) > 0)
			h->regions[k++] = h->regions[i];
	h->nregions = k;
	for (i = 0; i < h->nregions; i++) {
		struct region *r = &h->regions[i];

		nb = region_bans(h, r, &b, &capb);
		nh = region_held(h, r, &have, &caph);
		while (h->nwant + 2 * nb + 1 > h->capwant) {
			h->capwant = h->capwant ? h->capwant * 2 : 64;
			h->want = xreallocarray(h->want, h->capwant,
			    sizeof(*h->want));
		}
		r->start = h->nwant;
		r->n = nb ? ranges_from_bans(b, nb, r->family, now,
		    h->want + r->start) : 0;
		h->nwant += r->n;
		held_diff(have, nh, h->want + r->start, r->n, now, readd,
		    add, nadd, capadd, del, ndel, capdel);
	}
	free(b);
	free(have);
}

/* held_commit - the planned regions' ranges in place of the old */
void
held_commit(struct fw_held *h)
{
	struct fw_range	 key, *x;
	struct olist	*l;
	struct olist_pos p;
	size_t		 i, j;

	for (i = 0; i < h->nregions; i++) {
		struct region *r = &h->regions[i];

		l = &h->ranges[r->family == 6];
		memset(&key, 0, sizeof(key));
		key.family = r->family;
		memcpy(key.lo, r->lo, 16);
		p = olist_lower(l, &key);
		while ((x = olist_get(l, p)) != NULL && x->family ==
		    r->family && memcmp(x->lo, r->hi, 16) <= 0)
			p = olist_erase(l, p);
		for (j = 0; j < r->n; j++)
			olist_insert(l, &h->want[r->start + j]);
	}
	h->nregions = h->nwant = h->ndirty = 0;
}

/* held_full - after a full push: the sweep's ranges held, the order of
 * the bans made again when it was not kept */
void
held_full(struct fw_held *h, struct fw_range *want[2], const size_t nwant[2],
    const struct fw_ban *b, size_t n)
{
	struct oban	*o;
	size_t		 i;

	olist_load(&h->ranges[0], want[0], nwant[0]);
	olist_load(&h->ranges[1], want[1], nwant[1]);
	h->ndirty = 0;
	h->valid = 1;
	if (h->order_ok)
		return;
	o = xcalloc(n + 1, sizeof(*o));
	memset(h->lens, 0, sizeof(h->lens));
	for (i = 0; i < n; i++) {
		block_of(b[i].net.family, b[i].net.addr, b[i].net.len, &o[i]);
		o[i].until = b[i].until;
		h->lens[b[i].net.family == 6][b[i].net.len]++;
	}
	qsort(o, n, sizeof(*o), oban_cmp);
	olist_load(&h->order, o, n);
	free(o);
	h->order_ok = 1;
}

/* same_range - equal family and ends, the end within UNTIL_SLACK */
static int
same_range(const struct fw_range *a, const struct fw_range *b,
    long long slack)
{
	long long	d = a->until - b->until;

	return (a->family == b->family && memcmp(a->lo, b->lo, 16) == 0 &&
	    memcmp(a->hi, b->hi, 16) == 0 && d <= slack && d >= -slack);
}

/* held_check - are the ranges held what a full sweep of b gives */
int
held_check(const struct fw_held *h, const struct fw_ban *b, size_t n,
    const int has[2], long long now, char *err, size_t errlen)
{
	struct fw_range	*want, *got;
	size_t		 nw, ng, i;
	int		 v6, rc = 0;

	for (v6 = 0; v6 < 2 && rc == 0; v6++) {
		want = xcalloc(2 * n + 1, sizeof(*want));
		nw = has[v6] ? ranges_from_bans(b, n, v6 ? 6 : 4, now, want) :
		    0;
		got = olist_array(&h->ranges[v6], &ng);
		for (i = 0; i < nw && i < ng; i++)
			if (!same_range(&want[i], &got[i], 0))
				break;
		if (i < nw || i < ng) {
			snprintf(err, errlen, "IPv%d: %zu ranges held, %zu "
			    "swept; first difference at range %zu", v6 ? 6 : 4,
			    ng, nw, i);
			rc = -1;
		}
		free(want);
		free(got);
	}
	return (rc);
}

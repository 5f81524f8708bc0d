/*	$fivefifty: ranges.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	ranges 3 - bans as disjoint address ranges, for an interval set
 * SYNOPSIS
 *	size_t	ranges_from_bans(const struct fw_ban *b, size_t n, int family,
 *		    long long now, struct fw_range *out);
 *	int	range_cmp(const void *a, const void *b);
 *	int	range_key_inc(unsigned char *key, int len);
 *	void	range_key_dec(unsigned char *key, int len);
 * DESCRIPTION
 *	An nftables interval set refuses overlapping elements, and each
 *	element has one timeout. Bans are CIDR blocks, so two of them are
 *	either disjoint or nested (an address inside a banned /64). The
 *	blocks of one family still in force at now are swept in address
 *	order with a stack of the blocks open at the current address; each
 *	stretch between two block boundaries becomes a range whose end is
 *	the latest end among the blocks covering it. Neighbouring ranges
 *	with the same end inside one outermost ban are merged, so an address
 *	whose own ban ends before its network's adds no element; separate
 *	bans stay separate elements even when adjacent (a neighbour's ban
 *	then never changes another's element). out must hold 2n + 1 ranges; the
 *	result is sorted by range_cmp().
 *
 *	range_key_inc() and range_key_dec() step a key (len bytes, network
 *	order) to the next or previous address; range_key_inc() returns 0
 *	when it wrapped past the last address.
 */
#include <stdlib.h>
#include <string.h>

#include "fw_int.h"
#include "util/util.h"

struct block {
	unsigned char	 lo[16], hi[16];
	long long	 until;
};

struct open_block {
	unsigned char	 hi[16];
	long long	 cmax;		/* latest end of it and its parents */
};

/* range_cmp - by family, start, then end */
int
range_cmp(const void *a, const void *b)
{
	const struct fw_range *x = a, *y = b;
	int		 c;

	if (x->family != y->family)
		return (x->family - y->family);
	if ((c = memcmp(x->lo, y->lo, 16)) != 0)
		return (c);
	return (memcmp(x->hi, y->hi, 16));
}

/* block_cmp - by start; the larger block first */
static int
block_cmp(const void *a, const void *b)
{
	const struct block *x = a, *y = b;
	int		 c;

	if ((c = memcmp(x->lo, y->lo, 16)) != 0)
		return (c);
	return (-memcmp(x->hi, y->hi, 16));
}

/* range_key_inc - key + 1; 0 when it wrapped (key was the last address) */
int
range_key_inc(unsigned char *k, int len)
{
	int		i;

	for (i = len - 1; i >= 0; i--)
		if (++k[i] != 0)
			return (1);
	return (0);
}

/* range_key_dec - key - 1 (key is not 0) */
void
range_key_dec(unsigned char *k, int len)
{
	int		i;

	for (i = len - 1; i >= 0; i--)
		if (k[i]-- != 0)
			return;
}

/* to_block - a ban's network as [lo, hi] */
static void
to_block(const struct fw_ban *b, int klen, struct block *o)
{
	int		i, bits = b->net.len;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < klen; i++) {
		int	keep = bits >= 8 ? 8 : bits > 0 ? bits : 0;
		unsigned char m = (unsigned char)(keep == 0 ? 0 :
		    0xff << (8 - keep));

		o->lo[i] = b->net.addr[i] & m;
		o->hi[i] = (unsigned char)(o->lo[i] | (unsigned char)~m);
		bits -= 8;
	}
	o->until = b->until;
}

struct sweep {
	struct fw_range	*out;
	size_t		 n;
	int		 family, klen;
	unsigned char	 cur[16];	/* the first address not yet out */
	int		 done;		/* cur ran past the last address */
	size_t		 top, last_top;	/* outermost block now, at the last
					 * range out */
};

/* emit - [cur, hi] with this end, then cur = hi + 1 */
static void
emit(struct sweep *s, const unsigned char *hi, long long until)
{
	struct fw_range	*prev = s->n ? &s->out[s->n - 1] : NULL;
	unsigned char	 next[16];

	if (s->done || memcmp(s->cur, hi, 16) > 0)
		return;
	memcpy(next, prev ? prev->hi : s->cur, 16);
	if (prev != NULL && prev->until == until && s->last_top == s->top &&
	    range_key_inc(next, s->klen) && memcmp(next, s->cur, 16) == 0)
		memcpy(prev->hi, hi, 16);	/* same outer ban, same end */
	else {
		struct fw_range *r = &s->out[s->n++];

		memset(r, 0, sizeof(*r));
		r->family = s->family;
		memcpy(r->lo, s->cur, 16);
		memcpy(r->hi, hi, 16);
		r->until = until;
	}
	s->last_top = s->top;
	memcpy(s->cur, hi, 16);
	if (!range_key_inc(s->cur, s->klen))
		s->done = 1;
}

/* ranges_from_bans - disjoint ranges of one family, each with the latest
 * end that covers it */
size_t
ranges_from_bans(const struct fw_ban *b, size_t n, int family, long long now,
    struct fw_range *out)
{
	struct block	*blk;
	struct open_block *stk;
	struct sweep	 s;
	size_t		 i, nb = 0, depth = 0;
	int		 klen = family == 6 ? 16 : 4;

	blk = xcalloc(n + 1, sizeof(*blk));
	stk = xcalloc(n + 1, sizeof(*stk));
	for (i = 0; i < n; i++)
		if (b[i].net.family == family && b[i].until > now)
			to_block(&b[i], klen, &blk[nb++]);
	qsort(blk, nb, sizeof(*blk), block_cmp);
	memset(&s, 0, sizeof(s));
	s.out = out;
	s.family = family;
	s.klen = klen;
	for (i = 0; i < nb; i++) {
		/* Close the blocks that end before this one starts. */
		while (depth > 0 && memcmp(stk[depth - 1].hi, blk[i].lo, 16) <
		    0) {
			emit(&s, stk[depth - 1].hi, stk[depth - 1].cmax);
			depth--;
		}
		if (depth > 0 && !s.done && memcmp(s.cur, blk[i].lo, 16) < 0) {
			unsigned char before[16];

			memcpy(before, blk[i].lo, 16);
			range_key_dec(before, klen);
			emit(&s, before, stk[depth - 1].cmax);
		}
		if (depth == 0) {
			memcpy(s.cur, blk[i].lo, 16);
			s.done = 0;
			s.top = i + 1;
		}
		memcpy(stk[depth].hi, blk[i].hi, 16);
		stk[depth].cmax = blk[i].until;
		if (depth > 0 && stk[depth - 1].cmax > stk[depth].cmax)
			stk[depth].cmax = stk[depth - 1].cmax;
		depth++;
	}
	while (depth > 0) {
		emit(&s, stk[depth - 1].hi, stk[depth - 1].cmax);
		depth--;
	}
	free(blk);
	free(stk);
	return (s.n);
}

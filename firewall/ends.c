/*	$fivefifty: ends.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	ends 3 - the bans' ends in a heap: the next to end without a walk
 * SYNOPSIS
 *	void	ends_push(struct fw_ends *e, const struct net_prefix *n,
 *		    long long until);
 *	void	ends_reserve(struct fw_ends *e, size_t n);
 *	long long ends_top(const struct fw_ends *e);
 *	int	ends_pop(struct fw_ends *e, struct net_prefix *n,
 *		    long long *until);
 *	void	ends_clear(struct fw_ends *e);
 * DESCRIPTION
 *	A binary min-heap of (end, network). The enforcer pushes every end
 *	it is told of (a new ban, a moved end) and never removes one: an
 *	entry whose ban is gone or ends at another time is stale, and the
 *	enforcer skips it when it comes up (its ban is looked up by
 *	network). So a flush at which k bans end costs k log n, not a walk
 *	over every ban in force; the caller rebuilds the heap (ends_clear()
 *	and a push per ban) when stale entries outnumber the bans.
 *
 *	ends_top() is the earliest end in the heap (0: empty); ends_pop()
 *	takes it out (1), or says the heap is empty (0). ends_reserve()
 *	makes room for n at once.
 */
#include <stdlib.h>
#include <string.h>

#include "fw_int.h"
#include "util/util.h"

/* ends_push - one more end */
void
ends_push(struct fw_ends *e, const struct net_prefix *n, long long until)
{
	struct fw_end	 x;
	size_t		 i, up;

	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 256;
		e->h = xgrowarray(e->h, e->n, e->cap, sizeof(*e->h));
	}
	x.net = *n;
	x.until = until;
	for (i = e->n++; i > 0; i = up) {
		up = (i - 1) / 2;
		if (e->h[up].until <= until)
			break;
		e->h[i] = e->h[up];
	}
	e->h[i] = x;
}

/* ends_reserve - room for n ends at once */
void
ends_reserve(struct fw_ends *e, size_t n)
{
	if (n <= e->cap)
		return;
	e->h = xgrowarray(e->h, e->n, n, sizeof(*e->h));
	e->cap = n;
}

/* ends_top - the earliest end, 0 when there is none */
long long
ends_top(const struct fw_ends *e)
{
	return (e->n > 0 ? e->h[0].until : 0);
}

/* ends_pop - take the earliest end out; 0 when there is none */
int
ends_pop(struct fw_ends *e, struct net_prefix *n, long long *until)
{
	struct fw_end	 last;
	size_t		 i, c;

	if (e->n == 0)
		return (0);
	*n = e->h[0].net;
	*until = e->h[0].until;
	last = e->h[--e->n];
	for (i = 0; (c = 2 * i + 1) < e->n; i = c) {
		if (c + 1 < e->n && e->h[c + 1].until < e->h[c].until)
			c++;
		if (last.until <= e->h[c].until)
			break;
		e->h[i] = e->h[c];
	}
	if (e->n > 0)
		e->h[i] = last;
	return (1);
}

/* ends_clear - empty, its memory freed */
void
ends_clear(struct fw_ends *e)
{
	free(e->h);
	memset(e, 0, sizeof(*e));
}

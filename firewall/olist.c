/*	$fivefifty: olist.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	olist 3 - a sorted list in chunks: local inserts and erases
 * SYNOPSIS
 *	void	olist_init(struct olist *l, size_t size,
 *		    int (*cmp)(const void *, const void *));
 *	void	olist_clear(struct olist *l);
 *	void	olist_load(struct olist *l, const void *sorted, size_t n);
 *	struct olist_pos olist_lower(const struct olist *l, const void *key);
 *	void	*olist_get(const struct olist *l, struct olist_pos p);
 *	struct olist_pos olist_next(const struct olist *l, struct olist_pos p);
 *	void	olist_insert(struct olist *l, const void *elem);
 *	struct olist_pos olist_erase(struct olist *l, struct olist_pos p);
 *	void	*olist_array(const struct olist *l, size_t *n);
 * DESCRIPTION
 *	The enforcer keeps the ranges the kernel holds, and the bans in
 *	address order, with 100,000 and more of them: a flush that changes
 *	one must not copy them all. The elements (size bytes each, ordered
 *	by cmp) sit in chunks of at most OL_CHUNK, found by a binary search
 *	over the chunks' last elements, then within one chunk: an insert or
 *	an erase moves at most one chunk's elements and the chunk pointers.
 *
 *	olist_load() replaces the contents with n elements already sorted
 *	(a full sweep's result). olist_lower() is the position of the first
 *	element not less than key (the end when none); olist_get() the
 *	element at a position, or NULL at the end; olist_next() the next
 *	position. olist_erase() returns the position of the element that
 *	followed the erased one. Positions are void after an insert or an
 *	erase, except the one olist_erase() returns. olist_array() is a
 *	sorted copy (malloc'd; the caller frees it), for the full diff.
 *	l->n is the number of elements.
 */
#include <stdlib.h>
#include <string.h>

#include "fw_int.h"
#include "util/util.h"

#define OL_CHUNK	128	/* elements a chunk holds at most */

struct olist_chunk {
	size_t		 n;
	unsigned char	 data[];
};

/* olist_init - an empty list of elements of size bytes */
void
olist_init(struct olist *l, size_t size, int (*cmp)(const void *,
    const void *))
{
	memset(l, 0, sizeof(*l));
	l->size = size;
	l->cmp = cmp;
}

/* olist_clear - no elements, no memory */
void
olist_clear(struct olist *l)
{
	size_t		i;

	for (i = 0; i < l->nc; i++)
		free(l->c[i]);
	free(l->c);
	l->c = NULL;
	l->nc = l->capc = l->n = 0;
}

/* new_chunk - an empty chunk */
static struct olist_chunk *
new_chunk(const struct olist *l)
{
	struct olist_chunk *k;

	k = xcalloc(1, sizeof(*k) + OL_CHUNK * l->size);
	return (k);
}

/* chunk_at - make room for a chunk pointer at ci, and put k there */
static void
chunk_at(struct olist *l, size_t ci, struct olist_chunk *k)
{
	if (l->nc == l->capc) {
		l->capc = l->capc ? l->capc * 2 : 16;
		l->c = xreallocarray(l->c, l->capc, sizeof(*l->c));
	}
	memmove(&l->c[ci + 1], &l->c[ci], (l->nc - ci) * sizeof(*l->c));
	l->c[ci] = k;
	l->nc++;
}

/* elem - the element i of chunk k */
static void *
elem(const struct olist *l, const struct olist_chunk *k, size_t i)
{
	return ((void *)(k->data + i * l->size));
}

/* olist_load - the contents replaced by n sorted elements */
void
olist_load(struct olist *l, const void *sorted, size_t n)
{
	const unsigned char *p = sorted;
	struct olist_chunk *k;
	size_t		 take, fill = OL_CHUNK * 3 / 4;

	olist_clear(l);
	/* Chunks three quarters full: the first inserts split none. */
	while (n > 0) {
		take = n < fill ? n : fill;
		k = new_chunk(l);
		memcpy(k->data, p, take * l->size);
		k->n = take;
		chunk_at(l, l->nc, k);
		l->n += take;
		p += take * l->size;
		n -= take;
	}
}

/* olist_lower - the first element not less than key */
struct olist_pos
olist_lower(const struct olist *l, const void *key)
{
	struct olist_pos p;
	size_t		 lo = 0, hi = l->nc, mid;
	const struct olist_chunk *k;

	/* The first chunk whose last element is not less than key. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		k = l->c[mid];
		if (l->cmp(elem(l, k, k->n - 1), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	p.c = lo;
	p.i = 0;
	if (lo == l->nc)
		return (p);
	k = l->c[lo];
	hi = k->n;
	lo = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->cmp(elem(l, k, mid), key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	p.i = lo;
	return (p);
}

/* olist_get - the element at p, or NULL at the end */
void *
olist_get(const struct olist *l, struct olist_pos p)
{
	if (p.c >= l->nc)
		return (NULL);
	return (elem(l, l->c[p.c], p.i));
}

/* olist_next - the position after p */
struct olist_pos
olist_next(const struct olist *l, struct olist_pos p)
{
	if (p.c >= l->nc)
		return (p);
	if (++p.i >= l->c[p.c]->n) {
		p.c++;
		p.i = 0;
	}
	return (p);
}

/* olist_insert - elem at its place (before its equals) */
void
olist_insert(struct olist *l, const void *e)
{
	struct olist_pos p = olist_lower(l, e);
	struct olist_chunk *k, *k2;
	size_t		 half;

	if (l->nc == 0) {
		chunk_at(l, 0, new_chunk(l));
		p.c = p.i = 0;
	} else if (p.c == l->nc) {	/* past the last: its end */
		p.c = l->nc - 1;
		p.i = l->c[p.c]->n;
	}
	k = l->c[p.c];
	if (k->n == OL_CHUNK) {		/* full: split in two halves */
		half = OL_CHUNK / 2;
		k2 = new_chunk(l);
		memcpy(k2->data, elem(l, k, half), (OL_CHUNK - half) *
		    l->size);
		k2->n = OL_CHUNK - half;
		k->n = half;
		chunk_at(l, p.c + 1, k2);
		if (p.i > half) {
			p.c++;
			p.i -= half;
			k = k2;
		}
	}
	memmove(elem(l, k, p.i + 1), elem(l, k, p.i), (k->n - p.i) *
	    l->size);
	memcpy(elem(l, k, p.i), e, l->size);
	k->n++;
	l->n++;
}

/* olist_erase - remove the element at p; the position of the next */
struct olist_pos
olist_erase(struct olist *l, struct olist_pos p)
{
	struct olist_chunk *k;

	if (p.c >= l->nc)
		return (p);
	k = l->c[p.c];
	memmove(elem(l, k, p.i), elem(l, k, p.i + 1), (k->n - p.i - 1) *
	    l->size);
	k->n--;
	l->n--;
	if (k->n == 0) {
		free(k);
		memmove(&l->c[p.c], &l->c[p.c + 1], (l->nc - p.c - 1) *
		    sizeof(*l->c));
		l->nc--;
		p.i = 0;
	} else if (p.i >= k->n) {
		p.c++;
		p.i = 0;
	}
	return (p);
}

/* olist_array - a sorted copy of every element; *n of them */
void *
olist_array(const struct olist *l, size_t *n)
{
	unsigned char	*a, *p;
	size_t		 i;

	a = p = xcalloc(l->n + 1, l->size);
	for (i = 0; i < l->nc; i++) {
		memcpy(p, l->c[i]->data, l->c[i]->n * l->size);
		p += l->c[i]->n * l->size;
	}
	*n = l->n;
	return (a);
}

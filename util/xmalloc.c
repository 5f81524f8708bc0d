/*	$fivefifty: xmalloc.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	xmalloc 3 - memory that is there, or the end of the program
 * SYNOPSIS
 *	See util.h.
 * DESCRIPTION
 *	xmalloc(), xcalloc(), xreallocarray() and xstrdup() are malloc(3),
 *	calloc(3), reallocarray(3) and strdup(3) that never return NULL:
 *	when memory is exhausted (or a size overflows) they log "fatal: out
 *	of memory" with the size asked for and exit with EX_OSERR. A size of
 *	0 is served as 1 byte, so the result is never NULL.
 *
 *	xprefault(p, len) faults in the whole pages of [p, p + len) at once
 *	(madvise(2) MADV_POPULATE_WRITE, Linux 5.14), for a large array its
 *	caller fills next: one call instead of a fault per 4 kB page, which
 *	costs about 10 us on a VM with shadow paging (0.7 us populated).
 *	Best effort: below 256 kB, or on a kernel without it, it does nothing.
 *	xgrowarray(p, oldn, newn, size) is xreallocarray() for an array of
 *	oldn objects growing to newn: a large one is copied into memory
 *	faulted in so first (realloc(3) copied into fresh pages one fault at
 *	a time: most of the faults of a start with 100,000 bans).
 * DIAGNOSTICS
 *	"fatal: out of memory (N bytes): REASON", exit EX_OSERR.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* xmalloc - size bytes, uninitialised */
void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size != 0 ? size : 1)) == NULL)
		fatal(EX_OSERR, "out of memory (%zu bytes)", size);
	return (p);
}

/* xcalloc - nmemb zeroed objects of size bytes */
void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		fatal(EX_OSERR, "out of memory (%zu times %zu bytes)", nmemb,
		    size);
	return (p);
}

/* xreallocarray - p grown (or shrunk) to nmemb objects of size bytes */
void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	void	*np;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((np = reallocarray(p, nmemb, size)) == NULL)
		fatal(EX_OSERR, "out of memory (%zu times %zu bytes)", nmemb,
		    size);
	return (np);
}

/* xstrdup - a copy of s */
char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal(EX_OSERR, "out of memory (%zu bytes)", strlen(s) + 1);
	return (p);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23		/* Linux 5.14 */
#endif

/* xprefault - the whole pages of [p, p + len) faulted in at once */
void
xprefault(void *p, size_t len)
{
	static long	 page;
	uintptr_t	 lo, hi;

	if (p == NULL || len < (256U << 10))
		return;
	if (page == 0 && (page = sysconf(_SC_PAGESIZE)) <= 0)
		page = 4096;
	lo = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	hi = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

/* xgrowarray - p's oldn objects of size bytes, in room for newn */
void *
xgrowarray(void *p, size_t oldn, size_t newn, size_t size)
{
	void	*np;

	if (newn <= oldn || size == 0 || newn > SIZE_MAX / size ||
	    newn * size < (256U << 10))
		return (xreallocarray(p, newn, size));
	np = xmalloc(newn * size);
	xprefault(np, newn * size);
	if (p != NULL)
		memcpy(np, p, oldn * size);
	free(p);
	return (np);
}

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
 * DIAGNOSTICS
 *	"fatal: out of memory (N bytes): REASON", exit EX_OSERR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

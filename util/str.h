/*	$fivefifty: str.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	str 3h - copy a string into a fixed array, cut to fit
 * SYNOPSIS
 *	#include "util/str.h"
 *
 *	void	str_copy(char *dst, size_t size, const char *src);
 * DESCRIPTION
 *	str_copy() is snprintf(dst, size, "%s", src) without the formatting:
 *	the bytes of src up to its NUL or size - 1 bytes, whichever comes
 *	first, then a NUL; nothing after it is written. size must not be 0.
 *	It is inline: the scorer copies every session's address and every
 *	piece of evidence with it, and snprintf() was a quarter of scan's
 *	scoring thread.
 */
#ifndef FIVEFIFTY_STR_H
#define FIVEFIFTY_STR_H

#include <stddef.h>
#include <string.h>

/* str_copy - src into dst[size], cut to fit, NUL-terminated */
static inline void
str_copy(char *dst, size_t size, const char *src)
{
	size_t	n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

#endif /* FIVEFIFTY_STR_H */

/*	$fivefifty: hash.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	hash 3 - a seeded 64-bit hash of bytes
 * SYNOPSIS
 *	uint64_t hash64(const char *p, size_t n, uint64_t seed);
 * DESCRIPTION
 *	See hash.h. FNV-1a: one xor and one multiplication a byte, no
 *	allocation, no failure.
 */
#include "hash.h"

/* hash64 - FNV-1a, seeded */
uint64_t
hash64(const char *p, size_t n, uint64_t seed)
{
	uint64_t	h = 0xcbf29ce484222325ULL ^ seed;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return (h);
}

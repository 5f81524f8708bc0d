/*	$fivefifty: hash.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	hash 3h - a seeded 64-bit hash of bytes
 * SYNOPSIS
 *	#include "util/hash.h"
 *
 *	uint64_t hash64(const char *p, size_t n, uint64_t seed);
 * DESCRIPTION
 *	hash64() is FNV-1a of the n bytes at p, its basis xor-ed with seed:
 *	one xor and one multiplication a byte, no allocation, no failure.
 *	It is inline: the scorer hashes every event's session key and every
 *	client lookup's key with it. The scorer also keeps hashes of peer
 *	text (senders, recipients, prefix members) in the state: the
 *	function and its seeds are part of the state's format and never
 *	change.
 * SECURITY
 *	Not a keyed hash: a table that hostile input fills must bound its
 *	chains another way (the scorer's tables double their buckets and
 *	are bounded, score/bounds.c).
 */
#ifndef FIVEFIFTY_HASH_H
#define FIVEFIFTY_HASH_H

#include <stddef.h>
#include <stdint.h>

/* hash64 - FNV-1a, seeded */
static inline uint64_t
hash64(const char *p, size_t n, uint64_t seed)
{
	uint64_t	h = 0xcbf29ce484222325ULL ^ seed;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return (h);
}

#endif /* FIVEFIFTY_HASH_H */

/*	$fivefifty: net.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	net 3h - client addresses and networks, parsed once, kept binary
 * SYNOPSIS
 *	#include "net/net.h"
 *
 *	int	net_addr(const char *p, size_t len, struct net_prefix *n,
 *		    char *canon, size_t clen);
 *	int	net_parse(const char *text, struct net_prefix *n);
 *	int	net_host(const char *text, struct net_prefix *n);
 *	void	net_text(const struct net_prefix *n, char *out,
 *		    size_t len);
 *	void	net_addr_text(const struct net_prefix *n, char *out,
 *		    size_t len);
 *	int	net_contains(const struct net_prefix *n,
 *		    const struct net_prefix *a);
 *	int	net_contains_text(const struct net_prefix *n,
 *		    const char *addr);
 *	int	net_overlap(const struct net_prefix *a,
 *		    const struct net_prefix *b);
 *	void	net_mask(struct net_prefix *n, int len);
 *	int	net_full_len(int family);
 *	int	net_v4_in_v6(const unsigned char bin[16]);
 * DESCRIPTION
 *	A struct net_prefix is an address (len 32 or 128) or a network:
 *	family 4 or 6 (0: none), the address bytes in network order with
 *	every bit after len clear (4 bytes used for IPv4, the rest zero),
 *	and the prefix length. Two of them are the same network when their
 *	bytes are equal (memcmp), as long as both were made here.
 *
 *	An IPv4-mapped (::ffff:0:0/96) or IPv4-compatible (::/96 but :: and
 *	::1) IPv6 address is the IPv4 address it carries, everywhere
 *	(net_v4_in_v6() tells such 16 bytes): ::ffff:127.0.0.1 is loopback,
 *	::ffff:192.0.2.1 the client 192.0.2.1 (one score, one IPv4 ban).
 *
 *	net_addr() is the one canonicaliser of an address: it reads the
 *	len bytes at p (not NUL-terminated; a dotted quad as strictly as
 *	inet_pton, no leading zeros; IPv6 as inet_pton takes it, with an
 *	optional "%zone" of letters, digits, '.', '_' and '-'), fills *n,
 *	and when canon is not NULL writes the canonical text there: the
 *	dotted quad, or the RFC 5952 form (inet_ntop) followed by the zone
 *	as written (a mapped address loses its zone). It returns 0, or -1
 *	for anything else or a canonical text longer than clen - 1.
 *
 *	net_parse() reads "addr/len" or a bare address (a /32 or /128) and
 *	returns 0, or -1 when it is neither; a zone is dropped. A mapped
 *	prefix of 96 bits or more is the IPv4 network it carries
 *	("::ffff:192.0.2.0/120" is 192.0.2.0/24); a shorter one stays an
 *	IPv6 network.
 *
 *	net_host() reads the NUL-terminated text of one address as
 *	net_addr() does, a zone dropped (the text a client entry or a
 *	session kept): 0, or -1.
 *
 *	net_text() writes "addr/len" ("none" for family 0); net_addr_text()
 *	writes "addr" for a full-length prefix, else "addr/len".
 *	net_contains() tells whether a (an address, or a network as narrow
 *	as n or narrower) lies inside n; net_contains_text() is the same
 *	for the text of an address (0 when it is none). net_overlap() tells
 *	whether one of two networks contains the other. net_mask() makes n
 *	its network of len bits. net_full_len() is 32 or 128.
 * SECURITY
 *	The text is hostile (log lines, the command line, the
 *	configuration): it is bounded (NET_TEXT_MAX) and only what inet_pton
 *	accepts passes. Nothing here allocates, nothing fails beyond -1.
 */
#ifndef FIVEFIFTY_NET_H
#define FIVEFIFTY_NET_H

#include <stddef.h>

#define NET_TEXT_MAX	64	/* IPv6 text (45) + "%" + zone, NUL */
#define NET_LIST_MAX	64	/* networks in one configured list
				 * (whitelist, mynetworks) */

struct net_prefix {
	int		 family;	/* 4 or 6; 0: none */
	unsigned char	 addr[16];
	int		 len;		/* prefix length */
};

int	net_addr(const char *, size_t, struct net_prefix *, char *, size_t);
int	net_parse(const char *, struct net_prefix *);
int	net_host(const char *, struct net_prefix *);
void	net_text(const struct net_prefix *, char *, size_t);
void	net_addr_text(const struct net_prefix *, char *, size_t);
int	net_contains(const struct net_prefix *, const struct net_prefix *);
int	net_contains_text(const struct net_prefix *, const char *);
int	net_overlap(const struct net_prefix *, const struct net_prefix *);
void	net_mask(struct net_prefix *, int);
int	net_full_len(int);
int	net_v4_in_v6(const unsigned char *);

#endif /* FIVEFIFTY_NET_H */

/*	$fivefifty: net.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	net 3 - client addresses and networks, parsed once, kept binary
 * SYNOPSIS
 *	See net.h.
 * DESCRIPTION
 *	net_addr() is the tree's one address canonicaliser: the parser
 *	calls it at its edge for every client address, so the scorer, the
 *	firewall and the commands work on the binary form it gives and
 *	never read the text again. A dotted quad is read by hand (the
 *	parser's hot path: most clients are IPv4), IPv6 by inet_pton(3).
 * SECURITY
 *	Input is copied into a bounded buffer before inet_pton sees it;
 *	a zone is checked byte by byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

/* v4_strict - a dotted quad as inet_pton takes it (no leading zeros)
 * into 4 bytes: such text is already canonical */
static int
v4_strict(const char *s, size_t len, unsigned char *bin)
{
	unsigned	 v = 0, parts = 1, digits = 0;
	size_t		 i;

	if (len < 7 || len > 15)
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (digits == 1 && v == 0)
				return (-1);	/* leading zero */
			v = v * 10 + (unsigned)(s[i] - '0');
			if (++digits > 3 || v > 255)
				return (-1);
		} else if (s[i] == '.' && digits > 0 && parts < 4) {
			bin[parts - 1] = (unsigned char)v;
			parts++;
			v = 0;
			digits = 0;
		} else
			return (-1);
	}
	if (parts != 4 || digits == 0)
		return (-1);
	bin[3] = (unsigned char)v;
	return (0);
}

/* zone_ok - "%zone": at least one byte, of letters, digits, '.', '_'
 * and '-' only */
static int
zone_ok(const char *z, size_t len)
{
	size_t		i;

	if (len < 2)
		return (0);
	for (i = 1; i < len; i++)
		if (z[i] == '\0' || strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", z[i]) == NULL)
			return (0);
	return (1);
}

/* net_v4_in_v6 - 16 bytes of an IPv4-mapped (::ffff:0:0/96) or
 * IPv4-compatible (::/96 but :: and ::1) address: 1, else 0 */
int
net_v4_in_v6(const unsigned char *bin)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[12];

	if (memcmp(bin, mapped, 12) == 0)
		return (1);
	return (memcmp(bin, zero, 12) == 0 && (bin[12] | bin[13] | bin[14]) !=
	    0);
}

/* net_full_len - the prefix length of one address of family */
int
net_full_len(int family)
{
	return (family == 4 ? 32 : 128);
}

/* v6_canon - canonical text of an IPv6 (or carried IPv4) address with
 * its zone (zlen bytes at zone, "%" first) into canon; -1 if too long */
static int
v6_canon(const struct net_prefix *n, const char *zone, size_t zlen,
    char *canon, size_t clen)
{
	char		 text[INET6_ADDRSTRLEN];
	size_t		 k;

	if (inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, text,
	    sizeof(text)) == NULL)
		return (-1);
	k = strlen(text);
	if (k + zlen + 1 > clen)
		return (-1);
	memcpy(canon, text, k);
	if (zlen > 0)
		memcpy(canon + k, zone, zlen);
	canon[k + zlen] = '\0';
	return (0);
}

/* addr6 - net_addr() of text with a ':': IPv6, or an IPv4 address in an
 * IPv6 form. Out of line: the dotted quads of net_addr()'s hot path need
 * no buffer on their stack. */
static __attribute__((noinline)) int
addr6(const char *p, size_t len, struct net_prefix *n, char *canon,
    size_t clen)
{
	char		 buf[NET_TEXT_MAX];
	char		*zone;
	size_t		 zlen = 0;

	if (len >= sizeof(buf) || memchr(p, '\0', len) != NULL)
		return (-1);
	memcpy(buf, p, len);
	buf[len] = '\0';
	if ((zone = memchr(buf, '%', len)) != NULL) {
		zlen = len - (size_t)(zone - buf);
		if (!zone_ok(zone, zlen))
			return (-1);
		memmove(zone + 1, zone, zlen);	/* keep "%zone" */
		*zone++ = '\0';
	}
	if (inet_pton(AF_INET6, buf, n->addr) != 1) {
		memset(n, 0, sizeof(*n));
		return (-1);
	}
	n->family = 6;
	n->len = 128;
	if (net_v4_in_v6(n->addr)) {
		memmove(n->addr, n->addr + 12, 4);
		memset(n->addr + 4, 0, 12);
		n->family = 4;
		n->len = 32;
		zlen = 0;	/* no zone on IPv4 */
	}
	if (canon != NULL && v6_canon(n, zone, zlen, canon, clen) == -1) {
		memset(n, 0, sizeof(*n));
		return (-1);
	}
	return (0);
}

/* net_addr - one address: binary into n, canonical text into canon */
int
net_addr(const char *p, size_t len, struct net_prefix *n, char *canon,
    size_t clen)
{
	memset(n, 0, sizeof(*n));
	if (canon != NULL && clen > 0)
		canon[0] = '\0';
	if (p == NULL || len == 0 || len >= NET_TEXT_MAX)
		return (-1);
	/* A dotted quad first: most clients are IPv4, and no such text
	 * holds a ':'. */
	if (v4_strict(p, len, n->addr) == -1) {
		memset(n, 0, sizeof(*n));
		return (memchr(p, ':', len) != NULL ? addr6(p, len, n, canon,
		    clen) : -1);
	}
	if (canon != NULL && len >= clen) {
		memset(n, 0, sizeof(*n));
		return (-1);
	}
	n->family = 4;
	n->len = 32;
	if (canon != NULL) {
		memcpy(canon, p, len);
		canon[len] = '\0';
	}
	return (0);
}

/* net_mask - n becomes its network of len bits */
void
net_mask(struct net_prefix *n, int len)
{
	int		 i, bytes = n->family == 4 ? 4 : 16;

	n->len = len;
	for (i = 0; i < bytes; i++) {
		if (len >= (i + 1) * 8)
			continue;
		if (len <= i * 8)
			n->addr[i] = 0;
		else
			n->addr[i] &= (unsigned char)(0xff <<
			    (8 - (len - i * 8)));
	}
}

/* net_parse - "addr[/len]" */
int
net_parse(const char *text, struct net_prefix *n)
{
	char		 buf[NET_TEXT_MAX], *slash, *end, *zone;
	long		 len;
	int		 mapped;

	memset(n, 0, sizeof(*n));
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return (-1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if ((zone = strchr(buf, '%')) != NULL)
		*zone = '\0';	/* any zone: no part of a network */
	if (net_addr(buf, strlen(buf), n, NULL, 0) == -1)
		return (-1);
	mapped = n->family == 4 && strchr(buf, ':') != NULL;
	if (slash != NULL) {
		len = strtol(slash + 1, &end, 10);
		if (*end != '\0' || end == slash + 1 || len < 0 ||
		    len > (mapped ? 128 : n->len)) {
			memset(n, 0, sizeof(*n));
			return (-1);
		}
		if (mapped && len < 96) {
			/* Wider than the IPv4 block: an IPv6 network. */
			if (inet_pton(AF_INET6, buf, n->addr) != 1)
				return (-1);
			n->family = 6;
		} else if (mapped)
			len -= 96;
		net_mask(n, (int)len);
	}
	return (0);
}

/* net_text - "network/len" of a parsed network */
void
net_text(const struct net_prefix *n, char *out, size_t len)
{
	char		text[INET6_ADDRSTRLEN];

	if (n->family == 0) {
		snprintf(out, len, "none");
		return;
	}
	inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, text,
	    sizeof(text));
	snprintf(out, len, "%s/%d", text, n->len);
}

/* net_addr_text - "addr" for a single address, else "addr/len" */
void
net_addr_text(const struct net_prefix *n, char *out, size_t len)
{
	char		text[INET6_ADDRSTRLEN];

	if (n->family == 0 || n->len != net_full_len(n->family)) {
		net_text(n, out, len);
		return;
	}
	inet_ntop(n->family == 4 ? AF_INET : AF_INET6, n->addr, text,
	    sizeof(text));
	snprintf(out, len, "%s", text);
}

/* bits_eq - the first bits of two address byte strings are equal */
static int
bits_eq(const unsigned char *a, const unsigned char *b, int bits)
{
	int		i;

	for (i = 0; bits > 0 && i < 16; i++, bits -= 8) {
		unsigned char m = (unsigned char)(bits >= 8 ? 0xff :
		    0xff << (8 - bits));

		if ((a[i] & m) != (b[i] & m))
			return (0);
	}
	return (1);
}

/* net_contains - is a (an address, or a network no wider) inside n */
int
net_contains(const struct net_prefix *n, const struct net_prefix *a)
{
	return (n->family != 0 && a->family == n->family &&
	    a->len >= n->len && bits_eq(n->addr, a->addr, n->len));
}

/* net_host - the text of one address, its zone dropped */
int
net_host(const char *text, struct net_prefix *n)
{
	const char	*zone = strchr(text, '%');

	return (net_addr(text, zone != NULL ? (size_t)(zone - text) :
	    strlen(text), n, NULL, 0));
}

/* net_contains_text - is the address text addr inside n */
int
net_contains_text(const struct net_prefix *n, const char *addr)
{
	struct net_prefix a;

	return (net_host(addr, &a) == 0 && net_contains(n, &a));
}

/* net_overlap - does one of the networks contain the other */
int
net_overlap(const struct net_prefix *a, const struct net_prefix *b)
{
	return (a->family == b->family && bits_eq(a->addr, b->addr,
	    a->len < b->len ? a->len : b->len));
}

/*	$fivefifty: net.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	net 3 - addresses as keys, CIDR networks, prefixes
 * SYNOPSIS
 *	int	score_net_parse(const char *text, struct score_net *n);
 *	int	net_key(const char *addr, int prefix, unsigned char key[18],
 *		    int *family);
 *	int	net_contains(const struct score_net *n, const char *addr);
 *	void	net_prefix_text(const char *addr, int prefix, char *out,
 *		    size_t len);
 * DESCRIPTION
 *	score_net_parse() reads "1.2.3.0/24", "2001:db8::/32" or a bare
 *	address (a /32 or /128) and returns 0, or -1 if it is none of these.
 *	An IPv4-mapped or -compatible IPv6 address (pf_addr_v4_in_v6()) is
 *	the IPv4 address it carries, everywhere here: "::ffff:127.0.0.1"
 *	is 127.0.0.1/32, "::ffff:192.0.2.0/120" is 192.0.2.0/24 (a prefix
 *	shorter than 96 stays an IPv6 network).
 *	net_key() makes the table key of an address (canonical text from
 *	the parser; a zone is dropped) masked to prefix bits (-1: all).
 *	net_contains() tells whether a canonical address is inside n.
 *	net_prefix_text() writes "addr/len" of the network addr is in.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"

static int	to_bin_map(const char *, unsigned char *, int *, int *);

/* to_bin - address text (zone dropped) to 4 or 16 bytes; an IPv4-mapped
 * or -compatible IPv6 address to the IPv4 address it carries */
static int
to_bin(const char *addr, unsigned char *bin, int *family)
{
	return (to_bin_map(addr, bin, family, NULL));
}

/* to_bin_map - to_bin(), *mapped (when not NULL) set when an IPv6 text
 * gave an IPv4 address */
static int
to_bin_map(const char *addr, unsigned char *bin, int *family, int *mapped)
{
	char		buf[PF_ADDR_MAX];
	const char	*z;

	if ((z = strchr(addr, '%')) != NULL) {
		if ((size_t)(z - addr) >= sizeof(buf))
			return (-1);
		memcpy(buf, addr, (size_t)(z - addr));
		buf[z - addr] = '\0';
		addr = buf;
	}
	if (strchr(addr, ':') == NULL && inet_pton(AF_INET, addr, bin) == 1) {
		*family = 4;
		return (0);
	}
	if (inet_pton(AF_INET6, addr, bin) == 1) {
		*family = 6;
		if (pf_addr_v4_in_v6(bin)) {
			memmove(bin, bin + 12, 4);
			memset(bin + 4, 0, 12);
			*family = 4;
			if (mapped != NULL)
				*mapped = 1;
		}
		return (0);
	}
	return (-1);
}

/* mask - clear the bits after the first len */
static void
mask(unsigned char *bin, int bytes, int len)
{
	int		i;

	for (i = 0; i < bytes; i++) {
		if (len >= (i + 1) * 8)
			continue;
		if (len <= i * 8)
			bin[i] = 0;
		else
			bin[i] &= (unsigned char)(0xff << (8 - (len - i * 8)));
	}
}

/* score_net_parse - "addr[/len]" */
int
score_net_parse(const char *text, struct score_net *n)
{
	char		 buf[PF_ADDR_MAX], *slash, *end;
	long		 len;
	int		 mapped = 0;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return (-1);
	memset(n, 0, sizeof(*n));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (to_bin_map(buf, n->addr, &n->family, &mapped) == -1)
		return (-1);
	n->len = n->family == 4 ? 32 : 128;
	if (slash != NULL) {
		len = strtol(slash + 1, &end, 10);
		if (*end != '\0' || end == slash + 1 || len < 0 ||
		    len > (mapped ? 128 : n->len))
			return (-1);
		if (mapped && len < 96) {
			/* Wider than the IPv4 block: an IPv6 network. */
			if (inet_pton(AF_INET6, buf, n->addr) != 1)
				return (-1);
			n->family = 6;
		} else if (mapped)
			len -= 96;
		n->len = (int)len;
	}
	mask(n->addr, n->family == 4 ? 4 : 16, n->len);
	return (0);
}

/* net_key - the table key of addr masked to prefix bits (-1: all) */
int
net_key(const char *addr, int prefix, unsigned char *key, int *family)
{
	unsigned char	bin[16];
	int		bytes;

	memset(bin, 0, sizeof(bin));
	if (to_bin(addr, bin, family) == -1)
		return (-1);
	bytes = *family == 4 ? 4 : 16;
	if (prefix < 0)
		prefix = bytes * 8;
	mask(bin, bytes, prefix);
	memset(key, 0, 18);
	key[0] = (unsigned char)*family;
	key[1] = (unsigned char)prefix;
	memcpy(key + 2, bin, (size_t)bytes);
	return (0);
}

/* score_net_contains - is the address inside n (for callers outside) */
int
score_net_contains(const struct score_net *n, const char *addr)
{
	return (net_contains(n, addr));
}

/* net_contains - is the canonical address inside n */
int
net_contains(const struct score_net *n, const char *addr)
{
	unsigned char	bin[16];
	int		family;

	memset(bin, 0, sizeof(bin));
	if (to_bin(addr, bin, &family) == -1 || family != n->family)
		return (0);
	mask(bin, family == 4 ? 4 : 16, n->len);
	return (memcmp(bin, n->addr, family == 4 ? 4 : 16) == 0);
}

/* score_net_text - "network/len" of a parsed network */
void
score_net_text(const struct score_net *n, char *out, size_t len)
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

/* net_prefix_text - "network/len" of the prefix addr is in */
void
net_prefix_text(const char *addr, int prefix, char *out, size_t len)
{
	unsigned char	bin[16];
	char		text[INET6_ADDRSTRLEN];
	int		family;

	memset(bin, 0, sizeof(bin));
	if (to_bin(addr, bin, &family) == -1) {
		snprintf(out, len, "%s", addr);
		return;
	}
	mask(bin, family == 4 ? 4 : 16, prefix);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, bin, text, sizeof(text));
	snprintf(out, len, "%s/%d", text, prefix);
}

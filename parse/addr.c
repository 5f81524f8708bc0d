/*	$fivefifty: addr.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	addr 3 - validate and normalise a client address
 * SYNOPSIS
 *	int	addr_normalise(struct pf_span in, char *out, size_t outlen,
 *		    int *family);
 *	int	pf_addr_v4_in_v6(const unsigned char bin[16]);
 * DESCRIPTION
 *	addr_normalise() takes the text between the brackets Postfix writes
 *	and returns 0 with the canonical form in out: IPv4 dotted quad (read
 *	by hand, as strictly as inet_pton: no leading zeros), IPv6
 *	in RFC 5952 compressed form (inet_ntop), and a "%zone" suffix kept
 *	as written. An IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible
 *	(::a.b.c.d, a.b.c not 0.0.0: so not :: or ::1) IPv6 address is
 *	the IPv4 address it carries, its zone dropped: ::ffff:127.0.0.1 is
 *	loopback, and ::ffff:192.0.2.1 is the client 192.0.2.1 (one score,
 *	one IPv4 ban).
 *	"unknown" gives 0 with out = "" and family 0. Anything else gives -1.
 *
 *	pf_addr_v4_in_v6() tells whether 16 address bytes are such a
 *	mapped or compatible form (the IPv4 address is the last 4 bytes).
 * SECURITY
 *	The input is at most PF_ADDR_MAX bytes and only what inet_pton
 *	accepts passes; a zone is letters, digits, '.', '_' and '-' only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <string.h>

#include "parse_int.h"

/* ipv4_strict - a dotted quad as inet_pton takes it (no leading zeros):
 * such text is already canonical */
static int
ipv4_strict(const char *s, size_t len)
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
			parts++;
			v = 0;
			digits = 0;
		} else
			return (-1);
	}
	return (parts == 4 && digits > 0 ? 0 : -1);
}

/* pf_addr_v4_in_v6 - 16 bytes of an IPv4-mapped (::ffff:0:0/96) or
 * IPv4-compatible (::/96 but :: and ::1) address: 1, else 0 */
int
pf_addr_v4_in_v6(const unsigned char *bin)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char zero[12];

	if (memcmp(bin, mapped, 12) == 0)
		return (1);
	return (memcmp(bin, zero, 12) == 0 && (bin[12] | bin[13] | bin[14]) !=
	    0);
}

/* addr_normalise - canonical text of one address, or -1 */
int
addr_normalise(struct pf_span in, char *out, size_t outlen, int *family)
{
	char		 buf[PF_ADDR_MAX], canon[INET6_ADDRSTRLEN];
	unsigned char	 bin[16];
	const char	*zone;
	size_t		 alen, zlen, i, n;

	*family = 0;
	out[0] = '\0';
	if (in.p == NULL || in.len == 0 || in.len >= sizeof(buf))
		return (-1);
	if (in.len == 7 && memcmp(in.p, "unknown", 7) == 0)
		return (0);
	if (memchr(in.p, ':', in.len) == NULL) {
		if (ipv4_strict(in.p, in.len) == -1 || in.len >= outlen)
			return (-1);
		memcpy(out, in.p, in.len);
		out[in.len] = '\0';
		*family = 4;
		return (0);
	}
	memcpy(buf, in.p, in.len);
	buf[in.len] = '\0';
	if (memchr(buf, '\0', in.len) != NULL)
		return (-1);
	zone = strchr(buf, '%');
	alen = zone != NULL ? (size_t)(zone - buf) : in.len;
	zlen = zone != NULL ? in.len - alen : 0;
	if (zone != NULL) {
		if (zlen < 2)
			return (-1);
		for (i = 1; i < zlen; i++)
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
			    "QRSTUVWXYZ0123456789._-", zone[i]) == NULL)
				return (-1);
		buf[alen] = '\0';
	}
	if (inet_pton(AF_INET, buf, bin) == 1 && zone == NULL) {
		if (inet_ntop(AF_INET, bin, canon, sizeof(canon)) == NULL)
			return (-1);
		*family = 4;
	} else if (inet_pton(AF_INET6, buf, bin) == 1) {
		if (pf_addr_v4_in_v6(bin)) {
			if (inet_ntop(AF_INET, bin + 12, canon,
			    sizeof(canon)) == NULL)
				return (-1);
			*family = 4;
			zone = NULL;	/* no zone on IPv4 */
			zlen = 0;
		} else {
			if (inet_ntop(AF_INET6, bin, canon,
			    sizeof(canon)) == NULL)
				return (-1);
			*family = 6;
		}
	} else
		return (-1);
	n = strlen(canon);
	if (n + zlen + 1 > outlen) {
		*family = 0;
		return (-1);
	}
	memcpy(out, canon, n);
	if (zone != NULL) {
		out[n] = '%';
		memcpy(out + n + 1, zone + 1, zlen - 1);
	}
	out[n + zlen] = '\0';
	return (0);
}

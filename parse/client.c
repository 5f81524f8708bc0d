/*	$fivefifty: client.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	client 3 - take the client of a matched line into the event
 * SYNOPSIS
 *	int	client_take(struct pf_parser *p, enum rx i, const char *msg,
 *		    struct pf_event *ev);
 *	int	addr_normalise(struct pf_span in, char *out, size_t outlen,
 *		    struct net_prefix *n);
 * DESCRIPTION
 *	client_take() reads the name, addr and port groups of the last match
 *	of pattern i (the NAMADDR or PSADDR of patterns.c, or the fixed
 *	address field of the FCrDNS and dnsblog lines) and stores the
 *	normalised address, its family, the name and the port in ev.
 *	It returns 0, or -1 when the address or the port does not validate:
 *	the caller then reports the line as unrecognised, never as an event
 *	with a wrong address. The address of the line before is kept with
 *	its result (most lines name the client of the line before), and
 *	used again when the same bytes come (not with pf_parser_set_fast()
 *	off, so the tests compare the two).
 */
#include <string.h>

#include "parse_int.h"

/* addr_normalise - the canonical text (into out) and the binary form of
 * an address Postfix wrote between its brackets; "unknown" is 0 with ""
 * and family 0; -1 for anything net_addr() refuses */
int
addr_normalise(struct pf_span in, char *out, size_t outlen,
    struct net_prefix *n)
{
	if (in.p != NULL && in.len == 7 && memcmp(in.p, "unknown", 7) == 0) {
		memset(n, 0, sizeof(*n));
		out[0] = '\0';
		return (0);
	}
	return (net_addr(in.p, in.len, n, out, outlen));
}

/* client_take - validated client name, address and port of a match */
int
client_take(struct pf_parser *p, enum rx i, const char *msg,
    struct pf_event *ev)
{
	struct pf_span	port, a = rx_span(p, i, G_ADDR, msg);
	long		n;
	int		rc;

	if (p->fast && a.p != NULL && a.len != 0 && a.len == p->last_len &&
	    memcmp(a.p, p->last_addr, a.len) == 0) {
		/* net_addr() is a function of the bytes alone, and
		 * ev->client_ip is as clear as it was then. */
		memcpy(ev->client_ip, p->last_ip, sizeof(ev->client_ip));
		ev->client_net = p->last_net;
		rc = p->last_rc;
	} else {
		rc = addr_normalise(a, ev->client_ip, sizeof(ev->client_ip),
		    &ev->client_net);
		if (a.p != NULL && a.len != 0 && a.len < sizeof(p->last_addr)) {
			memcpy(p->last_addr, a.p, a.len);
			p->last_len = a.len;
			memcpy(p->last_ip, ev->client_ip, sizeof(p->last_ip));
			p->last_net = ev->client_net;
			p->last_rc = rc;
		}
	}
	if (rc == -1)
		return (-1);
	ev->client_family = ev->client_net.family;
	ev->client_name = rx_span(p, i, G_NAME, msg);
	port = rx_span(p, i, G_PORT, msg);
	if (port.p != NULL) {
		n = span_long(port, -1);
		if (n < 0 || n > 65535)
			return (-1);
		ev->client_port = (int)n;
	}
	return (0);
}

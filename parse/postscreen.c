/*	$fivefifty: postscreen.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	postscreen 3 - the shapes of postscreen(8) and dnsblog(8) lines
 * SYNOPSIS
 *	enum pf_result postscreen_parse(struct pf_parser *p,
 *		    struct pf_event *ev);
 *	enum pf_result dnsblog_parse(struct pf_parser *p, struct pf_event *ev);
 * DESCRIPTION
 *	postscreen_parse() recognises CONNECT, PREGREET, HANGUP, DNSBL rank,
 *	the deep-protocol violations, PASS NEW/OLD, the allow/deny list words
 *	of both vocabularies, DISCONNECT and postscreen's own rejects
 *	(section 5 of postfix-log-formats.md). Every client is the [addr]:port
 *	right after "from" or the keyword, before any text the client sent.
 *
 *	dnsblog_parse() recognises "addr A listed by domain Z as Y".
 */
#include <string.h>

#include "parse_int.h"

struct ps_shape {
	const char	*prefix;
	size_t		 len;
	enum rx		 rx;
	enum pf_kind	 kind;
};

#define SHAPE(s, rx, kind)	{ s, sizeof(s) - 1, rx, kind }

static const struct ps_shape ps_shapes[] = {
	SHAPE("CONNECT from ", RX_PS_CONNECT, PF_EV_PS_CONNECT),
	SHAPE("PASS ", RX_PS_PASS, PF_EV_PS_PASS),
	SHAPE("DISCONNECT ", RX_PS_DISCONNECT, PF_EV_PS_DISCONNECT),
	SHAPE("DNSBL rank ", RX_PS_RANK, PF_EV_DNSBL_RANK),
	SHAPE("PREGREET ", RX_PS_PREGREET, PF_EV_PREGREET),
	SHAPE("HANGUP ", RX_PS_HANGUP, PF_EV_HANGUP),
	SHAPE("NOQUEUE: reject: ", RX_PS_REJECT, PF_EV_REJECT),
	SHAPE("reject: ", RX_PS_REJECT, PF_EV_REJECT),
	SHAPE("COMMAND ", RX_PS_VIOLATION, PF_EV_PS_VIOLATION),
	SHAPE("NON-SMTP COMMAND ", RX_PS_VIOLATION, PF_EV_PS_VIOLATION),
	SHAPE("BARE NEWLINE ", RX_PS_VIOLATION, PF_EV_PS_VIOLATION),
	SHAPE("WHITELIST", RX_PS_LIST, PF_EV_PS_LIST),
	SHAPE("BLACKLIST", RX_PS_LIST, PF_EV_PS_LIST),
	SHAPE("ALLOWLIST", RX_PS_LIST, PF_EV_PS_LIST),
	SHAPE("DENYLIST", RX_PS_LIST, PF_EV_PS_LIST),
};

/* postscreen_parse - one postscreen message */
enum pf_result
postscreen_parse(struct pf_parser *p, struct pf_event *ev)
{
	const struct ps_shape *sh;
	const char	*m = ev->message.p;
	size_t		 len = ev->message.len, n, i;
	struct net_prefix sn;
	long		 port;

	for (i = 0; i < sizeof(ps_shapes) / sizeof(ps_shapes[0]); i++) {
		sh = &ps_shapes[i];
		n = sh->len;
		if (len < n || memcmp(m, sh->prefix, n) != 0)
			continue;
		if (!rx_match(p, sh->rx, m, len))
			break;
		if (sh->kind == PF_EV_REJECT)
			return (reject_take(p, sh->rx, ev));
		if (client_take(p, sh->rx, m, ev) == -1)
			return (PF_UNRECOGNISED);
		ev->kind = sh->kind;
		ev->detail = rx_span(p, sh->rx, G_DETAIL, m);
		ev->data = rx_span(p, sh->rx, G_DATA, m);
		ev->seconds = rx_span(p, sh->rx, G_SECS, m);
		ev->command = rx_span(p, sh->rx, G_CMD, m);
		ev->bytes = span_long(rx_span(p, sh->rx, G_BYTES, m), -1);
		ev->count = span_long(rx_span(p, sh->rx, G_COUNT, m),
		    ev->count);
		if (sh->rx == RX_PS_CONNECT &&
		    rx_span(p, sh->rx, G_SADDR, m).p != NULL) {
			if (addr_normalise(rx_span(p, sh->rx, G_SADDR, m),
			    ev->server_ip, sizeof(ev->server_ip), &sn) == -1)
				return (PF_UNRECOGNISED);
			port = span_long(rx_span(p, sh->rx, G_SPORT, m), -1);
			if (port < 0 || port > 65535)
				return (PF_UNRECOGNISED);
			ev->server_port = (int)port;
		}
		return (PF_EVENT);
	}
	if (rx_match(p, RX_PS_OTHER, m, len))
		return (PF_OTHER);
	return (PF_UNRECOGNISED);
}

/* dnsblog_parse - one dnsblog message */
enum pf_result
dnsblog_parse(struct pf_parser *p, struct pf_event *ev)
{
	const char	*m = ev->message.p;
	size_t		 len = ev->message.len;

	if (rx_match(p, RX_DNSBLOG, m, len)) {
		if (client_take(p, RX_DNSBLOG, m, ev) == -1)
			return (PF_UNRECOGNISED);
		ev->kind = PF_EV_DNSBL_LISTED;
		ev->zone = rx_span(p, RX_DNSBLOG, G_ZONE, m);
		ev->answer = rx_span(p, RX_DNSBLOG, G_ANSWER, m);
		return (PF_EVENT);
	}
	if (rx_match(p, RX_DNSBLOG_OTHER, m, len))
		return (PF_OTHER);
	return (PF_UNRECOGNISED);
}

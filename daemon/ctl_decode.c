/*	$fivefifty: ctl_decode.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	ctl_decode 3 - decode one control request line
 * SYNOPSIS
 *	#include "daemon/daemon.h"
 *
 *	int	ctl_decode(const char *text, size_t len, struct ctl_req *r,
 *		    char *err, size_t errlen);
 * DESCRIPTION
 *	ctl_decode() reads the request text (len bytes, without its
 *	newline) into r: "status", "metrics", "unban NET" or "ban NET
 *	SECONDS [REASON]", words separated by spaces. It returns 0, or -1 with
 *	what was wrong in err. A request of CTL_LINE_MAX bytes or more, a
 *	byte that is not printable ASCII (NUL, CR, LF and tab included), an
 *	unknown verb or a wrong number of words is refused; so is a NET of
 *	more than CTL_NET_MAX bytes and SECONDS that are not decimal digits
 *	for 1 to CTL_BAN_MAX seconds (the command line's bounds: 1s to
 *	3650d), checked digit by digit before any arithmetic. NET is only
 *	cut out here: the daemon checks that it is an address or network.
 *	It is a pure function (no state, no system calls), so that it can
 *	be fuzzed.
 * SECURITY
 *	The text comes from a peer that passed the credentials check but is
 *	not trusted further: it is bounded and checked byte by byte, and
 *	what err quotes of it is printable and capped.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"

#define WORDS	3	/* verb, NET, SECONDS; the rest is the reason */

/* seconds - decimal digits for 1 to CTL_BAN_MAX, no leading zero; -1 */
static long long
seconds(const char *p, size_t n)
{
	long long	v = 0;
	size_t		i;

	if (n == 0 || p[0] == '0')
		return (-1);
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return (-1);
		v = v * 10 + (p[i] - '0');
		if (v > CTL_BAN_MAX)		/* before it can overflow */
			return (-1);
	}
	return (v);
}

/* ctl_decode - one request line into r; 0, or -1 with err */
int
ctl_decode(const char *text, size_t len, struct ctl_req *r, char *err,
    size_t errlen)
{
	const char	*w[WORDS], *p = text, *end = text + len;
	size_t		 wl[WORDS], i;
	int		 n = 0;

	memset(r, 0, sizeof(*r));
	if (len >= CTL_LINE_MAX) {
		snprintf(err, errlen, "request too long (at most %d bytes)",
		    CTL_LINE_MAX - 1);
		return (-1);
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 ||
		    (unsigned char)text[i] > 0x7e) {
			snprintf(err, errlen, "byte %zu of the request is not "
			    "printable ASCII", i + 1);
			return (-1);
		}
	while (n < WORDS) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		w[n] = p;
		while (p < end && *p != ' ')
			p++;
		wl[n] = (size_t)(p - w[n]);
		n++;
	}
	while (p < end && *p == ' ')
		p++;
	if (n == 0) {
		snprintf(err, errlen, "empty request (ban, unban, status, "
		    "metrics)");
		return (-1);
	}
	if (wl[0] == 6 && memcmp(w[0], "status", 6) == 0) {
		if (n != 1) {
			snprintf(err, errlen, "status takes no arguments");
			return (-1);
		}
		r->op = CTL_STATUS;
		return (0);
	}
	if (wl[0] == 7 && memcmp(w[0], "metrics", 7) == 0) {
		if (n != 1) {
			snprintf(err, errlen, "metrics takes no arguments");
			return (-1);
		}
		r->op = CTL_METRICS;
		return (0);
	}
	if (wl[0] == 5 && memcmp(w[0], "unban", 5) == 0) {
		if (n != 2 || p != end) {
			snprintf(err, errlen, "expected \"unban NET\"");
			return (-1);
		}
		r->op = CTL_UNBAN;
	} else if (wl[0] == 3 && memcmp(w[0], "ban", 3) == 0) {
		if (n != 3) {
			snprintf(err, errlen, "expected \"ban NET SECONDS "
			    "[REASON]\"");
			return (-1);
		}
		if ((r->secs = seconds(w[2], wl[2])) == -1) {
			snprintf(err, errlen, "bad duration \"%.*s\": whole "
			    "seconds from 1 to %lld (3650d)", (int)(wl[2] > 24 ?
			    24 : wl[2]), w[2], (long long)CTL_BAN_MAX);
			return (-1);
		}
		memcpy(r->reason, p, (size_t)(end - p));
		r->reason[end - p] = '\0';
		r->op = CTL_BAN;
	} else {
		snprintf(err, errlen, "unknown request \"%.*s\" (ban, unban, "
		    "status, metrics)", (int)(wl[0] > 24 ? 24 : wl[0]), w[0]);
		return (-1);
	}
	if (wl[1] > CTL_NET_MAX) {
		snprintf(err, errlen, "address or network too long (at most "
		    "%d bytes)", CTL_NET_MAX);
		r->op = 0;
		return (-1);
	}
	memcpy(r->net, w[1], wl[1]);
	r->net[wl[1]] = '\0';
	return (0);
}

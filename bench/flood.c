/*	$fivefifty: flood.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	flood 1 - hostile Postfix log floods, for the memory bounds
 * SYNOPSIS
 *	flood SHAPE LINES [SEED]
 * DESCRIPTION
 *	flood writes LINES lines of one flood SHAPE to standard output, in
 *	the RFC 3339 envelope of Postfix's syslog, 1,000 lines per second
 *	of log time from 2026-01-01T00:00:00Z (so a million lines fit in
 *	session_timeout's default hour). The addresses, pids and strings
 *	come from a PRNG seeded with SEED (default 1): the same arguments
 *	give the same bytes. The shapes:
 *
 *	reject		NOQUEUE reject lines (550 unknown recipient), each
 *			from its own smtpd pid and its own IPv6 address
 *	connect		smtpd "connect from" with distinct pids and
 *			addresses, never a disconnect (sessions left open)
 *	postscreen	postscreen CONNECT lines from distinct [addr]:port
 *	dictionary	one client in one session: distinct unknown
 *			recipients, one per line
 *	fivefifty	distinct IPv4 clients, each one whole session with a
 *			permanent reject (a five-fifty entry each)
 *	long		reject lines with HELO and sender near 1000 bytes
 * EXIT STATUS
 *	0, or 64 on a usage error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t	rng;

/* next - xorshift64* */
static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL);
}

/* stamp - the RFC 3339 time of line i */
static const char *
stamp(unsigned long i)
{
	static char	buf[64];
	time_t		t = 1767225600 + (time_t)(i / 1000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06lu+00:00",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (i % 1000) * 1000);
	return (buf);
}

/* v6 - a distinct IPv6 address for i (random /64, i in the host part) */
static const char *
v6(unsigned long i)
{
	static char	buf[64];
	uint64_t	r = next();

	snprintf(buf, sizeof(buf), "2001:db8:%x:%x::%lx:%lx",
	    (unsigned)(r & 0xffff), (unsigned)((r >> 16) & 0xffff),
	    (i >> 16) & 0xffff, i & 0xffff);
	return (buf);
}

/* v4 - a distinct IPv4 address for i (within 10/8, up to 16M) */
static const char *
v4(unsigned long i)
{
	static char	buf[32];

	snprintf(buf, sizeof(buf), "10.%lu.%lu.%lu", (i >> 16) & 0xff,
	    (i >> 8) & 0xff, i & 0xff);
	return (buf);
}

/* word - n random lower-case letters */
static const char *
word(size_t n)
{
	static char	buf[2048];
	size_t		k;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (k = 0; k < n; k++)
		buf[k] = (char)('a' + next() % 26);
	buf[n] = '\0';
	return (buf);
}

/* main - flood SHAPE LINES [SEED] */
int
main(int argc, char **argv)
{
	unsigned long	 n, i, pid;
	const char	*shape, *ts;
	char		 helo[1100], from[1100];

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: flood reject|connect|postscreen|"
		    "dictionary|fivefifty|long LINES [SEED]\n");
		return (64);
	}
	shape = argv[1];
	n = strtoul(argv[2], NULL, 10);
	rng = argc == 4 ? strtoull(argv[3], NULL, 10) : 1;
	rng = rng * 0x9e3779b97f4a7c15ULL | 1;
	for (i = 0; i < n; i++) {
		ts = stamp(i);
		pid = 1000 + i;		/* distinct: pids are not reused */
		if (strcmp(shape, "reject") == 0)
			printf("%s mx postfix/smtpd[%lu]: NOQUEUE: reject: RCPT "
			    "from unknown[%s]: 550 5.1.1 <%s@example.org>: "
			    "Recipient address rejected: User unknown in local "
			    "recipient table; from=<a@b.example> "
			    "to=<%s@example.org> proto=ESMTP helo=<h.example>\n",
			    ts, pid, v6(i), word(8), word(8));
		else if (strcmp(shape, "connect") == 0)
			printf("%s mx postfix/smtpd[%lu]: connect from "
			    "unknown[%s]\n", ts, pid, v6(i));
		else if (strcmp(shape, "postscreen") == 0)
			printf("%s mx postfix/postscreen[77]: CONNECT from "
			    "[%s]:%lu to [192.0.2.25]:25\n", ts, v6(i),
			    1024 + (unsigned long)(next() % 64000));
		else if (strcmp(shape, "dictionary") == 0) {
			if (i == 0)
				printf("%s mx postfix/smtpd[4242]: connect from "
				    "unknown[198.51.100.7]\n", ts);
			else
				printf("%s mx postfix/smtpd[4242]: NOQUEUE: "
				    "reject: RCPT from unknown[198.51.100.7]: "
				    "550 5.1.1 <u%lu-%s@example.org>: Recipient "
				    "address rejected: User unknown in local "
				    "recipient table; from=<a@b.example> "
				    "to=<u%lu-%s@example.org> proto=ESMTP "
				    "helo=<h.example>\n", ts, i, word(6), i,
				    word(6));
		} else if (strcmp(shape, "fivefifty") == 0) {
			unsigned long c = i / 3;

			pid = 1000 + c;
			if (i % 3 == 0)
				printf("%s mx postfix/smtpd[%lu]: connect from "
				    "unknown[%s]\n", ts, pid, v4(c));
			else if (i % 3 == 1)
				printf("%s mx postfix/smtpd[%lu]: NOQUEUE: "
				    "reject: RCPT from unknown[%s]: 554 5.7.1 "
				    "<%s@example.org>: Relay access denied; "
				    "from=<%s@spam.example> to=<x@example.org> "
				    "proto=ESMTP helo=<h%lu.example>\n", ts,
				    pid, v4(c), word(8), word(12), c);
			else
				printf("%s mx postfix/smtpd[%lu]: disconnect "
				    "from unknown[%s] ehlo=1 mail=1 rcpt=0/1 "
				    "quit=1 commands=3/4\n", ts, pid, v4(c));
		} else if (strcmp(shape, "long") == 0) {
			snprintf(helo, sizeof(helo), "%s", word(1000));
			snprintf(from, sizeof(from), "%s", word(990));
			printf("%s mx postfix/smtpd[%lu]: NOQUEUE: reject: RCPT "
			    "from unknown[%s]: 550 5.1.1 <%s@example.org>: "
			    "Recipient address rejected: User unknown in local "
			    "recipient table; from=<%s@x.example> "
			    "to=<r%lu@example.org> proto=ESMTP helo=<%s>\n",
			    ts, pid, v6(i), word(8), from, i, helo);
		} else {
			fprintf(stderr, "flood: unknown shape %s\n", shape);
			return (64);
		}
	}
	return (0);
}

/*	$fivefifty: time.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	time 3 - seconds since the epoch as UTC text, one format for all
 * SYNOPSIS
 *	See util.h.
 * DESCRIPTION
 *	utc_format() writes t as YYYY-MM-DDTHH:MM:SSZ (ISO 8601, UTC) into
 *	buf and returns 0, or -1 with buf empty when gmtime(3) cannot
 *	represent t or buf is too short (32 bytes always do). Callers that
 *	show something else for such a time (the map's last second of year
 *	9999, "?" in a reason) say so themselves. Years 1970 to 9999 are
 *	written by hand (the civil calendar from the days, as H. Hinnant's
 *	civil_from_days(); gmtime_r(3) and strftime(3) were a twentieth of
 *	the daemon's time in a burst of bans), others through gmtime_r(3).
 *
 *	utc_text() is utc_format() for what is shown to people (bans,
 *	evidence, status): "-" for 0 (never, not known) and for a time
 *	utc_format() refuses. It returns buf, so it fits in a printf().
 * SECURITY
 *	No input from peers: times are the log's or the clock's.
 */
#include <stdio.h>
#include <time.h>

#include "util.h"

#define UTC_FAST_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */

/* put2 - two digits */
static char *
put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return (p + 2);
}

/* utc_fast - t (0 to UTC_FAST_MAX) into buf, which holds 21 bytes */
static void
utc_fast(long long t, char *buf)
{
	long long	 z = t / 86400 + 719468, era, yoe, doy, mp, y;
	unsigned	 sec = (unsigned)(t % 86400), d, m;
	char		*p = buf;

	era = z / 146097;
	yoe = z - era * 146097;		/* the day of the era, then year */
	yoe = (yoe - yoe / 1460 + yoe / 36524 - yoe / 146096) / 365;
	y = yoe + era * 400;
	doy = z - era * 146097 - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	if (m <= 2)
		y++;
	p = put2(p, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, sec / 3600);
	*p++ = ':';
	p = put2(p, sec / 60 % 60);
	*p++ = ':';
	p = put2(p, sec % 60);
	*p++ = 'Z';
	*p = '\0';
}

/* utc_format - t as YYYY-MM-DDTHH:MM:SSZ; -1 (buf "") when it cannot */
int
utc_format(long long t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (len == 0)
		return (-1);
	if (t >= 0 && t <= UTC_FAST_MAX) {
		if (len < 21) {
			buf[0] = '\0';
			return (-1);
		}
		utc_fast(t, buf);
		return (0);
	}
	if ((long long)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		buf[0] = '\0';
		return (-1);
	}
	return (0);
}

/* utc_text - utc_format() for people: "-" for 0 and for what it cannot */
const char *
utc_text(long long t, char *buf, size_t len)
{
	if (t == 0 || utc_format(t, buf, len) == -1)
		snprintf(buf, len, "-");
	return (buf);
}

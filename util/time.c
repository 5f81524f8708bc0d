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
 *	9999, "?" in a reason) say so themselves.
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

/* utc_format - t as YYYY-MM-DDTHH:MM:SSZ; -1 (buf "") when it cannot */
int
utc_format(long long t, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (len == 0)
		return (-1);
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

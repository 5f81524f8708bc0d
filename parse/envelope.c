/*	$fivefifty: envelope.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	envelope 3 - time stamp, host, syslog tag, pid and severity
 * SYNOPSIS
 *	int	envelope_parse(struct pf_parser *p, const char *line,
 *		    size_t len, struct pf_event *ev);
 *	void	envelope_reference(struct pf_parser *p, time_t ref);
 *	long long pf_event_epoch(const struct pf_event *ev);
 * DESCRIPTION
 *	envelope_parse() recognises the envelopes of postfix-log-formats.md
 *	section 1: BSD syslog ("Nov  1"), maillog_file ("Nov 01"), RFC 3339
 *	with any fraction and offset, journalctl short-iso ("+0000") and
 *	short-full ("Sat 2026-11-21 13:16:01 UTC"), and the Solaris
 *	"[ID n mail.info]" tag. It fills the time, host, tag, pid, severity
 *	and message of ev and returns 0, or -1 when the line has no envelope.
 *
 *	Year-less stamps get a year as parse.h describes; the state for that
 *	lives in the parser and envelope_reference() resets it.
 * SECURITY
 *	Fields are range-checked (month 1-12, day 1-31, hour < 24, minute and
 *	second < 60, leap second 60 allowed); a stamp out of range is no
 *	envelope.
 */
#include <string.h>

#include "parse_int.h"

static int	two(const char *);
static int	year_for(struct pf_parser *, int, int);

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* two - two decimal digits */
static int
two(const char *s)
{
	return ((s[0] - '0') * 10 + (s[1] - '0'));
}

/* envelope_reference - set the reference time for year-less stamps */
void
envelope_reference(struct pf_parser *p, time_t ref)
{
	struct tm	tm;

	if (localtime_r(&ref, &tm) == NULL) {
		tm.tm_year = 70;
		tm.tm_mon = 0;
		tm.tm_mday = 1;
	}
	p->ref_year = tm.tm_year + 1900;
	p->ref_mon = tm.tm_mon + 1;
	p->ref_mday = tm.tm_mday;
	p->last_year = 0;
	p->last_mon = 0;
}

/* year_for - the year of a year-less stamp (mon 1..12) */
static int
year_for(struct pf_parser *p, int mon, int mday)
{
	int		year;

	if (p->last_year == 0) {
		/* First stamp: not more than a day after the reference. */
		year = p->ref_year;
		if (mon > p->ref_mon ||
		    (mon == p->ref_mon && mday > p->ref_mday + 1))
			year--;
	} else if (mon + 6 < p->last_mon)
		year = p->last_year + 1;	/* December -> January */
	else if (mon > p->last_mon + 6)
		return (p->last_year - 1);	/* a stray older line */
	else
		year = p->last_year;
	p->last_year = year;
	p->last_mon = mon;
	return (year);
}

/* envelope_parse - split the envelope off one line */
int
envelope_parse(struct pf_parser *p, const char *line, size_t len,
    struct pf_event *ev)
{
	struct pf_span	 s, off;
	struct pf_time	*t = &ev->time;
	enum rx		 rx;
	const char	*m;
	size_t		 i, end;

	if (len < 16)
		return (-1);
	if (line[0] >= '0' && line[0] <= '9')
		rx = RX_ENV_ISO;
	else if (line[3] == ' ' && line[8] == '-')
		rx = RX_ENV_ISO;	/* "Sat 2026-11-21 ..." */
	else
		rx = RX_ENV_BSD;
	if (!rx_match(p, rx, line, len))
		return (-1);

	t->hour = two(rx_span(p, rx, G_HOUR, line).p);
	t->min = two(rx_span(p, rx, G_MIN, line).p);
	t->sec = two(rx_span(p, rx, G_SEC, line).p);
	s = rx_span(p, rx, G_DAY, line);
	t->mday = s.len == 1 ? s.p[0] - '0' : two(s.p);
	s = rx_span(p, rx, G_FRAC, line);
	if (s.p != NULL) {
		t->frac_digits = (int)s.len;
		for (i = 0; i < 6; i++)
			t->usec = t->usec * 10 +
			    (i < s.len ? s.p[i] - '0' : 0);
	}
	if (rx == RX_ENV_BSD) {
		s = rx_span(p, rx, G_MON, line);
		m = strstr(months, (char []){ s.p[0], s.p[1], s.p[2], 0 });
		t->mon = (int)(m - months) / 3 + 1;
		s = rx_span(p, rx, G_YEAR, line);
		t->year = s.p != NULL ? (int)span_long(s, 1970) :
		    year_for(p, t->mon, t->mday);
	} else {
		t->year = (int)span_long(rx_span(p, rx, G_YEAR, line), 1970);
		t->mon = two(rx_span(p, rx, G_NMON, line).p);
		off = rx_span(p, rx, G_OFF, line);
		if (off.p != NULL) {
			t->has_offset = 1;
			if (off.p[0] != 'Z') {
				t->offset_min = two(off.p + 1) * 60;
				if (off.len == 6)
					t->offset_min += two(off.p + 4);
				else if (off.len == 5)
					t->offset_min += two(off.p + 3);
				if (off.p[0] == '-')
					t->offset_min = -t->offset_min;
			}
		} else if (rx_span(p, rx, G_TZ, line).p != NULL)
			t->has_offset = 1;	/* UTC or GMT */
	}
	if (t->mon < 1 || t->mon > 12 || t->mday < 1 || t->mday > 31 ||
	    t->hour > 23 || t->min > 59 || t->sec > 60 ||
	    t->offset_min > 18 * 60 || t->offset_min < -18 * 60)
		return (-1);

	ev->host = rx_span(p, rx, G_HOST, line);
	ev->tag = rx_span(p, rx, G_TAG, line);
	ev->pid = span_long(rx_span(p, rx, G_PID, line), -1);
	s = rx_span(p, rx, G_SEV, line);
	if (s.p == NULL)
		ev->severity = PF_SEV_INFO;
	else if (s.p[0] == 'w')
		ev->severity = PF_SEV_WARNING;
	else if (s.p[0] == 'e')
		ev->severity = PF_SEV_ERROR;
	else if (s.p[0] == 'f')
		ev->severity = PF_SEV_FATAL;
	else
		ev->severity = PF_SEV_PANIC;
	end = pcre2_get_ovector_pointer(p->md)[1];
	ev->message.p = line + end;
	ev->message.len = len - end;
	return (0);
}

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long	era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (long long)doe - 719468);
}

/* pf_event_epoch - the event's time in seconds since the epoch */
long long
pf_event_epoch(const struct pf_event *ev)
{
	const struct pf_time *t = &ev->time;
	struct tm	tm;
	long long	s;

	if (t->has_offset) {
		s = days_from_civil(t->year, (unsigned)t->mon,
		    (unsigned)t->mday) * 86400LL + t->hour * 3600 +
		    t->min * 60 + t->sec;
		return (s - t->offset_min * 60LL);
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->mday;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	tm.tm_isdst = -1;
	return ((long long)mktime(&tm));
}

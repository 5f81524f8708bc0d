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
 *	int	pf_parser_year(struct pf_parser *p, int mon, int mday);
 *	long long pf_event_epoch(const struct pf_event *ev);
 *	long long pf_event_epoch_cached(const struct pf_event *ev,
 *		    struct pf_epoch_cache *c);
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
 *	pf_parser_year() runs that inference for one stamp (parse.h).
 *
 *	The envelope is scanned by hand, not with PCRE2: it is fixed-width,
 *	it runs on every line of the log, and with a pattern it took half of
 *	the parser's time (measured with callgrind on the realworld corpus).
 * SECURITY
 *	Host and tag are at most 255 bytes, a pid at most 10 digits, a
 *	fraction at most 9 digits. Fields are range-checked (month 1-12, day 1-31, hour < 24, minute and
 *	second < 60, leap second 60 allowed); a stamp out of range is no
 *	envelope.
 */
#include <stdint.h>
#include <string.h>

#include "parse_int.h"

static int	year_for(struct pf_parser *, int, int);
static long long days_from_civil(long long, unsigned, unsigned);

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* Bytes that end a syslog tag, and a host (a NUL ends the scan of
 * either, and the word with it). */
static const unsigned char tag_stop[256] = {
	[' '] = 1, ['['] = 1, [']'] = 1, [':'] = 1, ['\0'] = 1,
};
static const unsigned char host_stop[256] = {
	[' '] = 1, ['\0'] = 1,
};

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
	p->ref_days = days_from_civil(p->ref_year, (unsigned)p->ref_mon,
	    (unsigned)p->ref_mday);
	p->last_year = 0;
	p->last_mon = 0;
	p->last_mday = 0;
}

/* year_for - the year of a year-less stamp (mon 1..12): in sequence
 * with the stamp before (Dec -> Jan moves the year on), and never more
 * than a day after the reference (a forged "Jul 1" read in January is
 * last July, not next: it cannot move the year of the lines after it) */
static int
year_for(struct pf_parser *p, int mon, int mday)
{
	int		year;

	/* The same day as the stamp before gives the same year (it was the
	 * loop's answer below, and nothing moved since): most lines. */
	if (p->last_year != 0 && mon == p->last_mon && mday == p->last_mday)
		return (p->last_year);
	if (p->last_year == 0)
		year = p->ref_year + 1;	/* Jan 1 read on Dec 31; see below */
	else if (mon + 6 < p->last_mon)
		year = p->last_year + 1;	/* December -> January */
	else if (mon > p->last_mon + 6)
		return (p->last_year - 1);	/* a stray older line */
	else
		year = p->last_year;
	while (days_from_civil(year, (unsigned)mon, (unsigned)mday) >
	    p->ref_days + 1)
		year--;
	p->last_year = year;
	p->last_mon = mon;
	p->last_mday = mday;
	return (year);
}

/* num - n decimal digits at s, or -1 */
static int
num(const char *s, int n)
{
	int		v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

/* frac - an optional ".digits" (1-9 digits; "," too if comma) at *i */
static void
frac(const char *l, size_t len, size_t *i, struct pf_time *t, int comma)
{
	size_t		j = *i + 1, n;
	long		us = 0;

	if (*i >= len || !(l[*i] == '.' || (comma && l[*i] == ',')))
		return;
	for (n = 0; j < len && l[j] >= '0' && l[j] <= '9'; j++, n++)
		if (n < 6)
			us = us * 10 + (l[j] - '0');
	if (n == 0 || n > 9)
		return;
	for (j = n; j < 6; j++)
		us *= 10;
	t->usec = us;
	t->frac_digits = (int)n;
	*i += n + 1;
}

/* stamp_bsd - "Nov  1 02:11:18", "Nov 01 ...", "Mar 7 ..." at 0 */
static int
stamp_bsd(const char *l, size_t len, size_t *i, struct pf_time *t)
{
	const char	*m;
	size_t		 j;

	if (len < 15 || l[3] != ' ')
		return (-1);
	for (m = months; *m != '\0'; m += 3)
		if (memcmp(m, l, 3) == 0)
			break;
	if (*m == '\0')
		return (-1);
	t->mon = (int)(m - months) / 3 + 1;
	j = 4;
	if (l[j] == ' ')		/* space-padded day */
		j++;
	if (l[j] < '0' || l[j] > '9')
		return (-1);
	t->mday = l[j++] - '0';
	if (l[j] >= '0' && l[j] <= '9') {
		if (l[4] == ' ')
			return (-1);	/* " 12" is no day */
		t->mday = t->mday * 10 + (l[j++] - '0');
	}
	if (j + 9 > len || l[j] != ' ' || l[j + 3] != ':' || l[j + 6] != ':')
		return (-1);
	t->hour = num(l + j + 1, 2);
	t->min = num(l + j + 4, 2);
	t->sec = num(l + j + 7, 2);
	if (t->hour < 0 || t->min < 0 || t->sec < 0)
		return (-1);
	*i = j + 9;
	frac(l, len, i, t, 0);
	return (0);
}

/* stamp_iso - RFC 3339, short-iso and short-full ("Sat 2026-...") */
static int
stamp_iso(const char *l, size_t len, size_t *i, struct pf_time *t)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	const char	*s = l, *d;
	size_t		 j, base = 0;
	int		 h, m, neg;

	if (len > 4 && l[3] == ' ') {
		for (d = days; *d != '\0'; d += 3)
			if (memcmp(d, l, 3) == 0)
				break;
		if (*d == '\0')
			return (-1);
		base = 4;
		s = l + 4;
	}
	if (len < base + 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
		return (-1);
	t->year = num(s, 4);
	t->mon = num(s + 5, 2);
	t->mday = num(s + 8, 2);
	t->hour = num(s + 11, 2);
	t->min = num(s + 14, 2);
	t->sec = num(s + 17, 2);
	if (t->year < 0 || t->mon < 0 || t->mday < 0 || t->hour < 0 ||
	    t->min < 0 || t->sec < 0)
		return (-1);
	j = base + 19;
	frac(l, len, &j, t, 1);
	if (j < len && l[j] == 'Z') {
		t->has_offset = 1;
		j++;
	} else if (j + 3 <= len && (l[j] == '+' || l[j] == '-') &&
	    (h = num(l + j + 1, 2)) >= 0) {
		neg = l[j] == '-';
		if (j + 6 <= len && l[j + 3] == ':' &&
		    (m = num(l + j + 4, 2)) >= 0)
			j += 6;		/* +01:00 */
		else if (j + 5 <= len && (m = num(l + j + 3, 2)) >= 0)
			j += 5;		/* +0100, journalctl short-iso */
		else {
			m = 0;
			j += 3;		/* +01 */
		}
		if (m > 59)
			return (-1);
		t->has_offset = 1;
		t->offset_min = (neg ? -1 : 1) * (h * 60 + m);
	}
	*i = j;
	return (0);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* zero_bytes - a mask whose lowest set bit is in the first zero byte of
 * v (bits above it can be wrong; only the lowest is read) */
static inline uint64_t
zero_bytes(uint64_t v)
{
	return ((v - ONES) & ~v & HIGHS);
}

/* stop_at - the first byte from i (before end) that ends a word: NUL,
 * space, and for a tag '[', ']' and ':'; end when none. Eight bytes at a
 * time: the byte-by-byte scan of host and tag was the envelope's cost. */
static size_t
stop_at(const char *l, size_t i, size_t end, int tag)
{
	uint64_t	 w, m;

	for (; i + 8 <= end; i += 8) {
		memcpy(&w, l + i, 8);
		m = zero_bytes(w) | zero_bytes(w ^ (ONES * ' '));
		if (tag)
			m |= zero_bytes(w ^ (ONES * '[')) |
			    zero_bytes(w ^ (ONES * ']')) |
			    zero_bytes(w ^ (ONES * ':'));
		if (m != 0)
			return (i + (size_t)__builtin_ctzll(m) / 8);
	}
	for (; i < end && !(tag ? tag_stop : host_stop)[(unsigned char)l[i]];
	    i++)
		continue;
	return (i);
}
#else
/* stop_at - the first byte from i (before end) that ends a word: NUL,
 * space, and for a tag '[', ']' and ':'; end when none */
static size_t
stop_at(const char *l, size_t i, size_t end, int tag)
{
	for (; i < end && !(tag ? tag_stop : host_stop)[(unsigned char)l[i]];
	    i++)
		continue;
	return (i);
}
#endif

/* word - a run of 1-255 bytes up to a space (tag: or "[]:"), with no
 * NUL in it; its end or 0. One pass over the bytes: two memchr(3) calls
 * per word cost more than the word (most are under 32 bytes). */
static size_t
word(const char *l, size_t len, size_t i, int tag)
{
	size_t		 j, max = len - i < 256 ? len - i : 256;

	j = stop_at(l, i, i + max, tag);
	/* A host ends at a space (not at a NUL, the end of the line, or
	 * after 255 bytes); a tag that ends at a NUL fails in host_tag(). */
	if (j == i || j - i > 255 || j >= len || (!tag && l[j] != ' '))
		return (0);
	return (j);
}

/* host_tag - " HOST TAG[PID]: [ID n f.l] [severity: ]" from i */
static int
host_tag(const char *l, size_t len, size_t i, struct pf_event *ev)
{
	static const char *const sev[] = { "warning: ", "error: ",
	    "fatal: ", "panic: " };
	static const size_t sev_len[] = { 9, 7, 7, 7 };
	size_t		 h, t, j, k;
	long		 pid;
	int		 s;

	if (i >= len || l[i] != ' ' || (h = word(l, len, i + 1, 0)) == 0)
		return (-1);
	if ((t = word(l, len, h + 1, 1)) == 0)
		return (-1);
	ev->host.p = l + i + 1;
	ev->host.len = h - i - 1;
	ev->tag.p = l + h + 1;
	ev->tag.len = t - h - 1;
	j = t;
	if (l[j] == '[') {
		/* In a local: a store to ev->pid could change l (char
		 * aliases all), so the compiler would store every digit. */
		pid = 0;
		for (k = j + 1; k < len && k - j <= 10 && l[k] >= '0' &&
		    l[k] <= '9'; k++)
			pid = pid * 10 + (l[k] - '0');
		ev->pid = pid;
		if (k == j + 1 || k - j > 11 || k >= len || l[k] != ']')
			return (-1);
		j = k + 1;
	}
	if (j + 2 > len || l[j] != ':' || l[j + 1] != ' ')
		return (-1);
	j += 2;
	/* Solaris: "[ID 197553 mail.info] " */
	if (len - j > 8 && memcmp(l + j, "[ID ", 4) == 0) {
		for (k = j + 4; k < len && k - j < 48 && l[k] != ']'; k++)
			continue;
		if (k + 1 < len && l[k] == ']' && l[k + 1] == ' ')
			j = k + 2;
	}
	ev->severity = PF_SEV_INFO;
	switch (j < len ? l[j] : '\0') {
	case 'w':
		s = 0;
		break;
	case 'e':
		s = 1;
		break;
	case 'f':
		s = 2;
		break;
	case 'p':
		s = 3;
		break;
	default:
		s = -1;
		break;
	}
	if (s != -1 && len - j >= sev_len[s] &&
	    memcmp(l + j, sev[s], sev_len[s]) == 0) {
		ev->severity = (enum pf_severity)(s + 1);
		j += sev_len[s];
	}
	ev->message.p = l + j;
	ev->message.len = len - j;
	return (0);
}

/* envelope_parse - split the envelope off one line */
int
envelope_parse(struct pf_parser *p, const char *line, size_t len,
    struct pf_event *ev)
{
	struct pf_time	*t = &ev->time;
	size_t		 i = 0;
	int		 year = 0, y;

	if (len < 16)
		return (-1);
	if ((line[0] >= '0' && line[0] <= '9') ||
	    (line[3] == ' ' && line[8] == '-')) {
		if (stamp_iso(line, len, &i, t) == -1)
			return (-1);
		if (len - i > 4 && (memcmp(line + i, " UTC", 4) == 0 ||
		    memcmp(line + i, " GMT", 4) == 0) &&
		    host_tag(line, len, i + 4, ev) == 0) {
			t->has_offset = 1;	/* short-full */
			i += 4;
		}
	} else {
		if (stamp_bsd(line, len, &i, t) == -1)
			return (-1);
		/* Some templates put the year after the time. */
		if (len - i > 6 && line[i] == ' ' &&
		    (y = num(line + i + 1, 4)) >= 1970 &&
		    host_tag(line, len, i + 5, ev) == 0) {
			year = y;
			i += 5;
		}
	}
	if (t->mon < 1 || t->mon > 12 || t->mday < 1 || t->mday > 31 ||
	    t->hour > 23 || t->min > 59 || t->sec > 60 ||
	    t->offset_min > 18 * 60 || t->offset_min < -18 * 60)
		return (-1);
	if (host_tag(line, len, i, ev) == -1)
		return (-1);
	/* Set on every line: a parallel reader (parse/par.c) redoes exactly
	 * these in log order. */
	t->year_inferred = t->year == 0 && year == 0;
	if (t->year == 0)
		t->year = year != 0 ? year : year_for(p, t->mon, t->mday);
	return (0);
}

/* pf_parser_year - the year of a year-less stamp at this point of the log */
int
pf_parser_year(struct pf_parser *p, int mon, int mday)
{
	return (year_for(p, mon, mday));
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

/* local_time - the epoch of a local time of t's day, by mktime(3) */
static long long
local_time(const struct pf_time *t, int hour, int min, int sec)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	return ((long long)mktime(&tm));
}

/* pf_event_epoch - the event's time in seconds since the epoch */
long long
pf_event_epoch(const struct pf_event *ev)
{
	const struct pf_time *t = &ev->time;
	long long	s;

	if (t->has_offset) {
		s = days_from_civil(t->year, (unsigned)t->mon,
		    (unsigned)t->mday) * 86400LL + t->hour * 3600 +
		    t->min * 60 + t->sec;
		return (s - t->offset_min * 60LL);
	}
	return (local_time(t, t->hour, t->min, t->sec));
}

/* pf_event_epoch_cached - pf_event_epoch() with two mktime(3) calls per
 * local day while that day stays in the cache; on a day the UTC offset
 * changes, two per hour, and one per line in the hour it changes */
long long
pf_event_epoch_cached(const struct pf_event *ev, struct pf_epoch_cache *c)
{
	const struct pf_time *t = &ev->time;
	struct pf_epoch_day *d;
	unsigned	 i, bit;

	if (t->has_offset)
		return (pf_event_epoch(ev));
	i = ((unsigned)t->year * 373u + (unsigned)t->mon * 31u +
	    (unsigned)t->mday) % PF_EPOCH_DAYS;
	d = &c->d[i];
	if (d->year != t->year || d->mon != t->mon || d->mday != t->mday) {
		memset(d, 0, sizeof(*d));
		d->year = t->year;
		d->mon = t->mon;
		d->mday = t->mday;
		d->base = local_time(t, 0, 0, 0);
		/* a change at midnight moves 00:00 itself */
		d->uniform = local_time(t, 23, 59, 59) - d->base == 86399;
	}
	if (d->uniform)
		return (d->base + t->hour * 3600LL + t->min * 60 + t->sec);
	bit = 1u << t->hour;
	if (!(d->known & bit)) {
		d->hour[t->hour] = local_time(t, t->hour, 0, 0);
		if (local_time(t, t->hour, 59, 59) - d->hour[t->hour] != 3599)
			d->exact |= bit;
		d->known |= bit;
	}
	if (d->exact & bit)
		return (pf_event_epoch(ev));
	return (d->hour[t->hour] + t->min * 60 + t->sec);
}

/*	$fivefifty: out.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	out 3 - escaping and formatting shared by the report formats
 * SYNOPSIS
 *	void	out_text(FILE *fp, const char *s, size_t width);
 *	void	out_text_end(FILE *fp, const char *s, size_t width);
 *	size_t	out_text_width(const char *s);
 *	void	out_csv(FILE *fp, const char *s);
 *	void	out_html(FILE *fp, const char *s);
 *	void	out_json(FILE *fp, const char *s);
 *	const char *out_time(long long t, char *buf, size_t len);
 *	const char *out_short_time(long long t, char *buf, size_t len);
 *	const char *out_iso(long long t, char *buf, size_t len);
 *	void	out_period(FILE *fp, const struct rp *rp);
 *	const char *out_status(const struct rp_ffrow *w,
 *		    const struct rp_opts *o, char *buf, size_t len, int full);
 *	size_t	rp_top(const struct rp_opts *o, size_t n);
 *	void	out_html_head(FILE *fp, const char *title);
 *	void	out_html_tail(FILE *fp);
 *	void	out_html_period(FILE *fp, const struct rp *rp,
 *		    const char *source);
 * DESCRIPTION
 *	out_text() writes s with every byte outside printable ASCII as \xNN,
 *	in exactly width columns (cut with "..." or padded; width 0: all of
 *	it, unpadded); out_text_end() the same without the padding;
 *	out_text_width() is the width s takes uncut. out_csv() writes one
 *	RFC 4180 field: quoted when it holds a comma, quote, CR or LF,
 *	quotes doubled, and a leading = + - @ or tab prefixed with ' so
 *	that no spreadsheet runs it as a formula. out_html() writes &, <, >, " and ' as entities and controls
 *	as \xNN. out_json() writes a JSON string with its quotes.
 *
 *	Times are local (the report says the zone): out_time() as
 *	"YYYY-MM-DD HH:MM", out_short_time() as "MM-DD HH:MM", out_iso() as
 *	ISO 8601 with the offset. Time 0 prints as "-" (never).
 *	out_period() writes the report's period in words with the zone;
 *	out_status() a five-fifty row's status at o->now ("banned until
 *	T", "watching" or "expired"; full: T with its year).
 *
 *	rp_top() is how many of n rows a table shows (o->top, or all).
 *	out_html_head() and out_html_tail() open and close an HTML document
 *	(inline styles: mail readers drop style sheets); out_html_period()
 *	writes the period and the source as two labelled lines (the period
 *	never wraps).
 * SECURITY
 *	These are the only ways peer text reaches a report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rp_int.h"
#include "util/util.h"

/* text - s as safe text in width columns (0: as long as it is) */
static void
text(FILE *fp, const char *s, size_t width, int pad)
{
	const unsigned char *p;
	char		*e;
	size_t		 n = 0, cap;

	if (s == NULL)
		s = "";
	cap = strlen(s) * 4 + 1;
	e = xmalloc(cap);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p >= 0x20 && *p < 0x7f)
			e[n++] = (char)*p;
		else
			n += (size_t)snprintf(e + n, cap - n, "\\x%02x", *p);
	}
	e[n] = '\0';
	if (width == 0)
		fputs(e, fp);
	else if (n > width)
		fprintf(fp, "%.*s...", (int)(width > 3 ? width - 3 : 0), e);
	else if (pad)
		fprintf(fp, "%-*s", (int)width, e);
	else
		fputs(e, fp);
	free(e);
}

/* out_text_width - the columns out_text() needs for all of s */
size_t
out_text_width(const char *s)
{
	const unsigned char *p;
	size_t		 n = 0;

	for (p = (const unsigned char *)(s != NULL ? s : ""); *p != '\0'; p++)
		n += *p >= 0x20 && *p < 0x7f ? 1 : 4;
	return (n);
}

/* out_text - s as safe text in exactly width columns */
void
out_text(FILE *fp, const char *s, size_t width)
{
	text(fp, s, width, 1);
}

/* out_text_end - s as safe text in at most width columns (a last column:
 * no padding) */
void
out_text_end(FILE *fp, const char *s, size_t width)
{
	text(fp, s, width, 0);
}

/* out_csv - one CSV field */
void
out_csv(FILE *fp, const char *s)
{
	const char	*p;

	if (s == NULL)
		s = "";
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0') {
		fputs("\"'", fp);
		goto quoted;
	}
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
quoted:
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			fputc('"', fp);
		fputc(*p, fp);
	}
	fputc('"', fp);
}

/* out_html - text as HTML (valid UTF-8 kept, other bytes as \xNN) */
void
out_html(FILE *fp, const char *s)
{
	const unsigned char *p;
	size_t		 n;

	for (p = (const unsigned char *)(s != NULL ? s : ""); *p != '\0';
	    p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&#39;", fp);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02x", *p);
			else if (*p < 0x80)
				fputc(*p, fp);
			else if ((n = utf8_valid_len(p, strlen(
			    (const char *)p))) > 0) {
				fwrite(p, 1, n, fp);	/* valid UTF-8 stays */
				p += n - 1;
			} else
				fprintf(fp, "\\x%02x", *p);
		}
	}
}

/* out_json - a JSON string */
void
out_json(FILE *fp, const char *s)
{
	if (s == NULL)
		s = "";
	fputc('"', fp);
	esc_json(fp, s, strlen(s), 0);
	fputc('"', fp);
}

enum tfmt { T_LONG, T_SHORT, T_ISO };

/* fmt - local time t in one of the formats ("-" for 0) */
static const char *
fmt(long long t, enum tfmt f, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;
	size_t		n = 0;

	if (t != 0 && localtime_r(&tt, &tm) != NULL) {
		switch (f) {
		case T_LONG:
			n = strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
			break;
		case T_SHORT:
			n = strftime(buf, len, "%m-%d %H:%M", &tm);
			break;
		case T_ISO:
			n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S%z", &tm);
			break;
		}
	}
	if (n == 0)
		snprintf(buf, len, "-");
	return (buf);
}

/* out_time - "YYYY-MM-DD HH:MM" */
const char *
out_time(long long t, char *buf, size_t len)
{
	return (fmt(t, T_LONG, buf, len));
}

/* out_short_time - "MM-DD HH:MM" */
const char *
out_short_time(long long t, char *buf, size_t len)
{
	return (fmt(t, T_SHORT, buf, len));
}

/* out_iso - ISO 8601 with the offset */
const char *
out_iso(long long t, char *buf, size_t len)
{
	char	z[8];
	size_t	n;

	if (t == 0) {
		snprintf(buf, len, "-");
		return (buf);
	}
	fmt(t, T_ISO, buf, len);
	n = strlen(buf);
	if (n > 5 && len > n + 1) {	/* +0100 -> +01:00 */
		memcpy(z, buf + n - 2, 3);
		buf[n - 2] = ':';
		memcpy(buf + n - 1, z, 3);
	}
	return (buf);
}

/* out_period - the period in words, with the zone */
void
out_period(FILE *fp, const struct rp *rp)
{
	char	a[32], b[32], z[16];
	struct tm tm;
	time_t	now = time(NULL);

	z[0] = '\0';
	if (localtime_r(&now, &tm) != NULL)
		strftime(z, sizeof(z), "%Z", &tm);
	if (rp->from == RP_OPEN_FROM && rp->until == RP_OPEN_UNTIL &&
	    rp->data_first == LLONG_MAX)
		fputs("all data (there is none)", fp);
	else if (rp->from == RP_OPEN_FROM && rp->until == RP_OPEN_UNTIL)
		fprintf(fp, "all data (%s to %s %s)",
		    out_time(rp->data_first == LLONG_MAX ? 0 : rp->data_first,
		    a, sizeof(a)), out_time(rp_last_time(rp), b, sizeof(b)), z);
	else if (rp->from == RP_OPEN_FROM)
		fprintf(fp, "until %s %s", out_time(rp->until, b, sizeof(b)),
		    z);
	else if (rp->until == RP_OPEN_UNTIL)
		fprintf(fp, "since %s %s", out_time(rp->from, a, sizeof(a)), z);
	else
		fprintf(fp, "%s to %s %s", out_time(rp->from, a, sizeof(a)),
		    out_time(rp->until, b, sizeof(b)), z);
}

/* out_status - "banned until ...", "watching" or "expired" (the time
 * with its year when full) */
const char *
out_status(const struct rp_ffrow *w, const struct rp_opts *o, char *buf,
    size_t len, int full)
{
	char	t[32];

	if (w->banned_until > o->now)
		snprintf(buf, len, "banned until %s", full ?
		    out_time(w->banned_until, t, sizeof(t)) :
		    out_short_time(w->banned_until, t, sizeof(t)));
	else if ((double)(o->now - w->last_seen) <= o->watch)
		snprintf(buf, len, "watching");
	else
		snprintf(buf, len, "expired");
	return (buf);
}

/* rp_top - how many of n rows a table shows: o->top, or all (0) */
size_t
rp_top(const struct rp_opts *o, size_t n)
{
	return (o->top > 0 && (size_t)o->top < n ? (size_t)o->top : n);
}

/* out_html_head - the start of an HTML document with inline styles */
void
out_html_head(FILE *fp, const char *title)
{
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>", fp);
	out_html(fp, title);
	fputs("</title></head>\n<body style=\"font-family:Arial,Helvetica,"
	    "sans-serif;font-size:14px;color:#222;\">\n", fp);
}

/* out_html_tail - the end of it */
void
out_html_tail(FILE *fp)
{
	fputs("</body></html>\n", fp);
}

/* out_html_period - "Period" and "Source", each on a line of its own:
 * in brackets after the period, the source doubled its brackets */
void
out_html_period(FILE *fp, const struct rp *rp, const char *source)
{
	fputs("<table style=\"border-collapse:collapse;margin:0 0 4px 0;\">"
	    "\n<tr><td style=\""
	    "padding:1px 8px 1px 0;color:#555;\">Period</td><td style=\""
	    "padding:1px 0;white-space:nowrap;\">", fp);
	out_period(fp, rp);
	fprintf(fp, "</td></tr>\n<tr><td style=\"padding:1px 8px 1px 0;"
	    "color:#555;\">Source</td><td style=\"padding:1px 0;\">the %s"
	    "</td></tr>\n</table>\n", source);
}

/*	$fivefifty: helo.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	helo 3 - `report helo`: the top rejected HELO/EHLO names
 * SYNOPSIS
 *	int	rp_helo(FILE *fp, struct rp *rp, const struct rp_opts *o);
 *	const char *rp_top_class(const struct rp_item *it);
 *	int	rp_values(FILE *fp, const struct rp_tab *t, const char *what,
 *		    const char *column, const struct rp_opts *o);
 * DESCRIPTION
 *	One row per HELO name of the enforced rejects of the period, the
 *	most rejected first: rejects, distinct clients, the most common
 *	reason class, first and last seen. rp_values() writes any of the
 *	value tables (HELO names, senders, unknown recipients) this way;
 *	the summary uses it too. Returns 0, or -1 when the output fails.
 */
#include <stdio.h>
#include <string.h>

#include "rp_int.h"

/* rp_top_class - the most common reason class of an item */
const char *
rp_top_class(const struct rp_item *it)
{
	int	k, best = 0;

	for (k = 1; k < PF_CLASS_COUNT; k++)
		if (it->class_n[k] > it->class_n[best])
			best = k;
	return (pf_class_name((enum pf_class)best));
}

/* values_text - a value table as text columns (compact: the summary's,
 * without first and last seen) */
static void
values_text(FILE *fp, const struct rp_tab *t, const char *what,
    const char *column, const struct rp_opts *o)
{
	const struct rp_item *it;
	char		 a[40], b[40];
	size_t		 i, n = rp_top(o, t->n), w;

	if (t->n == 0) {
		fprintf(fp, "  (no %s)\n", what);
		return;
	}
	/* The summary's tables leave out first and last seen: the values
	 * get the room. */
	w = o->compact ? 40 : 16;
	if (o->compact)
		fprintf(fp, "  %-40s %7s %7s %s\n", column, "rejects",
		    "clients", "class");
	else
		fprintf(fp, "  %-16s %7s %7s %-20s %-11s %s\n", column,
		    "rejects", "clients", "class", "first", "last");
	for (i = 0; i < n; i++) {
		it = t->sorted[i];
		fputs("  ", fp);
		/* as df(1) does: a long value on a line of its own */
		if (out_text_width(it->key) > w) {
			out_text_end(fp, it->key, 76);
			fprintf(fp, "\n  %*s", (int)w, "");
		} else
			out_text(fp, it->key[0] != '\0' ? it->key : "<>", w);
		if (o->compact)
			fprintf(fp, " %7ld %7ld %s\n", it->n, it->clients,
			    rp_top_class(it));
		else
			fprintf(fp, " %7ld %7ld %-20s %-11s %s\n", it->n,
			    it->clients, rp_top_class(it),
			    out_short_time(it->first, a, sizeof(a)),
			    out_short_time(it->last, b, sizeof(b)));
	}
	if (n < t->n)
		fprintf(fp, "  ... %zu more (--top)\n", t->n - n);
}

/* values_csv - a value table as CSV lines with a header */
static void
values_csv(FILE *fp, const struct rp_tab *t, const char *column,
    const struct rp_opts *o)
{
	const struct rp_item *it;
	char		 a[40], b[40];
	size_t		 i, n = rp_top(o, t->n);

	fprintf(fp, "%s,rejects,clients,class,first,last\r\n", column);
	for (i = 0; i < n; i++) {
		it = t->sorted[i];
		out_csv(fp, it->key);
		fprintf(fp, ",%ld,%ld,%s,%s,%s\r\n", it->n, it->clients,
		    rp_top_class(it), out_iso(it->first, a, sizeof(a)),
		    out_iso(it->last, b, sizeof(b)));
	}
}

/* values_json - a value table as a JSON array of objects */
static void
values_json(FILE *fp, const struct rp_tab *t, const char *column,
    const struct rp_opts *o)
{
	const struct rp_item *it;
	char		 a[40], b[40];
	size_t		 i, n = rp_top(o, t->n);

	fputc('[', fp);
	for (i = 0; i < n; i++) {
		it = t->sorted[i];
		fprintf(fp, "%s{\"%s\":", i ? "," : "", column);
		out_json(fp, it->key);
		fprintf(fp, ",\"rejects\":%ld,\"clients\":%ld,"
		    "\"class\":\"%s\",\"first\":\"%s\",\"last\":\"%s\"}",
		    it->n, it->clients, rp_top_class(it),
		    out_iso(it->first, a, sizeof(a)),
		    out_iso(it->last, b, sizeof(b)));
	}
	fputc(']', fp);
}

/* values_html - a value table as an HTML table with inline styles */
static void
values_html(FILE *fp, const struct rp_tab *t, const char *what,
    const char *column, const struct rp_opts *o)
{
	const struct rp_item *it;
	char		 a[40], b[40];
	size_t		 i, n = rp_top(o, t->n);

	fputs("<table style=\"border-collapse:collapse;\">\n<tr>", fp);
	fprintf(fp, "<th style=\"text-align:left;padding:2px 8px;"
	    "border-bottom:1px solid #999;\">%s</th>", column);
	fputs("<th style=\"text-align:right;padding:2px 8px;"
	    "border-bottom:1px solid #999;\">rejects</th>"
	    "<th style=\"text-align:right;padding:2px 8px;"
	    "border-bottom:1px solid #999;\">clients</th>"
	    "<th style=\"text-align:left;padding:2px 8px;"
	    "border-bottom:1px solid #999;\">class</th>"
	    "<th style=\"text-align:left;padding:2px 8px;"
	    "border-bottom:1px solid #999;\">first</th>"
	    "<th style=\"text-align:left;padding:2px 8px;"
	    "border-bottom:1px solid #999;\">last</th></tr>\n", fp);
	for (i = 0; i < n; i++) {
		it = t->sorted[i];
		/* break-all: a long peer value (255 bytes of HELO) wraps
		 * instead of pushing the counts out of sight */
		fputs("<tr><td style=\"padding:2px 8px;font-family:"
		    "monospace;word-break:break-all;\">", fp);
		/* the null sender is <>, as in the text */
		out_html(fp, it->key[0] != '\0' ? it->key : "<>");
		fprintf(fp, "</td><td style=\"text-align:right;"
		    "padding:2px 8px;\">%ld</td><td style=\"text-align:"
		    "right;padding:2px 8px;\">%ld</td><td style=\""
		    "padding:2px 8px;\">%s</td><td style=\"padding:2px "
		    "8px;white-space:nowrap;\">%s</td><td style=\"padding:"
		    "2px 8px;white-space:nowrap;\">%s</td></tr>\n", it->n,
		    it->clients, rp_top_class(it),
		    out_time(it->first, a, sizeof(a)),
		    out_time(it->last, b, sizeof(b)));
	}
	if (t->n == 0)
		fprintf(fp, "<tr><td colspan=\"6\" style=\"padding:2px "
		    "8px;\">(no %s)</td></tr>\n", what);
	else if (n < t->n)
		fprintf(fp, "<tr><td colspan=\"6\" style=\"padding:2px "
		    "8px;color:#555;font-style:italic;\">&hellip; %zu more "
		    "(--top)</td></tr>\n", t->n - n);
	fputs("</table>\n", fp);
}

/* rp_values - a value table in o->format (o->top rows; 0: all) */
int
rp_values(FILE *fp, const struct rp_tab *t, const char *what,
    const char *column, const struct rp_opts *o)
{
	switch (o->format) {
	case RP_TEXT:
		values_text(fp, t, what, column, o);
		break;
	case RP_CSV:
		values_csv(fp, t, column, o);
		break;
	case RP_JSON:
		values_json(fp, t, column, o);
		break;
	case RP_HTML:
	case RP_POSTFIX:
		values_html(fp, t, what, column, o);
		break;
	}
	return (ferror(fp) ? -1 : 0);
}

/* rp_helo - the HELO report */
int
rp_helo(FILE *fp, struct rp *rp, const struct rp_opts *o)
{
	size_t	i;
	long	sum;

	switch (o->format) {
	case RP_TEXT:
		fprintf(fp, "Top rejected HELO names (from the %s)\n",
		    o->source);
		out_period(fp, rp);
		fputc('\n', fp);
		break;
	case RP_JSON:
		for (i = 0, sum = 0; i < rp->helo.n; i++)
			sum += rp->helo.sorted[i]->n;
		fprintf(fp, "{\"report\":\"helo\",\"source\":\"%s\","
		    "\"rejects\":%ld,\"names\":%zu,\"rows\":", o->source,
		    sum, rp->helo.n);
		break;
	case RP_HTML:
	case RP_POSTFIX:
		out_html_head(fp, "Top rejected HELO names");
		fputs("<h2>Top rejected HELO names</h2>\n", fp);
		out_html_period(fp, rp, o->source);
		break;
	case RP_CSV:
		break;
	}
	if (rp_values(fp, &rp->helo, "rejected HELO names", "helo", o) == -1)
		return (-1);
	if (o->format == RP_JSON)
		fputs("}\n", fp);
	else if (o->format == RP_HTML)
		out_html_tail(fp);
	return (ferror(fp) ? -1 : 0);
}

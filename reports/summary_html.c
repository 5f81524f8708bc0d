/*	$fivefifty: summary_html.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	summary_html 3 - the summary as an HTML document for the mail
 * SYNOPSIS
 *	#include "reports/rp_int.h"
 *
 *	void	summary_html(FILE *fp, const struct rp *rp,
 *		    const struct rp_opts *o);
 * DESCRIPTION
 *	summary_html() writes the sections of summary.c's description as
 *	tables with inline styles (mail readers drop style sheets), peer
 *	text through out_html(), and the activity as two coloured bars per
 *	row, the longest 300 pixels.
 */
#include <stdio.h>

#include "rp_int.h"

static const char th[] = "<th style=\"text-align:left;padding:2px "
    "8px;border-bottom:1px solid #999;\">";

/* html_row - one row of a totals table */
static void
html_row(FILE *fp, const char *name, long cur, long prev, int bounded)
{
	char	c[16];

	fprintf(fp, "<tr><td style=\"padding:2px 8px;\">%s</td><td style=\""
	    "text-align:right;padding:2px 8px;\">%ld</td>", name, cur);
	if (bounded)
		fprintf(fp, "<td style=\"text-align:right;padding:2px 8px;\">"
		    "%ld</td><td style=\"text-align:right;padding:2px 8px;\">"
		    "%s</td>", prev, sum_change(cur, prev, c, sizeof(c)));
	fputs("</tr>\n", fp);
}

/* html_bans - new or active bans */
static void
html_bans(FILE *fp, const struct rp *rp, const struct rp_opts *o, int active)
{
	static const char td[] = "<td style=\"padding:2px 8px;\">";
	const struct rp_banrow *b;
	char		 a[32], u[32], addr[80];
	size_t		 i, shown = 0;

	fprintf(fp, "<h3>%s</h3>\n<table style=\"border-collapse:collapse;\">"
	    "\n", active ? "Bans in force" : "New bans");
	i = 0;
	while ((b = sum_next_ban(rp, o, active, &i, &shown)) != NULL) {
		fprintf(fp, "<tr>%s%s</td>%s", td, out_time(b->at, a,
		    sizeof(a)), td);
		out_html(fp, sum_ban_addr(b, addr, sizeof(addr)));
		fprintf(fp, "</td>%suntil %s</td>%s", td, out_time(b->until, u,
		    sizeof(u)), td);
		out_html(fp, b->manual ? "manual" : b->reason);
		fputs("</td></tr>\n", fp);
	}
	if (shown == 0)
		fprintf(fp, "<tr>%s(none)</td></tr>\n", td);
	fputs("</table>\n", fp);
}

/* html_counts - the totals, and the rejects by class and by code */
static void
html_counts(FILE *fp, const struct rp *rp)
{
	long		 cur[6], prev[6];
	char		 lab[32];
	int		 k;

	sum_totals(&rp->cur, cur);
	sum_totals(&rp->prev, prev);
	fprintf(fp, "<h3>Totals</h3>\n<table style=\"border-collapse:"
	    "collapse;\">\n<tr>%s</th>%sthis period</th>", th, th);
	if (rp->bounded)
		fprintf(fp, "%sprevious</th>%schange</th>", th, th);
	fputs("</tr>\n", fp);
	for (k = 0; k < 6; k++)
		html_row(fp, sum_total_names[k], cur[k], prev[k], rp->bounded);
	fputs("</table>\n<h3>Rejects by class</h3>\n<table style=\""
	    "border-collapse:collapse;\">\n", fp);
	for (k = 1; k < PF_CLASS_COUNT; k++)
		if (rp->cur.class_n[k] > 0 || rp->prev.class_n[k] > 0)
			html_row(fp, pf_class_name((enum pf_class)k),
			    rp->cur.class_n[k], rp->prev.class_n[k],
			    rp->bounded);
	fputs("</table>\n<h3>Rejects by code</h3>\n<table style=\""
	    "border-collapse:collapse;\">\n", fp);
	for (k = 0; k < 1000; k++)
		if (rp->cur.code_n[k] > 0 || rp->prev.code_n[k] > 0) {
			snprintf(lab, sizeof(lab), "%d", k);
			html_row(fp, k ? lab : "(none)", rp->cur.code_n[k],
			    rp->prev.code_n[k], rp->bounded);
		}
	fputs("</table>\n", fp);
}

/* html_offenders - the clients with the most rejects */
static void
html_offenders(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	size_t		 i, n;
	int		 bans;

	fprintf(fp, "<h3>Top offenders</h3>\n<table style=\"border-collapse:"
	    "collapse;\">\n<tr>%sclient</th>%srejects</th>%ssessions</th>"
	    "%saccepted</th>%sstatus</th></tr>\n", th, th, th, th, th);
	n = rp->clients.n;
	n = rp_top(o, n);
	for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
		const struct rp_item *it = rp->clients.sorted[i];
		fputs("<tr><td style=\"padding:2px 8px;\">", fp);
		out_html(fp, it->key);
		fprintf(fp, "</td><td style=\"text-align:right;padding:2px 8px;"
		    "\">%ld</td><td style=\"text-align:right;padding:2px 8px;"
		    "\">%ld</td><td style=\"text-align:right;padding:2px 8px;"
		    "\">%ld</td><td style=\"padding:2px 8px;\">%s</td></tr>\n",
		    it->n, it->sessions, it->messages,
		    sum_ban_of(rp, it->key, o, &bans));
	}
	fputs("</table>\n", fp);
}

/* html_activity - connections and rejects per hour, with bars */
static void
html_activity(FILE *fp, const struct rp *rp)
{
	struct hour	 h[168];
	long		 max = 1;
	char		 lab[32];
	size_t		 i, n;
	int		 daily;

	n = sum_hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	for (i = 0; i < n; i++)
		if (h[i].connects + h[i].rejects > max)
			max = h[i].connects + h[i].rejects;
	fprintf(fp, "<h3>Activity %s</h3>\n<p><span style=\"background:"
	    "#3b73b9;\">&nbsp;&nbsp;&nbsp;</span> connections &nbsp; "
	    "<span style=\"background:#c0392b;\">&nbsp;&nbsp;&nbsp;</span> "
	    "rejects</p>\n<table style=\"border-collapse:collapse;\">\n",
	    daily ? "by hour of the day" : "per hour");
	for (i = 0; i < n; i++) {
		int wc = (int)(h[i].connects * 300 / max);
		int wr = (int)(h[i].rejects * 300 / max);
		fprintf(fp, "<tr><td style=\"padding:1px 8px;font-family:"
		    "monospace;\">%s</td><td style=\"text-align:right;padding:"
		    "1px 8px;\">%ld</td><td style=\"text-align:right;padding:"
		    "1px 8px;\">%ld</td><td style=\"padding:1px 8px;\">",
		    sum_hour_label(&h[i], daily, lab, sizeof(lab)),
		    h[i].connects, h[i].rejects);
		if (wc > 0)
			fprintf(fp, "<span style=\"display:inline-block;"
			    "background:#3b73b9;width:%dpx;height:10px;\">"
			    "</span>", wc);
		if (wr > 0)
			fprintf(fp, "<span style=\"display:inline-block;"
			    "background:#c0392b;width:%dpx;height:10px;\">"
			    "</span>", wr);
		fputs("</td></tr>\n", fp);
	}
	fputs("</table>\n", fp);
}

/* summary_html - the HTML part */
void
summary_html(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	out_html_head(fp, "fivefifty summary");
	fputs("<h2>fivefifty summary for ", fp);
	out_html(fp, o->host);
	fputs("</h2>\n<p>", fp);
	out_period(fp, rp);
	fprintf(fp, " (from the %s)</p>\n", o->source);
	html_counts(fp, rp);
	nodes_html(fp, rp);
	html_bans(fp, rp, o, 0);
	html_bans(fp, rp, o, 1);
	html_offenders(fp, rp, o);
	fputs("<h3>Top rejected HELO names</h3>\n", fp);
	rp_values(fp, &rp->helo, "rejected HELO names", "helo", o);
	fputs("<h3>Top targeted unknown recipients</h3>\n", fp);
	rp_values(fp, &rp->recipient, "unknown recipients", "recipient", o);
	fputs("<h3>Top rejected senders</h3>\n", fp);
	rp_values(fp, &rp->sender, "rejected senders", "sender", o);
	html_activity(fp, rp);
	out_html_tail(fp);
}

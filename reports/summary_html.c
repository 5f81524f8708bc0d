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
 *	summary_html() writes the sections of summary.c's description, the
 *	text report's section by section and count by count (its headings
 *	begin with the text's, the bans' with their number in brackets, a
 *	cut list ends with "... N more (--top)"), as tables with a header
 *	row each. The document is one file a mail reader shows as it is:
 *	inline style attributes (readers drop style sheets) and colspan,
 *	no other attribute, tables for the layout, no script, no image,
 *	nothing fetched. Times never wrap; long peer values do (helo.c).
 *
 *	The activity chart has a row per hour: its label, the connections,
 *	a bar, the rejects, a bar (a cell of that width and colour). The
 *	connections and the rejects each have their own scale: 0 to a round
 *	maximum in at most MAXTICKS labelled steps of 1, 2 or 5 times a
 *	power of ten, above and below the bars, so that an hour's few
 *	rejects show as a bar of their own instead of a sliver at the end
 *	of its connections; a count above zero is at least 2 pixels wide.
 * SECURITY
 *	Peer text (the host name, addresses, reasons, the values' tables)
 *	reaches the document through out_html() only; every other string
 *	is this file's own.
 */
#include <limits.h>
#include <stdio.h>

#include "rp_int.h"

#define CBAR	360	/* pixels of the connections' scale */
#define RBAR	240	/* pixels of the rejects' scale */
#define MAXTICKS 5	/* steps of a scale, at most */

/* A chart's scale: 0 to top in ticks steps. */
struct scale {
	long	step, top;
	int	ticks;
};

/* the row that says how many rows --top left out */
#define MORE	"<tr><td colspan=\"%d\" style=\"padding:2px 8px;color:#555;" \
	"font-style:italic;\">&hellip; %zu more (--top)</td></tr>\n"

/* a scale's label: its style begins so (tests/test_report_html.c leaves
 * these numbers out: they are no counts) */
#define SCALE	"font-size:11px;color:#666;white-space:nowrap;border-left:" \
	"1px solid #999;"

#define C_CONN	"#3b73b9"
#define C_REJ	"#c0392b"

static const char tbl[] = "<table style=\"border-collapse:collapse;margin:"
    "0 0 4px 0;\">\n";
static const char th[] = "<th style=\"text-align:left;padding:2px 8px;"
    "border-bottom:1px solid #999;\">";
static const char thn[] = "<th style=\"text-align:right;padding:2px 8px;"
    "border-bottom:1px solid #999;\">";
static const char td[] = "<td style=\"padding:2px 8px;\">";
static const char tdn[] = "<td style=\"text-align:right;padding:2px 8px;\">";
static const char tdt[] = "<td style=\"padding:2px 8px;white-space:nowrap;\">";

/* html_row - one row of a totals table */
static void
html_row(FILE *fp, const char *name, long cur, long prev, int bounded)
{
	char	c[16];

	fprintf(fp, "<tr>%s%s</td>%s%ld</td>", td, name, tdn, cur);
	if (bounded)
		fprintf(fp, "%s%ld</td>%s%s</td>", tdn, prev, tdn,
		    sum_change(cur, prev, c, sizeof(c)));
	fputs("</tr>\n", fp);
}

/* html_count_head - a totals table's header row, first column first */
static void
html_count_head(FILE *fp, const char *first, int bounded)
{
	fprintf(fp, "%s<tr>%s%s</th>%sthis period</th>", tbl, th, first, thn);
	if (bounded)
		fprintf(fp, "%sprevious</th>%schange</th>", thn, thn);
	fputs("</tr>\n", fp);
}

/* html_bans - new or active bans, their number, and how many --top cut */
static void
html_bans(FILE *fp, const struct rp *rp, const struct rp_opts *o, int active)
{
	const struct rp_banrow *b;
	char		 a[32], u[32], addr[80];
	size_t		 i, n = 0, shown = 0;

	for (i = 0; i < rp->nbans; i++)
		if (active ? sum_active_ban(&rp->bans[i], o) :
		    sum_new_ban(rp, &rp->bans[i]))
			n++;
	fprintf(fp, "<h3>%s (%zu)</h3>\n%s", active ? "Bans in force" :
	    "New bans", n, tbl);
	if (n == 0) {
		fprintf(fp, "<tr>%s(none)</td></tr>\n</table>\n", td);
		return;
	}
	fprintf(fp, "<tr>%sat</th>%sclient</th>%suntil</th>%sreason</th>"
	    "</tr>\n", th, th, th, th);
	i = 0;
	while ((b = sum_next_ban(rp, o, active, &i, &shown)) != NULL) {
		fprintf(fp, "<tr>%s%s</td>%s", tdt, out_time(b->at, a,
		    sizeof(a)), td);
		out_html(fp, sum_ban_addr(b, addr, sizeof(addr)));
		fprintf(fp, "</td>%s%s</td>%s", tdt, out_time(b->until, u,
		    sizeof(u)), td);
		out_html(fp, b->manual ? "manual" : b->reason);
		fputs("</td></tr>\n", fp);
	}
	if (shown < n)
		fprintf(fp, MORE, 4, n - shown);
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
	fputs("<h3>Totals</h3>\n", fp);
	html_count_head(fp, "", rp->bounded);
	for (k = 0; k < 6; k++)
		html_row(fp, sum_total_names[k], cur[k], prev[k], rp->bounded);
	fputs("</table>\n<h3>Rejects by class</h3>\n", fp);
	html_count_head(fp, "class", rp->bounded);
	for (k = 1; k < PF_CLASS_COUNT; k++)
		if (rp->cur.class_n[k] > 0 || rp->prev.class_n[k] > 0)
			html_row(fp, pf_class_name((enum pf_class)k),
			    rp->cur.class_n[k], rp->prev.class_n[k],
			    rp->bounded);
	fputs("</table>\n<h3>Rejects by code</h3>\n", fp);
	html_count_head(fp, "code", rp->bounded);
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
	const char	*st;
	size_t		 i, n;
	int		 bans;

	fprintf(fp, "<h3>Top offenders (by rejects)</h3>\n%s<tr>%sclient</th>"
	    "%srejects</th>%ssessions</th>%saccepted</th>%sstatus</th></tr>\n",
	    tbl, th, thn, thn, thn, th);
	n = rp_top(o, rp->clients.n);
	for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
		const struct rp_item *it = rp->clients.sorted[i];

		fprintf(fp, "<tr>%s", td);
		out_html(fp, it->key);
		st = sum_ban_of(rp, it->key, o, &bans);
		fprintf(fp, "</td>%s%ld</td>%s%ld</td>%s%ld</td>%s%s</td>"
		    "</tr>\n", tdn, it->n, tdn, it->sessions, tdn,
		    it->messages, st[0] != '\0' ? "<td style=\"padding:2px "
		    "8px;color:" C_REJ ";\">" : td, st[0] != '\0' ? st : "-");
	}
	if (i == 0)
		fprintf(fp, "<tr><td colspan=\"5\" style=\"padding:2px 8px;\">"
		    "(no rejects)</td></tr>\n");
	fputs("</table>\n", fp);
}

/* scale_of - the round scale max fits: the smallest step (1, 2 or 5
 * times a power of ten) of which at most MAXTICKS reach it */
static struct scale
scale_of(long max)
{
	struct scale	 sc;
	long		 p = 1, m;

	if (max > LONG_MAX / 100)	/* past any real count: bars cut */
		max = LONG_MAX / 100;
	sc.step = 1;
	for (; sc.step == 1 && max > MAXTICKS; p *= 10)
		for (m = 1; m <= 5; m += m == 2 ? 3 : 1)
			if (p * m * MAXTICKS >= max) {
				sc.step = p * m;
				break;
			}
	sc.ticks = (int)(max / sc.step + (max % sc.step != 0));
	if (sc.ticks < 1)
		sc.ticks = 1;
	sc.top = sc.step * sc.ticks;
	return (sc);
}

/* html_scale - a scale px wide: a tick and its label at each step; the
 * last label overhangs it */
static void
html_scale(FILE *fp, const struct scale *sc, int px)
{
	char	 w[40];
	int	 k;

	fputs("<td style=\"padding:0 0 0 8px;\"><table style=\""
	    "border-collapse:collapse;\"><tr>", fp);
	for (k = 0; k <= sc->ticks; k++) {
		/* 3: the label's padding and the tick */
		if (k < sc->ticks)
			snprintf(w, sizeof(w), "width:%dpx;", px / sc->ticks -
			    3);
		else
			w[0] = '\0';
		fprintf(fp, "<td style=\"" SCALE "%spadding:0 0 0 2px;\">%ld"
		    "</td>", w, sc->step * k);
	}
	fputs("</tr></table></td>", fp);
}

/* html_bar - a count's bar px wide at the scale's top, in a cell of
 * background bg */
static void
html_bar(FILE *fp, long v, const struct scale *sc, int px,
    const char *colour, const char *bg)
{
	long	w = (long)((double)v * px / (double)sc->top);

	if (v > 0 && w < 2)
		w = 2;
	if (w > px)
		w = px;
	fprintf(fp, "<td style=\"padding:0 0 0 8px;%s\"><table style=\""
	    "border-collapse:collapse;\"><tr><td style=\"", bg);
	if (w > 0)
		fprintf(fp, "width:%ldpx;background-color:%s;", w, colour);
	fputs("height:10px;font-size:1px;line-height:1px;padding:0;"
	    "border-left:1px solid #999;\">&nbsp;</td></tr></table></td>", fp);
}

/* html_scales - the chart's row of scales */
static void
html_scales(FILE *fp, const struct scale *c, const struct scale *r)
{
	fputs("<tr><td></td><td></td>", fp);
	html_scale(fp, c, CBAR);
	fputs("<td></td>", fp);
	html_scale(fp, r, RBAR);
	fputs("</tr>\n", fp);
}

/* html_activity - connections and rejects per hour, each with its bar
 * on its own scale */
static void
html_activity(FILE *fp, const struct rp *rp)
{
	struct hour	 h[168];
	struct scale	 c, r;
	long		 cmax = 0, rmax = 0;
	const char	*bg;
	char		 lab[32];
	size_t		 i, n;
	int		 daily;

	n = sum_hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	for (i = 0; i < n; i++) {
		if (h[i].connects > cmax)
			cmax = h[i].connects;
		if (h[i].rejects > rmax)
			rmax = h[i].rejects;
	}
	c = scale_of(cmax);
	r = scale_of(rmax);
	fprintf(fp, "<h3>Activity %s</h3>\n<p style=\"margin:0 0 6px 0;"
	    "color:#555;\">Connections and rejects each on a scale of its "
	    "own.%s</p>\n%s<tr>%s%s</th>%s<span style=\"color:" C_CONN ";\">"
	    "&#9632;</span> connections</th>%s</th>%s<span style=\"color:"
	    C_REJ ";\">&#9632;</span> rejects</th>%s</th></tr>\n", daily ?
	    "by hour of the day" : "per hour", daily ? " An hour of the day "
	    "sums that hour of every day of the period." : "", tbl, th,
	    daily ? "hour of the day" : "hour", thn, th, thn, th);
	html_scales(fp, &c, &r);
	for (i = 0; i < n; i++) {
		/* every other row shaded, cell by cell (mail readers keep
		 * a cell's background more often than a row's) */
		bg = i % 2 ? "" : "background-color:#f4f4f4;";
		fprintf(fp, "<tr><td style=\"padding:1px 8px;white-space:"
		    "nowrap;font-family:monospace;%s\">%s</td><td style=\""
		    "text-align:right;padding:1px 8px;%s\">%ld</td>", bg,
		    sum_hour_label(&h[i], daily, lab, sizeof(lab)), bg,
		    h[i].connects);
		html_bar(fp, h[i].connects, &c, CBAR, C_CONN, bg);
		fprintf(fp, "<td style=\"text-align:right;padding:1px 8px;%s\">"
		    "%ld</td>", bg, h[i].rejects);
		html_bar(fp, h[i].rejects, &r, RBAR, C_REJ, bg);
		fputs("</tr>\n", fp);
	}
	html_scales(fp, &c, &r);
	fputs("</table>\n", fp);
}

/* summary_html - the HTML part */
void
summary_html(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	out_html_head(fp, "fivefifty summary");
	fputs("<h2>fivefifty summary for ", fp);
	out_html(fp, o->host);
	fputs("</h2>\n", fp);
	out_html_period(fp, rp, o->source);
	if (sum_no_data(rp))
		sum_no_data_note(fp, rp, o->source, 1);
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

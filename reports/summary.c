/*	$fivefifty: summary.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	summary 3 - `report summary`: the daily summary for cron
 * SYNOPSIS
 *	int	rp_summary(FILE *fp, struct rp *rp, const struct rp_opts *o);
 * DESCRIPTION
 *	The period and host; totals (connections, sessions, accepted
 *	messages, rejects, distinct clients, new bans) against the period
 *	before (a bounded period only); rejects by class and by code; the
 *	period's new bans with their reasons; the bans in force at o->now;
 *	the top offenders (clients by rejects); the top rejected HELO names,
 *	unknown recipients and senders; and activity per hour (each hour of
 *	a period up to 48 hours, otherwise per hour of the day): a bar chart
 *	of characters in text, of inline-styled cells in HTML.
 *	CSV is one "section,name,value,previous,detail" line per number or
 *	ban (a ban's value is its end, its detail the reason), for scripts;
 *	JSON one object. Returns 0, or -1 when the output fails.
 */
#include <stdio.h>
#include <string.h>

#include "rp_int.h"

#define BAR	40	/* characters of the longest text bar */

struct hour {
	long long	 t;		/* start of the hour, or hour of day */
	long		 connects, rejects;
};

/* change - "+12%" from prev to cur, or "new" / "-" */
static const char *
change(long cur, long prev, char *buf, size_t len)
{
	if (prev == 0)
		snprintf(buf, len, "%s", cur == 0 ? "-" : "new");
	else
		snprintf(buf, len, "%+.0f%%", 100.0 * (double)(cur - prev) /
		    (double)prev);
	return (buf);
}

/* hours - the chart's rows; *daily when they are hours of the day */
static size_t
hours(const struct rp *rp, struct hour *h, size_t max, int *daily)
{
	const struct rp_item *it;
	size_t		 i, n = 0;
	struct tm	 tm;
	time_t		 tt;

	*daily = !rp->bounded || rp->until - rp->from > 48 * 3600;
	if (!*daily) {
		for (n = 0; n < max && rp->from + (long long)n * 3600 <
		    rp->until; n++) {
			memset(&h[n], 0, sizeof(h[n]));
			h[n].t = rp->from + (long long)n * 3600;
		}
		for (i = 0; i < rp->hours.n; i++) {
			it = rp->hours.sorted[i];
			size_t k = (size_t)((it->hour * 3600 - rp->from) / 3600);
			if (it->hour * 3600 >= rp->from && k < n) {
				h[k].connects += it->connects;
				h[k].rejects += it->n;
			}
		}
		return (n);
	}
	for (n = 0; n < 24; n++) {
		memset(&h[n], 0, sizeof(h[n]));
		h[n].t = (long long)n;
	}
	for (i = 0; i < rp->hours.n; i++) {
		it = rp->hours.sorted[i];
		tt = (time_t)(it->hour * 3600);
		if (localtime_r(&tt, &tm) == NULL)
			continue;
		h[tm.tm_hour].connects += it->connects;
		h[tm.tm_hour].rejects += it->n;
	}
	return (24);
}

/* hour_label - "11-20 06:00" or "06:00" */
static const char *
hour_label(const struct hour *h, int daily, char *buf, size_t len)
{
	if (daily)
		snprintf(buf, len, "%02lld:00", h->t);
	else
		out_short_time(h->t, buf, len);
	return (buf);
}

/* new_ban - a ban decided in the period */
static int
new_ban(const struct rp *rp, const struct rp_banrow *b)
{
	return (rp_in_period(rp, b->at));
}

/* active_ban - a ban in force at now */
static int
active_ban(const struct rp_banrow *b, const struct rp_opts *o)
{
	return (b->at <= o->now && b->until > o->now);
}

/* next_ban - the next ban of a list (active: in force at o->now, else new
 * in the period) after *i, counted in *shown; NULL after o->top of them
 * or at the end */
static const struct rp_banrow *
next_ban(const struct rp *rp, const struct rp_opts *o, int active,
    size_t *i, size_t *shown)
{
	const struct rp_banrow *b;

	for (; *i < rp->nbans && (o->top <= 0 || *shown < (size_t)o->top);
	    (*i)++) {
		b = &rp->bans[*i];
		if (active ? active_ban(b, o) : new_ban(rp, b)) {
			(*i)++;
			(*shown)++;
			return (b);
		}
	}
	return (NULL);
}

/* ban_addr - a ban's address, with its prefix length for a network */
static const char *
ban_addr(const struct rp_banrow *b, char *buf, size_t len)
{
	if (b->prefix_len != 32 && b->prefix_len != 128)
		snprintf(buf, len, "%s/%d", b->addr, b->prefix_len);
	else
		snprintf(buf, len, "%s", b->addr);
	return (buf);
}

static const char *const total_names[] = {
	"connections", "sessions", "accepted messages", "rejects",
	"distinct clients", "new bans"
};

/* totals - the totals of a period, in total_names' order */
static void
totals(const struct rp_totals *t, long v[6])
{
	v[0] = t->connects;
	v[1] = t->sessions;
	v[2] = t->messages;
	v[3] = t->rejects;
	v[4] = (long)t->clients.n;
	v[5] = t->bans;
}

/* host_clause - " for HOST" in text */
static void
text_head(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	fputs("fivefifty summary for ", fp);
	out_text(fp, o->host, 0);
	fputs("\nPeriod: ", fp);
	out_period(fp, rp);
	fprintf(fp, "\nSource: the %s\n", o->source);
}

/* text_bans - new or active bans */
static void
text_bans(FILE *fp, const struct rp *rp, const struct rp_opts *o, int active)
{
	const struct rp_banrow *b;
	char		 a[32], u[32], addr[80];
	size_t		 i, n = 0, shown = 0;

	for (i = 0; i < rp->nbans; i++)
		if (active ? active_ban(&rp->bans[i], o) :
		    new_ban(rp, &rp->bans[i]))
			n++;
	fprintf(fp, "\n%s (%zu)\n", active ? "Bans in force" : "New bans", n);
	if (n == 0)
		return;
	fprintf(fp, "  %-11s %-30s %-11s %s\n", "at", "client", "until",
	    "reason");
	i = 0;
	while ((b = next_ban(rp, o, active, &i, &shown)) != NULL) {
		ban_addr(b, addr, sizeof(addr));
		fprintf(fp, "  %-11s ", out_short_time(b->at, a, sizeof(a)));
		if (out_text_width(addr) > 30) {	/* on its own line */
			out_text_end(fp, addr, 64);
			fprintf(fp, "\n  %11s %30s", "", "");
		} else
			out_text(fp, addr, 30);
		fprintf(fp, " %-11s ", out_short_time(b->until, u, sizeof(u)));
		out_text_end(fp, b->manual ? "manual" : b->reason, 22);
		fputc('\n', fp);
	}
	if (shown < n)
		fprintf(fp, "  ... %zu more (--top)\n", n - shown);
}

/* ban_of - "banned" / "" for a client at now */
static const char *
ban_of(const struct rp *rp, const char *addr, const struct rp_opts *o,
    int *count)
{
	const struct rp_banrow *b = rp_latest_ban(rp, addr, count);

	return (b != NULL && b->until > o->now ? "banned" : "");
}

/* text_summary - the text part */
static void
text_summary(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	struct hour	 h[168];
	long		 cur[6], prev[6], max = 1;
	char		 c[16], lab[32];
	struct rp_opts	 co;
	const char	*st;
	size_t		 i, n;
	int		 k, daily, bans;

	text_head(fp, rp, o);
	totals(&rp->cur, cur);
	totals(&rp->prev, prev);
	if (rp->bounded)
		fprintf(fp, "\nTotals %30s %10s %8s\n", "this period",
		    "previous", "change");
	else
		fputs("\nTotals\n", fp);
	for (k = 0; k < 6; k++) {
		fprintf(fp, "  %-22s %12ld", total_names[k], cur[k]);
		if (rp->bounded)
			fprintf(fp, " %10ld %8s", prev[k],
			    change(cur[k], prev[k], c, sizeof(c)));
		fputc('\n', fp);
	}
	fputs("\nRejects by class\n", fp);
	for (k = 1; k < PF_CLASS_COUNT; k++)
		if (rp->cur.class_n[k] > 0 || rp->prev.class_n[k] > 0) {
			fprintf(fp, "  %-22s %12ld", pf_class_name(
			    (enum pf_class)k), rp->cur.class_n[k]);
			if (rp->bounded)
				fprintf(fp, " %10ld %8s", rp->prev.class_n[k],
				    change(rp->cur.class_n[k],
				    rp->prev.class_n[k], c, sizeof(c)));
			fputc('\n', fp);
		}
	fputs("\nRejects by code\n", fp);
	for (k = 0; k < 1000; k++)
		if (rp->cur.code_n[k] > 0 || rp->prev.code_n[k] > 0) {
			snprintf(lab, sizeof(lab), "%d", k);
			fprintf(fp, "  %-22s %12ld", k ? lab : "(none)",
			    rp->cur.code_n[k]);
			if (rp->bounded)
				fprintf(fp, " %10ld %8s", rp->prev.code_n[k],
				    change(rp->cur.code_n[k],
				    rp->prev.code_n[k], c, sizeof(c)));
			fputc('\n', fp);
		}
	text_bans(fp, rp, o, 0);
	text_bans(fp, rp, o, 1);
	fputs("\nTop offenders (by rejects)\n", fp);
	n = rp->clients.n;
	n = rp_top(o, n);
	fprintf(fp, "  %-39s %7s %8s %8s %s\n", "client", "rejects",
	    "sessions", "accepted", "status");
	for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
		const struct rp_item *it = rp->clients.sorted[i];
		fputs("  ", fp);
		out_text(fp, it->key, 39);
		st = ban_of(rp, it->key, o, &bans);
		fprintf(fp, " %7ld %8ld %8ld %s\n", it->n, it->sessions,
		    it->messages, st[0] != '\0' ? st : "-");
	}
	co = *o;
	co.compact = 1;
	fputs("\nTop rejected HELO names\n", fp);
	rp_values(fp, &rp->helo, "rejected HELO names", "helo", &co);
	fputs("\nTop targeted unknown recipients\n", fp);
	rp_values(fp, &rp->recipient, "unknown recipients", "recipient", &co);
	fputs("\nTop rejected senders\n", fp);
	rp_values(fp, &rp->sender, "rejected senders", "sender", &co);
	n = hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	for (i = 0; i < n; i++)
		if (h[i].connects + h[i].rejects > max)
			max = h[i].connects + h[i].rejects;
	fprintf(fp, "\nActivity %s (# connections, x rejects)\n",
	    daily ? "by hour of the day" : "per hour");
	for (i = 0; i < n; i++) {
		long bc = h[i].connects * BAR / max;
		long br = h[i].rejects * BAR / max;
		fprintf(fp, "  %-11s %7ld %7ld%s", hour_label(&h[i], daily,
		    lab, sizeof(lab)), h[i].connects, h[i].rejects,
		    bc + br > 0 ? " " : "");
		for (k = 0; k < bc; k++)
			fputc('#', fp);
		for (k = 0; k < br; k++)
			fputc('x', fp);
		fputc('\n', fp);
	}
}

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
		    "%s</td>", prev, change(cur, prev, c, sizeof(c)));
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
	while ((b = next_ban(rp, o, active, &i, &shown)) != NULL) {
		fprintf(fp, "<tr>%s%s</td>%s", td, out_time(b->at, a,
		    sizeof(a)), td);
		out_html(fp, ban_addr(b, addr, sizeof(addr)));
		fprintf(fp, "</td>%suntil %s</td>%s", td, out_time(b->until, u,
		    sizeof(u)), td);
		out_html(fp, b->manual ? "manual" : b->reason);
		fputs("</td></tr>\n", fp);
	}
	if (shown == 0)
		fprintf(fp, "<tr>%s(none)</td></tr>\n", td);
	fputs("</table>\n", fp);
}

/* html_summary - the HTML part */
static void
html_summary(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	static const char th[] = "<th style=\"text-align:left;padding:2px "
	    "8px;border-bottom:1px solid #999;\">";
	struct hour	 h[168];
	long		 cur[6], prev[6], max = 1;
	char		 lab[32];
	size_t		 i, n;
	int		 k, daily, bans;

	out_html_head(fp, "fivefifty summary");
	fputs("<h2>fivefifty summary for ", fp);
	out_html(fp, o->host);
	fputs("</h2>\n<p>", fp);
	out_period(fp, rp);
	fprintf(fp, " (from the %s)</p>\n", o->source);
	totals(&rp->cur, cur);
	totals(&rp->prev, prev);
	fprintf(fp, "<h3>Totals</h3>\n<table style=\"border-collapse:"
	    "collapse;\">\n<tr>%s</th>%sthis period</th>", th, th);
	if (rp->bounded)
		fprintf(fp, "%sprevious</th>%schange</th>", th, th);
	fputs("</tr>\n", fp);
	for (k = 0; k < 6; k++)
		html_row(fp, total_names[k], cur[k], prev[k], rp->bounded);
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
	html_bans(fp, rp, o, 0);
	html_bans(fp, rp, o, 1);
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
		    ban_of(rp, it->key, o, &bans));
	}
	fputs("</table>\n<h3>Top rejected HELO names</h3>\n", fp);
	rp_values(fp, &rp->helo, "rejected HELO names", "helo", o);
	fputs("<h3>Top targeted unknown recipients</h3>\n", fp);
	rp_values(fp, &rp->recipient, "unknown recipients", "recipient", o);
	fputs("<h3>Top rejected senders</h3>\n", fp);
	rp_values(fp, &rp->sender, "rejected senders", "sender", o);
	n = hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
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
		    hour_label(&h[i], daily, lab, sizeof(lab)), h[i].connects,
		    h[i].rejects);
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
	out_html_tail(fp);
}

/* json_bans - new or active bans as an array */
static void
json_bans(FILE *fp, const struct rp *rp, const struct rp_opts *o, int active)
{
	const struct rp_banrow *b;
	char		 a[40], u[40];
	size_t		 i, shown = 0;

	fputc('[', fp);
	i = 0;
	while ((b = next_ban(rp, o, active, &i, &shown)) != NULL) {
		fputs(shown > 1 ? ",{\"client\":" : "{\"client\":", fp);
		out_json(fp, b->addr);
		fprintf(fp, ",\"prefix_len\":%d,\"at\":\"%s\",\"until\":\"%s\","
		    "\"ban\":%d,\"manual\":%s,\"reason\":", b->prefix_len,
		    out_iso(b->at, a, sizeof(a)), out_iso(b->until, u,
		    sizeof(u)), b->n, b->manual ? "true" : "false");
		out_json(fp, b->reason);
		fputc('}', fp);
	}
	fputc(']', fp);
}

/* json_summary - one object */
static void
json_summary(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	static const char *const keys[] = { "connections", "sessions",
	    "accepted_messages", "rejects", "distinct_clients", "new_bans" };
	struct hour	 h[168];
	long		 cur[6], prev[6];
	char		 a[40];
	size_t		 i, n;
	int		 k, daily, bans, first;

	fputs("{\"report\":\"summary\",\"host\":", fp);
	out_json(fp, o->host);
	fprintf(fp, ",\"source\":\"%s\",\"from\":", o->source);
	if (rp->from != RP_OPEN_FROM)
		fprintf(fp, "\"%s\"", out_iso(rp->from, a, sizeof(a)));
	else
		fputs("null", fp);
	fputs(",\"until\":", fp);
	if (rp->until != RP_OPEN_UNTIL)
		fprintf(fp, "\"%s\"", out_iso(rp->until, a, sizeof(a)));
	else
		fputs("null", fp);
	totals(&rp->cur, cur);
	totals(&rp->prev, prev);
	fputs(",\"totals\":{", fp);
	for (k = 0; k < 6; k++)
		fprintf(fp, "%s\"%s\":%ld", k ? "," : "", keys[k], cur[k]);
	fputs("},\"previous\":", fp);
	if (rp->bounded) {
		fputc('{', fp);
		for (k = 0; k < 6; k++)
			fprintf(fp, "%s\"%s\":%ld", k ? "," : "", keys[k],
			    prev[k]);
		fputc('}', fp);
	} else
		fputs("null", fp);
	fputs(",\"rejects_by_class\":{", fp);
	for (k = 1, first = 1; k < PF_CLASS_COUNT; k++)
		if (rp->cur.class_n[k] > 0) {
			fprintf(fp, "%s\"%s\":%ld", first ? "" : ",",
			    pf_class_name((enum pf_class)k), rp->cur.class_n[k]);
			first = 0;
		}
	fputs("},\"rejects_by_code\":{", fp);
	for (k = 0, first = 1; k < 1000; k++)
		if (rp->cur.code_n[k] > 0) {
			fprintf(fp, "%s\"%d\":%ld", first ? "" : ",", k,
			    rp->cur.code_n[k]);
			first = 0;
		}
	fputs("},\"new_bans\":", fp);
	json_bans(fp, rp, o, 0);
	fputs(",\"active_bans\":", fp);
	json_bans(fp, rp, o, 1);
	fputs(",\"top_offenders\":[", fp);
	n = rp->clients.n;
	n = rp_top(o, n);
	for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
		const struct rp_item *it = rp->clients.sorted[i];
		fputs(i ? ",{\"client\":" : "{\"client\":", fp);
		out_json(fp, it->key);
		fprintf(fp, ",\"rejects\":%ld,\"sessions\":%ld,\"accepted\":%ld,"
		    "\"banned\":%s}", it->n, it->sessions, it->messages,
		    ban_of(rp, it->key, o, &bans)[0] != '\0' ? "true" :
		    "false");
	}
	fputs("],\"top_helo\":", fp);
	rp_values(fp, &rp->helo, "", "helo", o);
	fputs(",\"top_unknown_recipients\":", fp);
	rp_values(fp, &rp->recipient, "", "recipient", o);
	fputs(",\"top_senders\":", fp);
	rp_values(fp, &rp->sender, "", "sender", o);
	n = hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	fprintf(fp, ",\"activity\":{\"by\":\"%s\",\"rows\":[",
	    daily ? "hour_of_day" : "hour");
	for (i = 0; i < n; i++) {
		if (daily)
			fprintf(fp, "%s{\"hour\":%lld", i ? "," : "", h[i].t);
		else
			fprintf(fp, "%s{\"hour\":\"%s\"", i ? "," : "",
			    out_iso(h[i].t, a, sizeof(a)));
		fprintf(fp, ",\"connections\":%ld,\"rejects\":%ld}",
		    h[i].connects, h[i].rejects);
	}
	fputs("]}}\n", fp);
}

/* csv_bans - new or active bans: "new_ban" or "active_ban", the client,
 * the end of the ban, nothing, the reason */
static void
csv_bans(FILE *fp, const struct rp *rp, const struct rp_opts *o, int active)
{
	const struct rp_banrow *b;
	char		 u[40], addr[80];
	size_t		 i, shown = 0;

	i = 0;
	while ((b = next_ban(rp, o, active, &i, &shown)) != NULL) {
		fprintf(fp, "%s,", active ? "active_ban" : "new_ban");
		out_csv(fp, ban_addr(b, addr, sizeof(addr)));
		fprintf(fp, ",%s,,", out_iso(b->until, u, sizeof(u)));
		out_csv(fp, b->manual ? "manual" : b->reason);
		fputs("\r\n", fp);
	}
}

/* csv_summary - "section,name,value,previous,detail" lines */
static void
csv_summary(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	struct hour	 h[168];
	long		 cur[6], prev[6];
	char		 lab[40];
	size_t		 i, n;
	int		 k, daily;

	(void)o;
	fputs("section,name,value,previous,detail\r\n", fp);
	totals(&rp->cur, cur);
	totals(&rp->prev, prev);
	for (k = 0; k < 6; k++) {
		fprintf(fp, "totals,%s,%ld,", total_names[k], cur[k]);
		if (rp->bounded)
			fprintf(fp, "%ld", prev[k]);
		fputs(",\r\n", fp);
	}
	for (k = 1; k < PF_CLASS_COUNT; k++)
		if (rp->cur.class_n[k] > 0 || rp->prev.class_n[k] > 0)
			fprintf(fp, "class,%s,%ld,%ld,\r\n", pf_class_name(
			    (enum pf_class)k), rp->cur.class_n[k],
			    rp->prev.class_n[k]);
	for (k = 0; k < 1000; k++)
		if (rp->cur.code_n[k] > 0 || rp->prev.code_n[k] > 0)
			fprintf(fp, "code,%d,%ld,%ld,\r\n", k, rp->cur.code_n[k],
			    rp->prev.code_n[k]);
	n = rp->clients.n;
	n = rp_top(o, n);
	for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
		fputs("offender,", fp);
		out_csv(fp, rp->clients.sorted[i]->key);
		fprintf(fp, ",%ld,,\r\n", rp->clients.sorted[i]->n);
	}
	csv_bans(fp, rp, o, 0);
	csv_bans(fp, rp, o, 1);
	const struct { const char *s; const struct rp_tab *t; } v[] = {
		{ "helo", &rp->helo }, { "recipient", &rp->recipient },
		{ "sender", &rp->sender } };
	for (k = 0; k < 3; k++) {
		n = v[k].t->n;
		n = rp_top(o, n);
		for (i = 0; i < n; i++) {
			fprintf(fp, "%s,", v[k].s);
			out_csv(fp, v[k].t->sorted[i]->key);
			fprintf(fp, ",%ld,,\r\n", v[k].t->sorted[i]->n);
		}
	}
	n = hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	for (i = 0; i < n; i++) {
		if (daily)
			snprintf(lab, sizeof(lab), "%02lld:00", h[i].t);
		else
			out_iso(h[i].t, lab, sizeof(lab));
		fprintf(fp, "connections,%s,%ld,,\r\nrejects_per_hour,%s,%ld,,"
		    "\r\n", lab, h[i].connects, lab, h[i].rejects);
	}
}

/* rp_summary - the summary in o->format */
int
rp_summary(FILE *fp, struct rp *rp, const struct rp_opts *o)
{
	switch (o->format) {
	case RP_TEXT:
		text_summary(fp, rp, o);
		break;
	case RP_HTML:
	case RP_POSTFIX:
		html_summary(fp, rp, o);
		break;
	case RP_JSON:
		json_summary(fp, rp, o);
		break;
	case RP_CSV:
		csv_summary(fp, rp, o);
		break;
	}
	return (ferror(fp) ? -1 : 0);
}

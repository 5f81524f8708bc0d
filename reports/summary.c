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
 *	before (a bounded period only); rejects by class and by code; a
 *	shared state's nodes (summary_nodes.c; none from SQLite); the
 *	period's new bans with their reasons; the bans in force at o->now;
 *	the top offenders (clients by rejects); the top rejected HELO names,
 *	unknown recipients and senders; and activity per hour (each hour of
 *	a period up to 48 hours, otherwise per hour of the day): a bar chart
 *	of characters in text, of inline-styled cells in HTML.
 *	CSV is one "section,name,value,previous,detail" line per number or
 *	ban (a ban's value is its end, its detail the reason), for scripts;
 *	JSON one object. Returns 0, or -1 when the output fails.
 *
 *	One writer per format, each in its own file: summary_text.c,
 *	summary_html.c, summary_json.c and summary_csv.c; the nodes' section
 *	of each in summary_nodes.c. This file holds
 *	what they share (rp_int.h): sum_totals() the six totals in
 *	sum_total_names' order, sum_change() "+12%", "new" or "-",
 *	sum_hours() the chart's rows (each hour of a period up to 48 hours,
 *	else the hours of the day) and sum_hour_label() a row's label,
 *	sum_next_ban() the next new (or, active, in force) ban up to
 *	o->top, sum_new_ban() and sum_active_ban() which those are,
 *	sum_ban_addr() a ban's address with its prefix length for a
 *	network, sum_ban_of() "banned" for a client banned at o->now.
 *	sum_no_data() says whether the period holds nothing (no fact, no
 *	new ban); sum_no_data_note() then says so, in text lines or an
 *	HTML paragraph, with the source's first and last hour with data
 *	when known (rp->span: a state's) and the --from and --until that
 *	report them, so that an empty default period is never just zeros
 *	(source names what was read when the span is not known: "logs").
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rp_int.h"

const char *const sum_total_names[6] = {
	"connections", "sessions", "accepted messages", "rejects",
	"distinct clients", "new bans"
};

/* sum_change - "+12%" from prev to cur, or "new" / "-" */
const char *
sum_change(long cur, long prev, char *buf, size_t len)
{
	if (prev == 0)
		snprintf(buf, len, "%s", cur == 0 ? "-" : "new");
	else
		snprintf(buf, len, "%+.0f%%", 100.0 * (double)(cur - prev) /
		    (double)prev);
	return (buf);
}
/* sum_hours - the chart's rows; *daily when they are hours of the day */
size_t
sum_hours(const struct rp *rp, struct hour *h, size_t max, int *daily)
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
/* sum_hour_label - "11-20 06:00" or "06:00" */
const char *
sum_hour_label(const struct hour *h, int daily, char *buf, size_t len)
{
	if (daily)
		snprintf(buf, len, "%02lld:00", h->t);
	else
		out_short_time(h->t, buf, len);
	return (buf);
}
/* sum_new_ban - a ban decided in the period */
int
sum_new_ban(const struct rp *rp, const struct rp_banrow *b)
{
	return (rp_in_period(rp, b->at));
}
/* sum_active_ban - a ban in force at now */
int
sum_active_ban(const struct rp_banrow *b, const struct rp_opts *o)
{
	return (b->at <= o->now && b->until > o->now);
}
/* sum_next_ban - the next ban of a list (active: in force at o->now, else new
 * in the period) after *i, counted in *shown; NULL after o->top of them
 * or at the end */
const struct rp_banrow *
sum_next_ban(const struct rp *rp, const struct rp_opts *o, int active,
    size_t *i, size_t *shown)
{
	const struct rp_banrow *b;

	for (; *i < rp->nbans && (o->top <= 0 || *shown < (size_t)o->top);
	    (*i)++) {
		b = &rp->bans[*i];
		if (active ? sum_active_ban(b, o) : sum_new_ban(rp, b)) {
			(*i)++;
			(*shown)++;
			return (b);
		}
	}
	return (NULL);
}
/* sum_ban_addr - a ban's address, with its prefix length for a network */
const char *
sum_ban_addr(const struct rp_banrow *b, char *buf, size_t len)
{
	if (b->prefix_len != 32 && b->prefix_len != 128)
		snprintf(buf, len, "%s/%d", b->addr, b->prefix_len);
	else
		snprintf(buf, len, "%s", b->addr);
	return (buf);
}
/* sum_totals - the totals of a period, in sum_total_names' order */
void
sum_totals(const struct rp_totals *t, long v[6])
{
	v[0] = t->connects;
	v[1] = t->sessions;
	v[2] = t->messages;
	v[3] = t->rejects;
	v[4] = (long)t->clients.n;
	v[5] = t->bans;
}
/* sum_ban_of - "banned" / "" for a client at now */
const char *
sum_ban_of(const struct rp *rp, const char *addr, const struct rp_opts *o,
    int *count)
{
	const struct rp_banrow *b = rp_latest_ban(rp, addr, count);

	return (b != NULL && b->until > o->now ? "banned" : "");
}

/* sum_no_data - the period holds nothing: no fact, no new ban */
int
sum_no_data(const struct rp *rp)
{
	return (rp->data_first == LLONG_MAX && rp->cur.bans == 0);
}

/* sum_no_data_note - "No data in this period", and where the data is */
void
sum_no_data_note(FILE *fp, const struct rp *rp, const char *source, int html)
{
	const char	*br = html ? "<br>\n" : "\n  ";
	char		 a[32], b[32], u[32], z[16];
	struct tm	 tm;
	time_t		 now = time(NULL);

	z[0] = '\0';
	if (localtime_r(&now, &tm) != NULL)
		strftime(z, sizeof(z), "%Z", &tm);
	fputs(html ? "<p>" : "", fp);
	if (rp->span == 1) {
		fprintf(fp, "No data in this period. The state's first and "
		    "last hour with data:%s%s and %s %s; to report them:%s"
		    "--from '%s' --until '%s'", br,
		    out_time(rp->span_first * 3600, a, sizeof(a)),
		    out_time(rp->span_last * 3600, b, sizeof(b)), z, br,
		    out_time(rp->span_first * 3600, a, sizeof(a)),
		    out_time((rp->span_last + 1) * 3600, u, sizeof(u)));
	} else if (rp->span == -1)
		fputs("No data in this period: the state has none yet (the "
		    "daemon adds it as it reads the log).", fp);
	else
		fprintf(fp, "No data in this period in the %s read.", source);
	fputs(html ? "</p>\n" : "\n", fp);
}

/* rp_summary - the summary in o->format */
int
rp_summary(FILE *fp, struct rp *rp, const struct rp_opts *o)
{
	switch (o->format) {
	case RP_TEXT:
		summary_text(fp, rp, o);
		break;
	case RP_HTML:
	case RP_POSTFIX:
		summary_html(fp, rp, o);
		break;
	case RP_JSON:
		summary_json(fp, rp, o);
		break;
	case RP_CSV:
		summary_csv(fp, rp, o);
		break;
	}
	return (ferror(fp) ? -1 : 0);
}

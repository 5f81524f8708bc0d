/*	$fivefifty: summary_json.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	summary_json 3 - the summary as one JSON object
 * SYNOPSIS
 *	#include "reports/rp_int.h"
 *
 *	void	summary_json(FILE *fp, const struct rp *rp,
 *		    const struct rp_opts *o);
 * DESCRIPTION
 *	summary_json() writes one object and a newline: report, host,
 *	source, from and until (ISO 8601, null when open), no_data (only
 *	when the period holds nothing: first_hour and last_hour, the start
 *	of the source's first and last hour with data, null when not known
 *	or none), totals and
 *	previous (null unless bounded), rejects_by_class, rejects_by_code,
 *	new_bans, active_bans, top_offenders, top_helo,
 *	top_unknown_recipients, top_senders and activity. Peer text goes
 *	through out_json().
 */
#include <stdio.h>

#include "rp_int.h"

/* json_no_data - "no_data": the source's first and last hour with data
 * (their start; null when not known or none) */
static void
json_no_data(FILE *fp, const struct rp *rp)
{
	char	a[40];

	fputs(",\"no_data\":{\"first_hour\":", fp);
	if (rp->span == 1)
		fprintf(fp, "\"%s\"", out_iso(rp->span_first * 3600, a,
		    sizeof(a)));
	else
		fputs("null", fp);
	fputs(",\"last_hour\":", fp);
	if (rp->span == 1)
		fprintf(fp, "\"%s\"", out_iso(rp->span_last * 3600, a,
		    sizeof(a)));
	else
		fputs("null", fp);
	fputc('}', fp);
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
	while ((b = sum_next_ban(rp, o, active, &i, &shown)) != NULL) {
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

/* json_counts - the totals, the previous period's, and the rejects by
 * class and by code */
static void
json_counts(FILE *fp, const struct rp *rp)
{
	static const char *const keys[] = { "connections", "sessions",
	    "accepted_messages", "rejects", "distinct_clients", "new_bans" };
	long		 cur[6], prev[6];
	int		 k, first;

	sum_totals(&rp->cur, cur);
	sum_totals(&rp->prev, prev);
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
	fputc('}', fp);
}

/* json_offenders - the clients with the most rejects, as an array */
static void
json_offenders(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	size_t		 i, n;
	int		 bans;

	fputc('[', fp);
	n = rp->clients.n;
	n = rp_top(o, n);
	for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
		const struct rp_item *it = rp->clients.sorted[i];
		fputs(i ? ",{\"client\":" : "{\"client\":", fp);
		out_json(fp, it->key);
		fprintf(fp, ",\"rejects\":%ld,\"sessions\":%ld,\"accepted\":%ld,"
		    "\"banned\":%s}", it->n, it->sessions, it->messages,
		    sum_ban_of(rp, it->key, o, &bans)[0] != '\0' ? "true" :
		    "false");
	}
	fputc(']', fp);
}

/* json_activity - the activity object: its kind and rows */
static void
json_activity(FILE *fp, const struct rp *rp)
{
	struct hour	 h[168];
	char		 a[40];
	size_t		 i, n;
	int		 daily;

	n = sum_hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	fprintf(fp, "{\"by\":\"%s\",\"rows\":[",
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
	fputs("]}", fp);
}

/* summary_json - one object */
void
summary_json(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	char	a[40];

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
	if (sum_no_data(rp))
		json_no_data(fp, rp);
	json_counts(fp, rp);
	nodes_json(fp, rp);
	fputs(",\"new_bans\":", fp);
	json_bans(fp, rp, o, 0);
	fputs(",\"active_bans\":", fp);
	json_bans(fp, rp, o, 1);
	fputs(",\"top_offenders\":", fp);
	json_offenders(fp, rp, o);
	fputs(",\"top_helo\":", fp);
	rp_values(fp, &rp->helo, "", "helo", o);
	fputs(",\"top_unknown_recipients\":", fp);
	rp_values(fp, &rp->recipient, "", "recipient", o);
	fputs(",\"top_senders\":", fp);
	rp_values(fp, &rp->sender, "", "sender", o);
	fputs(",\"activity\":", fp);
	json_activity(fp, rp);
	fputs("}\n", fp);
}

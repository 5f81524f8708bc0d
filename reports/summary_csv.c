/*	$fivefifty: summary_csv.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	summary_csv 3 - the summary as CSV, for scripts
 * SYNOPSIS
 *	#include "reports/rp_int.h"
 *
 *	void	summary_csv(FILE *fp, const struct rp *rp,
 *		    const struct rp_opts *o);
 * DESCRIPTION
 *	summary_csv() writes a header line, then one
 *	"section,name,value,previous,detail" line (CRLF, RFC 4180) per
 *	number or ban: no_data (only when the period holds nothing: its
 *	first_hour and last_hour, the start of the source's first and last
 *	hour with data, "-" when not known or none), totals, class, code, offender, new_ban and
 *	active_ban (value: the end of the ban, detail: the reason), helo,
 *	recipient, sender, connections and rejects_per_hour. Peer text goes
 *	through out_csv().
 */
#include <stdio.h>

#include "rp_int.h"

/* csv_bans - new or active bans: "new_ban" or "active_ban", the client,
 * the end of the ban, nothing, the reason */
static void
csv_bans(FILE *fp, const struct rp *rp, const struct rp_opts *o, int active)
{
	const struct rp_banrow *b;
	char		 u[40], addr[80];
	size_t		 i, shown = 0;

	i = 0;
	while ((b = sum_next_ban(rp, o, active, &i, &shown)) != NULL) {
		fprintf(fp, "%s,", active ? "active_ban" : "new_ban");
		out_csv(fp, sum_ban_addr(b, addr, sizeof(addr)));
		fprintf(fp, ",%s,,", out_iso(b->until, u, sizeof(u)));
		out_csv(fp, b->manual ? "manual" : b->reason);
		fputs("\r\n", fp);
	}
}

/* csv_counts - the totals, and the rejects by class and by code */
static void
csv_counts(FILE *fp, const struct rp *rp)
{
	long		 cur[6], prev[6];
	int		 k;

	sum_totals(&rp->cur, cur);
	sum_totals(&rp->prev, prev);
	for (k = 0; k < 6; k++) {
		fprintf(fp, "totals,%s,%ld,", sum_total_names[k], cur[k]);
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
}

/* csv_values - the top offenders, HELO names, unknown recipients and
 * senders */
static void
csv_values(FILE *fp, const struct rp *rp, const struct rp_opts *o,
    int offenders)
{
	const struct { const char *s; const struct rp_tab *t; } v[] = {
		{ "helo", &rp->helo }, { "recipient", &rp->recipient },
		{ "sender", &rp->sender } };
	size_t		 i, n;
	int		 k;

	if (offenders) {
		n = rp->clients.n;
		n = rp_top(o, n);
		for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
			fputs("offender,", fp);
			out_csv(fp, rp->clients.sorted[i]->key);
			fprintf(fp, ",%ld,,\r\n", rp->clients.sorted[i]->n);
		}
		return;
	}
	for (k = 0; k < 3; k++) {
		n = v[k].t->n;
		n = rp_top(o, n);
		for (i = 0; i < n; i++) {
			fprintf(fp, "%s,", v[k].s);
			out_csv(fp, v[k].t->sorted[i]->key);
			fprintf(fp, ",%ld,,\r\n", v[k].t->sorted[i]->n);
		}
	}
}

/* csv_activity - connections and rejects per hour */
static void
csv_activity(FILE *fp, const struct rp *rp)
{
	struct hour	 h[168];
	char		 lab[40];
	size_t		 i, n;
	int		 daily;

	n = sum_hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	for (i = 0; i < n; i++) {
		if (daily)
			snprintf(lab, sizeof(lab), "%02lld:00", h[i].t);
		else
			out_iso(h[i].t, lab, sizeof(lab));
		fprintf(fp, "connections,%s,%ld,,\r\nrejects_per_hour,%s,%ld,,"
		    "\r\n", lab, h[i].connects, lab, h[i].rejects);
	}
}

/* summary_csv - "section,name,value,previous,detail" lines */
void
summary_csv(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	char	a[40];

	fputs("section,name,value,previous,detail\r\n", fp);
	if (sum_no_data(rp)) {		/* "-": not known, or none */
		fprintf(fp, "no_data,first_hour,%s,,\r\n", out_iso(rp->span ==
		    1 ? rp->span_first * 3600 : 0, a, sizeof(a)));
		fprintf(fp, "no_data,last_hour,%s,,\r\n", out_iso(rp->span ==
		    1 ? rp->span_last * 3600 : 0, a, sizeof(a)));
	}
	csv_counts(fp, rp);
	nodes_csv(fp, rp);
	csv_values(fp, rp, o, 1);
	csv_bans(fp, rp, o, 0);
	csv_bans(fp, rp, o, 1);
	csv_values(fp, rp, o, 0);
	csv_activity(fp, rp);
}

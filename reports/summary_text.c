/*	$fivefifty: summary_text.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	summary_text 3 - the summary as text, for a terminal and the mail
 * SYNOPSIS
 *	#include "reports/rp_int.h"
 *
 *	void	summary_text(FILE *fp, const struct rp *rp,
 *		    const struct rp_opts *o);
 * DESCRIPTION
 *	summary_text() writes the sections of summary.c's description as
 *	aligned columns (a note under the period when it holds nothing; a
 *	legend under the totals defining connections and sessions), peer text through out_text() (cut to its column),
 *	and the activity as a bar of '#' (connections) and 'x' (rejects) per
 *	row, the longest BAR characters.
 */
#include <stdio.h>

#include "rp_int.h"

#define BAR	40	/* characters of the longest text bar */

/* text_head - the title, the period and the source */
static void
text_head(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	fputs("fivefifty summary for ", fp);
	out_text(fp, o->host, 0);
	fputs("\nPeriod: ", fp);
	out_period(fp, rp);
	fprintf(fp, "\nSource: the %s\n", o->source);
	if (sum_no_data(rp))
		sum_no_data_note(fp, rp, o->source, 0);
}

/* text_bans - new or active bans */
static void
text_bans(FILE *fp, const struct rp *rp, const struct rp_opts *o, int active)
{
	const struct rp_banrow *b;
	char		 a[32], u[32], addr[80];
	size_t		 i, n = 0, shown = 0;

	for (i = 0; i < rp->nbans; i++)
		if (active ? sum_active_ban(&rp->bans[i], o) :
		    sum_new_ban(rp, &rp->bans[i]))
			n++;
	fprintf(fp, "\n%s (%zu)\n", active ? "Bans in force" : "New bans", n);
	if (n == 0)
		return;
	fprintf(fp, "  %-11s %-30s %-11s %s\n", "at", "client", "until",
	    "reason");
	i = 0;
	while ((b = sum_next_ban(rp, o, active, &i, &shown)) != NULL) {
		sum_ban_addr(b, addr, sizeof(addr));
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

/* text_counts - the totals, and the rejects by class and by code, with
 * the previous period's and the change when bounded */
static void
text_counts(FILE *fp, const struct rp *rp)
{
	long		 cur[6], prev[6];
	char		 c[16], lab[32];
	int		 k;

	sum_totals(&rp->cur, cur);
	sum_totals(&rp->prev, prev);
	if (rp->bounded)
		fprintf(fp, "\nTotals %30s %10s %8s\n", "this period",
		    "previous", "change");
	else
		fputs("\nTotals\n", fp);
	for (k = 0; k < 6; k++) {
		fprintf(fp, "  %-22s %12ld", sum_total_names[k], cur[k]);
		if (rp->bounded)
			fprintf(fp, " %10ld %8s", prev[k],
			    sum_change(cur[k], prev[k], c, sizeof(c)));
		fputc('\n', fp);
	}
	fputs("\n  Connections: client sessions with smtpd; sessions: those "
	    "and the ones\n  postscreen ended before smtpd, one per TCP "
	    "connection.\n", fp);
	fputs("\nRejects by class\n", fp);
	for (k = 1; k < PF_CLASS_COUNT; k++)
		if (rp->cur.class_n[k] > 0 || rp->prev.class_n[k] > 0) {
			fprintf(fp, "  %-22s %12ld", pf_class_name(
			    (enum pf_class)k), rp->cur.class_n[k]);
			if (rp->bounded)
				fprintf(fp, " %10ld %8s", rp->prev.class_n[k],
				    sum_change(rp->cur.class_n[k],
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
				    sum_change(rp->cur.code_n[k],
				    rp->prev.code_n[k], c, sizeof(c)));
			fputc('\n', fp);
		}
}

/* text_offenders - the clients with the most rejects */
static void
text_offenders(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	const char	*st;
	size_t		 i, n;
	int		 bans;

	fputs("\nTop offenders (by rejects)\n", fp);
	n = rp->clients.n;
	n = rp_top(o, n);
	fprintf(fp, "  %-39s %7s %8s %8s %s\n", "client", "rejects",
	    "sessions", "accepted", "status");
	for (i = 0; i < n && rp->clients.sorted[i]->n > 0; i++) {
		const struct rp_item *it = rp->clients.sorted[i];
		fputs("  ", fp);
		out_text(fp, it->key, 39);
		st = sum_ban_of(rp, it->key, o, &bans);
		fprintf(fp, " %7ld %8ld %8ld %s\n", it->n, it->sessions,
		    it->messages, st[0] != '\0' ? st : "-");
	}
}

/* text_activity - connections and rejects per hour, with bars */
static void
text_activity(FILE *fp, const struct rp *rp)
{
	struct hour	 h[168];
	long		 max = 1;
	char		 lab[32];
	size_t		 i, n;
	int		 k, daily;

	n = sum_hours(rp, h, sizeof(h) / sizeof(h[0]), &daily);
	for (i = 0; i < n; i++)
		if (h[i].connects + h[i].rejects > max)
			max = h[i].connects + h[i].rejects;
	fprintf(fp, "\nActivity %s (# connections, x rejects)\n",
	    daily ? "by hour of the day" : "per hour");
	for (i = 0; i < n; i++) {
		long bc = h[i].connects * BAR / max;
		long br = h[i].rejects * BAR / max;
		fprintf(fp, "  %-11s %7ld %7ld%s", sum_hour_label(&h[i], daily,
		    lab, sizeof(lab)), h[i].connects, h[i].rejects,
		    bc + br > 0 ? " " : "");
		for (k = 0; k < bc; k++)
			fputc('#', fp);
		for (k = 0; k < br; k++)
			fputc('x', fp);
		fputc('\n', fp);
	}
}

/* summary_text - the text part */
void
summary_text(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	struct rp_opts	 co;

	text_head(fp, rp, o);
	text_counts(fp, rp);
	nodes_text(fp, rp);
	text_bans(fp, rp, o, 0);
	text_bans(fp, rp, o, 1);
	text_offenders(fp, rp, o);
	co = *o;
	co.compact = 1;
	fputs("\nTop rejected HELO names\n", fp);
	rp_values(fp, &rp->helo, "rejected HELO names", "helo", &co);
	fputs("\nTop targeted unknown recipients\n", fp);
	rp_values(fp, &rp->recipient, "unknown recipients", "recipient", &co);
	fputs("\nTop rejected senders\n", fp);
	rp_values(fp, &rp->sender, "rejected senders", "sender", &co);
	text_activity(fp, rp);
}

/*	$fivefifty: fivefifties.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fivefifties 3 - `report fivefifties`: clients that came back after
 *	a permanent rejection
 * SYNOPSIS
 *	int	rp_fivefifties(FILE *fp, struct rp *rp, const struct rp_opts *o);
 * DESCRIPTION
 *	One row per client whose first permanent (enforced 5xx) rejection
 *	came before the end of the period and who was seen in it, most
 *	returns first: its address and verified name, that first rejection
 *	(time, code, class, reason), how many later sessions it came back
 *	with nothing accepted, the last of them, its sessions in the period,
 *	its status at o->now (banned until, watching while its last session
 *	is within o->watch, expired) and its ban count. Clients that never
 *	came back are left out unless o->all.
 *
 *	RP_POSTFIX writes a check_client_access table instead: one
 *	"ADDRESS REJECT text" line per client that came back, except the
 *	ones o->skip() protects; the text is fixed, never peer text.
 *	Returns 0, or -1 when the output fails.
 */
#include <stdio.h>
#include <string.h>

#include "rp_int.h"

/* listed - whether a row is in the report */
static int
listed(const struct rp_ffrow *w, const struct rp_opts *o)
{
	return (w->retries > 0 || o->all);
}

/* text - the table, two lines a client */
static void
text(FILE *fp, const struct rp *rp, const struct rp_opts *o, size_t n)
{
	const struct rp_ffrow *w;
	char		 a[32], b[32], st[64];
	size_t		 i, shown = 0;

	fprintf(fp, "  %-24s %7s %8s %-11s %4s %-11s %4s\n", "client",
	    "retries", "sessions", "first 5xx", "code", "last retry", "bans");
	for (i = 0; i < rp->nff && shown < n; i++) {
		w = &rp->ff[i];
		if (!listed(w, o))
			continue;
		shown++;
		fputs("  ", fp);
		/* as df(1) does: a long address on a line of its own */
		if (out_text_width(w->addr) > 24) {
			out_text_end(fp, w->addr, 76);
			fprintf(fp, "\n  %24s", "");
		} else
			out_text(fp, w->addr, 24);
		fprintf(fp, " %7ld %8ld %-11s %4d %-11s %4d\n", w->retries,
		    w->sessions, out_short_time(w->first_t, a, sizeof(a)),
		    w->code, out_short_time(w->last_retry, b, sizeof(b)),
		    w->bans);
		out_status(w, o, st, sizeof(st), 0);
		fprintf(fp, "    %s; ", st);
		out_text_end(fp, w->name[0] != '\0' ? w->name : "unknown",
		    74 - strlen(st));
		fputc('\n', fp);
		fprintf(fp, "    %s: ",
		    pf_class_name((enum pf_class)w->class));
		out_text_end(fp, w->reason, 72 - strlen(pf_class_name(
		    (enum pf_class)w->class)));
		fputc('\n', fp);
	}
	if (shown == 0)
		fputs("  (no client came back after a permanent rejection)\n",
		    fp);
}

/* csv - one line a client */
static void
csv(FILE *fp, const struct rp *rp, const struct rp_opts *o, size_t n)
{
	const struct rp_ffrow *w;
	char		 a[40], b[40], c[40], st[64];
	size_t		 i, shown = 0;

	fputs("client,name,first_rejection,code,class,reason,retries,"
	    "last_retry,sessions,status,banned_until,bans\r\n", fp);
	for (i = 0; i < rp->nff && shown < n; i++) {
		w = &rp->ff[i];
		if (!listed(w, o))
			continue;
		shown++;
		out_csv(fp, w->addr);
		fputc(',', fp);
		out_csv(fp, w->name);
		fprintf(fp, ",%s,%d,%s,", out_iso(w->first_t, a, sizeof(a)),
		    w->code, pf_class_name((enum pf_class)w->class));
		out_csv(fp, w->reason);
		out_status(w, o, st, sizeof(st), 0);
		fprintf(fp, ",%ld,%s,%ld,%s,%s,%d\r\n", w->retries,
		    w->last_retry != 0 ? out_iso(w->last_retry, b, sizeof(b)) :
		    "", w->sessions,
		    strncmp(st, "banned", 6) == 0 ? "banned" : st,
		    w->banned_until > o->now ?
		    out_iso(w->banned_until, c, sizeof(c)) : "", w->bans);
	}
}

/* json - an array of objects */
static void
json(FILE *fp, const struct rp *rp, const struct rp_opts *o, size_t n)
{
	const struct rp_ffrow *w;
	char		 a[40], b[40], c[40], st[64];
	size_t		 i, shown = 0;

	fprintf(fp, "{\"report\":\"fivefifties\",\"source\":\"%s\","
	    "\"rows\":[", o->source);
	for (i = 0; i < rp->nff && shown < n; i++) {
		w = &rp->ff[i];
		if (!listed(w, o))
			continue;
		fputs(shown++ ? ",{\"client\":" : "{\"client\":", fp);
		out_json(fp, w->addr);
		fputs(",\"name\":", fp);
		out_json(fp, w->name);
		fprintf(fp, ",\"first_rejection\":{\"time\":\"%s\",\"code\":%d,"
		    "\"class\":\"%s\",\"reason\":", out_iso(w->first_t, a,
		    sizeof(a)), w->code, pf_class_name((enum pf_class)w->class));
		out_json(fp, w->reason);
		out_status(w, o, st, sizeof(st), 0);
		fprintf(fp, "},\"retries\":%ld,\"last_retry\":", w->retries);
		if (w->last_retry != 0)
			fprintf(fp, "\"%s\"", out_iso(w->last_retry, b,
			    sizeof(b)));
		else
			fputs("null", fp);
		fprintf(fp, ",\"sessions\":%ld,\"status\":\"%s\","
		    "\"banned_until\":", w->sessions,
		    strncmp(st, "banned", 6) == 0 ? "banned" : st);
		if (w->banned_until > o->now)
			fprintf(fp, "\"%s\"", out_iso(w->banned_until, c,
			    sizeof(c)));
		else
			fputs("null", fp);
		fprintf(fp, ",\"bans\":%d}", w->bans);
	}
	fputs("]}\n", fp);
}

/* html - a table */
static void
html(FILE *fp, const struct rp *rp, const struct rp_opts *o, size_t n)
{
	static const char th[] = "<th style=\"text-align:left;padding:2px "
	    "8px;border-bottom:1px solid #999;\">";
	static const char td[] = "<td style=\"padding:2px 8px;\">";
	const struct rp_ffrow *w;
	char		 a[32], b[32], st[64];
	size_t		 i, shown = 0;

	out_html_head(fp, "Five-fifties");
	fputs("<h2>Clients that came back after a permanent rejection</h2>\n",
	    fp);
	out_html_period(fp, rp, o->source);
	fputs("<table style=\"border-collapse:collapse;\">\n<tr>", fp);
	fprintf(fp, "%sclient</th>%sname</th>%sfirst rejection</th>%scode"
	    "</th>%sreason</th>%sretries</th>%slast retry</th>%ssessions"
	    "</th>%sstatus</th>%sbans</th></tr>\n", th, th, th, th, th, th,
	    th, th, th, th);
	for (i = 0; i < rp->nff && shown < n; i++) {
		w = &rp->ff[i];
		if (!listed(w, o))
			continue;
		shown++;
		fprintf(fp, "<tr>%s", td);
		out_html(fp, w->addr);
		fprintf(fp, "</td>%s", td);
		out_html(fp, w->name);
		fprintf(fp, "</td>%s%s</td>%s%d</td>%s", td,
		    out_time(w->first_t, a, sizeof(a)), td, w->code, td);
		out_html(fp, w->reason);
		fprintf(fp, "</td>%s%ld</td>%s%s</td>%s%ld</td>%s%s</td>"
		    "%s%d</td></tr>\n", td, w->retries, td,
		    out_time(w->last_retry, b, sizeof(b)), td, w->sessions, td,
		    out_status(w, o, st, sizeof(st), 1), td, w->bans);
	}
	fputs("</table>\n", fp);
	out_html_tail(fp);
}

/* postfix - a check_client_access table */
static void
postfix(FILE *fp, const struct rp *rp, const struct rp_opts *o)
{
	const struct rp_ffrow *w;
	size_t		 i;

	fputs("# fivefifty report fivefifties --format postfix: ", fp);
	out_period(fp, rp);
	fputs("\n# clients that came back after a permanent rejection; use "
	    "with\n#   smtpd_client_restrictions = check_client_access "
	    "hash:/etc/postfix/FILE\n# after postmap hash:/etc/postfix/FILE\n",
	    fp);
	for (i = 0; i < rp->nff; i++) {
		w = &rp->ff[i];
		if (w->retries == 0 || (o->skip != NULL && o->skip(w->addr)) ||
		    strpbrk(w->addr, " \t\r\n#") != NULL)
			continue;
		fprintf(fp, "%s\tREJECT came back %ld time%s after a "
		    "permanent rejection\n", w->addr, w->retries,
		    w->retries == 1 ? "" : "s");
	}
}

/* rp_fivefifties - the five-fifties report */
int
rp_fivefifties(FILE *fp, struct rp *rp, const struct rp_opts *o)
{
	size_t	n = rp_top(o, rp->nff);

	switch (o->format) {
	case RP_TEXT:
		fprintf(fp, "Five-fifties: clients that came back after a "
		    "permanent rejection\n(from the %s) ", o->source);
		out_period(fp, rp);
		fputc('\n', fp);
		text(fp, rp, o, n);
		break;
	case RP_CSV:
		csv(fp, rp, o, n);
		break;
	case RP_JSON:
		json(fp, rp, o, n);
		break;
	case RP_HTML:
		html(fp, rp, o, n);
		break;
	case RP_POSTFIX:
		postfix(fp, rp, o);
		break;
	}
	return (ferror(fp) ? -1 : 0);
}

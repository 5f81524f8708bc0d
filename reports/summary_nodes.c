/*	$fivefifty: summary_nodes.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	summary_nodes 3 - the summary's nodes: each host sharing the state
 * SYNOPSIS
 *	#include "reports/rp_int.h"
 *
 *	void	nodes_text(FILE *fp, const struct rp *rp);
 *	void	nodes_html(FILE *fp, const struct rp *rp);
 *	void	nodes_json(FILE *fp, const struct rp *rp);
 *	void	nodes_csv(FILE *fp, const struct rp *rp);
 * DESCRIPTION
 *	A PostgreSQL state is shared by several hosts, its nodes; the
 *	summary of one says, per node, what its facts count in the period
 *	(connections, sessions, accepted messages, rejects), the new bans it
 *	decided (when the bans carry their node; "-" or null until then) and
 *	the log time of its last write, the latest sign of it. Each function
 *	writes that section in its format: a table of aligned columns in
 *	text, an HTML table, a "nodes" array of objects in JSON (after a
 *	comma: the object is open), "node" lines in CSV (value: rejects,
 *	detail: the other counts as key=value words). Nothing at all when
 *	rp has no nodes: a SQLite state (one host's) or logs; their summary
 *	is as it always was.
 * SECURITY
 *	Node names are the hosts' own (node_name, or gethostname()), but are
 *	escaped like any text of the state for each format.
 */
#include <stdio.h>

#include "rp_int.h"

/* nodes_text - the nodes as aligned columns */
void
nodes_text(FILE *fp, const struct rp *rp)
{
	const struct rp_noderow *n;
	char		 t[32];
	size_t		 i;

	if (rp->nnodes == 0)
		return;
	fprintf(fp, "\nNodes (%zu)\n", rp->nnodes);
	fprintf(fp, "  %-18s %11s %8s %8s %7s %8s  %s\n", "node",
	    "connections", "sessions", "accepted", "rejects", "new bans",
	    "last log");
	for (i = 0; i < rp->nnodes; i++) {
		n = &rp->nodes[i];
		fputs("  ", fp);
		out_text(fp, n->name, 18);
		fprintf(fp, " %11ld %8ld %8ld %7ld %8lld  %s\n", n->connects,
		    n->sessions, n->messages, n->rejects, n->bans,
		    n->log_time > 0 ? out_short_time(n->log_time,
		    t, sizeof(t)) : "-");
	}
}

/* nodes_html - the nodes as a table */
void
nodes_html(FILE *fp, const struct rp *rp)
{
	static const char td[] = "<td style=\"text-align:right;padding:2px "
	    "8px;\">";
	static const char th[] = "<th style=\"text-align:left;padding:2px "
	    "8px;border-bottom:1px solid #999;\">";
	const struct rp_noderow *n;
	char		 t[32];
	size_t		 i;

	if (rp->nnodes == 0)
		return;
	fprintf(fp, "<h3>Nodes (%zu)</h3>\n<table style=\"border-collapse:"
	    "collapse;\">\n<tr>%snode</th>%sconnections</th>%ssessions</th>"
	    "%saccepted</th>%srejects</th>%snew bans</th>%slast log</th>"
	    "</tr>\n", rp->nnodes, th, th, th, th, th, th, th);
	for (i = 0; i < rp->nnodes; i++) {
		n = &rp->nodes[i];
		fputs("<tr><td style=\"padding:2px 8px;\">", fp);
		out_html(fp, n->name);
		fprintf(fp, "</td>%s%ld</td>%s%ld</td>%s%ld</td>%s%ld</td>"
		    "%s%lld</td><td style=\"padding:2px 8px;white-space:nowrap;\">%s"
		    "</td></tr>\n",
		    td, n->connects, td, n->sessions, td, n->messages, td,
		    n->rejects, td, n->bans,
		    n->log_time > 0 ? out_time(n->log_time, t, sizeof(t)) :
		    "-");
	}
	fputs("</table>\n", fp);
}

/* nodes_json - ,"nodes":[...] */
void
nodes_json(FILE *fp, const struct rp *rp)
{
	const struct rp_noderow *n;
	char		 t[40];
	size_t		 i;

	if (rp->nnodes == 0)
		return;
	fputs(",\"nodes\":[", fp);
	for (i = 0; i < rp->nnodes; i++) {
		n = &rp->nodes[i];
		fputs(i ? ",{\"node\":" : "{\"node\":", fp);
		out_json(fp, n->name);
		fprintf(fp, ",\"connections\":%ld,\"sessions\":%ld,"
		    "\"accepted_messages\":%ld,\"rejects\":%ld,\"new_bans\":%lld",
		    n->connects, n->sessions, n->messages, n->rejects, n->bans);
		fputs(",\"last_log_time\":", fp);
		if (n->log_time > 0)
			fprintf(fp, "\"%s\"}", out_iso(n->log_time, t,
			    sizeof(t)));
		else
			fputs("null}", fp);
	}
	fputc(']', fp);
}

/* nodes_csv - "node,NAME,rejects,,connections=N sessions=N ..." lines */
void
nodes_csv(FILE *fp, const struct rp *rp)
{
	const struct rp_noderow *n;
	char		 t[40];
	size_t		 i;

	for (i = 0; i < rp->nnodes; i++) {
		n = &rp->nodes[i];
		fputs("node,", fp);
		out_csv(fp, n->name);
		fprintf(fp, ",%ld,,connections=%ld sessions=%ld accepted=%ld "
		    "new_bans=%lld last_log=%s\r\n", n->rejects, n->connects,
		    n->sessions, n->messages, n->bans,
		    n->log_time > 0 ? out_iso(n->log_time, t, sizeof(t)) :
		    "-");
	}
}

/*	$fivefifty: state_read.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	state_read 3 - the facts of a period from the state
 * SYNOPSIS
 *	int	rp_load_state(struct rp *rp, const char *db, const char *node,
 *		    long long *now, char *err, size_t errlen);
 * DESCRIPTION
 *	Opens the state read-only (the daemon may be writing it: both go
 *	on) and reads, as of one moment (state_snapshot()), the facts of the
 *	period and the one before it (rows of one key from several writes
 *	add up in rp_fact()), the first and last hour the state has facts
 *	of (rp->span: what the summary names when the period holds
 *	nothing), the five-fifty entries, and the bans the
 *	daemon's breaker did not hold or drop; *now becomes the state's log
 *	time (state_now()). A shared (PostgreSQL) state's nodes come with
 *	their counts of the period (rp_node()). With node (not NULL) the
 *	facts and five-fifties are what that node saw (state_only_node()),
 *	and the nodes that node alone; the bans stay the cluster's, which
 *	every node enforces.
 * DIAGNOSTICS
 *	-1 with a message in err naming the file when it does not exist,
 *	cannot be opened, is not a fivefifty state, is of a schema newer
 *	than this fivefifty knows or too old for the reports, or a read
 *	fails, or node is given for a SQLite state or names no node of the
 *	state; the message says what to do (for a server: that it runs,
 *	and the role's rights).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "rp_int.h"
#include "state/state.h"

/* fact - one fact of the state into the report */
static int
fact(void *rp, const struct state_fact *r)
{
	struct score_fact f = { r->kind, r->value, r->client, r->class,
	    r->hour, r->code, r->n, r->first, r->last };

	rp_fact(rp, &f);
	return (0);
}

/* ff - one five-fifty of the state into the report */
static int
ff(void *rp, const struct state_ff *r)
{
	struct score_ff	 f = { r->addr, r->name, r->class, r->reason,
	    r->first_t, r->code, r->retries, r->last_retry, r->last_seen };

	rp_ff(rp, &f);
	return (0);
}

/* ban - one enforced ban of the state into the report */
static int
ban(void *rp, const struct state_ban *r)
{
	struct score_decision d;

	memset(&d, 0, sizeof(d));
	snprintf(d.addr, sizeof(d.addr), "%s", r->addr);
	d.prefix_len = r->prefix_len;
	d.family = r->family;
	d.at = r->at;
	d.until = r->until;
	d.ban_count = r->n;
	d.score = r->score;
	snprintf(d.reason, sizeof(d.reason), "%s", r->reason);
	d.manual = r->manual;
	rp_ban(rp, &d);
	return (0);
}

/* What a node's row of the summary is read with. */
struct nodes {
	struct rp	*rp;
	const char	*only;		/* NULL: every node */
};

/* node - a node of the state, with its counts, into the report */
static int
node(void *arg, const struct state_node *n)
{
	struct nodes	*a = arg;
	struct rp_noderow r = { (char *)n->name, n->log_time, n->connects,
	    n->sessions, n->messages, n->rejects, n->bans };

	if (a->only == NULL || strcmp(a->only, n->name) == 0)
		rp_node(a->rp, &r);
	return (0);
}

/* rp_load_state - the period's facts, five-fifties and bans */
int
rp_load_state(struct rp *rp, const char *path, const char *only,
    long long *now, char *err, size_t errlen)
{
	struct state	*st;
	struct nodes	 na = { rp, only };
	const char	*what = NULL;
	long long	 lo, hi, cur;

	if (!state_exists(path)) {
		snprintf(err, errlen, "no state yet at %s: the daemon makes "
		    "it when it runs: start it (systemctl enable --now "
		    "fivefifty), or make one from a log (fivefifty scan FILE), "
		    "or read the log itself (--log FILE)", path);
		return (-1);
	}
	if ((st = state_open(path, 1, err, errlen)) == NULL)
		return (-1);
	if (state_only_node(st, only, err, errlen) == -1) {
		state_close(st);
		return (-1);
	}
	lo = rp->bounded ? rp->prev_from / 3600 : rp->from == RP_OPEN_FROM ?
	    LLONG_MIN : rp->from / 3600;
	hi = rp->until == RP_OPEN_UNTIL ? LLONG_MAX : rp->until / 3600;
	cur = rp->from == RP_OPEN_FROM ? LLONG_MIN : rp->from / 3600;
	if (state_snapshot(st, 1) == -1)
		what = "read";
	else {
		*now = state_now(st);
		if (state_facts(st, lo, hi, fact, rp) == -1)
			what = "activity";
		else if ((rp->span = state_facts_span(st, &rp->span_first,
		    &rp->span_last)) == -1)
			what = "activity";
		else if (state_ffs(st, ff, rp) == -1)
			what = "fivefifties";
		else if (state_bans_enforced(st, ban, rp) == -1)
			what = "bans";
		else if (state_nodes(st, cur, hi, node, &na) == -1)
			what = "nodes";
		(void)state_snapshot(st, 0);
		if (rp->span == 0)
			rp->span = -1;	/* known: no facts at all */
	}
	if (what != NULL)
		snprintf(err, errlen, "%s: %s: %s%s", state_name(st), what,
		    state_error(st), state_is_uri(path) ? " (check that "
		    "PostgreSQL runs and answers at state_db or --db, and that "
		    "its role may read the fivefifty tables)" : "");
	state_close(st);
	return (what != NULL ? -1 : 0);
}

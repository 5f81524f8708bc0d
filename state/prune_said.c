/*	$fivefifty: prune_said.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	prune_said 3 - a failing prune said once for each reason
 * SYNOPSIS
 *	void	prune_said(struct prune_said *ps, const char *db, long long
 *		    days, int failed, const char *why, const char *advice,
 *		    int quiet);
 * DESCRIPTION
 *	The daemon's writer tries a failed prune again after each batch it
 *	stores (queue.c), so a prune refused alone (its writes stored: a
 *	trigger, a damaged index, a lock only the prune meets) was one
 *	warning a second. prune_said() is told each prune's end by a
 *	backend's prune (sq_prune(), pg_prune()): a failure is logged when
 *	its reason is not the last failure's, with what is done next and
 *	advice; a success after failures once (log_info()). Only the
 *	reason's head counts: PostgreSQL's DETAIL, HINT and CONTEXT name
 *	process ids, transactions and rows that change at each try (a
 *	deadlock between nodes pruning at the same day's start), and would
 *	make every try a new reason.
 *
 *	A struct prune_said is its backend's, used by the one thread that
 *	prunes (the writer, or the caller without one).
 */
#include <stdio.h>
#include <string.h>

#include "state_int.h"
#include "util/util.h"

/* head_len - the length of why before PostgreSQL's details */
static size_t
head_len(const char *why)
{
	static const char *const tails[] = { " DETAIL:", " HINT:",
	    " CONTEXT:", " LINE " };
	size_t		 i, n = strlen(why);
	const char	*p;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if ((p = strstr(why, tails[i])) != NULL &&
		    (size_t)(p - why) < n)
			n = (size_t)(p - why);
	return (n);
}

/* prune_said - a prune's end: a new failure's reason logged with
 * advice, a success after failures once; quiet logs nothing but keeps
 * the reason */
void
prune_said(struct prune_said *ps, const char *db, long long days, int failed,
    const char *why, const char *advice, int quiet)
{
	size_t	n;

	if (!failed) {
		if (ps->why[0] != '\0' && !quiet)
			log_info("state database %s: the rows older than %lld "
			    "days are removed again", db, days);
		ps->why[0] = '\0';
		return;
	}
	n = head_len(why);
	if (!quiet && (ps->why[0] == '\0' || strlen(ps->why) != n ||
	    strncmp(ps->why, why, n) != 0))
		log_warnx("state database %s: cannot remove the rows older than "
		    "%lld days: %s; tried again later (at the next write of "
		    "the daemon, at the next scan); if it lasts, %s", db, days,
		    why, advice);
	snprintf(ps->why, sizeof(ps->why), "%.*s", (int)n, why);
}

/*	$fivefifty: statewrite.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	statewrite 3 - the daemon's side of storing the state
 * SYNOPSIS
 *	void	statewrite_start(struct daemon *d);
 *	void	statewrite_status(struct daemon *d, FILE *out);
 * DESCRIPTION
 *	The state's writer (score/state.c) stores each flush in one
 *	transaction. statewrite_start() makes it retry a failed write (a
 *	locked database, a full disk) with backoff, 1 s doubling to 60 s,
 *	keeping the batches in order in a bounded queue, coalescing the
 *	newest beyond its cap (positions, clients, bans and unbans are kept;
 *	evidence and report facts beyond their own caps are dropped and
 *	counted); it resumes by itself.
 *
 *	statewrite_status() writes the status lines about it:
 *	"state ok" or "state failing since T: PATH: what: reason (...)",
 *	"state_pending N" (batches not stored yet) and "state_errors N"
 *	(failed writes since the start).
 * SECURITY
 *	The reason is SQLite's message and the configured path; a newline in
 *	either would split the status reply, so controls become spaces.
 */
#include <stdio.h>

#include "cmd/cmd.h"
#include "daemon_int.h"
#include "util/util.h"

/* statewrite_start - failed writes wait and are retried */
void
statewrite_start(struct daemon *d)
{
	state_retry(d->st, 1);
}

/* statewrite_status - the state, state_pending and state_errors lines */
void
statewrite_status(struct daemon *d, FILE *out)
{
	struct state_health h;
	char		 u[32], *p;

	state_health(d->st, &h);
	for (p = h.reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (!h.failing)
		fprintf(out, "state ok\n");
	else if (h.failing_since != 0)
		fprintf(out, "state failing since %s: %s (the changes are kept "
		    "in memory; next attempt within %ld s)\n",
		    utc_text(h.failing_since, u, sizeof(u)), h.reason,
		    h.retry_ms / 1000);
	else
		fprintf(out, "state failing: %s\n", h.reason);
	fprintf(out, "state_pending %d\nstate_errors %llu\n", h.pending,
	    d->state_errors + h.failures);
	if (h.coalesced > 0 || h.dropped > 0)
		fprintf(out, "state_coalesced %llu\nstate_dropped %llu\n",
		    h.coalesced, h.dropped);
}

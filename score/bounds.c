/*	$fivefifty: bounds.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	bounds 3 - what memory_limit gives each of the scorer's tables, and
 *	the sessions' activity order
 * SYNOPSIS
 *	void	bounds_set(struct scorer *s);
 *	size_t	bounds_backlog(const struct scorer *s);
 *	int	scorer_backlog(const struct scorer *s);
 *	size_t	scorer_nsessions(const struct scorer *s);
 *	size_t	scorer_nffs(const struct scorer *s);
 *	void	session_link(struct scorer *s, struct session *ss);
 *	void	session_unlink(struct scorer *s, struct session *ss);
 *	void	session_used(struct scorer *s, struct session *ss);
 *	void	session_evict(struct scorer *s, long long t);
 * DESCRIPTION
 *	Everything the scorer keeps that grows with its input is bounded,
 *	and the bounds come from one key, memory_limit (bytes), split by
 *	bounds_set():
 *	clients		3/4, and at most max_clients entries (table.c
 *			evicts the entry with the least at stake);
 *	sessions	1/16, at SESSION_BYTES each (max_sessions): the
 *			session idle the longest is ended, that is judged,
 *			first (session_evict());
 *	five-fifties	1/16 (facts.c evicts the entry with the fewest
 *			returns, unseen the longest);
 *	backlog		1/8: what waits for the next state flush (changed
 *			clients and five-fifties, evidence, facts, decisions).
 *			A flush writes every open session again: the backlog
 *			is the larger share, so that this costs less than
 *			what the flush is for.
 *	Outside the limit: the program and SQLite's page cache (16 MiB),
 *	and the batch the state's writer thread is storing (at most the
 *	backlog's share, and the open sessions' copy).
 *	bounds_backlog() is the backlog's size in bytes; scorer_backlog()
 *	says the caller should flush the state now (the daemon and scan do,
 *	so that a batch stays bounded whatever the rate of the log).
 *
 *	The sessions are kept in the order of their last event
 *	(session_used() moves one to the newest end, in O(1)), so that the
 *	session idle the longest is found at once, and scorer_flush() stops
 *	at the first session that is not idle for session_timeout.
 *	session_evict() ends the oldest session and remembers its key and
 *	id (in a small table): when its later lines come, the session they
 *	make is a continuation, not a new session (not a five-fifty retry).
 */
#include <stdlib.h>
#include <string.h>

#include "score_int.h"

/* The estimated bytes of what the tables hold, for the budgets; malloc's
 * own overhead is counted. */
#define SESSION_BYTES	(sizeof(struct session) + 16)
#define DIRTY_BYTES	(sizeof(struct client_mem) + 200)	/* a row */
#define FF_DIRTY_BYTES	(sizeof(struct ff) + 600)

/* bounds_set - the budgets of memory_limit */
void
bounds_set(struct scorer *s)
{
	size_t	lim = s->conf.memory_limit;

	if (lim == 0)
		lim = SCORE_MEMORY_LIMIT;
	s->client_budget = lim / 4 * 3;	/* 12/16 */
	s->max_sessions = lim / 16 / SESSION_BYTES;
	if (s->max_sessions < 16)
		s->max_sessions = 16;
	s->ff_budget = lim / 16;
	s->backlog_budget = lim / 8;
}

/* bounds_backlog - bytes waiting for the next flush */
size_t
bounds_backlog(const struct scorer *s)
{
	return (s->ndirty * DIRTY_BYTES + s->nff_dirty * FF_DIRTY_BYTES +
	    s->npev * sizeof(struct pending_ev) + s->flog.len +
	    (s->ndecisions - s->decisions_saved) *
	    sizeof(struct score_decision));
}

/* scorer_backlog - whether what waits for a flush reached its budget */
int
scorer_backlog(const struct scorer *s)
{
	return (s->track && bounds_backlog(s) >= s->backlog_budget);
}

/* scorer_nsessions - open sessions */
size_t
scorer_nsessions(const struct scorer *s)
{
	return (s->nsessions);
}

/* scorer_nffs - five-fifty entries */
size_t
scorer_nffs(const struct scorer *s)
{
	return (s->nffs);
}

/* session_link - a session at the newest end */
void
session_link(struct scorer *s, struct session *ss)
{
	ss->newer = NULL;
	ss->older = s->newest;
	if (s->newest != NULL)
		s->newest->newer = ss;
	else
		s->oldest = ss;
	s->newest = ss;
}

/* session_unlink - a session out of the order */
void
session_unlink(struct scorer *s, struct session *ss)
{
	if (ss->older != NULL)
		ss->older->newer = ss->newer;
	else
		s->oldest = ss->newer;
	if (ss->newer != NULL)
		ss->newer->older = ss->older;
	else
		s->newest = ss->older;
	ss->older = ss->newer = NULL;
}

/* session_used - a session had an event: the newest */
void
session_used(struct scorer *s, struct session *ss)
{
	if (s->newest == ss)
		return;
	session_unlink(s, ss);
	session_link(s, ss);
}

/* session_evict - end the session idle the longest (table full) */
void
session_evict(struct scorer *s, long long t)
{
	struct session	*ss = s->oldest;
	size_t		 k;

	if (ss == NULL)
		return;
	k = (size_t)(ss->key % TOMB_SLOTS);
	s->tomb[k].key = ss->key;
	s->tomb[k].id = ss->id;
	s->evicted_sessions++;
	session_end(s, ss, t > ss->last ? t : ss->last);
}

/*	$fivefifty: guard.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	guard 3 - what the scorer refuses: far-off log times, protected
 *	networks
 * SYNOPSIS
 *	int	score_clock_suspect(long long t, long long log_now,
 *		    long long wall, double tolerance);
 *	unsigned long long scorer_clock_rejects(const struct scorer *s,
 *		    long long *last);
 *	void	scorer_set_protect(struct scorer *s,
 *		    int (*protects)(void *arg, const struct net_prefix *n),
 *		    void *arg);
 *	int	guard_protected(const struct scorer *s,
 *		    const struct net_prefix *n);
 * DESCRIPTION
 *	score_clock_suspect() is the rule for a line's time t (seconds),
 *	given the log clock log_now (the latest time accepted so far; 0:
 *	none yet) and the wall clock wall: 1 when t is
 *	- in the future of the wall clock by more than tolerance
 *	  (t > wall + tolerance; of the log clock when wall is 0): a stamp
 *	  such as 9999-12-31T23:59:59Z, or a year inferred wrongly. The
 *	  log clock is not the bound once it is ahead of the wall clock:
 *	  forged lines each a tolerance ahead of the last would walk it
 *	  forward without end (and the prune, at the log clock's time,
 *	  would delete the real evidence); or
 *	- behind the log clock by more than tolerance and not within
 *	  tolerance of the wall clock either (t < log_now - tolerance and
 *	  t < wall - tolerance): a stamp such as 1970-01-01, which would
 *	  reset a client's decaying score;
 *	else 0. tolerance <= 0 turns the rule off. A log whose clock is
 *	consistently old (scan of last year's files) passes: each line is
 *	near the one before it. A forward jump that stays within the wall
 *	clock (a log with a gap, a daemon started after days down) passes.
 *	A line near the wall clock always passes, so a log clock poisoned
 *	before this rule existed cannot blind the daemon. A suspect line
 *	is not scored and does not move the log clock (scorer_event()).
 *
 *	scorer_clock_rejects() returns how many lines were refused so, and
 *	the last one's time in *last (when not NULL).
 *
 *	scorer_set_protect() gives the scorer the enforcer's definition of
 *	protected (fw_protects(): loopback, whitelist, this host's own
 *	addresses, and what contains one of them); NULL: none beyond the
 *	scorer's own whitelist. guard_protected() asks it about n (a
 *	client's address, or a prefix, in binary): a protected client or
 *	prefix gets its evidence but never a ban, so that neither the state
 *	nor `list` says banned what the enforcer would refuse.
 * SECURITY
 *	Times come from hostile lines; the rule uses only comparisons.
 */
#include "score_int.h"

/* score_clock_suspect - is t too far from both clocks (see above) */
int
score_clock_suspect(long long t, long long log_now, long long wall,
    double tolerance)
{
	long long	 tol, hi;

	if (tolerance <= 0)
		return (0);
	tol = tolerance > 1e15 ? (long long)1e15 : (long long)tolerance;
	hi = wall > 0 ? wall : log_now;
	if (t > hi && t - hi > tol)
		return (1);
	if (log_now > 0 && t < log_now && log_now - t > tol && t < wall &&
	    wall - t > tol)
		return (1);
	return (0);
}

/* scorer_clock_rejects - lines refused for their time; the last one's */
unsigned long long
scorer_clock_rejects(const struct scorer *s, long long *last)
{
	if (last != NULL)
		*last = s->clock_last;
	return (s->clock_rejects);
}

/* scorer_set_protect - the enforcer's idea of protected */
void
scorer_set_protect(struct scorer *s, int (*protects)(void *,
    const struct net_prefix *), void *arg)
{
	s->protects = protects;
	s->protects_arg = arg;
}

/* guard_protected - would the enforcer refuse n */
int
guard_protected(const struct scorer *s, const struct net_prefix *n)
{
	if (s->protects == NULL)
		return (0);
	return (s->protects(s->protects_arg, n));
}

/*	$fivefifty: breaker.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	breaker 3h - the ban-rate circuit breaker (breaker.c says how)
 * SYNOPSIS
 *	#include "daemon/breaker.h"
 *
 *	struct breaker *breaker_new(int limit);
 *	void	breaker_set_limit(struct breaker *b, int limit);
 *	int	breaker_offer(struct breaker *b, const struct score_decision *d,
 *		    long long now);
 *	int	breaker_release(struct breaker *b, long long now,
 *		    struct score_decision *d);
 *	void	breaker_forget(struct breaker *b, const char *addr,
 *		    int prefix_len);
 *	int	breaker_report(struct breaker *b, long long now);
 *	size_t	breaker_held(const struct breaker *b);
 *	void	breaker_stats(const struct breaker *b,
 *		    struct breaker_stats *st);
 *	void	breaker_free(struct breaker *b);
 * DESCRIPTION
 *	At most ban_rate_limit new automatic bans a minute reach the
 *	enforcer; the rest are held (at most BREAKER_HOLD_MAX) and let
 *	through as the rate falls, when their ban is still running.
 */
#ifndef FIVEFIFTY_BREAKER_H
#define FIVEFIFTY_BREAKER_H

#include <stddef.h>

#include "score/score.h"

#define BREAKER_HOLD_MAX	10000	/* held decisions, at most */

struct breaker_stats {
	int		 open;
	long long	 since;		/* opened at (seconds) */
	size_t		 held;
	unsigned long long dropped;	/* the hold was full */
	unsigned long long expired;	/* ended while held */
	unsigned long long passed;
	int		 limit;
	size_t		 cap;
};

struct breaker;

struct breaker *breaker_new(int);
void	breaker_set_limit(struct breaker *, int);
int	breaker_offer(struct breaker *, const struct score_decision *,
	    long long);
int	breaker_release(struct breaker *, long long, struct score_decision *);
void	breaker_forget(struct breaker *, const char *, int);
int	breaker_report(struct breaker *, long long);
size_t	breaker_held(const struct breaker *);
void	breaker_stats(const struct breaker *, struct breaker_stats *);
void	breaker_free(struct breaker *);

#endif /* FIVEFIFTY_BREAKER_H */

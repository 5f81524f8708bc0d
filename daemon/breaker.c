/*	$fivefifty: breaker.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	breaker 3 - the ban-rate circuit breaker
 * SYNOPSIS
 *	#include "daemon/breaker.h"
 *
 *	struct breaker *breaker_new(int limit);
 *	void	breaker_set_limit(struct breaker *b, int limit);
 *	int	breaker_offer(struct breaker *b,
 *		    const struct score_decision *d, long long now);
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
 *	A local user can write lines into syslog, so a burst of forged
 *	banning lines could put any number of addresses into the kernel
 *	set. The breaker lets at most limit new bans pass in any 60 seconds
 *	(a sliding window of one-second slots); beyond that it is open: the
 *	decisions are held, in order, and let through as the window frees
 *	room. It knows nothing of the scorer, the kernel or the clock: the
 *	caller feeds it decisions with a time (seconds; the daemon gives
 *	the wall clock) and asks what may pass, so it is tested with a fake
 *	clock.
 *
 *	breaker_new() makes one with limit new bans a minute (0: off, all
 *	pass); NULL when memory runs out. breaker_set_limit() changes the
 *	limit (SIGHUP).
 *
 *	breaker_offer() takes a new automatic ban: 1 when it may be
 *	enforced now (counted in the window), 0 when it is held, -1 when
 *	the hold is full (BREAKER_HOLD_MAX decisions) and it is dropped.
 *	While decisions are held, a new one queues behind them.
 *
 *	breaker_release() hands out the oldest held decision that may pass
 *	at now (1, counted in the window), or returns 0 when none may; a
 *	held decision whose ban ended by now is discarded (counted as
 *	expired), one that breaker_forget() named is gone. The caller calls
 *	it until it returns 0, whenever time has passed.
 *
 *	breaker_forget() drops the held decisions about addr/prefix_len:
 *	the ban was lifted meanwhile (unban), or a manual ban replaced it.
 *
 *	breaker_report() returns 1 when it is time to log loudly: the
 *	breaker is open and it has not said so for 60 seconds (at once when
 *	it opens). The breaker closes when nothing is held and the window
 *	has room again.
 *
 *	breaker_held() is how many decisions are held. breaker_stats() fills
 *	st: open (and since when), held, dropped,
 *	expired, passed, limit, the hold's cap.
 * SECURITY
 *	The hold is bounded: at most BREAKER_HOLD_MAX decisions (about
 *	2.4 MB); beyond that new automatic bans are dropped and counted.
 *	A dropped decision stays in the state as the scorer decided it, but
 *	is not enforced. Manual bans never come here.
 */
#include <stdlib.h>
#include <string.h>

#include "breaker.h"

#define WINDOW		60	/* seconds */
#define REPORT_EVERY	60	/* seconds between loud logs */

struct breaker {
	int		 limit;
	long long	 slot_sec[WINDOW];	/* the second of each slot */
	int		 slot_n[WINDOW];	/* bans passed in it */
	struct score_decision *hold;		/* a ring of BREAKER_HOLD_MAX */
	size_t		 head, n;		/* oldest; how many */
	size_t		 dead;			/* of them, forgotten */
	int		 open;
	long long	 since, reported;
	unsigned long long dropped, expired, passed;
};

/* breaker_new - a breaker with limit new bans a minute (0: off) */
struct breaker *
breaker_new(int limit)
{
	struct breaker	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return (NULL);
	b->limit = limit < 0 ? 0 : limit;
	return (b);
}

/* breaker_set_limit - a new limit (0: off) */
void
breaker_set_limit(struct breaker *b, int limit)
{
	b->limit = limit < 0 ? 0 : limit;
}

/* in_window - bans passed in the 60 seconds up to now */
static int
in_window(const struct breaker *b, long long now)
{
	int		i, n = 0;

	for (i = 0; i < WINDOW; i++)
		if (b->slot_sec[i] <= now && now - b->slot_sec[i] < WINDOW)
			n += b->slot_n[i];
	return (n);
}

/* room - may one more ban pass at now */
static int
room(const struct breaker *b, long long now)
{
	return (b->limit == 0 || in_window(b, now) < b->limit);
}

/* count - one ban passed at now */
static void
count(struct breaker *b, long long now)
{
	int		i = (int)(((now % WINDOW) + WINDOW) % WINDOW);

	if (b->slot_sec[i] != now) {
		b->slot_sec[i] = now;
		b->slot_n[i] = 0;
	}
	b->slot_n[i]++;
	b->passed++;
}

/* settle - close when nothing is held and there is room */
static void
settle(struct breaker *b, long long now)
{
	if (b->open && b->n == 0 && room(b, now)) {
		b->open = 0;
		b->since = 0;
		b->reported = 0;
	}
}

/* breaker_offer - a new automatic ban: 1 pass, 0 held, -1 dropped */
int
breaker_offer(struct breaker *b, const struct score_decision *d,
    long long now)
{
	settle(b, now);
	if (b->n == 0 && room(b, now)) {
		count(b, now);
		return (1);
	}
	if (!b->open) {
		b->open = 1;
		b->since = now;
		b->reported = 0;
	}
	if (b->n == BREAKER_HOLD_MAX) {
		b->dropped++;
		return (-1);
	}
	if (b->hold == NULL && (b->hold = calloc(BREAKER_HOLD_MAX,
	    sizeof(*b->hold))) == NULL) {
		b->dropped++;
		return (-1);
	}
	b->hold[(b->head + b->n) % BREAKER_HOLD_MAX] = *d;
	b->n++;
	return (0);
}

/* breaker_release - the oldest held decision that may pass at now */
int
breaker_release(struct breaker *b, long long now, struct score_decision *d)
{
	struct score_decision *h;

	while (b->n > 0) {
		h = &b->hold[b->head];
		if (h->addr[0] != '\0' && h->until <= now)
			b->expired++;
		else if (h->addr[0] == '\0')
			b->dead--;
		if (h->addr[0] == '\0' || h->until <= now) {
			b->head = (b->head + 1) % BREAKER_HOLD_MAX;
			b->n--;
			continue;
		}
		if (!room(b, now))
			return (0);
		*d = *h;
		b->head = (b->head + 1) % BREAKER_HOLD_MAX;
		b->n--;
		count(b, now);
		return (1);
	}
	settle(b, now);
	return (0);
}

/* breaker_forget - the held decisions about addr/prefix_len go */
void
breaker_forget(struct breaker *b, const char *addr, int prefix_len)
{
	struct score_decision *h;
	size_t		 i;

	for (i = 0; i < b->n; i++) {
		h = &b->hold[(b->head + i) % BREAKER_HOLD_MAX];
		if (h->addr[0] != '\0' && h->prefix_len == prefix_len &&
		    strcmp(h->addr, addr) == 0) {
			h->addr[0] = '\0';
			b->dead++;
		}
	}
}

/* breaker_report - time to log loudly (open, not said for a minute) */
int
breaker_report(struct breaker *b, long long now)
{
	if (!b->open || (b->reported != 0 && now - b->reported <
	    REPORT_EVERY))
		return (0);
	b->reported = now;
	return (1);
}

/* breaker_held - decisions held */
size_t
breaker_held(const struct breaker *b)
{
	return (b->n - b->dead);
}

/* breaker_stats - what status shows */
void
breaker_stats(const struct breaker *b, struct breaker_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->open = b->open;
	st->since = b->since;
	st->held = b->n - b->dead;
	st->dropped = b->dropped;
	st->expired = b->expired;
	st->passed = b->passed;
	st->limit = b->limit;
	st->cap = BREAKER_HOLD_MAX;
}

/* breaker_free - release it */
void
breaker_free(struct breaker *b)
{
	if (b == NULL)
		return;
	free(b->hold);
	free(b);
}

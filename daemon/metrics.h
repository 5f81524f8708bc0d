/*	$fivefifty: metrics.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	metrics 3h - the daemon's Prometheus metrics (metrics.c says how)
 * SYNOPSIS
 *	#include "daemon/metrics.h"
 *
 *	void	metrics_event(struct metrics *m, int source,
 *		    const struct pf_event *ev);
 *	void	metrics_ban(struct metrics *m, const struct score_decision *d,
 *		    int line);
 *	void	metrics_acked(struct metrics *m, int ok);
 *	long long metrics_now_us(void);
 *	void	metrics_print(struct daemon *d, FILE *out);
 *	void	metrics_tick(struct daemon *d, long long ms);
 *	void	metrics_status(struct daemon *d, FILE *out);
 *	void	metrics_stop(struct daemon *d);
 * DESCRIPTION
 *	struct metrics is what the daemon counts for the metrics alone; the
 *	rest (bans in force, the firewall, the state, the breaker) is read
 *	where it is kept when the metrics are printed. The loop counts each
 *	line read in lines[source] itself (one increment a line).
 */
#ifndef FIVEFIFTY_METRICS_H
#define FIVEFIFTY_METRICS_H

#include <stdio.h>

#include "parse/parse.h"
#include "score/score.h"

#define METRICS_LE	15	/* bounds of the ban latency histogram */
#define METRICS_RULES	32	/* rules counted by name, the rest "other" */
#define METRICS_RULE_MAX 48	/* bytes of a rule's name */
#define METRICS_PENDING	8	/* reads with bans waiting for the kernel */

struct metrics {
	unsigned long long lines[3];	/* by LOG_SOURCE_FILE, _JOURNAL */
	unsigned long long events[3];
	unsigned long long kinds[PF_EV_COUNT];
	unsigned long long classes[PF_CLASS_COUNT];	/* of the rejects */
	char		 rule[METRICS_RULES][METRICS_RULE_MAX];
	unsigned long long rule_n[METRICS_RULES];
	unsigned long long rule_other;
	int		 nrules;
	unsigned long long lat[METRICS_LE + 1];	/* per bucket */
	double		 lat_sum;		/* seconds */
	long long	 arrival_us;	/* the read being handled (0: none) */
	long long	 pend_at[METRICS_PENDING];	/* its bans, waiting */
	unsigned	 pend_n[METRICS_PENDING];	/* for the kernel */
	int		 npend;
	long long	 next_ms;	/* the next write of metrics_file */
	double		 interval;	/* metrics_interval of that schedule */
	char		 path[1024];	/* the file written ("": none) */
	char		 error[1200];	/* why the last write failed ("") */
};

struct daemon;

void	metrics_event(struct metrics *, int, const struct pf_event *);
void	metrics_ban(struct metrics *, const struct score_decision *, int);
void	metrics_acked(struct metrics *, int);
long long metrics_now_us(void);
void	metrics_print(struct daemon *, FILE *);
void	metrics_tick(struct daemon *, long long);
void	metrics_status(struct daemon *, FILE *);
void	metrics_stop(struct daemon *);

#endif /* FIVEFIFTY_METRICS_H */

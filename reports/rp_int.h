/*	$fivefifty: rp_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	rp_int 3h - the reports' internals: the aggregated period, and the
 *	output helpers every format shares
 * DESCRIPTION
 *	model.c fills struct rp from fact rows; out.c escapes and formats;
 *	helo.c, fivefifties.c, summary.c (its writers one per format:
 *	summary_text.c, summary_html.c, summary_json.c, summary_csv.c; the
 *	nodes of a shared state in each, summary_nodes.c) and mail.c write
 *	the reports.
 */
#ifndef FIVEFIFTY_RP_INT_H
#define FIVEFIFTY_RP_INT_H

#include <stdint.h>
#include <stdio.h>

#include "parse/parse.h"
#include "reports.h"

/* One value of a table (a HELO name, a sender, a client, an hour...). */
struct rp_item {
	struct rp_item	*next;		/* hash chain */
	uint64_t	 h;
	long		 n;		/* rejects (connects for hours) */
	long		 clients;	/* distinct clients */
	long		 class_n[PF_CLASS_COUNT];
	long		 connects, sessions, messages;	/* clients, hours */
	long long	 first, last;
	long long	 hour;		/* hours table */
	char		 key[];
};

struct rp_tab {
	struct rp_item	**b;
	size_t		 nb, n;
	struct rp_item	**sorted;	/* rp_done(): by n, descending */
};

/* A set of 64-bit hashes (distinct clients). */
struct rp_set {
	uint64_t	*v;
	size_t		 cap, n;
};

struct rp_totals {
	long		 connects, sessions, messages, rejects;
	long		 class_n[PF_CLASS_COUNT];
	long		 code_n[1000];
	struct rp_set	 clients;
	long		 bans;		/* new in the period */
};

struct rp_ffrow {
	char		*addr, *name, *reason;
	int		 class;
	long long	 first_t, last_retry, last_seen;
	int		 code;
	long		 retries;
	long		 sessions;	/* in the period (session facts) */
	long long	 banned_until;	/* latest ban's end; 0 none */
	int		 bans;
};

struct rp_banrow {
	char		*addr, *reason;
	int		 prefix_len, n, manual;
	long long	 at, until;
	double		 score;
};

/* A node of a shared state, and its counts in the period (state_nodes()). */
struct rp_noderow {
	char		*name;
	long long	 log_time;
	long		 connects, sessions, messages, rejects;
	long long	 bans;		/* its new bans */
};

struct rp {
	long long	 from, until, prev_from;
	int		 bounded;
	struct rp_tab	 helo, sender, recipient, clients, hours;
	struct rp_tab	 banidx;	/* by address: n bans, hour = the
					 * latest's index (rp_done()) */
	struct rp_set	 pairs;		/* (table, value, client) seen */
	struct rp_item	*last_hour;	/* the hour item used last */
	struct rp_totals cur, prev;
	struct rp_ffrow	*ff;
	size_t		 nff, ff_cap;
	struct rp_banrow *bans;
	size_t		 nbans, bans_cap;
	long long	 data_first, data_last;	/* log times of the facts */
	int		 span;		/* 1: the source's first and last
					 * hours with facts are known (any
					 * period), 0 not, -1 it has none */
	long long	 span_first, span_last;	/* those hours (log time /
						 * 3600) */
	struct rp_noderow *nodes;	/* a shared state's; none: SQLite,
					 * logs */
	size_t		 nnodes, nodes_cap;
};

/* model.c */
void	rp_node(struct rp *, const struct rp_noderow *);
struct rp_item *rp_tab_get(struct rp_tab *, const char *);
struct rp_item *rp_tab_find(const struct rp_tab *, const char *);
int	rp_in_period(const struct rp *, long long);
const struct rp_banrow *rp_latest_ban(const struct rp *, const char *,
	    int *);

/* summary.c: what the per-format writers share */
struct hour {
	long long	 t;		/* start of the hour, or hour of day */
	long		 connects, rejects;
};

extern const char *const sum_total_names[6];

void	sum_totals(const struct rp_totals *, long [6]);
const char *sum_change(long, long, char *, size_t);
size_t	sum_hours(const struct rp *, struct hour *, size_t, int *);
const char *sum_hour_label(const struct hour *, int, char *, size_t);
int	sum_new_ban(const struct rp *, const struct rp_banrow *);
int	sum_no_data(const struct rp *);
void	sum_no_data_note(FILE *, const struct rp *, const char *, int);
int	sum_active_ban(const struct rp_banrow *, const struct rp_opts *);
const struct rp_banrow *sum_next_ban(const struct rp *,
	    const struct rp_opts *, int, size_t *, size_t *);
const char *sum_ban_addr(const struct rp_banrow *, char *, size_t);
const char *sum_ban_of(const struct rp *, const char *,
	    const struct rp_opts *, int *);

/* summary_nodes.c: the nodes of a shared state, in each format */
void	nodes_text(FILE *, const struct rp *);
void	nodes_html(FILE *, const struct rp *);
void	nodes_json(FILE *, const struct rp *);
void	nodes_csv(FILE *, const struct rp *);

/* summary_text.c, summary_html.c, summary_json.c, summary_csv.c */
void	summary_text(FILE *, const struct rp *, const struct rp_opts *);
void	summary_html(FILE *, const struct rp *, const struct rp_opts *);
void	summary_json(FILE *, const struct rp *, const struct rp_opts *);
void	summary_csv(FILE *, const struct rp *, const struct rp_opts *);

/* helo.c */
const char *rp_top_class(const struct rp_item *);
int	rp_values(FILE *, const struct rp_tab *, const char *, const char *,
	    const struct rp_opts *);

/* out.c */
void	out_text(FILE *, const char *, size_t);
void	out_text_end(FILE *, const char *, size_t);
size_t	out_text_width(const char *);
void	out_csv(FILE *, const char *);
void	out_html(FILE *, const char *);
void	out_json(FILE *, const char *);
const char *out_time(long long, char *, size_t);
const char *out_short_time(long long, char *, size_t);
const char *out_iso(long long, char *, size_t);
void	out_period(FILE *, const struct rp *);
const char *out_status(const struct rp_ffrow *, const struct rp_opts *,
	    char *, size_t, int);
size_t	rp_top(const struct rp_opts *, size_t);
void	out_html_head(FILE *, const char *);
void	out_html_tail(FILE *);
void	out_html_period(FILE *, const struct rp *, const char *);

#endif /* FIVEFIFTY_RP_INT_H */

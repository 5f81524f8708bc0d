/*	$fivefifty: reports.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	reports 3h - the postmaster's reports: top rejected HELO names, the
 *	five-fifties table, the daily summary (text, CSV, JSON, HTML, mail)
 * SYNOPSIS
 *	#include "reports/reports.h"
 *
 *	struct rp *rp_new(long long from, long long until);
 *	void	rp_fact(void *rp, const struct score_fact *f);
 *	void	rp_ff(void *rp, const struct score_ff *r);
 *	void	rp_ban(struct rp *rp, const struct score_decision *d);
 *	int	rp_load_state(struct rp *rp, const char *db, const char *node,
 *		    long long *now, char *err, size_t errlen);
 *	void	rp_done(struct rp *rp);
 *	long long rp_last_time(const struct rp *rp);
 *	void	rp_free(struct rp *rp);
 *
 *	int	rp_helo(FILE *fp, struct rp *rp, const struct rp_opts *o);
 *	int	rp_fivefifties(FILE *fp, struct rp *rp, const struct rp_opts *o);
 *	int	rp_summary(FILE *fp, struct rp *rp, const struct rp_opts *o);
 *	int	rp_mail(FILE *fp, struct rp *rp, const struct rp_opts *o,
 *		    const char *to, const char *from);
 *	int	rp_mail_address_ok(const char *addr);
 *	int	rp_sendmail(const char *path, const char *msg, size_t len,
 *		    char *err, size_t errlen);
 * DESCRIPTION
 *	A report is made in two steps. First the facts of a period go into
 *	an rp: rp_new() takes the period [from, until) in seconds, whole
 *	hours (RP_OPEN for an open end); a bounded period also collects the
 *	period of the same length before it, for the summary's change
 *	column. The facts come either from the state database
 *	(rp_load_state(), which also sets *now to the state's log time and,
 *	for a shared state, gives its nodes; node, when not NULL, keeps
 *	what that node saw) or
 *	from a scorer that read the logs (scorer_each_fact() with rp_fact(),
 *	scorer_each_ff() with rp_ff(), and each decision with rp_ban()), the
 *	same rows either way; rp_done() sorts them; rp_last_time() says the
 *	log time of the last fact of the period (0: none). Then a report function
 *	writes one report in o->format. The facts are counted per hour of
 *	log time (score/facts.c), so a report from the state and one from
 *	the same logs agree for any period of whole hours.
 *
 *	rp_mail() writes the summary as a MIME multipart/alternative message
 *	(a text and an HTML part, UTF-8, quoted-printable) with Date,
 *	Message-ID, Subject (host and period) and Auto-Submitted headers.
 *	rp_sendmail() submits a message with "PATH -t -oi" by spawn_run()
 *	(util/spawn.h: a fixed argv, no shell, an environment of MAIL_CONFIG
 *	alone, a timeout) and fails with the reason when it cannot be run,
 *	is killed or exits non-zero.
 * SECURITY
 *	The facts' peer text (HELO names, addresses, reasons) was escaped
 *	and capped when it was counted; every output format escapes it again
 *	for its own syntax (controls never raw in text, RFC 4180 quoting and
 *	no leading formula characters in CSV, JSON string escapes, HTML
 *	entities). No header of the mail holds peer text: the subject is
 *	made of the host name (gethostname(3), or o->host) and times.
 */
#ifndef FIVEFIFTY_REPORTS_H
#define FIVEFIFTY_REPORTS_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "score/score.h"

#define RP_OPEN_FROM	LLONG_MIN
#define RP_OPEN_UNTIL	LLONG_MAX

enum rp_format {
	RP_TEXT = 0,
	RP_CSV,
	RP_JSON,
	RP_HTML,
	RP_POSTFIX		/* fivefifties only: a check_client_access table */
};

struct rp_opts {
	enum rp_format	 format;
	int		 top;		/* rows of each table */
	long long	 now;		/* log time the statuses are taken at */
	const char	*host;		/* the report's host name */
	const char	*source;	/* "state" or "logs" */
	double		 watch;		/* seconds a five-fifty is watched
					 * (fivefifty_window) */
	int		 all;		/* fivefifties: also those that never
					 * came back */
	int		(*skip)(const char *addr);	/* never in a postfix
							 * table; NULL: none */
	int		 compact;	/* text tables without first/last
					 * (the summary's) */
};

struct rp;

struct rp *rp_new(long long, long long);
void	rp_fact(void *, const struct score_fact *);
void	rp_ff(void *, const struct score_ff *);
void	rp_ban(struct rp *, const struct score_decision *);
int	rp_load_state(struct rp *, const char *, const char *, long long *,
	    char *, size_t);
void	rp_done(struct rp *);
void	rp_free(struct rp *);
long long rp_last_time(const struct rp *);

int	rp_helo(FILE *, struct rp *, const struct rp_opts *);
int	rp_fivefifties(FILE *, struct rp *, const struct rp_opts *);
int	rp_summary(FILE *, struct rp *, const struct rp_opts *);
int	rp_mail(FILE *, struct rp *, const struct rp_opts *, const char *,
	    const char *);
int	rp_mail_address_ok(const char *);
int	rp_sendmail(const char *, const char *, size_t, char *, size_t);

#endif /* FIVEFIFTY_REPORTS_H */

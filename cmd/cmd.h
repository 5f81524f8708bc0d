/*	$fivefifty: cmd.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	cmd 3h - the fivefifty command line: subcommands and event output
 * SYNOPSIS
 *	#include "cmd/cmd.h"
 *
 *	extern struct cmd_globals cmd_g;
 *	extern const char NAME_help[];	    (and parse_usage, scan_usage)
 *
 *	int	cmd_parse(int argc, char **argv);
 *	int	cmd_scan(int argc, char **argv);
 *	int	cmd_list(int argc, char **argv);
 *	int	cmd_explain(int argc, char **argv);
 *	int	cmd_run(int argc, char **argv);
 *	int	cmd_ban(int argc, char **argv);
 *	int	cmd_unban(int argc, char **argv);
 *	int	cmd_status(int argc, char **argv);
 *	int	cmd_check(int argc, char **argv);
 *	int	cmd_report(int argc, char **argv);
 *	int	cmd_state(int argc, char **argv);
 *	void	event_json(struct obuf *ob, const struct pf_event *ev);
 *	void	event_text(FILE *fp, const struct pf_event *ev);
 *	void	time_iso(FILE *fp, const struct pf_time *t);
 *
 *	int	cmd_conf(const char *cmd, const char *path, struct ff_conf *c);
 *	const char *cmd_conf_path(const char *path);
 *	void	cmd_conf_overrides(struct ff_conf *c);
 *	int	cmd_mynetworks(struct ff_conf *c);
 *	int	mynetworks_parse(const char *text, struct ff_conf *c,
 *		    int depth);
 *
 *	int	cmd_journal_opt(struct cmd_journal *cj, const char *cmd,
 *		    int ch, const char *arg);
 *	int	cmd_journal_setup(struct cmd_journal *cj, const char *cmd,
 *		    const struct ff_conf *c, struct journal_opts *o);
 *	long long cmd_when(const char *v);
 *	int	report_logs(struct rp *rp, const struct score_conf *c,
 *		    char **files, int nfiles, const struct journal_opts *jo,
 *		    long long lo, long long hi, int rejects_only,
 *		    int threads, long long *now);
 *
 *	long long explain_lifted(struct state *st, const char *addr);
 *	int	explain_covering(struct state *st, long long now,
 *		    const char *what, const char *skip);
 *	int	explain_inside(struct state *st, const struct ff_conf *c,
 *		    long long now, const struct net_prefix *net,
 *		    const char *text);
 *	struct scan_sum *scan_sum_new(void);
 *	void	scan_sum_ban(struct scan_sum *sum,
 *		    const struct score_decision *d);
 *	void	scan_sum_print(struct scan_sum *sum, FILE *fp);
 *	void	scan_sum_free(struct scan_sum *sum);
 * DESCRIPTION
 *	Each cmd_NAME() gets argv with argv[0] = NAME and returns the exit
 *	status. Exit statuses follow sysexits(3): 0 success, 64 usage,
 *	65 bad input data, 66 an input file missing, 70 internal error,
 *	74 I/O error, 78 configuration error.
 *
 *	cmd_g holds the global options, those before COMMAND (main.c fills
 *	it; paths made absolute): -c FILE, --db FILE, --log FILE (up to
 *	CMD_MAX_LOGS), -v. cmd_conf() gives a command its configuration:
 *	the defaults, then the file cmd_conf_path() names, then
 *	cmd_conf_overrides() (--db sets state_db, --log replaces mail_log).
 *	cmd_conf_path() is path (the command's own -c) when not NULL, else
 *	the global -c, else CONF_DEFAULT_PATH when it exists, else NULL (no
 *	file). A daemon that re-reads its file applies the overrides again:
 *	run gives daemon_run() a reader that calls cmd_conf() (daemon.h's
 *	struct daemon_args), so the daemon never reads cmd_g itself.
 *	cmd_mynetworks() and mynetworks_parse() read Postfix's mynetworks
 *	(mynetworks.c).
 *
 *	cmd_journal_opt(), cmd_journal_setup() and cmd_when() are the
 *	journal options of scan and report (journal_opts.c); report_logs()
 *	is report's reading of logs (report_logs.c), parsed on threads
 *	threads when that is more than one (par.h).
 *
 *	What the commands share with the daemon (the enforcer opened with
 *	the state's bans, decisions into it, what is never banned) is in
 *	wire/wire.h; the log run reads, in daemon.h (daemon_log_source()).
 *
 *	explain_lifted(), explain_covering() and explain_inside() are what
 *	explain says of networks (explain_net.c); scan_sum_*() collect the
 *	bans of scan --dry-run and print their summary (scan_summary.c).
 *
 *	event_json() writes one event as one JSON object and a newline;
 *	event_text() as one line of "key=value" words. Peer text is escaped.
 *	time_iso() writes an event's stamp (utc_text() of util/util.h formats
 *	a log time in seconds: bans, evidence).
 */
#ifndef FIVEFIFTY_CMD_H
#define FIVEFIFTY_CMD_H

#include <stdio.h>
#include <sysexits.h>	/* the exit statuses, as fivefifty(8) lists them */

#include "parse/parse.h"

#define FIVEFIFTY_VERSION	"0.1.0"

#define CMD_MAX_LOGS	16	/* CONF_MAX_LOGS of conf/conf.h */

struct cmd_globals {
	const char	*conf;			/* -c FILE, or NULL */
	const char	*db;			/* --db FILE, or NULL */
	const char	*logs[CMD_MAX_LOGS];	/* --log FILE ... */
	int		 nlogs;
	int		 verbose;		/* -v */
};

extern struct cmd_globals cmd_g;

extern const char parse_usage[];
extern const char parse_help[];
extern const char scan_usage[];
extern const char scan_help[];
extern const char list_help[];
extern const char explain_help[];
extern const char run_help[];
extern const char ban_help[];
extern const char unban_help[];
extern const char status_help[];
extern const char check_help[];
extern const char report_help[];
extern const char state_help[];

int	cmd_parse(int, char **);
int	cmd_scan(int, char **);
int	cmd_list(int, char **);
int	cmd_explain(int, char **);
int	cmd_run(int, char **);
int	cmd_ban(int, char **);
int	cmd_unban(int, char **);
int	cmd_status(int, char **);
int	cmd_check(int, char **);
int	cmd_report(int, char **);
int	cmd_state(int, char **);
struct obuf;
void	event_json(struct obuf *, const struct pf_event *);
void	event_text(FILE *, const struct pf_event *);
void	time_iso(FILE *, const struct pf_time *);

struct ff_conf;
int	cmd_conf(const char *, const char *, struct ff_conf *);
const char *cmd_conf_path(const char *);
void	cmd_conf_overrides(struct ff_conf *);
int	cmd_mynetworks(struct ff_conf *);
int	mynetworks_parse(const char *, struct ff_conf *, int);

/* The journal options of scan and report (journal_opts.c). */
#define CMD_MAX_JFILES	64
enum { CJ_JOURNAL = 1000, CJ_DIR, CJ_FILE };
struct cmd_journal {
	int		 on;
	const char	*dir;
	const char	*files[CMD_MAX_JFILES + 1];
	int		 nfiles;
	char		 key[4096];	/* the state's positions row */
};
struct journal_opts;
int	cmd_journal_opt(struct cmd_journal *, const char *, int, const char *);
int	cmd_journal_setup(struct cmd_journal *, const char *,
	    const struct ff_conf *, struct journal_opts *);
long long cmd_when(const char *);
/* Lines between scan's state flushes, and between report --log's closings
 * of idle sessions: one number, so that a report from logs counts what
 * scan stores in a state. */
#define CMD_FLUSH_LINES	200000
struct rp;
struct score_conf;
int	report_logs(struct rp *, const struct score_conf *, char **, int,
	    const struct journal_opts *, long long, long long, int, int,
	    long long *);

/* explain's networks (explain_net.c); scan --dry-run's summary
 * (scan_summary.c) */
struct state;
struct net_prefix;
struct score_decision;
struct scan_sum;
long long explain_lifted(struct state *, const char *);
int	explain_covering(struct state *, long long, const char *, const char *);
int	explain_inside(struct state *, const struct ff_conf *, long long,
	    const struct net_prefix *, const char *);
struct scan_sum *scan_sum_new(void);
void	scan_sum_ban(struct scan_sum *, const struct score_decision *);
void	scan_sum_print(struct scan_sum *, FILE *);
void	scan_sum_free(struct scan_sum *);

#endif /* FIVEFIFTY_CMD_H */

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
 *
 *	int	cmd_parse(int argc, char **argv);
 *	int	cmd_conf(const char *cmd, const char *path, struct ff_conf *c);
 *	const char *cmd_conf_path(const char *path);
 *	void	cmd_conf_overrides(struct ff_conf *c);
 *	void	event_json(FILE *fp, const struct pf_event *ev);
 *	void	event_text(FILE *fp, const struct pf_event *ev);
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
 *	file). A daemon that re-reads its file applies the overrides again.
 *
 *	event_json() writes one event as one JSON object and a newline;
 *	event_text() as one line of "key=value" words. Peer text is escaped.
 *	time_iso() writes an event's stamp; utc_text() formats a log time in
 *	seconds (bans, evidence) as UTC.
 */
#ifndef FIVEFIFTY_CMD_H
#define FIVEFIFTY_CMD_H

#include <stdio.h>

#include "parse/parse.h"

#define EX_OK		0
#define EX_USAGE	64
#define EX_DATAERR	65
#define EX_NOINPUT	66
#define EX_UNAVAILABLE	69
#define EX_SOFTWARE	70
#define EX_IOERR	74
#define EX_CONFIG	78

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
void	event_json(FILE *, const struct pf_event *);
void	event_text(FILE *, const struct pf_event *);
void	time_iso(FILE *, const struct pf_time *);
const char *utc_text(long long, char *, size_t);

struct ff_conf;
struct fw;
struct state;
struct score_decision;
struct net_prefix;
int	cmd_conf(const char *, const char *, struct ff_conf *);
const char *cmd_conf_path(const char *);
void	cmd_conf_overrides(struct ff_conf *);
struct fw *cmd_fw_open(const char *, const struct ff_conf *, struct state *,
	    long long, int *);
struct fw_conf;
void	cmd_protect(struct fw_conf *, const struct ff_conf *);
int	cmd_mynetworks(struct ff_conf *);
const char *cmd_protected_by(const struct ff_conf *, const struct net_prefix *);
int	mynetworks_parse(const char *, struct ff_conf *, int);
int	cmd_fw_decision(struct fw *, const struct score_decision *);
int	cmd_log_source(const struct ff_conf *, long long, char *, size_t);

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
int	cmd_log_file_ok(const char *, char *, size_t);
struct rp;
struct score_conf;
int	report_logs(struct rp *, const struct score_conf *, char **, int,
	    const struct journal_opts *, long long, long long, int,
	    long long *);

#endif /* FIVEFIFTY_CMD_H */

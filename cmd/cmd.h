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
 *	int	cmd_parse(int argc, char **argv);
 *	void	event_json(FILE *fp, const struct pf_event *ev);
 *	void	event_text(FILE *fp, const struct pf_event *ev);
 * DESCRIPTION
 *	Each cmd_NAME() gets argv with argv[0] = NAME and returns the exit
 *	status. Exit statuses follow sysexits(3): 0 success, 64 usage,
 *	65 bad input data, 66 an input file missing, 70 internal error,
 *	74 I/O error.
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

int	cmd_parse(int, char **);
int	cmd_scan(int, char **);
int	cmd_list(int, char **);
int	cmd_explain(int, char **);
int	cmd_run(int, char **);
int	cmd_ban(int, char **);
int	cmd_unban(int, char **);
int	cmd_status(int, char **);
void	event_json(FILE *, const struct pf_event *);
void	event_text(FILE *, const struct pf_event *);
void	time_iso(FILE *, const struct pf_time *);
const char *utc_text(long long, char *, size_t);

struct ff_conf;
struct fw;
struct state;
struct score_decision;
int	cmd_conf(const char *, const char *, struct ff_conf *);
struct fw *cmd_fw_open(const char *, const struct ff_conf *, struct state *,
	    long long, int *);
int	cmd_fw_decision(struct fw *, const struct score_decision *);

#endif /* FIVEFIFTY_CMD_H */

/*	$fivefifty: conf.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	conf 3h - the configuration file, in Postfix's key = value style
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	void	conf_defaults(struct ff_conf *c);
 *	int	conf_load(const char *path, struct ff_conf *c, char *err,
 *		    size_t errlen);
 *	int	conf_load_buf(const char *name, const char *buf, size_t len,
 *		    struct ff_conf *c, char *err, size_t errlen);
 *	void	conf_print(FILE *fp, const struct ff_conf *c);
 *	void	conf_free(struct ff_conf *c);
 *	int	conf_duration(const char *v, double *out);
 * DESCRIPTION
 *	conf_defaults() sets every key to its documented default.
 *	conf_load() reads path over them: "key = value" lines, comments from
 *	'#', and continuation lines that start with whitespace (as in
 *	main.cf). Durations take s, m, h, d or w (seconds without a unit)
 *	and are kept to the microsecond;
 *	lists are separated by commas and/or whitespace (mail_log is such a
 *	list: one to CONF_MAX_LOGS absolute paths). It returns 0, or -1
 *	with "FILE:LINE: what was wrong and what was expected" in err: an
 *	unknown key, a bad value (the expected range included) and a
 *	repeated key are errors, and so is a NUL byte in a line, a line of
 *	4096 bytes or more and a setting (with its continuation lines) of
 *	16384 or more. A UTF-8 byte order mark at the start is skipped.
 *	Numbers and durations are decimal: no 0x or leading-zero prefix,
 *	nothing after the number but a duration's unit. path must be a
 *	regular file of at most CONF_SIZE_MAX bytes: a directory, a FIFO or
 *	a device is an error naming path (it is opened non-blocking, so a
 *	FIFO does not hang the reader). Nothing is checked outside the
 *	file: that user and control_group exist or that the paths do is
 *	for `fivefifty check` and the daemon.
 *	conf_load_buf() is conf_load() on len bytes of text in memory, with
 *	name in place of the path in errors (the fuzzer's entry point).
 *	conf_duration() reads one duration as the file's keys take it (the
 *	command line's --since and ban durations use it too): 0 with the
 *	seconds in *out, or -1.
 *	conf_print() writes every key with its effective value, in a form
 *	conf_load() reads back to the same configuration (durations in the
 *	largest unit that divides them exactly); conf_free() releases what
 *	conf_load() allocated (the name lists).
 * SECURITY
 *	The file is the administrator's; values are checked for range.
 */
#ifndef FIVEFIFTY_CONF_H
#define FIVEFIFTY_CONF_H

#include <stdio.h>

#include "firewall/firewall.h"
#include "score/score.h"

#define CONF_DEFAULT_PATH	"/etc/fivefifty/fivefifty.conf"
#define CONF_MAX_LOGS		16
#define LOG_SOURCE_AUTO		0	/* the files if written lately */
#define LOG_SOURCE_FILE		1
#define LOG_SOURCE_JOURNAL	2
#define CONF_SIZE_MAX		(1024 * 1024)	/* bytes of a configuration */

struct ff_conf {
	struct score_conf score;
	char		 state_db[1024];
	char		 node_name[64];		/* "": the host name */
	char		 state_directory[1024];	/* the daemon's local files
						 * when state_db is a URI */
	int		 outbox_limit;		/* MiB of writes spooled while
						 * PostgreSQL is away */
	char		 mail_log[CONF_MAX_LOGS][1024];	/* followed by run */
	int		 nmail_log;
	int		 log_source;		/* LOG_SOURCE_* */
	char		 journal_match[1024];	/* "": every Postfix */
	char		 journal_directory[1024];	/* "": the system's */
	char		 user[64];		/* run drops to it from root */
	char		 control_socket[1024];	/* run listens, ban etc. talk */
	char		 control_group[64];	/* may control, besides root
						 * ("": root only) */
	double		 manual_ban_time;	/* ban without --for */
	char		 sendmail_path[1024];	/* report summary --mail-to */
	struct fw_conf	 fw;
	int		 ban_rate_limit;	/* new bans a minute; 0: off */
	char		 log_hostname[256];	/* "": lines of any host */
	int		 protect_mynetworks;	/* Postfix's never banned */
	char		 metrics_file[1024];	/* run writes the metrics
						 * there ("": not) */
	double		 metrics_interval;	/* seconds between writes */
	/* Not keys: Postfix's mynetworks as cmd_conf() read them
	 * (cmd/mynetworks.c), and how, for check and status. */
	struct net_prefix mynetworks[NET_LIST_MAX];
	int		 nmynetworks;
	int		 mynetworks_failed;	/* postconf or a pattern */
	char		 mynetworks_note[1024];
};

void	conf_defaults(struct ff_conf *);
int	conf_load(const char *, struct ff_conf *, char *, size_t);
int	conf_load_buf(const char *, const char *, size_t, struct ff_conf *,
	    char *, size_t);
void	conf_print(FILE *, const struct ff_conf *);
void	conf_free(struct ff_conf *);
int	conf_duration(const char *, double *);

#endif /* FIVEFIFTY_CONF_H */

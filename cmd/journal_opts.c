/*	$fivefifty: journal_opts.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	journal_opts 3 - the journal options of scan and report
 * SYNOPSIS
 *	int	cmd_journal_opt(struct cmd_journal *cj, const char *cmd,
 *		    int ch, const char *arg);
 *	int	cmd_journal_setup(struct cmd_journal *cj, const char *cmd,
 *		    const struct ff_conf *c, struct journal_opts *o);
 *	long long cmd_when(const char *v);
 * DESCRIPTION
 *	--journal reads the journal in place of files; --journal-directory
 *	DIR a directory of journal files (default: journal_directory, else
 *	the system journal); --journal-file FILE (repeatable) those files.
 *	cmd_journal_opt() takes one of them (ch is CJ_JOURNAL, CJ_DIR or
 *	CJ_FILE): 0, or EX_USAGE said on stderr. cmd_journal_setup() checks
 *	that they go together and fills o with them, journal_match and the
 *	key of the state's positions row ("journal:DIR", the daemon's too,
 *	so that a scan and the daemon go on from each other; "journal-files:"
 *	and the files' names for --journal-file): 0, or EX_USAGE.
 *
 *	cmd_when() reads a TIME: local YYYY-MM-DD[ HH:MM[:SS]] (or with T),
 *	@SECONDS since the epoch, or a DURATION (7d, 12h) meaning that long
 *	ago; seconds since the epoch, or -1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "conf/conf.h"
#include "tailer/tailer.h"

/* cmd_when - a TIME argument in seconds, or -1 */
long long
cmd_when(const char *v)
{
	static const char *const fmts[] = { "%Y-%m-%d %H:%M:%S",
	    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
	    "%Y-%m-%d", NULL };
	struct tm	 tm;
	const char	*end;
	char		*e;
	double		 d;
	long long	 n;
	int		 i;

	if (v[0] == '@') {
		errno = 0;
		n = strtoll(v + 1, &e, 10);
		return (errno != 0 || e == v + 1 || *e != '\0' || n < 0 ? -1 :
		    n);
	}
	for (i = 0; fmts[i] != NULL; i++) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(v, fmts[i], &tm)) != NULL && *end == '\0') {
			tm.tm_isdst = -1;
			return ((long long)mktime(&tm));
		}
	}
	if (conf_duration(v, &d) == 0 && d <= 3650.0 * 86400)
		return ((long long)time(NULL) - (long long)d);
	return (-1);
}

/* cmd_journal_opt - one journal option */
int
cmd_journal_opt(struct cmd_journal *cj, const char *cmd, int ch,
    const char *arg)
{
	switch (ch) {
	case CJ_JOURNAL:
		cj->on = 1;
		return (0);
	case CJ_DIR:
		if (arg[0] != '/' || strlen(arg) >= 1024) {
			fprintf(stderr, "fivefifty %s: --journal-directory %s: "
			    "expected an absolute path\n", cmd, arg);
			return (EX_USAGE);
		}
		cj->dir = arg;
		cj->on = 1;
		return (0);
	case CJ_FILE:
		if (cj->nfiles == CMD_MAX_JFILES) {
			fprintf(stderr, "fivefifty %s: --journal-file: at most "
			    "%d files (or use --journal-directory)\n", cmd,
			    CMD_MAX_JFILES);
			return (EX_USAGE);
		}
		cj->files[cj->nfiles++] = arg;
		cj->files[cj->nfiles] = NULL;
		cj->on = 1;
		return (0);
	}
	return (EX_USAGE);
}

/* cmd_journal_setup - the journal_opts of the options */
int
cmd_journal_setup(struct cmd_journal *cj, const char *cmd,
    const struct ff_conf *c, struct journal_opts *o)
{
	size_t		n;
	int		i;

	if (cj->dir != NULL && cj->nfiles > 0) {
		fprintf(stderr, "fivefifty %s: --journal-directory or "
		    "--journal-file, not both\n", cmd);
		return (EX_USAGE);
	}
	memset(o, 0, sizeof(*o));
	o->match = c->journal_match;
	if (cj->nfiles > 0) {
		o->files = cj->files;
		o->nfiles = cj->nfiles;
		n = (size_t)snprintf(cj->key, sizeof(cj->key), "journal-files:");
		for (i = 0; i < cj->nfiles && n < sizeof(cj->key); i++)
			n += (size_t)snprintf(cj->key + n, sizeof(cj->key) - n,
			    "%s%s", i ? "," : "", cj->files[i]);
	} else {
		o->directory = cj->dir != NULL ? cj->dir :
		    c->journal_directory;
		snprintf(cj->key, sizeof(cj->key), "journal:%s", o->directory);
	}
	return (0);
}

/*	$fivefifty: log_source.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	log_source 3 - which log run follows: the files or the journal
 * SYNOPSIS
 *	int	daemon_log_source(const struct ff_conf *c, long long now,
 *		    char *why, size_t whylen);
 *	int	source_file_ok(const char *path, char *err, size_t errlen);
 * DESCRIPTION
 *	daemon_log_source() resolves log_source: file and journal are what
 *	they say; auto takes the files when one of mail_log is a file
 *	written in the last AUTO_RECENT seconds (a server with a syslog
 *	daemon writing mail.log), else the journal when there is one
 *	(journal_directory, or the system's /var/log/journal or
 *	/run/log/journal), else the files (waited for). It returns
 *	LOG_SOURCE_FILE or LOG_SOURCE_JOURNAL, and in why the reason, said
 *	by run at start, by status and by check. It is run's choice, made
 *	here for run (source.c) and for check, which says what run would
 *	read; scan and report are told by their options.
 *
 *	source_file_ok() refuses a mail_log that exists and is not a
 *	regular file (a FIFO, a device, standard input): run follows files
 *	by name, and such a path would idle reading nothing. 0, or -1 with
 *	what to do instead in err. A path that does not exist is fine: it
 *	is waited for.
 * SECURITY
 *	Reads only the configuration's paths, with stat(2).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon_int.h"

#define AUTO_RECENT	86400	/* "written recently": a day */

/* age_text - "N minutes" and the like, for why */
static void
age_text(long long s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%lld seconds", s < 0 ? 0 : s);
	else if (s < 7200)
		snprintf(buf, len, "%lld minutes", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, len, "%lld hours", s / 3600);
	else
		snprintf(buf, len, "%lld days", s / 86400);
}

/* journal_exists - a journal to read: the directory named, or the
 * system's (persistent or volatile) */
static const char *
journal_exists(const struct ff_conf *c)
{
	struct stat	sb;

	if (c->journal_directory[0] != '\0')
		return (c->journal_directory);
	if (stat("/var/log/journal", &sb) == 0 && S_ISDIR(sb.st_mode))
		return ("/var/log/journal");
	if (stat("/run/log/journal", &sb) == 0 && S_ISDIR(sb.st_mode))
		return ("/run/log/journal");
	return (NULL);
}

/* daemon_log_source - LOG_SOURCE_FILE or LOG_SOURCE_JOURNAL, and why */
int
daemon_log_source(const struct ff_conf *c, long long now, char *why,
    size_t whylen)
{
	struct stat	 sb;
	const char	*jdir, *stale = NULL;
	long long	 age = 0;
	char		 a[32];
	int		 i;

	if (c->log_source == LOG_SOURCE_FILE) {
		snprintf(why, whylen, "log_source = file");
		return (LOG_SOURCE_FILE);
	}
	if (c->log_source == LOG_SOURCE_JOURNAL) {
		snprintf(why, whylen, "log_source = journal");
		return (LOG_SOURCE_JOURNAL);
	}
	for (i = 0; i < c->nmail_log; i++) {
		if (stat(c->mail_log[i], &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		if (now - (long long)sb.st_mtime <= AUTO_RECENT) {
			age_text(now - (long long)sb.st_mtime, a, sizeof(a));
			snprintf(why, whylen, "log_source = auto: %s was "
			    "written %s ago", c->mail_log[i], a);
			return (LOG_SOURCE_FILE);
		}
		if (stale == NULL) {
			stale = c->mail_log[i];
			age = now - (long long)sb.st_mtime;
		}
	}
	if (stale != NULL)
		age_text(age, a, sizeof(a));
	if ((jdir = journal_exists(c)) != NULL) {
		if (stale != NULL)
			snprintf(why, whylen, "log_source = auto: %s was last "
			    "written %s ago, and there is a journal (%s)",
			    stale, a, jdir);
		else
			snprintf(why, whylen, "log_source = auto: %s%s does "
			    "not exist, and there is a journal (%s)",
			    c->mail_log[0], c->nmail_log > 1 ? " (nor the "
			    "other mail_log files)" : "", jdir);
		return (LOG_SOURCE_JOURNAL);
	}
	if (stale != NULL)
		snprintf(why, whylen, "log_source = auto: %s was last written "
		    "%s ago, but there is no journal (neither "
		    "/var/log/journal nor /run/log/journal)", stale, a);
	else
		snprintf(why, whylen, "log_source = auto: no journal (neither "
		    "/var/log/journal nor /run/log/journal): waiting for %s",
		    c->mail_log[0]);
	return (LOG_SOURCE_FILE);
}

/* source_file_ok - a mail_log run can follow: a regular file, or none
 * yet */
int
source_file_ok(const char *path, char *err, size_t errlen)
{
	struct stat	 sb;
	const char	*what;

	if (stat(path, &sb) == -1 || S_ISREG(sb.st_mode))
		return (0);
	what = S_ISFIFO(sb.st_mode) ? "a FIFO" : S_ISCHR(sb.st_mode) ?
	    "a character device" : S_ISBLK(sb.st_mode) ? "a block device" :
	    S_ISDIR(sb.st_mode) ? "a directory" : S_ISSOCK(sb.st_mode) ?
	    "a socket" : "not a regular file";
	snprintf(err, errlen, "mail_log %s is %s: run follows regular files "
	    "by name (rotations included). For the systemd journal set "
	    "log_source = journal; to read a pipe or standard input once, "
	    "use `fivefifty scan -`", path, what);
	return (-1);
}

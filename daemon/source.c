/*	$fivefifty: source.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	source 3 - the daemon's log: the mail_log files or the journal
 * SYNOPSIS
 *	int	source_open(struct daemon *d);
 *	void	source_start(struct daemon *d);
 *	int	source_fd(const struct daemon *d);
 *	int	source_pending(const struct daemon *d);
 *	int	source_timeout(const struct daemon *d);
 *	int	source_read(struct daemon *d, tail_cb cb, unsigned max);
 *	void	source_positions(struct daemon *d);
 *	void	source_status(const struct daemon *d, FILE *out);
 *	int	source_same(const struct ff_conf *a, const struct ff_conf *b);
 *	int	source_files_ok(const struct ff_conf *c);
 *	void	source_free(struct daemon *d);
 * DESCRIPTION
 *	source_open() resolves log_source (daemon_log_source(): auto takes
 *	the files when one was written lately, else the journal), says which
 *	and why, and opens it from the stored position: the tailer on each
 *	mail_log (each a regular file, or one to wait for), or the journal
 *	(journal_directory, or the system's) with journal_match, after the
 *	stored cursor. The first time, both start at the end: history is
 *	scan's job. -1 when it cannot (said with the object).
 *
 *	source_start() takes the positions reading starts from, for the
 *	first flush; source_positions() takes the journal's cursor of the
 *	last entry delivered before each flush (a file's position comes
 *	with each line). Both go to d->pos, which score_save() commits with
 *	what the lines did: a restart resumes after the last line
 *	processed, and a kill -9 loses nothing and counts nothing twice.
 *
 *	source_fd(), source_pending(), source_timeout() and source_read()
 *	are the tailer's or the journal's, for the loop's poll().
 *	source_same() says whether a reload may keep the open source.
 *	source_files_ok() refuses (and says why) a mail_log that is not a
 *	regular file: run asks before it touches anything, open_files() at
 *	every open. source_status() gives a line per file, "file PATH offset
 *	N size N lag N", or "file waiting for PATH: REASON" while it is not
 *	there (the tailer waits for it).
 * SECURITY
 *	Journal entries carry the same attacker-chosen text as log lines;
 *	they reach the parser as lines, nothing else.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon_int.h"
#include "util/util.h"

/* journal_key - the journal's row in the positions table: its source,
 * so another journal_directory does not take this one's cursor */
static void
journal_key(const struct ff_conf *c, char *key, size_t len)
{
	snprintf(key, len, "journal:%s", c->journal_directory);
}

/* source_files_ok - every mail_log can be followed (a regular file, or
 * none yet); -1, said, when one cannot */
int
source_files_ok(const struct ff_conf *c)
{
	char		err[1400];
	int		i;

	for (i = 0; i < c->nmail_log; i++)
		if (source_file_ok(c->mail_log[i], err, sizeof(err)) == -1) {
			log_errx("%s", err);
			return (-1);
		}
	return (0);
}

/* open_files - follow every mail_log from its stored position */
static int
open_files(struct daemon *d)
{
	struct tail_store store = { wire_tail_load, d->st };
	int		 i;

	if (source_files_ok(d->conf) == -1)
		return (-1);
	if ((d->t = tailer_new()) == NULL) {
		log_warn("inotify");
		return (-1);
	}
	d->npos = d->conf->nmail_log;
	for (i = 0; i < d->npos; i++) {
		/* A copy: a reload frees the configuration it came from. */
		snprintf(d->pos_path[i], sizeof(d->pos_path[i]), "%s",
		    d->conf->mail_log[i]);
		d->pos[i].path = d->pos_path[i];
		d->pos[i].cursor = NULL;
		memset(&d->pos[i].pos, 0, sizeof(d->pos[i].pos));
		(void)state_position(d->st, d->pos[i].path, &d->pos[i].pos);
		/* The first time, from the end: history is scan's job. */
		if (tailer_add_stored(d->t, d->pos[i].path, &store, 0) == -1) {
			log_warn("%s", d->pos[i].path);
			return (-1);
		}
	}
	return (0);
}

/* open_journal - the journal, after the stored cursor */
static int
open_journal(struct daemon *d)
{
	struct journal_opts o;
	struct journal_pos stored;
	struct journal_stats js;
	char		 err[1400];
	int		 have;

	journal_key(d->conf, d->jkey, sizeof(d->jkey));
	if ((have = wire_journal_position(d->st, d->jkey, &stored)) == -1) {
		/* Not "from the newest": that would lose what came since
		 * the stored cursor, and store the loss. */
		log_errx("state database %s: the journal's position cannot "
		    "be read (see above): not starting; start again once the "
		    "database can be read", state_name(d->st));
		return (-1);
	}
	memset(&o, 0, sizeof(o));
	o.directory = d->conf->journal_directory;
	o.match = d->conf->journal_match;
	o.stored = have == 1 ? &stored : NULL;
	o.from_start = 0;	/* the first time, from the end */
	o.file = -1;		/* the position is the cursor, at flush */
	if (have == 1 && stored.cursor[0] == '\0') {
		/* The journal was empty at the first start: everything in
		 * it now came since (or since that time, when known). */
		o.stored = NULL;
		o.from_start = stored.realtime == 0;
		o.since_usec = stored.realtime == 0 ? 0 : stored.realtime + 1;
	}
	if ((d->j = journal_open(&o, err, sizeof(err))) == NULL) {
		log_errx("journal: %s", err);
		return (-1);
	}
	journal_stats(d->j, &js);
	if (have == 1 && stored.cursor[0] == '\0')
		log_info("journal: %s, from its oldest entry (it was empty "
		    "at the last start)", js.source);
	else if (have == 1 && !js.cursor_lost)
		log_info("journal: %s, resuming after the stored cursor",
		    js.source);
	else if (have != 1)
		log_info("journal: %s, from its newest entry (the first "
		    "start: history is `fivefifty scan --journal`'s)",
		    js.source);
	d->npos = 1;
	d->pos[0].path = d->jkey;
	d->pos[0].cursor = NULL;	/* none until there is one */
	memset(&d->pos[0].pos, 0, sizeof(d->pos[0].pos));
	return (0);
}

/* source_open - the files or the journal, as log_source says */
int
source_open(struct daemon *d)
{
	d->source = daemon_log_source(d->conf, time(NULL), d->source_why,
	    sizeof(d->source_why));
	log_info("reading %s (%s)", d->source == LOG_SOURCE_JOURNAL ?
	    "the journal" : "the mail_log files", d->source_why);
	pf_parser_set_reference(d->p, time(NULL));
	return (d->source == LOG_SOURCE_JOURNAL ? open_journal(d) :
	    open_files(d));
}

/* source_positions - the journal's cursor into d->pos, before a flush */
void
source_positions(struct daemon *d)
{
	struct journal_pos jp;

	if (d->j == NULL || journal_position(d->j, &jp) != 1)
		return;
	memcpy(d->jcursor, jp.cursor, sizeof(d->jcursor));
	d->pos[0].cursor = d->jcursor;
	d->pos[0].pos.off = jp.realtime;
}

/* source_start - where reading starts, for the first flush */
void
source_start(struct daemon *d)
{
	struct tail_stats ts;
	int		 i;

	if (d->j != NULL) {
		/* An empty journal has no entry to name: an empty cursor says
		 * "all of it is new", so that a crash before the first entry
		 * does not start again from a later end. */
		d->jcursor[0] = '\0';
		d->pos[0].cursor = d->jcursor;
		d->pos[0].pos.off = 0;
		source_positions(d);
		return;
	}
	for (i = 0; i < d->npos; i++) {
		tailer_stats(d->t, i, &ts);
		if (ts.pos.ino != 0)
			wire_pos(&d->pos[i].pos, &ts.pos);
	}
}

/* source_fd - the descriptor to poll */
int
source_fd(const struct daemon *d)
{
	return (d->j != NULL ? journal_fd(d->j) : tailer_fd(d->t));
}

/* source_pending - lines ready without a new event */
int
source_pending(const struct daemon *d)
{
	return (d->j != NULL ? journal_pending(d->j) : tailer_pending(d->t));
}

/* source_timeout - the longest sleep (-1: none) */
int
source_timeout(const struct daemon *d)
{
	return (d->j != NULL ? journal_timeout(d->j) : tailer_timeout(d->t));
}

/* source_read - up to max lines to cb */
int
source_read(struct daemon *d, tail_cb cb, unsigned max)
{
	return (d->j != NULL ? journal_read(d->j, cb, d, max) :
	    tailer_read(d->t, cb, d, max));
}

/* source_same - a reload keeps the source it has */
int
source_same(const struct ff_conf *a, const struct ff_conf *b)
{
	int		i;

	if (a->log_source != b->log_source || a->nmail_log != b->nmail_log ||
	    strcmp(a->journal_match, b->journal_match) != 0 ||
	    strcmp(a->journal_directory, b->journal_directory) != 0)
		return (0);
	for (i = 0; i < a->nmail_log; i++)
		if (strcmp(a->mail_log[i], b->mail_log[i]) != 0)
			return (0);
	return (1);
}

/* source_status - status lines of the source */
void
source_status(const struct daemon *d, FILE *out)
{
	struct journal_stats js;
	struct tail_stats ts;
	struct stat	 sb;
	char		 u[32];
	int		 i;

	fprintf(out, "log_source %s\nlog_source_reason %s\n", d->source ==
	    LOG_SOURCE_JOURNAL ? "journal" : "file", d->source_why);
	if (d->j != NULL) {
		journal_stats(d->j, &js);
		fprintf(out, "journal %s\njournal_entries %llu\n"
		    "journal_cut %llu\njournal_skipped %llu\n"
		    "journal_last %s\njournal_cursor_lost %s\n", js.source,
		    js.entries, js.cut, js.skipped, d->pos[0].cursor != NULL &&
		    d->pos[0].cursor[0] != '\0' ? utc_text((long long)
		    (d->pos[0].pos.off / 1000000), u, sizeof(u)) : "-",
		    js.cursor_lost ? "yes" : "no");
		return;
	}
	for (i = 0; i < d->npos; i++) {
		tailer_stats(d->t, i, &ts);
		if (stat(d->pos[i].path, &sb) == -1) {
			/* The tailer waits for it: said so, not "size -1". */
			fprintf(out, "file waiting for %s: %s\n",
			    d->pos[i].path, strerror(errno));
			continue;
		}
		/* Reading a rotated file still: the new one is all to come
		 * (and what is left of the old, not counted). */
		fprintf(out, "file %s offset %llu size %lld lag %lld\n",
		    d->pos[i].path, ts.pos.off, (long long)sb.st_size,
		    sb.st_ino == ts.pos.ino ?
		    (long long)sb.st_size - (long long)ts.pos.off :
		    (long long)sb.st_size);
	}
}

/* source_free - close the source */
void
source_free(struct daemon *d)
{
	tailer_free(d->t);
	d->t = NULL;
	if (d->j != NULL)
		journal_free(d->j);
	d->j = NULL;
}

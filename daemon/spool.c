/*	$fivefifty: spool.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	spool 3 - the manual bans and unbans on disk before the state has them
 * SYNOPSIS
 *	struct spool *spool_open(const char *path, char *err, size_t errlen);
 *	int	spool_read(struct spool *sp, long long after,
 *		    int (*fn)(void *, const struct spool_entry *), void *arg);
 *	long long spool_append(struct spool *sp, struct spool_entry *e,
 *		    char *err, size_t errlen);
 *	void	spool_stored(struct spool *sp, long long seq);
 *	long long spool_unstored(const struct spool *sp, long long stored);
 *	void	spool_close(struct spool *sp);
 * DESCRIPTION
 *	An administrator's ban or unban is answered at once, but the state
 *	stores it with the next flush, and while the state cannot be written
 *	(a lock, a full disk) it waits in memory: a kill would lose it, and
 *	the next start would reconcile the kernel set with a state that
 *	never heard of it. So each one is first appended to this spool, a
 *	file next to the state database, and synced; it has a number (seq),
 *	and the state stores the number of the last one it has in the same
 *	transaction as the action (meta manual_seq). At start, the entries
 *	after that number are applied again; once the state has them all,
 *	the file is emptied.
 *
 *	One entry per line, written by this file only:
 *	    SEQ ban NET AT UNTIL REASON
 *	    SEQ unban NET AT
 *	(NET as the control socket's decoder gave it, times in epoch
 *	seconds, REASON printable ASCII, possibly empty or with spaces).
 *
 *	spool_open() opens (creating, mode 0600) the spool at path; NULL and
 *	err (naming the path and what to do) when it is not a regular file
 *	or cannot be opened. spool_read() hands fn the entries numbered
 *	after after, in order; it returns how many, and remembers the
 *	highest number seen so that spool_append() numbers on from it.
 *	spool_append() numbers e (e->seq), appends and syncs it; the number,
 *	or -1 and err when it cannot be written (the action still goes on:
 *	only its survival across a kill before the next flush is lost).
 *	spool_stored() says the state has stored every entry up to seq: when
 *	that is the last, the file is emptied. spool_unstored() is how many
 *	entries the state does not have yet.
 * SECURITY
 *	The file is in the state's directory, owned by the daemon's user;
 *	it is never followed through a symbolic link. Lines that do not
 *	parse (a crash in the middle of a write leaves a last line without
 *	its newline) are skipped with a warning naming the file and line; a
 *	cut last line (never answered) is removed, so that the next entry
 *	starts a line of its own. It holds at most SPOOL_MAX bytes: beyond
 *	that an append fails. It survives kills: the state's commit is
 *	synced only as SQLite's synchronous = NORMAL does (a power loss may
 *	take back the last commits), so after a power loss a manual action
 *	whose commit was lost after the spool was emptied is lost too.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_int.h"
#include "util/util.h"

#define SPOOL_MAX	(4 << 20)	/* bytes: about 40,000 actions */
#define SPOOL_LINE	256
#define SPOOL_SEQ_MAX	(1LL << 53)	/* no entry number beyond it */

struct spool {
	int		 fd;
	char		*path;
	long long	 last;		/* the highest number written or read */
	long long	 stored;	/* the state has up to this one */
	off_t		 size;
};

/* spool_open - the spool at path, created when missing */
struct spool *
spool_open(const char *path, char *err, size_t errlen)
{
	struct spool	*sp;
	struct stat	 sb;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK, 0600)) == -1) {
		snprintf(err, errlen, "manual ban spool %s: %s (it lives next "
		    "to state_db; check that directory)", path,
		    strerror(errno));
		return (NULL);
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "manual ban spool %s: not a regular file "
		    "(remove it, or move state_db)", path);
		close(fd);
		return (NULL);
	}
	if ((sp = calloc(1, sizeof(*sp))) == NULL ||
	    (sp->path = strdup(path)) == NULL) {
		free(sp);
		close(fd);
		snprintf(err, errlen, "manual ban spool %s: out of memory",
		    path);
		return (NULL);
	}
	sp->fd = fd;
	sp->size = sb.st_size;
	return (sp);
}

/* number - a decimal number ending at a space or the end; -1 if none */
static int
number(char **p, long long *v)
{
	char		*end;

	if (**p < '0' || **p > '9')
		return (-1);
	errno = 0;
	*v = strtoll(*p, &end, 10);
	if (errno != 0 || (*end != ' ' && *end != '\0'))
		return (-1);
	*p = *end == ' ' ? end + 1 : end;
	return (0);
}

/* parse_line - one line (without its newline) into e; -1 if malformed */
static int
parse_line(char *line, struct spool_entry *e)
{
	char		*p = line, *sp;
	size_t		 n;

	memset(e, 0, sizeof(*e));
	if (number(&p, &e->seq) == -1 || e->seq <= 0 || e->seq > SPOOL_SEQ_MAX)
		return (-1);
	if (strncmp(p, "ban ", 4) == 0)
		p += 4;
	else if (strncmp(p, "unban ", 6) == 0) {
		p += 6;
		e->unban = 1;
	} else
		return (-1);
	if ((sp = strchr(p, ' ')) == NULL || (n = (size_t)(sp - p)) == 0 ||
	    n >= sizeof(e->net))
		return (-1);
	memcpy(e->net, p, n);
	p = sp + 1;
	if (number(&p, &e->at) == -1)
		return (-1);
	if (e->unban)
		return (*p == '\0' ? 0 : -1);
	if (number(&p, &e->until) == -1 || e->until <= e->at)
		return (-1);
	for (n = 0; p[n] != '\0'; n++)
		if ((unsigned char)p[n] < 0x20 || p[n] == 0x7f)
			return (-1);
	snprintf(e->reason, sizeof(e->reason), "%s", p);
	return (0);
}

/* spool_read - the entries numbered after after, in order, to fn */
int
spool_read(struct spool *sp, long long after, int (*fn)(void *,
    const struct spool_entry *), void *arg)
{
	struct spool_entry e;
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	off_t		 whole = 0;	/* bytes up to the last newline */
	int		 lineno = 0, n = 0, fd;

	sp->stored = after;
	if (sp->last < after)
		sp->last = after;
	if ((fd = dup(sp->fd)) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    (f = fdopen(fd, "r")) == NULL) {
		log_warn("manual ban spool %s: cannot read it", sp->path);
		if (fd != -1)
			close(fd);
		return (-1);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] != '\n') {
			/* Cut by a crash while it was written: it was never
			 * answered. Cut off, so the next entry starts on a
			 * line of its own. */
			log_warnx("manual ban spool %s: line %d is incomplete "
			    "(cut by a crash while it was written): removed",
			    sp->path, lineno);
			break;
		}
		whole += len;
		line[len - 1] = '\0';
		if ((size_t)len - 1 != strlen(line) || len > SPOOL_LINE + 64 ||
		    parse_line(line, &e) == -1) {
			log_warnx("manual ban spool %s: line %d is not an entry "
			    "this daemon wrote: skipped", sp->path, lineno);
			continue;
		}
		if (e.seq > sp->last)
			sp->last = e.seq;
		if (e.seq <= after)
			continue;	/* the state has it */
		n++;
		if (fn(arg, &e) == -1)
			break;
	}
	free(line);
	fclose(f);
	if (whole < sp->size) {
		if (ftruncate(sp->fd, whole) == -1)
			log_warn("manual ban spool %s: cannot remove its cut last "
			    "line", sp->path);
		else
			sp->size = whole;
	}
	return (n);
}

/* spool_append - number e, append it and sync; its number or -1 */
long long
spool_append(struct spool *sp, struct spool_entry *e, char *err,
    size_t errlen)
{
	char		 line[SPOOL_LINE + 64], reason[sizeof(e->reason)];
	ssize_t		 w;
	int		 len;

	reason_clean(reason, sizeof(reason), e->reason, sizeof(e->reason),
	    REASON_PRINTABLE);
	if (sp->last >= SPOOL_SEQ_MAX) {
		snprintf(err, errlen, "manual ban spool %s: numbers used up "
		    "(remove the file while fivefifty is stopped)", sp->path);
		return (-1);
	}
	e->seq = sp->last + 1;
	if (e->unban)
		len = snprintf(line, sizeof(line), "%lld unban %s %lld\n",
		    e->seq, e->net, e->at);
	else
		len = snprintf(line, sizeof(line), "%lld ban %s %lld %lld %s\n",
		    e->seq, e->net, e->at, e->until, reason);
	if (len < 0 || (size_t)len >= sizeof(line) || strchr(e->net, ' ') !=
	    NULL || e->net[0] == '\0') {
		snprintf(err, errlen, "manual ban spool %s: the entry does not "
		    "fit a line", sp->path);
		return (-1);
	}
	if (sp->size + len > SPOOL_MAX) {
		snprintf(err, errlen, "manual ban spool %s: full (%d bytes of "
		    "actions the state has not stored yet; see fivefifty "
		    "status)", sp->path, SPOOL_MAX);
		return (-1);
	}
	if ((w = write(sp->fd, line, (size_t)len)) != len) {
		snprintf(err, errlen, "manual ban spool %s: %s", sp->path,
		    w == -1 ? strerror(errno) : "short write (disk full?)");
		if (w > 0 && ftruncate(sp->fd, sp->size) == -1)
			log_warn("manual ban spool %s: cannot take back a "
			    "partial line", sp->path);
		return (-1);
	}
	sp->size += len;
	sp->last = e->seq;	/* written: its number is taken */
	if (fdatasync(sp->fd) == -1) {
		snprintf(err, errlen, "manual ban spool %s: sync: %s",
		    sp->path, strerror(errno));
		return (-1);
	}
	return (e->seq);
}

/* spool_stored - the state has every entry up to seq: empty the file
 * when that is all of them */
void
spool_stored(struct spool *sp, long long seq)
{
	if (seq > sp->stored)
		sp->stored = seq;
	if (sp->stored < sp->last || sp->size == 0)
		return;
	if (ftruncate(sp->fd, 0) == -1) {
		log_warn("manual ban spool %s: cannot empty it (its entries "
		    "are stored and will be skipped)", sp->path);
		return;
	}
	sp->size = 0;
}

/* spool_unstored - entries the state does not have yet */
long long
spool_unstored(const struct spool *sp, long long stored)
{
	return (sp->last > stored ? sp->last - stored : 0);
}

/* spool_close - close the spool (its file stays) */
void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	close(sp->fd);
	free(sp->path);
	free(sp);
}

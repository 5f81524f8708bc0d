/*	$fivefifty: journal.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	journal 3 - the systemd journal as log lines, through sd-journal
 * SYNOPSIS
 *	See tailer.h ("Journal source").
 * DESCRIPTION
 *	journal_open() opens the system journal (system services and the
 *	kernel of this machine: SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM,
 *	where Postfix logs), a directory of journal files, or a list of
 *	journal files, and first checks with open(2) that what it will read
 *	is there and readable: sd-journal skips a file it cannot open
 *	without a word, and a follower would then wait forever.
 *
 *	The match is journalctl's syntax in one string: whitespace-separated
 *	FIELD=value terms, all of which an entry must have, and "+" (a term
 *	of its own) between alternatives. Terms of one field in one
 *	alternative are alternatives too (sd-journal's rule). A value cannot
 *	hold whitespace. FIELD is what the journal allows: upper-case
 *	letters, digits and '_', not starting with a digit nor with "__"
 *	(those are addresses, not fields), at most 64 bytes.
 *
 *	Placement, in this order:
 *	- a stored position: seek to its cursor and step onto it; when the
 *	  entry there is that cursor's, reading goes on after it. Otherwise
 *	  (vacuumed, in a file rotated away, no longer matched) it is lost:
 *	  a warning names the cursor's time and reading starts at the oldest
 *	  entry after that time (seek_realtime_usec(time + 1));
 *	- since_usec: at the first entry at or after it;
 *	- from_start: at the oldest entry;
 *	- else after the newest entry, which journal_position() then names,
 *	  so a follower that commits at once starts there next time. When no
 *	  entry matches yet, at the oldest: every entry that comes is new.
 *	  (sd-journal's tail is no place to wait at: once entries arrive, the
 *	  next step from the tail lands on the newest of them, not the
 *	  first; test_journal_placement fails without this.)
 *
 *	An entry becomes "STAMP HOST IDENT[PID]: MESSAGE", the shape of a
 *	syslog line with an RFC 3339 stamp (local time, microseconds, offset
 *	+HH:MM), which the parser reads like any other. MESSAGE is kept
 *	byte for byte (NUL and control bytes are data: the line goes out
 *	with its length) except CR and LF, which become spaces, as in a text
 *	log where the line ends there; it is cut at LINES_MAX_DEFAULT bytes.
 *	HOST and IDENT are one word each: whitespace and control bytes in
 *	them become '_', a missing one is "-", and each is at most 255 bytes
 *	(the parser's limit). A PID that is not 1-10 digits is no PID.
 *	An entry without MESSAGE is skipped (counted in skipped).
 *
 *	The line is built in one buffer allocated at open, from one pass
 *	over the entry's fields (sd_journal_get_data() walks them again for
 *	each field asked for: 1.6 times slower, measured on 200,000
 *	entries of 25 fields); the stamp's date, hour and offset are
 *	computed once per minute. No allocation per entry: the cursor is
 *	asked for by journal_position(), and once by a journal_read() that
 *	follows one that moved, before it lets sd-journal take in changes.
 *
 *	journal_position() names the last entry read: the one just
 *	delivered, or a skipped one after it (reading goes on after that
 *	too, so committing it loses nothing). That is sd-journal's current
 *	entry, which stays when sd_journal_next() finds nothing more
 *	(test_journal_resume holds it to that) and when its file is renamed
 *	by a rotation (sd-journal 252), but is gone when its file is
 *	deleted (vacuumed while we read): then the copy taken before the
 *	change answers (test_journal_rotate).
 * SECURITY
 *	Entries are hostile text: any byte may be in any field. The line
 *	keeps its shape whatever they hold (HOST and IDENT are single words,
 *	MESSAGE has no line ends), and its length is bounded. Any local
 *	process can send an entry with SYSLOG_FACILITY=2 and
 *	SYSLOG_IDENTIFIER=postfix/smtpd, as it can with syslog(3); the
 *	trusted fields (_UID, _SYSTEMD_UNIT, _TRANSPORT) are set by journald
 *	and a match on them is the defence (README, "Forged log lines").
 *	Reading the system journal needs the systemd-journal or adm group
 *	(or root), and not only at open: sd-journal opens the files journald
 *	starts later (rotation) as they appear, with the process's ids of
 *	then. Nothing is written.
 * DIAGNOSTICS
 *	journal_open() fails with the object (the system journal, a
 *	directory, a file, a match term) and what to do in err.
 *	journal_read() logs a failing journal with log_warnx() and returns
 *	-1. A lost cursor is one log_warnx(), and so is a journal file that
 *	cannot be read among others that can.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>

#include "tailer.h"
#include "util/util.h"

#define WORD_MAX	255	/* HOST, IDENT: the parser's limit */
#define STAMP_LEN	32	/* 2026-11-21T13:16:01.123456+00:00 */
#define PID_MAX_DIGITS	10
/* "STAMP HOST IDENT[PID]: " at its longest */
#define PREFIX_MAX	(STAMP_LEN + 1 + WORD_MAX + 1 + WORD_MAX + \
			 1 + PID_MAX_DIGITS + 3)
#define LINE_MAX_LEN	(PREFIX_MAX + LINES_MAX_DEFAULT)
#define FIELD_NAME_MAX	64	/* the journal's limit */
#define GROUP_HINT	"add the user fivefifty runs as to the " \
			"systemd-journal or adm group"

struct journal {
	sd_journal	*sdj;
	int		 fd;		/* sd_journal_get_fd() */
	int		 file;		/* tail_line.file */
	int		 pending;	/* the last read stopped at max */
	int		 moved;		/* an entry was read since placement */
	int		 placed_ok;	/* placed: the entry reading follows */
	struct journal_pos placed;
	int		 last_ok;	/* last: the entry read last */
	struct journal_pos last;
	struct journal_stats st;
	char		*line;		/* LINE_MAX_LEN bytes */
	long long	 stamp_min;	/* minute the cached parts are for */
	char		 stamp_day[17];	/* "2026-11-21T13:16:" */
	char		 stamp_off[6];	/* "+00:00" */
};

static int	match_parse(const char *, sd_journal *, char *, size_t);

/* is_space - a separator of match terms */
static int
is_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v');
}

/* term_check - is the term t (len bytes) FIELD=value; why not in err */
static int
term_check(const char *t, size_t len, char *err, size_t errlen)
{
	const char	*eq;
	size_t		 n, i;
	int		 tl = len > 80 ? 80 : (int)len;

	if ((eq = memchr(t, '=', len)) == NULL) {
		snprintf(err, errlen, "term \"%.*s\" is not FIELD=value", tl,
		    t);
		return (-1);
	}
	n = (size_t)(eq - t);
	if (n == 0) {
		snprintf(err, errlen, "term \"%.*s\" has no field name before "
		    "'='", tl, t);
		return (-1);
	}
	if (n > FIELD_NAME_MAX) {
		snprintf(err, errlen, "term \"%.*s\": the field name is longer "
		    "than %d bytes", tl, t, FIELD_NAME_MAX);
		return (-1);
	}
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') || t[i] == '_' ||
		    (t[i] >= '0' && t[i] <= '9'))) {
			snprintf(err, errlen, "term \"%.*s\": a field name has "
			    "only upper-case letters, digits and '_'", tl, t);
			return (-1);
		}
	if (t[0] >= '0' && t[0] <= '9') {
		snprintf(err, errlen, "term \"%.*s\": a field name does not "
		    "start with a digit", tl, t);
		return (-1);
	}
	if (n >= 2 && t[0] == '_' && t[1] == '_') {
		snprintf(err, errlen, "term \"%.*s\": fields starting with "
		    "\"__\" (cursor, time stamps) cannot be matched", tl, t);
		return (-1);
	}
	return (0);
}

/* match_parse - check match and, with sdj, add its terms to sdj */
static int
match_parse(const char *match, sd_journal *sdj, char *err, size_t errlen)
{
	const char	*p, *t;
	size_t		 len;
	int		 terms = 0, plus = 0, r;

	if (strlen(match) >= JOURNAL_MATCH_MAX) {
		snprintf(err, errlen, "the match is longer than %d bytes",
		    JOURNAL_MATCH_MAX - 1);
		return (-1);
	}
	for (p = match;; p = t + len) {
		while (is_space(*p))
			p++;
		if (*p == '\0')
			break;
		t = p;
		for (len = 0; t[len] != '\0' && !is_space(t[len]); len++)
			continue;
		if (len == 1 && *t == '+') {
			if (terms == 0) {
				snprintf(err, errlen, "a \"+\" with no term "
				    "before it");
				return (-1);
			}
			if (sdj != NULL &&
			    (r = sd_journal_add_disjunction(sdj)) < 0) {
				snprintf(err, errlen, "\"+\": %s",
				    strerror(-r));
				return (-1);
			}
			terms = 0;
			plus = 1;
			continue;
		}
		if (term_check(t, len, err, errlen) == -1)
			return (-1);
		if (sdj != NULL &&
		    (r = sd_journal_add_match(sdj, t, len)) < 0) {
			snprintf(err, errlen, "term \"%.*s\": %s",
			    len > 80 ? 80 : (int)len, t, strerror(-r));
			return (-1);
		}
		terms++;
		plus = 0;
	}
	if (plus) {
		snprintf(err, errlen, "a \"+\" with no term after it");
		return (-1);
	}
	return (0);
}

/* journal_match_check - is match valid journal match syntax */
int
journal_match_check(const char *match, char *err, size_t errlen)
{
	if (match == NULL)
		return (0);
	return (match_parse(match, NULL, err, errlen));
}

/* stamp_text - usec as RFC 3339 local time with microseconds into buf */
static void
stamp_text(unsigned long long usec, char *buf, size_t len)
{
	struct tm	tm;
	time_t		sec = (time_t)(usec / 1000000);
	long		off;

	if (localtime_r(&sec, &tm) == NULL) {
		snprintf(buf, len, "@%llu", usec);
		return;
	}
	off = tm.tm_gmtoff;
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06llu%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, usec % 1000000, off < 0 ? '-' : '+',
	    (off < 0 ? -off : off) / 3600, (off < 0 ? -off : off) / 60 % 60);
}

/* two - two decimal digits of v at p */
static char *
two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return (p + 2);
}

/* put_stamp - the entry's stamp at p; the minute's parts are cached */
static char *
put_stamp(struct journal *j, char *p, unsigned long long usec)
{
	struct tm	tm;
	time_t		sec = (time_t)(usec / 1000000);
	long		off;
	unsigned	u = (unsigned)(usec % 1000000), i;
	char	       *q;

	if ((long long)(sec / 60) != j->stamp_min) {
		if (localtime_r(&sec, &tm) == NULL || tm.tm_year < -1900 ||
		    tm.tm_year + 1900 > 9999) {
			memset(&tm, 0, sizeof(tm));	/* no date: the epoch */
			tm.tm_year = 70;
			tm.tm_mday = 1;
		}
		off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
		q = two(j->stamp_day, (unsigned)(tm.tm_year + 1900) / 100);
		q = two(q, (unsigned)(tm.tm_year + 1900));
		*q++ = '-';
		q = two(q, (unsigned)tm.tm_mon + 1);
		*q++ = '-';
		q = two(q, (unsigned)tm.tm_mday);
		*q++ = 'T';
		q = two(q, (unsigned)tm.tm_hour);
		*q++ = ':';
		q = two(q, (unsigned)tm.tm_min);
		*q = ':';
		j->stamp_off[0] = tm.tm_gmtoff < 0 ? '-' : '+';
		q = two(j->stamp_off + 1, (unsigned)(off / 3600));
		*q++ = ':';
		two(q, (unsigned)(off / 60 % 60));
		/* An offset of whole minutes turns the minute over with UTC's;
		 * any other (old LMT) is computed every time. */
		j->stamp_min = off % 60 == 0 ? (long long)(sec / 60) : -1;
		if (off % 60 != 0)
			sec = tm.tm_sec;
		else
			sec = sec % 60;
	} else
		sec = sec % 60;
	memcpy(p, j->stamp_day, 17);
	p = two(p + 17, (unsigned)sec);
	*p++ = '.';
	for (i = 6; i > 0; i--) {
		p[i - 1] = (char)('0' + u % 10);
		u /= 10;
	}
	p += 6;
	memcpy(p, j->stamp_off, 6);
	return (p + 6);
}

/* put_word - a value as one word of at most WORD_MAX bytes, or "-" */
static char *
put_word(char *p, const char *v, size_t len)
{
	size_t		i;

	if (len == 0) {
		*p = '-';
		return (p + 1);
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		p[i] = c <= ' ' || c == 0x7f ? '_' : (char)c;
	}
	return (p + len);
}

/* pid_ok - is v (len bytes) a pid: 1-10 digits */
static int
pid_ok(const char *v, size_t len)
{
	size_t		i;

	if (len == 0 || len > PID_MAX_DIGITS)
		return (0);
	for (i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return (0);
	return (1);
}

/* take - when the field d (l bytes) is name (nlen bytes, with its '='),
 * copy at most cap bytes of its value to dst and say 1; when pid, only a
 * value that is a pid */
static int
take(const char *d, size_t l, const char *name, size_t nlen, char *dst,
    size_t cap, size_t *len, int pid)
{
	if (l < nlen || memcmp(d, name, nlen) != 0)
		return (0);
	if (pid && !pid_ok(d + nlen, l - nlen))
		return (1);
	*len = l - nlen > cap ? cap : l - nlen;
	memcpy(dst, d + nlen, *len);
	return (1);
}

#define TAKE(d, l, n, dst, len, pid)	\
	take((d), (l), (n), sizeof(n) - 1, (dst), sizeof(dst), (len), (pid))

/* build_line - the current entry as a line in j->line; its length, or 0
 * when the entry has no MESSAGE */
static size_t
build_line(struct journal *j)
{
	char		 host[WORD_MAX], ident[WORD_MAX], comm[WORD_MAX];
	char		 pid[PID_MAX_DIGITS], xpid[PID_MAX_DIGITS];
	size_t		 hostlen = 0, identlen = 0, commlen = 0, pidlen = 0;
	size_t		 xpidlen = 0, msglen = 0, l, i;
	char		*p = j->line, *msg = j->line + PREFIX_MAX, c;
	const char	*d;
	const void	*data;
	uint64_t	 usec;
	int		 has_msg = 0;

	/* One pass over the entry's fields (sd_journal_get_data() per field
	 * walks them again each time: 1.6 times slower here). A value lives
	 * in a window the next call may move: each is copied at once, the
	 * message to its place after the longest prefix. */
	SD_JOURNAL_FOREACH_DATA(j->sdj, data, l) {
		d = data;
		if (l >= 8 && memcmp(d, "MESSAGE=", 8) == 0) {
			has_msg = 1;
			msglen = l - 8;
			for (i = 0; i < msglen && i < LINES_MAX_DEFAULT; i++) {
				c = d[8 + i];
				msg[i] = c == '\n' || c == '\r' ? ' ' : c;
			}
		} else if (TAKE(d, l, "_HOSTNAME=", host, &hostlen, 0) ||
		    TAKE(d, l, "SYSLOG_IDENTIFIER=", ident, &identlen, 0) ||
		    TAKE(d, l, "SYSLOG_PID=", pid, &pidlen, 1) ||
		    TAKE(d, l, "_COMM=", comm, &commlen, 0) ||
		    TAKE(d, l, "_PID=", xpid, &xpidlen, 1))
			continue;
	}
	if (!has_msg)
		return (0);
	if (msglen > LINES_MAX_DEFAULT) {
		msglen = LINES_MAX_DEFAULT;
		j->st.cut++;
	}
	if (sd_journal_get_realtime_usec(j->sdj, &usec) < 0)
		usec = 0;
	p = put_stamp(j, p, usec);
	*p++ = ' ';
	p = put_word(p, host, hostlen);
	*p++ = ' ';
	p = identlen > 0 ? put_word(p, ident, identlen) :
	    put_word(p, comm, commlen);
	if (pidlen > 0 || xpidlen > 0) {
		*p++ = '[';
		memcpy(p, pidlen > 0 ? pid : xpid, pidlen > 0 ? pidlen :
		    xpidlen);
		p += pidlen > 0 ? pidlen : xpidlen;
		*p++ = ']';
	}
	*p++ = ':';
	*p++ = ' ';
	memmove(p, msg, msglen);
	return ((size_t)(p + msglen - j->line));
}

/* check_file - can path be read; 0, or -1 with what to do in err */
static int
check_file(const char *path, char *err, size_t errlen)
{
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) != -1) {
		close(fd);
		return (0);
	}
	if (errno == EACCES || errno == EPERM)
		snprintf(err, errlen, "cannot read the journal file %s: %s: %s",
		    path, strerror(errno), GROUP_HINT);
	else if (errno == ENOENT)
		snprintf(err, errlen, "the journal file %s does not exist "
		    "(check the path)", path);
	else
		snprintf(err, errlen, "cannot open the journal file %s: %s",
		    path, strerror(errno));
	return (-1);
}

/* journal_name - does name look like a journal file (of the system's,
 * when sys) */
static int
journal_name(const char *name, int sys)
{
	size_t		n = strlen(name);

	if (sys && strncmp(name, "system", 6) != 0)
		return (0);
	return ((n > 8 && strcmp(name + n - 8, ".journal") == 0) ||
	    (n > 9 && strcmp(name + n - 9, ".journal~") == 0));
}

struct dir_check {
	int		 found;		/* journal files */
	int		 readable;
	char		 denied[PATH_MAX];	/* the first unreadable one */
	const char	*what;		/* "file" or "directory" */
	char		 why[128];
};

/* note_denied - remember the first path that could not be read */
static void
note_denied(struct dir_check *dc, const char *what, const char *path, int e)
{
	if (dc->denied[0] != '\0')
		return;
	dc->what = what;
	snprintf(dc->denied, sizeof(dc->denied), "%s", path);
	snprintf(dc->why, sizeof(dc->why), "%s", strerror(e));
}

/* check_dir - count the journal files of dir (and of its machine-id
 * subdirectories when subdirs, as sd-journal reads them) and those that
 * can be read; -1 with err when dir itself cannot be read (ENOENT only
 * when must) */
static int
check_dir(const char *dir, int sys, int must, int subdirs,
    struct dir_check *dc, char *err, size_t errlen)
{
	struct dirent	*de;
	char		 path[PATH_MAX];
	DIR		*d;
	int		 fd, e;

	if ((d = opendir(dir)) == NULL) {
		e = errno;
		if (errno == ENOENT && !must)
			return (0);
		if (errno == ENOENT)
			snprintf(err, errlen, "the journal directory %s does "
			    "not exist (check the path)", dir);
		else if (errno == EACCES || errno == EPERM)
			snprintf(err, errlen, "cannot read the journal "
			    "directory %s: %s: %s", dir, strerror(errno),
			    GROUP_HINT);
		else
			snprintf(err, errlen, "cannot read the journal "
			    "directory %s: %s", dir, strerror(errno));
		errno = e;
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path))
			continue;
		if (subdirs && (de->d_type == DT_DIR ||
		    de->d_type == DT_UNKNOWN) &&
		    sd_id128_from_string(de->d_name, NULL) >= 0) {
			/* A machine's directory: one it cannot read counts
			 * as a file it cannot read. */
			if (check_dir(path, sys, 1, 0, dc, err, errlen) == -1) {
				dc->found++;
				note_denied(dc, "directory", path, errno);
			}
			continue;
		}
		if (!journal_name(de->d_name, sys))
			continue;
		dc->found++;
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
		    O_NONBLOCK)) != -1) {
			close(fd);
			dc->readable++;
		} else
			note_denied(dc, "file", path, errno);
	}
	closedir(d);
	return (0);
}

/* check_source - is what o names there and readable; 0, or -1 with err */
static int
check_source(const struct journal_opts *o, char *err, size_t errlen)
{
	static const char *const roots[] = { "/run/log/journal",
	    "/var/log/journal" };
	struct dir_check dc;
	char		 dir[PATH_MAX], mid[SD_ID128_STRING_MAX];
	sd_id128_t	 m;
	size_t		 i;
	int		 r;

	memset(&dc, 0, sizeof(dc));
	if (o->directory != NULL && o->directory[0] != '\0') {
		if (check_dir(o->directory, 0, 1, 1, &dc, err, errlen) == -1)
			return (-1);
	} else if (o->nfiles > 0) {
		for (r = 0; r < o->nfiles; r++)
			if (check_file(o->files[r], err, errlen) == -1)
				return (-1);
		return (0);
	} else {
		if ((r = sd_id128_get_machine(&m)) < 0) {
			snprintf(err, errlen, "the system journal: cannot read "
			    "the machine id (/etc/machine-id): %s",
			    strerror(-r));
			return (-1);
		}
		sd_id128_to_string(m, mid);
		for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
			snprintf(dir, sizeof(dir), "%s/%s", roots[i], mid);
			if (check_dir(dir, 1, 0, 0, &dc, err, errlen) == -1)
				return (-1);
		}
		if (dc.found == 0) {
			snprintf(err, errlen, "the system journal has no files "
			    "(/run/log/journal/%s, /var/log/journal/%s): is "
			    "systemd-journald running and keeping a journal "
			    "(Storage= in journald.conf)? Else read the mail "
			    "log file instead", mid, mid);
			return (-1);
		}
	}
	if (dc.found > 0 && dc.readable == 0) {
		snprintf(err, errlen, "cannot read the journal %s %s: %s: %s",
		    dc.what, dc.denied, dc.why, GROUP_HINT);
		return (-1);
	}
	if (dc.denied[0] != '\0')
		log_warnx("cannot read the journal %s %s: %s: its entries "
		    "are not seen (%s)", dc.what, dc.denied, dc.why,
		    GROUP_HINT);
	return (0);
}

/* open_source - sd_journal_open*() for o; 0, or -1 with err */
static int
open_source(struct journal *j, const struct journal_opts *o, char *err,
    size_t errlen)
{
	const char	**paths, *one[2];
	int		  r, i;

	if (o->directory != NULL && o->directory[0] != '\0')
		r = sd_journal_open_directory(&j->sdj, o->directory, 0);
	else if (o->nfiles > 0) {
		if ((paths = calloc((size_t)o->nfiles + 1,
		    sizeof(*paths))) == NULL) {
			snprintf(err, errlen, "%s: out of memory",
			    j->st.source);
			return (-1);
		}
		for (i = 0; i < o->nfiles; i++)
			paths[i] = o->files[i];
		r = sd_journal_open_files(&j->sdj, paths, 0);
		free(paths);
		/* Which file: each alone, to name it. */
		for (i = 0; r < 0 && o->nfiles > 1 && i < o->nfiles; i++) {
			sd_journal *t = NULL;
			int	    r1;

			one[0] = o->files[i];
			one[1] = NULL;
			if ((r1 = sd_journal_open_files(&t, one, 0)) < 0) {
				j->sdj = NULL;
				snprintf(err, errlen, "cannot read the journal "
				    "file %s: %s (not a journal file, or a "
				    "damaged one)", o->files[i], strerror(-r1));
				return (-1);
			}
			sd_journal_close(t);
		}
		if (r < 0 && o->nfiles == 1) {
			j->sdj = NULL;
			snprintf(err, errlen, "cannot read the journal file "
			    "%s: %s (not a journal file, or a damaged one)",
			    o->files[0], strerror(-r));
			return (-1);
		}
	} else
		r = sd_journal_open(&j->sdj, SD_JOURNAL_LOCAL_ONLY |
		    SD_JOURNAL_SYSTEM);
	if (r < 0) {
		j->sdj = NULL;
		snprintf(err, errlen, "cannot open %s: %s", j->st.source,
		    strerror(-r));
		return (-1);
	}
	return (0);
}

/* current_pos - the current entry's cursor and time into p; 0, or -1
 * (errno-style code in *r) when sd-journal has no current entry */
static int
current_pos(const struct journal *j, struct journal_pos *p, int *r)
{
	char		*c = NULL;
	uint64_t	 usec;

	if ((*r = sd_journal_get_cursor(j->sdj, &c)) < 0 ||
	    (*r = sd_journal_get_realtime_usec(j->sdj, &usec)) < 0) {
		free(c);
		return (-1);
	}
	if (strlen(c) >= sizeof(p->cursor)) {
		free(c);
		*r = -ENAMETOOLONG;
		return (-1);
	}
	memcpy(p->cursor, c, strlen(c) + 1);
	p->realtime = usec;
	free(c);
	return (0);
}

/* place_stored - go on after the stored entry, or after its time */
static int
place_stored(struct journal *j, const struct journal_pos *s)
{
	char		 when[64];
	int		 r;

	if (sd_journal_seek_cursor(j->sdj, s->cursor) >= 0 &&
	    sd_journal_next(j->sdj) > 0 &&
	    sd_journal_test_cursor(j->sdj, s->cursor) > 0) {
		j->placed = *s;
		j->placed_ok = 1;
		return (0);
	}
	j->st.cursor_lost = 1;
	stamp_text(s->realtime, when, sizeof(when));
	log_warnx("%s: the entry where reading stopped (%s) is no longer "
	    "there (vacuumed or rotated away, or the match changed): reading "
	    "from the first entry after that time", j->st.source, when);
	if ((r = sd_journal_seek_realtime_usec(j->sdj, s->realtime + 1)) < 0)
		return (r);
	/* Committing the stored position again loses nothing. */
	j->placed = *s;
	j->placed_ok = 1;
	return (0);
}

/* place_tail - after the newest entry; at the oldest when none matches */
static int
place_tail(struct journal *j)
{
	int		r;

	if ((r = sd_journal_seek_tail(j->sdj)) < 0)
		return (r);
	if ((r = sd_journal_previous(j->sdj)) < 0)
		return (r);
	if (r == 0)
		return (sd_journal_seek_head(j->sdj));
	if (current_pos(j, &j->placed, &r) == -1)
		return (r);
	j->placed_ok = 1;
	return (0);
}

/* journal_open - open and place a journal reader */
struct journal *
journal_open(const struct journal_opts *o, char *err, size_t errlen)
{
	struct journal	*j;
	const char	*match;
	char		 why[512];
	int		 r;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->line = malloc(LINE_MAX_LEN)) == NULL) {
		free(j);
		snprintf(err, errlen, "journal: out of memory");
		return (NULL);
	}
	j->fd = -1;
	j->file = o->file;
	j->stamp_min = -1;
	if (o->directory != NULL && o->directory[0] != '\0')
		snprintf(j->st.source, sizeof(j->st.source), "directory %s",
		    o->directory);
	else if (o->nfiles == 1)
		snprintf(j->st.source, sizeof(j->st.source), "file %s",
		    o->files[0]);
	else if (o->nfiles > 1)
		snprintf(j->st.source, sizeof(j->st.source), "%d files",
		    o->nfiles);
	else
		snprintf(j->st.source, sizeof(j->st.source),
		    "the system journal");
	tzset();
	match = o->match != NULL && o->match[0] != '\0' ? o->match :
	    JOURNAL_MATCH_DEFAULT;
	if (match_parse(match, NULL, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "journal match: %s", why);
		goto fail;
	}
	if (check_source(o, err, errlen) == -1 ||
	    open_source(j, o, err, errlen) == -1)
		goto fail;
	/* Capped messages come whole (a compressed one is decompressed up
	 * to here): one byte more than the cap tells a cut one. */
	sd_journal_set_data_threshold(j->sdj, sizeof("MESSAGE=") +
	    LINES_MAX_DEFAULT + 1);
	if (match_parse(match, j->sdj, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s: journal match: %s", j->st.source,
		    why);
		goto fail;
	}
	/* The watches come before placement: nothing written after it goes
	 * unnoticed. */
	if ((j->fd = sd_journal_get_fd(j->sdj)) < 0) {
		snprintf(err, errlen, "%s: cannot watch it for new entries: %s",
		    j->st.source, strerror(-j->fd));
		goto fail;
	}
	if (o->stored != NULL && o->stored->cursor[0] != '\0')
		r = place_stored(j, o->stored);
	else if (o->since_usec != 0)
		r = sd_journal_seek_realtime_usec(j->sdj, o->since_usec);
	else if (o->from_start)
		r = sd_journal_seek_head(j->sdj);
	else
		r = place_tail(j);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot find where to start reading: "
		    "%s", j->st.source, strerror(-r));
		goto fail;
	}
	/* What is there already is read without waiting for an event. */
	j->pending = 1;
	return (j);
fail:
	journal_free(j);
	return (NULL);
}

/* journal_fd - the descriptor to poll for POLLIN */
int
journal_fd(struct journal *j)
{
	return (j->fd);
}

/* journal_timeout - the longest sleep in milliseconds, -1: none */
int
journal_timeout(struct journal *j)
{
	struct timespec	ts;
	uint64_t	t, now;

	if (sd_journal_get_timeout(j->sdj, &t) < 0 || t == UINT64_MAX)
		return (-1);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	if (t <= now)
		return (0);
	t = (t - now + 999) / 1000;
	return (t > INT_MAX ? INT_MAX : (int)t);
}

/* journal_read - deliver up to max entries (0: no limit) to cb */
int
journal_read(struct journal *j, tail_cb cb, void *arg, unsigned max)
{
	struct tail_line tl;
	unsigned	 seen = 0;
	int		 n = 0, r;

	j->pending = 0;
	/* The file of the current entry may go now (vacuumed; with some
	 * versions of sd-journal, renamed by a rotation too), and with it
	 * sd-journal's current entry: its position is taken first, once
	 * per read that moved. */
	if (j->moved && !j->last_ok &&
	    current_pos(j, &j->last, &r) == 0)
		j->last_ok = 1;
	if ((r = sd_journal_process(j->sdj)) < 0) {
		log_warnx("%s: cannot take in its changes: %s", j->st.source,
		    strerror(-r));
		return (-1);
	}
	memset(&tl, 0, sizeof(tl));
	tl.file = j->file;
	tl.path = "journal";
	tl.line = j->line;
	/* Skipped entries count against max too: the caller's loop gets
	 * its turn whatever the journal holds. */
	while (max == 0 || seen < max) {
		if ((r = sd_journal_next(j->sdj)) < 0) {
			log_warnx("%s: cannot read the next entry: %s",
			    j->st.source, strerror(-r));
			return (-1);
		}
		if (r == 0)
			return (n);
		j->moved = 1;
		j->last_ok = 0;
		seen++;
		if ((tl.len = build_line(j)) == 0) {
			j->st.skipped++;
			continue;
		}
		j->st.entries++;
		n++;
		if (cb(arg, &tl) == -1)
			return (-1);
	}
	j->pending = 1;
	return (n);
}

/* journal_pending - may entries be ready without a new event */
int
journal_pending(const struct journal *j)
{
	return (j->pending);
}

/* journal_position - where reading goes on from: 1 and p, or 0 */
int
journal_position(const struct journal *j, struct journal_pos *p)
{
	int		r;

	memset(p, 0, sizeof(*p));
	if (!j->moved) {
		if (!j->placed_ok)
			return (0);
		*p = j->placed;
		return (1);
	}
	if (current_pos(j, p, &r) == 0)
		return (1);
	if (j->last_ok) {
		*p = j->last;
		return (1);
	}
	log_warnx("%s: cannot name the position of the last entry read: %s",
	    j->st.source, strerror(-r));
	memset(p, 0, sizeof(*p));
	return (0);
}

/* journal_stats - counters and the source's name */
void
journal_stats(const struct journal *j, struct journal_stats *st)
{
	*st = j->st;
}

/* journal_free - close the journal */
void
journal_free(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->sdj != NULL)
		sd_journal_close(j->sdj);
	free(j->line);
	free(j);
}

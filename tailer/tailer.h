/*	$fivefifty: tailer.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	tailer 3h - read log lines: whole files, and files followed by name
 * SYNOPSIS
 *	#include "tailer/tailer.h"
 *
 *	Line reader (lines.c): the follower's, and that of the commands
 *	that read whole logs (`fivefifty parse`, `scan -`, `report`):
 *
 *	struct lines *lines_open(const char *path, int flags,
 *		    time_t *mtime);
 *	struct lines *lines_new(int fd, size_t maxline);
 *	void	lines_follow(struct lines *lr, int on);
 *	void	lines_reset(struct lines *lr, int fd, unsigned long long off);
 *	void	lines_source(struct lines *lr, int fd, lines_read_fn rd,
 *		    void *arg, unsigned long long off);
 *	int	lines_next(struct lines *lr, const char **line, size_t *len);
 *	int	lines_flush(struct lines *lr, const char **line, size_t *len);
 *	unsigned long long lines_offset(const struct lines *lr);
 *	unsigned long long lines_cut(const struct lines *lr);
 *	const char *lines_strerror(const struct lines *lr);
 *	long	lines_gzread(void *gz, void *buf, size_t len);
 *	void	lines_free(struct lines *lr);
 *
 *	Follower (follow.c) for the daemon's event loop:
 *
 *	struct tailer *tailer_new(void);
 *	int	tailer_add(struct tailer *t, const char *path,
 *		    const struct tail_pos *stored, int from_start);
 *	int	tailer_add_stored(struct tailer *t, const char *path,
 *		    const struct tail_store *store, int from_start);
 *	int	tailer_fd(const struct tailer *t);
 *	int	tailer_read(struct tailer *t, tail_cb cb, void *arg,
 *		    unsigned max);
 *	int	tailer_finish(struct tailer *t, tail_cb cb, void *arg);
 *	int	tailer_pending(const struct tailer *t);
 *	int	tailer_timeout(const struct tailer *t);
 *	void	tailer_stats(const struct tailer *t, int file,
 *		    struct tail_stats *st);
 *	void	tailer_free(struct tailer *t);
 *
 *	The journal (journal.c):
 *
 *	struct journal *journal_open(const struct journal_opts *o, char *err,
 *		    size_t errlen);
 *	int	journal_fd(struct journal *j);
 *	int	journal_timeout(struct journal *j);
 *	int	journal_read(struct journal *j, tail_cb cb, void *arg,
 *		    unsigned max);
 *	int	journal_pending(const struct journal *j);
 *	int	journal_position(const struct journal *j, struct journal_pos *p);
 *	void	journal_stats(const struct journal *j, struct journal_stats *st);
 *	void	journal_free(struct journal *j);
 *	int	journal_match_check(const char *match, char *err,
 *		    size_t errlen);
 * DESCRIPTION
 *	lines_open() opens a whole log to read from its start: the file
 *	path, or standard input for "-" (read from where it stands, and
 *	left open). With LINES_GZIP in flags, gzip'd data (a file, or what
 *	comes on standard input) is read through zlib; other data is read as
 *	it is, so a rotated set (mail.log.2.gz mail.log.1 mail.log) is read
 *	file by file with the same flags. *mtime is the file's modification
 *	time (now for standard input): year-less stamps are read against
 *	it. NULL with errno set when path cannot be opened. lines_free()
 *	closes what it opened. Lines are cut as below, at
 *	LINES_MAX_DEFAULT.
 *
 *	lines_new() reads from fd (not closed by lines_free()). A line longer
 *	than maxline bytes (LINES_MAX_DEFAULT when 0; never below 64 KiB) is
 *	cut: its first maxline bytes are returned once its newline has been
 *	read, and lines_cut() counts it. lines_next() returns 1 with the
 *	next line (without its newline; NUL bytes and a trailing CR are
 *	data), 0 when there is no more (in batch mode a last line without a
 *	newline is returned first; in follow mode such bytes are held until
 *	their newline comes), or -1 with errno set when read(2) fails. The
 *	line stays valid until the next call. lines_flush() returns the held
 *	bytes as a line (a finished file's last, unterminated line).
 *	lines_offset() is the input offset just after the last line returned
 *	(after the whole line, for a cut one); lines_reset() starts over on
 *	fd at offset off; lines_source() does the same with a read function
 *	of its own (a decompressor) in place of read(2): lines_gzread() is
 *	the one over a gzFile. After lines_next() returned -1,
 *	lines_strerror() says why (zlib's message for corrupt gzip data).
 *
 *	A struct tail_pos names a place in a file: device, inode, the offset
 *	just after a line, and a fingerprint (length and FNV-1a hash of the
 *	file's first bytes) that tells a file from a later one that got the
 *	same inode, or a truncated and rewritten one.
 *
 *	tailer_add() follows path by name: the file and its directory are
 *	watched with inotify, so renames (logrotate create, postfix
 *	logrotate), copytruncate, deletion, re-creation, a file that is not
 *	there yet and one replaced by a symlink are all followed. It starts
 *	at the stored position when there is one (first finishing the file
 *	of that position if it was rotated meanwhile: found among NAME.* by
 *	fingerprint, or by inode when it had none, and read through zlib if
 *	it was gzip'd; offsets are then uncompressed offsets; and then
 *	every copy rotated after it, in order, when it was rotated more
 *	than once), else at the
 *	start of the file when from_start, else after the last complete line. It returns the
 *	file's index (passed back in each struct tail_line), or -1.
 *
 *	A position taken on an empty file has no fingerprint: if that file
 *	is rotated and gzip'd before anything was read from it and while
 *	the reader is stopped, its copy cannot be recognised; the tailer
 *	says so and reads the current file from its start.
 *
 *	A position store is what the state database offers the tailer: the
 *	last committed position of a path (load() returns 1 and fills pos,
 *	0 when it has none, -1 on error). Committing is the consumer's part,
 *	in the same transaction as what it made of the line.
 *	tailer_add_stored() is tailer_add() with the position the store has.
 *
 *	tailer_fd() is the descriptor to poll for POLLIN. tailer_read()
 *	handles what is ready and calls cb for each complete line, at most
 *	max lines (0: no limit); the position in the struct tail_line is the
 *	one to commit together with what the consumer made of the line: after
 *	a crash, starting from it neither loses nor repeats a line. It
 *	returns the number of lines delivered, or -1 if cb returned -1.
 *	tailer_finish() hands out what is left of each file, its last
 *	unterminated bytes included as a line (for a reader of complete
 *	files, like scan; the position is then the file's end).
 *	tailer_pending() says lines are ready without a new inotify event
 *	(the last call stopped at max): call tailer_read() again without
 *	waiting. tailer_timeout() is how long the caller may sleep, in
 *	milliseconds (-1: until the descriptor is readable), for retries
 *	that have no inotify event (a watched directory that is missing).
 * DIAGNOSTICS
 *	Files that are missing, waited for, rotated or truncated are reported
 *	once each with log_info()/log_warnx() (util.h). tailer_new() and
 *	tailer_add() return NULL / -1 with errno set when inotify or memory
 *	fail.
 */
#ifndef FIVEFIFTY_TAILER_H
#define FIVEFIFTY_TAILER_H

#include <stddef.h>
#include <time.h>

#define LINES_MAX_DEFAULT	(64 * 1024)
#define LINES_GZIP		0x1	/* lines_open(): gunzip gzip'd data */
#define TAIL_FP_MAX		1024	/* bytes the fingerprint covers */

struct lines;

typedef long	(*lines_read_fn)(void *, void *, size_t);

struct lines *lines_open(const char *, int, time_t *);
struct lines *lines_new(int, size_t);
void	lines_follow(struct lines *, int);
void	lines_reset(struct lines *, int, unsigned long long);
void	lines_source(struct lines *, int, lines_read_fn, void *,
	    unsigned long long);
int	lines_next(struct lines *, const char **, size_t *);
int	lines_flush(struct lines *, const char **, size_t *);
unsigned long long lines_offset(const struct lines *);
unsigned long long lines_cut(const struct lines *);
const char *lines_strerror(const struct lines *);
long	lines_gzread(void *, void *, size_t);
void	lines_free(struct lines *);

struct tail_pos {
	unsigned long long dev;
	unsigned long long ino;
	unsigned long long off;
	unsigned	 fp_len;	/* 0: no fingerprint (empty file) */
	unsigned long long fp;
};

struct tail_line {
	int		 file;		/* tailer_add()'s index */
	const char	*path;
	const char	*line;
	size_t		 len;
	struct tail_pos	 pos;		/* just after this line */
};

struct tail_stats {
	unsigned long long lines;	/* delivered */
	unsigned long long cut;		/* lines over the length limit */
	unsigned long long rotations;	/* renames followed */
	unsigned long long truncations;	/* copytruncate and the like */
	struct tail_pos	 pos;		/* after the last line delivered (before
					 * the first: where reading starts) */
	int		 open;		/* the file is being read now */
};

struct tail_store {
	int		(*load)(void *, const char *, struct tail_pos *);
	void		*arg;
};

typedef int (*tail_cb)(void *, const struct tail_line *);

struct tailer;

struct tailer *tailer_new(void);
int	tailer_add(struct tailer *, const char *, const struct tail_pos *, int);
int	tailer_add_stored(struct tailer *, const char *,
	    const struct tail_store *, int);
int	tailer_fd(const struct tailer *);
int	tailer_read(struct tailer *, tail_cb, void *, unsigned);
int	tailer_finish(struct tailer *, tail_cb, void *);
int	tailer_pending(const struct tailer *);
int	tailer_timeout(const struct tailer *);
void	tailer_stats(const struct tailer *, int, struct tail_stats *);
void	tailer_free(struct tailer *);

/*
 * Journal source (journal.c): the systemd journal through sd-journal, as
 * lines the parser reads.
 *
 *	struct journal *journal_open(const struct journal_opts *o,
 *		    char *err, size_t errlen);
 *	int	journal_fd(struct journal *j);
 *	int	journal_timeout(struct journal *j);
 *	int	journal_read(struct journal *j, tail_cb cb, void *arg,
 *		    unsigned max);
 *	int	journal_pending(const struct journal *j);
 *	int	journal_position(const struct journal *j,
 *		    struct journal_pos *p);
 *	void	journal_stats(const struct journal *j,
 *		    struct journal_stats *st);
 *	void	journal_free(struct journal *j);
 *	int	journal_match_check(const char *match, char *err,
 *		    size_t errlen);
 *
 * journal_open() opens the system journal (o->directory and o->files
 * empty), a directory of journal files (o->directory), or the journal
 * files o->files (o->nfiles of them), keeps the entries that o->match
 * selects (journalctl's syntax: FIELD=value terms, a "+" between
 * alternatives; NULL or "" selects JOURNAL_MATCH_DEFAULT: every Postfix
 * instance, whatever its syslog_name), and places the reader: after
 * o->stored when it is set and its entry exists; when that entry is gone
 * (vacuumed, rotated away) at the oldest entry after its realtime stamp,
 * and journal_stats() says cursor_lost; with nothing stored, at the first
 * entry at or after o->since_usec when that is not 0, else at the oldest
 * entry when o->from_start, else after the newest (a follower's first
 * start). NULL with the reason and the object (directory, file) in err.
 *
 * journal_read() delivers up to max entries (0: no limit) as struct
 * tail_line: file is o->file, path "journal", line is "STAMP HOST
 * IDENT[PID]: MESSAGE" (STAMP: the entry's realtime in RFC 3339, local
 * time with microseconds and a numeric offset with a colon; HOST:
 * _HOSTNAME; IDENT: SYSLOG_IDENTIFIER, else _COMM; PID: SYSLOG_PID, else
 * _PID, and no "[PID]" when it has neither), a message cut to
 * LINES_MAX_DEFAULT bytes (counted in cut); pos is zero. It first hands
 * the descriptor's events to sd_journal_process(). It returns the number
 * delivered, or -1 if cb returned -1 or the journal could not be read
 * (logged with its object). journal_pending() says entries may be ready
 * without a new event on journal_fd() (the last read stopped at max, or
 * nothing was read since journal_open()).
 * journal_fd() is the descriptor to poll for POLLIN (sd_journal_get_fd());
 * journal_timeout() the longest sleep in milliseconds (-1: none).
 *
 * journal_position() fills p with where reading goes on from: the last
 * entry delivered (or an entry without MESSAGE skipped after it), or
 * before any, the entry the reader was placed after (the stored one, lost
 * or not, or the newest at open); 0 when there is none (an empty journal,
 * since_usec or from_start before the first entry) or it cannot be had
 * (logged), 1 when p is filled. A consumer commits it with what it
 * made of the entries, in one transaction, and hands it back as
 * o->stored at the next start: nothing is lost, nothing counted twice.
 *
 * journal_match_check() says whether match is valid journal_match syntax:
 * 0, or -1 with what is wrong in err.
 */
#define JOURNAL_CURSOR_MAX	512
#define JOURNAL_MATCH_MAX	1024
/* Every Postfix instance, whatever its syslog_name: the mail facility
 * (syslog_facility = mail, Postfix's default), the unit of Postfix
 * outside Debian, and the slice of Debian's postfix@INSTANCE units
 * (postfix@-.service and postmulti's postfix@NAME.service). */
#define JOURNAL_MATCH_DEFAULT	"SYSLOG_FACILITY=2 + " \
	"_SYSTEMD_UNIT=postfix.service + _SYSTEMD_SLICE=system-postfix.slice"

struct journal_pos {
	char		 cursor[JOURNAL_CURSOR_MAX];	/* "": none */
	unsigned long long realtime;	/* usec of that entry */
};

struct journal_opts {
	const char	*directory;	/* NULL or "": not a directory */
	const char *const *files;	/* or these files */
	int		 nfiles;
	const char	*match;		/* NULL or "": the default */
	const struct journal_pos *stored;	/* NULL: none */
	unsigned long long since_usec;	/* 0: see from_start */
	int		 from_start;	/* else after the newest */
	int		 file;		/* tail_line.file */
};

struct journal_stats {
	unsigned long long entries;	/* delivered */
	unsigned long long cut;		/* messages over the length limit */
	unsigned long long skipped;	/* entries without a MESSAGE */
	int		 cursor_lost;	/* the stored entry was gone */
	char		 source[1100];	/* "the system journal", "directory
					 * D", "file F" or "N files" */
};

struct journal;

struct journal *journal_open(const struct journal_opts *, char *, size_t);
int	journal_fd(struct journal *);
int	journal_timeout(struct journal *);
int	journal_read(struct journal *, tail_cb, void *, unsigned);
int	journal_pending(const struct journal *);
int	journal_position(const struct journal *, struct journal_pos *);
void	journal_stats(const struct journal *, struct journal_stats *);
void	journal_free(struct journal *);
int	journal_match_check(const char *, char *, size_t);

#endif /* FIVEFIFTY_TAILER_H */

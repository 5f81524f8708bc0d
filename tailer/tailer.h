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
 *	Line splitter (lines.c), used by `fivefifty parse`, `scan` and the
 *	follower alike:
 *
 *	struct lines *lines_new(int fd, size_t maxline);
 *	void	lines_follow(struct lines *lr, int on);
 *	void	lines_reset(struct lines *lr, int fd, unsigned long long off);
 *	void	lines_source(struct lines *lr, int fd, lines_read_fn rd,
 *		    void *arg, unsigned long long off);
 *	int	lines_next(struct lines *lr, const char **line, size_t *len);
 *	int	lines_flush(struct lines *lr, const char **line, size_t *len);
 *	unsigned long long lines_offset(const struct lines *lr);
 *	unsigned long long lines_cut(const struct lines *lr);
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
 * DESCRIPTION
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
 *	of its own (a decompressor) in place of read(2).
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

#define LINES_MAX_DEFAULT	(64 * 1024)
#define TAIL_FP_MAX		1024	/* bytes the fingerprint covers */

struct lines;

typedef long	(*lines_read_fn)(void *, void *, size_t);

struct lines *lines_new(int, size_t);
void	lines_follow(struct lines *, int);
void	lines_reset(struct lines *, int, unsigned long long);
void	lines_source(struct lines *, int, lines_read_fn, void *,
	    unsigned long long);
int	lines_next(struct lines *, const char **, size_t *);
int	lines_flush(struct lines *, const char **, size_t *);
unsigned long long lines_offset(const struct lines *);
unsigned long long lines_cut(const struct lines *);
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

#endif /* FIVEFIFTY_TAILER_H */

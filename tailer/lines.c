/*	$fivefifty: lines.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	lines 3 - split a byte stream into lines, with a length cap; open a
 *	whole log (a file, gzip'd or not, or standard input) to read so
 * SYNOPSIS
 *	See tailer.h.
 * DESCRIPTION
 *	One buffer of maxline plus a read chunk; lines are returned in
 *	place, and the unread rest moves to the front only when the buffer
 *	has no room for another read. No allocation after lines_new(), so a
 *	line of any length costs the same memory as a short one.
 *
 *	A line longer than maxline is cut: its first maxline bytes are kept
 *	while the rest is read and dropped, and the head is returned once
 *	its newline has been seen, so the offset that goes with it is the
 *	offset after the whole line. A position stored with a cut line never
 *	points into the middle of one.
 *
 *	In follow mode, the end of the input is "nothing more now": bytes
 *	after the last newline stay held, and the next call reads again.
 *
 *	lines_open() is the one way the commands that read whole logs
 *	(parse, scan -, report) open one. gzip is told by its magic bytes
 *	(a regular file is looked at without reading it; a pipe goes through
 *	zlib, which passes plain data through unchanged), so a plain file
 *	is read with read(2) and no copy.
 * SECURITY
 *	The bytes are data: nothing in them is interpreted but the newline.
 *	Memory stays at maxline plus a chunk (and zlib's buffers) whatever
 *	the input.
 * DIAGNOSTICS
 *	lines_new() and lines_open() return NULL with errno set; a failed
 *	read is -1 from lines_next() with errno set (EIO for corrupt gzip
 *	data), and lines_strerror() says why (zlib's message for gzip).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "tailer.h"

#define CHUNK	(256 * 1024)
/* zlib's input buffer; its output buffer is twice that, so that reads
 * of at least CHUNK / 2 inflate straight into ours. */
#define GZ_BUFFER	(64 * 1024)

struct lines {
	int		 fd;
	char		*buf;
	size_t		 cap;		/* maxline + CHUNK */
	size_t		 maxline;
	size_t		 start, end;	/* unread bytes: buf[start..end) */
	int		 skipping;	/* holding a cut head, dropping the rest */
	unsigned long long dropped;	/* bytes dropped of the current cut line */
	int		 eof;
	int		 follow;
	lines_read_fn	 rd;		/* NULL: read(2) on fd */
	void		*rd_arg;
	unsigned long long cut;
	unsigned long long offset;	/* input offset of buf[start] */
	unsigned long long done;	/* offset after the last line returned */
	int		 errnum;	/* errno of the last failed read */
	gzFile		 gz;		/* lines_open()'s decompressor */
	int		 own_fd;	/* lines_open() opened fd */
};

/* lines_new - a splitter reading from fd */
struct lines *
lines_new(int fd, size_t maxline)
{
	struct lines	*lr;

	if (maxline < LINES_MAX_DEFAULT)
		maxline = LINES_MAX_DEFAULT;
	if ((lr = calloc(1, sizeof(*lr))) == NULL)
		return (NULL);
	lr->cap = maxline + CHUNK;
	if ((lr->buf = malloc(lr->cap)) == NULL) {
		free(lr);
		return (NULL);
	}
	lr->fd = fd;
	lr->maxline = maxline;
	return (lr);
}

/* lines_follow - end of input means "nothing more now" (on != 0) */
void
lines_follow(struct lines *lr, int on)
{
	lr->follow = on;
}

/* lines_reset - read from fd, which is at offset, with nothing held */
void
lines_reset(struct lines *lr, int fd, unsigned long long offset)
{
	lines_source(lr, fd, NULL, NULL, offset);
}

/* lines_source - like lines_reset(), reading with rd(arg, ...) if set */
void
lines_source(struct lines *lr, int fd, lines_read_fn rd, void *arg,
    unsigned long long offset)
{
	lr->fd = fd;
	lr->rd = rd;
	lr->rd_arg = arg;
	lr->start = lr->end = 0;
	lr->skipping = 0;
	lr->dropped = 0;
	lr->eof = 0;
	lr->offset = lr->done = offset;
}

/* fill - read more input; 1 read something, 0 end of input, -1 error */
static int
fill(struct lines *lr)
{
	size_t		 keep_end;
	ssize_t		 n;

	if (lr->cap - lr->end < CHUNK / 2 && lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	do
		n = lr->rd != NULL ?
		    lr->rd(lr->rd_arg, lr->buf + lr->end, lr->cap - lr->end) :
		    read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		lr->errnum = errno;
		return (-1);
	}
	if (n == 0) {
		if (!lr->follow)
			lr->eof = 1;
		return (0);
	}
	if (lr->skipping) {
		/* Drop everything up to the newline; keep what follows it. */
		char *nl = memchr(lr->buf + lr->end, '\n', (size_t)n);
		keep_end = lr->start + lr->maxline;
		if (nl == NULL) {
			lr->dropped += (unsigned long long)n;
			lr->end = keep_end;
		} else {
			size_t skip = (size_t)(nl - (lr->buf + lr->end));
			size_t rest = (size_t)n - skip - 1;
			lr->dropped += skip + 1;
			memmove(lr->buf + keep_end, nl + 1, rest);
			lr->end = keep_end + rest;
			lr->skipping = 2;	/* head complete */
		}
		return (1);
	}
	lr->end += (size_t)n;
	return (1);
}

/* take - hand out buf[start..start+len), consuming used bytes */
static void
take(struct lines *lr, const char **line, size_t *len, size_t n,
    size_t used)
{
	*line = lr->buf + lr->start;
	*len = n;
	lr->start += used;
	lr->offset += used + lr->dropped;
	lr->done = lr->offset;
	lr->dropped = 0;
}

/* lines_next - the next line: 1, 0 for no more (now), -1 read error */
int
lines_next(struct lines *lr, const char **line, size_t *len)
{
	char		*nl;
	size_t		 avail;
	int		 r;

	for (;;) {
		avail = lr->end - lr->start;
		if (lr->skipping == 2) {
			/* A cut line whose newline has been seen. */
			lr->skipping = 0;
			lr->cut++;
			take(lr, line, len, lr->maxline, lr->maxline);
			return (1);
		}
		if (!lr->skipping) {
			nl = memchr(lr->buf + lr->start, '\n',
			    avail < lr->maxline + 1 ? avail : lr->maxline + 1);
			if (nl != NULL) {
				size_t n = (size_t)(nl - (lr->buf + lr->start));
				take(lr, line, len, n, n + 1);
				return (1);
			}
			if (avail > lr->maxline) {
				/* The head is complete; drop the rest. */
				char *e = memchr(lr->buf + lr->start +
				    lr->maxline, '\n', avail - lr->maxline);
				if (e != NULL) {
					size_t drop = (size_t)(e -
					    (lr->buf + lr->start)) + 1 -
					    lr->maxline;
					lr->cut++;
					lr->dropped += drop;
					take(lr, line, len, lr->maxline,
					    lr->maxline);
					lr->start += drop;
					return (1);
				}
				lr->dropped += avail - lr->maxline;
				lr->end = lr->start + lr->maxline;
				lr->skipping = 1;
			}
		}
		if (lr->eof)
			return (lines_flush(lr, line, len));
		if ((r = fill(lr)) == -1)
			return (-1);
		if (r == 0)
			return (lr->eof ? lines_flush(lr, line, len) : 0);
	}
}

/* lines_flush - the held bytes (a last line without newline) as a line */
int
lines_flush(struct lines *lr, const char **line, size_t *len)
{
	size_t		avail = lr->end - lr->start;

	if (avail == 0 && lr->dropped == 0)
		return (0);
	if (lr->skipping)
		lr->cut++;
	lr->skipping = 0;
	take(lr, line, len, avail, avail);
	return (1);
}

/* lines_cut - how many lines were longer than maxline */
unsigned long long
lines_cut(const struct lines *lr)
{
	return (lr->cut);
}

/* lines_offset - input offset just after the last line returned */
unsigned long long
lines_offset(const struct lines *lr)
{
	return (lr->done);
}

/* lines_free - release the buffer; close what lines_open() opened (any
 * other fd stays open) */
void
lines_free(struct lines *lr)
{
	if (lr == NULL)
		return;
	if (lr->gz != NULL)
		(void)gzclose(lr->gz);
	else if (lr->own_fd)
		(void)close(lr->fd);
	free(lr->buf);
	free(lr);
}

/* lines_gzread - lines_read_fn over zlib; arg is a gzFile */
long
lines_gzread(void *arg, void *buf, size_t len)
{
	int		n, zerr;

	n = gzread((gzFile)arg, buf, len > 1U << 30 ? 1U << 30 : (unsigned)len);
	if (n < 0) {
		(void)gzerror((gzFile)arg, &zerr);
		if (zerr != Z_ERRNO)
			errno = EIO;
		return (-1);
	}
	return (n);
}

/* lines_strerror - why the last read failed: zlib's word for gzip data,
 * else the system's */
const char *
lines_strerror(const struct lines *lr)
{
	const char	*msg;
	int		 zerr;

	if (lr->gz != NULL && (msg = gzerror(lr->gz, &zerr)) != NULL &&
	    zerr != Z_OK && zerr != Z_ERRNO)
		return (msg);
	return (strerror(lr->errnum));
}

/* gz_magic - 1 when fd holds gzip data from where it stands, 0 when not,
 * -1 when that cannot be told without reading (a pipe) */
static int
gz_magic(int fd)
{
	unsigned char	m[2];
	off_t		at;

	if ((at = lseek(fd, 0, SEEK_CUR)) == -1)
		return (-1);
	if (pread(fd, m, sizeof(m), at) != (ssize_t)sizeof(m))
		return (0);
	return (m[0] == 0x1f && m[1] == 0x8b);
}

/* gz_source - read fd through zlib (a dup of it when the caller keeps fd);
 * 0, or -1 with errno set */
static int
gz_source(struct lines *lr, int fd, int keep)
{
	int		gzfd, saved;

	if ((gzfd = keep ? dup(fd) : fd) == -1)
		return (-1);
	if ((lr->gz = gzdopen(gzfd, "rb")) == NULL) {
		saved = errno != 0 ? errno : ENOMEM;
		if (keep)
			(void)close(gzfd);
		errno = saved;
		return (-1);
	}
	(void)gzbuffer(lr->gz, GZ_BUFFER);
	lines_source(lr, fd, lines_gzread, lr->gz, 0);
	return (0);
}

/* lines_open - a reader of the whole log path ("-": standard input) */
struct lines *
lines_open(const char *path, int flags, time_t *mtime)
{
	struct stat	 sb;
	struct lines	*lr;
	int		 fd, is_stdin, saved;

	if ((is_stdin = strcmp(path, "-") == 0)) {
		fd = STDIN_FILENO;
		sb.st_mtime = time(NULL);
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	else if (fstat(fd, &sb) == -1)
		goto fail;
	if ((lr = lines_new(fd, 0)) == NULL)
		goto fail;
	if ((flags & LINES_GZIP) && gz_magic(fd) != 0 &&
	    gz_source(lr, fd, is_stdin) == -1) {
		saved = errno;
		lines_free(lr);
		errno = saved;
		goto fail;
	}
	/* With gz, gzclose() closes fd (or its dup). */
	lr->own_fd = !is_stdin;
	*mtime = sb.st_mtime;
	return (lr);
fail:
	saved = errno;
	if (!is_stdin)
		(void)close(fd);
	errno = saved;
	return (NULL);
}

/*	$fivefifty: lines.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	lines 3 - split a byte stream into lines, with a length cap
 * SYNOPSIS
 *	See tailer.h.
 * DESCRIPTION
 *	One buffer of maxline plus a read chunk; lines are returned in
 *	place, and the unread rest moves to the front only when the buffer
 *	has no room for another read. No allocation after lines_new().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tailer.h"

#define CHUNK	(256 * 1024)

struct lines {
	int		 fd;
	char		*buf;
	size_t		 cap;		/* maxline + CHUNK */
	size_t		 maxline;
	size_t		 start, end;	/* unread bytes: buf[start..end) */
	int		 skipping;	/* dropping the rest of a cut line */
	int		 eof;
	unsigned long long cut;
	unsigned long long offset;	/* input offset of buf[start] */
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

/* fill - read more input; 1 read something, 0 EOF, -1 error */
static int
fill(struct lines *lr)
{
	ssize_t		n;

	if (lr->cap - lr->end < CHUNK / 2 && lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	do
		n = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return (-1);
	if (n == 0) {
		lr->eof = 1;
		return (0);
	}
	lr->end += (size_t)n;
	return (1);
}

/* lines_next - the next line, 0 at the end, -1 on a read error */
int
lines_next(struct lines *lr, const char **line, size_t *len)
{
	char		*nl;
	size_t		 avail;

	for (;;) {
		avail = lr->end - lr->start;
		nl = memchr(lr->buf + lr->start, '\n', avail);
		if (lr->skipping) {
			size_t drop = nl != NULL ?
			    (size_t)(nl - (lr->buf + lr->start)) + 1 : avail;
			lr->start += drop;
			lr->offset += drop;
			if (nl != NULL)
				lr->skipping = 0;
			else if (lr->eof)
				return (0);
			else if (fill(lr) == -1)
				return (-1);
			continue;
		}
		if (nl != NULL &&
		    (size_t)(nl - (lr->buf + lr->start)) <= lr->maxline) {
			*line = lr->buf + lr->start;
			*len = (size_t)(nl - *line);
			lr->start += *len + 1;
			lr->offset += *len + 1;
			return (1);
		}
		if (avail >= lr->maxline || (nl != NULL)) {
			/* Too long: hand out the head, skip the rest. */
			*line = lr->buf + lr->start;
			*len = lr->maxline;
			lr->start += lr->maxline;
			lr->offset += lr->maxline;
			lr->skipping = 1;
			lr->cut++;
			return (1);
		}
		if (lr->eof) {
			if (avail == 0)
				return (0);
			*line = lr->buf + lr->start;
			*len = avail;
			lr->start += avail;
			lr->offset += avail;
			return (1);
		}
		if (fill(lr) == -1)
			return (-1);
	}
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
	return (lr->offset);
}

/* lines_free - release the buffer (the fd stays open) */
void
lines_free(struct lines *lr)
{
	if (lr == NULL)
		return;
	free(lr->buf);
	free(lr);
}

/*	$fivefifty: tailer.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	tailer 3h - read log lines: whole files now, followed files later
 * SYNOPSIS
 *	#include "tailer/tailer.h"
 *
 *	struct lines *lines_new(int fd, size_t maxline);
 *	int	lines_next(struct lines *lr, const char **line, size_t *len);
 *	unsigned long long lines_cut(const struct lines *lr);
 *	unsigned long long lines_offset(const struct lines *lr);
 *	void	lines_free(struct lines *lr);
 * DESCRIPTION
 *	The one line splitter of fivefifty: `fivefifty parse` and `scan` read
 *	files and stdin through it, and the inotify follower will feed it.
 *
 *	lines_new() reads from fd (not closed by lines_free()). A line longer
 *	than maxline bytes (LINES_MAX_DEFAULT when 0; never below 64 KiB) is
 *	cut: its first maxline bytes are returned as a line, the rest up to
 *	the newline is skipped, and lines_cut() counts it.
 *
 *	lines_next() returns 1 with the next line (without its newline; NUL
 *	bytes and a trailing CR are kept as data), 0 at end of input (a last
 *	line without a newline is returned before that), or -1 with errno
 *	set when read(2) fails. The line stays valid until the next call.
 *	lines_offset() is the input offset just after the last line returned.
 * DIAGNOSTICS
 *	lines_new() returns NULL when memory runs out.
 */
#ifndef FIVEFIFTY_TAILER_H
#define FIVEFIFTY_TAILER_H

#include <stddef.h>

#define LINES_MAX_DEFAULT	(64 * 1024)

struct lines;

struct lines *lines_new(int, size_t);
int	lines_next(struct lines *, const char **, size_t *);
unsigned long long lines_cut(const struct lines *);
unsigned long long lines_offset(const struct lines *);
void	lines_free(struct lines *);

#endif /* FIVEFIFTY_TAILER_H */

/*	$fivefifty: par.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	par 3h - parse lines on several threads, consume them in order
 * SYNOPSIS
 *	#include "parse/par.h"
 *
 *	struct par *par_new(int nthreads, size_t auxsize, par_fn fn,
 *		    void *arg, struct pf_parser *ordered);
 *	void	par_line(struct par *pp, const char *line, size_t len,
 *		    const void *aux);
 *	void	par_drain(struct par *pp);
 *	void	par_reference(struct par *pp, time_t ref);
 *	void	par_free(struct par *pp);
 *	int	par_threads_arg(const char *cmd, const char *s);
 *	int	par_threads_default(void);
 * DESCRIPTION
 *	par_new() makes nthreads parsers: nthreads - 1 threads, each with a
 *	parser of its own, and the caller's thread, which parses chunks
 *	too when the one it must consume next is not parsed yet. par_line() copies a line (and auxsize bytes of the caller's,
 *	e.g. the position after the line) into the chunk being filled; a
 *	full chunk (PAR_CHUNK_BYTES or PAR_CHUNK_LINES) goes to the threads.
 *	The caller's thread consumes parsed chunks strictly in the order
 *	the lines were given, calling fn(arg, line, len, result, ev, aux) for
 *	every line (ev is the event when result is PF_EVENT, else NULL; it
 *	and line stay valid during the call only): the calls are those of
 *	a single-threaded loop over pf_parse_line(), in the same order, so
 *	the output is byte for byte the same. fn runs only from par_line(),
 *	par_drain() and par_reference(), on the caller's thread.
 *
 *	The one state pf_parse_line() keeps between lines, the year of
 *	year-less stamps, is redone in order on ordered (the caller's
 *	parser) with pf_parser_year(), and each event's year set from it
 *	before fn sees it. par_reference() is pf_parser_set_reference() on
 *	ordered at this point of the stream (after the lines given so far
 *	are consumed). par_drain() consumes every line given so far.
 *
 *	par_threads_arg() reads a --threads value (1 to PAR_MAX_THREADS, or
 *	0 for par_threads_default(): the CPUs the process may run on, by its
 *	affinity (so a command pinned with taskset -c 0 parses on one
 *	thread), else the online CPUs), -1 with a message when it is none. par_free() drains, then stops the threads.
 * SECURITY
 *	Memory is bounded: at most nthreads + 3 chunks (at most
 *	PAR_MAX_RING, about 13 MiB whatever the CPUs) are in flight, each
 *	PAR_CHUNK_BYTES of text (or one line, if longer) and PAR_CHUNK_LINES
 *	events.
 * DIAGNOSTICS
 *	Out of memory, a parser that cannot be made and threads that cannot
 *	be started are fatal (EX_OSERR, EX_SOFTWARE).
 */
#ifndef FIVEFIFTY_PAR_H
#define FIVEFIFTY_PAR_H

#include <stddef.h>
#include <time.h>

#include "parse/parse.h"

#define PAR_MAX_THREADS	256
/* A chunk: 128 KiB of text and 512 events (640 KiB) at most. */
#define PAR_MAX_RING	16
#define PAR_CHUNK_BYTES	(128 * 1024)
#define PAR_CHUNK_LINES	512

typedef void	(*par_fn)(void *, const char *, size_t, enum pf_result,
		    struct pf_event *, const void *);

struct par;

struct par *par_new(int, size_t, par_fn, void *, struct pf_parser *);
void	par_line(struct par *, const char *, size_t, const void *);
void	par_drain(struct par *);
void	par_reference(struct par *, time_t);
void	par_free(struct par *);
int	par_threads_arg(const char *, const char *);
int	par_threads_default(void);

#endif /* FIVEFIFTY_PAR_H */

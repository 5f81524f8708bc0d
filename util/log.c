/*	$fivefifty: log.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	log 3 - the severity ladder: debug, info, warn, error, fatal, panic
 * SYNOPSIS
 *	See util.h.
 * DESCRIPTION
 *	Messages go to stderr with the program name in front, then the
 *	severity ("warning: ", "error: ", "fatal: ", "panic: "; none for
 *	info). An error is what ends a command with a failing status when
 *	the caller has cleaning up to do before it exits: it is never said
 *	as a warning. The caller escapes any peer text it puts into a
 *	message (esc_text()). fatal() and fatalx() exit with the status
 *	they are given (a sysexits(3) code).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *log_prog = "fivefifty";
static int	log_verbose;

static void	vlog(const char *, int, const char *, va_list)
		    PRINTFLIKE(3, 0);

/* log_init - program name and verbosity */
void
log_init(const char *prog, int verbose)
{
	log_prog = prog;
	log_verbose = verbose;
}

/* vlog - write one message, optionally with strerror(saved errno) */
static void
vlog(const char *level, int err, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", log_prog, level);
	vfprintf(stderr, fmt, ap);
	if (err != 0)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	fflush(stderr);
}

#define LOGFN(name, level, witherr, after)				\
void									\
name(const char *fmt, ...)						\
{									\
	va_list	ap;							\
	int	saved = errno;						\
									\
	va_start(ap, fmt);						\
	vlog(level, witherr ? saved : 0, fmt, ap);			\
	va_end(ap);							\
	after;								\
}

/* The fatal pair takes the exit status first. */
#define FATALFN(name, witherr)						\
void									\
name(int status, const char *fmt, ...)					\
{									\
	va_list	ap;							\
	int	saved = errno;						\
									\
	va_start(ap, fmt);						\
	vlog("fatal: ", witherr ? saved : 0, fmt, ap);			\
	va_end(ap);							\
	exit(status);							\
}

/* log_warn - recoverable failure, with the system's reason */
LOGFN(log_warn, "warning: ", 1, (void)0)
/* log_warnx - recoverable failure */
LOGFN(log_warnx, "warning: ", 0, (void)0)
/* log_err - the command fails, with the system's reason; the caller
 * exits */
LOGFN(log_err, "error: ", 1, (void)0)
/* log_errx - the command fails; the caller exits */
LOGFN(log_errx, "error: ", 0, (void)0)
/* fatal - the environment failed, with the system's reason; exit with
 * status */
FATALFN(fatal, 1)
/* fatalx - the environment failed; exit with status */
FATALFN(fatalx, 0)
/* panic - fivefifty's own invariant broke: abort for a core */
LOGFN(panic, "panic: ", 0, abort())

/* log_info - what the postmaster wants to know */
void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("", 0, fmt, ap);
	va_end(ap);
}

/* log_debug - what a developer wants to know (-v) */
void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog("debug: ", 0, fmt, ap);
	va_end(ap);
}

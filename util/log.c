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
 *
 *	Each message is one write(2) of its whole line (up to LOG_LINE
 *	bytes; a longer one is cut and ends in "..."), so the lines of
 *	threads logging at once never mix. With log_defer(1) (the daemon),
 *	the info and debug lines of the thread that called it gather in a
 *	buffer written when it fills, at log_flush() (the daemon's loop,
 *	before it sleeps) and at exit: a burst of 50,000 bans was 150,000
 *	writes to the journal. Other threads' lines (the state's writer,
 *	the PostgreSQL watch) go at once (after what is held: the order is
 *	kept), so a main thread stuck in a call holds nothing back that
 *	would explain it. A warning, an error, a
 *	fatal or a panic writes what is gathered, then itself, at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define LOG_LINE	4096		/* one message, cut beyond */
#define LOG_HOLD	65536		/* the deferred lines' buffer */

static const char *log_prog = "fivefifty";
static int	log_verbose;
static int	log_deferred;		/* under log_mtx */
static pthread_t log_owner;		/* the thread whose lines wait */
static char	log_buf[LOG_HOLD];
static size_t	log_len;
static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;

static void	vlog(const char *, int, const char *, va_list)
		    PRINTFLIKE(3, 0);

/* log_init - program name and verbosity */
void
log_init(const char *prog, int verbose)
{
	log_prog = prog;
	log_verbose = verbose;
}

/* put - write all of p to stderr (errors ignored: nowhere to say them) */
static void
put(const char *p, size_t n)
{
	ssize_t		w;

	fflush(stderr);		/* stdio's, if a caller wrote there */
	while (n > 0) {
		if ((w = write(STDERR_FILENO, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* flush_held - write the deferred lines; log_mtx held */
static void
flush_held(void)
{
	if (log_len > 0)
		put(log_buf, log_len);
	log_len = 0;
}

/* log_flush - write the deferred lines now */
void
log_flush(void)
{
	int	saved = errno;

	pthread_mutex_lock(&log_mtx);
	flush_held();
	pthread_mutex_unlock(&log_mtx);
	errno = saved;
}

/* log_defer - gather info and debug lines until log_flush() (on), or
 * write each at once (off, the default) */
void
log_defer(int on)
{
	static int	registered;
	int		saved = errno;

	if (on && !registered && atexit(log_flush) == 0)
		registered = 1;
	pthread_mutex_lock(&log_mtx);
	if (!on)
		flush_held();
	log_deferred = on && registered;
	log_owner = pthread_self();
	pthread_mutex_unlock(&log_mtx);
	errno = saved;
}

/* vlog - write one message, optionally with strerror(saved errno); info
 * and debug lines are held while the log is deferred */
static void
vlog(const char *level, int err, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE];
	size_t		 len = 0, max = sizeof(line) - 1;	/* + '\n' */
	int		 k, hold = level[0] == '\0' ||
			    strcmp(level, "debug: ") == 0;

	if ((k = snprintf(line, sizeof(line), "%s: %s", log_prog, level)) > 0)
		len = (size_t)k;
	if (len < max && (k = vsnprintf(line + len, sizeof(line) - len, fmt,
	    ap)) > 0)
		len += (size_t)k;
	if (err != 0 && len < max && (k = snprintf(line + len,
	    sizeof(line) - len, ": %s", strerror(err))) > 0)
		len += (size_t)k;
	if (len > max) {		/* cut, and said so */
		len = max - 3;
		memcpy(line + len, "...", 3);
		len += 3;
	}
	line[len++] = '\n';
	pthread_mutex_lock(&log_mtx);
	if (log_deferred && hold && pthread_equal(log_owner,
	    pthread_self())) {
		if (log_len + len > sizeof(log_buf))
			flush_held();
		memcpy(log_buf + log_len, line, len);
		log_len += len;
	} else {
		flush_held();
		put(line, len);
	}
	pthread_mutex_unlock(&log_mtx);
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

/*	$fivefifty: util.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	util 3h - logging with a severity ladder, memory, and escaping of
 *	peer text; the one rule for failures
 * SYNOPSIS
 *	#include "util/util.h"
 *
 *	void	log_init(const char *progname, int verbose);
 *	void	log_warn(const char *fmt, ...);	    with strerror(errno)
 *	void	log_warnx(const char *fmt, ...);
 *	void	log_err(const char *fmt, ...);	    with strerror(errno)
 *	void	log_errx(const char *fmt, ...);	    the command fails
 *	void	log_info(const char *fmt, ...);
 *	void	log_debug(const char *fmt, ...);
 *	void	log_defer(int on);
 *	void	log_flush(void);
 *	void	fatal(int status, const char *fmt, ...);  with strerror(errno)
 *	void	fatalx(int status, const char *fmt, ...);
 *	void	panic(const char *fmt, ...);	    our own invariant broke: abort
 *
 *	void	*xmalloc(size_t size);
 *	void	*xcalloc(size_t nmemb, size_t size);
 *	void	*xreallocarray(void *p, size_t nmemb, size_t size);
 *	char	*xstrdup(const char *s);
 *	void	 xprefault(void *p, size_t len);
 *	void	*xgrowarray(void *p, size_t oldn, size_t newn, size_t size);
 *
 *	size_t	utf8_valid_len(const unsigned char *s, size_t n);
 *	void	esc_json(FILE *fp, const char *s, size_t len, size_t cap);
 *	void	esc_text(FILE *fp, const char *s, size_t len, size_t cap);
 *
 *	int	utc_format(long long t, char *buf, size_t len);
 *	const char *utc_text(long long t, char *buf, size_t len);
 *	size_t	reason_clean(char *out, size_t len, const char *in,
 *		    size_t inlen, int set);
 * DESCRIPTION
 *	The one rule for failures, in every module:
 *
 *	A module does not decide how the program ends. A function that can
 *	fail returns -1 (or NULL) and, when it has an err buffer, fills it
 *	with what failed: the object (path, key, address) and what to do.
 *	Its caller logs the message (log_err*() when the command fails,
 *	log_warn*() when it carries on) or hands it further up. Only cmd/
 *	and daemon/, at the top, end the program: they return a sysexits(3)
 *	status from the command, or call fatal() with one when the
 *	environment failed with nothing to clean up.
 *
 *	Memory comes from xmalloc(), xcalloc(), xreallocarray() and
 *	xstrdup(): they never return NULL; when memory is exhausted they
 *	say so and exit with EX_OSERR. A module uses plain malloc() only
 *	where it has a way on without the memory (a table that stays
 *	smaller, an input refused with "out of memory" in err), and never
 *	calls abort() for a failed allocation. xprefault() faults in the
 *	pages of a large array about to be filled, in one call;
 *	xgrowarray() grows an array so (its copy goes to such pages).
 *
 *	panic() is for fivefifty's own bugs only (an invariant broke): it
 *	aborts for a core dump.
 *
 *	The log functions write "progname: message" to stderr, where systemd
 *	hands it to the journal. warn: something failed and was recovered;
 *	error: the command fails and its caller exits with a status after
 *	cleaning up; fatal: the environment failed (a file, a permission, a
 *	system call), exit with status (a sysexits(3) code: EX_OSERR for a
 *	system call or memory, EX_IOERR for I/O, EX_NOINPUT for an input
 *	that cannot be opened, EX_UNAVAILABLE for a service); panic: a bug
 *	in fivefifty, abort for a core dump.
 *
 *	esc_json() writes the bytes as the inside of a JSON string: '"' and
 *	'\\' escaped, control characters as \uXXXX, valid UTF-8 kept, each
 *	byte of invalid UTF-8 as U+FFFD. esc_text() writes printable ASCII
 *	and valid UTF-8 as they are, and everything else (controls, DEL,
 *	invalid UTF-8, and the backslash itself) as a C-style escape, so a
 *	line of output is always one line. Both stop after cap input bytes
 *	and then write "..." (cap 0: no cap).
 *
 *	utc_format() writes seconds since the epoch as YYYY-MM-DDTHH:MM:SSZ
 *	(0, or -1 with buf "" when gmtime(3) cannot); utc_text() is the same
 *	for people, "-" for 0 (never) and for what cannot be shown (time.c).
 *	reason_clean() is the one sanitiser of a ban's reason: it copies in
 *	(at most inlen bytes, up to a NUL) into out, NUL-terminated and cut
 *	to len - 1 bytes, and returns the length written. set
 *	REASON_PRINTABLE keeps printable ASCII (0x20-0x7e) and drops every
 *	other byte: the reason an administrator gave, kept in the state and
 *	sent as one line. set REASON_WORDS keeps [A-Za-z0-9 ._-] and turns
 *	each run of other bytes into one '_', and gives "unspecified" when
 *	nothing but spaces and those '_' is left: what the Postfix map
 *	replies. set REASON_BARE keeps [A-Za-z0-9 ._-] and drops every
 *	other byte ("manual: spam" is "manual spam"): the firewall's copy of
 *	a ban's reason, which the map's reply is made from.
 * SECURITY
 *	Every string that came from a log line goes through one of these
 *	before it is printed.
 */
#ifndef FIVEFIFTY_UTIL_H
#define FIVEFIFTY_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sysexits.h>

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))

void	log_init(const char *, int);
void	log_warn(const char *, ...) PRINTFLIKE(1, 2);
void	log_warnx(const char *, ...) PRINTFLIKE(1, 2);
void	log_err(const char *, ...) PRINTFLIKE(1, 2);
void	log_errx(const char *, ...) PRINTFLIKE(1, 2);
void	log_info(const char *, ...) PRINTFLIKE(1, 2);
void	log_debug(const char *, ...) PRINTFLIKE(1, 2);
void	log_defer(int);
void	log_flush(void);
void	fatal(int, const char *, ...) PRINTFLIKE(2, 3)
	    __attribute__((noreturn));
void	fatalx(int, const char *, ...) PRINTFLIKE(2, 3)
	    __attribute__((noreturn));
void	panic(const char *, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
void	 xprefault(void *, size_t);
void	*xgrowarray(void *, size_t, size_t, size_t);

#define REASON_PRINTABLE	0	/* printable ASCII, the rest dropped */
#define REASON_WORDS		1	/* [A-Za-z0-9 ._-], runs of the rest
					 * one '_'; else "unspecified" */
#define REASON_BARE		2	/* [A-Za-z0-9 ._-], the rest dropped */

size_t	utf8_valid_len(const unsigned char *, size_t);
void	esc_json(FILE *, const char *, size_t, size_t);
void	esc_text(FILE *, const char *, size_t, size_t);
size_t	reason_clean(char *, size_t, const char *, size_t, int);

int	utc_format(long long, char *, size_t);
const char *utc_text(long long, char *, size_t);

#endif /* FIVEFIFTY_UTIL_H */

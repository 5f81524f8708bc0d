/*	$fivefifty: util.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	util 3h - logging with a severity ladder, and escaping of peer text
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
 *	void	fatal(const char *fmt, ...);	    with strerror(errno), exit 1
 *	void	fatalx(const char *fmt, ...);	    exit 1
 *	void	panic(const char *fmt, ...);	    our own invariant broke: abort
 *
 *	void	esc_json(FILE *fp, const char *s, size_t len, size_t cap);
 *	void	esc_text(FILE *fp, const char *s, size_t len, size_t cap);
 *
 *	int	utc_format(long long t, char *buf, size_t len);
 *	const char *utc_text(long long t, char *buf, size_t len);
 * DESCRIPTION
 *	The log functions write "progname: message" to stderr, where systemd
 *	hands it to the journal. warn: something failed and was recovered;
 *	error: the command fails and its caller exits with a status after
 *	cleaning up; fatal: the environment failed (a file, a permission),
 *	exit 1; panic:
 *	a bug in fivefifty, abort for a core dump.
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
 * SECURITY
 *	Every string that came from a log line goes through one of these
 *	before it is printed.
 */
#ifndef FIVEFIFTY_UTIL_H
#define FIVEFIFTY_UTIL_H

#include <stddef.h>
#include <stdio.h>

#define PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))

void	log_init(const char *, int);
void	log_warn(const char *, ...) PRINTFLIKE(1, 2);
void	log_warnx(const char *, ...) PRINTFLIKE(1, 2);
void	log_err(const char *, ...) PRINTFLIKE(1, 2);
void	log_errx(const char *, ...) PRINTFLIKE(1, 2);
void	log_info(const char *, ...) PRINTFLIKE(1, 2);
void	log_debug(const char *, ...) PRINTFLIKE(1, 2);
void	fatal(const char *, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));
void	panic(const char *, ...) PRINTFLIKE(1, 2) __attribute__((noreturn));

size_t	utf8_valid_len(const unsigned char *, size_t);
void	esc_json(FILE *, const char *, size_t, size_t);
void	esc_text(FILE *, const char *, size_t, size_t);

int	utc_format(long long, char *, size_t);
const char *utc_text(long long, char *, size_t);

#endif /* FIVEFIFTY_UTIL_H */

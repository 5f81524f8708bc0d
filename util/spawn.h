/*	$fivefifty: spawn.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	spawn 3h - run an external program (postmap, sendmail) under one
 *	policy
 * SYNOPSIS
 *	#include "util/spawn.h"
 *
 *	int	spawn_run(const struct spawn *sp, char *err, size_t errlen);
 * DESCRIPTION
 *	spawn_run() runs sp->path with the argv sp->argv (argv[0] included,
 *	NULL-terminated; no shell), waits for it and checks its exit status.
 *	It returns 0 when the program exited with status 0, else -1 with
 *	the reason in err.
 *
 *	The policy is the same for every program: an empty environment but
 *	for the variables named in sp->pass (a NULL-terminated list of names
 *	copied from fivefifty's own environment when set; NULL: none); an
 *	empty signal mask and the default action for every signal
 *	fivefifty catches or ignores; no descriptor but 0, 1 and 2 (glibc
 *	2.34 and later; the others are close-on-exec anyway); standard input
 *	the sp->inlen bytes at sp->in (NULL: /dev/null); standard output on
 *	/dev/null with SPAWN_STDOUT_NULL in sp->flags, else fivefifty's;
 *	standard error read with SPAWN_STDERR_KEEP (its first line, reduced
 *	to printable ASCII and at most 200 bytes, ends the failure message),
 *	else fivefifty's. It is killed (SIGKILL) after sp->timeout seconds.
 *
 *	The messages name the command as sp->name, or when that is NULL as
 *	its path and arguments ("/usr/sbin/sendmail -t -oi"):
 *	"cannot run PATH: REASON" (after "NAME: " when sp->name is set),
 *	"NAME exited with status N", "NAME killed by signal N", "NAME killed
 *	after N seconds" (each with ": " and the first line of standard
 *	error when it was kept and said something), "writing to NAME:
 *	REASON" (standard input not taken whole by a program that then
 *	exited 0), and "NAME: pipe: REASON" or "NAME: waitpid: REASON".
 * SECURITY
 *	No shell, a fixed argv and environment: nothing of fivefifty's
 *	environment reaches the program unless named. The caller must not
 *	ignore SIGCHLD (the status is collected with waitpid()). SIGPIPE is
 *	blocked in the calling thread while standard input is written, and
 *	one it caused is discarded.
 */
#ifndef FIVEFIFTY_SPAWN_H
#define FIVEFIFTY_SPAWN_H

#include <stddef.h>

#define SPAWN_STDOUT_NULL	0x01	/* its stdout on /dev/null */
#define SPAWN_STDERR_KEEP	0x02	/* its stderr read for the message */

struct spawn {
	const char	 *path;		/* absolute path of the program */
	char *const	 *argv;		/* argv[0] included, NULL-terminated */
	const char *const *pass;	/* names of variables passed on */
	const char	 *name;		/* the command in messages; NULL:
					 * path and arguments */
	const char	 *in;		/* its stdin; NULL: /dev/null */
	size_t		  inlen;
	int		  flags;	/* SPAWN_STDOUT_NULL, SPAWN_STDERR_KEEP */
	int		  timeout;	/* seconds before it is killed */
};

int	spawn_run(const struct spawn *, char *, size_t);

#endif /* FIVEFIFTY_SPAWN_H */

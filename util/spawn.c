/*	$fivefifty: spawn.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	spawn 3 - run postmap or sendmail: fixed argv and environment,
 *	default signals, a timeout, the exit status checked
 * SYNOPSIS
 *	See spawn.h.
 * DESCRIPTION
 *	spawn_run() starts the program with posix_spawn(), then waits in
 *	one poll(2) loop on what is left to do: its standard input to
 *	write, its standard error to read, and its exit (a pidfd; without
 *	one, Linux before 5.3, the exit is waited for once both pipes are
 *	done, so the timeout covers the pipes only). At the deadline it is
 *	killed with SIGKILL. Its status is then collected with waitpid().
 * SECURITY
 *	See spawn.h. The pipes are close-on-exec on fivefifty's side, so a
 *	program started meanwhile by another thread holds none of them.
 * DIAGNOSTICS
 *	Nothing is logged here: every failure is a message in err.
 */
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

#define SPAWN_ENV_MAX	16		/* variables passed on */
#define SPAWN_NAME_MAX	512		/* the command in messages */
#define SPAWN_MSG_MAX	1024		/* of its stderr, kept */
#define SPAWN_LINE_MAX	200		/* of that, in the message */

extern char **environ;

/* What one run has open, and what it found. */
struct run {
	pid_t		 pid;
	int		 in;		/* its stdin, our end; -1: done */
	int		 err;		/* its stderr, our end; -1: done */
	int		 pidfd;		/* -1: none */
	size_t		 off;		/* of sp->in written */
	int		 werr;		/* errno of a failed write, or 0 */
	int		 killed;	/* at the deadline */
	char		 msg[SPAWN_MSG_MAX];
	size_t		 mlen;
};

static void	spawn_name(const struct spawn *, char *, size_t);
static void	spawn_env(const char *const *, char **);
static int	spawn_start(const struct spawn *, struct run *, const char *,
		    char *, size_t);
static void	spawn_wait(const struct spawn *, struct run *);
static void	spawn_write(const struct spawn *, struct run *);
static void	spawn_read(struct run *);
static long	ms_left(const struct timespec *, int);
static void	line_clean(char *);
static int	spawn_status(const struct spawn *, struct run *, const char *,
		    char *, size_t);

/* spawn_name - the command as messages name it */
static void
spawn_name(const struct spawn *sp, char *buf, size_t len)
{
	size_t	o, i;

	if (sp->name != NULL) {
		snprintf(buf, len, "%s", sp->name);
		return;
	}
	snprintf(buf, len, "%s", sp->path);
	for (i = 1; sp->argv[0] != NULL && sp->argv[i] != NULL; i++) {
		o = strlen(buf);
		snprintf(buf + o, len - o, " %s", sp->argv[i]);
	}
}

/* spawn_env - the variables named in pass that are set, as envp */
static void
spawn_env(const char *const *pass, char **envp)
{
	size_t	i, k = 0, n;
	char	**e;

	for (i = 0; pass != NULL && pass[i] != NULL && k < SPAWN_ENV_MAX;
	    i++) {
		n = strlen(pass[i]);
		for (e = environ; e != NULL && *e != NULL; e++)
			if (strncmp(*e, pass[i], n) == 0 && (*e)[n] == '=') {
				envp[k++] = *e;
				break;
			}
	}
	envp[k] = NULL;
}

/* spawn_start - the pipes and the process; -1 with err when it cannot
 * run */
static int
spawn_start(const struct spawn *sp, struct run *r, const char *name,
    char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t	 none, dfl;
	char		*envp[SPAWN_ENV_MAX + 1];
	int		 pin[2] = { -1, -1 }, perr[2] = { -1, -1 }, e;

	if ((sp->in != NULL && pipe2(pin, O_CLOEXEC) == -1) ||
	    ((sp->flags & SPAWN_STDERR_KEEP) && pipe2(perr, O_CLOEXEC) == -1)) {
		snprintf(err, errlen, "%s: pipe: %s", name, strerror(errno));
		if (pin[0] != -1) {
			close(pin[0]);
			close(pin[1]);
		}
		return (-1);
	}
	posix_spawn_file_actions_init(&fa);
	if (sp->in != NULL)
		posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
		    0);
	if (sp->flags & SPAWN_STDOUT_NULL)
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
		    0);
	if (sp->flags & SPAWN_STDERR_KEEP)
		posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
#ifdef __GLIBC_PREREQ
#if __GLIBC_PREREQ(2, 34)
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
#endif
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGQUIT);
	sigaddset(&dfl, SIGALRM);
	sigaddset(&dfl, SIGUSR1);
	sigaddset(&dfl, SIGUSR2);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dfl);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF);
	spawn_env(sp->pass, envp);
	e = posix_spawn(&r->pid, sp->path, &fa, &at, sp->argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (pin[0] != -1)
		close(pin[0]);
	if (perr[1] != -1)
		close(perr[1]);
	r->in = pin[1];
	r->err = perr[0];
	if (e != 0) {
		if (r->in != -1)
			close(r->in);
		if (r->err != -1)
			close(r->err);
		r->in = r->err = -1;
		snprintf(err, errlen, "%s%scannot run %s: %s", sp->name != NULL ?
		    sp->name : "", sp->name != NULL ? ": " : "", sp->path,
		    strerror(e));
		return (-1);
	}
	if (r->in != -1)
		(void)fcntl(r->in, F_SETFL, O_NONBLOCK);
	if (r->err != -1)
		(void)fcntl(r->err, F_SETFL, O_NONBLOCK);
	r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0);
	return (0);
}

/* ms_left - milliseconds until t0 + secs, at least 0 */
static long
ms_left(const struct timespec *t0, int secs)
{
	struct timespec	 t1;
	long		 used;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	used = (long)(t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
	return (used >= (long)secs * 1000 ? 0 : (long)secs * 1000 - used);
}

/* spawn_write - more of its stdin; closed when all of it is written or
 * it cannot take more */
static void
spawn_write(const struct spawn *sp, struct run *r)
{
	ssize_t	w;

	if (r->off < sp->inlen) {
		w = write(r->in, sp->in + r->off, sp->inlen - r->off);
		if (w == -1 && (errno == EINTR || errno == EAGAIN))
			return;
		if (w == -1)
			r->werr = errno;
		else
			r->off += (size_t)w;
	}
	if (r->werr != 0 || r->off == sp->inlen) {
		close(r->in);
		r->in = -1;
	}
}

/* spawn_read - what its stderr holds now, the first bytes kept; closed
 * at its end */
static void
spawn_read(struct run *r)
{
	char	drain[512];
	ssize_t	n;

	for (;;) {
		if (r->mlen + 1 < sizeof(r->msg))
			n = read(r->err, r->msg + r->mlen, sizeof(r->msg) - 1 -
			    r->mlen);
		else
			n = read(r->err, drain, sizeof(drain));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close(r->err);
			r->err = -1;
			return;
		}
		if (r->mlen + 1 < sizeof(r->msg))
			r->mlen += (size_t)n;
	}
}

/* spawn_wait - feed and read it until it exits or the deadline; then
 * its pipes are closed */
static void
spawn_wait(const struct spawn *sp, struct run *r)
{
	struct timespec	 t0;
	struct pollfd	 pfd[3];
	long		 left;
	int		 n, i, gone = 0;

	if (r->in != -1 && r->off == sp->inlen) {
		close(r->in);
		r->in = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!gone && (r->in != -1 || r->err != -1 || r->pidfd != -1)) {
		n = 0;
		if (r->in != -1)
			pfd[n++] = (struct pollfd){ r->in, POLLOUT, 0 };
		if (r->err != -1)
			pfd[n++] = (struct pollfd){ r->err, POLLIN, 0 };
		if (r->pidfd != -1)
			pfd[n++] = (struct pollfd){ r->pidfd, POLLIN, 0 };
		if ((left = ms_left(&t0, sp->timeout)) == 0 ||
		    (poll(pfd, (nfds_t)n, (int)left) == -1 && errno != EINTR)) {
			kill(r->pid, SIGKILL);
			r->killed = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == r->in)
				spawn_write(sp, r);
			else if (pfd[i].fd == r->err)
				spawn_read(r);
			else
				gone = 1;
		}
	}
	if (gone && r->err != -1)
		spawn_read(r);		/* what it said before it exited */
	if (r->in != -1) {
		if (r->off < sp->inlen && r->werr == 0)
			r->werr = EPIPE;	/* it exited without reading */
		close(r->in);
	}
	if (r->err != -1)
		close(r->err);
	if (r->pidfd != -1)
		close(r->pidfd);
	r->in = r->err = r->pidfd = -1;
	r->msg[r->mlen] = '\0';
	line_clean(r->msg);
}

/* line_clean - the first line of text, printable ASCII, at most 200 */
static void
line_clean(char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && s[i] != '\n' && i < SPAWN_LINE_MAX; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '?'))
		i--;
	s[i] = '\0';
}

/* spawn_status - its exit checked: 0, or -1 with why in err */
static int
spawn_status(const struct spawn *sp, struct run *r, const char *name,
    char *err, size_t errlen)
{
	const char	*sep = r->msg[0] != '\0' ? ": " : "";
	int		 st;

	while (waitpid(r->pid, &st, 0) == -1) {
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: waitpid: %s", name,
			    strerror(errno));
			return (-1);
		}
	}
	if (r->killed) {
		snprintf(err, errlen, "%s killed after %d seconds%s%s", name,
		    sp->timeout, sep, r->msg);
		return (-1);
	}
	if (WIFSIGNALED(st)) {
		snprintf(err, errlen, "%s killed by signal %d%s%s", name,
		    WTERMSIG(st), sep, r->msg);
		return (-1);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "%s exited with status %d%s%s", name,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1, sep, r->msg);
		return (-1);
	}
	if (r->werr != 0) {
		snprintf(err, errlen, "writing to %s: %s", name,
		    strerror(r->werr));
		return (-1);
	}
	return (0);
}

/* spawn_run - run the program under the policy; its status checked */
int
spawn_run(const struct spawn *sp, char *err, size_t errlen)
{
	struct run	 r;
	struct timespec	 zero = { 0, 0 };
	sigset_t	 pipe_set, old, pending;
	char		 name[SPAWN_NAME_MAX];
	int		 rc, had;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&r, 0, sizeof(r));
	r.in = r.err = r.pidfd = -1;
	spawn_name(sp, name, sizeof(name));
	/* A reader that exits early gives EPIPE, not a SIGPIPE that would
	 * end fivefifty; one raised here is taken back below. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	had = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
	rc = spawn_start(sp, &r, name, err, errlen);
	if (rc == 0) {
		spawn_wait(sp, &r);
		rc = spawn_status(sp, &r, name, err, errlen);
	}
	if (!had)
		while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
			continue;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return (rc);
}

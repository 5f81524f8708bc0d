/*	$fivefifty: daemon.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	daemon 3h - fivefifty run: the loop, its control socket, systemd
 * SYNOPSIS
 *	#include "daemon/daemon.h"
 *
 *	int	daemon_run(const struct daemon_args *a);
 *	int	daemon_log_source(const struct ff_conf *c, long long now,
 *		    char *why, size_t whylen);
 *	int	ctl_call(const char *sock, const char *request, char **reply,
 *		    char *err, size_t errlen);
 *	int	ctl_decode(const char *text, size_t len, struct ctl_req *r,
 *		    char *err, size_t errlen);
 *	int	ctl_probe(const char *path, char *err, size_t errlen);
 * DESCRIPTION
 *	daemon_run() is `fivefifty run`: one poll() over the tailer, the
 *	control socket and its clients, the firewall's change monitor and a
 *	signalfd, with timers from their deadlines. Each line is parsed and
 *	scored; a ban goes to the kernel and the map at once, and the state
 *	(with the tailer positions of the lines that made it) is flushed once
 *	a second in one transaction. SIGTERM and SIGINT flush and exit 0;
 *	SIGHUP reads the configuration again with a->reread (a broken file
 *	is reported and the running configuration kept). Under systemd it
 *	speaks sd_notify: READY, STATUS with counters, WATCHDOG, RELOADING,
 *	STOPPING. Started as root it makes its directories, then drops to
 *	the configured user keeping only CAP_NET_ADMIN. It returns the exit
 *	status (sysexits(3)).
 *
 *	struct daemon_args is what the command line gives the daemon: the
 *	configuration it read (a->conf, the caller's: not freed by the
 *	daemon), -v, and the reader a reload calls: a->reread(a->arg, nc,
 *	&path) fills nc as the command line would (the file, then its
 *	overrides), sets path to the file it read, and returns 0, or -1
 *	after saying on stderr what is wrong (file, line).
 *
 *	daemon_log_source() (log_source.c) is the log run reads, as
 *	log_source says: LOG_SOURCE_FILE or LOG_SOURCE_JOURNAL, with the
 *	reason in why (check says it too).
 *
 *	The control protocol is one request line and a reply of lines, the
 *	last "ok" or "error: TEXT":
 *	    ban NET SECONDS REASON	a manual ban
 *	    unban NET			lift a ban, forget its evidence
 *	    status			"key value" lines
 *	    metrics			the Prometheus metrics (metrics.c)
 *	ctl_call() sends one request to the daemon's socket and returns 0
 *	with the reply (malloc'd, without the final "ok" line), 1 with the
 *	reply's error text in err, -1 when no daemon listens, or -2 when it
 *	could not talk to it otherwise (no permission); err says why.
 *	ctl_decode() (ctl_decode.c) turns one request line into a struct
 *	ctl_req, or refuses it (SECONDS must lie in 1 to CTL_BAN_MAX).
 *	ctl_probe() looks at what is at a control_socket path: 0 nothing,
 *	1 a stale socket (nobody answers: it may be replaced), 2 a live one
 *	(another daemon answers), -1 anything else (a file, a directory: it
 *	is never removed), with err naming the path and what to do.
 * SECURITY
 *	The socket is mode 0660, group control_group; a client is accepted
 *	when its peer credentials (SO_PEERCRED, SO_PEERGROUPS) show root,
 *	the daemon's own user, or membership of control_group. Requests are
 *	capped at CTL_LINE_MAX bytes and decoded strictly (ctl_decode());
 *	one uid holds at most CTL_PEER_MAX of the CTL_CLIENTS connections
 *	that wait for a whole line. A peer that is not allowed reads why.
 */
#ifndef FIVEFIFTY_DAEMON_H
#define FIVEFIFTY_DAEMON_H

#include <stddef.h>

#define CTL_LINE_MAX	512
#define CTL_NET_MAX	64			/* bytes of ADDR[/LEN] */
#define CTL_BAN_MAX	(3650LL * 86400)	/* seconds of a manual ban */

struct ff_conf;

enum ctl_op { CTL_STATUS = 1, CTL_BAN, CTL_UNBAN, CTL_METRICS };

struct ctl_req {
	enum ctl_op	 op;
	char		 net[CTL_NET_MAX + 1];	/* ban, unban: as sent */
	long long	 secs;			/* ban: 1 to CTL_BAN_MAX */
	char		 reason[CTL_LINE_MAX];	/* ban: printable, maybe "" */
};

struct daemon_args {
	struct ff_conf	*conf;		/* read by the caller, kept by it */
	int		 verbose;	/* -v */
	int		(*reread)(void *, struct ff_conf *, const char **);
	void		*arg;		/* reread's */
};

int	daemon_run(const struct daemon_args *);
int	daemon_log_source(const struct ff_conf *, long long, char *, size_t);
int	ctl_call(const char *, const char *, char **, char *, size_t);
int	ctl_decode(const char *, size_t, struct ctl_req *, char *, size_t);
int	ctl_probe(const char *, char *, size_t);

#endif /* FIVEFIFTY_DAEMON_H */

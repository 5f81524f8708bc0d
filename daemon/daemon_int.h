/*	$fivefifty: daemon_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	daemon_int 3h - what the daemon's files share
 * DESCRIPTION
 *	struct daemon is the running daemon: its configuration, the parts of
 *	the pipeline (parser, scorer, state, enforcer, tailer), the control
 *	socket and its clients, and the counters status reports.
 *
 *	loop.c runs it; source.c opens and reads its log, the files or the
 *	journal, as log_source.c chooses (source_file_ok() refuses a
 *	mail_log that cannot be followed); control.c serves the socket and
 *	calls
 *	daemon_ban(), daemon_unban() and daemon_status(); privs.c drops
 *	root; notify.c talks to systemd; statewrite.c makes the state's
 *	writer retry and says how it fares; cluster.c applies the bans and
 *	unbans of the other nodes sharing a PostgreSQL state; metrics.c
 *	counts for the Prometheus metrics and writes metrics_file.
 */
#ifndef FIVEFIFTY_DAEMON_INT_H
#define FIVEFIFTY_DAEMON_INT_H

#include <sys/types.h>

#include <stdio.h>

#include "breaker.h"
#include "metrics.h"
#include "conf/conf.h"
#include "daemon.h"
#include "firewall/firewall.h"
#include "parse/parse.h"
#include "score/score.h"
#include "tailer/tailer.h"
#include "wire/wire.h"

#define CTL_CLIENTS	16
#define CTL_TIMEOUT_MS	5000	/* to send a whole request line */
#define CTL_PEER_MAX	4	/* clients one uid may hold at a time */
#define CLUSTER_REFUSED_MAX	32	/* remote bans refused, said once */

struct ctl_client {
	int		 fd;		/* -1: free */
	uid_t		 uid;		/* the peer's, from SO_PEERCRED */
	char		 buf[CTL_LINE_MAX];
	size_t		 len;
	long long	 since_ms;	/* accepted at */
};

/* A manual ban or unban in the spool (spool.c). */
struct spool_entry {
	long long	 seq;
	int		 unban;
	char		 net[PF_ADDR_MAX + 8];
	long long	 at, until;
	char		 reason[64];
};

struct spool;

struct daemon {
	const struct daemon_args *args;	/* the command line's */
	struct ff_conf	*conf;
	struct ff_conf	*orig;		/* the caller's (not freed here) */
	struct pf_parser *p;		/* the log order's (the years) */
	struct par	*par;		/* parse threads, or NULL */
	long long	 ref_minute;	/* of the year reference set last */
	struct scorer	*s;
	struct state	*st;
	struct fw	*fw;
	struct tailer	*t;		/* the files (source.c), or */
	struct journal	*j;		/* the journal */
	int		 source;	/* LOG_SOURCE_FILE or _JOURNAL */
	char		 source_why[1400];
	char		 jkey[1100];	/* the journal's positions row */
	char		 jcursor[JOURNAL_CURSOR_MAX];
	struct pf_epoch_cache ec;
	struct state_pos pos[CONF_MAX_LOGS];
	char		 pos_path[CONF_MAX_LOGS][1024];	/* pos[].path */
	int		 npos;
	int		 dirty;		/* lines or bans since the last flush */
	int		 stalled;	/* log reading paused: the writer is behind */
	int		 urgent;	/* a ban or unban the other nodes wait
					 * for: written once the writer is free */
	int		 fw_pending;	/* decisions not flushed to the kernel */
	int		 sigfd;
	int		 ctl_fd;
	struct ctl_client clients[CTL_CLIENTS];
	gid_t		 ctl_gid;	/* control_group, or (gid_t)-1 */
	char		 ctl_path[108];	/* the socket we bound (sun_path) */
	dev_t		 ctl_dev;	/* and its inode: removed at the end */
	ino_t		 ctl_ino;	/* only while it is still ours */
	int		 stop, verbose;
	long long	 started;	/* epoch seconds */
	long long	 last_flush_ms, last_status_ms, last_watchdog_ms;
	unsigned long long lines, events, bans, unbans, flushes;
	unsigned long long rate_lines;	/* events at the last rate sample */
	double		 rate;		/* events per second, smoothed */
	long long	 rate_ms;
	unsigned long long state_errors;
	long long	 pruned_day;	/* log day of the last prune */
	char		 last_error[1400];
	struct spool	*sp;		/* manual actions (NULL: none) */
	struct breaker	*br;		/* ban_rate_limit */
	int		 breaker_open;	/* at the last timers() */
	unsigned long long other_host;	/* lines not of log_hostname */
	unsigned long long clock_warned;	/* clock rejects logged */
	long long	 clock_warn_at;	/* when (epoch seconds) */
	unsigned long long cl_bans, cl_unbans;	/* from the other nodes */
	char		 cl_refused[CLUSTER_REFUSED_MAX][64];	/* said */
	unsigned	 cl_nrefused;
	struct metrics	 m;		/* metrics.c: for metrics_file */
};

long long now_ms(void);
int	daemon_ban(struct daemon *, const char *, long long, const char *,
	    char *, size_t);
int	daemon_unban(struct daemon *, const char *, char *, size_t);
void	daemon_status(struct daemon *, FILE *);

int	source_open(struct daemon *);
void	source_start(struct daemon *);
int	source_fd(const struct daemon *);
int	source_pending(const struct daemon *);
int	source_timeout(const struct daemon *);
int	source_read(struct daemon *, tail_cb, unsigned);
void	source_positions(struct daemon *);
void	source_status(const struct daemon *, FILE *);
int	source_same(const struct ff_conf *, const struct ff_conf *);
int	source_files_ok(const struct ff_conf *);
int	source_file_ok(const char *, char *, size_t);
void	source_free(struct daemon *);

void	cluster_start(struct daemon *);
int	cluster_fd(const struct daemon *);
void	cluster_read(struct daemon *);
void	cluster_status(struct daemon *, FILE *);

void	statewrite_start(struct daemon *);
void	statewrite_recover(struct daemon *);
void	statewrite_hold(struct daemon *);
long long statewrite_manual(struct daemon *, struct spool_entry *, char *,
	    size_t);
void	statewrite_mark(struct daemon *, const struct score_decision *, int);
void	statewrite_stored(struct daemon *);
void	statewrite_status(struct daemon *, FILE *);
int	statewrite_full(struct daemon *);

struct spool *spool_open(const char *, char *, size_t);
int	spool_read(struct spool *, long long, int (*)(void *,
	    const struct spool_entry *), void *);
long long spool_append(struct spool *, struct spool_entry *, char *, size_t);
void	spool_stored(struct spool *, long long);
long long spool_unstored(const struct spool *, long long);
void	spool_close(struct spool *);

int	ctl_open(struct daemon *, char *, size_t);
void	ctl_accept(struct daemon *);
void	ctl_read(struct daemon *, int);
void	ctl_expire(struct daemon *, long long);
void	ctl_close(struct daemon *);

int	privs_prepare(const struct ff_conf *, char *, size_t);
int	privs_drop(const struct ff_conf *, char *, size_t);

void	notify_ready(void);
void	notify_reloading(void);
void	notify_stopping(void);
void	notify_status(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	notify_watchdog(void);
long long notify_watchdog_ms(void);

#endif /* FIVEFIFTY_DAEMON_INT_H */

/*	$fivefifty: cluster.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	cluster 3 - the other nodes' bans, in this node's kernel set and map
 * SYNOPSIS
 *	void	cluster_start(struct daemon *d);
 *	int	cluster_fd(const struct daemon *d);
 *	void	cluster_read(struct daemon *d);
 *	void	cluster_status(struct daemon *d, FILE *out);
 * DESCRIPTION
 *	Nodes that share a PostgreSQL state share their bans: a ban another
 *	node decided or made by hand, and an unban, come from the state as
 *	they commit (state_watch_bans(); a SQLite state has no other node
 *	and none of this does anything). cluster_start() starts following
 *	them; start() calls it before the enforcer reads the bans in force,
 *	so that nothing committed in between is missed. cluster_fd() is the
 *	descriptor for poll() (-1: none), readable when some wait;
 *	cluster_read() applies them:
 *	- a ban still running by the wall clock goes into the enforcer with
 *	  its end, so that the kernel element's timeout is the ban's
 *	  remaining time and the map has it, flushed to the kernel at once;
 *	  the scorer is told (scorer_remote_ban()) so that it neither
 *	  decides it again nor stores it: a remote ban is never written back
 *	  to the state by this node;
 *	- a ban of a network this node protects (loopback, its whitelist,
 *	  its own addresses, Postfix's mynetworks: fw_refuses()) is not
 *	  enforced here nor told to the scorer, and said once per network
 *	  (the last CLUSTER_REFUSED_MAX remembered);
 *	- an unban lifts the ban here (kernel and map) and makes the scorer
 *	  forget the client's score and memory, as an unban on this node
 *	  does.
 *	cluster_status() adds the "key value" lines of status: whether the
 *	other nodes' bans are followed (cluster_bans ok, down since TIME,
 *	or off), and how many bans and unbans came from them.
 * SECURITY
 *	The rows come from the shared state, written by fivefifty nodes;
 *	their address is parsed again, their reason reduced by the enforcer
 *	as any ban's, and what is logged is capped.
 * DIAGNOSTICS
 *	Each remote ban and unban applied is logged (log_info()) with the
 *	node that made it; a refused one with log_warnx(), once.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon_int.h"
#include "util/util.h"

/* refused_once - a remote ban this node protects: said the first time
 * for its network */
static void
refused_once(struct daemon *d, const struct state_ban *b)
{
	unsigned	i;

	for (i = 0; i < CLUSTER_REFUSED_MAX; i++)
		if (strcmp(d->cl_refused[i], b->addr) == 0)
			return;
	snprintf(d->cl_refused[d->cl_nrefused++ % CLUSTER_REFUSED_MAX],
	    sizeof(d->cl_refused[0]), "%s", b->addr);
	log_warnx("ban of %s by node %.64s not enforced here: this node "
	    "protects it (loopback, whitelist, its own addresses or "
	    "mynetworks)", b->addr, b->node != NULL ? b->node : "?");
}

/* apply - one ban or unban of another node; 1 when the enforcer
 * changed */
static int
apply(struct daemon *d, const struct state_ban *b)
{
	struct fw_ban	 fb;
	struct net_prefix n;
	const char	*node = b->node != NULL ? b->node : "?";
	char		 u[32];

	if (net_parse(b->addr, &n) == -1)
		return (0);
	net_mask(&n, b->prefix_len);
	if (b->op == STATE_OP_LIFT) {
		(void)scorer_remote_ban(d->s, b->addr, b->at, b->at, 0);
		if (!fw_banned(d->fw, &n))
			return (0);
		(void)fw_unban(d->fw, &n);
		d->cl_unbans++;
		log_info("unban %s (by node %.64s)", b->addr, node);
		return (1);
	}
	if (b->until <= (long long)time(NULL))
		return (0);	/* ended, or lifted since */
	if (fw_refuses(d->fw, &n)) {
		refused_once(d, b);
		return (0);
	}
	memset(&fb, 0, sizeof(fb));
	fb.net = n;
	fb.until = b->until;
	snprintf(fb.reason, sizeof(fb.reason), "%.63s", b->reason);
	if (fw_ban(d->fw, &fb) != 0)
		return (0);
	(void)scorer_remote_ban(d->s, b->addr, b->at, b->until, b->n);
	d->cl_bans++;
	log_info("ban %s until %s (ban %d by node %.64s): %.128s", b->addr,
	    utc_text(b->until, u, sizeof(u)), b->n, node, b->reason);
	return (1);
}

/* A cluster_read(): the daemon, and whether the enforcer changed. */
struct cl_read {
	struct daemon	*d;
	int		 changed;
};

/* row - state_watch_bans()'s function */
static int
row(void *arg, const struct state_ban *b)
{
	struct cl_read	*r = arg;

	r->changed |= apply(r->d, b);
	return (0);
}

/* cluster_start - follow the other nodes' bans (said when it cannot) */
void
cluster_start(struct daemon *d)
{
	char	err[512];

	if (state_watch_start(d->st, err, sizeof(err)) == -1)
		log_warnx("state database %s: the other nodes' bans are not "
		    "followed: %s", d->conf->state_db, err);
}

/* cluster_fd - for poll(): readable when the other nodes' bans wait */
int
cluster_fd(const struct daemon *d)
{
	return (state_watch_fd(d->st));
}

/* cluster_read - the other nodes' bans that wait, applied; into the
 * kernel at once */
void
cluster_read(struct daemon *d)
{
	struct cl_read	 r = { d, 0 };

	(void)state_watch_bans(d->st, row, &r);
	if (r.changed)
		(void)fw_flush(d->fw, time(NULL));
}

/* cluster_status - status lines: the link, and what came by it */
void
cluster_status(struct daemon *d, FILE *out)
{
	long long	 since = 0;
	char		 u[32];
	int		 up;

	up = state_watch_up(d->st, &since);
	if (up == 1)
		fprintf(out, "cluster_bans ok\n");
	else if (up == 0)
		fprintf(out, "cluster_bans down since %s\n", since != 0 ?
		    utc_text(since, u, sizeof(u)) : "start");
	else
		fprintf(out, "cluster_bans off\n");
	fprintf(out, "remote_bans %llu\nremote_unbans %llu\n", d->cl_bans,
	    d->cl_unbans);
}

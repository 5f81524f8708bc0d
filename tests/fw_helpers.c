/*	$fivefifty: fw_helpers.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fw_helpers 3 - what the start tests share: a watcher of nf_tables
 *	commits, a fresh configuration and state, bans into it
 * SYNOPSIS
 *	See tests.h: fw_watch_open(), fw_watch_read(), fw_fresh(),
 *	fw_put_ban(), fw_count_of(), fw_rm_dir().
 * DESCRIPTION
 *	fw_watch_open() is a netlink socket in the nf_tables notification
 *	group (as `nft monitor`); fw_watch_read() counts what is queued on
 *	it: commits (NEWGEN), rules, element additions and deletions, and
 *	rules or additions after a commit (late). The kernel notifies
 *	inside the sendmsg() of a batch, so all of it is there by then.
 *	fw_fresh() gives the defaults with the kernel only (no map) and a
 *	new state in dir (mkdtemp's template); fw_put_ban() stores a ban
 *	as the daemon does. fw_count_of() is the number a shell command
 *	prints; fw_rm_dir() removes a test's own directory.
 *	Failures fail the test (cmocka).
 */
#include <sys/socket.h>

#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "tests.h"
#include "conf/conf.h"
#include "state/state.h"

/* fw_watch_open - a netlink socket on the nf_tables notification group */
int
fw_watch_open(void)
{
	struct sockaddr_nl sa;
	int		 fd, sz = 8 << 20;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    NETLINK_NETFILTER);
	assert_true(fd >= 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = 1U << (NFNLGRP_NFTABLES - 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return (fd);
}

/* fw_watch_read - count what is queued on the watcher */
void
fw_watch_read(int fd, struct fw_seen *g)
{
	char		 buf[65536];
	struct nlmsghdr	*nlh;
	ssize_t		 n;
	int		 len, type;

	memset(g, 0, sizeof(*g));
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1)
			fail_msg("nf_tables notifications: %s (some lost: "
			    "the count means nothing)", strerror(errno));
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			if (NFNL_SUBSYS_ID(nlh->nlmsg_type) !=
			    NFNL_SUBSYS_NFTABLES)
				continue;
			type = NFNL_MSG_TYPE(nlh->nlmsg_type);
			if (type == NFT_MSG_NEWGEN)
				g->gens++;
			else if (type == NFT_MSG_DELSETELEM)
				g->dels++;
			else if (type == NFT_MSG_NEWRULE ||
			    type == NFT_MSG_NEWSETELEM) {
				if (type == NFT_MSG_NEWRULE)
					g->rules++;
				else
					g->elems++;
				if (g->gens > 0)
					g->late++;
			}
		}
	}
}

/* fw_rm_dir - the test's own directory gone (its name: mkdtemp's) */
void
fw_rm_dir(const char *dir)
{
	char		cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(sh(cmd, NULL));
}

/* fw_fresh - the defaults with the kernel only (no map), and a new state
 * in dir (mkdtemp's template), its file's name in path */
struct ff_conf *
fw_fresh(char *dir, char *path, size_t pathlen, struct state **st)
{
	struct ff_conf	*c = calloc(1, sizeof(*c));
	char		 err[512];

	assert_non_null(c);
	conf_defaults(c);
	c->fw.map[0] = '\0';		/* the kernel only */
	assert_non_null(mkdtemp(dir));
	snprintf(path, pathlen, "%s/state.db", dir);
	if ((*st = state_open(path, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", path, err);
	return (c);
}

/* fw_put_ban - a ban into the state, as the daemon stores one */
void
fw_put_ban(struct state *st, const char *addr, int len, int family,
    long long at, long long until)
{
	struct state_batch *b = state_batch_new();
	struct state_ban d;

	memset(&d, 0, sizeof(d));
	d.op = STATE_OP_BAN;
	d.addr = addr;
	d.prefix_len = len;
	d.family = family;
	d.at = at;
	d.until = until;
	d.n = 1;
	d.score = 9;
	d.reason = "five-fifty";
	assert_int_equal(state_batch_ban(b, &d), 0);
	assert_int_equal(state_write(st, b), 0);	/* takes b */
	assert_int_equal(state_sync(st), 0);
}

/* fw_count_of - the number a shell command prints */
int
fw_count_of(const char *cmd)
{
	char		*out = sh(cmd, NULL);
	int		 n = atoi(out);

	free(out);
	return (n);
}

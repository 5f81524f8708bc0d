/*	$fivefifty: cmd_fw.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	cmd_fw 3 - the enforcer as the commands start it
 * SYNOPSIS
 *	struct fw *cmd_fw_open(const char *cmd, const struct ff_conf *c,
 *		    struct state *st, long long now, int *status);
 *	int	cmd_fw_decision(struct fw *f, const struct score_decision *d);
 *	const char *cmd_protected_by(const struct ff_conf *c,
 *		    const struct net_prefix *n);
 * DESCRIPTION
 *	cmd_fw_open() makes the firewall configuration (the protected
 *	networks: the loopback key, the whitelist and every address of this
 *	host's interfaces), opens the enforcer, puts in force the bans the
 *	state database says are still running at now, and reconciles the
 *	kernel sets and the map with them. An unusable firewall is reported
 *	and the map still written, unless firewall_required = yes: then NULL
 *	with *status = EX_UNAVAILABLE (69). A bad map or table configuration
 *	gives NULL with *status = EX_CONFIG.
 *
 *	cmd_fw_decision() hands one of the scorer's decisions to the
 *	enforcer. cmd_protected_by() names the list that protects a network
 *	from any ban (list and explain say it).
 */
#include <sys/socket.h>

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cmd.h"
#include "conf/conf.h"
#include "firewall/firewall.h"
#include "score/score.h"
#include "util/util.h"

/* protect_host - this host's own addresses, one by one */
static void
protect_host(struct fw_conf *fc)
{
	struct ifaddrs	*ifa, *i;
	struct net_prefix *n;

	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL && fc->nprotect < FW_MAX_PROTECT; i =
	    i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		n = &fc->protect[fc->nprotect];
		memset(n, 0, sizeof(*n));
		if (i->ifa_addr->sa_family == AF_INET) {
			n->family = 4;
			n->len = 32;
			memcpy(n->addr, &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			n->family = 6;
			n->len = 128;
			memcpy(n->addr, &((struct sockaddr_in6 *)(void *)
			    i->ifa_addr)->sin6_addr, 16);
		} else
			continue;
		fc->nprotect++;
	}
	freeifaddrs(ifa);
}

/* db_name - the state database's file, for messages */
static const char *
db_name(struct state *st)
{
	const char	*p = sqlite3_db_filename(state_db(st), "main");

	return (p != NULL && *p != '\0' ? p : "(in memory)");
}

/* load_bans - the bans still running at now, from the state */
static int
load_bans(struct fw *f, struct state *st, long long now)
{
	sqlite3_stmt	*q;
	struct fw_ban	 b;
	int		 rc, n = 0;

	/* The latest end per network; a bare column with max() comes from
	 * the row that has the max. What the breaker holds (held 1) waits
	 * for the daemon (state_held()); held 2 was never enforced. */
	if (sqlite3_prepare_v2(state_db(st), "SELECT addr, prefix_len, "
	    "max(until), reason FROM bans WHERE until > ? AND held = 0 GROUP "
	    "BY addr, prefix_len", -1, &q, NULL) != SQLITE_OK) {
		log_warnx("state database %s: reading the bans in force: %s "
		    "(check the file: fivefifty list)", db_name(st),
		    sqlite3_errmsg(state_db(st)));
		return (-1);
	}
	sqlite3_bind_int64(q, 1, now);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&b, 0, sizeof(b));
		if (net_parse((const char *)sqlite3_column_text(q, 0),
		    &b.net) == -1)
			continue;
		b.net.len = sqlite3_column_int(q, 1);
		b.until = sqlite3_column_int64(q, 2);
		snprintf(b.reason, sizeof(b.reason), "%s",
		    (const char *)sqlite3_column_text(q, 3));
		if (fw_ban(f, &b) == 0)
			n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_warnx("state database %s: reading the bans in force: %s "
		    "(check the file: fivefifty list)", db_name(st),
		    sqlite3_errmsg(state_db(st)));
		return (-1);
	}
	return (n);
}

/* cmd_protect - what is never banned: loopback (the loopback key), the
 * whitelist, Postfix's mynetworks and this host's own addresses, into
 * fc->protect */
void
cmd_protect(struct fw_conf *fc, const struct ff_conf *c)
{
	int	i;

	fc->protect[fc->nprotect++] = c->score.loopback4;
	for (i = 0; i < c->score.nwhitelist && fc->nprotect < FW_MAX_PROTECT;
	    i++)
		fc->protect[fc->nprotect++] = c->score.whitelist[i];
	for (i = 0; i < c->nmynetworks && fc->nprotect < FW_MAX_PROTECT; i++)
		fc->protect[fc->nprotect++] = c->mynetworks[i];
	protect_host(fc);
}

/* cmd_protected_by - which list protects n from any ban: "loopback",
 * "whitelist", "mynetworks" (Postfix's own networks), "this host" (one
 * of its addresses), or NULL */
const char *
cmd_protected_by(const struct ff_conf *c, const struct net_prefix *n)
{
	static struct fw_conf *host;
	struct fw_conf	*fc;
	const char	*by = NULL;
	int		 i;

	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		return (NULL);
	fc->protect[fc->nprotect++] = c->score.loopback4;
	if (fw_protects(fc, n))
		by = "loopback";
	fc->nprotect = 0;
	for (i = 0; by == NULL && i < c->score.nwhitelist; i++)
		fc->protect[fc->nprotect++] = c->score.whitelist[i];
	if (by == NULL && fc->nprotect > 0 && fw_protects(fc, n))
		by = "whitelist";
	fc->nprotect = 0;
	for (i = 0; by == NULL && i < c->nmynetworks; i++)
		fc->protect[fc->nprotect++] = c->mynetworks[i];
	if (by == NULL && fc->nprotect > 0 && fw_protects(fc, n))
		by = "mynetworks";
	free(fc);
	/* This host's addresses, listed once per command (list asks for
	 * every client). */
	if (by == NULL && host == NULL && (host = calloc(1, sizeof(*host))) !=
	    NULL)
		protect_host(host);
	if (by == NULL && host != NULL && host->nprotect > 0 &&
	    fw_protects(host, n))
		by = "this host";
	return (by);
}

/* cmd_fw_open - the enforcer, with the state's running bans in force */
struct fw *
cmd_fw_open(const char *cmd, const struct ff_conf *c, struct state *st,
    long long now, int *status)
{
	struct fw_conf	 fc = c->fw;
	struct fw	*f;
	char		 err[1024];

	cmd_protect(&fc, c);
	if ((f = fw_new(&fc, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fivefifty %s: %s\n", cmd, err);
		*status = c->fw.required && strncmp(err, "firewall: ", 10) ==
		    0 ? EX_UNAVAILABLE : EX_CONFIG;
		return (NULL);
	}
	if (err[0] != '\0')
		fprintf(stderr, "fivefifty %s: %s; going on with the map "
		    "only\n", cmd, err);
	if (st != NULL) {
		state_pause(st, 1);	/* no half-stored batch seen */
		(void)load_bans(f, st, now);
		state_pause(st, 0);
	}
	(void)fw_reconcile(f, now);
	(void)fw_flush(f, now);
	return (f);
}

/* cmd_fw_decision - put a scorer's ban in force */
int
cmd_fw_decision(struct fw *f, const struct score_decision *d)
{
	struct fw_ban	b;

	memset(&b, 0, sizeof(b));
	if (d->net.family == 0)
		return (-1);
	b.net = d->net;
	b.until = d->until;
	snprintf(b.reason, sizeof(b.reason), "%.63s", d->reason);
	return (fw_ban(f, &b));
}

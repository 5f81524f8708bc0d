/*	$fivefifty: fw_open.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fw_open 3 - the enforcer as the commands and the daemon start it
 * SYNOPSIS
 *	See wire.h.
 * DESCRIPTION
 *	wire_fw_open() makes the firewall configuration (the protected
 *	networks: wire_protect()), opens the enforcer (fw_open()), puts in
 *	force the bans the state says are still running at now (load_bans():
 *	read from the state here, given to the enforcer one by one with
 *	fw_ban(), so the firewall knows no state), and reconciles the kernel
 *	sets and the map with them. An unusable firewall is reported and the
 *	map still written, unless firewall_required = yes: then NULL with
 *	*status = EX_UNAVAILABLE (69). A bad map or table configuration
 *	gives NULL with *status = EX_CONFIG (78). The status comes from
 *	fw_open()'s code, not from its message.
 *
 *	wire_fw_decision() hands one of the scorer's decisions to the
 *	enforcer. wire_protect() and wire_protected_by() give the
 *	configuration's lists (the loopback key, the whitelist, Postfix's
 *	mynetworks) to the firewall's fw_protect() and fw_protected_by().
 * DIAGNOSTICS
 *	What the enforcer says at opening goes to stderr as
 *	"fivefifty CMD: ...", as every command reports.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <sqlite3.h>

#include "conf/conf.h"
#include "firewall/firewall.h"
#include "score/score.h"
#include "util/util.h"
#include "wire.h"

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

/* never - the configuration's lists of what is never banned */
static void
never(const struct ff_conf *c, struct fw_never *nv)
{
	memset(nv, 0, sizeof(*nv));
	nv->loopback = c->score.loopback4;
	nv->whitelist = c->score.whitelist;
	nv->nwhitelist = c->score.nwhitelist;
	nv->mynetworks = c->mynetworks;
	nv->nmynetworks = c->nmynetworks;
}

/* wire_protect - what is never banned (fw_protect()), from c */
void
wire_protect(struct fw_conf *fc, const struct ff_conf *c)
{
	struct fw_never	nv;

	never(c, &nv);
	fw_protect(fc, &nv);
}

/* wire_protected_by - which list protects n from any ban (see
 * fw_protected_by()), or NULL */
const char *
wire_protected_by(const struct ff_conf *c, const struct net_prefix *n)
{
	struct fw_never	nv;

	never(c, &nv);
	return (fw_protected_by(&nv, n));
}

/* wire_fw_open - the enforcer, with the state's running bans in force */
struct fw *
wire_fw_open(const char *cmd, const struct ff_conf *c, struct state *st,
    long long now, int *status)
{
	struct fw_conf	 fc = c->fw;
	struct fw	*f;
	enum fw_error	 code;
	char		 err[1024];

	wire_protect(&fc, c);
	if ((f = fw_open(&fc, &code, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fivefifty %s: %s\n", cmd, err);
		*status = c->fw.required && code == FW_ERR_KERNEL ?
		    EX_UNAVAILABLE : EX_CONFIG;
		return (NULL);
	}
	if (code != FW_ERR_NONE)
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

/* wire_fw_decision - put a scorer's ban in force */
int
wire_fw_decision(struct fw *f, const struct score_decision *d)
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

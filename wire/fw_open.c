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
 *	networks: wire_protect()), opens the enforcer without touching the
 *	kernel (fw_prepare()), puts in force the bans the state says are
 *	still running at now (state_bans_live(): read from the state
 *	here, the latest end of each network given to the enforcer one by
 *	one with fw_ban(), so the
 *	firewall knows no state), then starts it (fw_start(): the sets read
 *	back and one batch, one kernel generation, with the table, sets,
 *	chain, rules and the missing elements) and writes the map. An
 *	unusable firewall is reported and the map still written, unless
 *	firewall_required = yes: then NULL with *status = EX_UNAVAILABLE
 *	(69). A bad map or table configuration gives NULL with *status =
 *	EX_CONFIG (78). The status comes from fw_start()'s failing, not
 *	from its message. A firewall_action or firewall_established that
 *	cannot act in the firewall's mode (fw_conf_inert()) is a warning at
 *	every start and reload, not an error: the bans are enforced still,
 *	by the administrator's rule or the map.
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

#include "conf/conf.h"
#include "firewall/firewall.h"
#include "score/score.h"
#include "state/state.h"
#include "util/util.h"
#include "wire.h"

/* A load of the running bans: the enforcer, and how many it took. */
struct run_bans {
	struct fw	*f;
	int		 n;
};

/* run_ban - one ban the state has in force, into the enforcer */
static int
run_ban(void *arg, const struct state_ban *r)
{
	struct run_bans	*rb = arg;
	struct fw_ban	 b;

	memset(&b, 0, sizeof(b));
	if (net_parse(r->addr, &b.net) == -1)
		return (0);
	net_mask(&b.net, r->prefix_len);
	b.until = r->until;
	snprintf(b.reason, sizeof(b.reason), "%s", r->reason);
	/* A network's bans may come more than once: the latest end (2:
	 * a later one is in force already). */
	if (fw_ban_later(rb->f, &b) == 0)
		rb->n++;
	return (0);
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
	return (wire_fw_resume(cmd, c, st, now, NULL, status));
}

/* wire_fw_resume - wire_fw_open() after a stop that left snap (or NULL) */
struct fw *
wire_fw_resume(const char *cmd, const struct ff_conf *c, struct state *st,
    long long now, const struct fw_snap *snap, int *status)
{
	struct fw_conf	 fc = c->fw;
	struct fw	*f;
	enum fw_error	 code;
	char		 err[1024];

	wire_protect(&fc, c);
	if (fw_conf_inert(&fc, err, sizeof(err)) != NULL)
		fprintf(stderr, "fivefifty %s: warning: %s\n", cmd, err);
	/* Nothing goes to the kernel before the running bans are in: the
	 * table, its rules and their elements are one batch (fw_start()). */
	if ((f = fw_prepare(&fc, &code, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fivefifty %s: %s\n", cmd, err);
		*status = EX_CONFIG;
		return (NULL);
	}
	if (snap != NULL && fw_resume(f, snap) == 0)
		snap = NULL;
	if (snap != NULL)
		fw_reserve(f, snap->bans);	/* about as many as then */
	if (st != NULL) {
		struct run_bans rb = { f, 0 };
		long long	since = now;

		/* From the stop on: the bans that ended since are what the
		 * kernel was left with too (fw_ban() counts them). */
		if (snap != NULL && snap->at > 0 && snap->at < now)
			since = snap->at;
		/* No half-stored batch seen. What the breaker holds waits
		 * for the daemon (score_held()). */
		state_pause(st, 1);
		if (state_bans_live(st, since, run_ban, &rb) == -1)
			log_warnx("state database %s: reading the bans in "
			    "force: %s (check the file: fivefifty list)",
			    state_name(st), state_error(st));
		state_pause(st, 0);
	}
	if (fw_start(f, now, &code, err, sizeof(err)) == -1) {
		fprintf(stderr, "fivefifty %s: %s%s\n", cmd, err,
		    c->fw.required ? "" : "; going on with the map only");
		if (c->fw.required) {
			fw_free(f);
			*status = EX_UNAVAILABLE;
			return (NULL);
		}
	}
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

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
 *		    const struct score_net *n);
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

#include "cmd.h"
#include "conf/conf.h"
#include "firewall/firewall.h"
#include "score/score.h"
#include "state/state.h"
#include "util/util.h"

/* protect_host - this host's own addresses, one by one */
static void
protect_host(struct fw_conf *fc)
{
	struct ifaddrs	*ifa, *i;
	struct score_net *n;

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
	if (score_net_parse(r->addr, &b.net) == -1)
		return (0);
	b.net.len = r->prefix_len;
	b.until = r->until;
	snprintf(b.reason, sizeof(b.reason), "%s", r->reason);
	if (fw_ban(rb->f, &b) == 0)
		rb->n++;
	return (0);
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
cmd_protected_by(const struct ff_conf *c, const struct score_net *n)
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
		struct run_bans rb = { f, 0 };

		/* No half-stored batch seen. What the breaker holds waits
		 * for the daemon (score_held()). */
		state_pause(st, 1);
		if (state_bans_running(st, now, run_ban, &rb) == -1)
			log_warnx("state database %s: reading the bans in "
			    "force: %s (check the file: fivefifty list)",
			    state_name(st), state_error(st));
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
	if (score_net_parse(d->addr, &b.net) == -1)
		return (-1);
	b.net.len = d->prefix_len;
	b.until = d->until;
	snprintf(b.reason, sizeof(b.reason), "%.63s", d->reason);
	return (fw_ban(f, &b));
}

/*	$fivefifty: protect.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	protect 3 - what is never banned: the lists, and this host
 * SYNOPSIS
 *	See firewall.h.
 * DESCRIPTION
 *	fw_protect() puts into fc->protect every network that no ban may
 *	cover: the loopback key, the whitelist and Postfix's mynetworks (the
 *	caller's lists, from the configuration), then every address of this
 *	host's interfaces, up to FW_MAX_PROTECT. fw_protects() is the one
 *	test against that list; fw_ban() and fw_refuses() use it.
 *
 *	fw_protected_by() names the list that protects n: "loopback",
 *	"whitelist", "mynetworks" (Postfix's own networks), "this host" (one
 *	of its addresses), or NULL. This host's addresses are read once per
 *	process: list asks for every client.
 * SECURITY
 *	getifaddrs(3) needs no privilege. A host whose interfaces cannot be
 *	read is protected by the lists alone (and loopback, always).
 */
#include <sys/socket.h>

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "firewall.h"

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

/* fw_protect - what is never banned: loopback (the loopback key), the
 * whitelist, Postfix's mynetworks and this host's own addresses, into
 * fc->protect */
void
fw_protect(struct fw_conf *fc, const struct fw_never *nv)
{
	int	i;

	fc->protect[fc->nprotect++] = nv->loopback;
	for (i = 0; i < nv->nwhitelist && fc->nprotect < FW_MAX_PROTECT; i++)
		fc->protect[fc->nprotect++] = nv->whitelist[i];
	for (i = 0; i < nv->nmynetworks && fc->nprotect < FW_MAX_PROTECT; i++)
		fc->protect[fc->nprotect++] = nv->mynetworks[i];
	protect_host(fc);
}

/* fw_protected_by - which list protects n from any ban: "loopback",
 * "whitelist", "mynetworks" (Postfix's own networks), "this host" (one
 * of its addresses), or NULL */
const char *
fw_protected_by(const struct fw_never *nv, const struct net_prefix *n)
{
	static struct fw_conf *host;
	struct fw_conf	*fc;
	const char	*by = NULL;
	int		 i;

	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		return (NULL);
	fc->protect[fc->nprotect++] = nv->loopback;
	if (fw_protects(fc, n))
		by = "loopback";
	fc->nprotect = 0;
	for (i = 0; by == NULL && i < nv->nwhitelist; i++)
		fc->protect[fc->nprotect++] = nv->whitelist[i];
	if (by == NULL && fc->nprotect > 0 && fw_protects(fc, n))
		by = "whitelist";
	fc->nprotect = 0;
	for (i = 0; by == NULL && i < nv->nmynetworks; i++)
		fc->protect[fc->nprotect++] = nv->mynetworks[i];
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

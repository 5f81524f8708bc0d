/*	$fivefifty: explain_net.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	explain_net 3 - what explain says about networks: the bans that
 *	cover an address, and what is known inside a network
 * SYNOPSIS
 *	long long explain_lifted(struct state *st, const char *addr);
 *	int	explain_covering(struct state *st, long long now,
 *		    const char *what, const char *skip);
 *	int	explain_inside(struct state *st, const struct ff_conf *c,
 *		    long long now, const struct net_prefix *net,
 *		    const char *text);
 * DESCRIPTION
 *	explain_lifted() is when an unban lifted the latest ban of addr
 *	(an address or "net/len"): 0 when it was not lifted, when it has
 *	no ban, or when the state does not know (a state of before).
 *
 *	explain_covering() prints each ban in force at now (the state's log
 *	time; not lifted) on a network wider than what (an address or
 *	"net/len") that contains it, other than skip (the prefix explain
 *	shows already; NULL: none): the network, until when and the reason
 *	(a manual ban's is the administrator's text). Returns how many, or
 *	-1 when the state cannot be read (state_error()).
 *
 *	explain_inside() prints what the state knows inside net (text, its
 *	canonical form; a network, not one address): the bans in force on
 *	addresses and networks inside it, and the clients inside it with a
 *	score, a ban or bans so far, in list's order (the banned first, then
 *	by score). Each part is bounded: EXPLAIN_INSIDE_MAX rows, then how
 *	many more (fivefifty list shows every client). Returns the number of
 *	bans and clients found inside, or -1 when the state cannot be read.
 * SECURITY
 *	Every text of the state (addresses, reasons) is escaped and capped
 *	for the terminal: a manual ban's reason is the administrator's, an
 *	automatic one names a rule, but a state file can hold anything.
 * DIAGNOSTICS
 *	None here: the caller says a failed read (state_error()).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "conf/conf.h"
#include "net/net.h"
#include "score/score.h"
#include "state/state.h"
#include "util/util.h"

#define EXPLAIN_INSIDE_MAX	20	/* rows of each part shown */

/* parse_row - a row's address ("addr" or "net/len") and prefix_len */
static int
parse_row(const char *addr, int plen, struct net_prefix *n)
{
	char	text[96];

	if (strchr(addr, '/') != NULL)
		return (net_parse(addr, n));
	snprintf(text, sizeof(text), "%s/%d", addr, plen);
	return (net_parse(text, n));
}

/* latest - state_bans_of(): the last ban given is the latest */
static int
latest(void *arg, const struct state_ban *d)
{
	*(long long *)arg = d->lifted;
	return (0);
}

/* explain_lifted - when an unban lifted addr's latest ban; 0 */
long long
explain_lifted(struct state *st, const char *addr)
{
	long long	lifted = 0;

	(void)state_bans_of(st, addr, latest, &lifted);
	return (lifted);
}

/* What explain_covering() goes through. */
struct covering {
	struct state	*st;
	struct net_prefix what;
	const char	*skip;
	int		 n;
};

/* cover - a running ban: printed when on a wider network holding what */
static int
cover(void *arg, const struct state_ban *d)
{
	struct covering	*c = arg;
	struct net_prefix n;
	char		 text[96], u[32];

	if (parse_row(d->addr, d->prefix_len, &n) == -1 || n.len >= c->what.len ||
	    !net_contains(&n, &c->what))
		return (0);
	net_addr_text(&n, text, sizeof(text));
	if ((c->skip != NULL && strcmp(c->skip, text) == 0) ||
	    explain_lifted(c->st, d->addr) > 0)
		return (0);
	if (c->n++ == 0)
		printf("\n  covered by a ban on a wider network:\n");
	printf("    %s banned until %s: ", text, utc_text(d->until, u,
	    sizeof(u)));
	esc_text(stdout, d->reason, strlen(d->reason), 256);
	fputc('\n', stdout);
	return (0);
}

/* explain_covering - the bans in force on wider networks holding what */
int
explain_covering(struct state *st, long long now, const char *what,
    const char *skip)
{
	struct covering	 c;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.skip = skip;
	if (net_parse(what, &c.what) == -1)
		return (0);
	if (state_bans_running(st, now, cover, &c) == -1)
		return (-1);
	return (c.n);
}

/* What explain_inside() goes through. */
struct inside {
	struct state	*st;
	const struct ff_conf *conf;
	const struct net_prefix *net;
	const char	*text;
	long long	 now;
	int		 bans, clients;
};

/* within - whether addr/plen lies inside the network, and is not it */
static int
within(const struct inside *in, const char *addr, int plen)
{
	struct net_prefix n;

	return (parse_row(addr, plen, &n) == 0 && n.len > in->net->len &&
	    net_contains(in->net, &n));
}

/* inside_ban - a running ban inside the network */
static int
inside_ban(void *arg, const struct state_ban *d)
{
	struct inside	*in = arg;
	char		 u[32];

	if (!within(in, d->addr, d->prefix_len) ||
	    explain_lifted(in->st, d->addr) > 0)
		return (0);
	if (in->bans++ == 0)
		printf("\n  bans in force inside %s (until, reason):\n",
		    in->text);
	if (in->bans > EXPLAIN_INSIDE_MAX)
		return (0);
	fputs("    ", stdout);
	esc_text(stdout, d->addr, strlen(d->addr), 64);
	printf("  %s  ", utc_text(d->until, u, sizeof(u)));
	esc_text(stdout, d->reason, strlen(d->reason), 256);
	fputc('\n', stdout);
	return (0);
}

/* inside_client - a client inside the network with a score or bans */
static int
inside_client(void *arg, const struct state_client *c)
{
	struct inside	*in = arg;
	double		 score;
	int		 banned;
	char		 u[32];

	score = score_decay(c->score, c->score_t, in->now,
	    in->conf->score.half_life);
	banned = c->banned_until > in->now && c->lifted == 0;
	if ((score < 0.1 && !banned && c->bans == 0) ||
	    !within(in, c->addr, c->prefix_len))
		return (0);
	if (in->clients++ == 0)
		printf("\n  clients inside %s (score, status, bans so far):\n",
		    in->text);
	if (in->clients > EXPLAIN_INSIDE_MAX)
		return (0);
	fputs("    ", stdout);
	esc_text(stdout, c->addr, strlen(c->addr), 64);
	printf("  %.1f  %s%s  %d\n", score_shown(score), banned ?
	    "banned until " : c->lifted > 0 ? "unbanned " : "watching",
	    banned ? utc_text(c->banned_until, u, sizeof(u)) : c->lifted > 0 ?
	    utc_text(c->lifted, u, sizeof(u)) : "", c->bans);
	return (0);
}

/* explain_inside - the bans and clients inside a network, bounded */
int
explain_inside(struct state *st, const struct ff_conf *c, long long now,
    const struct net_prefix *net, const char *text)
{
	struct inside	 in;

	memset(&in, 0, sizeof(in));
	in.st = st;
	in.conf = c;
	in.net = net;
	in.text = text;
	in.now = now;
	if (state_bans_running(st, now, inside_ban, &in) == -1)
		return (-1);
	if (in.bans > EXPLAIN_INSIDE_MAX)
		printf("    ... and %d more\n", in.bans - EXPLAIN_INSIDE_MAX);
	if (state_clients(st, STATE_BY_BAN, inside_client, &in) == -1)
		return (-1);
	if (in.clients > EXPLAIN_INSIDE_MAX)
		printf("    ... and %d more (fivefifty list shows every "
		    "client)\n", in.clients - EXPLAIN_INSIDE_MAX);
	return (in.bans + in.clients);
}

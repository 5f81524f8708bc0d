/*	$fivefifty: enforce.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	enforce 3 - the bans in force, and the kernel and map made to agree
 * SYNOPSIS
 *	See firewall.h.
 * DESCRIPTION
 *	The bans live in an array with a hash index on the network (a
 *	network is kept masked to its length); a ban lifted leaves both at
 *	once (the last ban takes its place, the index's probe chain is
 *	shifted back), so an unban costs the same among 100,000 bans as
 *	among ten. A flush first drops the bans that ended (the kernel
 *	drops its elements by itself), found with a heap of their ends
 *	(ends.c), not a walk over every ban, then, when a
 *	ban came or went, computes the disjoint ranges each set must hold
 *	(ranges.c) and compares them with the ranges the kernel holds (what
 *	the last successful batch or reconcile left): new ranges are added,
 *	changed ends re-added (delete + add before Linux 6.12), ranges no
 *	longer wanted deleted, except those about to end within
 *	EXPIRY_SLACK seconds, which the kernel may already have dropped
 *	(deleting a missing element fails the whole batch). All of it is
 *	one batch. A flush touches only what changed: held.c recomputes the
 *	ranges of the outermost bans around the bans added, moved or gone,
 *	against the ranges held there, so a ban costs the same with 100,000
 *	in force as with none; the full sweep over every ban is for a
 *	reconcile (the kernel's sets made whole again), the first push, and a
 *	flush that changes more than a quarter of the bans of networks (a
 *	burst, a start); bans of single addresses (own table) are always
 *	sent one by one, below. Both give the same ranges
 *	(tests/test_fw_incr.c). A failed
 *	batch is logged with its object, and a
 *	reconcile follows: in own-table mode, one batch that makes the
 *	table, sets, chain and rules again, flushes the sets and puts in
 *	every range with its remaining time (nothing read back: a dump of
 *	an interval set restarts its walk for each netlink message, so
 *	100,000 elements took seconds); in set-only mode, the sets read
 *	back and one batch with the ranges of ours missing or stale (the
 *	administrator's elements are not ours to flush); if that fails
 *	too, it is tried again RETRY_MIN seconds later, then twice as long
 *	after each failure, up to RETRY_MAX. The failure is logged once,
 *	and so is the recovery. Bans that come meanwhile are kept and go in
 *	with the recovery.
 *
 *	Own-table mode keeps single addresses out of the sweep: a ban of one
 *	address is one element of the family's address set (a hash set)
 *	with its own end, sent when it comes, moves or is lifted (kuntil[]
 *	says what end the kernel was given, adirty the addresses changed
 *	since the last push, agone the elements to delete); the sweep and
 *	held.c deal with the bans of networks, in the networks' interval
 *	set. An address inside a banned network is in both sets, so lifting
 *	one never lifts the other. Set-only mode has one set per family and
 *	sweeps every ban.
 *
 *	A start with bans already known (fw_prepare(), fw_ban()s,
 *	fw_start()) sends nothing until the bans are in, then is that
 *	reconcile: one batch, so the rules are
 *	replaced once, in one kernel generation with their elements (the
 *	setup of fw_open() followed by a reconcile was two generations, and
 *	on a fresh start the rules ran a moment on empty sets). The monitor
 *	joins the nf_tables group only after that batch (watch()): a
 *	listener makes the kernel build a notification for every element
 *	committed, most of the cost of a start with 100,000 bans; then the
 *	chain is looked for, and a table removed meanwhile is made again.
 *	After a clean stop that left a snapshot (fw_snapshot(), fw_resume():
 *	see firewall.h), that batch keeps the sets when resume_arm() finds
 *	the kernel, its generation and the bans as the stop left them:
 *	refilling 100,000 elements was most of a restart.
 *
 *	The monitor reports a removal by another process (`nft flush
 *	ruleset`, `nft delete table`, a set or the chain deleted): it is
 *	repaired at once, as above, and one warning says what was removed
 *	and whether it was restored; more removals within REPORT_EVERY
 *	seconds are repaired quietly (debug), counted in stats.restores and
 *	in last_error, and summed up in the next warning.
 *
 *	The map is rewritten when the bans changed, at most once per
 *	map_delay seconds, and when a ban in it ends. A failed rewrite
 *	(Postfix not installed or without main.cf, postmap failing, a
 *	read-only directory: map_ready() says it plainly) is logged once,
 *	saying whether a previous map stays (map_present()),
 *	stats.map_error says why and since when, and it is tried again
 *	after max(map_delay, 1) seconds, then twice as long after each
 *	failure up to MAP_RETRY_MAX; the rewrite that works again is logged
 *	and writes every ban in force.
 * SECURITY
 *	127.0.0.1, ::1 and every network in conf.protect (the caller's
 *	loopback, whitelist and own networks) are never banned, nor any
 *	network that contains one of them, nor their IPv4-mapped and
 *	-compatible IPv6 forms (::ffff:127.0.0.1, ::127.0.0.1).
 */
#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fw_int.h"
#include "nft_int.h"
#include "util/util.h"

#define RETRY_MIN	1	/* seconds after a first failed reconcile, */
#define RETRY_MAX	60	/* doubled after each until this */
#define MAP_RETRY_MAX	30	/* the same for the map, from map_delay */
#define REPORT_EVERY	3600	/* one warning of removals at most */
#define FW_RESERVE_MAX	(1U << 18) /* bans fw_reserve() makes room for */

static int	reconcile(struct fw *, long long, int, char *, size_t);
static int	drop(struct fw *, long long);

struct fw {
	struct fw_conf	 conf;
	struct nft	*nft;		/* NULL: no kernel sets */
	struct fw_map	*map;
	struct fw_ban	*bans;
	size_t		 nbans, cap;
	size_t		*index;		/* hash: position + 1, 0 empty */
	size_t		 index_cap;
	struct fw_held	 hd;		/* what the kernel holds (held.c) */
	unsigned long long local_pushes; /* pushes of what changed alone */
	int		 fw_dirty, map_dirty, fw_broken;
	long long	 map_last, retry_at, retry_delay;
	long long	 map_retry_at, map_retry_delay;
	unsigned long long map_fails;	/* attempts since it failed */
	long long	 gone_reported;	/* last warning of a removal */
	unsigned long long gone_unreported; /* removals since */
	long long	 next_end;	/* earliest end among bans, 0: none */
	struct fw_ends	 ends;		/* the bans' ends, earliest first */
	/* Own table: single addresses in the address sets, per ban (with
	 * bans[]): the end the kernel was given (0: none) and a change
	 * not sent yet; the addresses changed, the elements to delete. */
	int		 split;
	size_t		 nnets;		/* bans not in an address set */
	long long	*kuntil;
	unsigned char	*kdirty;
	struct net_prefix *adirty;
	size_t		 nadirty, capadirty, nkheld;
	struct fw_end	*agone;
	size_t		 nagone, capagone;
	/* The first start after a clean stop (fw_resume()): what the stop
	 * left, and the bans in force then that ended since. */
	struct fw_snap	 resume;
	int		 has_resume;
	uint64_t	 resume_extra;
	size_t		 resume_nextra;
	struct fw_stats	 stats;
};

/* fw_conf_defaults - the documented defaults */
void
fw_conf_defaults(struct fw_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = FW_TABLE;
	snprintf(c->family, sizeof(c->family), "inet");
	snprintf(c->table, sizeof(c->table), "fivefifty");
	snprintf(c->set4, sizeof(c->set4), "offenders4");
	snprintf(c->set6, sizeof(c->set6), "offenders6");
	snprintf(c->chain, sizeof(c->chain), "input");
	c->priority = -10;
	c->ports[0] = 25;
	c->ports[1] = 465;
	c->ports[2] = 587;
	c->nports = 3;
	c->action = FW_DROP;
	c->established = 0;
	snprintf(c->map, sizeof(c->map), "hash:/etc/postfix/fivefifty/access");
	c->map_delay = 1;
	snprintf(c->postmap, sizeof(c->postmap), "/usr/sbin/postmap");
	snprintf(c->postfix_dir, sizeof(c->postfix_dir), "/etc/postfix");
}

/* nft_name_ok - an nftables identifier (letters, digits, _ - .) */
static int
nft_name_ok(const char *s, size_t len)
{
	size_t		i;

	if (len == 0 || len >= FW_NAME_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_' || s[i] == '-' || s[i] == '.'))
			return (0);
	return (1);
}

/* fw_conf_table - "FAMILY NAME" (family inet, ip or ip6); 0 or -1 */
int
fw_conf_table(struct fw_conf *c, const char *v)
{
	const char	*sp = strchr(v, ' ');
	size_t		 flen;

	if (sp == NULL)
		return (-1);
	flen = (size_t)(sp - v);
	while (*sp == ' ')
		sp++;
	if (!((flen == 4 && strncmp(v, "inet", 4) == 0) || (flen == 2 &&
	    strncmp(v, "ip", 2) == 0) || (flen == 3 && strncmp(v, "ip6", 3) ==
	    0)) || !nft_name_ok(sp, strlen(sp)))
		return (-1);
	memcpy(c->family, v, flen);
	c->family[flen] = '\0';
	snprintf(c->table, sizeof(c->table), "%s", sp);
	return (0);
}

/* fw_conf_ports - "25, 465, 587" or "all"; 0 or -1 */
int
fw_conf_ports(struct fw_conf *c, const char *v)
{
	char		*end;
	long		 p;
	int		 n = 0;

	if (strcmp(v, "all") == 0) {
		c->nports = 0;
		return (0);
	}
	while (*v != '\0') {
		while (*v == ' ' || *v == ',' || *v == '\t')
			v++;
		if (*v == '\0')
			break;
		errno = 0;
		p = strtol(v, &end, 10);
		if (end == v || errno != 0 || p < 1 || p > 65535 ||
		    n == FW_MAX_PORTS || (*end != '\0' && *end != ',' &&
		    *end != ' ' && *end != '\t'))
			return (-1);
		c->ports[n++] = (int)p;
		v = end;
	}
	if (n == 0)
		return (-1);
	c->nports = n;
	return (0);
}

/* fw_conf_inert - firewall_action or firewall_established set to
 * something other than its default where fivefifty writes no rule: the
 * warning in buf; NULL when there is none */
const char *
fw_conf_inert(const struct fw_conf *c, char *buf, size_t len)
{
	/* What the administrator's own rule needs instead, by which keys
	 * are set: 1 firewall_action, 2 firewall_established, 3 both. */
	static const char *const own[] = { "", "make it \"reject with tcp "
	    "reset\"", "match every TCP packet, not only new connections",
	    "make it \"reject with tcp reset\" and match every TCP packet, "
	    "not only new connections" };
	static const char *const keys[] = { "", "firewall_action = reject "
	    "has", "firewall_established = yes has", "firewall_action = "
	    "reject and firewall_established = yes have" };
	int		 which;

	which = (c->action != FW_DROP) | (c->established != 0) << 1;
	if (c->mode == FW_TABLE || which == 0)
		return (NULL);
	if (c->mode == FW_SETS)
		snprintf(buf, len, "%s no effect with firewall = sets: your "
		    "own rule decides what happens to the sets' addresses "
		    "(%s; or use firewall = table)", keys[which], own[which]);
	else
		snprintf(buf, len, "%s no effect with firewall = off: no "
		    "kernel rule is written, only the access map refuses (use "
		    "firewall = table, or remove the key%s)", keys[which],
		    which == 3 ? "s" : "");
	return (buf);
}

/* fw_protects - n is loopback or overlaps one of c's protected networks
 * (what no ban and no map entry may ever cover) */
int
fw_protects(const struct fw_conf *c, const struct net_prefix *n)
{
	static const struct net_prefix lo4 = { 4, { 127, 0, 0, 1 }, 32 };
	static const struct net_prefix lo6 = { 6, { [15] = 1 }, 128 };
	static const struct net_prefix mapped = { 6, { [10] = 0xff,
	    [11] = 0xff }, 96 };
	static const struct net_prefix compat = { 6, { 0 }, 96 };
	struct net_prefix v4;
	int		 i;

	/* An IPv4-mapped or -compatible IPv6 network is the IPv4 network
	 * it carries; one as wide as that block or wider covers loopback. */
	if (n->family == 6 && n->len >= 96 && net_v4_in_v6(n->addr)) {
		memset(&v4, 0, sizeof(v4));
		v4.family = 4;
		memcpy(v4.addr, n->addr + 12, 4);
		v4.len = n->len - 96;
		n = &v4;
	} else if (n->family == 6 && n->len <= 96 && (net_overlap(n,
	    &mapped) || net_overlap(n, &compat)))
		return (1);
	if (net_overlap(n, &lo4) || net_overlap(n, &lo6))
		return (1);
	for (i = 0; i < c->nprotect; i++)
		if (net_overlap(n, &c->protect[i]))
			return (1);
	return (0);
}

/* hash_net - FNV-1a of a network */
static size_t
hash_net(const struct net_prefix *n)
{
	uint64_t	 h = 14695981039346656037ULL;
	int		 i;

	h = (h ^ (unsigned)n->family) * 1099511628211ULL;
	h = (h ^ (unsigned)n->len) * 1099511628211ULL;
	for (i = 0; i < (n->family == 6 ? 16 : 4); i++)
		h = (h ^ n->addr[i]) * 1099511628211ULL;
	return ((size_t)h);
}

/* same_net - equal family, length and address bytes */
static int
same_net(const struct net_prefix *a, const struct net_prefix *b)
{
	return (a->family == b->family && a->len == b->len &&
	    memcmp(a->addr, b->addr, a->family == 6 ? 16 : 4) == 0);
}

/* reindex - rebuild the hash index over bans[], with room for room */
static void
reindex(struct fw *f, size_t room)
{
	size_t		i, j, want = 64;

	if (room < f->nbans)
		room = f->nbans;
	while (want < room * 2 + 16)
		want *= 2;
	if (want != f->index_cap) {
		free(f->index);
		f->index = xcalloc(want, sizeof(*f->index));
		xprefault(f->index, want * sizeof(*f->index));
		f->index_cap = want;
	} else
		memset(f->index, 0, want * sizeof(*f->index));
	for (i = 0; i < f->nbans; i++) {
		j = hash_net(&f->bans[i].net) & (f->index_cap - 1);
		while (f->index[j] != 0)
			j = (j + 1) & (f->index_cap - 1);
		f->index[j] = i + 1;
	}
}

/* find - the position of the ban on exactly n, or -1 */
static long
find(const struct fw *f, const struct net_prefix *n)
{
	size_t		j;

	if (f->index_cap == 0)
		return (-1);
	j = hash_net(n) & (f->index_cap - 1);
	while (f->index[j] != 0) {
		if (same_net(&f->bans[f->index[j] - 1].net, n))
			return ((long)f->index[j] - 1);
		j = (j + 1) & (f->index_cap - 1);
	}
	return (-1);
}

/* ban_mix - a ban's share of a view hash: keyed, mixed (splitmix64's
 * finalizer), summed over the bans so their order does not matter */
static uint64_t
ban_mix(uint64_t key, const struct net_prefix *n, long long until)
{
	uint64_t	x = key ^ (uint64_t)hash_net(n);
	int		i;

	for (i = 0; i < 2; i++) {
		x ^= x >> 30;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 27;
		x *= 0x94d049bb133111ebULL;
		x ^= x >> 31;
		if (i == 0)
			x ^= (uint64_t)until;
	}
	return (x);
}

/* view_hash - the bans ending after since, hashed with key; *n: how many */
static uint64_t
view_hash(const struct fw *f, uint64_t key, long long since, size_t *n)
{
	uint64_t	h = 0;
	size_t		i;

	*n = 0;
	for (i = 0; i < f->nbans; i++)
		if (f->bans[i].until > since) {
			h += ban_mix(key, &f->bans[i].net, f->bans[i].until);
			(*n)++;
		}
	return (h);
}

/* layout_hash - what decides which set holds which element: family,
 * table, set names, mode */
static uint64_t
layout_hash(const struct fw *f)
{
	const char	*part[5];
	uint64_t	 h = 14695981039346656037ULL;
	size_t		 i, j;

	part[0] = f->conf.family;
	part[1] = f->conf.table;
	part[2] = f->conf.set4;
	part[3] = f->conf.set6;
	part[4] = f->conf.mode == FW_TABLE ? "table" : "other";
	for (i = 0; i < 5; i++) {
		for (j = 0; part[i][j] != '\0'; j++)
			h = (h ^ (unsigned char)part[i][j]) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL;
	}
	return (h);
}

/* explain_errno - what an errno from netlink means to an administrator */
static const char *
explain_errno(int e)
{
	switch (e) {
	case EPERM:
	case EACCES:
		return (" (fivefifty needs CAP_NET_ADMIN: run it as root or "
		    "give it the capability)");
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
		return (" (this kernel has no nfnetlink: load nf_tables)");
	case EOPNOTSUPP:
		return (" (this kernel has no nf_tables, or lacks a feature "
		    "it needs: modprobe nf_tables)");
	default:
		return ("");
	}
}

/* fw_new - fw_open() without the code */
struct fw *
fw_new(const struct fw_conf *c, char *err, size_t errlen)
{
	enum fw_error	code;

	return (fw_open(c, &code, err, errlen));
}

/* open_fw - the map and, unless off or kernel is 0, the kernel sets;
 * *code says why not, or what err holds */
static struct fw *
open_fw(const struct fw_conf *c, int kernel, enum fw_error *code, char *err,
    size_t errlen)
{
	struct fw	*f;
	char		 e[512];

	err[0] = '\0';
	*code = FW_ERR_CONF;
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	f->conf = *c;
	f->split = c->mode == FW_TABLE;
	held_init(&f->hd);
	if (c->map[0] != '\0' && (f->map = map_open(c->map, c->map_text,
	    c->postmap, err, errlen)) == NULL) {
		free(f);
		return (NULL);
	}
	if (f->map != NULL && c->postfix_dir[0] != '\0' &&
	    map_config_dir(f->map, c->postfix_dir) == -1) {
		snprintf(err, errlen, "postfix_config_directory: \"%s\" is not "
		    "an absolute path", c->postfix_dir);
		map_free(f->map);
		free(f);
		return (NULL);
	}
	reindex(f, 0);
	f->stats.map_ok = 1;
	/* Written at the first flush, even empty: a map main.cf names must
	 * exist, or Postfix defers every client. */
	f->map_dirty = f->map != NULL;
	*code = FW_ERR_NONE;
	if (c->mode == FW_OFF)
		return (f);
	if (!nft_family_ok(c->family)) {
		/* conf refuses it first; a caller's own fw_conf may not */
		*code = FW_ERR_CONF;
		snprintf(err, errlen, "firewall_table: unknown family \"%s\" "
		    "(expected inet, ip or ip6)", c->family);
		map_free(f->map);
		free(f->index);
		free(f);
		return (NULL);
	}
	if (!kernel)		/* fw_start() (or the first flush) does it */
		return (f);
	errno = 0;
	if ((f->nft = nft_open(c, e, sizeof(e))) == NULL ||
	    nft_setup(f->nft, e, sizeof(e)) == -1) {
		int	saved = f->nft != NULL && f->nft->last_errno ?
		    f->nft->last_errno : errno;

		*code = FW_ERR_KERNEL;
		snprintf(err, errlen, "firewall: %s%s", e,
		    explain_errno(saved));
		snprintf(f->stats.last_error, sizeof(f->stats.last_error),
		    "%s", err);
		nft_close(f->nft);
		f->nft = NULL;
		if (c->required) {
			map_free(f->map);
			free(f->index);
			free(f);
			return (NULL);
		}
		/* Reported to the caller; retried quietly from now on. */
		f->fw_broken = 1;
		f->retry_delay = RETRY_MIN;
		f->retry_at = (long long)time(NULL) + RETRY_MIN;
		return (f);
	}
	f->stats.fw_ok = 1;
	(void)nft_monitor_open(f->nft);
	return (f);
}

/* fw_open - the map and, unless off, the kernel sets set up now; *code
 * says why not, or what err holds */
struct fw *
fw_open(const struct fw_conf *c, enum fw_error *code, char *err,
    size_t errlen)
{
	return (open_fw(c, 1, code, err, errlen));
}

/* fw_prepare - fw_open() that sends nothing to the kernel yet: the bans
 * given before fw_start() go in with the table in its one batch */
struct fw *
fw_prepare(const struct fw_conf *c, enum fw_error *code, char *err,
    size_t errlen)
{
	return (open_fw(c, 0, code, err, errlen));
}

/* fw_start - after fw_prepare() and the caller's fw_ban()s: read the
 * sets back, then one batch with the table, sets, chain, rules and every
 * missing range (one kernel generation: no moment with rules and no
 * elements); 0, or -1 with *code FW_ERR_KERNEL and err as fw_open()'s */
int
fw_start(struct fw *f, long long now, enum fw_error *code, char *err,
    size_t errlen)
{
	char		 e[512];
	int		 saved, rc;

	err[0] = '\0';
	*code = FW_ERR_NONE;
	if (f->conf.mode == FW_OFF || f->nft != NULL)
		return (0);
	/* A first setup is not a recovery: reconcile() logs none. */
	f->stats.fw_ok = 1;
	errno = 0;
	rc = reconcile(f, now, 0, e, sizeof(e));
	f->has_resume = 0;	/* one start's */
	if (rc == 0)
		return (0);
	saved = f->nft != NULL && f->nft->last_errno ? f->nft->last_errno :
	    errno;
	*code = FW_ERR_KERNEL;
	snprintf(err, errlen, "firewall: %s%s", e, explain_errno(saved));
	snprintf(f->stats.last_error, sizeof(f->stats.last_error), "%s", err);
	return (-1);
}

/* is_addr - own table: is n one address (its element in the address
 * set, outside the sweep of networks) */
static int
is_addr(const struct fw *f, const struct net_prefix *n)
{
	return (f->split && n->len == (n->family == 6 ? 128 : 32));
}

/* mark_addr - the address ban at position i changed (once a push) */
static void
mark_addr(struct fw *f, size_t i)
{
	if (f->kdirty[i])
		return;
	f->kdirty[i] = 1;
	if (f->nadirty == f->capadirty) {
		f->capadirty = f->capadirty ? f->capadirty * 2 : 64;
		f->adirty = xgrowarray(f->adirty, f->nadirty, f->capadirty,
		    sizeof(*f->adirty));
	}
	f->adirty[f->nadirty++] = f->bans[i].net;
}

/* fw_reserve - room for n bans at once: a start that knows about how
 * many it is given grows no array, and rehashes nothing, as they come */
void
fw_reserve(struct fw *f, size_t n)
{
	size_t		want = 256;

	/* The size the doubling would have reached, with a quarter to
	 * spare at least: room for exactly n made the first new ban after
	 * the start copy them all (40 ms with 100,000). */
	while (want < n + n / 4 && want < FW_RESERVE_MAX)
		want *= 2;
	n = want;			/* a hint, not a demand: capped */
	if (n <= f->cap)
		return;
	f->bans = xgrowarray(f->bans, f->nbans, n, sizeof(*f->bans));
	f->kuntil = xgrowarray(f->kuntil, f->nbans, n, sizeof(*f->kuntil));
	f->kdirty = xgrowarray(f->kdirty, f->nbans, n, 1);
	f->cap = n;
	ends_reserve(&f->ends, n);
	if (n * 2 + 16 > f->index_cap)
		reindex(f, n);
}

static int	ban_at(struct fw *, const struct fw_ban *, int);

/* fw_ban - put a ban in force, or move its end; 1: it ended already */
int
fw_ban(struct fw *f, const struct fw_ban *b)
{
	return (ban_at(f, b, 0));
}

/* fw_ban_later - fw_ban(), but a ban in force until b->until or later
 * stays as it is (2) */
int
fw_ban_later(struct fw *f, const struct fw_ban *b)
{
	return (ban_at(f, b, 1));
}

/* ban_at - fw_ban(); later: keep a later end in force */
static int
ban_at(struct fw *f, const struct fw_ban *b, int later)
{
	struct fw_ban	*p;
	struct net_prefix net = b->net;
	long		 i;

	if ((b->net.family != 4 && b->net.family != 6) || b->net.len < 0 ||
	    b->net.len > (b->net.family == 6 ? 128 : 32) ||
	    fw_protects(&f->conf, &b->net))
		return (-1);
	/* 10.0.0.5/24 is 10.0.0.0/24: one key for the index and the
	 * outermost-ban look-ups of held.c. */
	net_mask(&net, net.len);
	i = find(f, &net);
	/* A ban of an old log that ended already: nothing to enforce (and
	 * no map to rewrite for it). */
	if (b->until <= (long long)time(NULL) && i < 0) {
		/* In force at the stop fw_resume() was told of: part of
		 * what the kernel was left with (its timeout ended it). */
		if (f->has_resume && b->until > f->resume.at) {
			f->resume_extra += ban_mix(f->resume.key, &net,
			    b->until);
			f->resume_nextra++;
		}
		return (1);
	}
	if (i >= 0 && later && f->bans[i].until >= b->until)
		return (2);
	if (i >= 0)
		p = &f->bans[i];
	else {
		if (f->nbans == f->cap) {
			f->cap = f->cap ? f->cap * 2 : 256;
			f->bans = xgrowarray(f->bans, f->nbans, f->cap,
			    sizeof(*p));
			f->kuntil = xgrowarray(f->kuntil, f->nbans, f->cap,
			    sizeof(*f->kuntil));
			f->kdirty = xgrowarray(f->kdirty, f->nbans, f->cap, 1);
		}
		i = (long)f->nbans;
		f->kuntil[i] = 0;
		f->kdirty[i] = 0;
		p = &f->bans[f->nbans++];
		memset(p, 0, sizeof(*p));
		p->net = net;
		if (!is_addr(f, &net))
			f->nnets++;
		if (f->nbans * 2 + 16 > f->index_cap)
			reindex(f, 0);
		else {
			size_t j = hash_net(&p->net) & (f->index_cap - 1);

			while (f->index[j] != 0)
				j = (j + 1) & (f->index_cap - 1);
			f->index[j] = f->nbans;
		}
	}
	p->until = b->until;
	/* Until the kernel is reconciled (a start's load, a firewall
	 * being repaired), the next push is a repair that puts every
	 * address in: nothing to mark. */
	if (is_addr(f, &p->net)) {
		if (f->nft != NULL && !f->fw_broken)
			mark_addr(f, (size_t)i);
	} else
		held_ban(&f->hd, &p->net, p->until);
	ends_push(&f->ends, &p->net, p->until);
	if (f->next_end == 0 || p->until < f->next_end)
		f->next_end = p->until;
	/* Bytes dropped, not runs made '_': the map's reply says "prefix
	 * several offenders", as it always did. */
	reason_clean(p->reason, sizeof(p->reason), b->reason,
	    sizeof(b->reason), REASON_BARE);
	f->fw_dirty = f->map_dirty = 1;
	f->stats.bans = f->nbans;
	return (0);
}

/* slot_of - the index slot holding position i */
static size_t
slot_of(const struct fw *f, size_t i)
{
	size_t		j = hash_net(&f->bans[i].net) & (f->index_cap - 1);

	while (f->index[j] != i + 1)
		j = (j + 1) & (f->index_cap - 1);
	return (j);
}

/* remove_at - the ban at position i gone: its index slot emptied (the
 * probe chain after it shifted back), the last ban moved into its place */
static void
remove_at(struct fw *f, size_t i, long long now)
{
	size_t		 mask = f->index_cap - 1, j, k, home, last;

	if (!is_addr(f, &f->bans[i].net)) {
		held_unban(&f->hd, &f->bans[i].net);
		f->nnets--;
	} else if (f->kuntil[i] != 0) {
		/* Its element goes, unless the kernel drops it first. */
		f->nkheld--;
		if (f->kuntil[i] > now + EXPIRY_SLACK) {
			if (f->nagone == f->capagone) {
				f->capagone = f->capagone ? f->capagone * 2 :
				    64;
				f->agone = xreallocarray(f->agone, f->capagone,
				    sizeof(*f->agone));
			}
			f->agone[f->nagone].net = f->bans[i].net;
			f->agone[f->nagone++].until = f->kuntil[i];
		}
	}
	j = slot_of(f, i);
	f->index[j] = 0;
	for (k = (j + 1) & mask; f->index[k] != 0; k = (k + 1) & mask) {
		home = hash_net(&f->bans[f->index[k] - 1].net) & mask;
		/* Stays when its home lies cyclically in (j, k]. */
		if (j <= k ? (home > j && home <= k) : (home > j ||
		    home <= k))
			continue;
		f->index[j] = f->index[k];
		f->index[k] = 0;
		j = k;
	}
	last = f->nbans - 1;
	if (i != last) {
		f->index[slot_of(f, last)] = i + 1;
		f->bans[i] = f->bans[last];
		f->kuntil[i] = f->kuntil[last];
		f->kdirty[i] = f->kdirty[last];
	}
	f->nbans--;
	f->stats.bans = f->nbans;
	f->map_dirty = 1;
}

/* drop - the bans that ended by now go; 1 if any went. The heap of ends
 * says which (k of them: k look-ups, no walk); it is rebuilt when its
 * stale entries (ends moved, bans lifted) outnumber the bans. */
static int
drop(struct fw *f, long long now)
{
	struct net_prefix n;
	long long	 until;
	long		 i;
	size_t		 k;
	int		 any = 0;

	while (f->ends.n > 0 && ends_top(&f->ends) <= now) {
		(void)ends_pop(&f->ends, &n, &until);
		if ((i = find(f, &n)) >= 0 && f->bans[i].until == until) {
			remove_at(f, (size_t)i, now);
			any = 1;
		}
	}
	if (f->ends.n > 2 * f->nbans + 1024) {
		ends_clear(&f->ends);
		for (k = 0; k < f->nbans; k++)
			ends_push(&f->ends, &f->bans[k].net,
			    f->bans[k].until);
	}
	f->next_end = ends_top(&f->ends);
	return (any);
}

/* fw_refuses - would fw_ban() refuse n (protected) */
int
fw_refuses(const struct fw *f, const struct net_prefix *n)
{
	return (fw_protects(&f->conf, n));
}

/* masked - n masked to its length, when that is a length of its family */
static struct net_prefix
masked(const struct net_prefix *n)
{
	struct net_prefix m = *n;

	if ((m.family == 4 || m.family == 6) && m.len >= 0 && m.len <=
	    (m.family == 6 ? 128 : 32))
		net_mask(&m, m.len);
	return (m);
}

/* fw_banned - is there a ban on exactly n */
int
fw_banned(const struct fw *f, const struct net_prefix *n)
{
	struct net_prefix m = masked(n);

	return (find(f, &m) >= 0);
}

/* fw_ban_end - the end of the ban on exactly n; 0: none */
long long
fw_ban_end(const struct fw *f, const struct net_prefix *n)
{
	struct net_prefix m = masked(n);
	long		 i;

	return ((i = find(f, &m)) >= 0 ? f->bans[i].until : 0);
}

/* fw_unban - lift the ban on exactly n; -1 when there is none */
int
fw_unban(struct fw *f, const struct net_prefix *n)
{
	struct net_prefix m = masked(n);
	long		 i;

	if ((i = find(f, &m)) < 0)
		return (-1);
	/* Its end in the heap goes stale. */
	remove_at(f, (size_t)i, (long long)time(NULL));
	f->fw_dirty = 1;
	return (0);
}

/* nets_of - the bans the sweep of networks is about: every ban, or in
 * own-table mode those on networks (a copy, *n of them; free it when it
 * is not f->bans) */
static struct fw_ban *
nets_of(const struct fw *f, size_t *n)
{
	struct fw_ban	*b;
	size_t		 i;

	if (!f->split) {
		*n = f->nbans;
		return (f->bans);
	}
	/* Counted: most bans are addresses, and 100,000 of them were
	 * copied to find none. */
	b = xcalloc(f->nnets + 1, sizeof(*b));
	for (i = *n = 0; i < f->nbans && *n < f->nnets; i++)
		if (!is_addr(f, &f->bans[i].net))
			b[(*n)++] = f->bans[i];
	return (b);
}

/* push_full - the ranges of every network ban against every range held:
 * add and del filled; want[] the ranges wanted, for held_full() */
static void
push_full(struct fw *f, long long now, struct fw_range *want[2],
    size_t nwant[2], struct fw_range **add, size_t *nadd, size_t *capadd,
    struct fw_range **del, size_t *ndel, size_t *capdel)
{
	struct fw_range	*have;
	struct fw_ban	*b;
	size_t		 nhave, nb;
	int		 v6;

	b = nets_of(f, &nb);
	for (v6 = 0; v6 < 2; v6++) {
		want[v6] = xcalloc(nb * 2 + 1, sizeof(**want));
		nwant[v6] = nft_has_set(f->nft, v6) ? ranges_from_bans(b, nb,
		    v6 ? 6 : 4, now, want[v6]) : 0;
		have = olist_array(&f->hd.ranges[v6], &nhave);
		held_diff(have, nhave, want[v6], nwant[v6], now,
		    nft_readd_refreshes(f->nft), add, nadd, capadd, del, ndel,
		    capdel);
		free(have);
	}
	if (b != f->bans)
		free(b);
}

/* addr_range - the element of an address ban as a range */
static void
addr_range(struct fw_range **a, size_t *n, size_t *cap,
    const struct net_prefix *net, long long until)
{
	struct fw_range	*r;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*a = xreallocarray(*a, *cap, sizeof(**a));
	}
	r = &(*a)[(*n)++];
	memset(r, 0, sizeof(*r));
	r->family = net->family;
	memcpy(r->lo, net->addr, 16);
	memcpy(r->hi, net->addr, 16);
	r->until = until;
	r->addr = 1;
}

/* push_addrs - the address bans that changed (repair: every one, the
 * sets being flushed) into add and del. What the kernel holds is
 * noted now: a batch that fails is followed by a repair, which puts
 * every address in again. */
static void
push_addrs(struct fw *f, int repair, struct fw_range **add,
    size_t *nadd, size_t *capadd, struct fw_range **del, size_t *ndel,
    size_t *capdel)
{
	struct fw_ban	*b;
	long long	 d;
	size_t		 k;
	long		 i;
	int		 readd = nft_readd_refreshes(f->nft);

	if (repair) {
		/* Room for every address at once: no doubling copies. */
		if (*capadd < *nadd + f->nbans) {
			*add = xgrowarray(*add, *nadd, *nadd + f->nbans,
			    sizeof(**add));
			*capadd = *nadd + f->nbans;
		}
		f->nkheld = 0;
		for (k = 0; k < f->nbans; k++) {
			f->kdirty[k] = 0;
			f->kuntil[k] = 0;
			b = &f->bans[k];
			if (!is_addr(f, &b->net) || !nft_has_set(f->nft,
			    b->net.family == 6))
				continue;
			addr_range(add, nadd, capadd, &b->net, b->until);
			f->kuntil[k] = b->until;
			f->nkheld++;
		}
		f->nadirty = f->nagone = 0;
		return;
	}
	for (k = 0; k < f->nagone; k++)
		if (nft_has_set(f->nft, f->agone[k].net.family == 6))
			addr_range(del, ndel, capdel, &f->agone[k].net,
			    f->agone[k].until);
	for (k = 0; k < f->nadirty; k++) {
		if ((i = find(f, &f->adirty[k])) < 0 || !f->kdirty[i])
			continue;	/* lifted since, or seen */
		f->kdirty[i] = 0;
		b = &f->bans[i];
		if (!nft_has_set(f->nft, b->net.family == 6))
			continue;
		d = f->kuntil[i] - b->until;
		if (f->kuntil[i] != 0 && d <= UNTIL_SLACK && d >= -UNTIL_SLACK)
			continue;
		/* Before 6.12 an add does not move a held element's end. */
		if (f->kuntil[i] != 0 && !readd)
			addr_range(del, ndel, capdel, &b->net, f->kuntil[i]);
		if (f->kuntil[i] == 0)
			f->nkheld++;
		addr_range(add, nadd, capadd, &b->net, b->until);
		f->kuntil[i] = b->until;
	}
	f->nadirty = f->nagone = 0;
}

/* push - one batch that makes the kernel hold the bans (with repair,
 * the table, sets and chain made again in it too): what changed alone
 * when held.c knows it, else every ban; 0 or -1 */
static int
push(struct fw *f, long long now, int repair, char *err, size_t errlen)
{
	struct fw_range	*want[2] = { NULL, NULL }, *add = NULL, *del = NULL;
	struct fw_ban	*b;
	size_t		 nwant[2] = { 0, 0 }, nadd = 0, ndel = 0, nb;
	size_t		 capadd = 0, capdel = 0;
	int		 has[2], local, rc;

	has[0] = nft_has_set(f->nft, 0);
	has[1] = nft_has_set(f->nft, 1);
	local = !repair && held_local(&f->hd);
	if (local)
		held_plan(&f->hd, has, now, nft_readd_refreshes(f->nft), &add,
		    &nadd, &capadd, &del, &ndel, &capdel);
	else
		push_full(f, now, want, nwant, &add, &nadd, &capadd, &del,
		    &ndel, &capdel);
	if (f->split)
		push_addrs(f, repair, &add, &nadd, &capadd, &del, &ndel,
		    &capdel);
	if (repair) {
		rc = nft_repair(f->nft, add, nadd, del, ndel, now, err,
		    errlen);
		f->stats.batches++;
	} else {
		rc = nft_apply(f->nft, add, nadd, del, ndel, now, err, errlen);
		f->stats.batches += (nadd || ndel) ? 1 : 0;
	}
	if (rc == 0 && local) {
		held_commit(&f->hd);
		f->local_pushes++;
	} else if (rc == 0) {
		b = nets_of(f, &nb);
		held_full(&f->hd, want, nwant, b, nb);
		if (b != f->bans)
			free(b);
	} else
		f->stats.batch_errors++;
	free(want[0]);
	free(want[1]);
	free(add);
	free(del);
	return (rc);
}

/* write_map - rewrite the map now; 0 or -1 (the old map stays) */
static int
write_map(struct fw *f, long long now)
{
	long long	first = f->conf.map_delay < 1 ? 1 :
	    (long long)f->conf.map_delay;
	char		err[512];

	f->map_last = now;
	f->map_dirty = 0;
	if (f->map == NULL)
		return (0);
	if (map_write(f->map, f->bans, f->nbans, now, err, sizeof(err)) ==
	    -1) {
		if (f->stats.map_ok) {
			log_warnx("access map %s: %s; %s, and the %s is tried "
			    "again (backing off to every %d s) until it works",
			    map_file(f->map), err, map_present(f->map) ?
			    "the previous map stays" : "there is no map yet",
			    map_present(f->map) ? "rewrite" : "write",
			    MAP_RETRY_MAX);
			f->stats.map_since = now;
			f->map_retry_delay = first;
		} else if ((f->map_retry_delay *= 2) > MAP_RETRY_MAX)
			f->map_retry_delay = MAP_RETRY_MAX;
		snprintf(f->stats.last_error, sizeof(f->stats.last_error),
		    "access map: %s", err);
		snprintf(f->stats.map_error, sizeof(f->stats.map_error), "%s",
		    err);
		f->stats.map_ok = 0;
		f->stats.map_errors++;
		f->map_fails++;
		f->map_retry_at = now + f->map_retry_delay;
		f->map_dirty = 1;	/* try again */
		return (-1);
	}
	if (!f->stats.map_ok)
		log_info("access map %s: written again, with the %zu bans in "
		    "force, after %llu failed attempts", map_file(f->map),
		    f->nbans, f->map_fails);
	f->stats.map_ok = 1;
	f->stats.map_since = 0;
	f->stats.map_error[0] = '\0';
	f->map_fails = 0;
	f->stats.map_writes++;
	return (0);
}

/* map_due - is a rewrite of the map due at now */
static int
map_due(const struct fw *f, long long now)
{
	if (!f->map_dirty)
		return (0);
	if (!f->stats.map_ok)
		return (now >= f->map_retry_at);
	return (f->map_last == 0 || now >= f->map_last +
	    (long long)f->conf.map_delay);
}

/* update_stats - counts after a flush */
static void
update_stats(struct fw *f, long long now)
{
	f->stats.bans = f->nbans;
	f->stats.elements = f->hd.ranges[0].n + f->hd.ranges[1].n +
	    f->nkheld;
	f->stats.last_flush = now;
}

/* report_due - may a repair of the firewall be warned of now (one in
 * REPORT_EVERY seconds); if so, the next is not */
static int
report_due(struct fw *f, long long now)
{
	if (f->gone_reported != 0 && now - f->gone_reported < REPORT_EVERY)
		return (0);
	f->gone_reported = now;
	return (1);
}

/* fw_flush - one batch for what changed, and the map when due */
int
fw_flush(struct fw *f, long long now)
{
	char		err[512], err2[512];
	int		rc = 0, was;

	if (drop(f, now))
		f->fw_dirty = 1;
	if (f->conf.mode != FW_OFF && (f->nft == NULL || f->fw_broken)) {
		if (now >= f->retry_at && fw_reconcile(f, now) == -1)
			rc = -1;
	} else if (f->nft != NULL && f->fw_dirty) {
		f->fw_dirty = 0;
		if (push(f, now, 0, err, sizeof(err)) == -1) {
			/* Most often the table was removed and the monitor
			 * has not said so yet: repaired and reported as a
			 * removal is. */
			snprintf(f->stats.last_error,
			    sizeof(f->stats.last_error), "%s", err);
			was = f->fw_broken;
			rc = reconcile(f, now, 0, err2, sizeof(err2));
			/* A repair that fails is always said (once: then it
			 * is broken); repairs that work, once an hour. */
			if (report_due(f, now) || (rc != 0 && !was))
				log_warnx("firewall: batch failed, nothing of "
				    "it applied: %s; %s%s", err, rc == 0 ?
				    "read the sets back and repaired them" :
				    "cannot repair them, tried again with "
				    "backoff: ", rc == 0 ? "" : err2);
			else
				log_debug("firewall: batch failed: %s", err);
		}
	}
	if (map_due(f, now) && write_map(f, now) == -1)
		rc = -1;
	update_stats(f, now);
	return (rc);
}

/* fw_sync - fw_flush(), with the map written now if it changed */
int
fw_sync(struct fw *f, long long now)
{
	int		rc = fw_flush(f, now);

	if (f->map_dirty && write_map(f, now) == -1)
		rc = -1;
	return (rc);
}

/* watch - after the first batch: the monitor opened (not before, or the
 * kernel makes a notification of every element of that batch for it),
 * then our chain looked for, so that a table removed in between is made
 * again now rather than missed; 0 or -1 */
static int
watch(struct fw *f, long long now, char *err, size_t errlen)
{
	int		prio;

	if (nft_monitor_open(f->nft) == -1)
		log_warnx("firewall: nf_tables monitor: %s (a removal of table "
		    "%s %s by another process is repaired at the next batch "
		    "only)", strerror(errno), f->conf.family, f->conf.table);
	if (f->conf.mode != FW_TABLE || nft_chain_prio(f->nft, &prio) == 1)
		return (0);
	held_set(&f->hd, 0, NULL, 0);
	held_set(&f->hd, 1, NULL, 0);
	return (push(f, now, 1, err, errlen));
}

/* clock_near - two nft_clock() values within a second of each other: no
 * step between */
static int
clock_near(long long a, long long b)
{
	return (a - b <= 1000 && b - a <= 1000);
}

/* resume_arm - the first repair of a start after a clean stop: when the
 * kernel, its generation, the layout and the bans are what the stop left
 * (fw_snapshot()), the repair keeps the sets as they are and replaces
 * the rules only, in a batch the kernel refuses if anyone committed
 * since (nft.c: the full repair then); 1 when armed */
static int
resume_arm(struct fw *f)
{
	const struct fw_snap *s = &f->resume;
	char		 boot[FW_BOOT_ID_MAX];
	uint64_t	 netns, view;
	uint32_t	 gen;
	size_t		 n;
	long long	 clk = nft_clock();
	const char	*why = NULL;

	f->has_resume = 0;
	if (f->conf.mode != FW_TABLE)
		return (0);
	if (nft_identity(f->nft, boot, sizeof(boot), &netns) == -1)
		why = "this kernel does not say which namespace it is";
	else if (strcmp(boot, s->boot_id) != 0 || netns != s->netns)
		why = "another boot or network namespace";
	else if (layout_hash(f) != s->layout)
		why = "firewall_table changed";
	else if (nft_getgen(f->nft, &gen) == -1 || gen != s->gen)
		why = "nf_tables changed since (another commit)";
	else if (!clock_near(clk, s->clock_lo) ||
	    !clock_near(clk, s->clock_hi))
		why = "the wall clock was stepped since";
	else {
		view = view_hash(f, s->key, s->at, &n) + f->resume_extra;
		if (view != s->view || n + f->resume_nextra != s->bans)
			why = "the bans in force changed since";
	}
	if (why != NULL) {
		/* Said: it is why this start takes longer than the last. */
		log_info("firewall: the sets are filled again at this start "
		    "(%s)", why);
		return (0);
	}
	f->nft->genid = s->gen;
	f->nft->no_elems = 1;
	return (1);
}

/* fw_resume - before the bans of a start are given: what the last clean
 * stop left (fw_snapshot()), so that fw_start() can keep the sets; 1
 * taken, 0 when it cannot serve (another boot, no table of our own) */
int
fw_resume(struct fw *f, const struct fw_snap *s)
{
	char		 boot[FW_BOOT_ID_MAX];

	f->has_resume = 0;
	f->resume_extra = 0;
	f->resume_nextra = 0;
	if (f->conf.mode != FW_TABLE || s->gen == 0)
		return (0);
	/* Another boot: not worth reading the bans that ended meanwhile. */
	if (nft_boot_id(boot, sizeof(boot)) == -1 ||
	    strcmp(boot, s->boot_id) != 0)
		return (0);
	f->resume = *s;
	f->has_resume = 1;
	return (1);
}

/* fw_snapshot - after the last fw_sync() of a run: what the kernel holds,
 * for fw_resume() at the next start, when it is known to hold exactly
 * the bans in force; 0, or -1 with why in err */
int
fw_snapshot(struct fw *f, long long now, struct fw_snap *s, char *err,
    size_t errlen)
{
	char		 set[FW_NAME_MAX];
	uint32_t	 gen;
	long long	 clk;

	memset(s, 0, sizeof(*s));
	if (f->conf.mode != FW_TABLE || f->nft == NULL) {
		snprintf(err, errlen, "no table of its own");
		return (-1);
	}
	if (f->fw_broken || f->fw_dirty || f->nadirty > 0 || f->nagone > 0 ||
	    !f->stats.fw_ok) {
		snprintf(err, errlen, "the kernel's sets are not up to date");
		return (-1);
	}
	if (nft_monitor_read(f->nft, set, sizeof(set)) != 0 ||
	    f->nft->tainted) {
		snprintf(err, errlen, "another process changed table %s %s",
		    f->conf.family, f->conf.table);
		return (-1);
	}
	if (nft_getgen(f->nft, &gen) == -1 || gen != f->nft->acct ||
	    f->nft->nown > 0) {
		snprintf(err, errlen, "an nf_tables commit not accounted for");
		return (-1);
	}
	clk = nft_clock();
	s->clock_lo = clk < f->nft->clk_lo ? clk : f->nft->clk_lo;
	s->clock_hi = clk > f->nft->clk_hi ? clk : f->nft->clk_hi;
	if (!clock_near(s->clock_lo, s->clock_hi)) {
		snprintf(err, errlen, "the wall clock was stepped since the "
		    "sets were filled");
		return (-1);
	}
	if (nft_identity(f->nft, s->boot_id, sizeof(s->boot_id),
	    &s->netns) == -1) {
		snprintf(err, errlen, "the network namespace's cookie: %s",
		    strerror(errno));
		return (-1);
	}
	if (getrandom(&s->key, sizeof(s->key), 0) != sizeof(s->key)) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return (-1);
	}
	s->gen = gen;
	s->at = now;
	s->view = view_hash(f, s->key, now, &s->bans);
	s->layout = layout_hash(f);
	return (0);
}

/* reconcile - one batch that repairs the setup and makes the sets hold
 * the bans (own table: flushed and filled; set-only: read back first); a failure logged when report is set
 * (and the firewall worked until now); err: why it failed */
static int
reconcile(struct fw *f, long long now, int report, char *err, size_t errlen)
{
	struct fw_range	*r;
	size_t		 n, i, k;
	int		 v6, e, first, rc;

	if (f->conf.mode == FW_OFF)
		return (0);
	f->stats.reconciles++;
	(void)drop(f, now);
	if (f->nft == NULL && (f->nft = nft_open(&f->conf, err,
	    errlen)) == NULL)
		goto fail;
	first = f->nft->mon == NULL;
	/* Set-only mode: the administrator's sets must be there. */
	if (f->conf.mode == FW_SETS && nft_setup(f->nft, err, errlen) == -1)
		goto fail;
	for (v6 = 0; v6 < 2; v6++) {
		/* Own table: the repair batch flushes the sets and puts every
		 * range in, so nothing is read back (a dump of an interval set
		 * restarts its walk for each message: 100,000 elements took
		 * seconds, and most of a restart). */
		if (f->conf.mode == FW_TABLE) {
			held_set(&f->hd, v6, NULL, 0);
			continue;
		}
		if (nft_read(f->nft, v6 ? 6 : 4, &r, &n, now, err,
		    errlen) == -1) {
			/* A set (or table) that is gone holds nothing: the
			 * batch below makes it again (own-table mode). */
			if (f->conf.mode != FW_TABLE || errno != ENOENT)
				goto fail;
			r = NULL;
			n = 0;
		}
		/* Set-only mode: only our own elements are ours to change. */
		for (i = k = 0; i < n; i++)
			if (f->conf.mode == FW_TABLE || r[i].ours)
				r[k++] = r[i];
		if (k > 0)
			qsort(r, k, sizeof(*r), range_cmp);
		held_set(&f->hd, v6, r, k);
		free(r);
	}
	if (first && f->has_resume)
		(void)resume_arm(f);
	rc = push(f, now, 1, err, errlen);
	if (rc == 0 && f->nft->no_elems) {
		/* The elements were put in over the stop's range of the
		 * clock: it goes on from there, not from now. */
		if (f->resume.clock_lo < f->nft->clk_lo)
			f->nft->clk_lo = f->resume.clock_lo;
		if (f->resume.clock_hi > f->nft->clk_hi)
			f->nft->clk_hi = f->resume.clock_hi;
		f->nft->no_elems = 0;
		f->stats.resumed = 1;
		log_info("firewall: table %s %s holds the %zu bans in force as "
		    "the last stop left them: its rules replaced, its sets "
		    "kept", f->conf.family, f->conf.table, f->nbans);
	}
	f->nft->no_elems = 0;
	if (rc == -1 || (first && watch(f, now, err, errlen) == -1))
		goto fail;
	if (f->fw_broken || !f->stats.fw_ok)
		log_info("firewall: table %s %s in place again, with %zu "
		    "ranges for the %zu bans in force", f->conf.family,
		    f->conf.table, f->hd.ranges[0].n + f->hd.ranges[1].n,
		    f->nbans);
	f->fw_broken = 0;
	f->fw_dirty = 0;
	f->retry_delay = 0;
	f->stats.fw_ok = 1;
	update_stats(f, now);
	return (0);
fail:
	e = f->nft != NULL && f->nft->last_errno ? f->nft->last_errno :
	    errno;
	if (report && !f->fw_broken)
		log_warnx("firewall: %s%s; the map is still written, the "
		    "firewall is tried again (backing off to every %d s) and "
		    "gets every ban in force when it works", err,
		    explain_errno(e), RETRY_MAX);
	if (!f->fw_broken || f->retry_delay == 0)
		f->retry_delay = RETRY_MIN;
	else if ((f->retry_delay *= 2) > RETRY_MAX)
		f->retry_delay = RETRY_MAX;
	snprintf(f->stats.last_error, sizeof(f->stats.last_error), "%s", err);
	f->fw_broken = 1;
	f->stats.fw_ok = 0;
	f->retry_at = now + f->retry_delay;
	return (-1);
}

/* fw_reconcile - make the sets hold the bans (see reconcile()) */
int
fw_reconcile(struct fw *f, long long now)
{
	char		err[512];

	return (reconcile(f, now, 1, err, sizeof(err)));
}

/* fw_monitor_fd - the notification socket for poll(), or -1 */
int
fw_monitor_fd(const struct fw *f)
{
	return (f->nft != NULL ? f->nft->mon_fd : -1);
}

/* gone_text - what another process removed, in words */
static void
gone_text(const struct fw *f, int what, const char *set, char *out,
    size_t len)
{
	const char	*fam = f->conf.family, *tab = f->conf.table;

	if (what & NFT_GONE_TABLE)
		snprintf(out, len, "table %s %s was deleted by another process "
		    "(nft flush ruleset or nft delete table)", fam, tab);
	else if ((what & NFT_GONE_SET) && (what & NFT_GONE_CHAIN))
		snprintf(out, len, "set %s %s %s and chain %s were deleted by "
		    "another process", fam, tab, set, f->conf.chain);
	else if (what & NFT_GONE_SET)
		snprintf(out, len, "set %s %s %s was deleted by another "
		    "process", fam, tab, set);
	else if (what & NFT_GONE_CHAIN)
		snprintf(out, len, "chain %s %s %s was deleted by another "
		    "process", fam, tab, f->conf.chain);
	else if (what & NFT_GONE_RULES)
		snprintf(out, len, "rules of chain %s %s %s were deleted by "
		    "another process", fam, tab, f->conf.chain);
	else if (what & NFT_GONE_OBJ)
		snprintf(out, len, "counter %s of table %s %s was deleted by "
		    "another process", NFT_COUNTER_NAME, fam, tab);
	else
		snprintf(out, len, "nf_tables notifications were lost (table "
		    "%s %s may have changed)", fam, tab);
}

/* fw_monitor - read notifications; restore what someone removed */
int
fw_monitor(struct fw *f, long long now)
{
	char		 set[FW_NAME_MAX], how[256], err[512], when[32];
	int		 what, rc, was;

	if (f->nft == NULL || (what = nft_monitor_read(f->nft, set,
	    sizeof(set))) == 0)
		return (0);
	f->stats.restores++;
	gone_text(f, what, set, how, sizeof(how));
	was = f->fw_broken;
	rc = reconcile(f, now, 0, err, sizeof(err));
	if (report_due(f, now) || (rc != 0 && !was)) {
		char	more[96] = "";

		if (f->gone_unreported > 0)
			snprintf(more, sizeof(more), " (and %llu more times "
			    "since the last report)", f->gone_unreported);
		if (rc == 0)
			log_warnx("firewall: %s%s; restored it at once with "
			    "the %zu bans in force (more removals within %d s "
			    "are restored without a warning)", how, more,
			    f->nbans, REPORT_EVERY);
		else
			log_warnx("firewall: %s%s; cannot restore it: %s; "
			    "tried again (backing off to every %d s) until it "
			    "works, the bans in force and new ones kept "
			    "meanwhile", how, more, err, RETRY_MAX);
		f->gone_unreported = 0;
	} else {
		log_debug("firewall: %s; %s", how, rc == 0 ? "restored" :
		    err);
		f->gone_unreported++;
	}
	if (rc == 0) {
		(void)utc_format(now, when, sizeof(when));
		snprintf(f->stats.last_error, sizeof(f->stats.last_error),
		    "firewall: %s at %s (%llu removals so far); restored",
		    how, when, f->stats.restores);
	}
	return (rc == 0 ? 1 : -1);
}

/* fw_deadline - when fw_flush() next has work without new bans; 0 none */
long long
fw_deadline(const struct fw *f)
{
	long long	t = 0;

	if (f->map_dirty)
		t = f->stats.map_ok ? f->map_last +
		    (long long)f->conf.map_delay : f->map_retry_at;
	if (f->conf.mode != FW_OFF && (f->nft == NULL || f->fw_broken) &&
	    (t == 0 || f->retry_at < t))
		t = f->retry_at;
	if (f->next_end != 0 && (t == 0 || f->next_end < t))
		t = f->next_end;	/* an end the map must drop */
	return (t);
}

/* fw_counters - what the own table's rules dropped */
int
fw_counters(struct fw *f, uint64_t *pkts, uint64_t *bytes)
{
	*pkts = *bytes = 0;
	if (f->nft == NULL)
		return (-1);
	return (nft_counters(f->nft, pkts, bytes));
}

/* fw_nft - the netlink handle (tests) */
struct nft *
fw_nft(struct fw *f)
{
	return (f->nft);
}

/* fw_check_held - the ranges held against a full sweep of the bans
 * (tests); 0, or -1 with the difference in err */
int
fw_check_held(struct fw *f, long long now, char *err, size_t errlen)
{
	struct fw_ban	*b;
	size_t		 nb;
	int		 has[2] = { 0, 0 }, rc;

	if (f->nft != NULL) {
		has[0] = nft_has_set(f->nft, 0);
		has[1] = nft_has_set(f->nft, 1);
	}
	b = nets_of(f, &nb);
	rc = held_check(&f->hd, b, nb, has, now, err, errlen);
	if (b != f->bans)
		free(b);
	return (rc);
}

/* fw_local_pushes - pushes that recomputed what changed alone (tests) */
unsigned long long
fw_local_pushes(const struct fw *f)
{
	return (f->local_pushes);
}

/* fw_map_status - the map's line of status: "none", "ok", or "failing
 * since TIME: why" */
const char *
fw_map_status(const struct fw *f, char *buf, size_t len)
{
	char		 when[32];

	if (f->map == NULL)
		return ("none");
	if (f->stats.map_ok)
		return ("ok");
	(void)utc_format(f->stats.map_since, when, sizeof(when));
	snprintf(buf, len, "failing since %s: %s", when, f->stats.map_error);
	return (buf);
}

/* fw_stats - counts for status */
const struct fw_stats *
fw_stats(const struct fw *f)
{
	return (&f->stats);
}

/* fw_free - close everything; the kernel keeps the sets and their
 * timeouts, the map stays */
void
fw_free(struct fw *f)
{
	if (f == NULL)
		return;
	nft_close(f->nft);
	map_free(f->map);
	held_free(&f->hd);
	ends_clear(&f->ends);
	free(f->kuntil);
	free(f->kdirty);
	free(f->adirty);
	free(f->agone);
	free(f->bans);
	free(f->index);
	free(f);
}

/*	$fivefifty: firewall.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	firewall 3h - bans into an nftables set and a Postfix access map
 * SYNOPSIS
 *	#include "firewall/firewall.h"
 *
 *	void	fw_conf_defaults(struct fw_conf *c);
 *	int	fw_conf_table(struct fw_conf *c, const char *v);
 *	int	fw_conf_ports(struct fw_conf *c, const char *v);
 *	const char *fw_conf_inert(const struct fw_conf *c, char *buf,
 *		    size_t len);
 *	void	fw_protect(struct fw_conf *c, const struct fw_never *nv);
 *	const char *fw_protected_by(const struct fw_never *nv,
 *		    const struct net_prefix *n);
 *	struct fw *fw_open(const struct fw_conf *c, enum fw_error *code,
 *		    char *err, size_t errlen);
 *	struct fw *fw_new(const struct fw_conf *c, char *err, size_t errlen);
 *	struct fw *fw_prepare(const struct fw_conf *c, enum fw_error *code,
 *		    char *err, size_t errlen);
 *	int	fw_start(struct fw *f, long long now, enum fw_error *code,
 *		    char *err, size_t errlen);
 *	int	fw_ban(struct fw *f, const struct fw_ban *b);
 *	int	fw_ban_later(struct fw *f, const struct fw_ban *b);
 *	void	fw_reserve(struct fw *f, size_t n);
 *	int	fw_unban(struct fw *f, const struct net_prefix *n);
 *	int	fw_refuses(const struct fw *f, const struct net_prefix *n);
 *	int	fw_protects(const struct fw_conf *c,
 *		    const struct net_prefix *n);
 *	int	fw_banned(const struct fw *f, const struct net_prefix *n);
 *	long long fw_ban_end(const struct fw *f, const struct net_prefix *n);
 *	int	fw_flush(struct fw *f, long long now);
 *	int	fw_sync(struct fw *f, long long now);
 *	int	fw_reconcile(struct fw *f, long long now);
 *	int	fw_monitor_fd(const struct fw *f);
 *	int	fw_monitor(struct fw *f, long long now);
 *	long long fw_deadline(const struct fw *f);
 *	int	fw_counters(struct fw *f, uint64_t *pkts, uint64_t *bytes);
 *	const struct fw_stats *fw_stats(const struct fw *f);
 *	const char *fw_map_status(const struct fw *f, char *buf, size_t len);
 *	int	fw_counters(struct fw *f, uint64_t *pkts, uint64_t *bytes);
 *	int	fw_snapshot(struct fw *f, long long now, struct fw_snap *s,
 *		    char *err, size_t errlen);
 *	int	fw_resume(struct fw *f, const struct fw_snap *s);
 *	void	fw_free(struct fw *f);
 * DESCRIPTION
 *	The enforcer keeps the bans that are in force (address or network,
 *	until when, a reason class) and makes two things agree with them:
 *	the kernel (an nftables set per address family, over netlink) and
 *	the Postfix check_client_access map.
 *
 *	What is never banned is decided here, once: fw_protect() (protect.c)
 *	fills c->protect from the caller's lists (struct fw_never: the
 *	loopback key, the whitelist, Postfix's mynetworks) and this host's
 *	own addresses; fw_protected_by() names the list that protects a
 *	network (list and explain say it). The enforcer knows no state: the
 *	bans still running are given to it with fw_ban() by its caller.
 *
 *	fw_ban() adds a ban or moves its end (a re-ban refreshes the kernel
 *	timeout); fw_ban_later() does the same unless the network is banned
 *	until then or later already (then 2: a start reading a state where a
 *	network has several bans running); fw_unban() lifts one. fw_reserve() makes
 *	room for n bans at once (a start that knows about how many come). fw_refuses() tells whether fw_ban()
 *	would refuse n as protected (fw_protects() with its configuration:
 *	loopback, or overlapping c->protect); fw_banned() whether n is
 *	banned, fw_ban_end() until when (0: it is not). Neither touches the
 *	kernel: fw_flush() sends everything that changed since the last
 *	flush as one netlink batch (every ack drained; any error fails the
 *	whole batch) and
 *	rewrites the map when it changed, at most once per map_delay;
 *	fw_sync() is the same with the map written at once (before exit). Element
 *	timeouts are the remaining ban time, so bans end in the kernel even
 *	while nothing of fivefifty runs. Nested bans (an address inside a
 *	banned /64) are cut into disjoint ranges, each with the latest end
 *	that covers it, because an interval set refuses overlaps.
 *
 *	A start with bans already decided (the daemon's, from its state)
 *	is fw_prepare(), which sends nothing to the kernel, then fw_ban()
 *	for each, then fw_start(): it sends one batch with the table, sets,
 *	counter, chain, rules, the sets flushed and every range, so the
 *	start is one kernel generation and the rules never exist without
 *	the elements (fw_open() then fw_reconcile() is two).
 *
 *	A stop and the next start need not fill the sets again when nothing
 *	touched them between: fw_snapshot(), after the last fw_sync() of a
 *	run, gives in s what the kernel holds (its boot, network namespace
 *	and nf_tables generation, a keyed hash of the bans in force) when
 *	it is known to hold exactly those bans: own-table mode, every batch
 *	applied, and every commit since the last repair either ours or
 *	another process's that the monitor saw not touching our table
 *	(nft_gen.c); else -1 with why in err. fw_resume(), called between
 *	fw_prepare() and the fw_ban()s of the next start (which are given
 *	the bans running at the stop's time: those that ended since count
 *	too), lets fw_start() send the table, chain and rules only, the
 *	sets kept as they are, when the boot, namespace, generation (no
 *	commit by anyone since), table and bans are all as s says: in a
 *	batch carrying that generation (NFNL_BATCH_GENID), which the kernel
 *	refuses if anyone committed in between; then, and on any other
 *	doubt, the start is the full repair as always. stats.resumed says
 *	which it was. fw_resume() returns 1 when s may serve, 0 when it
 *	cannot (another boot, no table of our own): then the caller gives
 *	the bans running now only. Also refused: a wall clock stepped
 *	while the elements were in the kernel (their timeouts run on the
 *	monotonic clock, the bans' ends on the wall clock), and sets that
 *	are not all there.
 *
 *	fw_reconcile() repairs the sets: in own-table mode one batch
 *	creates (again) the table, sets and chain, flushes the sets and puts
 *	every range in force in them (the kernel holds exactly the bans
 *	afterwards; nothing is read back); in set-only mode it reads the
 *	sets back and touches only elements that carry fivefifty's comment.
 *	fw_flush() reconciles by itself after a failed batch.
 *	fw_monitor_fd() is a netlink socket subscribed to nf_tables changes,
 *	for the caller's poll(); fw_monitor() reads it and, when someone
 *	deleted the table, a set, the chain or flushed the ruleset, makes
 *	them again with every ban in force (its remaining time) in one
 *	batch. One warning says what was removed and whether it was
 *	restored; more removals within an hour are restored quietly and
 *	counted (restores, last_error). A repair the kernel refuses, like a
 *	failed flush, is tried again with a growing delay (1 s doubled up to
 *	60 s, logged once, and once more when it works); the bans decided
 *	meanwhile are kept and go in with it.
 *	A map rewrite that fails (postmap missing or failing, a read-only
 *	directory) is logged once, kept in map_since and map_error, and
 *	tried again after max(map_delay, 1) s, doubled after each failure
 *	up to 30 s; the rewrite that works is logged and holds every ban.
 *	fw_map_status() is the map's word for status: "none" (no map), "ok",
 *	or "failing since TIME: why", in buf.
 *	fw_deadline() is the next time fw_flush() has work without new bans
 *	(a debounced map rewrite, an expiry to drop from the map), or 0.
 *
 *	Times are seconds since the epoch: `now` is the wall clock.
 *	fw_conf_table() and fw_conf_ports() read the firewall_table and
 *	firewall_ports values of the configuration; fw_counters() is what
 *	the own table's rules dropped or rejected (-1: no kernel sets).
 *	c->action (firewall_action: FW_DROP, FW_REJECT, a TCP reset) and
 *	c->established (firewall_established: 0, new connections only; 1,
 *	every packet, so a ban cuts open connections) shape the own table's
 *	rules; fw_conf_inert() puts in buf, for a warning, which of them is
 *	set to something other than its default where it cannot act
 *	(firewall = sets: the administrator's rule decides; off: no rule)
 *	and returns buf, or NULL when nothing is.
 * RETURN VALUES
 *	fw_open() returns NULL with the reason in err only when the
 *	configuration is unusable (*code FW_ERR_CONF: the map, its
 *	directory, or out of memory), or when the kernel's sets cannot be
 *	set up (*code FW_ERR_KERNEL) and either firewall_required is set or
 *	a firewall_* name is wrong; otherwise an unavailable firewall (no
 *	CAP_NET_ADMIN, no nf_tables) is reported in err with *code
 *	FW_ERR_KERNEL, the map is still written, and fw_stats()->fw_ok is
 *	0. *code is FW_ERR_NONE (err "") when everything opened. fw_new() is
 *	fw_open() for a caller that needs no code. fw_prepare() fails as
 *	fw_open() does, but never with FW_ERR_KERNEL; fw_start() returns 0,
 *	or -1 with *code FW_ERR_KERNEL and err as fw_open() would have said
 *	(the caller frees f when firewall_required is set; else it is
 *	retried with backoff as a failed reconcile is).
 *	fw_ban() returns 0, 1 for a ban that ended already by the clock
 *	(ignored), or -1 for a ban it refuses: loopback, a protected
 *	network, or a network that contains one. fw_flush() and
 *	fw_reconcile() return 0, or -1 after logging what failed (the kernel
 *	batch with the object that caused it, or the map).
 * SECURITY
 *	Only the address, prefix length, the end time and the reason class go
 *	into the kernel and the map; the reason is reduced to [A-Za-z0-9 ._-]
 *	before use. postmap runs with a fixed argv (posix_spawn, no shell).
 *	The netlink sockets need CAP_NET_ADMIN.
 */
#ifndef FIVEFIFTY_FIREWALL_H
#define FIVEFIFTY_FIREWALL_H

#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

#define FW_NAME_MAX	64
#define FW_MAX_PORTS	16
#define FW_MAX_PROTECT	(2 * NET_LIST_MAX + 32) /* loopback, whitelist,
					 * mynetworks, this host */

/* What the own table's rules do to an offender's packet. */
enum fw_action {
	FW_DROP,	/* firewall_action = drop (the default) */
	FW_REJECT	/* reject with tcp reset */
};

enum fw_mode {
	FW_OFF,		/* no kernel sets: the map only */
	FW_TABLE,	/* our own table, sets and chain */
	FW_SETS		/* elements in the administrator's existing sets */
};

struct fw_conf {
	enum fw_mode	 mode;			/* firewall = table */
	char		 family[8];		/* "inet", "ip", "ip6" */
	char		 table[FW_NAME_MAX];	/* firewall_table = inet
						 * fivefifty */
	char		 set4[FW_NAME_MAX];	/* "" : no IPv4 set */
	char		 set6[FW_NAME_MAX];	/* "" : no IPv6 set */
	char		 chain[FW_NAME_MAX];	/* own-table mode */
	int		 priority;		/* of the input hook */
	int		 ports[FW_MAX_PORTS];	/* protected TCP ports */
	int		 nports;		/* 0: all ports */
	int		 required;		/* exit without the firewall */
	enum fw_action	 action;		/* own-table mode: drop */
	int		 established;		/* own-table mode: also cut
						 * open connections */

	char		 map[1024];		/* "TYPE:PATH", "" : none */
	char		 map_text[256];		/* after "554 5.7.1 " */
	double		 map_delay;		/* seconds between rewrites */
	char		 postmap[1024];		/* the postmap program */
	char		 postfix_dir[1024];	/* postmap -c: its main.cf */

	/* Never banned, nor a network that contains one: loopback, the
	 * whitelist, the server's own networks. 127.0.0.1 and ::1 always. */
	struct net_prefix protect[FW_MAX_PROTECT];
	int		 nprotect;
};

/* What is never banned, as the configuration lists it (fw_protect()). */
struct fw_never {
	struct net_prefix	 loopback;	/* the loopback key */
	const struct net_prefix	*whitelist;
	int			 nwhitelist;
	const struct net_prefix	*mynetworks;	/* Postfix's own networks */
	int			 nmynetworks;
};

/* Why fw_open() failed, or what err says when it did not. */
enum fw_error {
	FW_ERR_NONE,		/* all of it opened */
	FW_ERR_CONF,		/* the map or its directory; out of memory */
	FW_ERR_KERNEL		/* the kernel's sets cannot be set up */
};

struct fw_ban {
	struct net_prefix net;		/* length 32/128: one address */
	long long	 until;		/* epoch seconds */
	char		 reason[64];	/* class: "five-fifty", "dictionary" */
};

struct fw_stats {
	int		 fw_ok;		/* the kernel sets are in place */
	int		 map_ok;	/* the last map rewrite worked */
	size_t		 bans;		/* in force */
	size_t		 elements;	/* kernel ranges we hold */
	unsigned long long batches, batch_errors, reconciles, restores;
	int		 resumed;	/* the start kept the kernel's sets */
	unsigned long long map_writes, map_errors;
	long long	 last_flush;	/* epoch seconds */
	long long	 map_since;	/* failing since (epoch), 0: not */
	char		 map_error[512];	/* why it fails, "" */
	char		 last_error[1024];
};

/* What a clean stop leaves for the next start (fw_snapshot()). */
#define FW_BOOT_ID_MAX	40
struct fw_snap {
	char		 boot_id[FW_BOOT_ID_MAX]; /* the kernel's boot */
	uint64_t	 netns;		/* the network namespace's cookie */
	uint32_t	 gen;		/* nf_tables generation at the stop */
	uint64_t	 key;		/* random, for view */
	uint64_t	 view;		/* the bans in force, hashed with key */
	uint64_t	 layout;	/* table, family, set names */
	long long	 at;		/* the stop, epoch seconds */
	long long	 clock_lo, clock_hi; /* wall less monotonic clock, ms,
					 * while the elements were put in */
	size_t		 bans;		/* in force then */
};

struct fw;

void	fw_conf_defaults(struct fw_conf *);
int	fw_conf_table(struct fw_conf *, const char *);
int	fw_conf_ports(struct fw_conf *, const char *);
const char *fw_conf_inert(const struct fw_conf *, char *, size_t);
void	fw_protect(struct fw_conf *, const struct fw_never *);
const char *fw_protected_by(const struct fw_never *, const struct net_prefix *);
struct fw *fw_open(const struct fw_conf *, enum fw_error *, char *, size_t);
struct fw *fw_new(const struct fw_conf *, char *, size_t);
struct fw *fw_prepare(const struct fw_conf *, enum fw_error *, char *, size_t);
int	fw_start(struct fw *, long long, enum fw_error *, char *, size_t);
int	fw_ban(struct fw *, const struct fw_ban *);
int	fw_ban_later(struct fw *, const struct fw_ban *);
void	fw_reserve(struct fw *, size_t);
int	fw_unban(struct fw *, const struct net_prefix *);
int	fw_refuses(const struct fw *, const struct net_prefix *);
int	fw_protects(const struct fw_conf *, const struct net_prefix *);
int	fw_banned(const struct fw *, const struct net_prefix *);
long long fw_ban_end(const struct fw *, const struct net_prefix *);
int	fw_flush(struct fw *, long long);
int	fw_sync(struct fw *, long long);
int	fw_reconcile(struct fw *, long long);
int	fw_monitor_fd(const struct fw *);
int	fw_monitor(struct fw *, long long);
long long fw_deadline(const struct fw *);
int	fw_counters(struct fw *, uint64_t *, uint64_t *);
const struct fw_stats *fw_stats(const struct fw *);
int	fw_snapshot(struct fw *, long long, struct fw_snap *, char *, size_t);
int	fw_resume(struct fw *, const struct fw_snap *);
const char *fw_map_status(const struct fw *, char *, size_t);
void	fw_free(struct fw *);

#endif /* FIVEFIFTY_FIREWALL_H */

/*	$fivefifty: fw_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fw_int 3h - what the firewall module's files share
 * SYNOPSIS
 *	#include "firewall/fw_int.h"
 *
 *	Access map (map.c):
 *	struct fw_map *map_open(const char *spec, const char *text,
 *		    const char *postmap, char *err, size_t errlen);
 *	int	map_config_dir(struct fw_map *m, const char *dir);
 *	int	map_write(struct fw_map *m, const struct fw_ban *bans,
 *		    size_t n, long long now, char *err, size_t errlen);
 *	size_t	map_keys(const struct net_prefix *n, int cidr,
 *		    char (*keys)[MAP_KEY_MAX], size_t max);
 *	int	map_ready(const struct fw_map *m, char *err, size_t errlen);
 *	int	map_present(const struct fw_map *m);
 *	int	map_indexed(const struct fw_map *m);
 *	const char *map_file(const struct fw_map *m);
 *	void	map_free(struct fw_map *m);
 *
 *	Kernel (nft.c, nft_read.c):
 *	struct nft *nft_open(const struct fw_conf *c, char *err, size_t len);
 *	int	nft_setup(struct nft *h, char *err, size_t len);
 *	int	nft_apply(struct nft *h, const struct fw_range *add, size_t nadd,
 *		    const struct fw_range *del, size_t ndel, long long now,
 *		    char *err, size_t len);
 *	int	nft_repair(struct nft *h, const struct fw_range *add,
 *		    size_t nadd, const struct fw_range *del, size_t ndel,
 *		    long long now, char *err, size_t len);
 *	int	nft_read(struct nft *h, int family, struct fw_range **out,
 *		    size_t *n, long long now, char *err, size_t len);
 *	int	nft_counters(struct nft *h, uint64_t *pkts, uint64_t *bytes);
 *	int	nft_monitor_open(struct nft *h);
 *	int	nft_monitor_read(struct nft *h, char *set, size_t len);
 *	int	nft_family_ok(const char *family);
 *	int	nft_has_set(const struct nft *h, int v6);
 *	int	nft_readd_refreshes(const struct nft *h);
 *	void	nft_close(struct nft *h);
 *
 *	Ranges (ranges.c):
 *	size_t	ranges_from_bans(const struct fw_ban *b, size_t n, int family,
 *		    long long now, struct fw_range *out);
 *	int	range_cmp(const void *a, const void *b);
 *	int	range_key_inc(unsigned char *k, int len);
 *	void	range_key_dec(unsigned char *k, int len);
 *
 *	Sorted lists in chunks (olist.c):
 *	void	olist_init(struct olist *l, size_t size,
 *		    int (*cmp)(const void *, const void *));
 *	void	olist_clear(struct olist *l);
 *	void	olist_load(struct olist *l, const void *sorted, size_t n);
 *	struct olist_pos olist_lower(const struct olist *l, const void *key);
 *	void	*olist_get(const struct olist *l, struct olist_pos p);
 *	struct olist_pos olist_next(const struct olist *l, struct olist_pos p);
 *	void	olist_insert(struct olist *l, const void *elem);
 *	struct olist_pos olist_erase(struct olist *l, struct olist_pos p);
 *	void	*olist_array(const struct olist *l, size_t *n);
 *
 *	The ranges held, updated where bans changed (held.c):
 *	void	held_init(struct fw_held *h);
 *	void	held_free(struct fw_held *h);
 *	void	held_ban(struct fw_held *h, const struct net_prefix *n,
 *		    long long until);
 *	void	held_unban(struct fw_held *h, const struct net_prefix *n);
 *	void	held_set(struct fw_held *h, int v6, const struct fw_range *r,
 *		    size_t n);
 *	int	held_local(const struct fw_held *h);
 *	void	held_diff(const struct fw_range *have, size_t nh,
 *		    const struct fw_range *want, size_t nw, long long now,
 *		    int readd, struct fw_range **add, size_t *nadd,
 *		    size_t *capadd, struct fw_range **del, size_t *ndel,
 *		    size_t *capdel);
 *	void	held_plan(struct fw_held *h, const int has[2], long long now,
 *		    int readd, struct fw_range **add, size_t *nadd,
 *		    size_t *capadd, struct fw_range **del, size_t *ndel,
 *		    size_t *capdel);
 *	void	held_commit(struct fw_held *h);
 *	void	held_full(struct fw_held *h, struct fw_range *want[2],
 *		    const size_t nwant[2], const struct fw_ban *b, size_t n);
 *	int	held_check(const struct fw_held *h, const struct fw_ban *b,
 *		    size_t n, const int has[2], long long now, char *err,
 *		    size_t errlen);
 *
 *	The bans' ends in a heap (ends.c):
 *	void	ends_push(struct fw_ends *e, const struct net_prefix *n,
 *		    long long until);
 *	void	ends_reserve(struct fw_ends *e, size_t n);
 *	long long ends_top(const struct fw_ends *e);
 *	int	ends_pop(struct fw_ends *e, struct net_prefix *n,
 *		    long long *until);
 *	void	ends_clear(struct fw_ends *e);
 *
 *	The enforcer's kernel handle (enforce.c, for nft_read.c's monitor):
 *	struct nft *fw_nft(struct fw *f);
 *	Tests: the ranges held against a full sweep (enforce.c):
 *	int	fw_check_held(struct fw *f, long long now, char *err,
 *		    size_t errlen);
 *	unsigned long long fw_local_pushes(const struct fw *f);
 * DESCRIPTION
 *	map_open() checks "TYPE:PATH" (hash, lmdb, cdb, btree: built with
 *	postmap; texthash, cidr: written as they are) and the reply text.
 *	map_config_dir() makes postmap read dir/main.cf ("postmap -c dir");
 *	by default it reads /etc/postfix/main.cf and fails without it.
 *	map_ready() says plainly what the map lacks (Postfix not installed,
 *	no main.cf, no directory) and what to do; map_present() whether a
 *	map is in place.
 *	map_write() rewrites the whole map atomically from the bans in force
 *	at now: a temporary file in the map's directory, fsync, postmap on
 *	it (for indexed types), then rename over the old map, so Postfix
 *	never reads half a map. On any failure the old map stays and err
 *	says what failed. One line per key: "KEY 554 5.7.1 TEXT", TEXT from
 *	the template with $address, $reason and $until replaced.
 *	map_keys() gives the lookup keys of a network: "net/len" (a bare
 *	address for a /32 or /128) for cidr maps; for the others the
 *	address, or the partial-address keys of access(5) ("1.2.3" for a
 *	/24; a /20 is 16 keys), at most max; it returns how many there are.
 *
 *	A fw_range is an inclusive range [lo, hi] of addresses of one family
 *	(key bytes in network order; 4 used for IPv4) with the end of its
 *	ban; addr marks the element of a single-address ban, which goes in
 *	the family's address set in own-table mode (networks go in the nets
 *	set: a /32 inside a banned /8 is in both, each with its own end).
 *	ranges_from_bans() cuts nested bans into disjoint ranges, each
 *	with the latest end among the bans that cover it, sorted.
 *
 *	nft_setup() makes the table, sets, chain and rules (own-table mode,
 *	in one batch; the chain's rules are replaced, the sets' elements
 *	kept) or checks that the sets exist with the right types (set-only
 *	mode). nft_apply() sends deletions then additions as one batch (an
 *	addition of a range the kernel already holds refreshes its timeout;
 *	before Linux 6.12 the caller lists it in del too). nft_repair() is
 *	nft_setup(), the sets flushed and nft_apply() as one batch (own-table
 *	mode: the sets hold exactly add afterwards, whatever they held), so
 *	sets made again are never in force without their elements; in
 *	set-only mode, nft_apply() (nft_setup() checks the sets). nft_read() dumps
 *	a set as ranges; until is now + the kernel's remaining time, and
 *	ours says whether the element carries fivefifty's comment; it fails
 *	with errno ENOENT when the set (or its table) is not there. In
 *	own-table mode it reads both sets of the family: the address set's
 *	elements first (addr set), then the networks' ranges.
 *	nft_monitor_read() drains the monitor and returns the NFT_GONE_*
 *	bits of what another process removed (0: nothing of ours); the name
 *	of a removed set is in *set. It also gives each commit's generation
 *	to nft_gen.c (whether another process's touched our table).
 *	nft_getgen() asks the kernel for the nf_tables generation now.
 *	With h->no_elems (and h->genid, the generation a clean stop left),
 *	nft_repair() sends the setup alone, the sets kept, in a batch the
 *	kernel takes only in that generation; refused (ERESTART), it does
 *	the full repair, and clears h->no_elems to say so.
 */
#ifndef FIVEFIFTY_FW_INT_H
#define FIVEFIFTY_FW_INT_H

#include "firewall.h"

#define MAP_KEY_MAX	48
#define EXPIRY_SLACK	2	/* seconds: an element the kernel may have
				 * dropped already is not deleted */
#define UNTIL_SLACK	2	/* kernel's end read back vs ours */
#define FW_COMMENT	"fivefifty"

struct fw_range {
	int		 family;	/* 4 or 6 */
	unsigned char	 lo[16], hi[16];
	long long	 until;
	int		 ours;		/* read back: our comment */
	int		 addr;		/* own table: a single address's
					 * element, in the address set */
};

/* What nft_monitor_read() saw removed by another process. */
#define NFT_GONE_TABLE	0x01	/* the table (delete table, flush ruleset) */
#define NFT_GONE_SET	0x02	/* one of our sets */
#define NFT_GONE_CHAIN	0x04	/* our chain */
#define NFT_GONE_RULES	0x08	/* rules of our chain */
#define NFT_GONE_OBJ	0x10	/* our counter */
#define NFT_GONE_LOST	0x20	/* notifications were lost */

/* A sorted list in chunks (olist.c); l->n elements. */
struct olist_chunk;
struct olist {
	struct olist_chunk **c;
	size_t		 nc, capc, n, size;
	int		(*cmp)(const void *, const void *);
};
struct olist_pos {
	size_t		 c, i;
};

/* The ranges held and the bans in address order (held.c). */
struct oban;
struct region;
struct fw_held {
	struct olist	 ranges[2];	/* what the kernel holds, by range_cmp */
	struct olist	 order;		/* the bans' blocks, by address */
	unsigned	 lens[2][129];	/* bans per prefix length (v4, v6) */
	struct oban	*dirty;		/* blocks changed since the last push */
	size_t		 ndirty, capdirty;
	struct region	*regions;	/* of the push being planned */
	size_t		 nregions, capregions;
	struct fw_range	*want;		/* the regions' ranges */
	size_t		 nwant, capwant;
	int		 order_ok;	/* order, lens and dirty kept */
	int		 valid;		/* ranges: the sweep at the last push */
};

/* The bans' ends, earliest first (ends.c); stale entries allowed. */
struct fw_end {
	struct net_prefix net;
	long long	 until;
};
struct fw_ends {
	struct fw_end	*h;
	size_t		 n, cap;
};

struct fw_map;

struct fw_map *map_open(const char *, const char *, const char *, char *,
	    size_t);
int	map_config_dir(struct fw_map *, const char *);
int	map_write(struct fw_map *, const struct fw_ban *, size_t, long long,
	    char *, size_t);
size_t	map_keys(const struct net_prefix *, int, char (*)[MAP_KEY_MAX],
	    size_t);
int	map_ready(const struct fw_map *, char *, size_t);
int	map_present(const struct fw_map *);
int	map_indexed(const struct fw_map *);
const char *map_file(const struct fw_map *);
void	map_free(struct fw_map *);

struct nft;

struct nft *nft_open(const struct fw_conf *, char *, size_t);
int	nft_setup(struct nft *, char *, size_t);
int	nft_apply(struct nft *, const struct fw_range *, size_t,
	    const struct fw_range *, size_t, long long, char *, size_t);
int	nft_repair(struct nft *, const struct fw_range *, size_t,
	    const struct fw_range *, size_t, long long, char *, size_t);
int	nft_read(struct nft *, int, struct fw_range **, size_t *, long long,
	    char *, size_t);
int	nft_counters(struct nft *, uint64_t *, uint64_t *);
int	nft_monitor_open(struct nft *);
int	nft_monitor_read(struct nft *, char *, size_t);
int	nft_family_ok(const char *);
int	nft_has_set(const struct nft *, int);
int	nft_readd_refreshes(const struct nft *);
void	nft_close(struct nft *);

size_t	ranges_from_bans(const struct fw_ban *, size_t, int, long long,
	    struct fw_range *);
int	range_cmp(const void *, const void *);
int	range_key_inc(unsigned char *, int);
void	range_key_dec(unsigned char *, int);

void	olist_init(struct olist *, size_t, int (*)(const void *,
	    const void *));
void	olist_clear(struct olist *);
void	olist_load(struct olist *, const void *, size_t);
struct olist_pos olist_lower(const struct olist *, const void *);
void	*olist_get(const struct olist *, struct olist_pos);
struct olist_pos olist_next(const struct olist *, struct olist_pos);
void	olist_insert(struct olist *, const void *);
struct olist_pos olist_erase(struct olist *, struct olist_pos);
void	*olist_array(const struct olist *, size_t *);

void	held_init(struct fw_held *);
void	held_free(struct fw_held *);
void	held_ban(struct fw_held *, const struct net_prefix *, long long);
void	held_unban(struct fw_held *, const struct net_prefix *);
void	held_set(struct fw_held *, int, const struct fw_range *, size_t);
int	held_local(const struct fw_held *);
void	held_diff(const struct fw_range *, size_t, const struct fw_range *,
	    size_t, long long, int, struct fw_range **, size_t *, size_t *,
	    struct fw_range **, size_t *, size_t *);
void	held_plan(struct fw_held *, const int[2], long long, int,
	    struct fw_range **, size_t *, size_t *, struct fw_range **,
	    size_t *, size_t *);
void	held_commit(struct fw_held *);
void	held_full(struct fw_held *, struct fw_range *[2], const size_t[2],
	    const struct fw_ban *, size_t);
int	held_check(const struct fw_held *, const struct fw_ban *, size_t,
	    const int[2], long long, char *, size_t);

void	ends_push(struct fw_ends *, const struct net_prefix *, long long);
void	ends_reserve(struct fw_ends *, size_t);
long long ends_top(const struct fw_ends *);
int	ends_pop(struct fw_ends *, struct net_prefix *, long long *);
void	ends_clear(struct fw_ends *);

struct nft *fw_nft(struct fw *);
int	fw_check_held(struct fw *, long long, char *, size_t);
unsigned long long fw_local_pushes(const struct fw *);

#endif /* FIVEFIFTY_FW_INT_H */

/*	$fivefifty: nft_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	nft_int 3h - the netlink handle shared by nft.c, nft_read.c and
 *	nft_gen.c
 * DESCRIPTION
 *	struct nft holds the command socket (batches and dumps), the monitor
 *	socket, the batch being built and, for each message of it, what
 *	object it was about (for the error message of a failed batch).
 *	has[0] / has[1]: an IPv4 / IPv6 set is in use; interval[]: that set
 *	takes ranges. split (own-table mode): single addresses go in the
 *	family's set (a hash: a commit does not walk it), networks in its
 *	nets[] set (interval); set-only mode has one set per family for
 *	both. redo[]: the address set exists with other flags (an older
 *	fivefifty's interval set) and is made again. readd: adding an
 *	existing element refreshes its timeout (Linux 6.12 and later).
 *	acct, own[], tainted, touched: nft_gen.c's account of the
 *	generations; exact, genid, no_elems: how nft_repair() sends the
 *	batch being built (see fw_int.h).
 */
#ifndef FIVEFIFTY_NFT_INT_H
#define FIVEFIFTY_NFT_INT_H

#include <stdint.h>

#include "fw_int.h"

#define NFT_COUNTER_NAME	"dropped"
#define NFT_NETS_SUFFIX		"_nets"	/* the networks' set: set4_nets */

struct mnl_socket;
struct nlmsghdr;

struct nft_obj {
	uint32_t	 seq;
	char		 what[128];
};

struct nft {
	struct fw_conf	 conf;
	int		 family;		/* NFPROTO_* */
	struct mnl_socket *nl, *mon;
	int		 mon_fd;
	uint32_t	 portid, seq;
	int		 has[2], interval[2], readd, split, redo[2];
	char		 nets[2][FW_NAME_MAX + sizeof(NFT_NETS_SUFFIX)];
	char		*buf;			/* the batch */
	size_t		 len, cap;
	int		 nmsgs;
	struct nft_obj	*objs;
	size_t		 nobjs, capobjs;
	unsigned long long batches, batch_errors;
	int		 last_errno;
	/* What is known of the kernel's generations (nft_gen.c): every
	 * generation up to acct is ours or was seen (its notifications) not
	 * to touch our table; own[] are ours beyond it, tainted says that a
	 * commit of another process may have changed the table since the
	 * last exact batch (a repair: the sets hold exactly what it put). */
	uint32_t	 acct, own[8];
	int		 nown, tainted, touched;
	/* The wall clock less the monotonic one (which the kernel's
	 * timeouts follow), in ms, lowest and highest at our batches since
	 * the last exact one: a step between moves the elements' ends off
	 * the bans' (nft_clock()). */
	long long	 clk_lo, clk_hi, clk_start;
	int		 exact;			/* the batch being sent is one */
	uint32_t	 genid;			/* the batch's NFNL_BATCH_GENID */
	int		 no_elems;		/* repair: the sets kept as they are */
};

struct nlmsghdr *nft_batch_msg(struct nft *, uint16_t, uint16_t);
int	nft_talk(struct nft *, char *, size_t);
int	nft_chain_prio(struct nft *, int *);
int	nft_check_sets(struct nft *, char *, size_t);
int	nft_set_flags(struct nft *, const char *, uint32_t *);
const char *nft_set_name(const struct nft *, int, int);
int	nft_getgen(struct nft *, uint32_t *);
void	nft_gen_batch(struct nft *, uint32_t, uint32_t);
void	nft_gen_seen(struct nft *, uint32_t, int);
int	nft_identity(struct nft *, char *, size_t, uint64_t *);
int	nft_boot_id(char *, size_t);
long long nft_clock(void);

#endif /* FIVEFIFTY_NFT_INT_H */

/*	$fivefifty: nft_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	nft_int 3h - the netlink handle shared by nft.c and nft_read.c
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
};

struct nlmsghdr *nft_batch_msg(struct nft *, uint16_t, uint16_t);
int	nft_talk(struct nft *, char *, size_t);
int	nft_chain_prio(struct nft *, int *);
int	nft_check_sets(struct nft *, char *, size_t);
int	nft_set_flags(struct nft *, const char *, uint32_t *);
const char *nft_set_name(const struct nft *, int, int);

#endif /* FIVEFIFTY_NFT_INT_H */

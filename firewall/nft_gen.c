/*	$fivefifty: nft_gen.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	nft_gen 3 - which nf_tables generations are ours, or harmless
 * SYNOPSIS
 *	void	nft_gen_batch(struct nft *h, uint32_t before, uint32_t after);
 *	void	nft_gen_seen(struct nft *h, uint32_t gen, int foreign);
 *	int	nft_identity(struct nft *h, char *boot, size_t len,
 *		    uint64_t *netns);
 *	int	nft_boot_id(char *boot, size_t len);
 *	long long nft_clock(void);
 * DESCRIPTION
 *	Every commit of any process makes the namespace's nf_tables
 *	generation one higher. The kernel's table holds exactly what our
 *	batches put in it as long as every generation since our last exact
 *	batch (a repair: the sets flushed and filled, or the table found as
 *	a clean stop left it) is accounted for: ours, or another process's
 *	whose notifications the monitor read and none of which was about our
 *	table. h->acct is the last generation up to which all are; our own
 *	generations beyond it wait in h->own[] for the monitor to account
 *	for those before them. fw_snapshot() trusts the table only when
 *	h->acct is the generation now and h->tainted is not set.
 *
 *	nft_gen_batch() is told the generation before a batch of ours was
 *	sent (read after the monitor left the group) and after it (read once
 *	the acks were drained and the monitor was back): after == before + 1
 *	proves that the one commit in between is ours and that no other
 *	process committed meanwhile, unseen. Anything else taints. An exact
 *	batch (h->exact) starts the accounting afresh at its generation.
 *	nft_gen_seen() takes a NEWGEN notification the monitor read: a
 *	commit of another process that touched our table (h->touched, set
 *	by the monitor for each of its messages about the table) taints, and
 *	a generation that skips one never accounted for taints (its
 *	notifications were lost).
 *
 *	nft_identity() names the kernel and namespace a generation belongs
 *	to: the boot's random boot_id and the namespace's cookie
 *	(SO_NETNS_COOKIE, Linux 5.14), so a number from another boot or
 *	another namespace (a container made again) is never taken for
 *	this one's; nft_boot_id() is the boot's part alone. nft_clock() is
 *	the wall clock less the monotonic one (ms): the kernel's element
 *	timeouts follow the monotonic clock, the bans' ends the wall clock,
 *	so a step of the wall clock (or a suspend) moves every element's
 *	end off its ban's; nft_gen_batch()
 *	keeps its lowest and highest value over our batches since the last
 *	exact one (h->clk_lo, h->clk_hi; each batch's from its start, when
 *	its timeouts were reckoned, to its end). A batch that kept the sets
 *	keeps the range they were filled in too (fw_start()).
 * DIAGNOSTICS
 *	None: a doubt is h->tainted, and it costs a full repair at the next
 *	start, never a wrong table.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "fw_int.h"
#include "nft_int.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71	/* Linux 5.14 */
#endif

/* absorb - our generations that now follow the accounted ones */
static void
absorb(struct nft *h)
{
	int		i, moved = 1;

	while (moved && h->nown > 0) {
		moved = 0;
		for (i = 0; i < h->nown; i++) {
			if (h->own[i] != h->acct + 1)
				continue;
			h->acct++;
			h->own[i] = h->own[--h->nown];
			moved = 1;
			break;
		}
	}
}

/* nft_clock - the wall clock less the monotonic one, in ms: steady but
 * for a step of the wall clock (or a suspend), which the kernel's element
 * timeouts (jiffies) do not follow */
long long
nft_clock(void)
{
	struct timespec	r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((long long)(r.tv_sec - m.tv_sec) * 1000 +
	    (r.tv_nsec - m.tv_nsec) / 1000000);
}

/* nft_gen_batch - the generations around a batch of ours that worked */
void
nft_gen_batch(struct nft *h, uint32_t before, uint32_t after)
{
	long long	clk = nft_clock(), lo, hi;

	/* The elements' timeouts were reckoned at the batch's start. */
	lo = clk < h->clk_start ? clk : h->clk_start;
	hi = clk < h->clk_start ? h->clk_start : clk;
	if (before == 0 || after != before + 1) {
		h->tainted = 1;
		return;
	}
	if (h->exact) {
		h->clk_lo = lo;
		h->clk_hi = hi;
		/* The sets hold exactly what the batch said: what came
		 * before it no longer matters. */
		h->acct = after;
		h->nown = 0;
		h->tainted = 0;
		h->touched = 0;
		return;
	}
	if (lo < h->clk_lo)
		h->clk_lo = lo;
	if (hi > h->clk_hi)
		h->clk_hi = hi;
	if (after <= h->acct)
		return;
	if (h->nown == (int)(sizeof(h->own) / sizeof(h->own[0]))) {
		h->tainted = 1;
		return;
	}
	h->own[h->nown++] = after;
	absorb(h);
}

/* nft_gen_seen - a commit's last notification (NFT_MSG_NEWGEN) read */
void
nft_gen_seen(struct nft *h, uint32_t gen, int foreign)
{
	int		touched = h->touched;

	h->touched = 0;
	/* Already accounted for: ours, or before the last exact batch. */
	if (h->acct == 0 || gen <= h->acct)
		return;
	absorb(h);
	if (gen != h->acct + 1 || (foreign && touched)) {
		h->tainted = 1;
		if (gen > h->acct)
			h->acct = gen;	/* tainted until an exact batch */
		return;
	}
	h->acct = gen;
	absorb(h);
}

/* nft_boot_id - this boot's random id; 0, or -1 with errno */
int
nft_boot_id(char *boot, size_t len)
{
	FILE		*fp;

	if ((fp = fopen("/proc/sys/kernel/random/boot_id", "re")) == NULL)
		return (-1);
	if (fgets(boot, (int)len, fp) == NULL) {
		fclose(fp);
		errno = EIO;
		return (-1);
	}
	fclose(fp);
	boot[strcspn(boot, "\n")] = '\0';
	return (0);
}

/* nft_identity - this boot (boot_id) and this network namespace (its
 * cookie, never reused while the system runs); 0, or -1 with errno */
int
nft_identity(struct nft *h, char *boot, size_t len, uint64_t *netns)
{
	socklen_t	 sl = sizeof(*netns);

	if (getsockopt(mnl_socket_get_fd(h->nl), SOL_SOCKET, SO_NETNS_COOKIE,
	    netns, &sl) == -1)
		return (-1);
	return (nft_boot_id(boot, len));
}

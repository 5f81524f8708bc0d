/*	$fivefifty: nft_read.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	nft_read 3 - what the kernel holds: sets, elements, the counter,
 *	and changes made by others
 * SYNOPSIS
 *	See fw_int.h: nft_read(), nft_counters(), nft_monitor_open(),
 *	nft_monitor_read(); nft_int.h: nft_chain_prio(), nft_check_sets(),
 *	nft_set_flags().
 * DESCRIPTION
 *	Queries go over the command socket, between batches (no ack of a
 *	batch is pending then). nft_read() dumps a family's sets (own table:
 *	the address set, then the networks') and pairs an interval set's
 *	elements into ranges: elements sorted by key, an interval-end element
 *	closes the range its predecessor opened; a start with no end runs to
 *	the last address; an address set's elements are one address each
 *	(marked addr). nft_set_flags() reads a set's flags (an older
 *	fivefifty's interval address set is made again). The remaining time
 *	of each element is what the
 *	kernel reports (ms); an element without a timeout reads as never
 *	ending (until = LLONG_MAX).
 *
 *	The monitor is a second socket in the nf_tables multicast group.
 *	nft_monitor_read() drains it and says what another process deleted:
 *	our table, one of our sets, our chain, its rules or our counter
 *	(NFT_GONE_* bits), or that notifications were lost; our own batches
 *	are recognised by their port id and ignored. Once it has seen a
 *	removal it reads on (up to MON_WAITS times MON_WAIT_MS) until that
 *	transaction's new-generation message, so that one `nft flush
 *	ruleset` is one repair, not one per notification read.
 * DIAGNOSTICS
 *	-1 with "what: why" in err (or errno set, for the monitor).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "fw_int.h"
#include "nft_int.h"

#define MON_WAIT_MS	50	/* for the rest of a transaction's news */
#define MON_WAITS	20

/* query - send one request, run cb on each answer until the end; 0, or
 * -1 with errno (ENOENT: no such object) */
static int
query(struct nft *h, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char		buf[MNL_SOCKET_BUFFER_SIZE * 4];
	uint32_t	seq = nlh->nlmsg_seq;
	ssize_t		n;
	int		rc;

	/* What an earlier exchange left unread (the acks of a batch that
	 * came short) is not this answer: mnl_cb_run() would fail on its
	 * sequence number and leave the answer for the next query. */
	while (recv(mnl_socket_get_fd(h->nl), buf, sizeof(buf),
	    MSG_DONTWAIT) > 0)
		continue;
	if (mnl_socket_sendto(h->nl, nlh, nlh->nlmsg_len) == -1)
		return (-1);
	for (;;) {
		n = mnl_socket_recvfrom(h->nl, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		rc = mnl_cb_run(buf, (size_t)n, seq, h->portid, cb, data);
		if (rc == -1)
			return (-1);
		if (rc == MNL_CB_STOP)
			return (0);
	}
}

/* request - a GET message header in h's buffer */
static struct nlmsghdr *
request(struct nft *h, uint16_t type, uint16_t flags)
{
	static char	 buf[8192];

	memset(buf, 0, sizeof(buf));
	/* A dump ends with DONE; a single GET is answered then acked (an
	 * ack after a dump's DONE would be left for the next query). */
	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	return (nftnl_nlmsg_build_hdr(buf, type, (uint16_t)h->family, flags,
	    h->seq++));
}

struct chain_q {
	int	 found, prio;
};

/* chain_cb - the chain's hook priority */
static int
chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct chain_q	*q = data;
	struct nftnl_chain *c = nftnl_chain_alloc();

	if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
		q->found = 1;
		q->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	}
	nftnl_chain_free(c);
	return (MNL_CB_OK);
}

/* nft_chain_prio - 1 and *prio when our chain exists, 0 when not */
int
nft_chain_prio(struct nft *h, int *prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr	*nlh = request(h, NFT_MSG_GETCHAIN, 0);
	struct chain_q	 q = { 0, 0 };

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, h->conf.table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, h->conf.chain);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	if (query(h, nlh, chain_cb, &q) == -1 || !q.found)
		return (0);
	*prio = q.prio;
	return (1);
}

/* gen_cb - the generation answered */
static int
gen_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWGEN)
		return (MNL_CB_OK);
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_GEN_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*(uint32_t *)data = ntohl(mnl_attr_get_u32(a));
	return (MNL_CB_OK);
}

/* nft_getgen - the nf_tables generation now; 0, or -1 with errno */
int
nft_getgen(struct nft *h, uint32_t *gen)
{
	struct nlmsghdr	*nlh = request(h, NFT_MSG_GETGEN, 0);

	*gen = 0;
	if (query(h, nlh, gen_cb, gen) == -1)
		return (-1);
	if (*gen == 0) {
		errno = EPROTO;
		return (-1);
	}
	return (0);
}

/* set_cb - parse the one set answered */
static int
set_cb(const struct nlmsghdr *nlh, void *data)
{
	if (nftnl_set_nlmsg_parse(nlh, data) < 0)
		return (MNL_CB_ERROR);
	return (MNL_CB_OK);
}

/* check_set - the administrator's set exists, holds addresses of the
 * family and takes timeouts */
static int
check_set(struct nft *h, int v6, char *err, size_t errlen)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr	*nlh = request(h, NFT_MSG_GETSET, 0);
	const char	*name = v6 ? h->conf.set6 : h->conf.set4;
	uint32_t	 klen, flags;
	int		 rc = -1;

	nftnl_set_set_str(s, NFTNL_SET_TABLE, h->conf.table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_nlmsg_build_payload(nlh, s);
	if (query(h, nlh, set_cb, s) == -1) {
		snprintf(err, errlen, "set %s %s %s: %s", h->conf.family,
		    h->conf.table, name, errno == ENOENT ? "no such set (in "
		    "set-only mode the ruleset must define it)" :
		    strerror(errno));
		goto out;
	}
	klen = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
	flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
	if (klen != (v6 ? 16U : 4U)) {
		snprintf(err, errlen, "set %s %s %s: its key is %u bytes, not "
		    "an %s address (type %s)", h->conf.family, h->conf.table,
		    name, klen, v6 ? "IPv6" : "IPv4", v6 ? "ipv6_addr" :
		    "ipv4_addr");
		goto out;
	}
	if (!(flags & NFT_SET_TIMEOUT)) {
		snprintf(err, errlen, "set %s %s %s: needs \"flags timeout\" "
		    "(bans end by element timeouts)", h->conf.family,
		    h->conf.table, name);
		goto out;
	}
	h->interval[v6] = (flags & NFT_SET_INTERVAL) != 0;
	rc = 0;
out:
	nftnl_set_free(s);
	return (rc);
}

/* nft_set_flags - 1 and the flags of our table's set name, 0 when it is
 * not there (or cannot be read) */
int
nft_set_flags(struct nft *h, const char *name, uint32_t *flags)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr	*nlh = request(h, NFT_MSG_GETSET, 0);
	int		 rc = 0;

	nftnl_set_set_str(s, NFTNL_SET_TABLE, h->conf.table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_nlmsg_build_payload(nlh, s);
	if (query(h, nlh, set_cb, s) == 0 && nftnl_set_is_set(s,
	    NFTNL_SET_FLAGS)) {
		*flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
		rc = 1;
	}
	nftnl_set_free(s);
	return (rc);
}

/* nft_check_sets - set-only mode: the configured sets are usable */
int
nft_check_sets(struct nft *h, char *err, size_t errlen)
{
	int		v6;

	for (v6 = 0; v6 < 2; v6++)
		if (h->has[v6] && check_set(h, v6, err, errlen) == -1)
			return (-1);
	return (0);
}

struct raw_elem {
	unsigned char	 key[16];
	int		 end;
	long long	 until;
	int		 ours;
};

struct elem_q {
	struct raw_elem	*e;
	size_t		 n, cap;
	int		 klen;
	long long	 now;
	struct nftnl_set *set;
};

/* comment_cb - is the element's comment ours */
static int
comment_cb(const struct nftnl_udata *attr, void *data)
{
	const char	*s = nftnl_udata_get(attr);
	int		 len = nftnl_udata_len(attr);

	if (nftnl_udata_type(attr) == NFTNL_UDATA_SET_ELEM_COMMENT &&
	    len >= (int)strlen(FW_COMMENT) &&
	    strncmp(s, FW_COMMENT, strlen(FW_COMMENT)) == 0)
		*(int *)data = 1;
	return (0);
}

/* elem_cb - keep one element of the dump */
static int
elem_cb(struct nftnl_set_elem *se, void *data)
{
	struct elem_q	*q = data;
	struct raw_elem	*r;
	const void	*key, *ud;
	uint32_t	 len, udlen;

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		if ((r = realloc(q->e, q->cap * sizeof(*r))) == NULL)
			return (-1);
		q->e = r;
	}
	r = &q->e[q->n];
	memset(r, 0, sizeof(*r));
	key = nftnl_set_elem_get(se, NFTNL_SET_ELEM_KEY, &len);
	if (key == NULL || len != (uint32_t)q->klen)
		return (0);
	memcpy(r->key, key, len);
	if (nftnl_set_elem_is_set(se, NFTNL_SET_ELEM_FLAGS))
		r->end = (nftnl_set_elem_get_u32(se, NFTNL_SET_ELEM_FLAGS) &
		    NFT_SET_ELEM_INTERVAL_END) != 0;
	r->until = LLONG_MAX;
	if (nftnl_set_elem_is_set(se, NFTNL_SET_ELEM_EXPIRATION))
		r->until = q->now + (long long)((nftnl_set_elem_get_u64(se,
		    NFTNL_SET_ELEM_EXPIRATION) + 999) / 1000);
	if ((ud = nftnl_set_elem_get(se, NFTNL_SET_ELEM_USERDATA, &udlen)) !=
	    NULL)
		(void)nftnl_udata_parse(ud, udlen, comment_cb, &r->ours);
	q->n++;
	return (0);
}

/* elems_cb - one message of the dump */
static int
elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct elem_q	*q = data;

	if (nftnl_set_elems_nlmsg_parse(nlh, q->set) < 0)
		return (MNL_CB_ERROR);
	return (MNL_CB_OK);
}

/* raw_cmp - by key; at the same key an end before a start */
static int
raw_cmp(const void *a, const void *b)
{
	const struct raw_elem *x = a, *y = b;
	int		 c = memcmp(x->key, y->key, sizeof(x->key));

	if (c != 0)
		return (c);
	return (y->end - x->end);
}

/* read_set - one set's elements as ranges appended to *out (*nout of
 * *cap); interval: it holds ranges; addr: mark them as addresses' */
static int
read_set(struct nft *h, int family, const char *name, int interval,
    int addr, struct fw_range **out, size_t *nout, size_t *cap,
    long long now, char *err, size_t errlen)
{
	struct elem_q	 q;
	struct nlmsghdr	*nlh;
	struct fw_range	*r;
	size_t		 i;

	memset(&q, 0, sizeof(q));
	q.klen = family == 6 ? 16 : 4;
	q.now = now;
	q.set = nftnl_set_alloc();
	nftnl_set_set_str(q.set, NFTNL_SET_TABLE, h->conf.table);
	nftnl_set_set_str(q.set, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(q.set, NFTNL_SET_FAMILY, (uint32_t)h->family);
	nlh = request(h, NFT_MSG_GETSETELEM, NLM_F_DUMP);
	nftnl_set_elems_nlmsg_build_payload(nlh, q.set);
	if (query(h, nlh, elems_cb, &q) == -1) {
		int	e = errno;

		snprintf(err, errlen, "reading set %s %s %s: %s",
		    h->conf.family, h->conf.table, name, strerror(e));
		nftnl_set_free(q.set);
		free(q.e);
		errno = e;
		return (-1);
	}
	if (nftnl_set_elem_foreach(q.set, elem_cb, &q) == -1) {
		nftnl_set_free(q.set);
		free(q.e);
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	nftnl_set_free(q.set);
	if (q.n > 0)
		qsort(q.e, q.n, sizeof(*q.e), raw_cmp);
	if (*nout + q.n + 1 > *cap) {
		*cap = *nout + q.n + 1;
		if ((r = realloc(*out, *cap * sizeof(*r))) == NULL) {
			free(q.e);
			snprintf(err, errlen, "out of memory");
			return (-1);
		}
		*out = r;
	}
	for (i = 0; i < q.n; i++) {
		if (q.e[i].end)
			continue;	/* an end with no start (nft's at 0) */
		r = &(*out)[(*nout)++];
		memset(r, 0, sizeof(*r));
		r->family = family;
		memcpy(r->lo, q.e[i].key, 16);
		r->until = q.e[i].until;
		r->ours = q.e[i].ours;
		r->addr = addr;
		if (!interval)
			memcpy(r->hi, q.e[i].key, 16);
		else if (i + 1 < q.n && q.e[i + 1].end) {
			memcpy(r->hi, q.e[i + 1].key, 16);
			range_key_dec(r->hi, q.klen);
		} else		/* open: to the last address */
			memset(r->hi, 0xff, (size_t)q.klen);
	}
	free(q.e);
	return (0);
}

/* nft_read - a family's elements as ranges (family 4 or 6): its set's,
 * then (own table) its networks' set's */
int
nft_read(struct nft *h, int family, struct fw_range **out, size_t *nout,
    long long now, char *err, size_t errlen)
{
	int		 v6 = family == 6;
	size_t		 cap = 1;

	*nout = 0;
	if ((*out = calloc(1, sizeof(**out))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	if (!h->has[v6])
		return (0);
	if (read_set(h, family, nft_set_name(h, v6, 0), h->interval[v6],
	    h->split, out, nout, &cap, now, err, errlen) == -1 ||
	    (h->split && read_set(h, family, nft_set_name(h, v6, 1), 1, 0,
	    out, nout, &cap, now, err, errlen) == -1)) {
		int	e = errno;

		free(*out);
		*out = NULL;
		*nout = 0;
		errno = e;
		return (-1);
	}
	return (0);
}

/* obj_cb - the counter's values */
static int
obj_cb(const struct nlmsghdr *nlh, void *data)
{
	uint64_t	*v = data;
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (nftnl_obj_nlmsg_parse(nlh, o) == 0) {
		v[0] = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
		v[1] = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES);
	}
	nftnl_obj_free(o);
	return (MNL_CB_OK);
}

/* nft_counters - packets and bytes dropped (own-table mode) */
int
nft_counters(struct nft *h, uint64_t *pkts, uint64_t *bytes)
{
	struct nftnl_obj *o;
	struct nlmsghdr	*nlh;
	uint64_t	 v[2] = { 0, 0 };
	int		 rc;

	if (h->conf.mode != FW_TABLE)
		return (-1);
	o = nftnl_obj_alloc();
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, h->conf.table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, NFT_COUNTER_NAME);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nlh = request(h, NFT_MSG_GETOBJ, 0);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	rc = query(h, nlh, obj_cb, v);
	*pkts = v[0];
	*bytes = v[1];
	return (rc);
}

/* nft_monitor_open - the nf_tables change notifications; its fd */
int
nft_monitor_open(struct nft *h)
{
	int		 fd, sz = 1 << 20;
	uint32_t	 gen;

	if (h->mon != NULL)
		return (h->mon_fd);
	if ((h->mon = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		return (-1);
	if (mnl_socket_bind(h->mon, 1 << (NFNLGRP_NFTABLES - 1),
	    MNL_SOCKET_AUTOPID) == -1) {
		mnl_socket_close(h->mon);
		h->mon = NULL;
		return (-1);
	}
	fd = mnl_socket_get_fd(h->mon);
	/* A commit between the last batch and now was not seen: unless the
	 * generation is still the last one accounted for, the table may
	 * have changed unseen. */
	if (nft_getgen(h, &gen) == -1 || gen != h->acct)
		h->tainted = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	h->mon_fd = fd;
	return (fd);
}

/* attr_str - the string attribute of this type in a message, or NULL */
static const char *
attr_str(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == type &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			return (mnl_attr_get_str(a));
	}
	return (NULL);
}

/* same - is the attribute there and equal to name */
static int
same(const char *attr, const char *name)
{
	return (attr != NULL && name[0] != '\0' && strcmp(attr, name) == 0);
}

/* of_table - is the message about our table or something in it */
static int
of_table(const struct nft *h, const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);

	/* Attribute 1 is the table's name in each message of an object. */
	return (NFNL_SUBSYS_ID(nlh->nlmsg_type) == NFNL_SUBSYS_NFTABLES &&
	    g->nfgen_family == h->family && same(attr_str(nlh,
	    NFTA_TABLE_NAME), h->conf.table));
}

/* about_us - the NFT_GONE_* bit of a deletion of our table or of
 * something of ours in it; the set's name in set; 0: not ours */
static int
about_us(const struct nft *h, const struct nlmsghdr *nlh, char *set,
    size_t setlen)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const char	*name;
	int		 type = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    g->nfgen_family != h->family)
		return (0);
	/* Attribute 1 is the table's name in each of these messages. */
	if (!same(attr_str(nlh, NFTA_TABLE_NAME), h->conf.table))
		return (0);
	switch (type) {
	case NFT_MSG_DELTABLE:
		return (NFT_GONE_TABLE);
	case NFT_MSG_DELSET:
		name = attr_str(nlh, NFTA_SET_NAME);
		if (!same(name, h->conf.set4) && !same(name, h->conf.set6) &&
		    !(h->split && (same(name, h->nets[0]) || same(name,
		    h->nets[1]))))
			return (0);
		snprintf(set, setlen, "%s", name);
		return (NFT_GONE_SET);
	case NFT_MSG_DELCHAIN:
		return (h->conf.mode == FW_TABLE && same(attr_str(nlh,
		    NFTA_CHAIN_NAME), h->conf.chain) ? NFT_GONE_CHAIN : 0);
	case NFT_MSG_DELRULE:
		return (h->conf.mode == FW_TABLE && same(attr_str(nlh,
		    NFTA_RULE_CHAIN), h->conf.chain) ? NFT_GONE_RULES : 0);
	case NFT_MSG_DELOBJ:
		return (h->conf.mode == FW_TABLE && same(attr_str(nlh,
		    NFTA_OBJ_NAME), NFT_COUNTER_NAME) ? NFT_GONE_OBJ : 0);
	default:
		return (0);
	}
}

/* nft_monitor_read - the NFT_GONE_* bits of what someone else removed
 * of our setup (0: nothing); set: the name of a removed set */
int
nft_monitor_read(struct nft *h, char *set, size_t setlen)
{
	char		 buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct nlmsghdr	*nlh;
	struct pollfd	 pfd;
	ssize_t		 n;
	int		 what = 0, ended = 1, waits = 0, len;

	set[0] = '\0';
	if (h->mon == NULL)
		return (0);
	for (;;) {
		n = recv(h->mon_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ENOBUFS) {
			what |= NFT_GONE_LOST;	/* look for ourselves */
			h->tainted = 1;		/* a change of ours unseen */
			continue;
		}
		if (n == -1 && errno == EAGAIN && what != 0 && !ended &&
		    waits++ < MON_WAITS) {
			/* The kernel notifies a transaction's changes one
			 * by one, then its new generation: wait for the
			 * end, so one removal is one repair. */
			pfd.fd = h->mon_fd;
			pfd.events = POLLIN;
			(void)poll(&pfd, 1, MON_WAIT_MS);
			continue;
		}
		if (n <= 0)
			break;
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			int	bit;

			if (NFNL_SUBSYS_ID(nlh->nlmsg_type) ==
			    NFNL_SUBSYS_NFTABLES && NFNL_MSG_TYPE(
			    nlh->nlmsg_type) == NFT_MSG_NEWGEN) {
				uint32_t gen = 0;

				(void)gen_cb(nlh, &gen);
				nft_gen_seen(h, gen, nlh->nlmsg_pid !=
				    h->portid);
				ended = 1;
				continue;
			}
			if (nlh->nlmsg_pid == h->portid)
				continue;
			if (of_table(h, nlh))
				h->touched = 1;
			if ((bit = about_us(h, nlh, set, setlen)) != 0) {
				what |= bit;
				ended = 0;
			}
		}
	}
	return (what);
}

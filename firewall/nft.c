/*	$fivefifty: nft.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	nft 3 - nf_tables transactions over netlink: one batch per change
 * SYNOPSIS
 *	See fw_int.h: nft_open(), nft_setup(), nft_apply(), nft_repair(),
 *	nft_close().
 * DESCRIPTION
 *	Every change is one netlink batch (BATCH_BEGIN, messages, BATCH_END)
 *	sent with one sendmsg(); the kernel runs the whole batch inside it as
 *	one transaction and queues one ack per message. All acks are drained;
 *	any error ack means the kernel rolled the whole batch back, and the
 *	error names the object of the message whose sequence number it
 *	carries.
 *
 *	Own-table mode (nft_setup): table FAMILY NAME, sets offenders4
 *	(ipv4_addr) and offenders6 (ipv6_addr) for single addresses with
 *	flags timeout (hash sets: the kernel's commit does not walk them,
 *	where an interval set's rebuilds over every element), sets
 *	offenders4_nets and offenders6_nets for networks with flags timeout
 *	and interval, a named counter "dropped", and a base chain at the
 *	input hook whose rules (one per set and port) drop new TCP
 *	connections (SYN without ACK) from the sets to the protected ports,
 *	counting them. firewall_established =
 *	yes makes them take every TCP packet from the sets to those ports
 *	(with all ports: every packet of a connection the offender opened,
 *	by conntrack's direction, so this host's own connections to it keep
 *	their replies), which cuts connections already open when a ban
 *	lands; firewall_action = reject answers with a TCP reset (nft's
 *	"reject with tcp reset") instead of dropping. The rules match TCP
 *	alone (the ports are TCP ports): no other protocol is touched, so no
 *	ICMP rejection is ever sent. The chain's rules are
 *	replaced on every setup (so a changed port list, action or match
 *	takes effect, in the same batch as the rest; the old ones deleted
 *	first) and the sets' elements and the counter are kept; an address
 *	set an older fivefifty made with the interval flag is deleted and
 *	made again in the same batch (check_redo()). Set-only mode creates
 *	nothing: it checks the sets exist with an address key and timeouts.
 *
 *	Elements: a range [lo, hi] of an interval set is a start element
 *	(key lo, timeout to the ban's end counted from the wall clock's
 *	millisecond, comment "fivefifty") and an end element (key hi+1,
 *	flag interval-end; none when hi is the last address); in a set
 *	without the interval flag only single addresses exist. In own-table
 *	mode a range marked addr goes to the address set, the others to the
 *	networks' set. Element lists
 *	are split across NEWSETELEM messages of at most ELEM_MSG_MAX bytes,
 *	so any number of elements goes in one batch; the socket buffers are
 *	raised to fit it (SO_SNDBUFFORCE, as nft does).
 *
 *	Each batch is bracketed by two reads of the nf_tables generation
 *	(nft_getgen()) for nft_gen.c, which tells when the table holds
 *	exactly what our batches put in it; a repair with h->no_elems (a
 *	start after a clean stop) leaves the sets out and carries the
 *	generation the stop left (NFNL_BATCH_GENID): the kernel refuses it
 *	(ERESTART) if anyone committed since, and the full repair follows.
 * SECURITY
 *	Needs CAP_NET_ADMIN. Only addresses and our fixed names go into the
 *	messages.
 * DIAGNOSTICS
 *	Functions return -1 with "what failed: why" in err.
 */
#include <sys/socket.h>
#include <sys/utsname.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "fw_int.h"
#include "nft_int.h"
#include "util/util.h"

#define ELEM_MSG_MAX	60000	/* an attribute nest's length is 16 bits */
#define MSG_ROOM	(ELEM_MSG_MAX + 4096)
#define ELEM_BYTES	80	/* an address element with its timeout,
				 * expiration and comment (IPv6: 72 bytes),
				 * rounded up: the batch's room reserved at
				 * once (growing it by doubling copied
				 * 100,000 elements' bytes twice) */

static void	batch_note(struct nft *, uint32_t, const char *, ...)
		    PRINTFLIKE(3, 4);

/* batch_reserve - room for one more message of up to need bytes */
static void
batch_reserve(struct nft *h, size_t need)
{
	char		*p;
	size_t		 cap;

	if (h->len + need <= h->cap)
		return;
	cap = h->cap ? h->cap : 65536;
	while (cap < h->len + need)
		cap *= 2;
	p = xgrowarray(h->buf, h->cap, cap, 1);
	/* Freshly grown space is zeroed: libnftnl builds on it. */
	memset(p + h->cap, 0, cap - h->cap);
	h->buf = p;
	h->cap = cap;
}

/* batch_note - remember which object the message seq is about */
static void
batch_note(struct nft *h, uint32_t seq, const char *fmt, ...)
{
	struct nft_obj	*o;
	va_list		 ap;

	if (h->nobjs == h->capobjs) {
		h->capobjs = h->capobjs ? h->capobjs * 2 : 64;
		h->objs = xreallocarray(h->objs, h->capobjs, sizeof(*o));
	}
	o = &h->objs[h->nobjs++];
	o->seq = seq;
	va_start(ap, fmt);
	vsnprintf(o->what, sizeof(o->what), fmt, ap);
	va_end(ap);
}

/* batch_start - empty the buffer and open a batch */
static void
batch_start(struct nft *h)
{
	struct nlmsghdr	*nlh;

	h->len = 0;
	h->nobjs = 0;
	h->nmsgs = 0;
	h->clk_start = nft_clock();	/* the elements' timeouts' clock */
	batch_reserve(h, MSG_ROOM);
	memset(h->buf, 0, MSG_ROOM);
	nlh = nftnl_batch_begin(h->buf, h->seq++);
	/* The kernel refuses the batch (ERESTART) unless its generation is
	 * still this one. */
	if (h->genid != 0)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(h->genid));
	h->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* nft_batch_msg - the header of the next message in the batch */
struct nlmsghdr *
nft_batch_msg(struct nft *h, uint16_t type, uint16_t flags)
{
	batch_reserve(h, MSG_ROOM);
	memset(h->buf + h->len, 0, MSG_ROOM);
	h->nmsgs++;
	return (nftnl_nlmsg_build_hdr(h->buf + h->len, type, h->family,
	    flags | NLM_F_ACK, h->seq++));
}

/* batch_done - account for the message just built */
static void
batch_done(struct nft *h, struct nlmsghdr *nlh)
{
	h->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* bufsize - raise a socket buffer (root may exceed rmem_max) */
static void
bufsize(int fd, int opt, int force, size_t want)
{
	int		cur;
	socklen_t	len = sizeof(cur);

	if (getsockopt(fd, SOL_SOCKET, opt, &cur, &len) == 0 &&
	    (size_t)cur >= want)
		return;
	if (want > 1U << 30)
		want = 1U << 30;
	cur = (int)want;
	if (setsockopt(fd, SOL_SOCKET, force, &cur, sizeof(cur)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, opt, &cur, sizeof(cur));
}

/* obj_of - what the message with this sequence number was about */
static const char *
obj_of(const struct nft *h, uint32_t seq)
{
	size_t		i;

	for (i = 0; i < h->nobjs; i++)
		if (h->objs[i].seq == seq)
			return (h->objs[i].what);
	return ("netlink batch");
}

/* mon_listen - join or leave the nf_tables group on the monitor */
static void
mon_listen(struct nft *h, int on)
{
	int		grp = NFNLGRP_NFTABLES;

	if (h->mon_fd >= 0)
		(void)setsockopt(h->mon_fd, SOL_NETLINK, on ?
		    NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP, &grp,
		    sizeof(grp));
}

/* nft_talk - close the batch, send it, drain every ack; 0 or -1 */
int
nft_talk(struct nft *h, char *err, size_t errlen)
{
	struct nlmsghdr	*nlh;
	char		 rbuf[MNL_SOCKET_BUFFER_SIZE * 4];
	int		 fd = mnl_socket_get_fd(h->nl), failed = 0;
	uint32_t	 bad_seq = 0, before = 0, after = 0;
	int		 bad_errno = 0, left;
	ssize_t		 n;

	batch_reserve(h, MSG_ROOM);
	nlh = nftnl_batch_end(h->buf + h->len, h->seq++);
	h->len += NLMSG_ALIGN(nlh->nlmsg_len);
	h->batches++;

	/* The kernel takes the batch as one skb: the send buffer must hold
	 * it, the receive buffer every ack (one skb each). */
	bufsize(fd, SO_SNDBUF, SO_SNDBUFFORCE, h->len + 65536);
	bufsize(fd, SO_RCVBUF, SO_RCVBUFFORCE, (size_t)h->nmsgs * 1024 +
	    262144);
	/* While our monitor listens, the kernel makes a notification for
	 * every element added: most of the cost of a large batch, and an
	 * overrun monitor. It stops listening for the send. */
	mon_listen(h, 0);
	/* The generation before: with the one after, it tells whether the
	 * commit in between is ours alone (nft_gen.c). */
	if (h->genid != 0)
		before = h->genid;
	else if (nft_getgen(h, &before) == -1)
		before = 0;
	if (send(fd, h->buf, h->len, 0) == -1) {
		snprintf(err, errlen, "netlink send of %zu bytes: %s", h->len,
		    strerror(errno));
		mon_listen(h, 1);
		return (-1);
	}
	mon_listen(h, 1);
	/* Everything was processed inside send(): the acks are queued. */
	left = h->nmsgs;
	while (left > 0) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1) {
			snprintf(err, errlen, "netlink receive: %s%s",
			    strerror(errno), errno == ENOBUFS ? " (acks lost; "
			    "the kernel's state is unknown)" : "");
			return (-1);
		}
		for (nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, (int)n);
		    nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
			struct nlmsgerr	*e;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			left--;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error != 0 && !failed) {
				failed = 1;
				bad_errno = -e->error;
				bad_seq = nlh->nlmsg_seq;
			}
		}
	}
	if (failed) {
		h->batch_errors++;
		snprintf(err, errlen, "%s: %s", obj_of(h, bad_seq),
		    strerror(bad_errno));
		h->last_errno = bad_errno;
		return (-1);
	}
	if (left > 0) {
		snprintf(err, errlen, "netlink: %d of %d acks missing", left,
		    h->nmsgs);
		h->tainted = 1;
		return (-1);
	}
	if (nft_getgen(h, &after) == -1)
		after = 0;
	nft_gen_batch(h, before, after);
	return (0);
}

/* family_of - "inet", "ip", "ip6" to NFPROTO_* */
static int
family_of(const char *s)
{
	if (strcmp(s, "inet") == 0)
		return (NFPROTO_INET);
	if (strcmp(s, "ip") == 0)
		return (NFPROTO_IPV4);
	if (strcmp(s, "ip6") == 0)
		return (NFPROTO_IPV6);
	return (-1);
}

/* nft_family_ok - is s a table family nft_open() takes */
int
nft_family_ok(const char *s)
{
	return (family_of(s) != -1);
}

/* readd_refreshes - does re-adding an element refresh its timeout?
 * (Linux 6.12 and later; before, a refresh is delete + add) */
static int
readd_refreshes(void)
{
	struct utsname	u;
	int		maj = 0, min = 0;

	if (uname(&u) == -1 || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return (0);
	return (maj > 6 || (maj == 6 && min >= 12));
}

/* nft_open - the netlink socket; no message is sent yet */
struct nft *
nft_open(const struct fw_conf *c, char *err, size_t errlen)
{
	struct nft	*h;
	int		 one = 1;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	h->conf = *c;
	h->mon_fd = -1;
	if ((h->family = family_of(c->family)) == -1) {
		snprintf(err, errlen, "firewall_table: unknown family \"%s\" "
		    "(expected inet, ip or ip6)", c->family);
		free(h);
		return (NULL);
	}
	h->has[0] = c->set4[0] != '\0' && h->family != NFPROTO_IPV6;
	h->has[1] = c->set6[0] != '\0' && h->family != NFPROTO_IPV4;
	h->split = c->mode == FW_TABLE;
	snprintf(h->nets[0], sizeof(h->nets[0]), "%s%s", c->set4,
	    NFT_NETS_SUFFIX);
	snprintf(h->nets[1], sizeof(h->nets[1]), "%s%s", c->set6,
	    NFT_NETS_SUFFIX);
	h->interval[0] = h->interval[1] = !h->split;
	h->readd = readd_refreshes();
	if ((h->nl = mnl_socket_open(NETLINK_NETFILTER)) == NULL) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		free(h);
		return (NULL);
	}
	if (mnl_socket_bind(h->nl, 0, MNL_SOCKET_AUTOPID) == -1) {
		snprintf(err, errlen, "netlink bind: %s", strerror(errno));
		mnl_socket_close(h->nl);
		free(h);
		return (NULL);
	}
	h->portid = mnl_socket_get_portid(h->nl);
	/* An error ack without a copy of the (up to 60 kB) message it
	 * answers: every ack fits the receive buffer. */
	(void)setsockopt(mnl_socket_get_fd(h->nl), SOL_NETLINK,
	    NETLINK_CAP_ACK, &one, sizeof(one));
	h->seq = (uint32_t)time(NULL);
	return (h);
}

/* add_table - NEWTABLE (no error when it exists) */
static void
add_table(struct nft *h)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr	*nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, h->conf.table);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)h->family);
	nlh = nft_batch_msg(h, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	batch_note(h, nlh->nlmsg_seq, "table %s %s", h->conf.family,
	    h->conf.table);
	batch_done(h, nlh);
	nftnl_table_free(t);
}

/* nft_set_name - the name of a family's address set (net 0; set-only
 * mode: its one set) or networks' set (net 1) */
const char *
nft_set_name(const struct nft *h, int v6, int net)
{
	if (net)
		return (h->nets[v6]);
	return (v6 ? h->conf.set6 : h->conf.set4);
}

/* set_id - the batch-local id of a set, for the rules' lookups */
static uint32_t
set_id(int v6, int net)
{
	return ((uint32_t)(1 + v6 + 2 * net));
}

/* del_set - DELSET of our address set made with other flags (its rules
 * are deleted before it in the same batch) */
static void
del_set(struct nft *h, int v6)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr	*nlh;
	const char	*name = nft_set_name(h, v6, 0);

	nftnl_set_set_str(s, NFTNL_SET_TABLE, h->conf.table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)h->family);
	nlh = nft_batch_msg(h, NFT_MSG_DELSET, 0);
	nftnl_set_nlmsg_build_payload(nlh, s);
	batch_note(h, nlh->nlmsg_seq, "replacing set %s %s %s (an interval "
	    "set of an older fivefifty; is it used by a rule of another "
	    "chain?)", h->conf.family, h->conf.table, name);
	batch_done(h, nlh);
	nftnl_set_free(s);
}

/* add_set - NEWSET of one family's address set (net 0: a hash) or
 * networks' set (net 1: intervals) */
static void
add_set(struct nft *h, int v6, int net)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr	*nlh;
	const char	*name = nft_set_name(h, v6, net);

	nftnl_set_set_str(s, NFTNL_SET_TABLE, h->conf.table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, (uint32_t)h->family);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, v6 ? 8 : 7);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, v6 ? 16 : 4);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_TIMEOUT |
	    (net ? NFT_SET_INTERVAL : 0));
	nftnl_set_set_u32(s, NFTNL_SET_ID, set_id(v6, net));
	nlh = nft_batch_msg(h, NFT_MSG_NEWSET, NLM_F_CREATE);
	nftnl_set_nlmsg_build_payload(nlh, s);
	batch_note(h, nlh->nlmsg_seq, "set %s %s %s (exists with another "
	    "type or flags?)", h->conf.family, h->conf.table, name);
	batch_done(h, nlh);
	nftnl_set_free(s);
}

/* add_counter - NEWOBJ counter "dropped" (kept when it exists) */
static void
add_counter(struct nft *h)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr	*nlh;

	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, h->conf.table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, NFT_COUNTER_NAME);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, (uint32_t)h->family);
	nlh = nft_batch_msg(h, NFT_MSG_NEWOBJ, NLM_F_CREATE);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	batch_note(h, nlh->nlmsg_seq, "counter %s", NFT_COUNTER_NAME);
	batch_done(h, nlh);
	nftnl_obj_free(o);
}

/* chain_msg - NEWCHAIN, DELCHAIN or DELRULE (flush) of our chain */
static void
chain_msg(struct nft *h, uint16_t type)
{
	struct nftnl_chain *ch;
	struct nftnl_rule *r;
	struct nlmsghdr	*nlh;

	if (type == NFT_MSG_DELRULE) {
		r = nftnl_rule_alloc();
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, h->conf.table);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, h->conf.chain);
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)h->family);
		nlh = nft_batch_msg(h, type, 0);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
	} else {
		ch = nftnl_chain_alloc();
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, h->conf.table);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, h->conf.chain);
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY,
		    (uint32_t)h->family);
		if (type == NFT_MSG_NEWCHAIN) {
			nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM,
			    NF_INET_LOCAL_IN);
			nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO,
			    h->conf.priority);
			nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
			nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		}
		nlh = nft_batch_msg(h, type, type == NFT_MSG_NEWCHAIN ?
		    NLM_F_CREATE : 0);
		nftnl_chain_nlmsg_build_payload(nlh, ch);
		nftnl_chain_free(ch);
	}
	batch_note(h, nlh->nlmsg_seq, "chain %s %s %s", h->conf.family,
	    h->conf.table, h->conf.chain);
	batch_done(h, nlh);
}

/* expr_cmp - compare register 1 with len bytes */
static struct nftnl_expr *
expr_cmp(const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return (e);
}

/* expr_meta - a meta key into register 1 */
static struct nftnl_expr *
expr_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return (e);
}

/* expr_payload - len bytes at off of a header into register 1 */
static struct nftnl_expr *
expr_payload(uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	return (e);
}

/* rule_match - which TCP packets of an offender the rule takes:
 * established 0, new connections only (SYN without ACK); 1, every
 * packet, but with all_ports (firewall_ports = all) only those of
 * connections the offender opened (ct direction original), so the
 * replies to this host's own connections to it still pass */
static void
rule_match(struct nftnl_rule *r, int established, int all_ports)
{
	struct nftnl_expr *e;
	uint8_t		 mask = 0x17, xor = 0, syn = 0x02;
	uint8_t		 original = IP_CT_DIR_ORIGINAL;

	if (established) {
		if (!all_ports)		/* our server ports: inbound only */
			return;
		e = nftnl_expr_alloc("ct");	/* ct direction original */
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_DIRECTION);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
		nftnl_rule_add_expr(r, e);
		nftnl_rule_add_expr(r, expr_cmp(&original, 1));
		return;
	}
	/* tcp flags & (fin|syn|rst|ack) == syn: a new connection */
	nftnl_rule_add_expr(r, expr_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 13,
	    1));
	e = nftnl_expr_alloc("bitwise");
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 1);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 1);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor, 1);
	nftnl_rule_add_expr(r, e);
	nftnl_rule_add_expr(r, expr_cmp(&syn, 1));
}

/* rule_verdict - drop, or reject with a TCP reset (the rules match TCP
 * only, so no ICMP answer is ever needed) */
static void
rule_verdict(struct nftnl_rule *r, enum fw_action action)
{
	struct nftnl_expr *e;

	if (action == FW_REJECT) {
		e = nftnl_expr_alloc("reject");
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE,
		    NFT_REJECT_TCP_RST);
		nftnl_rule_add_expr(r, e);
		return;
	}
	e = nftnl_expr_alloc("immediate");	/* drop */
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	nftnl_rule_add_expr(r, e);
}

/* add_rule - TCP from a set (net: the networks' set) to port (0: any),
 * new connections or every packet (firewall_established), dropped or
 * reset (firewall_action) */
static void
add_rule(struct nft *h, int v6, int net, int port)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	struct nlmsghdr	*nlh;
	uint8_t		 proto = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	uint8_t		 tcp = IPPROTO_TCP;
	uint16_t	 dport = htons((uint16_t)port);

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, h->conf.table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, h->conf.chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)h->family);
	if (h->family == NFPROTO_INET) {	/* meta nfproto ipv4|ipv6 */
		nftnl_rule_add_expr(r, expr_meta(NFT_META_NFPROTO));
		nftnl_rule_add_expr(r, expr_cmp(&proto, 1));
	}
	nftnl_rule_add_expr(r, expr_meta(NFT_META_L4PROTO));	/* tcp */
	nftnl_rule_add_expr(r, expr_cmp(&tcp, 1));
	if (port > 0) {					/* tcp dport */
		nftnl_rule_add_expr(r, expr_payload(
		    NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2));
		nftnl_rule_add_expr(r, expr_cmp(&dport, 2));
	}
	rule_match(r, h->conf.established, h->conf.nports == 0);
	/* ip saddr / ip6 saddr @set */
	nftnl_rule_add_expr(r, expr_payload(NFT_PAYLOAD_NETWORK_HEADER,
	    v6 ? 8 : 12, v6 ? 16 : 4));
	e = nftnl_expr_alloc("lookup");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, nft_set_name(h, v6,
	    net));
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id(v6, net));
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("objref");		/* counter name "dropped" */
	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, NFT_COUNTER_NAME);
	nftnl_rule_add_expr(r, e);
	rule_verdict(r, h->conf.action);

	nlh = nft_batch_msg(h, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	batch_note(h, nlh->nlmsg_seq, "rule in chain %s (set %s, port %d)",
	    h->conf.chain, nft_set_name(h, v6, net), port);
	batch_done(h, nlh);
	nftnl_rule_free(r);
}

/* setup_msgs - the own table, its sets, counter, chain and rules into the
 * open batch; chain: 1 when the chain exists, with its priority prio */
static void
setup_msgs(struct nft *h, int chain, int prio)
{
	int		 v6, i, net;

	add_table(h);
	/* The old rules go first: an address set of an older fivefifty
	 * (interval flag) is deleted and made again, and a set in use by a
	 * rule cannot be. */
	if (chain == 1) {
		chain_msg(h, NFT_MSG_DELRULE);
		if (prio != h->conf.priority)
			chain_msg(h, NFT_MSG_DELCHAIN);
	}
	for (v6 = 0; v6 < 2; v6++) {
		if (!h->has[v6])
			continue;
		if (h->redo[v6])
			del_set(h, v6);
		add_set(h, v6, 0);
		add_set(h, v6, 1);
	}
	add_counter(h);
	chain_msg(h, NFT_MSG_NEWCHAIN);
	for (v6 = 0; v6 < 2; v6++) {
		if (!h->has[v6])
			continue;
		for (net = 0; net < 2; net++) {
			if (h->conf.nports == 0)
				add_rule(h, v6, net, 0);
			for (i = 0; i < h->conf.nports; i++)
				add_rule(h, v6, net, h->conf.ports[i]);
		}
	}
}

/* check_redo - which address sets exist as an older fivefifty made them
 * (with the interval flag): made again by the setup's batch */
static void
check_redo(struct nft *h)
{
	uint32_t	flags;
	int		v6;

	for (v6 = 0; v6 < 2; v6++)
		h->redo[v6] = h->has[v6] && nft_set_flags(h, nft_set_name(h,
		    v6, 0), &flags) == 1 && (flags & NFT_SET_INTERVAL);
}

/* nft_setup - own table: create or repair everything in one batch;
 * set-only: check the administrator's sets */
int
nft_setup(struct nft *h, char *err, size_t errlen)
{
	int		 prio = 0, chain;

	if (h->conf.mode == FW_SETS)
		return (nft_check_sets(h, err, errlen));
	/* The chain is made again when its hook priority changed (a base
	 * chain's hook cannot be updated); its rules are always replaced. */
	chain = nft_chain_prio(h, &prio);
	check_redo(h);
	batch_start(h);
	setup_msgs(h, chain, prio);
	if (nft_talk(h, err, errlen) == -1)
		return (-1);
	h->redo[0] = h->redo[1] = 0;
	return (0);
}

/* put_elem - one element into the open nest of a NEWSETELEM/DELSETELEM:
 * the attributes nftnl_set_elem_nlmsg_build() writes, in its order,
 * written with libmnl at once (an nftnl_set_elem allocated, filled and
 * freed per element was a fifth of a 100,000-ban batch's making) */
static void
put_elem(struct nlmsghdr *nlh, int idx, const unsigned char *key, int klen,
    int end, long long timeout_ms, const struct nftnl_udata_buf *ud)
{
	struct nlattr	*elem, *k;

	elem = mnl_attr_nest_start(nlh, (uint16_t)idx);
	if (end)
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS,
		    htonl(NFT_SET_ELEM_INTERVAL_END));
	/* The expiration too, equal to the timeout: since Linux 6.12 an
	 * add of an element the set holds refreshes it only when one of
	 * them differs from what it has, and a ban moved to the same
	 * duration later has the same timeout (nft's "expires"). */
	if (timeout_ms > 0) {
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT,
		    htobe64((uint64_t)timeout_ms));
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_EXPIRATION,
		    htobe64((uint64_t)timeout_ms));
	}
	k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, (size_t)klen, key);
	mnl_attr_nest_end(nlh, k);
	if (ud != NULL)
		mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA,
		    nftnl_udata_buf_len(ud), nftnl_udata_buf_data(ud));
	mnl_attr_nest_end(nlh, elem);
}

/* elem_msg_open - a NEWSETELEM/DELSETELEM message for one set */
static struct nlattr *
elem_msg_open(struct nft *h, uint16_t type, int v6, int net,
    struct nlmsghdr **nlhp)
{
	struct nlmsghdr	*nlh;
	const char	*set = nft_set_name(h, v6, net);

	nlh = nft_batch_msg(h, type, type == NFT_MSG_NEWSETELEM ?
	    NLM_F_CREATE : 0);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, h->conf.table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	batch_note(h, nlh->nlmsg_seq, "%s elements of set %s %s %s",
	    type == NFT_MSG_NEWSETELEM ? "adding" : "deleting",
	    h->conf.family, h->conf.table, set);
	*nlhp = nlh;
	return (mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS));
}

/* past_ms - how far the wall clock is into the caller's second now, in
 * milliseconds: a timeout of whole seconds from now ended up to a second
 * after the ban, and before Linux 6.12 a new ban of the address in that
 * second was an add of a live element, which the kernel ignores. 0 when
 * now is not within two seconds of the clock (a caller's own time). */
static long long
past_ms(long long now)
{
	struct timespec	ts;
	long long	ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = ((long long)ts.tv_sec - now) * 1000 + ts.tv_nsec / 1000000;
	return (ms >= 0 && ms < 2000 ? ms : 0);
}

/* put_ranges - the ranges of one family as elements, in as many
 * messages as it takes */
static void
put_ranges(struct nft *h, uint16_t type, int v6, int net,
    const struct fw_range *r, size_t n, long long now,
    const struct nftnl_udata_buf *ud)
{
	struct nlmsghdr	*nlh = NULL;
	struct nlattr	*nest = NULL;
	unsigned char	 end[16];
	int		 klen = v6 ? 16 : 4, idx = 0;
	int		 interval = net ? 1 : h->interval[v6];
	long long	 ms, past;
	size_t		 i;

	past = type == NFT_MSG_NEWSETELEM ? past_ms(now) : 0;
	for (i = 0; i < n; i++) {
		if (r[i].family != (v6 ? 6 : 4))
			continue;
		if (h->split && r[i].addr == net)
			continue;	/* the other set's */
		if (!interval && memcmp(r[i].lo, r[i].hi, (size_t)klen) != 0)
			continue;	/* a plain set holds addresses only */
		if (nlh != NULL && nlh->nlmsg_len > ELEM_MSG_MAX) {
			mnl_attr_nest_end(nlh, nest);
			batch_done(h, nlh);
			nlh = NULL;
		}
		if (nlh == NULL) {
			nest = elem_msg_open(h, type, v6, net, &nlh);
			idx = 0;
		}
		ms = 0;
		if (type == NFT_MSG_NEWSETELEM) {
			ms = (r[i].until - now) * 1000 - past;
			if (ms < 1000)
				ms = 1000;
		}
		put_elem(nlh, ++idx, r[i].lo, klen, 0, ms,
		    type == NFT_MSG_NEWSETELEM ? ud : NULL);
		memcpy(end, r[i].hi, (size_t)klen);
		if (interval && range_key_inc(end, klen))
			put_elem(nlh, ++idx, end, klen, 1, 0, NULL);
	}
	if (nlh != NULL) {
		mnl_attr_nest_end(nlh, nest);
		batch_done(h, nlh);
	}
}

/* flush_msg - DELSETELEM without elements: the set emptied, in the
 * open batch (what it held goes at the commit, with the batch's adds) */
static void
flush_msg(struct nft *h, int v6, int net)
{
	struct nlmsghdr	*nlh;
	const char	*set = nft_set_name(h, v6, net);

	nlh = nft_batch_msg(h, NFT_MSG_DELSETELEM, 0);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, h->conf.table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	batch_note(h, nlh->nlmsg_seq, "flushing set %s %s %s",
	    h->conf.family, h->conf.table, set);
	batch_done(h, nlh);
}

/* elem_msgs - deletions then additions into the open batch */
static void
elem_msgs(struct nft *h, const struct fw_range *add, size_t nadd,
    const struct fw_range *del, size_t ndel, long long now)
{
	struct nftnl_udata_buf *ud;
	int		 v6, net;

	if ((ud = nftnl_udata_buf_alloc(64)) == NULL)
		fatalx(EX_OSERR, "out of memory (nftnl_udata_buf_alloc)");
	batch_reserve(h, (nadd + ndel) * ELEM_BYTES + MSG_ROOM);
	nftnl_udata_put_strz(ud, NFTNL_UDATA_SET_ELEM_COMMENT, FW_COMMENT);
	for (v6 = 0; v6 < 2; v6++)
		for (net = 0; net <= h->split; net++)
			if (h->has[v6])
				put_ranges(h, NFT_MSG_DELSETELEM, v6, net, del,
				    ndel, now, NULL);
	for (v6 = 0; v6 < 2; v6++)
		for (net = 0; net <= h->split; net++)
			if (h->has[v6])
				put_ranges(h, NFT_MSG_NEWSETELEM, v6, net, add,
				    nadd, now, ud);
	nftnl_udata_buf_free(ud);
}

/* send_batch - nft_talk(), then a large buffer let go */
static int
send_batch(struct nft *h, char *err, size_t errlen)
{
	int		rc = nft_talk(h, err, errlen);

	/* A large buffer is not kept between flushes. */
	if (h->cap > (4U << 20)) {
		free(h->buf);
		h->buf = NULL;
		h->cap = 0;
	}
	return (rc);
}

/* nft_apply - deletions then additions, one batch */
int
nft_apply(struct nft *h, const struct fw_range *add, size_t nadd,
    const struct fw_range *del, size_t ndel, long long now, char *err,
    size_t errlen)
{
	if (nadd == 0 && ndel == 0)
		return (0);
	batch_start(h);
	elem_msgs(h, add, nadd, del, ndel, now);
	if (h->nmsgs == 0)
		return (0);
	return (send_batch(h, err, errlen));
}

/* sets_there - does every set of ours exist (a set the batch would make
 * anew is empty: never kept) */
static int
sets_there(struct nft *h)
{
	uint32_t	flags;
	int		v6, net;

	for (v6 = 0; v6 < 2; v6++)
		for (net = 0; net < 2 && h->has[v6]; net++)
			if (nft_set_flags(h, nft_set_name(h, v6, net),
			    &flags) != 1)
				return (0);
	return (1);
}

/* nft_repair - own table: nft_setup(), the sets flushed and nft_apply()
 * in one batch, so the sets are never in place without their elements */
int
nft_repair(struct nft *h, const struct fw_range *add, size_t nadd,
    const struct fw_range *del, size_t ndel, long long now, char *err,
    size_t errlen)
{
	int		 prio = 0, chain, v6, rc;
	unsigned long long errors = h->batch_errors;

	if (h->conf.mode == FW_SETS)	/* nothing of ours to make */
		return (nft_apply(h, add, nadd, del, ndel, now, err, errlen));
	chain = nft_chain_prio(h, &prio);
	check_redo(h);
	/* The sets kept as they are (h->no_elems, fw_start() after a clean
	 * stop): only when none is made anew, and only in the generation
	 * the stop left (h->genid); else the full repair. */
	if (h->redo[0] || h->redo[1] || (h->no_elems && !sets_there(h)))
		h->no_elems = 0;
	if (!h->no_elems)
		h->genid = 0;
	h->exact = 1;
	batch_start(h);
	setup_msgs(h, chain, prio);
	for (v6 = 0; v6 < 2 && !h->no_elems; v6++) {
		if (!h->has[v6])
			continue;
		if (!h->redo[v6])	/* a set made anew is empty */
			flush_msg(h, v6, 0);
		flush_msg(h, v6, 1);
	}
	if (!h->no_elems)
		elem_msgs(h, add, nadd, del, ndel, now);
	rc = send_batch(h, err, errlen);
	if (rc == -1 && h->no_elems) {
		/* Another commit came since the check (ERESTART), or the
		 * kernel refused it otherwise: the full repair. */
		h->batch_errors = errors;
		h->last_errno = 0;
		h->no_elems = 0;
		h->genid = 0;
		return (nft_repair(h, add, nadd, del, ndel, now, err,
		    errlen));
	}
	h->exact = 0;
	h->genid = 0;
	if (rc == -1) {
		h->no_elems = 0;
		return (-1);
	}
	h->redo[0] = h->redo[1] = 0;
	return (0);
}

/* nft_has_set - is there a set for this family (0: IPv4, 1: IPv6) */
int
nft_has_set(const struct nft *h, int v6)
{
	return (h->has[v6]);
}

/* nft_readd_refreshes - does an add alone refresh a timeout here */
int
nft_readd_refreshes(const struct nft *h)
{
	return (h->readd);
}

/* nft_close - sockets and buffers */
void
nft_close(struct nft *h)
{
	if (h == NULL)
		return;
	if (h->mon != NULL)
		mnl_socket_close(h->mon);
	mnl_socket_close(h->nl);
	free(h->buf);
	free(h->objs);
	free(h);
}

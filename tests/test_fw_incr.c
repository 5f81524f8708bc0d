/*	$fivefifty: test_fw_incr.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_fw_incr 3 - a flush touches only what changed, and the kernel
 *	holds what a full sweep says
 * DESCRIPTION
 *	In a private network namespace, against the real kernel. The test
 *	keeps its own list of the bans (the model) and, after every flush,
 *	compares three things: what the model's bans give (its single
 *	addresses as elements of the address set, the full sweep of its
 *	networks by ranges_from_bans() for the networks' set), the ranges
 *	the enforcer holds after its local updates (fw_check_held():
 *	against a sweep of its own network bans), and what the kernel's two
 *	sets hold, read back with a dump (nft_read()): the same starts and
 *	ends in the same set, the ends within 2 s. Covered: random
 *	sequences (fixed seeds) of bans nested and adjacent in a small
 *	IPv4 and IPv6 space, lifted, re-banned with their end moved
 *	earlier or later, several changes per flush, with the refresh of
 *	Linux 6.12 and the delete + add of older kernels; bans ending
 *	while nested (real time: a few seconds); 100,000 bans in force,
 *	single bans then done locally, then 50,000 new bans in one flush
 *	(address elements: local too) all in the kernel, and local flushes
 *	again after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "firewall/fw_int.h"
#include "firewall/nft_int.h"

/* The test's own list of the bans in force. */
struct model {
	struct fw_ban	*b;
	size_t		 n, cap;
};

/* rnd - a small deterministic generator (xorshift) */
static unsigned
rnd(unsigned *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* model_find - the model's ban on exactly n, or -1 */
static long
model_find(const struct model *m, const struct net_prefix *n)
{
	size_t		i;

	for (i = 0; i < m->n; i++)
		if (m->b[i].net.family == n->family && m->b[i].net.len ==
		    n->len && memcmp(m->b[i].net.addr, n->addr,
		    n->family == 6 ? 16 : 4) == 0)
			return ((long)i);
	return (-1);
}

/* model_add - a new ban (not in the model yet) in both */
static void
model_add(struct model *m, struct fw *f, const struct fw_ban *b)
{
	assert_int_equal(fw_ban(f, b), 0);
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->b = realloc(m->b, m->cap * sizeof(*m->b));
		assert_non_null(m->b);
	}
	m->b[m->n++] = *b;
}

/* model_ban - put b in the model (or move its end) and the enforcer */
static void
model_ban(struct model *m, struct fw *f, const struct fw_ban *b)
{
	long		i = model_find(m, &b->net);

	if (i < 0) {
		model_add(m, f, b);
		return;
	}
	assert_int_equal(fw_ban(f, b), 0);
	m->b[i].until = b->until;
}

/* model_unban - lift the model's ban i, in the enforcer too */
static void
model_unban(struct model *m, struct fw *f, size_t i)
{
	assert_int_equal(fw_unban(f, &m->b[i].net), 0);
	m->b[i] = m->b[--m->n];
}

/* model_expire - the model's bans that ended by now go */
static void
model_expire(struct model *m, long long now)
{
	size_t		i, k = 0;

	for (i = 0; i < m->n; i++)
		if (m->b[i].until > now)
			m->b[k++] = m->b[i];
	m->n = k;
}

/* range_text - a range for a failure message */
static const char *
range_text(const struct fw_range *r, char *buf, size_t len)
{
	struct net_prefix a, b;
	char		 x[64], y[64];

	memset(&a, 0, sizeof(a));
	a.family = r->family;
	a.len = r->family == 6 ? 128 : 32;
	b = a;
	memcpy(a.addr, r->lo, 16);
	memcpy(b.addr, r->hi, 16);
	net_text(&a, x, sizeof(x));
	net_text(&b, y, sizeof(y));
	snprintf(buf, len, "%s-%s until %lld (%s set)", x, y, r->until,
	    r->addr ? "address" : "networks'");
	return (buf);
}

/* model_want - what the kernel must hold for family fam: the model's
 * single addresses as elements of the address set (sorted), then the
 * sweep of its network bans (the networks' set); how many */
static size_t
model_want(const struct model *m, int fam, long long now,
    struct fw_range *want)
{
	struct fw_ban	*nets;
	size_t		 i, na = 0, nn = 0;
	int		 full = fam == 6 ? 128 : 32;

	nets = calloc(m->n + 1, sizeof(*nets));
	assert_non_null(nets);
	for (i = 0; i < m->n; i++) {
		if (m->b[i].net.family != fam)
			continue;
		if (m->b[i].net.len != full) {
			nets[nn++] = m->b[i];
			continue;
		}
		memset(&want[na], 0, sizeof(want[na]));
		want[na].family = fam;
		memcpy(want[na].lo, m->b[i].net.addr, 16);
		memcpy(want[na].hi, m->b[i].net.addr, 16);
		want[na].until = m->b[i].until;
		want[na++].addr = 1;
	}
	qsort(want, na, sizeof(*want), range_cmp);
	na += ranges_from_bans(nets, nn, fam, now, want + na);
	free(nets);
	return (na);
}

/* agree - the model's addresses and sweep, the enforcer's held ranges
 * and the kernel's two sets are the same */
static void
agree(struct fw *f, const struct model *m, long long now, const char *when)
{
	struct fw_range	*want, *got;
	size_t		 nw, ng, i;
	char		 err[512], t1[160], t2[160];
	int		 fam;
	long long	 d, t0, slack;

	if (fw_check_held(f, now, err, sizeof(err)) != 0)
		fail_msg("%s: the held ranges are not the sweep's: %s", when,
		    err);
	for (fam = 4; fam <= 6; fam += 2) {
		want = calloc(2 * m->n + 1, sizeof(*want));
		assert_non_null(want);
		nw = model_want(m, fam, now, want);
		/* The kernel's remaining time, on the clock of the dump (a
		 * large one takes seconds under the sanitizers). */
		t0 = time(NULL);
		if (nft_read(fw_nft(f), fam, &got, &ng, t0, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", when, err);
		slack = 2 + (time(NULL) - t0);
		for (i = 0; i < nw && i < ng; i++) {
			d = want[i].until - got[i].until;
			if (memcmp(want[i].lo, got[i].lo, 16) != 0 ||
			    memcmp(want[i].hi, got[i].hi, 16) != 0 ||
			    want[i].addr != got[i].addr ||
			    d > slack || d < -slack)
				break;
		}
		if (i < nw || i < ng)
			fail_msg("%s: IPv%d: the kernel holds %zu ranges, the "
			    "sweep says %zu; at %zu: kernel %s, sweep %s", when,
			    fam, ng, nw, i, i < ng ? range_text(&got[i], t1,
			    sizeof(t1)) : "none", i < nw ? range_text(&want[i],
			    t2, sizeof(t2)) : "none");
		free(want);
		free(got);
	}
}

/* own_fw - the own table, no map */
static struct fw *
own_fw(void)
{
	struct fw_conf	 c;
	struct fw	*f;
	char		 err[512];

	fw_conf_defaults(&c);
	c.map[0] = '\0';
	f = fw_new(&c, err, sizeof(err));
	if (f == NULL || err[0] != '\0')
		fail_msg("fw_new: %s", err);
	return (f);
}

/* random_net - a network in a small space, so that bans nest and touch:
 * 198.51.100.0/22 or 2001:db8::/118, lengths from the space's to the
 * address's */
static struct net_prefix
random_net(unsigned *s)
{
	static const int lens4[] = { 22, 23, 24, 26, 28, 29, 30, 31, 32, 32,
	    32, 32 };
	static const int lens6[] = { 118, 120, 122, 124, 126, 127, 128, 128,
	    128 };
	struct net_prefix n;
	unsigned	 r = rnd(s);

	memset(&n, 0, sizeof(n));
	if (r % 3 != 0) {
		n.family = 4;
		n.addr[0] = 198;
		n.addr[1] = 51;
		n.addr[2] = (unsigned char)(100 + ((r >> 4) & 3));
		n.addr[3] = (unsigned char)(r >> 8);
		net_mask(&n, lens4[(r >> 16) % (sizeof(lens4) /
		    sizeof(lens4[0]))]);
	} else {
		n.family = 6;
		n.addr[0] = 0x20;
		n.addr[1] = 0x01;
		n.addr[2] = 0x0d;
		n.addr[3] = 0xb8;
		n.addr[14] = (unsigned char)((r >> 4) & 3);
		n.addr[15] = (unsigned char)(r >> 8);
		net_mask(&n, lens6[(r >> 16) % (sizeof(lens6) /
		    sizeof(lens6[0]))]);
	}
	return (n);
}

/* random_run - rounds of 1 to 6 random changes, a flush and a check
 * after each */
static void
random_run(unsigned seed, int readd)
{
	struct model	 m;
	struct fw	*f;
	struct fw_ban	 b;
	long long	 now = time(NULL);
	unsigned	 s = seed, r;
	char		 when[64];
	int		 round, k, nops;

	memset(&m, 0, sizeof(m));
	free(sh("nft flush ruleset", NULL));	/* the last run's table */
	f = own_fw();
	fw_nft(f)->readd = readd;
	for (round = 0; round < 150; round++) {
		nops = 1 + (int)(rnd(&s) % 6);
		for (k = 0; k < nops; k++) {
			r = rnd(&s) % 10;
			memset(&b, 0, sizeof(b));
			snprintf(b.reason, sizeof(b.reason), "random");
			if (r < 5 || m.n == 0) {	/* a ban, maybe nested */
				b.net = random_net(&s);
				if (fw_refuses(f, &b.net))
					continue;
				b.until = now + 300 + rnd(&s) % 5000;
				model_ban(&m, f, &b);
			} else if (r < 8) {		/* an end moved */
				b = m.b[rnd(&s) % m.n];
				b.until = now + 300 + rnd(&s) % 5000;
				model_ban(&m, f, &b);
			} else				/* lifted */
				model_unban(&m, f, rnd(&s) % m.n);
		}
		now = time(NULL);
		snprintf(when, sizeof(when), "seed %u round %d", seed, round);
		if (fw_flush(f, now) != 0 || fw_stats(f)->batch_errors != 0)
			fail_msg("%s: flush failed: %s", when,
			    fw_stats(f)->last_error);
		agree(f, &m, now, when);
	}
	assert_int_equal(fw_stats(f)->batch_errors, 0);
	assert_int_equal(fw_stats(f)->reconciles, 0);
	/* The first push is the full sweep; every other one was local. */
	assert_true(fw_local_pushes(f) >= 140);
	fw_free(f);
	free(m.b);
}

/* test_fw_incr_random - random nested and adjacent bans, lifts and
 * moved ends: local updates give the full sweep's ranges, in the kernel */
static void
test_fw_incr_random(void **state)
{
	(void)state;
	random_run(1, 1);
	random_run(0x9e3779b9, 1);
	random_run(77, 0);		/* delete + add: before 6.12 */
}

/* ban_text - a ban of text for secs seconds from now */
static struct fw_ban
ban_text(const char *text, long long now, long long secs)
{
	struct fw_ban	b;

	memset(&b, 0, sizeof(b));
	assert_int_equal(net_parse(text, &b.net), 0);
	b.until = now + secs;
	snprintf(b.reason, sizeof(b.reason), "expiry");
	return (b);
}

/* test_fw_incr_expiry - nested bans ending (for real: the kernel drops
 * its elements itself) are dropped locally, and the kernel agrees */
static void
test_fw_incr_expiry(void **state)
{
	static const struct {
		const char	*net;
		long long	 secs;
	} bans[] = {
		{ "192.0.2.0/24", 600 },	/* outlives its address: */
		{ "192.0.2.7", 2 },		/* no element of its own */
		{ "192.0.2.64/28", 600 },
		{ "192.0.2.66", 2 },
		{ "198.18.0.0/28", 2 },		/* ends around its address */
		{ "198.18.0.9", 600 },
		{ "198.18.0.16/28", 2 },	/* adjacent, ends */
		{ "198.18.0.32", 2 },		/* alone, ends */
		{ "2001:db8:1::/120", 2 },
		{ "2001:db8:1::5", 600 },
		{ "2001:db8:2::/120", 600 },
		{ "2001:db8:2::5", 2 },
	};
	struct model	 m;
	struct fw	*f;
	struct fw_ban	 b, net24;
	long long	 now = time(NULL);
	size_t		 i;

	(void)state;
	memset(&m, 0, sizeof(m));
	f = own_fw();
	b = ban_text("203.0.113.1", now, 600);	/* the first push: full */
	model_ban(&m, f, &b);
	assert_int_equal(fw_flush(f, now), 0);
	for (i = 0; i < sizeof(bans) / sizeof(bans[0]); i++) {
		b = ban_text(bans[i].net, now, bans[i].secs);
		model_ban(&m, f, &b);
	}
	assert_int_equal(fw_flush(f, now), 0);
	agree(f, &m, now, "before the ends");
	assert_int_equal(fw_local_pushes(f), 1);
	/* Past the short ends and the slack, the kernel dropped them. */
	sleep(5);
	now = time(NULL);
	model_expire(&m, now);
	assert_int_equal(fw_flush(f, now), 0);
	agree(f, &m, now, "after the ends");
	assert_int_equal(fw_local_pushes(f), 2);
	assert_int_equal(fw_stats(f)->batch_errors, 0);
	/* A ban again inside what is left, and the /24 lifted. */
	b = ban_text("192.0.2.7", now, 900);
	model_ban(&m, f, &b);
	net24 = ban_text("192.0.2.0/24", now, 1);
	model_unban(&m, f, (size_t)model_find(&m, &net24.net));
	assert_int_equal(fw_flush(f, now), 0);
	agree(f, &m, now, "after the lift");
	assert_int_equal(fw_local_pushes(f), 3);
	fw_free(f);
	free(m.b);
}

/* bulk - n bans of distinct, apart addresses of 10.B.0.0/16 onwards */
static void
bulk(struct model *m, struct fw *f, int b0, int n, long long until)
{
	struct fw_ban	 b;
	int		 i;

	memset(&b, 0, sizeof(b));
	b.net.family = 4;
	b.net.len = 32;
	b.until = until;
	snprintf(b.reason, sizeof(b.reason), "bulk");
	for (i = 0; i < n; i++) {
		b.net.addr[0] = 10;
		b.net.addr[1] = (unsigned char)(b0 + (i >> 15));
		b.net.addr[2] = (unsigned char)(i >> 7);
		b.net.addr[3] = (unsigned char)((i & 127) * 2);
		model_add(m, f, &b);
	}
}

/* count_elems - the elements of offenders4 and the ranges of
 * offenders4_nets, counted by nft */
static int
count_elems(void)
{
	char	*l = sh("for s in offenders4 offenders4_nets; do nft -j list "
	    "set inet fivefifty $s; done | jq -s '[.[].nftables[] | "
	    "select(.set) | .set.elem[]?] | length'", NULL);
	int	 n = atoi(l);

	free(l);
	return (n);
}

/* test_fw_incr_burst - 100,000 bans in force, single bans local, then
 * 50,000 new ones in one flush: all in the kernel */
static void
test_fw_incr_burst(void **state)
{
	struct model	 m;
	struct fw	*f;
	struct fw_ban	 b, lone;
	long long	 now = time(NULL);
	unsigned long long local;

	(void)state;
	memset(&m, 0, sizeof(m));
	f = own_fw();
	bulk(&m, f, 0, 100000, now + 3600);
	now = time(NULL);
	assert_int_equal(fw_flush(f, now), 0);
	assert_int_equal(count_elems(), 100000);
	/* One more, inside a network banned around some of them. */
	b = ban_text("10.0.1.0/24", now, 7200);
	model_ban(&m, f, &b);
	now = time(NULL);
	assert_int_equal(fw_flush(f, now), 0);
	b = ban_text("10.1.2.3", now, 600);
	model_ban(&m, f, &b);
	now = time(NULL);
	assert_int_equal(fw_flush(f, now), 0);
	local = fw_local_pushes(f);
	assert_int_equal(local, 2);
	agree(f, &m, now, "100,000 and two");
	/* The burst: 50,000 new bans, one flush, one batch. */
	bulk(&m, f, 4, 50000, now + 1800);
	now = time(NULL);
	assert_int_equal(fw_flush(f, now), 0);
	assert_int_equal(fw_stats(f)->batch_errors, 0);
	/* Single addresses: the address set's elements, no sweep. */
	assert_int_equal(fw_local_pushes(f), local + 1);
	agree(f, &m, now, "after the burst");
	assert_int_equal(count_elems(), (int)fw_stats(f)->elements);
	/* And local again after it. */
	b = ban_text("10.4.0.0/24", now, 600);
	model_ban(&m, f, &b);
	lone = ban_text("10.1.2.3", now, 1);
	model_unban(&m, f, (size_t)model_find(&m, &lone.net));
	now = time(NULL);
	assert_int_equal(fw_flush(f, now), 0);
	assert_int_equal(fw_local_pushes(f), local + 2);
	agree(f, &m, now, "a ban and a lift after the burst");
	fw_free(f);
	free(m.b);
}

#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    netns_leave)

const struct CMUnitTest fwincr_tests[] = {
	NS_TEST(test_fw_incr_random),
	NS_TEST(test_fw_incr_expiry),
	NS_TEST(test_fw_incr_burst),
};
const size_t fwincr_tests_count = sizeof(fwincr_tests) /
    sizeof(fwincr_tests[0]);

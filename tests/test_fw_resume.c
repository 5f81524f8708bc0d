/*	$fivefifty: test_fw_resume.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_fw_resume 3 - a start after a clean stop keeps the kernel's sets
 * DESCRIPTION
 *	In a private network namespace, with the real kernel: a stop that
 *	knows the table holds exactly the bans in force (fw_snapshot()) lets
 *	the next start (wire_fw_resume()) replace the rules only, in one
 *	commit with no element notified, and the sets still hold every ban
 *	(read back with `nft`, an independent oracle). Every doubt gives the
 *	full repair instead, and the sets hold exactly the state's bans
 *	afterwards: an element deleted by `nft` while the daemon was
 *	stopped or while it ran, a commit of anyone after the stop, a ban
 *	added to the state meanwhile, another namespace or boot, another
 *	table. A commit elsewhere while it ran does not stand in the way;
 *	a ban that ended between the stop and the start neither. The
 *	kernel's refusal of a batch carrying a generation that is no longer
 *	its own (ERESTART), or a set that is not there, falls back to the
 *	full repair. A ban moved to the same duration later reaches the
 *	kernel (its element's end, by nft, is the ban's), a resumed start
 *	keeps the right ends, and a wall clock stepped since the stop
 *	gives the full repair. The generation
 *	accounting (nft_gen.c) is checked on its own too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "conf/conf.h"
#include "firewall/firewall.h"
#include "firewall/fw_int.h"
#include "firewall/nft_int.h"
#include "net/net.h"
#include "state/state.h"
#include "wire/wire.h"

/* put_ban - a ban into the state until until, stored now */
static void
put_ban(struct state *st, const char *addr, int len, int family,
    long long until)
{
	fw_put_ban(st, addr, len, family, time(NULL), until);
}

/* start - a daemon's start after a stop that left snap (or NULL),
 * watched; the enforcer, open */
static struct fw *
start(const struct ff_conf *c, struct state *st, const struct fw_snap *snap,
    struct fw_seen *g)
{
	struct fw	*f;
	int		 fd = fw_watch_open(), status = 0;

	f = wire_fw_resume("run", c, st, time(NULL), snap, &status);
	assert_non_null(f);
	assert_int_equal(status, 0);
	assert_int_equal(fw_stats(f)->fw_ok, 1);
	fw_watch_read(fd, g);
	close(fd);
	return (f);
}

/* stop - a daemon's clean stop: the last flush, then the snapshot; its
 * fw_snapshot() result */
static int
stop(struct fw *f, struct fw_snap *snap)
{
	char		why[256];
	int		rc;

	assert_int_equal(fw_sync(f, time(NULL)), 0);
	rc = fw_snapshot(f, time(NULL), snap, why, sizeof(why));
	fw_free(f);
	return (rc);
}


/* three - three bans of an hour: an address, an IPv4 and an IPv6 net */
static void
three(struct state *st)
{
	long long	until = time(NULL) + 3600;

	put_ban(st, "192.0.2.7", 32, 4, until);
	put_ban(st, "198.51.100.0", 24, 4, until);
	put_ban(st, "2001:db8:1::", 64, 6, until);
}

/* all_there - the kernel holds the three bans of three(), by nft */
static void
all_there(void)
{
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 1);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4_nets")), 1);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders6_nets")), 1);
	assert_int_equal(fw_count_of(FW_DROPS), 12);
}

/* test_fw_resume_kept - stopped and started again with nothing changed:
 * one commit, the rules replaced, no element sent, all still there */
static void
test_fw_resume_kept(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct fw_snap	 snap;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwresume.XXXXXX", path[64];
	int		 i;

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	three(st);
	f = start(c, st, NULL, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	assert_true((g.elems + g.dels) >= 2);
	assert_int_equal(stop(f, &snap), 0);
	assert_int_equal(snap.bans, 3);
	for (i = 0; i < 2; i++) {	/* twice: a resumed start stops clean */
		f = start(c, st, &snap, &g);
		assert_int_equal(fw_stats(f)->resumed, 1);
		assert_int_equal(fw_stats(f)->bans, 3);
		assert_int_equal(g.gens, 1);
		assert_int_equal(g.rules, 12);
		assert_int_equal((g.elems + g.dels), 0);
		all_there();
		assert_int_equal(stop(f, &snap), 0);
	}
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* test_fw_resume_deleted_stopped - an element deleted with nft while
 * nothing ran: the start fills the sets again, the element is back */
static void
test_fw_resume_deleted_stopped(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct fw_snap	 snap;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwresume.XXXXXX", path[64];

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	three(st);
	f = start(c, st, NULL, &g);
	assert_int_equal(stop(f, &snap), 0);
	free(sh("nft delete element inet fivefifty offenders4 '{ 192.0.2.7 }'",
	    NULL));
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 0);
	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	assert_int_equal(g.gens, 1);
	assert_true((g.elems + g.dels) >= 3);
	all_there();
	fw_free(f);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* test_fw_resume_deleted_running - an element deleted with nft while the
 * enforcer ran: the stop leaves no snapshot; a commit to another table
 * meanwhile does not stand in the way */
static void
test_fw_resume_deleted_running(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct fw_snap	 snap;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwresume.XXXXXX", path[64];

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	three(st);
	/* Another process's table, changed while we run: not ours. */
	f = start(c, st, NULL, &g);
	free(sh("nft add table ip other && nft add set ip other s "
	    "'{ type ipv4_addr; }' && nft add element ip other s "
	    "'{ 192.0.2.99 }'", NULL));
	assert_int_equal(stop(f, &snap), 0);
	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 1);
	all_there();

	/* Our element deleted while we run: no snapshot at the stop. */
	free(sh("nft delete element inet fivefifty offenders6_nets "
	    "'{ 2001:db8:1::/64 }'", NULL));
	assert_int_equal(fw_count_of(FW_ELEMS("offenders6_nets")), 0);
	assert_int_equal(stop(f, &snap), -1);
	f = start(c, st, NULL, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	all_there();
	fw_free(f);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* test_fw_resume_changed - after the stop: a commit of anyone, a ban more
 * in the state, another namespace or boot, another table: the sets are
 * filled again, and hold exactly the state's bans */
static void
test_fw_resume_changed(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct fw_snap	 snap, other;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwresume.XXXXXX", path[64];

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	three(st);
	f = start(c, st, NULL, &g);
	assert_int_equal(stop(f, &snap), 0);

	/* Another namespace, another boot: never taken for this one. */
	other = snap;
	other.netns ^= 1;
	f = start(c, st, &other, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	assert_int_equal(stop(f, &snap), 0);
	other = snap;
	other.boot_id[0] = other.boot_id[0] == '0' ? '1' : '0';
	f = start(c, st, &other, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	assert_int_equal(stop(f, &snap), 0);

	/* A commit of another process, anywhere, after the stop. */
	free(sh("nft add table ip other", NULL));
	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	all_there();
	assert_int_equal(stop(f, &snap), 0);

	/* A ban more in the state: in the kernel after the start. */
	put_ban(st, "203.0.113.5", 32, 4, time(NULL) + 3600);
	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 2);
	assert_int_equal(stop(f, &snap), 0);

	/* Another table: made, with every ban. */
	snprintf(c->fw.table, sizeof(c->fw.table), "fivefifty2");
	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	assert_int_equal(fw_count_of("nft -j list set inet fivefifty2 "
	    "offenders4 | jq '[.nftables[] | select(.set) | .set.elem[]?] "
	    "| length'"),
	    2);
	fw_free(f);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* test_fw_resume_ended - a ban that ended between the stop and the start
 * (its element gone by its timeout) does not stand in the way */
static void
test_fw_resume_ended(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct fw_snap	 snap;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwresume.XXXXXX", path[64];
	long long	 end;

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	three(st);
	/* Long enough that a loaded machine's start and stop come before
	 * its end (the stop must have it in force). */
	end = time(NULL) + 6;
	put_ban(st, "203.0.113.9", 32, 4, end);
	f = start(c, st, NULL, &g);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 2);
	assert_int_equal(stop(f, &snap), 0);
	if (snap.at >= end)
		fail_msg("the stop came %lld s after the ban's end: the machine "
		    "is too slow for this test", snap.at - end);
	assert_int_equal(snap.bans, 4);
	while (time(NULL) <= end + 1)
		(void)usleep(100000);
	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 1);
	assert_int_equal(fw_stats(f)->bans, 3);
	assert_int_equal((g.elems + g.dels), 0);
	all_there();
	fw_free(f);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* expires_of - the seconds the kernel says addr's element in offenders4
 * has left (nft's "expires"), -1 when it is not there */
static int
expires_of(const char *addr)
{
	char		cmd[256];

	snprintf(cmd, sizeof(cmd), "nft -j list set inet fivefifty offenders4 "
	    "| jq '[.nftables[] | select(.set) | .set.elem[]? | "
	    "select(.elem.val == \"%s\") | .elem.expires] | max // -1'",
	    addr);
	return (fw_count_of(cmd));
}

/* ends_match - the kernel's end of addr's element is the ban's (within
 * the rounding of a second each side) */
static void
ends_match(const char *addr, long long until)
{
	long long	t0 = time(NULL), t1;
	int		k = expires_of(addr);

	/* nft read it between t0 and t1 */
	t1 = time(NULL);
	if (k < until - t1 - 2 || k > until - t0 + 1)
		fail_msg("%s: the kernel ends it in %d s, the ban in %lld to "
		    "%lld s", addr, k, until - t1, until - t0);
}

/* real_ms - the wall clock in milliseconds */
static long long
real_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* expires_ms_of - the milliseconds until the kernel ends addr's element
 * in offenders4, from nft's text ("expires 59s412ms", "1m0s3ms"); -1
 * when it is not there */
static long long
expires_ms_of(const char *addr)
{
	static const struct {
		const char	*unit;
		long long	 ms;
	} units[] = { { "ms", 1 }, { "d", 86400000 }, { "h", 3600000 },
	    { "m", 60000 }, { "s", 1000 } };
	char		*out, *p, *end;
	long long	 v, total = 0;
	size_t		 i;

	out = sh("nft list set inet fivefifty offenders4", NULL);
	if ((p = strstr(out, addr)) == NULL ||
	    (p = strstr(p, "expires ")) == NULL) {
		free(out);
		return (-1);
	}
	for (p += 8; *p >= '0' && *p <= '9'; p = end) {
		v = strtoll(p, &end, 10);
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strncmp(end, units[i].unit,
			    strlen(units[i].unit)) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			fail_msg("nft's expires: %.40s", p);
		total += v * units[i].ms;
		end += strlen(units[i].unit);
	}
	free(out);
	return (total);
}

/* test_fw_end_precise - the kernel ends an element when its ban ends,
 * to the millisecond, not up to a second after: the flush's clock is
 * whole seconds, and the ban is put in late in its second. (Before
 * Linux 6.12, a new ban of the address in the element's extra time was
 * an add the kernel ignored.) */
static void
test_fw_end_precise(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct fw_snap	 snap;
	struct fw_ban	 b;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwprecise.XXXXXX", path[64];
	long long	 now, before, after, r0, r1, e, end_lo, end_hi;

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	f = start(c, st, NULL, &g);
	memset(&b, 0, sizeof(b));
	assert_int_equal(net_parse("203.0.113.9", &b.net), 0);
	snprintf(b.reason, sizeof(b.reason), "five-fifty");
	/* Late in a second: 600 to 800 ms into it. */
	while (real_ms() % 1000 < 600 || real_ms() % 1000 >= 800)
		(void)usleep(5000);
	before = real_ms();
	now = before / 1000;
	b.until = now + 60;
	assert_int_equal(fw_ban(f, &b), 0);
	assert_int_equal(fw_flush(f, now), 0);
	after = real_ms();
	r0 = real_ms();
	e = expires_ms_of("203.0.113.9");
	r1 = real_ms();
	assert_true(e > 0);
	/* The kernel's end, as read (its expires rounded to the ms and its
	 * clock's ticks: 20 ms of slack). Between the ban's end and that
	 * plus the flush's own time; the old whole seconds ended it 600
	 * to 800 ms late. */
	end_lo = r0 + e;
	end_hi = r1 + e;
	if (end_lo > b.until * 1000 + (after - before) + 20 ||
	    end_hi < b.until * 1000 - 20)
		fail_msg("the kernel ends it %lld to %lld ms after the ban "
		    "(the flush took %lld ms)", end_lo - b.until * 1000,
		    end_hi - b.until * 1000, after - before);
	assert_int_equal(stop(f, &snap), 0);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* test_fw_resume_expiry - a ban moved to the same duration later reaches
 * the kernel (Linux 6.12 refreshes an element only when its timeout or
 * expiration differs), and a resumed start keeps the right ends; a wall
 * clock stepped since the stop gives the full repair */
static void
test_fw_resume_expiry(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct fw_snap	 snap, other;
	struct fw_ban	 b;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwresume.XXXXXX", path[64], why[256];
	long long	 t0, t1;

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	three(st);
	f = start(c, st, NULL, &g);
	memset(&b, 0, sizeof(b));
	assert_int_equal(net_parse("203.0.113.7", &b.net), 0);
	snprintf(b.reason, sizeof(b.reason), "five-fifty");
	t0 = time(NULL);
	b.until = t0 + 100;
	assert_int_equal(fw_ban(f, &b), 0);
	assert_int_equal(fw_flush(f, t0), 0);
	ends_match("203.0.113.7", b.until);
	/* Banned again for as long, 4 s later: the same timeout (100 s,
	 * the flush's clock the ban's), which Linux 6.12 and later refresh
	 * only with the expiration. */
	while ((t1 = time(NULL)) < t0 + 4)
		(void)usleep(100000);
	b.until = t1 + 100;
	assert_int_equal(fw_ban(f, &b), 0);
	assert_int_equal(fw_flush(f, t1), 0);
	ends_match("203.0.113.7", b.until);
	put_ban(st, "203.0.113.7", 32, 4, b.until);
	assert_int_equal(stop(f, &snap), 0);

	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 1);
	ends_match("203.0.113.7", b.until);
	assert_int_equal(stop(f, &snap), 0);

	/* Within a second of the stop's clock: kept. */
	other = snap;
	other.clock_lo -= 300;
	other.clock_hi -= 300;
	f = start(c, st, &other, &g);
	assert_int_equal(fw_stats(f)->resumed, 1);
	/* The elements were put in over that range, not now: a step of
	 * a second in each of several runs adds up and is seen. */
	assert_true(fw_nft(f)->clk_lo <= other.clock_lo);
	assert_int_equal(stop(f, &snap), 0);

	/* A step of the clock while the daemon ran: no snapshot. */
	f = start(c, st, &snap, &g);
	assert_int_equal(fw_stats(f)->resumed, 1);
	assert_int_equal(fw_sync(f, time(NULL)), 0);
	fw_nft(f)->clk_lo -= 5000;
	assert_int_equal(fw_snapshot(f, time(NULL), &other, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "wall clock"));
	fw_nft(f)->clk_lo += 5000;
	assert_int_equal(stop(f, &snap), 0);

	/* The wall clock stepped by 5 s against the monotonic one since
	 * the stop. */
	other = snap;
	other.clock_lo += 5000;
	other.clock_hi += 5000;
	f = start(c, st, &other, &g);
	assert_int_equal(fw_stats(f)->resumed, 0);
	ends_match("203.0.113.7", b.until);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 2);
	assert_int_equal(fw_count_of(FW_DROPS), 12);
	fw_free(f);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* test_fw_resume_refused - a batch carrying a generation the kernel no
 * longer has is refused (ERESTART); nft_repair() then does the full
 * repair, and the kernel holds the elements */
static void
test_fw_resume_refused(void **state)
{
	struct fw_conf	 fc;
	struct nft	*h;
	struct fw_range	 r;
	char		 err[512];
	uint32_t	 gen;
	long long	 now = time(NULL);

	(void)state;
	fw_conf_defaults(&fc);
	fc.map[0] = '\0';
	h = nft_open(&fc, err, sizeof(err));
	assert_non_null(h);
	assert_int_equal(nft_setup(h, err, sizeof(err)), 0);
	assert_int_equal(nft_getgen(h, &gen), 0);
	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.addr = 1;
	r.lo[0] = r.hi[0] = 192;
	r.lo[2] = r.hi[2] = 2;
	r.lo[3] = r.hi[3] = 9;
	r.until = now + 600;
	h->genid = gen + 7;		/* not the kernel's */
	h->no_elems = 1;
	if (nft_repair(h, &r, 1, NULL, 0, now, err, sizeof(err)) != 0)
		fail_msg("nft_repair: %s", err);
	assert_int_equal(h->no_elems, 0);	/* the full repair ran */
	assert_int_equal((int)h->batch_errors, 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 1);
	/* With the kernel's own generation it is taken: no element. */
	assert_int_equal(nft_getgen(h, &gen), 0);
	h->genid = gen;
	h->no_elems = 1;
	free(sh("nft flush set inet fivefifty offenders4", NULL));
	assert_int_equal(nft_getgen(h, &gen), 0);
	h->genid = gen;
	if (nft_repair(h, &r, 1, NULL, 0, now, err, sizeof(err)) != 0)
		fail_msg("nft_repair: %s", err);
	assert_int_equal(h->no_elems, 1);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 0);
	/* A set that is not there is never made anew empty and kept: the
	 * full repair, though the generation is the kernel's. */
	free(sh("nft flush chain inet fivefifty input && "
	    "nft delete set inet fivefifty offenders4", NULL));
	assert_int_equal(fw_count_of("nft list set inet fivefifty offenders4 "
	    "2>/dev/null | grep -c offenders4 || true"), 0);
	assert_int_equal(nft_getgen(h, &gen), 0);
	h->genid = gen;
	h->no_elems = 1;
	if (nft_repair(h, &r, 1, NULL, 0, now, err, sizeof(err)) != 0)
		fail_msg("nft_repair: %s", err);
	assert_int_equal(h->no_elems, 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 1);
	nft_close(h);
}

/* test_fw_resume_accounting - nft_gen.c's bookkeeping on its own */
static void
test_fw_resume_accounting(void **state)
{
	struct nft	h;

	(void)state;
	memset(&h, 0, sizeof(h));
	/* An exact batch (a repair) starts the accounting. */
	h.exact = 1;
	nft_gen_batch(&h, 10, 11);
	assert_int_equal(h.acct, 11);
	assert_int_equal(h.tainted, 0);
	h.exact = 0;
	/* A commit elsewhere seen, then one of ours: accounted. */
	nft_gen_seen(&h, 12, 1);
	nft_gen_batch(&h, 12, 13);
	assert_int_equal(h.acct, 13);
	/* Ours before the monitor read the one before it: waits. */
	nft_gen_batch(&h, 14, 15);
	assert_int_equal(h.acct, 13);
	assert_int_equal(h.nown, 1);
	nft_gen_seen(&h, 14, 1);
	assert_int_equal(h.acct, 15);
	assert_int_equal(h.nown, 0);
	assert_int_equal(h.tainted, 0);
	/* Seen late, already accounted: nothing. */
	nft_gen_seen(&h, 13, 1);
	assert_int_equal(h.tainted, 0);
	/* A commit elsewhere that touched our table: tainted. */
	h.touched = 1;
	nft_gen_seen(&h, 16, 1);
	assert_int_equal(h.tainted, 1);
	/* A repair mends it; then a generation skipped: tainted. */
	h.exact = 1;
	nft_gen_batch(&h, 16, 17);
	h.exact = 0;
	assert_int_equal(h.tainted, 0);
	nft_gen_seen(&h, 19, 1);
	assert_int_equal(h.tainted, 1);
	/* Someone committed between our two reads: tainted. */
	h.exact = 1;
	nft_gen_batch(&h, 20, 21);
	h.exact = 0;
	nft_gen_batch(&h, 21, 23);
	assert_int_equal(h.tainted, 1);
	/* Before any exact batch nothing is accounted. */
	memset(&h, 0, sizeof(h));
	nft_gen_seen(&h, 5, 0);
	assert_int_equal(h.acct, 0);
}

/* test_fw_resume_file - the snapshot's file: next to a SQLite state or
 * in state_directory (PostgreSQL), written and read back the same (a
 * negative clock offset too), read once (removed), and a file that is
 * not whole or not ours is ignored (and removed) */
static void
test_fw_resume_file(void **state)
{
	struct ff_conf	*c = calloc(1, sizeof(*c));
	struct fw_snap	 s, t;
	char		 dir[] = "/tmp/ff-fwsnap.XXXXXX", path[128], cmd[256];

	(void)state;
	assert_non_null(c);
	conf_defaults(c);
	assert_non_null(mkdtemp(dir));
	snprintf(c->state_db, sizeof(c->state_db), "%s/ff.db", dir);
	assert_int_equal(wire_local_path(c, WIRE_SNAP_NAME, path,
	    sizeof(path)), 0);
	snprintf(cmd, sizeof(cmd), "%s/ff.db-kernel", dir);
	assert_string_equal(path, cmd);
	snprintf(c->state_db, sizeof(c->state_db), "postgresql:///ff");
	snprintf(c->state_directory, sizeof(c->state_directory), "%s", dir);
	assert_int_equal(wire_local_path(c, WIRE_SNAP_NAME, path,
	    sizeof(path)), 0);
	snprintf(cmd, sizeof(cmd), "%s/kernel", dir);
	assert_string_equal(path, cmd);

	memset(&s, 0, sizeof(s));
	snprintf(s.boot_id, sizeof(s.boot_id),
	    "0b7e2b1c-5f3a-4a8e-9d1e-2c3b4a5d6e7f");
	s.netns = 4096;
	s.gen = 4000000000U;
	s.key = 18446744073709551615ULL;
	s.view = 1234567890123ULL;
	s.layout = 42;
	s.at = 1796458867;
	s.bans = 100000;
	s.clock_lo = -3600123;
	s.clock_hi = -3600001;
	assert_int_equal(wire_snap_save(path, &s), 0);
	assert_int_equal(wire_snap_take(path, &t), 1);
	assert_memory_equal(&s, &t, sizeof(s));
	assert_int_equal(access(path, F_OK), -1);	/* read once */
	assert_int_equal(wire_snap_take(path, &t), 0);

	/* Not whole: a field missing. */
	assert_int_equal(wire_snap_save(path, &s), 0);
	snprintf(cmd, sizeof(cmd), "sed -i '/^view /d' '%s'", path);
	free(sh(cmd, NULL));
	assert_int_equal(wire_snap_take(path, &t), 0);
	assert_int_equal(access(path, F_OK), -1);
	/* Not a number where one belongs. */
	assert_int_equal(wire_snap_save(path, &s), 0);
	snprintf(cmd, sizeof(cmd), "sed -i 's/^bans .*/bans 12x/' '%s'", path);
	free(sh(cmd, NULL));
	assert_int_equal(wire_snap_take(path, &t), 0);
	/* A generation beyond 32 bits. */
	assert_int_equal(wire_snap_save(path, &s), 0);
	snprintf(cmd, sizeof(cmd), "sed -i 's/^generation .*/generation "
	    "4294967296/' '%s'", path);
	free(sh(cmd, NULL));
	assert_int_equal(wire_snap_take(path, &t), 0);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(sh(cmd, NULL));
	free(c);
}

#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    netns_leave)

const struct CMUnitTest fwresume_tests[] = {
	NS_TEST(test_fw_resume_kept),
	NS_TEST(test_fw_resume_deleted_stopped),
	NS_TEST(test_fw_resume_deleted_running),
	NS_TEST(test_fw_resume_changed),
	NS_TEST(test_fw_resume_ended),
	NS_TEST(test_fw_resume_expiry),
	NS_TEST(test_fw_end_precise),
	NS_TEST(test_fw_resume_refused),
	cmocka_unit_test(test_fw_resume_accounting),
	cmocka_unit_test(test_fw_resume_file),
};
const size_t fwresume_tests_count = sizeof(fwresume_tests) /
    sizeof(fwresume_tests[0]);

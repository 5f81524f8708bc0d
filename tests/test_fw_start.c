/*	$fivefifty: test_fw_start.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_fw_start 3 - a start is one kernel generation
 * DESCRIPTION
 *	The daemon's start (wire_fw_open(): the state's running bans, then
 *	the table, sets, chain and rules) watched from a netlink socket of
 *	the test's own, subscribed to nf_tables notifications, in a private
 *	network namespace: exactly one NFT_MSG_NEWGEN per start, fresh or
 *	over a table a previous run left, with or without bans, and every
 *	rule and element notified before it, so the rules and the
 *	elements came in the same transaction (no moment with one and not
 *	the other). What is in the kernel afterwards is read back with
 *	`nft` as an independent oracle. A start after firewall_action or
 *	firewall_established changed replaces the rules in that one commit.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "conf/conf.h"
#include "firewall/firewall.h"
#include "net/net.h"
#include "state/state.h"
#include "wire/wire.h"

/* put_ban - a ban running for an hour */
static void
put_ban(struct state *st, const char *addr, int len, int family,
    long long now)
{
	fw_put_ban(st, addr, len, family, now, now + 3600);
}

/* start - the daemon's start, watched: how many generations it made */
static void
start(const struct ff_conf *c, struct state *st, struct fw_seen *g)
{
	struct fw	*f;
	int		 fd = fw_watch_open(), status = 0;

	f = wire_fw_open("run", c, st, time(NULL), &status);
	assert_non_null(f);
	assert_int_equal(status, 0);
	assert_int_equal(fw_stats(f)->fw_ok, 1);
	fw_watch_read(fd, g);
	close(fd);
	fw_free(f);
}


/* test_fw_start_one_generation - fresh, restarted, with and without
 * bans: one commit each, rules and elements in it */
static void
test_fw_start_one_generation(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwstart.XXXXXX", path[64];
	long long	 now = time(NULL);

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	put_ban(st, "192.0.2.7", 32, 4, now);
	put_ban(st, "2001:db8:1::", 64, 6, now);

	/* Fresh: no table yet, two bans in the state. */
	start(c, st, &g);
	assert_int_equal(g.gens, 1);
	/* 2 families x 2 sets (addresses, networks) x 3 ports */
	assert_int_equal(g.rules, 12);
	assert_true(g.elems >= 2);
	assert_int_equal(g.late, 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 1);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders6")), 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders6_nets")), 1);

	/* A restart over the table the last run left, one ban more: the
	 * rules replaced once, the new element in the same commit. */
	put_ban(st, "198.51.100.0", 24, 4, now);
	start(c, st, &g);
	assert_int_equal(g.gens, 1);
	assert_int_equal(g.rules, 12);
	assert_true(g.elems >= 1);
	assert_int_equal(g.late, 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 1);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4_nets")), 1);
	assert_int_equal(fw_count_of(FW_DROPS), 12);

	/* A restart with nothing new: still one commit (the rules). */
	start(c, st, &g);
	assert_int_equal(g.gens, 1);
	assert_int_equal(g.late, 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")) +
	    fw_count_of(FW_ELEMS("offenders4_nets")), 2);
	state_close(st);

	/* Fresh without a state (scan's start): one commit too. */
	free(sh("nft delete table inet fivefifty", NULL));
	start(c, NULL, &g);
	assert_int_equal(g.gens, 1);
	assert_int_equal(g.rules, 12);
	assert_int_equal(g.elems, 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 0);
	assert_int_equal(fw_count_of(FW_DROPS), 12);

	fw_rm_dir(dir);
	free(c);
}

/* test_fw_start_latest_end - a network with several bans running in the
 * state (a re-ban stored as a new row, in either order) is in force
 * until the latest of their ends, once; an ended one counts for nothing */
static void
test_fw_start_latest_end(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw	*f;
	struct net_prefix n;
	char		 dir[] = "/tmp/ff-fwstart.XXXXXX", path[64], cmd[160];
	long long	 now = time(NULL), after;
	int		 status = 0, t;

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	/* 192.0.2.7: the later end first; 192.0.2.8: the later end last;
	 * 192.0.2.9: ended, then running. */
	fw_put_ban(st, "192.0.2.7", 32, 4, now, now + 7200);
	fw_put_ban(st, "192.0.2.7", 32, 4, now, now + 600);
	fw_put_ban(st, "192.0.2.8", 32, 4, now, now + 600);
	fw_put_ban(st, "192.0.2.8", 32, 4, now, now + 5400);
	fw_put_ban(st, "192.0.2.9", 32, 4, now - 7200, now - 3600);
	fw_put_ban(st, "192.0.2.9", 32, 4, now, now + 900);
	/* Through bans_until the rows come in ascending end, the latest
	 * last, and "the last one wins" would pass too: without the index
	 * they come in the order they were stored, the later end of
	 * 192.0.2.7 first. (A state the planner reads by rowid, after an
	 * ANALYZE, does the same.) */
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'DROP INDEX bans_until'",
	    path);
	free(sh(cmd, NULL));
	f = wire_fw_open("run", c, st, now, &status);
	after = time(NULL);	/* the kernel's timeouts were given by now */
	assert_non_null(f);
	assert_int_equal(status, 0);
	assert_int_equal(fw_stats(f)->bans, 3);
	assert_int_equal(net_parse("192.0.2.7", &n), 0);
	assert_int_equal(fw_ban_end(f, &n), now + 7200);
	assert_int_equal(net_parse("192.0.2.8", &n), 0);
	assert_int_equal(fw_ban_end(f, &n), now + 5400);
	assert_int_equal(net_parse("192.0.2.9", &n), 0);
	assert_int_equal(fw_ban_end(f, &n), now + 900);
	assert_int_equal(net_parse("192.0.2.10", &n), 0);
	assert_int_equal(fw_ban_end(f, &n), 0);
	/* The kernel's own word: three elements, the longest timeout the
	 * 7200 s of the latest end less the seconds since now (nft prints
	 * the timeout given, in seconds): not 5400, whatever the machine's
	 * load made of those seconds. */
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 3);
	t = fw_count_of("nft -j list set inet fivefifty offenders4 | jq "
	    "'[.nftables[] | select(.set) | .set.elem[]?.elem.timeout] | max'");
	if (t > 7200 || t < 7200 - (after - now) - 1)
		fail_msg("the longest timeout is %d s, %lld s after now: not "
		    "the latest end's", t, after - now);
	fw_free(f);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

/* test_fw_start_required - firewall_required and a kernel that refuses
 * the start's batch: NULL with EX_UNAVAILABLE, nothing half made */
static void
test_fw_start_required(void **state)
{
	struct ff_conf	*c = calloc(1, sizeof(*c));
	struct fw	*f;
	int		 status = 0;

	(void)state;
	assert_non_null(c);
	conf_defaults(c);
	c->fw.map[0] = '\0';
	/* A set of ours that exists with another key: NEWSET fails and the
	 * whole batch (table, chain, rules) is rolled back. */
	free(sh("nft add table inet fivefifty && nft add set inet fivefifty "
	    "offenders4 '{ type inet_service; }'", NULL));
	c->fw.required = 1;
	f = wire_fw_open("run", c, NULL, time(NULL), &status);
	assert_null(f);
	assert_int_equal(status, EX_UNAVAILABLE);
	assert_int_equal(fw_count_of("nft list table inet fivefifty | grep -c "
	    "hook || true"), 0);
	c->fw.required = 0;
	f = wire_fw_open("run", c, NULL, time(NULL), &status);
	assert_non_null(f);
	assert_int_equal(fw_stats(f)->fw_ok, 0);
	fw_free(f);
	free(c);
}

#define CHAIN_HAS(what) "nft list chain inet fivefifty input | grep " \
	"'saddr @offenders' | grep -c '" what "' || true"

/* test_fw_start_action - firewall_action and firewall_established
 * changed between starts: the rules replaced in the start's one commit,
 * the elements kept, and the kernel's rules say the new configuration */
static void
test_fw_start_action(void **state)
{
	struct ff_conf	*c;
	struct state	*st;
	struct fw_seen	 g;
	char		 dir[] = "/tmp/ff-fwstart.XXXXXX", path[64];

	(void)state;
	c = fw_fresh(dir, path, sizeof(path), &st);
	put_ban(st, "192.0.2.7", 32, 4, time(NULL));
	start(c, st, &g);			/* the defaults: drop, SYN */
	assert_int_equal(fw_count_of(CHAIN_HAS("syn / fin,syn,rst,ack.*\" "
	    "drop$")), 12);

	c->fw.action = FW_REJECT;
	c->fw.established = 1;
	start(c, st, &g);
	assert_int_equal(g.gens, 1);
	assert_int_equal(g.rules, 12);	/* 2 families x 2 sets x 3 ports */
	assert_int_equal(g.late, 0);
	assert_int_equal(fw_count_of(CHAIN_HAS("reject with tcp reset$")), 12);
	assert_int_equal(fw_count_of(CHAIN_HAS("tcp flags")), 0);
	assert_int_equal(fw_count_of(CHAIN_HAS("drop$")), 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 1);

	/* All ports: one rule a family and set, by conntrack's direction. */
	c->fw.nports = 0;
	start(c, st, &g);
	assert_int_equal(g.gens, 1);
	assert_int_equal(g.rules, 4);
	assert_int_equal(fw_count_of(CHAIN_HAS("ct direction original.*reject "
	    "with tcp reset$")), 4);

	/* Back to the defaults. */
	conf_defaults(c);
	c->fw.map[0] = '\0';
	start(c, st, &g);
	assert_int_equal(g.gens, 1);
	assert_int_equal(fw_count_of(CHAIN_HAS("syn / fin,syn,rst,ack.*\" "
	    "drop$")), 12);
	assert_int_equal(fw_count_of(CHAIN_HAS("reject")), 0);
	assert_int_equal(fw_count_of(FW_ELEMS("offenders4")), 1);
	state_close(st);
	fw_rm_dir(dir);
	free(c);
}

#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    netns_leave)

const struct CMUnitTest fwstart_tests[] = {
	NS_TEST(test_fw_start_one_generation),
	NS_TEST(test_fw_start_latest_end),
	NS_TEST(test_fw_start_required),
	NS_TEST(test_fw_start_action),
};
const size_t fwstart_tests_count = sizeof(fwstart_tests) /
    sizeof(fwstart_tests[0]);

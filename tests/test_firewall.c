/*	$fivefifty: test_firewall.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_firewall 3 - the nftables sets, against the real kernel
 * DESCRIPTION
 *	Each test runs in a private network namespace of its own (unshare,
 *	then back to the original one in the teardown), so the host's
 *	ruleset is never touched. What fivefifty did is read back
 *	independently with `nft -j list set ...` and jq. Covered: the own
 *	table with its chain, adding, refreshing, expiring and deleting
 *	elements, IPv6 and prefixes (addresses in the hash sets, networks in
 *	the interval sets, an address inside a banned network in both, each
 *	lifted alone), the interval address sets of an older fivefifty made
 *	hash sets at the setup, 100 000
 *	elements in one flush, restoring after `nft flush ruleset`, a repair
 *	the kernel refuses tried again with backoff, the
 *	delete + add refresh of kernels before 6.12, set-only mode on a
 *	ruleset loaded with `nft -f`, the protected networks, the map's
 *	reply naming the ban's rule (bytes outside [A-Za-z0-9 ._-] dropped),
 *	a clear error
 *	without CAP_NET_ADMIN, and TCP connections really dropped; then a
 *	real Postfix refusing a banned client by the map and by the set
 *	(tests/postfix-enforce.sh).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "firewall/fw_int.h"
#include "firewall/nft_int.h"

#define JQ_ELEMS \
	"jq -r '.nftables[] | select(.set) | .set.elem[]? | (if type ==" \
	" \"object\" and has(\"elem\") then .elem else {val: .} end)" \
	" | [(.val | if type == \"string\" then . elif .prefix then" \
	" \"\\(.prefix.addr)/\\(.prefix.len)\" elif .range then" \
	" \"\\(.range[0])-\\(.range[1])\" else tostring end)," \
	" (.expires // -1 | tostring), (.comment // \"-\")] | join(\" \")'"

/* elems - "VAL EXPIRES COMMENT" lines of a set, as nft lists it */
static char *
elems(const char *table, const char *set)
{
	char		cmd[1024];

	snprintf(cmd, sizeof(cmd), "nft -j list set %s %s | " JQ_ELEMS,
	    table, set);
	return (sh(cmd, NULL));
}

/* count_lines - lines of a string */
static size_t
count_lines(const char *s)
{
	size_t		n = 0;

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return (n);
}

/* line_of - the listing line for val, or NULL */
static const char *
line_of(const char *list, const char *val)
{
	size_t		len = strlen(val);
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, val, len) == 0 && p[len] == ' ')
			return (p);
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return (NULL);
}

/* expires_of - the remaining seconds nft lists for val, or -2 */
static long
expires_of(const char *list, const char *val)
{
	const char	*l = line_of(list, val);

	return (l == NULL ? -2 : strtol(l + strlen(val) + 1, NULL, 10));
}

/* ban_of - a ban of text ("1.2.3.4" or "net/len") for secs seconds */
static struct fw_ban
ban_of(const char *text, long long now, long long secs, const char *why)
{
	struct fw_ban	b;

	memset(&b, 0, sizeof(b));
	if (net_parse(text, &b.net) != 0)
		fail_msg("bad network %s", text);
	b.until = now + secs;
	snprintf(b.reason, sizeof(b.reason), "%s", why);
	return (b);
}

/* ban_ok - a ban that fw_ban() must take */
static void
ban_ok(struct fw *f, const char *text, long long now, long long secs,
    const char *why)
{
	struct fw_ban	b = ban_of(text, now, secs, why);

	if (fw_ban(f, &b) != 0)
		fail_msg("fw_ban %s refused", text);
}

/* own_table - a configuration for our own table, no map */
static void
own_table(struct fw_conf *c)
{
	fw_conf_defaults(c);
	c->map[0] = '\0';
}

/* new_fw - fw_new() that must work */
static struct fw *
new_fw(const struct fw_conf *c)
{
	char		 err[512];
	struct fw	*f = fw_new(c, err, sizeof(err));

	if (f == NULL || err[0] != '\0')
		fail_msg("fw_new: %s", err);
	return (f);
}

/* test_fw_own_table - table, sets, chain; add, refresh, delete */
static void
test_fw_own_table(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	struct net_prefix n;
	long long	 now = time(NULL);
	char		*l, *chain;

	(void)state;
	own_table(&c);
	f = new_fw(&c);
	ban_ok(f, "192.0.2.7", now, 3600, "five-fifty");
	ban_ok(f, "2001:db8::7", now, 7200, "dictionary");
	ban_ok(f, "198.51.100.0/24", now, 1800, "prefix");
	ban_ok(f, "2001:db8:1:2::/64", now, 600, "prefix");
	assert_int_equal(fw_flush(f, now), 0);

	/* Addresses in the address sets, networks in the networks'. */
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "192.0.2.7"), 3590, 3600);
	assert_non_null(strstr(line_of(l, "192.0.2.7"), "fivefifty"));
	free(l);
	l = elems("inet fivefifty", "offenders4_nets");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "198.51.100.0/24"), 1790, 1800);
	free(l);
	l = elems("inet fivefifty", "offenders6");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "2001:db8::7"), 7190, 7200);
	free(l);
	l = elems("inet fivefifty", "offenders6_nets");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "2001:db8:1:2::/64"), 590, 600);
	free(l);
	/* The chain drops new TCP connections from the sets to the ports. */
	chain = sh("nft list chain inet fivefifty input", NULL);
	assert_non_null(strstr(chain, "hook input priority"));
	assert_non_null(strstr(chain, "ip saddr @offenders4"));
	assert_non_null(strstr(chain, "ip6 saddr @offenders6"));
	assert_non_null(strstr(chain, "ip saddr @offenders4_nets"));
	assert_non_null(strstr(chain, "ip6 saddr @offenders6_nets"));
	assert_non_null(strstr(chain, "tcp dport 587"));
	assert_non_null(strstr(chain, "counter name \"dropped\" drop"));
	free(chain);

	/* A re-ban moves the end, in the kernel too. */
	ban_ok(f, "192.0.2.7", now, 86400, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	l = elems("inet fivefifty", "offenders4");
	assert_in_range(expires_of(l, "192.0.2.7"), 86390, 86400);
	free(l);

	/* An unban deletes; the other elements stay. */
	assert_int_equal(net_parse("198.51.100.0/24", &n), 0);
	assert_int_equal(fw_unban(f, &n), 0);
	assert_int_equal(fw_unban(f, &n), -1);
	assert_int_equal(fw_flush(f, now), 0);
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 1);
	free(l);
	l = elems("inet fivefifty", "offenders4_nets");
	assert_int_equal(count_lines(l), 0);
	free(l);
	assert_int_equal(fw_stats(f)->bans, 3);
	assert_int_equal(fw_stats(f)->batch_errors, 0);

	/* A second fivefifty (a restart) keeps the elements, replaces the
	 * rules rather than adding more. */
	fw_free(f);
	f = new_fw(&c);
	assert_int_equal(fw_reconcile(f, now), 0);	/* no bans: empty */
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 0);
	free(l);
	chain = sh("nft list chain inet fivefifty input | grep -c drop", NULL);
	/* 2 families x 2 sets x 3 ports */
	assert_int_equal(atoi(chain), 12);
	free(chain);
	fw_free(f);
}

/* test_fw_expire - the kernel ends a ban by itself, daemon or not */
static void
test_fw_expire(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	struct fw_ban	 b;
	long long	 now = time(NULL);
	char		*l;

	(void)state;
	own_table(&c);
	f = new_fw(&c);
	ban_ok(f, "192.0.2.8", now, 2, "five-fifty");
	ban_ok(f, "192.0.2.9", now, 3600, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	fw_free(f);			/* nothing of fivefifty runs now */
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 2);
	free(l);
	sleep(3);
	l = elems("inet fivefifty", "offenders4");
	assert_null(line_of(l, "192.0.2.8"));
	assert_non_null(line_of(l, "192.0.2.9"));
	free(l);
	/* A ban that ended is not taken; one that ends while held is not
	 * deleted (the kernel dropped it): no batch fails on it. */
	f = new_fw(&c);
	b = ban_of("192.0.2.8", now, 2, "five-fifty");
	assert_int_equal(fw_ban(f, &b), 1);	/* ended: ignored */
	ban_ok(f, "192.0.2.9", now, 3600, "five-fifty");
	assert_int_equal(fw_reconcile(f, time(NULL)), 0);
	assert_int_equal(fw_flush(f, time(NULL)), 0);
	assert_int_equal(fw_stats(f)->batch_errors, 0);
	assert_int_equal(fw_stats(f)->bans, 1);
	fw_free(f);
}

/* test_fw_nested - an address inside a banned network, both in force:
 * the address in the address set, the network in the networks' set,
 * each with its own end; lifting the network leaves the addresses */
static void
test_fw_nested(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	struct fw_ban	 b;
	struct net_prefix n;
	long long	 now = time(NULL);
	char		*l;

	(void)state;
	own_table(&c);
	f = new_fw(&c);
	ban_ok(f, "203.0.113.0/24", now, 600, "prefix");
	ban_ok(f, "203.0.113.77", now, 7200, "five-fifty");
	b = ban_of("203.0.113.5", now, 60, "five-fifty");	/* ends first */
	assert_int_equal(fw_ban(f, &b), 0);
	ban_ok(f, "2001:db8:5:5::/64", now, 600, "prefix");
	ban_ok(f, "2001:db8:5:5::9", now, 7200, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 2);
	assert_in_range(expires_of(l, "203.0.113.77"), 7190, 7200);
	assert_in_range(expires_of(l, "203.0.113.5"), 50, 60);
	free(l);
	l = elems("inet fivefifty", "offenders4_nets");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "203.0.113.0/24"), 590, 600);
	free(l);
	l = elems("inet fivefifty", "offenders6");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "2001:db8:5:5::9"), 7190, 7200);
	free(l);
	l = elems("inet fivefifty", "offenders6_nets");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "2001:db8:5:5::/64"), 590, 600);
	free(l);
	/* The network lifted: the address alone stays. */
	assert_int_equal(net_parse("203.0.113.0/24", &n), 0);
	assert_int_equal(fw_unban(f, &n), 0);
	assert_int_equal(fw_flush(f, now), 0);
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 2);
	assert_in_range(expires_of(l, "203.0.113.77"), 7190, 7200);
	assert_in_range(expires_of(l, "203.0.113.5"), 50, 60);
	free(l);
	l = elems("inet fivefifty", "offenders4_nets");
	assert_int_equal(count_lines(l), 0);
	free(l);
	/* The network again, then an address inside it lifted: the
	 * network stays, and so does the other address. */
	ban_ok(f, "203.0.113.0/24", now, 600, "prefix");
	assert_int_equal(net_parse("203.0.113.77", &n), 0);
	assert_int_equal(fw_unban(f, &n), 0);
	assert_int_equal(fw_flush(f, now), 0);
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "203.0.113.5"), 50, 60);
	free(l);
	l = elems("inet fivefifty", "offenders4_nets");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "203.0.113.0/24"), 590, 600);
	free(l);
	fw_free(f);
}

#define INTERVAL4 "nft list set inet fivefifty offenders4 | grep -c interval " \
	"|| true"

/* test_fw_old_sets - the table as an older fivefifty left it (address
 * sets with the interval flag, a rule on them): the setup makes them
 * hash sets, in one batch with the new rules, and the bans go in */
static void
test_fw_old_sets(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	long long	 now = time(NULL);
	char		*l;

	(void)state;
	free(sh("nft -f - <<'EOF'\n"
	    "table inet fivefifty {\n"
	    " set offenders4 { type ipv4_addr; flags interval,timeout;\n"
	    "  elements = { 192.0.2.0/24 timeout 1h } }\n"
	    " chain input { type filter hook input priority -10;\n"
	    "  ip saddr @offenders4 drop; }\n"
	    "}\nEOF", NULL));
	l = sh(INTERVAL4, NULL);
	assert_int_equal(atoi(l), 1);
	free(l);
	own_table(&c);
	f = new_fw(&c);
	ban_ok(f, "198.51.100.7", now, 600, "five-fifty");
	ban_ok(f, "192.0.2.0/24", now, 600, "prefix");
	assert_int_equal(fw_flush(f, now), 0);
	assert_int_equal(fw_stats(f)->batch_errors, 0);
	l = sh(INTERVAL4, NULL);
	assert_int_equal(atoi(l), 0);
	free(l);
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "198.51.100.7"), 590, 600);
	free(l);
	l = elems("inet fivefifty", "offenders4_nets");
	assert_in_range(expires_of(l, "192.0.2.0/24"), 590, 600);
	free(l);
	l = sh("nft list chain inet fivefifty input | grep -c drop", NULL);
	assert_int_equal(atoi(l), 12);
	free(l);
	fw_free(f);
}

/* test_fw_refresh_old_kernel - before Linux 6.12 a refresh is delete +
 * add in one batch: the same path, forced here */
static void
test_fw_refresh_old_kernel(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	long long	 now = time(NULL);
	char		*l;

	(void)state;
	own_table(&c);
	f = new_fw(&c);
	fw_nft(f)->readd = 0;
	ban_ok(f, "192.0.2.10", now, 100, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	ban_ok(f, "192.0.2.10", now, 5000, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	l = elems("inet fivefifty", "offenders4");
	assert_int_equal(count_lines(l), 1);
	assert_in_range(expires_of(l, "192.0.2.10"), 4990, 5000);
	free(l);
	assert_int_equal(fw_stats(f)->batch_errors, 0);
	fw_free(f);
}

/* test_fw_100k - 100 000 addresses in one flush, one batch */
static void
test_fw_100k(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	struct fw_ban	 b;
	struct timespec	 t0, t1;
	long long	 now = time(NULL);
	char		*l;
	int		 i;

	(void)state;
	own_table(&c);
	f = new_fw(&c);
	memset(&b, 0, sizeof(b));
	b.net.family = 4;
	b.net.len = 32;
	b.until = now + 3600;
	snprintf(b.reason, sizeof(b.reason), "bulk");
	for (i = 0; i < 100000; i++) {
		b.net.addr[0] = 10;
		b.net.addr[1] = (unsigned char)(i >> 15);
		b.net.addr[2] = (unsigned char)(i >> 7);
		b.net.addr[3] = (unsigned char)((i & 127) * 2);	/* apart */
		assert_int_equal(fw_ban(f, &b), 0);
	}
	assert_int_equal(fw_stats(f)->bans, 100000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fw_flush(f, now), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(fw_stats(f)->batches, 1);
	assert_int_equal(fw_stats(f)->batch_errors, 0);
	l = sh("nft -j list set inet fivefifty offenders4 | jq '[.nftables[] "
	    "| select(.set) | .set.elem[]] | length'", NULL);
	assert_int_equal(atoi(l), 100000);
	free(l);
	print_message("      100000 elements in one flush: %.3f s\n",
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec -
	    t0.tv_nsec) / 1e9);
	fw_free(f);
}

/* wait_readable - poll fd for up to ms; 1 when readable */
static int
wait_readable(int fd, int ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };

	return (poll(&pfd, 1, ms) == 1);
}

/* test_fw_restore - `nft flush ruleset` and `nft delete table`: noticed
 * through the monitor and restored with every ban */
static void
test_fw_restore(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	long long	 now = time(NULL);
	char		*l;

	(void)state;
	own_table(&c);
	f = new_fw(&c);
	ban_ok(f, "192.0.2.11", now, 3600, "five-fifty");
	ban_ok(f, "2001:db8::11", now, 3600, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	assert_true(fw_monitor_fd(f) >= 0);
	/* Our own batches are not news. */
	assert_int_equal(fw_monitor(f, now), 0);

	free(sh("nft flush ruleset", NULL));
	assert_true(wait_readable(fw_monitor_fd(f), 1000));
	assert_int_equal(fw_monitor(f, now), 1);
	l = elems("inet fivefifty", "offenders4");
	assert_non_null(line_of(l, "192.0.2.11"));
	free(l);
	l = elems("inet fivefifty", "offenders6");
	assert_non_null(line_of(l, "2001:db8::11"));
	free(l);
	l = sh("nft list chain inet fivefifty input | grep -c drop", NULL);
	assert_int_equal(atoi(l), 12);
	free(l);

	free(sh("nft delete table inet fivefifty", NULL));
	assert_true(wait_readable(fw_monitor_fd(f), 1000));
	assert_int_equal(fw_monitor(f, now), 1);
	l = elems("inet fivefifty", "offenders4");
	assert_non_null(line_of(l, "192.0.2.11"));
	free(l);
	assert_int_equal(fw_stats(f)->restores, 2);

	/* Without the monitor, the next flush after a failure repairs. */
	free(sh("nft flush ruleset", NULL));
	ban_ok(f, "192.0.2.12", now, 3600, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);	/* failed, reconciled */
	assert_int_equal(fw_stats(f)->batch_errors, 1);
	/* The error names the object of the message that failed. */
	assert_non_null(strstr(fw_stats(f)->last_error, "adding elements of "
	    "set inet fivefifty offenders"));
	l = elems("inet fivefifty", "offenders4");
	assert_non_null(line_of(l, "192.0.2.11"));
	assert_non_null(line_of(l, "192.0.2.12"));
	free(l);
	fw_free(f);
}

static struct fw	*backoff_fw;	/* freed by the teardown */

/* backoff_leave - teardown: the enforcer freed, also after a failure */
static int
backoff_leave(void **state)
{
	fw_free(backoff_fw);
	backoff_fw = NULL;
	return (netns_leave(state));
}

/* test_fw_backoff - a repair the kernel refuses (our set's name taken by
 * a set of another type) is tried again 1, 2, 4 ... s later, up to 60 s
 * apart; a ban made meanwhile goes in with the repair that works */
static void
test_fw_backoff(void **state)
{
	static const long long want[] = { 1, 3, 7, 15, 31, 63, 123 };
	struct fw_conf	 c;
	struct fw	*f;
	long long	 now = time(NULL), t;
	unsigned long long before;
	size_t		 k = 0;
	char		*l;

	(void)state;
	own_table(&c);
	backoff_fw = f = new_fw(&c);
	ban_ok(f, "192.0.2.21", now, 3600, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	free(sh("printf 'flush ruleset\\nadd table inet fivefifty\\nadd set "
	    "inet fivefifty offenders4 { type ipv6_addr; }\\n' | nft -f -",
	    NULL));
	assert_true(wait_readable(fw_monitor_fd(f), 1000));
	assert_int_equal(fw_monitor(f, now), -1);
	assert_int_equal(fw_stats(f)->fw_ok, 0);
	assert_non_null(strstr(fw_stats(f)->last_error, "offenders4"));
	assert_non_null(strstr(fw_stats(f)->last_error, "File exists"));
	ban_ok(f, "192.0.2.22", now, 3600, "five-fifty");	/* meanwhile */
	for (t = now; t <= now + 130; t++) {
		before = fw_stats(f)->reconciles;
		(void)fw_flush(f, t);
		if (fw_stats(f)->reconciles == before)
			continue;
		if (k == sizeof(want) / sizeof(want[0]) || t != now + want[k])
			fail_msg("a retry at +%lld s (expected +%lld)", t - now,
			    k < sizeof(want) / sizeof(want[0]) ? want[k] : -1);
		k++;
		assert_int_equal(fw_deadline(f) - t, t - now + 1 > 60 ? 60 :
		    t - now + 1);
	}
	assert_int_equal(k, sizeof(want) / sizeof(want[0]));
	assert_int_equal(fw_stats(f)->fw_ok, 0);

	/* The obstacle gone: the monitor says so, both bans go in. */
	free(sh("nft delete table inet fivefifty", NULL));
	assert_true(wait_readable(fw_monitor_fd(f), 1000));
	assert_int_equal(fw_monitor(f, now + 131), 1);
	assert_int_equal(fw_stats(f)->fw_ok, 1);
	l = elems("inet fivefifty", "offenders4");
	assert_non_null(line_of(l, "192.0.2.21"));
	assert_non_null(line_of(l, "192.0.2.22"));
	free(l);
}

static const char admin_ruleset[] =
	"table inet filter {\n"
	"  set blocked4 { type ipv4_addr; flags timeout, interval;\n"
	"    elements = { 192.0.2.99, 198.51.100.0/24 timeout 1d } }\n"
	"  set blocked6 { type ipv6_addr; flags timeout; }\n"
	"  chain input {\n"
	"    type filter hook input priority 0; policy accept;\n"
	"    ip saddr @blocked4 drop\n"
	"    ip6 saddr @blocked6 drop\n"
	"  }\n"
	"}\n";

/* ruleset_shape - the ruleset without set elements */
static char *
ruleset_shape(void)
{
	return (sh("nft -j list ruleset | jq -c '[.nftables[] | "
	    "del(.set.elem?) | del(.metainfo?)]'", NULL));
}

/* test_fw_set_only - only elements in the administrator's sets; only
 * our own elements removed; nothing else created or deleted */
static void
test_fw_set_only(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	struct fw_ban	 b;
	struct net_prefix n;
	long long	 now = time(NULL);
	char		*before, *after, *l, err[512];
	FILE		*fp;

	(void)state;
	assert_non_null(fp = fopen("/tmp/fivefifty-ruleset.nft", "w"));
	fputs(admin_ruleset, fp);
	fclose(fp);
	free(sh("nft -f /tmp/fivefifty-ruleset.nft", NULL));
	unlink("/tmp/fivefifty-ruleset.nft");
	before = ruleset_shape();

	own_table(&c);
	c.mode = FW_SETS;
	assert_int_equal(fw_conf_table(&c, "inet filter"), 0);
	snprintf(c.set4, sizeof(c.set4), "blocked4");
	snprintf(c.set6, sizeof(c.set6), "blocked6");
	f = new_fw(&c);
	ban_ok(f, "203.0.113.9", now, 3600, "five-fifty");
	ban_ok(f, "2001:db8::9", now, 3600, "five-fifty");
	b = ban_of("2001:db8:9::/64", now, 3600, "prefix");	/* no room */
	assert_int_equal(fw_ban(f, &b), 0);
	assert_int_equal(fw_flush(f, now), 0);
	after = ruleset_shape();
	assert_string_equal(before, after);	/* nothing created */
	free(after);
	l = elems("inet filter", "blocked4");
	assert_int_equal(count_lines(l), 3);
	assert_non_null(strstr(line_of(l, "203.0.113.9"), "fivefifty"));
	free(l);
	l = elems("inet filter", "blocked6");	/* plain set: addresses */
	assert_int_equal(count_lines(l), 1);
	assert_non_null(line_of(l, "2001:db8::9"));
	free(l);

	/* An element of ours the state no longer has goes at reconcile;
	 * the administrator's stay, even when they are not bans of ours. */
	free(sh("nft add element inet filter blocked4 '{ 192.0.2.200 "
	    "timeout 1h comment \"fivefifty\" }'", NULL));
	assert_int_equal(net_parse("203.0.113.9", &n), 0);
	assert_int_equal(fw_unban(f, &n), 0);
	assert_int_equal(fw_reconcile(f, now), 0);
	l = elems("inet filter", "blocked4");
	assert_int_equal(count_lines(l), 2);
	assert_non_null(line_of(l, "192.0.2.99"));
	assert_non_null(line_of(l, "198.51.100.0/24"));
	free(l);
	after = ruleset_shape();
	assert_string_equal(before, after);
	free(after);
	free(before);
	fw_free(f);

	/* A set that is not there: a clear error naming it. */
	snprintf(c.set4, sizeof(c.set4), "nosuchset");
	f = fw_new(&c, err, sizeof(err));
	assert_non_null(f);		/* firewall_required = no */
	assert_non_null(strstr(err, "nosuchset"));
	assert_non_null(strstr(err, "no such set"));
	assert_int_equal(fw_stats(f)->fw_ok, 0);
	fw_free(f);
	c.required = 1;
	assert_null(fw_new(&c, err, sizeof(err)));
	assert_non_null(strstr(err, "nosuchset"));
}

/* test_fw_open_codes - why fw_open() failed is a code: a family no
 * table has is the configuration's fault, whether or not the firewall
 * is required (no kernel is asked) */
static void
test_fw_open_codes(void **state)
{
	struct fw_conf	 c;
	enum fw_error	 code = FW_ERR_NONE;
	char		 err[512];
	int		 req;

	(void)state;
	for (req = 0; req <= 1; req++) {
		own_table(&c);
		c.required = req;
		snprintf(c.family, sizeof(c.family), "bridge");
		err[0] = '\0';
		assert_null(fw_open(&c, &code, err, sizeof(err)));
		assert_int_equal(code, FW_ERR_CONF);
		assert_non_null(strstr(err, "firewall_table"));
		assert_non_null(strstr(err, "\"bridge\""));
	}
	/* firewall = off: no family is looked at, nothing fails */
	own_table(&c);
	c.mode = FW_OFF;
	snprintf(c.family, sizeof(c.family), "bridge");
	fw_free(fw_open(&c, &code, err, sizeof(err)));
	assert_int_equal(code, FW_ERR_NONE);
}

/* test_fw_protected - loopback, protected networks and networks that
 * contain them are refused */
static void
test_fw_protected(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	struct fw_ban	 b;
	long long	 now = time(NULL);

	(void)state;
	own_table(&c);
	c.mode = FW_OFF;
	assert_int_equal(net_parse("192.0.2.0/28", &c.protect[0]), 0);
	assert_int_equal(net_parse("127.0.0.0/8", &c.protect[1]), 0);
	c.nprotect = 2;
	f = new_fw(&c);
	b = ban_of("127.0.0.1", now, 60, "x");
	assert_int_equal(fw_ban(f, &b), -1);
	b = ban_of("127.3.4.5", now, 60, "x");
	assert_int_equal(fw_ban(f, &b), -1);
	b = ban_of("::1", now, 60, "x");
	assert_int_equal(fw_ban(f, &b), -1);
	b = ban_of("192.0.2.5", now, 60, "x");
	assert_int_equal(fw_ban(f, &b), -1);
	b = ban_of("192.0.0.0/16", now, 60, "x");	/* contains it */
	assert_int_equal(fw_ban(f, &b), -1);
	b = ban_of("192.0.2.16", now, 60, "x");		/* next to it */
	assert_int_equal(fw_ban(f, &b), 0);
	assert_int_equal(fw_flush(f, now), 0);
	assert_int_equal(fw_stats(f)->bans, 1);
	fw_free(f);
	/* Only 127.0.0.1 and ::1 when loopback is narrowed (the labs). */
	c.nprotect = 0;
	f = new_fw(&c);
	ban_ok(f, "127.3.4.5", now, 60, "x");
	b = ban_of("127.0.0.0/8", now, 60, "x");
	assert_int_equal(fw_ban(f, &b), -1);
	fw_free(f);
}

/* test_fw_map_reason - the map's reply names the rule as it always did:
 * what is not [A-Za-z0-9 ._-] in a ban's reason is dropped by the
 * enforcer ("prefix: several offenders" is "prefix several offenders"),
 * and a reason with nothing left is "unspecified" */
static void
test_fw_map_reason(void **state)
{
	static const struct {
		const char	*net, *reason, *shown;
	} cases[] = {
		{ "192.0.2.0/24", "prefix: several offenders",
		    "(prefix several offenders)" },
		{ "198.51.100.7", "manual: by hand (spam!)",
		    "(manual by hand spam)" },
		{ "203.0.113.9", "five-fifty", "(five-fifty)" },
		{ "2001:db8::9", ":::", "(unspecified)" },
	};
	struct fw_conf	 c;
	struct fw	*f;
	struct fw_ban	 b;
	char		 dir[64], path[96], line[512], *text;
	long long	 now = time(NULL);
	size_t		 i, n;
	FILE		*fp;

	(void)state;
	own_table(&c);
	c.mode = FW_OFF;
	snprintf(dir, sizeof(dir), "/tmp/fivefifty-fwreason-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/access", dir);
	snprintf(c.map, sizeof(c.map), "texthash:%s", path);
	f = new_fw(&c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		b = ban_of(cases[i].net, now, 3600, cases[i].reason);
		assert_int_equal(fw_ban(f, &b), 0);
	}
	assert_int_equal(fw_flush(f, now), 0);
	fw_free(f);
	assert_non_null(fp = fopen(path, "r"));
	text = calloc(1, 8192);
	assert_non_null(text);
	n = 0;
	while (fgets(line, sizeof(line), fp) != NULL && n + strlen(line) <
	    8192) {
		memcpy(text + n, line, strlen(line) + 1);
		n += strlen(line);
	}
	fclose(fp);
	unlink(path);
	rmdir(dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strstr(text, cases[i].shown) == NULL)
			fail_msg("the map has no \"%s\" for %s:\n%s",
			    cases[i].shown, cases[i].net, text);
	assert_null(strstr(text, "_ "));
	free(text);
}

/* test_fw_no_privilege - without CAP_NET_ADMIN: a clear error, and the
 * enforcer goes on (the map only) unless the firewall is required */
static void
test_fw_no_privilege(void **state)
{
	struct fw_conf	 c;
	int		 fds[2], status;
	char		 msg[2048] = "";
	ssize_t		 n;
	size_t		 len;
	pid_t		 pid;

	(void)state;
	own_table(&c);
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		char		 err[512];
		struct fw	*f;

		close(fds[0]);
		if (setgid(65534) == -1 || setuid(65534) == -1)
			_exit(2);
		f = fw_new(&c, err, sizeof(err));
		dprintf(fds[1], "%d %d %s", f != NULL, f != NULL ?
		    fw_stats(f)->fw_ok : -1, err);
		c.required = 1;
		dprintf(fds[1], "|%d", fw_new(&c, err, sizeof(err)) != NULL);
		_exit(0);
	}
	close(fds[1]);
	for (len = 0; len < sizeof(msg) - 1; len += (size_t)n)
		if ((n = read(fds[0], msg + len, sizeof(msg) - 1 - len)) <= 0)
			break;
	close(fds[0]);
	assert_true(len > 0);
	msg[len] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(strncmp(msg, "1 0 firewall:", 13) == 0);
	assert_non_null(strstr(msg, "CAP_NET_ADMIN"));
	if (strstr(msg, "|0") == NULL)
		fail_msg("required firewall did not fail: %s", msg);
}

/* try_connect - TCP from src to 127.0.0.1:port; 1 connected, 0 not
 * within ms */
static int
try_connect(const char *src, int port, int ms)
{
	struct sockaddr_in a;
	struct pollfd	 pfd;
	int		 fd, err = 0, ok;
	socklen_t	 len = sizeof(err);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, src, &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	a.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		close(fd);
		return (1);
	}
	assert_int_equal(errno, EINPROGRESS);
	pfd.fd = fd;
	pfd.events = POLLOUT;
	ok = poll(&pfd, 1, ms) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
	    &err, &len) == 0 && err == 0;
	close(fd);
	return (ok);
}

/* listener - a TCP listener on 127.0.0.1:port */
static int
listener(int port)
{
	struct sockaddr_in a;
	int		 fd, on = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 64), 0);
	return (fd);
}

/* test_fw_drops - a banned client's new connections to a protected
 * port are dropped and counted; others and other ports still connect */
static void
test_fw_drops(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	uint64_t	 pkts, bytes;
	long long	 now = time(NULL);
	int		 l25, l2525;

	(void)state;
	free(sh("ip link set lo up", NULL));
	l25 = listener(25);
	l2525 = listener(2525);
	own_table(&c);
	f = new_fw(&c);
	assert_int_equal(try_connect("127.0.0.5", 25, 1000), 1);
	ban_ok(f, "127.0.0.5", now, 3600, "five-fifty");
	assert_int_equal(fw_flush(f, now), 0);
	assert_int_equal(try_connect("127.0.0.5", 25, 1500), 0);
	assert_int_equal(try_connect("127.0.0.6", 25, 1000), 1);
	assert_int_equal(try_connect("127.0.0.5", 2525, 1000), 1);
	assert_int_equal(fw_counters(f, &pkts, &bytes), 0);
	assert_true(pkts >= 1);
	assert_true(bytes >= 40);
	fw_free(f);
	close(l25);
	close(l2525);
}

/* offender_log - five sessions of a five-fifty at the present time */
static void
offender_log(const char *path, const char *addr)
{
	FILE		*fp = fopen(path, "w");
	time_t		 now = time(NULL) - 60;
	char		 ts[64];
	int		 i;

	assert_non_null(fp);
	for (i = 0; i < 5; i++) {
		time_t	t = now + i * 5;

		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000000+00:00",
		    gmtime(&t));
		fprintf(fp, "%s mx postfix/smtpd[%d]: connect from "
		    "unknown[%s]\n", ts, 100 + i, addr);
		fprintf(fp, "%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT "
		    "from unknown[%s]: 554 5.7.1 <x@spammer.example>: Sender "
		    "address rejected: Access denied; from=<x@spammer.example> "
		    "to=<alice@example.test> proto=ESMTP helo=<mail.example."
		    "org>\n", ts, 100 + i, addr);
		fprintf(fp, "%s mx postfix/smtpd[%d]: disconnect from "
		    "unknown[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n",
		    ts, 100 + i, addr);
	}
	fclose(fp);
}

/* test_fw_scan_no_privilege - `scan` without CAP_NET_ADMIN: says why,
 * still bans in the map, exits 0; 69 with firewall_required = yes */
static void
test_fw_scan_no_privilege(void **state)
{
	const char	*dir = "/tmp/fivefifty-nocap";
	char		*argv[] = { "/usr/bin/setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", (char *)bin_path(), "scan",
	    "-c", "/tmp/fivefifty-nocap/ff.conf", "--db",
	    "/tmp/fivefifty-nocap/ff.db", "/tmp/fivefifty-nocap/mail.log",
	    NULL };
	struct run_result r;
	char		*map;
	size_t		 len;
	FILE		*fp;

	(void)state;
	free(sh("rm -rf /tmp/fivefifty-nocap && mkdir -m 777 "
	    "/tmp/fivefifty-nocap", NULL));
	offender_log("/tmp/fivefifty-nocap/mail.log", "192.0.2.50");
	assert_non_null(fp = fopen("/tmp/fivefifty-nocap/ff.conf", "w"));
	fprintf(fp, "firewall = table\naccess_map = texthash:%s/access\n",
	    dir);
	fclose(fp);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("scan exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.err, "CAP_NET_ADMIN"));
	assert_non_null(strstr(r.err, "going on with the map only"));
	assert_non_null(strstr(r.out, "ban 192.0.2.50 "));
	run_free(&r);
	assert_non_null(map = read_file("/tmp/fivefifty-nocap/access", &len));
	assert_non_null(strstr(map, "\n192.0.2.50 554 5.7.1 "));
	free(map);

	assert_non_null(fp = fopen("/tmp/fivefifty-nocap/ff.conf", "a"));
	fputs("firewall_required = yes\n", fp);
	fclose(fp);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 69);
	assert_non_null(strstr(r.err, "CAP_NET_ADMIN"));
	run_free(&r);
	free(sh("rm -rf /tmp/fivefifty-nocap", NULL));
}

/* test_fw_postfix - a real Postfix (tests/postfix-enforce.sh): a banned
 * client gets the map's 554 with the firewall off, its TCP connection is
 * dropped with it on, and a legitimate client still delivers */
static void
test_fw_postfix(void **state)
{
	char		*argv[] = { "/bin/bash", "tests/postfix-enforce.sh",
	    "/tmp/fivefifty-pfenforce", (char *)bin_path(), NULL };
	struct run_result r;
	const char	*p;
	int		 ok = 0, failed = 0;

	(void)state;
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("postfix-enforce.sh: exit %d: %s", r.status, r.err);
	for (p = r.out; (p = strstr(p, "CHECK ")) != NULL; p++) {
		const char *sp = strchr(p + 6, ' ');

		if (sp != NULL && strncmp(sp, " ok\n", 4) == 0)
			ok++;
		else {
			failed++;
			print_error("%.*s\n", (int)strcspn(p, "\n"), p);
		}
	}
	if (failed > 0 || ok != 9)
		fail_msg("%d checks ok, %d failed:\n%s", ok, failed, r.out);
	run_free(&r);
}

char	*host_before;

/* host_snapshot - the host's nftables tables and fivefifty's files in
 * /etc/postfix, with their times */
char *
host_snapshot(void)
{
	char		*argv[] = { "/bin/sh", "-c", "nft list tables 2>&1; "
	    "ls -l --time-style=+%s /etc/postfix 2>&1 | grep fivefifty", NULL };
	struct run_result r;
	char		*out;

	if (run_cmd(argv, NULL, 0, &r) != 0)
		return (NULL);
	out = r.out;
	r.out = NULL;
	run_free(&r);
	return (out);
}

/* test_host_untouched - no test changed the host's ruleset or wrote a
 * map into /etc/postfix (everything runs in namespaces and /tmp) */
static void
test_host_untouched(void **state)
{
	char		*now = host_snapshot();

	(void)state;
	assert_non_null(host_before);
	assert_non_null(now);
	assert_string_equal(host_before, now);
	free(now);
}

const struct CMUnitTest host_tests[] = {
	cmocka_unit_test(test_host_untouched),
};
const size_t host_tests_count = sizeof(host_tests) / sizeof(host_tests[0]);

#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    netns_leave)

const struct CMUnitTest firewall_tests[] = {
	NS_TEST(test_fw_own_table),
	NS_TEST(test_fw_expire),
	NS_TEST(test_fw_nested),
	NS_TEST(test_fw_old_sets),
	NS_TEST(test_fw_refresh_old_kernel),
	NS_TEST(test_fw_100k),
	NS_TEST(test_fw_restore),
	cmocka_unit_test_setup_teardown(test_fw_backoff, netns_enter,
	    backoff_leave),
	NS_TEST(test_fw_set_only),
	NS_TEST(test_fw_protected),
	NS_TEST(test_fw_map_reason),
	NS_TEST(test_fw_open_codes),
	NS_TEST(test_fw_no_privilege),
	NS_TEST(test_fw_drops),
	NS_TEST(test_fw_scan_no_privilege),
	cmocka_unit_test(test_fw_postfix),
};
const size_t firewall_tests_count = sizeof(firewall_tests) /
    sizeof(firewall_tests[0]);

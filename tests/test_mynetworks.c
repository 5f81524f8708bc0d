/*	$fivefifty: test_mynetworks.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_mynetworks - Postfix's own networks are never banned
 * DESCRIPTION
 *	- mynetworks_parse() reads Postfix's syntax: commas and blanks,
 *	  [IPv6]/len, /file/name with comments, !exclusions (the whole
 *	  network stays protected), and names a type:table it cannot list;
 *	- with a Postfix configuration directory (the real postconf reads
 *	  its main.cf), scan bans an offender outside mynetworks and not the
 *	  same offender inside; list marks it "protected: mynetworks",
 *	  explain says why it is not banned, check shows what was read;
 *	  with protect_mynetworks = no the same client is banned;
 *	- a main.cf postconf refuses is a warning naming the directory and
 *	  what postconf said, in check's findings; the command goes on;
 *	- explain says why a client is not banned: only temporary rejects
 *	  (never scored), or how far its score is below ban_threshold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "cmd/cmd.h"
#include "conf/conf.h"
#include "score/score.h"

#define MD	"/tmp/fivefifty-mynetworks"

/* put - a file with text */
static void
put(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* has_net - is text/len among c's mynetworks */
static int
has_net(const struct ff_conf *c, const char *text)
{
	struct net_prefix want;
	int		 i;

	assert_int_equal(net_parse(text, &want), 0);
	for (i = 0; i < c->nmynetworks; i++)
		if (memcmp(&c->mynetworks[i], &want, sizeof(want)) == 0)
			return (1);
	return (0);
}

/* test_mynetworks_parse - Postfix's syntax, and what cannot be read */
static void
test_mynetworks_parse(void **state)
{
	struct ff_conf	*c = calloc(1, sizeof(*c));

	(void)state;
	assert_non_null(c);
	assert_int_equal(system("rm -rf " MD " && mkdir -p " MD), 0);
	put(MD "/nets", "# our offices\n198.51.100.0/28 # Paris\n"
	    "!198.51.100.5, [2001:db8:2::]/48\n");
	conf_defaults(c);
	assert_int_equal(mynetworks_parse("127.0.0.0/8,[::1]/128 "
	    "192.0.2.0/24\t[2001:db8:1::]/64\n10.9.8.7 !10.9.8.0/24 "
	    MD "/nets", c, 0), 0);
	assert_int_equal(c->nmynetworks, 7);
	assert_true(has_net(c, "127.0.0.0/8"));
	assert_true(has_net(c, "::1/128"));
	assert_true(has_net(c, "192.0.2.0/24"));
	assert_true(has_net(c, "2001:db8:1::/64"));
	assert_true(has_net(c, "10.9.8.7"));
	assert_true(has_net(c, "198.51.100.0/28"));
	assert_true(has_net(c, "2001:db8:2::/48"));
	assert_string_equal(c->mynetworks_note, "");

	/* A table cannot be listed; a file is read one level deep; junk is
	 * named. Each counts as one not understood. */
	conf_defaults(c);
	put(MD "/nested", MD "/nets\n");
	assert_int_equal(mynetworks_parse("hash:/etc/postfix/network_table "
	    "192.0.2.0/24 " MD "/nested " MD "/missing 192.0.2.300/24", c, 0),
	    4);
	assert_true(has_net(c, "192.0.2.0/24"));
	assert_int_equal(c->nmynetworks, 1);
	assert_non_null(strstr(c->mynetworks_note, "hash:/etc/postfix/"
	    "network_table is a table fivefifty cannot list (put its networks "
	    "in whitelist)"));
	assert_non_null(strstr(c->mynetworks_note, MD "/missing not read"));
	assert_non_null(strstr(c->mynetworks_note, "192.0.2.300/24 not "
	    "understood"));
	free(c);
}

/* offender - five five-fifty sessions of addr a day ago, to f */
static void
offender(FILE *f, const char *addr, int pid)
{
	time_t		 t = time(NULL) - 86400;
	char		 ts[64];
	int		 i;

	for (i = 0; i < 5; i++, t += 120) {
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		fprintf(f, "%s mx postfix/smtpd[%d]: connect from x[%s]\n"
		    "%s mx postfix/smtpd[%d]: NOQUEUE: reject: RCPT from "
		    "x[%s]: 554 5.7.1 <x@spammer.example>: Sender address "
		    "rejected: Access denied; from=<x@spammer.example> "
		    "to=<alice@example.test> proto=ESMTP helo=<x>\n"
		    "%s mx postfix/smtpd[%d]: disconnect from x[%s] ehlo=1 "
		    "mail=1 rcpt=0/1 quit=1 commands=3/4\n", ts, pid + i,
		    addr, ts, pid + i, addr, ts, pid + i, addr);
	}
}

/* ff - fivefifty ARGS... -c MD/ff.conf; the result */
static void
ff(struct run_result *r, const char *a1, const char *a2, const char *a3)
{
	char	*argv[] = { (char *)bin_path(), (char *)a1, "-c",
	    MD "/ff.conf", (char *)a2, (char *)a3, NULL };

	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
}

/* test_mynetworks_scan - read with the real postconf: never banned,
 * listed and explained as protected; banned when the key is off */
static void
test_mynetworks_scan(void **state)
{
	struct run_result r;
	FILE		*f;

	(void)state;
	if (access("/usr/sbin/postconf", X_OK) == -1)
		fail_msg("/usr/sbin/postconf missing: make test installs "
		    "postfix (scripts/deps.sh test)");
	assert_int_equal(system("rm -rf " MD " && mkdir -p " MD "/pf"), 0);
	put(MD "/pf/main.cf", "compatibility_level = 3.6\n"
	    "mynetworks = 127.0.0.0/8, [::1]/128 192.0.2.0/24\n"
	    "    [2001:db8:1::]/64\n");
	put(MD "/pf/master.cf", "");
	put(MD "/ff.conf", "state_db = " MD "/ff.db\n"
	    "log_source = file\nmail_log = " MD "/mail.log\n"
	    "firewall = off\n"
	    "access_map =\n"
	    "postfix_config_directory = " MD "/pf\n");
	assert_non_null(f = fopen(MD "/mail.log", "w"));
	offender(f, "192.0.2.44", 100);
	offender(f, "2001:db8:1::25", 200);
	offender(f, "203.0.113.9", 300);
	fclose(f);

	ff(&r, "check", NULL, NULL);
	assert_int_equal(r.status, 0);
	if (strstr(r.out, "# mynetworks, never banned: 4 networks (postconf -c "
	    MD "/pf: 127.0.0.0/8, [::1]/128 192.0.2.0/24 "
	    "[2001:db8:1::]/64)") == NULL)
		fail_msg("check does not show mynetworks: %s", r.out);
	run_free(&r);

	ff(&r, "scan", MD "/mail.log", NULL);
	assert_int_equal(r.status, 0);
	if (strstr(r.out, "ban 203.0.113.9 ") == NULL ||
	    strstr(r.out, "ban 192.0.2.44") != NULL ||
	    strstr(r.out, "ban 2001:db8:1::") != NULL)
		fail_msg("scan: %s", r.out);
	run_free(&r);

	ff(&r, "list", NULL, NULL);
	assert_int_equal(r.status, 0);
	if (strstr(r.out, "protected: mynetworks") == NULL)
		fail_msg("list does not mark 192.0.2.44 protected: %s", r.out);
	run_free(&r);
	ff(&r, "list", "--json", NULL);
	assert_non_null(strstr(r.out, "\"protected\":\"mynetworks\""));
	assert_non_null(strstr(r.out, "\"protected\":null"));
	run_free(&r);

	ff(&r, "explain", "192.0.2.44", NULL);
	assert_int_equal(r.status, 0);
	if (strstr(r.out, "why not banned:\n    never banned: mynetworks "
	    "(Postfix's own networks)") == NULL)
		fail_msg("explain: %s", r.out);
	run_free(&r);

	/* Off: the same lines ban it. */
	put(MD "/ff.conf", "state_db = " MD "/off.db\n"
	    "firewall = off\n"
	    "access_map =\n"
	    "postfix_config_directory = " MD "/pf\n"
	    "protect_mynetworks = no\n");
	ff(&r, "scan", MD "/mail.log", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "ban 192.0.2.44 "));
	run_free(&r);

	/* A main.cf postconf refuses: a finding naming the directory, with
	 * postconf's words; check still answers. */
	put(MD "/ff.conf", "state_db = " MD "/ff.db\n"
	    "firewall = off\n"
	    "access_map =\n"
	    "postfix_config_directory = " MD "/pf\n");
	put(MD "/pf/main.cf", "mynetworks = hash:" MD "/pf/nets\n");
	ff(&r, "check", NULL, NULL);
	assert_int_equal(r.status, 0);
	if (strstr(r.err, "warning: Postfix's mynetworks: 0 networks "
	    "(postconf -c " MD "/pf: hash:" MD "/pf/nets); hash:" MD
	    "/pf/nets is a table fivefifty cannot list (put its networks in "
	    "whitelist)") == NULL)
		fail_msg("check: %s", r.err);
	run_free(&r);
	assert_int_equal(system("rm -rf " MD), 0);
}

/* test_explain_why_not - explain says why a client is not banned: only
 * temporary rejects (never scored), or how far below ban_threshold */
static void
test_explain_why_not(void **state)
{
	struct run_result r;
	time_t		 t = time(NULL) - 5 * 3600;
	char		 ts[64];
	FILE		*f;
	int		 i;

	(void)state;
	assert_int_equal(system("rm -rf " MD " && mkdir -p " MD), 0);
	put(MD "/ff.conf", "state_db = " MD "/ff.db\n"
	    "firewall = off\n"
	    "access_map =\n"
	    "protect_mynetworks = no\n");
	assert_non_null(f = fopen(MD "/mail.log", "w"));
	for (i = 0; i < 4; i++, t += 900) {
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		fprintf(f, "%s mx postfix/smtpd[%d]: connect from "
		    "unknown[192.0.2.77]\n%s mx postfix/smtpd[%d]: NOQUEUE: "
		    "reject: RCPT from unknown[192.0.2.77]: 450 4.7.1 "
		    "<bad.helo>: Helo command rejected: Host not found; "
		    "from=<a@b.example> to=<u@example.test> proto=ESMTP "
		    "helo=<bad.helo>\n%s mx postfix/smtpd[%d]: disconnect from "
		    "unknown[192.0.2.77] ehlo=1 mail=1 rcpt=0/1 quit=1 "
		    "commands=3/4\n", ts, 100 + i, ts, 100 + i, ts, 100 + i);
	}
	/* One relay attempt: evidence, far from a ban. */
	fprintf(f, "%s mx postfix/smtpd[300]: connect from x[203.0.113.5]\n"
	    "%s mx postfix/smtpd[300]: NOQUEUE: reject: RCPT from "
	    "x[203.0.113.5]: 554 5.7.1 <v@elsewhere.example>: Relay access "
	    "denied; from=<a@b.example> to=<v@elsewhere.example> proto=ESMTP "
	    "helo=<x>\n%s mx postfix/smtpd[300]: disconnect from "
	    "x[203.0.113.5] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n", ts,
	    ts, ts);
	fclose(f);
	{
		char *argv[] = { (char *)bin_path(), "scan", "-c",
		    MD "/ff.conf", MD "/mail.log", NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	ff(&r, "explain", "192.0.2.77", NULL);
	if (strstr(r.out, "why not banned:\n    4 temporary rejects (4xx): "
	    "never scored") == NULL)
		fail_msg("explain 192.0.2.77: %s", r.out);
	run_free(&r);
	ff(&r, "explain", "203.0.113.5", NULL);
	assert_int_equal(r.status, 0);
	if (strstr(r.out, "why not banned:\n    score ") == NULL ||
	    strstr(r.out, " is below ban_threshold 10 (") == NULL)
		fail_msg("explain 203.0.113.5: %s", r.out);
	run_free(&r);
	assert_int_equal(system("rm -rf " MD), 0);
}

const struct CMUnitTest mynetworks_tests[] = {
	cmocka_unit_test(test_mynetworks_parse),
	cmocka_unit_test(test_mynetworks_scan),
	cmocka_unit_test(test_explain_why_not),
};
const size_t mynetworks_tests_count = sizeof(mynetworks_tests) /
    sizeof(mynetworks_tests[0]);

/*	$fivefifty: test_conf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_conf 3 - the configuration file and the sample
 * DESCRIPTION
 *	The sample conf/fivefifty.conf names every key and loads to exactly
 *	the defaults; units, lists and continuation lines are read; every
 *	kind of mistake is an error naming file and line; and a whitelist
 *	given in a file keeps an offender from being banned by `scan`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "conf/conf.h"

/* printed - conf_print() of a configuration, as a string */
static char *
printed(const struct ff_conf *c)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	conf_print(fp, c);
	fclose(fp);
	return (buf);
}

/* write_conf - a configuration file with the given text */
static void
write_conf(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* test_conf_sample - the sample is complete and says the defaults */
static void
test_conf_sample(void **state)
{
	struct ff_conf	 d, s;
	char		 err[512], *a, *b, *line, *text;
	size_t		 len;
	int		 keys = 0;

	(void)state;
	conf_defaults(&d);
	conf_defaults(&s);
	memset(&s.score.ban_threshold, 0, sizeof(double));	/* must be set */
	if (conf_load("conf/fivefifty.conf", &s, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	a = printed(&d);
	b = printed(&s);
	assert_string_equal(a, b);
	/* Every key conf_print() knows is in the sample. */
	text = read_file("conf/fivefifty.conf", &len);
	assert_non_null(text);
	for (line = strtok(a, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char key[80], pat[96];
		sscanf(line, "%79s", key);
		snprintf(pat, sizeof(pat), "\n%s =", key);
		if (strstr(text, pat) == NULL)
			fail_msg("the sample lacks %s", key);
		keys++;
	}
	assert_true(keys >= 35);
	free(text);
	free(a);
	free(b);
	conf_free(&s);
}

/* test_conf_values - units, lists, continuation lines */
static void
test_conf_values(void **state)
{
	struct ff_conf	 c;
	char		 err[512];
	const char	*p = "/tmp/fivefifty-conf-values.conf";

	(void)state;
	write_conf(p, "# a comment\n"
	    "score_half_life = 2h   # trailing comment\n"
	    "ban_time = 90m\n"
	    "ban_time_max = 2w\n"
	    "fivefifty_window = 86400\n"
	    "whitelist = 192.0.2.0/24,\n"
	    "    2001:db8::/32  198.51.100.7\n"
	    "whitelist_names = .google.com .outlook.com\n"
	    "myhostname = mx.example.org\n"
	    "max_clients = 5000\n");
	conf_defaults(&c);
	if (conf_load(p, &c, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_true(c.score.half_life == 7200);
	assert_true(c.score.ban_base == 5400);
	assert_true(c.score.ban_max == 14 * 86400);
	assert_true(c.score.fivefifty_window == 86400);
	assert_int_equal(c.score.nwhitelist, 3);
	assert_int_equal(c.score.whitelist[1].len, 32);
	assert_int_equal(c.score.whitelist[2].len, 32);
	assert_int_equal(c.score.nwhitelist_names, 2);
	assert_string_equal(c.score.whitelist_names[1], ".outlook.com");
	assert_string_equal(c.score.myhostname, "mx.example.org");
	assert_int_equal(c.score.max_clients, 5000);
	conf_free(&c);
	unlink(p);
}

/* test_conf_errors - every mistake names file, line and what was wanted */
static void
test_conf_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "nosuchkey = 1\n", ":1: unknown key \"nosuchkey\"" },
		{ "\n\nban_threshold = ten\n", ":3: ban_threshold = \"ten\": "
		    "expected a number" },
		{ "ban_time = 1y\n", "expected a duration" },
		{ "whitelist = 192.0.2.0/33\n", "expected addresses or networks" },
		{ "ban_threshold = 5\nban_threshold = 6\n", ":2: ban_threshold "
		    "is set twice" },
		{ "just words\n", ":1: expected \"key = value\"" },
		{ "max_clients = 1.5\n", "expected a whole number" },
		{ "state_db = relative.db\n", "expected an absolute path" },
	};
	const char	*p = "/tmp/fivefifty-conf-bad.conf";
	struct ff_conf	 c;
	char		 err[512];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_conf(p, bad[i].text);
		conf_defaults(&c);
		assert_int_equal(conf_load(p, &c, err, sizeof(err)), -1);
		if (strstr(err, bad[i].want) == NULL ||
		    strncmp(err, p, strlen(p)) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err,
			    bad[i].want);
		conf_free(&c);
	}
	{
		struct run_result r;
		char *argv[] = { (char *)bin_path(), "scan", "-c", (char *)p,
		    "--dry-run", "/dev/null", NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 78);
		assert_non_null(strstr(r.err, p));
		run_free(&r);
	}
	unlink(p);
}

/* test_conf_whitelist_scan - an offender in a whitelist is not banned */
static void
test_conf_whitelist_scan(void **state)
{
	const char	*p = "/tmp/fivefifty-conf-wl.conf";
	char		 lab[512];
	struct run_result r;
	char		*argv[] = { (char *)bin_path(), "scan", "-c", (char *)p,
	    "--dry-run", "--db", "/tmp/fivefifty-conf-none.db", lab, NULL };

	(void)state;
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	/* The lab's offenders are 127.x.y.z; the first of them, the
	 * five-fifty 127.81.217.162, is whitelisted here. */
	write_conf(p, "loopback = 127.0.0.1/32\n"
	    "whitelist = 127.81.217.162\n");
	unlink("/tmp/fivefifty-conf-none.db");
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "ban 127."));
	assert_null(strstr(r.out, "ban 127.81.217.162 "));
	run_free(&r);
	write_conf(p, "loopback = 127.0.0.1/32\n");
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_non_null(strstr(r.out, "ban 127.81.217.162 "));
	run_free(&r);
	unlink(p);
}

const struct CMUnitTest conf_tests[] = {
	cmocka_unit_test(test_conf_sample),
	cmocka_unit_test(test_conf_values),
	cmocka_unit_test(test_conf_errors),
	cmocka_unit_test(test_conf_whitelist_scan),
};
const size_t conf_tests_count = sizeof(conf_tests) / sizeof(conf_tests[0]);

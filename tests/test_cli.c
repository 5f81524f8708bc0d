/*	$fivefifty: test_cli.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_cli 3 - the fivefifty command as a postmaster runs it
 * DESCRIPTION
 *	Runs the built binary (FIVEFIFTY_BIN) with a fixed argv: help texts,
 *	the usage and unknown-command errors (exit 64), a missing file (66),
 *	text, JSON, --unmatched and --count output. JSON output of hostile
 *	lines is checked by jq, an independent parser: every line must be a
 *	valid object, and the client of the framing attack must be the real
 *	one. Text output must never hold a raw control character.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

static const char hostile[] =
"2023-03-14T00:01:16.756778+01:00 helga postfix/postscreen[3163107]: PREGREET 20 after 0.01 from [198.51.100.20]:40000: EHLO [6.6.6.6]:25:\\r\\n\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.29]: 504 5.5.2 <a\"b>: Helo command rejected: need fully-qualified hostname; proto=SMTP helo=<<script>\"\\\x01\x1b[31m\xff\xfe\xc3\xa9\r>\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: warning: non-SMTP command from unknown[198.51.100.30]: \x7f\x80\xed\xa0\x80 \xf0\x9f\x93\xa7\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: connect from a\x01b[198.51.100.31]\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: something Postfix 4.0 will say \x1b]0;pwned\x07\n"
"not a log line\n";

/* run - run the binary with up to 6 arguments and stdin text */
static void
run(struct run_result *r, const char *in, const char *a1, const char *a2,
    const char *a3)
{
	char	*argv[5] = { (char *)bin_path(), (char *)a1, (char *)a2,
	    (char *)a3, NULL };

	assert_int_equal(run_cmd(argv, in, in != NULL ? strlen(in) : 0, r), 0);
}

/* test_cli_usage - help, unknown commands, bad options */
static void
test_cli_usage(void **state)
{
	struct run_result r;

	(void)state;
	run(&r, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "COMMANDS"));
	run_free(&r);

	run(&r, NULL, "frobnicate", NULL, NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
	assert_non_null(strstr(r.err, "parse"));
	run_free(&r);

	run(&r, NULL, "help", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "parse"));
	assert_non_null(strstr(r.out, "SYNOPSIS"));
	run_free(&r);

	run(&r, NULL, "--help", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "COMMANDS"));
	run_free(&r);

	run(&r, NULL, "parse", "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "fivefifty parse"));
	assert_non_null(strstr(r.out, "EXIT STATUS"));
	assert_non_null(strstr(r.out, "--unmatched"));
	run_free(&r);

	run(&r, NULL, "help", "parse", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--json"));
	run_free(&r);

	run(&r, NULL, "help", "nosuch", NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);

	run(&r, NULL, "parse", "--bogus", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "usage: fivefifty parse"));
	run_free(&r);

	run(&r, NULL, "parse", "--json", "--count");
	assert_int_equal(r.status, 64);
	run_free(&r);

	run(&r, NULL, "parse", "--year", "sometime");
	assert_int_equal(r.status, 64);
	run_free(&r);

	run(&r, NULL, "parse", "/nonexistent/mail.log", NULL);
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, "/nonexistent/mail.log"));
	assert_non_null(strstr(r.err, "No such file"));
	run_free(&r);
}

/* test_cli_json - every output line is valid JSON; the right client */
static void
test_cli_json(void **state)
{
	struct run_result r, j;
	char	*jq_all[] = { "/usr/bin/jq", "-e", "-c", ".", NULL };
	char	*jq_ip[] = { "/usr/bin/jq", "-r",
	    "select(.event==\"pregreet\") | .client_ip", NULL };
	char	*jq_helo[] = { "/usr/bin/jq", "-r",
	    "select(.event==\"reject\") | .helo", NULL };
	size_t	 lines = 0;
	char	*s;

	(void)state;
	run(&r, hostile, "parse", "--json", "-");
	assert_int_equal(r.status, 0);
	for (s = r.out; *s != '\0'; s++)
		lines += *s == '\n';
	assert_int_equal(lines, 4);	/* pregreet, reject, non_smtp, connect */
	assert_non_null(strstr(r.err, "6 lines read"));
	assert_non_null(strstr(r.err, "1 unrecognised"));

	assert_int_equal(run_cmd(jq_all, r.out, r.outlen, &j), 0);
	assert_int_equal(j.status, 0);
	run_free(&j);
	assert_int_equal(run_cmd(jq_ip, r.out, r.outlen, &j), 0);
	assert_int_equal(j.status, 0);
	assert_string_equal(j.out, "198.51.100.20\n");
	run_free(&j);
	/* Control characters and bad UTF-8 escaped, valid UTF-8 kept. */
	assert_int_equal(run_cmd(jq_helo, r.out, r.outlen, &j), 0);
	assert_int_equal(j.status, 0);
	assert_string_equal(j.out,
	    "<script>\"\\\x01\x1b[31m\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\r\n");
	run_free(&j);
	run_free(&r);
}

/* test_cli_text - text output holds no raw control character */
static void
test_cli_text(void **state)
{
	struct run_result r;
	unsigned char	*s;

	(void)state;
	run(&r, hostile, "parse", "-", NULL);
	assert_int_equal(r.status, 0);
	for (s = (unsigned char *)r.out; *s != '\0'; s++)
		if (*s != '\n' && (*s < 0x20 || *s == 0x7f))
			fail_msg("raw control character 0x%02x in text output",
			    *s);
	assert_non_null(strstr(r.out, "pregreet client=[198.51.100.20]:40000"));
	assert_non_null(strstr(r.out, "helo=<<script>\"\\\\\\x01\\x1b[31m"
	    "\\xff\\xfe\xc3\xa9\\r>"));
	assert_null(strstr(r.out, "6.6.6.6]:25 "));
	run_free(&r);
}

/* test_cli_unmatched - only the unrecognised Postfix lines, escaped */
static void
test_cli_unmatched(void **state)
{
	struct run_result r;

	(void)state;
	run(&r, hostile, "parse", "--unmatched", "-");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "-:5: Nov 21 13:33:22 mx postfix/smtpd[1]: "
	    "something Postfix 4.0 will say \\x1b]0;pwned\\x07\n");
	run_free(&r);

	run(&r, hostile, "parse", "--count", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.outlen, 0);
	assert_non_null(strstr(r.err, "4 events"));
	assert_non_null(strstr(r.err, "pregreet=1"));
	assert_non_null(strstr(r.err, "helo=1"));
	run_free(&r);
}

/* test_cli_files - several files, one missing: the rest is still read */
static void
test_cli_files(void **state)
{
	struct run_result r;
	char	 lab[512];

	(void)state;
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	run(&r, NULL, "parse", "--count", lab);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "0 unrecognised"));
	run_free(&r);
	{
		char *argv[] = { (char *)bin_path(), "parse", "--count",
		    "/nonexistent", lab, NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 66);
		assert_non_null(strstr(r.err, "6080 lines read"));
		run_free(&r);
	}
}

const struct CMUnitTest cli_tests[] = {
	cmocka_unit_test(test_cli_usage),
	cmocka_unit_test(test_cli_json),
	cmocka_unit_test(test_cli_text),
	cmocka_unit_test(test_cli_unmatched),
	cmocka_unit_test(test_cli_files),
};
const size_t cli_tests_count = sizeof(cli_tests) / sizeof(cli_tests[0]);

/*	$fivefifty: test_report_mail.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_report_mail 3 - the summary mail through a real Postfix
 * DESCRIPTION
 *	test_report_mail_postfix runs tests/postfix-report-mail.sh in a
 *	fresh directory /tmp/fivefifty-rmail-XXXXXX: `fivefifty report
 *	summary --mail-to` (the binary under test) over a log fixture with
 *	hostile HELO names and senders, submitted with the sendmail of a
 *	private Postfix instance (MAIL_CONFIG) that delivers it to a Maildir;
 *	the delivered message is parsed with python3's email package and
 *	checked (MIME structure, every header, no log text in any header,
 *	escaping in the text and HTML parts), and three failed submissions
 *	must exit 69 with their reason. The script prints one "CHECK NAME
 *	ok|FAIL detail" line per check; this test fails on any FAIL, on any
 *	check of expected_checks[] that is missing, and when the script
 *	cannot run. The script removes the directory, the instance and its
 *	network namespace (FIVEFIFTY_KEEP=1 keeps the directory).
 * SECURITY
 *	Needs root; the host's Postfix and /etc/postfix are not touched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

static const char *const expected_checks[] = {
	"submit-exits-0", "submit-quiet", "delivered", "raw-header-ascii",
	"raw-no-cr", "headers-once", "headers-no-other", "no-bcc",
	"headers-no-log-text", "headers-no-defects", "date", "message-id",
	"message-id-host", "subject", "auto-submitted", "to", "from",
	"mime-version", "multipart-alternative", "two-parts", "parts-utf8",
	"parts-no-defects", "parts-decode", "text-clean", "text-head",
	"text-helo-escaped", "text-sender-escaped", "text-script-as-text",
	"text-bidi-escaped", "html-clean", "html-script-escaped",
	"html-no-script", "html-no-img", "html-helo-escaped",
	"html-sender-escaped", "html-bidi-escaped", "html-only-own-tags",
	"html-head", "fail-false-69", "fail-false-reason", "fail-missing-69",
	"fail-missing-reason", "fail-postfix-69", "fail-postfix-reason",
};
#define NEXPECTED	(sizeof(expected_checks) / sizeof(expected_checks[0]))

/* test_report_mail_postfix - tests/postfix-report-mail.sh */
static void
test_report_mail_postfix(void **state)
{
	char		 dir[] = "/tmp/fivefifty-rmail-XXXXXX", rm[64];
	char		*argv[] = { "/bin/bash", "tests/postfix-report-mail.sh",
	    dir, (char *)bin_path(), NULL };
	struct run_result r;
	struct timespec	 t0, t1;
	const char	*p;
	size_t		 i, len;
	long		 ms;
	int		 failed = 0, missing = 0, st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The script removes it; not when it could not start. */
	if (getenv("FIVEFIFTY_KEEP") == NULL) {
		snprintf(rm, sizeof(rm), "rm -rf %s", dir);
		free(sh(rm, NULL));
	}
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	if (r.status != 0) {
		print_lines(r.out);
		print_lines(r.err);
		st = r.status;
		run_free(&r);
		fail_msg("postfix-report-mail.sh could not run: exit %d (its "
		    "output above)", st);
	}
	for (i = 0; i < NEXPECTED; i++) {
		if ((p = check_line(r.out, expected_checks[i], &len)) ==
		    NULL) {
			print_error("check %s is missing\n",
			    expected_checks[i]);
			missing++;
		} else if (!check_ok(p, len)) {
			print_error("%.*s\n", (int)(len < 900 ? len : 900), p);
			failed++;
		}
	}
	print_message("      %zu of %zu checks ok; %.1f s\n", NEXPECTED -
	    (size_t)failed - (size_t)missing, NEXPECTED, (double)ms / 1000);
	if (failed > 0 || missing > 0) {
		print_error("the whole run:\n");
		print_lines(r.out);
		print_lines(r.err);
		run_free(&r);
		fail_msg("%d checks failed, %d missing (FIVEFIFTY_KEEP=1 keeps "
		    "the directory)", failed, missing);
	}
	run_free(&r);
}

const struct CMUnitTest report_mail_tests[] = {
	cmocka_unit_test(test_report_mail_postfix),
};
const size_t report_mail_tests_count = sizeof(report_mail_tests) /
    sizeof(report_mail_tests[0]);

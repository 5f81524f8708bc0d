/*	$fivefifty: test_time.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_time 3 - years for year-less stamps, and epoch conversion
 * DESCRIPTION
 *	A log read in January that starts in December belongs to last year;
 *	a log that runs over New Year moves on to the next year; a reference
 *	in the middle of the year leaves every month in that year; offsets
 *	convert to the same instant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

/* test_year_rollover - Dec -> Jan within one file */
static void
test_year_rollover(void **state)
{
	struct pf_parser *p = parser_or_fail();

	(void)state;
	/* Read on 2 January 2027: the log starts in December 2026. */
	pf_parser_set_reference(p, ref_at(2027, 1, 2));
	assert_int_equal(year_of(p, "Dec 30 23:59:58"), 2026);
	assert_int_equal(year_of(p, "Dec 31 23:59:59"), 2026);
	assert_int_equal(year_of(p, "Jan  1 00:00:00"), 2027);
	assert_int_equal(year_of(p, "Jan  2 08:00:00"), 2027);
	/* A stray older line after New Year is still last year's. */
	assert_int_equal(year_of(p, "Dec 31 23:59:59"), 2026);
	assert_int_equal(year_of(p, "Jan  2 08:00:01"), 2027);
	pf_parser_free(p);
}

/* test_year_reference - stamps are never put after the reference */
static void
test_year_reference(void **state)
{
	struct pf_parser *p = parser_or_fail();

	(void)state;
	pf_parser_set_reference(p, ref_at(2023, 3, 17));
	assert_int_equal(year_of(p, "Mar 14 00:00:31"), 2023);
	pf_parser_set_reference(p, ref_at(2023, 3, 17));
	assert_int_equal(year_of(p, "Nov  7 02:11:21"), 2022);
	pf_parser_set_reference(p, ref_at(2023, 3, 17));
	/* One day of clock skew is tolerated. */
	assert_int_equal(year_of(p, "Mar 18 00:00:00"), 2023);
	pf_parser_set_reference(p, ref_at(2023, 3, 17));
	assert_int_equal(year_of(p, "Mar 19 00:00:00"), 2022);
	pf_parser_free(p);
}

/* test_epoch - the same instant in four envelopes */
static void
test_epoch(void **state)
{
	static const char *const lines[] = {
		"2026-11-21T13:16:01Z mx postfix/smtpd[1]: connect from a[192.0.2.1]",
		"2026-11-21T14:16:01+01:00 mx postfix/smtpd[1]: connect from a[192.0.2.1]",
		"2026-11-21T11:16:01-0200 mx postfix/smtpd[1]: connect from a[192.0.2.1]",
		"2026-11-21T18:46:01.999+05:30 mx postfix/smtpd[1]: connect from a[192.0.2.1]",
	};
	struct pf_parser *p = parser_or_fail();
	struct pf_event	 ev;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(pf_parse_line(p, lines[i], strlen(lines[i]),
		    &ev), PF_EVENT);
		assert_int_equal(pf_event_epoch(&ev), 1795266961LL);
	}
	pf_parser_free(p);
}

/* test_epoch_local - a zone-less stamp is local time */
static void
test_epoch_local(void **state)
{
	static const char line[] =
	    "Nov 21 13:16:01 mx postfix/smtpd[1]: connect from a[192.0.2.1]";
	struct pf_parser *p = parser_or_fail();
	struct pf_event	 ev;
	struct tm	 tm;

	(void)state;
	pf_parser_set_reference(p, ref_at(2026, 12, 1));
	assert_int_equal(pf_parse_line(p, line, strlen(line), &ev), PF_EVENT);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 126;
	tm.tm_mon = 10;
	tm.tm_mday = 21;
	tm.tm_hour = 13;
	tm.tm_min = 16;
	tm.tm_sec = 1;
	tm.tm_isdst = -1;
	assert_int_equal(pf_event_epoch(&ev), (long long)mktime(&tm));
	pf_parser_free(p);
}

const struct CMUnitTest time_tests[] = {
	cmocka_unit_test(test_year_rollover),
	cmocka_unit_test(test_year_reference),
	cmocka_unit_test(test_epoch),
	cmocka_unit_test(test_epoch_local),
};
const size_t time_tests_count = sizeof(time_tests) / sizeof(time_tests[0]);

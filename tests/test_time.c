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
 *	convert to the same instant; the cached conversion is mktime(3)'s
 *	in zones with summer time, changes at midnight and half an hour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"
#include "util/util.h"

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

/* days_since - days from 1970-01-01 to 1 January of year */
static long long
days_since(int year)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mday = 1;
	return ((long long)timegm(&tm) / 86400);
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

/* zone_differences - events of every hour of two years, at three times
 * of the hour, converted with a cache and without, in the zone named:
 * how many disagree; first in time order, then jumping between days
 * (more days than the cache holds) */
static int
zone_differences(const char *zone, int year)
{
	static const int mins[][2] = { { 0, 0 }, { 17, 5 }, { 59, 59 } };
	struct pf_epoch_cache c;
	struct pf_event	 ev;
	long long	 day, days = 731;
	int		 pass, h, k, bad = 0;
	struct tm	 tm;
	time_t		 t0;

	setenv("TZ", zone, 1);
	tzset();
	memset(&c, 0, sizeof(c));
	for (pass = 0; pass < 2; pass++)
		for (day = 0; day < days; day++)
			for (h = 0; h < 24; h++)
				for (k = 0; k < 3; k++) {
					/* pass 1: day d*37 mod days */
					t0 = (time_t)(days_since(year) +
					    (pass ? day * 37 % days : day)) *
					    86400 + 12 * 3600;
					gmtime_r(&t0, &tm);
					memset(&ev, 0, sizeof(ev));
					ev.time.year = tm.tm_year + 1900;
					ev.time.mon = tm.tm_mon + 1;
					ev.time.mday = tm.tm_mday;
					ev.time.hour = h;
					ev.time.min = mins[k][0];
					ev.time.sec = mins[k][1];
					if (pf_event_epoch_cached(&ev, &c) !=
					    pf_event_epoch(&ev))
						bad++;
				}
	return (bad);
}

/* test_epoch_cached - the cached conversion is mktime(3)'s in zones with
 * summer time, changes at midnight (Havana, Sao Paulo before 2019) and a
 * change of half an hour (Lord Howe), across two years */
static void
test_epoch_cached(void **state)
{
	static const struct {
		const char	*zone;
		int		 year;
	} zones[] = {
		{ "UTC", 2025 }, { "Europe/Berlin", 2025 },
		{ "America/New_York", 2025 }, { "America/Havana", 2024 },
		{ "America/Sao_Paulo", 2017 }, { "Australia/Lord_Howe", 2025 },
		{ "Asia/Kolkata", 2025 },
	};
	char		*old = getenv("TZ"), saved[256] = "";
	size_t		 i;
	int		 bad;

	(void)state;
	if (old != NULL)
		snprintf(saved, sizeof(saved), "%s", old);
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		bad = zone_differences(zones[i].zone, zones[i].year);
		if (bad != 0)
			print_message("%s: %d conversions differ\n",
			    zones[i].zone, bad);
		assert_int_equal(bad, 0);
	}
	if (old != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* utc_matches - utc_format(t) is what gmtime_r(3) and strftime(3) write */
static int
utc_matches(long long t)
{
	char		 got[32], want[32];
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (utc_format(t, got, sizeof(got)) != 0 || gmtime_r(&tt, &tm) ==
	    NULL || strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ",
	    &tm) == 0 || strcmp(got, want) != 0) {
		print_message("%lld: \"%s\", gmtime \"%s\"\n", t, got, want);
		return (0);
	}
	return (1);
}

/* test_utc_format - UTC text written by hand is gmtime(3)'s: every day
 * from 1970 to 2200 at its first, last and other seconds, leap days of
 * 2000, 2100 and 2400, the last second of 9999, a million seconds drawn
 * over the whole range; beyond it (before 1970, after 9999) the libc's;
 * a buffer too short is refused empty */
static void
test_utc_format(void **state)
{
	static const long long edges[] = { 0, 1, 59, 3599, 86399, 86400,
	    951782400, 951868799, 4107456000, 4107542399, 13574563200,
	    13574649599, 253402300799LL, -1, -86401, 253402300800LL };
	static const int secs[] = { 0, 1, 43199, 86399 };
	unsigned long long rng = 0x9e3779b97f4a7c15ULL;
	long long	 day, t;
	char		 buf[32];
	size_t		 i;
	int		 bad = 0;

	(void)state;
	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		bad += !utc_matches(edges[i]);
	for (day = 0; day < 84000 && bad < 10; day++)	/* to 2199 */
		for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
			bad += !utc_matches(day * 86400 + secs[i]);
	for (i = 0; i < 1000000 && bad < 10; i++) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		t = (long long)((rng >> 11) % 253402300800ULL);
		bad += !utc_matches(t);
	}
	assert_int_equal(bad, 0);
	assert_int_equal(utc_format(0, buf, 20), -1);
	assert_string_equal(buf, "");
	assert_int_equal(utc_format(0, buf, 21), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
}

const struct CMUnitTest time_tests[] = {
	cmocka_unit_test(test_year_rollover),
	cmocka_unit_test(test_year_reference),
	cmocka_unit_test(test_epoch),
	cmocka_unit_test(test_epoch_local),
	cmocka_unit_test(test_epoch_cached),
	cmocka_unit_test(test_utc_format),
};
const size_t time_tests_count = sizeof(time_tests) / sizeof(time_tests[0]);

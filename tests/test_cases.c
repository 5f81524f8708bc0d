/*	$fivefifty: test_cases.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_cases 3 - the parser's specification: (line, expected fields)
 * DESCRIPTION
 *	In the SSHGuard manner, the files tests/cases/NAME.txt hold log lines and what the
 *	parser must make of them. A case is a block of lines:
 *
 *	    # a comment
 *	    L <log line>        \\ and \xNN escapes allowed
 *	    Y <year>            optional: reference year for year-less stamps
 *	    R <result>          event (default), other, unrecognised,
 *	                        not_postfix
 *	    E <field> <value>   field as ev_field() spells it; "-" = absent
 *
 *	and ends at a blank line. Every case runs; the test lists each
 *	mismatch (file:line, field, got, want) and fails if there was any.
 *	A second test checks that the cases cover every event kind and every
 *	reason class, so a new shape cannot land without a case.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

#define CASE_DIR	"tests/cases"

struct case_run {
	int		 cases, failures;
	unsigned	 kinds_seen[PF_EV_COUNT];
	unsigned	 classes_seen[PF_CLASS_COUNT];
};

/* unescape - \\ and \xNN in place; returns the new length */
static size_t
unescape(char *s)
{
	char		*w = s, *r = s;
	unsigned	 v;

	while (*r != '\0') {
		if (r[0] == '\\' && r[1] == '\\') {
			*w++ = '\\';
			r += 2;
		} else if (r[0] == '\\' && r[1] == 'x' &&
		    sscanf(r + 2, "%2x", &v) == 1) {
			*w++ = (char)v;
			r += 4;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return ((size_t)(w - s));
}

/* set_year - the reference: the middle of the given year */
static void
set_year(struct pf_parser *p, int year)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = 11;
	tm.tm_mday = 31;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	pf_parser_set_reference(p, mktime(&tm));
}

/* run_case - parse one line and compare the expectations */
static void
run_case(struct pf_parser *p, const char *where, char *line, size_t len,
    const char *want_result, char **exp, int nexp, int year,
    struct case_run *cr)
{
	struct pf_event	 ev;
	enum pf_result	 r;
	char		 buf[4096], name[64], *val;
	const char	*got;
	int		 i;

	set_year(p, year != 0 ? year : 2026);
	r = pf_parse_line(p, line, len, &ev);
	cr->cases++;
	if (strcmp(pf_result_name(r), want_result) != 0) {
		print_error("%s: result %s, want %s\n", where,
		    pf_result_name(r), want_result);
		cr->failures++;
		return;
	}
	if (r == PF_EVENT) {
		cr->kinds_seen[ev.kind]++;
		if (ev.kind == PF_EV_REJECT)
			cr->classes_seen[ev.class]++;
	}
	for (i = 0; i < nexp; i++) {
		val = strchr(exp[i], ' ');
		snprintf(name, sizeof(name), "%.*s", val != NULL ?
		    (int)(val - exp[i]) : (int)strlen(exp[i]), exp[i]);
		val = val != NULL ? val + 1 : "";
		got = ev_field(&ev, name, buf, sizeof(buf));
		if (strcmp(got, val) != 0) {
			print_error("%s: %s = \"%s\", want \"%s\"\n", where,
			    name, got, val);
			cr->failures++;
		}
	}
}

/* run_file - every case of one file */
static void
run_file(struct pf_parser *p, const char *path, struct case_run *cr)
{
	char		*text, *s, *nl, *line = NULL, *exp[64], where[1024];
	const char	*result = "event";
	size_t		 len, linelen = 0;
	int		 nexp = 0, lineno = 0, caseline = 0, year = 0;

	text = read_file(path, &len);
	assert_non_null(text);
	for (s = text; ; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl != NULL)
			*nl = '\0';
		lineno++;
		if (s[0] == '\0' || nl == NULL) {
			if (line != NULL) {
				snprintf(where, sizeof(where), "%s:%d", path,
				    caseline);
				run_case(p, where, line, linelen, result, exp,
				    nexp, year, cr);
			}
			line = NULL;
			nexp = 0;
			year = 0;
			result = "event";
			if (nl == NULL)
				break;
			continue;
		}
		if (s[0] == '#')
			continue;
		if (s[0] == 'L' && s[1] == ' ') {
			line = s + 2;
			linelen = unescape(line);
			caseline = lineno;
		} else if (s[0] == 'R' && s[1] == ' ')
			result = s + 2;
		else if (s[0] == 'Y' && s[1] == ' ')
			year = atoi(s + 2);
		else if (s[0] == 'E' && s[1] == ' ' && nexp < 64) {
			exp[nexp++] = s + 2;
			unescape(s + 2);
		} else
			fail_msg("%s:%d: bad case line", path, lineno);
	}
	free(text);
}

static struct case_run all_cases;
static int	cases_ran;

/* run_all_cases - every case file of tests/cases/, once */
static void
run_all_cases(void)
{
	struct pf_parser *p;
	struct dirent	**names;
	char		 path[512];
	int		 n, i;

	if (cases_ran++)
		return;
	p = parser_or_fail();
	n = scandir(CASE_DIR, &names, NULL, alphasort);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (strstr(names[i]->d_name, ".txt") != NULL) {
			snprintf(path, sizeof(path), "%s/%s", CASE_DIR,
			    names[i]->d_name);
			run_file(p, path, &all_cases);
		}
		free(names[i]);
	}
	free(names);
	pf_parser_free(p);
}

/* test_case_files - every case of tests/cases/ matches */
static void
test_case_files(void **state)
{
	(void)state;
	run_all_cases();
	print_message("corpus cases: %d run, %d mismatches\n",
	    all_cases.cases, all_cases.failures);
	assert_true(all_cases.cases >= 100);
	assert_int_equal(all_cases.failures, 0);
}

/* test_case_coverage - every event kind and class has a case */
static void
test_case_coverage(void **state)
{
	int		i, missing = 0;

	(void)state;
	run_all_cases();
	assert_true(all_cases.cases > 0);
	for (i = 1; i < PF_EV_COUNT; i++)
		if (all_cases.kinds_seen[i] == 0) {
			print_error("no case for event kind %s\n",
			    pf_kind_name(i));
			missing++;
		}
	for (i = 1; i < PF_CLASS_COUNT; i++)
		if (all_cases.classes_seen[i] == 0) {
			print_error("no case for class %s\n",
			    pf_class_name(i));
			missing++;
		}
	assert_int_equal(missing, 0);
}

const struct CMUnitTest case_tests[] = {
	cmocka_unit_test(test_case_files),
	cmocka_unit_test(test_case_coverage),
};
const size_t case_tests_count = sizeof(case_tests) / sizeof(case_tests[0]);

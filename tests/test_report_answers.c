/*	$fivefifty: test_report_answers.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_report_answers 3 - `report summary`'s clear answers: where the
 *	data is, the --since range, the definitions, no mail without input
 * DESCRIPTION
 *	Runs the built binary (FIVEFIFTY_BIN) with TZ=UTC and the report
 *	tests' configuration over a state that `scan` made of
 *	tests/cases/reports/small.log (log time 2026-11-19 22:00 to
 *	2026-11-20 08:xx UTC):
 *	- the summary of the default 24 hours (now: nothing there) says so
 *	  and names the state's first and last hour with data and the
 *	  --from/--until that report them; JSON has no_data with first_hour
 *	  and last_hour, CSV no_data rows, HTML the note; a period that
 *	  holds data has none of it; a state without facts says it has none
 *	  yet;
 *	- --since beyond 3650d, or under an hour, names the real range;
 *	- the text summary defines connections and sessions;
 *	- --mail-to with a missing --log, or before any state exists: exit
 *	  66, nothing handed to sendmail_path (a script that would record
 *	  it), the message names the file and what to do (start the
 *	  daemon); a missing log without --mail-to prints no report either.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

#define CASES	"tests/cases/reports"
#define SMALL	CASES "/small.log"

static char	 dir[64];		/* the test's directory under /tmp */

/* setup - TZ=UTC, a directory with a configuration whose sendmail
 * records what it is given, and a state made of the small log */
static int
setup(void **state)
{
	char		 path[128], cmd[512];
	FILE		*fp;

	tz_utc(state);
	snprintf(dir, sizeof(dir), "/tmp/fivefifty-answers-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return (-1);
	snprintf(path, sizeof(path), "%s/sendmail", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return (-1);
	fprintf(fp, "#!/bin/sh\ncat > %s/mailed\n", dir);
	fclose(fp);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/ff.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return (-1);
	fprintf(fp, "firewall = off\naccess_map =\nwhitelist =\n"
	    "state_db = %s/none.db\nsendmail_path = %s/sendmail\n", dir, dir);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "%s -c %s/ff.conf --db %s/state.db scan "
	    "--no-enforce " SMALL " >/dev/null 2>&1", bin_path(), dir, dir);
	free(sh(cmd, NULL));
	return (0);
}

/* teardown - the directory removed, TZ as it was */
static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(sh(cmd, NULL));
	return (tz_restore(state));
}

/* report - fivefifty report summary -c DIR/ff.conf ARGS...; its output */
static void
report(struct run_result *r, ...)
{
	char		*argv[24], conf[96];
	const char	*s;
	va_list		 ap;
	int		 n = 0;

	snprintf(conf, sizeof(conf), "%s/ff.conf", dir);
	argv[n++] = (char *)bin_path();
	argv[n++] = "report";
	argv[n++] = "summary";
	argv[n++] = "-c";
	argv[n++] = conf;
	va_start(ap, r);
	while (n < 23 && (s = va_arg(ap, const char *)) != NULL)
		argv[n++] = (char *)s;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
}

/* has - s holds want, else the test fails showing s */
static void
has(const char *what, const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		fail_msg("%s lacks \"%s\":\n%s", what, want, s);
}

/* test_answers_no_data - an empty period says where the data is */
static void
test_answers_no_data(void **state)
{
	struct run_result r;
	char		 db[96], empty[96];

	(void)state;
	snprintf(db, sizeof(db), "%s/state.db", dir);
	report(&r, "--db", db, NULL);		/* the default 24 hours */
	assert_int_equal(r.status, 0);
	has("text", r.out, "No data in this period. The state's first and "
	    "last hour with data:\n  2026-11-19 22:00 and 2026-11-20 08:00 "
	    "UTC; to report them:\n  --from '2026-11-19 22:00' --until "
	    "'2026-11-20 09:00'\n");
	run_free(&r);
	report(&r, "--db", db, "--format", "json", NULL);
	assert_int_equal(r.status, 0);
	has("json", r.out, ",\"no_data\":{\"first_hour\":\"2026-11-19T22:00:"
	    "00+00:00\",\"last_hour\":\"2026-11-20T08:00:00+00:00\"},"
	    "\"totals\":{\"connections\":0,");
	run_free(&r);
	report(&r, "--db", db, "--format", "csv", NULL);
	assert_int_equal(r.status, 0);
	has("csv", r.out, "section,name,value,previous,detail\r\n"
	    "no_data,first_hour,2026-11-19T22:00:00+00:00,,\r\n"
	    "no_data,last_hour,2026-11-20T08:00:00+00:00,,\r\n"
	    "totals,connections,0,0,\r\n");
	run_free(&r);
	report(&r, "--db", db, "--format", "html", NULL);
	assert_int_equal(r.status, 0);
	has("html", r.out, "<p>No data in this period. The state's first "
	    "and last hour with data:<br>\n2026-11-19 22:00 and 2026-11-20 "
	    "08:00 UTC;");
	run_free(&r);

	/* The period the note names: data, and no note. */
	report(&r, "--db", db, "--from", "2026-11-19 22:00", "--until",
	    "2026-11-20 09:00", "--format", "json", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "no_data"));
	has("json", r.out, "\"totals\":{\"connections\":16,");
	run_free(&r);
	report(&r, "--db", db, "--from", "2026-11-19 22:00", "--until",
	    "2026-11-20 09:00", NULL);
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "No data"));
	run_free(&r);

	/* A state with no facts at all: it has none yet. */
	snprintf(empty, sizeof(empty), "%s/empty.db", dir);
	{
		char	 cmd[512];
		snprintf(cmd, sizeof(cmd), "%s -c %s/ff.conf --db %s scan "
		    "--no-enforce /dev/null >/dev/null 2>&1", bin_path(), dir,
		    empty);
		free(sh(cmd, NULL));
	}
	report(&r, "--db", empty, NULL);
	assert_int_equal(r.status, 0);
	has("text", r.out, "No data in this period: the state has none yet");
	run_free(&r);
	report(&r, "--db", empty, "--format", "json", NULL);
	has("json", r.out, "\"no_data\":{\"first_hour\":null,\"last_hour\":"
	    "null}");
	run_free(&r);
}

/* test_answers_since_range - --since outside 1h..3650d says the range */
static void
test_answers_since_range(void **state)
{
	static const char *const bad[] = { "100000h", "3651d", "30m" };
	struct run_result r;
	char		 db[96];
	size_t		 i;

	(void)state;
	snprintf(db, sizeof(db), "%s/state.db", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		report(&r, "--db", db, "--since", bad[i], NULL);
		assert_int_equal(r.status, 65);
		has("stderr", r.err, bad[i]);
		has("stderr", r.err, "out of range: from 1h to 3650d");
		assert_int_equal(r.outlen, 0);
		run_free(&r);
	}
	report(&r, "--db", db, "--since", "soon", NULL);
	assert_int_equal(r.status, 65);
	has("stderr", r.err, "expected a duration from 1h to 3650d");
	run_free(&r);
	report(&r, "--db", db, "--since", "3650d", NULL);	/* the limit */
	assert_int_equal(r.status, 0);
	has("text", r.out, "  connections                      16 ");
	run_free(&r);
}

/* test_answers_legend - connections and sessions defined under the
 * totals of the text summary */
static void
test_answers_legend(void **state)
{
	struct run_result r;

	(void)state;
	report(&r, "--log", SMALL, NULL);
	assert_int_equal(r.status, 0);
	has("text", r.out, "  new bans ");
	has("text", r.out, "\n\n  Connections: client sessions with smtpd; "
	    "sessions: those and the ones\n  postscreen ended before smtpd, "
	    "one per TCP connection.\n\nRejects by class\n");
	run_free(&r);
}

/* mailed - whether the recording sendmail was run */
static int
mailed(void)
{
	char		 path[96];
	struct stat	 sb;

	snprintf(path, sizeof(path), "%s/mailed", dir);
	return (stat(path, &sb) == 0);
}

/* test_answers_no_mail - nothing is mailed when the report cannot be
 * made; the message says what is missing and what to do */
static void
test_answers_no_mail(void **state)
{
	struct run_result r;
	char		 missing[96], none[96];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/mail.log", dir);
	report(&r, "--log", missing, "--mail-to", "root", NULL);
	assert_int_equal(r.status, 66);
	assert_false(mailed());
	has("stderr", r.err, missing);
	has("stderr", r.err, "No such file or directory: no report made, "
	    "nothing mailed");
	has("stderr", r.err, "--journal");
	run_free(&r);
	/* One of two missing: no part passes for the whole. */
	report(&r, "--log", SMALL, "--log", missing, "--mail-to", "root",
	    NULL);
	assert_int_equal(r.status, 66);
	assert_false(mailed());
	run_free(&r);
	/* Printed, likewise: no report. */
	report(&r, "--log", missing, NULL);
	assert_int_equal(r.status, 66);
	assert_int_equal(r.outlen, 0);
	has("stderr", r.err, "no report made;");
	run_free(&r);

	/* cron's line before the daemon made its state: what to do. */
	snprintf(none, sizeof(none), "%s/none.db", dir);
	report(&r, "--since", "24h", "--mail-to", "root", NULL);
	assert_int_equal(r.status, 66);
	assert_false(mailed());
	assert_int_equal(r.outlen, 0);
	has("stderr", r.err, "no state yet at ");
	has("stderr", r.err, none);
	has("stderr", r.err, "start it (systemctl enable --now fivefifty)");
	run_free(&r);

	/* And the mail does go out when the report can be made. */
	report(&r, "--log", SMALL, "--mail-to", "root", NULL);
	assert_int_equal(r.status, 0);
	assert_true(mailed());
	run_free(&r);
}

const struct CMUnitTest report_answers_tests[] = {
	cmocka_unit_test_setup_teardown(test_answers_no_data, setup, teardown),
	cmocka_unit_test_setup_teardown(test_answers_since_range, setup,
	    teardown),
	cmocka_unit_test_setup_teardown(test_answers_legend, setup, teardown),
	cmocka_unit_test_setup_teardown(test_answers_no_mail, setup, teardown),
};
const size_t report_answers_tests_count = sizeof(report_answers_tests) /
    sizeof(report_answers_tests[0]);

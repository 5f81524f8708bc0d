/*	$fivefifty: test_reports.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_reports 3 - `fivefifty report helo|fivefifties|summary`
 * DESCRIPTION
 *	Runs the built binary (FIVEFIFTY_BIN) with TZ=UTC and the pinned
 *	configuration tests/cases/reports/reports.conf (firewall off, no map):
 *	- goldens: every report in every format over the hand-made log
 *	  tests/cases/reports/small.log (ISO stamps with an offset, so no
 *	  year comes from the file's mtime), for a fixed host and period, equal
 *	  the files tests/cases/reports/NAME.golden byte for byte; the log read
 *	  as a FILE argument, from standard input and gzip'd gives the same;
 *	  the same reports from a state made by `scan` of that log are the same
 *	  but for the source word ("state" for "logs"), and the summary from
 *	  the state is a golden of its own;
 *	- a line of 300 KiB in the middle of that log (plain, gzip'd, gzip'd
 *	  on standard input) is cut and counted (-v says so) and every line
 *	  after it is read: the summary is still the golden;
 *	- parse-back: every JSON output parses with jq, every CSV output with
 *	  python3's csv module (the same number of fields on each row as the
 *	  header), and JSON, CSV and text agree on the rows and totals;
 *	- an independent count: the HELO names of the reject lines of the lab
 *	  log and of every real-world log, counted by grep, sort and uniq -c,
 *	  equal `report helo` name by name, from the logs and from the state;
 *	- the state and the logs agree on the lab log for every report and
 *	  format over the same whole hours;
 *	- hostile peer text (markup, quotes and commas, spreadsheet formulas,
 *	  CR, \x01, ESC sequences, bytes 0x80-0xff, a 2000-byte HELO) stays
 *	  inert in every format, is capped, and round-trips through JSON in
 *	  its stored (\xNN-escaped) form;
 *	- text reports fit 80 columns;
 *	- usage errors exit 64, bad times 65, a missing state 66.
 *
 *	FIVEFIFTY_BLESS=1 rewrites the goldens from the binary's output and
 *	then fails, so that a blessed run never counts as passed: read every
 *	rewritten file before committing it.
 */
#include <sys/stat.h>

#include <glob.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <utime.h>

#include "tests.h"

#define CASES	"tests/cases/reports"
#define CONF	CASES "/reports.conf"
#define SMALL	CASES "/small.log"
#define HOST	"mx.example.test"
#define FROM	"2026-11-20"		/* the goldens' period, UTC */
#define UNTIL	"2026-11-21"
#define LAB_FROM "2026-11-21 13:00"	/* the lab log's hour */
#define LAB_UNTIL "2026-11-21 14:00"
#define LAB_MTIME 1795286716LL		/* 2026-11-21 18:45:16 UTC */

/* Timestamps a log line begins with: BSD syslog or RFC 3339. */
#define STAMP_RE "^([A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} " \
	"|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})"

static const struct golden {
	const char	*file;		/* under CASES */
	const char	*report;
	const char	*format;
	const char	*extra;		/* one more option, or NULL */
} goldens[] = {
	{ "helo.text.golden", "helo", "text", NULL },
	{ "helo.csv.golden", "helo", "csv", NULL },
	{ "helo.json.golden", "helo", "json", NULL },
	{ "helo.html.golden", "helo", "html", NULL },
	{ "fivefifties.text.golden", "fivefifties", "text", NULL },
	{ "fivefifties.csv.golden", "fivefifties", "csv", NULL },
	{ "fivefifties.json.golden", "fivefifties", "json", NULL },
	{ "fivefifties.html.golden", "fivefifties", "html", NULL },
	{ "fivefifties.postfix.golden", "fivefifties", "postfix", NULL },
	{ "fivefifties-all.text.golden", "fivefifties", "text", "--all" },
	{ "summary.text.golden", "summary", "text", NULL },
	{ "summary.csv.golden", "summary", "csv", NULL },
	{ "summary.json.golden", "summary", "json", NULL },
	{ "summary.html.golden", "summary", "html", NULL },
};

static const char *const reports[] = { "helo", "fivefifties", "summary" };
static const char *const formats[] = { "text", "csv", "json", "html" };

/*
 * The CSV checker (python3's csv module, strict). check: "ROWS WIDTH BAD
 * FORMULAS", BAD the rows whose field count differs from the header's,
 * FORMULAS the fields a spreadsheet would run (a lone "-" is the
 * reports' "never", not a formula). cols C,C: those columns, tab-joined,
 * a line a row. unguard C,C: the same without the ' that guards a
 * formula, sorted. section S: the value column of the rows of section S.
 */
static const char csv_py[] =
"import csv, sys\n"
"sys.stdout.reconfigure(encoding='latin-1')\n"
"mode, path = sys.argv[1], sys.argv[2]\n"
"lead = ('=', '+', '-', '@', '\\t', '\\r')\n"
"with open(path, newline='', encoding='latin-1') as f:\n"
"    rows = list(csv.reader(f, strict=True))\n"
"if mode == 'check':\n"
"    w = len(rows[0]) if rows else 0\n"
"    bad = sum(1 for r in rows if len(r) != w)\n"
"    form = sum(1 for r in rows[1:] for x in r\n"
"               if x[:1] in lead and x != '-')\n"
"    print(len(rows) - 1, w, bad, form)\n"
"elif mode == 'section':\n"
"    print(' '.join(r[2] for r in rows[1:] if r[0] == sys.argv[3]))\n"
"else:\n"
"    cols = [int(c) for c in sys.argv[3].split(',')]\n"
"    out = []\n"
"    for r in rows[1:]:\n"
"        v = [r[c] for c in cols]\n"
"        if mode == 'unguard' and v[0][:1] == \"'\" and v[0][1:2] in lead:\n"
"            v[0] = v[0][1:]\n"
"        out.append('\\t'.join(v))\n"
"    if mode == 'unguard':\n"
"        out.sort()\n"
"    for l in out:\n"
"        print(l)\n";


struct args {
	char	*v[48];
	int	 n;
};

/* args_new - an argument list that starts with the binary */
static void
args_new(struct args *a)
{
	a->n = 0;
	a->v[a->n++] = (char *)bin_path();
	a->v[a->n] = NULL;
}

/* arg - one more argument */
static void
arg(struct args *a, const char *s)
{
	assert_true(a->n < 47);
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

/* report_args - "report WHAT -c CONF --host HOST --format F --from --until" */
static void
report_args(struct args *a, const char *what, const char *format,
    const char *from, const char *until)
{
	args_new(a);
	arg(a, "report");
	arg(a, what);
	arg(a, "-c");
	arg(a, CONF);
	arg(a, "--host");
	arg(a, HOST);
	arg(a, "--format");
	arg(a, format);
	if (from != NULL) {
		arg(a, "--from");
		arg(a, from);
	}
	if (until != NULL) {
		arg(a, "--until");
		arg(a, until);
	}
}

/* run_ok - run a, which must exit 0; its output in r */
static void
run_ok(struct args *a, const char *in, size_t inlen, struct run_result *r)
{
	assert_int_equal(run_cmd(a->v, in, inlen, r), 0);
	if (r->status != 0)
		fail_msg("%s %s %s: exit %d: %s", a->v[1], a->v[2],
		    a->n > 3 ? a->v[3] : "", r->status, r->err);
}

/* runv - run the binary with the NULL-terminated arguments after r */
static void
runv(struct run_result *r, ...)
{
	struct args	 a;
	const char	*s;
	va_list		 ap;

	args_new(&a);
	va_start(ap, r);
	while ((s = va_arg(ap, const char *)) != NULL)
		arg(&a, s);
	va_end(ap);
	assert_int_equal(run_cmd(a.v, NULL, 0, r), 0);
}

/* tool - run a program found in PATH with a fixed argv; its output */
static char *
tool(int *status, ...)
{
	char		*v[16];
	struct run_result r;
	va_list		 ap;
	char		*out;
	int		 n = 0;

	v[n++] = "/usr/bin/env";
	va_start(ap, status);
	while (n < 15 && (v[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	v[n] = NULL;
	assert_int_equal(run_cmd(v, NULL, 0, &r), 0);
	if (status != NULL)
		*status = r.status;
	else if (r.status != 0)
		fail_msg("%s %s: exit %d: %s", v[1], v[2], r.status, r.err);
	out = r.out;
	r.out = NULL;
	run_free(&r);
	return (out);
}

/* chomp - out without its trailing newlines (in place) */
static char *
chomp(char *s)
{
	size_t	n = strlen(s);

	while (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	return (s);
}

/* put - a file with len bytes of buf */
static void
put(const char *path, const char *buf, size_t len)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* tmpdir - a fresh directory under /tmp */
static void
tmpdir(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "/tmp/fivefifty-report-%s-XXXXXX", what);
	assert_non_null(mkdtemp(buf));
}

/* rmtree - remove a directory made by tmpdir */
static void
rmtree(const char *dir)
{
	char	cmd[600];

	assert_int_equal(strncmp(dir, "/tmp/fivefifty-report-", 22), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(sh(cmd, NULL));
}

/* log_time - the log time a state has reached (meta log_time), 0 when
 * it has none */
static long long
log_time(const char *db)
{
	sqlite3		*h;
	sqlite3_stmt	*q;
	long long	 t = 0;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE "
	    "key = 'log_time'", -1, &q, NULL), SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		t = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(h);
	return (t);	/* 0: the log had no event */
}

/* scan - fivefifty -c CONF --db db scan --no-enforce log */
static void
scan(const char *db, const char *log)
{
	struct run_result r;

	runv(&r, "-c", CONF, "--db", db, "scan", "--no-enforce", log, NULL);
	if (r.status != 0)
		fail_msg("scan %s: exit %d: %s", log, r.status, r.err);
	run_free(&r);
}

/* first_diff - where a and b differ, for a message: the line number and
 * both lines from a little before the first difference (cut) */
static void
first_diff(const char *what, const char *a, size_t alen, const char *b,
    size_t blen)
{
	size_t	 i, line = 1, sol = 0, ea, eb;

	for (i = 0; i < alen && i < blen && a[i] == b[i]; i++)
		if (a[i] == '\n') {
			line++;
			sol = i + 1;
		}
	if (i > sol + 60)
		sol = i - 60;
	for (ea = sol; ea < alen && a[ea] != '\n' && ea < sol + 140; ea++)
		continue;
	for (eb = sol; eb < blen && b[eb] != '\n' && eb < sol + 140; eb++)
		continue;
	print_error("%s: differs at line %zu, byte %zu:\n  got:  %.*s\n"
	    "  want: %.*s\n", what, line, i, (int)(ea - sol), a + sol,
	    (int)(eb - sol), b + sol);
}

/* same - whether got equals want; says where not */
static int
same(const char *what, const char *got, size_t glen, const char *want,
    size_t wlen)
{
	if (glen == wlen && memcmp(got, want, glen) == 0)
		return (1);
	first_diff(what, got, glen, want, wlen);
	return (0);
}

/* replace_all - s with every from made to; *n counts them (malloc'd) */
static char *
replace_all(const char *s, const char *from, const char *to, int *n)
{
	size_t		 fl = strlen(from), tl = strlen(to), k = 0;
	const char	*p, *q;
	char		*out;

	for (p = s; (q = strstr(p, from)) != NULL; p = q + fl)
		k++;
	out = malloc(strlen(s) + k * (tl > fl ? tl - fl : 0) + 1);
	assert_non_null(out);
	out[0] = '\0';
	k = 0;
	for (p = s; (q = strstr(p, from)) != NULL; p = q + fl) {
		memcpy(out + k, p, (size_t)(q - p));
		k += (size_t)(q - p);
		memcpy(out + k, to, tl);
		k += tl;
		(*n)++;
	}
	strcpy(out + k, p);
	return (out);
}

/* as_state - a report from the logs as the same one from the state says
 * it: "the logs" -> "the state", "source":"logs" -> "source":"state";
 * *n counts the changes (malloc'd) */
static char *
as_state(const char *logs, int *n)
{
	char	*a, *b;

	*n = 0;
	a = replace_all(logs, "the logs", "the state", n);
	b = replace_all(a, "\"source\":\"logs\"", "\"source\":\"state\"", n);
	free(a);
	return (b);
}

/* bless - FIVEFIFTY_BLESS is set: goldens are written, not compared */
static int
bless(void)
{
	const char	*b = getenv("FIVEFIFTY_BLESS");

	return (b != NULL && b[0] != '\0' && strcmp(b, "0") != 0);
}

/* golden_check - output against the golden file name (or write it when
 * blessing); 1 when equal */
static int
golden_check(const char *name, const char *out, size_t len)
{
	char	 path[256], *want;
	size_t	 wlen;
	int	 ok;

	snprintf(path, sizeof(path), CASES "/%s", name);
	if (bless()) {
		put(path, out, len);
		print_message("blessed %s\n", path);
		return (1);
	}
	if ((want = read_file(path, &wlen)) == NULL) {
		print_error("%s: cannot read it\n", path);
		return (0);
	}
	ok = same(path, out, len, want, wlen);
	free(want);
	return (ok);
}

/* golden_run - the report of one golden from --log small.log */
static void
golden_run(const struct golden *g, struct run_result *r)
{
	struct args	 a;

	report_args(&a, g->report, g->format, FROM, UNTIL);
	if (g->extra != NULL)
		arg(&a, g->extra);
	arg(&a, "--log");
	arg(&a, SMALL);
	run_ok(&a, NULL, 0, r);
}

/* test_report_golden - every report and format over small.log equals its
 * golden; as a FILE argument, from stdin and gzip'd too */
static void
test_report_golden(void **state)
{
	struct run_result r;
	struct args	 a;
	char		 dir[64], gz[128], cmd[300], *log, *want;
	size_t		 i, loglen, wlen;
	int		 bad = 0;

	(void)state;
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		golden_run(&goldens[i], &r);
		bad += !golden_check(goldens[i].file, r.out, r.outlen);
		run_free(&r);
	}
	if (bless())
		fail_msg("goldens rewritten: read each one, then run again");
	assert_int_equal(bad, 0);

	/* The same log as a FILE argument, as "-" (stdin), and gzip'd. */
	want = read_file(CASES "/summary.text.golden", &wlen);
	assert_non_null(want);
	log = read_file(SMALL, &loglen);
	assert_non_null(log);
	report_args(&a, "summary", "text", FROM, UNTIL);
	arg(&a, SMALL);
	run_ok(&a, NULL, 0, &r);
	bad += !same("summary, FILE argument", r.out, r.outlen, want, wlen);
	run_free(&r);
	report_args(&a, "summary", "text", FROM, UNTIL);
	arg(&a, "-");
	run_ok(&a, log, loglen, &r);
	bad += !same("summary, stdin", r.out, r.outlen, want, wlen);
	run_free(&r);
	tmpdir(dir, sizeof(dir), "gz");
	snprintf(gz, sizeof(gz), "%s/small.log.gz", dir);
	snprintf(cmd, sizeof(cmd), "gzip -9 -c " SMALL " > %s", gz);
	free(sh(cmd, NULL));
	report_args(&a, "summary", "text", FROM, UNTIL);
	arg(&a, "--log");
	arg(&a, gz);
	run_ok(&a, NULL, 0, &r);
	bad += !same("summary, gzip'd", r.out, r.outlen, want, wlen);
	run_free(&r);
	free(log);
	free(want);
	rmtree(dir);
	assert_int_equal(bad, 0);
}

/* long_run - report summary (-v) over log, given as FILE or on stdin;
 * stdout must be want and stderr count nlines lines and one cut */
static int
long_run(const char *what, const char *log, const char *in, size_t inlen,
    const char *want, size_t wlen, size_t nlines)
{
	struct run_result r;
	struct args	 a;
	char		 note[96];
	int		 ok;

	args_new(&a);
	arg(&a, "-v");
	arg(&a, "report");
	arg(&a, "summary");
	arg(&a, "-c");
	arg(&a, CONF);
	arg(&a, "--host");
	arg(&a, HOST);
	arg(&a, "--from");
	arg(&a, FROM);
	arg(&a, "--until");
	arg(&a, UNTIL);
	arg(&a, log);
	assert_int_equal(run_cmd(a.v, in, inlen, &r), 0);
	snprintf(note, sizeof(note), "report: %zu lines read (1 cut at 64 KiB)",
	    nlines);
	ok = same(what, r.out, r.outlen, want, wlen);
	if (r.status != 0 || strstr(r.err, note) == NULL) {
		print_message("%s: exit %d, no \"%s\" in:\n", what, r.status,
		    note);
		print_lines(r.err);
		ok = 0;
	}
	run_free(&r);
	return (ok);
}

/* test_report_long_line - a line of 300 KiB in the middle of small.log,
 * plain, gzip'd and gzip'd on stdin: cut and counted, and the lines after
 * it read (the summary is still the golden) */
static void
test_report_long_line(void **state)
{
	char		 dir[64], plain[128], gz[128], cmd[400], *log, *want;
	char		*buf, *mid, *gzdata;
	size_t		 loglen, wlen, big = 300 * 1024, nlines = 0, n, i;
	size_t		 gzlen;
	int		 bad = 0;

	(void)state;
	want = read_file(CASES "/summary.text.golden", &wlen);
	assert_non_null(want);
	log = read_file(SMALL, &loglen);
	assert_non_null(log);
	for (i = 0; i < loglen; i++)
		nlines += log[i] == '\n';
	/* small.log's first half, the long line, the second half */
	mid = log + loglen / 2;
	while (*mid != '\n')
		mid++;
	mid++;
	n = (size_t)(mid - log);
	assert_non_null(buf = malloc(loglen + big + 1));
	memcpy(buf, log, n);
	memcpy(buf + n, "2026-11-20T07:00:00.000000+00:00 mx "
	    "postfix/smtpd[7]: ", 54);
	memset(buf + n + 54, 'A', big - 54);
	buf[n + big] = '\n';
	memcpy(buf + n + big + 1, mid, loglen - n);
	tmpdir(dir, sizeof(dir), "long");
	snprintf(plain, sizeof(plain), "%s/mail.log", dir);
	snprintf(gz, sizeof(gz), "%s/mail.log.1.gz", dir);
	put(plain, buf, loglen + big + 1);
	snprintf(cmd, sizeof(cmd), "gzip -c %s > %s", plain, gz);
	free(sh(cmd, NULL));
	gzdata = read_file(gz, &gzlen);
	assert_non_null(gzdata);
	bad += !long_run("long line, plain", plain, NULL, 0, want, wlen,
	    nlines + 1);
	bad += !long_run("long line, gzip'd", gz, NULL, 0, want, wlen,
	    nlines + 1);
	bad += !long_run("long line, gzip'd on stdin", "-", gzdata, gzlen,
	    want, wlen, nlines + 1);
	free(gzdata);
	free(buf);
	free(log);
	free(want);
	rmtree(dir);
	assert_int_equal(bad, 0);
}

/* test_report_golden_state - the goldens again, from a state made by
 * scan of small.log: the same but for the source word */
static void
test_report_golden_state(void **state)
{
	struct run_result r;
	struct args	 a;
	char		 dir[64], db[128], path[256], *want, *conv;
	size_t		 i, wlen;
	int		 bad = 0, n;

	(void)state;
	tmpdir(dir, sizeof(dir), "state");
	snprintf(db, sizeof(db), "%s/state.db", dir);
	scan(db, SMALL);
	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];

		report_args(&a, g->report, g->format, FROM, UNTIL);
		if (g->extra != NULL)
			arg(&a, g->extra);
		arg(&a, "--db");
		arg(&a, db);
		run_ok(&a, NULL, 0, &r);
		snprintf(path, sizeof(path), CASES "/%s", g->file);
		want = read_file(path, &wlen);
		assert_non_null(want);
		conv = as_state(want, &n);
		/* Every format but CSV and the postfix table names it. */
		if (strcmp(g->format, "csv") != 0 &&
		    strcmp(g->format, "postfix") != 0 && n == 0) {
			print_error("%s: no source word\n", path);
			bad++;
		}
		bad += !same(path, r.out, r.outlen, conv, strlen(conv));
		free(conv);
		free(want);
		/* The state's summary is a golden of its own. */
		if (strcmp(g->file, "summary.text.golden") == 0)
			bad += !golden_check("summary-state.text.golden", r.out,
			    r.outlen);
		run_free(&r);
	}
	rmtree(dir);
	if (bless())
		fail_msg("goldens rewritten: read each one, then run again");
	assert_int_equal(bad, 0);
}

/* ends_time - whether a line ends with "MM-DD HH:MM" */
static int
ends_time(const char *s, size_t n)
{
	static const char shape[] = "00-00 00:00";
	size_t		 i;

	if (n < 11)
		return (0);
	s += n - 11;
	for (i = 0; i < 11; i++)
		if (shape[i] == '0' ? s[i] < '0' || s[i] > '9' :
		    s[i] != shape[i])
			return (0);
	return (1);
}

/* text_rows - the rows of a text table: helo's end with a time, the
 * five-fifties' first lines are "  ADDRESS ..." */
static long
text_rows(const char *text, int fivefifties)
{
	const char	*p, *e;
	long		 n = 0;

	for (p = text; *p != '\0'; p = *e == '\n' ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (!fivefifties)
			n += ends_time(p, (size_t)(e - p));
		else if (e - p > 2 && p[0] == ' ' && p[1] == ' ' &&
		    p[2] != ' ' && p[2] != '(' && strncmp(p + 2, "client ",
		    7) != 0 && strncmp(p + 2, "...", 3) != 0)
			n++;
	}
	return (n);
}

/* save_run - run a report and save its output as dir/name */
static char *
save_run(struct args *a, const char *dir, const char *name, char *path,
    size_t len)
{
	struct run_result r;
	char		*out;

	snprintf(path, len, "%s/%s", dir, name);
	run_ok(a, NULL, 0, &r);
	put(path, r.out, r.outlen);
	out = r.out;
	r.out = NULL;
	run_free(&r);
	return (out);
}

/* parse_back - JSON, CSV and text of each report over src agree */
static void
parse_back(const char *dir, const char *src, const char *from,
    const char *until)
{
	static const char *const jq_rows[] = {
		"if (.rows|length) != .names then error(\"names\") else "
		".rows[]|\"\\(.helo)\\t\\(.rejects)\\t\\(.clients)\" end",
		".rows[]|\"\\(.client)\\t\\(.retries)\\t\\(.sessions)\"",
		".totals|[.connections,.sessions,.accepted_messages,.rejects,"
		".distinct_clients,.new_bans]|map(tostring)|join(\" \")",
	};
	static const char *const csv_cols[] = { "0,1,2", "0,6,8", NULL };
	char		 p[4][300], *out[4], *a, *b, *c, cmd[700];
	struct args	 ar;
	size_t		 i, k;
	long		 rows, width, bad, form;

	for (i = 0; i < 3; i++) {
		for (k = 0; k < 4; k++) {
			char name[64];

			report_args(&ar, reports[i], formats[k], from, until);
			arg(&ar, "--top");
			arg(&ar, "0");
			arg(&ar, "--log");
			arg(&ar, src);
			snprintf(name, sizeof(name), "%s.%s", reports[i],
			    formats[k]);
			out[k] = save_run(&ar, dir, name, p[k], sizeof(p[k]));
		}
		/* JSON: jq parses it, and the rows are there. */
		free(tool(NULL, "jq", "-e", i == 2 ? ".totals" : ".rows",
		    p[2], NULL));
		/* CSV: python's csv parses it, every row as wide as the
		 * header, no formula. */
		a = chomp(tool(NULL, "python3", "-c", csv_py, "check", p[1],
		    NULL));
		assert_int_equal(sscanf(a, "%ld %ld %ld %ld", &rows, &width,
		    &bad, &form), 4);
		free(a);
		assert_true(width >= 4);
		assert_int_equal(bad, 0);
		assert_int_equal(form, 0);
		/* The same rows (or totals) in JSON, CSV and text. */
		a = chomp(tool(NULL, "jq", "-r", jq_rows[i], p[2], NULL));
		if (i < 2) {
			b = chomp(tool(NULL, "python3", "-c", csv_py, "cols",
			    p[1], csv_cols[i], NULL));
			assert_true(rows > 0);
			assert_int_equal(text_rows(out[0], i == 1), rows);
		} else {
			b = chomp(tool(NULL, "python3", "-c", csv_py,
			    "section", p[1], "totals", NULL));
			snprintf(cmd, sizeof(cmd), "awk '/^Totals/ { t = 1; "
			    "next } t && /^$/ { exit } t { s = s (s == \"\" ? "
			    "\"\" : \" \") $(NF - 2) } END { print s }' %s",
			    p[0]);
			c = chomp(sh(cmd, NULL));
			assert_string_equal(c, b);
			free(c);
		}
		assert_true(strlen(a) > 0);
		assert_string_equal(a, b);
		free(a);
		free(b);
		/* HTML: its tables are closed. */
		for (k = 0; k < 2; k++) {
			const char *otag = k ? "<tr>" : "<table";
			const char *ctag = k ? "</tr>" : "</table>";
			long no = 0, nc = 0;
			const char *q;

			for (q = out[3]; (q = strstr(q, otag)) != NULL; q++)
				no++;
			for (q = out[3]; (q = strstr(q, ctag)) != NULL; q++)
				nc++;
			assert_true(no > 0);
			assert_int_equal(no, nc);
		}
		for (k = 0; k < 4; k++)
			free(out[k]);
	}
}

/* lab_copy - the lab log as dir/lab.log with a fixed mtime (its stamps
 * have no year: it comes from the mtime) */
static void
lab_copy(const char *dir, char *path, size_t len)
{
	struct utimbuf	 ub;
	char		 src[512], *text;
	size_t		 n;

	text = read_file(shared_path("corpus/lab/postfix37-lab.log", src,
	    sizeof(src)), &n);
	assert_non_null(text);
	snprintf(path, len, "%s/lab.log", dir);
	put(path, text, n);
	free(text);
	ub.actime = ub.modtime = (time_t)LAB_MTIME;
	assert_int_equal(utime(path, &ub), 0);
}

/* test_report_parse_back - JSON and CSV parse, and agree with the text,
 * over small.log and the lab log */
static void
test_report_parse_back(void **state)
{
	char	 dir[64], lab[128];

	(void)state;
	need_corpus();
	tmpdir(dir, sizeof(dir), "parse");
	parse_back(dir, SMALL, FROM, UNTIL);
	lab_copy(dir, lab, sizeof(lab));
	parse_back(dir, lab, LAB_FROM, LAB_UNTIL);
	rmtree(dir);
}

/* test_report_helo_count - report helo equals grep | grep -o | sort |
 * uniq -c over the reject lines, name by name, from logs and state */
static void
test_report_helo_count(void **state)
{
	char		 dir[64], pat[512], lab[512], csv[128], db[128];
	char		 from[32];
	long long	 lt;
	char		 cmd[1400], *files[32], *oracle, *got, *q;
	struct run_result r, rd;
	struct args	 a;
	glob_t		 g;
	size_t		 i, nfiles = 0;
	long		 names, total_names = 0;
	int		 bad = 0;

	(void)state;
	need_corpus();
	tmpdir(dir, sizeof(dir), "helo");
	files[nfiles++] = (char *)shared_path("corpus/lab/postfix37-lab.log",
	    lab, sizeof(lab));
	assert_int_equal(glob(shared_path("corpus/realworld/*.log", pat,
	    sizeof(pat)), 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 5);
	for (i = 0; i < g.gl_pathc && nfiles < 32; i++)
		files[nfiles++] = g.gl_pathv[i];
	snprintf(csv, sizeof(csv), "%s/helo.csv", dir);
	for (i = 0; i < nfiles; i++) {
		/*
		 * The oracle: lines that begin with a timestamp, with
		 * ": reject: ", their helo=<...> (grep -o semantics), counted
		 * per name. The timestamp filter matters for
		 * realworld/modoboa-template.log, whose "%(day)s" stamps are
		 * a template's placeholders, not log lines: the parser
		 * counts none of them, and neither does the oracle.
		 */
		snprintf(cmd, sizeof(cmd), "LC_ALL=C grep -aE '" STAMP_RE
		    "' '%s' | LC_ALL=C grep -aF ': reject: ' | LC_ALL=C "
		    "grep -ao 'helo=<[^>]*>' | LC_ALL=C sort | LC_ALL=C uniq "
		    "-c | sed -E 's/^ *([0-9]+) helo=<(.*)>$/\\2\\t\\1/' | "
		    "LC_ALL=C sort", files[i]);
		oracle = chomp(sh(cmd, NULL));
		if (strstr(files[i], "modoboa-template") != NULL) {
			/* Not vacuous: there are template reject lines. */
			int st;
			char *raw;

			snprintf(cmd, sizeof(cmd), "grep -c "
			    "': reject: .*helo=<' '%s'", files[i]);
			raw = chomp(sh(cmd, &st));
			assert_true(atol(raw) > 0);
			assert_string_equal(oracle, "");
			free(raw);
		}
		args_new(&a);
		arg(&a, "report");
		arg(&a, "helo");
		arg(&a, "-c");
		arg(&a, CONF);
		arg(&a, "--format");
		arg(&a, "csv");
		arg(&a, "--top");
		arg(&a, "0");
		arg(&a, "--log");
		arg(&a, files[i]);
		run_ok(&a, NULL, 0, &r);
		put(csv, r.out, r.outlen);
		got = chomp(tool(NULL, "python3", "-c", csv_py, "unguard", csv,
		    "0,1", NULL));
		if (strcmp(got, oracle) != 0) {
			print_error("%s: report helo differs from grep:\n",
			    files[i]);
			first_diff(files[i], got, strlen(got), oracle,
			    strlen(oracle));
			bad++;
		}
		names = got[0] != '\0' ? 1 : 0;
		for (q = got; (q = strchr(q, '\n')) != NULL; q++)
			names++;
		total_names += names;
		/* The same from a state made by scan. The state keeps 30
		 * days of log time (state_prune()), so both look at the
		 * last 29 days of the file only. */
		snprintf(db, sizeof(db), "%s/%zu.db", dir, i);
		scan(db, files[i]);
		lt = log_time(db);
		snprintf(from, sizeof(from), "@%lld", lt > 29 * 86400LL ?
		    lt - 29 * 86400LL : 0);
		a.n -= 2;			/* --log FILE */
		a.v[a.n] = NULL;
		arg(&a, "--from");
		arg(&a, from);
		arg(&a, "--log");
		arg(&a, files[i]);
		run_free(&r);
		run_ok(&a, NULL, 0, &r);
		a.n -= 2;			/* --log FILE */
		a.v[a.n] = NULL;
		arg(&a, "--db");
		arg(&a, db);
		run_ok(&a, NULL, 0, &rd);
		if (!same(files[i], rd.out, rd.outlen, r.out, r.outlen)) {
			print_error("%s: report helo --db (got) differs from "
			    "--log (want)\n", files[i]);
			bad++;
		}
		run_free(&rd);
		if (i == 0)
			assert_true(names > 100);	/* the lab log */
		run_free(&r);
		free(got);
		free(oracle);
	}
	globfree(&g);
	rmtree(dir);
	assert_true(total_names > 1000);
	assert_int_equal(bad, 0);
}

/* test_report_state_logs - the lab log: each report and format from the
 * logs and from the state of the same logs, over the same hours */
static void
test_report_state_logs(void **state)
{
	char		 dir[64], lab[128], db[128], *conv;
	struct run_result rl, rs;
	struct args	 a;
	size_t		 i, k;
	int		 bad = 0, n;

	(void)state;
	need_corpus();
	tmpdir(dir, sizeof(dir), "lab");
	lab_copy(dir, lab, sizeof(lab));
	snprintf(db, sizeof(db), "%s/lab.db", dir);
	scan(db, lab);
	for (i = 0; i < 3; i++)
		for (k = 0; k < 5; k++) {
			const char *f = k < 4 ? formats[k] : "postfix";
			char what[64];

			if (k == 4 && i != 1)
				continue;	/* postfix: fivefifties only */
			report_args(&a, reports[i], f, LAB_FROM, LAB_UNTIL);
			arg(&a, "--top");
			arg(&a, "0");
			arg(&a, "--log");
			arg(&a, lab);
			run_ok(&a, NULL, 0, &rl);
			a.n -= 2;
			a.v[a.n] = NULL;
			arg(&a, "--db");
			arg(&a, db);
			run_ok(&a, NULL, 0, &rs);
			conv = as_state(rl.out, &n);
			snprintf(what, sizeof(what), "lab %s %s", reports[i],
			    f);
			assert_true(rl.outlen > 200);
			if (k != 1 && k != 4 && n == 0) {
				print_error("%s: no source word\n", what);
				bad++;
			}
			bad += !same(what, rs.out, rs.outlen, conv,
			    strlen(conv));
			free(conv);
			run_free(&rl);
			run_free(&rs);
		}
	rmtree(dir);
	assert_int_equal(bad, 0);
}

/* The hostile values, each in a HELO and a sender. */
static const struct {
	const char	*v;
	size_t		 len;
} hostile[] = {
#define H(s)	{ s, sizeof(s) - 1 }
	H("<script>alert(1)</script>"),
	H("\"quoted\",comma"),
	H("=cmd|' /C calc'!A0"),
	H("cr\rinside.example"),
	H("\x1b[31mred\x1b[0m"),
	H("ctl\x01" "byte"),
	H("amp&ersand'apos"),
	H("+SUM(1)"),
	H("-2+3"),
	H("@SUM(1)"),
	H("back\\slash"),
#undef H
	{ NULL, 2000 },		/* "L" and 1999 "a" */
	{ NULL, 130 },		/* "hi" and the bytes 0x80-0xff */
};
#define NHOSTILE	(sizeof(hostile) / sizeof(hostile[0]))

/* A five-fifty's verified name, as long as DNS allows a label (63). */
static const char long_name[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    "bbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccc"
    "cccccccccccccccccccccc.example";
#define FACT_CAP	255	/* FACT_VALUE: input bytes kept */

/* hostile_value - the bytes of hostile value i */
static size_t
hostile_value(size_t i, char *buf)
{
	size_t	k;

	if (hostile[i].v != NULL) {
		memcpy(buf, hostile[i].v, hostile[i].len);
		return (hostile[i].len);
	}
	if (hostile[i].len == 2000) {
		buf[0] = 'L';
		memset(buf + 1, 'a', 1999);
		return (2000);
	}
	buf[0] = 'h';
	buf[1] = 'i';
	for (k = 0; k < 128; k++)
		buf[2 + k] = (char)(0x80 + k);
	return (130);
}

/* stored - how a value is stored: bytes outside printable ASCII and the
 * backslash as \xNN, at most FACT_CAP input bytes, then "..." */
static void
stored(const char *v, size_t len, char *out)
{
	size_t	i, w = 0;

	for (i = 0; i < len && i < FACT_CAP; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[w++] = (char)c;
		else
			w += (size_t)sprintf(out + w, "\\x%02x", c);
	}
	if (len > FACT_CAP)
		w += (size_t)sprintf(out + w, "...");
	out[w] = '\0';
}

/* by_str - qsort strings */
static int
by_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* sorted_lines - n strings, sorted, a line each (malloc'd) */
static char *
sorted_lines(const char *const *v, size_t n)
{
	const char	**w;
	size_t		 i, len = 1;
	char		*out;

	w = calloc(n + 1, sizeof(*w));
	assert_non_null(w);
	memcpy(w, v, n * sizeof(*w));
	qsort(w, n, sizeof(*w), by_str);
	for (i = 0; i < n; i++)
		len += strlen(w[i]) + 1;
	out = calloc(1, len);
	assert_non_null(out);
	for (i = 0; i < n; i++) {
		strcat(out, w[i]);
		if (i + 1 < n)
			strcat(out, "\n");
	}
	free(w);
	return (out);
}

/* long_lines - the lines of text longer than 80 columns, listed into
 * msg; their number */
static int
long_lines(const char *what, const char *text, char *msg, size_t len)
{
	const char	*p, *e;
	size_t		 w = strlen(msg);
	int		 n = 0, line = 1;

	for (p = text; *p != '\0'; p = *e == '\n' ? e + 1 : e, line++) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (e - p <= 80)
			continue;
		n++;
		if (w + 200 < len)
			w += (size_t)snprintf(msg + w, len - w,
			    "  %s line %d: %d columns: %.60s...\n", what, line,
			    (int)(e - p), p);
	}
	return (n);
}

/* plain_text - every byte a newline or printable ASCII; crlf: CR before
 * a newline too (CSV); tabs: tabs too (the postfix table) */
static int
plain_text(const char *s, size_t n, int crlf, int tabs)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (crlf && s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (tabs && s[i] == '\t')
			continue;
		if (s[i] != '\n' && (s[i] < 0x20 || s[i] > 0x7e))
			return (0);
	}
	return (1);
}

/* hostile_log - the hostile fixture: a 550 of an unknown recipient per
 * value (the value as HELO and sender, from its own client), and a
 * five-fifty whose client has a long verified name */
static void
hostile_log(const char *path)
{
	char		 v[2100];
	size_t		 i, n;
	FILE		*fp;

	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 0; i < NHOSTILE; i++) {
		n = hostile_value(i, v);
		fprintf(fp, "2026-11-20T06:%02zu:00.000000+00:00 mx "
		    "postfix/smtpd[200]: connect from "
		    "unknown[198.51.100.%zu]\n", i, 10 + i);
		fprintf(fp, "2026-11-20T06:%02zu:01.000000+00:00 mx "
		    "postfix/smtpd[200]: NOQUEUE: reject: RCPT from "
		    "unknown[198.51.100.%zu]: 550 5.1.1 <nobody@example.test>: "
		    "Recipient address rejected: User unknown in local "
		    "recipient table; from=<", i, 10 + i);
		fwrite(v, 1, n, fp);
		fputs("> to=<nobody@example.test> proto=ESMTP helo=<", fp);
		fwrite(v, 1, n, fp);
		fputs(">\n", fp);
		fprintf(fp, "2026-11-20T06:%02zu:02.000000+00:00 mx "
		    "postfix/smtpd[200]: disconnect from "
		    "unknown[198.51.100.%zu] ehlo=1 mail=1 rcpt=0/1 quit=1 "
		    "commands=3/4\n", i, 10 + i);
	}
	for (i = 0; i < 3; i++)
		fprintf(fp, "2026-11-20T07:%02zu:00.000000+00:00 mx "
		    "postfix/smtpd[201]: connect from %s[203.0.113.77]\n"
		    "2026-11-20T07:%02zu:01.000000+00:00 mx "
		    "postfix/smtpd[201]: NOQUEUE: reject: RCPT from "
		    "%s[203.0.113.77]: 554 5.7.1 <x@y.example>: Sender address "
		    "rejected: Access denied; from=<x@y.example> "
		    "to=<nobody@example.test> proto=ESMTP helo=<%s>\n"
		    "2026-11-20T07:%02zu:02.000000+00:00 mx "
		    "postfix/smtpd[201]: disconnect from %s[203.0.113.77] "
		    "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4\n", i * 10,
		    long_name, i * 10, long_name, long_name, i * 10, long_name);
	assert_int_equal(fclose(fp), 0);
}

/* hostile_csv - a CSV output parses, its rows as wide as the header, no
 * formula; its data rows (or those of one section) */
static long
hostile_csv(const char *path, const char *section)
{
	long	 rows, width, bad, form;
	char	*out, *p;

	out = chomp(tool(NULL, "python3", "-c", csv_py, "check", path, NULL));
	assert_int_equal(sscanf(out, "%ld %ld %ld %ld", &rows, &width, &bad,
	    &form), 4);
	free(out);
	assert_int_equal(bad, 0);
	assert_int_equal(form, 0);
	if (section == NULL)
		return (rows);
	out = chomp(tool(NULL, "python3", "-c", csv_py, "section", path,
	    section, NULL));
	for (rows = out[0] != '\0', p = out; (p = strchr(p, ' ')) != NULL;
	    p++)
		rows++;
	free(out);
	return (rows);
}

/* hostile_json - whether the values of a JSON output (jq filter) are
 * exp; says how not */
static int
hostile_json(const char *path, const char *filter, const char *const *exp,
    size_t n)
{
	char	*want, *got;
	int	 ok;

	free(tool(NULL, "jq", "-e", ".", path, NULL));
	want = sorted_lines(exp, n);
	got = chomp(tool(NULL, "jq", "-r", filter, path, NULL));
	if (!(ok = strcmp(got, want) == 0)) {
		print_error("%s: the values did not come back as stored\n",
		    path);
		first_diff(path, got, strlen(got), want, strlen(want));
	}
	free(got);
	free(want);
	return (ok);
}

/* test_report_hostile - hostile peer text in every report and format */
static void
test_report_hostile(void **state)
{
	static const char *const ff_client[] = { "203.0.113.77" };
	static const char *const entities[] = {
		"&lt;script&gt;alert(1)&lt;/script&gt;",
		"&quot;quoted&quot;,comma",
		"=cmd|&#39; /C calc&#39;!A0",
		"amp&amp;ersand&#39;apos",
		"back\\x5cslash",
	};
	char		 dir[64], log[128], path[200], v[2100], name[64];
	char		 msg[4096], *exp[NHOSTILE + 1], *out;
	struct args	 a;
	size_t		 i, k, e, n;
	int		 nlong = 0, bad = 0;

	(void)state;
	tmpdir(dir, sizeof(dir), "hostile");
	snprintf(log, sizeof(log), "%s/hostile.log", dir);
	hostile_log(log);
	for (i = 0; i < NHOSTILE; i++) {
		exp[i] = malloc(sizeof(v) * 4 + 8);
		assert_non_null(exp[i]);
		n = hostile_value(i, v);
		stored(v, n, exp[i]);
	}
	/* The 2000-byte HELO is kept as 255 bytes and "...". */
	assert_int_equal(strlen(exp[NHOSTILE - 2]), FACT_CAP + 3);
	msg[0] = '\0';
	for (i = 0; i < 3; i++)
		for (k = 0; k < 5; k++) {
			const char *f = k < 4 ? formats[k] : "postfix";

			if (k == 4 && i != 1)
				continue;	/* postfix: fivefifties only */
			report_args(&a, reports[i], f, FROM, UNTIL);
			arg(&a, "--top");
			arg(&a, "0");
			arg(&a, "--log");
			arg(&a, log);
			snprintf(name, sizeof(name), "%s.%s", reports[i], f);
			out = save_run(&a, dir, name, path, sizeof(path));
			n = strlen(out);
			assert_true(n > 100);
			/* No raw control byte (no ESC), nothing above 0x7e,
			 * in any format; CSV ends its lines with CRLF. */
			if (!plain_text(out, n, k == 1, k == 4)) {
				print_error("%s: a raw control or 8-bit byte\n",
				    name);
				bad++;
			}
			switch (k) {
			case 0:
				/* The long HELO on a line of its own, cut;
				 * helo's and summary's tables fit 80 columns
				 * (test_report_width checks the five-fifties
				 * and every other source). */
				if (i == 1)
					break;
				assert_non_null(strstr(out, "\n  Laaaaaaaa"));
				assert_non_null(strstr(out,
				    "\n  \\x1b[31mred"));
				nlong += long_lines(name, out, msg,
				    sizeof(msg));
				break;
			case 1:
				/* A row per value (and the long name's HELO);
				 * one five-fifty; the summary's senders. */
				if (i == 0)
					assert_int_equal(hostile_csv(path,
					    NULL), NHOSTILE + 1);
				else if (i == 1)
					assert_int_equal(hostile_csv(path,
					    NULL), 1);
				else
					assert_int_equal(hostile_csv(path,
					    "sender"), NHOSTILE + 1);
				break;
			case 2:
				/* The values come back as they were stored. */
				exp[NHOSTILE] = i == 2 ? "x@y.example" :
				    (char *)long_name;
				if (i == 0)
					bad += !hostile_json(path,
					    "[.rows[].helo]|sort|.[]",
					    (const char *const *)exp,
					    NHOSTILE + 1);
				else if (i == 2) {
					bad += !hostile_json(path,
					    "[.top_senders[].sender]|sort|.[]",
					    (const char *const *)exp,
					    NHOSTILE + 1);
					exp[NHOSTILE] = (char *)long_name;
					bad += !hostile_json(path,
					    "[.top_helo[].helo]|sort|.[]",
					    (const char *const *)exp,
					    NHOSTILE + 1);
				} else
					bad += !hostile_json(path,
					    ".rows[].client", ff_client, 1);
				break;
			case 3:
				/* HTML: markup and quotes as entities. */
				assert_null(strcasestr(out, "<script"));
				for (e = 0; i != 1 && e < sizeof(entities) /
				    sizeof(entities[0]); e++)
					if (strstr(out, entities[e]) == NULL) {
						print_error("%s: no %s\n", name,
						    entities[e]);
						bad++;
					}
				break;
			case 4:
				/* The table holds the one that came back and
				 * no peer text. */
				assert_non_null(strstr(out,
				    "\n203.0.113.77\tREJECT came back 2 times "
				    "after a permanent rejection\n"));
				assert_null(strstr(out, "aaaa"));
				break;
			}
			free(out);
		}
	for (i = 0; i < NHOSTILE; i++)
		free(exp[i]);
	rmtree(dir);
	if (nlong > 0)
		fail_msg("text wider than 80 columns:\n%s", msg);
	assert_int_equal(bad, 0);
}

/* test_report_width - every text report fits 80 columns: the lab log,
 * small.log and the hostile fixture, every row (--top 0, --all) */
static void
test_report_width(void **state)
{
	char		 dir[64], lab[128], hpath[128], msg[8192], name[200];
	const char	*srcs[3], *from[3], *until[3];
	struct run_result r;
	struct args	 a;
	size_t		 i, s;
	int		 n = 0;

	(void)state;
	need_corpus();
	tmpdir(dir, sizeof(dir), "width");
	lab_copy(dir, lab, sizeof(lab));
	snprintf(hpath, sizeof(hpath), "%s/hostile.log", dir);
	hostile_log(hpath);
	srcs[0] = lab;
	srcs[1] = SMALL;
	srcs[2] = hpath;
	from[0] = LAB_FROM;
	until[0] = LAB_UNTIL;
	from[1] = from[2] = FROM;
	until[1] = until[2] = UNTIL;
	msg[0] = '\0';
	for (s = 0; s < 3; s++)
		for (i = 0; i < 3; i++) {
			report_args(&a, reports[i], "text", from[s], until[s]);
			arg(&a, "--top");
			arg(&a, "0");
			if (i == 1)
				arg(&a, "--all");
			arg(&a, "--log");
			arg(&a, srcs[s]);
			run_ok(&a, NULL, 0, &r);
			assert_true(r.outlen > 100);
			snprintf(name, sizeof(name), "%s %s",
			    strrchr(srcs[s], '/') + 1, reports[i]);
			n += long_lines(name, r.out, msg, sizeof(msg));
			run_free(&r);
		}
	rmtree(dir);
	if (n > 0)
		fail_msg("%d text lines wider than 80 columns:\n%s", n, msg);
}

/* test_report_usage - exit 64 for usage, 65 for times, 66 for input */
static void
test_report_usage(void **state)
{
	struct run_result r;
	struct stat	 sb;

	(void)state;
	runv(&r, "report", "nosuch", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "unknown report \"nosuch\""));
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--format", "postfix", "--log",
	    SMALL, NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "--format postfix"));
	assert_int_equal(r.outlen, 0);
	run_free(&r);
	runv(&r, "report", "summary", "-c", CONF, "--format", "xml", "--log",
	    SMALL, NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--top", "-1", "--log", SMALL,
	    NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--since", "24h", "--from",
	    FROM, "--log", SMALL, NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--mail-to", "root", "--log",
	    SMALL, NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--since", "x", "--log", SMALL,
	    NULL);
	assert_int_equal(r.status, 65);
	assert_non_null(strstr(r.err, "--since x"));
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--from", "yesterday", "--log",
	    SMALL, NULL);
	assert_int_equal(r.status, 65);
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--from", UNTIL, "--until",
	    FROM, "--log", SMALL, NULL);
	assert_int_equal(r.status, 65);
	assert_non_null(strstr(r.err, "ends before it begins"));
	run_free(&r);
	/* A missing state: 66, naming it, and not made. */
	runv(&r, "report", "helo", "-c", CONF, "--db",
	    "/tmp/fivefifty-report-no-such.db", NULL);
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, "/tmp/fivefifty-report-no-such.db"));
	assert_int_equal(r.outlen, 0);
	assert_int_equal(stat("/tmp/fivefifty-report-no-such.db", &sb), -1);
	run_free(&r);
	runv(&r, "report", "helo", "-c", CONF, "--log",
	    "/tmp/fivefifty-report-no-such.log", NULL);
	assert_int_equal(r.status, 66);
	run_free(&r);
	/* A header injection through --mail-to: refused before any mail. */
	runv(&r, "report", "summary", "-c", CONF, "--mail-to",
	    "a@b>\r\nBcc: x", "--log", SMALL, NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "--mail-to"));
	run_free(&r);
	runv(&r, "report", "summary", "-c", CONF, "--mail-to", "root",
	    "--mail-from", "a@b\nBcc: x", "--log", SMALL, NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);
}

/* test_report_global_logs - every global --log is read, as every --log
 * after the command is: the same report from the same two logs */
static void
test_report_global_logs(void **state)
{
	char		 l1[512], l2[512];
	struct run_result g, c, one;

	(void)state;
	need_corpus();
	shared_path("corpus/realworld/kdent-2015-1.log", l1, sizeof(l1));
	shared_path("corpus/realworld/kdent-2015-2.log", l2, sizeof(l2));
	runv(&g, "-c", CONF, "--log", l1, "--log", l2, "report", "helo",
	    "--format", "csv", "--top", "0", NULL);
	runv(&c, "report", "helo", "-c", CONF, "--log", l1, "--log", l2,
	    "--format", "csv", "--top", "0", NULL);
	runv(&one, "report", "helo", "-c", CONF, "--log", l1, "--format",
	    "csv", "--top", "0", NULL);
	assert_int_equal(g.status, 0);
	assert_int_equal(c.status, 0);
	assert_int_equal(one.status, 0);
	assert_string_equal(g.out, c.out);
	assert_string_not_equal(g.out, one.out);	/* both were read */
	run_free(&g);
	run_free(&c);
	run_free(&one);
}

const struct CMUnitTest report_tests[] = {
	cmocka_unit_test_setup_teardown(test_report_global_logs, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_golden, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_golden_state, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_long_line, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_parse_back, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_helo_count, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_state_logs, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_hostile, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_width, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_usage, tz_utc,
	    tz_restore),
};
const size_t report_tests_count = sizeof(report_tests) /
    sizeof(report_tests[0]);

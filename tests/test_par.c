/*	$fivefifty: test_par.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_par 3 - parsing on several threads changes nothing (parse/par.c)
 * DESCRIPTION
 *	Runs the built binary with --threads 1 (the one-thread path) and
 *	with 2, 4 and 7 threads, and wants the same bytes out, standard
 *	error included: parse --json, --count, --unmatched and text over
 *	the shared corpus's real-world logs and the lab log (several FILEs,
 *	each its own year reference); --json, --count and --unmatched on
 *	edge inputs (an empty
 *	file, no final newline, CRLF, a line of 1 MiB (longer than a chunk,
 *	cut at 64 KiB by the reader), more lines than a chunk holds, and a
 *	log of year-less stamps over New Year with stray older lines and
 *	non-Postfix lines between, whose years only come out right when the
 *	year inference is redone in order), from a FILE and from standard
 *	input; scan --dry-run's output, and scan's state (clients, evidence,
 *	bans, activity, five-fifties, open sessions, positions) and list
 *	--json after it; report summary and helo (no scoring) --format json
 *	from the logs. --threads takes 0 (one per CPU) and refuses junk (64).
 *	Everything is written under /tmp/fivefifty-par.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define PD	"/tmp/fivefifty-par"

static const char *const nthreads[] = { "2", "4", "7" };

/* runa - run the binary with the arguments up to NULL, stdin in (or none) */
static void
runa(struct run_result *r, const char *in, size_t inlen, ...)
{
	char		*argv[48];
	va_list		 ap;
	int		 n = 0;

	argv[n++] = (char *)bin_path();
	va_start(ap, inlen);
	while (n < 47 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(run_cmd(argv, in, inlen, r), 0);
}

/* runv_list - run the binary with argv (argv[0] set here) */
static void
runv_list(struct run_result *r, char **argv, const char *in, size_t inlen)
{
	argv[0] = (char *)bin_path();
	assert_int_equal(run_cmd(argv, in, inlen, r), 0);
}

/* put - write a file of len bytes */
static void
put(const char *path, const char *text, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* same_runs - argv with "--threads", "1" in slots ti, ti+1 against the
 * same with 2, 4 and 7 threads: equal stdout, stderr and status; the
 * one-thread stdout's length in *outlen (may be NULL) */
static void
same_runs(char **argv, int ti, const char *in, size_t inlen,
    size_t *outlen)
{
	struct run_result one, r;
	size_t		 i;

	argv[ti] = "--threads";
	argv[ti + 1] = "1";
	runv_list(&one, argv, in, inlen);
	for (i = 0; i < sizeof(nthreads) / sizeof(nthreads[0]); i++) {
		argv[ti + 1] = (char *)nthreads[i];
		runv_list(&r, argv, in, inlen);
		if (r.status != one.status || r.outlen != one.outlen ||
		    memcmp(r.out, one.out, one.outlen) != 0 ||
		    strcmp(r.err, one.err) != 0)
			fail_msg("%s %s --threads %s: not the output of "
			    "--threads 1 (status %d/%d, %zu/%zu bytes, stderr "
			    "\"%s\" / \"%s\")", argv[1], argv[2], nthreads[i],
			    r.status, one.status, r.outlen, one.outlen, r.err,
			    one.err);
		run_free(&r);
	}
	if (outlen != NULL)
		*outlen = one.outlen;
	run_free(&one);
}

/* The corpus's real-world logs and its lab log (corpus_files()). */
static char	 lab[1024];
static glob_t	 g;

/* corpus_files - the real-world logs and the lab log into argv from
 * slot at, then NULL; the count (corpus_free() after) */
static int
corpus_files(char **argv, int at)
{
	char		 pat[1024];
	size_t		 i;
	int		 n = 0;

	shared_path("corpus/realworld/*.log", pat, sizeof(pat));
	assert_int_equal(glob(pat, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 5);
	for (i = 0; i < g.gl_pathc && n < 20; i++)
		argv[at + n++] = g.gl_pathv[i];
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	assert_int_equal(access(lab, R_OK), 0);
	argv[at + n++] = lab;
	argv[at + n] = NULL;
	return (n);
}

/* corpus_free - what corpus_files() allocated */
static void
corpus_free(void)
{
	globfree(&g);
}

/* corpus_text - every corpus file, one after the other, in one buffer */
static char *
corpus_text(char **files, int n, size_t *len)
{
	char		*all = NULL, *t;
	size_t		 tl;
	int		 i;

	*len = 0;
	for (i = 0; i < n; i++) {
		assert_non_null(t = read_file(files[i], &tl));
		assert_non_null(all = realloc(all, *len + tl + 1));
		memcpy(all + *len, t, tl);
		*len += tl;
		free(t);
	}
	return (all);
}

/* test_par_parse_corpus - parse's four outputs, 1 against N threads */
static void
test_par_parse_corpus(void **state)
{
	static const char *const modes[] = { "--json", "--count",
	    "--year=2026" };
	char		*argv[32];
	size_t		 i, len;

	(void)state;
	need_corpus();
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		argv[1] = "parse";
		argv[2] = (char *)modes[i];
		(void)corpus_files(argv, 5);
		same_runs(argv, 3, NULL, 0, &len);
		if (i == 0 || i == 3)
			assert_true(len > 1000000);	/* it did print */
		corpus_free();
	}
}

/* years_log - year-less stamps from November over New Year, with stray
 * older months, explicit years and non-Postfix lines among them */
static char *
years_log(size_t *len)
{
	static const char mon[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	unsigned long	 x = 12345;
	size_t		 cap = 8 << 20, n = 0;
	char		*b;
	int		 i, m = 10, d = 20, mm, k;

	assert_non_null(b = malloc(cap));
	for (i = 0; i < 20000; i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		k = (int)((x >> 33) % 100);
		if (k == 0 && ++d > 28) {
			d = 1;
			m = (m + 1) % 12;
		}
		/* a stray line of five months before, now and then */
		mm = k == 1 ? (m + 7) % 12 : m;
		if (k < 70)
			n += (size_t)snprintf(b + n, cap - n, "%s %2d 10:%02d:00 "
			    "mx postfix/smtpd[%d]: connect from "
			    "unknown[192.0.2.%d]\n", mon[mm], d, i % 60, i,
			    i % 250);
		else if (k < 80)
			n += (size_t)snprintf(b + n, cap - n, "%s %2d 10:00:00 "
			    "mx dovecot[%d]: imap-login: x\n", mon[mm], d, i);
		else if (k < 90)
			n += (size_t)snprintf(b + n, cap - n, "%s %2d 10:00:00 "
			    "2019 mx postfix/smtpd[%d]: connect from "
			    "unknown[192.0.2.%d]\n", mon[mm], d, i, i % 250);
		else
			n += (size_t)snprintf(b + n, cap - n, "%s %2d 10:00:01 "
			    "mx postfix/qmgr[%d]: ABC: removed\n", mon[mm], d, i);
	}
	*len = n;
	return (b);
}

#define NEDGES	6
static char	*edges[NEDGES + 1];	/* the edge files' paths, NULL */
static int	 nedges;

/* edge - write one edge input (its mtime in mid-2021: the November to
 * January log crosses New Year) */
static void
edge(const char *name, const char *text, size_t len)
{
	char		 path[256];
	struct timespec	 ts[2];

	snprintf(path, sizeof(path), PD "/%s", name);
	put(path, text, len);
	ts[0].tv_sec = ts[1].tv_sec = 1622548800;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	assert_true(nedges < NEDGES);
	assert_non_null(edges[nedges++] = strdup(path));
}

/* edges_run - every edge file in one run (each its own input, reference
 * and last line), with mode */
static void
edges_run(const char *mode)
{
	char		*argv[24];
	int		 i;

	argv[1] = "parse";
	argv[2] = (char *)mode;
	for (i = 0; i <= nedges; i++)
		argv[5 + i] = edges[i];
	same_runs(argv, 3, NULL, 0, NULL);
}

/* test_par_parse_edges - edge inputs, 1 against N threads */
static void
test_par_parse_edges(void **state)
{
	static const char line[] = "Nov 21 13:33:22 mx postfix/smtpd[1]: "
	    "NOQUEUE: reject: RCPT from unknown[198.51.100.29]: 550 5.1.1 "
	    "<a@b>: Recipient address rejected: User unknown; from=<x@y> "
	    "to=<a@b> proto=ESMTP helo=<h>";
	struct run_result r;
	char		*b;
	size_t		 n, i, ll = sizeof(line) - 1, cap;

	(void)state;
	assert_int_equal(system("rm -rf " PD " && mkdir -p " PD), 0);
	nedges = 0;
	edge("empty.log", "", 0);
	edge("nonl.log", line, ll);
	cap = 6000 * (ll + 2) + (2 << 20);
	assert_non_null(b = malloc(cap));
	/* CRLF */
	for (n = 0, i = 0; i < 3; i++) {
		memcpy(b + n, line, ll);
		memcpy(b + n + ll, "\r\n", 2);
		n += ll + 2;
	}
	edge("crlf.log", b, n);
	/* a line of 1 MiB between two short ones, no final newline */
	n = 0;
	memcpy(b + n, line, ll);
	b[n + ll] = '\n';
	n += ll + 1;
	memcpy(b + n, line, ll);
	memset(b + n + ll, 'x', (1 << 20) - ll);
	n += 1 << 20;
	b[n++] = '\n';
	memcpy(b + n, line, ll);
	n += ll;
	edge("long.log", b, n);
	/* more lines than a chunk holds, and more bytes */
	for (n = 0, i = 0; i < 6000; i++) {
		memcpy(b + n, line, ll);
		b[n + ll] = '\n';
		n += ll + 1;
	}
	/* and an unrecognised smtpd line, for --unmatched */
	n += (size_t)snprintf(b + n, cap - n, "Nov 21 13:33:22 mx "
	    "postfix/smtpd[1]: a shape never seen\n");
	edge("many.log", b, n);
	free(b);
	b = years_log(&n);
	edge("years.log", b, n);
	edges[nedges] = NULL;
	edges_run("--json");
	edges_run("--count");
	edges_run("--unmatched");
	/* standard input: the years, and no final newline */
	memcpy(b + n, line, ll);
	n += ll;
	{
		char *argv[] = { NULL, "parse", "--json", NULL, NULL,
		    "--year=2020", "-", NULL };
		same_runs(argv, 3, b, n, NULL);
	}
	free(b);
	/* the years come out over two years: the test can see them wrong */
	runa(&r, NULL, 0, "parse", "--json", "--threads", "3",
	    PD "/years.log", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"time\":\"2020-11-"));
	assert_non_null(strstr(r.out, "\"time\":\"2021-01-"));
	run_free(&r);
	/* The long line is cut, once, whatever the threads. */
	runa(&r, NULL, 0, "parse", "--count", "--threads", "2", PD "/long.log",
	    NULL);
	assert_non_null(strstr(r.err, "3 lines read"));
	assert_non_null(strstr(r.err, "1 cut at 64 KiB"));
	run_free(&r);
	for (i = 0; i < (size_t)nedges; i++)
		free(edges[i]);
}

/* scan_dump - what a scan stored, positions and open sessions included */
static char *
scan_dump(const char *db)
{
	char	 cmd[512], *a, *b, *c;

	a = state_dump(db);
	snprintf(cmd, sizeof(cmd), SQLITE3 "%s \"SELECT * FROM positions "
	    "ORDER BY 1; SELECT * FROM sessions ORDER BY 1, 2\"", db);
	b = sh(cmd, NULL);
	assert_non_null(c = malloc(strlen(a) + strlen(b) + 1));
	strcpy(c, a);
	strcat(c, b);
	free(a);
	free(b);
	return (c);
}

/* test_par_scan - scan --dry-run, scan's state and list, 1 against N */
static void
test_par_scan(void **state)
{
	struct run_result r, one;
	char		*argv[40], *d1, *dn, *in;
	char		 conf[128], db[128];
	size_t		 i, inlen;
	int		 n, t;

	(void)state;
	need_corpus();
	assert_int_equal(system("rm -rf " PD " && mkdir -p " PD), 0);
	argv[1] = "scan";
	argv[2] = "-c";
	argv[3] = PD "/t1.conf";
	argv[4] = "--dry-run";
	n = corpus_files(argv, 7);
	for (t = 1; t <= 4; t += 3) {
		snprintf(conf, sizeof(conf), PD "/t%d.conf", t);
		snprintf(db, sizeof(db), "state_db = " PD "/t%d.db\n"
		    "firewall = off\naccess_map =\ncontrol_group =\n", t);
		put(conf, db, strlen(db));
	}
	same_runs(argv, 5, NULL, 0, &i);
	assert_true(i > 1000);		/* bans printed */
	/* standard input, whole */
	in = corpus_text(argv + 7, n, &inlen);
	argv[7] = "-";
	argv[8] = NULL;
	same_runs(argv, 5, in, inlen, NULL);
	free(in);
	corpus_free();
	(void)corpus_files(argv, 7);
	/* the state: written with 1 thread (t1.db), and with 4 (t4.db) */
	argv[4] = "--no-enforce";
	for (t = 1; t <= 4; t += 3) {
		snprintf(conf, sizeof(conf), PD "/t%d.conf", t);
		argv[3] = conf;
		argv[5] = "--threads";
		argv[6] = t == 1 ? "1" : "4";
		runv_list(&r, argv, NULL, 0);
		if (r.status != 0)
			fail_msg("scan --threads %d: %d %s", t, r.status, r.err);
		if (t == 1)
			one = r;
		else {
			assert_string_equal(r.out, one.out);
			assert_string_equal(r.err, one.err);
			run_free(&r);
			run_free(&one);
		}
	}
	d1 = scan_dump(PD "/t1.db");
	dn = scan_dump(PD "/t4.db");
	assert_true(strlen(d1) > 10000);
	if (strcmp(d1, dn) != 0)
		fail_msg("scan's state with 4 threads is not the state with 1");
	free(d1);
	free(dn);
	runa(&one, NULL, 0, "list", "-c", PD "/t1.conf", "--json", NULL);
	runa(&r, NULL, 0, "list", "-c", PD "/t4.conf", "--json", NULL);
	assert_int_equal(one.status, 0);
	assert_true(one.outlen > 100);
	assert_string_equal(r.out, one.out);
	run_free(&r);
	run_free(&one);
	corpus_free();
}

/* test_par_report - report from the logs, 1 against N threads */
static void
test_par_report(void **state)
{
	static const char *const what[] = { "summary", "helo" };
	char		*argv[40];
	size_t		 i, len;

	(void)state;
	need_corpus();
	assert_int_equal(system("rm -rf " PD " && mkdir -p " PD), 0);
	put(PD "/r.conf", "firewall = off\n", 15);
	for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		argv[1] = "report";
		argv[2] = (char *)what[i];
		argv[3] = "-c";
		argv[4] = PD "/r.conf";
		argv[5] = "--format=json";
		argv[6] = "--top=0";
		(void)corpus_files(argv, 9);
		same_runs(argv, 7, NULL, 0, &len);
		assert_true(len > 1000);
		corpus_free();
	}
}

/* test_par_usage - --threads 0 is one per CPU; junk is a usage error */
static void
test_par_usage(void **state)
{
	static const char *const bad[] = { "x", "-1", "257", "", "2x" };
	struct run_result r;
	size_t		 i;

	(void)state;
	runa(&r, "", 0, "parse", "--count", "--threads", "0", "-", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		runa(&r, "", 0, "parse", "--threads", bad[i], "-", NULL);
		assert_int_equal(r.status, 64);
		assert_non_null(strstr(r.err, "--threads"));
		run_free(&r);
		runa(&r, "", 0, "scan", "--dry-run", "--threads", bad[i], "-",
		    NULL);
		assert_int_equal(r.status, 64);
		run_free(&r);
		runa(&r, "", 0, "report", "helo", "--threads", bad[i], "-",
		    NULL);
		assert_int_equal(r.status, 64);
		run_free(&r);
	}
	runa(&r, NULL, 0, "parse", "--help", NULL);
	assert_non_null(strstr(r.out, "--threads N"));
	run_free(&r);
}

const struct CMUnitTest par_tests[] = {
	cmocka_unit_test(test_par_usage),
	cmocka_unit_test(test_par_parse_edges),
	cmocka_unit_test(test_par_parse_corpus),
	cmocka_unit_test(test_par_scan),
	cmocka_unit_test(test_par_report),
};
const size_t par_tests_count = sizeof(par_tests) / sizeof(par_tests[0]);

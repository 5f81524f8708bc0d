/*	$fivefifty: test_metrics.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_metrics 3 - the Prometheus metrics: the format, metrics_file
 *	and `status --format prometheus` of a real daemon
 * DESCRIPTION
 *	expo_parse() is a strict reader of the text exposition format
 *	(version 0.0.4, as node_exporter's textfile collector takes it):
 *	every line ends with a newline; a family is HELP, TYPE, then its
 *	samples, together; names, label names and escapes as the format
 *	says; no timestamps, no duplicate series, counters named _total and
 *	never negative; a histogram's buckets ascending and cumulative up
 *	to le="+Inf", which equals _count. It is tested first on texts it
 *	must refuse (a cut last line, a bad escape, a duplicate, ...), so
 *	that a daemon's file it accepts means something.
 *
 *	The daemon runs in a private network namespace (its own table,
 *	state, map and socket under /tmp) with metrics_file and
 *	metrics_interval = 1s: after legitimate sessions, five-fifty
 *	sessions, a manual ban and an unban, the file's counters are what
 *	happened (lines, events by kind, rejects by class, bans by rule, in
 *	force, the latency of the one ban a line decided); the file read in
 *	a loop while it is rewritten is complete every time, mode 0644; the
 *	metrics `status --format prometheus` prints are the file's; a reload
 *	to a directory that does not exist removes the old file and status
 *	says why the new one fails; SIGTERM removes the file and leaves no
 *	temporary one. The sample Grafana dashboard is JSON and names only
 *	metrics the daemon writes. With log_source = journal (a journal
 *	file written by the real systemd-journal-remote) and no
 *	metrics_file, `status --format prometheus` counts the lines and
 *	events as the journal's.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "util/prom.h"

#define DIR	"/tmp/fivefifty-metrics"
#define PROM	DIR "/fivefifty.prom"
#define LAST	"fivefifty_start_time_seconds"	/* the last family */

extern char **environ;

/* One sample: its name and labels (sorted), its value. */
struct series {
	char	 key[320];
	double	 v;
};

struct expo {
	struct series	*s;
	size_t		 n, cap;
};

/* A family's reading state. */
struct fam {
	char	 name[128], type[16], help[128];
	double	 last_le, last_cum, inf, count;
	int	 buckets, has_inf, has_sum, has_count;
};

/* name_ok - a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) of n bytes */
static int
name_ok(const char *s, size_t n, int label)
{
	size_t	i;

	if (n == 0 || (label && n >= 2 && s[0] == '_' && s[1] == '_'))
		return (0);
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || s[i] == '_' || (!label && s[i] == ':') ||
		    (i > 0 && s[i] >= '0' && s[i] <= '9')))
			return (0);
	return (1);
}

/* value_ok - a sample value: a float as Go reads it, NaN or +-Inf */
static int
value_ok(const char *s, double *v)
{
	char	*end;

	if (strcmp(s, "NaN") == 0 || strcmp(s, "+Inf") == 0 ||
	    strcmp(s, "-Inf") == 0) {
		*v = strcmp(s, "NaN") == 0 ? NAN : s[0] == '+' ? INFINITY :
		    -INFINITY;
		return (1);
	}
	if (s[0] == '\0' || strspn(s, "+-0123456789.eE") != strlen(s))
		return (0);
	*v = strtod(s, &end);
	return (*end == '\0');
}

/* fam_end - a histogram's family is complete */
static int
fam_end(const struct fam *f, char *err, size_t len)
{
	if (strcmp(f->type, "histogram") != 0)
		return (0);
	if (!f->has_inf || !f->has_sum || !f->has_count || f->inf !=
	    f->count) {
		snprintf(err, len, "%s: a histogram without its +Inf bucket, "
		    "_sum or _count, or +Inf != _count", f->name);
		return (-1);
	}
	return (0);
}

/* unesc - a label value or help text: only \\, \n and (quoted) \"; the
 * length read, -1 for a bad escape or no closing quote */
static long
unesc(const char *s, int quoted)
{
	const char	*p = s;

	while (*p != '\0' && *p != '\n' && !(quoted && *p == '"')) {
		if (*p == '\\') {
			if (p[1] != '\\' && p[1] != 'n' && !(quoted &&
			    p[1] == '"'))
				return (-1);
			p++;
		}
		p++;
	}
	if (quoted && *p != '"')
		return (-1);
	return (p - s);
}

/* label_cmp - qsort: labels by name */
static int
label_cmp(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* sample - one sample line into e; 0, or -1 with err */
static int
sample(struct expo *e, struct fam *f, const char *line, char *err,
    size_t len)
{
	char		 name[128], lab[8][160], *lp[8], val[64], le[64] = "";
	const char	*p = line, *q;
	size_t		 n = strcspn(line, "{ "), i;
	int		 nl = 0;
	long		 k;
	double		 v, lev;
	struct series	*s;

	if (!name_ok(line, n, 0) || n >= sizeof(name)) {
		snprintf(err, len, "bad metric name: %.60s", line);
		return (-1);
	}
	memcpy(name, line, n);
	name[n] = '\0';
	p += n;
	if (*p == '{') {
		for (p++; *p != '}'; ) {
			n = strcspn(p, "=");
			if (!name_ok(p, n, 1) || p[n] != '=' || p[n + 1] != '"' ||
			    nl == 8 || (k = unesc(p + n + 2, 1)) < 0 ||
			    n + (size_t)k + 4 > sizeof(lab[0])) {
				snprintf(err, len, "bad label in: %.80s", line);
				return (-1);
			}
			snprintf(lab[nl], sizeof(lab[0]), "%.*s", (int)(n + k +
			    3), p);
			if (strncmp(p, "le=", 3) == 0)
				snprintf(le, sizeof(le), "%.*s", (int)k, p + 4);
			lp[nl] = lab[nl];
			nl++;
			p += n + k + 3;
			if (*p == ',')
				p++;
			else if (*p != '}') {
				snprintf(err, len, "bad labels: %.80s", line);
				return (-1);
			}
		}
		p++;
	}
	if (*p != ' ' || (q = strchr(p + 1, ' ')) != NULL ||
	    strlen(p + 1) >= sizeof(val)) {
		snprintf(err, len, "expected one space and a value (no "
		    "timestamp): %.80s", line);
		return (-1);
	}
	snprintf(val, sizeof(val), "%s", p + 1);
	if (!value_ok(val, &v)) {
		snprintf(err, len, "bad value: %.80s", line);
		return (-1);
	}
	/* It belongs to the family whose TYPE came last. */
	n = strlen(f->name);
	if (f->name[0] == '\0' || strncmp(name, f->name, n) != 0 ||
	    (strcmp(f->type, "histogram") == 0 ? strcmp(name + n, "_bucket")
	    != 0 && strcmp(name + n, "_sum") != 0 && strcmp(name + n,
	    "_count") != 0 : name[n] != '\0')) {
		snprintf(err, len, "sample %s outside its family (after TYPE "
		    "%s)", name, f->name);
		return (-1);
	}
	if (strcmp(f->type, "counter") == 0 && (v < 0 || isnan(v))) {
		snprintf(err, len, "counter %s is %s", name, val);
		return (-1);
	}
	if (strcmp(name + n, "_bucket") == 0) {
		if (le[0] == '\0' || !value_ok(le, &lev) || (f->buckets > 0 &&
		    (lev <= f->last_le || v < f->last_cum))) {
			snprintf(err, len, "bucket out of order or not "
			    "cumulative: %.80s", line);
			return (-1);
		}
		f->buckets++;
		f->last_le = lev;
		f->last_cum = v;
		if (isinf(lev)) {
			f->has_inf = 1;
			f->inf = v;
		}
	} else if (strcmp(name + n, "_sum") == 0)
		f->has_sum = 1;
	else if (strcmp(name + n, "_count") == 0) {
		f->has_count = 1;
		f->count = v;
	}
	qsort(lp, (size_t)nl, sizeof(lp[0]), label_cmp);
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->s = realloc(e->s, e->cap * sizeof(*e->s));
		assert_non_null(e->s);
	}
	s = &e->s[e->n];
	snprintf(s->key, sizeof(s->key), "%s", name);
	for (i = 0; i < (size_t)nl; i++)
		snprintf(s->key + strlen(s->key), sizeof(s->key) -
		    strlen(s->key), "%s%s", i ? "," : "{", lp[i]);
	if (nl > 0)
		strncat(s->key, "}", sizeof(s->key) - strlen(s->key) - 1);
	s->v = v;
	for (i = 0; i < e->n; i++)
		if (strcmp(e->s[i].key, s->key) == 0) {
			snprintf(err, len, "duplicate series %s", s->key);
			return (-1);
		}
	e->n++;
	return (0);
}

/* expo_parse - a whole exposition into e (freed by the caller); 0, or
 * -1 with err */
static int
expo_parse(const char *text, size_t len, struct expo *e, char *err,
    size_t errlen)
{
	struct fam	 f;
	char		 line[1024], seen[64][128];
	const char	*p = text, *nl, *t;
	size_t		 n, i, nseen = 0;

	memset(e, 0, sizeof(*e));
	memset(&f, 0, sizeof(f));
	if (len == 0 || text[len - 1] != '\n') {
		snprintf(err, errlen, "empty, or the last line is cut");
		return (-1);
	}
	for (; p < text + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if ((n = (size_t)(nl - p)) == 0 || n >= sizeof(line) ||
		    memchr(p, '\0', n) != NULL) {
			snprintf(err, errlen, "empty, long or binary line");
			return (-1);
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (strncmp(line, "# HELP ", 7) == 0) {
			if (fam_end(&f, err, errlen) == -1)
				return (-1);
			n = strcspn(line + 7, " ");
			if (!name_ok(line + 7, n, 0) || line[7 + n] != ' ' ||
			    unesc(line + 8 + n, 0) < 0 || n >= sizeof(f.help)) {
				snprintf(err, errlen, "bad HELP: %.80s", line);
				return (-1);
			}
			memset(&f, 0, sizeof(f));
			snprintf(f.help, sizeof(f.help), "%.*s", (int)n,
			    line + 7);
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			n = strcspn(line + 7, " ");
			t = line + 7 + n + (line[7 + n] == ' ');
			if (n >= sizeof(f.name) || strncmp(f.help, line + 7,
			    n) != 0 || f.help[n] != '\0' || f.name[0] != '\0' ||
			    (strcmp(t, "counter") != 0 && strcmp(t, "gauge") !=
			    0 && strcmp(t, "histogram") != 0)) {
				snprintf(err, errlen, "TYPE not right after its "
				    "HELP, or an unknown type: %.80s", line);
				return (-1);
			}
			snprintf(f.name, sizeof(f.name), "%s", f.help);
			snprintf(f.type, sizeof(f.type), "%s", t);
			for (i = 0; i < nseen; i++)
				if (strcmp(seen[i], f.name) == 0) {
					snprintf(err, errlen, "family %s twice",
					    f.name);
					return (-1);
				}
			if (nseen < 64)
				snprintf(seen[nseen++], sizeof(seen[0]), "%s",
				    f.name);
			n = strlen(f.name);
			if (strcmp(t, "counter") == 0 && (n < 6 ||
			    strcmp(f.name + n - 6, "_total") != 0)) {
				snprintf(err, errlen, "counter %s without "
				    "_total", f.name);
				return (-1);
			}
		} else if (line[0] == '#') {
			snprintf(err, errlen, "a comment: %.80s", line);
			return (-1);
		} else if (sample(e, &f, line, err, errlen) == -1)
			return (-1);
	}
	return (fam_end(&f, err, errlen));
}

/* expo_get - the value of series key (name{label="v"}); -1 when absent */
static double
expo_get(const struct expo *e, const char *key)
{
	size_t	i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->s[i].key, key) == 0)
			return (e->s[i].v);
	return (-1);
}

/* refused - expo_parse() refuses text, saying why */
static void
refused(const char *text, const char *why)
{
	struct expo	 e;
	char		 err[256] = "";

	if (expo_parse(text, strlen(text), &e, err, sizeof(err)) == 0)
		fail_msg("accepted: %s", text);
	free(e.s);
	if (strstr(err, why) == NULL)
		fail_msg("refused for \"%s\", not \"%s\": %s", err, why, text);
}

/* test_metrics_checker - the checker takes the format and refuses what
 * is not it */
static void
test_metrics_checker(void **state)
{
	static const char good[] =
	    "# HELP a_total A \\\\ help\\n text.\n# TYPE a_total counter\n"
	    "a_total{k=\"x\\\"y\\\\z\\n\"} 3\na_total{k=\"w\"} 0\n"
	    "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\n"
	    "h_bucket{le=\"+Inf\"} 2\nh_sum 1.25\nh_count 2\n"
	    "# HELP g G.\n# TYPE g gauge\ng NaN\n";
	struct expo	 e;
	char		 err[256] = "";

	(void)state;
	if (expo_parse(good, strlen(good), &e, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(e.n, 7);
	assert_true(expo_get(&e, "a_total{k=\"x\\\"y\\\\z\\n\"}") == 3);
	assert_true(expo_get(&e, "h_count") == 2);
	free(e.s);
	refused("# HELP g G.\n# TYPE g gauge\ng 1", "cut");
	refused("# HELP g G.\n# TYPE g gauge\ng{k=\"a\\t\"} 1\n", "label");
	refused("# HELP g G.\n# TYPE g gauge\ng 1\ng 2\n", "duplicate");
	refused("# HELP g G.\n# TYPE g gauge\ng 1 1700000000\n", "timestamp");
	refused("# HELP g G.\n# TYPE g gauge\nh 1\n", "outside");
	refused("g 1\n", "outside");
	refused("# HELP c C.\n# TYPE c counter\nc 1\n", "_total");
	refused("# HELP c_total C.\n# TYPE c_total counter\nc_total -1\n",
	    "counter");
	refused("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
	    "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "cumulative");
	refused("# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
	    "h_sum 1\nh_count 2\n", "+Inf");
	refused("# HELP g G.\n# TYPE g gauge\ng 1\n# HELP g G.\n"
	    "# TYPE g gauge\n", "twice");
	refused("# TYPE g gauge\ng 1\n", "TYPE");
	refused("# HELP g G.\n# TYPE g gauge\n\ng 1\n", "empty");
	refused("# HELP g G.\n# TYPE g gauge\ng 1x\n", "value");
}

/* test_metrics_format - util/prom.c's output is read back exactly:
 * escaped label values and help, special values, a histogram */
static void
test_metrics_format(void **state)
{
	static const double le[] = { 0.001, 0.1, 1 };
	static const unsigned long long n[] = { 1, 0, 2, 1 };
	struct expo	 e;
	char		*text = NULL, err[256] = "";
	size_t		 len = 0;
	FILE		*fp;

	(void)state;
	assert_non_null(fp = open_memstream(&text, &len));
	prom_family(fp, "x_total", "counter", "Help with \\ and\na newline.");
	prom_u(fp, "x_total", "rule", "a \"quoted\" \\ rule\nnext", 18446744073709551615ULL);
	prom_family(fp, "y", "gauge", "Y.");
	prom_d(fp, "y", "state", "inf", INFINITY);
	prom_d(fp, "y", "state", "small", 1e-7);
	prom_family(fp, "z_seconds", "histogram", "Z.");
	prom_histogram(fp, "z_seconds", le, n, 3, 2.5);
	fclose(fp);
	if (expo_parse(text, len, &e, err, sizeof(err)) == -1)
		fail_msg("%s:\n%s", err, text);
	assert_non_null(strstr(text, "# HELP x_total Help with \\\\ and\\na "
	    "newline.\n"));
	assert_true(expo_get(&e, "x_total{rule=\"a \\\"quoted\\\" \\\\ "
	    "rule\\nnext\"}") == 18446744073709551615.0);
	assert_true(isinf(expo_get(&e, "y{state=\"inf\"}")));
	assert_true(expo_get(&e, "y{state=\"small\"}") == 1e-7);
	assert_true(expo_get(&e, "z_seconds_bucket{le=\"0.001\"}") == 1);
	assert_true(expo_get(&e, "z_seconds_bucket{le=\"0.1\"}") == 1);
	assert_true(expo_get(&e, "z_seconds_bucket{le=\"1\"}") == 3);
	assert_true(expo_get(&e, "z_seconds_bucket{le=\"+Inf\"}") == 4);
	assert_true(expo_get(&e, "z_seconds_count") == 4);
	assert_true(expo_get(&e, "z_seconds_sum") == 2.5);
	free(e.s);
	free(text);
}

static pid_t	started;	/* the daemon of the test under way */

/* conf - the daemon's configuration, metrics_file as given, reading
 * the file or (journal set) the journal */
static void
conf(const char *metrics, int journal)
{
	FILE	*fp = fopen(DIR "/ff.conf", "w");

	assert_non_null(fp);
	fprintf(fp, "state_db = " DIR "/ff.db\n"
	    "log_source = %s\nmail_log = " DIR "/mail.log\n"
	    "journal_directory = " DIR "/journal\n"
	    "user =\ncontrol_socket = " DIR "/ctl.sock\ncontrol_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map = texthash:" DIR "/access\n"
	    "metrics_file = %s\nmetrics_interval = 1s\n", journal ?
	    "journal" : "file", metrics);
	fclose(fp);
}

/* cli - fivefifty CMD -c conf [ARG...]; its status, stdout in out */
static int
cli(const char *cmd, const char *a1, const char *a2, char **out)
{
	char		*argv[] = { (char *)bin_path(), (char *)cmd, "-c",
	    DIR "/ff.conf", (char *)a1, (char *)a2, NULL };
	struct run_result r;
	int		 st;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	st = r.status;
	if (out != NULL) {
		*out = r.out;
		r.out = NULL;
	}
	run_free(&r);
	return (st);
}

/* start - fivefifty run, until its control socket answers */
static void
start(void)
{
	char		*argv[] = { (char *)bin_path(), "run", "-c",
	    DIR "/ff.conf", NULL };
	posix_spawn_file_actions_t fa;
	int		 i, st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, DIR "/daemon.log",
	    O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_int_equal(posix_spawn(&started, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < 1000; i++) {	/* a hang's bound, not a timing */
		if (cli("status", NULL, NULL, NULL) == 0)
			return;
		if (waitpid(started, &st, WNOHANG) == started)
			fail_msg("the daemon exited (see " DIR "/daemon.log)");
		usleep(10000);
	}
	fail_msg("the daemon did not answer in 10 s");
}

/* stop - SIGTERM; its exit status */
static int
stop(void)
{
	int	st, i;

	assert_int_equal(kill(started, SIGTERM), 0);
	for (i = 0; i < 3000 && waitpid(started, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 3000) {
		kill(started, SIGKILL);
		waitpid(started, &st, 0);
		fail_msg("the daemon did not exit within 30 s of SIGTERM");
	}
	started = 0;
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* sessions - n sessions of addr: five-fifties (a 554 for the sender),
 * or accepted mails; 3 lines each */
static void
sessions(const char *addr, int n, int good)
{
	log_sessions(DIR "/mail.log", addr, n, good, time(NULL));
}

/* read_prom - the file read and checked (a failure names the problem) */
static void
read_prom(const char *path, struct expo *e)
{
	char	*text, err[256] = "";
	size_t	 len;
	int	 ok;

	if ((text = read_file(path, &len)) == NULL)
		fail_msg("%s: cannot read it", path);
	ok = expo_parse(text, len, e, err, sizeof(err)) == 0;
	if (ok && strstr(text, "\n" LAST " ") == NULL) {
		snprintf(err, sizeof(err), "no " LAST ": not complete");
		ok = 0;
	}
	free(text);	/* before fail_msg(), which does not return */
	if (!ok) {
		free(e->s);
		fail_msg("%s is not the exposition format: %s", path, err);
	}
}

/* wait_prom - until the file says key is v (a hang's bound: 20 s) */
static void
wait_prom(const char *key, double v)
{
	struct expo	 e;
	int		 i;

	for (i = 0; i < 2000; i++) {
		if (access(PROM, F_OK) == 0) {
			read_prom(PROM, &e);
			if (expo_get(&e, key) == v) {
				free(e.s);
				return;
			}
			free(e.s);
		}
		usleep(10000);
	}
	fail_msg("%s never said %s %g", PROM, key, v);
}

/* expect - the value of key in e is v */
static void
expect(const struct expo *e, const char *key, double v)
{
	if (expo_get(e, key) != v)
		fail_msg("%s is %g, expected %g", key, expo_get(e, key), v);
}

/* dashboard - conf/fivefifty-grafana.json is a Grafana dashboard (JSON,
 * a Prometheus data source to choose at import, panels) whose every
 * fivefifty_ name is a series of e, or a histogram of it */
static void
dashboard(const struct expo *e)
{
	const char	*p;
	char		*text, *out, name[128];
	size_t		 len, n, i;
	int		 names = 0;

	out = sh("python3 -c 'import json; d = json.load(open(\"conf/"
	    "fivefifty-grafana.json\")); assert d[\"__inputs\"][0]"
	    "[\"pluginId\"] == \"prometheus\"; print(len([p for p in "
	    "d[\"panels\"] if p[\"type\"] != \"row\" and p[\"targets\"]]))'",
	    NULL);
	assert_true(atoi(out) >= 10);
	free(out);
	text = read_file("conf/fivefifty-grafana.json", &len);
	assert_non_null(text);
	for (p = text; (p = strstr(p, "fivefifty_")) != NULL; p += n) {
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		for (i = 0; i < e->n; i++)
			if (strncmp(e->s[i].key, name, n) == 0 &&
			    (e->s[i].key[n] == '{' || e->s[i].key[n] == '\0' ||
			    strncmp(e->s[i].key + n, "_bucket{", 8) == 0))
				break;	/* a series, or a histogram's name */
		if (i == e->n) {
			free(text);
			fail_msg("the dashboard names %s, which fivefifty does "
			    "not write", name);
		}
		names++;
	}
	free(text);
	assert_true(names >= 20);
}

/* rewrites - the file read in a loop while it is rewritten (three
 * times, and log lines coming in): complete and valid every time */
static void
rewrites(void)
{
	struct expo	 e;
	struct stat	 sb;
	ino_t		 ino = 0;
	int		 seen = 0, reads = 0, i;

	for (i = 0; i < 20000 && seen < 4; i++) {	/* a hang's bound */
		if (stat(PROM, &sb) == -1)
			fail_msg("%s is missing while the daemon runs", PROM);
		assert_int_equal(sb.st_mode & 07777, 0644);
		if (sb.st_ino != ino) {
			ino = sb.st_ino;
			seen++;
			sessions("192.0.2.61", 1, 1);	/* new numbers */
		}
		read_prom(PROM, &e);
		free(e.s);
		reads++;
		usleep(1000);
	}
	if (seen < 4)
		fail_msg("%s was not rewritten every metrics_interval", PROM);
	print_message("      %d complete reads over %d rewrites\n", reads,
	    seen - 1);
}

/* test_metrics_daemon - what happened is what the metrics say, in the
 * file and from status, and the file is replaced whole */
static void
test_metrics_daemon(void **state)
{
	struct expo	 e, s;
	char		*out, *log, err[256];
	size_t		 i, len;
	int		 k, diff;

	(void)state;
	free(sh("rm -rf " DIR " && mkdir -p " DIR " && : > " DIR "/mail.log",
	    NULL));
	conf(PROM, 0);
	start();
	wait_prom("fivefifty_firewall_state{state=\"ok\"}", 1);

	sessions("192.0.2.60", 4, 1);		/* legitimate */
	sessions("192.0.2.50", 5, 0);		/* a five-fifty: a ban */
	assert_int_equal(cli("ban", "198.51.100.7", NULL, NULL), 0);
	wait_prom("fivefifty_bans_in_force", 2);
	wait_prom("fivefifty_events_read_total{source=\"file\"}", 27);
	read_prom(PROM, &e);
	expect(&e, "fivefifty_lines_read_total{source=\"file\"}", 27);
	expect(&e, "fivefifty_lines_read_total{source=\"journal\"}", 0);
	expect(&e, "fivefifty_events_total{kind=\"connect\"}", 9);
	expect(&e, "fivefifty_events_total{kind=\"disconnect\"}", 9);
	expect(&e, "fivefifty_events_total{kind=\"queued\"}", 4);
	expect(&e, "fivefifty_events_total{kind=\"reject\"}", 5);
	expect(&e, "fivefifty_rejects_total{class=\"sender\"}", 5);
	expect(&e, "fivefifty_rejects_total{class=\"relay_denied\"}", 0);
	expect(&e, "fivefifty_bans_decided_total{rule=\"five-fifty\"}", 1);
	expect(&e, "fivefifty_bans_decided_total{rule=\"manual\"}", 1);
	expect(&e, "fivefifty_bans_decided_total{rule=\"other\"}", 0);
	expect(&e, "fivefifty_unbans_total", 0);
	/* One ban came from a line: its latency, to the kernel's ack. */
	expect(&e, "fivefifty_ban_latency_seconds_count", 1);
	assert_true(expo_get(&e, "fivefifty_ban_latency_seconds_sum") > 0);
	expect(&e, "fivefifty_kernel_ranges", 2);
	expect(&e, "fivefifty_clients_watched", 3);
	expect(&e, "fivefifty_firewall_state{state=\"failing\"}", 0);
	expect(&e, "fivefifty_map_state{state=\"ok\"}", 1);
	expect(&e, "fivefifty_state_database_state{state=\"ok\"}", 1);
	expect(&e, "fivefifty_breaker_state{state=\"closed\"}", 1);
	expect(&e, "fivefifty_state_errors_total", 0);
	expect(&e, "fivefifty_dropped_packets_total", 0);
	assert_true(expo_get(&e, "fivefifty_resident_memory_bytes") > 1e6);
	dashboard(&e);
	free(e.s);

	assert_int_equal(cli("unban", "192.0.2.50", NULL, NULL), 0);
	wait_prom("fivefifty_unbans_total", 1);
	wait_prom("fivefifty_bans_in_force", 1);

	rewrites();

	/* status --format prometheus: the same series as the file, and,
	 * once the file has caught up with the last lines (nothing comes
	 * in now), the same values, the memory aside. */
	wait_prom("fivefifty_events_read_total{source=\"file\"}", 39);
	for (k = 0; k < 200; k++) {	/* a hang's bound */
		read_prom(PROM, &e);
		assert_int_equal(cli("status", "--format", "prometheus", &out),
		    0);
		if (expo_parse(out, strlen(out), &s, err, sizeof(err)) == -1)
			fail_msg("status --format prometheus: %s:\n%s", err,
			    out);
		free(out);
		assert_int_equal(s.n, e.n);
		for (i = 0, diff = 0; i < e.n; i++) {
			assert_string_equal(s.s[i].key, e.s[i].key);
			if (strcmp(e.s[i].key,
			    "fivefifty_resident_memory_bytes") != 0 &&
			    s.s[i].v != e.s[i].v)
				diff++;
		}
		free(s.s);
		free(e.s);
		if (diff == 0)
			break;
		usleep(100000);
	}
	if (k == 200)
		fail_msg("status --format prometheus and %s never agreed", PROM);
	assert_int_equal(cli("status", NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "metrics_file       " PROM));
	free(out);

	/* A reload to a directory that is not there: the old file goes,
	 * status says why the new one fails, the daemon runs on. */
	conf(DIR "/none/fivefifty.prom", 0);
	assert_int_equal(kill(started, SIGHUP), 0);
	for (i = 0; i < 2000; i++) {	/* a hang's bound */
		assert_int_equal(cli("status", NULL, NULL, &out), 0);
		if (strstr(out, "metrics_file       failing: " DIR
		    "/none/fivefifty.prom: ") != NULL)
			break;
		free(out);
		out = NULL;
		usleep(10000);
	}
	if (out == NULL)
		fail_msg("status never said metrics_file failing");
	free(out);
	assert_int_equal(access(PROM, F_OK), -1);
	log = read_file(DIR "/daemon.log", &len);
	assert_non_null(log);
	assert_non_null(strstr(log, "metrics_file " DIR "/none/fivefifty.prom: "
	    "cannot create a file next to it: No such file or directory (its "
	    "directory must exist and be writable by the daemon's user"));
	free(log);

	/* Back, then SIGTERM: the file goes, no temporary file stays. */
	conf(PROM, 0);
	assert_int_equal(kill(started, SIGHUP), 0);
	wait_prom("fivefifty_unbans_total", 1);
	assert_int_equal(stop(), 0);
	out = sh("ls -a " DIR, NULL);
	assert_null(strstr(out, "fivefifty.prom"));
	free(out);
	/* No daemon: status --format prometheus prints nothing, exits 3. */
	assert_int_equal(cli("status", "--format", "prometheus", &out), 3);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(cli("status", "--format", "yaml", NULL), 64);
	free(sh("rm -rf " DIR, NULL));
}

/* prom_status - status --format prometheus, checked, into e */
static void
prom_status(struct expo *e)
{
	char	*out, err[256] = "";

	assert_int_equal(cli("status", "--format", "prometheus", &out), 0);
	if (expo_parse(out, strlen(out), e, err, sizeof(err)) == -1) {
		free(out);
		fail_msg("status --format prometheus: %s", err);
	}
	free(out);
}

/* test_metrics_journal - log_source = journal: the lines and events
 * counted as the journal's (a real journal file, written by
 * systemd-journal-remote); no metrics_file, status prints them anyway */
static void
test_metrics_journal(void **state)
{
	struct expo	 e;
	char		*out;
	int		 i;

	(void)state;
	free(sh("rm -rf " DIR " && mkdir -p " DIR "/journal", NULL));
	conf("", 1);
	start();
	/* Two five-fifty sessions, two accepted mails: 12 entries. */
	sessions("192.0.2.80", 2, 0);
	sessions("192.0.2.81", 2, 1);
	out = sh("tests/log2export.py < " DIR "/mail.log | "
	    "/lib/systemd/systemd-journal-remote -o " DIR "/journal/"
	    "remote.journal - 2>&1", NULL);
	free(out);
	for (i = 0; i < 2000; i++) {	/* a hang's bound */
		prom_status(&e);
		if (expo_get(&e, "fivefifty_events_read_total{source="
		    "\"journal\"}") == 12)
			break;
		free(e.s);
		e.s = NULL;
		usleep(10000);
	}
	if (e.s == NULL)
		fail_msg("the journal's 12 events were never counted");
	expect(&e, "fivefifty_lines_read_total{source=\"journal\"}", 12);
	expect(&e, "fivefifty_lines_read_total{source=\"file\"}", 0);
	expect(&e, "fivefifty_events_read_total{source=\"file\"}", 0);
	expect(&e, "fivefifty_events_total{kind=\"reject\"}", 2);
	expect(&e, "fivefifty_events_total{kind=\"queued\"}", 2);
	expect(&e, "fivefifty_rejects_total{class=\"sender\"}", 2);
	free(e.s);
	assert_int_equal(access(PROM, F_OK), -1);	/* metrics_file = */
	assert_int_equal(stop(), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* metrics_teardown - a daemon a failed test left running is killed */
static int
metrics_teardown(void **state)
{
	if (started > 0 && waitpid(started, NULL, WNOHANG) == 0) {
		kill(started, SIGKILL);
		waitpid(started, NULL, 0);
	}
	started = 0;
	return (netns_leave(state));
}

const struct CMUnitTest metrics_tests[] = {
	cmocka_unit_test(test_metrics_checker),
	cmocka_unit_test(test_metrics_format),
	cmocka_unit_test_setup_teardown(test_metrics_daemon, netns_enter,
	    metrics_teardown),
	cmocka_unit_test_setup_teardown(test_metrics_journal, netns_enter,
	    metrics_teardown),
};
const size_t metrics_tests_count = sizeof(metrics_tests) /
    sizeof(metrics_tests[0]);

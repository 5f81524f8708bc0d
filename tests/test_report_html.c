/*	$fivefifty: test_report_html.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_report_html 3 - the HTML summary against the text summary of
 *	the same period
 * DESCRIPTION
 *	Runs the built binary (FIVEFIFTY_BIN) with TZ=UTC and the report
 *	tests' configuration, `report summary` in text and in HTML with the
 *	same options, over tests/cases/reports/small.log (a day, a day with
 *	--top 1 so that every list is cut, all its data with its chart per
 *	hour of the day, and a state made by scan of it) and, when the
 *	shared corpus is there, the pixelpark log (a day of its state, and
 *	all of the log). Each HTML summary
 *	- is well-formed (html_check(): every element closed in order, a cell
 *	  only in a row, a row only in a table, attribute values quoted,
 *	  no raw < or > in text, every & an entity) and self-contained (no
 *	  script, style sheet, image, frame or form; no attribute but
 *	  style, colspan and charset; no url(): a mail reader shows it as
 *	  it is);
 *	- has the text's sections in the text's order, each <h3> beginning
 *	  with the text's heading (the head: the <h2>);
 *	- has every count of the text, section by section: the numbers of a
 *	  text section ("53", "(53)", "+12%") are those of its HTML section
 *	  in the same order (the chart scales' labels left out);
 *	- says "&hellip; N more (--top)" for every "... N more (--top)" of
 *	  the text, &lt;&gt; for the null sender, the text's period in its
 *	  Period cell, and no doubled brackets.
 *	With chromium in PATH, a real browser parses one summary (--headless
 *	--dump-dom): its tables, rows, cells, headings and paragraphs are
 *	as many as the document's (a browser repairs bad markup by moving
 *	or dropping elements). make test installs chromium
 *	(scripts/deps.sh test); without it that test is skipped, and says
 *	why.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define CASES	"tests/cases/reports"
#define CONF	CASES "/reports.conf"
#define SMALL	CASES "/small.log"
#define HOST	"mx.example.test"
#define PIXEL	"corpus/realworld/pixelpark-debian-2023.log"

/* a chart scale's label cell (reports/summary_html.c's SCALE): its
 * numbers are no counts */
#define SCALE	"<td style=\"font-size:11px;color:#666;white-space:nowrap;"

#define MAXSEC	32	/* sections of a summary, at most */
#define MAXARG	24

struct section {
	char	 title[128];	/* the heading, tags stripped */
	char	*nums;		/* its counts, space-separated (malloc'd) */
};

struct summary {
	struct section	 s[MAXSEC];
	int		 n;
};


/* summary_run - `report summary -c CONF --host HOST --format F` and the
 * NULL-terminated options after f; exit 0, its output (malloc'd) */
static char *
summary_run(const char *f, ...)
{
	struct run_result r;
	char		*v[MAXARG], *out;
	const char	*s;
	va_list		 ap;
	int		 n = 0;

	v[n++] = (char *)bin_path();
	v[n++] = "report";
	v[n++] = "summary";
	v[n++] = "-c";
	v[n++] = CONF;
	v[n++] = "--host";
	v[n++] = HOST;
	v[n++] = "--format";
	v[n++] = (char *)f;
	va_start(ap, f);
	while ((s = va_arg(ap, const char *)) != NULL && n < MAXARG - 1)
		v[n++] = (char *)s;
	va_end(ap);
	v[n] = NULL;
	assert_int_equal(run_cmd(v, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("report summary --format %s %s: exit %d: %s", f,
		    v[9] != NULL ? v[9] : "", r.status, r.err);
	out = r.out;
	r.out = NULL;
	run_free(&r);
	return (out);
}

/* is_count - whether a word is a count: 53, +12%, -27% (a bracket on
 * either side dropped: "(53)") */
static int
is_count(const char *w, size_t n, size_t *off, size_t *len)
{
	size_t	i, a = 0;

	if (n > 1 && w[0] == '(' && w[n - 1] == ')') {
		w++;
		n -= 2;
		a = 1;
	}
	i = 0;
	if (n > 0 && (w[0] == '+' || w[0] == '-'))
		i++;
	if (i >= n || !isdigit((unsigned char)w[i]))
		return (0);
	while (i < n && isdigit((unsigned char)w[i]))
		i++;
	if (i < n && w[i] == '%')
		i++;
	*off = a;
	*len = n;
	return (i == n);
}

/* counts_add - the counts among the words of s[0..n) appended to *acc */
static void
counts_add(char **acc, const char *s, size_t n)
{
	size_t	 i = 0, j, off, len, have;

	while (i < n) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		for (j = i; j < n && !isspace((unsigned char)s[j]); j++)
			continue;
		if (j > i && is_count(s + i, j - i, &off, &len)) {
			have = *acc != NULL ? strlen(*acc) : 0;
			*acc = realloc(*acc, have + len + 2);
			assert_non_null(*acc);
			if (have > 0)
				(*acc)[have++] = ' ';
			memcpy(*acc + have, s + i + off, len);
			(*acc)[have + len] = '\0';
		}
		i = j;
	}
}

/* text_sections - a text summary's sections: each begins with a line of
 * its own after an empty line (the first, the head, at the start); the
 * title is that line up to two spaces or " (" */
static void
text_sections(const char *t, struct summary *sum)
{
	const char	*p, *e;
	size_t		 k;
	int		 start = 1;

	memset(sum, 0, sizeof(*sum));
	for (p = t; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (e == p) {
			start = 1;
			continue;
		}
		if (start && *p != ' ') {
			assert_true(sum->n < MAXSEC);
			for (k = 0; p + k < e && k < sizeof(sum->s[0].title) -
			    1; k++)
				if (p[k] == ' ' && (p[k + 1] == ' ' ||
				    p[k + 1] == '('))
					break;
			memcpy(sum->s[sum->n].title, p, k);
			sum->s[sum->n].title[k] = '\0';
			sum->n++;
		}
		start = 0;
		assert_true(sum->n > 0);
		counts_add(&sum->s[sum->n - 1].nums, p, (size_t)(e - p));
	}
}

/* entity - the text of the entity at s (its length in *n): what the
 * counts need ("..." for &hellip;, a space for &nbsp;) */
static const char *
entity(const char *s, size_t *n)
{
	static const struct {
		const char *e, *t;
	} ents[] = {
		{ "&lt;", "<" }, { "&gt;", ">" }, { "&amp;", "&" },
		{ "&quot;", "\"" }, { "&#39;", "'" }, { "&hellip;", "..." },
		{ "&nbsp;", " " }, { "&#9632;", "#" },
	};
	size_t	i;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if (strncmp(s, ents[i].e, strlen(ents[i].e)) == 0) {
			*n = strlen(ents[i].e);
			return (ents[i].t);
		}
	*n = 1;
	return ("&");
}

/* html_text - the text of h[0..n): tags as spaces, entities decoded,
 * the chart scales' labels left out (malloc'd) */
static char *
html_text(const char *h, size_t n)
{
	char		*out;
	const char	*p = h, *end = h + n, *t, *q;
	size_t		 k = 0, el;

	out = malloc(n * 3 + 1);
	assert_non_null(out);
	while (p < end) {
		if (*p == '&') {
			t = entity(p, &el);
			memcpy(out + k, t, strlen(t));
			k += strlen(t);
			p += el;
		} else if (*p == '<') {
			if (strncmp(p, SCALE, strlen(SCALE)) == 0 &&
			    (q = strstr(p, "</td>")) != NULL && q < end)
				p = q + 5;
			else {
				while (p < end && *p != '>')
					p++;
				p++;
			}
			out[k++] = ' ';
		} else
			out[k++] = *p++;
	}
	out[k] = '\0';
	return (out);
}

/* html_sections - an HTML summary's sections: the head (up to the first
 * <h3>, titled by its <h2>) and one per <h3> */
static void
html_sections(const char *h, struct summary *sum)
{
	const char	*p, *next, *tb, *te;
	char		*txt, *a, *b;

	memset(sum, 0, sizeof(*sum));
	for (p = h; p != NULL && *p != '\0'; p = next) {
		next = strstr(p + (sum->n > 0), "<h3>");
		if (sum->n == 0 && next == NULL)
			break;
		if (sum->n == 0) {
			tb = strstr(p, "<h2>");
			assert_non_null(tb);
			tb += 4;
		} else
			tb = p + 4;
		te = strstr(tb, sum->n == 0 ? "</h2>" : "</h3>");
		assert_non_null(te);
		assert_true(sum->n < MAXSEC);
		txt = html_text(tb, (size_t)(te - tb));
		for (a = txt; *a == ' '; a++)
			continue;
		for (b = a + strlen(a); b > a && b[-1] == ' '; b--)
			continue;
		snprintf(sum->s[sum->n].title, sizeof(sum->s[0].title),
		    "%.*s", (int)(b - a), a);
		free(txt);
		txt = html_text(p, next != NULL ? (size_t)(next - p) :
		    strlen(p));
		counts_add(&sum->s[sum->n].nums, txt, strlen(txt));
		free(txt);
		sum->n++;
	}
}

/* summary_free - the counts of the sections */
static void
summary_free(struct summary *sum)
{
	int	i;

	for (i = 0; i < sum->n; i++)
		free(sum->s[i].nums);
}

/* void_tag - an element without an end tag */
static int
void_tag(const char *name)
{
	return (strcmp(name, "meta") == 0 || strcmp(name, "br") == 0 ||
	    strcmp(name, "hr") == 0);
}

/* banned_tag - an element that runs or fetches something */
static int
banned_tag(const char *name)
{
	static const char *const no[] = { "script", "style", "link", "img",
	    "iframe", "frame", "object", "embed", "form", "input", "base",
	    "svg", "video", "audio", "source" };
	size_t	i;

	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(name, no[i]) == 0)
			return (1);
	return (0);
}

/* attrs_ok - the attributes of a start tag: name="value" each, style,
 * colspan or charset only, no url( or @import; at is after the name, e
 * at its '>' */
static int
attrs_ok(const char *at, const char *e, char *err, size_t len)
{
	const char	*n, *v;

	for (;;) {
		while (at < e && *at == ' ')
			at++;
		if (at == e)
			return (1);
		for (n = at; at < e && (islower((unsigned char)*at) ||
		    *at == '-'); at++)
			continue;
		if (at == n || at + 1 >= e || at[0] != '=' || at[1] != '"') {
			snprintf(err, len, "an attribute not name=\"value\" "
			    "at \"%.30s\"", n);
			return (0);
		}
		/* style, and what the document needs besides: a cell's
		 * span and its character set (no src, href, on...) */
		if (strncmp(n, "style=", 6) != 0 && strncmp(n, "colspan=",
		    8) != 0 && strncmp(n, "charset=", 8) != 0) {
			snprintf(err, len, "an attribute other than style, "
			    "colspan and charset: \"%.30s\"", n);
			return (0);
		}
		for (v = at + 2; v < e && *v != '"'; v++)
			if (*v == '<' || strncmp(v, "url(", 4) == 0 ||
			    strncmp(v, "@import", 7) == 0) {
				snprintf(err, len, "\"%.30s\" in an attribute",
				    v);
				return (0);
			}
		if (v == e) {
			snprintf(err, len, "an unclosed attribute value");
			return (0);
		}
		at = v + 1;
		if (at < e && *at != ' ') {
			snprintf(err, len, "no space after an attribute");
			return (0);
		}
	}
}

/* parent_ok - whether name may be a child of parent here */
static int
parent_ok(const char *name, const char *parent)
{
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
		return (strcmp(parent, "tr") == 0);
	if (strcmp(name, "tr") == 0)
		return (strcmp(parent, "table") == 0);
	if (strcmp(name, "head") == 0 || strcmp(name, "body") == 0)
		return (strcmp(parent, "html") == 0);
	if (strcmp(name, "html") == 0)
		return (parent[0] == '\0');
	if (strcmp(parent, "table") == 0 || strcmp(parent, "tr") == 0 ||
	    strcmp(parent, "") == 0 || strcmp(parent, "html") == 0)
		return (0);	/* text-level content only in cells */
	if (strcmp(name, "table") == 0 || strcmp(name, "p") == 0 ||
	    strcmp(name, "h2") == 0 || strcmp(name, "h3") == 0)
		return (strcmp(parent, "p") != 0 && strcmp(parent, "span") !=
		    0 && strcmp(parent, "h2") != 0 && strcmp(parent, "h3") !=
		    0);
	return (1);
}

/* html_check - h well-formed and self-contained; 0 and why in err if
 * not */
static int
html_check(const char *h, char *err, size_t len)
{
	char		 stack[64][16], name[16];
	const char	*p = h, *e;
	size_t		 k;
	int		 depth = 0, close, bodies = 0;

	if (strncmp(p, "<!DOCTYPE html>\n", 16) != 0) {
		snprintf(err, len, "no <!DOCTYPE html> first");
		return (0);
	}
	for (p += 16; *p != '\0'; p++) {
		if (*p == '>') {
			snprintf(err, len, "a raw > in text at \"%.40s\"", p);
			return (0);
		}
		if (*p == '&') {
			for (k = 1; isalnum((unsigned char)p[k]) ||
			    (k == 1 && p[k] == '#'); k++)
				continue;
			if (k == 1 || p[k] != ';') {
				snprintf(err, len, "a raw & at \"%.40s\"", p);
				return (0);
			}
			continue;
		}
		if (*p != '<')
			continue;
		close = p[1] == '/';
		for (k = 0, e = p + 1 + close; islower((unsigned char)*e) ||
		    (k > 0 && isdigit((unsigned char)*e)); e++)
			if (k < sizeof(name) - 1)
				name[k++] = *e;
		name[k] = '\0';
		if (k == 0) {
			snprintf(err, len, "a raw < at \"%.40s\"", p);
			return (0);
		}
		p = e;
		if ((e = strchr(p, '>')) == NULL || memchr(p, '<',
		    (size_t)(e - p)) != NULL) {
			snprintf(err, len, "<%s not closed by >", name);
			return (0);
		}
		if (banned_tag(name)) {
			snprintf(err, len, "a <%s> element", name);
			return (0);
		}
		if (close) {
			if (e != p || depth == 0 || strcmp(stack[depth - 1],
			    name) != 0) {
				snprintf(err, len, "</%s> closes <%s>", name,
				    depth > 0 ? stack[depth - 1] : "nothing");
				return (0);
			}
			depth--;
		} else {
			if (!attrs_ok(p, e, err, len))
				return (0);
			if (!parent_ok(name, depth > 0 ? stack[depth - 1] :
			    "")) {
				snprintf(err, len, "<%s> in <%s>", name, depth >
				    0 ? stack[depth - 1] : "the document");
				return (0);
			}
			bodies += strcmp(name, "body") == 0;
			if (!void_tag(name)) {
				if (depth == 64) {
					snprintf(err, len, "nested too deep");
					return (0);
				}
				snprintf(stack[depth++], sizeof(stack[0]), "%s",
				    name);
			}
		}
		p = e;
	}
	if (depth != 0 || bodies != 1) {
		snprintf(err, len, "%d elements left open (<%s>), %d bodies",
		    depth, depth > 0 ? stack[depth - 1] : "", bodies);
		return (0);
	}
	return (1);
}

/* count_str - how many times s occurs in h */
static int
count_str(const char *h, const char *s)
{
	int	n = 0;

	for (; (h = strstr(h, s)) != NULL; h += strlen(s))
		n++;
	return (n);
}

/* period_of - the text's period, after "Period: " to the end of its line */
static void
period_of(const char *text, char *buf, size_t len)
{
	const char	*p = strstr(text, "\nPeriod: ");

	assert_non_null(p);
	p += 9;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
}

/* compare - the HTML summary of what against its text: 0 on a finding,
 * printed */
static int
compare(const char *what, const char *text, const char *html)
{
	struct summary	 ts, hs;
	char		 err[256], per[160], want[200];
	const char	*p;
	int		 i, ok = 1, nmore;

	if (!html_check(html, err, sizeof(err))) {
		print_error("%s: not well-formed: %s\n", what, err);
		ok = 0;
	}
	text_sections(text, &ts);
	html_sections(html, &hs);
	if (ts.n != hs.n || ts.n < 10) {
		print_error("%s: %d text sections, %d HTML sections\n", what,
		    ts.n, hs.n);
		ok = 0;
	}
	for (i = 0; i < ts.n && i < hs.n; i++) {
		/* the head: "fivefifty summary for HOST" both */
		if (strncmp(hs.s[i].title, ts.s[i].title,
		    strlen(ts.s[i].title)) != 0) {
			print_error("%s: section %d is \"%s\" in HTML, \"%s\" "
			    "in text\n", what, i, hs.s[i].title,
			    ts.s[i].title);
			ok = 0;
		}
		if (strcmp(ts.s[i].nums != NULL ? ts.s[i].nums : "",
		    hs.s[i].nums != NULL ? hs.s[i].nums : "") != 0) {
			print_error("%s: \"%s\": the counts differ\n  text: %s"
			    "\n  html: %s\n", what, ts.s[i].title,
			    ts.s[i].nums != NULL ? ts.s[i].nums : "(none)",
			    hs.s[i].nums != NULL ? hs.s[i].nums : "(none)");
			ok = 0;
		}
	}
	/* every "... N more (--top)" */
	nmore = 0;
	for (p = text; (p = strstr(p, "\n  ... ")) != NULL; p += 7) {
		snprintf(want, sizeof(want), "&hellip; %.*s", (int)strcspn(
		    p + 7, "\n"), p + 7);
		nmore++;
		if (strstr(html, want) == NULL) {
			print_error("%s: no \"%s\"\n", what, want);
			ok = 0;
		}
	}
	if (count_str(html, "&hellip;") != nmore) {
		print_error("%s: %d \"more\" rows in HTML, %d in text\n", what,
		    count_str(html, "&hellip;"), nmore);
		ok = 0;
	}
	/* the null sender */
	if (strstr(text, "\n  <>  ") != NULL &&
	    strstr(html, ">&lt;&gt;</td>") == NULL) {
		print_error("%s: no &lt;&gt; for the null sender\n", what);
		ok = 0;
	}
	/* the period, once, in its cell; no doubled brackets */
	period_of(text, per, sizeof(per));
	snprintf(want, sizeof(want), ">%s</td>", per);
	if (strstr(html, want) == NULL || strstr(html, ") (") != NULL ||
	    strstr(html, "((") != NULL || strstr(html, "))") != NULL) {
		print_error("%s: no \"%s\", or doubled brackets\n", what,
		    want);
		ok = 0;
	}
	summary_free(&ts);
	summary_free(&hs);
	return (ok);
}

/* check_both - the text and HTML summaries with the same options (up to
 * 8, NULL-terminated); 0 on a finding. marks: strings the text must
 * hold (what the case is for), NULL-terminated. */
static int
check_both(const char *what, const char *const *opts,
    const char *const *marks)
{
	char	*text, *html;
	int	 ok;

	text = summary_run("text", opts[0], opts[1], opts[2], opts[3],
	    opts[4], opts[5], opts[6], opts[7], NULL);
	html = summary_run("html", opts[0], opts[1], opts[2], opts[3],
	    opts[4], opts[5], opts[6], opts[7], NULL);
	for (; *marks != NULL; marks++)
		if (strstr(text, *marks) == NULL)
			fail_msg("%s: the text has no \"%s\": the case no "
			    "longer tests what it is for", what, *marks);
	ok = compare(what, text, html);
	free(text);
	free(html);
	return (ok);
}

/* scan_to - fivefifty -c CONF --db db scan --no-enforce log */
static void
scan_to(const char *db, const char *log)
{
	struct run_result r;
	char		*v[] = { (char *)bin_path(), "-c", CONF, "--db",
	    (char *)db, "scan", "--no-enforce", (char *)log, NULL };

	assert_int_equal(run_cmd(v, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("scan %s: exit %d: %s", log, r.status, r.err);
	run_free(&r);
}

/* tmp_dir - a fresh directory under /tmp */
static void
tmp_dir(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/fivefifty-rhtml-XXXXXX");
	assert_non_null(mkdtemp(buf));
}

/* rm_dir - remove a directory made by tmp_dir */
static void
rm_dir(const char *dir)
{
	char	cmd[300];

	assert_int_equal(strncmp(dir, "/tmp/fivefifty-rhtml-", 21), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	free(sh(cmd, NULL));
}

/* test_report_html_small - small.log: a day, a day cut by --top 1, all
 * of it (per hour of the day) and a day from a state of it */
static void
test_report_html_small(void **state)
{
	static const char *const day_marks[] = { "\n  <>  ",
	    "Bans in force (2)", "Activity per hour", NULL };
	static const char *const cut_marks[] = { "New bans (2)",
	    "\n  ... 1 more (--top)", "\n  <>  ", NULL };
	static const char *const all_marks[] = { "Period: all data (",
	    "Activity by hour of the day", NULL };
	char	 dir[64], db[128];
	int	 ok = 1;

	(void)state;
	{
		const char *o[8] = { "--from", "2026-11-20", "--until",
		    "2026-11-21", "--log", SMALL, NULL, NULL };
		ok &= check_both("small.log, a day", o, day_marks);
	}
	{
		const char *o[8] = { "--from", "2026-11-20", "--until",
		    "2026-11-21", "--top", "1", "--log", SMALL };
		ok &= check_both("small.log, --top 1", o, cut_marks);
	}
	{
		const char *o[8] = { "--log", SMALL, NULL, NULL, NULL, NULL,
		    NULL, NULL };
		ok &= check_both("small.log, all of it", o, all_marks);
	}
	tmp_dir(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	scan_to(db, SMALL);
	{
		const char *o[8] = { "--from", "2026-11-20", "--until",
		    "2026-11-21", "--top", "1", "--db", db };
		ok &= check_both("state of small.log, --top 1", o, cut_marks);
	}
	rm_dir(dir);
	if (!ok)
		fail_msg("the HTML summary and the text differ (above)");
}

/* test_report_html_corpus - the pixelpark log: a day of its state (bans
 * beyond --top in both lists) and all of the log */
static void
test_report_html_corpus(void **state)
{
	static const char *const day_marks[] = { "New bans (53)",
	    "Bans in force (53)", "\n  ... 43 more (--top)", "\n  <>  ",
	    NULL };
	static const char *const all_marks[] = { "Period: all data (",
	    "New bans (199)", "\n  ... 189 more (--top)", NULL };
	char	 dir[64], db[128], log[512];
	int	 ok = 1;

	(void)state;
	need_corpus();
	shared_path(PIXEL, log, sizeof(log));
	tmp_dir(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	scan_to(db, log);
	{
		const char *o[8] = { "--from", "2023-03-16", "--until",
		    "2023-03-17", "--db", db, NULL, NULL };
		ok &= check_both("pixelpark state, a day", o, day_marks);
	}
	{
		const char *o[8] = { "--log", log, NULL, NULL, NULL, NULL,
		    NULL, NULL };
		ok &= check_both("pixelpark log, all of it", o, all_marks);
	}
	rm_dir(dir);
	if (!ok)
		fail_msg("the HTML summary and the text differ (above)");
}

/* in_path - the path of a program in PATH, or NULL */
static const char *
in_path(const char *prog, char *buf, size_t len)
{
	const char	*path = getenv("PATH"), *p, *e;

	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p = e +
	    (*e == ':')) {
		e = p + strcspn(p, ":");
		snprintf(buf, len, "%.*s/%s", (int)(e - p), p, prog);
		if (e > p && access(buf, X_OK) == 0)
			return (buf);
	}
	return (NULL);
}

/* test_report_html_chromium - a browser parses the HTML summary as it is
 * written: as many tables, rows, cells, headings and paragraphs */
static void
test_report_html_chromium(void **state)
{
	static const char *const tags[] = { "<table", "<tr", "<td", "<th",
	    "<h2", "<h3", "<p", "<span" };
	struct run_result r;
	char		 dir[64], path[128], prof[128], url[160], chr[512];
	char		*html, *v[12];
	size_t		 i;
	FILE		*fp;
	int		 bad = 0;

	(void)state;
	if (in_path("chromium", chr, sizeof(chr)) == NULL) {
		print_message("      skipped: no chromium in PATH (apt-get "
		    "install chromium to check the HTML in a browser)\n");
		skip();
	}
	html = summary_run("html", "--from", "2026-11-20", "--until",
	    "2026-11-21", "--top", "1", "--log", SMALL, NULL);
	tmp_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/summary.html", dir);
	snprintf(prof, sizeof(prof), "--user-data-dir=%s/profile", dir);
	snprintf(url, sizeof(url), "file://%s", path);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fputs(html, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	/* its own profile: no lock shared with another chromium; timeout:
	 * a browser that hangs fails the test instead of holding it */
	i = 0;
	v[i++] = "/usr/bin/timeout";
	v[i++] = "300";
	v[i++] = chr;
	v[i++] = "--headless";
	v[i++] = "--no-sandbox";
	v[i++] = "--disable-gpu";
	v[i++] = prof;
	v[i++] = "--dump-dom";
	v[i++] = url;
	v[i] = NULL;
	assert_int_equal(run_cmd(v, NULL, 0, &r), 0);
	if (r.status != 0 || r.outlen < 100) {
		print_lines(r.err);
		fail_msg("chromium --dump-dom %s: exit %d, %zu bytes", path,
		    r.status, r.outlen);
	}
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		char	t[16];
		int	a, b;

		/* "<t" followed by '>' or ' ': not <tbody> for <t */
		snprintf(t, sizeof(t), "%s>", tags[i]);
		a = count_str(html, t);
		b = count_str(r.out, t);
		snprintf(t, sizeof(t), "%s ", tags[i]);
		a += count_str(html, t);
		b += count_str(r.out, t);
		if (a != b || a == 0) {
			print_error("%s: %d in the document, %d in the "
			    "browser's\n", tags[i], a, b);
			bad++;
		}
	}
	run_free(&r);
	free(html);
	rm_dir(dir);
	assert_int_equal(bad, 0);
}

const struct CMUnitTest report_html_tests[] = {
	cmocka_unit_test_setup_teardown(test_report_html_small, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_html_corpus, tz_utc,
	    tz_restore),
	cmocka_unit_test_setup_teardown(test_report_html_chromium, tz_utc,
	    tz_restore),
};
const size_t report_html_tests_count = sizeof(report_html_tests) /
    sizeof(report_html_tests[0]);

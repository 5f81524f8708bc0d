/*	$fivefifty: test_corpus.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_corpus 3 - every real log of ../shared/corpus, line by line
 * DESCRIPTION
 *	For every file of corpus/realworld/ and corpus/lab/ (the modoboa
 *	template gets "Jan 11" for its "%(day)s" placeholder), every line is
 *	parsed (under ASan and UBSan in `make test`). Every smtpd or
 *	postscreen reject line, found by a plain string scan written apart
 *	from the parser (no PCRE), must come out as a reject event whose
 *	client address equals the one the scan took from the brackets, after
 *	both are put through inet_pton/inet_ntop. Connect lines are checked
 *	the same way. The counts are printed.
 */
#include <arpa/inet.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

struct tally {
	unsigned long	 lines, events, rejects_seen, rejects_ok;
	unsigned long	 connects_seen, connects_ok, wrong;
};

/* canon - inet_pton/inet_ntop form of an address ("" if invalid) */
static void
canon(const char *in, size_t len, char *out, size_t outlen)
{
	char		 buf[128], *zone;
	unsigned char	 bin[16];
	const char	*z = "";

	out[0] = '\0';
	if (len >= sizeof(buf))
		return;
	memcpy(buf, in, len);
	buf[len] = '\0';
	if ((zone = strchr(buf, '%')) != NULL) {
		*zone = '\0';
		z = zone + 1;
	}
	if (inet_pton(AF_INET, buf, bin) == 1)
		inet_ntop(AF_INET, bin, out, (socklen_t)outlen);
	else if (inet_pton(AF_INET6, buf, bin) == 1) {
		if (memcmp(bin, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
			inet_ntop(AF_INET, bin + 12, out, (socklen_t)outlen);
		else
			inet_ntop(AF_INET6, bin, out, (socklen_t)outlen);
	} else
		return;
	if (*z != '\0') {
		size_t n = strlen(out);
		snprintf(out + n, outlen - n, "%%%s", z);
	}
}

/* scan_message - program and message of a line, by plain string search */
static const char *
scan_message(const char *line, char *prog, size_t proglen)
{
	const char	*colon, *open, *start, *slash;

	/* "TAG[PID]: " is the first "]: " of the line. */
	if ((colon = strstr(line, "]: ")) == NULL)
		return (NULL);
	for (open = colon; open > line && *open != '['; open--)
		continue;
	for (start = open; start > line && start[-1] != ' '; start--)
		continue;
	slash = start;
	for (const char *q = start; q < open; q++)
		if (*q == '/')
			slash = q + 1;
	snprintf(prog, proglen, "%.*s", (int)(open - slash), slash);
	colon += 3;
	if (strncmp(colon, "[ID ", 4) == 0 && strchr(colon, ']') != NULL)
		colon = strchr(colon, ']') + 2;
	return (colon);
}

/* scan_reject - the client address of a reject line, or 0 */
static int
scan_reject(const char *msg, const char *prog, char *addr, size_t len)
{
	static const char *const actions[] = { "reject: ", "reject_warning: ",
	    "milter-reject: ", NULL };
	const char	*s = msg, *from, *open, *close;
	int		 i, ok = 0;

	/* An optional "QID: " or "NOQUEUE: ". */
	for (i = 0; s[i] != '\0' && s[i] != ' ' && s[i] != ':'; i++)
		continue;
	if (s[i] == ':' && s[i + 1] == ' ' && i >= 5 &&
	    strncmp(s, "reject", 6) != 0)
		s += i + 2;
	for (i = 0; actions[i] != NULL; i++)
		if (strncmp(s, actions[i], strlen(actions[i])) == 0)
			ok = 1;
	if (!ok || (from = strstr(s, " from ")) == NULL)
		return (0);
	if ((open = strchr(from, '[')) == NULL ||
	    (close = strchr(open, ']')) == NULL)
		return (0);
	if (strcmp(prog, "postscreen") == 0 && open != from + 6)
		return (0);
	canon(open + 1, (size_t)(close - open - 1), addr, len);
	return (1);
}

/* scan_connect - the client address of an smtpd "connect from" line */
static int
scan_connect(const char *msg, char *addr, size_t len)
{
	const char	*open, *close;

	if (strncmp(msg, "connect from ", 13) != 0 ||
	    (open = strrchr(msg, '[')) == NULL ||
	    (close = strrchr(msg, ']')) == NULL || close < open)
		return (0);
	canon(open + 1, (size_t)(close - open - 1), addr, len);
	return (1);
}

/* check_file - parse every line of one corpus file */
static void
check_file(struct pf_parser *p, const char *path, struct tally *t)
{
	struct pf_event	 ev;
	enum pf_result	 r;
	char		*text, *line, *nl, prog[64], want[128], fixed[70000];
	const char	*msg;
	size_t		 len, n;
	int		 isreject, isconnect;

	text = read_file(path, &len);
	assert_non_null(text);
	for (line = text; line < text + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		if (nl == NULL)
			nl = text + len;
		*nl = '\0';
		n = (size_t)(nl - line);
		if (strncmp(line, "%(day)s", 7) == 0 && n < sizeof(fixed) - 8) {
			n = (size_t)snprintf(fixed, sizeof(fixed), "Jan 11%s",
			    line + 7);
			line = fixed;
		}
		t->lines++;
		r = pf_parse_line(p, line, n, &ev);
		if (r == PF_EVENT)
			t->events++;
		if ((msg = scan_message(line, prog, sizeof(prog))) == NULL)
			continue;
		isreject = (strcmp(prog, "smtpd") == 0 ||
		    strcmp(prog, "postscreen") == 0) &&
		    scan_reject(msg, prog, want, sizeof(want));
		isconnect = strcmp(prog, "smtpd") == 0 &&
		    scan_connect(msg, want, sizeof(want));
		if (!isreject && !isconnect)
			continue;
		if (isreject)
			t->rejects_seen++;
		else
			t->connects_seen++;
		if (r == PF_EVENT && ev.kind == (isreject ? PF_EV_REJECT :
		    PF_EV_CONNECT) && strcmp(ev.client_ip, want) == 0) {
			if (isreject)
				t->rejects_ok++;
			else
				t->connects_ok++;
		} else {
			t->wrong++;
			if (t->wrong <= 20)
				print_error("%s: %s (want %s, got %s %s)\n",
				    path, line, want, pf_result_name(r),
				    r == PF_EVENT ? ev.client_ip : "");
		}
	}
	free(text);
}

/* check_dir - every *.log of one corpus directory */
static void
check_dir(const char *rel, struct tally *t)
{
	struct pf_parser *p = parser_or_fail();
	struct dirent	**names;
	char		 dir[512], path[1024];
	int		 n, i, files = 0;

	shared_path(rel, dir, sizeof(dir));
	n = scandir(dir, &names, NULL, alphasort);
	if (n <= 0)
		fail_msg("%s: no corpus here (make test SHARED=DIR)", dir);
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		if (l > 4 && strcmp(names[i]->d_name + l - 4, ".log") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			/* Each file is its own log: its own year state. */
			pf_parser_set_reference(p, 1700000000);
			check_file(p, path, t);
			files++;
		}
		free(names[i]);
	}
	free(names);
	pf_parser_free(p);
	assert_true(files > 0);
}

/* report - the tally, and the verdict */
static void
report(const char *what, const struct tally *t)
{
	print_message("%s: %lu lines, %lu events; rejects %lu/%lu and "
	    "connects %lu/%lu with the right client\n", what, t->lines,
	    t->events, t->rejects_ok, t->rejects_seen, t->connects_ok,
	    t->connects_seen);
	assert_int_equal(t->wrong, 0);
	assert_true(t->rejects_seen > 0);
	assert_int_equal(t->rejects_ok, t->rejects_seen);
	assert_int_equal(t->connects_ok, t->connects_seen);
}

/* test_corpus_realworld - production logs */
static void
test_corpus_realworld(void **state)
{
	struct tally	t;

	(void)state;
	need_corpus();
	memset(&t, 0, sizeof(t));
	check_dir("corpus/realworld", &t);
	report("realworld", &t);
	assert_true(t.rejects_seen >= 2000);
}

/* test_corpus_lab - the Postfix 3.7.11 lab run */
static void
test_corpus_lab(void **state)
{
	struct tally	t;

	(void)state;
	need_corpus();
	memset(&t, 0, sizeof(t));
	check_dir("corpus/lab", &t);
	report("lab", &t);
	assert_true(t.rejects_seen >= 1000);
}

const struct CMUnitTest corpus_tests[] = {
	cmocka_unit_test(test_corpus_realworld),
	cmocka_unit_test(test_corpus_lab),
};
const size_t corpus_tests_count = sizeof(corpus_tests) / sizeof(corpus_tests[0]);

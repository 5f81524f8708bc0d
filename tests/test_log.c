/*	$fivefifty: test_log.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_log 3 - one write per line, and the daemon's deferred lines
 * DESCRIPTION
 *	util/log.c with stderr on a temporary file: a message is one line
 *	with the program name and severity, a message longer than a line's
 *	room is cut and ends in "..."; deferred (log_defer(1)), info and
 *	debug lines are not written until log_flush() (another thread's go
 *	at once, after them), a warning writes the held lines first and then
 *	itself (the order kept), and 5,000 held
 *	lines (more than the buffer holds) all arrive, in order. Lines of
 *	four threads logging at once never mix.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "util/util.h"

/* What stderr was, while the test has it on a file. */
struct cap {
	int		 saved;
	char		 path[64];
};

/* The capture of the running test (static: the teardown reaches it after
 * a failed assertion left the test's frame), and whether it is on. */
static struct cap cap;
static int	 active;

/* cap_start - stderr onto a fresh temporary file */
static void
cap_start(struct cap *c)
{
	int		fd;

	snprintf(c->path, sizeof(c->path), "/tmp/ff-log.XXXXXX");
	assert_true((fd = mkstemp(c->path)) >= 0);
	fflush(stderr);
	assert_true((c->saved = dup(STDERR_FILENO)) >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
	active = 1;
}

/* cap_text - what was written so far (free it) */
static char *
cap_text(struct cap *c)
{
	FILE		*fp = fopen(c->path, "r");
	char		*buf;
	long		 n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return (buf);
}

/* cap_end - stderr back */
static void
cap_end(struct cap *c)
{
	log_defer(0);
	log_init("fivefifty", 0);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	unlink(c->path);
	active = 0;
}

/* restore - teardown: stderr back even after a failed assertion, so the
 * next tests' words are seen, with what was captured when it failed */
static int
restore(void **state)
{
	char		*t;

	(void)state;
	if (!active)
		return (0);
	log_flush();
	t = cap_text(&cap);
	cap_end(&cap);
	fprintf(stderr, "test_log: stderr captured when the test failed:\n"
	    "%s", t);
	free(t);
	return (0);
}

/* test_log_lines - whole lines, a long one cut */
static void
test_log_lines(void **state)
{
	char		*t, *big = malloc(10000);

	(void)state;
	assert_non_null(big);
	memset(big, 'x', 9999);
	big[9999] = '\0';
	cap_start(&cap);
	log_init("fivefifty", 0);
	log_info("ban %s", "192.0.2.7");
	log_warnx("state database %s: locked", "/x.db");
	log_debug("not shown without -v");
	log_info("%s", big);
	t = cap_text(&cap);
	cap_end(&cap);
	assert_non_null(strstr(t, "fivefifty: ban 192.0.2.7\n"
	    "fivefifty: warning: state database /x.db: locked\n"));
	assert_null(strstr(t, "not shown"));
	/* The long line: cut to 4096 bytes with its newline. */
	assert_non_null(strstr(t, "xxx...\n"));
	assert_int_equal(strlen(strstr(t, "fivefifty: xxx")), 4096);
	free(t);
	free(big);
}

/* other_thread - a line of a thread that did not defer */
static void *
other_thread(void *arg)
{
	(void)arg;
	log_info("from the writer thread");
	return (NULL);
}

/* test_log_deferred - held until log_flush(), a warning writes them first,
 * more than the buffer arrives in order; another thread's lines are not
 * held */
static void
test_log_deferred(void **state)
{
	pthread_t	 th;
	char		*t, want[64], *p;
	int		 i;

	(void)state;
	cap_start(&cap);
	log_init("fivefifty", 1);
	log_defer(1);
	log_info("first");
	log_debug("second");
	t = cap_text(&cap);
	assert_string_equal(t, "");		/* held */
	free(t);
	/* Another thread's line goes at once, after what was held (the
	 * order kept). */
	assert_int_equal(pthread_create(&th, NULL, other_thread, NULL), 0);
	pthread_join(th, NULL);
	t = cap_text(&cap);
	assert_string_equal(t, "fivefifty: first\nfivefifty: debug: second\n"
	    "fivefifty: from the writer thread\n");
	free(t);
	log_info("fourth");
	log_warnx("third");
	t = cap_text(&cap);
	assert_string_equal(t, "fivefifty: first\nfivefifty: debug: second\n"
	    "fivefifty: from the writer thread\nfivefifty: fourth\n"
	    "fivefifty: warning: third\n");
	free(t);
	for (i = 0; i < 5000; i++)
		log_info("line %d of the burst", i);
	log_flush();
	t = cap_text(&cap);
	for (i = 0, p = t; i < 5000; i++) {
		snprintf(want, sizeof(want), "fivefifty: line %d of the "
		    "burst\n", i);
		if ((p = strstr(p, want)) == NULL)
			fail_msg("line %d missing or out of order", i);
		p += strlen(want);
	}
	assert_string_equal(p, "");
	free(t);
	cap_end(&cap);
}

/* chatter - one thread's 2,000 lines */
static void *
chatter(void *arg)
{
	int		i, k = *(int *)arg;

	for (i = 0; i < 2000; i++)
		log_info("thread %d says %d and %s", k, i,
		    "a longer tail so a line is more than one small write");
	return (NULL);
}

/* test_log_threads - four threads at once: every line whole */
static void
test_log_threads(void **state)
{
	pthread_t	 th[4];
	int		 k[4], i, n = 0, kk, ii;
	char		*t, *line, *save = NULL, tail[80];

	(void)state;
	cap_start(&cap);
	log_init("fivefifty", 0);
	for (i = 0; i < 4; i++) {
		k[i] = i;
		assert_int_equal(pthread_create(&th[i], NULL, chatter, &k[i]),
		    0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	t = cap_text(&cap);
	cap_end(&cap);
	for (line = strtok_r(t, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "fivefifty: thread %d says %d and %79[^\n]",
		    &kk, &ii, tail) != 3 || strcmp(tail, "a longer tail so a "
		    "line is more than one small write") != 0)
			fail_msg("a mixed line: %s", line);
		n++;
	}
	assert_int_equal(n, 8000);
	free(t);
}

const struct CMUnitTest log_tests[] = {
	cmocka_unit_test_teardown(test_log_lines, restore),
	cmocka_unit_test_teardown(test_log_deferred, restore),
	cmocka_unit_test_teardown(test_log_threads, restore),
};
const size_t log_tests_count = sizeof(log_tests) / sizeof(log_tests[0]);

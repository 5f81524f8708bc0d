/*	$fivefifty: test_tailer.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_tailer 3 - the follower on real files, with the real logrotate
 * DESCRIPTION
 *	In-process: appends, partial lines, long lines, NUL bytes, start at
 *	the end, a file missing at start, deleted and re-created, renamed
 *	while its writer goes on writing, truncated, replaced by a symlink,
 *	directory events for other files, and an idle file that must cost
 *	no CPU (getrusage, with a generous bound: no busy loop).
 *
 *	Across processes: a writer appends numbered lines while the real
 *	logrotate rotates with create, with copytruncate and with
 *	delaycompress, and probe_tailer (tests/probe_tailer.c) commits each
 *	line with its position; it is also killed with SIGKILL and SIGTERM at
 *	arbitrary moments and the file rotated (and gzip'd, in one run)
 *	while it is down. Every line
 *	must arrive exactly once, in order. For copytruncate, "every line"
 *	is every line that is in some file afterwards: logrotate itself
 *	loses what is written between its copy and its truncate, and the
 *	test counts (and prints) those.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "tailer/tailer.h"

extern char **environ;

#define LOGROTATE	"/usr/sbin/logrotate"

struct got {
	char		**line;
	size_t		*len;
	int		 n, cap;
	struct tail_pos	 last;
};

/* collect - a tail_cb that keeps copies of the lines */
static int
collect(void *arg, const struct tail_line *tl)
{
	struct got	*g = arg;

	if (g->n == g->cap) {
		g->cap = g->cap * 2 + 64;
		g->line = realloc(g->line, (size_t)g->cap * sizeof(*g->line));
		g->len = realloc(g->len, (size_t)g->cap * sizeof(*g->len));
		assert_non_null(g->line);
		assert_non_null(g->len);
	}
	g->line[g->n] = malloc(tl->len + 1);
	assert_non_null(g->line[g->n]);
	memcpy(g->line[g->n], tl->line, tl->len);
	g->line[g->n][tl->len] = '\0';
	g->len[g->n] = tl->len;
	g->n++;
	g->last = tl->pos;
	return (0);
}

/* got_free - release collected lines */
static void
got_free(struct got *g)
{
	int		i;

	for (i = 0; i < g->n; i++)
		free(g->line[i]);
	free(g->line);
	free(g->len);
	memset(g, 0, sizeof(*g));
}

/* pump - poll and read until want lines in all, or ms pass */
static void
pump(struct tailer *t, struct got *g, int want, int ms)
{
	struct pollfd	pfd = { tailer_fd(t), POLLIN, 0 };
	struct timespec	t0, now;
	int		timeout;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		assert_true(tailer_read(t, collect, g, 0) >= 0);
		if (want >= 0 && g->n >= want)
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		timeout = ms - (int)((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (timeout <= 0)
			return;
		if (tailer_timeout(t) >= 0 && tailer_timeout(t) < timeout)
			timeout = tailer_timeout(t);
		(void)poll(&pfd, 1, timeout);
	}
}

/* put - write bytes to path (append) */
static void
put(const char *path, const char *s, size_t n)
{
	int		fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	close(fd);
}

#define PUT(path, s)	put(path, s, strlen(s))

/* tmpdir - a fresh directory and the path of its mail.log */
static void
tmpdir(char *dir, size_t dlen, char *log, size_t llen)
{
	snprintf(dir, dlen, "/tmp/fivefifty-tail-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(log, llen, "%s/mail.log", dir);
}

/* rmtree - remove a test directory */
static void
rmtree(const char *dir)
{
	char	*argv[] = { "/bin/rm", "-rf", (char *)dir, NULL };
	struct run_result r;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	run_free(&r);
}

/* test_tail_append - appends, partial lines, NUL bytes, long lines */
static void
test_tail_append(void **state)
{
	char		 dir[64], log[96], *big;
	struct tailer	*t;
	struct got	 g = { 0 };
	size_t		 n = 70 * 1024;

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	PUT(log, "one\ntwo\n");
	t = tailer_new();
	assert_non_null(t);
	assert_int_equal(tailer_add(t, log, NULL, 1), 0);
	pump(t, &g, 2, 2000);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.line[1], "two");
	assert_int_equal(g.last.off, 8);

	/* A line written in three pieces arrives once, whole. */
	PUT(log, "thr");
	pump(t, &g, -1, 50);
	assert_int_equal(g.n, 2);
	PUT(log, "e");
	pump(t, &g, -1, 50);
	assert_int_equal(g.n, 2);
	put(log, "e\0x\n", 4);
	pump(t, &g, 3, 2000);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.len[2], 7);
	assert_memory_equal(g.line[2], "three\0x", 7);
	assert_int_equal(g.last.off, 16);

	/* A 70 KiB line is cut at 64 KiB, counted, and following goes on. */
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'b', n);
	big[n] = '\n';
	put(log, big, n + 1);
	free(big);
	PUT(log, "after\n");
	pump(t, &g, 5, 2000);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.len[3], LINES_MAX_DEFAULT);
	assert_string_equal(g.line[4], "after");
	{
		struct tail_stats st;
		tailer_stats(t, 0, &st);
		assert_int_equal(st.cut, 1);
		assert_int_equal(st.lines, 5);
		assert_int_equal(st.pos.off, 16 + n + 1 + 6);
	}
	tailer_free(t);
	got_free(&g);
	rmtree(dir);
}

/* test_tail_at_end - no stored position: start after the last full line */
static void
test_tail_at_end(void **state)
{
	char		 dir[64], log[96];
	struct tailer	*t;
	struct got	 g = { 0 };

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	PUT(log, "old 1\nold 2\nhalf");
	t = tailer_new();
	assert_int_equal(tailer_add(t, log, NULL, 0), 0);
	pump(t, &g, -1, 50);
	assert_int_equal(g.n, 0);
	PUT(log, " line\nnew\n");
	pump(t, &g, 2, 2000);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.line[0], "half line");
	assert_string_equal(g.line[1], "new");
	tailer_free(t);
	got_free(&g);
	rmtree(dir);
}

/* gzip - compress a file in place (path.gz), as logrotate does */
static void
gzip(const char *path)
{
	char	*argv[] = { "/bin/gzip", "-f", (char *)path, NULL };
	struct run_result r;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

/* resume - start a tailer on log at *pos (NULL: from the start), expect
 * exactly the lines of want (NULL-terminated), keep the new position */
static void
resume(const char *log, struct tail_pos *pos, int from_start,
    const char *const *want)
{
	struct tailer	*t;
	struct got	 g = { 0 };
	int		 n;

	for (n = 0; want[n] != NULL; n++)
		continue;
	t = tailer_new();
	assert_non_null(t);
	assert_int_equal(tailer_add(t, log, from_start ? NULL : pos,
	    from_start), 0);
	pump(t, &g, n, 2000);
	pump(t, &g, -1, 50);		/* and nothing more */
	assert_int_equal(g.n, n);
	for (n = 0; want[n] != NULL; n++)
		assert_string_equal(g.line[n], want[n]);
	*pos = g.last;
	tailer_free(t);
	got_free(&g);
}

#define LINES(...)	((const char *const []){ __VA_ARGS__, NULL })

/* test_tail_stored - resume from a stored position; a truncated file or
 * one replaced by a new file with the same name starts over */
static void
test_tail_stored(void **state)
{
	char		 dir[64], log[96], rot[128];
	struct tail_pos	 pos;

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	PUT(log, "a\nb\n");
	resume(log, &pos, 1, LINES("a", "b"));

	/* Same file, more lines: exactly the new ones. */
	PUT(log, "c\n");
	resume(log, &pos, 0, LINES("c"));

	/* Rotated while we were away: finish the old file, then the new. */
	PUT(log, "d\n");
	snprintf(rot, sizeof(rot), "%s.1", log);
	assert_int_equal(rename(log, rot), 0);
	PUT(log, "e\n");
	resume(log, &pos, 0, LINES("d", "e"));

	/* Rotated and gzip'd while we were away (postfix logrotate, or
	 * logrotate's compress): finish it from the .gz, by fingerprint,
	 * even when the new file got the old inode number. */
	PUT(log, "e2\n");
	snprintf(rot, sizeof(rot), "%s.20261121-101010", log);
	assert_int_equal(rename(log, rot), 0);
	gzip(rot);
	PUT(log, "e3\n");
	resume(log, &pos, 0, LINES("e2", "e3"));

	/* Truncated while we were away: from offset 0. */
	assert_int_equal(truncate(log, 0), 0);
	PUT(log, "f\n");
	resume(log, &pos, 0, LINES("f"));
	rmtree(dir);
}

/* test_tail_rotated_twice - rotated twice or more while we were away,
 * or between two reads: every file in between is read, in order, and
 * copies older than the stored position are not read again */
static void
test_tail_rotated_twice(void **state)
{
	char		 dir[64], log[96], r1[128], r2[128], r5[128], d1[160];
	char		 d2[160];
	struct tail_pos	 pos;
	struct tailer	*t;
	struct got	 g = { 0 };

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	snprintf(r1, sizeof(r1), "%s.1", log);
	snprintf(r2, sizeof(r2), "%s.2", log);
	snprintf(r5, sizeof(r5), "%s.5", log);
	PUT(r5, "old\n");		/* older than anything read: never */
	PUT(log, "a\n");
	resume(log, &pos, 1, LINES("a"));

	/* logrotate with delaycompress, twice: A -> .1 -> .2.gz, B -> .1 */
	PUT(log, "b\n");
	assert_int_equal(rename(log, r1), 0);
	PUT(log, "c\n");
	assert_int_equal(rename(r1, r2), 0);
	gzip(r2);
	assert_int_equal(rename(log, r1), 0);
	PUT(log, "d\n");
	resume(log, &pos, 0, LINES("b", "c", "d"));

	/* postfix logrotate (dated, gzip'd) and dateext (dated, plain);
	 * beside them, names that are no rotation (an admin's copy, the
	 * file gzip'd whole): never read, never in the way. */
	snprintf(d1, sizeof(d1), "%s.old", log);
	PUT(d1, "stale\n");
	snprintf(d1, sizeof(d1), "%s.gz", log);
	PUT(d1, "not really gzip");
	snprintf(d1, sizeof(d1), "%s.20261201-000001", log);
	snprintf(d2, sizeof(d2), "%s.20261201-000002", log);
	assert_int_equal(rename(log, d1), 0);
	gzip(d1);
	PUT(log, "e\n");
	assert_int_equal(rename(log, d2), 0);
	PUT(log, "f\n");
	resume(log, &pos, 0, LINES("e", "f"));

	/* Followed, and rotated twice between two reads. */
	t = tailer_new();
	assert_non_null(t);
	assert_int_equal(tailer_add(t, log, &pos, 0), 0);
	PUT(log, "g\n");
	pump(t, &g, 1, 2000);
	PUT(log, "h\n");
	assert_int_equal(rename(r1, r2), 0);
	assert_int_equal(rename(log, r1), 0);
	PUT(log, "i\n");
	assert_int_equal(rename(r1, r2), 0);
	assert_int_equal(rename(log, r1), 0);
	PUT(log, "j\n");
	pump(t, &g, 4, 2000);
	pump(t, &g, -1, 50);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.line[0], "g");
	assert_string_equal(g.line[1], "h");
	assert_string_equal(g.line[2], "i");
	assert_string_equal(g.line[3], "j");
	tailer_free(t);
	got_free(&g);
	rmtree(dir);
}

/* count_in_file - occurrences of needle in a file */
static int
count_in_file(const char *path, const char *needle)
{
	size_t		 len;
	char		*text = read_file(path, &len);
	int		 n;

	assert_non_null(text);
	n = count_in(text, needle);
	free(text);
	return (n);
}

/* test_tail_missing - not there at start, deleted, re-created; other
 * files' events ignored; the wait is said once */
static void
test_tail_missing(void **state)
{
	char		 dir[64], log[96], other[128], errlog[128];
	struct tailer	*t;
	struct got	 g = { 0 };
	int		 saved, i;

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	snprintf(errlog, sizeof(errlog), "%s.stderr", dir);
	saved = stderr_to(errlog);
	t = tailer_new();
	assert_int_equal(tailer_add(t, log, NULL, 0), 0);
	for (i = 0; i < 20; i++) {
		snprintf(other, sizeof(other), "%s/other.%d", dir, i);
		PUT(other, "not ours\n");
		if (i % 2 == 0)
			unlink(other);
		pump(t, &g, -1, 5);
	}
	assert_int_equal(g.n, 0);
	/* It appears: read from its start. */
	PUT(log, "first\n");
	pump(t, &g, 1, 2000);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.line[0], "first");
	/* Deleted with an unread line, re-created. */
	PUT(log, "last of old\n");
	assert_int_equal(unlink(log), 0);
	for (i = 0; i < 5; i++)
		pump(t, &g, -1, 10);
	PUT(log, "new file\n");
	pump(t, &g, 3, 2000);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.line[1], "last of old");
	assert_string_equal(g.line[2], "new file");
	tailer_free(t);
	stderr_back(saved);
	/* One message for the first wait, one for the second: not one per
	 * event (there were dozens). */
	assert_int_equal(count_in_file(errlog, "waiting for it"), 2);
	unlink(errlog);
	got_free(&g);
	rmtree(dir);
}

/* test_tail_no_dir - the directory itself is not there yet */
static void
test_tail_no_dir(void **state)
{
	char		 dir[64], log[96], sub[128], path[160];
	struct tailer	*t;
	struct got	 g = { 0 };

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	snprintf(sub, sizeof(sub), "%s/postfix", dir);
	snprintf(path, sizeof(path), "%s/mail.log", sub);
	t = tailer_new();
	assert_int_equal(tailer_add(t, path, NULL, 0), 0);
	pump(t, &g, -1, 50);
	assert_true(tailer_timeout(t) > 0);	/* a retry, not a busy loop */
	assert_int_equal(mkdir(sub, 0755), 0);
	PUT(path, "in a new directory\n");
	pump(t, &g, 1, 5000);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.line[0], "in a new directory");
	assert_int_equal(tailer_timeout(t), -1);
	tailer_free(t);
	got_free(&g);
	rmtree(dir);
}

/* test_tail_rename - the writer goes on writing to the renamed file
 * until it reopens; nothing is lost and nothing is out of order */
static void
test_tail_rename(void **state)
{
	char		 dir[64], log[96], rot[128];
	struct tailer	*t;
	struct got	 g = { 0 };
	int		 w;

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	snprintf(rot, sizeof(rot), "%s.1", log);
	w = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	assert_true(w >= 0);
	t = tailer_new();
	tailer_add(t, log, NULL, 1);
	assert_int_equal(write(w, "1\n", 2), 2);
	pump(t, &g, 1, 2000);
	assert_int_equal(rename(log, rot), 0);
	PUT(log, "");			/* logrotate's create */
	pump(t, &g, -1, 20);
	assert_int_equal(write(w, "2\n3", 3), 3);	/* still the old file */
	pump(t, &g, 2, 2000);
	assert_int_equal(write(w, "\n", 1), 1);
	close(w);			/* the writer reopens */
	PUT(log, "4\n");
	pump(t, &g, 4, 2000);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.line[0], "1");
	assert_string_equal(g.line[1], "2");
	assert_string_equal(g.line[2], "3");
	assert_string_equal(g.line[3], "4");
	{
		struct tail_stats st;
		tailer_stats(t, 0, &st);
		assert_int_equal(st.rotations, 1);
	}
	tailer_free(t);
	got_free(&g);
	rmtree(dir);
}

/* test_tail_truncate_symlink - copytruncate by hand; then a symlink */
static void
test_tail_truncate_symlink(void **state)
{
	char		 dir[64], log[96], rot[128], elsewhere[128];
	struct tailer	*t;
	struct got	 g = { 0 };
	char		*argv[4];
	struct run_result r;

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	snprintf(rot, sizeof(rot), "%s.1", log);
	PUT(log, "a\n");
	t = tailer_new();
	tailer_add(t, log, NULL, 1);
	pump(t, &g, 1, 2000);
	/* Lines the tailer has not read yet when the copy is made and the
	 * file truncated come from the copy. */
	PUT(log, "b\nc\n");
	argv[0] = "/bin/cp";
	argv[1] = log;
	argv[2] = rot;
	argv[3] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	run_free(&r);
	assert_int_equal(truncate(log, 0), 0);
	PUT(log, "d\n");
	pump(t, &g, 4, 2000);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.line[1], "b");
	assert_string_equal(g.line[2], "c");
	assert_string_equal(g.line[3], "d");

	/* Again, and the copy is gzip'd before the tailer looks. */
	PUT(log, "e\nf\n");
	pump(t, &g, 6, 2000);
	PUT(log, "g\n");
	snprintf(rot, sizeof(rot), "%s.2", log);
	argv[2] = rot;
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	run_free(&r);
	gzip(rot);
	assert_int_equal(truncate(log, 0), 0);
	PUT(log, "h\n");
	pump(t, &g, 8, 2000);
	assert_int_equal(g.n, 8);
	assert_string_equal(g.line[6], "g");
	assert_string_equal(g.line[7], "h");

	/* Replaced by a symlink to a file elsewhere. */
	snprintf(elsewhere, sizeof(elsewhere), "%s/real.log", dir);
	PUT(elsewhere, "via link\n");
	assert_int_equal(unlink(log), 0);
	assert_int_equal(symlink(elsewhere, log), 0);
	pump(t, &g, 9, 2000);
	assert_int_equal(g.n, 9);
	assert_string_equal(g.line[8], "via link");
	tailer_free(t);
	got_free(&g);
	rmtree(dir);
}

/* per_file - a tail_cb that counts lines per file and checks positions */
static int
per_file(void *arg, const struct tail_line *tl)
{
	unsigned long long *next = arg;

	assert_true(tl->file == 0 || tl->file == 1);
	/* Each file's positions grow by exactly its own line lengths. */
	assert_int_equal(tl->pos.off, next[tl->file] + tl->len + 1);
	next[tl->file] = tl->pos.off;
	next[2 + tl->file]++;
	return (0);
}

/* test_tail_two_files - two instances' logs, each with its own position;
 * a line budget leaves the rest pending */
static void
test_tail_two_files(void **state)
{
	char		 d1[64], l1[96], d2[64], l2[96];
	unsigned long long next[4] = { 0, 0, 0, 0 };
	struct pollfd	 pfd;
	struct tailer	*t;
	int		 i, r;

	(void)state;
	tmpdir(d1, sizeof(d1), l1, sizeof(l1));
	tmpdir(d2, sizeof(d2), l2, sizeof(l2));
	t = tailer_new();
	assert_int_equal(tailer_add(t, l1, NULL, 1), 0);
	assert_int_equal(tailer_add(t, l2, NULL, 1), 1);
	for (i = 0; i < 50; i++) {
		PUT(l1, "line of the first instance\n");
		PUT(l2, "second\n");
	}
	pfd.fd = tailer_fd(t);
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	/* At most 10 lines a call; the rest stays pending, no event needed. */
	assert_int_equal(tailer_read(t, per_file, next, 10), 10);
	assert_true(tailer_pending(t));
	assert_int_equal(tailer_timeout(t), 0);
	while ((r = tailer_read(t, per_file, next, 10)) > 0)
		continue;
	assert_int_equal(r, 0);
	assert_false(tailer_pending(t));
	assert_int_equal(next[2], 50);
	assert_int_equal(next[3], 50);
	assert_int_equal(next[0], 50 * 27);
	assert_int_equal(next[1], 50 * 7);
	tailer_free(t);
	rmtree(d1);
	rmtree(d2);
}

/* test_tail_idle_cpu - an idle file costs no CPU: no busy loop */
static void
test_tail_idle_cpu(void **state)
{
	char		 dir[64], log[96];
	struct tailer	*t;
	struct got	 g = { 0 };
	struct rusage	 r0, r1;
	long		 us;

	(void)state;
	tmpdir(dir, sizeof(dir), log, sizeof(log));
	PUT(log, "x\n");
	t = tailer_new();
	tailer_add(t, log, NULL, 1);
	pump(t, &g, 1, 2000);
	getrusage(RUSAGE_SELF, &r0);
	pump(t, &g, -1, 2000);
	getrusage(RUSAGE_SELF, &r1);
	us = (r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1000000L +
	    (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) +
	    (r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1000000L +
	    (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec);
	print_message("idle: %ld us of CPU in 2 s of following\n", us);
	assert_true(us < 100000);	/* a busy loop would use ~2 s */
	assert_int_equal(g.n, 1);
	tailer_free(t);
	got_free(&g);
	rmtree(dir);
}

/*
 * Across processes: writer, logrotate, probe_tailer.
 */

static volatile sig_atomic_t reopen;

/* on_hup - the writer's "reopen your log" */
static void
on_hup(int sig)
{
	(void)sig;
	reopen = 1;
}

/* start_writer - a child appending n numbered lines, some in two writes,
 * reopening on SIGHUP like a syslog daemon */
static pid_t
start_writer(const char *path, int n, int pace_us, const char *pidfile)
{
	char		 line[64];
	pid_t		 pid;
	int		 fd, i, len;

	if ((pid = fork()) != 0) {
		assert_true(pid > 0);
		snprintf(line, sizeof(line), "%d\n", (int)pid);
		unlink(pidfile);
		PUT(pidfile, line);
		return (pid);
	}
	signal(SIGHUP, on_hup);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	for (i = 0; i < n; i++) {
		if (reopen) {
			reopen = 0;
			close(fd);
			fd = open(path, O_WRONLY | O_APPEND | O_CREAT |
			    O_CLOEXEC, 0640);
		}
		len = snprintf(line, sizeof(line), "seq %08d postfix/smtpd"
		    "[1]: connect from a[192.0.2.1]\n", i);
		if (i % 7 == 0) {
			/* A line in two writes, as some syslogs do. */
			if (write(fd, line, 10) != 10 ||
			    write(fd, line + 10, (size_t)len - 10) != len - 10)
				_exit(1);
		} else if (write(fd, line, (size_t)len) != len)
			_exit(1);
		if (i % 10 == 0)
			usleep((useconds_t)pace_us);
	}
	_exit(0);
}

/* start_probe - probe_tailer -s STORE FILE in the background */
static pid_t
start_probe(const char *store, const char *log, const char *idle)
{
	char	*argv[] = { (char *)getenv("FIVEFIFTY_PROBE"), "-s", "-i",
	    (char *)idle, (char *)store, (char *)log, NULL };
	pid_t	 pid;

	if (argv[0] == NULL)
		argv[0] = "build/san/probe_tailer";
	assert_int_equal(posix_spawn(&pid, argv[0], NULL, NULL, argv,
	    environ), 0);
	return (pid);
}

/* rotate - run the real logrotate with the test's configuration */
static void
rotate(const char *conf, const char *statefile)
{
	char	*argv[] = { LOGROTATE, "-f", "-s", (char *)statefile,
	    (char *)conf, NULL };
	struct run_result r;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0) {
		print_error("logrotate: %s%s\n", r.out, r.err);
		run_free(&r);
		fail();
	}
	run_free(&r);
}

/* seqs_of - the sequence numbers in a file's lines ("seq %08d"), or in
 * the store's records; appended to *v */
static void
seqs_of(const char *path, int **v, int *n, int *cap)
{
	size_t		 len;
	char		*text = read_file(path, &len), *s;

	if (text == NULL)
		return;
	for (s = text; (s = strstr(s, "seq ")) != NULL; s += 4) {
		if (*n == *cap) {
			*cap = *cap * 2 + 1024;
			*v = realloc(*v, (size_t)*cap * sizeof(**v));
			assert_non_null(*v);
		}
		(*v)[(*n)++] = atoi(s + 4);
	}
	free(text);
}

/* wait_for_seq - until the store holds seq last (or ms pass) */
static void
wait_for_seq(const char *store, int last, int ms)
{
	char		 want[32];
	size_t		 len;
	char		*text;
	int		 waited;

	snprintf(want, sizeof(want), "seq %08d ", last);
	for (waited = 0; waited < ms; waited += 20) {
		text = read_file(store, &len);
		if (text != NULL && strstr(text, want) != NULL) {
			free(text);
			return;
		}
		free(text);
		usleep(20000);
	}
}

/* stop - SIGTERM (or SIGKILL) and reap */
static void
stop(pid_t pid, int sig)
{
	int	st;

	kill(pid, sig);
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* check_store - every expected seq exactly once, in order */
static void
check_store(const char *store, const char *dir, int n, int strict)
{
	int		*got = NULL, ng = 0, cg = 0, *have = NULL, nh = 0, ch = 0;
	int		 i, bad = 0, lost = 0;
	char		*present;
	char		 path[256];

	seqs_of(store, &got, &ng, &cg);
	for (i = 1; i < ng; i++)
		if (got[i] <= got[i - 1]) {
			if (bad++ < 5)
				print_error("store: seq %d after %d\n", got[i],
				    got[i - 1]);
		}
	present = calloc((size_t)n, 1);
	assert_non_null(present);
	if (!strict) {
		/* What some file still holds must have been delivered. */
		snprintf(path, sizeof(path), "%s/mail.log", dir);
		seqs_of(path, &have, &nh, &ch);
		for (i = 1; i < 200; i++) {
			snprintf(path, sizeof(path), "%s/mail.log.%d", dir, i);
			seqs_of(path, &have, &nh, &ch);
		}
		for (i = 0; i < nh; i++)
			if (have[i] >= 0 && have[i] < n)
				present[have[i]] = 1;
	} else
		memset(present, 1, (size_t)n);
	for (i = 0; i < ng; i++)
		if (got[i] >= 0 && got[i] < n)
			present[got[i]] |= 2;
	for (i = 0; i < n; i++) {
		if (present[i] == 1) {
			if (bad++ < 5)
				print_error("store: seq %d missing\n", i);
		} else if (present[i] == 0)
			lost++;
	}
	print_message("%d lines written, %d delivered, %d lost by logrotate "
	    "itself\n", n, ng, lost);
	assert_int_equal(bad, 0);
	assert_int_equal(ng, n - lost);
	free(present);
	free(got);
	free(have);
}

/* file_size - the size of path, 0 when it cannot be read */
static long long
file_size(const char *path)
{
	struct stat	sb;

	return (stat(path, &sb) == 0 ? (long long)sb.st_size : 0);
}

/* logrotate_run - writer + probe + logrotate in the given mode */
static void
logrotate_run(const char *mode, int strict)
{
	char		 dir[64], log[96], conf[128], statef[128], store[128];
	char		 pidfile[128], text[1024];
	pid_t		 writer, probe;
	int		 st, i, n = 6000;

	tmpdir(dir, sizeof(dir), log, sizeof(log));
	snprintf(conf, sizeof(conf), "%s.conf", dir);
	snprintf(statef, sizeof(statef), "%s.state", dir);
	snprintf(store, sizeof(store), "%s.store", dir);
	snprintf(pidfile, sizeof(pidfile), "%s.pid", dir);
	snprintf(text, sizeof(text), "%s {\n\trotate 200\n\tmissingok\n%s}\n",
	    log, mode);
	{
		char *m = strstr(text, "PIDFILE");
		if (m != NULL) {
			char tail[512];
			snprintf(tail, sizeof(tail), "%s%s", pidfile, m + 7);
			snprintf(m, sizeof(text) - (size_t)(m - text), "%s",
			    tail);
		}
	}
	unlink(conf);
	PUT(conf, text);
	PUT(log, "");
	probe = start_probe(store, log, "-1");
	/* Its start committed (a daemon's READY) before the first line:
	 * on a loaded machine a probe still starting when the first
	 * rotation comes would begin at a file that no longer holds the
	 * first lines (a test's race, not the tailer's). */
	for (i = 0; i < 10000 && file_size(store) == 0; i++)
		usleep(1000);
	if (file_size(store) == 0) {
		stop(probe, SIGKILL);
		fail_msg("the probe did not commit its start in 10 s");
	}
	writer = start_writer(log, n, 400, pidfile);
	for (i = 0; i < 6; i++) {
		usleep(60000);
		rotate(conf, statef);
	}
	assert_int_equal(waitpid(writer, &st, 0), writer);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	wait_for_seq(store, n - 1, 10000);
	usleep(100000);
	stop(probe, SIGTERM);
	check_store(store, dir, n, strict);
	unlink(conf);
	unlink(statef);
	unlink(store);
	unlink(pidfile);
	rmtree(dir);
}

#define HUP	"\tpostrotate\n\t\tkill -HUP $(cat PIDFILE)\n\tendscript\n"

/* test_logrotate_create - rename + create + HUP */
static void
test_logrotate_create(void **state)
{
	(void)state;
	logrotate_run("\tcreate 0640\n\tnocompress\n" HUP, 1);
}

/* test_logrotate_copytruncate - copy, then truncate in place */
static void
test_logrotate_copytruncate(void **state)
{
	(void)state;
	logrotate_run("\tcopytruncate\n\tnocompress\n", 0);
}

/* test_logrotate_delaycompress - rename + create, compress one later */
static void
test_logrotate_delaycompress(void **state)
{
	(void)state;
	logrotate_run("\tcreate 0640\n\tcompress\n\tdelaycompress\n" HUP, 1);
}

/* kill_restart - SIGKILL and SIGTERM at arbitrary moments, rotation
 * while the consumer is down: still exactly once */
static void
kill_restart(const char *compress)
{
	char		 dir[64], log[96], conf[128], statef[128], store[128];
	char		 pidfile[128], text[512];
	pid_t		 writer, probe;
	unsigned	 seed = 12345;
	int		 st, i, n = 8000, done = 0;

	tmpdir(dir, sizeof(dir), log, sizeof(log));
	snprintf(conf, sizeof(conf), "%s.conf", dir);
	snprintf(statef, sizeof(statef), "%s.state", dir);
	snprintf(store, sizeof(store), "%s.store", dir);
	snprintf(pidfile, sizeof(pidfile), "%s.pid", dir);
	snprintf(text, sizeof(text), "%s {\n\trotate 200\n\tcreate 0640\n"
	    "\t%s\n\tpostrotate\n\t\tkill -HUP $(cat %s)\n"
	    "\tendscript\n}\n", log, compress, pidfile);
	unlink(conf);
	PUT(conf, text);
	PUT(log, "");
	/* The writer first: the probe commits its start position at once,
	 * and a position taken on an empty file has no fingerprint, so a
	 * gzip'd copy of that file could not be recognised (tailer.h). */
	writer = start_writer(log, n, 2500, pidfile);
	for (i = 0; i < 1000 && file_size(log) == 0; i++)
		usleep(1000);
	probe = start_probe(store, log, "-1");
	/* Ready: its start is committed (a daemon's READY). Before that, a
	 * kill leaves no position, and the next start could only begin at
	 * whatever file has the name by then. */
	for (i = 0; i < 10000 && file_size(store) == 0; i++)
		usleep(1000);
	for (i = 0; !done; i++) {
		seed = seed * 1103515245 + 12345;
		usleep(20000 + (seed >> 8) % 150000);
		stop(probe, i % 3 == 2 ? SIGTERM : SIGKILL);
		if (i % 2 == 0)
			rotate(conf, statef);	/* while it is down */
		probe = start_probe(store, log, "-1");
		done = waitpid(writer, &st, WNOHANG) == writer;
	}
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	wait_for_seq(store, n - 1, 10000);
	usleep(100000);
	stop(probe, SIGTERM);
	print_message("kill/restart (%s): %d stops, %d rotations while down\n",
	    compress, i, (i + 1) / 2);
	check_store(store, dir, n, 1);
	unlink(conf);
	unlink(statef);
	unlink(store);
	unlink(pidfile);
	rmtree(dir);
}

/* test_kill_restart - ... with the rotated file left as it is */
static void
test_kill_restart(void **state)
{
	(void)state;
	kill_restart("nocompress");
}

/* test_kill_restart_gzip - ... and gzip'd at once: finished from the .gz */
static void
test_kill_restart_gzip(void **state)
{
	(void)state;
	kill_restart("compress");
}

const struct CMUnitTest tailer_tests[] = {
	cmocka_unit_test(test_tail_append),
	cmocka_unit_test(test_tail_at_end),
	cmocka_unit_test(test_tail_stored),
	cmocka_unit_test(test_tail_rotated_twice),
	cmocka_unit_test(test_tail_missing),
	cmocka_unit_test(test_tail_no_dir),
	cmocka_unit_test(test_tail_rename),
	cmocka_unit_test(test_tail_truncate_symlink),
	cmocka_unit_test(test_tail_two_files),
	cmocka_unit_test(test_tail_idle_cpu),
	cmocka_unit_test(test_logrotate_create),
	cmocka_unit_test(test_logrotate_copytruncate),
	cmocka_unit_test(test_logrotate_delaycompress),
	cmocka_unit_test(test_kill_restart),
	cmocka_unit_test(test_kill_restart_gzip),
};
const size_t tailer_tests_count = sizeof(tailer_tests) / sizeof(tailer_tests[0]);

/*	$fivefifty: test_lines.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_lines 3 - the line splitter on real files and pipes
 * DESCRIPTION
 *	Partial lines written in several writes, a last line without a
 *	newline, NUL bytes, CR kept as data, lines over the cap cut and
 *	counted, and offsets that point just after each line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "tailer/tailer.h"

/* tmpfile_with - a temporary file holding len bytes, opened for reading */
static int
tmpfile_with(const char *data, size_t len)
{
	char		path[] = "/tmp/fivefifty-lines-XXXXXX";
	int		fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return (fd);
}

/* test_lines_basic - lines, NUL bytes, CR, a last line without newline */
static void
test_lines_basic(void **state)
{
	static const char data[] = "one\ntw\0o\r\n\nlast";
	struct lines	*lr;
	const char	*l;
	size_t		 len;
	int		 fd;

	(void)state;
	fd = tmpfile_with(data, sizeof(data) - 1);
	lr = lines_new(fd, 0);
	assert_non_null(lr);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 3);
	assert_memory_equal(l, "one", 3);
	assert_int_equal(lines_offset(lr), 4);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(l, "tw\0o\r", 5);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 0);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 4);
	assert_memory_equal(l, "last", 4);
	assert_int_equal(lines_offset(lr), sizeof(data) - 1);
	assert_int_equal(lines_next(lr, &l, &len), 0);
	assert_int_equal(lines_cut(lr), 0);
	lines_free(lr);
	close(fd);
}

/* test_lines_partial_writes - a line written in pieces arrives whole */
static void
test_lines_partial_writes(void **state)
{
	struct lines	*lr;
	const char	*l;
	size_t		 len;
	int		 p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	lr = lines_new(p[0], 0);
	assert_non_null(lr);
	assert_int_equal(write(p[1], "Nov 21 13:16:01 mx post", 23), 23);
	assert_int_equal(write(p[1], "fix/smtpd[1]: con", 17), 17);
	assert_int_equal(write(p[1], "nect from a[1.2.3.4]\nsecond", 27), 27);
	close(p[1]);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 60);
	assert_memory_equal(l, "Nov 21 13:16:01 mx postfix/smtpd[1]: connect "
	    "from a[1.2.3.4]", 60);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 6);
	assert_int_equal(lines_next(lr, &l, &len), 0);
	lines_free(lr);
	close(p[0]);
}

/* test_lines_long - lines over 64 KiB are cut, counted, and skipped */
static void
test_lines_long(void **state)
{
	size_t		 big = 200 * 1024, n, len, i;
	char		*data;
	struct lines	*lr;
	const char	*l;
	int		 fd;

	(void)state;
	n = 4 + big + 1 + 65536 + 1 + 65537 + 1 + 6;
	data = malloc(n);
	assert_non_null(data);
	memcpy(data, "abc\n", 4);
	memset(data + 4, 'x', big);
	data[4 + big] = '\n';
	memset(data + 5 + big, 'y', 65536);	/* exactly the cap: kept */
	data[5 + big + 65536] = '\n';
	memset(data + 6 + big + 65536, 'z', 65537);	/* one over: cut */
	data[6 + big + 65536 + 65537] = '\n';
	memcpy(data + 7 + big + 65536 + 65537, "after\n", 6);
	fd = tmpfile_with(data, n);
	lr = lines_new(fd, 0);
	assert_non_null(lr);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 3);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, LINES_MAX_DEFAULT);
	for (i = 0; i < len; i++)
		assert_int_equal(l[i], 'x');
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 65536);
	assert_int_equal(l[0], 'y');
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, LINES_MAX_DEFAULT);
	assert_int_equal(l[0], 'z');
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(l, "after", 5);
	assert_int_equal(lines_offset(lr), n);
	assert_int_equal(lines_next(lr, &l, &len), 0);
	assert_int_equal(lines_cut(lr), 2);
	lines_free(lr);
	close(fd);
	free(data);
}

/* test_lines_many - every line of a large file, in order, exactly once */
static void
test_lines_many(void **state)
{
	char		 path[] = "/tmp/fivefifty-many-XXXXXX", want[64];
	struct lines	*lr;
	const char	*l;
	size_t		 len;
	FILE		*fp;
	int		 fd, i;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w+");
	assert_non_null(fp);
	for (i = 0; i < 200000; i++)
		fprintf(fp, "line %d %.*s\n", i, i % 97, "................."
		    "..............................................................."
		    "....................");
	fflush(fp);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	lr = lines_new(fd, 0);
	for (i = 0; lines_next(lr, &l, &len) == 1; i++) {
		snprintf(want, sizeof(want), "line %d ", i);
		assert_true(len >= strlen(want));
		assert_memory_equal(l, want, strlen(want));
	}
	assert_int_equal(i, 200000);
	lines_free(lr);
	fclose(fp);
	unlink(path);
}

const struct CMUnitTest lines_tests[] = {
	cmocka_unit_test(test_lines_basic),
	cmocka_unit_test(test_lines_partial_writes),
	cmocka_unit_test(test_lines_long),
	cmocka_unit_test(test_lines_many),
};
const size_t lines_tests_count = sizeof(lines_tests) / sizeof(lines_tests[0]);

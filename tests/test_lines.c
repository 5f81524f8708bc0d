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
 *	counted, and offsets that point just after each line. lines_open():
 *	a gzip'd file (written by zlib) read through zlib, its over-long line
 *	cut and counted and the lines after it read; the same file without
 *	LINES_GZIP read as the bytes it holds, a plain file with it read as
 *	it is; the file's mtime; a missing file, and corrupt gzip data said
 *	as such.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

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

/* put_file - path holding len bytes of data */
static void
put_file(const char *path, const char *data, size_t len)
{
	int		fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
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

/* gz_put - path holding len bytes of data, gzip'd by zlib */
static void
gz_put(const char *path, const char *data, size_t len)
{
	gzFile		gz;

	gz = gzopen(path, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
	assert_int_equal(gzclose(gz), Z_OK);
}

/* long_log - "first\n", big x's and a newline, "after\n", "last" */
static char *
long_log(size_t big, size_t *n)
{
	char		*data;

	*n = 6 + big + 1 + 6 + 4;
	data = malloc(*n);
	assert_non_null(data);
	memcpy(data, "first\n", 6);
	memset(data + 6, 'x', big);
	data[6 + big] = '\n';
	memcpy(data + 7 + big, "after\nlast", 10);
	return (data);
}

/* test_lines_open_gzip - a gzip'd file through zlib: its over-long line
 * cut and counted, the lines after it read; without LINES_GZIP its bytes
 * as they are, and a plain file with LINES_GZIP as it is */
static void
test_lines_open_gzip(void **state)
{
	char		 dir[] = "/tmp/fivefifty-lines-gz-XXXXXX", gz[64];
	char		 plain[64];
	size_t		 big = 300 * 1024, n, len, i;
	struct lines	*lr;
	struct stat	 sb;
	const char	*l;
	time_t		 mtime;
	char		*data;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(gz, sizeof(gz), "%s/mail.log.2.gz", dir);
	snprintf(plain, sizeof(plain), "%s/mail.log.1", dir);
	data = long_log(big, &n);
	gz_put(gz, data, n);
	lr = lines_open(gz, LINES_GZIP, &mtime);
	assert_non_null(lr);
	assert_int_equal(stat(gz, &sb), 0);
	assert_int_equal(mtime, sb.st_mtime);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(l, "first", 5);
	assert_int_equal(lines_cut(lr), 0);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, LINES_MAX_DEFAULT);
	for (i = 0; i < len; i++)
		assert_int_equal(l[i], 'x');
	assert_int_equal(lines_cut(lr), 1);
	assert_int_equal(lines_offset(lr), 6 + big + 1);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, 5);
	assert_memory_equal(l, "after", 5);
	assert_int_equal(lines_next(lr, &l, &len), 1);	/* no newline */
	assert_int_equal(len, 4);
	assert_memory_equal(l, "last", 4);
	assert_int_equal(lines_next(lr, &l, &len), 0);
	assert_int_equal(lines_offset(lr), n);
	assert_int_equal(lines_cut(lr), 1);
	lines_free(lr);

	/* Without LINES_GZIP: the compressed bytes, not "first". */
	lr = lines_open(gz, 0, &mtime);
	assert_non_null(lr);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_true(len >= 2);
	assert_int_equal((unsigned char)l[0], 0x1f);
	assert_int_equal((unsigned char)l[1], 0x8b);
	lines_free(lr);

	/* A plain file with LINES_GZIP: read as it is. */
	put_file(plain, data, n);
	lr = lines_open(plain, LINES_GZIP, &mtime);
	assert_non_null(lr);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_memory_equal(l, "first", 5);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_int_equal(len, LINES_MAX_DEFAULT);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_memory_equal(l, "after", 5);
	assert_int_equal(lines_next(lr, &l, &len), 1);
	assert_memory_equal(l, "last", 4);
	assert_int_equal(lines_next(lr, &l, &len), 0);
	assert_int_equal(lines_cut(lr), 1);
	lines_free(lr);
	free(data);
	assert_int_equal(unlink(gz), 0);
	assert_int_equal(unlink(plain), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* test_lines_open_errors - a missing file; corrupt gzip data after good
 * lines: they are read, then -1 and zlib's reason */
static void
test_lines_open_errors(void **state)
{
	char		 path[] = "/tmp/fivefifty-lines-bad-XXXXXX";
	unsigned char	 buf[4096];
	struct lines	*lr;
	const char	*l, *why;
	size_t		 len, i;
	time_t		 mtime;
	gzFile		 gz;
	int		 fd, r;

	(void)state;
	errno = 0;
	assert_null(lines_open("/nonexistent/fivefifty/mail.log", LINES_GZIP,
	    &mtime));
	assert_int_equal(errno, ENOENT);

	/* A gzip stream of good lines, its deflate data then overwritten. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	gz = gzdopen(dup(fd), "wb");
	assert_non_null(gz);
	for (i = 0; i < 2000; i++)
		gzprintf(gz, "line %zu of a log that zlib compresses\n", i);
	assert_int_equal(gzclose(gz), Z_OK);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(pwrite(fd, buf, 64, 40), 64);
	close(fd);
	lr = lines_open(path, LINES_GZIP, &mtime);
	assert_non_null(lr);
	while ((r = lines_next(lr, &l, &len)) == 1)
		;
	assert_int_equal(r, -1);
	why = lines_strerror(lr);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	assert_string_not_equal(why, strerror(0));
	lines_free(lr);
	unlink(path);
}

const struct CMUnitTest lines_tests[] = {
	cmocka_unit_test(test_lines_basic),
	cmocka_unit_test(test_lines_partial_writes),
	cmocka_unit_test(test_lines_long),
	cmocka_unit_test(test_lines_many),
	cmocka_unit_test(test_lines_open_gzip),
	cmocka_unit_test(test_lines_open_errors),
};
const size_t lines_tests_count = sizeof(lines_tests) / sizeof(lines_tests[0]);

/*	$fivefifty: test_obuf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_obuf 3 - the fast JSON output writes what the slow one did
 * DESCRIPTION
 *	`parse --json` writes through util/obuf.c (issue 17); esc_json() of
 *	util/escape.c, through stdio byte by byte, stays the reference.
 *	ob_esc_json(), and ob_json_str() with a key before and quotes around
 *	it, must write the very same bytes for: every byte in every place of
 *	plain runs up to 24 bytes long and UTF-8 among plain bytes (through
 *	buffers of every size from 16 to 100 bytes too), every byte and
 *	every pair of bytes, seeded random bytes weighted to controls and
 *	broken UTF-8 under every cap, and every line of the shared corpus
 *	under caps that cut it anywhere, once through a buffer of the
 *	smallest size (a flush at nearly every step) and once through a
 *	large one. The numbers match printf's. A failed write is reported.
 *	And tests/json_check.py reads back each line `parse --json` writes
 *	for the corpus, writes it again by the rules of util.h and wants
 *	the same bytes (an independent slow path, in Python).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "util/obuf.h"
#include "util/util.h"

/* Both sides of one comparison: esc_json() into memory, the obuf into a
 * temporary file (it writes to a descriptor). */
struct pair {
	FILE		*ref;
	char		*refbuf;
	size_t		 reflen;
	FILE		*tmp;
	struct obuf	 ob;
	unsigned long	 fields;
};

/* pair_open - both sides, empty; the obuf of obcap bytes */
static void
pair_open(struct pair *pr, size_t obcap)
{
	memset(pr, 0, sizeof(*pr));
	assert_non_null(pr->ref = open_memstream(&pr->refbuf, &pr->reflen));
	assert_non_null(pr->tmp = tmpfile());
	ob_init(&pr->ob, pr->tmp, obcap);
}

#define OB_JSON(ob, key, s, len, cap) \
	ob_json_str((ob), (key), sizeof(key) - 1, (s), (len), (cap))

/* pair_add - s escaped on both sides, a newline after each: alone, and
 * as a string field after a short key and after a long one */
static void
pair_add(struct pair *pr, const char *s, size_t len, size_t cap)
{
	esc_json(pr->ref, s, len, cap);
	fputs("\n,\"k\":\"", pr->ref);
	esc_json(pr->ref, s, len, cap);
	fputs("\"\n", pr->ref);
	ob_esc_json(&pr->ob, s, len, cap);
	ob_putc(&pr->ob, '\n');
	OB_JSON(&pr->ob, ",\"k\":", s, len, cap);
	ob_putc(&pr->ob, '\n');
	/* A key longer than the smallest buffer. */
	fputs(",\"a_key_longer_than_the_buffer\":\"", pr->ref);
	esc_json(pr->ref, s, len, cap);
	fputs("\"\n", pr->ref);
	OB_JSON(&pr->ob, ",\"a_key_longer_than_the_buffer\":", s, len, cap);
	ob_putc(&pr->ob, '\n');
	pr->fields++;
}

/* pair_check - the two sides byte for byte; then both closed */
static void
pair_check(struct pair *pr, const char *what)
{
	char		*got;
	size_t		 n, i;
	long		 size;

	assert_int_equal(ob_flush(&pr->ob), 0);
	ob_free(&pr->ob);
	assert_int_equal(fclose(pr->ref), 0);
	assert_int_equal(fseek(pr->tmp, 0, SEEK_END), 0);
	assert_true((size = ftell(pr->tmp)) >= 0);
	rewind(pr->tmp);
	assert_non_null(got = malloc((size_t)size + 1));
	n = fread(got, 1, (size_t)size, pr->tmp);
	assert_int_equal(n, (size_t)size);
	fclose(pr->tmp);
	if (n != pr->reflen || memcmp(got, pr->refbuf, n) != 0) {
		for (i = 0; i < n && i < pr->reflen && got[i] == pr->refbuf[i];
		    i++)
			;
		fail_msg("%s: ob_esc_json differs from esc_json at byte %zu "
		    "of %zu (fast) / %zu (reference), %lu fields: ...%.40s "
		    "against ...%.40s", what, i, n, pr->reflen, pr->fields,
		    got + (i > 20 ? i - 20 : 0),
		    pr->refbuf + (i > 20 ? i - 20 : 0));
	}
	assert_true(pr->fields > 0);
	free(got);
	free(pr->refbuf);
}

/* rnd - xorshift64, seeded: the same bytes on every run */
static unsigned
rnd(unsigned long long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return ((unsigned)(*x >> 32));
}

/* rnd_byte - a byte, often one that needs escaping or starts UTF-8 */
static unsigned char
rnd_byte(unsigned long long *x)
{
	static const unsigned char hard[] = { 0x00, 0x01, 0x09, 0x0a, 0x0d,
	    0x1b, 0x1f, '"', '\\', 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xc3, 0xdf,
	    0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f };
	unsigned	 r = rnd(x);

	if (r % 3 == 0)
		return ((unsigned char)(r >> 8));
	if (r % 3 == 1)
		return ('a' + (r >> 8) % 26);
	return (hard[(r >> 8) % sizeof(hard)]);
}

/* add_runs - every byte in every place of plain runs of 1 to 24 bytes
 * (the escaping copies eight plain bytes at a time, then the rest byte
 * by byte; every: all 256, else one of each kind), and UTF-8 sequences
 * among plain bytes */
static void
add_runs(struct pair *pr, int every)
{
	static const char *const seqs[] = { "\xc3\xa9", "\xe2\x82\xac",
	    "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc3" };
	static const unsigned char some[] = { 'p', '"', '\\', 0x00, 0x1f,
	    ' ', '~', 0x7f, 0x80, 0xc3, 0xff };
	char		 s[64];
	size_t		 len, k, n;
	int		 a, i;

	for (len = 1; len <= 24; len++)
		for (i = 0; i < (int)len; i++)
			for (a = 0; a < (every ? 256 : (int)sizeof(some));
			    a++) {
				memset(s, 'p', len);
				s[i] = (char)(every ? a : some[a]);
				pair_add(pr, s, len, 0);
			}
	for (k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++)
		for (i = 0; i <= 20; i++) {
			n = strlen(seqs[k]);
			memset(s, 'q', sizeof(s));
			memcpy(s + i, seqs[k], n);
			pair_add(pr, s, (size_t)i + n + 9, 0);
			pair_add(pr, s, (size_t)i + n, 0);
		}
}

/* add_synthetic - single bytes, pairs, and random strings under caps */
static void
add_synthetic(struct pair *pr)
{
	unsigned long long x = 0x9e3779b97f4a7c15ULL;
	char		 s[64];
	size_t		 len, cap;
	int		 a, b, k, i;

	for (a = 0; a < 256; a++) {
		s[0] = (char)a;
		pair_add(pr, s, 1, 0);
		pair_add(pr, s, 1, 1);
		for (b = 0; b < 256; b++) {
			s[1] = (char)b;
			pair_add(pr, s, 2, 0);
			pair_add(pr, s, 2, 1);
		}
	}
	for (k = 0; k < 20000; k++) {
		len = rnd(&x) % sizeof(s);
		for (i = 0; i < (int)len; i++)
			s[i] = (char)rnd_byte(&x);
		for (cap = 0; cap <= len + 1; cap += 1 + cap / 4)
			pair_add(pr, s, len, cap);
	}
	add_runs(pr, 1);
	/* Well-formed sequences of every length, cut inside by a cap. */
	memcpy(s, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbdz", 15);
	for (cap = 0; cap <= 15; cap++)
		pair_add(pr, s, 15, cap);
}

/* add_corpus - every line of every *.log of one corpus directory */
static void
add_corpus(struct pair *pr, const char *rel)
{
	struct dirent	**names;
	char		 dir[512], path[1024], *text, *line, *nl;
	size_t		 len, l;
	int		 n, i, files = 0;

	shared_path(rel, dir, sizeof(dir));
	if ((n = scandir(dir, &names, NULL, alphasort)) <= 0)
		fail_msg("%s: no corpus here (make test SHARED=DIR)", dir);
	for (i = 0; i < n; i++) {
		l = strlen(names[i]->d_name);
		if (l > 4 && strcmp(names[i]->d_name + l - 4, ".log") == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			assert_non_null(text = read_file(path, &len));
			for (line = text; line < text + len; line = nl + 1) {
				if ((nl = memchr(line, '\n',
				    (size_t)(text + len - line))) == NULL)
					nl = text + len;
				l = (size_t)(nl - line);
				pair_add(pr, line, l, 0);
				pair_add(pr, line, l, 4096);
				pair_add(pr, line, l, 1 + l / 2);
				pair_add(pr, line, l, 1 + l / 3);
			}
			free(text);
			files++;
		}
		free(names[i]);
	}
	free(names);
	assert_true(files > 0);
}

/* test_obuf_escape_synthetic - every byte, pair, random string, cap */
static void
test_obuf_escape_synthetic(void **state)
{
	struct pair	 pr;
	char		 what[64];
	size_t		 obcap;

	(void)state;
	pair_open(&pr, 1);	/* raised to the smallest size */
	add_synthetic(&pr);
	pair_check(&pr, "synthetic, smallest buffer");
	pair_open(&pr, 1 << 18);
	add_synthetic(&pr);
	pair_check(&pr, "synthetic, 256 KiB buffer");
	/* Buffers of 16 to 100 bytes: runs cut by the room anywhere, a
	 * field on either side of ob_json_str()'s one-pass bound. */
	for (obcap = 16; obcap <= 100; obcap++) {
		snprintf(what, sizeof(what), "runs, %zu-byte buffer", obcap);
		pair_open(&pr, obcap);
		add_runs(&pr, 0);
		pair_check(&pr, what);
	}
}

/* test_obuf_escape_corpus - every corpus line, whole and cut */
static void
test_obuf_escape_corpus(void **state)
{
	struct pair	 pr;

	(void)state;
	need_corpus();
	pair_open(&pr, 1);
	add_corpus(&pr, "corpus/realworld");
	add_corpus(&pr, "corpus/lab");
	pair_check(&pr, "corpus, smallest buffer");
	pair_open(&pr, 1 << 18);
	add_corpus(&pr, "corpus/realworld");
	add_corpus(&pr, "corpus/lab");
	pair_check(&pr, "corpus, 256 KiB buffer");
}

/* test_obuf_numbers - ob_long/ob_ulong as %ld/%lu; long runs; errors */
static void
test_obuf_numbers(void **state)
{
	static const long vals[] = { 0, 1, -1, 9, 10, -10, 99, 100, 65535,
	    2147483647L, -2147483647L - 1, LONG_MAX, LONG_MIN, 1234567890L };
	struct pair	 pr;
	char		 big[70000], want[32];
	size_t		 i;
	FILE		*full;
	struct obuf	 ob;

	(void)state;
	pair_open(&pr, 16);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		fprintf(pr.ref, "%ld %lu\n", vals[i], (unsigned long)vals[i]);
		ob_long(&pr.ob, vals[i]);
		ob_putc(&pr.ob, ' ');
		ob_ulong(&pr.ob, (unsigned long)vals[i]);
		ob_putc(&pr.ob, '\n');
		pr.fields++;
	}
	/* A run longer than the buffer goes out after what was buffered. */
	memset(big, 'x', sizeof(big));
	fwrite(big, 1, sizeof(big), pr.ref);
	ob_putn(&pr.ob, big, sizeof(big));
	OB_LIT(&pr.ob, "end");
	fputs("end", pr.ref);
	pair_check(&pr, "numbers and a long run");
	snprintf(want, sizeof(want), "%lu", ULONG_MAX);
	assert_int_equal(strlen(want), 20);

	/* A failed write: -1 from ob_flush() with the write's errno. */
	if ((full = fopen("/dev/full", "w")) == NULL)
		skip();
	ob_init(&ob, full, 64);
	for (i = 0; i < 100; i++)
		OB_LIT(&ob, "0123456789");
	errno = 0;
	assert_int_equal(ob_flush(&ob), -1);
	assert_int_equal(errno, ENOSPC);
	ob_free(&ob);
	fclose(full);
}

/* test_obuf_json_roundtrip - parse --json of the corpus, read back and
 * written again by tests/json_check.py: the same bytes */
static void
test_obuf_json_roundtrip(void **state)
{
	char		 cmd[4096], real[512], lab[512], *out;
	int		 status;
	unsigned long	 lines = 0, files = 0, bad = 1;

	(void)state;
	need_corpus();
	shared_path("corpus/realworld", real, sizeof(real));
	shared_path("corpus/lab", lab, sizeof(lab));
	snprintf(cmd, sizeof(cmd), "python3 tests/json_check.py '%s' "
	    "'%s'/*.log '%s'/*.log", bin_path(), real, lab);
	out = sh(cmd, &status);
	if (status != 0 || sscanf(out, "%lu lines, %lu files, %lu mismatches",
	    &lines, &files, &bad) != 3)
		fail_msg("json_check.py: exit %d: %s", status, out);
	assert_int_equal(bad, 0);
	assert_true(files >= 2);
	assert_true(lines > 10000);	/* the corpus has 78,000 events */
	free(out);
}

const struct CMUnitTest obuf_tests[] = {
	cmocka_unit_test(test_obuf_escape_synthetic),
	cmocka_unit_test(test_obuf_escape_corpus),
	cmocka_unit_test(test_obuf_numbers),
	cmocka_unit_test(test_obuf_json_roundtrip),
};
const size_t obuf_tests_count = sizeof(obuf_tests) / sizeof(obuf_tests[0]);

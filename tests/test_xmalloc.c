/*	$fivefifty: test_xmalloc.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_xmalloc 3 - arrays grown with their pages faulted in first
 * DESCRIPTION
 *	xgrowarray() keeps every object of the old array, small (through
 *	reallocarray) and large (a new block faulted in, then the copy),
 *	across growths from a few objects to 8 MiB, and the room it adds is
 *	writable to its end. xprefault() leaves the bytes of memory in use
 *	as they were, small or large, aligned or not; the process's resident
 *	size (/proc/self/statm) grows by the pages it faulted in, which is
 *	what it is for (skipped on a kernel without MADV_POPULATE_WRITE).
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "util/util.h"

/* resident - the process's resident pages */
static long
resident(void)
{
	FILE		*fp = fopen("/proc/self/statm", "r");
	long		 size = 0, res = -1;

	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld %ld", &size, &res), 2);
	fclose(fp);
	return (res);
}

/* test_xgrowarray_keeps - doubling from 1 to 1 Mi 8-byte objects: each
 * growth keeps what was written, the new room takes writes */
static void
test_xgrowarray_keeps(void **state)
{
	uint64_t	*a = NULL;
	size_t		 n = 0, cap = 0, i;

	(void)state;
	while (cap < (1U << 20)) {
		size_t ncap = cap ? cap * 2 : 1;

		a = xgrowarray(a, n, ncap, sizeof(*a));
		for (i = 0; i < n; i++)
			if (a[i] != i * 2654435761ULL)
				fail_msg("object %zu of %zu lost growing %zu to "
				    "%zu", i, n, cap, ncap);
		cap = ncap;
		for (; n < cap; n++)
			a[n] = n * 2654435761ULL;
	}
	assert_int_equal(n, 1U << 20);
	assert_true(a[n - 1] == (n - 1) * 2654435761ULL);
	free(a);
	/* From nothing, large at once. */
	a = xgrowarray(NULL, 0, 1U << 20, sizeof(*a));
	a[0] = 1;
	a[(1U << 20) - 1] = 2;
	assert_true(a[0] + a[(1U << 20) - 1] == 3);
	free(a);
}

/* test_xprefault_bytes - memory in use keeps its bytes; a large fresh
 * block is resident after it */
static void
test_xprefault_bytes(void **state)
{
	size_t		 big = 8U << 20, i;
	unsigned char	*p = xmalloc(big), *q;
	long		 before, after;

	(void)state;
	for (i = 0; i < big; i += 4093)
		p[i] = (unsigned char)(i * 7);
	xprefault(p + 1, big - 3);	/* unaligned both ends */
	xprefault(p, 100);		/* small: nothing */
	xprefault(NULL, big);
	for (i = 0; i < big; i += 4093)
		if (p[i] != (unsigned char)(i * 7))
			fail_msg("byte %zu changed by xprefault", i);
	free(p);
	/* A fresh mapping (above malloc's mmap threshold) is not resident
	 * until written or faulted in; a kernel before 5.14 has no
	 * MADV_POPULATE_WRITE (xprefault() does nothing there): said, not
	 * failed, and not counted as passed. */
	q = xmalloc(64U << 20);
	if (madvise((void *)(((uintptr_t)q + 4095) & ~(uintptr_t)4095), 4096,
	    23 /* MADV_POPULATE_WRITE */) == -1 && errno == EINVAL) {
		free(q);
		skip();
	}
	before = resident();
	xprefault(q, 64U << 20);
	after = resident();
	assert_true(after - before >= (long)((60U << 20) /
	    (size_t)sysconf(_SC_PAGESIZE)));
	q[0] = 1;
	q[(64U << 20) - 1] = 2;
	assert_int_equal(q[0] + q[(64U << 20) - 1], 3);
	free(q);
}

const struct CMUnitTest xmalloc_tests[] = {
	cmocka_unit_test(test_xgrowarray_keeps),
	cmocka_unit_test(test_xprefault_bytes),
};
const size_t xmalloc_tests_count = sizeof(xmalloc_tests) /
    sizeof(xmalloc_tests[0]);

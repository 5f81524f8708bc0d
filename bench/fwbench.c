/*	$fivefifty: fwbench.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fwbench 1 - time to put N bans into the kernel in one flush
 * SYNOPSIS
 *	fwbench N [M]
 * DESCRIPTION
 *	Run in a private network namespace (bench/fw.sh uses unshare -n):
 *	creates fivefifty's own table (inet fivefifty, the daemon's code),
 *	bans N distinct IPv4 addresses, none adjacent, and times the one
 *	fw_flush() that sends them as one netlink batch, acks drained. Then
 *	counts the elements the kernel holds with a dump (nft_read, the
 *	reconcile's code). Then, with M, bans M more addresses one at a
 *	time, each its own fw_flush() with the N in force, and gives the
 *	percentiles of those flushes (single_p50_us, single_p99_us): the
 *	enforcer's share of the ban latency, kernel commit included.
 *	Prints key=value lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "firewall/fw_int.h"

/* secs - seconds between two times */
static double
secs(const struct timespec *a, const struct timespec *b)
{
	return ((double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec -
	    a->tv_nsec) / 1e9);
}

/* cmp_ll - ascending */
static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return (x < y ? -1 : x > y);
}

/* singles - m bans one flush each with the others in force; their
 * percentiles printed */
static int
singles(struct fw *f, long m)
{
	struct fw_ban	 b;
	struct timespec	 t0, t1;
	long long	*us;
	long		 i;

	if ((us = calloc((size_t)m, sizeof(*us))) == NULL)
		return (-1);
	memset(&b, 0, sizeof(b));
	b.net.family = 4;
	b.net.len = 32;
	snprintf(b.reason, sizeof(b.reason), "bench");
	for (i = 0; i < m; i++) {
		b.net.addr[0] = 198;
		b.net.addr[1] = (unsigned char)(18 + (i >> 15));
		b.net.addr[2] = (unsigned char)(i >> 7);
		b.net.addr[3] = (unsigned char)((i & 127) * 2 + 1);
		b.until = time(NULL) + 3600;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (fw_ban(f, &b) != 0 || fw_flush(f, time(NULL)) == -1) {
			free(us);
			return (-1);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (long long)(secs(&t0, &t1) * 1e6);
	}
	qsort(us, (size_t)m, sizeof(*us), cmp_ll);
	printf("single_bans=%ld\nsingle_p50_us=%lld\nsingle_p99_us=%lld\n"
	    "single_max_us=%lld\n", m, us[m / 2], us[(m * 99) / 100],
	    us[m - 1]);
	free(us);
	return (0);
}

/* main - ban N addresses, flush once, count them back */
int
main(int argc, char **argv)
{
	struct fw_conf	 c;
	struct fw	*f;
	struct fw_ban	 b;
	struct fw_range	*r;
	struct timespec	 t0, t1, t2;
	char		 err[1024];
	long long	 now = time(NULL);
	size_t		 n;
	long		 i, want, more = 0;

	if (argc == 3)
		more = strtol(argv[2], NULL, 10);
	if (argc < 2 || argc > 3 || (want = strtol(argv[1], NULL, 10)) <= 0 ||
	    want > 4000000 || more < 0 || more > 65536) {
		fprintf(stderr, "usage: fwbench N [M]\n");
		return (64);
	}
	fw_conf_defaults(&c);
	c.map[0] = '\0';
	if ((f = fw_new(&c, err, sizeof(err))) == NULL || err[0] != '\0') {
		fprintf(stderr, "fwbench: %s\n", err);
		return (1);
	}
	memset(&b, 0, sizeof(b));
	b.net.family = 4;
	b.net.len = 32;
	b.until = now + 3600;
	snprintf(b.reason, sizeof(b.reason), "bench");
	for (i = 0; i < want; i++) {
		b.net.addr[0] = 10;
		b.net.addr[1] = (unsigned char)(i >> 15);
		b.net.addr[2] = (unsigned char)(i >> 7);
		b.net.addr[3] = (unsigned char)((i & 127) * 2);
		if (fw_ban(f, &b) == -1)
			return (1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (fw_flush(f, now) == -1) {
		fprintf(stderr, "fwbench: %s\n", fw_stats(f)->last_error);
		return (1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (nft_read(fw_nft(f), 4, &r, &n, now, err, sizeof(err)) == -1) {
		fprintf(stderr, "fwbench: %s\n", err);
		return (1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t2);
	printf("bans=%ld\nbatches=%llu\nflush_s=%.4f\nrate=%.0f\n"
	    "read_back=%zu\nread_s=%.4f\n", want, fw_stats(f)->batches,
	    secs(&t0, &t1), (double)want / secs(&t0, &t1), n, secs(&t1, &t2));
	free(r);
	if (more > 0 && singles(f, more) == -1) {
		fprintf(stderr, "fwbench: %s\n", fw_stats(f)->last_error);
		return (1);
	}
	fw_free(f);
	return (n == (size_t)want ? 0 : 1);
}

/*	$fivefifty: tailbench.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	tailbench 1 - lines/s through the tailer, and its delivery latency
 * SYNOPSIS
 *	tailbench DIR THROUGHPUT_LINES LATENCY_LINES
 * DESCRIPTION
 *	Throughput: a child appends THROUGHPUT_LINES real-looking Postfix
 *	lines (one write(2) each) to DIR/throughput.log as fast as it can,
 *	while this process follows the file with the tailer (inotify, the
 *	daemon's code) and counts what it gets. The clock runs from the
 *	writer's start to the last line delivered.
 *
 *	Latency: a child writes LATENCY_LINES lines, one per millisecond,
 *	each holding the CLOCK_MONOTONIC time of its write; this process
 *	takes the difference when the tailer hands it the line.
 *
 *	With two or more CPUs the writer runs on CPU 1 and the tailer on
 *	CPU 0. Prints key=value lines for bench/run.sh.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tailer/tailer.h"

static const char sample[] = "Oct 22 13:29:42 conch postfix/smtpd[29528]: "
    "NOQUEUE: reject: RCPT from 1-163-31-151.dynamic.hinet.net"
    "[1.163.31.151]: 554 5.7.1 <vkihwpdh@yahoo.com.tw>: Relay access "
    "denied; from=<z2007tw@yahoo.com.tw> to=<vkihwpdh@yahoo.com.tw> "
    "proto=SMTP helo=<67.223.235.197>";

struct tally {
	unsigned long	 lines;
	unsigned long long bytes;
	long long	*lat_us;
	unsigned long	 nlat;
};

/* now_ns - CLOCK_MONOTONIC in nanoseconds */
static long long
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

/* pin - run on one CPU, when there is more than one */
static void
pin(int cpu)
{
	cpu_set_t	set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
}

/* count - tail_cb for throughput */
static int
count(void *arg, const struct tail_line *tl)
{
	struct tally	*t = arg;

	t->lines++;
	t->bytes += tl->len + 1;
	return (0);
}

/* latency - tail_cb for latency: the line starts with its write time */
static int
latency(void *arg, const struct tail_line *tl)
{
	struct tally	*t = arg;
	long long	 sent = strtoll(tl->line, NULL, 10);

	t->lat_us[t->nlat++] = (now_ns() - sent) / 1000;
	t->lines++;
	return (0);
}

/* writer - the child: n lines, paced (latency) or flat out */
static void
writer(const char *path, unsigned long n, int paced)
{
	char		 line[512];
	unsigned long	 i;
	int		 fd, len;

	pin(1);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
		_exit(1);
	for (i = 0; i < n; i++) {
		if (paced)
			len = snprintf(line, sizeof(line), "%lld %s\n",
			    now_ns(), sample);
		else
			len = snprintf(line, sizeof(line), "%s %lu\n", sample,
			    i);
		if (write(fd, line, (size_t)len) != len)
			_exit(1);
		if (paced)
			usleep(1000);
	}
	_exit(0);
}

/* run - follow path while a child writes n lines; seconds it took */
static double
run(const char *path, unsigned long n, int paced, tail_cb cb,
    struct tally *t)
{
	struct pollfd	 pfd;
	struct tailer	*tl;
	long long	 t0;
	pid_t		 pid;
	int		 fd, st;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		perror(path);
		exit(1);
	}
	close(fd);
	if ((tl = tailer_new()) == NULL || tailer_add(tl, path, NULL, 1) == -1) {
		perror("tailer");
		exit(1);
	}
	pfd.fd = tailer_fd(tl);
	pfd.events = POLLIN;
	t0 = now_ns();
	if ((pid = fork()) == 0)
		writer(path, n, paced);
	while (t->lines < n) {
		if (!tailer_pending(tl) && poll(&pfd, 1, 5000) == 0) {
			fprintf(stderr, "tailbench: stalled at %lu of %lu\n",
			    t->lines, n);
			exit(1);
		}
		if (tailer_read(tl, cb, t, 0) == -1)
			exit(1);
	}
	waitpid(pid, &st, 0);
	tailer_free(tl);
	return ((double)(now_ns() - t0) / 1e9);
}

/* cmp_ll - qsort order */
static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return (x < y ? -1 : x > y);
}

/* main - throughput, then latency */
int
main(int argc, char **argv)
{
	struct tally	 tp, lt;
	char		 path[4096];
	unsigned long	 n, m;
	double		 secs;

	if (argc != 4) {
		fprintf(stderr, "usage: tailbench DIR THROUGHPUT_LINES "
		    "LATENCY_LINES\n");
		return (64);
	}
	n = strtoul(argv[2], NULL, 10);
	m = strtoul(argv[3], NULL, 10);
	pin(0);

	memset(&tp, 0, sizeof(tp));
	snprintf(path, sizeof(path), "%s/throughput.log", argv[1]);
	secs = run(path, n, 0, count, &tp);
	printf("throughput_lines=%lu\nthroughput_secs=%.3f\n"
	    "lines_per_sec=%.0f\nmb_per_sec=%.1f\n", tp.lines, secs,
	    tp.lines / secs, tp.bytes / 1048576.0 / secs);
	unlink(path);

	memset(&lt, 0, sizeof(lt));
	if ((lt.lat_us = calloc(m, sizeof(*lt.lat_us))) == NULL)
		return (1);
	snprintf(path, sizeof(path), "%s/latency.log", argv[1]);
	(void)run(path, m, 1, latency, &lt);
	qsort(lt.lat_us, lt.nlat, sizeof(*lt.lat_us), cmp_ll);
	printf("latency_lines=%lu\np50_us=%lld\np99_us=%lld\nmax_us=%lld\n",
	    lt.nlat, lt.lat_us[lt.nlat / 2], lt.lat_us[lt.nlat * 99 / 100],
	    lt.lat_us[lt.nlat - 1]);
	unlink(path);
	free(lt.lat_us);
	return (0);
}

/*	$fivefifty: probe_tailer.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	probe_tailer 1 - a consumer of the tailer with a test position store
 * SYNOPSIS
 *	probe_tailer [-s] [-n lines] [-i idle-ms] STORE FILE ...
 * DESCRIPTION
 *	Follows each FILE and appends, for every line, one record to STORE:
 *
 *	    FILE TAB DEV TAB INO TAB OFF TAB FPLEN TAB FP TAB LINE NL
 *
 *	with a single write(2) on an O_APPEND descriptor. That write is the
 *	test store's transaction: it holds the line (the "state" the line
 *	produced) and the position after it together, as the SQLite state
 *	will. At start-up the last record of each file gives its position
 *	(the struct tail_store the tailer asks); a torn last record (no
 *	newline, after a crash) is cut off first.
 *	Without a stored position a file is read from its start with -s,
 *	from its end otherwise, and that position is committed at once (a
 *	record with an empty line), as the daemon commits its start.
 *
 *	It stops on SIGTERM or SIGINT, after -n lines in all, or after -i
 *	milliseconds without a line. kill -9 at any instant must neither
 *	lose nor repeat a line: that is what the tests check.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tailer/tailer.h"
#include "util/util.h"

#define MAXFILES	8

static volatile sig_atomic_t stop;
static int	store_fd = -1;
static unsigned long long delivered, limit;

/* on_signal - stop at the next turn of the loop */
static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct stored {
	char		 path[256];
	struct tail_pos	 pos;
};

static struct stored stored[MAXFILES];
static int	nstored;

/* load - the last record of each file in STORE; cut a torn tail */
static void
load(const char *store)
{
	char		*buf = NULL, *s, *nl, *rec, path[256];
	size_t		 cap = 0, len = 0;
	ssize_t		 n;
	int		 fd, i;

	if ((fd = open(store, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		fatal(1, "open %s", store);
	for (;;) {
		if (cap - len < 65536 && (buf = realloc(buf,
		    (cap = cap * 2 + 65536) + 1)) == NULL)
			fatal(1, "realloc");
		if ((n = read(fd, buf + len, cap - len)) <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	for (rec = s = buf; (nl = memchr(s, '\n', len - (size_t)(s - buf)))
	    != NULL; s = nl + 1) {
		struct tail_pos p;
		rec = nl + 1;
		if (sscanf(s, "%255[^\t]\t%llu\t%llu\t%llu\t%u\t%llu\t", path,
		    &p.dev, &p.ino, &p.off, &p.fp_len, &p.fp) != 6)
			continue;
		for (i = 0; i < nstored; i++)
			if (strcmp(stored[i].path, path) == 0)
				break;
		if (i == nstored && nstored < MAXFILES)
			snprintf(stored[nstored++].path, sizeof(path), "%s",
			    path);
		if (i < MAXFILES)
			stored[i].pos = p;
	}
	if ((size_t)(rec - buf) != len &&
	    ftruncate(fd, (off_t)(rec - buf)) == -1)
		fatal(1, "ftruncate %s", store);
	free(buf);
	close(fd);
}

/* store_load - the test store's side of struct tail_store */
static int
store_load(void *arg, const char *path, struct tail_pos *pos)
{
	int		i;

	(void)arg;
	for (i = 0; i < nstored; i++)
		if (strcmp(stored[i].path, path) == 0) {
			*pos = stored[i].pos;
			return (1);
		}
	return (0);
}

/* st_commit - one record, one write: the line and its position */
static int
st_commit(const struct tail_line *tl)
{
	char		 rec[LINES_MAX_DEFAULT + 512];
	int		 n;

	n = snprintf(rec, sizeof(rec), "%s\t%llu\t%llu\t%llu\t%u\t%llu\t",
	    tl->path, tl->pos.dev, tl->pos.ino, tl->pos.off, tl->pos.fp_len,
	    tl->pos.fp);
	if (n < 0 || (size_t)n + tl->len + 1 > sizeof(rec))
		fatalx(1, "record too long");
	memcpy(rec + n, tl->line, tl->len);
	rec[(size_t)n + tl->len] = '\n';
	if (write(store_fd, rec, (size_t)n + tl->len + 1) !=
	    (ssize_t)((size_t)n + tl->len + 1))
		return (-1);
	return (0);
}

/* commit - the tail_cb: commit the line with its position */
static int
commit(void *arg, const struct tail_line *tl)
{
	(void)arg;
	if (st_commit(tl) == -1)
		fatal(1, "write store");
	delivered++;
	return (0);
}

/* main - follow, commit, stop */
int
main(int argc, char **argv)
{
	struct tail_store store = { store_load, NULL };
	struct pollfd	 pfd;
	struct sigaction sa;
	struct tailer	*t;
	int		 ch, i, from_start = 0, idle = -1;
	int		 quiet_ms = 0, r, timeout;

	while ((ch = getopt(argc, argv, "sn:i:")) != -1) {
		switch (ch) {
		case 's':
			from_start = 1;
			break;
		case 'n':
			limit = strtoull(optarg, NULL, 10);
			break;
		case 'i':
			idle = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: probe_tailer [-s] [-n lines] "
			    "[-i idle-ms] STORE FILE ...\n");
			return (64);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc - 1 > MAXFILES)
		fatalx(1, "usage: probe_tailer [-s] STORE FILE ...");
	log_init("probe_tailer", 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	load(argv[0]);
	if ((store_fd = open(argv[0], O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
		fatal(1, "open %s", argv[0]);
	if ((t = tailer_new()) == NULL)
		fatal(1, "tailer_new");
	for (i = 1; i < argc; i++) {
		struct tail_line start;
		struct tail_pos	 p;

		if (tailer_add_stored(t, argv[i], &store, from_start) == -1)
			fatal(1, "tailer_add %s", argv[i]);
		if (store_load(NULL, argv[i], &p) == 1)
			continue;
		/* Where reading starts is committed at once, as the daemon
		 * does before it says READY: a stop before the first line
		 * must not turn into "no position" (read from the start of
		 * whatever file has the name by then). */
		memset(&start, 0, sizeof(start));
		start.path = argv[i];
		start.line = "";
		{
			struct tail_stats st;
			tailer_stats(t, i - 1, &st);
			start.pos = st.pos;
		}
		if (st_commit(&start) == -1)
			fatal(1, "write %s", argv[0]);
	}
	pfd.fd = tailer_fd(t);
	pfd.events = POLLIN;
	while (!stop && (limit == 0 || delivered < limit)) {
		timeout = tailer_timeout(t);
		if (idle >= 0 && (timeout == -1 || timeout > 50))
			timeout = 50;
		if ((r = poll(&pfd, 1, timeout)) == -1 && errno != EINTR)
			fatal(1, "poll");
		if (r == 0 && !tailer_pending(t)) {
			quiet_ms += timeout;
			if (idle >= 0 && quiet_ms >= idle)
				break;
			continue;
		}
		if ((r = tailer_read(t, commit, NULL, limit == 0 ? 1000 :
		    (unsigned)(limit - delivered))) == -1)
			fatalx(1, "tailer_read");
		if (r > 0)
			quiet_ms = 0;
	}
	tailer_free(t);
	close(store_fd);
	return (0);
}

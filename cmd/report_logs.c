/*	$fivefifty: report_logs.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	report_logs 3 - a report's facts straight from log files: the parser
 *	on one thread, the scorer on the caller's
 * SYNOPSIS
 *	int	report_logs(struct rp *rp, const struct score_conf *c,
 *		    char **files, int nfiles, const struct journal_opts *jo,
 *		    long long lo, long long hi, int rejects_only,
 *		    long long *now);
 * DESCRIPTION
 *	Reads each file (gzip'd or not; "-" is standard input) in order,
 *	parses its lines, and scores the events with a scorer that has no
 *	state and counts facts for log times in [lo, hi); then hands the
 *	facts, the five-fifty entries and the ban decisions to rp, and sets
 *	*now to the log time of the last event. With jo, the journal's
 *	entries are read instead of files (tailer/journal.c: the same lines
 *	the parser reads from a text log). Idle sessions are closed
 *	every FLUSH_LINES lines and at the end, as scan does, so that the
 *	facts equal those scan stores in a state.
 *
 *	Parsing and scoring take about the same time, so they overlap: a
 *	reader thread reads and parses BATCH_BYTES of whole lines at a time
 *	into a batch (the lines and their events, which point into them),
 *	counts each event's own facts on a scorer of its own
 *	(scorer_count_event()), and queues the batch; the caller scores the
 *	batches in order, counting only sessions and five-fifties. The queue holds
 *	at most QUEUE batches, which bounds the memory. With rejects_only
 *	(a report of HELO names, senders or recipients: no sessions, no
 *	bans) nothing is scored: the caller only frees the batches.
 * DIAGNOSTICS
 *	EX_OK, or EX_NOINPUT when a file cannot be opened or read (the other
 *	files are still read); out of memory and thread failures are fatal.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "cmd.h"
#include "reports/reports.h"
#include "score/score.h"
#include "tailer/tailer.h"
#include "util/util.h"

#define FLUSH_LINES	200000	/* as scan: close idle sessions this often */
#define BATCH_BYTES	(256 * 1024)
#define QUEUE		4

struct batch {
	struct batch	*next;
	char		*buf;		/* whole lines */
	size_t		 len, cap;
	struct pf_event	*ev;
	long long	*t;		/* each event's log time */
	unsigned long long *lineno;	/* each event's line number */
	size_t		 nev, evcap;
};

struct pipe {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cv;
	struct batch	*head, *tail;	/* parsed, to score */
	int		 queued, done;
	char		**files;
	int		 nfiles, status;
	struct pf_parser *p;
	struct scorer	*counts;	/* the events' own counts */
	struct pf_epoch_cache ec;
	unsigned long long lines;
	const struct journal_opts *jo;	/* the journal, not files */
	struct batch	*jb;		/* the journal's batch being filled */
};

/* batch_new - an empty batch */
static struct batch *
batch_new(void)
{
	struct batch	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal(EX_OSERR, "report");
	return (b);
}

/* batch_free - release a batch */
static void
batch_free(struct batch *b)
{
	free(b->buf);
	free(b->ev);
	free(b->t);
	free(b->lineno);
	free(b);
}

/* push - queue a parsed batch (waits while the queue is full) */
static void
push(struct pipe *pp, struct batch *b)
{
	pthread_mutex_lock(&pp->mtx);
	while (pp->queued >= QUEUE)
		pthread_cond_wait(&pp->cv, &pp->mtx);
	if (pp->tail != NULL)
		pp->tail->next = b;
	else
		pp->head = b;
	pp->tail = b;
	pp->queued++;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mtx);
}

/* parse_batch - parse the lines of b into its events */
static void
parse_batch(struct pipe *pp, struct batch *b)
{
	char		*line = b->buf, *end = b->buf + b->len, *nl;
	struct pf_event	*ev;

	while (line < end) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;	/* the last line of a file, no newline */
		pp->lines++;
		if (b->nev == b->evcap) {
			b->evcap = b->evcap ? b->evcap * 2 : 1024;
			if ((b->ev = reallocarray(b->ev, b->evcap,
			    sizeof(*b->ev))) == NULL ||
			    (b->t = reallocarray(b->t, b->evcap,
			    sizeof(*b->t))) == NULL ||
			    (b->lineno = reallocarray(b->lineno, b->evcap,
			    sizeof(*b->lineno))) == NULL)
				fatal(EX_OSERR, "report");
		}
		ev = &b->ev[b->nev];
		if (pf_parse_line(pp->p, line, (size_t)(nl - line), ev) ==
		    PF_EVENT) {
			b->t[b->nev] = pf_event_epoch_cached(ev, &pp->ec);
			b->lineno[b->nev] = pp->lines;
			scorer_count_event(pp->counts, ev, b->t[b->nev]);
			b->nev++;
		}
		line = nl + 1;
	}
}

/* read_file - one file into batches of whole lines */
static int
read_file(struct pipe *pp, const char *path)
{
	struct stat	 sb;
	struct batch	*b = NULL;
	gzFile		 gz;
	char		*nl;
	size_t		 keep;
	int		 fd, n, err;

	if (strcmp(path, "-") == 0) {
		fd = dup(STDIN_FILENO);
		pf_parser_set_reference(pp->p, time(NULL));
	} else {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			log_warn("report: %s", path);
			return (EX_NOINPUT);
		}
		/* Year-less stamps are read against the file's mtime. */
		if (fstat(fd, &sb) == 0)
			pf_parser_set_reference(pp->p, sb.st_mtime);
	}
	if (fd == -1 || (gz = gzdopen(fd, "rb")) == NULL)
		fatal(EX_NOINPUT, "report: %s", path);
	(void)gzbuffer(gz, 1 << 20);
	for (;;) {
		if (b == NULL)
			b = batch_new();
		if (b->cap - b->len < BATCH_BYTES / 2) {
			/* the first read, or a line longer than what is left */
			b->cap = b->cap ? b->cap * 2 : BATCH_BYTES;
			if ((b->buf = realloc(b->buf, b->cap)) == NULL)
				fatal(EX_OSERR, "report");
		}
		n = gzread(gz, b->buf + b->len, (unsigned)(b->cap - b->len));
		if (n < 0) {
			log_warnx("report: %s: %s", path, gzerror(gz, &err));
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		/* whole lines go on; the tail starts the next batch */
		for (nl = b->buf + b->len; nl > b->buf && nl[-1] != '\n'; nl--)
			;
		if (nl == b->buf)
			continue;	/* no newline yet: read more */
		keep = b->len - (size_t)(nl - b->buf);
		struct batch *next = batch_new();
		next->cap = keep > BATCH_BYTES ? keep * 2 : BATCH_BYTES;
		if ((next->buf = malloc(next->cap)) == NULL)
			fatal(EX_OSERR, "report");
		memcpy(next->buf, nl, keep);
		next->len = keep;
		b->len -= keep;
		parse_batch(pp, b);
		push(pp, b);
		b = next;
	}
	if (b != NULL && b->len > 0) {
		parse_batch(pp, b);
		push(pp, b);
	} else if (b != NULL)
		batch_free(b);
	gzclose(gz);
	return (n < 0 ? EX_NOINPUT : EX_OK);
}

/* journal_line - tail_cb: one journal entry's line into the batch */
static int
journal_line(void *arg, const struct tail_line *tl)
{
	struct pipe	*pp = arg;
	struct batch	*b;

	if (pp->jb == NULL)
		pp->jb = batch_new();
	b = pp->jb;
	if (b->cap - b->len < tl->len + 1) {
		b->cap = b->cap + tl->len + 1 > BATCH_BYTES ? (b->cap + tl->len +
		    1) * 2 : BATCH_BYTES;
		if ((b->buf = realloc(b->buf, b->cap)) == NULL)
			fatal(EX_OSERR, "report");
	}
	memcpy(b->buf + b->len, tl->line, tl->len);
	b->len += tl->len;
	b->buf[b->len++] = '\n';
	if (b->len >= BATCH_BYTES / 2) {
		parse_batch(pp, b);
		push(pp, b);
		pp->jb = NULL;
	}
	return (0);
}

/* read_journal - the journal's entries into batches of lines */
static int
read_journal(struct pipe *pp)
{
	struct journal	*j;
	char		 err[1400];
	int		 r;

	if ((j = journal_open(pp->jo, err, sizeof(err))) == NULL) {
		log_warnx("report: journal: %s", err);
		return (EX_NOINPUT);
	}
	pf_parser_set_reference(pp->p, time(NULL));
	do
		r = journal_read(j, journal_line, pp, 10000);
	while (r > 0 || (r == 0 && journal_pending(j)));
	if (pp->jb != NULL) {
		parse_batch(pp, pp->jb);
		push(pp, pp->jb);
		pp->jb = NULL;
	}
	journal_free(j);
	return (r == -1 ? EX_IOERR : EX_OK);
}

/* reader - the reader thread: every file (or the journal), then the end
 * mark */
static void *
reader(void *arg)
{
	struct pipe	*pp = arg;
	int		 i, rc;

	if (pp->jo != NULL && (rc = read_journal(pp)) != EX_OK)
		pp->status = rc;
	for (i = 0; pp->jo == NULL && i < pp->nfiles; i++)
		if ((rc = read_file(pp, pp->files[i])) != EX_OK)
			pp->status = rc;
	pthread_mutex_lock(&pp->mtx);
	pp->done = 1;
	pthread_cond_broadcast(&pp->cv);
	pthread_mutex_unlock(&pp->mtx);
	return (NULL);
}

/* pop - the next parsed batch, or NULL at the end */
static struct batch *
pop(struct pipe *pp)
{
	struct batch	*b;

	pthread_mutex_lock(&pp->mtx);
	while (pp->head == NULL && !pp->done)
		pthread_cond_wait(&pp->cv, &pp->mtx);
	if ((b = pp->head) != NULL) {
		if ((pp->head = b->next) == NULL)
			pp->tail = NULL;
		pp->queued--;
		pthread_cond_broadcast(&pp->cv);
	}
	pthread_mutex_unlock(&pp->mtx);
	return (b);
}

/* drain - the scorer's decisions into the report */
static void
drain(struct scorer *s, struct rp *rp)
{
	struct score_decision d;

	while (scorer_decision(s, &d) == 1)
		rp_ban(rp, &d);
}

/* since - seconds since *t0 (for -v) */
static double
since(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9);
}

/* report_logs - the facts of the logs, into rp */
int
report_logs(struct rp *rp, const struct score_conf *c, char **files,
    int nfiles, const struct journal_opts *jo, long long lo, long long hi,
    int rejects_only, long long *now)
{
	struct pipe	 pp;
	struct scorer	*s;
	struct batch	*b;
	pthread_t	 th;
	struct timespec	 t0;
	unsigned long long next_flush = FLUSH_LINES;
	long long	 last = 0;
	char		 err[256];
	size_t		 i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&pp, 0, sizeof(pp));
	pthread_mutex_init(&pp.mtx, NULL);
	pthread_cond_init(&pp.cv, NULL);
	pp.files = files;
	pp.nfiles = nfiles;
	pp.jo = jo;
	pp.status = EX_OK;
	if ((pp.p = pf_parser_new(err, sizeof(err))) == NULL)
		fatalx(EX_SOFTWARE, "report: %s", err);
	if ((s = scorer_new(c)) == NULL || (pp.counts = scorer_new(c)) == NULL)
		fatal(EX_OSERR, "report");
	scorer_facts(s, lo, hi);
	scorer_facts_split(s);
	scorer_facts(pp.counts, lo, hi);
	if (pthread_create(&th, NULL, reader, &pp) != 0)
		fatalx(EX_OSERR, "report: cannot start the reader "
		    "thread");
	while ((b = pop(&pp)) != NULL) {
		for (i = 0; rejects_only && i < b->nev; i++)
			if (b->t[i] > last)
				last = b->t[i];
		for (i = 0; !rejects_only && i < b->nev; i++) {
			if (b->lineno[i] >= next_flush) {
				scorer_flush(s, scorer_now(s));
				drain(s, rp);
				next_flush += FLUSH_LINES;
			}
			scorer_event(s, &b->ev[i], b->t[i]);
			drain(s, rp);
		}
		batch_free(b);
	}
	pthread_join(th, NULL);
	/* As scan leaves it: sessions idle past session_timeout judged,
	 * open ones not yet. */
	scorer_flush(s, scorer_now(s));
	drain(s, rp);
	log_debug("report: %llu lines read in %.2f s", pp.lines, since(&t0));
	scorer_each_fact(s, rp_fact, rp);
	scorer_each_fact(pp.counts, rp_fact, rp);
	scorer_each_ff(s, rp_ff, rp);
	if (scorer_facts_dropped(s) + scorer_facts_dropped(pp.counts) > 0)
		log_warnx("report: %llu occurrences were left out: their "
		    "counts would pass memory_limit (%zu MiB); raise it, or "
		    "report on a shorter time", scorer_facts_dropped(s) +
		    scorer_facts_dropped(pp.counts), c->memory_limit >> 20);
	log_debug("report: facts summed at %.2f s", since(&t0));
	*now = rejects_only ? last : scorer_now(s);
	scorer_free(s);
	scorer_free(pp.counts);
	log_debug("report: scorers freed at %.2f s", since(&t0));
	pf_parser_free(pp.p);
	pthread_mutex_destroy(&pp.mtx);
	pthread_cond_destroy(&pp.cv);
	return (pp.status);
}

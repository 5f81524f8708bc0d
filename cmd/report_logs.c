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
 *		    int threads, long long *now);
 * DESCRIPTION
 *	Reads each file (gzip'd or not; "-" is standard input) in order,
 *	through the tailer's line reader (lines_open(): lines over
 *	LINES_MAX_DEFAULT are cut, as everywhere), parses its lines, and
 *	scores the events with a scorer that has no
 *	state and counts facts for log times in [lo, hi); then hands the
 *	facts, the five-fifty entries and the ban decisions to rp, and sets
 *	*now to the log time of the last event. With jo, the journal's
 *	entries are read instead of files (tailer/journal.c: the same lines
 *	the parser reads from a text log). Idle sessions are closed
 *	every CMD_FLUSH_LINES lines and at the end, as scan does, so that the
 *	facts equal those scan stores in a state.
 *
 *	Parsing and scoring take about the same time, so they overlap: a
 *	reader thread copies whole lines into a batch of BATCH_BYTES and
 *	parses each there (its event points into the copy),
 *	counts each event's own facts on a scorer of its own
 *	(scorer_count_event()), and queues the batch; the caller scores the
 *	batches in order, counting only sessions and five-fifties. The queue holds
 *	at most QUEUE batches, which bounds the memory. With rejects_only
 *	(a report of HELO names, senders or recipients: no sessions, no
 *	bans) nothing is scored: the caller only frees the batches.
 *
 *	With threads > 1 the parsing itself is spread (parse/par.c): the
 *	caller's thread reads the lines and hands them to threads threads,
 *	and counts and scores the parsed lines in their order (par_fn
 *	par_scored()); the two scorers are the same, so are the facts.
 * SECURITY
 *	Memory is bounded whatever the input: a line costs at most
 *	LINES_MAX_DEFAULT, and the queue QUEUE batches.
 * DIAGNOSTICS
 *	EX_OK, or EX_NOINPUT when a file cannot be opened or read (the other
 *	files are still read; what was read of a file before its read error
 *	counts); out of memory and thread failures are fatal.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "parse/par.h"
#include "reports/reports.h"
#include "score/score.h"
#include "tailer/tailer.h"
#include "util/util.h"

#define BATCH_BYTES	(256 * 1024)	/* > LINES_MAX_DEFAULT */
#define QUEUE		4

struct batch {
	struct batch	*next;
	char		*buf;		/* whole lines, each with a newline */
	size_t		 len, cap;	/* cap is fixed: events point in */
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
	unsigned long long lines, cut;
	const struct journal_opts *jo;	/* the journal, not files */
	struct batch	*cur;		/* the batch being filled */
	/* With parsing threads: all of it on the caller's thread. */
	struct par	*par;
	struct scorer	*s;		/* sessions and five-fifties */
	struct rp	*rp;
	int		 rejects_only;
	long long	 last;		/* rejects_only: the last event's time */
	unsigned long long next_flush;
};

/* batch_new - an empty batch with room for cap bytes of lines */
static struct batch *
batch_new(size_t cap)
{
	struct batch	*b;

	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->buf = malloc(cap)) == NULL)
		fatal(EX_OSERR, "report");
	b->cap = cap;
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

/* parse_line - parse a line of b (in b's buffer) into b's events */
static void
parse_line(struct pipe *pp, struct batch *b, const char *line, size_t len)
{
	struct pf_event	*ev;

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
	if (pf_parse_line(pp->p, line, len, ev) == PF_EVENT) {
		b->t[b->nev] = pf_event_epoch_cached(ev, &pp->ec);
		b->lineno[b->nev] = pp->lines;
		scorer_count_event(pp->counts, ev, b->t[b->nev]);
		b->nev++;
	}
}

/* push_cur - queue the batch being filled, if any */
static void
push_cur(struct pipe *pp)
{
	if (pp->cur != NULL)
		push(pp, pp->cur);
	pp->cur = NULL;
}

/* add_line - copy a line into the batch being filled and parse it there;
 * a full batch goes to the queue */
static void
add_line(struct pipe *pp, const char *line, size_t len)
{
	struct batch	*b;

	if (pp->par != NULL) {
		par_line(pp->par, line, len, NULL);
		return;
	}
	if (pp->cur != NULL && pp->cur->cap - pp->cur->len < len + 1)
		push_cur(pp);
	if (pp->cur == NULL)
		pp->cur = batch_new(len + 1 > BATCH_BYTES ? len + 1 :
		    BATCH_BYTES);
	b = pp->cur;
	memcpy(b->buf + b->len, line, len);
	b->buf[b->len + len] = '\n';
	parse_line(pp, b, b->buf + b->len, len);
	b->len += len + 1;
}

/* set_reference - the year-less stamps' reference from here on */
static void
set_reference(struct pipe *pp, time_t ref)
{
	if (pp->par != NULL)
		par_reference(pp->par, ref);
	else
		pf_parser_set_reference(pp->p, ref);
}

/* read_file - one log's lines into batches */
static int
read_file(struct pipe *pp, const char *path)
{
	struct lines	*lr;
	const char	*line;
	size_t		 len;
	time_t		 mtime;
	int		 r;

	if ((lr = lines_open(path, LINES_GZIP, &mtime)) == NULL) {
		log_warn("report: %s", path);
		return (EX_NOINPUT);
	}
	/* Year-less stamps are read against the file's mtime (stdin: now). */
	set_reference(pp, mtime);
	while ((r = lines_next(lr, &line, &len)) == 1)
		add_line(pp, line, len);
	if (r == -1) {
		log_warnx("report: %s: %s", path, lines_strerror(lr));
		/* What came before the error counts, its last bytes too. */
		if (lines_flush(lr, &line, &len) == 1)
			add_line(pp, line, len);
	}
	pp->cut += lines_cut(lr);
	lines_free(lr);
	return (r == -1 ? EX_NOINPUT : EX_OK);
}

/* journal_line - tail_cb: one journal entry's line into the batch */
static int
journal_line(void *arg, const struct tail_line *tl)
{
	add_line(arg, tl->line, tl->len);
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
	set_reference(pp, time(NULL));
	do
		r = journal_read(j, journal_line, pp, 10000);
	while (r > 0 || (r == 0 && journal_pending(j)));
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
	push_cur(pp);
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

/* par_scored - par_fn: one line parsed on a thread, in log order: counted
 * and scored as the reader thread and the caller do without threads */
static void
par_scored(void *arg, const char *line, size_t len, enum pf_result r,
    struct pf_event *ev, const void *aux)
{
	struct pipe	*pp = arg;
	long long	 t;

	(void)line;
	(void)len;
	(void)aux;
	pp->lines++;
	if (r != PF_EVENT)
		return;
	t = pf_event_epoch_cached(ev, &pp->ec);
	scorer_count_event(pp->counts, ev, t);
	if (pp->rejects_only) {
		if (t > pp->last)
			pp->last = t;
		return;
	}
	if (pp->lines >= pp->next_flush) {
		scorer_flush(pp->s, scorer_now(pp->s));
		drain(pp->s, pp->rp);
		pp->next_flush += CMD_FLUSH_LINES;
	}
	scorer_event(pp->s, ev, t);
	drain(pp->s, pp->rp);
}

/* report_logs - the facts of the logs, into rp */
int
report_logs(struct rp *rp, const struct score_conf *c, char **files,
    int nfiles, const struct journal_opts *jo, long long lo, long long hi,
    int rejects_only, int threads, long long *now)
{
	struct pipe	 pp;
	struct scorer	*s;
	struct batch	*b;
	pthread_t	 th;
	struct timespec	 t0;
	unsigned long long next_flush = CMD_FLUSH_LINES;
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
	if (threads > 1) {
		pp.s = s;
		pp.rp = rp;
		pp.rejects_only = rejects_only;
		pp.next_flush = CMD_FLUSH_LINES;
		pp.par = par_new(threads, 0, par_scored, &pp, pp.p);
		(void)reader(&pp);
		par_free(pp.par);
		last = pp.last;
	} else if (pthread_create(&th, NULL, reader, &pp) != 0)
		fatalx(EX_OSERR, "report: cannot start the reader thread");
	while (threads <= 1 && (b = pop(&pp)) != NULL) {
		for (i = 0; rejects_only && i < b->nev; i++)
			if (b->t[i] > last)
				last = b->t[i];
		for (i = 0; !rejects_only && i < b->nev; i++) {
			if (b->lineno[i] >= next_flush) {
				scorer_flush(s, scorer_now(s));
				drain(s, rp);
				next_flush += CMD_FLUSH_LINES;
			}
			scorer_event(s, &b->ev[i], b->t[i]);
			drain(s, rp);
		}
		batch_free(b);
	}
	if (threads <= 1)
		pthread_join(th, NULL);
	/* As scan leaves it: sessions idle past session_timeout judged,
	 * open ones not yet. */
	scorer_flush(s, scorer_now(s));
	drain(s, rp);
	log_debug("report: %llu lines read (%llu cut at %d KiB) in %.2f s",
	    pp.lines, pp.cut, LINES_MAX_DEFAULT / 1024, since(&t0));
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

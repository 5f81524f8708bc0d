/*	$fivefifty: par.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	par 3 - parse lines on several threads, consume them in order
 * SYNOPSIS
 *	See par.h.
 * DESCRIPTION
 *	A ring of chunks, each filled by the caller's thread with whole
 *	lines (copied: the readers, lines_next() and the tailer, keep their
 *	own semantics of cut lines, CRLF, a last line without newline),
 *	parsed by whichever thread is free, and consumed by the caller's
 *	thread in ring order. A chunk is FREE, FILLING, QUEUED (to parse),
 *	PARSING, then PARSED; threads take the queued chunks in order, so
 *	the oldest is parsed first. The caller consumes the oldest chunk
 *	when it needs its slot (the ring is full), and any parsed ones after
 *	each chunk it hands out, while the threads parse the next ones.
 *
 *	The caller's thread is one of the n that parse: n - 1 threads are
 *	started, and the caller, when the chunk it needs is not parsed yet,
 *	parses the oldest queued chunk itself (with a parser of its own,
 *	made the first time) rather than wait. So n threads never compete
 *	for n cores with a waiting consumer, and a consumer that scores
 *	faster than the threads parse takes its share of the parsing.
 *
 *	A thread parses each line in place into the chunk's event array at
 *	the next free slot, keeping the slot only for an event: nothing is
 *	copied between threads but the line. For each line it keeps the
 *	result, the event's slot and, for a year-less stamp, its month and
 *	day: the consumer redoes the year inference on the caller's parser
 *	in log order (pf_parser_year()), the year of a run of lines of the
 *	same day computed once (a second stamp of the same day gets the year
 *	of the first and leaves the state as it was: see envelope.c's
 *	year_for()). That is the only state pf_parse_line() keeps between
 *	lines; everything else it fills from the line alone.
 * SECURITY
 *	The lines are data, as for pf_parse_line(). Memory is bounded by the
 *	ring (par.h).
 * DIAGNOSTICS
 *	Failures to allocate or start a thread are fatal.
 */
#include <errno.h>
#include <sched.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "par.h"
#include "util/util.h"

enum chunk_state { C_FREE, C_FILLING, C_QUEUED, C_PARSING, C_PARSED };

struct pline {
	uint32_t	 off, len;	/* in the chunk's text */
	uint32_t	 ev;		/* event slot (result PF_EVENT) */
	unsigned char	 r;		/* enum pf_result */
	unsigned char	 yl;		/* year-less stamp: mon, mday */
	unsigned char	 mon, mday;
};

struct chunk {
	enum chunk_state state;
	char		*text;
	size_t		 tlen, tcap;
	struct pline	*ln;
	size_t		 nln;
	unsigned char	*aux;
	struct pf_event	*ev;
};

struct par {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 work;		/* a chunk queued, or stop */
	pthread_cond_t	 done;		/* a chunk parsed */
	struct chunk	*ring;
	unsigned	 k;		/* chunks in the ring */
	unsigned long long head;	/* next to fill */
	unsigned long long tail;	/* oldest not consumed */
	unsigned long long queued;	/* chunks before this are queued */
	unsigned long long taken;	/* chunks before this are taken */
	struct chunk	*fill;		/* the chunk being filled, or NULL */
	int		 stop;
	int		 nthreads;
	pthread_t	*th;
	size_t		 auxsize;
	par_fn		 fn;
	void		*arg;
	struct pf_parser *ordered;	/* the caller's: years in order */
	struct pf_parser *own;		/* the caller's for parsing, or NULL */
	int		 ymon, ymday, year;	/* the last year-less stamp */
};

struct worker {
	struct par	*pp;
};

static void	*worker_main(void *);

/* parse_chunk - every line of c, into its results and event slots */
static void
parse_chunk(struct pf_parser *p, struct chunk *c)
{
	struct pline	*l;
	struct pf_event	*ev;
	size_t		 i;
	uint32_t	 nev = 0;

	for (i = 0; i < c->nln; i++) {
		l = &c->ln[i];
		ev = &c->ev[nev];
		/* The slot may hold the line before's: only a stamp read
		 * whole sets this again (envelope.c). */
		ev->time.year_inferred = 0;
		l->r = (unsigned char)pf_parse_line(p, c->text + l->off,
		    l->len, ev);
		l->yl = ev->time.year_inferred != 0;
		if (l->yl) {
			l->mon = (unsigned char)ev->time.mon;
			l->mday = (unsigned char)ev->time.mday;
		}
		if (l->r == PF_EVENT)
			l->ev = nev++;
	}
}

/* worker_main - a parsing thread: the queued chunks, oldest first */
static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	struct par	*pp = w->pp;
	struct pf_parser *p;
	struct chunk	*c;
	char		 err[256];

	/* A parser each (its match data is per match), compiled here: the
	 * threads compile theirs at once, and the caller reads meanwhile.
	 * Its year state is not used: the consumer redoes the years. */
	if ((p = pf_parser_new(err, sizeof(err))) == NULL)
		fatalx(EX_SOFTWARE, "parse threads: %s", err);
	pthread_mutex_lock(&pp->mtx);
	for (;;) {
		while (!pp->stop && pp->taken == pp->queued)
			pthread_cond_wait(&pp->work, &pp->mtx);
		if (pp->taken == pp->queued)
			break;		/* stop, and nothing left */
		c = &pp->ring[pp->taken++ % pp->k];
		c->state = C_PARSING;
		pthread_mutex_unlock(&pp->mtx);
		parse_chunk(p, c);
		pthread_mutex_lock(&pp->mtx);
		c->state = C_PARSED;
		pthread_cond_broadcast(&pp->done);
	}
	pthread_mutex_unlock(&pp->mtx);
	pf_parser_free(p);
	free(w);
	return (NULL);
}

/* par_threads_default - the CPUs this process may run on (its affinity:
 * taskset -c 0 means one, so a run pinned to a core is today's one-thread
 * path), else the online CPUs; at least 1 */
int
par_threads_default(void)
{
	cpu_set_t	set;
	long		n;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0 &&
	    CPU_COUNT(&set) > 0)
		n = CPU_COUNT(&set);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return (1);
	return (n > PAR_MAX_THREADS ? PAR_MAX_THREADS : (int)n);
}

/* par_threads_arg - a --threads value: 1..PAR_MAX_THREADS, 0 = default */
int
par_threads_arg(const char *cmd, const char *s)
{
	char		*end;
	long		 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 0 ||
	    n > PAR_MAX_THREADS) {
		fprintf(stderr, "fivefifty %s: --threads %s: expected a number "
		    "from 1 to %d (0: one per CPU)\n", cmd, s,
		    PAR_MAX_THREADS);
		return (-1);
	}
	return (n == 0 ? par_threads_default() : (int)n);
}

/* par_new - start the parsing threads: nthreads - 1, the caller's own
 * thread the last one (consume()) */
struct par *
par_new(int nthreads, size_t auxsize, par_fn fn, void *arg,
    struct pf_parser *ordered)
{
	struct par	*pp;
	struct worker	*w;
	unsigned	 i;
	int		 t;

	if (nthreads < 1)
		nthreads = 1;
	if ((pp = calloc(1, sizeof(*pp))) == NULL)
		fatal(EX_OSERR, "parse threads");
	pthread_mutex_init(&pp->mtx, NULL);
	pthread_cond_init(&pp->work, NULL);
	pthread_cond_init(&pp->done, NULL);
	/* One chunk filling, one being consumed, one per thread, one
	 * parsed ahead: more only costs memory. */
	pp->k = (unsigned)nthreads + 3;
	if (pp->k > PAR_MAX_RING)
		pp->k = PAR_MAX_RING;
	pp->auxsize = auxsize;
	pp->fn = fn;
	pp->arg = arg;
	pp->ordered = ordered;
	pp->nthreads = nthreads - 1;
	if ((pp->ring = calloc(pp->k, sizeof(*pp->ring))) == NULL ||
	    (pp->th = calloc((size_t)nthreads, sizeof(*pp->th))) == NULL)
		fatal(EX_OSERR, "parse threads");
	for (i = 0; i < pp->k; i++) {
		struct chunk *c = &pp->ring[i];
		c->tcap = PAR_CHUNK_BYTES;
		if ((c->text = malloc(c->tcap)) == NULL ||
		    (c->ln = calloc(PAR_CHUNK_LINES, sizeof(*c->ln))) == NULL ||
		    (c->ev = malloc(PAR_CHUNK_LINES * sizeof(*c->ev))) == NULL ||
		    (auxsize > 0 && (c->aux = malloc(PAR_CHUNK_LINES *
		    auxsize)) == NULL))
			fatal(EX_OSERR, "parse threads");
	}
	for (t = 0; t < pp->nthreads; t++) {
		if ((w = malloc(sizeof(*w))) == NULL)
			fatal(EX_OSERR, "parse threads");
		w->pp = pp;
		if ((errno = pthread_create(&pp->th[t], NULL, worker_main,
		    w)) != 0)
			fatal(EX_OSERR, "parse threads: cannot start thread %d",
			    t + 1);
	}
	return (pp);
}

/* consume_chunk - the oldest chunk's lines to fn, in order; its slot freed */
static void
consume_chunk(struct par *pp, struct chunk *c)
{
	struct pline	*l;
	struct pf_event	*ev;
	size_t		 i;

	for (i = 0; i < c->nln; i++) {
		l = &c->ln[i];
		ev = l->r == PF_EVENT ? &c->ev[l->ev] : NULL;
		if (l->yl) {
			if (l->mon != pp->ymon || l->mday != pp->ymday) {
				pp->year = pf_parser_year(pp->ordered, l->mon,
				    l->mday);
				pp->ymon = l->mon;
				pp->ymday = l->mday;
			}
			if (ev != NULL)
				ev->time.year = pp->year;
		}
		pp->fn(pp->arg, c->text + l->off, l->len, (enum pf_result)l->r,
		    ev, pp->auxsize > 0 ? c->aux + i * pp->auxsize : NULL);
	}
	c->tlen = 0;
	c->nln = 0;
	pthread_mutex_lock(&pp->mtx);
	c->state = C_FREE;
	pp->tail++;
	pthread_mutex_unlock(&pp->mtx);
}

/* help - parse the oldest queued chunk on the caller's thread (the lock
 * held, and released meanwhile) */
static void
help(struct par *pp)
{
	struct chunk	*c;
	char		 err[256];

	c = &pp->ring[pp->taken++ % pp->k];
	c->state = C_PARSING;
	pthread_mutex_unlock(&pp->mtx);
	/* Not the ordered parser: parsing moves its year state. */
	if (pp->own == NULL && (pp->own = pf_parser_new(err,
	    sizeof(err))) == NULL)
		fatalx(EX_SOFTWARE, "parse threads: %s", err);
	parse_chunk(pp->own, c);
	pthread_mutex_lock(&pp->mtx);
	c->state = C_PARSED;
}

/* consume - the oldest chunk (wait: parsing queued chunks, then waiting,
 * until it is parsed); 1 if one was consumed */
static int
consume(struct par *pp, int wait)
{
	struct chunk	*c;
	int		 ready;

	pthread_mutex_lock(&pp->mtx);
	if (pp->tail == pp->queued) {
		pthread_mutex_unlock(&pp->mtx);
		return (0);
	}
	c = &pp->ring[pp->tail % pp->k];
	while (wait && c->state != C_PARSED) {
		if (pp->taken < pp->queued)
			help(pp);
		else
			pthread_cond_wait(&pp->done, &pp->mtx);
	}
	ready = c->state == C_PARSED;
	pthread_mutex_unlock(&pp->mtx);
	if (!ready)
		return (0);
	consume_chunk(pp, c);
	return (1);
}

/* submit - the chunk being filled to the threads; then what is parsed */
static void
submit(struct par *pp)
{
	if (pp->fill == NULL)
		return;
	pthread_mutex_lock(&pp->mtx);
	pp->fill->state = C_QUEUED;
	pp->fill = NULL;
	pp->queued = ++pp->head;
	pthread_cond_signal(&pp->work);
	pthread_mutex_unlock(&pp->mtx);
	while (consume(pp, 0) == 1)
		continue;
}

/* par_line - one line (and aux) into the chunk being filled */
void
par_line(struct par *pp, const char *line, size_t len, const void *aux)
{
	struct chunk	*c = pp->fill;
	struct pline	*l;

	if (c != NULL && (c->nln == PAR_CHUNK_LINES ||
	    c->tcap - c->tlen < len))
		submit(pp);
	if ((c = pp->fill) == NULL) {
		c = &pp->ring[pp->head % pp->k];
		/* The ring is full: its oldest chunk is this slot's. */
		while (pp->head - pp->tail >= pp->k)
			(void)consume(pp, 1);
		if (c->tcap < len) {
			/* One line longer than a chunk: a chunk of its own. */
			free(c->text);
			if ((c->text = malloc(len)) == NULL)
				fatal(EX_OSERR, "parse threads");
			c->tcap = len;
		}
		c->state = C_FILLING;
		pp->fill = c;
	}
	if (len > UINT32_MAX)
		fatalx(EX_SOFTWARE, "parse threads: a line of %zu bytes", len);
	l = &c->ln[c->nln];
	l->off = (uint32_t)c->tlen;
	l->len = (uint32_t)len;
	memcpy(c->text + c->tlen, line, len);
	c->tlen += len;
	if (pp->auxsize > 0)
		memcpy(c->aux + c->nln * pp->auxsize, aux, pp->auxsize);
	c->nln++;
}

/* par_drain - every line given so far, parsed and consumed */
void
par_drain(struct par *pp)
{
	submit(pp);
	while (pp->tail != pp->head)
		(void)consume(pp, 1);
}

/* par_reference - pf_parser_set_reference() at this point of the stream */
void
par_reference(struct par *pp, time_t ref)
{
	par_drain(pp);
	pf_parser_set_reference(pp->ordered, ref);
	pp->ymon = pp->ymday = 0;	/* the state is reset: no run */
}

/* par_free - drain, stop the threads, release everything */
void
par_free(struct par *pp)
{
	unsigned	i;
	int		t;

	if (pp == NULL)
		return;
	par_drain(pp);
	pthread_mutex_lock(&pp->mtx);
	pp->stop = 1;
	pthread_cond_broadcast(&pp->work);
	pthread_mutex_unlock(&pp->mtx);
	for (t = 0; t < pp->nthreads; t++)
		pthread_join(pp->th[t], NULL);
	for (i = 0; i < pp->k; i++) {
		free(pp->ring[i].text);
		free(pp->ring[i].ln);
		free(pp->ring[i].ev);
		free(pp->ring[i].aux);
	}
	free(pp->ring);
	free(pp->th);
	pf_parser_free(pp->own);
	pthread_mutex_destroy(&pp->mtx);
	pthread_cond_destroy(&pp->work);
	pthread_cond_destroy(&pp->done);
	free(pp);
}

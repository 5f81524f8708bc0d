/*	$fivefifty: queue.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	queue 3 - the state's writer thread, its queue and its retries
 * SYNOPSIS
 *	int	queue_start(struct state *st);
 *	void	queue_stop(struct state *st);
 *	int	queue_put(struct state *st, struct state_batch *b);
 *	void	queue_drain(struct state *st);
 *	int	state_sync(struct state *st);
 *	int	state_busy(struct state *st);
 *	void	state_retry(struct state *st, int on);
 *	void	state_pause(struct state *st, int on);
 *	void	state_health(struct state *st, struct state_health *h);
 *	int	state_prune_later(struct state *st, long long now);
 *	int	state_pruning(struct state *st);
 *	int	state_wake_fd(const struct state *st);
 *	void	state_woken(struct state *st);
 *	void	state_checkpoint_idle(struct state *st);
 * DESCRIPTION
 *	queue_start() starts the thread that stores batches, one at a time,
 *	in order, when the backend may be used from a second thread (else
 *	queue_put() stores a batch before it returns); 0, or -1 when the
 *	thread could not start (then batches are stored in the caller's
 *	thread too). queue_put() hands it a batch: a crash at any instant
 *	leaves either all of a batch or none, and batches are stored in
 *	order, so restarting from the stored positions gives the same state
 *	as a run that was never interrupted. One batch waits while the
 *	writer works: a slow writer slows the caller, so that a flood's
 *	batches do not pile up in memory. queue_stop() stores what is
 *	pending (one last attempt when writes fail) and stops the thread.
 *
 *	A failed write makes state_sync(), and every later write, return -1
 *	(the batches after it would build on what is missing). state_retry()
 *	(the daemon) makes a failed write a pause instead: the batch stays
 *	at the head of the queue and is written again after 1 s, then 2, 4
 *	... up to 60 s (STATE_BACKOFF_MAX_MS), until it is stored; later
 *	batches queue behind it, in order, and queue_put() does not wait for
 *	a failing writer. The queue holds at most STATE_PENDING_MAX batches;
 *	beyond it the newest two are coalesced into one (batch_merge()).
 *	state_health() says whether writes fail, since when and why, and how
 *	many batches wait.
 *
 *	With an outbox (the daemon on PostgreSQL, state_open_with()), the
 *	in-memory retries above are not used: each batch is numbered
 *	(meta batch_seq, in queue_put()) and a batch that cannot be stored,
 *	whatever the reason, goes to the outbox on disk (outbox.c), and so
 *	does every later one, in order, while the server is away; the
 *	writer tries the server again after 1 s, 2, 4 ... up to 10 s
 *	(STATE_LINK_BACKOFF_MAX_MS), reconnecting (the backend's write
 *	does), and once it answers stores the outbox's batches, oldest
 *	first, each in its own transaction, before any newer one. A batch
 *	the server committed but whose answer was lost is stored again from
 *	the outbox and skipped by the backend (its number is not above the
 *	node's batch_seq). The memory queue is then only the hand-over to
 *	the writer: the batches are on disk a few milliseconds after
 *	queue_put(), and nothing is coalesced while the outbox has room.
 *	When it is full, the batch waits in memory, state_busy() is 1 and
 *	state_health() says so: the daemon stops reading its logs until
 *	there is room (nothing is dropped). Each batch, once durable
 *	(committed or spooled), is applied to the cache (cache.c).
 *	state_sync() then waits until every batch is stored or spooled.
 *	queue_drain() waits until the outbox is stored, or the server
 *	cannot be reached (the state's open: the outbox before the reads).
 *
 *	state_wake_fd() is an eventfd(2) the writer makes readable each
 *	time it stores, spools or fails a batch or finishes a prune, so that
 *	a caller waiting for state_busy() to clear sleeps in its poll()
 *	until then, not for a fixed time; state_woken() empties it.
 *
 *	state_prune_later() is state_prune() done by the writer once no
 *	batch waits (or, in a flood, after PRUNE_PATIENCE more batches):
 *	the caller neither waits for the queue to empty nor for the DELETEs
 *	(and the checkpoint after them) on a large database. A newer request
 *	replaces one not yet done. A prune that fails is tried again as if
 *	asked for anew once the next batch is stored (an empty queue, or
 *	PRUNE_PATIENCE more batches); with an outbox, only while the server
 *	answers and nothing is spooled. queue_stop() waits for one that can
 *	run (state_sync() only for one running); one that cannot is dropped
 *	at the stop (the backend prunes at most once a day of log time, so
 *	the next start's first flush does it). Without a writer thread it is
 *	state_prune(). state_pruning() says whether one runs now.
 *
 *	After state_checkpoint_idle() (the daemon), the backend's
 *	housekeeping (SQLite: the checkpoint of its log, sqlite_wal.c) waits
 *	until the writer has had nothing to do for QUIET_MS, not a flood's
 *	next batch. Without it, it is done in the commits, as the backend
 *	does it alone: a batch tool (scan) then has it beside its work, not
 *	all of it at its close.
 * DIAGNOSTICS
 *	With state_retry(), a failing writer logs when it starts failing,
 *	when the reason changes and when it resumes, not at each attempt;
 *	without, the backend logs each failure. With an outbox: once when
 *	the server cannot be reached (with the URI, its password hidden, and
 *	why), once when it is back, and once each time the outbox fills.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state_int.h"
#include "util/util.h"

#define PRUNE_PATIENCE	16	/* batches a prune waits for an empty queue */
#define QUIET_MS	250	/* idle before the backend's checkpoint: a
				 * flood's batches come closer together */

/* wall_now - the wall clock, for what status shows */
static long long
wall_now(void)
{
	return ((long long)time(NULL));
}

/* writer_news - the writer's state changed (a batch stored, spooled or
 * failed, a prune done): the threads waiting on the condition, and the
 * caller's poll() on the wake descriptor (state_wake_fd()), are told;
 * with the lock */
static void
writer_news(struct state *st)
{
	uint64_t	one = 1;

	pthread_cond_broadcast(&st->cv);
	if (st->wake_fd >= 0)
		(void)write(st->wake_fd, &one, sizeof(one));
}

/* write_failed - the head batch could not be stored: say so once (and
 * when the reason changes), and wait before the next attempt; called
 * and returns with the lock held */
static void
write_failed(struct state *st, const char *reason)
{
	struct timespec	 until;
	int		 changed;

	st->failures++;
	changed = strcmp(reason, st->fail_reason) != 0;
	snprintf(st->fail_reason, sizeof(st->fail_reason), "%s", reason);
	st->backoff_ms = st->backoff_ms == 0 ? STATE_BACKOFF_MS :
	    st->backoff_ms * 2 > STATE_BACKOFF_MAX_MS ? STATE_BACKOFF_MAX_MS :
	    st->backoff_ms * 2;
	if (st->fail_since == 0) {
		st->fail_since = wall_now();
		log_warnx("state database %s: cannot store the state: %s; "
		    "%d batches kept in memory, retried in %ld s and then less "
		    "and less often (at most every %d s); check the disk and "
		    "what else uses the database", st->name, reason,
		    st->npending, st->backoff_ms / 1000,
		    STATE_BACKOFF_MAX_MS / 1000);
	} else if (changed)
		log_warnx("state database %s: still cannot store the state: "
		    "%s; %d batches kept", st->name, reason, st->npending);
	writer_news(st);	/* queue_put need not wait */
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += st->backoff_ms / 1000;
	until.tv_nsec += (st->backoff_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	while (!st->quit && pthread_cond_timedwait(&st->cv, &st->mtx,
	    &until) != ETIMEDOUT)
		continue;
}

/* note_manual - the manual actions a stored batch carries */
static void
note_manual(struct state *st, const struct state_batch *b)
{
	size_t	i;

	for (i = 0; i < b->nbans; i++)
		if (b->bans[i].op == STATE_OP_MANUAL &&
		    b->bans[i].at > st->manual_stored)
			st->manual_stored = b->bans[i].at;
}

/* write_stored - the head batch is stored: off the queue; say when
 * writes resume. With the lock held. */
static void
write_stored(struct state *st)
{
	struct state_batch *b = st->head;

	note_manual(st, b);
	if ((st->head = b->next) == NULL)
		st->tail = NULL;
	st->npending--;
	st->stored++;
	state_batch_free(b);
	if (st->fail_since != 0) {
		log_info("state database %s: the state is stored again after "
		    "%lld s (%d batches still to store)", st->name, wall_now() -
		    st->fail_since, st->npending);
		st->fail_since = 0;
	}
	st->backoff_ms = 0;
}

/* mono_ms - the monotonic clock in milliseconds */
static long long
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* batch_seq - a batch's number (meta batch_seq); 0: none */
static long long
batch_seq(const struct state_batch *b)
{
	int	k;

	for (k = 0; k < b->nmeta; k++)
		if (strcmp(b->meta[k].key, "batch_seq") == 0)
			return (b->meta[k].v);
	return (0);
}

/* link_failed - the server did not take a batch: said once, and the
 * next attempt after a backoff; with the lock */
static void
link_failed(struct state *st, const char *reason)
{
	char	*p;

	st->failures++;
	/* libpq's words span lines: one line, for the log and status. */
	snprintf(st->fail_reason, sizeof(st->fail_reason), "%s", reason);
	for (p = st->fail_reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	st->link_backoff_ms = st->link_backoff_ms == 0 ? STATE_BACKOFF_MS :
	    st->link_backoff_ms * 2 > STATE_LINK_BACKOFF_MAX_MS ?
	    STATE_LINK_BACKOFF_MAX_MS : st->link_backoff_ms * 2;
	st->link_retry_ms = mono_ms() + st->link_backoff_ms;
	if (st->link_down != 0)
		return;
	st->link_down = wall_now();
	log_warnx("state database %s: PostgreSQL does not store the writes "
	    "(%s); scoring and enforcing go on, the writes go to the outbox "
	    "%s (at most outbox_limit = %lld MiB) and are stored in order when "
	    "it takes them again; tried again in %ld s, then less and less "
	    "often (at most every %d s)", st->name, st->fail_reason,
	    outbox_dir(st->ob), st->ob_max >> 20, st->link_backoff_ms / 1000,
	    STATE_LINK_BACKOFF_MAX_MS / 1000);
}

/* link_up - the server took a batch: said once after an outage; with
 * the lock */
static void
link_up(struct state *st)
{
	if (st->link_down != 0)
		log_info("state database %s: PostgreSQL is back after %lld s: "
		    "storing the %lld writes of the outbox in order", st->name,
		    wall_now() - st->link_down, st->spooled);
	st->link_down = 0;
	st->link_backoff_ms = 0;
	st->fail_reason[0] = '\0';
	if (st->on_cache && st->spooled == 0) {
		__atomic_store_n(&st->on_cache, 0, __ATOMIC_RELEASE);
		log_info("state database %s: reached; the daemon no longer runs "
		    "on its cache", st->name);
	}
}

/* durable - a batch is committed or spooled: into the cache; without
 * the lock */
static void
durable(struct state *st, const struct state_batch *b)
{
	cache_apply(st->cache, b);
	cache_save(st->cache);
}

/* spool_head - the head batch into the outbox; 0, or -1 (it stays in
 * memory: full, or a disk error, said once); with the lock */
static int
spool_head(struct state *st)
{
	struct state_batch *b = st->head;
	char		 why[PATH_MAX + 128];
	int		 r;

	st->busy = 1;
	pthread_mutex_unlock(&st->mtx);
	if ((r = outbox_put(st->ob, b, batch_seq(b), why, sizeof(why))) == 0)
		durable(st, b);
	pthread_mutex_lock(&st->mtx);
	st->busy = 0;
	st->spooled = outbox_count(st->ob);
	st->spooled_bytes = outbox_bytes(st->ob);
	if (r == 0) {
		note_manual(st, b);
		if ((st->head = b->next) == NULL)
			st->tail = NULL;
		st->npending--;
		state_batch_free(b);
		st->ob_full = st->ob_said = 0;
		writer_news(st);
		return (0);
	}
	st->ob_full = 1;
	if (!st->ob_said) {
		st->ob_said = 1;
		if (r == 1)
			log_warnx("state database %s: the outbox %s is FULL "
			    "(%lld writes, outbox_limit = %lld MiB) and "
			    "PostgreSQL is still away: the logs are not read "
			    "until it drains (nothing is lost: reading goes on "
			    "where it stopped); raise outbox_limit or bring "
			    "PostgreSQL back", st->name, outbox_dir(st->ob),
			    st->spooled, st->ob_max >> 20);
		else
			log_warnx("state database %s: cannot spool a write: "
			    "%s; the logs are not read until it can be stored "
			    "or spooled (nothing is lost)", st->name, why);
	}
	writer_news(st);
	return (-1);
}

/* replay_one - the outbox's oldest batch to the server; with the lock */
static void
replay_one(struct state *st)
{
	struct state_batch *b;
	long long	 seq = outbox_first(st->ob);
	char		 why[PATH_MAX + 256];
	int		 r = -1;

	st->busy = 1;
	pthread_mutex_unlock(&st->mtx);
	why[0] = '\0';
	if ((b = outbox_get(st->ob, seq, why, sizeof(why))) == NULL)
		log_warnx("state database %s: %s", st->name, why);
	else
		r = st->ops->write(st->be, b, 1, why, sizeof(why));
	state_batch_free(b);
	pthread_mutex_lock(&st->mtx);
	st->busy = 0;
	if (b == NULL || r == 0) {
		if (b != NULL)
			link_up(st);
		outbox_done(st->ob, seq);
		st->spooled = outbox_count(st->ob);
		st->spooled_bytes = outbox_bytes(st->ob);
		st->ob_full = 0;
		if (st->spooled == 0)
			link_up(st);	/* off the cache */
	} else
		link_failed(st, why[0] != '\0' ? why : "write failed");
	writer_news(st);
}

/* write_head - the head batch to the server; with the lock */
static void
write_head(struct state *st)
{
	char		 why[512];
	int		 r;

	st->busy = 1;
	pthread_mutex_unlock(&st->mtx);
	why[0] = '\0';
	if ((r = st->ops->write(st->be, st->head, 1, why, sizeof(why))) == 0)
		durable(st, st->head);
	pthread_mutex_lock(&st->mtx);
	st->busy = 0;
	if (r == 0) {
		link_up(st);
		write_stored(st);
		/* A batch the outbox could not take (a disk error while the
		 * server was away, the outbox empty) is stored: the caller
		 * may read on. Else it would wait for a replay that never
		 * comes. */
		st->ob_full = st->ob_said = 0;
	} else
		link_failed(st, why[0] != '\0' ? why : "write failed");
	writer_news(st);
}

/* wait_until - sleep until the monotonic ms, a signal or quit; with the
 * lock */
static void
wait_until(struct state *st, long long ms)
{
	struct timespec	 until;

	until.tv_sec = ms / 1000;
	until.tv_nsec = (ms % 1000) * 1000000;
	(void)pthread_cond_timedwait(&st->cv, &st->mtx, &until);
}

/* prune_due - a prune owed and nothing before it: no batch waits (or
 * PRUNE_PATIENCE batches were stored since it was asked for: a flood
 * does not put it off for ever; its bound is a log time, so it may come
 * between batches), the caller does not read, the writes succeed, and
 * it was not tried since the last batch was stored; with the lock */
static int
prune_due(const struct state *st)
{
	if (st->prune_at == 0 || st->paused || st->failed ||
	    st->fail_since != 0 || st->prune_tried == st->stored)
		return (0);
	if (st->head != NULL && st->stored - st->prune_asked < PRUNE_PATIENCE)
		return (0);
	if (st->ob != NULL && (st->spooled > 0 || st->link_down != 0 ||
	    st->on_cache))
		return (0);
	return (1);
}

/* prune_now - the owed prune, without the lock held while it runs; with
 * the lock */
static void
prune_now(struct state *st)
{
	long long	at = st->prune_at;
	int		r;

	st->prune_tried = st->stored;
	st->busy = st->pruning = 1;
	pthread_mutex_unlock(&st->mtx);
	r = st->ops->prune(st->be, at, STATE_RETENTION);
	pthread_mutex_lock(&st->mtx);
	if (r != 0)	/* a lock, a timeout: as if asked for anew */
		st->prune_asked = st->stored;
	else if (st->prune_at == at)
		st->prune_at = 0;
	st->busy = st->pruning = 0;
	writer_news(st);
}

/* writer_outbox - the writer with an outbox: the server when it
 * answers, the outbox first; the outbox while it does not */
static void
writer_outbox(struct state *st)
{
	for (;;) {
		while (!st->quit && !prune_due(st) && (st->paused ||
		    (st->head == NULL && (st->spooled == 0 || (st->link_down !=
		    0 && mono_ms() < st->link_retry_ms)))))
			if (st->head == NULL && st->spooled > 0 && !st->paused)
				wait_until(st, st->link_retry_ms);
			else
				pthread_cond_wait(&st->cv, &st->mtx);
		if (st->quit) {
			/* What is in memory goes to the server or the
			 * outbox: nothing to read again at the next start. */
			while (st->head != NULL) {
				if (st->link_down == 0 && st->spooled == 0)
					write_head(st);
				else if (spool_head(st) == -1)
					break;
			}
			break;
		}
		if (prune_due(st)) {
			prune_now(st);
			continue;
		}
		if (st->link_down != 0 && mono_ms() < st->link_retry_ms) {
			if (st->head != NULL && !st->ob_full)
				(void)spool_head(st);
			else
				wait_until(st, st->link_retry_ms);
			continue;
		}
		if (st->spooled > 0)
			replay_one(st);
		else if (st->head != NULL)
			write_head(st);
	}
}

/* idle - nothing for the writer to do now; with the lock */
static int
idle(struct state *st)
{
	return (st->head == NULL && !st->paused && !st->quit &&
	    !prune_due(st));
}

/* idle_checkpoint - nothing stored for QUIET_MS: the backend's
 * checkpoint, when one is due (sqlite_wal.c), so that it is not done
 * between a flood's batches; 1 if it waited (the caller looks at the
 * queue again), 0 if none is due; called and returns with the lock */
static int
idle_checkpoint(struct state *st)
{
	long long	at;

	if (st->ops->checkpoint_due == NULL || !idle(st) ||
	    !st->ops->checkpoint_due(st->be))
		return (0);
	at = mono_ms() + QUIET_MS;
	while (idle(st) && mono_ms() < at)
		wait_until(st, at);
	if (idle(st)) {
		st->busy = 1;	/* state_pause() and state_sync() wait */
		pthread_mutex_unlock(&st->mtx);
		st->ops->checkpoint(st->be);
		pthread_mutex_lock(&st->mtx);
		st->busy = 0;
		writer_news(st);
	}
	return (1);
}

/* writer - the thread that stores batches, one at a time, in order */
static void *
writer(void *arg)
{
	struct state	*st = arg;
	char		 why[256];
	int		 r;

	pthread_mutex_lock(&st->mtx);
	if (st->ob != NULL) {
		writer_outbox(st);
		pthread_mutex_unlock(&st->mtx);
		return (NULL);
	}
	for (;;) {
		while ((st->head == NULL || st->paused) && !st->quit &&
		    !prune_due(st))
			if (!idle_checkpoint(st))
				pthread_cond_wait(&st->cv, &st->mtx);
		if (!st->quit && prune_due(st)) {
			prune_now(st);
			continue;
		}
		if (st->head == NULL)
			break;
		/* Closing with a failing writer: one last attempt, no more
		 * waiting. */
		if (st->quit && st->fail_since != 0 && st->last_try++ > 0)
			break;
		st->busy = 1;
		pthread_mutex_unlock(&st->mtx);
		why[0] = '\0';
		/* Quiet when retrying: said once, by write_failed(). */
		r = st->failed ? -1 : st->ops->write(st->be, st->head,
		    st->retry, why, sizeof(why));
		pthread_mutex_lock(&st->mtx);
		st->busy = 0;
		if (r == 0)
			write_stored(st);
		else if (st->retry)
			write_failed(st, why[0] != '\0' ? why : "write failed");
		else {
			/* Later batches would build on it: none is. */
			st->failed = 1;
			write_stored(st);
		}
		writer_news(st);
	}
	pthread_mutex_unlock(&st->mtx);
	return (NULL);
}

/* queue_start - the writer thread, when the backend allows one */
int
queue_start(struct state *st)
{
	pthread_condattr_t ca;

	if (!st->ops->threaded(st->be))
		return (0);
	pthread_mutex_init(&st->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* Without it the caller's poll() looks at the writer every
	 * STALL_MS instead of being woken: slower, not wrong. */
	st->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pthread_create(&st->thread, NULL, writer, st) != 0) {
		pthread_mutex_destroy(&st->mtx);
		pthread_cond_destroy(&st->cv);
		if (st->wake_fd >= 0)
			close(st->wake_fd);
		st->wake_fd = -1;
		return (-1);
	}
	st->threaded = 1;
	return (0);
}

/* state_checkpoint_idle - the writer checkpoints when idle (and at the
 * backend's cap), not in a flood's commits; nothing without a writer
 * thread (it would never be idle) */
void
state_checkpoint_idle(struct state *st)
{
	if (st->threaded && st->ops->checkpoint_later != NULL)
		st->ops->checkpoint_later(st->be);
}

/* state_wake_fd - readable when the writer has news (a batch stored,
 * spooled or failed): for the caller's poll() while it waits for the
 * writer (state_busy()); -1 without a writer thread */
int
state_wake_fd(const struct state *st)
{
	return (st->wake_fd);	/* -1 unless queue_start() made it */
}

/* state_woken - the wake descriptor emptied, after poll() said it is
 * readable */
void
state_woken(struct state *st)
{
	uint64_t	n;

	if (st->wake_fd >= 0)
		(void)read(st->wake_fd, &n, sizeof(n));
}

/* queue_stop - store what is pending, stop the writer, drop the rest */
void
queue_stop(struct state *st)
{
	struct state_batch *b;

	if (st->threaded) {
		(void)state_sync(st);
		pthread_mutex_lock(&st->mtx);
		while (prune_due(st) || st->busy)	/* one that can run */
			pthread_cond_wait(&st->cv, &st->mtx);
		st->quit = 1;
		pthread_cond_broadcast(&st->cv);
		pthread_mutex_unlock(&st->mtx);
		pthread_join(st->thread, NULL);
		pthread_mutex_destroy(&st->mtx);
		pthread_cond_destroy(&st->cv);
		if (st->wake_fd >= 0)
			close(st->wake_fd);
		st->wake_fd = -1;
		st->threaded = 0;
	}
	if (st->head != NULL)
		log_warnx("state database %s: %d batches were not stored (%s): "
		    "the lines after the stored positions are read again at "
		    "the next start, and the daemon's bans and unbans made by "
		    "hand since then are applied again from its spool",
		    st->name, st->npending, st->fail_reason);
	while ((b = st->head) != NULL) {
		st->head = b->next;
		state_batch_free(b);
	}
}

/* queue_put - hand a batch to the writer (or store it now, without a
 * thread); 0, or -1 when writes failed */
int
queue_put(struct state *st, struct state_batch *b)
{
	struct state_batch *p;
	char		 why[256];
	int		 r;

	if (!st->threaded) {
		r = st->ops->write(st->be, b, 0, why, sizeof(why));
		if (r == 0)
			note_manual(st, b);
		state_batch_free(b);
		if (r == -1)
			st->failed = 1;
		return (r);
	}
	pthread_mutex_lock(&st->mtx);
	/* Numbered: a batch replayed from the outbox that the server has
	 * already is skipped. */
	if (st->ob != NULL && state_batch_meta(b, "batch_seq", st->seq + 1) ==
	    0)
		st->seq++;
	/* One batch waits while the writer works; while writes fail
	 * (state_retry()) the caller goes on: up to STATE_PENDING_MAX
	 * batches, then they are coalesced. With an outbox, while the
	 * server is away, the writer spools them as they come. */
	while (st->fail_since == 0 && !st->failed && st->link_down == 0 &&
	    st->npending >= 2)
		pthread_cond_wait(&st->cv, &st->mtx);
	if (st->failed) {
		pthread_mutex_unlock(&st->mtx);
		state_batch_free(b);
		return (-1);
	}
	if (st->npending >= STATE_PENDING_MAX && st->tail != NULL &&
	    st->tail != st->head) {
		/* Full: into the newest batch the writer is not at. */
		if (batch_merge(st->tail, b, &st->dropped_ev,
		    &st->dropped_facts) == 0) {
			st->coalesced++;
			pthread_mutex_unlock(&st->mtx);
			return (0);
		}
		log_warnx("state database %s: out of memory coalescing "
		    "batches: %d kept", st->name, st->npending + 1);
	}
	if ((p = st->tail) != NULL)
		p->next = b;
	else
		st->head = b;
	st->tail = b;
	st->npending++;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mtx);
	return (0);
}

/* state_pause - on: the writer starts no batch, and the one it is
 * storing (or the prune it is running) is finished, so that the caller may read
 * without seeing half a transaction; off: it goes on. Never with a
 * state_sync() in between. */
void
state_pause(struct state *st, int on)
{
	if (!st->threaded)
		return;
	pthread_mutex_lock(&st->mtx);
	st->paused = on;
	while (on && st->busy)
		pthread_cond_wait(&st->cv, &st->mtx);
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mtx);
}

/* state_sync - wait until everything handed to the writer is stored;
 * -1 if a write failed (with state_retry(): if writes fail now; what
 * is queued stays queued) */
int
state_sync(struct state *st)
{
	int		r;

	if (!st->threaded)
		return (st->failed ? -1 : 0);
	pthread_mutex_lock(&st->mtx);
	if (st->ob != NULL) {
		/* Stored or spooled: both survive a kill. */
		while ((st->head != NULL || st->busy) && !st->ob_full)
			pthread_cond_wait(&st->cv, &st->mtx);
		r = st->head != NULL ? -1 : 0;
		pthread_mutex_unlock(&st->mtx);
		return (r);
	}
	while ((st->head != NULL || st->busy) && st->fail_since == 0)
		pthread_cond_wait(&st->cv, &st->mtx);
	r = st->failed || st->fail_since != 0 ? -1 : 0;
	pthread_mutex_unlock(&st->mtx);
	return (r);
}

/* state_prune_later - the prune to the writer, done once no batch
 * waits; 0, or state_prune()'s answer without a writer */
int
state_prune_later(struct state *st, long long now)
{
	if (!st->threaded)
		return (state_prune(st, now));
	pthread_mutex_lock(&st->mtx);
	st->prune_at = now;
	st->prune_asked = st->stored;
	st->prune_tried = st->stored - 1;	/* due once the queue is empty */
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mtx);
	return (0);
}

/* state_pruning - whether the writer is running a prune now (a
 * PostgreSQL backend holds its connection for it) */
int
state_pruning(struct state *st)
{
	int	r;

	if (!st->threaded)
		return (0);
	pthread_mutex_lock(&st->mtx);
	r = st->pruning;
	pthread_mutex_unlock(&st->mtx);
	return (r);
}

/* queue_drain - until the outbox is stored, or the server is away */
void
queue_drain(struct state *st)
{
	if (!st->threaded || st->ob == NULL)
		return;
	pthread_mutex_lock(&st->mtx);
	while (st->spooled > 0 && st->link_down == 0)
		pthread_cond_wait(&st->cv, &st->mtx);
	pthread_mutex_unlock(&st->mtx);
}

/* state_busy - would state_write() wait now: the writer is at one
 * batch with another waiting, and writes do not fail; or the outbox is
 * full */
int
state_busy(struct state *st)
{
	int		busy;

	if (!st->threaded)
		return (0);
	pthread_mutex_lock(&st->mtx);
	busy = st->ob_full || (st->fail_since == 0 && !st->failed &&
	    st->link_down == 0 && st->npending >= 2);
	pthread_mutex_unlock(&st->mtx);
	return (busy);
}

/* state_retry - failed writes are retried (the daemon); see
 * DESCRIPTION */
void
state_retry(struct state *st, int on)
{
	st->retry = on;
	st->ops->retry(st->be, on);
}

/* state_health - whether the state is stored, and what waits */
void
state_health(struct state *st, struct state_health *h)
{
	memset(h, 0, sizeof(*h));
	if (st->threaded)
		pthread_mutex_lock(&st->mtx);
	h->failing_since = st->fail_since;
	if (st->fail_since != 0 || st->failed)
		snprintf(h->reason, sizeof(h->reason), "%s: %s", st->name,
		    st->fail_reason[0] != '\0' ? st->fail_reason :
		    "a write failed");
	h->failing = st->fail_since != 0 || st->failed;
	h->pending = st->npending;
	h->failures = st->failures;
	h->coalesced = st->coalesced;
	h->dropped = st->dropped_ev + st->dropped_facts;
	h->retry_ms = st->backoff_ms;
	h->manual_stored = st->manual_stored;
	if (st->ob != NULL) {
		h->link = st->link_down != 0 ? STATE_LINK_DOWN : STATE_LINK_OK;
		h->link_down_since = st->link_down;
		h->spooled = st->spooled;
		h->spooled_bytes = st->spooled_bytes;
		h->outbox_full = st->ob_full;
		h->on_cache = st->on_cache;
		h->retry_ms = st->link_backoff_ms;
		if (st->ob_full) {
			h->failing = 1;
			h->failing_since = st->link_down;
			snprintf(h->reason, sizeof(h->reason), "%s: the outbox "
			    "is full or cannot be written: %s", st->name,
			    st->fail_reason);
		}
	}
	if (st->threaded)
		pthread_mutex_unlock(&st->mtx);
}

/*	$fivefifty: sqlite_wal.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	sqlite_wal 3 - when the SQLite state's write-ahead log is
 *	checkpointed
 * SYNOPSIS
 *	int	sq_wal_watch(struct sq *q);
 *	void	sq_checkpoint_later(void *be);
 *	int	sq_checkpoint_due(void *be);
 *	void	sq_checkpoint(void *be);
 * DESCRIPTION
 *	SQLite copies the log back into the database (a checkpoint) in the
 *	commit that brings the log to 1,000 pages: in a flood, the writer
 *	thread spent about a fifth of its time there, beside the daemon's
 *	loop, while the flood's bans waited for a CPU. SQLite's
 *	documentation leaves it to the application to checkpoint at a
 *	better moment; here that is when the writer has had nothing to
 *	store for a while (queue.c, QUIET_MS).
 *
 *	sq_wal_watch() (the open, read-write) replaces SQLite's automatic
 *	checkpoint by a hook that does the same (a log of SQ_WAL_CKPT bytes,
 *	4 MiB, in the file's pages) until sq_checkpoint_later() says a
 *	writer thread checkpoints when it is idle: from then on the hook
 *	checkpoints only a log of SQ_WAL_CAP bytes (64 MiB), so that a
 *	flood without a pause cannot grow it without bound.
 *	sq_checkpoint_due() says whether a commit since the last checkpoint
 *	brought the log to SQ_WAL_CKPT bytes; sq_checkpoint() runs a passive
 *	checkpoint (it never waits for readers, copying what they do not
 *	hold) and clears that, unless a lock refused it. After a
 *	checkpoint the log is started again from its beginning by the next
 *	write, and cut to SQ_WAL_KEEP bytes (journal_size_limit): a flood's
 *	log does not stay on disk.
 *
 *	Other connections to the same file (scan, the commands) keep
 *	SQLite's rule unless they ask for the daemon's
 *	(state_checkpoint_idle()); a closing last connection checkpoints
 *	everything (SQLite).
 * DIAGNOSTICS
 *	A checkpoint that fails other than by a lock (SQLITE_BUSY, another
 *	checkpoint; SQLITE_LOCKED, a statement of this connection's still
 *	open: tried again later) is logged with the database's path.
 */
#include <stdatomic.h>
#include <stdio.h>

#include <sqlite3.h>

#include "sqlite_int.h"
#include "util/util.h"

/* checkpoint - a passive checkpoint of q's log, why it was run; the
 * due flag cleared (the next commit sets it again); SQLite's result */
static int
checkpoint(struct sq *q, const char *why)
{
	int		rc;

	atomic_store(&q->wal_due, 0);
	rc = sqlite3_wal_checkpoint_v2(q->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	/* sqlite3_errstr(): the connection's own message may already be
	 * another thread's call's (serialized mode). */
	if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		log_warnx("state database %s: checkpoint (%s): %s; the "
		    "write-ahead log grows until one succeeds: check the "
		    "disk", q->path, why, sqlite3_errstr(rc));
	return (rc);
}

/* wal_hook - after each commit of this connection: the log's pages;
 * checkpointed here at SQ_WAL_CKPT bytes (SQLite's own rule) or, once a
 * writer thread checkpoints when idle, at SQ_WAL_CAP */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq	*q = arg;
	int		 later = atomic_load(&q->wal_later);

	(void)db;
	(void)name;
	if (pages < q->wal_ckpt)
		return (SQLITE_OK);
	atomic_store(&q->wal_due, 1);
	if (!later || pages >= q->wal_cap)
		(void)checkpoint(q, later ? "the log's cap" : "its size");
	return (SQLITE_OK);
}

/* sq_wal_watch - the hook in place of SQLite's automatic checkpoint,
 * its sizes in the file's pages, and the log's size on disk after one;
 * -1 with sq_why */
int
sq_wal_watch(struct sq *q)
{
	sqlite3_stmt	*s;
	char		 sql[64];
	int		 page = 0;

	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %d",
	    SQ_WAL_KEEP);
	if (sq_exec(q, sql) == -1 || sq_prep(q, &s, "PRAGMA page_size") == -1)
		return (-1);
	if (sqlite3_step(s) == SQLITE_ROW)
		page = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (page < 512)
		return (sq_fail(q, "reading its page size"));
	q->wal_ckpt = SQ_WAL_CKPT / page;
	q->wal_cap = SQ_WAL_CAP / page;
	sqlite3_wal_hook(q->db, wal_hook, q);
	return (0);
}

/* sq_checkpoint_later - a writer thread checkpoints when idle
 * (sq_checkpoint()); the hook only at the cap */
void
sq_checkpoint_later(void *be)
{
	atomic_store(&((struct sq *)be)->wal_later, 1);
}

/* sq_checkpoint_due - whether the log reached SQ_WAL_CKPT bytes since
 * the last checkpoint */
int
sq_checkpoint_due(void *be)
{
	return (atomic_load(&((struct sq *)be)->wal_due));
}

/* sq_checkpoint - the idle writer's checkpoint; one that a lock
 * refused (another checkpoint, a statement of the owner's still open) is
 * due again: the writer tries after its next QUIET_MS */
void
sq_checkpoint(void *be)
{
	struct sq	*q = be;
	int		 rc = checkpoint(q, "idle");

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		atomic_store(&q->wal_due, 1);
}

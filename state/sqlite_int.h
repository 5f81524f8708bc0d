/*	$fivefifty: sqlite_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	sqlite_int 3h - what the SQLite backend's files share
 * DESCRIPTION
 *	One connection per state; the writer thread and the reading calls
 *	share it (SQLite in serialized mode; state_pause() keeps the writer
 *	out while the owner reads). The statements a write uses are
 *	prepared once, at open. A failure's words go to the thread's own
 *	buffer (sq_why), logged unless the thread is quiet (a retrying
 *	writer says it once, in its own words); a reading call's go to
 *	the connection's err for state_error().
 */
#ifndef FIVEFIFTY_SQLITE_INT_H
#define FIVEFIFTY_SQLITE_INT_H

#include <stdatomic.h>

#include <sqlite3.h>

#include "state_int.h"

#define EV_BATCH		32	/* evidence rows per INSERT */
#define SQ_PAGE			"8192"	/* page size of a new file */
#define SQ_WAL_CKPT		(4 << 20)	/* log bytes a checkpoint
					 * waits for (SQLite's automatic
					 * one: 1,000 pages of 4 KiB) */
#define SQ_WAL_CAP		(64 << 20)	/* log bytes checkpointed at
					 * once while the writer is never
					 * idle */
#define SQ_WAL_KEEP		(16 << 20)	/* log bytes kept on disk
					 * after a checkpoint */

struct sq {
	sqlite3		*db;
	char		*path;
	int		 readonly;
	int		 version;	/* the schema's, at open */
	sqlite3_stmt	*put_client, *put_ev, *put_ban, *put_pos, *get_pos;
	sqlite3_stmt	*get_cursor;
	sqlite3_stmt	*lift_ban, *set_held;
	sqlite3_stmt	*put_session, *del_sessions, *put_meta;
	sqlite3_stmt	*put_evs;	/* EV_BATCH rows at once */
	sqlite3_stmt	*put_fact;
	sqlite3_stmt	*put_ff;
	char		 err[512];	/* the last reading call's failure */
	int		 wal_ckpt, wal_cap;	/* those in log pages */
	atomic_int	 wal_due;	/* SQ_WAL_CKPT reached (sqlite_wal.c) */
	atomic_int	 wal_later;	/* the writer checkpoints when idle */
	struct prune_said prune;	/* the last failed prune's reason */
};

/* The last failure of this thread, and whether it is logged. */
extern _Thread_local char	sq_why[256];
extern _Thread_local int	sq_quiet;

/* sqlite_open.c */
int	sq_fail(struct sq *, const char *);
int	sq_exec(struct sq *, const char *);
int	sq_prep(struct sq *, sqlite3_stmt **, const char *);
int	sq_step(struct sq *, sqlite3_stmt *, const char *);
int	sq_rfail(struct sq *);
const char *sq_text(sqlite3_stmt *, int);

/* sqlite_write.c */
int	sq_write(void *, const struct state_batch *, int, char *, size_t);
int	sq_put_meta(struct sq *, const char *, long long);
int	sq_prune(void *, long long, long long);

/* sqlite_wal.c */
int	sq_wal_watch(struct sq *);
void	sq_checkpoint_later(void *);
int	sq_checkpoint_due(void *);
void	sq_checkpoint(void *);

/* sqlite_read.c */
int	sq_position(void *, const char *, struct state_filepos *);
int	sq_journal_position(void *, const char *, struct state_cursor *);
long long sq_meta(void *, const char *, long long);
long long sq_manual_seq(void *);
int	sq_snapshot(void *, int);
int	sq_clients(void *, int, state_client_fn *, void *);
int	sq_clients_of(void *, const char *, const char *, state_client_fn *,
	    void *);
int	sq_sessions(void *, state_session_fn *, void *);
int	sq_ffs(void *, state_ff_fn *, void *);
int	sq_facts(void *, long long, long long, state_fact_fn *, void *);
int	sq_facts_span(void *, long long *, long long *);
int	sq_evidence(void *, const char *, state_evidence_fn *, void *);
int	sq_evidence_rules(void *, const char *, state_rule_fn *, void *);
int	sq_rejects(void *, const char *, long long *, long long *);
int	sq_bans_of(void *, const char *, state_ban_fn *, void *);
int	sq_bans_enforced(void *, state_ban_fn *, void *);
int	sq_bans_running(void *, long long, state_ban_fn *, void *);
int	sq_bans_live(void *, long long, state_ban_fn *, void *);
int	sq_held(void *, long long, state_ban_fn *, void *);

#endif /* FIVEFIFTY_SQLITE_INT_H */

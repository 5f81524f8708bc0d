/*	$fivefifty: pgsql_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_int 3h - what the PostgreSQL backend's files share
 * DESCRIPTION
 *	One libpq connection per state; the writer thread and the reading
 *	calls share it under the backend's own mutex (a PGconn is not to
 *	be used by two threads at once): a write holds it for its whole
 *	transaction, a reading call while its query runs (the rows are
 *	handed to the caller's function after it is let go, so that the
 *	function may ask the state again). The statements a write uses are
 *	prepared once, at open. Values travel as parameters (struct pgp),
 *	in text, or binary for bytea; never in a query's text.
 *
 *	This host's rows: positions, journal cursors, open sessions, meta
 *	numbers and clients (each scorer's memory) are each node's own
 *	(column node: node_name, by default the host name); bans are
 *	shared, evidence, facts, five-fifties (with the node that wrote
 *	them: a reading call may keep one node's, only) and observations
 *	too (pgsql_obs.c).
 *
 *	The watch (pgsql_watch.c) has a connection and a thread of its
 *	own: LISTEN waits on it, and the writer holds the main one.
 *
 *	A failure's words go to the thread's own buffer (pg_why), logged
 *	unless the thread is quiet; a reading call's go to err for
 *	state_error().
 *
 *	libpq itself is loaded at the first call (pgsql_dl.c):
 *	pg_dl_error() says why it cannot be.
 */
#ifndef FIVEFIFTY_PGSQL_INT_H
#define FIVEFIFTY_PGSQL_INT_H

#include <pthread.h>

#include <libpq-fe.h>

#include "state_int.h"

#define PG_ROWS		32	/* rows per multi-row INSERT */
#define PG_PARAMS	(PG_ROWS * 10)	/* the widest: facts */
#define PG_NODE_MAX	STATE_NODE_MAX
#define PG_OBS_KEEP	(8LL * 86400)	/* observations kept (pg_prune()) */
#define PG_CHANNEL	"fivefifty_bans"	/* NOTIFY: a ban event */
#define PG_EVENTS_LOCK	"5505506"	/* advisory: ban events and
					 * observations in commit order */

struct pg_watch;

/* A session as stored: its key and its bytes' hash (pgsql_write.c writes
 * only the sessions that changed since its last commit). */
struct pg_sess {
	unsigned long long key;
	unsigned long long h;
	size_t		 i;		/* in the batch being written */
};

struct pg {
	PGconn		*conn;
	char		*uri;		/* as given: to connect again (the
					 * writer's and the watch's) */
	char		*name;		/* the URI, any password hidden */
	struct pg_watch	*watch;		/* pgsql_watch.c; NULL: none */
	char		 node[PG_NODE_MAX];
	int		 lock_ms;	/* lock_timeout of its sessions */
	struct prune_said prune;	/* the last failed prune's reason */
	char		 only[PG_NODE_MAX];	/* state_only_node(); "": all */
	int		 ready;		/* set up: schema and statements */
	struct pg_sess	*sess;		/* this node's sessions stored, by key */
	size_t		 nsess;
	int		 sess_known;	/* sess is what the table holds */
	struct pg_sess	*sess_new;	/* the write's, sess at its commit */
	size_t		 nsess_new;
	int		 readonly;
	int		 version;	/* the schema's, at open */
	pthread_mutex_t	 mtx;		/* recursive: one user at a time */
	char		 err[512];	/* the last reading call's failure */
};

/* A query's parameters: text values (numbers formatted into num), or
 * binary ones (bytea). */
struct pgp {
	const char	*v[PG_PARAMS];
	int		 len[PG_PARAMS];
	int		 fmt[PG_PARAMS];
	char		 num[PG_PARAMS][32];
	int		 n;
};

/* The last failure of this thread, and whether it is logged. */
extern _Thread_local char	pg_why[256];
extern _Thread_local int	pg_quiet;

/* pgsql_dl.c */
const char *pg_dl_error(void);

/* pgsql_open.c */
int	pg_connect(struct pg *);
int	pg_fail(struct pg *, const char *);
int	pg_rfail(struct pg *, const char *);
const char *pg_errmsg(struct pg *, char *, size_t);
int	pg_exec(struct pg *, const char *);
PGresult *pg_call(struct pg *, const char *, const struct pgp *,
	    const char *);
PGresult *pg_query(struct pg *, const char *, const struct pgp *);
void	pgp_int(struct pgp *, long long);
void	pgp_dbl(struct pgp *, double);
void	pgp_text(struct pgp *, const char *);
void	pgp_null(struct pgp *);
void	pgp_blob(struct pgp *, const void *, size_t);

/* pgsql_write.c */
int	pg_write(void *, const struct state_batch *, int, char *, size_t);
int	pg_put_meta(struct pg *, const char *, long long);
int	pg_prune(void *, long long, long long);
int	pg_prepare_writes(struct pg *);

/* pgsql_obs.c */
int	pg_observations(void *, long long, state_obs_fn *, void *);
int	pg_put_obs(struct pg *, const struct state_batch *);
int	pg_claim_clients(struct pg *);
/* pgsql_watch.c */
int	pg_watch_start(void *, char *, size_t);
int	pg_watch_fd(void *);
int	pg_watch_bans(void *, state_ban_fn *, void *);
int	pg_watch_up(void *, long long *);
void	pg_watch_stop(struct pg *);

/* pgsql_read.c */
int	pg_position(void *, const char *, struct state_filepos *);
int	pg_journal_position(void *, const char *, struct state_cursor *);
long long pg_meta(void *, const char *, long long);
long long pg_manual_seq(void *);
int	pg_snapshot(void *, int);
int	pg_clients(void *, int, state_client_fn *, void *);
int	pg_clients_of(void *, const char *, const char *, state_client_fn *,
	    void *);
int	pg_sessions(void *, state_session_fn *, void *);
int	pg_ffs(void *, state_ff_fn *, void *);
int	pg_facts(void *, long long, long long, state_fact_fn *, void *);
int	pg_facts_span(void *, long long *, long long *);
int	pg_evidence(void *, const char *, state_evidence_fn *, void *);
int	pg_evidence_rules(void *, const char *, state_rule_fn *, void *);
int	pg_rejects(void *, const char *, long long *, long long *);
int	pg_bans_of(void *, const char *, state_ban_fn *, void *);
int	pg_bans_enforced(void *, state_ban_fn *, void *);
int	pg_bans_running(void *, long long, state_ban_fn *, void *);
int	pg_held(void *, long long, state_ban_fn *, void *);
int	pg_nodes(void *, long long, long long, state_node_fn *, void *);
int	pg_only_node(void *, const char *, char *, size_t);

#endif /* FIVEFIFTY_PGSQL_INT_H */

/*	$fivefifty: state_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	state_int 3h - what the state's files share: the batch, the queue,
 *	the backend's operations
 * DESCRIPTION
 *	A backend is a struct state_ops: it opens its store, stores a batch
 *	in one transaction, and answers the reading questions of state.h;
 *	state.c hands each call to the backend chosen by state_open(), and
 *	queue.c runs the writer thread, its queue, the retries and the
 *	coalescing of batches for every backend alike. A batch's rows are
 *	the batch's own copies (batch.c); a backend reads them through
 *	batch_*() views. Shared by the backends too: struct rowcb (a reading
 *	call's function and argument, CB()) and state_schema_known(), the
 *	one refusal of a schema newer than this fivefifty knows.
 */
#ifndef FIVEFIFTY_STATE_INT_H
#define FIVEFIFTY_STATE_INT_H

#include <pthread.h>

#include "state.h"

#define STATE_BACKOFF_MS	1000	/* first retry of a failed write */
#define STATE_BUSY_MS		5000	/* a backend's lock wait: commands,
					 * scan */
#define STATE_BUSY_MS_RETRY	1000	/* a retrying writer's (the daemon):
					 * the queue retries, the loop goes on */
#define STATE_BACKOFF_MAX_MS	60000	/* retries at most this far apart */
#define STATE_LINK_BACKOFF_MAX_MS 10000	/* PostgreSQL away: reconnects at
					 * most this far apart */
#define STATE_PENDING_MAX	8	/* batches queued before coalescing */
#define STATE_PENDING_EV	32768	/* evidence rows a coalesced batch
					 * keeps (about 220 bytes each) */
#define STATE_PENDING_FACTS	(4 << 20)	/* fact bytes it keeps */
#define STATE_META_MAX		8	/* meta values in a batch */

/* The rows of a batch: copies, each with its own memory (a coalesced
 * batch drops and replaces rows one by one). */
struct sb_client {
	struct state_client r;		/* addr and memory point into own */
	char		*own;
};
struct sb_ff {
	struct state_ff	 r;		/* its strings point into own */
	char		*own;
};
struct sb_ev {
	char		 addr[STATE_ADDR_MAX];
	long long	 t;
	double		 weight;
	char		 rule[STATE_RULE_MAX];
	char		 detail[STATE_DETAIL_MAX];
};
struct sb_ban {
	int		 op;
	char		 addr[STATE_ADDR_MAX];
	int		 prefix_len, family, n, manual;
	long long	 at, until;
	double		 score;
	char		 reason[STATE_REASON_MAX];
};
struct sb_session {
	unsigned long long key;
	size_t		 off, len;	/* in the batch's session bytes */
};
struct sb_obs {
	char		 addr[STATE_ADDR_MAX];
	long long	 t;
	size_t		 off, len;	/* in the batch's observation bytes */
};
struct sb_meta {
	char		 key[32];
	long long	 v;
};

struct state_batch {
	struct sb_client *clients;
	size_t		 nclients, capclients;
	struct sb_ev	*ev;
	size_t		 nev, capev;
	struct sb_ban	*bans;
	size_t		 nbans, capbans;
	struct sb_session *sessions;
	size_t		 nsessions, capsessions;
	unsigned char	*sbytes;	/* the sessions' bytes */
	size_t		 sblen, sbcap;
	struct sb_ff	*ffs;
	size_t		 nffs, capffs;
	struct state_pos *pos;		/* path and cursor: one allocation */
	int		 npos, cappos;
	struct sb_meta	 meta[STATE_META_MAX];
	int		 nmeta;
	void		**flogs;	/* fact logs, oldest first */
	size_t		*flens;
	int		 nflogs, capflogs;
	size_t		 fbytes;
	state_facts_count *count;
	struct sb_obs	*obs;		/* observations for the other nodes */
	size_t		 nobs, capobs;
	unsigned char	*obytes;	/* their bytes */
	size_t		 oblen, obcap;
	struct state_batch *next;	/* the writer's queue */
};

/* batch.c */
int	batch_merge(struct state_batch *, struct state_batch *,
	    unsigned long long *, unsigned long long *);
void	batch_ev(const struct state_batch *, size_t, struct state_evidence *);
void	batch_ban(const struct state_batch *, size_t, struct state_ban *);
void	batch_session(const struct state_batch *, size_t,
	    struct state_session *);
int	batch_merge_obs(struct state_batch *, struct state_batch *);

/* A backend: its handle is the first argument of each operation. */
struct state_ops {
	/* path, readonly, node, offline (PostgreSQL: a handle not yet
	 * connected when the server cannot be reached), err */
	void	*(*open)(const char *, int, const char *, int, char *,
		    size_t);
	int	 (*link)(void *);	/* connected (1) or not (0) */
	void	 (*close)(void *);
	int	 (*threaded)(void *);	/* may a writer thread share it */
	const char *(*error)(void *);
	/* write one batch in one transaction; quiet: do not log, only
	 * fill why */
	int	 (*write)(void *, const struct state_batch *, int, char *,
		    size_t);
	void	 (*retry)(void *, int);
	int	 (*prune)(void *, long long, long long);
	/* housekeeping for an idle writer thread (NULL: none): from now
	 * on it waits for checkpoint() (a cap aside); whether any is due */
	void	 (*checkpoint_later)(void *);
	int	 (*checkpoint_due)(void *);
	void	 (*checkpoint)(void *);
	int	 (*position)(void *, const char *, struct state_filepos *);
	int	 (*journal_position)(void *, const char *,
		    struct state_cursor *);
	long long (*meta)(void *, const char *, long long);
	long long (*manual_seq)(void *);
	int	 (*snapshot)(void *, int);
	int	 (*clients)(void *, int, state_client_fn *, void *);
	int	 (*clients_of)(void *, const char *, const char *,
		    state_client_fn *, void *);
	int	 (*sessions)(void *, state_session_fn *, void *);
	int	 (*ffs)(void *, state_ff_fn *, void *);
	int	 (*facts)(void *, long long, long long, state_fact_fn *,
		    void *);
	int	 (*facts_span)(void *, long long *, long long *);
	int	 (*evidence)(void *, const char *, state_evidence_fn *,
		    void *);
	int	 (*evidence_rules)(void *, const char *, state_rule_fn *,
		    void *);
	int	 (*rejects)(void *, const char *, long long *, long long *);
	int	 (*bans_of)(void *, const char *, state_ban_fn *, void *);
	int	 (*bans_enforced)(void *, state_ban_fn *, void *);
	int	 (*bans_running)(void *, long long, state_ban_fn *, void *);
	/* bans_running, a network perhaps more than once (NULL: none) */
	int	 (*bans_live)(void *, long long, state_ban_fn *, void *);
	int	 (*held)(void *, long long, state_ban_fn *, void *);
	/* shared evidence: NULL for a backend that is no node's */
	int	 (*observations)(void *, long long, state_obs_fn *, void *);
	/* the other nodes' bans (NULL: a backend of one node) */
	int	 (*watch_start)(void *, char *, size_t);
	int	 (*watch_fd)(void *);
	int	 (*watch_bans)(void *, state_ban_fn *, void *);
	int	 (*watch_up)(void *, long long *);
	/* a shared state's nodes; NULL: the backend has none (SQLite) */
	int	 (*nodes)(void *, long long, long long, state_node_fn *,
		    void *);
	int	 (*only_node)(void *, const char *, char *, size_t);
};

extern const struct state_ops state_sqlite_ops;	/* sqlite_open.c */
extern const struct state_ops state_pgsql_ops;	/* pgsql_open.c */

struct outbox;
struct cache;

struct state {
	const struct state_ops *ops;
	void		*be;		/* the backend's handle */
	char		*path;
	char		*name;		/* path, any password hidden */
	char		 node[STATE_NODE_MAX];
	/* The outbox and the cache (the daemon on PostgreSQL): batches
	 * numbered (meta batch_seq), spooled while the server is away. */
	struct outbox	*ob;
	struct cache	*cache;
	long long	 seq;		/* the last batch's number */
	int		 on_cache;	/* reads answered by the cache */
	int		 ob_full;	/* a batch waits for room */
	long long	 link_down;	/* wall clock; 0: up */
	long long	 link_retry_ms;	/* monotonic: the next attempt */
	long		 link_backoff_ms;
	long long	 spooled, spooled_bytes;	/* the outbox's */
	int		 ob_said;	/* the outbox full was said */
	long long	 ob_max;	/* outbox_limit, bytes */
	int		 readonly;
	/* The writer thread and its queue (queue.c): head is the one being
	 * written (busy) or retried; one batch waits unless retry is set. */
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cv;
	struct state_batch *head, *tail;
	int		 npending;
	int		 threaded, busy, quit, failed;
	int		 retry;		/* state_retry(): failures wait */
	int		 paused;	/* state_pause(): the caller reads */
	int		 last_try;	/* closing: the attempts made */
	long long	 fail_since;	/* wall clock; 0: writes succeed */
	long		 backoff_ms;
	char		 fail_reason[256];
	unsigned long long failures, coalesced, dropped_ev, dropped_facts;
	long long	 manual_stored;	/* STATE_OP_MANUAL stored, highest */
	/* state_prune_later(): the log time of a prune the writer owes
	 * (0: none), the batches stored when it last tried one and when
	 * it was asked for. */
	long long	 prune_at;
	unsigned long long stored, prune_tried, prune_asked;
	int		 pruning;	/* the writer runs one now */
	int		 wake_fd;	/* state_wake_fd(); -1: none */
};

/* A backend's reading call: the caller's function, and its argument. */
struct rowcb {
	union {
		state_client_fn		*c;
		state_evidence_fn	*e;
		state_ban_fn		*b;
		state_session_fn	*s;
		state_fact_fn		*f;
		state_ff_fn		*ff;
		state_rule_fn		*r;
		state_obs_fn		*o;
		state_node_fn		*n;
	}		 fn;
	void		*arg;
};

/* CB - the struct rowcb of fn (member k of the union) and arg */
#define CB(k, f, a)	(&(struct rowcb){ .fn.k = (f), .arg = (a) })

/* uri.c: libpq's messages without the URI's password */
void	uri_scrub(const char *, char *, size_t);

/* state.c: what every backend's migration checks */
int	state_schema_known(int, int, char *, size_t);

/* batch_pack.c: a batch as bytes (the outbox's, the cache's), and back */
int	batch_pack(const struct state_batch *, unsigned char **, size_t *);
struct state_batch *batch_unpack(const unsigned char *, size_t, char *,
	    size_t);

/* outbox.c */
struct outbox *outbox_open(const char *, long long, char *, size_t);
int	outbox_put(struct outbox *, const struct state_batch *, long long,
	    char *, size_t);
long long outbox_first(const struct outbox *);
long long outbox_last(const struct outbox *);
long long outbox_count(const struct outbox *);
long long outbox_bytes(const struct outbox *);
const char *outbox_dir(const struct outbox *);
struct state_batch *outbox_get(struct outbox *, long long, char *, size_t);
void	outbox_done(struct outbox *, long long);
void	outbox_close(struct outbox *);
int	outbox_file_write(const char *, const void *, size_t);
unsigned char *outbox_file_read(const char *, size_t *);

/* cache.c */
struct cache *cache_open(const char *, char *, size_t);
int	cache_exists(const struct cache *);
void	cache_seed(struct cache *, const struct state_ops *, void *,
	    long long);
void	cache_apply(struct cache *, const struct state_batch *);
void	cache_save(struct cache *);
int	cache_position(struct cache *, const char *, struct state_filepos *);
int	cache_journal_position(struct cache *, const char *,
	    struct state_cursor *);
long long cache_meta(struct cache *, const char *, long long);
int	cache_bans_running(struct cache *, long long, state_ban_fn *, void *);
void	cache_close(struct cache *);

/* prune_said.c: a failing prune said once for each reason */
struct prune_said {
	char	 why[256];	/* the last failure's reason's head; "" */
};
void	prune_said(struct prune_said *, const char *, long long, int,
	    const char *, const char *, int);

/* queue.c */
int	queue_start(struct state *);
void	queue_stop(struct state *);
int	queue_put(struct state *, struct state_batch *);
void	queue_drain(struct state *);

#endif /* FIVEFIFTY_STATE_INT_H */

/*	$fivefifty: state.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	state 3h - what the program keeps between runs, behind one interface
 * SYNOPSIS
 *	#include "state/state.h"
 *
 *	struct state *state_open(const char *path, int readonly, char *err,
 *		    size_t errlen);
 *	struct state *state_open_with(const char *path, int readonly,
 *		    const struct state_opts *o, char *err, size_t errlen);
 *	int	state_node_check(const char *name, char *why, size_t whylen);
 *	const char *state_node(struct state *st);
 *	int	state_exists(const char *path);
 *	int	state_file_why(const char *path, int readonly,
 *		    const char *alt, char *why, size_t len);
 *	int	state_is_uri(const char *path);
 *	int	state_copy(const char *from, const char *to, char *err,
 *		    size_t errlen, long long *rows);
 *	void	state_close(struct state *st);
 *	int	state_readonly(const struct state *st);
 *	const char *state_name(struct state *st);
 *	const char *state_error(const struct state *st);
 *	const char *state_shown(const char *path, char *buf, size_t len);
 *	int	state_nodes(struct state *st, long long from_hour,
 *		    long long until_hour, state_node_fn *fn, void *arg);
 *	int	state_only_node(struct state *st, const char *node, char *err,
 *		    size_t errlen);
 *
 *	struct state_batch *state_batch_new(void);
 *	int	state_batch_client(struct state_batch *b,
 *		    const struct state_client *c);
 *	int	state_batch_evidence(struct state_batch *b,
 *		    const struct state_evidence *e);
 *	int	state_batch_ban(struct state_batch *b,
 *		    const struct state_ban *d);
 *	int	state_batch_session(struct state_batch *b,
 *		    const struct state_session *ss);
 *	int	state_batch_ff(struct state_batch *b, const struct state_ff *f);
 *	int	state_batch_pos(struct state_batch *b,
 *		    const struct state_pos *p);
 *	int	state_batch_meta(struct state_batch *b, const char *key,
 *		    long long v);
 *	int	state_batch_facts(struct state_batch *b, void *log, size_t len,
 *		    state_facts_count *count);
 *	int	state_batch_obs(struct state_batch *b, const char *addr,
 *		    long long t, const void *data, size_t len);
 *	void	state_batch_free(struct state_batch *b);
 *	int	state_write(struct state *st, struct state_batch *b);
 *	int	state_sync(struct state *st);
 *	int	state_busy(struct state *st);
 *	void	state_retry(struct state *st, int on);
 *	void	state_pause(struct state *st, int on);
 *	void	state_health(struct state *st, struct state_health *h);
 *	int	state_prune(struct state *st, long long now);
 *	int	state_prune_later(struct state *st, long long now);
 *	int	state_pruning(struct state *st);
 *	int	state_wake_fd(const struct state *st);
 *	void	state_checkpoint_idle(struct state *st);
 *	void	state_woken(struct state *st);
 *
 *	int	state_position(struct state *st, const char *path,
 *		    struct state_filepos *p);
 *	int	state_journal_position(struct state *st, const char *key,
 *		    struct state_cursor *p);
 *	long long state_now(struct state *st);
 *	long long state_meta(struct state *st, const char *key, long long dflt);
 *	long long state_manual_seq(struct state *st);
 *	int	state_snapshot(struct state *st, int on);
 *	int	state_clients(struct state *st, int order,
 *		    state_client_fn *fn, void *arg);
 *	int	state_clients_of(struct state *st, const char *addr,
 *		    const char *net, state_client_fn *fn, void *arg);
 *	int	state_sessions(struct state *st, state_session_fn *fn,
 *		    void *arg);
 *	int	state_ffs(struct state *st, state_ff_fn *fn, void *arg);
 *	int	state_facts(struct state *st, long long from_hour,
 *		    long long until_hour, state_fact_fn *fn, void *arg);
 *	int	state_facts_span(struct state *st, long long *first_hour,
 *		    long long *last_hour);
 *	int	state_evidence(struct state *st, const char *addr,
 *		    state_evidence_fn *fn, void *arg);
 *	int	state_evidence_rules(struct state *st, const char *addr,
 *		    state_rule_fn *fn, void *arg);
 *	int	state_rejects(struct state *st, const char *client,
 *		    long long *temporary, long long *permanent);
 *	int	state_bans_of(struct state *st, const char *addr,
 *		    state_ban_fn *fn, void *arg);
 *	int	state_bans_enforced(struct state *st, state_ban_fn *fn,
 *		    void *arg);
 *	int	state_bans_running(struct state *st, long long now,
 *		    state_ban_fn *fn, void *arg);
 *	int	state_bans_live(struct state *st, long long now,
 *		    state_ban_fn *fn, void *arg);
 *	int	state_held(struct state *st, long long now, state_ban_fn *fn,
 *		    void *arg);
 *
 *	int	state_shared(const struct state *st);
 *	int	state_observations(struct state *st, long long after,
 *		    state_obs_fn *fn, void *arg);
 *	int	state_watch_start(struct state *st, char *err, size_t errlen);
 *	int	state_watch_fd(struct state *st);
 *	int	state_watch_bans(struct state *st, state_ban_fn *fn,
 *		    void *arg);
 *	int	state_watch_up(struct state *st, long long *since);
 * DESCRIPTION
 *	The state is what fivefifty keeps between runs: the clients (scores,
 *	bans so far, what the rules remember), their evidence, the bans and
 *	unbans with what the daemon's ban-rate breaker did with them, the
 *	open sessions, the report facts and five-fifties, where reading the
 *	logs stopped (file positions, journal cursors) and a few numbers
 *	(meta: the log time, the manual actions stored). This module alone
 *	knows how it is stored; everyone else asks these typed questions. A
 *	backend is a table of operations (state_int.h) that state_open()
 *	chooses from the path: a SQLite file (state/sqlite*.c), or a libpq
 *	connection URI, postgresql://... or postgres://... (state/pgsql*.c:
 *	positions, journal cursors, open sessions and meta numbers are this
 *	host's own there, the rest shared by every host using it).
 *
 *	Rows are plain: addresses as text ("addr" or "addr/len"), times in
 *	log seconds. Two fields are the producer's own bytes, stored and
 *	returned as they are: a client's memory and a session (the scorer
 *	packs and checks them, score/persist.c).
 *
 *	state_open() opens (creating it, unless readonly) and migrates the
 *	state; a state of a newer fivefifty, or a file that is not a state,
 *	is refused with err naming the path, the reason and what to do.
 *	state_open_with() is state_open() with the options of o (NULL: none):
 *	o->node names this host in a shared state (NULL or "": the host
 *	name; each node has its own positions, journal cursors, open
 *	sessions and meta numbers); o->local_dir, for the daemon on a
 *	PostgreSQL state, is a local directory for the outbox and the cache
 *	(state/outbox.c, state/cache.c): while PostgreSQL cannot be reached
 *	the batches are spooled there, at most o->outbox_max bytes, and
 *	replayed in order when it is back; and when it cannot be reached at
 *	open, the state opens on the cache (the running bans and where the
 *	logs were read up to, as of the last batch stored or spooled) if
 *	there is one. state_node_check() says whether name may name a node
 *	(printable ASCII without spaces, at most STATE_NODE_MAX - 1 bytes);
 *	-1 with what is expected in why. state_node() is the node's name.
 *	state_is_uri() says whether path names a server's state (a libpq
 *	URI, postgresql:// or postgres://) rather than a file.
 *	state_exists() says whether there may be a state at path without
 *	opening it: a file that exists, or any URI (its server answers at
 *	open). state_file_why() says why this user cannot open the state
 *	file path (readonly: read it), before or after trying: 0 when no
 *	reason is seen (and for a URI), STATE_FILE_MISSING (no such file,
 *	or directory), STATE_FILE_DENIED (this user may not), with why
 *	naming the path and what to do: run as root, or alt (NULL: give
 *	--db FILE); state_open() says it for a file it cannot open
 *	(state/access.c). state_copy() copies a SQLite state (from, a file) into an
 *	empty PostgreSQL one (to, a URI), in one transaction, its positions
 *	and cursors as this host's; -1 with err saying why, nothing copied
 *	(state/pgsql_copy.c).
 *	state_close() stores what is pending first. state_name() is the
 *	state's name for messages (a URI's password hidden, as
 *	state_shown() hides it in any path: user:password@ becomes user@,
 *	password=... password=***), state_error() the last failure of a
 *	reading call ("" when none), state_readonly() whether writes are
 *	refused.
 *
 *	Nodes: a PostgreSQL state is shared by hosts, each a node (its
 *	name, struct pg's node); the evidence, facts and five-fifties it
 *	writes carry it. state_nodes() gives each node that wrote to the
 *	state (its meta numbers), by name, with its log time and what its
 *	facts count in the hours [from_hour, until_hour) (struct
 *	state_node); a SQLite state, one host's, has none (0).
 *	state_only_node() makes the reading calls that give what a node
 *	saw (state_facts(), state_ffs(), state_evidence(),
 *	state_evidence_rules(), state_rejects()) give node's rows alone
 *	(NULL: every node's again); the clients and the bans stay the
 *	cluster's (shared: every node enforces every ban). A state open
 *	for writing is a node's scorer: its state_ffs() gives that node's
 *	own five-fifties (its memory, as its sessions). -1 with err
 *	saying why: a SQLite state has no nodes, or no node of that name
 *	wrote to it (err lists those that did).
 *
 *	Writing: a batch collects what changed (state_batch_*(): each copies
 *	its row; -1 when memory runs out) and state_write() takes it (always,
 *	even on failure; NULL: the caller ran out of memory making it) and
 *	stores it in ONE transaction, on a writer thread while the caller
 *	goes on (at most one batch waits). Bans (struct state_ban's op) are
 *	applied in the order given: a new ban, the end of a ban (an unban),
 *	the breaker's notes, and STATE_OP_MANUAL: manual actions up to `at`
 *	are stored. Meta values and positions replace the stored ones, the
 *	sessions replace all stored sessions, clients and five-fifties
 *	replace their row, evidence and facts are appended. The facts come
 *	as the producer's log, counted on the writer's thread by the
 *	producer's count function (counting cost the scoring thread a tenth
 *	of its speed). state_sync() waits until everything handed over is
 *	stored; -1 if a write failed (then every later write fails too:
 *	batches build on each other), unless state_retry() made failures a
 *	pause: the batch is retried with backoff, later ones queue behind it
 *	and the newest are coalesced beyond a bound (state/queue.c).
 *	state_busy() says whether state_write() would wait now,
 *	state_pause() keeps the writer from starting a batch while the
 *	caller reads. state_health() says whether writes fail and what
 *	waits. state_prune() drops evidence, facts and five-fifties older
 *	than the retention (STATE_RETENTION before log time now), once a
 *	day of log time; the scorer does not store such rows at all.
 *	state_prune_later() leaves that to the writer thread, once no batch
 *	waits (the daemon: its loop does not wait for it); state_pruning()
 *	says whether it runs now. state_wake_fd()
 *	is readable when the writer has stored, spooled or failed a batch
 *	(-1 without a writer thread): a caller waiting for state_busy() to
 *	clear polls it, and empties it with state_woken().
 *	state_checkpoint_idle() (the daemon) leaves the SQLite log's
 *	checkpoint to moments the writer has nothing to store (and to a
 *	cap), so that a flood's batches do not wait for it; without it the
 *	writer checkpoints as SQLite does, at 4 MiB of log, beside the
 *	caller's work (scan: better than all at its close).
 *
 *	Reading: the iterators call fn with each row (its strings valid
 *	during the call) until fn returns non-zero; they return the number
 *	of rows given, or -1 with state_error() set. state_clients() gives
 *	every client by STATE_BY_LAST_SEEN (newest first: a scorer loads the
 *	freshest) or STATE_BY_BAN (banned_until then score, descending;
 *	addr, prefix_len, score, score_t, banned_until, bans, held: what
 *	the breaker did with the running ban, lifted: when an unban lifted
 *	the latest ban, ban_reason: that ban's reason), state_clients_of()
 *	the rows of an address and of its prefix (net; NULL: none), in key
 *	order.
 *	state_evidence() gives an address's evidence in time order,
 *	state_evidence_rules() its rules with their counts, the most first.
 *	state_bans_of() gives an address's bans in time order (lifted: when
 *	an unban lifted one; a lift is stored with the ban it ends),
 *	state_bans_enforced() every ban the breaker did not hold or drop,
 *	state_bans_running() per network the enforced ban running the
 *	longest at now (addr, prefix_len, until and reason);
 *	state_bans_live() the same rows sooner for a caller that keeps the
 *	latest end itself: a network may come more than once (SQLite: no
 *	grouping, which took most of the time of a start with 100,000
 *	bans). state_held()
 *	the automatic bans the breaker holds that still run at now, oldest
 *	decision first. state_facts() gives the facts of the hours
 *	[from_hour, until_hour) (rows of one key from several writes are not
 *	added up); state_facts_span() the first and last hour that have
 *	facts (1; 0 when none, the hours untouched), state_rejects() a
 *	client's temporary (4xx) and permanent
 *	(5xx) rejects. state_snapshot() makes the reads between on and off
 *	see one moment. state_position() is a file's stored position
 *	(1 found, 0 none, -1; wire/ hands it to the tailer as its position
 *	store, so that the state knows nothing of the tailer's types);
 *	state_journal_position() the journal's cursor for key (likewise).
 *	state_now() is the log time of the last write (a shared state open
 *	read-only: the latest of its nodes', whichever host reads and
 *	whichever node it keeps), state_meta() a meta
 *	number, state_manual_seq() the number of the last manual action
 *	stored (-1, logged, when unreadable).
 *
 *	Shared evidence (several nodes on one PostgreSQL state):
 *	state_shared() says whether the state is shared by nodes (1 for
 *	PostgreSQL, 0 for a SQLite file). Each node's clients rows (the
 *	scores and what its rules remember) are its own; list and explain
 *	show per client the row with the latest ban, then the latest score.
 *	state_batch_obs() adds an observation (a client's address, a log
 *	time, the producer's bytes: score/share.c) to a batch: stored with
 *	the batch, in its transaction, under this node's name, never
 *	dropped when batches are coalesced. state_observations() gives the
 *	observations of the OTHER nodes with a number above after, in
 *	number order (a node stores its cursor as a meta value with the
 *	batch of what they changed: each is applied once); numbers are
 *	given in commit order, so none is skipped by a reader. A file
 *	stores none and gives none.
 *	The other nodes (PostgreSQL; a SQLite state has none: the calls do
 *	nothing, state_watch_fd() is -1): every ban a node puts in force
 *	and every unban is an event, committed with it, which the other
 *	nodes follow. state_watch_start() starts following them (its own
 *	connection and thread: a server slow or away never stalls the
 *	caller; it reconnects with backoff and catches up by event id, so
 *	nothing is missed when notifications are lost or coalesced): every
 *	event committed after it returns is given, so call it before
 *	reading the bans in force; 0, or -1 with err. state_watch_fd() is
 *	readable when events wait (-1: none to follow). state_watch_bans()
 *	gives them to fn in commit order, each once: op STATE_OP_BAN (the
 *	ban's row as it is now: until is past when it was lifted since) or
 *	STATE_OP_LIFT (addr, prefix_len, at: an unban), node naming the
 *	node; the number given. When the events since the last one seen are
 *	not all kept any more (the node was away longer than the retention),
 *	or before its first connection, it gives every ban of the other
 *	nodes that still runs instead. state_watch_up() says whether they
 *	are followed now: 1; 0 with since (wall clock) the time the link was
 *	lost; -1 when not.
 * SECURITY
 *	Values are never made part of a query's text. Peer text was escaped
 *	and capped by its producer; readers escape it again for their
 *	output.
 * DIAGNOSTICS
 *	Writing calls log with log_warnx() naming the state and the
 *	backend's error; reading calls leave the error in state_error() for
 *	the caller to say.
 */
#ifndef FIVEFIFTY_STATE_H
#define FIVEFIFTY_STATE_H

#include <stddef.h>

struct state;
struct state_batch;

/* A file's read position: the file (device, inode), the offset after
 * the last line read, and a fingerprint of its first bytes (fp_len 0:
 * none). The tailer's struct tail_pos field for field (wire/ copies). */
struct state_filepos {
	unsigned long long dev;
	unsigned long long ino;
	unsigned long long off;
	unsigned	 fp_len;
	unsigned long long fp;
};

/* A journal's position: the cursor of the last entry read ("": none)
 * and that entry's realtime (microseconds). */
#define STATE_CURSOR_MAX	512
struct state_cursor {
	char		 cursor[STATE_CURSOR_MAX];
	unsigned long long realtime;
};

/* Where a log was read up to, stored with what its lines changed. */
struct state_pos {
	const char	*path;
	struct state_filepos pos;	/* the journal's: off is the entry's
					 * realtime (microseconds) */
	const char	*cursor;	/* the journal's; NULL for a file */
};

#define STATE_NODE_MAX	64	/* bytes of a node's name, its NUL too */

/* How the daemon opens its state (state_open_with()). */
struct state_opts {
	const char	*node;		/* NULL or "": the host name */
	const char	*local_dir;	/* the outbox and the cache (a
					 * PostgreSQL state); NULL: none */
	long long	 outbox_max;	/* bytes the outbox holds at most */
};

/* The cluster link (struct state_health's link). */
#define STATE_LINK_NONE		0	/* no outbox: a SQLite state, a
					 * command */
#define STATE_LINK_OK		1
#define STATE_LINK_DOWN		2

/* What state_health() says (status shows it). */
struct state_health {
	int		 failing;	/* the last write failed */
	long long	 failing_since;	/* wall clock (0: a one-shot command) */
	char		 reason[512];	/* path: what failed: the backend's
					 * words */
	int		 pending;	/* batches not stored yet */
	unsigned long long failures;	/* failed writes, ever */
	unsigned long long coalesced;	/* batches folded into another */
	unsigned long long dropped;	/* evidence rows and fact bytes */
	long		 retry_ms;	/* the wait before the next attempt */
	long long	 manual_stored;	/* manual actions stored, up to this
					 * number (STATE_OP_MANUAL) */
	int		 link;		/* STATE_LINK_* */
	long long	 link_down_since;	/* wall clock; 0: up */
	long long	 spooled;	/* batches in the outbox */
	long long	 spooled_bytes;
	int		 outbox_full;	/* the caller must stop reading */
	int		 on_cache;	/* opened on the cache, PostgreSQL not
					 * reached since */
};

/* A client: one address, or a prefix ("addr/len"). */
struct state_client {
	const char	*addr;
	int		 family;	/* 4 or 6 */
	int		 prefix_len;
	double		 score;		/* as of score_t */
	long long	 score_t;
	long long	 first_seen, last_seen;
	int		 bans;
	long long	 banned_until;
	long long	 last_ban;
	const void	*memory;	/* the producer's bytes; NULL: none */
	size_t		 memlen;
	int		 held;		/* STATE_BY_BAN: the running ban is
					 * held (1) or dropped (2) by the
					 * breaker; 0 */
	long long	 lifted;	/* STATE_BY_BAN: when an unban lifted
					 * the latest ban; 0: not, or not
					 * known (a state of before) */
	const char	*ban_reason;	/* STATE_BY_BAN: the latest ban's
					 * reason ("" none) */
};

/* A piece of evidence against a client. */
struct state_evidence {
	const char	*addr;
	long long	 t;
	double		 weight;
	const char	*rule;
	const char	*detail;	/* escaped, capped; "" when none */
};
#define STATE_RETENTION		(30 * 86400)	/* seconds of log time kept:
					 * evidence, facts, five-fifties */
#define STATE_ADDR_MAX		64	/* bytes of an address kept */
#define STATE_RULE_MAX		48	/* of a rule name */
#define STATE_DETAIL_MAX	96	/* of an evidence detail */
#define STATE_REASON_MAX	128	/* of a ban's reason */

/* A ban, or what happens to one (struct state_ban's op). */
#define STATE_OP_BAN		0	/* a ban decided */
#define STATE_OP_LIFT		1	/* the bans of addr end at `at` */
#define STATE_OP_HOLD		2	/* the breaker holds this ban */
#define STATE_OP_RELEASE	3	/* this held ban is enforced now */
#define STATE_OP_DROP		4	/* this ban is never enforced */
#define STATE_OP_FORGET		5	/* every held ban of addr is void */
#define STATE_OP_MANUAL		6	/* manual actions up to `at` stored */
struct state_ban {
	int		 op;		/* STATE_OP_*; read: STATE_OP_BAN */
	const char	*addr;		/* address or network */
	int		 prefix_len;
	int		 family;
	long long	 at, until;
	int		 n;		/* the n-th ban of the client */
	double		 score;
	const char	*reason;	/* the rule that tipped it */
	int		 manual;	/* an administrator's */
	int		 held;		/* read: 0 enforced, 1 held, 2 never
					 * enforced (the breaker) */
	const char	*node;		/* state_watch_bans(): the node that
					 * made it; else NULL */
	long long	 lifted;	/* state_bans_of(): when an unban
					 * lifted it; 0: not, or not known */
};

/* An open session: the producer's bytes, under its key. */
struct state_session {
	unsigned long long key;
	const void	*data;
	size_t		 len;
};

/* A report fact: n occurrences of kind in one hour, for one client. */
struct state_fact {
	const char	*kind;		/* session, message, reject, helo,
					 * sender, recipient */
	const char	*value;		/* escaped peer text; "" */
	const char	*client;
	const char	*class;		/* "" when none */
	long long	 hour;		/* log time / 3600 */
	int		 code;		/* SMTP code; 0 */
	long		 n;
	long long	 first, last;
};

/* A node of a shared state (state_nodes()). */
struct state_node {
	const char	*name;
	long long	 log_time;	/* its last write's log time */
	long		 connects, sessions, messages, rejects;	/* its facts
					 * in the hours asked */
	long long	 bans;		/* the enforced bans it decided then */
};

/* A client's first permanent rejection and the sessions after it. */
struct state_ff {
	const char	*addr;
	const char	*name;		/* escaped; "" when not verified */
	const char	*class;
	const char	*reason;	/* escaped, capped */
	long long	 first_t;
	int		 code;
	long		 retries;
	long long	 last_retry;	/* 0: none */
	long long	 last_seen;
};

/* Another node's observation (score/share.c's bytes). */
struct state_obs {
	long long	 id;		/* its number: increasing */
	const char	*node;
	const char	*addr;
	long long	 t;
	const void	*data;
	size_t		 len;
};

#define STATE_BY_LAST_SEEN	0
#define STATE_BY_BAN		1

typedef int	state_client_fn(void *, const struct state_client *);
typedef int	state_evidence_fn(void *, const struct state_evidence *);
typedef int	state_ban_fn(void *, const struct state_ban *);
typedef int	state_session_fn(void *, const struct state_session *);
typedef int	state_fact_fn(void *, const struct state_fact *);
typedef int	state_ff_fn(void *, const struct state_ff *);
typedef int	state_rule_fn(void *, const char *, long);
typedef int	state_obs_fn(void *, const struct state_obs *);
typedef int	state_node_fn(void *, const struct state_node *);
/* Count n fact logs (a batch's, oldest first) into facts, handing them
 * to emit grouped by hour and kind; -1 when memory runs out. */
typedef int	state_facts_count(void *const *, const size_t *, int,
		    state_fact_fn *, void *);

struct state *state_open(const char *, int, char *, size_t);
struct state *state_open_with(const char *, int, const struct state_opts *,
	    char *, size_t);
int	state_node_check(const char *, char *, size_t);
const char *state_node(struct state *);
int	state_exists(const char *);
#define STATE_FILE_MISSING	(-1)	/* state_file_why() */
#define STATE_FILE_DENIED	(-2)
int	state_file_why(const char *, int, const char *, char *, size_t);
int	state_is_uri(const char *);
int	state_copy(const char *, const char *, char *, size_t, long long *);
void	state_close(struct state *);
int	state_readonly(const struct state *);
const char *state_name(struct state *);
const char *state_error(const struct state *);
const char *state_shown(const char *, char *, size_t);
int	state_nodes(struct state *, long long, long long, state_node_fn *,
	    void *);
int	state_only_node(struct state *, const char *, char *, size_t);

struct state_batch *state_batch_new(void);
int	state_batch_client(struct state_batch *, const struct state_client *);
int	state_batch_evidence(struct state_batch *,
	    const struct state_evidence *);
int	state_batch_ban(struct state_batch *, const struct state_ban *);
int	state_batch_session(struct state_batch *,
	    const struct state_session *);
int	state_batch_ff(struct state_batch *, const struct state_ff *);
int	state_batch_pos(struct state_batch *, const struct state_pos *);
int	state_batch_meta(struct state_batch *, const char *, long long);
int	state_batch_facts(struct state_batch *, void *, size_t,
	    state_facts_count *);
int	state_batch_obs(struct state_batch *, const char *, long long,
	    const void *, size_t);
void	state_batch_free(struct state_batch *);
int	state_write(struct state *, struct state_batch *);
int	state_sync(struct state *);
int	state_busy(struct state *);
void	state_retry(struct state *, int);
void	state_pause(struct state *, int);
void	state_health(struct state *, struct state_health *);
int	state_prune(struct state *, long long);
int	state_prune_later(struct state *, long long);
int	state_pruning(struct state *);
int	state_wake_fd(const struct state *);
void	state_woken(struct state *);
void	state_checkpoint_idle(struct state *);

int	state_position(struct state *, const char *, struct state_filepos *);
int	state_journal_position(struct state *, const char *,
	    struct state_cursor *);
long long state_now(struct state *);
long long state_meta(struct state *, const char *, long long);
long long state_manual_seq(struct state *);
int	state_snapshot(struct state *, int);
int	state_clients(struct state *, int, state_client_fn *, void *);
int	state_clients_of(struct state *, const char *, const char *,
	    state_client_fn *, void *);
int	state_sessions(struct state *, state_session_fn *, void *);
int	state_ffs(struct state *, state_ff_fn *, void *);
int	state_facts(struct state *, long long, long long, state_fact_fn *,
	    void *);
int	state_facts_span(struct state *, long long *, long long *);
int	state_evidence(struct state *, const char *, state_evidence_fn *,
	    void *);
int	state_evidence_rules(struct state *, const char *, state_rule_fn *,
	    void *);
int	state_rejects(struct state *, const char *, long long *, long long *);
int	state_bans_of(struct state *, const char *, state_ban_fn *, void *);
int	state_bans_enforced(struct state *, state_ban_fn *, void *);
int	state_bans_running(struct state *, long long, state_ban_fn *, void *);
int	state_bans_live(struct state *, long long, state_ban_fn *, void *);
int	state_held(struct state *, long long, state_ban_fn *, void *);
int	state_shared(const struct state *);
int	state_observations(struct state *, long long, state_obs_fn *, void *);

int	state_watch_start(struct state *, char *, size_t);
int	state_watch_fd(struct state *);
int	state_watch_bans(struct state *, state_ban_fn *, void *);
int	state_watch_up(struct state *, long long *);

#endif /* FIVEFIFTY_STATE_H */

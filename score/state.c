/*	$fivefifty: state.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	state 3 - the scorer's state and the tailer's positions in SQLite
 * SYNOPSIS
 *	struct state *state_open(const char *path, int readonly, char *err,
 *		    size_t errlen);
 *	int	state_load(struct state *st, struct scorer *s);
 *	int	state_position(void *st, const char *path, struct tail_pos *p);
 *	int	state_flush(struct state *st, struct scorer *s,
 *		    const struct state_pos *pos, int npos);
 *	long long state_now(struct state *st);
 *	int	state_held(struct state *st, long long now,
 *		    int (*fn)(void *, const struct score_decision *), void *arg);
 *	long long state_manual_seq(struct state *st);
 *	void	state_pause(struct state *st, int on);
 *	void	state_close(struct state *st);
 * DESCRIPTION
 *	state_open() opens (creating it) the database in WAL mode and brings
 *	its schema up to date: PRAGMA user_version says which migrations of
 *	migrations[] have run; each runs in its own transaction. A database
 *	from a newer fivefifty is refused.
 *
 *	state_load() fills a scorer with the clients (up to max_clients,
 *	the most recently seen first) and the open sessions, and makes it
 *	track what changes. state_position() is the tailer's position store
 *	(struct tail_store's load).
 *
 *	state_flush() copies out of the scorer what changed since the last
 *	flush (clients, new evidence, new bans, open sessions, reject counts,
 *	the log time) together with the positions of the lines that produced
 *	it, and hands that batch to a writer thread, which stores it in ONE
 *	transaction while the scorer goes on (at most one batch waits). A
 *	crash at any instant leaves either all of a batch or none, and
 *	batches are stored in order, so restarting from the stored positions
 *	gives the same state as a run that was never interrupted.
 *	state_sync() waits until every batch handed over is stored; a
 *	failed write makes it, and every later flush, return -1 (the batches
 *	after it would build on what is missing). state_prune() removes
 *	evidence older than retention, once a day of log time.
 *
 *	The daemon's notes (scorer_mark()) travel with the decisions: the
 *	circuit breaker's hold of a ban is the bans row's held column, so
 *	that state_held() gives a restarted daemon the decisions still held,
 *	in order; SCORE_MARK_MANUAL stores meta manual_seq, the number of the
 *	last manual action of the daemon's spool stored, which
 *	state_manual_seq() reads at start and state_health() reports as
 *	batches are stored. state_pause() keeps the writer from starting a
 *	batch while the main thread reads the same connection (the running
 *	and held bans at start and at SIGHUP).
 *
 *	state_retry() (the daemon) makes a failed write a pause instead:
 *	the batch stays at the head of a queue and is written again after
 *	1 s, then 2, 4 ... up to 60 s (STATE_BACKOFF_MAX_MS), until it is
 *	stored; later flushes queue behind it, in order, and state_flush()
 *	does not wait for a failing writer. The queue holds at most
 *	STATE_PENDING_MAX batches; beyond it the newest two are coalesced
 *	into one: the latest positions, sessions and meta values, every
 *	client and five-fifty once (its latest row), every ban and unban,
 *	and the evidence and report facts appended up to STATE_PENDING_EV
 *	rows and STATE_PENDING_FACTS bytes (beyond those they are dropped and
 *	counted: explain and the reports lose them, no decision does). SQLite
 *	waits STATE_BUSY_MS for a lock before a write counts as failed.
 *	state_health() says whether writes fail, since when and why, and how
 *	many batches wait.
 * SECURITY
 *	Every value goes through bind parameters; no SQL text is ever built
 *	from data. Peer text in evidence details was escaped and capped by
 *	the rules.
 * DIAGNOSTICS
 *	Functions return -1 and log with log_warnx() (naming the database
 *	and the SQLite error) when the database fails; the caller keeps its
 *	in-memory state and may retry. With state_retry(), a failing writer
 *	logs when it starts failing, when the reason changes and when it
 *	resumes, not at each attempt. state_open() fills err with the path,
 *	the reason and what to do on every failure.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "score_int.h"
#include "util/util.h"

#define SESSION_BLOB_VERSION	4	/* 3: without the AUTH and 5xx
					 * counts (SESSION_V3_BYTES) */
#define EV_BATCH		32	/* evidence rows per INSERT */
#define CLIENT_BLOB_VERSION	4	/* packed: only the entries in use;
					 * 3: without the slow-abuse counts */
_Static_assert(offsetof(struct session, sasl_lines) ==
    offsetof(struct session, passed) + sizeof(int),
    "version 3 sessions end with passed");
#define STATE_BUSY_MS		5000	/* lock wait, commands and scan */
#define STATE_BUSY_MS_RETRY	1000	/* lock wait of a retrying writer */
#define STATE_BACKOFF_MS	1000	/* first retry of a failed write */
#define STATE_BACKOFF_MAX_MS	60000	/* retries at most this far apart */
#define STATE_PENDING_MAX	8	/* batches queued before coalescing */
#define STATE_PENDING_EV	32768	/* evidence rows a coalesced batch
					 * keeps (184 bytes each) */
#define STATE_PENDING_FACTS	(4 << 20)	/* fact bytes it keeps */

struct batch;

struct state {
	sqlite3		*db;
	int		 readonly;
	char		*path;
	/* The writer thread and its queue: head is the one being written
	 * (busy) or retried; one batch waits unless retry is set. */
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cv;
	struct batch	*head, *tail;
	int		 npending;
	int		 threaded, busy, quit, failed;
	int		 retry;		/* state_retry(): failures wait */
	int		 paused;	/* state_pause(): the main thread reads */
	int		 last_try;	/* closing: the attempts made */
	long long	 fail_since;	/* wall clock; 0: writes succeed */
	long		 backoff_ms;
	char		 fail_reason[256];
	unsigned long long failures, coalesced, dropped_ev, dropped_facts;
	sqlite3_stmt	*put_client, *put_ev, *put_ban, *put_pos, *get_pos;
	sqlite3_stmt	*get_cursor;
	sqlite3_stmt	*lift_ban, *set_held;
	long long	 manual_stored;	/* SCORE_MARK_MANUAL stored, highest */
	sqlite3_stmt	*put_session, *del_sessions, *put_meta;
	sqlite3_stmt	*put_evs;	/* EV_BATCH rows at once */
	sqlite3_stmt	*put_fact;
	sqlite3_stmt	*put_ff;
	double		 retention;
	struct factset	 fs;		/* the writer's, for counting facts */
};

/* The schema, one migration per step; user_version counts them. */
static const char *const migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE clients ("
	"  addr TEXT PRIMARY KEY,"		/* address or network/len */
	"  family INTEGER NOT NULL,"
	"  prefix_len INTEGER NOT NULL,"
	"  score REAL NOT NULL,"		/* as of score_t */
	"  score_t INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  bans INTEGER NOT NULL,"
	"  banned_until INTEGER NOT NULL,"
	"  last_ban INTEGER NOT NULL,"
	"  memory BLOB"			/* what the rules remember */
	") WITHOUT ROWID;"
	"CREATE TABLE evidence ("
	"  id INTEGER PRIMARY KEY,"
	"  addr TEXT NOT NULL,"
	"  t INTEGER NOT NULL,"
	"  weight REAL NOT NULL,"
	"  rule TEXT NOT NULL,"
	"  detail TEXT NOT NULL"
	");"
	/* No index: explain scans the table (it is pruned to the retention
	 * period), and every evidence row inserted is one B-tree write
	 * instead of two. */
	"CREATE TABLE bans ("
	"  id INTEGER PRIMARY KEY,"
	"  addr TEXT NOT NULL,"
	"  prefix_len INTEGER NOT NULL,"
	"  family INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  until INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"		/* the n-th ban of this client */
	"  score REAL NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  manual INTEGER NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX bans_addr ON bans(addr, at);"
	"CREATE INDEX bans_until ON bans(until);"
	"CREATE TABLE sessions (key INTEGER PRIMARY KEY, data BLOB NOT NULL);"
	"CREATE TABLE positions ("
	"  path TEXT PRIMARY KEY,"
	"  dev INTEGER NOT NULL, ino INTEGER NOT NULL, off INTEGER NOT NULL,"
	"  fp_len INTEGER NOT NULL, fp INTEGER NOT NULL"
	");"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value);"
	/* Enforced rejects by HELO, sender and unknown recipient, per day,
	 * client and class: what the reports read. Values are escaped. */
	"CREATE TABLE reject_counts ("
	"  kind TEXT NOT NULL,"		/* helo, sender, recipient */
	"  value TEXT NOT NULL,"
	"  day INTEGER NOT NULL,"		/* log time / 86400 */
	"  client TEXT NOT NULL,"
	"  class TEXT NOT NULL,"
	"  rejects INTEGER NOT NULL,"
	"  first INTEGER NOT NULL,"
	"  last INTEGER NOT NULL,"
	"  PRIMARY KEY (kind, value, day, client, class)"
	") WITHOUT ROWID;",
	/* 2: what the reports read, per hour (facts.c says what each kind
	 * counts), and each client's first permanent rejection. Each flush
	 * appends one row per hour and kind holding its facts as a JSON
	 * array: a row per fact cost scan a third of its speed (about 5 us
	 * each, and there are a quarter million per 200 MB of log). The
	 * view activity_rows shows them as rows; the reports add up rows of
	 * the same key. The day counts of version 1 become counts at the
	 * day's first hour. */
	"CREATE TABLE activity ("
	"  hour INTEGER NOT NULL,"		/* log time / 3600 */
	"  kind TEXT NOT NULL,"		/* session, message, reject,
					 * helo, sender, recipient */
	"  rows INTEGER NOT NULL,"
	"  data TEXT NOT NULL"		/* JSON: [[value, client, class,
					 * code, n, first, last], ...] */
	");"
	"CREATE INDEX activity_hour ON activity(hour);"
	/* One row per fact (rows of one key from several flushes add up). */
	"CREATE VIEW activity_rows AS SELECT a.hour AS hour, a.kind AS kind,"
	"  j.value ->> 0 AS value, j.value ->> 1 AS client,"
	"  j.value ->> 2 AS class, j.value ->> 3 AS code, j.value ->> 4 AS n,"
	"  j.value ->> 5 AS first, j.value ->> 6 AS last"
	"  FROM activity AS a, json_each(a.data) AS j;"
	"INSERT INTO activity SELECT day * 24, kind, count(*),"
	"  json_group_array(json_array(value, client, class, 0, rejects,"
	"  first, last)) FROM reject_counts GROUP BY day, kind;"
	"DROP TABLE reject_counts;"
	"CREATE TABLE fivefifties ("
	"  addr TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL,"		/* escaped; '' when not verified */
	"  first_t INTEGER NOT NULL,"		/* first permanent rejection */
	"  code INTEGER NOT NULL,"
	"  class TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"		/* escaped, capped */
	"  retries INTEGER NOT NULL,"		/* sessions after it, nothing
						 * accepted */
	"  last_retry INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL"
	") WITHOUT ROWID;",
	/* 3: what the daemon's circuit breaker did with an automatic ban:
	 * 0 enforced, 1 held (enforced when the ban rate allows: a restart
	 * holds it again), 2 never enforced (the hold was full, or an unban
	 * or a manual ban made it void). */
	"ALTER TABLE bans ADD COLUMN held INTEGER NOT NULL DEFAULT 0;",
	/* 4: the journal's position is a cursor (its row: path "journal:"
	 * and the source, off the entry's realtime in microseconds). */
	"ALTER TABLE positions ADD COLUMN cursor TEXT;",
};
#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

static int	mem_unpack(struct client_mem *, const unsigned char *, size_t);
static struct batch *batch_next(const struct batch *);
static void	batch_free(struct batch *);
static int	put_factset(struct state *, const struct factset *);
static int	put_meta(struct state *, const char *, long long);
static long long get_meta(struct state *, const char *, long long);
static void	*writer(void *);

/* The last failure of this thread, and whether it is logged (the
 * retrying writer says it once, in its own words). */
static _Thread_local char	why[256];
static _Thread_local int	quiet;

/* fail - log an SQLite error, naming the database; -1 */
static int
fail(struct state *st, const char *what)
{
	snprintf(why, sizeof(why), "%s: %s", what, sqlite3_errmsg(st->db));
	if (!quiet)
		log_warnx("state database %s: %s", st->path, why);
	return (-1);
}

/* exec - run SQL without results */
static int
exec(struct state *st, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(why, sizeof(why), "%s", msg != NULL ? msg :
		    sqlite3_errmsg(st->db));
		if (!quiet)
			log_warnx("state database %s: %s", st->path, why);
		sqlite3_free(msg);
		return (-1);
	}
	return (0);
}

/* user_version - the schema's version into *v; -1 (and why) if the
 * file cannot be read, or is of a newer fivefifty */
static int
user_version(struct state *st, int *v, char *err, size_t errlen)
{
	sqlite3_stmt	*q;
	int		 rc;

	*v = 0;
	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) !=
	    SQLITE_OK)
		return (fail(st, "read the schema version"));
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		*v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return (fail(st, "read the schema version"));
	if (*v > NMIGRATIONS) {
		snprintf(err, errlen, "the state database is of schema %d, "
		    "newer than this fivefifty knows (%d)", *v, NMIGRATIONS);
		return (-1);
	}
	return (0);
}

/* migrate_check - a read-only database: readable, and made by a
 * fivefifty that this one can read */
static int
migrate_check(struct state *st, char *err, size_t errlen)
{
	int	v;

	if (user_version(st, &v, err, errlen) == -1)
		return (-1);
	if (v == 0) {
		snprintf(err, errlen, "not a fivefifty state (no schema)");
		return (-1);
	}
	return (0);
}

/* migrate - bring the schema up to NMIGRATIONS */
static int
migrate(struct state *st, char *err, size_t errlen)
{
	char		 sql[64];
	int		 v, i;

	if (user_version(st, &v, err, errlen) == -1)
		return (-1);
	for (i = v; i < NMIGRATIONS; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (exec(st, "BEGIN IMMEDIATE") == -1 ||
		    exec(st, migrations[i]) == -1 || exec(st, sql) == -1 ||
		    exec(st, "COMMIT") == -1) {
			snprintf(err, errlen, "schema migration %d failed: %s",
			    i + 1, why);
			(void)exec(st, "ROLLBACK");
			return (-1);
		}
	}
	return (0);
}

/* prep - prepare one statement */
static int
prep(struct state *st, sqlite3_stmt **q, const char *sql)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
		return (fail(st, sql));
	return (0);
}

/* prep_batch - the INSERT of EV_BATCH evidence rows */
static int
prep_batch(struct state *st)
{
	char	sql[64 + EV_BATCH * 16];
	size_t	n;
	int	i;

	n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO evidence (addr, t, "
	    "weight, rule, detail) VALUES ");
	for (i = 0; i < EV_BATCH; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s(?,?,?,?,?)",
		    i ? "," : "");
	return (prep(st, &st->put_evs, sql));
}

/* open_fail - err: the path, the reason and what to do; NULL */
static struct state *
open_fail(struct state *st, const char *path, const char *reason,
    char *err, size_t errlen)
{
	const char	*todo;

	if (strstr(reason, "locked") != NULL || strstr(reason, "busy") !=
	    NULL)
		todo = "another process holds it locked: try again when it is "
		    "done";
	else if (strstr(reason, "not a database") != NULL ||
	    strstr(reason, "malformed") != NULL ||
	    strstr(reason, "newer") != NULL)
		todo = "check state_db or --db; move the damaged file aside "
		    "and run fivefifty scan to build a new one";
	else
		todo = "check state_db or --db, its directory, permissions and "
		    "free space";
	snprintf(err, errlen, "%s: %s (%s)", path, reason, todo);
	state_close(st);
	return (NULL);
}

/* state_open - open or create the database, migrated, in WAL mode */
struct state *
state_open(const char *path, int readonly, char *err, size_t errlen)
{
	struct state	*st;
	char		 reason[512];
	int		 flags;

	err[0] = '\0';
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		if (st != NULL)
			free(st);
		snprintf(err, errlen, "%s: out of memory", path);
		return (NULL);
	}
	st->retention = 30 * 86400;
	st->readonly = readonly;
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK)
		return (open_fail(st, path, st->db != NULL ?
		    sqlite3_errmsg(st->db) : "cannot open", err, errlen));
	sqlite3_busy_timeout(st->db, STATE_BUSY_MS);
	reason[0] = '\0';
	why[0] = '\0';
	quiet = 1;	/* said once, in err */
	if (!readonly && (exec(st, "PRAGMA journal_mode = WAL") == -1 ||
	    exec(st, "PRAGMA synchronous = NORMAL") == -1 ||
	    exec(st, "PRAGMA cache_size = -8192") == -1 ||
	    migrate(st, reason, sizeof(reason)) == -1)) {
		quiet = 0;
		if (reason[0] == '\0')
			snprintf(reason, sizeof(reason), "%s", why[0] != '\0' ?
			    why : "cannot set up");
		return (open_fail(st, path, reason, err, errlen));
	}
	/* Read-only: the schema is read now, so that a damaged file is
	 * said here, with its path, and not by the first query. */
	if (readonly && (migrate_check(st, reason, sizeof(reason)) == -1 ||
	    prep(st, &st->get_pos, "SELECT dev, ino, off, fp_len, fp FROM "
	    "positions WHERE path = ?") == -1)) {
		quiet = 0;
		if (reason[0] == '\0')
			snprintf(reason, sizeof(reason), "%s", why[0] != '\0' ?
			    why : "cannot read");
		return (open_fail(st, path, reason, err, errlen));
	}
	quiet = 0;
	if (readonly)
		return (st);
	/* A second core stores while the first scores, when SQLite may be
	 * used from two threads (serialized mode). */
	if (sqlite3_threadsafe() != 0) {
		pthread_condattr_t ca;

		pthread_mutex_init(&st->mtx, NULL);
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&st->cv, &ca);
		pthread_condattr_destroy(&ca);
		if (pthread_create(&st->thread, NULL, writer, st) == 0)
			st->threaded = 1;
	}
	if (prep(st, &st->put_client, "INSERT INTO clients "
	    "(addr, family, prefix_len, score, score_t, first_seen, "
	    "last_seen, bans, banned_until, last_ban, memory) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (addr) DO UPDATE SET "
	    "score = excluded.score, score_t = excluded.score_t, "
	    "last_seen = excluded.last_seen, bans = excluded.bans, "
	    "banned_until = excluded.banned_until, "
	    "last_ban = excluded.last_ban, memory = excluded.memory") == -1 ||
	    prep(st, &st->put_ev, "INSERT INTO evidence (addr, t, weight, "
	    "rule, detail) VALUES (?,?,?,?,?)") == -1 ||
	    prep_batch(st) == -1 ||
	    prep(st, &st->put_fact, "INSERT INTO activity (hour, kind, rows, "
	    "data) VALUES (?,?,?,?)") == -1 ||
	    prep(st, &st->put_ff, "INSERT OR REPLACE INTO fivefifties (addr, "
	    "name, first_t, code, class, reason, retries, last_retry, "
	    "last_seen) VALUES (?,?,?,?,?,?,?,?,?)") == -1 ||
	    prep(st, &st->put_ban, "INSERT INTO bans (addr, prefix_len, "
	    "family, at, until, n, score, reason, manual) VALUES "
	    "(?,?,?,?,?,?,?,?,?)") == -1 ||
	    prep(st, &st->lift_ban, "UPDATE bans SET until = ?1 WHERE addr = "
	    "?2 AND prefix_len = ?3 AND until > ?1") == -1 ||
	    prep(st, &st->set_held, "UPDATE bans SET held = ?1 WHERE addr = "
	    "?2 AND prefix_len = ?3 AND manual = 0 AND (held = ?4 OR ?4 = -1) "
	    "AND (?5 = 0 OR until = ?5)") == -1 ||
	    prep(st, &st->put_pos, "INSERT OR REPLACE INTO positions (path, "
	    "dev, ino, off, fp_len, fp, cursor) VALUES (?,?,?,?,?,?,?)") ==
	    -1 ||
	    prep(st, &st->get_pos, "SELECT dev, ino, off, fp_len, fp FROM "
	    "positions WHERE path = ?") == -1 ||
	    prep(st, &st->put_session, "INSERT INTO sessions (key, data) "
	    "VALUES (?,?)") == -1 ||
	    prep(st, &st->del_sessions, "DELETE FROM sessions") == -1 ||
	    prep(st, &st->put_meta, "INSERT OR REPLACE INTO meta (key, value) "
	    "VALUES (?,?)") == -1) {
		return (open_fail(st, path, why[0] != '\0' ? why :
		    "cannot prepare statements", err, errlen));
	}
	st->manual_stored = get_meta(st, "manual_seq", 0);
	return (st);
}

/* state_db - the connection, for the read-only queries of list/explain */
sqlite3 *
state_db(struct state *st)
{
	return (st->db);
}

/* state_close - store what is pending, stop the writer, close */
void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	if (st->threaded) {
		(void)state_sync(st);
		pthread_mutex_lock(&st->mtx);
		st->quit = 1;
		pthread_cond_broadcast(&st->cv);
		pthread_mutex_unlock(&st->mtx);
		pthread_join(st->thread, NULL);
		pthread_mutex_destroy(&st->mtx);
		pthread_cond_destroy(&st->cv);
	}
	if (st->head != NULL)
		log_warnx("state database %s: %d batches were not stored (%s): "
		    "the lines after the stored positions are read again at the "
		    "next start, and the daemon's bans and unbans made by hand "
		    "since then are applied again from its spool", st->path,
		    st->npending, st->fail_reason);
	while (st->head != NULL) {
		struct batch *b = st->head;

		st->head = batch_next(b);
		batch_free(b);
	}
	sqlite3_finalize(st->put_client);
	sqlite3_finalize(st->put_ev);
	sqlite3_finalize(st->put_ban);
	sqlite3_finalize(st->lift_ban);
	sqlite3_finalize(st->set_held);
	sqlite3_finalize(st->put_pos);
	sqlite3_finalize(st->get_pos);
	sqlite3_finalize(st->get_cursor);
	sqlite3_finalize(st->put_session);
	sqlite3_finalize(st->del_sessions);
	sqlite3_finalize(st->put_meta);
	sqlite3_finalize(st->put_evs);
	sqlite3_finalize(st->put_fact);
	sqlite3_finalize(st->put_ff);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/* state_position - the stored position of path (tail_store's load) */
int
state_position(void *arg, const char *path, struct tail_pos *p)
{
	struct state	*st = arg;
	int		 rc;

	sqlite3_reset(st->get_pos);
	sqlite3_bind_text(st->get_pos, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(st->get_pos);
	if (rc == SQLITE_ROW) {
		p->dev = (unsigned long long)sqlite3_column_int64(st->get_pos, 0);
		p->ino = (unsigned long long)sqlite3_column_int64(st->get_pos, 1);
		p->off = (unsigned long long)sqlite3_column_int64(st->get_pos, 2);
		p->fp_len = (unsigned)sqlite3_column_int(st->get_pos, 3);
		p->fp = (unsigned long long)sqlite3_column_int64(st->get_pos, 4);
	}
	sqlite3_reset(st->get_pos);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (fail(st, "read position"));
	return (rc == SQLITE_ROW);
}

/* state_journal_position - the stored journal position of key: 1 and
 * p filled, 0 when there is none (or the state predates cursors), -1 on
 * error */
int
state_journal_position(struct state *st, const char *key,
    struct journal_pos *p)
{
	const unsigned char *c;
	int		 rc;

	memset(p, 0, sizeof(*p));
	/* Prepared when first asked: a read-only state of schema 3 has no
	 * cursor column, and so no journal position. */
	if (st->get_cursor == NULL && sqlite3_prepare_v2(st->db, "SELECT off, "
	    "cursor FROM positions WHERE path = ? AND cursor IS NOT NULL", -1,
	    &st->get_cursor, NULL) != SQLITE_OK) {
		st->get_cursor = NULL;
		if (strstr(sqlite3_errmsg(st->db), "no such column") != NULL)
			return (0);
		return (fail(st, "read the journal position"));
	}
	sqlite3_reset(st->get_cursor);
	sqlite3_bind_text(st->get_cursor, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st->get_cursor);
	if (rc == SQLITE_ROW && (c = sqlite3_column_text(st->get_cursor, 1))
	    != NULL && strlen((const char *)c) < sizeof(p->cursor)) {
		p->realtime = (unsigned long long)sqlite3_column_int64(
		    st->get_cursor, 0);
		snprintf(p->cursor, sizeof(p->cursor), "%s", c);
	} else if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;	/* not one we wrote */
	sqlite3_reset(st->get_cursor);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (fail(st, "read the journal position"));
	return (rc == SQLITE_ROW);
}

/* get_meta - one meta value, or dflt */
static long long
get_meta(struct state *st, const char *key, long long dflt)
{
	sqlite3_stmt	*q;
	long long	 v = dflt;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &q, NULL) != SQLITE_OK)
		return (dflt);
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return (v);
}

/* state_held - hand fn the automatic bans the daemon's breaker held and
 * that still run at now, oldest decision first; how many, or -1 */
int
state_held(struct state *st, long long now, int (*fn)(void *,
    const struct score_decision *), void *arg)
{
	struct score_decision d;
	sqlite3_stmt	*q;
	int		 rc, n = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT addr, prefix_len, family, at, "
	    "until, n, score, reason FROM bans WHERE held = 1 AND manual = 0 "
	    "AND until > ? ORDER BY id", -1, &q, NULL) != SQLITE_OK)
		return (fail(st, "read the held bans"));
	sqlite3_bind_int64(q, 1, now);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		snprintf(d.addr, sizeof(d.addr), "%s", (const char *)
		    sqlite3_column_text(q, 0));
		d.prefix_len = sqlite3_column_int(q, 1);
		d.family = sqlite3_column_int(q, 2);
		d.at = sqlite3_column_int64(q, 3);
		d.until = sqlite3_column_int64(q, 4);
		d.ban_count = sqlite3_column_int(q, 5);
		d.score = sqlite3_column_double(q, 6);
		snprintf(d.reason, sizeof(d.reason), "%s", (const char *)
		    sqlite3_column_text(q, 7));
		if (net_parse(d.addr, &d.net) == 0)	/* carried parsed */
			net_mask(&d.net, d.prefix_len);
		n++;
		if (fn(arg, &d) == -1)
			break;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return (fail(st, "read the held bans"));
	return (n);
}

/* state_manual_seq - the number of the last manual action stored (the
 * daemon's spool of manual bans and unbans; 0: none), or -1 (logged)
 * when the state cannot be read */
long long
state_manual_seq(struct state *st)
{
	sqlite3_stmt	*q;
	long long	 v = 0;
	int		 rc;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = "
	    "'manual_seq'", -1, &q, NULL) != SQLITE_OK)
		return (fail(st, "read manual_seq"));
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (fail(st, "read manual_seq"));
	return (v);
}

/* state_now - the log time of the last flush (0: none yet) */
long long
state_now(struct state *st)
{
	return (get_meta(st, "log_time", 0));
}

/* state_load - clients and open sessions into the scorer */
int
state_load(struct state *st, struct scorer *s)
{
	sqlite3_stmt	*q;
	struct client	*c;
	struct session	*ss;
	const void	*blob;
	size_t		 n = 0;
	int		 rc;

	s->now = state_now(st);
	s->next_session = (uint32_t)get_meta(st, "next_session", 0);
	s->rng = (unsigned long long)get_meta(st, "rng", (long long)s->rng);
	if (prep(st, &q, "SELECT addr, prefix_len, score, score_t, "
	    "first_seen, last_seen, bans, banned_until, last_ban, memory "
	    "FROM clients ORDER BY last_seen DESC") == -1)
		return (-1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW &&
	    n < s->conf.max_clients) {
		const char *addr = (const char *)sqlite3_column_text(q, 0);
		int plen = sqlite3_column_int(q, 1);
		char host[PF_ADDR_MAX], *slash;

		snprintf(host, sizeof(host), "%s", addr != NULL ? addr : "");
		if ((slash = strchr(host, '/')) != NULL)
			*slash = '\0';
		if ((c = client_get(s, host, slash != NULL ? plen : -1,
		    sqlite3_column_int64(q, 5))) == NULL)
			continue;
		c->score = sqlite3_column_double(q, 2);
		c->score_t = sqlite3_column_int64(q, 3);
		c->first_seen = sqlite3_column_int64(q, 4);
		c->last_seen = sqlite3_column_int64(q, 5);
		c->bans = sqlite3_column_int(q, 6);
		c->banned_until = sqlite3_column_int64(q, 7);
		c->last_ban = sqlite3_column_int64(q, 8);
		blob = sqlite3_column_blob(q, 9);
		if (blob != NULL && client_mem(s, c) != NULL &&
		    (mem_unpack(c->m, blob, (size_t)sqlite3_column_bytes(q,
		    9)) == -1 || (!client_mem_used(c->m) &&
		    c->m->accept_n[0] == 0)))
			client_forget(s, c);	/* nothing remembered */
		n++;
	}
	sqlite3_finalize(q);
	if (prep(st, &q, "SELECT data FROM sessions") == -1)
		return (-1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t bytes = (size_t)sqlite3_column_bytes(q, 0);
		blob = sqlite3_column_blob(q, 0);
		/* Version 3 is version 4 without its last fields. */
		if (blob == NULL || !((bytes == sizeof(*ss) + 1 &&
		    *(const unsigned char *)blob == SESSION_BLOB_VERSION) ||
		    (bytes == SESSION_V3_BYTES + 1 &&
		    *(const unsigned char *)blob == 3)) ||
		    (ss = calloc(1, sizeof(*ss))) == NULL)
			continue;
		memcpy(ss, (const char *)blob + 1, bytes - 1);
		if (bytes == SESSION_V3_BYTES + 1)	/* its end padding */
			ss->sasl_lines = 0;
		session_insert(s, ss);	/* oldest first: their order */
		if (ss->id > s->next_session)
			s->next_session = ss->id;	/* an older state */
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return (fail(st, "load sessions"));
	if (prep(st, &q, "SELECT addr, name, first_t, code, class, reason, "
	    "retries, last_retry, last_seen FROM fivefifties") == -1)
		return (-1);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct score_ff r;
		r.addr = (const char *)sqlite3_column_text(q, 0);
		r.name = (const char *)sqlite3_column_text(q, 1);
		r.first_t = sqlite3_column_int64(q, 2);
		r.code = sqlite3_column_int(q, 3);
		r.class = (const char *)sqlite3_column_text(q, 4);
		r.reason = (const char *)sqlite3_column_text(q, 5);
		r.retries = (long)sqlite3_column_int64(q, 6);
		r.last_retry = sqlite3_column_int64(q, 7);
		r.last_seen = sqlite3_column_int64(q, 8);
		if (r.addr == NULL || r.name == NULL || r.reason == NULL)
			continue;
		(void)ff_put(s, &r);
	}
	sqlite3_finalize(q);
	s->track = !st->readonly;	/* nothing to write: keep nothing */
	s->facts_on = s->track;
	s->defer = s->track;	/* the writer counts them */
	return (rc == SQLITE_DONE ? 0 : fail(st, "load"));
}

/* step - run a bound statement once */
static int
step(struct state *st, sqlite3_stmt *q, const char *what)
{
	int	rc = sqlite3_step(q);

	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return (rc == SQLITE_DONE ? 0 : fail(st, what));
}

/* pack - put n bytes at *w */
static void
pack(unsigned char **w, const void *p, size_t n)
{
	memcpy(*w, p, n);
	*w += n;
}

/* unpack - take n bytes from *r if the blob has them; -1 if not */
static int
unpack(const unsigned char **r, const unsigned char *end, void *p, size_t n)
{
	if ((size_t)(end - *r) < n)
		return (-1);
	memcpy(p, *r, n);
	*r += n;
	return (0);
}

/* tally_ok - a tally read back: an empty one, or one with a slot length */
static int
tally_ok(const struct tally *tl)
{
	static const struct tally none;

	return (tl->width > 0 || memcmp(tl, &none, sizeof(none)) == 0);
}

/* mem_pack - the rules' memory of a client, only the entries in use */
static size_t
mem_pack(const struct client_mem *m, unsigned char *blob)
{
	static const struct client_mem none;
	unsigned char	*w = blob;
	int		 nacc;

	if (m == NULL)
		m = &none;	/* nothing remembered */
	*w++ = CLIENT_BLOB_VERSION;
	for (nacc = 0; nacc < ACCEPT_KEEP && m->accept_n[nacc] != 0; nacc++)
		continue;
	pack(&w, &m->nattempts, sizeof(int));
	pack(&w, &m->nunknown, sizeof(int));
	pack(&w, &nacc, sizeof(int));
	pack(&w, &m->nmembers, sizeof(int));
	pack(&w, m->attempts, (size_t)m->nattempts * sizeof(m->attempts[0]));
	pack(&w, m->unknown, (size_t)m->nunknown * sizeof(m->unknown[0]));
	pack(&w, m->unknown_t, (size_t)m->nunknown * sizeof(m->unknown_t[0]));
	pack(&w, m->accept_t, (size_t)nacc * sizeof(m->accept_t[0]));
	pack(&w, m->accept_n, (size_t)nacc * sizeof(m->accept_n[0]));
	pack(&w, m->members, (size_t)m->nmembers * sizeof(m->members[0]));
	/* Version 4: which tallies follow (bits 0-2), then them and the
	 * times and count of the slow-abuse rules. */
	*w = (unsigned char)((m->sasl.width != 0) | (m->psv.width != 0) << 1 |
	    (m->burst.width != 0) << 2);
	w++;
	if (m->sasl.width != 0)
		pack(&w, &m->sasl, sizeof(m->sasl));
	if (m->psv.width != 0)
		pack(&w, &m->psv, sizeof(m->psv));
	if (m->burst.width != 0)
		pack(&w, &m->burst, sizeof(m->burst));
	pack(&w, &m->auth_ok_t, sizeof(m->auth_ok_t));
	pack(&w, &m->own_5xx_t, sizeof(m->own_5xx_t));
	pack(&w, &m->listed_bans, sizeof(m->listed_bans));
	return ((size_t)(w - blob));
}

/* mem_unpack - the reverse; -1 for a blob that does not fit */
static int
mem_unpack(struct client_mem *m, const unsigned char *r, size_t len)
{
	const unsigned char *end = r + len;
	unsigned char	 v, have = 0;
	int		 nacc;

	memset(m, 0, sizeof(*m));
	if (len < 1 || ((v = *r++) != CLIENT_BLOB_VERSION && v != 3) ||
	    unpack(&r, end, &m->nattempts, sizeof(int)) == -1 ||
	    unpack(&r, end, &m->nunknown, sizeof(int)) == -1 ||
	    unpack(&r, end, &nacc, sizeof(int)) == -1 ||
	    unpack(&r, end, &m->nmembers, sizeof(int)) == -1 ||
	    m->nattempts < 0 || m->nattempts > ATTEMPTS_KEEP ||
	    m->nunknown < 0 || m->nunknown > UNKNOWN_KEEP || nacc < 0 ||
	    nacc > ACCEPT_KEEP || m->nmembers < 0 ||
	    m->nmembers > PREFIX_MEMBERS ||
	    unpack(&r, end, m->attempts, (size_t)m->nattempts *
	    sizeof(m->attempts[0])) == -1 ||
	    unpack(&r, end, m->unknown, (size_t)m->nunknown *
	    sizeof(m->unknown[0])) == -1 ||
	    unpack(&r, end, m->unknown_t, (size_t)m->nunknown *
	    sizeof(m->unknown_t[0])) == -1 ||
	    unpack(&r, end, m->accept_t, (size_t)nacc *
	    sizeof(m->accept_t[0])) == -1 ||
	    unpack(&r, end, m->accept_n, (size_t)nacc *
	    sizeof(m->accept_n[0])) == -1 ||
	    unpack(&r, end, m->members, (size_t)m->nmembers *
	    sizeof(m->members[0])) == -1 ||
	    (v >= 4 && (unpack(&r, end, &have, 1) == -1 ||
	    ((have & 1) && unpack(&r, end, &m->sasl, sizeof(m->sasl)) == -1) ||
	    ((have & 2) && unpack(&r, end, &m->psv, sizeof(m->psv)) == -1) ||
	    ((have & 4) && unpack(&r, end, &m->burst, sizeof(m->burst)) ==
	    -1) ||
	    unpack(&r, end, &m->auth_ok_t, sizeof(m->auth_ok_t)) == -1 ||
	    unpack(&r, end, &m->own_5xx_t, sizeof(m->own_5xx_t)) == -1 ||
	    unpack(&r, end, &m->listed_bans, sizeof(m->listed_bans)) ==
	    -1 || !tally_ok(&m->sasl) || !tally_ok(&m->psv) ||
	    !tally_ok(&m->burst)))) {
		memset(m, 0, sizeof(*m));
		return (-1);
	}
	return (0);
}

/* A flush's worth of state, copied out of the scorer so that the writer
 * thread can store it while the scorer goes on. */
struct crow {
	char		 addr[PF_ADDR_MAX];
	int		 family, prefix_len, bans;
	double		 score;
	long long	 score_t, first_seen, last_seen, banned_until, last_ban;
	size_t		 bloblen;
	unsigned char	 blob[sizeof(struct client_mem) + 32];
};

struct batch {
	struct crow	*clients;
	size_t		 nclients;
	struct pending_ev *ev;
	size_t		 nev;
	struct score_decision *bans;
	size_t		 nbans;
	unsigned char	*sessions;	/* nsessions blobs of SESSION_BLOB */
	size_t		 nsessions;
	struct fact_log	 flog;		/* the facts, to count */
	struct ff	*ffs;		/* copies of the changed entries */
	size_t		 nffs;
	struct state_pos *pos;
	char		**paths;
	int		 npos;
	long long	 now, next_session, rng;
	struct batch	*next;		/* the writer's queue */
};

/* batch_next - the batch queued after b */
static struct batch *
batch_next(const struct batch *b)
{
	return (b->next);
}

#define SESSION_BLOB	(sizeof(struct session) + 1)

/* batch_free - release a batch */
static void
batch_free(struct batch *b)
{
	size_t		 n;
	int		 k;

	if (b == NULL)
		return;
	for (n = 0; n < b->nffs; n++)
		free(b->ffs[n].text);
	free(b->ffs);
	free(b->flog.p);
	for (k = 0; k < b->npos; k++)
		free(b->paths[k]);
	free(b->paths);
	free(b->pos);
	free(b->clients);
	free(b->ev);
	free(b->bans);
	free(b->sessions);
	free(b);
}

/* batch_make - copy out (or take over) what changed since the last flush,
 * and reset the scorer's pending lists */
static struct batch *
batch_make(struct scorer *s, const struct state_pos *pos, int npos)
{
	struct batch	*b;
	struct client	*c, *next;
	struct ff	*e, *next_ff;
	struct session	*ss, copy;
	size_t		 n, i;
	int		 k;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return (NULL);
	for (n = 0, c = s->dirty; c != NULL; c = c->dirty_next)
		n++;
	b->clients = calloc(n + 1, sizeof(*b->clients));
	b->sessions = calloc(s->nsessions + 1, SESSION_BLOB);
	b->bans = calloc(s->ndecisions - s->decisions_saved + 1,
	    sizeof(*b->bans));
	b->pos = calloc((size_t)npos + 1, sizeof(*b->pos));
	b->paths = calloc((size_t)npos + 1, sizeof(*b->paths));
	if (b->clients == NULL || b->sessions == NULL || b->bans == NULL ||
	    b->pos == NULL || b->paths == NULL) {
		batch_free(b);
		return (NULL);
	}
	for (c = s->dirty; c != NULL; c = c->dirty_next) {
		struct crow *r = &b->clients[b->nclients++];
		snprintf(r->addr, sizeof(r->addr), "%s", c->addr);
		r->family = c->family;
		r->prefix_len = c->prefix_len;
		r->bans = c->bans;
		r->score = c->score;
		r->score_t = c->score_t;
		r->first_seen = c->first_seen;
		r->last_seen = c->last_seen;
		r->banned_until = c->banned_until;
		r->last_ban = c->last_ban;
		r->bloblen = mem_pack(c->m, r->blob);
	}
	for (ss = s->oldest; ss != NULL; ss = ss->newer) {
		unsigned char *blob = b->sessions + b->nsessions++ *
		    SESSION_BLOB;
		memcpy(&copy, ss, sizeof(copy));	/* padding too */
		copy.next = copy.older = copy.newer = NULL;
		blob[0] = SESSION_BLOB_VERSION;
		memcpy(blob + 1, &copy, sizeof(copy));
	}
	for (i = s->decisions_saved; i < s->ndecisions; i++)
		b->bans[b->nbans++] = s->decisions[i];
	for (k = 0; k < npos; k++) {
		size_t	 pl = strlen(pos[k].path) + 1;
		size_t	 cl = pos[k].cursor != NULL ? strlen(pos[k].cursor) +
		    1 : 0;

		b->pos[k] = pos[k];
		/* The path and the cursor, one allocation. */
		if ((b->paths[k] = malloc(pl + cl)) == NULL) {
			batch_free(b);
			return (NULL);
		}
		memcpy(b->paths[k], pos[k].path, pl);
		if (cl > 0)
			memcpy(b->paths[k] + pl, pos[k].cursor, cl);
		b->pos[k].path = b->paths[k];
		b->pos[k].cursor = cl > 0 ? b->paths[k] + pl : NULL;
		b->npos++;
	}
	/* Evidence and facts change hands: no copy. */
	b->ev = s->pev;
	b->nev = s->npev;
	s->pev = NULL;
	s->npev = s->pev_cap = 0;
	b->flog = s->flog;
	memset(&s->flog, 0, sizeof(s->flog));
	for (e = s->ff_dirty; e != NULL; e = e->dirty_next)
		b->nffs++;
	if (b->nffs > 0 && (b->ffs = calloc(b->nffs, sizeof(*b->ffs))) ==
	    NULL) {
		batch_free(b);
		return (NULL);
	}
	for (i = 0, e = s->ff_dirty; e != NULL; e = next_ff, i++) {
		next_ff = e->dirty_next;
		b->ffs[i] = *e;
		/* Its own copy of the text: the scorer may replace it. */
		if ((b->ffs[i].text = malloc(e->textlen)) == NULL) {
			b->nffs = i;
			batch_free(b);
			return (NULL);
		}
		memcpy(b->ffs[i].text, e->text, e->textlen);
		b->ffs[i].r.addr = b->ffs[i].text;
		b->ffs[i].r.name = b->ffs[i].text + (e->r.name - e->text);
		b->ffs[i].r.reason = b->ffs[i].text + (e->r.reason - e->text);
	}
	for (e = s->ff_dirty; e != NULL; e = next_ff) {
		next_ff = e->dirty_next;
		e->dirty = 0;
		e->dirty_next = NULL;
	}
	s->ff_dirty = NULL;
	s->nff_dirty = 0;
	b->now = s->now;
	b->next_session = (long long)s->next_session;
	b->rng = (long long)s->rng;
	for (c = s->dirty; c != NULL; c = next) {
		next = c->dirty_next;
		c->dirty = 0;
		c->dirty_next = NULL;
	}
	s->dirty = NULL;
	s->ndirty = 0;
	s->decisions_saved = s->ndecisions;
	return (b);
}

/* put_mark - a note of the daemon's (SCORE_MARK_*): a ban's breaker
 * state, or the manual actions stored */
static int
put_mark(struct state *st, const struct score_decision *d)
{
	/* From which held value to which, and whether the row is the
	 * one ending at d->until (else: every held row of the network). */
	static const struct {
		int	from, to, one;
	} how[] = {
		[SCORE_MARK_HELD] = { 0, 1, 1 },
		[SCORE_MARK_RELEASED] = { 1, 0, 1 },
		[SCORE_MARK_DROPPED] = { -1, 2, 1 },	/* held or not */
		[SCORE_MARK_FORGOTTEN] = { 1, 2, 0 },
	};
	sqlite3_stmt	*q = st->set_held;

	if (d->mark == SCORE_MARK_MANUAL)
		return (put_meta(st, "manual_seq", d->at));
	if (d->mark < SCORE_MARK_HELD || d->mark > SCORE_MARK_FORGOTTEN)
		return (0);
	sqlite3_bind_int(q, 1, how[d->mark].to);
	sqlite3_bind_text(q, 2, d->addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, d->prefix_len);
	sqlite3_bind_int(q, 4, how[d->mark].from);
	sqlite3_bind_int64(q, 5, how[d->mark].one ? d->until : 0);
	return (step(st, q, "note the breaker's hold"));
}

/* put_meta - one meta value */
static int
put_meta(struct state *st, const char *key, long long v)
{
	sqlite3_bind_text(st->put_meta, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st->put_meta, 2, v);
	return (step(st, st->put_meta, key));
}

/* A growing text buffer (the JSON of the facts; stdio was a tenth of
 * scan's time here). */
struct buf {
	char		*p;
	size_t		 len, cap;
};

/* buf_room - room for n more bytes; -1 when memory runs out */
static int
buf_room(struct buf *b, size_t n)
{
	char	*p;
	size_t	 cap;

	if (b->len + n <= b->cap)
		return (0);
	cap = b->cap ? b->cap : 65536;
	while (cap < b->len + n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL)
		return (-1);
	b->p = p;
	b->cap = cap;
	return (0);
}

/* json_str - a JSON string (the values are escaped peer text already:
 * only quotes, backslashes and controls need care) */
static int
json_str(struct buf *b, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t		 n = strlen(v);

	if (buf_room(b, n * 6 + 2) == -1)
		return (-1);
	b->p[b->len++] = '"';
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			b->p[b->len++] = '\\';
			b->p[b->len++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(b->p + b->len, "\\u00", 4);
			b->p[b->len + 4] = hex[*p >> 4];
			b->p[b->len + 5] = hex[*p & 15];
			b->len += 6;
		} else
			b->p[b->len++] = (char)*p;
	}
	b->p[b->len++] = '"';
	return (0);
}

/* put_int - a number in decimal (room for 21 bytes is the caller's) */
static void
put_int(struct buf *b, long long v)
{
	char			 d[24];
	unsigned long long	 u;
	int			 n = 0;

	if (v < 0) {
		b->p[b->len++] = '-';
		u = 0ULL - (unsigned long long)v;
	} else
		u = (unsigned long long)v;
	do
		d[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	while (n > 0)
		b->p[b->len++] = d[--n];
}

/* by_hour_kind - facts in (hour, kind) order */
static int
by_hour_kind(const void *a, const void *b)
{
	const struct fact *x = *(const struct fact *const *)a;
	const struct fact *y = *(const struct fact *const *)b;

	if (x->hour != y->hour)
		return (x->hour < y->hour ? -1 : 1);
	return (x->kindno - y->kindno);
}

/* put_facts - the batch's facts, counted here (on the writer's thread),
 * one activity row per hour and kind */
static int
put_facts(struct state *st, const struct batch *b)
{
	int	rc;

	facts_replay(&st->fs, &b->flog);
	rc = put_factset(st, &st->fs);
	factset_free(&st->fs);
	return (rc);
}

/* put_factset - a set of facts, one activity row per hour and kind */
static int
put_factset(struct state *st, const struct factset *b)
{
	const struct fact **v, *f;
	sqlite3_stmt	*q = st->put_fact;
	struct buf	 out = { NULL, 0, 0 };
	size_t		 n = 0, i, j;
	int		 rc = 0;

	if ((n = b->n) == 0)
		return (0);
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return (fail(st, "facts: out of memory"));
	for (i = 0, n = 0; i < b->slots; i++)
		for (f = b->facts[i]; f != NULL; f = f->next)
			v[n++] = f;
	qsort(v, n, sizeof(*v), by_hour_kind);
	for (i = 0; i < n && rc == 0; i = j) {
		out.len = 0;
		rc = buf_room(&out, 1);
		if (rc == 0)
			out.p[out.len++] = '[';
		for (j = i; rc == 0 && j < n && v[j]->hour == v[i]->hour &&
		    by_hour_kind(&v[j], &v[i]) == 0; j++) {
			f = v[j];
			if (buf_room(&out, 2) == -1) {
				rc = -1;
				break;
			}
			if (j > i)
				out.p[out.len++] = ',';
			out.p[out.len++] = '[';
			if (json_str(&out, f->value) == -1 ||
			    buf_room(&out, 1) == -1 ||
			    (out.p[out.len++] = ',', json_str(&out,
			    f->client)) == -1 || buf_room(&out, 1) == -1 ||
			    (out.p[out.len++] = ',', json_str(&out,
			    f->class)) == -1 || buf_room(&out, 100) == -1) {
				rc = -1;
				break;
			}
			out.p[out.len++] = ',';
			put_int(&out, f->code);
			out.p[out.len++] = ',';
			put_int(&out, f->n);
			out.p[out.len++] = ',';
			put_int(&out, f->first);
			out.p[out.len++] = ',';
			put_int(&out, f->last);
			out.p[out.len++] = ']';
		}
		if (rc == 0 && buf_room(&out, 1) == 0)
			out.p[out.len++] = ']';
		else {
			rc = fail(st, "facts: out of memory");
			break;
		}
		sqlite3_bind_int64(q, 1, v[i]->hour);
		sqlite3_bind_text(q, 2, v[i]->kind, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)(j - i));
		sqlite3_bind_text(q, 4, out.p, (int)out.len, SQLITE_STATIC);
		rc = step(st, q, "write facts");
	}
	free(out.p);
	free(v);
	return (rc);
}

/* batch_write - one batch, one transaction */
static int
batch_write(struct state *st, const struct batch *b)
{
	const struct ff	*ffe;
	sqlite3_stmt	*q;
	char		 saved[sizeof(why)];
	size_t		 i;
	int		 k;

	if (exec(st, "BEGIN IMMEDIATE") == -1)
		return (-1);
	for (i = 0; i < b->nclients; i++) {
		const struct crow *r = &b->clients[i];
		q = st->put_client;
		sqlite3_bind_text(q, 1, r->addr, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, r->family);
		sqlite3_bind_int(q, 3, r->prefix_len);
		sqlite3_bind_double(q, 4, r->score);
		sqlite3_bind_int64(q, 5, r->score_t);
		sqlite3_bind_int64(q, 6, r->first_seen);
		sqlite3_bind_int64(q, 7, r->last_seen);
		sqlite3_bind_int(q, 8, r->bans);
		sqlite3_bind_int64(q, 9, r->banned_until);
		sqlite3_bind_int64(q, 10, r->last_ban);
		sqlite3_bind_blob(q, 11, r->blob, (int)r->bloblen,
		    SQLITE_STATIC);
		if (step(st, q, "write client") == -1)
			goto fail;
	}
	for (i = 0; i < b->nev; ) {
		/* Full batches in one statement, the rest row by row. */
		int rows = b->nev - i >= EV_BATCH ? EV_BATCH : 1, j;
		q = rows == EV_BATCH ? st->put_evs : st->put_ev;
		for (j = 0; j < rows; j++, i++) {
			const struct pending_ev *e = &b->ev[i];
			sqlite3_bind_text(q, j * 5 + 1, e->addr, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int64(q, j * 5 + 2, e->e.t);
			sqlite3_bind_double(q, j * 5 + 3, e->e.weight);
			sqlite3_bind_text(q, j * 5 + 4, e->e.rule, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(q, j * 5 + 5, e->e.detail, -1,
			    SQLITE_STATIC);
		}
		if (step(st, q, "write evidence") == -1)
			goto fail;
	}
	for (i = 0; i < b->nbans; i++) {
		const struct score_decision *d = &b->bans[i];
		if (d->mark != 0) {
			if (put_mark(st, d) == -1)
				goto fail;
			continue;
		}
		if (d->lift) {		/* an unban: its rows end now */
			q = st->lift_ban;
			sqlite3_bind_int64(q, 1, d->at);
			sqlite3_bind_text(q, 2, d->addr, -1, SQLITE_STATIC);
			sqlite3_bind_int(q, 3, d->prefix_len);
			if (step(st, q, "lift ban") == -1)
				goto fail;
			continue;
		}
		q = st->put_ban;
		sqlite3_bind_text(q, 1, d->addr, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 2, d->prefix_len);
		sqlite3_bind_int(q, 3, d->family);
		sqlite3_bind_int64(q, 4, d->at);
		sqlite3_bind_int64(q, 5, d->until);
		sqlite3_bind_int(q, 6, d->ban_count);
		sqlite3_bind_double(q, 7, d->score);
		sqlite3_bind_text(q, 8, d->reason, -1, SQLITE_STATIC);
		sqlite3_bind_int(q, 9, d->manual);
		if (step(st, q, "write ban") == -1)
			goto fail;
	}
	/* The open sessions replace the last flush's. */
	if (step(st, st->del_sessions, "clear sessions") == -1)
		goto fail;
	for (i = 0; i < b->nsessions; i++) {
		const unsigned char *blob = b->sessions + i * SESSION_BLOB;
		struct session ss;
		memcpy(&ss, blob + 1, sizeof(ss));
		sqlite3_bind_int64(st->put_session, 1, (sqlite3_int64)ss.key);
		sqlite3_bind_blob(st->put_session, 2, blob, (int)SESSION_BLOB,
		    SQLITE_STATIC);
		if (step(st, st->put_session, "write session") == -1)
			goto fail;
	}
	if (put_facts(st, b) == -1)
		goto fail;
	for (i = 0; i < b->nffs; i++) {
		ffe = &b->ffs[i];
		q = st->put_ff;
		sqlite3_bind_text(q, 1, ffe->r.addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, ffe->r.name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 3, ffe->r.first_t);
		sqlite3_bind_int(q, 4, ffe->r.code);
		sqlite3_bind_text(q, 5, ffe->r.class, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, ffe->r.reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 7, ffe->r.retries);
		sqlite3_bind_int64(q, 8, ffe->r.last_retry);
		sqlite3_bind_int64(q, 9, ffe->r.last_seen);
		if (step(st, q, "write five-fifties") == -1)
			goto fail;
	}
	for (k = 0; k < b->npos; k++) {
		q = st->put_pos;
		sqlite3_bind_text(q, 1, b->pos[k].path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)b->pos[k].pos.dev);
		sqlite3_bind_int64(q, 3, (sqlite3_int64)b->pos[k].pos.ino);
		sqlite3_bind_int64(q, 4, (sqlite3_int64)b->pos[k].pos.off);
		sqlite3_bind_int(q, 5, (int)b->pos[k].pos.fp_len);
		sqlite3_bind_int64(q, 6, (sqlite3_int64)b->pos[k].pos.fp);
		if (b->pos[k].cursor != NULL)
			sqlite3_bind_text(q, 7, b->pos[k].cursor, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(q, 7);
		if (step(st, q, "write position") == -1)
			goto fail;
	}
	/* What makes a resumed run the same as an uninterrupted one. */
	if (put_meta(st, "log_time", b->now) == -1 ||
	    put_meta(st, "next_session", b->next_session) == -1 ||
	    put_meta(st, "rng", b->rng) == -1)
		goto fail;
	if (exec(st, "COMMIT") == -1)
		goto fail;
	return (0);
fail:
	snprintf(saved, sizeof(saved), "%s", why);
	if (sqlite3_get_autocommit(st->db) == 0)
		(void)exec(st, "ROLLBACK");
	snprintf(why, sizeof(why), "%s", saved);	/* what failed */
	return (-1);
}

/* wall_now - the wall clock, for what status shows */
static long long
wall_now(void)
{
	return ((long long)time(NULL));
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
		    "what else uses the database", st->path, reason,
		    st->npending, st->backoff_ms / 1000,
		    STATE_BACKOFF_MAX_MS / 1000);
	} else if (changed)
		log_warnx("state database %s: still cannot store the state: "
		    "%s; %d batches kept", st->path, reason, st->npending);
	pthread_cond_broadcast(&st->cv);	/* state_flush need not wait */
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

/* write_stored - the head batch is stored: off the queue; say when
 * writes resume. With the lock held. */
static void
write_stored(struct state *st)
{
	struct batch	*b = st->head;
	size_t		 i;

	for (i = 0; i < b->nbans; i++)
		if (b->bans[i].mark == SCORE_MARK_MANUAL &&
		    b->bans[i].at > st->manual_stored)
			st->manual_stored = b->bans[i].at;
	if ((st->head = b->next) == NULL)
		st->tail = NULL;
	st->npending--;
	batch_free(b);
	if (st->fail_since != 0) {
		log_info("state database %s: the state is stored again after "
		    "%lld s (%d batches still to store)", st->path, wall_now() -
		    st->fail_since, st->npending);
		st->fail_since = 0;
	}
	st->backoff_ms = 0;
}

/* writer - the thread that stores batches, one at a time, in order */
static void *
writer(void *arg)
{
	struct state	*st = arg;
	int		 r;

	pthread_mutex_lock(&st->mtx);
	for (;;) {
		while ((st->head == NULL || st->paused) && !st->quit)
			pthread_cond_wait(&st->cv, &st->mtx);
		if (st->head == NULL)
			break;
		/* Closing with a failing writer: one last attempt, no more
		 * waiting. */
		if (st->quit && st->fail_since != 0 && st->last_try++ > 0)
			break;
		st->busy = 1;
		pthread_mutex_unlock(&st->mtx);
		quiet = st->retry;	/* said once, by write_failed() */
		why[0] = '\0';
		r = st->failed ? -1 : batch_write(st, st->head);
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
		pthread_cond_broadcast(&st->cv);
	}
	pthread_mutex_unlock(&st->mtx);
	return (NULL);
}

/* state_pause - on: the writer starts no batch, and the one it is
 * storing is finished (at most a lock wait), so that the main thread may
 * read the connection without seeing half a transaction; off: it goes
 * on. Never with a state_sync() in between. */
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
	while ((st->head != NULL || st->busy) && st->fail_since == 0)
		pthread_cond_wait(&st->cv, &st->mtx);
	r = st->failed || st->fail_since != 0 ? -1 : 0;
	pthread_mutex_unlock(&st->mtx);
	return (r);
}

/* by_addr - crow or ff pointers by address */
static int
by_addr(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* in_sorted - is addr among the n sorted addresses */
static int
in_sorted(const char **v, size_t n, const char *addr)
{
	return (n > 0 && bsearch(&addr, v, n, sizeof(*v), by_addr) != NULL);
}

/* batch_merge - fold b (newer) into a, keeping what a restart needs;
 * b is freed. -1 (both unchanged) when memory runs out. */
static int
batch_merge(struct state *st, struct batch *a, struct batch *b)
{
	const char	**keys = NULL;
	struct crow	*cl;
	struct ff	*ffs = NULL;
	struct pending_ev *ev;
	struct score_decision *bans;
	size_t		 i, n, keep, drop, pad;

	n = b->nclients > b->nffs ? b->nclients : b->nffs;
	if ((keys = calloc(n + 1, sizeof(*keys))) == NULL ||
	    (cl = calloc(a->nclients + b->nclients + 1, sizeof(*cl))) ==
	    NULL) {
		free(keys);
		return (-1);
	}
	if ((a->nffs + b->nffs > 0 && (ffs = calloc(a->nffs + b->nffs,
	    sizeof(*ffs))) == NULL) || (bans = realloc(a->bans,
	    (a->nbans + b->nbans + 1) * sizeof(*bans))) == NULL) {
		free(keys);
		free(cl);
		free(ffs);
		return (-1);
	}
	a->bans = bans;
	/* Every ban and unban, in order. */
	memcpy(a->bans + a->nbans, b->bans, b->nbans * sizeof(*bans));
	a->nbans += b->nbans;
	/* Each client once: b's row where both have one. */
	for (i = 0; i < b->nclients; i++)
		keys[i] = b->clients[i].addr;
	qsort(keys, b->nclients, sizeof(*keys), by_addr);
	for (i = 0, n = 0; i < a->nclients; i++)
		if (!in_sorted(keys, b->nclients, a->clients[i].addr))
			cl[n++] = a->clients[i];
	memcpy(cl + n, b->clients, b->nclients * sizeof(*cl));
	free(a->clients);
	a->clients = cl;
	a->nclients = n + b->nclients;
	/* Each five-fifty once, likewise. */
	for (i = 0; i < b->nffs; i++)
		keys[i] = b->ffs[i].r.addr;
	qsort(keys, b->nffs, sizeof(*keys), by_addr);
	for (i = 0, n = 0; i < a->nffs; i++) {
		if (!in_sorted(keys, b->nffs, a->ffs[i].r.addr))
			ffs[n++] = a->ffs[i];
		else
			free(a->ffs[i].text);	/* b's copy replaces it */
	}
	if (b->nffs > 0)
		memcpy(ffs + n, b->ffs, b->nffs * sizeof(*ffs));
	free(a->ffs);
	a->ffs = ffs;
	a->nffs = n + b->nffs;
	free(b->ffs);			/* its texts now belong to a */
	b->ffs = NULL;
	b->nffs = 0;
	free(keys);
	/* Evidence appended, the oldest dropped beyond the cap. */
	if (a->nev + b->nev > 0 && (ev = realloc(a->ev, (a->nev + b->nev) *
	    sizeof(*ev))) != NULL) {
		a->ev = ev;
		if (b->nev > 0)
			memcpy(a->ev + a->nev, b->ev, b->nev * sizeof(*ev));
		a->nev += b->nev;
	} else
		st->dropped_ev += b->nev;
	if (a->nev > STATE_PENDING_EV) {
		drop = a->nev - STATE_PENDING_EV;
		memmove(a->ev, a->ev + drop, STATE_PENDING_EV * sizeof(*a->ev));
		a->nev = STATE_PENDING_EV;
		st->dropped_ev += drop;
	}
	/* Facts appended (records are 8-byte aligned), up to the cap. */
	pad = (8 - a->flog.len % 8) % 8;
	keep = a->flog.len + pad + b->flog.len;
	if (b->flog.len > 0 && keep <= STATE_PENDING_FACTS) {
		char *p = a->flog.cap >= keep ? a->flog.p : realloc(a->flog.p,
		    keep);

		if (p != NULL) {
			memset(p + a->flog.len, 0, pad);
			memcpy(p + a->flog.len + pad, b->flog.p, b->flog.len);
			a->flog.p = p;
			a->flog.len = keep;
			a->flog.cap = a->flog.cap > keep ? a->flog.cap : keep;
		} else
			st->dropped_facts += b->flog.len;
	} else if (b->flog.len > 0)
		st->dropped_facts += b->flog.len;
	/* The latest of the rest: sessions, positions, meta. */
	free(a->sessions);
	a->sessions = b->sessions;
	a->nsessions = b->nsessions;
	b->sessions = NULL;
	for (i = 0; i < (size_t)a->npos; i++)
		free(a->paths[i]);
	free(a->paths);
	free(a->pos);
	a->pos = b->pos;
	a->paths = b->paths;
	a->npos = b->npos;
	b->pos = NULL;
	b->paths = NULL;
	b->npos = 0;
	a->now = b->now;
	a->next_session = b->next_session;
	a->rng = b->rng;
	st->coalesced++;
	batch_free(b);
	return (0);
}

/* state_busy - would state_flush() wait now: the writer is at one
 * batch with another waiting, and writes do not fail */
int
state_busy(struct state *st)
{
	int		busy;

	if (!st->threaded)
		return (0);
	pthread_mutex_lock(&st->mtx);
	busy = st->fail_since == 0 && !st->failed && st->npending >= 2;
	pthread_mutex_unlock(&st->mtx);
	return (busy);
}

/* state_flush - hand what changed since the last flush, with the
 * positions, to the writer: it becomes one transaction */
int
state_flush(struct state *st, struct scorer *s, const struct state_pos *pos,
    int npos)
{
	struct batch	*b, *p;
	int		 r;

	if ((b = batch_make(s, pos, npos)) == NULL) {
		log_warnx("state database %s: out of memory for a flush",
		    st->path);
		if (!st->retry)
			st->failed = 1;
		return (-1);
	}
	if (!st->threaded) {
		r = batch_write(st, b);
		batch_free(b);
		if (r == -1)
			st->failed = 1;
		return (r);
	}
	pthread_mutex_lock(&st->mtx);
	/* One batch waits while the writer works: a slow writer slows the
	 * reader (a flood's batches must not pile up in memory). While
	 * writes fail (state_retry()) the reader goes on: up to
	 * STATE_PENDING_MAX batches, then they are coalesced. */
	while (st->fail_since == 0 && !st->failed && st->npending >= 2)
		pthread_cond_wait(&st->cv, &st->mtx);
	if (st->failed) {
		pthread_mutex_unlock(&st->mtx);
		batch_free(b);
		return (-1);
	}
	if (st->npending >= STATE_PENDING_MAX && st->tail != NULL &&
	    st->tail != st->head) {
		/* Full: into the newest batch the writer is not at. */
		if (batch_merge(st, st->tail, b) == 0) {
			pthread_mutex_unlock(&st->mtx);
			return (0);
		}
		log_warnx("state database %s: out of memory coalescing "
		    "batches: %d kept", st->path, st->npending + 1);
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

/* state_retry - failed writes are retried (the daemon); see
 * DESCRIPTION */
void
state_retry(struct state *st, int on)
{
	st->retry = on;
	sqlite3_busy_timeout(st->db, on ? STATE_BUSY_MS_RETRY : STATE_BUSY_MS);
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
		snprintf(h->reason, sizeof(h->reason), "%s: %s", st->path,
		    st->fail_reason[0] != '\0' ? st->fail_reason :
		    "a write failed");
	h->failing = st->fail_since != 0 || st->failed;
	h->pending = st->npending;
	h->failures = st->failures;
	h->coalesced = st->coalesced;
	h->dropped = st->dropped_ev + st->dropped_facts;
	h->retry_ms = st->backoff_ms;
	h->manual_stored = st->manual_stored;
	if (st->threaded)
		pthread_mutex_unlock(&st->mtx);
}

/* state_prune - evidence older than retention before log time now; at
 * most once a day of log time (it scans the evidence table) */
int
state_prune(struct state *st, long long now)
{
	sqlite3_stmt	*q;
	int		 rc;

	if (state_sync(st) == -1)
		return (-1);
	if (get_meta(st, "pruned_day", -1) == now / 86400)
		return (0);
	if (exec(st, "BEGIN IMMEDIATE") == -1)
		return (-1);
	if (put_meta(st, "pruned_day", now / 86400) == -1) {
		(void)exec(st, "ROLLBACK");
		return (-1);
	}
	if (prep(st, &q, "DELETE FROM evidence WHERE t < ?") == -1)
		return (-1);
	sqlite3_bind_int64(q, 1, now - (long long)st->retention);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		(void)exec(st, "ROLLBACK");
		return (fail(st, "prune"));
	}
	if (prep(st, &q, "DELETE FROM activity WHERE hour < ?") == -1)
		return (-1);
	sqlite3_bind_int64(q, 1, (now - (long long)st->retention) / 3600);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		(void)exec(st, "ROLLBACK");
		return (fail(st, "prune activity"));
	}
	if (prep(st, &q, "DELETE FROM fivefifties WHERE last_seen < ?") == -1)
		return (-1);
	sqlite3_bind_int64(q, 1, now - (long long)st->retention);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		(void)exec(st, "ROLLBACK");
		return (fail(st, "prune five-fifties"));
	}
	return (exec(st, "COMMIT"));
}

/*	$fivefifty: sqlite_open.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	sqlite_open 3 - the state in a SQLite file: open, schema, migrations
 * SYNOPSIS
 *	const struct state_ops state_sqlite_ops;
 *	int	sq_fail(struct sq *q, const char *what);
 *	int	sq_exec(struct sq *q, const char *sql);
 *	int	sq_prep(struct sq *q, sqlite3_stmt **s, const char *sql);
 *	int	sq_step(struct sq *q, sqlite3_stmt *s, const char *what);
 *	int	sq_rfail(struct sq *q);
 *	const char *sq_text(sqlite3_stmt *s, int col);
 * DESCRIPTION
 *	The backend's open (sq_open) opens (creating it) the database in
 *	WAL mode and brings its schema up to date: PRAGMA user_version says
 *	which migrations of migrations[] have run; each runs in its own
 *	transaction. A database from a newer fivefifty is refused, and so is,
 *	read-only, a file without a schema. It prepares the statements the
 *	writes use. SQLite waits STATE_BUSY_MS for a lock before a write
 *	counts as failed (STATE_BUSY_MS_RETRY for a retrying writer: the
 *	queue retries it).
 *
 *	sq_fail() notes SQLite's error for what in the thread's sq_why (and
 *	logs it unless sq_quiet), sq_exec() runs SQL without results,
 *	sq_prep() prepares a statement, sq_step() runs a bound one once;
 *	each -1 on failure. sq_rfail() notes a reading call's failure for
 *	state_error(); sq_text() is a text column, "" for NULL.
 *
 *	Before the first open, SQLite's memory statistics are turned off
 *	(SQLITE_CONFIG_MEMSTATUS): they take one mutex of the whole library
 *	on each of its allocations, from the writer thread and the owner's
 *	alike, and nothing here reads them.
 * SECURITY
 *	Every value goes through bind parameters; no SQL text is ever built
 *	from data.
 * DIAGNOSTICS
 *	The open fills err with the path, the reason and what to do on
 *	every failure.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlite_int.h"
#include "util/util.h"

_Thread_local char	sq_why[256];
_Thread_local int	sq_quiet;

static pthread_once_t	library_once = PTHREAD_ONCE_INIT;

/* library_setup - SQLite's memory statistics off, before its first use
 * (later, sqlite3_config() refuses, and they stay: slower, not wrong);
 * with 50,000 offenders at once the writer's CPU fell by 7-8 % */
static void
library_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

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
	/* 5 (wt-ansstate): when an unban lifted a ban (0: it was not), so
	 * that list and explain say "unbanned" and not "banned until" the
	 * unban's time. */
	"ALTER TABLE bans ADD COLUMN lifted INTEGER NOT NULL DEFAULT 0;",
};
#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

/* sq_fail - note (and log) an SQLite error, naming the database; -1 */
int
sq_fail(struct sq *q, const char *what)
{
	snprintf(sq_why, sizeof(sq_why), "%s: %s", what, sqlite3_errmsg(q->db));
	if (!sq_quiet)
		log_warnx("state database %s: %s", q->path, sq_why);
	return (-1);
}

/* sq_rfail - a reading call failed: SQLite's words for state_error() */
int
sq_rfail(struct sq *q)
{
	snprintf(q->err, sizeof(q->err), "%s", sqlite3_errmsg(q->db));
	return (-1);
}

/* sq_exec - run SQL without results */
int
sq_exec(struct sq *q, const char *sql)
{
	char	*msg = NULL;

	if (sqlite3_exec(q->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(sq_why, sizeof(sq_why), "%s", msg != NULL ? msg :
		    sqlite3_errmsg(q->db));
		if (!sq_quiet)
			log_warnx("state database %s: %s", q->path, sq_why);
		sqlite3_free(msg);
		return (-1);
	}
	return (0);
}

/* sq_prep - prepare one statement */
int
sq_prep(struct sq *q, sqlite3_stmt **s, const char *sql)
{
	if (sqlite3_prepare_v2(q->db, sql, -1, s, NULL) != SQLITE_OK)
		return (sq_fail(q, sql));
	return (0);
}

/* sq_step - run a bound statement once */
int
sq_step(struct sq *q, sqlite3_stmt *s, const char *what)
{
	int	rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return (rc == SQLITE_DONE ? 0 : sq_fail(q, what));
}

/* sq_text - a text column, "" for NULL */
const char *
sq_text(sqlite3_stmt *s, int col)
{
	const char	*t = (const char *)sqlite3_column_text(s, col);

	return (t != NULL ? t : "");
}

/* user_version - the schema's version into q->version; -1 (and why) if
 * the file cannot be read, or is of a newer fivefifty */
static int
user_version(struct sq *q, char *err, size_t errlen)
{
	sqlite3_stmt	*s;
	int		 rc;

	q->version = 0;
	if (sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK)
		return (sq_fail(q, "read the schema version"));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		q->version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return (sq_fail(q, "read the schema version"));
	return (state_schema_known(q->version, NMIGRATIONS, err, errlen));
}

/* migrate_check - a read-only database: readable, and made by a
 * fivefifty that this one can read */
static int
migrate_check(struct sq *q, char *err, size_t errlen)
{
	if (user_version(q, err, errlen) == -1)
		return (-1);
	if (q->version == 0) {
		snprintf(err, errlen, "not a fivefifty state (no schema)");
		return (-1);
	}
	return (0);
}

/* migrate - bring the schema up to NMIGRATIONS */
static int
migrate(struct sq *q, char *err, size_t errlen)
{
	char		 sql[64];
	int		 i;

	if (user_version(q, err, errlen) == -1)
		return (-1);
	for (i = q->version; i < NMIGRATIONS; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		if (sq_exec(q, "BEGIN IMMEDIATE") == -1 ||
		    sq_exec(q, migrations[i]) == -1 || sq_exec(q, sql) == -1 ||
		    sq_exec(q, "COMMIT") == -1) {
			snprintf(err, errlen, "schema migration %d failed: %s",
			    i + 1, sq_why);
			(void)sq_exec(q, "ROLLBACK");
			return (-1);
		}
	}
	q->version = NMIGRATIONS;
	return (0);
}

/* prep_batch - the INSERT of EV_BATCH evidence rows */
static int
prep_batch(struct sq *q)
{
	char	sql[64 + EV_BATCH * 16];
	size_t	n;
	int	i;

	n = (size_t)snprintf(sql, sizeof(sql), "INSERT INTO evidence (addr, t, "
	    "weight, rule, detail) VALUES ");
	for (i = 0; i < EV_BATCH; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s(?,?,?,?,?)",
		    i ? "," : "");
	return (sq_prep(q, &q->put_evs, sql));
}

/* prep_writes - the statements a write uses */
static int
prep_writes(struct sq *q)
{
	return (sq_prep(q, &q->put_client, "INSERT INTO clients "
	    "(addr, family, prefix_len, score, score_t, first_seen, "
	    "last_seen, bans, banned_until, last_ban, memory) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (addr) DO UPDATE SET "
	    "score = excluded.score, score_t = excluded.score_t, "
	    "last_seen = excluded.last_seen, bans = excluded.bans, "
	    "banned_until = excluded.banned_until, "
	    "last_ban = excluded.last_ban, memory = excluded.memory") == -1 ||
	    sq_prep(q, &q->put_ev, "INSERT INTO evidence (addr, t, weight, "
	    "rule, detail) VALUES (?,?,?,?,?)") == -1 ||
	    prep_batch(q) == -1 ||
	    sq_prep(q, &q->put_fact, "INSERT INTO activity (hour, kind, rows, "
	    "data) VALUES (?,?,?,?)") == -1 ||
	    sq_prep(q, &q->put_ff, "INSERT OR REPLACE INTO fivefifties (addr, "
	    "name, first_t, code, class, reason, retries, last_retry, "
	    "last_seen) VALUES (?,?,?,?,?,?,?,?,?)") == -1 ||
	    sq_prep(q, &q->put_ban, "INSERT INTO bans (addr, prefix_len, "
	    "family, at, until, n, score, reason, manual) VALUES "
	    "(?,?,?,?,?,?,?,?,?)") == -1 ||
	    sq_prep(q, &q->lift_ban, "UPDATE bans SET until = ?1, lifted = ?1 "
	    "WHERE addr = ?2 AND prefix_len = ?3 AND until > ?1") == -1 ||
	    sq_prep(q, &q->set_held, "UPDATE bans SET held = ?1 WHERE addr = "
	    "?2 AND prefix_len = ?3 AND manual = 0 AND (held = ?4 OR ?4 = -1) "
	    "AND (?5 = 0 OR until = ?5)") == -1 ||
	    sq_prep(q, &q->put_pos, "INSERT OR REPLACE INTO positions (path, "
	    "dev, ino, off, fp_len, fp, cursor) VALUES (?,?,?,?,?,?,?)") ==
	    -1 ||
	    sq_prep(q, &q->put_session, "INSERT INTO sessions (key, data) "
	    "VALUES (?,?)") == -1 ||
	    sq_prep(q, &q->del_sessions, "DELETE FROM sessions") == -1 ||
	    sq_prep(q, &q->put_meta, "INSERT OR REPLACE INTO meta (key, value) "
	    "VALUES (?,?)") == -1 ? -1 : 0);
}

/* sq_close - finalize the statements, close the connection */
static void
sq_close(void *be)
{
	struct sq	*q = be;

	if (q == NULL)
		return;
	sqlite3_finalize(q->put_client);
	sqlite3_finalize(q->put_ev);
	sqlite3_finalize(q->put_ban);
	sqlite3_finalize(q->lift_ban);
	sqlite3_finalize(q->set_held);
	sqlite3_finalize(q->put_pos);
	sqlite3_finalize(q->get_pos);
	sqlite3_finalize(q->get_cursor);
	sqlite3_finalize(q->put_session);
	sqlite3_finalize(q->del_sessions);
	sqlite3_finalize(q->put_meta);
	sqlite3_finalize(q->put_evs);
	sqlite3_finalize(q->put_fact);
	sqlite3_finalize(q->put_ff);
	sqlite3_close(q->db);
	free(q->path);
	free(q);
}

/* open_fail - err: the path, the reason and what to do; NULL */
static void *
open_fail(struct sq *q, const char *path, const char *reason,
    char *err, size_t errlen)
{
	const char	*todo;

	if (strstr(reason, "locked") != NULL || strstr(reason, "busy") !=
	    NULL)
		todo = "another process holds it locked: try again when it is "
		    "done";
	else if (strstr(reason, "newer") != NULL)
		todo = "a newer fivefifty wrote it: use that one, or check "
		    "state_db or --db; move the file aside and run fivefifty "
		    "scan to build a new one";
	else if (strstr(reason, "not a database") != NULL ||
	    strstr(reason, "malformed") != NULL)
		todo = "check state_db or --db; move the damaged file aside "
		    "and run fivefifty scan to build a new one";
	else if (state_file_why(path, q->readonly, NULL, err, errlen) != 0) {
		/* Not there, or not this user's: said so, not SQLite's
		 * "unable to open database file". */
		sq_close(q);
		return (NULL);
	} else
		todo = "check state_db or --db, its directory, permissions and "
		    "free space";
	snprintf(err, errlen, "%s: %s (%s)", path, reason, todo);
	sq_close(q);
	return (NULL);
}

/* setup - WAL, migrations (read-write) or the schema checked (read-only);
 * the statements; -1 with reason */
static int
setup(struct sq *q, int readonly, char *reason, size_t len)
{
	/* A new file's pages are of SQ_PAGE bytes (an older file keeps its
	 * own): each page a commit writes to the log costs two write(2)s. */
	if (!readonly && (sq_exec(q, "PRAGMA page_size = " SQ_PAGE) == -1 ||
	    sq_exec(q, "PRAGMA journal_mode = WAL") == -1 ||
	    sq_exec(q, "PRAGMA synchronous = NORMAL") == -1 ||
	    sq_exec(q, "PRAGMA cache_size = -8192") == -1 ||
	    sq_wal_watch(q) == -1 ||
	    migrate(q, reason, len) == -1 || prep_writes(q) == -1))
		return (-1);
	/* Read-only: the schema is read now, so that a damaged file is
	 * said here, with its path, and not by the first query. */
	if (readonly && migrate_check(q, reason, len) == -1)
		return (-1);
	return (sq_prep(q, &q->get_pos, "SELECT dev, ino, off, fp_len, fp "
	    "FROM positions WHERE path = ?"));
}

/* sq_link - a file is always there */
static int
sq_link(void *be)
{
	(void)be;
	return (1);
}

/* sq_open - open or create the database, migrated, in WAL mode */
static void *
sq_open(const char *path, int readonly, const char *node, int offline,
    char *err, size_t errlen)
{
	struct sq	*q;
	char		 reason[512];
	int		 flags;

	(void)node;	/* one node's file: no node column */
	(void)offline;	/* a file is there or not */
	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->path = strdup(path)) == NULL) {
		free(q);
		snprintf(err, errlen, "%s: out of memory", path);
		return (NULL);
	}
	q->readonly = readonly;
	/* Serialized whatever the library's default: the writer thread
	 * and the owner's reads share the connection. */
	flags = (readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_FULLMUTEX;
	(void)pthread_once(&library_once, library_setup);
	if (sqlite3_open_v2(path, &q->db, flags, NULL) != SQLITE_OK)
		return (open_fail(q, path, q->db != NULL ?
		    sqlite3_errmsg(q->db) : "cannot open", err, errlen));
	sqlite3_busy_timeout(q->db, STATE_BUSY_MS);
	reason[0] = '\0';
	sq_why[0] = '\0';
	sq_quiet = 1;	/* said once, in err */
	if (setup(q, readonly, reason, sizeof(reason)) == -1) {
		sq_quiet = 0;
		if (reason[0] == '\0')
			snprintf(reason, sizeof(reason), "%s", sq_why[0] !=
			    '\0' ? sq_why : readonly ? "cannot read" :
			    "cannot set up");
		return (open_fail(q, path, reason, err, errlen));
	}
	sq_quiet = 0;
	return (q);
}

/* sq_threaded - whether a writer thread may share the connection
 * (serialized mode) */
static int
sq_threaded(void *be)
{
	(void)be;
	return (sqlite3_threadsafe() != 0);
}

/* sq_error - the last reading call's failure */
static const char *
sq_error(void *be)
{
	return (((struct sq *)be)->err);
}

/* sq_retry - a retrying writer waits less for a lock: the queue waits */
static void
sq_retry(void *be, int on)
{
	struct sq	*q = be;

	sqlite3_busy_timeout(q->db, on ? STATE_BUSY_MS_RETRY : STATE_BUSY_MS);
}

const struct state_ops state_sqlite_ops = {
	.open = sq_open,
	.link = sq_link,
	.close = sq_close,
	.threaded = sq_threaded,
	.error = sq_error,
	.write = sq_write,
	.retry = sq_retry,
	.prune = sq_prune,
	.checkpoint_later = sq_checkpoint_later,
	.checkpoint_due = sq_checkpoint_due,
	.checkpoint = sq_checkpoint,
	.position = sq_position,
	.journal_position = sq_journal_position,
	.meta = sq_meta,
	.manual_seq = sq_manual_seq,
	.snapshot = sq_snapshot,
	.clients = sq_clients,
	.clients_of = sq_clients_of,
	.sessions = sq_sessions,
	.ffs = sq_ffs,
	.facts = sq_facts,
	.facts_span = sq_facts_span,
	.evidence = sq_evidence,
	.evidence_rules = sq_evidence_rules,
	.rejects = sq_rejects,
	.bans_of = sq_bans_of,
	.bans_enforced = sq_bans_enforced,
	.bans_running = sq_bans_running,
	.bans_live = sq_bans_live,
	.held = sq_held,
};

/*	$fivefifty: pgsql_open.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_open 3 - the state in PostgreSQL: connect, schema, migrations
 * SYNOPSIS
 *	const struct state_ops state_pgsql_ops;
 *	int	pg_connect(struct pg *q);
 *	int	pg_fail(struct pg *q, const char *what);
 *	int	pg_rfail(struct pg *q, const char *what);
 *	const char *pg_errmsg(struct pg *q, char *buf, size_t len);
 *	int	pg_exec(struct pg *q, const char *sql);
 *	PGresult *pg_call(struct pg *q, const char *stmt,
 *		    const struct pgp *p, const char *what);
 *	PGresult *pg_query(struct pg *q, const char *sql,
 *		    const struct pgp *p);
 *	void	pgp_int(struct pgp *p, long long v);
 *	void	pgp_dbl(struct pgp *p, double v);
 *	void	pgp_text(struct pgp *p, const char *v);
 *	void	pgp_null(struct pgp *p);
 *	void	pgp_blob(struct pgp *p, const void *v, size_t len);
 * DESCRIPTION
 *	The backend's open (pgo_open) connects with a libpq connection URI
 *	(postgresql://... or postgres://...) and brings the schema up to
 *	date: the table schema_version holds the number of migrations[] run;
 *	they run in one transaction under an advisory lock, so that two
 *	hosts starting at once migrate once. A schema of a newer fivefifty
 *	is refused, and so is, read-only, a database without the schema. A
 *	read-only state's session is read-only (default_transaction_read_
 *	only). The statements of a write are prepared (pgsql_write.c). The
 *	node's rows are under the node's name state.c gives. Offline (the
 *	daemon with a cache to start on), a server that cannot be reached
 *	is not an error: the handle is returned unconnected, its link op
 *	says so, and the first write connects.
 *
 *	After the open, a session waits STATE_BUSY_MS for a lock
 *	(lock_timeout), a retrying writer's STATE_BUSY_MS_RETRY (pgo_retry(),
 *	the daemon): without it, a table another session held (LOCK TABLE,
 *	ALTER TABLE, VACUUM FULL) held the daemon's writer, the connection's
 *	mutex with it, and so the daemon's loop, its bans and its control
 *	socket, for as long as the lock lasted. With it the write fails and
 *	goes to the outbox (queue.c). The open's own session, and a
 *	migration, wait as long as they must (another node migrating); a
 *	session set up only in part (a lock timeout between two prepares)
 *	is closed, and the next write connects anew.
 *
 *	pg_connect() makes sure the connection works before a write: when
 *	it was lost (the server restarted, stopped, the network), it
 *	connects again (PQreset), sets the session up again, migrates (a
 *	first connection) and prepares the statements anew; 0, or -1 with
 *	the reason in pg_why.
 *
 *	pg_fail() notes libpq's error for what in the thread's pg_why (and
 *	logs it unless pg_quiet); pg_rfail() notes a reading call's failure
 *	for state_error(); both -1; pg_errmsg() is libpq's last message
 *	(every message of libpq passes there: the URI's password hidden,
 *	state/uri.c). pg_exec() runs SQL without parameters
 *	nor rows. pg_call() runs a prepared statement with p, pg_query() SQL
 *	with p (NULL: none), each returning its result or NULL (noted by
 *	pg_fail(), resp. left for the caller). pgp_*() append a parameter.
 * SECURITY
 *	Every value goes through parameters; no SQL text is built from data.
 *	The URI's password, if any, is not repeated in messages, nor in
 *	libpq's words.
 * DIAGNOSTICS
 *	The open fills err with the state's name, the reason and what to do
 *	on every failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgsql_int.h"
#include "util/util.h"

_Thread_local char	pg_why[256];
_Thread_local int	pg_quiet;

/* The schema, one migration per step; schema_version counts them. Text
 * is compared bytewise (COLLATE "C"), as SQLite does, so that both
 * backends give rows in the same order. */
static const char *const migrations[] = {
	/* 1: the first schema: SQLite's of version 4, in PostgreSQL's
	 * types; the facts one row each; positions, sessions and meta of
	 * each node. */
	"CREATE TABLE clients ("
	"  addr text COLLATE \"C\" PRIMARY KEY,"
	"  family integer NOT NULL,"
	"  prefix_len integer NOT NULL,"
	"  score double precision NOT NULL,"
	"  score_t bigint NOT NULL,"
	"  first_seen bigint NOT NULL,"
	"  last_seen bigint NOT NULL,"
	"  bans integer NOT NULL,"
	"  banned_until bigint NOT NULL,"
	"  last_ban bigint NOT NULL,"
	"  memory bytea"
	");"
	"CREATE TABLE evidence ("
	"  id bigserial PRIMARY KEY,"
	"  addr text COLLATE \"C\" NOT NULL,"
	"  t bigint NOT NULL,"
	"  weight double precision NOT NULL,"
	"  rule text COLLATE \"C\" NOT NULL,"
	"  detail text COLLATE \"C\" NOT NULL"
	");"
	"CREATE INDEX evidence_addr ON evidence (addr, t);"
	"CREATE TABLE bans ("
	"  id bigserial PRIMARY KEY,"
	"  addr text COLLATE \"C\" NOT NULL,"
	"  prefix_len integer NOT NULL,"
	"  family integer NOT NULL,"
	"  at bigint NOT NULL,"
	"  until bigint NOT NULL,"
	"  n integer NOT NULL,"
	"  score double precision NOT NULL,"
	"  reason text COLLATE \"C\" NOT NULL,"
	"  manual integer NOT NULL DEFAULT 0,"
	"  held integer NOT NULL DEFAULT 0"
	");"
	"CREATE INDEX bans_addr ON bans (addr, at);"
	"CREATE INDEX bans_until ON bans (until);"
	"CREATE TABLE sessions ("
	"  node text COLLATE \"C\" NOT NULL,"
	"  key bigint NOT NULL,"
	"  data bytea NOT NULL,"
	"  PRIMARY KEY (node, key)"
	");"
	"CREATE TABLE positions ("
	"  node text COLLATE \"C\" NOT NULL,"
	"  path text COLLATE \"C\" NOT NULL,"
	"  dev bigint NOT NULL, ino bigint NOT NULL, off bigint NOT NULL,"
	"  fp_len integer NOT NULL, fp bigint NOT NULL,"
	"  cursor text COLLATE \"C\","
	"  PRIMARY KEY (node, path)"
	");"
	"CREATE TABLE meta ("
	"  node text COLLATE \"C\" NOT NULL,"
	"  key text COLLATE \"C\" NOT NULL,"
	"  value bigint NOT NULL,"
	"  PRIMARY KEY (node, key)"
	");"
	"CREATE TABLE activity_rows ("
	"  id bigserial PRIMARY KEY,"
	"  hour bigint NOT NULL,"
	"  kind text COLLATE \"C\" NOT NULL,"
	"  value text COLLATE \"C\" NOT NULL,"
	"  client text COLLATE \"C\" NOT NULL,"
	"  class text COLLATE \"C\" NOT NULL,"
	"  code integer NOT NULL,"
	"  n bigint NOT NULL,"
	"  first bigint NOT NULL,"
	"  last bigint NOT NULL"
	");"
	"CREATE INDEX activity_hour ON activity_rows (hour);"
	"CREATE TABLE fivefifties ("
	"  addr text COLLATE \"C\" PRIMARY KEY,"
	"  name text COLLATE \"C\" NOT NULL,"
	"  first_t bigint NOT NULL,"
	"  code integer NOT NULL,"
	"  class text COLLATE \"C\" NOT NULL,"
	"  reason text COLLATE \"C\" NOT NULL,"
	"  retries bigint NOT NULL,"
	"  last_retry bigint NOT NULL,"
	"  last_seen bigint NOT NULL"
	");",
	/* 2 (wt-pgev): shared evidence. Each node's observations for the
	 * others (score/share.c's bytes), numbered in commit order
	 * (pgsql_obs.c); each node's own clients rows (its scorer's
	 * memory), the rows of the first schema claimed by the first node
	 * that opens it (pgo_open). */
	"CREATE TABLE observations ("
	"  id bigserial PRIMARY KEY,"
	"  node text COLLATE \"C\" NOT NULL,"
	"  t bigint NOT NULL,"
	"  addr text COLLATE \"C\" NOT NULL,"
	"  data bytea NOT NULL"
	");"
	"CREATE INDEX observations_t ON observations (t);"
	"ALTER TABLE clients ADD COLUMN node text COLLATE \"C\" NOT NULL "
	"  DEFAULT '';"
	"ALTER TABLE clients DROP CONSTRAINT clients_pkey;"
	"ALTER TABLE clients ADD PRIMARY KEY (node, addr);"
	"CREATE INDEX clients_addr ON clients (addr);",
	/* 3 (wt-pgbans): shared bans. bans.node: the node that decided or made
	 * a ban (the rows before: the node migrating, which copied them);
	 * ban_events: each ban put in force and each unban, in commit order
	 * (pgsql_write.c takes PG_EVENTS_LOCK before it adds one), which
	 * the other nodes fetch by id when NOTIFY fivefifty_bans wakes them
	 * (pgsql_watch.c); ban_keys and the view fivefifty_postfix_access:
	 * the keys Postfix's check_client_access looks up (access(5)), for a
	 * pgsql: table (conf/fivefifty-pgsql.cf). */
	"ALTER TABLE bans ADD COLUMN node text COLLATE \"C\" NOT NULL "
	"  DEFAULT coalesce(current_setting('fivefifty.node', true), '');"
	"CREATE TABLE ban_events ("
	"  id bigserial PRIMARY KEY,"
	"  node text COLLATE \"C\" NOT NULL,"
	"  op integer NOT NULL,"		/* 0 a ban in force, 1 an unban */
	"  ban_id bigint,"			/* op 0: its bans row */
	"  addr text COLLATE \"C\" NOT NULL,"
	"  prefix_len integer NOT NULL,"
	"  at bigint NOT NULL"
	");"
	"CREATE INDEX ban_events_at ON ban_events (at);"
	/* The keys of a ban: IPv4 partial addresses of whole octets, IPv6
	 * groups without leading zeros, a prefix of another length expanded
	 * to the next such boundary (at most 256 keys: an IPv6 prefix that
	 * needs more has none); an IPv6 network whose groups end in one or
	 * two zero groups also as Postfix prints its addresses that
	 * compress them ("2001:db8:1:" for 2001:db8:1::/64). */
	"CREATE FUNCTION fivefifty_postfix_keys(a text, plen integer, "
	"    fam integer) RETURNS SETOF text LANGUAGE plpgsql IMMUTABLE "
	"    STRICT AS $f$\n"
	"DECLARE\n"
	"  h text := split_part(a, '/', 1);\n"
	"  g integer; k integer; j integer; i integer;\n"
	"  l text[]; r text[]; grp text[]; key text[];\n"
	"  base inet;\n"
	"BEGIN\n"
	"  IF plen >= (CASE WHEN fam = 4 THEN 32 ELSE 128 END) THEN\n"
	"    RETURN NEXT h;\n"
	"    RETURN;\n"
	"  END IF;\n"
	"  IF fam = 4 THEN\n"
	"    g := greatest(8, ((plen + 7) / 8) * 8);\n"
	"    base := network(set_masklen(h::inet, plen));\n"
	"    FOR i IN 0 .. (1 << (g - plen)) - 1 LOOP\n"
	"      RETURN NEXT array_to_string((string_to_array(host(base + "
	"          (i::bigint << (32 - g))), '.'))[1 : g / 8], '.');\n"
	"    END LOOP;\n"
	"    RETURN;\n"
	"  END IF;\n"
	"  g := greatest(16, ((plen + 15) / 16) * 16);\n"
	"  IF g - plen > 8 THEN\n"
	"    RETURN;\n"
	"  END IF;\n"
	"  h := host(network(set_masklen(h::inet, plen)));\n"
	"  IF position('::' IN h) > 0 THEN\n"
	"    l := string_to_array(nullif(split_part(h, '::', 1), ''), ':');\n"
	"    r := string_to_array(nullif(split_part(h, '::', 2), ''), ':');\n"
	"    l := coalesce(l, '{}'); r := coalesce(r, '{}');\n"
	"    grp := l || array_fill('0'::text, ARRAY[8 - cardinality(l) - "
	"        cardinality(r)]) || r;\n"
	"  ELSE\n"
	"    grp := string_to_array(h, ':');\n"
	"  END IF;\n"
	"  k := g / 16;\n"
	"  FOR i IN 0 .. (1 << (g - plen)) - 1 LOOP\n"
	"    key := grp[1 : k];\n"
	"    key[k] := to_hex(('x' || lpad(key[k], 8, '0'))::bit(32)::integer "
	"        + i);\n"
	"    RETURN NEXT array_to_string(key, ':');\n"
	"    j := k;\n"
	"    WHILE j > 0 AND key[j] = '0' LOOP\n"
	"      j := j - 1;\n"
	"    END LOOP;\n"
	"    IF k < 8 AND j >= 1 AND k - j BETWEEN 1 AND 2 THEN\n"
	"      RETURN NEXT array_to_string(key[1 : j], ':') || ':';\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"END\n"
	"$f$;"
	"CREATE TABLE ban_keys ("
	"  key text COLLATE \"C\" NOT NULL,"
	"  ban_id bigint NOT NULL REFERENCES bans (id) ON DELETE CASCADE"
	");"
	"CREATE INDEX ban_keys_key ON ban_keys (key);"
	"CREATE INDEX ban_keys_ban ON ban_keys (ban_id);"
	"INSERT INTO ban_keys (key, ban_id) SELECT k, id FROM bans, "
	"  fivefifty_postfix_keys(addr, prefix_len, family) k;"
	"CREATE FUNCTION fivefifty_ban_keys() RETURNS trigger LANGUAGE "
	"    plpgsql AS $f$\n"
	"BEGIN\n"
	"  INSERT INTO ban_keys (key, ban_id) SELECT k, NEW.id FROM "
	"      fivefifty_postfix_keys(NEW.addr, NEW.prefix_len, NEW.family) k;\n"
	"  RETURN NULL;\n"
	"END\n"
	"$f$;"
	"CREATE TRIGGER bans_keys AFTER INSERT ON bans FOR EACH ROW EXECUTE "
	"  FUNCTION fivefifty_ban_keys();"
	/* One row a key: the ban in force that ends last; the reply as the
	 * map's default access_map_text makes it (map.c). */
	"CREATE VIEW fivefifty_postfix_access AS "
	"SELECT DISTINCT ON (k.key) k.key AS client, "
	"  '554 5.7.1 Service unavailable; client [' || b.addr || "
	"  '] blocked by fivefifty (' || coalesce(nullif(regexp_replace("
	"  left(b.reason, 63), '[^A-Za-z0-9 ._-]+', '_', 'g'), ''), "
	"  'unspecified') || ') until ' || to_char(to_timestamp(b.until) AT "
	"  TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS action "
	"FROM ban_keys k JOIN bans b ON b.id = k.ban_id "
	"WHERE b.held = 0 AND b.until > extract(epoch FROM now())::bigint "
	"ORDER BY k.key, b.until DESC, b.id DESC;",
	/* 4 (wt-pgrep): which node saw it. Evidence, facts and five-fifties
	 * carry their writer's node; a five-fifty is a row per node (the
	 * nodes' rows of an address are merged when read: none overwrites
	 * another's). Rows of before: the one node's, when one wrote. */
	"ALTER TABLE evidence ADD COLUMN node text COLLATE \"C\" NOT NULL "
	"  DEFAULT '';"
	"ALTER TABLE activity_rows ADD COLUMN node text COLLATE \"C\" "
	"  NOT NULL DEFAULT '';"
	"ALTER TABLE fivefifties ADD COLUMN node text COLLATE \"C\" NOT NULL "
	"  DEFAULT '';"
	"UPDATE evidence SET node = (SELECT min(node) FROM meta) "
	"  WHERE (SELECT count(DISTINCT node) FROM meta) = 1;"
	"UPDATE activity_rows SET node = (SELECT min(node) FROM meta) "
	"  WHERE (SELECT count(DISTINCT node) FROM meta) = 1;"
	"UPDATE fivefifties SET node = (SELECT min(node) FROM meta) "
	"  WHERE (SELECT count(DISTINCT node) FROM meta) = 1;"
	"ALTER TABLE evidence ALTER COLUMN node DROP DEFAULT;"
	"ALTER TABLE activity_rows ALTER COLUMN node DROP DEFAULT;"
	"ALTER TABLE fivefifties ALTER COLUMN node DROP DEFAULT;"
	"ALTER TABLE fivefifties DROP CONSTRAINT fivefifties_pkey;"
	"ALTER TABLE fivefifties ADD PRIMARY KEY (addr, node);"
	"CREATE INDEX activity_node ON activity_rows (node, hour);",
	/* 5 (wt-ansstate): when an unban lifted a ban (0: it was not), so
	 * that list and explain say "unbanned" and not "banned until" the
	 * unban's time. */
	"ALTER TABLE bans ADD COLUMN lifted bigint NOT NULL DEFAULT 0;",
};
#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))
#define PG_LOCK_KEY	"5505505"	/* the migrations' advisory lock */

/* chomp - libpq's message without its final newline, into buf; the
 * URI's password hidden (libpq repeats a URI it cannot parse) */
static const char *
chomp(struct pg *q, char *buf, size_t len)
{
	size_t	i, n;

	snprintf(buf, len, "%s", q->conn != NULL ? PQerrorMessage(q->conn) :
	    pg_dl_error() != NULL ? pg_dl_error() : "out of memory");
	uri_scrub(q->uri, buf, len);
	/* One line: libpq puts its hints on lines of their own. */
	for (i = n = 0; buf[i] != '\0'; i++)
		if (buf[i] != '\n' && buf[i] != '\t')
			buf[n++] = buf[i];
		else if (n > 0 && buf[n - 1] != ' ')
			buf[n++] = ' ';
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return (buf);
}

/* pg_errmsg - libpq's last message for this state, password hidden */
const char *
pg_errmsg(struct pg *q, char *buf, size_t len)
{
	return (chomp(q, buf, len));
}

/* pg_fail - note (and log) a libpq error, naming the database; -1 */
int
pg_fail(struct pg *q, const char *what)
{
	char	msg[256];

	snprintf(pg_why, sizeof(pg_why), "%s: %s", what,
	    chomp(q, msg, sizeof(msg)));
	if (!pg_quiet)
		log_warnx("state database %s: %s", q->name, pg_why);
	return (-1);
}

/* pg_rfail - a reading call failed: libpq's words for state_error() */
int
pg_rfail(struct pg *q, const char *what)
{
	char	msg[256];

	snprintf(q->err, sizeof(q->err), "%s: %s", what,
	    chomp(q, msg, sizeof(msg)));
	return (-1);
}

/* ok - whether a result is a success; it is cleared when not */
static PGresult *
ok(PGresult *r)
{
	ExecStatusType	s = r != NULL ? PQresultStatus(r) : PGRES_FATAL_ERROR;

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return (r);
	PQclear(r);
	return (NULL);
}

/* pg_exec - run SQL without parameters nor rows */
int
pg_exec(struct pg *q, const char *sql)
{
	PGresult	*r;

	pthread_mutex_lock(&q->mtx);
	r = ok(PQexec(q->conn, sql));
	pthread_mutex_unlock(&q->mtx);
	if (r == NULL)
		return (pg_fail(q, sql));
	PQclear(r);
	return (0);
}

/* pg_call - run a prepared statement; its result, or NULL (noted) */
PGresult *
pg_call(struct pg *q, const char *stmt, const struct pgp *p,
    const char *what)
{
	PGresult	*r;

	pthread_mutex_lock(&q->mtx);
	r = ok(PQexecPrepared(q->conn, stmt, p->n, p->v, p->len, p->fmt, 0));
	pthread_mutex_unlock(&q->mtx);
	if (r == NULL)
		(void)pg_fail(q, what);
	return (r);
}

/* pg_query - run SQL with parameters (NULL: none); its result, or NULL
 * (libpq's error left on the connection) */
PGresult *
pg_query(struct pg *q, const char *sql, const struct pgp *p)
{
	PGresult	*r;

	pthread_mutex_lock(&q->mtx);
	r = ok(PQexecParams(q->conn, sql, p != NULL ? p->n : 0, NULL,
	    p != NULL ? p->v : NULL, p != NULL ? p->len : NULL,
	    p != NULL ? p->fmt : NULL, 0));
	pthread_mutex_unlock(&q->mtx);
	return (r);
}

/* pgp_int - a number parameter */
void
pgp_int(struct pgp *p, long long v)
{
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", v);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

/* pgp_dbl - a real parameter, to the last bit */
void
pgp_dbl(struct pgp *p, double v)
{
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%.17g", v);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

/* pgp_text - a text parameter (the caller's string) */
void
pgp_text(struct pgp *p, const char *v)
{
	p->v[p->n] = v;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

/* pgp_null - a NULL parameter */
void
pgp_null(struct pgp *p)
{
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

/* pgp_blob - a bytea parameter, in binary (the caller's bytes) */
void
pgp_blob(struct pgp *p, const void *v, size_t len)
{
	p->v[p->n] = len > 0 ? v : "";
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

/* schema_version - the schema's version into q->version (0: none); -1
 * (and why) if it cannot be read, or is of a newer fivefifty */
static int
schema_version(struct pg *q, char *err, size_t errlen)
{
	PGresult	*r;

	q->version = 0;
	if ((r = pg_query(q, "SELECT to_regclass('schema_version') IS NOT "
	    "NULL", NULL)) == NULL)
		return (pg_fail(q, "read the schema version"));
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		return (0);
	}
	PQclear(r);
	if ((r = pg_query(q, "SELECT max(version) FROM schema_version",
	    NULL)) == NULL)
		return (pg_fail(q, "read the schema version"));
	q->version = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return (state_schema_known(q->version, NMIGRATIONS, err, errlen));
}

/* migrate - bring the schema up to NMIGRATIONS, under the lock, in one
 * transaction */
static int
migrate(struct pg *q, char *err, size_t errlen)
{
	struct pgp	 p;
	PGresult	*r;
	int		 i;

	if (pg_exec(q, "BEGIN") == -1)
		return (-1);
	/* Another node's migration, and the tables a migration alters,
	 * are waited for (lock_wait()'s limit is for the writes). */
	if (pg_exec(q, "SET LOCAL lock_timeout = 0") == -1 ||
	    pg_exec(q, "SELECT pg_advisory_xact_lock(" PG_LOCK_KEY ")") ==
	    -1 || schema_version(q, err, errlen) == -1)
		goto fail;
	if (q->version == 0 && pg_exec(q, "CREATE TABLE schema_version "
	    "(version integer NOT NULL)") == -1)
		goto fail;
	for (i = q->version; i < NMIGRATIONS; i++)
		if (pg_exec(q, migrations[i]) == -1) {
			snprintf(err, errlen, "schema migration %d failed: %s",
			    i + 1, pg_why);
			goto fail;
		}
	p.n = 0;
	pgp_int(&p, NMIGRATIONS);
	if (q->version < NMIGRATIONS) {
		if ((r = pg_query(q, "DELETE FROM schema_version", NULL)) ==
		    NULL)
			goto failq;
		PQclear(r);
		if ((r = pg_query(q, "INSERT INTO schema_version (version) "
		    "VALUES ($1)", &p)) == NULL)
			goto failq;
		PQclear(r);
	}
	if (pg_exec(q, "COMMIT") == -1)
		goto fail;
	q->version = NMIGRATIONS;
	return (0);
failq:
	(void)pg_fail(q, "stamp the schema version");
fail:
	(void)pg_exec(q, "ROLLBACK");
	return (-1);
}

/* pgo_close - close the connection */
static void
pgo_close(void *be)
{
	struct pg	*q = be;

	if (q == NULL)
		return;
	pg_watch_stop(q);
	PQfinish(q->conn);
	pthread_mutex_destroy(&q->mtx);
	free(q->sess);
	free(q->sess_new);
	free(q->name);
	if (q->uri != NULL)
		explicit_bzero(q->uri, strlen(q->uri));
	free(q->uri);
	free(q);
}

/* open_fail - err: the name, the reason and what to do; NULL */
static void *
open_fail(struct pg *q, const char *reason, char *err, size_t errlen)
{
	const char	*todo;

	if (strstr(reason, "newer") != NULL)
		todo = "a newer fivefifty wrote it: use that one, or check "
		    "state_db or --db";
	else if (strstr(reason, "no schema") != NULL)
		todo = "check state_db or --db; run fivefifty scan or the "
		    "daemon with it once to create the schema";
	else if (strstr(reason, "connect") != NULL || strstr(reason,
	    "server") != NULL || strstr(reason, "authentication") != NULL ||
	    strstr(reason, "does not exist") != NULL)
		todo = "check state_db or --db (a libpq connection URI), that "
		    "PostgreSQL runs, and that the role and the database exist "
		    "and the role may log in";
	else
		todo = "check state_db or --db, and that the role owns the "
		    "database or may create tables in it";
	snprintf(err, errlen, "%s: %s (%s)", q->name, reason, todo);
	pgo_close(q);
	return (NULL);
}

/* set_node - the session's fivefifty.node: this node's name, which
 * bans.node defaults to (state copy's rows, the migration's) */
static int
set_node(struct pg *q)
{
	struct pgp	 p;
	PGresult	*r;

	p.n = 0;
	pgp_text(&p, q->node);
	if ((r = pg_query(q, "SELECT set_config('fivefifty.node', $1, false)",
	    &p)) == NULL)
		return (pg_fail(q, "set fivefifty.node"));
	PQclear(r);
	return (0);
}

/* lock_wait - the session's lock_timeout, q->lock_ms: a table another
 * session holds (LOCK TABLE, ALTER TABLE, VACUUM FULL) fails a write
 * after it, as SQLite's busy timeout does, rather than holding the
 * daemon's writer, and so its log, for as long as the lock lasts */
static int
lock_wait(struct pg *q)
{
	char	sql[64];

	snprintf(sql, sizeof(sql), "SET lock_timeout = %d", q->lock_ms);
	return (pg_exec(q, sql));
}

/* setup - the session, migrations (read-write) or the schema checked
 * (read-only); the statements; -1 with reason */
static int
setup(struct pg *q, int readonly, char *reason, size_t len)
{
	if (pg_exec(q, "SET client_min_messages = warning") == -1 ||
	    pg_exec(q, "SET extra_float_digits = 3") == -1 ||
	    lock_wait(q) == -1)
		return (-1);
	if (readonly) {
		if (pg_exec(q, "SET default_transaction_read_only = on") ==
		    -1 || schema_version(q, reason, len) == -1)
			return (-1);
		if (q->version == 0) {
			snprintf(reason, len, "not a fivefifty state (no "
			    "schema)");
			return (-1);
		}
		return (0);
	}
	if (pg_exec(q, "SET synchronous_commit = on") == -1 ||
	    set_node(q) == -1 || migrate(q, reason, len) == -1 ||
	    pg_claim_clients(q) == -1)
		return (-1);
	return (pg_prepare_writes(q));
}

/* pg_connect - a working connection, set up, before a write; 0, or
 * -1 (pg_why) */
int
pg_connect(struct pg *q)
{
	char		 reason[sizeof(pg_why)], msg[256];

	if (q->conn != NULL && PQstatus(q->conn) == CONNECTION_OK &&
	    q->ready)
		return (0);
	if (q->conn == NULL)
		q->conn = PQconnectdb(q->uri);
	else if (PQstatus(q->conn) != CONNECTION_OK)
		PQreset(q->conn);
	if (q->conn == NULL || PQstatus(q->conn) != CONNECTION_OK) {
		snprintf(pg_why, sizeof(pg_why), "cannot connect: %s",
		    chomp(q, msg, sizeof(msg)));
		q->ready = 0;
		return (-1);
	}
	/* A new session: its settings and statements are gone, and what
	 * the last write left in the table is not known for sure. */
	q->sess_known = 0;
	reason[0] = '\0';
	if (setup(q, q->readonly, reason, sizeof(reason)) == -1) {
		if (reason[0] != '\0')
			snprintf(pg_why, sizeof(pg_why), "%s", reason);
		/* Half set up (a lock timeout between two prepares): a new
		 * session next time, not this one's statements again. */
		PQfinish(q->conn);
		q->conn = NULL;
		q->ready = 0;
		return (-1);
	}
	q->ready = 1;
	return (0);
}

/* pgo_link - whether the server is reached */
static int
pgo_link(void *be)
{
	struct pg	*q = be;

	return (q->conn != NULL && PQstatus(q->conn) == CONNECTION_OK &&
	    q->ready);
}

/* pgo_open - connect, migrate (or check the schema, read-only);
 * offline: a server that cannot be reached gives a handle that is not
 * connected */
static void *
pgo_open(const char *uri, int readonly, const char *node, int offline,
    char *err, size_t errlen)
{
	pthread_mutexattr_t ma;
	struct pg	*q;
	char		 reason[512], msg[256], shown[4096];

	if ((q = calloc(1, sizeof(*q))) == NULL ||
	    (q->name = strdup(state_shown(uri, shown, sizeof(shown)))) ==
	    NULL ||
	    (q->uri = strdup(uri)) == NULL) {
		if (q != NULL)
			free(q->name);
		free(q);
		snprintf(err, errlen, "%s: out of memory", state_shown(uri, msg,
		    sizeof(msg)));
		return (NULL);
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&q->mtx, &ma);
	pthread_mutexattr_destroy(&ma);
	q->readonly = readonly;
	/* The first session waits for what it must (another node's
	 * migration, a table locked), as a start always did; the others
	 * and what follows, STATE_BUSY_MS. */
	q->lock_ms = 0;
	snprintf(q->node, sizeof(q->node), "%s", node);
	q->conn = PQconnectdb(uri);
	if (q->conn == NULL || PQstatus(q->conn) != CONNECTION_OK) {
		snprintf(reason, sizeof(reason), "cannot connect: %s",
		    chomp(q, msg, sizeof(msg)));
		if (offline && q->conn != NULL) {
			snprintf(q->err, sizeof(q->err), "%s", reason);
			return (q);
		}
		return (open_fail(q, reason, err, errlen));
	}
	reason[0] = '\0';
	pg_why[0] = '\0';
	pg_quiet = 1;	/* said once, in err */
	if (setup(q, readonly, reason, sizeof(reason)) == -1) {
		pg_quiet = 0;
		if (reason[0] == '\0')
			snprintf(reason, sizeof(reason), "%s", pg_why[0] !=
			    '\0' ? pg_why : readonly ? "cannot read" :
			    "cannot set up");
		return (open_fail(q, reason, err, errlen));
	}
	pg_quiet = 0;
	q->lock_ms = STATE_BUSY_MS;
	if (lock_wait(q) == -1)
		return (open_fail(q, pg_why, err, errlen));
	q->ready = 1;
	return (q);
}

/* pgo_threaded - a writer thread may share the connection: the backend's
 * mutex keeps one user at a time */
static int
pgo_threaded(void *be)
{
	(void)be;
	return (PQisthreadsafe());
}

/* pgo_error - the last reading call's failure */
static const char *
pgo_error(void *be)
{
	return (((struct pg *)be)->err);
}

/* pgo_retry - a retrying writer waits less for a lock (the queue
 * retries, the outbox takes the writes meanwhile); a session to come
 * gets it in setup() */
static void
pgo_retry(void *be, int on)
{
	struct pg	*q = be;

	pthread_mutex_lock(&q->mtx);
	q->lock_ms = on ? STATE_BUSY_MS_RETRY : STATE_BUSY_MS;
	if (q->conn != NULL && PQstatus(q->conn) == CONNECTION_OK &&
	    q->ready)
		(void)lock_wait(q);	/* failed: this session keeps its wait */
	pthread_mutex_unlock(&q->mtx);
}

const struct state_ops state_pgsql_ops = {
	.open = pgo_open,
	.link = pgo_link,
	.close = pgo_close,
	.threaded = pgo_threaded,
	.error = pgo_error,
	.write = pg_write,
	.retry = pgo_retry,
	.prune = pg_prune,
	.position = pg_position,
	.journal_position = pg_journal_position,
	.meta = pg_meta,
	.manual_seq = pg_manual_seq,
	.snapshot = pg_snapshot,
	.clients = pg_clients,
	.clients_of = pg_clients_of,
	.sessions = pg_sessions,
	.ffs = pg_ffs,
	.facts = pg_facts,
	.facts_span = pg_facts_span,
	.evidence = pg_evidence,
	.evidence_rules = pg_evidence_rules,
	.rejects = pg_rejects,
	.bans_of = pg_bans_of,
	.bans_enforced = pg_bans_enforced,
	.bans_running = pg_bans_running,
	.held = pg_held,
	.observations = pg_observations,
	.watch_start = pg_watch_start,
	.watch_fd = pg_watch_fd,
	.watch_bans = pg_watch_bans,
	.watch_up = pg_watch_up,
	.nodes = pg_nodes,
	.only_node = pg_only_node,
};

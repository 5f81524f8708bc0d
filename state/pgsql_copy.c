/*	$fivefifty: pgsql_copy.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_copy 3 - a SQLite state moved into an empty PostgreSQL one
 * SYNOPSIS
 *	int	state_copy(const char *from, const char *to, char *err,
 *		    size_t errlen, long long *rows);
 * DESCRIPTION
 *	state_copy() opens from (a SQLite file; migrated to this
 *	fivefifty's schema like any open) and to (a PostgreSQL URI; its
 *	schema made), and copies every table, each with one COPY ... FROM
 *	STDIN (PQputCopyData(): the rows streamed, not a statement each), in
 *	ONE PostgreSQL transaction: clients, evidence and bans (in their order, with what
 *	the breaker did), the facts, the five-fifties, and the file's
 *	positions, journal cursors, open sessions and meta numbers; the
 *	evidence, facts, five-fifties and the rest as this host's (the
 *	node, pgsql_int.h). A daemon started on this host with
 *	the URI goes on where the file's left off: nothing read twice.
 *	to must hold no state yet (no client, evidence or ban): a copy
 *	never merges. *rows is the number of rows copied.
 * SECURITY
 *	Values travel as COPY's data, escaped for its text format (a value
 *	cannot end its row or field, nor be taken for NULL), never in SQL;
 *	reals to the last bit (%.17g), blobs in hex.
 * DIAGNOSTICS
 *	-1 with err naming the state, what failed and what to do; nothing
 *	is written to `to` then (the transaction is rolled back).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "pgsql_int.h"
#include "sqlite_int.h"

/* One table: the SQLite query, PostgreSQL's COPY and the columns' types
 * in its order (N this node, not a SQLite column; t text; n text or
 * NULL; i integer; d real; b blob or NULL). */
static const struct {
	const char	*what, *from, *to, *types;
} tables[] = {
	{ "clients", "SELECT addr, family, prefix_len, score, score_t, "
	    "first_seen, last_seen, bans, banned_until, last_ban, memory FROM "
	    "clients ORDER BY addr", "COPY clients (addr, family, prefix_len, "
	    "score, score_t, first_seen, last_seen, bans, banned_until, "
	    "last_ban, memory, node) FROM STDIN", "tiidiiiiiibN" },
	{ "evidence", "SELECT addr, t, weight, rule, detail FROM evidence "
	    "ORDER BY id", "COPY evidence (addr, t, weight, rule, detail, "
	    "node) FROM STDIN", "tidttN" },
	{ "bans", "SELECT addr, prefix_len, family, at, until, n, score, "
	    "reason, manual, held, lifted FROM bans ORDER BY id", "COPY bans "
	    "(addr, prefix_len, family, at, until, n, score, reason, manual, "
	    "held, lifted, node) FROM STDIN", "tiiiiidtiiiN" },
	{ "facts", "SELECT hour, kind, value, client, class, code, n, first, "
	    "last FROM activity_rows", "COPY activity_rows (hour, kind, value, "
	    "client, class, code, n, first, last, node) FROM STDIN",
	    "ittttiiiiN" },
	{ "five-fifties", "SELECT addr, name, first_t, code, class, reason, "
	    "retries, last_retry, last_seen FROM fivefifties ORDER BY addr",
	    "COPY fivefifties (addr, name, first_t, code, class, reason, "
	    "retries, last_retry, last_seen, node) FROM STDIN", "ttiittiiiN" },
	{ "sessions", "SELECT key, data FROM sessions ORDER BY key",
	    "COPY sessions (node, key, data) FROM STDIN", "Nib" },
	{ "positions", "SELECT path, dev, ino, off, fp_len, fp, cursor FROM "
	    "positions ORDER BY path", "COPY positions (node, path, dev, ino, "
	    "off, fp_len, fp, cursor) FROM STDIN", "Ntiiiiin" },
	{ "meta", "SELECT key, value FROM meta ORDER BY key", "COPY meta "
	    "(node, key, value) FROM STDIN", "Nti" },
};

#define COPY_CHUNK	(256 * 1024)	/* bytes handed to libpq at once */

/* The rows of one COPY, as its text format, gathered for libpq. */
struct copybuf {
	char		*b;
	size_t		 len, cap;
	int		 oom;
};

/* put - n bytes into the buffer */
static void
put(struct copybuf *c, const void *p, size_t n)
{
	char	*nb;
	size_t	 cap;

	if (c->oom)
		return;
	if (c->len + n > c->cap) {
		cap = c->cap * 2 > c->len + n ? c->cap * 2 : c->len + n + 4096;
		if ((nb = realloc(c->b, cap)) == NULL) {
			c->oom = 1;
			return;
		}
		c->b = nb;
		c->cap = cap;
	}
	memcpy(c->b + c->len, p, n);
	c->len += n;
}

/* put_text - a text value, escaped for COPY's text format (backslash,
 * tab, newline and carriage return; every other byte as it is) */
static void
put_text(struct copybuf *c, const char *s)
{
	const char	*run;

	for (run = s; *s != '\0'; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '\t' ? "\\t" :
		    *s == '\n' ? "\\n" : *s == '\r' ? "\\r" : NULL;
		if (e == NULL)
			continue;
		put(c, run, (size_t)(s - run));
		put(c, e, 2);
		run = s + 1;
	}
	put(c, run, (size_t)(s - run));
}

/* put_blob - a bytea value in hex (\\x..., its backslash escaped) */
static void
put_blob(struct copybuf *c, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char		 two[2];
	size_t		 i;

	put(c, "\\\\x", 3);
	for (i = 0; i < n; i++) {
		two[0] = hex[p[i] >> 4];
		two[1] = hex[p[i] & 15];
		put(c, two, 2);
	}
}

/* put_row - the SQLite row as one line of COPY text, by type */
static void
put_row(struct pg *q, sqlite3_stmt *s, const char *types, struct copybuf *c)
{
	const char	*t;
	char		 num[32];
	int		 col = 0, n;

	for (t = types; *t != '\0'; t++) {
		if (t != types)
			put(c, "\t", 1);
		if (*t == 'N') {
			put_text(c, q->node);
			continue;
		}
		if ((*t == 'n' || *t == 'b') &&
		    sqlite3_column_type(s, col) == SQLITE_NULL)
			put(c, "\\N", 2);
		else if (*t == 't' || *t == 'n')
			put_text(c, sq_text(s, col));
		else if (*t == 'b')
			put_blob(c, sqlite3_column_blob(s, col),
			    (size_t)sqlite3_column_bytes(s, col));
		else {
			/* As the parameters were: reals to the last bit. */
			n = *t == 'i' ? snprintf(num, sizeof(num), "%lld",
			    (long long)sqlite3_column_int64(s, col)) :
			    snprintf(num, sizeof(num), "%.17g",
			    sqlite3_column_double(s, col));
			put(c, num, (size_t)n);
		}
		col++;
	}
	put(c, "\n", 1);
}

/* copy_end - end a COPY (abort: with that reason) and take its result;
 * -1 (why) when it failed */
static int
copy_end(struct pg *q, int k, const char *abort, char *why, size_t whylen)
{
	PGresult	*r;
	char		 msg[256];
	int		 rc = 0;

	if (PQputCopyEnd(q->conn, abort) != 1)
		rc = -1;
	while ((r = PQgetResult(q->conn)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = -1;
		PQclear(r);
	}
	if (rc == -1 && abort == NULL)
		snprintf(why, whylen, "%s: write %s: %s", q->name,
		    tables[k].what, pg_errmsg(q, msg, sizeof(msg)));
	return (abort != NULL ? -1 : rc);
}

/* copy_table - every row of one table, by COPY; the rows, or -1 (why) */
static long long
copy_table(struct pg *q, struct sq *f, int k, char *why, size_t whylen)
{
	struct copybuf	 c = { NULL, 0, 0, 0 };
	sqlite3_stmt	*s;
	PGresult	*r;
	char		 msg[256];
	long long	 n = 0;
	int		 rc;

	if (sqlite3_prepare_v2(f->db, tables[k].from, -1, &s, NULL) !=
	    SQLITE_OK) {
		snprintf(why, whylen, "%s: read %s: %s", f->path,
		    tables[k].what, sqlite3_errmsg(f->db));
		return (-1);
	}
	r = PQexec(q->conn, tables[k].to);
	if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN) {
		PQclear(r);
		sqlite3_finalize(s);
		snprintf(why, whylen, "%s: write %s: %s", q->name,
		    tables[k].what, pg_errmsg(q, msg, sizeof(msg)));
		return (-1);
	}
	PQclear(r);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		put_row(q, s, tables[k].types, &c);
		n++;
		if (c.len < COPY_CHUNK && !c.oom)
			continue;
		if (c.oom || PQputCopyData(q->conn, c.b, (int)c.len) != 1)
			break;
		c.len = 0;
	}
	if (rc != SQLITE_DONE || c.oom) {
		snprintf(why, whylen, "%s: read %s: %s", f->path,
		    tables[k].what, c.oom ? "out of memory" :
		    sqlite3_errmsg(f->db));
		if (rc == SQLITE_ROW && !c.oom)	/* libpq refused the data */
			snprintf(why, whylen, "%s: write %s: %s", q->name,
			    tables[k].what, pg_errmsg(q, msg, sizeof(msg)));
		(void)copy_end(q, k, "the copy failed", why, whylen);
		n = -1;
	} else if ((c.len > 0 && PQputCopyData(q->conn, c.b, (int)c.len) !=
	    1) || copy_end(q, k, NULL, why, whylen) == -1) {
		if (c.len > 0)
			snprintf(why, whylen, "%s: write %s: %s", q->name,
			    tables[k].what, pg_errmsg(q, msg, sizeof(msg)));
		n = -1;
	}
	free(c.b);
	sqlite3_finalize(s);
	return (n);
}

/* empty - whether the PostgreSQL state holds nothing yet; -1 (why) */
static int
empty(struct pg *q, char *why, size_t whylen)
{
	PGresult	*r;
	char		 msg[256];
	int		 e;

	if ((r = pg_query(q, "SELECT (SELECT count(*) FROM clients) + "
	    "(SELECT count(*) FROM evidence) + (SELECT count(*) FROM bans)",
	    NULL)) == NULL) {
		snprintf(why, whylen, "%s: %s", q->name,
		    pg_errmsg(q, msg, sizeof(msg)));
		return (-1);
	}
	e = strcmp(PQgetvalue(r, 0, 0), "0") == 0;
	if (!e)
		snprintf(why, whylen, "%s already holds a state (%s clients, "
		    "evidence and bans): state copy fills an empty database "
		    "only; give another database, or empty this one", q->name,
		    PQgetvalue(r, 0, 0));
	PQclear(r);
	return (e ? 0 : -1);
}

/* copy_all - every table, in one transaction */
static long long
copy_all(struct pg *q, struct sq *f, char *why, size_t whylen)
{
	long long	 n, total = 0;
	size_t		 k;

	pthread_mutex_lock(&q->mtx);
	if (pg_exec(q, "BEGIN") == -1) {
		snprintf(why, whylen, "%s: %s", q->name, pg_why);
		pthread_mutex_unlock(&q->mtx);
		return (-1);
	}
	if (empty(q, why, whylen) == -1)
		total = -1;
	for (k = 0; total >= 0 && k < sizeof(tables) / sizeof(tables[0]);
	    k++) {
		if ((n = copy_table(q, f, (int)k, why, whylen)) == -1)
			total = -1;
		else
			total += n;
	}
	if (total >= 0 && pg_exec(q, "COMMIT") == -1) {
		snprintf(why, whylen, "%s: commit: %s", q->name, pg_why);
		total = -1;
	}
	if (total < 0 && PQtransactionStatus(q->conn) != PQTRANS_IDLE)
		(void)pg_exec(q, "ROLLBACK");
	pthread_mutex_unlock(&q->mtx);
	return (total);
}

/* state_copy - a SQLite state into an empty PostgreSQL one */
int
state_copy(const char *from, const char *to, char *err, size_t errlen,
    long long *rows)
{
	struct state	*f = NULL, *t = NULL;
	char		 why[768], shown[1024];
	int		 rc = -1;

	*rows = 0;
	if (state_exists(from) && strstr(from, "://") == NULL &&
	    (f = state_open(from, 0, err, errlen)) == NULL)
		return (-1);
	if (f == NULL) {
		snprintf(err, errlen, "%s: not a SQLite state file (--from "
		    "names the file, state_db's path, to copy from)",
		    state_shown(from, shown, sizeof(shown)));
		return (-1);
	}
	if (!state_is_uri(to)) {
		snprintf(err, errlen, "%s: not a PostgreSQL connection URI "
		    "(--to is postgresql://...)", to);
		goto out;
	}
	if ((t = state_open(to, 0, err, errlen)) == NULL)
		goto out;
	if (state_sync(f) == -1 || f->ops != &state_sqlite_ops ||
	    t->ops != &state_pgsql_ops) {
		snprintf(err, errlen, "%s: cannot be read as a SQLite state",
		    state_shown(from, shown, sizeof(shown)));
		goto out;
	}
	if ((*rows = copy_all(t->be, f->be, why, sizeof(why))) < 0) {
		*rows = 0;
		snprintf(err, errlen, "%s (nothing was copied)", why);
		goto out;
	}
	rc = 0;
out:
	state_close(t);
	state_close(f);
	return (rc);
}

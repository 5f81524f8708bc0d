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
 *	schema made), and copies every table row by row, in ONE PostgreSQL
 *	transaction: clients, evidence and bans (in their order, with what
 *	the breaker did), the facts, the five-fifties, and the file's
 *	positions, journal cursors, open sessions and meta numbers as this
 *	host's (the node, pgsql_int.h). A daemon started on this host with
 *	the URI goes on where the file's left off: nothing read twice.
 *	to must hold no state yet (no client, evidence or ban): a copy
 *	never merges. *rows is the number of rows copied.
 * SECURITY
 *	Every value goes through parameters; reals are copied as doubles
 *	(to the last bit), blobs as binary.
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

/* One table: the SQLite query, the PostgreSQL insert and the columns'
 * types (N this node, not a column; t text; n text or NULL; i integer;
 * d real; b blob or NULL). */
static const struct {
	const char	*what, *from, *to, *types;
} tables[] = {
	{ "clients", "SELECT addr, family, prefix_len, score, score_t, "
	    "first_seen, last_seen, bans, banned_until, last_ban, memory FROM "
	    "clients ORDER BY addr", "INSERT INTO clients (node, addr, family, "
	    "prefix_len, score, score_t, first_seen, last_seen, bans, "
	    "banned_until, last_ban, memory) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,"
	    "$9,$10,$11,$12)", "Ntiidiiiiiib" },
	{ "evidence", "SELECT addr, t, weight, rule, detail FROM evidence "
	    "ORDER BY id", "INSERT INTO evidence (addr, t, weight, rule, "
	    "detail) VALUES ($1,$2,$3,$4,$5)", "tidtt" },
	{ "bans", "SELECT addr, prefix_len, family, at, until, n, score, "
	    "reason, manual, held FROM bans ORDER BY id", "INSERT INTO bans "
	    "(addr, prefix_len, family, at, until, n, score, reason, manual, "
	    "held) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", "tiiiiidtii" },
	{ "facts", "SELECT hour, kind, value, client, class, code, n, first, "
	    "last FROM activity_rows", "INSERT INTO activity_rows (hour, kind, "
	    "value, client, class, code, n, first, last) VALUES ($1,$2,$3,$4,"
	    "$5,$6,$7,$8,$9)", "ittttiiii" },
	{ "five-fifties", "SELECT addr, name, first_t, code, class, reason, "
	    "retries, last_retry, last_seen FROM fivefifties ORDER BY addr",
	    "INSERT INTO fivefifties (addr, name, first_t, code, class, "
	    "reason, retries, last_retry, last_seen) VALUES ($1,$2,$3,$4,$5,"
	    "$6,$7,$8,$9)", "ttiittiii" },
	{ "sessions", "SELECT key, data FROM sessions ORDER BY key",
	    "INSERT INTO sessions (node, key, data) VALUES ($1,$2,$3)",
	    "Nib" },
	{ "positions", "SELECT path, dev, ino, off, fp_len, fp, cursor FROM "
	    "positions ORDER BY path", "INSERT INTO positions (node, path, "
	    "dev, ino, off, fp_len, fp, cursor) VALUES ($1,$2,$3,$4,$5,$6,$7,"
	    "$8)", "Ntiiiiin" },
	{ "meta", "SELECT key, value FROM meta ORDER BY key", "INSERT INTO "
	    "meta (node, key, value) VALUES ($1,$2,$3)", "Nti" },
};

/* bind_row - the SQLite row's columns as parameters, by type */
static void
bind_row(struct pg *q, sqlite3_stmt *s, const char *types, struct pgp *p)
{
	const char	*t;
	int		 col = 0;

	p->n = 0;
	for (t = types; *t != '\0'; t++) {
		switch (*t) {
		case 'N':
			pgp_text(p, q->node);
			continue;
		case 't':
			pgp_text(p, sq_text(s, col));
			break;
		case 'n':
			if (sqlite3_column_type(s, col) == SQLITE_NULL)
				pgp_null(p);
			else
				pgp_text(p, sq_text(s, col));
			break;
		case 'i':
			pgp_int(p, sqlite3_column_int64(s, col));
			break;
		case 'd':
			pgp_dbl(p, sqlite3_column_double(s, col));
			break;
		case 'b':
			if (sqlite3_column_type(s, col) == SQLITE_NULL)
				pgp_null(p);
			else
				pgp_blob(p, sqlite3_column_blob(s, col),
				    (size_t)sqlite3_column_bytes(s, col));
			break;
		}
		col++;
	}
}

/* copy_table - every row of one table; the rows, or -1 (why) */
static long long
copy_table(struct pg *q, struct sq *f, int k, char *why, size_t whylen)
{
	sqlite3_stmt	*s;
	struct pgp	*p;
	PGresult	*r;
	long long	 n = 0;
	int		 rc;

	if (sqlite3_prepare_v2(f->db, tables[k].from, -1, &s, NULL) !=
	    SQLITE_OK) {
		snprintf(why, whylen, "%s: read %s: %s", f->path,
		    tables[k].what, sqlite3_errmsg(f->db));
		return (-1);
	}
	r = PQprepare(q->conn, "", tables[k].to, 0, NULL);
	if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK ||
	    (p = malloc(sizeof(*p))) == NULL) {
		PQclear(r);
		sqlite3_finalize(s);
		snprintf(why, whylen, "%s: write %s: %s", q->name,
		    tables[k].what, PQerrorMessage(q->conn));
		return (-1);
	}
	PQclear(r);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		bind_row(q, s, tables[k].types, p);
		r = PQexecPrepared(q->conn, "", p->n, p->v, p->len, p->fmt, 0);
		if (r == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
			snprintf(why, whylen, "%s: write %s: %s", q->name,
			    tables[k].what, PQerrorMessage(q->conn));
			PQclear(r);
			n = -1;
			break;
		}
		PQclear(r);
		n++;
	}
	if (n >= 0 && rc != SQLITE_DONE) {
		snprintf(why, whylen, "%s: read %s: %s", f->path,
		    tables[k].what, sqlite3_errmsg(f->db));
		n = -1;
	}
	free(p);
	sqlite3_finalize(s);
	return (n);
}

/* empty - whether the PostgreSQL state holds nothing yet; -1 (why) */
static int
empty(struct pg *q, char *why, size_t whylen)
{
	PGresult	*r;
	int		 e;

	if ((r = pg_query(q, "SELECT (SELECT count(*) FROM clients) + "
	    "(SELECT count(*) FROM evidence) + (SELECT count(*) FROM bans)",
	    NULL)) == NULL) {
		snprintf(why, whylen, "%s: %s", q->name,
		    PQerrorMessage(q->conn));
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
	char		 why[768];
	int		 rc = -1;

	*rows = 0;
	if (state_exists(from) && strstr(from, "://") == NULL &&
	    (f = state_open(from, 0, err, errlen)) == NULL)
		return (-1);
	if (f == NULL) {
		snprintf(err, errlen, "%s: not a SQLite state file (--from "
		    "names the file, state_db's path, to copy from)", from);
		return (-1);
	}
	if (strncmp(to, "postgresql://", 13) != 0 && strncmp(to,
	    "postgres://", 11) != 0) {
		snprintf(err, errlen, "%s: not a PostgreSQL connection URI "
		    "(--to is postgresql://...)", to);
		goto out;
	}
	if ((t = state_open(to, 0, err, errlen)) == NULL)
		goto out;
	if (state_sync(f) == -1 || f->ops != &state_sqlite_ops ||
	    t->ops != &state_pgsql_ops) {
		snprintf(err, errlen, "%s: cannot be read as a SQLite state",
		    from);
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

/*	$fivefifty: pgsql_write.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_write 3 - store a batch in the PostgreSQL state, prune it
 * SYNOPSIS
 *	int	pg_prepare_writes(struct pg *q);
 *	int	pg_write(void *be, const struct state_batch *b, int quiet,
 *		    char *why, size_t whylen);
 *	int	pg_put_meta(struct pg *q, const char *key, long long v);
 *	int	pg_prune(void *be, long long now, long long retention);
 * DESCRIPTION
 *	pg_prepare_writes() prepares the statements of a write, at open.
 *	pg_write() stores one batch in one transaction, in sqlite_write.c's
 *	order: the clients (upserted), the evidence (PG_ROWS rows a
 *	statement, each row with this node, as the facts and five-fifties),
 *	the bans (with this node's name) and the notes about them in the
 *	order given (an automatic ban another node stored already, the same
 *	number still running, is not stored twice), this node's open
 *	sessions (replacing its own), the facts (counted here, on the
 *	writer's thread; a row each, PG_ROWS rows a statement), the
 *	five-fifties (this node's row of each), this node's positions and
 *	journal cursors and its meta values: the positions commit with what
 *	their lines changed. Last, for the other nodes: its observations
 *	(pgsql_obs.c), and a ban_events row for each ban put in force (a
 *	new one the breaker does not hold at commit, a held one released)
 *	and each unban, under an advisory lock held to the commit (their ids
 *	grow in commit order), and NOTIFY fivefifty_bans with the last id,
 *	which PostgreSQL delivers at the commit (pgsql_watch.c listens). Its
 *	clients rows are this node's own. The connection is this writer's
 *	for the whole transaction; a lost one is made again first
 *	(pg_connect()). On failure the transaction is rolled back and why
 *	says what failed; it is logged unless quiet. A batch numbered by the
 *	writer (meta batch_seq: the daemon's, replayed from its outbox) that
 *	is not above the node's stored batch_seq is already stored: its
 *	transaction is rolled back and it counts as stored (exactly once,
 *	when the answer to a commit was lost with the connection).
 *
 *	pg_put_meta() stores one meta number of this node. pg_prune()
 *	removes evidence, facts, five-fifties and ban events older than
 *	retention before log time now, and observations older than
 *	PG_OBS_KEEP (8 days: the longest window a shared rule looks back,
 *	fivefifty_window's 7 days, and one more; each node's scorer keeps
 *	what it read of them, so only a node away longer misses some, and
 *	those are outside the window anyway), at most once a day of this
 *	node's log time.
 * SECURITY
 *	Every value goes through parameters of prepared statements.
 * DIAGNOSTICS
 *	-1, logged with log_warnx() naming the database and PostgreSQL's
 *	error (not when quiet). A prune that keeps failing for the same
 *	reason is said once, and once more when one succeeds again
 *	(prune_said()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgsql_int.h"
#include "util/hash.h"

/* Rows gathered for a multi-row INSERT: one statement for PG_ROWS rows,
 * another for one. */
struct rows {
	struct pgp	 p;
	int		 ncols, nrows;
	const char	*one, *many, *what;
	char		*owned[PG_PARAMS];	/* the rows' copies */
	int		 nowned;
};

/* The statements of a write. */
static const struct {
	const char	*name, *sql;
} stmts[] = {
	{ "put_client", "INSERT INTO clients (addr, family, prefix_len, "
	    "score, score_t, first_seen, last_seen, bans, banned_until, "
	    "last_ban, memory, node) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,"
	    "$11,$12) ON CONFLICT (node, addr) DO UPDATE SET "
	    "score = excluded.score, "
	    "score_t = excluded.score_t, last_seen = excluded.last_seen, "
	    "bans = excluded.bans, banned_until = excluded.banned_until, "
	    "last_ban = excluded.last_ban, memory = excluded.memory" },
	/* Two nodes deciding the n-th ban of a client at once store one:
	 * an automatic ban whose number is running already is the same
	 * decision (wt-pgev). The lock (per address, to the commit) keeps
	 * two writers from both seeing none. */
	{ "lock_addr", "SELECT pg_advisory_xact_lock(5505507, hashtext($1))" },
	{ "put_ban", "INSERT INTO bans (addr, prefix_len, family, at, until, "
	    "n, score, reason, manual, node) SELECT $1::text, $2::integer, "
	    "$3::integer, $4::bigint, $5::bigint, $6::integer, "
	    "$7::double precision, $8::text, $9::integer, $10::text "
	    "WHERE $9::integer <> 0 "
	    "OR NOT EXISTS (SELECT 1 FROM bans WHERE addr = $1::text AND "
	    "prefix_len = $2::integer AND n = $6::integer AND manual = 0 AND "
	    "until > $4::bigint) RETURNING id" },
	/* The events the other nodes fetch (pgsql_watch.c): a ban once it
	 * is in force (held = 0 at commit), an unban. */
	{ "ev_lock", "SELECT pg_advisory_xact_lock(" PG_EVENTS_LOCK ")" },
	{ "ev_ban", "INSERT INTO ban_events (node, op, ban_id, addr, "
	    "prefix_len, at) SELECT $1, 0, id, addr, prefix_len, at FROM bans "
	    "WHERE id = $2 AND held = 0" },
	{ "ev_release", "INSERT INTO ban_events (node, op, ban_id, addr, "
	    "prefix_len, at) SELECT $1, 0, id, addr, prefix_len, at FROM bans "
	    "WHERE addr = $2 AND prefix_len = $3 AND until = $4 AND held = 0 "
	    "AND manual = 0" },
	{ "ev_lift", "INSERT INTO ban_events (node, op, addr, prefix_len, at) "
	    "VALUES ($1, 1, $2, $3, $4)" },
	{ "ev_notify", "SELECT pg_notify('" PG_CHANNEL "', coalesce(max(id), "
	    "0)::text) FROM ban_events" },
	{ "lift_ban", "UPDATE bans SET until = $1::bigint, lifted = "
	    "$1::bigint WHERE addr = $2 AND prefix_len = $3 AND until > "
	    "$1::bigint" },
	{ "set_held", "UPDATE bans SET held = $1 WHERE addr = $2 AND "
	    "prefix_len = $3 AND manual = 0 AND (held = $4::integer OR "
	    "$4::integer = -1) AND ($5::bigint = 0 OR until = $5::bigint)" },
	{ "del_sessions", "DELETE FROM sessions WHERE node = $1" },
	{ "put_session", "INSERT INTO sessions (node, key, data) VALUES "
	    "($1,$2,$3) ON CONFLICT (node, key) DO UPDATE SET data = "
	    "excluded.data" },
	{ "del_session", "DELETE FROM sessions WHERE node = $1 AND key = $2" },
	{ "put_ff", "INSERT INTO fivefifties (addr, name, first_t, code, "
	    "class, reason, retries, last_retry, last_seen, node) VALUES "
	    "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (addr, node) DO "
	    "UPDATE SET name = excluded.name, first_t = excluded.first_t, "
	    "code = excluded.code, class = excluded.class, "
	    "reason = excluded.reason, retries = excluded.retries, "
	    "last_retry = excluded.last_retry, "
	    "last_seen = excluded.last_seen" },
	{ "put_pos", "INSERT INTO positions (node, path, dev, ino, off, "
	    "fp_len, fp, cursor) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT "
	    "(node, path) DO UPDATE SET dev = excluded.dev, "
	    "ino = excluded.ino, "
	    "off = excluded.off, fp_len = excluded.fp_len, fp = excluded.fp, "
	    "cursor = excluded.cursor" },
	{ "put_meta", "INSERT INTO meta (node, key, value) VALUES ($1,$2,$3) "
	    "ON CONFLICT (node, key) DO UPDATE SET value = excluded.value" },
	{ "put_obs", "INSERT INTO observations (node, t, addr, data) VALUES "
	    "($1,$2,$3,$4)" },
	{ "get_seq", "SELECT value FROM meta WHERE node = $1 AND key = "
	    "'batch_seq' FOR UPDATE" },
};

/* prep_rows - the INSERT of rows rows of ncols columns into table */
static int
prep_rows(struct pg *q, const char *name, const char *head, int ncols,
    int rows)
{
	char		 sql[8192];
	PGresult	*r;
	size_t		 n;
	int		 i, j, k = 1;

	n = (size_t)snprintf(sql, sizeof(sql), "%s VALUES ", head);
	for (i = 0; i < rows; i++) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s(",
		    i ? "," : "");
		for (j = 0; j < ncols; j++)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n,
			    "%s$%d", j ? "," : "", k++);
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ")");
	}
	if (n >= sizeof(sql))
		return (-1);
	if ((r = PQprepare(q->conn, name, sql, 0, NULL)) == NULL ||
	    PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		return (pg_fail(q, name));
	}
	PQclear(r);
	return (0);
}

#define EV_HEAD	"INSERT INTO evidence (addr, t, weight, rule, detail, node)"
#define FACT_HEAD "INSERT INTO activity_rows (hour, kind, value, client, " \
	"class, code, n, first, last, node)"

/* pg_prepare_writes - the statements a write uses */
int
pg_prepare_writes(struct pg *q)
{
	PGresult	*r;
	size_t		 i;

	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		if ((r = PQprepare(q->conn, stmts[i].name, stmts[i].sql, 0,
		    NULL)) == NULL || PQresultStatus(r) != PGRES_COMMAND_OK) {
			PQclear(r);
			return (pg_fail(q, stmts[i].name));
		}
		PQclear(r);
	}
	return (prep_rows(q, "put_ev", EV_HEAD, 6, 1) == -1 ||
	    prep_rows(q, "put_evs", EV_HEAD, 6, PG_ROWS) == -1 ||
	    prep_rows(q, "put_fact", FACT_HEAD, 10, 1) == -1 ||
	    prep_rows(q, "put_facts", FACT_HEAD, 10, PG_ROWS) == -1 ? -1 : 0);
}

/* run1 - a prepared statement once, its result dropped */
static int
run1(struct pg *q, const char *stmt, const struct pgp *p, const char *what)
{
	PGresult	*r;

	if ((r = pg_call(q, stmt, p, what)) == NULL)
		return (-1);
	PQclear(r);
	return (0);
}

/* rows_flush - the rows gathered: PG_ROWS in one statement, fewer one
 * by one */
static int
rows_flush(struct pg *q, struct rows *w)
{
	struct pgp	*one;
	int		 i, rc = 0;

	if (w->nrows == PG_ROWS)
		rc = run1(q, w->many, &w->p, w->what);
	else if (w->nrows > 0) {
		if ((one = malloc(sizeof(*one))) == NULL)
			return (pg_fail(q, "out of memory"));
		for (i = 0; i < w->nrows && rc == 0; i++) {
			one->n = w->ncols;
			memcpy(one->v, w->p.v + i * w->ncols,
			    sizeof(one->v[0]) * (size_t)w->ncols);
			memcpy(one->len, w->p.len + i * w->ncols,
			    sizeof(one->len[0]) * (size_t)w->ncols);
			memcpy(one->fmt, w->p.fmt + i * w->ncols,
			    sizeof(one->fmt[0]) * (size_t)w->ncols);
			/* the numbers' text lives in w->p.num: the
			 * pointers copied still point there */
			rc = run1(q, w->one, one, w->what);
		}
		free(one);
	}
	w->nrows = 0;
	w->p.n = 0;
	while (w->nowned > 0)
		free(w->owned[--w->nowned]);
	return (rc);
}

/* rows_end - one more row gathered: flushed when PG_ROWS are */
static int
rows_end(struct pg *q, struct rows *w)
{
	return (++w->nrows == PG_ROWS ? rows_flush(q, w) : 0);
}

/* put_clients - the batch's clients, upserted */
static int
put_clients(struct pg *q, const struct state_batch *b)
{
	struct pgp	 p;
	size_t		 i;

	for (i = 0; i < b->nclients; i++) {
		const struct state_client *r = &b->clients[i].r;
		p.n = 0;
		pgp_text(&p, r->addr);
		pgp_int(&p, r->family);
		pgp_int(&p, r->prefix_len);
		pgp_dbl(&p, r->score);
		pgp_int(&p, r->score_t);
		pgp_int(&p, r->first_seen);
		pgp_int(&p, r->last_seen);
		pgp_int(&p, r->bans);
		pgp_int(&p, r->banned_until);
		pgp_int(&p, r->last_ban);
		if (r->memory != NULL)
			pgp_blob(&p, r->memory, r->memlen);
		else
			pgp_null(&p);
		pgp_text(&p, q->node);	/* each node's scorer its own row */
		if (run1(q, "put_client", &p, "write client") == -1)
			return (-1);
	}
	return (0);
}

/* put_evidence - the batch's evidence, PG_ROWS rows a statement */
static int
put_evidence(struct pg *q, const struct state_batch *b, struct rows *w)
{
	struct state_evidence e;
	size_t		 i;

	*w = (struct rows){ .ncols = 6, .one = "put_ev", .many = "put_evs",
	    .what = "write evidence" };
	for (i = 0; i < b->nev; i++) {
		/* batch_ev() points into the batch: the strings stay */
		batch_ev(b, i, &e);
		pgp_text(&w->p, e.addr);
		pgp_int(&w->p, e.t);
		pgp_dbl(&w->p, e.weight);
		pgp_text(&w->p, e.rule);
		pgp_text(&w->p, e.detail);
		pgp_text(&w->p, q->node);
		if (rows_end(q, w) == -1)
			return (-1);
	}
	return (rows_flush(q, w));
}

/* pg_put_meta - one meta value of this node */
int
pg_put_meta(struct pg *q, const char *key, long long v)
{
	struct pgp	 p;

	p.n = 0;
	pgp_text(&p, q->node);
	pgp_text(&p, key);
	pgp_int(&p, v);
	return (run1(q, "put_meta", &p, key));
}

/* put_note - a note about bans: the breaker's (the held column), or
 * the manual actions stored */
static int
put_note(struct pg *q, const struct state_ban *d)
{
	/* As sqlite_write.c: from which held value to which, and whether
	 * the row is the one ending at d->until. */
	static const struct {
		int	from, to, one;
	} how[] = {
		[STATE_OP_HOLD] = { 0, 1, 1 },
		[STATE_OP_RELEASE] = { 1, 0, 1 },
		[STATE_OP_DROP] = { -1, 2, 1 },
		[STATE_OP_FORGET] = { 1, 2, 0 },
	};
	struct pgp	 p;

	if (d->op == STATE_OP_MANUAL)
		return (pg_put_meta(q, "manual_seq", d->at));
	if (d->op < STATE_OP_HOLD || d->op > STATE_OP_FORGET)
		return (0);
	p.n = 0;
	pgp_int(&p, how[d->op].to);
	pgp_text(&p, d->addr);
	pgp_int(&p, d->prefix_len);
	pgp_int(&p, how[d->op].from);
	pgp_int(&p, how[d->op].one ? d->until : 0);
	return (run1(q, "set_held", &p, "note the breaker's hold"));
}

/* put_ban - a new ban, or the end of a network's bans (an unban); a
 * new ban's row id into *id */
static int
put_ban(struct pg *q, const struct state_ban *d, long long *id)
{
	struct pgp	 p;
	PGresult	*r;

	p.n = 0;
	if (d->op == STATE_OP_LIFT) {
		pgp_int(&p, d->at);
		pgp_text(&p, d->addr);
		pgp_int(&p, d->prefix_len);
		return (run1(q, "lift_ban", &p, "lift ban"));
	}
	pgp_text(&p, d->addr);
	if (!d->manual && run1(q, "lock_addr", &p, "lock ban") == -1)
		return (-1);
	pgp_int(&p, d->prefix_len);
	pgp_int(&p, d->family);
	pgp_int(&p, d->at);
	pgp_int(&p, d->until);
	pgp_int(&p, d->n);
	pgp_dbl(&p, d->score);
	pgp_text(&p, d->reason);
	pgp_int(&p, d->manual);
	pgp_text(&p, q->node);
	if ((r = pg_call(q, "put_ban", &p, "write ban")) == NULL)
		return (-1);
	*id = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return (0);
}

/* put_bans - the batch's bans and notes, in order; a new ban's row id
 * into ids[i] (0: none) */
static int
put_bans(struct pg *q, const struct state_batch *b, long long *ids)
{
	struct state_ban d;
	size_t		 i;

	for (i = 0; i < b->nbans; i++) {
		batch_ban(b, i, &d);
		ids[i] = 0;
		if ((d.op == STATE_OP_BAN || d.op == STATE_OP_LIFT ?
		    put_ban(q, &d, &ids[i]) : put_note(q, &d)) == -1)
			return (-1);
	}
	return (0);
}

/* put_events - the batch's bans put in force (what the breaker holds
 * at commit is not) and unbans, for the other nodes, then NOTIFY (sent
 * at commit). Under PG_EVENTS_LOCK, held to the commit: the events'
 * ids grow in commit order, so that a node that saw id n has seen every
 * event before it. */
static int
put_events(struct pg *q, const struct state_batch *b, const long long *ids)
{
	struct state_ban d;
	struct pgp	 p;
	size_t		 i;
	int		 rc, any = 0;

	for (i = 0; i < b->nbans; i++) {
		batch_ban(b, i, &d);
		if (d.op != STATE_OP_BAN && d.op != STATE_OP_LIFT &&
		    d.op != STATE_OP_RELEASE)
			continue;
		if (!any++) {
			p.n = 0;
			if (run1(q, "ev_lock", &p, "lock the ban events") == -1)
				return (-1);
		}
		p.n = 0;
		pgp_text(&p, q->node);
		if (d.op == STATE_OP_BAN) {
			pgp_int(&p, ids[i]);
			rc = run1(q, "ev_ban", &p, "write ban event");
		} else if (d.op == STATE_OP_RELEASE) {
			pgp_text(&p, d.addr);
			pgp_int(&p, d.prefix_len);
			pgp_int(&p, d.until);
			rc = run1(q, "ev_release", &p, "write ban event");
		} else {
			pgp_text(&p, d.addr);
			pgp_int(&p, d.prefix_len);
			pgp_int(&p, d.at);
			rc = run1(q, "ev_lift", &p, "write unban event");
		}
		if (rc == -1)
			return (-1);
	}
	p.n = 0;
	return (any ? run1(q, "ev_notify", &p, "notify " PG_CHANNEL) : 0);
}

/* sess_cmp - order of sessions by key */
static int
sess_cmp(const void *a, const void *b)
{
	const struct pg_sess *x = a, *y = b;

	return (x->key < y->key ? -1 : x->key > y->key);
}

/* put_session - session i of b, written (or rewritten) */
static int
put_session(struct pg *q, const struct state_batch *b, size_t i)
{
	struct state_session ss;
	struct pgp	 p;

	batch_session(b, i, &ss);
	p.n = 0;
	pgp_text(&p, q->node);
	pgp_int(&p, (long long)ss.key);
	pgp_blob(&p, ss.data, ss.len);
	return (run1(q, "put_session", &p, "write session"));
}

/* del_session - the stored session key, ended */
static int
del_session(struct pg *q, unsigned long long key)
{
	struct pgp	 p;

	p.n = 0;
	pgp_text(&p, q->node);
	pgp_int(&p, (long long)key);
	return (run1(q, "del_session", &p, "remove session"));
}

/* put_sessions - this node's open sessions replace its last write's:
 * when the table is known to hold the last commit's (q->sess), only the
 * sessions that are new or changed are written and the ended ones
 * removed (most open sessions are idle from one flush to the next: a
 * rewrite of all of them was most of a busy node's WAL); else all */
static int
put_sessions(struct pg *q, const struct state_batch *b)
{
	struct state_session ss;
	struct pgp	 p;
	struct pg_sess	*nw;
	size_t		 i, j, n = b->nsessions;

	free(q->sess_new);
	q->sess_new = NULL;
	if ((nw = calloc(n + 1, sizeof(*nw))) == NULL) {
		snprintf(pg_why, sizeof(pg_why), "write sessions: out of "
		    "memory");
		return (-1);
	}
	for (i = 0; i < n; i++) {
		batch_session(b, i, &ss);
		nw[i].key = ss.key;
		nw[i].h = hash64(ss.data, ss.len, 0);
		nw[i].i = i;
	}
	qsort(nw, n, sizeof(*nw), sess_cmp);
	q->sess_new = nw;
	q->nsess_new = n;
	if (!q->sess_known) {
		p.n = 0;
		pgp_text(&p, q->node);
		if (run1(q, "del_sessions", &p, "clear sessions") == -1)
			return (-1);
		for (i = 0; i < n; i++)
			if (put_session(q, b, i) == -1)
				return (-1);
		return (0);
	}
	for (i = 0, j = 0; i < q->nsess || j < n; ) {
		if (j == n || (i < q->nsess && q->sess[i].key < nw[j].key)) {
			if (del_session(q, q->sess[i++].key) == -1)
				return (-1);
		} else if (i == q->nsess || nw[j].key < q->sess[i].key) {
			if (put_session(q, b, nw[j++].i) == -1)
				return (-1);
		} else {
			if (nw[j].h != q->sess[i].h &&
			    put_session(q, b, nw[j].i) == -1)
				return (-1);
			i++;
			j++;
		}
	}
	return (0);
}

/* sess_committed - what the table holds after a write: its sessions
 * when it committed, unknown when it did not */
static void
sess_committed(struct pg *q, int committed)
{
	if (committed && q->sess_new != NULL) {
		free(q->sess);
		q->sess = q->sess_new;
		q->nsess = q->nsess_new;
		q->sess_known = 1;
	} else
		q->sess_known = 0;
	q->sess_new = NULL;
	q->nsess_new = 0;
}

/* The facts being written. */
struct factw {
	struct pg	*q;
	struct rows	*w;
	int		 rc;
};

/* own - a copy of s that the gathered rows keep until their flush;
 * NULL when memory runs out */
static const char *
own(struct rows *w, const char *s)
{
	char	*c;

	if ((c = strdup(s)) == NULL)
		return (NULL);
	w->owned[w->nowned++] = c;
	return (c);
}

/* put_fact - one fact, a row; non-zero to stop */
static int
put_fact(void *arg, const struct state_fact *f)
{
	struct factw	*fw = arg;
	struct rows	*w = fw->w;
	const char	*kind, *value, *client, *class;

	/* The fact's strings live only during this call. */
	if ((kind = own(w, f->kind)) == NULL ||
	    (value = own(w, f->value)) == NULL ||
	    (client = own(w, f->client)) == NULL ||
	    (class = own(w, f->class)) == NULL) {
		fw->rc = pg_fail(fw->q, "facts: out of memory");
		return (1);
	}
	pgp_int(&w->p, f->hour);
	pgp_text(&w->p, kind);
	pgp_text(&w->p, value);
	pgp_text(&w->p, client);
	pgp_text(&w->p, class);
	pgp_int(&w->p, f->code);
	pgp_int(&w->p, f->n);
	pgp_int(&w->p, f->first);
	pgp_int(&w->p, f->last);
	pgp_text(&w->p, fw->q->node);
	if (rows_end(fw->q, w) == -1) {
		fw->rc = -1;
		return (1);
	}
	return (0);
}

/* put_facts - the batch's facts, counted here, a row each */
static int
put_facts(struct pg *q, const struct state_batch *b, struct rows *w)
{
	struct factw	 fw = { q, w, 0 };
	int		 rc;

	if (b->nflogs == 0 || b->count == NULL)
		return (0);
	*w = (struct rows){ .ncols = 10, .one = "put_fact",
	    .many = "put_facts", .what = "write facts" };
	rc = b->count(b->flogs, b->flens, b->nflogs, put_fact, &fw);
	if (fw.rc == 0 && rc == -1)
		fw.rc = pg_fail(q, "facts: out of memory");
	if (fw.rc == 0)
		fw.rc = rows_flush(q, w);
	while (w->nowned > 0)
		free(w->owned[--w->nowned]);
	return (fw.rc);
}

/* put_ffs - the batch's five-fifties, replacing their rows */
static int
put_ffs(struct pg *q, const struct state_batch *b)
{
	struct pgp	 p;
	size_t		 i;

	for (i = 0; i < b->nffs; i++) {
		const struct state_ff *f = &b->ffs[i].r;
		p.n = 0;
		pgp_text(&p, f->addr);
		pgp_text(&p, f->name);
		pgp_int(&p, f->first_t);
		pgp_int(&p, f->code);
		pgp_text(&p, f->class);
		pgp_text(&p, f->reason);
		pgp_int(&p, f->retries);
		pgp_int(&p, f->last_retry);
		pgp_int(&p, f->last_seen);
		pgp_text(&p, q->node);
		if (run1(q, "put_ff", &p, "write five-fifties") == -1)
			return (-1);
	}
	return (0);
}

/* put_positions - where this node's logs were read up to; then its meta
 * values */
static int
put_positions(struct pg *q, const struct state_batch *b)
{
	const struct state_pos *s;
	struct pgp	 p;
	int		 k;

	for (k = 0; k < b->npos; k++) {
		s = &b->pos[k];
		p.n = 0;
		pgp_text(&p, q->node);
		pgp_text(&p, s->path);
		pgp_int(&p, (long long)s->pos.dev);
		pgp_int(&p, (long long)s->pos.ino);
		pgp_int(&p, (long long)s->pos.off);
		pgp_int(&p, (long long)s->pos.fp_len);
		pgp_int(&p, (long long)s->pos.fp);
		if (s->cursor != NULL)
			pgp_text(&p, s->cursor);
		else
			pgp_null(&p);
		if (run1(q, "put_pos", &p, "write position") == -1)
			return (-1);
	}
	for (k = 0; k < b->nmeta; k++)
		if (pg_put_meta(q, b->meta[k].key, b->meta[k].v) == -1)
			return (-1);
	return (0);
}

/* stored_already - whether the node's batch_seq is at or above the
 * batch's number (0: not numbered); the row is locked for the
 * transaction; -1 on failure */
static int
stored_already(struct pg *q, const struct state_batch *b)
{
	struct pgp	 p;
	PGresult	*r;
	long long	 seq = 0;
	int		 k, done;

	for (k = 0; k < b->nmeta; k++)
		if (strcmp(b->meta[k].key, "batch_seq") == 0)
			seq = b->meta[k].v;
	if (seq == 0)
		return (0);
	p.n = 0;
	pgp_text(&p, q->node);
	if ((r = pg_call(q, "get_seq", &p, "read batch_seq")) == NULL)
		return (-1);
	done = PQntuples(r) > 0 && strtoll(PQgetvalue(r, 0, 0), NULL, 10) >=
	    seq;
	PQclear(r);
	return (done);
}

/* rollback - the open transaction undone; pg_why keeps what failed,
 * not the ROLLBACK's words */
static void
rollback(struct pg *q)
{
	char	saved[sizeof(pg_why)];

	snprintf(saved, sizeof(saved), "%s", pg_why);
	if (PQtransactionStatus(q->conn) != PQTRANS_IDLE)
		(void)pg_exec(q, "ROLLBACK");
	snprintf(pg_why, sizeof(pg_why), "%s", saved);
}

/* pg_write - one batch, one transaction */
int
pg_write(void *be, const struct state_batch *b, int quiet, char *why,
    size_t whylen)
{
	struct pg	*q = be;
	struct rows	*w;
	long long	*ids;
	int		 rc = -1;

	pg_quiet = quiet;
	pg_why[0] = '\0';
	ids = calloc(b->nbans + 1, sizeof(*ids));
	if ((w = malloc(sizeof(*w))) == NULL || ids == NULL) {
		snprintf(pg_why, sizeof(pg_why), "out of memory");
		goto out;
	}
	pthread_mutex_lock(&q->mtx);
	if (pg_connect(q) == -1 || pg_exec(q, "BEGIN") == -1)
		goto unlock;
	if ((rc = stored_already(q, b)) == 1) {
		rc = pg_exec(q, "ROLLBACK");
		q->sess_known = 0;	/* an earlier commit of this batch */
		goto unlock;
	}
	if (rc == -1 || put_clients(q, b) == -1 || put_evidence(q, b, w) == -1 ||
	    put_bans(q, b, ids) == -1 || put_sessions(q, b) == -1 ||
	    put_facts(q, b, w) == -1 || put_ffs(q, b) == -1 ||
	    put_positions(q, b) == -1 || pg_put_obs(q, b) == -1 ||
	    put_events(q, b, ids) == -1 ||
	    pg_exec(q, "COMMIT") == -1) {
		rollback(q);
		sess_committed(q, 0);
		rc = -1;
		goto unlock;
	}
	sess_committed(q, 1);
	rc = 0;
unlock:
	pthread_mutex_unlock(&q->mtx);
out:
	free(w);
	free(ids);
	if (rc == -1)
		snprintf(why, whylen, "%s", pg_why);
	pg_quiet = 0;
	return (rc);
}

/* prune_one - one DELETE of rows older than a bound */
static int
prune_one(struct pg *q, const char *sql, long long bound, const char *what)
{
	struct pgp	 p;
	PGresult	*r;

	p.n = 0;
	pgp_int(&p, bound);
	if ((r = pg_query(q, sql, &p)) == NULL)
		return (pg_fail(q, what));
	PQclear(r);
	return (0);
}

/* pg_prune - rows older than retention before log time now; at most
 * once a day of this node's log time */
int
pg_prune(void *be, long long now, long long retention)
{
	struct pg	*q = be;
	int		 rc = -1, quiet = pg_quiet;

	if (pg_meta(q, "pruned_day", -1) == now / 86400) {
		/* Done today (by another process, a scan): a success. */
		prune_said(&q->prune, q->name, retention / 86400, 0, "", "",
		    quiet);
		return (0);
	}
	pg_quiet = 1;	/* said once for each reason, by prune_said() */
	pthread_mutex_lock(&q->mtx);
	if (pg_exec(q, "BEGIN") == -1)
		goto out;
	if (pg_put_meta(q, "pruned_day", now / 86400) == -1 ||
	    prune_one(q, "DELETE FROM evidence WHERE t < $1", now - retention,
	    "prune") == -1 ||
	    prune_one(q, "DELETE FROM activity_rows WHERE hour < $1", (now -
	    retention) / 3600, "prune activity") == -1 ||
	    prune_one(q, "DELETE FROM fivefifties WHERE last_seen < $1", now -
	    retention, "prune five-fifties") == -1 ||
	    prune_one(q, "DELETE FROM observations WHERE t < $1", now -
	    (retention < PG_OBS_KEEP ? retention : PG_OBS_KEEP),
	    "prune observations") == -1 ||
	    prune_one(q, "DELETE FROM ban_events WHERE at < $1", now -
	    retention, "prune ban events") == -1) {
		rollback(q);
		goto out;
	}
	rc = pg_exec(q, "COMMIT");
out:
	pg_quiet = quiet;
	prune_said(&q->prune, q->name, retention / 86400, rc == -1, pg_why,
	    "see the server's log", quiet);
	pthread_mutex_unlock(&q->mtx);
	return (rc);
}

/*	$fivefifty: sqlite_write.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	sqlite_write 3 - store a batch in the SQLite state, prune it
 * SYNOPSIS
 *	int	sq_write(void *be, const struct state_batch *b, int quiet,
 *		    char *why, size_t whylen);
 *	int	sq_put_meta(struct sq *q, const char *key, long long v);
 *	int	sq_prune(void *be, long long now, long long retention);
 * DESCRIPTION
 *	sq_write() stores one batch in one transaction, in this order: the
 *	clients (upserted), the evidence (EV_BATCH rows a statement), the
 *	bans and the notes about them in the order given (a lift ends the
 *	network's running rows at its time; the breaker's notes set the
 *	bans row's held column; STATE_OP_MANUAL is meta manual_seq), the
 *	open sessions (replacing all), the facts, the five-fifties, the
 *	positions and the meta values. The facts are counted here, on the
 *	writer's thread, by the batch's count function, and stored as one
 *	activity row per hour and kind holding them as a JSON array (a row
 *	per fact cost scan a third of its speed). On failure the transaction
 *	is rolled back and why says what failed; it is logged unless quiet.
 *
 *	sq_put_meta() stores one meta number. sq_prune() removes evidence,
 *	activity and five-fifties older than retention before log time now,
 *	at most once a day of log time (it scans the evidence table).
 * SECURITY
 *	Every value goes through bind parameters. Peer text in evidence
 *	details and facts was escaped and capped by its producer; the JSON
 *	writer escapes quotes, backslashes and controls again.
 * DIAGNOSTICS
 *	-1, logged with log_warnx() naming the database and SQLite's error
 *	(not when quiet). A prune that keeps failing for the same reason
 *	is said once, and once more when one succeeds again (prune_said()).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlite_int.h"
#include "util/util.h"

/* A growing text buffer (the JSON of the facts; stdio was a tenth of
 * scan's time here). */
struct buf {
	char		*p;
	size_t		 len, cap;
};

/* The group of facts being written: one hour and kind. */
struct group {
	struct sq	*q;
	struct buf	 out;
	long long	 hour;
	char		 kind[32];
	long long	 rows;		/* 0: none yet */
	int		 rc;
};

/* put_clients - the batch's clients, upserted */
static int
put_clients(struct sq *q, const struct state_batch *b)
{
	sqlite3_stmt	*s = q->put_client;
	size_t		 i;

	for (i = 0; i < b->nclients; i++) {
		const struct state_client *r = &b->clients[i].r;
		sqlite3_bind_text(s, 1, r->addr, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 2, r->family);
		sqlite3_bind_int(s, 3, r->prefix_len);
		sqlite3_bind_double(s, 4, r->score);
		sqlite3_bind_int64(s, 5, r->score_t);
		sqlite3_bind_int64(s, 6, r->first_seen);
		sqlite3_bind_int64(s, 7, r->last_seen);
		sqlite3_bind_int(s, 8, r->bans);
		sqlite3_bind_int64(s, 9, r->banned_until);
		sqlite3_bind_int64(s, 10, r->last_ban);
		if (r->memory != NULL)
			sqlite3_bind_blob(s, 11, r->memory, (int)r->memlen,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 11);
		if (sq_step(q, s, "write client") == -1)
			return (-1);
	}
	return (0);
}

/* put_evidence - the batch's evidence: full batches in one statement,
 * the rest row by row */
static int
put_evidence(struct sq *q, const struct state_batch *b)
{
	struct state_evidence e;
	sqlite3_stmt	*s;
	size_t		 i;
	int		 rows, j;

	for (i = 0; i < b->nev; ) {
		rows = b->nev - i >= EV_BATCH ? EV_BATCH : 1;
		s = rows == EV_BATCH ? q->put_evs : q->put_ev;
		for (j = 0; j < rows; j++, i++) {
			batch_ev(b, i, &e);
			sqlite3_bind_text(s, j * 5 + 1, e.addr, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int64(s, j * 5 + 2, e.t);
			sqlite3_bind_double(s, j * 5 + 3, e.weight);
			sqlite3_bind_text(s, j * 5 + 4, e.rule, -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(s, j * 5 + 5, e.detail, -1,
			    SQLITE_STATIC);
		}
		if (sq_step(q, s, "write evidence") == -1)
			return (-1);
	}
	return (0);
}

/* sq_put_meta - one meta value */
int
sq_put_meta(struct sq *q, const char *key, long long v)
{
	sqlite3_bind_text(q->put_meta, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q->put_meta, 2, v);
	return (sq_step(q, q->put_meta, key));
}

/* put_note - a note about bans: the breaker's (the held column), or
 * the manual actions stored */
static int
put_note(struct sq *q, const struct state_ban *d)
{
	/* From which held value to which, and whether the row is the
	 * one ending at d->until (else: every held row of the network). */
	static const struct {
		int	from, to, one;
	} how[] = {
		[STATE_OP_HOLD] = { 0, 1, 1 },
		[STATE_OP_RELEASE] = { 1, 0, 1 },
		[STATE_OP_DROP] = { -1, 2, 1 },	/* held or not */
		[STATE_OP_FORGET] = { 1, 2, 0 },
	};
	sqlite3_stmt	*s = q->set_held;

	if (d->op == STATE_OP_MANUAL)
		return (sq_put_meta(q, "manual_seq", d->at));
	if (d->op < STATE_OP_HOLD || d->op > STATE_OP_FORGET)
		return (0);
	sqlite3_bind_int(s, 1, how[d->op].to);
	sqlite3_bind_text(s, 2, d->addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, d->prefix_len);
	sqlite3_bind_int(s, 4, how[d->op].from);
	sqlite3_bind_int64(s, 5, how[d->op].one ? d->until : 0);
	return (sq_step(q, s, "note the breaker's hold"));
}

/* put_ban - a new ban, or the end of a network's bans (an unban) */
static int
put_ban(struct sq *q, const struct state_ban *d)
{
	sqlite3_stmt	*s;

	if (d->op == STATE_OP_LIFT) {
		s = q->lift_ban;
		sqlite3_bind_int64(s, 1, d->at);
		sqlite3_bind_text(s, 2, d->addr, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 3, d->prefix_len);
		return (sq_step(q, s, "lift ban"));
	}
	s = q->put_ban;
	sqlite3_bind_text(s, 1, d->addr, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, d->prefix_len);
	sqlite3_bind_int(s, 3, d->family);
	sqlite3_bind_int64(s, 4, d->at);
	sqlite3_bind_int64(s, 5, d->until);
	sqlite3_bind_int(s, 6, d->n);
	sqlite3_bind_double(s, 7, d->score);
	sqlite3_bind_text(s, 8, d->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, d->manual);
	return (sq_step(q, s, "write ban"));
}

/* put_bans - the batch's bans and notes, in order */
static int
put_bans(struct sq *q, const struct state_batch *b)
{
	struct state_ban d;
	size_t		 i;

	for (i = 0; i < b->nbans; i++) {
		batch_ban(b, i, &d);
		if ((d.op == STATE_OP_BAN || d.op == STATE_OP_LIFT ?
		    put_ban(q, &d) : put_note(q, &d)) == -1)
			return (-1);
	}
	return (0);
}

/* put_sessions - the open sessions replace the last write's */
static int
put_sessions(struct sq *q, const struct state_batch *b)
{
	struct state_session ss;
	size_t		 i;

	if (sq_step(q, q->del_sessions, "clear sessions") == -1)
		return (-1);
	for (i = 0; i < b->nsessions; i++) {
		batch_session(b, i, &ss);
		sqlite3_bind_int64(q->put_session, 1, (sqlite3_int64)ss.key);
		sqlite3_bind_blob(q->put_session, 2, ss.data, (int)ss.len,
		    SQLITE_STATIC);
		if (sq_step(q, q->put_session, "write session") == -1)
			return (-1);
	}
	return (0);
}

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
	char		*w;

	if (buf_room(b, n * 6 + 2) == -1)
		return (-1);
	/* Through a local pointer: a store through b->p could be b->len. */
	w = b->p + b->len;
	*w++ = '"';
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			*w++ = '\\';
			*w++ = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(w, "\\u00", 4);
			w[4] = hex[*p >> 4];
			w[5] = hex[*p & 15];
			w += 6;
		} else
			*w++ = (char)*p;
	}
	*w++ = '"';
	b->len = (size_t)(w - b->p);
	return (0);
}

/* put_int - a number in decimal (room for 21 bytes is the caller's) */
static void
put_int(struct buf *b, long long v)
{
	static const char	 two[] =
	    "00010203040506070809101112131415161718192021222324252627282930"
	    "31323334353637383940414243444546474849505152535455565758596061"
	    "62636465666768697071727374757677787980818283848586878889909192"
	    "93949596979899";
	char			 d[24];
	unsigned long long	 u;
	int			 n = sizeof(d);

	if (v < 0) {
		b->p[b->len++] = '-';
		u = 0ULL - (unsigned long long)v;
	} else
		u = (unsigned long long)v;
	/* Two digits a division: the times are ten digits each. */
	while (u >= 100) {
		n -= 2;
		memcpy(d + n, two + (u % 100) * 2, 2);
		u /= 100;
	}
	if (u >= 10) {
		n -= 2;
		memcpy(d + n, two + u * 2, 2);
	} else
		d[--n] = (char)('0' + u);
	memcpy(b->p + b->len, d + n, sizeof(d) - (size_t)n);
	b->len += sizeof(d) - (size_t)n;
}

/* group_end - the group's activity row: [[value, client, class, code,
 * n, first, last], ...] */
static int
group_end(struct group *g)
{
	sqlite3_stmt	*s = g->q->put_fact;

	if (g->rows == 0)
		return (0);
	if (buf_room(&g->out, 1) == -1)
		return (sq_fail(g->q, "facts: out of memory"));
	g->out.p[g->out.len++] = ']';
	sqlite3_bind_int64(s, 1, g->hour);
	sqlite3_bind_text(s, 2, g->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, g->rows);
	sqlite3_bind_text(s, 4, g->out.p, (int)g->out.len, SQLITE_STATIC);
	g->rows = 0;
	g->out.len = 0;
	return (sq_step(g->q, s, "write facts"));
}

/* group_fact - one fact into its hour and kind's row (the facts come
 * grouped); non-zero to stop */
static int
group_fact(void *arg, const struct state_fact *f)
{
	struct group	*g = arg;
	struct buf	*out = &g->out;

	if (g->rows > 0 && (g->hour != f->hour || strcmp(g->kind,
	    f->kind) != 0) && (g->rc = group_end(g)) == -1)
		return (1);
	if (g->rows == 0) {
		g->hour = f->hour;
		snprintf(g->kind, sizeof(g->kind), "%s", f->kind);
	}
	if (buf_room(out, 2) == -1)
		goto nomem;
	out->p[out->len++] = g->rows++ == 0 ? '[' : ',';
	out->p[out->len++] = '[';
	if (json_str(out, f->value) == -1 || buf_room(out, 1) == -1 ||
	    (out->p[out->len++] = ',', json_str(out, f->client)) == -1 ||
	    buf_room(out, 1) == -1 || (out->p[out->len++] = ',',
	    json_str(out, f->class)) == -1 || buf_room(out, 100) == -1)
		goto nomem;
	out->p[out->len++] = ',';
	put_int(out, f->code);
	out->p[out->len++] = ',';
	put_int(out, f->n);
	out->p[out->len++] = ',';
	put_int(out, f->first);
	out->p[out->len++] = ',';
	put_int(out, f->last);
	out->p[out->len++] = ']';
	return (0);
nomem:
	g->rc = sq_fail(g->q, "facts: out of memory");
	return (1);
}

/* put_facts - the batch's facts, counted here (on the writer's thread),
 * one activity row per hour and kind */
static int
put_facts(struct sq *q, const struct state_batch *b)
{
	struct group	 g;
	int		 rc;

	if (b->nflogs == 0 || b->count == NULL)
		return (0);
	memset(&g, 0, sizeof(g));
	g.q = q;
	rc = b->count(b->flogs, b->flens, b->nflogs, group_fact, &g);
	if (g.rc == 0 && rc == -1)
		g.rc = sq_fail(q, "facts: out of memory");
	if (g.rc == 0)
		g.rc = group_end(&g);
	free(g.out.p);
	return (g.rc);
}

/* put_ffs - the batch's five-fifties, replacing their rows */
static int
put_ffs(struct sq *q, const struct state_batch *b)
{
	sqlite3_stmt	*s = q->put_ff;
	size_t		 i;

	for (i = 0; i < b->nffs; i++) {
		const struct state_ff *f = &b->ffs[i].r;
		sqlite3_bind_text(s, 1, f->addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, f->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, f->first_t);
		sqlite3_bind_int(s, 4, f->code);
		sqlite3_bind_text(s, 5, f->class, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, f->reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, f->retries);
		sqlite3_bind_int64(s, 8, f->last_retry);
		sqlite3_bind_int64(s, 9, f->last_seen);
		if (sq_step(q, s, "write five-fifties") == -1)
			return (-1);
	}
	return (0);
}

/* put_positions - where the logs were read up to; then the meta values
 * that make a resumed run the same as an uninterrupted one */
static int
put_positions(struct sq *q, const struct state_batch *b)
{
	const struct state_pos *p;
	sqlite3_stmt	*s = q->put_pos;
	int		 k;

	for (k = 0; k < b->npos; k++) {
		p = &b->pos[k];
		sqlite3_bind_text(s, 1, p->path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)p->pos.dev);
		sqlite3_bind_int64(s, 3, (sqlite3_int64)p->pos.ino);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)p->pos.off);
		sqlite3_bind_int(s, 5, (int)p->pos.fp_len);
		sqlite3_bind_int64(s, 6, (sqlite3_int64)p->pos.fp);
		if (p->cursor != NULL)
			sqlite3_bind_text(s, 7, p->cursor, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 7);
		if (sq_step(q, s, "write position") == -1)
			return (-1);
	}
	for (k = 0; k < b->nmeta; k++)
		if (sq_put_meta(q, b->meta[k].key, b->meta[k].v) == -1)
			return (-1);
	return (0);
}

/* rollback - the open transaction undone; sq_why keeps what failed,
 * not the rollback's words */
static void
rollback(struct sq *q)
{
	char	saved[sizeof(sq_why)];

	snprintf(saved, sizeof(saved), "%s", sq_why);
	if (sqlite3_get_autocommit(q->db) == 0)
		(void)sq_exec(q, "ROLLBACK");
	snprintf(sq_why, sizeof(sq_why), "%s", saved);
}

/* sq_write - one batch, one transaction */
int
sq_write(void *be, const struct state_batch *b, int quiet, char *why,
    size_t whylen)
{
	struct sq	*q = be;

	sq_quiet = quiet;
	sq_why[0] = '\0';
	if (sq_exec(q, "BEGIN IMMEDIATE") == -1)
		goto out;
	if (put_clients(q, b) == -1 || put_evidence(q, b) == -1 ||
	    put_bans(q, b) == -1 || put_sessions(q, b) == -1 ||
	    put_facts(q, b) == -1 || put_ffs(q, b) == -1 ||
	    put_positions(q, b) == -1 || sq_exec(q, "COMMIT") == -1) {
		rollback(q);
		goto out;
	}
	sq_quiet = 0;
	return (0);
out:
	snprintf(why, whylen, "%s", sq_why);
	sq_quiet = 0;
	return (-1);
}

/* prune_one - one DELETE of rows older than a bound */
static int
prune_one(struct sq *q, const char *sql, long long bound, const char *what)
{
	sqlite3_stmt	*s;
	int		 rc;

	if (sq_prep(q, &s, sql) == -1)
		return (-1);
	sqlite3_bind_int64(s, 1, bound);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return (rc == SQLITE_DONE ? 0 : sq_fail(q, what));
}

/* sq_prune - rows older than retention before log time now; at most
 * once a day of log time */
int
sq_prune(void *be, long long now, long long retention)
{
	struct sq	*q = be;
	char		 advice[PATH_MAX + 96];
	int		 quiet = sq_quiet, rc = 0;

	if (sq_meta(q, "pruned_day", -1) == now / 86400) {
		/* Done today (by another process, a scan): a success. */
		prune_said(&q->prune, q->path, retention / 86400, 0, "", "",
		    quiet);
		return (0);
	}
	sq_quiet = 1;	/* said once for each reason, by prune_said() */
	if (sq_exec(q, "BEGIN IMMEDIATE") == -1)
		rc = -1;
	else if (sq_put_meta(q, "pruned_day", now / 86400) == -1 ||
	    prune_one(q, "DELETE FROM evidence WHERE t < ?", now - retention,
	    "prune") == -1 ||
	    prune_one(q, "DELETE FROM activity WHERE hour < ?", (now -
	    retention) / 3600, "prune activity") == -1 ||
	    prune_one(q, "DELETE FROM fivefifties WHERE last_seen < ?", now -
	    retention, "prune five-fifties") == -1 ||
	    sq_exec(q, "COMMIT") == -1) {
		rollback(q);
		rc = -1;
	}
	sq_quiet = quiet;
	/* SQLite's words for SQLITE_CORRUPT and SQLITE_NOTADB. */
	advice[0] = '\0';
	if (rc == -1 && (strstr(sq_why, "malformed") != NULL ||
	    strstr(sq_why, "not a database") != NULL))
		snprintf(advice, sizeof(advice), "check the file: sqlite3 "
		    "'%s' 'PRAGMA integrity_check'", q->path);
	else if (rc == -1)
		snprintf(advice, sizeof(advice), "see what else holds the "
		    "database");
	prune_said(&q->prune, q->path, retention / 86400, rc == -1, sq_why,
	    advice, quiet);
	return (rc);
}

/*	$fivefifty: sqlite_read.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	sqlite_read 3 - the reading questions, asked of the SQLite state
 * SYNOPSIS
 *	int	sq_position(void *be, const char *path,
 *		    struct state_filepos *p);
 *	int	sq_journal_position(void *be, const char *key,
 *		    struct state_cursor *p);
 *	long long sq_meta(void *be, const char *key, long long dflt);
 *	long long sq_manual_seq(void *be);
 *	int	sq_snapshot(void *be, int on);
 *	int	sq_clients(void *be, int order, state_client_fn *fn,
 *		    void *arg);
 *	int	sq_clients_of(void *be, const char *addr, const char *net,
 *		    state_client_fn *fn, void *arg);
 *	int	sq_sessions(void *be, state_session_fn *fn, void *arg);
 *	int	sq_ffs(void *be, state_ff_fn *fn, void *arg);
 *	int	sq_facts(void *be, long long lo, long long hi,
 *		    state_fact_fn *fn, void *arg);
 *	int	sq_facts_span(void *be, long long *first, long long *last);
 *	int	sq_evidence(void *be, const char *addr, state_evidence_fn *fn,
 *		    void *arg);
 *	int	sq_evidence_rules(void *be, const char *addr,
 *		    state_rule_fn *fn, void *arg);
 *	int	sq_rejects(void *be, const char *client, long long *t4,
 *		    long long *t5);
 *	int	sq_bans_of(void *be, const char *addr, state_ban_fn *fn,
 *		    void *arg);
 *	int	sq_bans_enforced(void *be, state_ban_fn *fn, void *arg);
 *	int	sq_bans_running(void *be, long long now, state_ban_fn *fn,
 *		    void *arg);
 *	int	sq_bans_live(void *be, long long now, state_ban_fn *fn,
 *		    void *arg);
 *	int	sq_held(void *be, long long now, state_ban_fn *fn, void *arg);
 * DESCRIPTION
 *	Each answers the state.h call of the same name. A state of an older
 *	schema read without migrating (read-only) lacks what came later: a
 *	state of schema 2 has no held column (nothing is held), one of
 *	schema 3 no journal cursor (no journal position), one of schema 4
 *	no lifted column (no lift known), one of schema 1 no activity (no
 *	facts: sq_facts() says to upgrade it).
 * DIAGNOSTICS
 *	The iterators return -1 with SQLite's words in the connection's err
 *	(state_error()); sq_position(), sq_journal_position(),
 *	sq_manual_seq() and sq_held() also log them, naming the database.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlite_int.h"

/* run - step s, handing each row to row(); the rows given, or -1; s
 * is finalized */
static int
run(struct sq *q, sqlite3_stmt *s, int (*row)(sqlite3_stmt *,
    const struct rowcb *), const struct rowcb *cb)
{
	int	rc, n = 0;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		n++;
		if (row(s, cb) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sq_rfail(q);
		sqlite3_finalize(s);
		return (-1);
	}
	sqlite3_finalize(s);
	return (n);
}

/* prep2 - prepare sql, or (a state of an older schema) old; -1 */
static int
prep2(struct sq *q, sqlite3_stmt **s, const char *sql, const char *old)
{
	if (sqlite3_prepare_v2(q->db, sql, -1, s, NULL) == SQLITE_OK ||
	    (old != NULL && sqlite3_prepare_v2(q->db, old, -1, s, NULL) ==
	    SQLITE_OK))
		return (0);
	return (sq_rfail(q));
}

/* sq_position - the stored position of path */
int
sq_position(void *be, const char *path, struct state_filepos *p)
{
	struct sq	*q = be;
	sqlite3_stmt	*s = q->get_pos;
	int		 rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		p->dev = (unsigned long long)sqlite3_column_int64(s, 0);
		p->ino = (unsigned long long)sqlite3_column_int64(s, 1);
		p->off = (unsigned long long)sqlite3_column_int64(s, 2);
		p->fp_len = (unsigned)sqlite3_column_int(s, 3);
		p->fp = (unsigned long long)sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (sq_fail(q, "read position"));
	return (rc == SQLITE_ROW);
}

/* sq_journal_position - the stored journal position of key: 1 and p
 * filled, 0 when there is none (or the state predates cursors), -1 */
int
sq_journal_position(void *be, const char *key, struct state_cursor *p)
{
	struct sq	*q = be;
	const unsigned char *c;
	int		 rc;

	memset(p, 0, sizeof(*p));
	/* Prepared when first asked: a read-only state of schema 3 has no
	 * cursor column, and so no journal position. */
	if (q->get_cursor == NULL && sqlite3_prepare_v2(q->db, "SELECT off, "
	    "cursor FROM positions WHERE path = ? AND cursor IS NOT NULL", -1,
	    &q->get_cursor, NULL) != SQLITE_OK) {
		q->get_cursor = NULL;
		if (strstr(sqlite3_errmsg(q->db), "no such column") != NULL)
			return (0);
		return (sq_fail(q, "read the journal position"));
	}
	sqlite3_reset(q->get_cursor);
	sqlite3_bind_text(q->get_cursor, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q->get_cursor);
	if (rc == SQLITE_ROW && (c = sqlite3_column_text(q->get_cursor, 1)) !=
	    NULL && strlen((const char *)c) < sizeof(p->cursor)) {
		p->realtime = (unsigned long long)sqlite3_column_int64(
		    q->get_cursor, 0);
		snprintf(p->cursor, sizeof(p->cursor), "%s", c);
	} else if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;	/* not one we wrote */
	sqlite3_reset(q->get_cursor);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (sq_fail(q, "read the journal position"));
	return (rc == SQLITE_ROW);
}

/* sq_meta - one meta value, or dflt */
long long
sq_meta(void *be, const char *key, long long dflt)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;
	long long	 v = dflt;

	if (sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return (dflt);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return (v);
}

/* sq_manual_seq - the number of the last manual action stored (0:
 * none), or -1 (logged) when the state cannot be read */
long long
sq_manual_seq(void *be)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;
	long long	 v = 0;
	int		 rc;

	if (sqlite3_prepare_v2(q->db, "SELECT value FROM meta WHERE key = "
	    "'manual_seq'", -1, &s, NULL) != SQLITE_OK)
		return (sq_fail(q, "read manual_seq"));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return (sq_fail(q, "read manual_seq"));
	return (v);
}

/* sq_snapshot - a read transaction: on begins it, off ends it */
int
sq_snapshot(void *be, int on)
{
	struct sq	*q = be;

	if (sqlite3_exec(q->db, on ? "BEGIN" : "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return (sq_rfail(q));
	return (0);
}

/* client_row - a clients row of every column */
static int
client_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_client c;

	memset(&c, 0, sizeof(c));
	c.addr = sq_text(s, 0);
	c.family = sqlite3_column_int(s, 1);
	c.prefix_len = sqlite3_column_int(s, 2);
	c.score = sqlite3_column_double(s, 3);
	c.score_t = sqlite3_column_int64(s, 4);
	c.first_seen = sqlite3_column_int64(s, 5);
	c.last_seen = sqlite3_column_int64(s, 6);
	c.bans = sqlite3_column_int(s, 7);
	c.banned_until = sqlite3_column_int64(s, 8);
	c.last_ban = sqlite3_column_int64(s, 9);
	c.memory = sqlite3_column_blob(s, 10);
	c.memlen = (size_t)sqlite3_column_bytes(s, 10);
	return (cb->fn.c(cb->arg, &c));
}

/* listed_row - a clients row as list reads it, with the breaker's
 * state of its running ban */
static int
listed_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_client c;

	memset(&c, 0, sizeof(c));
	c.addr = sq_text(s, 0);
	c.prefix_len = sqlite3_column_int(s, 1);
	c.score = sqlite3_column_double(s, 2);
	c.score_t = sqlite3_column_int64(s, 3);
	c.banned_until = sqlite3_column_int64(s, 4);
	c.bans = sqlite3_column_int(s, 5);
	c.held = sqlite3_column_int(s, 6);
	c.lifted = sqlite3_column_int64(s, 7);
	c.ban_reason = sq_text(s, 8);
	return (cb->fn.c(cb->arg, &c));
}

#define CLIENT_COLS	"addr, family, prefix_len, score, score_t, " \
	"first_seen, last_seen, bans, banned_until, last_ban, memory"

/* list's clients: the breaker's state of the running ban, and the latest
 * ban (l) of each */
#define LISTED_HELD	"(SELECT held FROM bans b WHERE b.addr = c.addr AND " \
	"b.prefix_len = c.prefix_len AND b.until = c.banned_until AND " \
	"b.manual = 0 ORDER BY b.id DESC LIMIT 1)"
#define LISTED_FROM	"FROM clients c LEFT JOIN bans l ON l.id = (SELECT " \
	"max(id) FROM bans x WHERE x.addr = c.addr AND x.prefix_len = " \
	"c.prefix_len) ORDER BY c.banned_until DESC, c.score DESC"

/* sq_clients - every client, newest first or by ban */
int
sq_clients(void *be, int order, state_client_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (order == STATE_BY_LAST_SEEN) {
		if (prep2(q, &s, "SELECT " CLIENT_COLS " FROM clients ORDER "
		    "BY last_seen DESC", NULL) == -1)
			return (-1);
		return (run(q, s, client_row, CB(c, fn, arg)));
	}
	/* held: the running ban is one the daemon's breaker holds (not
	 * enforced yet) or dropped (never enforced); a state of schema 2
	 * (not migrated yet): nothing held. lifted and the reason are the
	 * latest ban's; before schema 5 no lift is known. */
	if (prep2(q, &s, q->version < 3 ? "SELECT c.addr, c.prefix_len, "
	    "c.score, c.score_t, c.banned_until, c.bans, 0, 0, "
	    "coalesce(l.reason, '') " LISTED_FROM : q->version < 5 ?
	    "SELECT c.addr, c.prefix_len, c.score, c.score_t, c.banned_until, "
	    "c.bans, " LISTED_HELD ", 0, coalesce(l.reason, '') " LISTED_FROM :
	    "SELECT c.addr, c.prefix_len, c.score, c.score_t, c.banned_until, "
	    "c.bans, " LISTED_HELD ", coalesce(l.lifted, 0), "
	    "coalesce(l.reason, '') " LISTED_FROM, NULL) == -1)
		return (-1);
	return (run(q, s, listed_row, CB(c, fn, arg)));
}

/* sq_clients_of - the rows of addr and of net (NULL: none) */
int
sq_clients_of(void *be, const char *addr, const char *net,
    state_client_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, "SELECT " CLIENT_COLS " FROM clients WHERE addr = ? "
	    "OR addr = ?", NULL) == -1)
		return (-1);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	if (net != NULL)
		sqlite3_bind_text(s, 2, net, -1, SQLITE_STATIC);
	return (run(q, s, client_row, CB(c, fn, arg)));
}

/* session_row - one open session */
static int
session_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_session ss;

	ss.key = (unsigned long long)sqlite3_column_int64(s, 0);
	ss.data = sqlite3_column_blob(s, 1);
	ss.len = (size_t)sqlite3_column_bytes(s, 1);
	if (ss.data == NULL)
		return (0);
	return (cb->fn.s(cb->arg, &ss));
}

/* sq_sessions - the open sessions, in key order */
int
sq_sessions(void *be, state_session_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, "SELECT key, data FROM sessions", NULL) == -1)
		return (-1);
	return (run(q, s, session_row, CB(s, fn, arg)));
}

/* ff_row - one five-fifty */
static int
ff_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_ff	 r;

	if (sqlite3_column_text(s, 0) == NULL || sqlite3_column_text(s, 1) ==
	    NULL || sqlite3_column_text(s, 5) == NULL)
		return (0);
	r.addr = sq_text(s, 0);
	r.name = sq_text(s, 1);
	r.first_t = sqlite3_column_int64(s, 2);
	r.code = sqlite3_column_int(s, 3);
	r.class = sq_text(s, 4);
	r.reason = sq_text(s, 5);
	r.retries = (long)sqlite3_column_int64(s, 6);
	r.last_retry = sqlite3_column_int64(s, 7);
	r.last_seen = sqlite3_column_int64(s, 8);
	return (cb->fn.ff(cb->arg, &r));
}

/* sq_ffs - the five-fifties */
int
sq_ffs(void *be, state_ff_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, "SELECT addr, name, first_t, code, class, reason, "
	    "retries, last_retry, last_seen FROM fivefifties", NULL) == -1)
		return (-1);
	return (run(q, s, ff_row, CB(ff, fn, arg)));
}

/* fact_row - one fact of an activity row */
static int
fact_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_fact f;

	if (sqlite3_column_text(s, 0) == NULL || sqlite3_column_text(s, 2) ==
	    NULL || sqlite3_column_text(s, 3) == NULL ||
	    sqlite3_column_text(s, 4) == NULL)
		return (0);
	f.kind = sq_text(s, 0);
	f.hour = sqlite3_column_int64(s, 1);
	f.value = sq_text(s, 2);
	f.client = sq_text(s, 3);
	f.class = sq_text(s, 4);
	f.code = sqlite3_column_int(s, 5);
	f.n = (long)sqlite3_column_int64(s, 6);
	f.first = sqlite3_column_int64(s, 7);
	f.last = sqlite3_column_int64(s, 8);
	return (cb->fn.f(cb->arg, &f));
}

/* sq_facts - the facts of the hours [lo, hi), through the view
 * activity_rows, by the hour index */
int
sq_facts(void *be, long long lo, long long hi, state_fact_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (q->version < 2) {
		snprintf(q->err, sizeof(q->err), "a state of an older schema: "
		    "run fivefifty scan or the daemon once to upgrade it");
		return (-1);
	}
	if (prep2(q, &s, "SELECT kind, hour, value, client, class, code, n, "
	    "first, last FROM activity_rows WHERE hour >= ? AND hour < ?",
	    NULL) == -1)
		return (-1);
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	return (run(q, s, fact_row, CB(f, fn, arg)));
}

/* sq_facts_span - the first and last hour with facts: 1, 0 (none) or -1;
 * min() and max() of the hour index, not a scan */
int
sq_facts_span(void *be, long long *first, long long *last)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;
	int		 rc;

	if (q->version < 2)
		return (0);	/* no activity table: no facts */
	if (prep2(q, &s, "SELECT min(hour), max(hour) FROM activity", NULL) ==
	    -1)
		return (-1);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sq_rfail(q);
		sqlite3_finalize(s);
		return (-1);
	}
	rc = sqlite3_column_type(s, 0) != SQLITE_NULL;
	if (rc) {
		*first = sqlite3_column_int64(s, 0);
		*last = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return (rc);
}

/* evidence_row - one piece of evidence */
static int
evidence_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_evidence e;

	e.t = sqlite3_column_int64(s, 0);
	e.weight = sqlite3_column_double(s, 1);
	e.rule = sq_text(s, 2);
	e.detail = sq_text(s, 3);
	e.addr = sq_text(s, 4);
	return (cb->fn.e(cb->arg, &e));
}

/* sq_evidence - an address's evidence in time order */
int
sq_evidence(void *be, const char *addr, state_evidence_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, "SELECT t, weight, rule, detail, addr FROM evidence "
	    "WHERE addr = ? ORDER BY t, id", NULL) == -1)
		return (-1);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	return (run(q, s, evidence_row, CB(e, fn, arg)));
}

/* rule_row - a rule and how much evidence it gave */
static int
rule_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	return (cb->fn.r(cb->arg, sq_text(s, 0),
	    (long)sqlite3_column_int64(s, 1)));
}

/* sq_evidence_rules - an address's rules, the most evidence first */
int
sq_evidence_rules(void *be, const char *addr, state_rule_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, "SELECT rule, count(*) FROM evidence WHERE addr = ? "
	    "GROUP BY rule ORDER BY 2 DESC, 1", NULL) == -1)
		return (-1);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	return (run(q, s, rule_row, CB(r, fn, arg)));
}

/* sq_rejects - a client's temporary (4xx) and permanent (5xx) rejects */
int
sq_rejects(void *be, const char *client, long long *t4, long long *t5)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;
	int		 rc;

	*t4 = *t5 = 0;
	if (prep2(q, &s, "SELECT coalesce(sum(CASE WHEN code >= 400 AND code "
	    "< 500 THEN n END), 0), coalesce(sum(CASE WHEN code >= 500 THEN n "
	    "END), 0) FROM activity_rows WHERE kind = 'reject' AND client = ?",
	    NULL) == -1)
		return (-1);
	sqlite3_bind_text(s, 1, client, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*t4 = sqlite3_column_int64(s, 0);
		*t5 = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return (rc == SQLITE_ROW ? 0 : sq_rfail(q));
}

/* ban_row - a bans row (addr, prefix_len, family, at, until, n, score,
 * reason, manual, held) */
static int
ban_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_ban d;

	memset(&d, 0, sizeof(d));
	d.op = STATE_OP_BAN;
	d.addr = sq_text(s, 0);
	d.prefix_len = sqlite3_column_int(s, 1);
	d.family = sqlite3_column_int(s, 2);
	d.at = sqlite3_column_int64(s, 3);
	d.until = sqlite3_column_int64(s, 4);
	d.n = sqlite3_column_int(s, 5);
	d.score = sqlite3_column_double(s, 6);
	d.reason = sq_text(s, 7);
	d.manual = sqlite3_column_int(s, 8);
	d.held = sqlite3_column_int(s, 9);
	if (sqlite3_column_count(s) > 10)
		d.lifted = sqlite3_column_int64(s, 10);
	return (cb->fn.b(cb->arg, &d));
}

#define BAN_COLS	"addr, prefix_len, family, at, until, n, score, " \
	"reason, manual"

/* sq_bans_of - an address's bans in time order (schema 2: none held;
 * before 5: none known lifted) */
int
sq_bans_of(void *be, const char *addr, state_ban_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, q->version >= 5 ? "SELECT " BAN_COLS ", held, lifted "
	    "FROM bans WHERE addr = ? ORDER BY at, id" : "SELECT " BAN_COLS
	    ", held FROM bans WHERE addr = ? ORDER BY at, id", "SELECT "
	    BAN_COLS ", 0 FROM bans WHERE addr = ? ORDER BY at, id") == -1)
		return (-1);
	sqlite3_bind_text(s, 1, addr, -1, SQLITE_STATIC);
	return (run(q, s, ban_row, CB(b, fn, arg)));
}

/* sq_bans_enforced - the bans the daemon's breaker did not hold or drop
 * (never enforced); a state of schema 2 has no held column */
int
sq_bans_enforced(void *be, state_ban_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, "SELECT " BAN_COLS ", 0 FROM bans WHERE held = 0",
	    "SELECT " BAN_COLS ", 0 FROM bans") == -1)
		return (-1);
	return (run(q, s, ban_row, CB(b, fn, arg)));
}

/* running_row - the latest end of a network's bans */
static int
running_row(sqlite3_stmt *s, const struct rowcb *cb)
{
	struct state_ban d;

	memset(&d, 0, sizeof(d));
	d.addr = sq_text(s, 0);
	d.prefix_len = sqlite3_column_int(s, 1);
	d.until = sqlite3_column_int64(s, 2);
	d.reason = sq_text(s, 3);
	return (cb->fn.b(cb->arg, &d));
}

/* sq_bans_running - per network, the enforced ban ending the latest
 * after now */
int
sq_bans_running(void *be, long long now, state_ban_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	/* A bare column with max() comes from the row that has the max.
	 * What the breaker holds (held 1) waits for the daemon
	 * (state_held()); held 2 was never enforced. */
	if (prep2(q, &s, "SELECT addr, prefix_len, max(until), reason FROM "
	    "bans WHERE until > ? AND held = 0 GROUP BY addr, prefix_len",
	    NULL) == -1)
		return (-1);
	sqlite3_bind_int64(s, 1, now);
	return (run(q, s, running_row, CB(b, fn, arg)));
}

/* sq_bans_live - the enforced bans running after now, a network perhaps
 * more than once: sq_bans_running() without its GROUP BY, whose sort in
 * a temporary b-tree took 120 of the 145 ms of 100,000 bans */
int
sq_bans_live(void *be, long long now, state_ban_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;

	if (prep2(q, &s, "SELECT addr, prefix_len, until, reason FROM bans "
	    "WHERE until > ? AND held = 0", NULL) == -1)
		return (-1);
	sqlite3_bind_int64(s, 1, now);
	return (run(q, s, running_row, CB(b, fn, arg)));
}

/* sq_held - the automatic bans the daemon's breaker held and that still
 * run at now, oldest decision first */
int
sq_held(void *be, long long now, state_ban_fn *fn, void *arg)
{
	struct sq	*q = be;
	sqlite3_stmt	*s;
	int		 n;

	if (sqlite3_prepare_v2(q->db, "SELECT " BAN_COLS ", held FROM bans "
	    "WHERE held = 1 AND manual = 0 AND until > ? ORDER BY id", -1, &s,
	    NULL) != SQLITE_OK)
		return (sq_fail(q, "read the held bans"));
	sqlite3_bind_int64(s, 1, now);
	if ((n = run(q, s, ban_row, CB(b, fn, arg))) == -1)
		return (sq_fail(q, "read the held bans"));
	return (n);
}

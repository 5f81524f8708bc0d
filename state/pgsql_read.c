/*	$fivefifty: pgsql_read.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_read 3 - the reading questions, asked of the PostgreSQL state
 * SYNOPSIS
 *	int	pg_position(void *be, const char *path,
 *		    struct state_filepos *p);
 *	int	pg_journal_position(void *be, const char *key,
 *		    struct state_cursor *p);
 *	long long pg_meta(void *be, const char *key, long long dflt);
 *	long long pg_manual_seq(void *be);
 *	int	pg_snapshot(void *be, int on);
 *	int	pg_clients(void *be, int order, state_client_fn *fn,
 *		    void *arg);
 *	int	pg_clients_of(void *be, const char *addr, const char *net,
 *		    state_client_fn *fn, void *arg);
 *	int	pg_sessions(void *be, state_session_fn *fn, void *arg);
 *	int	pg_ffs(void *be, state_ff_fn *fn, void *arg);
 *	int	pg_facts(void *be, long long lo, long long hi,
 *		    state_fact_fn *fn, void *arg);
 *	int	pg_facts_span(void *be, long long *first, long long *last);
 *	int	pg_evidence(void *be, const char *addr, state_evidence_fn *fn,
 *		    void *arg);
 *	int	pg_evidence_rules(void *be, const char *addr,
 *		    state_rule_fn *fn, void *arg);
 *	int	pg_rejects(void *be, const char *client, long long *t4,
 *		    long long *t5);
 *	int	pg_bans_of(void *be, const char *addr, state_ban_fn *fn,
 *		    void *arg);
 *	int	pg_bans_enforced(void *be, state_ban_fn *fn, void *arg);
 *	int	pg_bans_running(void *be, long long now, state_ban_fn *fn,
 *		    void *arg);
 *	int	pg_held(void *be, long long now, state_ban_fn *fn, void *arg);
 *	int	pg_nodes(void *be, long long lo, long long hi,
 *		    state_node_fn *fn, void *arg);
 *	int	pg_only_node(void *be, const char *node, char *err,
 *		    size_t errlen);
 * DESCRIPTION
 *	Each answers the state.h call of the same name, with the rows in
 *	the order sqlite_read.c gives them (text compared bytewise; where
 *	SQLite's order is its storage order, the row id or the key here).
 *	Positions, journal cursors, sessions, meta numbers and the clients a
 *	scorer loads are this node's (but a reader's log time, state_now(),
 *	is the latest of the nodes': the clients and bans it reads are
 *	theirs); list and explain see every node's clients, merged (per
 *	client the row with the latest ban, then the latest score). The
 *	five-fifties, facts, evidence and rejects are every node's (a
 *	five-fifty's rows merged), or, after pg_only_node(), one node's; a
 *	writer (a node's scorer) reads back its own node's five-fifties.
 *	pg_nodes() gives every node that wrote meta numbers or facts of the
 *	hours asked. A query's rows are all fetched before the caller's
 *	function sees the first (the connection is free again: the function
 *	may ask the state).
 * DIAGNOSTICS
 *	The iterators return -1 with PostgreSQL's words in err
 *	(state_error()); pg_position(), pg_journal_position(),
 *	pg_manual_seq() and pg_held() also log them, naming the database.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgsql_int.h"

/* txt - a text column, "" for NULL */
static const char *
txt(const PGresult *r, int row, int col)
{
	return (PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

/* num - an integer column, 0 for NULL */
static long long
num(const PGresult *r, int row, int col)
{
	return (PQgetisnull(r, row, col) ? 0 :
	    strtoll(PQgetvalue(r, row, col), NULL, 10));
}

/* dbl - a real column, 0 for NULL */
static double
dbl(const PGresult *r, int row, int col)
{
	return (PQgetisnull(r, row, col) ? 0 :
	    strtod(PQgetvalue(r, row, col), NULL));
}

/* only - the node the reading calls keep (a parameter: NULL for all) */
static void
only(struct pg *q, struct pgp *a)
{
	if (q->only[0] != '\0')
		pgp_text(a, q->only);
	else
		pgp_null(a);
}

/* run - sql with p; each row to row(); the rows given, or -1 (err) */
static int
run(struct pg *q, const char *sql, const struct pgp *p,
    int (*row)(const PGresult *, int, const struct rowcb *),
    const struct rowcb *cb)
{
	PGresult	*r;
	int		 i, n;

	if ((r = pg_query(q, sql, p)) == NULL)
		return (pg_rfail(q, "read"));
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		if (row(r, i, cb) != 0) {
			i++;
			break;
		}
	PQclear(r);
	return (i);
}

/* pg_position - this node's stored position of path */
int
pg_position(void *be, const char *path, struct state_filepos *p)
{
	struct pg	*q = be;
	struct pgp	 a;
	PGresult	*r;
	int		 found;

	a.n = 0;
	pgp_text(&a, q->node);
	pgp_text(&a, path);
	if ((r = pg_query(q, "SELECT dev, ino, off, fp_len, fp FROM positions "
	    "WHERE node = $1 AND path = $2", &a)) == NULL)
		return (pg_fail(q, "read position"));
	if ((found = PQntuples(r) > 0)) {
		p->dev = (unsigned long long)num(r, 0, 0);
		p->ino = (unsigned long long)num(r, 0, 1);
		p->off = (unsigned long long)num(r, 0, 2);
		p->fp_len = (unsigned)num(r, 0, 3);
		p->fp = (unsigned long long)num(r, 0, 4);
	}
	PQclear(r);
	return (found);
}

/* pg_journal_position - this node's journal position of key: 1 and p
 * filled, 0 when there is none, -1 */
int
pg_journal_position(void *be, const char *key, struct state_cursor *p)
{
	struct pg	*q = be;
	struct pgp	 a;
	PGresult	*r;
	int		 found = 0;

	memset(p, 0, sizeof(*p));
	a.n = 0;
	pgp_text(&a, q->node);
	pgp_text(&a, key);
	if ((r = pg_query(q, "SELECT off, cursor FROM positions WHERE node = "
	    "$1 AND path = $2 AND cursor IS NOT NULL", &a)) == NULL)
		return (pg_fail(q, "read the journal position"));
	if (PQntuples(r) > 0 && strlen(txt(r, 0, 1)) < sizeof(p->cursor)) {
		p->realtime = (unsigned long long)num(r, 0, 0);
		snprintf(p->cursor, sizeof(p->cursor), "%s", txt(r, 0, 1));
		found = 1;
	}
	PQclear(r);
	return (found);
}

/* get_meta - one meta value of this node (a reader's log time: the
 * cluster's) into *v when there is one; -1 on failure */
static int
get_meta(struct pg *q, const char *key, long long *v)
{
	struct pgp	 a;
	PGresult	*r;

	a.n = 0;
	/* A reader's log time is the cluster's, the latest of its nodes',
	 * whichever host asks (and whichever node it keeps: the clients
	 * and bans it reads are every node's, as of then). */
	if (q->readonly && strcmp(key, "log_time") == 0) {
		pgp_text(&a, key);
		r = pg_query(q, "SELECT max(value) FROM meta WHERE key = $1 "
		    "HAVING count(*) > 0", &a);
	} else {
		pgp_text(&a, q->node);
		pgp_text(&a, key);
		r = pg_query(q, "SELECT value FROM meta WHERE node = $1 AND "
		    "key = $2", &a);
	}
	if (r == NULL)
		return (-1);
	if (PQntuples(r) > 0)
		*v = num(r, 0, 0);
	PQclear(r);
	return (0);
}

/* pg_meta - one meta value, or dflt */
long long
pg_meta(void *be, const char *key, long long dflt)
{
	long long	 v = dflt;

	(void)get_meta(be, key, &v);
	return (v);
}

/* pg_manual_seq - the number of the last manual action stored (0:
 * none), or -1 (logged) when the state cannot be read */
long long
pg_manual_seq(void *be)
{
	long long	 v = 0;

	if (get_meta(be, "manual_seq", &v) == -1)
		return (pg_fail(be, "read manual_seq"));
	return (v);
}

/* pg_snapshot - a repeatable-read transaction: on begins it, off ends
 * it */
int
pg_snapshot(void *be, int on)
{
	struct pg	*q = be;
	PGresult	*r;

	if ((r = pg_query(q, on ? "BEGIN ISOLATION LEVEL REPEATABLE READ" :
	    "COMMIT", NULL)) == NULL)
		return (pg_rfail(q, on ? "begin a snapshot" :
		    "end a snapshot"));
	PQclear(r);
	return (0);
}

/* client_row - a clients row of every column */
static int
client_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_client c;
	unsigned char	*mem = NULL;
	size_t		 len = 0;
	int		 rc;

	memset(&c, 0, sizeof(c));
	c.addr = txt(r, i, 0);
	c.family = (int)num(r, i, 1);
	c.prefix_len = (int)num(r, i, 2);
	c.score = dbl(r, i, 3);
	c.score_t = num(r, i, 4);
	c.first_seen = num(r, i, 5);
	c.last_seen = num(r, i, 6);
	c.bans = (int)num(r, i, 7);
	c.banned_until = num(r, i, 8);
	c.last_ban = num(r, i, 9);
	if (!PQgetisnull(r, i, 10) && (mem = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(r, i, 10), &len)) != NULL) {
		c.memory = mem;
		c.memlen = len;
	}
	rc = cb->fn.c(cb->arg, &c);
	PQfreemem(mem);
	return (rc);
}

/* listed_row - a clients row as list reads it, with the breaker's
 * state of its running ban */
static int
listed_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_client c;

	memset(&c, 0, sizeof(c));
	c.addr = txt(r, i, 0);
	c.prefix_len = (int)num(r, i, 1);
	c.score = dbl(r, i, 2);
	c.score_t = num(r, i, 3);
	c.banned_until = num(r, i, 4);
	c.bans = (int)num(r, i, 5);
	c.held = (int)num(r, i, 6);
	return (cb->fn.c(cb->arg, &c));
}

#define CLIENT_COLS	"addr, family, prefix_len, score, score_t, " \
	"first_seen, last_seen, bans, banned_until, last_ban, memory"

/* The clients as list and explain show them: per client, of the rows
 * of every node, the one with the latest ban, then the latest score. */
#define MERGED	"(SELECT DISTINCT ON (addr) * FROM clients ORDER BY addr, " \
	"banned_until DESC, score_t DESC, score DESC, node) AS clients"

/* pg_clients - this node's clients newest first (what its scorer
 * loads), or every client by ban (merged) */
int
pg_clients(void *be, int order, state_client_fn *fn, void *arg)
{
	struct pg	*q = be;
	struct pgp	 a;

	if (order == STATE_BY_LAST_SEEN) {
		a.n = 0;
		pgp_text(&a, q->node);
		return (run(q, "SELECT " CLIENT_COLS " FROM clients WHERE "
		    "node = $1 ORDER BY last_seen DESC, addr", &a, client_row,
		    CB(c, fn, arg)));
	}
	return (run(q, "SELECT addr, prefix_len, score, score_t, "
	    "banned_until, bans, (SELECT held FROM bans b WHERE b.addr = "
	    "clients.addr AND b.prefix_len = clients.prefix_len AND b.until = "
	    "clients.banned_until AND b.manual = 0 ORDER BY b.id DESC LIMIT 1) "
	    "FROM " MERGED " ORDER BY banned_until DESC, score DESC, addr", NULL,
	    listed_row, CB(c, fn, arg)));
}

/* pg_clients_of - the rows of addr and of net (NULL: none), merged */
int
pg_clients_of(void *be, const char *addr, const char *net,
    state_client_fn *fn, void *arg)
{
	struct pgp	 a;

	a.n = 0;
	pgp_text(&a, addr);
	if (net != NULL)
		pgp_text(&a, net);
	else
		pgp_null(&a);
	return (run(be, "SELECT " CLIENT_COLS " FROM (SELECT DISTINCT ON "
	    "(addr) * FROM clients WHERE addr = $1 OR addr = $2 ORDER BY addr, "
	    "banned_until DESC, score_t DESC, score DESC, node) AS clients "
	    "ORDER BY addr", &a, client_row, CB(c, fn, arg)));
}

/* session_row - one open session */
static int
session_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_session ss;
	unsigned char	*data;
	size_t		 len;
	int		 rc;

	if (PQgetisnull(r, i, 1) || (data = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(r, i, 1), &len)) == NULL)
		return (0);
	ss.key = (unsigned long long)num(r, i, 0);
	ss.data = data;
	ss.len = len;
	rc = cb->fn.s(cb->arg, &ss);
	PQfreemem(data);
	return (rc);
}

/* pg_sessions - this node's open sessions, in key order */
int
pg_sessions(void *be, state_session_fn *fn, void *arg)
{
	struct pg	*q = be;
	struct pgp	 a;

	a.n = 0;
	pgp_text(&a, q->node);
	return (run(q, "SELECT key, data FROM sessions WHERE node = $1 ORDER "
	    "BY key", &a, session_row, CB(s, fn, arg)));
}

/* ff_row - one five-fifty */
static int
ff_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_ff	 f;

	f.addr = txt(r, i, 0);
	f.name = txt(r, i, 1);
	f.first_t = num(r, i, 2);
	f.code = (int)num(r, i, 3);
	f.class = txt(r, i, 4);
	f.reason = txt(r, i, 5);
	f.retries = (long)num(r, i, 6);
	f.last_retry = num(r, i, 7);
	f.last_seen = num(r, i, 8);
	return (cb->fn.ff(cb->arg, &f));
}

/* pg_ffs - the five-fifties, by address: the nodes' rows of one merged
 * (the first rejection the earliest's, the returns of every node added
 * up, the last ones the latest); a writer's, its node's own */
int
pg_ffs(void *be, state_ff_fn *fn, void *arg)
{
	struct pg	*q = be;
	struct pgp	 a;

	a.n = 0;
	/* A writer is a node's scorer: its memory is the five-fifties it
	 * wrote (as its sessions are its own); merged rows written back
	 * as its own would count the other nodes' returns twice. */
	if (!q->readonly)
		pgp_text(&a, q->node);
	else
		only(q, &a);
	return (run(be, "SELECT DISTINCT ON (addr) addr, name, first_t, code, "
	    "class, reason, sum(retries) OVER w, max(last_retry) OVER w, "
	    "max(last_seen) OVER w FROM fivefifties WHERE ($1::text IS NULL "
	    "OR node = $1) WINDOW w AS (PARTITION BY addr) ORDER BY addr, "
	    "first_t, node", &a, ff_row, CB(ff, fn, arg)));
}

/* fact_row - one fact */
static int
fact_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_fact f;

	f.kind = txt(r, i, 0);
	f.hour = num(r, i, 1);
	f.value = txt(r, i, 2);
	f.client = txt(r, i, 3);
	f.class = txt(r, i, 4);
	f.code = (int)num(r, i, 5);
	f.n = (long)num(r, i, 6);
	f.first = num(r, i, 7);
	f.last = num(r, i, 8);
	return (cb->fn.f(cb->arg, &f));
}

/* pg_facts - the facts of the hours [lo, hi), in the order written */
int
pg_facts(void *be, long long lo, long long hi, state_fact_fn *fn, void *arg)
{
	struct pgp	 a;

	a.n = 0;
	pgp_int(&a, lo);
	pgp_int(&a, hi);
	only(be, &a);
	return (run(be, "SELECT kind, hour, value, client, class, code, n, "
	    "first, last FROM activity_rows WHERE hour >= $1 AND hour < $2 "
	    "AND ($3::text IS NULL OR node = $3) ORDER BY hour, id", &a,
	    fact_row, CB(f, fn, arg)));
}

/* pg_facts_span - the first and last hour with facts (the node's, with
 * only): 1, 0 (none) or -1 */
int
pg_facts_span(void *be, long long *first, long long *last)
{
	struct pg	*q = be;
	struct pgp	 a;
	PGresult	*r;
	int		 found;

	a.n = 0;
	only(q, &a);
	if ((r = pg_query(q, "SELECT min(hour), max(hour) FROM activity_rows "
	    "WHERE $1::text IS NULL OR node = $1", &a)) == NULL)
		return (pg_rfail(q, "read"));
	found = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
	if (found) {
		*first = num(r, 0, 0);
		*last = num(r, 0, 1);
	}
	PQclear(r);
	return (found);
}

/* evidence_row - one piece of evidence */
static int
evidence_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_evidence e;

	e.t = num(r, i, 0);
	e.weight = dbl(r, i, 1);
	e.rule = txt(r, i, 2);
	e.detail = txt(r, i, 3);
	e.addr = txt(r, i, 4);
	return (cb->fn.e(cb->arg, &e));
}

/* pg_evidence - an address's evidence in time order */
int
pg_evidence(void *be, const char *addr, state_evidence_fn *fn, void *arg)
{
	struct pgp	 a;

	a.n = 0;
	pgp_text(&a, addr);
	only(be, &a);
	return (run(be, "SELECT t, weight, rule, detail, addr FROM evidence "
	    "WHERE addr = $1 AND ($2::text IS NULL OR node = $2) ORDER BY t, "
	    "id", &a, evidence_row, CB(e, fn, arg)));
}

/* rule_row - a rule and how much evidence it gave */
static int
rule_row(const PGresult *r, int i, const struct rowcb *cb)
{
	return (cb->fn.r(cb->arg, txt(r, i, 0), (long)num(r, i, 1)));
}

/* pg_evidence_rules - an address's rules, the most evidence first */
int
pg_evidence_rules(void *be, const char *addr, state_rule_fn *fn, void *arg)
{
	struct pgp	 a;

	a.n = 0;
	pgp_text(&a, addr);
	only(be, &a);
	return (run(be, "SELECT rule, count(*) FROM evidence WHERE addr = $1 "
	    "AND ($2::text IS NULL OR node = $2) GROUP BY rule ORDER BY 2 "
	    "DESC, 1", &a, rule_row, CB(r, fn, arg)));
}

/* pg_rejects - a client's temporary (4xx) and permanent (5xx) rejects */
int
pg_rejects(void *be, const char *client, long long *t4, long long *t5)
{
	struct pg	*q = be;
	struct pgp	 a;
	PGresult	*r;

	*t4 = *t5 = 0;
	a.n = 0;
	pgp_text(&a, client);
	only(q, &a);
	if ((r = pg_query(q, "SELECT coalesce(sum(CASE WHEN code >= 400 AND "
	    "code < 500 THEN n END), 0), coalesce(sum(CASE WHEN code >= 500 "
	    "THEN n END), 0) FROM activity_rows WHERE kind = 'reject' AND "
	    "client = $1 AND ($2::text IS NULL OR node = $2)", &a)) == NULL)
		return (pg_rfail(q, "read the rejects"));
	*t4 = num(r, 0, 0);
	*t5 = num(r, 0, 1);
	PQclear(r);
	return (0);
}

/* ban_row - a bans row (addr, prefix_len, family, at, until, n, score,
 * reason, manual, held) */
static int
ban_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_ban d;

	memset(&d, 0, sizeof(d));
	d.op = STATE_OP_BAN;
	d.addr = txt(r, i, 0);
	d.prefix_len = (int)num(r, i, 1);
	d.family = (int)num(r, i, 2);
	d.at = num(r, i, 3);
	d.until = num(r, i, 4);
	d.n = (int)num(r, i, 5);
	d.score = dbl(r, i, 6);
	d.reason = txt(r, i, 7);
	d.manual = (int)num(r, i, 8);
	d.held = (int)num(r, i, 9);
	return (cb->fn.b(cb->arg, &d));
}

#define BAN_COLS	"addr, prefix_len, family, at, until, n, score, " \
	"reason, manual"

/* pg_bans_of - an address's bans in time order */
int
pg_bans_of(void *be, const char *addr, state_ban_fn *fn, void *arg)
{
	struct pgp	 a;

	a.n = 0;
	pgp_text(&a, addr);
	return (run(be, "SELECT " BAN_COLS ", held FROM bans WHERE addr = $1 "
	    "ORDER BY at, id", &a, ban_row, CB(b, fn, arg)));
}

/* pg_bans_enforced - the bans the daemon's breaker did not hold or drop */
int
pg_bans_enforced(void *be, state_ban_fn *fn, void *arg)
{
	return (run(be, "SELECT " BAN_COLS ", 0 FROM bans WHERE held = 0 "
	    "ORDER BY id", NULL, ban_row, CB(b, fn, arg)));
}

/* running_row - the latest end of a network's bans */
static int
running_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_ban d;

	memset(&d, 0, sizeof(d));
	d.addr = txt(r, i, 0);
	d.prefix_len = (int)num(r, i, 1);
	d.until = num(r, i, 2);
	d.reason = txt(r, i, 3);
	return (cb->fn.b(cb->arg, &d));
}

/* pg_bans_running - per network, the enforced ban ending the latest
 * after now (its reason with it) */
int
pg_bans_running(void *be, long long now, state_ban_fn *fn, void *arg)
{
	struct pgp	 a;

	a.n = 0;
	pgp_int(&a, now);
	return (run(be, "SELECT DISTINCT ON (addr, prefix_len) addr, "
	    "prefix_len, until, reason FROM bans WHERE until > $1 AND held = 0 "
	    "ORDER BY addr, prefix_len, until DESC, id", &a, running_row,
	    CB(b, fn, arg)));
}

/* pg_held - the automatic bans the daemon's breaker held and that still
 * run at now, oldest decision first */
int
pg_held(void *be, long long now, state_ban_fn *fn, void *arg)
{
	struct pg	*q = be;
	struct pgp	 a;
	int		 n;

	a.n = 0;
	pgp_int(&a, now);
	if ((n = run(q, "SELECT " BAN_COLS ", held FROM bans WHERE held = 1 "
	    "AND manual = 0 AND until > $1 ORDER BY id", &a, ban_row,
	    CB(b, fn, arg))) == -1)
		return (pg_fail(q, "read the held bans"));
	return (n);
}

/* node_row - a node, its log time and its counts */
static int
node_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_node n;

	n.name = txt(r, i, 0);
	n.log_time = num(r, i, 1);
	n.connects = (long)num(r, i, 2);
	n.sessions = (long)num(r, i, 3);
	n.messages = (long)num(r, i, 4);
	n.rejects = (long)num(r, i, 5);
	n.bans = num(r, i, 6);
	return (cb->fn.n(cb->arg, &n));
}

/* NODES_SQL - each node (that wrote meta numbers, or facts of the
 * hours [$1, $2)) with its log time, its facts' counts of those hours
 * and BANS (its enforced bans decided in [$3, $4)); the last
 * condition only names $3 and $4, which a parameter must be to have a
 * type */
#define NODES_SQL(BANS) "SELECT n.node, coalesce((SELECT value FROM " \
	"meta WHERE node = n.node AND key = 'log_time'), 0), " \
	"coalesce(f.connects, 0), coalesce(f.sessions, 0), " \
	"coalesce(f.messages, 0), coalesce(f.rejects, 0), " BANS " FROM " \
	"(SELECT node FROM meta UNION SELECT node FROM activity_rows WHERE " \
	"hour >= $1 AND hour < $2) n LEFT JOIN (SELECT node, sum(n) FILTER " \
	"(WHERE kind = 'session' AND class = 'smtpd') AS connects, sum(n) " \
	"FILTER (WHERE kind = 'session') AS sessions, sum(n) FILTER (WHERE " \
	"kind = 'message') AS messages, sum(n) FILTER (WHERE kind = " \
	"'reject') AS rejects FROM activity_rows WHERE hour >= $1 AND " \
	"hour < $2 GROUP BY node) f ON f.node = n.node WHERE $3::bigint " \
	"<= $4::bigint ORDER BY n.node"

/* hour_secs - the first second of an hour, clamped to the bigint range */
static long long
hour_secs(long long h)
{
	if (h <= LLONG_MIN / 3600)
		return (LLONG_MIN);
	if (h >= LLONG_MAX / 3600)
		return (LLONG_MAX);
	return (h * 3600);
}

/* pg_nodes - the nodes of the state, by name */
int
pg_nodes(void *be, long long lo, long long hi, state_node_fn *fn, void *arg)
{
	struct pg	*q = be;
	struct pgp	 a;

	a.n = 0;
	pgp_int(&a, lo);
	pgp_int(&a, hi);
	pgp_int(&a, hour_secs(lo));
	pgp_int(&a, hour_secs(hi));
	return (run(q, NODES_SQL("(SELECT count(*) FROM bans b WHERE "
	    "b.node = n.node AND b.held = 0 AND b.at >= $3 AND b.at < $4)"),
	    &a, node_row, CB(n, fn, arg)));
}

/* pg_only_node - the reading calls of what nodes saw keep node's rows
 * (NULL: every node's); -1 when no node of that name wrote here */
int
pg_only_node(void *be, const char *node, char *err, size_t errlen)
{
	struct pg	*q = be;
	struct pgp	 a;
	PGresult	*r;
	char		 msg[256];
	int		 known;

	q->only[0] = '\0';
	if (node == NULL)
		return (0);
	a.n = 0;
	pgp_text(&a, node);
	if ((r = pg_query(q, "SELECT EXISTS (SELECT 1 FROM meta WHERE node = "
	    "$1), (SELECT string_agg(DISTINCT node, ', ' ORDER BY node) FROM "
	    "meta)", &a)) == NULL) {
		snprintf(err, errlen, "%s: read the nodes: %s", q->name,
		    pg_errmsg(q, msg, sizeof(msg)));
		return (-1);
	}
	known = strcmp(PQgetvalue(r, 0, 0), "t") == 0 &&
	    strlen(node) < sizeof(q->only);
	if (!known)
		snprintf(err, errlen, "%s: no node %.64s wrote to this state "
		    "(its nodes: %s)", q->name, node, PQgetisnull(r, 0, 1) ?
		    "none yet" : PQgetvalue(r, 0, 1));
	PQclear(r);
	if (!known)
		return (-1);
	snprintf(q->only, sizeof(q->only), "%s", node);
	return (0);
}

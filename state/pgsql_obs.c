/*	$fivefifty: pgsql_obs.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_obs 3 - shared evidence in the PostgreSQL state: the
 *	observations the nodes exchange
 * SYNOPSIS
 *	int	pg_observations(void *be, long long after, state_obs_fn *fn,
 *		    void *arg);
 *	int	pg_put_obs(struct pg *q, const struct state_batch *b);
 *	int	pg_claim_clients(struct pg *q);
 * DESCRIPTION
 *	pg_put_obs() stores a batch's observations under this node's name,
 *	inside the batch's transaction (pg_write() calls it last, just
 *	before COMMIT). It first takes a transaction-level advisory lock,
 *	so that the writers of observations commit one after the other:
 *	their numbers (bigserial) are then visible in increasing order, and
 *	a reader that saw number n never sees a smaller one appear later
 *	(without the lock, a transaction that took n-1 and commits after n
 *	would be skipped by a cursor at n). Batches without observations do
 *	not take it.
 *
 *	pg_observations() hands fn the other nodes' observations numbered
 *	above after, in number order, at most OBS_READ of them a call (the
 *	caller asks again from the last number: a node that starts late
 *	catches up a slice at a time). pg_claim_clients() gives the clients
 *	rows of the first schema (no node) to this node, at open.
 * SECURITY
 *	Every value goes through parameters. The bytes are the producer's:
 *	score/share.c checks them.
 * DIAGNOSTICS
 *	pg_put_obs() and pg_claim_clients() fail as a write does (pg_fail());
 *	pg_observations() as a reading call (state_error()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "pgsql_int.h"

#define OBS_READ	"5000"	/* observations read at most a call */

/* pg_claim_clients - the clients rows of no node become this node's */
int
pg_claim_clients(struct pg *q)
{
	struct pgp	 p;
	PGresult	*r;

	p.n = 0;
	pgp_text(&p, q->node);
	if ((r = pg_query(q, "UPDATE clients SET node = $1 WHERE node = ''",
	    &p)) == NULL)
		return (pg_fail(q, "claim the clients rows"));
	PQclear(r);
	return (0);
}

/* pg_put_obs - the batch's observations, in commit order (the lock) */
int
pg_put_obs(struct pg *q, const struct state_batch *b)
{
	struct pgp	 p;
	PGresult	*r;
	size_t		 i;

	if (b->nobs == 0)
		return (0);
	if (pg_exec(q, "SELECT pg_advisory_xact_lock(" PG_EVENTS_LOCK ")") ==
	    -1)
		return (-1);
	for (i = 0; i < b->nobs; i++) {
		p.n = 0;
		pgp_text(&p, q->node);
		pgp_int(&p, b->obs[i].t);
		pgp_text(&p, b->obs[i].addr);
		pgp_blob(&p, b->obytes + b->obs[i].off, b->obs[i].len);
		if ((r = pg_call(q, "put_obs", &p, "write observations")) ==
		    NULL)
			return (-1);
		PQclear(r);
	}
	return (0);
}

/* obs_row - one observation */
static int
obs_row(const PGresult *r, int i, const struct rowcb *cb)
{
	struct state_obs o;
	unsigned char	*data;
	size_t		 len;
	int		 rc;

	if ((data = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i,
	    4), &len)) == NULL)
		return (0);
	o.id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
	o.node = PQgetvalue(r, i, 1);
	o.t = strtoll(PQgetvalue(r, i, 2), NULL, 10);
	o.addr = PQgetvalue(r, i, 3);
	o.data = data;
	o.len = len;
	rc = cb->fn.o(cb->arg, &o);
	PQfreemem(data);
	return (rc);
}

/* pg_observations - the other nodes' observations after number after */
int
pg_observations(void *be, long long after, state_obs_fn *fn, void *arg)
{
	struct pg	*q = be;
	struct rowcb	*cb = CB(o, fn, arg);
	struct pgp	 a;
	PGresult	*r;
	int		 i, n;

	a.n = 0;
	pgp_int(&a, after);
	pgp_text(&a, q->node);
	if ((r = pg_query(q, "SELECT id, node, t, addr, data FROM observations "
	    "WHERE id > $1 AND node <> $2 ORDER BY id LIMIT " OBS_READ, &a)) ==
	    NULL)
		return (pg_rfail(q, "read observations"));
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		if (obs_row(r, i, cb) != 0) {
			i++;
			break;
		}
	PQclear(r);
	return (i);
}

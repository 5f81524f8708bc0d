/*	$fivefifty: state.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	state 3 - open the state's backend and hand it each question
 * SYNOPSIS
 *	struct state *state_open(const char *path, int readonly, char *err,
 *		    size_t errlen);
 *	int	state_exists(const char *path);
 *	void	state_close(struct state *st);
 *	int	state_readonly(const struct state *st);
 *	const char *state_name(struct state *st);
 *	const char *state_error(const struct state *st);
 *	int	state_nodes(struct state *st, long long from_hour,
 *		    long long until_hour, state_node_fn *fn, void *arg);
 *	int	state_only_node(struct state *st, const char *node, char *err,
 *		    size_t errlen);
 *	int	state_write(struct state *st, struct state_batch *b);
 *	int	state_prune(struct state *st, long long now);
 *	(and each reading call of state.h)
 * DESCRIPTION
 *	state_open() chooses the backend for path (a libpq connection URI,
 *	postgresql://... or postgres://...: PostgreSQL, state/pgsql*.c;
 *	anything else a SQLite file), opens it and, unless readonly,
 *	starts the writer (queue.c) and reads the number of the last
 *	manual action stored. state_exists() tells a missing file from a
 *	state that may be there. state_nodes() and state_only_node() are
 *	a shared state's (state.h); a backend without nodes (SQLite) has
 *	none, and refuses to be restricted to one.
 *	The reading calls go to the backend as they are; state.h says what
 *	each returns. state_write() with a NULL batch is a batch its maker
 *	could not make (out of memory): said, and without state_retry() the
 *	writes after it fail, as after a failed write.
 * DIAGNOSTICS
 *	state_open() fills err with the path, the reason and what to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state_int.h"
#include "util/util.h"

/* state_is_uri - whether path is a libpq connection URI (a server's
 * state), not a file */
int
state_is_uri(const char *path)
{
	return (strncmp(path, "postgresql://", 13) == 0 ||
	    strncmp(path, "postgres://", 11) == 0);
}

/* state_schema_known - 0 when a backend's schema version is one this
 * fivefifty knows (at most known), else -1 with err saying so */
int
state_schema_known(int version, int known, char *err, size_t errlen)
{
	if (version <= known)
		return (0);
	snprintf(err, errlen, "the state database is of schema %d, newer "
	    "than this fivefifty knows (%d)", version, known);
	return (-1);
}

/* state_exists - a file that exists, or a URI (its server says) */
int
state_exists(const char *path)
{
	return (state_is_uri(path) || access(path, F_OK) == 0);
}

/* state_open - the state at path, opened (created) and migrated */
struct state *
state_open(const char *path, int readonly, char *err, size_t errlen)
{
	struct state	*st;
	char		 shown[1024];

	err[0] = '\0';
	/* st->path is the name messages show: a URI's password never is. */
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(state_shown(path, shown, sizeof(shown)))) ==
	    NULL) {
		free(st);
		snprintf(err, errlen, "%s: out of memory", state_shown(path,
		    shown, sizeof(shown)));
		return (NULL);
	}
	/* A libpq connection URI: PostgreSQL; anything else a file. */
	st->ops = state_is_uri(path) ? &state_pgsql_ops : &state_sqlite_ops;
	st->readonly = readonly;
	if ((st->be = st->ops->open(path, readonly, err, errlen)) == NULL) {
		free(st->path);
		free(st);
		return (NULL);
	}
	if (readonly)
		return (st);
	/* A second core stores while the first scores, when the backend
	 * may be used from two threads. */
	(void)queue_start(st);
	st->manual_stored = st->ops->meta(st->be, "manual_seq", 0);
	return (st);
}

/* state_close - store what is pending, stop the writer, close */
void
state_close(struct state *st)
{
	if (st == NULL)
		return;
	queue_stop(st);
	st->ops->close(st->be);
	free(st->path);
	free(st);
}

/* state_readonly - whether the state was opened for reading only */
int
state_readonly(const struct state *st)
{
	return (st->readonly);
}

/* state_name - the state's name, for messages (no password) */
const char *
state_name(struct state *st)
{
	return (st->path);
}

/* state_error - the last reading call's failure ("" when none) */
const char *
state_error(const struct state *st)
{
	return (st->ops->error(st->be));
}

/* state_write - hand a batch to the writer: one transaction */
int
state_write(struct state *st, struct state_batch *b)
{
	if (b == NULL) {
		log_warnx("state database %s: out of memory for a flush",
		    st->path);
		if (!st->retry)
			st->failed = 1;
		return (-1);
	}
	return (queue_put(st, b));
}

/* state_prune - evidence, facts and five-fifties older than the
 * retention before log time now, once a day of log time */
int
state_prune(struct state *st, long long now)
{
	if (state_sync(st) == -1)
		return (-1);
	return (st->ops->prune(st->be, now, STATE_RETENTION));
}

/* state_position - the stored position of path */
int
state_position(struct state *st, const char *path, struct state_filepos *p)
{
	return (st->ops->position(st->be, path, p));
}

/* state_journal_position - the stored journal position of key */
int
state_journal_position(struct state *st, const char *key,
    struct state_cursor *p)
{
	return (st->ops->journal_position(st->be, key, p));
}

/* state_now - the log time of the last write (0: none yet) */
long long
state_now(struct state *st)
{
	return (st->ops->meta(st->be, "log_time", 0));
}

/* state_meta - a meta number, or dflt */
long long
state_meta(struct state *st, const char *key, long long dflt)
{
	return (st->ops->meta(st->be, key, dflt));
}

/* state_manual_seq - the last manual action stored, or -1 (logged) */
long long
state_manual_seq(struct state *st)
{
	return (st->ops->manual_seq(st->be));
}

/* state_snapshot - reads between on and off see one moment */
int
state_snapshot(struct state *st, int on)
{
	return (st->ops->snapshot(st->be, on));
}

/* state_clients - every client, in order */
int
state_clients(struct state *st, int order, state_client_fn *fn, void *arg)
{
	return (st->ops->clients(st->be, order, fn, arg));
}

/* state_clients_of - the rows of addr and of its prefix net */
int
state_clients_of(struct state *st, const char *addr, const char *net,
    state_client_fn *fn, void *arg)
{
	return (st->ops->clients_of(st->be, addr, net, fn, arg));
}

/* state_sessions - the open sessions */
int
state_sessions(struct state *st, state_session_fn *fn, void *arg)
{
	return (st->ops->sessions(st->be, fn, arg));
}

/* state_ffs - the five-fifties */
int
state_ffs(struct state *st, state_ff_fn *fn, void *arg)
{
	return (st->ops->ffs(st->be, fn, arg));
}

/* state_facts - the facts of the hours [from_hour, until_hour) */
int
state_facts(struct state *st, long long from_hour, long long until_hour,
    state_fact_fn *fn, void *arg)
{
	return (st->ops->facts(st->be, from_hour, until_hour, fn, arg));
}

/* state_evidence - an address's evidence in time order */
int
state_evidence(struct state *st, const char *addr, state_evidence_fn *fn,
    void *arg)
{
	return (st->ops->evidence(st->be, addr, fn, arg));
}

/* state_evidence_rules - an address's rules, most evidence first */
int
state_evidence_rules(struct state *st, const char *addr, state_rule_fn *fn,
    void *arg)
{
	return (st->ops->evidence_rules(st->be, addr, fn, arg));
}

/* state_rejects - a client's temporary and permanent rejects */
int
state_rejects(struct state *st, const char *client, long long *temporary,
    long long *permanent)
{
	return (st->ops->rejects(st->be, client, temporary, permanent));
}

/* state_bans_of - an address's bans in time order */
int
state_bans_of(struct state *st, const char *addr, state_ban_fn *fn,
    void *arg)
{
	return (st->ops->bans_of(st->be, addr, fn, arg));
}

/* state_bans_enforced - every ban the breaker did not hold or drop */
int
state_bans_enforced(struct state *st, state_ban_fn *fn, void *arg)
{
	return (st->ops->bans_enforced(st->be, fn, arg));
}

/* state_bans_running - per network, its enforced ban running at now */
int
state_bans_running(struct state *st, long long now, state_ban_fn *fn,
    void *arg)
{
	return (st->ops->bans_running(st->be, now, fn, arg));
}

/* state_held - the held automatic bans running at now, oldest first */
int
state_held(struct state *st, long long now, state_ban_fn *fn, void *arg)
{
	return (st->ops->held(st->be, now, fn, arg));
}

/* state_nodes - a shared state's nodes, by name (none: SQLite) */
int
state_nodes(struct state *st, long long from_hour, long long until_hour,
    state_node_fn *fn, void *arg)
{
	if (st->ops->nodes == NULL)
		return (0);
	return (st->ops->nodes(st->be, from_hour, until_hour, fn, arg));
}

/* state_only_node - the reading calls of what nodes saw give node's rows
 * alone (NULL: every node's) */
int
state_only_node(struct state *st, const char *node, char *err,
    size_t errlen)
{
	if (st->ops->only_node == NULL) {
		if (node == NULL)
			return (0);
		snprintf(err, errlen, "%s is a SQLite state, one host's: it "
		    "has no nodes to choose from (a node is a host sharing a "
		    "PostgreSQL state; leave out --node)", st->path);
		return (-1);
	}
	return (st->ops->only_node(st->be, node, err, errlen));
}

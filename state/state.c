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
 *	struct state *state_open_with(const char *path, int readonly,
 *		    const struct state_opts *o, char *err, size_t errlen);
 *	int	state_node_check(const char *name, char *why, size_t whylen);
 *	const char *state_node(struct state *st);
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
 *	int	state_shared(const struct state *st);
 *	int	state_observations(struct state *st, long long after,
 *		    state_obs_fn *fn, void *arg);
 *	int	state_watch_start(struct state *st, char *err, size_t errlen);
 *	int	state_watch_fd(struct state *st);
 *	int	state_watch_bans(struct state *st, state_ban_fn *fn,
 *		    void *arg);
 *	int	state_watch_up(struct state *st, long long *since);
 *	(and each reading call of state.h)
 * DESCRIPTION
 *	state_open() chooses the backend for path (a libpq connection URI,
 *	postgresql://... or postgres://...: PostgreSQL, state/pgsql*.c;
 *	anything else a SQLite file), opens it and, unless readonly,
 *	starts the writer (queue.c) and reads the number of the last
 *	manual action stored. state_open_with() does so with a node's name
 *	and, for PostgreSQL, a local directory: the outbox and the cache
 *	are opened there first; the batches the outbox holds are stored
 *	(in order, before anything is read, so that what is read is
 *	current) when the server answers; when it does not and there is a
 *	cache, the state opens on it: the reading calls the daemon's start
 *	makes (positions, journal cursors, meta numbers, running bans) are
 *	answered by the cache brought up to date with the outbox, the
 *	clients, sessions, five-fifties and held bans are none, and the
 *	other reading calls fail, saying so, until the writer reaches the
 *	server. state_exists() tells a missing file from a state that may
 *	be there. The
 *	state_watch_*() calls go to a backend that has them (PostgreSQL:
 *	pgsql_watch.c); a SQLite state has no other node: nothing to start,
 *	no descriptor (-1), no rows, not followed (-1). state_nodes() and
 *	state_only_node() are a shared state's (state.h); a backend without
 *	nodes (SQLite) has none, and refuses to be restricted to one.
 *	The reading calls go to the backend as they are; state.h says what
 *	each returns. state_write() with a NULL batch is a batch its maker
 *	could not make (out of memory): said, and without state_retry() the
 *	writes after it fail, as after a failed write.
 * DIAGNOSTICS
 *	state_open() fills err with the path, the reason and what to do.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* state_node_check - a node's name: printable ASCII, no space, short */
int
state_node_check(const char *name, char *why, size_t whylen)
{
	size_t	i, n = strlen(name);

	for (i = 0; i < n; i++)
		if (name[i] <= 0x20 || name[i] >= 0x7f)
			break;
	if (n == 0 || n >= STATE_NODE_MAX || i < n) {
		snprintf(why, whylen, "a node name: printable ASCII without "
		    "spaces, 1 to %d bytes", STATE_NODE_MAX - 1);
		return (-1);
	}
	return (0);
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
	return (state_open_with(path, readonly, NULL, err, errlen));
}

/* set_node - the node's name: o's, or the host name; -1 with err */
static int
set_node(struct state *st, const struct state_opts *o, char *err,
    size_t errlen)
{
	char		 host[256], why[128];
	const char	*n = o != NULL && o->node != NULL && o->node[0] !=
	    '\0' ? o->node : NULL;

	if (n == NULL) {
		if (gethostname(host, sizeof(host)) == -1 || host[0] == '\0')
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		n = host;
	}
	if (state_node_check(n, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "node_name %.80s: not %s (set node_name "
		    "in the configuration%s)", n, why, n == host ? ": the host "
		    "name does not do" : "");
		return (-1);
	}
	memcpy(st->node, n, strlen(n) + 1);	/* checked: it fits */
	return (0);
}

/* catch_up - the outbox's batches the cache does not have yet (a kill
 * between the two) applied to it */
static void
catch_up(struct state *st)
{
	struct state_batch *b;
	long long	 seq = cache_meta(st->cache, "batch_seq", 0), s;
	char		 why[PATH_MAX + 256];

	for (s = outbox_first(st->ob); s != 0 && s <= outbox_last(st->ob);
	    s++) {
		if (s <= seq)
			continue;
		if ((b = outbox_get(st->ob, s, why, sizeof(why))) == NULL)
			continue;	/* a gap in the numbers, or set aside */
		cache_apply(st->cache, b);
		state_batch_free(b);
	}
}

/* count_ban - cache_bans_running(): a ban counted */
static int
count_ban(void *arg, const struct state_ban *d)
{
	(void)arg;
	(void)d;
	return (0);
}

/* open_local - the outbox and the cache in o->local_dir; -1 with err */
static int
open_local(struct state *st, const struct state_opts *o, char *err,
    size_t errlen)
{
	if ((st->ob = outbox_open(o->local_dir, o->outbox_max, err,
	    errlen)) == NULL || (st->cache = cache_open(o->local_dir, err,
	    errlen)) == NULL)
		return (-1);
	catch_up(st);
	st->ob_max = o->outbox_max;
	st->spooled = outbox_count(st->ob);
	st->spooled_bytes = outbox_bytes(st->ob);
	return (0);
}

/* state_free - what state_open_with() allocated */
static void
state_free(struct state *st)
{
	outbox_close(st->ob);
	cache_close(st->cache);
	free(st->path);
	free(st->name);
	free(st);
}

/* state_open_with - the state at path with a node's name and a local
 * directory for the outbox and the cache (PostgreSQL) */
struct state *
state_open_with(const char *path, int readonly, const struct state_opts *o,
    char *err, size_t errlen)
{
	struct state	*st;
	char		 shown[4096];
	int		 local;

	err[0] = '\0';
	/* st->name is the name messages show: a URI's password never is. */
	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->path = strdup(path)) == NULL ||
	    (st->name = strdup(state_shown(path, shown, sizeof(shown)))) ==
	    NULL) {
		if (st != NULL)
			free(st->path);
		free(st);
		snprintf(err, errlen, "out of memory opening a state");
		return (NULL);
	}
	st->wake_fd = -1;	/* queue_start() makes it */
	/* A libpq connection URI: PostgreSQL; anything else a file. */
	st->ops = state_is_uri(path) ? &state_pgsql_ops : &state_sqlite_ops;
	st->readonly = readonly;
	local = !readonly && o != NULL && o->local_dir != NULL &&
	    st->ops == &state_pgsql_ops;
	if (set_node(st, o, err, errlen) == -1 || (local && open_local(st, o,
	    err, errlen) == -1)) {
		state_free(st);
		return (NULL);
	}
	/* Without a cache, a server that does not answer stops the start:
	 * there is nothing to enforce or to go on from. */
	if ((st->be = st->ops->open(path, readonly, st->node, local &&
	    cache_exists(st->cache), err, errlen)) == NULL) {
		state_free(st);
		return (NULL);
	}
	if (readonly)
		return (st);
	if (local) {
		st->on_cache = !st->ops->link(st->be);
		if (st->on_cache) {
			st->link_down = (long long)time(NULL);
			st->link_retry_ms = 0;	/* at once */
			log_warnx("state database %s: PostgreSQL cannot be "
			    "reached (%s): starting on the cache %s/cache: its "
			    "%lld running bans are enforced and the logs are "
			    "read on from where this node stopped; scoring "
			    "starts without the clients' history, and the "
			    "writes go to the outbox until it is back",
			    st->name, st->ops->error(st->be), o->local_dir,
			    (long long)cache_bans_running(st->cache,
			    (long long)time(NULL), count_ban, NULL));
		}
		st->seq = state_meta(st, "batch_seq", 0);
		if (outbox_last(st->ob) > st->seq)
			st->seq = outbox_last(st->ob);
	}
	/* A second core stores while the first scores, when the backend
	 * may be used from two threads. */
	(void)queue_start(st);
	if (local && !st->on_cache) {
		queue_drain(st);	/* the outbox first, then reads */
		cache_seed(st->cache, st->ops, st->be, (long long)time(NULL));
	}
	st->manual_stored = state_meta(st, "manual_seq", 0);
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
	state_free(st);
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
	return (st->name);
}

/* state_node - the node's name in a shared state */
const char *
state_node(struct state *st)
{
	return (st->node);
}

/* on_cache - whether the reads are the cache's (PostgreSQL not reached
 * since the start) */
static int
on_cache(const struct state *st)
{
	return (__atomic_load_n(&st->on_cache, __ATOMIC_ACQUIRE));
}

/* CACHE_ERR - what a reading call the cache cannot answer says */
#define CACHE_ERR	"PostgreSQL has not been reached since the daemon " \
	"started (it runs on its cache): this answer needs the server"

/* state_error - the last reading call's failure ("" when none) */
const char *
state_error(const struct state *st)
{
	return (on_cache(st) ? CACHE_ERR : st->ops->error(st->be));
}

/* state_write - hand a batch to the writer: one transaction */
int
state_write(struct state *st, struct state_batch *b)
{
	if (b == NULL) {
		log_warnx("state database %s: out of memory for a flush",
		    st->name);
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
	struct state_health h;

	if (state_sync(st) == -1 || on_cache(st))
		return (-1);
	state_health(st, &h);
	if (h.link == STATE_LINK_DOWN)
		return (-1);	/* once the server is back */
	return (st->ops->prune(st->be, now, STATE_RETENTION));
}

/* state_position - the stored position of path */
int
state_position(struct state *st, const char *path, struct state_filepos *p)
{
	if (on_cache(st))
		return (cache_position(st->cache, path, p));
	return (st->ops->position(st->be, path, p));
}

/* state_journal_position - the stored journal position of key */
int
state_journal_position(struct state *st, const char *key,
    struct state_cursor *p)
{
	if (on_cache(st))
		return (cache_journal_position(st->cache, key, p));
	return (st->ops->journal_position(st->be, key, p));
}

/* state_now - the log time of the last write (0: none yet) */
long long
state_now(struct state *st)
{
	return (state_meta(st, "log_time", 0));
}

/* state_meta - a meta number, or dflt */
long long
state_meta(struct state *st, const char *key, long long dflt)
{
	if (on_cache(st))
		return (cache_meta(st->cache, key, dflt));
	return (st->ops->meta(st->be, key, dflt));
}

/* state_manual_seq - the last manual action stored, or -1 (logged) */
long long
state_manual_seq(struct state *st)
{
	if (on_cache(st))
		return (cache_meta(st->cache, "manual_seq", 0));
	return (st->ops->manual_seq(st->be));
}

/* state_snapshot - reads between on and off see one moment */
int
state_snapshot(struct state *st, int on)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->snapshot(st->be, on));
}

/* state_clients - every client, in order */
int
state_clients(struct state *st, int order, state_client_fn *fn, void *arg)
{
	if (on_cache(st))
		return (0);	/* scoring starts from nothing */
	return (st->ops->clients(st->be, order, fn, arg));
}

/* state_clients_of - the rows of addr and of its prefix net */
int
state_clients_of(struct state *st, const char *addr, const char *net,
    state_client_fn *fn, void *arg)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->clients_of(st->be, addr, net, fn, arg));
}

/* state_sessions - the open sessions */
int
state_sessions(struct state *st, state_session_fn *fn, void *arg)
{
	if (on_cache(st))
		return (0);
	return (st->ops->sessions(st->be, fn, arg));
}

/* state_ffs - the five-fifties */
int
state_ffs(struct state *st, state_ff_fn *fn, void *arg)
{
	if (on_cache(st))
		return (0);
	return (st->ops->ffs(st->be, fn, arg));
}

/* state_facts - the facts of the hours [from_hour, until_hour) */
int
state_facts(struct state *st, long long from_hour, long long until_hour,
    state_fact_fn *fn, void *arg)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->facts(st->be, from_hour, until_hour, fn, arg));
}

/* state_facts_span - the first and last hour with facts */
int
state_facts_span(struct state *st, long long *first_hour,
    long long *last_hour)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->facts_span(st->be, first_hour, last_hour));
}

/* state_evidence - an address's evidence in time order */
int
state_evidence(struct state *st, const char *addr, state_evidence_fn *fn,
    void *arg)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->evidence(st->be, addr, fn, arg));
}

/* state_evidence_rules - an address's rules, most evidence first */
int
state_evidence_rules(struct state *st, const char *addr, state_rule_fn *fn,
    void *arg)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->evidence_rules(st->be, addr, fn, arg));
}

/* state_rejects - a client's temporary and permanent rejects */
int
state_rejects(struct state *st, const char *client, long long *temporary,
    long long *permanent)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->rejects(st->be, client, temporary, permanent));
}

/* state_bans_of - an address's bans in time order */
int
state_bans_of(struct state *st, const char *addr, state_ban_fn *fn,
    void *arg)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->bans_of(st->be, addr, fn, arg));
}

/* state_bans_enforced - every ban the breaker did not hold or drop */
int
state_bans_enforced(struct state *st, state_ban_fn *fn, void *arg)
{
	if (on_cache(st))
		return (-1);
	return (st->ops->bans_enforced(st->be, fn, arg));
}

/* state_bans_running - per network, its enforced ban running at now */
int
state_bans_running(struct state *st, long long now, state_ban_fn *fn,
    void *arg)
{
	if (on_cache(st))
		return (cache_bans_running(st->cache, now, fn, arg));
	return (st->ops->bans_running(st->be, now, fn, arg));
}

/* state_bans_live - the enforced bans running at now, a network perhaps
 * more than once (the caller keeps the latest end) */
int
state_bans_live(struct state *st, long long now, state_ban_fn *fn,
    void *arg)
{
	if (on_cache(st) || st->ops->bans_live == NULL)
		return (state_bans_running(st, now, fn, arg));
	return (st->ops->bans_live(st->be, now, fn, arg));
}

/* state_held - the held automatic bans running at now, oldest first */
int
state_held(struct state *st, long long now, state_ban_fn *fn, void *arg)
{
	if (on_cache(st))
		return (0);	/* held bans are not cached */
	return (st->ops->held(st->be, now, fn, arg));
}

/* state_shared - whether nodes share the state (it has node names) */
int
state_shared(const struct state *st)
{
	return (st->ops->observations != NULL);
}

/* state_observations - the other nodes' observations after number after,
 * in order */
int
state_observations(struct state *st, long long after, state_obs_fn *fn,
    void *arg)
{
	if (st->ops->observations == NULL)
		return (0);
	return (st->ops->observations(st->be, after, fn, arg));
}

/* state_watch_start - follow the other nodes' bans (a backend of one
 * node: nothing to follow, 0) */
int
state_watch_start(struct state *st, char *err, size_t errlen)
{
	err[0] = '\0';
	return (st->ops->watch_start != NULL ? st->ops->watch_start(st->be,
	    err, errlen) : 0);
}

/* state_watch_fd - readable when the other nodes' bans wait; -1: none */
int
state_watch_fd(struct state *st)
{
	return (st->ops->watch_fd != NULL ? st->ops->watch_fd(st->be) : -1);
}

/* state_watch_bans - the other nodes' bans and unbans that wait, to fn */
int
state_watch_bans(struct state *st, state_ban_fn *fn, void *arg)
{
	return (st->ops->watch_bans != NULL ? st->ops->watch_bans(st->be, fn,
	    arg) : 0);
}

/* state_watch_up - whether the other nodes' bans are followed: 1, 0
 * (down since *since), -1 (not followed) */
int
state_watch_up(struct state *st, long long *since)
{
	return (st->ops->watch_up != NULL ? st->ops->watch_up(st->be, since) :
	    -1);
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
		    "PostgreSQL state; leave out --node)", st->name);
		return (-1);
	}
	return (st->ops->only_node(st->be, node, err, errlen));
}

/*	$fivefifty: pgsql_watch.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	pgsql_watch 3 - the bans and unbans of the other nodes, as they
 *	commit (LISTEN fivefifty_bans)
 * SYNOPSIS
 *	int	pg_watch_start(void *be, char *err, size_t errlen);
 *	int	pg_watch_fd(void *be);
 *	int	pg_watch_bans(void *be, state_ban_fn *fn, void *arg);
 *	int	pg_watch_up(void *be, long long *since);
 *	void	pg_watch_stop(struct pg *q);
 * DESCRIPTION
 *	A node learns what the others ban and unban from ban_events
 *	(pgsql_write.c adds a row for each, in commit order, and sends
 *	NOTIFY fivefifty_bans at the commit). The watch has its own libpq
 *	connection (the state's is the writer thread's) and its own thread,
 *	so that a server that is slow or away never stalls the caller: the
 *	thread connects, LISTENs, fetches the events of the other nodes
 *	with an id above the last one it saw (never from a notification's
 *	payload alone: notifications are coalesced, and lost while the
 *	connection is down), and queues them; when the connection fails it
 *	reconnects with backoff (PG_WATCH_BACKOFF_MS doubled up to
 *	PG_WATCH_BACKOFF_MAX_MS) and catches up by id. Before the first
 *	connection knows an id (the server was away at the start), or when
 *	the events after the last id seen were pruned, it gives instead
 *	every ban of the other nodes that still runs (by the wall clock).
 *
 *	pg_watch_start() connects, LISTENs and reads the last event's id,
 *	synchronously (so that every event committed after the caller's
 *	next reading of the bans in force is given), then starts the
 *	thread: 0, or -1 with err when the thread or its memory cannot be
 *	had; a server that cannot be reached is not an error (the thread
 *	tries again). pg_watch_fd() is an eventfd that is readable when
 *	rows wait (-1 before the start). pg_watch_bans() hands the rows
 *	queued to fn, in commit order, as struct state_ban: op
 *	STATE_OP_BAN (a ban in force: its row as it is now, until may be
 *	past when it was lifted since) or STATE_OP_LIFT (addr, prefix_len,
 *	at), node naming the node that made it, every row whatever fn
 *	returns (none is fetched again); it returns how many.
 *	pg_watch_up() is 1 while the connection is up, else 0 with since
 *	(wall clock) when it went down; -1 before the start. pg_watch_stop()
 *	stops the thread and closes its connection (state_close()).
 * SECURITY
 *	The URI (with any password) is kept in memory for the reconnection;
 *	messages name the state by its name, the password hidden. Values go
 *	through parameters.
 * DIAGNOSTICS
 *	The connection's loss and its return are logged once each
 *	(log_warnx(), log_info()), naming the database.
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgsql_int.h"
#include "util/util.h"

#define PG_WATCH_BACKOFF_MS	500
#define PG_WATCH_BACKOFF_MAX_MS	10000
#define PG_WATCH_CONNECT_MS	10000	/* a connection attempt at most */
#define PG_WATCH_BATCH		1000	/* events a fetch */
#define PG_WATCH_QUEUE_MAX	8192	/* rows queued before the thread
					 * waits for the caller */

/* A ban or unban of another node, queued for the caller. */
struct wrow {
	int		 op;
	char		 addr[STATE_ADDR_MAX];
	int		 prefix_len, family, n, manual;
	long long	 at, until;
	double		 score;
	char		 reason[STATE_REASON_MAX];
	char		 node[PG_NODE_MAX];
};

struct pg_watch {
	struct pg	*q;
	char		*uri;
	char		 node[PG_NODE_MAX];
	PGconn		*conn;		/* the thread's */
	long long	 last;		/* the last event id seen; -1: none */
	pthread_t	 thread;
	pthread_mutex_t	 mtx;
	pthread_cond_t	 cv;		/* the queue was taken */
	int		 efd;		/* rows wait */
	int		 qfd;		/* quit */
	struct wrow	*rows;
	size_t		 nrows, caprows;
	int		 up;
	_Atomic int	 quit;
	long long	 down_since;
	long		 backoff_ms;
};

/* now_wall - the wall clock, seconds */
static long long
now_wall(void)
{
	return ((long long)time(NULL));
}

/* mono_ms - the monotonic clock, milliseconds */
static long long
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* wake - the caller's eventfd made readable */
static void
wake(int fd)
{
	uint64_t	one = 1;

	(void)!write(fd, &one, sizeof(one));
}

/* wait_quit - sleep ms unless told to quit; 1 when told */
static int
wait_quit(struct pg_watch *w, int fd, short ev, long ms)
{
	struct pollfd	 p[2] = { { w->qfd, POLLIN, 0 }, { fd, ev, 0 } };

	if (poll(p, fd >= 0 ? 2 : 1, (int)ms) == -1 && errno != EINTR)
		return (0);
	return ((p[0].revents & POLLIN) != 0);
}

/* connect_watch - a connection, without blocking beyond its deadline
 * nor past a quit; NULL with why */
static PGconn *
connect_watch(struct pg_watch *w, char *why, size_t len)
{
	/* Named, so that an administrator (and a test) can tell it. */
	static const char *const kw[] = { "dbname", "application_name",
	    NULL };
	PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
	const char	*val[] = { w->uri, "fivefifty watch", NULL };
	long long	 end = mono_ms() + PG_WATCH_CONNECT_MS;
	PGconn		*c;
	short		 ev;

	if ((c = PQconnectStartParams(kw, val, 1)) == NULL) {
		snprintf(why, len, "%s", pg_dl_error() != NULL ?
		    pg_dl_error() : "out of memory");
		return (NULL);
	}
	while (PQstatus(c) != CONNECTION_BAD) {
		if (ps == PGRES_POLLING_OK)
			return (c);
		if (ps == PGRES_POLLING_FAILED)
			break;
		ev = ps == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		if (mono_ms() >= end) {
			snprintf(why, len, "connection timed out");
			PQfinish(c);
			return (NULL);
		}
		if (wait_quit(w, PQsocket(c), ev, end - mono_ms())) {
			snprintf(why, len, "stopped");
			PQfinish(c);
			return (NULL);
		}
		ps = PQconnectPoll(c);
	}
	snprintf(why, len, "%s", PQerrorMessage(c));
	why[strcspn(why, "\n")] = '\0';
	PQfinish(c);
	return (NULL);
}

/* exec_ok - SQL without rows on the watch's connection; -1 */
static int
exec_ok(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);
	int		 ok = r != NULL && PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	return (ok ? 0 : -1);
}

/* rows_of - the rows of sql with its parameters; NULL (the connection's
 * error) */
static PGresult *
rows_of(PGconn *c, const char *sql, const struct pgp *p)
{
	PGresult	*r;

	r = PQexecParams(c, sql, p != NULL ? p->n : 0, NULL, p != NULL ?
	    p->v : NULL, p != NULL ? p->len : NULL, p != NULL ? p->fmt : NULL,
	    0);
	if (r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK)
		return (r);
	PQclear(r);
	return (NULL);
}

/* num - an integer column, 0 for NULL */
static long long
num(const PGresult *r, int i, int col)
{
	return (PQgetisnull(r, i, col) ? 0 : strtoll(PQgetvalue(r, i, col),
	    NULL, 10));
}

/* push - a row of r (the columns of EVENT_COLS) queued for the caller;
 * waits while the queue is full; -1 when told to quit or out of memory */
static int
push(struct pg_watch *w, const PGresult *r, int i)
{
	struct wrow	*nr, *x;
	size_t		 cap;

	pthread_mutex_lock(&w->mtx);
	while (w->nrows >= PG_WATCH_QUEUE_MAX && !w->quit)
		pthread_cond_wait(&w->cv, &w->mtx);
	if (w->quit)
		goto fail;
	if (w->nrows == w->caprows) {
		cap = w->caprows * 2 + 64;
		if ((nr = reallocarray(w->rows, cap, sizeof(*nr))) == NULL)
			goto fail;
		w->rows = nr;
		w->caprows = cap;
	}
	x = &w->rows[w->nrows++];
	memset(x, 0, sizeof(*x));
	x->op = num(r, i, 1) == 1 ? STATE_OP_LIFT : STATE_OP_BAN;
	snprintf(x->node, sizeof(x->node), "%s", PQgetvalue(r, i, 2));
	snprintf(x->addr, sizeof(x->addr), "%s", PQgetvalue(r, i, 3));
	x->prefix_len = (int)num(r, i, 4);
	x->at = num(r, i, 5);
	x->family = (int)num(r, i, 6);
	x->until = num(r, i, 7);
	x->n = (int)num(r, i, 8);
	x->score = PQgetisnull(r, i, 9) ? 0 : strtod(PQgetvalue(r, i, 9),
	    NULL);
	snprintf(x->reason, sizeof(x->reason), "%s", PQgetvalue(r, i, 10));
	x->manual = (int)num(r, i, 11);
	if (x->family == 0)	/* an unban: the family of its address */
		x->family = strchr(x->addr, ':') != NULL ? 6 : 4;
	pthread_mutex_unlock(&w->mtx);
	return (0);
fail:
	pthread_mutex_unlock(&w->mtx);
	return (-1);
}

/* Columns: id, op, node, addr, prefix_len, at, family, until, n, score,
 * reason, manual. */
#define EVENT_SQL "SELECT e.id, e.op, e.node, e.addr, e.prefix_len, e.at, " \
	"b.family, b.until, b.n, b.score, b.reason, b.manual FROM ban_events " \
	"e LEFT JOIN bans b ON b.id = e.ban_id WHERE e.id > $1 AND e.node <> " \
	"$2 AND (e.op = 1 OR b.held = 0) ORDER BY e.id LIMIT $3"
#define RUNNING_SQL "SELECT DISTINCT ON (addr, prefix_len) 0, 0, node, " \
	"addr, prefix_len, at, family, until, n, score, reason, manual FROM " \
	"bans WHERE until > $1 AND held = 0 AND node <> $2 ORDER BY addr, " \
	"prefix_len, until DESC, id"

/* last_id - the last event's id (0: none), into *id; -1 */
static int
last_id(PGconn *c, long long *id, long long *first)
{
	PGresult	*r;

	if ((r = rows_of(c, "SELECT coalesce(max(id), 0), coalesce(min(id), "
	    "0) FROM ban_events", NULL)) == NULL)
		return (-1);
	*id = num(r, 0, 0);
	if (first != NULL)
		*first = num(r, 0, 1);
	PQclear(r);
	return (0);
}

/* resync - every ban of the other nodes still running, and the last
 * event's id, from one snapshot; -1 */
static int
resync(struct pg_watch *w)
{
	struct pgp	 p;
	PGresult	*r = NULL;
	long long	 id;
	int		 i, n;

	if (exec_ok(w->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ") == -1)
		return (-1);
	p.n = 0;
	pgp_int(&p, now_wall());
	pgp_text(&p, w->node);
	if (last_id(w->conn, &id, NULL) == -1 ||
	    (r = rows_of(w->conn, RUNNING_SQL, &p)) == NULL) {
		(void)exec_ok(w->conn, "ROLLBACK");
		return (-1);
	}
	(void)exec_ok(w->conn, "COMMIT");
	n = PQntuples(r);
	for (i = 0; i < n; i++)
		if (push(w, r, i) == -1)
			break;
	PQclear(r);
	if (n > 0)
		wake(w->efd);
	w->last = id;
	return (i == n ? 0 : -1);
}

/* catch_up - the events of the other nodes after the last seen, queued
 * (or, when they are not all there any more, a resync); -1 */
static int
catch_up(struct pg_watch *w)
{
	struct pgp	 p;
	PGresult	*r;
	long long	 top, first;
	int		 i, n, k = 0;

	if (w->last < 0)
		return (resync(w));
	if (last_id(w->conn, &top, &first) == -1)
		return (-1);
	if (top <= w->last)
		return (0);
	if (first > w->last + 1) {
		log_warnx("state database %s: the ban events after %lld were "
		    "pruned: taking every running ban of the other nodes",
		    w->q->name, w->last);
		return (resync(w));
	}
	do {
		p.n = 0;
		pgp_int(&p, w->last);
		pgp_text(&p, w->node);
		pgp_int(&p, PG_WATCH_BATCH);
		if ((r = rows_of(w->conn, EVENT_SQL, &p)) == NULL)
			return (-1);
		n = PQntuples(r);
		for (i = 0; i < n; i++) {
			if (push(w, r, i) == -1) {
				PQclear(r);
				return (-1);
			}
			w->last = num(r, i, 0);
			k++;
		}
		PQclear(r);
		if (n > 0)
			wake(w->efd);
	} while (n == PG_WATCH_BATCH);
	/* Our own events up to top are not fetched again. */
	if (top > w->last)
		w->last = top;
	return (k);
}

/* link_down - the connection is lost: closed, said once */
static void
link_down(struct pg_watch *w, const char *reason)
{
	char	why[256];

	snprintf(why, sizeof(why), "%s", reason);	/* may be conn's */
	why[strcspn(why, "\n")] = '\0';
	if (w->conn != NULL) {
		PQfinish(w->conn);
		w->conn = NULL;
	}
	pthread_mutex_lock(&w->mtx);
	if (w->up || w->down_since == 0) {
		w->up = 0;
		w->down_since = now_wall();
		pthread_mutex_unlock(&w->mtx);
		log_warnx("state database %s: the bans of the other nodes "
		    "cannot be followed: %s; reconnecting", w->q->name, why);
		return;
	}
	pthread_mutex_unlock(&w->mtx);
}

/* link_up - connect and LISTEN; 0, or -1 with the connection closed */
static int
link_up(struct pg_watch *w)
{
	char		 why[256];
	int		 was;

	if ((w->conn = connect_watch(w, why, sizeof(why))) == NULL) {
		link_down(w, why);
		return (-1);
	}
	if (exec_ok(w->conn, "SET statement_timeout = '60s'") == -1 ||
	    exec_ok(w->conn, "LISTEN " PG_CHANNEL) == -1) {
		snprintf(why, sizeof(why), "LISTEN: %s",
		    PQerrorMessage(w->conn));
		why[strcspn(why, "\n")] = '\0';
		link_down(w, why);
		return (-1);
	}
	pthread_mutex_lock(&w->mtx);
	was = w->down_since != 0;
	w->up = 1;
	w->down_since = 0;
	pthread_mutex_unlock(&w->mtx);
	if (was)
		log_info("state database %s: following the bans of the other "
		    "nodes again", w->q->name);
	return (0);
}

/* backoff - wait before the next attempt, longer each time; 1 when
 * told to quit */
static int
backoff(struct pg_watch *w)
{
	if (wait_quit(w, -1, 0, w->backoff_ms))
		return (1);
	w->backoff_ms = w->backoff_ms * 2 > PG_WATCH_BACKOFF_MAX_MS ?
	    PG_WATCH_BACKOFF_MAX_MS : w->backoff_ms * 2;
	return (0);
}

/* watch_main - the thread: connect, catch up, wait for notifications;
 * a notification's payload is not needed (catch_up() reads by id) */
static void *
watch_main(void *arg)
{
	struct pg_watch	*w = arg;
	PGnotify	*nt;

	while (!w->quit) {
		if (w->conn == NULL && link_up(w) == -1) {
			if (backoff(w))
				break;
			continue;
		}
		if (catch_up(w) == -1) {
			if (w->quit)
				break;
			link_down(w, PQerrorMessage(w->conn));
			if (backoff(w))
				break;
			continue;
		}
		w->backoff_ms = PG_WATCH_BACKOFF_MS;
		if (wait_quit(w, PQsocket(w->conn), POLLIN, -1))
			break;
		if (PQconsumeInput(w->conn) == 0) {
			link_down(w, PQerrorMessage(w->conn));
			continue;
		}
		while ((nt = PQnotifies(w->conn)) != NULL)
			PQfreemem(nt);
	}
	return (NULL);
}

/* pg_watch_start - connect, LISTEN, read the last id; the thread */
int
pg_watch_start(void *be, char *err, size_t errlen)
{
	struct pg	*q = be;
	struct pg_watch	*w;
	char		 why[256];

	if (q->watch != NULL)
		return (0);
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->uri = strdup(q->uri)) == NULL) {
		free(w);
		snprintf(err, errlen, "%s: out of memory", q->name);
		return (-1);
	}
	w->q = q;
	snprintf(w->node, sizeof(w->node), "%s", q->node);
	w->last = -1;
	w->efd = w->qfd = -1;
	w->backoff_ms = PG_WATCH_BACKOFF_MS;
	pthread_mutex_init(&w->mtx, NULL);
	pthread_cond_init(&w->cv, NULL);
	if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1 ||
	    (w->qfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: eventfd: %s", q->name,
		    strerror(errno));
		goto fail;
	}
	/* LISTEN before the id: nothing committed after it is missed. */
	if ((w->conn = connect_watch(w, why, sizeof(why))) == NULL ||
	    exec_ok(w->conn, "SET statement_timeout = '60s'") == -1 ||
	    exec_ok(w->conn, "LISTEN " PG_CHANNEL) == -1 ||
	    last_id(w->conn, &w->last, NULL) == -1) {
		if (w->conn != NULL) {
			snprintf(why, sizeof(why), "%s",
			    PQerrorMessage(w->conn));
			why[strcspn(why, "\n")] = '\0';
		}
		w->last = -1;
		link_down(w, why);
	} else
		w->up = 1;
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
		snprintf(err, errlen, "%s: cannot start the thread that "
		    "follows the other nodes' bans", q->name);
		goto fail;
	}
	q->watch = w;
	return (0);
fail:
	if (w->conn != NULL)
		PQfinish(w->conn);
	if (w->efd != -1)
		close(w->efd);
	if (w->qfd != -1)
		close(w->qfd);
	pthread_mutex_destroy(&w->mtx);
	pthread_cond_destroy(&w->cv);
	free(w->uri);
	free(w);
	return (-1);
}

/* pg_watch_fd - readable when rows wait; -1 before the start */
int
pg_watch_fd(void *be)
{
	struct pg	*q = be;

	return (q->watch != NULL ? q->watch->efd : -1);
}

/* pg_watch_bans - the rows queued, to fn in order; how many */
int
pg_watch_bans(void *be, state_ban_fn *fn, void *arg)
{
	struct pg	*q = be;
	struct pg_watch	*w = q->watch;
	struct state_ban d;
	struct wrow	*rows;
	uint64_t	 v;
	size_t		 n, i;

	if (w == NULL)
		return (0);
	(void)!read(w->efd, &v, sizeof(v));
	pthread_mutex_lock(&w->mtx);
	rows = w->rows;
	n = w->nrows;
	w->rows = NULL;
	w->nrows = w->caprows = 0;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mtx);
	for (i = 0; i < n; i++) {
		memset(&d, 0, sizeof(d));
		d.op = rows[i].op;
		d.addr = rows[i].addr;
		d.prefix_len = rows[i].prefix_len;
		d.family = rows[i].family;
		d.at = rows[i].at;
		d.until = rows[i].until;
		d.n = rows[i].n;
		d.score = rows[i].score;
		d.reason = rows[i].reason;
		d.manual = rows[i].manual;
		d.node = rows[i].node;
		(void)fn(arg, &d);	/* each is given: none is fetched
					 * again */
	}
	free(rows);
	return ((int)i);
}

/* pg_watch_up - 1 up; 0 down, since when; -1 not started */
int
pg_watch_up(void *be, long long *since)
{
	struct pg	*q = be;
	int		 up;

	if (q->watch == NULL)
		return (-1);
	pthread_mutex_lock(&q->watch->mtx);
	up = q->watch->up;
	if (since != NULL)
		*since = q->watch->down_since;
	pthread_mutex_unlock(&q->watch->mtx);
	return (up);
}

/* pg_watch_stop - the thread stopped, its connection closed */
void
pg_watch_stop(struct pg *q)
{
	struct pg_watch	*w = q->watch;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	w->quit = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mtx);
	wake(w->qfd);
	pthread_join(w->thread, NULL);
	if (w->conn != NULL)
		PQfinish(w->conn);
	close(w->efd);
	close(w->qfd);
	pthread_mutex_destroy(&w->mtx);
	pthread_cond_destroy(&w->cv);
	explicit_bzero(w->uri, strlen(w->uri));
	free(w->uri);
	free(w->rows);
	free(w);
	q->watch = NULL;
}

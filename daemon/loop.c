/*	$fivefifty: loop.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	loop 3 - fivefifty run: tailer, parser, scorer, enforcer, state
 * SYNOPSIS
 *	int	daemon_run(const struct daemon_args *a);
 * DESCRIPTION
 *	Start-up: as root, make the user's directories and drop to it
 *	(privs.c); open the state (as node_name) and load the scorer from it; open the
 *	enforcer with the state's running bans and reconcile the kernel sets
 *	and the map (wire_fw_open()); follow each mail_log from its stored
 *	position (from its end the first time); listen on the control
 *	socket; READY. The log is the mail_log files or the journal
 *	(source.c; log_source).
 *
 *	The loop: poll() the tailer, the signalfd, the control socket and
 *	clients, the firewall's monitor, and the other nodes' bans
 *	(cluster.c), sleeping until the nearest deadline (the next state
 *	flush, the enforcer's, the watchdog's, the tailer's retry); the
 *	lines a round logged are written before it sleeps (log_defer()). A
 *	line is parsed and scored. Lines of the files, on two CPUs or more,
 *	are parsed on a parse thread (parse/par.c) and scored here in their
 *	order, each with its position; a round's lines are all scored
 *	before its bans go to the kernel, unless more is there to read at
 *	once (a burst: meanwhile the thread parses). The journal's are
 *	parsed here: its position is its reader's. A decision (a ban, a
 *	manual ban, an unban) goes to the enforcer and is flushed to the
 *	kernel at once, so a ban is in the set a fraction of a millisecond
 *	after its line is read. The state and the positions of the lines
 *	read are flushed once a second (FLUSH_MS) in one transaction, by the
 *	state's writer thread. The timers also write metrics_file every
 *	metrics_interval (metrics.c counts: each line and event read, each
 *	ban and, from a read to the kernel's ack, its latency). On a state shared by nodes, each flush first
 *	applies the other nodes' observations stored since the last
 *	(score_ingest(): shared evidence, polled once a second), and a ban
 *	or unban is written as soon as the writer is free rather than at
 *	the next tick (urgent): the other nodes learn of it at its commit.
 *
 *	On PostgreSQL (state_db a URI) the state's writer keeps an outbox
 *	and a cache in state_directory (state.h): while the server is away
 *	the flushes are spooled there and the daemon scores and enforces on;
 *	when the outbox is full, the log is not read (as when the writer is
 *	behind) until it drains. Started while the server is away, it runs
 *	on the cache: the bans it last knew are enforced, the logs read on
 *	from where it stopped.
 *
 *	Order and crashes: a kill -9 loses at most the last second of
 *	state; the tailer restarts from the last committed positions, so
 *	those lines are read and scored again, and the kernel set is
 *	reconciled from the state at start. Nothing is counted twice and
 *	nothing is lost.
 * SIGNALS
 *	TERM, INT: flush the state and the map, exit 0. HUP: re-read the
 *	configuration; when it is broken, say where and keep the running
 *	one; else apply it (scoring, firewall, map, followed logs) keeping
 *	the state.
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "daemon_int.h"
#include "parse/par.h"
#include "util/util.h"

#define FLUSH_MS	1000	/* state flush period */
#define STATUS_MS	5000	/* sd_notify STATUS period */
#define READ_BUDGET	250	/* lines between control and signal turns */
#define STALL_MS	20	/* a flush waiting for the writer looks at it
				 * so often, without its wake descriptor */

static void	flush_state(struct daemon *);

/* now_ms - the monotonic clock in milliseconds */
long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* breaker_log - loudly, once a minute, while the breaker is open */
static void
breaker_log(struct daemon *d)
{
	struct breaker_stats bs;
	char		 u[32];

	if (!breaker_report(d->br, time(NULL)))
		return;
	breaker_stats(d->br, &bs);
	log_warnx("ban rate above ban_rate_limit = %d new bans a minute: "
	    "the breaker is open since %s, %zu ban decisions held (at most "
	    "%zu), %llu dropped; scoring goes on and the held bans are "
	    "enforced as the rate falls. Forged log lines? See log_hostname "
	    "in fivefifty.conf(5)", bs.limit, utc_text(bs.since, u, sizeof(u)),
	    bs.held, bs.cap, bs.dropped);
}

/* release_held - the held decisions the breaker lets through now, to
 * the enforcer; how many */
static int
release_held(struct daemon *d)
{
	struct score_decision dec;
	char		 u[32];
	int		 k = 0;

	while (breaker_release(d->br, time(NULL), &dec) == 1) {
		k++;
		d->bans++;
		statewrite_mark(d, &dec, SCORE_MARK_RELEASED);
		if (wire_fw_decision(d->fw, &dec) == -1)
			log_warnx("not enforced (protected): %s", dec.addr);
		metrics_ban(&d->m, &dec, 0);	/* not this read's line */
		log_info("ban %s until %s (ban %d, score %.1f, held by the "
		    "breaker): %s", dec.addr, utc_text(dec.until, u, sizeof(u)),
		    dec.ban_count, dec.score, dec.reason);
	}
	return (k);
}

/* decide - hand the scorer's decisions to the enforcer and, when now
 * is set, flush them to the kernel (else fw_pending says one is due);
 * how many */
static int
decide(struct daemon *d, int now)
{
	struct score_decision dec;
	char		 u[32];
	int		 k = 0, r;

	k = release_held(d);
	while (scorer_decision(d->s, &dec) == 1) {
		k++;
		if (dec.lift || dec.manual) {	/* held ones of it are void */
			breaker_forget(d->br, dec.addr, dec.prefix_len);
			statewrite_mark(d, &dec, SCORE_MARK_FORGOTTEN);
		}
		if (!dec.lift && !dec.manual) {
			r = breaker_offer(d->br, &dec, time(NULL));
			if (r != 1) {	/* held, or dropped: the hold is full */
				statewrite_mark(d, &dec, r == 0 ?
				    SCORE_MARK_HELD : SCORE_MARK_DROPPED);
				continue;
			}
		}
		if (dec.lift) {
			d->unbans++;
			(void)fw_unban(d->fw, &dec.net);
			log_info("unban %s", dec.addr);
			continue;
		}
		d->bans++;
		if (wire_fw_decision(d->fw, &dec) == -1) {
			log_warnx("not enforced (protected): %s", dec.addr);
			metrics_ban(&d->m, &dec, 0);	/* never in the kernel */
		} else
			metrics_ban(&d->m, &dec, 1);
		log_info("ban %s until %s (ban %d, score %.1f): %s", dec.addr,
		    utc_text(dec.until, u, sizeof(u)), dec.ban_count,
		    dec.score, dec.reason);
	}
	if (k > 0) {
		d->dirty = 1;
		d->fw_pending = 1;
		/* The other nodes learn of it at its commit: not a second
		 * later, at the next flush, but as soon as the writer is
		 * free. */
		if (state_shared(d->st))
			d->urgent = 1;
	}
	if (now && d->fw_pending) {
		/* Into the kernel now; the state follows within FLUSH_MS. */
		d->fw_pending = 0;
		(void)fw_flush(d->fw, time(NULL));
		/* The ban latency, of the bans this batch holds. */
		metrics_acked(&d->m, d->conf->fw.mode != FW_OFF &&
		    fw_stats(d->fw)->fw_ok);
	}
	return (k);
}

/* enforce - decide(), flushed to the kernel at once */
static int
enforce(struct daemon *d)
{
	return (decide(d, 1));
}

/* clock_warn - a line refused for its time: say so, once a minute */
static void
clock_warn(struct daemon *d)
{
	unsigned long long n;
	long long	 t, now = time(NULL);
	char		 u[32], c[32];

	if ((n = scorer_clock_rejects(d->s, &t)) == d->clock_warned ||
	    (d->clock_warn_at != 0 && now - d->clock_warn_at < 60))
		return;
	d->clock_warned = n;
	d->clock_warn_at = now;
	log_warnx("a line stamped %s is more than clock_tolerance from the "
	    "log clock (%s) and the wall clock: not scored, the clock "
	    "stays (%llu such lines so far; see clock_rejected in status)",
	    t >= -62135596800LL && t <= 253402300799LL ? utc_text(t, u,
	    sizeof(u)) : "out of range", utc_text(scorer_now(d->s), c,
	    sizeof(c)), n);
}

/* protects - scorer_set_protect(): what the enforcer refuses, so the
 * state never says banned what is not */
static int
protects(void *arg, const struct net_prefix *n)
{
	struct daemon	*d = arg;

	return (d->fw != NULL && fw_refuses(d->fw, n));
}

/* scored - one parsed line, in log order: its position, and its event
 * (NULL: none) scored */
static void
scored(struct daemon *d, int file, const struct tail_pos *pos,
    const struct pf_event *ev)
{
	if (file >= 0 && file < d->npos)
		wire_pos(&d->pos[file].pos, pos);
	if (ev == NULL)
		return;
	if (d->conf->log_hostname[0] != '\0' && !pf_span_eq(ev->host,
	    d->conf->log_hostname)) {
		d->other_host++;	/* not the host named: not scored */
		return;
	}
	d->events++;
	metrics_event(&d->m, d->source, ev);
	scorer_event(d->s, ev, pf_event_epoch_cached(ev, &d->ec));
	/* A flood: batches stay bounded. While the writer is behind, the
	 * log waits (this read's few lines more at most, and the lines the
	 * parse thread holds: its ring, 2,560 at most), not the control
	 * socket nor the signals: flush_state() would block the loop. */
	if (scorer_backlog(d->s)) {
		if (state_busy(d->st))
			d->stalled = 1;
		else
			flush_state(d);
	}
	/* The kernel gets the bans of what this read brought in one flush
	 * (loop() does it when tailer_read() returns): a burst of bans
	 * costs one batch, a lone ban no more than before. */
	(void)decide(d, 0);
}

/* The position a line ends at and the time of the read that brought
 * it, carried with it through the parse threads (a line may be scored a
 * round later: its bans' latency counts from its own read). */
struct line_at {
	int		 file;
	struct tail_pos	 pos;
	long long	 arrival_us;
};

/* on_parsed - par_fn: a line parsed on a parse thread, in log order */
static void
on_parsed(void *arg, const char *line, size_t len, enum pf_result r,
    struct pf_event *ev, const void *aux)
{
	struct daemon	*d = arg;
	struct line_at	 at;
	long long	 round = d->m.arrival_us;

	(void)line;
	(void)len;
	memcpy(&at, aux, sizeof(at));
	d->m.arrival_us = at.arrival_us;
	scored(d, at.file, &at.pos, r == PF_EVENT ? ev : NULL);
	d->m.arrival_us = round;
}

/* on_line - tail_cb: one line read, parsed here or handed to the parse
 * threads (the files, on two CPUs or more) */
static int
on_line(void *arg, const struct tail_line *tl)
{
	struct daemon	*d = arg;
	struct pf_event	 ev;
	struct line_at	 at;

	d->lines++;
	d->m.lines[d->source == LOG_SOURCE_JOURNAL ? LOG_SOURCE_JOURNAL :
	    LOG_SOURCE_FILE]++;
	d->dirty = 1;
	if (d->par != NULL) {
		at = (struct line_at){ tl->file, tl->pos, d->m.arrival_us };
		par_line(d->par, tl->line, tl->len, &at);
		return (0);
	}
	scored(d, tl->file, &tl->pos, pf_parse_line(d->p, tl->line, tl->len,
	    &ev) == PF_EVENT ? &ev : NULL);
	return (0);
}

/* lines_drain - every line handed to the parse threads scored */
static void
lines_drain(struct daemon *d)
{
	if (d->par != NULL)
		par_drain(d->par);
}

/* lines_setup - a parse thread for the files on two CPUs or more, so
 * that the scoring thread only scores (in a burst of bans it was the
 * one busy CPU, a fifth of it parsing); none for the journal, whose
 * position is its reader's, not a line's */
static void
lines_setup(struct daemon *d)
{
	lines_drain(d);
	if (d->source == LOG_SOURCE_FILE && par_threads_default() >= 2) {
		if (d->par == NULL)
			d->par = par_new(2, sizeof(struct line_at), on_parsed,
			    d, d->p);
	} else if (d->par != NULL) {
		par_free(d->par);
		d->par = NULL;
	}
}

/* flush_state - the state and positions, one transaction (async) */
static void
flush_state(struct daemon *d)
{
	long long	day;

	d->last_flush_ms = now_ms();
	/* Shared evidence: the other nodes' observations, each flush (a
	 * poll a second; stored with this batch, their cursor with them);
	 * not while the writer prunes, which holds the PostgreSQL
	 * connection for as long: the next flush reads them. */
	if (!state_pruning(d->st) && score_ingest(d->st, d->s) > 0)
		d->dirty = 1;
	if (!d->dirty)
		return;
	d->dirty = 0;
	scorer_flush(d->s, scorer_now(d->s));
	(void)enforce(d);
	day = scorer_now(d->s) / 86400;
	source_positions(d);	/* the journal's cursor */
	d->urgent = 0;		/* its decisions go with this batch */
	if (score_save(d->st, d->s, d->pos, d->npos) == -1) {
		d->state_errors++;
		snprintf(d->last_error, sizeof(d->last_error), "state "
		    "database %s: write failed (see the log)",
		    state_name(d->st));
	}
	d->flushes++;
	log_debug("flush %llu: %llu lines, %llu events, %zu clients",
	    d->flushes, d->lines, d->events, scorer_nclients(d->s));
	/* Evidence past its retention goes, once a log day (as scan does
	 * at its end), by the writer once its queue is empty: waiting here
	 * for the queue, the DELETEs and the checkpoint after them would
	 * hold the loop, and every ban, for as long. */
	if (day != d->pruned_day && state_prune_later(d->st,
	    scorer_now(d->s)) == 0)
		d->pruned_day = day;
}

/* open_fw - the enforcer with the state's running bans; snap: what the
 * last stop (or the enforcer a reload replaces) left in the kernel */
static int
open_fw(struct daemon *d, const struct fw_snap *snap)
{
	int		status = 0;

	(void)state_sync(d->st);	/* the bans table is up to date */
	if ((d->fw = wire_fw_resume("run", d->conf, d->st, time(NULL), snap,
	    &status)) == NULL)
		return (status);
	return (0);
}

/* take_snap - the kernel's table as the last clean stop left it (its
 * file read and removed); 1, or 0 when there is none */
static int
take_snap(const struct daemon *d, struct fw_snap *s)
{
	char		path[PATH_MAX];

	return (wire_local_path(d->conf, WIRE_SNAP_NAME, path,
	    sizeof(path)) == 0 && wire_snap_take(path, s) == 1);
}

/* save_snap - at a clean stop: what the kernel's table holds, for the
 * next start to keep (only when it is known to be exactly the bans) */
static void
save_snap(struct daemon *d)
{
	struct fw_snap	s;
	char		path[PATH_MAX], why[256];

	if (wire_local_path(d->conf, WIRE_SNAP_NAME, path, sizeof(path)) == -1)
		return;
	if (fw_snapshot(d->fw, time(NULL), &s, why, sizeof(why)) == -1) {
		log_debug("firewall: the next start fills the sets again: %s",
		    why);
		return;
	}
	(void)wire_snap_save(path, &s);
}

/* The log being read, kept while a reload opens another. */
struct old_source {
	struct tailer	*t;
	struct journal	*j;
	int		 npos, source;
	struct state_pos pos[CONF_MAX_LOGS];
	char		 pos_path[CONF_MAX_LOGS][1024];
	char		 source_why[1400], jkey[1100];
	char		 jcursor[JOURNAL_CURSOR_MAX];
};

/* SWAP - exchange a daemon's field with the old source's */
#define SWAP(a, b) do {						\
	char tmp_[sizeof(a)];					\
	_Static_assert(sizeof(a) == sizeof(b), "SWAP");		\
	memcpy(tmp_, &(a), sizeof(a));				\
	memcpy(&(a), &(b), sizeof(a));				\
	memcpy(&(b), tmp_, sizeof(a));				\
} while (0)

/* source_swap - the daemon's log and o exchanged (pos[].path and .cursor
 * point into the daemon's own arrays, which are exchanged with them) */
static void
source_swap(struct daemon *d, struct old_source *o)
{
	SWAP(d->t, o->t);
	SWAP(d->j, o->j);
	SWAP(d->npos, o->npos);
	SWAP(d->source, o->source);
	SWAP(d->pos, o->pos);
	SWAP(d->pos_path, o->pos_path);
	SWAP(d->source_why, o->source_why);
	SWAP(d->jkey, o->jkey);
	SWAP(d->jcursor, o->jcursor);
}

/* reopen_source - a reload's new log (files, journal): opened before the
 * old one is closed, which stays when the new one cannot be read */
static void
reopen_source(struct daemon *d)
{
	struct old_source *o;

	(void)state_sync(d->st);	/* the old positions stored */
	if ((o = calloc(1, sizeof(*o))) == NULL)
		fatal(EX_OSERR, "reload");
	source_swap(d, o);		/* the old one aside */
	if (source_open(d) == -1) {
		source_free(d);		/* what was opened of the new */
		source_swap(d, o);
		log_warnx("reload: the new log cannot be read (see above): "
		    "reading on as before; fix the configuration and reload "
		    "again");
	} else {
		if (o->t != NULL)
			tailer_free(o->t);
		if (o->j != NULL)
			journal_free(o->j);
		source_start(d);
		d->dirty = 1;
	}
	free(o);
}

/* reload - SIGHUP: a new configuration, or the old one kept */
static void
reload(struct daemon *d)
{
	struct ff_conf	*nc;
	struct fw_snap	 snap;
	const char	*path = NULL;
	char		 why[256];
	int		 logs_changed, have;

	notify_reloading();
	if ((nc = calloc(1, sizeof(*nc))) == NULL)
		fatal(EX_OSERR, "reload");
	if (d->args->reread(d->args->arg, nc, &path) != 0) {
		/* The file the command line's reader read: -c, the global
		 * -c or the default. */
		log_warnx("configuration %s is broken (see above): the running "
		    "configuration stays", path);
		free(nc);
		notify_ready();
		return;
	}
	lines_drain(d);
	flush_state(d);
	logs_changed = !source_same(nc, d->conf);
	if (strcmp(nc->state_db, d->conf->state_db) != 0)
		log_warnx("state_db changed: takes effect at the next start");
	snprintf(nc->state_db, sizeof(nc->state_db), "%s", d->conf->state_db);
	if (strcmp(nc->node_name, d->conf->node_name) != 0 ||
	    strcmp(nc->state_directory, d->conf->state_directory) != 0 ||
	    nc->outbox_limit != d->conf->outbox_limit)
		log_warnx("node_name, state_directory or outbox_limit changed: "
		    "takes effect at the next start");
	snprintf(nc->node_name, sizeof(nc->node_name), "%s",
	    d->conf->node_name);
	snprintf(nc->state_directory, sizeof(nc->state_directory), "%s",
	    d->conf->state_directory);
	nc->outbox_limit = d->conf->outbox_limit;
	scorer_set_conf(d->s, &nc->score);
	breaker_set_limit(d->br, nc->ban_rate_limit);
	/* The new enforcer keeps the sets when the kernel holds exactly
	 * the bans (a firewall_table unchanged). */
	(void)fw_sync(d->fw, time(NULL));
	have = fw_snapshot(d->fw, time(NULL), &snap, why, sizeof(why)) == 0;
	fw_free(d->fw);
	conf_free(d->conf);
	if (d->conf != d->orig)
		free(d->conf);
	d->conf = nc;
	if (open_fw(d, have ? &snap : NULL) != 0)
		fatalx(EX_UNAVAILABLE, "reload: the firewall is required and "
		    "unavailable");
	if (logs_changed) {
		reopen_source(d);
		lines_setup(d);
	}
	log_info("configuration reloaded");
	notify_ready();
}

/* rate_sample - events per second, smoothed over about 10 s */
static void
rate_sample(struct daemon *d, long long ms)
{
	double		 dt = (double)(ms - d->rate_ms) / 1000, r;

	if (dt < 1)
		return;
	r = (double)(d->events - d->rate_lines) / dt;
	d->rate = d->rate_ms == 0 ? r : d->rate * 0.7 + r * 0.3;
	d->rate_lines = d->events;
	d->rate_ms = ms;
}

/* reference - year-less stamps are read against the clock (parse.h), at
 * this point of the log: through the parse thread when it runs (a drain:
 * once a minute then, not every round, which would end the parallel
 * parsing of a burst) */
static void
reference(struct daemon *d)
{
	time_t	now = time(NULL);

	if (d->par == NULL) {
		pf_parser_set_reference(d->p, now);
		return;
	}
	if ((long long)now / 60 == d->ref_minute)
		return;
	d->ref_minute = (long long)now / 60;
	par_reference(d->par, now);
}

/* timers - flush, status, watchdog, enforcer deadlines */
static void
timers(struct daemon *d)
{
	struct breaker_stats bs;
	long long	ms = now_ms(), wd = notify_watchdog_ms(), fwd;

	rate_sample(d, ms);
	ctl_expire(d, ms);
	reference(d);
	breaker_stats(d->br, &bs);
	if (bs.open)
		(void)decide(d, 1);	/* what the breaker held, when due */
	breaker_stats(d->br, &bs);
	if (d->breaker_open && !bs.open)
		log_info("ban rate below ban_rate_limit again: the breaker is "
		    "closed (%llu held bans ended while held, %llu dropped)",
		    bs.expired, bs.dropped);
	d->breaker_open = bs.open;
	breaker_log(d);		/* after the batch read: the count held */
	clock_warn(d);		/* once a turn, not once a line */
	statewrite_stored(d);	/* the spool emptied once stored */
	if (statewrite_full(d))
		d->stalled = 1;	/* the outbox is full: the log waits */
	if (d->stalled && !state_busy(d->st)) {
		flush_state(d);
		d->stalled = 0;		/* the log is read again */
	} else if ((ms - d->last_flush_ms >= FLUSH_MS || d->urgent) &&
	    !state_busy(d->st))
		flush_state(d);
	fwd = fw_deadline(d->fw);
	if (fwd != 0 && fwd <= (long long)time(NULL))
		(void)fw_flush(d->fw, time(NULL));
	if (ms - d->last_status_ms >= STATUS_MS) {
		d->last_status_ms = ms;
		notify_status("%llu lines, %.1f events/s, %zu clients, %zu "
		    "bans in force%s", d->lines, d->rate, scorer_nclients(d->s),
		    fw_stats(d->fw)->bans, fw_stats(d->fw)->fw_ok ||
		    d->conf->fw.mode == FW_OFF ? "" : ", firewall unavailable");
	}
	if (wd > 0 && ms - d->last_watchdog_ms >= wd) {
		d->last_watchdog_ms = ms;
		notify_watchdog();
	}
	metrics_tick(d, ms);	/* metrics_file, when due */
}

/* wait_ms - how long poll() may sleep: until the next watchdog ping,
 * ban end or source timeout, at once while lines wait to be read; and
 * until the next flush, or, when one is due (the period, a ban, a
 * paused log) but the state's writer is busy, until the writer says it
 * stored a batch (its wake descriptor is polled; without one, STALL_MS):
 * never a turn of the loop that can do nothing */
static int
wait_ms(struct daemon *d)
{
	long long	 ms = now_ms(), w = FLUSH_MS, wd, fwd, t;
	long long	 flush = FLUSH_MS;

	if (d->dirty)
		flush = d->last_flush_ms + FLUSH_MS - ms;
	if ((wd = notify_watchdog_ms()) > 0 && d->last_watchdog_ms + wd - ms <
	    w)
		w = d->last_watchdog_ms + wd - ms;
	if ((fwd = fw_deadline(d->fw)) != 0 && (fwd - (long long)time(NULL))
	    * 1000 < w)
		w = (fwd - (long long)time(NULL)) * 1000;
	if (!d->stalled) {	/* a paused log is neither read nor timed */
		if ((t = source_timeout(d)) >= 0 && t < w)
			w = t;
		if (source_pending(d))
			w = 0;
	}
	if (d->stalled || d->urgent || flush <= 0) {
		if (!state_busy(d->st))
			w = 0;		/* timers() flushes now */
		else if (state_wake_fd(d->st) < 0 && w > STALL_MS)
			w = STALL_MS;	/* a look at the writer */
	} else if (flush < w)
		w = flush;
	return (w < 0 ? 0 : w > INT_MAX ? INT_MAX : (int)w);
}

/* signals - TERM/INT stop, HUP reload */
static void
signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d);
		else
			d->stop = 1;
	}
}

/* loop - until a signal says stop */
static void
loop(struct daemon *d)
{
	struct pollfd	 pfd[6 + CTL_CLIENTS];
	int		 n, i, k, mon;

	while (!d->stop) {
		n = 0;
		pfd[n++] = (struct pollfd){ d->sigfd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ d->stalled ? -1 : source_fd(d),
		    POLLIN, 0 };
		pfd[n++] = (struct pollfd){ d->ctl_fd, POLLIN, 0 };
		mon = fw_monitor_fd(d->fw);
		pfd[n++] = (struct pollfd){ mon, POLLIN, 0 };
		for (i = 0; i < CTL_CLIENTS; i++)
			pfd[n++] = (struct pollfd){ d->clients[i].fd, POLLIN,
			    0 };
		pfd[n++] = (struct pollfd){ cluster_fd(d), POLLIN, 0 };
		/* A flush, the paused log or a ban waiting for the writer:
		 * woken when it has stored a batch (wait_ms()). */
		pfd[n++] = (struct pollfd){ state_wake_fd(d->st), POLLIN, 0 };
		log_flush();	/* what this round logged, before sleeping */
		if (poll(pfd, (nfds_t)n, wait_ms(d)) == -1 && errno != EINTR)
			fatal(EX_OSERR, "poll");
		if (pfd[0].revents & POLLIN)
			signals(d);
		if (!d->stalled && ((pfd[1].revents & POLLIN) ||
		    source_pending(d) || source_timeout(d) == 0)) {
			/* The lines' arrival, for the ban latency. */
			d->m.arrival_us = metrics_now_us();
			if (source_read(d, on_line, READ_BUDGET) == -1)
				log_warnx("%s: read failed (see above)",
				    d->j != NULL ? "journal" : "tailer");
		}
		/* What was read is scored before the kernel gets its bans,
		 * unless more is there to read at once: meanwhile the parse
		 * thread parses what this round read. */
		if (d->stalled || !source_pending(d))
			lines_drain(d);
		if (d->fw_pending)
			(void)decide(d, 1);
		d->m.arrival_us = 0;
		if (mon >= 0 && (pfd[3].revents & POLLIN))
			(void)fw_monitor(d->fw, time(NULL));
		if (pfd[2].revents & POLLIN)
			ctl_accept(d);
		for (i = 0, k = 4; i < CTL_CLIENTS; i++, k++)
			if (pfd[k].fd >= 0 && pfd[k].fd == d->clients[i].fd &&
			    (pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				ctl_read(d, i);
		if (pfd[k].revents & POLLIN)	/* the other nodes' bans */
			cluster_read(d);
		if (pfd[k + 1].revents & POLLIN)
			state_woken(d->st);
		timers(d);
	}
}

/* canon_net - "addr" or "addr/len", checked and canonical (a single
 * address without its /32 or /128) */
static int
canon_net(const char *in, char *out, size_t len, struct net_prefix *n)
{
	if (net_parse(in, n) == -1)
		return (-1);
	net_addr_text(n, out, len);
	return (0);
}

/* manual_stored - the state stores the manual action seq with the
 * decisions queued so far (none when it is not in the spool) */
static void
manual_stored(struct daemon *d, long long seq)
{
	struct score_decision m;

	if (seq <= 0)
		return;
	memset(&m, 0, sizeof(m));
	m.at = seq;
	statewrite_mark(d, &m, SCORE_MARK_MANUAL);
	d->dirty = 1;	/* stored with the next flush, even when alone */
}

/* spool_warn - a manual action not on disk: logged, and its answer says
 * so while the state cannot store it either */
static void
spool_warn(struct daemon *d, long long seq, const char *err, char *msg,
    size_t len)
{
	struct state_health h;
	size_t		 n = strlen(msg);

	if (seq > 0)
		return;
	log_warnx("%s: %s", msg, err);
	state_health(d->st, &h);
	if (h.failing && n < len)
		snprintf(msg + n, len - n, " (not on disk yet: the state "
		    "cannot be written and the spool failed; see the log)");
}

/* daemon_ban - a manual ban from the control socket */
int
daemon_ban(struct daemon *d, const char *net, long long secs,
    const char *reason, char *msg, size_t len)
{
	struct net_prefix n;
	struct spool_entry e;
	char		 text[PF_ADDR_MAX + 8], why[64], u[32];
	char		 err[PATH_MAX + 128];
	long long	 now = time(NULL), seq;
	size_t		 k;

	if (canon_net(net, text, sizeof(text), &n) == -1) {
		snprintf(msg, len, "not an address or network: %.64s", net);
		return (-1);
	}
	if (fw_refuses(d->fw, &n)) {
		snprintf(msg, len, "%s is protected (loopback, whitelist or "
		    "this host's own address): never banned", text);
		return (-1);
	}
	k = reason_clean(why, sizeof(why), reason, strlen(reason),
	    REASON_PRINTABLE);
	memset(&e, 0, sizeof(e));
	snprintf(e.net, sizeof(e.net), "%s", text);
	e.at = now;
	e.until = now + secs;
	snprintf(e.reason, sizeof(e.reason), "%s", k > 0 ? why : "by hand");
	/* On disk before it is answered: a kill while the state cannot be
	 * written must not lose it. */
	seq = statewrite_manual(d, &e, err, sizeof(err));
	if (scorer_manual_ban(d->s, text, now, now + secs, e.reason) == -1) {
		manual_stored(d, seq);
		snprintf(msg, len, "cannot ban %s", text);
		return (-1);
	}
	manual_stored(d, seq);
	(void)enforce(d);
	flush_state(d);
	snprintf(msg, len, "banned %s until %s", text, utc_text(now + secs, u,
	    sizeof(u)));
	spool_warn(d, seq, err, msg, len);
	return (0);
}

/* daemon_unban - lift a ban from the control socket */
int
daemon_unban(struct daemon *d, const char *net, char *msg, size_t len)
{
	struct net_prefix n;
	struct spool_entry e;
	char		 text[PF_ADDR_MAX + 8], err[PATH_MAX + 128];
	long long	 seq;
	int		 was_fw;

	if (canon_net(net, text, sizeof(text), &n) == -1) {
		snprintf(msg, len, "not an address or network: %.64s", net);
		return (-1);
	}
	was_fw = fw_banned(d->fw, &n);
	memset(&e, 0, sizeof(e));
	snprintf(e.net, sizeof(e.net), "%s", text);
	e.unban = 1;
	e.at = time(NULL);
	seq = statewrite_manual(d, &e, err, sizeof(err));
	if (scorer_unban(d->s, text, e.at) == -1 && !was_fw) {
		manual_stored(d, seq);
		(void)enforce(d);	/* the evidence is forgotten anyway */
		snprintf(msg, len, "%s is not banned", text);
		return (-1);
	}
	manual_stored(d, seq);
	(void)fw_unban(d->fw, &n);
	(void)enforce(d);
	flush_state(d);
	snprintf(msg, len, "unbanned %s; its evidence is forgotten", text);
	spool_warn(d, seq, err, msg, len);
	return (0);
}

/* daemon_status - "key value" lines for `fivefifty status` */
void
daemon_status(struct daemon *d, FILE *out)
{
	const struct fw_stats *fs = fw_stats(d->fw);
	struct breaker_stats bs;
	struct passwd	*pw;
	uint64_t	 pkts = 0, bytes = 0;
	char		 u[32], mt[640];
	const char	*p;

	pw = getpwuid(geteuid());
	fprintf(out, "pid %ld\nuptime %lld\nuser %s\n", (long)getpid(),
	    (long long)time(NULL) - d->started, pw != NULL ? pw->pw_name :
	    "?");
	source_status(d, out);
	fprintf(out, "lines %llu\nevents %llu\nevents_per_second %.1f\n"
	    "clients %zu\nbans_in_force %zu\nbans_decided %llu\nunbans %llu\n",
	    d->lines, d->events, d->rate, scorer_nclients(d->s), fs->bans,
	    d->bans, d->unbans);
	fprintf(out, "firewall %s\n", d->conf->fw.mode == FW_OFF ? "off" :
	    fs->fw_ok ? "ok" : "unavailable");
	/* What our rules do; no rule of ours with firewall = sets or off,
	 * where these keys have no effect (check warns). */
	if (d->conf->fw.mode == FW_TABLE)
		fprintf(out, "firewall_action %s\nfirewall_established %s\n",
		    d->conf->fw.action == FW_REJECT ? "reject" : "drop",
		    d->conf->fw.established ? "yes" : "no");
	fprintf(out, "kernel_ranges %zu\n", fs->elements);
	if (fw_counters(d->fw, &pkts, &bytes) == 0)
		fprintf(out, "dropped_packets %llu\ndropped_bytes %llu\n",
		    (unsigned long long)pkts, (unsigned long long)bytes);
	fprintf(out, "map %s\nlast_flush %s\n",
	    fw_map_status(d->fw, mt, sizeof(mt)), fs->last_flush ?
	    utc_text(fs->last_flush, u, sizeof(u)) : "-");
	statewrite_status(d, out);
	cluster_status(d, out);
	breaker_stats(d->br, &bs);
	if (bs.open)
		fprintf(out, "breaker open since %s\n", utc_text(bs.since, u,
		    sizeof(u)));
	else
		fprintf(out, "breaker closed\n");
	fprintf(out, "held_decisions %zu\nheld_dropped %llu\n"
	    "clock_rejected %llu\nother_host_lines %llu\n", bs.held,
	    bs.dropped, scorer_clock_rejects(d->s, NULL), d->other_host);
	/* Postfix's own networks (configuration, not peer text; a newline
	 * would split the reply). */
	fputs("mynetworks ", out);
	for (p = d->conf->mynetworks_note; *p != '\0'; p++)
		fputc((unsigned char)*p < 0x20 ? ' ' : *p, out);
	fputc('\n', out);
	metrics_status(d, out);
	if (d->last_error[0] != '\0')
		fprintf(out, "last_error %s\n", d->last_error);
	else if (fs->last_error[0] != '\0')
		fprintf(out, "last_error %s\n", fs->last_error);
}

/* setup_signals - TERM, INT, HUP through a signalfd */
static int
setup_signals(void)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return (-1);
	signal(SIGPIPE, SIG_IGN);
	return (signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
}

/* start - the pipeline, the state, the enforcer, the socket and the
 * log, in that order; EX_OK, or the exit status (said) */
static int
start(struct daemon *d)
{
	struct ff_conf	*c = d->conf;
	struct state_opts so;
	struct fw_snap	 snap;
	char		 err[1024] = "";
	int		 status, have;

	if ((d->p = pf_parser_new(err, sizeof(err))) == NULL) {
		log_errx("parser: %s", err);
		return (EX_SOFTWARE);
	}
	if ((d->s = scorer_new(&c->score)) == NULL ||
	    (d->br = breaker_new(c->ban_rate_limit)) == NULL)
		fatal(EX_OSERR, "scorer");
	scorer_set_protect(d->s, protects, d);
	/* On PostgreSQL, the outbox and the cache are in state_directory. */
	so.node = c->node_name;
	so.local_dir = state_is_uri(c->state_db) ? c->state_directory : NULL;
	so.outbox_max = (long long)c->outbox_limit << 20;
	if ((d->st = state_open_with(c->state_db, 0, &so, err,
	    sizeof(err))) == NULL) {
		log_errx("state database %s", err);
		return (strncmp(err, "node_name", 9) == 0 ? EX_CONFIG :
		    EX_IOERR);
	}
	statewrite_start(d);
	/* The log's checkpoint waits for a pause, not a flood's bans. */
	state_checkpoint_idle(d->st);
	if (score_load(d->st, d->s) == -1) {
		log_errx("state database %s: cannot load it (see above)",
		    state_name(d->st));
		return (EX_IOERR);
	}
	if (score_share(d->st, d->s) == 1)	/* several nodes' evidence */
		log_info("sharing evidence with the other nodes of %s as %s",
		    state_name(d->st), state_node(d->st));
	statewrite_recover(d);		/* manual actions not stored */
	cluster_start(d);		/* before the bans in force are read */
	have = take_snap(d, &snap);
	if ((status = open_fw(d, have ? &snap : NULL)) != 0)
		return (status);
	statewrite_hold(d);		/* what the breaker held */
	if (ctl_open(d, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return (EX_UNAVAILABLE);
	}
	if (source_open(d) == -1)
		return (EX_NOINPUT);
	lines_setup(d);
	/* Commit where each log is followed from (its end, the first time)
	 * before anything else: a crash before the first line must not
	 * restart from a new end and skip what came in between. */
	source_start(d);
	d->dirty = 1;
	flush_state(d);
	if (state_sync(d->st) == -1)	/* retried: see status */
		log_warnx("state database %s: the start positions are not "
		    "stored yet (see above); retrying", state_name(d->st));
	return (EX_OK);
}

/* serve - READY, the loop until a signal says stop, the last flush; the
 * exit status */
static int
serve(struct daemon *d)
{
	struct ff_conf	*c = d->conf;
	int		 status;

	d->last_flush_ms = d->last_watchdog_ms = now_ms();
	d->last_status_ms = 0;	/* a STATUS right after READY */
	log_info("following %s%s; %zu bans in force; control socket %s",
	    d->j != NULL ? "the journal" : c->mail_log[0], d->j == NULL &&
	    c->nmail_log > 1 ? " and more" : "", fw_stats(d->fw)->bans,
	    c->control_socket);
	log_info("never banned: loopback, the whitelist, this host's "
	    "addresses, and Postfix's mynetworks: %s", c->mynetworks_note);
	notify_ready();
	log_defer(1);		/* a round's lines in one write (util/log.c) */
	loop(d);
	log_defer(0);

	notify_stopping();
	log_info("stopping: flushing the state");
	lines_drain(d);
	d->dirty = 1;
	flush_state(d);
	status = state_sync(d->st) == -1 || d->state_errors ? EX_IOERR :
	    EX_OK;
	(void)fw_sync(d->fw, time(NULL));
	save_snap(d);
	metrics_stop(d);	/* a stopped daemon shows no metrics */
	return (status);
}

/* teardown - close and free what start() opened, whatever it got to */
static void
teardown(struct daemon *d)
{
	ctl_close(d);
	par_free(d->par);	/* drained: nothing is scored here */
	d->par = NULL;
	source_free(d);
	fw_free(d->fw);
	state_close(d->st);
	scorer_free(d->s);
	breaker_free(d->br);
	spool_close(d->sp);
	pf_parser_free(d->p);
	if (d->sigfd != -1)
		close(d->sigfd);
	if (d->conf != d->orig) {	/* a reloaded configuration */
		conf_free(d->conf);
		free(d->conf);
	}
}

/* daemon_run - fivefifty run */
int
daemon_run(const struct daemon_args *a)
{
	struct daemon	 d;
	char		 err[1024] = "";
	int		 status, i;

	memset(&d, 0, sizeof(d));
	d.args = a;
	d.conf = d.orig = a->conf;
	d.verbose = a->verbose;
	d.ctl_fd = d.sigfd = -1;
	for (i = 0; i < CTL_CLIENTS; i++)
		d.clients[i].fd = -1;
	d.started = time(NULL);
	/* A mail_log that cannot be followed stops the start before
	 * anything is made or touched (table, socket, state). */
	if (daemon_log_source(d.conf, d.started, err, sizeof(err)) ==
	    LOG_SOURCE_FILE && source_files_ok(d.conf) == -1)
		return (EX_NOINPUT);
	if (privs_prepare(d.conf, err, sizeof(err)) == -1 ||
	    privs_drop(d.conf, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		return (EX_CONFIG);
	}
	if ((d.sigfd = setup_signals()) == -1)
		fatal(EX_OSERR, "signalfd");
	if ((status = start(&d)) == EX_OK)
		status = serve(&d);
	teardown(&d);
	return (status);
}

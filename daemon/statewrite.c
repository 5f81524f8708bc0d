/*	$fivefifty: statewrite.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	statewrite 3 - the daemon's side of storing the state
 * SYNOPSIS
 *	void	statewrite_start(struct daemon *d);
 *	void	statewrite_recover(struct daemon *d);
 *	void	statewrite_hold(struct daemon *d);
 *	long long statewrite_manual(struct daemon *d, struct spool_entry *e,
 *		    char *err, size_t errlen);
 *	void	statewrite_mark(struct daemon *d,
 *		    const struct score_decision *dec, int mark);
 *	void	statewrite_stored(struct daemon *d);
 *	void	statewrite_status(struct daemon *d, FILE *out);
 *	int	statewrite_full(struct daemon *d);
 * DESCRIPTION
 *	The state's writer (state/queue.c) stores each flush in one
 *	transaction. statewrite_start() makes it retry a failed write (a
 *	locked database, a full disk) with backoff, 1 s doubling to 60 s,
 *	keeping the batches in order in a bounded queue, coalescing the
 *	newest beyond its cap (positions, clients, bans and unbans are kept;
 *	evidence and report facts beyond their own caps are dropped and
 *	counted); it resumes by itself.
 *
 *	On PostgreSQL the state keeps an outbox instead (state/queue.c): the
 *	flushes are spooled to disk while the server is away and replayed in
 *	order when it is back; statewrite_full() says when that outbox is
 *	full (loudly, once a minute): the caller stops reading its logs then,
 *	so that no line is lost.
 *
 *	What must survive a kill while writes fail: an administrator's ban
 *	or unban goes to the spool (spool.c: STATE_DB-manual, or, on
 *	PostgreSQL, state_directory/manual) before it is
 *	answered (statewrite_manual()), and statewrite_recover() applies at
 *	start the ones the state does not have, before the enforcer is
 *	reconciled; statewrite_stored() empties the spool once the state has
 *	them all. What the ban-rate breaker held is noted in the state with
 *	the ban (statewrite_mark(), SCORE_MARK_*), so statewrite_hold() holds
 *	it again after a restart instead of enforcing every held ban at once.
 *
 *	statewrite_status() writes the status lines about it:
 *	"state ok" or "state failing since T: PATH: what: reason (...)",
 *	"state_pending N" (batches not stored yet) and "state_errors N"
 *	(failed writes since the start), "manual_unstored N" (manual actions
 *	the state does not have yet: only in the spool), and on PostgreSQL
 *	the cluster link: "cluster link: ok", or "cluster link: down since
 *	T, N spooled writes" (", outbox full" when it is; ", on the cache"
 *	when the daemon started without the server and has not reached it
 *	since); nothing on SQLite.
 * SECURITY
 *	The reason is SQLite's message and the configured path; a newline in
 *	either would split the status reply, so controls become spaces.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon_int.h"
#include "util/util.h"
#include "wire/wire.h"

/* statewrite_start - failed writes wait and are retried */
void
statewrite_start(struct daemon *d)
{
	state_retry(d->st, 1);
}

/* statewrite_status - the state, state_pending and state_errors lines */
void
statewrite_status(struct daemon *d, FILE *out)
{
	struct state_health h;
	char		 u[32], *p;

	state_health(d->st, &h);
	for (p = h.reason; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (!h.failing)
		fprintf(out, "state ok\n");
	else if (h.failing_since != 0)
		fprintf(out, "state failing since %s: %s (the changes are kept "
		    "in memory; next attempt within %ld s)\n",
		    utc_text(h.failing_since, u, sizeof(u)), h.reason,
		    h.retry_ms / 1000);
	else
		fprintf(out, "state failing: %s\n", h.reason);
	fprintf(out, "state_pending %d\nstate_errors %llu\n", h.pending,
	    d->state_errors + h.failures);
	if (h.coalesced > 0 || h.dropped > 0)
		fprintf(out, "state_coalesced %llu\nstate_dropped %llu\n",
		    h.coalesced, h.dropped);
	if (d->sp != NULL)
		fprintf(out, "manual_unstored %lld\n", spool_unstored(d->sp,
		    h.manual_stored));
	if (h.link == STATE_LINK_OK)
		fprintf(out, "cluster link: ok%s\n", h.spooled > 0 ?
		    ", replaying the outbox" : "");
	else if (h.link == STATE_LINK_DOWN)
		fprintf(out, "cluster link: down since %s, %lld spooled "
		    "writes%s%s\n", utc_text(h.link_down_since, u, sizeof(u)),
		    h.spooled, h.outbox_full ? ", outbox full" : "",
		    h.on_cache ? ", on the cache" : "");
}

/* statewrite_full - whether the outbox is full (the log must wait);
 * said loudly once a minute while it is */
int
statewrite_full(struct daemon *d)
{
	static long long said;
	struct state_health h;
	long long	 now = time(NULL);

	state_health(d->st, &h);
	if (!h.outbox_full)
		return (0);
	if (now - said >= 60) {
		said = now;
		log_warnx("state database %s: the outbox is full (%lld "
		    "writes, %lld bytes; outbox_limit = %d MiB): the logs are "
		    "not read until PostgreSQL takes them; nothing is lost",
		    state_name(d->st), h.spooled, h.spooled_bytes,
		    d->conf->outbox_limit);
	}
	return (1);
}

/* statewrite_mark - a note for the state about dec (SCORE_MARK_*) */
void
statewrite_mark(struct daemon *d, const struct score_decision *dec, int mark)
{
	if (scorer_mark(d->s, dec, mark) == -1)
		log_warnx("out of memory: %s%s", mark == SCORE_MARK_MANUAL ?
		    "the state will not know that it has the manual actions "
		    "of the spool (they are applied again at the next start)" :
		    "the state will not know what the breaker did with the "
		    "ban of ", mark == SCORE_MARK_MANUAL ? "" : dec->addr);
}

/* prefix_of - the prefix length of "addr" or "addr/len" (0: bad) */
static int
prefix_of(const char *net)
{
	struct net_prefix n;

	return (net_parse(net, &n) == 0 ? n.len : 0);
}

/* replay - one spooled manual action the state does not have, again */
static int
replay(void *arg, const struct spool_entry *e)
{
	struct daemon	*d = arg;
	struct score_decision m;

	memset(&m, 0, sizeof(m));
	if (e->unban)
		(void)scorer_unban_replayed(d->s, e->net, e->at);
	else if (e->until > (long long)time(NULL) && scorer_manual_ban(d->s,
	    e->net, e->at, e->until, e->reason[0] != '\0' ? e->reason :
	    "by hand") == 0) {
		/* What the breaker held of it is void, in the state before
		 * statewrite_hold() reads the held bans. */
		snprintf(m.addr, sizeof(m.addr), "%.*s", (int)sizeof(m.addr) - 1,
		    e->net);
		if ((m.prefix_len = prefix_of(e->net)) > 0)
			statewrite_mark(d, &m, SCORE_MARK_FORGOTTEN);
		memset(&m, 0, sizeof(m));
	}
	m.at = e->seq;
	statewrite_mark(d, &m, SCORE_MARK_MANUAL);
	return (0);
}

/* spool_path - the spool next to the state database, or in
 * state_directory (PostgreSQL) */
static int
spool_path(const struct daemon *d, char *buf, size_t len)
{
	return (wire_local_path(d->conf, "manual", buf, len));
}

/* statewrite_recover - before the enforcer opens: the manual bans and
 * unbans of the spool that the state does not have are applied again
 * and stored, so that the kernel is reconciled with them */
void
statewrite_recover(struct daemon *d)
{
	char		 path[PATH_MAX], err[PATH_MAX + 128];
	long long	 stored;
	int		 n;

	if (spool_path(d, path, sizeof(path)) == -1) {
		log_warnx("state database %s: the path of its manual ban spool "
		    "is too long; manual bans are stored with the state only",
		    state_name(d->st));
		return;
	}
	if ((d->sp = spool_open(path, err, sizeof(err))) == NULL) {
		log_warnx("%s; manual bans are stored with the state only",
		    err);
		return;
	}
	if ((stored = state_manual_seq(d->st)) == -1) {
		/* Replaying what is stored would count it twice. */
		log_warnx("manual ban spool %s: kept, not applied: the state "
		    "cannot say which of its entries it has (see above)",
		    path);
		spool_close(d->sp);
		d->sp = NULL;
		return;
	}
	if ((n = spool_read(d->sp, stored, replay, d)) <= 0)
		return;
	log_info("manual ban spool %s: %d bans and unbans made by hand that "
	    "the state had not stored, applied again", path, n);
	/* Stored now when the state can be written, so that the kernel set
	 * is reconciled with them; else they wait in the queue, and the
	 * first flush enforces them. */
	(void)score_save(d->st, d->s, d->pos, 0);
	(void)state_sync(d->st);
}

static int	hold_released, hold_dropped;	/* by statewrite_hold() */

/* rehold - one ban the breaker held before a restart, offered again */
static int
rehold(void *arg, const struct score_decision *dec)
{
	struct daemon	*d = arg;

	switch (breaker_offer(d->br, dec, (long long)time(NULL))) {
	case 1:
		d->bans++;
		hold_released++;
		if (wire_fw_decision(d->fw, dec) == -1)
			log_warnx("not enforced (protected): %s", dec->addr);
		metrics_ban(&d->m, dec, 0);
		statewrite_mark(d, dec, SCORE_MARK_RELEASED);
		break;
	case 0:
		break;		/* still held, as the state says */
	default:
		hold_dropped++;
		statewrite_mark(d, dec, SCORE_MARK_DROPPED);
		break;
	}
	return (0);
}

/* statewrite_hold - after the enforcer opened: the bans the breaker
 * held before a restart are held again (and let through at
 * ban_rate_limit a minute), not all enforced at once */
void
statewrite_hold(struct daemon *d)
{
	struct breaker_stats bs;
	int		 n;

	hold_released = hold_dropped = 0;
	state_pause(d->st, 1);
	n = score_held(d->st, (long long)time(NULL), rehold, d);
	state_pause(d->st, 0);
	if (n <= 0)
		return;
	breaker_stats(d->br, &bs);
	log_warnx("%d automatic bans were held by the ban-rate breaker before "
	    "this start: %zu are still held (at most ban_rate_limit = %d a "
	    "minute are enforced), %d enforced now, %d dropped (the hold is "
	    "full); fivefifty list shows them, fivefifty unban lifts a "
	    "forged one", n, bs.held, bs.limit, hold_released, hold_dropped);
	d->breaker_open = bs.open;
	(void)fw_flush(d->fw, time(NULL));
}

/* statewrite_manual - a manual action into the spool first; its number,
 * or -1 with why it is not on disk (the action still goes on) */
long long
statewrite_manual(struct daemon *d, struct spool_entry *e, char *err,
    size_t errlen)
{
	if (d->sp == NULL) {
		snprintf(err, errlen, "no manual ban spool (see the log)");
		return (-1);
	}
	return (spool_append(d->sp, e, err, errlen));
}

/* statewrite_stored - empty the spool once the state has all of it */
void
statewrite_stored(struct daemon *d)
{
	struct state_health h;

	if (d->sp == NULL)
		return;
	state_health(d->st, &h);
	spool_stored(d->sp, h.manual_stored);
}

/*	$fivefifty: persist.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	persist 3 - the scorer to the state's rows and back
 * SYNOPSIS
 *	int	score_save(struct state *st, struct scorer *s,
 *		    const struct state_pos *pos, int npos);
 *	int	score_load(struct state *st, struct scorer *s);
 *	int	score_held(struct state *st, long long now,
 *		    int (*fn)(void *, const struct score_decision *),
 *		    void *arg);
 *	int	score_share(struct state *st, struct scorer *s);
 *	int	score_ingest(struct state *st, struct scorer *s);
 * DESCRIPTION
 *	score_save() copies out of the scorer what changed since the last
 *	save (clients, new evidence, new bans and the daemon's notes about
 *	them, open sessions, the facts to count, five-fifties, the log time)
 *	together with the positions of the lines that produced it into a
 *	state batch (leaving out evidence and five-fifties the state's next
 *	prune would remove: older than STATE_RETENTION before the log
 *	time), and hands it to state_write(): one transaction, stored
 *	while the scorer goes on. The facts are handed over as the scorer's
 *	log and counted on the state's writer thread (count_facts()).
 *
 *	score_load() fills a scorer with the clients (up to max_clients,
 *	the most recently seen first), the open sessions and the
 *	five-fifties, and makes it track what changes (unless the state is
 *	read-only). score_held() hands fn the automatic bans the daemon's
 *	breaker held and that still run at now, as decisions, oldest first;
 *	how many, or -1.
 *
 *	score_share() makes the scorer share evidence (score/share.c) as
 *	the state's node, when the state is shared by nodes (PostgreSQL);
 *	1 then, else 0 (nothing changes). score_save() then stores the
 *	records for the other nodes with the batch, and the number of the
 *	last observation of the others applied (meta obs_cursor): what the
 *	scorer remembers and the cursor commit together, so a restart
 *	neither applies one twice nor skips one. score_ingest() applies
 *	the other nodes' observations stored since that number (all of
 *	them, a slice at a time); how many, or -1 when the state cannot be
 *	read (logged once until it can again).
 *
 *	Two things are stored as the scorer's own bytes: what the rules
 *	remember of a client (mem_pack(): only the entries in use, version
 *	CLIENT_BLOB_VERSION, or version 5 with what shared evidence
 *	remembers after it (share_pack()); version 3 is read too) and an open session
 *	(its struct, links cleared, after a version byte: version 3, which
 *	ends before the AUTH and 5xx counts, is read too). A blob that does
 *	not fit is ignored: the client is kept without a memory, the
 *	session is not restored.
 * SECURITY
 *	The blobs come from the state file: every count in them is checked
 *	against its array before anything is copied.
 * DIAGNOSTICS
 *	-1 when the state cannot be read or memory runs out, logged with
 *	log_warnx() naming the state and what failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"
#include "util/str.h"
#include "util/util.h"

#define SESSION_BLOB_VERSION	4	/* 3: without the AUTH and 5xx
					 * counts (SESSION_V3_BYTES) */
#define CLIENT_BLOB_VERSION	4	/* packed: only the entries in use;
					 * 3: without the slow-abuse counts;
					 * 5: 4, then the shared memory */
#define CLIENT_BLOB_SHARED	5
#define SESSION_BLOB	(sizeof(struct session) + 1)
_Static_assert(offsetof(struct session, sasl_lines) ==
    offsetof(struct session, passed) + sizeof(int),
    "version 3 sessions end with passed");
_Static_assert(PF_ADDR_MAX <= STATE_ADDR_MAX, "addresses fit the state");
_Static_assert(sizeof(((struct evidence *)0)->detail) <= STATE_DETAIL_MAX,
    "evidence details fit the state");
_Static_assert(sizeof(((struct score_decision *)0)->reason) <=
    STATE_REASON_MAX, "ban reasons fit the state");

/* The facts' table size the writer's thread started with last time. */
static _Thread_local size_t	fact_hint;

/* pack - put n bytes at *w */
static void
pack(unsigned char **w, const void *p, size_t n)
{
	memcpy(*w, p, n);
	*w += n;
}

/* unpack - take n bytes from *r if the blob has them; -1 if not */
static int
unpack(const unsigned char **r, const unsigned char *end, void *p, size_t n)
{
	if ((size_t)(end - *r) < n)
		return (-1);
	memcpy(p, *r, n);
	*r += n;
	return (0);
}

/* tally_ok - a tally read back: an empty one, or one with a slot length */
static int
tally_ok(const struct tally *tl)
{
	static const struct tally none;

	return (tl->width > 0 || memcmp(tl, &none, sizeof(none)) == 0);
}

/* mem_pack - the rules' memory of a client, only the entries in use */
static size_t
mem_pack(const struct client_mem *m, unsigned char *blob)
{
	static const struct client_mem none;
	unsigned char	*w = blob;
	int		 nacc;

	if (m == NULL)
		m = &none;	/* nothing remembered */
	*w++ = m->sh != NULL ? CLIENT_BLOB_SHARED : CLIENT_BLOB_VERSION;
	for (nacc = 0; nacc < ACCEPT_KEEP && m->accept_n[nacc] != 0; nacc++)
		continue;
	pack(&w, &m->nattempts, sizeof(int));
	pack(&w, &m->nunknown, sizeof(int));
	pack(&w, &nacc, sizeof(int));
	pack(&w, &m->nmembers, sizeof(int));
	pack(&w, m->attempts, (size_t)m->nattempts * sizeof(m->attempts[0]));
	pack(&w, m->unknown, (size_t)m->nunknown * sizeof(m->unknown[0]));
	pack(&w, m->unknown_t, (size_t)m->nunknown * sizeof(m->unknown_t[0]));
	pack(&w, m->accept_t, (size_t)nacc * sizeof(m->accept_t[0]));
	pack(&w, m->accept_n, (size_t)nacc * sizeof(m->accept_n[0]));
	pack(&w, m->members, (size_t)m->nmembers * sizeof(m->members[0]));
	/* Version 4: which tallies follow (bits 0-2), then them and the
	 * times and count of the slow-abuse rules. */
	*w = (unsigned char)((m->sasl.width != 0) | (m->psv.width != 0) << 1 |
	    (m->burst.width != 0) << 2);
	w++;
	if (m->sasl.width != 0)
		pack(&w, &m->sasl, sizeof(m->sasl));
	if (m->psv.width != 0)
		pack(&w, &m->psv, sizeof(m->psv));
	if (m->burst.width != 0)
		pack(&w, &m->burst, sizeof(m->burst));
	pack(&w, &m->auth_ok_t, sizeof(m->auth_ok_t));
	pack(&w, &m->own_5xx_t, sizeof(m->own_5xx_t));
	pack(&w, &m->listed_bans, sizeof(m->listed_bans));
	if (m->sh != NULL)
		w += share_pack(m->sh, w);
	return ((size_t)(w - blob));
}

/* mem_unpack_v4 - the slow-abuse part of a version 4 blob */
static int
mem_unpack_v4(struct client_mem *m, const unsigned char **r,
    const unsigned char *end)
{
	unsigned char	have = 0;

	if (unpack(r, end, &have, 1) == -1 ||
	    ((have & 1) && unpack(r, end, &m->sasl, sizeof(m->sasl)) == -1) ||
	    ((have & 2) && unpack(r, end, &m->psv, sizeof(m->psv)) == -1) ||
	    ((have & 4) && unpack(r, end, &m->burst, sizeof(m->burst)) ==
	    -1) ||
	    unpack(r, end, &m->auth_ok_t, sizeof(m->auth_ok_t)) == -1 ||
	    unpack(r, end, &m->own_5xx_t, sizeof(m->own_5xx_t)) == -1 ||
	    unpack(r, end, &m->listed_bans, sizeof(m->listed_bans)) == -1 ||
	    !tally_ok(&m->sasl) || !tally_ok(&m->psv) || !tally_ok(&m->burst))
		return (-1);
	return (0);
}

/* mem_unpack - the reverse; -1 for a blob that does not fit */
static int
mem_unpack(struct scorer *s, struct client_mem *m, const unsigned char *r,
    size_t len)
{
	const unsigned char *end = r + len;
	unsigned char	 v;
	int		 nacc;

	share_free(s, m);
	memset(m, 0, sizeof(*m));
	if (len < 1 || ((v = *r++) != CLIENT_BLOB_VERSION && v != 3 &&
	    v != CLIENT_BLOB_SHARED) ||
	    unpack(&r, end, &m->nattempts, sizeof(int)) == -1 ||
	    unpack(&r, end, &m->nunknown, sizeof(int)) == -1 ||
	    unpack(&r, end, &nacc, sizeof(int)) == -1 ||
	    unpack(&r, end, &m->nmembers, sizeof(int)) == -1 ||
	    m->nattempts < 0 || m->nattempts > ATTEMPTS_KEEP ||
	    m->nunknown < 0 || m->nunknown > UNKNOWN_KEEP || nacc < 0 ||
	    nacc > ACCEPT_KEEP || m->nmembers < 0 ||
	    m->nmembers > PREFIX_MEMBERS ||
	    unpack(&r, end, m->attempts, (size_t)m->nattempts *
	    sizeof(m->attempts[0])) == -1 ||
	    unpack(&r, end, m->unknown, (size_t)m->nunknown *
	    sizeof(m->unknown[0])) == -1 ||
	    unpack(&r, end, m->unknown_t, (size_t)m->nunknown *
	    sizeof(m->unknown_t[0])) == -1 ||
	    unpack(&r, end, m->accept_t, (size_t)nacc *
	    sizeof(m->accept_t[0])) == -1 ||
	    unpack(&r, end, m->accept_n, (size_t)nacc *
	    sizeof(m->accept_n[0])) == -1 ||
	    unpack(&r, end, m->members, (size_t)m->nmembers *
	    sizeof(m->members[0])) == -1 ||
	    (v >= 4 && mem_unpack_v4(m, &r, end) == -1) ||
	    (v == CLIENT_BLOB_SHARED && share_unpack(s, m, &r, end) == -1)) {
		share_free(s, m);
		memset(m, 0, sizeof(*m));
		return (-1);
	}
	return (0);
}

/* A fact's place in the writing order: (hour, kind), then where it was
 * found (so the order is that of a stable sort, whatever sorts it). */
struct fact_key {
	long long	 hour;
	uint64_t	 rest;		/* kind number << 32 | found at */
	const struct fact *f;
};

/* key_lt - a before b */
static int
key_lt(const struct fact_key *a, const struct fact_key *b)
{
	return (a->hour != b->hour ? a->hour < b->hour : a->rest < b->rest);
}

/* sort_keys - v[0..n) in key order, tmp the same size: a merge sort,
 * bottom up, with the comparison inline (qsort()'s calls through a
 * pointer were a fifth of the state writer's time) */
static void
sort_keys(struct fact_key *v, struct fact_key *tmp, size_t n)
{
	struct fact_key	*src = v, *dst = tmp, *t;
	size_t		 w, lo, mid, hi, i, j, k;

	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = lo + w < n ? lo + w : n;
			hi = lo + 2 * w < n ? lo + 2 * w : n;
			for (i = lo, j = mid, k = lo; i < mid && j < hi; k++)
				dst[k] = key_lt(&src[j], &src[i]) ? src[j++] :
				    src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/* count_facts - a batch's fact logs counted (on the state's writer
 * thread), handed to emit by hour and kind (state_facts_count) */
static int
count_facts(void *const *logs, const size_t *lens, int nlogs,
    state_fact_fn *emit, void *arg)
{
	struct factset	 fs;
	struct fact_log	 l;
	struct fact_key	*v = NULL;
	const struct fact *f;
	struct state_fact r;
	size_t		 i, n;
	int		 k, rc = 0;

	memset(&fs, 0, sizeof(fs));
	fs.hint = fact_hint;
	for (k = 0; k < nlogs; k++) {
		l.p = logs[k];
		l.len = l.cap = lens[k];
		facts_replay(&fs, &l);
	}
	/* Twice: the second half is the sort's room. */
	if (fs.n > 0 && (v = calloc(fs.n, 2 * sizeof(*v))) == NULL)
		rc = -1;
	for (i = 0, n = 0; rc == 0 && i < fs.slots; i++)
		for (f = fs.facts[i]; f != NULL; f = f->next, n++) {
			v[n].hour = f->hour;
			v[n].rest = (uint64_t)f->kindno << 32 | n;
			v[n].f = f;
		}
	if (rc == 0 && n > 0) {
		sort_keys(v, v + n, n);
		for (i = 0; i < n; i++) {
			f = v[i].f;
			r.kind = f->kind;
			r.value = f->value;
			r.client = f->client;
			r.class = f->class;
			r.hour = f->hour;
			r.code = f->code;
			r.n = f->n;
			r.first = f->first;
			r.last = f->last;
			if (emit(arg, &r) != 0)
				break;
		}
	}
	free(v);
	factset_free(&fs);
	fact_hint = fs.hint;	/* its size: the next one's start */
	return (rc);
}

/* save_clients - the clients changed since the last save */
static int
save_clients(struct state_batch *b, const struct scorer *s)
{
	unsigned char	 blob[sizeof(struct client_mem) +
	    sizeof(struct client_share) + 32];
	struct state_client r;
	const struct client *c;

	memset(&r, 0, sizeof(r));
	for (c = s->dirty; c != NULL; c = c->dirty_next) {
		r.addr = c->addr;
		r.family = c->family;
		r.prefix_len = c->prefix_len;
		r.bans = c->bans;
		r.score = c->score;
		r.score_t = c->score_t;
		r.first_seen = c->first_seen;
		r.last_seen = c->last_seen;
		r.banned_until = c->banned_until;
		r.last_ban = c->last_ban;
		r.memlen = mem_pack(c->m, blob);
		r.memory = blob;
		if (state_batch_client(b, &r) == -1)
			return (-1);
	}
	return (0);
}

/* save_sessions - every open session, as its bytes */
static int
save_sessions(struct state_batch *b, const struct scorer *s)
{
	unsigned char	 blob[SESSION_BLOB];
	struct state_session r;
	struct session	*ss, copy;

	for (ss = s->oldest; ss != NULL; ss = ss->newer) {
		memcpy(&copy, ss, sizeof(copy));	/* padding too */
		copy.next = copy.older = copy.newer = NULL;
		blob[0] = SESSION_BLOB_VERSION;
		memcpy(blob + 1, &copy, sizeof(copy));
		r.key = ss->key;
		r.data = blob;
		r.len = sizeof(blob);
		if (state_batch_session(b, &r) == -1)
			return (-1);
	}
	return (0);
}

/* mark_op - the state's operation for a decision (-1: none) */
static int
mark_op(const struct score_decision *d)
{
	switch (d->mark) {
	case 0:
		return (d->lift ? STATE_OP_LIFT : STATE_OP_BAN);
	case SCORE_MARK_HELD:
		return (STATE_OP_HOLD);
	case SCORE_MARK_RELEASED:
		return (STATE_OP_RELEASE);
	case SCORE_MARK_DROPPED:
		return (STATE_OP_DROP);
	case SCORE_MARK_FORGOTTEN:
		return (STATE_OP_FORGET);
	case SCORE_MARK_MANUAL:
		return (STATE_OP_MANUAL);
	default:
		return (-1);
	}
}

/* save_bans - the decisions since the last save, and the notes */
static int
save_bans(struct state_batch *b, const struct scorer *s)
{
	const struct score_decision *d;
	struct state_ban r;
	size_t		 i;

	memset(&r, 0, sizeof(r));
	for (i = s->decisions_saved; i < s->ndecisions; i++) {
		d = &s->decisions[i];
		if ((r.op = mark_op(d)) == -1)
			continue;
		r.addr = d->addr;
		r.prefix_len = d->prefix_len;
		r.family = d->family;
		r.at = d->at;
		r.until = d->until;
		r.n = d->ban_count;
		r.score = d->score;
		r.reason = d->reason;
		r.manual = d->manual;
		if (state_batch_ban(b, &r) == -1)
			return (-1);
	}
	return (0);
}

/* save_rows - the evidence, the five-fifties, the positions and the
 * meta values (rows past the retention left out) */
static int
save_rows(struct state_batch *b, const struct scorer *s,
    const struct state_pos *pos, int npos)
{
	struct state_evidence e;
	const struct ff	*f;
	size_t		 i;
	int		 k;

	for (i = 0; i < s->npev; i++) {
		if (past_retention(s, s->pev[i].e.t))
			continue;
		e.addr = s->pev[i].addr;
		e.t = s->pev[i].e.t;
		e.weight = s->pev[i].e.weight;
		e.rule = s->pev[i].e.rule;
		e.detail = s->pev[i].e.detail;
		if (state_batch_evidence(b, &e) == -1)
			return (-1);
	}
	for (f = s->ff_dirty; f != NULL; f = f->dirty_next) {
		if (past_retention(s, f->r.last_seen))
			continue;
		struct state_ff r = { f->r.addr, f->r.name, f->r.class,
		    f->r.reason, f->r.first_t, f->r.code, f->r.retries,
		    f->r.last_retry, f->r.last_seen };
		if (state_batch_ff(b, &r) == -1)
			return (-1);
	}
	for (k = 0; k < npos; k++)
		if (state_batch_pos(b, &pos[k]) == -1)
			return (-1);
	/* What makes a resumed run the same as an uninterrupted one. */
	if (s->share && state_batch_meta(b, "obs_cursor", s->obs_cursor) ==
	    -1)
		return (-1);
	if (state_batch_meta(b, "log_time", s->now) == -1 ||
	    state_batch_meta(b, "next_session", (long long)s->next_session) ==
	    -1 || state_batch_meta(b, "rng", (long long)s->rng) == -1)
		return (-1);
	return (0);
}

/* save_obs - a record for the other nodes into the batch */
static int
save_obs(void *arg, const char *addr, long long t, const void *data,
    size_t len)
{
	return (state_batch_obs(arg, addr, t, data, len));
}

/* saved - the scorer's lists of what changed start again (the evidence
 * array keeps its room up to a quarter of the backlog's budget, which
 * does not count it); the fact log belongs to the batch now, and the
 * next one starts with its length and a quarter more */
static void
saved(struct scorer *s)
{
	struct client	*c, *next;
	struct ff	*e, *next_ff;
	size_t		 hint = s->flog.len + s->flog.len / 4;

	s->npev = 0;
	if (s->pev_cap * sizeof(*s->pev) > s->backlog_budget / 4) {
		free(s->pev);	/* a flood's: not kept outside the budget */
		s->pev = NULL;
		s->pev_cap = 0;
	}
	memset(&s->flog, 0, sizeof(s->flog));
	s->flog.hint = hint;
	for (e = s->ff_dirty; e != NULL; e = next_ff) {
		next_ff = e->dirty_next;
		e->dirty = 0;
		e->dirty_next = NULL;
	}
	s->ff_dirty = NULL;
	s->nff_dirty = 0;
	for (c = s->dirty; c != NULL; c = next) {
		next = c->dirty_next;
		c->dirty = 0;
		c->dirty_next = NULL;
	}
	s->dirty = NULL;
	s->ndirty = 0;
	s->decisions_saved = s->ndecisions;
}

/* score_save - what changed since the last save, with the positions,
 * to the state: one transaction */
int
score_save(struct state *st, struct scorer *s, const struct state_pos *pos,
    int npos)
{
	struct state_batch *b;

	if ((b = state_batch_new()) == NULL || scorer_shared(s, save_obs, b) ==
	    -1 || save_clients(b, s) == -1 ||
	    save_sessions(b, s) == -1 || save_bans(b, s) == -1 ||
	    save_rows(b, s, pos, npos) == -1 || (s->flog.len > 0 &&
	    state_batch_facts(b, s->flog.p, s->flog.len, count_facts) == -1)) {
		state_batch_free(b);
		return (state_write(st, NULL));	/* the scorer keeps it */
	}
	(void)scorer_shared(s, NULL, NULL);	/* the batch has them */
	if (s->flog.len == 0)
		free(s->flog.p);
	saved(s);
	return (state_write(st, b));
}

/* A load's progress. */
struct load {
	struct scorer	*s;
	size_t		 n;		/* clients loaded */
};

/* load_client - one client row into the scorer; 1 (stop) at max_clients */
static int
load_client(void *arg, const struct state_client *r)
{
	struct load	*l = arg;
	struct scorer	*s = l->s;
	struct client	*c;
	char		 host[PF_ADDR_MAX], *slash;

	if (l->n >= s->conf.max_clients)
		return (1);
	str_copy(host, sizeof(host), r->addr);
	if ((slash = strchr(host, '/')) != NULL)
		*slash = '\0';
	if ((c = client_get(s, host, slash != NULL ? r->prefix_len : -1,
	    r->last_seen)) == NULL)
		return (0);
	c->score = r->score;
	c->score_t = r->score_t;
	c->first_seen = r->first_seen;
	c->last_seen = r->last_seen;
	c->bans = r->bans;
	c->banned_until = r->banned_until;
	c->last_ban = r->last_ban;
	if (r->memory != NULL && client_mem(s, c) != NULL &&
	    (mem_unpack(s, c->m, r->memory, r->memlen) == -1 ||
	    (!client_mem_used(c->m) && c->m->accept_n[0] == 0)))
		client_forget(s, c);	/* nothing remembered */
	l->n++;
	return (0);
}

/* load_session - one open session into the scorer (oldest first: their
 * order); a blob that does not fit is skipped */
static int
load_session(void *arg, const struct state_session *r)
{
	struct scorer	*s = arg;
	struct session	*ss;
	const unsigned char *blob = r->data;

	/* Version 3 is version 4 without its last fields. */
	if (!((r->len == SESSION_BLOB && blob[0] == SESSION_BLOB_VERSION) ||
	    (r->len == SESSION_V3_BYTES + 1 && blob[0] == 3)) ||
	    (ss = session_new(s)) == NULL)
		return (0);
	memcpy(ss, blob + 1, r->len - 1);
	if (r->len == SESSION_V3_BYTES + 1)	/* its end padding */
		ss->sasl_lines = 0;
	session_insert(s, ss);
	if (ss->id > s->next_session)
		s->next_session = ss->id;	/* an older state */
	return (0);
}

/* load_ff - one five-fifty into the scorer */
static int
load_ff(void *arg, const struct state_ff *f)
{
	struct score_ff	 r = { f->addr, f->name, f->class, f->reason,
	    f->first_t, f->code, f->retries, f->last_retry, f->last_seen };

	(void)ff_put(arg, &r);
	return (0);
}

/* score_load - clients, open sessions and five-fifties into the scorer */
int
score_load(struct state *st, struct scorer *s)
{
	struct load	 l = { s, 0 };
	const char	*what = NULL;

	s->now = state_now(st);
	s->next_session = (uint32_t)state_meta(st, "next_session", 0);
	s->rng = (unsigned long long)state_meta(st, "rng", (long long)s->rng);
	if (state_clients(st, STATE_BY_LAST_SEEN, load_client, &l) == -1)
		what = "load clients";
	else if (state_sessions(st, load_session, s) == -1)
		what = "load sessions";
	else if (state_ffs(st, load_ff, s) == -1)
		what = "load";
	if (what != NULL) {
		log_warnx("state database %s: %s: %s", state_name(st), what,
		    state_error(st));
		return (-1);
	}
	s->track = !state_readonly(st);	/* nothing to write: keep nothing */
	s->facts_on = s->track;
	s->defer = s->track;	/* the writer counts them */
	s->retention = s->track ? STATE_RETENTION : 0;
	return (0);
}

/* A score_held() call's function and argument. */
struct held {
	int		(*fn)(void *, const struct score_decision *);
	void		*arg;
};

/* held_ban - a held ban as a decision */
static int
held_ban(void *arg, const struct state_ban *r)
{
	struct held	*h = arg;
	struct score_decision d;

	memset(&d, 0, sizeof(d));
	str_copy(d.addr, sizeof(d.addr), r->addr);
	d.prefix_len = r->prefix_len;
	d.family = r->family;
	d.at = r->at;
	d.until = r->until;
	d.ban_count = r->n;
	d.score = r->score;
	str_copy(d.reason, sizeof(d.reason), r->reason);
	if (net_parse(d.addr, &d.net) == 0)	/* carried parsed */
		net_mask(&d.net, d.prefix_len);
	return (h->fn(h->arg, &d) == -1);
}

/* score_held - the automatic bans the breaker held and that still run
 * at now, as decisions, oldest first; how many, or -1 */
int
score_held(struct state *st, long long now,
    int (*fn)(void *, const struct score_decision *), void *arg)
{
	struct held	h = { fn, arg };

	return (state_held(st, now, held_ban, &h));
}

/* score_share - share evidence as the state's node, when nodes share
 * the state; 1 then, else 0 */
int
score_share(struct state *st, struct scorer *s)
{
	if (!state_shared(st))
		return (0);
	scorer_share(s, state_node(st));
	s->obs_cursor = state_meta(st, "obs_cursor", 0);
	return (1);
}

/* apply_obs - another node's observation into the scorer */
static int
apply_obs(void *arg, const struct state_obs *o)
{
	struct scorer	*s = arg;

	(void)scorer_observe(s, o->node, o->data, o->len);	/* counted */
	if (o->id > s->obs_cursor)
		s->obs_cursor = o->id;
	return (0);
}

/* score_ingest - the other nodes' observations since the cursor; how
 * many, or -1 (logged) */
int
score_ingest(struct state *st, struct scorer *s)
{
	int	 n, total = 0;

	if (!s->share)
		return (0);
	do {
		if ((n = state_observations(st, s->obs_cursor, apply_obs,
		    s)) == -1) {
			if (!s->obs_failing)	/* once, not every second */
				log_warnx("state database %s: read the other "
				    "nodes' observations: %s (retried every "
				    "flush)", state_name(st), state_error(st));
			s->obs_failing = 1;
			return (-1);
		}
		if (s->obs_failing)
			log_info("state database %s: the other nodes' "
			    "observations are read again", state_name(st));
		s->obs_failing = 0;
		total += n;
	} while (n >= 5000);
	return (total);
}

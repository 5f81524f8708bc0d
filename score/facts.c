/*	$fivefifty: facts.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	facts 3 - what the reports count: activity per hour and client, and
 *	each client's first permanent rejection
 * SYNOPSIS
 *	void	facts_event(struct scorer *s, struct session *ss,
 *		    const struct pf_event *ev, long long t);
 *	void	facts_session_end(struct scorer *s, struct session *ss,
 *		    long long t);
 *	void	facts_clear(struct scorer *s);
 *	void	ff_free_all(struct scorer *s);
 *	struct ff *ff_put(struct scorer *s, const struct score_ff *r);
 * DESCRIPTION
 *	facts_event() counts, per hour of log time and client:
 *	message		a message accepted (smtpd's "QID: client=")
 *	reject		an enforced reject, by class and SMTP code
 *	helo, sender	an enforced reject under its HELO name, its sender
 *	recipient	an enforced reject of an unknown or unverified recipient
 *			under that recipient
 *	and facts_session_end() counts "session" in the hour it began: class
 *	"smtpd" for an smtpd session (a connection: one fact for both, as
 *	counting connects apart cost scan a tenth of its speed), "postscreen"
 *	for a postscreen one that did not pass on to smtpd.
 *	Only events with log time in [facts_from, facts_until) count; with
 *	a state, none is logged in an hour the state's next prune would
 *	remove (before the last event's time minus STATE_RETENTION). A
 *	scorer with a state only logs each occurrence (defer): the state's
 *	writer thread counts the log of a flush (facts_replay()) and writes
 *	the counts in the flush's transaction, so the counting costs the
 *	scoring thread nothing but a copy. A scorer without one (a report
 *	from logs) counts at once into s->fs. facts_clear() forgets both.
 *
 *	A session with an enforced permanent (5xx) reject gives its client a
 *	five-fifty entry, when it has none: the time, code, class and reason
 *	of that first reject. Each later session of the client in which
 *	nothing was accepted is a return after it (retries, last_retry). The
 *	entries stay in memory (score_load() restores them; those untouched
 *	for FF_KEEP are dropped once a log day) and changed ones are written
 *	by score_save().
 * SECURITY
 *	Peer text goes through peer_text() (escaped, capped) before it is
 *	kept, so what the reports read holds no control bytes; the output
 *	formats escape it again for their own syntax.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"

#define FF_KEEP		((long long)STATE_RETENTION)	/* the state's */
#define FACT_LOG_MIN	(256 * 1024)	/* a fact log's first room */

static char	empty[] = "";

/* The kinds; add() tells them apart by address. */
static const char K_SMTPD[] = "smtpd", K_POSTSCREEN[] = "postscreen";
static const char K_MESSAGE[] = "message", K_SESSION[] = "session", K_REJECT[] = "reject", K_HELO[] = "helo",
    K_SENDER[] = "sender", K_RECIPIENT[] = "recipient";

/* kind_number - a kind's place in the state's sort order */
static int
kind_number(const char *kind)
{
	static const char *const order[] = { K_HELO, K_MESSAGE, K_RECIPIENT,
	    K_REJECT, K_SENDER, K_SESSION };
	int	i;

	for (i = 0; i < 6; i++)
		if (kind == order[i])
			return (i);
	return (6);
}

/* arena_alloc - n bytes (aligned) from the set's arena */
static void *
arena_alloc(struct factset *s, size_t n)
{
	struct arena	*a = s->arena;
	size_t		 cap;
	void		*p;

	n = (n + 15) & ~(size_t)15;
	if (a == NULL || a->cap - a->used < n) {
		cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		if ((a = malloc(sizeof(*a) + cap)) == NULL)
			return (NULL);
		a->used = 0;
		a->cap = cap;
		a->next = s->arena;
		s->arena = a;
	}
	p = a->mem + a->used;
	a->used += n;
	return (p);
}

/* arena_free - release a list of chunks */
static void
arena_free(struct arena *a)
{
	struct arena	*next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
}

/* grow - twice the hash slots (or the first ones) */
static int
grow(struct factset *s)
{
	struct fact	**nb, *f, *next;
	size_t		 n, i;

	n = s->slots ? s->slots * 2 : s->hint ? s->hint : FACT_SLOTS_MIN;
	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return (-1);
	for (i = 0; i < s->slots; i++)
		for (f = s->facts[i]; f != NULL; f = next) {
			next = f->next;
			f->next = nb[f->h & (n - 1)];
			nb[f->h & (n - 1)] = f;
		}
	free(s->facts);
	s->facts = nb;
	s->slots = n;
	return (0);
}

/* tally - n occurrences from t to last under (kind, hour, value,
 * client, class, code), all in t's hour; value is escaped already */
static void
tally(struct factset *s, const char *kind, const char *v, size_t vlen,
    const char *client, size_t clen, const char *class, int code,
    long long t, long long last, unsigned n)
{
	struct fact	*f;
	uint64_t	 h;
	long long	 hour = t / 3600;
	size_t		 b;

	/* kind and class are static strings: their addresses identify them
	 * (within this process; hashes are never stored) */
	h = hash64(client, clen, (uint64_t)(uintptr_t)kind * 31 ^
	    (uint64_t)(uintptr_t)class ^ (uint64_t)hour << 20 ^
	    (uint64_t)(unsigned)code);
	if (vlen > 0)
		h = hash64(v, vlen, h);
	if (s->n >= s->slots * 2 && grow(s) == -1)
		return;
	b = (size_t)(h & (s->slots - 1));
	for (f = s->facts[b]; f != NULL; f = f->next)
		if (f->h == h && f->kind == kind && f->hour == hour &&
		    f->code == code && f->class == class &&
		    strcmp(f->value, v) == 0 && strcmp(f->client, client) == 0)
			break;
	if (f == NULL) {
		if (s->max_bytes > 0 && s->bytes >= s->max_bytes) {
			s->dropped++;	/* memory_limit: counts kept go on */
			return;
		}
		if (clen >= sizeof(f->client) ||
		    (f = arena_alloc(s, sizeof(*f) + vlen + 1)) == NULL)
			return;
		s->bytes += sizeof(*f) + vlen + 1 + 2 * sizeof(f);
		memset(f, 0, sizeof(*f));
		memcpy(f->value, v, vlen + 1);
		f->h = h;
		f->kind = kind;
		f->kindno = kind_number(kind);
		f->hour = hour;
		f->class = class;
		f->code = code;
		memcpy(f->client, client, clen + 1);
		f->first = t;
		f->next = s->facts[b];
		s->facts[b] = f;
		s->n++;
	}
	f->n += n;
	if (t < f->first)
		f->first = t;
	if (last > f->last)
		f->last = last;
}

/* log_same - add an occurrence to one of the log's newest records when
 * it is the same fact in the same hour; 1 if it did */
static int
log_same(struct fact_log *l, const char *kind, const char *v, size_t vlen,
    const char *client, size_t clen, const char *class, int code,
    long long t)
{
	struct fact_rec	 r;
	const char	*p;
	unsigned	 k;

	for (k = 0; k < l->nrecent; k++) {
		p = l->p + l->recent[k];
		memcpy(&r, p, sizeof(r));
		if (r.kind != kind || r.class != class || r.code != code ||
		    r.clen != clen || r.vlen != vlen ||
		    r.t / 3600 != t / 3600 ||
		    memcmp(p + sizeof(r), client, clen) != 0 ||
		    memcmp(p + sizeof(r) + clen + 1, v, vlen) != 0)
			continue;
		r.n++;
		if (t < r.t)
			r.t = t;
		if (t > r.last)
			r.last = t;
		memcpy(l->p + l->recent[k], &r, sizeof(r));
		return (1);
	}
	return (0);
}

/* log_rec - keep an occurrence for the state's writer to count: added
 * to a record among the newest few of the same fact (a client's rejects
 * and sessions come one after another: a flood's shrink to a record a
 * fact), else a new record */
static void
log_rec(struct fact_log *l, const char *kind, const char *v, size_t vlen,
    const char *client, size_t clen, const char *class, int code,
    long long t)
{
	struct fact_rec	 r;
	size_t		 need, cap;
	char		*p;

	need = (sizeof(r) + clen + 1 + vlen + 1 + 7) & ~(size_t)7;
	if (clen > 0xffff || vlen > 0xffff)
		return;
	if (log_same(l, kind, v, vlen, client, clen, class, code, t))
		return;
	if (l->len + need > l->cap) {
		cap = l->cap ? l->cap * 2 : l->hint > FACT_LOG_MIN ? l->hint :
		    FACT_LOG_MIN;
		while (cap < l->len + need)
			cap *= 2;
		if ((p = realloc(l->p, cap)) == NULL)
			return;
		l->p = p;
		l->cap = cap;
	}
	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.class = class;
	r.t = r.last = t;
	r.n = 1;
	r.code = code;
	r.clen = (unsigned short)clen;
	r.vlen = (unsigned short)vlen;
	p = l->p + l->len;
	memcpy(p, &r, sizeof(r));
	memcpy(p + sizeof(r), client, clen + 1);
	memcpy(p + sizeof(r) + clen + 1, v, vlen + 1);
	/* The newest FACT_RECENT, the oldest replaced. */
	l->recent[l->head] = l->len;
	l->head = (l->head + 1) % FACT_RECENT;
	if (l->nrecent < FACT_RECENT)
		l->nrecent++;
	l->len += need;
}

/* facts_replay - count the logged occurrences into fs */
void
facts_replay(struct factset *fs, const struct fact_log *l)
{
	struct fact_rec	 r;
	const char	*p;
	size_t		 off = 0;

	while (off + sizeof(r) <= l->len) {
		memcpy(&r, l->p + off, sizeof(r));
		p = l->p + off + sizeof(r);
		tally(fs, r.kind, p + r.clen + 1, r.vlen, p, r.clen, r.class,
		    r.code, r.t, r.last, r.n);
		off += (sizeof(r) + r.clen + 1 + r.vlen + 1 + 7) & ~(size_t)7;
	}
}

/* factset_free - release a set (its size is kept as the next's hint) */
void
factset_free(struct factset *fs)
{
	size_t	hint = fs->slots > fs->hint ? fs->slots : fs->hint;
	size_t	max = fs->max_bytes;

	arena_free(fs->arena);
	free(fs->facts);
	memset(fs, 0, sizeof(*fs));
	fs->hint = hint;
	fs->max_bytes = max;
}

/* add - one occurrence: counted now (a report), or logged for the
 * state's writer */
static void
add(struct scorer *s, const char *kind, struct pf_span value,
    const char *client, const char *class, int code, long long t)
{
	char		 v[FACT_VALUE * 4 + 8];
	size_t		 vlen, clen;

	/* An hour the state's next prune removes (activity rows of hours
	 * before now minus the retention, as state_prune() says) is not
	 * written at all; the five-fifties still see the session. */
	if (s->retention > 0 && t / 3600 < (s->now - s->retention) / 3600)
		return;
	clen = strlen(client);
	v[0] = '\0';
	if (value.p != NULL)
		peer_text(v, sizeof(v), "", value, FACT_VALUE);
	vlen = strlen(v);
	if (s->defer)
		log_rec(&s->flog, kind, v, vlen, client, clen, class, code, t);
	else
		tally(&s->fs, kind, v, vlen, client, clen, class, code, t, t,
		    1);
}

/* counting - whether facts are counted at log time t */
static int
counting(const struct scorer *s, long long t)
{
	return (s->facts_on && t >= s->facts_from && t < s->facts_until);
}

/* reject_facts - the counts of one reject (no session needed) */
static void
reject_facts(struct scorer *s, const struct pf_event *ev, long long t)
{
	static const struct pf_span none = { NULL, 0 };
	const char	*class;

	if (!counting(s, t) || ev->client_ip[0] == '\0' ||
	    ev->kind != PF_EV_REJECT || !ev->enforced)
		return;
	class = pf_class_name(ev->class);
	add(s, K_REJECT, none, ev->client_ip, class, ev->code, t);
	if (ev->helo.p != NULL)
		add(s, K_HELO, ev->helo, ev->client_ip, class, ev->code, t);
	if (ev->from.p != NULL)
		add(s, K_SENDER, ev->from, ev->client_ip, class, ev->code, t);
	if (ev->to.p != NULL && (ev->class == PF_CLASS_UNKNOWN_RECIPIENT ||
	    ev->class == PF_CLASS_UNVERIFIED_RECIPIENT))
		add(s, K_RECIPIENT, ev->to, ev->client_ip, class, ev->code, t);
}

/* facts_event - the facts of one event, and what its session must
 * remember for the session's facts */
void
facts_event(struct scorer *s, struct session *ss, const struct pf_event *ev,
    long long t)
{
	static const struct pf_span none = { NULL, 0 };

	if (!counting(s, t) || ev->client_ip[0] == '\0')
		return;
	if (ev->kind == PF_EV_QUEUED)
		add(s, K_MESSAGE, none, ev->client_ip, empty, 0, t);
	else if (!s->facts_split)
		reject_facts(s, ev, t);
	if (ss == NULL)
		return;
	if (ev->kind == PF_EV_PS_PASS)
		ss->passed = 1;
	else if (ev->kind == PF_EV_REJECT && ss->perm_t == 0 &&
	    permanent(ev)) {
		ss->perm_t = t;
		ss->perm_code = ev->code;
		ss->perm_class = ev->class;
		peer_text(ss->perm_reason, sizeof(ss->perm_reason), "",
		    ev->reason, FF_REASON);
	}
}

/* scorer_facts_split - leave the rejects' counts to another scorer
 * (scorer_count_event() on another thread, which the parsing leaves the
 * time for); this one counts messages, sessions (connections) and
 * five-fifties */
void
scorer_facts_split(struct scorer *s)
{
	s->facts_split = 1;
}

/* scorer_count_event - only the counts of one reject, on a scorer used
 * for nothing else */
void
scorer_count_event(struct scorer *s, const struct pf_event *ev, long long t)
{
	reject_facts(s, ev, t);
}

/* ff_find - the five-fifty entry of addr, or NULL */
static struct ff *
ff_find(struct scorer *s, const char *addr, size_t *bp)
{
	struct ff	*e;
	size_t		 b;

	b = (size_t)(hash64(addr, strlen(addr), 0xff) % FF_SLOTS);
	if (bp != NULL)
		*bp = b;
	for (e = s->ffs[b]; e != NULL; e = e->next)
		if (strcmp(e->r.addr, addr) == 0)
			return (e);
	return (NULL);
}

/* ff_dirty - mark an entry changed since the last flush */
static void
ff_dirty(struct scorer *s, struct ff *e)
{
	if (!s->track || e->dirty)
		return;
	e->dirty = 1;
	e->dirty_next = s->ff_dirty;
	s->ff_dirty = e;
	s->nff_dirty++;
}

#define FF_BYTES(e)	(sizeof(struct ff) + 16 + (e)->textlen + 16)

/* ff_value - what is at stake in an entry (higher: keep) */
static double
ff_value(const struct ff *e)
{
	return ((double)e->r.retries * 1e10 + (double)e->r.last_seen);
}

/* ff_evict - drop the entry with the fewest returns, unseen the longest,
 * of the entries of 8 buckets sampled at random; -1 when none can go */
static int
ff_evict(struct scorer *s, const struct ff *keep)
{
	struct ff	*e, *victim = NULL, **pp;
	size_t		 b, n;
	int		 seen = 0;

	s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	b = (size_t)(s->rng >> 17) % FF_SLOTS;
	for (n = 0; n < FF_SLOTS && seen < 8; n++, b = (b + 1) % FF_SLOTS) {
		if (s->ffs[b] != NULL)
			seen++;
		for (e = s->ffs[b]; e != NULL; e = e->next)
			if (!e->dirty && e != keep && (victim == NULL ||
			    ff_value(e) < ff_value(victim)))
				victim = e;
	}
	if (victim == NULL)
		return (-1);
	b = (size_t)(hash64(victim->r.addr, strlen(victim->r.addr), 0xff) %
	    FF_SLOTS);
	for (pp = &s->ffs[b]; *pp != victim; pp = &(*pp)->next)
		continue;
	*pp = victim->next;
	s->ff_bytes -= FF_BYTES(victim);
	free(victim->text);
	free(victim);
	s->nffs--;
	s->evicted_ffs++;
	return (0);
}

/* ff_text - addr, name and reason into one allocation of e's */
static int
ff_text(struct scorer *s, struct ff *e, const char *addr, const char *name,
    const char *reason)
{
	size_t	la = strlen(addr) + 1, ln, lr;
	char	*p;

	/* As the arrays they were: capped (escaped, 4 bytes a byte). */
	ln = strnlen(name, FF_NAME * 4 + 7) + 1;
	lr = strnlen(reason, FF_REASON * 4 + 7) + 1;
	if (la > PF_ADDR_MAX || (p = malloc(la + ln + lr)) == NULL)
		return (-1);
	memcpy(p, addr, la);
	memcpy(p + la, name, ln - 1);
	p[la + ln - 1] = '\0';
	memcpy(p + la + ln, reason, lr - 1);
	p[la + ln + lr - 1] = '\0';
	if (e->text != NULL)
		s->ff_bytes -= e->textlen;
	free(e->text);
	e->text = p;
	e->textlen = la + ln + lr;
	s->ff_bytes += e->textlen;
	e->r.addr = p;
	e->r.name = p + la;
	e->r.reason = p + la + ln;
	return (0);
}

/* ff_put - add or replace the entry r->addr (copies r's strings); when
 * the entries reached their share of memory_limit, the one with the
 * least at stake goes first */
struct ff *
ff_put(struct scorer *s, const struct score_ff *r)
{
	struct ff	*e;
	size_t		 b;

	if ((e = ff_find(s, r->addr, &b)) == NULL) {
		while (s->ff_bytes >= s->ff_budget && s->nffs > 0)
			if (ff_evict(s, NULL) == -1)
				break;	/* all unsaved: the flush frees */
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return (NULL);
		if (ff_text(s, e, r->addr, r->name, r->reason) == -1) {
			free(e);
			return (NULL);
		}
		e->next = s->ffs[b];
		s->ffs[b] = e;
		s->nffs++;
		s->ff_bytes += FF_BYTES(e) - e->textlen;
	} else if (ff_text(s, e, r->addr, r->name, r->reason) == -1)
		return (NULL);
	{
		const char *a = e->r.addr, *n = e->r.name, *why = e->r.reason;

		e->r = *r;
		e->r.addr = a;
		e->r.name = n;
		e->r.reason = why;
	}
	e->r.class = pf_class_name(pf_class_by_name(r->class));	/* static */
	return (e);
}

/* ff_prune - drop the entries untouched for FF_KEEP, once a log day */
static void
ff_prune(struct scorer *s, long long t)
{
	struct ff	**pp, *e;
	size_t		 b;

	/* Once a log day, and never back: logs of several hosts or years
	 * mixed do not prune at every session. A report over old logs
	 * (no state) keeps them all. */
	if (!s->track || t / 86400 <= s->ff_pruned_day)
		return;
	s->ff_pruned_day = t / 86400;
	for (b = 0; b < FF_SLOTS; b++)
		for (pp = &s->ffs[b]; (e = *pp) != NULL;) {
			if (e->r.last_seen >= t - FF_KEEP || e->dirty) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			s->ff_bytes -= FF_BYTES(e);
			free(e->text);
			free(e);
			s->nffs--;
		}
}

/* facts_session_end - a session counts, and may start or feed a
 * five-fifty entry */
void
facts_session_end(struct scorer *s, struct session *ss, long long t)
{
	static const struct pf_span none = { NULL, 0 };
	struct score_ff	 r;
	struct ff	*e;
	char		 name[FF_NAME * 4 + 8];
	int		 accepted;

	(void)t;
	if (!counting(s, ss->start) || ss->addr[0] == '\0')
		return;
	if (ss->postscreen && ss->passed)
		return;		/* smtpd's session follows and counts */
	if (ss->continued)
		return;		/* its start counted (ended early) */
	add(s, K_SESSION, none, ss->addr, ss->postscreen ? K_POSTSCREEN :
	    K_SMTPD, 0, ss->start);
	ff_prune(s, ss->start);
	accepted = ss->queued > 0 || ss->rcpt_ok > 0;
	if ((e = ff_find(s, ss->addr, NULL)) != NULL) {
		if (ss->start > e->r.first_t && !accepted) {
			e->r.retries++;
			if (ss->start > e->r.last_retry)
				e->r.last_retry = ss->start;
		}
		if (ss->last > e->r.last_seen)
			e->r.last_seen = ss->last;
		if (e->r.name[0] == '\0' && ss->name[0] != '\0') {
			struct pf_span n = { ss->name, strlen(ss->name) };
			peer_text(name, sizeof(name), "", n, FF_NAME);
			(void)ff_text(s, e, e->r.addr, name, e->r.reason);
		}
		ff_dirty(s, e);
		return;
	}
	if (ss->perm_t == 0)
		return;
	memset(&r, 0, sizeof(r));
	name[0] = '\0';
	if (ss->name[0] != '\0') {
		struct pf_span n = { ss->name, strlen(ss->name) };
		peer_text(name, sizeof(name), "", n, FF_NAME);
	}
	r.addr = ss->addr;
	r.name = name;
	r.class = pf_class_name(ss->perm_class);
	r.reason = ss->perm_reason;
	r.first_t = ss->perm_t;
	r.code = ss->perm_code;
	r.last_seen = ss->last;
	if ((e = ff_put(s, &r)) != NULL)
		ff_dirty(s, e);
}

/* facts_clear - forget the counts (written, or the scorer goes) */
void
facts_clear(struct scorer *s)
{
	factset_free(&s->fs);
	free(s->flog.p);
	memset(&s->flog, 0, sizeof(s->flog));
}

/* ff_free_all - forget the five-fifty entries */
void
ff_free_all(struct scorer *s)
{
	struct ff	*e, *n;
	size_t		 b;

	for (b = 0; b < FF_SLOTS; b++) {
		for (e = s->ffs[b]; e != NULL; e = n) {
			n = e->next;
			free(e->text);
			free(e);
		}
		s->ffs[b] = NULL;
	}
	s->nffs = 0;
	s->ff_bytes = 0;
	s->ff_dirty = NULL;
	s->nff_dirty = 0;
}

/* scorer_facts - count facts for events with log time in [from, until);
 * the counts a report keeps take half of memory_limit at most (new
 * distinct ones beyond it are dropped and counted: scorer_facts_dropped()) */
void
scorer_facts(struct scorer *s, long long from, long long until)
{
	s->fs.max_bytes = (s->conf.memory_limit > 0 ? s->conf.memory_limit :
	    SCORE_MEMORY_LIMIT) / 2;
	s->facts_on = 1;
	s->facts_from = from;
	s->facts_until = until;
}

/* scorer_facts_dropped - distinct counts not kept (memory_limit) */
unsigned long long
scorer_facts_dropped(const struct scorer *s)
{
	return (s->fs.dropped);
}

/* scorer_each_fact - hand out the facts not yet written */
void
scorer_each_fact(struct scorer *s, void (*fn)(void *,
    const struct score_fact *), void *arg)
{
	struct score_fact r;
	const struct fact *f;
	size_t		 b;

	for (b = 0; b < s->fs.slots; b++)
		for (f = s->fs.facts[b]; f != NULL; f = f->next) {
			r.kind = f->kind;
			r.value = f->value;
			r.client = f->client;
			r.class = f->class;
			r.hour = f->hour;
			r.code = f->code;
			r.n = f->n;
			r.first = f->first;
			r.last = f->last;
			fn(arg, &r);
		}
}

/* scorer_each_ff - hand out the five-fifty entries */
void
scorer_each_ff(struct scorer *s, void (*fn)(void *,
    const struct score_ff *), void *arg)
{
	const struct ff	*e;
	size_t		 b;

	for (b = 0; b < FF_SLOTS; b++)
		for (e = s->ffs[b]; e != NULL; e = e->next)
			fn(arg, &e->r);
}

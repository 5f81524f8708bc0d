/*	$fivefifty: session.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	session 3 - correlate log lines into SMTP sessions
 * SYNOPSIS
 *	struct session *session_for(struct scorer *s,
 *		    const struct pf_event *ev, long long t, int create);
 *	void	session_end(struct scorer *s, struct session *ss, long long t);
 *	void	session_insert(struct scorer *s, struct session *ss);
 *	struct session *session_new(struct scorer *s);
 *	void	session_free(struct scorer *s, struct session *ss);
 *	void	session_spares_free(struct scorer *s);
 * DESCRIPTION
 *	An smtpd process serves one connection at a time, from "connect
 *	from" to "disconnect from": its session key is (host, syslog tag,
 *	pid). A postscreen connection is keyed by (host, [addr]:port).
 *	session_for() finds the session of an event, making it when create
 *	is set; an smtpd "connect" for a key still open ends the old session
 *	first (its disconnect was not logged). It returns NULL for events
 *	that belong to no session.
 *
 *	session_end() hands the session to the rules and frees it; the
 *	session's address is parsed there, once (a session is saved as
 *	bytes in the state, so it keeps the text only), and handed down in
 *	binary.
 *	session_insert() puts a session (score_load()'s) into the table.
 *	session_new() gives a zeroed session (a struct session_held),
 *	session_free() takes it back: up to SESSION_SPARES freed ones are
 *	kept for the next, as sessions come and go with every connection;
 *	session_spares_free() releases them. A session made here keeps the
 *	event's binary address (the parser's, for the text it keeps), so
 *	that session_end() does not parse the text again.
 *
 *	The table holds at most max_sessions (bounds.c): making one more
 *	ends the session idle the longest first. Its buckets double when
 *	the sessions outnumber them, so a lookup stays O(1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"
#include "util/str.h"
#include "util/util.h"

/* session_key - (host, tag, pid) or (host, addr, port) as one hash */
static uint64_t
session_key(const struct pf_event *ev, int *postscreen)
{
	uint64_t	h;

	h = hash64(ev->host.p, ev->host.len, 0x5e55);
	*postscreen = ev->kind >= PF_EV_PS_CONNECT &&
	    ev->kind <= PF_EV_PS_DISCONNECT;
	if (ev->kind == PF_EV_REJECT && ev->program.len == 10 &&
	    memcmp(ev->program.p, "postscreen", 10) == 0)
		*postscreen = 1;
	if (*postscreen) {
		h = hash64(ev->client_ip, strlen(ev->client_ip), h);
		return (hash64((const char *)&ev->client_port,
		    sizeof(ev->client_port), h) | 1);
	}
	h = hash64(ev->tag.p, ev->tag.len, h);
	return (hash64((const char *)&ev->pid, sizeof(ev->pid), h) & ~1ULL);
}

/* sbucket - the chain of a key */
static struct session **
sbucket(struct scorer *s, uint64_t key)
{
	return (&s->sbuckets[(size_t)(key ^ key >> 29) & (s->nsbuckets - 1)]);
}

/* sgrow - twice the buckets (or the first ones); -1 when out of memory */
static int
sgrow(struct scorer *s)
{
	struct session	**old = s->sbuckets, *ss, *next, **b;
	size_t		 n = s->nsbuckets, i;

	s->nsbuckets = n ? n * 2 : 1024;
	if ((s->sbuckets = calloc(s->nsbuckets, sizeof(*s->sbuckets))) ==
	    NULL) {
		s->sbuckets = old;
		s->nsbuckets = n;
		return (-1);
	}
	for (i = 0; i < n; i++)
		for (ss = old[i]; ss != NULL; ss = next) {
			next = ss->next;
			b = sbucket(s, ss->key);
			ss->next = *b;
			*b = ss;
		}
	free(old);
	return (0);
}

/* session_insert - a made session into the table and the order */
void
session_insert(struct scorer *s, struct session *ss)
{
	struct session	**b;

	if (s->nsessions >= s->nsbuckets && sgrow(s) == -1 &&
	    s->nsbuckets == 0)
		fatal(EX_OSERR, "session table: the first 1024 buckets");
	b = sbucket(s, ss->key);	/* longer chains if it did not grow */
	ss->next = *b;
	*b = ss;
	session_link(s, ss);
	s->nsessions++;
}

/* session_new - a zeroed session, a spare one when there is one; NULL
 * when memory runs out */
struct session *
session_new(struct scorer *s)
{
	struct session_held *h;

	if (s->nspare > 0) {
		h = s->spare[--s->nspare];
		memset(h, 0, sizeof(*h));
	} else if ((h = calloc(1, sizeof(*h))) == NULL)
		return (NULL);
	return (&h->s);
}

/* session_free - a session session_new() gave, back */
void
session_free(struct scorer *s, struct session *ss)
{
	if (s->nspare < SESSION_SPARES)
		s->spare[s->nspare++] = (struct session_held *)ss;
	else
		free(ss);
}

/* session_spares_free - release the spare sessions */
void
session_spares_free(struct scorer *s)
{
	while (s->nspare > 0)
		free(s->spare[--s->nspare]);
}

/* session_for - the session an event belongs to */
struct session *
session_for(struct scorer *s, const struct pf_event *ev, long long t,
    int create)
{
	struct session	*ss = NULL;
	uint64_t	 key;
	size_t		 k;
	int		 ps;

	if (ev->pid < 0 && ev->kind != PF_EV_REJECT)
		return (NULL);
	key = session_key(ev, &ps);
	if (s->nsbuckets > 0)
		for (ss = *sbucket(s, key); ss != NULL; ss = ss->next)
			if (ss->key == key)
				break;
	if (ss != NULL && create && (ev->kind == PF_EV_CONNECT ||
	    ev->kind == PF_EV_PS_CONNECT || strcmp(ss->addr,
	    ev->client_ip) != 0)) {
		session_end(s, ss, t);	/* its end was never logged */
		ss = NULL;
	}
	if (ss == NULL && create) {
		while (s->nsessions >= s->max_sessions && s->oldest != NULL)
			session_evict(s, t);
		if ((ss = session_new(s)) == NULL)
			return (NULL);
		ss->key = key;
		k = (size_t)(key % TOMB_SLOTS);
		if (s->tomb[k].key == key && s->tomb[k].id != 0 &&
		    ev->kind != PF_EV_CONNECT && ev->kind != PF_EV_PS_CONNECT) {
			/* The rest of a session ended early: the same id,
			 * so that it is no retry of its own rejects. */
			ss->id = s->tomb[k].id;
			ss->continued = 1;
		} else
			ss->id = ++s->next_session;
		if (s->tomb[k].key == key) {
			s->tomb[k].key = 0;	/* used, or a new session */
			s->tomb[k].id = 0;
		}
		ss->postscreen = ps;
		ss->start = t;
		str_copy(ss->addr, sizeof(ss->addr), ev->client_ip);
		/* The parser's binary form of this very text (client.c):
		 * what net_host() would make of it again. */
		((struct session_held *)ss)->net = ev->client_net;
		((struct session_held *)ss)->net_ok = 1;
		session_insert(s, ss);
	}
	if (ss != NULL) {
		if (t > ss->last)	/* a line out of order: no rewind */
			ss->last = t;
		session_used(s, ss);
		if (ev->client_name.p != NULL && ss->name[0] == '\0' &&
		    !(ev->client_name.len == 7 &&
		    memcmp(ev->client_name.p, "unknown", 7) == 0) &&
		    ev->client_name.len < sizeof(ss->name)) {
			memcpy(ss->name, ev->client_name.p,
			    ev->client_name.len);
			ss->name[ev->client_name.len] = '\0';
		}
	}
	return (ss);
}

/* session_end - let the rules judge the session, then forget it */
void
session_end(struct scorer *s, struct session *ss, long long t)
{
	struct session_held *h = (struct session_held *)ss;
	struct session	**pp;
	struct client	*c;
	struct who	 who;

	who.addr = ss->addr;
	who.name = ss->name;
	if (h->net_ok)
		who.net = h->net;
	else if (net_host(ss->addr, &who.net) == -1)
		who.addr = "";	/* none: nobody to judge */
	facts_session_end(s, ss, t);
	rules_session_end(s, ss, &who, t);
	/* Judged after its timeout: the client was seen at its last line
	 * all the same (and first then, if this made its entry). */
	if (t > ss->last && who.addr[0] != '\0' &&
	    (c = client_lookup(s, &who.net)) != NULL) {
		if (c->first_seen == t)
			c->first_seen = ss->last;
		if (c->last_seen == t)
			c->last_seen = ss->last;
	}
	for (pp = sbucket(s, ss->key); *pp != NULL; pp = &(*pp)->next)
		if (*pp == ss) {
			*pp = ss->next;
			break;
		}
	session_unlink(s, ss);
	session_free(s, ss);
	s->nsessions--;
}

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
 * DESCRIPTION
 *	An smtpd process serves one connection at a time, from "connect
 *	from" to "disconnect from": its session key is (host, syslog tag,
 *	pid). A postscreen connection is keyed by (host, [addr]:port).
 *	session_for() finds the session of an event, making it when create
 *	is set; an smtpd "connect" for a key still open ends the old session
 *	first (its disconnect was not logged). It returns NULL for events
 *	that belong to no session.
 *
 *	session_end() hands the session to the rules and frees it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"

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

/* session_for - the session an event belongs to */
struct session *
session_for(struct scorer *s, const struct pf_event *ev, long long t,
    int create)
{
	struct session	*ss;
	uint64_t	 key;
	size_t		 b;
	int		 ps;

	if (ev->pid < 0 && ev->kind != PF_EV_REJECT)
		return (NULL);
	key = session_key(ev, &ps);
	b = (size_t)(key % SESSION_SLOTS);
	for (ss = s->sbuckets[b]; ss != NULL; ss = ss->next)
		if (ss->key == key)
			break;
	if (ss != NULL && create && (ev->kind == PF_EV_CONNECT ||
	    ev->kind == PF_EV_PS_CONNECT || strcmp(ss->addr,
	    ev->client_ip) != 0)) {
		session_end(s, ss, t);	/* its end was never logged */
		ss = NULL;
	}
	if (ss == NULL && create) {
		if ((ss = calloc(1, sizeof(*ss))) == NULL)
			return (NULL);
		ss->key = key;
		ss->id = ++s->next_session;
		ss->postscreen = ps;
		ss->start = t;
		snprintf(ss->addr, sizeof(ss->addr), "%s", ev->client_ip);
		ss->next = s->sbuckets[b];
		s->sbuckets[b] = ss;
		s->nsessions++;
	}
	if (ss != NULL) {
		ss->last = t;
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
	struct session	**pp;

	facts_session_end(s, ss, t);
	rules_session_end(s, ss, t);
	for (pp = &s->sbuckets[ss->key % SESSION_SLOTS]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == ss) {
			*pp = ss->next;
			break;
		}
	free(ss);
	s->nsessions--;
}

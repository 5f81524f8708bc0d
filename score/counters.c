/*	$fivefifty: counters.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	counters 3 - reject counts by HELO, sender and recipient, for reports
 * SYNOPSIS
 *	void	count_reject(struct scorer *s, const struct pf_event *ev,
 *		    long long t);
 *	void	counters_clear(struct scorer *s);
 * DESCRIPTION
 *	count_reject() counts an enforced reject under its HELO name, its
 *	sender, and (for the unknown and unverified recipient classes) its
 *	recipient, per day of log time, client and reason class. The counts
 *	wait in the scorer until state_flush() adds them to the database in
 *	its transaction; counters_clear() forgets them then.
 * SECURITY
 *	Peer text goes through peer_text() (escaped, capped at COUNT_VALUE
 *	bytes) before it is kept, so what the reports read is safe to print.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"

/* add - one reject under (kind, value, day, client, class) */
static void
add(struct scorer *s, const char *kind, struct pf_span value,
    const struct pf_event *ev, long long t)
{
	struct counter	*c, tmp;
	uint64_t	 h;
	size_t		 b;

	memset(&tmp, 0, sizeof(tmp));
	peer_text(tmp.value, sizeof(tmp.value), "", value, COUNT_VALUE);
	tmp.day = t / 86400;
	tmp.class = pf_class_name(ev->class);
	h = hash64(kind, strlen(kind), 0xc0);
	h = hash64(tmp.value, strlen(tmp.value), h);
	h = hash64(ev->client_ip, strlen(ev->client_ip), h);
	h = hash64(tmp.class, strlen(tmp.class), h);
	h = hash64((const char *)&tmp.day, sizeof(tmp.day), h);
	b = (size_t)(h % COUNTER_SLOTS);
	for (c = s->counters[b]; c != NULL; c = c->next)
		if (c->h == h && c->kind == kind && c->day == tmp.day &&
		    c->class == tmp.class && strcmp(c->value, tmp.value) == 0 &&
		    strcmp(c->client, ev->client_ip) == 0)
			break;
	if (c == NULL) {
		if ((c = malloc(sizeof(*c))) == NULL)
			return;
		*c = tmp;
		c->h = h;
		c->kind = kind;
		snprintf(c->client, sizeof(c->client), "%s", ev->client_ip);
		c->first = t;
		c->next = s->counters[b];
		s->counters[b] = c;
		s->ncounters++;
	}
	c->rejects++;
	c->last = t;
}

/* count_reject - the counts of one reject event */
void
count_reject(struct scorer *s, const struct pf_event *ev, long long t)
{
	if (!s->track || ev->kind != PF_EV_REJECT || !ev->enforced ||
	    ev->client_ip[0] == '\0')
		return;
	if (ev->helo.p != NULL)
		add(s, "helo", ev->helo, ev, t);
	if (ev->from.p != NULL)
		add(s, "sender", ev->from, ev, t);
	if (ev->to.p != NULL && (ev->class == PF_CLASS_UNKNOWN_RECIPIENT ||
	    ev->class == PF_CLASS_UNVERIFIED_RECIPIENT))
		add(s, "recipient", ev->to, ev, t);
}

/* counters_clear - forget the counts (written, or the scorer goes) */
void
counters_clear(struct scorer *s)
{
	struct counter	*c, *n;
	size_t		 b;

	for (b = 0; b < COUNTER_SLOTS; b++) {
		for (c = s->counters[b]; c != NULL; c = n) {
			n = c->next;
			free(c);
		}
		s->counters[b] = NULL;
	}
	s->ncounters = 0;
}

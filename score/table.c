/*	$fivefifty: table.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	table 3 - the bounded client table
 * SYNOPSIS
 *	struct client *client_get(struct scorer *s, const char *addr,
 *		    int prefix, long long t);
 *	struct client *client_find(struct scorer *s, const char *addr,
 *		    int prefix);
 *	void	client_free_all(struct scorer *s);
 * DESCRIPTION
 *	client_get() finds or makes the entry of addr masked to prefix bits
 *	(-1: the address itself). Making one when the table holds
 *	max_clients evicts first: of 8 entries sampled at random, the one
 *	with the least at stake (not banned, lowest decayed score, longest
 *	unseen) goes. An attacker spraying addresses thus pushes out other
 *	low-value entries, never the clients that have earned a score. An
 *	entry not yet written to the state database is not evicted, so the
 *	table may pass max_clients by what one flush interval adds.
 *	It returns NULL for an address that is no address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"

/* bucket - the chain of a key */
static size_t
bucket(const struct scorer *s, const unsigned char *key)
{
	return ((size_t)hash64((const char *)key, 18, 0) % s->nbuckets);
}

/* value - how much is at stake in an entry (higher: keep) */
static double
value(const struct scorer *s, const struct client *c, long long t)
{
	if (c->banned_until > t || c->bans > 0)
		return (1e12 + (double)c->banned_until);
	return (decayed(s, c, t) * 1e6 + (double)c->last_seen / 1e6);
}

/* evict - drop the entry with the least at stake among a sample */
static void
evict(struct scorer *s, long long t)
{
	struct client	*c, *victim = NULL, **pp;
	double		 v, best = 0;
	size_t		 b, n;
	int		 seen = 0;

	/* From a random bucket on, the entries of 8 non-empty buckets. */
	s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	b = (size_t)(s->rng >> 17) % s->nbuckets;
	for (n = 0; n < s->nbuckets && seen < 8; n++, b = (b + 1) %
	    s->nbuckets) {
		if (s->buckets[b] != NULL)
			seen++;
		for (c = s->buckets[b]; c != NULL; c = c->next) {
			if (c->dirty)
				continue;	/* unsaved: after the flush */
			v = value(s, c, t);
			if (victim == NULL || v < best) {
				victim = c;
				best = v;
			}
		}
	}
	if (victim == NULL)
		return;
	for (pp = &s->buckets[bucket(s, victim->key)]; *pp != victim;
	    pp = &(*pp)->next)
		continue;
	*pp = victim->next;
	free(victim);
	s->nclients--;
}

/* client_find - the entry of addr/prefix, or NULL */
struct client *
client_find(struct scorer *s, const char *addr, int prefix)
{
	unsigned char	 key[18];
	struct client	*c;
	int		 family;

	if (net_key(addr, prefix, key, &family) == -1)
		return (NULL);
	for (c = s->buckets[bucket(s, key)]; c != NULL; c = c->next)
		if (memcmp(c->key, key, sizeof(key)) == 0)
			return (c);
	return (NULL);
}

/* client_get - the entry of addr/prefix, made if needed */
struct client *
client_get(struct scorer *s, const char *addr, int prefix, long long t)
{
	unsigned char	 key[18];
	struct client	*c;
	size_t		 b;
	int		 family;

	if (net_key(addr, prefix, key, &family) == -1)
		return (NULL);
	b = bucket(s, key);
	for (c = s->buckets[b]; c != NULL; c = c->next)
		if (memcmp(c->key, key, sizeof(key)) == 0) {
			c->last_seen = t;
			return (c);
		}
	if (s->nclients >= s->conf.max_clients) {
		evict(s, t);
		b = bucket(s, key);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	memcpy(c->key, key, sizeof(key));
	c->family = family;
	c->prefix_len = key[1];
	if (prefix < 0)
		snprintf(c->addr, sizeof(c->addr), "%s", addr);
	else
		net_prefix_text(addr, prefix, c->addr, sizeof(c->addr));
	c->first_seen = c->last_seen = c->score_t = t;
	c->next = s->buckets[b];
	s->buckets[b] = c;
	s->nclients++;
	return (c);
}

/* client_free_all - empty the table */
void
client_free_all(struct scorer *s)
{
	struct client	*c, *n;
	size_t		 b;

	for (b = 0; b < s->nbuckets; b++)
		for (c = s->buckets[b]; c != NULL; c = n) {
			n = c->next;
			free(c);
		}
	s->nclients = 0;
}

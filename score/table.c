/*	$fivefifty: table.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	table 3 - the bounded client table
 * SYNOPSIS
 *	struct client *client_at(struct scorer *s, const struct net_prefix *n,
 *		    const char *text, long long t);
 *	struct client *client_lookup(struct scorer *s,
 *		    const struct net_prefix *n);
 *	void	client_net(const struct client *c, struct net_prefix *n);
 *	struct client *client_get(struct scorer *s, const char *addr,
 *		    int prefix, long long t);
 *	struct client *client_find(struct scorer *s, const char *addr,
 *		    int prefix);
 *	struct client_mem *client_mem(struct scorer *s, struct client *c);
 *	void	client_forget(struct scorer *s, struct client *c);
 *	void	client_free_all(struct scorer *s);
 * DESCRIPTION
 *	client_at() finds or makes the entry of n (an address, or a network
 *	net_mask() made), with text the address as logged (NULL: n's
 *	"network/len"); client_lookup() only finds it. Both take the binary
 *	form the parser made: the event path never reads address text.
 *	client_net() gives an entry's network back. client_get() and
 *	client_find() are the same for the text of an address masked to
 *	prefix bits (-1: the address itself), for the state's rows and the
 *	administrator's commands. An entry is small (the address text at
 *	its exact size); client_mem() gives it the rules' memory (about 1100
 *	bytes: struct client_mem, counted at its size) when the rules have something to remember, and
 *	client_forget() drops that memory.
 *
 *	Making an entry when the table holds max_clients, or giving one its
 *	memory when the entries' bytes reached their share of memory_limit
 *	(bounds.c), evicts first: of the entries of 8 buckets sampled at
 *	random, the one with the least at stake goes: not banned and never
 *	banned, the lowest decayed score, nothing remembered (no rejected
 *	attempt a five-fifty retry would repeat), unseen the longest. An
 *	attacker spraying addresses thus pushes out other one-shot entries,
 *	never the clients that have earned a score or a ban. An entry not
 *	yet written to the state database, and the entries the scorer is
 *	working on (pin), are not evicted; the daemon flushes the state when
 *	the changed entries reach their share (scorer_backlog()), so that
 *	the table passes its bound by that share at most. Each eviction is
 *	O(1) on average: the buckets double with the entries, so 8 buckets
 *	hold about 8 entries. client_get() and client_find() return NULL
 *	for an address that is no address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_int.h"

#define ENTRY_BYTES(c)	(sizeof(struct client) + strlen((c)->addr) + 1 + \
	16 + ((c)->m != NULL ? sizeof(struct client_mem) + 16 : 0))

/* key_of - the table key of a network: family, prefix length, the 16
 * address bytes (what the state's clients were hashed by: unchanged) */
static void
key_of(const struct net_prefix *n, unsigned char *key)
{
	key[0] = (unsigned char)n->family;
	key[1] = (unsigned char)n->len;
	memcpy(key + 2, n->addr, 16);
}

/* bucket - the chain of a key */
static size_t
bucket(const struct scorer *s, const unsigned char *key)
{
	return ((size_t)hash64((const char *)key, 18, 0) & (s->nbuckets - 1));
}

/* value - how much is at stake in an entry (higher: keep) */
static double
value(const struct scorer *s, const struct client *c, long long t)
{
	double	v;

	if (c->banned_until > t || c->bans > 0)
		return (1e12 + (double)c->banned_until);
	v = decayed(s, c, t) * 1e6 + (double)c->last_seen / 1e6;
	if (c->m != NULL && client_mem_used(c->m))
		v += 5e5;	/* half a point: what a retry would repeat,
				 * or a slow abuser's count */
	return (v);
}

/* client_mem_used - whether the rules' memory holds something a rule
 * would act on (accepted mail alone is not) */
int
client_mem_used(const struct client_mem *m)
{
	static const struct tally none;

	return (m->nattempts > 0 || m->nunknown > 0 || m->nmembers > 0 ||
	    memcmp(m->sasl.n, none.n, sizeof(none.n)) != 0 ||
	    memcmp(m->psv.n, none.n, sizeof(none.n)) != 0 ||
	    memcmp(m->burst.n, none.n, sizeof(none.n)) != 0 ||
	    m->auth_ok_t != 0 || m->own_5xx_t != 0 || m->listed_bans != 0 ||
	    (m->sh != NULL && (m->sh->natt > 0 || m->sh->nses > 0)));
}

/* client_table_grow - twice the buckets, so chains stay short */
int
client_table_grow(struct scorer *s)
{
	struct client	**nb, **old = s->buckets, *c, *next;
	size_t		 n = s->nbuckets, i;

	if ((nb = calloc(n * 2, sizeof(*nb))) == NULL)
		return (-1);
	s->buckets = nb;
	s->nbuckets = n * 2;
	for (i = 0; i < n; i++)
		for (c = old[i]; c != NULL; c = next) {
			size_t b = bucket(s, c->key);
			next = c->next;
			c->next = nb[b];
			nb[b] = c;
		}
	free(old);
	return (0);
}

/* evict - drop the entry with the least at stake among a sample; -1 when
 * none could go */
static int
evict(struct scorer *s, long long t)
{
	struct client	*c, *victim = NULL, **pp;
	double		 v, best = 0;
	size_t		 b, n;
	int		 seen = 0;

	/* From a random bucket on, the entries of 8 non-empty buckets (the
	 * table is at least half full: a few buckets more at most). */
	s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	b = (size_t)(s->rng >> 17) & (s->nbuckets - 1);
	for (n = 0; n < s->nbuckets && seen < 8; n++, b = (b + 1) &
	    (s->nbuckets - 1)) {
		if (s->buckets[b] != NULL)
			seen++;
		for (c = s->buckets[b]; c != NULL; c = c->next) {
			if (c->dirty || c == s->pin[0] || c == s->pin[1])
				continue;	/* unsaved, or in use */
			v = value(s, c, t);
			if (victim == NULL || v < best) {
				victim = c;
				best = v;
			}
		}
	}
	if (victim == NULL)
		return (-1);
	for (pp = &s->buckets[bucket(s, victim->key)]; *pp != victim;
	    pp = &(*pp)->next)
		continue;
	*pp = victim->next;
	share_free(s, victim->m);
	s->client_bytes -= ENTRY_BYTES(victim);
	free(victim->m);
	free(victim);
	s->nclients--;
	s->evicted_clients++;
	return (0);
}

/* client_lookup - the entry of n, or NULL */
struct client *
client_lookup(struct scorer *s, const struct net_prefix *n)
{
	unsigned char	 key[18];
	struct client	*c;

	key_of(n, key);
	for (c = s->buckets[bucket(s, key)]; c != NULL; c = c->next)
		if (memcmp(c->key, key, sizeof(key)) == 0)
			return (c);
	return (NULL);
}

/* client_at - the entry of n, made if needed (text: as logged; NULL:
 * n's "network/len") */
struct client *
client_at(struct scorer *s, const struct net_prefix *n, const char *text,
    long long t)
{
	unsigned char	 key[18];
	char		 buf[PF_ADDR_MAX];
	struct client	*c;
	size_t		 b, len;

	key_of(n, key);
	b = bucket(s, key);
	for (c = s->buckets[b]; c != NULL; c = c->next)
		if (memcmp(c->key, key, sizeof(key)) == 0) {
			c->last_seen = t;
			return (c);
		}
	while ((s->nclients >= s->conf.max_clients ||
	    s->client_bytes >= s->client_budget) && s->nclients > 0)
		if (evict(s, t) == -1)
			break;	/* all unsaved: the next flush frees some */
	if (s->nclients >= s->nbuckets)
		(void)client_table_grow(s);
	b = bucket(s, key);
	if (text == NULL) {
		net_text(n, buf, sizeof(buf));
		text = buf;
	}
	len = strlen(text);
	if ((c = calloc(1, sizeof(*c) + len + 1)) == NULL)
		return (NULL);
	memcpy(c->addr, text, len + 1);
	memcpy(c->key, key, sizeof(key));
	c->family = (unsigned char)n->family;
	c->prefix_len = key[1];
	c->first_seen = c->last_seen = c->score_t = t;
	c->next = s->buckets[b];
	s->buckets[b] = c;
	s->nclients++;
	s->client_bytes += ENTRY_BYTES(c);
	return (c);
}

/* client_net - the network of an entry */
void
client_net(const struct client *c, struct net_prefix *n)
{
	memset(n, 0, sizeof(*n));
	n->family = c->family;
	n->len = c->prefix_len;
	memcpy(n->addr, c->key + 2, 16);
}

/* text_net - the text of an address (zone dropped) masked to prefix bits
 * (-1: all); -1 when it is no address */
static int
text_net(const char *addr, int prefix, struct net_prefix *n)
{
	if (net_host(addr, n) == -1)
		return (-1);
	if (prefix >= 0)
		net_mask(n, prefix);
	return (0);
}

/* client_find - the entry of the address text addr/prefix, or NULL */
struct client *
client_find(struct scorer *s, const char *addr, int prefix)
{
	struct net_prefix n;

	if (text_net(addr, prefix, &n) == -1)
		return (NULL);
	return (client_lookup(s, &n));
}

/* client_get - the entry of the address text addr/prefix, made if
 * needed */
struct client *
client_get(struct scorer *s, const char *addr, int prefix, long long t)
{
	struct net_prefix n;

	if (text_net(addr, prefix, &n) == -1)
		return (NULL);
	return (client_at(s, &n, prefix < 0 ? addr : NULL, t));
}

/* client_mem - c's rules' memory, made (empty) if needed; NULL when out
 * of memory */
struct client_mem *
client_mem(struct scorer *s, struct client *c)
{
	struct client	*keep = s->pin[0];

	if (c->m != NULL)
		return (c->m);
	s->pin[0] = c;
	while (s->client_bytes + sizeof(struct client_mem) + 16 >=
	    s->client_budget && s->nclients > 1)
		if (evict(s, c->last_seen) == -1)
			break;
	s->pin[0] = keep;
	if ((c->m = calloc(1, sizeof(*c->m))) == NULL)
		return (NULL);
	s->client_bytes += sizeof(struct client_mem) + 16;
	return (c->m);
}

/* client_forget - drop c's rules' memory */
void
client_forget(struct scorer *s, struct client *c)
{
	if (c->m == NULL)
		return;
	share_free(s, c->m);
	free(c->m);
	c->m = NULL;
	s->client_bytes -= sizeof(struct client_mem) + 16;
}

/* client_free_all - empty the table */
void
client_free_all(struct scorer *s)
{
	struct client	*c, *n;
	size_t		 b;

	for (b = 0; b < s->nbuckets; b++) {
		for (c = s->buckets[b]; c != NULL; c = n) {
			n = c->next;
			if (c->m != NULL)
				free(c->m->sh);
			free(c->m);
			free(c);
		}
		s->buckets[b] = NULL;
	}
	s->nclients = 0;
	s->client_bytes = 0;
}

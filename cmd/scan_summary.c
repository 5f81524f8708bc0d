/*	$fivefifty: scan_summary.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	scan_summary 3 - what scan --dry-run decided, summed up at its end
 * SYNOPSIS
 *	struct scan_sum *scan_sum_new(void);
 *	void	scan_sum_ban(struct scan_sum *sum,
 *		    const struct score_decision *d);
 *	void	scan_sum_print(struct scan_sum *sum, FILE *fp);
 *	void	scan_sum_free(struct scan_sum *sum);
 * DESCRIPTION
 *	scan --dry-run prints each ban as it is decided; at its end, this
 *	says what they add up to: the bans by rule, most first, and the top
 *	offenders: the SUM_TOP clients with the most bans, then the highest
 *	score at a ban, each with its bans, that score and the rule that
 *	tipped that ban.
 *
 *	scan_sum_new() makes an empty summary (NULL when memory runs out:
 *	the scan goes on without it). scan_sum_ban() adds a decision (a ban;
 *	a lift or a note is not one). scan_sum_print() writes the summary
 *	to fp (scan: standard error, beside its other totals, so that
 *	standard output stays one line per ban); nothing when there was no
 *	ban; it sorts the table in place, so it is the last call before
 *	scan_sum_free(), which frees it (NULL: nothing).
 *
 *	Memory is bounded: at most SUM_RULES rules (the scorer has fewer;
 *	more are counted as "other") and SUM_CLIENTS distinct clients
 *	ranked (more are counted, and the summary says the ranking left
 *	them out).
 * SECURITY
 *	Addresses are the parser's, rules the scorer's names; both are
 *	escaped and capped on output anyway (esc_text()): a summary is one
 *	line per row whatever the log held.
 * DIAGNOSTICS
 *	None: a summary that cannot grow ranks what it has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "score/score.h"
#include "util/hash.h"
#include "util/util.h"

#define SUM_RULES	64		/* distinct rules counted */
#define SUM_CLIENTS	(1 << 20)	/* distinct clients ranked */
#define SUM_TOP		10		/* offenders shown */

struct sum_rule {
	char		 name[128];	/* score_decision.reason's size */
	unsigned long long n;
};

struct sum_client {
	char		 addr[PF_ADDR_MAX];	/* "": a free slot */
	char		 rule[128];		/* of the top score's ban */
	double		 score;			/* the highest at a ban */
	unsigned	 bans;
};

struct scan_sum {
	struct sum_rule	 rules[SUM_RULES];
	int		 nrules;
	unsigned long long other;	/* bans of rules beyond SUM_RULES */
	unsigned long long bans;
	struct sum_client *tab;		/* open addressing, a power of 2 */
	size_t		 cap, used;
	unsigned long long unranked;	/* bans of clients not in tab */
};

/* scan_sum_new - an empty summary, or NULL */
struct scan_sum *
scan_sum_new(void)
{
	struct scan_sum	*sum;

	if ((sum = calloc(1, sizeof(*sum))) == NULL)
		return (NULL);
	sum->cap = 1024;
	if ((sum->tab = calloc(sum->cap, sizeof(*sum->tab))) == NULL) {
		free(sum);
		return (NULL);
	}
	return (sum);
}

/* slot - addr's slot in a table of cap slots (its own, or the free one
 * where it goes) */
static struct sum_client *
slot(struct sum_client *tab, size_t cap, const char *addr)
{
	size_t	i = (size_t)hash64(addr, strlen(addr), 0x5c4) & (cap - 1);

	while (tab[i].addr[0] != '\0' && strcmp(tab[i].addr, addr) != 0)
		i = (i + 1) & (cap - 1);
	return (&tab[i]);
}

/* grow - twice the slots, at three quarters full; -1 when it cannot */
static int
grow(struct scan_sum *sum)
{
	struct sum_client *nt, *s;
	size_t		 i, ncap = sum->cap * 2;

	if (sum->used * 4 < sum->cap * 3)
		return (0);
	if (ncap > SUM_CLIENTS * 2 || (nt = calloc(ncap,
	    sizeof(*nt))) == NULL)
		return (-1);
	for (i = 0; i < sum->cap; i++)
		if (sum->tab[i].addr[0] != '\0') {
			s = slot(nt, ncap, sum->tab[i].addr);
			*s = sum->tab[i];
		}
	free(sum->tab);
	sum->tab = nt;
	sum->cap = ncap;
	return (0);
}

/* count_rule - one more ban by rule */
static void
count_rule(struct scan_sum *sum, const char *rule)
{
	int	i;

	for (i = 0; i < sum->nrules; i++)
		if (strcmp(sum->rules[i].name, rule) == 0)
			break;
	if (i == sum->nrules) {
		if (i == SUM_RULES) {
			sum->other++;
			return;
		}
		snprintf(sum->rules[i].name, sizeof(sum->rules[i].name), "%s",
		    rule);
		sum->nrules++;
	}
	sum->rules[i].n++;
}

/* scan_sum_ban - one decision into the summary */
void
scan_sum_ban(struct scan_sum *sum, const struct score_decision *d)
{
	struct sum_client *c;

	if (sum == NULL || d->lift || d->mark)
		return;
	sum->bans++;
	count_rule(sum, d->reason);
	c = slot(sum->tab, sum->cap, d->addr);
	if (c->addr[0] == '\0') {
		if (sum->used >= SUM_CLIENTS || grow(sum) == -1) {
			sum->unranked++;
			return;
		}
		c = slot(sum->tab, sum->cap, d->addr);	/* grown */
		snprintf(c->addr, sizeof(c->addr), "%s", d->addr);
		sum->used++;
	}
	c->bans++;
	if (c->bans == 1 || d->score > c->score) {
		c->score = d->score;
		snprintf(c->rule, sizeof(c->rule), "%s", d->reason);
	}
}

/* by_count - rules, most bans first, then by name */
static int
by_count(const void *a, const void *b)
{
	const struct sum_rule *x = a, *y = b;

	if (x->n != y->n)
		return (x->n > y->n ? -1 : 1);
	return (strcmp(x->name, y->name));
}

/* by_bans - offenders, most bans first, then highest score, then by
 * address; free slots last */
static int
by_bans(const void *a, const void *b)
{
	const struct sum_client *x = a, *y = b;

	if ((x->addr[0] == '\0') != (y->addr[0] == '\0'))
		return (x->addr[0] == '\0' ? 1 : -1);
	if (x->bans != y->bans)
		return (x->bans > y->bans ? -1 : 1);
	if (x->score != y->score)
		return (x->score > y->score ? -1 : 1);
	return (strcmp(x->addr, y->addr));
}

/* scan_sum_print - the bans by rule and the top offenders */
void
scan_sum_print(struct scan_sum *sum, FILE *fp)
{
	size_t		 i;
	int		 j;

	if (sum == NULL || sum->bans == 0)
		return;
	fprintf(fp, "fivefifty scan: dry run: %llu bans of %zu clients%s\n",
	    sum->bans, sum->used, sum->unranked > 0 ? " (and more, not "
	    "ranked)" : "");
	qsort(sum->rules, (size_t)sum->nrules, sizeof(sum->rules[0]),
	    by_count);
	fprintf(fp, "  bans by rule:\n");
	for (j = 0; j < sum->nrules; j++) {
		fprintf(fp, "    %8llu  ", sum->rules[j].n);
		esc_text(fp, sum->rules[j].name, strlen(sum->rules[j].name),
		    64);
		fputc('\n', fp);
	}
	if (sum->other > 0)
		fprintf(fp, "    %8llu  (other rules)\n", sum->other);
	/* Sorted in place: nothing is looked up after this. */
	qsort(sum->tab, sum->cap, sizeof(sum->tab[0]), by_bans);
	fprintf(fp, "  top offenders (address, bans, highest score at a "
	    "ban, the rule of that ban):\n");
	for (i = 0; i < sum->cap && i < SUM_TOP && sum->tab[i].addr[0] !=
	    '\0'; i++) {
		fputs("    ", fp);
		esc_text(fp, sum->tab[i].addr, strlen(sum->tab[i].addr), 64);
		fprintf(fp, "  %u  %.1f  ", sum->tab[i].bans,
		    sum->tab[i].score);
		esc_text(fp, sum->tab[i].rule, strlen(sum->tab[i].rule), 64);
		fputc('\n', fp);
	}
	if (sum->unranked > 0)
		fprintf(fp, "  (%llu bans of clients beyond the first %d were "
		    "counted, not ranked)\n", sum->unranked, SUM_CLIENTS);
}

/* scan_sum_free - the summary's memory */
void
scan_sum_free(struct scan_sum *sum)
{
	if (sum == NULL)
		return;
	free(sum->tab);
	free(sum);
}

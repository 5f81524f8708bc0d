/*	$fivefifty: prom.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	prom 3 - write the Prometheus text exposition format
 * SYNOPSIS
 *	void	prom_family(FILE *fp, const char *name, const char *type,
 *		    const char *help);
 *	void	prom_u(FILE *fp, const char *name, const char *label,
 *		    const char *value, unsigned long long v);
 *	void	prom_d(FILE *fp, const char *name, const char *label,
 *		    const char *value, double v);
 *	void	prom_histogram(FILE *fp, const char *name, const double *le,
 *		    const unsigned long long *n, size_t nle, double sum);
 *	void	prom_esc(FILE *fp, const char *s, int quote);
 * DESCRIPTION
 *	See prom.h. Numbers are written so that Go's strconv.ParseFloat
 *	(Prometheus's reader) gives back the same value: integers in
 *	decimal, doubles with %.17g, which round-trips.
 * SECURITY
 *	Every label value and help text goes through prom_esc().
 */
#include <math.h>
#include <stdio.h>

#include "prom.h"

/* prom_esc - s with backslash, newline (and, quoted, '"') escaped */
void
prom_esc(FILE *fp, const char *s, int quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", fp);
		else if (*s == '\n')
			fputs("\\n", fp);
		else if (*s == '"' && quote)
			fputs("\\\"", fp);
		else
			fputc(*s, fp);
	}
}

/* prom_family - the HELP and TYPE lines of a metric family */
void
prom_family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s ", name);
	prom_esc(fp, help, 0);
	fprintf(fp, "\n# TYPE %s %s\n", name, type);
}

/* head - a sample's name and its one label, if any */
static void
head(FILE *fp, const char *name, const char *label, const char *value)
{
	fputs(name, fp);
	if (label == NULL)
		return;
	fprintf(fp, "{%s=\"", label);
	prom_esc(fp, value, 1);
	fputs("\"}", fp);
}

/* number - a double as Go's ParseFloat reads it */
static void
number(FILE *fp, double v)
{
	if (isnan(v))
		fputs("NaN", fp);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", fp);
	else
		fprintf(fp, "%.17g", v);
}

/* prom_u - one sample with an unsigned integer value */
void
prom_u(FILE *fp, const char *name, const char *label, const char *value,
    unsigned long long v)
{
	head(fp, name, label, value);
	fprintf(fp, " %llu\n", v);
}

/* prom_d - one sample with a double value */
void
prom_d(FILE *fp, const char *name, const char *label, const char *value,
    double v)
{
	head(fp, name, label, value);
	fputc(' ', fp);
	number(fp, v);
	fputc('\n', fp);
}

/* prom_histogram - a histogram's buckets (cumulative), sum and count */
void
prom_histogram(FILE *fp, const char *name, const double *le,
    const unsigned long long *n, size_t nle, double sum)
{
	unsigned long long c = 0;
	size_t		 i;

	for (i = 0; i < nle; i++) {
		c += n[i];
		/* %.15g: a bound written as it was meant (0.1, not
		 * 0.10000000000000001); the label is a name, not a value. */
		fprintf(fp, "%s_bucket{le=\"%.15g\"} %llu\n", name, le[i], c);
	}
	c += n[nle];
	fprintf(fp, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum ", name, c, name);
	number(fp, sum);
	fprintf(fp, "\n%s_count %llu\n", name, c);
}

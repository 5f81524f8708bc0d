/*	$fivefifty: prom.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	prom 3h - the Prometheus text exposition format (version 0.0.4)
 * SYNOPSIS
 *	#include "util/prom.h"
 *
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
 *	What node_exporter's textfile collector and Prometheus read: a
 *	metric family is "# HELP name text" and "# TYPE name type" (counter,
 *	gauge, histogram), then its samples, one a line, "name value" or
 *	"name{label="value"} value". prom_family() writes the two heads
 *	(the help text escaped); prom_u() and prom_d() one sample, with one
 *	label when label is not NULL (its value escaped): an unsigned
 *	integer in decimal, or a double as Go's ParseFloat reads it (NaN,
 *	+Inf, -Inf). prom_histogram() writes a histogram's samples:
 *	name_bucket{le="B"} for each of the nle upper bounds in le
 *	(ascending), name_bucket{le="+Inf"}, name_sum and name_count, from
 *	the nle + 1 counts in n: per bucket, not cumulative (it adds them
 *	up), the last one those above every bound.
 *
 *	prom_esc() writes s escaped as the format asks: a backslash as \\,
 *	a newline as \n and, when quote is set (a label value), '"' as \".
 * SECURITY
 *	Names and label names are the caller's constants; label values and
 *	help texts are escaped, so a value cannot end its quotes or its
 *	line. The callers never put peer text in a label value.
 */
#ifndef FIVEFIFTY_PROM_H
#define FIVEFIFTY_PROM_H

#include <stddef.h>
#include <stdio.h>

void	prom_family(FILE *, const char *, const char *, const char *);
void	prom_u(FILE *, const char *, const char *, const char *,
	    unsigned long long);
void	prom_d(FILE *, const char *, const char *, const char *, double);
void	prom_histogram(FILE *, const char *, const double *,
	    const unsigned long long *, size_t, double);
void	prom_esc(FILE *, const char *, int);

#endif /* FIVEFIFTY_PROM_H */

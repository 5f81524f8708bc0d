/*	$fivefifty: fuzz_conf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fuzz_conf 1 - libFuzzer target for the configuration reader
 * DESCRIPTION
 *	Each input is the text of a configuration file, read by
 *	conf_load_buf() over the defaults. Besides the sanitizers' own
 *	checks, the target asserts the reader's promises: an error names
 *	the file and fits its buffer; a configuration that loads prints
 *	(conf_print()) to text that loads again to the same printed text;
 *	every list stays within its bounds. Built and run by `make fuzz`
 *	(FUZZ_TARGET=conf), seeded from conf/fivefifty.conf and the
 *	texts of tests/test_conf.c by tests/fuzz-seed.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* printed - conf_print() into a string */
static char *
printed(const struct ff_conf *c, size_t *len)
{
	char	*buf = NULL;
	FILE	*fp;

	if ((fp = open_memstream(&buf, len)) == NULL)
		abort();
	conf_print(fp, c);
	if (fclose(fp) != 0 || buf == NULL)
		abort();
	return (buf);
}

/* LLVMFuzzerTestOneInput - one configuration text */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct ff_conf c, again;
	char		 err[1024], *a, *b;
	size_t		 alen, blen;

	err[0] = '\0';
	conf_defaults(&c);
	if (conf_load_buf("fuzz.conf", (const char *)data, len, &c, err,
	    sizeof(err)) == -1) {
		if (strncmp(err, "fuzz.conf:", 10) != 0 ||
		    strlen(err) >= sizeof(err))
			abort();
		conf_free(&c);
		return (0);
	}
	if (c.nmail_log < 1 || c.nmail_log > CONF_MAX_LOGS ||
	    c.score.nwhitelist > SCORE_MAX_NETS ||
	    c.score.nwhitelist_names > SCORE_MAX_SUFFIX)
		abort();
	a = printed(&c, &alen);
	conf_defaults(&again);
	if (conf_load_buf("printed.conf", a, alen, &again, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "printed text does not load: %s\n%s", err, a);
		abort();
	}
	b = printed(&again, &blen);
	if (alen != blen || memcmp(a, b, alen) != 0) {
		fprintf(stderr, "printed text loads differently:\n%s---\n%s",
		    a, b);
		abort();
	}
	free(a);
	free(b);
	conf_free(&c);
	conf_free(&again);
	return (0);
}

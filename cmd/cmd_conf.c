/*	$fivefifty: cmd_conf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	cmd_conf 3 - the configuration a command runs with
 * SYNOPSIS
 *	int	cmd_conf(const char *cmd, const char *path, struct ff_conf *c);
 * DESCRIPTION
 *	The defaults, then path (-c FILE) when given, else the default file
 *	when it exists. Returns 0, or EX_CONFIG after saying what is wrong
 *	(file, line, what was expected).
 */
#include <unistd.h>

#include "cmd.h"
#include "conf/conf.h"

/* cmd_conf - defaults, then the configuration file */
int
cmd_conf(const char *cmd, const char *path, struct ff_conf *c)
{
	char		err[1024];

	conf_defaults(c);
	if (path == NULL && access(CONF_DEFAULT_PATH, F_OK) == 0)
		path = CONF_DEFAULT_PATH;
	if (path != NULL && conf_load(path, c, err, sizeof(err)) == -1) {
		fprintf(stderr, "fivefifty %s: %s\n", cmd, err);
		conf_free(c);
		return (EX_CONFIG);
	}
	return (0);
}

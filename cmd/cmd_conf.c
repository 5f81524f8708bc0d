/*	$fivefifty: cmd_conf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	cmd_conf 3 - the configuration a command runs with
 * SYNOPSIS
 *	struct cmd_globals cmd_g;
 *
 *	int	cmd_conf(const char *cmd, const char *path, struct ff_conf *c);
 *	const char *cmd_conf_path(const char *path);
 *	void	cmd_conf_overrides(struct ff_conf *c);
 * DESCRIPTION
 *	cmd_conf() sets the defaults, reads the file cmd_conf_path(path)
 *	names (none: the defaults stay), and applies the global options
 *	with cmd_conf_overrides(). It returns 0, or EX_CONFIG after saying
 *	what is wrong (file, line, what was expected) on stderr, as
 *	"fivefifty CMD: FILE:LINE: ...".
 *
 *	cmd_conf_path() is path (a command's own -c) when not NULL, else
 *	the global -c, else CONF_DEFAULT_PATH when it exists, else NULL.
 *
 *	Then cmd_mynetworks() reads Postfix's mynetworks (mynetworks.c).
 *
 *	cmd_conf_overrides() puts the global --db into state_db and the
 *	global --log files, when there are any, in place of mail_log.
 *
 *	cmd_g lives here, not in main.c, so that the test program (which
 *	links every command but main.c) links too.
 * SECURITY
 *	The paths are the invoking user's; main.c has checked their length.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf/conf.h"

_Static_assert(CMD_MAX_LOGS == CONF_MAX_LOGS, "--log and mail_log differ");

struct cmd_globals cmd_g;

/* cmd_conf_path - the configuration file to read, or NULL */
const char *
cmd_conf_path(const char *path)
{
	if (path != NULL)
		return (path);
	if (cmd_g.conf != NULL)
		return (cmd_g.conf);
	if (access(CONF_DEFAULT_PATH, F_OK) == 0)
		return (CONF_DEFAULT_PATH);
	return (NULL);
}

/* cmd_conf_overrides - the global --db and --log over the file's */
void
cmd_conf_overrides(struct ff_conf *c)
{
	int		i;

	if (cmd_g.db != NULL)
		snprintf(c->state_db, sizeof(c->state_db), "%s", cmd_g.db);
	if (cmd_g.nlogs > 0) {
		for (i = 0; i < cmd_g.nlogs; i++)
			snprintf(c->mail_log[i], sizeof(c->mail_log[i]), "%s",
			    cmd_g.logs[i]);
		c->nmail_log = cmd_g.nlogs;
		c->log_source = LOG_SOURCE_FILE;	/* files named: files */
	}
}

/* cmd_conf - defaults, the configuration file, the global options */
int
cmd_conf(const char *cmd, const char *path, struct ff_conf *c)
{
	char		err[1024];

	conf_defaults(c);
	if ((path = cmd_conf_path(path)) != NULL &&
	    conf_load(path, c, err, sizeof(err)) == -1) {
		fprintf(stderr, "fivefifty %s: %s\n", cmd, err);
		conf_free(c);
		return (EX_CONFIG);
	}
	cmd_conf_overrides(c);
	/* Postfix's own networks: never banned (a warning when they cannot
	 * be read, which check gives as one of its findings; the command
	 * goes on). */
	if (cmd_mynetworks(c) == -1 && strcmp(cmd, "check") != 0)
		fprintf(stderr, "fivefifty %s: warning: Postfix's mynetworks: "
		    "%s\n", cmd, c->mynetworks_note);
	return (0);
}

/* placeholder while issue 6 is built: replaced by the daemon commands */
#include <stdio.h>

#include "cmd.h"

const char run_help[] = "fivefifty run: not built yet\n";
const char ban_help[] = "fivefifty ban: not built yet\n";
const char unban_help[] = "fivefifty unban: not built yet\n";
const char status_help[] = "fivefifty status: not built yet\n";

/* not_yet - the command is not built yet */
static int
not_yet(const char *name)
{
	fprintf(stderr, "fivefifty %s: not built yet\n", name);
	return (EX_SOFTWARE);
}

/* cmd_run - placeholder */
int
cmd_run(int argc, char **argv)
{
	(void)argc;
	return (not_yet(argv[0]));
}

/* cmd_ban - placeholder */
int
cmd_ban(int argc, char **argv)
{
	(void)argc;
	return (not_yet(argv[0]));
}

/* cmd_unban - placeholder */
int
cmd_unban(int argc, char **argv)
{
	(void)argc;
	return (not_yet(argv[0]));
}

/* cmd_status - placeholder */
int
cmd_status(int argc, char **argv)
{
	(void)argc;
	return (not_yet(argv[0]));
}

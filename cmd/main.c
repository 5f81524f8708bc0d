/*	$fivefifty: main.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	main 3 - the fivefifty command: global options and subcommands
 * DESCRIPTION
 *	fivefifty [-v] COMMAND [ARGS]. Every command has --help; `fivefifty
 *	help [COMMAND]` prints the same. An unknown command is a usage error
 *	(exit 64) that says which commands exist.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util/util.h"

struct command {
	const char	*name;
	const char	*summary;
	int		(*run)(int, char **);
	const char	*help;
};

static const struct command commands[] = {
	{ "parse", "print the client events in Postfix log files",
	    cmd_parse, parse_help },
	{ "scan", "score whole logs into the state database",
	    cmd_scan, scan_help },
	{ "list", "clients under watch and active bans",
	    cmd_list, list_help },
	{ "explain", "why a client has the score and bans it has",
	    cmd_explain, explain_help },
	{ "run", "the daemon: follow the log, score, ban",
	    cmd_run, run_help },
	{ "ban", "ban an address or network now (the daemon runs)",
	    cmd_ban, ban_help },
	{ "unban", "lift a ban and forget its evidence (the daemon runs)",
	    cmd_unban, unban_help },
	{ "status", "what the daemon is doing",
	    cmd_status, status_help },
	{ NULL, NULL, NULL, NULL }
};

static const char main_help[] =
"NAME\n"
"     fivefifty - block the SMTP clients that keep coming back after a 5xx\n"
"\n"
"SYNOPSIS\n"
"     fivefifty [-v] COMMAND [ARGS]\n"
"     fivefifty help [COMMAND]\n"
"     fivefifty COMMAND --help\n"
"\n"
"DESCRIPTION\n"
"     fivefifty reads the Postfix mail log, recognises SMTP clients that\n"
"     misbehave (retries after a permanent rejection, dictionary attacks,\n"
"     SASL brute force, postscreen violations) and blocks repeat\n"
"     offenders.\n"
"\n"
"COMMANDS\n";

static const char main_tail[] =
"\n"
"OPTIONS\n"
"     -v, --verbose  Debug messages on standard error.\n"
"     -h, --help     This text.\n"
"     --version      The version.\n"
"\n"
"EXIT STATUS\n"
"     0 success, 64 usage error, 65 bad input data, 66 a missing input\n"
"     file, 70 internal error, 74 I/O error.\n";

/* find - the command called name, or NULL */
static const struct command *
find(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return (c);
	return (NULL);
}

/* usage - the overview, to fp */
static void
usage(FILE *fp)
{
	const struct command *c;

	fputs(main_help, fp);
	fprintf(fp, "     %-10s %s\n", "help", "this text, or a command's");
	for (c = commands; c->name != NULL; c++)
		fprintf(fp, "     %-10s %s\n", c->name, c->summary);
	fputs(main_tail, fp);
}

/* unknown - the error for a command that does not exist */
static int
unknown(const char *name)
{
	const struct command *c;

	fputs("fivefifty: unknown command '", stderr);
	esc_text(stderr, name, strlen(name), 64);
	fputs("'; commands:", stderr);
	for (c = commands; c->name != NULL; c++)
		fprintf(stderr, " %s", c->name);
	fputs(" help (see 'fivefifty help')\n", stderr);
	return (EX_USAGE);
}

/* main - global options, then the subcommand */
int
main(int argc, char **argv)
{
	const struct command *c;
	int		 verbose = 0;

	while (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "-v") == 0 ||
		    strcmp(argv[1], "--verbose") == 0)
			verbose = 1;
		else if (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0) {
			usage(stdout);
			return (EX_OK);
		} else if (strcmp(argv[1], "--version") == 0) {
			printf("fivefifty %s\n", FIVEFIFTY_VERSION);
			return (EX_OK);
		} else {
			fputs("fivefifty: unknown option '", stderr);
			esc_text(stderr, argv[1], strlen(argv[1]), 64);
			fputs("'\n", stderr);
			usage(stderr);
			return (EX_USAGE);
		}
		argc--;
		argv++;
	}
	log_init("fivefifty", verbose);
	if (argc < 2) {
		usage(stderr);
		return (EX_USAGE);
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return (EX_OK);
		}
		if ((c = find(argv[2])) == NULL)
			return (unknown(argv[2]));
		fputs(c->help, stdout);
		return (EX_OK);
	}
	if ((c = find(argv[1])) == NULL)
		return (unknown(argv[1]));
	return (c->run(argc - 1, argv + 1));
}

/*	$fivefifty: main.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	main 3 - the fivefifty command: global options and subcommands
 * DESCRIPTION
 *	fivefifty [-v] [-c FILE] [--db FILE] [--log FILE]... COMMAND [ARGS].
 *	The global options come before COMMAND and go into cmd_g, where
 *	cmd_conf() applies them for every command: -c names the
 *	configuration file (a command's own -c wins), --db overrides
 *	state_db, each --log adds to a list that replaces mail_log. Their
 *	paths are made absolute here (a relative one against the real path
 *	of its directory, its last component kept: a symbolic link to a log
 *	stays a link): the configuration takes absolute paths only, and
 *	the daemon reads it again on SIGHUP.
 *
 *	Every command has --help; `fivefifty help [COMMAND]` prints the
 *	same. An unknown command or option is a usage error (exit 64) that
 *	says which commands exist.
 * SECURITY
 *	Arguments are the invoking user's; paths longer than a
 *	configuration value takes are refused, and an unknown argument is
 *	escaped before it is echoed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conf/conf.h"
#include "state/state.h"
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
	{ "check", "check the configuration and print the one in effect",
	    cmd_check, check_help },
	{ "report", "top rejected HELOs, the five-fifties, the daily summary",
	    cmd_report, report_help },
	{ "state", "copy a SQLite state into PostgreSQL (state copy)",
	    cmd_state, state_help },
	{ NULL, NULL, NULL, NULL }
};

static const char main_help[] =
"NAME\n"
"     fivefifty - block the SMTP clients that keep coming back after a 5xx\n"
"\n"
"SYNOPSIS\n"
"     fivefifty [-v] [-c FILE] [--db FILE] [--log FILE]... COMMAND [ARGS]\n"
"     fivefifty help [COMMAND]\n"
"     fivefifty COMMAND --help\n"
"\n"
"DESCRIPTION\n"
"     fivefifty reads the Postfix mail log, recognises SMTP clients that\n"
"     misbehave (retries after a permanent rejection, dictionary attacks,\n"
"     SASL brute force, postscreen violations) and blocks repeat\n"
"     offenders.\n"
"\n"
"     The options before COMMAND apply to every command. The\n"
"     configuration is the defaults, then the file (-c), then --db and\n"
"     --log; `fivefifty check` prints the result.\n"
"\n"
"COMMANDS\n";

static const char main_tail[] =
"\n"
"OPTIONS\n"
"     -c FILE        The configuration file (default\n"
"                    " CONF_DEFAULT_PATH " when it exists, else\n"
"                    the built-in defaults). A command's own -c FILE\n"
"                    wins over this one.\n"
"     --db FILE      The state database, in place of state_db. A\n"
"                    command's own --db FILE wins over this one.\n"
"     --log FILE     A mail log, in place of the mail_log list; repeat it\n"
"                    for several (at most 16). `fivefifty run` follows\n"
"                    them; parse and scan read them when given no FILE.\n"
"     -v, --verbose  Debug messages on standard error.\n"
"     -h, --help     This text.\n"
"     --version      The version.\n"
"\n"
"     Relative paths are made absolute against the current directory.\n"
"     Options take their FILE as the next argument, or joined: -cFILE,\n"
"     --db=FILE, --log=FILE.\n"
"\n"
"FILES\n"
"     " CONF_DEFAULT_PATH "\n"
"                    The configuration; every key with its default and\n"
"                    unit is in the sample configuration, fivefifty.conf.\n"
"\n"
"EXIT STATUS\n"
"     0 success, 64 usage error, 65 bad input data, 66 a missing input\n"
"     file, 69 a service is unavailable, 70 internal error, 74 I/O\n"
"     error, 78 the configuration is wrong.\n";

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

/* abs_path - in as an absolute path: a relative one against the real
 * path of its directory (the cwd when that does not resolve); -1 when
 * it does not fit */
static int
abs_path(const char *in, char *out, size_t len)
{
	char		 dir[PATH_MAX], real[PATH_MAX];
	const char	*slash, *base = in;
	int		 n;

	if (in[0] == '/')
		n = snprintf(out, len, "%s", in);
	else {
		if ((slash = strrchr(in, '/')) != NULL) {
			if ((size_t)(slash - in) >= sizeof(dir))
				return (-1);
			memcpy(dir, in, (size_t)(slash - in));
			dir[slash - in] = '\0';
			base = slash + 1;
		} else
			snprintf(dir, sizeof(dir), ".");
		if (realpath(dir, real) != NULL)
			n = snprintf(out, len, "%s%s%s", real,
			    strcmp(real, "/") == 0 ? "" : "/", base);
		else if (getcwd(real, sizeof(real)) != NULL)
			n = snprintf(out, len, "%s%s%s", real,
			    strcmp(real, "/") == 0 ? "" : "/", in);
		else
			return (-1);
	}
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/* opt_value - the FILE of option name at argv[*i] ("-c FILE", "-cFILE",
 * "--db FILE", "--db=FILE"), made absolute into buf: 1, 0 when argv[*i]
 * is not that option, -1 after saying what is wrong */
static int
opt_value(int argc, char **argv, int *i, const char *name, char *buf,
    size_t len, const char **val)
{
	const char	*a = argv[*i], *v;
	size_t		 n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return (0);
	if (a[n] == '\0')
		v = *i + 1 < argc ? argv[++*i] : "";
	else if (name[1] != '-')
		v = a + n;
	else if (a[n] == '=')
		v = a + n + 1;
	else
		return (0);
	if (*v == '\0') {
		fprintf(stderr, "fivefifty: %s needs a FILE\n", name);
		return (-1);
	}
	if (strcmp(name, "--log") == 0 && strcmp(v, "-") == 0) {
		fprintf(stderr, "fivefifty: --log -: a mail log is a file, "
		    "followed by name; to read standard input use `fivefifty "
		    "scan -`, and for the systemd journal set log_source = "
		    "journal (or use `scan --journal`)\n");
		return (-1);
	}
	/* A connection URI (--db postgresql://...) is no path. */
	if (state_is_uri(v) && strlen(v) < len)
		snprintf(buf, len, "%s", v);
	else if (abs_path(v, buf, len) == -1) {
		fprintf(stderr, "fivefifty: %s: the path is too long (at most "
		    "%zu bytes once absolute)\n", name, len - 1);
		return (-1);
	}
	*val = buf;
	return (1);
}

/* globals - the options before COMMAND into cmd_g; the index of
 * COMMAND, or -1 - status (after printing what was asked or wrong) */
static int
globals(int argc, char **argv)
{
	static char	 conf[1024], db[1024], logs[CMD_MAX_LOGS][1024];
	char		 log[1024];
	const char	*v;
	int		 i, j, r;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0)
			return (i + 1);
		if (strcmp(argv[i], "-v") == 0 ||
		    strcmp(argv[i], "--verbose") == 0) {
			cmd_g.verbose = 1;
			continue;
		}
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return (-EX_OK);
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("fivefifty %s\n", FIVEFIFTY_VERSION);
			return (-EX_OK);
		}
		if ((r = opt_value(argc, argv, &i, "-c", conf, sizeof(conf),
		    &cmd_g.conf)) == 0 && (r = opt_value(argc, argv, &i,
		    "--db", db, sizeof(db), &cmd_g.db)) == 0 &&
		    (r = opt_value(argc, argv, &i, "--log", log, sizeof(log),
		    &v)) == 1) {
			for (j = 0; j < cmd_g.nlogs; j++)
				if (strcmp(cmd_g.logs[j], log) == 0)
					break;
			if (j < cmd_g.nlogs) {
				fprintf(stderr, "fivefifty: --log %s is given "
				    "twice\n", log);
				return (-EX_USAGE);
			}
			if (cmd_g.nlogs == CMD_MAX_LOGS) {
				fprintf(stderr, "fivefifty: --log: at most %d "
				    "mail logs\n", CMD_MAX_LOGS);
				return (-EX_USAGE);
			}
			memcpy(logs[cmd_g.nlogs], log, sizeof(log));
			cmd_g.logs[cmd_g.nlogs] = logs[cmd_g.nlogs];
			cmd_g.nlogs++;
		}
		if (r == -1)
			return (-EX_USAGE);
		if (r == 0) {
			fputs("fivefifty: unknown option '", stderr);
			esc_text(stderr, argv[i], strlen(argv[i]), 64);
			fputs("'\n", stderr);
			usage(stderr);
			return (-EX_USAGE);
		}
	}
	return (i);
}

/* main - global options, then the subcommand */
int
main(int argc, char **argv)
{
	const struct command *c;
	int		 i;

	if ((i = globals(argc, argv)) <= 0)
		return (-i);
	log_init("fivefifty", cmd_g.verbose);
	argc -= i - 1;
	argv += i - 1;
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

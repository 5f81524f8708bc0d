/*	$fivefifty: copy_cmd.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	copy_cmd 3 - `fivefifty state copy`: a SQLite state into PostgreSQL
 * SYNOPSIS
 *	int	cmd_state(int argc, char **argv);
 * DESCRIPTION
 *	`fivefifty state copy --from FILE --to URI` hands both to
 *	state_copy() (state.h says what it copies) and says how many rows
 *	it copied.
 * SECURITY
 *	The URI's password is never repeated (state_copy()'s messages hide
 *	it; the count names FILE, a file).
 * DIAGNOSTICS
 *	The state's message, naming the file or the URI and what to do.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "state/state.h"

const char state_help[] =
"NAME\n"
"     fivefifty state copy - move a SQLite state into PostgreSQL\n"
"\n"
"SYNOPSIS\n"
"     fivefifty state copy --from FILE --to URI\n"
"\n"
"DESCRIPTION\n"
"     Copies the state in the SQLite file FILE (state_db until now) into\n"
"     the PostgreSQL database of the libpq connection URI (for example\n"
"     postgresql:///fivefifty?host=/run/postgresql), which must hold no\n"
"     state yet: clients, evidence, bans, facts, five-fifties, and the\n"
"     file's log positions, journal cursors and open sessions; the\n"
"     evidence, facts and five-fifties as seen by this host (its node),\n"
"     like its positions; each table streamed with COPY, all in one\n"
"     transaction (all or nothing). Stop the daemon first; then set\n"
"     state_db to URI and start it: it goes on where the file left off.\n"
"\n"
"EXIT STATUS\n"
"     0 copied; 64 usage; 74 the copy failed (nothing was copied).\n";

/* cmd_state - fivefifty state copy --from FILE --to URI */
int
cmd_state(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*from = NULL, *to = NULL;
	char		 err[1024];
	long long	 rows;
	int		 ch;

	if (argc < 2 || strcmp(argv[1], "copy") != 0) {
		fprintf(stderr, "usage: fivefifty state copy --from FILE --to "
		    "URI\n");
		return (EX_USAGE);
	}
	argc--;
	argv++;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			fputs(state_help, stdout);
			return (EX_OK);
		default:
			return (EX_USAGE);
		}
	}
	if (from == NULL || to == NULL || optind != argc) {
		fprintf(stderr, "usage: fivefifty state copy --from FILE --to "
		    "URI\n");
		return (EX_USAGE);
	}
	if (state_copy(from, to, err, sizeof(err), &rows) == -1) {
		fprintf(stderr, "fivefifty state copy: %s\n", err);
		return (EX_IOERR);
	}
	fprintf(stderr, "fivefifty state copy: %lld rows from %s\n", rows,
	    from);
	return (EX_OK);
}

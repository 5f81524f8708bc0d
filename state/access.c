/*	$fivefifty: access.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	access 3 - why this user cannot open a state file, and what to do
 * SYNOPSIS
 *	int	state_file_why(const char *path, int readonly, const char *alt,
 *		    char *why, size_t len);
 * DESCRIPTION
 *	The one answer of every command (scan, list, explain, report, run)
 *	when a state file cannot be opened for a reason that is not the
 *	file's: it is not there, or this user may not open it (the
 *	daemon's state, /var/lib/fivefifty, is root's and its user's).
 *	SQLite says "unable to open database file" either way.
 *
 *	state_file_why() looks at path as this process's effective user:
 *	0 when nothing is seen against opening it (readonly: reading it;
 *	else reading and writing it, or making it in its directory), and
 *	for a URI (its server says why); STATE_FILE_MISSING when there is
 *	no such file (read-only) or no such directory; STATE_FILE_DENIED
 *	when this user may not. why then holds the path, what is wrong and
 *	what to do: run as root, or alt (NULL: "give --db FILE"), the
 *	command's other way.
 * SECURITY
 *	Only looks (faccessat() with the effective ids); opens nothing. The
 *	answer is advice for the message: the open that follows, or came
 *	before, decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "state.h"

/* may - faccessat() as the effective user; 0, or the errno */
static int
may(const char *path, int mode)
{
	return (faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0 ? 0 :
	    errno);
}

/* state_file_why - why path cannot be opened by this user; 0 when no
 * reason is seen */
int
state_file_why(const char *path, int readonly, const char *alt, char *why,
    size_t len)
{
	struct passwd	*pw;
	char		 dir[PATH_MAX], *slash;
	int		 e;

	if (alt == NULL)
		alt = "give --db FILE";
	if (state_is_uri(path) || (e = may(path, readonly ? R_OK :
	    R_OK | W_OK)) == 0)
		return (0);
	if (e == ENOENT && !readonly) {
		/* Made at open: its directory must let this user in. */
		snprintf(dir, sizeof(dir), "%s", path);
		if ((slash = strrchr(dir, '/')) == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if ((e = may(dir, W_OK | X_OK)) == 0)
			return (0);
		if (e == ENOENT) {
			snprintf(why, len, "%s: its directory %s does not "
			    "exist (fivefifty run makes it when started as "
			    "root; or %s)", path, dir, alt);
			return (STATE_FILE_MISSING);
		}
	}
	if (e == ENOENT) {
		snprintf(why, len, "%s: no state database (the daemon or "
		    "fivefifty scan makes it; or %s)", path, alt);
		return (STATE_FILE_MISSING);
	}
	if (e != EACCES && e != EPERM && e != EROFS)
		return (0);
	pw = getpwuid(geteuid());
	snprintf(why, len, "%s: permission denied to user %s (the daemon's "
	    "state is root's and its user's: run this as root, or %s)", path,
	    pw != NULL ? pw->pw_name : "?", alt);
	return (STATE_FILE_DENIED);
}

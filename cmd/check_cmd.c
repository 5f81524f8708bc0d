/*	$fivefifty: check_cmd.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	check_cmd 3 - `fivefifty check`: validate the configuration and
 *	print the one in effect
 * SYNOPSIS
 *	int	cmd_check(int argc, char **argv);
 * DESCRIPTION
 *	Reads the configuration as every command does (cmd_conf(): the
 *	defaults, the file, the global --db and --log) and prints every key
 *	with its effective value to stdout, in the file's own syntax, after
 *	comment lines that say where it came from. A configuration that
 *	does not load is reported as "fivefifty check: FILE:LINE: ..." and
 *	exits EX_CONFIG.
 *
 *	Then what the file cannot say about the system is looked at,
 *	without changing anything: the user and control_group exist; each
 *	mail_log is a regular file the user can read (by its mode bits and
 *	the user's groups); the directories of state_db and the access map
 *	exist and the user can write them, and so does metrics_file's when
 *	it is set; postmap_command and main.cf are
 *	there when the map type needs postmap; something enforces bans; no
 *	ban_time above ban_time_max; no firewall_action or
 *	firewall_established where no rule of ours acts (fw_conf_inert());
 *	nothing but a socket at control_socket
 *	(run removes only a stale socket, and refuses anything else); a
 *	state_db that is a PostgreSQL URI is opened read-only instead (the
 *	server answers, the role may log in, the schema is there). Each
 *	finding is a warning on stderr,
 *	not an error: the daemon waits for a missing log, makes its state
 *	directory, and a group may be added after the check.
 * SECURITY
 *	Only reads: stat(), access(), the passwd and group databases, a
 *	PostgreSQL state read-only. Paths come from the administrator's file
 *	or command line. A URI's password is printed as *** (state_shown()).
 * DIAGNOSTICS
 *	Exit 0 when the configuration loads (warnings or not); 64 usage; 74
 *	standard output could not be written; 78 the configuration is wrong.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf/conf.h"
#include "daemon/daemon.h"
#include "firewall/firewall.h"
#include "state/state.h"
#include "util/util.h"

#define MAY_R	4
#define MAY_W	2
#define MAY_X	1

static const char check_usage[] = "usage: fivefifty check [-c FILE]\n";

const char check_help[] =
"NAME\n"
"     fivefifty check - check the configuration and print the one in effect\n"
"\n"
"SYNOPSIS\n"
"     fivefifty [-c FILE] [--db FILE] [--log FILE]... check [-c FILE]\n"
"\n"
"DESCRIPTION\n"
"     Reads the configuration the way every command reads it: the\n"
"     built-in defaults, then the file (-c, else " CONF_DEFAULT_PATH "\n"
"     when it exists), then the global --db (state_db) and --log\n"
"     (mail_log). When it loads, every key is printed with the value in\n"
"     effect, as \"key = value\" lines a configuration file can hold,\n"
"     after comment lines that say which file was read and what the\n"
"     command line overrode (a password in state_db's URI as ***).\n"
"     Durations are printed in the largest unit that divides them\n"
"     (86400 seconds as 1d). Comment lines then say\n"
"     which networks are never banned and which log run reads (log_source:\n"
"     the mail_log files or the journal, and why: with auto, whether a\n"
"     mail_log was written in the last day).\n"
"\n"
"     An unknown key, a bad value (out of range, a relative path, a\n"
"     user name that cannot be one) or a key set twice is an error that\n"
"     names the file, the line, and what was expected; nothing is\n"
"     printed on standard output then.\n"
"\n"
"     Then the system is looked at, without changing anything, and\n"
"     each finding is a warning on standard error (the configuration\n"
"     is still valid, and the exit status is 0):\n"
"       - user does not exist; control_group does not exist;\n"
"       - run reads the journal and user is in neither systemd-journal\n"
"         nor adm, or journal_directory is missing or unreadable;\n"
"       - run reads the files and a mail_log is missing (fivefifty run\n"
"         waits for it), is not a\n"
"         regular file, or user cannot read it or list its directory\n"
"         (by the mode bits, with the user's groups: on Debian the\n"
"         user must be in the group adm);\n"
"       - the directory of state_db is missing (fivefifty run makes it\n"
"         when started as root) or user cannot write it; state_db is a\n"
"         PostgreSQL URI and the state cannot be opened read-only\n"
"         there (the server, the role, the schema: the reason says);\n"
"       - the directory of access_map is missing or user cannot write\n"
"         it; postmap_command or postfix_config_directory/main.cf is\n"
"         missing when the map's type is built with postmap;\n"
"       - the directory of metrics_file is missing or user cannot\n"
"         write it (run writes a temporary file there and renames it);\n"
"       - firewall = off with no access_map: bans are only recorded;\n"
"       - firewall_action = reject or firewall_established = yes with\n"
"         firewall = sets or off, where fivefifty writes no rule: they\n"
"         have no effect there;\n"
"       - ban_time is longer than ban_time_max;\n"
"       - something other than a socket is at control_socket (a file,\n"
"         a directory): fivefifty run removes only a stale socket\n"
"         there, and refuses to start.\n"
"\n"
"     Run it after editing the file, before reloading the daemon:\n"
"     fivefifty check >/dev/null && systemctl reload fivefifty\n"
"\n"
"OPTIONS\n"
"     -c FILE    The configuration to check (default: the global -c,\n"
"                else " CONF_DEFAULT_PATH " when it exists, else\n"
"                the built-in defaults).\n"
"     -h, --help This text.\n"
"\n"
"     The global options -c, --db and --log (before `check`) apply as\n"
"     for every command; see `fivefifty help`.\n"
"\n"
"OUTPUT\n"
"     Standard output: \"# \" comment lines, then one \"key = value\" line\n"
"     per key, in the order of the sample configuration. Standard error:\n"
"       fivefifty check: warning: WHAT\n"
"       fivefifty check: FILE: valid (N warnings)\n"
"     or, for a configuration that does not load, what is wrong:\n"
"       fivefifty check: FILE:LINE: KEY = \"VALUE\": expected WHAT\n"
"       fivefifty check: FILE:LINE: unknown key \"KEY\"\n"
"\n"
"EXIT STATUS\n"
"     0 the configuration is valid (even with warnings); 64 usage; 74\n"
"     standard output could not be written; 78 the configuration is\n"
"     wrong.\n";

/* The user the daemon runs as, for permission checks. */
struct who {
	const char	*name;
	uid_t		 uid;
	gid_t		*groups;
	int		 ngroups;
	int		 known;		/* the user exists */
};

static int nwarn;

/* finding - one warning, on stderr */
static void PRINTFLIKE(1, 2)
finding(const char *fmt, ...)
{
	va_list		ap;

	nwarn++;
	fputs("fivefifty check: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* who_init - the user's uid and groups; known = 0 when it does not
 * exist (or is empty: root stays root) */
static void
who_init(struct who *w, const char *user)
{
	struct passwd	*pw;
	int		 n = 64, had;

	memset(w, 0, sizeof(*w));
	w->name = user;
	if (*user == '\0') {
		finding("user is empty: fivefifty run started as root stays "
		    "root");
		return;
	}
	if ((pw = getpwnam(user)) == NULL) {
		finding("user %s does not exist (fivefifty run started as root "
		    "drops to it)", user);
		return;
	}
	w->uid = pw->pw_uid;
	for (;;) {
		w->groups = xreallocarray(w->groups, (size_t)n,
		    sizeof(gid_t));
		had = n;
		if (getgrouplist(user, pw->pw_gid, w->groups, &n) != -1)
			break;
		if (n <= had)
			n = had * 2;
	}
	w->ngroups = n;
	w->known = 1;
}

/* may - whether w may do want (MAY_R, MAY_W, MAY_X) to a file of sb,
 * by its mode bits */
static int
may(const struct who *w, const struct stat *sb, int want)
{
	int		bits, i;

	if (w->uid == 0)
		return (1);
	if (sb->st_uid == w->uid)
		bits = (int)(sb->st_mode >> 6) & 7;
	else {
		bits = (int)sb->st_mode & 7;
		for (i = 0; i < w->ngroups; i++)
			if (w->groups[i] == sb->st_gid) {
				bits = (int)(sb->st_mode >> 3) & 7;
				break;
			}
	}
	return ((bits & want) == want);
}

/* owner - " (owner U, group G, mode 0NNN)" for a message */
static const char *
owner(const struct stat *sb, char *buf, size_t len)
{
	struct passwd	*pw = getpwuid(sb->st_uid);
	struct group	*gr = getgrgid(sb->st_gid);
	char		 u[32], g[32];

	snprintf(u, sizeof(u), "%lu", (unsigned long)sb->st_uid);
	snprintf(g, sizeof(g), "%lu", (unsigned long)sb->st_gid);
	snprintf(buf, len, " (owner %s, group %s, mode %04o)",
	    pw != NULL ? pw->pw_name : u, gr != NULL ? gr->gr_name : g,
	    (unsigned)sb->st_mode & 07777);
	return (buf);
}

/* dir_of - the directory part of an absolute path, into buf */
static void
dir_of(const char *path, char *buf, size_t len)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		snprintf(buf, len, "/");
	else
		snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

/* reach - whether w can search every directory above path; else a
 * warning that names the first it cannot */
static int
reach(const struct who *w, const char *what, const char *path)
{
	struct stat	 sb;
	char		 dir[1024], o[128];
	size_t		 i;

	for (i = 1; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		snprintf(dir, sizeof(dir), "%.*s", (int)i, path);
		if (stat(dir, &sb) == 0 && !may(w, &sb, MAY_X)) {
			finding("user %s cannot enter %s, above %s %s%s",
			    w->name, dir, what, path, owner(&sb, o,
			    sizeof(o)));
			return (0);
		}
	}
	return (1);
}

/* check_dir - the directory of a file fivefifty writes: there, and
 * writable by the user */
static void
check_dir(const struct who *w, const char *what, const char *path,
    const char *missing)
{
	struct stat	 sb;
	char		 dir[1024], o[128];

	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &sb) == -1) {
		finding("%s %s: directory %s: %s%s", what, path, dir,
		    strerror(errno), errno == ENOENT ? missing : "");
		return;
	}
	if (!S_ISDIR(sb.st_mode)) {
		finding("%s %s: %s is not a directory", what, path, dir);
		return;
	}
	if (w->known && reach(w, what, path) && !may(w, &sb,
	    MAY_W | MAY_X))
		finding("user %s cannot write %s, the directory of %s %s%s",
		    w->name, dir, what, path, owner(&sb, o, sizeof(o)));
}

/* check_log - one mail log: a regular file the user can read, in a
 * directory it can list (the tailer watches it for rotations) */
static void
check_log(const struct who *w, const char *path)
{
	struct stat	 sb, db;
	char		 dir[1024], o[128];
	int		 e;

	dir_of(path, dir, sizeof(dir));
	if (stat(path, &sb) == -1) {
		e = errno;
		finding("mail_log %s: %s%s", path, strerror(e), e == ENOENT ?
		    " (fivefifty run waits for it)" : "");
		if (e != ENOENT || stat(dir, &db) == -1 ||
		    !S_ISDIR(db.st_mode))
			return;
		if (w->known && reach(w, "mail_log", dir) && !may(w, &db,
		    MAY_R | MAY_X))
			finding("user %s cannot list %s, the directory of "
			    "mail_log %s%s", w->name, dir, path, owner(&db, o,
			    sizeof(o)));
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		finding("mail_log %s is not a regular file", path);
		return;
	}
	if (!w->known || !reach(w, "mail_log", path))
		return;
	if (!may(w, &sb, MAY_R))
		finding("user %s cannot read mail_log %s%s", w->name, path,
		    owner(&sb, o, sizeof(o)));
	if (stat(dir, &db) == 0 && !may(w, &db, MAY_R | MAY_X))
		finding("user %s cannot list %s, the directory of mail_log "
		    "%s%s", w->name, dir, path, owner(&db, o, sizeof(o)));
}

/* check_map - the access map's directory and, for the types postmap
 * builds, postmap and main.cf */
static void
check_map(const struct who *w, const struct ff_conf *c)
{
	static const char *const built[] = { "hash:", "lmdb:", "cdb:",
	    "btree:", NULL };
	const char	*path;
	char		 maincf[1100];
	int		 i;

	if (c->fw.map[0] == '\0') {
		if (c->fw.mode == FW_OFF)
			finding("firewall = off and access_map is empty: bans "
			    "are recorded, never enforced");
		return;
	}
	path = strchr(c->fw.map, ':') + 1;
	check_dir(w, "access_map", path, "");
	for (i = 0; built[i] != NULL; i++)
		if (strncmp(c->fw.map, built[i], strlen(built[i])) == 0)
			break;
	if (built[i] == NULL)
		return;
	if (access(c->fw.postmap, X_OK) == -1)
		finding("postmap_command %s: %s (%.*s maps are built with it)",
		    c->fw.postmap, strerror(errno), (int)(strlen(built[i]) -
		    1), built[i]);
	snprintf(maincf, sizeof(maincf), "%s/main.cf", c->fw.postfix_dir);
	if (access(maincf, F_OK) == -1)
		finding("postfix_config_directory %s: %s: %s (postmap -c reads "
		    "it)", c->fw.postfix_dir, maincf, strerror(errno));
}

/* check_socket - control_socket: nothing there, a socket a daemon
 * answers on, or a stale one run replaces; anything else stops run */
static void
check_socket(const struct ff_conf *c)
{
	char		err[1400];

	if (ctl_probe(c->control_socket, err, sizeof(err)) == -1)
		finding("%s: fivefifty run refuses to start", err);
}

/* in_group - the user is in the group named */
static int
in_group(const struct who *w, const char *name)
{
	struct group	*gr;
	int		 i;

	if ((gr = getgrnam(name)) == NULL)
		return (0);
	for (i = 0; i < w->ngroups; i++)
		if (w->groups[i] == gr->gr_gid)
			return (1);
	return (0);
}

/* check_journal - the journal run will read, and the right to */
static void
check_journal(const struct who *w, const struct ff_conf *c)
{
	struct stat	sb;

	if (c->journal_directory[0] != '\0') {
		if (stat(c->journal_directory, &sb) == -1)
			finding("journal_directory %s: %s", c->journal_directory,
			    strerror(errno));
		else if (!S_ISDIR(sb.st_mode))
			finding("journal_directory %s is not a directory",
			    c->journal_directory);
		else if (w->known && !may(w, &sb, 5))
			finding("user %s cannot read journal_directory %s",
			    w->name, c->journal_directory);
		return;
	}
	/* The system journal's files are the group systemd-journal's, and
	 * Debian's adm reads them too (an ACL). */
	if (w->known && w->uid != 0 && !in_group(w, "systemd-journal") &&
	    !in_group(w, "adm"))
		finding("user %s is in neither systemd-journal nor adm: it "
		    "cannot read the journal (usermod -a -G systemd-journal "
		    "%s; make install does it)", w->name, w->name);
}

/* check_server - a PostgreSQL state can be opened, read-only */
static void
check_server(const char *uri)
{
	struct state	*st;
	char		 err[1024];

	if ((st = state_open(uri, 1, err, sizeof(err))) == NULL)
		finding("state_db %s", err);
	state_close(st);
}

/* check_system - what the file cannot say: users, files, directories */
static void
check_system(const struct ff_conf *c)
{
	struct who	 w;
	char		 why[1400];
	int		 i;

	who_init(&w, c->user);
	if (c->control_group[0] != '\0' && getgrnam(c->control_group) == NULL)
		finding("control_group %s does not exist (its members may "
		    "control the daemon)", c->control_group);
	if (daemon_log_source(c, time(NULL), why, sizeof(why)) ==
	    LOG_SOURCE_JOURNAL)
		check_journal(&w, c);
	else
		for (i = 0; i < c->nmail_log; i++)
			check_log(&w, c->mail_log[i]);
	if (state_is_uri(c->state_db))
		check_server(c->state_db);
	else
		check_dir(&w, "state_db", c->state_db, " (fivefifty run makes "
		    "it when started as root)");
	check_map(&w, c);
	if (c->metrics_file[0] != '\0')	/* a temporary file renamed there */
		check_dir(&w, "metrics_file", c->metrics_file, " (run does "
		    "not make it: create it, or change metrics_file)");
	if (fw_conf_inert(&c->fw, why, sizeof(why)) != NULL)
		finding("%s", why);
	check_socket(c);
	if (c->mynetworks_failed)
		finding("Postfix's mynetworks: %s", c->mynetworks_note);
	if (c->score.ban_base > c->score.ban_max)
		finding("ban_time = %.15gs is longer than ban_time_max = "
		    "%.15gs: every ban lasts ban_time_max", c->score.ban_base,
		    c->score.ban_max);
	free(w.groups);
}

/* cmd_check - fivefifty check [-c FILE] */
int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct ff_conf conf, shown;
	const char	*cfile = NULL, *path;
	char		 why[1400];
	int		 ch, status;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'h':
			fputs(check_help, stdout);
			return (EX_OK);
		default:
			fputs(check_usage, stderr);
			return (EX_USAGE);
		}
	}
	if (optind != argc) {
		fputs(check_usage, stderr);
		return (EX_USAGE);
	}
	path = cmd_conf_path(cfile);
	if ((status = cmd_conf("check", cfile, &conf)) != 0)
		return (status);
	if (path != NULL)
		printf("# the configuration in effect: %s", path);
	else
		printf("# the configuration in effect: no file (%s does not "
		    "exist), the defaults", CONF_DEFAULT_PATH);
	printf("%s%s%s\n", cmd_g.db != NULL || cmd_g.nlogs > 0 ? ", with " :
	    "", cmd_g.db != NULL ? "state_db from --db" : "", cmd_g.nlogs > 0 ?
	    (cmd_g.db != NULL ? " and mail_log from --log" :
	    "mail_log from --log") : "");
	/* state_db's password stays out of the output */
	shown = conf;
	state_shown(conf.state_db, shown.state_db, sizeof(shown.state_db));
	conf_print(stdout, &shown);
	printf("# mynetworks, never banned: %s\n", conf.mynetworks_note);
	printf("# run reads %s: %s\n", daemon_log_source(&conf, time(NULL), why,
	    sizeof(why)) == LOG_SOURCE_JOURNAL ? (conf.journal_directory[0] !=
	    '\0' ? "the journal of journal_directory" : "the system journal") :
	    "the mail_log files", why);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		log_warn("check: standard output");
		conf_free(&conf);
		return (EX_IOERR);
	}
	nwarn = 0;
	check_system(&conf);
	fprintf(stderr, "fivefifty check: %s: valid (%d warning%s)\n",
	    path != NULL ? path : "the defaults", nwarn, nwarn == 1 ? "" :
	    "s");
	conf_free(&conf);
	return (EX_OK);
}

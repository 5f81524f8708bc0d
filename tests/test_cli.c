/*	$fivefifty: test_cli.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_cli 3 - the fivefifty command as a postmaster runs it
 * DESCRIPTION
 *	Runs the built binary (FIVEFIFTY_BIN) with a fixed argv: help texts,
 *	the usage and unknown-command errors (exit 64), a missing file (66),
 *	text, JSON, --unmatched and --count output. JSON output of hostile
 *	lines is checked by jq, an independent parser: every line must be a
 *	valid object, and the client of the framing attack must be the real
 *	one. Text output must never hold a raw control character.
 *
 *	`fivefifty check` prints the configuration in effect (a key from the
 *	file, the defaults for the rest, in a form that loads back), exits
 *	78 naming file and line for a bad one, and warns about what the
 *	system lacks (a user, a group, a readable log, a writable
 *	directory). The global options -c, --db and --log reach every
 *	command, and a command's own -c wins. Everything is written under
 *	/tmp; scan runs with firewall = off and no access map, or --dry-run.
 */
#include <sys/stat.h>

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

static const char hostile[] =
"2023-03-14T00:01:16.756778+01:00 helga postfix/postscreen[3163107]: PREGREET 20 after 0.01 from [198.51.100.20]:40000: EHLO [6.6.6.6]:25:\\r\\n\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.29]: 504 5.5.2 <a\"b>: Helo command rejected: need fully-qualified hostname; proto=SMTP helo=<<script>\"\\\x01\x1b[31m\xff\xfe\xc3\xa9\r>\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: warning: non-SMTP command from unknown[198.51.100.30]: \x7f\x80\xed\xa0\x80 \xf0\x9f\x93\xa7\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: connect from a\x01b[198.51.100.31]\n"
"Nov 21 13:33:22 mx postfix/smtpd[1]: something Postfix 4.0 will say \x1b]0;pwned\x07\n"
"not a log line\n";

/* run - run the binary with up to 6 arguments and stdin text */
static void
run(struct run_result *r, const char *in, const char *a1, const char *a2,
    const char *a3)
{
	char	*argv[5] = { (char *)bin_path(), (char *)a1, (char *)a2,
	    (char *)a3, NULL };

	assert_int_equal(run_cmd(argv, in, in != NULL ? strlen(in) : 0, r), 0);
}

/* test_cli_usage - help, unknown commands, bad options */
static void
test_cli_usage(void **state)
{
	struct run_result r;

	(void)state;
	run(&r, NULL, NULL, NULL, NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "COMMANDS"));
	run_free(&r);

	run(&r, NULL, "frobnicate", NULL, NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
	assert_non_null(strstr(r.err, "parse"));
	run_free(&r);

	run(&r, NULL, "help", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "parse"));
	assert_non_null(strstr(r.out, "SYNOPSIS"));
	run_free(&r);

	run(&r, NULL, "--help", NULL, NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "COMMANDS"));
	run_free(&r);

	run(&r, NULL, "parse", "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "fivefifty parse"));
	assert_non_null(strstr(r.out, "EXIT STATUS"));
	assert_non_null(strstr(r.out, "--unmatched"));
	run_free(&r);

	run(&r, NULL, "help", "parse", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--json"));
	run_free(&r);

	run(&r, NULL, "help", "nosuch", NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);

	run(&r, NULL, "parse", "--bogus", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "usage: fivefifty parse"));
	run_free(&r);

	run(&r, NULL, "parse", "--json", "--count");
	assert_int_equal(r.status, 64);
	run_free(&r);

	run(&r, NULL, "parse", "--year", "sometime");
	assert_int_equal(r.status, 64);
	run_free(&r);

	run(&r, NULL, "parse", "/nonexistent/mail.log", NULL);
	assert_int_equal(r.status, 66);
	assert_non_null(strstr(r.err, "/nonexistent/mail.log"));
	assert_non_null(strstr(r.err, "No such file"));
	run_free(&r);
}

/* test_cli_json - every output line is valid JSON; the right client */
static void
test_cli_json(void **state)
{
	struct run_result r, j;
	char	*jq_all[] = { "/usr/bin/jq", "-e", "-c", ".", NULL };
	char	*jq_ip[] = { "/usr/bin/jq", "-r",
	    "select(.event==\"pregreet\") | .client_ip", NULL };
	char	*jq_helo[] = { "/usr/bin/jq", "-r",
	    "select(.event==\"reject\") | .helo", NULL };
	size_t	 lines = 0;
	char	*s;

	(void)state;
	run(&r, hostile, "parse", "--json", "-");
	assert_int_equal(r.status, 0);
	for (s = r.out; *s != '\0'; s++)
		lines += *s == '\n';
	assert_int_equal(lines, 4);	/* pregreet, reject, non_smtp, connect */
	assert_non_null(strstr(r.err, "6 lines read"));
	assert_non_null(strstr(r.err, "1 unrecognised"));

	assert_int_equal(run_cmd(jq_all, r.out, r.outlen, &j), 0);
	assert_int_equal(j.status, 0);
	run_free(&j);
	assert_int_equal(run_cmd(jq_ip, r.out, r.outlen, &j), 0);
	assert_int_equal(j.status, 0);
	assert_string_equal(j.out, "198.51.100.20\n");
	run_free(&j);
	/* Control characters and bad UTF-8 escaped, valid UTF-8 kept. */
	assert_int_equal(run_cmd(jq_helo, r.out, r.outlen, &j), 0);
	assert_int_equal(j.status, 0);
	assert_string_equal(j.out,
	    "<script>\"\\\x01\x1b[31m\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\r\n");
	run_free(&j);
	run_free(&r);
}

/* test_cli_text - text output holds no raw control character */
static void
test_cli_text(void **state)
{
	struct run_result r;
	unsigned char	*s;

	(void)state;
	run(&r, hostile, "parse", "-", NULL);
	assert_int_equal(r.status, 0);
	for (s = (unsigned char *)r.out; *s != '\0'; s++)
		if (*s != '\n' && (*s < 0x20 || *s == 0x7f))
			fail_msg("raw control character 0x%02x in text output",
			    *s);
	assert_non_null(strstr(r.out, "pregreet client=[198.51.100.20]:40000"));
	assert_non_null(strstr(r.out, "helo=<<script>\"\\\\\\x01\\x1b[31m"
	    "\\xff\\xfe\xc3\xa9\\r>"));
	assert_null(strstr(r.out, "6.6.6.6]:25 "));
	run_free(&r);
}

/* test_cli_unmatched - only the unrecognised Postfix lines, escaped */
static void
test_cli_unmatched(void **state)
{
	struct run_result r;

	(void)state;
	run(&r, hostile, "parse", "--unmatched", "-");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "-:5: Nov 21 13:33:22 mx postfix/smtpd[1]: "
	    "something Postfix 4.0 will say \\x1b]0;pwned\\x07\n");
	run_free(&r);

	run(&r, hostile, "parse", "--count", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.outlen, 0);
	assert_non_null(strstr(r.err, "4 events"));
	assert_non_null(strstr(r.err, "pregreet=1"));
	assert_non_null(strstr(r.err, "helo=1"));
	run_free(&r);
}

/* test_cli_files - several files, one missing: the rest is still read */
static void
test_cli_files(void **state)
{
	struct run_result r;
	char	 lab[512];

	(void)state;
	need_corpus();
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	run(&r, NULL, "parse", "--count", lab);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "0 unrecognised"));
	run_free(&r);
	{
		char *argv[] = { (char *)bin_path(), "parse", "--count",
		    "/nonexistent", lab, NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 66);
		assert_non_null(strstr(r.err, "6080 lines read"));
		run_free(&r);
	}
}

/* runv - run the binary with the NULL-terminated arguments after r */
static void
runv(struct run_result *r, ...)
{
	char		*argv[40];
	va_list		 ap;
	int		 n = 0;

	argv[n++] = (char *)bin_path();
	va_start(ap, r);
	while (n < 39 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
}

/* put - a file with the given text and mode */
static void
put(const char *path, const char *text, mode_t mode)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

/* has_line - whether text holds line as a whole line */
static int
has_line(const char *text, const char *line)
{
	const char	*p = text;
	size_t		 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' ||
		    p[n] == '\0'))
			return (1);
		p += n;
	}
	return (0);
}

#define CK	"/tmp/fivefifty-cli-check"

/* test_cli_check - the configuration in effect, from a file and the
 * defaults; it loads back; a bad file is 78 with file and line */
static void
test_cli_check(void **state)
{
	struct run_result r, again;

	(void)state;
	assert_int_equal(system("rm -rf " CK " && mkdir -p " CK), 0);
	put(CK "/ff.conf", "# a file of my own\n"
	    "ban_threshold = 12.5\n"
	    "log_source = file\n"
	    "mail_log = " CK "/a.log,\n"
	    "    " CK "/b.log\n"
	    "manual_ban_time = 36h\n"
	    "control_group =\n"
	    "firewall = off\n"
	    "metrics_file = " CK "/textfile/ff.prom\n"
	    "access_map =\n", 0644);
	runv(&r, "-c", CK "/ff.conf", "check", NULL);
	if (r.status != 0)
		fail_msg("check: %d %s", r.status, r.err);
	assert_non_null(strstr(r.out, "# the configuration in effect: "
	    CK "/ff.conf\n"));
	/* From the file. */
	assert_true(has_line(r.out, "ban_threshold = 12.5"));
	assert_true(has_line(r.out, "mail_log = " CK "/a.log, " CK "/b.log"));
	assert_true(has_line(r.out, "manual_ban_time = 36h"));
	assert_true(has_line(r.out, "control_group ="));
	assert_true(has_line(r.out, "firewall = off"));
	/* The defaults. */
	assert_true(has_line(r.out, "state_db = /var/lib/fivefifty/"
	    "fivefifty.db"));
	assert_true(has_line(r.out, "user = fivefifty"));
	assert_true(has_line(r.out, "control_socket = /run/fivefifty/"
	    "control.sock"));
	assert_true(has_line(r.out, "ban_time = 1h"));
	assert_true(has_line(r.out, "ban_time_max = 30d"));
	assert_true(has_line(r.out, "firewall_ports = 25, 465, 587"));
	assert_non_null(strstr(r.err, "fivefifty check: " CK "/ff.conf: "
	    "valid ("));
	/* Both logs are missing: warnings, not errors. */
	assert_non_null(strstr(r.err, "warning: mail_log " CK "/a.log: No "
	    "such file or directory (fivefifty run waits for it)"));
	assert_non_null(strstr(r.err, "warning: mail_log " CK "/b.log: "));
	assert_non_null(strstr(r.err, "firewall = off and access_map is "
	    "empty"));
	assert_non_null(strstr(r.err, "warning: metrics_file " CK
	    "/textfile/ff.prom: directory " CK "/textfile: No such file or "
	    "directory (run does not make it: create it, or change "
	    "metrics_file)\n"));
	/* The output is a configuration file that says the same. */
	put(CK "/again.conf", r.out, 0644);
	runv(&again, "check", "-c", CK "/again.conf", NULL);
	assert_int_equal(again.status, 0);
	assert_string_equal(strchr(again.out, '\n'), strchr(r.out, '\n'));
	run_free(&again);
	run_free(&r);

	/* A bad value: 78, file and line, nothing on stdout. */
	put(CK "/bad.conf", "ban_threshold = 12\n"
	    "manual_ban_time = 0s\n", 0644);
	runv(&r, "-c", CK "/bad.conf", "check", NULL);
	assert_int_equal(r.status, 78);
	assert_int_equal(r.outlen, 0);
	assert_non_null(strstr(r.err, "fivefifty check: " CK "/bad.conf:2: "
	    "manual_ban_time = \"0s\": expected a duration from 1s to 3650d"));
	run_free(&r);
	put(CK "/bad.conf", "\n# the third line\nsome_key = 1\n", 0644);
	runv(&r, "check", "-c", CK "/bad.conf", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err, "fivefifty check: " CK "/bad.conf:3: "
	    "unknown key \"some_key\""));
	run_free(&r);
	/* A file that is not there. */
	runv(&r, "-c", CK "/none.conf", "check", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err, CK "/none.conf: No such file"));
	run_free(&r);
	/* Usage. */
	runv(&r, "check", "extra", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "usage: fivefifty check"));
	run_free(&r);
	runv(&r, "help", "check", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "fivefifty check - "));
	assert_non_null(strstr(r.out, "SYNOPSIS"));
	assert_non_null(strstr(r.out, "EXIT STATUS"));
	assert_non_null(strstr(r.out, "78"));
	run_free(&r);
	assert_int_equal(system("rm -rf " CK), 0);
}

/* test_cli_check_system - warnings for what the system lacks; none
 * when it is all there */
static void
test_cli_check_system(void **state)
{
	struct run_result r;

	(void)state;
	/* Files of another owner than nobody; Debian's nobody, nogroup. */
	if (geteuid() != 0 || getpwnam("nobody") == NULL ||
	    getgrnam("nogroup") == NULL)
		skip();
	assert_int_equal(system("rm -rf " CK " && mkdir -p " CK "/db "
	    CK "/map"), 0);
	put(CK "/mail.log", "", 0600);
	assert_int_equal(chmod(CK "/db", 0755), 0);
	/* nobody cannot read a root 0600 log, nor write a root 0755
	 * directory; the user and the group below do not exist. */
	put(CK "/ff.conf", "user = nobody\n"
	    "mail_log = " CK "/mail.log\n"
	    "state_db = " CK "/db/ff.db\n"
	    "access_map = texthash:" CK "/map/access\n"
	    "control_group = no-such-group-ff\n"
	    "ban_time = 40d\n", 0644);
	runv(&r, "-c", CK "/ff.conf", "check", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "warning: user nobody cannot read "
	    "mail_log " CK "/mail.log (owner root, group root, mode 0600)"));
	assert_non_null(strstr(r.err, "warning: user nobody cannot write "
	    CK "/db, the directory of state_db " CK "/db/ff.db"));
	assert_non_null(strstr(r.err, "warning: control_group "
	    "no-such-group-ff does not exist"));
	assert_non_null(strstr(r.err, "warning: ban_time = 3456000s is "
	    "longer than ban_time_max = 2592000s"));
	run_free(&r);
	/* The same, put right: no warning at all. */
	assert_int_equal(chmod(CK "/mail.log", 0644), 0);
	assert_int_equal(chmod(CK "/db", 01777), 0);
	assert_int_equal(chmod(CK "/map", 01777), 0);
	put(CK "/ff.conf", "user = nobody\n"
	    "mail_log = " CK "/mail.log\n"
	    "state_db = " CK "/db/ff.db\n"
	    "access_map = texthash:" CK "/map/access\n"
	    "control_group = nogroup\n", 0644);
	runv(&r, "-c", CK "/ff.conf", "check", NULL);
	assert_int_equal(r.status, 0);
	if (strstr(r.err, "warning:") != NULL)
		fail_msg("unexpected: %s", r.err);
	assert_non_null(strstr(r.err, "valid (0 warnings)"));
	run_free(&r);
	/* A user that does not exist; a missing state directory. */
	put(CK "/ff.conf", "user = no-such-user-ff\n"
	    "mail_log = " CK "/mail.log\n"
	    "state_db = " CK "/nodir/ff.db\n"
	    "access_map =\n", 0644);
	runv(&r, "-c", CK "/ff.conf", "check", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "warning: user no-such-user-ff does "
	    "not exist"));
	assert_non_null(strstr(r.err, "directory " CK "/nodir: No such file "
	    "or directory (fivefifty run makes it when started as root)"));
	run_free(&r);
	assert_int_equal(system("rm -rf " CK), 0);
}

/* test_cli_global - -c, --db and --log before the command reach every
 * command; a command's own -c and --db win */
static void
test_cli_global(void **state)
{
	struct run_result r;
	char		 cwd[PATH_MAX], want[PATH_MAX + 64], lab[512];
	char		 logs[17][64];
	char		*argv[40];
	int		 i, n;

	(void)state;
	need_corpus();
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	assert_int_equal(system("rm -rf " CK " && mkdir -p " CK), 0);
	put(CK "/g.conf", "state_db = " CK "/g.db\n"
	    "mail_log = " CK "/g.log\n"
	    "ban_threshold = 11\n"
	    "firewall = off\n"
	    "access_map =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n", 0644);
	put(CK "/own.conf", "state_db = " CK "/own.db\n"
	    "ban_threshold = 22\n", 0644);

	/* -c FILE check: that file. */
	runv(&r, "-c", CK "/g.conf", "check", NULL);
	assert_int_equal(r.status, 0);
	assert_true(has_line(r.out, "ban_threshold = 11"));
	assert_true(has_line(r.out, "state_db = " CK "/g.db"));
	run_free(&r);
	/* --db and --log over the file's, joined forms too. */
	runv(&r, "--db", CK "/x.db", "-c", CK "/g.conf", "check", NULL);
	assert_int_equal(r.status, 0);
	assert_true(has_line(r.out, "state_db = " CK "/x.db"));
	assert_true(has_line(r.out, "mail_log = " CK "/g.log"));
	assert_non_null(strstr(r.out, "with state_db from --db\n"));
	run_free(&r);
	runv(&r, "-c" CK "/g.conf", "--log", CK "/A.log", "--log=" CK "/B.log",
	    "--db=" CK "/y.db", "check", NULL);
	assert_int_equal(r.status, 0);
	assert_true(has_line(r.out, "mail_log = " CK "/A.log, " CK "/B.log"));
	assert_true(has_line(r.out, "state_db = " CK "/y.db"));
	assert_true(has_line(r.out, "ban_threshold = 11"));
	run_free(&r);
	/* A relative --log is made absolute (the daemon needs that). */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	runv(&r, "-c", CK "/g.conf", "--log", "rel.log", "check", NULL);
	assert_int_equal(r.status, 0);
	snprintf(want, sizeof(want), "mail_log = %s/rel.log", cwd);
	if (!has_line(r.out, want))
		fail_msg("want \"%s\" in %s", want, r.out);
	run_free(&r);
	/* The command's own -c wins over the global one. */
	runv(&r, "-c", CK "/g.conf", "check", "-c", CK "/own.conf", NULL);
	assert_int_equal(r.status, 0);
	assert_true(has_line(r.out, "ban_threshold = 22"));
	run_free(&r);

	/* scan: the global -c (firewall off, no map) and --log as FILE. */
	runv(&r, "-c", CK "/g.conf", "--log", lab, "scan", NULL);
	if (r.status != 0)
		fail_msg("scan: %d %s", r.status, r.err);
	assert_non_null(strstr(r.out, "ban 127.81.217.162 "));
	assert_non_null(strstr(r.err, "6080 lines"));
	assert_int_equal(access(CK "/g.db", F_OK), 0);	/* state_db used */
	run_free(&r);
	/* list: the global -c's state_db; its own -c wins. */
	runv(&r, "-c", CK "/g.conf", "list", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "127.81.217.162"));
	run_free(&r);
	runv(&r, "-c", CK "/g.conf", "list", "-c", CK "/own.conf", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, CK "/own.db"));
	run_free(&r);
	/* The global --db, and list's own --db over it. */
	runv(&r, "--db", CK "/g.db", "list", "-c", CK "/own.conf", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "127.81.217.162"));
	run_free(&r);
	runv(&r, "--db", CK "/g.db", "-c", CK "/g.conf", "list", "--db",
	    CK "/none.db", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, CK "/none.db"));
	run_free(&r);
	/* explain reads the global configuration too. */
	runv(&r, "-c", CK "/g.conf", "explain", "127.81.217.162", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "five-fifty"));
	run_free(&r);
	/* A bad global -c stops every command that reads it: 78. */
	runv(&r, "-c", CK "/own.conf", "-c", CK "/bad.conf", "--log", lab,
	    "scan", "--dry-run", NULL);
	assert_int_equal(r.status, 78);
	assert_non_null(strstr(r.err, "fivefifty scan: " CK "/bad.conf: No "
	    "such file"));
	run_free(&r);
	/* parse reads the --log files when it is given no FILE. */
	runv(&r, "--log", lab, "parse", "--count", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "6080 lines read"));
	run_free(&r);

	/* Usage errors: 64 and what is wrong. */
	n = 0;
	for (i = 0; i < 17; i++) {
		snprintf(logs[i], sizeof(logs[i]), CK "/%d.log", i);
		argv[n++] = "--log";
		argv[n++] = logs[i];
	}
	argv[n++] = "check";
	argv[n] = NULL;
	{
		char *full[40];
		full[0] = (char *)bin_path();
		memcpy(full + 1, argv, (size_t)(n + 1) * sizeof(*argv));
		assert_int_equal(run_cmd(full, NULL, 0, &r), 0);
	}
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "fivefifty: --log: at most 16 mail "
	    "logs"));
	run_free(&r);
	runv(&r, "--log", CK "/a.log", "--log", CK "/a.log", "check", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "given twice"));
	run_free(&r);
	runv(&r, "check", "-c", NULL);
	assert_int_equal(r.status, 64);
	run_free(&r);
	runv(&r, "--db", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "fivefifty: --db needs a FILE"));
	run_free(&r);
	runv(&r, "-c", CK "/g.conf", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "COMMANDS"));
	run_free(&r);
	runv(&r, "--dbx", "y", "check", NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "unknown option '--dbx'"));
	run_free(&r);
	/* -v and --version still work among them. */
	runv(&r, "-v", "-c", CK "/g.conf", "--version", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "fivefifty 0."));
	run_free(&r);
	/* The overview documents them. */
	runv(&r, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "[-c FILE] [--db FILE] [--log FILE]..."));
	assert_non_null(strstr(r.out, "     check "));
	assert_non_null(strstr(r.out, "--log FILE"));
	run_free(&r);
	assert_int_equal(system("rm -rf " CK), 0);
}

#define NR	"/tmp/fivefifty-cli-nonroot"

/* as_nobody - the binary as nobody (setpriv: real and effective ids,
 * no groups) with up to seven arguments */
static void
as_nobody(struct run_result *r, const char *a1, const char *a2,
    const char *a3, const char *a4, const char *a5, const char *a6,
    const char *a7)
{
	char	*argv[] = { "/usr/bin/setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", (char *)bin_path(),
	    (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5,
	    (char *)a6, (char *)a7, NULL };

	assert_int_equal(run_cmd(argv, NULL, 0, r), 0);
}

/* test_cli_nonroot - scan, list, explain and report as a user who may
 * not open the daemon's state say so and what to do (run as root, or
 * --db FILE), never SQLite's "unable to open database file"; a state
 * that is not there is said so; scan --dry-run goes on without it;
 * make run refuses to start the daemon without root, saying why */
static void
test_cli_nonroot(void **state)
{
	static const char *const cmds[][4] = {
		{ "list", "--db", NR "/db/ff.db", NULL },
		{ "explain", "192.0.2.1", "--db", NR "/db/ff.db" },
		{ "report", "summary", "--db", NR "/db/ff.db" },
		{ "scan", "--db", NR "/db/ff.db", NR "/mail.log" },
	};
	struct run_result r;
	char		*margv[] = { "/usr/bin/setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", "/usr/bin/make", "-s",
	    "--no-print-directory", "run", NULL };
	size_t		 i;

	(void)state;
	if (geteuid() != 0 || getpwnam("nobody") == NULL ||
	    access("/usr/bin/setpriv", X_OK) != 0)
		skip();
	assert_int_equal(system("rm -rf " NR " && mkdir -p " NR "/db && "
	    "chmod 0755 " NR), 0);
	put(NR "/mail.log", "Nov 21 10:00:00 mx postfix/smtpd[1]: connect "
	    "from unknown[198.51.100.77]\n", 0644);
	put(NR "/ff.conf", "firewall = off\naccess_map =\n", 0644);
	runv(&r, "-c", NR "/ff.conf", "scan", "--db", NR "/db/ff.db",
	    NR "/mail.log", NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* The daemon's: a directory of root's alone. */
	assert_int_equal(chmod(NR "/db", 0700), 0);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		as_nobody(&r, "-c", NR "/ff.conf", cmds[i][0], cmds[i][1],
		    cmds[i][2], cmds[i][3], NULL);
		if (r.status == 0 || strstr(r.err, NR "/db/ff.db: permission "
		    "denied to user nobody") == NULL || strstr(r.err,
		    "run this as root, or give ") == NULL || strstr(r.err,
		    "unable to open") != NULL)
			fail_msg("%s: exit %d: %s", cmds[i][0], r.status,
			    r.err);
		run_free(&r);
	}
	/* The directory open, the file root's 0600: the same answer. */
	assert_int_equal(chmod(NR "/db", 0755), 0);
	assert_int_equal(chmod(NR "/db/ff.db", 0600), 0);
	as_nobody(&r, "-c", NR "/ff.conf", "list", "--db", NR "/db/ff.db",
	    NULL, NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, "permission denied to user nobody"));
	run_free(&r);
	/* A dry run reads the state only for its history: it goes on. */
	as_nobody(&r, "-c", NR "/ff.conf", "scan", "--dry-run", "--db",
	    NR "/db/ff.db", NR "/mail.log");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "permission denied to user nobody"));
	assert_non_null(strstr(r.err, "the dry run goes on without its "
	    "history"));
	run_free(&r);
	/* No state there at all (root too). */
	runv(&r, "list", "--db", NR "/none.db", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, NR "/none.db: no state database (the "
	    "daemon or fivefifty scan makes it; or give --db FILE)"));
	assert_null(strstr(r.err, "unable to open"));
	run_free(&r);
	runv(&r, "explain", "--db", NR "/none.db", "192.0.2.1", NULL);
	assert_int_equal(r.status, 74);
	assert_non_null(strstr(r.err, "no state database"));
	run_free(&r);
	/* make run, as a user: it says that root is needed, and starts
	 * nothing (the source tree is the current directory). */
	if (access("/usr/bin/make", X_OK) == 0 && access("Makefile", R_OK) ==
	    0) {
		assert_int_equal(run_cmd(margv, NULL, 0, &r), 0);
		if (r.status == 0 || strstr(r.err, "must run as root") ==
		    NULL || strstr(r.err, "sudo make run") == NULL ||
		    strstr(r.err, "running the daemon") != NULL)
			fail_msg("make run as nobody: exit %d: %s%s",
			    r.status, r.out, r.err);
		run_free(&r);
	}
	assert_int_equal(system("rm -rf " NR), 0);
}

/* test_cli_ban_args - ban and unban check their arguments before they
 * look for the daemon: a wrong address or duration is a usage error
 * (64) naming it, with no daemon running */
static void
test_cli_ban_args(void **state)
{
	static const char *const bad[] = { "300.1.1.1", "10.0.0.0/33",
	    "not-an-address", "192.0.2.1 x" };
	struct run_result r;
	size_t		 i;

	(void)state;
	assert_int_equal(system("rm -rf " NR " && mkdir -p " NR), 0);
	put(NR "/ff.conf", "control_socket = " NR "/none.sock\n", 0644);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		runv(&r, "ban", "-c", NR "/ff.conf", bad[i], NULL);
		if (r.status != 64 || strstr(r.err, "is not an IPv4 or IPv6 "
		    "address or network") == NULL || strstr(r.err,
		    "none.sock") != NULL)
			fail_msg("ban %s: exit %d: %s", bad[i], r.status,
			    r.err);
		run_free(&r);
		runv(&r, "unban", "-c", NR "/ff.conf", bad[i], NULL);
		if (r.status != 64 || strstr(r.err, "is not an IPv4 or IPv6 "
		    "address or network") == NULL)
			fail_msg("unban %s: exit %d: %s", bad[i], r.status,
			    r.err);
		run_free(&r);
	}
	runv(&r, "ban", "-c", NR "/ff.conf", "192.0.2.1", "--for", "soon",
	    NULL);
	assert_int_equal(r.status, 64);
	assert_non_null(strstr(r.err, "--for soon"));
	run_free(&r);
	/* A good one: then, and only then, the daemon is looked for. */
	runv(&r, "ban", "-c", NR "/ff.conf", "192.0.2.1", "--reason",
	    "caf\xc3\xa9 \x1b[31m", NULL);
	assert_int_equal(r.status, 69);
	assert_non_null(strstr(r.err, "none.sock"));
	assert_non_null(strstr(r.err, "--reason kept as 'caf [31m'"));
	run_free(&r);
	assert_int_equal(system("rm -rf " NR), 0);
}

const struct CMUnitTest cli_tests[] = {
	cmocka_unit_test(test_cli_usage),
	cmocka_unit_test(test_cli_json),
	cmocka_unit_test(test_cli_text),
	cmocka_unit_test(test_cli_unmatched),
	cmocka_unit_test(test_cli_files),
	cmocka_unit_test(test_cli_check),
	cmocka_unit_test(test_cli_check_system),
	cmocka_unit_test(test_cli_global),
	cmocka_unit_test(test_cli_nonroot),
	cmocka_unit_test(test_cli_ban_args),
};
const size_t cli_tests_count = sizeof(cli_tests) / sizeof(cli_tests[0]);

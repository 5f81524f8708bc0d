/*	$fivefifty: test_conf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_conf 3 - the configuration file and the sample
 * DESCRIPTION
 *	The sample conf/fivefifty.conf names every key and loads to exactly
 *	the defaults; units, lists and continuation lines are read; every
 *	kind of mistake is an error naming file and line; and a whitelist
 *	given in a file keeps an offender from being banned by `scan`.
 *	The daemon's keys (mail_log as a list, user, control_socket,
 *	control_group, manual_ban_time) take what they should and refuse
 *	the rest with the range or form expected; what conf_print() writes
 *	loads back to the same configuration.
 *	A configuration that is not a regular file (a directory, a FIFO,
 *	/dev/zero) is an error naming it, at once (the FIFO and /dev/zero
 *	are read in a child with a deadline: they hung the reader); a NUL
 *	byte is an error naming file and line; 0x10 and 010 are neither
 *	numbers nor durations; a UTF-8 byte order mark is skipped.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "conf/conf.h"

/* printed - conf_print() of a configuration, as a string */
static char *
printed(const struct ff_conf *c)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	conf_print(fp, c);
	fclose(fp);
	return (buf);
}

/* write_conf - a configuration file with the given text */
static void
write_conf(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* test_conf_sample - the sample is complete and says the defaults */
static void
test_conf_sample(void **state)
{
	struct ff_conf	 d, s;
	char		 err[512], *a, *b, *line, *text;
	size_t		 len;
	int		 keys = 0;

	(void)state;
	conf_defaults(&d);
	conf_defaults(&s);
	memset(&s.score.ban_threshold, 0, sizeof(double));	/* must be set */
	if (conf_load("conf/fivefifty.conf", &s, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	a = printed(&d);
	b = printed(&s);
	assert_string_equal(a, b);
	/* Every key conf_print() knows is in the sample. */
	text = read_file("conf/fivefifty.conf", &len);
	assert_non_null(text);
	for (line = strtok(a, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char key[80], pat[96];
		sscanf(line, "%79s", key);
		snprintf(pat, sizeof(pat), "\n%s =", key);
		if (strstr(text, pat) == NULL)
			fail_msg("the sample lacks %s", key);
		keys++;
	}
	assert_true(keys >= 35);
	free(text);
	free(a);
	free(b);
	conf_free(&s);
}

/* test_conf_values - units, lists, continuation lines */
static void
test_conf_values(void **state)
{
	struct ff_conf	 c;
	char		 err[512];
	const char	*p = "/tmp/fivefifty-conf-values.conf";

	(void)state;
	write_conf(p, "# a comment\n"
	    "score_half_life = 2h   # trailing comment\n"
	    "ban_time = 90m\n"
	    "ban_time_max = 2w\n"
	    "fivefifty_window = 86400\n"
	    "whitelist = 192.0.2.0/24,\n"
	    "    2001:db8::/32  198.51.100.7\n"
	    "whitelist_names = .google.com .outlook.com\n"
	    "myhostname = mx.example.org\n"
	    "max_clients = 5000\n");
	conf_defaults(&c);
	if (conf_load(p, &c, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_true(c.score.half_life == 7200);
	assert_true(c.score.ban_base == 5400);
	assert_true(c.score.ban_max == 14 * 86400);
	assert_true(c.score.fivefifty_window == 86400);
	assert_int_equal(c.score.nwhitelist, 3);
	assert_int_equal(c.score.whitelist[1].len, 32);
	assert_int_equal(c.score.whitelist[2].len, 32);
	assert_int_equal(c.score.nwhitelist_names, 2);
	assert_string_equal(c.score.whitelist_names[1], ".outlook.com");
	assert_string_equal(c.score.myhostname, "mx.example.org");
	assert_int_equal(c.score.max_clients, 5000);
	conf_free(&c);
	unlink(p);
}

/* test_conf_errors - every mistake names file, line and what was wanted */
static void
test_conf_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "nosuchkey = 1\n", ":1: unknown key \"nosuchkey\"" },
		{ "\n\nban_threshold = ten\n", ":3: ban_threshold = \"ten\": "
		    "expected a number" },
		{ "ban_time = 1y\n", "expected a duration" },
		{ "whitelist = 192.0.2.0/33\n", "expected addresses or networks" },
		{ "ban_threshold = 5\nban_threshold = 6\n", ":2: ban_threshold "
		    "is set twice" },
		{ "just words\n", ":1: expected \"key = value\"" },
		{ "max_clients = 1.5\n", "expected a whole number" },
		{ "state_db = relative.db\n", "expected an absolute path" },
	};
	const char	*p = "/tmp/fivefifty-conf-bad.conf";
	struct ff_conf	 c;
	char		 err[512];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_conf(p, bad[i].text);
		conf_defaults(&c);
		assert_int_equal(conf_load(p, &c, err, sizeof(err)), -1);
		if (strstr(err, bad[i].want) == NULL ||
		    strncmp(err, p, strlen(p)) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err,
			    bad[i].want);
		conf_free(&c);
	}
	{
		struct run_result r;
		char *argv[] = { (char *)bin_path(), "scan", "-c", (char *)p,
		    "--dry-run", "/dev/null", NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 78);
		assert_non_null(strstr(r.err, p));
		run_free(&r);
	}
	unlink(p);
}

/* test_conf_whitelist_scan - an offender in a whitelist is not banned */
static void
test_conf_whitelist_scan(void **state)
{
	const char	*p = "/tmp/fivefifty-conf-wl.conf";
	char		 lab[512];
	struct run_result r;
	char		*argv[] = { (char *)bin_path(), "scan", "-c", (char *)p,
	    "--dry-run", "--db", "/tmp/fivefifty-conf-none.db", lab, NULL };

	(void)state;
	need_corpus();
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	/* The lab's offenders are 127.x.y.z; the first of them, the
	 * five-fifty 127.81.217.162, is whitelisted here. */
	write_conf(p, "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "whitelist = 127.81.217.162\n");
	unlink("/tmp/fivefifty-conf-none.db");
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "ban 127."));
	assert_null(strstr(r.out, "ban 127.81.217.162 "));
	run_free(&r);
	write_conf(p, "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n");
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_non_null(strstr(r.out, "ban 127.81.217.162 "));
	run_free(&r);
	unlink(p);
}

/* test_conf_daemon_keys - the daemon's keys, and mail_log as a list */
static void
test_conf_daemon_keys(void **state)
{
	struct ff_conf	 c;
	char		 err[512], *text;
	const char	*p = "/tmp/fivefifty-conf-daemon.conf";

	(void)state;
	/* The defaults. */
	conf_defaults(&c);
	assert_int_equal(c.nmail_log, 1);
	assert_string_equal(c.mail_log[0], "/var/log/mail.log");
	assert_string_equal(c.user, "fivefifty");
	assert_string_equal(c.control_socket, "/run/fivefifty/control.sock");
	assert_string_equal(c.control_group, "adm");
	assert_true(c.manual_ban_time == 86400);
	/* Set, with a list over a continuation line. */
	write_conf(p, "mail_log = /var/log/mail.log,/var/log/mail-out.log\n"
	    "\t/srv/log/mx2.log\n"
	    "user = _ff-daemon9\n"
	    "control_socket = /run/ff/ctl.sock\n"
	    "control_group = postmasters\n"
	    "manual_ban_time = 2h\n");
	if (conf_load(p, &c, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(c.nmail_log, 3);
	assert_string_equal(c.mail_log[0], "/var/log/mail.log");
	assert_string_equal(c.mail_log[1], "/var/log/mail-out.log");
	assert_string_equal(c.mail_log[2], "/srv/log/mx2.log");
	assert_string_equal(c.user, "_ff-daemon9");
	assert_string_equal(c.control_socket, "/run/ff/ctl.sock");
	assert_string_equal(c.control_group, "postmasters");
	assert_true(c.manual_ban_time == 7200);
	text = printed(&c);
	assert_non_null(strstr(text, "\nmail_log = /var/log/mail.log, "
	    "/var/log/mail-out.log, /srv/log/mx2.log\n"));
	assert_non_null(strstr(text, "\nuser = _ff-daemon9\n"));
	assert_non_null(strstr(text, "\ncontrol_socket = /run/ff/ctl.sock\n"));
	assert_non_null(strstr(text, "\ncontrol_group = postmasters\n"));
	assert_non_null(strstr(text, "\nmanual_ban_time = 2h\n"));
	free(text);
	conf_free(&c);
	/* Empty: root only may control; the daemon stays root. One log. */
	write_conf(p, "control_group =\nuser =\nmail_log = /x/m.log\n"
	    "manual_ban_time = 3650d\n");
	conf_defaults(&c);
	if (conf_load(p, &c, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_string_equal(c.control_group, "");
	assert_string_equal(c.user, "");
	assert_int_equal(c.nmail_log, 1);
	assert_string_equal(c.mail_log[0], "/x/m.log");
	assert_true(c.manual_ban_time == 3650 * 86400.0);
	conf_free(&c);
	unlink(p);
}

/* test_conf_daemon_errors - bad values of the daemon's keys: file, line
 * and what was expected */
static void
test_conf_daemon_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "user = Fivefifty\n", ":1: user = \"Fivefifty\": expected a "
		    "user name" },
		{ "user = 9lives\n", "expected a user name" },
		{ "user = a_name_of_thirty_three_bytes_abcd\n", "at most 32" },
		{ "user = ff ff\n", "expected a user name" },
		{ "# c\ncontrol_group = wheel!\n", ":2: control_group = "
		    "\"wheel!\": expected a group name" },
		{ "control_socket = run/ctl.sock\n", "expected an absolute "
		    "path of a socket, at most 107 bytes" },
		{ "control_socket = /run/fivefifty/\n", "expected an absolute "
		    "path of a socket" },
		{ "control_socket = /run/fivefifty/a-socket-path-longer-"
		    "than-the-107-bytes-that-sun_path-holds-with-its-"
		    "terminating-nul-byte.sock\n", "at most 107 bytes" },
		{ "manual_ban_time = 0\n", ":1: manual_ban_time = \"0\": "
		    "expected a duration from 1s to 3650d" },
		{ "manual_ban_time = 3651d\n", "from 1s to 3650d" },
		{ "manual_ban_time = 1y\n", "expected a duration" },
		{ "mail_log = /var/log/mail.log, mail.err\n", ":1: "
		    "mail_log = \"/var/log/mail.log, mail.err\": expected "
		    "absolute paths" },
		{ "mail_log =\n", "expected at least one absolute path" },
		{ "mail_log = /a /b\n    /a\n", "expected each path once" },
		{ "mail_log = /1 /2 /3 /4 /5 /6 /7 /8 /9 /10 /11 /12 /13 /14 "
		    "/15 /16 /17\n", "expected at most 16 paths" },
		{ "ban_threshold = 0\n", "expected a number from 0.1 to "
		    "1000000" },
		{ "ban_time_max = 0\n", "expected a duration from 1s to "
		    "3650d" },
		{ "session_timeout = 101d\n", "from 1s to 100d" },
	};
	const char	*p = "/tmp/fivefifty-conf-daemon-bad.conf";
	struct ff_conf	 c;
	char		 err[512];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_conf(p, bad[i].text);
		conf_defaults(&c);
		assert_int_equal(conf_load(p, &c, err, sizeof(err)), -1);
		if (strstr(err, bad[i].want) == NULL ||
		    strncmp(err, p, strlen(p)) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err,
			    bad[i].want);
		conf_free(&c);
	}
	unlink(p);
}

/* test_conf_print_load - what conf_print() writes loads back to the
 * same configuration (fractions, lists and empty values included; a
 * fraction of a unit that makes whole seconds) */
static void
test_conf_print_load(void **state)
{
	struct ff_conf	 c, again;
	char		 err[512], *a, *b;
	const char	*p = "/tmp/fivefifty-conf-print.conf";
	const char	*q = "/tmp/fivefifty-conf-print2.conf";

	(void)state;
	write_conf(p, "ban_threshold = 12.345678901\n"
	    "score_half_life = 1.5h\n"
	    "ban_time = 2w\n"
	    "ban_history = 90061\n"
	    "session_timeout = 1.1d\n"
	    "whitelist = 192.0.2.0/24 2001:db8::/32\n"
	    "whitelist_names = .example.org\n"
	    "mail_log = /a.log /b.log\n"
	    "control_group =\n"
	    "firewall_ports = all\n"
	    "access_map =\n");
	conf_defaults(&c);
	if (conf_load(p, &c, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	a = printed(&c);
	assert_non_null(strstr(a, "\nban_threshold = 12.345678901\n"));
	assert_non_null(strstr(a, "\nscore_half_life = 90m\n"));
	assert_non_null(strstr(a, "\nban_time = 14d\n"));
	assert_non_null(strstr(a, "\nban_history = 90061s\n"));
	/* 1.1d is 95040 s exactly (the fuzzer found it printed as 95040s,
	 * which then read back as 1584m). */
	assert_non_null(strstr(a, "\nsession_timeout = 1584m\n"));
	assert_non_null(strstr(a, "\ncontrol_group =\n"));
	assert_non_null(strstr(a, "\nmail_log = /a.log, /b.log\n"));
	write_conf(q, a);
	conf_defaults(&again);
	if (conf_load(q, &again, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	b = printed(&again);
	assert_string_equal(a, b);
	free(a);
	free(b);
	conf_free(&c);
	conf_free(&again);
	unlink(p);
	unlink(q);
}

/* load_deadline - conf_load(path) in a child that has 5 s: 0 it loaded,
 * 1 it refused with an error that names path (in err), 2 anything else:
 * it hung, crashed or named something else */
static int
load_deadline(const char *path, char *err, size_t errlen)
{
	struct ff_conf	 c;
	int		 fds[2], st;
	pid_t		 pid;
	ssize_t		 n;

	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		alarm(5);
		conf_defaults(&c);
		st = conf_load(path, &c, err, errlen);
		if (st == 0)
			_exit(0);
		(void)write(fds[1], err, strlen(err));
		_exit(strncmp(err, path, strlen(path)) == 0 ? 1 : 2);
	}
	assert_true(pid > 0);
	close(fds[1]);
	n = read(fds[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st)) {
		snprintf(err, errlen, "killed by signal %d%s", WTERMSIG(st),
		    WTERMSIG(st) == SIGALRM ? " (it hung for 5 s)" : "");
		return (2);
	}
	return (WEXITSTATUS(st));
}

/* test_conf_not_regular - a directory, a FIFO, /dev/zero: an error
 * naming the path, and no hang */
static void
test_conf_not_regular(void **state)
{
	static const struct {
		const char *path, *want;
	} bad[] = {
		{ "/tmp/fivefifty-conf-dir", "is a directory" },
		{ "/tmp/fivefifty-conf-fifo", "is a FIFO" },
		{ "/dev/zero", "is a character device" },
	};
	char		 err[512];
	size_t		 i;
	int		 r;

	(void)state;
	(void)rmdir(bad[0].path);
	assert_int_equal(mkdir(bad[0].path, 0755), 0);
	(void)unlink(bad[1].path);
	assert_int_equal(mkfifo(bad[1].path, 0600), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = load_deadline(bad[i].path, err, sizeof(err));
		if (r != 1 || strstr(err, bad[i].want) == NULL) {
			rmdir(bad[0].path);
			unlink(bad[1].path);
			fail_msg("%s: %s (want an error with \"%s\")",
			    bad[i].path, r == 0 ? "loaded as a valid "
			    "configuration" : err, bad[i].want);
		}
	}
	/* `fivefifty check` says so too, and exits 78. */
	{
		char *argv[] = { (char *)bin_path(), "check", "-c",
		    (char *)bad[0].path, NULL };
		struct run_result res;

		assert_int_equal(run_cmd(argv, NULL, 0, &res), 0);
		r = res.status;
		i = strstr(res.err, bad[0].path) != NULL &&
		    strstr(res.err, "not a regular file") != NULL;
		run_free(&res);
		assert_int_equal(r, 78);
		assert_true(i);
	}
	rmdir(bad[0].path);
	unlink(bad[1].path);
}

/* test_conf_bytes - NUL bytes, control characters, hex and octal-looking
 * numbers, a BOM */
static void
test_conf_bytes(void **state)
{
	static const struct {
		const char *text;
		size_t	    len;
		const char *want;
	} bad[] = {
#define T(s)	s, sizeof(s) - 1
		{ T("ban_threshold = 1\0 0\n"), ":1: a NUL byte" },
		{ T("# ok\nban_time = 1h\0\n"), ":2: a NUL byte" },
		{ T("ban_time = 0x10\n"), ":1: ban_time = \"0x10\": expected "
		    "a duration" },
		{ T("ban_time = 0x1p4\n"), "expected a duration" },
		{ T("score_half_life = 010m\n"), "expected a duration" },
		{ T("ban_time = 10m junk\n"), "expected a duration" },
		{ T("ban_threshold = 0x10\n"), ":1: ban_threshold = \"0x10\": "
		    "expected a number" },
		{ T("ban_time_factor = 010\n"), "expected a number" },
		{ T("max_clients = 0x1000\n"), "expected a whole number" },
		{ T("ban_threshold = 5abc\n"), "expected a number" },
		/* Found by the conf fuzzer: a path ending in CRs printed
		 * back lost them (a trailing CR is the CRLF's own). */
		{ T("mail_log = / /2 /4\r /\r\r\x1d\r\r\n"),
		    ":1: a control character (0x0d)" },
		{ T("mail_log = /var/log/mail\x1b[2J.log\n"),
		    ":1: a control character (0x1b)" },
		{ T("mail_log = /a /\r\r\n /b\n"),
		    ":1: a control character (0x0d)" },
#undef T
	};
	const char	*p = "/tmp/fivefifty-conf-bytes.conf";
	struct ff_conf	 c;
	char		 err[512];
	FILE		*fp;
	size_t		 i;
	int		 r;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(fp = fopen(p, "w"));
		assert_int_equal(fwrite(bad[i].text, 1, bad[i].len, fp),
		    bad[i].len);
		fclose(fp);
		conf_defaults(&c);
		r = conf_load(p, &c, err, sizeof(err));
		conf_free(&c);
		if (r != -1)
			fail_msg("case %zu: loaded (ban_threshold %g, ban_time "
			    "%g)", i, c.score.ban_threshold, c.score.ban_base);
		if (strstr(err, bad[i].want) == NULL ||
		    strncmp(err, p, strlen(p)) != 0)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err,
			    bad[i].want);
	}
	/* A UTF-8 byte order mark before the first key is skipped. */
	write_conf(p, "\xef\xbb\xbf" "ban_time = 10m\nban_threshold = 7\n");
	conf_defaults(&c);
	if (conf_load(p, &c, err, sizeof(err)) == -1)
		fail_msg("a byte order mark: %s", err);
	assert_true(c.score.ban_base == 600);
	assert_true(c.score.ban_threshold == 7);
	conf_free(&c);
	/* Plain decimals still are: fractions, a zero, an exponent. */
	write_conf(p, "ban_threshold = 0.5\nban_time = 1.5h\n"
	    "fivefifty_weight = 0\nrelay_weight = 2e1\n");
	conf_defaults(&c);
	if (conf_load(p, &c, err, sizeof(err)) == -1)
		fail_msg("decimals: %s", err);
	assert_true(c.score.ban_threshold == 0.5);
	assert_true(c.score.ban_base == 5400);
	assert_true(c.score.w_relay == 20);
	conf_free(&c);
	unlink(p);
}

const struct CMUnitTest conf_tests[] = {
	cmocka_unit_test(test_conf_sample),
	cmocka_unit_test(test_conf_values),
	cmocka_unit_test(test_conf_errors),
	cmocka_unit_test(test_conf_whitelist_scan),
	cmocka_unit_test(test_conf_daemon_keys),
	cmocka_unit_test(test_conf_daemon_errors),
	cmocka_unit_test(test_conf_print_load),
	cmocka_unit_test(test_conf_not_regular),
	cmocka_unit_test(test_conf_bytes),
};
const size_t conf_tests_count = sizeof(conf_tests) / sizeof(conf_tests[0]);

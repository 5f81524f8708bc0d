/*	$fivefifty: test_spawn.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_spawn 3 - util/spawn.c's one policy, and reason_clean()
 * DESCRIPTION
 *	Each test runs /bin/sh through spawn_run() and checks what the
 *	program saw or what spawn_run() said:
 *	- exit statuses: 0, N ("exited with status N", the command named by
 *	  its path and arguments or by its name), a missing program
 *	  ("cannot run PATH");
 *	- the environment: only the variables named in pass reach it;
 *	- signals: SIGTERM ignored and SIGUSR1 blocked in the caller are
 *	  default and unblocked in the program;
 *	- standard input: 1 MiB arrives whole (more than a pipe holds); a
 *	  program that exits without reading it gives "writing to", and
 *	  the caller gets no SIGPIPE;
 *	- standard error: its first line, reduced to printable ASCII, ends
 *	  the message;
 *	- the timeout: a program that sleeps is killed ("killed after").
 *	reason_clean(): the three sets on hostile input, the caps,
 *	"unspecified".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "util/spawn.h"
#include "util/util.h"

#define SPAWN_DIR_TEMPLATE	"/tmp/fivefifty-spawn-XXXXXX"

static char	spawn_dir[sizeof(SPAWN_DIR_TEMPLATE)];

/* run_sh - spawn_run() of /bin/sh -c SCRIPT ARG0 with sp's other fields */
static int
run_sh(struct spawn *sp, const char *script, const char *arg0, char *err,
    size_t errlen)
{
	char	*argv[5];

	argv[0] = "sh";
	argv[1] = "-c";
	argv[2] = (char *)script;
	argv[3] = (char *)arg0;
	argv[4] = NULL;
	sp->path = "/bin/sh";
	sp->argv = argv;
	if (sp->timeout == 0)
		sp->timeout = 60;
	return (spawn_run(sp, err, errlen));
}

/* dir_setup - a fresh directory for the files a program writes */
static int
dir_setup(void **state)
{
	(void)state;
	memcpy(spawn_dir, SPAWN_DIR_TEMPLATE, sizeof(spawn_dir));
	if (mkdtemp(spawn_dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	return (0);
}

/* dir_teardown - remove it and what is in it */
static int
dir_teardown(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", spawn_dir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* slurp - a file's text (NUL-terminated), or fail */
static char *
slurp(const char *path, size_t *len)
{
	char	*p;

	if ((p = read_file(path, len)) == NULL)
		fail_msg("%s is missing", path);
	return (p);
}

/* test_spawn_status - 0, a status, a missing program */
static void
test_spawn_status(void **state)
{
	struct spawn	 sp;
	char		 err[512], *argv[] = { "sendmail", "-t", "-oi", NULL };

	(void)state;
	memset(&sp, 0, sizeof(sp));
	assert_int_equal(run_sh(&sp, "exit 0", "x", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	memset(&sp, 0, sizeof(sp));
	assert_int_equal(run_sh(&sp, "exit 3", "x", err, sizeof(err)), -1);
	assert_string_equal(err, "/bin/sh -c exit 3 x exited with status 3");
	memset(&sp, 0, sizeof(sp));
	sp.name = "the test";
	assert_int_equal(run_sh(&sp, "exit 4", "x", err, sizeof(err)), -1);
	assert_string_equal(err, "the test exited with status 4");
	memset(&sp, 0, sizeof(sp));
	sp.path = "/nonexistent/sendmail";
	sp.argv = argv;
	sp.timeout = 60;
	assert_int_equal(spawn_run(&sp, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot run /nonexistent/sendmail: No such "
	    "file or directory");
	sp.name = "postmap hash:/x";
	assert_int_equal(spawn_run(&sp, err, sizeof(err)), -1);
	assert_string_equal(err, "postmap hash:/x: cannot run "
	    "/nonexistent/sendmail: No such file or directory");
}

/* test_spawn_env - only the variables named reach the program */
static void
test_spawn_env(void **state)
{
	static const char *const pass[] = { "FIVEFIFTY_T_PASS",
	    "FIVEFIFTY_T_UNSET", NULL };
	struct spawn	 sp;
	char		 err[512], path[128], *env;
	size_t		 len;

	(void)state;
	snprintf(path, sizeof(path), "%s/env", spawn_dir);
	assert_int_equal(setenv("FIVEFIFTY_T_PASS", "yes", 1), 0);
	assert_int_equal(setenv("FIVEFIFTY_T_SECRET", "no", 1), 0);
	unsetenv("FIVEFIFTY_T_UNSET");
	memset(&sp, 0, sizeof(sp));
	sp.pass = pass;
	assert_int_equal(run_sh(&sp, "env > \"$0\"", path, err, sizeof(err)), 0);
	env = slurp(path, &len);
	assert_non_null(strstr(env, "FIVEFIFTY_T_PASS=yes\n"));
	assert_null(strstr(env, "FIVEFIFTY_T_SECRET"));
	assert_null(strstr(env, "FIVEFIFTY_T_UNSET"));
	assert_null(strstr(env, "\nHOME="));
	free(env);
	unsetenv("FIVEFIFTY_T_PASS");
	unsetenv("FIVEFIFTY_T_SECRET");
}

/* test_spawn_signals - the caller's ignored and blocked signals are
 * default and unblocked in the program */
static void
test_spawn_signals(void **state)
{
	struct spawn	 sp;
	struct sigaction sa, old;
	sigset_t	 usr1, oldmask;
	char		 err[512];

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGTERM, &sa, &old), 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &oldmask), 0);
	memset(&sp, 0, sizeof(sp));
	sp.name = "sh";
	/* An ignored SIGTERM would stay ignored in sh: it dies of it. */
	assert_int_equal(run_sh(&sp, "kill -TERM $$; exit 0", "x", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "sh killed by signal 15");
	/* A blocked SIGUSR1 would wait: it dies of it too. */
	assert_int_equal(run_sh(&sp, "kill -USR1 $$; exit 0", "x", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "sh killed by signal 10");
	assert_int_equal(sigprocmask(SIG_SETMASK, &oldmask, NULL), 0);
	assert_int_equal(sigaction(SIGTERM, &old, NULL), 0);
}

/* test_spawn_stdin - 1 MiB arrives whole; a program that does not read
 * it is reported, and the caller lives on */
static void
test_spawn_stdin(void **state)
{
	struct spawn	 sp;
	char		 err[512], path[128], *in, *got;
	size_t		 i, len, n = 1 << 20;
	struct sigaction sa, old;

	(void)state;
	/* SIGPIPE at its default: it would end this process. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	assert_int_equal(sigaction(SIGPIPE, &sa, &old), 0);
	assert_non_null(in = malloc(n));
	for (i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	snprintf(path, sizeof(path), "%s/in", spawn_dir);
	memset(&sp, 0, sizeof(sp));
	sp.in = in;
	sp.inlen = n;
	assert_int_equal(run_sh(&sp, "cat > \"$0\"", path, err, sizeof(err)), 0);
	got = slurp(path, &len);
	assert_int_equal(len, n);
	assert_memory_equal(got, in, n);
	free(got);
	memset(&sp, 0, sizeof(sp));
	sp.in = in;
	sp.inlen = n;
	sp.name = "sh";
	assert_int_equal(run_sh(&sp, "exec 0<&-; exit 0", "x", err, sizeof(err)),
	    -1);
	assert_string_equal(err, "writing to sh: Broken pipe");
	free(in);
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
}

/* test_spawn_stderr - its first line, printable, ends the message */
static void
test_spawn_stderr(void **state)
{
	struct spawn	 sp;
	char		 err[512];

	(void)state;
	memset(&sp, 0, sizeof(sp));
	sp.name = "sh";
	sp.flags = SPAWN_STDERR_KEEP | SPAWN_STDOUT_NULL;
	assert_int_equal(run_sh(&sp, "echo out; printf 'bad\\tthing\\033 \\n"
	    "second line\\n' >&2; exit 2", "x", err, sizeof(err)), -1);
	assert_string_equal(err, "sh exited with status 2: bad?thing");
	/* Said nothing: nothing added. */
	assert_int_equal(run_sh(&sp, "exit 5", "x", err, sizeof(err)), -1);
	assert_string_equal(err, "sh exited with status 5");
}

/* test_spawn_timeout - a program past its time is killed */
static void
test_spawn_timeout(void **state)
{
	struct spawn	 sp;
	char		 err[512];

	(void)state;
	memset(&sp, 0, sizeof(sp));
	sp.name = "sh";
	sp.timeout = 1;
	sp.flags = SPAWN_STDERR_KEEP;
	/* It keeps its stderr open and never exits by itself. */
	assert_int_equal(run_sh(&sp, "echo waiting >&2; exec sleep 600", "x",
	    err, sizeof(err)), -1);
	assert_string_equal(err, "sh killed after 1 seconds: waiting");
	/* With nothing to read or write: the exit is waited for. */
	sp.flags = 0;
	assert_int_equal(run_sh(&sp, "exec sleep 600 </dev/null 2>/dev/null",
	    "x", err, sizeof(err)), -1);
	assert_string_equal(err, "sh killed after 1 seconds");
}

/* test_reason_clean - the three sets, hostile input, caps */
static void
test_reason_clean(void **state)
{
	static const char evil[] = "x\ny\r<script>$until\xc3\xa9\x01 \x7f";
	char	 out[64], a70[71];

	(void)state;
	assert_int_equal(reason_clean(out, sizeof(out), evil, sizeof(evil),
	    REASON_WORDS), 19);
	assert_string_equal(out, "x_y_script_until_ _");
	assert_int_equal(reason_clean(out, sizeof(out), evil, sizeof(evil),
	    REASON_PRINTABLE), 17);
	assert_string_equal(out, "xy<script>$until ");
	reason_clean(out, sizeof(out), "  ", 2, REASON_WORDS);
	assert_string_equal(out, "unspecified");
	reason_clean(out, sizeof(out), "", 0, REASON_WORDS);
	assert_string_equal(out, "unspecified");
	assert_int_equal(reason_clean(out, sizeof(out), "", 0,
	    REASON_PRINTABLE), 0);
	assert_string_equal(out, "");
	reason_clean(out, sizeof(out), "by hand (spam, again!)", 22,
	    REASON_WORDS);
	assert_string_equal(out, "by hand _spam_ again_");
	reason_clean(out, sizeof(out), "five-fifty", 4, REASON_WORDS);
	assert_string_equal(out, "five");
	memset(a70, 'A', 70);
	a70[70] = '\0';
	assert_int_equal(reason_clean(out, 61, a70, 70, REASON_PRINTABLE),
	    60);
	assert_int_equal(strlen(out), 60);
	assert_int_equal(reason_clean(out, sizeof(out), a70, 70,
	    REASON_WORDS), 63);
	/* The firewall's copy: the rest dropped, no '_', no "unspecified"
	 * (the map's reply makes that). */
	assert_int_equal(reason_clean(out, sizeof(out), evil, sizeof(evil),
	    REASON_BARE), 14);
	assert_string_equal(out, "xyscriptuntil ");
	reason_clean(out, sizeof(out), "prefix: several offenders", 25,
	    REASON_BARE);
	assert_string_equal(out, "prefix several offenders");
	assert_int_equal(reason_clean(out, sizeof(out), ":::", 3,
	    REASON_BARE), 0);
	assert_string_equal(out, "");
}

const struct CMUnitTest spawn_tests[] = {
	cmocka_unit_test(test_spawn_status),
	cmocka_unit_test_setup_teardown(test_spawn_env, dir_setup,
	    dir_teardown),
	cmocka_unit_test(test_spawn_signals),
	cmocka_unit_test_setup_teardown(test_spawn_stdin, dir_setup,
	    dir_teardown),
	cmocka_unit_test(test_spawn_stderr),
	cmocka_unit_test(test_spawn_timeout),
	cmocka_unit_test(test_reason_clean),
};
const size_t spawn_tests_count = sizeof(spawn_tests) / sizeof(spawn_tests[0]);

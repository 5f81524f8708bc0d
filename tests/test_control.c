/*	$fivefifty: test_control.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_control 3 - the control socket and the configuration file of
 *	a running daemon, as a hostile peer or an unlucky operator uses them
 * DESCRIPTION
 *	Each test runs the real binary as a daemon in a private network
 *	namespace, with its state, log and socket under /tmp:
 *	- ban SECONDS beyond 3650d (9223372036854775807 overflowed now +
 *	  secs; 999999999999 banned until the year 33715) is refused with
 *	  the bounds, and nothing is banned; 3650d itself is taken;
 *	- one user holding 16 half-sent requests does not keep another
 *	  allowed user out (a per-uid limit);
 *	- a peer that may connect but is not allowed reads "not allowed",
 *	  every time (it used to print "Broken pipe" about half the time);
 *	- control_socket naming a regular file: run refuses to start and
 *	  the file is still there, check warns; a stale socket is replaced;
 *	  a live one (another daemon) is left alone;
 *	- SIGHUP with the configuration replaced by a directory: the error
 *	  names the file read (the global -c), the running configuration
 *	  stays (the same log is followed, no firewall table appears).
 *	The daemon a test started is killed in the teardown, should the
 *	test fail half-way.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define DIR	"/tmp/fivefifty-control"
#define SOCK	DIR "/ctl.sock"

extern char **environ;

static pid_t daemon_pid = -1;

/* put - a file with this text */
static void
put(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* conf_at - the daemon's configuration at path, with extra keys */
static void
conf_at(const char *path, const char *extra)
{
	char	buf[2048];

	snprintf(buf, sizeof(buf),
	    "state_db = " DIR "/ff.db\n"
	    "log_source = file\nmail_log = " DIR "/mail.log\n"
	    "user =\n"
	    "control_socket = " SOCK "\n"
	    "firewall = off\n"
	    "access_map = texthash:" DIR "/access\n"
	    "%s", extra);
	put(path, buf);
}

/* fresh_dir - an empty DIR, world-searchable (other users' clients) */
static void
fresh_dir(void)
{
	free(sh("rm -rf " DIR " && mkdir -p " DIR " && chmod 755 " DIR
	    " && : > " DIR "/mail.log", NULL));
}

/* spawn - fivefifty ARGS in the background, stderr to DIR/daemon.log */
static pid_t
spawn(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t		 pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, DIR "/daemon.log",
	    O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	return (pid);
}

/* cli - fivefifty CMD -c DIR/cli.conf [ARG]; its status, output in out */
static int
cli(const char *cmd, const char *arg, char **out)
{
	char		*argv[] = { (char *)bin_path(), (char *)cmd, "-c",
	    DIR "/cli.conf", (char *)arg, NULL };
	struct run_result r;
	int		 st;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	st = r.status;
	if (out != NULL) {
		size_t	n = r.outlen + r.errlen + 1;

		assert_non_null(*out = malloc(n));
		snprintf(*out, n, "%s%s", r.out, r.err);
	}
	run_free(&r);
	return (st);
}

/* start - the daemon on DIR/ff.conf (global -c when global), once it
 * answers; DIR/cli.conf is written for the clients */
static void
start(int global)
{
	char		*a[] = { (char *)bin_path(), "run", "-c", DIR "/ff.conf",
	    NULL };
	char		*g[] = { (char *)bin_path(), "-c", DIR "/ff.conf", "run",
	    NULL };
	int		 i, st;

	free(sh("cp " DIR "/ff.conf " DIR "/cli.conf && chmod 644 " DIR
	    "/cli.conf", NULL));
	daemon_pid = spawn(global ? g : a);
	for (i = 0; i < 500; i++) {
		if (cli("status", NULL, NULL) == 0)
			return;
		if (waitpid(daemon_pid, &st, WNOHANG) == daemon_pid) {
			char *log = read_file(DIR "/daemon.log",
			    &(size_t){ 0 });

			daemon_pid = -1;
			fail_msg("the daemon exited %d: %s", WEXITSTATUS(st),
			    log != NULL ? log : "");
		}
		usleep(10000);
	}
	fail_msg("the daemon did not answer in 5 s");
}

/* stop - SIGTERM; its exit status */
static int
stop(void)
{
	int	st;

	assert_int_equal(kill(daemon_pid, SIGTERM), 0);
	assert_int_equal(waitpid(daemon_pid, &st, 0), daemon_pid);
	daemon_pid = -1;
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* teardown - kill a daemon a failed test left, leave the namespace */
static int
teardown(void **state)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = -1;
	}
	return (netns_leave(state));
}

/* connect_sock - a client connection to SOCK, or -1 */
static int
connect_sock(void)
{
	struct sockaddr_un sun;
	int		 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", SOCK);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* ask - one raw request line; the reply (malloc'd, "" when none) */
static char *
ask(const char *req)
{
	struct timeval	 tv = { 10, 0 };
	char		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	assert_non_null(buf = calloc(1, 4096));
	if ((fd = connect_sock()) == -1)
		return (buf);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)send(fd, req, strlen(req), MSG_NOSIGNAL);
	while (len < 4095 && (n = recv(fd, buf + len, 4095 - len, 0)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return (buf);
}

/* test_control_ban_bounds - ban SECONDS outside 1 s to 3650d is refused
 * before any arithmetic, and nothing is banned */
static void
test_control_ban_bounds(void **state)
{
	static const char *const bad[] = {
		"ban 198.51.100.20 9223372036854775807 overflow\n",
		"ban 198.51.100.21 999999999999 year 33715\n",
		"ban 198.51.100.22 315360001 a second too long\n",
		"ban 198.51.100.23 -5 negative\n",
		"ban 198.51.100.24 0 zero\n",
	};
	char		*out;
	size_t		 i;

	(void)state;
	fresh_dir();
	conf_at(DIR "/ff.conf", "");
	start(0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out = ask(bad[i]);
		if (strncmp(out, "error: bad duration", 19) != 0 ||
		    strstr(out, "3650d") == NULL) {
			print_message("      %s      -> %s\n", bad[i], out);
			free(out);
			fail_msg("case %zu not refused with the bounds", i);
		}
		free(out);
	}
	assert_int_equal(cli("status", NULL, &out), 0);
	if (strstr(out, "bans_in_force      0\n") == NULL)
		fail_msg("something was banned: %s", out);
	free(out);
	/* The longest ban there is is taken. */
	out = ask("ban 198.51.100.25 315360000 ten years\n");
	assert_non_null(strstr(out, "banned 198.51.100.25 until"));
	assert_non_null(strstr(out, "\nok\n"));
	free(out);
	assert_int_equal(stop(), 0);
	out = sh(SQLITE3 DIR "/ff.db \"SELECT group_concat(addr) FROM "
	    "bans\"", NULL);
	assert_string_equal(out, "198.51.100.25\n");
	free(out);
	free(sh("rm -rf " DIR, NULL));
}

/* test_control_fair - 16 half-sent requests of root do not keep nobody
 * (a member of control_group) out */
static void
test_control_fair(void **state)
{
	char		*argv[] = { "/usr/bin/setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", (char *)bin_path(), "status",
	    "-c", DIR "/cli.conf", NULL };
	struct run_result r;
	int		 fds[16], i, st;

	(void)state;
	fresh_dir();
	conf_at(DIR "/ff.conf", "control_group = nogroup\n");
	start(0);
	for (i = 0; i < 16; i++) {
		assert_true((fds[i] = connect_sock()) >= 0);
		/* Half a request; the daemon may have refused this one
		 * already (EPIPE), as it should beyond the limit. */
		(void)send(fds[i], "sta", 3, MSG_NOSIGNAL);
	}
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	st = r.status;
	if (st != 0)
		print_message("      nobody: %s%s", r.out, r.err);
	run_free(&r);
	for (i = 0; i < 16; i++)
		close(fds[i]);
	assert_int_equal(st, 0);
	/* And root, once its connections are gone, again. */
	assert_int_equal(cli("status", NULL, NULL), 0);
	assert_int_equal(stop(), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* test_control_not_allowed - a peer that may connect but is not allowed
 * reads why, every time */
static void
test_control_not_allowed(void **state)
{
	char		*argv[] = { "/usr/bin/setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", (char *)bin_path(), "status",
	    "-c", DIR "/cli.conf", NULL };
	struct run_result r;
	int		 i, ok = 1;

	(void)state;
	fresh_dir();
	conf_at(DIR "/ff.conf", "control_group =\n");
	start(0);
	free(sh("chmod 666 " SOCK, NULL));	/* it may connect */
	for (i = 0; i < 20 && ok; i++) {
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		ok = r.status == 4 && strstr(r.err, "not allowed") != NULL;
		if (!ok)
			print_message("      run %d: exit %d: %s", i, r.status,
			    r.err);
		run_free(&r);
	}
	assert_int_equal(stop(), 0);
	assert_true(ok);
	free(sh("rm -rf " DIR, NULL));
}

/* wait_exit - the status of pid if it exits within 5 s, else kill it
 * and -1 */
static int
wait_exit(pid_t pid)
{
	int	i, st;

	for (i = 0; i < 500; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 +
			    WTERMSIG(st));
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return (-1);
}

/* test_control_socket_path - a file at control_socket is never removed;
 * a stale socket is; a live one is not */
static void
test_control_socket_path(void **state)
{
	char		*a[] = { (char *)bin_path(), "run", "-c", DIR "/ff.conf",
	    NULL };
	char		*c[] = { (char *)bin_path(), "check", "-c",
	    DIR "/ff.conf", NULL };
	struct sockaddr_un sun;
	struct run_result r;
	char		*text;
	int		 st, fd;

	(void)state;
	fresh_dir();
	conf_at(DIR "/ff.conf", "");
	put(SOCK, "precious\n");
	/* check warns. */
	assert_int_equal(run_cmd(c, NULL, 0, &r), 0);
	st = r.status;
	text = strstr(r.err, "control_socket " SOCK " exists and is not a "
	    "socket");
	if (text == NULL)
		print_message("      check: %s", r.err);
	run_free(&r);
	assert_int_equal(st, 0);
	assert_non_null(text);
	/* run refuses, and the file stays. */
	st = wait_exit(spawn(a));
	text = read_file(SOCK, &(size_t){ 0 });
	if (st <= 0 || text == NULL || strcmp(text, "precious\n") != 0) {
		free(text);
		text = read_file(DIR "/daemon.log", &(size_t){ 0 });
		print_message("      %s", text != NULL ? text : "");
		free(text);
		fail_msg("run %s, the file %s", st == -1 ? "started" :
		    st == 0 ? "exited 0" : "refused", access(SOCK, F_OK) == 0 ?
		    "changed" : "deleted");
	}
	free(text);
	text = read_file(DIR "/daemon.log", &(size_t){ 0 });
	assert_non_null(text);
	assert_non_null(strstr(text, "control_socket " SOCK " exists and is "
	    "not a socket"));
	free(text);

	/* A stale socket (bound, nobody listens) is replaced. */
	assert_int_equal(unlink(SOCK), 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", SOCK);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	start(0);
	/* A live one is left alone: a second daemon refuses to start. */
	st = wait_exit(spawn(a));
	assert_true(st > 0);
	assert_int_equal(cli("status", NULL, NULL), 0);
	text = read_file(DIR "/daemon.log", &(size_t){ 0 });
	assert_non_null(text);
	assert_non_null(strstr(text, "another fivefifty is running"));
	free(text);
	assert_int_equal(stop(), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* test_control_hup_directory - SIGHUP with the configuration file
 * replaced by a directory: the error names it, the old one stays */
static void
test_control_hup_directory(void **state)
{
	char		*out;
	int		 st;

	(void)state;
	fresh_dir();
	conf_at(DIR "/ff.conf", "");
	start(1);			/* fivefifty -c FILE run */
	free(sh("rm " DIR "/ff.conf && mkdir " DIR "/ff.conf", NULL));
	assert_int_equal(kill(daemon_pid, SIGHUP), 0);
	usleep(500000);
	assert_int_equal(cli("status", NULL, &out), 0);
	if (strstr(out, DIR "/mail.log offset") == NULL)
		fail_msg("the running configuration was replaced: %s", out);
	free(out);
	/* firewall = off stays: no table of the defaults' firewall. */
	free(sh("nft list table inet fivefifty >/dev/null 2>&1", &st));
	assert_int_not_equal(st, 0);
	out = read_file(DIR "/daemon.log", &(size_t){ 0 });
	assert_non_null(out);
	if (strstr(out, DIR "/ff.conf: is a directory") == NULL ||
	    strstr(out, "configuration " DIR "/ff.conf is broken") == NULL ||
	    strstr(out, "the running configuration stays") == NULL)
		fail_msg("the log does not say so: %s", out);
	free(out);
	assert_int_equal(stop(), 0);
	free(sh("rm -rf " DIR, NULL));
}

#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    teardown)

const struct CMUnitTest control_tests[] = {
	NS_TEST(test_control_ban_bounds),
	NS_TEST(test_control_fair),
	NS_TEST(test_control_not_allowed),
	NS_TEST(test_control_socket_path),
	NS_TEST(test_control_hup_directory),
};
const size_t control_tests_count = sizeof(control_tests) /
    sizeof(control_tests[0]);

/*	$fivefifty: test_daemon.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_daemon 3 - fivefifty run, driven through its log and its
 *	control socket
 * DESCRIPTION
 *	Each test runs the real binary as a daemon in a private network
 *	namespace with its own table, map, state and socket under /tmp:
 *	- a five-fifty written to the followed log is in the kernel set
 *	  within a second (the time is printed), a legitimate client is not;
 *	  ban, unban (which forgets the evidence), refusals of protected
 *	  addresses, status; a broken configuration on SIGHUP keeps the
 *	  daemon running; SIGTERM exits 0; after `nft flush ruleset` and a
 *	  restart, the state's running bans are in the set again, the lifted
 *	  one is not;
 *	- systemd's notify protocol, on a socket of the test's own;
 *	- the control socket refuses another user unless it is a member of
 *	  control_group;
 *	- started as root with a user: that user's ids, CAP_NET_ADMIN only,
 *	  and bans still reach the kernel;
 *	- kill -9 at random moments while a real log is appended and rotated
 *	  (rename and create, as logrotate does): the final state equals that
 *	  of `fivefifty scan` over the same lines, nothing lost, nothing
 *	  counted twice;
 *	- the state locked by another process (BEGIN EXCLUSIVE), or on a
 *	  full file system that then grows: status says failing since when
 *	  and why, the daemon goes on, and stores the manual ban and the
 *	  positions by itself once it can (no restart); killed during the
 *	  outage, the restarted daemon ends with a scan's state; a long
 *	  outage keeps at most 8 batches waiting and coalesces the rest;
 *	- no Postfix (no postmap), then Postfix without main.cf, and no
 *	  mail log yet: the map's failure said plainly with what to do
 *	  (access_map =), "there is no map yet" rather than "the previous
 *	  map stays", status "waiting for FILE" rather than "size -1"; the
 *	  map and the log once they can be; a later failure keeps the map.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tests.h"
#include "daemon/daemon_int.h"

#ifdef FF_TEST_DAEMON_DIR	/* engineers' runs side by side */
#define DIR	FF_TEST_DAEMON_DIR
#else
#define DIR	"/tmp/fivefifty-daemon"
#endif

extern char **environ;

/* write_text - a file with this text */
static void
write_text(const char *path, const char *text, const char *mode)
{
	FILE	*fp = fopen(path, mode);

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* conf_text - the daemon's configuration in DIR, with extra keys */
static void
conf_text(const char *extra)
{
	char	buf[4096];

	snprintf(buf, sizeof(buf),
	    "state_db = " DIR "/ff.db\n"
	    "log_source = file\nmail_log = " DIR "/mail.log\n"
	    "user =\n"
	    "control_socket = " DIR "/ctl.sock\n"
	    "control_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map = texthash:" DIR "/access\n"
	    "%s", extra);
	write_text(DIR "/ff.conf", buf, "w");
}

static pid_t	started;	/* the last daemon start() ran */

/* start - fivefifty run in the background; its pid (stderr to a file) */
static pid_t
start(void)
{
	char		*argv[] = { (char *)bin_path(), "run", "-c",
	    DIR "/ff.conf", NULL };
	posix_spawn_file_actions_t fa;
	pid_t		 pid;
	int		 i;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, DIR "/daemon.log",
	    O_WRONLY | O_CREAT | O_APPEND, 0644);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	started = pid;
	for (i = 0; i < 500; i++) {	/* the socket answers: ready */
		char	*sargv[] = { (char *)bin_path(), "status", "-c",
		    DIR "/ff.conf", NULL };
		struct run_result r;
		int	 st;

		assert_int_equal(run_cmd(sargv, NULL, 0, &r), 0);
		st = r.status;
		run_free(&r);
		if (st == 0)
			return (pid);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			char *log = read_file(DIR "/daemon.log",
			    &(size_t){ 0 });
			fail_msg("the daemon exited %d: %s", WEXITSTATUS(st),
			    log != NULL ? log : "");
		}
		usleep(10000);
	}
	fail_msg("the daemon did not answer in 5 s");
	return (-1);
}

/* stop - SIGTERM, and its exit status */
static int
stop(pid_t pid)
{
	int	st, i;

	assert_int_equal(kill(pid, SIGTERM), 0);
	/* A daemon that ignores SIGTERM must fail its test, not hang the
	 * run: SIGKILL after 30 s (a deadline for a hang, not a timing). */
	for (i = 0; i < 3000 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 3000) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fail_msg("the daemon did not exit within 30 s of SIGTERM");
	}
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* cli - a fivefifty command against DIR's configuration; its status */
static int
cli(const char *a1, const char *a2, const char *a3, const char *a4,
    char **out)
{
	char		*argv[8] = { (char *)bin_path(), (char *)a1, "-c",
	    DIR "/ff.conf", (char *)a2, (char *)a3, (char *)a4, NULL };
	struct run_result r;
	int		 st;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	st = r.status;
	if (out != NULL) {
		size_t	n = r.outlen + r.errlen + 1;

		*out = malloc(n);
		assert_non_null(*out);
		snprintf(*out, n, "%s%s", r.out, r.err);
	}
	run_free(&r);
	return (st);
}

/* sessions - n five-fifty sessions of addr, or n accepted mails */
static void
sessions(const char *addr, int n, int good)
{
	log_sessions(DIR "/mail.log", addr, n, good, time(NULL));
}

/* wait_in_set - until addr is (want 1) or is not (0) in the set; ms */
static long
wait_in_set(const char *addr, int want, long limit_ms)
{
	struct timespec	 t0, t1;
	long		 ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec -
		    t0.tv_nsec) / 1000000;
		if (nft_in_set4(addr) == want)
			return (ms);
		if (ms > limit_ms)
			return (-1);
		usleep(5000);
	}
}

/* fresh_dir - an empty DIR */
static void
fresh_dir(void)
{
	free(sh("rm -rf " DIR " && mkdir -p " DIR " && : > " DIR
	    "/mail.log", NULL));
}

/* test_daemon_control - bans from the log, ban/unban/status, HUP, TERM,
 * restart and reconcile */
static void
test_daemon_control(void **state)
{
	char		*out;
	long		 ms;
	pid_t		 pid;

	(void)state;
	fresh_dir();
	conf_text("");
	pid = start();
	sessions("192.0.2.60", 6, 1);		/* a legitimate client */
	sessions("192.0.2.50", 5, 0);		/* a five-fifty */
	ms = wait_in_set("192.0.2.50", 1, 2000);
	if (ms < 0)
		fail_msg("not banned within 2 s");
	print_message("      five-fifty in the kernel set %ld ms after its "
	    "lines were written (poll every 5 ms, nft included)\n", ms);
	assert_false(nft_in_set4("192.0.2.60"));

	assert_int_equal(cli("status", NULL, NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "fivefifty is running"));
	assert_non_null(strstr(out, "bans_in_force      1"));
	assert_non_null(strstr(out, DIR "/mail.log offset"));
	assert_non_null(strstr(out, "firewall           ok"));
	assert_non_null(strstr(out, "firewall_action    drop\n"));
	assert_non_null(strstr(out, "firewall_established no\n"));
	free(out);
	assert_int_equal(cli("status", "--json", NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "\"running\":true"));
	assert_non_null(strstr(out, "\"firewall_action\":\"drop\""));
	assert_non_null(strstr(out, "\"bans_in_force\":1"));
	free(out);

	/* A manual ban, at once; protected addresses refused. */
	assert_int_equal(cli("ban", "198.51.100.7", "--for", "2h", &out), 0);
	assert_non_null(strstr(out, "banned 198.51.100.7 until"));
	free(out);
	assert_true(nft_in_set4("198.51.100.7"));
	assert_int_equal(cli("ban", "127.0.0.1", NULL, NULL, &out), 65);
	assert_non_null(strstr(out, "protected"));
	free(out);
	assert_int_equal(cli("ban", "not-an-address", NULL, NULL, &out), 64);
	free(out);
	assert_int_equal(cli("ban", "198.51.100.8", "--for", "soon", &out),
	    64);
	free(out);

	/* Unban: out of the set, and one more retry does not re-ban it
	 * (its evidence was forgotten). */
	assert_int_equal(cli("unban", "192.0.2.50", NULL, NULL, &out), 0);
	free(out);
	assert_false(nft_in_set4("192.0.2.50"));
	sessions("192.0.2.50", 1, 0);
	usleep(300000);
	assert_false(nft_in_set4("192.0.2.50"));
	assert_int_equal(cli("unban", "203.0.113.99", NULL, NULL, &out), 65);
	assert_non_null(strstr(out, "not banned"));
	free(out);

	/* SIGHUP with a broken configuration: reported, still running. */
	write_text(DIR "/ff.conf", "no_such_key = 1\n", "a");
	assert_int_equal(kill(pid, SIGHUP), 0);
	usleep(300000);
	conf_text("");		/* the client commands read it too */
	assert_int_equal(cli("status", NULL, NULL, NULL, NULL), 0);
	out = read_file(DIR "/daemon.log", &(size_t){ 0 });
	assert_non_null(out);
	assert_non_null(strstr(out, "no_such_key"));
	assert_non_null(strstr(out, "the running configuration stays"));
	free(out);
	/* SIGHUP with a good one: applied (the chain's ports and action
	 * change, and status says the action), the bans and the state
	 * kept. */
	conf_text("firewall_ports = 2525\nfirewall_action = reject\n");
	assert_int_equal(kill(pid, SIGHUP), 0);
	usleep(500000);
	out = sh("nft list chain inet fivefifty input", NULL);
	assert_non_null(strstr(out, "dport 2525"));
	assert_null(strstr(out, "dport 587"));
	assert_non_null(strstr(out, "reject with tcp reset"));
	free(out);
	assert_int_equal(cli("status", NULL, NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "firewall_action    reject\n"));
	free(out);
	assert_true(nft_in_set4("198.51.100.7"));
	conf_text("");
	assert_int_equal(stop(pid), 0);
	assert_int_equal(cli("status", NULL, NULL, NULL, NULL), 3);

	/* The ruleset flushed while down; the restart puts the running
	 * ban back and leaves the lifted one out. */
	free(sh("nft flush ruleset", NULL));
	pid = start();
	assert_true(nft_in_set4("198.51.100.7"));
	assert_false(nft_in_set4("192.0.2.50"));
	out = sh(SQLITE3 DIR "/ff.db \"SELECT count(*) FROM bans WHERE "
	    "manual = 1 AND addr = '198.51.100.7'\"", NULL);
	assert_int_equal(atoi(out), 1);
	free(out);
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* proc_field - a line of /proc/PID/status, after its "Name:" */
static char *
proc_field(pid_t pid, const char *name, char *buf, size_t len)
{
	char	 path[64], line[256];
	FILE	*fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	buf[0] = '\0';
	if ((fp = fopen(path, "r")) == NULL)
		return (buf);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, name, strlen(name)) == 0 &&
		    line[strlen(name)] == ':') {
			snprintf(buf, len, "%s", line + strlen(name) + 1);
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	fclose(fp);
	return (buf);
}

/* test_daemon_privileges - started as root with a user: it runs as the
 * user with CAP_NET_ADMIN only, and still bans */
static void
test_daemon_privileges(void **state)
{
	char		 buf[128];
	pid_t		 pid;

	(void)state;
	fresh_dir();
	free(sh("chmod 755 " DIR " && chmod 644 " DIR "/mail.log && mkdir "
	    DIR "/map && chown nobody " DIR "/map", NULL));
	write_text(DIR "/ff.conf",
	    "state_db = " DIR "/state/ff.db\n"
	    "log_source = file\nmail_log = " DIR "/mail.log\n"
	    "user = nobody\n"
	    "control_socket = " DIR "/run/ctl.sock\n"
	    "control_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map = texthash:" DIR "/map/access\n", "w");
	pid = start();
	/* Real, effective, saved and file-system ids: nobody's. */
	proc_field(pid, "Uid", buf, sizeof(buf));
	assert_string_equal(buf, "\t65534\t65534\t65534\t65534");
	proc_field(pid, "CapEff", buf, sizeof(buf));
	assert_string_equal(buf, "\t0000000000001000");	/* NET_ADMIN */
	proc_field(pid, "CapPrm", buf, sizeof(buf));
	assert_string_equal(buf, "\t0000000000001000");
	proc_field(pid, "CapBnd", buf, sizeof(buf));
	assert_string_equal(buf, "\t0000000000000000");
	sessions("192.0.2.70", 5, 0);
	if (wait_in_set("192.0.2.70", 1, 2000) < 0)
		fail_msg("not banned as nobody");
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* drain - read notifications from fd for ms milliseconds (0: what is
 * there), appending them to got, one per line */
static void
drain(int fd, char *got, size_t size, int ms)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	struct timespec	 t0, now;
	char		 buf[512];
	ssize_t		 n;
	int		 left = ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			buf[n] = '\0';
			strncat(got, buf, size - strlen(got) - 2);
			strcat(got, "\n");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = ms - (int)((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return;
		(void)poll(&pfd, 1, left);
	}
}

/* test_daemon_notify - the sd_notify protocol on a socket of ours:
 * READY, STATUS, WATCHDOG, RELOADING, STOPPING */
static void
test_daemon_notify(void **state)
{
	struct sockaddr_un sun;
	char		 got[8192] = "";
	int		 fd, i, st;
	pid_t		 pid;

	(void)state;
	fresh_dir();
	conf_text("firewall = off\n");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), DIR "/notify.sock");
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", DIR "/notify.sock", 1);
	setenv("WATCHDOG_USEC", "400000", 1);	/* a ping every 200 ms */
	pid = start();
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	/* Read as systemd does, all along: a queue left full drops the
	 * daemon's notifications (test_daemon_notify_unread). */
	drain(fd, got, sizeof(got), 0);
	sessions("192.0.2.80", 2, 1);
	drain(fd, got, sizeof(got), 700);
	assert_int_equal(kill(pid, SIGHUP), 0);
	drain(fd, got, sizeof(got), 300);
	assert_int_equal(kill(pid, SIGTERM), 0);
	for (i = 0; i < 3000 && waitpid(pid, &st, WNOHANG) == 0; i++)
		drain(fd, got, sizeof(got), 10);
	if (i == 3000) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fail_msg("the daemon did not exit within 30 s of SIGTERM");
	}
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	drain(fd, got, sizeof(got), 0);
	close(fd);
	assert_non_null(strstr(got, "READY=1"));
	assert_non_null(strstr(got, "WATCHDOG=1"));
	assert_non_null(strstr(got, "STATUS="));
	assert_non_null(strstr(got, "RELOADING=1"));
	assert_non_null(strstr(got, "STOPPING=1"));
	/* READY comes before the first WATCHDOG, STOPPING last. */
	assert_true(strstr(got, "READY=1") < strstr(got, "WATCHDOG=1"));
	assert_non_null(strstr(strstr(got, "STOPPING=1"), "STOPPING=1"));
	free(sh("rm -rf " DIR, NULL));
}

/* test_daemon_notify_unread - a supervisor that never reads its socket:
 * the queue fills (10 datagrams in a fresh namespace), and the daemon
 * still follows its log, bans, answers and stops on SIGTERM */
static void
test_daemon_notify_unread(void **state)
{
	struct sockaddr_un sun;
	char		*out;
	int		 fd;
	pid_t		 pid;

	(void)state;
	fresh_dir();
	conf_text("firewall = off\n");
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), DIR "/notify.sock");
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", DIR "/notify.sock", 1);
	setenv("WATCHDOG_USEC", "40000", 1);	/* a ping every 20 ms */
	pid = start();
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	usleep(1500000);			/* 75 pings: the queue is full */
	sessions("192.0.2.81", 5, 0);		/* a five-fifty */
	assert_int_equal(cli("ban", "192.0.2.82", NULL, NULL, &out), 0);
	free(out);
	assert_int_equal(cli("status", NULL, NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "fivefifty is running"));
	free(out);
	assert_int_equal(stop(pid), 0);
	close(fd);
	free(sh("rm -rf " DIR, NULL));
}

/* test_daemon_peers - the control socket: root yes; another user only
 * as a member of control_group */
static void
test_daemon_peers(void **state)
{
	char		*argv[] = { "/usr/bin/setpriv", "--reuid=65534",
	    "--regid=65534", "--clear-groups", (char *)bin_path(), "status",
	    "-c", DIR "/ff.conf", NULL };
	struct run_result r;
	pid_t		 pid;

	(void)state;
	fresh_dir();
	free(sh("chmod 755 " DIR, NULL));
	conf_text("firewall = off\n");		/* control_group empty */
	write_text(DIR "/ff.conf", "", "a");
	free(sh("chmod 644 " DIR "/ff.conf", NULL));
	pid = start();
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 4);		/* runs, but not for nobody */
	assert_non_null(strstr(r.err, "root or control_group only"));
	run_free(&r);
	assert_int_equal(stop(pid), 0);

	/* nobody's group (nogroup) may control. */
	conf_text("firewall = off\n");
	free(sh("sed -i 's/^control_group =$/control_group = nogroup/' " DIR
	    "/ff.conf && chmod 644 " DIR "/ff.conf", NULL));
	pid = start();
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0)
		fail_msg("nobody in control_group refused: %s%s", r.out, r.err);
	assert_non_null(strstr(r.out, "fivefifty is running"));
	run_free(&r);
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* caught_up - until the daemon has read all of its log (lag 0) */
static void
caught_up(void)
{
	char	*out;
	int	 i, done = 0;

	for (i = 0; i < 500 && !done; i++) {
		assert_int_equal(cli("status", NULL, NULL, NULL, &out), 0);
		done = strstr(out, " lag 0\n") != NULL;
		free(out);
		if (!done)
			usleep(20000);
	}
	assert_true(done);
}

/* test_daemon_kill9 - kill -9 while a real log grows and rotates: the
 * same state as one scan over the same lines */
static void
test_daemon_kill9(void **state)
{
	char		 lab[512], *text, *a, *b, *p, *end;
	size_t		 len, chunk;
	unsigned	 seed = (unsigned)time(NULL);
	pid_t		 pid;
	int		 kills = 0, rotations = 0, i;
	FILE		*all;

	(void)state;
	need_corpus();
	fresh_dir();
	/* Old log times: no ban is still running, nothing to enforce. */
	conf_text("firewall = off\n");
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	assert_non_null(text = read_file(lab, &len));
	srandom(seed);
	print_message("      seed %u\n", seed);
	assert_non_null(all = fopen(DIR "/all.log", "w"));
	pid = start();
	for (p = text; p < text + len; p = end) {
		FILE	*fp;

		chunk = (size_t)(random() % 40000) + 1000;
		end = p + chunk < text + len ? p + chunk : text + len;
		while (end < text + len && end[-1] != '\n')
			end++;
		assert_non_null(fp = fopen(DIR "/mail.log", "a"));
		fwrite(p, 1, (size_t)(end - p), fp);
		fclose(fp);
		fwrite(p, 1, (size_t)(end - p), all);
		usleep((useconds_t)(random() % 150000));
		switch (random() % 5) {
		case 0:
		case 2:		/* kill -9 and start again */
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			kills++;
			pid = start();
			break;
		case 1:		/* rotate: rename and create, as logrotate */
			(void)rename(DIR "/mail.log.1", DIR "/mail.log.2");
			i = rename(DIR "/mail.log", DIR "/mail.log.1");
			assert_int_equal(i, 0);
			write_text(DIR "/mail.log", "", "w");
			rotations++;
			/* Only two rotated files are kept here (the next
			 * rotation overwrites mail.log.2), so a file must be
			 * read before it can be deleted: until the daemon has
			 * read everything, then one flush period more. Piled
			 * up rotations while down: tests/stress.sh kill. */
			caught_up();
			usleep(1200000);
			break;
		default:
			break;
		}
	}
	fclose(all);
	/* Let it read everything, then stop it cleanly. */
	caught_up();
	usleep(1200000);	/* the rotated file is finished too */
	assert_int_equal(stop(pid), 0);
	print_message("      %d kills, %d rotations\n", kills, rotations);

	{
		char *argv[] = { (char *)bin_path(), "scan", "-c",
		    DIR "/ff.conf", "--no-enforce", "--db", DIR "/scan.db",
		    DIR "/all.log", NULL };
		struct run_result r;

		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	a = state_dump(DIR "/ff.db");
	b = state_dump(DIR "/scan.db");
	assert_true(strlen(b) > 1000);
	if (strcmp(a, b) != 0) {
		write_text(DIR "/daemon.dump", a, "w");
		write_text(DIR "/scan.dump", b, "w");
		fail_msg("the daemon's state differs from scan's (seed %u): "
		    "diff " DIR "/daemon.dump " DIR "/scan.dump", seed);
	}
	free(a);
	free(b);
	free(text);
	free(sh("rm -rf " DIR, NULL));
}

/* wait_status - until `status` shows what (1), or limit_ms pass (0) */
static int
wait_status(const char *what, long limit_ms)
{
	char	*out;
	long	 waited;
	int	 found = 0;

	for (waited = 0; !found && waited <= limit_ms; waited += 100) {
		if (cli("status", NULL, NULL, NULL, &out) != 0)
			print_message("      status: %s\n", out);
		found = strstr(out, what) != NULL;
		free(out);
		if (!found)
			usleep(100000);
	}
	return (found);
}

/* query - one number from the state database (sqlite3 CLI, its own
 * connection) */
static long long
query(const char *db, const char *sql)
{
	char		 cmd[1024], *out;
	long long	 v;
	int		 st;

	snprintf(cmd, sizeof(cmd), SQLITE3 "%s \"%s\" 2>&1", db, sql);
	out = sh(cmd, &st);
	if (st != 0)
		fail_msg("%s: %s", cmd, out);	/* not a count of 0 */
	v = atoll(out);
	free(out);
	return (v);
}

/* stored_all - the stored position of the log is its size */
static int
stored_all(void)
{
	struct stat	sb;

	if (stat(DIR "/mail.log", &sb) == -1)
		return (0);
	return (query(DIR "/ff.db", "SELECT off FROM positions WHERE path = '"
	    DIR "/mail.log'") == (long long)sb.st_size);
}

/* lock_db - BEGIN EXCLUSIVE on the state, held by another process (the
 * sqlite3 shell) until unlock_db() or at most a minute */
static void
lock_db(void)
{
	struct stat	sb;
	int		i;

	free(sh("(sqlite3 " DIR "/ff.db '.timeout 10000' 'BEGIN EXCLUSIVE;' "
	    "'.shell touch " DIR "/locked; i=0; while [ -e " DIR "/locked ] && "
	    "[ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done' 'COMMIT;' "
	    "</dev/null >/dev/null 2>&1 &)", NULL));
	for (i = 0; i < 1000 && stat(DIR "/locked", &sb) == -1; i++)
		usleep(10000);
	assert_int_equal(stat(DIR "/locked", &sb), 0);
}

/* unlock_db - the other process commits and ends */
static void
unlock_db(void)
{
	(void)unlink(DIR "/locked");
}

/* test_daemon_state_locked - the state locked by another process for
 * seconds: status says failing with the path and reason, then ok; the
 * manual ban and the positions made meanwhile are stored without a
 * restart, and a restart keeps the ban */
static void
test_daemon_state_locked(void **state)
{
	char		*out;
	pid_t		 pid;
	long long	 n = -1;
	int		 failing, ok, i;

	(void)state;
	fresh_dir();
	conf_text("");
	pid = start();
	sessions("192.0.2.90", 2, 1);
	caught_up();
	lock_db();
	assert_int_equal(cli("ban", "198.51.100.9", "--for", "2h", &out), 0);
	free(out);
	sessions("192.0.2.91", 3, 1);
	failing = wait_status("failing since", 20000);
	if (failing) {
		assert_int_equal(cli("status", NULL, NULL, NULL, &out), 0);
		failing = strstr(out, DIR "/ff.db") != NULL &&
		    strstr(out, "locked") != NULL;
		free(out);
	}
	sessions("192.0.2.92", 3, 1);
	caught_up();
	unlock_db();
	if (!failing) {
		(void)stop(pid);
		fail_msg("status did not say that the state is failing, with "
		    "its path and the reason");
	}
	/* Resumed by itself: the ban and every position stored. */
	ok = wait_status("state              ok\n  state_pending      0\n",
	    90000);
	/* "pending 0" may be seen between two of the daemon's writes (once
	 * a second): the positions read last go with the next one. A
	 * deadline for a hang, not a timing. */
	for (i = 0; ok && i < 300; i++) {
		if (stored_all() && (n = query(DIR "/ff.db", "SELECT count(*) "
		    "FROM bans WHERE manual = 1 AND addr = '198.51.100.9'")) ==
		    1)
			break;
		usleep(100000);
	}
	if (!ok || !stored_all() || (n = query(DIR "/ff.db", "SELECT count(*) "
	    "FROM bans WHERE manual = 1 AND addr = '198.51.100.9'")) != 1) {
		(void)stop(pid);
		fail_msg("not stored after the lock was released (status ok: "
		    "%d, positions: %d, manual bans: %lld): %s", ok, stored_all(),
		    n, read_file(DIR "/daemon.log", &(size_t){ 0 }));
	}
	assert_int_equal(cli("status", "--json", NULL, NULL, &out), 0);
	ok = strstr(out, "\"state\":\"ok\"") != NULL &&
	    strstr(out, "\"state_pending\":0") != NULL;
	free(out);
	assert_true(ok);
	assert_int_equal(stop(pid), 0);
	/* A restart keeps the manual ban. */
	pid = start();
	assert_true(nft_in_set4("198.51.100.9"));
	assert_int_equal(stop(pid), 0);
	assert_int_equal(query(DIR "/ff.db", "SELECT count(*) FROM bans WHERE "
	    "manual = 1 AND addr = '198.51.100.9'"), 1);
	free(sh("rm -rf " DIR, NULL));
}

/* state_teardown - a daemon a failed test left running is killed, the
 * state's lock holder let go */
static int
state_teardown(void **state)
{
	if (started > 0 && waitpid(started, NULL, WNOHANG) == 0) {
		kill(started, SIGKILL);
		waitpid(started, NULL, 0);
	}
	started = 0;
	(void)unlink(DIR "/locked");
	return (netns_leave(state));
}

/* tmpfs_teardown - the tiny file system is unmounted whatever happened */
static int
tmpfs_teardown(void **state)
{
	if (started > 0 && waitpid(started, NULL, WNOHANG) == 0) {
		kill(started, SIGKILL);
		waitpid(started, NULL, 0);
	}
	started = 0;
	free(sh("umount -l " DIR "/st 2>/dev/null; rm -rf " DIR, NULL));
	return (netns_leave(state));
}

/* append_lab - the lab corpus appended to the log (and to all.log) */
static void
append_lab(void)
{
	char	lab[512], cmd[1400];

	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	snprintf(cmd, sizeof(cmd), "cat %s >> " DIR "/mail.log && cat %s >> "
	    DIR "/all.log", lab, lab);
	free(sh(cmd, NULL));
}

/* scan_equal - the daemon's state equals a scan of all.log */
static void
scan_equal(const char *db)
{
	char		*argv[] = { (char *)bin_path(), "scan", "-c",
	    DIR "/ff.conf", "--no-enforce", "--db", DIR "/scan.db",
	    DIR "/all.log", NULL };
	struct run_result r;
	char		*a, *b;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	a = state_dump(db);
	b = state_dump(DIR "/scan.db");
	assert_true(strlen(b) > 1000);
	if (strcmp(a, b) != 0) {
		write_text(DIR "/daemon.dump", a, "w");
		write_text(DIR "/scan.dump", b, "w");
		free(a);
		free(b);
		fail_msg("the daemon's state differs from scan's");
	}
	free(a);
	free(b);
}

/* test_daemon_state_full - the state's file system full, then grown:
 * status says failing, the daemon goes on, and stores everything by
 * itself once there is room */
static void
test_daemon_state_full(void **state)
{
	pid_t		 pid;
	int		 i, failing = 0;

	(void)state;
	need_corpus();
	fresh_dir();
	free(sh("mkdir " DIR "/st && mount -t tmpfs -o size=200k tmpfs " DIR
	    "/st && : > " DIR "/all.log", NULL));
	conf_text("firewall = off\n");
	free(sh("sed -i 's|^state_db = .*|state_db = " DIR "/st/ff.db|' " DIR
	    "/ff.conf", NULL));
	pid = start();
	for (i = 0; i < 20 && !failing; i++) {
		append_lab();
		failing = wait_status("state              failing since", 5000);
	}
	if (!failing) {
		(void)stop(pid);
		fail_msg("the state never failed on a full file system");
	}
	assert_true(wait_status("No space left on device", 1000) ||
	    wait_status("full", 1000));
	append_lab();
	caught_up();
	free(sh("mount -o remount,size=64m " DIR "/st", NULL));
	if (!wait_status("state              ok\n  state_pending      0\n",
	    90000)) {
		(void)stop(pid);
		fail_msg("the state was not stored after the file system grew");
	}
	assert_int_equal(stop(pid), 0);
	scan_equal(DIR "/st/ff.db");
}

/* test_daemon_state_kill - SIGKILL while the state cannot be written,
 * a restart once it can: the same state as a scan of the same lines */
static void
test_daemon_state_kill(void **state)
{
	pid_t		 pid;
	int		 failing;

	(void)state;
	need_corpus();
	fresh_dir();
	free(sh(": > " DIR "/all.log", NULL));
	conf_text("firewall = off\n");
	pid = start();
	append_lab();
	caught_up();
	usleep(1200000);	/* stored */
	lock_db();
	append_lab();
	caught_up();
	failing = wait_status("state              failing since", 20000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlock_db();
	if (!failing)
		fail_msg("status did not say that the state is failing");
	pid = start();
	append_lab();
	caught_up();
	usleep(1200000);
	assert_int_equal(stop(pid), 0);
	scan_equal(DIR "/ff.db");
	free(sh("rm -rf " DIR, NULL));
}

/* unstored - the manual_unstored of status; -1 when it says none */
static int
unstored(void)
{
	char	*out, *p;
	int	 n = -1;

	if (cli("status", NULL, NULL, NULL, &out) == 0 &&
	    (p = strstr(out, "manual_unstored")) != NULL)
		n = atoi(p + strlen("manual_unstored"));
	free(out);
	return (n);
}

/* file_size - a file's size; -1 when it is not there */
static long long
file_size(const char *path)
{
	struct stat	sb;

	return (stat(path, &sb) == -1 ? -1 : (long long)sb.st_size);
}

/* collect - spool_read()'s callback: the entries, in order */
static int
collect(void *arg, const struct spool_entry *e)
{
	char	*got = arg;
	size_t	 n = strlen(got);

	snprintf(got + n, 1024 - n, "%lld %s %s %lld %lld [%s]\n", e->seq,
	    e->unban ? "unban" : "ban", e->net, e->at, e->until, e->reason);
	return (0);
}

/* test_spool_file - the spool's lines: what a crash or garbage leaves
 * (a cut last line, NUL bytes, huge numbers) costs no answered entry */
static void
test_spool_file(void **state)
{
	struct spool_entry e;
	struct spool	*sp;
	char		 err[512], got[1024] = "";
	const char	 garbage[] = "1 ban 192.0.2.1 100 200 by hand\n"
	    "2 ban 192.0.2.2 1\0 200 x\n"
	    "9223372036854775807 unban 192.0.2.3 100\n"
	    "3 unban 192.0.2.4 150\n"
	    "4 ban 192.0.2.5 17648";	/* cut by a crash */
	FILE		*f;

	(void)state;
	free(sh("rm -rf " DIR " && mkdir -p " DIR, NULL));
	assert_non_null(f = fopen(DIR "/spool", "w"));
	assert_int_equal(fwrite(garbage, 1, sizeof(garbage) - 1, f),
	    sizeof(garbage) - 1);
	fclose(f);
	assert_non_null(sp = spool_open(DIR "/spool", err, sizeof(err)));
	assert_int_equal(spool_read(sp, 0, collect, got), 2);
	assert_string_equal(got, "1 ban 192.0.2.1 100 200 [by hand]\n"
	    "3 unban 192.0.2.4 150 0 []\n");
	/* The next one starts a line of its own, numbered after the last
	 * good one. */
	memset(&e, 0, sizeof(e));
	snprintf(e.net, sizeof(e.net), "2001:db8::/64");
	e.at = 300;
	e.until = 400;
	snprintf(e.reason, sizeof(e.reason), "spam\nrun");
	assert_int_equal(spool_append(sp, &e, err, sizeof(err)), 4);
	spool_close(sp);
	assert_non_null(sp = spool_open(DIR "/spool", err, sizeof(err)));
	got[0] = '\0';
	assert_int_equal(spool_read(sp, 3, collect, got), 1);
	assert_string_equal(got, "4 ban 2001:db8::/64 300 400 [spamrun]\n");
	/* Stored up to 4: emptied. */
	assert_int_equal(spool_unstored(sp, 3), 1);
	spool_stored(sp, 4);
	spool_close(sp);
	assert_int_equal(file_size(DIR "/spool"), 0);
	/* Not a regular file: an error naming it. */
	assert_null(spool_open(DIR, err, sizeof(err)));
	assert_non_null(strstr(err, DIR));
	free(sh("rm -rf " DIR, NULL));
}

/* test_daemon_manual_kill - a ban and an unban by hand while the state
 * is locked, then SIGKILL: the next start has both (kernel set and
 * state, once each), and the spool is emptied once they are stored */
static void
test_daemon_manual_kill(void **state)
{
	char		*out;
	pid_t		 pid;
	int		 i, n = -1;

	(void)state;
	fresh_dir();
	conf_text("");
	pid = start();
	assert_int_equal(cli("ban", "198.51.100.20", "--for", "2h", &out), 0);
	free(out);
	for (i = 0; i < 100 && query(DIR "/ff.db", "SELECT count(*) FROM bans "
	    "WHERE manual = 1 AND addr = '198.51.100.20'") != 1; i++)
		usleep(100000);
	assert_int_equal(query(DIR "/ff.db", "SELECT count(*) FROM bans WHERE "
	    "manual = 1 AND addr = '198.51.100.20'"), 1);
	lock_db();
	assert_int_equal(cli("ban", "198.51.100.21", "--for", "3h", &out), 0);
	free(out);
	assert_int_equal(cli("unban", "198.51.100.20", NULL, NULL, &out), 0);
	free(out);
	/* An automatic ban decided during the outage, lifted by hand: the
	 * state knows neither, and its lines are read again at the next
	 * start. */
	sessions("192.0.2.50", 5, 0);
	assert_true(wait_in_set("192.0.2.50", 1, 20000) >= 0);
	assert_int_equal(cli("unban", "192.0.2.50", NULL, NULL, &out), 0);
	free(out);
	for (i = 0; i < 100 && (n = unstored()) != 3; i++)
		usleep(100000);
	assert_int_equal(n, 3);
	assert_true(nft_in_set4("198.51.100.21"));
	assert_false(nft_in_set4("198.51.100.20"));
	assert_false(nft_in_set4("192.0.2.50"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	started = 0;
	unlock_db();
	assert_true(file_size(DIR "/ff.db-manual") > 0);

	pid = start();
	/* Before READY the spool was applied and the kernel reconciled with
	 * it: the ban by hand is in force, the unbanned ones are not, not
	 * even once the lines of 192.0.2.50 are read again. */
	assert_true(nft_in_set4("198.51.100.21"));
	assert_false(nft_in_set4("198.51.100.20"));
	caught_up();
	usleep(1200000);	/* a flush: a new ban would be in by now */
	assert_false(nft_in_set4("192.0.2.50"));
	for (i = 0; i < 100 && file_size(DIR "/ff.db-manual") != 0; i++)
		usleep(100000);
	assert_int_equal(file_size(DIR "/ff.db-manual"), 0);
	assert_int_equal(unstored(), 0);
	assert_int_equal(stop(pid), 0);
	assert_int_equal(query(DIR "/ff.db", "SELECT count(*) FROM bans WHERE "
	    "manual = 1 AND addr = '198.51.100.21' AND until > "
	    "strftime('%s', 'now')"), 1);
	assert_int_equal(query(DIR "/ff.db", "SELECT count(*) FROM bans WHERE "
	    "addr = '198.51.100.20' AND until > strftime('%s', 'now')"), 0);
	assert_int_equal(query(DIR "/ff.db", "SELECT count(*) FROM bans WHERE "
	    "addr = '192.0.2.50' AND until > strftime('%s', 'now')"), 0);
	/* Once stored, nothing is applied twice. */
	pid = start();
	assert_true(nft_in_set4("198.51.100.21"));
	assert_false(nft_in_set4("198.51.100.20"));
	assert_int_equal(stop(pid), 0);
	assert_int_equal(query(DIR "/ff.db", "SELECT count(*) FROM bans WHERE "
	    "manual = 1"), 2);
	free(sh("rm -rf " DIR, NULL));
}

/* log_says - does the daemon's log say this */
static int
log_says(const char *what)
{
	size_t	 n = 0;
	char	*log = read_file(DIR "/daemon.log", &n);
	int	 yes = log != NULL && strstr(log, what) != NULL;

	free(log);
	return (yes);
}

#define KEPT	"as the last stop left them"

/* test_daemon_restart_kept - a clean stop leaves STATE_DB-kernel; the
 * next start keeps the kernel's sets (its log says so), with every ban,
 * and removes the file; after an element deleted with nft while nothing
 * ran, the start fills the sets again and the element is back */
static void
test_daemon_restart_kept(void **state)
{
	char		*out;
	pid_t		 pid;
	int		 i;

	(void)state;
	fresh_dir();
	conf_text("");
	pid = start();
	sessions("192.0.2.51", 5, 0);
	assert_true(wait_in_set("192.0.2.51", 1, 20000) >= 0);
	assert_int_equal(cli("ban", "198.51.100.30", "--for", "2h", &out), 0);
	free(out);
	assert_true(wait_in_set("198.51.100.30", 1, 20000) >= 0);
	assert_int_equal(stop(pid), 0);
	assert_true(file_size(DIR "/ff.db-kernel") > 0);

	write_text(DIR "/daemon.log", "", "w");
	pid = start();
	assert_true(log_says(KEPT));
	assert_int_equal(file_size(DIR "/ff.db-kernel"), -1);
	assert_true(nft_in_set4("192.0.2.51"));
	assert_true(nft_in_set4("198.51.100.30"));
	assert_int_equal(stop(pid), 0);
	assert_true(file_size(DIR "/ff.db-kernel") > 0);

	/* A reload (SIGHUP) keeps the sets the same way. */
	pid = start();
	write_text(DIR "/daemon.log", "", "w");
	assert_int_equal(kill(pid, SIGHUP), 0);
	for (i = 0; i < 2000 && !log_says(KEPT); i++)
		usleep(10000);
	assert_true(log_says(KEPT));
	assert_true(nft_in_set4("192.0.2.51"));
	assert_true(nft_in_set4("198.51.100.30"));
	assert_int_equal(stop(pid), 0);

	free(sh("nft delete element inet fivefifty offenders4 "
	    "'{ 192.0.2.51 }'", NULL));
	assert_false(nft_in_set4("192.0.2.51"));
	write_text(DIR "/daemon.log", "", "w");
	pid = start();
	assert_false(log_says(KEPT));
	assert_true(log_says("the sets are filled again at this start "
	    "(nf_tables changed since"));
	assert_true(nft_in_set4("192.0.2.51"));
	assert_true(nft_in_set4("198.51.100.30"));
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* pending - the state_pending of status; -1 when it says none */
static int
pending(void)
{
	char	*out, *p;
	int	 n = -1;

	if (cli("status", NULL, NULL, NULL, &out) == 0 &&
	    (p = strstr(out, "state_pending")) != NULL)
		n = atoi(p + strlen("state_pending"));
	free(out);
	return (n);
}

/* test_daemon_state_coalesce - a long outage with a flush to make every
 * second: at most 8 batches wait (the rest coalesced), and once stored
 * the state is a scan's */
static void
test_daemon_state_coalesce(void **state)
{
	char		 lab[512], *text, *p, *end, *out;
	size_t		 len, chunk;
	pid_t		 pid;
	int		 i, most = 0, n, coalesced;
	FILE		*fp, *all;

	(void)state;
	need_corpus();
	fresh_dir();
	conf_text("firewall = off\n");
	shared_path("corpus/lab/postfix37-lab.log", lab, sizeof(lab));
	assert_non_null(text = read_file(lab, &len));
	assert_non_null(all = fopen(DIR "/all.log", "w"));
	pid = start();
	lock_db();
	/* 24 pieces, one every 1.2 s: 24 flushes with something in them. */
	chunk = len / 24 + 1;
	for (p = text, i = 0; p < text + len; p = end, i++) {
		end = p + chunk < text + len ? p + chunk : text + len;
		while (end < text + len && end[-1] != '\n')
			end++;
		assert_non_null(fp = fopen(DIR "/mail.log", "a"));
		fwrite(p, 1, (size_t)(end - p), fp);
		fclose(fp);
		fwrite(p, 1, (size_t)(end - p), all);
		usleep(1200000);
		if ((n = pending()) > most)
			most = n;
	}
	fclose(all);
	caught_up();
	usleep(1200000);
	assert_int_equal(cli("status", NULL, NULL, NULL, &out), 0);
	coalesced = strstr(out, "state_coalesced") != NULL;
	free(out);
	unlock_db();
	free(text);
	print_message("      at most %d batches waiting\n", most);
	if (most < 1 || most > 8 || !coalesced) {
		(void)stop(pid);
		fail_msg("%d batches waiting at most (1 to 8 expected), "
		    "coalesced: %d", most, coalesced);
	}
	if (!wait_status("state              ok\n  state_pending      0\n",
	    90000)) {
		(void)stop(pid);
		fail_msg("not stored after the lock was released");
	}
	assert_int_equal(stop(pid), 0);
	scan_equal(DIR "/ff.db");
	free(sh("rm -rf " DIR, NULL));
}

/* iso_epoch - "2026-10-22T02:59:02Z" or "...+01:00" as seconds */
static long long
iso_epoch(const char *p)
{
	struct tm	 tm;
	int		 oh = 0, om = 0, n = 0;
	char		 sign = 'Z';

	memset(&tm, 0, sizeof(tm));
	if (sscanf(p, "%d-%d-%dT%d:%d:%d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return (-1);
	tm.tm_year -= 1900;
	tm.tm_mon--;
	sign = p[n];
	if (sign == '+' || sign == '-')
		(void)sscanf(p + n + 1, "%d:%d", &oh, &om);
	return ((long long)timegm(&tm) - (sign == '-' ? -1 : 1) *
	    (sign == 'Z' ? 0 : oh * 3600 + om * 60));
}

/* bans_db - the bans of a state, "addr at until n reason" a line */
static char *
bans_db(const char *db)
{
	char	cmd[512];

	snprintf(cmd, sizeof(cmd), SQLITE3 "-separator ' ' %s \"SELECT addr, "
	    "at, until, n, reason FROM bans ORDER BY at, addr\"", db);
	return (sh(cmd, NULL));
}

/* bans_printed - the same of scan's "ban ADDR at T until U (ban N,
 * score S): REASON" lines */
static char *
bans_printed(const char *out)
{
	char		*r = calloc(1, strlen(out) + 1), *w = r;
	const char	*p;

	assert_non_null(r);
	for (p = out; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL) {
		char	addr[64], at[40], until[40], reason[128];
		int	n;

		if (sscanf(p, "ban %63s at %39s until %39s (ban %d, score "
		    "%*f): %127[^\n]", addr, at, until, &n, reason) != 5)
			continue;
		w += sprintf(w, "%s %lld %lld %d %s\n", addr, iso_epoch(at),
		    iso_epoch(until), n, reason);
	}
	return (r);
}

/* json_str - the string value of "key": after p, into buf */
static const char *
json_str(const char *p, const char *key, char *buf, size_t len)
{
	char		 k[32];
	const char	*v, *e;

	snprintf(k, sizeof(k), "\"%s\":", key);
	if ((v = strstr(p, k)) == NULL)
		return ("");
	v += strlen(k);
	if (*v == '"')
		v++;
	for (e = v; *e != '\0' && *e != '"' && *e != ',' && *e != '}'; e++)
		continue;
	snprintf(buf, len, "%.*s", (int)(e - v), v);
	return (buf);
}

/* bans_json - the same of a JSON summary's new_bans */
static char *
bans_json(const char *out)
{
	char		*r = calloc(1, strlen(out) + 1), *w = r;
	char		 a[64], at[40], u[40], n[16], why[128];
	const char	*p, *end;

	assert_non_null(r);
	if ((p = strstr(out, "\"new_bans\":[")) == NULL)
		return (r);
	end = strchr(p, ']');
	while ((p = strstr(p + 1, "{\"client\":")) != NULL && end != NULL &&
	    p < end) {
		w += sprintf(w, "%s %lld %lld %s %s\n",
		    json_str(p, "client", a, sizeof(a)),
		    iso_epoch(json_str(p, "at", at, sizeof(at))),
		    iso_epoch(json_str(p, "until", u, sizeof(u))),
		    json_str(p, "ban", n, sizeof(n)),
		    json_str(p, "reason", why, sizeof(why)));
	}
	return (r);
}

/* test_daemon_same_decisions - scan, scan --dry-run, report --log and
 * the daemon take the same bans at the same times on the same log: the
 * real-world corpus and an excerpt without connect and disconnect lines
 * whose rejects are days apart (sessions judged in log order) */
static void
test_daemon_same_decisions(void **state)
{
	static const char *logs[] = {
	    "corpus/realworld/aso-solaris-2007.log",
	    "corpus/realworld/kdent-2015-1.log",
	    "corpus/realworld/kdent-2015-2.log",
	    "corpus/realworld/kdent-2015-3.log",
	    "corpus/realworld/youyo-bsd.log",
	    NULL,	/* the excerpt, written below */
	};
	static const char *excerpt[] = {
	    "Mar  2 09:00:00", "Mar  4 09:00:00", "Mar  6 09:00:00",
	    "Mar  8 09:00:00", "Mar  8 09:30:00", "Mar  3 10:00:00",
	    "Mar 10 09:00:00",
	};
	char		 path[512], cmd[1400], *a, *b, *c, *d, *out;
	const char	*q;
	size_t		 i, j, nb, total = 0;
	pid_t		 pid;

	(void)state;
	need_corpus();
	for (i = 0; i < sizeof(logs) / sizeof(logs[0]); i++) {
		fresh_dir();
		conf_text("firewall = off\n");
		if (logs[i] != NULL) {
			shared_path(logs[i], path, sizeof(path));
			snprintf(cmd, sizeof(cmd), "cp %s " DIR "/all.log", path);
			free(sh(cmd, NULL));
		} else {
			FILE *fp = fopen(DIR "/all.log", "w");
			assert_non_null(fp);
			/* Reject lines only (lost connect and disconnect
			 * lines), one envelope days apart, a line back in
			 * time, and other clients' lines between them. */
			for (j = 0; j < sizeof(excerpt) / sizeof(excerpt[0]);
			    j++)
				fprintf(fp, "%s mx postfix/smtpd[%zu]: NOQUEUE: "
				    "reject: RCPT from bad.example.net[198.51."
				    "100.7]: 550 5.1.1 <nobody@example.org>: "
				    "Recipient address rejected: User unknown in "
				    "local recipient table; from=<a@example.net> "
				    "to=<nobody@example.org> proto=ESMTP "
				    "helo=<bad.example.net>\n%s mx postfix/smtpd"
				    "[%zu]: connect from other.example.com"
				    "[192.0.2.%zu]\n", excerpt[j], 1000 + j,
				    excerpt[j], 2000 + j, j + 1);
			/* The last hour: four tries of another client, still
			 * open when the log ends (a dry run once judged them
			 * at the end, and banned; scan did not). */
			for (j = 0; j < 4; j++)
				fprintf(fp, "Mar 10 10:%02zu:00 mx postfix/smtpd"
				    "[%zu]: NOQUEUE: reject: RCPT from unknown"
				    "[203.0.113.9]: 550 5.1.1 <x@example.org>: "
				    "Recipient address rejected: User unknown in "
				    "local recipient table; from=<b@example.net> "
				    "to=<x@example.org> proto=ESMTP "
				    "helo=<spam.example>\n", j * 10, 3000 + j);
			fclose(fp);
		}
		/* scan, into a state */
		snprintf(cmd, sizeof(cmd), "'%s' scan -c " DIR "/ff.conf "
		    "--no-enforce --db " DIR "/scan.db " DIR "/all.log "
		    ">/dev/null 2>&1", bin_path());
		free(sh(cmd, NULL));
		a = bans_db(DIR "/scan.db");
		/* scan --dry-run */
		snprintf(cmd, sizeof(cmd), "'%s' scan -c " DIR "/ff.conf "
		    "--dry-run " DIR "/all.log 2>/dev/null", bin_path());
		out = sh(cmd, NULL);
		b = bans_printed(out);
		free(out);
		/* report --log */
		snprintf(cmd, sizeof(cmd), "TZ=UTC '%s' report summary -c "
		    DIR "/ff.conf --format json --top 0 --from @0 --until "
		    "@4102444800 --log " DIR "/all.log 2>/dev/null",
		    bin_path());
		out = sh(cmd, NULL);
		c = bans_json(out);
		free(out);
		/* the daemon, the log appended to the one it follows */
		pid = start();
		free(sh("cat " DIR "/all.log >> " DIR "/mail.log", NULL));
		caught_up();
		usleep(1200000);	/* one state flush more */
		assert_int_equal(stop(pid), 0);
		d = bans_db(DIR "/ff.db");
		for (nb = 0, q = a; (q = strchr(q, '\n')) != NULL; q++)
			nb++;
		print_message("      %s: %zu bans, the same four times\n",
		    logs[i] != NULL ? logs[i] : "excerpt", nb);
		if (strcmp(a, b) != 0 || strcmp(a, c) != 0 ||
		    strcmp(a, d) != 0) {
			write_text(DIR "/scan.bans", a, "w");
			write_text(DIR "/dry.bans", b, "w");
			write_text(DIR "/report.bans", c, "w");
			write_text(DIR "/daemon.bans", d, "w");
			fail_msg("%s: the decisions differ: diff " DIR
			    "/{scan,dry,report,daemon}.bans", logs[i] != NULL ?
			    logs[i] : "the excerpt");
		}
		if (logs[i] == NULL) {
			/* Mar 2 the 5xx, Mar 4, 6 and 8 its retries (the
			 * Mar 3 line came late): the third bans, when the
			 * log passes Mar 8 09:30 by session_timeout. */
			assert_non_null(strstr(a, "198.51.100.7 "));
			assert_non_null(strstr(a, " 1 five-fifty\n"));
			assert_null(strstr(a, "203.0.113.9"));
		}
		total += strlen(a);
		free(a);
		free(b);
		free(c);
		free(d);
	}
	assert_true(total > 0);
	free(sh("rm -rf " DIR, NULL));
}

/* status_until - status until it holds want; 0, or -1 after 20 s (a
 * deadline for a hang, not a timing); the last status in *out */
static int
status_until(const char *want, char **out)
{
	struct timespec	 t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		assert_int_equal(cli("status", NULL, NULL, NULL, out), 0);
		if (strstr(*out, want) != NULL)
			return (0);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 20)
			return (-1);
		free(*out);
		usleep(50000);
	}
}

/* wait_log - the daemon's log until it holds want (at most 20 s: a
 * deadline for a hang, not a timing) */
static void
wait_log(const char *want)
{
	struct timespec	 t0, t;
	char		*log = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		free(log);
		log = read_file(DIR "/daemon.log", &(size_t){ 0 });
		if (log != NULL && strstr(log, want) != NULL) {
			free(log);
			return;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec > 20)
			break;
		usleep(50000);
	}
	fail_msg("the daemon's log lacks \"%s\":\n%s", want, log);
}

/* no_postfix_conf - a map whose postmap and main.cf are under DIR/pf */
static void
no_postfix_conf(const char *postmap)
{
	char	buf[1024];

	snprintf(buf, sizeof(buf), "state_db = " DIR "/ff.db\n"
	    "log_source = file\nmail_log = " DIR "/mail.log\n"
	    "user =\ncontrol_socket = " DIR "/ctl.sock\ncontrol_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "firewall = off\naccess_map = hash:" DIR "/map/access\n"
	    "postmap_command = %s\n"
	    "postfix_config_directory = " DIR "/pf/etc\n", postmap);
	write_text(DIR "/ff.conf", buf, "w");
}

/* test_daemon_no_postfix - `make run` on a box without Postfix, then with
 * Postfix but no main.cf, and no mail log yet: the daemon and status say
 * so plainly (waiting for the log; Postfix not installed, or without
 * main.cf; access_map = to turn the map off), never "size -1", never "the
 * previous map stays" when there is none, never postmap's raw "fatal:
 * open .../main.cf"; then the log and main.cf come and all is well; a
 * later failure keeps the map there is. */
static void
test_daemon_no_postfix(void **state)
{
	char		*out, *log;
	struct stat	 sb;
	pid_t		 pid;

	(void)state;
	if (stat("/usr/sbin/postmap", &sb) == -1)
		fail_msg("/usr/sbin/postmap: missing (scripts/deps.sh test "
		    "installs Postfix)");
	fresh_dir();
	free(sh("rm -f " DIR "/mail.log && mkdir -p " DIR "/map " DIR
	    "/pf/etc", NULL));
	no_postfix_conf(DIR "/pf/sbin/postmap");	/* not installed */
	pid = start();
	if (status_until("Postfix is not installed here", &out) == -1)
		fail_msg("status never said Postfix is missing:\n%s", out);
	assert_non_null(strstr(out, "  map                failing since "));
	assert_non_null(strstr(out, "(no postmap at " DIR "/pf/sbin/postmap, "
	    "postmap_command): install Postfix, or turn the map off with "
	    "access_map = (empty)"));
	assert_non_null(strstr(out, "  file               waiting for " DIR
	    "/mail.log: No such file or directory\n"));
	assert_null(strstr(out, "size -1"));
	free(out);
	assert_int_equal(cli("status", "--json", NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "\"files\":[{\"path\":\"" DIR
	    "/mail.log\",\"waiting\":\"No such file or directory\","));
	free(out);
	wait_log("; there is no map yet, and the write is tried again");
	assert_int_equal(stop(pid), 0);
	log = read_file(DIR "/daemon.log", &(size_t){ 0 });
	assert_null(strstr(log, "previous map stays"));
	free(log);

	/* Postfix installed, no main.cf yet: said so, not postmap's words. */
	free(sh(": > " DIR "/daemon.log", NULL));
	no_postfix_conf("/usr/sbin/postmap");
	pid = start();
	if (status_until("Postfix is installed but has no main.cf in " DIR
	    "/pf/etc (postfix_config_directory)", &out) == -1)
		fail_msg("status never said main.cf is missing:\n%s", out);
	assert_non_null(strstr(out, "or turn the map off with access_map = "
	    "(empty)"));
	assert_null(strstr(out, "fatal"));
	free(out);
	wait_log("there is no map yet");

	/* main.cf and the log come: the map is written, the log read
	 * (postmap needs an interface up: lo, in this namespace). */
	free(sh("ip link set lo up && echo 'inet_interfaces = loopback-only' "
	    "> " DIR "/pf/etc/main.cf && : > " DIR "/mail.log", NULL));
	if (status_until("  map                ok", &out) == -1)
		fail_msg("the map was not written once main.cf came:\n%s",
		    out);
	free(out);
	if (status_until("  file               " DIR "/mail.log offset ",
	    &out) == -1)
		fail_msg("the log was not followed once it came:\n%s", out);
	free(out);
	assert_int_equal(stat(DIR "/map/access.db", &sb), 0);

	/* A later failure: the map in place stays, and the log says so. */
	free(sh("rm " DIR "/pf/etc/main.cf", NULL));
	assert_int_equal(cli("ban", "198.51.100.7", "--for", "2h", NULL), 0);
	wait_log("; the previous map stays, and the rewrite is tried again");
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " DIR, NULL));
}

/* until_has - run a command (three arguments) until its output holds
 * want (has 1) or does not (0); its last output. A deadline for a
 * hang (the state is written within a second), not a timing. */
static char *
until_has(const char *a1, const char *a2, const char *a3, const char *want,
    int has)
{
	char	*out = NULL;
	int	 i;

	for (i = 0; i < 200; i++) {
		free(out);
		(void)cli(a1, a2, a3, NULL, &out);
		if ((strstr(out, want) != NULL) == has)
			return (out);
		usleep(50000);
	}
	fail_msg("%s %s: %s \"%s\" within 10 s:\n%s", a1, a2 != NULL ? a2 :
	    "", has ? "no" : "still", want, out);
	return (out);
}

/* line_of - the line of text that starts with start ("" when none),
 * into buf */
static const char *
line_of(const char *text, const char *start, char *buf, size_t len)
{
	const char	*p = text;
	size_t		 n = strlen(start);

	buf[0] = '\0';
	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p != NULL ?
	    p + 1 : NULL)
		if (strncmp(p, start, n) == 0) {
			snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
			break;
		}
	return (buf);
}

/* jq_is - jq -r FILTER of json is want */
static void
jq_is(const char *json, const char *filter, const char *want)
{
	char		*argv[] = { "/usr/bin/jq", "-r", (char *)filter, NULL };
	struct run_result r;

	assert_int_equal(run_cmd(argv, json, strlen(json), &r), 0);
	if (r.status != 0 || strcmp(r.out, want) != 0)
		fail_msg("jq '%s': exit %d, \"%s\" (want \"%s\"): %s",
		    filter, r.status, r.out, want, r.err);
	run_free(&r);
}

/* answers - what list and explain say of manual bans with reasons, of a
 * network's ban and what is inside it, and after an unban, on the
 * daemon's state db (a file or a URI) */
static void
answers(const char *db)
{
	char		 buf[4096], line[512], *out;
	pid_t		 pid;

	fresh_dir();
	snprintf(buf, sizeof(buf),
	    "state_db = %s\n"
	    "state_directory = " DIR "/local\n"
	    "log_source = file\nmail_log = " DIR "/mail.log\n"
	    "user =\n"
	    "control_socket = " DIR "/ctl.sock\n"
	    "control_group =\n"
	    "loopback = 127.0.0.1/32\nprotect_mynetworks = no\n"
	    "access_map = texthash:" DIR "/access\n", db);
	write_text(DIR "/ff.conf", buf, "w");
	pid = start();
	/* A client of 10/8 with evidence, then the network banned by hand
	 * with a reason that would break JSON and a terminal line, and an
	 * address with a plain one. */
	sessions("10.1.2.3", 2, 0);
	free(until_has("explain", "10.1.2.3", NULL, "evidence (time", 1));
	assert_int_equal(cli("ban", "10.0.0.0/8", "--reason",
	    "spam run \"q\" <x> \\ \x1b[31m", &out), 0);
	assert_non_null(strstr(out, "--reason kept as"));
	free(out);
	assert_int_equal(cli("ban", "192.0.2.9", "--reason", "my reason",
	    &out), 0);
	free(out);
	out = until_has("list", NULL, NULL, "manual: my reason", 1);
	line_of(out, "192.0.2.9 ", line, sizeof(line));
	if (strstr(line, "banned until") == NULL || strstr(line,
	    "manual: my reason") == NULL)
		fail_msg("list: %s", out);
	line_of(out, "10.0.0.0/8 ", line, sizeof(line));
	if (strstr(line, "banned until") == NULL || strstr(line,
	    "manual: spam run \"q\" <x> \\\\ [31m") == NULL)
		fail_msg("list: %s", out);
	free(out);
	(void)cli("list", "--json", NULL, NULL, &out);
	jq_is(out, ".[] | select(.addr == \"192.0.2.9\") | "
	    "[.banned, .ban_reason, .unbanned] | @tsv",
	    "true\tmanual: my reason\t\n");
	jq_is(out, ".[] | select(.addr == \"10.0.0.0/8\") | .ban_reason",
	    "manual: spam run \"q\" <x> \\ [31m\n");
	free(out);
	/* An address inside: the covering ban; the network: its ban, the
	 * client inside. */
	assert_int_equal(cli("explain", "10.1.2.3", NULL, NULL, &out), 0);
	if (strstr(out, "covered by a ban on a wider network") == NULL ||
	    strstr(out, "10.0.0.0/8 banned until") == NULL ||
	    strstr(out, "why not banned") != NULL)
		fail_msg("explain 10.1.2.3: %s", out);
	free(out);
	assert_int_equal(cli("explain", "10.0.0.0/8", NULL, NULL, &out), 0);
	if (strstr(out, "10.0.0.0/8: a network") == NULL ||
	    strstr(out, "tipped by manual: spam run") == NULL ||
	    strstr(out, "clients inside 10.0.0.0/8") == NULL ||
	    strstr(out, "    10.1.2.3  ") == NULL)
		fail_msg("explain 10.0.0.0/8: %s", out);
	free(out);
	assert_int_equal(cli("explain", "10.200.0.0/16", NULL, NULL, &out),
	    0);
	assert_non_null(strstr(out, "covered by a ban on a wider network"));
	free(out);
	assert_int_equal(cli("explain", "203.0.113.0/24", NULL, NULL, &out),
	    1);
	assert_non_null(strstr(out, "nothing: no ban, evidence or client"));
	free(out);

	/* Unbanned: not banned, and when. */
	assert_int_equal(cli("unban", "10.0.0.0/8", NULL, NULL, &out), 0);
	free(out);
	out = until_has("list", NULL, NULL, "unbanned", 1);
	line_of(out, "10.0.0.0/8 ", line, sizeof(line));
	if (strstr(line, "unbanned     20") == NULL || strstr(line,
	    "banned until") != NULL)
		fail_msg("list after unban: %s", out);
	free(out);
	(void)cli("list", "--json", NULL, NULL, &out);
	jq_is(out, ".[] | select(.addr == \"10.0.0.0/8\") | "
	    "[.banned, (.unbanned | test(\"^20\"))] | @tsv",
	    "false\ttrue\n");
	free(out);
	assert_int_equal(cli("explain", "10.0.0.0/8", NULL, NULL, &out), 0);
	if (strstr(out, "not banned: unbanned at 20") == NULL ||
	    strstr(out, "lifted by an unban at 20") == NULL)
		fail_msg("explain after unban: %s", out);
	free(out);
	assert_int_equal(cli("explain", "10.1.2.3", NULL, NULL, &out), 0);
	assert_null(strstr(out, "covered by"));
	free(out);
	assert_int_equal(stop(pid), 0);
	free(sh("rm -rf " DIR, NULL));
}

static struct pg_server answers_pg;	/* dir[0]: running */

/* test_daemon_answers - list and explain after manual bans, a network's
 * ban and an unban: on a SQLite file, and on PostgreSQL when it can
 * run here */
static void
test_daemon_answers(void **state)
{
	(void)state;
	answers(DIR "/ff.db");
	if (pg_start(&answers_pg) == -1) {
		answers_pg.dir[0] = '\0';
		print_message("      PostgreSQL cannot run here: SQLite only\n");
		return;
	}
	answers(answers_pg.uri);
}

/* answers_teardown - the daemon and the server, whatever happened */
static int
answers_teardown(void **state)
{
	if (answers_pg.dir[0] != '\0')
		pg_stop(&answers_pg);
	answers_pg.dir[0] = '\0';
	return (state_teardown(state));
}

/* Every daemon test: a daemon its failure left running is killed. */
#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    state_teardown)

const struct CMUnitTest daemon_tests[] = {
	NS_TEST(test_daemon_control),
	NS_TEST(test_daemon_privileges),
	NS_TEST(test_daemon_notify),
	NS_TEST(test_daemon_notify_unread),
	NS_TEST(test_daemon_peers),
	NS_TEST(test_daemon_kill9),
	cmocka_unit_test_setup_teardown(test_daemon_state_locked, netns_enter,
	    state_teardown),
	cmocka_unit_test_setup_teardown(test_daemon_state_full, netns_enter,
	    tmpfs_teardown),
	cmocka_unit_test_setup_teardown(test_daemon_state_kill, netns_enter,
	    state_teardown),
	cmocka_unit_test_setup_teardown(test_daemon_state_coalesce,
	    netns_enter, state_teardown),
	cmocka_unit_test_setup_teardown(test_daemon_manual_kill, netns_enter,
	    state_teardown),
	NS_TEST(test_daemon_restart_kept),
	cmocka_unit_test(test_spool_file),
	NS_TEST(test_daemon_same_decisions),
	NS_TEST(test_daemon_no_postfix),
	cmocka_unit_test_setup_teardown(test_daemon_answers, netns_enter,
	    answers_teardown),
};
const size_t daemon_tests_count = sizeof(daemon_tests) /
    sizeof(daemon_tests[0]);

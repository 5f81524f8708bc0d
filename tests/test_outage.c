/*	$fivefifty: test_outage.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_outage 3 - the firewall removed and the map failing under a
 *	running daemon
 * DESCRIPTION
 *	Each test runs the real binary (`fivefifty run`) in a private
 *	network namespace (and, for the map, a private mount namespace), with
 *	its table, map, state and socket under DIR, and reads back what it
 *	did with nft, jq and postmap; warnings are counted in its stderr:
 *	- `nft flush ruleset` (three times), `nft delete table`, the chain
 *	  deleted, the chain and a set deleted: each time every ban in force
 *	  is back within seconds with its remaining time, in one batch (one
 *	  new generation of the daemon's per removal, as `nft monitor` shows
 *	  it); one warning in all, naming the table; status says firewall ok
 *	  and last_error what happened;
 *	- a repair the kernel refuses (a set of another type where ours
 *	  goes): one warning, status firewall unavailable with the reason, a
 *	  ban made meanwhile kept; once the obstacle is gone, every ban is in
 *	  the sets, and no other warning;
 *	- the postmap program renamed away mid-run, then the map's directory
 *	  mounted read-only: one warning each, status `map failing since
 *	  T: reason`, and once fixed the map holds every ban in force, with
 *	  "written again" logged, without a restart.
 *	Deadlines for what must happen eventually are generous; nothing is
 *	timed.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"

#define DIR	"/tmp/fivefifty-outage"
#define CONF	DIR "/ff.conf"
#define LOG	DIR "/daemon.log"
#define WAIT_MS	60000	/* for what must happen eventually */

#define JQ_ELEMS \
	"jq -r '.nftables[] | select(.set) | .set.elem[]? | (if type ==" \
	" \"object\" and has(\"elem\") then .elem else {val: .} end)" \
	" | [(.val | if type == \"string\" then . elif .prefix then" \
	" \"\\(.prefix.addr)/\\(.prefix.len)\" else tostring end)," \
	" (.expires // -1 | tostring)] | join(\" \")'"

extern char **environ;

static pid_t	 daemon_pid = -1, monitor_pid = -1;
static int	 orig_mnt = -1, orig_cwd = -1;
static char	 cwd_path[4096];

/* write_text - a file with this text */
static void
write_text(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

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
	    "%s", extra);
	write_text(CONF, buf);
}

/* spawn - argv in the background, stdout to out (or /dev/null), stderr
 * to err; its pid */
static pid_t
spawn(char *const argv[], const char *out, const char *err)
{
	posix_spawn_file_actions_t fa;
	pid_t		 pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out != NULL ? out :
	    "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT |
	    O_APPEND, 0644);
	assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	return (pid);
}

/* cli - a fivefifty command against CONF; its status, its output in
 * *out when out is set */
static int
cli(const char *a1, const char *a2, const char *a3, const char *a4,
    char **out)
{
	char		*argv[8] = { (char *)bin_path(), (char *)a1, "-c",
	    CONF, (char *)a2, (char *)a3, (char *)a4, NULL };
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

/* start - fivefifty run in the background, once its socket answers */
static void
start(void)
{
	char		*argv[] = { (char *)bin_path(), "run", "-c", CONF,
	    NULL };
	int		 i, st;

	daemon_pid = spawn(argv, NULL, LOG);
	for (i = 0; i < 1000; i++) {
		if (cli("status", NULL, NULL, NULL, NULL) == 0)
			return;
		if (waitpid(daemon_pid, &st, WNOHANG) == daemon_pid) {
			char *log = read_file(LOG, &(size_t){ 0 });

			daemon_pid = -1;
			print_lines(log != NULL ? log : "");
			free(log);
			fail_msg("the daemon exited %d", WEXITSTATUS(st));
		}
		usleep(10000);
	}
	fail_msg("the daemon did not answer in 10 s");
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

/* ban - a manual ban that the daemon takes */
static void
ban(const char *net, const char *dur)
{
	char	*out;

	if (cli("ban", net, "--for", dur, &out) != 0) {
		print_lines(out);
		free(out);
		fail_msg("ban %s refused", net);
	}
	free(out);
}

/* count - lines of the daemon's log that hold needle */
static int
count(const char *needle)
{
	char		*log = read_file(LOG, &(size_t){ 0 }), *p, *nl;
	int		 n = 0;

	if (log == NULL)
		return (0);
	for (p = log; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		else
			*nl = '\0';
		if (strstr(p, needle) != NULL)
			n++;
	}
	free(log);
	return (n);
}

/* status_line - the value of one key of `fivefifty status`, or "" */
static void
status_line(const char *key, char *val, size_t len)
{
	char		*out, *p;
	size_t		 k = strlen(key);

	val[0] = '\0';
	if (cli("status", NULL, NULL, NULL, &out) != 0) {
		free(out);
		return;
	}
	for (p = out; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, k) == 0 && p[k] == ' ') {
			p += k;
			while (*p == ' ')
				p++;
			snprintf(val, len, "%.*s", (int)strcspn(p, "\n"), p);
			break;
		}
	}
	free(out);
}

/* elapsed_ms - since t0 */
static long
elapsed_ms(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return ((t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) /
	    1000000);
}

/* wait_status - until status's key holds all of want (NULL-ended); 0,
 * or -1 after WAIT_MS with the last value in val */
static int
wait_status(const char *key, const char *const *want, char *val,
    size_t len)
{
	struct timespec	t0;
	int		i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		status_line(key, val, len);
		for (i = 0; want[i] != NULL; i++)
			if (strstr(val, want[i]) == NULL)
				break;
		if (want[i] == NULL)
			return (0);
		if (elapsed_ms(&t0) > WAIT_MS)
			return (-1);
		usleep(50000);
	}
}

struct want_ban {
	const char	*set, *val;	/* set name, element as nft lists it */
	long		 secs;		/* the ban's length */
};

/* fw_holds - every ban in its set with its remaining time (nft's
 * "expires" within secs - age - 30 and secs), and the chain's 12 drop
 * rules (2 families x 2 sets x 3 ports); what is missing in why */
static int
fw_holds(const struct want_ban *w, size_t n, long age_s, char *why,
    size_t len)
{
	char		 cmd[512], *l, *p;
	size_t		 i, vl;
	long		 exp;
	int		 st;

	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "nft -j list set inet fivefifty %s "
		    "2>/dev/null | " JQ_ELEMS, w[i].set);
		l = sh(cmd, &st);
		vl = strlen(w[i].val);
		for (p = l; p != NULL && *p != '\0'; p = strchr(p, '\n'),
		    p = p != NULL ? p + 1 : NULL)
			if (strncmp(p, w[i].val, vl) == 0 && p[vl] == ' ')
				break;
		exp = p != NULL && *p != '\0' ? strtol(p + vl + 1, NULL, 10) :
		    -2;
		free(l);
		if (exp > w[i].secs || exp < w[i].secs - age_s - 30) {
			snprintf(why, len, "%s in set %s: expires %ld, not "
			    "within %ld..%ld s", w[i].val, w[i].set, exp,
			    w[i].secs - age_s - 30, w[i].secs);
			return (0);
		}
	}
	l = sh("nft list chain inet fivefifty input 2>/dev/null | grep -c "
	    "drop", &st);
	exp = strtol(l, NULL, 10);
	free(l);
	if (exp != 12) {
		snprintf(why, len, "chain inet fivefifty input: %ld drop "
		    "rules, not 12", exp);
		return (0);
	}
	return (1);
}

/* wait_fw - until fw_holds(); how long it took (ms); fails the test
 * after WAIT_MS */
static long
wait_fw(const struct want_ban *w, size_t n, const struct timespec *t0,
    const char *after)
{
	struct timespec	s;
	char		why[256];

	clock_gettime(CLOCK_MONOTONIC, &s);
	while (!fw_holds(w, n, elapsed_ms(t0) / 1000 + 1, why,
	    sizeof(why))) {
		if (elapsed_ms(&s) > WAIT_MS)
			fail_msg("after %s: not restored in %d s: %s", after,
			    WAIT_MS / 1000, why);
		usleep(20000);
	}
	return (elapsed_ms(&s));
}

/* monitor_start - `nft monitor` into DIR/monitor.txt, listening once a
 * marker table it reports is there */
static void
monitor_start(void)
{
	char		*argv[] = { "/usr/sbin/nft", "monitor", NULL };
	struct timespec	 t0;
	char		*m;
	int		 seen = 0;

	if (access(argv[0], X_OK) == -1)
		argv[0] = "/sbin/nft";
	monitor_pid = spawn(argv, DIR "/monitor.txt", DIR "/monitor.err");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!seen && elapsed_ms(&t0) < WAIT_MS) {
		/* Made and deleted each time: adding a table that is
		 * there already changes nothing, and says nothing. */
		free(sh("nft add table ip marker && nft delete table ip "
		    "marker", NULL));
		usleep(50000);
		m = read_file(DIR "/monitor.txt", &(size_t){ 0 });
		seen = m != NULL && strstr(m, "add table ip marker") != NULL;
		free(m);
	}
	if (!seen)
		fail_msg("nft monitor did not start");
}

/* monitor_stop - end `nft monitor`; how many new generations the
 * daemon made (batches it committed) */
static int
monitor_stop(void)
{
	char		*m, *p;
	int		 n = 0, st;

	usleep(200000);		/* its last lines */
	(void)kill(monitor_pid, SIGTERM);
	(void)waitpid(monitor_pid, &st, 0);
	monitor_pid = -1;
	m = read_file(DIR "/monitor.txt", &(size_t){ 0 });
	assert_non_null(m);
	for (p = m; (p = strstr(p, "# new generation ")) != NULL; p++) {
		if (memmem(p, strcspn(p, "\n"), "(fivefifty)", 11) != NULL)
			n++;
	}
	free(m);
	return (n);
}

/* fresh_dir - an empty DIR */
static void
fresh_dir(void)
{
	free(sh("rm -rf " DIR " && mkdir -p " DIR " && : > " DIR
	    "/mail.log", NULL));
}

/* outage_leave - teardown: the daemon and nft monitor ended, back to
 * the namespaces the tests started in, DIR removed */
static int
outage_leave(void **state)
{
	int	st, rc = 0;

	if (daemon_pid > 0) {
		(void)kill(daemon_pid, SIGKILL);
		(void)waitpid(daemon_pid, &st, 0);
		daemon_pid = -1;
	}
	if (monitor_pid > 0) {
		(void)kill(monitor_pid, SIGKILL);
		(void)waitpid(monitor_pid, &st, 0);
		monitor_pid = -1;
	}
	if (orig_mnt != -1) {
		char	now[sizeof(cwd_path)];

		(void)umount2(DIR "/map", MNT_DETACH);
		/* setns() to a mount namespace moves the working directory
		 * to its root: back to where the tests run. */
		if (setns(orig_mnt, CLONE_NEWNS) == -1 || fchdir(orig_cwd) ==
		    -1 || getcwd(now, sizeof(now)) == NULL ||
		    strcmp(now, cwd_path) != 0)
			rc = -1;
		close(orig_mnt);
		orig_mnt = -1;
	}
	if (orig_cwd != -1) {
		close(orig_cwd);
		orig_cwd = -1;
	}
	if (netns_leave(state) == -1)
		rc = -1;
	free(sh("rm -rf " DIR, NULL));
	return (rc);
}

/* outage_enter - setup: a private network namespace */
static int
outage_enter(void **state)
{
	return (netns_enter(state));
}

/* outage_enter_mnt - setup: private network and mount namespaces (the
 * mounts of the test never reach the host's) */
static int
outage_enter_mnt(void **state)
{
	if (netns_enter(state) == -1)
		return (-1);
	if (getcwd(cwd_path, sizeof(cwd_path)) == NULL || (orig_cwd =
	    open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (orig_mnt = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) ==
	    -1 || unshare(CLONE_NEWNS) == -1 || mount(NULL, "/", NULL,
	    MS_REC | MS_PRIVATE, NULL) == -1) {
		(void)outage_leave(state);
		return (-1);
	}
	return (0);
}

/* test_outage_fw_removed - the table, the chain, a set removed under the
 * daemon: restored at once with every ban, one batch a time, one
 * warning in all */
static void
test_outage_fw_removed(void **state)
{
	static const struct want_ban w[] = {
		{ "offenders4", "198.51.100.1", 7200 },
		{ "offenders4", "198.51.100.2", 7200 },
		{ "offenders4_nets", "203.0.113.0/24", 3600 },
		{ "offenders6", "2001:db8::7", 7200 },
	};
	static const char *const removals[] = {
		"nft flush ruleset",
		"nft flush ruleset",
		"nft flush ruleset",
		"nft delete table inet fivefifty",
		"nft delete chain inet fivefifty input",
		("nft 'delete chain inet fivefifty input; delete set inet "
		    "fivefifty offenders6'"),
	};
	static const char *const ok[] = { "ok", NULL };
	static const char *const said[] = { "restored", NULL };
	const size_t	 nw = sizeof(w) / sizeof(w[0]);
	const size_t	 nr = sizeof(removals) / sizeof(removals[0]);
	struct timespec	 t0;
	char		 val[1024];
	long		 ms, most = 0;
	size_t		 i;
	int		 gens;

	(void)state;
	fresh_dir();
	conf_text("access_map = texthash:" DIR "/access\n");
	start();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ban("198.51.100.1", "2h");
	ban("198.51.100.2", "2h");
	ban("203.0.113.0/24", "1h");
	ban("2001:db8::7", "2h");
	wait_fw(w, nw, &t0, "the bans");
	monitor_start();

	for (i = 0; i < nr; i++) {
		free(sh(removals[i], NULL));
		ms = wait_fw(w, nw, &t0, removals[i]);
		if (ms > most)
			most = ms;
	}
	gens = monitor_stop();
	print_message("      restored after each of %zu removals within %ld "
	    "ms (nft listing included)\n", nr, most);

	/* One warning for all of it, naming the table. */
	if (count("warning: firewall") != 1) {
		char *log = read_file(LOG, &(size_t){ 0 });

		print_lines(log != NULL ? log : "");
		free(log);
		fail_msg("%d firewall warnings for %zu removals, not one",
		    count("warning: firewall"), nr);
	}
	assert_int_equal(count("warning: firewall: table inet fivefifty was "
	    "deleted"), 1);
	/* Each repair one batch: setup and elements together. */
	if (gens != (int)nr)
		fail_msg("%d batches of the daemon for %zu removals (one "
		    "each: the sets never in place without their elements)",
		    gens, nr);
	/* Status: the firewall works, and what happened is said. */
	if (wait_status("firewall", ok, val, sizeof(val)) == -1)
		fail_msg("status: firewall %s", val);
	if (wait_status("last_error", said, val, sizeof(val)) == -1 ||
	    strstr(val, "inet fivefifty") == NULL)
		fail_msg("status: last_error \"%s\" does not say what was "
		    "removed and restored", val);
	assert_int_equal(stop(), 0);
}

/* test_outage_fw_refused - a repair the kernel refuses: reported once,
 * retried, a ban made meanwhile kept, recovered when possible */
static void
test_outage_fw_refused(void **state)
{
	static const struct want_ban w[] = {
		{ "offenders4", "198.51.100.1", 7200 },
		{ "offenders4", "198.51.100.9", 7200 },
		{ "offenders6", "2001:db8::7", 7200 },
	};
	static const char *const down[] = { "unavailable", NULL };
	static const char *const why[] = { "offenders4", "File exists", NULL };
	static const char *const ok[] = { "ok", NULL };
	struct timespec	 t0;
	char		 val[1024];

	(void)state;
	fresh_dir();
	conf_text("access_map = texthash:" DIR "/access\n");
	start();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ban("198.51.100.1", "2h");
	ban("2001:db8::7", "2h");
	wait_fw(w, 1, &t0, "the bans");

	/* The ruleset replaced by one where our IPv4 set's name is taken by
	 * a set of another type: the kernel refuses ours. */
	write_text(DIR "/obstacle.nft", "flush ruleset\n"
	    "add table inet fivefifty\n"
	    "add set inet fivefifty offenders4 { type ipv6_addr; }\n");
	free(sh("nft -f " DIR "/obstacle.nft", NULL));
	if (wait_status("firewall", down, val, sizeof(val)) == -1)
		fail_msg("status: firewall %s, not unavailable", val);
	if (wait_status("last_error", why, val, sizeof(val)) == -1)
		fail_msg("status: last_error \"%s\" lacks the set and the "
		    "kernel's reason", val);
	/* A ban decided meanwhile; a few retries go by. */
	ban("198.51.100.9", "2h");
	usleep(4000000);
	status_line("firewall", val, sizeof(val));
	assert_string_equal(val, "unavailable");
	if (count("warning: firewall") != 1)
		fail_msg("%d firewall warnings while the repair fails, not "
		    "one", count("warning: firewall"));

	/* The obstacle gone: everything back, the new ban too. */
	free(sh("nft delete table inet fivefifty", NULL));
	wait_fw(w, sizeof(w) / sizeof(w[0]), &t0, "the obstacle removed");
	if (wait_status("firewall", ok, val, sizeof(val)) == -1)
		fail_msg("status: firewall %s", val);
	assert_int_equal(count("in place again"), 1);
	if (count("warning: firewall") != 1) {
		char *log = read_file(LOG, &(size_t){ 0 });

		print_lines(log != NULL ? log : "");
		free(log);
		fail_msg("%d firewall warnings for one outage, not one",
		    count("warning: firewall"));
	}
	assert_int_equal(stop(), 0);
}

/* map_holds - the map answers for every address (postmap -q) */
static int
map_holds(const char *const *addrs, size_t n, const char **missing)
{
	char		cmd[512];
	size_t		i;
	int		st;

	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "postmap -c " DIR "/cf -q %s hash:"
		    DIR "/map/access", addrs[i]);
		free(sh(cmd, &st));
		if (st != 0) {
			*missing = addrs[i];
			return (0);
		}
	}
	return (1);
}

/* wait_map - until map_holds(); fails the test after WAIT_MS */
static void
wait_map(const char *const *addrs, size_t n, const char *after)
{
	struct timespec	 t0;
	const char	*missing = NULL;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!map_holds(addrs, n, &missing)) {
		if (elapsed_ms(&t0) > WAIT_MS)
			fail_msg("after %s: %s not in the map in %d s", after,
			    missing, WAIT_MS / 1000);
		usleep(100000);
	}
}

/* test_outage_map - postmap gone, then the map's directory read-only:
 * reported once each, status says why, every ban in the map once fixed */
static void
test_outage_map(void **state)
{
	static const char *const addrs[] = {
		"198.51.100.1", "198.51.100.2", "198.51.100.3",
	};
	/* A missing postmap is said as Postfix missing (firewall/map.c). */
	static const char *const gone[] = { "failing since ",
	    "no postmap at " DIR "/bin/postmap", "postmap_command", NULL };
	static const char *const ro[] = { "failing since ",
	    DIR "/map", "Read-only file system", NULL };
	static const char *const ok[] = { "ok", NULL };
	char		 val[1024];

	(void)state;
	fresh_dir();
	/* postmap wants an interface up, and a main.cf. */
	free(sh("ip link set lo up && mkdir " DIR "/cf " DIR "/map " DIR
	    "/bin && : > " DIR "/cf/main.cf && cp \"$(command -v postmap)\" "
	    DIR "/bin/postmap", NULL));
	conf_text("access_map = hash:" DIR "/map/access\n"
	    "postmap_command = " DIR "/bin/postmap\n"
	    "postfix_config_directory = " DIR "/cf\n"
	    "firewall = off\n");
	start();
	ban(addrs[0], "2h");
	wait_map(addrs, 1, "the first ban");

	/* postmap renamed away mid-run. */
	free(sh("mv " DIR "/bin/postmap " DIR "/bin/postmap.away", NULL));
	ban(addrs[1], "2h");
	if (wait_status("map", gone, val, sizeof(val)) == -1)
		fail_msg("status: map %s (not failing, or without the "
		    "reason)", val);
	usleep(3000000);	/* retries go by */
	assert_int_equal(count("warning: access map"), 1);
	free(sh("mv " DIR "/bin/postmap.away " DIR "/bin/postmap", NULL));
	wait_map(addrs, 2, "postmap back");
	if (wait_status("map", ok, val, sizeof(val)) == -1)
		fail_msg("status: map %s", val);
	assert_int_equal(count("written again"), 1);

	/* The map's directory read-only (root ignores modes: a mount). */
	free(sh("mount --bind " DIR "/map " DIR "/map && mount -o "
	    "remount,bind,ro " DIR "/map", NULL));
	ban(addrs[2], "2h");
	if (wait_status("map", ro, val, sizeof(val)) == -1)
		fail_msg("status: map %s (not failing, or without the "
		    "reason)", val);
	usleep(3000000);
	assert_int_equal(count("warning: access map"), 2);
	free(sh("umount " DIR "/map", NULL));
	wait_map(addrs, 3, "the directory writable again");
	if (wait_status("map", ok, val, sizeof(val)) == -1)
		fail_msg("status: map %s", val);
	assert_int_equal(count("written again"), 2);
	assert_int_equal(count("warning: access map"), 2);
	assert_int_equal(stop(), 0);
}

const struct CMUnitTest outage_tests[] = {
	cmocka_unit_test_setup_teardown(test_outage_fw_removed, outage_enter,
	    outage_leave),
	cmocka_unit_test_setup_teardown(test_outage_fw_refused, outage_enter,
	    outage_leave),
	cmocka_unit_test_setup_teardown(test_outage_map, outage_enter_mnt,
	    outage_leave),
};
const size_t outage_tests_count = sizeof(outage_tests) /
    sizeof(outage_tests[0]);

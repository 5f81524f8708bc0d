/*	$fivefifty: test_install.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_install 3 - make install and make uninstall, into a DESTDIR
 * DESCRIPTION
 *	Each test runs `make install DESTDIR=/tmp/fivefifty-destdir-XXXXXX
 *	PREFIX=/usr` from the project root (the binary installed is the one
 *	under test, INSTALL_BIN) and checks what it made: every file in its
 *	place with its mode; the systemd unit with ExecStart substituted,
 *	every line a known Key=Value of its section, the directives the
 *	issue names, paths that agree with the sample's defaults, and
 *	`systemd-analyze verify` when it exists; the man pages clean under
 *	`mandoc -T lint -W warning`, naming every key of the sample and
 *	every command of `fivefifty help`; a modified configuration kept by
 *	a second install and by uninstall, which removes everything else;
 *	the cron file a valid /etc/cron.d entry naming the installed binary
 *	with arguments the binary accepts, kept like the configuration when
 *	changed.
 *	With DESTDIR no user or group is created, and nothing is installed
 *	outside it (/etc/passwd, /etc/group and the real install paths are
 *	compared before and after). The teardown removes the DESTDIR.
 * SECURITY
 *	Never installs into the real root: every make runs with DESTDIR.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

#define SAMPLE		"conf/fivefifty.conf"
#define MAN8		"man/fivefifty.8"
#define MAN5		"man/fivefifty.conf.5"
#define UNIT		"/usr/lib/systemd/system/fivefifty.service"
#define CRON		"/etc/cron.d/fivefifty"
#define CRON_LINE	"0 6 * * * root /usr/sbin/fivefifty report summary " \
			    "--since 24h --mail-to root"

/* Paths on the real system that an install must not touch. */
static const char *const real_paths[] = {
	"/usr/sbin/fivefifty", "/usr/local/sbin/fivefifty",
	"/etc/fivefifty", "/etc/fivefifty/fivefifty.conf",
	"/etc/fivefifty/fivefifty.conf.sample", "/etc/postfix/fivefifty",
	"/usr/lib/systemd/system/fivefifty.service",
	"/usr/local/lib/systemd/system/fivefifty.service",
	"/usr/share/man/man8/fivefifty.8.gz",
	"/usr/local/share/man/man8/fivefifty.8.gz", "/etc/cron.d/fivefifty",
};
#define NREAL	(sizeof(real_paths) / sizeof(real_paths[0]))

struct inst {
	char		 dir[64];	/* the DESTDIR */
	char		*passwd, *group;
	struct stat	 real[NREAL];
	int		 real_ok[NREAL];
};

/* find_prog - name's path on $PATH, into buf; NULL when it is not there */
static const char *
find_prog(const char *name, char *buf, size_t len)
{
	const char	*path = getenv("PATH"), *p, *end;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p)
			continue;
		snprintf(buf, len, "%.*s/%s", (int)(end - p), p, name);
		if (access(buf, X_OK) == 0)
			return (buf);
	}
	return (NULL);
}

/* prog_or_fail - like find_prog, or the test fails */
static const char *
prog_or_fail(const char *name, char *buf, size_t len)
{
	if (find_prog(name, buf, len) == NULL)
		fail_msg("%s is not installed (scripts/deps.sh test installs "
		    "it)", name);
	return (buf);
}

/* dpath - path under the DESTDIR, into buf */
static const char *
dpath(const struct inst *in, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", in->dir, path);
	return (buf);
}

/* make_run - run make TARGET into the DESTDIR: 0 and its output in r, or
 * -1 when make cannot be run */
static int
make_run(const struct inst *in, const char *target, struct run_result *r)
{
	char		 makep[PATH_MAX], dest[128], bin[PATH_MAX + 16];
	char		*argv[] = { makep, "--no-print-directory",
	    (char *)target, dest, "PREFIX=/usr", bin, NULL };

	memset(r, 0, sizeof(*r));
	if (find_prog("make", makep, sizeof(makep)) == NULL)
		return (-1);
	snprintf(dest, sizeof(dest), "DESTDIR=%s", in->dir);
	snprintf(bin, sizeof(bin), "INSTALL_BIN=%s", bin_path());
	return (run_cmd(argv, NULL, 0, r) == 0 ? 0 : -1);
}

/* make_target - run make TARGET into the DESTDIR; its output */
static void
make_target(const struct inst *in, const char *target, struct run_result *r)
{
	assert_int_equal(make_run(in, target, r), 0);
	if (r->status != 0)
		fail_msg("make %s exited %d:\n%s\n%s", target, r->status,
		    r->out, r->err);
}

static int	install_teardown(void **);

/* install_setup - a fresh DESTDIR with make install done in it */
static int
install_setup(void **state)
{
	struct inst	*in;
	struct run_result r;
	size_t		 len, i;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return (-1);
	snprintf(in->dir, sizeof(in->dir), "/tmp/fivefifty-destdir-XXXXXX");
	if (mkdtemp(in->dir) == NULL) {
		free(in);
		return (-1);
	}
	in->passwd = read_file("/etc/passwd", &len);
	in->group = read_file("/etc/group", &len);
	for (i = 0; i < NREAL; i++)
		in->real_ok[i] = lstat(real_paths[i], &in->real[i]) == 0;
	*state = in;
	/* Not make_target(): a failed setup is not torn down by cmocka, so
	 * it cleans up here and says why (a leak would hide the counts). */
	if (make_run(in, "install", &r) == -1 || r.status != 0) {
		print_message("make install exited %d:\n%s\n%s\n", r.status,
		    r.out != NULL ? r.out : "", r.err != NULL ? r.err : "");
		run_free(&r);
		(void)install_teardown(state);
		*state = NULL;
		return (-1);
	}
	run_free(&r);
	return (0);
}

/* install_teardown - remove the DESTDIR */
static int
install_teardown(void **state)
{
	struct inst	*in = *state;
	struct run_result r;
	char		 rm[PATH_MAX];
	char		*argv[] = { rm, "-rf", in->dir, NULL };

	if (find_prog("rm", rm, sizeof(rm)) != NULL &&
	    strncmp(in->dir, "/tmp/fivefifty-destdir-", 23) == 0 &&
	    run_cmd(argv, NULL, 0, &r) == 0)
		run_free(&r);
	free(in->passwd);
	free(in->group);
	free(in);
	return (0);
}

/* system_untouched - no user or group made, nothing outside DESTDIR */
static void
system_untouched(const struct inst *in)
{
	struct stat	 sb;
	size_t		 len, i;
	char		*now;
	int		 ok;

	now = read_file("/etc/passwd", &len);
	if (in->passwd != NULL && (now == NULL || strcmp(now, in->passwd)))
		fail_msg("/etc/passwd changed by an install with DESTDIR");
	free(now);
	now = read_file("/etc/group", &len);
	if (in->group != NULL && (now == NULL || strcmp(now, in->group)))
		fail_msg("/etc/group changed by an install with DESTDIR");
	free(now);
	for (i = 0; i < NREAL; i++) {
		ok = lstat(real_paths[i], &sb) == 0;
		if (ok != in->real_ok[i] || (ok && (sb.st_ino !=
		    in->real[i].st_ino || sb.st_mtime !=
		    in->real[i].st_mtime)))
			fail_msg("%s changed by an install with DESTDIR",
			    real_paths[i]);
	}
}

/* mode_is - path is a regular file (or directory) with this mode */
static void
mode_is(const struct inst *in, const char *path, int dir, mode_t mode)
{
	struct stat	 sb;
	char		 p[PATH_MAX];

	dpath(in, path, p, sizeof(p));
	if (stat(p, &sb) == -1)
		fail_msg("%s was not installed: %s", p, strerror(errno));
	if (dir ? !S_ISDIR(sb.st_mode) : !S_ISREG(sb.st_mode))
		fail_msg("%s is not a %s", p, dir ? "directory" : "file");
	if ((sb.st_mode & 07777) != mode)
		fail_msg("%s has mode %04o, not %04o", p,
		    (unsigned)(sb.st_mode & 07777), (unsigned)mode);
}

/* gone - path is not in the DESTDIR */
static void
gone(const struct inst *in, const char *path)
{
	struct stat	 sb;
	char		 p[PATH_MAX];

	dpath(in, path, p, sizeof(p));
	if (lstat(p, &sb) == 0)
		fail_msg("%s is still there after make uninstall", p);
}

/* same_file - the contents of a and b are equal */
static void
same_file(const char *a, const char *b)
{
	char		*ta, *tb;
	size_t		 la, lb;

	ta = read_file(a, &la);
	tb = read_file(b, &lb);
	if (ta == NULL || tb == NULL || la != lb || memcmp(ta, tb, la) != 0)
		fail_msg("%s differs from %s", a, b);
	free(ta);
	free(tb);
}

/* gunzipped_is - gz is src compressed with gzip -n (no name, no time) */
static void
gunzipped_is(const struct inst *in, const char *gz, const char *src)
{
	struct run_result r;
	char		 gzip[PATH_MAX], p[PATH_MAX], *text, *raw;
	char		*argv[] = { gzip, "-dc", p, NULL };
	size_t		 len, rawlen;

	prog_or_fail("gzip", gzip, sizeof(gzip));
	dpath(in, gz, p, sizeof(p));
	raw = read_file(p, &rawlen);
	assert_non_null(raw);
	assert_true(rawlen > 10);
	/* Magic, no FNAME flag, MTIME zero: the same bytes every build. */
	assert_true((unsigned char)raw[0] == 0x1f &&
	    (unsigned char)raw[1] == 0x8b);
	assert_int_equal(raw[3] & 0x08, 0);
	assert_true(raw[4] == 0 && raw[5] == 0 && raw[6] == 0 && raw[7] == 0);
	free(raw);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 0);
	text = read_file(src, &len);
	assert_non_null(text);
	if (r.outlen != len || memcmp(r.out, text, len) != 0)
		fail_msg("%s is not %s", p, src);
	free(text);
	run_free(&r);
}

/* sample_value - the value of key in the sample text, into buf */
static const char *
sample_value(const char *text, const char *key, char *buf, size_t len)
{
	char		 pat[96];
	const char	*p;
	size_t		 n;

	snprintf(pat, sizeof(pat), "\n%s =", key);
	if ((p = strstr(text, pat)) == NULL)
		fail_msg("the sample has no %s", key);
	p += strlen(pat);
	p += strspn(p, " \t");
	n = strcspn(p, "#\n");
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	snprintf(buf, len, "%.*s", (int)n, p);
	return (buf);
}

/* test_install_layout - every file in its place, with its mode */
static void
test_install_layout(void **state)
{
	struct inst	*in = *state;
	char		 p[PATH_MAX];

	mode_is(in, "/usr/sbin/fivefifty", 0, 0755);
	mode_is(in, "/usr/share/man/man8/fivefifty.8.gz", 0, 0644);
	mode_is(in, "/usr/share/man/man5/fivefifty.conf.5.gz", 0, 0644);
	mode_is(in, UNIT, 0, 0644);
	mode_is(in, "/etc/fivefifty", 1, 0755);
	mode_is(in, "/etc/fivefifty/fivefifty.conf", 0, 0644);
	mode_is(in, "/etc/fivefifty/fivefifty.conf.sample", 0, 0644);
	mode_is(in, "/etc/postfix/fivefifty", 1, 0755);
	mode_is(in, CRON, 0, 0644);
	gone(in, "/usr/share/man/man8/fivefifty.8");
	same_file(dpath(in, "/usr/sbin/fivefifty", p, sizeof(p)),
	    bin_path());
	same_file(dpath(in, "/etc/fivefifty/fivefifty.conf", p, sizeof(p)),
	    SAMPLE);
	same_file(dpath(in, "/etc/fivefifty/fivefifty.conf.sample", p,
	    sizeof(p)), SAMPLE);
	gunzipped_is(in, "/usr/share/man/man8/fivefifty.8.gz", MAN8);
	gunzipped_is(in, "/usr/share/man/man5/fivefifty.conf.5.gz", MAN5);
	system_untouched(in);
}

/* known_key - key is one fivefifty's unit may use in section */
static int
known_key(const char *section, const char *key)
{
	static const struct {
		const char *section, *keys;
	} known[] = {
		{ "Unit", " Description Documentation After Wants Requires "
		    "Before PartOf " },
		{ "Service", " Type ExecStart ExecReload Restart RestartSec "
		    "WatchdogSec User Group SupplementaryGroups "
		    "AmbientCapabilities CapabilityBoundingSet "
		    "NoNewPrivileges StateDirectory StateDirectoryMode "
		    "RuntimeDirectory RuntimeDirectoryMode ProtectSystem "
		    "ReadWritePaths ProtectHome PrivateTmp PrivateDevices "
		    "ProtectKernelTunables ProtectKernelModules "
		    "ProtectKernelLogs ProtectControlGroups ProtectClock "
		    "ProtectHostname RestrictAddressFamilies "
		    "RestrictNamespaces RestrictRealtime RestrictSUIDSGID "
		    "LockPersonality SystemCallArchitectures "
		    "MemoryDenyWriteExecute " },
		{ "Install", " WantedBy " },
	};
	char		 pat[80];
	size_t		 i;

	snprintf(pat, sizeof(pat), " %s ", key);
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(section, known[i].section) == 0)
			return (strstr(known[i].keys, pat) != NULL);
	return (0);
}

/* unit_value - the value of Key= in the unit text, or NULL */
static const char *
unit_value(const char *text, const char *key, char *buf, size_t len)
{
	char		 pat[80];
	const char	*p;

	snprintf(pat, sizeof(pat), "\n%s=", key);
	if ((p = strstr(text, pat)) == NULL)
		return (NULL);
	p += strlen(pat);
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
	return (buf);
}

/* test_install_unit - the installed unit: syntax and every directive */
static void
test_install_unit(void **state)
{
	static const struct {
		const char *key, *value;
	} want[] = {
		{ "Type", "notify" },
		{ "ExecStart", "/usr/sbin/fivefifty run" },
		{ "ExecReload", "/bin/kill -HUP $MAINPID" },
		{ "User", "fivefifty" },
		{ "Group", "fivefifty" },
		{ "SupplementaryGroups", "adm systemd-journal" },
		{ "AmbientCapabilities", "CAP_NET_ADMIN" },
		{ "CapabilityBoundingSet", "CAP_NET_ADMIN" },
		{ "NoNewPrivileges", "yes" },
		{ "ProtectSystem", "strict" },
		{ "StateDirectory", "fivefifty" },
		{ "RuntimeDirectory", "fivefifty" },
		{ "ReadWritePaths", "-/etc/postfix/fivefifty" },
		{ "WatchdogSec", "30s" },
		{ "Restart", "on-failure" },
		{ "Documentation", "man:fivefifty(8) man:fivefifty.conf(5)" },
		{ "WantedBy", "multi-user.target" },
	};
	struct inst	*in = *state;
	struct run_result r;
	char		 p[PATH_MAX], v[1024], sv[1024], section[32] = "";
	char		 sa[PATH_MAX], tmp[PATH_MAX];
	char		*text, *sample, *line, *save = NULL, *copy, *eq;
	size_t		 len, i;
	int		 lineno = 0;
	FILE		*fp;

	text = read_file(dpath(in, UNIT, p, sizeof(p)), &len);
	assert_non_null(text);
	assert_null(strstr(text, "@SBINDIR@"));
	/* Every line: a comment, a [Section], or a known Key=Value. */
	copy = strdup(text);
	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			if (sscanf(line, "[%31[A-Za-z]]", section) != 1 ||
			    line[strlen(line) - 1] != ']')
				fail_msg("unit line %d: \"%s\"", lineno, line);
			if (!known_key(section, "Description") &&
			    !known_key(section, "Type") &&
			    !known_key(section, "WantedBy"))
				fail_msg("unit: section [%s]?", section);
			continue;
		}
		if ((eq = strchr(line, '=')) == NULL || eq == line ||
		    eq[1] == '\0' || strchr(" \t", line[0]) != NULL)
			fail_msg("unit line %d is not Key=Value: \"%s\"",
			    lineno, line);
		*eq = '\0';
		if (!known_key(section, line))
			fail_msg("unit line %d: %s= in [%s]", lineno, line,
			    section);
	}
	free(copy);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (unit_value(text, want[i].key, v, sizeof(v)) == NULL ||
		    strcmp(v, want[i].value) != 0)
			fail_msg("unit: want %s=%s", want[i].key,
			    want[i].value);
	/* PCRE2's JIT needs W+X memory: never MemoryDenyWriteExecute. */
	if (unit_value(text, "MemoryDenyWriteExecute", v, sizeof(v)) != NULL)
		assert_string_not_equal(v, "yes");
	/* The unit's directories are those of the defaults. */
	sample = read_file(SAMPLE, &len);
	assert_non_null(sample);
	assert_string_equal(sample_value(sample, "user", sv, sizeof(sv)),
	    "fivefifty");
	assert_string_equal(sample_value(sample, "state_db", sv, sizeof(sv)),
	    "/var/lib/fivefifty/fivefifty.db");
	assert_string_equal(sample_value(sample, "control_socket", sv,
	    sizeof(sv)), "/run/fivefifty/control.sock");
	assert_string_equal(sample_value(sample, "access_map", sv,
	    sizeof(sv)), "hash:/etc/postfix/fivefifty/access");
	assert_string_equal(sample_value(sample, "control_group", sv,
	    sizeof(sv)), "adm");
	free(sample);
	/* systemd's own verdict, when systemd-analyze is there: on a copy
	 * whose ExecStart names the binary in the DESTDIR. */
	if (find_prog("systemd-analyze", sa, sizeof(sa)) == NULL) {
		print_message("[ NOTE     ] systemd-analyze is not installed: "
		    "the unit was checked by the parser only\n");
		free(text);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s/verify", in->dir);
	assert_int_equal(mkdir(tmp, 0755), 0);
	snprintf(tmp, sizeof(tmp), "%s/verify/fivefifty.service", in->dir);
	assert_non_null(fp = fopen(tmp, "w"));
	for (line = text; *line != '\0'; line += strcspn(line, "\n") +
	    (line[strcspn(line, "\n")] != '\0')) {
		if (strncmp(line, "ExecStart=", 10) == 0)
			fprintf(fp, "ExecStart=%s/usr/sbin/fivefifty run\n",
			    in->dir);
		else
			fprintf(fp, "%.*s\n", (int)strcspn(line, "\n"), line);
	}
	assert_int_equal(fclose(fp), 0);
	{
		char *argv[] = { sa, "verify", "--man=no", tmp, NULL };
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		/* verify exits 0 even on unknown keys: any word is wrong. */
		if (r.status != 0 || r.errlen != 0 || r.outlen != 0)
			fail_msg("systemd-analyze verify (%d):\n%s%s",
			    r.status, r.out, r.err);
		run_free(&r);
	}
	free(text);
}

/* lint - mandoc -T lint -W warning finds nothing in path */
static void
lint(const char *path)
{
	struct run_result r;
	char		 mandoc[PATH_MAX];
	char		*argv[] = { mandoc, "-T", "lint", "-W", "warning",
	    (char *)path, NULL };

	prog_or_fail("mandoc", mandoc, sizeof(mandoc));
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0 || r.outlen != 0 || r.errlen != 0)
		fail_msg("mandoc -T lint -W warning %s (%d):\n%s%s", path,
		    r.status, r.out, r.err);
	run_free(&r);
}

/* entry - man has a line ".It Cm NAME" then a space or its end */
static int
entry(const char *man, const char *name)
{
	char		 pat[96];
	const char	*p;

	snprintf(pat, sizeof(pat), "\n.It Cm %s", name);
	for (p = man; (p = strstr(p, pat)) != NULL; p += strlen(pat))
		if (p[strlen(pat)] == ' ' || p[strlen(pat)] == '\n')
			return (1);
	return (0);
}

/* test_install_man - lint clean; every key and every command named */
static void
test_install_man(void **state)
{
	struct inst	*in = *state;
	struct run_result r;
	char		*man5, *man8, *sample, *p, *line, *save = NULL;
	char		 key[80], path[PATH_MAX];
	char		*argv[] = { (char *)bin_path(), "help", NULL };
	size_t		 len;
	int		 keys = 0, cmds = 0, in_cmds = 0;

	lint(MAN8);
	lint(MAN5);
	lint(dpath(in, "/usr/share/man/man8/fivefifty.8.gz", path,
	    sizeof(path)));
	lint(dpath(in, "/usr/share/man/man5/fivefifty.conf.5.gz", path,
	    sizeof(path)));
	man5 = read_file(MAN5, &len);
	man8 = read_file(MAN8, &len);
	sample = read_file(SAMPLE, &len);
	assert_non_null(man5);
	assert_non_null(man8);
	assert_non_null(sample);
	/* Every key of the sample has its entry in fivefifty.conf(5) ... */
	for (line = strtok_r(sample, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%79[a-z0-9_] =", key) != 1 ||
		    strstr(line, " =") != line + strlen(key))
			continue;
		snprintf(path, sizeof(path), "%s No =", key);
		if (!entry(man5, path))
			fail_msg("%s: no entry for the key %s of %s", MAN5,
			    key, SAMPLE);
		keys++;
	}
	assert_true(keys >= 50);
	free(sample);
	/* ... and every entry is a key of the sample. */
	sample = read_file(SAMPLE, &len);
	for (p = man5; (p = strstr(p, "\n.It Cm ")) != NULL; p++) {
		char pat[96];
		if (sscanf(p, "\n.It Cm %79[a-z0-9_] No =", key) != 1 ||
		    strstr(p + 8, " No =") != p + 8 + strlen(key))
			continue;
		snprintf(pat, sizeof(pat), "\n%s =", key);
		if (strstr(sample, pat) == NULL)
			fail_msg("%s documents %s, which %s does not have",
			    MAN5, key, SAMPLE);
		keys--;
	}
	assert_int_equal(keys, 0);	/* one entry a key */
	/* Every command `fivefifty help` lists is in fivefifty(8). */
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 0);
	save = NULL;
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "COMMANDS") == 0) {
			in_cmds = 1;
			continue;
		}
		if (line[0] != ' ')
			in_cmds = 0;
		if (!in_cmds || sscanf(line, " %79[a-z]", key) != 1)
			continue;
		if (!entry(man8, key))
			fail_msg("%s: no entry \".It Cm %s\" for a command of "
			    "fivefifty help", MAN8, key);
		cmds++;
	}
	assert_true(cmds >= 9);
	run_free(&r);
	free(man5);
	free(man8);
	free(sample);
}

/* cron_fields_ok - five cron time fields of digits , - / and * */
static int
cron_fields_ok(const char *line)
{
	const char	*p = line;
	size_t		 n;
	int		 k;

	for (k = 0; k < 5; k++) {
		n = strspn(p, "0123456789,-/*");
		if (n == 0 || p[n] != ' ')
			return (0);
		p += n + strspn(p + n, " ");
	}
	return (1);
}

/* test_install_cron - /etc/cron.d/fivefifty: a valid entry naming the
 * installed binary with arguments it accepts; removed by uninstall when
 * unchanged, kept by install and uninstall when changed */
static void
test_install_cron(void **state)
{
	struct inst	*in = *state;
	struct run_result r;
	char		 p[PATH_MAX], conf[PATH_MAX], db[PATH_MAX];
	char		*text, *line, *copy, *save = NULL, *args[16], *w;
	char		*wsave = NULL;
	const char	*base;
	size_t		 len;
	int		 entries = 0, nargs = 0;
	FILE		*fp;

	text = read_file(dpath(in, CRON, p, sizeof(p)), &len);
	assert_non_null(text);
	assert_null(strstr(text, "@SBINDIR@"));
	assert_true(len > 0 && text[len - 1] == '\n');
	/* cron(8) skips a file of cron.d whose name has a dot. */
	base = strrchr(CRON, '/') + 1;
	assert_int_equal(strspn(base, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_-"), strlen(base));
	/* Every line: empty, a comment, NAME=value, or an entry with five
	 * time fields, the user and the command. */
	assert_non_null(copy = strdup(text));
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		if (strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") > 0 &&
		    line[strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_")] == '=')
			continue;
		if (!cron_fields_ok(line))
			fail_msg("%s: not a cron entry: \"%s\"", CRON, line);
		entries++;
	}
	free(copy);
	assert_int_equal(entries, 1);
	if (strstr(text, "\n" CRON_LINE "\n") == NULL)
		fail_msg("%s has no line \"%s\"", CRON, CRON_LINE);
	free(text);
	/* Its arguments are the binary's: with a state that is not there,
	 * the summary fails for the state (66), not for its usage (64). */
	snprintf(conf, sizeof(conf), "%s/cron-test.conf", in->dir);
	snprintf(db, sizeof(db), "%s/no-such-state.db", in->dir);
	assert_non_null(fp = fopen(conf, "w"));
	fputs("sendmail_path = /bin/false\n", fp);
	assert_int_equal(fclose(fp), 0);
	/* The command: the installed binary, then its arguments. */
	mode_is(in, "/usr/sbin/fivefifty", 0, 0755);
	assert_non_null(strstr(CRON_LINE, " root /usr/sbin/fivefifty "));
	assert_non_null(copy = strdup(strstr(CRON_LINE, "fivefifty ") + 10));
	args[nargs++] = (char *)bin_path();
	for (w = strtok_r(copy, " ", &wsave); w != NULL && nargs < 11;
	    w = strtok_r(NULL, " ", &wsave))
		args[nargs++] = w;
	args[nargs++] = "-c";
	args[nargs++] = conf;
	args[nargs++] = "--db";
	args[nargs++] = db;
	args[nargs] = NULL;
	assert_int_equal(run_cmd(args, NULL, 0, &r), 0);
	free(copy);
	if (r.status != 66 || strstr(r.err, "no-such-state.db") == NULL)
		fail_msg("the cron command with a missing state: exit %d "
		    "(66 expected): %s", r.status, r.err);
	run_free(&r);
	/* Unchanged, it goes with uninstall; changed, it stays. */
	make_target(in, "uninstall", &r);
	run_free(&r);
	gone(in, CRON);
	make_target(in, "install", &r);
	run_free(&r);
	mode_is(in, CRON, 0, 0644);
	dpath(in, CRON, p, sizeof(p));
	assert_non_null(fp = fopen(p, "a"));
	fputs("30 7 * * 1 root /bin/true\n", fp);
	assert_int_equal(fclose(fp), 0);
	make_target(in, "install", &r);
	assert_non_null(strstr(r.out, "kept"));
	assert_non_null(strstr(r.out, CRON));
	run_free(&r);
	make_target(in, "uninstall", &r);
	assert_non_null(strstr(r.out, CRON));
	run_free(&r);
	text = read_file(p, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\n30 7 * * 1 root /bin/true\n"));
	free(text);
	system_untouched(in);
}

/* test_install_keep_conf - a postmaster's configuration is never lost */
static void
test_install_keep_conf(void **state)
{
	static const char *const installed[] = {
		"/usr/sbin/fivefifty", "/usr/share/man/man8/fivefifty.8.gz",
		"/usr/share/man/man5/fivefifty.conf.5.gz", UNIT,
		"/etc/fivefifty/fivefifty.conf.sample",
		"/etc/postfix/fivefifty", CRON,
	};
	struct inst	*in = *state;
	struct run_result r;
	char		 conf[PATH_MAX], *text;
	size_t		 i, len;
	FILE		*fp;

	/* An unchanged configuration goes with uninstall, directory and
	 * all. */
	make_target(in, "uninstall", &r);
	run_free(&r);
	for (i = 0; i < sizeof(installed) / sizeof(installed[0]); i++)
		gone(in, installed[i]);
	gone(in, "/etc/fivefifty");
	/* A changed one survives a second install and the uninstall. */
	make_target(in, "install", &r);
	run_free(&r);
	dpath(in, "/etc/fivefifty/fivefifty.conf", conf, sizeof(conf));
	assert_non_null(fp = fopen(conf, "a"));
	fputs("ban_time = 2h\n", fp);
	assert_int_equal(fclose(fp), 0);
	make_target(in, "install", &r);
	assert_non_null(strstr(r.out, "kept"));
	run_free(&r);
	text = read_file(conf, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nban_time = 2h\n"));
	free(text);
	make_target(in, "uninstall", &r);
	assert_non_null(strstr(r.out, "kept"));
	run_free(&r);
	for (i = 0; i < sizeof(installed) / sizeof(installed[0]); i++)
		gone(in, installed[i]);
	text = read_file(conf, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "\nban_time = 2h\n"));
	free(text);
	system_untouched(in);
}

#define INSTALL_TEST(f)	cmocka_unit_test_setup_teardown(f, install_setup, \
	    install_teardown)

const struct CMUnitTest install_tests[] = {
	INSTALL_TEST(test_install_layout),
	INSTALL_TEST(test_install_unit),
	INSTALL_TEST(test_install_man),
	INSTALL_TEST(test_install_keep_conf),
	INSTALL_TEST(test_install_cron),
};
const size_t install_tests_count = sizeof(install_tests) /
    sizeof(install_tests[0]);

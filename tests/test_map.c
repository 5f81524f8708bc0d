/*	$fivefifty: test_map.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_map 3 - the Postfix access map, read back with the real postmap
 * DESCRIPTION
 *	Every test works in a fresh directory under /tmp with a main.cf of
 *	its own for postmap (-c; /etc/postfix is never read nor touched) and
 *	reads the map back with `postmap -q`, the way check_client_access
 *	looks a client up: for hash, lmdb, cdb, btree and texthash the
 *	address, then the address cut at its last '.' or ':' again and
 *	again; for cidr the address itself. Covered:
 *	- every type, with single addresses and networks of both families,
 *	  an expired ban absent, addresses next to the bans not matched, the
 *	  files left in the directory exactly the map and its database;
 *	- the map's text byte for byte (sort order, a key given by two bans
 *	  keeps the later end, the template's variables), the same for any
 *	  order of the bans;
 *	- a failing postmap (false, missing, no main.cf), a missing
 *	  directory: -1 with a message naming the problem (Postfix not
 *	  installed, no main.cf, no directory: said plainly with what to
 *	  do, "access_map = (empty)" among it), the old map and
 *	  database unchanged byte for byte, no temporary file left;
 *	- the enforcer's rewrite with postmap missing: tried again after
 *	  1, 2, 4 ... s, up to 30 s apart, status "failing since T: why";
 *	- a hostile reason (CR, LF, markup, "$until", non-ASCII, no NUL)
 *	  stays one printable line;
 *	- expiry on rewrite, and an empty but valid map;
 *	- temporaries left by a process that died are removed;
 *	- map_keys() of addresses and networks, and map_open()'s refusals.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "firewall/fw_int.h"

#define POSTMAP		"/usr/sbin/postmap"
#define NOW		1800000000LL		/* 2027-01-15T08:00:00Z */
#define DEFAULT_REPLY	"554 5.7.1 Service unavailable; client [%s] " \
			"blocked by fivefifty (%s) until %s\n"

struct lab {
	char	 dir[64];		/* the map's directory */
	char	 cf[96];		/* postmap -c: an empty main.cf */
};

static const char *const types[] = {
	"hash", "lmdb", "cdb", "btree", "texthash", "cidr"
};
static const char *const suffixes[] = {
	".db", ".lmdb", ".cdb", ".db", NULL, NULL
};

static char	 lab_dirs[16][64];	/* made by this test, to remove */
static int	 nlab_dirs;

/* age - move a file's times an hour back: Postfix reads a text file it
 * loads (main.cf, texthash and cidr tables) again and again, 300 ms
 * apart, until it is a second or two old, in case it is still being
 * written; an aged file spares the tests that wait */
static void
age(const char *path)
{
	struct timespec	ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= 3600;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* lab_open - a fresh directory with cf/main.cf */
static void
lab_open(struct lab *l)
{
	char	 p[128];
	FILE	*fp;

	snprintf(l->dir, sizeof(l->dir), "/tmp/fivefifty-map-XXXXXX");
	assert_non_null(mkdtemp(l->dir));
	assert_true(nlab_dirs < 16);
	snprintf(lab_dirs[nlab_dirs++], sizeof(lab_dirs[0]), "%s", l->dir);
	snprintf(l->cf, sizeof(l->cf), "%s/cf", l->dir);
	assert_int_equal(mkdir(l->cf, 0755), 0);
	snprintf(p, sizeof(p), "%s/main.cf", l->cf);
	assert_non_null(fp = fopen(p, "w"));
	fclose(fp);
	age(p);
}

/* rm_tree - a directory and everything below it */
static void
rm_tree(const char *dir)
{
	struct dirent	*d;
	struct stat	 sb;
	char		 p[512];
	DIR		*dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, d->d_name);
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(dp);
	rmdir(dir);
}

/* lab_close - remove the directory */
static void
lab_close(struct lab *l)
{
	rm_tree(l->dir);
}

/* lab_dirs_remove - teardown: every directory of the test, also after a
 * failure */
static int
lab_dirs_remove(void **state)
{
	(void)state;
	while (nlab_dirs > 0)
		rm_tree(lab_dirs[--nlab_dirs]);
	return (0);
}

/* name_cmp - qsort of strings */
static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* listing - the names in a directory, sorted, space-separated */
static void
listing(const char *dir, char *out, size_t len)
{
	struct dirent	*d;
	char		*names[64];
	size_t		 n = 0, i, o = 0;
	DIR		*dp;

	assert_non_null(dp = opendir(dir));
	while ((d = readdir(dp)) != NULL && n < 64)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			names[n++] = strdup(d->d_name);
	closedir(dp);
	qsort(names, n, sizeof(names[0]), name_cmp);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " " : "",
		    names[i]);
		free(names[i]);
	}
}

/* expect_listing - the directory holds cf, map and the database of type */
static void
expect_listing(const struct lab *l, int t)
{
	char	want[128], got[1024];

	if (suffixes[t] != NULL)
		snprintf(want, sizeof(want), "cf map map%s", suffixes[t]);
	else
		snprintf(want, sizeof(want), "cf map");
	listing(l->dir, got, sizeof(got));
	assert_string_equal(got, want);
}

/* query - postmap -q key TYPE:path; 0 found (answer in out), 1 not */
static int
query(const struct lab *l, const char *type, const char *path,
    const char *key, char *out, size_t len)
{
	struct run_result r;
	char		  spec[256];
	char		 *argv[8];
	int		  st;

	snprintf(spec, sizeof(spec), "%s:%s", type, path);
	argv[0] = POSTMAP;
	argv[1] = "-c";
	argv[2] = (char *)l->cf;
	argv[3] = "-q";
	argv[4] = (char *)key;
	argv[5] = spec;
	argv[6] = NULL;
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status > 1 || r.errlen > 0)
		fail_msg("postmap -q %s %s: status %d: %s", key, spec,
		    r.status, r.err);
	snprintf(out, len, "%s", r.out);
	st = r.status;
	run_free(&r);
	return (st);
}

/* lookup - what check_client_access finds for a client address: the
 * answer in out and 0, or 1 */
static int
lookup(const struct lab *l, const char *type, const char *path,
    const char *addr, char *out, size_t len)
{
	char	 key[64], *cut;
	int	 delim = strchr(addr, ':') != NULL ? ':' : '.';

	if (strcmp(type, "cidr") == 0)
		return (query(l, type, path, addr, out, len));
	snprintf(key, sizeof(key), "%s", addr);
	for (;;) {
		if (query(l, type, path, key, out, len) == 0)
			return (0);
		if ((cut = strrchr(key, delim)) == NULL)
			return (1);
		*cut = '\0';
	}
}

/* ban - a ban of a network in text form */
static struct fw_ban
ban(const char *net, long long until, const char *reason)
{
	struct fw_ban	b;

	memset(&b, 0, sizeof(b));
	if (net_parse(net, &b.net) == -1)
		fail_msg("bad network %s", net);
	b.until = until;
	snprintf(b.reason, sizeof(b.reason), "%s", reason);
	return (b);
}

/* open_map - map_open() of TYPE:dir/map with postmap -c the lab's */
static struct fw_map *
open_map(const struct lab *l, const char *type, const char *text,
    const char *postmap)
{
	struct fw_map	*m;
	char		 spec[256], err[512];

	snprintf(spec, sizeof(spec), "%s:%s/map", type, l->dir);
	if ((m = map_open(spec, text, postmap, err, sizeof(err))) == NULL)
		fail_msg("map_open %s: %s", spec, err);
	assert_int_equal(map_config_dir(m, l->cf), 0);
	return (m);
}

/* write_ok - map_write() that must work */
static void
write_ok(struct fw_map *m, const struct fw_ban *b, size_t n, long long now)
{
	char	err[512];

	if (map_write(m, b, n, now, err, sizeof(err)) == -1)
		fail_msg("map_write %s: %s", map_file(m), err);
	assert_string_equal(err, "");
	if (!map_indexed(m))
		age(map_file(m));
}

/* entries - the map's lines that are not comments; each checked to be
 * printable ASCII and "KEY 554 5.7.1 TEXT" */
static int
entries(const char *path)
{
	char	*text, *line, *save = NULL, *sp;
	size_t	 len, i;
	int	 n = 0;

	assert_non_null(text = read_file(path, &len));
	for (i = 0; i < len; i++)
		if (text[i] != '\n' && (text[i] < 0x20 || text[i] > 0x7e))
			fail_msg("%s: byte 0x%02x at %zu", path,
			    (unsigned char)text[i], i);
	assert_true(len == 0 || text[len - 1] == '\n');
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		sp = strchr(line, ' ');
		assert_non_null(sp);
		assert_true(sp > line);
		assert_int_equal(strncmp(sp, " 554 5.7.1 ", 11), 0);
		n++;
	}
	free(text);
	return (n);
}

/* test_map_stale - temporaries of a fivefifty that died mid-rewrite go
 * at the next rewrite; those of a live process stay */
static void
test_map_stale(void **state)
{
	struct fw_ban	 b = ban("1.2.3.4", NOW + 10, "x");
	struct fw_map	*m;
	struct lab	 l;
	char		 dead[160], dead_db[170], live[160];
	pid_t		 pid;
	FILE		*fp;

	(void)state;
	lab_open(&l);
	if ((pid = fork()) == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);	/* gone for good */
	snprintf(dead, sizeof(dead), "%s/map.fivefifty-tmp.%ld", l.dir,
	    (long)pid);
	snprintf(dead_db, sizeof(dead_db), "%s.db", dead);
	snprintf(live, sizeof(live), "%s/map.fivefifty-tmp.%ld", l.dir,
	    (long)getppid());
	assert_non_null(fp = fopen(dead, "w"));
	fclose(fp);
	assert_non_null(fp = fopen(dead_db, "w"));
	fclose(fp);
	assert_non_null(fp = fopen(live, "w"));
	fclose(fp);
	m = open_map(&l, "hash", "", NULL);
	write_ok(m, &b, 1, NOW);
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(dead_db, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	map_free(m);
	lab_close(&l);
}

/* test_map_types - every type answers for the bans and nothing else */
static void
test_map_types(void **state)
{
	static const struct {
		const char *addr;
		int	 ban;		/* index into bans, -1: none */
	} cases[] = {
		{ "1.2.3.4", 0 }, { "1.2.3.5", -1 }, { "1.2.4.4", -1 },
		{ "2001:db8::1", 1 }, { "2001:db8::2", -1 },
		{ "10.20.30.77", 2 }, { "10.20.30.0", 2 },
		{ "10.20.30.255", 2 }, { "10.20.31.1", -1 },
		{ "172.16.0.1", 3 }, { "172.16.9.9", 3 },
		{ "172.16.15.254", 3 }, { "172.16.16.1", -1 },
		{ "172.17.0.1", -1 },
		{ "2001:db8:1:2::99", 4 }, { "2001:db8:1:2:a:b:c:d", 4 },
		{ "2001:db8:1:3::1", -1 },
		{ "192.0.2.1", -1 }, { "192.0.2.2", -1 },
	};
	static const char *const shown[] = {
		"1.2.3.4", "2001:db8::1", "10.20.30.0/24", "172.16.0.0/20",
		"2001:db8:1:2::/64",
	};
	static const char *const ends[] = {
		"2027-01-15T09:00:00Z", "2027-01-15T10:00:00Z",
		"2027-01-15T08:10:00Z", "2027-01-15T08:15:00Z",
		"2027-01-15T08:20:00Z",
	};
	struct fw_ban	 b[7];
	struct fw_map	*m;
	struct lab	 l;
	char		 got[512], want[512], path[128];
	size_t		 t, i;
	int		 st;

	(void)state;
	b[0] = ban("1.2.3.4", NOW + 3600, "five-fifty");
	b[1] = ban("2001:db8::1", NOW + 7200, "dictionary");
	b[2] = ban("10.20.30.0/24", NOW + 600, "prefix");
	b[3] = ban("172.16.0.0/20", NOW + 900, "relay");
	b[4] = ban("2001:db8:1:2::/64", NOW + 1200, "v6-prefix");
	b[5] = ban("192.0.2.1", NOW - 1, "expired");
	b[6] = ban("192.0.2.2", NOW, "ends-now");
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		lab_open(&l);
		m = open_map(&l, types[t], "", NULL);
		snprintf(path, sizeof(path), "%s/map", l.dir);
		assert_string_equal(map_file(m), path);
		assert_int_equal(map_indexed(m), suffixes[t] != NULL);
		write_ok(m, b, 7, NOW);
		expect_listing(&l, (int)t);
		/* /20: 16 keys; cidr: one line a ban */
		assert_int_equal(entries(path), strcmp(types[t], "cidr") == 0 ?
		    5 : 20);
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			st = lookup(&l, types[t], path, cases[i].addr, got,
			    sizeof(got));
			if (cases[i].ban == -1) {
				if (st != 1)
					fail_msg("%s: %s is answered: %s",
					    types[t], cases[i].addr, got);
				continue;
			}
			if (st != 0)
				fail_msg("%s: %s is not found", types[t],
				    cases[i].addr);
			snprintf(want, sizeof(want), DEFAULT_REPLY,
			    shown[cases[i].ban], b[cases[i].ban].reason,
			    ends[cases[i].ban]);
			assert_string_equal(got, want);
		}
		map_free(m);
		lab_close(&l);
	}
}

/* test_map_text - the map's text byte for byte, whatever the order of
 * the bans */
static void
test_map_text(void **state)
{
	static const char hash_text[] =
	    "1.2.0 554 5.7.1 [1.2.0.0/22] d until 2027-01-15T08:03:00Z $5\n"
	    "1.2.1 554 5.7.1 [1.2.0.0/22] d until 2027-01-15T08:03:00Z $5\n"
	    "1.2.2 554 5.7.1 [1.2.0.0/22] d until 2027-01-15T08:03:00Z $5\n"
	    "1.2.3 554 5.7.1 [1.2.0.0/22] d until 2027-01-15T08:03:00Z $5\n"
	    "1.2.3.4 554 5.7.1 [1.2.3.4] b until 2027-01-15T08:02:00Z $5\n"
	    "2001:db8:1:2 554 5.7.1 [2001:db8:1:2::/64] f until "
	    "2027-01-15T08:01:00Z $5\n"
	    "2001:db8::1 554 5.7.1 [2001:db8::1] e until "
	    "2027-01-15T08:01:00Z $5\n";
	static const char cidr_text[] =
	    "1.2.3.4 554 5.7.1 [1.2.3.4] b until 2027-01-15T08:02:00Z $5\n"
	    "1.2.3.0/24 554 5.7.1 [1.2.3.0/24] c until 2027-01-15T08:01:00Z "
	    "$5\n"
	    "1.2.0.0/22 554 5.7.1 [1.2.0.0/22] d until 2027-01-15T08:03:00Z "
	    "$5\n"
	    "2001:db8::1 554 5.7.1 [2001:db8::1] e until "
	    "2027-01-15T08:01:00Z $5\n"
	    "2001:db8:1:2::/64 554 5.7.1 [2001:db8:1:2::/64] f until "
	    "2027-01-15T08:01:00Z $5\n";
	static const char *const which[] = { "hash", "texthash", "cidr" };
	struct fw_ban	 b[6], r[6];
	struct fw_map	*m;
	struct lab	 l;
	char		 path[128], got[256], *text, *body, *first;
	size_t		 len, i, w, flen;

	(void)state;
	b[0] = ban("1.2.3.4", NOW + 60, "a");
	b[1] = ban("1.2.3.4", NOW + 120, "b");
	b[2] = ban("1.2.3.0/24", NOW + 60, "c");
	b[3] = ban("1.2.0.0/22", NOW + 180, "d");
	b[4] = ban("2001:db8::1", NOW + 60, "e");
	b[5] = ban("2001:db8:1:2::/64", NOW + 60, "f");
	for (i = 0; i < 6; i++)
		r[i] = b[5 - i];
	for (w = 0; w < 3; w++) {
		lab_open(&l);
		snprintf(path, sizeof(path), "%s/map", l.dir);
		m = open_map(&l, which[w], "[$address] ${reason} until $until "
		    "$$5", NULL);
		write_ok(m, b, 6, NOW);
		assert_non_null(text = read_file(path, &len));
		/* A comment first, then the entries. */
		assert_int_equal(text[0], '#');
		assert_non_null(body = strchr(text, '\n'));
		body++;
		assert_string_equal(body, w == 2 ? cidr_text : hash_text);
		flen = len;
		first = text;
		/* The bans in the other order: the same bytes. */
		write_ok(m, r, 6, NOW);
		assert_non_null(text = read_file(path, &len));
		assert_int_equal(len, flen);
		assert_memory_equal(text, first, len);
		free(text);
		free(first);
		/* First match in a cidr table: the most specific ban. */
		assert_int_equal(lookup(&l, which[w], path, "1.2.3.4", got,
		    sizeof(got)), 0);
		assert_non_null(strstr(got, "[1.2.3.4] b until"));
		assert_int_equal(lookup(&l, which[w], path, "1.2.3.5", got,
		    sizeof(got)), 0);
		assert_non_null(strstr(got, w == 2 ? "[1.2.3.0/24] c" :
		    "[1.2.0.0/22] d"));
		assert_int_equal(lookup(&l, which[w], path, "1.2.1.200", got,
		    sizeof(got)), 0);
		assert_non_null(strstr(got, "[1.2.0.0/22] d"));
		map_free(m);
		lab_close(&l);
	}
}

/* snap - the bytes of a file, which must exist */
static char *
snap(const char *path, size_t *len)
{
	char	*p = read_file(path, len);

	if (p == NULL)
		fail_msg("%s is missing", path);
	return (p);
}

/* same_file - the file still has exactly these bytes */
static void
same_file(const char *path, const char *bytes, size_t len)
{
	char	*p;
	size_t	 n;

	p = snap(path, &n);
	assert_int_equal(n, len);
	assert_memory_equal(p, bytes, len);
	free(p);
}

/* test_map_postmap_fails - a failing postmap leaves the old map as it
 * was and no temporary file */
static void
test_map_postmap_fails(void **state)
{
	static const struct {
		const char *postmap;	/* NULL: the real one */
		const char *confdir;	/* NULL: the lab's */
		const char *expect[2];	/* in the message */
	} cases[] = {
		{ "/bin/false", NULL,
		    { "exited with status 1", "postmap hash:" } },
		{ "/nonexistent/postmap", NULL,	/* said plainly */
		    { "Postfix is not installed here (no postmap at "
		    "/nonexistent/postmap", "access_map = (empty)" } },
		{ NULL, "/nocf",	/* under the lab: no main.cf */
		    { "Postfix is installed but has no main.cf in ",
		    "/nocf (postfix_config_directory)" } },
	};
	struct fw_ban	 b[2], nb[1];
	struct fw_map	*m;
	struct lab	 l;
	char		 path[128], db[128], spec[160], conf[160];
	char		 err[512], before[1024], after[1024];
	char		*src, *dbb;
	size_t		 srclen, dblen, i;

	(void)state;
	lab_open(&l);
	snprintf(path, sizeof(path), "%s/map", l.dir);
	snprintf(db, sizeof(db), "%s/map.db", l.dir);
	snprintf(spec, sizeof(spec), "hash:%s", path);
	b[0] = ban("1.2.3.4", NOW + 3600, "five-fifty");
	b[1] = ban("2001:db8::1", NOW + 3600, "dictionary");
	nb[0] = ban("5.6.7.8", NOW + 3600, "new");
	m = open_map(&l, "hash", "", NULL);
	write_ok(m, b, 2, NOW);
	map_free(m);
	src = snap(path, &srclen);
	dbb = snap(db, &dblen);
	listing(l.dir, before, sizeof(before));
	assert_string_equal(before, "cf map map.db");

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_non_null(m = map_open(spec, "", cases[i].postmap, err,
		    sizeof(err)));
		if (cases[i].confdir != NULL) {
			snprintf(conf, sizeof(conf), "%s%s", l.dir,
			    cases[i].confdir);
			assert_int_equal(mkdir(conf, 0755), 0);
			assert_int_equal(map_config_dir(m, conf), 0);
		} else
			assert_int_equal(map_config_dir(m, l.cf), 0);
		assert_int_equal(map_write(m, nb, 1, NOW, err, sizeof(err)),
		    -1);
		if (strstr(err, cases[i].expect[0]) == NULL ||
		    strstr(err, cases[i].expect[1]) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\" or \"%s\"", i,
			    err, cases[i].expect[0], cases[i].expect[1]);
		map_free(m);
		if (cases[i].confdir != NULL)
			assert_int_equal(rmdir(conf), 0);
		same_file(path, src, srclen);
		same_file(db, dbb, dblen);
		listing(l.dir, after, sizeof(after));
		assert_string_equal(after, before);
		/* The old map still answers, the new ban does not. */
		assert_int_equal(lookup(&l, "hash", path, "1.2.3.4", err,
		    sizeof(err)), 0);
		assert_int_equal(lookup(&l, "hash", path, "5.6.7.8", err,
		    sizeof(err)), 1);
	}

	/* A directory that is not there: -1, saying which and what to do. */
	snprintf(spec, sizeof(spec), "cidr:%s/missing/map", l.dir);
	assert_non_null(m = map_open(spec, "", NULL, err, sizeof(err)));
	assert_int_equal(map_write(m, nb, 1, NOW, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "map directory "));
	assert_non_null(strstr(err, "/missing does not exist: create it"));
	assert_non_null(strstr(err, "access_map = (empty)"));
	map_free(m);
	listing(l.dir, after, sizeof(after));
	assert_string_equal(after, before);
	free(src);
	free(dbb);
	lab_close(&l);
}

static struct fw	*backoff_fw;	/* freed by the teardown */

/* backoff_free - teardown: the enforcer freed, the directories removed */
static int
backoff_free(void **state)
{
	fw_free(backoff_fw);
	backoff_fw = NULL;
	return (lab_dirs_remove(state));
}

/* test_map_backoff - the enforcer's map rewrite with postmap missing:
 * tried again after 1, 2, 4 ... s, up to 30 s apart, and status says
 * since when and why */
static void
test_map_backoff(void **state)
{
	static const long long want[] = { 1, 3, 7, 15, 31, 61, 91 };
	struct fw_conf	 c;
	struct fw_ban	 b;
	struct fw	*f;
	struct lab	 l;
	long long	 now = time(NULL), t;
	unsigned long long before;
	char		 err[512], buf[1024];
	const char	*st;
	size_t		 k = 0;

	(void)state;
	lab_open(&l);
	fw_conf_defaults(&c);
	c.mode = FW_OFF;
	snprintf(c.map, sizeof(c.map), "hash:%s/map", l.dir);
	snprintf(c.postmap, sizeof(c.postmap), "/nonexistent/postmap");
	snprintf(c.postfix_dir, sizeof(c.postfix_dir), "%s", l.cf);
	if ((backoff_fw = f = fw_new(&c, err, sizeof(err))) == NULL)
		fail_msg("fw_new: %s", err);
	b = ban("192.0.2.31", now + 3600, "five-fifty");
	assert_int_equal(fw_ban(f, &b), 0);
	assert_int_equal(fw_flush(f, now), -1);
	assert_int_equal(fw_stats(f)->map_errors, 1);
	st = fw_map_status(f, buf, sizeof(buf));
	if (strncmp(st, "failing since ", 14) != 0 || strstr(st,
	    "Postfix is not installed here (no postmap at "
	    "/nonexistent/postmap") == NULL)
		fail_msg("map status \"%s\"", st);
	for (t = now + 1; t <= now + 95; t++) {
		before = fw_stats(f)->map_errors;
		(void)fw_flush(f, t);
		if (fw_stats(f)->map_errors == before)
			continue;
		if (k == sizeof(want) / sizeof(want[0]) || t != now + want[k])
			fail_msg("a rewrite at +%lld s (expected +%lld)",
			    t - now, k < sizeof(want) / sizeof(want[0]) ?
			    want[k] : -1);
		k++;
	}
	assert_int_equal(k, sizeof(want) / sizeof(want[0]));
	assert_int_equal(fw_deadline(f), now + 121);
	lab_close(&l);
}

/* test_map_hostile_reason - whatever the reason holds, one printable
 * line a key, and nothing of it but [A-Za-z0-9 ._-] */
static void
test_map_hostile_reason(void **state)
{
	static const char evil[] = "x\ny\r<script>$until\xc3\xa9\x01 \x7f";
	static const char *const which[] = { "hash", "texthash", "cidr" };
	struct fw_ban	 b[2];
	struct fw_map	*m;
	struct lab	 l;
	char		 path[128], got[512], want[512], a63[64];
	size_t		 w;

	(void)state;
	b[0] = ban("1.2.3.4", NOW + 3600, "");
	memcpy(b[0].reason, evil, sizeof(evil));
	b[1] = ban("5.6.7.8", NOW + 3600, "");
	memset(b[1].reason, 'A', sizeof(b[1].reason));	/* no NUL */
	memset(a63, 'A', 63);
	a63[63] = '\0';
	for (w = 0; w < 3; w++) {
		lab_open(&l);
		snprintf(path, sizeof(path), "%s/map", l.dir);
		m = open_map(&l, which[w], "", NULL);
		write_ok(m, b, 2, NOW);
		assert_int_equal(entries(path), 2);
		assert_int_equal(lookup(&l, which[w], path, "1.2.3.4", got,
		    sizeof(got)), 0);
		snprintf(want, sizeof(want), DEFAULT_REPLY, "1.2.3.4",
		    "x_y_script_until_ _", "2027-01-15T09:00:00Z");
		assert_string_equal(got, want);
		assert_int_equal(lookup(&l, which[w], path, "5.6.7.8", got,
		    sizeof(got)), 0);
		snprintf(want, sizeof(want), DEFAULT_REPLY, "5.6.7.8", a63,
		    "2027-01-15T09:00:00Z");
		assert_string_equal(got, want);
		map_free(m);
		lab_close(&l);
	}
}

/* test_map_expiry - bans drop out on rewrite; no bans: an empty map
 * that postmap reads */
static void
test_map_expiry(void **state)
{
	struct fw_ban	 b[2];
	struct fw_map	*m;
	struct lab	 l;
	char		 path[128], got[512];
	size_t		 t;

	(void)state;
	b[0] = ban("1.2.3.4", NOW + 10, "short");
	b[1] = ban("2001:db8::5", NOW + 1000, "long");
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		lab_open(&l);
		snprintf(path, sizeof(path), "%s/map", l.dir);
		m = open_map(&l, types[t], "$reason", NULL);
		write_ok(m, b, 2, NOW);
		assert_int_equal(entries(path), 2);
		assert_int_equal(lookup(&l, types[t], path, "1.2.3.4", got,
		    sizeof(got)), 0);
		assert_string_equal(got, "554 5.7.1 short\n");
		write_ok(m, b, 2, NOW + 20);
		assert_int_equal(entries(path), 1);
		assert_int_equal(lookup(&l, types[t], path, "1.2.3.4", got,
		    sizeof(got)), 1);
		assert_int_equal(lookup(&l, types[t], path, "2001:db8::5", got,
		    sizeof(got)), 0);
		assert_string_equal(got, "554 5.7.1 long\n");
		/* Everything expired, then no bans at all. */
		write_ok(m, b, 2, NOW + 1000);
		assert_int_equal(entries(path), 0);
		write_ok(m, NULL, 0, NOW);
		assert_int_equal(entries(path), 0);
		expect_listing(&l, (int)t);	/* the database too */
		assert_int_equal(lookup(&l, types[t], path, "2001:db8::5", got,
		    sizeof(got)), 1);
		assert_int_equal(lookup(&l, types[t], path, "1.2.3.4", got,
		    sizeof(got)), 1);
		map_free(m);
		lab_close(&l);
	}
}

/* keys_of - map_keys() of a network in text form, room for 300 keys */
static size_t
keys_of(const char *text, int cidr, char (*keys)[MAP_KEY_MAX], size_t max)
{
	struct net_prefix n;

	assert_int_equal(net_parse(text, &n), 0);
	return (map_keys(&n, cidr, keys, max));
}

/* test_map_keys - the keys check_client_access looks up, and cidr's */
static void
test_map_keys(void **state)
{
	static const struct {
		const char *net;
		int	 cidr;
		size_t	 n;
		const char *first, *last;
	} cases[] = {
		{ "1.2.3.4", 0, 1, "1.2.3.4", "1.2.3.4" },
		{ "1.2.3.0/24", 0, 1, "1.2.3", "1.2.3" },
		{ "1.2.0.0/16", 0, 1, "1.2", "1.2" },
		{ "10.0.0.0/8", 0, 1, "10", "10" },
		{ "10.0.0.0/7", 0, 2, "10", "11" },
		{ "1.2.0.0/20", 0, 16, "1.2.0", "1.2.15" },
		{ "1.2.3.64/26", 0, 64, "1.2.3.64", "1.2.3.127" },
		{ "1.2.3.0/31", 0, 2, "1.2.3.0", "1.2.3.1" },
		{ "0.0.0.0/0", 0, 256, "0", "255" },
		{ "2001:db8::1", 0, 1, "2001:db8::1", "2001:db8::1" },
		{ "2001:DB8:0:0:0:0:0:1", 0, 1, "2001:db8::1", "2001:db8::1" },
		{ "2001:db8:1:2::/64", 0, 1, "2001:db8:1:2", "2001:db8:1:2" },
		{ "2001:db8:1:20::/60", 0, 16, "2001:db8:1:20",
		    "2001:db8:1:2f" },
		{ "2001:db8:abcd::/48", 0, 1, "2001:db8:abcd",
		    "2001:db8:abcd" },
		{ "2001:db8::/64", 0, 1, "2001:db8:0:0", "2001:db8:0:0" },
		{ "1.2.3.4", 1, 1, "1.2.3.4", "1.2.3.4" },
		{ "1.2.3.0/24", 1, 1, "1.2.3.0/24", "1.2.3.0/24" },
		{ "1.2.0.0/20", 1, 1, "1.2.0.0/20", "1.2.0.0/20" },
		{ "2001:db8::1", 1, 1, "2001:db8::1", "2001:db8::1" },
		{ "2001:db8:1:2::/64", 1, 1, "2001:db8:1:2::/64",
		    "2001:db8:1:2::/64" },
	};
	char		 keys[300][MAP_KEY_MAX];
	struct net_prefix n;
	size_t		 i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(keys, 0, sizeof(keys));
		k = keys_of(cases[i].net, cases[i].cidr, keys, 300);
		if (k != cases[i].n)
			fail_msg("%s: %zu keys, not %zu", cases[i].net, k,
			    cases[i].n);
		assert_string_equal(keys[0], cases[i].first);
		assert_string_equal(keys[k - 1], cases[i].last);
		assert_string_equal(keys[k], "");
	}
	/* Every key of a /20, in order. */
	keys_of("1.2.0.0/20", 0, keys, 300);
	for (i = 0; i < 16; i++) {
		char want[16];
		snprintf(want, sizeof(want), "1.2.%zu", i);
		assert_string_equal(keys[i], want);
	}
	/* At most max written; the count is what it takes. */
	memset(keys, 0, sizeof(keys));
	assert_int_equal(keys_of("1.2.0.0/20", 0, keys, 4), 16);
	assert_string_equal(keys[3], "1.2.3");
	assert_string_equal(keys[4], "");
	assert_int_equal(keys_of("2001:db8::/33", 0, NULL, 0), 32768);
	/* Host bits set: the network they are in. */
	memset(&n, 0, sizeof(n));
	n.family = 4;
	n.len = 24;
	memcpy(n.addr, "\x01\x02\x03\x4d", 4);
	assert_int_equal(map_keys(&n, 0, keys, 300), 1);
	assert_string_equal(keys[0], "1.2.3");
	assert_int_equal(map_keys(&n, 1, keys, 300), 1);
	assert_string_equal(keys[0], "1.2.3.0/24");
	/* Nothing for what is not a network. */
	n.family = 5;
	assert_int_equal(map_keys(&n, 0, keys, 300), 0);
	n.family = 4;
	n.len = 33;
	assert_int_equal(map_keys(&n, 0, keys, 300), 0);
}

/* test_map_open_errors - what map_open() refuses, and why */
static void
test_map_open_errors(void **state)
{
	static const struct {
		const char *spec, *text, *postmap;
		const char *expect;	/* in the message */
	} cases[] = {
		{ "foo:/tmp/x", "", NULL,
		    "access_map: unknown type \"foo\" (expected hash, lmdb, "
		    "cdb, btree, texthash or cidr)" },
		{ "/tmp/x", "", NULL, "is not TYPE:PATH" },
		{ ":/tmp/x", "", NULL, "is not TYPE:PATH" },
		{ "hash:tmp/x", "", NULL, "the path must be absolute" },
		{ "cidr:", "", NULL, "the path must be absolute" },
		{ "hash:/tmp/x y", "", NULL, "without spaces" },
		{ "hash:/tmp/", "", NULL, "must name a file" },
		{ "hash:/tmp/x.db", "", NULL, "without \".db\"" },
		{ "lmdb:/tmp/x.lmdb", "", NULL, "without \".lmdb\"" },
		{ "hash:/tmp/x", "bad\tbyte", NULL, "control character 0x09" },
		{ "hash:/tmp/x", "bad\nline", NULL, "control character 0x0a" },
		{ "hash:/tmp/x", "caf\xc3\xa9", NULL,
		    "non-ASCII character 0xc3" },
		{ "hash:/tmp/x", "costs $5", NULL,
		    "unknown variable \"$5\"" },
		{ "hash:/tmp/x", "$addr", NULL, "unknown variable \"$addr\"" },
		{ "hash:/tmp/x", "${until", NULL,
		    "unknown variable \"${until\"" },
		{ "hash:/tmp/x", "end $", NULL, "unknown variable \"$\"" },
		{ "hash:/tmp/x", "$reason$reason$reason$reason$reason$reason"
		    "$reason", NULL, "can grow past 400 bytes" },
		{ "hash:/tmp/x", "", "postmap", "is not an absolute path" },
	};
	char		 err[512], longtext[256];
	struct fw_map	*m;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(err, sizeof(err), "untouched");
		m = map_open(cases[i].spec, cases[i].text, cases[i].postmap,
		    err, sizeof(err));
		if (m != NULL)
			fail_msg("map_open(%s, %s) worked", cases[i].spec,
			    cases[i].text);
		if (strstr(err, cases[i].expect) == NULL)
			fail_msg("map_open(%s, %s): \"%s\" lacks \"%s\"",
			    cases[i].spec, cases[i].text, err, cases[i].expect);
	}
	memset(longtext, 'a', 201);
	longtext[201] = '\0';
	assert_null(map_open("hash:/tmp/x", longtext, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "too long (201 bytes, at most 200)"));
	longtext[200] = '\0';
	assert_non_null(m = map_open("hash:/tmp/x", longtext, NULL, err,
	    sizeof(err)));
	assert_int_equal(map_config_dir(m, "relative"), -1);
	assert_int_equal(map_config_dir(m, "/etc/postfix"), 0);
	assert_int_equal(map_config_dir(m, NULL), 0);
	map_free(m);
	/* What is accepted: every type, ${name}, $$. */
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char spec[64];
		snprintf(spec, sizeof(spec), "%s:/var/lib/x", types[i]);
		assert_non_null(m = map_open(spec, "${address}: $$ ${reason}",
		    "/usr/sbin/postmap", err, sizeof(err)));
		assert_string_equal(map_file(m), "/var/lib/x");
		assert_int_equal(map_indexed(m), suffixes[i] != NULL);
		map_free(m);
	}
}

const struct CMUnitTest map_tests[] = {
	cmocka_unit_test_teardown(test_map_types, lab_dirs_remove),
	cmocka_unit_test_teardown(test_map_text, lab_dirs_remove),
	cmocka_unit_test_teardown(test_map_postmap_fails, lab_dirs_remove),
	cmocka_unit_test_teardown(test_map_backoff, backoff_free),
	cmocka_unit_test_teardown(test_map_hostile_reason, lab_dirs_remove),
	cmocka_unit_test_teardown(test_map_expiry, lab_dirs_remove),
	cmocka_unit_test_teardown(test_map_stale, lab_dirs_remove),
	cmocka_unit_test(test_map_keys),
	cmocka_unit_test(test_map_open_errors),
};
const size_t map_tests_count = sizeof(map_tests) / sizeof(map_tests[0]);

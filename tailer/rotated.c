/*	$fivefifty: rotated.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	rotated 3 - fingerprints, and the rotated copies of a followed file
 *	in the order they were written
 * SYNOPSIS
 *	See tail_int.h.
 * DESCRIPTION
 *	tail_fingerprint() hashes (FNV-1a, 64 bits) the first len bytes of
 *	fd, -1 when it is shorter; tail_same_content() says whether fd
 *	starts with the bytes a fingerprint was taken on (always, for none).
 *	tail_open_path() opens a regular file for reading (a FIFO or a
 *	directory in its place is refused, so that nothing can block the
 *	loop). tail_gz_matches() opens a gzip'd fd (a dup of it) when its
 *	uncompressed start has the fingerprint; tail_gz_fingerprint() takes
 *	that fingerprint of an open gzFile and rewinds it.
 *
 *	A rotated copy of BASE is a name BASE.SUFFIX or BASE-SUFFIX in the
 *	same directory, gzip'd when it ends in .gz (other compressors are
 *	not read). Their order: numbered copies (BASE.1, BASE.2.gz:
 *	logrotate) are newer the smaller the number; other suffixes (dates:
 *	logrotate's dateext, postfix logrotate's %Y%m%d-%H%M%S) are newer
 *	the greater their text (digits, '-' and '_' only). Between a
 *	numbered and a dated copy (the naming was changed some day) the
 *	later modification time is newer. Other names (BASE.old, BASE.bak)
 *	are copies rot_find() may recognise, but have no place in the order.
 *
 *	rot_find() opens the rotated copy that is the file self describes:
 *	by fingerprint when self has one (whatever its inode: a renamed file
 *	keeps it, a copy or a gzip'd file has a new one), else by inode
 *	among the plain copies. rot_next() finds self among the copies (by
 *	inode, then by fingerprint) and opens the copy that came right after
 *	it; *newest tells that no copy came after that one. Both return the
 *	descriptor, with *gz set for a gzip'd copy (a gzFile owning a dup of
 *	it), or -1 when there is none. That is how a reader that was away
 *	during several rotations finishes every file in order instead of
 *	jumping from the first to the current one.
 * SECURITY
 *	Directory entries are only compared and opened for reading; file
 *	contents are hashed, never interpreted.
 * DIAGNOSTICS
 *	None: a copy that cannot be opened or read is not a candidate.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "tailer.h"
#include "tail_int.h"

#define ROT_MAX		4096	/* copies considered in one directory */
#define ROT_NUMBERED	5	/* digits in logrotate's numbers, at most */

enum { ROT_NO, ROT_PLAIN, ROT_GZIP };

struct rot_entry {
	char		 name[NAME_MAX + 1];
	int		 kind;		/* ROT_PLAIN or ROT_GZIP */
	int		 numbered;
	int		 ordered;	/* a number or a date */
	unsigned long	 number;
	size_t		 keylen;	/* suffix without .gz, for dated ones */
	unsigned long long dev, ino;
	struct timespec	 mtime;
};

/* tail_fnv - FNV-1a, 64 bits */
unsigned long long
tail_fnv(const unsigned char *p, size_t n, unsigned long long h)
{
	while (n-- > 0)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return (h);
}

/* tail_fingerprint - hash of the first len bytes of fd; -1 if shorter */
int
tail_fingerprint(int fd, unsigned len, unsigned long long *fp)
{
	unsigned char	buf[TAIL_FP_MAX];
	ssize_t		n;

	if (len > sizeof(buf))
		len = sizeof(buf);
	if ((n = pread(fd, buf, len, 0)) != (ssize_t)len)
		return (-1);
	*fp = tail_fnv(buf, len, TAIL_FNV_SEED);
	return (0);
}

/* tail_same_content - does fd start with the bytes of a fingerprint */
int
tail_same_content(int fd, unsigned fp_len, unsigned long long fp)
{
	unsigned long long now;

	if (fp_len == 0)
		return (1);
	return (tail_fingerprint(fd, fp_len, &now) == 0 && now == fp);
}

/* tail_open_path - open a regular file for reading, never blocking */
int
tail_open_path(const char *path)
{
	struct stat	sb;
	int		fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd == -1)
		return (-1);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return (-1);
	}
	(void)fcntl(fd, F_SETFL, 0);
	return (fd);
}

/* tail_gz_matches - the gzip'd fd, opened, if its start has fingerprint
 * fp; NULL otherwise */
gzFile
tail_gz_matches(int fd, unsigned fp_len, unsigned long long fp)
{
	unsigned char	buf[TAIL_FP_MAX];
	gzFile		gz;
	int		dfd;

	if (fp_len > sizeof(buf) || (dfd = dup(fd)) == -1)
		return (NULL);
	if ((gz = gzdopen(dfd, "rb")) == NULL) {
		close(dfd);
		return (NULL);
	}
	if (gzread(gz, buf, fp_len) == (int)fp_len &&
	    tail_fnv(buf, fp_len, TAIL_FNV_SEED) == fp && gzrewind(gz) == 0)
		return (gz);
	gzclose(gz);
	return (NULL);
}

/* tail_gz_fingerprint - the fingerprint of a gzip'd file's start */
int
tail_gz_fingerprint(gzFile gz, unsigned *fp_len, unsigned long long *fp)
{
	unsigned char	buf[TAIL_FP_MAX];
	int		n;

	if ((n = gzread(gz, buf, sizeof(buf))) < 0 || gzrewind(gz) != 0)
		return (-1);
	*fp_len = (unsigned)n;
	*fp = tail_fnv(buf, (size_t)n, TAIL_FNV_SEED);
	return (0);
}

/* rot_kind - is name a rotated copy of base: ROT_NO, ROT_PLAIN, ROT_GZIP;
 * fills e's order (number or text) when it is */
static int
rot_kind(const char *name, const char *base, struct rot_entry *e)
{
	static const char *const packed[] = { ".bz2", ".xz", ".zst", ".lz4",
	    ".Z", NULL };
	const char	*suf;
	size_t		 n = strlen(base), l = strlen(name), p, i;
	int		 kind = ROT_PLAIN;

	if (strncmp(name, base, n) != 0 || (name[n] != '.' && name[n] != '-') ||
	    l == n + 1)
		return (ROT_NO);
	for (i = 0; packed[i] != NULL; i++) {
		p = strlen(packed[i]);
		if (l > p && strcmp(name + l - p, packed[i]) == 0)
			return (ROT_NO);	/* a compressor zlib cannot read */
	}
	if (l > 3 && strcmp(name + l - 3, ".gz") == 0) {
		kind = ROT_GZIP;
		l -= 3;
	}
	if (l <= n + 1)
		return (ROT_NO);	/* BASE.gz: the file itself, gzip'd */
	if (e != NULL) {
		suf = name + n + 1;
		e->keylen = l - n - 1;
		e->numbered = e->keylen <= ROT_NUMBERED &&
		    strspn(suf, "0123456789") == e->keylen;
		e->number = e->numbered ? strtoul(suf, NULL, 10) : 0;
		/* Only numbers and dates have an order; BASE.old or
		 * BASE.offset may be found by fingerprint, never as the
		 * copy that came next. */
		e->ordered = strspn(suf, "0123456789-_") == e->keylen &&
		    strcspn(suf, "0123456789") < e->keylen;
	}
	return (kind);
}

/* rot_newer - does a come after b */
static int
rot_newer(const struct rot_entry *a, const struct rot_entry *b,
    size_t baselen)
{
	size_t		 l;
	int		 c;

	if (a == b)
		return (0);
	if (a->numbered != b->numbered) {
		if (a->mtime.tv_sec != b->mtime.tv_sec)
			return (a->mtime.tv_sec > b->mtime.tv_sec);
		if (a->mtime.tv_nsec != b->mtime.tv_nsec)
			return (a->mtime.tv_nsec > b->mtime.tv_nsec);
		return (a->numbered);
	}
	if (a->numbered)
		return (a->number < b->number);
	l = a->keylen < b->keylen ? a->keylen : b->keylen;
	c = memcmp(a->name + baselen + 1, b->name + baselen + 1, l);
	return (c > 0 || (c == 0 && a->keylen > b->keylen));
}

/* rot_list - the rotated copies of base in dir; their number, -1 */
static int
rot_list(const char *dir, const char *base, struct rot_entry **out)
{
	struct rot_entry *v = NULL, *nv;
	struct dirent	*de;
	struct stat	 sb;
	char		 path[PATH_MAX];
	size_t		 cap = 0;
	int		 n = 0, kind;
	DIR		*d;

	*out = NULL;
	if ((d = opendir(dir)) == NULL)
		return (-1);
	while (n < ROT_MAX && (de = readdir(d)) != NULL) {
		struct rot_entry e;

		if ((kind = rot_kind(de->d_name, base, &e)) == ROT_NO)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || stat(path, &sb) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if ((size_t)n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		snprintf(e.name, sizeof(e.name), "%s", de->d_name);
		e.kind = kind;
		e.dev = (unsigned long long)sb.st_dev;
		e.ino = (unsigned long long)sb.st_ino;
		e.mtime = sb.st_mtim;
		v[n++] = e;
	}
	closedir(d);
	*out = v;
	return (n);
}

/* rot_open - open entry e of dir; is it self (by content when asked) */
static int
rot_open(const char *dir, const struct rot_entry *e,
    const struct rot_self *self, gzFile *gz)
{
	char		path[PATH_MAX];
	int		fd;

	*gz = NULL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, e->name) >=
	    (int)sizeof(path) || (fd = tail_open_path(path)) == -1)
		return (-1);
	if (self == NULL) {
		int dfd = -1;

		if (e->kind == ROT_GZIP && ((dfd = dup(fd)) == -1 ||
		    (*gz = gzdopen(dfd, "rb")) == NULL)) {
			if (dfd != -1)
				close(dfd);
			close(fd);
			return (-1);
		}
		return (fd);
	}
	if (e->kind == ROT_GZIP &&
	    (*gz = tail_gz_matches(fd, self->fp_len, self->fp)) != NULL)
		return (fd);
	if (e->kind == ROT_PLAIN &&
	    tail_same_content(fd, self->fp_len, self->fp))
		return (fd);
	close(fd);
	return (-1);
}

/* rot_self_at - index of self among v (inode first, then content) */
static int
rot_self_at(const char *dir, struct rot_entry *v, int n,
    const struct rot_self *self)
{
	gzFile		 gz;
	int		 i, fd;

	for (i = 0; self->ino != 0 && i < n; i++)
		if (v[i].kind == ROT_PLAIN && v[i].ino == self->ino &&
		    v[i].dev == self->dev)
			return (i);
	for (i = 0; self->fp_len > 0 && i < n; i++) {
		if ((fd = rot_open(dir, &v[i], self, &gz)) == -1)
			continue;
		if (gz != NULL)
			gzclose(gz);
		close(fd);
		return (i);
	}
	return (-1);
}

/* rot_find - open the rotated copy that is self (see DESCRIPTION) */
int
rot_find(const char *dir, const char *base, const struct rot_self *self,
    gzFile *gz)
{
	struct rot_entry *v;
	int		 n, i, fd = -1;

	*gz = NULL;
	if ((n = rot_list(dir, base, &v)) <= 0) {
		free(v);
		return (-1);
	}
	for (i = 0; fd == -1 && i < n; i++) {
		if (self->fp_len > 0)
			fd = rot_open(dir, &v[i], self, gz);
		else if (self->ino != 0 && v[i].kind == ROT_PLAIN &&
		    v[i].ino == self->ino && v[i].dev == self->dev)
			fd = rot_open(dir, &v[i], NULL, gz);
	}
	free(v);
	return (fd);
}

/* rot_next - open the rotated copy that came right after self */
int
rot_next(const char *dir, const char *base, const struct rot_self *self,
    gzFile *gz, int *newest)
{
	struct rot_entry *v;
	size_t		 bl = strlen(base);
	int		 n, i, me, next = -1, fd = -1;

	*gz = NULL;
	*newest = 1;
	if ((n = rot_list(dir, base, &v)) <= 0) {
		free(v);
		return (-1);
	}
	if ((me = rot_self_at(dir, v, n, self)) != -1 && v[me].ordered) {
		for (i = 0; i < n; i++)
			if (v[i].ordered && rot_newer(&v[i], &v[me], bl) &&
			    (next == -1 || rot_newer(&v[next], &v[i], bl)))
				next = i;
	}
	if (next != -1) {
		fd = rot_open(dir, &v[next], NULL, gz);
		for (i = 0; i < n; i++)
			if (v[i].ordered && rot_newer(&v[i], &v[next], bl))
				*newest = 0;
	}
	free(v);
	return (fd);
}

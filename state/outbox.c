/*	$fivefifty: outbox.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	outbox 3 - the batches PostgreSQL could not take yet, on disk
 * SYNOPSIS
 *	struct outbox *outbox_open(const char *dir, long long max, char *err,
 *		    size_t errlen);
 *	int	outbox_put(struct outbox *ob, const struct state_batch *b,
 *		    long long seq, char *why, size_t whylen);
 *	long long outbox_first(const struct outbox *ob);
 *	long long outbox_last(const struct outbox *ob);
 *	long long outbox_count(const struct outbox *ob);
 *	long long outbox_bytes(const struct outbox *ob);
 *	const char *outbox_dir(const struct outbox *ob);
 *	struct state_batch *outbox_get(struct outbox *ob, long long seq,
 *		    char *why, size_t whylen);
 *	void	outbox_done(struct outbox *ob, long long seq);
 *	void	outbox_close(struct outbox *ob);
 *	int	outbox_file_write(const char *path, const void *buf,
 *		    size_t len);
 *	unsigned char *outbox_file_read(const char *path, size_t *len);
 * DESCRIPTION
 *	While the daemon's PostgreSQL cannot be reached, the state's writer
 *	(queue.c) puts each batch here, in order, and takes them back in the
 *	same order once it is reachable again: each is stored in its own
 *	transaction, with its number (meta batch_seq), and removed from here
 *	once committed. The outbox is the directory DIR/outbox: one file
 *	per batch, named by its number (20 digits: names sort as numbers),
 *	written to a temporary name, synced, renamed into place and the
 *	directory synced, so that a kill -9 or a power loss leaves each
 *	batch whole or absent, never half.
 *
 *	outbox_open() makes DIR/outbox (0700) if it is missing, removes the
 *	temporary files a crash left, and lists the batches there; at most
 *	max bytes of batches are held. NULL with err naming the directory
 *	and what to do. outbox_put() writes b (batch_pack()) as number seq,
 *	after every batch there: 0, 1 when the outbox is full (nothing
 *	written: the caller keeps the batch and stops reading its logs), -1
 *	with why (a disk error). outbox_first() and outbox_last() are the
 *	oldest and the newest number (0: empty), outbox_count() and
 *	outbox_bytes() what it holds. outbox_get() reads batch seq back;
 *	NULL with why when it cannot be read (then it is set aside as
 *	NNN.bad and said: the writer goes on with the next one).
 *	outbox_done() removes batch seq, stored.
 *
 *	outbox_file_write() puts len bytes in a file at path as the outbox
 *	does (a temporary file synced, renamed, the directory synced): 0,
 *	or -1 with errno. outbox_file_read() is a whole file (at most 1 GiB,
 *	malloc()ed), or NULL with errno (the cache's file uses both).
 * SECURITY
 *	DIR is the daemon's own (state_directory, 0750 and its user's); the
 *	files are 0600, opened without following symbolic links.
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

#include "state_int.h"
#include "util/util.h"

struct ob_entry {
	long long	 seq;
	long long	 size;
};

struct outbox {
	char		 dir[PATH_MAX];
	long long	 max, bytes;
	struct ob_entry	*e;		/* oldest first */
	size_t		 n, cap, head;	/* e[head..n) are there */
};

/* name - the file of batch seq (tmp: its temporary name) */
static void
name(const struct outbox *ob, long long seq, const char *suffix, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s/%020lld%s", ob->dir, seq, suffix);
}

/* cmp_entry - qsort: by number */
static int
cmp_entry(const void *a, const void *b)
{
	const struct ob_entry *x = a, *y = b;

	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* add - one more entry at the end; -1 when memory runs out */
static int
add(struct outbox *ob, long long seq, long long size)
{
	struct ob_entry	*ne;
	size_t		 cap;

	if (ob->head > 0 && ob->head == ob->n)
		ob->head = ob->n = 0;
	if (ob->n == ob->cap) {
		cap = ob->cap == 0 ? 64 : ob->cap * 2;
		if ((ne = reallocarray(ob->e, cap, sizeof(*ne))) == NULL)
			return (-1);
		ob->e = ne;
		ob->cap = cap;
	}
	ob->e[ob->n].seq = seq;
	ob->e[ob->n++].size = size;
	ob->bytes += size;
	return (0);
}

/* scan - the batches there, oldest first; the temporary files of a
 * crash removed */
static int
scan(struct outbox *ob, char *err, size_t errlen)
{
	DIR		*dp;
	struct dirent	*de;
	struct stat	 sb;
	char		 path[PATH_MAX + 300], *end;
	long long	 seq;

	if ((dp = opendir(ob->dir)) == NULL) {
		snprintf(err, errlen, "outbox %s: %s", ob->dir,
		    strerror(errno));
		return (-1);
	}
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s", ob->dir, de->d_name);
		seq = strtoll(de->d_name, &end, 10);
		if (strcmp(end, ".tmp") == 0) {
			(void)unlink(path);	/* never renamed: not there */
			continue;
		}
		if (*end != '\0' || seq <= 0 || lstat(path, &sb) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		if (add(ob, seq, (long long)sb.st_size) == -1) {
			closedir(dp);
			snprintf(err, errlen, "outbox %s: out of memory",
			    ob->dir);
			return (-1);
		}
	}
	closedir(dp);
	if (ob->n > 1)
		qsort(ob->e, ob->n, sizeof(*ob->e), cmp_entry);
	return (0);
}

/* outbox_open - DIR/outbox, made when missing, and what it holds */
struct outbox *
outbox_open(const char *dir, long long max, char *err, size_t errlen)
{
	struct outbox	*ob;
	struct stat	 sb;

	if ((ob = calloc(1, sizeof(*ob))) == NULL) {
		snprintf(err, errlen, "outbox: out of memory");
		return (NULL);
	}
	ob->max = max;
	if ((size_t)snprintf(ob->dir, sizeof(ob->dir), "%s/outbox", dir) >=
	    sizeof(ob->dir)) {
		snprintf(err, errlen, "state_directory %s: too long", dir);
		free(ob);
		return (NULL);
	}
	if (mkdir(ob->dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "outbox %s: %s (check state_directory "
		    "and that the daemon's user may write it)", ob->dir,
		    strerror(errno));
		free(ob);
		return (NULL);
	}
	if (lstat(ob->dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "outbox %s: not a directory (move it "
		    "away)", ob->dir);
		free(ob);
		return (NULL);
	}
	if (scan(ob, err, errlen) == -1) {
		outbox_close(ob);
		return (NULL);
	}
	return (ob);
}

/* sync_dir - the directory's entries on disk */
static int
sync_dir(const char *dir)
{
	int	fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (-1);
	rc = fsync(fd);
	close(fd);
	return (rc);
}

/* write_all - the bytes to a new file, synced */
static int
write_all(const char *path, const unsigned char *p, size_t len)
{
	ssize_t		 w;
	int		 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		return (-1);
	while (len > 0) {
		if ((w = write(fd, p, len)) <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			if (w == 0)
				errno = ENOSPC;
			close(fd);
			return (-1);
		}
		p += w;
		len -= (size_t)w;
	}
	if (fdatasync(fd) == -1) {
		close(fd);
		return (-1);
	}
	return (close(fd));
}

/* outbox_file_write - a whole file, replaced atomically and synced */
int
outbox_file_write(const char *path, const void *buf, size_t len)
{
	char		 tmp[PATH_MAX + 8], dir[PATH_MAX], *slash;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (write_all(tmp, buf, len) == -1 || rename(tmp, path) == -1 ||
	    sync_dir(slash != NULL ? dir : ".") == -1) {
		(void)unlink(tmp);
		return (-1);
	}
	return (0);
}

/* outbox_file_read - a whole file (malloc()ed), or NULL */
unsigned char *
outbox_file_read(const char *path, size_t *len)
{
	struct stat	 sb;
	unsigned char	*buf;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (NULL);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size >
	    (1LL << 30) || (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		if (errno == 0)
			errno = EFBIG;
		close(fd);
		return (NULL);
	}
	while (got < (size_t)sb.st_size && (r = read(fd, buf + got,
	    (size_t)sb.st_size - got)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return (NULL);
		}
		got += (size_t)r;
	}
	close(fd);
	*len = got;
	return (buf);
}

/* outbox_put - batch seq on disk after the others; 0, 1 full, -1 */
int
outbox_put(struct outbox *ob, const struct state_batch *b, long long seq,
    char *why, size_t whylen)
{
	unsigned char	*buf;
	size_t		 len;
	char		 tmp[PATH_MAX + 32], path[PATH_MAX + 32];

	if (batch_pack(b, &buf, &len) == -1) {
		snprintf(why, whylen, "out of memory");
		return (-1);
	}
	/* One batch always fits, however large: the outbox is bounded, not
	 * the batch. */
	if (ob->bytes > 0 && ob->bytes + (long long)len > ob->max) {
		free(buf);
		return (1);
	}
	name(ob, seq, ".tmp", tmp, sizeof(tmp));
	name(ob, seq, "", path, sizeof(path));
	if (write_all(tmp, buf, len) == -1 || rename(tmp, path) == -1 ||
	    sync_dir(ob->dir) == -1) {
		snprintf(why, whylen, "outbox %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		free(buf);
		return (-1);
	}
	free(buf);
	if (add(ob, seq, (long long)len) == -1) {
		snprintf(why, whylen, "outbox %s: out of memory", ob->dir);
		return (-1);
	}
	return (0);
}

/* outbox_first - the oldest batch's number (0: empty) */
long long
outbox_first(const struct outbox *ob)
{
	return (ob->head < ob->n ? ob->e[ob->head].seq : 0);
}

/* outbox_last - the newest batch's number (0: empty) */
long long
outbox_last(const struct outbox *ob)
{
	return (ob->head < ob->n ? ob->e[ob->n - 1].seq : 0);
}

/* outbox_count - how many batches */
long long
outbox_count(const struct outbox *ob)
{
	return ((long long)(ob->n - ob->head));
}

/* outbox_bytes - how many bytes of batches */
long long
outbox_bytes(const struct outbox *ob)
{
	return (ob->bytes);
}

/* outbox_dir - its directory, for messages */
const char *
outbox_dir(const struct outbox *ob)
{
	return (ob->dir);
}

/* outbox_get - batch seq read back; NULL with why (set aside) */
struct state_batch *
outbox_get(struct outbox *ob, long long seq, char *why, size_t whylen)
{
	struct state_batch *b = NULL;
	char		 path[PATH_MAX + 32], bad[PATH_MAX + 32], r[128];
	size_t		 len;
	unsigned char	*buf;

	name(ob, seq, "", path, sizeof(path));
	if ((buf = outbox_file_read(path, &len)) == NULL)
		snprintf(r, sizeof(r), "%s", strerror(errno));
	else if ((b = batch_unpack(buf, len, r, sizeof(r))) != NULL) {
		free(buf);
		return (b);
	}
	free(buf);
	name(ob, seq, ".bad", bad, sizeof(bad));
	(void)rename(path, bad);
	snprintf(why, whylen, "outbox %s: cannot be read: %s; set aside as %s "
	    "(its changes are not in the state)", path, r, bad);
	return (NULL);
}

/* outbox_done - batch seq is stored (or set aside): gone from here */
void
outbox_done(struct outbox *ob, long long seq)
{
	char		 path[PATH_MAX + 32];

	if (ob->head >= ob->n || ob->e[ob->head].seq != seq)
		return;
	name(ob, seq, "", path, sizeof(path));
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("outbox %s: cannot remove it (it is skipped when "
		    "replayed: already stored)", path);
	ob->bytes -= ob->e[ob->head].size;
	ob->head++;
}

/* outbox_close - forget it (its files stay) */
void
outbox_close(struct outbox *ob)
{
	if (ob == NULL)
		return;
	free(ob->e);
	free(ob);
}

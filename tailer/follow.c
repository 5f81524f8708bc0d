/*	$fivefifty: follow.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	follow 3 - follow log files by name with inotify, exactly once
 * SYNOPSIS
 *	See tailer.h.
 * DESCRIPTION
 *	Each followed file has one open descriptor (the "current" file) and
 *	a line splitter in follow mode. Its directory is watched for names
 *	that come and go; the open file's inode is watched for writes,
 *	attribute changes (unlink), moves and deletion. Any event for a file
 *	marks it dirty, and check() then brings it up to date:
 *
 *	- the open file is read to its end; if it shrank or its first bytes
 *	  changed (copytruncate), the rotated copy is looked up by
 *	  fingerprint and finished from our offset, then the file is read
 *	  again from offset 0;
 *	- if the name now points to another inode (rotation by rename, a
 *	  symlink), the old file is kept and read until the new one has data
 *	  (the writer has reopened) or the old one is deleted; then the old
 *	  file is finished, its last unterminated bytes included, and the new
 *	  one is read from its start. A writer that goes on writing to the
 *	  renamed file loses nothing, and no line is read out of order;
 *	- if it was rotated more than once before we looked (the reader was
 *	  stopped, or busy), the rotated copies in between are read in their
 *	  order (rotated.c) before the name's file: none is jumped over;
 *	- if the name is gone, the open file is still read (it may only have
 *	  been renamed); a deleted one is finished and closed; the name is
 *	  waited for, and that is said once.
 *
 *	There is no polling: without events the caller sleeps in poll(2).
 *	The only timer is the retry for a watched directory that does not
 *	exist (tailer_timeout()).
 * SECURITY
 *	Paths come from the configuration. Log contents are only split into
 *	lines here; the fingerprint reads at most TAIL_FP_MAX bytes.
 * DIAGNOSTICS
 *	Read errors and failing watches are logged with log_warn() and the
 *	file is tried again on its next event.
 */
#include <sys/inotify.h>
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
#include "util/util.h"

#define DIR_MASK	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | \
			 IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
#define FILE_MASK	(IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
#define RETRY_MS	1000

#define ROT_CHAIN	256	/* rotated copies read in one go, at most */
#define DIRTY_DATA	1	/* the open file was written to */
#define DIRTY_NAME	2	/* the name may point elsewhere now */

struct tfile {
	char		*path;
	char		*dir;
	char		*base;
	int		 dir_wd;	/* -1: directory missing */
	int		 fd;		/* current file, -1: none */
	int		 wd;		/* watch on the current inode */
	int		 new_wd;	/* watch on a successor without data yet */
	unsigned long long dev, ino;
	unsigned	 fp_len;
	unsigned long long fp;
	struct lines	*lr;
	gzFile		 gz;		/* the current file is gzip'd, or NULL */
	int		 finishing;	/* a rotated copy, read to its end */
	unsigned long long chain[ROT_CHAIN];	/* inodes read in this chain */
	int		 nchain;
	int		 dirty;		/* DIRTY_DATA or DIRTY_NAME bits */
	int		 backlog;
	int		 said_missing;
	struct tail_stats st;
};

struct tailer {
	int		 ifd;
	struct tfile	*files;
	int		 nfiles;
};

static void	open_source(struct tailer *, struct tfile *, int, gzFile,
		    unsigned long long);

/* take_fingerprint - (re)compute fd's fingerprint over what it has */
static void
take_fingerprint(struct tfile *f)
{
	struct stat	sb;
	unsigned	len;

	if (f->gz != NULL || fstat(f->fd, &sb) == -1)
		return;		/* a compressed file's was taken when found */
	len = sb.st_size < TAIL_FP_MAX ? (unsigned)sb.st_size : TAIL_FP_MAX;
	if (len > f->fp_len && tail_fingerprint(f->fd, len, &f->fp) == 0)
		f->fp_len = len;
}

/* watch_fd - watch the inode behind fd (not whatever path names now);
 * without /proc, the inode path names (the same one but in a race) */
static int
watch_fd(struct tailer *t, int fd, const char *path)
{
	char		proc[64];
	int		wd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((wd = inotify_add_watch(t->ifd, proc, FILE_MASK)) == -1)
		wd = inotify_add_watch(t->ifd, path, FILE_MASK);
	return (wd);
}

/* close_cur - stop reading the current file */
static void
close_cur(struct tailer *t, struct tfile *f)
{
	if (f->wd != -1 && f->wd != f->dir_wd && f->wd != f->new_wd)
		inotify_rm_watch(t->ifd, f->wd);
	f->wd = -1;
	if (f->gz != NULL)
		gzclose(f->gz);
	f->gz = NULL;
	if (f->fd != -1)
		close(f->fd);
	f->fd = -1;
	f->st.open = 0;
}

/* open_at - make fd the current file, reading from off */
static void
open_at(struct tailer *t, struct tfile *f, int fd, unsigned long long off)
{
	open_source(t, f, fd, NULL, off);
}

/* open_source - make fd (gzip'd when gz != NULL) the current file,
 * reading from off (an offset in the uncompressed data) */
static void
open_source(struct tailer *t, struct tfile *f, int fd, gzFile gz,
    unsigned long long off)
{
	struct stat	sb;

	close_cur(t, f);
	f->fd = fd;
	f->gz = gz;
	if (gz == NULL) {
		f->fp_len = 0;
		f->fp = 0;
	}
	if (fstat(fd, &sb) == 0) {
		f->dev = (unsigned long long)sb.st_dev;
		f->ino = (unsigned long long)sb.st_ino;
	}
	if (gz != NULL) {
		if (gzseek(gz, (z_off_t)off, SEEK_SET) == -1)
			off = 0;
		lines_source(f->lr, fd, lines_gzread, gz, off);
	} else {
		if (lseek(fd, (off_t)off, SEEK_SET) == -1)
			off = 0;
		lines_reset(f->lr, fd, off);
	}
	take_fingerprint(f);
	if (f->st.lines == 0) {
		/* Nothing delivered yet: the position is where reading starts
		 * (a consumer commits it, so a restart resumes from here). */
		f->st.pos.dev = f->dev;
		f->st.pos.ino = f->ino;
		f->st.pos.off = off;
		f->st.pos.fp_len = f->fp_len;
		f->st.pos.fp = f->fp;
	}
	if ((f->wd = watch_fd(t, fd, f->path)) == -1)
		log_warn("tailer: watch %s", f->path);
	if (f->new_wd != -1 && f->new_wd != f->wd && f->new_wd != f->dir_wd)
		inotify_rm_watch(t->ifd, f->new_wd);
	f->new_wd = -1;
	f->st.open = 1;
}

/* deliver - hand out the lines of the current file; finish: also its
 * last unterminated bytes. 1: all read, 0: stopped at the budget, -1: cb */
static int
deliver(struct tfile *f, int idx, tail_cb cb, void *arg, unsigned *budget,
    int finish)
{
	struct tail_line tl;
	int		 r;

	for (;;) {
		if (*budget == 0) {
			f->backlog = 1;
			return (0);
		}
		r = lines_next(f->lr, &tl.line, &tl.len);
		if (r == 0 && finish)
			r = lines_flush(f->lr, &tl.line, &tl.len);
		if (r == 0)
			return (1);
		if (r == -1) {
			log_warn("tailer: read %s", f->path);
			return (1);
		}
		if (f->fp_len < TAIL_FP_MAX)
			take_fingerprint(f);
		tl.file = idx;
		tl.path = f->path;
		tl.pos.dev = f->dev;
		tl.pos.ino = f->ino;
		tl.pos.off = lines_offset(f->lr);
		tl.pos.fp_len = f->fp_len;
		tl.pos.fp = f->fp;
		f->st.lines++;
		f->st.cut = lines_cut(f->lr);
		f->st.pos = tl.pos;
		(*budget)--;
		if (cb(arg, &tl) == -1)
			return (-1);
	}
}

/* truncated - the current file shrank or was rewritten under us */
static int
truncated(struct tfile *f)
{
	struct stat	sb;
	off_t		rd;

	if (fstat(f->fd, &sb) == -1)
		return (0);
	if ((rd = lseek(f->fd, 0, SEEK_CUR)) != -1 && sb.st_size < rd)
		return (1);
	return (!tail_same_content(f->fd, f->fp_len, f->fp));
}

/* restart_truncated - finish the copy copytruncate made, then read the
 * file again from offset 0 */
static int
restart_truncated(struct tailer *t, struct tfile *f, int idx, tail_cb cb,
    void *arg, unsigned *budget)
{
	unsigned long long done = lines_offset(f->lr);
	unsigned	 all = UINT_MAX, spent;
	struct rot_self	 self;
	int		 copy, fd = f->fd, r = 1;
	gzFile		 gz;

	f->st.truncations++;
	self.dev = self.ino = 0;
	self.fp_len = f->fp_len;
	self.fp = f->fp;
	copy = rot_find(f->dir, f->base, &self, &gz);
	log_info("tailer: %s was truncated; %s, then reading it from the "
	    "start", f->path, copy != -1 ? "finishing its rotated copy" :
	    "no rotated copy found");
	if (copy != -1) {
		/* Read the copy in the file's place, all of it (it is
		 * closed afterwards), from where we were. */
		f->fd = -1;
		open_source(t, f, copy, gz, done);
		r = deliver(f, idx, cb, arg, &all, 1);
		close_cur(t, f);
		spent = UINT_MAX - all;
		*budget = *budget > spent ? *budget - spent : 0;
	}
	open_at(t, f, fd, 0);
	return (r == -1 ? -1 : 1);
}

/* in_chain - was inode ino read in this chain of rotated copies */
static int
in_chain(const struct tfile *f, unsigned long long ino)
{
	int		i;

	for (i = 0; i < f->nchain; i++)
		if (f->chain[i] == ino)
			return (1);
	return (f->nchain >= ROT_CHAIN);
}

/* next_rotated - the current file is finished: open the rotated copy
 * that was written after it (1), or close it when there is none (0) */
static int
next_rotated(struct tailer *t, struct tfile *f)
{
	struct rot_self	 self;
	struct stat	 sb;
	unsigned long long nfp = 0;
	unsigned	 nfp_len = 0;
	gzFile		 gz;
	int		 fd, newest;

	if (f->nchain == 0)
		f->chain[f->nchain++] = f->ino;	/* where the chain starts */
	take_fingerprint(f);
	self.dev = f->dev;
	self.ino = f->ino;
	self.fp_len = f->fp_len;
	self.fp = f->fp;
	fd = rot_next(f->dir, f->base, &self, &gz, &newest);
	if (fd != -1 && gz != NULL &&
	    tail_gz_fingerprint(gz, &nfp_len, &nfp) == -1) {
		gzclose(gz);
		close(fd);
		fd = -1;
	}
	if (fd != -1 && (fstat(fd, &sb) == -1 || in_chain(f,
	    (unsigned long long)sb.st_ino))) {
		/* Copies whose order goes round (modification times
		 * changed by hand): none is read twice. */
		log_warnx("tailer: %s: the rotated copies are in no clear "
		    "order; going on with the current file", f->path);
		if (gz != NULL)
			gzclose(gz);
		close(fd);
		fd = -1;
	}
	if (fd == -1) {
		close_cur(t, f);
		f->finishing = 0;
		f->nchain = 0;
		return (0);
	}
	if (f->nchain < ROT_CHAIN)
		f->chain[f->nchain++] = (unsigned long long)sb.st_ino;
	log_info("tailer: %s was rotated more than once; reading the next "
	    "rotated file%s", f->path, gz != NULL ? " (gzip'd)" : "");
	f->st.rotations++;
	/* A gzip'd file keeps the fingerprint it was found with. */
	f->fp_len = nfp_len;
	f->fp = nfp;
	open_source(t, f, fd, gz, 0);
	/* The newest copy may still be written to: it is followed as the
	 * current file until the name's new file has data. */
	f->finishing = gz != NULL || !newest;
	return (1);
}

/* check - bring one file up to date (see DESCRIPTION) */
static int
check(struct tailer *t, struct tfile *f, int idx, tail_cb cb, void *arg,
    unsigned *budget, int dirty)
{
	struct stat	 sb, cur;
	int		 r, fd, hops = 0;

again:
	while (f->fd != -1 && f->finishing) {
		if ((r = deliver(f, idx, cb, arg, budget, 1)) != 1)
			return (r);
		(void)next_rotated(t, f);
		dirty = DIRTY_NAME;
	}
	if (f->fd != -1) {
		if (truncated(f) &&
		    restart_truncated(t, f, idx, cb, arg, budget) == -1)
			return (-1);
		if ((r = deliver(f, idx, cb, arg, budget, 0)) != 1)
			return (r);
		/* Only written to: the name cannot have moved (renames,
		 * unlinks and creations come as other events). */
		if (dirty == DIRTY_DATA)
			return (1);
	}
	if (stat(f->path, &sb) == -1) {
		if (f->fd != -1 && fstat(f->fd, &cur) == 0 &&
		    cur.st_nlink == 0) {
			/* Deleted: nobody can write to it any more. */
			if ((r = deliver(f, idx, cb, arg, budget, 1)) != 1)
				return (r);
			close_cur(t, f);
		}
		if (!f->said_missing)
			log_info("tailer: %s: %s; waiting for it", f->path,
			    strerror(errno));
		f->said_missing = 1;
		return (1);
	}
	if (f->fd == -1) {
		if ((fd = tail_open_path(f->path)) == -1) {
			if (!f->said_missing)
				log_warn("tailer: open %s", f->path);
			f->said_missing = 1;
			return (1);
		}
		if (f->said_missing)
			log_info("tailer: %s is there; following it", f->path);
		f->said_missing = 0;
		open_at(t, f, fd, 0);
		return (deliver(f, idx, cb, arg, budget, 0));
	}
	f->said_missing = 0;
	if ((unsigned long long)sb.st_ino == f->ino &&
	    (unsigned long long)sb.st_dev == f->dev)
		return (1);
	/* The name points to a new file. */
	if (sb.st_size == 0 && fstat(f->fd, &cur) == 0 && cur.st_nlink > 0) {
		/* The writer may still write to the old one: wait until
		 * the new one gets data (watch it) or the old one goes. */
		if (f->new_wd == -1)
			f->new_wd = inotify_add_watch(t->ifd, f->path,
			    FILE_MASK);
		return (1);
	}
	if ((r = deliver(f, idx, cb, arg, budget, 1)) != 1)
		return (r);
	/* Rotated again meanwhile: the copies between come first (each
	 * step goes to a newer copy; the bound is only a safeguard). */
	if (next_rotated(t, f)) {
		dirty = DIRTY_NAME;
		if (++hops < 256)
			goto again;
		f->backlog = 1;
		return (1);
	}
	if ((fd = tail_open_path(f->path)) == -1)
		return (1);	/* gone again: the next event tells */
	f->st.rotations++;
	log_info("tailer: %s was rotated; following the new file", f->path);
	open_at(t, f, fd, 0);
	return (deliver(f, idx, cb, arg, budget, 0));
}

/* tailer_new - an inotify instance and no files yet */
struct tailer *
tailer_new(void)
{
	struct tailer	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	if ((t->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		free(t);
		return (NULL);
	}
	return (t);
}

/* watch_dir - watch f's directory; say once when it is missing */
static void
watch_dir(struct tailer *t, struct tfile *f)
{
	if (f->dir_wd != -1)
		return;
	f->dir_wd = inotify_add_watch(t->ifd, f->dir, DIR_MASK);
	if (f->dir_wd == -1 && !f->said_missing) {
		log_warn("tailer: watch directory %s (retrying)", f->dir);
		f->said_missing = 1;
	}
}

/* start_at_end - offset after the last complete line of fd */
static unsigned long long
start_at_end(int fd)
{
	char		 buf[4096];
	struct stat	 sb;
	off_t		 end, at;
	ssize_t		 n;

	if (fstat(fd, &sb) == -1)
		return (0);
	for (end = sb.st_size; end > 0; end = at) {
		at = end > (off_t)sizeof(buf) ? end - (off_t)sizeof(buf) : 0;
		if ((n = pread(fd, buf, (size_t)(end - at), at)) <= 0)
			return (0);
		while (n > 0)
			if (buf[--n] == '\n')
				return ((unsigned long long)(at + n + 1));
	}
	return (0);
}

/* rotated_since - a rotated copy newer than the current file exists */
static int
rotated_since(struct tfile *f)
{
	struct rot_self	 self;
	gzFile		 gz;
	int		 fd, newest;

	self.dev = f->dev;
	self.ino = f->ino;
	self.fp_len = f->fp_len;
	self.fp = f->fp;
	if ((fd = rot_next(f->dir, f->base, &self, &gz, &newest)) == -1)
		return (0);
	if (gz != NULL)
		gzclose(gz);
	close(fd);
	return (1);
}

/* tailer_add - follow path from a stored position, the start or the end */
int
tailer_add(struct tailer *t, const char *path, const struct tail_pos *stored,
    int from_start)
{
	struct tfile	*f, *nf;
	struct stat	 sb;
	struct rot_self	 self;
	char		*slash;
	int		 fd, rot, same;
	gzFile		 gz;

	if ((nf = reallocarray(t->files, (size_t)t->nfiles + 1,
	    sizeof(*nf))) == NULL)
		return (-1);
	t->files = nf;
	f = &t->files[t->nfiles];
	memset(f, 0, sizeof(*f));
	f->fd = f->wd = f->new_wd = f->dir_wd = -1;
	if ((f->path = strdup(path)) == NULL ||
	    (f->lr = lines_new(-1, 0)) == NULL) {
		free(f->path);
		return (-1);
	}
	lines_follow(f->lr, 1);
	slash = strrchr(f->path, '/');
	f->dir = slash == NULL ? strdup(".") : slash == f->path ? strdup("/") :
	    strndup(f->path, (size_t)(slash - f->path));
	f->base = strdup(slash == NULL ? f->path : slash + 1);
	if (f->dir == NULL || f->base == NULL) {
		free(f->dir);
		free(f->base);
		free(f->path);
		lines_free(f->lr);
		return (-1);
	}
	t->nfiles++;
	watch_dir(t, f);
	f->dirty = DIRTY_NAME;

	fd = tail_open_path(path);
	if (fd != -1 && fstat(fd, &sb) == -1) {
		close(fd);
		fd = -1;
	}
	if (stored != NULL && stored->ino != 0) {
		same = fd != -1 &&
		    (unsigned long long)sb.st_ino == stored->ino &&
		    (unsigned long long)sb.st_dev == stored->dev;
		if (same && sb.st_size >= (off_t)stored->off &&
		    tail_same_content(fd, stored->fp_len, stored->fp)) {
			open_at(t, f, fd, stored->off);
			return (t->nfiles - 1);
		}
		/* Not (all) there: rotated, copied and truncated, or gzip'd
		 * and the inode used again by the new file. */
		self.dev = stored->dev;
		self.ino = stored->ino;
		self.fp_len = stored->fp_len;
		self.fp = stored->fp;
		rot = rot_find(f->dir, f->base, &self, &gz);
		if (rot != -1) {
			log_info("tailer: %s was rotated while we were away; "
			    "finishing the rotated file%s first", path,
			    gz != NULL ? " (gzip'd)" : "");
			f->fp_len = stored->fp_len;
			f->fp = stored->fp;
			open_source(t, f, rot, gz, stored->off);
			/* The newest plain copy may still be written to (the
			 * writer has not reopened yet): it is followed until
			 * the new file has data. Others are read to the end. */
			f->finishing = gz != NULL || rotated_since(f);
			if (fd != -1)
				close(fd);
			return (t->nfiles - 1);
		}
		if (same)
			log_info("tailer: %s was truncated while we were "
			    "away; reading it from the start", path);
		else
			log_warnx("tailer: %s: the file of the stored "
			    "position is gone; reading from the start", path);
		from_start = 1;
	}
	if (fd != -1)
		open_at(t, f, fd, from_start ? 0 : start_at_end(fd));
	return (t->nfiles - 1);
}

/* tailer_add_stored - tailer_add() from the position a store has */
int
tailer_add_stored(struct tailer *t, const char *path,
    const struct tail_store *store, int from_start)
{
	struct tail_pos	pos;
	int		r;

	memset(&pos, 0, sizeof(pos));
	if ((r = store->load(store->arg, path, &pos)) == -1)
		return (-1);
	return (tailer_add(t, path, r == 1 ? &pos : NULL, from_start));
}

/* tailer_fd - the descriptor to poll */
int
tailer_fd(const struct tailer *t)
{
	return (t->ifd);
}

/* drain_events - mark the files that inotify says may have changed */
static void
drain_events(struct tailer *t)
{
	char		 buf[16384]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t		 n;
	char		*p;
	int		 i;

	while ((n = read(t->ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			for (i = 0; i < t->nfiles; i++) {
				struct tfile *f = &t->files[i];
				if (ev->mask & IN_Q_OVERFLOW)
					f->dirty |= DIRTY_NAME;
				else if (ev->wd == f->dir_wd) {
					if (ev->mask & (IN_DELETE_SELF |
					    IN_MOVE_SELF | IN_IGNORED))
						f->dir_wd = -1;
					if (ev->len == 0 ||
					    strcmp(ev->name, f->base) == 0)
						f->dirty |= DIRTY_NAME;
				} else if (ev->wd == f->wd)
					f->dirty |= ev->mask == IN_MODIFY ?
					    DIRTY_DATA : DIRTY_NAME;
				else if (ev->wd == f->new_wd)
					f->dirty |= DIRTY_NAME;
			}
		}
	}
}

/* tailer_read - handle events; deliver up to max lines (0: all) */
int
tailer_read(struct tailer *t, tail_cb cb, void *arg, unsigned max)
{
	unsigned	 budget = max == 0 ? UINT_MAX : max;
	int		 i;

	drain_events(t);
	for (i = 0; i < t->nfiles; i++) {
		struct tfile *f = &t->files[i];
		int dirty;

		if (f->dir_wd == -1) {
			watch_dir(t, f);
			if (f->dir_wd != -1)
				f->dirty |= DIRTY_NAME;
		}
		if (!f->dirty && !f->backlog)
			continue;
		/* After a stop at the budget, look at everything again. */
		dirty = f->backlog ? DIRTY_NAME : f->dirty;
		f->dirty = f->backlog = 0;
		if (check(t, f, i, cb, arg, &budget, dirty) == -1)
			return (-1);
	}
	return ((int)((max == 0 ? UINT_MAX : max) - budget));
}

/* tailer_finish - what is left of each file, its last unterminated
 * bytes included (scan: the files are complete); -1 if cb returned -1 */
int
tailer_finish(struct tailer *t, tail_cb cb, void *arg)
{
	unsigned	 budget = UINT_MAX;
	int		 i;

	for (i = 0; i < t->nfiles; i++)
		if (t->files[i].fd != -1 && deliver(&t->files[i], i, cb, arg,
		    &budget, 1) == -1)
			return (-1);
	return (0);
}

/* tailer_pending - lines are ready without a new event */
int
tailer_pending(const struct tailer *t)
{
	int		i;

	for (i = 0; i < t->nfiles; i++)
		if (t->files[i].dirty || t->files[i].backlog)
			return (1);
	return (0);
}

/* tailer_timeout - how long the caller may sleep, in ms (-1: forever) */
int
tailer_timeout(const struct tailer *t)
{
	int		i;

	if (tailer_pending(t))
		return (0);
	for (i = 0; i < t->nfiles; i++)
		if (t->files[i].dir_wd == -1)
			return (RETRY_MS);
	return (-1);
}

/* tailer_stats - counters and position of one file */
void
tailer_stats(const struct tailer *t, int file, struct tail_stats *st)
{
	if (file < 0 || file >= t->nfiles) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = t->files[file].st;
}

/* tailer_free - close everything */
void
tailer_free(struct tailer *t)
{
	int		i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nfiles; i++) {
		struct tfile *f = &t->files[i];
		if (f->gz != NULL)
			gzclose(f->gz);
		if (f->fd != -1)
			close(f->fd);
		lines_free(f->lr);
		free(f->path);
		free(f->dir);
		free(f->base);
	}
	free(t->files);
	close(t->ifd);
	free(t);
}

/*	$fivefifty: tail_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	tail_int 3h - the follower's private helpers: fingerprints and the
 *	rotated copies of a followed file
 * SYNOPSIS
 *	#include "tailer/tail_int.h"
 *
 *	unsigned long long tail_fnv(const unsigned char *p, size_t n,
 *		    unsigned long long h);
 *	int	tail_fingerprint(int fd, unsigned len, unsigned long long *fp);
 *	int	tail_same_content(int fd, unsigned fp_len,
 *		    unsigned long long fp);
 *	int	tail_open_path(const char *path);
 *	gzFile	tail_gz_matches(int fd, unsigned fp_len, unsigned long long fp);
 *	int	tail_gz_fingerprint(gzFile gz, unsigned *fp_len,
 *		    unsigned long long *fp);
 *
 *	int	rot_find(const char *dir, const char *base,
 *		    const struct rot_self *self, gzFile *gz);
 *	int	rot_next(const char *dir, const char *base,
 *		    const struct rot_self *self, gzFile *gz, int *newest);
 * DESCRIPTION
 *	See rotated.c and follow.c.
 */
#ifndef FIVEFIFTY_TAIL_INT_H
#define FIVEFIFTY_TAIL_INT_H

#include <stddef.h>

#include <zlib.h>

#define TAIL_FNV_SEED	0xcbf29ce484222325ULL

/* What is known of a file to find it again among the rotated copies:
 * its inode (a rename keeps it) and its fingerprint (a copy or a gzip'd
 * file keeps that). */
struct rot_self {
	unsigned long long dev, ino;	/* ino 0: unknown */
	unsigned	 fp_len;	/* 0: no fingerprint */
	unsigned long long fp;
};

unsigned long long tail_fnv(const unsigned char *, size_t, unsigned long long);
int	tail_fingerprint(int, unsigned, unsigned long long *);
int	tail_same_content(int, unsigned, unsigned long long);
int	tail_open_path(const char *);
gzFile	tail_gz_matches(int, unsigned, unsigned long long);
int	tail_gz_fingerprint(gzFile, unsigned *, unsigned long long *);

int	rot_find(const char *, const char *, const struct rot_self *, gzFile *);
int	rot_next(const char *, const char *, const struct rot_self *, gzFile *,
	    int *);

#endif /* FIVEFIFTY_TAIL_INT_H */

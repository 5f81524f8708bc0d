/*	$fivefifty: obuf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	obuf 3 - the output buffer's allocation, flush, and JSON escaping
 * SYNOPSIS
 *	See obuf.h.
 * DESCRIPTION
 *	ob_esc_json() follows esc_json() of escape.c rule for rule: printable
 *	ASCII as is ('"' and '\\' after a backslash), \n \r \t, other
 *	controls and DEL as \u00xx, well-formed UTF-8 as is (utf8_valid_len()
 *	decides, seeing the rest of the capped input as esc_json() does),
 *	each other byte as \ufffd, and "..." after cap bytes.
 *	ob_flush() writes with write(2) on fp's descriptor (after flushing fp,
 *	so that what the caller printed through stdio comes first), retrying
 *	short and interrupted writes.
 * SECURITY
 *	Room is checked before every write into the buffer: at least
 *	OB_STEP bytes before a single escape, a sequence or a byte, and a
 *	run of plain bytes is cut to the room there is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obuf.h"
#include "util.h"

#define OB_STEP	8	/* the longest single step: "\u00xx" or 4 bytes */

enum { J_PLAIN, J_QUOTE, J_CTRL, J_HIGH };	/* 0 1 2 3 below */

/*
 * What each byte needs: J_PLAIN printable ASCII, J_QUOTE '"' or '\\',
 * J_CTRL below 0x20 or DEL, J_HIGH 0x80 and above (UTF-8 or not).
 */
static const unsigned char jclass[256] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x00 */
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,	/* 0x10 */
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x20 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x30 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x40 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* 0x50 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x60 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,	/* 0x70 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x80 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0x90 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xa0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xb0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xc0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xd0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xe0 */
	3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,	/* 0xf0 */
};

/* ob_init - an empty buffer of cap bytes in front of fp */
void
ob_init(struct obuf *ob, FILE *fp, size_t cap)
{
	if (cap < 2 * OB_STEP)
		cap = 2 * OB_STEP;
	ob->buf = xmalloc(cap);
	ob->len = 0;
	ob->cap = cap;
	ob->fp = fp;
	ob->err = 0;
}

/*
 * ob_write - n bytes to fp's descriptor, after what fp holds: write(2)
 * straight from the caller's memory, not copied once more through
 * stdio's buffer (a third of the output's cost)
 */
static void
ob_write(struct obuf *ob, const char *p, size_t n)
{
	ssize_t		 w;
	int		 fd;

	if (ob->err)
		return;
	if (fflush(ob->fp) == EOF || (fd = fileno(ob->fp)) == -1) {
		ob->err = errno != 0 ? errno : EIO;
		return;
	}
	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			ob->err = errno;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* ob_flush - write out what is buffered; -1 if any write failed */
int
ob_flush(struct obuf *ob)
{
	if (ob->len > 0)
		ob_write(ob, ob->buf, ob->len);
	ob->len = 0;
	if (ob->err != 0) {
		errno = ob->err;	/* for the caller's log_warn() */
		return (-1);
	}
	return (0);
}

/* ob_big - a run longer than the buffer: what is buffered, then the run */
void
ob_big(struct obuf *ob, const char *p, size_t n)
{
	ob_flush(ob);
	ob_write(ob, p, n);
}

/* ob_free - release the buffer (flush first: this drops what is in it) */
void
ob_free(struct obuf *ob)
{
	free(ob->buf);
	ob->buf = NULL;
	ob->len = ob->cap = 0;
}

/* ob_ctrl - a control byte or DEL as \n, \r, \t or \u00xx */
static void
ob_ctrl(struct obuf *ob, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char		 *p = ob->buf + ob->len;

	p[0] = '\\';
	switch (c) {
	case '\n':
		p[1] = 'n';
		ob->len += 2;
		return;
	case '\r':
		p[1] = 'r';
		ob->len += 2;
		return;
	case '\t':
		p[1] = 't';
		ob->len += 2;
		return;
	}
	memcpy(p + 1, "u00", 3);
	p[4] = hex[c >> 4];
	p[5] = hex[c & 0xf];
	ob->len += 6;
}

/* ob_esc_json - bytes as the inside of a JSON string (as esc_json()) */
void
ob_esc_json(struct obuf *ob, const char *s, size_t len, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i = 0, j, lim, n, end = cap != 0 && len > cap ? cap : len;

	while (i < end) {
		if (ob->cap - ob->len < OB_STEP)
			ob_flush(ob);
		switch (jclass[u[i]]) {
		case J_PLAIN:
			/* A run of plain bytes: one copy, cut to the room. */
			lim = ob->cap - ob->len;
			lim = end - i < lim ? end : i + lim;
			for (j = i + 1; j < lim && jclass[u[j]] == J_PLAIN; j++)
				;
			memcpy(ob->buf + ob->len, u + i, j - i);
			ob->len += j - i;
			i = j;
			break;
		case J_QUOTE:
			ob->buf[ob->len++] = '\\';
			ob->buf[ob->len++] = (char)u[i++];
			break;
		case J_CTRL:
			ob_ctrl(ob, u[i++]);
			break;
		default:
			if ((n = utf8_valid_len(u + i, end - i)) != 0) {
				memcpy(ob->buf + ob->len, u + i, n);
				ob->len += n;
				i += n;
			} else {
				memcpy(ob->buf + ob->len, "\\ufffd", 6);
				ob->len += 6;
				i++;
			}
		}
	}
	if (end < len)
		OB_LIT(ob, "...");
}

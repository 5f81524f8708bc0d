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
 *	Room is checked before every write into the buffer: escaping runs
 *	over as many input bytes as the room holds at OB_STEP bytes each (a
 *	single escape, a sequence or a byte), then the room is checked
 *	again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "obuf.h"
#include "util.h"

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

/* esc_ctrl_at - a control byte or DEL as \n, \r, \t or \u00xx at w;
 * returns the end */
static char *
esc_ctrl_at(char *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*w++ = '\\';
	switch (c) {
	case '\n':
		*w++ = 'n';
		return (w);
	case '\r':
		*w++ = 'r';
		return (w);
	case '\t':
		*w++ = 't';
		return (w);
	}
	memcpy(w, "u00", 3);
	w[3] = hex[c >> 4];
	w[4] = hex[c & 0xf];
	return (w + 5);
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* plain8 - whether all eight bytes of x are J_PLAIN: none below 0x20,
 * none 0x7f or above, no '"', no '\\' (each test sets a byte's high bit
 * only when some byte of x fails it: carries and borrows start at such
 * a byte) */
static inline int
plain8(uint64_t x)
{
	uint64_t	q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((((x - ONES * 0x20) & ~x) | (x + ONES) | x |
	    ((q - ONES) & ~q) | ((b - ONES) & ~b)) & HIGHS) == 0);
}

/* esc_at - the bytes u[*ip..lim) escaped at w, each step at most
 * OB_STEP bytes (the room is the caller's); a UTF-8 sequence that
 * starts before lim is read up to end. Returns the end of what it
 * wrote, *ip where it stopped. One pointer, no call per plain byte. */
static char *
esc_at(char *w, const unsigned char *u, size_t *ip, size_t lim, size_t end)
{
	uint64_t	 x;
	size_t		 i = *ip, n;

	while (i < lim) {
		switch (jclass[u[i]]) {
		case J_PLAIN:
			/* Eight bytes a copy, then byte by byte. */
			while (lim - i >= 8) {
				memcpy(&x, u + i, 8);
				if (!plain8(x))
					break;
				memcpy(w, &x, 8);
				w += 8;
				i += 8;
			}
			while (i < lim && jclass[u[i]] == J_PLAIN)
				*w++ = (char)u[i++];
			break;
		case J_QUOTE:
			*w++ = '\\';
			*w++ = (char)u[i++];
			break;
		case J_CTRL:
			w = esc_ctrl_at(w, u[i++]);
			break;
		default:
			if ((n = utf8_valid_len(u + i, end - i)) != 0) {
				memcpy(w, u + i, n);
				w += n;
				i += n;
			} else {
				memcpy(w, "\\ufffd", 6);
				w += 6;
				i++;
			}
		}
	}
	*ip = i;
	return (w);
}

/* ob_esc_json - bytes as the inside of a JSON string (as esc_json()) */
void
ob_esc_json(struct obuf *ob, const char *s, size_t len, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i = 0, room, end = cap != 0 && len > cap ? cap : len;

	while (i < end) {
		if (ob->cap - ob->len < OB_STEP)
			ob_flush(ob);
		/* Bytes that cannot overrun the room, a step each. */
		room = (ob->cap - ob->len) / OB_STEP;
		ob->len = (size_t)(esc_at(ob->buf + ob->len, u, &i,
		    end - i < room ? end : i + room, end) - ob->buf);
	}
	if (end < len)
		OB_LIT(ob, "...");
}

/* ob_esc_at - the n bytes at s escaped at w, room for OB_STEP bytes a
 * byte being the caller's; returns the end of what it wrote */
char *
ob_esc_at(char *w, const char *s, size_t n)
{
	size_t		 i = 0;

	return (esc_at(w, (const unsigned char *)s, &i, n, n));
}

/* ob_json_slow - ob_json_str() for a field cut at cap or longer than the
 * room of an empty buffer */
void
ob_json_slow(struct obuf *ob, const char *head, size_t headlen,
    const char *s, size_t len, size_t cap)
{
	ob_putn(ob, head, headlen);
	ob_putc(ob, '"');
	ob_esc_json(ob, s, len, cap);
	ob_putc(ob, '"');
}

/*	$fivefifty: obuf.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	obuf 3h - one large output buffer for a stream of records, and JSON
 *	escaping of peer text into it
 * SYNOPSIS
 *	#include "util/obuf.h"
 *
 *	void	ob_init(struct obuf *ob, FILE *fp, size_t cap);
 *	int	ob_flush(struct obuf *ob);
 *	void	ob_free(struct obuf *ob);
 *	void	ob_putn(struct obuf *ob, const char *p, size_t n);
 *	void	ob_big(struct obuf *ob, const char *p, size_t n);
 *	void	ob_putc(struct obuf *ob, char c);
 *	void	ob_long(struct obuf *ob, long v);
 *	void	ob_ulong(struct obuf *ob, unsigned long v);
 *	void	ob_esc_json(struct obuf *ob, const char *s, size_t len,
 *		    size_t cap);
 *	void	ob_json_str(struct obuf *ob, const char *head, size_t headlen,
 *		    const char *s, size_t len, size_t cap);
 *	char	*ob_esc_at(char *w, const char *s, size_t n);
 *	void	ob_json_slow(struct obuf *ob, const char *head, size_t headlen,
 *		    const char *s, size_t len, size_t cap);
 * DESCRIPTION
 *	`parse --json` writes about two bytes of JSON for each byte it reads;
 *	through stdio, field by field, writing cost three times the parsing
 *	(issue 17). An obuf collects the output in one buffer of cap bytes
 *	and writes it to fp's descriptor with write(2) when it is full
 *	(ob_flush(); fp is flushed first, so the order of output holds
 *	while the caller does not print through fp and the obuf at once).
 *	The small appenders are inline: a JSON object is some forty of them.
 *
 *	ob_putn() appends n bytes (a run longer than the buffer goes straight
 *	out, ob_big()), ob_putc() one, the macro OB_LIT(ob, "text") a string
 *	literal, ob_long() and ob_ulong() a number in decimal as printf's
 *	%ld and %lu would.
 *
 *	ob_esc_json() appends exactly what esc_json() of util.h writes for
 *	the same bytes and cap (tests/test_obuf.c compares the two), with a
 *	table lookup per byte, through one write pointer. ob_json_str()
 *	appends head (a key) and then the same in double quotes, with one
 *	check of room for the whole field when it fits (a JSON object's
 *	string fields each cost one call). ob_esc_at() is its escaping: n
 *	bytes written at w, where the caller made room for OB_STEP bytes
 *	each; ob_json_slow() its path for a field cut at cap or larger than
 *	the buffer.
 *
 *	ob_flush() writes what is buffered and returns 0, or -1 when a write
 *	failed, now or before (errno set to that failure's); the caller
 *	reports it. After a failure nothing more is written.
 * SECURITY
 *	The buffer never overruns: every append checks its room and flushes
 *	first; ob_esc_at() alone trusts its caller's room, and is for
 *	ob_json_str() only. Peer text goes only through ob_esc_json() and
 *	ob_json_str().
 */
#ifndef FIVEFIFTY_OBUF_H
#define FIVEFIFTY_OBUF_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct obuf {
	char	*buf;
	size_t	 len, cap;
	FILE	*fp;
	int	 err;		/* errno of a failed write, or 0 */
};

void	ob_init(struct obuf *, FILE *, size_t);
int	ob_flush(struct obuf *);
void	ob_free(struct obuf *);
void	ob_big(struct obuf *, const char *, size_t);
void	ob_esc_json(struct obuf *, const char *, size_t, size_t);
char	*ob_esc_at(char *, const char *, size_t);
void	ob_json_slow(struct obuf *, const char *, size_t, const char *,
	    size_t, size_t);

#define OB_STEP	8	/* the longest single step: "\u00xx" or 4 bytes */

#define OB_LIT(ob, s)	ob_putn((ob), (s), sizeof(s) - 1)

/* ob_putn - append n bytes */
static inline void
ob_putn(struct obuf *ob, const char *p, size_t n)
{
	if (n > ob->cap - ob->len) {
		if (n > ob->cap) {
			ob_big(ob, p, n);
			return;
		}
		ob_flush(ob);
	}
	memcpy(ob->buf + ob->len, p, n);
	ob->len += n;
}

/* ob_putc - append one byte */
static inline void
ob_putc(struct obuf *ob, char c)
{
	if (ob->len == ob->cap)
		ob_flush(ob);
	ob->buf[ob->len++] = c;
}

/* ob_ulong - v in decimal (%lu) */
static inline void
ob_ulong(struct obuf *ob, unsigned long v)
{
	char	 d[24], *p = d + sizeof(d);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	ob_putn(ob, p, (size_t)(d + sizeof(d) - p));
}

/* ob_long - v in decimal (%ld); LONG_MIN too, through unsigned */
static inline void
ob_long(struct obuf *ob, long v)
{
	if (v < 0) {
		ob_putc(ob, '-');
		ob_ulong(ob, 0UL - (unsigned long)v);
	} else
		ob_ulong(ob, (unsigned long)v);
}

/* ob_json_str - head (a constant: its copy inline), then the bytes as a
 * JSON string in quotes; one check of room when the field fits */
static inline void
ob_json_str(struct obuf *ob, const char *head, size_t headlen,
    const char *s, size_t len, size_t cap)
{
	size_t	 end = cap != 0 && len > cap ? cap : len;
	char	*w;

	if (end < len || end > ob->cap / OB_STEP ||
	    headlen + 2 + end * OB_STEP > ob->cap) {
		ob_json_slow(ob, head, headlen, s, len, cap);
		return;
	}
	if (ob->cap - ob->len < headlen + 2 + end * OB_STEP)
		ob_flush(ob);
	w = ob->buf + ob->len;
	memcpy(w, head, headlen);
	w += headlen;
	*w++ = '"';
	w = ob_esc_at(w, s, end);
	*w++ = '"';
	ob->len = (size_t)(w - ob->buf);
}

#endif /* FIVEFIFTY_OBUF_H */

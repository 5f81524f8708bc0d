/*	$fivefifty: escape.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	escape 3 - print peer text safely as JSON or as one line of text;
 *	reduce a ban's reason to a safe set
 * SYNOPSIS
 *	See util.h.
 * DESCRIPTION
 *	utf8_valid_len() returns the length (1-4) of the well-formed UTF-8
 *	sequence at s (no overlongs, no surrogates, at most U+10FFFF), or 0.
 *
 *	reason_clean() is the one place a ban's reason is reduced (the
 *	client's --reason, the daemon's manual ban, the firewall's copy and
 *	the map's reply): see util.h for the three sets.
 */
#include <stdio.h>

#include "util.h"

/* utf8_valid_len - length of a well-formed UTF-8 sequence at s, or 0 */
size_t
utf8_valid_len(const unsigned char *s, size_t n)
{
	size_t		need, i;
	unsigned	cp;

	if (n == 0)
		return (0);
	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07;
	} else
		return (0);
	if (n < need)
		return (0);
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (0);
	return (need);
}

/* esc_ctrl - a control byte as \n, \r, \t, or \u00XX (json) / \xXX */
static void
esc_ctrl(FILE *fp, unsigned char c, int json)
{
	switch (c) {
	case '\n':
		fputs("\\n", fp);
		break;
	case '\r':
		fputs("\\r", fp);
		break;
	case '\t':
		fputs("\\t", fp);
		break;
	default:
		fprintf(fp, json ? "\\u%04x" : "\\x%02x", c);
	}
}

/* esc_json - bytes as the inside of a JSON string */
void
esc_json(FILE *fp, const char *s, size_t len, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i = 0, n, end = cap != 0 && len > cap ? cap : len;

	while (i < end) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			if (u[i] == '"' || u[i] == '\\')
				putc('\\', fp);
			putc(u[i], fp);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			esc_ctrl(fp, u[i], 1);
			i++;
		} else if ((n = utf8_valid_len(u + i, end - i)) != 0) {
			fwrite(u + i, 1, n, fp);
			i += n;
		} else {
			fputs("\\ufffd", fp);
			i++;
		}
	}
	if (end < len)
		fputs("...", fp);
}

/* esc_text - bytes as printable text on one line */
void
esc_text(FILE *fp, const char *s, size_t len, size_t cap)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t		 i = 0, n, end = cap != 0 && len > cap ? cap : len;

	while (i < end) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			if (u[i] == '\\')
				putc('\\', fp);
			putc(u[i], fp);
			i++;
		} else if (u[i] >= 0x80 &&
		    (n = utf8_valid_len(u + i, end - i)) != 0) {
			/* C1 controls (U+0080-U+009F) are escaped too. */
			if (n == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0)
				fprintf(fp, "\\x%02x\\x%02x", u[i], u[i + 1]);
			else
				fwrite(u + i, 1, n, fp);
			i += n;
		} else {
			esc_ctrl(fp, u[i], 0);
			i++;
		}
	}
	if (end < len)
		fputs("...", fp);
}

/* reason_word - a byte of [A-Za-z0-9 ._-] */
static int
reason_word(int c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == ' ' || c == '.' || c == '_' ||
	    c == '-');
}

/* reason_clean - a ban's reason reduced to set; its length */
size_t
reason_clean(char *out, size_t len, const char *in, size_t inlen, int set)
{
	size_t	i, o = 0, kept = 0;
	int	c, run = 0;

	if (len == 0)
		return (0);
	for (i = 0; i < inlen && in[i] != '\0' && o + 1 < len; i++) {
		c = (unsigned char)in[i];
		if (set == REASON_PRINTABLE) {
			if (c >= 0x20 && c < 0x7f)
				out[o++] = (char)c;
		} else if (set == REASON_BARE) {
			if (reason_word(c))
				out[o++] = (char)c;
		} else if (reason_word(c)) {
			out[o++] = (char)c;
			run = 0;
			if (c != ' ')
				kept++;
		} else if (!run) {
			out[o++] = '_';
			run = 1;
		}
	}
	out[o] = '\0';
	if (set == REASON_WORDS && kept == 0)
		o = (size_t)snprintf(out, len, "unspecified");
	return (o < len ? o : len - 1);
}

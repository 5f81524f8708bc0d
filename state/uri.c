/*	$fivefifty: uri.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	uri 3 - a connection URI's password, kept out of every message
 * SYNOPSIS
 *	const char *state_shown(const char *path, char *buf, size_t len);
 *	void	uri_scrub(const char *uri, char *msg, size_t len);
 * DESCRIPTION
 *	A libpq connection URI may hold a password: in its authority
 *	(postgresql://user:password@host/db) or as a query parameter
 *	(?password=..., its name possibly percent-encoded, which libpq
 *	decodes). Neither is ever shown.
 *
 *	state_shown() is path as messages show it, in buf: a file's path as
 *	it is; a URI with user:password@ made user@ and every password
 *	parameter's value made ***. When the URI does not fit buf it is cut
 *	after the hiding, never before.
 *
 *	uri_scrub() hides, in msg (a message of libpq, which repeats the
 *	URI, or a part of it, when it cannot parse it), the URI itself
 *	(replaced by its shown form) and each password in it, as written
 *	and percent-decoded (replaced by ***).
 * SECURITY
 *	The URI is the administrator's; the point is that logs, terminals
 *	and reports mailed to others never carry its secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_int.h"

#define URI_SECRETS	8	/* passwords looked for in one URI */

/* hexval - a hex digit's value, or -1 */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* decode - the n bytes at s percent-decoded into out (malformed escapes
 * kept as they are) */
static void
decode(const char *s, size_t n, char *out, size_t len)
{
	size_t	 i, o = 0;

	for (i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			out[o++] = (char)(hexval(s[i + 1]) * 16 +
			    hexval(s[i + 2]));
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/* Where the passwords of a URI are: offsets and lengths of their text. */
struct secrets {
	size_t	 off[URI_SECRETS], len[URI_SECRETS];
	int	 n;
};

/* find - the passwords of uri (none when it is no URI) */
static void
find(const char *uri, struct secrets *s)
{
	const char	*auth, *at, *col, *q, *p, *eq;
	char		 key[16];
	size_t		 alen, plen;

	s->n = 0;
	if (!state_is_uri(uri))
		return;
	auth = strstr(uri, "://") + 3;
	alen = strcspn(auth, "/?");
	if ((at = memchr(auth, '@', alen)) != NULL &&
	    (col = memchr(auth, ':', (size_t)(at - auth))) != NULL) {
		s->off[s->n] = (size_t)(col + 1 - uri);
		s->len[s->n++] = (size_t)(at - col - 1);
	}
	if ((q = strchr(auth, '?')) == NULL)
		return;
	for (p = q + 1; *p != '\0' && s->n < URI_SECRETS; p += plen) {
		plen = strcspn(p, "&");
		if ((eq = memchr(p, '=', plen)) != NULL) {
			decode(p, (size_t)(eq - p), key, sizeof(key));
			if (strcmp(key, "password") == 0) {
				s->off[s->n] = (size_t)(eq + 1 - uri);
				s->len[s->n++] = plen - (size_t)(eq + 1 - p);
			}
		}
		if (p[plen] == '&')
			plen++;
	}
}

/* state_shown - path for messages: a URI's passwords hidden */
const char *
state_shown(const char *path, char *buf, size_t len)
{
	struct secrets	 s;
	char		*out;
	size_t		 i, o = 0, n;
	int		 k;

	find(path, &s);
	if (s.n == 0) {
		snprintf(buf, len, "%s", path);
		return (buf);
	}
	n = strlen(path);
	if ((out = malloc(n + 3 * URI_SECRETS + 1)) == NULL) {
		snprintf(buf, len, "(a PostgreSQL URI)");
		return (buf);
	}
	for (i = 0, k = 0; i < n; ) {
		if (k < s.n && i == s.off[k]) {
			/* user:password@ is user@: the ':' goes too */
			if (k == 0 && path[i + s.len[k]] == '@')
				o--;
			else {
				memcpy(out + o, "***", 3);
				o += 3;
			}
			i += s.len[k++];
			continue;
		}
		out[o++] = path[i++];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
	free(out);
	return (buf);
}

/* replace - every occurrence of the n bytes at what in msg by with */
static void
replace(char *msg, size_t len, const char *what, size_t n, const char *with)
{
	char	*p;
	size_t	 wl = strlen(with), rest;

	if (n == 0)
		return;
	for (p = msg; (p = memmem(p, strlen(p), what, n)) != NULL; ) {
		if ((size_t)(p - msg) + wl >= len) {
			*p = '\0';	/* no room: cut here */
			return;
		}
		/* what follows, cut to what fits after with */
		rest = strlen(p + n);
		if ((size_t)(p - msg) + wl + rest >= len)
			rest = len - 1 - (size_t)(p - msg) - wl;
		memmove(p + wl, p + n, rest);
		p[wl + rest] = '\0';
		memcpy(p, with, wl);
		p += wl;
	}
}

/* uri_scrub - msg with uri and its passwords hidden */
void
uri_scrub(const char *uri, char *msg, size_t len)
{
	struct secrets	 s;
	char		 shown[1024], plain[512];
	int		 k;

	find(uri, &s);
	if (s.n == 0)
		return;
	replace(msg, len, uri, strlen(uri), state_shown(uri, shown,
	    sizeof(shown)));
	for (k = 0; k < s.n; k++) {
		decode(uri + s.off[k], s.len[k], plain, sizeof(plain));
		replace(msg, len, uri + s.off[k], s.len[k], "***");
		replace(msg, len, plain, strlen(plain), "***");
	}
}

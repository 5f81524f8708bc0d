/*	$fivefifty: fast.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fast 3 - hand-written matchers for the most frequent line shapes
 * SYNOPSIS
 *	int	fast_match(struct pf_parser *p, enum rx i, const char *s,
 *		    size_t len);
 * DESCRIPTION
 *	fast_match() reads s[0..len) the way pattern i of patterns.c would,
 *	for the shapes that make most of a log (smtpd connect, disconnect
 *	and "QID: client=" without SASL fields, postscreen CONNECT, PASS, DISCONNECT, DNSBL rank,
 *	PREGREET and HANGUP, dnsblog's listing): each costs a pcre2_match()
 *	call of 100-400 cycles, most of it the call, for lines whose fields
 *	a few byte tests find. It returns 1 when the pattern matches, with
 *	the named groups of the pattern set in the parser's match data
 *	exactly as PCRE2 would set them (so rx_span() and every caller read
 *	them unchanged), or -1 when it does not know: then rx_match() runs
 *	the pattern. It never says "no match": PCRE2 stays the parser of
 *	record, and a fast path only ever takes a line it reads completely.
 *
 *	Each matcher follows the path PCRE2 tries first (greedy quantifiers
 *	at their longest, optional groups present, alternatives in order)
 *	and gives up (-1) at the first byte where that path would fail or
 *	where PCRE2 could backtrack into another reading: so when it
 *	reaches the end of the line, that first path is the match PCRE2
 *	returns. Only the exact end of the subject counts as "$" (a
 *	trailing newline, where "$" also matches, gives -1). Every named
 *	group of the pattern is set: to its span, or to PCRE2_UNSET for an
 *	optional one the line does not have (a port, notes, the server
 *	address); unnamed groups are never read and are left as they are.
 *
 *	pf_parser_set_fast() (parser.c) turns the fast paths off; the tests
 *	parse every line of the shared corpus both ways and compare the
 *	events (tests/test_fast.c).
 * SECURITY
 *	Every read is bounded by len; the lengths the patterns bound
 *	(names 255, addresses 45, ports 5 digits, ...) are checked here
 *	before a field is taken.
 */
#include <string.h>

#include "parse_int.h"

#define UNSURE	(-1)

/* Byte classes of the patterns (PCRE2 without UTF or UCP: the C
 * locale's; \s is HT, LF, VT, FF, CR and space). */
enum {
	C_SPACE = 1,	/* \s */
	C_ADDR = 2,	/* [0-9A-Fa-f.:] */
	C_DIGIT = 4,	/* \d */
	C_LOWER = 8,	/* [a-z] */
};

static const unsigned char cls[256] = {
	['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\v'] = C_SPACE,
	['\f'] = C_SPACE, ['\r'] = C_SPACE, [' '] = C_SPACE,
	['0'] = C_ADDR | C_DIGIT, ['1'] = C_ADDR | C_DIGIT,
	['2'] = C_ADDR | C_DIGIT, ['3'] = C_ADDR | C_DIGIT,
	['4'] = C_ADDR | C_DIGIT, ['5'] = C_ADDR | C_DIGIT,
	['6'] = C_ADDR | C_DIGIT, ['7'] = C_ADDR | C_DIGIT,
	['8'] = C_ADDR | C_DIGIT, ['9'] = C_ADDR | C_DIGIT,
	['.'] = C_ADDR, [':'] = C_ADDR,
	['A'] = C_ADDR, ['B'] = C_ADDR, ['C'] = C_ADDR, ['D'] = C_ADDR,
	['E'] = C_ADDR, ['F'] = C_ADDR,
	['a'] = C_ADDR | C_LOWER, ['b'] = C_ADDR | C_LOWER,
	['c'] = C_ADDR | C_LOWER, ['d'] = C_ADDR | C_LOWER,
	['e'] = C_ADDR | C_LOWER, ['f'] = C_ADDR | C_LOWER,
	['g'] = C_LOWER, ['h'] = C_LOWER, ['i'] = C_LOWER, ['j'] = C_LOWER,
	['k'] = C_LOWER, ['l'] = C_LOWER, ['m'] = C_LOWER, ['n'] = C_LOWER,
	['o'] = C_LOWER, ['p'] = C_LOWER, ['q'] = C_LOWER, ['r'] = C_LOWER,
	['s'] = C_LOWER, ['t'] = C_LOWER, ['u'] = C_LOWER, ['v'] = C_LOWER,
	['w'] = C_LOWER, ['x'] = C_LOWER, ['y'] = C_LOWER, ['z'] = C_LOWER,
};

/* is - does byte c belong to class k */
static int
is(char c, int k)
{
	return ((cls[(unsigned char)c] & k) != 0);
}

/* run - the end of the run of class-k bytes from i (at most len) */
static size_t
run(const char *s, size_t len, size_t i, int k)
{
	while (i < len && is(s[i], k))
		i++;
	return (i);
}

/* lit - s[*i..] starts with the literal t: step over it; 0 when not */
static int
lit(const char *s, size_t len, size_t *i, const char *t, size_t n)
{
	if (len - *i < n || memcmp(s + *i, t, n) != 0)
		return (0);
	*i += n;
	return (1);
}

#define LIT(s, len, i, t)	lit(s, len, i, t, sizeof(t) - 1)

/* set - group g of pattern i is s[a..b) (a == PCRE2_UNSET: unset) */
static void
set(struct pf_parser *p, enum rx i, enum grp g, size_t a, size_t b)
{
	int		n = p->grp[i][g];

	if (n < 0 || (uint32_t)n >= p->ovn)
		return;
	p->ov[2 * n] = a;
	p->ov[2 * n + 1] = a == PCRE2_UNSET ? PCRE2_UNSET : b;
}

/* addr - ADDR ("[0-9A-Fa-f.:]{1,45}(?:%zone)?|unknown") at *i, followed
 * by the byte end; *i moves onto that byte. A zone gives up. */
static int
addr(const char *s, size_t len, size_t *i, char end, size_t *a, size_t *b)
{
	size_t		 j = run(s, len, *i, C_ADDR);

	if (j == *i) {
		/* The second alternative. */
		if (len - *i < 8 || memcmp(s + *i, "unknown", 7) != 0 ||
		    s[*i + 7] != end)
			return (0);
		j = *i + 7;
	} else if (j - *i > 45 || j >= len || s[j] != end)
		return (0);
	*a = *i;
	*b = j;
	*i = j;
	return (1);
}

/* port - "\d{1,5}" at *i, ending at len or at a byte that is no digit */
static int
port(const char *s, size_t len, size_t *i, size_t *a, size_t *b)
{
	size_t		 j = run(s, len, *i, C_DIGIT);

	if (j == *i || j - *i > 5)
		return (0);
	*a = *i;
	*b = j;
	*i = j;
	return (1);
}

/* namaddr - NAMADDR at *i: name[addr] and an optional ":port" */
static int
namaddr(struct pf_parser *p, enum rx r, const char *s, size_t len,
    size_t *i)
{
	size_t		 j = *i, a, b;

	/* [^\[\]\s]{0,255}, then '[': a name holds no '[', so it ends at
	 * the first byte out of its class, which must be that '['. */
	while (j < len && s[j] != '[' && s[j] != ']' && !is(s[j], C_SPACE))
		j++;
	if (j - *i > 255 || j >= len || s[j] != '[')
		return (0);
	set(p, r, G_NAME, *i, j);
	j++;
	if (!addr(s, len, &j, ']', &a, &b))
		return (0);
	set(p, r, G_ADDR, a, b);
	j++;
	set(p, r, G_PORT, PCRE2_UNSET, 0);
	if (j < len && s[j] == ':') {
		j++;
		if (!port(s, len, &j, &a, &b))
			return (0);
		set(p, r, G_PORT, a, b);
	}
	*i = j;
	return (1);
}

/* psaddr - PSADDR at *i: "[addr]:port" */
static int
psaddr(struct pf_parser *p, enum rx r, const char *s, size_t len,
    size_t *i)
{
	size_t		 j = *i, a, b;

	if (j >= len || s[j] != '[')
		return (0);
	j++;
	if (!addr(s, len, &j, ']', &a, &b))
		return (0);
	set(p, r, G_ADDR, a, b);
	j++;
	if (!LIT(s, len, &j, ":") || !port(s, len, &j, &a, &b))
		return (0);
	set(p, r, G_PORT, a, b);
	*i = j;
	return (1);
}

/* stats - disconnect's "(?: [a-z]{1,12}=\d{1,19}(?:/\d{1,19})?){0,40}"
 * and optional " notes=\S{1,80}", to the end */
static int
stats(struct pf_parser *p, const char *s, size_t len, size_t i)
{
	size_t		 from = i, j, k;
	int		 n;

	for (n = 0; i < len; n++) {
		j = run(s, len, i + 1, C_LOWER);
		if (s[i] != ' ' || j == i + 1 || j >= len || s[j] != '=' ||
		    j + 1 >= len || !is(s[j + 1], C_DIGIT))
			break;	/* no token can start here */
		if (n == 40 || j - i - 1 > 12)
			return (0);
		k = run(s, len, j + 1, C_DIGIT);
		if (k - j - 1 > 19)
			return (0);
		if (k < len && s[k] == '/') {
			j = k + 1;
			k = run(s, len, j, C_DIGIT);
			if (k == j || k - j > 19)
				return (0);
		}
		if (k < len && s[k] != ' ')
			return (0);
		i = k;
	}
	set(p, RX_DISCONNECT, G_STATS, from, i);
	set(p, RX_DISCONNECT, G_NOTES, PCRE2_UNSET, 0);
	if (i == len)
		return (1);
	if (len - i < 8 || memcmp(s + i, " notes=", 7) != 0)
		return (0);
	for (j = i + 7; j < len && !is(s[j], C_SPACE); j++)
		continue;
	if (j != len || j - i - 7 > 80)
		return (0);
	set(p, RX_DISCONNECT, G_NOTES, i + 7, j);
	return (1);
}

/* qid - QID ("NOQUEUE|[0-9A-F]{5,20}|[0-9BCDFGHJ-NP-TV-Zbcdfghj-np-tv-z]
 * {10,20}") at 0, followed by ": "; its length or 0. Every alternative
 * is alphanumeric, so the id is the whole alphanumeric run before the
 * ':', whichever alternative reads it. */
static size_t
qid(const char *s, size_t len)
{
	size_t		 n, hex = 1, lng = 1;
	char		 c;

	for (n = 0; n < len && n <= 20; n++) {
		c = s[n];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z'))
			break;
		if (!(s[n] >= '0' && s[n] <= '9') &&
		    !(s[n] >= 'A' && s[n] <= 'F'))
			hex = 0;
		if (c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U')
			lng = 0;
	}
	if (n + 2 > len || s[n] != ':' || s[n + 1] != ' ')
		return (0);
	if ((n == 7 && memcmp(s, "NOQUEUE", 7) == 0) ||
	    (hex && n >= 5 && n <= 20) || (lng && n >= 10 && n <= 20))
		return (n);
	return (0);
}

/* secs - SECS ("\d{1,10}(?:\.\d{1,9})?") at *i */
static int
secs(struct pf_parser *p, enum rx r, const char *s, size_t len, size_t *i)
{
	size_t		 j = run(s, len, *i, C_DIGIT), k;

	if (j == *i || j - *i > 10)
		return (0);
	if (j < len && s[j] == '.') {
		k = run(s, len, j + 1, C_DIGIT);
		if (k == j + 1 || k - j - 1 > 9)
			return (0);
		j = k;
	}
	set(p, r, G_SECS, *i, j);
	*i = j;
	return (1);
}

/* nonspace - "\S{1,max}" from i to the byte end (0: to the end of s);
 * its end or 0 */
static size_t
nonspace(const char *s, size_t len, size_t i, size_t max, char end)
{
	size_t		 j = i;

	while (j < len && !is(s[j], C_SPACE))
		j++;
	if (j == i || j - i > max)
		return (0);
	if (end == '\0' ? j != len : j >= len || s[j] != end)
		return (0);
	return (j);
}

/* fast_match - see above: 1, or -1 to run the pattern */
int
fast_match(struct pf_parser *p, enum rx r, const char *s, size_t len)
{
	size_t		 i = 0, j, a, b;

	/* The whole match; a group left out of it is set unset below. */
	p->ov[0] = 0;
	p->ov[1] = len;
	switch (r) {
	case RX_CONNECT:
		if (LIT(s, len, &i, "connect from ") &&
		    namaddr(p, r, s, len, &i) && i == len)
			return (1);
		break;
	case RX_DISCONNECT:
		if (LIT(s, len, &i, "disconnect from ") &&
		    namaddr(p, r, s, len, &i) && stats(p, s, len, i))
			return (1);
		break;
	case RX_QUEUED:
		/* Only the plain "QID: client=name[addr]" (no SASL, no
		 * orig_client): what follows NAMADDR gives up. */
		if ((i = qid(s, len)) == 0)
			break;
		set(p, r, G_QID, 0, i);
		i += 2;
		if (!LIT(s, len, &i, "client=") ||
		    !namaddr(p, r, s, len, &i) || i != len)
			break;
		set(p, r, G_SM, PCRE2_UNSET, 0);
		set(p, r, G_SU, PCRE2_UNSET, 0);
		set(p, r, G_SS, PCRE2_UNSET, 0);
		set(p, r, G_OQID, PCRE2_UNSET, 0);
		set(p, r, G_ONAME, PCRE2_UNSET, 0);
		set(p, r, G_OADDR, PCRE2_UNSET, 0);
		return (1);
	case RX_PS_CONNECT:
		if (!LIT(s, len, &i, "CONNECT from ") ||
		    !psaddr(p, r, s, len, &i))
			break;
		set(p, r, G_SADDR, PCRE2_UNSET, 0);
		set(p, r, G_SPORT, PCRE2_UNSET, 0);
		if (i == len)
			return (1);
		if (!LIT(s, len, &i, " to [") ||
		    !addr(s, len, &i, ']', &a, &b))
			break;
		set(p, r, G_SADDR, a, b);
		i++;
		if (!LIT(s, len, &i, ":") || !port(s, len, &i, &a, &b) ||
		    i != len)
			break;
		set(p, r, G_SPORT, a, b);
		return (1);
	case RX_PS_PASS:
		if (!LIT(s, len, &i, "PASS ") || len - i < 4)
			break;
		if (memcmp(s + i, "NEW ", 4) != 0 &&
		    memcmp(s + i, "OLD ", 4) != 0)
			break;
		set(p, r, G_DETAIL, i, i + 3);
		i += 4;
		if (psaddr(p, r, s, len, &i) && i == len)
			return (1);
		break;
	case RX_PS_DISCONNECT:
		if (LIT(s, len, &i, "DISCONNECT ") &&
		    psaddr(p, r, s, len, &i) && i == len)
			return (1);
		break;
	case RX_PS_RANK:
		if (!LIT(s, len, &i, "DNSBL rank "))
			break;
		j = i < len && s[i] == '-' ? i + 1 : i;
		a = j;
		j = run(s, len, j, C_DIGIT);
		if (j == a || j - a > 9)
			break;
		set(p, r, G_COUNT, i, j);
		i = j;
		if (LIT(s, len, &i, " for ") && psaddr(p, r, s, len, &i) &&
		    i == len)
			return (1);
		break;
	case RX_PS_PREGREET:
		if (!LIT(s, len, &i, "PREGREET "))
			break;
		j = run(s, len, i, C_DIGIT);
		if (j == i || j - i > 19)
			break;
		set(p, r, G_BYTES, i, j);
		i = j;
		if (LIT(s, len, &i, " after ") && secs(p, r, s, len, &i) &&
		    LIT(s, len, &i, " from ") && psaddr(p, r, s, len, &i) &&
		    LIT(s, len, &i, ": ")) {
			set(p, r, G_DATA, i, len);	/* .* to the end */
			return (1);
		}
		break;
	case RX_PS_HANGUP:
		if (LIT(s, len, &i, "HANGUP after ") &&
		    secs(p, r, s, len, &i) && LIT(s, len, &i, " from ") &&
		    psaddr(p, r, s, len, &i) && LIT(s, len, &i, " in ") &&
		    len - i >= 1 && len - i <= 100) {
			set(p, r, G_DETAIL, i, len);	/* .{1,100} to the end */
			return (1);
		}
		break;
	case RX_DNSBLOG:
		if (!LIT(s, len, &i, "addr ") ||
		    !addr(s, len, &i, ' ', &a, &b))
			break;
		set(p, r, G_ADDR, a, b);
		if (!LIT(s, len, &i, " listed by domain ") ||
		    (j = nonspace(s, len, i, 255, ' ')) == 0)
			break;
		set(p, r, G_ZONE, i, j);
		i = j;
		if (!LIT(s, len, &i, " as ") ||
		    (j = nonspace(s, len, i, 64, '\0')) == 0)
			break;
		set(p, r, G_ANSWER, i, j);
		return (1);
	default:
		break;
	}
	return (UNSURE);
}

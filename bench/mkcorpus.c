/*	$fivefifty: mkcorpus.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	mkcorpus 1 - scale real Postfix log lines into a large benchmark corpus
 * SYNOPSIS
 *	mkcorpus [-z src]... out_file target_mb src...
 * DESCRIPTION
 *	mkcorpus reads the lines of every src and writes passes over them,
 *	in order, to out_file until it holds at least target_mb MiB (it
 *	stops at the end of a line). Pass 0 is the source lines as they
 *	are; every later pass rewrites each line with keys drawn from a
 *	fixed-seed PRNG, so the output is the same on every run and a
 *	smaller target gives a prefix of a larger one:
 *
 *	-	the time stamp moves on by one day per pass, in the envelope
 *		it had: BSD syslog "Nov  1", maillog_file "Nov 01" or RFC 3339
 *		"2023-03-14T..." (only the date changes);
 *	-	IPv4 addresses in brackets "[a.b.c.d]" and after "addr " or
 *		"address " get their last three octets shifted (1..254 stays
 *		in 1..254, 0 and 255 stay; 127.0.0.1 is left alone);
 *	-	the queue id that opens the message (after "]: " and an
 *		optional Solaris "[ID n mail.info] ") is remapped digit by
 *		digit: short hex ids by XOR, long ids within their alphabet,
 *		keeping the 'z' separator. The map is one-to-one per pass,
 *		so the lines of one message keep one id.
 *
 *	A line starting with the template placeholder "%(day)s" (the
 *	modoboa test log) gets "Jan 11" instead. A two-digit day says
 *	nothing about padding; such a line keeps the style of its file
 *	(the first "Nov  1" or "Nov 01" in it), else zero padding if the
 *	file was named with -z (Postfix maillog_file), else space padding.
 * EXIT STATUS
 *	0 on success, 1 on an I/O error, 64 on a usage error.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB		(1024UL * 1024UL)
#define OUT_CAP		(8 * MIB)	/* output buffer */
#define DAY_STEP	1		/* days the stamps advance per pass */
#define BSD_YEAR	2025		/* year assumed for year-less stamps */
#define QID_MAX		20		/* longest queue id remapped */
#define LG_SEP		10		/* index of 'z' in a long queue id */

struct line {
	char		*s;
	size_t		 len;		/* without the newline */
	int		 zpad;		/* file default: "Nov 01", not "Nov  1" */
};

struct pass {
	long		 days;		/* date shift */
	unsigned	 oct[3];	/* shifts of octets 2-4, 0..253 */
	uint64_t	 hexkey;	/* nibble XOR for short queue ids */
	unsigned char	 lgkey[QID_MAX]; /* rotations for long queue ids */
};

struct out {
	FILE		*fp;
	const char	*path;
	char		*buf;
	size_t		 len, cap;
};

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char hexdig[] = "0123456789ABCDEF";
/* Postfix's long queue id alphabet without 'z', the separator. */
static const char lgalpha[] =
    "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";
#define LG_N		(sizeof(lgalpha) - 1)
static unsigned char lgidx[256];	/* 1 + index in lgalpha, or 0 */

static void	usage(void);
static uint64_t	splitmix64(uint64_t *);
static void	pass_init(struct pass *, unsigned long);
static long	days_from_civil(long, unsigned, unsigned);
static void	civil_from_days(long, long *, unsigned *, unsigned *);
static int	month_of(const char *);
static int	bsd_stamp(const char *, size_t);
static void	load(const char *, int, struct line **, size_t *, size_t *);
static char	*put2(char *, unsigned, char);
static char	*rw_stamp(char *, const char *, size_t, int,
		    const struct pass *, size_t *);
static size_t	quad_parse(const char *, size_t, size_t, unsigned *);
static char	*quad_put(char *, const unsigned *, const struct pass *);
static char	*rw_span(char *, const char *, size_t, size_t,
		    const struct pass *);
static char	*rw_qid(char *, const char *, size_t, size_t *,
		    const struct pass *);
static char	*rw_line(char *, const struct line *, const struct pass *);
static void	out_flush(struct out *);
static void	out_reserve(struct out *, size_t);

/* usage - print the synopsis and exit */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: mkcorpus [-z src]... out_file target_mb src...\n");
	exit(64);
}

/* splitmix64 - next value of a fixed-seed PRNG */
static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z;

	z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* pass_init - the rewrite keys of pass n; pass 0 changes nothing */
static void
pass_init(struct pass *ps, unsigned long n)
{
	uint64_t	st, r;
	size_t		i;

	memset(ps, 0, sizeof(*ps));
	if (n == 0)
		return;
	st = 0x66697665666966ULL ^ (uint64_t)n;	/* "fivefif" */
	ps->days = (long)n * DAY_STEP;
	r = splitmix64(&st);
	for (i = 0; i < 3; i++)
		ps->oct[i] = (unsigned)((r >> (i * 16)) % 254);
	ps->hexkey = splitmix64(&st);
	for (i = 0; i < QID_MAX; i++)
		ps->lgkey[i] = (unsigned char)(splitmix64(&st) % LG_N);
}

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
static long
days_from_civil(long y, unsigned m, unsigned d)
{
	long		era;
	unsigned	yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (long)doe - 719468);
}

/* civil_from_days - the date of a day number from days_from_civil */
static void
civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	long		era;
	unsigned	doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

/* month_of - 1..12 for a three-letter English month name, or 0 */
static int
month_of(const char *s)
{
	int		i;

	for (i = 0; i < 12; i++)
		if (memcmp(s, months + 3 * i, 3) == 0)
			return (i + 1);
	return (0);
}

/* bsd_stamp - whether the line opens with "Mmm dd hh:" (day " d", "0d") */
static int
bsd_stamp(const char *s, size_t len)
{
	return (len >= 16 && s[3] == ' ' && s[6] == ' ' && s[9] == ':' &&
	    (s[4] == ' ' || isdigit((unsigned char)s[4])) &&
	    isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[7]) &&
	    month_of(s) != 0);
}

/* load - append the lines of path to *lines; the text stays allocated */
static void
load(const char *path, int zflag, struct line **lines, size_t *n,
    size_t *cap)
{
	static const char ph[] = "%(day)s", sub[] = "Jan 11";
	FILE		*fp;
	char		*buf, *p, *end, *nl;
	size_t		 len, bcap, got, first;
	int		 zpad = zflag;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	len = 0;
	bcap = 1 << 20;
	if ((buf = malloc(bcap)) == NULL) {
		perror("malloc");
		exit(1);
	}
	while ((got = fread(buf + len, 1, bcap - len, fp)) > 0) {
		len += got;
		if (len == bcap) {
			bcap *= 2;
			if ((buf = realloc(buf, bcap)) == NULL) {
				perror("realloc");
				exit(1);
			}
		}
	}
	if (ferror(fp)) {
		perror(path);
		exit(1);
	}
	fclose(fp);

	/* The style of the file's first one-digit day decides. */
	for (p = buf, end = buf + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (bsd_stamp(p, (size_t)(nl - p)) &&
		    (p[4] == ' ' || p[4] == '0')) {
			zpad = p[4] == '0';
			break;
		}
	}

	first = *n;
	for (p = buf; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl - p >= (long)sizeof(ph) - 1 &&
		    memcmp(p, ph, sizeof(ph) - 1) == 0) {
			/* One byte shorter: write it over the tail. */
			memcpy(p + 1, sub, sizeof(sub) - 1);
			p++;
		}
		if (nl == p || (nl - p == 1 && p[0] == '\r'))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 65536;
			*lines = realloc(*lines, *cap * sizeof(**lines));
			if (*lines == NULL) {
				perror("realloc");
				exit(1);
			}
		}
		(*lines)[*n].s = p;
		(*lines)[*n].len = (size_t)(nl - p);
		(*lines)[*n].zpad = zpad;
		(*n)++;
	}
	if (*n == first)
		fprintf(stderr, "mkcorpus: %s: no lines\n", path);
}

/* put2 - two decimal digits, the first one pad when it would be 0 */
static char *
put2(char *w, unsigned v, char pad)
{
	*w++ = v >= 10 ? (char)('0' + v / 10) : pad;
	*w++ = (char)('0' + v % 10);
	return (w);
}

/* rw_stamp - write the moved date of a BSD or RFC 3339 stamp; *used */
static char *
rw_stamp(char *w, const char *s, size_t len, int zpad,
    const struct pass *ps, size_t *used)
{
	long		 y;
	unsigned	 m, d;
	size_t		 i;

	*used = 0;
	if (ps->days == 0)
		return (w);
	if (bsd_stamp(s, len)) {
		m = (unsigned)month_of(s);
		d = (s[4] == ' ' ? 0 : (unsigned)(s[4] - '0') * 10) +
		    (unsigned)(s[5] - '0');
		if (d < 1 || d > 31)
			return (w);
		if (s[4] == ' ')
			zpad = 0;
		else if (s[4] == '0')
			zpad = 1;
		civil_from_days(days_from_civil(BSD_YEAR, m, d) + ps->days,
		    &y, &m, &d);
		memcpy(w, months + 3 * (m - 1), 3);
		w[3] = ' ';
		w = put2(w + 4, d, zpad ? '0' : ' ');
		*used = 6;
		return (w);
	}
	if (len < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T')
		return (w);
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return (w);
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return (w);
	civil_from_days(days_from_civil(y, m, d) + ps->days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return (w);
	w[0] = (char)('0' + y / 1000);
	w[1] = (char)('0' + y / 100 % 10);
	w[2] = (char)('0' + y / 10 % 10);
	w[3] = (char)('0' + y % 10);
	w[4] = '-';
	w = put2(w + 5, m, '0');
	*w++ = '-';
	w = put2(w, d, '0');
	*used = 10;
	return (w);
}

/* quad_parse - a dotted quad at s[i] into o[4]; its end index, or 0 */
static size_t
quad_parse(const char *s, size_t len, size_t i, unsigned *o)
{
	size_t		 k, nd;

	for (k = 0; k < 4; k++) {
		if (k > 0) {
			if (i >= len || s[i] != '.')
				return (0);
			i++;
		}
		o[k] = 0;
		for (nd = 0; i < len && nd < 4 &&
		    isdigit((unsigned char)s[i]); nd++, i++)
			o[k] = o[k] * 10 + (unsigned)(s[i] - '0');
		if (nd == 0 || nd > 3 || o[k] > 255)
			return (0);
	}
	return (i);
}

/* quad_put - write a dotted quad with octets 2-4 shifted */
static char *
quad_put(char *w, const unsigned *o, const struct pass *ps)
{
	unsigned	 v;
	int		 k;
	int		 keep;

	keep = o[0] == 127 && o[1] == 0 && o[2] == 0 && o[3] == 1;
	for (k = 0; k < 4; k++) {
		v = o[k];
		if (k > 0) {
			*w++ = '.';
			if (!keep && v >= 1 && v <= 254)
				v = 1 + (v - 1 + ps->oct[k - 1]) % 254;
		}
		if (v >= 100)
			*w++ = (char)('0' + v / 100);
		if (v >= 10)
			*w++ = (char)('0' + v / 10 % 10);
		*w++ = (char)('0' + v % 10);
	}
	return (w);
}

/* rw_span - copy s[p..end), shifting "[a.b.c.d]" and "addr a.b.c.d" */
static char *
rw_span(char *w, const char *s, size_t p, size_t end, const struct pass *ps)
{
	const char	*hit;
	size_t		 nb, na, q, k, e;
	unsigned	 o[4];
	int		 first;

	nb = na = 0;
	for (first = 1; p < end; first = 0) {
		/* nb and na are the next '[' and "addr" at or after p. */
		if (first || nb < p) {
			hit = memchr(s + p, '[', end - p);
			nb = hit ? (size_t)(hit - s) : end;
		}
		if (first || na < p) {
			hit = memmem(s + p, end - p, "addr", 4);
			na = hit ? (size_t)(hit - s) : end;
		}
		q = nb < na ? nb : na;
		memcpy(w, s + p, q - p);
		w += q - p;
		p = q;
		if (p >= end)
			break;
		if (p == nb) {
			*w++ = '[';
			p++;
			e = quad_parse(s, end, p, o);
			if (e != 0 && e < end && s[e] == ']') {
				w = quad_put(w, o, ps);
				p = e;
			}
			continue;
		}
		k = p + 4;
		if (k < end && s[k] == ' ')
			k++;
		else if (end - k >= 4 && memcmp(s + k, "ess ", 4) == 0)
			k += 4;
		memcpy(w, s + p, k - p);
		w += k - p;
		p = k;
		if (s[k - 1] != ' ')
			continue;
		e = quad_parse(s, end, p, o);
		if (e != 0 && (e == end || (!isdigit((unsigned char)s[e]) &&
		    !(s[e] == '.' && e + 1 < end &&
		    isdigit((unsigned char)s[e + 1]))))) {
			w = quad_put(w, o, ps);
			p = e;
		}
	}
	return (w);
}

/* rw_qid - write the remapped queue id at s[*p] if there is one */
static char *
rw_qid(char *w, const char *s, size_t len, size_t *p, const struct pass *ps)
{
	size_t		 i = *p, t, n, j;
	int		 hex = 1;
	unsigned	 v;

	for (t = i; t < len && isalnum((unsigned char)s[t]); t++)
		if (!isdigit((unsigned char)s[t]) && (s[t] < 'A' || s[t] > 'F'))
			hex = 0;
	n = t - i;
	if (n < 6 || n > QID_MAX || t + 1 >= len || s[t] != ':' ||
	    s[t + 1] != ' ')
		return (w);
	if (hex) {
		for (j = 0; j < n; j++) {
			v = isdigit((unsigned char)s[i + j]) ?
			    (unsigned)(s[i + j] - '0') :
			    (unsigned)(s[i + j] - 'A' + 10);
			v ^= (unsigned)(ps->hexkey >> (4 * (j % 16))) & 15;
			*w++ = hexdig[v];
		}
	} else if (n >= LG_SEP + 2 && s[i + LG_SEP] == 'z') {
		for (j = 0; j < n; j++) {
			v = lgidx[(unsigned char)s[i + j]];
			if (j == LG_SEP || v == 0)
				*w++ = s[i + j];
			else
				*w++ = lgalpha[(v - 1 + ps->lgkey[j]) % LG_N];
		}
	} else
		return (w);
	*p = t;
	return (w);
}

/* rw_line - write line l as rewritten by pass ps, with its newline */
static char *
rw_line(char *w, const struct line *l, const struct pass *ps)
{
	const char	*s = l->s, *hit;
	size_t		 len = l->len, i, msg;

	if (ps->days == 0) {
		memcpy(w, s, len);
		w[len] = '\n';
		return (w + len + 1);
	}
	w = rw_stamp(w, s, len, l->zpad, ps, &i);
	hit = memmem(s + i, len - i, "]: ", 3);
	if (hit == NULL)
		w = rw_span(w, s, i, len, ps);
	else {
		msg = (size_t)(hit - s) + 3;
		if (len - msg > 4 && memcmp(s + msg, "[ID ", 4) == 0 &&
		    (hit = memmem(s + msg, len - msg, "] ", 2)) != NULL)
			msg = (size_t)(hit - s) + 2;
		w = rw_span(w, s, i, msg, ps);
		w = rw_qid(w, s, len, &msg, ps);
		w = rw_span(w, s, msg, len, ps);
	}
	*w++ = '\n';
	return (w);
}

/* out_flush - write out the buffered bytes */
static void
out_flush(struct out *o)
{
	if (o->len > 0 && fwrite(o->buf, 1, o->len, o->fp) != o->len) {
		perror(o->path);
		exit(1);
	}
	o->len = 0;
}

/* out_reserve - make room for need more bytes in the buffer */
static void
out_reserve(struct out *o, size_t need)
{
	if (o->cap - o->len >= need)
		return;
	out_flush(o);
	if (need > o->cap) {
		o->cap = need;
		if ((o->buf = realloc(o->buf, o->cap)) == NULL) {
			perror("realloc");
			exit(1);
		}
	}
}

/* main - parse the arguments, read the sources, write the corpus */
int
main(int argc, char *argv[])
{
	struct line	*lines = NULL;
	struct pass	 ps;
	struct out	 o;
	const char	**zsrc = NULL;
	size_t		 nlines = 0, lcap = 0, nz = 0, i, j;
	unsigned long	 mb, pass;
	unsigned long long total = 0, target, nout = 0;
	char		*w, *ep;
	int		 ch, z;

	while ((ch = getopt(argc, argv, "z:")) != -1) {
		switch (ch) {
		case 'z':
			zsrc = realloc(zsrc, (nz + 1) * sizeof(*zsrc));
			if (zsrc == NULL) {
				perror("realloc");
				return (1);
			}
			zsrc[nz++] = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3)
		usage();
	mb = strtoul(argv[1], &ep, 10);
	if (*argv[1] == '\0' || *ep != '\0' || mb < 1 || mb > (1UL << 20)) {
		fprintf(stderr, "mkcorpus: bad target_mb: %s\n", argv[1]);
		usage();
	}
	target = (unsigned long long)mb * MIB;

	for (i = 0; i < LG_N; i++)
		lgidx[(unsigned char)lgalpha[i]] = (unsigned char)(i + 1);
	for (i = 2; i < (size_t)argc; i++) {
		for (z = 0, j = 0; j < nz; j++)
			if (strcmp(zsrc[j], argv[i]) == 0)
				z = 1;
		load(argv[i], z, &lines, &nlines, &lcap);
	}
	if (nlines == 0) {
		fprintf(stderr, "mkcorpus: no source lines\n");
		return (1);
	}

	memset(&o, 0, sizeof(o));
	o.path = argv[0];
	o.cap = OUT_CAP;
	if ((o.buf = malloc(o.cap)) == NULL) {
		perror("malloc");
		return (1);
	}
	if ((o.fp = fopen(o.path, "wb")) == NULL) {
		perror(o.path);
		return (1);
	}
	for (pass = 0; total < target; pass++) {
		pass_init(&ps, pass);
		for (i = 0; i < nlines && total < target; i++) {
			out_reserve(&o, 3 * lines[i].len + 64);
			w = rw_line(o.buf + o.len, &lines[i], &ps);
			total += (size_t)(w - (o.buf + o.len));
			o.len = (size_t)(w - o.buf);
			nout++;
		}
	}
	out_flush(&o);
	if (fclose(o.fp) != 0) {
		perror(o.path);
		return (1);
	}
	fprintf(stderr, "mkcorpus: %s: %llu bytes, %llu lines, %lu passes "
	    "over %zu source lines\n", o.path, total, nout, pass, nlines);
	free(o.buf);
	free(lines);
	free(zsrc);
	return (0);
}

/*	$fivefifty: mail.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	mail 3 - the summary as a MIME message, submitted with sendmail
 * SYNOPSIS
 *	int	rp_mail(FILE *fp, struct rp *rp, const struct rp_opts *o,
 *		    const char *to, const char *from);
 *	int	rp_mail_address_ok(const char *addr);
 *	int	rp_sendmail(const char *path, const char *msg, size_t len,
 *		    char *err, size_t errlen);
 * DESCRIPTION
 *	rp_mail() renders the summary twice (text and HTML) and writes a
 *	multipart/alternative message, both parts UTF-8 and quoted-printable
 *	(so no line is longer than 76 characters whatever the report holds),
 *	with Date, From, To, Subject, Message-ID, MIME-Version and
 *	"Auto-Submitted: auto-generated".
 *
 *	rp_mail_address_ok() accepts an address of printable ASCII without
 *	spaces, quotes, angle brackets, commas or semicolons, with one @
 *	(or none: a local name such as "root"), at most 254 bytes: what a
 *	header can carry as it is.
 *
 *	rp_sendmail() runs PATH with the argv { "sendmail", "-t", "-oi" } by
 *	spawn_run() (util/spawn.h: no shell, default signals), with an
 *	environment of MAIL_CONFIG alone when it is set (so a Postfix
 *	instance can be named), the message on its standard input, its
 *	standard output and error fivefifty's; it is killed after
 *	MAIL_SENDMAIL_TIMEOUT seconds.
 * SECURITY
 *	No header holds text from a log line: the subject is the host name
 *	(escaped to printable ASCII) and times; To and From are the
 *	administrator's, checked by rp_mail_address_ok().
 * DIAGNOSTICS
 *	rp_mail() returns -1 when memory or the output fails; rp_sendmail()
 *	-1 with the reason in err (cannot run, a write failed, killed by a
 *	signal or at the timeout, exit status N), as spawn_run() says it.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rp_int.h"
#include "util/spawn.h"

#define MAIL_SENDMAIL_TIMEOUT	120	/* seconds */

/* qp - bytes as quoted-printable (RFC 2045); lines end in LF, the local
 * convention sendmail(1) expects (it makes CRLF on the wire) */
static void
qp(FILE *fp, const char *s, size_t n)
{
	size_t	i, col = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\n') {
			fputs("\n", fp);
			col = 0;
			continue;
		}
		int plain = (c >= 33 && c <= 126 && c != '=') ||
		    (c == ' ' && i + 1 < n && s[i + 1] != '\n');
		if (col + (plain ? 1 : 3) > 75) {
			fputs("=\n", fp);
			col = 0;
		}
		if (plain) {
			fputc(c, fp);
			col++;
		} else {
			fprintf(fp, "=%02X", c);
			col += 3;
		}
	}
	if (col > 0)
		fputs("\n", fp);
}

/* safe_host - the host name for the headers: letters, digits, dots and
 * hyphens (anything else becomes a hyphen) */
static void
safe_host(const char *in, char *out, size_t len)
{
	size_t	i, w = 0;

	for (i = 0; in != NULL && in[i] != '\0' && w + 1 < len; i++) {
		unsigned char c = (unsigned char)in[i];
		out[w++] = (isalnum(c) && c < 0x80) || c == '.' || c == '-' ?
		    (char)c : '-';
	}
	out[w] = '\0';
	if (w == 0)
		snprintf(out, len, "localhost");
}

/* rp_mail_address_ok - an address a header can hold as it is */
int
rp_mail_address_ok(const char *a)
{
	size_t	n = 0;
	int	at = 0;

	if (a == NULL || *a == '\0' || *a == '-')
		return (0);
	for (; a[n] != '\0'; n++) {
		unsigned char c = (unsigned char)a[n];
		if (c <= 0x20 || c >= 0x7f || strchr("\"<>(),;:\\[]", c))
			return (0);
		if (c == '@' && ++at > 1)
			return (0);
	}
	return (n <= 254 && a[n - 1] != '@' && a[0] != '@');
}

/* render - one summary part into memory */
static char *
render(struct rp *rp, const struct rp_opts *o, enum rp_format f, size_t *n)
{
	struct rp_opts	 po = *o;
	char		*buf = NULL;
	FILE		*fp;

	po.format = f;
	if ((fp = open_memstream(&buf, n)) == NULL)
		return (NULL);
	if (rp_summary(fp, rp, &po) == -1) {
		fclose(fp);
		free(buf);
		return (NULL);
	}
	if (fclose(fp) != 0) {
		free(buf);
		return (NULL);
	}
	return (buf);
}

/* rp_mail - the summary as a MIME message */
int
rp_mail(FILE *fp, struct rp *rp, const struct rp_opts *o, const char *to,
    const char *from)
{
	char		 host[256], date[64], a[32], b[32], boundary[64];
	char		*text, *html;
	size_t		 ntext, nhtml;
	struct tm	 tm;
	time_t		 now = time(NULL);
	uint64_t	 r;

	safe_host(o->host, host, sizeof(host));
	if ((text = render(rp, o, RP_TEXT, &ntext)) == NULL)
		return (-1);
	if ((html = render(rp, o, RP_HTML, &nhtml)) == NULL) {
		free(text);
		return (-1);
	}
	localtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	r = ((uint64_t)arc4random() << 32) | arc4random();
	snprintf(boundary, sizeof(boundary), "=_fivefifty_%016llx",
	    (unsigned long long)r);
	fprintf(fp, "Date: %s\n", date);
	fprintf(fp, "From: fivefifty <%s>\n", from);
	fprintf(fp, "To: %s\n", to);
	if (rp->from != RP_OPEN_FROM && rp->until != RP_OPEN_UNTIL)
		fprintf(fp, "Subject: fivefifty summary for %s, %s to %s\n",
		    host, out_time(rp->from, a, sizeof(a)),
		    out_time(rp->until, b, sizeof(b)));
	else
		fprintf(fp, "Subject: fivefifty summary for %s, %s to %s\n",
		    host, out_time(rp->data_first == LLONG_MAX ? 0 :
		    rp->data_first, a, sizeof(a)), out_time(rp_last_time(rp), b,
		    sizeof(b)));
	fprintf(fp, "Message-ID: <fivefifty.%lld.%ld.%016llx@%s>\n",
	    (long long)now, (long)getpid(), (unsigned long long)r, host);
	fputs("Auto-Submitted: auto-generated\n", fp);
	fputs("MIME-Version: 1.0\n", fp);
	fprintf(fp, "Content-Type: multipart/alternative; boundary=\"%s\"\n",
	    boundary);
	fputs("\nThis is a MIME message: a text and an HTML part.\n", fp);
	fprintf(fp, "\n--%s\n", boundary);
	fputs("Content-Type: text/plain; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n", fp);
	qp(fp, text, ntext);
	fprintf(fp, "\n--%s\n", boundary);
	fputs("Content-Type: text/html; charset=UTF-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n", fp);
	qp(fp, html, nhtml);
	fprintf(fp, "\n--%s--\n", boundary);
	free(text);
	free(html);
	return (ferror(fp) ? -1 : 0);
}

/* rp_sendmail - submit a message with "path -t -oi" */
int
rp_sendmail(const char *path, const char *msg, size_t len, char *err,
    size_t errlen)
{
	static const char *const pass[] = { "MAIL_CONFIG", NULL };
	char		*argv[] = { "sendmail", "-t", "-oi", NULL };
	struct spawn	 sp;

	memset(&sp, 0, sizeof(sp));
	sp.path = path;
	sp.argv = argv;
	sp.pass = pass;
	sp.in = msg;
	sp.inlen = len;
	sp.timeout = MAIL_SENDMAIL_TIMEOUT;
	return (spawn_run(&sp, err, errlen));
}

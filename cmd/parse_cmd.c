/*	$fivefifty: parse_cmd.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	parse_cmd 3 - `fivefifty parse`: print the events in Postfix logs
 * SYNOPSIS
 *	int	cmd_parse(int argc, char **argv);
 * DESCRIPTION
 *	Reads each FILE (or stdin for "-"; with no FILE, the global --log
 *	files when given, else stdin) through the tailer's
 *	line reader (lines_open(): plain data, lines over 64 KiB cut and
 *	counted), parses every line and prints the events (text or
 *	JSON), or only the unrecognised Postfix lines (--unmatched), or
 *	nothing (--count). A summary goes to stderr. JSON goes through one
 *	large buffer (util/obuf.h), written in chunks: with stdio field by
 *	field, writing cost three times the parsing (issue 17).
 *
 *	With --threads N > 1 the lines are parsed on N threads (par.h) and
 *	counted and printed here in their order, by the same one_line():
 *	the output does not depend on N.
 *
 *	Year-less stamps are read against the file's modification time
 *	(its last line was written no later than that), stdin against now,
 *	or against the end of the year given with --year.
 * DIAGNOSTICS
 *	A file that cannot be opened or read is reported and skipped; the
 *	exit status then says so (66 or 74). Unrecognised lines are counted,
 *	never an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "parse/par.h"
#include "tailer/tailer.h"
#include "util/obuf.h"
#include "util/util.h"

enum out_mode { OUT_TEXT, OUT_JSON, OUT_UNMATCHED, OUT_COUNT };

struct parse_stats {
	unsigned long long lines, bytes, cut;
	unsigned long long result[PF_EVENT + 1];
	unsigned long long kind[PF_EV_COUNT];
	unsigned long long class[PF_CLASS_COUNT];
};

const char parse_usage[] =
    "usage: fivefifty parse [--json | --unmatched | --count] [--year YEAR]"
    " [--threads N]\n"
    "                       [FILE ... | -]\n";

const char parse_help[] =
"NAME\n"
"     fivefifty parse - print the client events in Postfix log files\n"
"\n"
"SYNOPSIS\n"
"     fivefifty parse [--json | --unmatched | --count] [--year YEAR]\n"
"                     [--threads N] [FILE ... | -]\n"
"\n"
"DESCRIPTION\n"
"     Reads Postfix log files (standard input when FILE is -; with no\n"
"     FILE, the files of the global --log options, else standard input)\n"
"     and prints one line per recognised event: rejects (reject,\n"
"     reject_warning, milter-reject, hold, discard, filter, redirect), smtpd\n"
"     session lines (connect, queued, disconnect with its command\n"
"     counters, lost connection / timeout / too many errors), improper\n"
"     pipelining, non-SMTP commands, illegal address syntax, SASL\n"
"     authentication failures, anvil rate limits, FCrDNS failures, every\n"
"     postscreen verdict, and dnsblog listings.\n"
"\n"
"     Envelopes: BSD syslog (\"Nov  1 02:11:18\"), Postfix's maillog_file\n"
"     (\"Nov 01\"), RFC 3339 with any fraction and offset, journalctl\n"
"     short-iso (\"+0000\") and short-full, and Solaris \"[ID n mail.info]\".\n"
"     Any syslog_name works: postfix/smtpd, postfix/submission/smtpd,\n"
"     postfix-out/smtpd.\n"
"\n"
"     The client address is only ever taken from the place Postfix writes\n"
"     it (name[addr] or [addr]:port), validated, and printed in canonical\n"
"     form (IPv6 compressed). Text that clients sent is escaped.\n"
"\n"
"     A summary goes to standard error: lines read, events by kind,\n"
"     rejects by class, Postfix lines of other programs, unrecognised\n"
"     lines (of smtpd, postscreen, dnsblog, or reject-shaped cleanup\n"
"     lines, that match no known shape), and lines cut at 64 KiB.\n"
"\n"
"OPTIONS\n"
"     --json       One JSON object per event and line. Keys always\n"
"                  present (null when the line has no such field): time,\n"
"                  host, program, tag, pid, queue_id, event, action, stage,\n"
"                  client_name, client_ip, client_port, code, dsn, class,\n"
"                  reason, from, to, proto, helo. Event keys when present:\n"
"                  enforced, object, sasl_method, sasl_username,\n"
"                  sasl_sender, counters, notes, end, bytes, seconds,\n"
"                  detail, command, rank, count, service, ptr_name, zone,\n"
"                  answer, server_ip, server_port, orig_queue_id,\n"
"                  orig_client_name, orig_client_ip, data.\n"
"     --unmatched  Print only the unrecognised Postfix lines, as\n"
"                  FILE:LINE: TEXT (what fail2ban-regex and pflogsumm call\n"
"                  missed lines).\n"
"     --count      Print nothing but the summary.\n"
"     --year YEAR  Read year-less time stamps as of YEAR (a log spanning\n"
"                  New Year still moves on to YEAR+1). Default: the year\n"
"                  of the file's modification time, or now for stdin.\n"
"     --threads N  Parse on N threads (default, and 0: one per CPU the\n"
"                  command may run on, so one under taskset -c 0); the\n"
"                  lines are still counted and printed in their order, so\n"
"                  the output is the same whatever N. 1 parses on the\n"
"                  main thread alone.\n"
"     -h, --help   This text.\n"
"\n"
"EXIT STATUS\n"
"     0 all input read; 64 usage error; 66 a FILE could not be opened;\n"
"     74 a read error. Unrecognised lines are not an error.\n"
"\n"
"EXAMPLES\n"
"     fivefifty parse /var/log/mail.log\n"
"     fivefifty parse --json /var/log/mail.log | jq 'select(.event==\"reject\")'\n"
"     zcat /var/log/mail.log.2.gz | fivefifty parse --unmatched -\n";

/* What one run of parse works with. */
struct parse_run {
	struct pf_parser *p;
	struct par	*par;		/* NULL: parse on this thread */
	enum out_mode	 mode;
	struct obuf	*ob;
	struct parse_stats *st;
	const char	*name;		/* the input being read */
	unsigned long long n;		/* its line number */
};

/* one_line - count and print one parsed line (par_fn: in input order) */
static void
one_line(void *arg, const char *line, size_t len, enum pf_result r,
    struct pf_event *ev, const void *aux)
{
	struct parse_run *pr = arg;
	struct parse_stats *st = pr->st;

	(void)aux;
	pr->n++;
	st->lines++;
	st->bytes += len + 1;
	st->result[r]++;
	if (r == PF_EVENT) {
		st->kind[ev->kind]++;
		if (ev->kind == PF_EV_REJECT)
			st->class[ev->class]++;
		if (pr->mode == OUT_JSON)
			event_json(pr->ob, ev);
		else if (pr->mode == OUT_TEXT)
			event_text(stdout, ev);
	} else if (r == PF_UNRECOGNISED && pr->mode == OUT_UNMATCHED) {
		esc_text(stdout, pr->name, strlen(pr->name), 0);
		printf(":%llu: ", pr->n);
		esc_text(stdout, line, len, 0);
		putchar('\n');
	}
}

/* parse_lines - parse every line of one input (on the threads of pr->par
 * when there are) */
static int
parse_lines(struct parse_run *pr, struct lines *lr)
{
	struct pf_event	 ev;
	const char	*line;
	size_t		 len;
	int		 rc;

	pr->n = 0;
	while ((rc = lines_next(lr, &line, &len)) == 1) {
		if (pr->par != NULL)
			par_line(pr->par, line, len, NULL);
		else
			one_line(pr, line, len, pf_parse_line(pr->p, line, len,
			    &ev), &ev, NULL);
	}
	if (pr->par != NULL)
		par_drain(pr->par);
	pr->st->cut += lines_cut(lr);
	if (rc == -1) {
		log_warn("parse: read %s", pr->name);
		return (EX_IOERR);
	}
	return (EX_OK);
}

/* year_end - noon on the last day of year, local time (--year) */
static time_t
year_end(long year)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int)year - 1900;
	tm.tm_mon = 11;
	tm.tm_mday = 31;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	return (mktime(&tm));
}

/* parse_file - open one input ("-": stdin) and parse it */
static int
parse_file(struct parse_run *pr, const char *name, long year)
{
	struct lines	*lr;
	time_t		 mtime;
	int		 r;

	if ((lr = lines_open(name, 0, &mtime)) == NULL) {
		log_warn("parse: %s", name);
		return (EX_NOINPUT);
	}
	if (pr->par != NULL)
		par_reference(pr->par, year != 0 ? year_end(year) : mtime);
	else
		pf_parser_set_reference(pr->p, year != 0 ? year_end(year) :
		    mtime);
	pr->name = name;
	r = parse_lines(pr, lr);
	lines_free(lr);
	return (r);
}

/* print_summary - the counts, to stderr */
static void
print_summary(const struct parse_stats *st)
{
	int		i;

	fprintf(stderr, "fivefifty parse: %llu lines read (%llu bytes)\n",
	    st->lines, st->bytes);
	fprintf(stderr, "  %llu events, %llu other Postfix lines, "
	    "%llu unrecognised Postfix lines, %llu not Postfix, %llu cut at "
	    "64 KiB\n", st->result[PF_EVENT], st->result[PF_OTHER],
	    st->result[PF_UNRECOGNISED], st->result[PF_NOT_POSTFIX], st->cut);
	fputs("  events by kind:", stderr);
	for (i = 1; i < PF_EV_COUNT; i++)
		if (st->kind[i] != 0)
			fprintf(stderr, " %s=%llu", pf_kind_name(i), st->kind[i]);
	fputs("\n  rejects by class:", stderr);
	for (i = 1; i < PF_CLASS_COUNT; i++)
		if (st->class[i] != 0)
			fprintf(stderr, " %s=%llu", pf_class_name(i),
			    st->class[i]);
	fputc('\n', stderr);
}

/* parse_args - the options into *mode, *year and *threads: -1 to go on,
 * else the exit status */
static int
parse_args(int argc, char **argv, enum out_mode *mode, long *year,
    int *threads)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "unmatched", no_argument, NULL, 'u' },
		{ "count", no_argument, NULL, 'c' },
		{ "year", required_argument, NULL, 'y' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char		*end;
	int		 ch, nmodes = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
		case 'u':
		case 'c':
			*mode = ch == 'j' ? OUT_JSON : ch == 'u' ?
			    OUT_UNMATCHED : OUT_COUNT;
			nmodes++;
			break;
		case 'y':
			errno = 0;
			*year = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || *year < 1970 ||
			    *year > 9999) {
				fprintf(stderr, "fivefifty parse: --year: "
				    "expected a year from 1970 to 9999\n");
				return (EX_USAGE);
			}
			break;
		case 't':
			if ((*threads = par_threads_arg("parse", optarg)) == -1)
				return (EX_USAGE);
			break;
		case 'h':
			fputs(parse_help, stdout);
			return (EX_OK);
		default:
			fputs(parse_usage, stderr);
			return (EX_USAGE);
		}
	}
	if (nmodes > 1) {
		fprintf(stderr, "fivefifty parse: --json, --unmatched and "
		    "--count exclude each other\n%s", parse_usage);
		return (EX_USAGE);
	}
	return (-1);
}

/* cmd_parse - fivefifty parse [options] [FILE ... | -] */
int
cmd_parse(int argc, char **argv)
{
	static const char *const stdin_only[] = { "-" };
	static char	 stdout_buf[1 << 16];
	struct parse_stats st;
	struct obuf	 ob;
	struct pf_parser *p;
	struct parse_run pr;
	enum out_mode	 mode = OUT_TEXT;
	const char *const *names;
	char		 err[256];
	long		 year = 0;
	int		 i, n, r, status = EX_OK, threads;

	threads = par_threads_default();
	if ((r = parse_args(argc, argv, &mode, &year, &threads)) != -1)
		return (r);
	if ((p = pf_parser_new(err, sizeof(err))) == NULL) {
		fprintf(stderr, "fivefifty parse: %s\n", err);
		return (EX_SOFTWARE);
	}
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	/* --json: into one large buffer, written a chunk at a time. */
	ob_init(&ob, stdout, 1 << 18);
	memset(&st, 0, sizeof(st));
	names = (const char *const *)(argv + optind);
	if ((n = argc - optind) == 0 && cmd_g.nlogs > 0) {
		names = cmd_g.logs;	/* fivefifty --log FILE parse */
		n = cmd_g.nlogs;
	} else if (n == 0) {
		names = stdin_only;
		n = 1;
	}
	memset(&pr, 0, sizeof(pr));
	pr.p = p;
	pr.mode = mode;
	pr.ob = &ob;
	pr.st = &st;
	/* One thread: parse on this one, as always. */
	if (threads > 1)
		pr.par = par_new(threads, 0, one_line, &pr, p);
	for (i = 0; i < n; i++) {
		/* A missing file says so over an earlier read error. */
		r = parse_file(&pr, names[i], year);
		if (r == EX_NOINPUT || (r != EX_OK && status == EX_OK))
			status = r;
	}
	par_free(pr.par);
	if (ob_flush(&ob) == -1 || fflush(stdout) == EOF) {
		log_warn("parse: standard output");
		status = EX_IOERR;
	}
	ob_free(&ob);
	print_summary(&st);
	pf_parser_free(p);
	return (status);
}

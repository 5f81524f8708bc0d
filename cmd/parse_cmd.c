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
 *	line splitter, parses every line and prints the events (text or
 *	JSON), or only the unrecognised Postfix lines (--unmatched), or
 *	nothing (--count). A summary goes to stderr.
 *
 *	Year-less stamps are read against the file's modification time
 *	(its last line was written no later than that), stdin against now,
 *	or against the end of the year given with --year.
 * DIAGNOSTICS
 *	A file that cannot be opened or read is reported and skipped; the
 *	exit status then says so (66 or 74). Unrecognised lines are counted,
 *	never an error.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "tailer/tailer.h"
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
    " [FILE ... | -]\n";

const char parse_help[] =
"NAME\n"
"     fivefifty parse - print the client events in Postfix log files\n"
"\n"
"SYNOPSIS\n"
"     fivefifty parse [--json | --unmatched | --count] [--year YEAR]\n"
"                     [FILE ... | -]\n"
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

/* parse_fd - parse every line of one input */
static int
parse_fd(struct pf_parser *p, int fd, const char *name, enum out_mode mode,
    struct parse_stats *st)
{
	struct pf_event	 ev;
	struct lines	*lr;
	enum pf_result	 r;
	const char	*line;
	size_t		 len;
	unsigned long long n = 0;
	int		 rc;

	if ((lr = lines_new(fd, 0)) == NULL)
		fatal(EX_OSERR, "parse: %s", name);
	while ((rc = lines_next(lr, &line, &len)) == 1) {
		n++;
		st->bytes += len + 1;
		r = pf_parse_line(p, line, len, &ev);
		st->result[r]++;
		if (r == PF_EVENT) {
			st->kind[ev.kind]++;
			if (ev.kind == PF_EV_REJECT)
				st->class[ev.class]++;
			if (mode == OUT_JSON)
				event_json(stdout, &ev);
			else if (mode == OUT_TEXT)
				event_text(stdout, &ev);
		} else if (r == PF_UNRECOGNISED && mode == OUT_UNMATCHED) {
			esc_text(stdout, name, strlen(name), 0);
			printf(":%llu: ", n);
			esc_text(stdout, line, len, 0);
			putchar('\n');
		}
	}
	st->lines += n;
	st->cut += lines_cut(lr);
	lines_free(lr);
	if (rc == -1) {
		log_warn("parse: read %s", name);
		return (EX_IOERR);
	}
	return (EX_OK);
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

/* cmd_parse - fivefifty parse [options] [FILE ... | -] */
int
cmd_parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "unmatched", no_argument, NULL, 'u' },
		{ "count", no_argument, NULL, 'c' },
		{ "year", required_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct parse_stats st;
	struct pf_parser *p;
	enum out_mode	 mode = OUT_TEXT;
	struct stat	 sb;
	struct tm	 tm;
	static const char *const stdin_only[] = { "-" };
	const char *const *names;
	char		 err[256], *end;
	long		 year = 0;
	int		 ch, i, fd, status = EX_OK, r, nmodes = 0, n;
	static char	 stdout_buf[1 << 16];

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			mode = OUT_JSON;
			nmodes++;
			break;
		case 'u':
			mode = OUT_UNMATCHED;
			nmodes++;
			break;
		case 'c':
			mode = OUT_COUNT;
			nmodes++;
			break;
		case 'y':
			errno = 0;
			year = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || year < 1970 ||
			    year > 9999) {
				fprintf(stderr, "fivefifty parse: --year: "
				    "expected a year from 1970 to 9999\n");
				return (EX_USAGE);
			}
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
	if ((p = pf_parser_new(err, sizeof(err))) == NULL) {
		fprintf(stderr, "fivefifty parse: %s\n", err);
		return (EX_SOFTWARE);
	}
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	memset(&st, 0, sizeof(st));
	names = (const char *const *)(argv + optind);
	if ((n = argc - optind) == 0 && cmd_g.nlogs > 0) {
		names = cmd_g.logs;	/* fivefifty --log FILE parse */
		n = cmd_g.nlogs;
	} else if (n == 0) {
		names = stdin_only;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		const char *name = names[i];

		if (strcmp(name, "-") == 0) {
			fd = STDIN_FILENO;
			sb.st_mtime = time(NULL);
		} else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) == -1 ||
		    fstat(fd, &sb) == -1) {
			log_warn("parse: %s", name);
			if (fd != -1)
				close(fd);
			status = EX_NOINPUT;
			continue;
		}
		if (year != 0) {
			memset(&tm, 0, sizeof(tm));
			tm.tm_year = (int)year - 1900;
			tm.tm_mon = 11;
			tm.tm_mday = 31;
			tm.tm_hour = 12;
			tm.tm_isdst = -1;
			sb.st_mtime = mktime(&tm);
		}
		pf_parser_set_reference(p, sb.st_mtime);
		r = parse_fd(p, fd, name, mode, &st);
		if (r != EX_OK && status == EX_OK)
			status = r;
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (fflush(stdout) == EOF) {
		log_warn("parse: standard output");
		status = EX_IOERR;
	}
	print_summary(&st);
	pf_parser_free(p);
	return (status);
}

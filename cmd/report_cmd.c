/*	$fivefifty: report_cmd.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	report_cmd 3 - `fivefifty report`: the reports, from the state
 *	database or straight from log files
 * SYNOPSIS
 *	int	cmd_report(int argc, char **argv);
 * DESCRIPTION
 *	Parses the options, sets the period (whole hours), fills a struct rp
 *	from the state (reports/state_read.c) or from the logs
 *	(report_logs.c), and writes the report, or mails the summary.
 * DIAGNOSTICS
 *	Exit 0; 64 usage; 65 a bad time or duration; 66 a log or the state
 *	cannot be read; 69 sendmail failed; 74 output failed; 78 the
 *	configuration is wrong.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf/conf.h"
#include "firewall/firewall.h"
#include "reports/reports.h"
#include "score/score.h"
#include "tailer/tailer.h"
#include "util/util.h"


const char report_usage[] =
    "usage: fivefifty report helo|fivefifties|summary [--since DURATION | "
    "--from TIME [--until TIME]]\n"
    "           [--format text|csv|json|html|postfix] [--top N] [--all]\n"
    "           [--db FILE | --log FILE ... | FILE ... | - |\n"
    "            --journal [--journal-directory DIR | --journal-file FILE ...]]\n"
    "           [--mail-to ADDR [--mail-from ADDR]] [--host NAME]\n";

const char report_help[] =
"NAME\n"
"     fivefifty report - top rejected HELO names, the five-fifties table,\n"
"     the daily summary\n"
"\n"
"SYNOPSIS\n"
"     fivefifty report helo [OPTIONS]\n"
"     fivefifty report fivefifties [--all] [--format postfix] [OPTIONS]\n"
"     fivefifty report summary [--mail-to ADDR [--mail-from ADDR]]\n"
"                              [OPTIONS]\n"
"\n"
"DESCRIPTION\n"
"     helo        The most rejected HELO/EHLO names: rejects (enforced\n"
"                 ones, queue-id and postscreen rejects included),\n"
"                 distinct clients, the most common reason class, first\n"
"                 and last seen.\n"
"     fivefifties The clients that came back after a permanent (5xx)\n"
"                 rejection: address and verified name, that first\n"
"                 rejection (time, code, reason), how many later sessions\n"
"                 it came back with nothing accepted and the last one,\n"
"                 its sessions in the period, its status (banned until,\n"
"                 watching for fivefifty_window after its last session,\n"
"                 expired) and its bans. --all adds those that never came\n"
"                 back. --format postfix prints a ready check_client_access\n"
"                 table of them (loopback, whitelisted clients and this\n"
"                 host's own addresses left out).\n"
"     summary     The daily summary for cron: period and host; totals\n"
"                 (connections, sessions, accepted messages, rejects,\n"
"                 distinct clients, new bans) against the period before;\n"
"                 rejects by class and code; new bans with reasons; bans\n"
"                 in force; top offenders; top rejected HELO names,\n"
"                 targeted unknown recipients and rejected senders; an\n"
"                 activity chart per hour (per hour of the day for periods\n"
"                 over 48 hours).\n"
"\n"
"     The source is the state database (the daemon's or scan's), or, with\n"
"     --log FILE (repeatable), FILE arguments or - (standard input), the\n"
"     logs themselves: no daemon, no database; gzip'd files are read as\n"
"     they are. Logs are scored as scan would, so \"bans\" are those\n"
"     fivefifty would have made. Give rotated files oldest first.\n"
"\n"
"     Counts are kept per hour of log time, so periods are whole hours:\n"
"     --from rounds down and --until up to the hour. The state keeps the\n"
"     last 30 days of log time; within them, a report from the state and\n"
"     one from the same logs agree. Times print in local time.\n"
"     Statuses (banned, watching) are taken at the log time of the state\n"
"     (or at the end of the logs read).\n"
"\n"
"     Every value a client sent (HELO names, addresses, reasons) was\n"
"     escaped when counted (bytes outside printable ASCII as \\xNN) and is\n"
"     escaped again for the format: HTML entities, JSON string escapes,\n"
"     RFC 4180 CSV quoting (a leading = + - @ gets a ' so spreadsheets\n"
"     run no formula), and cut to fit the column in text.\n"
"\n"
"OPTIONS\n"
"     --since DURATION  The last DURATION up to the end of this hour\n"
"                       (90m, 24h, 7d, 2w). The summary's default is 24h;\n"
"                       the others cover all the data by default.\n"
"     --from TIME, --until TIME\n"
"                       The period; TIME is local, YYYY-MM-DD[ HH:MM[:SS]]\n"
"                       (or with T), @SECONDS since the epoch, or a\n"
"                       duration ago (7d).\n"
"     --format F        text (default: fits 80 columns), csv, json, html;\n"
"                       postfix for fivefifties.\n"
"     --top N           Rows in each table (default 20, the summary's\n"
"                       10; 0: all).\n"
"     --all             fivefifties: also clients that never came back.\n"
"     --db FILE         The state database (default state_db).\n"
"     --log FILE        Read this log instead of the state (repeatable).\n"
"     --journal         Read the systemd journal instead of the state\n"
"                       (journal_match's entries, by default every\n"
"                       Postfix instance; from a fivefifty_window, at\n"
"                       least a day, before the period).\n"
"     --journal-directory DIR, --journal-file FILE\n"
"                       The journal files of DIR, or these files\n"
"                       (repeatable), instead of the system's journal;\n"
"                       each implies --journal.\n"
"     --mail-to ADDR    summary: mail it (text and HTML alternatives) to\n"
"                       ADDR through sendmail_path -t -oi instead of\n"
"                       printing it.\n"
"     --mail-from ADDR  The sender (default: fivefifty's own, as sendmail\n"
"                       sets it, root@ the host).\n"
"     --host NAME       The host named in the summary and its subject\n"
"                       (default: this host's name).\n"
"     -c FILE           The configuration (whitelist, fivefifty_window,\n"
"                       scoring for --log, sendmail_path, state_db).\n"
"\n"
"EXAMPLES\n"
"     fivefifty report helo --since 7d\n"
"     fivefifty report fivefifties --format postfix > /etc/postfix/550s\n"
"     fivefifty report summary --log /var/log/mail.log.1 --format html\n"
"     fivefifty report summary --since 24h --mail-to root\n"
"\n"
"EXIT STATUS\n"
"     0 done; 64 usage; 65 a bad TIME or DURATION; 66 a log or the state\n"
"     cannot be read; 69 the mail could not be submitted (the reason is\n"
"     printed); 74 writing the report failed; 78 the configuration is\n"
"     wrong.\n";

#define REPORT_MAX_LOGS	128	/* --log and FILE arguments */

static struct ff_conf conf;
static struct fw_conf protect;		/* cmd_protect()'s list */

/* protected - never in a postfix table: what the enforcer never bans */
static int
protected(const char *addr)
{
	struct net_prefix n;

	return (net_parse(addr, &n) == -1 || fw_protects(&protect, &n));
}

/* cmd_report - fivefifty report WHAT [OPTIONS] */
int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'F' },
		{ "top", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "db", required_argument, NULL, 'd' },
		{ "log", required_argument, NULL, 'l' },
		{ "mail-to", required_argument, NULL, 'm' },
		{ "mail-from", required_argument, NULL, 'M' },
		{ "host", required_argument, NULL, 'H' },
		{ "journal", no_argument, NULL, CJ_JOURNAL },
		{ "journal-directory", required_argument, NULL, CJ_DIR },
		{ "journal-file", required_argument, NULL, CJ_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rp_opts	 o;
	struct rp	*rp;
	struct cmd_journal cj;
	struct journal_opts jo;
	const char	*what, *cpath = NULL, *db = NULL, *since = NULL;
	const char	*from_s = NULL, *until_s = NULL, *mail_to = NULL;
	const char	*mail_from = NULL, *host = NULL;
	char		*logs[REPORT_MAX_LOGS], err[512], hostname[256];
	char		*e, *msg = NULL;
	long long	 from = RP_OPEN_FROM, until = RP_OPEN_UNTIL, now = 0;
	long long	 lo, hi;
	double		 secs;
	size_t		 msglen = 0;
	FILE		*fp;
	int		 ch, nlogs = 0, status = EX_OK, i, rc;

	memset(&o, 0, sizeof(o));
	memset(&cj, 0, sizeof(cj));
	o.top = -1;
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0)) {
			fputs(report_help, stdout);
			return (EX_OK);
		}
		fputs(report_usage, stderr);
		return (EX_USAGE);
	}
	what = argv[1];
	if (strcmp(what, "helo") != 0 && strcmp(what, "fivefifties") != 0 &&
	    strcmp(what, "summary") != 0) {
		fprintf(stderr, "fivefifty report: unknown report \"%s\" "
		    "(helo, fivefifties or summary)\n", what);
		fputs(report_usage, stderr);
		return (EX_USAGE);
	}
	argc--;
	argv++;
	optind = 0;	/* glibc: start afresh (main's getopt ran before) */
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': cpath = optarg; break;
		case 's': since = optarg; break;
		case 'f': from_s = optarg; break;
		case 'u': until_s = optarg; break;
		case 'a': o.all = 1; break;
		case 'd': db = optarg; break;
		case 'm': mail_to = optarg; break;
		case 'M': mail_from = optarg; break;
		case 'H': host = optarg; break;
		case CJ_JOURNAL:
		case CJ_DIR:
		case CJ_FILE:
			if (cmd_journal_opt(&cj, "report", ch, optarg) != 0)
				return (EX_USAGE);
			break;
		case 'l':
			if (nlogs >= REPORT_MAX_LOGS) {
				fprintf(stderr, "fivefifty report: too many "
				    "logs\n");
				return (EX_USAGE);
			}
			logs[nlogs++] = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "text") == 0)
				o.format = RP_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				o.format = RP_CSV;
			else if (strcmp(optarg, "json") == 0)
				o.format = RP_JSON;
			else if (strcmp(optarg, "html") == 0)
				o.format = RP_HTML;
			else if (strcmp(optarg, "postfix") == 0 &&
			    strcmp(what, "fivefifties") == 0)
				o.format = RP_POSTFIX;
			else {
				fprintf(stderr, "fivefifty report: --format "
				    "%s: expected text, csv, json, html%s\n",
				    optarg, strcmp(what, "fivefifties") == 0 ?
				    " or postfix" : "");
				return (EX_USAGE);
			}
			break;
		case 't':
			errno = 0;
			o.top = (int)strtol(optarg, &e, 10);
			if (errno != 0 || e == optarg || *e != '\0' ||
			    o.top < 0 || o.top > 1000000) {
				fprintf(stderr, "fivefifty report: --top %s: "
				    "expected a number, 0 for all\n", optarg);
				return (EX_USAGE);
			}
			break;
		case 'h':
			fputs(report_help, stdout);
			return (EX_OK);
		default:
			fputs(report_usage, stderr);
			return (EX_USAGE);
		}
	}
	for (i = optind; i < argc; i++) {
		if (nlogs >= REPORT_MAX_LOGS) {
			fprintf(stderr, "fivefifty report: too many logs\n");
			return (EX_USAGE);
		}
		logs[nlogs++] = argv[i];
	}
	if (cj.on && (nlogs > 0 || db != NULL)) {
		fprintf(stderr, "fivefifty report: --journal reads the journal: "
		    "no log FILE nor --db with it\n");
		return (EX_USAGE);
	}
	if (nlogs == 0 && !cj.on)	/* else the command's own win */
		for (i = 0; i < cmd_g.nlogs; i++)
			logs[nlogs++] = (char *)cmd_g.logs[i];
	if ((mail_to != NULL || mail_from != NULL) &&
	    strcmp(what, "summary") != 0) {
		fprintf(stderr, "fivefifty report: --mail-to is for the "
		    "summary\n");
		return (EX_USAGE);
	}
	if (mail_to != NULL && !rp_mail_address_ok(mail_to)) {
		fprintf(stderr, "fivefifty report: --mail-to: expected one "
		    "plain address (user or user@domain)\n");
		return (EX_USAGE);
	}
	if (mail_from != NULL && !rp_mail_address_ok(mail_from)) {
		fprintf(stderr, "fivefifty report: --mail-from: expected one "
		    "plain address (user or user@domain)\n");
		return (EX_USAGE);
	}
	if (host != NULL && host[0] == '\0') {
		fprintf(stderr, "fivefifty report: --host: expected a host "
		    "name\n");
		return (EX_USAGE);
	}
	if (since != NULL && (from_s != NULL || until_s != NULL)) {
		fprintf(stderr, "fivefifty report: --since or --from/--until, "
		    "not both\n");
		return (EX_USAGE);
	}
	if (o.top == -1)
		o.top = strcmp(what, "summary") == 0 ? 10 : 20;
	if ((rc = cmd_conf("report", cpath, &conf)) != EX_OK)
		return (rc);
	if (since == NULL && from_s == NULL && until_s == NULL &&
	    strcmp(what, "summary") == 0 && nlogs == 0)
		since = "24h";
	if (since != NULL) {
		if (conf_duration(since, &secs) == -1 || secs < 3600 ||
		    secs > 3650.0 * 86400) {
			fprintf(stderr, "fivefifty report: --since %s: expected "
			    "a duration of an hour or more (90m, 24h, 7d)\n",
			    since);
			return (EX_DATAERR);
		}
		until = ((long long)time(NULL) / 3600 + 1) * 3600;
		from = until - ((long long)secs + 3599) / 3600 * 3600;
	}
	if (from_s != NULL && (from = cmd_when(from_s)) == -1) {
		fprintf(stderr, "fivefifty report: --from %s: expected "
		    "YYYY-MM-DD[ HH:MM[:SS]] or @SECONDS\n", from_s);
		return (EX_DATAERR);
	}
	if (until_s != NULL && (until = cmd_when(until_s)) == -1) {
		fprintf(stderr, "fivefifty report: --until %s: expected "
		    "YYYY-MM-DD[ HH:MM[:SS]] or @SECONDS\n", until_s);
		return (EX_DATAERR);
	}
	if (from != RP_OPEN_FROM)
		from = from / 3600 * 3600;
	if (until != RP_OPEN_UNTIL)
		until = (until + 3599) / 3600 * 3600;
	if (from != RP_OPEN_FROM && until != RP_OPEN_UNTIL && from >= until) {
		fprintf(stderr, "fivefifty report: the period ends before it "
		    "begins\n");
		return (EX_DATAERR);
	}
	if (cj.on && (rc = cmd_journal_setup(&cj, "report", &conf, &jo)) != 0)
		return (rc);
	rp = rp_new(from, until);
	if (nlogs > 0 || cj.on) {
		/* the period and the one before it (the summary's change) */
		lo = from == RP_OPEN_FROM ? LLONG_MIN : until == RP_OPEN_UNTIL ?
		    from : from - (until - from);
		hi = until;
		/* The journal from a fivefifty_window (at least a day) before
		 * the period: what a client did before it counts, as in the
		 * logs of the days before. */
		jo.from_start = 1;
		if (cj.on && lo != LLONG_MIN && lo - (long long)fmax(
		    conf.score.fivefifty_window, 86400) > 0)
			jo.since_usec = (unsigned long long)(lo - (long long)
			    fmax(conf.score.fivefifty_window, 86400)) * 1000000;
		status = report_logs(rp, &conf.score, logs, nlogs, cj.on ? &jo :
		    NULL, lo, hi, strcmp(what, "helo") == 0, &now);
		if (until != RP_OPEN_UNTIL && now > until)
			now = until;
	} else {
		if (db == NULL)
			db = cmd_g.db != NULL ? cmd_g.db : conf.state_db;
		if (rp_load_state(rp, db, &now, err, sizeof(err)) == -1) {
			fprintf(stderr, "fivefifty report: %s\n", err);
			rp_free(rp);
			return (EX_NOINPUT);
		}
	}
	rp_done(rp);
	if (host == NULL) {
		if (gethostname(hostname, sizeof(hostname)) == -1)
			snprintf(hostname, sizeof(hostname), "localhost");
		hostname[sizeof(hostname) - 1] = '\0';
		host = hostname;
	}
	o.now = now;
	o.host = host;
	o.source = cj.on ? "journal" : nlogs > 0 ? "logs" : "state";
	o.watch = conf.score.fivefifty_window;
	memset(&protect, 0, sizeof(protect));
	cmd_protect(&protect, &conf);
	o.skip = protected;
	if (mail_to != NULL) {
		if ((fp = open_memstream(&msg, &msglen)) == NULL)
			fatal("report");
		if (mail_from == NULL)
			mail_from = "root";
		rc = rp_mail(fp, rp, &o, mail_to, mail_from);
		if (fclose(fp) != 0 || rc == -1)
			fatal("report: the message");
		if (rp_sendmail(conf.sendmail_path, msg, msglen, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "fivefifty report: the summary was not "
			    "sent: %s\n", err);
			status = EX_UNAVAILABLE;
		}
		free(msg);
	} else {
		if (strcmp(what, "helo") == 0)
			rc = rp_helo(stdout, rp, &o);
		else if (strcmp(what, "fivefifties") == 0)
			rc = rp_fivefifties(stdout, rp, &o);
		else
			rc = rp_summary(stdout, rp, &o);
		if (rc == -1 || fflush(stdout) != 0) {
			log_warn("report: writing the report");
			status = EX_IOERR;
		}
	}
	rp_free(rp);
	conf_free(&conf);
	return (status);
}

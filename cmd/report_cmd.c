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
 *	from the state (reports/state_read.c: every node's, or --node's) or
 *	from the logs (report_logs.c), and writes the report, or mails the
 *	summary.
 * DIAGNOSTICS
 *	Exit 0; 64 usage (--node for a SQLite state or logs); 65 a bad time
 *	or duration; 66 a log or the state cannot be read (then no report
 *	is written nor mailed: a part would pass for the whole), or has no
 *	node --node names; 69 sendmail failed; 74 output failed; 78 the
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
#include "parse/par.h"
#include "conf/conf.h"
#include "firewall/firewall.h"
#include "reports/reports.h"
#include "score/score.h"
#include "state/state.h"
#include "tailer/tailer.h"
#include "util/util.h"
#include "wire/wire.h"


const char report_usage[] =
    "usage: fivefifty report helo|fivefifties|summary [--since DURATION | "
    "--from TIME [--until TIME]]\n"
    "           [--format text|csv|json|html|postfix] [--top N] [--all]\n"
    "           [--db FILE [--node NAME] | --log FILE ... | FILE ... | - |\n"
    "            --journal [--journal-directory DIR | --journal-file FILE ...]]\n"
    "           [--mail-to ADDR [--mail-from ADDR]] [--host NAME] [--threads N]\n";

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
"                 over 48 hours). Connections are client sessions with\n"
"                 smtpd; sessions are those and the ones postscreen\n"
"                 ended before smtpd (one per TCP connection). A period\n"
"                 that holds nothing says so, with the state's first\n"
"                 and last hour with data.\n"
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
"     A PostgreSQL state is shared by several hosts (nodes): a report\n"
"     from it covers them all, and the summary adds a Nodes section (each\n"
"     node's connections, sessions, accepted messages, rejects, new bans\n"
"     and the log time of its last write). --node NAME restricts it to\n"
"     what one node saw; the bans stay the cluster's, since every node\n"
"     enforces every ban. A SQLite state is one host's: no Nodes section,\n"
"     and --node is refused.\n"
"\n"
"     Every value a client sent (HELO names, addresses, reasons) was\n"
"     escaped when counted (bytes outside printable ASCII as \\xNN) and is\n"
"     escaped again for the format: HTML entities, JSON string escapes,\n"
"     RFC 4180 CSV quoting (a leading = + - @ gets a ' so spreadsheets\n"
"     run no formula), and cut to fit the column in text.\n"
"\n"
"OPTIONS\n"
"     --since DURATION  The last DURATION up to the end of this hour\n"
"                       (90m, 24h, 7d, 2w; from 1h to 3650d). The\n"
"                       summary's default is 24h; the others cover all\n"
"                       the data by default.\n"
"     --from TIME, --until TIME\n"
"                       The period; TIME is local, YYYY-MM-DD[ HH:MM[:SS]]\n"
"                       (or with T), @SECONDS since the epoch, or a\n"
"                       duration ago (7d).\n"
"     --format F        text (default: fits 80 columns), csv, json, html;\n"
"                       postfix for fivefifties.\n"
"     --top N           Rows in each table (default 20, the summary's\n"
"                       10; 0: all).\n"
"     --all             fivefifties: also clients that never came back.\n"
"     --db FILE         The state database (default state_db): a file\n"
"                       or a PostgreSQL URI.\n"
"     --node NAME       Only what node NAME saw (its facts and\n"
"                       five-fifties; the default host of the summary);\n"
"                       for a PostgreSQL state, whose nodes an unknown\n"
"                       NAME lists.\n"
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
"                       (default: --node's NAME, else this host's name).\n"
"     --threads N       With logs or the journal: parse on N threads\n"
"                       (default, and 0: one per CPU the command may run\n"
"                       on; 1: one thread besides the scoring), the lines\n"
"                       scored in their order: the report is the same\n"
"                       whatever N.\n"
"     -c FILE           The configuration (whitelist, fivefifty_window,\n"
"                       scoring for --log, sendmail_path, state_db).\n"
"\n"
"EXAMPLES\n"
"     fivefifty report helo --since 7d\n"
"     fivefifty report fivefifties --format postfix > /etc/postfix/550s\n"
"     fivefifty report summary --log /var/log/mail.log.1 --format html\n"
"     fivefifty report summary --since 24h --mail-to root\n"
"     fivefifty report summary --db postgresql:///fivefifty --node mx2\n"
"\n"
"EXIT STATUS\n"
"     0 done; 64 usage (--node for a SQLite state or logs); 65 a bad\n"
"     TIME or DURATION; 66 a log or the state cannot be read (no report\n"
"     is printed nor mailed then), or --node names no node of it; 69 the mail could not be submitted (the\n"
"     reason is printed); 74 writing the report failed; 78 the\n"
"     configuration is wrong.\n";

#define REPORT_MAX_LOGS	128	/* --log and FILE arguments */
#define RP_SINCE_MAX	(3650.0 * 86400)	/* --since: ten years */

static struct ff_conf conf;
static struct fw_conf protect;		/* wire_protect()'s list */

/* protected - never in a postfix table: what the enforcer never bans */
static int
protected(const char *addr)
{
	struct net_prefix n;

	return (net_parse(addr, &n) == -1 || fw_protects(&protect, &n));
}

/* What the command line asked for. */
struct report_args {
	const char	*what, *cpath, *db, *node, *since, *from_s, *until_s;
	const char	*mail_to, *mail_from, *host;
	char		*logs[REPORT_MAX_LOGS];
	int		 nlogs;
	int		 threads;	/* parsing threads (logs) */
	struct cmd_journal cj;
	struct rp_opts	 o;
};

/* report_what - the report argv[1] names: -1 to go on, else the exit
 * status */
static int
report_what(int argc, char **argv, struct report_args *a)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0)) {
			fputs(report_help, stdout);
			return (EX_OK);
		}
		fputs(report_usage, stderr);
		return (EX_USAGE);
	}
	a->what = argv[1];
	if (strcmp(a->what, "helo") != 0 &&
	    strcmp(a->what, "fivefifties") != 0 &&
	    strcmp(a->what, "summary") != 0) {
		fprintf(stderr, "fivefifty report: unknown report \"%s\" "
		    "(helo, fivefifties or summary)\n", a->what);
		fputs(report_usage, stderr);
		return (EX_USAGE);
	}
	return (-1);
}

/* report_value - the value of --format, --top or --log: -1 to go on,
 * else the exit status */
static int
report_value(struct report_args *a, int ch, const char *arg)
{
	int		 ff = strcmp(a->what, "fivefifties") == 0;
	char		*e;

	if (ch == 'l') {
		if (a->nlogs >= REPORT_MAX_LOGS) {
			fprintf(stderr, "fivefifty report: too many logs\n");
			return (EX_USAGE);
		}
		a->logs[a->nlogs++] = (char *)arg;
	} else if (ch == 'F') {
		if (strcmp(arg, "text") == 0)
			a->o.format = RP_TEXT;
		else if (strcmp(arg, "csv") == 0)
			a->o.format = RP_CSV;
		else if (strcmp(arg, "json") == 0)
			a->o.format = RP_JSON;
		else if (strcmp(arg, "html") == 0)
			a->o.format = RP_HTML;
		else if (strcmp(arg, "postfix") == 0 && ff)
			a->o.format = RP_POSTFIX;
		else {
			fprintf(stderr, "fivefifty report: --format %s: "
			    "expected text, csv, json, html%s\n", arg, ff ?
			    " or postfix" : "");
			return (EX_USAGE);
		}
	} else {
		errno = 0;
		a->o.top = (int)strtol(arg, &e, 10);
		if (errno != 0 || e == arg || *e != '\0' || a->o.top < 0 ||
		    a->o.top > 1000000) {
			fprintf(stderr, "fivefifty report: --top %s: expected "
			    "a number, 0 for all\n", arg);
			return (EX_USAGE);
		}
	}
	return (-1);
}

/* report_opts - the options after WHAT into *a, then the log FILEs: -1 to
 * go on, else the exit status */
static int
report_opts(int argc, char **argv, struct report_args *a)
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
		{ "node", required_argument, NULL, 'N' },
		{ "threads", required_argument, NULL, 'T' },
		{ "journal", no_argument, NULL, CJ_JOURNAL },
		{ "journal-directory", required_argument, NULL, CJ_DIR },
		{ "journal-file", required_argument, NULL, CJ_FILE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int		ch, i, r;

	optind = 0;	/* glibc: start afresh (main's getopt ran before) */
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->cpath = optarg; break;
		case 's': a->since = optarg; break;
		case 'f': a->from_s = optarg; break;
		case 'u': a->until_s = optarg; break;
		case 'a': a->o.all = 1; break;
		case 'd': a->db = optarg; break;
		case 'm': a->mail_to = optarg; break;
		case 'M': a->mail_from = optarg; break;
		case 'H': a->host = optarg; break;
		case 'N': a->node = optarg; break;
		case 'T':
			if ((a->threads = par_threads_arg("report",
			    optarg)) == -1)
				return (EX_USAGE);
			break;
		case CJ_JOURNAL:
		case CJ_DIR:
		case CJ_FILE:
			if (cmd_journal_opt(&a->cj, "report", ch, optarg) != 0)
				return (EX_USAGE);
			break;
		case 'l':
		case 'F':
		case 't':
			if ((r = report_value(a, ch, optarg)) != -1)
				return (r);
			break;
		case 'h':
			fputs(report_help, stdout);
			return (EX_OK);
		default:
			fputs(report_usage, stderr);
			return (EX_USAGE);
		}
	}
	for (i = optind; i < argc; i++)
		if ((r = report_value(a, 'l', argv[i])) != -1)
			return (r);
	return (-1);
}

/* report_check - the options that go together, and the defaults that
 * need no configuration: -1 to go on, else the exit status */
static int
report_check(struct report_args *a)
{
	int		i;

	if (a->cj.on && (a->nlogs > 0 || a->db != NULL)) {
		fprintf(stderr, "fivefifty report: --journal reads the journal: "
		    "no log FILE nor --db with it\n");
		return (EX_USAGE);
	}
	if (a->nlogs == 0 && !a->cj.on)	/* else the command's own win */
		for (i = 0; i < cmd_g.nlogs; i++)
			a->logs[a->nlogs++] = (char *)cmd_g.logs[i];
	if ((a->mail_to != NULL || a->mail_from != NULL) &&
	    strcmp(a->what, "summary") != 0) {
		fprintf(stderr, "fivefifty report: --mail-to is for the "
		    "summary\n");
		return (EX_USAGE);
	}
	if (a->mail_to != NULL && !rp_mail_address_ok(a->mail_to)) {
		fprintf(stderr, "fivefifty report: --mail-to: expected one "
		    "plain address (user or user@domain)\n");
		return (EX_USAGE);
	}
	if (a->mail_from != NULL && !rp_mail_address_ok(a->mail_from)) {
		fprintf(stderr, "fivefifty report: --mail-from: expected one "
		    "plain address (user or user@domain)\n");
		return (EX_USAGE);
	}
	if (a->node != NULL && (a->node[0] == '\0' || a->cj.on ||
	    a->nlogs > 0)) {
		fprintf(stderr, "fivefifty report: --node NAME chooses a node "
		    "of a PostgreSQL state: not with logs nor the journal\n");
		return (EX_USAGE);
	}
	if (a->host != NULL && a->host[0] == '\0') {
		fprintf(stderr, "fivefifty report: --host: expected a host "
		    "name\n");
		return (EX_USAGE);
	}
	if (a->since != NULL && (a->from_s != NULL || a->until_s != NULL)) {
		fprintf(stderr, "fivefifty report: --since or --from/--until, "
		    "not both\n");
		return (EX_USAGE);
	}
	if (a->o.top == -1)
		a->o.top = strcmp(a->what, "summary") == 0 ? 10 : 20;
	return (-1);
}

/* report_period - the period, in whole hours, into *from and *until: -1
 * to go on, else the exit status */
static int
report_period(struct report_args *a, long long *from, long long *until)
{
	double		secs;

	if (a->since == NULL && a->from_s == NULL && a->until_s == NULL &&
	    strcmp(a->what, "summary") == 0 && a->nlogs == 0)
		a->since = "24h";
	if (a->since != NULL) {
		if (conf_duration(a->since, &secs) == -1) {
			fprintf(stderr, "fivefifty report: --since %s: expected "
			    "a duration from 1h to 3650d, such as 90m, 24h, 7d "
			    "or 2w\n", a->since);
			return (EX_DATAERR);
		}
		if (secs < 3600 || secs > RP_SINCE_MAX) {
			fprintf(stderr, "fivefifty report: --since %s: out of "
			    "range: from 1h to 3650d (87600h, about ten "
			    "years)\n", a->since);
			return (EX_DATAERR);
		}
		*until = ((long long)time(NULL) / 3600 + 1) * 3600;
		*from = *until - ((long long)secs + 3599) / 3600 * 3600;
	}
	if (a->from_s != NULL && (*from = cmd_when(a->from_s)) == -1) {
		fprintf(stderr, "fivefifty report: --from %s: expected "
		    "YYYY-MM-DD[ HH:MM[:SS]] or @SECONDS\n", a->from_s);
		return (EX_DATAERR);
	}
	if (a->until_s != NULL && (*until = cmd_when(a->until_s)) == -1) {
		fprintf(stderr, "fivefifty report: --until %s: expected "
		    "YYYY-MM-DD[ HH:MM[:SS]] or @SECONDS\n", a->until_s);
		return (EX_DATAERR);
	}
	if (*from != RP_OPEN_FROM)
		*from = *from / 3600 * 3600;
	if (*until != RP_OPEN_UNTIL)
		*until = (*until + 3599) / 3600 * 3600;
	if (*from != RP_OPEN_FROM && *until != RP_OPEN_UNTIL &&
	    *from >= *until) {
		fprintf(stderr, "fivefifty report: the period ends before it "
		    "begins\n");
		return (EX_DATAERR);
	}
	return (-1);
}

/* report_logs_exist - every log FILE can be opened, before anything is
 * read (nor mailed): -1 to go on, else the exit status */
static int
report_logs_exist(const struct report_args *a)
{
	int		i, fd;

	for (i = 0; !a->cj.on && i < a->nlogs; i++) {
		if (strcmp(a->logs[i], "-") == 0)
			continue;
		if ((fd = open(a->logs[i], O_RDONLY | O_CLOEXEC)) != -1) {
			close(fd);
			continue;
		}
		fprintf(stderr, "fivefifty report: %s: %s: no report made%s; "
		    "name the mail logs that exist (ls %s*), oldest first, or "
		    "read the systemd journal with --journal\n", a->logs[i],
		    strerror(errno), a->mail_to != NULL ? ", nothing mailed" :
		    "", a->logs[i]);
		return (EX_NOINPUT);
	}
	return (-1);
}

/* report_from_logs - rp's facts from the logs or the journal: the exit
 * status; *now is the log time of the last event */
static int
report_from_logs(struct report_args *a, struct rp *rp,
    struct journal_opts *jo, long long from, long long until,
    long long *now)
{
	long long	lo, hi, back;
	int		status;

	/* the period and the one before it (the summary's change) */
	lo = from == RP_OPEN_FROM ? LLONG_MIN : until == RP_OPEN_UNTIL ?
	    from : from - (until - from);
	hi = until;
	/* The journal from a fivefifty_window (at least a day) before the
	 * period: what a client did before it counts, as in the logs of
	 * the days before. */
	jo->from_start = 1;
	back = (long long)fmax(conf.score.fivefifty_window, 86400);
	if (a->cj.on && lo != LLONG_MIN && lo - back > 0)
		jo->since_usec = (unsigned long long)(lo - back) * 1000000;
	status = report_logs(rp, &conf.score, a->logs, a->nlogs, a->cj.on ?
	    jo : NULL, lo, hi, strcmp(a->what, "helo") == 0, a->threads, now);
	if (until != RP_OPEN_UNTIL && *now > until)
		*now = until;
	return (status);
}

/* report_write - the report to stdout, or the summary mailed: the exit
 * status */
static int
report_write(struct report_args *a, struct rp *rp)
{
	char		 err[512], *msg = NULL;
	size_t		 msglen = 0;
	FILE		*fp;
	int		 rc, status = EX_OK;

	if (a->mail_to != NULL) {
		if ((fp = open_memstream(&msg, &msglen)) == NULL)
			fatal(EX_OSERR, "report");
		if (a->mail_from == NULL)
			a->mail_from = "root";
		rc = rp_mail(fp, rp, &a->o, a->mail_to, a->mail_from);
		if (fclose(fp) != 0 || rc == -1)
			fatal(EX_OSERR, "report: the message");
		if (rp_sendmail(conf.sendmail_path, msg, msglen, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "fivefifty report: the summary was not "
			    "sent: %s\n", err);
			status = EX_UNAVAILABLE;
		}
		free(msg);
		return (status);
	}
	if (strcmp(a->what, "helo") == 0)
		rc = rp_helo(stdout, rp, &a->o);
	else if (strcmp(a->what, "fivefifties") == 0)
		rc = rp_fivefifties(stdout, rp, &a->o);
	else
		rc = rp_summary(stdout, rp, &a->o);
	if (rc == -1 || fflush(stdout) != 0) {
		log_warn("report: writing the report");
		status = EX_IOERR;
	}
	return (status);
}

/* cmd_report - fivefifty report WHAT [OPTIONS] */
int
cmd_report(int argc, char **argv)
{
	struct report_args a;
	struct rp	*rp;
	struct journal_opts jo;
	char		 err[512], hostname[256];
	long long	 from = RP_OPEN_FROM, until = RP_OPEN_UNTIL, now = 0;
	int		 status, rc;

	memset(&a, 0, sizeof(a));
	a.o.top = -1;
	a.threads = par_threads_default();
	if ((rc = report_what(argc, argv, &a)) != -1 ||
	    (rc = report_opts(argc - 1, argv + 1, &a)) != -1 ||
	    (rc = report_check(&a)) != -1)
		return (rc);
	if ((rc = cmd_conf("report", a.cpath, &conf)) != EX_OK)
		return (rc);
	if ((rc = report_period(&a, &from, &until)) != -1)
		return (rc);
	if (a.cj.on && (rc = cmd_journal_setup(&a.cj, "report", &conf,
	    &jo)) != 0)
		return (rc);
	if ((rc = report_logs_exist(&a)) != -1)
		return (rc);
	rp = rp_new(from, until);
	if (a.nlogs > 0 || a.cj.on) {
		status = report_from_logs(&a, rp, &jo, from, until, &now);
		if (status != EX_OK) {	/* a part would pass for the whole */
			fprintf(stderr, "fivefifty report: no report made%s: "
			    "a log could not be read in full (said above)\n",
			    a.mail_to != NULL ? ", nothing mailed" : "");
			rp_free(rp);
			conf_free(&conf);
			return (status);
		}
	} else {
		if (a.db == NULL)
			a.db = cmd_g.db != NULL ? cmd_g.db : conf.state_db;
		if (a.node != NULL && !state_is_uri(a.db)) {
			fprintf(stderr, "fivefifty report: --node %s: %s is a "
			    "SQLite state, one host's: it has no nodes (--node "
			    "is for a PostgreSQL state shared by hosts; leave it "
			    "out)\n", a.node, a.db);
			rp_free(rp);
			return (EX_USAGE);
		}
		if (rp_load_state(rp, a.db, a.node, &now, err, sizeof(err)) ==
		    -1) {
			fprintf(stderr, "fivefifty report: %s\n", err);
			rp_free(rp);
			return (EX_NOINPUT);
		}
		status = EX_OK;
	}
	rp_done(rp);
	if (a.host == NULL && a.node != NULL)
		a.host = a.node;
	if (a.host == NULL) {
		if (gethostname(hostname, sizeof(hostname)) == -1)
			snprintf(hostname, sizeof(hostname), "localhost");
		hostname[sizeof(hostname) - 1] = '\0';
		a.host = hostname;
	}
	a.o.now = now;
	a.o.host = a.host;
	a.o.source = a.cj.on ? "journal" : a.nlogs > 0 ? "logs" : "state";
	a.o.watch = conf.score.fivefifty_window;
	memset(&protect, 0, sizeof(protect));
	wire_protect(&protect, &conf);
	a.o.skip = protected;
	rc = report_write(&a, rp);
	if (rc != EX_OK)
		status = rc;
	rp_free(rp);
	conf_free(&conf);
	return (status);
}

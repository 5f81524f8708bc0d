/*	$fivefifty: daemon_cmds.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	daemon_cmds 3 - `fivefifty run`, and `ban`, `unban`, `status`, which
 *	talk to it
 * SYNOPSIS
 *	int	cmd_run(int argc, char **argv);
 *	int	cmd_ban(int argc, char **argv);
 *	int	cmd_unban(int argc, char **argv);
 *	int	cmd_status(int argc, char **argv);
 * DESCRIPTION
 *	run reads the configuration and hands over to daemon_run(), with
 *	run_reread() to read it again the same way on SIGHUP. The
 *	others send one request over the control socket (daemon/control.c)
 *	and print the reply: a change goes through the daemon, the one
 *	writer of the state, and takes effect at once.
 * DIAGNOSTICS
 *	status exits 3 when no daemon answers (as LSB init scripts do); ban
 *	and unban exit 69 then, 65 when the daemon refuses the request.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf/conf.h"
#include "daemon/daemon.h"
#include "net/net.h"
#include "util/util.h"

const char run_help[] =
"NAME\n"
"     fivefifty run - the daemon: follow the mail log, score, ban\n"
"\n"
"SYNOPSIS\n"
"     fivefifty [-c FILE] [--db FILE] [--log FILE]... run [-c FILE] [-v]\n"
"\n"
"DESCRIPTION\n"
"     Reads Postfix's log: each mail_log, followed with inotify (rotation,\n"
"     truncation and restarts lose no line and count none twice), or the\n"
"     systemd journal (libsystemd, from the cursor stored with the state:\n"
"     the same promise), as log_source says: auto takes the files when\n"
"     one was written in the last day, else the journal (Debian 12 has no\n"
"     rsyslog by default: Postfix logs only to the journal); the start-up\n"
"     log, status and check say which and why. A mail_log that is not a\n"
"     regular file (FIFO, device, standard input) is refused: set\n"
"     log_source = journal, or use fivefifty scan - for a pipe. It\n"
"     parses every line (the files' on a second thread when there are two\n"
"     CPUs or more, scored in their order), scores the\n"
"     clients, and enforces each ban at once: in the nftables sets (one\n"
"     netlink batch) and in the Postfix access map (rewritten at most once\n"
"     per access_map_delay). The state (clients, evidence, bans, sessions\n"
"     and how far each log was read) is written once a second, in one\n"
"     transaction. At start the kernel sets and the map are reconciled\n"
"     with the state's running bans; a log with no stored position is\n"
"     followed from its end (read history with fivefifty scan, or\n"
"     fivefifty scan --journal).\n"
"\n"
"     It runs in the foreground and logs to standard error (the journal,\n"
"     under systemd), with systemd's Type=notify protocol: READY, STATUS\n"
"     (lines, events per second, clients, bans), WATCHDOG, RELOADING and\n"
"     STOPPING. Started as root it makes /run/fivefifty and the state's\n"
"     directory for the configured user, then becomes that user with\n"
"     only CAP_NET_ADMIN. The control socket (control_socket) takes ban,\n"
"     unban and status from root and members of control_group.\n"
"\n"
"     With state_db a PostgreSQL URI, the node is node_name (default: the\n"
"     host name) and its local files are in state_directory (default\n"
"     /var/lib/fivefifty): while PostgreSQL cannot be reached the writes\n"
"     go to the outbox there (at most outbox_limit MiB, default 256; when\n"
"     full, the logs wait) and are replayed in order when it is back; a\n"
"     start without PostgreSQL runs on the cache there (the bans last\n"
"     known, the log positions).\n"
"\n"
"OPTIONS\n"
"     -c FILE    The configuration (default " CONF_DEFAULT_PATH ").\n"
"     -v         Debug messages too.\n"
"     -h, --help This text.\n"
"\n"
"SIGNALS\n"
"     TERM, INT  Flush the state and the map, exit 0.\n"
"     HUP        Re-read the configuration; a broken one is reported and\n"
"                the running one kept. The state is kept either way.\n"
"\n"
"EXIT STATUS\n"
"     0 stopped by a signal; 66 a mail log cannot be followed (or is\n"
"     not a regular file), or the journal cannot be opened; 69 the\n"
"     control socket is taken, or the firewall is required and\n"
"     unavailable; 74 the state database failed; 78 the configuration is\n"
"     wrong, or the user does not exist.\n";

const char ban_help[] =
"NAME\n"
"     fivefifty ban - ban an address or a network now\n"
"\n"
"SYNOPSIS\n"
"     fivefifty ban ADDR[/LEN] [--for DURATION] [--reason TEXT]\n"
"\n"
"DESCRIPTION\n"
"     Asks the running daemon to ban ADDR (or the network ADDR/LEN) for\n"
"     DURATION (default: manual_ban_time, 1d), in the kernel sets and the\n"
"     access map at once, and to record it in the state, so that it\n"
"     outlives a restart. Scoring never shortens or replaces a manual\n"
"     ban. Loopback, the whitelist and this host's own addresses are\n"
"     refused.\n"
"\n"
"OPTIONS\n"
"     --for DURATION  90s, 15m, 12h, 7d, 2w (a number alone: seconds).\n"
"     --reason TEXT   Kept with the ban (printable ASCII, 60 bytes; the\n"
"                     rest is dropped, and what is kept is said); list\n"
"                     and explain show it as manual: TEXT.\n"
"     -c FILE         The configuration, for control_socket.\n"
"\n"
"EXIT STATUS\n"
"     0 banned; 64 usage (ADDR and DURATION are checked before the\n"
"     daemon is asked); 65 refused by the daemon (the reason is\n"
"     printed); 69 no daemon answers.\n";

const char unban_help[] =
"NAME\n"
"     fivefifty unban - lift a ban, and forget what led to it\n"
"\n"
"SYNOPSIS\n"
"     fivefifty unban ADDR[/LEN]\n"
"\n"
"DESCRIPTION\n"
"     Asks the running daemon to lift the ban on ADDR (or ADDR/LEN),\n"
"     manual or decided, from the kernel sets and the access map at once,\n"
"     and to clear the client's score and memory (five-fifty attempts,\n"
"     unknown recipients), so that the evidence that banned it does not\n"
"     ban it again the next second. The ban's history stays for explain,\n"
"     with when it was lifted: list and explain say unbanned TIME.\n"
"\n"
"EXIT STATUS\n"
"     0 lifted; 64 usage (ADDR is checked before the daemon is asked);\n"
"     65 it was not banned; 69 no daemon answers.\n";

const char status_help[] =
"NAME\n"
"     fivefifty status - what the daemon is doing\n"
"\n"
"SYNOPSIS\n"
"     fivefifty status [--json | --format text|json|prometheus]\n"
"\n"
"DESCRIPTION\n"
"     Whether the daemon runs; which log it reads (log_source: file or\n"
"     journal, and log_source_reason: why); each log file followed with\n"
"     its position and lag (bytes not read yet; \"waiting for FILE\" while\n"
"     it is not there), or the journal (journal:\n"
"     which; journal_entries read, journal_cut, journal_skipped entries\n"
"     without a message, journal_last: the time of the last entry read,\n"
"     journal_cursor_lost: yes when the stored entry was gone at start);\n"
"     lines and events read, events per second;\n"
"     clients watched; bans in force; the firewall (ok, unavailable, off)\n"
"     and, with firewall = table, what its rules do (firewall_action drop\n"
"     or reject, firewall_established no or yes), the kernel ranges it\n"
"     holds and what its rules dropped; the map; the\n"
"     last flush; errors. With state_db a PostgreSQL URI, the cluster\n"
"     link: \"cluster link: ok\", or \"cluster link: down since TIME, N\n"
"     spooled writes\" (in the outbox of state_directory; \", outbox full\"\n"
"     when the logs wait for room, \", on the cache\" when it started\n"
"     without PostgreSQL); no such line with a SQLite file. With\n"
"     metrics_file set, that file, or why it cannot be written\n"
"     (metrics_file failing: PATH: REASON).\n"
"\n"
"OPTIONS\n"
"     --json     One JSON object (numbers as numbers).\n"
"     --format FORMAT\n"
"                text (the default); json, as --json; or prometheus: the\n"
"                daemon's metrics once, in Prometheus's text format (what\n"
"                run writes to metrics_file; the names are in\n"
"                fivefifty(8)), and nothing on stdout when no daemon\n"
"                answers.\n"
"\n"
"EXIT STATUS\n"
"     0 running; 3 not running (nothing listens on control_socket); 4 it\n"
"     runs but did not answer this user (see control_group).\n";

/* conf_for - the configuration a client command needs (the socket) */
static int
conf_for(const char *cmd, const char *cfile, struct ff_conf *c)
{
	return (cmd_conf(cmd, cfile, c));
}

/* run_reread - a reload's configuration, as run's command line reads it
 * (daemon_args.reread; arg is run's -c or NULL) */
static int
run_reread(void *arg, struct ff_conf *c, const char **path)
{
	const char	*cfile = arg;

	*path = cmd_conf_path(cfile);
	return (cmd_conf("run", cfile, c) == 0 ? 0 : -1);
}

/* cmd_run - fivefifty run [-c FILE] [-v] */
int
cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static struct ff_conf conf;	/* the daemon keeps it */
	struct daemon_args a;
	char		*cfile = NULL;
	int		 ch, verbose = 0, status;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:hv", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(run_help, stdout);
			return (EX_OK);
		default:
			fputs("usage: fivefifty run [-c FILE] [-v]\n", stderr);
			return (EX_USAGE);
		}
	}
	if (optind != argc) {
		fputs("usage: fivefifty run [-c FILE] [-v]\n", stderr);
		return (EX_USAGE);
	}
	if (verbose)
		log_init("fivefifty", 1);
	if ((status = cmd_conf("run", cfile, &conf)) != 0)
		return (status);
	memset(&a, 0, sizeof(a));
	a.conf = &conf;
	a.verbose = verbose;
	a.reread = run_reread;
	a.arg = cfile;
	status = daemon_run(&a);
	conf_free(&conf);
	return (status);
}

/* duration - "90", "90s", "15m", "12h", "7d", "2w" in seconds (1 s to
 * ten years), or -1 */
static long long
duration(const char *v)
{
	double		 d;

	if (conf_duration(v, &d) == -1 || d < 1 || d > (double)CTL_BAN_MAX)
		return (-1);
	return ((long long)d);
}

/* talk - one request; print the reply; the exit status */
static int
talk(const char *cmd, const struct ff_conf *c, const char *req, int busy)
{
	char		*reply, err[512];
	int		 rc;

	rc = ctl_call(c->control_socket, req, &reply, err, sizeof(err));
	if (rc == 0) {
		fputs(reply, stdout);
		free(reply);
		return (EX_OK);
	}
	fprintf(stderr, "fivefifty %s: %s\n", cmd, err);
	return (rc == 1 ? EX_DATAERR : busy);	/* -1, -2: not reached */
}

/* net_arg - ADDR or ADDR/LEN of ban and unban, checked here (the daemon
 * checks it again): 0, or -1 after saying what is expected */
static int
net_arg(const char *cmd, const char *arg)
{
	struct net_prefix n;

	if (strlen(arg) <= CTL_NET_MAX && strpbrk(arg, " \n") == NULL &&
	    net_parse(arg, &n) == 0)
		return (0);
	fprintf(stderr, "fivefifty %s: '", cmd);
	esc_text(stderr, arg, strlen(arg), 64);
	fprintf(stderr, "' is not an IPv4 or IPv6 address or network (ADDR "
	    "or ADDR/LEN, e.g. 192.0.2.7 or 2001:db8::/48)\n");
	return (-1);
}

/* cmd_ban - fivefifty ban ADDR[/LEN] [--for DURATION] [--reason TEXT] */
int
cmd_ban(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "reason", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ff_conf	 conf;
	const char	*cfile = NULL, *dur = NULL, *reason = "by hand";
	char		 req[CTL_LINE_MAX], why[64];
	long long	 secs;
	int		 ch, status;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'f':
			dur = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'h':
			fputs(ban_help, stdout);
			return (EX_OK);
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	/* The arguments first: a wrong one is said before anything is
	 * read or asked. */
	if (net_arg("ban", argv[optind]) == -1)
		return (EX_USAGE);
	if (dur != NULL && duration(dur) <= 0) {
		fprintf(stderr, "fivefifty ban: --for %s: expected a duration "
		    "such as 90s, 15m, 12h, 7d or 2w\n", dur);
		return (EX_USAGE);
	}
	if ((status = conf_for("ban", cfile, &conf)) != 0)
		return (status);
	secs = dur != NULL ? duration(dur) : (long long)conf.manual_ban_time;
	/* One line on the wire: printable ASCII only, 60 bytes. */
	reason_clean(why, 61, reason, strlen(reason), REASON_PRINTABLE);
	if (strcmp(why, reason) != 0) {
		fputs("fivefifty ban: note: --reason kept as '", stderr);
		esc_text(stderr, why, strlen(why), 64);
		fputs("' (printable ASCII, at most 60 bytes)\n", stderr);
	}
	snprintf(req, sizeof(req), "ban %s %lld %s", argv[optind], secs, why);
	status = talk("ban", &conf, req, EX_UNAVAILABLE);
	conf_free(&conf);
	return (status);
usage:
	fputs("usage: fivefifty ban ADDR[/LEN] [--for DURATION] "
	    "[--reason TEXT]\n", stderr);
	return (EX_USAGE);
}

/* cmd_unban - fivefifty unban ADDR[/LEN] */
int
cmd_unban(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ff_conf	 conf;
	const char	*cfile = NULL;
	char		 req[CTL_LINE_MAX];
	int		 ch, status;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'h':
			fputs(unban_help, stdout);
			return (EX_OK);
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	if (net_arg("unban", argv[optind]) == -1)
		return (EX_USAGE);
	if ((status = conf_for("unban", cfile, &conf)) != 0)
		return (status);
	snprintf(req, sizeof(req), "unban %s", argv[optind]);
	status = talk("unban", &conf, req, EX_UNAVAILABLE);
	conf_free(&conf);
	return (status);
usage:
	fputs("usage: fivefifty unban ADDR[/LEN]\n", stderr);
	return (EX_USAGE);
}

/* print_json - the status reply as one JSON object */
static void
print_json(char *reply)
{
	char		*line, *save = NULL, *sp, *end;
	int		 files = 0;

	fputs("{\"running\":true", stdout);
	for (line = strtok_r(reply, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		/* "cluster link: ..." is the key cluster_link. */
		if (strncmp(line, "cluster link: ", 14) == 0) {
			fputs(",\"cluster_link\":\"", stdout);
			esc_json(stdout, line + 14, strlen(line + 14), 0);
			fputc('"', stdout);
			continue;
		}
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (strcmp(line, "file") == 0) {
			/* "PATH offset N size N lag N" */
			char path[1100];
			long long off = 0, size = 0, lag = 0;
			char *o = strstr(sp, " offset ");

			if (strncmp(sp, "waiting for ", 12) == 0 &&
			    (o = strrchr(sp, ':')) != NULL && o[1] == ' ') {
				/* "waiting for PATH: REASON" (not there) */
				printf("%s{\"path\":\"", files++ ? "," :
				    ",\"files\":[");
				esc_json(stdout, sp + 12, (size_t)(o - sp - 12),
				    0);
				fputs("\",\"waiting\":\"", stdout);
				esc_json(stdout, o + 2, strlen(o + 2), 0);
				fputs("\",\"offset\":0,\"size\":-1,\"lag\":0}",
				    stdout);
				continue;
			}
			if (o == NULL)
				continue;
			snprintf(path, sizeof(path), "%.*s", (int)(o - sp), sp);
			(void)sscanf(o, " offset %lld size %lld lag %lld",
			    &off, &size, &lag);
			printf("%s{\"path\":\"", files++ ? "," : ",\"files\":[");
			esc_json(stdout, path, strlen(path), 0);
			printf("\",\"offset\":%lld,\"size\":%lld,\"lag\":%lld}",
			    off, size, lag);
			continue;
		}
		if (files > 0) {
			fputc(']', stdout);
			files = -1;
		}
		(void)strtod(sp, &end);
		printf(",\"%s\":", line);
		if (*end == '\0' && end != sp)
			fputs(sp, stdout);
		else {
			fputc('"', stdout);
			esc_json(stdout, sp, strlen(sp), 0);
			fputc('"', stdout);
		}
	}
	if (files > 0)
		fputc(']', stdout);
	fputs("}\n", stdout);
}

/* print_prom - status --format prometheus: the daemon's metrics, as
 * they are (only they on stdout: a script may redirect them to a file
 * of node_exporter's textfile collector); the exit status as status's */
static int
print_prom(struct ff_conf *conf)
{
	char		*reply, err[512];
	int		 rc;

	rc = ctl_call(conf->control_socket, "metrics", &reply, err,
	    sizeof(err));
	conf_free(conf);
	if (rc == 0) {
		fputs(reply, stdout);
		free(reply);
		return (EX_OK);
	}
	if (rc == -1)
		fprintf(stderr, "fivefifty is not running (%s)\n", err);
	else
		fprintf(stderr, "fivefifty status: %s\n", err);
	return (rc == -1 ? 3 : 4);
}

/* cmd_status - fivefifty status [--json | --format FORMAT] */
int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ff_conf	 conf;
	const char	*cfile = NULL;
	char		*reply, err[512], *line, *save = NULL, *sp;
	int		 ch, json = 0, prom = 0, rc, status;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfile = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'f':
			json = strcmp(optarg, "json") == 0;
			prom = strcmp(optarg, "prometheus") == 0;
			if (json || prom || strcmp(optarg, "text") == 0)
				break;
			fprintf(stderr, "fivefifty status: --format %.32s: "
			    "expected text, json or prometheus\n", optarg);
			return (EX_USAGE);
		case 'h':
			fputs(status_help, stdout);
			return (EX_OK);
		default:
			fputs("usage: fivefifty status [--json | --format "
			    "text|json|prometheus]\n", stderr);
			return (EX_USAGE);
		}
	}
	if ((status = conf_for("status", cfile, &conf)) != 0)
		return (status);
	if (prom)
		return (print_prom(&conf));
	rc = ctl_call(conf.control_socket, "status", &reply, err, sizeof(err));
	conf_free(&conf);
	if (rc == -1) {
		if (json)
			printf("{\"running\":false}\n");
		else
			printf("fivefifty is not running (%s)\n", err);
		return (3);
	}
	if (rc != 0) {		/* it runs, but would not tell us */
		fprintf(stderr, "fivefifty status: %s\n", err);
		return (4);
	}
	if (json) {
		print_json(reply);
		free(reply);
		return (EX_OK);
	}
	printf("fivefifty is running\n");
	for (line = strtok_r(reply, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "cluster link: ", 14) == 0) {
			printf("  %s\n", line);	/* a sentence */
			continue;
		}
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		printf("  %-18s %s\n", line, sp);
	}
	free(reply);
	return (EX_OK);
}

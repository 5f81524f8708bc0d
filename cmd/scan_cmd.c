/*	$fivefifty: scan_cmd.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	scan_cmd 3 - `fivefifty scan`: whole logs through tailer, parser,
 *	scorer and state
 * SYNOPSIS
 *	int	cmd_scan(int argc, char **argv);
 * DESCRIPTION
 *	Each FILE is read through the tailer (so a file scanned before is
 *	resumed at its stored position, and one rotated since is finished
 *	first), each line parsed and scored at its log time, and the state
 *	written to the database every CMD_FLUSH_LINES lines and at the end, each
 *	time in one transaction with the positions reached. A scan killed at
 *	any point and run again ends with the state of an uninterrupted run.
 *	Standard input has no position: it is read whole, every time, through
 *	the tailer's line reader (lines_open()).
 *	--journal reads the journal (tailer/journal.c) instead, its position
 *	the cursor of the last entry read, committed the same way.
 *	Without FILE, the global --log files are scanned (when given).
 *
 *	With --threads N > 1, FILEs and standard input are parsed on N
 *	threads (par.h): the tailer's lines go to them with their positions,
 *	and each parsed line is scored, positioned and flushed here in its
 *	order (par_scored()), as on_line() does with one thread. The
 *	journal's position is its reader's at a flush, so it is parsed here.
 *
 *	--dry-run writes nothing (the database, if there is one, is read for
 *	history). New bans are printed as they are decided. On a terminal,
 *	progress goes to stderr.
 * DIAGNOSTICS
 *	Exit 0; 66 when a FILE cannot be read; 74 when the database fails.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "parse/par.h"
#include "conf/conf.h"
#include "firewall/firewall.h"
#include "score/score.h"
#include "tailer/tailer.h"
#include "util/util.h"
#include "wire/wire.h"

#ifndef FLUSH_MS	/* (a profiling build may set it: -DFLUSH_MS=...) */
#define FLUSH_MS	1000	/* or CMD_FLUSH_LINES, whichever comes first */
#endif
#define DEFAULT_DB	"/var/lib/fivefifty/fivefifty.db"

const char scan_usage[] =
    "usage: fivefifty scan [-c FILE] [--dry-run] [--no-enforce] [--db FILE] "
    "[--threads N]\n"
    "                      [FILE ... | -]\n"
    "       fivefifty scan [OPTIONS] --journal [--since TIME] "
    "[--journal-directory DIR | --journal-file FILE ...]\n";

const char scan_help[] =
"NAME\n"
"     fivefifty scan - score whole Postfix logs into the state database\n"
"\n"
"SYNOPSIS\n"
"     fivefifty scan [-c FILE] [--dry-run] [--no-enforce] [--db FILE]\n"
"                    [--threads N] FILE ... | -\n"
"     fivefifty --log FILE [--log FILE]... scan [OPTIONS]\n"
"     fivefifty scan [OPTIONS] --journal [--since TIME]\n"
"                    [--journal-directory DIR | --journal-file FILE ...]\n"
"\n"
"DESCRIPTION\n"
"     Reads each FILE (or standard input) through the same path as the\n"
"     daemon: the tailer, the parser and the scorer, at each line's log\n"
"     time, so replaying last week's logs gives the decisions the daemon\n"
"     would have taken. Prints each new ban with the rule that decided\n"
"     it. The state (clients, evidence, bans, open sessions) is written\n"
"     to the database together with how far each FILE was read: a FILE\n"
"     scanned again is resumed where it was left, never counted twice,\n"
"     and a scan killed at any point and run again ends in the same state\n"
"     as one that was not. Standard input is read whole every time.\n"
"     Give rotated files oldest first (mail.log.1 before mail.log): the\n"
"     files are read one after the other, and scores decay with log time.\n"
"     Compressed files are not read here (zcat them into standard input).\n"
"     Without FILE, the files of the global --log options are read (in\n"
"     their order); without those either, FILE is required.\n"
"\n"
"     --journal reads the systemd journal instead (libsystemd's sd-journal,\n"
"     the same reader as the daemon's log_source = journal): the entries\n"
"     journal_match selects (by default every Postfix instance), each as\n"
"     the line a syslog daemon would have written, through the same parser\n"
"     and scorer. The state keeps the journal's cursor with what was read:\n"
"     a journal scanned again is resumed after its last entry, and the\n"
"     daemon following the same journal goes on from there. The first\n"
"     time it starts at --since TIME, else at the oldest entry. A stored\n"
"     entry no longer in the journal (vacuumed) is reported, and reading\n"
"     resumes at the oldest entry after its time.\n"
"\n"
"     Bans still running (their end is in the future, by the clock) are\n"
"     enforced as the daemon enforces them: first the state's running bans\n"
"     are put back into the nftables sets and the access map (a reconcile),\n"
"     then each new ban is added, in one netlink batch per flush. Bans of\n"
"     old logs have ended and are only recorded. See firewall and\n"
"     access_map in the configuration.\n"
"\n"
"     The daemon's ban-rate breaker (ban_rate_limit) does not apply here:\n"
"     scan is the administrator's replay of files they chose, the bans of\n"
"     old logs have ended anyway, and every ban decided is printed. Lines\n"
"     of hosts other than log_hostname are skipped, and lines whose time\n"
"     is beyond clock_tolerance of the log's clock and the wall clock are\n"
"     not scored, as in the daemon (both counted on standard error).\n"
"\n"
"     The scorer's rules, weights, thresholds and whitelist come from the\n"
"     configuration file (-c); every key and its default are in the\n"
"     sample configuration, conf/fivefifty.conf.\n"
"\n"
"OPTIONS\n"
"     -c FILE    The configuration (default: the global -c FILE, else\n"
"                " CONF_DEFAULT_PATH " when it exists, else\n"
"                the built-in defaults).\n"
"     --dry-run  Decide and print, write nothing, enforce nothing; at\n"
"                the end, a summary: the bans by rule and the top ten\n"
"                offenders. A state this user may not read is said, and\n"
"                the dry run goes on without its history.\n"
"     --no-enforce\n"
"                Write the state, but leave the nftables sets and the\n"
"                access map alone.\n"
"     --db FILE  The state database (default: the global --db FILE,\n"
"                else state_db of the configuration,\n"
"                " DEFAULT_DB ").\n"
"     --journal  Read the journal (the system's, or journal_directory of\n"
"                the configuration) instead of files.\n"
"     --journal-directory DIR\n"
"                Read the journal files of DIR (a copy, a container's\n"
"                journal); implies --journal.\n"
"     --journal-file FILE\n"
"                Read this journal file (repeatable, at most 64); implies\n"
"                --journal.\n"
"     --since TIME\n"
"                With --journal, the first time: start at TIME, local\n"
"                YYYY-MM-DD[ HH:MM[:SS]], @SECONDS, or a duration ago\n"
"                (7d, 12h). A journal scanned before goes on after its\n"
"                stored cursor: nothing is counted twice.\n"
"     --threads N\n"
"                Parse FILEs and standard input on N threads (default,\n"
"                and 0: one per CPU the command may run on); the lines\n"
"                are still scored one after the other in their order,\n"
"                so the bans, the state and the output are the same\n"
"                whatever N. 1 parses on the main thread. The journal\n"
"                is always parsed on the main thread.\n"
"     -h, --help This text.\n"
"\n"
"OUTPUT\n"
"     One line per new ban:\n"
"       ban ADDR[/LEN] at TIME until TIME (ban N, score S): RULE\n"
"     and a summary on standard error (with --dry-run also the bans by\n"
"     rule and the top offenders: address, bans, the highest score at a\n"
"     ban, its rule), so that standard output stays one line per ban.\n"
"\n"
"EXIT STATUS\n"
"     0 done; 64 usage; 66 a FILE could not be read; 69 the firewall is\n"
"     unavailable and firewall_required = yes; 74 the database failed, or\n"
"     the last firewall batch or map rewrite failed; 78 the configuration\n"
"     is wrong.\n";

struct scan {
	struct pf_parser *p;
	struct scorer	*s;
	struct state	*st;
	struct fw	*fw;		/* NULL: not enforcing */
	struct pf_epoch_cache ec;
	struct state_pos *pos;		/* per file: the last line's */
	int		 npos;
	int		 cur;		/* the file being read */
	unsigned long long lines, events, bans, since_flush;
	unsigned long long bans_synced;	/* bans stored before enforced */
	unsigned long long bytes, total;
	int		 dry, tty, failed;
	struct timespec	 t0, last_progress, last_flush;
	const char	*hostname;	/* log_hostname; "" any */
	unsigned long long other_host;	/* lines of other hosts */
	struct fw_conf	 prot;		/* wire_protect(): never banned */
	struct journal	*j;		/* --journal */
	struct par	*par;		/* parsing threads, or NULL */
	struct scan_sum	*sum;		/* --dry-run's summary, or NULL */
	char		 jcursor[JOURNAL_CURSOR_MAX];
};

/* protects - scorer_set_protect(): what the enforcer would refuse, with
 * or without an enforcer here (the daemon refuses it later) */
static int
protects(void *arg, const struct net_prefix *n)
{
	return (fw_protects(arg, n));
}

/* print_bans - the decisions not printed yet */
static void
print_bans(struct scan *sc)
{
	struct score_decision d;
	char		a[32], u[32];

	while (scorer_decision(sc->s, &d) == 1) {
		printf("ban %s at %s until %s (ban %d, score %.1f): %s\n",
		    d.addr, utc_text(d.at, a, sizeof(a)), utc_text(d.until, u,
		    sizeof(u)), d.ban_count, d.score, d.reason);
		scan_sum_ban(sc->sum, &d);
		sc->bans++;
		if (sc->fw != NULL)
			(void)wire_fw_decision(sc->fw, &d);
	}
}

/* ms_since - milliseconds since *then */
static long
ms_since(const struct timespec *then)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((now.tv_sec - then->tv_sec) * 1000 +
	    (now.tv_nsec - then->tv_nsec) / 1000000);
}

/* flush - write the state and the positions in one transaction */
static void
flush(struct scan *sc)
{
	struct journal_pos jp;

	sc->since_flush = 0;
	clock_gettime(CLOCK_MONOTONIC, &sc->last_flush);
	if (sc->dry || sc->st == NULL)
		return;
	if (sc->j != NULL && journal_position(sc->j, &jp) == 1) {
		memcpy(sc->jcursor, jp.cursor, sizeof(sc->jcursor));
		sc->pos[0].cursor = sc->jcursor;
		sc->pos[0].pos.off = jp.realtime;
		sc->npos = 1;
	}
	/* Sessions whose end was never logged: judge them now. */
	scorer_flush(sc->s, scorer_now(sc->s));
	print_bans(sc);
	if (score_save(sc->st, sc->s, sc->pos, sc->npos) == -1)
		sc->failed = 1;
	/* The state first: a ban in the kernel is always one the state
	 * knows (it will be reconciled from there). */
	if (sc->fw != NULL) {
		if (sc->bans != sc->bans_synced) {
			(void)state_sync(sc->st);
			sc->bans_synced = sc->bans;
		}
		(void)fw_flush(sc->fw, time(NULL));
	}
}

/* progress - bytes done, rate, time left (terminal only) */
static void
progress(struct scan *sc, int last)
{
	struct timespec	now;
	double		el, rate;

	if (!sc->tty || sc->total == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!last && now.tv_sec - sc->last_progress.tv_sec < 1)
		return;
	sc->last_progress = now;
	el = (double)(now.tv_sec - sc->t0.tv_sec) +
	    (double)(now.tv_nsec - sc->t0.tv_nsec) / 1e9;
	rate = el > 0 ? (double)sc->bytes / el : 0;
	fprintf(stderr, "\rscan: %.0f of %.0f MB, %.0f MB/s, %.0f s left   %s",
	    (double)sc->bytes / 1048576, (double)sc->total / 1048576,
	    rate / 1048576, rate > 0 ? (double)(sc->total - sc->bytes) / rate :
	    0, last ? "\n" : "");
}

/* scored - score one parsed line (r, and ev when an event) */
static void
scored(struct scan *sc, size_t len, enum pf_result r, struct pf_event *ev)
{
	sc->lines++;
	sc->bytes += len + 1;
	if (r != PF_EVENT)
		return;
	if (sc->hostname[0] != '\0' && !pf_span_eq(ev->host, sc->hostname)) {
		sc->other_host++;
		return;
	}
	sc->events++;
	scorer_event(sc->s, ev, pf_event_epoch_cached(ev, &sc->ec));
	print_bans(sc);
}

/* one_line - parse and score one line */
static void
one_line(struct scan *sc, const char *line, size_t len)
{
	struct pf_event	ev;

	scored(sc, len, pf_parse_line(sc->p, line, len, &ev), &ev);
}

/* after_line - a file's line scored: its position, and a flush when due */
static void
after_line(struct scan *sc, const struct tail_pos *pos)
{
	wire_pos(&sc->pos[sc->cur].pos, pos);
	if (++sc->since_flush >= CMD_FLUSH_LINES ||
	    (sc->since_flush % 500 == 0 &&
	    ms_since(&sc->last_flush) >= FLUSH_MS) || scorer_backlog(sc->s)) {
		flush(sc);
		progress(sc, 0);
	}
}

/* on_line - tail_cb: a line and the position after it */
static int
on_line(void *arg, const struct tail_line *tl)
{
	struct scan	*sc = arg;

	one_line(sc, tl->line, tl->len);
	after_line(sc, &tl->pos);
	return (0);
}

/* feed_line - tail_cb: a line and its position to the parsing threads */
static int
feed_line(void *arg, const struct tail_line *tl)
{
	struct scan	*sc = arg;

	par_line(sc->par, tl->line, tl->len, &tl->pos);
	return (0);
}

/* par_scored - par_fn: a line parsed on a thread, in input order; pos,
 * for a file's line, the position after it (stdin: NULL) */
static void
par_scored(void *arg, const char *line, size_t len, enum pf_result r,
    struct pf_event *ev, const void *pos)
{
	struct scan	*sc = arg;

	(void)line;
	scored(sc, len, r, ev);
	if (pos != NULL) {
		struct tail_pos tp;

		memcpy(&tp, pos, sizeof(tp));	/* aux is not aligned */
		after_line(sc, &tp);
	}
}

/* scan_stdin - standard input, whole, without positions */
static int
scan_stdin(struct scan *sc)
{
	struct lines	*lr;
	const char	*line;
	size_t		 len;
	time_t		 now;
	int		 rc;

	if ((lr = lines_open("-", 0, &now)) == NULL)
		fatal(EX_OSERR, "scan: stdin");
	if (sc->par != NULL) {
		/* Without positions: aux NULL. */
		par_reference(sc->par, now);
		while ((rc = lines_next(lr, &line, &len)) == 1)
			par_line(sc->par, line, len, NULL);
		par_drain(sc->par);
	} else {
		pf_parser_set_reference(sc->p, now);
		while ((rc = lines_next(lr, &line, &len)) == 1)
			one_line(sc, line, len);
	}
	lines_free(lr);
	if (rc == -1) {
		log_err("scan: read standard input");
		return (EX_IOERR);
	}
	return (EX_OK);
}

/* scan_files - the FILEs through the tailer, from stored positions, one
 * after the other (in log order when given oldest first) */
static int
scan_files(struct scan *sc, const char *const *files, int n)
{
	struct tail_store store = { wire_tail_load, sc->st };
	struct tailer	*t;
	struct stat	 sb;
	int		 i, r, status = EX_OK;

	for (i = 0; i < n; i++) {
		sc->pos[i].path = files[i];
		if (sc->st != NULL)
			(void)state_position(sc->st, files[i], &sc->pos[i].pos);
		if (stat(files[i], &sb) == -1) {
			log_err("scan: %s (the other files are scanned)",
			    files[i]);
			status = EX_NOINPUT;
			continue;
		}
		sc->total += (unsigned long long)sb.st_size;
	}
	sc->npos = n;
	for (i = 0; i < n; i++) {
		if (stat(files[i], &sb) == -1)
			continue;
		/* Year-less stamps are read against the file's mtime (the
		 * lines of the file before all consumed). */
		if (sc->par != NULL)
			par_reference(sc->par, sb.st_mtime);
		else
			pf_parser_set_reference(sc->p, sb.st_mtime);
		if ((t = tailer_new()) == NULL)
			fatal(EX_OSERR, "scan: inotify");
		if ((sc->st != NULL ? tailer_add_stored(t, files[i], &store, 1) :
		    tailer_add(t, files[i], NULL, 1)) == -1)
			fatal(EX_NOINPUT, "scan: %s", files[i]);
		/* tail_line.file is 0 for this tailer's only file. */
		sc->cur = i;
		do
			r = tailer_read(t, sc->par != NULL ? feed_line :
			    on_line, sc, 50000);
		while (r > 0 || tailer_pending(t));
		/* A last line without its newline counts too (as in parse). */
		(void)tailer_finish(t, sc->par != NULL ? feed_line : on_line,
		    sc);
		if (sc->par != NULL)
			par_drain(sc->par);
		tailer_free(t);
	}
	return (status);
}

/* scan_journal - the journal, after the stored cursor (else from
 * --since, else from its oldest entry) to its end */
static int
scan_journal(struct scan *sc, struct cmd_journal *cj, struct journal_opts *o,
    long long since)
{
	struct journal_pos stored;
	struct journal_stats js;
	char		 err[1400];
	int		 r, have = 0;

	/* The journal's row is written only once there is a position to
	 * put in it (flush()): a scan that fails or finds nothing leaves
	 * the stored one, the daemon's too, as it was. */
	sc->pos[0].path = cj->key;
	sc->npos = 0;
	if (sc->st != NULL && (have = wire_journal_position(sc->st, cj->key,
	    &stored)) == -1)
		return (EX_IOERR);
	o->stored = have == 1 ? &stored : NULL;
	o->since_usec = since > 0 ? (unsigned long long)since * 1000000 : 0;
	o->from_start = 1;
	if ((sc->j = journal_open(o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fivefifty scan: journal: %s\n", err);
		return (EX_NOINPUT);
	}
	journal_stats(sc->j, &js);
	if (have == 1 && stored.cursor[0] != '\0' && !js.cursor_lost)
		fprintf(stderr, "fivefifty scan: %s: resuming after the entry "
		    "read last (by a scan or the daemon: its cursor is in the "
		    "state)%s\n", js.source, since > 0 ? "; --since is for a "
		    "journal never read into this state" : "");
	pf_parser_set_reference(sc->p, time(NULL));
	do
		r = journal_read(sc->j, on_line, sc, 50000);
	while (r > 0 || (r == 0 && journal_pending(sc->j)));
	if (r == -1) {
		fprintf(stderr, "fivefifty scan: journal %s: read failed (see "
		    "above); what was read is kept\n", js.source);
		return (EX_IOERR);
	}
	return (EX_OK);
}

/* What the command line asked for. */
struct scan_args {
	const char	*db, *cfile, *since_s;
	const char *const *files;
	int		 nfiles, dry, enforce, threads;
	long long	 since;
	struct cmd_journal cj;
};

/* scan_opts - the options into *a: -1 to go on, else the exit status */
static int
scan_opts(int argc, char **argv, struct scan_args *a)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "db", required_argument, NULL, 'd' },
		{ "no-enforce", no_argument, NULL, 'E' },
		{ "journal", no_argument, NULL, CJ_JOURNAL },
		{ "journal-directory", required_argument, NULL, CJ_DIR },
		{ "journal-file", required_argument, NULL, CJ_FILE },
		{ "since", required_argument, NULL, 'S' },
		{ "threads", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int		ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			a->cfile = optarg;
			break;
		case 'n':
			a->dry = 1;
			break;
		case 'd':
			a->db = optarg;
			break;
		case 'E':
			a->enforce = 0;
			break;
		case 'S':
			a->since_s = optarg;
			break;
		case 'T':
			if ((a->threads = par_threads_arg("scan", optarg)) == -1)
				return (EX_USAGE);
			break;
		case CJ_JOURNAL:
		case CJ_DIR:
		case CJ_FILE:
			if (cmd_journal_opt(&a->cj, "scan", ch, optarg) != 0)
				return (EX_USAGE);
			break;
		case 'h':
			fputs(scan_help, stdout);
			return (EX_OK);
		default:
			fputs(scan_usage, stderr);
			return (EX_USAGE);
		}
	}
	return (-1);
}

/* scan_args - the options and what they name, checked: -1 to go on,
 * else the exit status */
static int
scan_args(int argc, char **argv, struct scan_args *a)
{
	int		r;

	a->enforce = 1;
	a->threads = par_threads_default();
	if ((r = scan_opts(argc, argv, a)) != -1)
		return (r);
	a->files = (const char *const *)(argv + optind);
	if (a->cj.on && argc > optind) {
		fprintf(stderr, "fivefifty scan: --journal reads the journal: "
		    "no FILE with it\n%s", scan_usage);
		return (EX_USAGE);
	}
	if (a->since_s != NULL && !a->cj.on) {
		fprintf(stderr, "fivefifty scan: --since is for --journal (a "
		    "FILE is read whole, from its stored position)\n");
		return (EX_USAGE);
	}
	if (a->since_s != NULL && (a->since = cmd_when(a->since_s)) == -1) {
		fprintf(stderr, "fivefifty scan: --since %s: expected "
		    "YYYY-MM-DD[ HH:MM[:SS]], @SECONDS or a duration ago such "
		    "as 7d\n", a->since_s);
		return (EX_DATAERR);
	}
	if (a->cj.on)
		a->nfiles = 1;
	else if ((a->nfiles = argc - optind) == 0) {
		a->files = cmd_g.logs;	/* fivefifty --log FILE scan */
		a->nfiles = cmd_g.nlogs;
	}
	if (a->nfiles < 1) {
		fputs(scan_usage, stderr);
		return (EX_USAGE);
	}
	if (!a->cj.on && a->nfiles > 1 && strcmp(a->files[0], "-") == 0) {
		fprintf(stderr, "fivefifty scan: - reads standard input and "
		    "nothing else\n%s", scan_usage);
		return (EX_USAGE);
	}
	return (-1);
}

/* scan_open - the parser, the scorer, the state (loaded) and the
 * enforcer: EX_OK, else the exit status */
static int
scan_open(struct scan *sc, const struct scan_args *a,
    const struct ff_conf *conf, const char *db)
{
	char		err[512];
	int		status = EX_OK;

	if ((sc->p = pf_parser_new(err, sizeof(err))) == NULL) {
		fprintf(stderr, "fivefifty scan: %s\n", err);
		return (EX_SOFTWARE);
	}
	if ((sc->s = scorer_new(&conf->score)) == NULL)
		fatal(EX_OSERR, "scan: scorer");
	sc->hostname = conf->log_hostname;
	wire_protect(&sc->prot, conf);
	scorer_set_protect(sc->s, protects, &sc->prot);
	err[0] = '\0';
	if (sc->dry && state_file_why(db, 1, NULL, err, sizeof(err)) ==
	    STATE_FILE_DENIED)
		fprintf(stderr, "fivefifty scan: state database %s; the dry "
		    "run goes on without its history\n", err);
	else if (!sc->dry || state_exists(db)) {
		/* The positions are node_name's in a shared state. */
		if ((sc->st = state_open_with(db, sc->dry, &(struct state_opts){
		    .node = conf->node_name }, err, sizeof(err))) == NULL) {
			fprintf(stderr, "fivefifty scan: state database %s\n",
			    err);
			return (EX_IOERR);
		}
		if (score_load(sc->st, sc->s) == -1)
			return (EX_IOERR);
	}
	if (a->enforce && !sc->dry && (sc->fw = wire_fw_open("scan", conf,
	    sc->st, time(NULL), &status)) == NULL)
		return (status);
	return (EX_OK);
}

/* scan_summary - what was done, to stderr; the last writes checked: the
 * exit status, from status (the reading's) */
static int
scan_summary(struct scan *sc, const struct ff_conf *conf, const char *db,
    int status)
{
	char		lt[32], shown[1024];
	long long	last;

	progress(sc, 1);
	fprintf(stderr, "fivefifty scan: %llu lines, %llu events, %zu clients "
	    "watched, %llu new bans%s\n", sc->lines, sc->events,
	    scorer_nclients(sc->s), sc->bans, sc->dry ? " (dry run: nothing "
	    "written)" : "");
	scan_sum_print(sc->sum, stderr);
	if (scorer_nsessions(sc->s) > 0)
		fprintf(stderr, "fivefifty scan: %zu sessions still open at "
		    "the end of the log, judged once the log passes their "
		    "last line by session_timeout\n", scorer_nsessions(sc->s));
	if (sc->other_host > 0)
		fprintf(stderr, "fivefifty scan: %llu lines of hosts other "
		    "than log_hostname = %s skipped\n", sc->other_host,
		    sc->hostname);
	if (scorer_clock_rejects(sc->s, &last) > 0)
		fprintf(stderr, "fivefifty scan: %llu lines with a time more "
		    "than clock_tolerance from the log clock and the wall "
		    "clock were not scored (the last: %s)\n",
		    scorer_clock_rejects(sc->s, NULL), last >= -62135596800LL &&
		    last <= 253402300799LL ? utc_text(last, lt, sizeof(lt)) :
		    "out of range");
	if (sc->failed) {
		fprintf(stderr, "fivefifty scan: error: state database %s: "
		    "not everything was stored (see above); run the same scan "
		    "again once the cause is fixed\n", state_shown(db, shown,
		    sizeof(shown)));
		status = EX_IOERR;
	}
	if (sc->fw != NULL && fw_sync(sc->fw, time(NULL)) == -1) {
		fprintf(stderr, "fivefifty scan: enforcement failed: %s\n",
		    fw_stats(sc->fw)->last_error);
		status = EX_IOERR;
	} else if (sc->fw != NULL)
		fprintf(stderr, "fivefifty scan: %zu bans in force%s\n",
		    fw_stats(sc->fw)->bans, conf->fw.mode == FW_OFF ?
		    " (firewall = off: the access map only)" :
		    fw_stats(sc->fw)->fw_ok ? "" : " (in the access map only: "
		    "the firewall is unavailable)");
	return (status);
}

/* scan_run - read the input, score it, store it: the reading's status */
static int
scan_run(struct scan *sc, struct scan_args *a, struct journal_opts *jo)
{
	int		status;

	if ((sc->pos = calloc((size_t)a->nfiles, sizeof(*sc->pos))) == NULL)
		fatal(EX_OSERR, "scan");
	sc->tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &sc->t0);
	sc->last_flush = sc->t0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The journal's position is its reader's, read at each flush: it
	 * is parsed on this thread, the lines then scored as they come. */
	if (!a->cj.on && a->threads > 1)
		sc->par = par_new(a->threads, strcmp(a->files[0], "-") == 0 ?
		    0 : sizeof(struct tail_pos), par_scored, sc, sc->p);
	if (a->cj.on)
		status = scan_journal(sc, &a->cj, jo, a->since);
	else if (strcmp(a->files[0], "-") == 0)
		status = scan_stdin(sc);
	else
		status = scan_files(sc, a->files, a->nfiles);
	par_free(sc->par);
	sc->par = NULL;
	/* Sessions still open are not judged, dry run or not: the log may
	 * yet bring their ends (the daemon, the next scan), and each is
	 * judged when the log passes its last line plus session_timeout,
	 * so that a dry run decides what scan and the daemon decide. */
	print_bans(sc);
	flush(sc);
	/* Everything stored; evidence past its retention goes (log time,
	 * like every decision). */
	if (!sc->dry && sc->st != NULL && (state_sync(sc->st) == -1 ||
	    state_prune(sc->st, scorer_now(sc->s)) == -1))
		sc->failed = 1;
	return (status);
}

/* cmd_scan - fivefifty scan [--dry-run] [--db FILE] [FILE... | -] */
int
cmd_scan(int argc, char **argv)
{
	struct ff_conf	 conf;
	struct scan	 sc;
	struct scan_args a;
	struct journal_opts jo;
	const char	*db;
	int		 status;

	memset(&sc, 0, sizeof(sc));
	memset(&a, 0, sizeof(a));
	if ((status = scan_args(argc, argv, &a)) != -1)
		return (status);
	sc.dry = a.dry;
	if ((status = cmd_conf("scan", a.cfile, &conf)) != 0)
		return (status);
	if (a.cj.on && (status = cmd_journal_setup(&a.cj, "scan", &conf,
	    &jo)) != 0) {
		conf_free(&conf);
		return (status);
	}
	db = a.db != NULL ? a.db : conf.state_db;
	sc.sum = a.dry ? scan_sum_new() : NULL;
	if ((status = scan_open(&sc, &a, &conf, db)) == EX_OK) {
		status = scan_run(&sc, &a, &jo);
		status = scan_summary(&sc, &conf, db, status);
	}
	if (sc.j != NULL)
		journal_free(sc.j);
	fw_free(sc.fw);
	scan_sum_free(sc.sum);
	scorer_free(sc.s);
	conf_free(&conf);
	state_close(sc.st);
	pf_parser_free(sc.p);
	free(sc.pos);
	return (status);
}

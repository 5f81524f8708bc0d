/*	$fivefifty: state_cmds.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	state_cmds 3 - `fivefifty list` and `fivefifty explain`
 * SYNOPSIS
 *	int	cmd_list(int argc, char **argv);
 *	int	cmd_explain(int argc, char **argv);
 * DESCRIPTION
 *	Both read the state database (read-only) at the log time of its last
 *	write: scores are decayed to that time, and "banned" means banned
 *	then. list shows the clients under watch (a score of at least 0.1)
 *	and the active bans; explain shows one client's evidence in time
 *	order with the score it built, the bans it led to, and the /64 (or
 *	/24) it belongs to.
 * SECURITY
 *	Every text from the database is escaped for the output format.
 */
#include <arpa/inet.h>

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cmd.h"
#include "conf/conf.h"
#include "score/score.h"
#include "util/util.h"
#include "wire/wire.h"

const char list_help[] =
"NAME\n"
"     fivefifty list - clients under watch and active bans\n"
"\n"
"SYNOPSIS\n"
"     fivefifty list [-c FILE] [--json] [--db FILE]\n"
"\n"
"DESCRIPTION\n"
"     Lists every address or prefix with a score of at least 0.1 or an\n"
"     active ban, at the log time of the state's last write: address,\n"
"     score, status (banned until TIME; held until TIME: decided, but\n"
"     held by the daemon's ban-rate breaker and not enforced yet; not\n"
"     enforced: dropped by the breaker; protected: LIST, never banned:\n"
"     loopback, whitelist, mynetworks (Postfix's own networks, read with\n"
"     postconf) or this host; or watching), bans so far, and\n"
"     the rules its evidence came from (with counts).\n"
"\n"
"OPTIONS\n"
"     --json     A JSON array of objects with addr, prefix_len, score,\n"
"                banned (a ban in force), breaker (\"held\": decided,\n"
"                not enforced yet; \"dropped\": never enforced; null),\n"
"                banned_until, protected (the list, or null), bans,\n"
"                reasons.\n"
"     -c FILE    The configuration (default: the global -c FILE, else\n"
"                " CONF_DEFAULT_PATH " when it exists, else\n"
"                the built-in defaults).\n"
"     --db FILE  The state database (default: the global --db FILE,\n"
"                else state_db of the configuration).\n"
"\n"
"EXIT STATUS\n"
"     0 listed; 64 usage; 74 the database could not be read; 78 the\n"
"     configuration is wrong.\n";

const char explain_help[] =
"NAME\n"
"     fivefifty explain - why a client has the score and bans it has\n"
"\n"
"SYNOPSIS\n"
"     fivefifty explain [-c FILE] [--db FILE] ADDR\n"
"\n"
"DESCRIPTION\n"
"     Prints every piece of evidence held against ADDR in time order,\n"
"     with its weight and the decayed score after it, the bans it led to\n"
"     (the rule that tipped each one, how long it lasted, which ban of\n"
"     the client it was) and the same for the prefix ADDR belongs to.\n"
"     When ADDR is not banned, says why: the list that protects it\n"
"     (loopback, whitelist, mynetworks, this host), temporary rejects\n"
"     (4xx: never scored), or how far its score is below ban_threshold.\n"
"\n"
"OPTIONS\n"
"     -c FILE    The configuration (default: the global -c FILE, else\n"
"                " CONF_DEFAULT_PATH " when it exists, else\n"
"                the built-in defaults).\n"
"     --db FILE  The state database (default: the global --db FILE,\n"
"                else state_db of the configuration).\n"
"\n"
"EXIT STATUS\n"
"     0 explained; 1 the client is not in the state; 64 usage; 74 the\n"
"     database could not be read; 78 the configuration is wrong.\n";

/* open_db - the state, read-only; NULL after saying why */
static struct state *
open_db(const char *cmd, const char *db)
{
	struct state	*st;
	char		 err[512];

	err[0] = '\0';
	if ((st = state_open(db, 1, err, sizeof(err))) == NULL)
		fprintf(stderr, "fivefifty %s: state database %s\n", cmd, err);
	return (st);
}

/* db_fail - a query failed: say which database, why and what to do;
 * EX_IOERR */
static int
db_fail(const char *cmd, struct state *st, const char *db)
{
	fprintf(stderr, "fivefifty %s: state database %s: %s (check it with "
	    "sqlite3 %s 'PRAGMA integrity_check'; if it is damaged, move it "
	    "aside and run fivefifty scan to build a new one)\n", cmd, db,
	    sqlite3_errmsg(state_db(st)), db);
	return (EX_IOERR);
}

/* decay - score s at time t, seen at now */
static double
decay(double s, long long t, long long now, double half_life)
{
	return (now > t ? s * pow(0.5, (double)(now - t) / half_life) : s);
}

/* text - an escaped column */
static void
text(FILE *fp, sqlite3_stmt *q, int col, int json)
{
	const char	*s = (const char *)sqlite3_column_text(q, col);

	if (s == NULL)
		s = "";
	if (json)
		esc_json(fp, s, strlen(s), 256);
	else
		esc_text(fp, s, strlen(s), 256);
}

/* db_args - --db and --json for list/explain; the index of the first
 * operand, or -1 */
static int
db_args(int argc, char **argv, const char **db, int *json, const char *help,
    const char *usage, const char **cfile)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int		ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			*cfile = optarg;
			break;
		case 'd':
			*db = optarg;
			break;
		case 'j':
			if (json == NULL)
				goto bad;
			*json = 1;
			break;
		case 'h':
			fputs(help, stdout);
			return (-2);
		default:
			goto bad;
		}
	}
	return (optind);
bad:
	fputs(usage, stderr);
	return (-1);
}

/* cmd_list - fivefifty list [--json] [--db FILE] */
int
cmd_list(int argc, char **argv)
{
	struct ff_conf	 conf;
	struct state	*st;
	sqlite3_stmt	*q, *r;
	const char	*db = NULL, *sep = "", *cfile = NULL;
	char		 b[32];
	long long	 now, until;
	double		 score;
	struct net_prefix pn;
	const char	*by;
	int		 json = 0, i, held;

	if ((i = db_args(argc, argv, &db, &json, list_help,
	    "usage: fivefifty list [-c FILE] [--json] [--db FILE]\n",
	    &cfile)) < 0)
		return (i == -2 ? EX_OK : EX_USAGE);
	if (i != argc) {
		fputs("usage: fivefifty list [-c FILE] [--json] [--db FILE]\n",
		    stderr);
		return (EX_USAGE);
	}
	if ((i = cmd_conf("list", cfile, &conf)) != 0)
		return (i);
	if (db == NULL)
		db = conf.state_db;
	if ((st = open_db("list", db)) == NULL) {
		conf_free(&conf);
		return (EX_IOERR);
	}
	now = state_now(st);
	/* held: the running ban is one the daemon's breaker holds (not
	 * enforced yet) or dropped (never enforced). */
	if ((sqlite3_prepare_v2(state_db(st), "SELECT addr, prefix_len, "
	    "score, score_t, banned_until, bans, (SELECT held FROM bans b WHERE "
	    "b.addr = clients.addr AND b.prefix_len = clients.prefix_len AND "
	    "b.until = clients.banned_until AND b.manual = 0 ORDER BY b.id "
	    "DESC LIMIT 1) FROM clients ORDER BY banned_until DESC, score "
	    "DESC", -1, &q, NULL) != SQLITE_OK &&
	    /* A state of schema 2 (not migrated yet): nothing held. */
	    sqlite3_prepare_v2(state_db(st), "SELECT addr, prefix_len, score, "
	    "score_t, banned_until, bans, 0 FROM clients ORDER BY banned_until "
	    "DESC, score DESC", -1, &q, NULL) != SQLITE_OK) ||
	    sqlite3_prepare_v2(state_db(st), "SELECT rule, count(*) FROM "
	    "evidence WHERE addr = ? GROUP BY rule ORDER BY 2 DESC, 1", -1, &r,
	    NULL) != SQLITE_OK) {
		i = db_fail("list", st, db);
		state_close(st);
		conf_free(&conf);
		return (i);
	}
	if (json)
		fputc('[', stdout);
	else
		printf("%-32s %7s  %-31s %4s  %s\n", "ADDRESS", "SCORE",
		    "STATUS (log time)", "BANS", "REASONS");
	while (sqlite3_step(q) == SQLITE_ROW) {
		score = decay(sqlite3_column_double(q, 2),
		    sqlite3_column_int64(q, 3), now, conf.score.half_life);
		until = sqlite3_column_int64(q, 4);
		if (score < 0.1 && until <= now)
			continue;
		held = until > now ? sqlite3_column_int(q, 6) : 0;
		by = NULL;
		if (net_parse((const char *)sqlite3_column_text(q, 0),
		    &pn) == 0) {
			pn.len = sqlite3_column_int(q, 1);
			by = wire_protected_by(&conf, &pn);
		}
		sqlite3_reset(r);
		sqlite3_bind_text(r, 1, (const char *)sqlite3_column_text(q, 0),
		    -1, SQLITE_TRANSIENT);
		if (json) {
			printf("%s{\"addr\":\"", sep);
			text(stdout, q, 0, 1);
			printf("\",\"prefix_len\":%d,\"score\":%.2f,"
			    "\"banned\":%s,\"breaker\":%s,\"banned_until\":",
			    sqlite3_column_int(q, 1), score, until > now &&
			    held == 0 ? "true" : "false", held == 1 ?
			    "\"held\"" : held == 2 ? "\"dropped\"" : "null");
			if (until > 0)
				printf("\"%s\"", utc_text(until, b, sizeof(b)));
			else
				fputs("null", stdout);
			if (by != NULL)
				printf(",\"protected\":\"%s\"", by);
			else
				fputs(",\"protected\":null", stdout);
			printf(",\"bans\":%d,\"reasons\":{",
			    sqlite3_column_int(q, 5));
			for (i = 0; sqlite3_step(r) == SQLITE_ROW; i++) {
				printf("%s\"", i ? "," : "");
				text(stdout, r, 0, 1);
				printf("\":%d", sqlite3_column_int(r, 1));
			}
			fputs("}}", stdout);
			sep = ",\n";
		} else {
			fputs("", stdout);
			printf("%-32.32s %7.1f  ", (const char *)
			    sqlite3_column_text(q, 0), score);
			if (by != NULL && until <= now)
				printf("protected: %-20s ", by);
			else if (until > now && held != 0)
				printf("%-12s %-18s ", held == 1 ? "held until" :
				    "not enforced", held == 1 ? utc_text(until, b,
				    sizeof(b)) : "(breaker)");
			else if (until > now)
				printf("banned until %-18s ", utc_text(until, b,
				    sizeof(b)));
			else
				printf("%-31s ", "watching");
			printf("%4d  ", sqlite3_column_int(q, 5));
			for (i = 0; sqlite3_step(r) == SQLITE_ROW; i++) {
				printf("%s", i ? ", " : "");
				text(stdout, r, 0, 0);
				printf(" x%d", sqlite3_column_int(r, 1));
			}
			fputc('\n', stdout);
		}
	}
	if (json)
		fputs("]\n", stdout);
	sqlite3_finalize(q);
	sqlite3_finalize(r);
	state_close(st);
	conf_free(&conf);
	return (EX_OK);
}

/* canon - the canonical form of an address given on the command line
 * (the parser's: net_addr()) */
static int
canon(const char *in, char *out, size_t len)
{
	struct net_prefix n;

	return (net_addr(in, strlen(in), &n, out, len));
}

/* explain_one - the evidence and bans of one address or prefix */
static int
explain_one(struct state *st, const char *addr, double half_life,
    long long now)
{
	sqlite3_stmt	*q;
	char		 b[32], u[32];
	double		 score = 0;
	long long	 last = 0;
	int		 n = 0;

	if (sqlite3_prepare_v2(state_db(st), "SELECT t, weight, rule, detail "
	    "FROM evidence WHERE addr = ? ORDER BY t, id", -1, &q, NULL) !=
	    SQLITE_OK)
		return (-1);
	sqlite3_bind_text(q, 1, addr, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		long long t = sqlite3_column_int64(q, 0);
		double w = sqlite3_column_double(q, 1);
		if (n++ == 0)
			printf("\n  evidence (time, weight, score after it, "
			    "rule, detail):\n");
		score = decay(score, last, t, half_life) + w;
		last = t;
		printf("    %s  %+5.1f  %6.1f  ", utc_text(t, b, sizeof(b)), w,
		    score_shown(score));
		text(stdout, q, 2, 0);
		if (sqlite3_column_bytes(q, 3) > 0) {
			fputs(": ", stdout);
			text(stdout, q, 3, 0);
		}
		fputc('\n', stdout);
	}
	sqlite3_finalize(q);
	if (n > 0)
		printf("    score now (%s): %.1f\n", utc_text(now, b, sizeof(b)),
		    score_shown(decay(score, last, now, half_life)));
	if (sqlite3_prepare_v2(state_db(st), "SELECT at, until, n, score, "
	    "reason, held FROM bans WHERE addr = ? ORDER BY at, id", -1, &q,
	    NULL) != SQLITE_OK && sqlite3_prepare_v2(state_db(st), "SELECT at, "
	    "until, n, score, reason, 0 FROM bans WHERE addr = ? ORDER BY at, "
	    "id", -1, &q, NULL) != SQLITE_OK)	/* schema 2 */
		return (-1);
	sqlite3_bind_text(q, 1, addr, -1, SQLITE_STATIC);
	for (n = 0; sqlite3_step(q) == SQLITE_ROW; n++) {
		if (n == 0)
			printf("\n  bans:\n");
		printf("    ban %d at %s until %s (score %.1f), tipped by ",
		    sqlite3_column_int(q, 2), utc_text(sqlite3_column_int64(q, 0), b,
		    sizeof(b)), utc_text(sqlite3_column_int64(q, 1), u, sizeof(u)),
		    score_shown(sqlite3_column_double(q, 3)));
		text(stdout, q, 4, 0);
		if (sqlite3_column_int(q, 5) == 1)
			fputs(" (held by the ban-rate breaker: not enforced "
			    "yet)", stdout);
		else if (sqlite3_column_int(q, 5) == 2)
			fputs(" (never enforced: dropped by the ban-rate "
			    "breaker, or lifted while held)", stdout);
		fputc('\n', stdout);
	}
	sqlite3_finalize(q);
	return (0);
}

/* why_not - the answer to "why is addr not banned": the list that
 * protects it, temporary rejects (never scored), or how far its score
 * is below ban_threshold */
static void
why_not(struct state *st, const struct ff_conf *c, const char *addr,
    long long now)
{
	struct net_prefix n;
	sqlite3_stmt	*q;
	const char	*by = NULL;
	long long	 t4 = 0, t5 = 0, until = 0;
	double		 score = -1, shown;
	int		 row = 0;

	if (net_parse(addr, &n) == 0)
		by = wire_protected_by(c, &n);
	if (sqlite3_prepare_v2(state_db(st), "SELECT coalesce(sum(CASE WHEN "
	    "code >= 400 AND code < 500 THEN n END), 0), coalesce(sum(CASE "
	    "WHEN code >= 500 THEN n END), 0) FROM activity_rows WHERE kind = "
	    "'reject' AND client = ?", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, addr, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			t4 = sqlite3_column_int64(q, 0);
			t5 = sqlite3_column_int64(q, 1);
		}
		sqlite3_finalize(q);
	}
	if (sqlite3_prepare_v2(state_db(st), "SELECT score, score_t, "
	    "banned_until FROM clients WHERE addr = ?", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(q, 1, addr, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			row = 1;
			score = decay(sqlite3_column_double(q, 0),
			    sqlite3_column_int64(q, 1), now, c->score.half_life);
			until = sqlite3_column_int64(q, 2);
		}
		sqlite3_finalize(q);
	}
	if (until > now)
		return;		/* banned: the bans above say why */
	if (by == NULL && !row && t4 == 0 && t5 == 0)
		return;		/* nothing known */
	printf("\n  why not banned:\n");
	if (by != NULL)
		printf("    never banned: %s%s\n", by, strcmp(by, "mynetworks") ==
		    0 ? " (Postfix's own networks)" : strcmp(by, "this host") ==
		    0 ? " (an address of this host)" : "");
	if (t4 > 0)
		printf("    %lld temporary rejects (4xx): never scored (a "
		    "client that retries after a 4xx does what it should)\n",
		    t4);
	if (row && !score_reaches(score, c->score.ban_threshold)) {
		/* As the scorer compares it (score_reaches()): what is shown
		 * is what was decided. */
		shown = score_shown(score);
		printf("    score %.1f is below ban_threshold %.15g (%.1f "
		    "short)\n", shown, c->score.ban_threshold,
		    c->score.ban_threshold - shown);
	} else if (!row && t5 > 0)
		printf("    %lld permanent rejects (5xx) without evidence: "
		    "none of them made a scoring rule fire\n", t5);
}

/* cmd_explain - fivefifty explain [--db FILE] ADDR */
int
cmd_explain(int argc, char **argv)
{
	static const char usage[] = "usage: fivefifty explain [-c FILE] "
	    "[--db FILE] ADDR\n";
	struct ff_conf	 conf;
	struct state	*st;
	sqlite3_stmt	*q;
	const char	*db = NULL, *cfile = NULL;
	char		 addr[64], net[80], b[32];
	long long	 now;
	int		 i, found = 0, plen;

	if ((i = db_args(argc, argv, &db, NULL, explain_help, usage,
	    &cfile)) < 0)
		return (i == -2 ? EX_OK : EX_USAGE);
	if (i != argc - 1) {
		fputs(usage, stderr);
		return (EX_USAGE);
	}
	if (canon(argv[i], addr, sizeof(addr)) == -1) {
		fputs("fivefifty explain: '", stderr);
		esc_text(stderr, argv[i], strlen(argv[i]), 64);
		fputs("' is not an IPv4 or IPv6 address\n", stderr);
		return (EX_USAGE);
	}
	if ((plen = cmd_conf("explain", cfile, &conf)) != 0)
		return (plen);
	if (db == NULL)
		db = conf.state_db;
	if ((st = open_db("explain", db)) == NULL) {
		conf_free(&conf);
		return (EX_IOERR);
	}
	now = state_now(st);
	plen = strchr(addr, ':') != NULL ? conf.score.v6_prefix :
	    conf.score.v4_prefix > 0 ? conf.score.v4_prefix : 24;
	{
		struct net_prefix n;
		char text[96];
		snprintf(text, sizeof(text), "%s/%d", addr, plen);
		if (net_parse(text, &n) == 0) {
			inet_ntop(n.family == 4 ? AF_INET : AF_INET6, n.addr,
			    net, sizeof(net));
			snprintf(net + strlen(net), sizeof(net) - strlen(net),
			    "/%d", plen);
		} else
			net[0] = '\0';
	}
	if (sqlite3_prepare_v2(state_db(st), "SELECT addr, first_seen, "
	    "last_seen, bans, banned_until FROM clients WHERE addr = ? OR "
	    "addr = ?", -1, &q, NULL) != SQLITE_OK) {
		i = db_fail("explain", st, db);
		state_close(st);
		conf_free(&conf);
		return (i);
	}
	sqlite3_bind_text(q, 1, addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, net, -1, SQLITE_STATIC);
	while ((i = sqlite3_step(q)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(q, 0);
		long long until = sqlite3_column_int64(q, 4);
		if (found++)
			fputc('\n', stdout);
		printf("%s%s: first seen %s, ", a, strchr(a, '/') != NULL ?
		    " (the prefix)" : "", utc_text(sqlite3_column_int64(q, 1), b,
		    sizeof(b)));
		printf("last seen %s, %d ban(s), ", utc_text(sqlite3_column_int64(q,
		    2), b, sizeof(b)), sqlite3_column_int(q, 3));
		printf("%s %s\n", until > now ? "banned until" : "not banned;",
		    until > now ? utc_text(until, b, sizeof(b)) : "watching");
		if (explain_one(st, a, conf.score.half_life, now) == -1) {
			i = SQLITE_ERROR;
			break;
		}
	}
	if (i != SQLITE_DONE) {
		i = db_fail("explain", st, db);
		sqlite3_finalize(q);
		state_close(st);
		conf_free(&conf);
		return (i);
	}
	sqlite3_finalize(q);
	if (!found)
		printf("%s: no evidence in the state\n", addr);
	why_not(st, &conf, addr, now);
	state_close(st);
	conf_free(&conf);
	return (found ? EX_OK : 1);
}

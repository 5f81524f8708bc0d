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
 *	Both read the state database (read-only; a SQLite file or a
 *	PostgreSQL URI, the same output from either) at the log time of its
 *	last write: scores are decayed to that time, and "banned" means
 *	banned then. list shows the clients under watch (a score of at least
 *	0.1) and the active bans; with --node NAME (a PostgreSQL state) only
 *	the clients with evidence NAME saw, their reasons counted from it.
 *	explain shows one client's evidence in time order (every node's: the
 *	score is built from it all) with the score it built, the bans it led
 *	to, and the /64 (or /24) it belongs to.
 * SECURITY
 *	Every text from the database is escaped for the output format; a
 *	URI's password is never shown (state_name(), state_shown()).
 * DIAGNOSTICS
 *	A failure names the state and says what to do, for its backend: a
 *	SQLite file's integrity check, or a PostgreSQL server's reach and
 *	its role's rights.
 */
#include <arpa/inet.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conf/conf.h"
#include "net/net.h"
#include "score/score.h"
#include "state/state.h"
#include "util/util.h"
#include "wire/wire.h"

const char list_help[] =
"NAME\n"
"     fivefifty list - clients under watch and active bans\n"
"\n"
"SYNOPSIS\n"
"     fivefifty list [-c FILE] [--json] [--db FILE] [--node NAME]\n"
"\n"
"DESCRIPTION\n"
"     Lists every address or prefix with a score of at least 0.1 or an\n"
"     active ban, at the log time of the state's last write: address,\n"
"     score, status (banned until TIME; held until TIME: decided, but\n"
"     held by the daemon's ban-rate breaker and not enforced yet; not\n"
"     enforced: dropped by the breaker; unbanned TIME: an unban lifted\n"
"     its ban, listed for a day after; protected: LIST, never banned:\n"
"     loopback, whitelist, mynetworks (Postfix's own networks, read with\n"
"     postconf) or this host; or watching), bans so far, and\n"
"     the rules its evidence came from (with counts; a manual ban's\n"
"     reason first, as manual: TEXT). A PostgreSQL state\n"
"     lists every node's clients: the clients, their scores and bans\n"
"     are shared.\n"
"\n"
"OPTIONS\n"
"     --json     A JSON array of objects with addr, prefix_len, score,\n"
"                banned (a ban in force), breaker (\"held\": decided,\n"
"                not enforced yet; \"dropped\": never enforced; null),\n"
"                banned_until, unbanned (when an unban lifted the latest\n"
"                ban, or null), ban_reason (the latest ban's: its rule,\n"
"                or manual: TEXT; null when none), protected (the list,\n"
"                or null), bans, reasons.\n"
"     -c FILE    The configuration (default: the global -c FILE, else\n"
"                " CONF_DEFAULT_PATH " when it exists, else\n"
"                the built-in defaults).\n"
"     --db FILE  The state database, a file or a PostgreSQL URI\n"
"                (default: the global --db FILE, else state_db of the\n"
"                configuration).\n"
"     --node NAME\n"
"                Only the clients node NAME saw evidence of, with the\n"
"                rules of that evidence (score, status and bans stay\n"
"                the cluster's). For a PostgreSQL state shared by\n"
"                hosts; an unknown NAME is said with the state's nodes.\n"
"\n"
"EXIT STATUS\n"
"     0 listed; 64 usage (--node for a SQLite state); 74 the database\n"
"     could not be read, or has no node NAME; 78 the configuration is\n"
"     wrong.\n";

const char explain_help[] =
"NAME\n"
"     fivefifty explain - why a client has the score and bans it has\n"
"\n"
"SYNOPSIS\n"
"     fivefifty explain [-c FILE] [--db FILE] ADDR | ADDR/LEN\n"
"\n"
"DESCRIPTION\n"
"     Prints every piece of evidence held against ADDR in time order,\n"
"     with its weight and the decayed score after it, the bans it led to\n"
"     (the rule that tipped each one, how long it lasted, which ban of\n"
"     the client it was) and the same for the prefix ADDR belongs to.\n"
"     When ADDR is not banned, says why: the list that protects it\n"
"     (loopback, whitelist, mynetworks, this host), temporary rejects\n"
"     (4xx: never scored), or how far its score is below ban_threshold.\n"
"     A ban on a wider network that covers ADDR is named (its end and\n"
"     reason), and a ban lifted by an unban says when.\n"
"\n"
"     ADDR/LEN explains a network: its own evidence and bans, the bans\n"
"     on wider networks that cover it, the bans in force inside it and\n"
"     the clients inside it with a score or bans (the banned first),\n"
"     at most 20 of each, then how many more.\n"
"     A PostgreSQL state shared by hosts gives every node's evidence\n"
"     and rejects: the score is built from them all.\n"
"\n"
"OPTIONS\n"
"     -c FILE    The configuration (default: the global -c FILE, else\n"
"                " CONF_DEFAULT_PATH " when it exists, else\n"
"                the built-in defaults).\n"
"     --db FILE  The state database, a file or a PostgreSQL URI\n"
"                (default: the global --db FILE, else state_db of the\n"
"                configuration).\n"
"\n"
"EXIT STATUS\n"
"     0 explained; 1 the client is not in the state (a network: nothing\n"
"     on or inside it); 64 usage; 74 the\n"
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

/* db_fail - a query failed: say which database, why and what to do
 * for its backend; EX_IOERR */
static int
db_fail(const char *cmd, struct state *st, const char *db)
{
	if (state_is_uri(db))
		fprintf(stderr, "fivefifty %s: state database %s: %s (check "
		    "that PostgreSQL runs and answers at that URI, state_db or "
		    "--db, and that its role may read the fivefifty tables: "
		    "see the README's PostgreSQL section)\n", cmd,
		    state_name(st), state_error(st));
	else
		fprintf(stderr, "fivefifty %s: state database %s: %s (check "
		    "it with sqlite3 %s 'PRAGMA integrity_check'; if it is "
		    "damaged, move it aside and run fivefifty scan to build a "
		    "new one)\n", cmd, db, state_error(st), db);
	return (EX_IOERR);
}

/* text - an escaped text of the state */
static void
text(FILE *fp, const char *s, int json)
{
	if (json)
		esc_json(fp, s, strlen(s), 256);
	else
		esc_text(fp, s, strlen(s), 256);
}

/* db_args - --db, --json and --node for list/explain (json, node: NULL
 * when the command has none); the index of the first operand, or -1 */
static int
db_args(int argc, char **argv, const char **db, int *json, const char **node,
    const char *help, const char *usage, const char **cfile)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "node", required_argument, NULL, 'n' },
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
		case 'n':
			if (node == NULL || optarg[0] == '\0')
				goto bad;
			*node = optarg;
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

#define LIST_UNBANNED	86400	/* an unbanned client is listed this long */

/* What list goes through. */
struct listing {
	struct ff_conf	*conf;
	struct state	*st;
	long long	 now;
	int		 json;
	int		 started;	/* the header is out */
	int		 nrules;	/* the client's rules so far */
	const char	*node;		/* --node: its clients only */
	const char	*sep;
};

/* list_head - the header (or the JSON array's start), once */
static void
list_head(struct listing *l)
{
	if (l->started++)
		return;
	if (l->json)
		fputc('[', stdout);
	else
		printf("%-32s %7s  %-31s %4s  %s\n", "ADDRESS", "SCORE",
		    "STATUS (log time)", "BANS", "REASONS");
}

/* list_rule - one of a client's rules with its count of evidence */
static int
list_rule(void *arg, const char *rule, long n)
{
	struct listing	*l = arg;

	if (l->json) {
		printf("%s\"", l->nrules++ ? "," : "");
		text(stdout, rule, 1);
		printf("\":%d", (int)n);
	} else {
		printf("%s", l->nrules++ ? ", " : "");
		text(stdout, rule, 0);
		printf(" x%d", (int)n);
	}
	return (0);
}

/* list_json - one client as a JSON object */
static void
list_json(struct listing *l, const struct state_client *c, double score,
    int held, const char *by)
{
	char		 b[32];
	long long	 until = c->banned_until;

	printf("%s{\"addr\":\"", l->sep);
	text(stdout, c->addr, 1);
	printf("\",\"prefix_len\":%d,\"score\":%.2f,"
	    "\"banned\":%s,\"breaker\":%s,\"banned_until\":",
	    c->prefix_len, score, until > l->now && held == 0 &&
	    c->lifted == 0 ? "true" : "false", held == 1 ? "\"held\"" :
	    held == 2 ? "\"dropped\"" : "null");
	if (until > 0)
		printf("\"%s\"", utc_text(until, b, sizeof(b)));
	else
		fputs("null", stdout);
	if (c->lifted > 0)
		printf(",\"unbanned\":\"%s\"", utc_text(c->lifted, b,
		    sizeof(b)));
	else
		fputs(",\"unbanned\":null", stdout);
	if (c->ban_reason != NULL && c->ban_reason[0] != '\0') {
		fputs(",\"ban_reason\":\"", stdout);
		text(stdout, c->ban_reason, 1);
		fputc('"', stdout);
	} else
		fputs(",\"ban_reason\":null", stdout);
	if (by != NULL)
		printf(",\"protected\":\"%s\"", by);
	else
		fputs(",\"protected\":null", stdout);
	printf(",\"bans\":%d,\"reasons\":{", c->bans);
	l->nrules = 0;
	(void)state_evidence_rules(l->st, c->addr, list_rule, l);
	fputs("}}", stdout);
	l->sep = ",\n";
}

/* list_text - one client as a line */
static void
list_text(struct listing *l, const struct state_client *c, double score,
    int held, const char *by)
{
	char		 b[32];
	long long	 until = c->banned_until;

	printf("%-32.32s %7.1f  ", c->addr, score);
	if (c->lifted > 0)
		printf("%-12s %-18s ", "unbanned", utc_text(c->lifted, b,
		    sizeof(b)));
	else if (by != NULL && until <= l->now)
		printf("protected: %-20s ", by);
	else if (until > l->now && held != 0)
		printf("%-12s %-18s ", held == 1 ? "held until" :
		    "not enforced", held == 1 ? utc_text(until, b,
		    sizeof(b)) : "(breaker)");
	else if (until > l->now)
		printf("banned until %-18s ", utc_text(until, b, sizeof(b)));
	else
		printf("%-31s ", "watching");
	printf("%4d  ", c->bans);
	l->nrules = 0;
	/* A manual ban's reason is the administrator's: no rule says it. */
	if (until > l->now && c->lifted == 0 && strncmp(c->ban_reason,
	    "manual:", 7) == 0) {
		text(stdout, c->ban_reason, 0);
		l->nrules++;
	}
	(void)state_evidence_rules(l->st, c->addr, list_rule, l);
	fputc('\n', stdout);
}

/* no_rule - a rule counted, nothing else */
static int
no_rule(void *arg, const char *rule, long n)
{
	(void)arg;
	(void)rule;
	(void)n;
	return (1);	/* one is enough */
}

/* list_client - one client, when under watch or banned */
static int
list_client(void *arg, const struct state_client *c)
{
	struct listing	*l = arg;
	struct net_prefix pn;
	const char	*by = NULL;
	double		 score;
	int		 held;

	list_head(l);
	score = score_decay(c->score, c->score_t, l->now,
	    l->conf->score.half_life);
	/* Under watch, banned, or unbanned in the last day (log time). */
	if (score < 0.1 && (c->banned_until <= l->now || c->lifted > 0) &&
	    (c->lifted == 0 || c->lifted <= l->now - LIST_UNBANNED))
		return (0);
	/* --node: the clients that node has evidence of (the reading
	 * calls keep its rows, state_only_node()) */
	if (l->node != NULL && state_evidence_rules(l->st, c->addr, no_rule,
	    NULL) <= 0)
		return (0);
	held = c->banned_until > l->now && c->lifted == 0 ? c->held : 0;
	if (net_parse(c->addr, &pn) == 0) {
		pn.len = c->prefix_len;
		by = wire_protected_by(l->conf, &pn);
	}
	if (l->json)
		list_json(l, c, score, held, by);
	else
		list_text(l, c, score, held, by);
	return (0);
}

/* cmd_list - fivefifty list [--json] [--db FILE] [--node NAME] */
int
cmd_list(int argc, char **argv)
{
	static const char usage[] = "usage: fivefifty list [-c FILE] [--json] "
	    "[--db FILE] [--node NAME]\n";
	struct ff_conf	 conf;
	struct listing	 l;
	struct state	*st;
	const char	*db = NULL, *cfile = NULL, *node = NULL;
	char		 err[512];
	int		 json = 0, i;

	if ((i = db_args(argc, argv, &db, &json, &node, list_help, usage,
	    &cfile)) < 0)
		return (i == -2 ? EX_OK : EX_USAGE);
	if (i != argc) {
		fputs(usage, stderr);
		return (EX_USAGE);
	}
	if ((i = cmd_conf("list", cfile, &conf)) != 0)
		return (i);
	if (db == NULL)
		db = conf.state_db;
	if (node != NULL && !state_is_uri(db)) {
		fprintf(stderr, "fivefifty list: --node %s: %s is a SQLite "
		    "state, one host's: it has no nodes (--node is for a "
		    "PostgreSQL state shared by hosts; leave it out)\n", node,
		    db);
		conf_free(&conf);
		return (EX_USAGE);
	}
	if ((st = open_db("list", db)) == NULL) {
		conf_free(&conf);
		return (EX_IOERR);
	}
	if (state_only_node(st, node, err, sizeof(err)) == -1) {
		fprintf(stderr, "fivefifty list: %s\n", err);
		state_close(st);
		conf_free(&conf);
		return (EX_IOERR);
	}
	memset(&l, 0, sizeof(l));
	l.node = node;
	l.conf = &conf;
	l.st = st;
	l.now = state_now(st);
	l.json = json;
	l.sep = "";
	if (state_clients(st, STATE_BY_BAN, list_client, &l) == -1 &&
	    !l.started) {
		i = db_fail("list", st, db);
		state_close(st);
		conf_free(&conf);
		return (i);
	}
	list_head(&l);
	if (json)
		fputs("]\n", stdout);
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

/* What explain goes through. */
struct explaining {
	struct state	*st;
	double		 half_life;
	long long	 now;
	double		 score;		/* after the evidence so far */
	long long	 last;		/* the time of the last */
	int		 n;		/* evidence or bans so far */
	int		 found;		/* clients */
	int		 failed;
	/* why_not */
	int		 row;
	double		 score_now;
	long long	 until;
	int		 covered;	/* by a ban on a wider network */
	const char	*self;		/* what was asked */
};

/* explain_ev - one piece of evidence, with the score it built */
static int
explain_ev(void *arg, const struct state_evidence *e)
{
	struct explaining *x = arg;
	char		 b[32];

	if (x->n++ == 0)
		printf("\n  evidence (time, weight, score after it, "
		    "rule, detail):\n");
	x->score = score_decay(x->score, x->last, e->t, x->half_life) +
	    e->weight;
	x->last = e->t;
	printf("    %s  %+5.1f  %6.1f  ", utc_text(e->t, b, sizeof(b)),
	    e->weight, score_shown(x->score));
	text(stdout, e->rule, 0);
	if (e->detail[0] != '\0') {
		fputs(": ", stdout);
		text(stdout, e->detail, 0);
	}
	fputc('\n', stdout);
	return (0);
}

/* explain_ban - one ban, and what the breaker did with it */
static int
explain_ban(void *arg, const struct state_ban *d)
{
	struct explaining *x = arg;
	char		 b[32], u[32];

	if (x->n++ == 0)
		printf("\n  bans:\n");
	printf("    ban %d at %s until %s (score %.1f), tipped by ", d->n,
	    utc_text(d->at, b, sizeof(b)), utc_text(d->until, u, sizeof(u)),
	    score_shown(d->score));
	text(stdout, d->reason, 0);
	if (d->lifted > 0)
		printf(", lifted by an unban at %s", utc_text(d->lifted, u,
		    sizeof(u)));
	if (d->held == 1)
		fputs(" (held by the ban-rate breaker: not enforced "
		    "yet)", stdout);
	else if (d->held == 2)
		fputs(" (never enforced: dropped by the ban-rate "
		    "breaker, or lifted while held)", stdout);
	fputc('\n', stdout);
	return (0);
}

/* explain_one - the evidence and bans of one address or prefix */
static int
explain_one(struct explaining *x, const char *addr)
{
	char		 b[32];

	x->score = 0;
	x->last = 0;
	x->n = 0;
	if (state_evidence(x->st, addr, explain_ev, x) == -1)
		return (-1);
	if (x->n > 0)
		printf("    score now (%s): %.1f\n", utc_text(x->now, b,
		    sizeof(b)), score_shown(score_decay(x->score, x->last,
		    x->now, x->half_life)));
	x->n = 0;
	return (state_bans_of(x->st, addr, explain_ban, x) == -1 ? -1 : 0);
}

/* explain_client - a client's row (the address's or its prefix's),
 * then its evidence and bans */
static int
explain_client(void *arg, const struct state_client *c)
{
	struct explaining *x = arg;
	char		 b[32];
	long long	 until = c->banned_until, lifted;

	lifted = explain_lifted(x->st, c->addr);
	if (x->found++)
		fputc('\n', stdout);
	printf("%s%s: first seen %s, ", c->addr, strcmp(c->addr, x->self) !=
	    0 ? " (the prefix)" : "", utc_text(c->first_seen, b,
	    sizeof(b)));
	printf("last seen %s, %d ban(s), ", utc_text(c->last_seen, b,
	    sizeof(b)), c->bans);
	if (lifted > 0)
		printf("not banned: unbanned at %s\n", utc_text(lifted, b,
		    sizeof(b)));
	else
		printf("%s %s\n", until > x->now ? "banned until" :
		    "not banned;", until > x->now ? utc_text(until, b,
		    sizeof(b)) : "watching");
	if (explain_one(x, c->addr) == -1) {
		x->failed = 1;
		return (1);
	}
	return (0);
}

/* why_row - the address's own row: its score now and its ban */
static int
why_row(void *arg, const struct state_client *c)
{
	struct explaining *x = arg;

	x->row = 1;
	x->score_now = score_decay(c->score, c->score_t, x->now,
	    x->half_life);
	x->until = explain_lifted(x->st, c->addr) > 0 ? 0 : c->banned_until;
	return (0);
}

/* why_not - the answer to "why is addr not banned": the list that
 * protects it, temporary rejects (never scored), or how far its score
 * is below ban_threshold */
static void
why_not(struct explaining *x, const struct ff_conf *c, const char *addr)
{
	struct net_prefix n;
	const char	*by = NULL;
	long long	 t4 = 0, t5 = 0;
	double		 shown;

	if (net_parse(addr, &n) == 0)
		by = wire_protected_by(c, &n);
	(void)state_rejects(x->st, addr, &t4, &t5);
	x->row = 0;
	x->score_now = -1;
	x->until = 0;
	(void)state_clients_of(x->st, addr, NULL, why_row, x);
	if (x->until > x->now || x->covered)
		return;		/* banned: the bans above say why */
	if (by == NULL && !x->row && t4 == 0 && t5 == 0)
		return;		/* nothing known */
	printf("\n  why not banned:\n");
	if (by != NULL)
		printf("    never banned: %s%s\n", by, strcmp(by,
		    "mynetworks") == 0 ? " (Postfix's own networks)" :
		    strcmp(by, "this host") == 0 ?
		    " (an address of this host)" : "");
	if (t4 > 0)
		printf("    %lld temporary rejects (4xx): never scored (a "
		    "client that retries after a 4xx does what it should)\n",
		    t4);
	if (x->row && !score_reaches(x->score_now, c->score.ban_threshold)) {
		/* As the scorer compares it (score_reaches()): what is shown
		 * is what was decided. */
		shown = score_shown(x->score_now);
		printf("    score %.1f is below ban_threshold %.15g (%.1f "
		    "short)\n", shown, c->score.ban_threshold,
		    c->score.ban_threshold - shown);
	} else if (!x->row && t5 > 0)
		printf("    %lld permanent rejects (5xx) without evidence: "
		    "none of them made a scoring rule fire\n", t5);
}

/* prefix_of - the prefix addr belongs to, as the scorer names it ("" when
 * none) */
static void
prefix_of(const char *addr, int plen, char *net, size_t len)
{
	struct net_prefix n;
	char		 text[96];

	snprintf(text, sizeof(text), "%s/%d", addr, plen);
	if (net_parse(text, &n) == 0) {
		inet_ntop(n.family == 4 ? AF_INET : AF_INET6, n.addr, net,
		    (socklen_t)len);
		snprintf(net + strlen(net), len - strlen(net), "/%d", plen);
	} else
		net[0] = '\0';
}

/* explain_addr - explain ADDR: its row and its prefix's, the bans on
 * wider networks that cover it, why it is not banned; the exit status,
 * or -1 when the state cannot be read */
static int
explain_addr(struct explaining *x, const struct ff_conf *c, const char *addr,
    const char *net)
{
	int		 k;

	if (state_clients_of(x->st, addr, net, explain_client, x) == -1 ||
	    x->failed)
		return (-1);
	if (!x->found)
		printf("%s: no evidence in the state\n", addr);
	if ((k = explain_covering(x->st, x->now, addr, net)) == -1)
		return (-1);
	x->covered = k > 0;
	why_not(x, c, addr);
	return (x->found || x->covered ? EX_OK : 1);
}

/* explain_network - explain ADDR/LEN: its own row, the bans on wider
 * networks, and what is known inside it (bounded); the exit status, or
 * -1 when the state cannot be read */
static int
explain_network(struct explaining *x, const struct ff_conf *c,
    const struct net_prefix *n, const char *text)
{
	int		 k, m;

	printf("%s: a network; what the state knows on it and inside it\n",
	    text);
	if (state_clients_of(x->st, text, NULL, explain_client, x) == -1 ||
	    x->failed)
		return (-1);
	if ((k = explain_covering(x->st, x->now, text, NULL)) == -1 ||
	    (m = explain_inside(x->st, c, x->now, n, text)) == -1)
		return (-1);
	if (!x->found && k == 0 && m == 0) {
		printf("  nothing: no ban, evidence or client on or inside "
		    "it\n");
		return (1);
	}
	return (EX_OK);
}

/* cmd_explain - fivefifty explain [--db FILE] ADDR | ADDR/LEN */
int
cmd_explain(int argc, char **argv)
{
	static const char usage[] = "usage: fivefifty explain [-c FILE] "
	    "[--db FILE] ADDR | ADDR/LEN\n";
	struct ff_conf	 conf;
	struct explaining x;
	struct state	*st;
	struct net_prefix n;
	const char	*db = NULL, *cfile = NULL;
	char		 addr[64], net[80];
	int		 i, plen, isnet = 0;

	if ((i = db_args(argc, argv, &db, NULL, NULL, explain_help, usage,
	    &cfile)) < 0)
		return (i == -2 ? EX_OK : EX_USAGE);
	if (i != argc - 1) {
		fputs(usage, stderr);
		return (EX_USAGE);
	}
	if (canon(argv[i], addr, sizeof(addr)) == -1) {
		/* ADDR/LEN: a network (a full-length one is its address) */
		if (strchr(argv[i], '/') == NULL || strlen(argv[i]) > 64 ||
		    net_parse(argv[i], &n) == -1) {
			fputs("fivefifty explain: '", stderr);
			esc_text(stderr, argv[i], strlen(argv[i]), 64);
			fputs("' is not an IPv4 or IPv6 address or network "
			    "(ADDR or ADDR/LEN)\n", stderr);
			return (EX_USAGE);
		}
		net_addr_text(&n, addr, sizeof(addr));
		isnet = n.len < net_full_len(n.family);
	}
	if ((plen = cmd_conf("explain", cfile, &conf)) != 0)
		return (plen);
	if (db == NULL)
		db = conf.state_db;
	if ((st = open_db("explain", db)) == NULL) {
		conf_free(&conf);
		return (EX_IOERR);
	}
	memset(&x, 0, sizeof(x));
	x.st = st;
	x.half_life = conf.score.half_life;
	x.now = state_now(st);
	x.self = addr;
	if (isnet)
		i = explain_network(&x, &conf, &n, addr);
	else {
		plen = strchr(addr, ':') != NULL ? conf.score.v6_prefix :
		    conf.score.v4_prefix > 0 ? conf.score.v4_prefix : 24;
		prefix_of(addr, plen, net, sizeof(net));
		i = explain_addr(&x, &conf, addr, net);
	}
	if (i == -1)
		i = db_fail("explain", st, db);
	state_close(st);
	conf_free(&conf);
	return (i);
}

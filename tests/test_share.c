/*	$fivefifty: test_share.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_share 3 - shared evidence: nodes that see parts of the traffic
 *	decide as one, whatever order their observations arrive in
 * DESCRIPTION
 *	Scorers sharing evidence (scorer_share()), each fed part of the
 *	traffic through the real parser, exchanging their records
 *	(scorer_shared(), scorer_observe()) as the state would:
 *	- the lab run of ../shared/corpus/lab split over two nodes (each
 *	  smtpd session to one of them, as an MX pool does), the records
 *	  exchanged in three orders (at every flush, all at the end, one
 *	  node's before the other reads its log): every "ban" of the truth
 *	  file banned and no "keep", the same clients banned in every order;
 *	- a five-fifty rejected on node A that retries on node B is a retry
 *	  (banned at the third), also when A's 5xx reaches B after B judged
 *	  the retries, and with nothing but time telling the order;
 *	- a dictionary attack spread over three nodes (three unknown
 *	  recipients each, eight ban) is banned, whichever node's records
 *	  come first; a list server re-sending to dead subscribers on one
 *	  node while its mail is accepted on another is not;
 *	- a record that does not decode is refused and counted;
 *	- through the real state on a private PostgreSQL server: two states
 *	  with different node names on one database; one node's 5xx and the
 *	  other's retries ban through score_save() and score_ingest(); each
 *	  node has its own clients row, list and explain see one (merged);
 *	  the cursor is stored with the batch, so a restarted node applies
 *	  nothing twice; two nodes deciding the same ban at once store one.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "score/score.h"
#include "state/state.h"

#define NODES	3

/* A node: a scorer sharing as name, and every ban it decided. */
struct node {
	struct scorer	*s;
	char		 name[16];
	char		(*bans)[64];
	int		 nbans;
};

/* A cluster of nodes on one parser. */
struct cluster {
	struct pf_parser *p;
	struct score_conf conf;
	struct node	 n[NODES];
	int		 nn;
	long long	 t;
};

/* c_init - n nodes with the test configuration (the lab's: its clients
 * are 127.x.y.z, only 127.0.0.1 is the server, 127.253/16 whitelisted) */
static void
c_init(struct cluster *c, int n, int lab)
{
	int	i;

	memset(c, 0, sizeof(*c));
	c->p = parser_or_fail();
	pf_parser_set_reference(c->p, 1795000000);
	score_conf_defaults(&c->conf);
	snprintf(c->conf.myhostname, sizeof(c->conf.myhostname),
	    "mx.example.test");
	if (lab) {
		assert_int_equal(net_parse("127.0.0.1/32", &c->conf.loopback4),
		    0);
		assert_int_equal(net_parse("127.253.0.0/16",
		    &c->conf.whitelist[c->conf.nwhitelist++]), 0);
	}
	c->nn = n;
	for (i = 0; i < n; i++) {
		c->n[i].s = scorer_new(&c->conf);
		assert_non_null(c->n[i].s);
		snprintf(c->n[i].name, sizeof(c->n[i].name), "mx%d", i + 1);
		scorer_share(c->n[i].s, c->n[i].name);
	}
}

/* c_done - release */
static void
c_done(struct cluster *c)
{
	int	i;

	for (i = 0; i < c->nn; i++) {
		scorer_free(c->n[i].s);
		free(c->n[i].bans);
	}
	pf_parser_free(c->p);
}

/* collect - the decisions node k made so far */
static void
collect(struct cluster *c, int k)
{
	struct node	*n = &c->n[k];
	struct score_decision d;

	while (scorer_decision(n->s, &d) == 1) {
		if (d.lift)
			continue;
		n->bans = realloc(n->bans, (size_t)(n->nbans + 1) *
		    sizeof(*n->bans));
		assert_non_null(n->bans);
		snprintf(n->bans[n->nbans++], sizeof(n->bans[0]), "%s",
		    d.addr);
	}
}

/* A delivery of records to a node. */
struct to {
	struct cluster	*c;
	int		 from, to;
};

/* deliver_one - one record of node from, applied by node to */
static int
deliver_one(void *arg, const char *addr, long long t, const void *rec,
    size_t len)
{
	struct to	*d = arg;

	(void)addr;
	(void)t;
	assert_int_equal(scorer_observe(d->c->n[d->to].s,
	    d->c->n[d->from].name, rec, len), 0);
	return (0);
}

/* deliver - node from's records to node to (from keeps them) */
static void
deliver(struct cluster *c, int from, int to)
{
	struct to	d = { c, from, to };

	assert_true(scorer_shared(c->n[from].s, deliver_one, &d) >= 0);
	collect(c, to);
}

/* exchange - every node's records to every other, then forgotten: a
 * flush of the state and a poll of each node */
static void
exchange(struct cluster *c)
{
	int	i, j;

	for (i = 0; i < c->nn; i++) {
		collect(c, i);
		for (j = 0; j < c->nn; j++)
			if (j != i)
				deliver(c, i, j);
		(void)scorer_shared(c->n[i].s, NULL, NULL);
	}
}

/* feed - one log line to node k */
static void __attribute__((format(printf, 3, 4)))
feed(struct cluster *c, int k, const char *fmt, ...)
{
	char		 buf[2048];
	struct pf_event	 ev;
	va_list		 ap;
	int		 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	assert_int_equal(pf_parse_line(c->p, buf, (size_t)n, &ev), PF_EVENT);
	c->t = pf_event_epoch(&ev);
	scorer_event(c->n[k].s, &ev, c->t);
	collect(c, k);
}

/* stamp - "Nov 21 HH:MM:SS" for minute m of the day */
static const char *
stamp(int minute, int sec)
{
	static char	buf[32];

	snprintf(buf, sizeof(buf), "Nov 21 %02d:%02d:%02d", minute / 60 % 24,
	    minute % 60, sec);
	return (buf);
}

/* session - one smtpd session on node k: connect, a body line (or
 * none), disconnect with counters */
static void
session(struct cluster *c, int k, int minute, int pid, const char *ip,
    const char *body, const char *counters)
{
	feed(c, k, "%s mx postfix/smtpd[%d]: connect from unknown[%s]",
	    stamp(minute, 0), pid, ip);
	if (body != NULL)
		feed(c, k, "%s mx postfix/smtpd[%d]: %s", stamp(minute, 1), pid,
		    body);
	feed(c, k, "%s mx postfix/smtpd[%d]: disconnect from unknown[%s] %s",
	    stamp(minute, 2), pid, ip, counters);
}

/* flush_all - every open session judged, then the records exchanged */
static void
flush_all(struct cluster *c)
{
	int	i;

	for (i = 0; i < c->nn; i++)
		scorer_flush(c->n[i].s, LLONG_MAX);
	exchange(c);
}

/* banned_by - whether node k decided a ban of ip, or knows of one */
static int
banned_by(struct cluster *c, int k, const char *ip)
{
	int	i;

	for (i = 0; i < c->n[k].nbans; i++)
		if (strcmp(c->n[k].bans[i], ip) == 0)
			return (1);
	return (scorer_banned(c->n[k].s, ip, c->t));
}

/* decided - whether any node decided a ban of ip */
static int
decided(struct cluster *c, const char *ip)
{
	int	i, j;

	for (i = 0; i < c->nn; i++)
		for (j = 0; j < c->n[i].nbans; j++)
			if (strcmp(c->n[i].bans[j], ip) == 0)
				return (1);
	return (0);
}

#define REJECT(ip, from, to) \
	"NOQUEUE: reject: RCPT from unknown[" ip "]: 550 5.1.1 <" to ">: " \
	"Recipient address rejected: User unknown in local recipient table; " \
	"from=<" from "> to=<" to "> proto=ESMTP helo=<mail.sender.example>"
#define NOTHING	"ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"

/* test_share_fivefifty_across - a 5xx on one node, its retries on
 * another, in both orders */
static void
test_share_fivefifty_across(void **state)
{
	struct cluster	 c;
	int		 order, i;

	(void)state;
	for (order = 0; order < 2; order++) {
		c_init(&c, 2, 0);
		if (order == 0) {	/* the 5xx known before the retries */
			session(&c, 0, 0, 10, "192.0.2.55",
			    REJECT("192.0.2.55", "a@b.example",
			    "gone@mx.example.test"), NOTHING);
			exchange(&c);
		}
		for (i = 1; i <= 3; i++)
			session(&c, 1, 10 * i, 20 + i, "192.0.2.55",
			    REJECT("192.0.2.55", "a@b.example",
			    "gone@mx.example.test"), NOTHING);
		if (order == 1) {	/* the 5xx after the retries: by time */
			exchange(&c);
			session(&c, 0, 0, 10, "192.0.2.55",
			    REJECT("192.0.2.55", "a@b.example",
			    "gone@mx.example.test"), NOTHING);
		}
		flush_all(&c);
		/* Three retries on mx2 of mx1's 5xx: banned, by both. */
		assert_true(decided(&c, "192.0.2.55"));
		assert_true(banned_by(&c, 0, "192.0.2.55"));
		assert_true(banned_by(&c, 1, "192.0.2.55"));
		assert_true(scorer_score(c.n[0].s, "192.0.2.55", c.t) >= 10);
		assert_true(scorer_score(c.n[1].s, "192.0.2.55", c.t) >= 10);
		c_done(&c);
	}
}

/* test_share_one_retry - one retry across nodes weighs, does not ban;
 * a parallel connection opened before the 5xx is no retry */
static void
test_share_one_retry(void **state)
{
	struct cluster	 c;
	double		 a, b;

	(void)state;
	c_init(&c, 2, 0);
	/* mx2's session began at minute 0, before mx1's 5xx at 5:01. */
	feed(&c, 1, "%s mx postfix/smtpd[30]: connect from unknown["
	    "192.0.2.66]", stamp(0, 0));
	session(&c, 0, 5, 31, "192.0.2.66", REJECT("192.0.2.66", "a@b.example",
	    "x@mx.example.test"), NOTHING);
	feed(&c, 1, "%s mx postfix/smtpd[30]: " REJECT("192.0.2.66",
	    "a@b.example", "x@mx.example.test"), stamp(6, 0));
	feed(&c, 1, "%s mx postfix/smtpd[30]: disconnect from unknown["
	    "192.0.2.66] " NOTHING, stamp(6, 1));
	flush_all(&c);
	assert_true(scorer_score(c.n[0].s, "192.0.2.66", c.t) < 4);
	/* A real retry, later, on mx2: one five-fifty (4), on both. */
	session(&c, 1, 30, 32, "192.0.2.66", REJECT("192.0.2.66",
	    "a@b.example", "x@mx.example.test"), NOTHING);
	flush_all(&c);
	a = scorer_score(c.n[0].s, "192.0.2.66", c.t);
	b = scorer_score(c.n[1].s, "192.0.2.66", c.t);
	assert_true(a >= 4 && a < 10);
	assert_true(b >= 4 && b < 10);
	assert_false(decided(&c, "192.0.2.66"));
	c_done(&c);
}

/* dict_part - node k's part of a dictionary run: three unknown
 * recipients in one session */
static void
dict_part(struct cluster *c, int k, int minute)
{
	char	 body[512];
	int	 pid = 100 + 10 * k, i;

	feed(c, k, "%s mx postfix/smtpd[%d]: connect from unknown["
	    "198.51.100.9]", stamp(minute, 0), pid);
	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "NOQUEUE: reject: RCPT from "
		    "unknown[198.51.100.9]: 550 5.1.1 <u%d%d@mx.example.test>: "
		    "Recipient address rejected: User unknown in local "
		    "recipient table; from=<s@spam.example> "
		    "to=<u%d%d@mx.example.test> proto=ESMTP helo=<spam.example>",
		    k, i, k, i);
		feed(c, k, "%s mx postfix/smtpd[%d]: %s", stamp(minute, 1 + i),
		    pid, body);
	}
	feed(c, k, "%s mx postfix/smtpd[%d]: disconnect from unknown["
	    "198.51.100.9] ehlo=1 mail=1 rcpt=0/3 quit=1 commands=3/6",
	    stamp(minute, 5), pid);
}

/* test_share_dictionary - nine unknown recipients over three nodes, the
 * records arriving in each node's order */
static void
test_share_dictionary(void **state)
{
	static const int orders[][NODES] = { { 0, 1, 2 }, { 2, 1, 0 },
	    { 1, 2, 0 } };
	struct cluster	 c;
	size_t		 o;
	int		 i, k;

	(void)state;
	for (o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
		c_init(&c, NODES, 0);
		for (i = 0; i < NODES; i++) {
			k = orders[o][i];
			dict_part(&c, k, 10 + k);
			/* Each node alone: three, far from eight. */
			assert_false(decided(&c, "198.51.100.9"));
		}
		flush_all(&c);
		assert_true(decided(&c, "198.51.100.9"));
		for (k = 0; k < NODES; k++)
			assert_true(banned_by(&c, k, "198.51.100.9"));
		c_done(&c);
	}
}

/* test_share_list_server - stale subscribers refused on one node, the
 * rest of each post accepted on another: never banned */
static void
test_share_list_server(void **state)
{
	struct cluster	 c;
	int		 post, order;

	(void)state;
	for (order = 0; order < 2; order++) {
		c_init(&c, 2, 0);
		for (post = 0; post < 12; post++) {
			/* mx1: the dead subscriber, with the post accepted
			 * for the others in the same session. */
			feed(&c, order, "%s mx postfix/smtpd[%d]: connect from "
			    "lists.example.org[203.0.113.5]", stamp(post * 60,
			    0), 200 + post);
			feed(&c, order, "%s mx postfix/smtpd[%d]: " REJECT(
			    "203.0.113.5", "list@example.org",
			    "dead@mx.example.test"), stamp(post * 60, 1),
			    200 + post);
			feed(&c, order, "%s mx postfix/smtpd[%d]: 4A%03dB: "
			    "client=lists.example.org[203.0.113.5]",
			    stamp(post * 60, 2), 200 + post, post);
			feed(&c, order, "%s mx postfix/smtpd[%d]: disconnect "
			    "from lists.example.org[203.0.113.5] ehlo=1 mail=1 "
			    "rcpt=5/6 data=1 quit=1 commands=9/10",
			    stamp(post * 60, 3), 200 + post);
			/* mx2: the same post to more subscribers. */
			session(&c, 1 - order, post * 60 + 1, 300 + post,
			    "203.0.113.5", NULL,
			    "ehlo=1 mail=1 rcpt=9/9 data=1 quit=1 "
			    "commands=13/13");
			if (post % 3 == 0)
				exchange(&c);
		}
		flush_all(&c);
		assert_false(decided(&c, "203.0.113.5"));
		assert_true(scorer_score(c.n[0].s, "203.0.113.5", c.t) < 1);
		c_done(&c);
	}
}

/* test_share_refused - records that do not decode are refused */
static void
test_share_refused(void **state)
{
	static const unsigned char junk[][12] = {
		{ 0 }, { 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 200 },
		{ 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'x' },
	};
	struct cluster	 c;
	size_t		 i;

	(void)state;
	c_init(&c, 1, 0);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(scorer_observe(c.n[0].s, "mx9", junk[i],
		    sizeof(junk[i])), -1);
	assert_int_equal(scorer_observe(c.n[0].s, "mx9", junk[0], 0), -1);
	assert_int_equal(scorer_observe_refused(c.n[0].s), 4);
	assert_int_equal(scorer_nclients(c.n[0].s), 0);
	c_done(&c);
}

/* The lab run, split. */
#define ORDER_FLUSH	0	/* exchanged every 200 lines */
#define ORDER_END	1	/* exchanged when both read all */
#define ORDER_AHEAD	2	/* mx1 reads all and publishes first */
#define ORDERS		3

/* ip_hash - a client address's bytes added up */
static unsigned
ip_hash(const char *ip)
{
	unsigned	h = 0;

	while (*ip != '\0')
		h = h * 31 + (unsigned char)*ip++;
	return (h);
}

/* route - the node of a lab line: an smtpd session by its pid, the
 * rest by its client (postscreen) */
static int
route(const struct pf_event *ev)
{
	if (pf_span_eq(ev->program, "smtpd") && ev->pid >= 0)
		return (ev->pid % 2);
	return ((int)(ip_hash(ev->client_ip) % 2));
}

/* lab_run - the lab log over two nodes in one order; the clients any
 * node banned, as a sorted list of lines */
static char *
lab_run(const char *text, int order, int *bad, const char *truth)
{
	struct cluster	 c;
	struct pf_event	 ev;
	const char	*s, *nl;
	char		*out, ip[64], cls[32], want[16];
	size_t		 len = 0;
	int		 pass, k, n = 0, i, j, was;

	c_init(&c, 2, 1);
	for (pass = 0; pass < (order == ORDER_AHEAD ? 2 : 1); pass++) {
		for (s = text; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
			if (pf_parse_line(c.p, s, (size_t)(nl - s), &ev) !=
			    PF_EVENT)
				continue;
			k = route(&ev);
			if (order == ORDER_AHEAD && k != pass)
				continue;
			c.t = pf_event_epoch(&ev);
			scorer_event(c.n[k].s, &ev, c.t);
			collect(&c, k);
			if (order == ORDER_FLUSH && ++n % 200 == 0)
				exchange(&c);
		}
		if (order == ORDER_AHEAD && pass == 0) {
			scorer_flush(c.n[0].s, LLONG_MAX);
			collect(&c, 0);
			deliver(&c, 0, 1);	/* mx2 reads mx1's first */
		}
	}
	scorer_flush(c.n[0].s, LLONG_MAX);
	scorer_flush(c.n[1].s, LLONG_MAX);
	if (order == ORDER_AHEAD) {	/* mx1 gets mx2's */
		collect(&c, 1);
		deliver(&c, 1, 0);
	} else
		exchange(&c);
	collect(&c, 0);
	collect(&c, 1);
	out = calloc(1, 65536);
	assert_non_null(out);
	*bad = 0;
	for (s = truth; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		if (sscanf(s, "%63s %31s %15s", ip, cls, want) != 3)
			continue;
		was = 0;
		for (i = 0; i < 2; i++)
			for (j = 0; j < c.n[i].nbans; j++)
				was |= strcmp(c.n[i].bans[j], ip) == 0;
		if (was)
			len += (size_t)snprintf(out + len, 65536 - len, "%s\n",
			    ip);
		if ((strcmp(want, "ban") == 0 && !was) ||
		    (strcmp(want, "keep") == 0 && was)) {
			if ((*bad)++ < 10)
				print_error("order %d: %s (%s) %s\n", order, ip,
				    cls, was ? "banned" : "not banned");
		}
	}
	c_done(&c);
	return (out);
}

/* test_share_lab_split - the lab run over two nodes, three orders */
static void
test_share_lab_split(void **state)
{
	char		 logp[512], truthp[512], *text, *truth, *got[ORDERS];
	size_t		 len;
	int		 o, bad, total = 0;

	(void)state;
	need_corpus();
	shared_path("corpus/lab/postfix37-lab.log", logp, sizeof(logp));
	shared_path("corpus/lab/postfix37-lab.truth.tsv", truthp,
	    sizeof(truthp));
	text = read_file(logp, &len);
	truth = read_file(truthp, &len);
	assert_non_null(text);
	assert_non_null(truth);
	for (o = 0; o < ORDERS; o++) {
		got[o] = lab_run(text, o, &bad, truth);
		total += bad;
	}
	print_message("lab over two nodes: %d wrong verdicts in %d orders\n",
	    total, ORDERS);
	assert_int_equal(total, 0);
	for (o = 1; o < ORDERS; o++)
		assert_string_equal(got[o], got[0]);
	assert_true(strlen(got[0]) > 0);
	for (o = 0; o < ORDERS; o++)
		free(got[o]);
	free(text);
	free(truth);
}

/* open_node - the state at uri as node name, a scorer loaded from it
 * and sharing (the cluster's node k replaced) */
static struct state *
open_node(struct cluster *c, int k, const char *uri, const char *name)
{
	struct state	*st;
	char		 err[512];

	st = state_open_with(uri, 0, &(struct state_opts){ .node = name },
	    err, sizeof(err));
	if (st == NULL)
		fail_msg("%s", err);
	assert_string_equal(state_node(st), name);
	scorer_free(c->n[k].s);
	c->n[k].s = scorer_new(&c->conf);
	assert_non_null(c->n[k].s);
	assert_int_equal(score_load(st, c->n[k].s), 0);
	assert_int_equal(score_share(st, c->n[k].s), 1);
	return (st);
}

/* save - node k's batch stored (and waited for) */
static void
save(struct cluster *c, int k, struct state *st)
{
	collect(c, k);
	assert_int_equal(score_save(st, c->n[k].s, NULL, 0), 0);
	assert_int_equal(state_sync(st), 0);
}

/* count_row - a client row as list reads it, counted for one address */
static int
count_row(void *arg, const struct state_client *r)
{
	if (strcmp(r->addr, "192.0.2.55") == 0)
		(*(int *)arg)++;
	return (0);
}

/* sql_is - one SQL answer */
static void
sql_is(const char *uri, const char *sql, const char *want)
{
	char	*out = pg_sql(uri, sql);

	out[strcspn(out, "\n")] = '\0';
	if (strcmp(out, want) != 0)
		fail_msg("%s: %s, not %s", sql, out, want);
	free(out);
}

/* outboxed - a private server, and a state on it as the daemon opens
 * it (node mx1, its outbox and cache in dir, made here); skips the test
 * where no server can run */
static struct state *
outboxed(struct pg_server *pg, char *dir)
{
	struct state	*st;
	char		 err[512];

	if (pg_start(pg) == -1)
		skip();
	assert_non_null(mkdtemp(dir));
	st = state_open_with(pg->uri, 0, &(struct state_opts){ .node = "mx1",
	    .local_dir = dir, .outbox_max = 16 << 20 }, err, sizeof(err));
	if (st == NULL)
		fail_msg("%s", err);
	return (st);
}

/* outboxed_end - outboxed()'s directory and server removed (the state
 * closed already) */
static void
outboxed_end(struct pg_server *pg, const char *dir)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	pg_stop(pg);
}

/* test_share_pg_prune_later - on PostgreSQL with an outbox (as the
 * daemon opens it), the prune handed to the writer is done once the
 * queue is empty, and the close waits for it: the evidence past the
 * retention gone, the newer kept */
static void
test_share_pg_prune_later(void **state)
{
	struct pg_server pg;
	struct state	*st;
	char		 dir[] = "/tmp/ff-pgprune.XXXXXX";
	long long	 now = 1760000000;	/* October 2025 */

	(void)state;
	st = outboxed(&pg, dir);
	state_put_evidence(st, "192.0.2.61", now - 40 * 86400);
	state_put_evidence(st, "192.0.2.62", now - 86400);
	assert_int_equal(state_sync(st), 0);
	sql_is(pg.uri, "SELECT count(*) FROM evidence", "2");
	assert_int_equal(state_prune_later(st, now), 0);
	state_close(st);	/* waits for the prune */
	sql_is(pg.uri, "SELECT count(*) FROM evidence WHERE addr = "
	    "'192.0.2.61'", "0");
	sql_is(pg.uri, "SELECT count(*) FROM evidence WHERE addr = "
	    "'192.0.2.62'", "1");
	outboxed_end(&pg, dir);
}

/* busy_is - state_busy() becomes want within 60 s; 1 if it did */
static int
busy_is(struct state *st, int want)
{
	int	i;

	for (i = 0; i < 6000; i++) {
		if (state_busy(st) == want)
			return (1);
		usleep(10000);
	}
	return (0);
}

/* test_share_pg_spool_error - PostgreSQL away and the outbox unusable
 * (a file where its directory was: a disk error, the outbox empty): the
 * batch stays in memory and the caller is told to wait (state_busy());
 * once the server is back the batch is stored and the caller may go on
 * (it waited for ever before: the flag only a replay cleared) */
static void
test_share_pg_spool_error(void **state)
{
	struct pg_server pg;
	struct state	*st;
	char		 dir[] = "/tmp/ff-pgspool.XXXXXX", cmd[256];
	long long	 now = 1760000000;

	(void)state;
	st = outboxed(&pg, dir);
	state_put_evidence(st, "192.0.2.71", now);
	assert_int_equal(state_sync(st), 0);
	pg_server_ctl(&pg, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s/outbox && : > %s/outbox", dir,
	    dir);
	assert_int_equal(system(cmd), 0);
	state_put_evidence(st, "192.0.2.72", now);
	assert_true(busy_is(st, 1));	/* neither stored nor spooled */
	pg_server_ctl(&pg, 1);
	if (!busy_is(st, 0))
		fail_msg("the batch stored, state_busy() still says wait");
	assert_int_equal(state_sync(st), 0);
	sql_is(pg.uri, "SELECT count(*) FROM evidence", "2");
	state_close(st);
	outboxed_end(&pg, dir);
}

/* test_share_pgsql - two nodes on one PostgreSQL state */
static void
test_share_pgsql(void **state)
{
	struct pg_server pg;
	struct cluster	 c;
	struct state	*a, *b;
	int		 i, rows = 0;

	(void)state;
	if (pg_start(&pg) == -1)
		skip();
	c_init(&c, 2, 0);
	a = open_node(&c, 0, pg.uri, "mx1");
	b = open_node(&c, 1, pg.uri, "mx2");
	/* mx1: the 5xx; stored with its batch. */
	session(&c, 0, 0, 10, "192.0.2.55", REJECT("192.0.2.55",
	    "a@b.example", "gone@mx.example.test"), NOTHING);
	save(&c, 0, a);
	sql_is(pg.uri, "SELECT count(*) FROM observations WHERE node = 'mx1'",
	    "1");
	/* mx2 polls: the 5xx; then three retries: banned. */
	assert_int_equal(score_ingest(b, c.n[1].s), 1);
	assert_int_equal(score_ingest(b, c.n[1].s), 0);
	for (i = 1; i <= 3; i++)
		session(&c, 1, 10 * i, 20 + i, "192.0.2.55",
		    REJECT("192.0.2.55", "a@b.example", "gone@mx.example.test"),
		    NOTHING);
	collect(&c, 1);
	assert_true(decided(&c, "192.0.2.55"));
	save(&c, 1, b);
	/* mx1 polls: mx2's sessions and its ban (the ban's number). */
	assert_true(score_ingest(a, c.n[0].s) >= 4);
	assert_true(scorer_banned(c.n[0].s, "192.0.2.55", c.t));
	save(&c, 0, a);
	/* One clients row per node; list and explain see one. */
	sql_is(pg.uri, "SELECT count(*) FROM clients WHERE addr = "
	    "'192.0.2.55'", "2");
	assert_true(state_clients(a, STATE_BY_BAN, count_row, &rows) > 0);
	assert_int_equal(rows, 1);
	rows = 0;
	assert_int_equal(state_clients_of(b, "192.0.2.55", NULL, count_row,
	    &rows), 1);
	assert_int_equal(rows, 1);
	sql_is(pg.uri, "SELECT count(*) FROM bans WHERE addr = '192.0.2.55'",
	    "1");
	/* The cursor is mx2's, stored with its batch: a restarted mx2
	 * applies nothing twice, and remembers what it knew. */
	sql_is(pg.uri, "SELECT value > 0 FROM meta WHERE node = 'mx2' AND "
	    "key = 'obs_cursor'", "t");
	state_close(b);
	b = open_node(&c, 1, pg.uri, "mx2");
	assert_int_equal(score_ingest(b, c.n[1].s), 0);
	assert_true(scorer_banned(c.n[1].s, "192.0.2.55", c.t));
	assert_true(scorer_score(c.n[1].s, "192.0.2.55", c.t) >= 10);
	/* A fourth retry on mx1 after mx2's restart: a retry there too. */
	session(&c, 0, 50, 40, "192.0.2.55", REJECT("192.0.2.55",
	    "a@b.example", "gone@mx.example.test"), NOTHING);
	save(&c, 0, a);
	assert_int_equal(score_ingest(b, c.n[1].s), 1);
	/* Both nodes decide the first ban of another client before either
	 * hears of the other's: one bans row. */
	for (i = 0; i < 4; i++)
		feed(&c, i / 2, "%s mx postfix/postscreen[5]: PREGREET 11 "
		    "after 0.2 from [192.0.2.88]:%d: EHLO x", stamp(60, i),
		    4000 + i);
	assert_true(c.n[0].nbans > 0 && c.n[1].nbans > 1);
	save(&c, 0, a);
	save(&c, 1, b);
	sql_is(pg.uri, "SELECT count(*), min(n) FROM bans WHERE addr = "
	    "'192.0.2.88'", "1|1");
	state_close(a);
	state_close(b);
	c_done(&c);
	pg_stop(&pg);
}

const struct CMUnitTest share_tests[] = {
	cmocka_unit_test(test_share_fivefifty_across),
	cmocka_unit_test(test_share_one_retry),
	cmocka_unit_test(test_share_dictionary),
	cmocka_unit_test(test_share_list_server),
	cmocka_unit_test(test_share_refused),
	cmocka_unit_test(test_share_lab_split),
	cmocka_unit_test(test_share_pgsql),
	cmocka_unit_test(test_share_pg_prune_later),
	cmocka_unit_test(test_share_pg_spool_error),
};
const size_t share_tests_count = sizeof(share_tests) / sizeof(share_tests[0]);

/*	$fivefifty: score.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	score 3h - per-client evidence, scores and ban decisions
 * SYNOPSIS
 *	#include "score/score.h"
 *
 *	void	score_conf_defaults(struct score_conf *c);
 *	struct scorer *scorer_new(const struct score_conf *c);
 *	void	scorer_event(struct scorer *s, const struct pf_event *ev,
 *		    long long t);
 *	void	scorer_flush(struct scorer *s, long long t);
 *	int	scorer_decision(struct scorer *s, struct score_decision *d);
 *	void	scorer_free(struct scorer *s);
 *	int	score_clock_suspect(long long t, long long log_now,
 *		    long long wall, double tolerance);
 *	unsigned long long scorer_clock_rejects(const struct scorer *s,
 *		    long long *last);
 *	void	scorer_set_protect(struct scorer *s,
 *		    int (*protects)(void *, const struct net_prefix *),
 *		    void *arg);
 *	void	scorer_set_conf(struct scorer *s, const struct score_conf *c);
 *	int	scorer_manual_ban(struct scorer *s, const char *net,
 *		    long long t, long long until, const char *reason);
 *	int	scorer_unban(struct scorer *s, const char *net, long long t);
 *	int	scorer_remote_ban(struct scorer *s, const char *net,
 *		    long long t, long long until, int n);
 *	int	scorer_unban_replayed(struct scorer *s, const char *net,
 *		    long long t);
 *	int	scorer_mark(struct scorer *s, const struct score_decision *d,
 *		    int mark);
 *	double	scorer_score(struct scorer *s, const char *addr, long long t);
 *	int	scorer_banned(struct scorer *s, const char *addr, long long t);
 *	size_t	scorer_nclients(const struct scorer *s);
 *	size_t	scorer_nsessions(const struct scorer *s);
 *	size_t	scorer_nffs(const struct scorer *s);
 *	int	scorer_backlog(const struct scorer *s);
 *	long long scorer_now(const struct scorer *s);
 *	void	scorer_facts(struct scorer *s, long long from,
 *		    long long until);
 *	void	scorer_facts_split(struct scorer *s);
 *	unsigned long long scorer_facts_dropped(const struct scorer *s);
 *	void	scorer_count_event(struct scorer *s,
 *		    const struct pf_event *ev, long long t);
 *	void	scorer_each_fact(struct scorer *s,
 *		    void (*fn)(void *, const struct score_fact *), void *arg);
 *	void	scorer_each_ff(struct scorer *s,
 *		    void (*fn)(void *, const struct score_ff *), void *arg);
 *	double	score_shown(double score);
 *	int	score_reaches(double score, double threshold);
 *
 *	double	score_decay(double score, long long score_t, long long t,
 *		    double half_life);
 *
 *	int	score_save(struct state *st, struct scorer *s,
 *		    const struct state_pos *pos, int npos);
 *	int	score_load(struct state *st, struct scorer *s);
 *	int	score_held(struct state *st, long long now,
 *		    int (*fn)(void *, const struct score_decision *),
 *		    void *arg);
 *	int	score_share(struct state *st, struct scorer *s);
 *	int	score_ingest(struct state *st, struct scorer *s);
 *
 *	void	scorer_share(struct scorer *s, const char *node);
 *	int	scorer_observe(struct scorer *s, const char *node,
 *		    const void *rec, size_t len);
 *	int	scorer_shared(struct scorer *s, int (*fn)(void *,
 *		    const char *, long long, const void *, size_t),
 *		    void *arg);
 *	unsigned long long scorer_observe_refused(const struct scorer *s);
 * DESCRIPTION
 *	The scorer takes parser events in log order, with their log time t
 *	(seconds; pf_event_epoch()), correlates them into SMTP sessions, turns
 *	what the sessions show into weighted evidence against the client,
 *	keeps a decaying score per client (and per IPv6 /64, and optionally
 *	per IPv4 /24) and decides bans. Decisions use log time only, so a
 *	replayed log gives the decisions the daemon took live.
 *
 *	The rules (score/rules.c says how each is computed):
 *	- five-fifty: after a permanent (5xx, enforced) rejection, the client
 *	  comes back in a later session with the same rejected attempt (same
 *	  sender and recipient; any attempt when the rejection was about the
 *	  client or its HELO) and that session has nothing accepted. A
 *	  session that got mail accepted is never a five-fifty retry: that is
 *	  how mailing-list servers, which re-send to stale subscribers while
 *	  the rest of each post is accepted, stay clear.
 *	- dictionary: distinct unknown recipients in a window, minus the
 *	  recipients the client got accepted in that window, over a
 *	  threshold; "too many errors" and rcpt=0/N add to the count.
 *	- other signals with their own weights: relay attempts, SASL
 *	  failures over a window, postscreen violations, improper pipelining,
 *	  non-SMTP commands, DNSBL rejects, HELO abuse.
 *	A ban is decided when the decayed score reaches ban_threshold; its
 *	length is ban_base * ban_factor^(n-1), at most ban_max, n counting
 *	this client's bans. A whitelisted client (loopback, whitelist CIDRs,
 *	host name suffixes matched against names Postfix verified) gets
 *	evidence recorded but is never banned.
 *
 *	scorer_event() feeds one event; before it, every session idle for
 *	more than session_timeout at the log's time (a missed disconnect,
 *	an excerpt without connect lines) is ended and judged at its last
 *	line plus session_timeout: in log order, so that the outcome does
 *	not depend on who reads the log or when flushes happen (the
 *	daemon's, scan's and the reports' differ). scorer_flush() does the
 *	same at t (LLONG_MAX: every open session). scorer_decision() hands out
 *	the decisions made so far, one per call (1), or 0 when none is left;
 *	each carries its network parsed (net: what the enforcer bans, so
 *	nobody parses addr again) next to its text (addr, for output).
 *	The client's address comes parsed from the parser (the event's
 *	client_net) and is carried in binary through the sessions, the
 *	rules and the client table (score_int.h says how).
 *	The scorer also counts what the reports show (facts.c): per hour of
 *	log time and client, connections, sessions, accepted messages and
 *	enforced rejects (by class and code), and rejects under their HELO,
 *	sender and unknown recipient; and per client its first permanent
 *	rejection and how often it came back after it. A scorer with a state
 *	counts them always (score_save() stores them); scorer_facts() turns
 *	counting on for a scorer without one, for events with log time in
 *	[from, until), and scorer_each_fact() and scorer_each_ff() hand them
 *	out. To share the work between two threads, scorer_facts_split()
 *	makes a scorer leave the rejects' counts (reject, helo, sender,
 *	recipient) to scorer_count_event() on a second scorer.
 *
 *	A line whose time is far from both the log clock and the wall clock
 *	(beyond clock_tolerance; score_clock_suspect() in guard.c has the
 *	rule) is counted (scorer_clock_rejects()), not scored, and does not
 *	move the log clock. A client or prefix the enforcer would refuse
 *	(scorer_set_protect()) gets evidence but no ban.
 *
 *	scorer_manual_ban() queues an administrator's ban (manual set; the
 *	client is not banned by scoring while it lasts); scorer_unban()
 *	lifts a ban, clears the client's score and memory so that it is not
 *	banned again by the evidence that led to it, and queues a decision
 *	with lift set (the state ends the ban's rows, the enforcer lifts it).
 *	scorer_unban_replayed() is an unban the state never stored, applied
 *	again at start (daemon/spool.c): the lift is queued even for a client
 *	the scorer does not know, and the lines read again up to its time
 *	give no evidence. scorer_remote_ban() is a ban another node put in
 *	force (until > t; its n-th ban of net) or lifted at t (until <= t,
 *	forgetting as scorer_unban() does): this scorer does not decide it
 *	again, and queues nothing (the state has it already).
 *	scorer_mark() adds a note to the stream of decisions, for the state
 *	only (scorer_decision() never hands one out): what the daemon's
 *	circuit breaker did with a decision, or that manual actions up to a
 *	number are stored with this batch (SCORE_MARK_*); -1 when memory runs
 *	out, 0 (nothing) without a state.
 *
 *	score_decay() is a score given at score_t, decayed to t with
 *	half_life: what the scorer computes, for the commands that show
 *	scores from the state.
 *
 *	The state (state/state.h) keeps all of it (score/persist.c says
 *	how): score_load() restores a scorer, score_save() hands the state
 *	what changed together with the tailer positions of the lines that
 *	changed it, as one batch (one transaction); score_held() gives the
 *	bans the daemon's breaker held, as decisions.
 *
 *	Shared evidence (several nodes on one PostgreSQL state; share.c
 *	says how): scorer_share() makes the scorer keep records of what its
 *	sessions showed for the other nodes (scorer_shared() hands them
 *	out) and judge the cross-session rules symmetrically in time, so
 *	that the same observations give the same decisions whatever order
 *	they arrive in; scorer_observe() applies another node's record.
 *	score_share() turns it on for a shared state, score_save() stores
 *	the records with the batch and score_ingest() applies the other
 *	nodes' records stored since the last one applied (persist.c).
 * SECURITY
 *	Peer text (senders, recipients, HELO) is kept only as 64-bit hashes
 *	for matching, and capped and escaped where it is kept for explain.
 *	Every table that grows with the input is bounded by memory_limit
 *	(bounds.c says how it is split) and the client table also by
 *	max_clients: the client entry with the least at stake (no ban,
 *	lowest score, nothing remembered, oldest) is evicted first, the
 *	session idle the longest is ended first. scorer_backlog() says when
 *	what waits for the state reached its share: flush then.
 */
#ifndef FIVEFIFTY_SCORE_H
#define FIVEFIFTY_SCORE_H

#include "net/net.h"
#include "parse/parse.h"
#include "state/state.h"

#define SCORE_MAX_NETS	NET_LIST_MAX
#define SCORE_MAX_SUFFIX 64

struct score_conf {
	double		 ban_threshold;		/* score that bans */
	double		 half_life;		/* seconds */
	double		 ban_base;		/* seconds */
	double		 ban_factor;
	double		 ban_max;		/* seconds */
	double		 history_keep;		/* seconds a ban counts for
						 * escalation */
	/* five-fifty */
	double		 w_fivefifty;		/* per retry session */
	double		 fivefifty_window;	/* seconds a 5xx is remembered */
	int		 fivefifty_retries;	/* retries that ban, however
						 * slow (0: off) */
	/* dictionary */
	double		 w_dictionary;		/* when the threshold is met */
	double		 dict_window;		/* seconds */
	int		 dict_threshold;	/* distinct unknown - accepted */
	/* other signals */
	double		 w_relay;		/* per relay attempt */
	double		 w_sasl;		/* per SASL failure */
	double		 w_pregreet, w_ps_pipelining, w_ps_non_smtp;
	double		 w_ps_bare_newline, w_ps_limit;
	double		 w_pipelining, w_non_smtp, w_dnsbl, w_helo;
	double		 w_too_many_errors, w_silent;
	/* slow abuse, counted per client over a window (rules.c): the
	 * count-th within the window bans however slowly it came */
	int		 sasl_failures_day;	/* SASL failures (0: off) */
	double		 sasl_window;		/* seconds */
	int		 ps_violations_day;	/* postscreen violations */
	double		 ps_window;
	int		 reject_burst;		/* 5xx, nothing accepted */
	double		 reject_burst_window;
	double		 accepted_window;	/* mail accepted this recently:
						 * a DNSBL listing or a reject
						 * burst alone never bans */
	/* prefixes */
	int		 v6_prefix;		/* 64 */
	double		 v6_prefix_threshold;	/* prefix score that bans it */
	int		 v6_prefix_min_clients;	/* distinct offenders needed */
	int		 v4_prefix;		/* 0: off; 24 */
	double		 v4_prefix_threshold;
	int		 v4_prefix_min_clients;
	/* whitelist; loopback is always in it: 127.0.0.1 and ::1 whatever
	 * loopback4 says (default 127.0.0.0/8; a lab whose test clients use
	 * other 127/8 addresses narrows it to 127.0.0.1/32) */
	struct net_prefix loopback4;
	struct net_prefix whitelist[SCORE_MAX_NETS];
	int		 nwhitelist;
	char		*whitelist_names[SCORE_MAX_SUFFIX];	/* ".google.com" */
	int		 nwhitelist_names;
	char		 myhostname[256];	/* "HELO <our name>" is abuse */
	size_t		 max_clients;
	double		 session_timeout;	/* seconds without a disconnect */
	double		 clock_tolerance;	/* seconds; 0: off (guard.c) */
	size_t		 memory_limit;		/* bytes for the tables (bounds.c);
						 * 0: SCORE_MEMORY_LIMIT */
};

#define SCORE_MEMORY_LIMIT	(24UL << 20)

/* What the scorer decided. */
struct score_decision {
	char		 addr[PF_ADDR_MAX];	/* address or network: text
						 * for output and the state */
	struct net_prefix net;		/* the same, parsed: what the
					 * enforcer acts on */
	int		 prefix_len;		/* 32 / 128 for one address */
	int		 family;
	long long	 at;			/* log time */
	long long	 until;
	int		 ban_count;		/* this ban is the n-th */
	double		 score;
	char		 reason[128];		/* rule that tipped it */
	int		 manual;		/* an administrator's ban */
	int		 lift;			/* not a ban: the ban on addr
						 * was lifted at `at` */
	int		 mark;			/* not a decision: a note for
						 * the state (SCORE_MARK_*) */
};

/* Notes the daemon adds to the decisions' stream (scorer_mark()), stored
 * in order with them: what the circuit breaker did with a ban (so that a
 * restart holds what was held), and which manual actions are stored. */
#define SCORE_MARK_HELD		1	/* this ban is held, not enforced */
#define SCORE_MARK_RELEASED	2	/* this held ban is enforced now */
#define SCORE_MARK_DROPPED	3	/* this ban is never enforced (the
					 * hold was full), held or not */
#define SCORE_MARK_FORGOTTEN	4	/* every held ban of addr is void
					 * (unbanned, or a manual ban) */
#define SCORE_MARK_MANUAL	5	/* manual actions up to number `at`
					 * (daemon/spool.c) are in here */

/* What the reports count (facts.c). A fact: n occurrences of kind in one
 * hour of log time, for one client, with one value, class and code. */
struct score_fact {
	const char	*kind;		/* session, message, reject,
					 * helo, sender, recipient */
	const char	*value;		/* peer text, escaped; "" when none */
	const char	*client;
	const char	*class;		/* pf_class_name(); a session's "smtpd"
					 * or "postscreen"; "" when none */
	long long	 hour;		/* log time / 3600 */
	int		 code;		/* SMTP code; 0 when none */
	long		 n;
	long long	 first, last;	/* log times */
};

/* A client's first permanent rejection and the sessions after it. */
struct score_ff {
	const char	*addr;
	const char	*name;		/* verified name, escaped; "" unknown */
	const char	*class;
	const char	*reason;	/* escaped, capped */
	long long	 first_t;	/* the first permanent rejection */
	int		 code;
	long		 retries;	/* later sessions with nothing accepted */
	long long	 last_retry;	/* 0: none */
	long long	 last_seen;	/* its last session */
};

struct score_client;
struct scorer;

void	score_conf_defaults(struct score_conf *);
struct scorer *scorer_new(const struct score_conf *);
void	scorer_event(struct scorer *, const struct pf_event *, long long);
void	scorer_flush(struct scorer *, long long);
int	scorer_decision(struct scorer *, struct score_decision *);
int	scorer_manual_ban(struct scorer *, const char *, long long, long long,
	    const char *);
int	scorer_unban(struct scorer *, const char *, long long);
int	scorer_remote_ban(struct scorer *, const char *, long long,
	    long long, int);
int	scorer_unban_replayed(struct scorer *, const char *, long long);
int	scorer_mark(struct scorer *, const struct score_decision *, int);
void	scorer_set_conf(struct scorer *, const struct score_conf *);
double	scorer_score(struct scorer *, const char *, long long);
int	scorer_banned(struct scorer *, const char *, long long);
size_t	scorer_nclients(const struct scorer *);
size_t	scorer_nsessions(const struct scorer *);
size_t	scorer_nffs(const struct scorer *);
int	scorer_backlog(const struct scorer *);
long long scorer_now(const struct scorer *);
void	scorer_facts(struct scorer *, long long, long long);
void	scorer_facts_split(struct scorer *);
unsigned long long scorer_facts_dropped(const struct scorer *);
void	scorer_count_event(struct scorer *, const struct pf_event *,
	    long long);
void	scorer_each_fact(struct scorer *,
	    void (*)(void *, const struct score_fact *), void *);
void	scorer_each_ff(struct scorer *,
	    void (*)(void *, const struct score_ff *), void *);
void	scorer_free(struct scorer *);
int	score_clock_suspect(long long, long long, long long, double);
double	score_shown(double);
int	score_reaches(double, double);
unsigned long long scorer_clock_rejects(const struct scorer *, long long *);
void	scorer_set_protect(struct scorer *,
	    int (*)(void *, const struct net_prefix *), void *);

/* Between the scorer and the state (persist.c). */
double	score_decay(double, long long, long long, double);
int	score_save(struct state *, struct scorer *, const struct state_pos *,
	    int);
int	score_load(struct state *, struct scorer *);
int	score_held(struct state *, long long, int (*)(void *,
	    const struct score_decision *), void *);
int	score_share(struct state *, struct scorer *);
int	score_ingest(struct state *, struct scorer *);

/* Shared evidence (share.c). */
void	scorer_share(struct scorer *, const char *);
int	scorer_observe(struct scorer *, const char *, const void *, size_t);
int	scorer_shared(struct scorer *, int (*)(void *, const char *,
	    long long, const void *, size_t), void *);
unsigned long long scorer_observe_refused(const struct scorer *);

#endif /* FIVEFIFTY_SCORE_H */

/*	$fivefifty: score_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	score_int 3h - what the scorer's files share
 * DESCRIPTION
 *	Clients (single addresses and aggregated prefixes alike) live in one
 *	hash table keyed by family, prefix length and address bytes. Sessions
 *	live in a chained hash table keyed by (host, tag, pid) for smtpd, by
 *	(host, address, port) for postscreen, and in a list by last activity.
 *	Both tables double their buckets as they fill, and both are bounded
 *	(bounds.c). Peer text is only ever kept as 64-bit hashes.
 *
 *	An event flows down: scorer -> session -> rules -> scorer's evidence
 *	-> table. The client's address travels in binary, as the parser
 *	parsed it (struct who: an event's client_net, or a session's address
 *	parsed once when the session is judged); the table keys on it, the
 *	whitelist and the prefixes compare it, and nothing below the parser
 *	reads the text of an address again (the text is kept for output, and
 *	hashed where the state keeps hashes of it).
 */
#ifndef FIVEFIFTY_SCORE_INT_H
#define FIVEFIFTY_SCORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "score.h"
#include "util/hash.h"

/* What a client entry remembers is capped; the memory of the rules
 * (struct client_mem) is allocated only for a client that needs one, and
 * every entry counts against memory_limit (bounds.c). */
#define ATTEMPTS_KEEP	8	/* remembered 5xx attempts per client */
#define UNKNOWN_KEEP	32	/* remembered unknown recipients per client */
#define ACCEPT_KEEP	8	/* remembered accepting sessions */
#define PREFIX_MEMBERS	8
#define SESSION_REJECTS	ATTEMPTS_KEEP	/* the client keeps no more */
#define TOMB_SLOTS	1024	/* ids of sessions ended early */
#define ANY_ATTEMPT	1	/* attempt key: "any attempt at all" */

struct evidence {
	long long	 t;
	double		 weight;
	const char	*rule;		/* static string */
	char		 detail[96];	/* escaped, capped */
};

struct attempt {
	uint64_t	 key;		/* hash of sender and recipient, or ANY */
	long long	 t;		/* first 5xx */
	uint32_t	 session;
	int16_t		 code;
	int16_t		 retries;	/* later sessions that repeated it */
};

/* A count of events over a sliding window, in TALLY_SLOTS slots of
 * window / TALLY_SLOTS seconds (rules.c): the sum of the slots is the
 * count within the last window, to a slot's length. */
#define TALLY_SLOTS	24
struct tally {
	long long	 slot;		/* the newest slot: t / width */
	int32_t		 width;		/* seconds a slot; 0: empty */
	uint16_t	 n[TALLY_SLOTS];	/* n[0]: the newest slot */
};

/* Rule names the scorer tells apart: a ban these tip is someone else's
 * verdict (a DNSBL's) and is never escalated (scorer.c). */
#define RULE_DNSBL	"DNSBL reject"
#define RULE_DNSBL_BURST "DNSBL reject burst"

/* What the rules remember of a client: saved as one blob (persist.c). */
struct client_mem {
	struct attempt	 attempts[ATTEMPTS_KEEP];
	int		 nattempts;
	int		 nunknown;
	uint64_t	 unknown[UNKNOWN_KEEP];	/* distinct unknown recipients */
	long long	 unknown_t[UNKNOWN_KEEP];
	long long	 accept_t[ACCEPT_KEEP];	/* accepted recipients, by time */
	int		 accept_n[ACCEPT_KEEP];
	int		 nmembers;
	uint64_t	 members[PREFIX_MEMBERS];	/* prefixes: offenders */
	/* slow abuse (rules.c) */
	struct tally	 sasl;		/* SASL failures */
	struct tally	 psv;		/* postscreen protocol violations */
	struct tally	 burst;		/* permanent rejects */
	long long	 auth_ok_t;	/* the last successful AUTH; 0: none */
	long long	 own_5xx_t;	/* the last 5xx not from a DNSBL */
	int		 listed_bans;	/* bans a DNSBL tipped: they do not
					 * escalate (scorer.c) */
	struct client_share *sh;	/* shared evidence (share.c); NULL:
					 * none (not in the blob's first
					 * part: persist.c packs it after) */
};

/* Shared evidence (share.c): what the five-fifty rule remembers of the
 * sessions of every node, when the scorer shares (scorer_share()).
 * Attempts are kept per (key, node) from their first 5xx; sessions that
 * tried something and had nothing accepted are kept so that a 5xx
 * arriving after them (from another node) still finds its retries. */
#define SHARE_ATTEMPTS	16
#define SHARE_SESSIONS	16
struct sh_attempt {
	uint64_t	 key;
	long long	 t;		/* its first 5xx */
	uint32_t	 node;		/* the node's id (share.c) */
	uint32_t	 marker;	/* that node's newest session then */
	int32_t		 retries;	/* sessions counted as its retries */
	int32_t		 code;
};
struct sh_session {
	long long	 start, end;
	uint32_t	 node, sid;
	uint64_t	 keys[SESSION_REJECTS];
	uint8_t		 nkeys;
	uint8_t		 any;		/* any attempt (MAIL/RCPT) */
	uint8_t		 counted;	/* a retry already */
	uint8_t		 local;		/* this node's: its evidence is
					 * stored here */
};
struct client_share {
	struct sh_attempt att[SHARE_ATTEMPTS];
	int		 natt;
	struct sh_session ses[SHARE_SESSIONS];
	int		 nses;
};


/* A client entry: about 150 bytes, and a client_mem (about 1100) for the
 * clients the rules remember something of. */
struct client {
	struct client	*next;		/* hash chain */
	struct client	*dirty_next;	/* changed since the last flush */
	struct client_mem *m;		/* NULL: nothing remembered */
	double		 score;		/* as of score_t */
	long long	 score_t;
	long long	 first_seen, last_seen;
	long long	 banned_until;
	long long	 last_ban;
	long long	 forgive_t;	/* unbanned at (a replayed unban): what
					 * happened up to it is forgiven */
	int		 bans;		/* in history_keep */
	unsigned char	 dirty;
	unsigned char	 family;
	unsigned char	 prefix_len;
	unsigned char	 key[18];	/* family, prefix length, address */
	char		 addr[];	/* text, as logged (NUL-terminated) */
};

/* Activity facts for the reports, not yet written: one per (kind, hour,
 * value, client, class, code); facts.c says which kinds there are. */
#define FACT_VALUE	255	/* bytes of peer text kept (escaped) */
#define DETAIL_CAP	48	/* bytes of peer text in an evidence detail */
#define FF_REASON	160	/* bytes of a five-fifty's reason kept */
#define FF_NAME		128	/* bytes of a client name kept */
struct fact {
	struct fact	*next;
	uint64_t	 h;
	const char	*kind;		/* static: "helo", "connect", ... */
	int		 kindno;	/* its place in the kinds' order */
	long long	 hour;		/* log time / 3600 */
	const char	*class;		/* static: pf_class_name() or "" */
	int		 code;		/* SMTP code, 0 when none */
	long		 n;
	long long	 first, last;
	char		 client[PF_ADDR_MAX];
	char		 value[];	/* escaped peer text, or "" */
};
#define FACT_SLOTS_MIN	4096	/* grows: twice the facts at most */

/* Facts are many and short-lived (until the next flush): they are cut
 * from chunks that are freed together. */
struct arena {
	struct arena	*next;
	size_t		 used, cap;
	char		 mem[];
};
#define ARENA_CHUNK	(1024 * 1024)

/* Facts counted: a hash of struct fact. */
struct factset {
	struct fact	**facts;	/* slots chains */
	size_t		 slots, n;
	size_t		 hint;		/* slots to start with */
	struct arena	*arena;		/* where the facts live */
	size_t		 bytes;		/* of the facts */
	size_t		 max_bytes;	/* 0: no bound (the state's writer:
					 * a batch is bounded already) */
	unsigned long long dropped;	/* new facts not kept: full */
};

/* Facts not counted yet: with a state, the scorer only logs what it saw
 * (records of struct fact_rec, then client and value, 8-aligned) and the
 * state's writer thread counts them (facts_replay()): the counting cost
 * scan a tenth of its speed on the scoring thread. */
struct fact_rec {
	const char	*kind, *class;	/* static */
	long long	 t, last;	/* the first and last occurrence */
	unsigned	 n;		/* occurrences */
	int		 code;
	unsigned short	 clen, vlen;	/* then client, NUL, value, NUL */
};
#define FACT_RECENT	4	/* records a new one may add to */
struct fact_log {
	char		*p;
	size_t		 len, cap;
	size_t		 recent[FACT_RECENT];	/* offsets of the newest */
	unsigned	 nrecent, head;		/* in use; next replaced */
	size_t		 hint;		/* the room to start with (the last
					 * log's): growing by realloc() copied
					 * and faulted it in again and again */
};

/* A client's first permanent rejection and its returns after it. */
struct ff {
	struct ff	*next;		/* hash chain */
	struct ff	*dirty_next;
	int		 dirty;
	struct score_ff	 r;		/* its strings point into text */
	char		*text;		/* addr, name, reason: exact size */
	size_t		 textlen;
};
#define FF_SLOTS	16384

/* Whom evidence is against: the address in binary (a full-length
 * prefix), its text as logged (zone kept), its verified name ("" when
 * unknown). */
struct who {
	struct net_prefix net;
	const char	*addr;
	const char	*name;
};

/* Evidence not yet written to the state database. */
struct pending_ev {
	char		 addr[PF_ADDR_MAX];
	struct evidence	 e;
};

struct session {
	struct session	*next;		/* hash chain */
	struct session	*older, *newer;	/* by last activity (bounds.c) */
	uint64_t	 key;
	uint32_t	 id;
	int		 postscreen;
	int		 continued;	/* its start was ended early (evicted) */
	char		 addr[PF_ADDR_MAX];
	char		 name[256];	/* verified client name, or "" */
	long long	 start, last;
	int		 queued;	/* QID: client= lines */
	long		 rcpt_ok, rcpt_total;	/* disconnect counters */
	long		 rcpt_rejects;	/* RCPT reject lines seen */
	int		 have_counters;
	int		 commands_total;
	int		 too_many_errors;
	int		 silent;	/* commands=0/0 */
	int		 helo_abuse;	/* counted once a session */
	int		 helo_abuse_dnsbl;	/* DNSBL counted once a session */
	struct attempt	 rejects[SESSION_REJECTS];	/* this session's 5xx */
	int		 nrejects;
	int		 any_attempt;	/* a MAIL/RCPT was tried */
	uint64_t	 unknown[UNKNOWN_KEEP];	/* distinct in this session */
	int		 nunknown;
	/* for the reports: the first permanent rejection of the session */
	long long	 perm_t;	/* 0: none */
	int		 perm_code;
	enum pf_class	 perm_class;	/* (sessions are saved as bytes: the
					 * links are cleared, no other
					 * pointer) */
	char		 perm_reason[200];	/* escaped, cut when full */
	int		 passed;	/* postscreen PASS: smtpd goes on */
	/* Added in session blob version 4 (persist.c reads version 3, which
	 * ends before them): the AUTH and 5xx counts of the slow-abuse
	 * rules (rules.c). */
	int		 sasl_lines;	/* SASL failure lines */
	int		 auth_lost;	/* lost connection / timeout after AUTH */
	int		 auth_ok;	/* a successful AUTH */
	int		 auth_failed;	/* auth=N/M: M - N */
	int		 nperm;		/* permanent rejects */
	int		 nperm_own;	/* of them not from a DNSBL */
};
/* A session as the table holds it (session.c): the address in binary as
 * the parser gave it, kept outside struct session because that is saved
 * as its bytes (persist.c). net_ok is 0 for a session loaded from the
 * state: its address is parsed when it ends. */
struct session_held {
	struct session	 s;		/* first: its struct session * */
	struct net_prefix net;
	int		 net_ok;
};
#define SESSION_SPARES	64	/* freed sessions kept for reuse */

/* The bytes of a session of blob version 3: up to the fields above. */
#define SESSION_V3_BYTES ((offsetof(struct session, sasl_lines) + \
	_Alignof(struct session) - 1) / _Alignof(struct session) * \
	_Alignof(struct session))

struct scorer {
	struct score_conf conf;
	struct client	**buckets;
	size_t		 nbuckets;
	size_t		 nclients;
	size_t		 nforgiven;	/* clients with forgive_t set */
	struct session	**sbuckets;	/* a power of two of them */
	size_t		 nsbuckets;
	size_t		 nsessions;
	struct session	*oldest, *newest;	/* activity order */
	struct session_held *spare[SESSION_SPARES];	/* freed, for reuse */
	size_t		 nspare;
	struct {
		uint64_t	 key;
		uint32_t	 id;
	}		 tomb[TOMB_SLOTS];	/* sessions ended early */
	/* Bounds (bounds.c): bytes held, and the budgets memory_limit
	 * gives each structure. */
	size_t		 client_bytes, ff_bytes;
	size_t		 client_budget, ff_budget, backlog_budget;
	size_t		 max_sessions;
	size_t		 ndirty, nff_dirty;	/* changed since the flush */
	struct client	*pin[2];	/* in use: never evicted */
	unsigned long long evicted_clients, evicted_sessions;
	unsigned long long evicted_ffs, dropped_facts;
	uint32_t	 next_session;
	struct score_decision *decisions;
	size_t		 ndecisions, decisions_cap, decisions_out;
	size_t		 decisions_saved;	/* written by score_save() */
	struct client	*dirty;		/* list of changed clients */
	struct pending_ev *pev;		/* evidence to write */
	size_t		 npev, pev_cap;
	struct factset	 fs;		/* facts counted (a report) */
	struct fact_log	 flog;		/* facts to count (a state) */
	int		 defer;		/* log them (the state counts) */
	struct ff	*ffs[FF_SLOTS];	/* five-fifties remembered */
	size_t		 nffs;
	struct ff	*ff_dirty;
	long long	 ff_pruned_day;
	int		 track;		/* keep dirty lists (a state is open) */
	int		 facts_on;	/* count facts (track, or a report) */
	int		 facts_split;	/* events' counts are made elsewhere */
	long long	 facts_from, facts_until;	/* log time window */
	long long	 now;		/* log time of the last event */
	long long	 retention;	/* > 0: rows older than now minus
					 * this are not stored (a prune
					 * would remove them):
					 * past_retention() */
	unsigned long long rng;
	/* guard.c */
	unsigned long long clock_rejects;	/* lines refused for their
						 * time */
	long long	 clock_last;		/* the last one's time */
	int		(*protects)(void *, const struct net_prefix *);
	void		*protects_arg;
	/* share.c: shared evidence */
	int		 share;		/* scorer_share(): on */
	uint32_t	 node_id;	/* this node's */
	int		 remote;	/* applying another node's record:
					 * its evidence is not stored nor
					 * shared again */
	unsigned char	*out;		/* records for the other nodes */
	size_t		 outlen, outcap;
	unsigned long long obs_bad;	/* records refused */
	long long	 obs_cursor;	/* the last observation applied
					 * (persist.c) */
	int		 obs_failing;	/* reading them fails (said once) */
};

/* table.c */
struct client *client_at(struct scorer *, const struct net_prefix *,
	    const char *, long long);
struct client *client_lookup(struct scorer *, const struct net_prefix *);
void	client_net(const struct client *, struct net_prefix *);
struct client *client_get(struct scorer *, const char *, int, long long);
struct client *client_find(struct scorer *, const char *, int);
struct client_mem *client_mem(struct scorer *, struct client *);
int	client_mem_used(const struct client_mem *);
void	client_forget(struct scorer *, struct client *);
void	client_free_all(struct scorer *);
int	client_table_grow(struct scorer *);

/* bounds.c */
void	bounds_set(struct scorer *);
size_t	bounds_backlog(const struct scorer *);
void	session_link(struct scorer *, struct session *);
void	session_unlink(struct scorer *, struct session *);
void	session_used(struct scorer *, struct session *);
void	session_evict(struct scorer *, long long);

/* scorer.c */
void	client_touch(struct scorer *, struct client *);
void	add_evidence(struct scorer *, const struct who *, long long, double,
	    const char *, const char *);
double	decayed(const struct scorer *, const struct client *, long long);

/* share.c */
void	share_evidence(struct scorer *, const struct who *, long long,
	    double, const char *);
void	share_decision(struct scorer *, const struct score_decision *);
void	share_session_end(struct scorer *, struct session *,
	    const struct who *, struct client_mem *, long long, long);
void	share_free(struct scorer *, struct client_mem *);
size_t	share_pack(const struct client_share *, unsigned char *);
int	share_unpack(struct scorer *, struct client_mem *,
	    const unsigned char **, const unsigned char *);

/* rules.c, for share.c */
void	rules_accepted(struct client_mem *, long, long long);
void	rules_unknowns(struct scorer *, const struct who *,
	    struct client_mem *, const uint64_t *, int, long, uint64_t,
	    long long);
void	rules_sasl(struct scorer *, const struct who *, long long, int,
	    int);

/* guard.c */
int	guard_protected(const struct scorer *, const struct net_prefix *);

/* session.c */
struct session *session_for(struct scorer *, const struct pf_event *,
	    long long, int);
void	session_end(struct scorer *, struct session *, long long);
void	session_insert(struct scorer *, struct session *);
struct session *session_new(struct scorer *);
void	session_free(struct scorer *, struct session *);
void	session_spares_free(struct scorer *);

/* facts.c */
void	facts_event(struct scorer *, struct session *, const struct pf_event *,
	    long long);
void	facts_session_end(struct scorer *, struct session *, long long);
void	facts_clear(struct scorer *);
void	facts_replay(struct factset *, const struct fact_log *);
void	factset_free(struct factset *);
void	ff_free_all(struct scorer *);
struct ff *ff_put(struct scorer *, const struct score_ff *);

/* rules.c */
void	rules_event(struct scorer *, struct session *, const struct pf_event *,
	    long long);
void	rules_session_end(struct scorer *, struct session *,
	    const struct who *, long long);
int	permanent(const struct pf_event *);
void	peer_text(char *, size_t, const char *, struct pf_span, size_t);

/* past_retention - whether a row of log time t is one the state's next
 * prune removes (state_prune(): older than the retention before now);
 * such rows are not stored at all: a scan of months of logs wrote each
 * one only for the prune at its end to delete it */
static inline int
past_retention(const struct scorer *s, long long t)
{
	return (s->retention > 0 && t < s->now - s->retention);
}

#endif /* FIVEFIFTY_SCORE_INT_H */

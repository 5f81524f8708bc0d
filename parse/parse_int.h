/*	$fivefifty: parse_int.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	parse_int 3h - what the parser's files share, and nobody else sees
 * DESCRIPTION
 *	Every pattern has an index (enum rx) and is compiled once by
 *	parser.c. Named capture groups are looked up once per pattern into
 *	a table (enum grp), so the per-line code reads captures by index.
 *	All patterns share one match-data block of the parser: a line is
 *	matched by one pattern at a time, and no match result outlives the
 *	function that asked for it.
 */
#ifndef FIVEFIFTY_PARSE_INT_H
#define FIVEFIFTY_PARSE_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "parse.h"

enum rx {
	/* smtpd */
	RX_REJECT, RX_CONNECT, RX_DISCONNECT, RX_QUEUED, RX_ABORT,
	RX_PIPELINING, RX_BARE_NEWLINE, RX_NON_SMTP, RX_NON_SMTP_OLD, RX_ILLEGAL, RX_SASL,
	RX_RATE, RX_FCRDNS, RX_FCRDNS_NOT_LISTED, RX_FCRDNS_VERIFY,
	RX_SMTPD_OTHER,
	/* postscreen */
	RX_PS_CONNECT, RX_PS_PREGREET, RX_PS_HANGUP, RX_PS_RANK,
	RX_PS_VIOLATION, RX_PS_PASS, RX_PS_LIST, RX_PS_DISCONNECT,
	RX_PS_REJECT, RX_PS_OTHER,
	/* dnsblog */
	RX_DNSBLOG, RX_DNSBLOG_OTHER,
	/* the smtpd reject tail alone (reject.c) */
	RX_TAIL, RX_TAIL_LOOSE,
	/* reason classes, searched in priority order (classify.c) */
	RX_CLASS_FIRST,
	RX_CLASS_LAST = RX_CLASS_FIRST + 15,
	RX_COUNT
};

enum grp {
	G_QID, G_ACT, G_STAGE, G_NAME, G_ADDR, G_PORT, G_TEXT,
	G_FROM, G_TO, G_PROTO, G_HELO, G_SM, G_SU, G_SS,
	G_STATS, G_NOTES, G_END, G_BYTES, G_DATA, G_SECS, G_DETAIL,
	G_CMD, G_COUNT, G_SERVICE, G_PTR, G_ERR, G_ZONE, G_ANSWER,
	G_SADDR, G_SPORT, G_OQID, G_ONAME, G_OADDR,
	G_NUM
};

/* A reason classify() has answered, with its class: most rejects repeat
 * a few texts (an access map's, "User unknown in ..."). */
#define CLASS_MEMO	64	/* slots (a power of 2) */
#define CLASS_MEMO_LEN	120	/* the longest reason remembered */
struct class_memo {
	unsigned char		 n;	/* the reason's length + 1; 0: empty */
	unsigned char		 class;	/* enum pf_class */
	char			 text[CLASS_MEMO_LEN];
};

struct pf_parser {
	pcre2_code		*rx[RX_COUNT];
	int			 grp[RX_COUNT][G_NUM];	/* -1: no such group */
	enum pf_class		 class_of[RX_COUNT];
	int			 nclass;
	struct class_memo	 memo[CLASS_MEMO];	/* classify()'s */
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov;	/* md's ovector: fixed for its life */
	uint32_t		 ovn;
	pcre2_match_context	*mctx;
	int			 jit;
	int			 fast;	/* fast.c's matchers first (default) */
	size_t			 ev_clear;	/* bytes of an event cleared */
	size_t			 ctr_clear;	/* bytes of its counters */

	/* The last client address and what net_addr() made of it (in a
	 * cleared buffer): four lines in five name the client of the line
	 * before (client.c). */
	char			 last_addr[NET_TEXT_MAX];
	size_t			 last_len;	/* 0: none */
	int			 last_rc;
	char			 last_ip[PF_ADDR_MAX];
	struct net_prefix	 last_net;

	/* Year inference (envelope.c). */
	int			 ref_year, ref_mon, ref_mday;
	long long		 ref_days;	/* days_from_civil() of ref */
	int			 last_year, last_mon, last_mday;
};

/* parser.c */
int	rx_match(struct pf_parser *, enum rx, const char *, size_t);
long	span_long(struct pf_span, long);

/* rx_span - named capture g of the last match of pattern i over s */
static inline struct pf_span
rx_span(struct pf_parser *p, enum rx i, enum grp g, const char *s)
{
	struct pf_span	 sp = { NULL, 0 };
	PCRE2_SIZE	*ov = p->ov;
	int		 n = p->grp[i][g];

	if (n < 0 || (uint32_t)n >= p->ovn)
		return (sp);
	if (ov[2 * n] == PCRE2_UNSET)
		return (sp);
	sp.p = s + ov[2 * n];
	sp.len = ov[2 * n + 1] - ov[2 * n];
	return (sp);
}

/* fast.c */
int	fast_match(struct pf_parser *, enum rx, const char *, size_t);

/* envelope.c */
int	envelope_parse(struct pf_parser *, const char *, size_t,
	    struct pf_event *);
void	envelope_reference(struct pf_parser *, time_t);

/* client.c */
int	addr_normalise(struct pf_span, char *, size_t, struct net_prefix *);

/* client.c */
int	client_take(struct pf_parser *, enum rx, const char *,
	    struct pf_event *);

/* smtpd.c, postscreen.c */
enum pf_result smtpd_parse(struct pf_parser *, struct pf_event *);
enum pf_result cleanup_parse(struct pf_parser *, struct pf_event *);
enum pf_result postscreen_parse(struct pf_parser *, struct pf_event *);
enum pf_result dnsblog_parse(struct pf_parser *, struct pf_event *);

/* reject.c */
enum pf_result reject_take(struct pf_parser *, enum rx, struct pf_event *);

/* classify.c */
extern const struct class_rule {
	enum pf_class	 class;
	const char	*pattern;
} class_rules[];
extern const int class_nrules;
enum pf_class classify(struct pf_parser *, struct pf_span);

/* patterns.c */
extern const char *const rx_source[RX_COUNT];
extern const char *const grp_name[G_NUM];

#endif /* FIVEFIFTY_PARSE_INT_H */

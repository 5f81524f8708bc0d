/*	$fivefifty: parse.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	parse 3h - turn one Postfix log line into a typed event
 * SYNOPSIS
 *	#include "parse/parse.h"
 *
 *	struct pf_parser *pf_parser_new(char *err, size_t errlen);
 *	void	pf_parser_free(struct pf_parser *p);
 *	void	pf_parser_set_reference(struct pf_parser *p, time_t ref);
 *	void	pf_parser_set_fast(struct pf_parser *p, int on);
 *	int	pf_parser_year(struct pf_parser *p, int mon, int mday);
 *	enum pf_result pf_parse_line(struct pf_parser *p, const char *line,
 *		    size_t len, struct pf_event *ev);
 *	long long pf_event_epoch(const struct pf_event *ev);
 *	long long pf_event_epoch_cached(const struct pf_event *ev,
 *		    struct pf_epoch_cache *c);
 *	const char *pf_kind_name(enum pf_kind k);
 *	const char *pf_class_name(enum pf_class c);
 *	enum pf_class pf_class_by_name(const char *name);
 *	const char *pf_result_name(enum pf_result r);
 *	const char *pf_cmd_name(enum pf_cmd c);
 *	int	pf_span_eq(struct pf_span sp, const char *s);
 * DESCRIPTION
 *	pf_parser_new() compiles every pattern once (PCRE2, JIT where the
 *	library has it) and returns a parser, or NULL with a message in err.
 *
 *	pf_parse_line() reads one line (without its newline; it need not be
 *	NUL-terminated and may hold NUL bytes) and fills *ev. It allocates
 *	nothing: the struct pf_span fields point into the caller's line, which
 *	must outlive the event; addresses are copied, validated and normalised
 *	into fixed-size fields (net_addr(), net/net.h: the canonical text,
 *	and the client's binary form in client_net, which the scorer keys on
 *	without reading the text again). It returns
 *	PF_NOT_POSTFIX	no syslog envelope, or a tag that is not Postfix's;
 *	PF_OTHER	a Postfix line of a program or shape that carries no
 *			client evidence (qmgr, local, TLS chatter, ...);
 *	PF_UNRECOGNISED	a line of smtpd, postscreen or dnsblog, or a
 *			reject-shaped cleanup line, that matches no known shape,
 *			or whose client address does not validate;
 *	PF_EVENT	*ev holds an event (ev->kind != PF_EV_NONE).
 *
 *	Year-less time stamps take their year from the reference time set
 *	with pf_parser_set_reference() (default: now): the latest year that
 *	does not put the stamp more than a day after the reference. After the
 *	first line, a jump back of more than six months (December to January)
 *	moves the year on, so a log that spans New Year reads in order; but
 *	no stamp is ever put more than a day after the reference (a forged
 *	"Jul 1" read in January is last July's and does not move the year
 *	of the lines after it), so a reader that follows a live log moves
 *	the reference with the clock (the daemon does, once a second).
 *	Such a stamp's event has time.year_inferred set. pf_parser_year() is
 *	that inference alone, for a reader that parses lines out of order
 *	(parse/par.c, on several threads): called for each year-less stamp in
 *	log order, it gives the years pf_parse_line() would have given, and
 *	moves the parser's year state on as such a line does.
 *
 *	pf_parser_set_fast() with on == 0 reads every shape with its PCRE2
 *	pattern alone, without the hand-written matchers of the most frequent
 *	shapes (parse/fast.c) and the memory of recent clients and reject
 *	reasons (client.c, classify.c); the events are the same either way
 *	(the tests compare them), only the time differs. On by default.
 *
 *	pf_span_eq() tells whether a span holds exactly the string s.
 *	An IPv4-mapped or -compatible IPv6 address is the IPv4 address it
 *	carries (net_v4_in_v6()), everywhere (parse, score, firewall).
 *	pf_class_by_name() is pf_class_name() backwards (PF_CLASS_NONE for a
 *	name it does not know).
 *
 *	pf_event_epoch() converts the event's time to seconds since the epoch
 *	(the stamp's own offset where it has one, local time otherwise).
 *	pf_event_epoch_cached() gives the same, calling mktime(3) twice per
 *	local day, once per hour on a day the offset changes (c starts
 *	zeroed; one per reader).
 * SECURITY
 *	The line is hostile: any byte may appear. The client address is taken
 *	only from the place where Postfix itself writes it (name[addr],
 *	[addr]:port, or the fixed address field of the FCrDNS and dnsblog
 *	lines), never from free text, and it is validated with inet_pton.
 *	Every pattern runs with a match limit, so no line costs more than a
 *	bounded amount of work.
 * DIAGNOSTICS
 *	pf_parser_new() fails only when a pattern does not compile (a bug) or
 *	memory runs out; pf_parse_line() has no failure mode beyond its result.
 */
#ifndef FIVEFIFTY_PARSE_H
#define FIVEFIFTY_PARSE_H

#include <stddef.h>
#include <time.h>

#include "net/net.h"

#define PF_ADDR_MAX	NET_TEXT_MAX	/* IPv6 text, "%" + zone, NUL */

/* A piece of the line. p == NULL: absent; p != NULL, len == 0: empty. */
struct pf_span {
	const char	*p;
	size_t		 len;
};

enum pf_result {
	PF_NOT_POSTFIX = 0,
	PF_OTHER,
	PF_UNRECOGNISED,
	PF_EVENT
};

enum pf_kind {
	PF_EV_NONE = 0,
	PF_EV_REJECT,		/* reject, reject_warning, milter-reject, hold, ... */
	PF_EV_CONNECT,		/* smtpd: connect from C */
	PF_EV_DISCONNECT,	/* smtpd: disconnect from C [counters] */
	PF_EV_QUEUED,		/* smtpd: QID: client=C (a message was accepted) */
	PF_EV_ABORT,		/* lost connection / timeout / too many errors */
	PF_EV_PIPELINING,	/* improper command pipelining after S from C */
	PF_EV_BARE_NEWLINE,	/* bare <LF> received after S from C (3.9+) */
	PF_EV_NON_SMTP,		/* warning: non-SMTP command from C: ... */
	PF_EV_ILLEGAL_ADDRESS,	/* warning: Illegal address syntax from C ... */
	PF_EV_SASL_FAILURE,	/* warning: C: SASL M authentication failed */
	PF_EV_RATE_LIMIT,	/* warning: ... limit exceeded: N from C ... */
	PF_EV_FCRDNS,		/* hostname H does not resolve to address A */
	PF_EV_PS_CONNECT,	/* postscreen CONNECT from [A]:P */
	PF_EV_PREGREET,
	PF_EV_HANGUP,
	PF_EV_DNSBL_RANK,
	PF_EV_PS_VIOLATION,	/* COMMAND PIPELINING, NON-SMTP COMMAND, ... */
	PF_EV_PS_PASS,		/* PASS NEW / PASS OLD */
	PF_EV_PS_LIST,		/* WHITELISTED, DENYLISTED, ... VETO */
	PF_EV_PS_DISCONNECT,
	PF_EV_DNSBL_LISTED,	/* dnsblog: addr A listed by domain Z as Y */
	PF_EV_COUNT
};

/* Why a reject happened, for scoring (parse/classify.c says how). */
enum pf_class {
	PF_CLASS_NONE = 0,
	PF_CLASS_UNKNOWN_RECIPIENT,
	PF_CLASS_UNVERIFIED_RECIPIENT,
	PF_CLASS_RELAY_DENIED,
	PF_CLASS_DNSBL,
	PF_CLASS_HELO,
	PF_CLASS_CLIENT_HOST,
	PF_CLASS_SENDER,
	PF_CLASS_PIPELINING,
	PF_CLASS_POLICY,	/* greylisting, postscreen's routine 450 4.3.2 */
	PF_CLASS_SERVER_TROUBLE,/* local or temporary trouble on our side */
	PF_CLASS_OTHER,
	PF_CLASS_COUNT
};

enum pf_severity {
	PF_SEV_INFO = 0,
	PF_SEV_WARNING,
	PF_SEV_ERROR,
	PF_SEV_FATAL,
	PF_SEV_PANIC
};

/* Command counters of "disconnect from C ehlo=1 ... commands=N/M" (3.0+). */
enum pf_cmd {
	PF_CMD_HELO, PF_CMD_EHLO, PF_CMD_XCLIENT, PF_CMD_XFORWARD,
	PF_CMD_STARTTLS, PF_CMD_AUTH, PF_CMD_MAIL, PF_CMD_RCPT, PF_CMD_DATA,
	PF_CMD_BDAT, PF_CMD_RSET, PF_CMD_NOOP, PF_CMD_VRFY, PF_CMD_ETRN,
	PF_CMD_QUIT, PF_CMD_HELP, PF_CMD_UNKNOWN, PF_CMD_COMMANDS,
	PF_CMD_COUNT
};

struct pf_counter {
	int		 present;
	unsigned long	 ok;		/* accepted */
	unsigned long	 total;		/* issued (== ok when no "/N") */
};

struct pf_time {
	int		 year, mon, mday;	/* mon 1..12 */
	int		 hour, min, sec;
	long		 usec;
	int		 frac_digits;	/* 0: no fraction in the stamp */
	int		 has_offset;
	int		 offset_min;	/* east of UTC */
	int		 year_inferred;	/* year-less stamp: year from the
					 * reference and the lines before */
};

struct pf_event {
	enum pf_kind	 kind;

	/* Envelope. */
	struct pf_time	 time;
	struct pf_span	 host;
	struct pf_span	 tag;		/* postfix/submission/smtpd */
	struct pf_span	 program;	/* smtpd */
	long		 pid;		/* -1: none */
	enum pf_severity severity;
	struct pf_span	 message;	/* after tag and severity */

	/* Client, from the place Postfix writes it. */
	struct pf_span	 client_name;	/* absent for postscreen */
	char		 client_ip[PF_ADDR_MAX];	/* "" when "unknown" */
	struct net_prefix client_net;	/* client_ip parsed (/32, /128);
					 * family 0 when "unknown" */
	int		 client_family;	/* 4, 6, or 0 when unknown */
	int		 client_port;	/* -1: not logged */

	/* Rejects and other smtpd lines. */
	struct pf_span	 queue_id;	/* NOQUEUE or the queue id */
	struct pf_span	 action;	/* reject, reject_warning, ... */
	int		 enforced;	/* reject / milter-reject / 5xx-4xx sent */
	struct pf_span	 stage;		/* RCPT, CONNECT, ... */
	int		 code;		/* 0: no SMTP code */
	struct pf_span	 dsn;
	struct pf_span	 object;	/* the <...> before the reason */
	struct pf_span	 reason;
	enum pf_class	 class;
	struct pf_span	 from, to, proto, helo;
	struct pf_span	 sasl_method, sasl_username, sasl_sender;

	/* Event-specific fields (which ones are set depends on kind). */
	struct pf_span	 notes;		/* disconnect: notes=bare_lf */
	struct pf_span	 end;		/* abort: lost connection / timeout / ... */
	long		 bytes;		/* abort (DATA/BDAT), pregreet; -1 none */
	struct pf_span	 data;		/* peer text: pregreet, non-SMTP, ... */
	struct pf_span	 seconds;	/* pregreet, hangup */
	struct pf_span	 detail;	/* hangup phase, violation, list word,
					 * PASS NEW/OLD, rate-limit kind,
					 * SASL failed/aborted, ps reject text */
	struct pf_span	 command;	/* after CMD, MAIL/RCPT in illegal addr */
	long		 count;		/* DNSBL rank, rate-limit count; LONG_MIN none */
	struct pf_span	 service;	/* rate limit: for service smtp */
	struct pf_span	 ptr_name;	/* FCrDNS: the name that failed */
	struct pf_span	 zone;		/* dnsblog zone */
	struct pf_span	 answer;	/* dnsblog answer */
	int		 server_port;
	struct pf_span	 orig_queue_id;	/* QID: client=..., orig_client=C */
	struct pf_span	 orig_client_name;

	/* Large fields last: pf_parse_line() clears only their first byte
	 * (counters: only disconnect events set and read them). */
	char		 server_ip[PF_ADDR_MAX];	/* postscreen CONNECT ... to */
	char		 orig_client_ip[PF_ADDR_MAX];
	struct pf_counter counters[PF_CMD_COUNT];	/* disconnect */
};

struct pf_parser;

/* Local days already converted (zeroed: empty; no month is 0). A few,
 * not one: logs of several servers or years, one after the other, come
 * back to a day, and mktime(3) reads the zone file at each call (3 us:
 * once an hour of a quiet log was 4 % of a scan). */
#define PF_EPOCH_DAYS	16
struct pf_epoch_cache {
	struct pf_epoch_day {
		int		 year, mon, mday;
		int		 uniform;	/* one UTC offset all day */
		long long	 base;		/* epoch of its local 00:00 */
		unsigned	 known, exact;	/* else, bit h: hour[h] known;
						 * the offset changes in h */
		long long	 hour[24];	/* epoch of local h:00 */
	}		 d[PF_EPOCH_DAYS];
};

struct pf_parser *pf_parser_new(char *, size_t);
void	pf_parser_free(struct pf_parser *);
void	pf_parser_set_reference(struct pf_parser *, time_t);
void	pf_parser_set_fast(struct pf_parser *, int);
int	pf_parser_year(struct pf_parser *, int, int);
enum pf_result pf_parse_line(struct pf_parser *, const char *, size_t,
	    struct pf_event *);
long long pf_event_epoch(const struct pf_event *);
long long pf_event_epoch_cached(const struct pf_event *,
	    struct pf_epoch_cache *);
const char *pf_kind_name(enum pf_kind);
const char *pf_class_name(enum pf_class);
enum pf_class pf_class_by_name(const char *);
const char *pf_result_name(enum pf_result);
const char *pf_cmd_name(enum pf_cmd);
int	pf_span_eq(struct pf_span, const char *);

#endif /* FIVEFIFTY_PARSE_H */

/*	$fivefifty: patterns.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	patterns 3 - every log line shape fivefifty recognises, as PCRE2
 * DESCRIPTION
 *	One anchored pattern per shape of ../shared/reference/
 *	postfix-log-formats.md (section numbers in the comments). The
 *	envelope pattern runs on the whole line; the others run on the
 *	message after the syslog tag and the severity ("warning: ").
 *
 *	The client comes only from NAMADDR (smtpd's "name[addr][:port]") or
 *	PSADDR (postscreen's "[addr]:port"), each at a fixed place before any
 *	peer text, so text a client sends (a PREGREET of "EHLO [6.6.6.6]:25:")
 *	can never be taken for its address. The address character class is
 *	strict; net_addr() (net/net.c) validates what it lets through.
 * SECURITY
 *	Lazy and greedy wildcards are bounded by the parser's match limit.
 */
#include "parse_int.h"

#define ADDR	"[0-9A-Fa-f.:]{1,45}(?:%[A-Za-z0-9_.-]{1,15})?|unknown"
#define NAMADDR	"(?<name>[^\\[\\]\\s]{0,255})\\[(?<addr>" ADDR ")\\]" \
		"(?::(?<port>\\d{1,5}))?"
#define PSADDR	"\\[(?<addr>" ADDR ")\\]:(?<port>\\d{1,5})"
/* 1.7: short ids are upper-case hex; long ids (2.9+) use an alphabet
 * without vowels (mail_queue.h). */
#define QIDCHARS "[0-9A-F]{5,20}|[0-9BCDFGHJ-NP-TV-Zbcdfghj-np-tv-z]{10,20}"
#define QID	"(?<qid>NOQUEUE|" QIDCHARS ")"
#define STAGE	"(?<stage>[A-Z][A-Z-]{0,19})"
#define SECS	"(?<secs>\\d{1,10}(?:\\.\\d{1,9})?)"

/* The "; from=<> to=<> proto= helo=<>" tail of log_whatsup() (2), read
 * from the right: the text is greedy, so it ends at the last ";" after
 * which a valid tail follows. Text a client chose (its sender, recipient
 * or HELO, all right of Postfix's own reason) can then move the split only
 * further right, never cut Postfix's reason short. A text with no valid
 * tail is all text. */
/* A tail value: quoted strings whole. Since 3.5 (info_log_address_format)
 * a recipient "a; from=<b> to=<c> proto=SMTP helo=<d"@x is logged quoted,
 * and a ';' inside quotes must not start a tail (it would take the text
 * up to it, the true from= and to= with it, for Postfix's reason).
 * Backslashes escape only inside quotes, as Postfix writes them. */
#define QVAL	"(?:[^\"\\\\>]++|[\\\\>]|\"(?:[^\"\\\\]++|\\\\.)*+\")*?"
/* The HELO is logged as sent (quotes, backslashes, anything); what it
 * cannot hold is the end of a quoted address followed by the next field,
 * which a tail starting inside a quoted recipient or sender would have
 * to swallow as its helo=. */
#define HVAL	"(?:[^\">]++|>|\"(?!@[^\\s<>\"]{0,255}> (?:to=<|proto=|helo=<)))*?"
#define TAILFIELDS_(V, H) \
		"(?: from=<(?<from>" V ")>)?(?: to=<(?<to>" V ")>)?" \
		"(?: proto=(?<proto>[A-Za-z0-9_-]{1,20}))?" \
		"(?: helo=<(?<helo>" H ")>)?" \
		"(?: sasl_method=(?<sm>\\S*))?" \
		"(?: sasl_username=(?<su><[^>]*>|\\S*))?" \
		"(?: sasl_sender=(?<ss>\\S*))?"
#define TAILFIELDS	TAILFIELDS_(QVAL, HVAL)
/* Raw values with a lone quote (before 3.5, addresses were logged in
 * their internal form): read as before, when no strict tail reads. */
#define TAILFIELDS_LOOSE TAILFIELDS_(".*?", ".*?")
#define TEXT_TAIL \
		"(?|(?<text>.*);" TAILFIELDS "$|(?<text>.*);" TAILFIELDS_LOOSE \
		"$|(?<text>.*)$)"
/* postscreen's tail is comma-separated and complete; its reasons are
 * Postfix's fixed texts (no object, no ';' before the tail), so the first
 * tail that reads to the end is the true one (the client's words all come
 * after it). */
#define PS_TEXT_TAIL \
		"(?|(?<text>.*?); from=<(?<from>" QVAL ")>, to=<(?<to>" QVAL \
		")>, proto=(?<proto>[A-Za-z0-9_-]{1,20}), helo=<(?<helo>.*)>$" \
		"|(?<text>.*)$)"

const char *const rx_source[RX_COUNT] = {
	/* 2: smtpd_check.c log_whatsup(), smtpd.c check_milter_reply(),
	 * cleanup_milter.c (no 3-digit code) and Postfix 1.x (no QID). */
	[RX_REJECT] =
	    "^(?:" QID ": )?(?<act>reject|reject_warning|milter-reject"
	    "|milter-hold|milter-discard|hold|discard|filter|redirect|bcc|warn"
	    "|info|hangup|delay|permit): " STAGE " from " NAMADDR
	    ": " TEXT_TAIL,
	/* 2: the tail alone, tried at each ';' of a reject (reject.c). */
	[RX_TAIL] = "^;" TAILFIELDS "$",
	[RX_TAIL_LOOSE] = "^;" TAILFIELDS_LOOSE "$",
	/* 4: session lines. */
	[RX_CONNECT] = "^connect from " NAMADDR "$",
	[RX_DISCONNECT] = "^disconnect from " NAMADDR
	    "(?<stats>(?: [a-z]{1,12}=\\d{1,19}(?:/\\d{1,19})?){0,40})"
	    "(?: notes=(?<notes>\\S{1,80}))?$",
	[RX_QUEUED] = "^" QID ": client=" NAMADDR
	    "(?:, sasl_method=(?<sm>[^,]*))?(?:, sasl_username=(?<su>.*?))?"
	    "(?:, sasl_sender=(?<ss>.*?))?"
	    "(?:, orig_queue_id=(?<oqid>" QIDCHARS "))?"
	    "(?:, orig_client=(?<oname>[^\\[\\]\\s]{0,255})\\[(?<oaddr>" ADDR
	    ")\\](?::\\d{1,5})?)?$",
	[RX_ABORT] = "^(?:" QID ": )?(?<end>lost connection|timeout"
	    "|too many errors) after " STAGE
	    "(?: \\((?:approximately )?(?<bytes>\\d{1,19}) bytes\\))? from "
	    NAMADDR "$",
	/* "]: " with an empty peek or reason loses its blank where trailing
	 * blanks are stripped (fail2ban's samples): ":" alone is the same
	 * line, with empty data. */
	[RX_PIPELINING] = "^improper command pipelining after " STAGE
	    " from " NAMADDR "(?|: (?<data>.*)|:(?<data>))?$",
	[RX_BARE_NEWLINE] = "^bare <LF> received after " STAGE " from " NAMADDR
	    "$",
	[RX_NON_SMTP] = "^non-SMTP command from " NAMADDR ": (?<data>.*)$",
	[RX_NON_SMTP_OLD] = "^" NAMADDR " sent non-SMTP command: (?<data>.*)$",
	[RX_ILLEGAL] = "^Illegal address syntax from " NAMADDR
	    " in (?<cmd>[A-Z]{1,12}) command: (?<data>.*)$",
	[RX_SASL] = "^" NAMADDR ": SASL (?<sm>[A-Za-z0-9_-]{1,40})"
	    " authentication (?<detail>failed|aborted)"
	    "(?|: (?<err>.*?)|:(?<err>))?"
	    "(?:, sasl_username=(?<su>.*))?$",
	[RX_RATE] = "^(?<detail>Connection rate|Connection concurrency"
	    "|Message delivery request rate|Recipient address rate"
	    "|New TLS session rate|AUTH command rate) limit exceeded: "
	    "(?<count>\\d{1,19}) from " NAMADDR
	    " for service (?<service>\\S{1,64})$",
	[RX_FCRDNS] = "^hostname (?<ptr>\\S{1,255}) does not resolve to address"
	    " (?<addr>" ADDR ")(?:: (?<err>.*))?$",
	[RX_FCRDNS_NOT_LISTED] = "^(?<addr>" ADDR "): address not listed for"
	    " hostname (?<ptr>\\S{1,255})$",
	[RX_FCRDNS_VERIFY] = "^(?<addr>" ADDR "): hostname (?<ptr>\\S{1,255})"
	    " verification failed: (?<err>.*)$",
	/* Known smtpd lines with no client evidence. */
	[RX_SMTPD_OTHER] =
	    "^(?:(?:Anonymous|Trusted|Untrusted|Verified) TLS connection"
	    " established|SSL_accept error|setting up TLS connection"
	    "|TLS library problem|proxy-(?:accept|reject):"
	    "|valid_hostname:|not enough free space|\\S+: RBL lookup error"
	    "|Unable to look up MX host|getpeername:|dict_\\w+:|database \\S+"
	    " is older|statistics:|table \\S+ has changed|restarting"
	    "|support for restriction|using backwards-compatible default"
	    "|xsasl_|SASL authentication failure|(?:" QID ": )?(?:abort: TLS from"
	    "|(?:reject|warning|hold|discard|filter|redirect|replace|prepend):"
	    " (?:header|body) ))",

	/* 5: postscreen. */
	[RX_PS_CONNECT] = "^CONNECT from " PSADDR "(?: to \\[(?<saddr>"
	    ADDR ")\\]:(?<sport>\\d{1,5}))?$",
	[RX_PS_PREGREET] = "^PREGREET (?<bytes>\\d{1,19}) after " SECS
	    " from " PSADDR ": (?<data>.*)$",
	[RX_PS_HANGUP] = "^HANGUP after " SECS " from " PSADDR
	    " in (?<detail>.{1,100})$",
	[RX_PS_RANK] = "^DNSBL rank (?<count>-?\\d{1,9}) for " PSADDR "$",
	[RX_PS_VIOLATION] = "^(?<detail>COMMAND PIPELINING|NON-SMTP COMMAND"
	    "|BARE NEWLINE|COMMAND TIME LIMIT|COMMAND COUNT LIMIT"
	    "|COMMAND LENGTH LIMIT) from " PSADDR
	    "(?: after (?<cmd>.*?))?(?:: (?<data>.*))?$",
	[RX_PS_PASS] = "^PASS (?<detail>NEW|OLD) " PSADDR "$",
	[RX_PS_LIST] = "^(?<detail>WHITELISTED|BLACKLISTED|ALLOWLISTED"
	    "|DENYLISTED|WHITELIST VETO|BLACKLIST VETO|ALLOWLIST VETO"
	    "|DENYLIST VETO) " PSADDR "$",
	[RX_PS_DISCONNECT] = "^DISCONNECT " PSADDR "$",
	[RX_PS_REJECT] = "^(?:(?<qid>NOQUEUE): )?(?<act>reject): "
	    "(?<stage>[A-Za-z][A-Za-z-]{0,19}) from " PSADDR ": " PS_TEXT_TAIL,
	[RX_PS_OTHER] = "^(?:cache \\S+ full cleanup|entering STRESS mode"
	    "|leaving STRESS mode|using backwards-compatible default setting"
	    "|dnsblog reply timeout|dnsblog_query|psc_"
	    "|getpeername:|ignoring DNSBL reply|\\S+ reply from)",

	/* 5: dnsblog. */
	[RX_DNSBLOG] = "^addr (?<addr>" ADDR ") listed by domain"
	    " (?<zone>\\S{1,255}) as (?<answer>\\S{1,64})$",
	[RX_DNSBLOG_OTHER] =
	    "^(?:dnsblog_query: |lookup error|\\S+: RBL lookup error)",
};

const char *const grp_name[G_NUM] = {
	[G_QID] = "qid",
	[G_ACT] = "act", [G_STAGE] = "stage", [G_NAME] = "name",
	[G_ADDR] = "addr", [G_PORT] = "port", [G_TEXT] = "text",
	[G_FROM] = "from", [G_TO] = "to", [G_PROTO] = "proto",
	[G_HELO] = "helo", [G_SM] = "sm", [G_SU] = "su", [G_SS] = "ss",
	[G_STATS] = "stats", [G_NOTES] = "notes", [G_END] = "end",
	[G_BYTES] = "bytes", [G_DATA] = "data", [G_SECS] = "secs",
	[G_DETAIL] = "detail", [G_CMD] = "cmd", [G_COUNT] = "count",
	[G_SERVICE] = "service", [G_PTR] = "ptr", [G_ERR] = "err",
	[G_ZONE] = "zone", [G_ANSWER] = "answer", [G_SADDR] = "saddr",
	[G_SPORT] = "sport", [G_OQID] = "oqid", [G_ONAME] = "oname",
	[G_OADDR] = "oaddr",
};

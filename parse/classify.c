/*	$fivefifty: classify.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	classify 3 - the reason class of a reject, for scoring
 * SYNOPSIS
 *	enum pf_class classify(struct pf_parser *p, struct pf_span text);
 * DESCRIPTION
 *	class_rules[] maps the texts of postfix-log-formats.md section 2.2
 *	to a class. Rules are tried in order; the first that occurs in the
 *	reason wins, case-insensitively ('^': at its start). classify()
 *	returns PF_CLASS_OTHER when none does.
 *
 *	The reason is Postfix's own words: reject_take() hands over the text
 *	after the echoed <object> and before the "; from=<>" tail, both of
 *	which the client chooses (its recipient, sender, HELO), so a
 *	recipient "x blocked using y" never makes a DNSBL reject. What a
 *	reason quotes from elsewhere comes after Postfix's own head: a
 *	verification probe's "undeliverable address: host h said: 550 ..."
 *	quotes the remote server (which quotes the recipient), so those heads
 *	are matched first, anchored, and the quote never decides the class.
 *	Then the abuse classes come before the benign ones (policy, server
 *	trouble): a text the site wrote (an access map's, a DNSBL's) that
 *	says both is counted as abuse.
 *
 *	classify() remembers the class of the last reasons it met (CLASS_MEMO
 *	slots, a hash of the reason picks one; reasons under CLASS_MEMO_LEN
 *	bytes): most rejects repeat a few texts, which then cost one compare,
 *	not up to ten patterns. Not with pf_parser_set_fast() off: the rules
 *	alone, which the tests compare it with.
 * SECURITY
 *	A remembered class is used only for the very same bytes (length and
 *	memcmp), so a hostile reason can only push others out of the memo.
 */
#include <limits.h>
#include <string.h>

#include "parse_int.h"
#include "util/hash.h"

/* A memo slot keeps a reason's length + 1 and its class in a byte each;
 * the hash picks a slot with a mask. */
_Static_assert(CLASS_MEMO_LEN <= UCHAR_MAX, "CLASS_MEMO_LEN: one byte");
_Static_assert(PF_CLASS_COUNT <= UCHAR_MAX + 1, "a class: one byte");
_Static_assert((CLASS_MEMO & (CLASS_MEMO - 1)) == 0, "CLASS_MEMO: 2^n");

const struct class_rule class_rules[] = {
	/* Heads that quote a remote server's reply after them. */
	{ PF_CLASS_UNVERIFIED_RECIPIENT, "^Recipient address rejected: "
	    "(?:undeliverable address|unverified address"
	    "|address verification)" },
	{ PF_CLASS_SENDER, "^Sender address rejected: "
	    "(?:undeliverable address|unverified address"
	    "|address verification)" },
	{ PF_CLASS_DNSBL, " blocked using " },
	{ PF_CLASS_RELAY_DENIED, "Relay access denied" },
	{ PF_CLASS_PIPELINING, "Improper use of SMTP command pipelining"
	    "|bare <LF> received|^Protocol error" },
	{ PF_CLASS_UNKNOWN_RECIPIENT, "(?:user|recipient|mailbox) (?:address )?unknown|Unknown user"
	    "|Recipient address rejected: unknown" },
	{ PF_CLASS_POLICY, "greylist|try again later"
	    "|^Service currently unavailable" },
	{ PF_CLASS_HELO, "Helo command rejected" },
	{ PF_CLASS_CLIENT_HOST, "Client host rejected"
	    "|cannot find your (?:reverse )?hostname" },
	{ PF_CLASS_SENDER, "Sender address rejected" },
	{ PF_CLASS_SERVER_TROUBLE, "Temporary lookup failure"
	    "|Server configuration error|Insufficient system storage"
	    "|Message size exceeds|Server local data error"
	    "|too many connections|ports busy|Server configuration problem"
	    "|^Service unavailable$" },
};
const int class_nrules = sizeof(class_rules) / sizeof(class_rules[0]);

/* match_rules - the class of the first rule that occurs in a reason */
static enum pf_class
match_rules(struct pf_parser *p, struct pf_span reason)
{
	int		 i;

	for (i = 0; i < p->nclass; i++)
		if (rx_match(p, RX_CLASS_FIRST + i, reason.p, reason.len))
			return (p->class_of[RX_CLASS_FIRST + i]);
	return (PF_CLASS_OTHER);
}

/* classify - first class rule that occurs in the text (a reason seen
 * lately: its class remembered, the rules not run again) */
enum pf_class
classify(struct pf_parser *p, struct pf_span text)
{
	struct pf_span	 reason = text;
	struct class_memo *m;
	const char	*s, *e, *q;
	int		 n;

	if (text.p == NULL)
		return (PF_CLASS_OTHER);
	/* '^' in a rule means the start of the reason: skip code and DSN. */
	s = text.p;
	e = text.p + text.len;
	for (n = 0; n < 2; n++) {
		for (q = s; q < e && ((*q >= '0' && *q <= '9') || *q == '.'); q++)
			continue;
		if (q == s || q >= e || *q != ' ')
			break;
		s = q + 1;
	}
	reason.p = s;
	reason.len = (size_t)(e - s);
	if (!p->fast || reason.len >= CLASS_MEMO_LEN)
		return (match_rules(p, reason));	/* the rules alone */
	m = &p->memo[hash64(reason.p, reason.len, 0) & (CLASS_MEMO - 1)];
	if (m->n == reason.len + 1 && memcmp(m->text, reason.p,
	    reason.len) == 0)
		return ((enum pf_class)m->class);
	m->class = (unsigned char)match_rules(p, reason);
	memcpy(m->text, reason.p, reason.len);
	m->n = (unsigned char)(reason.len + 1);
	return ((enum pf_class)m->class);
}

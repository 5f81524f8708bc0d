/*	$fivefifty: names.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	names 3 - the stable names of kinds, classes, results and counters
 * DESCRIPTION
 *	These names are public: they appear in `fivefifty parse --json`
 *	output, in the state database and in reports. Never rename one.
 */
#include <string.h>

#include "parse.h"

static const char *const kind_names[PF_EV_COUNT] = {
	[PF_EV_NONE] = "none",
	[PF_EV_REJECT] = "reject",
	[PF_EV_CONNECT] = "connect",
	[PF_EV_DISCONNECT] = "disconnect",
	[PF_EV_QUEUED] = "queued",
	[PF_EV_ABORT] = "abort",
	[PF_EV_PIPELINING] = "pipelining",
	[PF_EV_BARE_NEWLINE] = "bare_newline",
	[PF_EV_NON_SMTP] = "non_smtp",
	[PF_EV_ILLEGAL_ADDRESS] = "illegal_address",
	[PF_EV_SASL_FAILURE] = "sasl_failure",
	[PF_EV_RATE_LIMIT] = "rate_limit",
	[PF_EV_FCRDNS] = "fcrdns",
	[PF_EV_PS_CONNECT] = "ps_connect",
	[PF_EV_PREGREET] = "pregreet",
	[PF_EV_HANGUP] = "hangup",
	[PF_EV_DNSBL_RANK] = "dnsbl_rank",
	[PF_EV_PS_VIOLATION] = "ps_violation",
	[PF_EV_PS_PASS] = "ps_pass",
	[PF_EV_PS_LIST] = "ps_list",
	[PF_EV_PS_DISCONNECT] = "ps_disconnect",
	[PF_EV_DNSBL_LISTED] = "dnsbl_listed",
};

static const char *const class_names[PF_CLASS_COUNT] = {
	[PF_CLASS_NONE] = "none",
	[PF_CLASS_UNKNOWN_RECIPIENT] = "unknown_recipient",
	[PF_CLASS_UNVERIFIED_RECIPIENT] = "unverified_recipient",
	[PF_CLASS_RELAY_DENIED] = "relay_denied",
	[PF_CLASS_DNSBL] = "dnsbl",
	[PF_CLASS_HELO] = "helo",
	[PF_CLASS_CLIENT_HOST] = "client_host",
	[PF_CLASS_SENDER] = "sender",
	[PF_CLASS_PIPELINING] = "pipelining",
	[PF_CLASS_POLICY] = "policy",
	[PF_CLASS_SERVER_TROUBLE] = "server_trouble",
	[PF_CLASS_OTHER] = "other",
};

static const char *const cmd_names[PF_CMD_COUNT] = {
	"helo", "ehlo", "xclient", "xforward", "starttls", "auth", "mail",
	"rcpt", "data", "bdat", "rset", "noop", "vrfy", "etrn", "quit",
	"help", "unknown", "commands",
};

/* pf_kind_name - "reject", "connect", ... */
const char *
pf_kind_name(enum pf_kind k)
{
	return ((unsigned)k < PF_EV_COUNT ? kind_names[k] : "none");
}

/* pf_class_name - "unknown_recipient", "dnsbl", ... */
const char *
pf_class_name(enum pf_class c)
{
	return ((unsigned)c < PF_CLASS_COUNT ? class_names[c] : "none");
}

/* pf_class_by_name - the class called name; PF_CLASS_NONE for an unknown
 * name or NULL */
enum pf_class
pf_class_by_name(const char *name)
{
	int	k;

	for (k = 1; name != NULL && name[0] != '\0' && k < PF_CLASS_COUNT; k++)
		if (strcmp(name, class_names[k]) == 0)
			return ((enum pf_class)k);
	return (PF_CLASS_NONE);
}

/* pf_cmd_name - "ehlo", "rcpt", ..., "commands" */
const char *
pf_cmd_name(enum pf_cmd c)
{
	return ((unsigned)c < PF_CMD_COUNT ? cmd_names[c] : "?");
}

/* pf_result_name - "event", "other", "unrecognised", "not_postfix" */
const char *
pf_result_name(enum pf_result r)
{
	switch (r) {
	case PF_EVENT:
		return ("event");
	case PF_OTHER:
		return ("other");
	case PF_UNRECOGNISED:
		return ("unrecognised");
	default:
		return ("not_postfix");
	}
}

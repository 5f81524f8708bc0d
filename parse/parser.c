/*	$fivefifty: parser.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	parser 3 - compile the patterns once, then dispatch each line
 * SYNOPSIS
 *	See parse.h.
 * DESCRIPTION
 *	pf_parser_new() compiles rx_source[] and the class rules, JIT-compiles
 *	them when the PCRE2 library supports it, and looks up every named
 *	group once. pf_parse_line() strips the envelope, decides from the tag
 *	whether the line is Postfix's and which program wrote it, and hands
 *	the message to that program's shape matcher.
 *
 *	rx_match() runs one pattern with the parser's shared match data and
 *	match limits (after fast.c's matcher for the shape, when it has one
 *	and pf_parser_set_fast() left it on); rx_span() (parse_int.h,
 *	inline: it runs a dozen times a line) reads a named capture of the
 *	last match.
 * SECURITY
 *	The match limit (and the depth limit) bound the work any one line can
 *	cost, whatever bytes it holds; a line that hits a limit simply does
 *	not match.
 * DIAGNOSTICS
 *	pf_parser_new() returns NULL with the PCRE2 message and the failing
 *	pattern's index in err.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

#define MATCH_LIMIT	200000	/* backtracking steps per match */
#define DEPTH_LIMIT	2000
#define OVECTOR_PAIRS	64

static int	compile_one(struct pf_parser *, enum rx, const char *,
		    uint32_t, char *, size_t);
static int	is_postfix_tag(struct pf_span, struct pf_span);

/* pf_parser_new - compile every pattern once */
struct pf_parser *
pf_parser_new(char *err, size_t errlen)
{
	struct pf_parser *p;
	uint32_t	jit = 0;
	int		i;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "pf_parser_new: out of memory");
		return (NULL);
	}
	(void)pcre2_config(PCRE2_CONFIG_JIT, &jit);
	p->jit = jit != 0;
	p->fast = 1;
	p->ev_clear = offsetof(struct pf_event, server_ip);
	p->ctr_clear = sizeof(((struct pf_event *)NULL)->counters);
	for (i = 0; i < RX_CLASS_FIRST; i++)
		if (compile_one(p, i, rx_source[i], 0, err, errlen) == -1)
			goto fail;
	if (class_nrules > RX_CLASS_LAST - RX_CLASS_FIRST + 1) {
		snprintf(err, errlen, "pf_parser_new: too many class rules");
		goto fail;
	}
	for (i = 0; i < class_nrules; i++) {
		if (compile_one(p, RX_CLASS_FIRST + i, class_rules[i].pattern,
		    PCRE2_CASELESS, err, errlen) == -1)
			goto fail;
		p->class_of[RX_CLASS_FIRST + i] = class_rules[i].class;
	}
	p->nclass = class_nrules;
	p->md = pcre2_match_data_create(OVECTOR_PAIRS, NULL);
	p->mctx = pcre2_match_context_create(NULL);
	if (p->md == NULL || p->mctx == NULL) {
		snprintf(err, errlen, "pf_parser_new: out of memory");
		goto fail;
	}
	p->ov = pcre2_get_ovector_pointer(p->md);
	p->ovn = pcre2_get_ovector_count(p->md);
	pcre2_set_match_limit(p->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(p->mctx, DEPTH_LIMIT);
	envelope_reference(p, time(NULL));
	return (p);
fail:
	pf_parser_free(p);
	return (NULL);
}

/* compile_one - compile and JIT one pattern, cache its group numbers */
static int
compile_one(struct pf_parser *p, enum rx i, const char *src, uint32_t opt,
    char *err, size_t errlen)
{
	PCRE2_UCHAR	msg[256];
	PCRE2_SIZE	off;
	int		code, g, n;

	p->rx[i] = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
	    opt | PCRE2_DOTALL | PCRE2_NO_UTF_CHECK, &code, &off, NULL);
	if (p->rx[i] == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "pattern %d, offset %zu: %s", (int)i,
		    (size_t)off, (char *)msg);
		return (-1);
	}
	if (p->jit && pcre2_jit_compile(p->rx[i], PCRE2_JIT_COMPLETE) != 0)
		p->jit = 0;	/* the interpreter is slower, not wrong */
	for (g = 0; g < G_NUM; g++) {
		n = pcre2_substring_number_from_name(p->rx[i],
		    (PCRE2_SPTR)grp_name[g]);
		p->grp[i][g] = n > 0 && n < OVECTOR_PAIRS ? n : -1;
	}
	return (0);
}

/* pf_parser_free - release the patterns */
void
pf_parser_free(struct pf_parser *p)
{
	int		i;

	if (p == NULL)
		return;
	for (i = 0; i < RX_COUNT; i++)
		pcre2_code_free(p->rx[i]);
	pcre2_match_data_free(p->md);
	pcre2_match_context_free(p->mctx);
	free(p);
}

/* pf_parser_set_reference - the time year-less stamps are read against */
void
pf_parser_set_reference(struct pf_parser *p, time_t ref)
{
	envelope_reference(p, ref);
}

/* pf_parser_set_fast - use fast.c's matchers (on != 0, the default) or
 * PCRE2 alone (the reference the tests compare the fast paths with) */
void
pf_parser_set_fast(struct pf_parser *p, int on)
{
	p->fast = on != 0;
}

/* rx_match - run one pattern over s[0..len); 1 on a match */
int
rx_match(struct pf_parser *p, enum rx i, const char *s, size_t len)
{
	int		rc;

	if (p->rx[i] == NULL)
		return (0);
	if (p->fast && fast_match(p, i, s, len) == 1)
		return (1);
	if (p->jit)
		rc = pcre2_jit_match(p->rx[i], (PCRE2_SPTR)s, len, 0, 0, p->md,
		    p->mctx);
	else
		rc = pcre2_match(p->rx[i], (PCRE2_SPTR)s, len, 0, 0, p->md,
		    p->mctx);
	return (rc > 0);
}

/* span_long - a decimal span as a number, or dflt when absent or too big */
long
span_long(struct pf_span sp, long dflt)
{
	long		v = 0;
	size_t		i = 0;
	int		neg = 0;

	if (sp.p == NULL || sp.len == 0)
		return (dflt);
	if (sp.p[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == sp.len)
		return (dflt);
	for (; i < sp.len; i++) {
		if (sp.p[i] < '0' || sp.p[i] > '9')
			return (dflt);
		if (v > (LONG_MAX - 9) / 10)
			return (dflt);
		v = v * 10 + (sp.p[i] - '0');
	}
	return (neg ? -v : v);
}

/* pf_span_eq - does the span hold exactly the string s */
int
pf_span_eq(struct pf_span sp, const char *s)
{
	size_t		n = strlen(s);

	return (sp.p != NULL && sp.len == n && memcmp(sp.p, s, n) == 0);
}

/* is_postfix_tag - Postfix wrote this: a postfix* instance or a daemon */
static int
is_postfix_tag(struct pf_span tag, struct pf_span prog)
{
	static const char *const daemons[] = {
		"smtpd", "postscreen", "dnsblog", "cleanup", "qmgr", "smtp",
		"lmtp", "local", "virtual", "pipe", "pickup", "bounce",
		"defer", "trace", "error", "retry", "discard", "anvil",
		"scache", "tlsmgr", "tlsproxy", "verify", "proxymap",
		"proxywrite", "showq", "flush", "master", "postdrop",
		"postqueue", "sendmail", "postsuper", "postmap", "postalias",
		"postlog", "postlogd", "postfix-script", "spawn", "oqmgr",
		"trivial-rewrite", "postmulti", "postconf", "postkick", NULL
	};
	int		i;

	if (tag.len >= 7 && memcmp(tag.p, "postfix", 7) == 0)
		return (1);
	if (prog.len == tag.len)	/* no '/': "amavis", "dovecot" */
		return (0);
	for (i = 0; daemons[i] != NULL; i++)
		if (pf_span_eq(prog, daemons[i]))
			return (1);
	return (0);
}

/* pf_parse_line - one log line to one event */
enum pf_result
pf_parse_line(struct pf_parser *p, const char *line, size_t len,
    struct pf_event *ev)
{
	const char	*slash;

	/* Clearing all of *ev (over 1 KiB) per line showed in profiles.
	 * The length is the parser's, not a constant: with a constant,
	 * GCC inlines the memset as "rep stosq", four times slower here
	 * than the C library's vector loop (50 against 10 ns a line). */
	memset(ev, 0, p->ev_clear);
	ev->server_ip[0] = '\0';
	ev->orig_client_ip[0] = '\0';
	ev->pid = -1;
	ev->client_port = -1;
	ev->server_port = -1;
	ev->bytes = -1;
	ev->count = LONG_MIN;
	if (envelope_parse(p, line, len, ev) == -1)
		return (PF_NOT_POSTFIX);
	ev->program = ev->tag;
	/* The last '/' of a short tag: a loop, not a memrchr(3) call. */
	for (slash = ev->tag.p + ev->tag.len; slash > ev->tag.p &&
	    slash[-1] != '/'; slash--)
		continue;
	slash = slash > ev->tag.p ? slash - 1 : NULL;
	if (slash != NULL) {
		ev->program.p = slash + 1;
		ev->program.len = ev->tag.p + ev->tag.len - (slash + 1);
	}
	if (!is_postfix_tag(ev->tag, ev->program))
		return (PF_NOT_POSTFIX);
	switch (ev->program.len) {
	case 5:
		if (memcmp(ev->program.p, "smtpd", 5) == 0)
			return (smtpd_parse(p, ev));
		break;
	case 7:
		if (memcmp(ev->program.p, "dnsblog", 7) == 0)
			return (dnsblog_parse(p, ev));
		if (memcmp(ev->program.p, "cleanup", 7) == 0)
			return (cleanup_parse(p, ev));
		break;
	case 10:
		if (memcmp(ev->program.p, "postscreen", 10) == 0)
			return (postscreen_parse(p, ev));
		break;
	}
	return (PF_OTHER);
}

/*	$fivefifty: fuzz_parse.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fuzz_parse 1 - libFuzzer target for the log line parser
 * DESCRIPTION
 *	Each input is one log line. Besides the sanitizers' own checks, the
 *	target asserts the parser's promises: an event's client address is
 *	valid and canonical (inet_pton accepts it, inet_ntop gives it back),
 *	every span lies inside the line, and the reason class is in range.
 *	Built and run by `make fuzz`, seeded from ../shared/corpus.
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct pf_parser *parser;

/* check_span - a span is absent or inside the line */
static void
check_span(struct pf_span sp, const uint8_t *line, size_t len)
{
	if (sp.p == NULL)
		return;
	if ((const uint8_t *)sp.p < line ||
	    (const uint8_t *)sp.p + sp.len > line + len)
		abort();
}

/* check_ip - valid and canonical, or empty */
static void
check_ip(const char *ip)
{
	unsigned char	bin[16];
	char		buf[PF_ADDR_MAX], back[INET6_ADDRSTRLEN], *z;

	if (ip[0] == '\0')
		return;
	snprintf(buf, sizeof(buf), "%s", ip);
	if ((z = strchr(buf, '%')) != NULL)
		*z = '\0';
	if (inet_pton(AF_INET, buf, bin) == 1)
		inet_ntop(AF_INET, bin, back, sizeof(back));
	else if (inet_pton(AF_INET6, buf, bin) == 1)
		inet_ntop(AF_INET6, bin, back, sizeof(back));
	else
		abort();
	if (strcmp(back, buf) != 0)
		abort();
}

/* LLVMFuzzerTestOneInput - one line */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct pf_event	ev;
	char		err[256];

	if (parser == NULL && (parser = pf_parser_new(err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	if (pf_parse_line(parser, (const char *)data, len, &ev) != PF_EVENT)
		return (0);
	if (ev.kind <= PF_EV_NONE || ev.kind >= PF_EV_COUNT ||
	    ev.class >= PF_CLASS_COUNT)
		abort();
	check_ip(ev.client_ip);
	check_ip(ev.server_ip);
	check_ip(ev.orig_client_ip);
	check_span(ev.host, data, len);
	check_span(ev.tag, data, len);
	check_span(ev.program, data, len);
	check_span(ev.message, data, len);
	check_span(ev.client_name, data, len);
	check_span(ev.queue_id, data, len);
	check_span(ev.reason, data, len);
	check_span(ev.object, data, len);
	check_span(ev.from, data, len);
	check_span(ev.to, data, len);
	check_span(ev.helo, data, len);
	check_span(ev.data, data, len);
	check_span(ev.dsn, data, len);
	(void)pf_event_epoch(&ev);
	return (0);
}

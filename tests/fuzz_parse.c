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
 *	every span lies inside the line, and the reason class is in range;
 *	and a second parser without the fast paths (pf_parser_set_fast(p,
 *	0): PCRE2 alone) gives the same result and the same event.
 *	Built and run by `make fuzz`, seeded from ../shared/corpus.
 */
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parse/parse.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct pf_parser *parser, *slow;
static int first = 1;

/* same - the fast and the PCRE2-only events are equal (abort if not) */
static void
same(const struct pf_event *a, const struct pf_event *b)
{
	static const size_t spans[] = {
#define S(f) offsetof(struct pf_event, f)
		S(host), S(tag), S(program), S(message), S(client_name),
		S(queue_id), S(action), S(stage), S(dsn), S(object), S(reason),
		S(from), S(to), S(proto), S(helo), S(sasl_method),
		S(sasl_username), S(sasl_sender), S(notes), S(end), S(data),
		S(seconds), S(detail), S(command), S(service), S(ptr_name),
		S(zone), S(answer), S(orig_queue_id), S(orig_client_name),
#undef S
	};
	const struct pf_span *x, *y;
	size_t		 i;

	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		x = (const struct pf_span *)((const char *)a + spans[i]);
		y = (const struct pf_span *)((const char *)b + spans[i]);
		if (x->p != y->p || x->len != y->len)
			abort();
	}
	if (a->kind != b->kind || a->class != b->class ||
	    a->enforced != b->enforced || a->code != b->code ||
	    a->pid != b->pid || a->severity != b->severity ||
	    a->client_port != b->client_port ||
	    a->client_family != b->client_family ||
	    a->server_port != b->server_port || a->bytes != b->bytes ||
	    a->count != b->count ||
	    memcmp(&a->time, &b->time, sizeof(a->time)) != 0 ||
	    memcmp(&a->client_net, &b->client_net, sizeof(a->client_net)) ||
	    strcmp(a->client_ip, b->client_ip) != 0 ||
	    strcmp(a->server_ip, b->server_ip) != 0 ||
	    strcmp(a->orig_client_ip, b->orig_client_ip) != 0 ||
	    (a->kind == PF_EV_DISCONNECT && memcmp(a->counters, b->counters,
	    sizeof(a->counters)) != 0))
		abort();
}

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
	struct pf_event	ev, ref;
	enum pf_result	r;
	time_t		now;
	char		err[256];

	if (parser == NULL && ((parser = pf_parser_new(err,
	    sizeof(err))) == NULL || (slow = pf_parser_new(err,
	    sizeof(err))) == NULL)) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	if (slow != NULL && parser != NULL && first) {
		/* One reference for both; the same inputs in the same
		 * order keep their year states equal after that. */
		pf_parser_set_fast(slow, 0);
		now = time(NULL);
		pf_parser_set_reference(parser, now);
		pf_parser_set_reference(slow, now);
		first = 0;
	}
	r = pf_parse_line(parser, (const char *)data, len, &ev);
	if (pf_parse_line(slow, (const char *)data, len, &ref) != r)
		abort();
	if (r != PF_EVENT)
		return (0);
	same(&ev, &ref);
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

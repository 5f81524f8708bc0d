/*	$fivefifty: fuzz_control.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fuzz_control 1 - libFuzzer target for the control request decoder
 * DESCRIPTION
 *	Each input is one request line as a peer sends it (without the
 *	newline), decoded by ctl_decode(). Besides the sanitizers' own
 *	checks, the target asserts the decoder's promises: a refusal says
 *	why in a terminated string; a decoded request has a known verb, a
 *	ban lasts 1 to CTL_BAN_MAX seconds, NET is one non-empty word of at
 *	most CTL_NET_MAX bytes, the reason is printable ASCII; and the
 *	request written back from what was decoded decodes to the same.
 *	Built and run by `make fuzz` (FUZZ_TARGET=control), seeded by
 *	tests/fuzz-seed.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* printable - printable ASCII without spaces (word) or with them */
static int
printable(const char *s, int word)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e || (word && *s == ' '))
			return (0);
	return (1);
}

/* LLVMFuzzerTestOneInput - one request line */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ctl_req	 r, back;
	char		 err[256], line[2 * CTL_LINE_MAX];
	int		 n;

	memset(err, 'x', sizeof(err));
	if (ctl_decode((const char *)data, len, &r, err, sizeof(err)) == -1) {
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			abort();
		return (0);
	}
	switch (r.op) {
	case CTL_STATUS:
		n = snprintf(line, sizeof(line), "status");
		break;
	case CTL_UNBAN:
		n = snprintf(line, sizeof(line), "unban %s", r.net);
		break;
	case CTL_BAN:
		if (r.secs < 1 || r.secs > CTL_BAN_MAX ||
		    !printable(r.reason, 0))
			abort();
		n = snprintf(line, sizeof(line), "ban %s %lld%s%s", r.net,
		    r.secs, r.reason[0] != '\0' ? " " : "", r.reason);
		break;
	default:
		abort();
	}
	if (r.op != CTL_STATUS && (r.net[0] == '\0' || strlen(r.net) >
	    CTL_NET_MAX || !printable(r.net, 1)))
		abort();
	if (ctl_decode(line, (size_t)n, &back, err, sizeof(err)) == -1 ||
	    memcmp(&r, &back, sizeof(r)) != 0) {
		fprintf(stderr, "\"%s\" decodes differently\n", line);
		abort();
	}
	return (0);
}

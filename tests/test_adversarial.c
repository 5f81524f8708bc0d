/*	$fivefifty: test_adversarial.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_adversarial 3 - garbage, overlong, truncated and mutated lines
 * DESCRIPTION
 *	The parser must never crash and never report a wrong address:
 *	- every prefix of real reject lines is either no event or an event
 *	  with the full line's client address;
 *	- random bytes inserted after the client address never change it;
 *	- 64 KiB lines built to make backtracking explode finish, and do not
 *	  change the address either;
 *	- random garbage (a fixed-seed generator) gives no event that has an
 *	  address inet_pton would refuse.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const char *const seeds[] = {
	"Oct 22 13:29:42 conch postfix/smtpd[29528]: NOQUEUE: reject: RCPT from 1-163-31-151.dynamic.hinet.net[1.163.31.151]: 554 5.7.1 <vkihwpdh@yahoo.com.tw>: Relay access denied; from=<z2007tw@yahoo.com.tw> to=<vkihwpdh@yahoo.com.tw> proto=SMTP helo=<67.223.235.197>",
	"2023-03-14T00:10:00.000000+01:00 helga postfix/postscreen[3163107]: NOQUEUE: reject: RCPT from [185.246.220.193]:62795: 550 5.7.1 Service unavailable; client [185.246.220.193] blocked using zen.spamhaus.org; from=<ripe@uhu-banane.de>, to=<z@hotmail.com>, proto=ESMTP, helo=<3BqSwxw>",
	"2023-03-14T00:01:16.756778+01:00 helga postfix/postscreen[3163107]: PREGREET 20 after 0.01 from [198.51.100.20]:40000: EHLO [6.6.6.6]:25:\\r\\n",
	"Feb  8 21:28:47 mx postfix/smtps/smtpd[1036]: DE81A2E2DAA: reject: RCPT from unknown[2a02:168:636a::15e2]:4711: 550 5.1.1 <h@h.com>: Recipient address rejected: User unknown in virtual mailbox table; from=<d@h.com> to=<h@h.com> proto=ESMTP helo=<[IPv6:2a02:168:636a::15e2]>",
	"Nov 21 13:33:22 mx postfix/smtpd[1]: warning: unknown[203.0.113.10]: SASL LOGIN authentication failed: (reason unavailable), sasl_username=postmaster@example.org",
	"Nov 21 13:33:22 mx postfix/smtpd[10334]: disconnect from unknown[127.13.166.133] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
};

/* rng - a fixed-seed xorshift generator: the same run every time */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;

/* rng - the next pseudo-random number */
static unsigned
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return ((unsigned)(rng_state >> 11));
}

/* valid_ip - inet_pton accepts it (zone stripped) */
static int
valid_ip(const char *s)
{
	unsigned char	bin[16];
	char		buf[PF_ADDR_MAX], *z;

	snprintf(buf, sizeof(buf), "%s", s);
	if ((z = strchr(buf, '%')) != NULL)
		*z = '\0';
	return (inet_pton(AF_INET, buf, bin) == 1 ||
	    inet_pton(AF_INET6, buf, bin) == 1);
}

/* full_ip - the client address of a whole seed line */
static void
full_ip(struct pf_parser *p, const char *line, char *out, size_t len)
{
	struct pf_event	ev;

	assert_int_equal(pf_parse_line(p, line, strlen(line), &ev), PF_EVENT);
	assert_true(ev.client_ip[0] != '\0');
	snprintf(out, len, "%s", ev.client_ip);
}

/* test_prefixes - a truncated line never gets another address */
static void
test_prefixes(void **state)
{
	struct pf_parser *p = parser_or_fail();
	struct pf_event	 ev;
	char		 want[PF_ADDR_MAX];
	size_t		 i, n, events = 0;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		full_ip(p, seeds[i], want, sizeof(want));
		for (n = 0; n <= strlen(seeds[i]); n++) {
			if (pf_parse_line(p, seeds[i], n, &ev) != PF_EVENT ||
			    ev.client_ip[0] == '\0')
				continue;
			events++;
			if (strcmp(ev.client_ip, want) != 0)
				fail_msg("prefix %zu of seed %zu: %s, want %s",
				    n, i, ev.client_ip, want);
		}
	}
	assert_true(events > 0);
	pf_parser_free(p);
}

/* test_mutations - bytes inserted after the client never move it */
static void
test_mutations(void **state)
{
	struct pf_parser *p = parser_or_fail();
	struct pf_event	 ev;
	char		 want[PF_ADDR_MAX], buf[2048];
	const char	*s, *after;
	size_t		 i, len, at, k, events = 0;
	int		 round, nins;

	(void)state;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		s = seeds[i];
		full_ip(p, s, want, sizeof(want));
		after = strstr(s, want);
		assert_non_null(after);
		after = strchr(after, ']');
		assert_non_null(after);
		for (round = 0; round < 20000; round++) {
			len = strlen(s);
			memcpy(buf, s, len);
			nins = 1 + (int)(rng() % 8);
			while (nins-- > 0 && len < sizeof(buf) - 16) {
				/* Insert after the "]" that closes the client. */
				at = (size_t)(after - s) + 1 +
				    rng() % (len - (size_t)(after - s));
				k = 1 + rng() % 12;
				memmove(buf + at + k, buf + at, len - at);
				for (size_t j = 0; j < k; j++) {
					static const char alpha[] =
					    "[]:;<> 6.fromtohelo=\0\xff\n";
					buf[at + j] = rng() % 3 == 0 ?
					    (char)rng() : alpha[rng() %
					    (sizeof(alpha) - 1)];
				}
				len += k;
			}
			if (pf_parse_line(p, buf, len, &ev) != PF_EVENT ||
			    ev.client_ip[0] == '\0')
				continue;
			events++;
			if (strcmp(ev.client_ip, want) != 0)
				fail_msg("mutation of seed %zu: %s, want %s",
				    i, ev.client_ip, want);
		}
	}
	print_message("mutations: %zu events, all with the right client\n",
	    events);
	assert_true(events > 1000);
	pf_parser_free(p);
}

/* test_overlong - 64 KiB lines that invite backtracking */
static void
test_overlong(void **state)
{
	static const char *const heads[] = {
		"Nov 21 13:33:22 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from unknown[198.51.100.40]: 554 5.7.1 <x@y>: Relay access denied",
		"Nov 21 13:33:22 mx postfix/postscreen[1]: NOQUEUE: reject: RCPT from [198.51.100.41]:5: 550 5.7.1 Service unavailable",
		"Nov 21 13:33:22 mx postfix/smtpd[1]: 4F5C64474F: client=unknown[198.51.100.42], sasl_method=PLAIN, sasl_username=",
		"Nov 21 13:33:22 mx postfix/postscreen[1]: PREGREET 1 after 0 from [198.51.100.43]:5: ",
	};
	static const struct {
		const char	*s;
		size_t		 n;
	} fills[] = {
		{ "; from=<", 8 }, { "; from=<a> to=<", 15 }, { " helo=<", 7 },
		{ ">", 1 }, { ";", 1 }, { ", sasl_username=", 16 },
		{ "[6.6.6.6]", 9 }, { "\xff\x00", 2 },
	};
	struct pf_parser *p = parser_or_fail();
	struct pf_event	 ev;
	char		*buf, want[32];
	size_t		 h, f, len, cap = 70000;
	enum pf_result	 r;

	(void)state;
	buf = malloc(cap);
	assert_non_null(buf);
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		const char *open = strchr(heads[h] + 40, '[');
		snprintf(want, sizeof(want), "%.*s",
		    (int)(strchr(open, ']') - open - 1), open + 1);
		for (f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
			size_t fl = fills[f].n;

			len = strlen(heads[h]);
			memcpy(buf, heads[h], len);
			while (len + fl < 65536) {
				memcpy(buf + len, fills[f].s, fl);
				len += fl;
			}
			r = pf_parse_line(p, buf, len, &ev);
			if (r == PF_EVENT && ev.client_ip[0] != '\0')
				assert_string_equal(ev.client_ip, want);
		}
	}
	free(buf);
	pf_parser_free(p);
}

/* test_garbage - random bytes and random recombinations of real pieces */
static void
test_garbage(void **state)
{
	static const char *const parts[] = {
		"Nov 21 13:33:22 ", "2023-03-14T00:01:16.75+01:00 ", "mx ",
		"postfix/smtpd[1]: ", "postfix/postscreen[2]: ",
		"postfix/dnsblog[3]: ", "NOQUEUE: ", "reject: ", "RCPT ",
		"from ", "unknown", "[", "]", ":25", "1.2.3.4", "::1", "; ",
		"from=<", "to=<", "> ", "helo=<", "proto=ESMTP", "PREGREET ",
		"CONNECT ", "11 after 0.2 ", "addr ", " listed by domain ",
		"connect from ", "warning: ", "hostname ", (" does not resolve"
		" to address "), "SASL ", "\x00", "\xff", "\n", "%eth0",
	};
	struct pf_parser *p = parser_or_fail();
	struct pf_event	 ev;
	char		 buf[1024];
	size_t		 len, k;
	int		 round;
	unsigned long	 events = 0;

	(void)state;
	for (round = 0; round < 300000; round++) {
		len = 0;
		if (round % 2 == 0) {
			k = rng() % sizeof(buf);
			for (len = 0; len < k; len++)
				buf[len] = (char)rng();
		} else {
			for (k = 0; k < 3 + rng() % 20; k++) {
				const char *s = parts[rng() %
				    (sizeof(parts) / sizeof(parts[0]))];
				size_t n = s[0] == '\0' ? 1 : strlen(s);
				if (len + n >= sizeof(buf))
					break;
				memcpy(buf + len, s, n);
				len += n;
			}
		}
		if (pf_parse_line(p, buf, len, &ev) == PF_EVENT) {
			events++;
			if (ev.client_ip[0] != '\0' && !valid_ip(ev.client_ip))
				fail_msg("garbage gave address %s",
				    ev.client_ip);
		}
	}
	print_message("garbage: 300000 lines, %lu events, no bad address\n",
	    events);
	pf_parser_free(p);
}

const struct CMUnitTest adversarial_tests[] = {
	cmocka_unit_test(test_prefixes),
	cmocka_unit_test(test_mutations),
	cmocka_unit_test(test_overlong),
	cmocka_unit_test(test_garbage),
};
const size_t adversarial_tests_count =
    sizeof(adversarial_tests) / sizeof(adversarial_tests[0]);

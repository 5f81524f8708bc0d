/*	$fivefifty: test_stages.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_stages 3 - reject classes on a real Postfix's reject lines,
 *	every stage, hostile words in every field the client chooses
 * DESCRIPTION
 *	test_reject_stages runs tests/postfix-reject-stages.sh: a real
 *	Postfix (private network namespace, own configuration) made to
 *	reject at CONNECT, EHLO, MAIL, RCPT, DATA, END-OF-MESSAGE, VRFY, ETRN
 *	and in postscreen, by clients whose recipients, senders and HELO
 *	names say "blocked using", "Relay access denied", "User unknown",
 *	">: ", "; from=<" and the like. The script writes which restriction
 *	each client (one per address) was made to trip, and so which class
 *	Postfix's own words give; every reject line Postfix logged is parsed
 *	as it came and its class and stage must be that. Every case must
 *	have logged a reject (no vacuous pass), or Postfix refused its address
 *	as illegal syntax (a quoted local part with '<' in a local domain).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define STAGE_DIR	"/tmp/fivefifty-stages"	/* a private /tmp */
#define MAXCASES	512

struct stage_case {
	char	 addr[64];
	char	 stage[24];
	char	 class[32];
	char	 what[96];
	int	 lines;
	int	 illegal;	/* Postfix refused the address's syntax */
};

/* read_truth - the cases of truth.tsv; their count */
static int
read_truth(const char *path, struct stage_case *c, int max)
{
	char	*buf, *p, *nl;
	size_t	 len;
	int	 n = 0;

	buf = read_file(path, &len);
	assert_non_null(buf);
	for (p = buf; *p != '\0' && n < max; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		memset(&c[n], 0, sizeof(c[n]));
		if (sscanf(p, "%63[^\t]\t%23[^\t]\t%31[^\t]\t%95[^\n]",
		    c[n].addr, c[n].stage, c[n].class, c[n].what) == 4)
			n++;
	}
	free(buf);
	return (n);
}

/* test_reject_stages - see above */
static void
test_reject_stages(void **state)
{
	char		*argv[] = { "/bin/bash", "tests/postfix-reject-stages.sh",
	    STAGE_DIR, NULL };
	static struct stage_case cases[MAXCASES];
	struct run_result r;
	struct pf_parser *p;
	struct pf_event	 ev;
	char		*log, *line, *nl, stage[32], sbuf[64];
	int		 ncases, i, nrejects = 0, bad = 0, stray = 0, silent = 0;
	int		 refused = 0;
	int		 st;
	size_t		 len;

	(void)state;
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (r.status != 0) {
		print_lines(r.out);
		print_lines(r.err);
		st = r.status;
		run_free(&r);
		fail_msg("postfix-reject-stages.sh could not run: exit %d "
		    "(its output above)", st);
	}
	run_free(&r);
	ncases = read_truth(STAGE_DIR "/truth.tsv", cases, MAXCASES);
	assert_true(ncases > 100);
	log = read_file(STAGE_DIR "/mail.log", &len);
	assert_non_null(log);
	p = parser_or_fail();
	for (line = log; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;		/* the script's log ends every line */
		*nl = '\0';
		if (strstr(line, ": Illegal address syntax from ") != NULL &&
		    pf_parse_line(p, line, (size_t)(nl - line), &ev) ==
		    PF_EVENT) {
			for (i = 0; i < ncases; i++)
				if (strcmp(cases[i].addr, ev.client_ip) == 0)
					cases[i].illegal = 1;
			continue;
		}
		if (strstr(line, ": reject: ") == NULL)
			continue;
		memset(&ev, 0, sizeof(ev));
		if (pf_parse_line(p, line, (size_t)(nl - line), &ev) !=
		    PF_EVENT || ev.kind != PF_EV_REJECT) {
			print_error("not a reject event: %.*s\n",
			    (int)(nl - line), line);
			bad++;
			continue;
		}
		nrejects++;
		for (i = 0; i < ncases; i++)
			if (strcmp(cases[i].addr, ev.client_ip) == 0)
				break;
		if (i == ncases) {
			print_error("a reject of no case: %.*s\n",
			    (int)(nl - line), line);
			stray++;
			continue;
		}
		cases[i].lines++;
		snprintf(stage, sizeof(stage), "%s",
		    ev_field(&ev, "stage", sbuf, sizeof(sbuf)));
		if (strcmp(pf_class_name(ev.class), cases[i].class) != 0 ||
		    strcmp(stage, cases[i].stage) != 0) {
			print_error("%s (%s): class %s stage %s, Postfix says "
			    "%s at %s:\n  %.*s\n", cases[i].addr,
			    cases[i].what, pf_class_name(ev.class), stage,
			    cases[i].class, cases[i].stage, (int)(nl - line),
			    line);
			bad++;
		}
	}
	for (i = 0; i < ncases; i++)
		if (cases[i].lines == 0 && cases[i].illegal)
			refused++;
		else if (cases[i].lines == 0) {
			print_error("%s (%s, %s at %s) logged no reject\n",
			    cases[i].addr, cases[i].what, cases[i].class,
			    cases[i].stage);
			silent++;
		}
	print_message("      %d cases, %d reject lines of a real Postfix; %d "
	    "misclassified, %d of no case, %d cases without a reject (and %d "
	    "whose address Postfix refused as illegal syntax)\n", ncases,
	    nrejects, bad, stray, silent, refused);
	pf_parser_free(p);
	free(log);
	if (bad > 0 || stray > 0 || silent > 0)
		fail_msg("reject classes differ from Postfix's words; %s is "
		    "kept (mail.log, truth.tsv)", STAGE_DIR);
	free(sh("rm -rf " STAGE_DIR, NULL));
}

const struct CMUnitTest stage_tests[] = {
	cmocka_unit_test(test_reject_stages),
};
const size_t stage_tests_count = sizeof(stage_tests) /
    sizeof(stage_tests[0]);

/*	$fivefifty: test_grok.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_grok 3 - the postfix-grok-patterns test cases, with an envelope
 * DESCRIPTION
 *	Each YAML file of ../shared/corpus/grok-patterns holds a message
 *	(no envelope) and the fields the grok patterns take from it. The
 *	program comes from the file name; an envelope is put in front
 *	("command_counter_data" cases get a "disconnect from" in front too).
 *
 *	A case is claimed when its program is one fivefifty reads (smtpd,
 *	postscreen, dnsblog, or a cleanup milter-reject) and its message is
 *	not one of the shapes listed in no_event[] (TLS, proxy, cache
 *	chatter). A claimed case must be an event whose fields equal the
 *	grok results, field by field through map[]; tail key=value data is
 *	compared as from/to/proto/helo. Every other case must not be an
 *	event. Nothing is skipped silently: the counts are printed.
 */
#include <arpa/inet.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

#define GROK_DIR	"corpus/grok-patterns"

/* grok result key -> our field */
static const struct {
	const char *grok, *ours;
} map[] = {
	{ "postfix_client_ip", "client_ip" },
	{ "postfix_client_hostname", "client_name" },
	{ "postfix_client_port", "client_port" },
	{ "postfix_queueid", "queue_id" },
	{ "postfix_action", "action" },
	{ "postfix_status_code", "code" },
	{ "postfix_status_code_enhanced", "dsn" },
	{ "postfix_smtpd_lostconn_data", "grok:word" },
	{ "postfix_postscreen_violation", "grok:word" },
	{ "postfix_postscreen_access", "grok:word" },
	{ "postfix_postscreen_dnsbl_rank", "count" },
	{ "postfix_postscreen_violation_time", "seconds" },
	{ "postfix_dnsbl_domain", "zone" },
	{ "postfix_dnsbl_result", "answer" },
	{ "postfix_server_ip", "server_ip" },
	{ "postfix_server_port", "server_port" },
};

/* Messages of claimed programs that carry no client evidence. */
static const char *const no_event[] = {
	"Anonymous TLS connection", "SSL_accept error", "proxy-accept:",
	"proxy-reject:", "discarding EHLO keywords", "cache ",
	"warning: getpeername:", "warning: dnsblog_query:", NULL
};

struct grok_case {
	char	 data[4096];
	char	 keys[48][64];
	char	 vals[48][1024];
	int	 n;
};

/* grok_word - the keyword grok files a line under, from our event */
static const char *
grok_word(const struct pf_event *ev, char *buf, size_t len)
{
	switch (ev->kind) {
	case PF_EV_PREGREET:
		return ("PREGREET");
	case PF_EV_DNSBL_RANK:
		return ("DNSBL");
	case PF_EV_HANGUP:
		return ("HANGUP");
	case PF_EV_BARE_NEWLINE:
		return ("bare <LF> received");
	case PF_EV_PS_PASS:
		snprintf(buf, len, "PASS %.*s", (int)ev->detail.len,
		    ev->detail.p);
		return (buf);
	case PF_EV_ABORT:
		return (ev_field(ev, "end", buf, len));
	default:
		return (ev_field(ev, "detail", buf, len));
	}
}

/* yaml_value - the value after "key: ", unquoted and unescaped (\" \\) */
static void
yaml_value(const char *s, char *out, size_t len)
{
	size_t	 w = 0;

	while (*s == ' ')
		s++;
	if (*s != '"') {
		snprintf(out, len, "%s", s);
		w = strlen(out);
		while (w > 0 && (out[w - 1] == ' ' || out[w - 1] == '\r'))
			out[--w] = '\0';
		return;
	}
	for (s++; *s != '\0' && *s != '"' && w + 1 < len; s++) {
		if (s[0] == '\\' && (s[1] == '"' || s[1] == '\\'))
			s++;
		out[w++] = *s;
	}
	out[w] = '\0';
}

/* load - read one YAML case */
static int
load(const char *path, struct grok_case *c)
{
	char	*text, *line, *nl, *colon;
	size_t	 len;
	int	 in_results = 0;

	memset(c, 0, sizeof(*c));
	if ((text = read_file(path, &len)) == NULL)
		return (-1);
	for (line = text; line != NULL; line = nl != NULL ? nl + 1 : NULL) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (strncmp(line, "data:", 5) == 0)
			yaml_value(line + 5, c->data, sizeof(c->data));
		else if (strncmp(line, "results:", 8) == 0)
			in_results = 1;
		else if (in_results && line[0] == ' ' &&
		    (colon = strchr(line, ':')) != NULL && c->n < 48) {
			char *k = line + strspn(line, " ");
			if (*k != '#') {
				snprintf(c->keys[c->n], sizeof(c->keys[0]),
				    "%.*s", (int)(colon - k), k);
				yaml_value(colon + 1, c->vals[c->n],
				    sizeof(c->vals[0]));
				c->n++;
			}
		}
	}
	free(text);
	return (0);
}

/* norm_ip - canonical form of an address, for comparing */
static void
norm_ip(const char *in, char *out, size_t len)
{
	unsigned char	bin[16];

	if (inet_pton(AF_INET, in, bin) == 1)
		inet_ntop(AF_INET, bin, out, (socklen_t)len);
	else if (inet_pton(AF_INET6, in, bin) == 1)
		inet_ntop(AF_INET6, bin, out, (socklen_t)len);
	else
		snprintf(out, len, "%s", in);
}

/* check_tail - grok's key=value tail against from/to/proto/helo */
static int
check_tail(const struct pf_event *ev, const char *kv, const char *where)
{
	static const char *const keys[] = { "from", "to", "proto", "helo",
	    NULL };
	char	 want[1024], got[1024];
	const char *s, *e, *g;
	int	 i, bad = 0;

	for (i = 0; keys[i] != NULL; i++) {
		char pat[16];
		snprintf(pat, sizeof(pat), "%s=", keys[i]);
		s = kv;
		while ((s = strstr(s, pat)) != NULL && s != kv &&
		    s[-1] != ' ' && s[-1] != ',')
			s++;
		if (s == NULL)
			continue;
		s += strlen(pat);
		if (*s == '<') {
			s++;
			e = strchr(s, '>');
		} else
			e = s + strcspn(s, " ,");
		if (e == NULL)
			continue;
		snprintf(want, sizeof(want), "%.*s", (int)(e - s), s);
		g = ev_field(ev, keys[i], got, sizeof(got));
		if (strcmp(want, g) != 0) {
			print_error("%s: %s = \"%s\", want \"%s\"\n", where,
			    keys[i], g, want);
			bad++;
		}
	}
	return (bad);
}

/* check_case - one YAML file */
static int
check_case(struct pf_parser *p, const char *dir, const char *name,
    int *claimed, int *other, int *fields)
{
	struct grok_case c;
	struct pf_event	 ev;
	enum pf_result	 r;
	char		 path[1024], line[8192], got[1024], want[1024];
	const char	*prog = NULL, *prefix = "", *g;
	int		 i, k, claim, bad = 0, len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (load(path, &c) == -1) {
		print_error("%s: cannot read\n", path);
		return (1);
	}
	if (strncmp(name, "smtpd_", 6) == 0)
		prog = "smtpd";
	else if (strncmp(name, "postscreen_", 11) == 0)
		prog = "postscreen";
	else if (strncmp(name, "dnsblog_", 8) == 0)
		prog = "dnsblog";
	else if (strncmp(name, "cleanup_", 8) == 0)
		prog = "cleanup";
	else if (strncmp(name, "command_counter_data_", 21) == 0) {
		prog = "smtpd";
		prefix = "disconnect from a.example[192.0.2.1] ";
	}
	if (prog == NULL)
		return (0);	/* qmgr, smtp, local ...: not our programs */
	len = snprintf(line, sizeof(line), "Nov 21 13:16:01 mx postfix/%s[123]: "
	    "%s%s", prog, prefix, c.data);
	r = pf_parse_line(p, line, (size_t)len, &ev);

	claim = strcmp(prog, "cleanup") != 0 ||
	    strstr(c.data, ": milter-reject: ") != NULL;
	for (i = 0; no_event[i] != NULL; i++)
		if (strncmp(c.data, no_event[i], strlen(no_event[i])) == 0)
			claim = 0;
	if (!claim) {
		(*other)++;
		if (r == PF_EVENT) {
			print_error("%s: not an event shape, but parsed as "
			    "%s\n", path, pf_kind_name(ev.kind));
			return (1);
		}
		return (0);
	}
	(*claimed)++;
	if (r != PF_EVENT) {
		print_error("%s: %s, want an event: %s\n", path,
		    pf_result_name(r), line);
		return (1);
	}
	for (i = 0; i < c.n; i++) {
		const char *ours = NULL;
		if (strcmp(c.keys[i], "postfix_keyvalue_data") == 0) {
			bad += check_tail(&ev, c.vals[i], path);
			(*fields)++;
			continue;
		}
		if (strcmp(c.keys[i], "postfix_smtp_stage") == 0)
			ours = ev.kind == PF_EV_PS_VIOLATION ? "command" :
			    "stage";
		if (strcmp(c.keys[i], "postfix_client_ip_unknown") == 0) {
			g = ev_field(&ev, "client_ip", got, sizeof(got));
			if (strcmp(g, "-") != 0) {
				print_error("%s: client_ip %s, want none\n",
				    path, g);
				bad++;
			}
			(*fields)++;
			continue;
		}
		if (strncmp(c.keys[i], "postfix_cmd_", 12) == 0) {
			/* postfix_cmd_X is the total, _accepted the ok. */
			char cmd[64], key[80];
			const char *slash;
			int accepted;
			snprintf(cmd, sizeof(cmd), "%s", c.keys[i] + 12);
			accepted = strstr(cmd, "_accepted") != NULL;
			if (accepted)
				*strstr(cmd, "_accepted") = '\0';
			snprintf(key, sizeof(key), "counter.%s",
			    strcmp(cmd, "count") == 0 ? "commands" : cmd);
			g = ev_field(&ev, key, got, sizeof(got));
			slash = strchr(g, '/');
			if (slash == NULL) {
				print_error("%s: no %s\n", path, key);
				bad++;
				continue;
			}
			snprintf(want, sizeof(want), "%.*s", accepted ?
			    (int)(slash - g) : (int)strlen(slash + 1),
			    accepted ? g : slash + 1);
			if (strcmp(want, c.vals[i]) != 0) {
				print_error("%s: %s = %s, want %s\n", path,
				    c.keys[i], want, c.vals[i]);
				bad++;
			}
			(*fields)++;
			continue;
		}
		for (k = 0; ours == NULL &&
		    k < (int)(sizeof(map) / sizeof(map[0])); k++)
			if (strcmp(c.keys[i], map[k].grok) == 0)
				ours = map[k].ours;
		if (ours == NULL)
			continue;	/* status_message etc.: split otherwise */
		g = strcmp(ours, "grok:word") == 0 ?
		    grok_word(&ev, got, sizeof(got)) :
		    ev_field(&ev, ours, got, sizeof(got));
		snprintf(want, sizeof(want), "%s", c.vals[i]);
		if (strcmp(ours, "client_ip") == 0 ||
		    strcmp(ours, "server_ip") == 0) {
			char n[128];
			norm_ip(c.vals[i], n, sizeof(n));
			snprintf(want, sizeof(want), "%s", n);
		}
		(*fields)++;
		if (strcmp(g, want) != 0) {
			print_error("%s: %s = \"%s\", want \"%s\" (%s)\n",
			    path, ours, g, want, c.keys[i]);
			bad++;
		}
	}
	return (bad);
}

/* test_grok_cases - every grok case of our programs, claimed or not */
static void
test_grok_cases(void **state)
{
	struct pf_parser *p;
	struct dirent	**names;
	char		 dir[512];
	int		 n, i, bad = 0, claimed = 0, other = 0, fields = 0;

	(void)state;
	need_corpus();
	p = parser_or_fail();
	shared_path(GROK_DIR, dir, sizeof(dir));
	n = scandir(dir, &names, NULL, alphasort);
	if (n <= 0)
		fail_msg("%s: no grok cases (make test SHARED=DIR)", dir);
	for (i = 0; i < n; i++) {
		if (strstr(names[i]->d_name, ".yaml") != NULL)
			bad += check_case(p, dir, names[i]->d_name, &claimed,
			    &other, &fields);
		free(names[i]);
	}
	free(names);
	pf_parser_free(p);
	print_message("grok cases: %d claimed (%d fields compared), %d of our "
	    "programs not events, %d mismatches\n", claimed, fields, other,
	    bad);
	assert_true(claimed >= 60);
	assert_int_equal(bad, 0);
}

const struct CMUnitTest grok_tests[] = {
	cmocka_unit_test(test_grok_cases),
};
const size_t grok_tests_count = sizeof(grok_tests) / sizeof(grok_tests[0]);

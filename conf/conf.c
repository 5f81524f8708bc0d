/*	$fivefifty: conf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	conf 3 - read fivefifty.conf
 * SYNOPSIS
 *	See conf.h.
 * DESCRIPTION
 *	keys[] is the one list of configuration keys: name, type, where the
 *	value goes. conf/fivefifty.conf documents each with its default and
 *	unit; a test checks that the sample names every key of keys[] and
 *	that loading it gives the defaults. A key's range is part of the
 *	error that rejects a value out of it, and conf_print() writes
 *	values back in a form conf_load() reads to the same configuration.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "net/net.h"
#include "state/state.h"
#include "tailer/tailer.h"

enum ktype { K_NUM, K_INT, K_DURATION, K_NETS, K_NAMES, K_PATH, K_HOST,
    K_PREFIX4, K_PREFIX6, K_NET, K_FWMODE, K_FWTABLE, K_NFTNAME, K_PORTS,
    K_BOOL, K_MAP, K_TEXT, K_PATHS, K_USER, K_GROUP, K_SOCKET, K_LOGSRC,
    K_JMATCH, K_DIR, K_NODE, K_FWACTION };

struct key {
	const char	*name;
	enum ktype	 type;
	size_t		 off;		/* in struct ff_conf */
	double		 min, max;
};

#define S(f)	offsetof(struct ff_conf, score.f)
#define F(f)	offsetof(struct ff_conf, f)
#define DAYS(n)	((n) * 86400.0)
#define YEARS10	DAYS(3650)	/* the longest duration any key takes */
#define NAME_MAX_LEN	32	/* of a user or group name */

static const struct key keys[] = {
	{ "state_db", K_PATH, F(state_db), 0, 0 },
	{ "node_name", K_NODE, F(node_name), 0, 0 },
	{ "state_directory", K_PATH, F(state_directory), 0, 0 },
	{ "outbox_limit", K_INT, F(outbox_limit), 1, 65536 },	/* MiB */
	{ "mail_log", K_PATHS, F(mail_log), 0, 0 },
	{ "log_source", K_LOGSRC, F(log_source), 0, 0 },
	{ "journal_match", K_JMATCH, F(journal_match), 0, 0 },
	{ "journal_directory", K_DIR, F(journal_directory), 0, 0 },
	{ "user", K_USER, F(user), 0, 0 },
	{ "control_socket", K_SOCKET, F(control_socket), 0, 0 },
	{ "control_group", K_GROUP, F(control_group), 0, 0 },
	{ "manual_ban_time", K_DURATION, F(manual_ban_time), 1, YEARS10 },
	{ "ban_threshold", K_NUM, S(ban_threshold), 0.1, 1e6 },
	{ "score_half_life", K_DURATION, S(half_life), 1, YEARS10 },
	{ "ban_time", K_DURATION, S(ban_base), 1, YEARS10 },
	{ "ban_time_factor", K_NUM, S(ban_factor), 1, 1000 },
	{ "ban_time_max", K_DURATION, S(ban_max), 1, YEARS10 },
	{ "ban_history", K_DURATION, S(history_keep), 0, YEARS10 },
	{ "fivefifty_weight", K_NUM, S(w_fivefifty), 0, 1e6 },
	{ "fivefifty_window", K_DURATION, S(fivefifty_window), 0, YEARS10 },
	{ "fivefifty_retries", K_INT, S(fivefifty_retries), 0, 1000 },
	{ "dictionary_weight", K_NUM, S(w_dictionary), 0, 1e6 },
	{ "dictionary_window", K_DURATION, S(dict_window), 1, YEARS10 },
	{ "dictionary_threshold", K_INT, S(dict_threshold), 1, 100000 },
	{ "relay_weight", K_NUM, S(w_relay), 0, 1e6 },
	{ "sasl_failure_weight", K_NUM, S(w_sasl), 0, 1e6 },
	{ "pregreet_weight", K_NUM, S(w_pregreet), 0, 1e6 },
	{ "postscreen_pipelining_weight", K_NUM, S(w_ps_pipelining), 0, 1e6 },
	{ "postscreen_non_smtp_weight", K_NUM, S(w_ps_non_smtp), 0, 1e6 },
	{ "bare_newline_weight", K_NUM, S(w_ps_bare_newline), 0, 1e6 },
	{ "postscreen_limit_weight", K_NUM, S(w_ps_limit), 0, 1e6 },
	{ "pipelining_weight", K_NUM, S(w_pipelining), 0, 1e6 },
	{ "non_smtp_weight", K_NUM, S(w_non_smtp), 0, 1e6 },
	{ "dnsbl_weight", K_NUM, S(w_dnsbl), 0, 1e6 },
	{ "helo_weight", K_NUM, S(w_helo), 0, 1e6 },
	{ "too_many_errors_weight", K_NUM, S(w_too_many_errors), 0, 1e6 },
	{ "silent_session_weight", K_NUM, S(w_silent), 0, 1e6 },
	{ "sasl_failures_day", K_INT, S(sasl_failures_day), 0, 1e6 },
	{ "sasl_failures_window", K_DURATION, S(sasl_window), 24, YEARS10 },
	{ "postscreen_violations_day", K_INT, S(ps_violations_day), 0, 1e6 },
	{ "postscreen_violations_window", K_DURATION, S(ps_window), 24,
	    YEARS10 },
	{ "reject_burst", K_INT, S(reject_burst), 0, 1e6 },
	{ "reject_burst_window", K_DURATION, S(reject_burst_window), 24,
	    YEARS10 },
	{ "accepted_window", K_DURATION, S(accepted_window), 0, YEARS10 },
	{ "ipv6_prefix", K_PREFIX6, S(v6_prefix), 0, 128 },
	{ "ipv6_prefix_threshold", K_NUM, S(v6_prefix_threshold), 0.1, 1e6 },
	{ "ipv6_prefix_min_clients", K_INT, S(v6_prefix_min_clients), 1, 1000 },
	{ "ipv4_prefix", K_PREFIX4, S(v4_prefix), 0, 32 },
	{ "ipv4_prefix_threshold", K_NUM, S(v4_prefix_threshold), 0.1, 1e6 },
	{ "ipv4_prefix_min_clients", K_INT, S(v4_prefix_min_clients), 1, 1000 },
	{ "loopback", K_NET, S(loopback4), 0, 0 },
	{ "whitelist", K_NETS, S(whitelist), 0, 0 },
	{ "whitelist_names", K_NAMES, S(whitelist_names), 0, 0 },
	{ "myhostname", K_HOST, S(myhostname), 0, 0 },
	{ "max_clients", K_INT, S(max_clients), 100, 1e8 },
	{ "session_timeout", K_DURATION, S(session_timeout), 1, DAYS(100) },
	{ "memory_limit", K_INT, S(memory_limit), 4, 65536 },	/* MiB */
	{ "firewall", K_FWMODE, F(fw.mode), 0, 0 },
	{ "firewall_table", K_FWTABLE, F(fw.table), 0, 0 },
	{ "firewall_set4", K_NFTNAME, F(fw.set4), 0, 0 },
	{ "firewall_set6", K_NFTNAME, F(fw.set6), 0, 0 },
	{ "firewall_chain", K_NFTNAME, F(fw.chain), 0, 0 },
	{ "firewall_priority", K_INT, F(fw.priority), -400, 400 },
	{ "firewall_ports", K_PORTS, F(fw.ports), 0, 0 },
	{ "firewall_required", K_BOOL, F(fw.required), 0, 0 },
	{ "firewall_action", K_FWACTION, F(fw.action), 0, 0 },
	{ "firewall_established", K_BOOL, F(fw.established), 0, 0 },
	{ "access_map", K_MAP, F(fw.map), 0, 0 },
	{ "access_map_text", K_TEXT, F(fw.map_text), 0, 0 },
	{ "access_map_delay", K_DURATION, F(fw.map_delay), 0, 3600 },
	{ "postmap_command", K_PATH, F(fw.postmap), 0, 0 },
	{ "postfix_config_directory", K_PATH, F(fw.postfix_dir), 0, 0 },
	{ "protect_mynetworks", K_BOOL, F(protect_mynetworks), 0, 0 },
	{ "sendmail_path", K_PATH, F(sendmail_path), 0, 0 },
	{ "ban_rate_limit", K_INT, F(ban_rate_limit), 0, 1000000 },
	{ "log_hostname", K_HOST, F(log_hostname), 0, 0 },
	{ "clock_tolerance", K_DURATION, S(clock_tolerance), 0, YEARS10 },
	{ "metrics_file", K_PATH, F(metrics_file), 0, 0 },
	{ "metrics_interval", K_DURATION, F(metrics_interval), 1, DAYS(1) },
};

static const char *const map_types[] = { "hash", "lmdb", "cdb", "btree",
    "texthash", "cidr", NULL };
#define NKEYS	((int)(sizeof(keys) / sizeof(keys[0])))

/* conf_defaults - every key at its documented default */
void
conf_defaults(struct ff_conf *c)
{
	memset(c, 0, sizeof(*c));
	score_conf_defaults(&c->score);
	snprintf(c->state_db, sizeof(c->state_db),
	    "/var/lib/fivefifty/fivefifty.db");
	snprintf(c->state_directory, sizeof(c->state_directory),
	    "/var/lib/fivefifty");
	c->outbox_limit = 256;
	snprintf(c->mail_log[0], sizeof(c->mail_log[0]), "/var/log/mail.log");
	c->nmail_log = 1;
	c->log_source = LOG_SOURCE_AUTO;
	snprintf(c->user, sizeof(c->user), "fivefifty");
	snprintf(c->control_socket, sizeof(c->control_socket),
	    "/run/fivefifty/control.sock");
	snprintf(c->control_group, sizeof(c->control_group), "adm");
	c->manual_ban_time = 86400;
	snprintf(c->sendmail_path, sizeof(c->sendmail_path),
	    "/usr/sbin/sendmail");
	fw_conf_defaults(&c->fw);
	c->ban_rate_limit = 1000;
	c->protect_mynetworks = 1;
	c->metrics_interval = 15;
}

/* nft_name - an nftables name: letters, digits, _ - . (or empty) */
static int
nft_name(const char *v)
{
	size_t		i, n = strlen(v);

	if (n >= FW_NAME_MAX)
		return (0);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_' &&
		    v[i] != '-' && v[i] != '.')
			return (0);
	return (1);
}

/* map_spec - "TYPE:/path" with a type Postfix can build, or empty */
static int
map_spec(const char *v)
{
	const char	*colon = strchr(v, ':');
	int		 i;

	if (*v == '\0')
		return (1);
	if (colon == NULL || colon[1] != '/' || strlen(v) >= 1024)
		return (0);
	for (i = 0; map_types[i] != NULL; i++)
		if (strlen(map_types[i]) == (size_t)(colon - v) &&
		    strncmp(v, map_types[i], (size_t)(colon - v)) == 0)
			return (1);
	return (0);
}

/* reply_text - printable ASCII, at most 200 bytes */
static int
reply_text(const char *v)
{
	size_t		i, n = strlen(v);

	if (n > 200)
		return (0);
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return (0);
	return (1);
}

/* number - a decimal number: [+-]digits[.digits][e[+-]digits], with no
 * leading zero before another digit (not 0x10, not 010, nothing after the
 * number); 0, or -1 */
static int
number(const char *v, double *out)
{
	const char	*p = v;
	int		 digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	if (p[0] == '0' && isdigit((unsigned char)p[1]))
		return (-1);
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (digits == 0)
		return (-1);
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return (-1);
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0')
		return (-1);
	errno = 0;
	*out = strtod(v, NULL);
	return (errno != 0 || !isfinite(*out) ? -1 : 0);
}

/* conf_duration - "90", "90s", "15m", "1h", "7d", "2w" in seconds (to the
 * microsecond), or -1 */
int
conf_duration(const char *v, double *out)
{
	char		 buf[64];
	size_t		 n = strlen(v);
	double		 mul = 1;

	if (n == 0 || n >= sizeof(buf))
		return (-1);
	memcpy(buf, v, n + 1);
	switch (buf[n - 1]) {
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 7 * 86400; break;
	default: n++; break;
	}
	buf[n - 1] = '\0';
	if (number(buf, out) == -1)
		return (-1);
	/* In whole microseconds: 1.1d is 95040 s exactly, not a hair
	 * more, so that conf_print() writes back what reads the same. */
	*out = round(*out * mul * 1e6) / 1e6;
	return (isfinite(*out) ? 0 : -1);
}

/* dur_text - seconds in the largest unit that divides them exactly */
static const char *
dur_text(double secs, char *buf, size_t len)
{
	static const struct {
		double	 size;
		char	 unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' } };
	size_t		 i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (secs >= units[i].size && secs == floor(secs) &&
		    fmod(secs, units[i].size) == 0) {
			snprintf(buf, len, "%.15g%c", secs / units[i].size,
			    units[i].unit);
			return (buf);
		}
	snprintf(buf, len, "%.15gs", secs);
	return (buf);
}

/* name_ok - a plausible user or group name: [a-z_][a-z0-9_-]*, at most
 * NAME_MAX_LEN bytes */
static int
name_ok(const char *v)
{
	size_t		i, n = strlen(v);

	if (n == 0 || n > NAME_MAX_LEN || !(islower((unsigned char)v[0]) ||
	    v[0] == '_'))
		return (0);
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)v[i]) &&
		    !isdigit((unsigned char)v[i]) && v[i] != '_' &&
		    v[i] != '-')
			return (0);
	return (1);
}

/* set_paths - mail_log: one to CONF_MAX_LOGS absolute paths, each once;
 * NULL or what was expected */
static const char *
set_paths(struct ff_conf *c, char *v)
{
	const char	*paths[CONF_MAX_LOGS];
	char		*tok, *save = NULL;
	int		 n = 0, i;

	for (tok = strtok_r(v, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (n == CONF_MAX_LOGS)
			return ("at most 16 paths");
		if (tok[0] != '/' || strlen(tok) >= sizeof(c->mail_log[0]))
			return ("absolute paths, separated by commas or "
			    "spaces");
		for (i = 0; i < n; i++)
			if (strcmp(paths[i], tok) == 0)
				return ("each path once");
		paths[n++] = tok;
	}
	if (n == 0)
		return ("at least one absolute path");
	for (i = 0; i < n; i++)
		snprintf(c->mail_log[i], sizeof(c->mail_log[i]), "%s",
		    paths[i]);
	c->nmail_log = n;
	return (NULL);
}

/* expected - why as what was expected; -1 (0 when bad is NULL) */
static int
expected(const char *bad, char *why, size_t whylen)
{
	if (bad == NULL)
		return (0);
	snprintf(why, whylen, "%s", bad);
	return (-1);
}

/* set_number - a number, whole number, prefix length or duration in
 * the key's range */
static int
set_number(const struct key *k, char *p, const char *v, char *why,
    size_t whylen)
{
	char		 lo[32], hi[32];
	double		 d;

	if (k->type == K_DURATION) {
		if (conf_duration(v, &d) == -1 || d < k->min || d > k->max) {
			snprintf(why, whylen, "a duration from %s to %s, such "
			    "as 90s, 15m, 1h, 7d or 2w", dur_text(k->min, lo,
			    sizeof(lo)), dur_text(k->max, hi, sizeof(hi)));
			return (-1);
		}
		*(double *)(void *)p = d;
		return (0);
	}
	if (number(v, &d) == -1 || d < k->min || d > k->max ||
	    (k->type != K_NUM && d != floor(d))) {
		snprintf(why, whylen, "%s from %.15g to %.15g",
		    k->type == K_NUM ? "a number" : "a whole number",
		    k->min, k->max);
		return (-1);
	}
	if (k->type == K_NUM)
		*(double *)(void *)p = d;
	else if (k->off == offsetof(struct ff_conf, score.max_clients))
		*(size_t *)(void *)p = (size_t)d;
	else if (k->off == offsetof(struct ff_conf, score.memory_limit))
		*(size_t *)(void *)p = (size_t)d << 20;
	else
		*(int *)(void *)p = (int)d;
	return (0);
}

/* set_path - a path of a file, files, a directory or a socket */
static int
set_path(struct ff_conf *c, const struct key *k, char *p, char *v,
    char *why, size_t whylen)
{
	const char	*bad = NULL;

	switch (k->type) {
	case K_PATH:
		/* state_db may be a libpq connection URI (PostgreSQL). */
		if (strcmp(k->name, "state_db") == 0 && strlen(v) < 1024 &&
		    state_is_uri(v))
			snprintf(p, 1024, "%s", v);
		else if (k->off == F(metrics_file) && v[0] == '\0')
			p[0] = '\0';	/* no metrics written */
		else if (k->off == F(metrics_file) && (v[0] != '/' ||
		    strlen(v) >= 1024 || v[strlen(v) - 1] == '/'))
			bad = "an absolute path of a file, or nothing";
		else if (v[0] != '/' || strlen(v) >= 1024)
			bad = "an absolute path";
		else
			snprintf(p, 1024, "%s", v);
		break;
	case K_PATHS:
		bad = set_paths(c, v);
		break;
	case K_DIR:
		if ((v[0] != '/' && v[0] != '\0') || strlen(v) >= 1024)
			bad = "an absolute path of a directory, or nothing";
		else
			snprintf(p, 1024, "%s", v);
		break;
	default:	/* K_SOCKET */
		if (v[0] != '/' || v[strlen(v) - 1] == '/' || strlen(v) >=
		    sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
			snprintf(why, whylen, "an absolute path of a socket, "
			    "at most %zu bytes", sizeof(((struct sockaddr_un *)
			    NULL)->sun_path) - 1);
			return (-1);
		}
		snprintf(p, sizeof(c->control_socket), "%s", v);
		break;
	}
	return (expected(bad, why, whylen));
}

/* set_word - a word from a list, a journal match, a user or group, a
 * host name, yes or no */
static int
set_word(struct ff_conf *c, const struct key *k, char *p, const char *v,
    char *why, size_t whylen)
{
	const char	*bad = NULL;

	switch (k->type) {
	case K_LOGSRC:
		if (strcmp(v, "auto") == 0)
			c->log_source = LOG_SOURCE_AUTO;
		else if (strcmp(v, "file") == 0)
			c->log_source = LOG_SOURCE_FILE;
		else if (strcmp(v, "journal") == 0)
			c->log_source = LOG_SOURCE_JOURNAL;
		else
			bad = "auto, file or journal";
		break;
	case K_JMATCH:
		if (journal_match_check(v, why, whylen) == -1)
			bad = "journal matches as journalctl takes them: "
			    "FIELD=value terms (FIELD in upper-case letters, "
			    "digits and _), \"+\" between alternatives, such "
			    "as \"SYSLOG_FACILITY=2 + _SYSTEMD_UNIT=postfix."
			    "service\" (or nothing: every Postfix instance)";
		else
			snprintf(p, sizeof(c->journal_match), "%s", v);
		break;
	case K_USER:
	case K_GROUP:
		if (*v != '\0' && !name_ok(v)) {
			snprintf(why, whylen, "a %s name: a lower-case letter "
			    "or _, then lower-case letters, digits, _ or -, at "
			    "most %d in all (or nothing: %s)", k->type ==
			    K_USER ? "user" : "group", NAME_MAX_LEN, k->type ==
			    K_USER ? "stay root" : "root only");
			return (-1);
		}
		snprintf(p, sizeof(c->user), "%s", v);
		break;
	case K_NODE:
		/* "": the host name, checked when the state is opened. */
		if (*v != '\0' && state_node_check(v, why, whylen) == -1)
			return (-1);
		snprintf(p, sizeof(c->node_name), "%s", v);
		break;
	case K_HOST:
		if (strlen(v) >= sizeof(c->score.myhostname))
			bad = "a host name";
		else
			snprintf(p, sizeof(c->score.myhostname), "%s", v);
		break;
	default:	/* K_BOOL */
		if (strcmp(v, "yes") == 0)
			*(int *)(void *)p = 1;
		else if (strcmp(v, "no") == 0)
			*(int *)(void *)p = 0;
		else
			bad = "yes or no";
		break;
	}
	return (expected(bad, why, whylen));
}

/* set_net - an address or network, a list of them, or of host names
 * (the list is cut up in place) */
static int
set_net(struct ff_conf *c, const struct key *k, char *p, char *v,
    char *why, size_t whylen)
{
	const char	*bad = NULL;
	char		*tok, *save = NULL;
	int		 n;

	switch (k->type) {
	case K_NET:
		if (net_parse(v, (struct net_prefix *)(void *)p) == -1)
			bad = "an address or network such as 127.0.0.0/8";
		break;
	case K_NETS:
		c->score.nwhitelist = 0;
		for (tok = strtok_r(v, ", \t", &save); tok != NULL &&
		    bad == NULL; tok = strtok_r(NULL, ", \t", &save)) {
			if (c->score.nwhitelist == SCORE_MAX_NETS)
				bad = "at most 64 networks";
			else if (net_parse(tok, &c->score.whitelist[
			    c->score.nwhitelist++]) == -1)
				bad = "addresses or networks such as "
				    "192.0.2.0/24, 2001:db8::/32";
		}
		break;
	default:	/* K_NAMES */
		for (n = 0; n < c->score.nwhitelist_names; n++)
			free(c->score.whitelist_names[n]);
		c->score.nwhitelist_names = 0;
		for (tok = strtok_r(v, ", \t", &save); tok != NULL &&
		    bad == NULL; tok = strtok_r(NULL, ", \t", &save)) {
			if (c->score.nwhitelist_names == SCORE_MAX_SUFFIX)
				bad = "at most 64 names";
			else if ((c->score.whitelist_names[
			    c->score.nwhitelist_names] = strdup(tok)) == NULL)
				bad = "memory for the names";
			else
				c->score.nwhitelist_names++;
		}
		break;
	}
	return (expected(bad, why, whylen));
}

/* set_fw - the firewall's mode, table, action, names and ports, the map
 * and its reply text */
static int
set_fw(struct ff_conf *c, const struct key *k, char *p, const char *v,
    char *why, size_t whylen)
{
	const char	*bad = NULL;

	switch (k->type) {
	case K_FWMODE:
		if (strcmp(v, "table") == 0)
			c->fw.mode = FW_TABLE;
		else if (strcmp(v, "sets") == 0)
			c->fw.mode = FW_SETS;
		else if (strcmp(v, "off") == 0)
			c->fw.mode = FW_OFF;
		else
			bad = "table, sets or off";
		break;
	case K_FWTABLE:
		if (fw_conf_table(&c->fw, v) == -1)
			bad = "a family (inet, ip or ip6) and a table name, "
			    "such as \"inet fivefifty\"";
		break;
	case K_NFTNAME:
		if (!nft_name(v) || (*v == '\0' && k->off == offsetof(struct
		    ff_conf, fw.chain)))
			bad = "an nftables name (letters, digits, _ - .)";
		else
			snprintf(p, FW_NAME_MAX, "%s", v);
		break;
	case K_FWACTION:
		if (strcmp(v, "drop") == 0)
			c->fw.action = FW_DROP;
		else if (strcmp(v, "reject") == 0)
			c->fw.action = FW_REJECT;
		else
			bad = "drop or reject (reject: a TCP reset)";
		break;
	case K_PORTS:
		if (fw_conf_ports(&c->fw, v) == -1)
			bad = "TCP ports such as 25, 465, 587 (at most 16), "
			    "or all";
		break;
	case K_MAP:
		if (!map_spec(v))
			bad = "TYPE:/absolute/path with TYPE one of hash, "
			    "lmdb, cdb, btree, texthash, cidr (or nothing: no "
			    "map)";
		else
			snprintf(p, 1024, "%s", v);
		break;
	default:	/* K_TEXT */
		if (!reply_text(v))
			bad = "printable ASCII text, at most 200 bytes";
		else
			snprintf(p, sizeof(c->fw.map_text), "%s", v);
		break;
	}
	return (expected(bad, why, whylen));
}

/* set - one key's value; 0, or -1 with what was expected in why */
static int
set(struct ff_conf *c, const struct key *k, char *v, char *why,
    size_t whylen)
{
	char	*p = (char *)c + k->off;

	switch (k->type) {
	case K_NUM:
	case K_INT:
	case K_PREFIX4:
	case K_PREFIX6:
	case K_DURATION:
		return (set_number(k, p, v, why, whylen));
	case K_PATH:
	case K_PATHS:
	case K_DIR:
	case K_SOCKET:
		return (set_path(c, k, p, v, why, whylen));
	case K_LOGSRC:
	case K_JMATCH:
	case K_USER:
	case K_GROUP:
	case K_HOST:
	case K_NODE:
	case K_BOOL:
		return (set_word(c, k, p, v, why, whylen));
	case K_NET:
	case K_NETS:
	case K_NAMES:
		return (set_net(c, k, p, v, why, whylen));
	case K_FWMODE:
	case K_FWTABLE:
	case K_FWACTION:
	case K_NFTNAME:
	case K_PORTS:
	case K_MAP:
	case K_TEXT:
		return (set_fw(c, k, p, v, why, whylen));
	}
	return (0);
}

/* next_line - the next line of the buffer, without its newline, into
 * line; 1, 0 at the end, or -1 with the error in err */
static int
next_line(const char *name, const char **pp, const char *end, int lineno,
    char *line, size_t linelen, char *err, size_t errlen)
{
	const char	*p = *pp, *nl, *q;
	size_t		 n;

	if (p >= end)
		return (0);
	nl = memchr(p, '\n', (size_t)(end - p));
	n = (size_t)((nl != NULL ? nl : end) - p);
	*pp = nl != NULL ? nl + 1 : end;
	if (memchr(p, '\0', n) != NULL) {
		snprintf(err, errlen, "%s:%d: a NUL byte in the line: the "
		    "configuration must be text (remove it)", name, lineno);
		return (-1);
	}
	for (q = p; q < p + n; q++) {
		unsigned char ch = (unsigned char)*q;

		/* Text only: a tab, and a CR that ends the line (CRLF). */
		if ((ch < 0x20 && ch != '\t' && !(ch == '\r' &&
		    q == p + n - 1)) || ch == 0x7f) {
			snprintf(err, errlen, "%s:%d: a control character "
			    "(0x%02x) in the line: the configuration must be "
			    "text (remove it)", name, lineno, ch);
			return (-1);
		}
	}
	if (n > 0 && p[n - 1] == '\r')
		n--;			/* CRLF: the CR is the line's end */
	if (n >= linelen) {
		snprintf(err, errlen, "%s:%d: a line longer than %zu bytes: "
		    "split the value over continuation lines", name, lineno,
		    linelen - 1);
		return (-1);
	}
	memcpy(line, p, n);
	line[n] = '\0';
	return (1);
}

/* setting - one logical line, "key = value", over c (seen: the keys
 * set so far); 0, or -1 with the error in err */
static int
setting(const char *name, int start, char *logical, struct ff_conf *c,
    unsigned char *seen, char *err, size_t errlen)
{
	char	*eq, *key, *val, *e, why[256], shown[65];
	int	 i;

	if ((eq = strchr(logical, '=')) == NULL) {
		snprintf(err, errlen, "%s:%d: expected \"key = value\"", name,
		    start);
		return (-1);
	}
	*eq = '\0';
	key = logical;
	while (isspace((unsigned char)*key))
		key++;
	for (e = eq; e > key && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	val = eq + 1;
	while (isspace((unsigned char)*val))
		val++;
	for (e = val + strlen(val); e > val && isspace((unsigned char)e[-1]);
	    e--)
		e[-1] = '\0';
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, key) == 0)
			break;
	if (i == NKEYS) {
		snprintf(err, errlen, "%s:%d: unknown key \"%.64s\"", name,
		    start, key);
		return (-1);
	}
	if (seen[i]++) {
		snprintf(err, errlen, "%s:%d: %s is set twice", name, start,
		    key);
		return (-1);
	}
	/* set() cuts lists up in place: the value as given, for the
	 * message. */
	snprintf(shown, sizeof(shown), "%s", val);
	if (set(c, &keys[i], val, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s:%d: %s = \"%s\": expected %s", name,
		    start, key, shown, why);
		return (-1);
	}
	return (0);
}

/* conf_load_buf - read the text buf (len bytes, named name in errors) over
 * the current values */
int
conf_load_buf(const char *name, const char *buf, size_t len,
    struct ff_conf *c, char *err, size_t errlen)
{
	char		 line[4096], logical[16384], *e;
	unsigned char	 seen[NKEYS];
	const char	*p = buf, *end = buf + len;
	int		 lineno = 0, start = 0, r = 0, more;
	size_t		 n = 0, add;

	/* A UTF-8 byte order mark, as some editors write, is not text. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	memset(seen, 0, sizeof(seen));
	logical[0] = '\0';
	for (;;) {
		if ((more = next_line(name, &p, end, lineno + 1, line,
		    sizeof(line), err, errlen)) == -1) {
			r = -1;
			break;
		}
		if (more) {
			lineno++;
			if ((e = strchr(line, '#')) != NULL)
				*e = '\0';
			/* A line that starts with whitespace continues. */
			if ((line[0] == ' ' || line[0] == '\t') && n > 0) {
				add = strlen(line) + 1;
				if (n + add >= sizeof(logical)) {
					snprintf(err, errlen, "%s:%d: the "
					    "setting that starts here is longer "
					    "than %zu bytes", name, start,
					    sizeof(logical) - 1);
					r = -1;
					break;
				}
				logical[n++] = ' ';
				memcpy(logical + n, line, add);
				n += add - 1;
				continue;
			}
		}
		if (n > 0) {
			/* The logical line that began at start. */
			if (setting(name, start, logical, c, seen, err,
			    errlen) == -1) {
				r = -1;
				break;
			}
			n = 0;
			logical[0] = '\0';
		}
		if (!more)
			break;
		for (e = line; isspace((unsigned char)*e); e++)
			continue;
		if (*e != '\0') {
			n = strlen(line);
			memcpy(logical, line, n + 1);
			start = lineno;
		}
	}
	return (r);
}

/* file_kind - what a file that is not a regular one is, for errors */
static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return ("a directory");
	if (S_ISFIFO(m))
		return ("a FIFO");
	if (S_ISCHR(m))
		return ("a character device");
	if (S_ISBLK(m))
		return ("a block device");
	if (S_ISSOCK(m))
		return ("a socket");
	return ("a special file");
}

/* conf_load - read the regular file path over the current values */
int
conf_load(const char *path, struct ff_conf *c, char *err, size_t errlen)
{
	struct stat	 sb;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 got;
	int		 fd, r;

	/* Non-blocking: opening a FIFO must not wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: is %s, not a regular file: give the "
		    "path of the configuration file", path,
		    file_kind(sb.st_mode));
		close(fd);
		return (-1);
	}
	if (sb.st_size > CONF_SIZE_MAX) {
		snprintf(err, errlen, "%s: %lld bytes, more than the %d a "
		    "configuration may have", path, (long long)sb.st_size,
		    CONF_SIZE_MAX);
		close(fd);
		return (-1);
	}
	if ((buf = malloc(CONF_SIZE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	/* It may grow while it is read: no more than the cap, still. */
	while (len <= CONF_SIZE_MAX && (got = read(fd, buf + len,
	    CONF_SIZE_MAX + 1 - len)) != 0) {
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return (-1);
		}
		len += (size_t)got;
	}
	close(fd);
	if (len > CONF_SIZE_MAX) {
		snprintf(err, errlen, "%s: more than the %d bytes a "
		    "configuration may have", path, CONF_SIZE_MAX);
		free(buf);
		return (-1);
	}
	r = conf_load_buf(path, buf, len, c, err, errlen);
	free(buf);
	return (r);
}

/* value - one key's value, without a newline */
static void
value(FILE *fp, const struct ff_conf *c, const struct key *k)
{
	const struct net_prefix *n;
	const char	*p = (const char *)c + k->off;
	char		 text[64];
	int		 j;

	switch (k->type) {
	case K_NUM:
		fprintf(fp, "%.15g", *(const double *)(const void *)p);
		break;
	case K_DURATION:
		fputs(dur_text(*(const double *)(const void *)p, text,
		    sizeof(text)), fp);
		break;
	case K_INT:
	case K_PREFIX4:
	case K_PREFIX6:
		if (k->off == offsetof(struct ff_conf, score.max_clients))
			fprintf(fp, "%zu", c->score.max_clients);
		else if (k->off == offsetof(struct ff_conf, score.memory_limit))
			fprintf(fp, "%zu", c->score.memory_limit >> 20);
		else
			fprintf(fp, "%d", *(const int *)(const void *)p);
		break;
	case K_PATHS:
		for (j = 0; j < c->nmail_log; j++)
			fprintf(fp, "%s%s", j ? ", " : "", c->mail_log[j]);
		break;
	case K_PATH:
	case K_DIR:
	case K_JMATCH:
	case K_SOCKET:
	case K_USER:
	case K_GROUP:
	case K_HOST:
	case K_NODE:
	case K_NFTNAME:
	case K_MAP:
	case K_TEXT:
		fputs(p, fp);
		break;
	case K_LOGSRC:
		fputs(c->log_source == LOG_SOURCE_FILE ? "file" :
		    c->log_source == LOG_SOURCE_JOURNAL ? "journal" : "auto",
		    fp);
		break;
	case K_FWMODE:
		fputs(c->fw.mode == FW_TABLE ? "table" : c->fw.mode ==
		    FW_SETS ? "sets" : "off", fp);
		break;
	case K_FWTABLE:
		fprintf(fp, "%s %s", c->fw.family, c->fw.table);
		break;
	case K_FWACTION:
		fputs(c->fw.action == FW_REJECT ? "reject" : "drop", fp);
		break;
	case K_PORTS:
		if (c->fw.nports == 0)
			fputs("all", fp);
		for (j = 0; j < c->fw.nports; j++)
			fprintf(fp, "%s%d", j ? ", " : "", c->fw.ports[j]);
		break;
	case K_BOOL:
		fputs(*(const int *)(const void *)p ? "yes" : "no", fp);
		break;
	case K_NET:
	case K_NETS:
		for (j = 0; j < (k->type == K_NET ? 1 : c->score.nwhitelist);
		    j++) {
			n = k->type == K_NET ? &c->score.loopback4 :
			    &c->score.whitelist[j];
			net_text(n, text, sizeof(text));
			fprintf(fp, "%s%s", j ? ", " : "", text);
		}
		break;
	case K_NAMES:
		for (j = 0; j < c->score.nwhitelist_names; j++)
			fprintf(fp, "%s%s", j ? ", " : "",
			    c->score.whitelist_names[j]);
		break;
	}
}

/* conf_print - every key and its value ("key =" alone when empty) */
void
conf_print(FILE *fp, const struct ff_conf *c)
{
	char		*buf;
	size_t		 len;
	FILE		*m;
	int		 i;

	for (i = 0; i < NKEYS; i++) {
		buf = NULL;
		len = 0;
		if ((m = open_memstream(&buf, &len)) == NULL) {
			fprintf(fp, "%s = ", keys[i].name);	/* no memory */
			value(fp, c, &keys[i]);
			fputc('\n', fp);
			continue;
		}
		value(m, c, &keys[i]);
		fclose(m);
		fprintf(fp, "%s =%s%s\n", keys[i].name, len > 0 ? " " : "",
		    buf != NULL ? buf : "");
		free(buf);
	}
}

/* conf_free - release the name lists */
void
conf_free(struct ff_conf *c)
{
	int		i;

	for (i = 0; i < c->score.nwhitelist_names; i++)
		free(c->score.whitelist_names[i]);
	c->score.nwhitelist_names = 0;
}

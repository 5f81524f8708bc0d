/*	$fivefifty: mynetworks.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	mynetworks 3 - Postfix's own networks, never banned
 * SYNOPSIS
 *	int	cmd_mynetworks(struct ff_conf *c);
 *	int	mynetworks_parse(const char *text, struct ff_conf *c,
 *		    int depth);
 * DESCRIPTION
 *	The clients in Postfix's mynetworks are the site's own: Postfix
 *	relays for them, and banning one stops the site's own mail. So,
 *	with protect_mynetworks = yes (the default), cmd_conf() asks
 *	Postfix for the value it uses, defaults included:
 *	    postconf -c postfix_config_directory -h mynetworks
 *	(postconf next to postmap_command, a fixed argument list, no shell)
 *	and puts every network into c->mynetworks, which wire_protect()
 *	adds to what is never banned, like the whitelist.
 *
 *	mynetworks_parse() reads Postfix's syntax: networks and addresses
 *	separated by commas or white space, IPv6 in brackets
 *	([2001:db8::]/64), /file/name (its patterns, one level deep), and
 *	!pattern (an exclusion: ignored, so the whole network stays
 *	protected, the safe side). A type:table cannot be listed: it is
 *	named in the note, with what to do.
 *
 *	cmd_mynetworks() returns 0, also when there is nothing to read
 *	(protect_mynetworks = no, no main.cf in the directory: no Postfix
 *	configured here), and -1 with c->mynetworks_failed set when postconf
 *	failed or a pattern could not be used; c->mynetworks_note says what
 *	was read, or what failed and what to do (naming the directory), for
 *	the warning cmd_conf() prints, check and status. The command goes
 *	on: loopback, the whitelist and this host's addresses are still
 *	protected.
 * SECURITY
 *	The directory and postconf come from the administrator's
 *	configuration; nothing from a log line is involved. postconf's
 *	output is capped (64 KiB) and read within 10 seconds.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "conf/conf.h"
#include "net/net.h"

#define OUT_MAX		65536
#define WAIT_MS		10000

extern char **environ;

/* note - append "; what why" to the note, keeping it a string */
static void
note(struct ff_conf *c, const char *what, const char *why)
{
	size_t	n = strlen(c->mynetworks_note);

	if (n + 2 < sizeof(c->mynetworks_note))
		snprintf(c->mynetworks_note + n, sizeof(c->mynetworks_note) -
		    n, "; %.200s %s", what, why);
}

/* add - one network of mynetworks; -1 if it is not one */
static int
add(struct ff_conf *c, const char *tok)
{
	char		 buf[128], *close;
	size_t		 len = strlen(tok);

	if (len >= sizeof(buf))
		return (-1);
	if (tok[0] == '[') {		/* [2001:db8::]/64 or [::1] */
		if ((close = strchr(tok, ']')) == NULL)
			return (-1);
		snprintf(buf, sizeof(buf), "%.*s%.8s", (int)(close - tok - 1),
		    tok + 1, close + 1);
	} else
		snprintf(buf, sizeof(buf), "%.127s", tok);
	if (c->nmynetworks == NET_LIST_MAX) {
		note(c, tok, "and the rest ignored: more than 64 networks "
		    "(put them in whitelist)");
		return (0);
	}
	if (net_parse(buf, &c->mynetworks[c->nmynetworks]) == -1)
		return (-1);
	c->nmynetworks++;
	return (0);
}

/* read_patterns - a /file/name of patterns, into text (NULL: unreadable) */
static char *
read_patterns(const char *path)
{
	FILE		*f;
	char		*text;
	size_t		 n;

	if ((f = fopen(path, "re")) == NULL)
		return (NULL);
	if ((text = malloc(OUT_MAX + 1)) == NULL) {
		fclose(f);
		return (NULL);
	}
	n = fread(text, 1, OUT_MAX, f);
	text[n] = '\0';
	fclose(f);
	return (text);
}

/* mynetworks_parse - Postfix's mynetworks syntax into c->mynetworks;
 * the number of patterns not understood */
int
mynetworks_parse(const char *text, struct ff_conf *c, int depth)
{
	const char	*p = text, *end;
	char		 tok[256], *file;
	size_t		 len;
	int		 bad = 0;

	for (;;) {
		while (*p != '\0' && strchr(", \t\r\n", *p) != NULL)
			p++;
		if (*p == '\0')
			break;
		if (*p == '#' && depth > 0) {	/* a file's comment */
			while (*p != '\0' && *p != '\n')
				p++;
			continue;
		}
		for (end = p; *end != '\0' && strchr(", \t\r\n", *end) ==
		    NULL; end++)
			continue;
		len = (size_t)(end - p);
		snprintf(tok, sizeof(tok), "%.*s", len < sizeof(tok) ?
		    (int)len : (int)sizeof(tok) - 1, p);
		p = end;
		if (tok[0] == '!')
			continue;	/* an exclusion: protect it all */
		if (tok[0] == '/') {
			if (depth > 0 || (file = read_patterns(tok)) == NULL) {
				note(c, tok, "not read");
				bad++;
				continue;
			}
			bad += mynetworks_parse(file, c, depth + 1);
			free(file);
			continue;
		}
		if (tok[0] != '[' && strchr(tok, ':') != NULL) {
			note(c, tok, "is a table fivefifty cannot list (put "
			    "its networks in whitelist)");
			bad++;
			continue;
		}
		if (add(c, tok) == -1) {
			note(c, tok, "not understood");
			bad++;
		}
	}
	return (bad);
}

/* postconf_path - postconf in postmap_command's directory */
static void
postconf_path(const struct ff_conf *c, char *buf, size_t len)
{
	const char	*slash = strrchr(c->fw.postmap, '/');

	if (slash == NULL)
		snprintf(buf, len, "/usr/sbin/postconf");
	else
		snprintf(buf, len, "%.*spostconf", (int)(slash -
		    c->fw.postmap + 1), c->fw.postmap);
}

/* run_postconf - postconf -c DIR -h mynetworks: its output into out (a
 * string), or -1 and why (with its first line on stderr) */
static int
run_postconf(const char *postconf, const char *dir, char *out, size_t outlen,
    char *why, size_t whylen)
{
	char		*argv[] = { (char *)postconf, "-c", (char *)dir, "-h",
	    "mynetworks", NULL };
	posix_spawn_file_actions_t fa;
	struct pollfd	 pfd[2];
	char		 err[512], *buf[2] = { out, err };
	size_t		 n[2] = { 0, 0 }, cap[2] = { outlen - 1,
	    sizeof(err) - 1 };
	ssize_t		 r;
	pid_t		 pid;
	int		 o[2], e[2], st, waited = 0, rc, i, open_fds = 2;

	if (pipe2(o, O_CLOEXEC) == -1 || pipe2(e, O_CLOEXEC) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return (-1);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, o[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&pid, postconf, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(o[1]);
	close(e[1]);
	if (rc != 0) {
		close(o[0]);
		close(e[0]);
		snprintf(why, whylen, "%.1100s: %s", postconf, strerror(rc));
		return (-1);
	}
	pfd[0].fd = o[0];
	pfd[1].fd = e[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (open_fds > 0 && waited < WAIT_MS) {
		if ((rc = poll(pfd, 2, 100)) == 0) {
			waited += 100;
			continue;
		}
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			char	 sink[512];
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			/* Beyond the cap, read and drop: postconf must not
			 * block on a full pipe. */
			if (n[i] < cap[i])
				r = read(pfd[i].fd, buf[i] + n[i], cap[i] -
				    n[i]);
			else
				r = read(pfd[i].fd, sink, sizeof(sink));
			if (r > 0 && n[i] < cap[i])
				n[i] += (size_t)r;
			else if (r == 0 || (r == -1 && errno != EINTR)) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	out[n[0]] = '\0';
	err[n[1]] = '\0';
	for (i = 0; i < 2; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	if (waited >= WAIT_MS)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	if (waited >= WAIT_MS) {
		snprintf(why, whylen, "%.1100s did not answer in %d s",
		    postconf, WAIT_MS / 1000);
		return (-1);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		/* postconf's own words: its last line is the fatal one. */
		while (n[1] > 0 && err[n[1] - 1] == '\n')
			err[--n[1]] = '\0';
		snprintf(why, whylen, "%.500s -c %.500s failed: %.300s",
		    postconf, dir, strrchr(err, '\n') != NULL ?
		    strrchr(err, '\n') + 1 : err[0] != '\0' ? err :
		    "(no message)");
		return (-1);
	}
	return (0);
}

/* cmd_mynetworks - Postfix's mynetworks into c->mynetworks */
int
cmd_mynetworks(struct ff_conf *c)
{
	char		 postconf[1100], maincf[1100], why[1600], *out;
	struct stat	 sb;
	int		 bad;

	c->nmynetworks = 0;
	c->mynetworks_note[0] = '\0';
	if (!c->protect_mynetworks) {
		snprintf(c->mynetworks_note, sizeof(c->mynetworks_note),
		    "not read (protect_mynetworks = no)");
		return (0);
	}
	snprintf(maincf, sizeof(maincf), "%s/main.cf", c->fw.postfix_dir);
	if (c->fw.postfix_dir[0] == '\0' || stat(maincf, &sb) == -1) {
		snprintf(c->mynetworks_note, sizeof(c->mynetworks_note),
		    "not read: %.900s: no Postfix configured there "
		    "(postfix_config_directory)", c->fw.postfix_dir[0] ==
		    '\0' ? "(empty)" : maincf);
		return (0);
	}
	postconf_path(c, postconf, sizeof(postconf));
	if ((out = malloc(OUT_MAX)) == NULL)
		return (-1);
	if (run_postconf(postconf, c->fw.postfix_dir, out, OUT_MAX, why,
	    sizeof(why)) == -1) {
		snprintf(c->mynetworks_note, sizeof(c->mynetworks_note),
		    "not read: %.800s; only loopback, the whitelist and this "
		    "host's addresses are protected (fix it, or set "
		    "protect_mynetworks = no)", why);
		c->mynetworks_failed = 1;
		free(out);
		return (-1);
	}
	out[strcspn(out, "\n")] = '\0';
	bad = mynetworks_parse(out, c, 0);	/* its trouble in the note */
	snprintf(why, sizeof(why), "%s", c->mynetworks_note);
	snprintf(c->mynetworks_note, sizeof(c->mynetworks_note),
	    "%d networks (postconf -c %.200s: %.300s)%.400s", c->nmynetworks,
	    c->fw.postfix_dir, out[0] != '\0' ? out : "empty", why);
	free(out);
	if (bad > 0) {
		c->mynetworks_failed = 1;
		return (-1);
	}
	return (0);
}

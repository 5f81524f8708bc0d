/*	$fivefifty: control.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	control 3 - the control socket: the daemon's side and the client's
 * SYNOPSIS
 *	int	ctl_open(struct daemon *d, char *err, size_t len);
 *	void	ctl_accept(struct daemon *d);
 *	void	ctl_read(struct daemon *d, int i);
 *	void	ctl_close(struct daemon *d);
 *	int	ctl_call(const char *sock, const char *request, char **reply,
 *		    char *err, size_t errlen);
 * DESCRIPTION
 *	A SOCK_STREAM unix socket at control_socket. Every change goes
 *	through it to the one loop that writes the state, so a ban or unban
 *	is ordered with the log's own events. A client sends one request
 *	line (at most CTL_LINE_MAX bytes) and gets the reply, ending with
 *	"ok" or "error: TEXT"; then the daemon closes the connection.
 *	Sockets are non-blocking on the daemon's side: a client that sends
 *	half a line is kept (up to CTL_CLIENTS of them), one that sends too
 *	much or is not allowed is answered with an error and closed.
 * SECURITY
 *	Allowed: root, the daemon's own user, members of control_group
 *	(primary group from SO_PEERCRED, supplementary ones from
 *	SO_PEERGROUPS). The reply is written with a short send timeout so
 *	that a client that does not read cannot stall the loop.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon_int.h"
#include "util/util.h"

/* sock_addr - the socket's address, or -1 when the path is too long */
static int
sock_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return (-1);
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return (0);
}

/* ctl_open - listen on control_socket (a stale socket file is replaced,
 * a live daemon's is not) */
int
ctl_open(struct daemon *d, char *err, size_t len)
{
	struct sockaddr_un sun;
	struct group	*gr;
	const char	*path = d->conf->control_socket;
	int		 fd, i;

	for (i = 0; i < CTL_CLIENTS; i++)
		d->clients[i].fd = -1;
	d->ctl_gid = (gid_t)-1;
	if (d->conf->control_group[0] != '\0') {
		if ((gr = getgrnam(d->conf->control_group)) == NULL)
			log_warnx("control_group %s does not exist: only root "
			    "may control fivefifty", d->conf->control_group);
		else
			d->ctl_gid = gr->gr_gid;
	}
	if (sock_addr(path, &sun) == -1) {
		snprintf(err, len, "control_socket %s: path too long", path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, len, "control socket: %s", strerror(errno));
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		snprintf(err, len, "%s: another fivefifty is running", path);
		close(fd);
		return (-1);
	}
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1 || listen(fd, 16) == -1) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	/* The group may connect; failing that only root and we can. */
	if (d->ctl_gid != (gid_t)-1 && chown(path, (uid_t)-1, d->ctl_gid) ==
	    -1)
		log_warn("chgrp %s %s", d->conf->control_group, path);
	d->ctl_fd = fd;
	return (0);
}

/* allowed - root, ourselves, or a member of control_group */
static int
allowed(const struct daemon *d, int fd)
{
	struct ucred	 cr;
	gid_t		 groups[256];
	socklen_t	 len = sizeof(cr);
	size_t		 i, n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return (0);
	if (cr.uid == 0 || cr.uid == geteuid())
		return (1);
	if (d->ctl_gid == (gid_t)-1)
		return (0);
	if (cr.gid == d->ctl_gid)
		return (1);
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) == -1)
		return (0);
	n = len / sizeof(groups[0]);
	for (i = 0; i < n; i++)
		if (groups[i] == d->ctl_gid)
			return (1);
	return (0);
}

/* reply - write text to a client, then close it */
static void
reply(struct daemon *d, int i, const char *text, size_t len)
{
	struct ctl_client *c = &d->clients[i];
	struct pollfd	 pfd;
	ssize_t		 n;

	/* Non-blocking: wait a little for room, never long. */
	while (len > 0) {
		n = send(c->fd, text, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			pfd.fd = c->fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 200) == 1)
				continue;
		}
		if (n <= 0)
			break;
		text += n;
		len -= (size_t)n;
	}
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

/* ctl_accept - take a new client */
void
ctl_accept(struct daemon *d)
{
	int		fd, i;

	while ((fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		for (i = 0; i < CTL_CLIENTS; i++)
			if (d->clients[i].fd == -1)
				break;
		if (i == CTL_CLIENTS) {
			(void)send(fd, "error: busy\n", 12, MSG_NOSIGNAL);
			close(fd);
			continue;
		}
		d->clients[i].fd = fd;
		d->clients[i].len = 0;
		d->clients[i].since_ms = now_ms();
		if (!allowed(d, fd)) {
			static const char no[] = "error: not allowed (root, "
			    "the daemon's user or control_group only)\n";
			reply(d, i, no, sizeof(no) - 1);
		}
	}
}

/* request - carry out one request line; its reply into out */
static void
request(struct daemon *d, char *line, FILE *out)
{
	char		*argv[4], *save = NULL, msg[256];
	long long	 secs;
	char		*end;
	int		 n;

	for (n = 0; n < 3; n++)
		if ((argv[n] = strtok_r(n == 0 ? line : NULL, " ", &save)) ==
		    NULL)
			break;
	argv[3] = save;			/* the rest: the reason */
	msg[0] = '\0';
	log_debug("control: %s", n >= 1 ? argv[0] : "(empty)");
	if (n >= 1 && strcmp(argv[0], "status") == 0) {
		daemon_status(d, out);
		fputs("ok\n", out);
	} else if (n == 3 && strcmp(argv[0], "ban") == 0) {
		secs = strtoll(argv[2], &end, 10);
		if (*end != '\0' || secs <= 0)
			fputs("error: bad duration\n", out);
		else if (daemon_ban(d, argv[1], secs, argv[3] != NULL ?
		    argv[3] : "", msg, sizeof(msg)) == 0)
			fprintf(out, "%s\nok\n", msg);
		else
			fprintf(out, "error: %s\n", msg);
	} else if (n == 2 && strcmp(argv[0], "unban") == 0) {
		if (daemon_unban(d, argv[1], msg, sizeof(msg)) == 0)
			fprintf(out, "%s\nok\n", msg);
		else
			fprintf(out, "error: %s\n", msg);
	} else
		fputs("error: unknown request (ban, unban, status)\n", out);
}

/* ctl_read - what a client sent; a whole line is answered */
void
ctl_read(struct daemon *d, int i)
{
	struct ctl_client *c = &d->clients[i];
	char		*nl, *text = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	FILE		*out;

	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	if ((nl = memchr(c->buf, '\n', c->len)) == NULL) {
		if (c->len == sizeof(c->buf) - 1) {
			static const char big[] = "error: request too long\n";
			reply(d, i, big, sizeof(big) - 1);
		}
		return;
	}
	*nl = '\0';
	if ((out = open_memstream(&text, &len)) == NULL)
		fatal("control");
	request(d, c->buf, out);
	fclose(out);
	reply(d, i, text, len);
	free(text);
}

/* ctl_expire - close clients that have not sent their line within
 * CTL_TIMEOUT_MS (a stuck or hostile client must not hold a slot) */
void
ctl_expire(struct daemon *d, long long ms)
{
	static const char slow[] = "error: too slow\n";
	int		 i;

	for (i = 0; i < CTL_CLIENTS; i++)
		if (d->clients[i].fd != -1 && ms - d->clients[i].since_ms >
		    CTL_TIMEOUT_MS)
			reply(d, i, slow, sizeof(slow) - 1);
}

/* ctl_close - the socket and its clients */
void
ctl_close(struct daemon *d)
{
	int		i;

	for (i = 0; i < CTL_CLIENTS; i++)
		if (d->clients[i].fd != -1) {
			close(d->clients[i].fd);
			d->clients[i].fd = -1;
		}
	if (d->ctl_fd != -1) {
		close(d->ctl_fd);
		(void)unlink(d->conf->control_socket);
		d->ctl_fd = -1;
	}
}

/* ctl_call - one request to the daemon; 0 ok, 1 its error, -1 no talk */
int
ctl_call(const char *path, const char *req, char **out, char *err,
    size_t errlen)
{
	struct sockaddr_un sun;
	struct timeval	 tv = { 10, 0 };
	char		*buf = NULL, *last;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 fd;

	*out = NULL;
	if (sock_addr(path, &sun) == -1) {
		snprintf(err, errlen, "%s: path too long", path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int	down = errno == ENOENT || errno == ECONNREFUSED;

		snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
		    down ? " (is fivefifty running? systemctl status "
		    "fivefifty)" : errno == EACCES ? " (root or control_group "
		    "only)" : "");
		if (fd != -1)
			close(fd);
		return (down ? -1 : -2);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) == -1 ||
	    send(fd, "\n", 1, MSG_NOSIGNAL) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return (-2);
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				fatal("control");
			buf = nb;
		}
		if ((n = recv(fd, buf + len, cap - len - 1, 0)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf == NULL || len == 0 || buf[len - 1] != '\n') {
		snprintf(err, errlen, "%s: no complete reply", path);
		free(buf);
		return (-2);
	}
	buf[len - 1] = '\0';
	last = strrchr(buf, '\n');
	last = last != NULL ? last + 1 : buf;
	if (strcmp(last, "ok") == 0) {
		*last = '\0';
		*out = buf;
		return (0);
	}
	snprintf(err, errlen, "%s", strncmp(last, "error: ", 7) == 0 ?
	    last + 7 : last);
	free(buf);
	return (1);
}

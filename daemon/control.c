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
 *	half a line is kept (up to CTL_CLIENTS of them, at most
 *	CTL_PEER_MAX per uid; when all are taken, the oldest client of the
 *	uid that holds the most gives way to a uid that holds fewer), one
 *	that sends too much or is not allowed is answered with an error and
 *	closed. ctl_decode() reads the line.
 *
 *	ctl_open() binds control_socket only where there is nothing, or a
 *	stale socket (ctl_probe(): a socket nobody answers on), which it
 *	replaces; a live socket or anything else there (a file, a
 *	directory) is an error naming the path, and nothing is removed.
 *	ctl_close() removes the socket only while the inode at its path is
 *	still the one it bound.
 * SECURITY
 *	Allowed: root, the daemon's own user, members of control_group
 *	(primary group from SO_PEERCRED, supplementary ones from
 *	SO_PEERGROUPS). The reply is written with a short send timeout so
 *	that a client that does not read cannot stall the loop. The client
 *	reads the daemon's reply even when its own send failed (the daemon
 *	answers "not allowed" and closes before reading), so that it prints
 *	the reason, not "Broken pipe".
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

/* ctl_probe - what is at path: 0 nothing, 1 a stale socket, 2 a live
 * one, -1 anything else (err says what) */
int
ctl_probe(const char *path, char *err, size_t len)
{
	struct sockaddr_un sun;
	struct stat	 sb;
	int		 fd, e;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return (0);
		snprintf(err, len, "control_socket %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, len, "control_socket %s exists and is not a "
		    "socket (fivefifty removes only a stale socket): choose "
		    "another control_socket, or move that %s away", path,
		    S_ISDIR(sb.st_mode) ? "directory" : S_ISLNK(sb.st_mode) ?
		    "symbolic link" : "file");
		return (-1);
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
	e = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 ? 0 : errno;
	close(fd);
	if (e == 0 || e == EAGAIN || e == EINPROGRESS) {
		snprintf(err, len, "control_socket %s: another fivefifty is "
		    "running (it answers there): stop it, or give this one "
		    "another control_socket", path);
		return (2);
	}
	if (e == ECONNREFUSED)
		return (1);
	snprintf(err, len, "control_socket %s: %s (cannot tell whether a "
	    "daemon answers there)", path, strerror(e));
	return (-1);
}

/* ctl_open - listen on control_socket (a stale socket is replaced; a
 * live daemon's, a file or anything else is left alone: an error) */
int
ctl_open(struct daemon *d, char *err, size_t len)
{
	struct sockaddr_un sun;
	struct group	*gr;
	struct stat	 sb;
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
	switch (ctl_probe(path, err, len)) {
	case 0:
		break;
	case 1:
		log_info("control_socket %s: removing a stale socket", path);
		if (unlink(path) == -1 && errno != ENOENT) {
			snprintf(err, len, "control_socket %s: remove the stale "
			    "socket: %s", path, strerror(errno));
			return (-1);
		}
		break;
	default:
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, len, "control socket: %s", strerror(errno));
		return (-1);
	}
	/* bind() never replaces what is there: a file that appeared since
	 * the probe stays, and is an error. */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, len, "control_socket %s: %s%s", path,
		    strerror(errno), errno == EADDRINUSE ? " (something was "
		    "created there meanwhile)" : "");
		close(fd);
		return (-1);
	}
	if (lstat(path, &sb) == -1 || chmod(path, 0660) == -1 ||
	    listen(fd, 16) == -1) {
		snprintf(err, len, "control_socket %s: %s", path,
		    strerror(errno));
		close(fd);
		(void)unlink(path);
		return (-1);
	}
	_Static_assert(sizeof(d->ctl_path) == sizeof(sun.sun_path),
	    "ctl_path holds a sun_path");
	memcpy(d->ctl_path, sun.sun_path, sizeof(d->ctl_path));
	d->ctl_dev = sb.st_dev;
	d->ctl_ino = sb.st_ino;
	/* The group may connect; failing that only root and we can. */
	if (d->ctl_gid != (gid_t)-1 && chown(path, (uid_t)-1, d->ctl_gid) ==
	    -1)
		log_warn("chgrp %s %s", d->conf->control_group, path);
	d->ctl_fd = fd;
	return (0);
}

/* allowed - root, ourselves, or a member of control_group; the peer's
 * uid in uid */
static int
allowed(const struct daemon *d, int fd, uid_t *uid)
{
	struct ucred	 cr;
	gid_t		 groups[256];
	socklen_t	 len = sizeof(cr);
	size_t		 i, n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return (0);
	*uid = cr.uid;
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

/* refuse - answer a peer that gets no slot, and close it */
static void
refuse(int fd, const char *text)
{
	char		buf[CTL_LINE_MAX];

	(void)send(fd, text, strlen(text), MSG_NOSIGNAL | MSG_DONTWAIT);
	/* What it sent already is read, so that closing does not reset the
	 * connection before it has our answer. */
	(void)recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	close(fd);
}

/* slot - a free client slot for a peer of uid, or -1: busy. At most
 * CTL_PEER_MAX per uid; when all are taken, the oldest client of the uid
 * that holds the most gives way if that uid holds more than this one
 * would. */
static int
slot(struct daemon *d, uid_t uid)
{
	static const char busy[] = "error: busy (others hold every "
	    "connection; try again)\n";
	int		 i, j, held = 0, free_i = -1, victim = -1, most = 0, n;

	for (i = 0; i < CTL_CLIENTS; i++) {
		if (d->clients[i].fd == -1) {
			if (free_i == -1)
				free_i = i;
		} else if (d->clients[i].uid == uid)
			held++;
	}
	if (held >= CTL_PEER_MAX)
		return (-1);
	if (free_i != -1)
		return (free_i);
	for (i = 0; i < CTL_CLIENTS; i++) {
		for (j = 0, n = 0; j < CTL_CLIENTS; j++)
			n += d->clients[j].uid == d->clients[i].uid;
		if (n > most || (n == most && d->clients[i].since_ms <
		    d->clients[victim].since_ms)) {
			most = n;
			victim = i;
		}
	}
	if (victim == -1 || most <= held + 1)
		return (-1);
	log_debug("control: uid %lu holds %d connections, the oldest gives "
	    "way to uid %lu", (unsigned long)d->clients[victim].uid, most,
	    (unsigned long)uid);
	reply(d, victim, busy, sizeof(busy) - 1);
	return (victim);
}

/* ctl_accept - take a new client */
void
ctl_accept(struct daemon *d)
{
	static const char no[] = "error: not allowed (root, the daemon's "
	    "user or control_group only)\n";
	char		 busy[128];
	uid_t		 uid = (uid_t)-1;
	int		 fd, i;

	while ((fd = accept4(d->ctl_fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		if (!allowed(d, fd, &uid)) {
			refuse(fd, no);
			continue;
		}
		if ((i = slot(d, uid)) == -1) {
			snprintf(busy, sizeof(busy), "error: busy (uid %lu "
			    "holds %d connections already; try again)\n",
			    (unsigned long)uid, CTL_PEER_MAX);
			refuse(fd, busy);
			continue;
		}
		d->clients[i].fd = fd;
		d->clients[i].uid = uid;
		d->clients[i].len = 0;
		d->clients[i].since_ms = now_ms();
	}
}

/* request - carry out one request line (len bytes); its reply into out */
static void
request(struct daemon *d, const char *line, size_t len, FILE *out)
{
	struct ctl_req	 r;
	char		 msg[256];

	msg[0] = '\0';
	if (ctl_decode(line, len, &r, msg, sizeof(msg)) == -1) {
		log_debug("control: refused: %s", msg);
		fprintf(out, "error: %s\n", msg);
		return;
	}
	log_debug("control: %s", r.op == CTL_STATUS ? "status" : r.op ==
	    CTL_BAN ? "ban" : r.op == CTL_METRICS ? "metrics" : "unban");
	switch (r.op) {
	case CTL_STATUS:
		daemon_status(d, out);
		fputs("ok\n", out);
		return;
	case CTL_METRICS:	/* status --format prometheus */
		metrics_print(d, out);
		fputs("ok\n", out);
		return;
	case CTL_BAN:
		if (daemon_ban(d, r.net, r.secs, r.reason, msg,
		    sizeof(msg)) == 0)
			fprintf(out, "%s\nok\n", msg);
		else
			fprintf(out, "error: %s\n", msg);
		return;
	case CTL_UNBAN:
		if (daemon_unban(d, r.net, msg, sizeof(msg)) == 0)
			fprintf(out, "%s\nok\n", msg);
		else
			fprintf(out, "error: %s\n", msg);
		return;
	}
	panic("control: request %d decoded but not carried out", (int)r.op);
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
	if ((out = open_memstream(&text, &len)) == NULL)
		fatal(EX_OSERR, "control");
	request(d, c->buf, (size_t)(nl - c->buf), out);
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
		struct stat sb;

		close(d->ctl_fd);
		/* Ours only: not what someone put there since. */
		if (lstat(d->ctl_path, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
		    sb.st_dev == d->ctl_dev && sb.st_ino == d->ctl_ino)
			(void)unlink(d->ctl_path);
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
	char		*buf = NULL, *last, line[CTL_LINE_MAX + 1];
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 fd, sent_errno = 0;

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
	/* One line in one send. A daemon that refuses us answers and closes
	 * without reading: its answer is still to be read, so a failed send
	 * is reported only when there is no answer. */
	snprintf(line, sizeof(line), "%s\n", req);
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) == -1) {
		sent_errno = errno;
		if (sent_errno != EPIPE && sent_errno != ECONNRESET) {
			snprintf(err, errlen, "%s: %s", path,
			    strerror(sent_errno));
			close(fd);
			return (-2);
		}
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap)) == NULL)
				fatal(EX_OSERR, "control");
			buf = nb;
		}
		if ((n = recv(fd, buf + len, cap - len - 1, 0)) <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf == NULL || len == 0 || buf[len - 1] != '\n') {
		snprintf(err, errlen, "%s: %s", path, sent_errno != 0 ?
		    strerror(sent_errno) : "no complete reply");
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

/*	$fivefifty: notify.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	notify 3 - systemd's service notifications, never blocking
 * SYNOPSIS
 *	See daemon_int.h.
 * DESCRIPTION
 *	systemd's notifications: READY=1, RELOADING=1 (with MONOTONIC_USEC,
 *	as Type=notify-reload expects), STOPPING=1, STATUS=text and
 *	WATCHDOG=1, sent as datagrams to $NOTIFY_SOCKET (a path, or an
 *	abstract name after '@'). Without systemd ($NOTIFY_SOCKET unset)
 *	each is a no-op. notify_watchdog_ms() is how often to pet the
 *	watchdog (half of WatchdogSec), or 0 when there is none.
 *
 *	The datagrams are sent without blocking, unlike libsystemd's
 *	sd_notify(), which waits as long as the receiver's queue is full: a
 *	supervisor that does not read (stuck, or a test's socket) must not
 *	stop the daemon from reading its log, enforcing, or obeying SIGTERM.
 *	READY, RELOADING and STOPPING are tried again for about a second;
 *	STATUS and WATCHDOG are dropped when the queue is full (the next
 *	one comes soon).
 * DIAGNOSTICS
 *	None: a notification that cannot be sent is dropped.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon_int.h"

#define NOTIFY_TRIES	20	/* 50 ms apart, for the ones that matter */

/* notify_send - one datagram to $NOTIFY_SOCKET, never blocking long */
static void
notify_send(const char *msg, int must)
{
	struct sockaddr_un sun;
	const char	*path = getenv("NOTIFY_SOCKET");
	size_t		 len;
	int		 fd, tries;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (len = strlen(path)) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return;
	for (tries = 0; tries < NOTIFY_TRIES; tries++) {
		if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL,
		    (struct sockaddr *)&sun, (socklen_t)(offsetof(struct
		    sockaddr_un, sun_path) + len)) >= 0 ||
		    (errno != EAGAIN && errno != EINTR) || !must)
			break;
		usleep(50000);
	}
	close(fd);
}

/* notify_ready - start-up done */
void
notify_ready(void)
{
	notify_send("READY=1", 1);
}

/* notify_reloading - re-reading the configuration */
void
notify_reloading(void)
{
	struct timespec	ts;
	char		msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	notify_send(msg, 1);
}

/* notify_stopping - shutting down */
void
notify_stopping(void)
{
	notify_send("STOPPING=1", 1);
}

/* notify_status - the one-line status systemctl shows */
void
notify_status(const char *fmt, ...)
{
	char		msg[256];
	va_list		ap;
	int		n;

	n = snprintf(msg, sizeof(msg), "STATUS=");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	notify_send(msg, 0);
}

/* notify_watchdog - still alive */
void
notify_watchdog(void)
{
	notify_send("WATCHDOG=1", 0);
}

/* notify_watchdog_ms - half the watchdog interval, or 0 */
long long
notify_watchdog_ms(void)
{
	uint64_t	usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return (0);
	return ((long long)(usec / 2000));
}

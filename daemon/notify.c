/*	$fivefifty: notify.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	notify 3 - systemd's service notifications (sd_notify)
 * SYNOPSIS
 *	See daemon_int.h.
 * DESCRIPTION
 *	Thin wrappers over libsystemd's sd_notify(): READY=1, RELOADING=1
 *	(with MONOTONIC_USEC, as Type=notify-reload expects), STOPPING=1,
 *	STATUS=text and WATCHDOG=1. Without systemd ($NOTIFY_SOCKET unset)
 *	each is a no-op. notify_watchdog_ms() is how often to pet the
 *	watchdog (half of WatchdogSec), or 0 when there is none.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "daemon_int.h"

/* notify_ready - start-up done */
void
notify_ready(void)
{
	(void)sd_notify(0, "READY=1");
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
	(void)sd_notify(0, msg);
}

/* notify_stopping - shutting down */
void
notify_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1");
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
	(void)sd_notify(0, msg);
}

/* notify_watchdog - still alive */
void
notify_watchdog(void)
{
	(void)sd_notify(0, "WATCHDOG=1");
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

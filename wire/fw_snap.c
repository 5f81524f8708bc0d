/*	$fivefifty: fw_snap.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	fw_snap 3 - what a clean stop left in the kernel, kept for the start
 * SYNOPSIS
 *	See wire.h.
 * DESCRIPTION
 *	wire_local_path() names a file of the daemon's own: next to a
 *	SQLite state (STATE_DB-NAME), or state_directory/NAME with
 *	PostgreSQL (this host's, not the shared state's): the snapshot's is
 *	NAME "kernel" (WIRE_SNAP_NAME), the manual ban spool's "manual".
 *	wire_snap_save() writes a struct fw_snap there as "key value" lines
 *	(a temporary file renamed over it, mode 0600); wire_snap_take()
 *	reads it and removes it, so that it serves one start: a crash later
 *	leaves none.
 *
 *	The file is a hint, never trusted for the kernel's content: the
 *	start keeps the sets only when the kernel's boot, namespace and
 *	nf_tables generation are still those written, which no process can
 *	make true by writing a file (fw_resume()).
 * DIAGNOSTICS
 *	wire_snap_save() logs a failure with the path (the next start then
 *	fills the sets again: slower, nothing lost); wire_snap_take()
 *	returns 0 when there is no file, and logs one it cannot read.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "firewall/firewall.h"
#include "state/state.h"
#include "util/util.h"
#include "wire.h"

/* wire_local_path - the daemon's local file name for c: next to a
 * SQLite state, or in state_directory; 0, or -1 when too long */
int
wire_local_path(const struct ff_conf *c, const char *name, char *buf,
    size_t len)
{
	int	n = state_is_uri(c->state_db) ? snprintf(buf, len,
	    "%s/%s", c->state_directory, name) : snprintf(buf, len,
	    "%s-%s", c->state_db, name);

	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/* wire_snap_save - s into path, atomically; 0 or -1 (logged) */
int
wire_snap_save(const char *path, const struct fw_snap *s)
{
	char		 tmp[PATH_MAX];
	FILE		*fp;
	int		 fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return (-1);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		log_warn("%s: writing the kernel's table as left at this stop "
		    "(the next start fills the sets again)", tmp);
		if (fd != -1)
			close(fd);
		return (-1);
	}
	fprintf(fp, "# fivefifty: the nf_tables table as this stop left it;"
	    " read once by the next start\n");
	fprintf(fp, "boot_id %s\nnetns %" PRIu64 "\ngeneration %" PRIu32
	    "\nkey %" PRIu64 "\nview %" PRIu64 "\nlayout %" PRIu64
	    "\nat %lld\nbans %zu\nclock_lo %lld\nclock_hi %lld\n",
	    s->boot_id, s->netns, s->gen, s->key, s->view, s->layout, s->at,
	    s->bans, s->clock_lo, s->clock_hi);
	if (fflush(fp) == EOF || ferror(fp) || fclose(fp) == EOF) {
		log_warn("%s: writing the kernel's table as left at this stop",
		    tmp);
		(void)unlink(tmp);
		return (-1);
	}
	if (rename(tmp, path) == -1) {
		log_warn("%s: renaming %s over it", path, tmp);
		(void)unlink(tmp);
		return (-1);
	}
	return (0);
}

/* number - an unsigned decimal of at most max; 0, or -1 */
static int
number(const char *v, uint64_t max, uint64_t *out)
{
	char			*end;
	unsigned long long	 x;

	if (*v < '0' || *v > '9')
		return (-1);
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return (-1);
	*out = x;
	return (0);
}

/* signed_field - a decimal that may be negative; 0, or -1 */
static int
signed_field(const char *v, long long *out)
{
	uint64_t	x;

	if (*v == '-') {
		if (number(v + 1, (uint64_t)INT64_MAX, &x) == -1)
			return (-1);
		*out = -(long long)x;
		return (0);
	}
	if (number(v, (uint64_t)INT64_MAX, &x) == -1)
		return (-1);
	*out = (long long)x;
	return (0);
}

/* The fields of the file, in the order written. */
static const char *const fields[] = {
	"boot_id", "netns", "generation", "key", "view", "layout", "at",
	"bans", "clock_lo", "clock_hi"
};
#define ALL_FIELDS	((1U << (sizeof(fields) / sizeof(fields[0]))) - 1)

/* field - one "key value" line into s; its field's bit, 0 unknown, -1
 * bad */
static int
field(char *line, struct fw_snap *s)
{
	char		*v;
	uint64_t	 x;
	size_t		 k;

	line[strcspn(line, "\n")] = '\0';
	if ((v = strchr(line, ' ')) == NULL)
		return (-1);
	*v++ = '\0';
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		if (strcmp(line, fields[k]) == 0)
			break;
	if (k == 0) {
		if (strlen(v) >= sizeof(s->boot_id))
			return (-1);
		snprintf(s->boot_id, sizeof(s->boot_id), "%s", v);
		return (1);
	}
	if (k == sizeof(fields) / sizeof(fields[0]))
		return (0);
	if (k >= 8)		/* a clock's offset: may be negative */
		return (signed_field(v, k == 8 ? &s->clock_lo :
		    &s->clock_hi) == -1 ? -1 : 1 << k);
	if (number(v, UINT64_MAX, &x) == -1)
		return (-1);
	switch (k) {
	case 1:
		s->netns = x;
		break;
	case 2:
		if (x > UINT32_MAX)
			return (-1);
		s->gen = (uint32_t)x;
		break;
	case 3:
		s->key = x;
		break;
	case 4:
		s->view = x;
		break;
	case 5:
		s->layout = x;
		break;
	case 6:
		if (x > (uint64_t)INT64_MAX)
			return (-1);
		s->at = (long long)x;
		break;
	default:
		if (x > SIZE_MAX)
			return (-1);
		s->bans = (size_t)x;
		break;
	}
	return (1 << k);
}

/* wire_snap_take - the snapshot at path into s, the file removed; 1 read,
 * 0 none (or unusable: logged) */
int
wire_snap_take(const char *path, struct fw_snap *s)
{
	char		 line[256];
	FILE		*fp;
	unsigned	 seen = 0;
	int		 bad = 0, rc;

	memset(s, 0, sizeof(*s));
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno != ENOENT)
			log_warn("%s: reading the kernel's table as the last "
			    "stop left it (the sets are filled again)", path);
		return (0);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		if ((rc = field(line, s)) == -1)
			bad = 1;
		else
			seen |= (unsigned)rc;
	}
	fclose(fp);
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("%s: removing it after reading", path);
	if (bad || seen != ALL_FIELDS || s->gen == 0) {
		log_warnx("%s: not a snapshot of the kernel's table that "
		    "fivefifty wrote (ignored: the sets are filled again)",
		    path);
		memset(s, 0, sizeof(*s));
		return (0);
	}
	return (1);
}

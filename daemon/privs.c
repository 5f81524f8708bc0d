/*	$fivefifty: privs.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	privs 3 - from root to the service user, keeping CAP_NET_ADMIN
 * SYNOPSIS
 *	int	privs_prepare(const struct ff_conf *c, char *err, size_t len);
 *	int	privs_drop(const struct ff_conf *c, char *err, size_t len);
 * DESCRIPTION
 *	Only when running as root (started by hand or by an init without
 *	User=; under the systemd unit fivefifty starts as its user with
 *	CAP_NET_ADMIN as an ambient capability, and both do nothing).
 *
 *	privs_prepare() makes what root must make for the user: the
 *	control socket's directory (0755) and the state database's directory
 *	(0750), owned by the user, when they are missing, and hands an
 *	existing state database (and its -wal, -shm files) to the user. On
 *	PostgreSQL (state_db a URI) the state's directory is
 *	state_directory, where the daemon keeps its manual ban spool, its
 *	outbox and its cache; those are handed to the user likewise.
 *	privs_drop() then switches to the user: its group, its supplementary
 *	groups (adm, to read /var/log/mail.log after a rotation), and of all
 *	capabilities only CAP_NET_ADMIN (effective and permitted; the
 *	bounding set cleared), with libcap-ng. With user empty, or a user
 *	that does not exist (make run before make install), root stays root
 *	and a warning says so.
 * DIAGNOSTICS
 *	-1 with "what: why" in err.
 */
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cap-ng.h>

#include "daemon_int.h"
#include "state/state.h"
#include "util/util.h"

/* make_dir - path's directory (mode, the user's) unless it exists */
static int
make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid, char *err,
    size_t len)
{
	char		 dir[1024], *slash;
	struct stat	 sb;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return (0);
	*slash = '\0';
	if (stat(dir, &sb) == 0)
		return (0);
	if (mkdir(dir, mode) == -1 || chown(dir, uid, gid) == -1) {
		snprintf(err, len, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	return (0);
}

/* give - hand a file to the user, if it is there */
static void
give(const char *path, const char *suffix, uid_t uid, gid_t gid)
{
	char		p[1100];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	if (chown(p, uid, gid) == -1 && errno != ENOENT)
		log_warn("chown %s", p);
}

/* privs_prepare - the user's directories and files, made by root */
int
privs_prepare(const struct ff_conf *c, char *err, size_t len)
{
	struct passwd	*pw;
	uid_t		 uid = 0;
	gid_t		 gid = 0;
	char		 p[1100];

	if (geteuid() != 0)
		return (0);
	if (c->user[0] != '\0' && (pw = getpwnam(c->user)) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	/* The socket's directory is open (the socket itself is 0660 with
	 * control_group); the state's is the user's alone. */
	if (make_dir(c->control_socket, 0755, uid, gid, err, len) == -1)
		return (-1);
	if (state_is_uri(c->state_db)) {
		/* make_dir() makes a path's directory: one in it. */
		snprintf(p, sizeof(p), "%s/cache", c->state_directory);
		if (make_dir(p, 0750, uid, gid, err, len) == -1)
			return (-1);
		if (uid != 0) {
			give(c->state_directory, "", uid, gid);
			give(c->state_directory, "/cache", uid, gid);
			give(c->state_directory, "/manual", uid, gid);
			give(c->state_directory, "/outbox", uid, gid);
		}
		return (0);
	}
	if (make_dir(c->state_db, 0750, uid, gid, err, len) == -1)
		return (-1);
	if (uid != 0) {
		give(c->state_db, "", uid, gid);
		give(c->state_db, "-wal", uid, gid);
		give(c->state_db, "-shm", uid, gid);
	}
	return (0);
}

/* privs_drop - become the user, with CAP_NET_ADMIN only */
int
privs_drop(const struct ff_conf *c, char *err, size_t len)
{
	struct passwd	*pw;

	if (geteuid() != 0)
		return (0);
	if (c->user[0] == '\0') {
		log_warnx("user is empty: running as root");
		return (0);
	}
	if ((pw = getpwnam(c->user)) == NULL) {
		/* make run before make install: say so, and go on. */
		log_warnx("user %s does not exist (make install creates it): "
		    "running as root", c->user);
		return (0);
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
	    CAP_NET_ADMIN) == -1) {
		snprintf(err, len, "capng_update: cannot keep CAP_NET_ADMIN");
		return (-1);
	}
	/* initgroups() first: the user's groups (adm reads the mail log). */
	if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
	    CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0) {
		snprintf(err, len, "cannot become user %s: %s", c->user,
		    strerror(errno));
		return (-1);
	}
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid) {
		snprintf(err, len, "still root after changing to %s", c->user);
		return (-1);
	}
	log_info("running as %s with CAP_NET_ADMIN only", c->user);
	return (0);
}

/*	$fivefifty: state_read.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	state_read 3 - the facts of a period from the state database
 * SYNOPSIS
 *	int	rp_load_state(struct rp *rp, const char *db, long long *now,
 *		    char *err, size_t errlen);
 * DESCRIPTION
 *	Opens the database read-only (the daemon may be writing it: WAL lets
 *	both go on) and reads, in one read transaction, the activity rows of
 *	the period and the one before it (through the view activity_rows,
 *	by the hour index; rows of one key from several flushes add up in
 *	rp_fact()), the five-fifty entries,
 *	and the bans; *now becomes the
 *	state's log time (meta log_time).
 * DIAGNOSTICS
 *	-1 with a message in err when the file cannot be opened, is not a
 *	fivefifty state of a known schema, or a query fails.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rp_int.h"

/* failed - the message of a failed query; -1 */
static int
failed(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return (-1);
}

/* read_facts - the activity rows of the hours [lo, hi) */
static int
read_facts(struct rp *rp, sqlite3 *db, long long lo, long long hi, char *err,
    size_t errlen)
{
	struct score_fact f;
	sqlite3_stmt	*q;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT kind, hour, value, client, class, "
	    "code, n, first, last FROM activity_rows WHERE hour >= ? AND "
	    "hour < ?",
	    -1, &q, NULL) != SQLITE_OK)
		return (failed(db, "activity", err, errlen));
	sqlite3_bind_int64(q, 1, lo);
	sqlite3_bind_int64(q, 2, hi);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		f.kind = (const char *)sqlite3_column_text(q, 0);
		f.hour = sqlite3_column_int64(q, 1);
		f.value = (const char *)sqlite3_column_text(q, 2);
		f.client = (const char *)sqlite3_column_text(q, 3);
		f.class = (const char *)sqlite3_column_text(q, 4);
		f.code = sqlite3_column_int(q, 5);
		f.n = (long)sqlite3_column_int64(q, 6);
		f.first = sqlite3_column_int64(q, 7);
		f.last = sqlite3_column_int64(q, 8);
		if (f.kind == NULL || f.value == NULL || f.client == NULL ||
		    f.class == NULL)
			continue;
		rp_fact(rp, &f);
	}
	sqlite3_finalize(q);
	return (rc == SQLITE_DONE ? 0 : failed(db, "activity", err, errlen));
}

/* read_ff - the five-fifty entries */
static int
read_ff(struct rp *rp, sqlite3 *db, char *err, size_t errlen)
{
	struct score_ff	 r;
	sqlite3_stmt	*q;
	int		 rc;

	if (sqlite3_prepare_v2(db, "SELECT addr, name, first_t, code, class, "
	    "reason, retries, last_retry, last_seen FROM fivefifties", -1, &q,
	    NULL) != SQLITE_OK)
		return (failed(db, "fivefifties", err, errlen));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		r.addr = (const char *)sqlite3_column_text(q, 0);
		r.name = (const char *)sqlite3_column_text(q, 1);
		r.first_t = sqlite3_column_int64(q, 2);
		r.code = sqlite3_column_int(q, 3);
		r.class = (const char *)sqlite3_column_text(q, 4);
		r.reason = (const char *)sqlite3_column_text(q, 5);
		r.retries = (long)sqlite3_column_int64(q, 6);
		r.last_retry = sqlite3_column_int64(q, 7);
		r.last_seen = sqlite3_column_int64(q, 8);
		if (r.addr == NULL || r.name == NULL || r.reason == NULL)
			continue;
		rp_ff(rp, &r);
	}
	sqlite3_finalize(q);
	return (rc == SQLITE_DONE ? 0 : failed(db, "fivefifties", err,
	    errlen));
}

/* read_bans - every ban */
static int
read_bans(struct rp *rp, sqlite3 *db, char *err, size_t errlen)
{
	struct score_decision d;
	sqlite3_stmt	*q;
	const char	*s;
	int		 rc;

	/* Not the bans the daemon's breaker holds or dropped (never
	 * enforced); a state of schema 2 has no held column. */
	if (sqlite3_prepare_v2(db, "SELECT addr, prefix_len, family, at, "
	    "until, n, score, reason, manual FROM bans WHERE held = 0", -1, &q,
	    NULL) != SQLITE_OK && sqlite3_prepare_v2(db, "SELECT addr, "
	    "prefix_len, family, at, until, n, score, reason, manual FROM bans",
	    -1, &q, NULL) != SQLITE_OK)
		return (failed(db, "bans", err, errlen));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		s = (const char *)sqlite3_column_text(q, 0);
		snprintf(d.addr, sizeof(d.addr), "%s", s != NULL ? s : "");
		d.prefix_len = sqlite3_column_int(q, 1);
		d.family = sqlite3_column_int(q, 2);
		d.at = sqlite3_column_int64(q, 3);
		d.until = sqlite3_column_int64(q, 4);
		d.ban_count = sqlite3_column_int(q, 5);
		d.score = sqlite3_column_double(q, 6);
		s = (const char *)sqlite3_column_text(q, 7);
		snprintf(d.reason, sizeof(d.reason), "%s", s != NULL ? s : "");
		d.manual = sqlite3_column_int(q, 8);
		rp_ban(rp, &d);
	}
	sqlite3_finalize(q);
	return (rc == SQLITE_DONE ? 0 : failed(db, "bans", err, errlen));
}

/* rp_load_state - the period's facts, five-fifties and bans */
int
rp_load_state(struct rp *rp, const char *path, long long *now, char *err,
    size_t errlen)
{
	sqlite3		*db = NULL;
	sqlite3_stmt	*q;
	long long	 lo, hi;
	int		 rc = -1, v = 0;

	if (access(path, F_OK) == -1) {
		snprintf(err, errlen, "%s: no state database (the daemon or "
		    "fivefifty scan makes it; or give --log FILE)", path);
		return (-1);
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db != NULL ?
		    sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return (-1);
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) !=
	    SQLITE_OK) {
		failed(db, path, err, errlen);
		goto out;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (v < 2) {
		snprintf(err, errlen, "%s: %s", path, v == 0 ?
		    "not a fivefifty state database (or an empty one)" :
		    "a state of an older schema: run fivefifty scan or the "
		    "daemon once to upgrade it");
		goto out;
	}
	*now = 0;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = "
	    "'log_time'", -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			*now = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	lo = rp->bounded ? rp->prev_from / 3600 : rp->from == RP_OPEN_FROM ?
	    LLONG_MIN : rp->from / 3600;
	hi = rp->until == RP_OPEN_UNTIL ? LLONG_MAX : rp->until / 3600;
	if (read_facts(rp, db, lo, hi, err, errlen) == -1 ||
	    read_ff(rp, db, err, errlen) == -1 ||
	    read_bans(rp, db, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	return (rc);
}

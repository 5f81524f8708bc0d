/*	$fivefifty: test_wal.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_wal 3 - when the SQLite state's log is checkpointed
 * DESCRIPTION
 *	A real state file, its writer thread, and the log's own bookkeeping
 *	read from the WAL index (the -shm file, whose layout SQLite
 *	documents: mxFrame, the frames in the log, at byte 16; nBackfill,
 *	the frames copied into the database, at byte 96):
 *	- as the daemon asks (state_checkpoint_idle()), batches that come
 *	  one after another are not checkpointed between them, even past
 *	  4 MiB of log; once the writer has been idle a while the whole log
 *	  is, and the next write starts the log again; a new file has
 *	  pages of 8 KiB, an older one of 4 KiB keeps its own and the same
 *	  sizes in bytes;
 *	- batches that never leave the writer idle still keep the log
 *	  under its cap;
 *	- a writer not told to (scan) checkpoints as SQLite does.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "state/state.h"
#include "tests.h"

#define WAL_CKPT	(4 << 20)	/* log bytes SQLite's checkpoint waits
					 * for (SQ_WAL_CKPT) */
#define WAL_CAP		(64 << 20)	/* the log's cap (SQ_WAL_CAP) */
#define ROW_BYTES	150	/* of a page, an evidence row below, about */

/* The log's bookkeeping. */
struct wal_index {
	uint32_t	 page;		/* szPage: bytes of a frame's page */
	uint32_t	 frames;	/* mxFrame */
	uint32_t	 copied;	/* nBackfill */
};

/* wal_read - the WAL index of db */
static struct wal_index
wal_read(const char *db)
{
	struct wal_index w;
	unsigned char	 hdr[100];
	uint16_t	 page;
	char		 p[300];
	ssize_t		 n;
	int		 fd;

	snprintf(p, sizeof(p), "%s-shm", db);
	if ((fd = open(p, O_RDONLY)) == -1)
		fail_msg("%s: cannot open", p);
	n = pread(fd, hdr, sizeof(hdr), 0);
	close(fd);
	if (n != (ssize_t)sizeof(hdr))
		fail_msg("%s: shorter than its header", p);
	memcpy(&page, hdr + 14, sizeof(page));
	w.page = page == 1 ? 65536 : page;
	memcpy(&w.frames, hdr + 16, sizeof(w.frames));
	memcpy(&w.copied, hdr + 96, sizeof(w.copied));
	return (w);
}

/* wal_batch - a batch of about bytes of evidence in the log */
static struct state_batch *
wal_batch(int bytes, int seq)
{
	struct state_batch *b = state_batch_new();
	struct state_evidence e = { .weight = 1, .rule = "dictionary_attack" };
	char		 addr[32], detail[96];
	int		 i;

	assert_non_null(b);
	memset(detail, 'x', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	e.detail = detail;
	for (i = 0; i < bytes / ROW_BYTES; i++) {
		snprintf(addr, sizeof(addr), "198.51.%d.%d", seq % 200,
		    i % 250 + 1);
		e.addr = addr;
		e.t = 1760000000 + i;
		assert_int_equal(state_batch_evidence(b, &e), 0);
	}
	assert_int_equal(state_batch_meta(b, "log_time", 1760000000), 0);
	return (b);
}

/* wal_open - db's state with its writer; idle: as the daemon asks
 * (state_checkpoint_idle()) */
static struct state *
wal_open(const char *db, int idle)
{
	struct state	*st;
	char		 err[512];

	if ((st = state_open(db, 0, err, sizeof(err))) == NULL)
		fail_msg("state_open %s: %s", db, err);
	if (idle)
		state_checkpoint_idle(st);
	return (st);
}

/* two_batches - one past 4 MiB of log and a small one, both queued
 * before the writer may start (it never idles between them), stored */
static void
two_batches(struct state *st)
{
	state_pause(st, 1);
	assert_int_equal(state_write(st, wal_batch(WAL_CKPT + WAL_CKPT / 10,
	    1)), 0);
	assert_int_equal(state_write(st, wal_batch(ROW_BYTES, 2)), 0);
	state_pause(st, 0);
	assert_int_equal(state_sync(st), 0);
}

/* quiet_run - two batches stored one after the other, the first past
 * 4 MiB of log, are not checkpointed between them (with SQLite's
 * automatic checkpoint, the second write would start the log again:
 * checked, the test fails); once the writer is idle the log is copied
 * into the database, and the next write starts it again. old_page: the
 * file made first with pages of that size (an older fivefifty's), which
 * it keeps; 0: a new file, of 8 KiB pages */
static void
quiet_run(const char *what, int old_page)
{
	char		 db[256], sql[64];
	struct state	*st;
	struct wal_index w;
	sqlite3		*h;
	int		 i;

	tmp_db(db, sizeof(db), what);
	if (old_page > 0) {
		snprintf(sql, sizeof(sql), "PRAGMA page_size = %d", old_page);
		assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_exec(h, "PRAGMA journal_mode = WAL",
		    NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(h);
	}
	st = wal_open(db, 1);
	two_batches(st);
	w = wal_read(db);
	print_message("log after both: %u frames of %u bytes, %u copied\n",
	    w.frames, w.page, w.copied);
	assert_int_equal(w.page, old_page > 0 ? old_page : 8192);
	assert_true((long long)w.frames * w.page > WAL_CKPT);
	/* Idle: checkpointed within QUIET_MS (a generous wait). */
	for (i = 0; i < 3000; i++) {
		w = wal_read(db);
		if (w.copied == w.frames)
			break;
		usleep(10000);
	}
	print_message("after %d ms idle: %u frames, %u copied\n", i * 10,
	    w.frames, w.copied);
	assert_int_equal(w.copied, w.frames);
	state_put_evidence(st, "198.51.100.7", 1760000000);
	assert_int_equal(state_sync(st), 0);
	w = wal_read(db);
	print_message("the next write: %u frames\n", w.frames);
	assert_true(w.frames < 100);	/* started again */
	state_close(st);
	rm_db(db);
}

/* test_wal_quiet - quiet_run() on a new file */
static void
test_wal_quiet(void **state)
{
	(void)state;
	quiet_run("walquiet", 0);
}

/* test_wal_quiet_4k - the same on a file of 4 KiB pages: the sizes are
 * bytes, whatever the file's pages */
static void
test_wal_quiet_4k(void **state)
{
	(void)state;
	quiet_run("walquiet4k", 4096);
}

/* test_wal_sqlite_rule - without state_checkpoint_idle() (scan), the
 * writer checkpoints as SQLite does, in the commit past 4 MiB of log:
 * the second of the two batches above starts the log again */
static void
test_wal_sqlite_rule(void **state)
{
	char		 db[256];
	struct state	*st;
	struct wal_index w;

	(void)state;
	tmp_db(db, sizeof(db), "walrule");
	st = wal_open(db, 0);
	two_batches(st);
	w = wal_read(db);
	print_message("log after both: %u frames of %u bytes\n", w.frames,
	    w.page);
	assert_true((long long)w.frames * w.page < WAL_CKPT / 4);
	state_close(st);
	rm_db(db);
}

/* test_wal_cap - batches handed over as fast as the writer stores them
 * (it is never idle long, unless this thread is slow): past the cap the
 * log is checkpointed all the same; at no point does it hold more than
 * the cap and the batch that crossed it */
static void
test_wal_cap(void **state)
{
	char		 db[256];
	struct state	*st;
	struct wal_index w;
	uint32_t	 most = 0;
	int		 i, n = (WAL_CAP + WAL_CAP / 4) / WAL_CKPT;

	(void)state;
	tmp_db(db, sizeof(db), "walcap");
	st = wal_open(db, 1);
	for (i = 0; i < n; i++) {
		assert_int_equal(state_write(st, wal_batch(WAL_CKPT, i)), 0);
		w = wal_read(db);
		if (w.frames > most)
			most = w.frames;
	}
	assert_int_equal(state_sync(st), 0);
	w = wal_read(db);
	if (w.frames > most)
		most = w.frames;
	print_message("%d batches of 4 MiB: at most %u frames of %u bytes in "
	    "the log\n", n, most, w.page);
	assert_true(most > 0);
	assert_true((long long)most * w.page <= WAL_CAP + WAL_CKPT * 12 /
	    10);
	state_close(st);
	rm_db(db);
}

const struct CMUnitTest wal_tests[] = {
	cmocka_unit_test(test_wal_quiet),
	cmocka_unit_test(test_wal_quiet_4k),
	cmocka_unit_test(test_wal_sqlite_rule),
	cmocka_unit_test(test_wal_cap),
};
const size_t wal_tests_count = sizeof(wal_tests) / sizeof(wal_tests[0]);

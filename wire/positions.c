/*	$fivefifty: positions.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	positions 3 - the tailer's positions into the state's, and back
 * SYNOPSIS
 *	See wire.h.
 * DESCRIPTION
 *	The tailer (struct tail_pos, struct journal_pos) and the state
 *	(struct state_filepos, struct state_cursor) each keep a read
 *	position in their own type, so that neither knows the other; these
 *	copy field by field. Nothing here can fail but the state's read.
 */
#include <stdio.h>
#include <string.h>

#include "state/state.h"
#include "tailer/tailer.h"
#include "wire.h"

_Static_assert(STATE_CURSOR_MAX >= JOURNAL_CURSOR_MAX,
    "a journal cursor fits the state's");

/* wire_tail_load - the stored position of path, as the tailer's */
int
wire_tail_load(void *arg, const char *path, struct tail_pos *p)
{
	struct state_filepos	 sp;
	int			 rc;

	memset(&sp, 0, sizeof(sp));
	if ((rc = state_position(arg, path, &sp)) == 1) {
		p->dev = sp.dev;
		p->ino = sp.ino;
		p->off = sp.off;
		p->fp_len = sp.fp_len;
		p->fp = sp.fp;
	}
	return (rc);
}

/* wire_pos - a line's position, as the state stores it */
void
wire_pos(struct state_filepos *to, const struct tail_pos *from)
{
	to->dev = from->dev;
	to->ino = from->ino;
	to->off = from->off;
	to->fp_len = from->fp_len;
	to->fp = from->fp;
}

/* wire_journal_position - the stored journal position of key, as the
 * journal reader's */
int
wire_journal_position(struct state *st, const char *key,
    struct journal_pos *p)
{
	struct state_cursor	 c;
	int			 rc;

	memset(p, 0, sizeof(*p));
	if ((rc = state_journal_position(st, key, &c)) == 1) {
		if (strlen(c.cursor) >= sizeof(p->cursor))
			return (0);	/* not one the reader wrote */
		snprintf(p->cursor, sizeof(p->cursor), "%s", c.cursor);
		p->realtime = c.realtime;
	}
	return (rc);
}

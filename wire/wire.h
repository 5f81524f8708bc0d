/*	$fivefifty: wire.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	wire 3h - what the commands and the daemon share to join the stages:
 *	the enforcer opened with the state's running bans, and the scorer's
 *	decisions handed to it
 * SYNOPSIS
 *	#include "wire/wire.h"
 *
 *	struct fw *wire_fw_open(const char *cmd, const struct ff_conf *c,
 *		    struct state *st, long long now, int *status);
 *	struct fw *wire_fw_resume(const char *cmd, const struct ff_conf *c,
 *		    struct state *st, long long now, const struct fw_snap *s,
 *		    int *status);
 *	int	wire_local_path(const struct ff_conf *c, const char *name,
 *		    char *buf, size_t len);
 *	int	wire_snap_save(const char *path, const struct fw_snap *s);
 *	int	wire_snap_take(const char *path, struct fw_snap *s);
 *	int	wire_fw_decision(struct fw *f, const struct score_decision *d);
 *	void	wire_protect(struct fw_conf *fc, const struct ff_conf *c);
 *	const char *wire_protected_by(const struct ff_conf *c,
 *		    const struct net_prefix *n);
 *
 *	int	wire_tail_load(void *st, const char *path, struct tail_pos *p);
 *	void	wire_pos(struct state_filepos *to, const struct tail_pos *from);
 *	int	wire_journal_position(struct state *st, const char *key,
 *		    struct journal_pos *p);
 * DESCRIPTION
 *	This module sits below cmd/ and daemon/ and above the stages it
 *	joins (conf, score, state, firewall), which know nothing of one
 *	another here: the firewall is given the configuration's lists of
 *	what is never banned and the state's running bans; it reads neither.
 *
 *	wire_fw_open() opens the enforcer for the command cmd (its name in
 *	messages: "run", "scan") with what c says is never banned, puts in
 *	force the bans st says still run at now (st NULL: none), and
 *	reconciles the kernel sets and the map with them: the table, sets,
 *	chain, rules and elements in one batch, one kernel generation. NULL with *status
 *	EX_UNAVAILABLE (the firewall is required and cannot be set up) or
 *	EX_CONFIG (the map, the table), said on stderr; an unavailable
 *	firewall that is not required is said, and the map is still kept.
 *
 *	wire_fw_resume() is wire_fw_open() after a stop that left s (the
 *	daemon's start and reload; s NULL: none): the state's bans read from
 *	the stop's time on, so that fw_resume() can tell whether the kernel
 *	still holds exactly them and keep its sets (only the rules
 *	replaced). wire_snap_save() and wire_snap_take() keep s in a file
 *	between the stop and the next start, the daemon's local file
 *	WIRE_SNAP_NAME (wire_local_path(): STATE_DB-NAME, or
 *	state_directory/NAME on PostgreSQL; fw_snap.c).
 *
 *	wire_fw_decision() puts one of the scorer's bans in force: 0, 1 (it
 *	ended already), or -1 (not an address, or protected).
 *
 *	wire_protect() fills fc->protect with what is never banned (the
 *	loopback key, the whitelist, Postfix's mynetworks of c, and this
 *	host's addresses: fw_protect()); wire_protected_by() names the list
 *	that protects n, or NULL (fw_protected_by()).
 *
 *	The state keeps positions in its own types, the tailer reads and
 *	gives them in its own (positions.c joins them): wire_tail_load() is
 *	the tailer's position store (struct tail_store's load) on a state,
 *	wire_pos() copies a line's position into what the state stores, and
 *	wire_journal_position() is state_journal_position() in the journal
 *	reader's type. 1 found, 0 none, -1 (the state's error).
 */
#ifndef FIVEFIFTY_WIRE_H
#define FIVEFIFTY_WIRE_H

struct ff_conf;
struct fw;
struct fw_conf;
struct fw_snap;
struct score_decision;
struct net_prefix;
struct state;
struct state_filepos;
struct tail_pos;
struct journal_pos;

#define WIRE_SNAP_NAME	"kernel"	/* the snapshot's local file */

struct fw *wire_fw_open(const char *, const struct ff_conf *, struct state *,
	    long long, int *);
struct fw *wire_fw_resume(const char *, const struct ff_conf *,
	    struct state *, long long, const struct fw_snap *, int *);
int	wire_local_path(const struct ff_conf *, const char *, char *, size_t);
int	wire_snap_save(const char *, const struct fw_snap *);
int	wire_snap_take(const char *, struct fw_snap *);
int	wire_fw_decision(struct fw *, const struct score_decision *);
void	wire_protect(struct fw_conf *, const struct ff_conf *);
const char *wire_protected_by(const struct ff_conf *, const struct net_prefix *);
int	wire_tail_load(void *, const char *, struct tail_pos *);
void	wire_pos(struct state_filepos *, const struct tail_pos *);
int	wire_journal_position(struct state *, const char *,
	    struct journal_pos *);

#endif /* FIVEFIFTY_WIRE_H */

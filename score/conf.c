/*	$fivefifty: conf.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	conf 3 - the scorer's defaults
 * SYNOPSIS
 *	void	score_conf_defaults(struct score_conf *c);
 * DESCRIPTION
 *	Every weight, window and threshold with its default and why. The
 *	configuration file (a later issue) overrides them key by key.
 *
 *	The ban threshold is 10. A five-fifty retry weighs 4, and the third
 *	retry of the same rejected mail within a week bans however far apart
 *	the retries are, unless the client had mail accepted in that week (a
 *	daily cron job rejected the same way); a client that retried twice
 *	and gave up is left alone. A dictionary attack weighs 10 once 8 more distinct
 *	unknown recipients than accepted ones were seen in an hour: one
 *	connection of a dictionary run bans, a typo or a list server's stale
 *	addresses never get there. Scores halve every hour of log time.
 *
 *	Slow abusers that decay would forget: 20 SASL failures within a day
 *	with no successful AUTH, 3 postscreen protocol violations within a
 *	day, 10 permanent rejects within 10 minutes with nothing accepted
 *	each ban. A DNSBL listing alone (its reject, or a burst of nothing
 *	but its rejects) never bans a client that had mail accepted in the
 *	last 7 days, and its bans are never escalated.
 */
#include <string.h>

#include "score_int.h"

/* score_conf_defaults - the documented defaults */
void
score_conf_defaults(struct score_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->ban_threshold = 10;
	c->half_life = 3600;
	c->ban_base = 3600;
	c->ban_factor = 4;
	c->ban_max = 30 * 86400;
	c->history_keep = 90 * 86400;

	c->w_fivefifty = 4;
	c->fivefifty_window = 7 * 86400;
	c->fivefifty_retries = 3;	/* slow retriers: days apart */

	c->w_dictionary = 10;
	c->dict_window = 3600;
	c->dict_threshold = 8;

	c->w_relay = 2.5;
	c->w_sasl = 1;
	c->w_pregreet = 5;
	c->w_ps_pipelining = 5;
	c->w_ps_non_smtp = 8;
	c->w_ps_bare_newline = 3;
	c->w_ps_limit = 2;
	c->w_pipelining = 4;
	c->w_non_smtp = 5;
	c->w_dnsbl = 5;
	c->w_helo = 3;
	c->w_too_many_errors = 3;
	c->w_silent = 1;

	/* Slow abuse: counts over a window ban however slowly they came. */
	c->sasl_failures_day = 20;	/* 3 an hour for a week is a guesser */
	c->sasl_window = 86400;
	c->ps_violations_day = 3;	/* MTAs never talk first */
	c->ps_window = 86400;
	c->reject_burst = 10;		/* 10 5xx in 10 min, nothing taken */
	c->reject_burst_window = 600;
	c->accepted_window = 7 * 86400;	/* a DNSBL's verdict on a client we
					 * took mail from this week is not
					 * ours to enforce */

	c->v6_prefix = 64;
	c->v6_prefix_threshold = 20;
	c->v6_prefix_min_clients = 3;
	c->v4_prefix = 0;
	c->v4_prefix_threshold = 30;
	c->v4_prefix_min_clients = 5;

	/* Loopback is always protected; see score.h. */
	(void)net_parse("127.0.0.0/8", &c->loopback4);
	c->max_clients = 100000;	/* about 150 bytes each, more with
					 * the rules' memory: memory_limit */
	c->session_timeout = 3600;
	c->clock_tolerance = 86400;
	c->memory_limit = SCORE_MEMORY_LIMIT;
}

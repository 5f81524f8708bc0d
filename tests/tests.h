/*	$fivefifty: tests.h $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	tests 3h - what the cmocka test files share
 * DESCRIPTION
 *	Each test file exports one array of cmocka tests and its length;
 *	run_tests.c runs them all as one group, so the last lines of
 *	`make test` are cmocka's totals.
 *
 *	ev_field() renders one field of an event the way the corpus cases
 *	(the files of tests/cases/) spell it; "-" means absent. shared_path() finds
 *	../shared (FIVEFIFTY_SHARED overrides: make test SHARED=DIR). A test
 *	that reads the shared corpus calls need_corpus() first: without the
 *	corpus (a clone of this repository alone) it is skipped with the
 *	reason, never passed, and corpus_skipped counts it; shared_path()
 *	fails a test that reads the missing corpus without that call.
 *	corpus_present() says whether it is there, shared_base() where it
 *	is looked for. run_cmd() runs a program
 *	with a fixed argv and collects its output and exit status.
 *	check_line() finds the "CHECK NAME ok|FAIL ..." line of a test
 *	script's output and check_ok() tells a pass; print_lines() prints a
 *	long output line by line (cmocka cuts a message at 1 KiB).
 *	state_dump() is what a state decided, as text to compare;
 *	state_put_evidence() hands a state's writer a batch of one piece of
 *	evidence; tmp_db() names a new database under /tmp and rm_db()
 *	removes one with its WAL files. stderr_to() sends standard error to
 *	a file until stderr_back() (a test reading what was logged);
 *	prune_told() is state_prune() and what it logged; prunes_refused()
 *	three refused prunes, said once, and prune_said_again() the success
 *	after them; count_in() counts a string's occurrences.
 *	kill_until_done() runs a command, killed at random points, until
 *	a run ends by itself (the crash tests).
 *
 *	pg_start() starts a private PostgreSQL server for a test (a unix
 *	socket in its own /tmp directory, a role without superuser, two
 *	databases) and pg_stop() removes it; pg_server_ctl() stops it or
 *	starts it again, its data kept; pg_sql() runs SQL there with
 *	psql, pg_reset() empties a database; see pg.c.
 *
 *	journal_append() writes entries to a journal file with the real
 *	systemd-journal-remote (package systemd-journal-remote), reading
 *	the journal export format on its stdin; see helpers.c.
 */
#ifndef FIVEFIFTY_TESTS_H
#define FIVEFIFTY_TESTS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse/parse.h"

#define DECLARE_TESTS(name)					\
	extern const struct CMUnitTest name[];			\
	extern const size_t name##_count

DECLARE_TESTS(case_tests);
DECLARE_TESTS(grok_tests);
DECLARE_TESTS(corpus_tests);
DECLARE_TESTS(fast_tests);
DECLARE_TESTS(adversarial_tests);
DECLARE_TESTS(cli_tests);
DECLARE_TESTS(lines_tests);
DECLARE_TESTS(tailer_tests);
DECLARE_TESTS(score_tests);
DECLARE_TESTS(share_tests);
DECLARE_TESTS(abuse_tests);
DECLARE_TESTS(state_tests);
DECLARE_TESTS(conf_tests);
DECLARE_TESTS(time_tests);
DECLARE_TESTS(map_tests);
DECLARE_TESTS(spawn_tests);
DECLARE_TESTS(obuf_tests);
DECLARE_TESTS(xmalloc_tests);
DECLARE_TESTS(log_tests);
DECLARE_TESTS(firewall_tests);
DECLARE_TESTS(fwstart_tests);
DECLARE_TESTS(fwresume_tests);
DECLARE_TESTS(fwaction_tests);
DECLARE_TESTS(fwincr_tests);
DECLARE_TESTS(outage_tests);
DECLARE_TESTS(host_tests);
DECLARE_TESTS(daemon_tests);
DECLARE_TESTS(control_tests);
DECLARE_TESTS(install_tests);
DECLARE_TESTS(deb_tests);
DECLARE_TESTS(e2e_tests);
DECLARE_TESTS(cluster_tests);
DECLARE_TESTS(report_tests);
DECLARE_TESTS(report_html_tests);
DECLARE_TESTS(report_mail_tests);
DECLARE_TESTS(report_answers_tests);
DECLARE_TESTS(guard_tests);
DECLARE_TESTS(bounds_tests);
DECLARE_TESTS(mynetworks_tests);
DECLARE_TESTS(fivefifty_tests);
DECLARE_TESTS(stage_tests);
DECLARE_TESTS(journal_tests);
DECLARE_TESTS(journal_run_tests);
DECLARE_TESTS(contracts_tests);
DECLARE_TESTS(pgsql_tests);
DECLARE_TESTS(pgbans_tests);
DECLARE_TESTS(pgrun_tests);
DECLARE_TESTS(pgsql_cmds_tests);
DECLARE_TESTS(par_tests);
DECLARE_TESTS(metrics_tests);
DECLARE_TESTS(wal_tests);

/* The sqlite3 shell as the tests read a state: it waits for a writer's
 * lock instead of answering "database is locked" (read as 0). */
#define SQLITE3	"sqlite3 -cmd '.timeout 10000' "

struct run_result {
	int	 status;	/* exit status, or 128 + signal */
	char	*out;		/* NUL-terminated, malloc'd */
	size_t	 outlen;
	char	*err;
	size_t	 errlen;
};

const char *ev_field(const struct pf_event *, const char *, char *, size_t);
const char *shared_path(const char *, char *, size_t);
const char *shared_base(void);
int	corpus_present(void);
void	need_corpus(void);
const char *bin_path(void);
int	run_cmd(char *const [], const char *, size_t, struct run_result *);
void	run_free(struct run_result *);
char	*read_file(const char *, size_t *);
struct pf_parser *parser_or_fail(void);
char	*host_snapshot(void);
int	netns_enter(void **);
int	netns_leave(void **);
char	*sh(const char *, int *);
int	nft_in_set4(const char *);
void	log_sessions(const char *, const char *, int, int, time_t);
int	tz_utc(void **);
int	tz_restore(void **);
void	kill_until_done(char *const *, long, unsigned *, int *, int);

/* What a watcher of nf_tables saw (fw_helpers.c). */
struct fw_seen {
	int		 gens;		/* NFT_MSG_NEWGEN: commits */
	int		 rules;		/* NFT_MSG_NEWRULE */
	int		 elems;		/* NFT_MSG_NEWSETELEM */
	int		 dels;		/* NFT_MSG_DELSETELEM */
	int		 late;		/* rules or elements after a NEWGEN */
};
struct ff_conf;
struct state;

int	fw_watch_open(void);
void	fw_watch_read(int, struct fw_seen *);
void	fw_rm_dir(const char *);
struct ff_conf *fw_fresh(char *, char *, size_t, struct state **);
void	fw_put_ban(struct state *, const char *, int, int, long long,
	    long long);
int	fw_count_of(const char *);

/* An own table's set's elements, and its chain's drop rules, by nft. */
#define FW_ELEMS(set) "nft -j list set inet fivefifty " set " | jq " \
	"'[.nftables[] | select(.set) | .set.elem[]?] | length'"
#define FW_DROPS "nft list chain inet fivefifty input | grep -c drop"
char	*state_dump(const char *);
void	state_put_evidence(struct state *, const char *, long long);
void	tmp_db(char *, size_t, const char *);
void	rm_db(const char *);
int	stderr_to(const char *);
int	prune_told(struct state *, long long, const char *, char **);
char	*prunes_refused(struct state *, long long, const char *, const char *);
void	prune_said_again(struct state *, long long, const char *);
int	count_in(const char *, const char *);
void	stderr_back(int);
const char *check_line(const char *, const char *, size_t *);
int	check_ok(const char *, size_t);
void	print_lines(const char *);
time_t	ref_at(int, int, int);
struct pf_parser;
int	year_of(struct pf_parser *, const char *);

extern char *host_before;
extern int corpus_skipped;

/*
 * One journal entry for journal_append(). Members left zero are not
 * written (pid 0: no SYSLOG_PID; realtime 0: now). fields are more text
 * fields, "FIELD=value", up to the first NULL: SYSLOG_FACILITY=2 (mail,
 * JENTRY_MAIL), _SYSTEMD_UNIT=..., _SYSTEMD_SLICE=..., _COMM=...,
 * _PID=...; one of them may override _BOOT_ID or __MONOTONIC_TIMESTAMP.
 */
struct jentry {
	unsigned long long realtime;	/* __REALTIME_TIMESTAMP, usec */
	const char	*host;		/* _HOSTNAME */
	const char	*ident;		/* SYSLOG_IDENTIFIER */
	long		 pid;		/* SYSLOG_PID */
	const char	*message;	/* MESSAGE: any bytes */
	size_t		 msglen;	/* 0: strlen(message) */
	const char	*fields[8];
};

#define JENTRY_MAIL	"SYSLOG_FACILITY=2"
#define JOURNAL_REMOTE	"/lib/systemd/systemd-journal-remote"
#define JOURNAL_TEST_BOOT "0123456789abcdef0123456789abcdef"

int	journal_append(const char *, const struct jentry *, int);

/* A private PostgreSQL server (tests/pg.c, tests/pg-cluster.sh). */
struct pg_server {
	char	 dir[64];
	char	 uri[256];		/* the database fivefifty */
	char	 uri_b[256];		/* the database fivefifty_b */
};
int	pg_start(struct pg_server *);
void	pg_stop(struct pg_server *);
void	pg_server_ctl(struct pg_server *, int);
char	*pg_sql(const char *, const char *);
void	pg_reset(const char *);
int	pg_strip_nodes(char *);

#endif /* FIVEFIFTY_TESTS_H */

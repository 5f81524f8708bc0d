/*	$fivefifty: helpers.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	helpers 3 - field rendering, paths and a process runner for tests
 * SYNOPSIS
 *	See tests.h.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "state/state.h"
#include "tests.h"

extern char **environ;

/* span_out - a span as a C string into buf ("-" when absent) */
static const char *
span_out(struct pf_span sp, char *buf, size_t len)
{
	if (sp.p == NULL)
		return ("-");
	snprintf(buf, len, "%.*s", (int)sp.len, sp.p);
	return (buf);
}

/* ev_field - one field of an event as the case files spell it */
const char *
ev_field(const struct pf_event *ev, const char *key, char *buf, size_t len)
{
	static const struct {
		const char *key;
		size_t off;
	} spans[] = {
#define S(f) { #f, offsetof(struct pf_event, f) }
		S(host), S(tag), S(program), S(queue_id), S(action), S(stage),
		S(client_name), S(dsn), S(object), S(reason), S(from), S(to),
		S(proto), S(helo), S(sasl_method), S(sasl_username),
		S(sasl_sender), S(notes), S(end), S(data), S(seconds),
		S(detail), S(command), S(service), S(ptr_name), S(zone),
		S(answer), S(orig_queue_id), S(orig_client_name),
#undef S
	};
	size_t		i;
	int		c;

	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++)
		if (strcmp(key, spans[i].key) == 0)
			return (span_out(*(const struct pf_span *)
			    ((const char *)ev + spans[i].off), buf, len));
	if (strcmp(key, "event") == 0)
		return (pf_kind_name(ev->kind));
	if (strcmp(key, "class") == 0)
		return (ev->kind == PF_EV_REJECT ? pf_class_name(ev->class) :
		    "-");
	if (strcmp(key, "enforced") == 0)
		return (ev->enforced ? "yes" : "no");
	if (strcmp(key, "client_ip") == 0)
		return (ev->client_ip[0] ? ev->client_ip : "-");
	if (strcmp(key, "family") == 0) {
		snprintf(buf, len, "%d", ev->client_family);
		return (buf);
	}
	if (strcmp(key, "server_ip") == 0)
		return (ev->server_ip[0] ? ev->server_ip : "-");
	if (strcmp(key, "orig_client_ip") == 0)
		return (ev->orig_client_ip[0] ? ev->orig_client_ip : "-");
	if (strcmp(key, "severity") == 0) {
		static const char *const sev[] = { "info", "warning", "error",
		    "fatal", "panic" };
		return (sev[ev->severity]);
	}
	if (strcmp(key, "time") == 0) {
		const struct pf_time *t = &ev->time;
		int n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d",
		    t->year, t->mon, t->mday, t->hour, t->min, t->sec);
		if (t->frac_digits > 0 && n > 0 && (size_t)n < len)
			n += snprintf(buf + n, len - (size_t)n, ".%06ld",
			    t->usec);
		if (t->has_offset && n > 0 && (size_t)n < len)
			snprintf(buf + n, len - (size_t)n, "%+03d:%02d",
			    t->offset_min / 60, abs(t->offset_min) % 60);
		return (buf);
	}
#define NUM(name, expr, none) \
	if (strcmp(key, name) == 0) { \
		if ((expr) == (none)) \
			return ("-"); \
		snprintf(buf, len, "%lld", (long long)(expr)); \
		return (buf); \
	}
	NUM("pid", ev->pid, -1)
	NUM("client_port", ev->client_port, -1)
	NUM("server_port", ev->server_port, -1)
	NUM("code", ev->code, 0)
	NUM("bytes", ev->bytes, -1)
	NUM("count", ev->count, LONG_MIN)
	NUM("epoch", pf_event_epoch(ev), -1)
#undef NUM
	if (strncmp(key, "counter.", 8) == 0) {
		for (c = 0; c < PF_CMD_COUNT; c++)
			if (strcmp(key + 8, pf_cmd_name(c)) == 0)
				break;
		if (c == PF_CMD_COUNT || !ev->counters[c].present)
			return ("-");
		snprintf(buf, len, "%lu/%lu", ev->counters[c].ok,
		    ev->counters[c].total);
		return (buf);
	}
	fail_msg("ev_field: no field called %s", key);
	return ("?");
}

int	corpus_skipped;

/* shared_base - the shared corpus's checkout: $FIVEFIFTY_SHARED (make
 * test SHARED=DIR), or ../shared */
const char *
shared_base(void)
{
	const char *base = getenv("FIVEFIFTY_SHARED");

	return (base != NULL && *base != '\0' ? base : "../shared");
}

/* corpus_present - is there a shared corpus (DIR/corpus, a directory) */
int
corpus_present(void)
{
	char		p[1024];
	struct stat	sb;

	snprintf(p, sizeof(p), "%s/corpus", shared_base());
	return (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode));
}

/* need_corpus - skip this test, saying why, when the corpus is missing
 * (the first line of every test that reads it: nothing to undo yet) */
void
need_corpus(void)
{
	if (corpus_present())
		return;
	corpus_skipped++;
	print_message("      skipped: it reads the shared corpus, which is "
	    "not at %s/corpus (make test SHARED=DIR names its checkout; "
	    "README.md, Tests)\n", shared_base());
	skip();
}

/* shared_path - $FIVEFIFTY_SHARED/rel, or ../shared/rel */
const char *
shared_path(const char *rel, char *buf, size_t len)
{
	/* A test that reads the corpus skips at its start when it is
	 * missing (need_corpus()); skipping here, mid-test, would leave
	 * what the test made so far behind. */
	if (!corpus_present())
		fail_msg("%s/%s: the shared corpus is missing and this test "
		    "did not call need_corpus() first: add it as the test's "
		    "first statement", shared_base(), rel);
	snprintf(buf, len, "%s/%s", shared_base(), rel);
	return (buf);
}

/* bin_path - the fivefifty binary under test */
const char *
bin_path(void)
{
	const char *b = getenv("FIVEFIFTY_BIN");

	return (b != NULL ? b : "./fivefifty");
}

/* slurp_step - one read of fd onto a growing NUL-terminated buffer */
static int
slurp_step(int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t		n;

	if (*cap - *len < 65536) {
		*cap = *cap * 2 + 65536;
		if ((*buf = realloc(*buf, *cap + 1)) == NULL)
			return (-1);
	}
	n = read(fd, *buf + *len, *cap - *len);
	if (n > 0)
		*len += (size_t)n;
	(*buf)[*len] = '\0';
	return ((int)n);
}

/* run_cmd - run argv with input on stdin; collect output and status */
int
run_cmd(char *const argv[], const char *in, size_t inlen,
    struct run_result *r)
{
	posix_spawn_file_actions_t fa;
	int		 pin[2], pout[2], perr[2], st, open_fds = 2;
	size_t		 ocap = 0, ecap = 0, done = 0;
	struct pollfd	 pfd[3];
	pid_t		 pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(pin, O_CLOEXEC) == -1 || pipe2(pout, O_CLOEXEC) == -1 ||
	    pipe2(perr, O_CLOEXEC) == -1)
		return (-1);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		/* argv[0] is a path: posix_spawn() does not search PATH */
		posix_spawn_file_actions_destroy(&fa);
		close(pin[0]), close(pin[1]), close(pout[0]), close(pout[1]);
		close(perr[0]), close(perr[1]);
		return (-1);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	slurp_step(-1, &r->out, &r->outlen, &ocap);
	slurp_step(-1, &r->err, &r->errlen, &ecap);
	if (in == NULL || inlen == 0) {
		close(pin[1]);
		pin[1] = -1;
	} else
		fcntl(pin[1], F_SETFL, O_NONBLOCK);
	while (open_fds > 0 || pin[1] != -1) {
		pfd[0].fd = pout[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = perr[0];
		pfd[1].events = POLLIN;
		pfd[2].fd = pin[1];
		pfd[2].events = POLLOUT;
		if (poll(pfd, 3, -1) == -1 && errno != EINTR)
			return (-1);
		if (pfd[0].revents && pout[0] != -1 &&
		    slurp_step(pout[0], &r->out, &r->outlen, &ocap) <= 0) {
			close(pout[0]);
			pout[0] = -1;
			open_fds--;
		}
		if (pfd[1].revents && perr[0] != -1 &&
		    slurp_step(perr[0], &r->err, &r->errlen, &ecap) <= 0) {
			close(perr[0]);
			perr[0] = -1;
			open_fds--;
		}
		if (pin[1] != -1 && pfd[2].revents) {
			ssize_t n = write(pin[1], in + done, inlen - done);
			if (n > 0)
				done += (size_t)n;
			if (n == -1 && errno != EAGAIN)
				done = inlen;
			if (done == inlen) {
				close(pin[1]);
				pin[1] = -1;
			}
		}
	}
	if (waitpid(pid, &st, 0) == -1)
		return (-1);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return (0);
}

/* run_free - release what run_cmd collected */
void
run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* read_file - a whole file, NUL-terminated, or NULL */
char *
read_file(const char *path, size_t *len)
{
	char		*buf = NULL;
	size_t		 cap = 0;
	int		 fd, n;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	slurp_step(-1, &buf, len, &cap);
	while ((n = slurp_step(fd, &buf, len, &cap)) > 0)
		continue;
	close(fd);
	if (n < 0) {
		free(buf);
		return (NULL);
	}
	return (buf);
}

/* parser_or_fail - a new parser, or the test fails */
struct pf_parser *
parser_or_fail(void)
{
	struct pf_parser *p;
	char		 err[256];

	p = pf_parser_new(err, sizeof(err));
	if (p == NULL)
		fail_msg("pf_parser_new: %s", err);
	return (p);
}

static int	 orig_ns = -1;

/* netns_enter - setup: a new, empty network namespace for this test */
int
netns_enter(void **state)
{
	(void)state;
	if ((orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);
	if (unshare(CLONE_NEWNET) == -1) {
		close(orig_ns);
		return (-1);
	}
	return (0);
}

/* netns_leave - teardown: back to the namespace the tests started in */
int
netns_leave(void **state)
{
	(void)state;
	if (setns(orig_ns, CLONE_NEWNET) == -1)
		return (-1);
	close(orig_ns);
	return (0);
}

/* sh - run a shell command line (test oracle); its output */
char *
sh(const char *cmd, int *status)
{
	char		*argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	struct run_result r;
	char		*out;

	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	if (status != NULL)
		*status = r.status;
	else if (r.status != 0)
		fail_msg("%s: exit %d: %s", cmd, r.status, r.err);
	out = r.out;
	r.out = NULL;
	run_free(&r);
	return (out);
}


/* check_line - the "CHECK NAME ..." line of name in a script's output, its
 * length in *len; NULL when there is none */
const char *
check_line(const char *out, const char *name, size_t *len)
{
	const char	*p;
	size_t		 n = strlen(name);

	for (p = out; *p != '\0'; p += *len + (p[*len] == '\n')) {
		*len = strcspn(p, "\n");
		if (strncmp(p, "CHECK ", 6) == 0 && strncmp(p + 6, name, n) ==
		    0 && p[6 + n] == ' ')
			return (p);
	}
	return (NULL);
}

/* check_ok - is this "CHECK NAME ok" line (len bytes) a pass */
int
check_ok(const char *p, size_t len)
{
	size_t		n = strcspn(p + 6, " \n");

	return (len == 6 + n + 3 && strncmp(p + 6 + n, " ok", 3) == 0);
}

/* print_lines - text line by line (cmocka cuts a message at 1 KiB) */
void
print_lines(const char *text)
{
	const char	*p;
	size_t		 len;

	for (p = text; *p != '\0'; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		print_error("%.*s\n", (int)(len < 900 ? len : 900), p);
	}
}

/* ref_at - a local time as time_t */
time_t
ref_at(int y, int mon, int d)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	return (mktime(&tm));
}

/* year_of - the year the parser gives one BSD-stamped line */
int
year_of(struct pf_parser *p, const char *stamp)
{
	struct pf_event	ev;
	char		line[256];
	int		n;

	n = snprintf(line, sizeof(line), "%s mx postfix/smtpd[1]: connect "
	    "from a[192.0.2.1]", stamp);
	assert_int_equal(pf_parse_line(p, line, (size_t)n, &ev), PF_EVENT);
	return (ev.time.year);
}

/* has_field - does the NULL-ended list fields set name (with its '=') */
static int
has_field(const char *const *fields, size_t n, const char *name)
{
	size_t		i;

	for (i = 0; i < n && fields[i] != NULL; i++)
		if (strncmp(fields[i], name, strlen(name)) == 0)
			return (1);
	return (0);
}

/*
 * journal_append - write n entries at the end of the journal file file
 * (created when missing; its name must end in ".journal") with the real
 * systemd-journal-remote reading the export format on stdin.
 *
 * Every entry gets _BOOT_ID JOURNAL_TEST_BOOT and __MONOTONIC_TIMESTAMP
 * equal to its realtime (unless e->fields sets them), so entries of one
 * boot sort by time across files too. A MESSAGE with control bytes is
 * written in the export format's binary form: newlines, NUL and any
 * byte stay as they are.
 *
 * journal-remote run again on the same file appends to it (it opens the
 * file and goes on after its last entry), and a reader that follows the
 * file (sd_journal_get_fd(), journal_fd()) is woken by the change and
 * sees the new entries: a test appends with further calls. A second
 * file in the same directory is seen too by a reader of the directory
 * (journal_opts.directory). Calls on one file must not overlap (one
 * writer at a time); each returns once the entries are in the file.
 *
 * Give the entries of one file increasing realtimes (sd-journal bisects
 * on them to seek). The file is made mode 0640 (root's, in the tests).
 * journal-remote rotates a file that grows past its size limit (about
 * 64 MB: FILE@....journal, and a new FILE): keep a test's files small.
 *
 * Returns 0, or -1 with journal-remote's complaint printed.
 */
int
journal_append(const char *file, const struct jentry *e, int n)
{
	char		*argv[] = { JOURNAL_REMOTE, "-o", (char *)file, "-",
			    NULL };
	char		*buf = NULL, want[64];
	size_t		 len = 0, ml, i, nf = sizeof(e->fields) /
			    sizeof(e->fields[0]);
	unsigned long long rt, le;
	struct run_result r;
	struct timespec	 ts;
	FILE		*fp;
	int		 k, b;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return (-1);
	for (k = 0; k < n; k++) {
		rt = e[k].realtime;
		if (rt == 0) {
			clock_gettime(CLOCK_REALTIME, &ts);
			rt = (unsigned long long)ts.tv_sec * 1000000 +
			    (unsigned long long)ts.tv_nsec / 1000;
		}
		fprintf(fp, "__REALTIME_TIMESTAMP=%llu\n", rt);
		if (!has_field(e[k].fields, nf, "__MONOTONIC_TIMESTAMP="))
			fprintf(fp, "__MONOTONIC_TIMESTAMP=%llu\n", rt);
		if (!has_field(e[k].fields, nf, "_BOOT_ID="))
			fprintf(fp, "_BOOT_ID=%s\n", JOURNAL_TEST_BOOT);
		if (e[k].host != NULL)
			fprintf(fp, "_HOSTNAME=%s\n", e[k].host);
		if (e[k].ident != NULL)
			fprintf(fp, "SYSLOG_IDENTIFIER=%s\n", e[k].ident);
		if (e[k].pid != 0)
			fprintf(fp, "SYSLOG_PID=%ld\n", e[k].pid);
		for (i = 0; i < nf && e[k].fields[i] != NULL; i++)
			fprintf(fp, "%s\n", e[k].fields[i]);
		ml = e[k].message == NULL ? 0 : e[k].msglen != 0 ?
		    e[k].msglen : strlen(e[k].message);
		for (i = 0, b = 0; i < ml; i++)
			if ((unsigned char)e[k].message[i] < ' ')
				b = 1;
		if (e[k].message != NULL && !b)
			fprintf(fp, "MESSAGE=%.*s\n", (int)ml, e[k].message);
		else if (e[k].message != NULL) {
			/* Binary form (journal-remote drops an empty one):
			 * NAME, newline, length (64-bit little endian), the
			 * bytes, newline. */
			fputs("MESSAGE\n", fp);
			for (le = ml, b = 0; b < 8; b++, le >>= 8)
				fputc((int)(le & 0xff), fp);
			fwrite(e[k].message, 1, ml, fp);
			fputc('\n', fp);
		}
		fputc('\n', fp);
	}
	if (fclose(fp) != 0) {
		free(buf);
		return (-1);
	}
	if (run_cmd(argv, buf, len, &r) == -1) {
		print_error("journal_append: cannot run %s: %s\n",
		    JOURNAL_REMOTE, strerror(errno));
		free(buf);
		return (-1);
	}
	free(buf);
	/* It says how many it wrote; fewer is a refused entry. */
	snprintf(want, sizeof(want), "writing %d entries", n);
	if (r.status != 0 || strstr(r.err, want) == NULL) {
		print_error("journal_append: %s -o %s: exit %d:\n",
		    JOURNAL_REMOTE, file, r.status);
		print_lines(r.err);
		run_free(&r);
		return (-1);
	}
	run_free(&r);
	return (0);
}

/* tmp_db - a new state database's name under /tmp, for what */
void
tmp_db(char *buf, size_t len, const char *what)
{
	snprintf(buf, len, "/tmp/fivefifty-%s-%d-%ld.db", what, (int)getpid(),
	    (long)random());
	unlink(buf);
}

/* rm_db - a database and its WAL files */
void
rm_db(const char *db)
{
	char	p[PATH_MAX];

	unlink(db);
	snprintf(p, sizeof(p), "%s-wal", db);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db);
	unlink(p);
}

/* prune_told - state_prune(st, now) with standard error into path, put
 * back before the caller can assert; its result, and what it logged in
 * *said (to free; "" when nothing could be read) */
int
prune_told(struct state *st, long long now, const char *path, char **said)
{
	size_t	len;
	int	saved, rc;

	saved = stderr_to(path);
	rc = state_prune(st, now);
	stderr_back(saved);
	if ((*said = read_file(path, &len)) == NULL)
		*said = strdup("");
	unlink(path);
	return (rc);
}

/* prunes_refused - three batches, each followed by a prune that a
 * trigger refuses with reason: each fails, and all three say the
 * reason once (fails the test otherwise); what the first logged, to
 * free */
char *
prunes_refused(struct state *st, long long now, const char *errlog,
    const char *reason)
{
	char	*said, *first = NULL;
	int	 i, rc, n = 0;

	for (i = 0; i < 3; i++) {
		state_put_evidence(st, "198.51.100.2", now + i);
		rc = prune_told(st, now, errlog, &said);
		print_message("%s", said);
		n += count_in(said, reason);
		if (first == NULL)
			first = said;
		else
			free(said);
		assert_int_equal(rc, -1);
	}
	if (n != 1)
		fail_msg("three failed prunes said %d times, not once", n);
	return (first);
}

/* prune_said_again - a prune that succeeds after failures: 0, and said
 * once */
void
prune_said_again(struct state *st, long long now, const char *errlog)
{
	char	*said;
	int	 rc;

	rc = prune_told(st, now, errlog, &said);
	print_message("%s", said);
	assert_int_equal(rc, 0);
	assert_int_equal(count_in(said, "the rows older than 30 days are "
	    "removed again"), 1);
	free(said);
}

/* count_in - the times needle is in text */
int
count_in(const char *text, const char *needle)
{
	const char	*p;
	int		 n = 0;

	for (p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return (n);
}

/* stderr_to - this process's standard error into the file path until
 * stderr_back(); the saved descriptor */
int
stderr_to(const char *path)
{
	int	saved = dup(2), fd;

	fflush(stderr);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	close(fd);
	return (saved);
}

/* stderr_back - standard error back where stderr_to() found it */
void
stderr_back(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
}

/* state_put_evidence - a batch of one piece of evidence against addr at
 * t, and the log time t, handed to the state's writer (not waited for) */
void
state_put_evidence(struct state *st, const char *addr, long long t)
{
	struct state_batch *b = state_batch_new();
	struct state_evidence e = { .addr = addr, .t = t, .weight = 1,
	    .rule = "sasl_fail", .detail = "" };

	assert_non_null(b);
	assert_int_equal(state_batch_evidence(b, &e), 0);
	assert_int_equal(state_batch_meta(b, "log_time", t), 0);
	assert_int_equal(state_write(st, b), 0);	/* takes b */
}

/* state_dump - what decides, from a state database (sqlite3 shell):
 * clients, evidence, bans, report facts, five-fifties, in a fixed order,
 * so that two states that decided the same compare equal */
char *
state_dump(const char *db)
{
	char	cmd[1024];

	snprintf(cmd, sizeof(cmd), SQLITE3 "%s \"SELECT addr, score, bans, "
	    "first_seen, last_seen, banned_until FROM clients ORDER BY addr; "
	    "SELECT addr, t, weight, rule, detail FROM evidence ORDER BY addr, "
	    "t, rule, detail, weight; SELECT addr, prefix_len, at, until, n, "
	    "reason FROM bans ORDER BY addr, at; SELECT kind, hour, value, "
	    "client, class, code, sum(n), min(first), max(last) FROM "
	    "activity_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, "
	    "6; SELECT * FROM fivefifties ORDER BY addr\"", db);
	return (sh(cmd, NULL));
}

/* kill_until_done - run argv again and again, each run killed (SIGKILL)
 * at a random point within span_us (the first within half of it), until
 * one ends by itself with status 0; the kills are added to *kills, which
 * must stay under cap. span_us is the time of a whole run, measured once:
 * under a load that grew since, a run may need longer than that to
 * commit anything, so the window doubles every 20 kills and the call
 * ends. */
void
kill_until_done(char *const *argv, long span_us, unsigned *seed, int *kills,
    int cap)
{
	posix_spawn_file_actions_t fa;
	pid_t		 pid;
	int		 st, here = 0, first = 1;

	for (;; first = 0) {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", 1, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", 1, 0);
		assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv,
		    environ), 0);
		posix_spawn_file_actions_destroy(&fa);
		*seed = *seed * 1103515245 + 12345;
		usleep((useconds_t)(2000 + (*seed >> 8) %
		    (unsigned)(first ? span_us / 2 : span_us)));
		if (waitpid(pid, &st, WNOHANG) == pid) {
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				return;
		} else {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			(*kills)++;
			if (++here % 20 == 0 && span_us < 60000000L)
				span_us *= 2;
		}
		assert_true(*kills < cap);
	}
}

/* nft_get4 - is addr an element of set (any: or in one of its ranges),
 * of table inet fivefifty: 1, 0, or -1 when nft keeps failing */
static int
nft_get4(const char *set, const char *addr, int any)
{
	char	 cmd[256], *out;
	int	 st, found, i;

	snprintf(cmd, sizeof(cmd), "nft get element inet fivefifty "
	    "%s '{ %s }' 2>&1", set, addr);
	for (i = 0; i < 20; i++) {
		out = sh(cmd, &st);
		if (st == 0 || strstr(out, "No such file or directory") !=
		    NULL) {
			found = st == 0 && (any || strstr(out, addr) !=
			    NULL);
			free(out);
			return (found);
		}
		if (i == 19)
			print_message("nft_in_set4 %s (set %s): nft failed "
			    "(exit %d): %s\n", addr, set, st, out);
		free(out);
		usleep(50000);
	}
	return (-1);
}

/* nft_in_set4 - is addr banned in the table inet fivefifty (of the
 * namespace the test is in; nft, the test's own): an element of the
 * address set offenders4, or inside a range of the networks' set
 * offenders4_nets. Only "no such element" (or table) means no: any
 * other failure of nft (a lookup that met a batch being committed, a
 * fork refused under load) is tried again, and said when it lasts, so
 * that a transient error never reads as an absent ban (one loaded run
 * saw an element, then not, 0.1 s later). */
int
nft_in_set4(const char *addr)
{
	int	 r;

	if ((r = nft_get4("offenders4", addr, 0)) != 0)
		return (r == 1);
	/* In a range nft prints the range, whose start is not addr. */
	return (nft_get4("offenders4_nets", addr, 1) == 1);
}

/* log_sessions - n smtpd sessions of addr stamped t, appended to path:
 * five-fifties (a 554 for the sender), or accepted mails (good); 3 lines
 * each */
void
log_sessions(const char *path, const char *addr, int n, int good, time_t t)
{
	FILE		*fp = fopen(path, "a");
	char		 ts[64];
	int		 i;

	assert_non_null(fp);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000000+00:00",
	    gmtime(&t));
	for (i = 0; i < n; i++) {
		int pid = 1000 + (int)(random() % 30000);

		fprintf(fp, "%s mx postfix/smtpd[%d]: connect from "
		    "mail.example.org[%s]\n", ts, pid, addr);
		if (good)
			fprintf(fp, "%s mx postfix/smtpd[%d]: 4B2C31A2B3: "
			    "client=mail.example.org[%s]\n", ts, pid, addr);
		else
			fprintf(fp, "%s mx postfix/smtpd[%d]: NOQUEUE: reject: "
			    "RCPT from mail.example.org[%s]: 554 5.7.1 "
			    "<x@spammer.example>: Sender address rejected: "
			    "Access denied; from=<x@spammer.example> "
			    "to=<alice@example.test> proto=ESMTP "
			    "helo=<mail.example.org>\n", ts, pid, addr);
		fprintf(fp, "%s mx postfix/smtpd[%d]: disconnect from "
		    "mail.example.org[%s] ehlo=1 mail=1 rcpt=%s quit=1 "
		    "commands=%s\n", ts, pid, addr, good ? "1 data=1" : "0/1",
		    good ? "5" : "3/4");
	}
	fclose(fp);
}

static char	*saved_tz;	/* tz_utc()'s, for tz_restore() */

/* tz_utc - setup: local time is UTC for the binary and its reports */
int
tz_utc(void **state)
{
	const char	*tz = getenv("TZ");

	(void)state;
	saved_tz = tz != NULL ? strdup(tz) : NULL;
	setenv("TZ", "UTC", 1);
	tzset();
	return (0);
}

/* tz_restore - teardown: the TZ the tests started with */
int
tz_restore(void **state)
{
	(void)state;
	if (saved_tz != NULL)
		setenv("TZ", saved_tz, 1);
	else
		unsetenv("TZ");
	free(saved_tz);
	saved_tz = NULL;
	tzset();
	return (0);
}

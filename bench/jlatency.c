/*	$fivefifty: jlatency.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	jlatency 1 - ban latency of a daemon reading the journal
 * SYNOPSIS
 *	jlatency [-n offenders] [-g gap_ms] [-t timeout_s] LOG2EXPORT
 *	    REMOTE JOURNAL TMPDIR
 * DESCRIPTION
 *	Drives `fivefifty run` with log_source = journal (bench/journal.sh
 *	runs it in a private network namespace) through the journal file
 *	JOURNAL in its journal_directory, and watches its set offenders4 of
 *	table inet fivefifty through a netlink socket in the nf_tables
 *	multicast group, as `nft monitor` does: the time an address is in
 *	the set is when the kernel's NEWSETELEM notification for it is
 *	received, with no polling.
 *
 *	An offender is the odd address 127.1.0.1 + 2i (odd, so no two bans
 *	are adjacent ranges, and not 127.0.0.1). Its six five-fifty
 *	sessions (connect, 554 reject, disconnect; 18 lines stamped now in
 *	RFC 3339, as sessions() of tests/test_journal_run.c writes them)
 *	are written to TMPDIR/offender.log and turned into the journal
 *	export format by LOG2EXPORT (tests/log2export.py) before any clock
 *	starts. t0 is taken just before REMOTE (systemd-journal-remote -o
 *	JOURNAL -) is started on that export, t1 when it has exited (the
 *	entries are in JOURNAL), tset when the notification for the address
 *	arrives; it may arrive before t1, as journal-remote tells readers of
 *	each entry as it writes it. tvis is when a reader of the journal
 *	(our own sd-journal on JOURNAL's directory, woken as the daemon's
 *	is) has read the offender's twelfth entry, the end of the fourth
 *	session, which bans (three retries after a 554): tset - tvis is
 *	fivefifty's own share. The next offender starts gap_ms (default 20)
 *	after all three. Offender 0 only warms up (JOURNAL is created, the
 *	daemon watches it) and is not counted; then offenders (default 50)
 *	are.
 *
 *	Prints key=value lines for bench/journal.sh: offenders, the
 *	minimum, median, p95 and maximum in microseconds of remote_us
 *	(t1 - t0), after_us (tset - t1; negative when the ban came first),
 *	write_us (tset - t0) and own_us (tset - tvis), and early (how many
 *	bans came before t1), netlink_overruns.
 * SECURITY
 *	Run as root in a private network namespace (it only reads the
 *	nf_tables notifications; the daemon makes the changes). The
 *	programs are run with a fixed argv, no shell.
 * DIAGNOSTICS
 *	Exit 1 with a message when a program fails, a ban is missing after
 *	timeout_s (default 10), or the netlink socket fails; 64 on a usage
 *	error.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <systemd/sd-journal.h>

#define TABLE		"fivefifty"
#define SET4		"offenders4"
#define PROBE_NET	0x7f010001U	/* 127.1.0.1, odd addresses on */
#define PROBE_MAX	32000		/* within 127.1.0.0/16 */
#define SESSIONS	6		/* per offender, as the tests */
#define TIPPING		12		/* entries up to the end of the
					 * fourth session, which bans */
#define NS		1000000000LL

extern char	**environ;

struct sample {
	long long	 t0, t1, tvis, tset;	/* 0: not yet */
};

struct bench {
	struct mnl_socket *mon;
	int		 monfd;
	sd_journal	*j;		/* our own reader of the directory */
	int		 jfd;
	uint32_t	 want;		/* the address awaited, host order */
	char		 tag[INET_ADDRSTRLEN + 2];	/* "[addr]" */
	int		 seen;		/* its entries read so far */
	long long	 tvis, tset;	/* when; 0: not yet */
	unsigned long	 overruns;
};

static void	 die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

/* die - a message, exit 1 */
static void
die(const char *fmt, ...)
{
	va_list		ap;

	fputs("jlatency: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* mono - CLOCK_MONOTONIC in ns */
static long long
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * NS + ts.tv_nsec);
}

/* probe_addr - offender i's address, host order and text */
static uint32_t
probe_addr(int i, char *buf, size_t len)
{
	struct in_addr	a;
	uint32_t	h = PROBE_NET + 2 * (uint32_t)i;

	a.s_addr = htonl(h);
	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
	return (h);
}

/* write_sessions - offender addr's sessions, stamped now, into path */
static void
write_sessions(const char *path, const char *addr, int i)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 stamp[64];
	size_t		 n;
	int		 k, pid;
	FILE		*fp;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%06ld+00:00",
	    ts.tv_nsec / 1000);
	if ((fp = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	for (k = 0; k < SESSIONS; k++) {
		pid = 10000 + i * SESSIONS + k;
		fprintf(fp, "%s mx postfix/smtpd[%d]: connect from "
		    "mail.example.org[%s]\n", stamp, pid, addr);
		fprintf(fp, "%s mx postfix/smtpd[%d]: NOQUEUE: reject: "
		    "RCPT from mail.example.org[%s]: 554 5.7.1 "
		    "<x@spammer.example>: Sender address rejected: "
		    "Access denied; from=<x@spammer.example> "
		    "to=<alice@example.test> proto=ESMTP "
		    "helo=<mail.example.org>\n", stamp, pid, addr);
		fprintf(fp, "%s mx postfix/smtpd[%d]: disconnect from "
		    "mail.example.org[%s] ehlo=1 mail=1 rcpt=0/1 quit=1 "
		    "commands=3/4\n", stamp, pid, addr);
	}
	if (fclose(fp) == EOF)
		die("%s: %s", path, strerror(errno));
}

/* spawn - argv with stdin from in, stdout to out, stderr to err; its
 * pid */
static pid_t
spawn(char *const argv[], const char *in, const char *out, const char *err)
{
	posix_spawn_file_actions_t fa;
	pid_t		 pid;
	int		 rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT |
	    O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT |
	    O_TRUNC, 0644);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		die("%s: %s", argv[0], strerror(rc));
	return (pid);
}

/* reaped - a child's exit status st must be 0 (else its stderr, err, is
 * shown) */
static void
reaped(int st, const char *what, const char *err)
{
	char		 buf[2048];
	size_t		 n = 0;
	FILE		*fp;

	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return;
	if ((fp = fopen(err, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	die("%s failed (status %d): %s", what, st, buf);
}

/* mon_open - a socket in the nf_tables multicast group */
static void
mon_open(struct bench *b)
{
	int		sz = 8 << 20;

	if ((b->mon = mnl_socket_open(NETLINK_NETFILTER)) == NULL)
		die("netlink socket: %s", strerror(errno));
	if (mnl_socket_bind(b->mon, 1 << (NFNLGRP_NFTABLES - 1),
	    MNL_SOCKET_AUTOPID) == -1)
		die("netlink bind: %s", strerror(errno));
	b->monfd = mnl_socket_get_fd(b->mon);
	(void)setsockopt(b->monfd, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
	    sizeof(sz));
}

/* elem_cb - one element of a NEWSETELEM notification: the awaited
 * address? */
static int
elem_cb(struct nftnl_set_elem *e, void *arg)
{
	struct bench	*b = arg;
	const void	*key;
	uint32_t	 len, a, flags = 0;

	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
	if (key == NULL || len != 4)
		return (0);
	if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS))
		flags = nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS);
	if (flags & NFT_SET_ELEM_INTERVAL_END)
		return (0);
	memcpy(&a, key, 4);
	if (ntohl(a) == b->want && b->tset == 0)
		b->tset = mono();
	return (0);
}

/* mon_read - drain the notifications; NEWSETELEM of our set count */
static void
mon_read(struct bench *b)
{
	char		 buf[1 << 16];
	struct nlmsghdr	*nlh;
	struct nftnl_set *s;
	const char	*t, *n;
	ssize_t		 got;
	int		 len;

	for (;;) {
		got = recv(b->monfd, buf, sizeof(buf), MSG_DONTWAIT);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1 && errno == ENOBUFS) {
			b->overruns++;	/* a missed ban then times out */
			continue;
		}
		if (got == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (got <= 0)
			die("netlink receive: %s", got == 0 ? "closed" :
			    strerror(errno));
		len = (int)got;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		    nlh = mnl_nlmsg_next(nlh, &len)) {
			if (NFNL_SUBSYS_ID(nlh->nlmsg_type) !=
			    NFNL_SUBSYS_NFTABLES ||
			    NFNL_MSG_TYPE(nlh->nlmsg_type) !=
			    NFT_MSG_NEWSETELEM)
				continue;
			if ((s = nftnl_set_alloc()) == NULL)
				die("out of memory");
			if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0 &&
			    (t = nftnl_set_get_str(s, NFTNL_SET_TABLE)) !=
			    NULL && strcmp(t, TABLE) == 0 &&
			    (n = nftnl_set_get_str(s, NFTNL_SET_NAME)) !=
			    NULL && strcmp(n, SET4) == 0)
				(void)nftnl_set_elem_foreach(s, elem_cb, b);
			nftnl_set_free(s);
		}
	}
}

/* j_open - our own sd-journal reader of the directory of path, from
 * its start (the directory holds this run's entries only) */
static void
j_open(struct bench *b, const char *path)
{
	char		dir[PATH_MAX], *slash;
	int		r;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		die("%s: not a path with a directory", path);
	*slash = '\0';
	if ((r = sd_journal_open_directory(&b->j, dir, 0)) < 0)
		die("%s: sd_journal_open_directory: %s", dir, strerror(-r));
	if ((b->jfd = sd_journal_get_fd(b->j)) < 0)
		die("%s: sd_journal_get_fd: %s", dir, strerror(-b->jfd));
	if ((r = sd_journal_seek_head(b->j)) < 0)
		die("%s: sd_journal_seek_head: %s", dir, strerror(-r));
}

/* j_read - the entries readable now: when the TIPPING-th entry of the
 * awaited address is among them, as a reader of the journal sees it */
static void
j_read(struct bench *b)
{
	const void	*d;
	size_t		 len;
	int		 r;

	if ((r = sd_journal_process(b->j)) < 0)
		die("sd_journal_process: %s", strerror(-r));
	while ((r = sd_journal_next(b->j)) > 0) {
		if (sd_journal_get_data(b->j, "MESSAGE", &d, &len) < 0)
			continue;
		if (memmem(d, len, b->tag, strlen(b->tag)) != NULL &&
		    ++b->seen == TIPPING && b->tvis == 0)
			b->tvis = mono();
	}
	if (r < 0)
		die("sd_journal_next: %s", strerror(-r));
}

/* offender - offender i written to the journal and awaited in the set */
static void
offender(struct bench *b, int i, char **argv, long long timeout,
    struct sample *sm)
{
	char		 addr[INET_ADDRSTRLEN], text[PATH_MAX];
	char		 exp[PATH_MAX], err[PATH_MAX];
	char		*conv[] = { argv[0], NULL };
	char		*remote[] = { argv[1], "-o", argv[2], "-", NULL };
	struct pollfd	 pfd[3];
	long long	 deadline;
	pid_t		 pid;
	int		 pidfd, st;

	snprintf(text, sizeof(text), "%s/offender.log", argv[3]);
	snprintf(exp, sizeof(exp), "%s/offender.export", argv[3]);
	snprintf(err, sizeof(err), "%s/offender.err", argv[3]);
	b->want = probe_addr(i, addr, sizeof(addr));
	write_sessions(text, addr, i);
	pid = spawn(conv, text, exp, err);
	if (waitpid(pid, &st, 0) == -1)
		die("waitpid: %s", strerror(errno));
	reaped(st, argv[0], err);
	mon_read(b);			/* nothing stale counts */
	j_read(b);
	snprintf(b->tag, sizeof(b->tag), "[%s]", addr);
	b->seen = 0;
	b->tvis = b->tset = 0;

	sm->t0 = mono();
	pid = spawn(remote, exp, "/dev/null", err);
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		die("pidfd_open: %s", strerror(errno));
	deadline = sm->t0 + timeout;
	sm->t1 = 0;
	while (sm->t1 == 0 || b->tset == 0 || b->tvis == 0) {
		long long	left = deadline - mono();

		if (left <= 0)
			die("%s (offender %d) not in %s %s %.0f s after the "
			    "write%s; is the daemon reading %s?", addr, i,
			    TABLE, SET4, (double)timeout / NS, sm->t1 == 0 ?
			    " (journal-remote still running)" : b->tvis == 0 ?
			    " (nor read from the journal here)" : "",
			    argv[2]);
		pfd[0].fd = b->monfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sm->t1 == 0 ? pidfd : -1;
		pfd[1].events = POLLIN;
		pfd[2].fd = b->jfd;
		pfd[2].events = (short)sd_journal_get_events(b->j);
		if (poll(pfd, 3, (int)(left / 1000000) + 1) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd[0].revents != 0)
			mon_read(b);
		if (pfd[2].revents != 0)
			j_read(b);
		if (sm->t1 == 0 && pfd[1].revents != 0) {
			sm->t1 = mono();
			if (waitpid(pid, &st, 0) == -1)
				die("waitpid: %s", strerror(errno));
			reaped(st, argv[1], err);
			close(pidfd);
		}
	}
	sm->tset = b->tset;
	sm->tvis = b->tvis;
}

/* cmp_ll - for qsort */
static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return (x < y ? -1 : x > y);
}

/* pct - the q-quantile (nearest rank) of n sorted values, in us */
static long long
pct(const long long *v, size_t n, double q)
{
	size_t		k = (size_t)(q * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	return (v[(k > n ? n : k) - 1] / 1000);
}

/* summary - name_min_us, _p50_us, _p95_us, _max_us of v (sorted here) */
static void
summary(const char *name, long long *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	printf("%s_min_us=%lld\n%s_p50_us=%lld\n%s_p95_us=%lld\n"
	    "%s_max_us=%lld\n", name, v[0] / 1000, name, pct(v, n, 0.5),
	    name, pct(v, n, 0.95), name, v[n - 1] / 1000);
}

/* number - a whole option value within 1..max */
static long
number(const char *s, long max)
{
	char		*end;
	long		 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "jlatency: bad number: %s (1..%ld)\n", s, max);
		exit(64);
	}
	return (v);
}

/* main - the warm-up offender, then the counted ones */
int
main(int argc, char **argv)
{
	struct bench	 b;
	struct sample	*sm;
	long long	*remote, *after, *wr, *own, timeout = 10 * NS;
	long long	 gap = 20000000LL;
	int		 n = 50, ch, i, early = 0;
	struct timespec	 ts;

	while ((ch = getopt(argc, argv, "g:n:t:")) != -1) {
		switch (ch) {
		case 'g':
			gap = number(optarg, 10000) * 1000000LL;
			break;
		case 'n':
			n = (int)number(optarg, PROBE_MAX - 1);
			break;
		case 't':
			timeout = number(optarg, 3600) * NS;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4)
		goto usage;
	if ((sm = calloc((size_t)n + 1, sizeof(*sm))) == NULL ||
	    (remote = calloc((size_t)n, sizeof(*remote))) == NULL ||
	    (after = calloc((size_t)n, sizeof(*after))) == NULL ||
	    (wr = calloc((size_t)n, sizeof(*wr))) == NULL ||
	    (own = calloc((size_t)n, sizeof(*own))) == NULL)
		die("out of memory");
	memset(&b, 0, sizeof(b));
	mon_open(&b);
	j_open(&b, argv[2]);

	ts.tv_sec = gap / NS;
	ts.tv_nsec = gap % NS;
	for (i = 0; i <= n; i++) {
		offender(&b, i, argv, timeout, &sm[i]);
		if (i > 0) {
			remote[i - 1] = sm[i].t1 - sm[i].t0;
			after[i - 1] = sm[i].tset - sm[i].t1;
			wr[i - 1] = sm[i].tset - sm[i].t0;
			own[i - 1] = sm[i].tset - sm[i].tvis;
			if (sm[i].tset < sm[i].t1)
				early++;
		}
		nanosleep(&ts, NULL);
	}
	printf("offenders=%d\nearly=%d\nnetlink_overruns=%lu\n", n, early,
	    b.overruns);
	summary("remote", remote, (size_t)n);
	summary("after", after, (size_t)n);
	summary("write", wr, (size_t)n);
	summary("own", own, (size_t)n);
	return (0);

usage:
	fprintf(stderr, "usage: jlatency [-n offenders] [-g gap_ms] "
	    "[-t timeout_s] LOG2EXPORT REMOTE JOURNAL TMPDIR\n");
	return (64);
}

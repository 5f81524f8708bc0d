/*	$fivefifty: latency.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	latency 1 - a running daemon's ban latency, CPU and memory
 * SYNOPSIS
 *	latency [-i idle_secs] [-n bans] [-r rate] [-b busy_secs]
 *	    [-R fast_rate] [-B fast_secs] [-k offenders] [-m loaded_bans]
 *	    [-L loaded_secs] [-p period_ms] PID LOG CORPUS...
 * DESCRIPTION
 *	Drives `fivefifty run` (process PID, in its own network namespace:
 *	bench/latency.sh) through the log it follows, LOG, and watches its
 *	set offenders4 of table inet fivefifty through a netlink socket in
 *	the nf_tables multicast group, as `nft monitor` does.
 *
 *	An offender is a fresh odd address of 198.18.0.0/15 (RFC 2544's
 *	benchmarking network; odd, so no two bans are adjacent ranges).
 *	Three five-fifty sessions (connect, 554 reject, disconnect, with
 *	the time now in RFC 3339) are appended in one write(2); they do
 *	not ban yet: the first is remembered, two retries weigh 2 x 4
 *	under the default ban_threshold of 10. 20 ms later the fourth
 *	session, the third retry (fivefifty_retries), goes in one
 *	write(2): t0 just before it. t1 is when the kernel's NEWSETELEM
 *	notification for the address has been received; the latency is
 *	t1 - t0. An address banned by its first three sessions, or not in
 *	the set 2 s after its fourth, is an error.
 *
 *	The phases, in order:
 *
 *	idle: idle_secs (default 20) with nothing written.
 *
 *	lat: bans (default 300) offenders one after another; the next
 *	starts 20 ms after the ban, from an idle daemon.
 *
 *	busy, fast: rate (default 1000) corpus lines a second for
 *	busy_secs (default 30), then fast_rate (default 10000; 0 skips
 *	it) for fast_secs (default 10), each line its own write(2). The
 *	lines are the real lines of the CORPUS files, in order and over
 *	again when they run out, their time stamp replaced by the time of
 *	the write (RFC 3339, UTC). Every period_ms (default 250) an
 *	offender is banned as above, in between: the latency under load,
 *	and a check that the daemon keeps up.
 *
 *	load: offenders (default 10000; -k 0 skips the last three phases)
 *	of 100.64.0.0/10, four sessions each, written at once, then one
 *	offender as above: the phase lasts until all are banned (the last
 *	offender's lines come after the others', so its ban is the last).
 *	load_wall_us is the phase: from the first write to that ban;
 *	load_write_us the writes of the burst alone; the latency figures
 *	of the phase are the last offender's, from its own write.
 *
 *	loaded: loaded_bans (default 100) one after another, as lat, with
 *	those bans in force; loadbusy: the busy log (rate) for loaded_secs
 *	(default 10).
 *
 *	For each phase: the daemon's CPU time (its process CPU clock, all
 *	threads), its wake-ups (context switches of all its threads), its
 *	resident memory (VmRSS at the start, the end, and its peak sampled
 *	every 100 ms), the ranges in the set at the start, and the ban
 *	latencies. Prints key=value lines for bench/latency.sh, named
 *	PHASE_what: times in microseconds (_us), memory in KiB (_kb), CPU
 *	in percent of one CPU.
 * SECURITY
 *	Run as root in a private network namespace (it only reads the
 *	nf_tables notifications; the daemon makes the changes).
 * DIAGNOSTICS
 *	Exit 1 with a message when a ban is missing or early, or the
 *	daemon or the netlink socket fails; 64 on a usage error.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>

#define TABLE		"fivefifty"
#define SET4		"offenders4"
#define PROBE_NET	0xc6120000U	/* 198.18.0.0/15 */
#define PROBE_MAX	65536		/* odd addresses of the /15 */
#define LOAD_NET	0x64400000U	/* 100.64.0.0/10 */
#define LOAD_MAX	1000000		/* offenders of a burst */
#define SESSION_MAX	1024		/* one session's lines */
#define KEYS		(1U << 22)	/* slots of the hash of set keys */
#define KEY_FREE	0U
#define KEY_GONE	1U		/* a deleted slot (0.0.0.1: not ours) */
#define PRIMES		3		/* sessions that do not ban yet */
#define LEAD_NS		20000000LL	/* primes to the tipping session */
#define GAP_NS		20000000LL	/* a ban to the next offender */
#define TIMEOUT_NS	2000000000LL	/* a tipping session to its ban */
#define SAMPLE_NS	100000000LL	/* memory samples */
#define LINE_MAX_IN	8192		/* corpus lines longer are skipped */
#define NS		1000000000LL

enum { P_FREE, P_PRIMED, P_TIPPED, P_BANNED };

struct probe {
	long long	 tip_at;	/* when the tipping session is due */
	long long	 t0, t1;
	int		 state;
};

struct corpus {
	char		**line;		/* " host prog[pid]: text", no \n */
	size_t		 n, cap, next;
};

struct phase {
	const char	*name;
	double		 rate;		/* corpus lines a second */
	long long	 dur_ns;	/* 0: until nbans are banned */
	int		 nbans;		/* one after another (latency) */
	long long	 period_ns;	/* one every period (busy) */
	int		 burst;		/* offenders written at once first */
	long long	 lead_ns;	/* primes to the tipping session */
	long long	 timeout_ns;	/* the tipping session to the ban */
	/* results */
	unsigned long	 lines;
	long long	 wall_ns, cpu_ns, ctx;
	long long	 write_ns;	/* the burst's write(2)s, from start */
	long		 rss0, rss_peak, rss1;
	long		 inset;		/* ranges in the set at the start */
	long long	*lat;		/* ns */
	size_t		 nlat;
};

struct bench {
	pid_t		 pid;
	clockid_t	 cpuclock;
	int		 logfd, monfd;
	struct mnl_socket *mon;
	struct corpus	 c;
	struct probe	*probe;
	int		 nprobe;	/* used so far */
	unsigned long	 sessno;
	unsigned long	 overruns;
	uint32_t	*keys;		/* the set's range starts (hash) */
	long		 inset;		/* how many */
	int		 del;		/* the message being read deletes */
	struct phase	*ph;		/* the one running */
};

static void	 die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

/* die - a message, exit 1 */
static void
die(const char *fmt, ...)
{
	va_list		ap;

	fputs("latency: ", stderr);
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

/* cpu_ns - the daemon's CPU time, all threads, in ns */
static long long
cpu_ns(struct bench *b)
{
	struct timespec	ts;

	if (clock_gettime(b->cpuclock, &ts) == -1)
		die("daemon %ld: CPU clock: %s", (long)b->pid,
		    strerror(errno));
	return ((long long)ts.tv_sec * NS + ts.tv_nsec);
}

/* status_kb - a "Key: N kB" field of /proc/PID/status, or -1 */
static long
status_kb(pid_t pid, const char *key)
{
	char		 path[64], line[256];
	size_t		 klen = strlen(key);
	long		 v = -1;
	FILE		*fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		die("daemon %ld is gone", (long)pid);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			v = strtol(line + klen + 1, NULL, 10);
			break;
		}
	fclose(fp);
	return (v);
}

/* ctx_switches - context switches of all the daemon's threads */
static long long
ctx_switches(pid_t pid)
{
	char		 path[320], line[256];
	struct dirent	*de;
	long long	 n = 0;
	DIR		*d;
	FILE		*fp;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((d = opendir(path)) == NULL)
		die("daemon %ld is gone", (long)pid);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/status",
		    (long)pid, de->d_name);
		if ((fp = fopen(path, "r")) == NULL)
			continue;	/* a thread that just ended */
		while (fgets(line, sizeof(line), fp) != NULL)
			if (strstr(line, "ctxt_switches:") != NULL)
				n += strtoll(strchr(line, ':') + 1, NULL, 10);
		fclose(fp);
	}
	closedir(d);
	return (n);
}

/* stamp - the time now as RFC 3339 with microseconds, UTC; its length */
static int
stamp(char *buf, size_t len)
{
	struct timespec	ts;
	struct tm	tm;
	size_t		n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	return ((int)n + snprintf(buf + n, len - n, ".%06ld+00:00",
	    ts.tv_nsec / 1000));
}

/* put - write(2) all of buf to the log */
static void
put(struct bench *b, const char *buf, size_t len)
{
	ssize_t		n;

	while (len > 0) {
		if ((n = write(b->logfd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			die("log write: %s", strerror(errno));
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* addr_text - the odd address i of a network, text */
static void
addr_text(uint32_t net, int i, char *buf, size_t len)
{
	struct in_addr	a;

	a.s_addr = htonl(net + 2 * (uint32_t)i + 1);
	inet_ntop(AF_INET, &a, buf, (socklen_t)len);
}

/* probe_addr - offender i's address, text */
static void
probe_addr(int i, char *buf, size_t len)
{
	addr_text(PROBE_NET, i, buf, len);
}

/* cat - n bytes of s at p; the end */
static char *
cat(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return (p + n);
}
#define CAT(p, lit)	cat((p), (lit), sizeof(lit) - 1)

/* session_text - n five-fifty sessions of addr, stamped ts, into buf
 * (at least n * SESSION_MAX bytes); their length. Put together piece by
 * piece, not by snprintf(3): the bench's own CPU competes with the
 * daemon's on a small machine (its 600,000 lines of a burst cost it
 * 0.14 s of CPU that way) */
static size_t
session_text(struct bench *b, const char *addr, const char *ts, int n,
    char *buf)
{
	char		 pid[16], *p = buf, *start;
	size_t		 al = strlen(addr), tl = strlen(ts), pl;
	int		 k, i;

	if (al > 64 || tl > 64)
		die("session_text: address or stamp too long");
	for (k = 0; k < n; k++) {
		pl = (size_t)snprintf(pid, sizeof(pid), "%d",
		    10000 + (int)(b->sessno++ % 900000));
		start = p;
		for (i = 0; i < 3; i++) {
			p = cat(p, ts, tl);
			p = CAT(p, " benchmx postfix/smtpd[");
			p = cat(p, pid, pl);
			if (i == 0)
				p = CAT(p, "]: connect from mail.example.org[");
			else if (i == 1)
				p = CAT(p, "]: NOQUEUE: reject: RCPT from "
				    "mail.example.org[");
			else
				p = CAT(p, "]: disconnect from "
				    "mail.example.org[");
			p = cat(p, addr, al);
			if (i == 0)
				p = CAT(p, "]\n");
			else if (i == 1)
				p = CAT(p, "]: 554 5.7.1 <x@spammer.example>: "
				    "Sender address rejected: Access denied; "
				    "from=<x@spammer.example> "
				    "to=<alice@example.test> proto=ESMTP "
				    "helo=<mail.example.org>\n");
			else
				p = CAT(p, "] ehlo=1 mail=1 rcpt=0/1 quit=1 "
				    "commands=3/4\n");
		}
		if (p - start > SESSION_MAX)	/* 810 bytes at most */
			die("session_text: buffer too small");
	}
	return ((size_t)(p - buf));
}

/* sessions - n five-fifty sessions of offender i, in one write(2);
 * the time just before the write */
static long long
sessions(struct bench *b, int i, int n)
{
	char		 buf[(PRIMES + 1) * SESSION_MAX], ts[64];
	char		 addr[INET_ADDRSTRLEN];
	long long	 t;
	size_t		 len;

	probe_addr(i, addr, sizeof(addr));
	stamp(ts, sizeof(ts));
	len = session_text(b, addr, ts, n, buf);
	t = mono();
	put(b, buf, len);
	return (t);
}

/* burst - PRIMES + 1 sessions of each of k offenders of LOAD_NET, as
 * fast as write(2) takes them (whole sessions, about 64 KiB a write) */
static void
burst(struct bench *b, int k)
{
	char		 buf[65536 + (PRIMES + 1) * SESSION_MAX], ts[64];
	char		 addr[INET_ADDRSTRLEN];
	size_t		 len = 0;
	int		 i;

	stamp(ts, sizeof(ts));
	for (i = 0; i < k; i++) {
		addr_text(LOAD_NET, i, addr, sizeof(addr));
		len += session_text(b, addr, ts, PRIMES + 1, buf + len);
		if (len >= 65536) {
			put(b, buf, len);
			len = 0;
		}
	}
	put(b, buf, len);
}

/* corpus_line - one more corpus line to the log, stamped now */
static void
corpus_line(struct bench *b)
{
	char		 buf[LINE_MAX_IN + 64];
	const char	*rest = b->c.line[b->c.next];
	size_t		 n, r = strlen(rest);

	b->c.next = (b->c.next + 1) % b->c.n;
	n = (size_t)stamp(buf, sizeof(buf));
	memcpy(buf + n, rest, r);
	n += r;
	buf[n++] = '\n';
	put(b, buf, n);
}

/* strip_stamp - where a log line's text after its time stamp starts:
 * RFC 3339, or the syslog "Mmm dd hh:mm:ss" (any day text before the
 * time, as the modoboa template's); NULL if neither */
static const char *
strip_stamp(const char *s)
{
	const char	*p;

	if (strlen(s) > 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T')
		return (strchr(s, ' '));
	for (p = s; *p != '\0' && p - s < 24; p++)
		if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
		    p[2] == ':' && p[3] >= '0' && p[3] <= '9' && p[4] >= '0' &&
		    p[4] <= '9' && p[5] == ':' && p[6] >= '0' && p[6] <= '9' &&
		    p[7] >= '0' && p[7] <= '9' && p[8] == ' ')
			return (p + 8);
	return (NULL);
}

/* load - the corpus files' lines, without their time stamps */
static void
load(struct corpus *c, char **files, int n)
{
	char		 line[LINE_MAX_IN];
	const char	*rest;
	size_t		 len;
	FILE		*fp;
	int		 i;

	for (i = 0; i < n; i++) {
		if ((fp = fopen(files[i], "r")) == NULL)
			die("%s: %s", files[i], strerror(errno));
		while (fgets(line, sizeof(line), fp) != NULL) {
			len = strlen(line);
			if (len == 0 || line[len - 1] != '\n')
				continue;	/* too long, or no end */
			line[len - 1] = '\0';
			if ((rest = strip_stamp(line)) == NULL)
				continue;
			if (c->n == c->cap) {
				c->cap = c->cap ? c->cap * 2 : 65536;
				if ((c->line = realloc(c->line, c->cap *
				    sizeof(*c->line))) == NULL)
					die("out of memory");
			}
			if ((c->line[c->n++] = strdup(rest)) == NULL)
				die("out of memory");
		}
		fclose(fp);
	}
	if (c->n == 0)
		die("no lines in the corpus");
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

/* banned - the kernel put offender i into the set at time t */
static void
banned(struct bench *b, int i, long long t)
{
	struct probe	*p = &b->probe[i];
	struct phase	*ph = b->ph;
	char		 addr[INET_ADDRSTRLEN];

	probe_addr(i, addr, sizeof(addr));
	if (p->state == P_PRIMED)
		die("%s was banned by its first %d sessions: the scoring "
		    "is not the default one", addr, PRIMES);
	if (p->state != P_TIPPED)
		return;		/* a refresh, or not one of this run's */
	p->state = P_BANNED;
	p->t1 = t;
	ph->lat[ph->nlat++] = t - p->t0;
}

/* track - the set's keys: a range start added (on) or deleted */
static void
track(struct bench *b, uint32_t a, int on)
{
	uint32_t	h = (a * 2654435761U) & (KEYS - 1), gone = KEYS;
	size_t		n;

	if (a == KEY_FREE || a == KEY_GONE)
		return;
	for (n = 0; n < KEYS; n++, h = (h + 1) & (KEYS - 1)) {
		if (b->keys[h] == a) {
			if (!on) {
				b->keys[h] = KEY_GONE;
				b->inset--;
			}
			return;
		}
		if (b->keys[h] == KEY_GONE && gone == KEYS)
			gone = h;
		if (b->keys[h] == KEY_FREE)
			break;
	}
	if (!on)
		return;
	if (gone == KEYS && n == KEYS)
		die("more than %u keys in the set", KEYS);
	b->keys[gone != KEYS ? gone : h] = a;
	b->inset++;
}

/* elem_cb - one element of a NEWSETELEM or DELSETELEM notification */
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
	a = ntohl(a);
	track(b, a, !b->del);
	if (b->del)
		return (0);
	if (a < PROBE_NET || a >= PROBE_NET + 2 * PROBE_MAX || !(a & 1))
		return (0);
	if ((int)((a - PROBE_NET) / 2) < b->nprobe)
		banned(b, (int)((a - PROBE_NET) / 2), mono());
	return (0);
}

/* mon_read - drain the notifications; the ones of our set count */
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
			    (NFNL_MSG_TYPE(nlh->nlmsg_type) !=
			    NFT_MSG_NEWSETELEM &&
			    NFNL_MSG_TYPE(nlh->nlmsg_type) !=
			    NFT_MSG_DELSETELEM))
				continue;
			b->del = NFNL_MSG_TYPE(nlh->nlmsg_type) ==
			    NFT_MSG_DELSETELEM;
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

/* new_probe - prime a fresh offender, to tip lead ns later; its index */
static int
new_probe(struct bench *b, long long now, long long lead)
{
	struct probe	*p;
	int		 i;

	if (b->nprobe == PROBE_MAX)
		die("more than %d offenders", PROBE_MAX);
	i = b->nprobe++;
	p = &b->probe[i];
	p->state = P_PRIMED;
	(void)sessions(b, i, PRIMES);
	p->tip_at = now + lead;
	return (i);
}

/* run - one phase: write, ban, measure */
static void
run(struct bench *b, struct phase *ph)
{
	struct timespec	 to;
	struct pollfd	 pfd;
	long long	 start, now, next_probe, next_sample, wake, due;
	int		 first = b->nprobe, open = 0, started = 0, i, stop;

	b->ph = ph;
	if ((ph->lat = calloc(PROBE_MAX, sizeof(*ph->lat))) == NULL)
		die("out of memory");
	ph->rss0 = ph->rss_peak = status_kb(b->pid, "VmRSS");
	mon_read(b);
	ph->inset = b->inset;
	ph->ctx = ctx_switches(b->pid);
	ph->cpu_ns = cpu_ns(b);
	start = mono();
	if (ph->burst > 0) {
		burst(b, ph->burst);
		ph->write_ns = mono() - start;
	}
	next_probe = ph->nbans > 0 || ph->period_ns > 0 ? start : LLONG_MAX;
	next_sample = start + SAMPLE_NS;
	pfd.fd = b->monfd;
	pfd.events = POLLIN;
	for (;;) {
		now = mono();
		stop = ph->dur_ns > 0 ? now - start >= ph->dur_ns :
		    started == ph->nbans;
		if (stop && open == 0)
			break;
		/* The corpus lines due by now, one write(2) each. */
		if (!stop && ph->rate > 0) {
			due = (long long)((double)(now - start) * ph->rate /
			    NS);
			while ((long long)ph->lines < due) {
				corpus_line(b);
				ph->lines++;
			}
		}
		if (!stop && now >= next_probe) {
			(void)new_probe(b, now, ph->lead_ns);
			started++;
			open++;
			next_probe = ph->period_ns > 0 ? next_probe +
			    ph->period_ns : LLONG_MAX;
		}
		wake = now + (ph->rate > 0 && !stop ? 1000000 : SAMPLE_NS);
		if (next_probe < wake)
			wake = next_probe;
		for (i = first; i < b->nprobe; i++) {
			struct probe *p = &b->probe[i];

			if (p->state == P_PRIMED && now >= p->tip_at) {
				p->t0 = sessions(b, i, 1);
				p->state = P_TIPPED;
			} else if (p->state == P_PRIMED && p->tip_at < wake)
				wake = p->tip_at;
			if (p->state == P_TIPPED && now - p->t0 >
			    ph->timeout_ns) {
				char	addr[INET_ADDRSTRLEN];

				probe_addr(i, addr, sizeof(addr));
				die("%s not in the set %lld ms after its "
				    "tipping session (%s phase; %lu netlink "
				    "overruns)", addr, ph->timeout_ns / 1000000,
				    ph->name, b->overruns);
			}
		}
		if (now >= next_sample) {
			long	r = status_kb(b->pid, "VmRSS");

			if (r > ph->rss_peak)
				ph->rss_peak = r;
			next_sample += SAMPLE_NS;
		}
		if (next_sample < wake)
			wake = next_sample;
		now = mono();
		if (wake > now) {
			to.tv_sec = (wake - now) / NS;
			to.tv_nsec = (wake - now) % NS;
			if (ppoll(&pfd, 1, &to, NULL) == -1 && errno != EINTR)
				die("poll: %s", strerror(errno));
		}
		mon_read(b);
		for (i = first, open = 0; i < b->nprobe; i++) {
			struct probe *p = &b->probe[i];

			if (p->state != P_BANNED)
				open++;
			else if (ph->nbans > 0 && i == b->nprobe - 1 &&
			    next_probe == LLONG_MAX && started < ph->nbans)
				next_probe = p->t1 + GAP_NS;
		}
	}
	ph->wall_ns = mono() - start;
	ph->cpu_ns = cpu_ns(b) - ph->cpu_ns;
	ph->ctx = ctx_switches(b->pid) - ph->ctx;
	ph->rss1 = status_kb(b->pid, "VmRSS");
	if (ph->rss1 > ph->rss_peak)
		ph->rss_peak = ph->rss1;
}

/* cmp_ll - qsort order */
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

	if (n == 0)
		return (-1);
	if (k < 1)
		k = 1;
	return (v[(k > n ? n : k) - 1] / 1000);
}

/* report - a phase's key=value lines */
static void
report(const struct phase *ph)
{
	double		secs = (double)ph->wall_ns / NS;
	long long	sum = 0;
	size_t		i;

	printf("%s_in_set=%ld\n", ph->name, ph->inset);
	printf("%s_secs=%.1f\n%s_cpu_pct=%.3f\n%s_cpu_ms=%.1f\n"
	    "%s_wakeups_per_sec=%.1f\n%s_rss_start_kb=%ld\n"
	    "%s_rss_peak_kb=%ld\n%s_rss_end_kb=%ld\n", ph->name, secs,
	    ph->name, (double)ph->cpu_ns / (double)ph->wall_ns * 100, ph->name,
	    (double)ph->cpu_ns / 1e6, ph->name, (double)ph->ctx / secs,
	    ph->name, ph->rss0, ph->name, ph->rss_peak, ph->name, ph->rss1);
	if (ph->rate > 0)
		printf("%s_lines=%lu\n%s_lines_per_sec=%.0f\n", ph->name,
		    ph->lines, ph->name, (double)ph->lines / secs);
	if (ph->nlat == 0)
		return;
	qsort(ph->lat, ph->nlat, sizeof(*ph->lat), cmp_ll);
	for (i = 0; i < ph->nlat; i++)
		sum += ph->lat[i];
	printf("%s_bans=%zu\n%s_min_us=%lld\n%s_p50_us=%lld\n"
	    "%s_p90_us=%lld\n%s_p99_us=%lld\n%s_max_us=%lld\n"
	    "%s_mean_us=%lld\n", ph->name, ph->nlat, ph->name,
	    ph->lat[0] / 1000, ph->name, pct(ph->lat, ph->nlat, 0.5),
	    ph->name, pct(ph->lat, ph->nlat, 0.9), ph->name,
	    pct(ph->lat, ph->nlat, 0.99), ph->name,
	    ph->lat[ph->nlat - 1] / 1000, ph->name,
	    sum / (long long)ph->nlat / 1000);
}

/* number - a non-negative option value */
static double
number(const char *s, const char *what)
{
	char		*end;
	double		 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1e7) {
		fprintf(stderr, "latency: bad %s: %s\n", what, s);
		exit(64);
	}
	return (v);
}

/* main - the phases, in order */
int
main(int argc, char **argv)
{
	struct bench	 b;
	struct phase	 ph[7];
	enum { IDLE, LAT, BUSY, FAST, LOAD, LOADED, LOADBUSY };
	long long	 t0 = mono();
	double		 v;
	size_t		 i;
	int		 ch;

	memset(ph, 0, sizeof(ph));
	ph[IDLE].name = "idle";
	ph[IDLE].dur_ns = 20 * NS;
	ph[LAT].name = "lat";
	ph[LAT].nbans = 300;
	ph[BUSY].name = "busy";
	ph[BUSY].rate = 1000;
	ph[BUSY].dur_ns = 30 * NS;
	ph[FAST].name = "fast";
	ph[FAST].rate = 10000;
	ph[FAST].dur_ns = 10 * NS;
	ph[LOAD].name = "load";
	ph[LOAD].burst = 10000;
	ph[LOAD].nbans = 1;
	ph[LOADED].name = "loaded";
	ph[LOADED].nbans = 100;
	ph[LOADBUSY].name = "loadbusy";
	ph[LOADBUSY].dur_ns = 10 * NS;
	ph[BUSY].period_ns = ph[FAST].period_ns = ph[LOADBUSY].period_ns =
	    250000000LL;
	while ((ch = getopt(argc, argv, "B:b:i:k:L:m:n:p:R:r:")) != -1) {
		if (ch == '?' || optarg == NULL)
			goto usage;
		v = number(optarg, "option value");
		switch (ch) {
		case 'B':
			ph[FAST].dur_ns = (long long)(v * NS);
			break;
		case 'b':
			ph[BUSY].dur_ns = (long long)(v * NS);
			break;
		case 'i':
			ph[IDLE].dur_ns = (long long)(v * NS);
			break;
		case 'k':
			ph[LOAD].burst = (int)v;
			break;
		case 'L':
			ph[LOADBUSY].dur_ns = (long long)(v * NS);
			break;
		case 'm':
			ph[LOADED].nbans = (int)v;
			break;
		case 'n':
			ph[LAT].nbans = (int)v;
			break;
		case 'p':
			if (v < 1)
				goto usage;
			ph[BUSY].period_ns = ph[FAST].period_ns =
			    ph[LOADBUSY].period_ns = (long long)(v * 1e6);
			break;
		case 'R':
			ph[FAST].rate = v;
			break;
		case 'r':
			ph[BUSY].rate = v;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 3 || ph[LAT].nbans + ph[LOADED].nbans > PROBE_MAX / 2 ||
	    ph[LOAD].burst > LOAD_MAX)
		goto usage;
	/* With bans in force: the same busy log as BUSY. */
	ph[LOADBUSY].rate = ph[BUSY].rate;
	if (ph[LOAD].burst == 0)
		ph[LOAD].nbans = ph[LOADED].nbans = ph[LOADBUSY].rate = 0;
	for (i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		ph[i].lead_ns = i == LOAD ? 0 : LEAD_NS;
		ph[i].timeout_ns = i == LOAD ? 600 * NS : TIMEOUT_NS;
	}

	memset(&b, 0, sizeof(b));
	b.pid = (pid_t)number(argv[0], "PID");
	if (kill(b.pid, 0) == -1)
		die("no process %s", argv[0]);
	if (clock_getcpuclockid(b.pid, &b.cpuclock) != 0)
		die("no CPU clock for process %ld", (long)b.pid);
	if ((b.logfd = open(argv[1], O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
		die("%s: %s", argv[1], strerror(errno));
	if ((b.probe = calloc(PROBE_MAX, sizeof(*b.probe))) == NULL ||
	    (b.keys = calloc(KEYS, sizeof(*b.keys))) == NULL)
		die("out of memory");
	load(&b.c, argv + 2, argc - 2);
	mon_open(&b);

	for (i = 0; i < sizeof(ph) / sizeof(ph[0]); i++) {
		if (ph[i].nbans == 0 && (ph[i].dur_ns == 0 || (ph[i].rate ==
		    0 && i != IDLE)))
			continue;
		fprintf(stderr, "latency: %s\n", ph[i].name);
		run(&b, &ph[i]);
		report(&ph[i]);
		if (i == LOAD)
			printf("load_offenders=%d\nload_write_us=%lld\n"
			    "load_wall_us=%lld\n", ph[i].burst,
			    ph[i].write_ns / 1000, ph[i].wall_ns / 1000);
	}
	printf("corpus_lines=%zu\nprobes=%d\nrss_hwm_kb=%ld\n"
	    "netlink_overruns=%lu\nelapsed_secs=%.1f\n", b.c.n, b.nprobe,
	    status_kb(b.pid, "VmHWM"), b.overruns,
	    (double)(mono() - t0) / NS);
	return (0);

usage:
	fprintf(stderr, "usage: latency [-i idle_secs] [-n bans] [-r rate] "
	    "[-b busy_secs] [-R fast_rate] [-B fast_secs] [-k offenders] "
	    "[-m loaded_bans] [-L loaded_secs] [-p period_ms] PID LOG "
	    "CORPUS...\n");
	return (64);
}

/*	$fivefifty: test_fw_action.c $	*/
/*
 * Copyright (c) 2026 The fivefifty developers. ISC licence, see LICENSE.
 */
/*
 * NAME
 *	test_fw_action 3 - firewall_action and firewall_established, against
 *	the real kernel
 * DESCRIPTION
 *	Each kernel test runs in a private network namespace (netns_enter()),
 *	with TCP over its loopback: a banned client is 127.0.0.5 (or
 *	2001:db8::5), a listener is on 127.0.0.1 (::1). What a client sees is the oracle: with
 *	reject a banned client's connect fails with ECONNREFUSED, with drop
 *	it neither connects nor is refused (it is still waiting when the
 *	test stops looking); with firewall_established = yes a connection
 *	open when the ban lands is cut (reset with reject, its data stops
 *	with drop), with no it stays open both ways; with all ports only
 *	the connections the offender opened are cut, not this host's own
 *	connection to it. The rules are read back with `nft list chain`
 *	as an independent view. No time is asserted: a wait bounds how
 *	long the test looks, never what it expects.
 *
 *	Without the kernel: the keys' values and errors (naming the key and
 *	what it takes), and `fivefifty check` and a start (scan's) warning
 *	when they are set where fivefifty writes no rule (firewall = sets
 *	or off).
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests.h"
#include "conf/conf.h"
#include "firewall/firewall.h"

#define BANNED		"127.0.0.5"
#define OTHER		"127.0.0.6"
#define LOOK_MS		1500	/* how long a test looks for what must
				 * not happen */
#define WAIT_MS		10000	/* the bound on what must happen */

/* What a connect came to within the time the test looked. */
enum outcome { CONNECTED, REFUSED, WAITING, OTHER_ERROR };

/* action_conf - own table, no map, the given action and match, ports */
static void
action_conf(struct fw_conf *c, enum fw_action action, int established,
    int all_ports)
{
	fw_conf_defaults(c);
	c->map[0] = '\0';
	c->action = action;
	c->established = established;
	if (all_ports)
		c->nports = 0;
}

/* open_fw - fw_new() that must work, with the loopback up */
static struct fw *
open_fw(const struct fw_conf *c)
{
	char		 err[512];
	struct fw	*f;

	free(sh("ip link set lo up", NULL));
	if ((f = fw_new(c, err, sizeof(err))) == NULL || err[0] != '\0')
		fail_msg("fw_new: %s", err);
	return (f);
}

/* ban_now - src banned for an hour, in the kernel at once */
static void
ban_now(struct fw *f, const char *src)
{
	struct fw_ban	 b;
	long long	 now = time(NULL);

	memset(&b, 0, sizeof(b));
	assert_int_equal(net_parse(src, &b.net), 0);
	b.until = now + 3600;
	snprintf(b.reason, sizeof(b.reason), "five-fifty");
	assert_int_equal(fw_ban(f, &b), 0);
	assert_int_equal(fw_flush(f, now), 0);
}

/* sa_of - the socket address of an IPv4 or IPv6 address and a port */
static socklen_t
sa_of(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(addr, ':') != NULL) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, addr, &a6->sin6_addr),
		    1);
		return (sizeof(*a6));
	}
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	assert_int_equal(inet_pton(AF_INET, addr, &a->sin_addr), 1);
	return (sizeof(*a));
}

/* listener - a TCP listener on addr:port */
static int
listener(const char *addr, int port)
{
	struct sockaddr_storage a;
	socklen_t	 alen = sa_of(addr, port, &a);
	int		 fd, on = 1;

	fd = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	assert_int_equal(bind(fd, (struct sockaddr *)&a, alen), 0);
	assert_int_equal(listen(fd, 16), 0);
	return (fd);
}

/* try_connect - a non-blocking connect from src to dst:port, watched for
 * ms; *fdp keeps the socket when it connected (else closed) */
static enum outcome
try_connect(const char *src, const char *dst, int port, int ms, int *fdp)
{
	struct sockaddr_storage a, d;
	socklen_t	 alen = sa_of(src, 0, &a), dlen = sa_of(dst, port, &d);
	struct pollfd	 pfd;
	int		 fd, err = 0, n;
	socklen_t	 len = sizeof(err);

	*fdp = -1;
	fd = socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, alen), 0);
	if (connect(fd, (struct sockaddr *)&d, dlen) == -1) {
		if (errno == ECONNREFUSED) {
			close(fd);
			return (REFUSED);
		}
		assert_int_equal(errno, EINPROGRESS);
		pfd.fd = fd;
		pfd.events = POLLOUT;
		while ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
			continue;
		if (n == 0) {
			close(fd);
			return (WAITING);
		}
		assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
		    &len), 0);
		if (err != 0) {
			close(fd);
			return (err == ECONNREFUSED ? REFUSED : OTHER_ERROR);
		}
	}
	*fdp = fd;
	return (CONNECTED);
}

/* accept_one - the connection waiting on the listener */
static int
accept_one(int lfd)
{
	int		fd;

	while ((fd = accept(lfd, NULL, NULL)) == -1 && errno == EINTR)
		continue;
	assert_true(fd >= 0);
	return (fd);
}

/* readable - fd has something to read (data, an end, an error) within
 * ms; 1 or 0 */
static int
readable(int fd, int ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	int		n;

	while ((n = poll(&pfd, 1, ms)) == -1 && errno == EINTR)
		continue;
	assert_true(n >= 0);
	return (n == 1);
}

/* pass - one byte from one end to the other; 1 when it arrived within
 * ms, 0 when nothing arrived, -1 when the receiving end got an error
 * (errno set) */
static int
pass(int from, int to, char c, int ms)
{
	char		got;
	ssize_t		n;

	assert_int_equal(send(from, &c, 1, MSG_NOSIGNAL), 1);
	if (!readable(to, ms))
		return (0);
	if ((n = recv(to, &got, 1, MSG_DONTWAIT)) == -1)
		return (-1);
	assert_int_equal(n, 1);
	assert_int_equal(got, c);
	return (1);
}

/* chain - the own chain as nft lists it (free it) */
static char *
chain(void)
{
	return (sh("nft list chain inet fivefifty input", NULL));
}

/* rules_with - how many rule lines (those that look up a set) of the
 * listing contain what */
static int
rules_with(const char *list, const char *what)
{
	char		*copy = strdup(list), *line, *save = NULL;
	int		 n = 0;

	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "saddr @offenders") != NULL &&
		    strstr(line, what) != NULL)
			n++;
	free(copy);
	return (n);
}

/* test_fw_action_reject - a banned client's connect is refused at once
 * (a TCP reset); another address and the rules as configured */
static void
test_fw_action_reject(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	uint64_t	 pkts, bytes;
	char		*l;
	int		 lfd, fd;

	(void)state;
	action_conf(&c, FW_REJECT, 0, 0);
	f = open_fw(&c);
	lfd = listener("127.0.0.1", 25);
	ban_now(f, BANNED);
	assert_int_equal(try_connect(BANNED, "127.0.0.1", 25, WAIT_MS, &fd),
	    REFUSED);
	assert_int_equal(try_connect(OTHER, "127.0.0.1", 25, WAIT_MS, &fd),
	    CONNECTED);
	close(fd);
	close(accept_one(lfd));
	assert_int_equal(fw_counters(f, &pkts, &bytes), 0);
	assert_true(pkts >= 1);
	/* Every rule: new connections, a reset, no drop. */
	l = chain();
	assert_int_equal(rules_with(l, "reject with tcp reset"), 12);
	assert_int_equal(rules_with(l, "tcp flags syn / fin,syn,rst,ack"), 12);
	assert_int_equal(rules_with(l, "\" drop"), 0);
	free(l);
	fw_free(f);
	close(lfd);
}

/* test_fw_action_reject6 - the same over IPv6: the reset comes from the
 * inet table's IPv6 rule */
static void
test_fw_action_reject6(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	int		 lfd, fd;

	(void)state;
	action_conf(&c, FW_REJECT, 0, 0);
	f = open_fw(&c);
	free(sh("ip -6 addr add 2001:db8::5/128 dev lo nodad && "
	    "ip -6 addr add 2001:db8::6/128 dev lo nodad", NULL));
	lfd = listener("::1", 25);
	ban_now(f, "2001:db8::5");
	assert_int_equal(try_connect("2001:db8::5", "::1", 25, WAIT_MS, &fd),
	    REFUSED);
	assert_int_equal(try_connect("2001:db8::6", "::1", 25, WAIT_MS, &fd),
	    CONNECTED);
	close(fd);
	close(accept_one(lfd));
	fw_free(f);
	close(lfd);
}

/* test_fw_action_drop - with drop (the default) the connect is neither
 * made nor refused: the client is left waiting */
static void
test_fw_action_drop(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	char		*l;
	int		 lfd, fd;

	(void)state;
	action_conf(&c, FW_DROP, 0, 0);
	f = open_fw(&c);
	lfd = listener("127.0.0.1", 25);
	ban_now(f, BANNED);
	assert_int_equal(try_connect(BANNED, "127.0.0.1", 25, LOOK_MS, &fd),
	    WAITING);
	l = chain();
	assert_int_equal(rules_with(l, "counter name \"dropped\" drop"), 12);
	assert_int_equal(rules_with(l, "tcp flags syn / fin,syn,rst,ack"), 12);
	assert_int_equal(rules_with(l, "reject"), 0);
	free(l);
	fw_free(f);
	close(lfd);
}

/* open_pair - a connection from src to the listener, both ends, with a
 * byte each way to show it open */
static void
open_pair(int lfd, const char *src, int port, int *cfd, int *sfd)
{
	assert_int_equal(try_connect(src, "127.0.0.1", port, WAIT_MS, cfd),
	    CONNECTED);
	*sfd = accept_one(lfd);
	assert_int_equal(pass(*cfd, *sfd, 'a', WAIT_MS), 1);
	assert_int_equal(pass(*sfd, *cfd, 'b', WAIT_MS), 1);
}

/* test_fw_action_established_reject - a connection open when the ban
 * lands is reset at the client's next packet; nothing reaches the
 * server */
static void
test_fw_action_established_reject(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	char		*l;
	int		 lfd, cfd, sfd;

	(void)state;
	action_conf(&c, FW_REJECT, 1, 0);
	f = open_fw(&c);
	lfd = listener("127.0.0.1", 587);
	open_pair(lfd, BANNED, 587, &cfd, &sfd);
	ban_now(f, BANNED);
	/* The client's byte is answered by a reset: the client's end
	 * reads the error, the server never sees the byte. */
	assert_int_equal(send(cfd, "c", 1, MSG_NOSIGNAL), 1);
	assert_true(readable(cfd, WAIT_MS));
	{
		char	 got;

		assert_int_equal(recv(cfd, &got, 1, MSG_DONTWAIT), -1);
		assert_int_equal(errno, ECONNRESET);
	}
	assert_false(readable(sfd, LOOK_MS));
	l = chain();
	assert_int_equal(rules_with(l, "reject with tcp reset"), 12);
	assert_int_equal(rules_with(l, "tcp flags"), 0);
	assert_int_equal(rules_with(l, "ct direction"), 0);
	free(l);
	close(cfd);
	close(sfd);
	fw_free(f);
	close(lfd);
}

/* test_fw_action_established_drop - with drop the open connection's
 * data stops; the client is not reset */
static void
test_fw_action_established_drop(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	int		 lfd, cfd, sfd;

	(void)state;
	action_conf(&c, FW_DROP, 1, 0);
	f = open_fw(&c);
	lfd = listener("127.0.0.1", 25);
	open_pair(lfd, BANNED, 25, &cfd, &sfd);
	ban_now(f, BANNED);
	assert_int_equal(pass(cfd, sfd, 'c', LOOK_MS), 0);
	assert_false(readable(cfd, 0));		/* no reset, no data */
	close(cfd);
	close(sfd);
	fw_free(f);
	close(lfd);
}

/* test_fw_action_established_no - firewall_established = no (with
 * reject): the open connection goes on both ways, a new one is refused */
static void
test_fw_action_established_no(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	int		 lfd, cfd, sfd, fd;

	(void)state;
	action_conf(&c, FW_REJECT, 0, 0);
	f = open_fw(&c);
	lfd = listener("127.0.0.1", 465);
	open_pair(lfd, BANNED, 465, &cfd, &sfd);
	ban_now(f, BANNED);
	assert_int_equal(pass(cfd, sfd, 'c', WAIT_MS), 1);
	assert_int_equal(pass(sfd, cfd, 'd', WAIT_MS), 1);
	assert_int_equal(try_connect(BANNED, "127.0.0.1", 465, WAIT_MS, &fd),
	    REFUSED);
	close(cfd);
	close(sfd);
	fw_free(f);
	close(lfd);
}

/* test_fw_action_all_ports - firewall_ports = all with established: the
 * offender's own connection is cut, this host's connection to the
 * offender keeps working (its replies come from the banned address) */
static void
test_fw_action_all_ports(void **state)
{
	struct fw_conf	 c;
	struct fw	*f;
	char		*l;
	int		 lfd, ofd, cfd, sfd, hfd, rfd, fd;

	(void)state;
	action_conf(&c, FW_DROP, 1, 1);
	f = open_fw(&c);
	lfd = listener("127.0.0.1", 2525);	/* ours */
	ofd = listener(BANNED, 2526);		/* the offender's server */
	open_pair(lfd, BANNED, 2525, &cfd, &sfd);
	assert_int_equal(try_connect("127.0.0.1", BANNED, 2526, WAIT_MS,
	    &hfd), CONNECTED);
	rfd = accept_one(ofd);
	ban_now(f, BANNED);
	/* The offender's connection: its data stops. */
	assert_int_equal(pass(cfd, sfd, 'c', LOOK_MS), 0);
	/* Ours to the offender: both ways still, and a new one too. */
	assert_int_equal(pass(hfd, rfd, 'e', WAIT_MS), 1);
	assert_int_equal(pass(rfd, hfd, 'f', WAIT_MS), 1);
	assert_int_equal(try_connect("127.0.0.1", BANNED, 2526, WAIT_MS, &fd),
	    CONNECTED);
	close(fd);
	l = chain();
	assert_int_equal(rules_with(l, "ct direction original"), 4);
	assert_int_equal(rules_with(l, "dport"), 0);
	assert_int_equal(rules_with(l, "\" drop"), 4);
	free(l);
	close(cfd);
	close(sfd);
	close(hfd);
	close(rfd);
	fw_free(f);
	close(lfd);
	close(ofd);
}

/* write_text - a file of text */
static void
write_text(const char *path, const char *text)
{
	FILE		*fp;

	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* test_fw_action_keys - the keys' defaults, values, errors and how
 * conf_print() writes them back */
static void
test_fw_action_keys(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "firewall_action = Reject\n", "firewall_action = \"Reject\": "
		    "expected drop or reject" },
		{ "firewall_action = reset\n", "firewall_action = \"reset\": "
		    "expected drop or reject" },
		{ "firewall_action =\n", "firewall_action = \"\": expected "
		    "drop or reject" },
		{ "firewall_established = 1\n", "firewall_established = \"1\": "
		    "expected yes or no" },
	};
	const char	*p = "/tmp/fivefifty-fwaction.conf";
	struct ff_conf	*c = calloc(1, sizeof(*c));
	char		 err[512], *text;
	size_t		 i, len;
	FILE		*fp;

	(void)state;
	assert_non_null(c);
	conf_defaults(c);
	assert_int_equal(c->fw.action, FW_DROP);
	assert_int_equal(c->fw.established, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_text(p, bad[i].text);
		conf_defaults(c);
		assert_int_equal(conf_load(p, c, err, sizeof(err)), -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, err,
			    bad[i].want);
		conf_free(c);
	}
	write_text(p, "firewall_action = reject\nfirewall_established = "
	    "yes\n");
	conf_defaults(c);
	if (conf_load(p, c, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(c->fw.action, FW_REJECT);
	assert_int_equal(c->fw.established, 1);
	assert_null(fw_conf_inert(&c->fw, err, sizeof(err)));
	assert_non_null(fp = fopen(p, "w"));
	conf_print(fp, c);
	fclose(fp);
	text = read_file(p, &len);
	assert_non_null(strstr(text, "\nfirewall_action = reject\n"));
	assert_non_null(strstr(text, "\nfirewall_established = yes\n"));
	free(text);
	conf_free(c);
	unlink(p);
	free(c);
}

/* check_err - `fivefifty check -c FILE` of text: its standard error */
static char *
check_err(const char *path, const char *text)
{
	struct run_result r;
	char		*argv[] = { (char *)bin_path(), "check", "-c",
			    (char *)path, NULL }, *e;

	write_text(path, text);
	assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
	assert_int_equal(r.status, 0);
	e = r.err;
	r.err = NULL;
	run_free(&r);
	return (e);
}

/* test_fw_action_check - check warns when the keys are set where no
 * rule of fivefifty's acts, and only then */
static void
test_fw_action_check(void **state)
{
	const char	*p = "/tmp/fivefifty-fwaction-check.conf";
	char		*e;

	(void)state;
	e = check_err(p, "firewall = sets\nfirewall_action = reject\n");
	assert_non_null(strstr(e, "warning: firewall_action = reject has no "
	    "effect with firewall = sets: your own rule decides"));
	assert_non_null(strstr(e, "reject with tcp reset"));
	assert_null(strstr(e, "firewall_established"));
	free(e);
	e = check_err(p, "firewall = off\nfirewall_established = yes\n");
	assert_non_null(strstr(e, "warning: firewall_established = yes has "
	    "no effect with firewall = off"));
	free(e);
	/* A start says it too (scan's, as run's: wire_fw_open()). */
	{
		struct run_result r;
		char	*argv[] = { (char *)bin_path(), "scan", "-c",
			    (char *)p, "--db", "/tmp/fivefifty-fwaction.db",
			    "/tmp/fivefifty-fwaction.log", NULL };

		write_text("/tmp/fivefifty-fwaction.log", "");
		write_text(p, "firewall = off\nfirewall_established = yes\n"
		    "access_map = texthash:/tmp/fivefifty-fwaction.map\n");
		assert_int_equal(run_cmd(argv, NULL, 0, &r), 0);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.err, "fivefifty scan: warning: "
		    "firewall_established = yes has no effect with firewall = "
		    "off"));
		run_free(&r);
		unlink("/tmp/fivefifty-fwaction.db");
		unlink("/tmp/fivefifty-fwaction.map");
		unlink("/tmp/fivefifty-fwaction.log");
	}
	e = check_err(p, "firewall = sets\nfirewall_action = reject\n"
	    "firewall_established = yes\n");
	assert_non_null(strstr(e, "firewall_action = reject and "
	    "firewall_established = yes have no effect with firewall = sets"));
	free(e);
	/* Where they act, or at their defaults: no word about them. */
	e = check_err(p, "firewall_action = reject\n"
	    "firewall_established = yes\n");
	assert_null(strstr(e, "no effect"));
	free(e);
	e = check_err(p, "firewall = sets\nfirewall_action = drop\n"
	    "firewall_established = no\n");
	assert_null(strstr(e, "no effect"));
	free(e);
	unlink(p);
}

#define NS_TEST(f)	cmocka_unit_test_setup_teardown(f, netns_enter, \
			    netns_leave)

const struct CMUnitTest fwaction_tests[] = {
	NS_TEST(test_fw_action_reject),
	NS_TEST(test_fw_action_reject6),
	NS_TEST(test_fw_action_drop),
	NS_TEST(test_fw_action_established_reject),
	NS_TEST(test_fw_action_established_drop),
	NS_TEST(test_fw_action_established_no),
	NS_TEST(test_fw_action_all_ports),
	cmocka_unit_test(test_fw_action_keys),
	cmocka_unit_test(test_fw_action_check),
};
const size_t fwaction_tests_count = sizeof(fwaction_tests) /
    sizeof(fwaction_tests[0]);

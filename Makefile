# fivefifty - build, test, install.
#
#   make            build ./fivefifty
#   make run        install missing packages (as root), build, run the
#                   daemon in the foreground with the sample configuration
#   make test       install what the tests need, build with ASan+UBSan, test
#   make install    install into $(DESTDIR)$(PREFIX) (and /etc); see README
#   make uninstall  remove what make install installed
#   make deb        the Debian package build/deb/fivefifty_VERSION_ARCH.deb
#                   (dpkg-buildpackage -us -uc -b in a copy of the tree,
#                   then lintian; scripts/deb.sh, debian/README.Debian)
#   make demo       a real Postfix, scripted clients, bans appearing (root)
#   make bench      benchmark against grep, fail2ban-regex and pflogsumm
#   make bench-fw   banning speed against nft add element
#   make bench-latency  ban latency, CPU and memory of fivefifty run
#   make bench-fwscale  the enforcer at scale: ban latency with 0, 10k and
#                   100k bans in force, a 50k burst, a restart with 100k
#                   bans, against issue 17's targets (bench/fwscale.sh)
#   make bench-revs REV=R  this tree against revision R, side by side
#   make bench-json  parse --json against parse --count, side by side
#                   (bench/json.sh; OLD=BIN times another build too)
#   make bench-parse1  parse --count on one core against grep -c, side by
#                   side (bench/parse1.sh; OLD=BIN times another build too)
#   make bench-par   parse, scan and report on 1, 2 and nproc threads,
#                   side by side (bench/par.sh; BENCH_MB, RUNS)
#   make bench-cluster  bans shared on PostgreSQL: propagation between two
#                   nodes, a node's start with 100,000 bans (bench/cluster.sh)
#   make bench-cluster-load  three nodes at 2,000 lines/s each on one
#                   PostgreSQL state (bench/cluster-load.sh)
#   make bench-versus  against fail2ban on the same real Postfix traffic:
#                   bans by class, latency, CPU, memory, restarts
#                   (bench/versus.sh; SMALL=1 for a run of a few minutes)
#   make bench-report   fivefifty report from logs (against pflogsumm) and
#                   from a state of a million events
#   make bench-flood    hostile floods: peak RSS, lines/s, status and
#                   SIGTERM times (bench/flood.sh)
#   make bench-journal  the journal source: entries/s of scan --journal
#                   against journalctl | scan -, and ban latency from a
#                   journal write (bench/journal.sh)
#   make fuzz       run the libFuzzer targets (parser, configuration reader,
#                   control decoder) FUZZ_SECONDS each; FUZZ_TARGET=parse|
#                   conf|control runs one
#   make stress     what make test cannot afford: 60 SIGKILLs of the daemon
#                   under traffic and rotations (state == scan), valgrind,
#                   the flood shapes (tests/stress.sh; about 10 minutes)
#   make repeat TESTS=GLOB RUNS=50   some tests many times under load
#   make clang      the program and the test runner built by clang, with
#                   the warnings fatal (.ci/run runs it after make test)
#   make clean

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
DESTDIR	?=
MAILLOG	?=
FUZZ_SECONDS ?= 300
comma	:= ,
SHARED	?= ../shared

CC	?= cc
PKGS	:= libpcre2-8 zlib sqlite3 libpq libnftnl libmnl libsystemd libcap-ng
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libpq is not linked: state/pgsql_dl.c loads it when a PostgreSQL state
# is opened (its 35 libraries took half of every command's start).
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libpq,$(PKGS)) 2>/dev/null || echo -lpcre2-8 -lz -lsqlite3 -lnftnl -lmnl -lsystemd -lcap-ng) -ldl -lpthread -lm

# -Werror is on by default and in CI; WERROR= builds with the warnings
# shown but not fatal (a newer compiler's new warning must not stop a
# postmaster's build).
WERROR	?= -Werror
WARN	:= -Wall -Wextra $(WERROR) -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2
CSTD	:= -std=c17
CPPFLAGS += -D_GNU_SOURCE -I.
CFLAGS	?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS)

# Each object records the headers it includes (-MMD -MP): a header's
# change rebuilds the objects that use it, and only those.
DEPFLAGS := -MMD -MP

SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

PARSE_SRC  := $(wildcard parse/*.c)
NET_SRC    := $(wildcard net/*.c)
TAILER_SRC := $(wildcard tailer/*.c)
UTIL_SRC   := $(wildcard util/*.c)
SCORE_SRC  := $(wildcard score/*.c)
STATE_SRC  := $(wildcard state/*.c)
CONF_SRC   := $(wildcard conf/*.c)
FW_SRC     := $(wildcard firewall/*.c)
DAEMON_SRC := $(wildcard daemon/*.c)
WIRE_SRC   := $(wildcard wire/*.c)
REPORTS_SRC := $(wildcard reports/*.c)
CMD_SRC    := $(wildcard cmd/*.c)
LIB_SRC    := $(NET_SRC) $(PARSE_SRC) $(TAILER_SRC) $(UTIL_SRC) \
	      $(SCORE_SRC) $(STATE_SRC) $(CONF_SRC) $(FW_SRC) $(DAEMON_SRC) \
	      $(REPORTS_SRC) $(WIRE_SRC)
HEADERS    := $(wildcard */*.h)
TEST_SRC   := $(wildcard tests/*.c)

OBJ	:= $(patsubst %.c,build/rel/%.o,$(LIB_SRC) $(CMD_SRC))
SAN_OBJ	:= $(patsubst %.c,build/san/%.o,$(LIB_SRC) $(CMD_SRC))
SAN_LIB	:= $(patsubst %.c,build/san/%.o,$(LIB_SRC) \
	   $(filter-out cmd/main.c,$(CMD_SRC)))
TEST_OBJ := $(patsubst %.c,build/san/%.o,$(filter-out tests/fuzz_%.c \
	    tests/probe_%.c,$(TEST_SRC)))

.PHONY: all clang deps-clang run test check test-times demo install uninstall bench bench-fw bench-latency \
	bench-json bench-parse1 bench-par bench-fwscale \
	bench-cluster bench-cluster-load bench-versus \
	stress repeat deps-stress \
	bench-report bench-flood bench-journal bench-revs fuzz clean deps-build deps-test \
	deps-fuzz deps-bench
.PHONY: deb deps-deb

all: fivefifty

fivefifty: $(OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -O1 $(SAN) $(DEPFLAGS) -c -o $@ $<

# The binary the tests run is built with the sanitizers too.
build/san/fivefifty: $(SAN_OBJ)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(SAN_OBJ) $(PKG_LIBS)

build/san/run_tests: $(TEST_OBJ) $(SAN_LIB)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $(TEST_OBJ) $(SAN_LIB) $(PKG_LIBS) \
	    -lcmocka

# A consumer of the tailer that tests run as a separate process (kill -9).
build/san/probe_tailer: build/san/tests/probe_tailer.o $(SAN_LIB)
	$(CC) $(SAN) $(LDFLAGS) -o $@ $< $(SAN_LIB) $(PKG_LIBS)

# The same sources built by clang, warnings fatal (.ci/run does it after
# make test): the binary and the test runner, not run.
CLANG_OBJ := $(patsubst %.c,build/clang/%.o,$(LIB_SRC) $(CMD_SRC))
CLANG_TEST := $(patsubst %.c,build/clang/%.o,$(filter-out tests/fuzz_%.c \
	    tests/probe_%.c,$(TEST_SRC)))
build/clang/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/clang/fivefifty: $(CLANG_OBJ)
	clang $(CFLAGS) $(LDFLAGS) -o $@ $(CLANG_OBJ) $(PKG_LIBS)

build/clang/run_tests: $(CLANG_TEST) $(filter-out build/clang/cmd/main.o, \
	    $(CLANG_OBJ))
	clang $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka

clang: deps-clang
	@$(MAKE) --no-print-directory build/clang/fivefifty \
	    build/clang/run_tests
	@echo "fivefifty: clang $$(clang -dumpversion) builds fivefifty and" \
	    "the tests with $(WARN)"

# Only the three trees of objects: build/deb holds a copy of the project
# being packaged (its own .d files, and etc/cron.d and the like).
-include $(shell find build/rel build/san build/clang -name '*.d' -type f \
    2>/dev/null)

deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-fuzz:
	@scripts/deps.sh fuzz
deps-clang:
	@scripts/deps.sh clang
deps-bench:
	@scripts/deps.sh bench
deps-stress:
	@scripts/deps.sh stress
deps-deb:
	@scripts/deps.sh deb

# The Debian package, built from a copy of the tree (debian/rules' make
# clean must not empty this build/), and lintian (errors and warnings
# fail): build/deb/fivefifty_VERSION_ARCH.deb. tests/deb.sh (make test)
# also installs, removes and purges it in a throwaway root.
deb: deps-deb
	@scripts/deb.sh build/deb

# `make run`: the daemon in the foreground with the sample configuration;
# it reads the log log_source = auto chooses (a mail.log written lately,
# else the journal), or MAILLOG=/path when given.
run: deps-build
	@if [ "$$(id -u)" -ne 0 ]; then \
	    echo "fivefifty: make run starts the daemon with the sample" \
	    "configuration, which must run as root: it changes nftables," \
	    "keeps its state in /var/lib/fivefifty, listens on" \
	    "/run/fivefifty/control.sock and writes /etc/postfix/fivefifty." \
	    "Run: sudo make run. As $$(id -un), without root: make, then" \
	    "./fivefifty scan --dry-run /var/log/mail.log" \
	    "(decides and prints the bans, writes nothing; the mail log is" \
	    "readable by the group adm)." >&2; exit 1; fi
	@$(MAKE) --no-print-directory fivefifty
	@echo "fivefifty: running the daemon in the foreground with the sample" \
	    "configuration conf/fivefifty.conf (Ctrl-C stops it). It follows" \
	    "$(if $(MAILLOG),$(MAILLOG),/var/log/mail.log when it was written in" \
	    "the last day$(comma) else the systemd journal (log_source = auto)$(comma)" \
	    "from its end)$(comma) keeps its state in /var/lib/fivefifty/fivefifty.db," \
	    "creates the nftables table inet fivefifty (offenders are dropped" \
	    "on ports 25, 465, 587), writes the Postfix map" \
	    "/etc/postfix/fivefifty/access (only used once main.cf names it)" \
	    "and listens on /run/fivefifty/control.sock." >&2
	@if [ -d /etc/postfix ] && [ "$$(id -u)" -eq 0 ]; then \
	    mkdir -p /etc/postfix/fivefifty; fi
	./fivefifty -c conf/fivefifty.conf $(if $(MAILLOG),--log $(MAILLOG)) run

# The tests as this many processes side by side (tests/shards.sh): they
# wait on daemons, Postfix and PostgreSQL more than they compute.
TEST_SHARDS ?= 2
# How make test and make test-times run the sanitized tests.
TEST_BINS = build/san/fivefifty build/san/run_tests build/san/probe_tailer
TEST_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	FIVEFIFTY_BIN=build/san/fivefifty FIVEFIFTY_SHARED=$(SHARED) \
	FIVEFIFTY_PROBE=build/san/probe_tailer CMOCKA_MESSAGE_OUTPUT=stdout
TEST_CMD = tests/private-tmp.sh build/san/run_tests

test: deps-test
	@[ -r /proc/self/stat ] || { echo "fivefifty: make test needs /proc" \
	    "mounted (the sanitizers read it)" >&2; exit 1; }
	@$(MAKE) --no-print-directory -j$$(nproc) $(TEST_BINS)
	@$(TEST_ENV) tests/shards.sh $(TEST_SHARDS) $(TEST_CMD)

check: test

# Each test's time in make test, as run_tests.c's slow[] lines (which
# plan the shards' shares): tests/test-times.sh.
test-times: deps-test
	@$(MAKE) --no-print-directory -j$$(nproc) $(TEST_BINS)
	@$(TEST_ENV) tests/test-times.sh $(TEST_SHARDS) $(TEST_CMD)

# Flakiness check: a test glob RUNS times in a row under stress-ng load.
TESTS	?= *
RUNS	?= 50
repeat: deps-stress
	@$(MAKE) --no-print-directory build/san/fivefifty build/san/run_tests \
	    build/san/probe_tailer
	@SHARED=$(SHARED) tests/repeat.sh '$(TESTS)' $(RUNS)

# Not in make test: long, and loud on a shared machine (tests/stress.sh).
stress: deps-stress
	@$(MAKE) --no-print-directory fivefifty build/san/fivefifty \
	    build/rel/bench/flood
	@FIVEFIFTY_BIN=build/san/fivefifty FIVEFIFTY_REL=./fivefifty \
	SHARED=$(SHARED) ASAN_OPTIONS=detect_leaks=1 tests/stress.sh

# A real Postfix in a private network namespace, scripted SMTP clients, and
# fivefifty run banning the offenders, told step by step (root; under a
# minute; scripts/demo.sh, which is tests/postfix-daemon.sh --demo).
demo: deps-test
	@$(MAKE) --no-print-directory fivefifty
	@scripts/demo.sh

# make install / make uninstall. With DESTDIR (staging a package) only
# files are installed: no user is created, nothing is chown'd, systemd is
# not told; a note says what the package's scripts must do instead.
# SYSCONFDIR and the map's directory are those compiled into fivefifty
# and its unit (/etc/fivefifty/fivefifty.conf, /etc/postfix/fivefifty):
# they do not follow PREFIX. The unit goes where systemd looks for units
# of that prefix: /usr/local/lib/systemd/system for /usr/local (the
# administrator's units under /etc/systemd/system stay theirs), and
# /usr/lib/systemd/system (= /lib/systemd/system) for PREFIX=/usr.
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR	?= $(PREFIX)/lib/systemd/system
CONFDIR	 = $(SYSCONFDIR)/fivefifty
MAPDIR	 = $(SYSCONFDIR)/postfix/fivefifty
STATEDIR = /var/lib/fivefifty
FF_USER	 = fivefifty
# The user's GECOS: uninstall removes only a user that install created.
FF_GECOS = fivefifty daemon (make install)
# The binary to install (the tests install their sanitizer build).
INSTALL_BIN ?= fivefifty
# The cron example (the daily summary by mail), @SBINDIR@ substituted:
# installed as $(CRON_DIR)/fivefifty only when there is none, removed by
# uninstall only when it is unchanged (as the configuration).
CRON_EXAMPLE = conf/fivefifty.cron
CRON_DIR = $(SYSCONFDIR)/cron.d

install: $(INSTALL_BIN)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(CONFDIR) $(DESTDIR)$(MAPDIR) $(DESTDIR)$(CRON_DIR)
	install -m 0755 $(INSTALL_BIN) $(DESTDIR)$(SBINDIR)/fivefifty
	install -m 0644 man/fivefifty.8 $(DESTDIR)$(MANDIR)/man8/fivefifty.8
	install -m 0644 man/fivefifty.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/fivefifty.conf.5
	gzip -9nf $(DESTDIR)$(MANDIR)/man8/fivefifty.8 \
	    $(DESTDIR)$(MANDIR)/man5/fivefifty.conf.5
	@mkdir -p build
	sed 's|@SBINDIR@|$(SBINDIR)|g' conf/fivefifty.service \
	    > build/fivefifty.service
	install -m 0644 build/fivefifty.service \
	    $(DESTDIR)$(UNITDIR)/fivefifty.service
	install -m 0644 conf/fivefifty.conf \
	    $(DESTDIR)$(CONFDIR)/fivefifty.conf.sample
	@# A postmaster's configuration is never overwritten.
	@conf=$(DESTDIR)$(CONFDIR)/fivefifty.conf; \
	if [ -e "$$conf" ]; then \
	    echo "fivefifty: kept $$conf; this version's sample is" \
	        "$$conf.sample (diff them)"; \
	else \
	    echo "install -m 0644 conf/fivefifty.conf $$conf"; \
	    install -m 0644 conf/fivefifty.conf "$$conf"; \
	fi
	sed 's|@SBINDIR@|$(SBINDIR)|g' $(CRON_EXAMPLE) > build/fivefifty.cron
	@# A cron file of the postmaster's is never overwritten either.
	@cron=$(DESTDIR)$(CRON_DIR)/fivefifty; \
	if [ -e "$$cron" ]; then \
	    cmp -s build/fivefifty.cron "$$cron" || \
	    echo "fivefifty: kept $$cron; this version's is" \
	        "$(CRON_EXAMPLE) (@SBINDIR@ is $(SBINDIR))"; \
	else \
	    echo "install -m 0644 build/fivefifty.cron $$cron"; \
	    install -m 0644 build/fivefifty.cron "$$cron"; \
	fi
	@if [ -n "$(DESTDIR)" ]; then \
	    echo "fivefifty: DESTDIR is set: no user created, nothing" \
	        "chown'd, systemd not told. The package must create the" \
	        "system user $(FF_USER) (in groups adm and" \
	        "systemd-journal), give it" \
	        "$(MAPDIR), and run systemctl daemon-reload."; \
	    exit 0; \
	fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
	    echo "fivefifty: only root can create the user $(FF_USER);" \
	        "run make install as root" >&2; \
	    exit 1; \
	fi; \
	if ! getent passwd $(FF_USER) >/dev/null; then \
	    if getent group $(FF_USER) >/dev/null; then \
	        grp="--gid $(FF_USER)"; else grp="--user-group"; fi; \
	    echo "useradd --system $$grp --home-dir $(STATEDIR)" \
	        "--no-create-home --shell /usr/sbin/nologin" \
	        "--comment '$(FF_GECOS)' $(FF_USER)"; \
	    useradd --system $$grp --home-dir $(STATEDIR) \
	        --no-create-home --shell /usr/sbin/nologin \
	        --comment '$(FF_GECOS)' $(FF_USER) || exit 1; \
	fi; \
	for g in adm systemd-journal; do \
	    if getent group $$g >/dev/null; then \
	        echo "usermod -a -G $$g $(FF_USER)"; \
	        usermod -a -G $$g $(FF_USER) || exit 1; \
	    fi; \
	done; \
	echo "chown $(FF_USER):$(FF_USER) $(MAPDIR)"; \
	chown $(FF_USER):$(FF_USER) $(MAPDIR) || exit 1; \
	if [ -d /run/systemd/system ]; then \
	    echo "systemctl daemon-reload"; systemctl daemon-reload; \
	fi; \
	echo; \
	echo "fivefifty is installed, not started. Next:"; \
	echo "  1. read fivefifty.conf(5), edit $(CONFDIR)/fivefifty.conf" \
	    "(whitelist, log_source, mail_log, ...)"; \
	echo "     and try it: fivefifty check;" \
	    "fivefifty scan --dry-run /var/log/mail.log"; \
	echo "     (no mail.log: Postfix logs to the journal;" \
	    "fivefifty scan --dry-run --journal --since 7d)"; \
	echo "  2. in /etc/postfix/main.cf, before any permit (in front of" \
	    "what the list already holds):"; \
	echo "     smtpd_client_restrictions = check_client_access" \
	    "hash:$(MAPDIR)/access"; \
	echo "  3. systemctl enable --now fivefifty" \
	    "  (without systemd: $(SBINDIR)/fivefifty run, as root)"; \
	echo "  4. postfix reload; fivefifty status"; \
	echo "  The daily summary: $(CRON_DIR)/fivefifty mails it to root at" \
	    "06:00 (--mail-to there; until the daemon has made its state," \
	    "cron mails its complaint instead)"

uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && \
	    { systemctl --quiet is-enabled fivefifty.service 2>/dev/null || \
	      systemctl --quiet is-active fivefifty.service; }; then \
	    echo "systemctl disable --now fivefifty.service"; \
	    systemctl disable --now fivefifty.service; \
	fi
	rm -f $(DESTDIR)$(SBINDIR)/fivefifty
	rm -f $(DESTDIR)$(MANDIR)/man8/fivefifty.8 \
	    $(DESTDIR)$(MANDIR)/man8/fivefifty.8.gz \
	    $(DESTDIR)$(MANDIR)/man5/fivefifty.conf.5 \
	    $(DESTDIR)$(MANDIR)/man5/fivefifty.conf.5.gz
	rm -f $(DESTDIR)$(UNITDIR)/fivefifty.service
	@# The cron file goes only when it is this version's, unchanged.
	@mkdir -p build
	@sed 's|@SBINDIR@|$(SBINDIR)|g' $(CRON_EXAMPLE) > build/fivefifty.cron
	@cron=$(DESTDIR)$(CRON_DIR)/fivefifty; \
	if [ -e "$$cron" ]; then \
	    if cmp -s "$$cron" build/fivefifty.cron; then \
	        echo "rm -f $$cron"; rm -f "$$cron"; \
	    else \
	        echo "fivefifty: kept $$cron: it differs from" \
	            "$(CRON_EXAMPLE) (yours; rm it when done with it)"; \
	    fi; \
	fi
	@# The configuration goes only when it is the sample, unchanged.
	@conf=$(DESTDIR)$(CONFDIR)/fivefifty.conf; sample=$$conf.sample; \
	[ -f "$$sample" ] || sample=conf/fivefifty.conf; \
	if [ -e "$$conf" ]; then \
	    if cmp -s "$$conf" "$$sample"; then \
	        echo "rm -f $$conf"; rm -f "$$conf"; \
	    else \
	        echo "fivefifty: kept $$conf: it differs from the sample" \
	            "(yours; rm -r $(DESTDIR)$(CONFDIR) when done with it)"; \
	    fi; \
	fi; \
	rm -f "$$conf.sample"; \
	rmdir "$(DESTDIR)$(CONFDIR)" 2>/dev/null; \
	rmdir "$(DESTDIR)$(MAPDIR)" 2>/dev/null; \
	if [ -n "$(DESTDIR)" ]; then \
	    echo "fivefifty: DESTDIR is set: no user removed, systemd not" \
	        "told"; \
	    exit 0; \
	fi; \
	if [ "$$(id -u)" -eq 0 ] && getent passwd $(FF_USER) >/dev/null; then \
	    if [ "$$(getent passwd $(FF_USER) | cut -d: -f5)" = \
	        "$(FF_GECOS)" ]; then \
	        echo "userdel $(FF_USER)"; \
	        userdel $(FF_USER) || echo "fivefifty: the user" \
	            "$(FF_USER) is still in use: stop fivefifty, then" \
	            "userdel $(FF_USER)" >&2; \
	    else \
	        echo "fivefifty: kept the user $(FF_USER): make install" \
	            "did not create it"; \
	    fi; \
	fi; \
	if [ -d /run/systemd/system ]; then \
	    echo "systemctl daemon-reload"; systemctl daemon-reload; \
	fi; \
	echo; \
	echo "fivefifty is uninstalled. Left in place, for you to remove" \
	    "when done with them:"; \
	if [ -e $(MAPDIR) ]; then \
	    echo "  $(MAPDIR) (the access map): first take" \
	        "check_client_access hash:$(MAPDIR)/access"; \
	    echo "    out of /etc/postfix/main.cf and postfix reload, then" \
	        "rm -r $(MAPDIR)"; \
	fi; \
	if [ -e $(STATEDIR) ]; then \
	    echo "  $(STATEDIR) (the state: clients, evidence, bans):" \
	        "rm -r $(STATEDIR)"; \
	fi; \
	echo "  the nftables table, if it is there (its bans end by" \
	    "themselves): nft delete table inet fivefifty"

bench: deps-bench
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/mkcorpus \
	    build/rel/bench/tailbench build/rel/bench/fwbench \
	    build/rel/bench/latency build/rel/bench/jlatency
	bench/run.sh
	bench/report.sh
	bench/fw.sh
	bench/latency.sh
	bench/journal.sh

# Hostile floods (bench/flood.c): peak RSS, lines/s, status and SIGTERM
# times of scan --dry-run and the daemon (bench/flood.sh).
bench-flood:
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/flood
	bench/flood.sh

build/rel/bench/flood: bench/flood.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# Banning speed alone: one netlink batch against nft add element.
bench-fw: deps-bench
	@$(MAKE) --no-print-directory build/rel/bench/fwbench
	bench/fw.sh

# Ban latency, CPU and memory of the daemon: bench/latency.sh.
bench-latency: deps-bench
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/latency
	bench/latency.sh

# The enforcer at scale, against issue 17's targets: bench/fwscale.sh.
bench-fwscale: deps-bench
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/latency
	bench/fwscale.sh

# Bans shared between two nodes on one PostgreSQL state (a private server).
bench-cluster: deps-bench deps-test
	@$(MAKE) --no-print-directory fivefifty
	bench/cluster.sh

# Three nodes at 2,000 lines/s each on one PostgreSQL state: keeping up,
# CPU, the server's load, every ban on every node (bench/cluster-load.sh).
bench-cluster-load: deps-bench deps-test
	@$(MAKE) --no-print-directory fivefifty
	bench/cluster-load.sh

# Against fail2ban (its postfix jail, two modes, two backends) on the same
# traffic of a real Postfix, in a private network namespace: bans by class
# of client, ban latency, CPU, peak RSS, bans missing across a restart
# (bench/versus.sh; SMALL=1 for a run of a few minutes).
bench-versus: deps-bench deps-test
	@$(MAKE) --no-print-directory fivefifty
	bench/versus.sh

# The journal source: scan --journal against journalctl | scan -, and
# ban latency from a journal write to the set: bench/journal.sh.
bench-journal: deps-bench
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/jlatency
	bench/journal.sh

# This tree against an older revision, side by side (a refactoring's
# cost): make bench-revs REV=124170c (bench/revs.sh).
REV	?= HEAD~1
bench-revs: deps-bench
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/mkcorpus
	bench/revs.sh $(REV)

# parse, scan and report --log on 1, 2 and nproc threads: bench/par.sh.
bench-par:
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/mkcorpus
	SHARED=$(SHARED) bench/par.sh

# parse --json's speed as a share of parse --count's: bench/json.sh.
bench-json:
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/mkcorpus
	SHARED=$(SHARED) bench/json.sh

# parse --count on one core against grep -c ': reject: ': bench/parse1.sh.
bench-parse1:
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/mkcorpus
	SHARED=$(SHARED) bench/parse1.sh

# fivefifty report from logs and from the state: bench/report.sh.
bench-report: deps-bench
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/mkcorpus
	bench/report.sh

FW_OBJ := $(patsubst %.c,build/rel/%.o,$(FW_SRC) $(NET_SRC) $(UTIL_SRC))
build/rel/bench/fwbench: bench/fwbench.c $(FW_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/fwbench.c $(FW_OBJ) \
	    $(PKG_LIBS)

build/rel/bench/latency: bench/latency.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/latency.c $(PKG_LIBS)

build/rel/bench/jlatency: bench/jlatency.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/jlatency.c $(PKG_LIBS)

TAILER_OBJ := $(patsubst %.c,build/rel/%.o,$(TAILER_SRC) $(UTIL_SRC))
build/rel/bench/tailbench: bench/tailbench.c $(TAILER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ bench/tailbench.c $(TAILER_OBJ) \
	    $(PKG_LIBS)

build/rel/bench/mkcorpus: bench/mkcorpus.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $<

# libFuzzer needs clang; the corpus files seed it. Three targets: parse
# (the log line parser), conf (the configuration reader), control (the
# control request decoder); FUZZ_TARGET=parse|conf|control runs one, each
# for FUZZ_SECONDS, on its corpus fuzz-corpus (parse) or fuzz-corpus-NAME.
FUZZ_TARGETS := parse conf control
FUZZ_TARGET ?= $(FUZZ_TARGETS)
FUZZ_CC = clang $(CPPFLAGS) $(CSTD) $(WARN) -Wno-format-nonliteral -O1 -g \
	    $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_CONF_SRC := $(CONF_SRC) $(SCORE_SRC) $(STATE_SRC) $(FW_SRC) $(NET_SRC) \
		 $(PARSE_SRC) $(UTIL_SRC) tailer/journal.c

build/fuzz/fuzz_parse: tests/fuzz_parse.c $(PARSE_SRC) $(NET_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -o $@ tests/fuzz_parse.c $(PARSE_SRC) $(NET_SRC) $(PKG_LIBS)

build/fuzz/fuzz_conf: tests/fuzz_conf.c $(FUZZ_CONF_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -o $@ tests/fuzz_conf.c $(FUZZ_CONF_SRC) $(PKG_LIBS)

build/fuzz/fuzz_control: tests/fuzz_control.c daemon/ctl_decode.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -o $@ tests/fuzz_control.c daemon/ctl_decode.c

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory $(FUZZ_TARGET:%=build/fuzz/fuzz_%)
	@for t in $(FUZZ_TARGET); do \
		case $$t in parse) dir=fuzz-corpus ;; *) dir=fuzz-corpus-$$t ;; \
		esac; \
		tests/fuzz-seed.sh $(SHARED) $$dir $$t || exit 1; \
		echo "build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS)" \
		    "-max_len=70000 -timeout=10 -print_final_stats=1 $$dir"; \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
		    -max_len=70000 -timeout=10 -print_final_stats=1 \
		    $$dir || exit 1; \
	done

clean:
	rm -rf build fivefifty bench/out

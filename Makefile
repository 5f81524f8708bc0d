# fivefifty - build, test, install.
#
#   make            build ./fivefifty
#   make run        install missing packages (as root), build, run
#   make test       install what the tests need, build with ASan+UBSan, test
#   make install    install into $(DESTDIR)$(PREFIX)
#   make bench      benchmark against grep, fail2ban-regex and pflogsumm
#   make bench-fw   banning speed against nft add element
#   make fuzz       run the libFuzzer target on the parser (FUZZ_SECONDS)
#   make clean

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
DESTDIR	?=
MAILLOG	?= /var/log/mail.log
FUZZ_SECONDS ?= 300
SHARED	?= ../shared

CC	?= cc
PKGS	:= libpcre2-8 zlib sqlite3 libnftnl libmnl libsystemd libcap-ng
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcre2-8 -lz -lsqlite3 -lnftnl -lmnl -lsystemd -lcap-ng) -lpthread -lm

WARN	:= -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	   -Wmissing-prototypes -Wformat=2
CSTD	:= -std=c17
CPPFLAGS += -D_GNU_SOURCE -I.
CFLAGS	?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS)

SAN	:= -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

PARSE_SRC  := $(wildcard parse/*.c)
TAILER_SRC := $(wildcard tailer/*.c)
UTIL_SRC   := $(wildcard util/*.c)
SCORE_SRC  := $(wildcard score/*.c)
CONF_SRC   := $(wildcard conf/*.c)
FW_SRC     := $(wildcard firewall/*.c)
DAEMON_SRC := $(wildcard daemon/*.c)
CMD_SRC    := $(wildcard cmd/*.c)
LIB_SRC    := $(PARSE_SRC) $(TAILER_SRC) $(UTIL_SRC) $(SCORE_SRC) \
	      $(CONF_SRC) $(FW_SRC) $(DAEMON_SRC)
HEADERS    := $(wildcard */*.h)
TEST_SRC   := $(wildcard tests/*.c)

OBJ	:= $(patsubst %.c,build/rel/%.o,$(LIB_SRC) $(CMD_SRC))
SAN_OBJ	:= $(patsubst %.c,build/san/%.o,$(LIB_SRC) $(CMD_SRC))
SAN_LIB	:= $(patsubst %.c,build/san/%.o,$(LIB_SRC) \
	   $(filter-out cmd/main.c,$(CMD_SRC)))
TEST_OBJ := $(patsubst %.c,build/san/%.o,$(filter-out tests/fuzz_%.c \
	    tests/probe_%.c,$(TEST_SRC)))

.PHONY: all run test check install uninstall bench bench-fw fuzz clean deps-build \
	deps-test deps-fuzz deps-bench

all: fivefifty

fivefifty: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $(OBJ) $(PKG_LIBS)

build/rel/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

build/san/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -O1 $(SAN) -c -o $@ $<

# The binary the tests run is built with the sanitizers too.
build/san/fivefifty: $(SAN_OBJ)
	$(CC) $(SAN) -o $@ $(SAN_OBJ) $(PKG_LIBS)

build/san/run_tests: $(TEST_OBJ) $(SAN_LIB)
	$(CC) $(SAN) -o $@ $(TEST_OBJ) $(SAN_LIB) $(PKG_LIBS) -lcmocka

# A consumer of the tailer that tests run as a separate process (kill -9).
build/san/probe_tailer: build/san/tests/probe_tailer.o $(SAN_LIB)
	$(CC) $(SAN) -o $@ $< $(SAN_LIB) $(PKG_LIBS)

deps-build:
	@scripts/deps.sh build
deps-test:
	@scripts/deps.sh test
deps-fuzz:
	@scripts/deps.sh fuzz
deps-bench:
	@scripts/deps.sh bench

# Until the daemon lands (`fivefifty run`), `make run` parses the mail log
# and prints what fivefifty sees in it; it changes nothing on the system.
run: deps-build
	@$(MAKE) --no-print-directory fivefifty
	@if [ -r "$(MAILLOG)" ]; then log="$(MAILLOG)"; \
	else log="$(SHARED)/corpus/lab/postfix37-lab.log"; \
	echo "fivefifty: $(MAILLOG) is not readable; parsing $$log instead" >&2; fi; \
	echo "fivefifty: parsing $$log (summary, then its last 20 events)" >&2; \
	./fivefifty parse "$$log" | tail -n 20

test: deps-test
	@[ -r /proc/self/stat ] || { echo "fivefifty: make test needs /proc" \
	    "mounted (the sanitizers read it)" >&2; exit 1; }
	@$(MAKE) --no-print-directory build/san/fivefifty build/san/run_tests \
	    build/san/probe_tailer
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	FIVEFIFTY_BIN=build/san/fivefifty FIVEFIFTY_SHARED=$(SHARED) \
	FIVEFIFTY_PROBE=build/san/probe_tailer \
	CMOCKA_MESSAGE_OUTPUT=stdout build/san/run_tests

check: test

install: fivefifty
	install -d $(DESTDIR)$(SBINDIR)
	install -m 0755 fivefifty $(DESTDIR)$(SBINDIR)/fivefifty

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/fivefifty

bench: deps-bench
	@$(MAKE) --no-print-directory fivefifty build/rel/bench/mkcorpus \
	    build/rel/bench/tailbench build/rel/bench/fwbench
	bench/run.sh
	bench/fw.sh

# Banning speed alone: one netlink batch against nft add element.
bench-fw: deps-bench
	@$(MAKE) --no-print-directory build/rel/bench/fwbench
	bench/fw.sh

FW_OBJ := $(patsubst %.c,build/rel/%.o,$(FW_SRC) score/net.c $(UTIL_SRC))
build/rel/bench/fwbench: bench/fwbench.c $(FW_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ bench/fwbench.c $(FW_OBJ) \
	    $(PKG_LIBS)

TAILER_OBJ := $(patsubst %.c,build/rel/%.o,$(TAILER_SRC) $(UTIL_SRC))
build/rel/bench/tailbench: bench/tailbench.c $(TAILER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ bench/tailbench.c $(TAILER_OBJ) \
	    $(PKG_LIBS)

build/rel/bench/mkcorpus: bench/mkcorpus.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

# libFuzzer needs clang; the corpus files seed it.
build/fuzz/fuzz_parse: tests/fuzz_parse.c $(PARSE_SRC) $(HEADERS)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) $(CSTD) $(WARN) -O1 -g $(PKG_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $@ tests/fuzz_parse.c \
	    $(PARSE_SRC) $(PKG_LIBS)

fuzz: deps-fuzz
	@$(MAKE) --no-print-directory build/fuzz/fuzz_parse
	@mkdir -p fuzz-corpus
	tests/fuzz-seed.sh $(SHARED) fuzz-corpus
	build/fuzz/fuzz_parse -max_total_time=$(FUZZ_SECONDS) -max_len=70000 \
	    -timeout=10 -print_final_stats=1 fuzz-corpus

clean:
	rm -rf build fivefifty bench/out

# pagemap-dump: one row per virtual page of a process.
#
#   make            build ./pagemap-dump
#   make check      build and run every test (needs cmocka: make deps)
#   make deps       install cmocka when it is missing (Debian/Ubuntu)
#   make install    PREFIX=/usr/local DESTDIR= (binary and man page)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -std=c11 -Wall -Wextra -pedantic -Wwrite-strings -Werror=vla \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
ALL_CFLAGS = $(WARNINGS) $(CFLAGS)
ALL_CPPFLAGS = -D_GNU_SOURCE -Iinclude $(CPPFLAGS)

LIB_SRC = src/dump.c src/escape.c src/filter.c src/format.c src/maps.c \
	src/options.c \
	src/kpage.c src/out.c src/pagemap.c src/walk.c
LIB_OBJ = $(LIB_SRC:.c=.o)
OBJ = $(LIB_OBJ) src/main.o

UNIT_TESTS = tests/test_maps tests/test_pagemap tests/test_escape \
	tests/test_format tests/test_options tests/test_dump tests/test_kpage
E2E_TESTS = tests/test_e2e tests/test_scan tests/test_physical
TESTS = $(UNIT_TESTS) $(E2E_TESTS)
TEST_LIBS = -lcmocka

SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

all: pagemap-dump

pagemap-dump: $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) -pthread

%.o: %.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MD -MP -c -o $@ $<

tests/test_%: tests/test_%.o tests/e2e_util.o $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) -pthread

check: pagemap-dump $(TESTS)
	@failed=0; for t in $(TESTS); do \
		echo "== $$t"; ./$$t || failed=1; \
	done; \
	if [ $$failed -ne 0 ]; then echo "check: some tests failed"; exit 1; fi; \
	echo "check: all test programs passed"

deps:
	@if printf '#include <stdarg.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <setjmp.h>\n#include <cmocka.h>\n' \
		| $(CC) -E -x c - >/dev/null 2>&1; then \
		echo "deps: cmocka is installed"; \
	else \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libcmocka-dev; \
	fi

install: pagemap-dump
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 pagemap-dump $(DESTDIR)$(BINDIR)/pagemap-dump
	install -m 644 man/pagemap-dump.1 $(DESTDIR)$(MANDIR)/man1/pagemap-dump.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pagemap-dump \
		$(DESTDIR)$(MANDIR)/man1/pagemap-dump.1

lint-man:
	mandoc -Tlint -Wwarning man/pagemap-dump.1

fmt:
	clang-format -i src/*.c include/*.h tests/*.c

clean:
	rm -f pagemap-dump src/*.o src/*.d tests/*.o tests/*.d $(TESTS) tests/bench

.PHONY: all check deps install uninstall lint-man fmt clean

-include $(OBJ:.o=.d) $(TESTS:=.d)

# The benchmark: workloads it builds itself; see tests/bench.c.
BENCH_RUNS ?= 7
tests/bench: tests/bench.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/bench.o

bench: pagemap-dump tests/bench
	./tests/bench -n $(BENCH_RUNS)

.PHONY: bench

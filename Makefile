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

# Every source file but main's: a new module (a sink, a stage) is a new
# file and nothing here.
LIB_SRC = $(sort $(filter-out src/main.c,$(wildcard src/*.c)))
LIB_OBJ = $(LIB_SRC:.c=.o)
OBJ = $(LIB_OBJ) src/main.o

UNIT_TESTS = tests/test_maps tests/test_pagemap tests/test_escape \
	tests/test_format tests/test_options tests/test_dump tests/test_kpage \
	tests/test_filter tests/test_summary tests/test_corpus tests/test_columns \
	tests/test_pipeline tests/test_ranges \
	tests/test_kpage_names tests/test_numa tests/test_folio_stage \
	tests/test_out tests/test_snapshot tests/test_replay tests/test_frames
# The e2e programs, in two lists so that two people can split files at
# once without touching the same line.
E2E_TESTS_A = tests/test_e2e tests/test_views_columns tests/test_views_select \
	tests/test_views_summary tests/test_scan \
	tests/test_faults tests/test_examples tests/test_nodes tests/test_all
E2E_TESTS_B = $(PHYSICAL_TESTS) tests/test_hostile tests/test_edges \
	tests/test_smaps tests/test_races tests/test_folios tests/test_record \
	tests/test_bars tests/test_svg tests/test_svg_frames
E2E_TESTS = $(E2E_TESTS_A) $(E2E_TESTS_B)
TESTS = $(UNIT_TESTS) $(E2E_TESTS)
TEST_LIBS = -lcmocka

SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

all: pagemap-dump

pagemap-dump: $(OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) -pthread

%.o: %.c
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MD -MP -c -o $@ $<

# The test_physical_* programs share a child and its readers.
PHYSICAL_TESTS = tests/test_physical_counts tests/test_physical_kflags \
	tests/test_physical_formats tests/test_physical_exclusive \
	tests/test_physical_caps
$(PHYSICAL_TESTS): tests/physical.o

# What every test program links besides the library.
TEST_SUPPORT = tests/testlib.o tests/testlib_child.o tests/testlib_read.o \
	tests/readers.o tests/testdata.o

# The fixture tool: captures processes into state files and renders them
# through the fixture entry point (tests/state.c).
tests/fixture: tests/fixture.o tests/state.o $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ -pthread

STATE_TESTS = tests/test_corpus tests/test_ranges tests/test_replay
$(STATE_TESTS): %: %.o tests/state.o $(TEST_SUPPORT) $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) -pthread

tests/test_%: tests/test_%.o $(TEST_SUPPORT) $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(TEST_LIBS) -pthread

# What some programs link besides TEST_SUPPORT: the views programs their
# child and its expectations; test_examples its reader of the documents.
VIEWS_TESTS = tests/test_views_columns tests/test_views_select \
	tests/test_views_summary
$(VIEWS_TESTS): tests/views.o
tests/test_svg tests/test_svg_frames: tests/xml.o
tests/test_examples: tests/examples_doc.o tests/examples_views.o \
	tests/examples_snap.o
TEST_SHARED = tests/views.o tests/examples_doc.o tests/examples_views.o \
	tests/examples_snap.o tests/xml.o

# Runs every test program and ends with one line that adds them up:
# "check: N passed, N failed, N skipped" (a program that dies counts as a
# failure even if it printed none).
check: pagemap-dump $(TESTS)
	@log=$$(mktemp); out=$$(mktemp); bad=0; \
	for t in $(TESTS); do \
		echo "== $$t"; \
		if ./$$t > $$out 2>&1; then rc=0; else rc=1; fi; \
		cat $$out; cat $$out >> $$log; \
		if [ $$rc -ne 0 ] && ! grep -q '^\[  FAILED  \] [0-9]' $$out; then \
			bad=$$((bad + 1)); \
		fi; \
	done; \
	sum() { sed -n "s/^\[  $$1 *\] \([0-9]*\) test.*/\1/p" $$log | \
		awk '{ n += $$1 } END { print n + 0 }'; }; \
	passed=$$(sum PASSED); failed=$$(($$(sum FAILED) + bad)); \
	skipped=$$(sum SKIPPED); rm -f $$log $$out; \
	echo "check: $$passed passed, $$failed failed, $$skipped skipped"; \
	[ $$failed -eq 0 ]

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
	rm -f pagemap-dump src/*.o src/*.d tests/*.o tests/*.d $(TESTS) tests/bench \
		tests/fixture

.PHONY: all check deps install uninstall lint-man fmt clean

# The test objects are kept: make would otherwise remove them as
# intermediate files after the last recipe, printing an "rm" line after
# check's summary, which must be the last line.
.SECONDARY: $(TESTS:=.o) $(TEST_SUPPORT) $(TEST_SHARED) tests/state.o \
	tests/fixture.o tests/physical.o

-include $(OBJ:.o=.d) $(TESTS:=.d) $(TEST_SUPPORT:.o=.d) \
	$(TEST_SHARED:.o=.d) tests/state.d tests/fixture.d tests/physical.d

# The benchmark: workloads it builds itself; see tests/bench.c.
BENCH_RUNS ?= 7
tests/bench: tests/bench.o
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ tests/bench.o

bench: pagemap-dump tests/bench
	./tests/bench -n $(BENCH_RUNS)

.PHONY: bench

# ---- fuzzing: make fuzz ---------------------------------------------------
# libFuzzer targets (clang) for the maps parser, the command line and the
# escaping of mapping names in each output format: tests/fuzz_maps.c,
# tests/fuzz_options.c, and tests/fuzz_escape.c built once per format.
# Each binary is compiled straight from the library sources in one clang
# command, so no fuzz object ever mixes with the normal build. make fuzz runs each target for
# FUZZ_SECONDS from a temporary copy of its seeds (tests/corpus/maps,
# options or names, plus the matching maps-*, options-* or name-* inputs
# in tests/corpus/regressions), so tests/corpus is never written to, and fails
# when any target crashes or breaks a property; libFuzzer then leaves the
# input as ./crash-<sha1>. FUZZ_FLAGS passes more libFuzzer options.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_CFLAGS = -std=c11 -g -O1 -Wall -Wextra \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CPPFLAGS = -D_GNU_SOURCE -Iinclude
FUZZ_LIB_SRC = $(LIB_SRC)
# What fuzz_escape shares with the tests: their readers and test data,
# which need no cmocka.
FUZZ_TEST_SRC = tests/readers.c tests/testdata.c
FUZZ_ESCAPE = tests/fuzz_escape_text tests/fuzz_escape_csv \
	tests/fuzz_escape_json
FUZZ_TARGETS = tests/fuzz_maps tests/fuzz_options $(FUZZ_ESCAPE) \
	tests/fuzz_snapshot

tests/fuzz_maps: tests/fuzz_maps.c $(FUZZ_LIB_SRC) $(wildcard include/*.h)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -o $@ \
		tests/fuzz_maps.c $(FUZZ_LIB_SRC) -pthread

tests/fuzz_snapshot: tests/fuzz_snapshot.c $(FUZZ_LIB_SRC) $(wildcard include/*.h)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -o $@ \
		tests/fuzz_snapshot.c $(FUZZ_LIB_SRC) -pthread

tests/fuzz_options: tests/fuzz_options.c $(FUZZ_LIB_SRC) $(wildcard include/*.h)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS) -o $@ \
		tests/fuzz_options.c $(FUZZ_LIB_SRC) -pthread

tests/fuzz_escape_text: FUZZ_FORMAT = FORMAT_TEXT
tests/fuzz_escape_csv: FUZZ_FORMAT = FORMAT_CSV
tests/fuzz_escape_json: FUZZ_FORMAT = FORMAT_JSON
$(FUZZ_ESCAPE): tests/fuzz_escape.c $(FUZZ_LIB_SRC) $(FUZZ_TEST_SRC) \
		$(wildcard include/*.h) tests/readers.h tests/testdata.h
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) -DFUZZ_FORMAT=$(FUZZ_FORMAT) \
		$(FUZZ_CFLAGS) -o $@ tests/fuzz_escape.c $(FUZZ_LIB_SRC) \
		$(FUZZ_TEST_SRC) -pthread

fuzz: $(FUZZ_TARGETS)
	@failed=0; dir=; trap 'rm -rf "$$dir"' EXIT INT TERM; \
	for t in $(FUZZ_TARGETS); do \
		case $$t in \
		*fuzz_maps) seeds=tests/corpus/maps; reg=maps-;; \
		*fuzz_options) seeds=tests/corpus/options; reg=options-;; \
		*fuzz_snapshot) seeds=tests/corpus/snapshots; reg=snapshot-;; \
		*) seeds=tests/corpus/names; reg=name-;; \
		esac; \
		dir=$$(mktemp -d) || exit 1; \
		cp $$seeds/* "$$dir"/ || exit 1; \
		for r in tests/corpus/regressions/$$reg*; do \
			if [ -f "$$r" ]; then cp "$$r" "$$dir"/; fi; \
		done; \
		echo "== $$t for $(FUZZ_SECONDS) s"; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
			-print_final_stats=1 -artifact_prefix=./ \
			$(FUZZ_FLAGS) "$$dir" || { \
			echo "fuzz: $$t failed; its input is in ./crash-*"; \
			failed=1; }; \
		rm -rf "$$dir"; dir=; \
	done; \
	if [ $$failed -ne 0 ]; then echo "fuzz: some targets failed"; exit 1; fi; \
	echo "fuzz: no target found a problem"

# Removes the fuzz binaries; crash-* inputs are left for you to keep.
fuzz-clean:
	rm -f $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-clean
# ---- end of fuzzing --------------------------------------------------------

# ---- hardening: make check-sanitize, make check-valgrind -------------------
# check-sanitize rebuilds with SAN_CC (gcc or clang), runs every test
# program, and cleans before and after. The unit tests and the tool get
# SAN_FLAGS (ASan and UBSan). The e2e programs get UBSAN_FLAGS alone: a
# process built with ASan maps terabytes of shadow memory (5.4 billion
# pages on x86-64), and the tool dumps the children these programs fork.
# For the same reason the programs in SAN_WHOLE_SELF, whose tests dump
# `self` whole, run a tool built with UBSan alone. A sanitizer report exits
# 97, which no test expects.
# check-valgrind builds normally and runs the e2e programs with every run
# of the tool under memcheck (tests/valgrind-tool): a memory error or a
# definite or indirect leak exits 98, which no test expects.
SAN_CC ?= $(CC)
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
UBSAN_FLAGS = -O1 -g -fsanitize=undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
SAN_WHOLE_SELF = tests/test_e2e
SAN_ENV = ASAN_OPTIONS=exitcode=97 \
	UBSAN_OPTIONS=exitcode=97:print_stacktrace=1

check-sanitize:
	@dir=$$(mktemp -d) && chmod 755 "$$dir" || exit 1; \
	trap 'rm -rf "$$dir"' EXIT INT TERM; failed=0; \
	$(MAKE) clean && \
	$(MAKE) CC="$(SAN_CC)" CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
		pagemap-dump $(UNIT_TESTS) || { $(MAKE) clean; exit 1; }; \
	for t in $(UNIT_TESTS); do \
		echo "== $$t (ASan, UBSan)"; \
		$(SAN_ENV) ./$$t || failed=1; \
	done; \
	cp pagemap-dump "$$dir/pagemap-dump" || exit 1; \
	$(MAKE) clean && \
	$(MAKE) CC="$(SAN_CC)" CFLAGS="$(UBSAN_FLAGS)" LDFLAGS="$(UBSAN_FLAGS)" \
		pagemap-dump $(E2E_TESTS) || { $(MAKE) clean; exit 1; }; \
	for t in $(E2E_TESTS); do \
		case " $(SAN_WHOLE_SELF) " in \
		*" $$t "*) tool=./pagemap-dump; what="UBSan";; \
		*) tool="$$dir/pagemap-dump"; what="ASan, UBSan";; \
		esac; \
		echo "== $$t (UBSan; the tool: $$what)"; \
		PAGEMAP_DUMP="$$tool" $(SAN_ENV) ./$$t || failed=1; \
	done; \
	$(MAKE) clean; \
	if [ $$failed -ne 0 ]; then \
		echo "check-sanitize: some tests failed"; exit 1; \
	fi; \
	echo "check-sanitize: all test programs passed"

check-valgrind: pagemap-dump $(E2E_TESTS)
	@command -v valgrind >/dev/null || { \
		echo "check-valgrind: valgrind is not installed"; exit 1; }; \
	failed=0; \
	for t in $(E2E_TESTS); do \
		echo "== $$t (the tool under valgrind)"; \
		PAGEMAP_DUMP=tests/valgrind-tool ./$$t || failed=1; \
	done; \
	if [ $$failed -ne 0 ]; then \
		echo "check-valgrind: some tests failed"; exit 1; \
	fi; \
	echo "check-valgrind: all e2e programs passed"

.PHONY: check-sanitize check-valgrind
# ---- end of hardening -------------------------------------------------------

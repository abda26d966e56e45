/*
 * End-to-end tests of the exclusive bit (56), which the tool trusts
 * instead of reading /proc/kpagecount, on the child of physical.h: the
 * output must be the same as with every count read
 * (PAGEMAP_DUMP_READ_COUNTS), and PAGEMAP_DUMP_STATS must show the reads
 * left out for exclusive pages, and made for shared and huge ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "physical.h"

/* ---- the exclusive bit instead of /proc/kpagecount ---------------------- */

static void
require_kpagecount(void)
{
	if (access("/proc/kpagecount", R_OK) != 0)
		tl_skip("no readable /proc/kpagecount");
	/* Set in the environment, it would make every run read them. */
	unsetenv("PAGEMAP_DUMP_READ_COUNTS");
}

/* Runs the tool as root on the child with env (NAME=value) added. */
static void
dump_env(struct tl_run *r, const char *const *env, const char *const *opts)
{
	const char *args[30];
	int n = 0;

	while (*opts != NULL && n < 28)
		args[n++] = *opts++;
	args[n++] = child.pid_arg;
	args[n] = NULL;
	tl_run(r, env, args);
	if (tl_exit_code(r) != 0)
		fail_msg("%s ...: exit %d: %s", args[0], tl_exit_code(r),
		    r->err);
}

/* Writes where a and b first differ (line number and lines) into buf. */
static void
first_difference(const char *a, const char *b, char *buf, size_t len)
{
	const char *la = a, *lb = b;
	size_t line = 1;

	for (; *a == *b && *a != '\0'; a++, b++)
		if (*a == '\n') {
			line++;
			la = a + 1;
			lb = b + 1;
		}
	snprintf(buf, len, "line %zu:\n  without: %.*s\n  with:    %.*s",
	    line, (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}

/*
 * Removes the idle flag from the kflags lists of a dump, in place. A
 * monitor such as DAMON sets it on the pages it samples, at any time, and
 * nothing in the tool depends on it; a run under valgrind lasts long
 * enough to see it appear on some page between any two runs.
 */
static void
drop_idle(char *text)
{
	const char *r = text;
	char *w = text;

	while (*r != '\0') {
		/* Never the first flag: a present page has lower ones. */
		if (strncmp(r, ",idle", 5) == 0 && r[5] != '\0' &&
		    strchr(",\" \t\n", r[5]) != NULL) {
			r += 5;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The words of a NULL-terminated list, joined by spaces, into buf. */
static const char *
words(const char *const *list, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *list != NULL && used < len; list++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? " " : "", *list);
	return buf;
}

static void
should_print_the_same_with_and_without_reading_every_mapcount(
    void **state)
{
	const char *const asks[][6] = {
		{ "-s", NULL },
		{ "-s", "-f", "json", NULL },
		{ "-o", "+kflags,mapcount", NULL },
		{ "-o", "+kflags,mapcount,cgroup", "-f", "csv", NULL },
		{ "-s", "-k", "anon", NULL },
		{ "-o", "+mapcount", NULL },
	};
	const char *const read_all[] = { "PAGEMAP_DUMP_READ_COUNTS=1", NULL };
	const uint64_t ps = child.l.page;
	char ranges[4][64], thp[32], own_thp[32], diff[1024], ask[64];
	const char *args[16];
	struct tl_run without, with;
	size_t i, n, k, attempt;
	(void)state;

	require_kpagecount();
	/*
	 * The child's own areas: the region (shared, copied, file, anon and
	 * swapped pages and the shared huge pages), the memfd page mapped
	 * twice, the huge page of its own and the sparse mapping. Not the
	 * libraries: the tool maps them too, and which of their pages it
	 * has touched, so their counts, differs from one run to the next.
	 */
	range(ranges[0], sizeof(ranges[0]), child.l.base, child.l.end);
	range(ranges[1], sizeof(ranges[1]), child.l.twice,
	    child.l.twice + 3 * ps);
	range(ranges[2], sizeof(ranges[2]), child.l.own_thp,
	    child.l.own_thp + child.l.hpage);
	range(ranges[3], sizeof(ranges[3]), child.l.sparse,
	    child.l.sparse + SPARSE_PAGES * ps);
	snprintf(thp, sizeof(thp), "%" PRIxPTR, child.l.thp);
	snprintf(own_thp, sizeof(own_thp), "%" PRIxPTR, child.l.own_thp);
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		for (n = 0; asks[i][n] != NULL; n++)
			args[n] = asks[i][n];
		for (k = 0; k < 4; k++) {
			args[n++] = "-r";
			args[n++] = ranges[k];
		}
		args[n] = NULL;
		/*
		 * A page's flags or bits can change between two runs: an
		 * exclusive bit, a page paged out or its flags aged.
		 */
		for (attempt = 0; attempt < 5; attempt++) {
			dump_env(&without, NULL, args);
			dump_env(&with, read_all, args);
			if (strstr(with.out, thp) == NULL ||
			    strstr(with.out, own_thp) == NULL)
				fail_msg("%s: the huge page areas are not in "
				    "the output", words(asks[i], ask,
				    sizeof(ask)));
			drop_idle(without.out);
			drop_idle(with.out);
			if (strcmp(without.out, with.out) == 0)
				break;
			first_difference(without.out, with.out, diff,
			    sizeof(diff));
			tl_run_free(&without);
			tl_run_free(&with);
		}
		if (attempt == 5)
			fail_msg("%s: the output differs with "
			    "PAGEMAP_DUMP_READ_COUNTS=1 in 5 attempts; the "
			    "last time at %s", words(asks[i], ask,
			    sizeof(ask)), diff);
		tl_run_free(&without);
		tl_run_free(&with);
	}
}

/* The reads of each /proc/kpage* file, as PAGEMAP_DUMP_STATS gives them. */
struct kpage_reads {
	uint64_t flags, count, cgroup;
};

/*
 * Runs the tool on the child over [start, end) with opts, with the stats
 * and, if read_all, every count read; returns its kpage reads.
 */
static struct kpage_reads
kpage_reads(const char *const *opts, uintptr_t start, uintptr_t end,
    bool read_all)
{
	const char *const env[] = { "PAGEMAP_DUMP_STATS=1",
	    read_all ? "PAGEMAP_DUMP_READ_COUNTS=1" : NULL, NULL };
	const char *args[16];
	struct kpage_reads k = { 0, 0, 0 };
	struct tl_run r;
	char rng[64], cmd[160], *text, *line;
	int n = 0, found = 0, pid;

	range(rng, sizeof(rng), start, end);
	while (*opts != NULL && n < 13)
		args[n++] = *opts++;
	args[n++] = "-r";
	args[n++] = rng;
	args[n] = NULL;
	dump_env(&r, env, args);
	text = r.err;
	while ((line = next_line(&text)) != NULL)
		if (sscanf(line, "pagemap-dump: pid %d: %" SCNu64
		    " kpageflags, %" SCNu64 " kpagecount, %" SCNu64
		    " kpagecgroup reads", &pid, &k.flags, &k.count,
		    &k.cgroup) == 4 && pid == (int)child.pid)
			found++;
	if (found != 1)
		fail_msg("%s: %d lines of kpage reads for pid %d in:\n%s",
		    words(args, cmd, sizeof(cmd)), found, (int)child.pid,
		    r.err);
	tl_run_free(&r);
	return k;
}

/*
 * Skips unless every page of [start, end) is present and exclusive, as
 * the kernel marks a page that it counts as mapped once.
 */
static void
require_exclusive(uintptr_t start, size_t count, const char *what)
{
	char r[64], *text, *line;
	const char *const opts[] = { "-H", "-o", "present,exclusive", "-r", r,
	    NULL };
	struct tl_run run;
	size_t n = 0;

	range(r, sizeof(r), start, start + count * child.l.page);
	dump_ok(&run, opts);
	text = run.out;
	while ((line = next_line(&text)) != NULL) {
		n++;
		if (strcmp(line, "1 1") != 0) {
			tl_skipf("the %s pages are not all "
			    "present and exclusive (bit 56): '%s'", what,
			    line);
		}
	}
	assert_int_equal(n, count);
	tl_run_free(&run);
}

/*
 * Dumps the flush pages with opts: written after the fork, they are the
 * child's alone, each mapped once, so the tool must read no count of
 * them; told to read every count, it must read some (the reads are to be
 * seen). Returns the reads of the first dump.
 */
static struct kpage_reads
exclusive_flush_reads(const char *const *opts)
{
	const uintptr_t start = child.l.flush;
	const uintptr_t end = start + FLUSH_PAGES * child.l.page;
	struct kpage_reads k;

	require_kpagecount();
	require_exclusive(start, FLUSH_PAGES, "flush");
	k = kpage_reads(opts, start, end, false);
	assert_int_equal(k.count, 0);
	assert_true(kpage_reads(opts, start, end, true).count > 0);
	return k;
}

static void
should_not_read_kpagecount_for_the_pss_of_exclusive_pages(void **state)
{
	const char *const opts[] = { "-s", NULL };
	(void)state;

	assert_int_equal(exclusive_flush_reads(opts).flags, 0);
}

static void
should_not_read_kpagecount_for_exclusive_small_pages_with_kflags(
    void **state)
{
	const char *const opts[] = { "-o", "+kflags,mapcount", NULL };
	const char *const no_flags[] = { "-o", "+mapcount", NULL };
	const uintptr_t start = child.l.flush;
	const uintptr_t end = start + FLUSH_PAGES * child.l.page;
	struct kpage_reads k;
	(void)state;

	assert_true(exclusive_flush_reads(opts).flags > 0);
	/* Without the flags, the column reads every count, as before. */
	k = kpage_reads(no_flags, start, end, false);
	assert_true(k.count > 0);
	assert_int_equal(k.flags, 0);
}

static void
should_read_kpagecount_for_pages_shared_with_a_forked_process(
    void **state)
{
	const char *const opts[] = { "-s", NULL };
	const uintptr_t start = child.l.shared;
	const uintptr_t end = start + SHARED_PAGES * child.l.page;
	struct kpage_reads k;
	(void)state;

	require_kpagecount();
	/* Mapped by the grandchild too: not exclusive, so each one read. */
	k = kpage_reads(opts, start, end, false);
	assert_true(k.count > 0);
}

/* Skips unless the child's own huge page area is one huge page. */
static void
require_own_thp(void)
{
	require_thp();
	if (!child.l.own_thp_advised)
		tl_skip("MADV_HUGEPAGE was refused");
	if (anon_huge_kib(child.l.own_thp) * 1024 != child.l.hpage) {
		tl_skipf("the kernel gave the child no huge "
		    "page of its own (AnonHugePages %" PRIu64 " kB there)",
		    anon_huge_kib(child.l.own_thp));
	}
}

static void
should_read_kpagecount_for_an_exclusive_huge_page_only_with_kflags(
    void **state)
{
	const char *const sum[] = { "-s", NULL };
	const char *const rows[] = { "-o", "+kflags,mapcount", NULL };
	const uintptr_t start = child.l.own_thp;
	const uintptr_t end = start + child.l.hpage;
	struct page_row *r;
	size_t i, n;
	(void)state;

	require_kpagecount();
	require_own_thp();
	require_exclusive(start, child.l.hpage / child.l.page,
	    "own huge page's");
	r = pages(start, end, NULL, &n);
	for (i = 0; i < n; i++)
		if (r[i].mapcount != 1 || !(r[i].flags & KPF_THP))
			fail_msg("own huge page, page %zu: mapcount %" PRIu64
			    ", kflags 0x%" PRIx64 ": want 1 and thp", i,
			    r[i].mapcount, r[i].flags);
	free(r);
	/* For PSS the exclusive bit is enough; beside kflags, it is not. */
	assert_int_equal(kpage_reads(sum, start, end, false).count, 0);
	assert_true(kpage_reads(rows, start, end, false).count > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_print_the_same_with_and_without_reading_every_mapcount),
		cmocka_unit_test(
		    should_not_read_kpagecount_for_the_pss_of_exclusive_pages),
		cmocka_unit_test(
		    should_not_read_kpagecount_for_exclusive_small_pages_with_kflags),
		cmocka_unit_test(
		    should_read_kpagecount_for_pages_shared_with_a_forked_process),
		cmocka_unit_test(
		    should_read_kpagecount_for_an_exclusive_huge_page_only_with_kflags),
	};
	int rc = physical_unusable("test_physical_exclusive");

	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests(tests, physical_start, physical_stop);
}

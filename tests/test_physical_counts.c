/*
 * End-to-end tests of the mapcount column and of PSS and USS in the
 * summary, on the child of physical.h: pages shared with a forked
 * grandchild count two mappings and half their PSS, a page copied on
 * write after the fork one, a memfd page the child maps twice two, and
 * the total sums every mapping.
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

/* ---- mapcount, PSS and USS -------------------------------------------- */

static void
should_count_two_mappings_of_a_page_shared_with_a_forked_process(
    void **state)
{
	struct page_row *rows = all_pages(child.l.shared, SHARED_PAGES);
	size_t i;
	(void)state;

	for (i = 0; i < SHARED_PAGES; i++) {
		assert_true(rows[i].present);
		assert_true(rows[i].pfn != 0);
		assert_int_equal(rows[i].mapcount, 2);
		assert_true(rows[i].flags & KPF_ANON);
	}
	free(rows);
}

static void
should_count_one_mapping_of_a_page_copied_on_write(void **state)
{
	struct page_row *rows = all_pages(child.l.cow, COW_PAGES);
	(void)state;

	/* Page 0 was written after the fork: a copy of its own. */
	assert_true(rows[0].present);
	assert_int_equal(rows[0].mapcount, 1);
	assert_true(rows[0].flags & KPF_ANON);
	/* Page 1 was not: still the grandchild's too. */
	assert_true(rows[1].present);
	assert_int_equal(rows[1].mapcount, 2);
	assert_true(rows[0].pfn != rows[1].pfn);
	free(rows);
}

static void
should_halve_the_pss_of_a_mapping_shared_with_a_forked_process(
    void **state)
{
	const uint64_t kib = child.l.page / 1024;
	char r[64], shared[32], cow[32];
	const char *const opts[] = { "-r", r, NULL };
	struct summary s;
	int rss;
	(void)state;

	range(r, sizeof(r), child.l.shared, child.l.cow + COW_PAGES *
	    child.l.page);
	snprintf(shared, sizeof(shared), "%" PRIxPTR, child.l.shared);
	snprintf(cow, sizeof(cow), "%" PRIxPTR, child.l.cow);
	summary(&s, true, opts);
	/* pss-kib and uss-kib come right after rss-kib. */
	rss = column(&s, "rss-kib");
	assert_true(rss >= 0);
	assert_int_equal(column(&s, "pss-kib"), rss + 1);
	assert_int_equal(column(&s, "uss-kib"), rss + 2);

	assert_int_equal(cell(&s, shared, "rss-kib"), SHARED_PAGES * kib);
	assert_int_equal(cell(&s, shared, "pss-kib"), SHARED_PAGES * kib / 2);
	assert_int_equal(cell(&s, shared, "uss-kib"), 0);
	/* One page of its own and one shared: 1.5 pages of PSS. */
	assert_int_equal(cell(&s, cow, "rss-kib"), 2 * kib);
	assert_int_equal(cell(&s, cow, "pss-kib"), kib + kib / 2);
	assert_int_equal(cell(&s, cow, "uss-kib"), kib);
	/* The total: both mappings, and the guard page between them. */
	assert_int_equal(s.nrows, 4);
	assert_int_equal(cell(&s, "total", "pages"), SHARED_PAGES + 1 +
	    COW_PAGES);
	assert_int_equal(cell(&s, "total", "rss-kib"), 6 * kib);
	assert_int_equal(cell(&s, "total", "pss-kib"), 3 * kib + kib / 2);
	assert_int_equal(cell(&s, "total", "uss-kib"), kib);
	summary_done(&s);
}

/*
 * The memfd page that the child maps twice: its two mappings' addresses as
 * the first column shows them, and a -r range for each.
 */
struct twice {
	char addr[2][32], range[2][64];
};

static void
twice_init(struct twice *t)
{
	const uintptr_t at[2] = { child.l.twice,
		child.l.twice + 2 * child.l.page };
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(t->addr[i], sizeof(t->addr[i]), "%" PRIxPTR, at[i]);
		range(t->range[i], sizeof(t->range[i]), at[i],
		    at[i] + child.l.page);
	}
}

static void
should_count_two_mappings_of_a_page_mapped_twice_by_one_process(
    void **state)
{
	struct twice t;
	const char *const opts[] = { "-f", "tsv", "-o",
	    "+kflags,mapcount,exclusive", "-r", t.range[0], "-r", t.range[1],
	    NULL };
	struct summary s;
	int i;
	(void)state;

	twice_init(&t);
	read_table(&s, true, opts);
	assert_int_equal(s.nrows, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cell(&s, t.addr[i], "present"), 1);
		/* Mapped twice, so not exclusive, even in one process. */
		if (cell(&s, t.addr[i], "mapcount") != 2 ||
		    cell(&s, t.addr[i], "exclusive") != 0)
			fail_msg("memfd page at %s: mapcount %" PRIu64
			    ", exclusive %" PRIu64 ": want 2 and 0",
			    t.addr[i], cell(&s, t.addr[i], "mapcount"),
			    cell(&s, t.addr[i], "exclusive"));
	}
	/* One page: the same PFN through both. */
	assert_string_equal(summary_row(&s, 0)[column(&s, "pfn")],
	    summary_row(&s, 1)[column(&s, "pfn")]);
	summary_done(&s);
}

static void
should_halve_the_pss_of_a_page_mapped_twice_by_one_process(void **state)
{
	const uint64_t kib = child.l.page / 1024;
	struct twice t;
	const char *const opts[] = { "-r", t.range[0], "-r", t.range[1],
	    NULL };
	struct summary s;
	int i;
	(void)state;

	twice_init(&t);
	summary(&s, true, opts);
	assert_int_equal(s.nrows, 3);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cell(&s, t.addr[i], "rss-kib"), kib);
		assert_int_equal(cell(&s, t.addr[i], "exclusive"), 0);
		assert_int_equal(cell(&s, t.addr[i], "pss-kib"), kib / 2);
		assert_int_equal(cell(&s, t.addr[i], "uss-kib"), 0);
	}
	/* Both halves: the page once. */
	assert_int_equal(cell(&s, "total", "rss-kib"), 2 * kib);
	assert_int_equal(cell(&s, "total", "pss-kib"), kib);
	assert_int_equal(cell(&s, "total", "uss-kib"), 0);
	summary_done(&s);
}

static void
should_split_the_pss_of_every_area_by_its_mappings(void **state)
{
	const uint64_t kib = child.l.page / 1024, hkib = child.l.hpage / 1024;
	char r[64], thp[32], anon[32], flush[32];
	const char *const opts[] = { "-r", r, NULL };
	struct summary s;
	(void)state;

	range(r, sizeof(r), child.l.base, child.l.end);
	snprintf(thp, sizeof(thp), "%" PRIxPTR, child.l.thp);
	snprintf(anon, sizeof(anon), "%" PRIxPTR, child.l.anon);
	snprintf(flush, sizeof(flush), "%" PRIxPTR, child.l.flush);
	summary(&s, true, opts);
	/* Written before the fork, huge or not: half of it each. */
	assert_int_equal(cell(&s, thp, "rss-kib"), 2 * hkib);
	assert_int_equal(cell(&s, thp, "pss-kib"), hkib);
	assert_int_equal(cell(&s, thp, "uss-kib"), 0);
	assert_int_equal(cell(&s, anon, "rss-kib"), ANON_PAGES / 2 * kib);
	assert_int_equal(cell(&s, anon, "pss-kib"), ANON_PAGES / 4 * kib);
	assert_int_equal(cell(&s, anon, "uss-kib"), 0);
	/* Written after it: the child's alone. */
	assert_int_equal(cell(&s, flush, "rss-kib"), FLUSH_PAGES * kib);
	assert_int_equal(cell(&s, flush, "pss-kib"), FLUSH_PAGES * kib);
	assert_int_equal(cell(&s, flush, "uss-kib"), FLUSH_PAGES * kib);
	summary_done(&s);
}

static void
should_sum_pss_and_uss_of_every_mapping_in_the_total(void **state)
{
	const char *const opts[] = { NULL };
	struct summary s;
	uint64_t rss, pss, uss, sum_pss = 0, sum_uss = 0, sum_rss = 0;
	size_t i;
	int c_rss, c_pss, c_uss;
	(void)state;

	summary(&s, true, opts);
	c_rss = column(&s, "rss-kib");
	c_pss = column(&s, "pss-kib");
	c_uss = column(&s, "uss-kib");
	assert_true(c_rss >= 0 && c_pss >= 0 && c_uss >= 0);
	assert_true(s.nrows > 2);
	assert_string_equal(summary_row(&s, s.nrows - 1)[0], "total");
	for (i = 0; i + 1 < s.nrows; i++) {
		rss = number(summary_row(&s, i)[c_rss], 10);
		pss = number(summary_row(&s, i)[c_pss], 10);
		uss = number(summary_row(&s, i)[c_uss], 10);
		if (pss > rss || uss > pss)
			fail_msg("mapping %s: rss %" PRIu64 " pss %" PRIu64
			    " uss %" PRIu64, summary_row(&s, i)[0], rss, pss, uss);
		sum_rss += rss;
		sum_pss += pss;
		sum_uss += uss;
	}
	assert_int_equal(cell(&s, "total", "rss-kib"), sum_rss);
	assert_int_equal(cell(&s, "total", "uss-kib"), sum_uss);
	/* Each row's PSS is rounded to the KiB; the total once. */
	pss = cell(&s, "total", "pss-kib");
	assert_true(pss + s.nrows >= sum_pss && pss <= sum_pss + s.nrows);
	assert_true(pss < sum_rss);
	summary_done(&s);
}

static void
should_give_pss_and_uss_as_numbers_in_a_json_summary(void **state)
{
	const uint64_t kib = child.l.page / 1024;
	char r[64];
	const char *const opts[] = { "-s", "-f", "json", "-r", r, NULL };
	struct tl_run run;
	struct tl_jobject *o;
	size_t n, i, totals = 0;
	(void)state;

	range(r, sizeof(r), child.l.shared, child.l.cow + COW_PAGES *
	    child.l.page);
	dump_ok(&run, opts);
	n = tl_read_json_lines(run.out, &o);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_int_equal(json_type(&o[i], "pss-kib"), TL_JNUMBER);
		assert_int_equal(json_type(&o[i], "uss-kib"), TL_JNUMBER);
		if (json_type(&o[i], "total") != TL_JBOOL)
			continue;
		totals++;
		assert_int_equal(number(tl_jget(&o[i], "pss-kib")->s, 10),
		    3 * kib + kib / 2);
		assert_int_equal(number(tl_jget(&o[i], "uss-kib")->s, 10),
		    kib);
	}
	assert_int_equal(totals, 1);
	tl_jobjects_free(o, n);
	tl_run_free(&run);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_count_two_mappings_of_a_page_shared_with_a_forked_process),
		cmocka_unit_test(should_count_one_mapping_of_a_page_copied_on_write),
		cmocka_unit_test(
		    should_halve_the_pss_of_a_mapping_shared_with_a_forked_process),
		cmocka_unit_test(
		    should_count_two_mappings_of_a_page_mapped_twice_by_one_process),
		cmocka_unit_test(
		    should_halve_the_pss_of_a_page_mapped_twice_by_one_process),
		cmocka_unit_test(should_split_the_pss_of_every_area_by_its_mappings),
		cmocka_unit_test(should_sum_pss_and_uss_of_every_mapping_in_the_total),
		cmocka_unit_test(should_give_pss_and_uss_as_numbers_in_a_json_summary),
	};
	int rc = physical_unusable("test_physical_counts");

	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests(tests, physical_start, physical_stop);
}

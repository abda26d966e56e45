/*
 * Tests for filter, the one place that selects pages: the intervals that
 * -r and -a make, the spans the reader reads, and the runs of a batch
 * that -P, -S and -k pass on, on synthetic input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "pagemap.h"

#define PAGE 4096

static void
assert_selects(const struct filter *f, const struct filter_interval *want,
    size_t n)
{
	size_t i;

	assert_int_equal(f->nselect, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(f->select[i].start, want[i].start);
		assert_int_equal(f->select[i].end, want[i].end);
	}
}

static void
should_select_a_page_once_for_two_ranges_inside_it(void **state)
{
	struct filter f;
	const struct filter_interval want[] = { { 0x1000, 0x2000 } };
	(void)state;

	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_add_range(&f, 0x1100, 0x1200), 0);
	assert_int_equal(filter_add_range(&f, 0x1800, 0x1900), 0);
	assert_int_equal(filter_prepare(&f, PAGE), 0);
	assert_selects(&f, want, 1);
	filter_free(&f);
}

static void
should_round_ranges_out_to_whole_pages_and_merge_those_that_touch(
    void **state)
{
	struct filter f;
	const struct filter_interval want[] = {
		{ 0x1000, 0x3000 }, { 0x5000, 0x6000 },
		{ UINT64_MAX & ~(uint64_t)(PAGE - 1), UINT64_MAX },
	};
	(void)state;

	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_add_range(&f, 0x5fff, 0x6000), 0);
	assert_int_equal(filter_add_range(&f, 0x1fff, 0x2001), 0);
	assert_int_equal(filter_add_range(&f, 0x1000, 0x1001), 0);
	assert_int_equal(filter_add_range(&f, UINT64_MAX - 5, UINT64_MAX), 0);
	assert_int_equal(filter_prepare(&f, PAGE), 0);
	assert_selects(&f, want, 3);
	filter_free(&f);
}

static void
should_not_select_an_address_outside_every_range(void **state)
{
	struct filter f;
	(void)state;

	memset(&f, 0, sizeof(f));
	/* The address shares a page with the range but lies outside it. */
	assert_int_equal(filter_add_range(&f, 0x1000, 0x1100), 0);
	assert_int_equal(filter_add_address(&f, 0x1800), 0);
	assert_int_equal(filter_prepare(&f, PAGE), 0);
	assert_int_equal(f.nselect, 0);
	filter_free(&f);

	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_add_range(&f, 0x10000, 0x20000), 0);
	assert_int_equal(filter_add_address(&f, 0x5000), 0);
	assert_int_equal(filter_prepare(&f, PAGE), 0);
	assert_int_equal(f.nselect, 0);
	filter_free(&f);
}

static void
should_select_the_whole_page_of_an_address_inside_a_range(void **state)
{
	struct filter f;
	const struct filter_interval want[] = {
		{ 0x1000, 0x2000 }, { 0x7000, 0x8000 },
	};
	(void)state;

	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_add_range(&f, 0x1000, 0x1100), 0);
	assert_int_equal(filter_add_range(&f, 0x7ff0, 0x9000), 0);
	assert_int_equal(filter_add_address(&f, 0x10ff), 0);
	assert_int_equal(filter_add_address(&f, 0x7ff8), 0);
	assert_int_equal(filter_add_address(&f, 0x1100), 0);	/* outside */
	assert_int_equal(filter_add_address(&f, 0x9000), 0);	/* outside */
	assert_int_equal(filter_prepare(&f, PAGE), 0);
	assert_selects(&f, want, 2);
	filter_free(&f);
}

/* A guard marker, and a page in swap area 2 at offset 3. */
#define GUARD UINT64_C(0x440000000000009f)
#define IN_SWAP (PM_SWAPPED | (3 << 5) | 2)
#define LRU (UINT64_C(1) << 5)
#define ANON (UINT64_C(1) << 12)

static void
should_select_pages_by_state_and_flags(void **state)
{
	struct filter f;
	(void)state;

	memset(&f, 0, sizeof(f));
	assert_true(filter_page(&f, 0, 0));
	assert_true(filter_page(&f, GUARD, 0));
	f.present = true;
	assert_true(filter_page(&f, PM_PRESENT | 1, 0));
	assert_false(filter_page(&f, IN_SWAP, 0));
	f.swapped = true;
	assert_true(filter_page(&f, IN_SWAP, 0));
	/* -S: pages in swap, not the markers that bit 62 also marks. */
	assert_false(filter_page(&f, GUARD, 0));
	assert_false(filter_page(&f, 0, 0));
	memset(&f, 0, sizeof(f));
	f.kflags = true;
	f.kflags_want = LRU;
	f.kflags_refuse = ANON;
	assert_true(filter_page(&f, PM_PRESENT | 1, LRU));
	assert_false(filter_page(&f, PM_PRESENT | 1, LRU | ANON));
	assert_false(filter_page(&f, PM_PRESENT | 1, 0));
	/* -k is about present pages: a page in swap has no flags. */
	assert_false(filter_page(&f, IN_SWAP, LRU));
	assert_int_equal(filter_needs(&f), PAGE_FACT_KFLAGS | PAGE_FACT_PFN);
}

/* What filter_pages handed on: each run's first page and length. */
struct runs {
	uint64_t vpn[8], n[8], first_flags[8];
	size_t count;
	size_t stop_after;	/* fail the call after this many runs */
};

static enum dump_status
take_run(void *ctx, const struct page_batch *b)
{
	struct runs *r = ctx;

	assert_true(r->count < 8);
	r->vpn[r->count] = b->vpn;
	r->n[r->count] = b->n;
	r->first_flags[r->count] = b->kpage[KPAGE_FLAGS] != NULL ?
	    b->kpage[KPAGE_FLAGS][0] : 0;
	r->count++;
	return r->count == r->stop_after ? DUMP_OUTPUT_ERROR : DUMP_OK;
}

static void
should_hand_on_the_runs_of_selected_pages_with_their_facts(void **state)
{
	const uint64_t e[] = { PM_PRESENT | 1, PM_PRESENT | 2, 0, IN_SWAP,
	    PM_PRESENT | 5, GUARD, PM_PRESENT | 7 };
	const uint64_t kf[] = { 10, 11, 0, 0, 14, 0, 16 };
	struct page_batch b = { .vpn = 100, .n = 7, .entries = e,
	    .kpage = { [KPAGE_FLAGS] = kf } };
	struct runs r = { .count = 0 };
	struct filter f;
	(void)state;

	memset(&f, 0, sizeof(f));
	f.present = true;
	assert_int_equal(filter_pages(&f, &b, take_run, &r), DUMP_OK);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.vpn[0], 100);
	assert_int_equal(r.n[0], 2);
	assert_int_equal(r.vpn[1], 104);
	assert_int_equal(r.n[1], 1);
	assert_int_equal(r.first_flags[1], 14);	/* its own page's flags */
	assert_int_equal(r.vpn[2], 106);
	assert_int_equal(r.first_flags[2], 16);
	/* A run that fails ends the batch with its status. */
	memset(&r, 0, sizeof(r));
	r.stop_after = 2;
	assert_int_equal(filter_pages(&f, &b, take_run, &r),
	    DUMP_OUTPUT_ERROR);
	assert_int_equal(r.count, 2);
}

static void
should_hand_on_a_batch_whole_when_every_page_is_selected(void **state)
{
	struct page_batch b = { .vpn = 5, .n = 1000, .entries = NULL };
	struct runs r = { .count = 0 };
	struct filter f;
	(void)state;

	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_pages(&f, &b, take_run, &r), DUMP_OK);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.n[0], 1000);
	assert_int_equal(filter_scan_categories(&f), 0);
	/* Zero entries (a run the reader skipped) are no present page. */
	f.present = true;
	memset(&r, 0, sizeof(r));
	assert_int_equal(filter_pages(&f, &b, take_run, &r), DUMP_OK);
	assert_int_equal(r.count, 0);
	assert_int_equal(filter_scan_categories(&f), 1 << 3);
}

static void
should_make_spans_of_the_named_mappings_inside_the_ranges(void **state)
{
	struct maps_entry m[3];
	struct maps maps = { .entries = m, .count = 3 };
	struct walk_span *v;
	struct filter f;
	size_t n;
	(void)state;

	memset(m, 0, sizeof(m));
	m[0] = (struct maps_entry){ .start = 0x1000, .end = 0x5000,
	    .name = "/lib/a.so", .name_len = 9 };
	m[1] = (struct maps_entry){ .start = 0x5000, .end = 0x9000,
	    .name = "", .name_len = 0 };
	m[2] = (struct maps_entry){ .start = 0x10000, .end = 0x20000,
	    .name = "/lib/b.so", .name_len = 9 };
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_add_name(&f, ".so"), 0);
	assert_int_equal(filter_add_range(&f, 0x3000, 0x12001), 0);
	assert_int_equal(filter_prepare(&f, PAGE), 0);
	v = filter_spans(&f, &maps, PAGE, &n);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].vpn, 3);
	assert_int_equal(v[0].end, 5);
	assert_int_equal(v[0].map, 0);
	assert_int_equal(v[1].vpn, 0x10);
	assert_int_equal(v[1].end, 0x13);	/* the page 0x12001 is in */
	assert_int_equal(v[1].map, 2);
	free(v);
	filter_free(&f);
}

/*
 * --pfn and --paddr: present pages whose frame is in a given range (end
 * excluded) or holds a given physical address; ranges merged, in any
 * order; with -P too; and they ask the reader for present pages only.
 */
static void
should_select_the_pages_of_the_given_frames(void **state)
{
	struct filter f;
	(void)state;

	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_add_pfns(&f, 0x30, 0x31), 0);
	assert_int_equal(filter_add_pfns(&f, 0x10, 0x20), 0);
	assert_int_equal(filter_add_pfns(&f, 0x18, 0x22), 0);
	assert_int_equal(filter_add_paddr(&f, 0x50123), 0);
	assert_int_equal(filter_prepare(&f, 4096), 0);
	assert_int_equal(f.nframes, 3);
	assert_true(filter_page(&f, PM_PRESENT | 0x10, 0));
	assert_true(filter_page(&f, PM_PRESENT | 0x21, 0));
	assert_false(filter_page(&f, PM_PRESENT | 0x22, 0));
	assert_false(filter_page(&f, PM_PRESENT | 0xf, 0));
	assert_true(filter_page(&f, PM_PRESENT | 0x30, 0));
	assert_false(filter_page(&f, PM_PRESENT | 0x31, 0));
	assert_true(filter_page(&f, PM_PRESENT | 0x50, 0));
	assert_false(filter_page(&f, PM_PRESENT | 0x51, 0));
	/* Not present: bits 0-54 are no frame. */
	assert_false(filter_page(&f, 0x10, 0));
	assert_false(filter_page(&f, PM_SWAPPED | 0x10, 0));
	assert_int_equal(filter_scan_categories(&f), WALK_PAGE_IS_PRESENT);
	assert_true(filter_needs(&f) & PAGE_FACT_PFN);
	f.present = true;
	assert_true(filter_page(&f, PM_PRESENT | 0x11, 0));
	assert_false(filter_page(&f, PM_PRESENT | 0x40, 0));
	filter_free(&f);
	/* --paddr alone (no --pfn: a copy of none, which UBSan checks). */
	memset(&f, 0, sizeof(f));
	assert_int_equal(filter_add_paddr(&f, 0x2fff), 0);
	assert_int_equal(filter_prepare(&f, 4096), 0);
	assert_true(filter_page(&f, PM_PRESENT | 0x2, 0));
	assert_false(filter_page(&f, PM_PRESENT | 0x3, 0));
	filter_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_select_the_pages_of_the_given_frames),
		cmocka_unit_test(
		    should_select_a_page_once_for_two_ranges_inside_it),
		cmocka_unit_test(
		    should_round_ranges_out_to_whole_pages_and_merge_those_that_touch),
		cmocka_unit_test(
		    should_not_select_an_address_outside_every_range),
		cmocka_unit_test(
		    should_select_the_whole_page_of_an_address_inside_a_range),
		cmocka_unit_test(should_select_pages_by_state_and_flags),
		cmocka_unit_test(
		    should_hand_on_the_runs_of_selected_pages_with_their_facts),
		cmocka_unit_test(
		    should_hand_on_a_batch_whole_when_every_page_is_selected),
		cmocka_unit_test(
		    should_make_spans_of_the_named_mappings_inside_the_ranges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Tests for summary: how pages count, on synthetic batches of entries,
 * regions and map counts (no process, no /proc/kpageflags: mappings are
 * told by name). Which pages are counted is the filter's (test_filter).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "pagemap.h"
#include "regions.h"
#include "summary.h"

#define PAGE 4096
#define FULL ((uint64_t)PAGE << FORMAT_PSS_SHIFT)

static struct maps_entry
mapping(const char *name)
{
	struct maps_entry m;

	memset(&m, 0, sizeof(m));
	m.start = 0x10000000;
	m.end = 0x20000000;
	memcpy(m.perms, "rw-p", 5);
	m.name = name;
	m.name_len = strlen(name);
	return m;
}

/* The regions (page numbers) the regions stage found, for the batches. */
static struct regions regions;

/* A summary, and these regions already scanned. */
static void
setup(struct summary *s, struct walk_scan_region *r, size_t n)
{
	assert_int_equal(summary_init(s, PAGE, -1), 0);
	summary_begin_process(s);
	regions = (struct regions){ r, n, n, PAGE };
}

static void
done(struct summary *s)
{
	summary_free(s);
}

/* Counts n pages from vpn on, as a batch of the page path brings them. */
static void
count(struct summary *s, struct format_summary *sum, uint64_t vpn,
    const uint64_t *e, const uint64_t *mc, const uint64_t *kf, uint64_t n)
{
	struct page_batch b = {
		.map = s->map, .vpn = vpn, .n = n, .entries = e,
		.kpage = { [KPAGE_FLAGS] = kf, [KPAGE_COUNT] = mc },
		.regions = &regions,
	};

	summary_count(s, sum, &b, mc != NULL);
}

static void
should_count_private_shared_and_pss_by_the_exclusive_bit_and_counts(
    void **state)
{
	struct maps_entry m = mapping("");
	struct format_summary sum = { .page_size = PAGE };
	const uint64_t e[] = {
		PM_PRESENT | PM_EXCLUSIVE | 1, PM_PRESENT | 2,
		PM_PRESENT | 3, 0, PM_SWAPPED | (5 << 5) | 1,
	};
	const uint64_t mc[] = { 1, 2, 3, 0, 0 };
	struct summary s;
	(void)state;

	setup(&s, NULL, 0);
	summary_begin_mapping(&s, &m);
	count(&s, &sum, 0x10000, e, mc, NULL, 5);
	assert_int_equal(sum.pages, 5);
	assert_int_equal(sum.present, 3);
	assert_int_equal(sum.rss, 3);
	assert_int_equal(sum.private_, 1);
	assert_int_equal(sum.shared, 2);
	assert_int_equal(sum.uss, 1);
	assert_int_equal(sum.swapped, 1);
	/* The kernel's fixed point, truncated division per page. */
	assert_int_equal(sum.pss, FULL + FULL / 2 + FULL / 3);
	assert_int_equal(sum.pss_anon, sum.pss);
	done(&s);
}

static void
should_count_the_zero_page_apart_and_not_as_resident(void **state)
{
	struct maps_entry m = mapping("");
	struct format_summary sum = { .page_size = PAGE };
	struct walk_scan_region r[] = {
		{ 0x10001, 0x10003, 1 << 5 },	/* PAGE_IS_PFNZERO */
	};
	const uint64_t e[] = {
		PM_PRESENT | PM_EXCLUSIVE | 7, PM_PRESENT | 9, PM_PRESENT | 9,
		PM_PRESENT | PM_EXCLUSIVE | 8,
	};
	const uint64_t mc[] = { 1, 0, 0, 1 };
	struct summary s;
	(void)state;

	setup(&s, r, 1);
	summary_begin_mapping(&s, &m);
	count(&s, &sum, 0x10000, e, mc, NULL, 4);
	assert_int_equal(sum.present, 4);
	assert_int_equal(sum.zero, 2);
	assert_int_equal(sum.rss, 2);
	assert_int_equal(sum.shared, 0);
	assert_int_equal(sum.pss, 2 * FULL);
	done(&s);
}

static void
should_count_pmd_mapped_pages_by_class_and_hugetlb_apart(void **state)
{
	struct maps_entry anon = mapping(""), huge = mapping("/anon_hugepage");
	struct maps_entry memfd = mapping("/memfd:x (deleted)");
	struct format_summary a = { .page_size = PAGE };
	struct format_summary h = { .page_size = PAGE };
	struct format_summary f = { .page_size = PAGE };
	struct walk_scan_region r[] = {
		{ 0x10000, 0x10002, 1 << 6 },	/* PAGE_IS_HUGE */
		{ 0x20000, 0x20002, 1 << 6 },
		{ 0x30000, 0x30002, 1 << 6 },
	};
	const uint64_t e[] = { PM_PRESENT | PM_EXCLUSIVE | 512,
	    PM_PRESENT | 513 };
	const uint64_t fe[] = { PM_PRESENT | PM_FILE_SHARED | 512,
	    PM_PRESENT | PM_FILE_SHARED | 513 };
	const uint64_t mc[] = { 1, 2 };
	struct summary s;
	(void)state;

	setup(&s, r, 3);
	summary_begin_mapping(&s, &anon);
	count(&s, &a, 0x10000, e, mc, NULL, 2);
	assert_int_equal(a.anon_pmd, 2);
	assert_int_equal(a.rss, 2);
	assert_int_equal(a.pss, FULL + FULL / 2);
	summary_begin_mapping(&s, &huge);
	count(&s, &h, 0x20000, e, mc, NULL, 2);
	assert_int_equal(h.rss, 0);
	assert_int_equal(h.pss, 0);
	assert_int_equal(h.hugetlb_private, 1);
	assert_int_equal(h.hugetlb_shared, 1);
	summary_begin_mapping(&s, &memfd);
	count(&s, &f, 0x30000, fe, mc, NULL, 2);
	assert_int_equal(f.shmem_pmd, 2);
	assert_int_equal(f.pss_shmem, FULL + FULL / 2);
	assert_int_equal(f.pss_file, 0);
	done(&s);
}

static void
should_count_ksm_pages_by_their_flag_and_swap_without_markers(void **state)
{
	struct maps_entry m = mapping("/usr/lib/x.so");
	struct format_summary sum = { .page_size = PAGE };
	const uint64_t e[] = {
		PM_PRESENT | PM_FILE_SHARED | 1, PM_PRESENT | 2,
		UINT64_C(0x440000000000009f),	/* a guard marker */
		PM_SWAPPED | (3 << 5) | 2,	/* area 2 */
	};
	const uint64_t mc[] = { 4, 2, 0, 0 };
	const uint64_t kf[] = { 0, UINT64_C(1) << 21, 0, 0 };
	struct summary s;
	(void)state;

	setup(&s, NULL, 0);
	summary_begin_mapping(&s, &m);
	count(&s, &sum, 0x10000, e, mc, kf, 4);
	assert_int_equal(sum.ksm, 1);
	assert_int_equal(sum.swapped, 1);
	assert_int_equal(sum.pss_file, FULL / 4);
	assert_int_equal(sum.pss_anon, FULL / 2);
	done(&s);
}

static void
should_add_the_fixed_point_in_the_total_before_truncating(void **state)
{
	struct format_summary a = { .pss = FULL / 5 }, b = { .pss = FULL / 5 };
	struct format_summary t = { .pss = 0 };
	(void)state;

	summary_add(&t, &a);
	summary_add(&t, &b);
	assert_int_equal(t.pss, 2 * (FULL / 5));
	/* 819 B twice: 0 KiB each, 1 KiB together, as smaps_rollup has it. */
	assert_int_equal((a.pss >> FORMAT_PSS_SHIFT) >> 10, 0);
	assert_int_equal((t.pss >> FORMAT_PSS_SHIFT) >> 10, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_count_private_shared_and_pss_by_the_exclusive_bit_and_counts),
		cmocka_unit_test(
		    should_count_the_zero_page_apart_and_not_as_resident),
		cmocka_unit_test(
		    should_count_pmd_mapped_pages_by_class_and_hugetlb_apart),
		cmocka_unit_test(
		    should_count_ksm_pages_by_their_flag_and_swap_without_markers),
		cmocka_unit_test(
		    should_add_the_fixed_point_in_the_total_before_truncating),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

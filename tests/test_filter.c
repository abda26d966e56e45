/*
 * Tests for filter: the selected intervals that -r and -a make, on
 * synthetic input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "filter.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_select_a_page_once_for_two_ranges_inside_it),
		cmocka_unit_test(
		    should_round_ranges_out_to_whole_pages_and_merge_those_that_touch),
		cmocka_unit_test(
		    should_not_select_an_address_outside_every_range),
		cmocka_unit_test(
		    should_select_the_whole_page_of_an_address_inside_a_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

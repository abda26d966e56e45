/*
 * Tests for frames, the model of the picture of physical memory: the
 * kind of a frame by its page flags (flags as the kernel sets them
 * together), how many frames a cell holds, which colour a cell of many
 * takes, and the owners of frames resolved from what processes map.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "frames.h"

#define F(bit) (UINT64_C(1) << (bit))
#define LOCKED F(0)
#define REFERENCED F(2)
#define UPTODATE F(3)
#define DIRTY F(4)
#define LRU F(5)
#define ACTIVE F(6)
#define SLAB F(7)
#define BUDDY F(10)
#define MMAP F(11)
#define ANON F(12)
#define SWAPBACKED F(14)
#define HEAD F(15)
#define TAIL F(16)
#define HUGE F(17)
#define NOPAGE F(20)
#define THP F(22)
#define ZERO_PAGE F(24)
#define PGTABLE F(26)
#define RESERVED F(32)

static void
should_tell_the_kind_of_a_frame_by_its_flags(void **state)
{
	static const struct {
		uint64_t flags;
		enum frame_kind kind;
	} t[] = {
		/* Anonymous memory of a process, on the LRU. */
		{ UPTODATE | LRU | ACTIVE | MMAP | ANON | SWAPBACKED,
		    FRAME_ANON },
		/* Page cache: mapped or only on the LRU. */
		{ REFERENCED | UPTODATE | LRU | MMAP, FRAME_FILE },
		{ UPTODATE | DIRTY | LRU, FRAME_FILE },
		{ UPTODATE | MMAP, FRAME_FILE },
		/* A THP's head and tail, anonymous or not. */
		{ UPTODATE | LRU | MMAP | ANON | HEAD | THP, FRAME_THP },
		{ MMAP | ANON | TAIL | THP, FRAME_THP },
		{ UPTODATE | LRU | HEAD | THP, FRAME_THP },
		/* hugetlb: huge with head or tail, never thp. */
		{ UPTODATE | HEAD | HUGE, FRAME_HUGETLB },
		{ TAIL | HUGE, FRAME_HUGETLB },
		/* A slab of several pages is compound, but slab. */
		{ SLAB | HEAD, FRAME_SLAB }, { SLAB | TAIL, FRAME_SLAB },
		{ PGTABLE, FRAME_PGTABLE },
		{ BUDDY, FRAME_FREE },
		{ RESERVED, FRAME_RESERVED },
		{ RESERVED | REFERENCED | ZERO_PAGE, FRAME_RESERVED },
		{ NOPAGE, FRAME_NOPAGE },
		/* No flag: allocated by the kernel, or free outside a list. */
		{ 0, FRAME_OTHER }, { LOCKED | HEAD, FRAME_OTHER },
		{ ZERO_PAGE, FRAME_OTHER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (frames_kind(t[i].flags) != t[i].kind)
			fail_msg("flags %#llx: kind %s, not %s",
			    (unsigned long long)t[i].flags,
			    frames_kind_name(frames_kind(t[i].flags)),
			    frames_kind_name(t[i].kind));
}

static void
should_name_every_kind(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < FRAME_KINDS; k++)
		assert_string_not_equal(frames_kind_name((enum frame_kind)k),
		    "?");
	assert_string_equal(frames_kind_name(FRAME_FREE), "free");
	assert_string_equal(frames_kind_name(FRAME_KINDS), "?");
}

static void
should_give_a_cell_a_power_of_two_of_frames(void **state)
{
	(void)state;
	/* As many cells as frames while they fit. */
	assert_int_equal(frames_cell_shift(0, FRAMES_MAX_CELLS), 0);
	assert_int_equal(frames_cell_shift(1, FRAMES_MAX_CELLS), 0);
	assert_int_equal(frames_cell_shift(65536, FRAMES_MAX_CELLS), 0);
	/* One frame more, and a cell holds two. */
	assert_int_equal(frames_cell_shift(65537, FRAMES_MAX_CELLS), 1);
	assert_int_equal(frames_cell_shift(131072, FRAMES_MAX_CELLS), 1);
	assert_int_equal(frames_cell_shift(131073, FRAMES_MAX_CELLS), 2);
	/* 25 GiB of 4 KiB frames: 128 a cell, 51,200 cells. */
	assert_int_equal(frames_cell_shift(6553600, FRAMES_MAX_CELLS), 7);
	/* 4 PiB of frames, the most --physical reads: still in bounds. */
	assert_int_equal(frames_cell_shift(UINT64_C(1) << 40,
	    FRAMES_MAX_CELLS), 24);
	assert_int_equal(frames_cell_shift(UINT64_MAX, 1), 63);
	assert_int_equal(frames_cells(UINT64_MAX, 63), 2);
	assert_int_equal(frames_cells(UINT64_MAX, 0), UINT64_MAX);
	assert_int_equal(frames_cells(129, 7), 2);
	assert_int_equal(frames_cells(128, 7), 1);
	assert_int_equal(frames_cells(0, 7), 0);
}

static void
should_colour_a_cell_as_most_of_its_frames(void **state)
{
	const uint64_t none[4] = { 0 }, one[4] = { 0, 0, 5, 0 },
	    most[4] = { 1, 7, 3, 6 }, tie[4] = { 0, 4, 4, 1 };

	(void)state;
	assert_int_equal(frames_mode(none, 4), 4);
	assert_int_equal(frames_mode(one, 4), 2);
	assert_int_equal(frames_mode(most, 4), 1);
	/* A tie goes to the first. */
	assert_int_equal(frames_mode(tie, 4), 1);
}

#define E(pfn, who) ((uint64_t)(pfn) << FRAMES_OWNER_BITS | (who))

static void
should_resolve_each_frame_to_its_owner_or_several(void **state)
{
	/* Out of order, as processes are read; frames mapped twice. */
	uint64_t e[] = { E(9, 1), E(3, 0), E(5, 0), E(5, 2), E(3, 0),
	    E(7, 1), E(9, 1), E(5, 0), E(1, 2) };
	const uint64_t want[] = { E(1, 2), E(3, 0), E(5, FRAMES_SHARED),
	    E(7, 1), E(9, 1) };
	size_t n = frames_resolve(e, sizeof(e) / sizeof(e[0])), i;

	(void)state;
	assert_int_equal(n, 5);
	for (i = 0; i < n; i++)
		assert_int_equal(e[i], want[i]);
	assert_int_equal(FRAMES_PFN(e[2]), 5);
	assert_int_equal(FRAMES_OWNER(e[2]), FRAMES_SHARED);
	assert_int_equal(frames_resolve(e, 0), 0);
	/* No frame at all: nothing to sort (qsort wants an array). */
	assert_int_equal(frames_resolve(NULL, 0), 0);
}

static void
should_keep_large_frame_numbers_and_owners_apart(void **state)
{
	uint64_t top = (UINT64_C(1) << 40) - 1;
	uint64_t e[] = { E(top, FRAMES_MAX_OWNERS - 1), E(top, 0),
	    E(top - 1, FRAMES_MAX_OWNERS - 1) };

	(void)state;
	assert_int_equal(frames_resolve(e, 3), 2);
	assert_int_equal(FRAMES_PFN(e[0]), top - 1);
	assert_int_equal(FRAMES_OWNER(e[0]), FRAMES_MAX_OWNERS - 1);
	assert_int_equal(FRAMES_PFN(e[1]), top);
	assert_int_equal(FRAMES_OWNER(e[1]), FRAMES_SHARED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_tell_the_kind_of_a_frame_by_its_flags),
		cmocka_unit_test(should_name_every_kind),
		cmocka_unit_test(should_give_a_cell_a_power_of_two_of_frames),
		cmocka_unit_test(should_colour_a_cell_as_most_of_its_frames),
		cmocka_unit_test(
		    should_resolve_each_frame_to_its_owner_or_several),
		cmocka_unit_test(
		    should_keep_large_frame_numbers_and_owners_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

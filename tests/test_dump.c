/*
 * Tests for dump: telling from a pagemap entry whether the kernel shows
 * PFNs to this caller (it hides them as 0 without CAP_SYS_ADMIN in the
 * initial user namespace, which no capability set in /proc can tell).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dump.h"
#include "pagemap.h"

#define PAGE 4096

/* A pagemap stand-in: a memfd with entry e for the page at 0x5000. */
static int
pagemap_with(uint64_t e)
{
	int fd = memfd_create("pagemap", 0);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &e, 8, 5 * 8), 8);
	return fd;
}

static void
should_see_pfns_in_a_present_entry_with_a_pfn(void **state)
{
	int fd = pagemap_with(PM_PRESENT | 0x1234);

	(void)state;
	assert_true(dump_pfns_visible(fd, 0x5000, PAGE));
	assert_true(dump_pfns_visible(fd, 0x5fff, PAGE));
	close(fd);
}

static void
should_see_hidden_pfns_in_a_present_entry_without_one(void **state)
{
	int fd = pagemap_with(PM_PRESENT | PM_EXCLUSIVE);

	(void)state;
	assert_false(dump_pfns_visible(fd, 0x5000, PAGE));
	close(fd);
}

static void
should_not_judge_from_a_page_that_is_not_present(void **state)
{
	int fd = pagemap_with(PM_SWAPPED | (7 << 5) | 1);

	(void)state;
	assert_false(dump_pfns_visible(fd, 0x5000, PAGE));
	close(fd);
	fd = pagemap_with(0);
	assert_false(dump_pfns_visible(fd, 0x5000, PAGE));
	close(fd);
}

static void
should_not_see_pfns_where_the_file_has_no_entry(void **state)
{
	int fd = pagemap_with(PM_PRESENT | 0x1234);

	(void)state;
	assert_false(dump_pfns_visible(fd, 0x6000, PAGE));
	assert_false(dump_pfns_visible(-1, 0x5000, PAGE));
	close(fd);
}

static void
should_agree_with_the_real_pagemap_of_this_process(void **state)
{
	static volatile char page = 1;
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	(void)state;
	if (fd < 0)
		skip();
	page = 2;
	assert_int_equal(pread(fd, &e, 8,
	    (off_t)((uintptr_t)&page / (uintptr_t)sysconf(_SC_PAGESIZE) * 8)),
	    8);
	assert_int_equal(dump_pfns_visible(fd, (uintptr_t)&page,
	    (uint64_t)sysconf(_SC_PAGESIZE)), (e & PM_PFN_MASK) != 0);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_see_pfns_in_a_present_entry_with_a_pfn),
		cmocka_unit_test(
		    should_see_hidden_pfns_in_a_present_entry_without_one),
		cmocka_unit_test(
		    should_not_judge_from_a_page_that_is_not_present),
		cmocka_unit_test(
		    should_not_see_pfns_where_the_file_has_no_entry),
		cmocka_unit_test(
		    should_agree_with_the_real_pagemap_of_this_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

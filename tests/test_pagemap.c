/*
 * Tests for pagemap: the decoder on every bit of an entry, and the batched
 * reader against regular files of synthetic entries (it uses pread, so a
 * file stands in for /proc/PID/pagemap), then against our own pagemap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagemap.h"

#define BIT(n) (UINT64_C(1) << (n))

/* Asserts every field of a decoded entry. */
static void
assert_entry(const struct pagemap_entry *e, const struct pagemap_entry *want)
{
	assert_int_equal(e->raw, want->raw);
	assert_int_equal(e->pfn, want->pfn);
	assert_int_equal(e->swap_offset, want->swap_offset);
	assert_int_equal(e->swap_type, want->swap_type);
	assert_int_equal(e->soft_dirty, want->soft_dirty);
	assert_int_equal(e->exclusive, want->exclusive);
	assert_int_equal(e->uffd_wp, want->uffd_wp);
	assert_int_equal(e->guard, want->guard);
	assert_int_equal(e->file_shared, want->file_shared);
	assert_int_equal(e->swapped, want->swapped);
	assert_int_equal(e->present, want->present);
	if (want->state != PAGEMAP_NONE || want->raw == 0)
		assert_int_equal(e->state, want->state);
}

/* Decodes raw into an entry first filled with garbage. */
static void
decode(uint64_t raw, struct pagemap_entry *e)
{
	memset(e, 0xa5, sizeof(*e));
	pagemap_decode(raw, e);
}

static void
should_decode_a_present_page_with_its_pfn(void **state)
{
	struct pagemap_entry e, want = {
		.raw = PM_PRESENT | 0x12345, .pfn = 0x12345, .present = true,
	};

	(void)state;
	decode(PM_PRESENT | 0x12345, &e);
	assert_entry(&e, &want);
}

static void
should_decode_the_largest_55_bit_pfn(void **state)
{
	struct pagemap_entry e, want = {
		.raw = PM_PRESENT | UINT64_C(0x7fffffffffffff),
		.pfn = UINT64_C(0x7fffffffffffff), .present = true,
	};

	(void)state;
	decode(PM_PRESENT | UINT64_C(0x7fffffffffffff), &e);
	assert_entry(&e, &want);
	/* Bit 55 is soft-dirty, never the PFN's 56th bit. */
	decode(PM_PRESENT | PM_SOFT_DIRTY | UINT64_C(0x7fffffffffffff), &e);
	assert_int_equal(e.pfn, UINT64_C(0x7fffffffffffff));
	assert_true(e.soft_dirty);
}

static void
should_decode_a_swapped_entry_into_type_and_offset(void **state)
{
	uint64_t raw = PM_SWAPPED | (UINT64_C(0xabcde) << 5) | 3;
	struct pagemap_entry e, want = {
		.raw = raw, .swap_type = 3, .swap_offset = 0xabcde,
		.swapped = true,
	};

	(void)state;
	decode(raw, &e);
	assert_entry(&e, &want);
	assert_int_equal(e.pfn, 0);
}

static void
should_decode_the_largest_swap_type_and_offset(void **state)
{
	/*
	 * With every special type configured, 23 is the last swap area's
	 * (types 24 to 31 are hwpoison, migration, device and markers).
	 */
	uint64_t raw = PM_SWAPPED | PM_SOFT_DIRTY | (PM_PFN_MASK & ~31ull) | 23;
	struct pagemap_entry e, want = {
		.raw = raw, .swap_type = 23,
		.swap_offset = UINT64_C(0x3ffffffffffff), .swapped = true,
		.soft_dirty = true, .state = PAGEMAP_SWAP,
	};

	(void)state;
	decode(raw, &e);
	assert_entry(&e, &want);
}

static void
should_decode_a_swapped_shared_page_with_offset_zero(void **state)
{
	uint64_t raw = PM_SWAPPED | PM_FILE_SHARED | 1;
	struct pagemap_entry e, want = {
		.raw = raw, .swap_type = 1, .swapped = true,
		.file_shared = true,
	};

	(void)state;
	decode(raw, &e);
	assert_entry(&e, &want);
}

static void
should_ignore_bits_59_and_60(void **state)
{
	struct pagemap_entry e, want = { .raw = BIT(59) | BIT(60) };

	(void)state;
	decode(BIT(59) | BIT(60), &e);
	assert_entry(&e, &want);

	want = (struct pagemap_entry){
		.raw = PM_PRESENT | BIT(59) | BIT(60) | 0x42, .pfn = 0x42,
		.present = true,
	};
	decode(PM_PRESENT | BIT(59) | BIT(60) | 0x42, &e);
	assert_entry(&e, &want);
}

static void
should_decode_all_zero_as_a_page_that_is_not_there(void **state)
{
	struct pagemap_entry e, want = { .raw = 0 };

	(void)state;
	decode(0, &e);
	assert_entry(&e, &want);
}

static void
should_give_no_pfn_and_no_swap_entry_when_neither_bit_is_set(void **state)
{
	uint64_t raw = PM_FILE_SHARED | PM_SOFT_DIRTY | PM_PFN_MASK;
	struct pagemap_entry e, want = {
		.raw = raw, .file_shared = true, .soft_dirty = true,
	};

	(void)state;
	decode(raw, &e);
	assert_entry(&e, &want);
}

static void
should_decode_every_flag_at_once_on_a_present_page(void **state)
{
	uint64_t raw = PM_PRESENT | PM_FILE_SHARED | PM_GUARD | PM_UFFD_WP |
	    PM_EXCLUSIVE | PM_SOFT_DIRTY | 0x1000;
	struct pagemap_entry e, want = {
		.raw = raw, .pfn = 0x1000, .present = true, .file_shared = true,
		.guard = true, .uffd_wp = true, .exclusive = true,
		.soft_dirty = true,
	};

	(void)state;
	decode(raw, &e);
	assert_entry(&e, &want);
}

/*
 * Each flag alone (soft-dirty 55, exclusive 56, uffd-wp 57, a guard
 * region 58, file or shared 61) sets its field and nothing else.
 */
static void
should_decode_each_of_the_64_bits_on_its_own(void **state)
{
	struct pagemap_entry e, want;
	int b;

	(void)state;
	for (b = 0; b < 64; b++) {
		want = (struct pagemap_entry){ .raw = BIT(b) };
		switch (b) {
		case 55: want.soft_dirty = true; break;
		case 56: want.exclusive = true; break;
		case 57: want.uffd_wp = true; break;
		case 58: want.guard = true; break;
		case 61: want.file_shared = true; break;
		case 62: want.swapped = true; break;
		case 63: want.present = true; break;
		default: break;	/* 0-54 mean nothing alone; 59-60 are zero */
		}
		decode(BIT(b), &e);
		assert_entry(&e, &want);

		/* With present set, bits 0-54 are the PFN and only that. */
		if (b < 55) {
			want = (struct pagemap_entry){
				.raw = PM_PRESENT | BIT(b), .pfn = BIT(b),
				.present = true,
			};
			decode(PM_PRESENT | BIT(b), &e);
			assert_entry(&e, &want);

			/* With swapped: 0-4 are the type, 5-54 the offset. */
			want = (struct pagemap_entry){
				.raw = PM_SWAPPED | BIT(b), .swapped = true,
			};
			if (b < 5)
				want.swap_type = 1u << b;
			else
				want.swap_offset = BIT(b - 5);
			decode(PM_SWAPPED | BIT(b), &e);
			assert_entry(&e, &want);
		}
	}
}

/* A temporary regular file of synthetic pagemap entries. */
struct fixture {
	int fd;
	uint64_t *entries;
	size_t count;
};

/* The synthetic entry of page vpn: distinct for every page. */
static uint64_t
synthetic(size_t vpn)
{
	return PM_PRESENT | ((uint64_t)vpn * 0x10001 + 7);
}

/* Creates an unlinked temporary file holding nbytes of entries. */
static int
temp_file(const uint64_t *entries, size_t nbytes)
{
	char path[] = "/tmp/test_pagemap.XXXXXX";
	size_t done = 0;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	while (done < nbytes) {
		ssize_t w = write(fd, (const char *)entries + done,
		    nbytes - done);
		assert_true(w > 0);
		done += (size_t)w;
	}
	return fd;
}

static int
setup_entries(struct fixture *fx, size_t count)
{
	size_t i;

	fx->count = count;
	fx->entries = malloc(count * sizeof(*fx->entries));
	if (fx->entries == NULL)
		return -1;
	for (i = 0; i < count; i++)
		fx->entries[i] = synthetic(i);
	fx->fd = temp_file(fx->entries, count * sizeof(*fx->entries));
	return 0;
}

static int
setup_small(void **state)
{
	static struct fixture fx;

	*state = &fx;
	return setup_entries(&fx, 1000);
}

/* More entries than three batches of the dump's 64Ki, and some. */
static int
setup_large(void **state)
{
	static struct fixture fx;

	*state = &fx;
	return setup_entries(&fx, 3 * 65536 + 17);
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;

	close(fx->fd);
	free(fx->entries);
	return 0;
}

/* A buffer of n entries filled with a value no entry has. */
#define SENTINEL UINT64_C(0xdeadbeefdeadbeef)
static uint64_t *
buffer(size_t n)
{
	uint64_t *buf = malloc(n * sizeof(*buf));
	size_t i;

	assert_non_null(buf);
	for (i = 0; i < n; i++)
		buf[i] = SENTINEL;
	return buf;
}

static void
should_read_every_entry_of_the_file(void **state)
{
	struct fixture *fx = *state;
	uint64_t *buf = buffer(fx->count);

	assert_int_equal(pagemap_read(fx->fd, 0, buf, fx->count), fx->count);
	assert_memory_equal(buf, fx->entries, fx->count * sizeof(*buf));
	free(buf);
}

static void
should_read_from_a_page_number(void **state)
{
	struct fixture *fx = *state;
	uint64_t *buf = buffer(51);

	assert_int_equal(pagemap_read(fx->fd, 100, buf, 50), 50);
	assert_memory_equal(buf, fx->entries + 100, 50 * sizeof(*buf));
	assert_int_equal(buf[50], SENTINEL);
	assert_int_equal(pagemap_read(fx->fd, 999, buf, 1), 1);
	assert_int_equal(buf[0], synthetic(999));
	free(buf);
}

static void
should_return_fewer_entries_past_the_end_of_the_file(void **state)
{
	struct fixture *fx = *state;
	uint64_t *buf = buffer(10);
	size_t i;

	assert_int_equal(pagemap_read(fx->fd, fx->count - 3, buf, 10), 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(buf[i], synthetic(fx->count - 3 + i));
	for (i = 3; i < 10; i++)
		assert_int_equal(buf[i], SENTINEL);
	free(buf);
}

static void
should_return_no_entries_at_or_beyond_the_end_of_the_file(void **state)
{
	struct fixture *fx = *state;
	uint64_t *buf = buffer(4);

	assert_int_equal(pagemap_read(fx->fd, fx->count, buf, 4), 0);
	assert_int_equal(pagemap_read(fx->fd, fx->count + 1000000, buf, 4), 0);
	assert_int_equal(buf[0], SENTINEL);
	free(buf);
}

static void
should_read_nothing_when_asked_for_nothing(void **state)
{
	struct fixture *fx = *state;
	uint64_t *buf = buffer(1);

	assert_int_equal(pagemap_read(fx->fd, 5, buf, 0), 0);
	assert_int_equal(buf[0], SENTINEL);
	free(buf);
}

static void
should_read_several_batches_in_one_call(void **state)
{
	struct fixture *fx = *state;
	uint64_t *buf = buffer(fx->count);

	assert_int_equal(pagemap_read(fx->fd, 0, buf, fx->count), fx->count);
	assert_memory_equal(buf, fx->entries, fx->count * sizeof(*buf));
	free(buf);
}

static void
should_read_batch_after_batch_to_the_end(void **state)
{
	struct fixture *fx = *state;
	size_t batch = 65536, vpn = 0, calls = 0;
	uint64_t *buf = buffer(batch);
	long got;

	/* As dump reads a mapping larger than the file: the last is short. */
	for (;;) {
		got = pagemap_read(fx->fd, vpn, buf, batch);
		assert_true(got >= 0);
		calls++;
		if (got > 0)
			assert_memory_equal(buf, fx->entries + vpn,
			    (size_t)got * sizeof(*buf));
		vpn += (size_t)got;
		if ((size_t)got < batch)
			break;
	}
	assert_int_equal(calls, 4);
	assert_int_equal(got, 17);
	assert_int_equal(vpn, fx->count);
	free(buf);
}

static void
should_refuse_a_page_number_beyond_the_largest_file_offset(void **state)
{
	struct fixture *fx = *state;
	uint64_t *buf = buffer(4);

	errno = 0;
	assert_int_equal(pagemap_read(fx->fd, UINT64_MAX / 8, buf, 4), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(pagemap_read(fx->fd, UINT64_MAX, buf, 1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(pagemap_read(fx->fd, (uint64_t)INT64_MAX / 8, buf, 1),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(buf[0], SENTINEL);
	/* The last whole entry below 2^63 bytes is still a valid place. */
	assert_int_equal(pagemap_read(fx->fd, (uint64_t)INT64_MAX / 8 - 1, buf,
	    1), 0);
	free(buf);
}

static void
should_fail_to_read_a_bad_descriptor(void **state)
{
	uint64_t buf[2];

	(void)state;
	errno = 0;
	assert_int_equal(pagemap_read(-1, 0, buf, 2), -1);
	assert_int_equal(errno, EBADF);
}

static void
should_fail_on_an_entry_cut_short(void **state)
{
	uint64_t entries[4] = { 1, 2, 3, 4 };
	uint64_t buf[4];
	int fd;

	(void)state;
	fd = temp_file(entries, 3 * 8 + 4);
	errno = 0;
	assert_int_equal(pagemap_read(fd, 0, buf, 4), -1);
	assert_int_equal(errno, EIO);
	close(fd);
}

static void
should_find_no_address_space_in_an_empty_file(void **state)
{
	int fd;

	(void)state;
	fd = temp_file(NULL, 0);
	assert_int_equal(pagemap_alive(fd), 0);
	close(fd);
}

static void
should_find_no_address_space_in_a_file_shorter_than_an_entry(void **state)
{
	uint64_t entry = 0;
	int fd;

	(void)state;
	fd = temp_file(&entry, 4);
	assert_int_equal(pagemap_alive(fd), 0);
	close(fd);
}

static void
should_find_an_address_space_in_a_file_of_one_entry_or_more(void **state)
{
	uint64_t entries[3] = { 0 };
	int fd;

	(void)state;
	/* Page 0 reads as all zero in a live process: still alive. */
	fd = temp_file(entries, 8);
	assert_int_equal(pagemap_alive(fd), 1);
	close(fd);
	fd = temp_file(entries, sizeof(entries));
	assert_int_equal(pagemap_alive(fd), 1);
	close(fd);
}

static void
should_fail_to_tell_liveness_from_a_bad_descriptor(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(pagemap_alive(-1), -1);
	assert_int_equal(errno, EBADF);
}

static void
should_see_our_own_stack_page_as_present(void **state)
{
	volatile char here = 1;
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE), raw = 0;
	struct pagemap_entry e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	here = 2;
	assert_int_equal(pagemap_read(fd, (uintptr_t)&here / ps, &raw, 1), 1);
	pagemap_decode(raw, &e);
	assert_true(e.present);
	assert_false(e.swapped);
	assert_false(e.file_shared);
	assert_int_equal(pagemap_alive(fd), 1);
	close(fd);
	assert_int_equal(here, 2);
}

static void
should_read_no_entries_above_the_task_size(void **state)
{
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE), buf[2] = { 0 };
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	/* Where x86-64 puts [vsyscall]: above every task's size. */
	assert_int_equal(pagemap_read(fd, UINT64_C(0xffffffffff600000) / ps,
	    buf, 2), 0);
	close(fd);
}

/* ---- what an entry stands for ---- */

/* The layouts of two configurations (include/linux/swap.h, 6.18). */
static const struct pagemap_swap_layout all_on = { 24, 1, 3, 3 };
static const struct pagemap_swap_layout migration_only = { 28, 0, 3, 0 };

/* A swap-format entry of type type and offset offset, as root reads it. */
#define SWAP_ENTRY(type, offset) \
	(PM_SWAPPED | (uint64_t)(type) | (uint64_t)(offset) << 5)

static void
should_tell_the_markers_read_on_linux_6_18_apart(void **state)
{
	(void)state;
	pagemap_set_swap_layout(&migration_only);
	/* As read from this kernel (MADV_GUARD_INSTALL, uffd-wp, poison). */
	assert_int_equal(pagemap_state(UINT64_C(0x440000000000009f)),
	    PAGEMAP_GUARD);
	assert_int_equal(pagemap_state(UINT64_C(0x420000000000003f)),
	    PAGEMAP_UFFD_WP);
	assert_int_equal(pagemap_state(UINT64_C(0x400000000000005f)),
	    PAGEMAP_HWPOISON);
	/* A page in swap area 0, offset 1; one of area 2 with uffd-wp. */
	assert_int_equal(pagemap_state(UINT64_C(0x4000000000000020)),
	    PAGEMAP_SWAP);
	assert_int_equal(pagemap_state(PM_UFFD_WP | SWAP_ENTRY(2, 77)),
	    PAGEMAP_SWAP);
	/* A hugetlb uffd-wp marker has no bit 62; poison reads 0. */
	assert_int_equal(pagemap_state(PM_UFFD_WP), PAGEMAP_UFFD_WP);
	assert_int_equal(pagemap_state(0), PAGEMAP_NONE);
	assert_int_equal(pagemap_state(PM_PRESENT | 0x1234), PAGEMAP_PRESENT);
	/* A marker with no known bit. */
	assert_int_equal(pagemap_state(SWAP_ENTRY(31, 8)), PAGEMAP_OTHER);
	pagemap_set_swap_layout(&all_on);
}

static void
should_place_the_special_swap_types_by_the_configuration(void **state)
{
	(void)state;
	pagemap_set_swap_layout(&all_on);
	assert_int_equal(pagemap_state(SWAP_ENTRY(23, 9)), PAGEMAP_SWAP);
	assert_int_equal(pagemap_state(SWAP_ENTRY(24, 9)), PAGEMAP_HWPOISON);
	assert_int_equal(pagemap_state(SWAP_ENTRY(25, 9)), PAGEMAP_MIGRATION);
	assert_int_equal(pagemap_state(SWAP_ENTRY(27, 9)), PAGEMAP_MIGRATION);
	assert_int_equal(pagemap_state(SWAP_ENTRY(28, 9)), PAGEMAP_DEVICE);
	assert_int_equal(pagemap_state(SWAP_ENTRY(30, 9)), PAGEMAP_DEVICE);
	pagemap_set_swap_layout(&migration_only);
	assert_int_equal(pagemap_state(SWAP_ENTRY(27, 9)), PAGEMAP_SWAP);
	assert_int_equal(pagemap_state(SWAP_ENTRY(28, 9)), PAGEMAP_MIGRATION);
	assert_int_equal(pagemap_state(SWAP_ENTRY(30, 9)), PAGEMAP_MIGRATION);
	pagemap_set_swap_layout(&all_on);
}

static void
should_see_only_guard_markers_when_the_swap_fields_are_hidden(void **state)
{
	(void)state;
	/* Without CAP_SYS_ADMIN the low 55 bits read 0. */
	assert_int_equal(pagemap_state(PM_SWAPPED | PM_GUARD), PAGEMAP_GUARD);
	assert_int_equal(pagemap_state(PM_SWAPPED | PM_UFFD_WP),
	    PAGEMAP_SWAP);
	assert_int_equal(pagemap_state(PM_SWAPPED), PAGEMAP_SWAP);
}

static void
should_give_swap_type_and_offset_only_for_pages_in_swap(void **state)
{
	struct pagemap_entry e;
	(void)state;

	pagemap_set_swap_layout(&migration_only);
	pagemap_decode(SWAP_ENTRY(3, 0x1234), &e);
	assert_int_equal(e.state, PAGEMAP_SWAP);
	assert_int_equal(e.swap_type, 3);
	assert_int_equal(e.swap_offset, 0x1234);
	pagemap_decode(UINT64_C(0x440000000000009f), &e);
	assert_int_equal(e.state, PAGEMAP_GUARD);
	assert_true(e.swapped);		/* the bit, as the kernel sets it */
	assert_int_equal(e.swap_type, 0);
	assert_int_equal(e.swap_offset, 0);
	pagemap_decode(SWAP_ENTRY(29, 0x5000), &e);	/* migration */
	assert_int_equal(e.state, PAGEMAP_MIGRATION);
	assert_int_equal(e.swap_offset, 0);
	pagemap_set_swap_layout(&all_on);
}

static void
should_read_the_swap_layout_from_a_kernel_configuration(void **state)
{
	static const char none[] = "# CONFIG_MIGRATION is not set\n";
	static const char mine[] = "CONFIG_MMU=y\nCONFIG_MIGRATION=y\n"
	    "# CONFIG_MEMORY_FAILURE is not set\n"
	    "CONFIG_DEVICE_PRIVATE_X=y\nXCONFIG_DEVICE_PRIVATE=y\n";
	static const char all[] = "CONFIG_MEMORY_FAILURE=y\n"
	    "CONFIG_MIGRATION=y\nCONFIG_DEVICE_PRIVATE=y\n";
	struct pagemap_swap_layout l;
	(void)state;

	l = pagemap_swap_layout_from_config(none, sizeof(none) - 1);
	assert_int_equal(l.max_swapfiles, 31);
	assert_int_equal(l.nmigration, 0);
	l = pagemap_swap_layout_from_config(mine, sizeof(mine) - 1);
	assert_int_equal(l.max_swapfiles, 28);
	assert_int_equal(l.nhwpoison, 0);
	assert_int_equal(l.nmigration, 3);
	assert_int_equal(l.ndevice, 0);
	l = pagemap_swap_layout_from_config(all, sizeof(all) - 1);
	assert_int_equal(l.max_swapfiles, 24);
	assert_int_equal(l.nhwpoison, 1);
	assert_int_equal(l.ndevice, 3);
}

static void
should_name_every_state(void **state)
{
	static const char *const want[PAGEMAP_STATES] = {
		"none", "present", "swap", "guard", "uffd-wp", "migration",
		"hwpoison", "device", "other",
	};
	int i;
	(void)state;

	for (i = 0; i < PAGEMAP_STATES; i++)
		assert_string_equal(pagemap_state_name((enum pagemap_state)i),
		    want[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_decode_a_present_page_with_its_pfn),
		cmocka_unit_test(should_decode_the_largest_55_bit_pfn),
		cmocka_unit_test(should_decode_a_swapped_entry_into_type_and_offset),
		cmocka_unit_test(should_decode_the_largest_swap_type_and_offset),
		cmocka_unit_test(should_decode_a_swapped_shared_page_with_offset_zero),
		cmocka_unit_test(should_ignore_bits_59_and_60),
		cmocka_unit_test(should_decode_all_zero_as_a_page_that_is_not_there),
		cmocka_unit_test(should_give_no_pfn_and_no_swap_entry_when_neither_bit_is_set),
		cmocka_unit_test(should_decode_every_flag_at_once_on_a_present_page),
		cmocka_unit_test(should_decode_each_of_the_64_bits_on_its_own),
		cmocka_unit_test_setup_teardown(should_read_every_entry_of_the_file,
		    setup_small, teardown),
		cmocka_unit_test_setup_teardown(should_read_from_a_page_number,
		    setup_small, teardown),
		cmocka_unit_test_setup_teardown(should_return_fewer_entries_past_the_end_of_the_file,
		    setup_small, teardown),
		cmocka_unit_test_setup_teardown(should_return_no_entries_at_or_beyond_the_end_of_the_file,
		    setup_small, teardown),
		cmocka_unit_test_setup_teardown(should_read_nothing_when_asked_for_nothing,
		    setup_small, teardown),
		cmocka_unit_test_setup_teardown(should_read_several_batches_in_one_call,
		    setup_large, teardown),
		cmocka_unit_test_setup_teardown(should_read_batch_after_batch_to_the_end,
		    setup_large, teardown),
		cmocka_unit_test_setup_teardown(should_refuse_a_page_number_beyond_the_largest_file_offset,
		    setup_small, teardown),
		cmocka_unit_test(should_fail_to_read_a_bad_descriptor),
		cmocka_unit_test(should_fail_on_an_entry_cut_short),
		cmocka_unit_test(should_find_no_address_space_in_an_empty_file),
		cmocka_unit_test(should_find_no_address_space_in_a_file_shorter_than_an_entry),
		cmocka_unit_test(should_find_an_address_space_in_a_file_of_one_entry_or_more),
		cmocka_unit_test(should_fail_to_tell_liveness_from_a_bad_descriptor),
		cmocka_unit_test(should_see_our_own_stack_page_as_present),
		cmocka_unit_test(should_read_no_entries_above_the_task_size),
		cmocka_unit_test(
		    should_tell_the_markers_read_on_linux_6_18_apart),
		cmocka_unit_test(
		    should_place_the_special_swap_types_by_the_configuration),
		cmocka_unit_test(
		    should_see_only_guard_markers_when_the_swap_fields_are_hidden),
		cmocka_unit_test(
		    should_give_swap_type_and_offset_only_for_pages_in_swap),
		cmocka_unit_test(
		    should_read_the_swap_layout_from_a_kernel_configuration),
		cmocka_unit_test(should_name_every_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

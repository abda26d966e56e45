/*
 * Tests for numa: the node layout read from synthetic sysfs trees
 * (tests/fixtures/sysfs/NAME/devices/system, found from the top of the
 * repository, where make check runs the tests), lookups by PFN and of
 * batches of pagemap entries checked against a model of each tree, in
 * any order; then, live, the layout of this machine against what
 * move_pages(2) says of the test's own pages, and numa_query itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "numa.h"
#include "pagemap.h"
#include "testlib.h"

#define FIXTURES "tests/fixtures/sysfs"
#define BLOCK UINT64_C(0x8000000)	/* the block size of most trees */
#define N NUMA_NODE_NONE

/* A tree as the tests expect it: the node of each block, N for none. */
struct layout {
	const char *name;
	uint64_t block_size;
	const uint64_t *nodes;	/* of blocks 0.., none beyond */
	size_t nblocks;
	unsigned nnodes;	/* numa_nodes */
	size_t nranges, nconflicts;
};

static const uint64_t two_nodes[] = { 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, N, N,
	1, N };
static const uint64_t sparse_nodes[] = { 0, 0, 2, 2, 5, N, 5, N, N, N, N, N,
	N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, 7, N };
static const uint64_t conflict[] = { 0, 0, 1, N };
static const uint64_t one_node[] = { 0, 0, 0, 0, 0, 0, 0, 0, N };
static const uint64_t small_blocks[] = { 0, 0, 1, N };

#define LAYOUT(name, size, nodes, nnodes, nranges, nconflicts) \
	{ name, size, nodes, sizeof(nodes) / sizeof(nodes[0]), nnodes, \
	    nranges, nconflicts }

/* node0: blocks 0-3 and 8-9; node1: 4-7 and 12; 10-11 a hole. */
static const struct layout two = LAYOUT("two-nodes", BLOCK, two_nodes, 2,
    4, 0);
/* node0, node2, node5 (two blocks apart), node7 far up; node6 empty. */
static const struct layout sparse = LAYOUT("sparse-nodes", BLOCK,
    sparse_nodes, 8, 5, 0);
/* Block 1 under node0 and node1. */
static const struct layout both = LAYOUT("conflict", BLOCK, conflict, 2,
    2, 1);
/* As on a real machine: symlinks, and no newline after the size. */
static const struct layout one = LAYOUT("one-node", BLOCK, one_node, 1,
    1, 0);
/* Blocks of 4 KiB: one frame each with 4 KiB pages. */
static const struct layout small = LAYOUT("small-blocks", 0x1000,
    small_blocks, 2, 2, 0);

/* The node the layout gives frame pfn, with block_pfns frames a block. */
static uint64_t
model(const struct layout *l, uint64_t block_pfns, uint64_t pfn)
{
	uint64_t b = pfn / block_pfns;

	return b < l->nblocks ? l->nodes[b] : N;
}

/* Opens the fixture tree name; fails the test when it cannot. */
static struct numa_map *
open_tree(const char *name, uint64_t page_size)
{
	char root[256];
	struct numa_map *m;

	snprintf(root, sizeof(root), "%s/%s", FIXTURES, name);
	m = numa_open(root, page_size);
	if (m == NULL)
		fail_msg("numa_open %s, pages of %" PRIu64 ": %s", root,
		    page_size, strerror(errno));
	return m;
}

/* Fails unless the node of pfn (through cursor c, or none) is want. */
static void
assert_node(const struct numa_map *m, struct numa_cursor *c, uint64_t pfn,
    uint64_t want)
{
	uint64_t got = numa_node_of(m, c, pfn);

	if (got != want)
		fail_msg("pfn 0x%" PRIx64 " (%s cursor): node %" PRIu64
		    ", want %" PRIu64, pfn, c != NULL ? "a" : "no", got, want);
}

/*
 * Checks the first, middle and last frame of every block of the layout
 * and the one past it, up and then down with one cursor, and with none;
 * and frames far beyond every block.
 */
static void
assert_layout(const struct layout *l, uint64_t page_size)
{
	struct numa_map *m = open_tree(l->name, page_size);
	struct numa_cursor c = NUMA_CURSOR_INIT;
	const uint64_t bp = l->block_size / page_size;
	uint64_t pfn[4];
	size_t b, k, i;

	assert_int_equal(numa_nodes(m), l->nnodes);
	assert_int_equal(numa_ranges(m), l->nranges);
	assert_int_equal(numa_conflicts(m), l->nconflicts);
	for (k = 0; k < 2 * l->nblocks; k++) {
		b = k < l->nblocks ? k : 2 * l->nblocks - 1 - k;
		pfn[0] = b * bp;
		pfn[1] = b * bp + bp / 2;
		pfn[2] = b * bp + bp - 1;
		pfn[3] = (b + 1) * bp;
		for (i = 0; i < 4; i++) {
			assert_node(m, &c, pfn[i], model(l, bp, pfn[i]));
			assert_node(m, NULL, pfn[i], model(l, bp, pfn[i]));
		}
	}
	assert_node(m, &c, PM_PFN_MASK, N);
	assert_node(m, &c, UINT64_MAX, N);
	assert_node(m, &c, 0, l->nodes[0]);
	numa_free(m);
}

/*
 * two-nodes, 4 KiB pages: node0 holds blocks 0-3 (PFNs 0-0x1ffff),
 * node1 blocks 4-7. Excluding frames in the middle, at the start and at
 * the end of a range leaves them without a node and their neighbours as
 * they were, up and down with a cursor and without; a cut across two
 * ranges or in a hole changes nothing.
 */
static void
should_leave_excluded_frames_without_a_node(void **state)
{
	struct numa_map *m = open_tree("two-nodes", 4096);
	struct numa_cursor c = NUMA_CURSOR_INIT;
	static const uint64_t none[] = { 0x100, 0x101, 0x0, 0x1ffff,
	    0x20000 };
	static const uint64_t kept[][2] = { { 0xff, 0 }, { 0x102, 0 },
	    { 0x1, 0 }, { 0x1fffe, 0 }, { 0x20001, 1 }, { 0x3ffff, 1 } };
	size_t i, ranges;

	(void)state;
	ranges = numa_ranges(m);
	assert_int_equal(numa_exclude(m, 0x100, 0x102), 0);
	assert_int_equal(numa_exclude(m, 0x0, 0x1), 0);
	assert_int_equal(numa_exclude(m, 0x1ffff, 0x20001), 0); /* across */
	assert_int_equal(numa_exclude(m, 0x1ffff, 0x20000), 0);
	assert_int_equal(numa_exclude(m, 0x20000, 0x20001), 0);
	assert_int_equal(numa_exclude(m, 0x50000, 0x50001), 0); /* a hole */
	assert_int_equal(numa_exclude(m, 0x7, 0x7), 0);	/* empty */
	assert_int_equal(numa_ranges(m), ranges + 4);
	for (i = 0; i < 2 * (sizeof(none) / sizeof(none[0])); i++) {
		size_t k = i % (sizeof(none) / sizeof(none[0]));
		assert_node(m, &c, none[k], N);
		assert_node(m, NULL, none[k], N);
	}
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		assert_node(m, &c, kept[i][0], kept[i][1]);
		assert_node(m, NULL, kept[i][0], kept[i][1]);
	}
	/* Again descending, with the same cursor. */
	for (i = sizeof(kept) / sizeof(kept[0]); i-- > 0;)
		assert_node(m, &c, kept[i][0], kept[i][1]);
	numa_free(m);
}

/* Fails unless opening the fixture tree name fails with errno want. */
static void
assert_refused(const char *name, uint64_t page_size, int want)
{
	char root[256];
	struct numa_map *m;

	snprintf(root, sizeof(root), "%s/%s", FIXTURES, name);
	errno = 0;
	m = numa_open(root, page_size);
	if (m != NULL || errno != want)
		fail_msg("numa_open %s, pages of %" PRIu64 ": %s, errno %s, "
		    "want %s", root, page_size, m != NULL ? "a map" : "NULL",
		    strerror(errno), strerror(want));
}

/* ---- layouts from the fixture trees ------------------------------------ */

static void
should_give_each_block_of_interleaved_nodes_its_node_with_4k_pages(
    void **state)
{
	(void)state;
	assert_layout(&two, 4096);
}

static void
should_give_each_block_of_interleaved_nodes_its_node_with_64k_pages(
    void **state)
{
	(void)state;
	assert_layout(&two, 65536);
}

static void
should_read_sparse_node_numbers_and_count_nodes_without_memory(
    void **state)
{
	(void)state;
	assert_layout(&sparse, 4096);
	assert_layout(&sparse, 65536);
}

static void
should_give_a_block_listed_under_two_nodes_to_the_lower_one(void **state)
{
	(void)state;
	assert_layout(&both, 4096);
	assert_layout(&both, 65536);
}

static void
should_read_one_node_whose_blocks_are_symlinks(void **state)
{
	(void)state;
	assert_layout(&one, 4096);
	assert_layout(&one, 65536);
}

static void
should_read_blocks_of_one_page(void **state)
{
	(void)state;
	assert_layout(&small, 4096);
}

static void
should_refuse_a_malformed_block_size(void **state)
{
	const char *const bad[] = {
		"bad-letters", "bad-empty", "bad-zero", "bad-junk",
		"bad-prefix-only", "bad-two-lines", "bad-nul",
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_refused(bad[i], 4096, EINVAL);
}

static void
should_refuse_a_block_size_that_is_not_a_multiple_of_the_page_size(
    void **state)
{
	(void)state;
	assert_refused("small-blocks", 65536, EINVAL);
}

static void
should_refuse_a_page_size_that_is_not_a_power_of_two(void **state)
{
	(void)state;
	assert_refused("two-nodes", 0, EINVAL);
	assert_refused("two-nodes", 3, EINVAL);
	assert_refused("two-nodes", 6144, EINVAL);
}

static void
should_refuse_node_and_block_numbers_out_of_range(void **state)
{
	(void)state;
	assert_refused("bad-block-number", 4096, EINVAL);
	assert_refused("bad-node-number", 4096, EINVAL);
}

static void
should_say_enoent_for_a_tree_that_is_missing_or_has_no_blocks(
    void **state)
{
	(void)state;
	assert_refused("no-such-tree", 4096, ENOENT);
	assert_refused("", 4096, ENOENT);	/* FIXTURES: no devices/ */
	assert_refused("no-memory", 4096, ENOENT);
	assert_refused("no-blocks", 4096, ENOENT);
}

/* ---- lookups of pagemap entries ---------------------------------------- */

/* A present entry of pfn, with other bits that must not matter. */
static uint64_t
present(uint64_t pfn, uint64_t bits)
{
	return PM_PRESENT | bits | pfn;
}

/* The node numa_lookup must give entry e, by the model of l. */
static uint64_t
model_entry(const struct layout *l, uint64_t block_pfns, uint64_t e)
{
	uint64_t pfn = e & PM_PFN_MASK;

	return (e & PM_PRESENT) && pfn != 0 ? model(l, block_pfns, pfn) : N;
}

/* Looks the n entries up with cursor c; fails unless the model agrees. */
static void
assert_lookup(const struct numa_map *m, struct numa_cursor *c,
    const struct layout *l, uint64_t bp, const uint64_t *e, size_t n)
{
	uint64_t *out = malloc(n * sizeof(*out));
	size_t i;

	assert_non_null(out);
	memset(out, 0xa5, n * sizeof(*out));
	numa_lookup(m, c, e, n, out);
	for (i = 0; i < n; i++)
		if (out[i] != model_entry(l, bp, e[i]))
			fail_msg("entry %zu, 0x%016" PRIx64 ": node %" PRIu64
			    ", want %" PRIu64, i, e[i], out[i],
			    model_entry(l, bp, e[i]));
	free(out);
}

/* The next number of a 64-bit LCG. */
static uint64_t
next(uint64_t *seed)
{
	*seed = *seed * UINT64_C(6364136223846793005) +
	    UINT64_C(1442695040888963407);
	return *seed >> 11;
}

static void
should_look_up_mixed_entries_in_ascending_descending_and_random_order(
    void **state)
{
	const uint64_t bp = BLOCK / 4096;
	const uint64_t mixed[] = {
		0,				/* never touched */
		PM_SWAPPED | 123 << PM_SWAP_TYPE_BITS | 3,	/* in swap */
		PM_SWAPPED | 4 * bp,		/* not present */
		present(0, 0),			/* PFN hidden */
		present(1, PM_SOFT_DIRTY | PM_EXCLUSIVE),	/* node0 */
		present(3 * bp + bp - 1, 0),	/* node0, last of block 3 */
		present(4 * bp, PM_FILE_SHARED),	/* node1, first */
		present(7 * bp + 17, 0),	/* node1 */
		present(8 * bp, 0),		/* node0 again */
		present(9 * bp + bp - 1, 0),	/* node0, last */
		present(10 * bp, 0),		/* the hole */
		present(11 * bp + bp - 1, 0),	/* the hole, last */
		present(12 * bp, 0),		/* node1 */
		present(12 * bp + bp - 1, 0),	/* node1, last */
		present(13 * bp, 0),		/* above every block */
		present(PM_PFN_MASK, PM_UFFD_WP),
	};
	const size_t n = sizeof(mixed) / sizeof(mixed[0]);
	struct numa_map *m = open_tree(two.name, 4096);
	struct numa_cursor c = NUMA_CURSOR_INIT;
	uint64_t e[sizeof(mixed) / sizeof(mixed[0])], seed = 7, t;
	size_t i, j, round;
	(void)state;

	memcpy(e, mixed, sizeof(e));
	assert_lookup(m, &c, &two, bp, e, n);
	assert_lookup(m, NULL, &two, bp, e, n);
	for (i = 0; i < n; i++)
		e[i] = mixed[n - 1 - i];
	assert_lookup(m, &c, &two, bp, e, n);
	for (round = 0; round < 100; round++) {
		for (i = n - 1; i > 0; i--) {
			j = next(&seed) % (i + 1);
			t = e[i];
			e[i] = e[j];
			e[j] = t;
		}
		assert_lookup(m, &c, &two, bp, e, n);
	}
	numa_free(m);
}

/*
 * Batches of 65536 entries as a process gives them: runs of neighbouring
 * frames, up or down, and jumps anywhere (into holes and past the end),
 * with pages absent or hidden between; one cursor for all the batches.
 */
static void
should_look_up_batches_of_runs_and_jumps_with_one_cursor(void **state)
{
	const size_t n = 65536;
	uint64_t *e = malloc(n * sizeof(*e)), seed = 42, pfn = 0, r;
	const uint64_t bp = BLOCK / 65536;
	struct numa_map *m = open_tree(sparse.name, 65536);
	struct numa_cursor c = NUMA_CURSOR_INIT;
	size_t i, batch;
	(void)state;

	assert_non_null(e);
	for (batch = 0; batch < 4; batch++) {
		for (i = 0; i < n; i++) {
			r = next(&seed);
			if (r % 16 == 0)
				pfn = r % (bp * (sparse.nblocks + 2));
			else if (r % 16 == 1)
				pfn = pfn >= 3 ? pfn - 3 : 0;
			else
				pfn += 1 + r % 16 / 8;
			e[i] = r % 11 == 0 ? 0 : r % 11 == 1 ? present(0, 0) :
			    present(pfn, 0);
		}
		assert_lookup(m, &c, &sparse, bp, e, n);
	}
	free(e);
	numa_free(m);
}

static void
should_give_the_right_node_through_a_cursor_of_another_map(void **state)
{
	struct numa_map *big = open_tree(sparse.name, 4096);
	struct numa_map *m = open_tree(both.name, 4096);
	struct numa_cursor c = NUMA_CURSOR_INIT;
	const uint64_t bp = BLOCK / 4096;
	(void)state;

	assert_node(big, &c, 32 * bp, 7);	/* its last range */
	assert_node(m, &c, 2 * bp, 1);
	c.at = SIZE_MAX;
	assert_node(m, &c, bp, 0);
	c.at = 1;
	assert_node(m, &c, 0, 0);
	assert_node(m, &c, 3 * bp, N);
	numa_free(big);
	numa_free(m);
	numa_free(NULL);
}

static void
should_look_up_nothing_for_an_empty_batch(void **state)
{
	struct numa_map *m = open_tree(two.name, 4096);
	uint64_t out = 99;
	const uint64_t e = present(1, 0);
	(void)state;

	numa_lookup(m, NULL, &e, 0, &out);
	assert_int_equal(out, 99);
	numa_free(m);
}

/* ---- this machine ------------------------------------------------------ */

/* Whether the kernel says node 0 is the only node online. */
static bool
only_node0(void)
{
	char *online = tl_read_file("/sys/devices/system/node/online");
	bool only = online != NULL && strcmp(online, "0\n") == 0;

	free(online);
	return only;
}

/* Maps n pages, writes every one but those i with i % skip == 0. */
static char *
map_pages(size_t n, size_t skip)
{
	const size_t page = (size_t)tl_page();
	char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED)
		fail_msg("mmap %zu pages: %s", n, strerror(errno));
	for (i = 0; i < n; i++)
		if (skip == 0 || i % skip != 0)
			p[i * page] = 1;
	return p;
}

/* numa_query, skipping when the kernel has no move_pages. */
static void
query(int pid, const uint64_t *addrs, size_t n, uint64_t *out)
{
	if (numa_query(pid, addrs, n, out) == 0)
		return;
	if (errno == ENOSYS)
		tl_skip("move_pages(2) gives ENOSYS: a kernel without NUMA");
	fail_msg("numa_query pid %d, %zu addresses: %s", pid, n,
	    strerror(errno));
}

static void
should_map_the_frames_of_its_own_pages_to_the_node_move_pages_gives(
    void **state)
{
	const size_t n = 64, page = (size_t)tl_page();
	uint64_t e[64], addr[64], by_pfn[64], by_addr[64];
	struct numa_cursor c = NUMA_CURSOR_INIT;
	struct numa_map *m;
	bool only = only_node0();
	char *p;
	size_t i;
	(void)state;

	if (access("/sys/devices/system/node", F_OK) != 0)
		tl_skip("no /sys/devices/system/node: a kernel without NUMA");
	m = numa_open("/sys", page);
	if (m == NULL && errno == ENOENT)
		tl_skip("/sys lists no memory block under any node (no "
		    "memory-hotplug sysfs)");
	if (m == NULL)
		fail_msg("numa_open /sys: %s", strerror(errno));
	if (!tl_have_sys_admin()) {
		numa_free(m);
		tl_require_sys_admin();
	}
	p = map_pages(n, 0);
	tl_pagemap(getpid(), (uint64_t)(uintptr_t)p, e, n);
	for (i = 0; i < n; i++)
		addr[i] = (uint64_t)(uintptr_t)(p + i * page);
	numa_lookup(m, &c, e, n, by_pfn);
	query(0, addr, n, by_addr);
	for (i = 0; i < n; i++) {
		if (by_pfn[i] == N || by_pfn[i] != by_addr[i])
			fail_msg("page %zu, pfn 0x%" PRIx64 ": node %" PRIu64
			    " by its frame, %" PRIu64 " by move_pages", i,
			    e[i] & PM_PFN_MASK, by_pfn[i], by_addr[i]);
		if (only)
			assert_int_equal(by_pfn[i], 0);
	}
	assert_true(by_pfn[0] < numa_nodes(m));
	munmap(p, n * page);
	numa_free(m);
}

/*
 * More pages than one move_pages call takes: every seventh never
 * touched, and one unmapped.
 */
static void
should_query_touched_pages_and_give_none_for_untouched_or_unmapped(
    void **state)
{
	const size_t n = 2 * NUMA_QUERY_BATCH + 452, page = (size_t)tl_page();
	const size_t gone = NUMA_QUERY_BATCH + 1;
	uint64_t *addr = malloc(n * sizeof(*addr));
	uint64_t *out = malloc(n * sizeof(*out));
	char *p = map_pages(n, 7);
	bool only = only_node0();
	size_t i, pass;
	(void)state;

	assert_non_null(addr);
	assert_non_null(out);
	assert_int_equal(munmap(p + gone * page, page), 0);
	for (i = 0; i < n; i++)
		addr[i] = (uint64_t)(uintptr_t)(p + i * page);
	for (pass = 0; pass < 2; pass++) {
		memset(out, 0xa5, n * sizeof(*out));
		query(pass == 0 ? 0 : (int)getpid(), addr, n, out);
		for (i = 0; i < n; i++) {
			bool touched = i % 7 != 0 && i != gone;

			if (touched ? out[i] == N || (only && out[i] != 0) :
			    out[i] != N)
				fail_msg("page %zu (%s): node %" PRIu64, i,
				    touched ? "touched" : i == gone ?
				    "unmapped" : "untouched", out[i]);
		}
	}
	munmap(p, gone * page);
	munmap(p + (gone + 1) * page, (n - gone - 1) * page);
	free(addr);
	free(out);
}

static void
should_query_nothing_for_no_addresses(void **state)
{
	uint64_t out = 99;
	(void)state;

	assert_int_equal(numa_query(0, NULL, 0, &out), 0);
	assert_int_equal(out, 99);
}

static void
should_say_esrch_for_a_process_that_does_not_exist(void **state)
{
	uint64_t addr = (uint64_t)(uintptr_t)&addr, out;
	(void)state;

	/* Above any pid_max (at most 2^22). */
	errno = 0;
	assert_int_equal(numa_query(INT_MAX, &addr, 1, &out), -1);
	if (errno == ENOSYS)
		tl_skip("move_pages(2) gives ENOSYS: a kernel without NUMA");
	assert_int_equal(errno, ESRCH);
}

/*
 * A child that becomes nobody asks about its parent (root's): refused.
 * It exits 0 for EPERM, 1 when the query worked, 2 for another errno,
 * 3 when it could not become nobody, 4 for ENOSYS.
 */
static void
should_say_eperm_for_a_process_it_may_not_read(void **state)
{
	uint64_t addr = (uint64_t)(uintptr_t)&addr, out;
	pid_t child;
	int status;
	(void)state;

	tl_require_root();
	if ((child = fork()) < 0)
		fail_msg("fork: %s", strerror(errno));
	if (child == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		if (numa_query((int)getppid(), &addr, 1, &out) == 0)
			_exit(1);
		_exit(errno == EPERM ? 0 : errno == ENOSYS ? 4 : 2);
	}
	status = tl_wait(child);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 4)
		tl_skip("move_pages(2) gives ENOSYS: a kernel without NUMA");
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest fixtures[] = {
		cmocka_unit_test(should_give_each_block_of_interleaved_nodes_its_node_with_4k_pages),
		cmocka_unit_test(should_leave_excluded_frames_without_a_node),
		cmocka_unit_test(should_give_each_block_of_interleaved_nodes_its_node_with_64k_pages),
		cmocka_unit_test(should_read_sparse_node_numbers_and_count_nodes_without_memory),
		cmocka_unit_test(should_give_a_block_listed_under_two_nodes_to_the_lower_one),
		cmocka_unit_test(should_read_one_node_whose_blocks_are_symlinks),
		cmocka_unit_test(should_read_blocks_of_one_page),
		cmocka_unit_test(should_refuse_a_malformed_block_size),
		cmocka_unit_test(should_refuse_a_block_size_that_is_not_a_multiple_of_the_page_size),
		cmocka_unit_test(should_refuse_a_page_size_that_is_not_a_power_of_two),
		cmocka_unit_test(should_refuse_node_and_block_numbers_out_of_range),
		cmocka_unit_test(should_say_enoent_for_a_tree_that_is_missing_or_has_no_blocks),
		cmocka_unit_test(should_look_up_mixed_entries_in_ascending_descending_and_random_order),
		cmocka_unit_test(should_look_up_batches_of_runs_and_jumps_with_one_cursor),
		cmocka_unit_test(should_give_the_right_node_through_a_cursor_of_another_map),
		cmocka_unit_test(should_look_up_nothing_for_an_empty_batch),
	};
	const struct CMUnitTest live[] = {
		cmocka_unit_test(should_map_the_frames_of_its_own_pages_to_the_node_move_pages_gives),
		cmocka_unit_test(should_query_touched_pages_and_give_none_for_untouched_or_unmapped),
		cmocka_unit_test(should_query_nothing_for_no_addresses),
		cmocka_unit_test(should_say_esrch_for_a_process_that_does_not_exist),
		cmocka_unit_test(should_say_eperm_for_a_process_it_may_not_read),
	};
	int failed;

	failed = cmocka_run_group_tests_name("numa layouts from sysfs trees",
	    fixtures, NULL, NULL);
	failed += cmocka_run_group_tests_name("numa on this machine", live,
	    NULL, NULL);
	return failed;
}

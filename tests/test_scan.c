/*
 * End-to-end tests of the PAGEMAP_SCAN path: on the same child, every
 * output that may use it (-P, -S, --summary) must be byte for byte what
 * the plain pread path (PAGEMAP_DUMP_NO_SCAN=1) prints; and on a sparse
 * mapping the scan must spare reading almost every entry.
 */
#include "testlib.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DENSE_SIZE ((size_t)32 << 20)
#define SPARSE_SIZE ((size_t)64 << 30)	/* 16Mi pages of 4 KiB */
#define SPARSE_TOUCHED "~1000"
#define SPARSE_ROWS 1000

/* The child's mappings, in the order of the table below. */
enum { DENSE, SPARSE, SANDWICH_LO, SANDWICH_MID, SANDWICH_HI, HOLES,
	SWAPPED, FILE_MAP, CHAIN, NMAPS = CHAIN + 16 };

/* Pages of each mapping of the chain: 16 mappings one after another. */
#define CHAIN_PAGES 4

static struct tl_child child;
static long page;

/*
 * Dense, sparse, holey, half paged-out and file-backed memory; and
 * sparse, dense, sparse again at rising addresses, as three mappings
 * (the middle one has other permissions).
 */
static int
start_child(void **state)
{
	char path[64];

	/* A name for -m pmd-scan to find. */
	snprintf(path, sizeof(path), "/tmp/pmd-scan-%d", (int)getpid());
	struct tl_map table[NMAPS] = {
		[DENSE] = { .kind = TL_ANON, .bytes = DENSE_SIZE,
		    .touch = "all" },
		[SPARSE] = { .kind = TL_ANON, .bytes = SPARSE_SIZE,
		    .flags = TL_NORESERVE, .touch = SPARSE_TOUCHED },
		[SANDWICH_LO] = { .kind = TL_ANON, .bytes = SPARSE_SIZE,
		    .flags = TL_NORESERVE, .touch = SPARSE_TOUCHED },
		[SANDWICH_MID] = { .kind = TL_ANON, .bytes = DENSE_SIZE,
		    .flags = TL_NORESERVE | TL_JOINED, .touch = "all",
		    .prot = PROT_READ | PROT_WRITE | PROT_EXEC },
		[SANDWICH_HI] = { .kind = TL_ANON, .bytes = SPARSE_SIZE,
		    .flags = TL_NORESERVE | TL_JOINED,
		    .touch = SPARSE_TOUCHED },
		[HOLES] = { .kind = TL_ANON, .pages = 256, .touch = "/3" },
		[SWAPPED] = { .kind = TL_ANON, .pages = 64, .touch = "all",
		    .pageout = "0-31" },
		[FILE_MAP] = { .kind = TL_FILE, .pages = 64, .touch = "0,40",
		    .path = path },
	};
	int i;

	/* Other permissions each: the kernel cannot merge them. */
	for (i = CHAIN; i < NMAPS; i++)
		table[i] = (struct tl_map){ .kind = TL_ANON,
		    .pages = CHAIN_PAGES, .touch = "0",
		    .flags = i > CHAIN ? TL_JOINED : 0,
		    .prot = (i % 2 ? PROT_EXEC : 0) | PROT_READ | PROT_WRITE };
	(void)state;
	page = tl_page();
	tl_child_start(&child, table, NMAPS, 0);
	return 0;
}

static int
stop_child(void **state)
{
	(void)state;
	tl_child_stop(&child);
	return 0;
}

/* Runs the tool on the child with opts, with the scan or without. */
static void
dump(struct tl_run *r, bool scan, bool stats, const char *const *opts)
{
	const char *args[24], *env[3];
	int n = 0, e = 0;

	while (*opts != NULL)
		args[n++] = *opts++;
	args[n++] = child.arg;
	args[n] = NULL;
	if (!scan)
		env[e++] = "PAGEMAP_DUMP_NO_SCAN=1";
	if (stats)
		env[e++] = "PAGEMAP_DUMP_STATS=1";
	env[e] = NULL;
	tl_run(r, env, args);
	if (tl_exit_code(r) != 0)
		fail_msg("exit %d: %s", tl_exit_code(r), r->err);
}

/* "-r START-END" for size bytes at addr, into buf. */
static const char *
range_of(char *buf, size_t len, uintptr_t addr, size_t size)
{
	snprintf(buf, len, "%" PRIxPTR "-%" PRIxPTR, addr, addr + size);
	return buf;
}

/*
 * Only the child's own mappings are compared: the flags of shared
 * libraries' pages (exclusive, say) change whenever another process maps
 * or unmaps them, between the two runs.
 */
static void
should_print_the_same_rows_with_and_without_pagemap_scan(void **state)
{
	char dense[64], sparse[64], holes[64], swapped[64], file[64];
	const char *const sets[][20] = {
		{ "-P", NULL },
		{ "-S", NULL },
		{ "-P", "-S", NULL },
		{ "-s", NULL },
		{ "-s", "-P", NULL },
		{ "-s", "-S", NULL },
		{ "-s", "-f", "json", NULL },
		{ "-P", "-f", "json", "-o",
		    "+exclusive,uffd-wp,guard,swap-type,swap-offset,paddr",
		    NULL },
		{ "-P", "-r", sparse, NULL },
		{ "-S", "-P", "-r", swapped, NULL },
		{ "-s", "-m", "pmd-scan", NULL },
	};
	const char *opts[32];
	struct tl_run with, without;
	size_t i, n, k;
	int tries;
	(void)state;

	range_of(dense, sizeof(dense), child.map[DENSE].addr, DENSE_SIZE);
	range_of(sparse, sizeof(sparse), child.map[SPARSE].addr, SPARSE_SIZE);
	range_of(holes, sizeof(holes), child.map[HOLES].addr, 256 * (size_t)page);
	range_of(swapped, sizeof(swapped), child.map[SWAPPED].addr,
	    64 * (size_t)page);
	range_of(file, sizeof(file), child.map[FILE_MAP].addr, 64 * (size_t)page);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		for (n = 0; sets[i][n] != NULL; n++)
			opts[n] = sets[i][n];
		/* Sets without a range of their own get all five. */
		for (k = 0; k < n && strcmp(opts[k], "-r") != 0; k++)
			;
		if (k == n) {
			const char *all[] = { dense, sparse, holes, swapped,
			    file };
			for (k = 0; k < 5; k++) {
				opts[n++] = "-r";
				opts[n++] = all[k];
			}
		}
		opts[n] = NULL;
		/*
		 * A page can change state (and back) between two dumps:
		 * compare again, a few times, before calling it a difference.
		 */
		for (tries = 0;; tries++) {
			dump(&with, true, false, opts);
			dump(&without, false, false, opts);
			if (strcmp(with.out, without.out) == 0 || tries == 4)
				break;
			tl_run_free(&with);
			tl_run_free(&without);
		}
		if (strcmp(with.out, without.out) != 0)
			fail_msg("options set %zu (%s %s ...): the scan path "
			    "and the pread path differ", i, sets[i][0],
			    sets[i][1] ? sets[i][1] : "");
		/* Never an empty comparison: there is always a row. */
		assert_true(strchr(with.out, '\n') != NULL);
		tl_run_free(&with);
		tl_run_free(&without);
	}
}

/* Reads the PAGEMAP_DUMP_STATS line: entries, preads and scan calls. */
static void
stats3(const struct tl_run *r, uint64_t *entries, uint64_t *preads,
    uint64_t *scans)
{
	if (sscanf(r->err, "pagemap-dump: pid %*d: %" SCNu64 " entries read "
	    "with %" SCNu64 " preads, %" SCNu64, entries, preads,
	    scans) != 3)
		fail_msg("no stats line in: %s", r->err);
}

/* Reads the PAGEMAP_DUMP_STATS line: entries read and scan calls. */
static void
stats(const struct tl_run *r, uint64_t *entries, uint64_t *scans)
{
	uint64_t preads;

	stats3(r, entries, &preads, scans);
}

static void
should_skip_the_holes_of_a_sparse_mapping_with_pagemap_scan(void **state)
{
	const uint64_t pages = SPARSE_SIZE / (uint64_t)page;
	char range[64];
	const char *const opts[] = { "-P", "-H", "-r", range, NULL };
	struct tl_run r;
	uint64_t entries, scans;
	(void)state;

	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR,
	    child.map[SPARSE].addr, child.map[SPARSE].addr + SPARSE_SIZE);

	/* Without the scan: every entry of the reservation is read. */
	dump(&r, false, true, opts);
	stats(&r, &entries, &scans);
	assert_int_equal(tl_count_lines(r.out), SPARSE_ROWS);
	assert_int_equal(entries, pages);
	assert_int_equal(scans, 0);
	tl_run_free(&r);

	if (!tl_have_pagemap_scan())
		tl_skip("no PAGEMAP_SCAN in this kernel (before 6.7): "
		    "only the pread path was checked");
	dump(&r, true, true, opts);
	stats(&r, &entries, &scans);
	assert_int_equal(tl_count_lines(r.out), SPARSE_ROWS);
	assert_true(scans > 0);
	/* The touched pages and a probe entry: far below 1% of them all. */
	assert_true(entries < pages / 100);
	tl_run_free(&r);
}

static void
should_skip_the_holes_of_a_sparse_mapping_after_a_dense_one(void **state)
{
	const uint64_t pages = (2 * SPARSE_SIZE + (DENSE_SIZE)) / (uint64_t)page;
	char range[64];
	const char *const opts[] = { "-P", "-H", "-r", range, NULL };
	struct tl_run with, without;
	uint64_t entries, scans;
	(void)state;

	if (!tl_have_pagemap_scan())
		tl_skip("no PAGEMAP_SCAN in this kernel (before 6.7)");
	range_of(range, sizeof(range), child.map[SANDWICH_LO].addr,
	    2 * SPARSE_SIZE + (DENSE_SIZE));
	dump(&with, true, true, opts);
	stats(&with, &entries, &scans);
	/* 2000 sparse pages and 8192 dense ones, of 32Mi. */
	assert_int_equal(tl_count_lines(with.out), 2 * SPARSE_ROWS +
	    (DENSE_SIZE) / page);
	/* The dense middle may be read whole; the sparse ends must not. */
	assert_true(entries < pages / 100);
	dump(&without, false, false, opts);
	assert_string_equal(with.out, without.out);
	tl_run_free(&with);
	tl_run_free(&without);
}

/*
 * Mappings one right after another (the parts of a library) are scanned
 * as one stretch, not each apart: a call or two for the sixteen, and a
 * read for each touched page and the first entry; and plain reads cover
 * the chain in one pread. Both print what the other path prints.
 */
static void
should_read_a_chain_of_mappings_as_one_stretch(void **state)
{
	char range[64];
	const char *const opts[] = { "-P", "-H", "-o", "addr,present",
	    "-r", range, NULL };
	struct tl_run with, without;
	uint64_t entries, preads, scans;
	(void)state;

	range_of(range, sizeof(range), child.map[CHAIN].addr,
	    (NMAPS - CHAIN) * CHAIN_PAGES * (size_t)page);
	dump(&without, false, true, opts);
	stats3(&without, &entries, &preads, &scans);
	assert_int_equal(tl_count_lines(without.out), NMAPS - CHAIN);
	/* The first entry, then the rest of the chain at once. */
	assert_int_equal(preads, 2);
	assert_int_equal(entries, (NMAPS - CHAIN) * CHAIN_PAGES);
	if (!tl_have_pagemap_scan())
		tl_skip("no PAGEMAP_SCAN in this kernel (before 6.7): "
		    "only the pread path was checked");
	dump(&with, true, true, opts);
	stats3(&with, &entries, &preads, &scans);
	assert_string_equal(with.out, without.out);
	assert_true(scans >= 1 && scans <= 2);
	assert_true(preads <= NMAPS - CHAIN + 1);
	tl_run_free(&with);
	tl_run_free(&without);
}

static void
should_show_paged_out_pages_alike_on_both_paths(void **state)
{
	char range[64];
	const char *const opts[] = { "-S", "-H", "-o", "addr,swapped",
	    "-r", range, NULL };
	struct tl_run with, without;
	(void)state;

	if (!tl_swap_exists())
		tl_skip("no swap on this machine: swapped pages not "
		    "compared");
	if (!child.map[SWAPPED].pageout_ok)
		tl_skip("MADV_PAGEOUT is not supported by this kernel");
	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR,
	    child.map[SWAPPED].addr, child.map[SWAPPED].addr + 64 * (uintptr_t)page);
	dump(&with, true, false, opts);
	dump(&without, false, false, opts);
	/* 32 pages went out; every row is one of them, on both paths. */
	assert_int_equal(tl_count_lines(with.out), 32);
	assert_string_equal(with.out, without.out);
	tl_run_free(&with);
	tl_run_free(&without);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_print_the_same_rows_with_and_without_pagemap_scan),
		cmocka_unit_test(
		    should_skip_the_holes_of_a_sparse_mapping_with_pagemap_scan),
		cmocka_unit_test(
		    should_skip_the_holes_of_a_sparse_mapping_after_a_dense_one),
		cmocka_unit_test(should_read_a_chain_of_mappings_as_one_stretch),
		cmocka_unit_test(should_show_paged_out_pages_alike_on_both_paths),
	};

	if (tl_check_tool("test_scan") != 0)
		return 1;
	return cmocka_run_group_tests(tests, start_child, stop_child);
}

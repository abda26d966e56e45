/*
 * Tests for format and out: the exact text of the header and of rows for
 * every column, captured in memory (out with fd -1), and the out buffer
 * growing, flushing to a pipe and reporting a failed write.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "column.h"
#include "format.h"
#include "maps.h"
#include "out.h"
#include "pagemap.h"

/* A column of the registry, by name. */
static unsigned
col(const char *name)
{
	int i = column_find(name, strlen(name));

	assert_true(i >= 0);
	return (unsigned)i;
}

#define COL_PID col("pid")
#define COL_ADDR col("addr")
#define COL_PFN col("pfn")
#define COL_SOFT_DIRTY col("soft-dirty")
#define COL_FILE col("file")
#define COL_SWAP_OFFSET col("swap-offset")
#define COL_PADDR col("paddr")
#define COL_PERMS col("perms")
#define COL_OFFSET col("offset")
#define COL_DEV col("dev")
#define COL_INODE col("inode")
#define COL_NAME col("name")
#define COL_KFLAGS col("kflags")
#define COL_MAPCOUNT col("mapcount")
#define COL_SWAPPED col("swapped")
#define COL_PRESENT col("present")

/* Every column that the pagemap and maps tell, by name. */
static const char *const all_names[] = {
	"pid", "addr", "pfn", "soft-dirty", "file", "swapped", "present",
	"exclusive", "uffd-wp", "guard", "swap-type", "swap-offset", "paddr",
	"perms", "offset", "dev", "inode", "name",
};
#define NALL (sizeof(all_names) / sizeof(all_names[0]))

static const unsigned *
all_columns(void)
{
	static unsigned cols[NALL];
	size_t i;

	for (i = 0; i < NALL; i++)
		cols[i] = col(all_names[i]);
	return cols;
}

/* A mapping of a file, as maps_parse_line would give it. */
static struct maps_entry
mapping(uint64_t start, uint64_t end, const char *perms, uint64_t offset,
    unsigned int major, unsigned int minor, uint64_t inode,
    const char *name, size_t name_len)
{
	struct maps_entry m = {
		.start = start, .end = end, .offset = offset,
		.dev_major = major, .dev_minor = minor, .inode = inode,
		.name = name, .name_len = name_len,
	};

	memcpy(m.perms, perms, 5);
	return m;
}

#define MAPPING(start, end, perms, offset, major, minor, inode, name) \
	mapping((start), (end), (perms), (offset), (major), (minor), \
	    (inode), (name), sizeof(name) - 1)

/* The bytes out holds, as a malloc'd string. */
static char *
out_text(const struct out *out)
{
	char *s = malloc(out->len + 1);

	assert_non_null(s);
	memcpy(s, out->buf, out->len);
	s[out->len] = '\0';
	return s;
}

/*
 * Formats one row with the given columns into a small in-memory buffer
 * (so that it has to grow) and asserts its exact text.
 */
static void
assert_row(const unsigned *cols, size_t ncols,
    const struct maps_entry *map, uint64_t raw, uint64_t addr,
    uint64_t page_size, int pid, const char *want)
{
	struct pagemap_entry e;
	struct format_row row = {
		.addr = addr, .entry = &e, .map = map, .page_size = page_size,
		.pid = pid,
	};
	struct format *f;
	struct out out;
	char *got;

	pagemap_decode(raw, &e);
	assert_int_equal(out_init(&out, -1, 4), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, cols, ncols));
	assert_int_equal(format_set_mapping(f, map), 0);
	assert_int_equal(format_row(f, &out, &row), 0);
	assert_int_equal(out.error, 0);
	got = out_text(&out);
	assert_string_equal(got, want);
	free(got);
	format_free(f);
	out_free(&out);
}

static void
assert_default_row(const struct maps_entry *map, uint64_t raw, uint64_t addr,
    const char *want)
{
	assert_row(column_defaults, column_ndefaults, map, raw,
	    addr, 4096, 1, want);
}

static void
should_write_the_default_header_exactly(void **state)
{
	struct format *f;
	struct out out;
	char *got;

	(void)state;
	assert_int_equal(out_init(&out, -1, 8), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, column_defaults,
	    column_ndefaults));
	assert_int_equal(format_header(f, &out), 0);
	got = out_text(&out);
	assert_string_equal(got,
	    "addr pfn soft-dirty file/shared swapped present library\n");
	free(got);
	format_free(f);
	out_free(&out);
}

static void
should_write_the_header_of_every_column(void **state)
{
	struct format *f;
	struct out out;
	char *got;

	(void)state;
	assert_int_equal(out_init(&out, -1, 8), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, all_columns(), NALL));
	assert_int_equal(format_header(f, &out), 0);
	got = out_text(&out);
	assert_string_equal(got, "pid addr pfn soft-dirty file/shared swapped "
	    "present exclusive uffd-wp guard swap-type swap-offset paddr "
	    "perms offset dev inode library\n");
	free(got);
	format_free(f);
	out_free(&out);
}

static void
should_name_the_header_of_each_column(void **state)
{
	(void)state;
	assert_string_equal(column_table[COL_PID].header, "pid");
	assert_string_equal(column_table[COL_FILE].header, "file/shared");
	assert_string_equal(column_table[COL_SWAP_OFFSET].header,
	    "swap-offset");
	assert_string_equal(column_table[COL_NAME].header, "library");
	assert_int_equal(column_find("library", 7), -1);
	assert_int_equal(column_find("pidx", 4), -1);
}

static void
should_write_a_present_file_page_in_the_default_columns(void **state)
{
	struct maps_entry map = MAPPING(0x7f46a36e9000, 0x7f46a36ec000, "r--p",
	    0x1000, 0xfe, 0, 21656, "/usr/lib/x.so");

	(void)state;
	assert_default_row(&map, PM_PRESENT | PM_FILE_SHARED | 0x1a2b3,
	    0x7f46a36ea000, "7f46a36ea000 1a2b3 0 1 0 1 /usr/lib/x.so\n");
}

static void
should_leave_no_trailing_space_for_an_absent_anonymous_page(void **state)
{
	struct maps_entry map = MAPPING(0x7ffd12340000, 0x7ffd12360000, "rw-p",
	    0, 0, 0, 0, "");

	(void)state;
	assert_default_row(&map, 0, 0x7ffd12341000, "7ffd12341000 0 0 0 0 0\n");
}

static void
should_print_pfn_zero_for_a_swapped_page(void **state)
{
	struct maps_entry map = MAPPING(0x7f0000000000, 0x7f0000100000, "rw-p",
	    0, 0, 0, 0, "[heap]");
	uint64_t raw = PM_SWAPPED | PM_SOFT_DIRTY | (UINT64_C(0x777) << 5) | 2;

	(void)state;
	assert_default_row(&map, raw, 0x7f0000003000,
	    "7f0000003000 0 1 0 1 0 [heap]\n");
}

static void
should_keep_a_space_in_the_name(void **state)
{
	struct maps_entry map = MAPPING(0x400000, 0x401000, "r-xp", 0, 8, 1,
	    12, "/tmp/a b.so");

	(void)state;
	assert_default_row(&map, PM_PRESENT | PM_FILE_SHARED | 0x10, 0x400000,
	    "400000 10 0 1 0 1 /tmp/a b.so\n");
}

static void
should_escape_a_terminal_escape_in_the_name(void **state)
{
	struct maps_entry map = MAPPING(0x400000, 0x401000, "r-xp", 0, 8, 1,
	    12, "/tmp/\x1b]0;owned\x07\xc2\x9b" "1m");

	(void)state;
	assert_default_row(&map, PM_PRESENT | PM_FILE_SHARED | 0x10, 0x400000,
	    "400000 10 0 1 0 1 /tmp/\\033]0;owned\\007\\302\\2331m\n");
}

static void
should_keep_the_kernels_newline_escape_in_the_name(void **state)
{
	struct maps_entry map = MAPPING(0x400000, 0x401000, "r-xp", 0, 8, 1,
	    12, "/tmp/a\\012b (deleted)");

	(void)state;
	assert_default_row(&map, PM_PRESENT | 0x10, 0x400000,
	    "400000 10 0 0 0 1 /tmp/a\\012b (deleted)\n");
}

static void
should_write_every_column_of_a_present_page(void **state)
{
	struct maps_entry map = MAPPING(0x555555554000, 0x555555558000, "r-xp",
	    0x2000, 0xfe, 1, 1234567, "/usr/bin/cat");

	(void)state;
	/* offset: 0x2000 in the file + 0x2000 into the mapping. */
	assert_row(all_columns(), NALL, &map,
	    PM_PRESENT | PM_FILE_SHARED | PM_EXCLUSIVE | 0x3f00a,
	    0x555555556000, 4096, 4321,
	    "4321 555555556000 3f00a 0 1 0 1 1 0 0 0 0 3f00a000 r-xp 4000 "
	    "fe:01 1234567 /usr/bin/cat\n");
}

static void
should_write_every_column_of_a_swapped_page(void **state)
{
	struct maps_entry map = MAPPING(0x7f0000000000, 0x7f0000100000, "rw-s",
	    0, 0, 1, 2049, "[anon_shmem:x]");
	uint64_t raw = PM_SWAPPED | PM_UFFD_WP | PM_SOFT_DIRTY |
	    (UINT64_C(0x1234) << 5) | 7;

	(void)state;
	/* No PFN, so no physical address either. */
	assert_row(all_columns(), NALL, &map, raw, 0x7f0000005000, 4096, 77,
	    "77 7f0000005000 0 1 0 1 0 0 1 0 7 1234 0 rw-s 5000 00:01 2049 "
	    "[anon_shmem:x]\n");
}

static void
should_write_every_column_of_a_guard_page(void **state)
{
	struct maps_entry map = MAPPING(0x10000, 0x20000, "---p", 0, 0, 0, 0,
	    "");

	(void)state;
	/* The name is last and empty: no blank after the inode. */
	assert_row(all_columns(), NALL, &map, PM_GUARD, 0x1f000, 4096, 1,
	    "1 1f000 0 0 0 0 0 0 0 1 0 0 0 ---p f000 00:00 0\n");
}

static void
should_write_the_largest_value_of_every_column(void **state)
{
	struct maps_entry map = MAPPING(0xffffffffffff0000, UINT64_MAX, "rwxs",
	    0, 0xfff, 0xfffff, UINT64_MAX, "x");

	(void)state;
	assert_row(all_columns(), NALL, &map,
	    PM_PRESENT | PM_SOFT_DIRTY | PM_EXCLUSIVE | PM_UFFD_WP | PM_GUARD |
	    PM_FILE_SHARED | PM_PFN_MASK, 0xfffffffffffff000, 1, 4194304,
	    "4194304 fffffffffffff000 7fffffffffffff 1 1 0 1 1 1 1 0 0 "
	    "7fffffffffffff rwxs f000 fff:fffff 18446744073709551615 x\n");
	/* The last swap area's type with every special type configured. */
	assert_row(all_columns(), NALL, &map,
	    PM_SWAPPED | (PM_PFN_MASK & ~UINT64_C(31)) | 23,
	    0xffffffffffff0000, 4096, 1,
	    "1 ffffffffffff0000 0 0 0 1 0 0 0 0 23 3ffffffffffff 0 rwxs 0 "
	    "fff:fffff 18446744073709551615 x\n");
}

static void
should_compute_the_physical_address_from_the_page_size(void **state)
{
	const unsigned cols[] = { COL_PFN, COL_PADDR };
	struct maps_entry map = MAPPING(0x0, 0x100000, "rw-p", 0, 0, 0, 0, "");

	(void)state;
	assert_row(cols, 2, &map, PM_PRESENT | 0x10, 0x4000, 4096, 1,
	    "10 10000\n");
	assert_row(cols, 2, &map, PM_PRESENT | 0x10, 0x4000, 16384, 1,
	    "10 40000\n");
	assert_row(cols, 2, &map, PM_PRESENT | 0x10, 0x4000, 65536, 1,
	    "10 100000\n");
	/* PFN 0 of a present page (PFNs hidden) is paddr 0, not garbage. */
	assert_row(cols, 2, &map, PM_PRESENT, 0x4000, 4096, 1, "0 0\n");
}

static void
should_write_the_device_as_the_kernel_does(void **state)
{
	const unsigned cols[] = { COL_DEV };
	struct maps_entry map = MAPPING(0x1000, 0x2000, "r--p", 0, 0xfe, 0, 1,
	    "/x");

	(void)state;
	assert_row(cols, 1, &map, 0, 0x1000, 4096, 1, "fe:00\n");
	map.dev_major = 8;
	map.dev_minor = 17;
	assert_row(cols, 1, &map, 0, 0x1000, 4096, 1, "08:11\n");
	map.dev_major = 0;
	map.dev_minor = 0;
	assert_row(cols, 1, &map, 0, 0x1000, 4096, 1, "00:00\n");
}

static void
should_write_the_file_offset_of_each_page(void **state)
{
	const unsigned cols[] = { COL_ADDR, COL_OFFSET };
	struct maps_entry map = MAPPING(0x7f0000000000, 0x7f0000010000, "r--p",
	    0x3000, 0xfe, 0, 5, "/x");

	(void)state;
	assert_row(cols, 2, &map, 0, 0x7f0000000000, 4096, 1,
	    "7f0000000000 3000\n");
	assert_row(cols, 2, &map, 0, 0x7f000000f000, 4096, 1,
	    "7f000000f000 12000\n");
}

static void
should_write_the_permissions_of_the_mapping(void **state)
{
	const unsigned cols[] = { COL_PERMS, COL_INODE };
	struct maps_entry map = MAPPING(0x1000, 0x2000, "---s", 0, 0, 0, 0,
	    "");

	(void)state;
	assert_row(cols, 2, &map, 0, 0x1000, 4096, 1, "---s 0\n");
	memcpy(map.perms, "rwxp", 5);
	assert_row(cols, 2, &map, 0, 0x1000, 4096, 1, "rwxp 0\n");
}

static void
should_write_consecutive_addresses_across_carries_and_jumps(void **state)
{
	const unsigned cols[] = { COL_ADDR };
	static const uint64_t page_sizes[] = { 4096, 16384, 65536 };
	struct maps_entry map = MAPPING(0, UINT64_MAX, "rw-p", 0, 0, 0, 0, "");
	struct pagemap_entry e;
	struct format_row row = { .entry = &e, .map = &map };
	uint64_t addrs[12], ps;
	char want[512];
	size_t i, k, used;
	struct format *f;
	struct out out;
	char *got;

	(void)state;
	pagemap_decode(0, &e);
	for (k = 0; k < sizeof(page_sizes) / sizeof(page_sizes[0]); k++) {
		ps = page_sizes[k];
		/* Up to a new digit, a jump, a step back, the very top. */
		addrs[0] = 0x100000 - 2 * ps;
		addrs[1] = 0x100000 - ps;
		addrs[2] = 0x100000;
		addrs[3] = 0x100000 + ps;
		addrs[4] = 0x7f0000000000 - ps;
		addrs[5] = 0x7f0000000000;
		addrs[6] = 0x1000 * ps;
		addrs[7] = 0x1000 * ps + ps;
		addrs[8] = 0;
		addrs[9] = ps;
		addrs[10] = 0 - 2 * ps;
		addrs[11] = 0 - ps;
		assert_int_equal(out_init(&out, -1, 16), 0);
		assert_non_null(f = format_new(FORMAT_TEXT, cols, 1));
		assert_int_equal(format_set_mapping(f, &map), 0);
		row.page_size = ps;
		used = 0;
		for (i = 0; i < 12; i++) {
			row.addr = addrs[i];
			assert_int_equal(format_row(f, &out, &row), 0);
			used += (size_t)snprintf(want + used,
			    sizeof(want) - used, "%llx\n",
			    (unsigned long long)addrs[i]);
		}
		got = out_text(&out);
		assert_string_equal(got, want);
		free(got);
		format_free(f);
		out_free(&out);
	}
}

static void
should_use_the_name_of_the_last_mapping_set(void **state)
{
	const unsigned cols[] = { COL_ADDR, COL_NAME };
	struct maps_entry first = MAPPING(0x1000, 0x2000, "r--p", 0, 8, 1, 9,
	    "/a/rather/long/name/first.so");
	struct maps_entry second = MAPPING(0x2000, 0x3000, "r--p", 0, 8, 1,
	    10, "/b.so");
	struct maps_entry third = MAPPING(0x3000, 0x4000, "rw-p", 0, 0, 0, 0,
	    "");
	struct pagemap_entry e;
	struct format_row row = { .entry = &e, .page_size = 4096 };
	struct format *f;
	struct out out;
	char *got;

	(void)state;
	pagemap_decode(0, &e);
	assert_int_equal(out_init(&out, -1, 16), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, cols, 2));
	assert_int_equal(format_set_mapping(f, &first), 0);
	row.map = &first;
	row.addr = 0x1000;
	assert_int_equal(format_row(f, &out, &row), 0);
	assert_int_equal(format_set_mapping(f, &second), 0);
	row.map = &second;
	row.addr = 0x2000;
	assert_int_equal(format_row(f, &out, &row), 0);
	assert_int_equal(format_set_mapping(f, &third), 0);
	row.map = &third;
	row.addr = 0x3000;
	assert_int_equal(format_row(f, &out, &row), 0);
	got = out_text(&out);
	assert_string_equal(got,
	    "1000 /a/rather/long/name/first.so\n2000 /b.so\n3000\n");
	free(got);
	format_free(f);
	out_free(&out);
}

static void
should_refuse_more_columns_than_it_can_hold(void **state)
{
	unsigned cols[FORMAT_MAX_COLUMNS + 1];
	struct format *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		cols[i] = COL_ADDR;
	assert_non_null(f = format_new(FORMAT_TEXT, cols, FORMAT_MAX_COLUMNS));
	format_free(f);
	errno = 0;
	assert_null(format_new(FORMAT_TEXT, cols, FORMAT_MAX_COLUMNS + 1));
	assert_int_equal(errno, EINVAL);
	/* Nor a column the registry has not. */
	cols[0] = (unsigned)column_count;
	errno = 0;
	assert_null(format_new(FORMAT_TEXT, cols, 1));
	assert_int_equal(errno, EINVAL);
}

/* The default row of page i of a test mapping, as expected. */
static int
expected_row(char *buf, size_t len, size_t i)
{
	return snprintf(buf, len, "%llx %zx 0 1 0 1 /usr/lib/libmany.so\n",
	    (unsigned long long)(0x7f0000000000ULL + i * 4096), i + 1);
}

/* Writes n default rows of the test mapping into out. */
static void
write_rows(struct format *f, struct out *out, size_t n)
{
	static const struct maps_entry map = {
		.start = 0x7f0000000000, .end = 0x7f0100000000,
		.perms = "r--p", .name = "/usr/lib/libmany.so", .name_len = 19,
	};
	struct pagemap_entry e;
	struct format_row row = { .entry = &e, .map = &map, .page_size = 4096 };
	size_t i;

	assert_int_equal(format_set_mapping(f, &map), 0);
	for (i = 0; i < n; i++) {
		pagemap_decode(PM_PRESENT | PM_FILE_SHARED | (i + 1), &e);
		row.addr = 0x7f0000000000ULL + i * 4096;
		assert_int_equal(format_row(f, out, &row), 0);
	}
}

/* Compares the empty rows written at once with those row by row. */
static void
compare_empty_rows(enum format_kind kind, const struct maps_entry *map,
    uint64_t start, uint64_t page)
{
	struct pagemap_entry e;
	struct format_row row = { .entry = &e, .map = map, .page_size = page };
	struct out fast, slow;
	struct format *f = format_new(kind, column_defaults, column_ndefaults);
	struct format *g = format_new(kind, column_defaults, column_ndefaults);
	size_t i;

	pagemap_decode(0, &e);
	assert_non_null(f);
	assert_non_null(g);
	assert_int_equal(out_init(&fast, -1, 64), 0);
	assert_int_equal(out_init(&slow, -1, 64), 0);
	assert_int_equal(format_set_mapping(f, map), 0);
	assert_int_equal(format_set_mapping(g, map), 0);
	assert_int_equal(format_empty_rows(f, &fast, start, 3000, page), 0);
	for (i = 0; i < 3000; i++) {
		row.addr = start + i * page;
		assert_int_equal(format_row(g, &slow, &row), 0);
	}
	assert_int_equal(fast.len, slow.len);
	assert_memory_equal(fast.buf, slow.buf, fast.len);
	format_free(f);
	format_free(g);
	out_free(&fast);
	out_free(&slow);
}

/*
 * The rows of empty pages written at once are the rows format_row writes
 * for them, page by page: in each format, with a name and without (a
 * blank-split row then ends after the flags), across carries of the
 * address, from 0, with 16 KiB pages; and columns other than the default
 * ones are left to format_row.
 */
static void
should_write_empty_rows_at_once_as_row_by_row(void **state)
{
	const struct maps_entry named = { .start = 0, .end = 0x2000000,
	    .perms = "rw-p", .name = "[heap]", .name_len = 6 };
	const struct maps_entry anon = { .start = 0, .end = 0x2000000,
	    .perms = "rw-p", .name = "", .name_len = 0 };
	const enum format_kind kinds[] = { FORMAT_TEXT, FORMAT_TSV, FORMAT_CSV };
	const uint64_t runs[][2] = { { 0xffe000, 4096 }, { 0, 4096 },
	    { 0xfe0000, 16384 } };
	unsigned pfn_only[1];
	struct format *f;
	struct out out;
	size_t q, k;

	(void)state;
	for (q = 0; q < 3; q++)
		for (k = 0; k < 3; k++) {
			compare_empty_rows(kinds[k], &named, runs[q][0],
			    runs[q][1]);
			compare_empty_rows(kinds[k], &anon, runs[q][0],
			    runs[q][1]);
		}
	/* Not the default columns: nothing written, 1 said. */
	pfn_only[0] = (unsigned)column_find("pfn", 3);
	assert_int_equal(out_init(&out, -1, 64), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, pfn_only, 1));
	assert_int_equal(format_set_mapping(f, &named), 0);
	assert_int_equal(format_empty_rows(f, &out, 0x1000, 10, 4096), 1);
	assert_int_equal(out.len, 0);
	format_free(f);
	out_free(&out);
}

/* The text of the header and n rows, as expected; malloc'd. */
static char *
expected_rows(size_t n, size_t *len)
{
	static const char header[] =
	    "addr pfn soft-dirty file/shared swapped present library\n";
	size_t cap = sizeof(header) + n * 64, used = sizeof(header) - 1, i;
	char *text = malloc(cap);

	assert_non_null(text);
	memcpy(text, header, used);
	for (i = 0; i < n; i++)
		used += (size_t)expected_row(text + used, cap - used, i);
	*len = used;
	return text;
}

static void
should_grow_the_memory_buffer_for_many_rows(void **state)
{
	struct format *f;
	struct out out;
	size_t want_len;
	char *want = expected_rows(20000, &want_len);

	(void)state;
	assert_int_equal(out_init(&out, -1, 16), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, column_defaults,
	    column_ndefaults));
	assert_int_equal(format_header(f, &out), 0);
	write_rows(f, &out, 20000);
	assert_int_equal(out.error, 0);
	assert_int_equal(out.len, want_len);
	assert_true(out.cap >= out.len);
	assert_memory_equal(out.buf, want, want_len);
	/* Without a descriptor, a flush keeps everything in memory. */
	assert_int_equal(out_flush(&out), 0);
	assert_int_equal(out.len, want_len);
	free(want);
	format_free(f);
	out_free(&out);
}

static void
should_append_with_out_write(void **state)
{
	struct out out;
	char *got;

	(void)state;
	assert_int_equal(out_init(&out, -1, 2), 0);
	assert_int_equal(out_write(&out, "hello", 5), 0);
	assert_int_equal(out_write(&out, "", 0), 0);
	assert_int_equal(out_write(&out, ", world\n", 8), 0);
	got = out_text(&out);
	assert_string_equal(got, "hello, world\n");
	free(got);
	out_free(&out);
}

static void
should_reserve_room_in_a_buffer_that_started_empty(void **state)
{
	pid_t child;
	int status;

	(void)state;
	/* In a child with a time limit: a doubling loop could never end. */
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct out out;
		alarm(2);
		if (out_init(&out, -1, 0) != 0)
			_exit(0);	/* malloc(0) may give NULL: no buffer */
		if (out_write(&out, "abc", 3) != 0 || out.len != 3 ||
		    memcmp(out.buf, "abc", 3) != 0)
			_exit(1);
		out_free(&out);
		_exit(0);
	}
	assert_int_equal(waitpid(child, &status, 0), child);
	if (WIFSIGNALED(status))
		fail_msg("out_reserve on a buffer of capacity 0 did not return "
		    "(killed by signal %d)", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Reads everything from fd into a malloc'd string. */
static char *
read_all(int fd, size_t *len)
{
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap);
	ssize_t n;

	assert_non_null(buf);
	for (;;) {
		if (cap - used < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = read(fd, buf + used, cap - used - 1);
		assert_true(n >= 0);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*len = used;
	return buf;
}

static void
should_flush_rows_to_a_pipe(void **state)
{
	struct format *f;
	struct out out;
	size_t want_len, got_len;
	char *want = expected_rows(300, &want_len), *got;
	int fds[2];

	(void)state;
	/* Well under the pipe's 64 KiB, so nothing blocks without a reader. */
	assert_true(want_len < 32 * 1024);
	assert_int_equal(pipe(fds), 0);
	/* A buffer smaller than a row: it flushes, then grows. */
	assert_int_equal(out_init(&out, fds[1], 32), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, column_defaults,
	    column_ndefaults));
	assert_int_equal(format_header(f, &out), 0);
	write_rows(f, &out, 300);
	assert_int_equal(out_flush(&out), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(out.error, 0);
	close(fds[1]);
	got = read_all(fds[0], &got_len);
	close(fds[0]);
	assert_int_equal(got_len, want_len);
	assert_string_equal(got, want);
	free(got);
	free(want);
	format_free(f);
	out_free(&out);
}

/* Reads what a non-blocking fd holds now into a malloc'd string. */
static char *
read_available(int fd, size_t *len)
{
	size_t cap = 64 * 1024, used = 0;
	char *buf = malloc(cap + 1);
	ssize_t n;

	assert_non_null(buf);
	while (used < cap && (n = read(fd, buf + used, cap - used)) > 0)
		used += (size_t)n;
	buf[used] = '\0';
	*len = used;
	return buf;
}

static void
should_flush_only_between_rows(void **state)
{
	static const char header[] =
	    "addr pfn soft-dirty file/shared swapped present library\n";
	struct format *f;
	struct out out;
	size_t want_len, early_len, late_len;
	char *want = expected_rows(100, &want_len), *early, *late;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(out_init(&out, fds[1], 256), 0);
	assert_non_null(f = format_new(FORMAT_TEXT, column_defaults,
	    column_ndefaults));
	write_rows(f, &out, 100);
	/* What reached the pipe before the final flush is whole rows. */
	early = read_available(fds[0], &early_len);
	assert_true(early_len > 0);
	assert_int_equal(early[early_len - 1], '\n');
	assert_int_equal(early_len + out.len, want_len - (sizeof(header) - 1));
	assert_int_equal(out_flush(&out), 0);
	close(fds[1]);
	late = read_available(fds[0], &late_len);
	close(fds[0]);
	assert_int_equal(early_len + late_len, want_len - (sizeof(header) - 1));
	assert_memory_equal(early, want + sizeof(header) - 1, early_len);
	assert_memory_equal(late, want + sizeof(header) - 1 + early_len,
	    late_len);
	free(early);
	free(late);
	free(want);
	format_free(f);
	out_free(&out);
}

static void
should_report_a_write_to_a_closed_pipe(void **state)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	struct maps_entry map = MAPPING(0x1000, 0x2000, "r--p", 0, 0, 0, 0, "");
	struct pagemap_entry e;
	struct format_row row = {
		.addr = 0x1000, .entry = &e, .map = &map, .page_size = 4096,
	};
	struct format *f;
	struct out out;
	int fds[2];

	(void)state;
	assert_int_equal(sigaction(SIGPIPE, &ignore, &old), 0);
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	assert_int_equal(out_init(&out, fds[1], 64), 0);
	assert_int_equal(out_write(&out, "row\n", 4), 0);
	assert_int_equal(out_flush(&out), -1);
	assert_int_equal(out.error, EPIPE);
	/* The first error sticks: nothing more is taken. */
	assert_null(out_reserve(&out, 1));
	assert_int_equal(out_write(&out, "x", 1), -1);
	assert_int_equal(out_flush(&out), -1);
	pagemap_decode(0, &e);
	assert_non_null(f = format_new(FORMAT_TEXT, column_defaults,
	    column_ndefaults));
	assert_int_equal(format_set_mapping(f, &map), 0);
	assert_int_equal(format_row(f, &out, &row), -1);
	assert_int_equal(format_header(f, &out), -1);
	assert_int_equal(out.error, EPIPE);
	close(fds[1]);
	format_free(f);
	out_free(&out);
	assert_int_equal(sigaction(SIGPIPE, &old, NULL), 0);
}

/* ---- the default columns with more after them (-o +LIST) --------------- */

/*
 * Formats one row of a page at 0x7f0000001000 in kind, with the
 * kpage values given, and asserts its exact text.
 */
static void
assert_row_with(enum format_kind kind, const unsigned *cols,
    size_t ncols, const struct maps_entry *map, uint64_t raw,
    uint64_t kflags, uint64_t mapcount, const char *want)
{
	struct pagemap_entry e;
	struct format_row row = {
		.addr = 0x7f0000001000, .entry = &e, .map = map,
		.page_size = 4096, .pid = 1, .kflags = kflags,
		.mapcount = mapcount,
	};
	struct format *f;
	struct out out;
	char *got;

	pagemap_decode(raw, &e);
	assert_int_equal(out_init(&out, -1, 4), 0);
	assert_non_null(f = format_new(kind, cols, ncols));
	assert_int_equal(format_set_mapping(f, map), 0);
	assert_int_equal(format_row(f, &out, &row), 0);
	got = out_text(&out);
	assert_string_equal(got, want);
	free(got);
	format_free(f);
	out_free(&out);
}

/* The default columns, then kflags and mapcount: -o +kflags,mapcount. */
static const unsigned *
plus_kpage(void)
{
	static unsigned cols[9];

	memcpy(cols, column_defaults, 7 * sizeof(cols[0]));
	cols[7] = COL_KFLAGS;
	cols[8] = COL_MAPCOUNT;
	return cols;
}
#define PLUS_KPAGE 9

/* lru and anon, bits 5 and 12 of /proc/kpageflags. */
#define LRU_ANON ((UINT64_C(1) << 5) | (UINT64_C(1) << 12))

static void
should_write_the_columns_after_the_default_ones_in_text(void **state)
{
	struct maps_entry m = MAPPING(0x7f0000000000, 0x7f0000002000, "r--p",
	    0, 8, 1, 42, "/lib/x.so");
	(void)state;

	assert_row_with(FORMAT_TEXT, plus_kpage(), PLUS_KPAGE, &m,
	    PM_PRESENT | PM_FILE_SHARED | 0x1234, LRU_ANON, 3,
	    "7f0000001000 1234 0 1 0 1 /lib/x.so lru,anon 3\n");
}

static void
should_keep_an_empty_name_as_a_field_when_columns_follow_it(void **state)
{
	struct maps_entry m = MAPPING(0x7f0000000000, 0x7f0000002000, "rw-p",
	    0, 0, 0, 0, "");
	(void)state;

	/*
	 * Not present: no flags and a count of 0. In text an empty name
	 * with columns after it is "-", like empty flags, so that a row
	 * split at blanks has as many fields as any other.
	 */
	assert_row_with(FORMAT_TEXT, plus_kpage(), PLUS_KPAGE, &m, 0, 0, 0,
	    "7f0000001000 0 0 0 0 0 - - 0\n");
	assert_row_with(FORMAT_TSV, plus_kpage(), PLUS_KPAGE, &m, 0, 0, 0,
	    "7f0000001000\t0\t0\t0\t0\t0\t\t\t0\n");
}

static void
should_escape_the_blanks_of_a_name_that_columns_follow_in_text(void **state)
{
	const unsigned name_first[] = { COL_NAME, COL_ADDR };
	const unsigned name_last[] = { COL_ADDR, COL_NAME };
	struct maps_entry m = MAPPING(0x7f0000000000, 0x7f0000002000, "r--p",
	    0, 8, 1, 42, "/tmp/a b (deleted)");
	(void)state;

	/* Followed by columns: one field, its blanks as octal escapes. */
	assert_row_with(FORMAT_TEXT, plus_kpage(), PLUS_KPAGE, &m,
	    PM_PRESENT | 0x1234, LRU_ANON, 3,
	    "7f0000001000 1234 0 0 0 1 /tmp/a\\040b\\040(deleted) "
	    "lru,anon 3\n");
	assert_row_with(FORMAT_TEXT, name_first, 2, &m, PM_PRESENT | 0x1234,
	    0, 0, "/tmp/a\\040b\\040(deleted) 7f0000001000\n");
	/* Last, it is the rest of the line, blanks and all. */
	assert_row_with(FORMAT_TEXT, name_last, 2, &m, PM_PRESENT | 0x1234,
	    0, 0, "7f0000001000 /tmp/a b (deleted)\n");
	/* Other formats separate fields with what a name cannot hold. */
	assert_row_with(FORMAT_TSV, name_first, 2, &m, PM_PRESENT | 0x1234,
	    0, 0, "/tmp/a b (deleted)\t7f0000001000\n");
}

static void
should_give_every_text_row_as_many_fields_for_one_column_list(void **state)
{
	const char *const names[] = {
		"", "/lib/x.so", "/tmp/a b", " lead", "trail ", "[heap]",
		"two  blanks",
	};
	const unsigned cols[] = {
		COL_PID, COL_NAME, COL_ADDR, COL_NAME, COL_KFLAGS, COL_NAME,
		COL_PFN,
	};
	struct pagemap_entry e;
	struct format_row row = {
		.addr = 0x7f0000001000, .entry = &e, .page_size = 4096,
		.pid = 1,
	};
	struct format *f;
	struct out out;
	size_t i, fields;
	char *got, *p;
	(void)state;

	pagemap_decode(PM_PRESENT | 5, &e);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct maps_entry m = mapping(0x7f0000000000, 0x7f0000002000,
		    "r--p", 0, 8, 1, 42, names[i], strlen(names[i]));
		row.map = &m;
		assert_int_equal(out_init(&out, -1, 4), 0);
		assert_non_null(f = format_new(FORMAT_TEXT, cols, 7));
		assert_int_equal(format_set_mapping(f, &m), 0);
		assert_int_equal(format_row(f, &out, &row), 0);
		got = out_text(&out);
		/* Fields as awk counts them: runs of non-blanks. */
		fields = 0;
		for (p = got; *p != '\0'; p++)
			fields += *p != ' ' && *p != '\n' &&
			    (p == got || p[-1] == ' ');
		if (fields != 7)
			fail_msg("name '%s': %zu fields in '%s'", names[i],
			    fields, got);
		free(got);
		format_free(f);
		out_free(&out);
	}
}

static void
should_quote_the_flags_after_the_default_columns_in_csv(void **state)
{
	struct maps_entry m = MAPPING(0x7f0000000000, 0x7f0000002000, "r--p",
	    0, 8, 1, 42, "/lib/a,b.so");
	(void)state;

	assert_row_with(FORMAT_CSV, plus_kpage(), PLUS_KPAGE, &m,
	    PM_PRESENT | PM_EXCLUSIVE | 0xabc, LRU_ANON, 1,
	    "7f0000001000,abc,0,0,0,1,\"/lib/a,b.so\",\"lru,anon\",1\n");
	assert_row_with(FORMAT_TSV, plus_kpage(), PLUS_KPAGE, &m,
	    PM_PRESENT | PM_EXCLUSIVE | 0xabc, LRU_ANON, 1,
	    "7f0000001000\tabc\t0\t0\t0\t1\t/lib/a,b.so\tlru,anon\t1\n");
}

static void
should_write_repeated_columns_after_the_default_ones(void **state)
{
	const unsigned cols[] = {
		COL_ADDR, COL_PFN, COL_SOFT_DIRTY, COL_FILE, COL_SWAPPED,
		COL_PRESENT, COL_NAME, COL_NAME, COL_ADDR, COL_PFN,
	};
	struct maps_entry m = MAPPING(0x7f0000000000, 0x7f0000002000, "r--p",
	    0, 8, 1, 42, "/lib/x.so");
	(void)state;

	assert_row_with(FORMAT_TEXT, cols, 10, &m, PM_PRESENT | 0x77, 0, 0,
	    "7f0000001000 77 0 0 0 1 /lib/x.so /lib/x.so 7f0000001000 77\n");
}

static void
should_write_the_default_columns_with_more_in_json_by_name(void **state)
{
	struct maps_entry m = MAPPING(0x7f0000000000, 0x7f0000002000, "r--p",
	    0, 8, 1, 42, "/lib/x.so");
	(void)state;

	assert_row_with(FORMAT_JSON, plus_kpage(), PLUS_KPAGE, &m,
	    PM_PRESENT | 0x1234, LRU_ANON, 2,
	    "{\"addr\":\"0x7f0000001000\",\"pfn\":\"0x1234\","
	    "\"soft-dirty\":false,\"file\":false,\"swapped\":false,"
	    "\"present\":true,\"name\":\"/lib/x.so\",\"kflags\":\"lru,anon\","
	    "\"mapcount\":2}\n");
}

static void
should_write_the_flags_of_each_row_however_they_alternate(void **state)
{
	const unsigned cols[] = { COL_KFLAGS };
	/* More distinct values than the formatter keeps, and repeats. */
	const uint64_t seq[] = {
		LRU_ANON, LRU_ANON | (UINT64_C(1) << 25), LRU_ANON, 0,
		UINT64_C(1) << 22, UINT64_C(1) << 11, UINT64_C(1) << 30,
		LRU_ANON | (UINT64_C(1) << 25), 0, LRU_ANON,
	};
	const char *const text[] = {
		"lru,anon", "lru,anon,idle", "lru,anon", "-", "thp", "mmap",
		"bit30", "lru,anon,idle", "-", "lru,anon",
	};
	const enum format_kind kinds[] = { FORMAT_TEXT, FORMAT_CSV };
	struct maps_entry m = MAPPING(0x7f0000000000, 0x7f0000002000, "rw-p",
	    0, 0, 0, 0, "");
	struct pagemap_entry e;
	struct format_row row = {
		.addr = 0x7f0000001000, .entry = &e, .map = &m,
		.page_size = 4096, .pid = 1,
	};
	char want[512], *got;
	size_t i, k, used;
	struct format *f;
	struct out out;
	(void)state;

	pagemap_decode(PM_PRESENT | 1, &e);
	for (k = 0; k < 2; k++) {
		assert_int_equal(out_init(&out, -1, 4), 0);
		assert_non_null(f = format_new(kinds[k], cols, 1));
		assert_int_equal(format_set_mapping(f, &m), 0);
		used = 0;
		for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
			row.kflags = seq[i];
			assert_int_equal(format_row(f, &out, &row), 0);
			if (kinds[k] == FORMAT_TEXT)
				used += (size_t)snprintf(want + used,
				    sizeof(want) - used, "%s\n", text[i]);
			else if (seq[i] == 0)	/* empty, unquoted */
				used += (size_t)snprintf(want + used,
				    sizeof(want) - used, "\n");
			else
				used += (size_t)snprintf(want + used,
				    sizeof(want) - used, "\"%s\"\n", text[i]);
		}
		got = out_text(&out);
		assert_string_equal(got, want);
		free(got);
		format_free(f);
		out_free(&out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_write_the_default_header_exactly),
		cmocka_unit_test(should_write_the_columns_after_the_default_ones_in_text),
		cmocka_unit_test(should_keep_an_empty_name_as_a_field_when_columns_follow_it),
		cmocka_unit_test(should_escape_the_blanks_of_a_name_that_columns_follow_in_text),
		cmocka_unit_test(should_give_every_text_row_as_many_fields_for_one_column_list),
		cmocka_unit_test(should_quote_the_flags_after_the_default_columns_in_csv),
		cmocka_unit_test(should_write_repeated_columns_after_the_default_ones),
		cmocka_unit_test(should_write_the_default_columns_with_more_in_json_by_name),
		cmocka_unit_test(should_write_the_flags_of_each_row_however_they_alternate),
		cmocka_unit_test(should_write_the_header_of_every_column),
		cmocka_unit_test(should_name_the_header_of_each_column),
		cmocka_unit_test(should_write_a_present_file_page_in_the_default_columns),
		cmocka_unit_test(should_leave_no_trailing_space_for_an_absent_anonymous_page),
		cmocka_unit_test(should_print_pfn_zero_for_a_swapped_page),
		cmocka_unit_test(should_keep_a_space_in_the_name),
		cmocka_unit_test(should_escape_a_terminal_escape_in_the_name),
		cmocka_unit_test(should_keep_the_kernels_newline_escape_in_the_name),
		cmocka_unit_test(should_write_every_column_of_a_present_page),
		cmocka_unit_test(should_write_every_column_of_a_swapped_page),
		cmocka_unit_test(should_write_every_column_of_a_guard_page),
		cmocka_unit_test(should_write_the_largest_value_of_every_column),
		cmocka_unit_test(should_compute_the_physical_address_from_the_page_size),
		cmocka_unit_test(should_write_the_device_as_the_kernel_does),
		cmocka_unit_test(should_write_the_file_offset_of_each_page),
		cmocka_unit_test(should_write_the_permissions_of_the_mapping),
		cmocka_unit_test(should_write_consecutive_addresses_across_carries_and_jumps),
		cmocka_unit_test(should_use_the_name_of_the_last_mapping_set),
		cmocka_unit_test(should_refuse_more_columns_than_it_can_hold),
		cmocka_unit_test(should_grow_the_memory_buffer_for_many_rows),
		cmocka_unit_test(should_append_with_out_write),
		cmocka_unit_test(should_reserve_room_in_a_buffer_that_started_empty),
		cmocka_unit_test(should_flush_rows_to_a_pipe),
		cmocka_unit_test(should_write_empty_rows_at_once_as_row_by_row),
		cmocka_unit_test(should_flush_only_between_rows),
		cmocka_unit_test(should_report_a_write_to_a_closed_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

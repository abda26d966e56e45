/*
 * Tests for kpage's batched lookups by PFN (its names are tested in
 * test_kpage_names.c), run against synthetic files (memfds) that stand
 * in for /proc/kpageflags, /proc/kpagecount and /proc/kpagecgroup. Every
 * looked-up value is checked against a model of those files, and the
 * preads that kpage makes are counted by a pread defined here, which the
 * linker prefers to the C library's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kpage.h"
#include "pagemap.h"

/* ---- counting preads --------------------------------------------------- */

#define MAX_FDS 1024

/* Whether kpage's preads come here (found by check_counting). */
static bool counting;

static struct {
	unsigned long calls;
	uint64_t bytes;		/* asked for */
	size_t largest;		/* the largest single pread, in bytes */
} preads[MAX_FDS];

/*
 * Every pread of the test binary comes here (kpage.o's included); it
 * counts, then does what the C library would.
 */
ssize_t
pread(int fd, void *buf, size_t count, off_t offset)
{
	if (fd >= 0 && fd < MAX_FDS) {
		preads[fd].calls++;
		preads[fd].bytes += count;
		if (count > preads[fd].largest)
			preads[fd].largest = count;
	}
	return (ssize_t)syscall(SYS_pread64, fd, buf, count, offset);
}

static void
reset_preads(void)
{
	memset(preads, 0, sizeof(preads));
}

#define BIT(n) (UINT64_C(1) << (n))

/* ---- kpage_lookup against synthetic files ------------------------------ */

/* PFNs 0..FILE_PFNS-1 have a value in each file; the files end there. */
#define FILE_PFNS 16384
#define BATCH 16384

struct fixture {
	struct kpage k;
	int fd[KPAGE_FILES];	/* as given to kpage (it closes them) */
	uint64_t *out[KPAGE_FILES];
};

/* The value of file f at pfn: never zero, different in every file. */
static uint64_t
value(int f, uint64_t pfn)
{
	return (UINT64_C(0x9e3779b97f4a7c15) * (pfn + 1)) ^
	    ((uint64_t)(f + 1) << 61) ^ ((uint64_t)(f + 1) << 8) ^ pfn;
}

/* A memfd holding value(f, pfn) at offset pfn * 8 for every PFN. */
static int
make_file(int f)
{
	uint64_t *v = malloc(FILE_PFNS * sizeof(*v));
	int fd = memfd_create("kpage", MFD_CLOEXEC);
	size_t i;

	assert_non_null(v);
	assert_true(fd >= 0 && fd < MAX_FDS);
	for (i = 0; i < FILE_PFNS; i++)
		v[i] = value(f, i);
	assert_int_equal(write(fd, v, FILE_PFNS * sizeof(*v)),
	    FILE_PFNS * sizeof(*v));
	free(v);
	return fd;
}

static int
setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	int f;

	if (x == NULL)
		return -1;
	for (f = 0; f < KPAGE_FILES; f++) {
		x->fd[f] = make_file(f);
		x->out[f] = malloc(BATCH * sizeof(uint64_t));
		if (x->out[f] == NULL)
			return -1;
	}
	if (kpage_init(&x->k, x->fd[KPAGE_FLAGS], x->fd[KPAGE_COUNT],
	    x->fd[KPAGE_CGROUP], BATCH) != 0)
		return -1;
	reset_preads();
	*state = x;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *x = *state;
	int f;

	kpage_free(&x->k);
	for (f = 0; f < KPAGE_FILES; f++)
		free(x->out[f]);
	free(x);
	return 0;
}

/* A present pagemap entry of pfn, with some other bits set. */
static uint64_t
present(uint64_t pfn)
{
	return PM_PRESENT | PM_EXCLUSIVE | PM_SOFT_DIRTY | pfn;
}

/* What a file should give for an entry: its value, or 0. */
static uint64_t
expected(int f, uint64_t entry)
{
	uint64_t pfn = entry & PM_PFN_MASK;

	if (!(entry & PM_PRESENT) || pfn == 0 || pfn >= FILE_PFNS)
		return 0;
	return value(f, pfn);
}

/*
 * Looks the entries up in the files of mask (1 << file), with the output
 * arrays filled with garbage first, and checks every value.
 */
static void
lookup_files(struct fixture *x, const uint64_t *entries, size_t n,
    unsigned int mask)
{
	uint64_t *out[KPAGE_FILES];
	enum kpage_file failed = KPAGE_FILES;
	size_t i;
	int f;

	assert_true(n <= BATCH);
	for (f = 0; f < KPAGE_FILES; f++) {
		out[f] = mask & (1u << f) ? x->out[f] : NULL;
		memset(x->out[f], 0xa5, BATCH * sizeof(uint64_t));
	}
	reset_preads();
	if (kpage_lookup(&x->k, entries, n, out, &failed) != 0)
		fail_msg("kpage_lookup failed: %s (file %d)", strerror(errno),
		    (int)failed);
	for (f = 0; f < KPAGE_FILES; f++) {
		if (!(mask & (1u << f))) {
			/* Not wanted: not read, and its array untouched. */
			if (counting)
				assert_int_equal(preads[x->fd[f]].calls, 0);
			if (n > 0)
				assert_int_equal(x->out[f][0],
				    UINT64_C(0xa5a5a5a5a5a5a5a5));
			continue;
		}
		for (i = 0; i < n; i++)
			if (x->out[f][i] != expected(f, entries[i]))
				fail_msg("file %d, entry %zu (0x%" PRIx64 "): "
				    "0x%" PRIx64 ", want 0x%" PRIx64, f, i,
				    entries[i], x->out[f][i],
				    expected(f, entries[i]));
	}
}

static void
lookup(struct fixture *x, const uint64_t *entries, size_t n)
{
	lookup_files(x, entries, n, (1u << KPAGE_FILES) - 1);
}

/*
 * Asserts the preads of the last lookup: calls per wanted file, and that
 * none read more than KPAGE_RUN values. The count only holds when no
 * window reaches past the end of the files (a short read is retried).
 */
static void
assert_preads(const struct fixture *x, unsigned long calls)
{
	int f;

	if (!counting)
		return;
	for (f = 0; f < KPAGE_FILES; f++) {
		if (preads[x->fd[f]].calls != calls)
			fail_msg("file %d: %lu preads, want %lu", f,
			    preads[x->fd[f]].calls, calls);
		assert_true(preads[x->fd[f]].largest <= KPAGE_RUN * 8);
	}
}

/* Asserts the values read per file (in entries), windows included. */
static void
assert_read(const struct fixture *x, uint64_t values)
{
	int f;

	if (!counting)
		return;
	for (f = 0; f < KPAGE_FILES; f++)
		if (preads[x->fd[f]].bytes != values * 8)
			fail_msg("file %d: %" PRIu64 " bytes read, want %"
			    PRIu64, f, preads[x->fd[f]].bytes, values * 8);
}

static void
should_read_one_page_with_one_pread_per_file(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { present(4242) };

	lookup(x, e, 1);
	assert_int_equal(x->out[KPAGE_FLAGS][0], value(KPAGE_FLAGS, 4242));
	assert_int_equal(x->out[KPAGE_COUNT][0], value(KPAGE_COUNT, 4242));
	assert_int_equal(x->out[KPAGE_CGROUP][0], value(KPAGE_CGROUP, 4242));
	assert_preads(x, 1);
	assert_read(x, 1);
}

static void
should_look_up_ascending_pfns_with_one_pread_per_file(void **state)
{
	struct fixture *x = *state;
	uint64_t e[100];
	size_t i;

	for (i = 0; i < 100; i++)
		e[i] = present(1000 + i);
	lookup(x, e, 100);
	assert_preads(x, 1);
	assert_read(x, 100);
}

static void
should_look_up_descending_pfns_with_one_pread_per_file(void **state)
{
	struct fixture *x = *state;
	uint64_t e[100];
	size_t i;

	for (i = 0; i < 100; i++)
		e[i] = present(1099 - i);
	lookup(x, e, 100);
	assert_preads(x, 1);
	assert_read(x, 100);
}

static void
should_look_up_scattered_pfns_each_in_its_own_window(void **state)
{
	struct fixture *x = *state;
	/* Windows: 5-6, 4100, 9000-9001, 12000, 16383. */
	const uint64_t e[] = {
		present(9000), present(5), present(12000), present(4100),
		present(9001), present(6), present(16383),
	};

	lookup(x, e, sizeof(e) / sizeof(e[0]));
	assert_preads(x, 5);
	assert_read(x, 2 + 1 + 2 + 1 + 1);
}

static void
should_give_duplicated_pfns_the_same_values(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = {
		present(500), present(500), present(501), present(500),
		present(7000), present(500), present(7000),
	};

	lookup(x, e, sizeof(e) / sizeof(e[0]));
	assert_preads(x, 2);
	assert_read(x, 2 + 1);
}

static void
should_read_zero_beyond_the_end_of_the_files(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = {
		present(FILE_PFNS - 2), present(FILE_PFNS - 1),
		present(FILE_PFNS), present(FILE_PFNS + 1),
		present(FILE_PFNS + 100000), present(UINT64_C(1) << 40),
		present(PM_PFN_MASK), present(FILE_PFNS - 3),
	};

	lookup(x, e, sizeof(e) / sizeof(e[0]));
	assert_true(x->out[KPAGE_FLAGS][0] != 0);
	assert_int_equal(x->out[KPAGE_FLAGS][2], 0);
	assert_int_equal(x->out[KPAGE_COUNT][6], 0);
}

static void
should_read_zero_for_a_window_wholly_beyond_the_end(void **state)
{
	struct fixture *x = *state;
	uint64_t e[64];
	size_t i;

	for (i = 0; i < 64; i++)
		e[i] = present(FILE_PFNS + 10 + i);
	lookup(x, e, 64);
	for (i = 0; i < 64; i++)
		assert_int_equal(x->out[KPAGE_CGROUP][i], 0);
}

static void
should_give_zero_to_absent_and_swapped_pages_without_reading(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = {
		0,
		1000,				/* PFN bits, no present bit */
		PM_SWAPPED | (1000 << PM_SWAP_TYPE_BITS) | 3,
		PM_SWAPPED | PM_EXCLUSIVE | 1001,
		PM_SOFT_DIRTY | PM_FILE_SHARED | 1002,
		PM_SOFT_DIRTY,
	};

	lookup(x, e, sizeof(e) / sizeof(e[0]));
	assert_preads(x, 0);
}

static void
should_give_zero_to_absent_pages_between_present_ones(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = {
		present(2000), 0, PM_SWAPPED | 2001, present(2002), 2003,
		present(2004), PM_SWAPPED | (2005 << PM_SWAP_TYPE_BITS),
	};

	lookup(x, e, sizeof(e) / sizeof(e[0]));
	assert_preads(x, 1);
	assert_read(x, 5);
}

static void
should_give_zero_to_pfn_zero_without_reading(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { present(0), PM_PRESENT, present(0) };

	assert_true(value(KPAGE_FLAGS, 0) != 0);	/* the file has one */
	lookup(x, e, 3);
	assert_preads(x, 0);
}

static void
should_give_zero_to_pfn_zero_among_present_pages(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { present(1), present(0), present(2) };

	lookup(x, e, 3);
	assert_preads(x, 1);
}

/* Frames themselves (--physical): PFN 0 is frame 0, and is read. */
static void
should_read_frame_zero_when_the_entries_are_frames(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { present(0), present(1), PM_PRESENT | 2 };
	uint64_t *out[KPAGE_FILES];
	enum kpage_file failed;
	size_t i;
	int f;

	x->k.frames = true;
	for (f = 0; f < KPAGE_FILES; f++)
		out[f] = x->out[f];
	assert_int_equal(kpage_lookup(&x->k, e, 3, out, &failed), 0);
	for (f = 0; f < KPAGE_FILES; f++)
		for (i = 0; i < 3; i++)
			if (x->out[f][i] != value(f, i))
				fail_msg("file %d, frame %zu: 0x%" PRIx64 ", "
				    "want 0x%" PRIx64, f, i, x->out[f][i],
				    value(f, i));
}

static void
should_look_up_nothing_for_an_empty_batch(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { present(1) };

	lookup(x, e, 0);
	assert_preads(x, 0);
}

static void
should_split_an_ascending_run_longer_than_kpage_run(void **state)
{
	struct fixture *x = *state;
	const size_t n = 2 * KPAGE_RUN + 1000;
	uint64_t *e = malloc(n * sizeof(*e));
	size_t i;

	assert_non_null(e);
	for (i = 0; i < n; i++)
		e[i] = present(1 + i);
	lookup(x, e, n);
	assert_preads(x, 3);
	assert_read(x, n);
	free(e);
}

static void
should_split_a_descending_run_longer_than_kpage_run(void **state)
{
	struct fixture *x = *state;
	const size_t n = 2 * KPAGE_RUN + 1000;
	uint64_t *e = malloc(n * sizeof(*e));
	size_t i;

	assert_non_null(e);
	for (i = 0; i < n; i++)
		e[i] = present(n - i);
	lookup(x, e, n);
	assert_preads(x, 3);
	assert_read(x, n);
	free(e);
}

static void
should_read_a_run_of_exactly_kpage_run_pfns_with_one_pread(void **state)
{
	struct fixture *x = *state;
	uint64_t *e = malloc((KPAGE_RUN + 1) * sizeof(*e));
	size_t i;

	assert_non_null(e);
	for (i = 0; i < KPAGE_RUN; i++)
		e[i] = present(100 + i);
	lookup(x, e, KPAGE_RUN);
	assert_preads(x, 1);
	assert_read(x, KPAGE_RUN);
	/* One more PFN and the window would be too long. */
	e[KPAGE_RUN] = present(100 + KPAGE_RUN);
	lookup(x, e, KPAGE_RUN + 1);
	assert_preads(x, 2);
	assert_read(x, KPAGE_RUN + 1);
	free(e);
}

static void
should_read_pfns_kpage_gap_apart_together(void **state)
{
	struct fixture *x = *state;
	const uint64_t up[] = { present(100), present(100 + KPAGE_GAP) };
	const uint64_t down[] = { present(100 + KPAGE_GAP), present(100) };
	const uint64_t below[] = {
		present(300), present(300 + KPAGE_GAP - 1), present(301),
	};

	lookup(x, up, 2);
	assert_preads(x, 1);
	assert_read(x, KPAGE_GAP + 1);
	lookup(x, down, 2);
	assert_preads(x, 1);
	assert_read(x, KPAGE_GAP + 1);
	lookup(x, below, 3);
	assert_preads(x, 1);
	assert_read(x, KPAGE_GAP);
}

static void
should_read_pfns_more_than_kpage_gap_apart_separately(void **state)
{
	struct fixture *x = *state;
	const uint64_t up[] = { present(100), present(100 + KPAGE_GAP + 1) };
	const uint64_t down[] = {
		present(100 + KPAGE_GAP + 1), present(100),
	};

	lookup(x, up, 2);
	assert_preads(x, 2);
	assert_read(x, 2);
	lookup(x, down, 2);
	assert_preads(x, 2);
	assert_read(x, 2);
}

static void
should_join_nearby_runs_that_are_apart_in_virtual_order(void **state)
{
	struct fixture *x = *state;
	const uint64_t near[] = {
		present(100), present(101), present(5000),
		present(101 + KPAGE_GAP), present(5001),
	};
	const uint64_t far[] = {
		present(100), present(101), present(5000),
		present(101 + KPAGE_GAP + 1), present(5001),
	};

	lookup(x, near, 5);
	assert_preads(x, 2);
	assert_read(x, KPAGE_GAP + 2 + 2);
	lookup(x, far, 5);
	assert_preads(x, 3);
	assert_read(x, 2 + 1 + 2);
}

static void
should_look_up_a_random_mix_exactly(void **state)
{
	struct fixture *x = *state;
	uint64_t *e = malloc(BATCH * sizeof(*e)), seed = 42, pfn = 1;
	size_t i;

	assert_non_null(e);
	for (i = 0; i < BATCH; i++) {
		seed = seed * UINT64_C(6364136223846793005) +
		    UINT64_C(1442695040888963407);
		switch (seed >> 61) {
		case 0:		/* a jump anywhere, sometimes past the end */
			pfn = (seed >> 20) % (FILE_PFNS + 300);
			break;
		case 1:		/* a small jump down */
			pfn = pfn > 40 ? pfn - (seed >> 40) % 40 : pfn + 1;
			break;
		default:	/* the next page, or one close by */
			pfn += 1 + (seed >> 50) % 3 * (seed >> 60 & 1);
			break;
		}
		if ((seed >> 33) % 7 == 0)
			e[i] = 0;
		else if ((seed >> 33) % 7 == 1)
			e[i] = PM_SWAPPED | pfn << PM_SWAP_TYPE_BITS;
		else
			e[i] = present(pfn);
	}
	lookup(x, e, BATCH);
	free(e);
}

static void
should_leave_out_the_files_not_wanted(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { present(10), present(11), 0, present(9000) };

	lookup_files(x, e, 4, 1u << KPAGE_FLAGS | 1u << KPAGE_CGROUP);
	lookup_files(x, e, 4, 1u << KPAGE_COUNT);
	lookup_files(x, e, 4, 0);
}

static void
should_look_up_only_the_files_it_was_given(void **state)
{
	struct kpage k;
	uint64_t flags[2], *out[KPAGE_FILES] = { flags, NULL, NULL };
	const uint64_t e[] = { present(77), present(78) };
	enum kpage_file failed;
	(void)state;

	assert_int_equal(kpage_init(&k, make_file(KPAGE_FLAGS), -1, -1, 2), 0);
	assert_int_equal(kpage_lookup(&k, e, 2, out, &failed), 0);
	assert_int_equal(flags[0], value(KPAGE_FLAGS, 77));
	assert_int_equal(flags[1], value(KPAGE_FLAGS, 78));
	kpage_free(&k);
	assert_int_equal(k.fd[KPAGE_FLAGS], -1);
}

static void
should_say_which_file_could_not_be_read(void **state)
{
	struct kpage k;
	uint64_t a[1], b[1], c[1], *out[KPAGE_FILES] = { a, b, c };
	const uint64_t e[] = { present(77) };
	enum kpage_file failed = KPAGE_FILES;
	int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	(void)state;

	assert_true(dir >= 0);
	assert_int_equal(kpage_init(&k, make_file(KPAGE_FLAGS), dir,
	    make_file(KPAGE_CGROUP), 1), 0);
	errno = 0;
	assert_int_equal(kpage_lookup(&k, e, 1, out, &failed), -1);
	assert_int_equal(errno, EISDIR);
	assert_int_equal(failed, KPAGE_COUNT);
	kpage_free(&k);
}
static void
should_sort_pfns_of_every_size_into_their_windows(void **state)
{
	struct fixture *x = *state;
	/* PFNs whose bytes differ from the lowest to the highest. */
	const uint64_t pfn[] = {
		(UINT64_C(1) << 40) + 5, 3, UINT64_C(1) << 33, 100,
		(UINT64_C(1) << 40) + 1, 0x3456, 0x3401, UINT64_C(0x7fffffffff),
		0x1ff, 0x200, 7, (UINT64_C(1) << 24) + 9, 0x3455,
	};
	uint64_t e[sizeof(pfn) / sizeof(pfn[0])];
	size_t i, n = sizeof(pfn) / sizeof(pfn[0]);

	for (i = 0; i < n; i++)
		e[i] = present(pfn[i]);
	/* Checks every value: beyond the files' end they read 0. */
	lookup(x, e, n);
	for (i = 0; i < n; i++)
		if (pfn[i] < FILE_PFNS)
			assert_int_equal(x->out[KPAGE_FLAGS][i],
			    value(KPAGE_FLAGS, pfn[i]));
}

/* ---- counts known without a read ---------------------------------------- */

/* A present entry of pfn, exclusively mapped (bit 56) or not. */
static uint64_t
mapped(uint64_t pfn, bool exclusive)
{
	return PM_PRESENT | (exclusive ? PM_EXCLUSIVE : 0) | pfn;
}

/* Writes flags as the kpageflags value of pfn in the fixture's file. */
static void
set_flags(struct fixture *x, uint64_t pfn, uint64_t flags)
{
	assert_int_equal(pwrite(x->fd[KPAGE_FLAGS], &flags, 8,
	    (off_t)(pfn * 8)), 8);
}

/*
 * Looks up entries in the files of mask under rule; the arrays are
 * filled with garbage first, the preads counted from zero.
 */
static void
lookup_rule(struct fixture *x, enum kpage_count_rule rule,
    const uint64_t *entries, size_t n, unsigned int mask)
{
	uint64_t *out[KPAGE_FILES];
	enum kpage_file failed = KPAGE_FILES;
	int f;

	for (f = 0; f < KPAGE_FILES; f++) {
		out[f] = mask & (1u << f) ? x->out[f] : NULL;
		memset(x->out[f], 0xa5, BATCH * sizeof(uint64_t));
	}
	x->k.count_rule = rule;
	memset(x->k.preads, 0, sizeof(x->k.preads));
	reset_preads();
	if (kpage_lookup(&x->k, entries, n, out, &failed) != 0)
		fail_msg("kpage_lookup failed: %s (file %d)", strerror(errno),
		    (int)failed);
}

/* Asserts the preads of file f in the last lookup, when they are counted. */
static void
assert_file_preads(const struct fixture *x, int f, unsigned long calls)
{
	if (counting && preads[x->fd[f]].calls != calls)
		fail_msg("file %d: %lu preads, want %lu", f,
		    preads[x->fd[f]].calls, calls);
	/* kpage's own count, for PAGEMAP_DUMP_STATS, agrees. */
	assert_int_equal(x->k.preads[f], calls);
}

#define COUNT_ONLY (1u << KPAGE_COUNT)
#define FLAGS_AND_COUNT (1u << KPAGE_FLAGS | 1u << KPAGE_COUNT)

static void
should_read_the_count_of_an_exclusive_page_by_default(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { mapped(100, true), mapped(5000, false) };

	assert_int_equal(x->k.count_rule, KPAGE_COUNT_READ);
	lookup_rule(x, KPAGE_COUNT_READ, e, 2, COUNT_ONLY);
	assert_int_equal(x->out[KPAGE_COUNT][0], value(KPAGE_COUNT, 100));
	assert_int_equal(x->out[KPAGE_COUNT][1], value(KPAGE_COUNT, 5000));
	assert_file_preads(x, KPAGE_COUNT, 2);
}

static void
should_count_exclusive_pages_once_without_reading_when_told_to(
    void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = {
		mapped(100, true), mapped(5000, false), PM_SWAPPED | 77, 0,
		mapped(9000, true), mapped(5001, false),
	};

	lookup_rule(x, KPAGE_COUNT_EXCLUSIVE, e, 6, COUNT_ONLY);
	assert_int_equal(x->out[KPAGE_COUNT][0], 1);
	assert_int_equal(x->out[KPAGE_COUNT][1], value(KPAGE_COUNT, 5000));
	assert_int_equal(x->out[KPAGE_COUNT][2], 0);
	assert_int_equal(x->out[KPAGE_COUNT][3], 0);
	assert_int_equal(x->out[KPAGE_COUNT][4], 1);
	assert_int_equal(x->out[KPAGE_COUNT][5], value(KPAGE_COUNT, 5001));
	/* One window for 5000..5001; nothing else read. */
	assert_file_preads(x, KPAGE_COUNT, 1);
	assert_file_preads(x, KPAGE_FLAGS, 0);
	assert_file_preads(x, KPAGE_CGROUP, 0);
}

static void
should_read_no_count_when_every_page_is_exclusive(void **state)
{
	struct fixture *x = *state;
	uint64_t e[64];
	size_t i;

	for (i = 0; i < 64; i++)
		e[i] = mapped(1000 + 37 * i, true);
	lookup_rule(x, KPAGE_COUNT_EXCLUSIVE, e, 64, COUNT_ONLY);
	for (i = 0; i < 64; i++)
		assert_int_equal(x->out[KPAGE_COUNT][i], 1);
	assert_file_preads(x, KPAGE_COUNT, 0);
}

static void
should_count_exclusive_small_pages_once_and_read_compound_ones(
    void **state)
{
	struct fixture *x = *state;
	const uint64_t small = BIT(3) | BIT(5) | BIT(11) | BIT(12) | BIT(14);
	const struct {
		uint64_t pfn, flags;
		bool exclusive, read;
	} page[] = {
		{ 200, small, true, false },
		{ 300, small | BIT(15), true, true },	/* compound_head */
		{ 301, small | BIT(16), true, true },	/* compound_tail */
		{ 400, small | BIT(22) | BIT(16), true, true },	/* thp */
		{ 500, BIT(17) | BIT(15), true, true },	/* huge */
		{ 600, BIT(20), true, true },		/* nopage */
		{ 700, 0, true, true },			/* no flags at all */
		{ 800, small, false, true },		/* not exclusive */
		{ 900, small | BIT(21), true, false },	/* ksm, mapped once */
	};
	uint64_t e[9];
	size_t i;

	for (i = 0; i < 9; i++) {
		set_flags(x, page[i].pfn, page[i].flags);
		e[i] = mapped(page[i].pfn, page[i].exclusive);
	}
	lookup_rule(x, KPAGE_COUNT_SMALL, e, 9, FLAGS_AND_COUNT);
	for (i = 0; i < 9; i++) {
		uint64_t want = page[i].read ?
		    value(KPAGE_COUNT, page[i].pfn) : 1;
		assert_int_equal(x->out[KPAGE_FLAGS][i], page[i].flags);
		if (x->out[KPAGE_COUNT][i] != want)
			fail_msg("pfn %" PRIu64 ": count 0x%" PRIx64 ", want "
			    "0x%" PRIx64, page[i].pfn, x->out[KPAGE_COUNT][i],
			    want);
	}
	/* Flags: every page, 300..301 in one window: 8 preads. Counts:
	   300..301, 400, 500, 600, 700, 800: 6 preads. */
	assert_file_preads(x, KPAGE_FLAGS, 8);
	assert_file_preads(x, KPAGE_COUNT, 6);
	assert_file_preads(x, KPAGE_CGROUP, 0);
}

static void
should_read_every_count_under_the_small_rule_without_the_flags(
    void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { mapped(200, true), mapped(900, true) };

	set_flags(x, 200, BIT(5));
	set_flags(x, 900, BIT(5));
	lookup_rule(x, KPAGE_COUNT_SMALL, e, 2, COUNT_ONLY);
	assert_int_equal(x->out[KPAGE_COUNT][0], value(KPAGE_COUNT, 200));
	assert_int_equal(x->out[KPAGE_COUNT][1], value(KPAGE_COUNT, 900));
	assert_file_preads(x, KPAGE_COUNT, 2);
	assert_file_preads(x, KPAGE_FLAGS, 0);
}

static void
should_read_the_other_files_for_pages_whose_count_is_known(void **state)
{
	struct fixture *x = *state;
	const uint64_t e[] = { mapped(200, true), mapped(201, false) };

	lookup_rule(x, KPAGE_COUNT_EXCLUSIVE, e, 2, (1u << KPAGE_FILES) - 1);
	assert_int_equal(x->out[KPAGE_FLAGS][0], value(KPAGE_FLAGS, 200));
	assert_int_equal(x->out[KPAGE_CGROUP][0], value(KPAGE_CGROUP, 200));
	assert_int_equal(x->out[KPAGE_FLAGS][1], value(KPAGE_FLAGS, 201));
	assert_int_equal(x->out[KPAGE_CGROUP][1], value(KPAGE_CGROUP, 201));
	assert_int_equal(x->out[KPAGE_COUNT][0], 1);
	assert_int_equal(x->out[KPAGE_COUNT][1], value(KPAGE_COUNT, 201));
	assert_file_preads(x, KPAGE_FLAGS, 1);
	assert_file_preads(x, KPAGE_CGROUP, 1);
	assert_file_preads(x, KPAGE_COUNT, 1);
}

static void
should_give_a_shared_kpage_the_same_count_rule(void **state)
{
	struct fixture *x = *state;
	struct kpage k2;
	uint64_t c[2], *out[KPAGE_FILES] = { NULL, c, NULL };
	const uint64_t e[] = { mapped(300, true), mapped(301, true) };
	enum kpage_file failed;

	x->k.count_rule = KPAGE_COUNT_EXCLUSIVE;
	assert_int_equal(kpage_share(&k2, &x->k, 2), 0);
	assert_int_equal(k2.count_rule, KPAGE_COUNT_EXCLUSIVE);
	reset_preads();
	assert_int_equal(kpage_lookup(&k2, e, 2, out, &failed), 0);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 1);
	assert_int_equal(k2.preads[KPAGE_COUNT], 0);
	if (counting)
		assert_int_equal(preads[x->fd[KPAGE_COUNT]].calls, 0);
	kpage_free(&k2);
	/* The files stay open for the first one. */
	assert_true(fcntl(x->fd[KPAGE_COUNT], F_GETFD) >= 0);
}

/*
 * A second kpage that cannot get its buffers leaves the files open: they
 * belong to the first one (here a batch no malloc can hold fails it).
 */
static void
should_leave_the_shared_files_open_when_sharing_fails(void **state)
{
	struct fixture *x = *state;
	struct kpage k2;
	int f;

	assert_int_equal(kpage_share(&k2, &x->k, SIZE_MAX / 4), -1);
	for (f = 0; f < KPAGE_FILES; f++)
		assert_true(fcntl(x->fd[f], F_GETFD) >= 0);
	assert_int_equal(x->k.fd[KPAGE_FLAGS], x->fd[KPAGE_FLAGS]);
}

/*
 * The lookups count preads when kpage calls the pread of this file; when
 * it does not (a fortified or redirected pread), only values are checked.
 */
static int
check_counting(void **state)
{
	struct kpage k;
	uint64_t v, *out[KPAGE_FILES] = { &v, NULL, NULL };
	const uint64_t e[] = { present(1) };
	enum kpage_file failed;
	int fd = make_file(KPAGE_FLAGS);
	(void)state;

	reset_preads();
	if (kpage_init(&k, fd, -1, -1, 1) != 0 ||
	    kpage_lookup(&k, e, 1, out, &failed) != 0)
		return -1;
	counting = preads[fd].calls > 0;
	kpage_free(&k);
	if (!counting)
		printf("[  NOTE    ] kpage does not call the pread of this "
		    "test: preads are not counted, values are checked\n");
	return 0;
}

#define FIXTURE(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int
main(void)
{
	const struct CMUnitTest lookups[] = {
		FIXTURE(should_read_one_page_with_one_pread_per_file),
		FIXTURE(should_look_up_ascending_pfns_with_one_pread_per_file),
		FIXTURE(should_look_up_descending_pfns_with_one_pread_per_file),
		FIXTURE(should_look_up_scattered_pfns_each_in_its_own_window),
		FIXTURE(should_give_duplicated_pfns_the_same_values),
		FIXTURE(should_read_zero_beyond_the_end_of_the_files),
		FIXTURE(should_read_zero_for_a_window_wholly_beyond_the_end),
		FIXTURE(should_give_zero_to_absent_and_swapped_pages_without_reading),
		FIXTURE(should_give_zero_to_absent_pages_between_present_ones),
		FIXTURE(should_give_zero_to_pfn_zero_without_reading),
		FIXTURE(should_give_zero_to_pfn_zero_among_present_pages),
		FIXTURE(should_read_frame_zero_when_the_entries_are_frames),
		FIXTURE(should_look_up_nothing_for_an_empty_batch),
		FIXTURE(should_split_an_ascending_run_longer_than_kpage_run),
		FIXTURE(should_split_a_descending_run_longer_than_kpage_run),
		FIXTURE(should_read_a_run_of_exactly_kpage_run_pfns_with_one_pread),
		FIXTURE(should_read_pfns_kpage_gap_apart_together),
		FIXTURE(should_read_pfns_more_than_kpage_gap_apart_separately),
		FIXTURE(should_join_nearby_runs_that_are_apart_in_virtual_order),
		FIXTURE(should_look_up_a_random_mix_exactly),
		FIXTURE(should_leave_out_the_files_not_wanted),
		FIXTURE(should_sort_pfns_of_every_size_into_their_windows),
		FIXTURE(should_read_the_count_of_an_exclusive_page_by_default),
		FIXTURE(should_count_exclusive_pages_once_without_reading_when_told_to),
		FIXTURE(should_read_no_count_when_every_page_is_exclusive),
		FIXTURE(should_count_exclusive_small_pages_once_and_read_compound_ones),
		FIXTURE(should_read_every_count_under_the_small_rule_without_the_flags),
		FIXTURE(should_read_the_other_files_for_pages_whose_count_is_known),
		FIXTURE(should_give_a_shared_kpage_the_same_count_rule),
		FIXTURE(should_leave_the_shared_files_open_when_sharing_fails),
		cmocka_unit_test(should_look_up_only_the_files_it_was_given),
		cmocka_unit_test(should_say_which_file_could_not_be_read),
	};

	return cmocka_run_group_tests_name("kpage lookups", lookups,
	    check_counting, NULL);
}

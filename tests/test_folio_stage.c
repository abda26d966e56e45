/*
 * Tests for the folio stage (folio.c) on synthetic input, with no live
 * process: batches built here, and memfds standing in for
 * /proc/kpageflags (the flags of frame pfn at offset pfn * 8) and for
 * the process's pagemap (the entry of page vpn at offset vpn * 8), which
 * the stage reads for the frames and entries a batch does not hold. Each
 * case asserts the order, the class and the huge bit of every page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "folio.h"
#include "maps.h"
#include "pagemap.h"
#include "regions.h"
#include "walk.h"

#define PAGE 4096
#define BIT(n) (UINT64_C(1) << (n))

/* The kpageflags bits the stage goes by, and two that come along. */
#define KPF_ANON BIT(12)
#define KPF_HEAD BIT(15)
#define KPF_TAIL BIT(16)
#define KPF_HUGE BIT(17)
#define KPF_THP BIT(22)

/* What the frames of a folio say besides head and tail. */
#define THP (KPF_THP | KPF_ANON)
#define HUGETLB KPF_HUGE

/* The stand-ins hold frames up to 2^22 and pages up to 2^19. */
#define KFLAGS_PFNS (BIT(22) + 64)
#define PAGEMAP_VPNS BIT(19)
#define MAX_BATCH (BIT(18) + 64)

struct world {
	int kflags_fd, pagemap_fd;
	struct maps_entry map;
	struct walk_scan_region huge[4];
	struct regions regions;
	struct folio_stage s;
	uint64_t vpn, n;	/* the batch filled last */
	uint64_t *entries, *flags, *out;
};

/* A memfd of size bytes, all zero. */
static int
zero_file(const char *name, uint64_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -1;
	w->kflags_fd = zero_file("kpageflags", KFLAGS_PFNS * 8);
	w->pagemap_fd = zero_file("pagemap", PAGEMAP_VPNS * 8);
	w->entries = calloc(MAX_BATCH, sizeof(uint64_t));
	w->flags = calloc(MAX_BATCH, sizeof(uint64_t));
	w->out = calloc(MAX_BATCH, sizeof(uint64_t));
	if (w->entries == NULL || w->flags == NULL || w->out == NULL)
		return -1;
	w->regions.v = w->huge;
	w->regions.page_size = PAGE;
	w->map = (struct maps_entry){ .start = 0x100 * PAGE,
	    .end = 0x200 * PAGE, .perms = "rw-p", .name = "" };
	folio_init(&w->s, PAGE, true, w->kflags_fd);
	folio_begin_process(&w->s, w->pagemap_fd);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	close(w->kflags_fd);
	close(w->pagemap_fd);
	free(w->entries);
	free(w->flags);
	free(w->out);
	free(w);
	return 0;
}

/* ---- building the world ------------------------------------------------ */

/* Writes n words v[] at word offset at of fd. */
static void
put_words(int fd, uint64_t at, const uint64_t *v, uint64_t n)
{
	assert_int_equal(pwrite(fd, v, n * 8, (off_t)(at * 8)),
	    (ssize_t)(n * 8));
}

static void
put_word(int fd, uint64_t at, uint64_t v)
{
	put_words(fd, at, &v, 1);
}

/* Frames pfn..pfn+n-1 are pages of their own, with flags. */
static void
small_frames(struct world *w, uint64_t pfn, uint64_t n, uint64_t flags)
{
	uint64_t k;

	for (k = 0; k < n; k++)
		put_word(w->kflags_fd, pfn + k, flags);
}

/* Frames head..head+2^order-1 are a folio: a head and its tails. */
static void
folio_frames(struct world *w, uint64_t head, unsigned order,
    uint64_t flags)
{
	uint64_t n = BIT(order), k;
	uint64_t *v = malloc(n * sizeof(*v));

	assert_non_null(v);
	assert_int_equal(head % n, 0);
	for (k = 0; k < n; k++)
		v[k] = flags | (k == 0 ? KPF_HEAD : KPF_TAIL);
	put_words(w->kflags_fd, head, v, n);
	free(v);
}

/* Pages vpn..vpn+n-1 map frames pfn..pfn+n-1. */
static void
map_pages(struct world *w, uint64_t vpn, uint64_t pfn, uint64_t n)
{
	uint64_t *v = malloc(n * sizeof(*v)), k;

	assert_non_null(v);
	for (k = 0; k < n; k++)
		v[k] = PM_PRESENT | PM_EXCLUSIVE | (pfn + k);
	put_words(w->pagemap_fd, vpn, v, n);
	free(v);
}

static void
set_entry(struct world *w, uint64_t vpn, uint64_t raw)
{
	put_word(w->pagemap_fd, vpn, raw);
}

/* The mapping of the batches to come: pages start..end-1. */
static void
mapping(struct world *w, uint64_t start, uint64_t end)
{
	w->map.start = start * PAGE;
	w->map.end = end * PAGE;
}

/* Pages start..end-1 are mapped huge (PAGEMAP_SCAN's PAGE_IS_HUGE). */
static void
huge_region(struct world *w, uint64_t start, uint64_t end)
{
	assert_true(w->regions.n < 4);
	w->huge[w->regions.n++] = (struct walk_scan_region){ start, end,
	    WALK_PAGE_IS_HUGE | WALK_PAGE_IS_PRESENT };
}

/* Starts the stage afresh, as on another process. */
static void
restart(struct world *w)
{
	folio_init(&w->s, PAGE, true, w->kflags_fd);
	folio_begin_process(&w->s, w->pagemap_fd);
}

/*
 * The flags of the present entries of the batch, as the kpage stage
 * gives them: read from the stand-in, a run of frames at a time.
 */
static void
batch_flags(struct world *w)
{
	uint64_t i = 0, r, pfn;

	memset(w->flags, 0, w->n * sizeof(uint64_t));
	while (i < w->n) {
		if (!(w->entries[i] & PM_PRESENT)) {
			i++;
			continue;
		}
		pfn = w->entries[i] & PM_PFN_MASK;
		for (r = 1; i + r < w->n && (w->entries[i + r] & PM_PRESENT) &&
		    (w->entries[i + r] & PM_PFN_MASK) == pfn + r; r++)
			;
		assert_true(pfn + r <= KFLAGS_PFNS);
		assert_int_equal(pread(w->kflags_fd, w->flags + i, r * 8,
		    (off_t)(pfn * 8)), (ssize_t)(r * 8));
		i += r;
	}
}

/* Runs the stage on pages vpn..vpn+n-1 of the mapping, as a batch. */
static void
fill(struct world *w, uint64_t vpn, uint64_t n)
{
	struct page_batch b = { .map = &w->map, .vpn = vpn, .n = n };

	assert_true(n <= MAX_BATCH && vpn + n <= PAGEMAP_VPNS);
	w->vpn = vpn;
	w->n = n;
	assert_int_equal(pread(w->pagemap_fd, w->entries, n * 8,
	    (off_t)(vpn * 8)), (ssize_t)(n * 8));
	batch_flags(w);
	b.entries = w->entries;
	b.kpage[KPAGE_FLAGS] = w->flags;
	b.regions = &w->regions;
	memset(w->out, 0xa5, n * sizeof(uint64_t));
	folio_fill(&w->s, &b, w->out);
}

/* ---- what the stage said ----------------------------------------------- */

/* Pages vpn..vpn+n-1 of the batch: a folio of order, class, huge. */
static void
expect(const struct world *w, uint64_t vpn, uint64_t n, unsigned order,
    enum folio_class c, bool huge)
{
	uint64_t k;

	assert_true(vpn >= w->vpn && vpn + n <= w->vpn + w->n);
	for (k = vpn; k < vpn + n; k++) {
		uint64_t v = w->out[k - w->vpn];
		if (folio_known(v) && folio_order(v) == order &&
		    folio_class_of(v) == c && ((v & FOLIO_HUGE) != 0) == huge)
			continue;
		fail_msg("page 0x%" PRIx64 ": value 0x%" PRIx64 " (%s order "
		    "%u, %s%s), want order %u, %s%s", k, v,
		    folio_known(v) ? "known," : "unknown,", folio_order(v),
		    folio_class_name(folio_class_of(v)),
		    v & FOLIO_HUGE ? ", huge" : "", order, folio_class_name(c),
		    huge ? ", huge" : "");
	}
}

/* Pages vpn..vpn+n-1 of the batch have no frame: value 0. */
static void
expect_none(const struct world *w, uint64_t vpn, uint64_t n)
{
	uint64_t k;

	for (k = vpn; k < vpn + n; k++)
		if (w->out[k - w->vpn] != 0)
			fail_msg("page 0x%" PRIx64 ": value 0x%" PRIx64 ", want "
			    "0 (not present)", k, w->out[k - w->vpn]);
	assert_int_equal(folio_class_of(0), FOLIO_NONE);
	assert_false(folio_known(0));
}

/* ---- the cases ----------------------------------------------------------- */

static void
should_call_pages_of_their_own_small(void **state)
{
	static const uint64_t pfns[] = { 0x500, 0x9, 0x777, 0x501, 0x502,
		0x8, 0x12345, 0x1 };
	struct world *w = *state;
	size_t k;

	for (k = 0; k < 8; k++) {
		small_frames(w, pfns[k], 1, KPF_ANON);
		map_pages(w, 0x100 + k, pfns[k], 1);
	}
	fill(w, 0x100, 8);
	expect(w, 0x100, 8, 0, FOLIO_SMALL, false);
	assert_int_equal(w->s.probes, 0);
	assert_int_equal(w->s.entry_reads, 0);
}

/*
 * A 16K folio at pages 0x104-0x107 (frames 0x1000-0x1003) and a 64K one
 * at pages 0x110-0x11f (frames 0x2000-0x200f), each followed by small
 * pages: the layout most cases start from.
 */
static void
two_folios(struct world *w, uint64_t vpn16k, uint64_t vpn64k)
{
	folio_frames(w, 0x1000, 2, THP);
	folio_frames(w, 0x2000, 4, THP);
	small_frames(w, 0x1004, 4, KPF_ANON);
	small_frames(w, 0x2010, 4, KPF_ANON);
	map_pages(w, vpn16k, 0x1000, 8);	/* 4 more after it */
	map_pages(w, vpn64k, 0x2000, 20);
}

static void
should_call_a_16k_and_a_64k_folio_mapped_whole_and_aligned_aligned(
    void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	fill(w, 0x100, 0x30);
	expect_none(w, 0x100, 4);
	expect(w, 0x104, 4, 2, FOLIO_ALIGNED, false);
	expect(w, 0x108, 4, 0, FOLIO_SMALL, false);
	expect(w, 0x110, 16, 4, FOLIO_ALIGNED, false);
	expect(w, 0x120, 4, 0, FOLIO_SMALL, false);
	expect_none(w, 0x124, 0xc);
}

static void
should_read_the_head_from_kpageflags_when_the_batch_starts_inside(
    void **state)
{
	struct world *w = *state;
	uint64_t from;

	two_folios(w, 0x104, 0x110);
	for (from = 0x111; from < 0x120; from += 7) {
		restart(w);
		fill(w, from, 0x124 - from);
		expect(w, from, 0x120 - from, 4, FOLIO_ALIGNED, false);
		expect(w, 0x120, 4, 0, FOLIO_SMALL, false);
		/* The head, and the entries before the batch, were read. */
		assert_true(w->s.probes >= 1);
		assert_true(w->s.entry_reads >= 1);
	}
	/* From the last page: the frames at boundaries below, 4 at most
	   (the end, one page on, is in the batch). */
	restart(w);
	fill(w, 0x11f, 2);
	expect(w, 0x11f, 1, 4, FOLIO_ALIGNED, false);
	assert_true(w->s.probes >= 1 && w->s.probes <= 4);
	restart(w);
	fill(w, 0x106, 2);
	expect(w, 0x106, 2, 2, FOLIO_ALIGNED, false);
}

static void
should_find_a_folio_partial_by_the_entries_before_the_batch(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	set_entry(w, 0x112, 0);		/* before the batch: not present */
	fill(w, 0x118, 0xc);
	expect(w, 0x118, 8, 4, FOLIO_PARTIAL, false);
	restart(w);
	set_entry(w, 0x112, PM_PRESENT | 0x2003);	/* not in order */
	fill(w, 0x118, 0xc);
	expect(w, 0x118, 8, 4, FOLIO_PARTIAL, false);
}

static void
should_read_the_entries_past_the_batch_when_it_ends_inside(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	fill(w, 0x100, 0x14);
	expect(w, 0x104, 4, 2, FOLIO_ALIGNED, false);
	expect(w, 0x110, 4, 4, FOLIO_ALIGNED, false);
	assert_true(w->s.entry_reads >= 1);
	/* The next batch goes on with the same folio. */
	fill(w, 0x114, 0x10);
	expect(w, 0x114, 12, 4, FOLIO_ALIGNED, false);
	expect(w, 0x120, 4, 0, FOLIO_SMALL, false);
	/* Past the batch, one entry missing: partial. */
	restart(w);
	set_entry(w, 0x11d, 0);
	fill(w, 0x100, 0x14);
	expect(w, 0x110, 4, 4, FOLIO_PARTIAL, false);
	/* And one of another frame. */
	restart(w);
	set_entry(w, 0x11d, PM_PRESENT | 0x201e);
	fill(w, 0x10c, 0x8);
	expect(w, 0x110, 4, 4, FOLIO_PARTIAL, false);
	/* And one with the right PFN bits but not present. */
	restart(w);
	set_entry(w, 0x11d, 0x200d);
	fill(w, 0x10c, 0x8);
	expect(w, 0x110, 4, 4, FOLIO_PARTIAL, false);
}

/*
 * A folio of 1024 pages mapped by PTEs, with the batch at its last page:
 * the 1023 entries before are read in pieces (larger than the stage's
 * buffer), and one not present among them makes it partial.
 */
static void
should_read_the_entries_of_a_folio_larger_than_a_pmd_in_pieces(
    void **state)
{
	struct world *w = *state;

	folio_frames(w, 0x10000, 10, THP);
	map_pages(w, 0x800, 0x10000, 0x400);
	mapping(w, 0x800, 0x1000);
	fill(w, 0xbff, 1);
	expect(w, 0xbff, 1, 10, FOLIO_ALIGNED, false);
	assert_true(w->s.entry_reads >= 2);
	restart(w);
	set_entry(w, 0x801, 0);
	fill(w, 0xbff, 1);
	expect(w, 0xbff, 1, 10, FOLIO_PARTIAL, false);
	restart(w);
	map_pages(w, 0x801, 0x10001, 1);
	set_entry(w, 0xa7f, 0);
	fill(w, 0x800, 1);
	expect(w, 0x800, 1, 10, FOLIO_PARTIAL, false);
}

static void
should_call_a_whole_folio_at_an_unaligned_address_unaligned(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x106, 0x111);
	fill(w, 0x100, 0x30);
	expect(w, 0x106, 4, 2, FOLIO_UNALIGNED, false);
	expect(w, 0x10a, 4, 0, FOLIO_SMALL, false);
	expect(w, 0x111, 16, 4, FOLIO_UNALIGNED, false);
	expect(w, 0x121, 4, 0, FOLIO_SMALL, false);
	/* Aligned to 16K but not to 64K. */
	restart(w);
	map_pages(w, 0x114, 0x2000, 16);
	fill(w, 0x114, 16);
	expect(w, 0x114, 16, 4, FOLIO_UNALIGNED, false);
}

static void
should_call_a_folio_mapped_out_of_order_partial(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	set_entry(w, 0x105, PM_PRESENT | 0x1002);
	set_entry(w, 0x106, PM_PRESENT | 0x1001);
	/* The 64K folio: its two halves swapped. */
	map_pages(w, 0x110, 0x2008, 8);
	map_pages(w, 0x118, 0x2000, 8);
	fill(w, 0x100, 0x30);
	expect(w, 0x104, 4, 2, FOLIO_PARTIAL, false);
	expect(w, 0x108, 4, 0, FOLIO_SMALL, false);
	expect(w, 0x110, 16, 4, FOLIO_PARTIAL, false);
}

static void
should_call_a_folio_with_a_page_missing_partial(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	set_entry(w, 0x115, 0);
	set_entry(w, 0x104, 0);		/* the 16K folio's head */
	fill(w, 0x100, 0x30);
	expect_none(w, 0x104, 1);
	expect(w, 0x105, 3, 2, FOLIO_PARTIAL, false);
	expect(w, 0x110, 5, 4, FOLIO_PARTIAL, false);
	expect_none(w, 0x115, 1);
	expect(w, 0x116, 10, 4, FOLIO_PARTIAL, false);
	expect(w, 0x120, 4, 0, FOLIO_SMALL, false);
}

/*
 * The 64K folio at 0x110 with the mapping ending at 0x118: the next
 * mapping maps the rest of it in order, and it is partial in both.
 */
static void
should_call_a_folio_that_crosses_the_mapping_end_partial(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	mapping(w, 0x100, 0x118);
	fill(w, 0x100, 0x18);
	expect(w, 0x104, 4, 2, FOLIO_ALIGNED, false);
	expect(w, 0x110, 8, 4, FOLIO_PARTIAL, false);
	/* The next mapping, the stage going on; then afresh. */
	mapping(w, 0x118, 0x200);
	fill(w, 0x118, 0x10);
	expect(w, 0x118, 8, 4, FOLIO_PARTIAL, false);
	expect(w, 0x120, 4, 0, FOLIO_SMALL, false);
	restart(w);
	fill(w, 0x118, 0x10);
	expect(w, 0x118, 8, 4, FOLIO_PARTIAL, false);
	/* The folio's last page alone in a mapping. */
	restart(w);
	mapping(w, 0x11f, 0x200);
	fill(w, 0x11f, 2);
	expect(w, 0x11f, 1, 4, FOLIO_PARTIAL, false);
	expect(w, 0x120, 1, 0, FOLIO_SMALL, false);
}

static void
should_tell_each_mapping_of_a_folio_mapped_twice_apart(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	map_pages(w, 0x140, 0x2000, 16);	/* again, aligned */
	map_pages(w, 0x161, 0x2000, 16);	/* and unaligned */
	mapping(w, 0x100, 0x130);
	fill(w, 0x100, 0x30);
	expect(w, 0x110, 16, 4, FOLIO_ALIGNED, false);
	mapping(w, 0x130, 0x158);
	fill(w, 0x130, 0x28);
	expect(w, 0x140, 16, 4, FOLIO_ALIGNED, false);
	mapping(w, 0x158, 0x180);
	fill(w, 0x158, 0x28);
	expect(w, 0x161, 16, 4, FOLIO_UNALIGNED, false);
}

/*
 * Folios next to each other in physical and in virtual memory, of
 * different sizes: 16K at frames 0x1004-0x1007, 32K at 0x1008-0x100f,
 * 16K at 0x1010: each is a folio of its own.
 */
static void
should_tell_folios_next_to_each_other_apart(void **state)
{
	struct world *w = *state;

	folio_frames(w, 0x1004, 2, THP);
	folio_frames(w, 0x1008, 3, THP);
	folio_frames(w, 0x1010, 2, THP);
	small_frames(w, 0x1014, 1, KPF_ANON);
	map_pages(w, 0x104, 0x1004, 0x11);
	fill(w, 0x100, 0x20);
	expect(w, 0x104, 4, 2, FOLIO_ALIGNED, false);
	expect(w, 0x108, 8, 3, FOLIO_ALIGNED, false);
	expect(w, 0x110, 4, 2, FOLIO_ALIGNED, false);
	expect(w, 0x114, 1, 0, FOLIO_SMALL, false);
	/* One page up: unaligned, each. */
	restart(w);
	map_pages(w, 0x105, 0x1004, 0x11);
	set_entry(w, 0x104, 0);
	fill(w, 0x100, 0x20);
	expect(w, 0x105, 4, 2, FOLIO_UNALIGNED, false);
	expect(w, 0x109, 8, 3, FOLIO_UNALIGNED, false);
	expect(w, 0x111, 4, 2, FOLIO_UNALIGNED, false);
}

/* A 2M folio at pages 0x400-0x5ff (frames 0x10000-0x101ff). */
static void
thp_2m(struct world *w)
{
	folio_frames(w, 0x10000, 9, THP);
	small_frames(w, 0x10200, 1, KPF_ANON);
	map_pages(w, 0x400, 0x10000, 0x201);
	mapping(w, 0x300, 0x800);
}

static void
should_call_a_2m_folio_in_a_huge_region_pmd_and_huge(void **state)
{
	struct world *w = *state;

	thp_2m(w);
	huge_region(w, 0x400, 0x600);
	fill(w, 0x3f0, 0x220);
	expect_none(w, 0x3f0, 0x10);
	expect(w, 0x400, 0x200, 9, FOLIO_PMD, true);
	expect(w, 0x600, 1, 0, FOLIO_SMALL, false);
	expect_none(w, 0x601, 0xf);
	/* Also from the middle of it, in small batches. */
	restart(w);
	fill(w, 0x480, 0x10);
	expect(w, 0x480, 0x10, 9, FOLIO_PMD, true);
	fill(w, 0x5f8, 0x10);
	expect(w, 0x5f8, 8, 9, FOLIO_PMD, true);
	expect(w, 0x600, 1, 0, FOLIO_SMALL, false);
	/* And back to a batch below the last one. */
	fill(w, 0x400, 0x10);
	expect(w, 0x400, 0x10, 9, FOLIO_PMD, true);
}

/* Regions of the zero page alone (PAGE_IS_PFNZERO) make nothing huge. */
static void
should_take_only_huge_regions_as_huge(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	w->huge[w->regions.n++] = (struct walk_scan_region){ 0x100, 0x130,
	    WALK_PAGE_IS_PFNZERO | WALK_PAGE_IS_PRESENT };
	fill(w, 0x100, 0x30);
	expect(w, 0x104, 4, 2, FOLIO_ALIGNED, false);
	expect(w, 0x108, 4, 0, FOLIO_SMALL, false);
	expect(w, 0x110, 16, 4, FOLIO_ALIGNED, false);
}

static void
should_call_a_2m_folio_mapped_by_ptes_aligned_and_not_huge(void **state)
{
	struct world *w = *state;

	thp_2m(w);
	fill(w, 0x400, 0x201);
	expect(w, 0x400, 0x200, 9, FOLIO_ALIGNED, false);
	expect(w, 0x600, 1, 0, FOLIO_SMALL, false);
}

static void
should_call_an_order_18_folio_in_a_huge_region_pud(void **state)
{
	struct world *w = *state;
	const uint64_t head = BIT(18), vpn = BIT(18);

	folio_frames(w, head, 18, HUGETLB);
	map_pages(w, vpn, head, BIT(18));
	mapping(w, vpn, 2 * vpn);
	huge_region(w, vpn, 2 * vpn);
	fill(w, vpn, BIT(18));
	expect(w, vpn, BIT(18), 18, FOLIO_PUD, true);
	restart(w);
	fill(w, vpn + 0x12345, 16);
	expect(w, vpn + 0x12345, 16, 18, FOLIO_PUD, true);
}

/* The largest order looked for, 20, found from a tail near its end. */
static void
should_find_an_order_20_folio_from_a_tail(void **state)
{
	struct world *w = *state;
	const uint64_t head = BIT(21), last = head + BIT(20) - 1;

	folio_frames(w, head, 20, HUGETLB);
	map_pages(w, 0x1f0, last - 3, 4);
	mapping(w, 0x100, 0x200);
	huge_region(w, 0x1f0, 0x1f4);
	fill(w, 0x1f0, 4);
	expect(w, 0x1f0, 4, 20, FOLIO_PUD, true);
}

/*
 * Set up without sizes (for the huge column alone, which needs no
 * root): a page mapped huge reads huge and pmd, of no known order; every
 * other page 0, whether the flags are at hand or not.
 */
static void
should_give_only_the_huge_bit_without_sizes(void **state)
{
	struct world *w = *state;
	struct page_batch b = { .map = &w->map, .vpn = 0x3f0, .n = 0x220 };
	int with_flags;
	uint64_t k;

	thp_2m(w);
	huge_region(w, 0x400, 0x600);
	for (with_flags = 0; with_flags < 2; with_flags++) {
		fill(w, 0x3f0, 0x220);
		folio_init(&w->s, PAGE, false, -1);
		folio_begin_process(&w->s, -1);
		b.entries = w->entries;
		b.kpage[KPAGE_FLAGS] = with_flags ? w->flags : NULL;
		b.regions = &w->regions;
		folio_fill(&w->s, &b, w->out);
		for (k = 0; k < b.n; k++) {
			bool huge = b.vpn + k >= 0x400 && b.vpn + k < 0x600;
			uint64_t want = huge ? FOLIO_HUGE |
			    (uint64_t)FOLIO_PMD << FOLIO_CLASS_SHIFT : 0;
			if (w->out[k] != want)
				fail_msg("page 0x%" PRIx64 ": 0x%" PRIx64 ", want "
				    "0x%" PRIx64, b.vpn + k, w->out[k], want);
		}
		assert_false(folio_known(w->out[0x10]));
	}
}

static void
should_give_0_to_pages_not_present(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	set_entry(w, 0x105, PM_SWAPPED | (UINT64_C(0x1234) << 5) | 3);
	/* The PFN it would have, without bit 63: not there either. */
	set_entry(w, 0x112, 0x2002);
	set_entry(w, 0x101, PM_SOFT_DIRTY);
	/* Mapped huge or not, a page with no frame has no folio. */
	huge_region(w, 0x100, 0x104);
	huge_region(w, 0x112, 0x113);
	fill(w, 0x100, 0x30);
	expect_none(w, 0x100, 4);
	expect_none(w, 0x105, 1);
	expect_none(w, 0x112, 1);
	expect_none(w, 0x124, 0xc);
	expect(w, 0x104, 1, 2, FOLIO_PARTIAL, false);
	expect(w, 0x106, 2, 2, FOLIO_PARTIAL, false);
	expect(w, 0x110, 2, 4, FOLIO_PARTIAL, false);
	expect(w, 0x113, 13, 4, FOLIO_PARTIAL, false);
}

static void
should_fall_back_to_order_0_small_when_the_flags_make_no_folio(
    void **state)
{
	struct world *w = *state;
	const uint64_t far = BIT(21) - 1, head = BIT(21);
	unsigned j;

	/* A tail whose frame below is a page of its own. */
	small_frames(w, 0x3000, 1, KPF_ANON);
	small_frames(w, 0x3001, 1, KPF_TAIL | THP);
	map_pages(w, 0x130, 0x3001, 1);
	/* A tail with tails at every boundary below, order 1 to 20 (a
	   head at order 21 is beyond what is looked for). */
	for (j = 0; j <= 20; j++)
		small_frames(w, far & ~(BIT(j) - 1), 1, KPF_TAIL | THP);
	small_frames(w, 0, 1, KPF_HEAD | THP);
	map_pages(w, 0x140, far, 1);
	/* A head whose tails go on past order 20. */
	small_frames(w, head, 1, KPF_HEAD | THP);
	for (j = 0; j <= 20; j++)
		small_frames(w, head + BIT(j), 1, KPF_TAIL | THP);
	map_pages(w, 0x150, head, 1);
	fill(w, 0x130, 0x21);
	expect(w, 0x130, 1, 0, FOLIO_SMALL, false);
	expect(w, 0x140, 1, 0, FOLIO_SMALL, false);
	expect(w, 0x150, 1, 0, FOLIO_SMALL, false);
}

/*
 * Every frame the stage needs is in the batch (the pages map the folios
 * in order, and a page after each maps the frame past its end): it reads
 * nothing of its own.
 */
static void
should_read_nothing_when_the_batch_holds_every_frame_needed(void **state)
{
	struct world *w = *state;

	two_folios(w, 0x104, 0x110);
	small_frames(w, 0x700, 4, KPF_ANON);
	map_pages(w, 0x100, 0x700, 4);
	fill(w, 0x100, 0x24);
	expect(w, 0x100, 4, 0, FOLIO_SMALL, false);
	expect(w, 0x104, 4, 2, FOLIO_ALIGNED, false);
	expect(w, 0x110, 16, 4, FOLIO_ALIGNED, false);
	expect(w, 0x120, 4, 0, FOLIO_SMALL, false);
	assert_int_equal(w->s.probes, 0);
	assert_int_equal(w->s.entry_reads, 0);
	restart(w);
	thp_2m(w);
	huge_region(w, 0x400, 0x600);
	fill(w, 0x400, 0x201);
	expect(w, 0x400, 0x200, 9, FOLIO_PMD, true);
	assert_int_equal(w->s.probes, 0);
	assert_int_equal(w->s.entry_reads, 0);
}

static void
should_name_every_class(void **state)
{
	static const char *const names[] = { "none", "small", "pmd", "pud",
		"aligned", "unaligned", "partial" };
	int c;

	(void)state;
	for (c = 0; c < FOLIO_CLASSES; c++)
		assert_string_equal(folio_class_name((enum folio_class)c),
		    names[c]);
	assert_string_equal(folio_class_name(FOLIO_CLASSES), "none");
}

#define FIXTURE(test) cmocka_unit_test_setup_teardown(test, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE(should_call_pages_of_their_own_small),
		FIXTURE(should_call_a_16k_and_a_64k_folio_mapped_whole_and_aligned_aligned),
		FIXTURE(should_read_the_head_from_kpageflags_when_the_batch_starts_inside),
		FIXTURE(should_find_a_folio_partial_by_the_entries_before_the_batch),
		FIXTURE(should_read_the_entries_past_the_batch_when_it_ends_inside),
		FIXTURE(should_read_the_entries_of_a_folio_larger_than_a_pmd_in_pieces),
		FIXTURE(should_call_a_whole_folio_at_an_unaligned_address_unaligned),
		FIXTURE(should_call_a_folio_mapped_out_of_order_partial),
		FIXTURE(should_call_a_folio_with_a_page_missing_partial),
		FIXTURE(should_call_a_folio_that_crosses_the_mapping_end_partial),
		FIXTURE(should_tell_each_mapping_of_a_folio_mapped_twice_apart),
		FIXTURE(should_tell_folios_next_to_each_other_apart),
		FIXTURE(should_call_a_2m_folio_in_a_huge_region_pmd_and_huge),
		FIXTURE(should_call_a_2m_folio_mapped_by_ptes_aligned_and_not_huge),
		FIXTURE(should_take_only_huge_regions_as_huge),
		FIXTURE(should_call_an_order_18_folio_in_a_huge_region_pud),
		FIXTURE(should_find_an_order_20_folio_from_a_tail),
		FIXTURE(should_give_only_the_huge_bit_without_sizes),
		FIXTURE(should_give_0_to_pages_not_present),
		FIXTURE(should_fall_back_to_order_0_small_when_the_flags_make_no_folio),
		FIXTURE(should_read_nothing_when_the_batch_holds_every_frame_needed),
		cmocka_unit_test(should_name_every_class),
	};

	return cmocka_run_group_tests_name("folio stage", tests, NULL, NULL);
}

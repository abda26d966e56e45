/*
 * frames: kinds of frame by their page flags, the grid's cells, and the
 * owners of frames (frames.h).
 */
#include "frames.h"

#include <stdbool.h>
#include <stdlib.h>

#define KF(bit) (UINT64_C(1) << (bit))

enum frame_kind
frames_kind(uint64_t f)
{
	/* The most telling flag first: a free or slab frame is on no LRU. */
	static const struct {
		uint64_t flags;
		enum frame_kind kind;
	} rule[] = {
		{ KF(20), FRAME_NOPAGE }, { KF(32), FRAME_RESERVED },
		{ KF(10), FRAME_FREE }, { KF(7), FRAME_SLAB },
		{ KF(26), FRAME_PGTABLE }, { KF(17), FRAME_HUGETLB },
		{ KF(22), FRAME_THP }, { KF(12), FRAME_ANON },
		{ KF(5) | KF(11), FRAME_FILE },
	};
	size_t i;

	for (i = 0; i < sizeof(rule) / sizeof(rule[0]); i++)
		if (f & rule[i].flags)
			return rule[i].kind;
	return FRAME_OTHER;
}

const char *
frames_kind_name(enum frame_kind k)
{
	static const char *const name[FRAME_KINDS] = {
		[FRAME_ANON] = "anon", [FRAME_FILE] = "file",
		[FRAME_THP] = "thp", [FRAME_HUGETLB] = "hugetlb",
		[FRAME_SLAB] = "slab", [FRAME_PGTABLE] = "pgtable",
		[FRAME_FREE] = "free", [FRAME_RESERVED] = "reserved",
		[FRAME_OTHER] = "other", [FRAME_NOPAGE] = "nopage",
		[FRAME_LEFT_OUT] = "left out",
	};

	return (unsigned)k < FRAME_KINDS ? name[k] : "?";
}

uint64_t
frames_cells(uint64_t n, unsigned shift)
{
	/* n / 2^shift, rounded up, without n + 2^shift - 1 overflowing. */
	return (n >> shift) + ((n & ((UINT64_C(1) << shift) - 1)) != 0);
}

unsigned
frames_cell_shift(uint64_t n, size_t max_cells)
{
	unsigned shift = 0;

	if (max_cells == 0)
		max_cells = 1;
	while (shift < 63 && frames_cells(n, shift) > max_cells)
		shift++;
	return shift;
}

unsigned
frames_mode(const uint64_t *counts, unsigned n)
{
	unsigned best = n, i;

	for (i = 0; i < n; i++)
		if (counts[i] > 0 && (best == n || counts[i] > counts[best]))
			best = i;
	return best;
}

static int
by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t
frames_resolve(uint64_t *owners, size_t n)
{
	size_t i, out = 0;

	if (n == 0)
		return 0;	/* owners may be NULL, which qsort refuses */
	qsort(owners, n, sizeof(*owners), by_value);
	for (i = 0; i < n; i++) {
		uint64_t pfn = FRAMES_PFN(owners[i]);
		if (out > 0 && FRAMES_PFN(owners[out - 1]) == pfn) {
			/* The same frame again: of one process, or shared. */
			if (owners[out - 1] != owners[i])
				owners[out - 1] = pfn << FRAMES_OWNER_BITS |
				    FRAMES_SHARED;
			continue;
		}
		owners[out++] = owners[i];
	}
	return out;
}

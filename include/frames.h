/*
 * frames: the model of the picture of physical memory (--svg with
 * --physical): what kind of frame the kernel's page flags say a frame
 * is; how many frames a cell of the grid stands for; which process a
 * frame belongs to, from the frames each process maps; and what colour
 * a cell of many frames takes.
 */
#ifndef PAGEMAP_DUMP_FRAMES_H
#define PAGEMAP_DUMP_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/*
 * The kinds of frame, in the order a cell's tie goes (the first wins)
 * and the legend lists them.
 */
enum frame_kind {
	FRAME_ANON,		/* anon: anonymous memory of processes */
	FRAME_FILE,		/* lru or mmap, not anon: the page cache */
	FRAME_THP,		/* thp: of a large folio (THP, mTHP) */
	FRAME_HUGETLB,		/* huge: of a hugetlb page */
	FRAME_SLAB,		/* slab: the kernel's allocators */
	FRAME_PGTABLE,		/* pgtable: page tables */
	FRAME_FREE,		/* buddy: the first frame of a free block */
	FRAME_RESERVED,		/* reserved: the kernel's own, from boot */
	FRAME_OTHER,		/* none of these (no flag at all, mostly) */
	FRAME_NOPAGE,		/* nopage: no memory there */
	FRAME_LEFT_OUT,		/* not selected (-k, --pfn, --paddr) */
	FRAME_KINDS
};

/* The kind of a frame of these kernel page flags (never LEFT_OUT). */
enum frame_kind frames_kind(uint64_t kflags);

/* The legend's name of a kind. */
const char *frames_kind_name(enum frame_kind k);

/* The most cells of a grid. */
#define FRAMES_MAX_CELLS 65536

/*
 * log2 of the frames a cell stands for, the least that makes n frames
 * take max_cells cells at most: a power of two, so that a cell is a
 * round size (128 frames, 512 KiB).
 */
unsigned frames_cell_shift(uint64_t n, size_t max_cells);

/* The cells n frames take, 2^shift a cell. */
uint64_t frames_cells(uint64_t n, unsigned shift);

/*
 * The colour (0..n-1) that most of a cell's frames have, from its
 * counts by colour: the first of those tied; n when every count is 0.
 */
unsigned frames_mode(const uint64_t *counts, unsigned n);

/*
 * Owners: a frame a process maps is an entry pfn << FRAMES_OWNER_BITS |
 * the process's index (in the order they were read); an index of
 * FRAMES_SHARED says more than one process maps it.
 */
#define FRAMES_OWNER_BITS 24
#define FRAMES_SHARED ((UINT64_C(1) << FRAMES_OWNER_BITS) - 1)
#define FRAMES_MAX_OWNERS FRAMES_SHARED
#define FRAMES_PFN(e) ((e) >> FRAMES_OWNER_BITS)
#define FRAMES_OWNER(e) ((e) & FRAMES_SHARED)

/*
 * Sorts the n entries of owners and leaves one per frame: its owner, or
 * FRAMES_SHARED when processes of two indexes map it. Returns how many.
 */
size_t frames_resolve(uint64_t *owners, size_t n);

#endif

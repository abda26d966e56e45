/*
 * folio: the stage that tells, for each present page, the size of the
 * folio its frame belongs to and how the process maps that folio: by one
 * huge entry (a PMD, or a PUD for a 1G hugetlb page) or by PTEs, and then
 * whole and aligned, whole and unaligned, or only partly, as
 * tools/mm/thpmaps sorts them.
 *
 * /proc/kpageflags says of a frame only whether it heads a compound
 * folio or is one of its tails (and whether it is THP or hugetlb), not
 * its size. Folios are aligned to their size in physical memory, so the
 * head of a tail is the first frame below it, at a power-of-two
 * boundary, that is a head; and the folio ends at the first power of two
 * above the head whose frame is no tail. Those frames are mostly in the
 * batch already (pages mapped in order); the rest are read one each.
 * Whether it is mapped whole is the pagemap entries of the folio's
 * virtual pages, read past the batch where it ends inside a folio.
 */
#ifndef PAGEMAP_DUMP_FOLIO_H
#define PAGEMAP_DUMP_FOLIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "page.h"

/* How a page's folio is mapped. */
enum folio_class {
	FOLIO_NONE,		/* no frame: not present */
	FOLIO_SMALL,		/* a folio of one page */
	FOLIO_PMD,		/* mapped by a PMD (PAGEMAP_SCAN's HUGE) */
	FOLIO_PUD,		/* by a PUD: larger than a PMD maps */
	FOLIO_ALIGNED,		/* by PTEs, whole, at an address aligned to
				   its size */
	FOLIO_UNALIGNED,	/* by PTEs, whole, unaligned */
	FOLIO_PARTIAL,		/* by PTEs, not whole in this mapping */
	FOLIO_CLASSES
};

/*
 * The stage's value of a page: the folio's order plus one (0: not
 * known), whether the page is mapped huge, and the class.
 */
#define FOLIO_ORDER_MASK	UINT64_C(0x3f)
#define FOLIO_HUGE		UINT64_C(0x40)
#define FOLIO_CLASS_SHIFT	8

static inline unsigned
folio_order(uint64_t v)
{
	unsigned o = (unsigned)(v & FOLIO_ORDER_MASK);

	return o == 0 ? 0 : o - 1;
}

static inline bool
folio_known(uint64_t v)
{
	return (v & FOLIO_ORDER_MASK) != 0;
}

static inline enum folio_class
folio_class_of(uint64_t v)
{
	return (enum folio_class)(v >> FOLIO_CLASS_SHIFT);
}

/* "none", "small", "pmd", "pud", "aligned", "unaligned", "partial". */
const char *folio_class_name(enum folio_class c);

struct folio_stage {
	uint64_t page_size;
	unsigned pmd_order;	/* a PMD maps 2^pmd_order pages */
	bool sizes;		/* find sizes and classes, not only huge */
	int kflags_fd;		/* /proc/kpageflags, for sizes */
	int pagemap_fd;		/* the process's, for entries past a batch */
	size_t cursor;		/* in the batches' regions */
	/* The folio found last: its head, order, first page and class. */
	bool have_last, last_huge;
	uint64_t last_head, last_vpn0;
	unsigned last_order;
	enum folio_class last_class;
	uint64_t probes;	/* kpageflags reads of its own */
	uint64_t entry_reads;	/* pagemap reads of its own */
};

/*
 * Sets the stage up: with sizes, kflags_fd is /proc/kpageflags (the
 * stage does not close it) and folio sizes are found; without, only
 * which pages are mapped huge.
 */
void folio_init(struct folio_stage *s, uint64_t page_size, bool sizes,
    int kflags_fd);

/* Starts on the pages of another process, whose pagemap is pagemap_fd. */
void folio_begin_process(struct folio_stage *s, int pagemap_fd);

/*
 * Writes the value of each page of b (entries and, with sizes, flags
 * given; regions where known) to out[0..b->n).
 */
void folio_fill(struct folio_stage *s, const struct page_batch *b,
    uint64_t *out);

#endif

/*
 * bars: the cells of --bars, one line per mapping, each cell an equal
 * share of the mapping's pages, drawn by what those pages are.
 */
#ifndef PAGEMAP_DUMP_BARS_H
#define PAGEMAP_DUMP_BARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "page.h"

/* What a cell shows, by the pages in it. */
enum bar_state {
	BAR_EMPTY,	/* none present, in swap or a guard */
	BAR_PRESENT,	/* all present */
	BAR_PARTLY,	/* some present */
	BAR_HUGE,	/* all present, most mapped huge (PMD THP, hugetlb) */
	BAR_SWAPPED,	/* none present, some in swap */
	BAR_GUARD,	/* none present or in swap, some guard markers */
	BAR_STATES
};

/* The counts of one cell. */
struct bar_cell {
	uint64_t pages, present, swapped, huge, guard;
};

/* The state of a cell. */
enum bar_state bar_state_of(const struct bar_cell *c);

/*
 * The cell (0..ncells-1) of page k of a span of n pages in ncells (at
 * most TERM_WIDTH_MAX: a page number has 52 bits at most, so the product
 * fits).
 */
static inline size_t
bar_cell_of(uint64_t k, uint64_t n, size_t ncells)
{
	return (size_t)(k * ncells / n);
}

/* The cells of a span of n pages on a bar of at most width cells. */
static inline size_t
bar_cells(uint64_t n, size_t width)
{
	return n < width ? (size_t)n : width;
}

/*
 * The pages of mapping m that its bar spans: those inside the filter's
 * intervals (-r, -a), or all of them; the first and how many.
 */
void bar_span(const struct filter *f, const struct maps_entry *m,
    uint64_t page_size, uint64_t *first, uint64_t *n);

/*
 * Counts the pages of batch b into the ncells cells of a span of n
 * pages from page first (pages outside it are not counted); *cursor
 * walks the batch's regions, 0 at the start of a process.
 */
void bar_count(struct bar_cell *cells, size_t ncells, uint64_t first,
    uint64_t n, const struct page_batch *b, size_t *cursor);

/*
 * Sets the pages of each cell by where the cells start: cell i starts
 * at the first page k with k * ncells / n at least i. Pages the filter
 * did not hand on count as empty.
 */
void bar_size_cells(struct bar_cell *cells, size_t ncells, uint64_t n);

/* The most bytes bar_draw writes for a cell. */
#define BAR_CELL_MAX 12

/*
 * Writes the glyphs of the n cells to dst (BAR_CELL_MAX bytes a cell,
 * and as many for the end), ASCII or UTF-8 block characters, with ANSI
 * colours or not. Returns the bytes written.
 */
size_t bar_draw(char *dst, const struct bar_cell *cells, size_t n,
    bool unicode, bool color);

/* The one-line legend (no newline), for ASCII or block characters. */
const char *bar_legend(bool unicode);

#endif

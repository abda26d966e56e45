/*
 * filter: the one place that decides which pages are selected.
 *
 * Address ranges (-r), single addresses (-a), mapping names (-m), page
 * states (-P, -S) and kernel page flags (-k). The address filters are
 * turned into one sorted list of disjoint intervals, so the reader reads
 * only the pages inside them (filter_spans); the others select pages of a
 * batch (filter_pages), so every sink sees the same selection.
 */
#ifndef PAGEMAP_DUMP_FILTER_H
#define PAGEMAP_DUMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "page.h"
#include "pagemap.h"
#include "walk.h"

struct filter_interval {
	uint64_t start;
	uint64_t end;		/* exclusive */
};

struct filter {
	struct filter_interval *ranges;	/* -r, as given */
	size_t nranges;
	uint64_t *addrs;		/* -a, as given */
	size_t naddrs;
	const char **names;		/* -m */
	size_t nnames;
	bool present;			/* -P */
	bool swapped;			/* -S: pages in swap */
	bool kflags;			/* -k: only present pages with */
	uint64_t kflags_want;		/* all of these page flags */
	uint64_t kflags_refuse;		/* and none of these */
	struct filter_interval *pfns;	/* --pfn: frames, as given */
	size_t npfns;
	uint64_t *paddrs;		/* --paddr: physical addresses */
	size_t npaddrs;

	/* Built by filter_prepare: */
	struct filter_interval *select;	/* sorted, disjoint */
	size_t nselect;
	uint64_t *sorted_addrs;		/* addrs, sorted */
	struct filter_interval *frames;	/* --pfn and --paddr: sorted,
					   disjoint */
	size_t nframes;
};

/* Adds a range, an address or a name. Returns 0, or -1 when out of memory. */
int filter_add_range(struct filter *f, uint64_t start, uint64_t end);
int filter_add_address(struct filter *f, uint64_t addr);
int filter_add_name(struct filter *f, const char *name);
/* Adds frames start..end-1 (--pfn), or the frame of a physical address. */
int filter_add_pfns(struct filter *f, uint64_t start, uint64_t end);
int filter_add_paddr(struct filter *f, uint64_t paddr);

/*
 * Builds the selected intervals, in whole pages: the pages the ranges
 * touch, or the pages of the addresses; with both, the pages of the
 * addresses that lie inside a range. Returns 0, or -1 when out of memory.
 */
int filter_prepare(struct filter *f, uint64_t page_size);

/* Tells whether a mapping's name passes the -m filters. */
bool filter_map(const struct filter *f, const struct maps_entry *map);

/*
 * Tells whether a page passes -P, -S, -k and --pfn, by its raw entry and
 * its kpageflags (0 when not read).
 */
bool filter_page(const struct filter *f, uint64_t raw, uint64_t kflags);

/* The facts (PAGE_FACT_*) the filter needs of each page. */
unsigned filter_needs(const struct filter *f);

/*
 * The PAGEMAP_SCAN categories of the pages the filter can select, for
 * the reader to read only those; 0 when it may select any page.
 */
uint64_t filter_scan_categories(const struct filter *f);

/* What filter_pages hands each run of selected pages to. */
typedef enum dump_status filter_sink_fn(void *ctx,
    const struct page_batch *run);

/*
 * Hands the runs of pages of b that the filter selects to fn, in order;
 * the whole batch at once when it selects every page. Stops at the first
 * status fn returns that is not DUMP_OK, and returns it.
 */
enum dump_status filter_pages(const struct filter *f,
    const struct page_batch *b, filter_sink_fn *fn, void *ctx);

/*
 * The spans of pages the reader is to read: for every mapping that -m
 * lets through, its pages inside the intervals of -r and -a. Returns the
 * array (NULL with *n 0 when there is none), or NULL with *n 1 when out
 * of memory.
 */
struct walk_span *filter_spans(const struct filter *f,
    const struct maps *maps, uint64_t page_size, size_t *n);

/*
 * Returns the first selected interval that ends after addr, or NULL; the
 * dump walks a mapping through the intervals with this.
 */
const struct filter_interval *filter_next(const struct filter *f,
    uint64_t addr);

/*
 * For -a: the offset within its page of the first given address that lies
 * in the page at page_addr, or 0.
 */
uint64_t filter_page_offset(const struct filter *f, uint64_t page_addr,
    uint64_t page_size);

/* Frees everything the filter holds. */
void filter_free(struct filter *f);

#endif

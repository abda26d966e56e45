/*
 * filter: which pages to print.
 *
 * Address ranges (-r), single addresses (-a), mapping names (-m) and page
 * states (-P, -S). The address filters are turned into one sorted list of
 * disjoint intervals, so the dump reads only the pages inside them.
 */
#ifndef PAGEMAP_DUMP_FILTER_H
#define PAGEMAP_DUMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "pagemap.h"

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

	/* Built by filter_prepare: */
	struct filter_interval *select;	/* sorted, disjoint */
	size_t nselect;
	uint64_t *sorted_addrs;		/* addrs, sorted */
};

/* Adds a range, an address or a name. Returns 0, or -1 when out of memory. */
int filter_add_range(struct filter *f, uint64_t start, uint64_t end);
int filter_add_address(struct filter *f, uint64_t addr);
int filter_add_name(struct filter *f, const char *name);

/*
 * Builds the selected intervals, in whole pages: the pages the ranges
 * touch, or the pages of the addresses; with both, the pages of the
 * addresses that lie inside a range. Returns 0, or -1 when out of memory.
 */
int filter_prepare(struct filter *f, uint64_t page_size);

/* Tells whether a mapping's name passes the -m filters. */
bool filter_map(const struct filter *f, const struct maps_entry *map);

/* Tells whether a page passes the -P and -S filters. */
bool filter_entry(const struct filter *f, const struct pagemap_entry *e);

/* Tells whether a page with these kpageflags passes -k. */
bool filter_kflags(const struct filter *f, const struct pagemap_entry *e,
    uint64_t kflags);

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

/*
 * page: what passes along the page path, from the sources through the
 * filter to the sinks.
 *
 * A source (the pagemap reader) produces batches of pages: runs of
 * consecutive pages of one mapping with their pagemap entries. Stages
 * add facts to a batch (the kpage values of each page; which pages are
 * the zero page or mapped huge). The filter selects pages, and passes on
 * only selected runs. Sinks (rows, summary) consume them.
 */
#ifndef PAGEMAP_DUMP_PAGE_H
#define PAGEMAP_DUMP_PAGE_H

#include <stdint.h>

#include "kpage.h"
#include "maps.h"

/* The facts a column, a filter or a sink may need of a page. */
enum page_fact {
	PAGE_FACT_KFLAGS = 1u << KPAGE_FLAGS,	/* /proc/kpageflags */
	PAGE_FACT_COUNT = 1u << KPAGE_COUNT,	/* /proc/kpagecount */
	PAGE_FACT_CGROUP = 1u << KPAGE_CGROUP,	/* /proc/kpagecgroup */
	PAGE_FACT_REGION = 1u << 3,	/* zero page or mapped huge */
	PAGE_FACT_PFN = 1u << 4,	/* the PFNs: root */
	PAGE_FACT_HUGE = 1u << 5,	/* mapped huge, per page (folio.h) */
	PAGE_FACT_FOLIO = 1u << 6,	/* the folio's size and class */
	PAGE_FACT_NODE = 1u << 7,	/* the NUMA node of the frame */
};

/* The kpage facts: those read by PFN. */
#define PAGE_FACTS_KPAGE \
	(PAGE_FACT_KFLAGS | PAGE_FACT_COUNT | PAGE_FACT_CGROUP)

struct regions;

/* Pages vpn..vpn+n-1 of one mapping, with what is known of each. */
struct page_batch {
	const struct maps_entry *map;
	uint64_t vpn;
	uint64_t n;
	const uint64_t *entries;	/* NULL: n zero entries */
	const uint64_t *kpage[KPAGE_FILES];	/* per entry, or NULL */
	/* Where the zero page and huge mappings are, or NULL. */
	const struct regions *regions;
	/* The folio stage's value per entry (folio.h), or NULL. */
	const uint64_t *folio;
	/* The NUMA node per entry (numa.h), or NULL. */
	const uint64_t *node;
};

/* The node of page k of b: UINT64_MAX (none) when not known. */
static inline uint64_t
page_batch_node(const struct page_batch *b, uint64_t k)
{
	return b->node != NULL ? b->node[k] : UINT64_MAX;
}

/* Pages from..to-1 of b, as a batch of their own. */
static inline struct page_batch
page_batch_sub(const struct page_batch *b, uint64_t from, uint64_t to)
{
	struct page_batch r = *b;
	int k;

	r.vpn = b->vpn + from;
	r.n = to - from;
	if (b->entries != NULL)
		r.entries = b->entries + from;
	for (k = 0; k < KPAGE_FILES; k++)
		if (b->kpage[k] != NULL)
			r.kpage[k] = b->kpage[k] + from;
	if (b->folio != NULL)
		r.folio = b->folio + from;
	if (b->node != NULL)
		r.node = b->node + from;
	return r;
}

/* How a step of the page path went. */
enum dump_status {
	DUMP_OK,
	DUMP_FAILED,		/* this pid failed; a message was printed */
	DUMP_OUTPUT_ERROR,	/* writing failed: out->error says why */
};

#endif

/*
 * summary: the counts of --summary, page by page, as /proc/PID/smaps
 * keeps them.
 *
 * smaps leaves the shared zero page and hugetlb pages out of Rss and PSS
 * and counts PMD-mapped huge pages apart; the pagemap entry tells none of
 * that, but PAGEMAP_SCAN does (PAGE_IS_PFNZERO, PAGE_IS_HUGE): the
 * regions stage finds them, and each page is counted by the region it
 * lies in. Whether a mapping's file pages are
 * shmem (and a huge one hugetlb) is asked of /proc/kpageflags once per
 * mapping, or told by its name without it.
 */
#ifndef PAGEMAP_DUMP_SUMMARY_H
#define PAGEMAP_DUMP_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"
#include "maps.h"
#include "page.h"

struct summary {
	uint64_t page_size;
	int kflags_fd;		/* /proc/kpageflags, or -1 */
	size_t cursor;		/* in the batches' regions */
	char **hugetlbfs;	/* mount points of hugetlbfs */
	size_t nhugetlbfs;
	/* The mapping at hand: -1 not known yet, else 0 or 1. */
	const struct maps_entry *map;
	int shmem, hugetlb;
};

/*
 * Sets up the counting, with /proc/kpageflags open as kflags_fd (or -1;
 * the summary does not close it). Returns 0, or -1 when out of memory.
 */
int summary_init(struct summary *s, uint64_t page_size, int kflags_fd);

/* Starts on the pages of another process. */
void summary_begin_process(struct summary *s);

/* Moves on to the pages of mapping map. */
void summary_begin_mapping(struct summary *s, const struct maps_entry *map);

/*
 * Counts the pages of a batch (all selected) into sum: with pss (the
 * batch has map counts), PSS and USS too, and with the batch's flags KSM
 * pages; pages in the batch's regions as smaps counts the zero page and
 * huge mappings.
 */
void summary_count(struct summary *s, struct format_summary *sum,
    const struct page_batch *b, bool pss);

/*
 * Whether the process whose /proc directory is dirfd may map KSM pages,
 * so that the summary must read the flags of its pages: its ksm_stat
 * (Linux 6.1+) says it merged some, or there is no ksm_stat to say, on a
 * kernel with KSM.
 */
bool summary_may_have_ksm(int dirfd);

/* Adds the counts of a mapping to the total. */
void summary_add(struct format_summary *total,
    const struct format_summary *sum);

void summary_free(struct summary *s);

#endif

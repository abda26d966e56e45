/*
 * summary: the counts of --summary, page by page, as /proc/PID/smaps
 * keeps them.
 *
 * smaps leaves the shared zero page and hugetlb pages out of Rss and PSS
 * and counts PMD-mapped huge pages apart; the pagemap entry tells none of
 * that, but PAGEMAP_SCAN does (PAGE_IS_PFNZERO, PAGE_IS_HUGE), so the
 * regions of such pages are asked for once per process and each page is
 * counted by the region it lies in. Whether a mapping's file pages are
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
#include "walk.h"

struct summary {
	uint64_t page_size;
	int kflags_fd;		/* /proc/kpageflags, or -1 */
	/* The zero-page and huge regions of the process, ascending. */
	struct walk_scan_region *regions;
	size_t nregions, cap, cursor;
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

/* Forgets the regions of the process before. */
void summary_begin_process(struct summary *s);

/*
 * Asks PAGEMAP_SCAN of the pagemap file fd which pages in [start, end)
 * (page numbers, above those asked about before) are the zero page or
 * mapped huge, for the pages counted next. Returns 0, or -1 with errno
 * set: ENOTTY or EINVAL where the kernel has no PAGEMAP_SCAN, ENOMEM,
 * ESRCH.
 */
int summary_scan(struct summary *s, int fd, uint64_t start, uint64_t end);

/* Moves on to the pages of mapping map. */
void summary_begin_mapping(struct summary *s, const struct maps_entry *map);

/*
 * Counts n pagemap entries, of pages vpn on, into sum: only those in want
 * (PM_PRESENT and/or PM_SWAPPED for -P/-S, 0 for all; PM_SWAPPED means
 * in swap); with mapcount (per entry), PSS and USS too, and with kflags
 * (per entry) KSM pages. entries NULL is n zero entries. Returns whether
 * a present page showed no PFN.
 */
bool summary_count(struct summary *s, struct format_summary *sum,
    uint64_t vpn, const uint64_t *entries, const uint64_t *mapcount,
    const uint64_t *kflags, uint64_t n, uint64_t want);

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

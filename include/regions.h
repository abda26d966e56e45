/*
 * regions: the stage that tells which pages are the zero page or mapped
 * huge (PAGEMAP_SCAN's PAGE_IS_PFNZERO and PAGE_IS_HUGE), which the
 * pagemap entry does not say. smaps counts such pages apart; so does the
 * summary.
 *
 * As each buffer of the reader comes, the regions of its pages are asked
 * for in one sweep over neighbouring mappings, so that the reader reads
 * on meanwhile; a batch then carries the regions found so far.
 */
#ifndef PAGEMAP_DUMP_REGIONS_H
#define PAGEMAP_DUMP_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "walk.h"

/* The zero-page and huge regions of a process, ascending, in pages. */
struct regions {
	struct walk_scan_region *v;
	size_t n, cap;
	uint64_t page_size;
};

/* Forgets the regions of the process before. */
void regions_reset(struct regions *r);

/*
 * Asks PAGEMAP_SCAN of the pagemap file fd which pages in [start, end)
 * (page numbers, above those asked about before) are the zero page or
 * mapped huge. Returns 0, or -1 with errno set: ENOTTY or EINVAL where
 * the kernel has no PAGEMAP_SCAN, ENOMEM, ESRCH.
 */
int regions_scan(struct regions *r, int fd, uint64_t start, uint64_t end);

/*
 * Asks for the regions of the pages of a buffer of the walk over spans:
 * one sweep over segments of neighbouring mappings (the kernel skips the
 * gaps between mappings; a mapping left out by -m, pages by -r, or a run
 * that the walk's own scan found empty ends a sweep). Returns 0, or -1
 * with errno set.
 */
int regions_scan_buffer(struct regions *r, int fd,
    const struct walk_span *spans, const struct walk_result *b);

void regions_free(struct regions *r);

#endif

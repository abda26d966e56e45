/*
 * nodes: the stage that gives each present page the NUMA node of its
 * frame (the node column, --by node).
 *
 * Where the PFNs are visible, the node of a frame is looked up in the
 * memory blocks of each node that sysfs lists (numa.h), read once: no
 * system call per page. Where they are not (not root), or sysfs lists no
 * memory blocks, move_pages(2) is asked in query mode, a batch of
 * addresses at a time, which needs read access to the process as ptrace
 * checks it. The zero page (and the huge one) has no node either way.
 */
#ifndef PAGEMAP_DUMP_NODES_H
#define PAGEMAP_DUMP_NODES_H

#include <stdbool.h>
#include <stdint.h>

#include "numa.h"
#include "page.h"

struct nodes {
	struct numa_map *map;	/* the sysfs layout; NULL: ask move_pages */
	struct numa_cursor cursor;
	uint64_t page_size;
	bool captured;		/* captured files: no process to ask */
	int pid;		/* whose pages move_pages is asked of */
	uint64_t *addrs, *found;	/* move_pages' addresses, and nodes */
	uint64_t queries;	/* move_pages calls, for PAGEMAP_DUMP_STATS */
	/*
	 * The frames of the shared zero page and of the huge zero page
	 * (0: not found), taken out of the map: they have no node here, as
	 * no process placed them, numa_maps leaves them out and move_pages
	 * does not tell theirs.
	 */
	uint64_t zero_pfn, huge_zero_pfn, huge_zero_end;
};

/*
 * Sets the stage up: the layout under sysfs_root (NULL: /sys, or the
 * directory PAGEMAP_DUMP_SYSFS names) where may_see_pfns, else
 * move_pages, which captured files cannot use. Returns 0, or -1 with a
 * message printed.
 */
int nodes_open(struct nodes *s, uint64_t page_size, bool may_see_pfns,
    bool captured);

/*
 * Starts on process pid (the number move_pages takes; 0 for this one).
 * Returns 0, or -1 with a message printed when move_pages may not be
 * asked about it.
 */
int nodes_begin_process(struct nodes *s, int pid);

/*
 * Whether the nodes come from the entries alone (sysfs), so that the
 * reader's thread can find them (nodes_stage), or from move_pages.
 */
bool nodes_from_entries(const struct nodes *s);

/*
 * The reader's stage (walk.h): the nodes of n entries, from sysfs, with
 * a cursor of the reader thread's own. ctx is the struct nodes.
 */
void nodes_stage(void *ctx, const uint64_t *entries, size_t n,
    uint64_t *out);

/*
 * Writes the node of each page of b to out[0..b->n) (NUMA_NODE_NONE for
 * pages that are not present). Returns 0, or -1 with errno set (from
 * move_pages: ESRCH when the process went away).
 */
int nodes_fill(struct nodes *s, const struct page_batch *b, uint64_t *out);

void nodes_free(struct nodes *s);

#endif

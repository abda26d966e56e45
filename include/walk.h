/*
 * walk: the pagemap entries of a list of page spans, read ahead.
 *
 * A second thread reads the entries while the caller formats the ones
 * before them, so reading and formatting overlap on two cores. When only
 * present or swapped pages matter, it asks the kernel with PAGEMAP_SCAN
 * (Linux 6.7+) which regions hold such pages and reads only those; the
 * pages between them come back as runs of zero entries, without a read.
 */
#ifndef PAGEMAP_DUMP_WALK_H
#define PAGEMAP_DUMP_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kpage.h"

/* The categories of PAGEMAP_SCAN (linux/fs.h; may be missing there). */
#define WALK_PAGE_IS_FILE	(UINT64_C(1) << 2)
#define WALK_PAGE_IS_PRESENT	(UINT64_C(1) << 3)
#define WALK_PAGE_IS_SWAPPED	(UINT64_C(1) << 4)
#define WALK_PAGE_IS_PFNZERO	(UINT64_C(1) << 5)
#define WALK_PAGE_IS_HUGE	(UINT64_C(1) << 6)
#define WALK_PAGE_IS_SOFT_DIRTY	(UINT64_C(1) << 7)

#define WALK_BUFFERS 3
#define WALK_LOOKERS 2	/* threads for the kpage files (on 2 cores) */
#define WALK_ENTRIES 65536	/* entries a buffer holds: one pread */
#define WALK_SEGMENTS 4096	/* segments a buffer holds */
#define WALK_REGIONS 1024	/* regions one PAGEMAP_SCAN call returns */
#define WALK_SCAN_FIRST 16384	/* pages the first scan of a pid covers */
#define WALK_SCAN_MAX (UINT64_C(1) << 40)
#define WALK_SCAN_GAP 64	/* empty pages read rather than a pread more */

/* Pages [vpn, end) (page numbers) of the mapping with index map. */
struct walk_span {
	uint64_t vpn;
	uint64_t end;
	size_t map;
};

/* Pages of one span: entries, or (entries NULL) n pages of zero entries. */
struct walk_segment {
	size_t span;
	uint64_t vpn;
	uint64_t n;
	const uint64_t *entries;
	const uint64_t *kpage[KPAGE_FILES];	/* per entry, when wanted */
	const uint64_t *values;		/* the stage's, per entry, or NULL */
};

enum walk_status {
	WALK_MORE,	/* more buffers follow */
	WALK_END,	/* every span was read */
	WALK_EXITED,	/* the process exited; error is ESRCH */
	WALK_FAILED,	/* a read failed; error says why */
};

/* A buffer handed to the caller: its segments, and how the walk goes on. */
struct walk_result {
	const struct walk_segment *segments;
	size_t nsegments;
	enum walk_status status;	/* after these segments */
	int error;
	const char *failed;		/* the file that failed */
};

/* What a walk cost, for PAGEMAP_DUMP_STATS. */
struct walk_stats {
	uint64_t preads, entries, scans;
};

/*
 * The fd to give walk_start for physical memory itself (--physical): the
 * entry of "page" PFN is made up as present at frame PFN, not read.
 */
#define WALK_PHYSICAL (-2)

struct walk_scan_region {
	uint64_t start, end, categories;
};

/*
 * A stage the reader thread runs on each buffer it has read, off the
 * caller's thread: fill writes a value for each of the n entries (out
 * has room for them) from the entries alone. The walk's own thread runs
 * it, so what ctx holds is touched by that thread only.
 */
struct walk_stage {
	void (*fill)(void *ctx, const uint64_t *entries, size_t n,
	    uint64_t *out);
	void *ctx;
};

struct walk;

/*
 * Tells whether PAGEMAP_SCAN may be used: not when the environment
 * variable PAGEMAP_DUMP_NO_SCAN is set (to compare both paths).
 */
bool walk_scan_allowed(void);

/*
 * Makes walk_scan answer for the file fd (a snapshot's pagemap, and
 * every descriptor of that file) from the n regions v, ascending, which
 * must outlive it: the queries for the zero page and huge mappings, as
 * PAGEMAP_SCAN answered them when the snapshot was taken; any other
 * query fails with ENOTTY. fd -1 forgets them all. Returns 0, or -1
 * with errno set.
 */
int walk_scan_emulate(int fd, const struct walk_scan_region *v, size_t n);

/*
 * One PAGEMAP_SCAN call on the pagemap file fd over pages [start, end)
 * (page numbers): the regions (page numbers too) with a category of
 * anyof, at most len of them, with the categories of return_mask. Sets
 * *reached to where the kernel got (past every region returned: on 6.18
 * its walk_end can lag behind them). Returns the number of regions, or
 * -1 with errno set (ENOTTY or EINVAL: no PAGEMAP_SCAN here).
 */
int walk_scan(int fd, uint64_t page_size, uint64_t start, uint64_t end,
    uint64_t anyof, uint64_t return_mask, struct walk_scan_region *vec,
    size_t len, uint64_t *reached);

/*
 * Starts walking the spans (in order) of the pagemap file fd. With
 * categories non-zero, only pages in one of those PAGEMAP_SCAN categories
 * are read and the rest come back as zero runs; when the kernel lacks
 * PAGEMAP_SCAN, everything is read. With kpage, the present pages are
 * also looked up in the kpage files it has open; with stage (or NULL),
 * it is run on the entries of each buffer (the segments' values).
 * Returns 0, or -1 with errno set.
 */
struct walk *walk_start(int fd, uint64_t page_size,
    const struct walk_span *spans, size_t nspans, uint64_t categories,
    struct kpage *kpage, const struct walk_stage *stage);

/* Waits for the next buffer; the caller gives it back with walk_release. */
const struct walk_result *walk_next(struct walk *w);

/* Gives a buffer back to be filled again. */
void walk_release(struct walk *w, const struct walk_result *r);

/*
 * Stops the reader (if still running) and frees everything (w NULL:
 * nothing). Returns what the walk cost.
 */
struct walk_stats walk_stop(struct walk *w);

#endif

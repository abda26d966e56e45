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

#include <pthread.h>
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
};

enum walk_status {
	WALK_MORE,	/* more buffers follow */
	WALK_END,	/* every span was read */
	WALK_EXITED,	/* the process exited; error is ESRCH */
	WALK_FAILED,	/* a read failed; error says why */
};

enum walk_state {
	BUFFER_EMPTY,	/* for the reader to fill */
	BUFFER_READ,	/* filled, for the looker to look up */
	BUFFER_READY,	/* for the caller */
};

struct walk_buffer {
	uint64_t *entries;
	uint64_t *kpage[KPAGE_FILES];	/* NULL for a file not wanted */
	size_t used;
	struct walk_segment *segments;
	size_t nsegments;
	enum walk_status status;	/* after these segments */
	int error;
	const char *failed;		/* the file that failed */
	enum walk_state state;
	unsigned int looked;		/* lookers done with it, a bit each */
};

struct walk_scan_region {
	uint64_t start, end, categories;
};

struct walk {
	int fd;
	uint64_t page_size;
	const struct walk_span *spans;
	size_t nspans;
	uint64_t categories;	/* PAGEMAP_SCAN anyof mask; 0: read all */
	struct kpage *kpage;	/* look up present pages there, or NULL */

	/* The reader's position. */
	size_t span;
	uint64_t cursor;	/* next page of the span to cover */
	bool span_checked;	/* its first entry was seen to exist */
	struct walk_scan_region *regions;
	size_t nregions, region;
	uint64_t scanned_to;	/* the scan has covered the span to here */
	uint64_t window;	/* pages the next scan covers at most */
	uint64_t plain_until;	/* read plainly, without scans, to here */
	enum walk_status final;
	int final_error;
	const char *final_file;

	/* What the walk cost, for PAGEMAP_DUMP_STATS. */
	uint64_t stat_preads;
	uint64_t stat_entries;
	uint64_t stat_scans;

	struct walk_buffer buffers[WALK_BUFFERS];
	void *memory;		/* what the buffers point into */
	size_t memory_size;
	size_t next_fill, next_take;
	bool threaded;		/* the reader thread runs */
	int nlookers;		/* looker threads running, 0 to 2 */
	bool stop;
	pthread_t thread;
	struct walk_looker {
		struct walk *w;
		int id;			/* looks up part id of nlookers */
		struct kpage *kpage;	/* its own buffers */
		struct kpage shared;	/* for the second one */
		pthread_t thread;
	} lookers[WALK_LOOKERS];
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

/*
 * Tells whether PAGEMAP_SCAN may be used: not when the environment
 * variable PAGEMAP_DUMP_NO_SCAN is set (to compare both paths).
 */
bool walk_scan_allowed(void);

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
 * also looked up in the kpage files it has open. Returns 0, or -1 with
 * errno set.
 */
int walk_start(struct walk *w, int fd, uint64_t page_size,
    const struct walk_span *spans, size_t nspans, uint64_t categories,
    struct kpage *kpage);

/* Waits for the next buffer; the caller gives it back with walk_release. */
const struct walk_buffer *walk_next(struct walk *w);

/* Gives a buffer back to be filled again. */
void walk_release(struct walk *w, const struct walk_buffer *b);

/* Stops the reader (if still running) and frees everything. */
void walk_stop(struct walk *w);

#endif

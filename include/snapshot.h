/*
 * snapshot: the memory of processes at one moment, as --record writes it
 * and --replay and --diff read it: for each process its maps text and
 * the pagemap entries that are not zero; for the frames they show, the
 * kpage values (flags, count, cgroup). The file format (version 1,
 * little-endian, checksummed sections) is described in snapshot.c and
 * in the man page; a file that is cut short or altered is refused whole.
 */
#ifndef PAGEMAP_DUMP_SNAPSHOT_H
#define PAGEMAP_DUMP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pagemap.h"

#define SNAPSHOT_VERSION 1
#define SNAPSHOT_RELEASE_MAX 64	/* bytes of the kernel release kept */
#define SNAPSHOT_COMM_MAX 64	/* bytes of a command name kept */

/* One pagemap entry that is not zero, at virtual page vpn. */
struct snapshot_entry {
	uint64_t vpn;
	uint64_t raw;
};

/*
 * A stretch of pages that PAGEMAP_SCAN put in categories (walk.h's
 * WALK_PAGE_IS_*: the zero page, huge mappings), end excluded.
 */
struct snapshot_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;	/* not 0 */
};

/* One process: its maps text and its entries, ascending by vpn. */
struct snapshot_process {
	int32_t pid;
	char comm[SNAPSHOT_COMM_MAX + 1];	/* NUL-terminated, may be "" */
	/*
	 * The maps text, maps_len bytes of any kind: the encoder needs no
	 * NUL after them, the decoder puts one there.
	 */
	char *maps;
	size_t maps_len;
	uint64_t task_end;	/* pages: where pagemap ends (reads stop) */
	struct snapshot_entry *entries;
	size_t nentries;
	/* Ascending, apart, never two touching with the same categories. */
	struct snapshot_region *regions;
	size_t nregions;
};

/* The kpage values of one frame. */
struct snapshot_frame {
	uint64_t pfn;
	uint64_t flags;		/* /proc/kpageflags */
	uint64_t count;		/* /proc/kpagecount */
	uint64_t cgroup;	/* /proc/kpagecgroup */
};

struct snapshot {
	uint64_t page_size;
	int64_t time_ns;	/* CLOCK_REALTIME when it was taken */
	char release[SNAPSHOT_RELEASE_MAX + 1];	/* uname -r, NUL-terminated */
	struct pagemap_swap_layout layout;
	bool has_kpage;		/* frames were read (root): else none */
	bool has_cgroup;	/* kpagecgroup was there */
	bool has_regions;	/* regions were scanned (PAGEMAP_SCAN) */
	/*
	 * Physical memory (--record --physical): no process, and the frames
	 * are every one walked, from the first to the last.
	 */
	bool physical;
	struct snapshot_process *procs;
	size_t nprocs;
	struct snapshot_frame *frames;	/* ascending by pfn, each once */
	size_t nframes;
};

/*
 * Encodes s into a malloc'd buffer (*data, *len). Entries must ascend by
 * vpn within a process and frames by pfn. Returns 0, or -1 with errno
 * set (ENOMEM; EINVAL for entries or frames out of order, and for what
 * the decoder would refuse: a zero entry, a vpn of UINT64_MAX, a pid
 * not above 0, a comm or release without its NUL, a page size that is
 * not a power of two of 1024 or more, frames without has_kpage, a
 * cgroup other than 0 without has_cgroup), *data NULL and *len 0.
 */
int snapshot_encode(const struct snapshot *s, unsigned char **data,
    size_t *len);

/*
 * Decodes len bytes into *s (everything malloc'd; snapshot_free frees
 * it). Returns 0, or -1 with errno set (EINVAL for a bad file, ENOMEM),
 * *s left empty, and a one-line reason in why (why_len bytes; why may be
 * NULL) naming what is wrong: "not a pagemap-dump snapshot (bad magic)",
 * "version 2 is not supported (this pagemap-dump reads 1)", "cut short
 * in the entries of pid 42", "checksum mismatch in the section of
 * process 2 of 3 (pid 42)", "3 trailing bytes after the end", ...
 * Never reads out of bounds, never allocates more than the input can
 * justify.
 */
int snapshot_decode(struct snapshot *s, const unsigned char *data,
    size_t len, char *why, size_t why_len);

/* Frees what s holds and empties it. */
void snapshot_free(struct snapshot *s);

/* The frame of pfn in s, or NULL (binary search). */
const struct snapshot_frame *snapshot_frame(const struct snapshot *s,
    uint64_t pfn);

#endif

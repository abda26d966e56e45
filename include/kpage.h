/*
 * kpage: what the kernel says of physical pages, by PFN, from
 * /proc/kpageflags, /proc/kpagecount and /proc/kpagecgroup.
 *
 * The PFNs of a process are scattered, but pages next to each other in
 * virtual memory are often next to each other in physical memory too, so
 * a batch is looked up in runs of nearby PFNs, one pread per run and file.
 */
#ifndef PAGEMAP_DUMP_KPAGE_H
#define PAGEMAP_DUMP_KPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "out.h"

/*
 * PFNs at most KPAGE_GAP apart are read together, KPAGE_RUN at most with
 * one pread. On 6.18 an entry read costs about half a pread, so only a
 * short gap pays: 4 read -A -s 13% faster than 32 did, and -o +kflags of
 * scattered pages 16% faster (tests/bench, issue 15's note).
 */
#define KPAGE_GAP 4
#define KPAGE_RUN 4096

enum kpage_file {
	KPAGE_FLAGS,
	KPAGE_COUNT,
	KPAGE_CGROUP,
	KPAGE_FILES
};

/* Entries first..last-1 of a batch, whose PFNs lie in lo..hi. */
struct kpage_run {
	uint64_t lo, hi;
	size_t first, last;
};

/*
 * When /proc/kpagecount need not be read. The pagemap entry of a present
 * page says whether the page is mapped exclusively (bit 56); where the
 * kernel keeps a map count per page (CONFIG_PAGE_MAPCOUNT, the default
 * up to 6.18 at least) it sets the bit exactly when that count is 1,
 * computed as /proc/kpagecount computes it. Elsewhere, for a page of a
 * large folio the bit means "mapped by this process only", which says
 * nothing of how often this process maps it; for a page of its own (not
 * compound) it still means a count of 1 everywhere.
 */
enum kpage_count_rule {
	KPAGE_COUNT_READ,	/* read the count of every present page */
	KPAGE_COUNT_SMALL,	/* 1 for exclusive pages that the flags show
				   are not compound; needs KPAGE_FLAGS */
	KPAGE_COUNT_EXCLUSIVE	/* 1 for every exclusive page */
};

struct kpage {
	int fd[KPAGE_FILES];	/* -1 when not wanted */
	bool own_fds;		/* kpage_free closes them */
	enum kpage_count_rule count_rule;	/* KPAGE_COUNT_READ by default */
	/*
	 * The entries are frames themselves (--physical), so PFN 0 is frame
	 * 0; else it is a PFN the kernel hid, not looked up. False by
	 * default.
	 */
	bool frames;
	uint64_t preads[KPAGE_FILES];	/* how many, for PAGEMAP_DUMP_STATS */
	uint64_t *run;		/* KPAGE_RUN values read by one pread */
	struct kpage_run *runs;	/* at most one per entry of a batch */
	struct kpage_run *spare;	/* as many, for sorting them */
};

/* The path of a file under /proc. */
const char *kpage_path(enum kpage_file file);

/*
 * Sets up lookups of batches of up to batch entries in the files given
 * by fd (-1 for those not wanted); kpage takes the descriptors (and
 * closes them when it fails). Returns 0, or -1 when out of memory.
 */
int kpage_init(struct kpage *k, int flags_fd, int count_fd, int cgroup_fd,
    size_t batch);

/*
 * Looks up the n pagemap entries: for each present one, the values of the
 * wanted files at its PFN; 0 for the others and for PFNs beyond the end
 * of the files. out[file] is NULL for a file not wanted. The count of a
 * page that count_rule knows to be mapped once is 1, without a read; with
 * KPAGE_COUNT_SMALL the flags are read first, then the other counts.
 * Returns 0, or -1 with errno set and *failed naming the file that could
 * not be read.
 */
int kpage_lookup(struct kpage *k, const uint64_t *entries, size_t n,
    uint64_t *const out[KPAGE_FILES], enum kpage_file *failed);

/*
 * Sets up a second kpage on the files of from (which keeps them, even
 * when this fails), with its count_rule, so that two threads can look up
 * at once. Returns 0, or -1 when out of memory.
 */
int kpage_share(struct kpage *k, const struct kpage *from, size_t batch);

/* Closes the files (unless shared) and frees the buffers. */
void kpage_free(struct kpage *k);

/*
 * The name of flag bit bit ("lru", "thp"), or NULL when the bit has none.
 */
const char *kpage_flag_name(unsigned int bit);

/*
 * Writes the names of the set flags, comma-separated, to dst, which holds
 * KPAGE_NAMES_MAX bytes; returns the length. Bits without a name are
 * written as "bitN".
 */
#define KPAGE_NAMES_MAX 512
size_t kpage_flag_names(char *dst, uint64_t flags);

/*
 * Parses a -k list: flag names, comma-separated, each optionally
 * prefixed with '~' to ask for its absence. Returns 0 with *want and
 * *refuse set, or -1 with why set (naming the valid flags).
 */
int kpage_parse_flags(const char *list, uint64_t *want, uint64_t *refuse,
    char *why, size_t whylen);

#endif

/*
 * pagemap: reading /proc/PID/pagemap in batches, and decoding its entries.
 *
 * One little-endian 64-bit entry per virtual page; the entry of the page
 * with number vpn (address / page size) is at file offset vpn * 8.
 */
#ifndef PAGEMAP_DUMP_PAGEMAP_H
#define PAGEMAP_DUMP_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PM_PFN_BITS		55
#define PM_PFN_MASK		((UINT64_C(1) << PM_PFN_BITS) - 1)
#define PM_SWAP_TYPE_BITS	5
#define PM_SOFT_DIRTY		(UINT64_C(1) << 55)
#define PM_EXCLUSIVE		(UINT64_C(1) << 56)
#define PM_UFFD_WP		(UINT64_C(1) << 57)
#define PM_GUARD		(UINT64_C(1) << 58)
#define PM_FILE_SHARED		(UINT64_C(1) << 61)
#define PM_SWAPPED		(UINT64_C(1) << 62)
#define PM_PRESENT		(UINT64_C(1) << 63)

/* Every field of one entry. Fields that do not apply read as zero. */
struct pagemap_entry {
	uint64_t raw;
	uint64_t pfn;		/* only when present */
	uint64_t swap_offset;	/* only when swapped */
	unsigned int swap_type;	/* only when swapped */
	bool soft_dirty;
	bool exclusive;
	bool uffd_wp;
	bool guard;
	bool file_shared;
	bool swapped;
	bool present;
};

/* Decodes one raw entry. */
void pagemap_decode(uint64_t raw, struct pagemap_entry *entry);

/*
 * Reads the entries of count pages starting at page number vpn from the
 * pagemap file fd into buf (or, alike, count values from index vpn of a
 * /proc/kpage* file), retrying on EINTR and short reads. Returns the
 * number of entries read, which is less than count only where the file has
 * no more entries (above the task's address space, or after the process has
 * exited), or -1 with errno set.
 */
long pagemap_read(int fd, uint64_t vpn, uint64_t *buf, size_t count);

/*
 * Tells whether the process behind an open pagemap file still has an
 * address space: 1 if it has, 0 if it has gone, -1 with errno set on an
 * error other than the process having gone.
 */
int pagemap_alive(int fd);

#endif

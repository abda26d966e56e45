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

/*
 * What an entry stands for. The kernel sets bit 62 (swapped) for every
 * non-present entry kept in swap format: besides pages in swap, the PTE
 * markers (uffd-wp, guard region, poison) and migration, hwpoison and
 * device entries, told apart by the swap type in bits 0-4.
 */
enum pagemap_state {
	PAGEMAP_NONE,		/* no page: never touched, or given back */
	PAGEMAP_PRESENT,	/* in memory */
	PAGEMAP_SWAP,		/* in a swap area */
	PAGEMAP_GUARD,		/* a guard-region marker */
	PAGEMAP_UFFD_WP,	/* a uffd-wp marker on an unpopulated page */
	PAGEMAP_MIGRATION,	/* being migrated */
	PAGEMAP_HWPOISON,	/* poisoned memory, or a poison marker */
	PAGEMAP_DEVICE,		/* device-private or device-exclusive */
	PAGEMAP_OTHER,		/* a swap-format entry of no known kind */
	PAGEMAP_STATES
};

/*
 * Where the special swap types lie (include/linux/swap.h): upward from
 * max_swapfiles, hwpoison (CONFIG_MEMORY_FAILURE), three migration types
 * (CONFIG_MIGRATION) and the device types (CONFIG_DEVICE_PRIVATE, three
 * since 6.15), then the PTE marker type, always the last (31). A count
 * of 0 means the kernel has none of that kind.
 */
struct pagemap_swap_layout {
	unsigned int max_swapfiles;	/* the types of swap areas are below */
	unsigned int nhwpoison, nmigration, ndevice;
};

#define PM_SWAP_MARKER		31	/* the PTE marker swap type */
#define PM_MARKER_UFFD_WP	1	/* marker bits, in the swap offset */
#define PM_MARKER_POISONED	2
#define PM_MARKER_GUARD		4

/* Every field of one entry. Fields that do not apply read as zero. */
struct pagemap_entry {
	uint64_t raw;
	uint64_t pfn;		/* only when present */
	uint64_t swap_offset;	/* only in swap (PAGEMAP_SWAP) */
	unsigned int swap_type;	/* only in swap */
	enum pagemap_state state;
	bool soft_dirty;
	bool exclusive;
	bool uffd_wp;
	bool guard;
	bool file_shared;
	bool swapped;		/* bit 62, as the kernel sets it */
	bool present;
};

/* Decodes one raw entry. */
void pagemap_decode(uint64_t raw, struct pagemap_entry *entry);

/*
 * What a raw entry stands for, by the swap layout in use. Without
 * CAP_SYS_ADMIN the kernel zeroes the swap type and offset: then only a
 * guard marker (bit 58) can be told from a page in swap.
 */
enum pagemap_state pagemap_state(uint64_t raw);

/* The name of a state: "present", "swap", "guard", "uffd-wp", ... */
const char *pagemap_state_name(enum pagemap_state state);

/*
 * The layout of the running kernel: from /boot/config-RELEASE when it is
 * there; otherwise CONFIG_MEMORY_FAILURE is told by its sysctl
 * (vm.memory_failure_early_kill), CONFIG_MIGRATION is taken as set and
 * CONFIG_DEVICE_PRIVATE as not. Reads the files once.
 */
void pagemap_swap_layout_detect(struct pagemap_swap_layout *layout);

/*
 * The layout a kernel configuration text gives (CONFIG_X=y lines; the
 * others are off). Returns it.
 */
struct pagemap_swap_layout pagemap_swap_layout_from_config(const char *text,
    size_t len);

/* Sets the layout pagemap_state and pagemap_decode go by. */
void pagemap_set_swap_layout(const struct pagemap_swap_layout *layout);

/* The layout they go by now. */
struct pagemap_swap_layout pagemap_swap_layout(void);

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

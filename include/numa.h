/*
 * numa: the NUMA node of physical frames, from sysfs, without a system
 * call per page.
 *
 * /sys/devices/system/memory/block_size_bytes gives the size of a memory
 * block (hex); each node directory /sys/devices/system/node/nodeN lists
 * its blocks as entries memoryM, and block M covers the physical bytes
 * [M * block size, (M + 1) * block size). numa_open reads that layout
 * once into a sorted table of PFN ranges, each of one node; a lookup
 * then costs a comparison or two (a cursor remembers the last range hit)
 * or a binary search.
 *
 * Where the PFNs are hidden (not root) or sysfs has no memory blocks,
 * numa_query asks the kernel instead, by address, with move_pages(2).
 */
#ifndef PAGEMAP_DUMP_NUMA_H
#define PAGEMAP_DUMP_NUMA_H

#include <stddef.h>
#include <stdint.h>

/* The node of a frame in no memory block, or of a page not present. */
#define NUMA_NODE_NONE UINT64_MAX

/* Node numbers above this are refused as malformed (the kernel: 1024). */
#define NUMA_NODE_MAX 65535

/* The addresses numa_query passes to one call of move_pages(2). */
#define NUMA_QUERY_BATCH 1024

/* The node layout: read-only once made, so threads may share it. */
struct numa_map;

/*
 * Where the last lookup was: the range it found, or the one before the
 * hole it fell in. Zero it (NUMA_CURSOR_INIT) before the first lookup.
 * Each thread keeps its own; a cursor from another map is harmless (it
 * is checked, and only ever makes a lookup slower).
 */
struct numa_cursor {
	size_t at;
};

#define NUMA_CURSOR_INIT { 0 }

/*
 * Reads the node layout under root ("/sys" live, a fixture directory in
 * tests): root/devices/system/memory/block_size_bytes (hex, with or
 * without 0x, an optional newline) and the entries memoryM (M decimal;
 * a symlink, file or directory alike) of root/devices/system/node/nodeN.
 * page_size is the system's page size, a power of two that divides the
 * block size. Adjacent blocks of one node become one range. A block
 * listed under two nodes goes to the lower one and is counted as a
 * conflict (numa_conflicts), not an error.
 * Returns the map, or NULL with errno set: ENOENT when there is no such
 * tree or it lists no memory block at all (a kernel without CONFIG_NUMA
 * or without the memory-hotplug sysfs: the caller falls back on
 * numa_query); EINVAL for a malformed block_size_bytes (not hex, empty,
 * 0, not a multiple of page_size), a bad page_size, or a node or block
 * number out of range; ENOMEM; or the errno of a failed open or read.
 */
struct numa_map *numa_open(const char *root, uint64_t page_size);

/*
 * The node of frame pfn, or NUMA_NODE_NONE when no memory block holds
 * it. c is the caller's cursor, moved to where pfn was found; NULL for
 * none (a binary search every time). Nearby PFNs in a row are the fast
 * case, but any order gives the right answer.
 */
uint64_t numa_node_of(const struct numa_map *m, struct numa_cursor *c,
    uint64_t pfn);

/*
 * For n pagemap entries (the raw words of /proc/PID/pagemap: bit 63
 * present, bits 0-54 the PFN), sets out[i] to the node of entry i's
 * PFN; NUMA_NODE_NONE for entries not present, of PFN 0 (PFNs hidden
 * from callers without CAP_SYS_ADMIN) or in no block. c as for
 * numa_node_of.
 */
void numa_lookup(const struct numa_map *m, struct numa_cursor *c,
    const uint64_t *entries, size_t n, uint64_t *out);

/*
 * How many nodes the map has: the highest node number + 1, counting the
 * node directories without memory too. A lookup gives less, or
 * NUMA_NODE_NONE.
 */
unsigned numa_nodes(const struct numa_map *m);

/* How many ranges of PFNs the map holds (adjacent blocks merged). */
size_t numa_ranges(const struct numa_map *m);

/* How many blocks were listed under more than one node. */
size_t numa_conflicts(const struct numa_map *m);

/*
 * Takes frames lo..hi-1 out of the map (they read NUMA_NODE_NONE after),
 * where they lie within one range; elsewhere nothing changes. Ranges may
 * then be empty (start == end), which no frame is in. Returns 0, or -1
 * when out of memory.
 */
int numa_exclude(struct numa_map *m, uint64_t lo, uint64_t hi);

/* Frees the map; NULL is harmless. */
void numa_free(struct numa_map *m);

/*
 * The fallback, by address: for the n addresses addrs of process pid (0
 * for the caller), sets out[i] to the node of the page there, or
 * NUMA_NODE_NONE where the kernel gives an error for that page (-ENOENT:
 * not present; -EFAULT: not mapped). Calls move_pages(2) with no target
 * nodes, which only asks, NUMA_QUERY_BATCH addresses at a time.
 * Returns 0, or -1 with errno set (out is then partly written): EPERM
 * when the caller may not read pid (it needs ptrace read access since
 * Linux 4.13; before, the same user or CAP_SYS_NICE), ESRCH when there
 * is no such process, ENOSYS on a kernel without NUMA or page migration.
 */
int numa_query(int pid, const uint64_t *addrs, size_t n, uint64_t *out);

#endif

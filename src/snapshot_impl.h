/*
 * snapshot_impl: what the snapshot codec's files share: the CRC, the
 * little-endian reads, the code of an entry's high bits, the palettes.
 */
#ifndef PAGEMAP_DUMP_SNAPSHOT_IMPL_H
#define PAGEMAP_DUMP_SNAPSHOT_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* The distinct values of a field, in the order they were met. */
struct palette {
	uint64_t *values;
	size_t n, cap;
	size_t *slots;		/* a hash of values: index + 1, or 0 */
	size_t nslots;		/* a power of two, above 2n; or 0 */
};

/* Fills table for snap_crc32. */
void snap_crc_init(uint32_t table[256]);

/* The CRC-32 of n bytes at p (see snapshot.c). */
uint32_t snap_crc32(const uint32_t table[256], const unsigned char *p,
    size_t n);

/* The n bytes at p, little-endian. */
uint64_t snap_le(const unsigned char *p, size_t n);

/* Bits 55 to 63 of an entry as their code, and back (see snapshot.c). */
uint64_t snap_high_code(uint64_t raw);
uint64_t snap_high_bits(uint64_t code);

/* The index of v in the palette, or its size when v is not in it. */
size_t snap_palette_find(const struct palette *pl, uint64_t v);

/* Adds v (not in it) to the palette. Returns 0, or -1 out of memory. */
int snap_palette_add(struct palette *pl, uint64_t v);

void snap_palette_free(struct palette *pl);

#endif

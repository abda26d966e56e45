/*
 * snapshot_impl: the CRC, the little-endian reads, the code of an entry's
 * high bits and the palettes of the snapshot codec (see snapshot.c).
 */
#include "snapshot_impl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Fills table for crc32: the CRC of each byte alone, without the xors. */
void
snap_crc_init(uint32_t table[256])
{
	uint32_t c;
	int i, k;

	for (i = 0; i < 256; i++) {
		for (c = (uint32_t)i, k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ c >> 1 : c >> 1;
		table[i] = c;
	}
}

/* The CRC-32 of zlib of n bytes at p, a byte at a time. */
uint32_t
snap_crc32(const uint32_t table[256], const unsigned char *p, size_t n)
{
	uint32_t crc = 0xffffffff;

	while (n-- > 0)
		crc = table[(crc ^ *p++) & 0xff] ^ crc >> 8;
	return crc ^ 0xffffffff;
}

/* The n-byte little-endian integer at p. */
uint64_t
snap_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/* The bits 55 to 63 of an entry, in the order of their code's bits. */
static const unsigned char code_bit[9] = { 63, 62, 61, 56, 57, 58, 55, 59,
	60 };

/* The code of the high bits of entry raw. */
uint64_t
snap_high_code(uint64_t raw)
{
	uint64_t code = 0;
	int i;

	for (i = 0; i < 9; i++)
		code |= (raw >> code_bit[i] & 1) << i;
	return code;
}

/* The high bits of an entry that code (below 512) stands for. */
uint64_t
snap_high_bits(uint64_t code)
{
	uint64_t raw = 0;
	int i;

	for (i = 0; i < 9; i++)
		raw |= (code >> i & 1) << code_bit[i];
	return raw;
}

/* ---- palettes ------------------------------------------------------------ */


static size_t
slot_of(uint64_t v, size_t nslots)
{
	v *= UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(v ^ v >> 29) & (nslots - 1);
}

/* The index of v in pl, or SIZE_MAX. */
size_t
snap_palette_find(const struct palette *pl, uint64_t v)
{
	size_t i;

	if (pl->nslots == 0)
		return SIZE_MAX;
	for (i = slot_of(v, pl->nslots); pl->slots[i] != 0;
	    i = (i + 1) & (pl->nslots - 1))
		if (pl->values[pl->slots[i] - 1] == v)
			return pl->slots[i] - 1;
	return SIZE_MAX;
}

/* Puts index i of pl in its hash. */
static void
palette_slot(struct palette *pl, size_t i)
{
	size_t at = slot_of(pl->values[i], pl->nslots);

	while (pl->slots[at] != 0)
		at = (at + 1) & (pl->nslots - 1);
	pl->slots[at] = i + 1;
}

/* Adds v, which is not in pl. Returns 0, or -1 when out of memory. */
int
snap_palette_add(struct palette *pl, uint64_t v)
{
	size_t cap, nslots, i, *slots;
	uint64_t *values;

	if (pl->n == pl->cap) {
		cap = pl->cap > 0 ? pl->cap * 2 : 16;
		if (cap > SIZE_MAX / 4 / sizeof(*slots))
			return -1;
		values = realloc(pl->values, cap * sizeof(*values));
		if (values == NULL)
			return -1;
		pl->values = values;
		pl->cap = cap;
	}
	pl->values[pl->n++] = v;
	if (pl->n * 2 < pl->nslots) {
		palette_slot(pl, pl->n - 1);
		return 0;
	}
	/* A hash twice as large: it is half full now. */
	nslots = pl->nslots > 0 ? pl->nslots * 2 : 4;
	slots = calloc(nslots, sizeof(*slots));
	if (slots == NULL) {
		pl->n--;
		return -1;
	}
	free(pl->slots);
	pl->slots = slots;
	pl->nslots = nslots;
	for (i = 0; i < pl->n; i++)
		palette_slot(pl, i);
	return 0;
}

void
snap_palette_free(struct palette *pl)
{
	free(pl->values);
	free(pl->slots);
	memset(pl, 0, sizeof(*pl));
}


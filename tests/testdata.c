/*
 * testdata: the page-flag names and the escaped code points, written out
 * once for every test; see testdata.h.
 */
#include "testdata.h"

#include <stdio.h>

const char *const tl_flag_names[64] = {
	[0] = "locked", [1] = "error", [2] = "referenced", [3] = "uptodate",
	[4] = "dirty", [5] = "lru", [6] = "active", [7] = "slab",
	[8] = "writeback", [9] = "reclaim", [10] = "buddy", [11] = "mmap",
	[12] = "anon", [13] = "swapcache", [14] = "swapbacked",
	[15] = "compound_head", [16] = "compound_tail", [17] = "huge",
	[18] = "unevictable", [19] = "hwpoison", [20] = "nopage",
	[21] = "ksm", [22] = "thp", [23] = "offline", [24] = "zero_page",
	[25] = "idle", [26] = "pgtable",
	[32] = "reserved", [33] = "mlocked", [34] = "owner_2",
	[35] = "private", [36] = "private_2", [37] = "owner_private",
	[38] = "arch", [39] = "uncached", [40] = "softdirty", [41] = "arch_2",
};

void
tl_flag_names_of(uint64_t flags, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int bit;
	char tmp[8];

	buf[0] = '\0';
	for (bit = 0; bit < 64; bit++) {
		const char *name = tl_flag_names[bit];
		if (!(flags & UINT64_C(1) << bit))
			continue;
		/* Overloaded bits read for what they mean (page-types). */
		if (bit == 34 && (flags & UINT64_C(1) << 12))
			name = "anon_exclusive";
		else if ((bit == 6 || bit == 1) && (flags & UINT64_C(1) << 7))
			name = bit == 6 ? "slub_frozen" : "slub_debug";
		else if (bit == 9 && !(flags & UINT64_C(1) << 8))
			name = "readahead";
		if (name == NULL) {
			snprintf(tmp, sizeof(tmp), "bit%u", bit);
			name = tmp;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? "," : "", name);
	}
}

const uint32_t tl_escaped_ranges[][2] = {
	{ 0x0080, 0x009f },	/* C1 */
	{ 0x00ad, 0x00ad }, { 0x061c, 0x061c }, { 0x180e, 0x180e },
	{ 0x200b, 0x200f },	/* ZWSP to RLM */
	{ 0x2028, 0x202e },	/* LS, PS, LRE to RLO */
	{ 0x2060, 0x2064 },	/* WJ, invisible operators */
	{ 0x2066, 0x206f },	/* LRI to PDI, deprecated format */
	{ 0xfeff, 0xfeff },	/* BOM */
	{ 0x1bca0, 0x1bca3 },	/* shorthand format controls */
	{ 0x1d173, 0x1d17a },	/* musical format controls */
	{ 0xe0001, 0xe0001 }, { 0xe0020, 0xe007f },	/* tags */
};
const size_t tl_nescaped_ranges =
    sizeof(tl_escaped_ranges) / sizeof(tl_escaped_ranges[0]);

bool
tl_escaped_code_point(uint32_t cp)
{
	size_t i;

	for (i = 0; i < tl_nescaped_ranges; i++)
		if (cp >= tl_escaped_ranges[i][0] &&
		    cp <= tl_escaped_ranges[i][1])
			return true;
	return false;
}

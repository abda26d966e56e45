/*
 * testdata: facts the tests check the tool against, written out once
 * from their sources (linux/kernel-page-flags.h, escape.h and the man
 * page) rather than taken from src/, so that a mistake there shows. It
 * needs no cmocka: the fuzz targets use it too.
 */
#ifndef PAGEMAP_DUMP_TESTDATA_H
#define PAGEMAP_DUMP_TESTDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The page-flag names of linux/kernel-page-flags.h by bit; NULL: none. */
extern const char *const tl_flag_names[64];

/*
 * Writes the names of flags as the kflags column shows them: by bit,
 * comma-separated, "bitN" for a bit without a name.
 */
void tl_flag_names_of(uint64_t flags, char *buf, size_t len);

/*
 * The code points escaped beyond C0 and DEL, as first-last ranges: C1,
 * the invisible format characters, the line and paragraph separators
 * and the bidirectional controls.
 */
extern const uint32_t tl_escaped_ranges[][2];
extern const size_t tl_nescaped_ranges;

/* Whether cp is in tl_escaped_ranges. */
bool tl_escaped_code_point(uint32_t cp);

#endif

/*
 * format: one row per page, written into an out buffer.
 *
 * A row is a list of columns. The name of the mapping is escaped once per
 * mapping (format_set_mapping), not once per page.
 */
#ifndef PAGEMAP_DUMP_FORMAT_H
#define PAGEMAP_DUMP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "out.h"
#include "pagemap.h"

enum format_column {
	COL_PID,
	COL_ADDR,
	COL_PFN,
	COL_SOFT_DIRTY,
	COL_FILE,
	COL_SWAPPED,
	COL_PRESENT,
	COL_EXCLUSIVE,
	COL_UFFD_WP,
	COL_GUARD,
	COL_SWAP_TYPE,
	COL_SWAP_OFFSET,
	COL_PADDR,
	COL_PERMS,
	COL_OFFSET,
	COL_DEV,
	COL_INODE,
	COL_NAME,
	COL_COUNT
};

/* The default columns: addr pfn soft-dirty file swapped present name. */
extern const enum format_column format_default_columns[];
extern const size_t format_default_ncolumns;

/* One page to print. */
struct format_row {
	uint64_t addr;			/* address of the page */
	const struct pagemap_entry *entry;
	const struct maps_entry *map;	/* the mapping holding it */
	uint64_t page_size;
	int pid;
};

struct format {
	enum format_column cols[COL_COUNT * 4];
	size_t ncols;
	char *name;		/* the current mapping's name, escaped */
	size_t name_len;
	size_t name_cap;
};

/*
 * Sets up a formatter for the given columns (at most COL_COUNT * 4).
 * Returns 0, or -1 with errno EINVAL when there are too many.
 */
int format_init(struct format *f, const enum format_column *cols,
    size_t ncols);

/* The header of a column, as printed. */
const char *format_column_header(enum format_column col);

/* Writes the header line. Returns 0, or -1 with out->error set. */
int format_header(struct format *f, struct out *out);

/*
 * Prepares the rows of a mapping (escapes its name). Returns 0, or -1 with
 * errno set when out of memory.
 */
int format_set_mapping(struct format *f, const struct maps_entry *map);

/*
 * Writes one row for a page of the mapping last given to
 * format_set_mapping. Returns 0, or -1 with out->error set.
 */
int format_row(struct format *f, struct out *out,
    const struct format_row *row);

/* Frees what the formatter holds. */
void format_free(struct format *f);

#endif

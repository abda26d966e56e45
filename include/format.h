/*
 * format: rows written into an out buffer, as text, TSV, CSV or JSON Lines.
 *
 * A format is data (struct format_style in format_impl.h: separator,
 * quoting, how booleans read, whether there is a header); a row is a list
 * of columns from the registry (column.h). The name of the mapping is
 * escaped once per mapping (format_set_mapping), not once per page, and
 * rows are written by hand, without printf.
 */
#ifndef PAGEMAP_DUMP_FORMAT_H
#define PAGEMAP_DUMP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "out.h"
#include "pagemap.h"

#define FORMAT_MAX_COLUMNS 64

/* The formats built in, by index into their table. */
enum format_kind {
	FORMAT_TEXT,
	FORMAT_TSV,
	FORMAT_CSV,
	FORMAT_JSON,
};

/* One page to print. */
struct format_row {
	uint64_t addr;			/* address of the page */
	const struct pagemap_entry *entry;
	const struct maps_entry *map;	/* the mapping holding it */
	uint64_t page_size;
	uint64_t paddr_offset;		/* added to paddr (for -a) */
	uint64_t kflags;		/* /proc/kpageflags, when asked for */
	uint64_t mapcount;		/* /proc/kpagecount */
	uint64_t cgroup;		/* /proc/kpagecgroup */
	uint64_t folio;			/* the folio stage's value */
	uint64_t node;			/* the frame's NUMA node */
	uint64_t pages;			/* --ranges: pages in the run */
	int pid;
};

/*
 * The counts of one mapping (or the total) for --summary, in pages but
 * for the PSS ones. What smaps calls Rss leaves out the shared zero page
 * and hugetlb pages, which are counted apart.
 */
struct format_summary {
	const struct maps_entry *map;	/* NULL for the total row */
	int pid;
	uint64_t pages;
	uint64_t present;
	uint64_t swapped;	/* in swap (not the markers of bit 62) */
	uint64_t file_shared;
	uint64_t soft_dirty;
	uint64_t exclusive;
	uint64_t rss;		/* present, but zero-page and hugetlb pages */
	/* PSS as the kernel sums it: bytes << FORMAT_PSS_SHIFT. */
	uint64_t pss, pss_anon, pss_file, pss_shmem;
	uint64_t uss;		/* pages mapped once, with has_pss */
	uint64_t shared, private_;	/* of rss: mapped more than once, once */
	uint64_t zero;		/* the shared zero page (and the huge one) */
	uint64_t ksm;		/* of rss, KSM pages */
	uint64_t anon_pmd, shmem_pmd, file_pmd;	/* of rss, PMD-mapped */
	uint64_t hugetlb_shared, hugetlb_private;
	uint64_t page_size;
	/* With --by: a page of the row's, for its key columns; or NULL. */
	const struct format_row *key;
	const char *comm;	/* --totals: the command name, or NULL */
};

/*
 * PSS is summed in the kernel's fixed point (PSS_SHIFT in task_mmu.c):
 * a page mapped n times adds (page size << FORMAT_PSS_SHIFT) / n, and
 * the sum is truncated to whole KiB when printed, as smaps does.
 */
#define FORMAT_PSS_SHIFT 12

struct format;

/*
 * A formatter for the given columns (registry indexes, at most
 * FORMAT_MAX_COLUMNS) in a format. Returns it, or NULL with errno set
 * (EINVAL: too many columns, or no such format).
 */
struct format *format_new(enum format_kind kind, const unsigned *cols,
    size_t ncols);

/* Looks a format up by name. Returns 0, or -1 when there is none. */
int format_kind_by_name(const char *name, enum format_kind *kind);

/* The names of the formats, comma-separated ("text,tsv,csv,json"). */
const char *format_names(void);

/* Whether the format has a header line (JSON Lines has none). */
bool format_has_header(const struct format *f);

/*
 * Which summary columns can be shown (SUMMARY_* of column.h): the
 * others are left out of the summary rows and header.
 */
void format_set_summary(struct format *f, unsigned have);

/*
 * Writes the header line (none for JSON). Returns 0, or -1 with
 * out->error set.
 */
int format_header(struct format *f, struct out *out);

/*
 * Prepares the rows of a mapping (escapes its name for the format).
 * Returns 0, or -1 with errno set when out of memory.
 */
int format_set_mapping(struct format *f, const struct maps_entry *map);

/*
 * Writes the rows of n pages with zero entries from addr on, when the
 * columns are the default ones (returns 1 otherwise, writing nothing):
 * one suffix for them all, after each address. Returns 0, or -1 with
 * out->error set.
 */
int format_empty_rows(struct format *f, struct out *out, uint64_t addr,
    uint64_t n, uint64_t page_size);

/*
 * Writes one row for a page of the mapping last given to
 * format_set_mapping. Returns 0, or -1 with out->error set.
 */
int format_row(struct format *f, struct out *out,
    const struct format_row *row);

/*
 * The columns (registry indexes, at most FORMAT_MAX_COLUMNS) that split
 * the summary rows (--by): written after perms, from the row's key.
 */
void format_set_summary_keys(struct format *f, const unsigned *cols,
    size_t n);

/* Writes the summary header line (none for JSON). */
int format_summary_header(struct format *f, struct out *out);

/*
 * Writes one summary row: a mapping (given to format_set_mapping before)
 * or, with map NULL, the total. Returns 0, or -1 with out->error set.
 */
int format_summary_row(struct format *f, struct out *out,
    const struct format_summary *s);

/* Frees the formatter (NULL is fine). */
void format_free(struct format *f);

#endif

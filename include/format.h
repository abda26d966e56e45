/*
 * format: rows written into an out buffer, as text, TSV, CSV or JSON Lines.
 *
 * A row is a list of columns. The name of the mapping is escaped once per
 * mapping (format_set_mapping), not once per page, and rows are written by
 * hand, without printf.
 */
#ifndef PAGEMAP_DUMP_FORMAT_H
#define PAGEMAP_DUMP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kpage.h"
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
	COL_KFLAGS,
	COL_KFLAGS_HEX,
	COL_MAPCOUNT,
	COL_CGROUP,
	COL_STATE,
	COL_COUNT
};

#define FORMAT_MAX_COLUMNS 64

enum format_kind {
	FORMAT_TEXT,
	FORMAT_TSV,
	FORMAT_CSV,
	FORMAT_JSON,
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
	uint64_t paddr_offset;		/* added to paddr (for -a) */
	uint64_t kflags;		/* /proc/kpageflags, when asked for */
	uint64_t mapcount;		/* /proc/kpagecount */
	uint64_t cgroup;		/* /proc/kpagecgroup */
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
};

/* How many kflags texts a formatter keeps. */
#define FORMAT_KFLAGS_CACHE 4

/*
 * PSS is summed in the kernel's fixed point (PSS_SHIFT in task_mmu.c):
 * a page mapped n times adds (page size << FORMAT_PSS_SHIFT) / n, and
 * the sum is truncated to whole KiB when printed, as smaps does.
 */
#define FORMAT_PSS_SHIFT 12

struct format {
	enum format_kind kind;
	enum format_column cols[FORMAT_MAX_COLUMNS];
	size_t ncols;
	bool summary_pid;	/* summary rows start with the pid */
	bool summary_pss;	/* summary rows have pss-kib and uss-kib */
	bool summary_pss_class;	/* and pss-anon-kib, -file- and -shmem- */
	bool summary_scan;	/* zero-kib, the PMD and hugetlb columns */
	/*
	 * The kflags column of the last few distinct flag values, written
	 * out: neighbouring pages mostly share a handful of them.
	 */
	struct format_kflags {
		uint64_t flags;
		size_t len;	/* 0: not filled yet */
		char text[KPAGE_NAMES_MAX + 8];
	} kflags[FORMAT_KFLAGS_CACHE];
	unsigned int kflags_next;	/* the entry to replace next */
	size_t nkflags;		/* kflags columns in a row */
	size_t nnames;		/* name columns in a row */
	bool default_prefix;	/* the classic row (and maybe more columns
				   after it), in a text-like format */
	char sep;		/* the separator of a text-like format */
	char flag_text[16][8];	/* " 0 1 0 1" for each flag combination */
	char addr_text[32];	/* the last address: 16 hex digits, zeros */
	int addr_first;		/* its first significant digit */
	uint64_t addr_last;
	bool addr_valid;
	char *name;		/* the current mapping's name, escaped */
	size_t name_len;
	size_t name_cap;
	/*
	 * In text, a name with columns after it is one field: its blanks
	 * escaped too, and "-" when empty. name_mid says a row has one.
	 */
	bool name_mid;
	char *mid;
	size_t mid_len;
	size_t mid_cap;
};

/*
 * Sets up a formatter for the given columns (at most FORMAT_MAX_COLUMNS).
 * Returns 0, or -1 with errno EINVAL when there are too many.
 */
int format_init(struct format *f, enum format_kind kind,
    const enum format_column *cols, size_t ncols);

/* The name of a column in -o lists and JSON keys ("file", "name"). */
const char *format_column_name(enum format_column col);

/* The header of a column, as printed ("file/shared", "library"). */
const char *format_column_header(enum format_column col);

/* Whether a column needs /proc/kpage* (kflags, mapcount, cgroup). */
bool format_column_needs_kpage(enum format_column col);

/* Looks a column up by name (len bytes). Returns it, or -1. */
int format_column_by_name(const char *name, size_t len);

/* Looks a format up by name. Returns 0, or -1 when there is none. */
int format_kind_by_name(const char *name, enum format_kind *kind);

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
 * Writes one row for a page of the mapping last given to
 * format_set_mapping. Returns 0, or -1 with out->error set.
 */
int format_row(struct format *f, struct out *out,
    const struct format_row *row);

/* Writes the summary header line (none for JSON). */
int format_summary_header(struct format *f, struct out *out);

/*
 * Writes one summary row: a mapping (given to format_set_mapping before)
 * or, with map NULL, the total. Returns 0, or -1 with out->error set.
 */
int format_summary_row(struct format *f, struct out *out,
    const struct format_summary *s);

/* Frees what the formatter holds. */
void format_free(struct format *f);

#endif

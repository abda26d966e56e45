/*
 * column: the registry of every column the tool can print, per page and
 * per mapping (--summary), kept as util-linux's tools keep theirs: each
 * column's name, header, one-line help, the facts it needs, and its
 * writer, in one table (column.c). -o, -o help, the header line, which
 * kpage files are opened and the rows themselves all go by it, so a new
 * column is one entry there (and its line in the man page).
 */
#ifndef PAGEMAP_DUMP_COLUMN_H
#define PAGEMAP_DUMP_COLUMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct format;
struct format_row;
struct format_summary;

/* What a column is, beyond its value. */
enum column_kind {
	COLUMN_VALUE,	/* written by put */
	COLUMN_NAME,	/* the mapping's name, escaped once per mapping */
	COLUMN_LIST,	/* a list of names (kflags): the widest field */
};

/*
 * How a column's value goes along a run of pages, for --ranges: a run
 * goes on while every column's value does as its kind says.
 */
enum column_run {
	RUN_MAPPING,	/* the mapping's (name, perms, offset): runs end
			   with the mapping anyway */
	RUN_EQUAL,	/* the same on every page of a run */
	RUN_STEP,	/* up by one a page, or 0 all along (pfn) */
	RUN_STEP_PAGE,	/* up by the page size a page, or 0 (paddr) */
	RUN_ADDR,	/* the page's address: a run's start stands for it */
	RUN_OWN,	/* a run's own (start, end, pages): --ranges only */
};

struct column {
	const char *name;	/* in -o lists, and the JSON key */
	const char *header;	/* in the header line */
	const char *help;	/* one line, for -o help and the man page */
	unsigned needs;		/* PAGE_FACT_* beyond the entry */
	enum column_kind kind;
	/* Writes the value (no separator); returns the end. */
	char *(*put)(struct format *f, char *p, const struct format_row *r);
	enum column_run run;
	/* The value compared along a run (RUN_EQUAL and the steps). */
	uint64_t (*value)(const struct format_row *r);
};

/*
 * What a summary column needs to be shown at all: when the facts are
 * not to be had, the column is left out of the summary (not zeroed).
 */
enum summary_need {
	SUMMARY_PID = 1u << 0,		/* rows of several processes */
	SUMMARY_PSS = 1u << 1,		/* map counts (kpagecount) */
	SUMMARY_PSS_CLASS = 1u << 2,	/* and page flags (kpageflags) */
	SUMMARY_SCAN = 1u << 3,		/* PAGEMAP_SCAN's zero and huge */
	SUMMARY_MAPPINGS = 1u << 4,	/* rows of mappings (not --totals) */
	SUMMARY_TOTALS = 1u << 5,	/* --totals: a row per process */
};

struct summary_column {
	const char *name;
	const char *header;
	const char *help;
	unsigned needs;		/* SUMMARY_* */
	bool of_mapping;	/* the total row has no value (JSON leaves
				   the key out) */
	char *(*put)(struct format *f, char *p,
	    const struct format_summary *s);
	/* The value --sort orders by (largest first), or NULL for none. */
	uint64_t (*value)(const struct format_summary *s);
};

/* Looks a summary column up by name: its index, or -1. */
int summary_column_find(const char *name);

/* The page columns, and how many. */
extern const struct column column_table[];
extern const size_t column_count;

/* The summary columns, in the order of a summary row. */
extern const struct summary_column summary_column_table[];
extern const size_t summary_column_count;

/*
 * The default columns: addr pfn soft-dirty file swapped present name,
 * found by name in the table (once, before any thread starts).
 */
const unsigned *column_default_list(void);
#define column_defaults (column_default_list())
extern const size_t column_ndefaults;

/*
 * Looks a page column up by name (len bytes), as -o takes it: its index,
 * or -1 (for a run's own columns too, which -o cannot name).
 */
int column_find(const char *name, size_t len);

/* Looks up a run's own column (start, end, pages): its index, or -1. */
int column_find_own(const char *name);

/* The facts (PAGE_FACT_*) the columns need together. */
unsigned column_needs(const unsigned *cols, size_t n);

/* Writes every column with its help: page columns, then the summary's. */
void column_help(FILE *fp);

#endif

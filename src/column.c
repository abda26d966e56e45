/*
 * column: the registry of columns (see column.h). Each entry is a
 * column's name, header, help, needs and writer; nothing else in the tree
 * lists columns.
 */
#include "format_impl.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "folio.h"
#include "page.h"

static char *
put_pid(struct format *f, char *p, const struct format_row *r)
{
	(void)f;
	return put_dec(p, (uint64_t)r->pid);
}

static char *
put_addr_col(struct format *f, char *p, const struct format_row *r)
{
	if (f->style->quote_hex)
		p = put_str(p, "\"0x");
	p = put_addr(f, p, r->addr, r->page_size);
	if (f->style->quote_hex)
		*p++ = '"';
	return p;
}

static char *
put_pfn(struct format *f, char *p, const struct format_row *r)
{
	return put_hex(f, p, r->entry->pfn);
}

/* The columns of one field of the entry: its writer and its value. */
#define BIT_COLUMN(fn, field)						\
	static char *							\
	put_##fn(struct format *f, char *p, const struct format_row *r)	\
	{								\
		return put_flag(f, p, r->entry->field);			\
	}								\
	static uint64_t							\
	val_##fn(const struct format_row *r)				\
	{								\
		return r->entry->field;					\
	}
BIT_COLUMN(soft_dirty, soft_dirty)
BIT_COLUMN(file, file_shared)
BIT_COLUMN(swapped, swapped)
BIT_COLUMN(present, present)
BIT_COLUMN(exclusive, exclusive)
BIT_COLUMN(uffd_wp, uffd_wp)
BIT_COLUMN(guard, guard)

/* The values of the columns that are not one bit, along a run. */
#define VALUE(fn, expr)							\
	static uint64_t							\
	val_##fn(const struct format_row *r)				\
	{								\
		return (expr);						\
	}
VALUE(pid, (uint64_t)r->pid)
VALUE(pfn, r->entry->pfn)
VALUE(swap_type, r->entry->swap_type)
VALUE(swap_offset, r->entry->swap_offset)
VALUE(paddr, r->entry->present ? r->entry->pfn * r->page_size +
    r->paddr_offset : 0)
VALUE(kflags, r->kflags)
VALUE(mapcount, r->mapcount)
VALUE(cgroup, r->cgroup)
VALUE(state, (uint64_t)r->entry->state)
VALUE(folio, r->folio & FOLIO_ORDER_MASK)
VALUE(folio_map, (uint64_t)folio_class_of(r->folio))
VALUE(huge, (r->folio & FOLIO_HUGE) != 0)
VALUE(node, r->node)

/* A run's own columns: where it starts and ends, and its pages. */
static char *
put_start(struct format *f, char *p, const struct format_row *r)
{
	return put_hex(f, p, r->addr);
}

static char *
put_end(struct format *f, char *p, const struct format_row *r)
{
	return put_hex(f, p, r->addr + r->pages * r->page_size);
}

static char *
put_pages(struct format *f, char *p, const struct format_row *r)
{
	(void)f;
	return put_dec(p, r->pages);
}

static char *
put_swap_type(struct format *f, char *p, const struct format_row *r)
{
	(void)f;
	return put_dec(p, r->entry->swap_type);
}

static char *
put_swap_offset(struct format *f, char *p, const struct format_row *r)
{
	return put_hex(f, p, r->entry->swap_offset);
}

static char *
put_paddr(struct format *f, char *p, const struct format_row *r)
{
	const struct pagemap_entry *e = r->entry;

	return put_hex(f, p, e->present ?
	    e->pfn * r->page_size + r->paddr_offset : 0);
}

static char *
put_perms(struct format *f, char *p, const struct format_row *r)
{
	return put_word(f, p, r->map->perms, 4);
}

static char *
put_offset(struct format *f, char *p, const struct format_row *r)
{
	return put_hex(f, p, r->map->offset + (r->addr - r->map->start));
}

static char *
put_dev(struct format *f, char *p, const struct format_row *r)
{
	if (f->style->quote_words)
		*p++ = '"';
	p = put_hex_min(p, r->map->dev_major, 2);
	*p++ = ':';
	p = put_hex_min(p, r->map->dev_minor, 2);
	if (f->style->quote_words)
		*p++ = '"';
	return p;
}

static char *
put_inode(struct format *f, char *p, const struct format_row *r)
{
	(void)f;
	return put_dec(p, r->map->inode);
}

static char *
put_kflags_col(struct format *f, char *p, const struct format_row *r)
{
	return put_kflags(f, p, r->kflags);
}

static char *
put_kflags_hex(struct format *f, char *p, const struct format_row *r)
{
	return put_hex(f, p, r->kflags);
}

static char *
put_mapcount(struct format *f, char *p, const struct format_row *r)
{
	(void)f;
	return put_dec(p, r->mapcount);
}

static char *
put_cgroup(struct format *f, char *p, const struct format_row *r)
{
	(void)f;
	return put_dec(p, r->cgroup);
}

static char *
put_state(struct format *f, char *p, const struct format_row *r)
{
	const char *name = pagemap_state_name(r->entry->state);

	return put_word(f, p, name, strlen(name));
}

/* The folio's size in KiB: 0 without a frame. */
static uint64_t
folio_kib(const struct format_row *r)
{
	if (!folio_known(r->folio))
		return 0;
	return (r->page_size << folio_order(r->folio)) >> 10;
}

/* The folio's size as people write it: 4K, 64K, 2M, 1G; 0 without one. */
static char *
put_folio(struct format *f, char *p, const struct format_row *r)
{
	uint64_t kib = folio_kib(r);
	char unit = 'K';

	if (kib != 0 && kib % (UINT64_C(1) << 20) == 0) {
		kib >>= 20;
		unit = 'G';
	} else if (kib != 0 && kib % 1024 == 0) {
		kib >>= 10;
		unit = 'M';
	}
	if (f->style->quote_words)
		*p++ = '"';
	p = put_dec(p, kib);
	if (kib != 0)
		*p++ = unit;
	if (f->style->quote_words)
		*p++ = '"';
	return p;
}

static char *
put_folio_kib(struct format *f, char *p, const struct format_row *r)
{
	(void)f;
	return put_dec(p, folio_kib(r));
}

static char *
put_folio_map(struct format *f, char *p, const struct format_row *r)
{
	const char *name = folio_class_name(folio_class_of(r->folio));

	return put_word(f, p, name, strlen(name));
}

static char *
put_huge(struct format *f, char *p, const struct format_row *r)
{
	return put_flag(f, p, (r->folio & FOLIO_HUGE) != 0);
}

/* The frame's NUMA node: "-" (JSON null) without one. */
static char *
put_node(struct format *f, char *p, const struct format_row *r)
{
	if (r->node < 10) {
		*p++ = (char)('0' + r->node);
		return p;
	}
	if (r->node != UINT64_MAX)
		return put_dec(p, r->node);
	return put_str(p, f->style->keyed ? "null" : "-");
}

#define KF PAGE_FACT_KFLAGS
#define FOLIO (PAGE_FACT_FOLIO | KF | PAGE_FACT_PFN)

#define V COLUMN_VALUE

const struct column column_table[] = {
	{ "pid", "pid", "the process's pid", 0, V, put_pid, RUN_EQUAL,
	    val_pid },
	{ "addr", "addr", "virtual address of the page (hex)", 0, V,
	    put_addr_col, RUN_ADDR, NULL },
	{ "pfn", "pfn", "page frame number (hex; 0 when not present or "
	    "hidden)", 0, V, put_pfn, RUN_STEP, val_pfn },
	{ "soft-dirty", "soft-dirty", "written since the soft-dirty bits "
	    "were cleared (bit 55)", 0, V, put_soft_dirty, RUN_EQUAL,
	    val_soft_dirty },
	{ "file", "file/shared", "a file page or shared anonymous page "
	    "(bit 61)", 0, V, put_file, RUN_EQUAL, val_file },
	{ "swapped", "swapped", "bit 62: in swap, or a swap-format entry "
	    "(see state)", 0, V, put_swapped, RUN_EQUAL, val_swapped },
	{ "present", "present", "in memory (bit 63)", 0, V, put_present,
	    RUN_EQUAL, val_present },
	{ "exclusive", "exclusive", "mapped exclusively (bit 56)", 0, V,
	    put_exclusive, RUN_EQUAL, val_exclusive },
	{ "uffd-wp", "uffd-wp", "userfaultfd write-protected (bit 57)", 0, V,
	    put_uffd_wp, RUN_EQUAL, val_uffd_wp },
	{ "guard", "guard", "a guard region's marker (bit 58)", 0, V,
	    put_guard, RUN_EQUAL, val_guard },
	{ "swap-type", "swap-type", "swap type (bits 0-4), when in swap",
	    0, V, put_swap_type, RUN_EQUAL, val_swap_type },
	{ "swap-offset", "swap-offset", "swap offset (bits 5-54, hex), when "
	    "in swap", 0, V, put_swap_offset, RUN_STEP, val_swap_offset },
	{ "paddr", "paddr", "physical address: pfn times the page size, "
	    "plus -a's offset (hex)", 0, V, put_paddr, RUN_STEP_PAGE,
	    val_paddr },
	{ "perms", "perms", "the mapping's permissions (rwxp)", 0, V,
	    put_perms, RUN_MAPPING, NULL },
	{ "offset", "offset", "offset of the page in the mapped file (hex)",
	    0, V, put_offset, RUN_MAPPING, NULL },
	{ "dev", "dev", "device of the mapped file (major:minor, hex)", 0, V,
	    put_dev, RUN_MAPPING, NULL },
	{ "inode", "inode", "inode of the mapped file", 0, V, put_inode,
	    RUN_MAPPING, NULL },
	{ "name", "library", "the mapping's name: a path, [heap], [stack], "
	    "or empty", 0, COLUMN_NAME, NULL, RUN_MAPPING, NULL },
	{ "kflags", "kflags", "the page's kernel flags, by name "
	    "(/proc/kpageflags)", KF | PAGE_FACT_PFN, COLUMN_LIST,
	    put_kflags_col, RUN_EQUAL, val_kflags },
	{ "kflags-hex", "kflags-hex", "the page's kernel flags as a number "
	    "(hex)", KF | PAGE_FACT_PFN, V, put_kflags_hex, RUN_EQUAL,
	    val_kflags },
	{ "mapcount", "mapcount", "how many times the page is mapped "
	    "(/proc/kpagecount)", PAGE_FACT_COUNT | PAGE_FACT_PFN, V,
	    put_mapcount, RUN_EQUAL, val_mapcount },
	{ "cgroup", "cgroup", "inode of the page's memory cgroup "
	    "(/proc/kpagecgroup)", PAGE_FACT_CGROUP | PAGE_FACT_PFN, V,
	    put_cgroup, RUN_EQUAL, val_cgroup },
	{ "state", "state", "what the entry stands for: none, present, swap, "
	    "guard, uffd-wp, migration, hwpoison, device, other", 0, V,
	    put_state, RUN_EQUAL, val_state },
	{ "folio", "folio", "size of the folio holding the frame: 4K, 16K, "
	    "..., 2M, 1G; 0 when not present", FOLIO, V, put_folio,
	    RUN_EQUAL, val_folio },
	{ "folio-kib", "folio-kib", "the same in KiB", FOLIO, V,
	    put_folio_kib, RUN_EQUAL, val_folio },
	{ "folio-map", "folio-map", "how the folio is mapped: pmd, pud, or "
	    "by PTEs aligned, unaligned, partial; small, none",
	    FOLIO | PAGE_FACT_HUGE, V, put_folio_map, RUN_EQUAL,
	    val_folio_map },
	{ "huge", "huge", "mapped by one huge entry, a PMD or PUD "
	    "(PAGEMAP_SCAN's PAGE_IS_HUGE)", PAGE_FACT_HUGE, V, put_huge,
	    RUN_EQUAL, val_huge },
	{ "node", "node", "NUMA node of the frame (from sysfs; without "
	    "root, move_pages(2)); - when not present", PAGE_FACT_NODE, V,
	    put_node, RUN_EQUAL, val_node },
	{ "start", "start", "--ranges: the run's first address (hex)", 0, V,
	    put_start, RUN_OWN, NULL },
	{ "end", "end", "--ranges: the address past its last page (hex)", 0,
	    V, put_end, RUN_OWN, NULL },
	{ "pages", "pages", "--ranges: the pages in the run", 0, V,
	    put_pages, RUN_OWN, NULL },
};

const size_t column_count = sizeof(column_table) / sizeof(column_table[0]);

/* The classic row, by name: the table's order can change. */
static const char *const default_names[] = {
	"addr", "pfn", "soft-dirty", "file", "swapped", "present", "name",
};
const size_t column_ndefaults =
    sizeof(default_names) / sizeof(default_names[0]);

const unsigned *
column_default_list(void)
{
	static unsigned cols[sizeof(default_names) / sizeof(default_names[0])];
	static bool done;
	size_t i;

	for (i = 0; !done && i < column_ndefaults; i++)
		cols[i] = (unsigned)column_find(default_names[i],
		    strlen(default_names[i]));
	done = true;
	return cols;
}

/* The column named name (len bytes) that own says, or -1. */
static int
lookup(const char *name, size_t len, bool own)
{
	size_t i;

	for (i = 0; i < column_count; i++)
		if ((column_table[i].run == RUN_OWN) == own &&
		    strlen(column_table[i].name) == len &&
		    memcmp(column_table[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

int
column_find(const char *name, size_t len)
{
	return lookup(name, len, false);
}

int
column_find_own(const char *name)
{
	return lookup(name, strlen(name), true);
}

unsigned
column_needs(const unsigned *cols, size_t n)
{
	unsigned needs = 0;
	size_t i;

	for (i = 0; i < n; i++)
		needs |= column_table[cols[i]].needs;
	return needs;
}

/* PSS in the kernel's fixed point, in whole KiB as smaps prints it. */
static uint64_t
pss_kib(uint64_t pss)
{
	return (pss >> FORMAT_PSS_SHIFT) >> 10;
}

static char *
sum_pid(struct format *f, char *p, const struct format_summary *s)
{
	(void)f;
	return put_dec(p, (uint64_t)s->pid);
}

static uint64_t
sum_pid_v(const struct format_summary *s)
{
	return (uint64_t)s->pid;
}

/*
 * The command name, escaped as a mapping's name is; where fields split
 * at blanks, its blanks as \040 too, and "-" when unknown.
 */
static char *
sum_comm(struct format *f, char *p, const struct format_summary *s)
{
	const char *c = s->comm != NULL ? s->comm : "";
	char tmp[ESCAPE_CSV_MAX(64)];
	size_t n = strlen(c), i;

	if (n > 63)
		n = 63;	/* the kernel's TASK_COMM_LEN, and then some */
	if (!f->style->blank_split)
		return p + f->style->escape(p, c, n);
	n = f->style->escape(tmp, c, n);
	if (n == 0)
		*p++ = '-';
	for (i = 0; i < n; i++)
		if (tmp[i] == ' ')
			p = put_str(p, "\\040");
		else
			*p++ = tmp[i];
	return p;
}

/* The total's start reads "total" (a keyed format leaves the key out). */
static char *
sum_start(struct format *f, char *p, const struct format_summary *s)
{
	return s->map != NULL ? put_hex(f, p, s->map->start) :
	    put_str(p, "total");
}

/* A field the total has no value for: "-" where fields split at blanks. */
static char *
no_value(struct format *f, char *p)
{
	if (f->style->blank_split)
		*p++ = '-';
	return p;
}

static char *
sum_end(struct format *f, char *p, const struct format_summary *s)
{
	return s->map != NULL ? put_hex(f, p, s->map->end) : no_value(f, p);
}

static char *
sum_perms(struct format *f, char *p, const struct format_summary *s)
{
	return s->map != NULL ? put_word(f, p, s->map->perms, 4) :
	    no_value(f, p);
}

/*
 * The columns of a count of pages, and of pages in KiB: the writer, and
 * the value --sort orders by (the count itself: the order is the same).
 */
#define SUMMARY_VALUE(fn, field)					\
	static uint64_t							\
	fn##_v(const struct format_summary *s)				\
	{								\
		return s->field;					\
	}
#define COUNT_COLUMN(fn, field)						\
	SUMMARY_VALUE(fn, field)					\
	static char *							\
	fn(struct format *f, char *p, const struct format_summary *s)	\
	{								\
		(void)f;						\
		return put_dec(p, s->field);				\
	}
#define KIB_COLUMN(fn, field)						\
	SUMMARY_VALUE(fn, field)					\
	static char *							\
	fn(struct format *f, char *p, const struct format_summary *s)	\
	{								\
		(void)f;						\
		return put_dec(p, s->field * (s->page_size / 1024));	\
	}
#define PSS_COLUMN(fn, field)						\
	SUMMARY_VALUE(fn, field)					\
	static char *							\
	fn(struct format *f, char *p, const struct format_summary *s)	\
	{								\
		(void)f;						\
		return put_dec(p, pss_kib(s->field));			\
	}
COUNT_COLUMN(sum_pages, pages)
COUNT_COLUMN(sum_present, present)
COUNT_COLUMN(sum_swapped, swapped)
COUNT_COLUMN(sum_file, file_shared)
COUNT_COLUMN(sum_soft_dirty, soft_dirty)
COUNT_COLUMN(sum_exclusive, exclusive)
KIB_COLUMN(sum_rss, rss)
PSS_COLUMN(sum_pss, pss)
KIB_COLUMN(sum_uss, uss)
PSS_COLUMN(sum_pss_anon, pss_anon)
PSS_COLUMN(sum_pss_file, pss_file)
PSS_COLUMN(sum_pss_shmem, pss_shmem)
KIB_COLUMN(sum_ksm, ksm)
KIB_COLUMN(sum_shared, shared)
KIB_COLUMN(sum_private, private_)
KIB_COLUMN(sum_zero, zero)
KIB_COLUMN(sum_anon_pmd, anon_pmd)
KIB_COLUMN(sum_shmem_pmd, shmem_pmd)
KIB_COLUMN(sum_file_pmd, file_pmd)
KIB_COLUMN(sum_hugetlb_shared, hugetlb_shared)
KIB_COLUMN(sum_hugetlb_private, hugetlb_private)
KIB_COLUMN(sum_swap, swapped)

#define PSS SUMMARY_PSS
#define CLASS (SUMMARY_PSS | SUMMARY_PSS_CLASS)
#define SCAN SUMMARY_SCAN

/* In the order of a summary row; the name (put NULL) is last. */
const struct summary_column summary_column_table[] = {
	{ "pid", "pid", "the process's pid (with several pids)",
	    SUMMARY_PID, false, sum_pid, sum_pid_v },
	{ "comm", "comm", "the command name (/proc/PID/comm), with --totals",
	    SUMMARY_TOTALS, false, sum_comm, NULL },
	{ "start", "start", "first address of the mapping (hex); \"total\" "
	    "in the total row", SUMMARY_MAPPINGS, true, sum_start, NULL },
	{ "end", "end", "the address past its end (hex)", SUMMARY_MAPPINGS,
	    true, sum_end, NULL },
	{ "perms", "perms", "its permissions (rwxp)", SUMMARY_MAPPINGS, true,
	    sum_perms, NULL },
	{ "pages", "pages", "selected pages", 0, false, sum_pages,
	    sum_pages_v },
	{ "present", "present", "of them, present", 0, false, sum_present,
	    sum_present_v },
	{ "swapped", "swapped", "of them, in swap (not markers)", 0, false,
	    sum_swapped, sum_swapped_v },
	{ "file", "file/shared", "of them, file or shared pages", 0, false,
	    sum_file, sum_file_v },
	{ "soft-dirty", "soft-dirty", "of them, soft-dirty", 0, false,
	    sum_soft_dirty, sum_soft_dirty_v },
	{ "exclusive", "exclusive", "of them, mapped exclusively", 0, false,
	    sum_exclusive, sum_exclusive_v },
	{ "rss-kib", "rss-kib", "Rss of smaps: present, but the zero page "
	    "and hugetlb pages", 0, false, sum_rss, sum_rss_v },
	{ "pss-kib", "pss-kib", "Pss: each page divided by its map count",
	    PSS, false, sum_pss, sum_pss_v },
	{ "uss-kib", "uss-kib", "resident pages mapped once", PSS, false,
	    sum_uss, sum_uss_v },
	{ "pss-anon-kib", "pss-anon-kib", "Pss_Anon: of anonymous pages",
	    CLASS, false, sum_pss_anon, sum_pss_anon_v },
	{ "pss-file-kib", "pss-file-kib", "Pss_File: of file pages but "
	    "shmem", CLASS, false, sum_pss_file, sum_pss_file_v },
	{ "pss-shmem-kib", "pss-shmem-kib", "Pss_Shmem: of shmem pages",
	    CLASS, false, sum_pss_shmem, sum_pss_shmem_v },
	{ "ksm-kib", "ksm-kib", "KSM: resident pages KSM merged", CLASS,
	    false, sum_ksm, sum_ksm_v },
	{ "shared-kib", "shared-kib", "Shared_Clean + Shared_Dirty: mapped "
	    "more than once", 0, false, sum_shared, sum_shared_v },
	{ "private-kib", "private-kib", "Private_Clean + Private_Dirty: "
	    "mapped once", 0, false, sum_private, sum_private_v },
	{ "zero-kib", "zero-kib", "present pages that are the zero page",
	    SCAN, false, sum_zero, sum_zero_v },
	{ "anon-pmd-kib", "anon-pmd-kib", "AnonHugePages: anonymous, mapped "
	    "by a PMD", SCAN, false, sum_anon_pmd, sum_anon_pmd_v },
	{ "shmem-pmd-kib", "shmem-pmd-kib", "ShmemPmdMapped: shmem, mapped "
	    "by a PMD", SCAN, false, sum_shmem_pmd, sum_shmem_pmd_v },
	{ "file-pmd-kib", "file-pmd-kib", "FilePmdMapped: other files, "
	    "mapped by a PMD", SCAN, false, sum_file_pmd, sum_file_pmd_v },
	{ "shared-hugetlb-kib", "shared-hugetlb-kib", "Shared_Hugetlb",
	    SCAN, false, sum_hugetlb_shared, sum_hugetlb_shared_v },
	{ "private-hugetlb-kib", "private-hugetlb-kib", "Private_Hugetlb",
	    SCAN, false, sum_hugetlb_private, sum_hugetlb_private_v },
	{ "swap-kib", "swap-kib", "Swap: pages in swap", 0, false,
	    sum_swap, sum_swap_v },
	{ "name", "library", "the mapping's name", SUMMARY_MAPPINGS, true,
	    NULL, NULL },
};

const size_t summary_column_count =
    sizeof(summary_column_table) / sizeof(summary_column_table[0]);

int
summary_column_find(const char *name)
{
	size_t i;

	for (i = 0; i < summary_column_count; i++)
		if (strcmp(summary_column_table[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Lists the page columns of one kind (the runs' own, or the others). */
static void
list_columns(FILE *fp, bool own)
{
	size_t i;

	for (i = 0; i < column_count; i++) {
		const struct column *c = &column_table[i];
		bool same = strcmp(c->name, c->header) == 0;
		if ((c->run == RUN_OWN) == own)
			fprintf(fp, "  %-12s %-12s %s\n", c->name,
			    same ? "" : c->header, c->help);
	}
}

void
column_help(FILE *fp)
{
	size_t i;

	fputs("Columns of -o (name, header where it differs, meaning):\n", fp);
	list_columns(fp, false);
	fputs("\nColumns --ranges puts before those of -o (but addr):\n", fp);
	list_columns(fp, true);
	fputs("\nColumns of --summary, in their order (some only as root):\n",
	    fp);
	for (i = 0; i < summary_column_count; i++) {
		const struct summary_column *c = &summary_column_table[i];
		bool same = strcmp(c->name, c->header) == 0;
		fprintf(fp, "  %-19s %-11s %s\n", c->name, same ? "" : c->header,
		    c->help);
	}
}

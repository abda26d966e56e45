/*
 * views: what the test_views_* programs share: their child, whose
 * address space holds anonymous, file, hostile-named, shared and
 * paged-out pages, and the expectations they build from what the kernel
 * says of it. Each program checks one concern of the views: columns and
 * formats, the page filters and several pids, the summary.
 */
#ifndef PAGEMAP_DUMP_VIEWS_H
#define PAGEMAP_DUMP_VIEWS_H

#include "testlib.h"

/* Every column, in the order the usage text lists them. */
#define ALL_COLUMNS "pid,addr,pfn,soft-dirty,file,swapped,present," \
	"exclusive,uffd-wp,guard,swap-type,swap-offset,paddr,perms,offset," \
	"dev,inode,name"
#define ALL_NCOLUMNS 18
#define DEFAULT_HEADER TL_DEFAULT_HEADER

extern const char *const all_columns[ALL_NCOLUMNS];
extern long page;

/*
 * What the child holds: the addresses and names of its mappings. The
 * child removes each file as soon as it has mapped it, so that nothing is
 * left behind however it ends; the kernel then adds " (deleted)".
 */
struct layout {
	uintptr_t anon;		/* 8 private pages, 0, 2 and 5 written */
	uintptr_t file;		/* 4 pages of a plain file, 0 read */
	uintptr_t hostile;	/* 2 pages of the hostile file, page 0 read */
	uintptr_t shared;	/* 4 shared anonymous pages, 0 and 1 written */
	uintptr_t swapped;	/* 4 written pages, paged out when asked */
	uintptr_t longname;	/* 4 pages of the long-named file, or 0 */
	int swapped_ok;		/* MADV_PAGEOUT returned 0 */
	const char *name;	/* /tmp/pmd-views-PID-plain (deleted) */
	const char *hostile_name;	/* tab, comma, quote, ESC and 0xff */
	const char *long_name;	/* 14 directories of 250 0xff deep, or "" */
};

struct child {
	pid_t pid;
	char arg[16];		/* the pid as an argument */
	struct layout layout;
	struct tl_child tl;
};

/*
 * The children of a test, started by its setup and ended by its teardown,
 * which cmocka runs even when the test fails. A test of one child takes
 * *state as that child (the first member).
 */
struct children {
	struct child a;
	struct child b;		/* pid 0 when not started */
};

int setup_child(void **state);
int setup_two_children(void **state);
int setup_paged_out_child(void **state);
int setup_long_named_child(void **state);
int teardown_children(void **state);

/* A test of one child (T), or of the children setup starts (T2). */
#define T(f) cmocka_unit_test_setup_teardown(f, setup_child, teardown_children)
#define T2(f, setup) \
	cmocka_unit_test_setup_teardown(f, setup, teardown_children)

/* main of each views program: the child's side, the tool, the tests. */
int views_main(int argc, char **argv, const char *program,
    const struct CMUnitTest *tests, size_t n);

#define run(r, ...) tl_runl(r, __VA_ARGS__)

/*
 * Runs the text dump of all columns over range, then the dump in format
 * fmt, then the text dump again, until the two text dumps agree: the
 * child's pages can change between two dumps (the exclusive bit of a
 * large folio, a PFN after compaction), and the formats are to be
 * compared on one state. Gives up after 5 tries (then they are compared
 * as they are, and differ).
 */
void run_text_and(struct tl_run *rt, struct tl_run *rx, const char *fmt,
    const char *range, const char *arg);

/*
 * Drops a pair of dumps that did not agree, to take them again: a page
 * can change state and back while the middle dump runs.
 */
#define RETRY(t1, t2, r1, r2)                                           \
	do {                                                            \
		tl_table_free(t1);                                      \
		tl_table_free(t2);                                      \
		tl_run_free(r1);                                        \
		tl_run_free(r2);                                        \
	} while (0)

void add_default_row(struct tl_buf *b, pid_t pid, uint64_t addr,
    const char *name, const char *tail);
/* The same for n pages from start, each page after the one before. */
void add_default_rows(struct tl_buf *b, pid_t pid, uint64_t start, size_t n,
    const char *name, const char *tail);

/* Fails unless the tool, run with args, exits 0 and prints want. */
void assert_prints(const char *want, const char *const *args);
#define assert_run_prints(want, ...) \
	assert_prints((want), (const char *const[]){ __VA_ARGS__, NULL })
void hostile_text(const struct child *c, char *buf, size_t size);
void text_escape(struct tl_buf *b, const char *s, size_t n);
bool is_json_hex(const char *s);
bool is_decimal(const char *s);
void json_row_as_text(const struct tl_jobject *o, struct tl_rec *r);
const char *range_arg(char *buf, size_t size, uint64_t start, uint64_t end);
const char *layout_range(char *buf, size_t size, const struct layout *l);
const char *after_first_line(const char *s);
void add_prefixed(struct tl_buf *b, const char *prefix, const char *s);

/* The summary's columns as JSON names them (without pid); n of them. */
const char *const *summary_keys(size_t *n);
size_t summary_ncols(void);
/* Appends the summary header line, with a pid column first if asked. */
void add_summary_header(struct tl_buf *b, bool pid);

#endif

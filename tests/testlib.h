/*
 * testlib: what the end-to-end tests share, so that each test file holds
 * only its cases: a growable buffer; running the tool with its output
 * captured; a child process whose address space is built from a table;
 * strict readers of the text, TSV, CSV and JSON Lines outputs; what the
 * kernel says about a process, read directly; and skips that print why.
 *
 * The buffer, the records, the CSV record and JSON object readers and
 * UTF-8 are in readers.h, which needs no cmocka (the fuzz targets use it
 * too), the page-flag names and the escaped code points in testdata.h;
 * this header includes both.
 *
 * Everything is named tl_ so that it cannot clash with what a test file
 * keeps for itself. A helper that cannot do its job fails the test
 * (cmocka's fail_msg) rather than returning an error, unless its comment
 * says otherwise.
 */
#ifndef PAGEMAP_DUMP_TESTLIB_H
#define PAGEMAP_DUMP_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "readers.h"
#include "testdata.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/* The header line of the default output. */
#define TL_DEFAULT_HEADER \
	"addr pfn soft-dirty file/shared swapped present library\n"

/* The size of a page, set by the first call. */
long tl_page(void);

/* ---- reading into a buffer (readers.h has the rest of it) ---- */

/*
 * Reads once from fd, at most max bytes (EINTR retried), onto the end of
 * b; returns how many, 0 at the end. Fails the test on an error.
 */
ssize_t tl_buf_read_some(struct tl_buf *b, int fd, size_t max);
/* Reads fd to its end (EINTR retried) onto the end of b. */
void tl_buf_read_fd(struct tl_buf *b, int fd);

/* ---- small text helpers ---- */

/* A file's whole text (to be freed), or NULL when it cannot be read. */
char *tl_read_file(const char *path);
/* A memfd's (or file's) whole text from its start, to be freed. */
char *tl_read_memfd(int fd);
/*
 * Writes text to an existing file (a sysctl, /proc/self/uid_map) in one
 * write; returns whether all of it was taken.
 */
bool tl_write_file(const char *path, const char *text);
size_t tl_count_lines(const char *s);
bool tl_starts_with(const char *s, const char *prefix);
bool tl_ends_with(const char *s, const char *suffix);
/* Whether word is in text with no a-z, 0-9 or '_' either side. */
bool tl_has_word(const char *text, const char *word);
/* Lower-case hex digits, at least one. */
bool tl_is_hex(const char *s);
/* Decimal digits, at least one. */
bool tl_is_decimal(const char *s);
/*
 * Splits s in place at every sep into at most max fields, the last of
 * which keeps the rest of s; returns how many.
 */
int tl_split(char *s, char sep, char **f, int max);

/* The lines of a text, without their newlines, split in a copy. */
struct tl_lines {
	char *buf;
	char **v;
	int n;
};

void tl_lines_split(struct tl_lines *ls, const char *text);
void tl_lines_free(struct tl_lines *ls);

/* ---- running the tool ---- */

/* What one run of the tool gave. */
struct tl_run {
	int status;		/* as from waitpid */
	char *out;		/* stdout, NUL-terminated ("" when sent away) */
	char *err;		/* stderr, NUL-terminated */
};

/* How to start the tool; all zero is a plain run. */
struct tl_how {
	const char *const *env;	/* NAME=value to add, NULL-terminated */
	bool drop_admin;	/* without CAP_SYS_ADMIN in the bounding set */
	bool as_nobody;		/* as user and group 65534 */
	int out_fd;		/* stdout goes here instead when above 0 */
	unsigned timeout;	/* seconds before SIGALRM ends it, or 0 */
};

/* The exit status of a forked child whose setup before exec failed. */
#define TL_SETUP_FAILED 99

/* The binary under test: $PAGEMAP_DUMP, or ./pagemap-dump. */
const char *tl_tool(void);

/*
 * Fails unless the tool under test is built; call it first in main.
 * Returns 0, or 1 after saying on stderr that it is missing.
 */
int tl_check_tool(const char *program);

/*
 * Starts the tool with args (NULL-terminated) as how says (or plainly
 * for NULL), stdout on out and stderr on err. The caller's other
 * descriptors should be close-on-exec. Returns its pid.
 */
pid_t tl_spawn(const struct tl_how *how, int out, int err,
    const char *const *args);

/* Waits for pid (EINTR retried); returns its status. */
int tl_wait(pid_t pid);

/*
 * Runs the tool with args, with env (NAME=value strings, NULL-terminated,
 * or NULL) added to the environment, stdout and stderr captured.
 */
void tl_run(struct tl_run *r, const char *const *env,
    const char *const *args);

/* Runs the tool as how says (NULL: plainly). */
void tl_run_how(struct tl_run *r, const struct tl_how *how,
    const char *const *args);

/* Runs the tool with the arguments listed: tl_runl(&r, "-P", pid). */
#define tl_runl(r, ...) \
	tl_run((r), NULL, (const char *const[]){ __VA_ARGS__, NULL })

/* The exit code, or -1 when the tool was killed by a signal. */
int tl_exit_code(const struct tl_run *r);

/* Fails unless status is of a run that ended by itself: no signal. */
void tl_assert_not_killed(int status, const char *what, const char *err);

/*
 * Fails unless the run exited 0, not killed, and (when PFNs show, with
 * CAP_SYS_ADMIN) printed nothing on stderr.
 */
void tl_assert_ran_ok(const struct tl_run *r);

void tl_run_free(struct tl_run *r);

/* ---- a child process built from a table ---- */

enum tl_kind {
	TL_ANON,	/* private anonymous memory */
	TL_SHARED,	/* shared anonymous memory (/dev/zero (deleted)) */
	TL_MEMFD,	/* a memfd, mapped shared (/memfd:NAME (deleted)) */
	TL_FILE,	/* a file of zero pages, mapped private, read-only */
	TL_HEAP,	/* malloc'ed bytes, written: in [heap] */
};

/* Flags of a mapping. */
#define TL_ISOLATED 0x01	/* a hole and a guard page on either side */
#define TL_NORESERVE 0x02	/* MAP_NORESERVE */
#define TL_THP 0x04		/* aligned to huge pages, MADV_HUGEPAGE */
#define TL_COLD 0x08		/* a file out of the page cache before use */
#define TL_DELETED 0x10		/* a file removed as soon as it is mapped */
#define TL_EXISTING 0x20	/* a file that is there already, not made */
#define TL_JOINED 0x40		/* right after the previous mapping */
/*
 * In one reservation with the table's other TL_CONFINED mappings, in
 * table order: no mapping of anyone else's can go between them. Not
 * with TL_THP, TL_JOINED or TL_HEAP.
 */
#define TL_CONFINED 0x80

/*
 * One mapping of a child. Which pages are touched (written, or read in
 * a read-only mapping) and which are paged out are page lists: NULL or
 * "" for none, "all", "0,2,5-7" for pages and ranges, "/3" for every
 * third page from the first, "~1000" for 1000 pages spread evenly.
 */
struct tl_map {
	enum tl_kind kind;
	size_t pages;		/* its size in pages, or ... */
	size_t bytes;		/* ... in bytes when not 0 (rounded up) */
	unsigned flags;
	int prot;		/* 0: read-write, read-only for a file */
	const char *touch;	/* the pages touched */
	const char *pageout;	/* the pages then given MADV_PAGEOUT */
	const char *path;	/* a file's path; NULL: one under /tmp */
};

/* A mapping as the child made it. */
struct tl_mapped {
	uintptr_t addr;
	size_t size;		/* bytes */
	bool pageout_ok;	/* MADV_PAGEOUT returned 0 (when asked) */
	bool thp_ok;		/* MADV_HUGEPAGE returned 0 (when asked) */
	char *path;		/* a file's path, or "" */
	char *name;		/* the name /proc/PID/maps gives it */
};

/* Flags of a child. */
#define TL_FRESH 0x01	/* runs this program afresh: no page shared */

struct tl_child {
	pid_t pid;
	char arg[16];		/* the pid, as an argument */
	int hold;		/* write end: the child lives until closed */
	int ack;		/* read end: a byte for each tl_child_touch */
	size_t n;
	struct tl_mapped *map;	/* one for each entry of the table */
};

/*
 * Forks a child that builds the n mappings of the table and then lives
 * until tl_child_stop (or the test's end). With TL_FRESH, the child
 * execs /proc/self/exe first, so that it shares no copy-on-write page
 * with the test; main must then start with tl_child_main. Fails the
 * test when the child cannot be started or built.
 */
void tl_child_start(struct tl_child *c, const struct tl_map *table,
    size_t n, unsigned flags);

/* Makes the child touch one more page of mapping i, and waits for it. */
void tl_child_touch(struct tl_child *c, size_t i, size_t page);

/*
 * Forks with two close-on-exec pipes to the child, for a child of a test's
 * own making: in the child, *info is the end it reports on and *hold the
 * end it reads, which ends when the parent closes its end of hold; in the
 * parent, the other ends. Returns what fork returns: -1 on failure (errno
 * says why, no pipe left open), 0 in the child.
 */
pid_t tl_fork_held(int *info, int *hold);

/* In such a child: waits until the parent closes its end of hold. */
void tl_wait_for_close(int hold);

/* Ends the child and removes the files it made; harmless when not run. */
void tl_child_stop(struct tl_child *c);

/*
 * In main, before anything else: when this process is a TL_FRESH child,
 * builds its mappings and never returns; otherwise returns.
 */
void tl_child_main(int argc, char **argv);

/* ---- strict readers of the outputs ---- */

/* Fails unless s is empty or ends with a newline. */
void tl_assert_whole_lines(const char *s);

/*
 * Reads text output: every line is ncols - 1 fields separated by single
 * spaces, then the last (the name), which runs to the end of the line
 * and is empty when the line ends after the field before it.
 */
void tl_read_text(const char *s, size_t ncols, struct tl_table *t);

/* Reads TSV: every line split on tabs gives exactly ncols fields. */
void tl_read_tsv(const char *s, size_t ncols, struct tl_table *t);

/*
 * Reads TSV that starts with a header line (then t->r[0]): every line
 * has as many fields as the header.
 */
void tl_read_headed_tsv(const char *s, struct tl_table *t);

/* The index of the header field (t->r[0]) called name, or -1. */
int tl_column(const struct tl_table *t, const char *name);

/* Reads all of s as CSV records, failing the test on the first error. */
void tl_read_csv(const char *s, struct tl_table *t);

/* Whether two tables hold the same fields; if not, why says where. */
bool tl_tables_equal(const struct tl_table *want, size_t want_from,
    const struct tl_table *got, size_t got_from, const char *what,
    char *why, size_t whylen);
void tl_assert_tables_equal(const struct tl_table *want, size_t want_from,
    const struct tl_table *got, size_t got_from, const char *what);

/* The record of t whose field i is s, or NULL. */
const struct tl_rec *tl_find_rec(const struct tl_table *t, size_t i,
    const char *s);

/* Reads every line of JSON Lines; returns how many (fails on a bad one). */
size_t tl_read_json_lines(const char *s, struct tl_jobject **objs);

/* One row of the default text output. */
struct tl_row {
	uint64_t addr, pfn;
	int soft_dirty, file, swapped, present;
	const char *name;	/* into the rows' own copy of the text */
};

struct tl_rows {
	struct tl_row *v;
	size_t n;
	char *text;
};

/*
 * Reads the row of the default columns from line to nl: lower-case hex
 * addr and pfn, four flags 0 or 1, single spaces, then a space and the
 * name or the end. Returns 0, or -1 when the row is not of that form.
 */
int tl_default_row(const char *line, const char *nl, struct tl_row *row);

/*
 * Reads the default output of len bytes: the header, then rows of the
 * default columns, every line whole; fails the test otherwise.
 */
void tl_default_rows(const char *out, size_t len, struct tl_rows *rows);

/*
 * Checks a dump of the tool itself in the default columns: some pages
 * present (with present_only, every row), and with hidden no PFN but 0,
 * without it some real ones.
 */
void tl_assert_own_rows(const char *out, bool present_only, bool hidden);

/* Fails unless err is exactly one line: the hidden-PFN warning. */
void tl_assert_one_pfn_warning(const char *err);

/* The row of addr, or NULL. */
const struct tl_row *tl_find_row(const struct tl_rows *rows, uint64_t addr);
void tl_rows_free(struct tl_rows *rows);

/* ---- what the kernel says ---- */

/* A pagemap entry, decoded. */
struct tl_page {
	uint64_t raw, pfn, swap_offset;
	unsigned swap_type;
	int soft_dirty, exclusive, file, swapped, present;
};

/* Reads the pagemap entries of n pages of pid from addr. */
void tl_pagemap(pid_t pid, uint64_t addr, uint64_t *e, size_t n);
/* The pagemap entry of addr in pid, decoded (pfn 0 unless present). */
struct tl_page tl_page_state(pid_t pid, uint64_t addr);

/* A line of /proc/PID/maps. */
struct tl_vma {
	uint64_t start, end, offset;
	char perms[8];
	char dev[16];
	unsigned long inode;
	char *name;
};

/* The mappings of pid; returns how many (*v for tl_vmas_free). */
size_t tl_maps(pid_t pid, struct tl_vma **v);
void tl_vmas_free(struct tl_vma *v, size_t n);
/* The mapping of pid that starts at start; fails when there is none. */
struct tl_vma tl_vma_at(pid_t pid, uint64_t start);

/*
 * The number after key at the start of a line of /proc/PID/file (the
 * first of them: "Uid:" of status gives the real uid), or -1.
 */
long tl_proc_number(pid_t pid, const char *file, const char *key);

/* A field of smaps ("Rss:") of the mapping at start, in kB, or -1. */
long tl_smaps_kb(pid_t pid, uint64_t start, const char *field);

/* ---- what the machine can do, and skips that say why not ---- */

bool tl_is_root(void);
bool tl_have_sys_admin(void);
/* Whether /proc/swaps lists a swap area. */
bool tl_swap_exists(void);
/* The size of a transparent huge page (2 MiB when not told). */
uint64_t tl_thp_size(void);
/* Whether THP may be used on request (not "[never]"). */
bool tl_thp_enabled(void);
/* Whether this kernel answers PAGEMAP_SCAN (Linux 6.7+). */
bool tl_have_pagemap_scan(void);
/*
 * The frames of the kernel's code, from /proc/iomem (root): reserved,
 * their flags hold still. Returns false when it lists none.
 */
bool tl_kernel_code_frames(uint64_t *start, uint64_t *end);

/* Prints why a test is skipped, as [  SKIP    ] why, then skips it. */
void tl_skip(const char *why);
/* The same, with the reason formatted. */
void tl_skipf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Skip unless the machine can: each says why it skipped. */
void tl_require_root(void);
void tl_require_sys_admin(void);
void tl_require_swap(void);
void tl_require_thp(void);
/* At least pages free hugetlb pages of the default size. */
void tl_require_hugetlb(long pages);

#endif

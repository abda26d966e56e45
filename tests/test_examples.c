/*
 * test_examples: every example command of README.md and of the manual's
 * EXAMPLES section is run as a reader would paste it, against two child
 * processes forked here whose pages are known, and its output is checked
 * against what those children hold. The examples are read from the
 * documents at every run (examples_doc.c says how), so that a new or
 * changed one is run as well.
 *
 * Every command must match a recipe in the tables (below, and the
 * snapshots' in examples_snap.c), which know what its output must be; a
 * command that matches none fails its test, so that no example goes
 * unchecked. The make commands (build, install, this very suite) are
 * known but not run; the test says why, and skips an example that holds
 * nothing else. Before a command is run:
 *  - the placeholder pids 1234 and 5678 become the pids of the two
 *    children, and $$ the first one's;
 *  - the placeholder address 0x7f12a0001234 becomes an address in a page
 *    that the first child wrote, at the same offset in the page;
 *  - pagemap-dump and ./pagemap-dump become the tool under test;
 *  - a "sudo " that starts a command is dropped when the test runs as
 *    root; otherwise the example is skipped;
 *  - "make && " in front of a command is dropped;
 *  - "sleep N" runs as "sleep 0", and the change the wait is there to
 *    show is made at once: the first child writes one more page.
 * It runs with sh -c and set -e, in a new directory, stdin /dev/null.
 * Every program it runs is wrapped in a function that records a failure
 * (sh has no pipefail), which fails the test; one before a head may end
 * by SIGPIPE. An example whose programs are not installed is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "examples.h"



#define DEFAULT_HEADER \
	"addr pfn soft-dirty file/shared swapped present library"

/* What each child builds. */
#define ANON_PAGES 32		/* private anonymous memory ... */
#define ANON_WRITTEN 24		/* ... whose first pages are written */
#define ADDR_PAGE 5		/* the page of anon the address is in */
#define FILE_PAGES 512		/* a file (2 MiB with 4 KiB pages), all read */
#define FILE_NAME "map data.bin"	/* a space, as a name may have */
#define HEAP_BYTES (64 << 10)	/* malloc'ed and written: in [heap] */
#define SWAP_PAGES 16		/* written, then MADV_PAGEOUT */
#define LATE_PAGES 8		/* one written at each SIGUSR1 */


/* ---- small helpers ---------------------------------------------------- */

static bool
is_flag(const char *s)
{
	return strcmp(s, "0") == 0 || strcmp(s, "1") == 0;
}

/* The index of name among the n fields, or -1. */
static int
field_index(char **f, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i], name) == 0)
			return i;
	return -1;
}

/* ---- the children ----------------------------------------------------- */

/* A child's mappings, in the order of its table. */
enum { ANON, FILE_MAP, HEAP, THP, SWAP, LATE, NMAPS };

/* What a child holds, from its table. */
struct layout {
	uintptr_t anon;		/* ANON_PAGES, the first ANON_WRITTEN written */
	uintptr_t file;		/* FILE_PAGES of FILE_NAME, all read */
	uintptr_t heap;		/* HEAP_BYTES from malloc, written */
	uintptr_t thp;		/* two huge pages, MADV_HUGEPAGE, written */
	uintptr_t swap;		/* SWAP_PAGES, written and paged out */
	uintptr_t late;		/* LATE_PAGES, one written at each "sleep" */
};

static struct {
	struct tl_child child[2];
	pid_t pid[2];
	char arg[2][16];	/* the pids, as arguments */
	struct layout l[2];
	int late[2];		/* how many late pages each has written */
	char dir[64];		/* the temporary directory of the run */
	char file[96];		/* the file the children map */
	char tool[PATH_MAX];	/* the tool under test, absolute */
	char status[96];	/* where the shell functions write failures */
	long page;
	bool root;
	uintptr_t addr;		/* what the placeholder address becomes */
	uintptr_t touched;	/* the page the last "sleep" wrote, or 0 */
	int workdirs;		/* how many examples have had a directory */
} fx;

/*
 * Whether the HEAP_BYTES at addr lie in the [heap] of pid, which may be
 * more than one mapping (after a fork, the part the child added).
 */
static bool
in_heap(pid_t pid, uintptr_t addr)
{
	struct tl_vma *v;
	uint64_t first = 0, last = 0;
	size_t i, n = tl_maps(pid, &v);

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, "[heap]") == 0) {
			if (first == 0)
				first = v[i].start;
			last = v[i].end;
		}
	tl_vmas_free(v, n);
	return first != 0 && addr >= first && addr + HEAP_BYTES <= last;
}

static void
start_child(int i)
{
	const struct tl_map table[NMAPS] = {
		[ANON] = { .kind = TL_ANON, .pages = ANON_PAGES,
		    .touch = "0-23" },
		[FILE_MAP] = { .kind = TL_FILE, .pages = FILE_PAGES,
		    .flags = TL_EXISTING, .touch = "all", .path = fx.file },
		[HEAP] = { .kind = TL_HEAP, .bytes = HEAP_BYTES },
		[THP] = { .kind = TL_ANON, .bytes = 2 * tl_thp_size(),
		    .flags = TL_THP | TL_NORESERVE, .touch = "all" },
		[SWAP] = { .kind = TL_ANON, .pages = SWAP_PAGES,
		    .touch = "all", .pageout = "all" },
		[LATE] = { .kind = TL_ANON, .pages = LATE_PAGES },
	};
	struct tl_child *c = &fx.child[i];

	tl_child_start(c, table, NMAPS, 0);
	fx.pid[i] = c->pid;
	memcpy(fx.arg[i], c->arg, sizeof(fx.arg[i]));
	fx.l[i].anon = c->map[ANON].addr;
	fx.l[i].file = c->map[FILE_MAP].addr;
	fx.l[i].heap = c->map[HEAP].addr;
	fx.l[i].thp = c->map[THP].addr;
	fx.l[i].swap = c->map[SWAP].addr;
	fx.l[i].late = c->map[LATE].addr;
	if (!in_heap(fx.pid[i], fx.l[i].heap))
		fail_msg("malloc did not put the child's block in [heap] (a "
		    "malloc without brk, as under valgrind or ASan?)");
}

static int
remove_entry(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* Group setup: the temporary directory, its file, the two children. */
static int
start_children(void **state)
{
	char *buf;
	size_t size = FILE_PAGES * (size_t)fx.page;
	int fd, i;

	(void)state;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/pmd-examples-XXXXXX");
	if (mkdtemp(fx.dir) == NULL)
		return -1;
	snprintf(fx.file, sizeof(fx.file), "%s/%s", fx.dir, FILE_NAME);
	snprintf(fx.status, sizeof(fx.status), "%s/failures", fx.dir);
	fd = open(fx.file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (buf = malloc(size)) == NULL)
		return -1;
	memset(buf, 'f', size);
	if (write(fd, buf, size) != (ssize_t)size || close(fd) != 0)
		return -1;
	free(buf);
	for (i = 0; i < 2; i++)
		start_child(i);
	fx.addr = fx.l[0].anon + ADDR_PAGE * (uintptr_t)fx.page +
	    (uintptr_t)(strtoull(PLACEHOLDER_ADDR, NULL, 16) %
	    (unsigned long long)fx.page);
	return 0;
}

static int
stop_children(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 2; i++)
		tl_child_stop(&fx.child[i]);
	nftw(fx.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Makes the first child write its next late page; returns that page. */
static uintptr_t
touch_late_page(void)
{
	int k = fx.late[0]++;

	if (k >= LATE_PAGES)
		fail_msg("the first child has no late page left to write");
	tl_child_touch(&fx.child[0], LATE, (size_t)k);
	return fx.l[0].late + (uintptr_t)k * (uintptr_t)fx.page;
}

/* ---- what the kernel says, read here ---------------------------------- */

#define PM_PFN(e) ((e) & ((UINT64_C(1) << 55) - 1))
#define PM_SWAP_OFFSET(e) (((e) >> 5) & ((UINT64_C(1) << 50) - 1))
#define PM_SWAPPED(e) (((e) >> 62) & 1)
#define PM_PRESENT(e) (((e) >> 63) & 1)

static uint64_t
pagemap_entry(pid_t pid, uintptr_t addr)
{
	uint64_t e;

	tl_pagemap(pid, addr, &e, 1);
	return e;
}

/* How many pages pid maps that have pagemap entries. */
static long
mapped_pages(pid_t pid)
{
	struct tl_vma *v;
	long pages = 0;
	int i, n = (int)tl_maps(pid, &v);

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, "[vsyscall]") != 0)
			pages += (long)((v[i].end - v[i].start) /
			    (uintptr_t)fx.page);
	tl_vmas_free(v, (size_t)n);
	return pages;
}

/*
 * The [heap] of pid, from its first page to its last; returns how many
 * pages it has (it may be more than one mapping, as after a fork).
 */
static long
heap_of(pid_t pid, uintptr_t *start, uintptr_t *end)
{
	struct tl_vma *v;
	long pages = 0;
	int i, n = (int)tl_maps(pid, &v);

	*start = *end = 0;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, "[heap]") == 0) {
			if (*start == 0)
				*start = v[i].start;
			*end = v[i].end;
			pages += (long)((v[i].end - v[i].start) /
			    (uintptr_t)fx.page);
		}
	tl_vmas_free(v, (size_t)n);
	if (*start == 0)
		fail_msg("the child has no [heap] mapping");
	return pages;
}

/* The tool's stdout for args, which must succeed. */
static char *
tool_output(const char *const *args)
{
	struct tl_run r;
	char *out;

	tl_run(&r, NULL, args);
	if (tl_exit_code(&r) != 0)
		fail_msg("%s %s ...: exit %d: %s", tl_tool(), args[0],
		    tl_exit_code(&r), r.err);
	out = r.out;
	r.out = NULL;
	tl_run_free(&r);
	return out;
}

/* How many present pages the tool finds in child i. */
static int
present_pages(int i)
{
	const char *const args[] = { "-P", "-H", fx.arg[i], NULL };
	char *out = tool_output(args);
	int n = tl_count_lines(out);

	free(out);
	return n;
}

/* ---- the recipes ------------------------------------------------------ */


/* Checks that line is a row of the default columns. */
static void
check_page_row(const char *line)
{
	char *copy = strdup(line), *f[7];
	int n = tl_split(copy, ' ', f, 7), i;
	bool ok = n >= 6 && tl_is_hex(f[0]) && tl_is_hex(f[1]);

	for (i = 2; ok && i < 6; i++)
		ok = is_flag(f[i]);
	if (n == 7)
		ok = ok && f[6][0] != '\0';
	free(copy);
	require(ok, "not a row of the default columns: '%s'", line);
}

/* The row of ls (default columns) for addr, or -1. */
static int
row_of(const struct tl_lines *ls, uintptr_t addr)
{
	char want[32];
	int i;

	snprintf(want, sizeof(want), "%lx ", (unsigned long)addr);
	for (i = 0; i < ls->n; i++)
		if (tl_starts_with(ls->v[i], want))
			return i;
	return -1;
}

/*
 * Checks a dump of the whole first child in the default columns: its
 * header, every row, the anonymous pages it wrote and left, and the
 * file it read.
 */
static void
check_child_dump(const char *what, const char *text, bool cut)
{
	struct tl_lines ls;
	char *copy, *f[7];
	int i, at;

	tl_lines_split(&ls, text);
	require(ls.n >= 1 && strcmp(ls.v[0], DEFAULT_HEADER) == 0,
	    "%s: the first line is not the header '%s'", what,
	    DEFAULT_HEADER);
	for (i = 1; i < ls.n; i++)
		check_page_row(ls.v[i]);
	if (cut) {
		require(ls.n == 10, "%s: %d lines, not head's 10", what, ls.n);
		tl_lines_free(&ls);
		return;
	}
	require(ls.n - 1 == mapped_pages(fx.pid[0]),
	    "%s: %d rows for the %ld pages that the child maps", what,
	    ls.n - 1, mapped_pages(fx.pid[0]));
	at = row_of(&ls, fx.l[0].anon);
	require(at > 0 && at + ANON_PAGES <= ls.n,
	    "%s: no rows for the anonymous pages at %lx", what,
	    (unsigned long)fx.l[0].anon);
	for (i = 0; i < ANON_PAGES; i++) {
		uintptr_t addr = fx.l[0].anon + (uintptr_t)i *
		    (uintptr_t)fx.page;
		uint64_t e = pagemap_entry(fx.pid[0], addr);
		char pfn[32];

		copy = strdup(ls.v[at + i]);
		require(tl_split(copy, ' ', f, 7) == 6,
		    "%s: an anonymous page with a name: %s", what,
		    ls.v[at + i]);
		snprintf(pfn, sizeof(pfn), "%lx", (unsigned long)PM_PFN(e));
		require(strtoul(f[0], NULL, 16) == addr &&
		    strcmp(f[5], i < ANON_WRITTEN ? "1" : "0") == 0 &&
		    strcmp(f[1], i < ANON_WRITTEN ? pfn : "0") == 0,
		    "%s: page %d of the anonymous memory, %s written: '%s' "
		    "(pfn %s)", what, i, i < ANON_WRITTEN ? "" : "not",
		    ls.v[at + i], pfn);
		free(copy);
	}
	at = row_of(&ls, fx.l[0].file);
	require(at > 0, "%s: no row for the file at %lx", what,
	    (unsigned long)fx.l[0].file);
	copy = strdup(ls.v[at]);
	require(tl_split(copy, ' ', f, 7) == 7 && strcmp(f[6], fx.file) == 0 &&
	    strcmp(f[3], "1") == 0 && strcmp(f[5], "1") == 0,
	    "%s: the file's first page is not a present file page named "
	    "'%s': '%s'", what, fx.file, ls.v[at]);
	free(copy);
	tl_lines_free(&ls);
}

/* A dump of the whole process, maybe cut by head. */
static void
check_whole_dump(const struct run *r)
{
	check_child_dump("the dump", r->out, r->head);
}

/* pagemap-dump PID > FILE: the file holds the whole dump. */
static void
check_dump_to_file(const struct run *r)
{
	const char *gt = strstr(r->pc->text, "> ");
	char path[256], *text;

	require(gt != NULL && strcspn(gt + 2, " \n") < 64,
	    "no '> FILE' in the command");
	snprintf(path, sizeof(path), "%s/%.*s", r->dir,
	    (int)strcspn(gt + 2, " \n"), gt + 2);
	text = tl_read_file(path);
	require(text != NULL, "%s was not written", path);
	require(r->out[0] == '\0', "output on stdout besides %s", path);
	check_child_dump(path, text, false);
	free(text);
}

/* sleep: the first child writes a late page, as if time had passed. */
static void
check_sleep(const struct run *r)
{
	require(r->out[0] == '\0', "sleep printed something");
	fx.touched = touch_late_page();
}

/* diff before after: the page written meanwhile is the change shown. */
static void
check_diff(const struct run *r)
{
	struct tl_lines ls;
	char old[32], new[32], *copy, *f[7];
	int i, seen = 0;
	uint64_t e;

	require(fx.touched != 0, "the diff has nothing to show: no sleep "
	    "before it let the child change");
	e = pagemap_entry(fx.pid[0], fx.touched);
	snprintf(old, sizeof(old), "< %lx ", (unsigned long)fx.touched);
	snprintf(new, sizeof(new), "> %lx ", (unsigned long)fx.touched);
	tl_lines_split(&ls, r->out);
	for (i = 0; i < ls.n; i++) {
		bool before = tl_starts_with(ls.v[i], old);

		if (!before && !tl_starts_with(ls.v[i], new))
			continue;
		copy = strdup(ls.v[i] + 2);
		require(tl_split(copy, ' ', f, 7) == 6,
		    "a row of the diff that is not one of an anonymous page: "
		    "'%s'", ls.v[i]);
		require(before ? strcmp(f[1], "0") == 0 &&
		    strcmp(f[5], "0") == 0 :
		    strtoull(f[1], NULL, 16) == PM_PFN(e) &&
		    strcmp(f[5], "1") == 0,
		    "the page written between the dumps shows as '%s'",
		    ls.v[i]);
		seen |= before ? 1 : 2;
		free(copy);
	}
	require(seen == 3, "the diff does not show the page %lx, written "
	    "between the dumps, as absent then present",
	    (unsigned long)fx.touched);
	tl_lines_free(&ls);
}

/* -a ADDR -o addr,pfn,paddr: the header and the page, from pagemap. */
static void
check_lookup(const struct run *r)
{
	struct tl_lines ls;
	char want[96];
	uint64_t e = pagemap_entry(fx.pid[0], fx.addr);
	unsigned long pfn = (unsigned long)PM_PFN(e);
	uintptr_t pageof = fx.addr / (uintptr_t)fx.page * (uintptr_t)fx.page;

	require(PM_PRESENT(e), "the page of the address is not present");
	snprintf(want, sizeof(want), "%lx %lx %lx", (unsigned long)pageof,
	    pfn, pfn * (unsigned long)fx.page + (unsigned long)(fx.addr -
	    pageof));
	tl_lines_split(&ls, r->out);
	require(ls.n == 2 && strcmp(ls.v[0], "addr pfn paddr") == 0 &&
	    strcmp(ls.v[1], want) == 0,
	    "want the header 'addr pfn paddr' and the row '%s'", want);
	require(!fx.root || pfn != 0, "the pfn is 0 as root");
	tl_lines_free(&ls);
}

/* awk counting the present pages: what -P finds, at least the written. */
static void
check_count(const struct run *r)
{
	int present = present_pages(0);

	char *copy = strdup(r->out);

	copy[strcspn(copy, "\n")] = '\0';
	require(tl_is_decimal(copy) && tl_count_lines(r->out) == 1,
	    "not one number");
	free(copy);
	require(atoi(r->out) == present && present >= ANON_WRITTEN +
	    FILE_PAGES, "%d present pages counted, %d found by -P (the "
	    "child wrote or read %d)", atoi(r->out), present,
	    ANON_WRITTEN + FILE_PAGES);
}

/* grep [heap] | cut: address and pfn of every page of the heap. */
static void
check_heap_cut(const struct run *r)
{
	struct tl_lines ls;
	uintptr_t start, end, a;
	char *copy, *f[3];
	long pages;
	int i;

	pages = heap_of(fx.pid[0], &start, &end);
	tl_lines_split(&ls, r->out);
	require(ls.n == pages, "%d lines for the %ld pages of [heap]", ls.n,
	    pages);
	for (i = 0; i < ls.n; i++) {
		copy = strdup(ls.v[i]);
		a = strtoul(copy, NULL, 16);
		require(tl_split(copy, ' ', f, 3) == 2 && tl_is_hex(f[0]) &&
		    tl_is_hex(f[1]) && a >= start && a < end &&
		    (i == 0 || a > strtoul(ls.v[i - 1], NULL, 16)),
		    "line %d is not 'addr pfn' of a page of the heap, in "
		    "order", i + 1);
		free(copy);
	}
	for (a = fx.l[0].heap / (uintptr_t)fx.page * (uintptr_t)fx.page;
	    a < fx.l[0].heap + HEAP_BYTES; a += (uintptr_t)fx.page) {
		uint64_t e = pagemap_entry(fx.pid[0], a);
		char want[64];

		snprintf(want, sizeof(want), "%lx %lx", (unsigned long)a,
		    (unsigned long)PM_PFN(e));
		for (i = 0; i < ls.n; i++)
			if (strcmp(ls.v[i], want) == 0)
				break;
		require(i < ls.n && (!fx.root || PM_PFN(e) != 0),
		    "the written heap page %lx: no line '%s'",
		    (unsigned long)a, want);
	}
	tl_lines_free(&ls);
}

/* grep libc | awk '$6 == 1': the present pages of the C library. */
static void
check_libc(const struct run *r)
{
	struct tl_lines ls;
	struct tl_vma *v;
	char *copy, *f[7];
	int i, n = (int)tl_maps(fx.pid[0], &v), present = 0, maps = 0;

	for (i = 0; i < n; i++) {
		size_t pages = (v[i].end - v[i].start) / (uintptr_t)fx.page, j;
		uint64_t *e;

		if (!tl_ends_with(v[i].name, "/libc.so.6"))
			continue;
		maps++;
		e = calloc(pages, sizeof(*e));
		assert_non_null(e);
		tl_pagemap(fx.pid[0], v[i].start, e, pages);
		for (j = 0; j < pages; j++)
			present += (int)PM_PRESENT(e[j]);
		free(e);
	}
	tl_vmas_free(v, (size_t)n);
	if (maps == 0)
		tl_skip("the child maps no libc.so.6 (not glibc?)");
	tl_lines_split(&ls, r->out);
	require(ls.n == present && present > 0,
	    "%d lines for the %d present pages of libc.so.6", ls.n, present);
	for (i = 0; i < ls.n; i++) {
		check_page_row(ls.v[i]);
		copy = strdup(ls.v[i]);
		require(tl_split(copy, ' ', f, 7) == 7 && strcmp(f[5], "1") == 0 &&
		    tl_ends_with(f[6], "/libc.so.6"),
		    "not a present page of libc.so.6: '%s'", ls.v[i]);
		free(copy);
	}
	tl_lines_free(&ls);
}

/* A sum per mapping name. */
struct sum {
	char *name;
	long kib;
	bool seen;
};

/*
 * The resident KiB per mapping name of the first child, from the
 * summary in TSV, whose columns are found by their header names.
 */
static int
library_sums(struct sum *sums, int max)
{
	const char *const args[] = { "-s", "-f", "tsv", fx.arg[0], NULL };
	char *out = tool_output(args), *f[64];
	struct tl_lines ls;
	int i, j, n, nsums = 0, kib_at, name_at;

	tl_lines_split(&ls, out);
	free(out);
	assert_true(ls.n > 1);
	n = tl_split(ls.v[0], '\t', f, 64);
	kib_at = field_index(f, n, "rss-kib");
	name_at = field_index(f, n, "library");
	assert_true(kib_at >= 0 && name_at >= 0);
	for (i = 1; i < ls.n; i++) {
		int m = tl_split(ls.v[i], '\t', f, 64);

		assert_int_equal(m, n);
		if (f[name_at][0] == '\0')
			continue;	/* anonymous, or the total */
		for (j = 0; j < nsums; j++)
			if (strcmp(sums[j].name, f[name_at]) == 0)
				break;
		if (j == nsums) {
			assert_true(nsums < max);
			sums[nsums].name = strdup(f[name_at]);
			sums[nsums].kib = 0;
			sums[nsums].seen = false;
			nsums++;
		}
		sums[j].kib += strtol(f[kib_at], NULL, 10);
	}
	tl_lines_free(&ls);
	return nsums;
}

/* The summary through awk: the resident KiB of each library, sorted. */
static void
check_library_sums(const struct run *r)
{
	struct sum sums[256];
	struct tl_lines ls;
	long last = -1;
	int i, j, nsums = library_sums(sums, 256);
	bool file = false, heap = false;

	tl_lines_split(&ls, r->out);
	require(ls.n > 0, "no output");
	for (i = 0; i < ls.n; i++) {
		char *sp = strchr(ls.v[i], ' ');
		long kib;

		require(sp != NULL && sp > ls.v[i], "not 'KiB name': '%s'",
		    ls.v[i]);
		*sp = '\0';
		require(tl_is_decimal(ls.v[i]), "not a number of KiB: '%s'",
		    ls.v[i]);
		kib = atol(ls.v[i]);
		for (j = 0; j < nsums; j++)
			if (strcmp(sums[j].name, sp + 1) == 0)
				break;
		require(j < nsums, "'%s' is not the name of a mapping of the "
		    "child", sp + 1);
		require(!sums[j].seen, "'%s' is listed twice", sp + 1);
		require(kib == sums[j].kib, "%ld KiB for '%s', whose mappings "
		    "hold %ld KiB", kib, sp + 1, sums[j].kib);
		sums[j].seen = true;
		require(strstr(r->cmd->text, "sort -rn") == NULL || last < 0 ||
		    kib <= last, "not sorted by size: %ld after %ld", kib,
		    last);
		last = kib;
		file = file || (strcmp(sp + 1, fx.file) == 0 &&
		    kib == FILE_PAGES * fx.page / 1024);
		heap = heap || (strcmp(sp + 1, "[heap]") == 0 && kib > 0);
	}
	require(r->head ? ls.n <= 10 : ls.n == nsums,
	    "%d lines for the %d names of the child's mappings", ls.n, nsums);
	require(file, "no line '%ld %s' for the file the child read",
	    FILE_PAGES * fx.page / 1024, fx.file);
	require(heap, "no line for the child's [heap]");
	for (i = 0; i < nsums; i++)
		free(sums[i].name);
	tl_lines_free(&ls);
}

/* -S -f json | jq: the swapped pages, with their swap offsets. */
static void
check_swapped(const struct run *r)
{
	struct tl_lines ls;
	uint64_t e[SWAP_PAGES];
	char *copy, *f[4];
	int i, j, swapped = 0;

	tl_lines_split(&ls, r->out);
	for (i = 0; i < ls.n; i++) {
		copy = strdup(ls.v[i]);
		require(tl_split(copy, '\t', f, 4) == 3 && tl_starts_with(f[0], "0x")
		    && tl_is_hex(f[0] + 2) && tl_starts_with(f[1], "0x") &&
		    tl_is_hex(f[1] + 2),
		    "not 'address<TAB>swap offset<TAB>name': '%s'", ls.v[i]);
		free(copy);
	}
	if (!tl_swap_exists()) {
		require(ls.n == 0, "swapped pages listed without swap");
		tl_lines_free(&ls);
		tl_skip("no swap area: the example ran and rightly listed "
		    "nothing, so its output was not checked");
	}
	tl_pagemap(fx.pid[0], fx.l[0].swap, e, SWAP_PAGES);
	for (i = 0; i < SWAP_PAGES; i++) {
		char want[96];

		if (!PM_SWAPPED(e[i]))
			continue;
		swapped++;
		snprintf(want, sizeof(want), "0x%lx\t0x%lx\t",
		    (unsigned long)(fx.l[0].swap + (uintptr_t)i *
		    (uintptr_t)fx.page), (unsigned long)PM_SWAP_OFFSET(e[i]));
		for (j = 0; j < ls.n; j++)
			if (strcmp(ls.v[j], want) == 0)
				break;
		require(j < ls.n, "no line '%s' for a paged-out page", want);
	}
	tl_lines_free(&ls);
	if (swapped == 0)
		tl_skip("MADV_PAGEOUT left no page of the child in swap");
}

/* -m '[heap]' -o addr,pfn,mapcount,kflags: the written heap pages. */
static void
check_heap_kflags(const struct run *r)
{
	struct tl_lines ls;
	uintptr_t start, end, a;
	char *copy, *f[8];
	long pages = heap_of(fx.pid[0], &start, &end);
	int i, n, pfn_at, count_at, flags_at;

	tl_lines_split(&ls, r->out);
	require(ls.n == 1 + pages, "%d lines: not the header and the %ld "
	    "pages of [heap]", ls.n, pages);
	copy = strdup(ls.v[0]);
	n = tl_split(copy, ' ', f, 8);
	require(strcmp(f[0], "addr") == 0, "the header: '%s'", ls.v[0]);
	pfn_at = field_index(f, n, "pfn");
	count_at = field_index(f, n, "mapcount");
	flags_at = field_index(f, n, "kflags");
	require(pfn_at > 0 && count_at > 0 && flags_at > 0,
	    "no pfn, mapcount or kflags in the header '%s'", ls.v[0]);
	free(copy);
	for (a = fx.l[0].heap / (uintptr_t)fx.page * (uintptr_t)fx.page;
	    a < fx.l[0].heap + HEAP_BYTES; a += (uintptr_t)fx.page) {
		uint64_t e = pagemap_entry(fx.pid[0], a);
		char flags[512];

		i = row_of(&ls, a);
		require(i > 0, "no row for the written heap page %lx",
		    (unsigned long)a);
		copy = strdup(ls.v[i]);
		require(tl_split(copy, ' ', f, 8) == n &&
		    strtoull(f[pfn_at], NULL, 16) == PM_PFN(e) &&
		    PM_PFN(e) != 0 && strcmp(f[count_at], "1") == 0,
		    "the heap page %lx, written by the child alone: '%s'",
		    (unsigned long)a, ls.v[i]);
		snprintf(flags, sizeof(flags), ",%s,", f[flags_at]);
		require(strstr(flags, ",anon,") != NULL,
		    "the heap page %lx is not anon: '%s'", (unsigned long)a,
		    ls.v[i]);
		free(copy);
	}
	tl_lines_free(&ls);
}

/* The summary's header, as the tool prints it for the first child. */
static char *
summary_header(void)
{
	const char *const args[] = { "-s", fx.arg[0], NULL };
	char *out = tool_output(args);

	out[strcspn(out, "\n")] = '\0';
	return out;
}

pid_t
example_pid(int i)
{
	return fx.pid[i];
}

uintptr_t
example_thp(void)
{
	return fx.l[0].thp;
}

uintptr_t
example_addr(void)
{
	return fx.addr;
}

uintptr_t
example_touched(void)
{
	return fx.touched;
}

/* -k thp -s: the summary of the pages in transparent huge pages. */
static void
check_thp_summary(const struct run *r)
{
	struct tl_lines ls;
	char *header = summary_header(), *copy, *f[32], want[32];
	long thp_kb = tl_smaps_kb(fx.pid[0], fx.l[0].thp, "AnonHugePages:");
	int i, n, pages_at, present_at;
	bool seen = false;

	tl_lines_split(&ls, r->out);
	require(ls.n >= 2 && strcmp(ls.v[0], header) == 0 &&
	    tl_starts_with(ls.v[ls.n - 1], "total "),
	    "not the summary's header '%s', rows and a total", header);
	copy = strdup(header);
	n = tl_split(copy, ' ', f, 32);
	pages_at = field_index(f, n, "pages");
	present_at = field_index(f, n, "present");
	free(copy);
	require(pages_at > 0 && present_at > 0, "no pages or present column");
	snprintf(want, sizeof(want), "%lx ", (unsigned long)fx.l[0].thp);
	for (i = 1; i < ls.n; i++) {
		copy = strdup(ls.v[i]);
		require(tl_split(copy, ' ', f, 32) >= present_at + 1 &&
		    strcmp(f[pages_at], f[present_at]) == 0 &&
		    tl_is_decimal(f[pages_at]),
		    "a row whose pages are not all present: '%s'", ls.v[i]);
		if (tl_starts_with(ls.v[i], want))
			seen = strtol(f[present_at], NULL, 10) * fx.page /
			    1024 >= thp_kb;
		free(copy);
	}
	require(thp_kb <= 0 || seen, "the child's %ld KiB of huge pages at "
	    "%lx are not in the summary", thp_kb,
	    (unsigned long)fx.l[0].thp);
	free(header);
	tl_lines_free(&ls);
}

/* -P -f csv PID1 PID2 > pages.csv: both children's present pages. */
static void
check_csv(const struct run *r)
{
	struct tl_lines ls;
	char path[128], *text, *f[32];
	int i, n, present_at, rows[2] = { 0, 0 }, last = 0;

	snprintf(path, sizeof(path), "%s/pages.csv", r->dir);
	text = tl_read_file(path);
	require(text != NULL, "%s was not written", path);
	tl_lines_split(&ls, text);
	free(text);
	require(ls.n > 1 && tl_starts_with(ls.v[0], "pid,addr,pfn,"),
	    "pages.csv does not start with a header 'pid,addr,pfn,...'");
	n = tl_split(ls.v[0], ',', f, 32);
	present_at = field_index(f, n, "present");
	require(present_at > 0, "no present column in pages.csv");
	for (i = 1; i < ls.n; i++) {
		char *line = strdup(ls.v[i]);
		int who;

		require(tl_split(line, ',', f, n) == n, "pages.csv, line %d: '%s'",
		    i + 1, ls.v[i]);
		who = strcmp(f[0], fx.arg[0]) == 0 ? 0 :
		    strcmp(f[0], fx.arg[1]) == 0 ? 1 : -1;
		require(who >= last && strcmp(f[present_at], "1") == 0,
		    "pages.csv, line %d: not a present page of the children, "
		    "in order: '%s'", i + 1, ls.v[i]);
		last = who;
		rows[who]++;
		free(line);
	}
	for (i = 0; i < 2; i++)
		require(rows[i] == present_pages(i) && rows[i] > 0,
		    "pages.csv has %d rows for child %d, which has %d present "
		    "pages", rows[i], i + 1, present_pages(i));
	tl_lines_free(&ls);
}

/*
 * The recipes, the first match wins: the more particular ones first, and
 * the catch-all "make" last.
 */
static const struct recipe recipes[] = {
	{ .what = "ranges of the heap", .need = { "-R", "[heap]" },
	    .check = check_heap_ranges },
	{ .what = "the list of columns", .need = { "pagemap-dump -o help" },
	    .check = check_column_help },
	{ .what = "the folios of each mapping", .need = { "-s", "--by folio" },
	    .check = check_folio_summary },
	{ .what = "the nodes of each mapping", .need = { "-s", "--by node" },
	    .check = check_node_summary },
	{ .what = "the nodes of the heap", .need = { "[heap]", "node" },
	    .check = check_heap_nodes },
	{ .what = "the make-up of physical memory", .need = { "--physical",
	    "kflags" }, .check = check_physical_histogram },
	{ .what = "the PSS of every process", .need = { "-A", "--sort" },
	    .may_say = "pagemap-dump: --all: ", .check = check_all_pss },
	{ .what = "who maps a frame", .need = { "-A", "--paddr" },
	    .may_say = "pagemap-dump: --all: ", .check = check_frame_owners },
	{ .what = "the test suite", .need = { "make deps check" },
	    .not_run = "it runs this suite, which runs this test again; "
	    ".ci/run runs it last" },
	{ .what = "installing", .need = { "make install" },
	    .not_run = "it installs into the system" },
	{ .what = "uninstalling", .need = { "make uninstall" },
	    .not_run = "it removes the installed files" },
	{ .what = "the virtual-to-physical lookup",
	    .need = { "-a " PLACEHOLDER_ADDR, "paddr" },
	    .check = check_lookup },
	{ .what = "resident KiB per library", .need = { "-s", "awk", "kib" },
	    .check = check_library_sums },
	{ .what = "swapped pages through jq", .need = { "-S", "jq" },
	    .check = check_swapped },
	{ .what = "page flags of the heap", .need = { "[heap]", "kflags" },
	    .check = check_heap_kflags },
	{ .what = "the summary of huge pages", .need = { "-k thp", "-s" },
	    .check = check_thp_summary },
	{ .what = "two processes as CSV", .need = { "-f csv",
	    PLACEHOLDER_PID1 " " PLACEHOLDER_PID2, "> pages.csv" },
	    .check = check_csv },
	{ .what = "the count of present pages",
	    .need = { "awk", "$6 == 1", "print n" }, .check = check_count },
	{ .what = "present pages of libc", .need = { "libc", "awk", "$6 == 1" },
	    .check = check_libc },
	{ .what = "address and pfn of the heap", .need = { "[heap", "cut" },
	    .check = check_heap_cut },
	{ .what = "a dump to a file",
	    .need = { "pagemap-dump " PLACEHOLDER_PID1 " > " },
	    .check = check_dump_to_file },
	{ .what = "the wait between two dumps", .need = { "sleep " },
	    .run_as = "sleep 0", .check = check_sleep },
	{ .what = "the difference of two dumps",
	    .need = { "diff before.txt after.txt" }, .exit_status = 1,
	    .may_fail = "diff 1", .check = check_diff },
	{ .what = "a dump of a whole process", .need = { "pagemap-dump $$" },
	    .check = check_whole_dump },
	{ .what = "building", .need = { "make" },
	    .not_run = "it builds the tool, which is built already" },
};

/* The first recipe of rs (n of them) whose needs text meets, or NULL. */
static const struct recipe *
recipe_in(const struct recipe *rs, size_t n, const char *text)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < 4 && rs[i].need[j] != NULL; j++)
			if (strstr(text, rs[i].need[j]) == NULL)
				break;
		if (j == 4 || rs[i].need[j] == NULL)
			return &rs[i];
	}
	return NULL;
}

static const struct recipe *
recipe_for(const char *text)
{
	const struct recipe *r = recipe_in(snapshot_recipes,
	    nsnapshot_recipes, text);

	return r != NULL ? r : recipe_in(recipes, sizeof(recipes) /
	    sizeof(recipes[0]), text);
}

/* Checks the statuses of a run: of sh, and of each program in it. */
static void
check_statuses(const struct run *r, const struct recipe *rc)
{
	struct tl_lines ls;
	int i, code = WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;

	require(code == rc->exit_status, "exit status %d, not %d", code,
	    rc->exit_status);
	tl_lines_split(&ls, r->failures);
	for (i = 0; i < ls.n; i++) {
		const char *sp = strrchr(ls.v[i], ' ');
		bool ok = rc->may_fail != NULL &&
		    strcmp(ls.v[i], rc->may_fail) == 0;

		/* SIGPIPE, when head has read what it wants. */
		ok = ok || (r->head && sp != NULL &&
		    strcmp(sp + 1, "141") == 0 && !tl_starts_with(ls.v[i], "head "));
		require(ok, "a program of the pipeline failed: '%s' "
		    "(program, status)", ls.v[i]);
	}
	tl_lines_free(&ls);
	tl_lines_split(&ls, r->err);
	for (i = 0; fx.root && i < ls.n; i++)
		require(rc->may_say != NULL &&
		    tl_starts_with(ls.v[i], rc->may_say), "stderr as root: %s",
		    r->err);
	tl_lines_free(&ls);
}

/* ---- the tests -------------------------------------------------------- */

static void
should_find_the_examples_of_both_documents(void **state)
{
	int i, readme_quick = 0, readme_usage = 0, man = 0;

	(void)state;
	if (problems.len > 0)
		fail_msg("examples this test cannot read:\n%s",
		    tl_buf_str(&problems));
	for (i = 0; i < nexamples; i++) {
		if (strcmp(examples[i].doc, MANPAGE) == 0)
			man++;
		else if (strcmp(examples[i].section, "Quick start") == 0)
			readme_quick++;
		else if (strcmp(examples[i].section, "Usage") == 0)
			readme_usage++;
	}
	if (readme_quick == 0 || readme_usage == 0 || man == 0)
		fail_msg("examples found: %d in README.md's Quick start, %d in "
		    "its Usage, %d in the manual's EXAMPLES: none in one of "
		    "them means this test no longer reads them", readme_quick,
		    readme_usage, man);
	print_message("%d examples: %d in README.md's Quick start, %d in its "
	    "Usage, %d in the manual\n", nexamples, readme_quick,
	    readme_usage, man);
}

static void
run_example(void **state)
{
	const struct example *ex = *state;
	const struct subst sb = { fx.addr, tl_page_state(fx.pid[0],
	    fx.addr).pfn * (uint64_t)fx.page + fx.addr % (uint64_t)fx.page,
	    { fx.arg[0], fx.arg[1] } };
	const struct recipe *rc[MAX_CMDS];
	struct prepared pc[MAX_CMDS];
	struct tl_buf why = { 0 };
	char dir[96];
	int i, j, to_run = 0;

	cur = NULL;
	fx.touched = 0;
	for (i = 0; i < ex->ncmd; i++) {
		rc[i] = recipe_for(ex->cmd[i].text);
		if (rc[i] == NULL)
			fail_msg("%s:%d: no recipe knows how to run and check "
			    "this example; add one to tests/test_examples.c:\n"
			    "%s", ex->doc, ex->cmd[i].line, ex->cmd[i].text);
	}
	for (i = 0; i < ex->ncmd; i++) {
		prepare(&pc[i], rc[i]->run_as != NULL ? rc[i]->run_as :
		    ex->cmd[i].text, &sb);
		if (rc[i]->not_run != NULL) {
			char what[128];

			summary_of(what, sizeof(what), ex->cmd[i].text);
			tl_buf_printf(&why, "%snot run: '%s': %s",
			    why.len > 0 ? "; " : "", what, rc[i]->not_run);
			continue;
		}
		to_run++;
		if (pc[i].sudo && !fx.root)
			tl_skip("needs root (sudo): run the tests as root");
		for (j = 0; j < pc[i].nnames; j++)
			if (strcmp(pc[i].names[j], TOOL_FUNCTION) != 0 &&
			    !is_builtin(pc[i].names[j]) &&
			    !installed(pc[i].names[j])) {
				char msg[128];

				snprintf(msg, sizeof(msg), "%s is not installed",
				    pc[i].names[j]);
				tl_skip(msg);
			}
	}
	if (to_run == 0)
		tl_skip(tl_buf_str(&why));
	if (why.len > 0) {
		printf("[  NOTE    ] %s\n", tl_buf_str(&why));
		fflush(stdout);
	}
	/* One directory for the commands of the example, new. */
	snprintf(dir, sizeof(dir), "%s/example-%d", fx.dir, ++fx.workdirs);
	if (mkdir(dir, 0755) != 0)
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	for (i = 0; i < ex->ncmd; i++) {
		struct run r;

		if (rc[i]->not_run != NULL)
			continue;
		memset(&r, 0, sizeof(r));
		r.ex = ex;
		r.cmd = &ex->cmd[i];
		r.pc = &pc[i];
		r.rc = rc[i];
		for (j = 0; j < pc[i].nnames; j++)
			r.head = r.head || strcmp(pc[i].names[j], "head") == 0;
		snprintf(r.dir, sizeof(r.dir), "%s", dir);
		r.script = script_of(&pc[i], fx.status, fx.tool);
		sh_run(&r, fx.status);
		cur = &r;
		check_statuses(&r, rc[i]);
		if (r.cmd->shown != NULL)
			check_shown_shape(&r);
		rc[i]->check(&r);
		cur = NULL;
		free(r.script);
		free(r.out);
		free(r.err);
		free(r.failures);
	}
	for (i = 0; i < ex->ncmd; i++)
		free(pc[i].text);
	free(why.s);
}

int
main(void)
{
	struct CMUnitTest *tests;
	char *readme = tl_read_file(README), *man = tl_read_file(MANPAGE);
	int i, n;

	if (readme == NULL || man == NULL) {
		fprintf(stderr, "test_examples: %s and %s not found (run from "
		    "the top of the repository)\n", README, MANPAGE);
		return 1;
	}
	if (realpath(tl_tool(), fx.tool) == NULL ||
	    access(fx.tool, X_OK) != 0) {
		fprintf(stderr, "test_examples: %s not built (run make)\n",
		    tl_tool());
		return 1;
	}
	if (strchr(fx.tool, '\'') != NULL) {
		fprintf(stderr, "test_examples: a quote in %s\n", fx.tool);
		return 1;
	}
	fx.page = sysconf(_SC_PAGESIZE);
	fx.root = geteuid() == 0;
	parse_readme(readme);
	parse_man(man);
	free(readme);
	free(man);

	tests = calloc((size_t)nexamples + 1, sizeof(*tests));
	if (tests == NULL)
		return 1;
	tests[0].name = "should_find_the_examples_of_both_documents";
	tests[0].test_func = should_find_the_examples_of_both_documents;
	for (i = n = 0; i < nexamples; i++) {
		struct example *ex = &examples[i];
		char first[160];

		if (ex->ncmd == 0)
			continue;	/* a problem the first test reports */
		summary_of(first, sizeof(first), ex->cmd[0].text);
		snprintf(ex->name, sizeof(ex->name), "%s:%d: %s%s", ex->doc,
		    ex->line, first, ex->ncmd > 1 &&
		    !tl_ends_with(first, " ...") ? " ..." : "");
		n++;
		tests[n].name = ex->name;
		tests[n].test_func = run_example;
		tests[n].initial_state = ex;
	}
	i = _cmocka_run_group_tests("test_examples", tests, (size_t)n + 1,
	    start_children, stop_children);
	free(tests);
	return i;
}

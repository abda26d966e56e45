/*
 * physical: what the test_physical_* programs share: a forked child whose
 * pages are known (anonymous pages shared with a grandchild after a fork,
 * one of them copied on write afterwards, file pages read through a
 * private mapping, anonymous pages with holes between them, paged-out
 * pages and a transparent huge page area, all in one reserved region, so
 * that -r picks them out; a long sparse mapping, a memfd page mapped
 * twice and a huge page of the child's own elsewhere), the tool run on it
 * with or without CAP_SYS_ADMIN, and its rows and summaries read back.
 */
#ifndef PAGEMAP_DUMP_PHYSICAL_H
#define PAGEMAP_DUMP_PHYSICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "testlib.h"

#ifndef CAP_SYS_ADMIN
#define CAP_SYS_ADMIN 21
#endif

#define BIT(n) (UINT64_C(1) << (n))
#define KPF_LRU		BIT(5)
#define KPF_MMAP	BIT(11)
#define KPF_ANON	BIT(12)
#define KPF_HEAD	BIT(15)
#define KPF_TAIL	BIT(16)
#define KPF_THP		BIT(22)

/*
 * The child's region, from base to end, PROT_NONE where nothing else is:
 * the huge page area (two huge pages long, aligned to one), then, a guard
 * page apart each, the shared, cow, file, anon, flush and swap areas. The
 * sparse mapping, several read buffers long, lies elsewhere.
 */
#define SHARED_PAGES 4
#define COW_PAGES 2
#define FILE_PAGES 8
#define ANON_PAGES 16	/* the even ones written */
#define FLUSH_PAGES 64	/* written late: pushes the others onto the LRU */
#define SWAP_PAGES 8	/* written after the fork, then paged out */
#define SPARSE_PAGES 262144	/* outside the region: every 997th written */

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

struct layout {
	uint64_t page, hpage;
	uintptr_t base, end;
	uintptr_t thp;		/* 2 * hpage, MADV_HUGEPAGE, all written */
	uintptr_t shared;	/* written before the grandchild was forked */
	uintptr_t cow;		/* the same, and page 0 written again after */
	uintptr_t file;		/* a file's pages, read through MAP_PRIVATE */
	uintptr_t anon;		/* the even pages written */
	uintptr_t flush;	/* written after the fork */
	uintptr_t swap;		/* the same, then paged out */
	uintptr_t sparse;	/* SPARSE_PAGES, not in the region */
	uintptr_t twice;	/* one memfd page, MAP_SHARED here and two
				   pages on, written through both; after the
				   fork, not in the region */
	uintptr_t own_thp;	/* hpage, MADV_HUGEPAGE, written after the
				   fork, not in the region */
	int thp_advised;	/* MADV_HUGEPAGE succeeded */
	int own_thp_advised;	/* the same, for own_thp */
	int paged_out;		/* MADV_PAGEOUT succeeded */
	int failed_step;	/* 0, or where building failed */
};

/* The child, once physical_start has made it. */
extern struct physical_child {
	pid_t pid;
	int hold;
	struct layout l;
	char pid_arg[16];
} child;

/*
 * The exit code for main: -1 when the tests can run here; 0 after
 * printing why they cannot (not root with CAP_SYS_ADMIN, or no
 * /proc/kpageflags); 1 when the tool is not built.
 */
int physical_unusable(const char *prog);

/* cmocka group setup and teardown: the child, started and ended. */
int physical_start(void **state);
int physical_stop(void **state);

/* Exit code of a run whose caller could not give up CAP_SYS_ADMIN. */
#define NO_DROP 125

/* How a program is run without CAP_SYS_ADMIN in the initial namespace. */
enum restriction {
	AS_ROOT,		/* not at all */
	BOUNDING_SET,		/* dropped from the bounding set */
	USER_NAMESPACE,		/* root of a new user namespace */
};

void run_restricted(struct tl_run *r, enum restriction how,
    const char *path, const char *const *args);
void dump_as(struct tl_run *r, enum restriction how, const char *pid,
    const char *const *opts);
void dump(struct tl_run *r, bool sys_admin, const char *const *opts);
void dump_ok(struct tl_run *r, const char *const *opts);
void range(char *buf, size_t len, uintptr_t start, uintptr_t end);

char *next_line(char **text);
uint64_t number(const char *s, int base);
int json_type(const struct tl_jobject *o, const char *key);

/* One row of PAGE_COLUMNS. */
struct page_row {
	uint64_t addr, pfn, flags, mapcount, cgroup;
	bool present;
};

#define PAGE_COLUMNS "addr,pfn,present,kflags-hex,mapcount,cgroup"

struct page_row *parse_pages(char *text, size_t *n);
struct page_row *pages(uintptr_t start, uintptr_t end, const char *kflags,
    size_t *n);
struct page_row *all_pages(uintptr_t start, size_t count);
size_t region_pages(void);

/* A summary (or a table of pages), read back: header and rows as fields. */
struct summary {
	struct tl_run run;
	struct tl_table t;	/* the header, then the rows */
	size_t nrows;		/* the rows after the header */
};

/* The fields of row i of s (0: the first after the header). */
char **summary_row(const struct summary *s, size_t i);
void summary_done(struct summary *s);
void read_table(struct summary *s, bool sys_admin, const char *const *args);
void summary(struct summary *s, bool sys_admin, const char *const *opts);
int column(const struct summary *s, const char *name);
uint64_t cell(const struct summary *s, const char *start, const char *name);

void require_thp(void);
uint64_t anon_huge_kib(uintptr_t start);

#endif

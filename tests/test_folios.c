/*
 * End-to-end tests of the folio columns (folio, folio-kib, folio-map,
 * huge) against the kernel, on one child built here step by step: PMD
 * THPs, a THP whose PMD mprotect split, mTHP folios of 64K (some moved by
 * mremap to an unaligned address) and a hugetlb page. The core check
 * recomputes the folio size of every present page of the child from
 * /proc/kpageflags itself and compares it with the tool's.
 *
 * The mTHP size setting and nr_hugepages are changed only for as long as
 * the child needs them, and put back in the teardown and at exit too.
 * What the machine cannot give (no THP, no mTHP setting, no hugetlb page,
 * not root) is skipped with the reason printed.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif

#define KIB 1024UL
#define MIB (1024UL * 1024)
#define PMD_SIZE (2 * MIB)
#define MTHP_SIZE (64 * KIB)
#define THP_SIZE (4 * MIB)
#define MTHP_REGION MIB
#define MOVED_FROM (256 * KIB)	/* the piece mremap moves: offset, size */
#define MOVED_SIZE (128 * KIB)
#define ZAPPED_FOLIO (512 * KIB)	/* a folio with a page zapped: offset */
#define ZAPPED_PAGE 5			/* which page of it */

#define KPF_HEAD (UINT64_C(1) << 15)
#define KPF_TAIL (UINT64_C(1) << 16)
#define MAX_FOLIO (UINT64_C(1) << 20)	/* pages, as the tool looks */

#define MTHP_ENABLED "/sys/kernel/mm/transparent_hugepage/" \
	"hugepages-64kB/enabled"
#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

/* ---- the child ----------------------------------------------------------- */

/* What the child made; 0 for what it could not. */
struct layout {
	uintptr_t thp;		/* 4 MiB, 2 MiB-aligned, MADV_HUGEPAGE */
	uintptr_t split;	/* 2 MiB alike; then its second half r-- */
	uintptr_t mthp;		/* 1 MiB, 64K-aligned, written, a page zapped */
	uintptr_t moved;	/* 128K of it moved here: 64K-aligned + page */
	uintptr_t hugetlb;	/* a written 2 MiB hugetlb page */
	int collapse, protect, remap;	/* what each call returned */
};

/* What the child does when the parent asks. */
enum step { STEP_THP = 'T', STEP_COLLAPSE = 'C', STEP_SPLIT = 'S',
	STEP_MTHP = 'M', STEP_MOVE = 'R', STEP_HUGETLB = 'H' };

static long page;

/* size bytes of anonymous memory aligned to align, or 0. */
static uintptr_t
map_aligned(size_t size, size_t align, int prot)
{
	void *p = mmap(NULL, size + align, prot, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);

	if (p == MAP_FAILED)
		return 0;
	return ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
}

/* A THP area: aligned, MADV_HUGEPAGE, every byte written. */
static uintptr_t
map_thp(size_t size)
{
	uintptr_t a = map_aligned(size, PMD_SIZE, PROT_READ | PROT_WRITE);

	if (a == 0)
		return 0;
	madvise((void *)a, size, MADV_HUGEPAGE);
	memset((void *)a, 0x3c, size);
	return a;
}

/* Moves 128K of the mTHP area to 64K-aligned plus a page, amid PROT_NONE. */
static void
move_piece(struct layout *l)
{
	uintptr_t to = map_aligned(4 * MOVED_SIZE, MTHP_SIZE, PROT_NONE);
	void *p;

	if (to == 0 || l->mthp == 0) {
		l->remap = -1;
		return;
	}
	to += MOVED_SIZE + (uintptr_t)page;
	p = mremap((void *)(l->mthp + MOVED_FROM), MOVED_SIZE, MOVED_SIZE,
	    MREMAP_MAYMOVE | MREMAP_FIXED, (void *)to);
	l->remap = p == MAP_FAILED ? -1 : 0;
	l->moved = p == MAP_FAILED ? 0 : to;
}

static void
do_step(struct layout *l, char step)
{
	void *p;

	switch (step) {
	case STEP_THP:
		l->thp = map_thp(THP_SIZE);
		l->split = map_thp(PMD_SIZE);
		break;
	case STEP_COLLAPSE:
		l->collapse = madvise((void *)l->thp, THP_SIZE, MADV_COLLAPSE);
		if (madvise((void *)l->split, PMD_SIZE, MADV_COLLAPSE) != 0)
			l->collapse = -1;
		break;
	case STEP_SPLIT:
		l->protect = mprotect((void *)(l->split + PMD_SIZE / 2),
		    PMD_SIZE / 2, PROT_READ);
		break;
	case STEP_MTHP:
		l->mthp = map_aligned(MTHP_REGION, MTHP_SIZE,
		    PROT_READ | PROT_WRITE);
		if (l->mthp == 0)
			break;
		memset((void *)l->mthp, 0x5a, MTHP_REGION);
		madvise((void *)(l->mthp + ZAPPED_FOLIO + ZAPPED_PAGE *
		    (size_t)page), (size_t)page, MADV_DONTNEED);
		break;
	case STEP_MOVE:
		move_piece(l);
		break;
	case STEP_HUGETLB:
		p = mmap(NULL, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		    MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p != MAP_FAILED) {
			memset(p, 0x7e, PMD_SIZE);
			l->hugetlb = (uintptr_t)p;
		}
		break;
	}
}

/* The child: does each step asked for, answers with the layout. */
static void
serve(int info, int hold)
{
	struct layout l;
	char step;

	memset(&l, 0, sizeof(l));
	l.collapse = 1;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (read(hold, &step, 1) == 1) {
		do_step(&l, step);
		if (write(info, &l, sizeof(l)) != (ssize_t)sizeof(l))
			_exit(TL_SETUP_FAILED);
	}
	_exit(0);
}

/* ---- the fixture: the child and the settings it needed ----------------- */

static struct {
	pid_t pid;
	char arg[16];
	int info, hold;
	struct layout l;
	long thp_kb, split_kb;	/* AnonHugePages, before the split */
	char mthp_old[32];	/* the 64K setting to put back, or "" */
	char mthp_why[160];	/* why it was not changed, or "" */
	long hugetlb_old;	/* nr_hugepages to put back, or -1 */
	char hugetlb_why[160];	/* why there is no hugetlb page, or "" */
} fx = { .pid = -1, .info = -1, .hold = -1, .hugetlb_old = -1 };

/* Writes text to path with plain calls (safe in a signal handler). */
static void
put_back(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	ssize_t n;

	if (fd < 0)
		return;
	n = write(fd, text, strlen(text));
	(void)n;	/* a failure leaves nothing to do: the last try */
	close(fd);
}

static void
restore_mthp(void)
{
	if (fx.mthp_old[0] != '\0')
		put_back(MTHP_ENABLED, fx.mthp_old);
	fx.mthp_old[0] = '\0';
}

/* Ends the child, then gives its hugetlb page back to the pool's size. */
static void
restore_all(void)
{
	char old[32];

	if (fx.pid > 0) {
		kill(fx.pid, SIGKILL);
		waitpid(fx.pid, NULL, 0);
		fx.pid = -1;
	}
	restore_mthp();
	if (fx.hugetlb_old >= 0) {
		snprintf(old, sizeof(old), "%ld\n", fx.hugetlb_old);
		put_back(NR_HUGEPAGES, old);
		fx.hugetlb_old = -1;
	}
}

static void
on_signal(int sig)
{
	restore_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Asks the child for a step and waits for its layout. */
static void
step(char s)
{
	assert_int_equal(write(fx.hold, &s, 1), 1);
	assert_int_equal(read(fx.info, &fx.l, sizeof(fx.l)), sizeof(fx.l));
}

/* The word in brackets of a sysfs choice ("always [never]"), or "". */
static void
chosen(const char *path, char *word, size_t len)
{
	char *text = tl_read_file(path), *a, *b;

	word[0] = '\0';
	if (text != NULL && (a = strchr(text, '[')) != NULL &&
	    (b = strchr(a, ']')) != NULL && (size_t)(b - a) < len - 1)
		snprintf(word, len, "%.*s\n", (int)(b - a - 1), a + 1);
	free(text);
}

/* THP: written, and collapsed where the kernel gave none at the fault. */
static void
build_thps(void)
{
	step(STEP_THP);
	assert_true(fx.l.thp != 0 && fx.l.split != 0);
	fx.thp_kb = tl_smaps_kb(fx.pid, fx.l.thp, "AnonHugePages:");
	fx.split_kb = tl_smaps_kb(fx.pid, fx.l.split, "AnonHugePages:");
	if (fx.thp_kb < (long)(THP_SIZE / KIB) ||
	    fx.split_kb < (long)(PMD_SIZE / KIB)) {
		step(STEP_COLLAPSE);
		fx.thp_kb = tl_smaps_kb(fx.pid, fx.l.thp, "AnonHugePages:");
		fx.split_kb = tl_smaps_kb(fx.pid, fx.l.split,
		    "AnonHugePages:");
	}
	step(STEP_SPLIT);
	assert_int_equal(fx.l.protect, 0);
}

/* The mTHP area, faulted with the 64K size set to always, if it may be. */
static void
build_mthp(void)
{
	char old[32];

	chosen(MTHP_ENABLED, old, sizeof(old));
	if (old[0] == '\0')
		snprintf(fx.mthp_why, sizeof(fx.mthp_why), "%s: not there "
		    "(a kernel without mTHP)", MTHP_ENABLED);
	else if (access(MTHP_ENABLED, W_OK) != 0)
		snprintf(fx.mthp_why, sizeof(fx.mthp_why), "%s: not writable "
		    "(not root)", MTHP_ENABLED);
	else {
		snprintf(fx.mthp_old, sizeof(fx.mthp_old), "%s", old);
		if (!tl_write_file(MTHP_ENABLED, "always\n"))
			snprintf(fx.mthp_why, sizeof(fx.mthp_why), "%s: "
			    "writing always failed", MTHP_ENABLED);
	}
	step(STEP_MTHP);
	restore_mthp();		/* right after the fault */
	step(STEP_MOVE);
}

/* The number in a file such as a sysctl, or -1. */
static long
read_number(const char *path)
{
	char *text = tl_read_file(path);
	long v = text != NULL && tl_is_decimal(strtok(text, "\n")) ?
	    strtol(text, NULL, 10) : -1;

	free(text);
	return v;
}

/* One hugetlb page: reserved if none is, then mapped by the child. */
static void
build_hugetlb(void)
{
	long nr = read_number(NR_HUGEPAGES);

	if (nr == 0 && geteuid() != 0) {
		snprintf(fx.hugetlb_why, sizeof(fx.hugetlb_why), "not root: "
		    "no hugetlb page can be reserved (%s is 0)", NR_HUGEPAGES);
		return;
	}
	if (nr == 0) {
		fx.hugetlb_old = 0;
		if (!tl_write_file(NR_HUGEPAGES, "1\n") ||
		    read_number(NR_HUGEPAGES) < 1) {
			snprintf(fx.hugetlb_why, sizeof(fx.hugetlb_why),
			    "writing 1 to %s reserved no page (no 2 MiB of "
			    "contiguous memory)", NR_HUGEPAGES);
			return;
		}
	}
	step(STEP_HUGETLB);
	if (fx.l.hugetlb == 0)
		snprintf(fx.hugetlb_why, sizeof(fx.hugetlb_why), "mmap "
		    "MAP_HUGETLB of 2 MiB failed (nr_hugepages %ld, all in "
		    "use?)", nr);
}

static int
start_child(void **state)
{
	(void)state;
	page = tl_page();
	atexit(restore_all);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	fx.pid = tl_fork_held(&fx.info, &fx.hold);
	if (fx.pid < 0)
		return -1;
	if (fx.pid == 0)
		serve(fx.info, fx.hold);
	snprintf(fx.arg, sizeof(fx.arg), "%d", (int)fx.pid);
	build_thps();
	build_mthp();
	build_hugetlb();
	return 0;
}

static int
stop_child(void **state)
{
	(void)state;
	close(fx.hold);
	close(fx.info);
	fx.hold = fx.info = -1;
	restore_all();
	return 0;
}

/* ---- the tool's rows ------------------------------------------------------ */

/* One page as the tool shows it. */
struct prow {
	uint64_t addr, pfn, kflags, kib;
	char folio[8], map[12];
	int huge;
};

struct prows {
	struct prow *v;
	size_t n;
};

#define ROW_COLUMNS "addr,pfn,kflags-hex,folio,folio-kib,folio-map,huge"
#define FOLIO_COLUMNS "addr,folio,folio-map,huge"

/* Runs the tool on pid with args before it, as how says; exit 0. */
static void
run_on(struct tl_run *r, const struct tl_how *how, const char *pid,
    const char *const *args)
{
	const char *argv[16];
	int n = 0;

	while (*args != NULL && n < 14)
		argv[n++] = *args++;
	argv[n++] = pid;
	argv[n] = NULL;
	tl_run_how(r, how, argv);
	tl_assert_not_killed(r->status, argv[0], r->err);
}

/* The output of the tool on the child with args; it must exit 0. */
static char *
output(const char *const *args)
{
	struct tl_run r;
	char *out;

	run_on(&r, NULL, fx.arg, args);
	if (tl_exit_code(&r) != 0)
		fail_msg("%s %s ...: exit %d: %s", args[0], args[1],
		    tl_exit_code(&r), r.err);
	out = r.out;
	r.out = NULL;
	tl_run_free(&r);
	return out;
}

#define OUTPUT(...) output((const char *const[]){ __VA_ARGS__, NULL })

static void
copy_field(char *to, size_t len, const char *from)
{
	if (strlen(from) >= len)
		fail_msg("field too long: %s", from);
	memcpy(to, from, strlen(from) + 1);
}

/* Every page of the child, with the folio columns (which need root). */
static void
read_rows(struct prows *rows)
{
	struct tl_table t = { 0, 0, NULL };
	char *out;
	size_t i;

	tl_require_sys_admin();
	out = OUTPUT("-H", "-f", "tsv", "-o", ROW_COLUMNS);
	tl_read_tsv(out, 7, &t);
	rows->n = t.n;
	rows->v = calloc(t.n + 1, sizeof(*rows->v));
	assert_non_null(rows->v);
	for (i = 0; i < t.n; i++) {
		char **f = t.r[i].f;
		struct prow *p = &rows->v[i];
		p->addr = strtoull(f[0], NULL, 16);
		p->pfn = strtoull(f[1], NULL, 16);
		p->kflags = strtoull(f[2], NULL, 16);
		copy_field(p->folio, sizeof(p->folio), f[3]);
		p->kib = strtoull(f[4], NULL, 10);
		copy_field(p->map, sizeof(p->map), f[5]);
		p->huge = atoi(f[6]);
		if (i > 0 && p->addr <= rows->v[i - 1].addr)
			fail_msg("rows out of order at %" PRIx64, p->addr);
	}
	tl_table_free(&t);
	free(out);
}

/* The row of addr; fails when there is none. */
static const struct prow *
row_at(const struct prows *rows, uint64_t addr)
{
	size_t lo = 0, hi = rows->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rows->v[mid].addr == addr)
			return &rows->v[mid];
		if (rows->v[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	fail_msg("no row for %" PRIx64, addr);
	return NULL;
}

/* Fails unless every page of [addr, addr + size) reads as said. */
static void
expect_pages(const struct prows *rows, uintptr_t addr, size_t size,
    const char *folio, const char *map, int huge)
{
	uintptr_t a;

	for (a = addr; a < addr + size; a += (uintptr_t)page) {
		const struct prow *p = row_at(rows, a);
		if (strcmp(p->folio, folio) != 0 || strcmp(p->map, map) != 0 ||
		    p->huge != huge)
			fail_msg("page %" PRIxPTR ": %s %s huge %d (kflags %"
			    PRIx64 "), want %s %s huge %d", a, p->folio, p->map,
			    p->huge, p->kflags, folio, map, huge);
	}
}

/* How many pages of [addr, addr + size) the tool calls map. */
static size_t
count_pages(const struct prows *rows, uint64_t addr, uint64_t size,
    const char *map)
{
	size_t i, n = 0;

	for (i = 0; i < rows->n; i++)
		if (rows->v[i].addr >= addr && rows->v[i].addr < addr + size &&
		    strcmp(rows->v[i].map, map) == 0)
			n++;
	return n;
}

/* Whether the page's own flags say it is part of a larger folio. */
static bool
compound(const struct prow *p)
{
	return (p->kflags & (KPF_HEAD | KPF_TAIL)) != 0;
}

/* ---- the cases ------------------------------------------------------------ */

static void
require_thp(long kb, const char *what)
{
	if (kb <= 0)
		tl_skipf("the %s got no THP, even after MADV_COLLAPSE "
		    "(AnonHugePages %ld kB; THP %s)", what, kb,
		    tl_thp_enabled() ? "enabled" : "off");
}

/*
 * Each 2M piece of the THP area is a PMD-mapped THP, all of whose pages
 * read 2M, pmd and huge, or (where the kernel gave none) not pmd at all;
 * and the pmd pages are as many as AnonHugePages counts.
 */
static void
should_read_2m_pmd_and_huge_for_every_page_of_a_pmd_mapped_thp(
    void **state)
{
	struct prows rows;
	uintptr_t at;
	size_t pmd, all = 0;
	(void)state;

	require_thp(fx.thp_kb, "4 MiB MADV_HUGEPAGE area");
	read_rows(&rows);
	for (at = fx.l.thp; at < fx.l.thp + THP_SIZE; at += PMD_SIZE) {
		pmd = count_pages(&rows, at, PMD_SIZE, "pmd");
		if (pmd == 0)
			continue;
		expect_pages(&rows, at, PMD_SIZE, "2M", "pmd", 1);
		assert_true(row_at(&rows, at)->kflags & KPF_HEAD);
		all += pmd;
	}
	assert_int_equal(all * (size_t)page / KIB,
	    tl_smaps_kb(fx.pid, fx.l.thp, "AnonHugePages:"));
	if (fx.thp_kb < (long)(THP_SIZE / KIB))
		printf("[  NOTE    ] only %ld kB of the 4 MiB are THP\n",
		    fx.thp_kb);
	free(rows.v);
}

/* The smaps fields a PMD mapping counts in. */
static long
smaps_pmd_kb(uint64_t start)
{
	static const char *const fields[] = { "AnonHugePages:",
		"ShmemPmdMapped:", "FilePmdMapped:" };
	long kb = 0, v;
	size_t i;

	for (i = 0; i < 3; i++)
		if ((v = tl_smaps_kb(fx.pid, start, fields[i])) > 0)
			kb += v;
	return kb;
}

/*
 * In every mapping of the child but hugetlb ones (which smaps counts in
 * Private_Hugetlb), pages called pmd times the page size are what smaps
 * counts as mapped by a PMD. (The huge zero page would read pmd and not
 * count; the child has none.)
 */
static void
should_count_as_many_pmd_pages_as_smaps_in_every_mapping(void **state)
{
	struct tl_vma *v;
	struct prows rows;
	size_t n, i, checked = 0;
	long kb;
	(void)state;

	read_rows(&rows);
	n = tl_maps(fx.pid, &v);
	for (i = 0; i < n; i++) {
		if (v[i].start == fx.l.hugetlb)
			continue;
		kb = smaps_pmd_kb(v[i].start);
		if ((long)(count_pages(&rows, v[i].start, v[i].end - v[i].start,
		    "pmd") * (size_t)page / KIB) != kb)
			fail_msg("mapping %" PRIx64 " (%s): %zu pages pmd, smaps "
			    "%ld kB mapped by PMDs", v[i].start, v[i].name,
			    count_pages(&rows, v[i].start, v[i].end -
			    v[i].start, "pmd"), kb);
		checked += kb > 0;
	}
	if (checked == 0)
		printf("[  NOTE    ] no mapping of the child has a PMD mapping: "
		    "compared at 0 only\n");
	tl_vmas_free(v, n);
	free(rows.v);
}

/*
 * mprotect of the second half of a PMD THP splits the PMD: its pages are
 * mapped by PTEs in two mappings. On Linux 6.18 the folio stays whole
 * (every page is still mapped, so nothing queues it for a split): 2M,
 * partial in each mapping, huge 0. A kernel that split the folio too
 * gives pages of their own: the flags in the same row decide which.
 */
static void
should_read_2m_partial_and_not_huge_where_mprotect_split_the_pmd(
    void **state)
{
	struct prows rows;
	uintptr_t a;
	size_t whole = 0;
	(void)state;

	require_thp(fx.split_kb, "2 MiB MADV_HUGEPAGE area");
	read_rows(&rows);
	assert_int_equal(tl_smaps_kb(fx.pid, fx.l.split, "AnonHugePages:"),
	    0);
	for (a = fx.l.split; a < fx.l.split + PMD_SIZE; a += (uintptr_t)page) {
		const struct prow *p = row_at(&rows, a);
		bool big = compound(p);
		expect_pages(&rows, a, (size_t)page, big ? "2M" : "4K",
		    big ? "partial" : "small", 0);
		whole += big;
	}
	if (whole < PMD_SIZE / (size_t)page)
		printf("[  NOTE    ] the kernel split %zu pages of the folio "
		    "too: they read 4K small\n", PMD_SIZE / (size_t)page - whole);
	free(rows.v);
}

/*
 * Each page of [addr, addr + size): of a 64K folio (by its flags) read
 * 64K and map, else 4K small, as a kernel that split the folio leaves it.
 */
static void
expect_64k_or_split(const struct prows *rows, uintptr_t addr, size_t size,
    const char *map)
{
	uintptr_t a;

	for (a = addr; a < addr + size; a += (uintptr_t)page) {
		const struct prow *p = row_at(rows, a);
		if (p->pfn == 0)
			expect_pages(rows, a, (size_t)page, "0", "none", 0);
		else if (compound(p))
			expect_pages(rows, a, (size_t)page, "64K", map, 0);
		else
			expect_pages(rows, a, (size_t)page, "4K", "small", 0);
	}
}

/*
 * With hugepages-64kB/enabled at always, the 1 MiB area faults in 64K
 * folios: 64K aligned (but for the hole mremap left), and the folio with
 * a page zapped by MADV_DONTNEED 64K partial (the kernel only queues it
 * for a split under memory pressure). The 128K moved to a 64K-aligned
 * address plus a page: 64K unaligned. Where the kernel split a folio
 * after all, its flags say so, and its pages read 4K small.
 */
static void
should_read_64k_aligned_for_mthp_and_unaligned_after_mremap(void **state)
{
	struct prows rows;
	uintptr_t a, hole = fx.l.mthp + MOVED_FROM;
	(void)state;

	assert_non_null((void *)fx.l.mthp);
	read_rows(&rows);
	/* Aligned takes a folio larger than a page: 64K here. */
	if (count_pages(&rows, fx.l.mthp, MOVED_FROM, "aligned") == 0) {
		free(rows.v);
		if (fx.mthp_why[0] != '\0')
			tl_skip(fx.mthp_why);
		tl_skip("hugepages-64kB set to always, but the kernel gave "
		    "the area no 64K folio");
	}
	expect_pages(&rows, fx.l.mthp, MOVED_FROM, "64K", "aligned", 0);
	expect_pages(&rows, hole + MOVED_SIZE, ZAPPED_FOLIO - MOVED_FROM -
	    MOVED_SIZE, "64K", "aligned", 0);
	expect_64k_or_split(&rows, fx.l.mthp + ZAPPED_FOLIO, MTHP_SIZE,
	    "partial");
	assert_int_equal(row_at(&rows, fx.l.mthp + ZAPPED_FOLIO +
	    ZAPPED_PAGE * (size_t)page)->pfn, 0);
	expect_pages(&rows, fx.l.mthp + ZAPPED_FOLIO + MTHP_SIZE, MTHP_REGION -
	    ZAPPED_FOLIO - MTHP_SIZE, "64K", "aligned", 0);
	assert_int_equal(fx.l.remap, 0);
	expect_64k_or_split(&rows, fx.l.moved, MOVED_SIZE, "unaligned");
	for (a = fx.l.moved; a < fx.l.moved + MOVED_SIZE; a += MTHP_SIZE)
		if (!compound(row_at(&rows, a)))
			printf("[  NOTE    ] the kernel split the moved folio at "
			    "%" PRIxPTR "\n", a);
	if (!compound(row_at(&rows, fx.l.mthp + ZAPPED_FOLIO)))
		printf("[  NOTE    ] the kernel split the folio with a page "
		    "zapped\n");
	free(rows.v);
}

static void
should_read_2m_pmd_and_huge_for_a_hugetlb_page(void **state)
{
	struct prows rows;
	(void)state;

	if (fx.l.hugetlb == 0)
		tl_skip(fx.hugetlb_why);
	read_rows(&rows);
	expect_pages(&rows, fx.l.hugetlb, PMD_SIZE, "2M", "pmd", 1);
	assert_true(row_at(&rows, fx.l.hugetlb)->kflags & KPF_HEAD);
	free(rows.v);
}

/* The same rows from the whole dump's: "addr\tfolio\tfolio-map\thuge". */
static char *
rows_text(const struct prows *rows, uintptr_t addr, size_t pages,
    bool present_only)
{
	struct tl_buf b = { NULL, 0, 0 };
	size_t k;

	tl_buf_adds(&b, "");
	for (k = 0; k < pages; k++) {
		const struct prow *p = row_at(rows, addr + k * (size_t)page);
		if (!present_only || p->pfn != 0)
			tl_buf_printf(&b, "%" PRIx64 "\t%s\t%s\t%d\n", p->addr,
			    p->folio, p->map, p->huge);
	}
	return b.s;
}

/*
 * A page reads the same however little of its folio is asked for: with
 * -a (the batch is that page), -r from inside the folio to past its end
 * (the stage reads the head and the entries before), and -P (the scan
 * path); the whole dump's rows are the reference.
 */
static void
should_read_the_same_folio_columns_however_the_pages_are_selected(
    void **state)
{
	const uintptr_t at[] = { fx.l.thp + PMD_SIZE + 77 * (size_t)page,
		fx.l.split + PMD_SIZE / 2 - 2 * (size_t)page,
		fx.l.mthp + 3 * MTHP_SIZE + 5 * (size_t)page,
		fx.l.moved + MTHP_SIZE - 2 * (size_t)page,
		fx.l.mthp + ZAPPED_FOLIO + 2 * (size_t)page,
		fx.l.hugetlb + 300 * (size_t)page };
	size_t n = fx.l.hugetlb != 0 ? 6 : 5, i;	/* the last: hugetlb */
	char sel[64], *want, *got;
	struct prows rows;
	(void)state;

	tl_require_sys_admin();
	read_rows(&rows);
	for (i = 0; i < n; i++) {
		snprintf(sel, sizeof(sel), "%" PRIxPTR, at[i]);
		want = rows_text(&rows, at[i], 1, false);
		got = OUTPUT("-H", "-f", "tsv", "-o", FOLIO_COLUMNS, "-a", sel);
		assert_string_equal(got, want);
		free(want);
		free(got);
		snprintf(sel, sizeof(sel), "%" PRIxPTR "-%" PRIxPTR, at[i],
		    at[i] + 4 * (size_t)page);
		want = rows_text(&rows, at[i], 4, false);
		got = OUTPUT("-H", "-f", "tsv", "-o", FOLIO_COLUMNS, "-r", sel);
		assert_string_equal(got, want);
		free(want);
		free(got);
	}
	snprintf(sel, sizeof(sel), "%" PRIxPTR "-%" PRIxPTR, fx.l.thp,
	    fx.l.thp + THP_SIZE);
	want = rows_text(&rows, fx.l.thp, THP_SIZE / (size_t)page, true);
	got = OUTPUT("-H", "-f", "tsv", "-o", FOLIO_COLUMNS, "-P");
	if (strstr(got, want) == NULL)
		fail_msg("-P: the THP area's rows are not those of the whole "
		    "dump");
	free(want);
	free(got);
	free(rows.v);
}

/* ---- the folio of a frame, from /proc/kpageflags ------------------------ */

/* /proc/kpageflags, and the folio found last. */
struct kpf {
	int fd;
	uint64_t head, pages;
};

/* The flags of frame pfn (0 beyond the file). */
static uint64_t
kpf_at(const struct kpf *k, uint64_t pfn)
{
	uint64_t v = 0;

	if (pread(k->fd, &v, 8, (off_t)(pfn * 8)) < 0)
		fail_msg("pread /proc/kpageflags at %" PRIx64 ": %s", pfn,
		    strerror(errno));
	return v;
}

/*
 * The pages of the folio of frame pfn, frame by frame: down to the head,
 * up past the last tail (1: a page of its own, or flags that make no
 * folio within 2^20 frames, as the tool falls back to).
 */
static uint64_t
kpf_folio_pages(struct kpf *k, uint64_t pfn)
{
	uint64_t f = kpf_at(k, pfn), head = pfn, n = 1;

	if (k->pages > 0 && pfn >= k->head && pfn - k->head < k->pages)
		return k->pages;
	while (!(f & KPF_HEAD)) {
		if (!(f & KPF_TAIL) || head == 0 || pfn - head >= MAX_FOLIO)
			return 1;
		f = kpf_at(k, --head);
	}
	while (n <= MAX_FOLIO && (kpf_at(k, head + n) & KPF_TAIL))
		n++;
	if (n > MAX_FOLIO)
		return 1;
	k->head = head;
	k->pages = n;
	return n;
}

/* The size as the folio column writes it: 4K, 64K, 2M, 1G; 0. */
static void
size_text(uint64_t kib, char *buf, size_t len)
{
	if (kib == 0)
		snprintf(buf, len, "0");
	else if (kib % (1024 * 1024) == 0)
		snprintf(buf, len, "%" PRIu64 "G", kib / (1024 * 1024));
	else if (kib % 1024 == 0)
		snprintf(buf, len, "%" PRIu64 "M", kib / 1024);
	else
		snprintf(buf, len, "%" PRIu64 "K", kib);
}

/*
 * Checks every row against the kernel: the entry (so that nothing moved
 * since), the folio size from the flags, the text; returns false (why
 * set) at the first difference.
 */
static bool
rows_agree(const struct prows *rows, struct kpf *k, char *why, size_t len)
{
	uint64_t e, kib, pfn;
	char text[32];
	size_t i;

	for (i = 0; i < rows->n; i++) {
		const struct prow *p = &rows->v[i];
		tl_pagemap(fx.pid, p->addr, &e, 1);
		pfn = e >> 63 ? e & ((UINT64_C(1) << 55) - 1) : 0;
		if (pfn != p->pfn) {
			snprintf(why, len, "page %" PRIx64 ": pfn %" PRIx64
			    " in the row, %" PRIx64 " now", p->addr, p->pfn, pfn);
			return false;
		}
		kib = pfn == 0 ? 0 : kpf_folio_pages(k, pfn) * (uint64_t)page /
		    KIB;
		size_text(kib, text, sizeof(text));
		if (kib != p->kib || strcmp(text, p->folio) != 0 ||
		    (pfn == 0 && (strcmp(p->map, "none") != 0 || p->huge))) {
			snprintf(why, len, "page %" PRIx64 " (pfn %" PRIx64
			    ", kflags %" PRIx64 "): folio %s, folio-kib %" PRIu64
			    " %s, kpageflags say %" PRIu64 " KiB", p->addr, pfn,
			    p->kflags, p->folio, p->kib, p->map, kib);
			return false;
		}
	}
	return true;
}

/*
 * The core check: for every present page of every mapping of the child,
 * the folio size this test computes from /proc/kpageflags (head below,
 * tails above, frame by frame) is the tool's. A page that changed in
 * between (a frame moved) makes it try again, up to 3 times.
 */
static void
should_give_every_present_page_the_folio_size_kpageflags_give(
    void **state)
{
	struct kpf k = { -1, 0, 0 };
	struct prows rows;
	char why[512] = "";
	size_t present = 0, i;
	int tries;
	bool ok = false;
	(void)state;

	tl_require_sys_admin();
	k.fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (k.fd < 0)
		tl_skipf("/proc/kpageflags: %s", strerror(errno));
	for (tries = 0; tries < 3 && !ok; tries++) {
		read_rows(&rows);
		k.pages = 0;
		ok = rows_agree(&rows, &k, why, sizeof(why));
		for (i = 0, present = 0; i < rows.n; i++)
			present += rows.v[i].pfn != 0;
		free(rows.v);
	}
	close(k.fd);
	if (!ok)
		fail_msg("3 tries: %s", why);
	assert_true(present > 1000);
}

/* ---- without root ------------------------------------------------------ */

/* A child of user nobody with a 2 MiB THP (collapsed as root first). */
static pid_t
start_nobody_child(uintptr_t *thp, int *hold)
{
	int info, h;
	pid_t pid = tl_fork_held(&info, &h);

	assert_true(pid >= 0);
	if (pid == 0) {
		uintptr_t a;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		a = map_thp(PMD_SIZE);
		if (a != 0)
			madvise((void *)a, PMD_SIZE, MADV_COLLAPSE);
		if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534)
		    != 0 || setresuid(65534, 65534, 65534) != 0 ||
		    prctl(PR_SET_DUMPABLE, 1) != 0)
			a = 0;
		if (write(info, &a, sizeof(a)) != (ssize_t)sizeof(a))
			_exit(TL_SETUP_FAILED);
		tl_wait_for_close(h);
		_exit(0);
	}
	assert_int_equal(read(info, thp, sizeof(*thp)), sizeof(*thp));
	close(info);
	*hold = h;
	return pid;
}

/* Fails unless -o folio was refused: exit 1, no rows, the PFNs named. */
static void
assert_folio_refused(const struct tl_how *how, const char *pid,
    const char *who)
{
	static const char *const args[] = { "-o", "addr,folio", NULL };
	struct tl_run r;

	run_on(&r, how, pid, args);
	if (tl_exit_code(&r) != 1 || strcmp(r.out, "") != 0 ||
	    strstr(r.err, "PFNs") == NULL || strstr(r.err, "folio") == NULL)
		fail_msg("-o addr,folio %s: exit %d, %zu bytes out, want 1, "
		    "none, and a message naming the PFNs: %s", who,
		    tl_exit_code(&r), strlen(r.out), r.err);
	tl_run_free(&r);
}

/*
 * The huge column of -o addr,huge run as how says: each page's as in
 * want (the rows read as root), or else 1 for the THP at thp.
 */
static void
assert_huge(const struct tl_how *how, const char *pid, uintptr_t thp,
    const struct prows *want)
{
	static const char *const args[] = { "-H", "-f", "tsv", "-o",
		"addr,huge", NULL };
	struct tl_table t = { 0, 0, NULL };
	struct tl_run r;
	size_t i, huge = 0;

	run_on(&r, how, pid, args);
	if (tl_exit_code(&r) != 0)
		fail_msg("-o addr,huge without root: exit %d: %s",
		    tl_exit_code(&r), r.err);
	/* No column shows a PFN: nothing to say that they are hidden. */
	if (strcmp(r.err, "") != 0)
		fail_msg("-o addr,huge without root said: %s", r.err);
	tl_read_tsv(r.out, 2, &t);
	for (i = 0; i < t.n; i++) {
		uint64_t a = strtoull(t.r[i].f[0], NULL, 16);
		int h = atoi(t.r[i].f[1]);
		if (want != NULL && h != row_at(want, a)->huge)
			fail_msg("page %" PRIx64 ": huge %d without root, %d "
			    "with", a, h, row_at(want, a)->huge);
		if (want == NULL && a >= thp && a < thp + PMD_SIZE && h != 1)
			fail_msg("THP page %" PRIx64 ": huge %d without root",
			    a, h);
		huge += h == 1;
	}
	assert_true(huge >= PMD_SIZE / (size_t)page);
	tl_table_free(&t);
	tl_run_free(&r);
}

/*
 * huge needs PAGEMAP_SCAN, not root: without CAP_SYS_ADMIN it reads as
 * with it on the child, and as user nobody on a child of nobody's its
 * THP reads 1. folio needs the PFNs: refused with a message naming them.
 */
static void
should_read_huge_without_root_and_refuse_folio(void **state)
{
	static const struct tl_how drop = { .drop_admin = true };
	static const struct tl_how nobody = { .as_nobody = true };
	struct prows rows;
	uintptr_t thp;
	char arg[16];
	int hold;
	pid_t pid;
	(void)state;

	require_thp(fx.thp_kb, "4 MiB MADV_HUGEPAGE area");
	if (!tl_have_sys_admin()) {
		/* Without root already: the child is ours to dump. */
		assert_huge(NULL, fx.arg, fx.thp_kb == (long)(THP_SIZE / KIB) ?
		    fx.l.thp : 0, NULL);
		assert_folio_refused(NULL, fx.arg, "without root");
		printf("[  NOTE    ] not root: huge checked without root on "
		    "the child; as user nobody, not\n");
		return;
	}
	read_rows(&rows);
	assert_huge(&drop, fx.arg, 0, &rows);
	assert_folio_refused(&drop, fx.arg, "without CAP_SYS_ADMIN");
	free(rows.v);

	pid = start_nobody_child(&thp, &hold);
	snprintf(arg, sizeof(arg), "%d", (int)pid);
	if (thp == 0 || tl_smaps_kb(pid, thp, "AnonHugePages:") !=
	    (long)(PMD_SIZE / KIB)) {
		close(hold);
		waitpid(pid, NULL, 0);
		tl_skip("the child of user nobody got no THP (or could not "
		    "become nobody): huge as nobody not checked");
	}
	assert_huge(&nobody, arg, thp, NULL);
	assert_folio_refused(&nobody, arg, "as user nobody");
	close(hold);
	waitpid(pid, NULL, 0);
}

/* ---- --ranges ---------------------------------------------------------- */

/* The mapping of the child that holds addr, by its index in v. */
static size_t
vma_of(const struct tl_vma *v, size_t n, uint64_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= v[i].start && addr < v[i].end)
			return i;
	fail_msg("no mapping holds %" PRIx64, addr);
	return 0;
}

/*
 * The per-page rows merged by this test's rule: pages of one mapping,
 * one after the other, with the same folio, folio-map and huge.
 */
static char *
merge(const char *out, const struct tl_vma *v, size_t nv)
{
	struct tl_table t = { 0, 0, NULL };
	struct tl_buf m = { NULL, 0, 0 };
	size_t i, first = 0, map = 0;
	uint64_t pages = 0, a = 0;

	tl_buf_adds(&m, "");
	tl_read_tsv(out, 4, &t);
	for (i = 0; i <= t.n; i++) {
		char **f = i < t.n ? t.r[i].f : NULL, **f0 = t.r[first].f;
		if (f != NULL) {
			a = strtoull(f[0], NULL, 16);
			if (pages > 0 && vma_of(v, nv, a) == map &&
			    a == strtoull(f0[0], NULL, 16) + pages *
			    (uint64_t)page && strcmp(f[1], f0[1]) == 0 &&
			    strcmp(f[2], f0[2]) == 0 && strcmp(f[3], f0[3]) == 0) {
				pages++;
				continue;
			}
		}
		if (pages > 0)
			tl_buf_printf(&m, "%s\t%" PRIx64 "\t%" PRIu64
			    "\t%s\t%s\t%s\n", f0[0], (uint64_t)strtoull(f0[0],
			    NULL, 16) + pages * (uint64_t)page, pages, f0[1],
			    f0[2], f0[3]);
		if (f != NULL) {
			first = i;
			pages = 1;
			map = vma_of(v, nv, a);
		}
	}
	tl_table_free(&t);
	return m.s;
}

/*
 * --ranges with the folio columns never puts pages of different folio
 * sizes, classes or huge bits in one row: its rows are the per-page rows
 * merged by this test's own rule (up to 3 tries, as file folios of the
 * libraries may change between two runs).
 */
static void
should_never_mix_folio_sizes_or_classes_in_a_range(void **state)
{
	struct tl_vma *v;
	char *rows = NULL, *want = NULL, *got = NULL;
	size_t n, same;
	int tries;
	(void)state;

	tl_require_sys_admin();
	n = tl_maps(fx.pid, &v);
	for (tries = 0; tries < 3; tries++) {
		free(rows);
		free(want);
		free(got);
		rows = OUTPUT("-H", "-f", "tsv", "-o", FOLIO_COLUMNS);
		got = OUTPUT("-R", "-H", "-f", "tsv", "-o", FOLIO_COLUMNS);
		want = merge(rows, v, n);
		if (strcmp(want, got) == 0)
			break;
	}
	for (same = 0; got[same] != '\0' && got[same] == want[same]; same++)
		;
	if (tries == 3)
		fail_msg("-R -o " FOLIO_COLUMNS ": not the rows merged, from "
		    "byte %zu: '%.60s', merged '%.60s'", same, got + same,
		    want + same);
	/* Fewer rows than pages, and the THP area's runs among them. */
	assert_true(tl_count_lines(got) < tl_count_lines(rows));
	tl_vmas_free(v, n);
	free(rows);
	free(want);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_read_2m_pmd_and_huge_for_every_page_of_a_pmd_mapped_thp),
		cmocka_unit_test(
		    should_count_as_many_pmd_pages_as_smaps_in_every_mapping),
		cmocka_unit_test(
		    should_read_2m_partial_and_not_huge_where_mprotect_split_the_pmd),
		cmocka_unit_test(
		    should_read_64k_aligned_for_mthp_and_unaligned_after_mremap),
		cmocka_unit_test(should_read_2m_pmd_and_huge_for_a_hugetlb_page),
		cmocka_unit_test(
		    should_read_the_same_folio_columns_however_the_pages_are_selected),
		cmocka_unit_test(
		    should_give_every_present_page_the_folio_size_kpageflags_give),
		cmocka_unit_test(should_read_huge_without_root_and_refuse_folio),
		cmocka_unit_test(
		    should_never_mix_folio_sizes_or_classes_in_a_range),
	};

	if (tl_check_tool("test_folios") != 0)
		return 1;
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("folios", tests, start_child,
	    stop_child);
}

/*
 * End-to-end tests of the physical-page columns (kflags, kflags-hex,
 * mapcount, cgroup), of -k and of PSS/USS in the summary, on a forked
 * child whose pages are known: anonymous pages shared with a grandchild
 * after a fork, one of them copied on write afterwards, file pages read
 * through a private mapping, anonymous pages with holes between them,
 * paged-out pages and a transparent huge page area. The child lays them
 * out in one reserved region, so that -r picks them out, and sends the
 * addresses back through a pipe; a long sparse mapping elsewhere checks
 * that every row gets its own page's values. Outside the region too, a
 * memfd page that the child maps twice and a huge page of its own check
 * the exclusive bit (56) that the tool trusts instead of reading
 * /proc/kpagecount: the output must be the same as with every count read
 * (PAGEMAP_DUMP_READ_COUNTS), and PAGEMAP_DUMP_STATS must show the reads
 * left out. Without CAP_SYS_ADMIN in the initial user namespace (dropped
 * from the bounding set before the tool is run, or as root of a new user
 * namespace), the columns must be refused, never printed as zeros.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"

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

/* The flag names, from linux/kernel-page-flags.h, by bit. */
static const char *const flag_names[64] = {
	[0] = "locked", [1] = "error", [2] = "referenced", [3] = "uptodate",
	[4] = "dirty", [5] = "lru", [6] = "active", [7] = "slab",
	[8] = "writeback", [9] = "reclaim", [10] = "buddy", [11] = "mmap",
	[12] = "anon", [13] = "swapcache", [14] = "swapbacked",
	[15] = "compound_head", [16] = "compound_tail", [17] = "huge",
	[18] = "unevictable", [19] = "hwpoison", [20] = "nopage",
	[21] = "ksm", [22] = "thp", [23] = "offline", [24] = "zero_page",
	[25] = "idle", [26] = "pgtable",
	[32] = "reserved", [33] = "mlocked", [34] = "owner_2",
	[35] = "private", [36] = "private_2", [37] = "owner_private",
	[38] = "arch", [39] = "uncached", [40] = "softdirty", [41] = "arch_2",
};

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

static struct {
	pid_t pid;
	int hold;
	struct layout l;
	char pid_arg[16];
} child;

/* ---- the child ---------------------------------------------------------- */

static uint64_t
huge_page_size(void)
{
	FILE *fp = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
	    "r");
	unsigned long long v = 0;

	if (fp != NULL) {
		if (fscanf(fp, "%llu", &v) != 1)
			v = 0;
		fclose(fp);
	}
	return v > 0 ? v : 2 << 20;
}

/* Maps n anonymous pages at addr (inside the reservation). */
static char *
map_fixed(uintptr_t addr, size_t size, int advice)
{
	char *p = mmap((void *)addr, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (advice >= 0 && madvise(p, size, advice) != 0 &&
	    advice != MADV_HUGEPAGE)
		return NULL;
	return p;
}

static void
touch(char *p, size_t pages, size_t step, uint64_t page)
{
	size_t i;

	for (i = 0; i < pages; i += step)
		p[i * page] = (char)(1 + i % 100);
}

/* Builds the region; returns 0, or the number of the step that failed. */
static int
build(struct layout *l)
{
	const uint64_t ps = l->page, hp = l->hpage;
	const size_t size = 3 * hp + 128 * ps;
	volatile char sink;
	char path[64], *p, *buf;
	uintptr_t at;
	size_t i;
	int fd;

	p = mmap(NULL, size, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	l->base = ((uintptr_t)p + hp - 1) / hp * hp;
	l->thp = l->base;
	at = l->thp + 2 * hp + ps;
	l->shared = at;
	at += (SHARED_PAGES + 1) * ps;
	l->cow = at;
	at += (COW_PAGES + 1) * ps;
	l->file = at;
	at += (FILE_PAGES + 1) * ps;
	l->anon = at;
	at += (ANON_PAGES + 1) * ps;
	l->flush = at;
	at += (FLUSH_PAGES + 1) * ps;
	l->swap = at;
	at += (SWAP_PAGES + 1) * ps;
	l->end = at;

	/* The file first: its pages go onto the LRU as more pages follow. */
	snprintf(path, sizeof(path), "/tmp/pmd-physical-%d", (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 2;
	unlink(path);
	buf = malloc(FILE_PAGES * ps);
	if (buf == NULL)
		return 3;
	memset(buf, 'f', FILE_PAGES * ps);
	if (write(fd, buf, FILE_PAGES * ps) != (ssize_t)(FILE_PAGES * ps))
		return 4;
	free(buf);
	if (mmap((void *)l->file, FILE_PAGES * ps, PROT_READ,
	    MAP_PRIVATE | MAP_FIXED, fd, 0) == MAP_FAILED)
		return 5;
	close(fd);
	for (i = 0; i < FILE_PAGES; i++)
		sink = ((volatile char *)l->file)[i * ps];
	(void)sink;

	if ((p = map_fixed(l->shared, SHARED_PAGES * ps,
	    MADV_NOHUGEPAGE)) == NULL)
		return 6;
	touch(p, SHARED_PAGES, 1, ps);
	if ((p = map_fixed(l->cow, COW_PAGES * ps, MADV_NOHUGEPAGE)) == NULL)
		return 7;
	touch(p, COW_PAGES, 1, ps);
	if ((p = map_fixed(l->anon, ANON_PAGES * ps,
	    MADV_NOHUGEPAGE)) == NULL)
		return 8;
	touch(p, ANON_PAGES, 2, ps);
	if ((p = map_fixed(l->thp, 2 * hp, -1)) == NULL)
		return 9;
	l->thp_advised = madvise(p, 2 * hp, MADV_HUGEPAGE) == 0;
	touch(p, 2 * hp / ps, 1, ps);
	return 0;
}

/*
 * After the fork, outside the region: the memfd page mapped twice, with a
 * guard page between its mappings so that they stay two, and the huge
 * page area of the child's own. Returns 0, or the step that failed.
 */
static int
build_own(struct layout *l)
{
	const uint64_t ps = l->page, hp = l->hpage;
	char *p;
	int fd;

	fd = memfd_create("pmd-twice", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)ps) != 0)
		return 24;
	p = mmap(NULL, 3 * ps, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 25;
	if (mmap(p, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
	    0) == MAP_FAILED || mmap(p + 2 * ps, ps, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
		return 26;
	close(fd);
	l->twice = (uintptr_t)p;
	p[0] = 't';
	p[2 * ps + 1] = 'w';

	p = mmap(NULL, 2 * hp, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 27;
	l->own_thp = ((uintptr_t)p + hp - 1) / hp * hp;
	if ((p = map_fixed(l->own_thp, hp, -1)) == NULL)
		return 28;
	l->own_thp_advised = madvise(p, hp, MADV_HUGEPAGE) == 0;
	touch(p, hp / ps, 1, ps);
	return 0;
}

/* The child: builds, forks the grandchild, then waits for hold to close. */
static void
run_child(int info, int hold)
{
	struct layout l;
	cpu_set_t cpus;
	pid_t grandchild;
	char byte, *p;
	int cpu = sched_getcpu();

	/*
	 * On one CPU, every page added to the LRU goes through the same
	 * per-CPU batch, so the flush pages push the earlier ones out of it.
	 */
	if (cpu >= 0) {
		CPU_ZERO(&cpus);
		CPU_SET(cpu, &cpus);
		sched_setaffinity(0, sizeof(cpus), &cpus);
	}
	memset(&l, 0, sizeof(l));
	l.page = (uint64_t)sysconf(_SC_PAGESIZE);
	l.hpage = huge_page_size();
	l.failed_step = build(&l);
	if (l.failed_step == 0) {
		grandchild = fork();
		if (grandchild < 0)
			l.failed_step = 20;
		if (grandchild == 0) {
			/* Maps the shared and cow pages too; writes nothing. */
			close(info);
			while (read(hold, &byte, 1) > 0)
				;
			_exit(0);
		}
		/* The copy on write: page 0 of cow, the child's own now. */
		((volatile char *)l.cow)[0] = 'c';
		if ((p = map_fixed(l.flush, FLUSH_PAGES * l.page,
		    MADV_NOHUGEPAGE)) == NULL)
			l.failed_step = 21;
		else
			touch(p, FLUSH_PAGES, 1, l.page);
		if ((p = map_fixed(l.swap, SWAP_PAGES * l.page,
		    MADV_NOHUGEPAGE)) == NULL)
			l.failed_step = 22;
		else {
			touch(p, SWAP_PAGES, 1, l.page);
			l.paged_out = madvise(p, SWAP_PAGES * l.page,
			    MADV_PAGEOUT) == 0;
		}
		p = mmap(NULL, SPARSE_PAGES * l.page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED ||
		    madvise(p, SPARSE_PAGES * l.page, MADV_NOHUGEPAGE) != 0)
			l.failed_step = 23;
		else {
			touch(p, SPARSE_PAGES, 997, l.page);
			l.sparse = (uintptr_t)p;
		}
		if (l.failed_step == 0)
			l.failed_step = build_own(&l);
	}
	if (write(info, &l, sizeof(l)) != sizeof(l))
		_exit(99);
	close(info);
	while (read(hold, &byte, 1) > 0)
		;
	while (wait(NULL) > 0)
		;
	_exit(0);
}

static int
start_child(void **state)
{
	int info[2], hold[2];

	(void)state;
	if (pipe(info) != 0 || pipe(hold) != 0)
		return -1;
	fflush(NULL);
	child.pid = fork();
	if (child.pid < 0)
		return -1;
	if (child.pid == 0) {
		close(info[0]);
		close(hold[1]);
		run_child(info[1], hold[0]);
	}
	close(info[1]);
	close(hold[0]);
	child.hold = hold[1];
	if (read(info[0], &child.l, sizeof(child.l)) != sizeof(child.l))
		return -1;
	close(info[0]);
	if (child.l.failed_step != 0) {
		fprintf(stderr, "test_physical: the child failed at step %d\n",
		    child.l.failed_step);
		return -1;
	}
	snprintf(child.pid_arg, sizeof(child.pid_arg), "%d", (int)child.pid);
	return 0;
}

static int
stop_child(void **state)
{
	(void)state;
	close(child.hold);
	waitpid(child.pid, NULL, 0);
	return 0;
}

/* ---- running the tool ------------------------------------------------- */

/* Reads all of a memfd from its start into a NUL-terminated string. */
static char *
slurp(int fd)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap), *grown;
	ssize_t n;

	assert_non_null(buf);
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		if (cap - len < 2) {
			grown = realloc(buf, cap *= 2);
			assert_non_null(grown);
			buf = grown;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return buf;
}

/* Exit code of a run whose caller could not give up CAP_SYS_ADMIN. */
#define NO_DROP 125

/* How a program is run without CAP_SYS_ADMIN in the initial namespace. */
enum restriction {
	AS_ROOT,		/* not at all */
	BOUNDING_SET,		/* dropped from the bounding set */
	USER_NAMESPACE,		/* root of a new user namespace */
};

/* Writes text to a file; returns 0, or -1. */
static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/*
 * In a forked child: gives up CAP_SYS_ADMIN in the initial user
 * namespace. In a new user namespace, uid 0 is mapped to uid 0 outside:
 * the program keeps every capability there (CapEff is full) and can open
 * what root owns, yet the kernel hides PFNs from it.
 */
static void
restrict_child(enum restriction how)
{
	switch (how) {
	case AS_ROOT:
		break;
	case BOUNDING_SET:
		if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) != 0)
			_exit(NO_DROP);
		break;
	case USER_NAMESPACE:
		if (unshare(CLONE_NEWUSER) != 0)
			_exit(NO_DROP);
		write_file("/proc/self/setgroups", "deny");
		if (write_file("/proc/self/uid_map", "0 0 1\n") != 0 ||
		    write_file("/proc/self/gid_map", "0 0 1\n") != 0)
			_exit(NO_DROP);
		break;
	}
}

/* Runs path with args (NULL-terminated) restricted, output captured. */
static void
run_restricted(struct e2e_run *r, enum restriction how, const char *path,
    const char *const *args)
{
	const char *argv[32];
	int out = memfd_create("out", 0), err = memfd_create("err", 0), n = 0;
	pid_t pid;

	assert_true(out >= 0 && err >= 0);
	argv[n++] = path;
	while (*args != NULL && n < 31)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		restrict_child(how);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	waitpid(pid, &r->status, 0);
	r->out = slurp(out);
	r->err = slurp(err);
	close(out);
	close(err);
}

/* Runs the tool on pid (the child when NULL) with opts, restricted. */
static void
dump_pid(struct e2e_run *r, enum restriction how, const char *pid,
    const char *const *opts)
{
	const char *args[30];
	int n = 0;

	while (*opts != NULL && n < 28)
		args[n++] = *opts++;
	args[n++] = pid != NULL ? pid : child.pid_arg;
	args[n] = NULL;
	if (how == AS_ROOT)
		e2e_run(r, NULL, args);
	else
		run_restricted(r, how, e2e_tool(), args);
}

/* Runs the tool on the child with opts, with or without CAP_SYS_ADMIN. */
static void
dump(struct e2e_run *r, bool sys_admin, const char *const *opts)
{
	dump_pid(r, sys_admin ? AS_ROOT : BOUNDING_SET, NULL, opts);
}

/* Runs the tool as root on the child; it must succeed. */
static void
dump_ok(struct e2e_run *r, const char *const *opts)
{
	dump(r, true, opts);
	if (e2e_exit_code(r) != 0)
		fail_msg("%s ...: exit %d: %s", opts[0], e2e_exit_code(r),
		    r->err);
}

static void
range(char *buf, size_t len, uintptr_t start, uintptr_t end)
{
	snprintf(buf, len, "%" PRIxPTR "-%" PRIxPTR, start, end);
}

/* ---- reading the output ------------------------------------------------ */

/* Splits s in place at sep; returns the number of fields (up to max). */
static size_t
split(char *s, char sep, char **f, size_t max)
{
	size_t n = 0;

	for (;;) {
		char *end = strchr(s, sep);
		if (n == max)
			return max + 1;
		f[n++] = s;
		if (end == NULL)
			return n;
		*end = '\0';
		s = end + 1;
	}
}

/* The next line of *text (cut in place), or NULL at the end. */
static char *
next_line(char **text)
{
	char *line = *text, *nl;

	if (*line == '\0')
		return NULL;
	nl = strchr(line, '\n');
	if (nl == NULL)
		fail_msg("a line without a newline: %s", line);
	*nl = '\0';
	*text = nl + 1;
	return line;
}

static uint64_t
number(const char *s, int base)
{
	char *end;
	uint64_t v;

	errno = 0;
	v = strtoull(s, &end, base);
	if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0)
		fail_msg("not a base-%d number: '%s'", base, s);
	return v;
}

/* Whether word appears in text as a word of its own. */
static bool
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = strstr(text, word); p != NULL; p = strstr(p + 1, word)) {
		bool start = p == text || !(p[-1] == '_' ||
		    (p[-1] >= 'a' && p[-1] <= 'z') ||
		    (p[-1] >= '0' && p[-1] <= '9'));
		char c = p[n];
		if (start && !(c == '_' || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9')))
			return true;
	}
	return false;
}

/* The names of flags, comma-separated, as the kflags column shows them. */
static void
names_of(uint64_t flags, char *buf, size_t len)
{
	size_t used = 0;
	unsigned int bit;
	char tmp[8];

	buf[0] = '\0';
	for (bit = 0; bit < 64; bit++) {
		const char *name = flag_names[bit];
		if (!(flags & BIT(bit)))
			continue;
		if (name == NULL) {
			snprintf(tmp, sizeof(tmp), "bit%u", bit);
			name = tmp;
		}
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? "," : "", name);
	}
}

/* One row of PAGE_COLUMNS. */
struct page_row {
	uint64_t addr, pfn, flags, mapcount, cgroup;
	bool present;
};

#define PAGE_COLUMNS "addr,pfn,present,kflags-hex,mapcount,cgroup"

/* Parses the rows of a text dump with -H -o PAGE_COLUMNS. */
static struct page_row *
parse_pages(char *text, size_t *n)
{
	struct page_row *rows = NULL, *grown;
	size_t cap = 0;
	char *line, *f[8] = { NULL };

	*n = 0;
	while ((line = next_line(&text)) != NULL) {
		if (split(line, ' ', f, 8) != 6)
			fail_msg("not 6 fields: %s", line);
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			grown = realloc(rows, cap * sizeof(*rows));
			assert_non_null(grown);
			rows = grown;
		}
		rows[*n].addr = number(f[0], 16);
		rows[*n].pfn = number(f[1], 16);
		rows[*n].present = number(f[2], 10) != 0;
		rows[*n].flags = number(f[3], 16);
		rows[*n].mapcount = number(f[4], 10);
		rows[*n].cgroup = number(f[5], 10);
		(*n)++;
	}
	return rows;
}

/* Dumps the pages of [start, end) with PAGE_COLUMNS (and extra opts). */
static struct page_row *
pages(uintptr_t start, uintptr_t end, const char *kflags, size_t *n)
{
	char r[64];
	const char *opts[] = { "-H", "-o", PAGE_COLUMNS, "-r", r,
	    kflags != NULL ? "-k" : NULL, kflags, NULL };
	struct e2e_run run;
	struct page_row *rows;

	range(r, sizeof(r), start, end);
	dump_ok(&run, opts);
	rows = parse_pages(run.out, n);
	e2e_run_free(&run);
	return rows;
}

/* The rows of one page each from start, all of them there, in order. */
static struct page_row *
all_pages(uintptr_t start, size_t count)
{
	const uint64_t ps = child.l.page;
	struct page_row *rows;
	size_t n, i;

	rows = pages(start, start + count * ps, NULL, &n);
	assert_int_equal(n, count);
	for (i = 0; i < n; i++)
		assert_int_equal(rows[i].addr, start + i * ps);
	return rows;
}

/* ---- mapcount, PSS and USS -------------------------------------------- */

static void
should_count_two_mappings_of_a_page_shared_with_a_forked_process(
    void **state)
{
	struct page_row *rows = all_pages(child.l.shared, SHARED_PAGES);
	size_t i;
	(void)state;

	for (i = 0; i < SHARED_PAGES; i++) {
		assert_true(rows[i].present);
		assert_true(rows[i].pfn != 0);
		assert_int_equal(rows[i].mapcount, 2);
		assert_true(rows[i].flags & KPF_ANON);
	}
	free(rows);
}

static void
should_count_one_mapping_of_a_page_copied_on_write(void **state)
{
	struct page_row *rows = all_pages(child.l.cow, COW_PAGES);
	(void)state;

	/* Page 0 was written after the fork: a copy of its own. */
	assert_true(rows[0].present);
	assert_int_equal(rows[0].mapcount, 1);
	assert_true(rows[0].flags & KPF_ANON);
	/* Page 1 was not: still the grandchild's too. */
	assert_true(rows[1].present);
	assert_int_equal(rows[1].mapcount, 2);
	assert_true(rows[0].pfn != rows[1].pfn);
	free(rows);
}

/* A summary (or a table of pages), read back: header and rows as fields. */
struct summary {
	struct e2e_run run;
	char *header[40];
	size_t ncols;
	char *rows[256][40];
	size_t nrows;
};

/*
 * Runs the tool with args (a NULL-terminated list that asks for -f tsv)
 * and reads its table back into s; it must succeed.
 */
static void
read_table(struct summary *s, bool sys_admin, const char *const *args)
{
	char *text, *line;

	dump(&s->run, sys_admin, args);
	if (e2e_exit_code(&s->run) != 0)
		fail_msg("%s ...: exit %d: %s", args[0],
		    e2e_exit_code(&s->run), s->run.err);
	text = s->run.out;
	line = next_line(&text);
	assert_non_null(line);
	s->ncols = split(line, '\t', s->header, 40);
	assert_true(s->ncols <= 40);
	s->nrows = 0;
	while ((line = next_line(&text)) != NULL) {
		assert_true(s->nrows < 256);
		if (split(line, '\t', s->rows[s->nrows], 40) != s->ncols)
			fail_msg("a row without %zu fields", s->ncols);
		s->nrows++;
	}
}

/* Runs --summary (tab-separated) with opts; a NULL-terminated list. */
static void
summary(struct summary *s, bool sys_admin, const char *const *opts)
{
	const char *args[16] = { "-s", "-f", "tsv" };
	size_t n = 3;

	while (*opts != NULL && n < 15)
		args[n++] = *opts++;
	args[n] = NULL;
	read_table(s, sys_admin, args);
}

/* The index of a column of the summary, or -1. */
static int
column(const struct summary *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->ncols; i++)
		if (strcmp(s->header[i], name) == 0)
			return (int)i;
	return -1;
}

/* The value of column name in the row starting with start ("total"). */
static uint64_t
cell(const struct summary *s, const char *start, const char *name)
{
	int c = column(s, name);
	size_t i;

	if (c < 0)
		fail_msg("no column %s", name);
	for (i = 0; i < s->nrows; i++)
		if (strcmp(s->rows[i][0], start) == 0)
			return number(s->rows[i][c], 10);
	fail_msg("no row starts with %s", start);
	return 0;
}

static void
should_halve_the_pss_of_a_mapping_shared_with_a_forked_process(
    void **state)
{
	const uint64_t kib = child.l.page / 1024;
	char r[64], shared[32], cow[32];
	const char *const opts[] = { "-r", r, NULL };
	struct summary s;
	int rss;
	(void)state;

	range(r, sizeof(r), child.l.shared, child.l.cow + COW_PAGES *
	    child.l.page);
	snprintf(shared, sizeof(shared), "%" PRIxPTR, child.l.shared);
	snprintf(cow, sizeof(cow), "%" PRIxPTR, child.l.cow);
	summary(&s, true, opts);
	/* pss-kib and uss-kib come right after rss-kib. */
	rss = column(&s, "rss-kib");
	assert_true(rss >= 0);
	assert_int_equal(column(&s, "pss-kib"), rss + 1);
	assert_int_equal(column(&s, "uss-kib"), rss + 2);

	assert_int_equal(cell(&s, shared, "rss-kib"), SHARED_PAGES * kib);
	assert_int_equal(cell(&s, shared, "pss-kib"), SHARED_PAGES * kib / 2);
	assert_int_equal(cell(&s, shared, "uss-kib"), 0);
	/* One page of its own and one shared: 1.5 pages of PSS. */
	assert_int_equal(cell(&s, cow, "rss-kib"), 2 * kib);
	assert_int_equal(cell(&s, cow, "pss-kib"), kib + kib / 2);
	assert_int_equal(cell(&s, cow, "uss-kib"), kib);
	/* The total: both mappings, and the guard page between them. */
	assert_int_equal(s.nrows, 4);
	assert_int_equal(cell(&s, "total", "pages"), SHARED_PAGES + 1 +
	    COW_PAGES);
	assert_int_equal(cell(&s, "total", "rss-kib"), 6 * kib);
	assert_int_equal(cell(&s, "total", "pss-kib"), 3 * kib + kib / 2);
	assert_int_equal(cell(&s, "total", "uss-kib"), kib);
	e2e_run_free(&s.run);
}

/*
 * The memfd page that the child maps twice: its two mappings' addresses as
 * the first column shows them, and a -r range for each.
 */
struct twice {
	char addr[2][32], range[2][64];
};

static void
twice_init(struct twice *t)
{
	const uintptr_t at[2] = { child.l.twice,
		child.l.twice + 2 * child.l.page };
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(t->addr[i], sizeof(t->addr[i]), "%" PRIxPTR, at[i]);
		range(t->range[i], sizeof(t->range[i]), at[i],
		    at[i] + child.l.page);
	}
}

static void
should_count_two_mappings_of_a_page_mapped_twice_by_one_process(
    void **state)
{
	struct twice t;
	const char *const opts[] = { "-f", "tsv", "-o",
	    "+kflags,mapcount,exclusive", "-r", t.range[0], "-r", t.range[1],
	    NULL };
	struct summary s;
	int i;
	(void)state;

	twice_init(&t);
	read_table(&s, true, opts);
	assert_int_equal(s.nrows, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cell(&s, t.addr[i], "present"), 1);
		/* Mapped twice, so not exclusive, even in one process. */
		if (cell(&s, t.addr[i], "mapcount") != 2 ||
		    cell(&s, t.addr[i], "exclusive") != 0)
			fail_msg("memfd page at %s: mapcount %" PRIu64
			    ", exclusive %" PRIu64 ": want 2 and 0",
			    t.addr[i], cell(&s, t.addr[i], "mapcount"),
			    cell(&s, t.addr[i], "exclusive"));
	}
	/* One page: the same PFN through both. */
	assert_string_equal(s.rows[0][column(&s, "pfn")],
	    s.rows[1][column(&s, "pfn")]);
	e2e_run_free(&s.run);
}

static void
should_halve_the_pss_of_a_page_mapped_twice_by_one_process(void **state)
{
	const uint64_t kib = child.l.page / 1024;
	struct twice t;
	const char *const opts[] = { "-r", t.range[0], "-r", t.range[1],
	    NULL };
	struct summary s;
	int i;
	(void)state;

	twice_init(&t);
	summary(&s, true, opts);
	assert_int_equal(s.nrows, 3);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cell(&s, t.addr[i], "rss-kib"), kib);
		assert_int_equal(cell(&s, t.addr[i], "exclusive"), 0);
		assert_int_equal(cell(&s, t.addr[i], "pss-kib"), kib / 2);
		assert_int_equal(cell(&s, t.addr[i], "uss-kib"), 0);
	}
	/* Both halves: the page once. */
	assert_int_equal(cell(&s, "total", "rss-kib"), 2 * kib);
	assert_int_equal(cell(&s, "total", "pss-kib"), kib);
	assert_int_equal(cell(&s, "total", "uss-kib"), 0);
	e2e_run_free(&s.run);
}

static void
should_split_the_pss_of_every_area_by_its_mappings(void **state)
{
	const uint64_t kib = child.l.page / 1024, hkib = child.l.hpage / 1024;
	char r[64], thp[32], anon[32], flush[32];
	const char *const opts[] = { "-r", r, NULL };
	struct summary s;
	(void)state;

	range(r, sizeof(r), child.l.base, child.l.end);
	snprintf(thp, sizeof(thp), "%" PRIxPTR, child.l.thp);
	snprintf(anon, sizeof(anon), "%" PRIxPTR, child.l.anon);
	snprintf(flush, sizeof(flush), "%" PRIxPTR, child.l.flush);
	summary(&s, true, opts);
	/* Written before the fork, huge or not: half of it each. */
	assert_int_equal(cell(&s, thp, "rss-kib"), 2 * hkib);
	assert_int_equal(cell(&s, thp, "pss-kib"), hkib);
	assert_int_equal(cell(&s, thp, "uss-kib"), 0);
	assert_int_equal(cell(&s, anon, "rss-kib"), ANON_PAGES / 2 * kib);
	assert_int_equal(cell(&s, anon, "pss-kib"), ANON_PAGES / 4 * kib);
	assert_int_equal(cell(&s, anon, "uss-kib"), 0);
	/* Written after it: the child's alone. */
	assert_int_equal(cell(&s, flush, "rss-kib"), FLUSH_PAGES * kib);
	assert_int_equal(cell(&s, flush, "pss-kib"), FLUSH_PAGES * kib);
	assert_int_equal(cell(&s, flush, "uss-kib"), FLUSH_PAGES * kib);
	e2e_run_free(&s.run);
}

static void
should_sum_pss_and_uss_of_every_mapping_in_the_total(void **state)
{
	const char *const opts[] = { NULL };
	struct summary s;
	uint64_t rss, pss, uss, sum_pss = 0, sum_uss = 0, sum_rss = 0;
	size_t i;
	int c_rss, c_pss, c_uss;
	(void)state;

	summary(&s, true, opts);
	c_rss = column(&s, "rss-kib");
	c_pss = column(&s, "pss-kib");
	c_uss = column(&s, "uss-kib");
	assert_true(c_rss >= 0 && c_pss >= 0 && c_uss >= 0);
	assert_true(s.nrows > 2);
	assert_string_equal(s.rows[s.nrows - 1][0], "total");
	for (i = 0; i + 1 < s.nrows; i++) {
		rss = number(s.rows[i][c_rss], 10);
		pss = number(s.rows[i][c_pss], 10);
		uss = number(s.rows[i][c_uss], 10);
		if (pss > rss || uss > pss)
			fail_msg("mapping %s: rss %" PRIu64 " pss %" PRIu64
			    " uss %" PRIu64, s.rows[i][0], rss, pss, uss);
		sum_rss += rss;
		sum_pss += pss;
		sum_uss += uss;
	}
	assert_int_equal(cell(&s, "total", "rss-kib"), sum_rss);
	assert_int_equal(cell(&s, "total", "uss-kib"), sum_uss);
	/* Each row's PSS is rounded to the KiB; the total once. */
	pss = cell(&s, "total", "pss-kib");
	assert_true(pss + s.nrows >= sum_pss && pss <= sum_pss + s.nrows);
	assert_true(pss < sum_rss);
	e2e_run_free(&s.run);
}

/*
 * Finds key in a flat JSON object (one line); returns the value's kind
 * ('s' string, 'n' number, 'b' true/false, 0 when missing) with its text
 * (a string's without the quotes) in buf. Fails on a malformed line.
 */
static int
json_field(const char *line, const char *key, char *buf, size_t len)
{
	const char *p = line, *k, *v;
	size_t klen;
	int kind = 0, found = 0;

	if (*p++ != '{')
		fail_msg("not an object: %s", line);
	for (;;) {
		if (*p++ != '"')
			fail_msg("no key at '%s' in %s", p - 1, line);
		k = p;
		while (*p != '"' && *p != '\0')
			p++;
		klen = (size_t)(p - k);
		if (*p++ != '"' || *p++ != ':')
			fail_msg("bad key in %s", line);
		v = p;
		if (*p == '"') {
			kind = 's';
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					fail_msg("open string in %s", line);
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			v++;
			p++;
		} else if (strncmp(p, "true", 4) == 0 ||
		    strncmp(p, "false", 5) == 0) {
			kind = 'b';
			p += *p == 't' ? 4 : 5;
		} else if (*p >= '0' && *p <= '9') {
			kind = 'n';
			while (*p >= '0' && *p <= '9')
				p++;
		} else
			fail_msg("bad value at '%s' in %s", p, line);
		if (strlen(key) == klen && memcmp(key, k, klen) == 0) {
			size_t n = (size_t)(p - v) - (kind == 's');
			assert_true(n < len);
			memcpy(buf, v, n);
			buf[n] = '\0';
			found = kind;
		}
		if (*p == '}' && p[1] == '\0')
			return found;
		if (*p++ != ',')
			fail_msg("no comma at '%s' in %s", p - 1, line);
	}
}

static void
should_give_pss_and_uss_as_numbers_in_a_json_summary(void **state)
{
	const uint64_t kib = child.l.page / 1024;
	char r[64], v[64];
	const char *const opts[] = { "-s", "-f", "json", "-r", r, NULL };
	struct e2e_run run;
	char *text, *line;
	size_t rows = 0;
	(void)state;

	range(r, sizeof(r), child.l.shared, child.l.cow + COW_PAGES *
	    child.l.page);
	dump_ok(&run, opts);
	text = run.out;
	while ((line = next_line(&text)) != NULL) {
		rows++;
		assert_int_equal(json_field(line, "pss-kib", v, sizeof(v)),
		    'n');
		assert_int_equal(json_field(line, "uss-kib", v, sizeof(v)),
		    'n');
		if (json_field(line, "total", v, sizeof(v)) != 'b')
			continue;
		json_field(line, "pss-kib", v, sizeof(v));
		assert_int_equal(number(v, 10), 3 * kib + kib / 2);
		json_field(line, "uss-kib", v, sizeof(v));
		assert_int_equal(number(v, 10), kib);
	}
	assert_int_equal(rows, 4);
	e2e_run_free(&run);
}

/* ---- page flags --------------------------------------------------------- */

static void
should_show_a_file_page_on_the_lru_and_mapped_but_not_anonymous(
    void **state)
{
	struct page_row *rows = all_pages(child.l.file, FILE_PAGES);
	size_t i;
	(void)state;

	for (i = 0; i < FILE_PAGES; i++) {
		if (!rows[i].present || !(rows[i].flags & KPF_LRU) ||
		    !(rows[i].flags & KPF_MMAP) || (rows[i].flags & KPF_ANON))
			fail_msg("file page %zu: present %d, kflags 0x%" PRIx64
			    ": want lru and mmap, not anon", i,
			    rows[i].present, rows[i].flags);
		assert_true(rows[i].mapcount >= 1);
	}
	free(rows);
}

static void
should_show_a_written_anonymous_page_as_anon(void **state)
{
	struct page_row *rows = all_pages(child.l.anon, ANON_PAGES);
	size_t i;
	(void)state;

	for (i = 0; i < ANON_PAGES; i++) {
		if (i % 2 == 0) {
			assert_true(rows[i].present);
			if (!(rows[i].flags & KPF_ANON) ||
			    !(rows[i].flags & KPF_MMAP))
				fail_msg("anon page %zu: kflags 0x%" PRIx64,
				    i, rows[i].flags);
			/* Written before the grandchild was forked. */
			assert_int_equal(rows[i].mapcount, 2);
		} else {
			/* Never written: nothing to look up. */
			assert_false(rows[i].present);
			assert_int_equal(rows[i].flags, 0);
			assert_int_equal(rows[i].mapcount, 0);
			assert_int_equal(rows[i].cgroup, 0);
		}
	}
	free(rows);
}

static void
should_give_no_flags_mapcount_or_cgroup_to_a_swapped_page(void **state)
{
	char r[64], *text, *line, *f[8] = { NULL };
	const char *const opts[] = { "-H", "-o",
	    "swapped,present,kflags,kflags-hex,mapcount,cgroup", "-r", r,
	    NULL };
	struct e2e_run run;
	size_t rows = 0, swapped = 0;
	(void)state;

	if (!e2e_swap_exists())
		e2e_skip("no swap on this machine: no page to swap out");
	if (!child.l.paged_out)
		e2e_skip("MADV_PAGEOUT is not supported by this kernel");
	range(r, sizeof(r), child.l.swap, child.l.swap + SWAP_PAGES *
	    child.l.page);
	dump_ok(&run, opts);
	text = run.out;
	while ((line = next_line(&text)) != NULL) {
		rows++;
		if (split(line, ' ', f, 8) != 6)
			fail_msg("not 6 fields: %s", line);
		if (strcmp(f[0], "1") != 0)
			continue;
		swapped++;
		assert_string_equal(f[1], "0");
		assert_string_equal(f[2], "-");
		assert_string_equal(f[3], "0");
		assert_string_equal(f[4], "0");
		assert_string_equal(f[5], "0");
	}
	assert_int_equal(rows, SWAP_PAGES);
	if (swapped == 0)
		e2e_skip("MADV_PAGEOUT left every page in memory");
	e2e_run_free(&run);
}

/*
 * Dumps the sparse mapping (several read buffers long) with the scan or
 * without; every row must hold the values of its own page: flags and a
 * mapcount exactly for the written pages, every 997th.
 */
static void
check_sparse(bool scan, bool present_only)
{
	char r[64];
	const char *const opts[] = { "-H", "-o", PAGE_COLUMNS, "-r", r,
	    present_only ? "-P" : NULL, NULL };
	const char *env[] = { scan ? NULL : "PAGEMAP_DUMP_NO_SCAN=1", NULL };
	const char *args[16];
	struct e2e_run run;
	struct page_row *rows;
	size_t n, i, k = 0;

	range(r, sizeof(r), child.l.sparse, child.l.sparse + SPARSE_PAGES *
	    child.l.page);
	for (n = 0; opts[n] != NULL; n++)
		args[n] = opts[n];
	args[n++] = child.pid_arg;
	args[n] = NULL;
	e2e_run(&run, env, args);
	assert_int_equal(e2e_exit_code(&run), 0);
	rows = parse_pages(run.out, &n);
	e2e_run_free(&run);
	assert_int_equal(n, present_only ? (SPARSE_PAGES + 996) / 997 :
	    SPARSE_PAGES);
	for (i = 0; i < SPARSE_PAGES; i++) {
		bool written = i % 997 == 0;
		const struct page_row *row = &rows[k];
		if (present_only && !written)
			continue;
		k++;
		assert_int_equal(row->addr, child.l.sparse + i *
		    child.l.page);
		if (row->present != written ||
		    (written && ((row->flags & (KPF_ANON | KPF_MMAP)) !=
		    (KPF_ANON | KPF_MMAP) || row->mapcount != 1 ||
		    row->cgroup == 0)) ||
		    (!written && (row->flags != 0 || row->mapcount != 0 ||
		    row->cgroup != 0)))
			fail_msg("sparse page %zu (%s, %s): present %d, "
			    "kflags 0x%" PRIx64 ", mapcount %" PRIu64
			    ", cgroup %" PRIu64, i, scan ? "scan" : "no scan",
			    present_only ? "-P" : "all", row->present,
			    row->flags, row->mapcount, row->cgroup);
	}
	free(rows);
}

static void
should_give_each_page_of_a_long_sparse_mapping_its_own_values(void **state)
{
	(void)state;
	check_sparse(true, false);
	check_sparse(false, false);
	check_sparse(true, true);
	check_sparse(false, true);
}

static void
should_filter_a_long_sparse_mapping_alike_with_and_without_scan(
    void **state)
{
	char r[64];
	const char *const opts[] = { "-H", "-o", "addr", "-k", "anon,mmap",
	    "-r", r, child.pid_arg, NULL };
	const char *const env[] = { "PAGEMAP_DUMP_NO_SCAN=1", NULL };
	struct e2e_run with, without;
	char want[64], *text, *line;
	size_t i = 0;
	(void)state;

	range(r, sizeof(r), child.l.sparse, child.l.sparse + SPARSE_PAGES *
	    child.l.page);
	e2e_run(&with, NULL, opts);
	e2e_run(&without, env, opts);
	assert_int_equal(e2e_exit_code(&with), 0);
	assert_int_equal(e2e_exit_code(&without), 0);
	assert_string_equal(with.out, without.out);
	text = with.out;
	while ((line = next_line(&text)) != NULL) {
		snprintf(want, sizeof(want), "%" PRIxPTR, child.l.sparse +
		    i * 997 * child.l.page);
		assert_string_equal(line, want);
		i++;
	}
	assert_int_equal(i, (SPARSE_PAGES + 996) / 997);
	e2e_run_free(&with);
	e2e_run_free(&without);
}

/* The transparent huge page setting, or skips the test. */
static void
require_thp(void)
{
	FILE *fp = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128] = "";

	if (fp == NULL)
		e2e_skip("no /sys/kernel/mm/transparent_hugepage: a kernel "
		    "without THP");
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	if (strstr(line, "[never]") != NULL)
		e2e_skip("transparent huge pages are disabled ([never])");
	if (!child.l.thp_advised)
		e2e_skip("MADV_HUGEPAGE was refused");
}

/*
 * The AnonHugePages (KiB) of the child: in all (smaps_rollup) or, with
 * start non-zero, of the mapping that starts there (smaps).
 */
static uint64_t
anon_huge_kib(uintptr_t start)
{
	char path[64], line[512], head[32];
	unsigned long long kib;
	uint64_t total = 0;
	bool in = start == 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)child.pid,
	    start == 0 ? "smaps_rollup" : "smaps");
	snprintf(head, sizeof(head), "%" PRIxPTR "-", start);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		/* A mapping's line starts with its address, keys capitals. */
		if (start != 0 && ((line[0] >= '0' && line[0] <= '9') ||
		    (line[0] >= 'a' && line[0] <= 'f')))
			in = strncmp(line, head, strlen(head)) == 0;
		if (in && sscanf(line, "AnonHugePages: %llu kB", &kib) == 1)
			total += kib;
	}
	fclose(fp);
	return total;
}

/* The huge pages in the THP area, from its rows; checks their flags. */
static size_t
huge_blocks(const struct page_row *rows, size_t n, bool *huge)
{
	const size_t per = child.l.hpage / child.l.page;
	size_t b, i, count = 0;

	for (b = 0; b < n / per; b++) {
		const struct page_row *r = rows + b * per;
		huge[b] = (r[0].flags & (KPF_THP | KPF_HEAD)) ==
		    (KPF_THP | KPF_HEAD);
		if (!huge[b])
			continue;
		count++;
		/* The head: thp and compound_head, on an aligned PFN. */
		assert_int_equal(r[0].flags & KPF_TAIL, 0);
		assert_int_equal(r[0].pfn % per, 0);
		for (i = 1; i < per; i++) {
			if ((r[i].flags & (KPF_THP | KPF_HEAD | KPF_TAIL)) !=
			    (KPF_THP | KPF_TAIL))
				fail_msg("huge page %zu, page %zu: kflags 0x%"
				    PRIx64 ": want thp and compound_tail", b,
				    i, r[i].flags);
			assert_int_equal(r[i].pfn, r[0].pfn + i);
		}
	}
	return count;
}

static void
should_mark_the_pages_of_a_transparent_huge_page_thp(void **state)
{
	const size_t per = child.l.hpage / child.l.page, n = 2 * per;
	struct page_row *rows, *thp;
	size_t got, i, j, want;
	bool huge[2];
	char why[160];
	(void)state;

	require_thp();
	if (anon_huge_kib(0) == 0 || anon_huge_kib(child.l.thp) == 0) {
		snprintf(why, sizeof(why), "the kernel gave the child no "
		    "transparent huge page (AnonHugePages %" PRIu64 " kB)",
		    anon_huge_kib(0));
		e2e_skip(why);
	}
	rows = all_pages(child.l.thp, n);
	want = anon_huge_kib(child.l.thp) * 1024 / child.l.hpage;
	assert_int_equal(huge_blocks(rows, n, huge), want);

	/* -k thp prints exactly the pages of the huge pages. */
	thp = pages(child.l.thp, child.l.thp + 2 * child.l.hpage, "thp",
	    &got);
	assert_int_equal(got, want * per);
	for (i = 0, j = 0; i < n; i++) {
		if (!huge[i / per])
			continue;
		assert_int_equal(thp[j].addr, rows[i].addr);
		assert_true(thp[j].flags & KPF_THP);
		j++;
	}
	free(thp);

	/* -k compound_head,thp: only the first page of each. */
	thp = pages(child.l.thp, child.l.thp + 2 * child.l.hpage,
	    "compound_head,thp", &got);
	assert_int_equal(got, want);
	for (i = 0, j = 0; i < 2; i++)
		if (huge[i])
			assert_int_equal(thp[j++].addr, child.l.thp +
			    i * child.l.hpage);
	free(thp);
	free(rows);
}

/* ---- -k --------------------------------------------------------------- */

static bool
matches(const struct page_row *r, uint64_t want, uint64_t refuse)
{
	return r->present && (r->flags & want) == want &&
	    (r->flags & refuse) == 0;
}

/* The addresses of rows that match, in a new array. */
static uint64_t *
matching(const struct page_row *rows, size_t n, uint64_t want,
    uint64_t refuse, size_t *count)
{
	uint64_t *a = malloc((n + 1) * sizeof(*a));
	size_t i;

	assert_non_null(a);
	*count = 0;
	for (i = 0; i < n; i++)
		if (matches(&rows[i], want, refuse))
			a[(*count)++] = rows[i].addr;
	return a;
}

/*
 * Dumps the region with -k list: every row printed must match, and every
 * page that matches must be printed. Flags such as lru can change between
 * two runs, so the filtered run is compared with the unfiltered runs
 * before and after it when those agree. Returns how many pages matched.
 */
static size_t
check_filter(const char *list, uint64_t want, uint64_t refuse)
{
	const uintptr_t start = child.l.base, end = child.l.end;
	struct page_row *before, *after, *got;
	uint64_t *b, *a;
	size_t nbefore, nafter, ngot, nb, na, i, attempt;
	char why[160];

	for (attempt = 0; attempt < 10; attempt++) {
		before = pages(start, end, NULL, &nbefore);
		got = pages(start, end, list, &ngot);
		after = pages(start, end, NULL, &nafter);
		for (i = 0; i < ngot; i++)
			if (!matches(&got[i], want, refuse))
				fail_msg("-k %s printed 0x%" PRIx64 " (present "
				    "%d, kflags 0x%" PRIx64 ")", list,
				    got[i].addr, got[i].present,
				    got[i].flags);
		b = matching(before, nbefore, want, refuse, &nb);
		a = matching(after, nafter, want, refuse, &na);
		free(before);
		free(after);
		if (nb == na && memcmp(a, b, nb * sizeof(*a)) == 0) {
			if (ngot != nb)
				fail_msg("-k %s printed %zu pages, want %zu",
				    list, ngot, nb);
			for (i = 0; i < ngot; i++)
				assert_int_equal(got[i].addr, b[i]);
			free(a);
			free(b);
			free(got);
			return nb;
		}
		free(a);
		free(b);
		free(got);
	}
	snprintf(why, sizeof(why), "the flags of the pages kept changing: "
	    "-k %s not compared", list);
	e2e_skip(why);
	return 0;
}

/* The pages of the swap area that were not paged out. */
static size_t
swap_present(void)
{
	struct page_row *rows = all_pages(child.l.swap, SWAP_PAGES);
	size_t i, n = 0;

	for (i = 0; i < SWAP_PAGES; i++)
		n += rows[i].present;
	free(rows);
	return n;
}

static void
should_print_exactly_the_anonymous_pages_not_on_the_lru(void **state)
{
	(void)state;
	check_filter("anon,~lru", KPF_ANON, KPF_LRU);
}

static void
should_print_exactly_the_anonymous_pages(void **state)
{
	const size_t thp = 2 * child.l.hpage / child.l.page;
	(void)state;

	assert_int_equal(check_filter("anon", KPF_ANON, 0), thp +
	    SHARED_PAGES + COW_PAGES + ANON_PAGES / 2 + FLUSH_PAGES +
	    swap_present());
}

static void
should_print_exactly_the_anonymous_pages_outside_huge_pages(void **state)
{
	const size_t per = child.l.hpage / child.l.page;
	size_t huge = anon_huge_kib(child.l.thp) * 1024 / child.l.hpage;
	(void)state;

	/* With the huge pages left out, the small anonymous pages remain. */
	assert_int_equal(check_filter("anon,~thp", KPF_ANON, KPF_THP),
	    (2 - huge) * per + SHARED_PAGES + COW_PAGES + ANON_PAGES / 2 +
	    FLUSH_PAGES + swap_present());
	assert_int_equal(check_filter("anon,~compound_tail,~lru,~mlocked",
	    KPF_ANON, KPF_TAIL | KPF_LRU | BIT(33)) <=
	    (2 - huge) * per + huge + SHARED_PAGES + COW_PAGES +
	    ANON_PAGES / 2 + FLUSH_PAGES + swap_present(), 1);
}

static void
should_print_exactly_the_mapped_file_pages(void **state)
{
	(void)state;
	assert_int_equal(check_filter("mmap,~anon", KPF_MMAP, KPF_ANON),
	    FILE_PAGES);
	assert_int_equal(check_filter("lru,mmap,~anon", KPF_LRU | KPF_MMAP,
	    KPF_ANON), FILE_PAGES);
}

static void
should_print_only_present_pages_for_a_list_of_absent_flags(void **state)
{
	(void)state;
	/* The holes and guard pages have no flags, but are not present. */
	assert_int_equal(check_filter("~anon", 0, KPF_ANON), FILE_PAGES);
	assert_int_equal(check_filter("~ksm,~anon", 0, BIT(21) | KPF_ANON),
	    FILE_PAGES);
}

static void
should_print_nothing_for_absent_flags_over_holes(void **state)
{
	char r[64];
	const char *const opts[] = { "-H", "-k", "~anon", "-r", r, NULL };
	struct e2e_run run;
	(void)state;

	/* The anon area's holes and the guard pages after it. */
	range(r, sizeof(r), child.l.anon, child.l.flush);
	dump_ok(&run, opts);
	assert_string_equal(run.out, "");
	e2e_run_free(&run);
}

static void
should_refuse_an_unknown_flag_with_exit_2(void **state)
{
	const char *const lists[] = { "bogus", "anon,bogus", "~bogus", "",
	    "anon,", "Anon" };
	struct e2e_run run;
	size_t i;
	unsigned int bit;
	(void)state;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *const opts[] = { "-k", lists[i], NULL };
		dump(&run, true, opts);
		if (e2e_exit_code(&run) != 2)
			fail_msg("-k '%s': exit %d, want 2", lists[i],
			    e2e_exit_code(&run));
		assert_string_equal(run.out, "");
		if (i == 0) {
			assert_non_null(strstr(run.err, "bogus"));
			for (bit = 0; bit < 64; bit++)
				if (flag_names[bit] != NULL &&
				    !has_word(run.err, flag_names[bit]))
					fail_msg("-k bogus: '%s' not listed: "
					    "%s", flag_names[bit], run.err);
		}
		e2e_run_free(&run);
	}
}

/* ---- formats ------------------------------------------------------------ */

#define FORMAT_COLUMNS "addr,kflags,kflags-hex,mapcount,cgroup,present"

/* Checks one row's fields (as text) against each other. */
static void
check_fields(const char *addr, const char *kflags, uint64_t hex,
    uint64_t mapcount, uint64_t cgroup, bool present, uintptr_t want_addr,
    const char *none)
{
	char names[1024];

	assert_int_equal(number(addr, 16), want_addr);
	if (!present) {
		assert_string_equal(kflags, none);
		assert_int_equal(hex, 0);
		assert_int_equal(mapcount, 0);
		assert_int_equal(cgroup, 0);
		return;
	}
	if (hex == 0)
		fail_msg("a present page at %s without flags", addr);
	names_of(hex, names, sizeof(names));
	if (strcmp(kflags, names) != 0)
		fail_msg("page %s: kflags '%s', but kflags-hex 0x%" PRIx64
		    " is '%s'", addr, kflags, hex, names);
	assert_true(mapcount >= 1);
}

/* Runs the region in a format with FORMAT_COLUMNS; returns the output. */
static void
dump_format(struct e2e_run *run, const char *format)
{
	char r[64];
	const char *const opts[] = { "-f", format, "-o", FORMAT_COLUMNS,
	    "-r", r, NULL };

	range(r, sizeof(r), child.l.base, child.l.end);
	dump_ok(run, opts);
}

static size_t
region_pages(void)
{
	return (child.l.end - child.l.base) / child.l.page;
}

static void
should_write_the_physical_columns_in_text_and_tsv(void **state)
{
	const char *const formats[] = { "text", "tsv" };
	struct e2e_run run;
	char *text, *line, *f[8] = { NULL };
	size_t i, n;
	(void)state;

	for (i = 0; i < 2; i++) {
		char sep = i == 0 ? ' ' : '\t';
		dump_format(&run, formats[i]);
		text = run.out;
		line = next_line(&text);
		assert_non_null(line);
		assert_string_equal(line, i == 0 ?
		    "addr kflags kflags-hex mapcount cgroup present" :
		    "addr\tkflags\tkflags-hex\tmapcount\tcgroup\tpresent");
		for (n = 0; (line = next_line(&text)) != NULL; n++) {
			if (split(line, sep, f, 8) != 6)
				fail_msg("%s: not 6 fields: %s", formats[i],
				    line);
			/* In text, "-" for no flags keeps the columns. */
			check_fields(f[0], f[1], number(f[2], 16),
			    number(f[3], 10), number(f[4], 10),
			    number(f[5], 10) != 0,
			    child.l.base + n * child.l.page,
			    i == 0 ? "-" : "");
		}
		assert_int_equal(n, region_pages());
		e2e_run_free(&run);
	}
}

/* Splits a CSV line in place, unquoting; quoted[i] tells which were. */
static size_t
split_csv(char *s, char **f, bool *quoted, size_t max)
{
	size_t n = 0;
	char *w;

	for (;;) {
		if (n == max)
			return max + 1;
		f[n] = w = s;
		quoted[n] = *s == '"';
		if (quoted[n]) {
			for (s++;; s++) {
				if (*s == '\0')
					fail_msg("an open quote");
				if (*s == '"' && s[1] == '"')
					*w++ = *s++;
				else if (*s == '"')
					break;
				else
					*w++ = *s;
			}
			s++;
			if (*s != ',' && *s != '\0')
				fail_msg("text after a closing quote");
		} else {
			while (*s != ',' && *s != '\0') {
				if (*s == '"')
					fail_msg("a quote inside a field");
				*w++ = *s++;
			}
		}
		n++;
		if (*s == '\0') {
			*w = '\0';
			return n;
		}
		*w = '\0';
		s++;
	}
}

static void
should_quote_kflags_in_csv_so_that_it_parses_back(void **state)
{
	struct e2e_run run;
	char *text, *line, *f[8] = { NULL };
	bool quoted[8];
	size_t n;
	(void)state;

	dump_format(&run, "csv");
	text = run.out;
	line = next_line(&text);
	assert_non_null(line);
	assert_string_equal(line,
	    "addr,kflags,kflags-hex,mapcount,cgroup,present");
	for (n = 0; (line = next_line(&text)) != NULL; n++) {
		if (split_csv(line, f, quoted, 8) != 6)
			fail_msg("csv: not 6 fields");
		check_fields(f[0], f[1], number(f[2], 16), number(f[3], 10),
		    number(f[4], 10), number(f[5], 10) != 0,
		    child.l.base + n * child.l.page, "");
		if (f[1][0] != '\0')
			assert_true(quoted[1]);
		assert_false(quoted[0] || quoted[2] || quoted[3] ||
		    quoted[4] || quoted[5]);
	}
	assert_int_equal(n, region_pages());
	e2e_run_free(&run);
}

static void
should_give_kflags_as_strings_and_counts_as_numbers_in_json(void **state)
{
	struct e2e_run run;
	char *text, *line, addr[32], kflags[1024], hex[32], mapcount[32],
	    cgroup[32], present[8];
	size_t n;
	(void)state;

	dump_format(&run, "json");
	text = run.out;
	for (n = 0; (line = next_line(&text)) != NULL; n++) {
		assert_int_equal(json_field(line, "addr", addr,
		    sizeof(addr)), 's');
		assert_int_equal(json_field(line, "kflags", kflags,
		    sizeof(kflags)), 's');
		assert_int_equal(json_field(line, "kflags-hex", hex,
		    sizeof(hex)), 's');
		assert_int_equal(json_field(line, "mapcount", mapcount,
		    sizeof(mapcount)), 'n');
		assert_int_equal(json_field(line, "cgroup", cgroup,
		    sizeof(cgroup)), 'n');
		assert_int_equal(json_field(line, "present", present,
		    sizeof(present)), 'b');
		if (strncmp(addr, "0x", 2) != 0 || strncmp(hex, "0x", 2) != 0)
			fail_msg("json: addr %s, kflags-hex %s: want 0x...",
			    addr, hex);
		check_fields(addr + 2, kflags, number(hex + 2, 16),
		    number(mapcount, 10), number(cgroup, 10),
		    strcmp(present, "true") == 0,
		    child.l.base + n * child.l.page, "");
	}
	assert_int_equal(n, region_pages());
	e2e_run_free(&run);
}

/* ---- the exclusive bit instead of /proc/kpagecount ---------------------- */

static void
require_kpagecount(void)
{
	if (access("/proc/kpagecount", R_OK) != 0)
		e2e_skip("no readable /proc/kpagecount");
	/* Set in the environment, it would make every run read them. */
	unsetenv("PAGEMAP_DUMP_READ_COUNTS");
}

/* Runs the tool as root on the child with env (NAME=value) added. */
static void
dump_env(struct e2e_run *r, const char *const *env, const char *const *opts)
{
	const char *args[30];
	int n = 0;

	while (*opts != NULL && n < 28)
		args[n++] = *opts++;
	args[n++] = child.pid_arg;
	args[n] = NULL;
	e2e_run(r, env, args);
	if (e2e_exit_code(r) != 0)
		fail_msg("%s ...: exit %d: %s", args[0], e2e_exit_code(r),
		    r->err);
}

/* Writes where a and b first differ (line number and lines) into buf. */
static void
first_difference(const char *a, const char *b, char *buf, size_t len)
{
	const char *la = a, *lb = b;
	size_t line = 1;

	for (; *a == *b && *a != '\0'; a++, b++)
		if (*a == '\n') {
			line++;
			la = a + 1;
			lb = b + 1;
		}
	snprintf(buf, len, "line %zu:\n  without: %.*s\n  with:    %.*s",
	    line, (int)strcspn(la, "\n"), la, (int)strcspn(lb, "\n"), lb);
}

/*
 * Removes the idle flag from the kflags lists of a dump, in place. A
 * monitor such as DAMON sets it on the pages it samples, at any time, and
 * nothing in the tool depends on it; a run under valgrind lasts long
 * enough to see it appear on some page between any two runs.
 */
static void
drop_idle(char *text)
{
	const char *r = text;
	char *w = text;

	while (*r != '\0') {
		/* Never the first flag: a present page has lower ones. */
		if (strncmp(r, ",idle", 5) == 0 && r[5] != '\0' &&
		    strchr(",\" \t\n", r[5]) != NULL) {
			r += 5;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The words of a NULL-terminated list, joined by spaces, into buf. */
static const char *
words(const char *const *list, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; *list != NULL && used < len; list++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    used > 0 ? " " : "", *list);
	return buf;
}

static void
should_print_the_same_with_and_without_reading_every_mapcount(
    void **state)
{
	const char *const asks[][6] = {
		{ "-s", NULL },
		{ "-s", "-f", "json", NULL },
		{ "-o", "+kflags,mapcount", NULL },
		{ "-o", "+kflags,mapcount,cgroup", "-f", "csv", NULL },
		{ "-s", "-k", "anon", NULL },
		{ "-o", "+mapcount", NULL },
	};
	const char *const read_all[] = { "PAGEMAP_DUMP_READ_COUNTS=1", NULL };
	const uint64_t ps = child.l.page;
	char ranges[4][64], thp[32], own_thp[32], diff[1024], ask[64];
	const char *args[16];
	struct e2e_run without, with;
	size_t i, n, k, attempt;
	(void)state;

	require_kpagecount();
	/*
	 * The child's own areas: the region (shared, copied, file, anon and
	 * swapped pages and the shared huge pages), the memfd page mapped
	 * twice, the huge page of its own and the sparse mapping. Not the
	 * libraries: the tool maps them too, and which of their pages it
	 * has touched, so their counts, differs from one run to the next.
	 */
	range(ranges[0], sizeof(ranges[0]), child.l.base, child.l.end);
	range(ranges[1], sizeof(ranges[1]), child.l.twice,
	    child.l.twice + 3 * ps);
	range(ranges[2], sizeof(ranges[2]), child.l.own_thp,
	    child.l.own_thp + child.l.hpage);
	range(ranges[3], sizeof(ranges[3]), child.l.sparse,
	    child.l.sparse + SPARSE_PAGES * ps);
	snprintf(thp, sizeof(thp), "%" PRIxPTR, child.l.thp);
	snprintf(own_thp, sizeof(own_thp), "%" PRIxPTR, child.l.own_thp);
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		for (n = 0; asks[i][n] != NULL; n++)
			args[n] = asks[i][n];
		for (k = 0; k < 4; k++) {
			args[n++] = "-r";
			args[n++] = ranges[k];
		}
		args[n] = NULL;
		/*
		 * A page's flags or bits can change between two runs: an
		 * exclusive bit, a page paged out or its flags aged.
		 */
		for (attempt = 0; attempt < 5; attempt++) {
			dump_env(&without, NULL, args);
			dump_env(&with, read_all, args);
			if (strstr(with.out, thp) == NULL ||
			    strstr(with.out, own_thp) == NULL)
				fail_msg("%s: the huge page areas are not in "
				    "the output", words(asks[i], ask,
				    sizeof(ask)));
			drop_idle(without.out);
			drop_idle(with.out);
			if (strcmp(without.out, with.out) == 0)
				break;
			first_difference(without.out, with.out, diff,
			    sizeof(diff));
			e2e_run_free(&without);
			e2e_run_free(&with);
		}
		if (attempt == 5)
			fail_msg("%s: the output differs with "
			    "PAGEMAP_DUMP_READ_COUNTS=1 in 5 attempts; the "
			    "last time at %s", words(asks[i], ask,
			    sizeof(ask)), diff);
		e2e_run_free(&without);
		e2e_run_free(&with);
	}
}

/* The reads of each /proc/kpage* file, as PAGEMAP_DUMP_STATS gives them. */
struct kpage_reads {
	uint64_t flags, count, cgroup;
};

/*
 * Runs the tool on the child over [start, end) with opts, with the stats
 * and, if read_all, every count read; returns its kpage reads.
 */
static struct kpage_reads
kpage_reads(const char *const *opts, uintptr_t start, uintptr_t end,
    bool read_all)
{
	const char *const env[] = { "PAGEMAP_DUMP_STATS=1",
	    read_all ? "PAGEMAP_DUMP_READ_COUNTS=1" : NULL, NULL };
	const char *args[16];
	struct kpage_reads k = { 0, 0, 0 };
	struct e2e_run r;
	char rng[64], cmd[160], *text, *line;
	int n = 0, found = 0, pid;

	range(rng, sizeof(rng), start, end);
	while (*opts != NULL && n < 13)
		args[n++] = *opts++;
	args[n++] = "-r";
	args[n++] = rng;
	args[n] = NULL;
	dump_env(&r, env, args);
	text = r.err;
	while ((line = next_line(&text)) != NULL)
		if (sscanf(line, "pagemap-dump: pid %d: %" SCNu64
		    " kpageflags, %" SCNu64 " kpagecount, %" SCNu64
		    " kpagecgroup reads", &pid, &k.flags, &k.count,
		    &k.cgroup) == 4 && pid == (int)child.pid)
			found++;
	if (found != 1)
		fail_msg("%s: %d lines of kpage reads for pid %d in:\n%s",
		    words(args, cmd, sizeof(cmd)), found, (int)child.pid,
		    r.err);
	e2e_run_free(&r);
	return k;
}

/*
 * Skips unless every page of [start, end) is present and exclusive, as
 * the kernel marks a page that it counts as mapped once.
 */
static void
require_exclusive(uintptr_t start, size_t count, const char *what)
{
	char r[64], *text, *line, why[160];
	const char *const opts[] = { "-H", "-o", "present,exclusive", "-r", r,
	    NULL };
	struct e2e_run run;
	size_t n = 0;

	range(r, sizeof(r), start, start + count * child.l.page);
	dump_ok(&run, opts);
	text = run.out;
	while ((line = next_line(&text)) != NULL) {
		n++;
		if (strcmp(line, "1 1") != 0) {
			snprintf(why, sizeof(why), "the %s pages are not all "
			    "present and exclusive (bit 56): '%s'", what,
			    line);
			e2e_skip(why);
		}
	}
	assert_int_equal(n, count);
	e2e_run_free(&run);
}

static void
should_not_read_kpagecount_for_the_pss_of_exclusive_pages(void **state)
{
	const char *const opts[] = { "-s", NULL };
	const uintptr_t start = child.l.flush;
	const uintptr_t end = start + FLUSH_PAGES * child.l.page;
	struct kpage_reads k;
	(void)state;

	require_kpagecount();
	/* Written after the fork: the child's alone, each page once. */
	require_exclusive(start, FLUSH_PAGES, "flush");
	k = kpage_reads(opts, start, end, false);
	assert_int_equal(k.count, 0);
	assert_int_equal(k.flags, 0);
	/* The same pages, all counts read: the reads are to be seen. */
	k = kpage_reads(opts, start, end, true);
	assert_true(k.count > 0);
}

static void
should_not_read_kpagecount_for_exclusive_small_pages_with_kflags(
    void **state)
{
	const char *const opts[] = { "-o", "+kflags,mapcount", NULL };
	const char *const no_flags[] = { "-o", "+mapcount", NULL };
	const uintptr_t start = child.l.flush;
	const uintptr_t end = start + FLUSH_PAGES * child.l.page;
	struct kpage_reads k;
	(void)state;

	require_kpagecount();
	require_exclusive(start, FLUSH_PAGES, "flush");
	k = kpage_reads(opts, start, end, false);
	assert_int_equal(k.count, 0);
	assert_true(k.flags > 0);
	k = kpage_reads(opts, start, end, true);
	assert_true(k.count > 0);
	/* Without the flags, the column reads every count, as before. */
	k = kpage_reads(no_flags, start, end, false);
	assert_true(k.count > 0);
	assert_int_equal(k.flags, 0);
}

static void
should_read_kpagecount_for_pages_shared_with_a_forked_process(
    void **state)
{
	const char *const opts[] = { "-s", NULL };
	const uintptr_t start = child.l.shared;
	const uintptr_t end = start + SHARED_PAGES * child.l.page;
	struct kpage_reads k;
	(void)state;

	require_kpagecount();
	/* Mapped by the grandchild too: not exclusive, so each one read. */
	k = kpage_reads(opts, start, end, false);
	assert_true(k.count > 0);
}

/* Skips unless the child's own huge page area is one huge page. */
static void
require_own_thp(void)
{
	char why[160];

	require_thp();
	if (!child.l.own_thp_advised)
		e2e_skip("MADV_HUGEPAGE was refused");
	if (anon_huge_kib(child.l.own_thp) * 1024 != child.l.hpage) {
		snprintf(why, sizeof(why), "the kernel gave the child no huge "
		    "page of its own (AnonHugePages %" PRIu64 " kB there)",
		    anon_huge_kib(child.l.own_thp));
		e2e_skip(why);
	}
}

static void
should_read_kpagecount_for_an_exclusive_huge_page_only_with_kflags(
    void **state)
{
	const char *const sum[] = { "-s", NULL };
	const char *const rows[] = { "-o", "+kflags,mapcount", NULL };
	const uintptr_t start = child.l.own_thp;
	const uintptr_t end = start + child.l.hpage;
	struct page_row *r;
	size_t i, n;
	(void)state;

	require_kpagecount();
	require_own_thp();
	require_exclusive(start, child.l.hpage / child.l.page,
	    "own huge page's");
	r = pages(start, end, NULL, &n);
	for (i = 0; i < n; i++)
		if (r[i].mapcount != 1 || !(r[i].flags & KPF_THP))
			fail_msg("own huge page, page %zu: mapcount %" PRIu64
			    ", kflags 0x%" PRIx64 ": want 1 and thp", i,
			    r[i].mapcount, r[i].flags);
	free(r);
	/* For PSS the exclusive bit is enough; beside kflags, it is not. */
	assert_int_equal(kpage_reads(sum, start, end, false).count, 0);
	assert_true(kpage_reads(rows, start, end, false).count > 0);
}

/* ---- cgroup ----------------------------------------------------------- */

/*
 * The directory of the memory cgroup that the child's pages are charged
 * to, from /proc/PID/cgroup and /proc/self/mountinfo (cgroup v1 memory
 * hierarchy, else v2 up to the nearest cgroup with the memory controller).
 * Returns false when it cannot tell.
 */
static bool
memory_cgroup_dir(char *dir, size_t len)
{
	char path[64], line[1024], v1[512] = "", v2[512] = "", *p;
	char mnt1[512] = "", mnt2[512] = "", root1[512] = "", root2[512] = "";
	char ctrl[520];
	FILE *fp;
	bool found = false;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)child.pid);
	if ((fp = fopen(path, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char *ctl = strchr(line, ':'), *cg;
		line[strcspn(line, "\n")] = '\0';
		if (ctl == NULL || (cg = strchr(ctl + 1, ':')) == NULL)
			continue;
		*cg++ = '\0';
		ctl++;
		if (*ctl == '\0')
			snprintf(v2, sizeof(v2), "%s", cg);
		else {
			snprintf(ctrl, sizeof(ctrl), ",%s,", ctl);
			if (strstr(ctrl, ",memory,") != NULL)
				snprintf(v1, sizeof(v1), "%s", cg);
		}
	}
	fclose(fp);
	if ((fp = fopen("/proc/self/mountinfo", "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), fp) != NULL) {
		char root[512], mnt[512], type[64], opts[512];
		p = strstr(line, " - ");
		if (p == NULL || sscanf(line, "%*s %*s %*s %511s %511s", root,
		    mnt) != 2 || sscanf(p, " - %63s %*s %511s", type,
		    opts) != 2)
			continue;
		snprintf(ctrl, sizeof(ctrl), ",%s,", opts);
		if (strcmp(type, "cgroup") == 0 &&
		    strstr(ctrl, ",memory,") != NULL) {
			snprintf(mnt1, sizeof(mnt1), "%s", mnt);
			snprintf(root1, sizeof(root1), "%s", root);
		} else if (strcmp(type, "cgroup2") == 0) {
			snprintf(mnt2, sizeof(mnt2), "%s", mnt);
			snprintf(root2, sizeof(root2), "%s", root);
		}
	}
	fclose(fp);
	if (v1[0] != '\0' && mnt1[0] != '\0') {
		size_t r = strcmp(root1, "/") == 0 ? 0 : strlen(root1);
		if (strncmp(v1, root1, r) != 0)
			return false;
		snprintf(dir, len, "%s%s", mnt1, v1 + r);
		return true;
	}
	if (v2[0] == '\0' || mnt2[0] == '\0')
		return false;
	{
		size_t r = strcmp(root2, "/") == 0 ? 0 : strlen(root2);
		if (strncmp(v2, root2, r) != 0)
			return false;
		snprintf(dir, len, "%s%s", mnt2, v2 + r);
	}
	/* Up to the nearest cgroup where the memory controller is on. */
	while (!found) {
		char file[1100];
		snprintf(file, sizeof(file), "%s/cgroup.controllers", dir);
		if ((fp = fopen(file, "r")) != NULL) {
			if (fgets(line, sizeof(line), fp) != NULL)
				found = has_word(line, "memory");
			fclose(fp);
		}
		if (found || strlen(dir) <= strlen(mnt2))
			break;
		*strrchr(dir, '/') = '\0';
	}
	return true;
}

static void
should_name_the_memory_cgroup_of_a_page_by_its_inode(void **state)
{
	struct page_row *rows;
	struct stat st;
	char dir[1024], why[1200];
	size_t n, i, present = 0;
	(void)state;

	if (!memory_cgroup_dir(dir, sizeof(dir)))
		e2e_skip("the child's memory cgroup could not be found");
	if (stat(dir, &st) != 0) {
		snprintf(why, sizeof(why), "cannot stat the memory cgroup %s",
		    dir);
		e2e_skip(why);
	}
	rows = pages(child.l.base, child.l.end, NULL, &n);
	assert_int_equal(n, region_pages());
	for (i = 0; i < n; i++) {
		if (!rows[i].present) {
			assert_int_equal(rows[i].cgroup, 0);
			continue;
		}
		present++;
		if (rows[i].cgroup != (uint64_t)st.st_ino)
			fail_msg("page 0x%" PRIx64 ": cgroup %" PRIu64 ", but "
			    "%s is inode %" PRIu64, rows[i].addr,
			    rows[i].cgroup, dir, (uint64_t)st.st_ino);
	}
	assert_true(present > 0);
	free(rows);
}

/* ---- without CAP_SYS_ADMIN ---------------------------------------------- */

/* Skips unless a program run with BOUNDING_SET lacks the capability. */
static void
require_dropping(void)
{
	const char *const args[] = { "/proc/self/status", NULL };
	const char *cat = access("/bin/cat", X_OK) == 0 ? "/bin/cat" :
	    "/usr/bin/cat";
	struct e2e_run r;
	unsigned long long eff;
	const char *p;

	if (access(cat, X_OK) != 0)
		e2e_skip("no cat to check that CAP_SYS_ADMIN can be dropped");
	run_restricted(&r, BOUNDING_SET, cat, args);
	if (e2e_exit_code(&r) == NO_DROP)
		e2e_skip("CAP_SYS_ADMIN cannot be dropped from the bounding "
		    "set (no CAP_SETPCAP)");
	p = strstr(r.out, "\nCapEff:");
	assert_non_null(p);
	eff = strtoull(p + 8, NULL, 16);
	e2e_run_free(&r);
	if (eff & BIT(CAP_SYS_ADMIN))
		e2e_skip("a program still gets CAP_SYS_ADMIN with it dropped "
		    "from the bounding set (inheritable or ambient)");
}

static void
should_refuse_the_physical_columns_without_cap_sys_admin(void **state)
{
	const char *const asks[][5] = {
		{ "-o", "+kflags", NULL, "kflags" },
		{ "-o", "+kflags-hex", NULL, "kflags-hex" },
		{ "-o", "+mapcount", NULL, "mapcount" },
		{ "-o", "addr,cgroup", NULL, "cgroup" },
		{ "-k", "anon", NULL, "-k" },
		{ "-f", "json", "-o", "+mapcount", NULL },
	};
	struct e2e_run r;
	size_t i;
	(void)state;

	require_dropping();
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		const char *what = asks[i][3] != NULL && asks[i][2] == NULL ?
		    asks[i][3] : "mapcount";
		dump(&r, false, asks[i]);
		if (e2e_exit_code(&r) != 1)
			fail_msg("%s %s without CAP_SYS_ADMIN: exit %d, want 1",
			    asks[i][0], asks[i][1], e2e_exit_code(&r));
		/* No rows, not even a header: never a column of zeros. */
		assert_string_equal(r.out, "");
		if (strstr(r.err, what) == NULL ||
		    (strstr(r.err, "root") == NULL &&
		    strstr(r.err, "CAP_SYS_ADMIN") == NULL))
			fail_msg("%s %s: the message does not say that %s "
			    "needs root: %s", asks[i][0], asks[i][1], what,
			    r.err);
		e2e_run_free(&r);
	}
}

static void
should_leave_pss_and_uss_out_of_the_summary_without_cap_sys_admin(
    void **state)
{
	const char *const opts[] = { NULL };
	struct summary s;
	(void)state;

	require_dropping();
	summary(&s, false, opts);
	assert_true(column(&s, "rss-kib") >= 0);
	assert_int_equal(column(&s, "pss-kib"), -1);
	assert_int_equal(column(&s, "uss-kib"), -1);
	assert_true(s.nrows > 1);
	assert_string_equal(s.rows[s.nrows - 1][0], "total");
	if (strstr(s.run.err, "pss-kib") == NULL ||
	    strstr(s.run.err, "uss-kib") == NULL)
		fail_msg("no warning naming pss-kib and uss-kib: %s",
		    s.run.err);
	e2e_run_free(&s.run);
}

static void
should_leave_pss_and_uss_out_of_a_json_summary_without_cap_sys_admin(
    void **state)
{
	const char *const opts[] = { "-s", "-f", "json", NULL };
	struct e2e_run r;
	char *text, *line, v[64];
	size_t rows = 0;
	(void)state;

	require_dropping();
	dump(&r, false, opts);
	assert_int_equal(e2e_exit_code(&r), 0);
	text = r.out;
	while ((line = next_line(&text)) != NULL) {
		rows++;
		assert_int_equal(json_field(line, "rss-kib", v, sizeof(v)),
		    'n');
		assert_int_equal(json_field(line, "pss-kib", v, sizeof(v)), 0);
		assert_int_equal(json_field(line, "uss-kib", v, sizeof(v)), 0);
	}
	assert_true(rows > 1);
	assert_non_null(strstr(r.err, "pss-kib"));
	e2e_run_free(&r);
}

/*
 * Skips unless the tool, run as root of a new user namespace, sees the
 * PFNs of its own pages hidden.
 */
static void
require_hidden_pfns_in_a_user_namespace(void)
{
	const char *const opts[] = { "-P", "-H", "-o", "pfn", NULL };
	struct e2e_run r;
	char *text, *line;
	size_t rows = 0;

	dump_pid(&r, USER_NAMESPACE, "self", opts);
	if (e2e_exit_code(&r) == NO_DROP)
		e2e_skip("no user namespace could be made (or mapped to "
		    "root)");
	assert_int_equal(e2e_exit_code(&r), 0);
	text = r.out;
	while ((line = next_line(&text)) != NULL) {
		rows++;
		if (strcmp(line, "0") != 0)
			e2e_skip("the kernel shows PFNs in a user namespace");
	}
	assert_true(rows > 0);
	e2e_run_free(&r);
}

static void
should_refuse_the_physical_columns_in_a_user_namespace(void **state)
{
	const char *const asks[][4] = {
		{ "-o", "+kflags", NULL },
		{ "-o", "+mapcount", NULL },
		{ "-o", "addr,cgroup", NULL },
		{ "-k", "anon", NULL },
	};
	struct e2e_run r;
	size_t i;
	(void)state;

	require_hidden_pfns_in_a_user_namespace();
	for (i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		/*
		 * CapEff is full in the namespace, but PFNs need
		 * CAP_SYS_ADMIN in the initial one: the values would all be
		 * zero, so they must be refused as without root.
		 */
		dump_pid(&r, USER_NAMESPACE, "self", asks[i]);
		if (e2e_exit_code(&r) != 1 || r.out[0] != '\0')
			fail_msg("%s %s in a user namespace: exit %d, want 1 "
			    "and no rows; it printed:\n%.300s", asks[i][0],
			    asks[i][1], e2e_exit_code(&r), r.out);
		e2e_run_free(&r);
	}
}

static void
should_leave_pss_and_uss_out_of_the_summary_in_a_user_namespace(
    void **state)
{
	const char *const opts[] = { "-s", NULL };
	struct e2e_run r;
	char *nl;
	(void)state;

	require_hidden_pfns_in_a_user_namespace();
	dump_pid(&r, USER_NAMESPACE, "self", opts);
	assert_int_equal(e2e_exit_code(&r), 0);
	nl = strchr(r.out, '\n');
	assert_non_null(nl);
	*nl = '\0';
	if (has_word(r.out, "pss") || has_word(r.out, "uss"))
		fail_msg("the summary has PSS and USS from hidden PFNs "
		    "(all zero): %s", r.out);
	assert_non_null(strstr(r.err, "pss-kib"));
	e2e_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_count_two_mappings_of_a_page_shared_with_a_forked_process),
		cmocka_unit_test(
		    should_count_one_mapping_of_a_page_copied_on_write),
		cmocka_unit_test(
		    should_halve_the_pss_of_a_mapping_shared_with_a_forked_process),
		cmocka_unit_test(
		    should_count_two_mappings_of_a_page_mapped_twice_by_one_process),
		cmocka_unit_test(
		    should_halve_the_pss_of_a_page_mapped_twice_by_one_process),
		cmocka_unit_test(
		    should_split_the_pss_of_every_area_by_its_mappings),
		cmocka_unit_test(
		    should_sum_pss_and_uss_of_every_mapping_in_the_total),
		cmocka_unit_test(
		    should_give_pss_and_uss_as_numbers_in_a_json_summary),
		cmocka_unit_test(
		    should_show_a_file_page_on_the_lru_and_mapped_but_not_anonymous),
		cmocka_unit_test(should_show_a_written_anonymous_page_as_anon),
		cmocka_unit_test(
		    should_give_no_flags_mapcount_or_cgroup_to_a_swapped_page),
		cmocka_unit_test(
		    should_give_each_page_of_a_long_sparse_mapping_its_own_values),
		cmocka_unit_test(
		    should_filter_a_long_sparse_mapping_alike_with_and_without_scan),
		cmocka_unit_test(
		    should_mark_the_pages_of_a_transparent_huge_page_thp),
		cmocka_unit_test(
		    should_print_exactly_the_anonymous_pages_not_on_the_lru),
		cmocka_unit_test(should_print_exactly_the_anonymous_pages),
		cmocka_unit_test(
		    should_print_exactly_the_anonymous_pages_outside_huge_pages),
		cmocka_unit_test(should_print_exactly_the_mapped_file_pages),
		cmocka_unit_test(
		    should_print_only_present_pages_for_a_list_of_absent_flags),
		cmocka_unit_test(
		    should_print_nothing_for_absent_flags_over_holes),
		cmocka_unit_test(should_refuse_an_unknown_flag_with_exit_2),
		cmocka_unit_test(
		    should_write_the_physical_columns_in_text_and_tsv),
		cmocka_unit_test(
		    should_quote_kflags_in_csv_so_that_it_parses_back),
		cmocka_unit_test(
		    should_give_kflags_as_strings_and_counts_as_numbers_in_json),
		cmocka_unit_test(
		    should_print_the_same_with_and_without_reading_every_mapcount),
		cmocka_unit_test(
		    should_not_read_kpagecount_for_the_pss_of_exclusive_pages),
		cmocka_unit_test(
		    should_not_read_kpagecount_for_exclusive_small_pages_with_kflags),
		cmocka_unit_test(
		    should_read_kpagecount_for_pages_shared_with_a_forked_process),
		cmocka_unit_test(
		    should_read_kpagecount_for_an_exclusive_huge_page_only_with_kflags),
		cmocka_unit_test(
		    should_name_the_memory_cgroup_of_a_page_by_its_inode),
		cmocka_unit_test(
		    should_refuse_the_physical_columns_without_cap_sys_admin),
		cmocka_unit_test(
		    should_leave_pss_and_uss_out_of_the_summary_without_cap_sys_admin),
		cmocka_unit_test(
		    should_leave_pss_and_uss_out_of_a_json_summary_without_cap_sys_admin),
		cmocka_unit_test(
		    should_refuse_the_physical_columns_in_a_user_namespace),
		cmocka_unit_test(
		    should_leave_pss_and_uss_out_of_the_summary_in_a_user_namespace),
	};
	char status[4096];
	const char *p;
	ssize_t n;
	int fd;

	if (access(e2e_tool(), X_OK) != 0) {
		fprintf(stderr, "test_physical: %s not built (run make)\n",
		    e2e_tool());
		return 1;
	}
	/* The columns need root; without it, there is nothing to test. */
	fd = open("/proc/self/status", O_RDONLY);
	n = fd >= 0 ? read(fd, status, sizeof(status) - 1) : -1;
	if (fd >= 0)
		close(fd);
	status[n > 0 ? n : 0] = '\0';
	p = strstr(status, "\nCapEff:");
	if (p == NULL || !(strtoull(p + 8, NULL, 16) & BIT(CAP_SYS_ADMIN)) ||
	    access("/proc/kpageflags", R_OK) != 0) {
		printf("[  SKIP    ] test_physical: needs root with "
		    "CAP_SYS_ADMIN and /proc/kpageflags\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, start_child, stop_child);
}

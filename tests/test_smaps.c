/*
 * End-to-end tests of --summary against the kernel's own accounting:
 * every number that /proc/PID/smaps also shows must be the same for the
 * same mapping, and the total the same as /proc/PID/smaps_rollup's, for a
 * child holding anonymous, file, shared, forked, THP, zero-page, guard,
 * hugetlb and swapped memory, and for this test process itself.
 *
 * What the machine cannot show (no swap, no THP, no hugetlb page, not
 * root) is skipped or left out with the reason printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#define HUGE_2M (2UL << 20)

static long page;
static long hugetlb_old = -1;	/* nr_hugepages to put back, or -1 */
static pid_t child = -1;	/* the child to end, whatever happened */
static int child_hold = -1;

/* ksmd's settings to put back: run, pages_to_scan, sleep_millisecs. */
static const char *const ksm_files[] = {
	"/sys/kernel/mm/ksm/run", "/sys/kernel/mm/ksm/pages_to_scan",
	"/sys/kernel/mm/ksm/sleep_millisecs",
};
static char ksm_old[3][32];
static bool ksm_started;

/* Starts ksmd, fast; returns whether it runs (root, CONFIG_KSM). */
static bool
start_ksmd(void)
{
	static const char *const fast[] = { "1\n", "10000\n", "10\n" };
	size_t i;

	for (i = 0; i < 3; i++) {
		FILE *fp = fopen(ksm_files[i], "r");
		if (fp == NULL || fgets(ksm_old[i], sizeof(ksm_old[i]), fp) ==
		    NULL) {
			if (fp != NULL)
				fclose(fp);
			return false;
		}
		fclose(fp);
	}
	ksm_started = true;
	for (i = 0; i < 3; i++)
		if (!tl_write_file(ksm_files[i], fast[i]))
			return false;
	return true;
}

/* How many pages of pid ksmd merged (ksm_stat), or -1. */
static long
ksm_merged(pid_t pid)
{
	return tl_proc_number(pid, "ksm_stat", "ksm_merging_pages");
}

/* The fields of smaps compared, and the summary column of each. */
static const struct field {
	const char *smaps;	/* "Shared" is Shared_Clean + Shared_Dirty */
	const char *column;
	bool rollup_only;	/* smaps shows it in smaps_rollup alone */
	bool pss;		/* a PSS column: root only */
} fields[] = {
	{ "Rss", "rss-kib", false, false },
	{ "Pss", "pss-kib", false, true },
	{ "Pss_Anon", "pss-anon-kib", true, true },
	{ "Pss_File", "pss-file-kib", true, true },
	{ "Pss_Shmem", "pss-shmem-kib", true, true },
	{ "KSM", "ksm-kib", false, true },
	{ "Shared", "shared-kib", false, false },
	{ "Private", "private-kib", false, false },
	{ "AnonHugePages", "anon-pmd-kib", false, false },
	{ "ShmemPmdMapped", "shmem-pmd-kib", false, false },
	{ "FilePmdMapped", "file-pmd-kib", false, false },
	{ "Shared_Hugetlb", "shared-hugetlb-kib", false, false },
	{ "Private_Hugetlb", "private-hugetlb-kib", false, false },
	{ "Swap", "swap-kib", false, false },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* One mapping's numbers (or the rollup's), in KiB. */
struct vma {
	uint64_t start;
	long long v[NFIELDS];
	/*
	 * The tool may map it too (the C library, the dynamic loader, the
	 * vDSO, and under the sanitizers their runtimes and libm): while it
	 * runs, their pages are mapped once more than in smaps read before
	 * and after, so their PSS reads lower, by at most half of a page
	 * for each page (1/b - 1/(b+1) <= 1/2), and a page that only the
	 * tool maps besides reads shared, not private.
	 */
	bool tool_maps;
};

/* Whether the tool may map what the smaps header line names, too. */
static bool
tool_maps(const char *line)
{
	return strstr(line, ".so") != NULL || strstr(line, "[vdso]") != NULL;
}

struct vmas {
	struct vma *v;
	size_t n;
};

/* Adds the "Key:   N kB" line to v (a field, or half of Shared/Private). */
static void
take_line(struct vma *v, const char *line)
{
	char key[64];
	long long kb;
	size_t f;

	if (sscanf(line, "%63[^:]: %lld kB", key, &kb) != 2)
		return;
	for (f = 0; f < NFIELDS; f++) {
		size_t n = strlen(fields[f].smaps);
		bool halves = strcmp(fields[f].smaps, "Shared") == 0 ||
		    strcmp(fields[f].smaps, "Private") == 0;
		if (strcmp(key, fields[f].smaps) == 0 || (halves &&
		    strncmp(key, fields[f].smaps, n) == 0 &&
		    (strcmp(key + n, "_Clean") == 0 ||
		    strcmp(key + n, "_Dirty") == 0)))
			v->v[f] += kb;
	}
}

/* Reads smaps (rollup false: one entry per mapping) or smaps_rollup. */
static struct vmas
read_smaps(pid_t pid, bool rollup)
{
	char path[64], *text, *line, *save = NULL;
	struct vmas s = { NULL, 0 };
	uint64_t start, end;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid,
	    rollup ? "smaps_rollup" : "smaps");
	text = tl_read_file(path);
	if (text == NULL)
		fail_msg("cannot read %s", path);
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " ", &start, &end) ==
		    2 && strchr(line, ':') > strchr(line, ' ')) {
			s.v = realloc(s.v, (s.n + 1) * sizeof(*s.v));
			assert_non_null(s.v);
			memset(&s.v[s.n], 0, sizeof(s.v[0]));
			s.v[s.n].tool_maps = tool_maps(line);
			s.v[s.n++].start = rollup ? 0 : start;
		} else if (s.n > 0)
			take_line(&s.v[s.n - 1], line);
	}
	free(text);
	return s;
}

static bool
vmas_equal(const struct vmas *a, const struct vmas *b)
{
	return a->n == b->n &&
	    memcmp(a->v, b->v, a->n * sizeof(a->v[0])) == 0;
}

/* The tool's TSV summary, its header first, and where each field is. */
struct table {
	struct tl_table t;
	int col[NFIELDS];	/* -1: the tool has no such column */
	int start_col;
};

static void
read_table(struct table *t, pid_t pid)
{
	char pidarg[16];
	const char *const args[] = { "-s", "-f", "tsv", pidarg, NULL };
	struct tl_run r;
	size_t f;

	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	tl_run(&r, NULL, args);
	if (tl_exit_code(&r) != 0)
		fail_msg("exit %d: %s", tl_exit_code(&r), r.err);
	memset(t, 0, sizeof(*t));
	tl_read_headed_tsv(r.out, &t->t);
	tl_run_free(&r);
	for (f = 0; f < NFIELDS; f++)
		t->col[f] = tl_column(&t->t, fields[f].column);
	t->start_col = tl_column(&t->t, "start");
	assert_true(t->start_col >= 0);
}

static void
table_free(struct table *t)
{
	tl_table_free(&t->t);
}

/* The row of the mapping at start ("total" for 0), or NULL. */
static char **
row_at(const struct table *t, uint64_t start)
{
	char key[32];
	size_t i;

	if (start == 0)
		snprintf(key, sizeof(key), "total");
	else
		snprintf(key, sizeof(key), "%" PRIx64, start);
	for (i = 1; i < t->t.n; i++)
		if (strcmp(t->t.r[i].f[t->start_col], key) == 0)
			return t->t.r[i].f;
	return NULL;
}

/*
 * Compares one smaps entry with its row; returns how many differ. slack
 * is how much lower the PSS of file pages may read, and how much of
 * Private may read as Shared (see tool_maps); Shared and Private must
 * still add up.
 */
static int
compare(const struct table *t, const struct vma *v, bool rollup,
    long long slack, char *why, size_t len)
{
	char **row = row_at(t, v->start);
	int bad = 0;
	size_t f;

	for (f = 0; f < NFIELDS; f++) {
		long long ours;
		bool lower = strcmp(fields[f].smaps, "Pss") == 0 ||
		    strcmp(fields[f].smaps, "Pss_File") == 0;
		if (fields[f].rollup_only && !rollup)
			continue;
		if (t->col[f] < 0) {
			/* PSS needs root; the rest must be there. */
			if (fields[f].pss && geteuid() != 0)
				continue;
			fail_msg("the summary has no %s column",
			    fields[f].column);
		}
		/* A mapping without pagemap entries ([vsyscall]) has no row. */
		ours = row != NULL ? strtoll(row[t->col[f]], NULL, 10) : 0;
		if (lower && ours <= v->v[f] && ours + slack >= v->v[f])
			continue;
		if (strcmp(fields[f].smaps, "Shared") == 0 &&
		    ours >= v->v[f] && ours <= v->v[f] + 2 * slack)
			continue;
		if (strcmp(fields[f].smaps, "Private") == 0 &&
		    ours <= v->v[f] && ours + 2 * slack >= v->v[f])
			continue;
		if (ours != v->v[f]) {
			size_t used = strlen(why);
			snprintf(why + used, len - used, "%s%s %s: smaps %lld, "
			    "summary %lld", used > 0 ? "; " : "",
			    v->start == 0 ? "total" : "mapping", fields[f].smaps,
			    v->v[f], ours);
			if (v->start != 0) {
				used = strlen(why);
				snprintf(why + used, len - used, " (at %" PRIx64
				    ")", v->start);
			}
			bad++;
		}
	}
	return bad;
}

/*
 * Compares the summary of pid with smaps and smaps_rollup, read before
 * and after it; when they changed in between (other processes map the
 * same libraries), it is all read again, up to 20 times. Fails with every
 * difference named.
 */
static void
assert_summary_is_smaps(pid_t pid)
{
	struct vmas before, after, rb, ra;
	struct table t;
	char why[8192];
	int tries, bad = 0;
	long long total_slack = 0;
	size_t i;

	for (tries = 0; tries < 20; tries++) {
		before = read_smaps(pid, false);
		rb = read_smaps(pid, true);
		read_table(&t, pid);
		after = read_smaps(pid, false);
		ra = read_smaps(pid, true);
		if (vmas_equal(&before, &after) && vmas_equal(&rb, &ra))
			break;
		free(before.v);
		free(after.v);
		free(rb.v);
		free(ra.v);
		table_free(&t);
	}
	if (tries == 20)
		fail_msg("smaps of pid %d changed every time it was read",
		    (int)pid);
	why[0] = '\0';
	for (i = 0; i < after.n; i++) {
		/* Half a KiB per resident KiB, and one for truncation. */
		long long slack = after.v[i].tool_maps ?
		    after.v[i].v[0] / 2 + 1 : 0;
		bad += compare(&t, &after.v[i], false, slack, why,
		    sizeof(why));
		total_slack += slack;
	}
	assert_int_equal(ra.n, 1);
	bad += compare(&t, &ra.v[0], true, total_slack, why, sizeof(why));
	if (bad > 0)
		fail_msg("pid %d: %d differences: %s", (int)pid, bad, why);
	if (t.col[1] < 0)
		printf("[  NOTE    ] not root: the PSS columns are left out "
		    "and not compared\n");
	free(before.v);
	free(after.v);
	free(rb.v);
	free(ra.v);
	table_free(&t);
}

/* ---- the child ---- */

struct layout {
	uintptr_t zero;		/* 16 pages, each read: the zero page */
	uintptr_t huge_zero;	/* 2 MiB read: the huge zero page, maybe */
	uintptr_t thp;		/* 2 MiB written with MADV_HUGEPAGE */
	uintptr_t hugetlb;	/* a written hugetlb page, or 0 */
	uintptr_t ksm;		/* 32 pages alike, MADV_MERGEABLE */
	int swapped;		/* MADV_PAGEOUT worked */
	int thp_ok;		/* the thp area got an AnonHugePages PMD */
};

static uintptr_t
map_anon(size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	return (uintptr_t)p;
}

/* A 2 MiB-aligned anonymous area of 2 MiB, with MADV_HUGEPAGE. */
static uintptr_t
map_huge_aligned(void)
{
	uintptr_t p = map_anon(2 * HUGE_2M, 0), a;

	if (p == 0)
		_exit(90);
	a = (p + HUGE_2M - 1) & ~(HUGE_2M - 1);
	madvise((void *)a, HUGE_2M, MADV_HUGEPAGE);
	return a;
}

/* Builds the child's memory; returns what the parent needs to know. */
static void
build(struct layout *l, bool hugetlb)
{
	size_t ps = (size_t)page, i;
	char path[] = "/tmp/pmd-smaps-XXXXXX", *buf;
	volatile char sink = 0;
	uintptr_t a, f, sh, g;
	int fd, mfd;

	memset(l, 0, sizeof(*l));
	/* Anonymous: 64 pages, 40 written. */
	a = map_anon(64 * ps, 0);
	for (i = 0; i < 40; i++)
		((char *)a)[i * ps] = 1;
	/* A file: 32 pages, 16 read through a private mapping, 4 written. */
	fd = mkstemp(path);
	if (fd < 0)
		_exit(91);
	unlink(path);
	buf = calloc(32, ps);
	if (buf == NULL || write(fd, buf, 32 * ps) != (ssize_t)(32 * ps))
		_exit(92);
	free(buf);
	f = (uintptr_t)mmap(NULL, 32 * ps, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE, fd, 0);
	for (i = 0; i < 16; i++)
		sink += ((char *)f)[i * ps];
	for (i = 0; i < 4; i++)
		((char *)f)[i * ps] = 2;
	/* The same file shared: 8 pages read. */
	sh = (uintptr_t)mmap(NULL, 8 * ps, PROT_READ, MAP_SHARED, fd, 0);
	for (i = 0; i < 8; i++)
		sink += ((char *)sh)[i * ps];
	/* Shared anonymous memory and a memfd: shmem. */
	a = (uintptr_t)mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < 8; i++)
		((char *)a)[i * ps] = 3;
	mfd = memfd_create("smaps", 0);
	if (mfd < 0 || ftruncate(mfd, (off_t)(8 * ps)) != 0)
		_exit(93);
	a = (uintptr_t)mmap(NULL, 8 * ps, PROT_READ | PROT_WRITE, MAP_SHARED,
	    mfd, 0);
	for (i = 0; i < 8; i++)
		((char *)a)[i * ps] = 4;
	/* The zero page: 16 pages read, none written (read-only, so that
	 * the mapping stays apart from its neighbours). */
	l->zero = (uintptr_t)mmap(NULL, 16 * ps, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < 16; i++)
		sink += ((char *)l->zero)[i * ps];
	/* A THP, and (when THP may use it) the huge zero page. */
	l->thp = map_huge_aligned();
	memset((void *)l->thp, 5, HUGE_2M);
	l->huge_zero = map_huge_aligned();
	sink += *(char *)l->huge_zero;
	/* Guards: 4 pages, the first written, the next two guards. */
	g = map_anon(4 * ps, 0);
	((char *)g)[0] = 6;
	madvise((void *)(g + ps), 2 * ps, MADV_GUARD_INSTALL);
	/* A hugetlb page, when one was reserved. */
	if (hugetlb) {
		l->hugetlb = map_anon(HUGE_2M, MAP_HUGETLB);
		if (l->hugetlb != 0)
			memset((void *)l->hugetlb, 7, HUGE_2M);
	}
	/* KSM: 32 pages alike, for ksmd to merge (when it runs). */
	l->ksm = map_anon(32 * ps, 0);
	memset((void *)l->ksm, 0x5a, 32 * ps);
	madvise((void *)l->ksm, 32 * ps, MADV_MERGEABLE);
	/* Swapped: 8 pages written, then paged out. */
	a = map_anon(8 * ps, 0);
	for (i = 0; i < 8; i++)
		((char *)a)[i * ps] = 8;
	l->swapped = madvise((void *)a, 8 * ps, MADV_PAGEOUT) == 0;
	(void)sink;
}

/* Forks the child; it forks once more (sharing all it has) and holds. */
static pid_t
start_child(struct layout *l, int *hold, bool hugetlb)
{
	int info, h;
	pid_t pid;

	pid = tl_fork_held(&info, &h);
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		uintptr_t mine;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		build(l, hugetlb);
		/* Forked: every page so far is shared with the fork. */
		if (fork() == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (read(h, &c, 1) < 0)
				_exit(94);
			_exit(0);
		}
		/* And 8 pages written after the fork, ours alone. */
		mine = map_anon(8 * (size_t)page, 0);
		memset((void *)mine, 9, 8 * (size_t)page);
		if (write(info, l, sizeof(*l)) != sizeof(*l))
			_exit(95);
		if (read(h, &c, 1) < 0)
			_exit(96);
		_exit(0);
	}
	assert_int_equal(read(info, l, sizeof(*l)), sizeof(*l));
	close(info);
	*hold = h;
	return pid;
}

/* The value of column in the summary row of the mapping holding addr. */
static long long
cell(pid_t pid, uint64_t addr, const char *column)
{
	struct table t;
	char **row = NULL;
	long long v = -1;
	size_t i;
	int end, k;

	read_table(&t, pid);
	end = tl_column(&t.t, "end");
	k = tl_column(&t.t, column);
	assert_true(end >= 0);
	for (i = 1; i < t.t.n && row == NULL; i++)
		if (strcmp(t.t.r[i].f[t.start_col], "total") != 0 &&
		    strtoull(t.t.r[i].f[t.start_col], NULL, 16) <= addr &&
		    strtoull(t.t.r[i].f[end], NULL, 16) > addr)
			row = t.t.r[i].f;
	if (row != NULL && k >= 0)
		v = strtoll(row[k], NULL, 10);
	table_free(&t);
	if (v < 0)
		fail_msg("no %s for the mapping at %" PRIx64, column, addr);
	return v;
}

/* Whether the sysfs file path holds want (a "[word]" choice, or 1). */
static bool
sysfs_says(const char *path, const char *want)
{
	char buf[256] = "";
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return false;
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	return strstr(buf, want) != NULL;
}

/* Reserves one more hugetlb page; returns the old count, or -1. */
static long
reserve_hugetlb(void)
{
	FILE *fp = fopen("/proc/sys/vm/nr_hugepages", "r+");
	long old = -1;

	if (fp == NULL)
		return -1;
	if (fscanf(fp, "%ld", &old) != 1) {
		fclose(fp);
		return -1;
	}
	rewind(fp);
	fprintf(fp, "%ld\n", old + 1);
	if (fclose(fp) != 0)
		return -1;
	return old;
}

static void
restore_hugetlb(long old)
{
	FILE *fp;

	if (old < 0)
		return;
	fp = fopen("/proc/sys/vm/nr_hugepages", "w");
	if (fp != NULL) {
		fprintf(fp, "%ld\n", old);
		fclose(fp);
	}
}

static void
should_agree_with_smaps_for_every_mapping_of_a_varied_child(void **state)
{
	struct layout l;
	int hold;
	pid_t pid;
	(void)state;

	hugetlb_old = geteuid() == 0 ? reserve_hugetlb() : -1;
	pid = start_child(&l, &hold, hugetlb_old >= 0);
	child = pid;
	child_hold = hold;
	if (l.hugetlb == 0)
		printf("[  NOTE    ] no hugetlb page could be reserved: the "
		    "hugetlb columns compared at 0 only\n");
	if (!l.swapped || !tl_swap_exists())
		printf("[  NOTE    ] no swap: swap-kib compared at 0 only\n");
	if (geteuid() == 0 && start_ksmd()) {
		int waited;
		/* Until ksmd merged the 32 pages (into one). */
		for (waited = 0; waited < 1000 && ksm_merged(pid) < 31; waited++)
			usleep(10000);
		if (ksm_merged(pid) < 31)
			printf("[  NOTE    ] ksmd merged %ld pages in 10 s: KSM "
			    "compared as it stands\n", ksm_merged(pid));
	} else
		printf("[  NOTE    ] no ksmd here (root, CONFIG_KSM): KSM "
		    "compared at 0 only\n");
	assert_summary_is_smaps(pid);
	/* The zero pages are counted apart, not as resident. */
	assert_int_equal(cell(pid, l.zero, "zero-kib"), 16 * page / 1024);
	assert_int_equal(cell(pid, l.zero, "rss-kib"), 0);
	/* What was compared had huge pages in it, where the machine can. */
	if (sysfs_says("/sys/kernel/mm/transparent_hugepage/enabled",
	    "[never]"))
		printf("[  NOTE    ] THP is off: no PMD-mapped page compared\n");
	else
		assert_true(cell(pid, l.thp, "anon-pmd-kib") == 2048);
	if (sysfs_says("/sys/kernel/mm/transparent_hugepage/use_zero_page",
	    "1") && !sysfs_says("/sys/kernel/mm/transparent_hugepage/enabled",
	    "[never]"))
		assert_true(cell(pid, l.huge_zero, "zero-kib") >= 2048);
	if (l.hugetlb != 0)
		assert_int_equal(cell(pid, l.hugetlb, "shared-hugetlb-kib") +
		    cell(pid, l.hugetlb, "private-hugetlb-kib"), 2048);
	if (ksm_merged(pid) >= 31)
		assert_int_equal(cell(pid, l.ksm, "ksm-kib"), 32 * page / 1024);
	close(hold);
	waitpid(pid, NULL, 0);
	child = -1;
}

/* Puts nr_hugepages and ksmd back, whether the test passed or not. */
static int
put_settings_back(void **state)
{
	size_t i;
	(void)state;

	/*
	 * A failed test leaves its child (and the fork that shares this
	 * process's pages) behind: end them, so the next test sees this
	 * process alone.
	 */
	if (child > 0) {
		close(child_hold);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
	restore_hugetlb(hugetlb_old);
	hugetlb_old = -1;
	for (i = 0; ksm_started && i < 3; i++)
		tl_write_file(ksm_files[i], ksm_old[i]);
	ksm_started = false;
	return 0;
}

static void
should_agree_with_smaps_for_this_test_process(void **state)
{
	(void)state;
	assert_summary_is_smaps(getpid());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
		    should_agree_with_smaps_for_every_mapping_of_a_varied_child,
		    put_settings_back),
		cmocka_unit_test(
		    should_agree_with_smaps_for_this_test_process),
	};

	page = sysconf(_SC_PAGESIZE);
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * physical: the child of the test_physical_* programs, the tool run on it
 * and its output read back (see physical.h).
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

#include "physical.h"

struct physical_child child;

/* ---- the child ---------------------------------------------------------- */

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
	char *p;
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
	l.hpage = tl_thp_size();
	l.failed_step = build(&l);
	if (l.failed_step == 0) {
		grandchild = fork();
		if (grandchild < 0)
			l.failed_step = 20;
		if (grandchild == 0) {
			/* Maps the shared and cow pages too; writes nothing. */
			close(info);
			tl_wait_for_close(hold);
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
	tl_wait_for_close(hold);
	while (wait(NULL) > 0)
		;
	_exit(0);
}

int
physical_unusable(const char *prog)
{
	if (tl_check_tool(prog) != 0)
		return 1;
	/* The columns need root; without it, there is nothing to test. */
	if (!tl_have_sys_admin() || access("/proc/kpageflags", R_OK) != 0) {
		printf("[  SKIP    ] %s: needs root with CAP_SYS_ADMIN and "
		    "/proc/kpageflags\n", prog);
		return 0;
	}
	return -1;
}

int
physical_start(void **state)
{
	int info, hold;

	(void)state;
	child.pid = tl_fork_held(&info, &hold);
	if (child.pid < 0)
		return -1;
	if (child.pid == 0)
		run_child(info, hold);
	child.hold = hold;
	if (read(info, &child.l, sizeof(child.l)) != sizeof(child.l))
		return -1;
	close(info);
	if (child.l.failed_step != 0) {
		fprintf(stderr, "physical: the child failed at step %d\n",
		    child.l.failed_step);
		return -1;
	}
	snprintf(child.pid_arg, sizeof(child.pid_arg), "%d", (int)child.pid);
	return 0;
}

int
physical_stop(void **state)
{
	(void)state;
	close(child.hold);
	waitpid(child.pid, NULL, 0);
	return 0;
}

/* ---- running the tool ------------------------------------------------- */

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
		tl_write_file("/proc/self/setgroups", "deny");
		if (!tl_write_file("/proc/self/uid_map", "0 0 1\n") ||
		    !tl_write_file("/proc/self/gid_map", "0 0 1\n"))
			_exit(NO_DROP);
		break;
	}
}

/* Runs path with args (NULL-terminated) restricted, output captured. */
void
run_restricted(struct tl_run *r, enum restriction how, const char *path,
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
	r->status = tl_wait(pid);
	r->out = tl_read_memfd(out);
	r->err = tl_read_memfd(err);
	close(out);
	close(err);
}

/* Runs the tool on pid (the child when NULL) with opts, restricted. */
void
dump_as(struct tl_run *r, enum restriction how, const char *pid,
    const char *const *opts)
{
	const char *args[30];
	int n = 0;

	while (*opts != NULL && n < 28)
		args[n++] = *opts++;
	args[n++] = pid != NULL ? pid : child.pid_arg;
	args[n] = NULL;
	if (how == USER_NAMESPACE)
		run_restricted(r, how, tl_tool(), args);
	else
		tl_run_how(r, &(struct tl_how){ .drop_admin = how ==
		    BOUNDING_SET }, args);
}

/* Runs the tool on the child with opts, with or without CAP_SYS_ADMIN. */
void
dump(struct tl_run *r, bool sys_admin, const char *const *opts)
{
	dump_as(r, sys_admin ? AS_ROOT : BOUNDING_SET, NULL, opts);
}

/* Runs the tool as root on the child; it must succeed. */
void
dump_ok(struct tl_run *r, const char *const *opts)
{
	dump(r, true, opts);
	if (tl_exit_code(r) != 0)
		fail_msg("%s ...: exit %d: %s", opts[0], tl_exit_code(r),
		    r->err);
}

void
range(char *buf, size_t len, uintptr_t start, uintptr_t end)
{
	snprintf(buf, len, "%" PRIxPTR "-%" PRIxPTR, start, end);
}

/* ---- reading the output ------------------------------------------------ */

/* The next line of *text (cut in place), or NULL at the end. */
char *
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

uint64_t
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

/* Parses the rows of a text dump with -H -o PAGE_COLUMNS. */
struct page_row *
parse_pages(char *text, size_t *n)
{
	struct page_row *rows = NULL, *grown;
	size_t cap = 0;
	char *line, *f[8] = { NULL };

	*n = 0;
	while ((line = next_line(&text)) != NULL) {
		if (tl_split(line, ' ', f, 8) != 6)
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
struct page_row *
pages(uintptr_t start, uintptr_t end, const char *kflags, size_t *n)
{
	char r[64];
	const char *opts[] = { "-H", "-o", PAGE_COLUMNS, "-r", r,
	    kflags != NULL ? "-k" : NULL, kflags, NULL };
	struct tl_run run;
	struct page_row *rows;

	range(r, sizeof(r), start, end);
	dump_ok(&run, opts);
	rows = parse_pages(run.out, n);
	tl_run_free(&run);
	return rows;
}

/* The rows of one page each from start, all of them there, in order. */
struct page_row *
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

/*
 * Runs the tool with args (a NULL-terminated list that asks for -f tsv)
 * and reads its table back into s; it must succeed.
 */
void
read_table(struct summary *s, bool sys_admin, const char *const *args)
{
	dump(&s->run, sys_admin, args);
	if (tl_exit_code(&s->run) != 0)
		fail_msg("%s ...: exit %d: %s", args[0],
		    tl_exit_code(&s->run), s->run.err);
	memset(&s->t, 0, sizeof(s->t));
	tl_read_headed_tsv(s->run.out, &s->t);
	s->nrows = s->t.n - 1;
}

char **
summary_row(const struct summary *s, size_t i)
{
	return s->t.r[i + 1].f;
}

void
summary_done(struct summary *s)
{
	tl_table_free(&s->t);
	tl_run_free(&s->run);
}

/* Runs --summary (tab-separated) with opts; a NULL-terminated list. */
void
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
int
column(const struct summary *s, const char *name)
{
	return tl_column(&s->t, name);
}

/* The value of column name in the row starting with start ("total"). */
uint64_t
cell(const struct summary *s, const char *start, const char *name)
{
	int c = column(s, name);
	size_t i;

	if (c < 0)
		fail_msg("no column %s", name);
	for (i = 0; i < s->nrows; i++)
		if (strcmp(summary_row(s, i)[0], start) == 0)
			return number(summary_row(s, i)[c], 10);
	fail_msg("no row starts with %s", start);
	return 0;
}

/* The type of member key of o, or -1 when o has none. */
int
json_type(const struct tl_jobject *o, const char *key)
{
	const struct tl_jmember *m = tl_jget(o, key);

	return m != NULL ? (int)m->type : -1;
}

/* Skips unless the child's THP area got MADV_HUGEPAGE on a THP kernel. */
void
require_thp(void)
{
	tl_require_thp();
	if (!child.l.thp_advised)
		tl_skip("MADV_HUGEPAGE was refused");
}

/*
 * The AnonHugePages (KiB) of the child: in all (smaps_rollup) or, with
 * start non-zero, of the mapping that starts there (smaps).
 */
uint64_t
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

size_t
region_pages(void)
{
	return (child.l.end - child.l.base) / child.l.page;
}

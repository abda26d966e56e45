/*
 * bench: how fast pagemap-dump is, next to the kernel's floor and a naive
 * reference, on workloads it builds itself.
 *
 *   dense:  2 GiB of written anonymous memory (no THP), a 256 MiB file
 *           mapping read through, and 3000 one-page mappings;
 *   sparse: a 1 TiB MAP_NORESERVE reservation with 1000 touched pages;
 *   small:  a process of this program's own and 1000 written pages, as
 *           most processes are small (for --summary's cost and RSS);
 *   many:   60,000 one-page mappings, every other one written (the floor
 *           reads each mapping apart);
 *   machine: every process of the machine: -A -s against reading every
 *           smaps_rollup, the totals sorted, and -A --pfn of one frame.
 *
 * For each workload, in the same run and interleaved (so a noisy
 * neighbour hits every command alike): pagemap-dump to /dev/null with its
 * default output, --present, --summary, --ranges, --record to /dev/null
 * (a snapshot: against --present, which reads as much), --present and
 * --summary with PAGEMAP_DUMP_NO_SCAN=1 (the path of kernels without
 * PAGEMAP_SCAN), on dense the columns +kflags, +folio and +node and the
 * dump into a pipe (against cat of the same bytes, into the pipe and to
 * /dev/null: the difference is what the pipe itself costs), and any extra
 * commands; the floor
 * (pread every entry in 64Ki-entry batches, count the present ones, print
 * nothing); and the naive reference (one pread and one printf per page).
 * Each is a process of its own, exec'd (the floor and the naive one are
 * this program run again); we report the median wall time of RUNS,
 * rows per second, peak RSS, and ratios to the floor and the naive one.
 *
 * usage: bench [-n runs] [-w dense|sparse|small|many|machine] [-x columns]
 *              [tool]
 *        bench -h dense|sparse|small|many (builds it, prints its pid, and holds
 *                                   it until standard input ends: for perf)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 18	/* 7 fixed, 2 without PAGEMAP_SCAN, kpage,
				   structure, 3 pipe, -x */

/* The output of "dump | cat", kept for "cat | cat" to send again. */
static char piped_copy[] = "/tmp/pagemap-dump-bench.XXXXXX";
static int piped_fd = -1;
#define MAX_RUNS 51

struct cmd {
	const char *label;
	const char *args[6];	/* options for the tool; NULL-terminated */
	int kind;		/* 0 tool, 1 floor, 2 naive, 3 the tool into a
				   pipe, 4 cat of its output into a pipe, 5
				   the tool without a pid (-A), 6 every
				   smaps_rollup read, 7 kpageflags read, 8
				   cat of its output to /dev/null, 9 the tool
				   with PAGEMAP_DUMP_NO_SCAN=1 */
	double secs[MAX_RUNS];
	long rss_kib[MAX_RUNS];
	long rows;		/* lines printed (0 for the floor: none) */
};

static const char *tool = "./pagemap-dump";
static long page;

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* --- the workloads: child processes that hold memory until killed --- */

static void
build_dense(void)
{
	size_t anon = (size_t)2 << 30, file = (size_t)256 << 20, i;
	char path[] = "/var/tmp/pagemap-bench-XXXXXX", *a, *f, *buf;
	volatile char sink = 0;
	int fd, k;

	a = mmap(NULL, anon, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		die("mmap anon");
	madvise(a, anon, MADV_NOHUGEPAGE);
	for (i = 0; i < anon; i += (size_t)page)
		a[i] = 1;

	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	unlink(path);
	buf = calloc(1, 1 << 20);
	for (k = 0; k < 256; k++)
		if (write(fd, buf, 1 << 20) != 1 << 20)
			die("write");
	free(buf);
	f = mmap(NULL, file, PROT_READ, MAP_PRIVATE, fd, 0);
	if (f == MAP_FAILED)
		die("mmap file");
	for (i = 0; i < file; i += (size_t)page)
		sink += f[i];
	(void)sink;

	/* Alternate protections so that neighbours never merge. */
	for (k = 0; k < 3000; k++) {
		char *m = mmap(NULL, (size_t)page, k % 2 ? PROT_READ :
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			die("mmap small");
		if (k % 2 == 0)
			m[0] = 1;
	}
}

static void
build_sparse(void)
{
	size_t size = (size_t)1 << 40, step = size / 1000, i;
	char *a = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (a == MAP_FAILED)
		die("mmap 1 TiB");
	madvise(a, size, MADV_NOHUGEPAGE);
	for (i = 0; i < 1000; i++)
		a[i * step] = 1;
}

/* A small process, as most are: this one and 1000 pages written. */
static void
build_small(void)
{
	size_t size = 1000 * (size_t)page, i;
	char *a = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (a == MAP_FAILED)
		die("mmap small");
	madvise(a, size, MADV_NOHUGEPAGE);
	for (i = 0; i < size; i += (size_t)page)
		a[i] = 1;
}

/*
 * 60,000 one-page mappings, every other one written, their protections
 * alternating so that neighbours never merge (as issue 15 measures).
 */
static void
build_many(void)
{
	int k;

	for (k = 0; k < 60000; k++) {
		char *m = mmap(NULL, (size_t)page, k % 2 ? PROT_READ :
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			die("mmap many");
		if (k % 2 == 0)
			m[0] = 1;
	}
}

/* Whether name is a workload. */
static bool
is_workload(const char *name)
{
	return strcmp(name, "dense") == 0 || strcmp(name, "sparse") == 0 ||
	    strcmp(name, "small") == 0 || strcmp(name, "many") == 0;
}

static pid_t
start_workload(const char *name)
{
	int ready[2];
	char byte;
	pid_t pid, parent;

	if (pipe(ready) != 0)
		die("pipe");
	parent = getpid();
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/*
		 * The workload ends with the bench, however the bench ends
		 * (a failed command exits it): else it would hold gigabytes
		 * and the bench's stdout and stderr for ever.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
		    getppid() != parent)
			_exit(1);
		close(ready[0]);
		if (strcmp(name, "dense") == 0)
			build_dense();
		else if (strcmp(name, "small") == 0)
			build_small();
		else if (strcmp(name, "many") == 0)
			build_many();
		else
			build_sparse();
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &byte, 1) != 1) {
		fprintf(stderr, "bench: the %s workload failed to build\n",
		    name);
		exit(1);
	}
	close(ready[0]);
	return pid;
}

/* --- the floor and the naive reference, run in a child of their own --- */

struct range {
	uint64_t start, end;
};

/* The mappings of pid, from its maps file. */
static struct range *
read_ranges(pid_t pid, size_t *n)
{
	char path[64], line[8192];
	struct range *v = NULL;
	size_t cap = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		die(path);
	*n = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
		}
		if (sscanf(line, "%" SCNx64 "-%" SCNx64, &v[*n].start,
		    &v[*n].end) == 2)
			(*n)++;
	}
	fclose(fp);
	return v;
}

/*
 * The kernel's own summary of every process: each /proc/PID/smaps_rollup
 * read whole, nothing printed.
 */
static void
run_rollups(void)
{
	static char buf[1 << 16];
	char path[300];
	DIR *dir = opendir("/proc");
	struct dirent *e;
	size_t bytes = 0;
	ssize_t got;
	int fd;

	if (dir == NULL)
		die("/proc");
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/smaps_rollup",
		    e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		while ((got = read(fd, buf, sizeof(buf))) > 0)
			bytes += (size_t)got;
		close(fd);
	}
	closedir(dir);
	if (bytes == SIZE_MAX)
		puts("");
	_exit(0);
}

/* /proc/kpageflags read whole in 64Ki-entry reads, nothing printed. */
static void
run_kpageflags(void)
{
	static uint64_t buf[65536];
	uint64_t sum = 0;
	ssize_t got;
	int fd = open("/proc/kpageflags", O_RDONLY);

	if (fd < 0)
		die("/proc/kpageflags");
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		sum += buf[0];
	close(fd);
	if (sum == 1)
		puts("");
	_exit(0);
}

static void
run_floor(pid_t pid)
{
	static uint64_t buf[65536];
	char path[64];
	struct range *r;
	size_t n, i;
	uint64_t vpn, end, present = 0;
	int fd;

	r = read_ranges(pid, &n);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	for (i = 0; i < n; i++) {
		for (vpn = r[i].start / page, end = r[i].end / page;
		    vpn < end;) {
			size_t want = end - vpn < 65536 ? end - vpn : 65536, k;
			ssize_t got = pread(fd, buf, want * 8,
			    (off_t)(vpn * 8));
			if (got <= 0)
				break;
			for (k = 0; k < (size_t)got / 8; k++)
				present += buf[k] >> 63;
			vpn += (size_t)got / 8;
		}
	}
	/* Keep the count alive without printing it. */
	if (present == UINT64_MAX)
		puts("");
	_exit(0);
}

/* Pages the naive reader reads at most; 0: all. See bench_workload. */
static uint64_t naive_limit;

static void
run_naive(pid_t pid)
{
	uint64_t done = 0;
	char path[64];
	struct range *r;
	size_t n, i;
	uint64_t addr, e;
	int fd;

	r = read_ranges(pid, &n);
	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	printf("addr pfn soft-dirty file/shared swapped present library\n");
	for (i = 0; i < n; i++)
		for (addr = r[i].start; addr < r[i].end;
		    addr += (uint64_t)sysconf(_SC_PAGESIZE)) {
			if (naive_limit != 0 && done++ == naive_limit)
				goto out;
			if (pread(fd, &e, 8, (off_t)(addr /
			    (uint64_t)sysconf(_SC_PAGESIZE) * 8)) != 8)
				break;
			printf("%" PRIx64 " %" PRIx64 " %d %d %d %d\n", addr,
			    e >> 63 ? e & ((UINT64_C(1) << 55) - 1) : 0,
			    (int)(e >> 55 & 1), (int)(e >> 61 & 1),
			    (int)(e >> 62 & 1), (int)(e >> 63 & 1));
		}
out:
	fflush(stdout);
	_exit(0);
}

/* --- timing --- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Reads the pipe to its end: counting its lines (and with the tool into
 * a pipe, keeping a copy of its output for cat to send again), or, timed,
 * as `cat > /dev/null` would, throwing the bytes away.
 */
static long
drain(int fd, const struct cmd *c, bool count)
{
	char buf[1 << 17];
	long lines = 0;
	ssize_t got, k;

	while ((got = read(fd, buf, sizeof(buf))) > 0) {
		if (!count)
			continue;
		for (k = 0; k < got; k++)
			lines += buf[k] == '\n';
		if (c->kind == 3 && write(piped_fd, buf, (size_t)got) != got)
			die("write");
	}
	return lines;
}

/*
 * Runs one command once on pid, with stdout to /dev/null (the piped
 * ones: to a pipe read as cat reads it); with count, to a pipe whose
 * lines are counted instead (not timed).
 */
static void
run_once(struct cmd *c, pid_t pid, int run, bool count)
{
	char pidarg[16];
	const char *argv[12];
	struct rusage ru;
	int out[2], status, n = 0, k;
	long lines;
	double t0;
	pid_t child;

	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	if (pipe(out) != 0)
		die("pipe");
	t0 = now();
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(out[0]);
		if (!count && (c->kind < 3 || c->kind >= 8)) {
			close(out[1]);
			out[1] = open("/dev/null", O_WRONLY);
		}
		dup2(out[1], 1);
		close(out[1]);
		if (c->kind == 9)
			setenv("PAGEMAP_DUMP_NO_SCAN", "1", 1);
		if (c->kind == 4 || c->kind == 8) {
			execlp("cat", "cat", piped_copy, (char *)NULL);
			_exit(127);
		}
		if (c->kind == 6 || c->kind == 7)
			execl("/proc/self/exe", "bench", c->kind == 6 ?
			    "--rollups" : "--kpageflags", (char *)NULL);
		if (c->kind == 1 || c->kind == 2) {
			/*
			 * The floor and the naive reference are programs too:
			 * this one, run again, so that every command timed
			 * pays for exec and the dynamic loader alike.
			 */
			char limit[32];
			snprintf(limit, sizeof(limit), "%" PRIu64, naive_limit);
			execl("/proc/self/exe", "bench", c->kind == 1 ?
			    "--floor" : "--naive", pidarg, limit, (char *)NULL);
			_exit(127);
		}
		argv[n++] = tool;
		for (k = 0; c->args[k] != NULL; k++)
			argv[n++] = c->args[k];
		if (c->kind != 5)
			argv[n++] = pidarg;
		argv[n] = NULL;
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	/* Counting lines costs the reader, not the command timed. */
	lines = drain(out[0], c, count);
	close(out[0]);
	if (wait4(child, &status, 0, &ru) < 0)
		die("wait4");
	if (count) {
		c->rows = lines;
	} else {
		c->secs[run] = now() - t0;
		c->rss_kib[run] = ru.ru_maxrss;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench: %s failed (status %d)\n", c->label,
		    status);
		exit(1);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, int n)
{
	double s[MAX_RUNS];

	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static long
max_long(const long *v, int n)
{
	long m = 0;
	int i;

	for (i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

/* Adds a command of the tool with -o list; returns its index. */
static int
add_columns(struct cmd *cmds, int *ncmds, const char *label,
    const char *list)
{
	int i = (*ncmds)++;

	cmds[i].label = label;
	cmds[i].args[0] = "-o";
	cmds[i].args[1] = list;
	cmds[i].args[2] = NULL;
	return i;
}

static void
bench_workload(const char *name, int runs, const char *extra)
{
	struct cmd cmds[MAX_CMDS] = {
		{ "dump", { NULL }, 0, { 0 }, { 0 }, 0 },
		{ "--present", { "--present", NULL }, 0, { 0 }, { 0 }, 0 },
		{ "--summary", { "--summary", NULL }, 0, { 0 }, { 0 }, 0 },
		{ "--ranges", { "--ranges", NULL }, 0, { 0 }, { 0 }, 0 },
		{ "floor", { NULL }, 1, { 0 }, { 0 }, 0 },
		{ "naive", { NULL }, 2, { 0 }, { 0 }, 0 },
		{ "--record -", { "--record", "-", NULL }, 0, { 0 }, { 0 }, 0 },
	};
	int ncmds = 7, r, i, naive = 5, floor = 4, kpage = -1, kflags = -1;
	int folio = -1, node, piped = -1, no_scan = ncmds;
	bool sparse;
	double t, tf, tn;
	pid_t pid;

	/* The path for kernels without PAGEMAP_SCAN (before 6.7). */
	cmds[ncmds++] = (struct cmd){ "--present (no scan)", { "--present",
	    NULL }, 9, { 0 }, { 0 }, 0 };
	cmds[ncmds++] = (struct cmd){ "--summary (no scan)", { "--summary",
	    NULL }, 9, { 0 }, { 0 }, 0 };

	/* The physical-page columns, where this caller may read them. */
	if (access("/proc/kpageflags", R_OK) == 0) {
		kpage = ncmds++;
		cmds[kpage].label = "-o +kflags,mapcount";
		cmds[kpage].args[0] = "-o";
		cmds[kpage].args[1] = "+kflags,mapcount";
		cmds[kpage].args[2] = NULL;
	}
	/* The structure columns on dense: folio against kflags alone. */
	if (kpage >= 0 && strcmp(name, "dense") == 0) {
		kflags = add_columns(cmds, &ncmds, "-o +kflags", "+kflags");
		folio = add_columns(cmds, &ncmds, "-o +folio", "+folio");
	}
	node = strcmp(name, "dense") == 0 ?
	    add_columns(cmds, &ncmds, "-o +node", "+node") : -1;
	/* Into a pipe, as it is used, against cat of the same bytes. */
	if (strcmp(name, "dense") == 0) {
		piped_fd = mkstemp(piped_copy);
		if (piped_fd < 0)
			die("mkstemp");
		piped = ncmds;
		cmds[ncmds++] = (struct cmd){ "dump | cat", { NULL }, 3, { 0 },
		    { 0 }, 0 };
		cmds[ncmds++] = (struct cmd){ "cat | cat", { NULL }, 4, { 0 },
		    { 0 }, 0 };
		cmds[ncmds++] = (struct cmd){ "cat > /dev/null", { NULL }, 8,
		    { 0 }, { 0 }, 0 };
	}
	if (extra != NULL) {
		cmds[ncmds].label = extra;
		cmds[ncmds].args[0] = "-o";
		cmds[ncmds].args[1] = extra;
		cmds[ncmds].args[2] = NULL;
		ncmds++;
	}
	fprintf(stderr, "bench: building the %s workload...\n", name);
	pid = start_workload(name);
	/*
	 * The naive reader would take about ten minutes on 268 million
	 * entries: there it reads the first 1/64 of them, and its time is
	 * scaled up by 64.
	 */
	sparse = strcmp(name, "sparse") == 0;
	naive_limit = sparse ? ((uint64_t)1 << 40) / (uint64_t)page / 64 : 0;
	for (i = 0; i < ncmds; i++)
		run_once(&cmds[i], pid, 0, true);
	for (r = 0; r < runs; r++)
		for (i = 0; i < ncmds; i++)
			run_once(&cmds[i], pid, r, false);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (sparse) {
		for (r = 0; r < runs; r++)
			cmds[naive].secs[r] *= 64;
		cmds[naive].rows = 0;
		cmds[naive].label = "naive (1/64, x64)";
	}

	tf = median(cmds[floor].secs, runs);
	tn = median(cmds[naive].secs, runs);
	printf("%s: median of %d runs, output to /dev/null\n", name, runs);
	printf("  %-24s %10s %12s %9s %8s %8s\n", "command", "ms", "rows/s",
	    "rss KiB", "/floor", "naive/x");
	for (i = 0; i < ncmds; i++) {
		t = median(cmds[i].secs, runs);
		printf("  %-24s %10.1f %12.0f %9ld %8.2f %8.1f\n",
		    cmds[i].label, t * 1e3,
		    cmds[i].rows > 1 ? (double)(cmds[i].rows - 1) / t : 0.0,
		    max_long(cmds[i].rss_kib, runs), t / tf, tn / t);
	}
	printf("  --record / --present: %.2f\n", median(cmds[6].secs, runs) /
	    median(cmds[1].secs, runs));
	if (kpage >= 0)
		printf("  -o +kflags,mapcount / dump: %.2f\n",
		    median(cmds[kpage].secs, runs) / median(cmds[0].secs, runs));
	printf("  --ranges / dump: %.2f\n",
	    median(cmds[3].secs, runs) / median(cmds[0].secs, runs));
	if (folio >= 0)
		printf("  -o +folio / -o +kflags: %.2f\n",
		    median(cmds[folio].secs, runs) /
		    median(cmds[kflags].secs, runs));
	if (node >= 0)
		printf("  -o +node / dump: %.2f\n",
		    median(cmds[node].secs, runs) / median(cmds[0].secs, runs));
	printf("  --present (no scan) / --present: %.2f\n",
	    median(cmds[no_scan].secs, runs) / median(cmds[1].secs, runs));
	printf("  --summary (no scan) / --summary: %.2f\n",
	    median(cmds[no_scan + 1].secs, runs) / median(cmds[2].secs, runs));
	if (piped >= 0) {
		printf("  dump | cat / cat | cat: %.2f\n",
		    median(cmds[piped].secs, runs) /
		    median(cmds[piped + 1].secs, runs));
		/* What the pipe itself adds, to the tool and to cat. */
		printf("  the pipe's own cost: dump %.1f ms, cat %.1f ms\n",
		    (median(cmds[piped].secs, runs) -
		    median(cmds[0].secs, runs)) * 1e3,
		    (median(cmds[piped + 1].secs, runs) -
		    median(cmds[piped + 2].secs, runs)) * 1e3);
		close(piped_fd);
		unlink(piped_copy);
	}
}

/* The frame of a page of the C library that this process maps, or 0. */
static uint64_t
libc_frame(void)
{
	char line[512], *end;
	uint64_t start, e = 0;
	FILE *fp = fopen("/proc/self/maps", "r");
	int fd = open("/proc/self/pagemap", O_RDONLY);

	while (fp != NULL && fd >= 0 && fgets(line, sizeof(line), fp)) {
		if (strstr(line, "libc.so") == NULL)
			continue;
		start = strtoull(line, &end, 16);
		if (pread(fd, &e, 8, (off_t)(start / (uint64_t)page * 8)) == 8
		    && (e >> 63))
			break;
		e = 0;
	}
	if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	return e & ((UINT64_C(1) << 55) - 1);
}

/*
 * The whole machine: --all --summary against every smaps_rollup, the
 * totals sorted, the pictures of physical memory, and who maps one
 * frame of the C library.
 */
static void
bench_machine(int runs)
{
	static char frame[32];
	struct cmd cmds[8] = {
		{ "-A -s", { "-A", "-s", NULL }, 5, { 0 }, { 0 }, 0 },
		{ "smaps_rollup of each", { NULL }, 6, { 0 }, { 0 }, 0 },
		{ "-A -s -t --sort pss", { "-A", "-s", "-t", "--sort",
		    "pss-kib", NULL }, 5, { 0 }, { 0 }, 0 },
		{ "--physical histogram", { "--physical", "-s", "-t", "--by",
		    "kflags", NULL }, 5, { 0 }, { 0 }, 0 },
		{ "kpageflags read whole", { NULL }, 7, { 0 }, { 0 }, 0 },
		{ "--svg --physical", { "--svg", "-", "--physical", NULL }, 5,
		    { 0 }, { 0 }, 0 },
		{ "--svg --physical -A", { "--svg", "-", "--physical", "-A",
		    NULL }, 5, { 0 }, { 0 }, 0 },
		{ "-A --pfn (libc)", { "-A", "--pfn", frame, NULL }, 5,
		    { 0 }, { 0 }, 0 },
	};
	int n = 7, r, i;

	snprintf(frame, sizeof(frame), "%" PRIx64, libc_frame());
	if (strcmp(frame, "0") != 0)
		n = 8;
	for (i = 0; i < n; i++)
		run_once(&cmds[i], 0, 0, true);
	for (r = 0; r < runs; r++)
		for (i = 0; i < n; i++)
			run_once(&cmds[i], 0, r, false);
	printf("machine: median of %d runs, output to /dev/null\n", runs);
	printf("  %-24s %10s %8s %9s\n", "command", "ms", "rows", "rss KiB");
	for (i = 0; i < n; i++)
		printf("  %-24s %10.1f %8ld %9ld\n", cmds[i].label,
		    median(cmds[i].secs, runs) * 1e3, cmds[i].rows,
		    max_long(cmds[i].rss_kib, runs));
	printf("  -A -s / smaps_rollup of each: %.2f\n",
	    median(cmds[0].secs, runs) / median(cmds[1].secs, runs));
	printf("  --physical histogram / kpageflags read whole: %.2f\n",
	    median(cmds[3].secs, runs) / median(cmds[4].secs, runs));
	printf("  --svg --physical / kpageflags read whole: %.2f\n",
	    median(cmds[5].secs, runs) / median(cmds[4].secs, runs));
	printf("  --svg --physical -A / -A -s: %.2f\n",
	    median(cmds[6].secs, runs) / median(cmds[0].secs, runs));
}

/* Builds a workload and holds it for other tools until stdin ends. */
static int
hold_workload(const char *name)
{
	char buf[256];
	pid_t pid;

	if (!is_workload(name)) {
		fprintf(stderr, "bench: no workload '%s' (dense, sparse, "
		    "small)\n", name);
		return 2;
	}
	page = sysconf(_SC_PAGESIZE);
	pid = start_workload(name);
	printf("%d\n", (int)pid);
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *workload = NULL, *extra = NULL;
	int runs = 7, c;

	if (argc == 2 && strcmp(argv[1], "--rollups") == 0)
		run_rollups();
	if (argc == 2 && strcmp(argv[1], "--kpageflags") == 0)
		run_kpageflags();
	/* Run again by run_once as the floor or the naive reference. */
	if (argc == 4 && (strcmp(argv[1], "--floor") == 0 ||
	    strcmp(argv[1], "--naive") == 0)) {
		page = sysconf(_SC_PAGESIZE);
		naive_limit = strtoull(argv[3], NULL, 10);
		if (strcmp(argv[1], "--floor") == 0)
			run_floor((pid_t)atoi(argv[2]));
		run_naive((pid_t)atoi(argv[2]));
	}

	while ((c = getopt(argc, argv, "h:n:w:x:")) != -1) {
		switch (c) {
		case 'h':
			return hold_workload(optarg);
		case 'n':
			runs = atoi(optarg);
			break;
		case 'w':
			workload = optarg;
			break;
		case 'x':
			extra = optarg;
			break;
		default:
			fprintf(stderr, "usage: bench [-n runs] [-w dense|sparse|small|many|"
			    "machine] [-x columns] [tool]\n"
			    "       bench -h dense|sparse|small|many\n");
			return 2;
		}
	}
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "bench: runs from 1 to %d\n", MAX_RUNS);
		return 2;
	}
	if (optind < argc)
		tool = argv[optind];
	if (access(tool, X_OK) != 0)
		die(tool);
	page = sysconf(_SC_PAGESIZE);
	if (workload == NULL || strcmp(workload, "dense") == 0)
		bench_workload("dense", runs, extra);
	if (workload == NULL || strcmp(workload, "sparse") == 0)
		bench_workload("sparse", runs, extra);
	if (workload == NULL || strcmp(workload, "small") == 0)
		bench_workload("small", runs, extra);
	if (workload == NULL || strcmp(workload, "many") == 0)
		bench_workload("many", runs, extra);
	if (workload == NULL || strcmp(workload, "machine") == 0)
		bench_machine(runs);
	return 0;
}

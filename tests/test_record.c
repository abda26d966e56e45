/*
 * End-to-end tests of --record, --replay, --diff and --watch on a child
 * that holds still, then changes in known ways on command: pages touched
 * anew, pages unmapped, a region collapsed into a THP (new frames), and
 * pages paged out (with swap). The diff and the watch must list exactly
 * those pages of its regions, each as the kind of change it was.
 */
#include "testlib.h"

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define HUGE ((size_t)2 << 20)
#define SPARSE ((size_t)1 << 40)	/* 1 TiB, 1000 pages touched */

/* The child's regions, and how it changed them (a bit each). */
enum { R_TOUCH, R_UNMAP, R_COLLAPSE, R_PAGEOUT, R_WATCH, R_SPARSE,
	NREGIONS };
enum { DID_COLLAPSE = 1, DID_PAGEOUT = 2 };

static struct {
	pid_t pid;
	char arg[16];
	int cmd, info;		/* to the child, from it */
	uintptr_t addr[NREGIONS];
	size_t pages[NREGIONS];
} child;
static long page;
static char snap[64], snap2[64];

/* Touches pages from..to-1 of the region at a. */
static void
touch(uintptr_t a, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		((volatile char *)a)[i * (size_t)page] = 1;
}

/* In the child: makes the changes; says which of the uncertain worked. */
static unsigned char
change(void)
{
	unsigned char did = 0;

	touch(child.addr[R_TOUCH], 32, 64);
	munmap((void *)child.addr[R_UNMAP], 8 * (size_t)page);
	madvise((void *)child.addr[R_COLLAPSE], HUGE, MADV_HUGEPAGE);
	if (madvise((void *)child.addr[R_COLLAPSE], HUGE, MADV_COLLAPSE) == 0)
		did |= DID_COLLAPSE;
	if (madvise((void *)child.addr[R_PAGEOUT], 32 * (size_t)page,
	    MADV_PAGEOUT) == 0)
		did |= DID_PAGEOUT;
	return did;
}

/* In the child: builds the regions, then obeys until told to end. */
static void
child_main(int info, int cmd)
{
	char *m, c;
	size_t i;

	child.pages[R_TOUCH] = 64;
	child.pages[R_UNMAP] = 16;
	child.pages[R_COLLAPSE] = HUGE / (size_t)page;
	child.pages[R_PAGEOUT] = 32;
	child.pages[R_WATCH] = 64;
	for (i = 0; i < R_SPARSE; i++) {
		size_t size = child.pages[i] * (size_t)page;
		m = mmap(NULL, size + (i == R_COLLAPSE ? HUGE : 0),
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(1);
		if (i == R_COLLAPSE) {	/* aligned, small pages first */
			m = (char *)(((uintptr_t)m + HUGE - 1) & ~(HUGE - 1));
			madvise(m, HUGE, MADV_NOHUGEPAGE);
		}
		child.addr[i] = (uintptr_t)m;
		touch((uintptr_t)m, 0, i == R_TOUCH ? 32 : i == R_WATCH ? 0 :
		    child.pages[i]);
	}
	m = mmap(NULL, SPARSE, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		_exit(1);
	child.addr[R_SPARSE] = (uintptr_t)m;
	child.pages[R_SPARSE] = SPARSE / (size_t)page;
	for (i = 0; i < 1000; i++)
		m[i * (SPARSE / 1000 / (size_t)page) * (size_t)page] = 1;
	if (write(info, &child.addr, sizeof(child.addr)) !=
	    (ssize_t)sizeof(child.addr))
		_exit(1);
	while (read(cmd, &c, 1) == 1) {
		if (c == 'c')
			c = (char)change();
		else
			touch(child.addr[R_WATCH], 0, 64);
		if (write(info, &c, 1) != 1)
			_exit(1);
	}
	_exit(0);
}

static int
start_child(void **state)
{
	int to[2], from[2];

	(void)state;
	page = tl_page();
	if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0)
		return -1;
	child.pid = fork();
	if (child.pid < 0)
		return -1;
	if (child.pid == 0) {
		close(to[1]);
		close(from[0]);
		child_main(from[1], to[0]);
	}
	close(to[0]);
	close(from[1]);
	child.cmd = to[1];
	child.info = from[0];
	snprintf(child.arg, sizeof(child.arg), "%d", (int)child.pid);
	if (read(child.info, &child.addr, sizeof(child.addr)) !=
	    (ssize_t)sizeof(child.addr))
		return -1;
	child.pages[R_TOUCH] = 64;
	child.pages[R_UNMAP] = 16;
	child.pages[R_COLLAPSE] = HUGE / (size_t)page;
	child.pages[R_PAGEOUT] = 32;
	child.pages[R_WATCH] = 64;
	child.pages[R_SPARSE] = SPARSE / (size_t)page;
	snprintf(snap, sizeof(snap), "/tmp/pagemap-dump-rec-%d", (int)getpid());
	snprintf(snap2, sizeof(snap2), "/tmp/pagemap-dump-rec2-%d",
	    (int)getpid());
	return 0;
}

static int
stop_child(void **state)
{
	(void)state;
	close(child.cmd);
	tl_wait(child.pid);
	unlink(snap);
	unlink(snap2);
	return 0;
}

/* Tells the child to make its changes; returns what worked. */
static unsigned char
make_changes(void)
{
	char c = 'c';

	assert_int_equal(write(child.cmd, &c, 1), 1);
	assert_int_equal(read(child.info, &c, 1), 1);
	return (unsigned char)c;
}

/* "-r START-END" of region i, into buf. */
static const char *
range_of(char *buf, size_t len, int i)
{
	snprintf(buf, len, "%" PRIxPTR "-%" PRIxPTR, child.addr[i],
	    child.addr[i] + child.pages[i] * (size_t)page);
	return buf;
}

/* Records the child into path; asserts it went well. */
static void
record(const char *path)
{
	struct tl_run r;

	tl_runl(&r, "--record", path, child.arg);
	tl_assert_ran_ok(&r);
	assert_string_equal(r.out, "");
	tl_run_free(&r);
}

/* The region holding addr, or -1. */
static int
region_of(uint64_t addr)
{
	int i;

	for (i = 0; i < NREGIONS; i++)
		if (addr >= child.addr[i] &&
		    addr < child.addr[i] + child.pages[i] * (size_t)page)
			return i;
	return -1;
}

/*
 * Live and replayed, the same views of the child's own regions print the
 * same bytes (shared libraries' pages change as other processes come and
 * go: they are left out).
 */
static void
should_replay_the_child_as_the_live_dump_prints_it(void **state)
{
	char t[64], u[64], c[64], s[64];
	const char *const views[][8] = {
		{ "-r", t, "-r", u, NULL },
		{ "-P", "-o", "+state,swap-offset", "-r", s, NULL },
		{ "-o", "+mapcount,exclusive,state,paddr,folio", "-r", t,
		    "-r", c, NULL },
		{ "-s", "-r", t, "-r", c, "-r", s, NULL },
		{ "-R", "-r", t, "-r", u, "-r", c, NULL },
		{ "-f", "json", "-P", "-r", s, NULL },
		{ "-s", "--by", "state,folio", "-r", c, NULL },
	};
	const char *args[16];
	struct tl_run live, replay;
	size_t i, n;
	(void)state;

	range_of(t, sizeof(t), R_TOUCH);
	range_of(u, sizeof(u), R_UNMAP);
	range_of(c, sizeof(c), R_COLLAPSE);
	range_of(s, sizeof(s), R_SPARSE);
	record(snap);
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		for (n = 0; views[i][n] != NULL; n++)
			args[n + 2] = views[i][n];
		args[0] = "--replay";
		args[1] = snap;
		args[n + 2] = NULL;
		tl_run(&replay, NULL, args);
		args[n + 2] = child.arg;
		args[n + 3] = NULL;
		tl_run(&live, NULL, args + 2);
		tl_assert_ran_ok(&live);
		tl_assert_ran_ok(&replay);
		if (strcmp(live.out, replay.out) != 0)
			fail_msg("view %zu (%s %s ...): the replay differs",
			    i, views[i][0], views[i][1]);
		assert_true(strchr(live.out, '\n') != NULL);
		tl_run_free(&live);
		tl_run_free(&replay);
	}
}

/*
 * A terabyte reserved with a thousand pages touched makes a snapshot of
 * a few bytes a page: only what PAGEMAP_SCAN finds is kept.
 */
static void
should_keep_a_sparse_terabyte_small(void **state)
{
	char path[64], *maps;
	struct tl_run r;
	struct stat st;
	size_t pages = 0;
	const char *p;
	(void)state;

	if (!tl_have_pagemap_scan())
		tl_skip("no PAGEMAP_SCAN in this kernel (before 6.7): every "
		    "entry of the terabyte would be read");
	tl_runl(&r, "--record", snap, "-v", child.arg);
	assert_int_equal(tl_exit_code(&r), 0);
	p = strstr(r.err, "process, ");
	assert_non_null(p);
	assert_int_equal(sscanf(p, "process, %zu pages", &pages), 1);
	tl_run_free(&r);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)child.pid);
	maps = tl_read_file(path);
	assert_int_equal(stat(snap, &st), 0);
	/* The 1000 and the rest of the child (its libraries, stack...). */
	assert_true(pages >= 1000 + 32 + 16 + 512 + 32);
	assert_true(pages < 1000000);
	printf("snapshot: %lld bytes for %zu pages and %zu of maps: %.2f "
	    "a page besides the maps\n", (long long)st.st_size, pages,
	    strlen(maps), (double)((size_t)st.st_size - strlen(maps)) /
	    (double)pages);
	assert_true((size_t)st.st_size <= 12 * pages + strlen(maps) + 512);
	free(maps);
}

/* What the rows of a diff said of each region's pages. */
struct seen {
	size_t rows[NREGIONS][8];	/* by region and kind */
	size_t first[NREGIONS], last[NREGIONS];	/* page indexes */
	char stamp[NREGIONS][32];	/* --watch: the time of the rows */
	bool one_stamp[NREGIONS];
};

static int
kind_index(const char *k)
{
	static const char *const kinds[] = { "mapped", "unmapped", "moved",
	    "swapped-out", "swapped-in", "changed", "flags" };
	int i;

	for (i = 0; i < 7; i++)
		if (strcmp(k, kinds[i]) == 0)
			return i;
	fail_msg("unknown change '%s'", k);
	return 7;
}

/* Reads the rows of a diff (after a time column with stamps). */
static void
read_rows(const char *out, bool stamps, struct seen *sn)
{
	struct tl_lines ls;
	int i;

	memset(sn, 0, sizeof(*sn));
	tl_assert_whole_lines(out);
	tl_lines_split(&ls, out);
	for (i = 1; i < ls.n && ls.v[i][0] != '\0'; i++) {
		char *f[12], line[512];
		int n, at = stamps, r;
		uint64_t addr;
		size_t pg;

		snprintf(line, sizeof(line), "%s", ls.v[i]);
		n = tl_split(ls.v[i], ' ', f, 12);
		if (n < 10 + at)
			fail_msg("a row of %d fields: '%s'", n, line);
		addr = strtoull(f[at + 1], NULL, 16);
		if ((r = region_of(addr)) < 0)
			continue;
		pg = (size_t)((addr - child.addr[r]) / (size_t)page);
		if (sn->rows[r][7]++ == 0) {
			sn->first[r] = pg;
			sn->one_stamp[r] = true;
			if (stamps)
				snprintf(sn->stamp[r], 32, "%s", f[0]);
		}
		sn->last[r] = pg;
		sn->rows[r][kind_index(f[at + 2])]++;
		if (stamps && strcmp(sn->stamp[r], f[0]) != 0)
			sn->one_stamp[r] = false;
	}
	tl_lines_free(&ls);
}

/* Asserts that region r had exactly n rows, all of kind k, pages a-b. */
static void
assert_rows(const struct seen *sn, int r, int k, size_t n, size_t a,
    size_t b)
{
	if (sn->rows[r][7] != n || sn->rows[r][k] != n ||
	    (n > 0 && (sn->first[r] != a || sn->last[r] != b)))
		fail_msg("region %d: %zu rows (%zu of kind %d), pages %zu-%zu; "
		    "want %zu, pages %zu-%zu", r, sn->rows[r][7],
		    sn->rows[r][k], k, sn->first[r], sn->last[r], n, a, b);
}

/*
 * Checks the per-mapping counts after the rows: each kind's counts add
 * up to the rows of that kind, and the mapping holding addr counts at
 * least mapped pages mapped.
 */
static void
check_mapping_counts(const char *out, uint64_t addr, size_t mapped)
{
	const char *part = strstr(out, "\npid start end perms mapped ");
	size_t rows[7] = { 0 }, sums[7] = { 0 }, here = 0;
	struct tl_lines ls;
	int i, k;

	assert_non_null(part);
	tl_lines_split(&ls, out);
	for (i = 1; i < ls.n && ls.v[i][0] != '\0'; i++) {
		char *f[12];
		assert_true(tl_split(ls.v[i], ' ', f, 12) >= 10);
		rows[kind_index(f[2])]++;
	}
	for (i += 2; i < ls.n; i++) {
		char *f[13];
		assert_true(tl_split(ls.v[i], ' ', f, 13) >= 12);
		for (k = 0; k < 7; k++)
			sums[k] += strtoull(f[4 + k], NULL, 10);
		/* The newer reading's mapping first, then the older's. */
		if (addr >= strtoull(f[1], NULL, 16) &&
		    addr < strtoull(f[2], NULL, 16) && here == 0)
			here = strtoull(f[4], NULL, 10);
	}
	for (k = 0; k < 7; k++)
		if (rows[k] != sums[k])
			fail_msg("kind %d: %zu rows, the mappings count %zu", k,
			    rows[k], sums[k]);
	if (here < mapped)
		fail_msg("the mapping of %" PRIx64 " counts %zu mapped, not %zu:"
		    "%s", addr, here, mapped, part);
	tl_lines_free(&ls);
}

/*
 * After the changes, --diff of the snapshot against the live child, and
 * of it against a second snapshot, lists exactly the changed pages of
 * the regions: 32 touched, 8 unmapped, 512 in new frames (the collapse),
 * 32 paged out (with swap), none in the terabyte; and the counts of each
 * mapping.
 */
static void
should_diff_exactly_the_pages_that_changed(void **state)
{
	struct tl_run live, two;
	struct seen sn;
	unsigned char did;
	(void)state;

	record(snap);
	did = make_changes();
	tl_runl(&live, "--diff", snap, child.arg);
	tl_assert_ran_ok(&live);
	record(snap2);
	tl_runl(&two, "--diff", snap, snap2);
	tl_assert_ran_ok(&two);
	assert_true(tl_starts_with(live.out, "pid addr change old-state "));
	read_rows(live.out, false, &sn);
	assert_rows(&sn, R_TOUCH, 0, 32, 32, 63);
	assert_rows(&sn, R_UNMAP, 1, 8, 0, 7);
	assert_rows(&sn, R_SPARSE, 0, 0, 0, 0);
	assert_rows(&sn, R_WATCH, 0, 0, 0, 0);
	if (did & DID_COLLAPSE)
		assert_rows(&sn, R_COLLAPSE, 2, HUGE / (size_t)page, 0,
		    HUGE / (size_t)page - 1);
	else
		printf("MADV_COLLAPSE failed here: no new frames compared\n");
	if (tl_swap_exists() && (did & DID_PAGEOUT))
		assert_rows(&sn, R_PAGEOUT, 3, 32, 0, 31);
	else
		printf("no swap: no paged-out pages compared\n");
	check_mapping_counts(live.out, child.addr[R_TOUCH], 32);
	/* The two snapshots say the same of the regions. */
	read_rows(two.out, false, &sn);
	assert_rows(&sn, R_TOUCH, 0, 32, 32, 63);
	assert_rows(&sn, R_UNMAP, 1, 8, 0, 7);
	tl_run_free(&live);
	tl_run_free(&two);
	if (!(did & DID_COLLAPSE))
		tl_skip("MADV_COLLAPSE is not supported here: the collapse "
		    "was not compared");
}

/* Reads from fd until a newline came; returns what came, to be freed. */
static char *
read_line(int fd)
{
	char *buf = calloc(1, 4096);
	size_t n = 0;

	assert_non_null(buf);
	while (n < 4095 && read(fd, buf + n, 1) == 1 && buf[n++] != '\n')
		;
	return buf;
}

/* The wall clock in seconds. */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Reads the watch's rows from fd into b until those of want pages of
 * region r came (a round writes its rows at once), or a minute passed
 * (a slow round under valgrind takes seconds).
 */
static void
read_until(int fd, struct tl_buf *b, const char *header, int r, size_t want)
{
	struct seen sn;
	char *text;
	double end = now() + 60;
	ssize_t got;

	do {
		tl_buf_reserve(b, 4096);
		got = read(fd, b->s + b->len, 4096);
		if (got <= 0)
			break;
		b->len += (size_t)got;
		b->s[b->len] = '\0';
		if (b->len == 0 || b->s[b->len - 1] != '\n')
			continue;
		text = malloc(strlen(header) + b->len + 1);
		assert_non_null(text);
		sprintf(text, "%s%s", header, b->s);
		read_rows(text, true, &sn);
		free(text);
		if (sn.rows[r][7] >= want)
			return;
	} while (now() < end);
}

/*
 * --watch prints the pages touched between two readings in the round
 * after the touch, every row with that round's time, and SIGINT ends it
 * with exit 0 and whole lines.
 */
static void
should_watch_print_changes_in_the_round_they_happened(void **state)
{
	const char *const args[] = { "--watch", "0.3", "--count", "1000",
	    child.arg, NULL };
	int out[2], err = memfd_create("err", MFD_CLOEXEC), status;
	char *header, *text, c = 't';
	struct tl_buf b;
	struct seen sn;
	double when, stamp;
	pid_t tool;
	(void)state;

	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	tool = tl_spawn(NULL, out[1], err, args);
	close(out[1]);
	header = read_line(out[0]);	/* the first reading is done */
	assert_true(tl_starts_with(header, "time pid addr change "));
	when = now();
	assert_int_equal(write(child.cmd, &c, 1), 1);
	assert_int_equal(read(child.info, &c, 1), 1);
	memset(&b, 0, sizeof(b));
	read_until(out[0], &b, header, R_WATCH, 64);
	kill(tool, SIGINT);
	status = tl_wait(tool);
	tl_assert_not_killed(status, "--watch", "");
	assert_int_equal(WEXITSTATUS(status), 0);
	tl_buf_read_fd(&b, out[0]);
	text = malloc(strlen(header) + b.len + 1);
	assert_non_null(text);
	sprintf(text, "%s%s", header, b.s != NULL ? b.s : "");
	read_rows(text, true, &sn);
	assert_rows(&sn, R_WATCH, 0, 64, 0, 63);
	assert_true(sn.one_stamp[R_WATCH]);
	stamp = strtod(sn.stamp[R_WATCH], NULL);
	if (stamp < when - 0.05 || stamp > when + 60)
		fail_msg("the rows came at %.3f, the touch at %.3f", stamp,
		    when);
	free(text);
	free(header);
	free(b.s);
	close(out[0]);
	close(err);
}

/*
 * --record --physical keeps every frame of the range walked: replayed,
 * the frames, their runs and the histogram of their flags print as the
 * live walk of the kernel's code (frames that hold still) prints them.
 */
static void
should_record_physical_memory_and_replay_it(void **state)
{
	const char *const views[][6] = {
		{ NULL }, { "-R", "-o", "+mapcount,cgroup", NULL },
		{ "-s", "-t", "--by", "kflags", NULL },
	};
	struct tl_run live, replay;
	uint64_t start, end;
	const char *args[12];
	char range[64];
	size_t i, n;
	(void)state;

	if (!tl_is_root())
		tl_skip("--physical reads /proc/kpageflags: root only");
	if (!tl_kernel_code_frames(&start, &end))
		tl_skip("/proc/iomem lists no Kernel code: no frames that "
		    "hold still");
	snprintf(range, sizeof(range), "%" PRIx64 "-%" PRIx64, start, end);
	tl_runl(&live, "--record", snap, "--physical", range);
	tl_assert_ran_ok(&live);
	tl_run_free(&live);
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		args[0] = "--replay";
		args[1] = snap;
		for (n = 0; views[i][n] != NULL; n++)
			args[n + 2] = views[i][n];
		args[n + 2] = NULL;
		tl_run(&replay, NULL, args);
		args[1] = "--physical";
		args[n + 2] = range;
		args[n + 3] = NULL;
		tl_run(&live, NULL, args + 1);
		tl_assert_ran_ok(&live);
		tl_assert_ran_ok(&replay);
		if (strcmp(live.out, replay.out) != 0)
			fail_msg("view %zu: the replay of the frames differs", i);
		assert_true(tl_count_lines(live.out) > 1);
		tl_run_free(&live);
		tl_run_free(&replay);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_replay_the_child_as_the_live_dump_prints_it),
		cmocka_unit_test(should_keep_a_sparse_terabyte_small),
		cmocka_unit_test(should_diff_exactly_the_pages_that_changed),
		cmocka_unit_test(
		    should_watch_print_changes_in_the_round_they_happened),
		cmocka_unit_test(should_record_physical_memory_and_replay_it),
	};

	if (tl_check_tool("test_record") != 0)
		return 1;
	return cmocka_run_group_tests(tests, start_child, stop_child);
}

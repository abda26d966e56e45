/*
 * End-to-end tests of the PAGEMAP_SCAN path: on the same child, every
 * output that may use it (-P, -S, --summary) must be byte for byte what
 * the plain pread path (PAGEMAP_DUMP_NO_SCAN=1) prints; and on a sparse
 * mapping the scan must spare reading almost every entry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define SPARSE_SIZE ((size_t)64 << 30)	/* 16Mi pages of 4 KiB */
#define SPARSE_TOUCHED 1000

struct layout {
	uintptr_t dense, sparse, holes, swapped, file, sandwich;
	int swapped_ok;
	char path[64];
};

static struct {
	pid_t pid;
	int hold;
	struct layout l;
	char pid_arg[16];
} child;

static long page;

static char *
map_anon(size_t size, int extra)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		_exit(99);
	}
	madvise(p, size, MADV_NOHUGEPAGE);
	return p;
}

/* In the child: dense, sparse, holey, swapped and file-backed memory. */
static void
build(struct layout *l)
{
	size_t ps = (size_t)page, i, step;
	volatile char sink;
	char *p, *buf;
	int fd;

	p = map_anon(32 << 20, 0);		/* dense: every page written */
	for (i = 0; i < (32 << 20); i += ps)
		p[i] = 1;
	l->dense = (uintptr_t)p;

	p = map_anon(SPARSE_SIZE, MAP_NORESERVE);
	step = SPARSE_SIZE / SPARSE_TOUCHED / ps * ps;
	for (i = 0; i < SPARSE_TOUCHED; i++)
		p[i * step] = 1;
	l->sparse = (uintptr_t)p;

	/*
	 * Sparse, dense, sparse again, at rising addresses, as three
	 * mappings (the middle one has other permissions).
	 */
	p = map_anon(2 * SPARSE_SIZE + (32 << 20), MAP_NORESERVE);
	for (i = 0; i < SPARSE_TOUCHED; i++) {
		p[i * step] = 1;
		p[SPARSE_SIZE + (32 << 20) + i * step] = 1;
	}
	for (i = 0; i < (32 << 20); i += ps)
		p[SPARSE_SIZE + i] = 1;
	if (mprotect(p + SPARSE_SIZE, 32 << 20, PROT_READ | PROT_WRITE |
	    PROT_EXEC) != 0)
		_exit(99);
	l->sandwich = (uintptr_t)p;

	p = map_anon(256 * ps, 0);		/* holes: every third page */
	for (i = 0; i < 256; i += 3)
		p[i * ps] = 1;
	l->holes = (uintptr_t)p;

	p = map_anon(64 * ps, 0);		/* half of it paged out */
	for (i = 0; i < 64; i++)
		p[i * ps] = 1;
	l->swapped_ok = madvise(p, 32 * ps, MADV_PAGEOUT) == 0;
	l->swapped = (uintptr_t)p;

	snprintf(l->path, sizeof(l->path), "/tmp/pmd-scan-%d", (int)getpid());
	fd = open(l->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	buf = calloc(64, ps);
	if (fd < 0 || buf == NULL || write(fd, buf, 64 * ps) < 0)
		_exit(99);
	free(buf);
	p = mmap(NULL, 64 * ps, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		_exit(99);
	close(fd);
	sink = p[0];
	sink = p[40 * ps];
	(void)sink;
	l->file = (uintptr_t)p;
}

static int
start_child(void **state)
{
	int info[2], hold[2];
	char byte;

	(void)state;
	page = sysconf(_SC_PAGESIZE);
	if (pipe(info) != 0 || pipe(hold) != 0)
		return -1;
	child.pid = fork();
	if (child.pid < 0)
		return -1;
	if (child.pid == 0) {
		struct layout l;
		memset(&l, 0, sizeof(l));
		close(info[0]);
		close(hold[1]);
		build(&l);
		if (write(info[1], &l, sizeof(l)) != sizeof(l))
			_exit(99);
		while (read(hold[0], &byte, 1) != 0)
			;
		unlink(l.path);
		_exit(0);
	}
	close(info[1]);
	close(hold[0]);
	child.hold = hold[1];
	if (read(info[0], &child.l, sizeof(child.l)) != sizeof(child.l))
		return -1;
	close(info[0]);
	snprintf(child.pid_arg, sizeof(child.pid_arg), "%d", (int)child.pid);
	return 0;
}

static int
stop_child(void **state)
{
	(void)state;
	close(child.hold);
	waitpid(child.pid, NULL, 0);
	unlink(child.l.path);
	return 0;
}

/* Runs the tool on the child with opts, with the scan or without. */
static void
dump(struct e2e_run *r, bool scan, bool stats, const char *const *opts)
{
	const char *args[24], *env[3];
	int n = 0, e = 0;

	while (*opts != NULL)
		args[n++] = *opts++;
	args[n++] = child.pid_arg;
	args[n] = NULL;
	if (!scan)
		env[e++] = "PAGEMAP_DUMP_NO_SCAN=1";
	if (stats)
		env[e++] = "PAGEMAP_DUMP_STATS=1";
	env[e] = NULL;
	e2e_run(r, env, args);
	if (e2e_exit_code(r) != 0)
		fail_msg("exit %d: %s", e2e_exit_code(r), r->err);
}

/* "-r START-END" for size bytes at addr, into buf. */
static const char *
range_of(char *buf, size_t len, uintptr_t addr, size_t size)
{
	snprintf(buf, len, "%" PRIxPTR "-%" PRIxPTR, addr, addr + size);
	return buf;
}

/*
 * Only the child's own mappings are compared: the flags of shared
 * libraries' pages (exclusive, say) change whenever another process maps
 * or unmaps them, between the two runs.
 */
static void
should_print_the_same_rows_with_and_without_pagemap_scan(void **state)
{
	char dense[64], sparse[64], holes[64], swapped[64], file[64];
	const char *const sets[][20] = {
		{ "-P", NULL },
		{ "-S", NULL },
		{ "-P", "-S", NULL },
		{ "-s", NULL },
		{ "-s", "-P", NULL },
		{ "-s", "-S", NULL },
		{ "-s", "-f", "json", NULL },
		{ "-P", "-f", "json", "-o",
		    "+exclusive,uffd-wp,guard,swap-type,swap-offset,paddr",
		    NULL },
		{ "-P", "-r", sparse, NULL },
		{ "-S", "-P", "-r", swapped, NULL },
		{ "-s", "-m", "pmd-scan", NULL },
	};
	const char *opts[32];
	struct e2e_run with, without;
	size_t i, n, k;
	int tries;
	(void)state;

	range_of(dense, sizeof(dense), child.l.dense, 32 << 20);
	range_of(sparse, sizeof(sparse), child.l.sparse, SPARSE_SIZE);
	range_of(holes, sizeof(holes), child.l.holes, 256 * (size_t)page);
	range_of(swapped, sizeof(swapped), child.l.swapped,
	    64 * (size_t)page);
	range_of(file, sizeof(file), child.l.file, 64 * (size_t)page);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		for (n = 0; sets[i][n] != NULL; n++)
			opts[n] = sets[i][n];
		/* Sets without a range of their own get all five. */
		for (k = 0; k < n && strcmp(opts[k], "-r") != 0; k++)
			;
		if (k == n) {
			const char *all[] = { dense, sparse, holes, swapped,
			    file };
			for (k = 0; k < 5; k++) {
				opts[n++] = "-r";
				opts[n++] = all[k];
			}
		}
		opts[n] = NULL;
		/*
		 * A page can change state (and back) between two dumps:
		 * compare again, a few times, before calling it a difference.
		 */
		for (tries = 0;; tries++) {
			dump(&with, true, false, opts);
			dump(&without, false, false, opts);
			if (strcmp(with.out, without.out) == 0 || tries == 4)
				break;
			e2e_run_free(&with);
			e2e_run_free(&without);
		}
		if (strcmp(with.out, without.out) != 0)
			fail_msg("options set %zu (%s %s ...): the scan path "
			    "and the pread path differ", i, sets[i][0],
			    sets[i][1] ? sets[i][1] : "");
		/* Never an empty comparison: there is always a row. */
		assert_true(strchr(with.out, '\n') != NULL);
		e2e_run_free(&with);
		e2e_run_free(&without);
	}
}

/* Whether this kernel answers PAGEMAP_SCAN (Linux 6.7+). */
static bool
kernel_has_pagemap_scan(void)
{
	uint64_t arg[12] = { sizeof(arg) };	/* a bad range: EINVAL */
	int fd = open("/proc/self/pagemap", O_RDONLY), rc;

	if (fd < 0)
		return false;
	rc = ioctl(fd, _IOWR('f', 16, uint64_t[12]), arg);
	close(fd);
	return !(rc < 0 && errno == ENOTTY);
}

/* Reads the PAGEMAP_DUMP_STATS line: entries read and scan calls. */
static void
stats(const struct e2e_run *r, uint64_t *entries, uint64_t *scans)
{
	uint64_t preads;

	if (sscanf(r->err, "pagemap-dump: pid %*d: %" SCNu64 " entries read "
	    "with %" SCNu64 " preads, %" SCNu64, entries, &preads,
	    scans) != 3)
		fail_msg("no stats line in: %s", r->err);
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static void
should_skip_the_holes_of_a_sparse_mapping_with_pagemap_scan(void **state)
{
	const uint64_t pages = SPARSE_SIZE / (uint64_t)page;
	char range[64];
	const char *const opts[] = { "-P", "-H", "-r", range, NULL };
	struct e2e_run r;
	uint64_t entries, scans;
	(void)state;

	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR,
	    child.l.sparse, child.l.sparse + SPARSE_SIZE);

	/* Without the scan: every entry of the reservation is read. */
	dump(&r, false, true, opts);
	stats(&r, &entries, &scans);
	assert_int_equal(count_lines(r.out), SPARSE_TOUCHED);
	assert_int_equal(entries, pages);
	assert_int_equal(scans, 0);
	e2e_run_free(&r);

	if (!kernel_has_pagemap_scan())
		e2e_skip("no PAGEMAP_SCAN in this kernel (before 6.7): "
		    "only the pread path was checked");
	dump(&r, true, true, opts);
	stats(&r, &entries, &scans);
	assert_int_equal(count_lines(r.out), SPARSE_TOUCHED);
	assert_true(scans > 0);
	/* The touched pages and a probe entry: far below 1% of them all. */
	assert_true(entries < pages / 100);
	e2e_run_free(&r);
}

static void
should_skip_the_holes_of_a_sparse_mapping_after_a_dense_one(void **state)
{
	const uint64_t pages = (2 * SPARSE_SIZE + (32 << 20)) / (uint64_t)page;
	char range[64];
	const char *const opts[] = { "-P", "-H", "-r", range, NULL };
	struct e2e_run with, without;
	uint64_t entries, scans;
	(void)state;

	if (!kernel_has_pagemap_scan())
		e2e_skip("no PAGEMAP_SCAN in this kernel (before 6.7)");
	range_of(range, sizeof(range), child.l.sandwich,
	    2 * SPARSE_SIZE + (32 << 20));
	dump(&with, true, true, opts);
	stats(&with, &entries, &scans);
	/* 2000 sparse pages and 8192 dense ones, of 32Mi. */
	assert_int_equal(count_lines(with.out), 2 * SPARSE_TOUCHED +
	    (32 << 20) / page);
	/* The dense middle may be read whole; the sparse ends must not. */
	assert_true(entries < pages / 100);
	dump(&without, false, false, opts);
	assert_string_equal(with.out, without.out);
	e2e_run_free(&with);
	e2e_run_free(&without);
}

static void
should_show_paged_out_pages_alike_on_both_paths(void **state)
{
	char range[64];
	const char *const opts[] = { "-S", "-H", "-o", "addr,swapped",
	    "-r", range, NULL };
	struct e2e_run with, without;
	(void)state;

	if (!e2e_swap_exists())
		e2e_skip("no swap on this machine: swapped pages not "
		    "compared");
	if (!child.l.swapped_ok)
		e2e_skip("MADV_PAGEOUT is not supported by this kernel");
	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR,
	    child.l.swapped, child.l.swapped + 64 * (uintptr_t)page);
	dump(&with, true, false, opts);
	dump(&without, false, false, opts);
	/* 32 pages went out; every row is one of them, on both paths. */
	assert_int_equal(count_lines(with.out), 32);
	assert_string_equal(with.out, without.out);
	e2e_run_free(&with);
	e2e_run_free(&without);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_print_the_same_rows_with_and_without_pagemap_scan),
		cmocka_unit_test(
		    should_skip_the_holes_of_a_sparse_mapping_with_pagemap_scan),
		cmocka_unit_test(
		    should_skip_the_holes_of_a_sparse_mapping_after_a_dense_one),
		cmocka_unit_test(should_show_paged_out_pages_alike_on_both_paths),
	};

	if (access(e2e_tool(), X_OK) != 0) {
		fprintf(stderr, "test_scan: %s not built (run make)\n",
		    e2e_tool());
		return 1;
	}
	return cmocka_run_group_tests(tests, start_child, stop_child);
}

/*
 * End-to-end tests of the edges: `self` in a pid namespace, entries that
 * are not what their bits suggest, and options whose combinations used
 * to print rows that were not asked for. A target that changes while it
 * is read is test_races.c's.
 *
 * What the machine cannot show is skipped with the reason printed.
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
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

static long page;

/*
 * `self` is this process even when /proc belongs to an outer pid
 * namespace, where getpid()'s number (1 here) names another process.
 */
static void
should_dump_itself_for_self_inside_a_pid_namespace(void **state)
{
	int out = memfd_create("out", 0), status;
	char *text;
	struct tl_lines ls;
	size_t n, i;
	pid_t pid;
	(void)state;

	assert_true(out >= 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const char *const args[] = { "-H", "-o", "pid,name", "-m",
		    "pagemap-dump", "self", NULL };
		struct tl_run r;
		if (unshare(CLONE_NEWPID) != 0)
			_exit(77);
		/* The tool runs as pid 1 of the new namespace. */
		tl_run(&r, NULL, args);
		if (write(out, r.out, strlen(r.out)) < 0)
			_exit(99);
		_exit(tl_exit_code(&r) < 0 ? 98 : tl_exit_code(&r));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		close(out);
		tl_skip("cannot make a pid namespace here (needs "
		    "CAP_SYS_ADMIN)");
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	lseek(out, 0, SEEK_SET);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	assert_true(read(out, text, (1 << 20) - 1) >= 0);
	close(out);
	tl_lines_split(&ls, text);
	n = (size_t)ls.n;
	/* The tool's own binary is mapped, so some rows name it. */
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		char *sp = strchr(ls.v[i], ' ');
		assert_non_null(sp);
		*sp = '\0';
		/* Our pid as this /proc names us: not the 1 of our namespace. */
		assert_string_not_equal(ls.v[i], "1");
		assert_true(tl_ends_with(sp + 1, "pagemap-dump"));
	}
	tl_lines_free(&ls);
	free(text);
}

/* The first line of a maps file that ends with tail; its start in *start. */
static bool
find_mapping(pid_t pid, const char *tail, uint64_t *start)
{
	char path[64], line[4096];
	bool found = false;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		found = tl_ends_with(line, tail) &&
		    sscanf(line, "%" SCNx64, start) == 1;
	}
	fclose(fp);
	return found;
}

/* Two -r ranges inside one page print that page once. */
static void
should_print_a_page_once_for_two_ranges_inside_it(void **state)
{
	static char buf[3 * 4096] __attribute__((aligned(4096)));
	char r1[64], r2[64];
	uintptr_t a = (uintptr_t)buf + 4096;
	struct tl_run r;
	char me[16];
	(void)state;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	buf[4096] = 1;
	snprintf(r1, sizeof(r1), "%" PRIxPTR "-%" PRIxPTR, a + 0x10, a + 0x20);
	snprintf(r2, sizeof(r2), "%" PRIxPTR "-%" PRIxPTR, a + 0x800,
	    a + 0x900);
	{
		const char *const args[] = { "-H", "-o", "addr", "-r", r1,
		    "-r", r2, me, NULL };
		char want[32];
		snprintf(want, sizeof(want), "%" PRIxPTR "\n", a);
		tl_run(&r, NULL, args);
		assert_int_equal(tl_exit_code(&r), 0);
		assert_string_equal(r.out, want);
		tl_run_free(&r);
	}
	{
		/* --summary counts it once too. */
		const char *const args[] = { "-s", "-H", "-f", "csv", "-r", r1,
		    "-r", r2, me, NULL };
		struct tl_lines ls;
		tl_run(&r, NULL, args);
		assert_int_equal(tl_exit_code(&r), 0);
		tl_lines_split(&ls, r.out);
		assert_int_equal(ls.n, 2);
		/* start,end,perms,pages,...: one page. */
		assert_non_null(strstr(ls.v[1], "total,,,1,"));
		tl_lines_free(&ls);
		tl_run_free(&r);
	}
}

/* -a with -r: an address outside every range prints nothing. */
static void
should_not_print_an_address_outside_every_range(void **state)
{
	static char buf[3 * 4096] __attribute__((aligned(4096)));
	char range[64], addr[32], inside[32];
	uintptr_t a = (uintptr_t)buf + 4096;
	struct tl_run r;
	char me[16];
	(void)state;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	buf[4096] = 1;
	/* The range and the address share a page, nothing else. */
	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR, a, a + 0x100);
	snprintf(addr, sizeof(addr), "%" PRIxPTR, a + 0x800);
	snprintf(inside, sizeof(inside), "%" PRIxPTR, a + 0x80);
	{
		const char *const args[] = { "-H", "-o", "addr", "-r", range,
		    "-a", addr, me, NULL };
		tl_run(&r, NULL, args);
		assert_int_equal(tl_exit_code(&r), 0);
		assert_string_equal(r.out, "");
		tl_run_free(&r);
	}
	{
		const char *const args[] = { "-H", "-o", "addr,paddr", "-r",
		    range, "-a", addr, "-a", inside, me, NULL };
		char want[32];
		struct tl_lines ls;
		snprintf(want, sizeof(want), "%" PRIxPTR " ", a);
		tl_run(&r, NULL, args);
		assert_int_equal(tl_exit_code(&r), 0);
		assert_memory_equal(r.out, want, strlen(want));
		/* One row, of the page, with the offset of inside. */
		assert_non_null(strstr(r.out, "080\n"));
		tl_lines_split(&ls, r.out);
		assert_int_equal(ls.n, 1);
		tl_lines_free(&ls);
		tl_run_free(&r);
	}
}

/* -a on a kernel thread: no user memory, so a message and exit 1. */
static void
should_exit_1_for_an_address_in_a_kernel_thread(void **state)
{
	const char *const args[] = { "-a", "0x400000", "2", NULL };
	char comm[64] = "";
	struct tl_run r;
	FILE *fp = fopen("/proc/2/comm", "r");
	(void)state;

	if (fp == NULL || fgets(comm, sizeof(comm), fp) == NULL ||
	    strcmp(comm, "kthreadd\n") != 0) {
		if (fp != NULL)
			fclose(fp);
		tl_skip("pid 2 is not kthreadd here (a pid namespace?)");
	}
	fclose(fp);
	tl_run(&r, NULL, args);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, "pid 2: address 0x400000"));
	assert_non_null(strstr(r.err, "kernel thread"));
	tl_run_free(&r);
}

/* -a in [vsyscall]: a mapping without pagemap entries, so exit 1. */
static void
should_exit_1_for_an_address_without_a_pagemap_entry(void **state)
{
	uint64_t start;
	char addr[32], me[16];
	struct tl_run r;
	(void)state;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	if (!find_mapping(getpid(), "[vsyscall]", &start))
		tl_skip("no [vsyscall] mapping on this machine");
	snprintf(addr, sizeof(addr), "%" PRIx64, start);
	{
		const char *const args[] = { "-a", addr, me, NULL };
		tl_run(&r, NULL, args);
		assert_int_equal(tl_exit_code(&r), 1);
		assert_non_null(strstr(r.err, addr));
		assert_non_null(strstr(r.err, "no pagemap entry"));
		tl_run_free(&r);
	}
}

/* ---- entries that are not what their bits suggest ---- */

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON (1 << 14)
#endif
#ifndef UFFDIO_POISON
struct uffdio_poison {
	struct uffdio_range range;
	uint64_t mode;
	int64_t updated;
};
#define UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct uffdio_poison)
#endif

/* Where a marker child put its pages; 0 for what it could not make. */
struct markers {
	uintptr_t guard;	/* 4 pages: 0 written, 1 and 2 guards */
	uintptr_t wp;		/* 4 unpopulated pages, uffd-wp'd */
	uintptr_t poison;	/* 4 pages: 0 poisoned by uffd */
};

static uintptr_t
anon(int pages)
{
	void *p = mmap(NULL, (size_t)pages * (size_t)page,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		_exit(90);
	return (uintptr_t)p;
}

/* In the child: makes the marked pages of m. */
static void
make_markers(struct markers *m)
{
	struct uffdio_api api = { .api = UFFD_API,
	    .features = UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_POISON };
	size_t ps = (size_t)page;
	int uffd;

	m->guard = anon(4);
	*(volatile char *)m->guard = 1;
	if (madvise((void *)(m->guard + ps), 2 * ps, MADV_GUARD_INSTALL) != 0)
		m->guard = 0;
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) != 0)
		return;
	{
		struct uffdio_register reg = { .range = { anon(4), 4 * ps },
		    .mode = UFFDIO_REGISTER_MODE_WP };
		struct uffdio_writeprotect wp = { .range = reg.range,
		    .mode = UFFDIO_WRITEPROTECT_MODE_WP };
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) == 0 &&
		    ioctl(uffd, UFFDIO_WRITEPROTECT, &wp) == 0)
			m->wp = (uintptr_t)reg.range.start;
	}
	{
		struct uffdio_register reg = { .range = { anon(4), 4 * ps },
		    .mode = UFFDIO_REGISTER_MODE_MISSING };
		struct uffdio_poison po = { .range = { reg.range.start, ps } };
		if (ioctl(uffd, UFFDIO_REGISTER, &reg) == 0 &&
		    ioctl(uffd, UFFDIO_POISON, &po) == 0)
			m->poison = (uintptr_t)reg.range.start;
	}
	/* uffd stays open: the markers live while it is registered. */
}

/* Forks a child holding markers; it lives until *hold is closed. */
static pid_t
start_marker_child(struct markers *m, int *hold)
{
	int info, h;
	pid_t pid;

	pid = tl_fork_held(&info, &h);
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		memset(m, 0, sizeof(*m));
		make_markers(m);
		if (write(info, m, sizeof(*m)) != sizeof(*m))
			_exit(91);
		if (read(h, &c, 1) < 0)
			_exit(92);
		_exit(0);
	}
	assert_int_equal(read(info, m, sizeof(*m)), sizeof(*m));
	close(info);
	*hold = h;
	return pid;
}

/* The rows of the tool for the 4 pages at addr of pid. */
static char *
rows_of(pid_t pid, uintptr_t addr, const char *opt, const char *cols)
{
	char range[64], pidarg[16], *out;
	struct tl_run r;

	snprintf(range, sizeof(range), "%" PRIxPTR "-%" PRIxPTR, addr,
	    addr + 4 * (uintptr_t)page);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	{
		const char *const with[] = { "-H", opt, "-o", cols, "-r",
		    range, pidarg, NULL };
		const char *const plain[] = { "-H", "-o", cols, "-r", range,
		    pidarg, NULL };
		const char *const sum[] = { "-H", "-s", "-f", "csv", "-r",
		    range, pidarg, NULL };
		tl_run(&r, NULL, cols == NULL ? sum : opt != NULL ? with :
		    plain);
	}
	if (tl_exit_code(&r) != 0)
		fail_msg("exit %d: %s", tl_exit_code(&r), r.err);
	out = r.out;
	free(r.err);
	return out;
}

/*
 * Checks the four pages at addr of pid: their states (states[k] for page
 * k) with bit 62 as the kernel sets it for any swap-format entry, the
 * swap type and offset 0 (none is in swap), and that -S lists none.
 */
static void
assert_states(pid_t pid, uintptr_t addr, const char *const states[4])
{
	const char *cols = "addr,state,swapped,swap-type,swap-offset";
	char want[512], *out;
	size_t k, used = 0;

	for (k = 0; k < 4; k++) {
		bool bit62 = strcmp(states[k], "present") != 0 &&
		    strcmp(states[k], "none") != 0;
		used += (size_t)snprintf(want + used, sizeof(want) - used,
		    "%" PRIxPTR " %s %d 0 0\n", addr + k * (uintptr_t)page,
		    states[k], bit62);
	}
	out = rows_of(pid, addr, NULL, cols);
	assert_string_equal(out, want);
	free(out);
	out = rows_of(pid, addr, "-S", cols);
	assert_string_equal(out, "");
	free(out);
}

/* Ends a marker child. */
static void
stop_marker_child(pid_t pid, int hold)
{
	close(hold);
	waitpid(pid, NULL, 0);
}

/*
 * Guard-region markers have bit 62 set, as pages in swap do: the state
 * column names them, and -S, swap-type, swap-offset and the summary's
 * swap leave them out.
 */
static void
should_tell_guard_markers_from_pages_in_swap(void **state)
{
	static const char *const states[4] = {
		"present", "guard", "guard", "none",
	};
	struct markers m;
	char *out;
	int hold;
	pid_t pid;
	(void)state;

	pid = start_marker_child(&m, &hold);
	if (m.guard == 0) {
		stop_marker_child(pid, hold);
		tl_skip("no MADV_GUARD_INSTALL (Linux 6.13+)");
	}
	assert_states(pid, m.guard, states);
	/* The summary: 4 pages, 1 present, 0 in swap, 0 KiB of swap. */
	out = rows_of(pid, m.guard, NULL, NULL);
	assert_non_null(strstr(out, "total,,,4,1,0,"));
	assert_true(tl_ends_with(out, ",0,\n"));	/* swap-kib, no name */
	free(out);
	stop_marker_child(pid, hold);
}

/*
 * So do uffd-wp markers on unpopulated pages and UFFDIO_POISON's
 * markers; they are told apart by the swap fields, which root sees.
 */
static void
should_tell_uffd_wp_and_poison_markers_from_pages_in_swap(void **state)
{
	static const char *const wp[4] = {
		"uffd-wp", "uffd-wp", "uffd-wp", "uffd-wp",
	};
	static const char *const poison[4] = {
		"hwpoison", "none", "none", "none",
	};
	struct markers m;
	char *out;
	int hold;
	pid_t pid;
	(void)state;

	if (geteuid() != 0)
		tl_skip("not root: without the swap fields a uffd-wp or "
		    "poison marker cannot be told from swap");
	pid = start_marker_child(&m, &hold);
	if (m.wp == 0 || m.poison == 0) {
		stop_marker_child(pid, hold);
		tl_skip("no userfaultfd with WP_UNPOPULATED and POISON here "
		    "(Linux 6.6+)");
	}
	assert_states(pid, m.wp, wp);
	assert_states(pid, m.poison, poison);
	out = rows_of(pid, m.wp, NULL, NULL);
	assert_non_null(strstr(out, "total,,,4,0,0,"));
	free(out);
	stop_marker_child(pid, hold);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_dump_itself_for_self_inside_a_pid_namespace),
		cmocka_unit_test(
		    should_print_a_page_once_for_two_ranges_inside_it),
		cmocka_unit_test(
		    should_not_print_an_address_outside_every_range),
		cmocka_unit_test(
		    should_exit_1_for_an_address_in_a_kernel_thread),
		cmocka_unit_test(
		    should_exit_1_for_an_address_without_a_pagemap_entry),
		cmocka_unit_test(should_tell_guard_markers_from_pages_in_swap),
		cmocka_unit_test(
		    should_tell_uffd_wp_and_poison_markers_from_pages_in_swap),
	};

	page = sysconf(_SC_PAGESIZE);
	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}

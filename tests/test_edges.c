/*
 * End-to-end tests of the edges: a target that changes while it is read
 * (exec, threads that map and unmap), `self` in a pid namespace, entries
 * that are not what their bits suggest, and options whose combinations
 * used to print rows that were not asked for.
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
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e_util.h"

static long page;

/* The lines of s, split in place; returns how many. */
static size_t
split_lines(char *s, char ***lines)
{
	size_t n = 0, cap = 64;
	char *p = s, *nl;

	*lines = malloc(cap * sizeof(**lines));
	assert_non_null(*lines);
	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (n == cap) {
			*lines = realloc(*lines, (cap *= 2) * sizeof(**lines));
			assert_non_null(*lines);
		}
		(*lines)[n++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/*
 * `self` is this process even when /proc belongs to an outer pid
 * namespace, where getpid()'s number (1 here) names another process.
 */
static void
should_dump_itself_for_self_inside_a_pid_namespace(void **state)
{
	int out = memfd_create("out", 0), status;
	char *text, **lines;
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
		struct e2e_run r;
		if (unshare(CLONE_NEWPID) != 0)
			_exit(77);
		/* The tool runs as pid 1 of the new namespace. */
		e2e_run(&r, NULL, args);
		if (write(out, r.out, strlen(r.out)) < 0)
			_exit(99);
		_exit(e2e_exit_code(&r) < 0 ? 98 : e2e_exit_code(&r));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		close(out);
		e2e_skip("cannot make a pid namespace here (needs "
		    "CAP_SYS_ADMIN)");
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	lseek(out, 0, SEEK_SET);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	assert_true(read(out, text, (1 << 20) - 1) >= 0);
	close(out);
	n = split_lines(text, &lines);
	/* The tool's own binary is mapped, so some rows name it. */
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		char *sp = strchr(lines[i], ' ');
		assert_non_null(sp);
		*sp = '\0';
		/* Our pid as this /proc names us: not the 1 of our namespace. */
		assert_string_not_equal(lines[i], "1");
		assert_true(ends_with(sp + 1, "pagemap-dump"));
	}
	free(lines);
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
		found = ends_with(line, tail) &&
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
	struct e2e_run r;
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
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_string_equal(r.out, want);
		e2e_run_free(&r);
	}
	{
		/* --summary counts it once too. */
		const char *const args[] = { "-s", "-H", "-f", "csv", "-r", r1,
		    "-r", r2, me, NULL };
		char **lines;
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_int_equal(split_lines(r.out, &lines), 2);
		/* start,end,perms,pages,...: one page. */
		assert_non_null(strstr(lines[1], "total,,,1,"));
		free(lines);
		e2e_run_free(&r);
	}
}

/* -a with -r: an address outside every range prints nothing. */
static void
should_not_print_an_address_outside_every_range(void **state)
{
	static char buf[3 * 4096] __attribute__((aligned(4096)));
	char range[64], addr[32], inside[32];
	uintptr_t a = (uintptr_t)buf + 4096;
	struct e2e_run r;
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
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_string_equal(r.out, "");
		e2e_run_free(&r);
	}
	{
		const char *const args[] = { "-H", "-o", "addr,paddr", "-r",
		    range, "-a", addr, "-a", inside, me, NULL };
		char want[32], **lines;
		snprintf(want, sizeof(want), "%" PRIxPTR " ", a);
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 0);
		assert_memory_equal(r.out, want, strlen(want));
		/* One row, of the page, with the offset of inside. */
		assert_non_null(strstr(r.out, "080\n"));
		assert_int_equal(split_lines(r.out, &lines), 1);
		free(lines);
		e2e_run_free(&r);
	}
}

/* -a on a kernel thread: no user memory, so a message and exit 1. */
static void
should_exit_1_for_an_address_in_a_kernel_thread(void **state)
{
	const char *const args[] = { "-a", "0x400000", "2", NULL };
	char comm[64] = "";
	struct e2e_run r;
	FILE *fp = fopen("/proc/2/comm", "r");
	(void)state;

	if (fp == NULL || fgets(comm, sizeof(comm), fp) == NULL ||
	    strcmp(comm, "kthreadd\n") != 0) {
		if (fp != NULL)
			fclose(fp);
		e2e_skip("pid 2 is not kthreadd here (a pid namespace?)");
	}
	fclose(fp);
	e2e_run(&r, NULL, args);
	assert_int_equal(e2e_exit_code(&r), 1);
	assert_non_null(strstr(r.err, "pid 2: address 0x400000"));
	assert_non_null(strstr(r.err, "kernel thread"));
	e2e_run_free(&r);
}

/* -a in [vsyscall]: a mapping without pagemap entries, so exit 1. */
static void
should_exit_1_for_an_address_without_a_pagemap_entry(void **state)
{
	uint64_t start;
	char addr[32], me[16];
	struct e2e_run r;
	(void)state;

	snprintf(me, sizeof(me), "%d", (int)getpid());
	if (!find_mapping(getpid(), "[vsyscall]", &start))
		e2e_skip("no [vsyscall] mapping on this machine");
	snprintf(addr, sizeof(addr), "%" PRIx64, start);
	{
		const char *const args[] = { "-a", addr, me, NULL };
		e2e_run(&r, NULL, args);
		assert_int_equal(e2e_exit_code(&r), 1);
		assert_non_null(strstr(r.err, addr));
		assert_non_null(strstr(r.err, "no pagemap entry"));
		e2e_run_free(&r);
	}
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
	};

	page = sysconf(_SC_PAGESIZE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

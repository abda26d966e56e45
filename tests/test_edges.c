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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_dump_itself_for_self_inside_a_pid_namespace),
	};

	page = sysconf(_SC_PAGESIZE);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

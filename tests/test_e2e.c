/*
 * End-to-end tests: fork a child with a known address space, run the
 * pagemap-dump binary on it, and check its rows for exactly those pages,
 * and every exit status the man page lists.
 *
 * What the machine cannot show (no swap, no soft-dirty, not root) is
 * skipped with the reason printed. Bad arguments, a full disk and user
 * nobody are in test_faults.
 */
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_PAGES 1024

static long page;

/* The child's mappings, in the order of the table below. */
enum { ANON, FILE_MAP, SHARED, SWAPPED, NMAPS };

/*
 * Written and untouched anonymous pages, a file of which only page 0 was
 * read (out of the page cache before), shared anonymous pages, and pages
 * paged out when asked.
 */
static void
child_start(struct tl_child *c, bool pageout, const char *file_name)
{
	const struct tl_map layout[NMAPS] = {
		[ANON] = { .kind = TL_ANON, .pages = 8, .touch = "0,2,5" },
		[FILE_MAP] = { .kind = TL_FILE, .pages = FILE_PAGES,
		    .flags = TL_COLD, .touch = "0", .path = file_name },
		[SHARED] = { .kind = TL_SHARED, .pages = 4, .touch = "0,1" },
		[SWAPPED] = { .kind = TL_ANON, .pages = 4, .touch = "all",
		    .pageout = pageout ? "all" : NULL },
	};

	tl_child_start(c, layout, NMAPS, 0);
}

/* The default rows of a dump of the child, which must succeed. */
static void
dump_child(struct tl_rows *rows, const struct tl_child *c)
{
	struct tl_run r;

	tl_runl(&r, c->arg);
	if (tl_exit_code(&r) != 0)
		fail_msg("exit %d, stderr: %s", tl_exit_code(&r), r.err);
	tl_default_rows(r.out, strlen(r.out), rows);
	tl_run_free(&r);
}

/* The address of page i of mapping m of the child. */
static uint64_t
at(const struct tl_child *c, int m, int i)
{
	return c->map[m].addr + (uint64_t)i * (uint64_t)page;
}

static void
should_print_the_classic_header(void **state)
{
	struct tl_run r;
	(void)state;

	tl_runl(&r, "self");
	assert_int_equal(tl_exit_code(&r), 0);
	assert_memory_equal(r.out, TL_DEFAULT_HEADER, 56);
	tl_run_free(&r);
}

static void
should_show_written_anonymous_pages_present_and_untouched_absent(void **s)
{
	static const int written[8] = { 1, 0, 1, 0, 0, 1, 0, 0 };
	struct tl_child c;
	struct tl_rows rows;
	const struct tl_row *w;
	uint64_t seen[8];
	int i, j;
	(void)s;

	child_start(&c, false, NULL);
	dump_child(&rows, &c);
	for (i = 0; i < 8; i++) {
		w = tl_find_row(&rows, at(&c, ANON, i));
		assert_non_null(w);
		assert_int_equal(w->present, written[i]);
		assert_int_equal(w->swapped, 0);
		assert_int_equal(w->file, 0);
		assert_string_equal(w->name, "");
		if (!written[i])
			assert_int_equal(w->pfn, 0);
		else if (tl_have_sys_admin())
			assert_int_not_equal(w->pfn, 0);
		seen[i] = w->pfn;
	}
	/* Three written pages: three different frames. */
	if (tl_have_sys_admin())
		for (i = 0; i < 8; i++)
			for (j = i + 1; j < 8; j++)
				if (written[i] && written[j])
					assert_int_not_equal(seen[i], seen[j]);
	tl_rows_free(&rows);
	tl_child_stop(&c);
}

static void
should_list_every_page_in_address_order_once(void **state)
{
	struct tl_child c;
	struct tl_rows rows;
	size_t i;
	(void)state;

	child_start(&c, false, NULL);
	dump_child(&rows, &c);
	assert_true(rows.n > 8 + FILE_PAGES + 4 + 4);
	for (i = 1; i < rows.n; i++)
		assert_true(rows.v[i - 1].addr < rows.v[i].addr);
	for (i = 0; i < rows.n; i++)
		assert_int_equal(rows.v[i].addr % (uint64_t)page, 0);
	/* [vsyscall] has no pagemap entries: it is skipped, not an error. */
	assert_null(tl_find_row(&rows, UINT64_C(0xffffffffff600000)));
	tl_rows_free(&rows);
	tl_child_stop(&c);
}

static void
should_show_a_read_file_page_as_present_file_page_with_its_path(void **s)
{
	struct tl_child c;
	struct tl_rows rows;
	const struct tl_row *w;
	int i;
	(void)s;

	child_start(&c, false, NULL);
	dump_child(&rows, &c);
	for (i = 0; i < FILE_PAGES; i++) {
		w = tl_find_row(&rows, at(&c, FILE_MAP, i));
		assert_non_null(w);
		assert_string_equal(w->name, c.map[FILE_MAP].path);
		assert_int_equal(w->swapped, 0);
	}
	w = tl_find_row(&rows, at(&c, FILE_MAP, 0));
	assert_int_equal(w->present, 1);
	assert_int_equal(w->file, 1);
	if (tl_have_sys_admin())
		assert_int_not_equal(w->pfn, 0);
	/*
	 * Read-around and large folios can map in a few hundred KiB around
	 * page 0, but not the last page of 4 MiB dropped from the cache.
	 */
	w = tl_find_row(&rows, at(&c, FILE_MAP, FILE_PAGES - 1));
	assert_int_equal(w->present, 0);
	assert_int_equal(w->pfn, 0);
	tl_rows_free(&rows);
	tl_child_stop(&c);
}

static void
should_show_shared_anonymous_pages_as_file_shared(void **state)
{
	struct tl_child c;
	struct tl_rows rows;
	const struct tl_row *w;
	int i;
	(void)state;

	child_start(&c, false, NULL);
	dump_child(&rows, &c);
	for (i = 0; i < 4; i++) {
		w = tl_find_row(&rows, at(&c, SHARED, i));
		assert_non_null(w);
		assert_int_equal(w->present, i < 2);
		assert_int_equal(w->file, i < 2);
		assert_string_equal(w->name, "/dev/zero (deleted)");
	}
	tl_rows_free(&rows);
	tl_child_stop(&c);
}

static void
should_show_paged_out_pages_as_swapped_with_pfn_zero(void **state)
{
	struct tl_child c;
	struct tl_rows rows;
	const struct tl_row *w;
	int i;
	(void)state;

	tl_require_swap();
	child_start(&c, true, NULL);
	if (!c.map[SWAPPED].pageout_ok) {
		tl_child_stop(&c);
		tl_skip("MADV_PAGEOUT is not supported by this kernel");
	}
	dump_child(&rows, &c);
	for (i = 0; i < 4; i++) {
		w = tl_find_row(&rows, at(&c, SWAPPED, i));
		assert_non_null(w);
		assert_int_equal(w->swapped, 1);
		assert_int_equal(w->present, 0);
		/* The swap entry is not a PFN. */
		assert_int_equal(w->pfn, 0);
	}
	tl_rows_free(&rows);
	tl_child_stop(&c);
}

static bool
clear_soft_dirty(pid_t pid)
{
	char path[64];
	int fd;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return false;
	ok = write(fd, "4", 1) == 1;
	close(fd);
	return ok;
}

static void
should_show_soft_dirty_pages_written_after_clear_refs(void **state)
{
	volatile char *probe;
	struct tl_child c;
	struct tl_rows rows;
	const struct tl_row *w;
	int i;
	bool supported;
	(void)state;

	/* Does this kernel track soft-dirty at all? Ask it directly. */
	probe = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(probe != MAP_FAILED);
	probe[0] = 1;
	supported = clear_soft_dirty(getpid());
	probe[0] = 2;
	supported = supported &&
	    tl_page_state(getpid(), (uintptr_t)probe).soft_dirty;
	munmap((void *)probe, (size_t)page);
	if (!supported)
		tl_skip("this kernel does not track soft-dirty "
		    "(CONFIG_MEM_SOFT_DIRTY off): soft-dirty not checked");

	child_start(&c, false, NULL);
	assert_true(clear_soft_dirty(c.pid));
	dump_child(&rows, &c);
	for (i = 0; i < 8; i++) {
		w = tl_find_row(&rows, at(&c, ANON, i));
		assert_non_null(w);
		assert_int_equal(w->soft_dirty, 0);
	}
	tl_rows_free(&rows);
	tl_child_stop(&c);
}

static void
should_escape_control_bytes_in_mapping_names(void **state)
{
	char path[128], want[160];
	struct tl_child c;
	struct tl_rows rows;
	struct tl_run r;
	const struct tl_row *w;
	(void)state;

	snprintf(path, sizeof(path), "/tmp/pmd-e2e-%d-\033[31m-\t-x",
	    (int)getpid());
	snprintf(want, sizeof(want), "/tmp/pmd-e2e-%d-\\033[31m-\\011-x",
	    (int)getpid());
	child_start(&c, false, path);
	tl_runl(&r, c.arg);
	assert_int_equal(tl_exit_code(&r), 0);
	assert_null(strchr(r.out, '\033'));
	assert_null(strchr(r.out, '\t'));
	tl_default_rows(r.out, strlen(r.out), &rows);
	w = tl_find_row(&rows, at(&c, FILE_MAP, 0));
	assert_non_null(w);
	assert_string_equal(w->name, want);
	tl_rows_free(&rows);
	tl_run_free(&r);
	tl_child_stop(&c);
}

static void
should_print_help_and_version_and_exit_0(void **state)
{
	struct tl_run r;
	(void)state;

	tl_runl(&r, "--help");
	assert_int_equal(tl_exit_code(&r), 0);
	assert_non_null(strstr(r.out, "usage: pagemap-dump"));
	assert_non_null(strstr(r.out, "--version"));
	tl_run_free(&r);
	tl_runl(&r, "-V");
	assert_int_equal(tl_exit_code(&r), 0);
	assert_memory_equal(r.out, "pagemap-dump ", 13);
	tl_run_free(&r);
}

static void
should_exit_1_for_a_process_that_does_not_exist(void **state)
{
	struct tl_run r;
	char arg[16];
	pid_t pid;
	(void)state;

	/* A pid that just died and was reaped is free for a while. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(arg, sizeof(arg), "%d", (int)pid);
	tl_runl(&r, arg);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, "no such process"));
	assert_non_null(strstr(r.err, arg));
	assert_string_equal(r.out, "");
	tl_run_free(&r);
}

/*
 * Without CAP_SYS_ADMIN the tool warns once, however many pages it
 * reads (a whole dump of itself), and shows every PFN as 0; with it,
 * it warns not at all. Its present stack pages (-P) are checked alike.
 */
static void
should_warn_once_when_pfns_are_hidden(void **state)
{
	static const struct tl_how drop = { .drop_admin = true };
	const char *const whole[] = { "self", NULL };
	const char *const stack[] = { "-P", "-m", "[stack]", "self", NULL };
	const char *const *const runs[] = { whole, stack };
	struct tl_run r;
	size_t k;
	(void)state;

	if (!tl_have_sys_admin())
		tl_skip("no CAP_SYS_ADMIN to drop: hidden-PFN warning "
		    "checked only as root");
	for (k = 0; k < 2; k++) {
		tl_run_how(&r, &drop, runs[k]);
		tl_assert_not_killed(r.status, "without CAP_SYS_ADMIN", r.err);
		if (tl_exit_code(&r) == TL_SETUP_FAILED)
			fail_msg("could not drop CAP_SYS_ADMIN and run the "
			    "tool");
		assert_int_equal(tl_exit_code(&r), 0);
		tl_assert_one_pfn_warning(r.err);
		tl_assert_own_rows(r.out, k == 1, true);
		tl_run_free(&r);

		/* The same run with the capability: no warning, real PFNs. */
		tl_run_how(&r, NULL, runs[k]);
		assert_int_equal(tl_exit_code(&r), 0);
		assert_string_equal(r.err, "");
		tl_assert_own_rows(r.out, k == 1, false);
		tl_run_free(&r);
	}
}

static void
should_end_quietly_when_the_reader_goes_away(void **state)
{
	int p[2], err = memfd_create("err", MFD_CLOEXEC), status;
	char *text;
	pid_t pid;
	(void)state;

	assert_int_equal(pipe(p), 0);
	close(p[0]);	/* nobody reads */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(err, 2);
		signal(SIGPIPE, SIG_IGN);	/* the tool must not care */
		execl(tl_tool(), tl_tool(), "self", (char *)NULL);
		_exit(TL_SETUP_FAILED);
	}
	close(p[1]);
	status = tl_wait(pid);
	text = tl_read_memfd(err);
	assert_string_equal(text, "");
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGPIPE);
	free(text);
	close(err);
}

/*
 * A child with 64 x 64 MiB of untouched memory: 1Mi rows, far more than
 * the tool reads ahead of what it has written.
 */
static pid_t
start_large_child(void)
{
	pid_t child;
	int k;

	fflush(NULL);
	child = fork();
	if (child == 0) {
		for (k = 0; k < 64; k++)
			if (mmap(NULL, 64 << 20, k % 2 ? PROT_READ :
			    PROT_READ | PROT_WRITE, MAP_PRIVATE |
			    MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED)
				_exit(TL_SETUP_FAILED);
		pause();
		_exit(0);
	}
	usleep(100 * 1000);
	return child;
}

static void
should_exit_1_keeping_whole_rows_when_the_process_exits_mid_dump(void **s)
{
	int out[2], err = memfd_create("err", MFD_CLOEXEC), status;
	struct tl_buf buf = { NULL, 0, 0 };
	char arg[16], *text;
	ssize_t n;
	pid_t child, pid;
	(void)s;

	child = start_large_child();
	snprintf(arg, sizeof(arg), "%d", (int)child);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	pid = tl_spawn(NULL, out[1], err, (const char *const[]){ arg, NULL });
	close(out[1]);
	/* Read a little: the tool now blocks on a full pipe mid-dump. */
	tl_buf_reserve(&buf, 4096);
	n = read(out[0], buf.s, 4096);
	assert_true(n > 0);
	buf.len = (size_t)n;
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	tl_buf_read_fd(&buf, out[0]);
	close(out[0]);
	status = tl_wait(pid);
	text = tl_read_memfd(err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_non_null(strstr(text, "exited during the dump"));
	assert_non_null(strstr(text, arg));
	/* Whole lines only, and fewer than the whole dump. */
	assert_true(buf.len > 0);
	assert_int_equal(buf.s[buf.len - 1], '\n');
	assert_true(buf.len < (size_t)64 * 16384 * 20);
	tl_buf_free(&buf);
	free(text);
	close(err);
}

static void
should_fail_with_a_clear_message_on_a_zombie(void **s)
{
	struct tl_run r;
	char arg[16];
	pid_t zombie;
	(void)s;

	zombie = fork();
	if (zombie == 0)
		_exit(0);
	usleep(100 * 1000);	/* exited, not yet reaped */
	snprintf(arg, sizeof(arg), "%d", (int)zombie);
	tl_runl(&r, arg);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, "zombie"));
	tl_run_free(&r);
	waitpid(zombie, NULL, 0);
}

/* Finds a kernel thread (PF_KTHREAD in its stat flags), or returns 0. */
static pid_t
find_kernel_thread(void)
{
	char path[64], buf[1024], *p;
	unsigned long flags;
	FILE *fp;
	pid_t pid;

	for (pid = 2; pid < 200; pid++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fp = fopen(path, "r");
		if (fp == NULL)
			continue;
		p = fgets(buf, sizeof(buf), fp);
		fclose(fp);
		if (p == NULL || (p = strrchr(buf, ')')) == NULL)
			continue;
		/* After ") S": ppid pgrp session tty tpgid flags. */
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) == 1 &&
		    (flags & 0x00200000))
			return pid;
	}
	return 0;
}

static void
should_print_only_the_header_for_a_kernel_thread(void **state)
{
	struct tl_run r;
	char arg[16];
	pid_t pid = find_kernel_thread();
	(void)state;

	if (pid == 0)
		tl_skip("no kernel thread visible in this pid namespace");
	snprintf(arg, sizeof(arg), "%d", (int)pid);
	tl_runl(&r, arg);
	assert_int_equal(tl_exit_code(&r), 0);
	assert_string_equal(r.out, TL_DEFAULT_HEADER);
	tl_run_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_print_the_classic_header),
		cmocka_unit_test(
		    should_show_written_anonymous_pages_present_and_untouched_absent),
		cmocka_unit_test(should_list_every_page_in_address_order_once),
		cmocka_unit_test(
		    should_show_a_read_file_page_as_present_file_page_with_its_path),
		cmocka_unit_test(should_show_shared_anonymous_pages_as_file_shared),
		cmocka_unit_test(should_show_paged_out_pages_as_swapped_with_pfn_zero),
		cmocka_unit_test(should_show_soft_dirty_pages_written_after_clear_refs),
		cmocka_unit_test(should_escape_control_bytes_in_mapping_names),
		cmocka_unit_test(should_print_help_and_version_and_exit_0),
		cmocka_unit_test(should_exit_1_for_a_process_that_does_not_exist),
		cmocka_unit_test(should_warn_once_when_pfns_are_hidden),
		cmocka_unit_test(should_end_quietly_when_the_reader_goes_away),
		cmocka_unit_test(
		    should_exit_1_keeping_whole_rows_when_the_process_exits_mid_dump),
		cmocka_unit_test(should_fail_with_a_clear_message_on_a_zombie),
		cmocka_unit_test(should_print_only_the_header_for_a_kernel_thread),
	};

	page = tl_page();
	if (tl_check_tool("test_e2e") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

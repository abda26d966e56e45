/*
 * Tests for out: a stage (what one process of --all writes) is sent on
 * whole, after what came before it, or not at all; it stays in the
 * buffer while it fits, and what does not fit goes to the stage file and
 * comes back in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"

/* The output file, the stage file, and the buffer over them. */
struct files {
	int fd, stage;
	struct out out;
};

static int
open_files(void **state)
{
	struct files *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->fd = memfd_create("out", 0);
	f->stage = memfd_create("stage", 0);
	if (f->fd < 0 || f->stage < 0)
		return -1;
	*state = f;
	return 0;
}

static int
close_files(void **state)
{
	struct files *f = *state;

	out_free(&f->out);
	close(f->fd);
	close(f->stage);
	free(f);
	return 0;
}

/* The size of a file. */
static off_t
size_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_size;
}

/* Asserts that the output file holds exactly want. */
static void
assert_output(const struct files *f, const char *want)
{
	size_t len = strlen(want);
	char *got = malloc(len + 2);

	assert_non_null(got);
	assert_int_equal(size_of(f->fd), (off_t)len);
	assert_int_equal(pread(f->fd, got, len + 1, 0), (ssize_t)len);
	assert_memory_equal(got, want, len);
	free(got);
}

static void
put(struct out *out, const char *text)
{
	assert_int_equal(out_write(out, text, strlen(text)), 0);
}

/*
 * Writes rows "row 0\n" to "row n-1\n", one at a time as the sinks do,
 * and into dst (room enough) what they were.
 */
static void
rows(struct out *out, char *dst, int n)
{
	int i;

	for (i = 0, *dst = '\0'; i < n; i++) {
		sprintf(dst + strlen(dst), "row %d\n", i);
		put(out, strrchr(dst, 'r'));
	}
}

static void
should_send_a_kept_stage_after_what_came_before(void **state)
{
	struct files *f = *state;

	assert_int_equal(out_init(&f->out, f->fd, 4096), 0);
	put(&f->out, "header\n");
	assert_int_equal(out_stage(&f->out, f->stage), 0);
	put(&f->out, "pid 1\n");
	assert_int_equal(out_unstage(&f->out, true), 0);
	put(&f->out, "after\n");
	/* It fitted: nothing went out, to the output or the stage file. */
	assert_int_equal(size_of(f->fd), 0);
	assert_int_equal(size_of(f->stage), 0);
	assert_int_equal(out_flush(&f->out), 0);
	assert_output(f, "header\npid 1\nafter\n");
}

static void
should_drop_a_stage_that_is_not_kept(void **state)
{
	struct files *f = *state;

	assert_int_equal(out_init(&f->out, f->fd, 4096), 0);
	put(&f->out, "header\n");
	assert_int_equal(out_stage(&f->out, f->stage), 0);
	put(&f->out, "pid 1, gone\n");
	assert_int_equal(out_unstage(&f->out, false), 0);
	assert_int_equal(out_stage(&f->out, f->stage), 0);
	put(&f->out, "pid 2\n");
	assert_int_equal(out_unstage(&f->out, true), 0);
	assert_int_equal(out_flush(&f->out), 0);
	assert_output(f, "header\npid 2\n");
}

static void
should_send_a_stage_larger_than_the_buffer_in_order(void **state)
{
	struct files *f = *state;
	char staged[2048], want[2100];

	assert_int_equal(out_init(&f->out, f->fd, 64), 0);
	put(&f->out, "header\n");
	assert_int_equal(out_stage(&f->out, f->stage), 0);
	rows(&f->out, staged, 150);
	snprintf(want, sizeof(want), "header\n%safter\n", staged);
	/* What came before went out; the stage went to its file. */
	assert_int_equal(size_of(f->fd), 7);
	assert_true(size_of(f->stage) > 0);
	assert_int_equal(out_unstage(&f->out, true), 0);
	assert_int_equal(size_of(f->stage), 0);	/* emptied */
	put(&f->out, "after\n");
	assert_int_equal(out_flush(&f->out), 0);
	assert_output(f, want);
}

static void
should_drop_a_stage_larger_than_the_buffer_and_stage_again(void **state)
{
	struct files *f = *state;
	char staged[2048];

	assert_int_equal(out_init(&f->out, f->fd, 64), 0);
	put(&f->out, "header\n");
	assert_int_equal(out_stage(&f->out, f->stage), 0);
	rows(&f->out, staged, 150);
	assert_int_equal(out_unstage(&f->out, false), 0);
	assert_int_equal(size_of(f->stage), 0);
	assert_int_equal(out_stage(&f->out, f->stage), 0);
	put(&f->out, "pid 2\n");
	assert_int_equal(out_unstage(&f->out, true), 0);
	assert_int_equal(out_flush(&f->out), 0);
	assert_output(f, "header\npid 2\n");
}

static void
should_fail_a_stage_whose_output_cannot_be_written(void **state)
{
	struct files *f = *state;
	char staged[2048];
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	assert_int_equal(out_init(&f->out, p[1], 64), 0);
	assert_int_equal(out_stage(&f->out, f->stage), 0);
	rows(&f->out, staged, 150);
	/* Sending it on writes to a pipe nobody reads: EPIPE. */
	assert_int_equal(out_unstage(&f->out, true), -1);
	assert_int_not_equal(f->out.error, 0);
	assert_int_equal(out_stage(&f->out, f->stage), -1);
	close(p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    should_send_a_kept_stage_after_what_came_before,
		    open_files, close_files),
		cmocka_unit_test_setup_teardown(
		    should_drop_a_stage_that_is_not_kept,
		    open_files, close_files),
		cmocka_unit_test_setup_teardown(
		    should_send_a_stage_larger_than_the_buffer_in_order,
		    open_files, close_files),
		cmocka_unit_test_setup_teardown(
		    should_drop_a_stage_larger_than_the_buffer_and_stage_again,
		    open_files, close_files),
		cmocka_unit_test_setup_teardown(
		    should_fail_a_stage_whose_output_cannot_be_written,
		    open_files, close_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

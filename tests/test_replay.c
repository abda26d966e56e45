/*
 * test_replay: a snapshot replays byte for byte what the dump printed
 * from the memory it was taken of.
 *
 * Each state of the page corpus (tests/corpus/pages) is recorded through
 * the fixture entry point, as --record records a live process; then
 * every case of the corpus is rendered twice, from the state itself and
 * with --replay from the snapshot, and the two must print the same
 * stdout, stderr and exit status. A snapshot cut short or altered in
 * any bit is refused whole, with nothing on stdout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snapshot.h"
#include "state.h"

#define DIR "tests/corpus/pages"
#define MAX_CASES 256


static char *cases[MAX_CASES];
static size_t ncases;
static char snap[64];	/* the snapshot file of the state at hand */

static int
load_cases(void **state)
{
	FILE *fp = fopen(DIR "/cases", "re");
	char line[1024];
	int fd;

	(void)state;
	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL && ncases < MAX_CASES) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '#' && line[0] != '\0')
			cases[ncases++] = strdup(line);
	}
	fclose(fp);
	snprintf(snap, sizeof(snap), "/tmp/pagemap-dump-replay.XXXXXX");
	fd = mkstemp(snap);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int
free_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ncases; i++)
		free(cases[i]);
	unlink(snap);
	return 0;
}

/* Records the state file path into snap. */
static void
record(const char *path)
{
	struct state_output r;
	char line[128];

	snprintf(line, sizeof(line), "--record %s", snap);
	assert_int_equal(state_run(path, line, &r), 0);
	if (r.status != 0 || r.out_len != 0)
		fail_msg("--record of %s: status %d: %s", path, r.status,
		    r.err);
	state_output_free(&r);
}

/* Renders every case from the state and from snap; all must agree. */
static void
check_state(const char *name)
{
	char path[256], line[1200];
	struct state_output live, replay;
	size_t i, bad = 0;

	snprintf(path, sizeof(path), DIR "/%s.state", name);
	record(path);
	for (i = 0; i < ncases; i++) {
		snprintf(line, sizeof(line), "--replay %s %s", snap, cases[i]);
		assert_int_equal(state_run(path, cases[i], &live), 0);
		assert_int_equal(state_run(path, line, &replay), 0);
		if (live.status != replay.status ||
		    live.out_len != replay.out_len ||
		    memcmp(live.out, replay.out, live.out_len) != 0 ||
		    strcmp(live.err, replay.err) != 0) {
			printf("%s: case %zu (%s): the replay differs: status "
			    "%d/%d, %zu/%zu bytes, stderr '%s' / '%s'\n", name,
			    i, cases[i], live.status, replay.status,
			    live.out_len, replay.out_len, live.err,
			    replay.err);
			bad++;
		}
		state_output_free(&live);
		state_output_free(&replay);
	}
	if (bad > 0)
		fail_msg("%s: %zu of %zu cases replay otherwise", name, bad,
		    ncases);
}

static void
should_replay_every_case_on_the_mixed_state(void **state)
{
	(void)state;
	check_state("mixed");
}

static void
should_replay_every_case_on_the_sparse_state(void **state)
{
	(void)state;
	check_state("sparse");
}

static void
should_replay_every_case_on_the_synthetic_state(void **state)
{
	(void)state;
	check_state("synthetic");
}

/* The snapshot of the mixed state, read whole. */
static unsigned char *
read_snapshot(size_t *len)
{
	struct stat st;
	unsigned char *data;
	int fd;

	record(DIR "/mixed.state");
	fd = open(snap, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	data = malloc((size_t)st.st_size);
	assert_non_null(data);
	assert_int_equal(read(fd, data, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return data;
}

/* Writes len bytes of data as the snapshot file. */
static void
write_snapshot(const unsigned char *data, size_t len)
{
	int fd = open(snap, O_WRONLY | O_TRUNC | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Replays snap: it must be refused, naming the file, printing nothing. */
static void
assert_refused(const char *what)
{
	struct state_output r;
	char line[128];

	snprintf(line, sizeof(line), "--replay %s", snap);
	assert_int_equal(state_run(DIR "/mixed.state", line, &r), 0);
	if (r.status == 0 || r.out_len != 0 || strstr(r.err, snap) == NULL)
		fail_msg("%s: status %d, %zu bytes out, stderr '%s'", what,
		    r.status, r.out_len, r.err);
	state_output_free(&r);
}

static void
should_refuse_a_snapshot_cut_short_anywhere(void **state)
{
	size_t len, cut;
	unsigned char *data = read_snapshot(&len);
	char what[64];

	(void)state;
	/* Every cut in the first and last 64 bytes, and every 97th. */
	for (cut = 0; cut < len; cut++) {
		if (cut > 64 && cut + 64 < len && cut % 97 != 0)
			continue;
		write_snapshot(data, cut);
		snprintf(what, sizeof(what), "cut at %zu of %zu", cut, len);
		assert_refused(what);
	}
	free(data);
}

static void
should_refuse_a_snapshot_with_any_bit_flipped(void **state)
{
	size_t len, bit;
	unsigned char *data = read_snapshot(&len);
	char what[64];

	(void)state;
	/* Every bit of the first 64 bytes and the last 16; then spread. */
	for (bit = 0; bit < len * 8; bit++) {
		if (bit >= 64 * 8 && bit + 16 * 8 < len * 8 && bit % 4099 != 0)
			continue;
		data[bit / 8] ^= (unsigned char)(1u << bit % 8);
		write_snapshot(data, len);
		snprintf(what, sizeof(what), "bit %zu of %zu flipped", bit,
		    len * 8);
		assert_refused(what);
		data[bit / 8] ^= (unsigned char)(1u << bit % 8);
	}
	free(data);
}

static void
should_refuse_trailing_bytes_and_a_missing_file(void **state)
{
	size_t len;
	unsigned char *data = read_snapshot(&len), *more = malloc(len + 1);

	(void)state;
	assert_non_null(more);
	memcpy(more, data, len);
	more[len] = 0;
	write_snapshot(more, len + 1);
	assert_refused("a byte after the end");
	unlink(snap);
	assert_refused("no such file");
	free(data);
	free(more);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(should_replay_every_case_on_the_mixed_state),
		cmocka_unit_test(should_replay_every_case_on_the_sparse_state),
		cmocka_unit_test(
		    should_replay_every_case_on_the_synthetic_state),
		cmocka_unit_test(should_refuse_a_snapshot_cut_short_anywhere),
		cmocka_unit_test(
		    should_refuse_a_snapshot_with_any_bit_flipped),
		cmocka_unit_test(
		    should_refuse_trailing_bytes_and_a_missing_file),
	};

	return cmocka_run_group_tests(tests, load_cases, free_cases);
}

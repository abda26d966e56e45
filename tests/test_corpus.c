/*
 * test_corpus: every output of the tool, byte for byte, on captured
 * processes.
 *
 * Renders each case of tests/corpus/pages/cases on each state file there
 * through the fixture entry point, and compares a digest of what it
 * printed (stdout, stderr and the exit status) with the one in
 * tests/corpus/pages/expected, written by the code as it was when the
 * corpus was made. A change to what the tool prints shows here first.
 * With PAGEMAP_DUMP_CORPUS_UPDATE=1 it writes expected anew instead (for
 * a change of output you mean); with PAGEMAP_DUMP_CORPUS_OUT=DIR it also
 * keeps each output there, to diff against another build's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "state.h"

#define DIR "tests/corpus/pages"
#define MAX_CASES 256

static const char *const states[] = { "mixed", "sparse", "synthetic" };

static char *cases[MAX_CASES];
static size_t ncases;

/* Renders one case (a line of cases) on the state file path. */
static void
render(const char *path, const char *line, struct state_output *r)
{
	assert_int_equal(state_run(path, line, r), 0);
}

/* FNV-1a, 64 bits: enough to tell outputs apart. */
static uint64_t
fnv(uint64_t h, const char *p, size_t n)
{
	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * UINT64_C(0x100000001b3);
	return h;
}

static uint64_t
digest(const struct state_output *r)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	char st[16];

	h = fnv(h, r->out, r->out_len);
	h = fnv(h, "\0", 1);
	h = fnv(h, r->err, r->err_len);
	snprintf(st, sizeof(st), "%d", r->status);
	return fnv(h, st, strlen(st));
}

static void
load_cases(void)
{
	FILE *fp = fopen(DIR "/cases", "re");
	char line[1024];

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL && ncases < MAX_CASES) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '#' && line[0] != '\0')
			cases[ncases++] = strdup(line);
	}
	fclose(fp);
}

/* The expected digest of case i on state, or 0 when there is none. */
static uint64_t
expected(const char *state, size_t i, size_t *bytes)
{
	FILE *fp = fopen(DIR "/expected", "re");
	char name[64];
	size_t k, n;
	uint64_t h = 0, v;

	*bytes = 0;
	if (fp == NULL)
		return 0;
	while (fscanf(fp, "%63s %zu %" SCNx64 " %zu", name, &k, &v, &n) == 4)
		if (strcmp(name, state) == 0 && k == i) {
			h = v;
			*bytes = n;
		}
	fclose(fp);
	return h;
}

static void
keep_output(const char *state, size_t i, const struct state_output *r)
{
	const char *dir = getenv("PAGEMAP_DUMP_CORPUS_OUT");
	char path[512];
	FILE *fp;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%s.%03zu", dir, state, i);
	fp = fopen(path, "we");
	assert_non_null(fp);
	fprintf(fp, "$ %s\n", cases[i]);
	fwrite(r->out, 1, r->out_len, fp);
	fprintf(fp, "-- stderr\n%s-- status %d\n", r->err, r->status);
	fclose(fp);
}

static void
check_state(const char *state, FILE *update)
{
	char path[256];
	struct state_output r;
	size_t i, bytes, bad = 0;
	uint64_t want, got;

	snprintf(path, sizeof(path), DIR "/%s.state", state);
	for (i = 0; i < ncases; i++) {
		render(path, cases[i], &r);
		got = digest(&r);
		keep_output(state, i, &r);
		if (update != NULL)
			fprintf(update, "%s %zu %016" PRIx64 " %zu\n", state, i,
			    got, r.out_len);
		else if ((want = expected(state, i, &bytes)) != got) {
			printf("%s: case %zu (%s): digest %016" PRIx64 ", %zu "
			    "bytes; expected %016" PRIx64 ", %zu bytes\n",
			    state, i, cases[i], got, r.out_len, want, bytes);
			bad++;
		}
		state_output_free(&r);
	}
	assert_int_equal(bad, 0);
}

static FILE *update_fp;

static void
should_print_as_it_did_on_each_state(void **arg)
{
	check_state((const char *)*arg, update_fp);
}

static int
setup(void **arg)
{
	(void)arg;
	if (sysconf(_SC_PAGESIZE) != 4096) {
		printf("[  SKIP    ] the corpus was captured with 4 KiB pages\n");
		return -1;
	}
	return 0;
}

int
main(void)
{
	struct CMUnitTest tests[sizeof(states) / sizeof(states[0])];
	size_t i;
	int rc;

	load_cases();
	if (getenv("PAGEMAP_DUMP_CORPUS_UPDATE") != NULL) {
		update_fp = fopen(DIR "/expected", "we");
		if (update_fp == NULL)
			return 1;
	}
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		tests[i] = (struct CMUnitTest){ states[i],
		    should_print_as_it_did_on_each_state, NULL, NULL,
		    (void *)states[i] };
	rc = cmocka_run_group_tests_name("corpus", tests, setup, NULL);
	if (update_fp != NULL)
		fclose(update_fp);
	return rc;
}

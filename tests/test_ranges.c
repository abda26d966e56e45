/*
 * Tests for --ranges: on each captured state of tests/corpus/pages, the
 * ranges must be the per-page rows of the same state merged by this
 * test's own rule: pages of one mapping, one after the other, with the
 * pfn, paddr and swap-offset one page up (or 0 all along) and every
 * other column the same.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "state.h"
#include "testlib.h"

#define DIR "tests/corpus/pages"
#define PAGE 4096
#define MAX_FIELDS 16

static const char *const states[] = { "mixed", "sparse", "synthetic" };

/* The column lists tried, each with the filters tried. */
static const char *const columns[] = {
	"pfn,soft-dirty,file,swapped,present,name",
	"present,name",
	"state,swap-type,swap-offset,exclusive,uffd-wp,guard,soft-dirty",
	"kflags-hex,mapcount,pfn,paddr",
	"perms,offset,dev,inode,name,pfn",
};
static const char *const filters[] = {
	"", "-P", "-r @mid:5-@end:13", "-m libc", "-k lru", "-S",
};

/* How a column goes along a run, by this test's own reading. */
static int
step_of(const char *name)
{
	if (strcmp(name, "pfn") == 0 || strcmp(name, "swap-offset") == 0)
		return 1;
	if (strcmp(name, "paddr") == 0)
		return PAGE;
	if (strcmp(name, "offset") == 0)
		return -1;	/* the mapping's: consecutive by itself */
	return 0;
}

/* One per-page row: its address, mapping and fields. */
struct row {
	uint64_t addr;
	size_t map;
	char *f[MAX_FIELDS];
	int n;
};

static size_t
mapping_of(const struct maps *m, uint64_t addr)
{
	size_t i;

	for (i = 0; i < m->count; i++)
		if (addr >= m->entries[i].start && addr < m->entries[i].end)
			return i;
	fail_msg("no mapping holds 0x%" PRIx64, addr);
	return 0;
}

/* Whether row b goes on the run that starts at row a, k pages on. */
static bool
goes_on(const struct row *a, const struct row *b, uint64_t k,
    char **names)
{
	int i;

	if (b->map != a->map || b->addr != a->addr + k * PAGE)
		return false;
	for (i = 1; i < a->n; i++) {
		int step = step_of(names[i - 1]);
		uint64_t va = strtoull(a->f[i], NULL, 16);
		uint64_t vb = strtoull(b->f[i], NULL, 16);
		if (step < 0)
			continue;
		if (step == 0 || va == 0 ? strcmp(a->f[i], b->f[i]) != 0 :
		    vb != va + k * (uint64_t)step)
			return false;
	}
	return true;
}

/* Appends the range row of run [first, first + pages) to out. */
static void
add_range(struct tl_buf *out, const struct row *first, uint64_t pages)
{
	int i;

	tl_buf_printf(out, "%" PRIx64 "\t%" PRIx64 "\t%" PRIu64, first->addr,
	    first->addr + pages * PAGE, pages);
	for (i = 1; i < first->n; i++)
		tl_buf_printf(out, "\t%s", first->f[i]);
	tl_buf_addc(out, '\n');
}

/* The per-page rows (TSV, addr first) merged as ranges, as TSV. */
static char *
merge(char *rows, const struct maps *m, char **names)
{
	struct tl_buf out = { NULL, 0, 0 };
	struct row first, cur;
	uint64_t pages = 0;
	char *line, *save = NULL;

	tl_buf_adds(&out, "");
	for (line = strtok_r(rows, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		cur.n = tl_split(line, '\t', cur.f, MAX_FIELDS);
		cur.addr = strtoull(cur.f[0], NULL, 16);
		cur.map = mapping_of(m, cur.addr);
		if (pages > 0 && goes_on(&first, &cur, pages, names)) {
			pages++;
			continue;
		}
		if (pages > 0)
			add_range(&out, &first, pages);
		first = cur;
		pages = 1;
	}
	if (pages > 0)
		add_range(&out, &first, pages);
	return out.s;
}

/* The state's mappings, parsed. */
static void
state_maps(const char *path, struct state *st, struct maps *m)
{
	const char *why;
	size_t bad;
	char *text;

	assert_int_equal(state_read(st, path), 0);
	text = malloc(st->maps_len + 1);
	assert_non_null(text);
	memcpy(text, st->maps_text, st->maps_len);
	assert_int_equal(maps_parse(m, text, st->maps_len, &bad, &why), 0);
}

/* The rows (or with ranges, the ranges) of -o addr,cols and filter. */
static char *
run(const char *path, bool ranges, const char *cols, const char *filter)
{
	char line[512];
	struct state_output o;

	snprintf(line, sizeof(line), "%s-H -f tsv -o addr,%s %s",
	    ranges ? "-R " : "", cols, filter);
	assert_int_equal(state_run(path, line, &o), 0);
	if (o.status != 0)
		fail_msg("%s: exit status %d: %s", line, o.status, o.err);
	free(o.err);
	return o.out;
}

/* Checks one column list and filter on one state. */
static void
check(const char *path, const struct maps *m, const char *cols,
    const char *filter)
{
	char *names[MAX_FIELDS], *copy = strdup(cols), *rows, *want, *got;

	tl_split(copy, ',', names, MAX_FIELDS);
	rows = run(path, false, cols, filter);
	want = merge(rows, m, names);
	got = run(path, true, cols, filter);
	if (strcmp(want, got) != 0)
		fail_msg("-R -o addr,%s %s on %s: %zu bytes of ranges, %zu "
		    "merged from the rows", cols, filter, path, strlen(got),
		    strlen(want));
	free(rows);
	free(want);
	free(got);
	free(copy);
}

static void
should_be_the_rows_merged_on_each_state(void **arg)
{
	const char *name = *arg;
	char path[256];
	struct state st;
	struct maps m;
	size_t c, f;

	snprintf(path, sizeof(path), DIR "/%s.state", name);
	state_maps(path, &st, &m);
	for (c = 0; c < sizeof(columns) / sizeof(columns[0]); c++)
		for (f = 0; f < sizeof(filters) / sizeof(filters[0]); f++)
			check(path, &m, columns[c], filters[f]);
	maps_free(&m);
	state_free(&st);
}

/* Lines of a text, headers left out. */
static int
lines_of(const char *path, const char *line)
{
	struct state_output o;
	int n;

	assert_int_equal(state_run(path, line, &o), 0);
	assert_int_equal(o.status, 0);
	n = tl_count_lines(o.out);
	state_output_free(&o);
	return n;
}

static void
should_write_as_many_ranges_in_every_format(void **arg)
{
	char path[256];
	int tsv;

	(void)arg;
	snprintf(path, sizeof(path), DIR "/mixed.state");
	tsv = lines_of(path, "-R -H -f tsv");
	assert_true(tsv > 10);
	assert_int_equal(lines_of(path, "-R -H"), tsv);
	assert_int_equal(lines_of(path, "-R -H -f csv"), tsv);
	assert_int_equal(lines_of(path, "-R -f json"), tsv);
	assert_int_equal(lines_of(path, "-R"), tsv + 1);	/* header */
	/* Fewer rows than pages: the corpus has runs. */
	assert_true(tsv < lines_of(path, "-H"));
}

static void
should_start_a_range_row_with_start_end_and_pages(void **arg)
{
	char path[256];
	struct state_output o;

	(void)arg;
	snprintf(path, sizeof(path), DIR "/sparse.state");
	assert_int_equal(state_run(path, "-R -r @start:5-@end:5", &o),
	    0);
	assert_int_equal(o.status, 0);
	assert_true(tl_starts_with(o.out, "start end pages pfn soft-dirty "
	    "file/shared swapped present library\n"));
	state_output_free(&o);
	assert_int_equal(state_run(path, "-R -f json -o present -r "
	    "@start:5-@end:5", &o), 0);
	assert_true(tl_starts_with(o.out, "{\"start\":\"0x"));
	assert_non_null(strstr(o.out, "\",\"pages\":"));
	assert_null(strstr(o.out, "\"addr\""));
	state_output_free(&o);
}

static void
should_say_whose_ranges_with_several_pids(void **arg)
{
	struct tl_run r;
	char *line, *save = NULL;
	int rows = 0;

	(void)arg;
	tl_runl(&r, "-R", "-m", "[stack]", "self", "self");
	tl_assert_ran_ok(&r);
	line = strtok_r(r.out, "\n", &save);
	assert_non_null(line);
	assert_string_equal(line, "pid start end pages pfn soft-dirty "
	    "file/shared swapped present library");
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *f[12];
		assert_int_equal(tl_split(line, ' ', f, 12), 10);
		assert_true(tl_is_decimal(f[0]) && tl_is_hex(f[1]));
		rows++;
	}
	assert_true(rows >= 2);		/* a stack each */
	tl_run_free(&r);
}

int
main(void)
{
	struct CMUnitTest tests[sizeof(states) / sizeof(states[0]) + 3];
	size_t i;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		tests[i] = (struct CMUnitTest){ states[i],
		    should_be_the_rows_merged_on_each_state, NULL, NULL,
		    (void *)states[i] };
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(
	    should_write_as_many_ranges_in_every_format);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(
	    should_start_a_range_row_with_start_end_and_pages);
	tests[i++] = (struct CMUnitTest)cmocka_unit_test(
	    should_say_whose_ranges_with_several_pids);
	return cmocka_run_group_tests_name("ranges", tests, NULL, NULL);
}

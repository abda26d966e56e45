/*
 * End-to-end tests of which pages the views print (-r, -m, -a, -P, -S),
 * of one process or of several in turn.
 *
 * A child started afresh holds a known address space (views.c); the
 * pagemap-dump binary runs on it with stdout and stderr captured. What it
 * prints is read back (CSV and JSON Lines with testlib's strict readers,
 * never grepped) and checked against what the kernel tells us directly:
 * the child's maps and pagemap. What the machine cannot show (no swap,
 * not root) is skipped with the reason printed.
 */
#include "views.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- -r, -m, -P, -S, -a: filters ---- */

static void
should_print_exactly_the_pages_inside_a_range(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 };
	char range[64];

	tl_buf_printf(&want, DEFAULT_HEADER);
	add_default_rows(&want, c->pid, l->anon + page, 3, "", "");
	/* Without 0x, end exclusive. */
	assert_run_prints(tl_buf_str(&want), "-r", range_arg(range,
	    sizeof(range), l->anon + page, l->anon + 4 * page), c->arg);
	/* With 0x and capitals. */
	snprintf(range, sizeof(range), "0x%" PRIX64 "-0X%" PRIx64,
	    (uint64_t)l->anon + page, (uint64_t)l->anon + 4 * page);
	assert_run_prints(tl_buf_str(&want), "--range", range, c->arg);
	tl_buf_free(&want);
}

static void
should_print_the_pages_of_repeated_ranges_once_each_in_order(void **st)
{
	static const int disjoint[] = { 0, 5, 6 };
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 };
	char r1[64], r2[64];
	uint64_t a = l->anon, p = (uint64_t)page;
	int i;

	tl_buf_printf(&want, DEFAULT_HEADER);
	for (i = 0; i < 3; i++)
		add_default_row(&want, c->pid, a + (uint64_t)disjoint[i] * p,
		    "", "");
	assert_run_prints(tl_buf_str(&want), "-r", range_arg(r2, sizeof(r2),
	    a + 5 * p, a + 7 * p), "-r", range_arg(r1, sizeof(r1), a, a + p),
	    c->arg);

	/* Overlapping, given out of order: pages 0 to 3, each once. */
	want.len = 0;
	tl_buf_printf(&want, DEFAULT_HEADER);
	add_default_rows(&want, c->pid, a, 4, "", "");
	assert_run_prints(tl_buf_str(&want), "-r", range_arg(r1, sizeof(r1),
	    a + 2 * p, a + 4 * p), "-r", range_arg(r2, sizeof(r2), a, a + 3 * p),
	    c->arg);
	tl_buf_free(&want);
}

static void
should_print_nothing_for_the_unmapped_part_of_a_range(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 };
	char range[64];

	/* The page below the anonymous pages is a hole. */
	tl_buf_printf(&want, DEFAULT_HEADER);
	add_default_rows(&want, c->pid, l->anon, 2, "", "");
	assert_run_prints(tl_buf_str(&want), "-r", range_arg(range,
	    sizeof(range), l->anon - page, l->anon + 2 * page), c->arg);
	tl_buf_free(&want);
}

static void
should_print_only_the_mappings_whose_name_contains_m(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 }, both = { NULL, 0, 0 };
	char plain[64], middle[64], hostile[64], name[320];

	snprintf(plain, sizeof(plain), "pmd-views-%d-plain", (int)getpid());
	snprintf(middle, sizeof(middle), "views-%d-pla", (int)getpid());
	snprintf(hostile, sizeof(hostile), "pmd-views-%d-h\t,", (int)getpid());
	tl_buf_printf(&want, DEFAULT_HEADER);
	add_default_rows(&want, c->pid, l->file, 4, l->name, "");
	assert_run_prints(tl_buf_str(&want), "-m", plain, c->arg);
	assert_run_prints(tl_buf_str(&want), "--map", middle, c->arg);

	/* Two names: both mappings, in address order. */
	hostile_text(c, name, sizeof(name));
	tl_buf_printf(&both, DEFAULT_HEADER);
	if (l->hostile < l->file)
		add_default_rows(&both, c->pid, l->hostile, 2, name, "");
	tl_buf_add(&both, after_first_line(tl_buf_str(&want)),
	    strlen(after_first_line(tl_buf_str(&want))));
	if (l->hostile > l->file)
		add_default_rows(&both, c->pid, l->hostile, 2, name, "");
	assert_run_prints(tl_buf_str(&both), "-m", plain, "-m", hostile,
	    c->arg);
	tl_buf_free(&want);
	tl_buf_free(&both);
}

/* Keeps the lines of a default-format dump whose column col is "1". */
static void
keep_rows_with_flag(struct tl_buf *b, const char *s, int col)
{
	const char *nl, *p;
	int k;

	tl_buf_add(b, "", 0);
	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		for (p = s, k = 0; k < col && p != NULL; k++) {
			p = memchr(p, ' ', (size_t)(nl - p));
			if (p != NULL)
				p++;
		}
		if (p == NULL)
			fail_msg("a row with fewer than %d fields", col + 1);
		if (p[0] == '1' && (p[1] == ' ' || p[1] == '\n'))
			tl_buf_add(b, s, (size_t)(nl - s + 1));
	}
}

static void
should_print_only_present_pages_with_P(void **state)
{
	static const int written[] = { 0, 2, 5 };
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_run all, r;
	char range[64];
	int i;

	tl_buf_printf(&want, DEFAULT_HEADER);
	for (i = 0; i < 3; i++)
		add_default_row(&want, c->pid, l->anon +
		    (uint64_t)(written[i] * page), "", "");
	range_arg(range, sizeof(range), l->anon, l->anon + 8 * page);
	assert_run_prints(tl_buf_str(&want), "-P", "-r", range, c->arg);

	/* The whole dump with -P: the present rows of the whole dump. */
	run(&all, "-H", c->arg);
	run(&r, "-H", "--present", c->arg);
	tl_assert_ran_ok(&all);
	tl_assert_ran_ok(&r);
	want.len = 0;
	keep_rows_with_flag(&want, all.out, 5);
	assert_true(tl_count_lines(tl_buf_str(&want)) > 3);
	assert_string_equal(r.out, tl_buf_str(&want));
	tl_run_free(&all);
	tl_run_free(&r);
	tl_buf_free(&want);
}

static void
should_select_swapped_pages_with_S_and_either_with_P_and_S(void **state)
{
	static const int written[] = { 0, 2, 5 };
	const struct child *c = *state;
	struct tl_buf want = { NULL, 0, 0 }, rows = { NULL, 0, 0 };
	struct tl_page s;
	char anon[64], sw[64], tail[64];
	uint64_t p = (uint64_t)page;
	int i;

	if (!tl_swap_exists())
		tl_skip("no swap on this machine: -S not checked "
		    "(swapon a swap file to run it)");
	if (!c->layout.swapped_ok)
		tl_skip("MADV_PAGEOUT is not supported by this kernel: "
		    "-S not checked");
	for (i = 0; i < 4; i++)
		if (!tl_page_state(c->pid, c->layout.swapped + i * p).swapped)
			tl_skip("MADV_PAGEOUT left the pages in memory: "
			    "-S not checked");
	range_arg(anon, sizeof(anon), c->layout.anon, c->layout.anon + 8 * p);
	range_arg(sw, sizeof(sw), c->layout.swapped, c->layout.swapped + 4 * p);

	/* -S: the four paged-out pages, with their swap entries. */
	tl_buf_printf(&want, "addr pfn soft-dirty file/shared swapped present "
	    "library swap-type swap-offset\n");
	for (i = 0; i < 4; i++) {
		s = tl_page_state(c->pid, c->layout.swapped + i * p);
		assert_int_equal(s.present, 0);
		snprintf(tail, sizeof(tail), " %u %" PRIx64, s.swap_type,
		    s.swap_offset);
		add_default_row(&want, c->pid, c->layout.swapped + i * p, "",
		    tail);
		add_default_row(&rows, c->pid, c->layout.swapped + i * p, "",
		    "");
	}
	assert_run_prints(tl_buf_str(&want), "-S", "-o",
	    "+swap-type,swap-offset", "-r", anon, "-r", sw, c->arg);

	/* -P -S: present or swapped, in address order. */
	want.len = 0;
	tl_buf_printf(&want, DEFAULT_HEADER);
	if (c->layout.swapped < c->layout.anon)
		tl_buf_add(&want, rows.s, rows.len);
	for (i = 0; i < 3; i++)
		add_default_row(&want, c->pid, c->layout.anon + written[i] * p,
		    "", "");
	if (c->layout.swapped > c->layout.anon)
		tl_buf_add(&want, rows.s, rows.len);
	assert_run_prints(tl_buf_str(&want), "-P", "-S", "-r", anon, "-r", sw,
	    c->arg);

	/* -P alone: none of the swapped pages. */
	assert_run_prints(DEFAULT_HEADER, "-P", "-r", sw, c->arg);
	tl_buf_free(&want);
	tl_buf_free(&rows);
}

static void
should_translate_an_address_to_its_page_and_physical_address_with_a(
    void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_page s;
	struct tl_jobject *objs;
	struct tl_run r;
	char addr[32], tail[64], paddr[40];
	uint64_t page_addr = l->anon + 2 * (uint64_t)page;
	uint64_t a = page_addr + 0x123;
	size_t n;

	if (!tl_have_sys_admin())
		tl_skip("no CAP_SYS_ADMIN: PFNs read 0, so -a cannot "
		    "give a physical address (run as root)");
	s = tl_page_state(c->pid, page_addr);
	assert_int_equal(s.present, 1);
	assert_int_not_equal(s.pfn, 0);
	snprintf(paddr, sizeof(paddr), "%" PRIx64, s.pfn * (uint64_t)page +
	    0x123);
	snprintf(tail, sizeof(tail), " %s", paddr);
	tl_buf_printf(&want, "addr pfn soft-dirty file/shared swapped present "
	    "library paddr\n");
	add_default_row(&want, c->pid, page_addr, "", tail);
	snprintf(addr, sizeof(addr), "%" PRIx64, a);
	assert_run_prints(tl_buf_str(&want), "-a", addr, "-o", "+paddr",
	    c->arg);

	want.len = 0;
	tl_buf_printf(&want, "addr pfn paddr\n%" PRIx64 " %" PRIx64 " %s\n",
	    page_addr, s.pfn, paddr);
	snprintf(addr, sizeof(addr), "0x%" PRIx64, a);
	assert_run_prints(tl_buf_str(&want), "--address", addr, "-o",
	    "addr,pfn,paddr", c->arg);

	run(&r, "-a", addr, "-f", "json", "-o", "paddr", c->arg);
	tl_assert_ran_ok(&r);
	n = tl_read_json_lines(r.out, &objs);
	assert_int_equal(n, 1);
	assert_int_equal(objs[0].n, 1);
	snprintf(tail, sizeof(tail), "0x%s", paddr);
	assert_string_equal(tl_jget(&objs[0], "paddr")->s, tail);
	tl_jobjects_free(objs, n);
	tl_run_free(&r);
	tl_buf_free(&want);
}

static void
should_exit_1_naming_an_unmapped_address_given_to_a(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_run r;
	char hole[32], named[40], anon[32];

	/* The page below the anonymous pages is a hole. */
	snprintf(hole, sizeof(hole), "%" PRIx64,
	    (uint64_t)l->anon - (uint64_t)page + 0x10);
	snprintf(named, sizeof(named), "0x%s", hole);
	run(&r, "-a", hole, c->arg);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, named));
	assert_non_null(strstr(r.err, c->arg));
	assert_string_equal(r.out, DEFAULT_HEADER);
	tl_run_free(&r);

	/* Given with a mapped one: that one is still printed. */
	snprintf(anon, sizeof(anon), "%" PRIx64, (uint64_t)l->anon);
	tl_buf_printf(&want, DEFAULT_HEADER);
	add_default_row(&want, c->pid, l->anon, "", "");
	run(&r, "-a", hole, "-a", anon, c->arg);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, named));
	assert_string_equal(r.out, tl_buf_str(&want));
	tl_run_free(&r);
	tl_buf_free(&want);
}

/* ---- several pids ---- */

/*
 * Appends what a dump of a then b prints after its header: the rows of
 * each one's own dump of the views' files (with -s for the summary), each
 * after its pid. Gives how many rows each of them had.
 */
static void
add_rows_of_each(struct tl_buf *want, const struct child *a,
    const struct child *b, bool summary, size_t *na, size_t *nb)
{
	const char *args[] = { "-s", "-H", "-m", "pmd-views-", NULL, NULL };
	const char *const *from = summary ? args : args + 1;
	struct tl_run ra, rb;
	char pa[20], pb[20];

	snprintf(pa, sizeof(pa), "%s ", a->arg);
	snprintf(pb, sizeof(pb), "%s ", b->arg);
	args[4] = a->arg;
	tl_run(&ra, NULL, from);
	args[4] = b->arg;
	tl_run(&rb, NULL, from);
	tl_assert_ran_ok(&ra);
	tl_assert_ran_ok(&rb);
	add_prefixed(want, pa, ra.out);
	add_prefixed(want, pb, rb.out);
	*na = tl_count_lines(ra.out);
	*nb = tl_count_lines(rb.out);
	tl_run_free(&ra);
	tl_run_free(&rb);
}

static void
should_dump_several_pids_in_turn_with_a_pid_column_first(void **state)
{
	const struct child *a = *state;
	const struct child *b = &((const struct children *)*state)->b;
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_run r;
	struct tl_jobject *objs;
	size_t i, n, na, nb;

	/* Rows: those of each pid alone, with the pid in front. */
	tl_buf_printf(&want, "pid " DEFAULT_HEADER);
	add_rows_of_each(&want, a, b, false, &na, &nb);
	assert_int_equal(na, 6);
	assert_int_equal(nb, 6);
	assert_run_prints(tl_buf_str(&want), "-m", "pmd-views-", a->arg,
	    b->arg);

	/* The summary too: a total per pid. */
	want.len = 0;
	add_summary_header(&want, true);
	add_rows_of_each(&want, a, b, true, &na, &nb);
	assert_int_equal(na, 3);
	assert_run_prints(tl_buf_str(&want), "-s", "-m", "pmd-views-", a->arg,
	    b->arg);

	/* JSON: "pid" first, a's rows then b's. */
	run(&r, "-f", "json", "-m", "pmd-views-", a->arg, b->arg);
	tl_assert_ran_ok(&r);
	n = tl_read_json_lines(r.out, &objs);
	assert_int_equal(n, 12);
	for (i = 0, na = 0; i < n; i++) {
		assert_string_equal(objs[i].m[0].key, "pid");
		assert_int_equal(objs[i].m[0].type, TL_JNUMBER);
		assert_string_equal(objs[i].m[0].s, i < 6 ? a->arg : b->arg);
		na += strcmp(objs[i].m[0].s, a->arg) == 0;
	}
	assert_int_equal(na, 6);
	tl_jobjects_free(objs, n);
	tl_run_free(&r);
	tl_buf_free(&want);
}

static void
should_report_a_dead_pid_and_still_dump_the_others_exiting_1(void **st)
{
	const struct child *a = *st;
	const struct child *b = &((const struct children *)*st)->b;
	struct tl_buf want = { NULL, 0, 0 };
	struct tl_run r;
	char dead[16];
	size_t na, nb;
	pid_t pid;

	/* A pid that just died and was reaped is free for a while. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(dead, sizeof(dead), "%d", (int)pid);

	tl_buf_printf(&want, "pid " DEFAULT_HEADER);
	add_rows_of_each(&want, a, b, false, &na, &nb);
	run(&r, "-m", "pmd-views-", a->arg, dead, b->arg);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, dead));
	assert_non_null(strstr(r.err, "no such process"));
	/* Nothing about the others (but the hidden-PFN warning). */
	if (tl_have_sys_admin()) {
		assert_null(strstr(r.err, a->arg));
		assert_null(strstr(r.err, b->arg));
	}
	assert_string_equal(r.out, tl_buf_str(&want));
	tl_run_free(&r);

	/* The dead one first: the header still comes first. */
	run(&r, "-m", "pmd-views-", dead, a->arg, b->arg);
	assert_int_equal(tl_exit_code(&r), 1);
	assert_non_null(strstr(r.err, dead));
	assert_string_equal(r.out, tl_buf_str(&want));
	tl_run_free(&r);
	tl_buf_free(&want);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(should_print_exactly_the_pages_inside_a_range),
		T(should_print_the_pages_of_repeated_ranges_once_each_in_order),
		T(should_print_nothing_for_the_unmapped_part_of_a_range),
		T(should_print_only_the_mappings_whose_name_contains_m),
		T(should_print_only_present_pages_with_P),
		T2(should_select_swapped_pages_with_S_and_either_with_P_and_S,
		    setup_paged_out_child),
		T(should_translate_an_address_to_its_page_and_physical_address_with_a),
		T(should_exit_1_naming_an_unmapped_address_given_to_a),
		T2(should_dump_several_pids_in_turn_with_a_pid_column_first,
		    setup_two_children),
		T2(should_report_a_dead_pid_and_still_dump_the_others_exiting_1,
		    setup_two_children),
	};

	return views_main(argc, argv, "test_views_select", tests,
	    sizeof(tests) / sizeof(tests[0]));
}

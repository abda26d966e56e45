/*
 * End-to-end tests of the kflags columns and of -k, on the child of
 * physical.h: the flags of file, anonymous, swapped and transparent huge
 * pages, every page of a long sparse mapping with its own values with
 * the scan and without, and -k printing exactly the pages whose flags
 * match, compared with unfiltered runs before and after.
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
#include <sys/stat.h>
#include <unistd.h>

#include "physical.h"

/* ---- page flags --------------------------------------------------------- */

static void
should_show_a_file_page_on_the_lru_and_mapped_but_not_anonymous(
    void **state)
{
	struct page_row *rows = all_pages(child.l.file, FILE_PAGES);
	size_t i;
	(void)state;

	for (i = 0; i < FILE_PAGES; i++) {
		if (!rows[i].present || !(rows[i].flags & KPF_LRU) ||
		    !(rows[i].flags & KPF_MMAP) || (rows[i].flags & KPF_ANON))
			fail_msg("file page %zu: present %d, kflags 0x%" PRIx64
			    ": want lru and mmap, not anon", i,
			    rows[i].present, rows[i].flags);
		assert_true(rows[i].mapcount >= 1);
	}
	free(rows);
}

static void
should_show_a_written_anonymous_page_as_anon(void **state)
{
	struct page_row *rows = all_pages(child.l.anon, ANON_PAGES);
	size_t i;
	(void)state;

	for (i = 0; i < ANON_PAGES; i++) {
		if (i % 2 == 0) {
			assert_true(rows[i].present);
			if (!(rows[i].flags & KPF_ANON) ||
			    !(rows[i].flags & KPF_MMAP))
				fail_msg("anon page %zu: kflags 0x%" PRIx64,
				    i, rows[i].flags);
			/* Written before the grandchild was forked. */
			assert_int_equal(rows[i].mapcount, 2);
		} else {
			/* Never written: nothing to look up. */
			assert_false(rows[i].present);
			assert_int_equal(rows[i].flags, 0);
			assert_int_equal(rows[i].mapcount, 0);
			assert_int_equal(rows[i].cgroup, 0);
		}
	}
	free(rows);
}

static void
should_give_no_flags_mapcount_or_cgroup_to_a_swapped_page(void **state)
{
	char r[64], *text, *line, *f[8] = { NULL };
	const char *const opts[] = { "-H", "-o",
	    "swapped,present,kflags,kflags-hex,mapcount,cgroup", "-r", r,
	    NULL };
	struct tl_run run;
	size_t rows = 0, swapped = 0;
	(void)state;

	tl_require_swap();
	if (!child.l.paged_out)
		tl_skip("MADV_PAGEOUT is not supported by this kernel");
	range(r, sizeof(r), child.l.swap, child.l.swap + SWAP_PAGES *
	    child.l.page);
	dump_ok(&run, opts);
	text = run.out;
	while ((line = next_line(&text)) != NULL) {
		rows++;
		if (tl_split(line, ' ', f, 8) != 6)
			fail_msg("not 6 fields: %s", line);
		if (strcmp(f[0], "1") != 0)
			continue;
		swapped++;
		assert_string_equal(f[1], "0");
		assert_string_equal(f[2], "-");
		assert_string_equal(f[3], "0");
		assert_string_equal(f[4], "0");
		assert_string_equal(f[5], "0");
	}
	assert_int_equal(rows, SWAP_PAGES);
	if (swapped == 0)
		tl_skip("MADV_PAGEOUT left every page in memory");
	tl_run_free(&run);
}

/*
 * Dumps the sparse mapping (several read buffers long) with the scan or
 * without; every row must hold the values of its own page: flags and a
 * mapcount exactly for the written pages, every 997th.
 */
static void
check_sparse(bool scan, bool present_only)
{
	char r[64];
	const char *const opts[] = { "-H", "-o", PAGE_COLUMNS, "-r", r,
	    present_only ? "-P" : NULL, NULL };
	const char *env[] = { scan ? NULL : "PAGEMAP_DUMP_NO_SCAN=1", NULL };
	const char *args[16];
	struct tl_run run;
	struct page_row *rows;
	size_t n, i, k = 0;

	range(r, sizeof(r), child.l.sparse, child.l.sparse + SPARSE_PAGES *
	    child.l.page);
	for (n = 0; opts[n] != NULL; n++)
		args[n] = opts[n];
	args[n++] = child.pid_arg;
	args[n] = NULL;
	tl_run(&run, env, args);
	assert_int_equal(tl_exit_code(&run), 0);
	rows = parse_pages(run.out, &n);
	tl_run_free(&run);
	assert_int_equal(n, present_only ? (SPARSE_PAGES + 996) / 997 :
	    SPARSE_PAGES);
	for (i = 0; i < SPARSE_PAGES; i++) {
		bool written = i % 997 == 0;
		const struct page_row *row = &rows[k];
		if (present_only && !written)
			continue;
		k++;
		assert_int_equal(row->addr, child.l.sparse + i *
		    child.l.page);
		if (row->present != written ||
		    (written && ((row->flags & (KPF_ANON | KPF_MMAP)) !=
		    (KPF_ANON | KPF_MMAP) || row->mapcount != 1 ||
		    row->cgroup == 0)) ||
		    (!written && (row->flags != 0 || row->mapcount != 0 ||
		    row->cgroup != 0)))
			fail_msg("sparse page %zu (%s, %s): present %d, "
			    "kflags 0x%" PRIx64 ", mapcount %" PRIu64
			    ", cgroup %" PRIu64, i, scan ? "scan" : "no scan",
			    present_only ? "-P" : "all", row->present,
			    row->flags, row->mapcount, row->cgroup);
	}
	free(rows);
}

static void
should_give_each_page_of_a_long_sparse_mapping_its_own_values(void **state)
{
	(void)state;
	check_sparse(true, false);
	check_sparse(false, false);
	check_sparse(true, true);
	check_sparse(false, true);
}

static void
should_filter_a_long_sparse_mapping_alike_with_and_without_scan(
    void **state)
{
	char r[64];
	const char *const opts[] = { "-H", "-o", "addr", "-k", "anon,mmap",
	    "-r", r, child.pid_arg, NULL };
	const char *const env[] = { "PAGEMAP_DUMP_NO_SCAN=1", NULL };
	struct tl_run with, without;
	char want[64], *text, *line;
	size_t i = 0;
	(void)state;

	range(r, sizeof(r), child.l.sparse, child.l.sparse + SPARSE_PAGES *
	    child.l.page);
	tl_run(&with, NULL, opts);
	tl_run(&without, env, opts);
	assert_int_equal(tl_exit_code(&with), 0);
	assert_int_equal(tl_exit_code(&without), 0);
	assert_string_equal(with.out, without.out);
	text = with.out;
	while ((line = next_line(&text)) != NULL) {
		snprintf(want, sizeof(want), "%" PRIxPTR, child.l.sparse +
		    i * 997 * child.l.page);
		assert_string_equal(line, want);
		i++;
	}
	assert_int_equal(i, (SPARSE_PAGES + 996) / 997);
	tl_run_free(&with);
	tl_run_free(&without);
}

/* The huge pages in the THP area, from its rows; checks their flags. */
static size_t
huge_blocks(const struct page_row *rows, size_t n, bool *huge)
{
	const size_t per = child.l.hpage / child.l.page;
	size_t b, i, count = 0;

	for (b = 0; b < n / per; b++) {
		const struct page_row *r = rows + b * per;
		huge[b] = (r[0].flags & (KPF_THP | KPF_HEAD)) ==
		    (KPF_THP | KPF_HEAD);
		if (!huge[b])
			continue;
		count++;
		/* The head: thp and compound_head, on an aligned PFN. */
		assert_int_equal(r[0].flags & KPF_TAIL, 0);
		assert_int_equal(r[0].pfn % per, 0);
		for (i = 1; i < per; i++) {
			if ((r[i].flags & (KPF_THP | KPF_HEAD | KPF_TAIL)) !=
			    (KPF_THP | KPF_TAIL))
				fail_msg("huge page %zu, page %zu: kflags 0x%"
				    PRIx64 ": want thp and compound_tail", b,
				    i, r[i].flags);
			assert_int_equal(r[i].pfn, r[0].pfn + i);
		}
	}
	return count;
}

static void
should_mark_the_pages_of_a_transparent_huge_page_thp(void **state)
{
	const size_t per = child.l.hpage / child.l.page, n = 2 * per;
	struct page_row *rows, *thp;
	size_t got, i, j, want;
	bool huge[2];
	(void)state;

	require_thp();
	if (anon_huge_kib(0) == 0 || anon_huge_kib(child.l.thp) == 0) {
		tl_skipf("the kernel gave the child no "
		    "transparent huge page (AnonHugePages %" PRIu64 " kB)",
		    anon_huge_kib(0));
	}
	rows = all_pages(child.l.thp, n);
	want = anon_huge_kib(child.l.thp) * 1024 / child.l.hpage;
	assert_int_equal(huge_blocks(rows, n, huge), want);

	/* -k thp prints exactly the pages of the huge pages. */
	thp = pages(child.l.thp, child.l.thp + 2 * child.l.hpage, "thp",
	    &got);
	assert_int_equal(got, want * per);
	for (i = 0, j = 0; i < n; i++) {
		if (!huge[i / per])
			continue;
		assert_int_equal(thp[j].addr, rows[i].addr);
		assert_true(thp[j].flags & KPF_THP);
		j++;
	}
	free(thp);

	/* -k compound_head,thp: only the first page of each. */
	thp = pages(child.l.thp, child.l.thp + 2 * child.l.hpage,
	    "compound_head,thp", &got);
	assert_int_equal(got, want);
	for (i = 0, j = 0; i < 2; i++)
		if (huge[i])
			assert_int_equal(thp[j++].addr, child.l.thp +
			    i * child.l.hpage);
	free(thp);
	free(rows);
}

/* ---- -k --------------------------------------------------------------- */

static bool
matches(const struct page_row *r, uint64_t want, uint64_t refuse)
{
	return r->present && (r->flags & want) == want &&
	    (r->flags & refuse) == 0;
}

/* The addresses of rows that match, in a new array. */
static uint64_t *
matching(const struct page_row *rows, size_t n, uint64_t want,
    uint64_t refuse, size_t *count)
{
	uint64_t *a = malloc((n + 1) * sizeof(*a));
	size_t i;

	assert_non_null(a);
	*count = 0;
	for (i = 0; i < n; i++)
		if (matches(&rows[i], want, refuse))
			a[(*count)++] = rows[i].addr;
	return a;
}

/*
 * Dumps the region with -k list: every row printed must match, and every
 * page that matches must be printed. Flags such as lru can change between
 * two runs, so the filtered run is compared with the unfiltered runs
 * before and after it when those agree. Returns how many pages matched.
 */
static size_t
check_filter(const char *list, uint64_t want, uint64_t refuse)
{
	const uintptr_t start = child.l.base, end = child.l.end;
	struct page_row *before, *after, *got;
	uint64_t *b, *a;
	size_t nbefore, nafter, ngot, nb, na, i, attempt;

	for (attempt = 0; attempt < 10; attempt++) {
		before = pages(start, end, NULL, &nbefore);
		got = pages(start, end, list, &ngot);
		after = pages(start, end, NULL, &nafter);
		for (i = 0; i < ngot; i++)
			if (!matches(&got[i], want, refuse))
				fail_msg("-k %s printed 0x%" PRIx64 " (present "
				    "%d, kflags 0x%" PRIx64 ")", list,
				    got[i].addr, got[i].present,
				    got[i].flags);
		b = matching(before, nbefore, want, refuse, &nb);
		a = matching(after, nafter, want, refuse, &na);
		free(before);
		free(after);
		if (nb == na && memcmp(a, b, nb * sizeof(*a)) == 0) {
			if (ngot != nb)
				fail_msg("-k %s printed %zu pages, want %zu",
				    list, ngot, nb);
			for (i = 0; i < ngot; i++)
				assert_int_equal(got[i].addr, b[i]);
			free(a);
			free(b);
			free(got);
			return nb;
		}
		free(a);
		free(b);
		free(got);
	}
	tl_skipf("the flags of the pages kept changing: "
	    "-k %s not compared", list);
	return 0;
}

/* The pages of the swap area that were not paged out. */
static size_t
swap_present(void)
{
	struct page_row *rows = all_pages(child.l.swap, SWAP_PAGES);
	size_t i, n = 0;

	for (i = 0; i < SWAP_PAGES; i++)
		n += rows[i].present;
	free(rows);
	return n;
}

static void
should_print_exactly_the_anonymous_pages_not_on_the_lru(void **state)
{
	(void)state;
	check_filter("anon,~lru", KPF_ANON, KPF_LRU);
}

static void
should_print_exactly_the_anonymous_pages(void **state)
{
	const size_t thp = 2 * child.l.hpage / child.l.page;
	(void)state;

	assert_int_equal(check_filter("anon", KPF_ANON, 0), thp +
	    SHARED_PAGES + COW_PAGES + ANON_PAGES / 2 + FLUSH_PAGES +
	    swap_present());
}

static void
should_print_exactly_the_anonymous_pages_outside_huge_pages(void **state)
{
	const size_t per = child.l.hpage / child.l.page;
	size_t huge = anon_huge_kib(child.l.thp) * 1024 / child.l.hpage;
	(void)state;

	/* With the huge pages left out, the small anonymous pages remain. */
	assert_int_equal(check_filter("anon,~thp", KPF_ANON, KPF_THP),
	    (2 - huge) * per + SHARED_PAGES + COW_PAGES + ANON_PAGES / 2 +
	    FLUSH_PAGES + swap_present());
	assert_int_equal(check_filter("anon,~compound_tail,~lru,~mlocked",
	    KPF_ANON, KPF_TAIL | KPF_LRU | BIT(33)) <=
	    (2 - huge) * per + huge + SHARED_PAGES + COW_PAGES +
	    ANON_PAGES / 2 + FLUSH_PAGES + swap_present(), 1);
}

static void
should_print_exactly_the_mapped_file_pages(void **state)
{
	(void)state;
	assert_int_equal(check_filter("mmap,~anon", KPF_MMAP, KPF_ANON),
	    FILE_PAGES);
	assert_int_equal(check_filter("lru,mmap,~anon", KPF_LRU | KPF_MMAP,
	    KPF_ANON), FILE_PAGES);
}

static void
should_print_only_present_pages_for_a_list_of_absent_flags(void **state)
{
	(void)state;
	/* The holes and guard pages have no flags, but are not present. */
	assert_int_equal(check_filter("~anon", 0, KPF_ANON), FILE_PAGES);
	assert_int_equal(check_filter("~ksm,~anon", 0, BIT(21) | KPF_ANON),
	    FILE_PAGES);
}

static void
should_print_nothing_for_absent_flags_over_holes(void **state)
{
	char r[64];
	const char *const opts[] = { "-H", "-k", "~anon", "-r", r, NULL };
	struct tl_run run;
	(void)state;

	/* The anon area's holes and the guard pages after it. */
	range(r, sizeof(r), child.l.anon, child.l.flush);
	dump_ok(&run, opts);
	assert_string_equal(run.out, "");
	tl_run_free(&run);
}

static void
should_refuse_an_unknown_flag_with_exit_2(void **state)
{
	const char *const lists[] = { "bogus", "anon,bogus", "~bogus", "",
	    "anon,", "Anon" };
	struct tl_run run;
	size_t i;
	unsigned int bit;
	(void)state;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *const opts[] = { "-k", lists[i], NULL };
		dump(&run, true, opts);
		if (tl_exit_code(&run) != 2)
			fail_msg("-k '%s': exit %d, want 2", lists[i],
			    tl_exit_code(&run));
		assert_string_equal(run.out, "");
		if (i == 0) {
			assert_non_null(strstr(run.err, "bogus"));
			for (bit = 0; bit < 64; bit++)
				if (tl_flag_names[bit] != NULL &&
				    !tl_has_word(run.err, tl_flag_names[bit]))
					fail_msg("-k bogus: '%s' not listed: "
					    "%s", tl_flag_names[bit], run.err);
		}
		tl_run_free(&run);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_show_a_file_page_on_the_lru_and_mapped_but_not_anonymous),
		cmocka_unit_test(should_show_a_written_anonymous_page_as_anon),
		cmocka_unit_test(
		    should_give_no_flags_mapcount_or_cgroup_to_a_swapped_page),
		cmocka_unit_test(
		    should_give_each_page_of_a_long_sparse_mapping_its_own_values),
		cmocka_unit_test(
		    should_filter_a_long_sparse_mapping_alike_with_and_without_scan),
		cmocka_unit_test(should_mark_the_pages_of_a_transparent_huge_page_thp),
		cmocka_unit_test(
		    should_print_exactly_the_anonymous_pages_not_on_the_lru),
		cmocka_unit_test(should_print_exactly_the_anonymous_pages),
		cmocka_unit_test(
		    should_print_exactly_the_anonymous_pages_outside_huge_pages),
		cmocka_unit_test(should_print_exactly_the_mapped_file_pages),
		cmocka_unit_test(
		    should_print_only_present_pages_for_a_list_of_absent_flags),
		cmocka_unit_test(should_print_nothing_for_absent_flags_over_holes),
		cmocka_unit_test(should_refuse_an_unknown_flag_with_exit_2),
	};
	int rc = physical_unusable("test_physical_kflags");

	if (rc >= 0)
		return rc;
	return cmocka_run_group_tests(tests, physical_start, physical_stop);
}

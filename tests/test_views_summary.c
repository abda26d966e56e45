/*
 * End-to-end tests of the summary (-s): the pages of each mapping counted
 * as the kernel counts them, in text and JSON, and a total.
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

/* ---- -s: summary ---- */

/* The 64-bit entry of the frame pfn in /proc/kpagecount or kpageflags. */
static uint64_t
kpage_entry(const char *path, uint64_t pfn)
{
	uint64_t v = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	if (pread(fd, &v, 8, (off_t)(pfn * 8)) != 8)
		fail_msg("pread %s: %s", path, strerror(errno));
	close(fd);
	return v;
}

/* How many times the kernel says the frame pfn is mapped. */
static uint64_t
kpagecount(uint64_t pfn)
{
	return kpage_entry("/proc/kpagecount", pfn);
}

/* The counts of a summary row, from the kernel's pagemap (and kpagecount). */
struct counts {
	unsigned long pages, present, swapped, file, soft_dirty, exclusive;
	unsigned long uss;	/* present pages mapped once */
	unsigned long zero;	/* present pages that are the zero page */
	unsigned long ksm;	/* present pages that are KSM pages */
	/* PSS as the kernel sums it: (page << 12) / mapcount, summed. */
	uint64_t pss, pss_anon, pss_file, pss_shmem;
};

/* The kernel's flags of the frame pfn. */
static uint64_t
kpageflags(uint64_t pfn)
{
	return kpage_entry("/proc/kpageflags", pfn);
}

static struct counts
count_pages(pid_t pid, uint64_t start, size_t pages, bool present_only)
{
	struct counts n;
	uint64_t mapcount;
	size_t i;

	memset(&n, 0, sizeof(n));
	for (i = 0; i < pages; i++) {
		struct tl_page s = tl_page_state(pid, start + i *
		    (uint64_t)page);
		if (present_only && !s.present)
			continue;
		n.pages++;
		n.present += (unsigned long)s.present;
		n.swapped += (unsigned long)s.swapped;
		n.file += (unsigned long)s.file;
		n.soft_dirty += (unsigned long)s.soft_dirty;
		n.exclusive += (unsigned long)s.exclusive;
		if (s.present && tl_have_sys_admin()) {
			uint64_t flags = kpageflags(s.pfn), pss;
			/* bit 24: the zero page, which smaps leaves out. */
			if (flags >> 24 & 1) {
				n.zero++;
				continue;
			}
			n.ksm += flags >> 21 & 1;
			mapcount = kpagecount(s.pfn);
			n.uss += mapcount == 1;
			pss = ((uint64_t)page << 12) /
			    (mapcount >= 2 ? mapcount : 1);
			n.pss += pss;
			/* anon (bit 12), or shmem: swapbacked (bit 14) */
			if (flags >> 12 & 1)
				n.pss_anon += pss;
			else if (flags >> 14 & 1)
				n.pss_shmem += pss;
			else
				n.pss_file += pss;
		}
	}
	return n;
}

/*
 * Appends "pages present swapped file soft-dirty exclusive rss-kib
 * [pss-kib uss-kib] swap-kib".
 */
static void
add_counts(struct tl_buf *b, const struct counts *n)
{
	unsigned long kib = (unsigned long)page / 1024;
	unsigned long rss = n->present - n->zero;

	tl_buf_printf(b, "%lu %lu %lu %lu %lu %lu %lu", n->pages, n->present,
	    n->swapped, n->file, n->soft_dirty, n->exclusive, rss * kib);
	if (tl_have_sys_admin())
		tl_buf_printf(b, " %lu %lu %lu %lu %lu %lu",
		    (unsigned long)(n->pss >> 22), n->uss * kib,
		    (unsigned long)(n->pss_anon >> 22),
		    (unsigned long)(n->pss_file >> 22),
		    (unsigned long)(n->pss_shmem >> 22), n->ksm * kib);
	/* Shared and private by bit 56; no PMD or hugetlb pages here. */
	tl_buf_printf(b, " %lu %lu %lu 0 0 0 0 0", (rss - n->exclusive) * kib,
	    n->exclusive * kib, n->zero * kib);
	tl_buf_printf(b, " %lu", n->swapped * (unsigned long)page / 1024);
}

/* Appends the summary row of the mapping of pages pages at start. */
static void
add_summary_row(struct tl_buf *b, uint64_t start, size_t pages,
    const char *perms, const struct counts *n, const char *name)
{
	tl_buf_printf(b, "%" PRIx64 " %" PRIx64 " %s ", start,
	    start + pages * (uint64_t)page, perms);
	add_counts(b, n);
	tl_buf_printf(b, "%s%s\n", *name ? " " : "", name);
}

/* Finds the line of s that starts with prefix; returns a copy. */
static char *
line_starting(const char *s, const char *prefix)
{
	const char *nl;
	size_t n = strlen(prefix);

	for (; *s != '\0'; s = nl + 1) {
		nl = strchr(s, '\n');
		if (strncmp(s, prefix, n) == 0)
			return strndup(s, (size_t)(nl - s + 1));
	}
	return NULL;
}

/*
 * Checks a text summary (after its header): every row a mapping but the
 * last, the total, whose counts are the sums of the rows'. Returns how
 * many mapping rows there are.
 */
static size_t
assert_total_is_the_sum(const char *body, size_t first)
{
	struct tl_table t = { 0, 0, NULL };
	unsigned long long sum[32] = { 0 }, v;
	size_t i, k, rows, ncols;
	const char *const *keys = summary_keys(&ncols);
	const size_t ncounts = ncols - 4;	/* not start end perms name */
	const struct tl_rec *total;

	tl_read_text(body, ncols + first, &t);
	assert_true(t.n >= 1);
	rows = t.n - 1;
	for (i = 0; i < rows; i++) {
		assert_string_not_equal(t.r[i].f[first], "total");
		for (k = 0; k < ncounts; k++)
			sum[k] += strtoull(t.r[i].f[first + 3 + k], NULL, 10);
	}
	total = &t.r[rows];
	assert_string_equal(total->f[first], "total");
	assert_string_equal(total->f[first + 1], "-");
	assert_string_equal(total->f[first + 2], "-");
	assert_string_equal(total->f[first + 3 + ncounts], "");
	for (k = 0; k < ncounts; k++) {
		/* PSS adds up fractions of pages: rows are truncated apart. */
		if (strncmp(keys[3 + k], "pss-", 4) == 0)
			continue;
		v = strtoull(total->f[first + 3 + k], NULL, 10);
		if (v != sum[k])
			fail_msg("total %s is %llu, the rows add up to %llu",
			    keys[3 + k], v, sum[k]);
	}
	tl_table_free(&t);
	return rows;
}

static void
should_summarise_each_mapping_with_its_counts_and_a_total(void **state)
{
	const struct child *c = *state;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 }, header = { NULL, 0, 0 };
	struct tl_table t = { 0, 0, NULL };
	struct tl_run r;
	struct counts n;
	char prefix[40], *line;
	size_t i, rows;

	add_summary_header(&header, false);
	run(&r, "-s", c->arg);
	tl_assert_ran_ok(&r);
	assert_memory_equal(r.out, header.s, header.len);

	/* The anonymous pages: 8, of which 3 present, 3 * page_size bytes. */
	n = count_pages(c->pid, l->anon, 8, false);
	assert_int_equal(n.pages, 8);
	assert_int_equal(n.present, 3);
	add_summary_row(&want, l->anon, 8, "rw-p", &n, "");
	snprintf(prefix, sizeof(prefix), "%" PRIx64 " ", (uint64_t)l->anon);
	line = line_starting(r.out, prefix);
	assert_non_null(line);
	assert_string_equal(line, tl_buf_str(&want));
	tl_read_text(line, summary_ncols(), &t);
	assert_string_equal(t.r[0].f[3], "8");
	assert_string_equal(t.r[0].f[4], "3");
	assert_int_equal(strtoul(t.r[0].f[9], NULL, 10), 3 * page / 1024);
	free(line);
	tl_table_free(&t);

	/* The shared pages: 4, 2 present and shared. */
	want.len = 0;
	n = count_pages(c->pid, l->shared, 4, false);
	assert_int_equal(n.present, 2);
	assert_int_equal(n.file, 2);
	add_summary_row(&want, l->shared, 4, "rw-s", &n,
	    "/dev/zero (deleted)");
	snprintf(prefix, sizeof(prefix), "%" PRIx64 " ", (uint64_t)l->shared);
	line = line_starting(r.out, prefix);
	assert_non_null(line);
	assert_string_equal(line, tl_buf_str(&want));
	free(line);

	/* Every mapping row counts all its pages; the total adds them up. */
	rows = assert_total_is_the_sum(after_first_line(r.out), 0);
	assert_true(rows >= 5);
	tl_read_text(after_first_line(r.out), summary_ncols(), &t);
	for (i = 0; i < rows; i++)
		assert_int_equal(strtoull(t.r[i].f[3], NULL, 10),
		    (strtoull(t.r[i].f[1], NULL, 16) -
		    strtoull(t.r[i].f[0], NULL, 16)) / (uint64_t)page);
	tl_table_free(&t);
	tl_run_free(&r);
	tl_buf_free(&want);
	tl_buf_free(&header);
}

static void
should_write_the_json_summary_as_an_object_per_mapping_then_a_total(
    void **state)
{
	const struct child *c = *state;
	struct tl_run rt, rj;
	struct tl_jobject *objs;
	const struct tl_jobject *o;
	const struct tl_jmember *m;
	unsigned long long sum[32] = { 0 };
	char start[32];
	size_t i, k, n, nkeys;
	const char *const *keys = summary_keys(&nkeys);
	bool saw_anon = false;

	run(&rt, "-s", c->arg);
	run(&rj, "-s", "-f", "json", c->arg);
	tl_assert_ran_ok(&rt);
	tl_assert_ran_ok(&rj);
	n = tl_read_json_lines(rj.out, &objs);
	/* As many objects as text rows (without the header). */
	assert_int_equal(n, tl_count_lines(rt.out) - 1);
	snprintf(start, sizeof(start), "0x%" PRIx64, (uint64_t)c->layout.anon);
	for (i = 0; i + 1 < n; i++) {
		o = &objs[i];
		m = tl_jget(o, "total");
		assert_true(m == NULL || (m->type == TL_JBOOL && !m->b));
		if (o->n != nkeys && o->n != nkeys + 1)
			fail_msg("summary object %zu has %zu keys, not %zu", i,
			    o->n, nkeys);
		for (k = 0; k < nkeys; k++) {
			m = tl_jget(o, keys[k]);
			if (m == NULL)
				fail_msg("summary object %zu has no '%s'", i,
				    keys[k]);
			if (k < 2)
				assert_true(m->type == TL_JSTRING &&
				    is_json_hex(m->s));
			else if (k == 2 || k == nkeys - 1)
				assert_int_equal(m->type, TL_JSTRING);
			else {
				assert_true(m->type == TL_JNUMBER &&
				    is_decimal(m->s));
				sum[k - 3] += strtoull(m->s, NULL, 10);
			}
		}
		if (strcmp(tl_jget(o, "start")->s, start) == 0) {
			saw_anon = true;
			assert_string_equal(tl_jget(o, "pages")->s, "8");
			assert_string_equal(tl_jget(o, "present")->s, "3");
			assert_int_equal(strtoul(tl_jget(o, "rss-kib")->s, NULL,
			    10), 3 * page / 1024);
			assert_string_equal(tl_jget(o, "name")->s, "");
		}
	}
	assert_true(saw_anon);
	o = &objs[n - 1];
	m = tl_jget(o, "total");
	assert_non_null(m);
	assert_int_equal(m->type, TL_JBOOL);
	assert_true(m->b);
	assert_null(tl_jget(o, "start"));
	assert_null(tl_jget(o, "end"));
	assert_null(tl_jget(o, "perms"));
	assert_null(tl_jget(o, "name"));
	assert_int_equal(o->n, nkeys - 4 + 1);
	for (k = 3; k < nkeys - 1; k++) {
		m = tl_jget(o, keys[k]);
		if (m == NULL)
			fail_msg("the total has no '%s'", keys[k]);
		assert_int_equal(m->type, TL_JNUMBER);
		/* PSS adds up fractions of pages: rows are truncated apart. */
		if (strncmp(keys[k], "pss-", 4) != 0 &&
		    strtoull(m->s, NULL, 10) != sum[k - 3])
			fail_msg("total %s is %s, the objects add up to %llu",
			    keys[k], m->s, sum[k - 3]);
	}
	tl_jobjects_free(objs, n);
	tl_run_free(&rt);
	tl_run_free(&rj);
}

static void
should_summarise_only_the_mappings_and_pages_that_m_and_P_select(void **st)
{
	const struct child *c = *st;
	const struct layout *l = &c->layout;
	struct tl_buf want = { NULL, 0, 0 }, header = { NULL, 0, 0 };
	struct tl_table t = { 0, 0, NULL };
	struct tl_run r;
	struct counts n;
	char match[64], prefix[40], *line;
	size_t i, rows;

	/* -m: the one mapping, and a total of just it. */
	snprintf(match, sizeof(match), "pmd-views-%d-plain", (int)getpid());
	n = count_pages(c->pid, l->file, 4, false);
	add_summary_header(&want, false);
	add_summary_row(&want, l->file, 4, "r--p", &n, l->name);
	tl_buf_printf(&want, "total - - ");
	add_counts(&want, &n);
	tl_buf_printf(&want, "\n");
	assert_run_prints(tl_buf_str(&want), "-s", "-m", match, c->arg);

	/* -P: only present pages are counted, pages equals present. */
	add_summary_header(&header, false);
	want.len = 0;
	n = count_pages(c->pid, l->anon, 8, true);
	assert_int_equal(n.pages, 3);
	add_summary_row(&want, l->anon, 8, "rw-p", &n, "");
	run(&r, "-s", "-P", c->arg);
	tl_assert_ran_ok(&r);
	assert_memory_equal(r.out, header.s, header.len);
	snprintf(prefix, sizeof(prefix), "%" PRIx64 " ", (uint64_t)l->anon);
	line = line_starting(r.out, prefix);
	assert_non_null(line);
	/* Its end is still the mapping's end: 8 pages, 3 counted. */
	assert_string_equal(line, tl_buf_str(&want));
	tl_read_text(line, summary_ncols(), &t);
	assert_string_equal(t.r[0].f[3], "3");
	assert_string_equal(t.r[0].f[4], "3");
	free(line);
	tl_table_free(&t);
	rows = assert_total_is_the_sum(after_first_line(r.out), 0);
	tl_read_text(after_first_line(r.out), summary_ncols(), &t);
	for (i = 0; i <= rows; i++)
		assert_string_equal(t.r[i].f[3], t.r[i].f[4]);
	tl_table_free(&t);
	tl_run_free(&r);
	tl_buf_free(&want);
	tl_buf_free(&header);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(should_summarise_each_mapping_with_its_counts_and_a_total),
		T(should_write_the_json_summary_as_an_object_per_mapping_then_a_total),
		T(should_summarise_only_the_mappings_and_pages_that_m_and_P_select),
	};

	return views_main(argc, argv, "test_views_summary", tests,
	    sizeof(tests) / sizeof(tests[0]));
}

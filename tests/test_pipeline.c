/*
 * Tests for the page path (pipeline): what a sink is handed, from a
 * pagemap and kpage files written here, through the filter. The sink is
 * this file's own and records every call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "column.h"
#include "pagemap.h"
#include "pipeline.h"

#define PAGE 4096
#define BASE 0x100	/* the first mapping's first page */

/* What the recording sink saw. */
struct seen {
	char calls[512];	/* "P" begin_process, "M" mapping, "B" batch,
				   "E" end (complete), "e" end (not) */
	uint64_t vpn[16], n[16];
	uint64_t count[16], flags[16];	/* of each batch's first page */
	bool has_count[16], has_flags[16];
	size_t nbatches;
	unsigned have;		/* what the sink was told */
	unsigned per_page;	/* what it asks of each process */
};

static struct seen seen;

/*
 * Notes a call; batches in a row are one "B" (how the reader cuts a
 * mapping's pages into segments is its own affair).
 */
static void
note(char c)
{
	size_t n = strlen(seen.calls);

	assert_true(n + 1 < sizeof(seen.calls));
	if (c != 'B' || n == 0 || seen.calls[n - 1] != 'B')
		seen.calls[n] = c;
}

/* The batch that holds page vpn; fails when none does. */
static size_t
batch_at(uint64_t vpn)
{
	size_t i;

	for (i = 0; i < seen.nbatches; i++)
		if (seen.vpn[i] <= vpn && vpn < seen.vpn[i] + seen.n[i])
			return i;
	fail_msg("no batch holds page 0x%llx", (unsigned long long)vpn);
	return 0;
}

/* How many pages from vpn on the batches hold, one after another. */
static uint64_t
pages_from(uint64_t vpn)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < seen.nbatches; i++)
		if (seen.vpn[i] == vpn + n)
			n += seen.n[i];
	return n;
}

static void *
rec_open(const struct sink_context *c)
{
	seen.have = c->have;
	return &seen;
}

static int
rec_header(void *s)
{
	(void)s;
	return 0;
}

static enum dump_status
rec_begin_process(void *s, const struct sink_process *p,
    unsigned *per_page)
{
	(void)s;
	(void)p;
	*per_page = seen.per_page;
	note('P');
	return DUMP_OK;
}

static enum dump_status
rec_begin_mapping(void *s, const struct maps_entry *m)
{
	(void)s;
	(void)m;
	note('M');
	return DUMP_OK;
}

static enum dump_status
rec_pages(void *s, const struct page_batch *b)
{
	size_t i = seen.nbatches++;

	(void)s;
	assert_true(i < 16);
	seen.vpn[i] = b->vpn;
	seen.n[i] = b->n;
	seen.has_count[i] = b->kpage[KPAGE_COUNT] != NULL;
	seen.has_flags[i] = b->kpage[KPAGE_FLAGS] != NULL;
	seen.count[i] = seen.has_count[i] ? b->kpage[KPAGE_COUNT][0] : 0;
	seen.flags[i] = seen.has_flags[i] ? b->kpage[KPAGE_FLAGS][0] : 0;
	note('B');
	return DUMP_OK;
}

static enum dump_status
rec_end_process(void *s, bool complete)
{
	(void)s;
	note(complete ? 'E' : 'e');
	return DUMP_OK;
}

static void
rec_close(void *s)
{
	(void)s;
}

static struct sink_ops rec_sink = {
	.name = "record", .open = rec_open, .header = rec_header,
	.begin_process = rec_begin_process,
	.begin_mapping = rec_begin_mapping, .pages = rec_pages,
	.end_process = rec_end_process, .close = rec_close,
};

/* The files of one process: two mappings of 4 pages, a hole between. */
struct proc {
	char dir[64];
	int dirfd, pagemap_fd;
	struct maps_entry m[2];
	struct maps maps;
};

static void
write_at(int dirfd, const char *name, uint64_t index, uint64_t v)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT, 0600);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &v, 8, (off_t)(index * 8)), 8);
	close(fd);
}

/*
 * Pages BASE..BASE+3 and BASE+8..BASE+11: present (PFNs 0x10 on) at
 * BASE, BASE+1, BASE+3 and BASE+9; the rest never touched. kpagecount
 * holds 2 for each PFN, kpageflags its PFN's number.
 */
static void
make_proc(struct proc *p)
{
	static const uint64_t present[] = { BASE, BASE + 1, BASE + 3,
	    BASE + 9 };
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/test_pipeline.XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	p->dirfd = open(p->dir, O_RDONLY | O_DIRECTORY);
	assert_true(p->dirfd >= 0);
	write_at(p->dirfd, "pagemap", BASE + 16, 0);
	for (i = 0; i < 4; i++) {
		write_at(p->dirfd, "pagemap", present[i],
		    PM_PRESENT | PM_EXCLUSIVE | (0x10 + i));
		write_at(p->dirfd, "kpagecount", 0x10 + i, 2);
		write_at(p->dirfd, "kpageflags", 0x10 + i, 0x10 + i);
	}
	p->pagemap_fd = openat(p->dirfd, "pagemap", O_RDONLY);
	assert_true(p->pagemap_fd >= 0);
	p->m[0] = (struct maps_entry){ .start = BASE * PAGE,
	    .end = (BASE + 4) * PAGE, .name = "", .perms = "rw-p" };
	p->m[1] = (struct maps_entry){ .start = (BASE + 8) * PAGE,
	    .end = (BASE + 12) * PAGE, .name = "/x", .name_len = 2,
	    .perms = "r--p" };
	p->maps = (struct maps){ .entries = p->m, .count = 2 };
}

static void
free_proc(struct proc *p)
{
	static const char *const names[] = { "pagemap", "kpagecount",
	    "kpageflags" };
	size_t i;

	close(p->pagemap_fd);
	for (i = 0; i < 3; i++)
		unlinkat(p->dirfd, names[i], 0);
	close(p->dirfd);
	rmdir(p->dir);
}

/* Runs the page path on p with the sink's wants and a filter. */
static enum dump_status
run(struct proc *p, struct filter *f, const unsigned *cols, size_t ncols,
    bool pfns, struct pipeline_end *end)
{
	struct pipeline_config c = {
		.filter = f, .sink = &rec_sink, .cols = cols, .ncols = ncols,
		.page_size = PAGE, .may_see_pfns = pfns, .kpage_dirfd = p->dirfd,
	};
	const struct sink_process proc = { 1, -1, NULL, &p->maps };
	struct pipeline *pl;
	enum dump_status st;

	memset(seen.calls, 0, sizeof(seen.calls));
	seen.nbatches = 0;
	assert_int_equal(filter_prepare(f, PAGE), 0);
	pl = pipeline_open(&c);
	if (pl == NULL)
		return DUMP_FAILED;
	st = pipeline_process(pl, &proc, p->pagemap_fd, end);
	pipeline_close(pl);
	return st;
}

static void
should_hand_every_page_to_the_sink_a_mapping_at_a_time(void **state)
{
	struct pipeline_end end;
	struct filter f;
	struct proc p;

	(void)state;
	make_proc(&p);
	memset(&f, 0, sizeof(f));
	rec_sink.wants = 0;
	seen.per_page = 0;
	assert_int_equal(run(&p, &f, NULL, 0, true, &end), DUMP_OK);
	assert_int_equal(end.status, WALK_END);
	assert_string_equal(seen.calls, "PMBMBE");
	assert_int_equal(pages_from(BASE), 4);
	assert_int_equal(pages_from(BASE + 8), 4);
	assert_false(seen.has_count[0]);	/* nobody asked */
	assert_int_equal(seen.have & PAGE_FACTS_KPAGE, 0);
	filter_free(&f);
	free_proc(&p);
}

static void
should_hand_on_only_the_runs_the_filter_selects(void **state)
{
	struct pipeline_end end;
	struct filter f;
	struct proc p;

	(void)state;
	make_proc(&p);
	memset(&f, 0, sizeof(f));
	f.present = true;
	assert_int_equal(filter_add_range(&f, (BASE + 1) * PAGE,
	    (BASE + 12) * PAGE), 0);
	rec_sink.wants = 0;
	assert_int_equal(run(&p, &f, NULL, 0, true, &end), DUMP_OK);
	/* BASE+1, then BASE+3, then BASE+9: three runs, two mappings. */
	assert_string_equal(seen.calls, "PMBMBE");
	assert_int_equal(seen.nbatches, 3);
	assert_int_equal(seen.vpn[0], BASE + 1);
	assert_int_equal(seen.n[0], 1);
	assert_int_equal(seen.vpn[1], BASE + 3);
	assert_int_equal(seen.n[1], 1);
	assert_int_equal(seen.vpn[2], BASE + 9);
	assert_int_equal(seen.n[2], 1);
	filter_free(&f);
	free_proc(&p);
}

static void
should_add_the_kpage_facts_the_columns_or_the_sink_ask_for(void **state)
{
	struct pipeline_end end;
	unsigned cols[1];
	struct filter f;
	struct proc p;

	(void)state;
	make_proc(&p);
	memset(&f, 0, sizeof(f));
	f.present = true;
	/* The sink wants the counts: they come with every batch. */
	rec_sink.wants = PAGE_FACT_COUNT;
	seen.per_page = 0;
	assert_int_equal(run(&p, &f, NULL, 0, true, &end), DUMP_OK);
	assert_true(seen.have & PAGE_FACT_COUNT);
	assert_true(seen.has_count[0]);
	assert_false(seen.has_flags[0]);
	/* Without the PFNs, a want is quietly not had. */
	assert_int_equal(run(&p, &f, NULL, 0, false, &end), DUMP_OK);
	assert_false(seen.have & PAGE_FACT_COUNT);
	assert_false(seen.has_count[0]);
	/* A column that needs the flags gets them; without PFNs, an error. */
	rec_sink.wants = 0;
	cols[0] = (unsigned)column_find("kflags", 6);
	assert_int_equal(run(&p, &f, cols, 1, true, &end), DUMP_OK);
	assert_true(seen.has_flags[0]);
	assert_int_equal(seen.flags[batch_at(BASE)], 0x10);
	assert_int_equal(seen.flags[batch_at(BASE + 9)], 0x13);	/* its own */
	assert_int_equal(run(&p, &f, cols, 1, false, &end), DUMP_FAILED);
	filter_free(&f);
	free_proc(&p);
}

static void
should_add_the_facts_a_sink_asks_of_one_process(void **state)
{
	struct pipeline_end end;
	struct filter f;
	struct proc p;

	(void)state;
	make_proc(&p);
	memset(&f, 0, sizeof(f));
	f.present = true;
	rec_sink.wants = PAGE_FACT_COUNT;
	rec_sink.wants_kflags_file = true;
	seen.per_page = PAGE_FACT_KFLAGS | PAGE_FACT_COUNT;
	assert_int_equal(run(&p, &f, NULL, 0, true, &end), DUMP_OK);
	assert_true(seen.has_flags[0]);
	assert_true(seen.has_count[0]);
	assert_int_equal(seen.flags[batch_at(BASE + 3)], 0x12);
	/*
	 * The flags show no compound page and the entry says exclusive: the
	 * count is 1 without a read (kpagecount would say 2 here).
	 */
	assert_int_equal(seen.count[batch_at(BASE + 3)], 1);
	rec_sink.wants = 0;
	rec_sink.wants_kflags_file = false;
	seen.per_page = 0;
	filter_free(&f);
	free_proc(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    should_hand_every_page_to_the_sink_a_mapping_at_a_time),
		cmocka_unit_test(
		    should_hand_on_only_the_runs_the_filter_selects),
		cmocka_unit_test(
		    should_add_the_kpage_facts_the_columns_or_the_sink_ask_for),
		cmocka_unit_test(
		    should_add_the_facts_a_sink_asks_of_one_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

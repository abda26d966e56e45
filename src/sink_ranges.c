/*
 * sink_ranges: --ranges, one row per run of pages of a mapping along
 * which every column of -o goes as the registry says (column_run): the
 * same value, or a PFN (swap offset, physical address) one page up from
 * the page before. Holes are runs too. A row is its start, end and
 * pages, then the columns of -o but addr, with the run's first page's
 * values.
 */
#include "sink.h"

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "column.h"

struct ranges {
	struct sink_context c;
	struct format *format;		/* start end pages, then -o's */
	unsigned cmp[FORMAT_MAX_COLUMNS];	/* the columns compared */
	size_t ncmp;
	/* The run at hand: its first page, and how many pages so far. */
	struct pagemap_entry first_entry, entry;
	struct format_row first, row;
	uint64_t first_value[FORMAT_MAX_COLUMNS];
	bool open;
	int pid;
	/*
	 * The fast test: a page whose raw entry is the first one's (its PFN
	 * one up a page) and whose kpage values are the first one's goes on
	 * the run whatever the columns; only a present page with a PFN, or
	 * an empty entry, allows it (a swap offset must step).
	 */
	bool fast;
	uint64_t first_raw, first_kpage[KPAGE_FILES];
};

/*
 * The formatter of range rows: the columns of -o, with start, end and
 * pages in the place of addr (first, without addr).
 */
static struct format *
range_format(struct ranges *r, const struct sink_context *c)
{
	unsigned cols[FORMAT_MAX_COLUMNS + 2];
	const char *const own[] = { "start", "end", "pages" };
	size_t n = 0, i, k, at = 0;

	for (i = 0; i < c->ncols; i++)
		if (column_table[c->cols[i]].run == RUN_ADDR) {
			at = i;
			break;
		}
	for (i = 0; i <= c->ncols; i++) {
		if (i == at)
			for (k = 0; k < 3; k++)
				cols[n++] = (unsigned)column_find_own(own[k]);
		if (i == c->ncols || column_table[c->cols[i]].run == RUN_ADDR)
			continue;
		if (column_table[c->cols[i]].value != NULL)
			r->cmp[r->ncmp++] = c->cols[i];
		cols[n++] = c->cols[i];
	}
	if (n > FORMAT_MAX_COLUMNS) {
		errno = EINVAL;
		return NULL;
	}
	return format_new(c->kind, cols, n);
}

static void *
ranges_open(const struct sink_context *c)
{
	struct ranges *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->c = *c;
	r->format = range_format(r, c);
	if (r->format == NULL) {
		free(r);
		return NULL;
	}
	r->first.entry = &r->first_entry;
	r->row.entry = &r->entry;
	r->first.page_size = r->row.page_size = c->page_size;
	return r;
}

static int
ranges_header(void *s)
{
	struct ranges *r = s;

	return format_header(r->format, r->c.out);
}

/* Writes the run at hand, if any. */
static enum dump_status
end_run(struct ranges *r)
{
	if (!r->open)
		return DUMP_OK;
	r->open = false;
	if (format_row(r->format, r->c.out, &r->first) != 0)
		return DUMP_OUTPUT_ERROR;
	return DUMP_OK;
}

static enum dump_status
ranges_begin_process(void *s, const struct sink_process *p,
    unsigned *per_page)
{
	struct ranges *r = s;

	r->pid = r->first.pid = r->row.pid = p->pid;
	*per_page = 0;
	return DUMP_OK;
}

static enum dump_status
ranges_begin_mapping(void *s, const struct maps_entry *m)
{
	struct ranges *r = s;

	if (end_run(r) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	r->first.map = r->row.map = m;
	if (format_set_mapping(r->format, m) != 0) {
		warn("pid %d", r->pid);
		return DUMP_FAILED;
	}
	return DUMP_OK;
}

/* Whether the page in r->row goes on the run at hand, k pages on. */
static bool
goes_on(const struct ranges *r, uint64_t k)
{
	size_t i;

	for (i = 0; i < r->ncmp; i++) {
		const struct column *c = &column_table[r->cmp[i]];
		uint64_t v = c->value(&r->row), v0 = r->first_value[i];
		uint64_t step = c->run == RUN_STEP ? 1 :
		    c->run == RUN_STEP_PAGE ? r->c.page_size : 0;
		if (v0 == 0 || step == 0 ? v != v0 : v != v0 + k * step)
			return false;
	}
	return true;
}

/* Starts a run at the page in r->row. */
static void
start_run(struct ranges *r)
{
	size_t i;

	r->first_entry = r->entry;
	r->first.addr = r->row.addr;
	r->first.kflags = r->row.kflags;
	r->first.mapcount = r->row.mapcount;
	r->first.cgroup = r->row.cgroup;
	r->first.folio = r->row.folio;
	r->first.node = r->row.node;
	r->first.paddr_offset = r->row.paddr_offset;
	r->first.pages = 1;
	for (i = 0; i < r->ncmp; i++)
		r->first_value[i] = column_table[r->cmp[i]].value(&r->row);
	r->open = true;
	r->first_raw = r->entry.raw;
	r->first_kpage[KPAGE_FLAGS] = r->row.kflags;
	r->first_kpage[KPAGE_COUNT] = r->row.mapcount;
	r->first_kpage[KPAGE_CGROUP] = r->row.cgroup;
	r->fast = r->entry.raw == 0 || (r->entry.present && r->entry.pfn != 0);
}

/* Whether page k of b passes the fast test (see struct ranges). */
static bool
same_fast(const struct ranges *r, const struct page_batch *b, uint64_t k)
{
	uint64_t ahead = r->first.pages, want = r->first_raw;
	int f;

	if (!r->fast || (b->vpn + k) * r->c.page_size !=
	    r->first.addr + ahead * r->c.page_size)
		return false;
	if (want != 0)
		want += ahead;		/* the PFN, in the low bits */
	if (b->entries[k] != want)
		return false;
	for (f = 0; f < KPAGE_FILES; f++)
		if (b->kpage[f] != NULL && b->kpage[f][k] != r->first_kpage[f])
			return false;
	return (b->folio == NULL || b->folio[k] == r->first.folio) &&
	    (b->node == NULL || b->node[k] == r->first.node);
}

/* Puts page k of b in r->row. */
static void
load(struct ranges *r, const struct page_batch *b, uint64_t k)
{
	const struct filter *f = r->c.filter;

	if (b->entries != NULL)
		pagemap_decode(b->entries[k], &r->entry);
	r->row.kflags = b->kpage[KPAGE_FLAGS] ? b->kpage[KPAGE_FLAGS][k] : 0;
	r->row.mapcount = b->kpage[KPAGE_COUNT] ? b->kpage[KPAGE_COUNT][k] : 0;
	r->row.cgroup = b->kpage[KPAGE_CGROUP] ? b->kpage[KPAGE_CGROUP][k] : 0;
	r->row.folio = b->folio != NULL ? b->folio[k] : 0;
	r->row.node = page_batch_node(b, k);
	r->row.addr = (b->vpn + k) * r->c.page_size;
	if (f->naddrs > 0)
		r->row.paddr_offset = filter_page_offset(f, r->row.addr,
		    r->c.page_size);
}

/*
 * A run of empty entries (the reader skipped it): its pages are all
 * alike, so they go on the run at hand, or make one, together.
 */
static enum dump_status
empty_pages(struct ranges *r, const struct page_batch *b)
{
	uint64_t ahead;

	pagemap_decode(0, &r->entry);
	load(r, b, 0);
	ahead = r->open ? (r->row.addr - r->first.addr) / r->c.page_size : 0;
	if (r->open && ahead == r->first.pages && goes_on(r, ahead)) {
		r->first.pages += b->n;
		return DUMP_OK;
	}
	if (end_run(r) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	start_run(r);
	r->first.pages = b->n;
	return DUMP_OK;
}

static enum dump_status
ranges_pages(void *s, const struct page_batch *b)
{
	struct ranges *r = s;
	uint64_t k, ahead;

	if (b->entries == NULL)
		return empty_pages(r, b);
	for (k = 0; k < b->n; k++) {
		if (r->open && same_fast(r, b, k)) {
			r->first.pages++;
			continue;
		}
		load(r, b, k);
		ahead = r->open ? (r->row.addr - r->first.addr) /
		    r->c.page_size : 0;
		/* A page after a gap (another run of the filter) ends it. */
		if (r->open && ahead == r->first.pages && goes_on(r, ahead)) {
			r->first.pages++;
			continue;
		}
		if (end_run(r) != DUMP_OK)
			return DUMP_OUTPUT_ERROR;
		start_run(r);
	}
	return DUMP_OK;
}

static enum dump_status
ranges_end_process(void *s, bool complete)
{
	(void)complete;
	return end_run(s);
}

static void
ranges_close(void *s)
{
	struct ranges *r = s;

	format_free(r->format);
	free(r);
}

const struct sink_ops sink_ranges = {
	.name = "ranges",
	.letter = 'R',
	.option = "ranges",
	.help = "one row per run of pages alike, PFNs consecutive",
	.takes_empty_runs = true,
	.open = ranges_open,
	.header = ranges_header,
	.begin_process = ranges_begin_process,
	.begin_mapping = ranges_begin_mapping,
	.pages = ranges_pages,
	.end_process = ranges_end_process,
	.close = ranges_close,
};

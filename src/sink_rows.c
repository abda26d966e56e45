/*
 * sink_rows: the default view, one row per selected page.
 */
#include "sink.h"

#include <err.h>
#include <stdlib.h>

struct rows {
	struct sink_context c;
	bool fast;		/* empty runs go to format_empty_rows */
	struct pagemap_entry entry;	/* the page at hand */
	struct format_row row;		/* its row */
};

static void *
rows_open(const struct sink_context *c)
{
	struct rows *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->c = *c;
	r->fast = c->filter->naddrs == 0;
	r->row.entry = &r->entry;
	r->row.page_size = c->page_size;
	return r;
}

static int
rows_header(void *s)
{
	struct rows *r = s;

	return format_header(r->c.format, r->c.out);
}

static enum dump_status
rows_begin_process(void *s, const struct sink_process *p,
    unsigned *per_page)
{
	struct rows *r = s;

	r->row.pid = p->pid;
	*per_page = 0;
	return DUMP_OK;
}

static enum dump_status
rows_begin_mapping(void *s, const struct maps_entry *m)
{
	struct rows *r = s;

	r->row.map = m;
	if (format_set_mapping(r->c.format, m) != 0) {
		warn("pid %d", r->row.pid);
		return DUMP_FAILED;
	}
	return DUMP_OK;
}

/* The kpage value of page k of b from file f, or 0 when not read. */
static uint64_t
kpage_at(const struct page_batch *b, enum kpage_file f, uint64_t k)
{
	return b->kpage[f] != NULL ? b->kpage[f][k] : 0;
}

/*
 * Where the run of zero entries of b from k on ends, when it is long
 * enough to be written by format_empty_rows; else k.
 */
static uint64_t
empty_run(const struct page_batch *b, uint64_t k)
{
	uint64_t i = k;

	if (b->entries == NULL)
		return b->n;
	while (i < b->n && b->entries[i] == 0)
		i++;
	return i - k >= 8 ? i : k;
}

static enum dump_status
rows_pages(void *s, const struct page_batch *b)
{
	struct rows *r = s;
	const struct filter *filter = r->c.filter;
	struct format_row *row = &r->row;
	uint64_t k, end;
	int rc;

	if (b->entries == NULL)
		pagemap_decode(0, &r->entry);
	for (k = 0; k < b->n; k++) {
		/* A run of empty pages of the default columns: fast. */
		if (r->fast && (end = empty_run(b, k)) > k) {
			rc = format_empty_rows(r->c.format, r->c.out,
			    (b->vpn + k) * r->c.page_size, end - k,
			    r->c.page_size);
			if (rc < 0)
				return DUMP_OUTPUT_ERROR;
			if (rc == 0) {
				k = end - 1;
				continue;
			}
			r->fast = false;
		}
		if (b->entries != NULL)
			pagemap_decode(b->entries[k], &r->entry);
		row->kflags = kpage_at(b, KPAGE_FLAGS, k);
		row->mapcount = kpage_at(b, KPAGE_COUNT, k);
		row->cgroup = kpage_at(b, KPAGE_CGROUP, k);
		row->folio = b->folio != NULL ? b->folio[k] : 0;
		row->node = page_batch_node(b, k);
		row->addr = (b->vpn + k) * r->c.page_size;
		if (filter->naddrs > 0)
			row->paddr_offset = filter_page_offset(filter,
			    row->addr, r->c.page_size);
		if (format_row(r->c.format, r->c.out, row) != 0)
			return DUMP_OUTPUT_ERROR;
	}
	return DUMP_OK;
}

static enum dump_status
rows_end_process(void *s, bool complete)
{
	(void)s;
	(void)complete;
	return DUMP_OK;
}

const struct sink_ops sink_rows = {
	.name = "rows",
	.open = rows_open,
	.header = rows_header,
	.begin_process = rows_begin_process,
	.begin_mapping = rows_begin_mapping,
	.pages = rows_pages,
	.end_process = rows_end_process,
	.close = free,
};

/*
 * sink_bars: --bars, a line per mapping: its start, size and share of
 * pages present, a bar whose cells each stand for an equal share of its
 * selected pages (bars.h says how a cell is drawn), and its name. The
 * bar fills what the terminal leaves of the line (sink_look.width).
 *
 * The pages a mapping's bar spans are those of the mapping inside -r and
 * -a (all of it without them); pages that -P, -S or -k leave out show as
 * empty.
 */
#include "sink.h"

#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bars.h"
#include "escape.h"
#include "pagemap.h"
#include "regions.h"
#include "term.h"

/* The name column is given this much of the line at most. */
#define BARS_NAME_ROOM 24
/* A bar has at least this many cells, however narrow the terminal. */
#define BARS_MIN_CELLS 8

struct bars {
	struct sink_context c;
	int pid;
	size_t width;			/* cells of a full bar, this process */
	const struct maps_entry *map;	/* the mapping at hand, or NULL */
	uint64_t first, n;		/* its span, in pages */
	struct bar_cell *cells;		/* ncells of them */
	size_t ncells;
	size_t cursor;			/* in the batches' regions */
	char *line;			/* a line is written here first */
};

static void *
bars_open(const struct sink_context *c)
{
	struct bars *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->c = *c;
	b->cells = calloc(TERM_WIDTH_MAX, sizeof(*b->cells));
	b->line = malloc(TERM_WIDTH_MAX * BAR_CELL_MAX + 64 +
	    ESCAPE_TEXT_MAX(4096));
	if (b->cells == NULL || b->line == NULL) {
		free(b->cells);
		free(b->line);
		free(b);
		return NULL;
	}
	return b;
}

/* The columns before the bar: pid, start, size, rss. */
static size_t
prefix_width(const struct bars *b)
{
	return (b->c.several_pids ? 8 : 0) + 13 + 7 + 5;
}

static int
bars_header(void *s)
{
	struct bars *b = s;
	struct out *out = b->c.out;
	const char *legend = bar_legend(b->c.look.unicode);

	if (out_write(out, legend, strlen(legend)) != 0 ||
	    out_write(out, "\n", 1) != 0)
		return -1;
	if (b->c.several_pids && out_write(out, "pid     ", 8) != 0)
		return -1;
	return out_write(out, "start        size   rss  bar name\n", 34);
}

/* How wide a name is drawn: its bytes, escaped, at most the room. */
static size_t
name_width(const struct maps_entry *m)
{
	char buf[ESCAPE_TEXT_MAX(BARS_NAME_ROOM)];
	size_t n = m->name_len < BARS_NAME_ROOM ? m->name_len : BARS_NAME_ROOM;

	n = n == 0 ? 1 : escape_text(buf, m->name, n);
	return n < BARS_NAME_ROOM ? n : BARS_NAME_ROOM;
}

/* A bar as wide as the line leaves, after the widest name (in room). */
static enum dump_status
bars_begin_process(void *s, const struct sink_process *p,
    unsigned *per_page)
{
	struct bars *b = s;
	size_t i, names = 1, w, used;

	b->pid = p->pid;
	b->map = NULL;
	b->cursor = 0;
	*per_page = 0;
	for (i = 0; p->maps != NULL && i < p->maps->count; i++) {
		w = name_width(&p->maps->entries[i]);
		names = w > names ? w : names;
	}
	used = prefix_width(b) + 3 + names;
	w = b->c.look.width;
	b->width = w > used + BARS_MIN_CELLS ? w - used : BARS_MIN_CELLS;
	return DUMP_OK;
}

/* A size in bytes as 4K, 132K, 2.0M, 16G. */
static void
put_size(char *dst, size_t len, uint64_t bytes)
{
	static const char unit[] = "KMGTPE";
	double v = (double)bytes / 1024;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(dst, len, v < 10 && v != (double)(uint64_t)v ? "%.1f%c" :
	    "%.0f%c", v, unit[u]);
}

/*
 * The pages of each cell, by where the cells start: cell i starts at the
 * first page k with k * ncells / n at least i. Pages the filter did not
 * hand on count as empty.
 */
static void
size_cells(struct bars *b)
{
	uint64_t n = b->n, c = b->ncells, at = 0, next;
	size_t i;

	for (i = 0; i < b->ncells; i++) {
		next = ((uint64_t)(i + 1) * n + c - 1) / c;
		b->cells[i].pages = next - at;
		at = next;
	}
}

/* Writes the line of the mapping at hand. */
static enum dump_status
end_mapping(struct bars *b)
{
	const struct maps_entry *m = b->map;
	uint64_t present = 0, pct;
	char size[16], *p = b->line;
	size_t i, len;

	if (m == NULL)
		return DUMP_OK;
	b->map = NULL;
	size_cells(b);
	for (i = 0; i < b->ncells; i++)
		present += b->cells[i].present;
	pct = b->n > 0 ? (present * 100 + b->n - 1) / b->n : 0;
	pct = present < b->n && pct == 100 ? 99 : pct;
	put_size(size, sizeof(size), b->n * b->c.page_size);
	if (b->c.several_pids)
		p += sprintf(p, "%-7d ", b->pid);
	p += sprintf(p, "%-12" PRIx64 " %6s %3" PRIu64 "%% [",
	    b->first * b->c.page_size, size, pct);
	p += bar_draw(p, b->cells, b->ncells, b->c.look.unicode,
	    b->c.look.color);
	*p++ = ']';
	for (i = b->ncells; i < b->width + 1; i++)
		*p++ = ' ';
	len = m->name_len < 4096 ? m->name_len : 4096;
	if (len == 0)
		*p++ = '-';
	p += escape_text(p, m->name, len);
	*p++ = '\n';
	return out_write(b->c.out, b->line, (size_t)(p - b->line)) == 0 ?
	    DUMP_OK : DUMP_OUTPUT_ERROR;
}

/* The pages of m inside the selected intervals: first, and how many. */
static void
span_of(const struct bars *b, const struct maps_entry *m)
{
	struct bars *w = (struct bars *)b;
	const struct filter *f = b->c.filter;
	const struct filter_interval *iv = filter_next(f, m->start);
	uint64_t lo = m->start, hi = m->end;

	if (f->nselect > 0 && iv != NULL) {
		lo = iv->start > lo ? iv->start : lo;
		hi = lo;
		for (; iv < f->select + f->nselect && iv->start < m->end; iv++)
			hi = iv->end < m->end ? iv->end : m->end;
	}
	w->first = lo / b->c.page_size;
	w->n = (hi - lo) / b->c.page_size;
}

static enum dump_status
bars_begin_mapping(void *s, const struct maps_entry *m)
{
	struct bars *b = s;

	if (end_mapping(b) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	b->map = m;
	span_of(b, m);
	b->ncells = bar_cells(b->n, b->width);
	memset(b->cells, 0, b->ncells * sizeof(*b->cells));
	return DUMP_OK;
}

/* Whether page vpn is mapped huge, by the batch's regions. */
static bool
huge_at(struct bars *b, const struct regions *rs, uint64_t vpn)
{
	if (rs == NULL)
		return false;
	while (b->cursor < rs->n && rs->v[b->cursor].end <= vpn)
		b->cursor++;
	while (b->cursor > 0 && rs->v[b->cursor - 1].end > vpn)
		b->cursor--;
	return b->cursor < rs->n && rs->v[b->cursor].start <= vpn &&
	    (rs->v[b->cursor].categories & WALK_PAGE_IS_HUGE);
}

static enum dump_status
bars_pages(void *s, const struct page_batch *pb)
{
	struct bars *b = s;
	uint64_t i, k;

	if (b->map == NULL || pb->vpn < b->first ||
	    pb->vpn + pb->n > b->first + b->n)
		return DUMP_OK;	/* not of the span: cannot be */
	k = pb->vpn - b->first;
	if (pb->entries == NULL)
		return DUMP_OK;	/* empty pages: nothing to count */
	for (i = 0; i < pb->n; i++) {
		struct bar_cell *c = &b->cells[bar_cell_of(k + i, b->n,
		    b->ncells)];
		uint64_t raw = pb->entries[i];
		if (raw & PM_PRESENT) {
			c->present++;
			c->huge += huge_at(b, pb->regions, pb->vpn + i);
		} else if (raw != 0) {
			enum pagemap_state st = pagemap_state(raw);
			c->swapped += st == PAGEMAP_SWAP;
			c->guard += st == PAGEMAP_GUARD;
		}
	}
	return DUMP_OK;
}

static enum dump_status
bars_end_process(void *s, bool complete)
{
	(void)complete;
	return end_mapping(s);
}

static void
bars_close(void *s)
{
	struct bars *b = s;

	if (b == NULL)
		return;
	free(b->cells);
	free(b->line);
	free(b);
}

const struct sink_ops sink_bars = {
	.name = "bars",
	.letter = 'B',
	.option = "bars",
	.help = "a bar per mapping: which of its pages are present",
	.own_columns = true,
	.wants = PAGE_FACT_REGION,
	.takes_empty_runs = true,
	.draws = true,
	.open = bars_open,
	.header = bars_header,
	.begin_process = bars_begin_process,
	.begin_mapping = bars_begin_mapping,
	.pages = bars_pages,
	.end_process = bars_end_process,
	.close = bars_close,
};

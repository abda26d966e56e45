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
	bar_size_cells(b->cells, b->ncells, b->n);
	for (i = 0; i < b->ncells; i++)
		present += b->cells[i].present;
	pct = b->n > 0 ? (present * 100 + b->n - 1) / b->n : 0;
	pct = present < b->n && pct == 100 ? 99 : pct;
	sink_size(size, sizeof(size), b->n * b->c.page_size);
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

static enum dump_status
bars_begin_mapping(void *s, const struct maps_entry *m)
{
	struct bars *b = s;

	if (end_mapping(b) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	b->map = m;
	bar_span(b->c.filter, m, b->c.page_size, &b->first, &b->n);
	b->ncells = bar_cells(b->n, b->width);
	memset(b->cells, 0, b->ncells * sizeof(*b->cells));
	return DUMP_OK;
}

static enum dump_status
bars_pages(void *s, const struct page_batch *pb)
{
	struct bars *b = s;

	if (b->map != NULL)
		bar_count(b->cells, b->ncells, b->first, b->n, pb, &b->cursor);
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

/*
 * sink_svg: --svg FILE, the mappings of each process as a picture: one
 * horizontal band per mapping in address order, its cells coloured by
 * what their pages are (the cells and states of bars.h), the mapping's
 * name beside it; a gap between mappings that do not touch is a thin
 * row that says how large the hole is. Cells alike next to each other
 * are one rectangle. The picture is SVG 1.1, written whole at the end
 * (its height is known only then); names are escaped for XML.
 */
#include "sink.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bars.h"
#include "svg.h"

#define SVG_CELLS 256		/* cells of a band, at most */
#define SVG_CELL_W 3		/* pixels */
#define SVG_BAND_H 12
#define SVG_HOLE_H 10
#define SVG_LEFT 150		/* the addresses are written left of it */
#define SVG_NAME_X (SVG_LEFT + SVG_CELLS * SVG_CELL_W + 8)
#define SVG_WIDTH (SVG_NAME_X + 420)
/* Cells of a picture, at most: a band has fewer when there are many. */
#define SVG_MAX_CELLS 262144

/* The fill of each state: its colour, and what the legend calls it. */
static const char *const fill[BAR_STATES] = {
	[BAR_EMPTY] = "#eeeeee", [BAR_PRESENT] = "#2e7d32",
	[BAR_PARTLY] = "#81c784", [BAR_HUGE] = "#6a1b9a",
	[BAR_SWAPPED] = "#f9a825", [BAR_GUARD] = "#c62828",
};
static const char *const label[BAR_STATES] = {
	[BAR_EMPTY] = "empty", [BAR_PRESENT] = "present",
	[BAR_PARTLY] = "partly present", [BAR_HUGE] = "huge",
	[BAR_SWAPPED] = "swapped", [BAR_GUARD] = "guard",
};

struct svg {
	struct sink_context c;
	struct out body;		/* the picture's rows, in memory */
	unsigned y;			/* where the next row goes */
	int pid;
	size_t width;			/* cells of a band, this process */
	const struct maps_entry *map;
	uint64_t first, n, last_end;	/* the span, in pages; the end of the
					   mapping before, in bytes */
	struct bar_cell cells[SVG_CELLS];
	size_t ncells;
	size_t cursor;
	size_t process_len;		/* the body before this process */
	unsigned process_y;
};

static void *
svg_open(const struct sink_context *c)
{
	struct svg *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->c = *c;
	if (out_init(&s->body, -1, 1 << 16) != 0) {
		free(s);
		return NULL;
	}
	s->y = 40;
	return s;
}

static int
svg_header(void *v)
{
	(void)v;
	return 0;	/* written at the end, with the height */
}

static enum dump_status
svg_begin_process(void *v, const struct sink_process *p, unsigned *per_page)
{
	struct svg *s = v;
	size_t nmaps = p->maps != NULL && p->maps->count > 0 ?
	    p->maps->count : 1;

	s->pid = p->pid;
	s->map = NULL;
	s->cursor = 0;
	s->last_end = 0;
	s->process_len = s->body.len;
	s->process_y = s->y;
	*per_page = 0;
	s->width = SVG_MAX_CELLS / nmaps;
	s->width = s->width > SVG_CELLS ? SVG_CELLS : s->width < 8 ? 8 :
	    s->width;
	s->y += 8;
	if (svg_put(&s->body, "<text x=\"8\" y=\"%u\" class=\"pid\">pid "
	    "%d</text>\n", s->y + 10, p->pid) != 0)
		return DUMP_OUTPUT_ERROR;
	s->y += 18;
	return DUMP_OK;
}

/* A hole of bytes between two mappings: a thin row saying how large. */
static int
put_hole(struct svg *s, uint64_t bytes)
{
	char size[32];

	sink_size(size, sizeof(size), bytes);
	if (svg_put(&s->body, "<text x=\"%d\" y=\"%u\" class=\"hole\">hole "
	    "%s</text>\n", SVG_LEFT, s->y + 8, size) != 0)
		return -1;
	s->y += SVG_HOLE_H;
	return 0;
}

/* The cells of the band at hand, alike neighbours merged. */
static int
put_cells(struct svg *s)
{
	size_t i, from = 0;

	bar_size_cells(s->cells, s->ncells, s->n);
	for (i = 1; i <= s->ncells; i++) {
		enum bar_state st = bar_state_of(&s->cells[from]);
		if (i < s->ncells && bar_state_of(&s->cells[i]) == st)
			continue;
		if (svg_put(&s->body, "<rect x=\"%zu\" y=\"%u\" "
		    "width=\"%zu\" height=\"%d\" fill=\"%s\"/>\n",
		    SVG_LEFT + from * SVG_CELL_W, s->y, (i - from) *
		    SVG_CELL_W, SVG_BAND_H - 2, fill[st]) != 0)
			return -1;
		from = i;
	}
	return 0;
}

/* Writes the band of the mapping at hand. */
static enum dump_status
end_mapping(struct svg *s)
{
	const struct maps_entry *m = s->map;
	struct out *b = &s->body;

	if (m == NULL)
		return DUMP_OK;
	s->map = NULL;
	if (s->last_end != 0 && m->start > s->last_end &&
	    put_hole(s, m->start - s->last_end) != 0)
		return DUMP_OUTPUT_ERROR;
	s->last_end = m->end;
	if (svg_put(b, "<g id=\"m-%d-%" PRIx64 "\">\n<text x=\"8\" y=\"%u\" "
	    "class=\"addr\">%" PRIx64 "</text>\n", s->pid, m->start,
	    s->y + 9, m->start) != 0 || put_cells(s) != 0 ||
	    svg_put(b, "<text x=\"%d\" y=\"%u\" class=\"name\">",
	    SVG_NAME_X, s->y + 9) != 0 ||
	    svg_put_text(b, m->name_len > 0 ? m->name : "-", m->name_len > 0 ?
	    (m->name_len < 4096 ? m->name_len : 4096) : 1) != 0 ||
	    svg_put(b, "</text>\n</g>\n") != 0)
		return DUMP_OUTPUT_ERROR;
	s->y += SVG_BAND_H;
	return DUMP_OK;
}

static enum dump_status
svg_begin_mapping(void *v, const struct maps_entry *m)
{
	struct svg *s = v;

	if (end_mapping(s) != DUMP_OK)
		return DUMP_OUTPUT_ERROR;
	s->map = m;
	bar_span(s->c.filter, m, s->c.page_size, &s->first, &s->n);
	s->ncells = bar_cells(s->n, s->width);
	memset(s->cells, 0, sizeof(s->cells));
	return DUMP_OK;
}

static enum dump_status
svg_pages(void *v, const struct page_batch *b)
{
	struct svg *s = v;

	if (s->map != NULL)
		bar_count(s->cells, s->ncells, s->first, s->n, b, &s->cursor);
	return DUMP_OK;
}

/*
 * A process read only in part (it went away) leaves nothing: its rows
 * are taken back, so that -A has each process whole or not at all.
 */
static enum dump_status
svg_end_process(void *v, bool complete)
{
	struct svg *s = v;
	enum dump_status st = end_mapping(s);

	if (!complete) {
		s->body.len = s->process_len;
		s->y = s->process_y;
	}
	return st;
}

/* The document: its head and legend, the body, its end. */
static enum dump_status
svg_finish(void *v)
{
	struct svg *s = v;
	struct out *out = s->c.out;
	int i;

	if (svg_head(out, SVG_WIDTH, s->y + 8, "text { font-family: "
	    "monospace; font-size: 10px; } .hole { fill: #777777; } .pid { "
	    "font-weight: bold; }") != 0)
		return DUMP_OUTPUT_ERROR;
	for (i = 0; i < BAR_STATES; i++) {
		if (svg_put(out, "<rect x=\"%d\" y=\"8\" width=\"10\" "
		    "height=\"10\" fill=\"%s\" stroke=\"#999999\"/><text "
		    "x=\"%d\" y=\"17\">%s</text>\n", 8 + i * 110, fill[i],
		    22 + i * 110, label[i]) != 0)
			return DUMP_OUTPUT_ERROR;
	}
	if (out_write(out, s->body.buf, s->body.len) != 0 ||
	    out_write(out, "</svg>\n", 7) != 0)
		return DUMP_OUTPUT_ERROR;
	return DUMP_OK;
}

static void
svg_close(void *v)
{
	struct svg *s = v;

	if (s == NULL)
		return;
	out_free(&s->body);
	free(s);
}

/* Chosen by --svg FILE, not from the registry (it takes a file). */
const struct sink_ops sink_svg = {
	.name = "svg",
	.option = "svg",
	.help = "the mappings as a picture, in SVG",
	.own_columns = true,
	.wants = PAGE_FACT_REGION,
	.takes_empty_runs = true,
	.draws = true,
	.open = svg_open,
	.header = svg_header,
	.begin_process = svg_begin_process,
	.begin_mapping = svg_begin_mapping,
	.pages = svg_pages,
	.end_process = svg_end_process,
	.finish = svg_finish,
	.close = svg_close,
};

/*
 * sink_frames: --svg FILE with --physical, physical memory as a picture:
 * a grid of cells in frame order, 256 to a row, each cell a frame or a
 * run of frames (the fewest powers of two of them that keep the grid
 * within 65,536 cells), with a legend that counts the frames of each
 * colour. The grid covers the range asked for, whatever the filters
 * select of it.
 *
 * By kind, the frames are those --physical walks, each of the kind its
 * page flags say (frames.h). By owner (with --all), they are the frames
 * the processes map, each of the one process that maps it, or of
 * several. A cell of many frames takes the colour most of them have; a
 * cell of owners is "no process" only when no process maps any of it.
 */
#include "sink.h"

#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "pagemap.h"
#include "svg.h"

#define COLS 256		/* cells of a row */
#define CELL 3			/* pixels a side */
#define TOP 40
#define GRID_X 100
#define LEGEND_X (GRID_X + COLS * CELL + 20)
#define LEGEND_H 14
#define WIDTH (LEGEND_X + 420)
#define LABEL_ROWS 16		/* an address every so many rows */

/* Owners: the ten that have most frames have a colour of their own. */
#define TOP_OWNERS 10
enum { OWNER_OTHER = TOP_OWNERS, OWNER_SHARED, OWNER_NONE, OWNER_COLOURS };

static const char *const kind_fill[FRAME_KINDS] = {
	[FRAME_ANON] = "#2e7d32", [FRAME_FILE] = "#1565c0",
	[FRAME_THP] = "#6a1b9a", [FRAME_HUGETLB] = "#ad1457",
	[FRAME_SLAB] = "#ef6c00", [FRAME_PGTABLE] = "#8d6e63",
	[FRAME_FREE] = "#e0e0e0", [FRAME_RESERVED] = "#424242",
	[FRAME_OTHER] = "#9e9e9e", [FRAME_NOPAGE] = "#fff8e1",
	[FRAME_LEFT_OUT] = "#ffffff",
};
static const char *const owner_fill[OWNER_COLOURS] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#bcbd22", "#17becf", "#7f7f7f",
	[OWNER_OTHER] = "#aec7e8", [OWNER_SHARED] = "#393b79",
	[OWNER_NONE] = "#eeeeee",
};

struct owner {
	int pid;
	char comm[32];
	uint64_t frames;	/* that it alone maps */
	unsigned colour;
};

struct frames_sink {
	struct sink_context c;
	bool by_owner;
	bool started;		/* the frames drawn are known */
	uint64_t start, n;	/* the frames drawn */
	unsigned shift;		/* log2 of the frames of a cell */
	size_t ncells;
	unsigned char *cells;	/* the colour of each */
	/* By kind: the frames of each, and those of the cell at hand. */
	uint64_t totals[FRAME_KINDS], counts[FRAME_KINDS];
	size_t cell;
	/* By owner: the frames each process maps (frames.h), and who. */
	uint64_t *owned;
	size_t nowned, owned_cap, process_owned;
	struct owner *procs;
	size_t nprocs, procs_cap;
	uint64_t shared;
	bool failed;		/* out of memory: no picture */
};

/* Sets up the grid of frames start..start+n-1. Returns 0, or -1. */
static int
grid(struct frames_sink *s, uint64_t start, uint64_t n)
{
	s->start = start;
	s->n = n;
	s->shift = frames_cell_shift(n, FRAMES_MAX_CELLS);
	s->ncells = (size_t)frames_cells(n, s->shift);
	s->cells = malloc(s->ncells > 0 ? s->ncells : 1);
	s->started = true;
	s->cell = SIZE_MAX;
	if (s->cells == NULL)
		return -1;
	/* A cell none of whose frames is selected is left out. */
	memset(s->cells, FRAME_LEFT_OUT, s->ncells);
	return 0;
}

static void *
frames_open(const struct sink_context *c)
{
	struct frames_sink *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->c = *c;
	s->by_owner = !c->physical;
	s->cell = SIZE_MAX;
	/* The whole range is drawn, whatever the filters select of it. */
	if (c->look.pfn_end > c->look.pfn_start && grid(s,
	    c->look.pfn_start, c->look.pfn_end - c->look.pfn_start) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int
frames_header(void *v)
{
	(void)v;
	return 0;	/* written at the end, with the legend */
}

static enum dump_status
frames_begin_process(void *v, const struct sink_process *p,
    unsigned *per_page)
{
	struct frames_sink *s = v;
	struct owner *o;

	*per_page = 0;
	if (!s->by_owner)
		return DUMP_OK;
	if (s->nprocs == s->procs_cap) {
		size_t cap = s->procs_cap > 0 ? s->procs_cap * 2 : 64;
		if (cap > FRAMES_MAX_OWNERS)
			cap = FRAMES_MAX_OWNERS;
		o = cap > s->nprocs ? realloc(s->procs, cap * sizeof(*o)) :
		    NULL;
		if (o == NULL) {
			if (!s->failed)
				warnx("--svg: out of memory, or more than %llu "
				    "processes", (unsigned long long)
				    FRAMES_MAX_OWNERS);
			s->failed = true;
			return DUMP_FAILED;
		}
		s->procs = o;
		s->procs_cap = cap;
	}
	o = &s->procs[s->nprocs++];
	memset(o, 0, sizeof(*o));
	o->pid = p->pid;
	sink_comm(p, o->comm, sizeof(o->comm));
	s->process_owned = s->nowned;
	return DUMP_OK;
}

static enum dump_status
frames_begin_mapping(void *v, const struct maps_entry *m)
{
	struct frames_sink *s = v;
	uint64_t ps = s->c.page_size;

	if (s->by_owner)
		return DUMP_OK;
	if (!(s->c.have & PAGE_FACT_KFLAGS)) {
		warnx("--svg --physical: /proc/kpageflags cannot be read");
		return DUMP_FAILED;
	}
	if (s->started)
		return DUMP_OK;
	/* No range was given with the look: the mapping's frames. */
	return grid(s, m->start / ps, (m->end - m->start) / ps) == 0 ?
	    DUMP_OK : DUMP_FAILED;
}

/* The cell at hand is done: its colour, the kind most of it is. */
static void
end_cell(struct frames_sink *s)
{
	unsigned k;

	if (!s->started || s->cell == SIZE_MAX)
		return;
	k = frames_mode(s->counts, FRAME_KINDS);
	s->cells[s->cell] = (unsigned char)(k < FRAME_KINDS ? k :
	    FRAME_LEFT_OUT);
	memset(s->counts, 0, sizeof(s->counts));
	s->cell = SIZE_MAX;
}

/* By kind: the frames of b, each the page of its own number. */
static void
count_kinds(struct frames_sink *s, const struct page_batch *b)
{
	const uint64_t *kf = b->kpage[KPAGE_FLAGS];
	uint64_t k;

	for (k = 0; k < b->n; k++) {
		uint64_t pfn = b->vpn + k;
		enum frame_kind kind = frames_kind(kf != NULL ? kf[k] : 0);
		size_t cell;
		if (pfn < s->start || pfn - s->start >= s->n)
			continue;
		cell = (size_t)((pfn - s->start) >> s->shift);
		if (cell != s->cell) {
			end_cell(s);
			s->cell = cell;
		}
		s->counts[kind]++;
		s->totals[kind]++;
	}
}

/* By owner: the frames of b's present pages, of the process at hand. */
static enum dump_status
count_owners(struct frames_sink *s, const struct page_batch *b)
{
	uint64_t k, idx = s->nprocs - 1;

	if (b->entries == NULL || s->nprocs == 0)
		return DUMP_OK;
	for (k = 0; k < b->n; k++) {
		uint64_t e = b->entries[k], pfn = e & PM_PFN_MASK;
		if (!(e & PM_PRESENT) || pfn == 0 || pfn < s->start ||
		    pfn - s->start >= s->n)
			continue;
		if (s->nowned == s->owned_cap) {
			size_t cap = s->owned_cap > 0 ? s->owned_cap * 2 :
			    65536;
			uint64_t *o = realloc(s->owned, cap * sizeof(*o));
			if (o == NULL) {
				if (!s->failed)
					warnx("--svg: out of memory");
				s->failed = true;
				return DUMP_FAILED;
			}
			s->owned = o;
			s->owned_cap = cap;
		}
		s->owned[s->nowned++] = pfn << FRAMES_OWNER_BITS | idx;
	}
	return DUMP_OK;
}

static enum dump_status
frames_pages(void *v, const struct page_batch *b)
{
	struct frames_sink *s = v;

	if (s->by_owner)
		return count_owners(s, b);
	if (s->started)
		count_kinds(s, b);
	return DUMP_OK;
}

/* A process read in part (it went away) owns nothing in the picture. */
static enum dump_status
frames_end_process(void *v, bool complete)
{
	struct frames_sink *s = v;

	if (!s->by_owner)
		end_cell(s);
	else if (!complete && s->nprocs > 0) {
		s->nowned = s->process_owned;
		s->nprocs--;
	}
	return DUMP_OK;
}

static int
by_frames(const void *a, const void *b)
{
	const struct owner *x = *(const struct owner *const *)a;
	const struct owner *y = *(const struct owner *const *)b;

	if (x->frames != y->frames)
		return x->frames > y->frames ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * By owner: one entry per frame, the frames of each process, the ten
 * with most their colours, and the colour of each cell. Returns 0, or
 * -1 (out of memory).
 */
static int
colour_owners(struct frames_sink *s, struct owner ***ranked)
{
	uint64_t counts[OWNER_COLOURS - 1];
	size_t i, j = 0, c;

	s->nowned = frames_resolve(s->owned, s->nowned);
	for (i = 0; i < s->nowned; i++) {
		uint64_t who = FRAMES_OWNER(s->owned[i]);
		if (who == FRAMES_SHARED)
			s->shared++;
		else
			s->procs[who].frames++;
	}
	*ranked = malloc((s->nprocs > 0 ? s->nprocs : 1) * sizeof(**ranked));
	if (*ranked == NULL)
		return -1;
	for (i = 0; i < s->nprocs; i++)
		(*ranked)[i] = &s->procs[i];
	qsort(*ranked, s->nprocs, sizeof(**ranked), by_frames);
	for (i = 0; i < s->nprocs; i++)
		(*ranked)[i]->colour = i < TOP_OWNERS ? (unsigned)i :
		    OWNER_OTHER;
	for (c = 0; c < s->ncells; c++) {
		uint64_t end = s->start + ((uint64_t)(c + 1) << s->shift);
		memset(counts, 0, sizeof(counts));
		for (; j < s->nowned && FRAMES_PFN(s->owned[j]) < end; j++) {
			uint64_t who = FRAMES_OWNER(s->owned[j]);
			counts[who == FRAMES_SHARED ? OWNER_SHARED :
			    s->procs[who].colour]++;
		}
		s->cells[c] = (unsigned char)frames_mode(counts,
		    OWNER_COLOURS - 1);
	}
	return 0;
}

/* One line of the legend: a swatch, the text, the frames and bytes. */
static int
legend_line(struct frames_sink *s, unsigned line, const char *fill,
    const char *text, uint64_t frames)
{
	struct out *o = s->c.out;
	unsigned y = TOP + line * LEGEND_H;
	char size[32];

	sink_size(size, sizeof(size), frames * s->c.page_size);
	return svg_put(o, "<rect x=\"%d\" y=\"%u\" width=\"10\" height=\"10\" "
	    "fill=\"%s\" stroke=\"#999999\"/><text x=\"%d\" y=\"%u\" "
	    "class=\"legend\">", LEGEND_X, y, fill, LEGEND_X + 14, y + 9) ||
	    svg_put_text(o, text, strlen(text)) != 0 ||
	    svg_put(o, ": %" PRIu64 " frame%s (%s)</text>\n", frames,
	    frames == 1 ? "" : "s", size) != 0 ? -1 : 0;
}

/* The legend by kind: the kinds that have frames. Its lines, or -1. */
static int
legend_kinds(struct frames_sink *s)
{
	uint64_t seen = 0;
	int k, line = 0;

	for (k = 0; k < FRAME_LEFT_OUT; k++)
		seen += s->totals[k];
	s->totals[FRAME_LEFT_OUT] = s->n - seen;
	for (k = 0; k < FRAME_KINDS; k++) {
		if (s->totals[k] == 0)
			continue;
		if (legend_line(s, (unsigned)line++, kind_fill[k],
		    frames_kind_name((enum frame_kind)k), s->totals[k]) != 0)
			return -1;
	}
	return line;
}

/* The legend by owner: the ten, the others, several, none. */
static int
legend_owners(struct frames_sink *s, struct owner **ranked)
{
	uint64_t other = 0, mapped = s->shared;
	char text[96];
	size_t i;
	int line = 0;

	for (i = 0; i < s->nprocs; i++) {
		mapped += ranked[i]->frames;
		if (i >= TOP_OWNERS) {
			other += ranked[i]->frames;
			continue;
		}
		if (ranked[i]->frames == 0)
			break;
		snprintf(text, sizeof(text), "pid %d %s", ranked[i]->pid,
		    ranked[i]->comm);
		if (legend_line(s, (unsigned)line++, owner_fill[i], text,
		    ranked[i]->frames) != 0)
			return -1;
	}
	if ((other > 0 && legend_line(s, (unsigned)line++,
	    owner_fill[OWNER_OTHER], "other processes", other) != 0) ||
	    legend_line(s, (unsigned)line++, owner_fill[OWNER_SHARED],
	    "several processes", s->shared) != 0 ||
	    legend_line(s, (unsigned)line++, owner_fill[OWNER_NONE],
	    "no process", s->n - mapped) != 0)
		return -1;
	return line;
}

/* The grid: each row's cells, alike neighbours one rectangle. */
static int
put_grid(struct frames_sink *s, const char *const *fill)
{
	struct out *o = s->c.out;
	size_t row, from, i;

	if (svg_put(o, "<g id=\"frames\">\n") != 0)
		return -1;
	for (row = 0; row * COLS < s->ncells; row++) {
		size_t first = row * COLS, end = first + COLS;
		unsigned y = TOP + (unsigned)row * CELL;
		if (end > s->ncells)
			end = s->ncells;
		if (row % LABEL_ROWS == 0 && svg_put(o, "<text x=\"8\" "
		    "y=\"%u\" class=\"addr\">%" PRIx64 "</text>\n", y + 8,
		    (s->start + ((uint64_t)first << s->shift)) *
		    s->c.page_size) != 0)
			return -1;
		for (from = first, i = first + 1; i <= end; i++) {
			if (i < end && s->cells[i] == s->cells[from])
				continue;
			if (svg_put(o, "<rect x=\"%zu\" y=\"%u\" width=\"%zu\" "
			    "height=\"%d\" fill=\"%s\"/>\n", GRID_X + (from -
			    first) * CELL, y, (i - from) * CELL, CELL,
			    fill[s->cells[from]]) != 0)
				return -1;
			from = i;
		}
	}
	return svg_put(o, "</g>\n");
}

/* The head and the title: which frames, by what, a cell's size. */
static int
put_head(struct frames_sink *s, unsigned lines)
{
	unsigned rows = (unsigned)((s->ncells + COLS - 1) / COLS);
	unsigned h = TOP + (rows * CELL > lines * LEGEND_H ? rows * CELL :
	    lines * LEGEND_H) + 16;
	uint64_t per = UINT64_C(1) << s->shift;
	char size[32];

	sink_size(size, sizeof(size), per * s->c.page_size);
	return svg_head(s->c.out, WIDTH, h, "text { font-family: monospace; "
	    "font-size: 10px; } .title { font-weight: bold; }") != 0 ||
	    svg_put(s->c.out, "<text x=\"8\" y=\"14\" class=\"title\">"
	    "physical memory, frames %" PRIx64 "-%" PRIx64 ", by %s</text>\n"
	    "<text x=\"8\" y=\"28\">a cell: %" PRIu64 " frame%s (%s)</text>\n",
	    s->start, s->start + s->n, s->by_owner ? "the process that maps "
	    "them" : "kind", per, per == 1 ? "" : "s", size) != 0 ? -1 : 0;
}

/*
 * The document. Its legend comes first in the file but its lines are
 * known only once counted: it is written into a buffer of its own.
 */
static enum dump_status
frames_finish(void *v)
{
	struct frames_sink *s = v;
	struct out legend, *out = s->c.out;
	struct owner **ranked = NULL;
	int lines;

	/* A picture without the frames of some process would mislead. */
	if (s->failed)
		return DUMP_FAILED;
	if (!s->started)
		return DUMP_OK;	/* --physical read nothing: said already */
	end_cell(s);
	if (s->by_owner && colour_owners(s, &ranked) != 0) {
		warnx("--svg: out of memory");
		return DUMP_FAILED;
	}
	if (out_init(&legend, -1, 1 << 12) != 0) {
		free(ranked);
		return DUMP_FAILED;
	}
	s->c.out = &legend;
	lines = s->by_owner ? legend_owners(s, ranked) : legend_kinds(s);
	s->c.out = out;
	free(ranked);
	if (lines < 0 || put_head(s, (unsigned)lines) != 0 ||
	    out_write(out, legend.buf, legend.len) != 0 ||
	    put_grid(s, s->by_owner ? owner_fill : kind_fill) != 0 ||
	    out_write(out, "</svg>\n", 7) != 0) {
		out_free(&legend);
		return out->error != 0 ? DUMP_OUTPUT_ERROR : DUMP_FAILED;
	}
	out_free(&legend);
	return DUMP_OK;
}

static void
frames_close(void *v)
{
	struct frames_sink *s = v;

	if (s == NULL)
		return;
	free(s->cells);
	free(s->owned);
	free(s->procs);
	free(s);
}

/* Chosen by --svg with --physical, not from the registry. */
const struct sink_ops sink_frames = {
	.name = "svg",
	.option = "svg",
	.help = "physical memory as a picture, in SVG",
	.own_columns = true,
	.wants = PAGE_FACT_KFLAGS,
	.draws = true,
	.open = frames_open,
	.header = frames_header,
	.begin_process = frames_begin_process,
	.begin_mapping = frames_begin_mapping,
	.pages = frames_pages,
	.end_process = frames_end_process,
	.finish = frames_finish,
	.close = frames_close,
};

/* The same, by owner: the pages' entries say it all. */
const struct sink_ops sink_frames_owners = {
	.name = "svg",
	.option = "svg",
	.help = "physical memory as a picture, in SVG",
	.own_columns = true,
	.draws = true,
	.open = frames_open,
	.header = frames_header,
	.begin_process = frames_begin_process,
	.begin_mapping = frames_begin_mapping,
	.pages = frames_pages,
	.end_process = frames_end_process,
	.finish = frames_finish,
	.close = frames_close,
};
